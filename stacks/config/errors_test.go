package config

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// goPath matches what a message must not show: a Go path (State.Kind,
// Tenants.prod.AccountID) or an empty value printed as "= :".
var goPath = regexp.MustCompile(`\bState\.|\bTenants\b|\bBootstrap\.|= :|= ""|\(\)`)

// named returns the environment of envs with the given name, for changes
// that must not depend on the table's order.
func named(envs []Environment, name string) *Environment {
	for i := range envs {
		if envs[i].Name == name {
			return &envs[i]
		}
	}
	panic("no environment " + name)
}

// TestMessagesNameSettings covers every family of message: process
// settings, the environments table, the state bootstrap's tenants (rows of
// the table), derived names, the environments as a set. Each names the
// setting as the user sets it (a process variable, or a field of the
// environments table), says "not set" for a missing value, and states each
// problem once.
func TestMessagesNameSettings(t *testing.T) {
	fields := map[string]bool{}
	for _, v := range []string{VarSuffix, VarEnvironments, VarStateBackend, VarStateBucket, VarStateRegion, VarStateAccountID, VarCloudOrganization, VarStateBootstrapBackend,
		VarCloudProject, VarDeployIdentities, VarDeployIdentitiesBackend, VarOIDCIssuer, VarOIDCAudience, VarOIDCSubject} {
		fields[v] = true
	}
	for _, f := range reflect.VisibleFields(reflect.TypeOf(Environment{})) {
		fields[f.Name] = true
	}
	// The state bootstrap's own settings (constants beside its builder).
	for _, f := range []string{"NoncurrentVersionDays", "AbortIncompleteUploadDays", "AccessLogRetentionDays", "StateKeyAlias", "environments table"} {
		fields[f] = true
	}
	cases := []struct {
		name   string
		vars   map[string]string
		change func(envs []Environment)
		want   []string // fragments of the message, each expected once
	}{
		{"process setting malformed", map[string]string{VarSuffix: "PR 1"}, nil, []string{`ENVIRONMENT_SUFFIX = "PR 1": lowercase`}},
		{"process setting missing", map[string]string{VarStateBackend: BackendCloud}, nil, []string{"FASTSHOP_TFC_ORGANIZATION is not set:"}},
		{"process setting with no effect", map[string]string{VarCloudOrganization: "acme"}, nil, []string{`FASTSHOP_TFC_ORGANIZATION = "acme": has no effect with FASTSHOP_STATE_BACKEND=s3`}},
		{"state region", map[string]string{VarStateRegion: "us-east-1"}, nil, []string{`FASTSHOP_STATE_REGION = "us-east-1": a region of the residency allow-list (sa-east-1)`}},
		{"table field missing", nil, func(envs []Environment) { named(envs, Prod).Owner = "" }, []string{`environment "prod": Owner is not set:`}},
		{"table field out of range", nil, func(envs []Environment) { named(envs, Prod).CacheNodeCount = 9 }, []string{`environment "prod": CacheNodeCount = 9: 2 to 6 nodes`}},
		// The account is checked for the environment and again for the
		// state bucket's tenant: one message.
		{"tenant account, once", nil, func(envs []Environment) { named(envs, Prod).AccountID = "" }, []string{`environment "prod": AccountID is not set: 12 digits`}},
		{"tenant deploy roles, once", nil, func(envs []Environment) { named(envs, Staging).StateDeployPrincipals = nil }, []string{`environment "staging": StateDeployPrincipals is not set:`}},
		{"derived name of the suffix", map[string]string{VarSuffix: "pr-1"}, func(envs []Environment) {
			envs[len(envs)-1].Name = strings.Repeat("a", 30) // the ephemeral stack comes last
		}, []string{`ENVIRONMENT_SUFFIX = "` + strings.Repeat("a", 30) + `": at most 17 characters`}},
		{"environments as a set", nil, func(envs []Environment) { named(envs, Staging).VPCCIDR = named(envs, Dev).VPCCIDR }, []string{`environment "staging": VPCCIDR = "10.10.0.0/16": overlaps dev's`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Select(processEnv(c.vars))
			if c.change != nil {
				c.change(cfg.Environments)
				cfg.Bootstrap = newBootstrap(cfg.Environments, false)
				if cfg.State.Kind != BackendS3 {
					cfg.Bootstrap = nil
				}
			}
			err = joinOnce([]error{err, cfg.Validate()})
			if err == nil {
				t.Fatalf("accepted; want %q", c.want)
			}
			msg := err.Error()
			for _, w := range c.want {
				if n := strings.Count(msg, w); n != 1 {
					t.Errorf("message holds %q %d times; want once:\n%s", w, n, msg)
				}
			}
			if goPath.MatchString(msg) {
				t.Errorf("message shows a Go path or an empty value (%q):\n%s", goPath.FindString(msg), msg)
			}
			for _, fe := range fieldErrors(t, err) {
				if !fields[fe.Field] {
					t.Errorf("field %q is neither a process variable nor a field of the environments table: %v", fe.Field, fe)
				}
			}
		})
	}
}

// TestModeSettings: a setting only the other state backend reads is
// refused, one case per row of modeSettings, and the same setting with its
// own backend is accepted.
func TestModeSettings(t *testing.T) {
	values := map[string]string{VarStateBucket: "acme-tf-state", VarStateRegion: "sa-east-1", VarStateAccountID: "555555555555",
		VarStateBootstrapBackend: BootstrapStateLocal, VarCloudOrganization: "acme", VarCloudProject: "fastshop"}
	for _, m := range modeSettings {
		t.Run(m.name, func(t *testing.T) {
			other := BackendCloud
			if m.backend == BackendCloud {
				other = BackendS3
			}
			own := map[string]string{VarStateBackend: m.backend, m.name: values[m.name]}
			if m.backend == BackendCloud {
				own[VarCloudOrganization], own[VarCloudProject] = "acme", "fastshop"
			}
			if _, err := selectAndValidate(own); err != nil {
				t.Errorf("%v refused: %v", own, err)
			}
			wrong := map[string]string{VarStateBackend: other, m.name: values[m.name]}
			if other == BackendCloud {
				wrong[VarCloudOrganization], wrong[VarCloudProject] = "acme", "fastshop"
			}
			_, err := selectAndValidate(wrong)
			requireError(t, "with "+other, err, wantError{field: m.name, value: values[m.name], allowed: "has no effect with " + VarStateBackend + "=" + other})
		})
	}
	if len(modeSettings) < 5 {
		t.Errorf("modeSettings has %d rows; every setting of one backend belongs there", len(modeSettings))
	}
}
