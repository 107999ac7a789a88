package stacks

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

func TestStateBackendAndVersions(t *testing.T) {
	for _, s := range synthAll(t) {
		tf := s.JSON["terraform"].(map[string]any)
		s3, _ := tf["backend"].(map[string]any)["s3"].(map[string]any)
		want := map[string]any{
			"bucket": config.DefaultStateBucket, "region": config.DefaultStateRegion, "key": "fastshop/" + s.Env.Name + "/terraform.tfstate",
			"encrypt": true, "kms_key_id": config.StateKeyAlias, "use_lockfile": true,
		}
		for field, value := range want {
			if s3[field] != value {
				t.Errorf("%s: backend s3 %s = %v; want %v", s.Env.Name, field, s3[field], value)
			}
		}
		role, _ := s3["assume_role"].(map[string]any)
		if role["role_arn"] != "arn:aws:iam::"+config.DefaultStateAccountID+":role/"+s.Env.StateAccessRole() {
			t.Errorf("%s: backend assume_role = %v; want the environment's state-access role in the state account", s.Env.Name, role)
		}
		if _, ok := s3["dynamodb_table"]; ok {
			t.Errorf("%s: backend uses DynamoDB locking (deprecated); want use_lockfile only", s.Env.Name)
		}
		aws := tf["required_providers"].(map[string]any)["aws"].(map[string]any)
		if aws["source"] != "hashicorp/aws" || aws["version"] != AWSProviderVersion {
			t.Errorf("%s: required_providers.aws = %v", s.Env.Name, aws)
		}
		if tf["required_version"] != RequiredTerraformVersion {
			t.Errorf("%s: required_version = %v", s.Env.Name, tf["required_version"])
		}
		providers := s.JSON["provider"].(map[string]any)["aws"].([]any)
		p := providers[0].(map[string]any)
		if p["region"] != s.Env.Region {
			t.Errorf("%s: provider region %v", s.Env.Name, p["region"])
		}
		tags := p["default_tags"].([]any)[0].(map[string]any)["tags"].(map[string]any)
		for _, key := range []string{"Project", "Environment", "ManagedBy", "DataClassification", "Owner"} {
			if v, _ := tags[key].(string); v == "" {
				t.Errorf("%s: default tag %s missing", s.Env.Name, key)
			}
		}
		if tags["Environment"] != s.Env.Name {
			t.Errorf("%s: Environment tag %v", s.Env.Name, tags["Environment"])
		}
	}
}

// TestCloudBackend synthesizes one environment with the cloud backend.
func TestCloudBackend(t *testing.T) {
	env := config.Environments()[0]
	state := config.StateBackend{Kind: config.BackendCloud, Organization: "fastshop"}
	app := cdktf.Testing_App(nil)
	raw := *cdktf.Testing_Synth(NewPipeline(app, state, env), nil)
	var doc struct {
		Terraform map[string]any `json:"terraform"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	cloud, ok := doc.Terraform["cloud"].(map[string]any)
	if !ok {
		t.Fatalf("dev with cloud backend: no terraform.cloud block in %v", doc.Terraform)
	}
	ws, _ := cloud["workspaces"].(map[string]any)
	if cloud["organization"] != "fastshop" || ws["name"] != "fastshop-dev" {
		t.Errorf("cloud block = %v; want organization fastshop, workspace fastshop-dev", cloud)
	}
	if _, ok := doc.Terraform["backend"]; ok {
		t.Errorf("cloud backend stack also declares %v", doc.Terraform["backend"])
	}
}
