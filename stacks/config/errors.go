package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// FieldError is one configuration problem: which environment (empty for a
// process setting shared by every stack), which setting, the offending value
// and what would be accepted. Validate joins them with errors.Join, so a
// caller finds each with errors.As or by unwrapping.
//
// Field is the setting as a user sets it: a process variable
// (FASTSHOP_STATE_BUCKET) for a process setting, a field of the
// environments table (AccountID, StateDeployPrincipals) for an environment,
// a setting of the state bootstrap for it; never a Go path.
type FieldError struct {
	Environment string
	Field       string
	Value       any
	Allowed     string
}

// Error reads `<where><field> = <value>: <allowed>`, or `<field> is not
// set: <allowed>` for an empty value; strings are quoted so that a blank or
// a trailing space shows.
func (e *FieldError) Error() string {
	where := ""
	switch e.Environment {
	case "":
	case BootstrapID:
		where = "state bootstrap: "
	default:
		where = fmt.Sprintf("environment %q: ", e.Environment)
	}
	if isUnset(e.Value) {
		return fmt.Sprintf("%s%s is not set: %s", where, e.Field, e.Allowed)
	}
	return fmt.Sprintf("%s%s = %s: %s", where, e.Field, formatValue(e.Value), e.Allowed)
}

// isUnset reports an empty string, nil, or an empty slice.
func isUnset(v any) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.String:
		return r.Len() == 0
	case reflect.Slice:
		return r.Len() == 0
	}
	return false
}

func formatValue(v any) string {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.String:
		return fmt.Sprintf("%q", r.String())
	case reflect.Slice:
		parts := make([]string, r.Len())
		for i := range parts {
			parts[i] = formatValue(r.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// problems collects the FieldErrors of one environment (env empty: the
// process settings; BootstrapID: the state bootstrap).
type problems struct {
	env  string
	errs []error
}

// add records a problem with field; allowed is a format for args.
func (p *problems) add(field string, value any, allowed string, args ...any) {
	if len(args) > 0 {
		allowed = fmt.Sprintf(allowed, args...)
	}
	p.errs = append(p.errs, &FieldError{p.env, field, value, allowed})
}

// inRange records a problem with field unless min <= value <= max; the
// allowed values read "<min> to <max> <unit>".
func (p *problems) inRange(field string, value, min, max int, unit string) {
	if value < min || value > max {
		p.add(field, value, "%d to %d %s", min, max, unit)
	}
}

// joinOnce joins errs, each problem once: two checks that reach the same
// setting with the same value and the same words (an environment's account
// checked as an environment and as a tenant of the state bucket) report it
// once.
func joinOnce(errs []error) error {
	var out []error
	seen := map[string]bool{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		if seen[err.Error()] {
			continue
		}
		seen[err.Error()] = true
		out = append(out, err)
	}
	return errors.Join(out...)
}
