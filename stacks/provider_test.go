package stacks

import (
	"fmt"
	"slices"
	"testing"
)

// providerGuardProblems walks every provider block of a synthesized stack
// (every provider type, every configuration, aliased or not) and reports
// each one whose allowed_account_ids is not exactly [account].
func providerGuardProblems(doc map[string]any, account string) []string {
	var problems []string
	providers, _ := doc["provider"].(map[string]any)
	if len(providers) == 0 {
		return []string{"no provider block"}
	}
	types := make([]string, 0, len(providers))
	for name := range providers {
		types = append(types, name)
	}
	slices.Sort(types)
	for _, name := range types {
		blocks, _ := providers[name].([]any)
		if len(blocks) == 0 {
			problems = append(problems, fmt.Sprintf("provider %s: no configuration", name))
		}
		for i, b := range blocks {
			block, _ := b.(map[string]any)
			ids, _ := block["allowed_account_ids"].([]any)
			if len(ids) != 1 || ids[0] != account {
				problems = append(problems, fmt.Sprintf("provider %s[%d] (alias %v): allowed_account_ids = %v; want [%s]", name, i, block["alias"], block["allowed_account_ids"], account))
			}
		}
	}
	return problems
}

// TestEveryProviderPinsItsAccount: the provider of every pipeline stack and
// every deploy identities stack may act only in its environment's AccountID
// (an ephemeral stack in dev's), and the state bootstrap's only in the state
// account, so credentials for
// another account stop at the provider ("AWS account ID not allowed").
func TestEveryProviderPinsItsAccount(t *testing.T) {
	for _, s := range synthAll(t) {
		for _, p := range providerGuardProblems(s.JSON, s.Env.AccountID) {
			t.Errorf("%s: %s", s.Env.Name, p)
		}
	}
	c, doc := synthBootstrap(t)
	for _, p := range providerGuardProblems(doc, c.State.AccountID) {
		t.Errorf("state-bootstrap: %s", p)
	}
	ic, docs := synthIdentities(t)
	for _, env := range ic.DeployIdentities.Environments {
		for _, p := range providerGuardProblems(docs[env.Name], env.AccountID) {
			t.Errorf("deploy identities of %s: %s", env.Name, p)
		}
	}
	if len(docs) == 0 {
		t.Error("no deploy identities stack synthesized")
	}
}

// TestProviderGuardProblemsFails: the walk finds a provider without the
// guard, with another account, and a second provider configuration that
// lacks it.
func TestProviderGuardProblemsFails(t *testing.T) {
	guarded := func() map[string]any {
		return map[string]any{"allowed_account_ids": []any{"123456789012"}, "region": "sa-east-1"}
	}
	cases := []struct {
		name string
		doc  map[string]any
	}{
		{"no provider", map[string]any{}},
		{"guard missing", map[string]any{"provider": map[string]any{"aws": []any{map[string]any{"region": "sa-east-1"}}}}},
		{"another account", map[string]any{"provider": map[string]any{"aws": []any{map[string]any{"allowed_account_ids": []any{"210987654321"}}}}}},
		{"two accounts", map[string]any{"provider": map[string]any{"aws": []any{map[string]any{"allowed_account_ids": []any{"123456789012", "210987654321"}}}}}},
		{"aliased provider without it", map[string]any{"provider": map[string]any{"aws": []any{guarded(), map[string]any{"alias": "us_east_1", "region": "us-east-1"}}}}},
		{"another provider type without it", map[string]any{"provider": map[string]any{"aws": []any{guarded()}, "awscc": []any{map[string]any{"region": "sa-east-1"}}}}},
	}
	for _, c := range cases {
		if got := providerGuardProblems(c.doc, "123456789012"); len(got) == 0 {
			t.Errorf("%s: no problem found in %v", c.name, c.doc)
		}
	}
	ok := map[string]any{"provider": map[string]any{"aws": []any{guarded()}}}
	if got := providerGuardProblems(ok, "123456789012"); len(got) != 0 {
		t.Errorf("guarded provider reported: %v", got)
	}
}
