package stacks

import (
	"encoding/json"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// providerDefaultTags returns the AWS provider's default tags of a
// synthesized stack, which has exactly one provider and one default_tags
// block.
func providerDefaultTags(t *testing.T, doc jv) jv {
	t.Helper()
	aws := doc.Key("provider").Key("aws")
	if n := len(aws.List()); n != 1 {
		t.Fatalf("%s: want one aws provider block, got %d", aws.path, n)
	}
	defaults := aws.Index(0).Key("default_tags")
	if n := len(defaults.List()); n != 1 {
		t.Fatalf("%s: want one default_tags block, got %d", defaults.path, n)
	}
	return defaults.Index(0).Key("tags")
}

// TestTransferBasisTag: the residency policy (RES-01) reads the transfer
// basis from the provider's default tags, so an environment outside the
// allow-list must carry it there, and the others must not carry an empty one.
func TestTransferBasisTag(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			if tags := providerDefaultTags(t, s.doc(t)); tags.Has(config.DataTransferBasisTag) {
				t.Errorf("region %s is in the allow-list but the stack tags %s=%v", s.Env.Region, config.DataTransferBasisTag, tags.Key(config.DataTransferBasisTag).Raw())
			}
		})
	}

	env := envOf(t, config.Staging)
	env.Region = "us-east-1"
	env.AvailabilityZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	env.DataTransferBasis = "LGPD art. 33 II: standard contractual clauses with the processor"
	if err := validate(env); err != nil {
		t.Fatal(err)
	}
	stack := NewPipeline(cdktf.Testing_App(nil), testState, env)
	var decoded map[string]any
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(stack, jsii.Bool(true))), &decoded); err != nil {
		t.Fatal(err)
	}
	tags := providerDefaultTags(t, root(t, env.Name+" in "+env.Region+":", decoded))
	if got := tags.Opt(config.DataTransferBasisTag).Str(); got != env.DataTransferBasis {
		t.Errorf("%s in %s: default tag %s = %q; want %q", env.Name, env.Region, config.DataTransferBasisTag, got, env.DataTransferBasis)
	}
}
