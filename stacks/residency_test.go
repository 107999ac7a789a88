package stacks

import (
	"encoding/json"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// providerDefaultTags returns the AWS provider's default tags of a synthesized stack.
func providerDefaultTags(t *testing.T, env string, doc map[string]any) map[string]any {
	t.Helper()
	providers, _ := doc["provider"].(map[string]any)
	aws, _ := providers["aws"].([]any)
	if len(aws) != 1 {
		t.Fatalf("%s: want one aws provider block, got %d", env, len(aws))
	}
	block, _ := aws[0].(map[string]any)
	defaults, _ := block["default_tags"].([]any)
	if len(defaults) != 1 {
		t.Fatalf("%s: want one default_tags block, got %v", env, block["default_tags"])
	}
	tags, _ := defaults[0].(map[string]any)["tags"].(map[string]any)
	return tags
}

// TestTransferBasisTag: the residency policy (RES-01) reads the transfer
// basis from the provider's default tags, so an environment outside the
// allow-list must carry it there, and the others must not carry an empty one.
func TestTransferBasisTag(t *testing.T) {
	for _, s := range synthAll(t) {
		if tags := providerDefaultTags(t, s.Env.Name, s.JSON); tags[config.DataTransferBasisTag] != nil {
			t.Errorf("%s: region %s is in the allow-list but the stack tags %s=%v", s.Env.Name, s.Env.Region, config.DataTransferBasisTag, tags[config.DataTransferBasisTag])
		}
	}

	env := envOf(t, config.Staging)
	env.Region = "us-east-1"
	env.AvailabilityZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	env.DataTransferBasis = "LGPD art. 33 II: standard contractual clauses with the processor"
	if err := validate(env); err != nil {
		t.Fatal(err)
	}
	stack := NewPipeline(cdktf.Testing_App(nil), testState, env)
	var doc map[string]any
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(stack, jsii.Bool(true))), &doc); err != nil {
		t.Fatal(err)
	}
	if got := providerDefaultTags(t, env.Name, doc)[config.DataTransferBasisTag]; got != env.DataTransferBasis {
		t.Errorf("%s in %s: default tag %s = %v; want %q", env.Name, env.Region, config.DataTransferBasisTag, got, env.DataTransferBasis)
	}
}
