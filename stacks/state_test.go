package stacks

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

func TestStateBackendAndVersions(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			tf := s.doc(t).Key("terraform")
			s3 := tf.Key("backend").Key("s3")
			want := map[string]any{
				"bucket": config.DefaultStateBucket, "region": config.DefaultStateRegion, "key": "fastshop/" + s.Env.Name + "/terraform.tfstate",
				"encrypt": true, "kms_key_id": config.StateKeyAlias, "use_lockfile": true,
			}
			for field, value := range want {
				if got := s3.Opt(field).Raw(); got != value {
					t.Errorf("%s.%s = %v; want %v", s3.path, field, got, value)
				}
			}
			if got, want := s3.Key("assume_role").Key("role_arn").Str(), "arn:aws:iam::"+config.DefaultStateAccountID+":role/"+s.Env.StateAccessRole(); got != want {
				t.Errorf("backend assume_role = %s; want %s, the environment's state-access role in the state account", got, want)
			}
			if s3.Has("dynamodb_table") {
				t.Errorf("backend uses DynamoDB locking (deprecated); want use_lockfile only")
			}
			aws := tf.Key("required_providers").Key("aws")
			if aws.Key("source").Str() != "hashicorp/aws" || aws.Key("version").Str() != AWSProviderVersion {
				t.Errorf("required_providers.aws = %v", aws.Raw())
			}
			if got := tf.Key("required_version").Str(); got != RequiredTerraformVersion {
				t.Errorf("required_version = %s; want %s", got, RequiredTerraformVersion)
			}
			p := s.doc(t).Key("provider").Key("aws").Index(0)
			if got := p.Key("region").Str(); got != s.Env.Region {
				t.Errorf("provider region %s; want %s", got, s.Env.Region)
			}
			tags := providerDefaultTags(t, s.doc(t))
			for _, key := range []string{"Project", "ManagedBy", "DataClassification", "Owner"} {
				if tags.Opt(key).Str() == "" {
					t.Errorf("default tag %s missing", key)
				}
			}
			if got := tags.Opt("Environment").Str(); got != s.Env.Name {
				t.Errorf("Environment tag %q; want %q", got, s.Env.Name)
			}
		})
	}
}

// TestCloudBackend synthesizes one environment with the cloud backend.
func TestCloudBackend(t *testing.T) {
	env := config.Environments()[0]
	state := config.StateBackend{Kind: config.BackendCloud, Organization: "fastshop", Project: "FastShop Pipelines"}
	app := cdktf.Testing_App(nil)
	raw := *cdktf.Testing_Synth(NewPipeline(app, state, env), nil)
	var decoded map[string]any
	if err := json.Unmarshal([]byte(raw), &decoded); err != nil {
		t.Fatal(err)
	}
	tf := root(t, env.Name+" with the cloud backend:", decoded).Key("terraform")
	cloud := tf.Key("cloud")
	if cloud.Key("organization").Str() != "fastshop" || cloud.Key("workspaces").Key("name").Str() != "fastshop-dev" ||
		cloud.Key("workspaces").Key("project").Str() != "FastShop Pipelines" {
		t.Errorf("cloud block = %v; want organization fastshop, workspace fastshop-dev in project FastShop Pipelines", cloud.Raw())
	}
	if tf.Has("backend") {
		t.Errorf("cloud backend stack also declares %v", tf.Key("backend").Raw())
	}
}
