package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/internal/jsondoc"
	"fastshop/stacks/config"
)

// identitiesVars is the configuration the identities tests synthesize.
var identitiesVars = map[string]string{config.VarDeployIdentities: "on", config.VarCloudOrganization: "acme", config.VarCloudProject: "fastshop"}

var (
	identitiesOnce sync.Once
	identitiesCfg  config.Config
	identitiesDocs map[string]map[string]any // by environment
)

// synthIdentities synthesizes every deploy identities stack once.
func synthIdentities(t *testing.T) (config.Config, map[string]map[string]any) {
	t.Helper()
	identitiesOnce.Do(func() {
		c, err := config.Select(func(k string) string { return identitiesVars[k] })
		if err := errors.Join(err, c.Validate()); err != nil {
			panic(fmt.Sprintf("deploy identities configuration refused: %v", err))
		}
		app := cdktf.Testing_App(nil)
		identitiesDocs = map[string]map[string]any{}
		for _, env := range c.DeployIdentities.Environments {
			raw := *cdktf.Testing_Synth(NewDeployIdentities(app, c.State, *c.DeployIdentities, env), jsii.Bool(true))
			var doc map[string]any
			if err := json.Unmarshal([]byte(raw), &doc); err != nil {
				panic(err)
			}
			identitiesDocs[env.Name] = doc
		}
		identitiesCfg = c
	})
	if identitiesDocs == nil {
		t.Fatal("deploy identities synthesis failed earlier in this test binary")
	}
	return identitiesCfg, identitiesDocs
}

// rolePolicies decodes the managed policies attached to a deploy role.
func rolePolicies(t *testing.T, doc map[string]any, phase string) []policyDocument {
	t.Helper()
	var out []policyDocument
	attachments, _ := jsondoc.At(doc, "resource", "aws_iam_role_policy_attachment").(map[string]any)
	policies, _ := jsondoc.At(doc, "resource", "aws_iam_policy").(map[string]any)
	for _, name := range sortedKeys(attachments) {
		if jsondoc.At(attachments[name], "role") != "${aws_iam_role.deploy_"+phase+".name}" {
			continue
		}
		ref := jsondoc.At(attachments[name], "policy_arn").(string)
		id := strings.TrimSuffix(strings.TrimPrefix(ref, "${aws_iam_policy."), ".arn}")
		raw, _ := jsondoc.At(policies[id], "policy").(string)
		if len(raw) > maxManagedPolicyChars {
			t.Errorf("aws_iam_policy.%s has %d characters; IAM takes at most %d", id, len(raw), maxManagedPolicyChars)
		}
		var p policyDocument
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatalf("aws_iam_policy.%s: %v", id, err)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		t.Fatalf("no policy attached to the %s role", phase)
	}
	// IAM attaches at most 10 managed policies to a role by default (IAM
	// and AWS STS quotas, "Managed policies attached to an IAM role").
	if len(out) > 10 {
		t.Errorf("the %s role has %d managed policies attached; IAM allows 10 by default", phase, len(out))
	}
	return out
}

// request is one API call as IAM evaluates it.
type request struct {
	Action, Resource string
	Context          map[string]string
}

// allowed evaluates identity policies the way IAM does for one principal
// without boundaries or SCPs: an explicit Deny wins, then any Allow.
// Supported: Action and Resource with * and ? wildcards, and the condition
// operators our policies use (StringEquals, StringLike, ArnEquals, ArnLike,
// Bool); any other operator fails the test.
func allowed(t *testing.T, docs []policyDocument, r request) bool {
	t.Helper()
	allow := false
	for _, d := range docs {
		for _, st := range d.Statement {
			if !st.matches(t, r) {
				continue
			}
			if st.Effect == "Deny" {
				return false
			}
			allow = true
		}
	}
	return allow
}

func glob(pattern, value string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(value)
}

func (st policyStatement) matches(t *testing.T, r request) bool {
	if !slices.ContainsFunc(st.Action, func(a string) bool { return glob(strings.ToLower(a), strings.ToLower(r.Action)) }) {
		return false
	}
	// A trust policy has no Resource: the role is the resource.
	if st.Resource != nil && !slices.ContainsFunc(asStrings(st.Resource), func(p string) bool { return glob(p, r.Resource) }) {
		return false
	}
	for op, keys := range st.Condition {
		for key, want := range keys {
			got, ok := r.Context[key]
			if !ok {
				return false
			}
			var match func(p, v string) bool
			switch op {
			case "StringEquals", "ArnEquals", "Bool":
				match = func(p, v string) bool { return p == v }
			case "StringLike", "ArnLike":
				match = glob
			default:
				t.Fatalf("evaluator does not know condition operator %s", op)
			}
			if !slices.ContainsFunc(asStrings(want), func(p string) bool { return match(p, got) }) {
				return false
			}
		}
	}
	return true
}

// TestDeployIdentitiesTrust: each environment has exactly one plan and one
// apply role, each trusted only through the issuer's provider, for its one
// run phase of its one workspace, with the audience pinned.
func TestDeployIdentitiesTrust(t *testing.T) {
	c, docs := synthIdentities(t)
	o := c.DeployIdentities.OIDC
	for _, env := range c.DeployIdentities.Environments {
		doc := docs[env.Name]
		roles, _ := jsondoc.At(doc, "resource", "aws_iam_role").(map[string]any)
		if got := sortedKeys(roles); !slices.Equal(got, []string{"deploy_apply", "deploy_plan"}) {
			t.Errorf("%s: roles %v; want exactly deploy_apply and deploy_plan", env.Name, got)
		}
		if got := jsondoc.At(doc, "resource", "aws_iam_openid_connect_provider", "deploy"); jsondoc.At(got, "url") != config.HCPTerraformIssuer ||
			!equalJSON(jsondoc.At(got, "client_id_list"), []string{config.HCPTerraformAudience}) {
			t.Errorf("%s: OIDC provider %v; want %s for audience %s", env.Name, got, config.HCPTerraformIssuer, config.HCPTerraformAudience)
		}
		if got := jsondoc.At(doc, "provider", "aws", 0, "allowed_account_ids"); !equalJSON(got, []string{env.AccountID}) {
			t.Errorf("%s: provider allowed_account_ids %v; want [%s]", env.Name, got, env.AccountID)
		}
		for _, phase := range config.Phases {
			role := roles["deploy_"+phase]
			if jsondoc.At(role, "name") != env.DeployRoleName(phase) {
				t.Errorf("%s: role %v; want %s", env.Name, jsondoc.At(role, "name"), env.DeployRoleName(phase))
			}
			var trust policyDocument
			if err := json.Unmarshal([]byte(jsondoc.At(role, "assume_role_policy").(string)), &trust); err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("organization:acme:project:fastshop:workspace:fastshop-%s:run_phase:%s", env.Name, phase)
			if len(trust.Statement) != 1 {
				t.Fatalf("%s %s: %d trust statements; want one", env.Name, phase, len(trust.Statement))
			}
			st := trust.Statement[0]
			if st.Effect != "Allow" || !slices.Equal(st.Action, []string{"sts:AssumeRoleWithWebIdentity"}) ||
				!equalJSON(st.Principal, map[string]any{"Federated": "arn:aws:iam::" + env.AccountID + ":oidc-provider/app.terraform.io"}) ||
				!equalJSON(st.Condition, map[string]any{"StringEquals": map[string]any{"app.terraform.io:aud": "aws.workload.identity", "app.terraform.io:sub": want}}) {
				t.Errorf("%s %s: trust %+v; want the provider, AssumeRoleWithWebIdentity, aud pinned and sub %s exactly", env.Name, phase, st, want)
			}
			// The trust semantics: this phase's token gets in, the other
			// phase's, another workspace's and another audience's do not.
			docs := []policyDocument{trust}
			ctx := func(sub, aud string) request {
				return request{Action: "sts:AssumeRoleWithWebIdentity", Resource: "*", Context: map[string]string{o.ConditionKey("sub"): sub, o.ConditionKey("aud"): aud}}
			}
			other := config.PhasePlan
			if phase == other {
				other = config.PhaseApply
			}
			for _, c := range []struct {
				what string
				req  request
				want bool
			}{
				{"its own phase", ctx(want, "aws.workload.identity"), true},
				{"the other phase", ctx(strings.Replace(want, "run_phase:"+phase, "run_phase:"+other, 1), "aws.workload.identity"), false},
				{"another workspace", ctx(strings.Replace(want, "fastshop-"+env.Name, "fastshop-pr-1", 1), "aws.workload.identity"), false},
				{"another audience", ctx(want, "sts.amazonaws.com"), false},
			} {
				if got := allowed(t, docs, c.req); got != c.want {
					t.Errorf("%s %s role: token of %s admitted = %v; want %v", env.Name, phase, c.what, got, c.want)
				}
			}
		}
	}
}

// TestDeployRolesCoverStackTypes fails when a pipeline stack creates a
// resource type without a row in deployAPI, when a row is stale, and when
// the apply role cannot make one of a row's calls on the stack's resources.
func TestDeployRolesCoverStackTypes(t *testing.T) {
	c, docs := synthIdentities(t)
	seen := map[string]bool{}
	for _, s := range synthAll(t) {
		for _, typ := range root(t, s.Env.Name+":", s.JSON).Key("resource").Keys() {
			seen[typ] = true
			if _, ok := deployAPI[typ]; !ok {
				t.Errorf("%s creates %s, which deployAPI (stacks/deploy_permissions.go) does not map to API actions: the apply role cannot create it", s.Env.Name, typ)
			}
		}
	}
	for typ := range deployAPI {
		if !seen[typ] {
			t.Errorf("deployAPI maps %s, which no pipeline stack creates: drop the row", typ)
		}
	}
	for _, env := range c.DeployIdentities.Environments {
		apply := rolePolicies(t, docs[env.Name], config.PhaseApply)
		for _, typ := range pipelineTypes() {
			for _, a := range slices.Concat(deployAPI[typ].Read, deployAPI[typ].Write) {
				if r := sampleRequest(env, a); !allowed(t, apply, r) {
					t.Errorf("%s: the apply role may not %s on %s, which %s needs", env.Name, a, r.Resource, typ)
				}
			}
		}
	}
}

// sampleRequest is a call of action on a resource of env's stack, as IAM
// sees it: in the region, with the boundary on a role.
func sampleRequest(env config.Environment, action string) request {
	resource := "*"
	s := serviceOf(action)
	switch {
	case s == "iam" && strings.Contains(action, "Policy") && !strings.Contains(action, "Role"):
		resource = fmt.Sprintf("arn:aws:iam::%s:policy/%s", env.AccountID, env.ResourceName("producer"))
	case s == "iam":
		resource = fmt.Sprintf("arn:aws:iam::%s:role/%s", env.AccountID, env.ResourceName("producer"))
	case !isReadAction(action) && !slices.Contains(unscopedWrites, action):
		resource = strings.ReplaceAll(regionalResources(env)[s][0], "*", "x")
	}
	return request{Action: action, Resource: resource, Context: map[string]string{
		"aws:RequestedRegion":     env.Region,
		"iam:PermissionsBoundary": config.BoundaryPolicyARN(env.AccountID),
	}}
}

// TestPlanRoleReadsOnly: every action the plan role holds reads (by its
// name's prefix), but sts:AssumeRole of the state-access role, through which
// the S3 backend takes the lock.
func TestPlanRoleReadsOnly(t *testing.T) {
	c, docs := synthIdentities(t)
	for _, env := range c.DeployIdentities.Environments {
		for _, p := range rolePolicies(t, docs[env.Name], config.PhasePlan) {
			if bad := writesIn(p, c.State.StateAccessRoleARN(env)); len(bad) > 0 {
				t.Errorf("%s: the plan role may write: %v", env.Name, bad)
			}
		}
	}
	// The check fails on a plan policy that gains a write.
	broken := newPolicy(allow("Oops", []string{"ec2:DescribeVpcs", "ec2:CreateVpc", "kms:GetKeyPolicy"}, "*"))
	if bad := writesIn(broken, ""); !slices.Equal(bad, []string{"ec2:CreateVpc"}) {
		t.Errorf("writesIn found %v in a policy allowing ec2:CreateVpc; want exactly that", bad)
	}
}

// writesIn lists the allowed actions of p that are not reads; assuming
// stateRole (the backend's lock path) is the one exception.
func writesIn(p policyDocument, stateRole string) []string {
	var bad []string
	for _, st := range p.Statement {
		if st.Effect != "Allow" {
			continue
		}
		for _, a := range st.Action {
			if isReadAction(a) || a == "sts:AssumeRole" && equalJSON(st.Resource, stateRole) {
				continue
			}
			bad = append(bad, a)
		}
	}
	return bad
}

// escalations lists the forbidden requests the apply role's policies allow.
func escalations(t *testing.T, env config.Environment, o config.OIDC, docs []policyDocument) []string {
	role := func(name string) string { return fmt.Sprintf("arn:aws:iam::%s:role/%s", env.AccountID, name) }
	boundary := config.BoundaryPolicyARN(env.AccountID)
	withBoundary := map[string]string{"iam:PermissionsBoundary": boundary}
	forbidden := []struct {
		what string
		req  request
	}{
		{"attach a policy to itself", request{"iam:AttachRolePolicy", role(env.DeployRoleName(config.PhaseApply)), withBoundary}},
		{"attach a policy to itself (no boundary on it)", request{"iam:AttachRolePolicy", role(env.DeployRoleName(config.PhaseApply)), nil}},
		{"write an inline policy on itself", request{"iam:PutRolePolicy", role(env.DeployRoleName(config.PhaseApply)), withBoundary}},
		{"let another token assume it", request{"iam:UpdateAssumeRolePolicy", role(env.DeployRoleName(config.PhaseApply)), nil}},
		{"widen the plan role", request{"iam:AttachRolePolicy", role(env.DeployRoleName(config.PhasePlan)), withBoundary}},
		{"create an unbounded role", request{"iam:CreateRole", role(env.ResourceName("escape")), nil}},
		{"create a role with another boundary", request{"iam:CreateRole", role(env.ResourceName("escape")), map[string]string{"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess"}}},
		{"attach a policy to an unbounded role", request{"iam:AttachRolePolicy", role(env.ResourceName("processor")), nil}},
		{"remove a stack role's boundary", request{"iam:DeleteRolePermissionsBoundary", role(env.ResourceName("processor")), withBoundary}},
		{"swap a stack role's boundary", request{"iam:PutRolePermissionsBoundary", role(env.ResourceName("processor")), map[string]string{"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess"}}},
		{"delete the boundary", request{"iam:DeletePolicy", boundary, nil}},
		{"rewrite the boundary", request{"iam:CreatePolicyVersion", boundary, nil}},
		{"roll the boundary back", request{"iam:SetDefaultPolicyVersion", boundary, nil}},
		{"rewrite its own policy", request{"iam:CreatePolicyVersion", fmt.Sprintf("arn:aws:iam::%s:policy/%s", env.AccountID, env.DeployPolicyName(config.PhaseApply, 1)), nil}},
		{"trust another audience", request{"iam:AddClientIDToOpenIDConnectProvider", oidcProviderARN(o, env), nil}},
		{"pass the processor role to Lambda", request{"iam:PassRole", role(env.ResourceName("processor")), map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}}},
		{"pass the flow-logs role to EC2", request{"iam:PassRole", role(env.ResourceName("flow-logs")), map[string]string{"iam:PassedToService": "ec2.amazonaws.com"}}},
		{"pass itself", request{"iam:PassRole", role(env.DeployRoleName(config.PhaseApply)), map[string]string{"iam:PassedToService": "ec2.amazonaws.com"}}},
		{"pass the plan role to a pipe", request{"iam:PassRole", role(env.DeployRoleName(config.PhasePlan)), map[string]string{"iam:PassedToService": "pipes.amazonaws.com"}}},
		{"create a role named like a deploy role", request{"iam:CreateRole", role(env.ResourceName("deploy-x")), withBoundary}},
		{"create a key in another region", request{"kms:CreateKey", "*", map[string]string{"aws:RequestedRegion": "us-east-1"}}},
	}
	var out []string
	for _, f := range forbidden {
		if allowed(t, docs, f.req) {
			out = append(out, f.what)
		}
	}
	return out
}

// TestApplyRoleCannotEscalate: the apply role cannot widen itself or the
// plan role, create or keep a role without our boundary, touch the
// boundary, or pass a role but the stack's to their services. The same
// requests with the boundary (or to the right service) are allowed, and
// each guard, removed, lets its request through.
func TestApplyRoleCannotEscalate(t *testing.T) {
	c, docs := synthIdentities(t)
	o := c.DeployIdentities.OIDC
	for _, env := range c.DeployIdentities.Environments {
		apply := rolePolicies(t, docs[env.Name], config.PhaseApply)
		if got := escalations(t, env, o, apply); len(got) > 0 {
			t.Errorf("%s: the apply role can %s", env.Name, strings.Join(got, "; "))
		}
		role := func(name string) string { return fmt.Sprintf("arn:aws:iam::%s:role/%s", env.AccountID, name) }
		for _, ok := range []request{
			{"iam:CreateRole", role(env.ResourceName("processor")), map[string]string{"iam:PermissionsBoundary": config.BoundaryPolicyARN(env.AccountID)}},
			{"iam:PassRole", role(env.ResourceName("flow-logs")), map[string]string{"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}},
			{"iam:PassRole", role(env.ResourceName("redis-notifications-forwarder")), map[string]string{"iam:PassedToService": "pipes.amazonaws.com"}},
		} {
			if !allowed(t, apply, ok) {
				t.Errorf("%s: the apply role may not %s on %s with %v, which the stack needs", env.Name, ok.Action, ok.Resource, ok.Context)
			}
		}
		// Each guard, removed, lets its request through: the check can fail.
		for _, c := range []struct {
			guard  string
			break_ func(*policyStatement)
			want   string
		}{
			{"WriteBoundedStackRoles", func(st *policyStatement) { st.Condition = nil }, "create an unbounded role"},
			{"ProtectDeployIdentities", func(st *policyStatement) { st.Effect = "Allow" }, "rewrite its own policy"},
			{"KeepEveryBoundary", func(st *policyStatement) { st.Effect = "Allow" }, "remove a stack role's boundary"},
			{"PassFlowLogsRole", func(st *policyStatement) { st.Condition = nil }, "pass the flow-logs role to EC2"},
		} {
			broken := breakStatement(apply, c.guard, c.break_)
			if got := escalations(t, env, o, broken); !slices.Contains(got, c.want) {
				t.Errorf("%s: without %s the check still finds only %v; want %q", env.Name, c.guard, got, c.want)
			}
		}
	}
}

// TestPassRoleDeniedBesideAllowed: every deploy policy document that
// allows iam:PassRole also denies it (the deploy roles), as Trivy's
// AWS-0342 asks of each document; packing must not split them.
func TestPassRoleDeniedBesideAllowed(t *testing.T) {
	c, docs := synthIdentities(t)
	has := func(p policyDocument, effect string) bool {
		return slices.ContainsFunc(p.Statement, func(st policyStatement) bool {
			return st.Effect == effect && slices.Contains(st.Action, "iam:PassRole")
		})
	}
	for _, env := range c.DeployIdentities.Environments {
		for _, phase := range config.Phases {
			for i, p := range rolePolicies(t, docs[env.Name], phase) {
				if has(p, "Allow") && !has(p, "Deny") {
					t.Errorf("%s %s part %d allows iam:PassRole without denying it (Trivy AWS-0342)", env.Name, phase, i+1)
				}
			}
		}
	}
	if p := newPolicy(allow("Pass", []string{"iam:PassRole"}, "*")); !has(p, "Allow") || has(p, "Deny") {
		t.Errorf("the check does not see a document that only allows iam:PassRole")
	}
}

// breakStatement returns a copy of docs with the statement sid changed.
func breakStatement(docs []policyDocument, sid string, change func(*policyStatement)) []policyDocument {
	var out []policyDocument
	for _, d := range docs {
		cp := newPolicy(slices.Clone(d.Statement)...)
		for i := range cp.Statement {
			if cp.Statement[i].Sid == sid {
				change(&cp.Statement[i])
			}
		}
		out = append(out, cp)
	}
	return out
}

// TestPipelineRolesCarryBoundary: every role a pipeline stack creates has
// the boundary (or the apply role could not create it), every action a
// stack role is granted lies within the boundary (or IAM would deny it at
// run time), and every role a resource passes is one the apply role may
// pass to that resource's service.
func TestPipelineRolesCarryBoundary(t *testing.T) {
	for _, s := range synthAll(t) {
		boundary := config.BoundaryPolicyARN(s.Env.AccountID)
		for name, role := range s.resources("aws_iam_role") {
			if role["permissions_boundary"] != boundary {
				t.Errorf("%s: aws_iam_role.%s has permissions_boundary %v; want %s", s.Env.Name, name, role["permissions_boundary"], boundary)
			}
		}
		for _, typ := range []string{"aws_iam_policy", "aws_iam_role_policy"} {
			for name, p := range s.resources(typ) {
				var doc policyDocument
				if err := json.Unmarshal([]byte(p["policy"].(string)), &doc); err != nil {
					t.Fatal(err)
				}
				for _, st := range doc.Statement {
					for _, a := range st.Action {
						if st.Effect == "Allow" && !slices.Contains(workloadBoundaryActions, a) {
							t.Errorf("%s: %s.%s is granted %s, outside the boundary (workloadBoundaryActions)", s.Env.Name, typ, name, a)
						}
					}
				}
			}
		}
		passed := passedRoles(s.Env)
		all, _ := s.JSON["resource"].(map[string]any)
		for _, typ := range sortedKeys(all) {
			for _, name := range s.names(typ) {
				checkPassedRole(t, s, typ, name, s.resources(typ)[name], passed)
			}
		}
	}
}

// checkPassedRole fails when the resource typ.name hands a role of the
// stack to a service (role_arn, iam_role_arn) that passedRoles does not let
// the apply role pass to that service.
func checkPassedRole(t *testing.T, s synthesized, typ, name string, body map[string]any, passed []passedRole) {
	t.Helper()
	for _, attr := range []string{"role_arn", "iam_role_arn"} {
		ref, _ := body[attr].(string)
		if !strings.HasPrefix(ref, "${aws_iam_role.") {
			continue
		}
		id := strings.TrimSuffix(strings.TrimPrefix(ref, "${aws_iam_role."), ".arn}")
		role := s.resource(t, "aws_iam_role", id)
		var trust policyDocument
		if err := json.Unmarshal([]byte(role["assume_role_policy"].(string)), &trust); err != nil {
			t.Fatal(err)
		}
		service, _ := trust.Statement[0].Principal["Service"].(string)
		if !slices.Contains(passed, passedRole{role["name"].(string), service}) {
			t.Errorf("%s: %s.%s passes %s to %s; passedRoles does not let the apply role pass it", s.Env.Name, typ, name, role["name"], service)
		}
	}
}

// TestBoundaryPolicy: the boundary allows the workload actions in the
// region and nothing of IAM or STS.
func TestBoundaryPolicy(t *testing.T) {
	c, docs := synthIdentities(t)
	for _, env := range c.DeployIdentities.Environments {
		var doc policyDocument
		raw := jsondoc.At(docs[env.Name], "resource", "aws_iam_policy", "workload_boundary", "policy").(string)
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{"iam:CreateRole", "iam:PassRole", "sts:AssumeRole", "kms:PutKeyPolicy"} {
			if allowed(t, []policyDocument{doc}, request{a, "*", map[string]string{"aws:RequestedRegion": env.Region}}) {
				t.Errorf("%s: the boundary allows %s", env.Name, a)
			}
		}
		if !allowed(t, []policyDocument{doc}, request{"kinesis:PutRecords", "*", map[string]string{"aws:RequestedRegion": env.Region}}) ||
			allowed(t, []policyDocument{doc}, request{"kinesis:PutRecords", "*", map[string]string{"aws:RequestedRegion": "us-east-1"}}) {
			t.Errorf("%s: the boundary must allow kinesis:PutRecords in %s only", env.Name, env.Region)
		}
	}
}

// TestDeployIdentitiesOutputs pins the outputs the README tells operators
// to copy into workspace variables, and the state key.
func TestDeployIdentitiesOutputs(t *testing.T) {
	c, docs := synthIdentities(t)
	for _, env := range c.DeployIdentities.Environments {
		for _, out := range []string{"iam_role_deploy_plan_arn", "iam_role_deploy_apply_arn", "iam_openid_connect_provider_arn", "iam_policy_workload_boundary_arn"} {
			if jsondoc.At(docs[env.Name], "output", out, "description") == nil {
				t.Errorf("%s: output %s missing or undescribed", env.Name, out)
			}
		}
		outputs, _ := jsondoc.At(docs[env.Name], "output").(map[string]any)
		for name, o := range outputs {
			if problem := outputNameProblem(name, jsondoc.At(o, "value")); problem != "" {
				t.Errorf("%s: output %s: %s", env.Name, name, problem)
			}
		}
		if got, want := jsondoc.At(docs[env.Name], "terraform", "backend", "s3", "key"), config.StateKey(config.DeployIdentitiesPrefix+env.Name); got != want {
			t.Errorf("%s: state key %v; want %s", env.Name, got, want)
		}
	}
	if !glob("fastshop/deploy-identities-*", path.Dir(config.StateKey(config.DeployIdentitiesPrefix+"dev"))) {
		t.Errorf("deploy identities' state outside the prefix dev's state role is denied")
	}
}

// namedCreate is how to ask IAM for the create of one named resource type:
// the action, the name attribute in the synthesized JSON, and the ARN the
// request names.
type namedCreate struct {
	typ, attr, action string
	arn               func(env config.Environment, name string) string
}

// namedCreates cover every resource type whose ARN carries the name we
// give it; the others (EC2, KMS keys) are scoped to the account and region.
var namedCreates = []namedCreate{
	{"aws_iam_role", "name", "iam:CreateRole", func(e config.Environment, n string) string { return "arn:aws:iam::" + e.AccountID + ":role/" + n }},
	{"aws_iam_policy", "name", "iam:CreatePolicy", func(e config.Environment, n string) string { return "arn:aws:iam::" + e.AccountID + ":policy/" + n }},
	{"aws_kms_alias", "name", "kms:CreateAlias", func(e config.Environment, n string) string { return regional(e, "kms", n) }},
	{"aws_cloudwatch_log_group", "name", "logs:CreateLogGroup", func(e config.Environment, n string) string { return regional(e, "logs", "log-group:"+n) }},
	{"aws_kinesis_stream", "name", "kinesis:CreateStream", func(e config.Environment, n string) string { return regional(e, "kinesis", "stream/"+n) }},
	{"aws_db_instance", "identifier", "rds:CreateDBInstance", func(e config.Environment, n string) string { return regional(e, "rds", "db:"+n) }},
	{"aws_db_parameter_group", "name", "rds:CreateDBParameterGroup", func(e config.Environment, n string) string { return regional(e, "rds", "pg:"+n) }},
	{"aws_db_subnet_group", "name", "rds:CreateDBSubnetGroup", func(e config.Environment, n string) string { return regional(e, "rds", "subgrp:"+n) }},
	{"aws_db_event_subscription", "name", "rds:CreateEventSubscription", func(e config.Environment, n string) string { return regional(e, "rds", "es:"+n) }},
	{"aws_elasticache_replication_group", "replication_group_id", "elasticache:CreateReplicationGroup", func(e config.Environment, n string) string { return regional(e, "elasticache", "replicationgroup:"+n) }},
	{"aws_elasticache_parameter_group", "name", "elasticache:CreateCacheParameterGroup", func(e config.Environment, n string) string { return regional(e, "elasticache", "parametergroup:"+n) }},
	{"aws_elasticache_subnet_group", "name", "elasticache:CreateCacheSubnetGroup", func(e config.Environment, n string) string { return regional(e, "elasticache", "subnetgroup:"+n) }},
	{"aws_elasticache_user", "user_id", "elasticache:CreateUser", func(e config.Environment, n string) string { return regional(e, "elasticache", "user:"+n) }},
	{"aws_elasticache_user_group", "user_group_id", "elasticache:CreateUserGroup", func(e config.Environment, n string) string { return regional(e, "elasticache", "usergroup:"+n) }},
	{"aws_sns_topic", "name", "sns:CreateTopic", func(e config.Environment, n string) string { return regional(e, "sns", n) }},
	{"aws_sqs_queue", "name", "sqs:CreateQueue", func(e config.Environment, n string) string { return regional(e, "sqs", n) }},
	{"aws_pipes_pipe", "name", "pipes:CreatePipe", func(e config.Environment, n string) string { return regional(e, "pipes", "pipe/"+n) }},
	{"aws_cloudwatch_metric_alarm", "alarm_name", "cloudwatch:PutMetricAlarm", func(e config.Environment, n string) string { return regional(e, "cloudwatch", "alarm:"+n) }},
	{"aws_dynamodb_table", "name", "dynamodb:CreateTable", func(e config.Environment, n string) string { return regional(e, "dynamodb", "table/"+n) }},
}

func regional(e config.Environment, service, rest string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, e.Region, e.AccountID, rest)
}

// TestApplyRoleReachesStackNames: the apply role's name patterns admit
// every name the environment's stack gives a resource (a new naming scheme
// that falls outside fastshop-*-<env> fails here, not at apply time), and
// admit no name of another environment in the same account (dev's role and
// an ephemeral stack's resources).
func TestApplyRoleReachesStackNames(t *testing.T) {
	c, docs := synthIdentities(t)
	byEnv := map[string]synthesized{}
	for _, s := range synthAll(t) {
		byEnv[s.Env.Name] = s
	}
	ctx := func(e config.Environment) map[string]string {
		return map[string]string{"aws:RequestedRegion": e.Region, "iam:PermissionsBoundary": config.BoundaryPolicyARN(e.AccountID)}
	}
	for _, env := range c.DeployIdentities.Environments {
		apply := rolePolicies(t, docs[env.Name], config.PhaseApply)
		s, ok := byEnv[env.Name]
		if !ok {
			t.Fatalf("no synthesized pipeline stack for %s", env.Name)
		}
		for _, nc := range namedCreates {
			names := s.names(nc.typ)
			if len(names) == 0 {
				t.Errorf("%s: no %s in the stack; drop the namedCreates row or fix the walk", env.Name, nc.typ)
			}
			for _, id := range names {
				name, _ := s.resources(nc.typ)[id][nc.attr].(string)
				if r := (request{nc.action, nc.arn(env, name), ctx(env)}); !allowed(t, apply, r) {
					t.Errorf("%s: the apply role may not %s %s (%s.%s)", env.Name, nc.action, r.Resource, nc.typ, id)
				}
			}
		}
	}
	// dev's apply role cannot create what the ephemeral stack names, in
	// the same account.
	dev := c.DeployIdentities.Environments[0]
	pr := byEnv[testSuffix]
	apply := rolePolicies(t, docs[dev.Name], config.PhaseApply)
	for _, nc := range namedCreates {
		for _, id := range pr.names(nc.typ) {
			name, _ := pr.resources(nc.typ)[id][nc.attr].(string)
			if r := (request{nc.action, nc.arn(dev, name), ctx(dev)}); allowed(t, apply, r) {
				t.Errorf("dev's apply role may %s %s, which belongs to the ephemeral stack %s", nc.action, r.Resource, testSuffix)
			}
		}
	}
}

// TestDeployIdentitiesOtherIssuer: a CI system's issuer is settings away.
// With the S3 backend, both roles may assume the environment's
// state-access role (the backend's path to its state and lock); with HCP
// Terraform they may not (its state is not in the bucket).
func TestDeployIdentitiesOtherIssuer(t *testing.T) {
	vars := map[string]string{
		config.VarDeployIdentities: "on", config.VarEnvironments: "prod",
		config.VarOIDCIssuer: "https://token.actions.githubusercontent.com", config.VarOIDCAudience: "sts.amazonaws.com",
		config.VarOIDCSubject: "repo:acme/fastshop:environment:{workspace}-{phase}",
	}
	c, err := config.Select(func(k string) string { return vars[k] })
	if err := errors.Join(err, c.Validate()); err != nil {
		t.Fatal(err)
	}
	env := c.DeployIdentities.Environments[0]
	app := cdktf.Testing_App(nil)
	var doc map[string]any
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(NewDeployIdentities(app, c.State, *c.DeployIdentities, env), jsii.Bool(true))), &doc); err != nil {
		t.Fatal(err)
	}
	if got := jsondoc.At(doc, "resource", "aws_iam_openid_connect_provider", "deploy", "url"); got != "https://token.actions.githubusercontent.com" {
		t.Errorf("OIDC provider url %v; want the CI issuer", got)
	}
	var trust policyDocument
	if err := json.Unmarshal([]byte(jsondoc.At(doc, "resource", "aws_iam_role", "deploy_plan", "assume_role_policy").(string)), &trust); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"StringEquals": map[string]any{
		"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
		"token.actions.githubusercontent.com:sub": "repo:acme/fastshop:environment:fastshop-prod-plan",
	}}
	if len(trust.Statement) != 1 || !equalJSON(trust.Statement[0].Condition, want) ||
		!equalJSON(trust.Statement[0].Principal, map[string]any{"Federated": "arn:aws:iam::" + env.AccountID + ":oidc-provider/token.actions.githubusercontent.com"}) {
		t.Errorf("plan role trust %+v; want the CI issuer's provider, aud and sub %v", trust.Statement, want)
	}
	for _, phase := range config.Phases {
		lock := request{"sts:AssumeRole", c.State.StateAccessRoleARN(env), nil}
		if !allowed(t, rolePolicies(t, doc, phase), lock) {
			t.Errorf("%s role may not assume %s with the S3 backend", phase, lock.Resource)
		}
		cloud := c.State
		cloud.Kind = config.BackendCloud
		if allowed(t, []policyDocument{deployPolicy(cloud, *c.DeployIdentities, env, phase)}, lock) {
			t.Errorf("%s role may assume %s under HCP Terraform, where state is not in the bucket", phase, lock.Resource)
		}
	}
}
