package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
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
	return hasError(t, err, wantError{env: env, field: field})
}

// wantError is a FieldError a refusal must hold. Environment and Field are
// always compared; Value when it is not nil (a typed nil such as
// []string(nil) is compared); allowed, when set, must be part of Allowed,
// which tells apart the checks of one field (a value outside the bounds,
// below prod's baseline, relaxed without a Relaxations entry).
type wantError struct {
	env, field string
	value      any
	allowed    string
}

func (w wantError) String() string {
	s := fmt.Sprintf("environment %q, field %s", w.env, w.field)
	if w.value != nil {
		s += fmt.Sprintf(", value %#v", w.value)
	}
	if w.allowed != "" {
		s += fmt.Sprintf(", allowed containing %q", w.allowed)
	}
	return s
}

// matches reports whether fe is the wanted error.
func (w wantError) matches(fe *FieldError) bool {
	return fe.Environment == w.env && fe.Field == w.field &&
		(w.value == nil || reflect.DeepEqual(fe.Value, w.value)) &&
		strings.Contains(fe.Allowed, w.allowed)
}

// hasError reports whether err holds the wanted FieldError.
func hasError(t *testing.T, err error, w wantError) bool {
	t.Helper()
	for _, fe := range fieldErrors(t, err) {
		if w.matches(fe) {
			return true
		}
	}
	return false
}

// requireError fails the test unless err holds the wanted FieldError; what
// names the input for the message.
func requireError(t *testing.T, what string, err error, w wantError) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted; want a FieldError with %s", what, w)
		return
	}
	if !hasError(t, err, w) {
		t.Errorf("%s: no FieldError with %s; got:\n%v", what, w, err)
	}
}

// validateNamesOf is validateNames' problems alone.
func validateNamesOf(e Environment) []error {
	p := &problems{env: e.Name}
	e.validateNames(p)
	return p.errs
}
