package config

import (
	"fmt"
	"slices"
	"strings"
)

// The account guard: every stack's AWS provider pins allowed_account_ids to
// the one account it may act in (stacks/provider.go): an environment's
// AccountID, the state bootstrap's FASTSHOP_STATE_ACCOUNT_ID.

// PlaceholderAccountID reports an account id that stands in for a real one:
// twelve times the same digit, as the environments table and
// DefaultStateAccountID ship with (111111111111 ... 444444444444). No one's
// credentials reach such an account, so a stack that still names one cannot
// be planned or applied (the provider answers "AWS account ID not allowed").
func PlaceholderAccountID(id string) bool {
	return accountIDPattern.MatchString(id) && strings.Count(id, id[:1]) == len(id)
}

// Placeholders returns one line naming every setting of this configuration
// that still holds a placeholder account id, and what to set, or "" when
// there is none. main prints it as a warning on every synth: the output is
// fine for tests and offline checks, and any plan against AWS stops at the
// account guard until the real accounts are set.
func (c Config) Placeholders() string {
	var envs []string
	for _, e := range c.Environments {
		name := e.Name
		if e.Base != "" {
			name = e.Base
		}
		if PlaceholderAccountID(e.AccountID) && !slices.Contains(envs, name) {
			envs = append(envs, name)
		}
	}
	var parts []string
	if len(envs) > 0 {
		parts = append(parts, fmt.Sprintf("AccountID (and the StateDeployPrincipals ARNs) of %s in stacks/config/environments.go", strings.Join(envs, ", ")))
	}
	if c.State.Kind == BackendS3 && PlaceholderAccountID(c.State.AccountID) {
		if c.State.AccountID == DefaultStateAccountID {
			parts = append(parts, fmt.Sprintf("%s (not set: default %s)", VarStateAccountID, DefaultStateAccountID))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%s", VarStateAccountID, c.State.AccountID))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "placeholder AWS account ids in " + strings.Join(parts, " and ") +
		": set the real accounts before deploying (until then every plan against AWS stops with \"AWS account ID not allowed\")"
}
