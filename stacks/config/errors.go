package config

import "fmt"

// FieldError is one configuration problem: which environment (empty for a
// process setting shared by every stack), which setting, the offending value
// and what would be accepted. Validate joins them with errors.Join, so a
// caller finds each with errors.As or by unwrapping.
type FieldError struct {
	Environment string
	Field       string
	Value       any
	Allowed     string
}

func (e *FieldError) Error() string {
	if e.Environment == "" {
		return fmt.Sprintf("setting %s = %v: %s", e.Field, e.Value, e.Allowed)
	}
	return fmt.Sprintf("environment %q: %s = %v: %s", e.Environment, e.Field, e.Value, e.Allowed)
}

// problems collects the FieldErrors of one environment.
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
