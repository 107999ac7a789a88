package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"fastshop/internal/jsondoc"
	"fastshop/stacks/config"
)

// TestMain stops the jsii kernel after the tests so that its temporary
// runtime folder does not outlive the test binary.
func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestRunSynthesizesEveryEnvironment drives run as main does.
func TestRunSynthesizesEveryEnvironment(t *testing.T) {
	outdir := filepath.Join(t.TempDir(), "cdktf.out")
	if err := run(getenv(map[string]string{"ENVIRONMENT_SUFFIX": "pr-7"}), outdir); err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, stack := range []string{"dev", "staging", "prod", "pr-7", "state-bootstrap"} {
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

// TestRunRefusesBadInput checks that a refusal names the setting and
// writes nothing.
func TestRunRefusesBadInput(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"malformed suffix", map[string]string{"ENVIRONMENT_SUFFIX": "PR 482"}, []string{"ENVIRONMENT_SUFFIX", "lowercase"}},
		{"unknown environment", map[string]string{"FASTSHOP_ENVIRONMENTS": "qa"}, []string{"FASTSHOP_ENVIRONMENTS", "dev, staging, prod"}},
		{"bad backend", map[string]string{"FASTSHOP_STATE_BACKEND": "gcs"}, []string{"FASTSHOP_STATE_BACKEND", "s3 or cloud"}},
		// Two stacks with one id made the synth panic.
		{"suffix is the bootstrap's stack id", map[string]string{"ENVIRONMENT_SUFFIX": "state-bootstrap"}, []string{"ENVIRONMENT_SUFFIX", "state-bootstrap", "must differ"}},
		{"bad bootstrap backend", map[string]string{"FASTSHOP_STATE_BOOTSTRAP_BACKEND": "remote"}, []string{"FASTSHOP_STATE_BOOTSTRAP_BACKEND", "local"}},
		{"reserved bucket suffix", map[string]string{"FASTSHOP_STATE_BUCKET": "fastshop-state-s3alias"}, []string{"FASTSHOP_STATE_BUCKET", "-s3alias"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outdir := filepath.Join(t.TempDir(), "cdktf.out")
			err := run(getenv(c.vars), outdir)
			if err == nil {
				t.Fatalf("run(%v) succeeded; want a refusal", c.vars)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("run(%v): message lacks %q: %v", c.vars, w, err)
				}
			}
			if _, statErr := os.Stat(outdir); !os.IsNotExist(statErr) {
				t.Errorf("run(%v) refused but wrote %s", c.vars, outdir)
			}
		})
	}
}

// TestDocsNameEverySetting keeps help and README in step with the
// settings the program reads.
func TestDocsNameEverySetting(t *testing.T) {
	settings := []string{config.VarSuffix, config.VarEnvironments, config.VarStateBackend,
		config.VarStateBucket, config.VarStateRegion, config.VarCloudOrganization, config.DefaultStateBucket, config.VarStateAccountID, config.VarStateBootstrapBackend}
	for _, doc := range []string{"help", "README.md"} {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range settings {
			if !strings.Contains(string(data), s) {
				t.Errorf("%s does not mention %s", doc, s)
			}
		}
		for _, command := range []string{"go run main.go", "scripts/test", "cdktf deploy", "cdktf list", "state-bootstrap",
			"force-unlock", "policycheck", "trivy config", "FASTSHOP_LAZY_PROVIDER", "bench/synthbench"} {
			if !strings.Contains(string(data), command) {
				t.Errorf("%s does not show %q", doc, command)
			}
		}
	}
}

// TestRunStateOverridesReachEveryStack: FASTSHOP_STATE_BUCKET and
// FASTSHOP_STATE_REGION reach, through run as main calls it, both the state
// bootstrap (the bucket it creates, its region) and every pipeline stack's
// backend, which also names the bootstrap's key alias. The defaults' match
// is stacks TestStateBootstrapMatchesBackends.
func TestRunStateOverridesReachEveryStack(t *testing.T) {
	vars := map[string]string{"ENVIRONMENT_SUFFIX": "pr-7", "FASTSHOP_STATE_BUCKET": "acme-tf-state-e2e", "FASTSHOP_STATE_REGION": "us-east-1"}
	outdir := filepath.Join(t.TempDir(), "cdktf.out")
	if err := run(getenv(vars), outdir); err != nil {
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
	if bucket != "acme-tf-state-e2e" || region != "us-east-1" || alias == nil {
		t.Errorf("bootstrap ignores the overrides: bucket %v in %v, key alias %v", bucket, region, alias)
	}
	for _, stack := range []string{"dev", "staging", "prod", "pr-7"} {
		backend := jsondoc.At(read(stack), "terraform", "backend", "s3")
		if jsondoc.At(backend, "bucket") != bucket || jsondoc.At(backend, "region") != region || jsondoc.At(backend, "kms_key_id") != alias {
			t.Errorf("%s: backend %v; bootstrap creates %v in %v with %v", stack, backend, bucket, region, alias)
		}
	}
}
