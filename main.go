// Command fastshop synthesizes FastShop's transaction pipeline as Terraform
// JSON: one stack per environment under cdktf.out/stacks/<env>.
package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"
	awsjsii "github.com/cdktf/cdktf-provider-aws-go/aws/v19/jsii"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/internal/assemblypages"
	"fastshop/internal/lazyprovider"
	"fastshop/internal/nodecheck"
	"fastshop/internal/stackdirs"
	"fastshop/stacks"
	"fastshop/stacks/config"
)

// helpText is the help file at the top of the repository: `cat help` and
// `go run main.go --help` print the same text.
//
//go:embed help
var helpText string

// Exit codes: 0 after a synth or the help, 1 when the configuration, the
// node runtime or the output folder is refused, 2 for arguments (the
// program takes none but -h/--help).
const (
	exitRefused = 1
	exitUsage   = 2
)

func main() {
	err := run(os.Args[1:], os.Getenv, "", os.Stdout, os.Stderr)
	// Close stops the node kernel and removes its temporary runtime folder.
	jsii.Close()
	var usage usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "fastshop:", err)
		os.Exit(exitUsage)
	case err != nil:
		fmt.Fprintln(os.Stderr, "fastshop: refusing to synthesize:")
		fmt.Fprintln(os.Stderr, err)
		os.Exit(exitRefused)
	}
}

// usageError is a refused command line.
type usageError string

func (e usageError) Error() string { return string(e) }

// run reads the configuration through getenv, validates all of it and,
// only if it is sound, synthesizes every selected environment; args are the
// command-line arguments (only -h or --help, which print the help to
// stdout). Warnings go to stderr. An empty outdir keeps cdktf's default
// (cdktf.out, or CDKTF_OUTDIR under the cdktf CLI). After a synth the
// output's stacks folder holds exactly the stacks synthesized.
func run(args []string, getenv func(string) string, outdir string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		if slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0]) && len(args) == 1 {
			_, err := io.WriteString(stdout, helpText)
			return err
		}
		return refuseArgs(args)
	}
	cfg, err := config.Select(getenv)
	// The node the kernel runs on, as the user gave it (not the launcher).
	if err := errors.Join(err, cfg.Validate(), nodecheck.Check(lazyprovider.Getenv(getenv))); err != nil {
		return err
	}
	if w := cfg.Placeholders(); w != "" {
		fmt.Fprintln(stderr, "fastshop: warning:", w)
	}
	releaseAssemblies()
	appConfig := &cdktf.AppConfig{}
	if outdir != "" {
		appConfig.Outdir = jsii.String(outdir)
	}
	app := cdktf.NewApp(appConfig)
	stale, err := stackdirs.Stale(*app.Outdir(), cfg.StackIDs())
	if err != nil {
		return err
	}
	if cfg.Bootstrap != nil {
		stacks.NewStateBootstrap(app, cfg.State, *cfg.Bootstrap)
	}
	if d := cfg.DeployIdentities; d != nil {
		for _, env := range d.Environments {
			stacks.NewDeployIdentities(app, cfg.State, *d, env)
		}
	}
	for _, env := range cfg.Environments {
		stacks.NewPipeline(app, cfg.State, env)
	}
	app.Synth()
	if err := stackdirs.Remove(stale); err != nil {
		return err
	}
	if *app.HclOutput() {
		// cdktf synth --hcl: cdktf's HCL renderer garbles parts.
		return stacks.RepairHCL(*app.Outdir())
	}
	return nil
}

// refuseArgs explains that settings are process variables: an environment
// name as an argument becomes FASTSHOP_ENVIRONMENTS, a NAME=value argument
// moves before the command.
func refuseArgs(args []string) error {
	msg := fmt.Sprintf("takes no arguments (got %q); settings are process variables", strings.Join(args, " "))
	var envs []string
	for _, a := range args {
		if slices.Contains(config.PermanentNames(), a) {
			envs = append(envs, a)
		}
	}
	switch {
	case len(envs) > 0:
		msg += fmt.Sprintf(": %s=%s go run main.go", config.VarEnvironments, strings.Join(envs, ","))
	case strings.Contains(args[0], "="):
		msg += fmt.Sprintf(": %s go run main.go", strings.Join(args, " "))
	}
	return usageError(msg + "\n  go run main.go --help (or cat help) lists them")
}

// releaseAssemblies has the jsii kernel load the AWS provider (and cdktf and
// constructs) now rather than at the first resource, and then gives back the
// memory the program holds for their embedded tarballs, which nothing reads
// again (internal/lazyprovider/README.md). FASTSHOP_LAZY_PROVIDER_SKIP=tarball-pages
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
