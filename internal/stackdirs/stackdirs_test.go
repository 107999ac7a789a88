package stackdirs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestStale: folders outside keep are stale, unless one holds Terraform
// state (then nothing is returned and the error names the file); the
// backend cache in .terraform is not state.
func TestStale(t *testing.T) {
	cases := []struct {
		name    string
		files   []string // under stacks/
		keep    []string
		stale   []string
		refused string
	}{
		{"nothing synthesized before", nil, []string{"prod"}, nil, ""},
		{"earlier environments", []string{"dev/cdk.tf.json", "staging/cdk.tf.json", "prod/cdk.tf.json"}, []string{"prod"}, []string{"dev", "staging"}, ""},
		{"providers and plans go too", []string{"dev/cdk.tf.json", "dev/.terraform/terraform.tfstate", "dev/plan.bin"}, []string{"prod"}, []string{"dev"}, ""},
		{"kept folders keep their state", []string{"state-bootstrap/terraform.tfstate"}, []string{"state-bootstrap"}, nil, ""},
		{"local state", []string{"dev/cdk.tf.json", "state-bootstrap/terraform.tfstate"}, []string{"prod"}, nil, "state-bootstrap/terraform.tfstate"},
		{"state backup", []string{"dev/terraform.tfstate.backup"}, []string{"prod"}, nil, "dev/terraform.tfstate.backup"},
		{"workspace state", []string{"dev/terraform.tfstate.d/pr/terraform.tfstate"}, nil, nil, "terraform.tfstate.d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outdir := t.TempDir()
			for _, f := range c.files {
				path := filepath.Join(outdir, "stacks", f)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			stale, err := Stale(outdir, c.keep)
			if c.refused != "" {
				if err == nil || !strings.Contains(err.Error(), c.refused) || stale != nil {
					t.Errorf("Stale = %v, %v; want a refusal naming %s", stale, err, c.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range stale {
				names = append(names, filepath.Base(s))
			}
			if !slices.Equal(names, c.stale) {
				t.Errorf("stale %v; want %v", names, c.stale)
			}
			if err := Remove(stale); err != nil {
				t.Fatal(err)
			}
			for _, s := range stale {
				if _, err := os.Stat(s); !os.IsNotExist(err) {
					t.Errorf("%s not removed", s)
				}
			}
		})
	}
}
