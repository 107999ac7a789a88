// Package policies evaluates FastShop's policy pack: Rego policies that prove
// the LGPD controls Trivy does not check, on a Terraform plan (`terraform
// show -json`) or on a synthesized stack (cdk.tf.json).
//
// The Rego files, their data (fastshop/data.json) and policies.hcl form an
// HCP Terraform OPA policy set as they are. This package loads the same
// files the way HCP Terraform does (OPA bundle mode) and wraps a plan the
// same way ({"plan": <plan JSON>}), so one set of policies runs unchanged in
// both places.
package policies

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/rego"
)

// policySet is the HCP Terraform policy set: policies.hcl, the Rego files
// and the data document.
//
//go:embed policies.hcl fastshop/data.json rego/*.rego
var policySet embed.FS

// Kinds of document the pack evaluates.
const (
	KindPlan  = "plan"  // `terraform show -json` output
	KindStack = "stack" // Terraform JSON configuration (cdk.tf.json)
)

// Statuses of a result.
const (
	StatusPass = "pass"
	StatusFail = "fail"
	StatusWarn = "warn" // reported, does not fail (an allowed destroy)
	StatusSkip = "skip" // the control does not apply here
)

// Options are the operator's choices for one evaluation.
type Options struct {
	// AllowDestroy lets a plan delete or replace stateful resources; the
	// data-loss gate then reports them as warnings instead of failures.
	AllowDestroy bool
}

// Control is one control of the pack.
type Control struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Serves names the LGPD articles and AWS Security Hub controls the
	// control is evidence for.
	Serves []string `json:"serves"`
	// Policy is the Rego package (terraform.policies.<Policy>).
	Policy string `json:"policy"`
	// Input is the kind of document the control reads.
	Input string `json:"input"`
}

// Result is a control applied to one resource.
type Result struct {
	Control  string `json:"control"`
	Resource string `json:"resource"`
	Status   string `json:"status"`
	Message  string `json:"message"`
}

// Report is the outcome of evaluating one document.
type Report struct {
	Source      string    `json:"source"`
	Kind        string    `json:"kind"`
	Environment string    `json:"environment"`
	Controls    []Control `json:"controls"`
	Results     []Result  `json:"results"`
	// Deny are the messages HCP Terraform would show for the failed
	// policies (the policies' deny sets), in policy order.
	Deny []string `json:"deny"`
}

// Failed reports whether any control failed.
func (r *Report) Failed() bool {
	return len(r.Failures()) > 0
}

// Failures returns the failing results.
func (r *Report) Failures() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == StatusFail {
			out = append(out, res)
		}
	}
	return out
}

// Pack is the compiled policy pack.
type Pack struct {
	query rego.PreparedEvalQuery
}

// Load compiles the embedded policy set.
func Load(ctx context.Context) (*Pack, error) {
	loader, err := bundle.NewFSLoader(policySet)
	if err != nil {
		return nil, err
	}
	b, err := bundle.NewCustomReader(loader).WithSkipBundleVerification(true).Read()
	if err != nil {
		return nil, fmt.Errorf("reading the policy set: %w", err)
	}
	q, err := rego.New(
		rego.Query("data.terraform.policies"),
		rego.ParsedBundle("fastshop", &b),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("compiling the policy set: %w", err)
	}
	return &Pack{query: q}, nil
}

// Kind tells a plan from a Terraform JSON configuration, or returns an
// error for anything else.
func Kind(doc map[string]any) (string, error) {
	_, hasFormat := doc["format_version"]
	_, hasChanges := doc["resource_changes"]
	_, hasPlanned := doc["planned_values"]
	switch {
	case hasFormat && (hasChanges || hasPlanned):
		return KindPlan, nil
	case doc["resource"] != nil || doc["terraform"] != nil || doc["provider"] != nil:
		return KindStack, nil
	}
	return "", errors.New("neither a plan (terraform show -json) nor a Terraform JSON configuration (cdk.tf.json)")
}

// EvaluateFile reads path (a plan or a cdk.tf.json) and evaluates it as
// Evaluate does, with the path as its source.
func (p *Pack) EvaluateFile(ctx context.Context, path string, opts Options) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %w", path, err)
	}
	return p.Evaluate(ctx, path, doc, opts)
}

// Evaluate runs every control of the document's kind on doc (the decoded
// JSON of a plan or of a cdk.tf.json). source names the document in the
// report.
func (p *Pack) Evaluate(ctx context.Context, source string, doc map[string]any, opts Options) (*Report, error) {
	kind, err := Kind(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	input := map[string]any{
		// HCP Terraform's input document carries the plan as input.plan
		// (and run metadata as input.run).
		kind:       doc,
		"fastshop": map[string]any{"allow_destroy": opts.AllowDestroy},
	}
	rs, err := p.query.Eval(ctx, rego.EvalInput(input))
	if err != nil {
		return nil, fmt.Errorf("%s: evaluating the policies: %w", source, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("%s: the policies produced no result", source)
	}
	// Round-trip through JSON into typed values.
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return nil, err
	}
	var packages map[string]struct {
		InputKind   string                     `json:"input_kind"`
		Environment string                     `json:"environment"`
		Controls    map[string]json.RawMessage `json:"controls"`
		Results     []Result                   `json:"results"`
		Deny        []string                   `json:"deny"`
	}
	if err := json.Unmarshal(raw, &packages); err != nil {
		return nil, fmt.Errorf("%s: unexpected policy output: %w", source, err)
	}

	report := &Report{Source: source, Kind: kind}
	names := make([]string, 0, len(packages))
	for name := range packages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		pkg := packages[name]
		if pkg.InputKind != kind {
			continue
		}
		if pkg.Environment != "" {
			report.Environment = pkg.Environment
		}
		for id, rawControl := range pkg.Controls {
			var c Control
			if err := json.Unmarshal(rawControl, &c); err != nil {
				return nil, fmt.Errorf("%s: control %s: %w", source, id, err)
			}
			c.ID, c.Policy, c.Input = id, name, kind
			report.Controls = append(report.Controls, c)
		}
		failures := 0
		for _, res := range pkg.Results {
			if _, ok := pkg.Controls[res.Control]; !ok {
				return nil, fmt.Errorf("%s: policy %s reports undeclared control %s", source, name, res.Control)
			}
			if res.Status == StatusFail {
				failures++
			}
			report.Results = append(report.Results, res)
		}
		// deny is what HCP Terraform enforces; results is what the report
		// shows. They must agree, or the report would lie.
		if failures != len(pkg.Deny) {
			return nil, fmt.Errorf("%s: policy %s has %d failing results but %d deny messages", source, name, failures, len(pkg.Deny))
		}
		report.Deny = append(report.Deny, pkg.Deny...)
	}
	sort.Slice(report.Controls, func(i, j int) bool { return report.Controls[i].ID < report.Controls[j].ID })
	sort.SliceStable(report.Results, func(i, j int) bool {
		a, b := report.Results[i], report.Results[j]
		if a.Control != b.Control {
			return a.Control < b.Control
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Message < b.Message
	})
	return report, nil
}
