// Command policycheck runs FastShop's policy pack on Terraform plans
// (`terraform show -json` output) and synthesized stacks (cdk.tf.json) and
// prints a report per file: every control, the resources it looked at, pass
// or fail, and the LGPD article or Security Hub control it serves.
//
//	cd policies && go run ./cmd/policycheck [--allow-destroy] [--json] FILE...
//
// It exits 1 when any control fails, 2 when a file cannot be read or
// evaluated. --allow-destroy lets a plan delete or replace stateful
// resources (reported as WARN); use it only for a destroy you mean.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"fastshop/policies"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("policycheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	allowDestroy := flags.Bool("allow-destroy", false, "let the plan delete or replace stateful resources (reported as WARN, not FAIL)")
	asJSON := flags.Bool("json", false, "print the reports as JSON instead of text")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: policycheck [--allow-destroy] [--json] FILE...")
		fmt.Fprintln(stderr, "FILE is a plan (terraform show -json) or a synthesized stack (cdk.tf.json).")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return 2
	}

	ctx := context.Background()
	pack, err := policies.Load(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "policycheck:", err)
		return 2
	}
	var reports []*policies.Report
	for _, path := range flags.Args() {
		report, err := pack.EvaluateFile(ctx, path, policies.Options{AllowDestroy: *allowDestroy})
		if err != nil {
			fmt.Fprintln(stderr, "policycheck:", err)
			return 2
		}
		reports = append(reports, report)
	}

	failed := false
	for _, r := range reports {
		failed = failed || r.Failed()
		if !*asJSON {
			r.WriteText(stdout)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			fmt.Fprintln(stderr, "policycheck:", err)
			return 2
		}
	}
	if failed {
		fmt.Fprintln(stderr, "policycheck: controls failed")
		return 1
	}
	return 0
}
