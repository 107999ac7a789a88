package stacks

import (
	"bytes"
	"encoding/json"

	"github.com/aws/jsii-runtime-go"

	"fastshop/stacks/config"
)

// policyDocument is an IAM or KMS policy. Built as Go values and marshalled
// at synth time, so plans show the whole document (an aws_iam_policy_document
// data source would be opaque until refresh) and map keys come out sorted.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// newPolicy returns a policy document with the current policy language
// version.
func newPolicy(statements ...policyStatement) policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: statements}
}

// allow is a statement that allows actions on resources.
func allow(sid string, actions []string, resource any) policyStatement {
	return policyStatement{Sid: sid, Effect: "Allow", Action: actions, Resource: resource}
}

// JSON renders the document (renderJSON).
func (p policyDocument) JSON() string { return renderJSON(p) }

// renderJSON renders a JSON attribute value: a policy, a redrive policy.
// Terraform tokens inside strings survive: HTML escaping is off so that
// nothing in "${...}" is rewritten. Map keys come out sorted.
func renderJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only unsupported Go types fail to encode; the values hold
		// strings, numbers, slices and maps.
		panic(err)
	}
	return string(bytes.TrimSpace(buf.Bytes()))
}

// workloadBoundary is the permissions boundary every role of the pipeline
// stack carries (deploy-identities-<env> creates it): the apply role may
// create a role only with it.
func workloadBoundary(env config.Environment) *string {
	return jsii.String(config.BoundaryPolicyARN(env.AccountID))
}

// assumeRolePolicy lets one AWS service assume a role, only on behalf of
// this account (confused-deputy guard).
func assumeRolePolicy(service, accountID string) string {
	return servicesAssumeRolePolicy([]string{service}, accountID)
}

// servicesAssumeRolePolicy lets each of several AWS services assume a role,
// only on behalf of this account. The Sid is alphanumeric: IAM rejects any
// other character (MalformedPolicyDocument).
func servicesAssumeRolePolicy(services []string, accountID string) string {
	var principal any = services
	if len(services) == 1 {
		principal = services[0]
	}
	return newPolicy(policyStatement{
		Sid:       "AssumeByTrustedServices",
		Effect:    "Allow",
		Principal: map[string]any{"Service": principal},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": accountID}},
	}).JSON()
}
