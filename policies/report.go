package policies

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints the report for people: every control with its title and
// what it serves, then one line per resource with PASS, FAIL, WARN or SKIP,
// and a summary line.
func (r *Report) WriteText(w io.Writer) {
	env := r.Environment
	if env == "" {
		env = "unknown"
	}
	fmt.Fprintf(w, "== %s (%s, environment %s)\n", r.Source, kindName(r.Kind), env)
	counts := map[string]int{}
	for _, c := range r.Controls {
		fmt.Fprintf(w, "%s  %s\n        serves: %s\n", c.ID, c.Title, strings.Join(c.Serves, "; "))
		n := 0
		for _, res := range r.Results {
			if res.Control != c.ID {
				continue
			}
			n++
			counts[res.Status]++
			fmt.Fprintf(w, "  %-4s  %s: %s\n", strings.ToUpper(res.Status), res.Resource, res.Message)
		}
		if n == 0 {
			counts[StatusSkip]++
			fmt.Fprintf(w, "  %-4s  no resource in scope\n", "SKIP")
		}
	}
	verdict := "PASSED"
	if r.Failed() {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "%s: %s — %d pass, %d fail, %d warn, %d skip\n\n",
		r.Source, verdict, counts[StatusPass], counts[StatusFail], counts[StatusWarn], counts[StatusSkip])
}

func kindName(kind string) string {
	if kind == KindPlan {
		return "Terraform plan"
	}
	return "Terraform JSON stack"
}
