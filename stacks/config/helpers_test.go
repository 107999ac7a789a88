package config

import (
	"errors"
	"testing"
)

// testSuffix is the ephemeral stack the tables also cover.
const testSuffix = "pr-482"

// testEnvironments are the permanent environments plus one ephemeral stack.
func testEnvironments() []Environment {
	return append(Environments(), Ephemeral(testSuffix))
}

// envOf returns a copy of a permanent environment by name.
func envOf(t *testing.T, name string) Environment {
	t.Helper()
	for _, e := range Environments() {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no environment %q", name)
	return Environment{}
}

// defaultState is the state backend Select reads with nothing set.
func defaultState() StateBackend {
	return StateBackend{Kind: BackendS3, Bucket: DefaultStateBucket, Region: DefaultStateRegion, AccountID: DefaultStateAccountID}
}

// validateEnv validates one environment with the default backend.
func validateEnv(e Environment) error { return validateSet([]Environment{e}) }

// validateSet validates environments together with the default backend.
func validateSet(envs []Environment) error {
	return Config{State: defaultState(), Environments: envs}.Validate()
}

// processEnv is a process environment holding only vars.
func processEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// selectAndValidate reads and validates as main does.
func selectAndValidate(vars map[string]string) (Config, error) {
	c, err := Select(processEnv(vars))
	return c, errors.Join(err, c.Validate())
}

// fieldErrors unwraps a joined error into its FieldErrors; the test fails
// on any other kind of error.
func fieldErrors(t *testing.T, err error) []*FieldError {
	t.Helper()
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range joined.Unwrap() {
				walk(e)
			}
			return
		}
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("%v is a %T, not a *FieldError", err, err)
		}
		out = append(out, fe)
	}
	if err != nil {
		walk(err)
	}
	return out
}

// hasField reports whether err holds a FieldError of env and field.
func hasField(t *testing.T, err error, env, field string) bool {
	t.Helper()
	for _, fe := range fieldErrors(t, err) {
		if fe.Environment == env && fe.Field == field {
			return true
		}
	}
	return false
}

// validateNamesOf is validateNames' problems alone.
func validateNamesOf(e Environment) []error {
	p := &problems{env: e.Name}
	e.validateNames(p)
	return p.errs
}
