package config

import (
	"regexp"
	"slices"
	"strings"
)

// Service principals that may run the producers and processors.
const (
	ServiceECSTasks = "ecs-tasks.amazonaws.com"
	ServiceLambda   = "lambda.amazonaws.com"
)

// assumeRoleServices are the service principals that may assume the
// producer and processor roles: containers on ECS and Lambda functions.
var assumeRoleServices = []string{ServiceECSTasks, ServiceLambda}

// deployRoleARN matches an IAM role ARN: account, optional path, name (IAM's
// character set for paths and role names, which has no wildcard).
var deployRoleARN = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$`)

// validateIdentities checks who may assume the producer and processor roles
// and who may reach the environment's state.
func (e Environment) validateIdentities(p *problems) {
	allowed := "allowed: " + strings.Join(assumeRoleServices, ", ")
	for _, f := range []struct {
		field      string
		principals []string
	}{{"ProducerPrincipals", e.ProducerPrincipals}, {"ProcessorPrincipals", e.ProcessorPrincipals}} {
		if len(f.principals) == 0 {
			p.add(f.field, f.principals, "at least one service principal; "+allowed)
		}
		for i, principal := range f.principals {
			switch {
			case !slices.Contains(assumeRoleServices, principal):
				p.add(f.field, principal, "not an allowed service principal; "+allowed)
			case slices.Contains(f.principals[:i], principal):
				p.add(f.field, principal, "listed twice")
			}
		}
	}
	validateDeployPrincipals(p, "StateDeployPrincipals", e.AccountID, e.StateDeployPrincipals)
}

// validateDeployPrincipals checks the roles a state-access role trusts: each
// an IAM role ARN in the environment's own account (the trust policy admits
// that account only), at least one, no wildcard, none twice. field names
// the setting in messages.
func validateDeployPrincipals(p *problems, field, accountID string, principals []string) {
	if len(principals) == 0 {
		p.add(field, principals, "at least one IAM role ARN of a deploy role in account "+accountID+" (arn:aws:iam::"+accountID+":role/<name>)")
	}
	for i, principal := range principals {
		m := deployRoleARN.FindStringSubmatch(principal)
		switch {
		case strings.ContainsAny(principal, "*?"):
			p.add(field, principal, "no wildcards: name each deploy role's ARN")
		case m == nil:
			p.add(field, principal, "an IAM role ARN, arn:aws:iam::<account>:role/[<path>/]<name> (name at most 64 of letters, digits and +=,.@_-)")
		case m[1] != accountID:
			p.add(field, principal, "a role in the environment's account "+accountID)
		case slices.Contains(principals[:i], principal):
			p.add(field, principal, "listed twice")
		}
	}
}
