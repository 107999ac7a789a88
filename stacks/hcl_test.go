package stacks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// garbledHCL is cdktf 0.20.12's HCL for a terraform block with
// required_version, a resource with depends_on and one with
// lifecycle.ignore_changes.
const garbledHCL = `terraform {
  required_providers {
    aws = {
      version = ">= 5.99.1, < 6.0.0"
      source  = "hashicorp/aws"
    }
  }
  backend "local" {
    path = "terraform.tfstate"
  }

  0 = "required_version"
}
resource "aws_s3_bucket_policy" "p" {
  bucket = "${aws_s3_bucket.b.bucket}"
  depends_on = [
    "aws_s3_bucket_public_access_block.b_public_access",
    "aws_kms_alias.state_key",
  ]
  policy = "{\"Sid\":\"0 = \\\"x\\\"\"}"
}
resource "aws_db_instance" "d" {
lifecycle {
  ignore_changes = [
"final_snapshot_identifier",
]
  prevent_destroy = true
}
}
resource "aws_iam_role_policy" "r" {
name = "write"
policy = "{"Resource":["${aws_cloudwatch_log_group.l.arn}","${aws_cloudwatch_log_group.l.arn}:*"],"Sid":"a\\b","X":"${jsonencode({"k" = "v"})}"}"
role = "${aws_iam_role.r.id}"
}
`

// writeStack writes one stack's cdk.tf under a fresh output folder.
func writeStack(t *testing.T, hcl string) (outdir, path string) {
	t.Helper()
	outdir = t.TempDir()
	path = filepath.Join(outdir, "stacks", "dev", "cdk.tf")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	return outdir, path
}

// TestRepairHCL: the garbled required_version gets its name and value
// back, a string with references is escaped around them, depends_on and
// ignore_changes entries lose their quotes, and nothing else changes (the escaped policy
// without references, the plain reference).
func TestRepairHCL(t *testing.T) {
	outdir, path := writeStack(t, garbledHCL)
	if err := RepairHCL(outdir); err != nil {
		t.Fatalf("RepairHCL: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(
		`  0 = "required_version"`, `  required_version = "`+RequiredTerraformVersion+`"`,
		`    "aws_s3_bucket_public_access_block.b_public_access",`, `    aws_s3_bucket_public_access_block.b_public_access,`,
		`    "aws_kms_alias.state_key",`, `    aws_kms_alias.state_key,`,
		"\n\"final_snapshot_identifier\",", "\nfinal_snapshot_identifier,",
		`policy = "{"Resource":["${aws_cloudwatch_log_group.l.arn}","${aws_cloudwatch_log_group.l.arn}:*"],"Sid":"a\\b","X":"${jsonencode({"k" = "v"})}"}"`,
		`policy = "{\"Resource\":[\"${aws_cloudwatch_log_group.l.arn}\",\"${aws_cloudwatch_log_group.l.arn}:*\"],\"Sid\":\"a\\\\b\",\"X\":\"${jsonencode({"k" = "v"})}\"}"`,
	).Replace(garbledHCL)
	if string(got) != want {
		t.Errorf("repaired HCL:\n%s\nwant:\n%s", got, want)
	}

}

// TestRepairHCLRefusesUnknownAttribute: a garbled terraform attribute whose
// value the stacks did not set cannot be restored, and must not be shipped.
func TestRepairHCLRefusesUnknownAttribute(t *testing.T) {
	outdir, path := writeStack(t, strings.Replace(garbledHCL, `"required_version"`, `"experiments"`, 1))
	err := RepairHCL(outdir)
	if err == nil || !strings.Contains(err.Error(), "experiments") || !strings.Contains(err.Error(), path) {
		t.Errorf("RepairHCL = %v; want an error naming the file and the attribute", err)
	}
}
