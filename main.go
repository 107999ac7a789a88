// Command fastshop synthesizes FastShop's transaction pipeline as Terraform
// JSON: one stack per environment under cdktf.out/stacks/<env>.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/jsii-runtime-go"
	awsjsii "github.com/cdktf/cdktf-provider-aws-go/aws/v19/jsii"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/internal/assemblypages"
	"fastshop/stacks"
	"fastshop/stacks/config"
)

func main() {
	err := run(os.Getenv, "")
	// Close stops the node kernel and removes its temporary runtime folder.
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fastshop: refusing to synthesize:")
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run reads the configuration through getenv, validates all of it and,
// only if it is sound, synthesizes every selected environment. An empty
// outdir keeps cdktf's default (cdktf.out, or CDKTF_OUTDIR under the cdktf
// CLI).
func run(getenv func(string) string, outdir string) error {
	cfg, err := config.Select(getenv)
	if err := errors.Join(err, cfg.Validate()); err != nil {
		return err
	}
	releaseAssemblies()
	appConfig := &cdktf.AppConfig{}
	if outdir != "" {
		appConfig.Outdir = jsii.String(outdir)
	}
	app := cdktf.NewApp(appConfig)
	if cfg.Bootstrap != nil {
		stacks.NewStateBootstrap(app, cfg.State, *cfg.Bootstrap)
	}
	for _, env := range cfg.Environments {
		stacks.NewPipeline(app, cfg.State, env)
	}
	app.Synth()
	if *app.HclOutput() {
		// cdktf synth --hcl: cdktf's HCL renderer garbles parts.
		return stacks.RepairHCL(*app.Outdir())
	}
	return nil
}

// releaseAssemblies has the jsii kernel load the AWS provider (and cdktf and
// constructs) now rather than at the first resource, and then gives back the
// memory the program holds for their embedded tarballs, which nothing reads
// again (README.md, "Synth speed"). FASTSHOP_LAZY_PROVIDER_SKIP=tarball-pages
// keeps them, for comparisons.
func releaseAssemblies() {
	for _, part := range strings.Split(os.Getenv("FASTSHOP_LAZY_PROVIDER_SKIP"), ",") {
		if strings.TrimSpace(part) == "tarball-pages" {
			return
		}
	}
	awsjsii.Initialize()
	if _, err := assemblypages.Release(); err != nil {
		fmt.Fprintln(os.Stderr, "fastshop: the embedded jsii tarballs stay in memory (correct, uses more memory):", err)
	}
}
