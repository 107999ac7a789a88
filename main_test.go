package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"fastshop/internal/jsondoc"
	"fastshop/stacks/config"
)

// runMainEnv makes the test binary run main instead of the tests, with the
// arguments after "--": TestMainExits drives the program as a user does
// (exit status, stderr, the init functions that start the jsii runtime).
const runMainEnv = "FASTSHOP_TEST_RUN_MAIN"

// TestMain stops the jsii kernel after the tests so that its temporary
// runtime folder does not outlive the test binary.
func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{os.Args[0]}, os.Args[i+1:]...)
				break
			}
		}
		main()
		os.Exit(0)
	}
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// getenv is a process environment holding vars, and the real PATH and
// JSII_NODE, which find the node the jsii runtime already started with.
func getenv(vars map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		if k == "PATH" || k == "JSII_NODE" {
			return os.Getenv(k)
		}
		return ""
	}
}

// synth runs the program as main does, with no arguments, into outdir.
func synth(vars map[string]string, outdir string) error {
	return run(nil, getenv(vars), outdir, io.Discard, io.Discard)
}

// TestRunSynthesizesEveryEnvironment drives run as main does.
func TestRunSynthesizesEveryEnvironment(t *testing.T) {
	outdir := filepath.Join(t.TempDir(), "cdktf.out")
	if err := synth(map[string]string{"ENVIRONMENT_SUFFIX": "pr-7"}, outdir); err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, stack := range append(config.PermanentNames(), "pr-7", config.BootstrapID) {
		path := filepath.Join(outdir, "stacks", stack, "cdk.tf.json")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("stack %s not synthesized: %v", stack, err)
			continue
		}
		if !strings.Contains(string(data), `"key": "fastshop/`+stack+`/terraform.tfstate"`) {
			t.Errorf("stack %s: state key is not fastshop/%s/terraform.tfstate", stack, stack)
		}
	}
}

// TestRunStateOverridesReachEveryStack: FASTSHOP_STATE_BUCKET,
// FASTSHOP_STATE_REGION and FASTSHOP_STATE_ACCOUNT_ID reach, through run as
// main calls it, both the state bootstrap (the bucket it creates, its
// region, the one account its provider may act in) and every pipeline
// stack's backend, which also names the bootstrap's key alias and assumes
// a role in that account. (The residency allow-list holds one region, so
// the region override can only repeat it.) The defaults' match
// is stacks TestStateBootstrapMatchesBackends.
func TestRunStateOverridesReachEveryStack(t *testing.T) {
	vars := map[string]string{"ENVIRONMENT_SUFFIX": "pr-7", "FASTSHOP_STATE_BUCKET": "acme-tf-state-e2e", "FASTSHOP_STATE_REGION": "sa-east-1", "FASTSHOP_STATE_ACCOUNT_ID": "555555555555"}
	outdir := filepath.Join(t.TempDir(), "cdktf.out")
	if err := synth(vars, outdir); err != nil {
		t.Fatalf("run(%v): %v", vars, err)
	}
	read := func(stack string) map[string]any {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(outdir, "stacks", stack, "cdk.tf.json"))
		if err != nil {
			t.Fatalf("stack %s not synthesized: %v", stack, err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("stack %s: %v", stack, err)
		}
		return doc
	}
	bootstrap := read(config.BootstrapID)
	bucket := jsondoc.At(bootstrap, "resource", "aws_s3_bucket", "terraform_state", "bucket")
	region := jsondoc.At(bootstrap, "provider", "aws", 0, "region")
	alias := jsondoc.At(bootstrap, "resource", "aws_kms_alias", "state_key", "name")
	accounts := jsondoc.At(bootstrap, "provider", "aws", 0, "allowed_account_ids")
	if bucket != "acme-tf-state-e2e" || region != "sa-east-1" || alias == nil || !reflect.DeepEqual(accounts, []any{"555555555555"}) {
		t.Errorf("bootstrap ignores the overrides: bucket %v in %v, key alias %v, allowed accounts %v", bucket, region, alias, accounts)
	}
	for _, stack := range append(config.PermanentNames(), "pr-7") {
		backend := jsondoc.At(read(stack), "terraform", "backend", "s3")
		role, _ := jsondoc.At(backend, "assume_role", "role_arn").(string)
		if jsondoc.At(backend, "bucket") != bucket || jsondoc.At(backend, "region") != region || jsondoc.At(backend, "kms_key_id") != alias ||
			!strings.HasPrefix(role, "arn:aws:iam::555555555555:role/") {
			t.Errorf("%s: backend %v; bootstrap creates %v in %v with %v", stack, backend, bucket, region, alias)
		}
	}
}

// TestRunArguments: the program takes no arguments but -h/--help, which
// print the help file; anything else is refused as a usage error that says
// which process variable to set, and nothing is written.
func TestRunArguments(t *testing.T) {
	cases := []struct {
		args []string
		help bool
		want []string
	}{
		{[]string{"--help"}, true, nil},
		{[]string{"-h"}, true, nil},
		{[]string{"prod"}, false, []string{"takes no arguments", "FASTSHOP_ENVIRONMENTS=prod go run main.go"}},
		{[]string{"dev", "staging"}, false, []string{"FASTSHOP_ENVIRONMENTS=dev,staging go run main.go"}},
		{[]string{"ENVIRONMENT_SUFFIX=pr-1"}, false, []string{"ENVIRONMENT_SUFFIX=pr-1 go run main.go"}},
		{[]string{"--verbose"}, false, []string{"takes no arguments", "--help"}},
		{[]string{"--help", "prod"}, false, []string{"takes no arguments"}},
	}
	help, err := os.ReadFile("help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			outdir := filepath.Join(t.TempDir(), "cdktf.out")
			var stdout strings.Builder
			err := run(c.args, getenv(nil), outdir, &stdout, io.Discard)
			if c.help {
				if err != nil || stdout.String() != string(help) {
					t.Errorf("run(%q): %v; printed %d bytes, want the help file (%d bytes)", c.args, err, stdout.Len(), len(help))
				}
			} else {
				var usage usageError
				if !errors.As(err, &usage) {
					t.Fatalf("run(%q) = %v; want a usage error", c.args, err)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("run(%q): message lacks %q: %v", c.args, w, err)
					}
				}
			}
			if _, statErr := os.Stat(outdir); !os.IsNotExist(statErr) {
				t.Errorf("run(%q) wrote %s", c.args, outdir)
			}
		})
	}
}

// TestMainExits runs the program as a user does (this test binary runs
// main; see TestMain) and checks its exit status and stderr: help exits 0,
// an argument 2, bad settings 1 with every problem named, a missing or old
// node 1 with a message naming what to install, never a panic; nothing is
// written.
func TestMainExits(t *testing.T) {
	noNode := t.TempDir()
	oldNode := t.TempDir()
	if err := os.WriteFile(filepath.Join(oldNode, "node"), []byte("#!/bin/sh\necho v20.20.2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		env    []string
		status int
		want   []string
	}{
		{"help", []string{"--help"}, nil, 0, nil},
		{"argument", []string{"prod"}, nil, exitUsage, []string{"FASTSHOP_ENVIRONMENTS=prod"}},
		// The one end-to-end refusal of bad settings; which settings are
		// refused, and how each message reads, is stacks/config's to test.
		{"bad settings", nil, []string{"ENVIRONMENT_SUFFIX=prod", "FASTSHOP_STATE_BUCKET=Bad_Bucket"}, exitRefused, []string{"ENVIRONMENT_SUFFIX", "must differ", "FASTSHOP_STATE_BUCKET", "Bad_Bucket"}},
		{"no node", nil, []string{"PATH=" + noNode, "JSII_NODE="}, exitRefused, []string{"node is not on PATH (and JSII_NODE is not set): install Node.js 24 LTS (or 22 LTS)"}},
		{"old node on PATH", nil, []string{"PATH=" + oldNode, "JSII_NODE="}, exitRefused, []string{"is Node.js v20.20.2, older than 22"}},
		{"old node in JSII_NODE", nil, []string{"JSII_NODE=" + filepath.Join(oldNode, "node")}, exitRefused, []string{"set JSII_NODE to its node binary"}},
		{"JSII_NODE missing", nil, []string{"JSII_NODE=" + filepath.Join(noNode, "node")}, exitRefused, []string{"JSII_NODE = "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, c.args...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), append([]string{runMainEnv + "=1"}, c.env...)...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				status = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != c.status {
				t.Errorf("exit status %d; want %d\nstderr: %s", status, c.status, stderr.String())
			}
			for _, w := range c.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			for _, bad := range []string{"panic", "goroutine "} {
				if strings.Contains(stderr.String(), bad) {
					t.Errorf("stderr shows a Go %s:\n%s", bad, stderr.String())
				}
			}
			if c.name == "help" && !strings.Contains(stdout.String(), "FASTSHOP_ENVIRONMENTS") {
				t.Errorf("--help printed %q", stdout.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "cdktf.out")); !os.IsNotExist(err) {
				t.Errorf("wrote cdktf.out")
			}
		})
	}
}

// stackFolders lists outdir/stacks and the stacks of manifest.json.
func stackFolders(t *testing.T, outdir string) (folders, manifest []string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(outdir, "stacks"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		folders = append(folders, e.Name())
	}
	data, err := os.ReadFile(filepath.Join(outdir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Stacks map[string]any }
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for name := range m.Stacks {
		manifest = append(manifest, name)
	}
	slices.Sort(manifest)
	return folders, manifest
}

// TestRunKeepsOnlySynthesizedStacks: after a synth of every environment, a
// synth of prod alone leaves cdktf.out/stacks and the manifest holding
// exactly prod and state-bootstrap; a stale folder holding Terraform state
// makes the run refuse, before it writes anything.
func TestRunKeepsOnlySynthesizedStacks(t *testing.T) {
	outdir := filepath.Join(t.TempDir(), "cdktf.out")
	if err := synth(map[string]string{"ENVIRONMENT_SUFFIX": "pr-7"}, outdir); err != nil {
		t.Fatal(err)
	}
	if err := synth(map[string]string{"FASTSHOP_ENVIRONMENTS": "prod"}, outdir); err != nil {
		t.Fatal(err)
	}
	want := []string{"prod", "state-bootstrap"}
	folders, manifest := stackFolders(t, outdir)
	if !slices.Equal(folders, want) || !slices.Equal(manifest, want) {
		t.Errorf("after FASTSHOP_ENVIRONMENTS=prod: folders %v, manifest %v; want %v", folders, manifest, want)
	}

	// Terraform Cloud has no bootstrap: its folder holds a local state.
	state := filepath.Join(outdir, "stacks", "state-bootstrap", "terraform.tfstate")
	if err := os.WriteFile(state, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(outdir, "stacks", "prod", "cdk.tf.json"))
	err := synth(map[string]string{"FASTSHOP_ENVIRONMENTS": "dev", "FASTSHOP_STATE_BACKEND": "cloud", "FASTSHOP_TFC_ORGANIZATION": "acme", "FASTSHOP_TFC_PROJECT": "fastshop"}, outdir)
	if err == nil || !strings.Contains(err.Error(), state) || !strings.Contains(err.Error(), "migrate-state") {
		t.Errorf("stale folder with state: %v; want a refusal naming %s", err, state)
	}
	after, _ := os.ReadFile(filepath.Join(outdir, "stacks", "prod", "cdk.tf.json"))
	if folders, _ := stackFolders(t, outdir); !slices.Equal(folders, want) || !bytes.Equal(before, after) {
		t.Errorf("refused run changed the output: folders %v", folders)
	}
}

// TestReadmeShowsModeTableAndWarning keeps README's table of the settings
// each state backend reads, and the placeholder warning it quotes, in step
// with the code.
func TestReadmeShowsModeTableAndWarning(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, row := range config.ModeSettings() {
		name, backend := row[0], row[1]
		found := false
		for _, line := range strings.Split(readme, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "|") && strings.Contains(line, "`"+config.VarStateBackend+"` `"+backend+"`") &&
				strings.Contains(line, "`"+name+"`") {
				found = true
			}
		}
		if !found {
			t.Errorf("README.md's table of settings by state backend lacks %s under %s %s", name, config.VarStateBackend, backend)
		}
	}
	cfg, err := config.Select(getenv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if w := "fastshop: warning: " + cfg.Placeholders(); !strings.Contains(readme, w) {
		t.Errorf("README.md does not quote the placeholder warning as the program prints it:\n%s", w)
	}
}
