package stacks

import (
	"encoding/json"
	"sort"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// testSuffix is the ephemeral stack every table also covers.
const testSuffix = "pr-482"

// testState is the default state backend, as Select reads it with nothing
// set.
var testState = func() config.StateBackend {
	c, _ := config.Select(func(string) string { return "" })
	return c.State
}()

// synthesized is one environment's stack as Terraform JSON, decoded.
type synthesized struct {
	Env  config.Environment
	Raw  string
	JSON map[string]any
}

var (
	synthOnce  sync.Once
	synthStack []synthesized
)

// testEnvironments are the permanent environments plus one ephemeral stack.
func testEnvironments() []config.Environment {
	return append(config.Environments(), config.Ephemeral(testSuffix))
}

// synthAll synthesizes every test environment once per test binary: the jsii
// kernel's start-up dominates, and it is not goroutine-safe, so tests share
// the result and never run in parallel.
func synthAll(t *testing.T) []synthesized {
	t.Helper()
	synthOnce.Do(func() {
		app := cdktf.Testing_App(nil)
		for _, env := range testEnvironments() {
			stack := NewPipeline(app, testState, env)
			raw := *cdktf.Testing_Synth(stack, jsii.Bool(true))
			var doc map[string]any
			if err := json.Unmarshal([]byte(raw), &doc); err != nil {
				panic("synthesized JSON of " + env.Name + " does not parse: " + err.Error())
			}
			synthStack = append(synthStack, synthesized{Env: env, Raw: raw, JSON: doc})
		}
	})
	if len(synthStack) == 0 {
		t.Fatal("synthesis failed earlier in this test binary")
	}
	return synthStack
}

// resources returns every resource of one Terraform type by name.
func (s synthesized) resources(resourceType string) map[string]map[string]any {
	out := map[string]map[string]any{}
	all, _ := s.JSON["resource"].(map[string]any)
	byName, _ := all[resourceType].(map[string]any)
	for name, r := range byName {
		out[name], _ = r.(map[string]any)
	}
	return out
}

// resource returns one resource or fails the test naming what is missing.
func (s synthesized) resource(t *testing.T, resourceType, name string) map[string]any {
	t.Helper()
	r, ok := s.resources(resourceType)[name]
	if !ok {
		t.Fatalf("%s: no %s.%s in the synthesized stack", s.Env.Name, resourceType, name)
	}
	return r
}

// names returns the sorted names of the resources of one type.
func (s synthesized) names(resourceType string) []string {
	var names []string
	for name := range s.resources(resourceType) {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// resourceRef is one resource of a synthesized stack.
type resourceRef struct {
	Type, Name string
	Body       map[string]any
}

// allResources walks every resource as (type, name, body), sorted.
func (s synthesized) allResources() []resourceRef {
	var out []resourceRef
	all, _ := s.JSON["resource"].(map[string]any)
	var types []string
	for t := range all {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, typ := range types {
		for _, name := range s.names(typ) {
			out = append(out, resourceRef{typ, name, s.resources(typ)[name]})
		}
	}
	return out
}

// envOf returns a copy of a permanent environment by name.
func envOf(t *testing.T, name string) config.Environment {
	t.Helper()
	for _, e := range config.Environments() {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no environment %q", name)
	return config.Environment{}
}

// validate checks one environment as the program would before building
// it, with the default state backend.
func validate(env config.Environment) error {
	return config.Config{State: testState, Environments: []config.Environment{env}}.Validate()
}
