package config

import (
	"strings"
	"testing"
)

func TestPlaceholderAccountID(t *testing.T) {
	for id, want := range map[string]bool{"111111111111": true, "444444444444": true, "123456789012": false, "11111111111": false, "": false, "111111111112": false} {
		if got := PlaceholderAccountID(id); got != want {
			t.Errorf("PlaceholderAccountID(%q) = %v; want %v", id, got, want)
		}
	}
}

// TestPlaceholders: the warning names every setting that still holds a
// placeholder (the table's accounts by environment, the state account by
// its process variable), and is empty once real accounts are set.
func TestPlaceholders(t *testing.T) {
	real := func(c *Config) {
		for i := range c.Environments {
			c.Environments[i].AccountID = "12345678901" + string(rune('0'+i))
		}
		c.State.AccountID = "999999999990"
	}
	all := strings.Join(PermanentNames(), ", ")
	cases := []struct {
		name   string
		vars   map[string]string
		change func(*Config)
		want   []string
		absent []string
	}{
		{"defaults", nil, nil, []string{"AccountID (and the StateDeployPrincipals ARNs) of " + all, "FASTSHOP_STATE_ACCOUNT_ID (not set: default 444444444444)", "AWS account ID not allowed"}, nil},
		{"ephemeral counts as dev", map[string]string{VarEnvironments: "prod", VarSuffix: "pr-1"}, nil, []string{"of prod, dev in"}, []string{"pr-1"}},
		{"state account set to a placeholder", map[string]string{VarStateAccountID: "555555555555"}, nil, []string{"FASTSHOP_STATE_ACCOUNT_ID=555555555555"}, nil},
		{"cloud has no state account", map[string]string{VarStateBackend: BackendCloud, VarCloudOrganization: "acme", VarCloudProject: "fastshop"}, nil, []string{all}, []string{VarStateAccountID}},
		{"only the state account left", nil, func(c *Config) { real(c); c.State.AccountID = DefaultStateAccountID }, []string{VarStateAccountID}, []string{"environments.go"}},
		{"real accounts", nil, real, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := selectAndValidate(c.vars)
			if err != nil {
				t.Fatal(err)
			}
			if c.change != nil {
				c.change(&cfg)
			}
			got := cfg.Placeholders()
			if c.want == nil && got != "" {
				t.Errorf("warning %q; want none", got)
			}
			if strings.Contains(got, "\n") {
				t.Errorf("warning spans lines: %q", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("warning %q lacks %q", got, w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(got, a) {
					t.Errorf("warning %q names %q", got, a)
				}
			}
		})
	}
}
