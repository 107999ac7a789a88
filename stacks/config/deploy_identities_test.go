package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// identitiesOn is the least a deploy-identities synth needs with HCP
// Terraform as the issuer.
var identitiesOn = map[string]string{VarDeployIdentities: DeployIdentitiesOn, VarCloudOrganization: "acme", VarCloudProject: "fastshop"}

// with returns identitiesOn changed by kv pairs (an empty value unsets).
func with(kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range identitiesOn {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
		} else {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

// TestSelectDeployIdentities reads the settings: off by default, HCP
// Terraform's issuer, audience and subject by default, another issuer one
// setting set away, and a bootstrap (the stacks' state bucket) whatever the
// environments' backend.
func TestSelectDeployIdentities(t *testing.T) {
	if c, err := selectAndValidate(nil); err != nil || c.DeployIdentities != nil {
		t.Fatalf("defaults: %v, %+v; want no deploy identities", err, c.DeployIdentities)
	}
	all := strings.Join(PermanentNames(), ",")
	cases := []struct {
		name             string
		vars             map[string]string
		envs             string
		subject, condKey string
		local            bool
	}{
		{"HCP Terraform", identitiesOn, all,
			"organization:acme:project:fastshop:workspace:fastshop-prod:run_phase:apply", "app.terraform.io:sub", false},
		{"ephemeral stacks get none", with(VarSuffix, "pr-482"), all,
			"organization:acme:project:fastshop:workspace:fastshop-prod:run_phase:apply", "app.terraform.io:sub", false},
		{"subset, first apply", with(VarEnvironments, "prod", VarDeployIdentitiesBackend, BootstrapStateLocal), "prod",
			"organization:acme:project:fastshop:workspace:fastshop-prod:run_phase:apply", "app.terraform.io:sub", true},
		{"with the cloud backend", with(VarStateBackend, BackendCloud), all,
			"organization:acme:project:fastshop:workspace:fastshop-prod:run_phase:apply", "app.terraform.io:sub", false},
		{"another issuer", with(VarCloudOrganization, "", VarCloudProject, "", VarOIDCIssuer, "https://token.actions.githubusercontent.com",
			VarOIDCAudience, "sts.amazonaws.com", VarOIDCSubject, "repo:acme/fastshop:environment:{workspace}-{phase}"), all,
			"repo:acme/fastshop:environment:fastshop-prod-apply", "token.actions.githubusercontent.com:sub", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := selectAndValidate(c.vars)
			if err != nil || cfg.DeployIdentities == nil {
				t.Fatalf("%v: %v; want deploy identities", c.vars, err)
			}
			d := cfg.DeployIdentities
			var names []string
			for _, e := range d.Environments {
				names = append(names, e.Name)
			}
			prod := envOf(t, Prod)
			if got := strings.Join(names, ","); got != c.envs {
				t.Errorf("deploy identities for %s; want %s", got, c.envs)
			}
			if got := d.OIDC.SubjectOf(prod, PhaseApply); got != c.subject {
				t.Errorf("prod apply subject %s; want %s", got, c.subject)
			}
			if got := d.OIDC.ConditionKey("sub"); got != c.condKey {
				t.Errorf("condition key %s; want %s", got, c.condKey)
			}
			if d.LocalState != c.local {
				t.Errorf("LocalState %v; want %v", d.LocalState, c.local)
			}
			if cfg.Bootstrap == nil {
				t.Errorf("no state bootstrap: the deploy identities keep their state in its bucket")
			}
			// main keeps the folders of StackIDs and removes the others.
			for _, e := range d.Environments {
				if !slices.Contains(cfg.StackIDs(), d.StackID(e)) {
					t.Errorf("StackIDs %v lacks %s: main would remove its folder", cfg.StackIDs(), d.StackID(e))
				}
			}
		})
	}
}

// TestDeployIdentitiesRefuse breaks one setting at a time; each refusal
// names the process variable (or the environment field) and what is
// allowed.
func TestDeployIdentitiesRefuse(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		want wantError
	}{
		{"unknown switch", with(VarDeployIdentities, "yes"), wantError{field: VarDeployIdentities, value: `"yes"`, allowed: "on or off"}},
		{"backend without identities", map[string]string{VarDeployIdentitiesBackend: "local"}, wantError{field: VarDeployIdentitiesBackend, allowed: "only with"}},
		{"unknown backend", with(VarDeployIdentitiesBackend, "gcs"), wantError{field: VarDeployIdentitiesBackend, value: "gcs", allowed: "s3 (default"}},
		{"no organization", with(VarCloudOrganization, ""), wantError{field: VarCloudOrganization, value: "", allowed: "required with FASTSHOP_DEPLOY_IDENTITIES=on"}},
		{"no project", with(VarCloudProject, ""), wantError{field: VarCloudProject, value: "", allowed: "required with FASTSHOP_DEPLOY_IDENTITIES=on"}},
		{"cloud backend without organization: one message", with(VarStateBackend, BackendCloud, VarCloudOrganization, ""),
			wantError{field: VarCloudOrganization, value: "", allowed: "FASTSHOP_STATE_BACKEND=cloud"}},
		{"bad organization", with(VarCloudOrganization, "acme corp"), wantError{field: VarCloudOrganization, value: "acme corp"}},
		{"http issuer", with(VarOIDCIssuer, "http://app.terraform.io"), wantError{field: VarOIDCIssuer, value: "http://app.terraform.io", allowed: "https URL"}},
		{"issuer with a port", with(VarOIDCIssuer, "https://tfe.example.com:8443"), wantError{field: VarOIDCIssuer, allowed: "no port"}},
		{"issuer with a slash", with(VarOIDCIssuer, "https://tfe.example.com/"), wantError{field: VarOIDCIssuer, allowed: "trailing slash"}},
		{"other issuer, no subject", with(VarOIDCIssuer, "https://tfe.example.com"), wantError{field: VarOIDCSubject, value: "", allowed: "required with an issuer other than"}},
		{"wildcard audience", with(VarOIDCAudience, "*"), wantError{field: VarOIDCAudience, value: "*", allowed: "no spaces or wildcards"}},
		{"subject without phase", with(VarOIDCSubject, "org:acme:workspace:{workspace}"), wantError{field: VarOIDCSubject, allowed: "{phase} exactly once"}},
		{"subject with two workspaces", with(VarOIDCSubject, "{workspace}:{workspace}:{phase}"), wantError{field: VarOIDCSubject, allowed: "{workspace} exactly once"}},
		{"subject with a wildcard", with(VarOIDCSubject, "org:*:{workspace}:{phase}"), wantError{field: VarOIDCSubject, allowed: "no wildcards"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := selectAndValidate(c.vars)
			requireError(t, fmt.Sprintf("Select(%v)", c.vars), err, c.want)
			if c.name == "cloud backend without organization: one message" {
				n := 0
				for _, fe := range fieldErrors(t, err) {
					if fe.Field == VarCloudOrganization {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d messages about %s; want one", n, VarCloudOrganization)
				}
			}
		})
	}
}

// TestDeployIdentitiesEnvironmentChecks: two environments in one account
// would create the OIDC provider twice, and an apply role missing from
// StateDeployPrincipals could not write its state.
func TestDeployIdentitiesEnvironmentChecks(t *testing.T) {
	base, err := Select(processEnv(identitiesOn))
	if err != nil {
		t.Fatal(err)
	}
	if err := base.Validate(); err != nil {
		t.Fatalf("default deploy identities refused: %v", err)
	}
	shared := base
	d := *base.DeployIdentities
	d.Environments = slices.Clone(d.Environments)
	d.Environments[1].AccountID = d.Environments[0].AccountID
	shared.DeployIdentities = &d
	requireError(t, "shared account", shared.Validate(), wantError{field: "AccountID", value: d.Environments[0].AccountID, allowed: "share an account"})

	missing := base
	d2 := *base.DeployIdentities
	d2.Environments = slices.Clone(d2.Environments)
	d2.Environments[2].StateDeployPrincipals = []string{d2.Environments[2].DeployRoleARN(PhasePlan)}
	missing.DeployIdentities = &d2
	requireError(t, "apply role not trusted by the state role", missing.Validate(), wantError{field: "StateDeployPrincipals", allowed: "must list its apply role"})
}

// TestStateDeployPrincipalsAreDeployRoles: the table's defaults are the
// deploy identities' plan and apply roles, so the state-access roles trust
// exactly what deploy-identities-<env> creates.
func TestStateDeployPrincipalsAreDeployRoles(t *testing.T) {
	for _, e := range Environments() {
		want := []string{e.DeployRoleARN(PhasePlan), e.DeployRoleARN(PhaseApply)}
		if !slices.Equal(e.StateDeployPrincipals, want) {
			t.Errorf("%s: StateDeployPrincipals %v; want the deploy roles %v", e.Name, e.StateDeployPrincipals, want)
		}
	}
}
