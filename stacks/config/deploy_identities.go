package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Process settings of the deploy identities: the OIDC provider and the plan
// and apply roles that Terraform runs assume in each workload account.
const (
	// VarDeployIdentities adds one deploy-identities-<env> stack per
	// permanent environment selected: on, or off (default).
	VarDeployIdentities = "FASTSHOP_DEPLOY_IDENTITIES"
	// VarDeployIdentitiesBackend chooses where those stacks keep their own
	// state, with the values and meaning of VarStateBootstrapBackend: s3
	// (default; the state bucket, at StateKey(<stack id>)) or local (a
	// stack's very first apply only, then terraform init -migrate-state).
	VarDeployIdentitiesBackend = "FASTSHOP_DEPLOY_IDENTITIES_BACKEND"
	// VarCloudProject names the HCP Terraform project that holds the
	// fastshop-<env> workspaces: the cloud backend puts them there, and
	// HCP Terraform's tokens carry it in their subject.
	VarCloudProject = "FASTSHOP_TFC_PROJECT"
	// VarOIDCIssuer is the issuer the deploy roles trust (default
	// HCPTerraformIssuer). Another issuer (a CI system's) needs
	// VarOIDCSubject too.
	VarOIDCIssuer = "FASTSHOP_OIDC_ISSUER"
	// VarOIDCAudience is the audience the roles require (default
	// HCPTerraformAudience).
	VarOIDCAudience = "FASTSHOP_OIDC_AUDIENCE"
	// VarOIDCSubject is the subject each role requires, with {workspace}
	// (fastshop-<env>) and {phase} (plan or apply) in it. Default: HCP
	// Terraform's subject for the organization and project.
	VarOIDCSubject = "FASTSHOP_OIDC_SUBJECT"
)

// HCP Terraform's workload identity defaults: its issuer and the audience
// its AWS integration requests (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE).
const (
	HCPTerraformIssuer   = "https://app.terraform.io"
	HCPTerraformAudience = "aws.workload.identity"
)

// Run phases: each gets its own role.
const (
	PhasePlan  = "plan"
	PhaseApply = "apply"
)

// Phases are the run phases, in the order the roles are created.
var Phases = []string{PhasePlan, PhaseApply}

// Placeholders of VarOIDCSubject.
const (
	subjectWorkspace = "{workspace}"
	subjectPhase     = "{phase}"
)

// DeployIdentitiesPrefix starts the id (and the state key) of every deploy
// identities stack.
const DeployIdentitiesPrefix = "deploy-identities-"

// BoundaryPolicyName is the managed policy every role the pipeline stacks
// create carries as its permissions boundary, and every role the apply role
// creates must carry.
const BoundaryPolicyName = "fastshop-workload-boundary"

// BoundaryPolicyARN is the boundary in account.
func BoundaryPolicyARN(accountID string) string {
	return fmt.Sprintf("arn:aws:iam::%s:policy/%s", accountID, BoundaryPolicyName)
}

// DeployRoleName is the role a run of phase assumes for an environment
// (an ephemeral stack is deployed by its base's roles' account, but has no
// roles of its own: DeployIdentities covers the permanent environments).
func (e Environment) DeployRoleName(phase string) string {
	return e.ResourceName("deploy-" + phase)
}

// DeployRoleARN is DeployRoleName in the environment's account.
func (e Environment) DeployRoleARN(phase string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", e.AccountID, e.DeployRoleName(phase))
}

// DeployPolicyName is part n (from 1) of the managed policies holding a
// deploy role's permissions.
func (e Environment) DeployPolicyName(phase string, n int) string {
	return e.ResourceName(fmt.Sprintf("deploy-%s-%d", phase, n))
}

// OIDC is the identity provider the deploy roles trust and what they
// require of its tokens.
type OIDC struct {
	// Issuer is the provider's URL (VarOIDCIssuer): https, a host and an
	// optional path, no port, query or trailing slash.
	Issuer string
	// Audience is the aud claim every role requires (VarOIDCAudience).
	Audience string
	// Subject is the sub claim with {workspace} and {phase} in it, each
	// exactly once (VarOIDCSubject); empty for HCP Terraform's form built
	// from Organization and Project.
	Subject string
	// Organization and Project are the HCP Terraform organization and
	// project (VarCloudOrganization, VarCloudProject), needed by HCP
	// Terraform's default subject.
	Organization string
	Project      string
}

// ConditionKey is the IAM condition key of a claim of this issuer's tokens
// (app.terraform.io:sub): the issuer without its scheme.
func (o OIDC) ConditionKey(claim string) string {
	return strings.TrimPrefix(o.Issuer, "https://") + ":" + claim
}

// SubjectOf is the sub claim of one run phase of one environment's
// workspace.
func (o OIDC) SubjectOf(e Environment, phase string) string {
	format := o.Subject
	if format == "" {
		format = hcpSubject(o.Organization, o.Project)
	}
	return strings.NewReplacer(subjectWorkspace, e.Workspace(), subjectPhase, phase).Replace(format)
}

// hcpSubject is HCP Terraform's sub claim with the placeholders
// (HCP Terraform docs, "Workload identity" > "Token structure"; the project
// part since projects arrived).
func hcpSubject(organization, project string) string {
	return "organization:" + organization + ":project:" + project + ":workspace:" + subjectWorkspace + ":run_phase:" + subjectPhase
}

// DeployIdentities is the configuration of the deploy-identities stacks:
// one per workload account, for the permanent environment living there.
type DeployIdentities struct {
	OIDC OIDC
	// Environments are the permanent environments selected, one stack
	// each. Ephemeral stacks live in dev's account and are deployed with
	// credentials there; they get no roles of their own.
	Environments []Environment
	// LocalState keeps each stack's own state in a local file, for its
	// first apply only (VarDeployIdentitiesBackend=local).
	LocalState bool
}

// StackID is the deploy identities stack of an environment's account.
func (DeployIdentities) StackID(e Environment) string { return DeployIdentitiesPrefix + e.Name }

// Values of VarDeployIdentities.
const (
	DeployIdentitiesOn  = "on"
	DeployIdentitiesOff = "off"
)

// HCP Terraform's naming rules (HCP Terraform docs, "Organizations" and
// "Projects": names of letters, digits, _ and -, 40 characters at most;
// project names may also hold inner spaces, as "Default Project" does).
var (
	projectPattern = regexp.MustCompile(`^[A-Za-z0-9_-]([A-Za-z0-9 _-]{0,38}[A-Za-z0-9_-])?$`)
	// audiencePattern keeps the audience printable, without the wildcards
	// a StringEquals would take literally and a reader would not.
	audiencePattern = regexp.MustCompile(`^[\x21-\x7E]{1,255}$`)
)

// selectDeployIdentities reads the deploy identities' settings; nil when
// VarDeployIdentities is off. Problems reading them go to p.
func selectDeployIdentities(getenv func(string) string, p *problems, c *Config) *DeployIdentities {
	switch v, _ := lookup(getenv, VarDeployIdentities); v {
	case "", DeployIdentitiesOff:
		if backend, set := lookup(getenv, VarDeployIdentitiesBackend); set {
			p.add(VarDeployIdentitiesBackend, backend, "only with %s=%s", VarDeployIdentities, DeployIdentitiesOn)
		}
		return nil
	case DeployIdentitiesOn:
	default:
		p.add(VarDeployIdentities, fmt.Sprintf("%q", v), "on or off (default)")
		return nil
	}
	d := &DeployIdentities{OIDC: OIDC{
		Issuer:       HCPTerraformIssuer,
		Audience:     HCPTerraformAudience,
		Organization: c.State.Organization,
		Project:      c.State.Project,
	}}
	for _, v := range []struct {
		name  string
		field *string
	}{{VarOIDCIssuer, &d.OIDC.Issuer}, {VarOIDCAudience, &d.OIDC.Audience}, {VarOIDCSubject, &d.OIDC.Subject}} {
		if value, ok := lookup(getenv, v.name); ok {
			*v.field = value
		}
	}
	switch backend, set := lookup(getenv, VarDeployIdentitiesBackend); {
	case !set, backend == BootstrapStateS3:
	case backend == BootstrapStateLocal:
		d.LocalState = true
	default:
		p.add(VarDeployIdentitiesBackend, backend, "s3 (default: the state bucket) or local (a stack's very first apply only)")
	}
	for _, e := range c.Environments {
		if e.Base == "" {
			d.Environments = append(d.Environments, e)
		}
	}
	return d
}

// validate reports every problem with the deploy identities' settings;
// state's own checks (the organization and project of the cloud backend)
// are not repeated.
func (d DeployIdentities) validate(state StateBackend) []error {
	p := &problems{}
	o := d.OIDC
	if u, err := url.Parse(o.Issuer); err != nil || u.Scheme != "https" || u.Host == "" || u.Port() != "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(o.Issuer, "/") || strings.ContainsAny(o.Issuer, "*?") {
		p.add(VarOIDCIssuer, o.Issuer, "the issuer's https URL: a host and an optional path, no port, query or trailing slash (IAM CreateOpenIDConnectProvider, Url)")
	}
	if !audiencePattern.MatchString(o.Audience) || strings.ContainsAny(o.Audience, "*?") {
		p.add(VarOIDCAudience, o.Audience, "the aud claim the roles require: 1 to 255 printable characters, no spaces or wildcards")
	}
	if o.Subject == "" {
		// HCP Terraform's subject names the organization and project.
		if o.Issuer != HCPTerraformIssuer {
			p.add(VarOIDCSubject, "", "required with an issuer other than %s: the sub claim with %s and %s in it", HCPTerraformIssuer, subjectWorkspace, subjectPhase)
		}
		if o.Organization == "" && state.Kind != BackendCloud {
			p.add(VarCloudOrganization, "", "required with %s=%s: the HCP Terraform organization the deploy roles trust (another issuer: set %s and %s instead)",
				VarDeployIdentities, DeployIdentitiesOn, VarOIDCIssuer, VarOIDCSubject)
		}
		if o.Project == "" && state.Kind != BackendCloud {
			p.add(VarCloudProject, "", "required with %s=%s: the HCP Terraform project of the fastshop-<env> workspaces", VarDeployIdentities, DeployIdentitiesOn)
		}
	} else {
		for _, ph := range []string{subjectWorkspace, subjectPhase} {
			if strings.Count(o.Subject, ph) != 1 {
				p.add(VarOIDCSubject, o.Subject, "%s exactly once (each role trusts one phase of one workspace)", ph)
			}
		}
		rest := strings.NewReplacer(subjectWorkspace, "", subjectPhase, "").Replace(o.Subject)
		if strings.ContainsAny(rest, "*?{}") || !audiencePattern.MatchString(strings.ReplaceAll(rest, " ", "x")+"x") {
			p.add(VarOIDCSubject, o.Subject, "printable characters besides %s and %s, no wildcards or other braces", subjectWorkspace, subjectPhase)
		}
	}
	if len(d.Environments) == 0 {
		p.add(VarEnvironments, "no permanent environment", "at least one permanent environment: each has a deploy identities stack")
	}
	// One OIDC provider per issuer per account: two environments in one
	// account would create it twice.
	for i, a := range d.Environments {
		for _, b := range d.Environments[:i] {
			if a.AccountID == b.AccountID {
				p.add("AccountID", a.AccountID, "environments %s and %s share an account; with %s=%s each permanent environment needs its own account (one OIDC provider per issuer per account)",
					b.Name, a.Name, VarDeployIdentities, DeployIdentitiesOn)
			}
		}
		rows := []DerivedName{{BoundaryPolicyName, ruleIAMPolicy}}
		for _, phase := range Phases {
			rows = append(rows, DerivedName{a.DeployRoleName(phase), ruleIAMRole}, DerivedName{a.DeployPolicyName(phase, 9), ruleIAMPolicy})
		}
		checkNames(p, "Name", a.Name, rows)
		if state.Kind == BackendS3 && !slices.Contains(a.StateDeployPrincipals, a.DeployRoleARN(PhaseApply)) {
			p.add("StateDeployPrincipals", a.StateDeployPrincipals, "environment %s: must list its apply role %s, which writes its state", a.Name, a.DeployRoleARN(PhaseApply))
		}
	}
	return p.errs
}

// validateProject checks an HCP Terraform project name.
func validateProject(p *problems, project string) {
	if !projectPattern.MatchString(project) {
		p.add(VarCloudProject, project, "the HCP Terraform project name: 1 to 40 letters, digits, _, - and inner spaces")
	}
}
