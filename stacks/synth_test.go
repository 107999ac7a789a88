package stacks

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
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

// synthOne validates and synthesizes one environment in an app of its own,
// for a setting no test environment has.
func synthOne(t *testing.T, env config.Environment) synthesized {
	t.Helper()
	if err := validate(env); err != nil {
		t.Fatalf("%s: %v", env.Name, err)
	}
	raw := *cdktf.Testing_Synth(NewPipeline(cdktf.Testing_App(nil), testState, env), jsii.Bool(true))
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("%s: synthesized JSON does not parse: %v", env.Name, err)
	}
	return synthesized{Env: env, Raw: raw, JSON: doc}
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

// jv is a value of a synthesized document and the path that reached it
// ("prod: aws_db_instance.postgres.parameter[0].name"). Its accessors fail
// the test naming that path when the value is missing or of another type,
// so no check compares against a zero value it did not expect.
type jv struct {
	t    *testing.T
	path string
	v    any
}

// root is a whole decoded document; what names it in messages.
func root(t *testing.T, what string, doc any) jv { return jv{t, what, doc} }

// doc is the stack's whole document.
func (s synthesized) doc(t *testing.T) jv { return root(t, s.Env.Name+":", s.JSON) }

// res is one resource, which must exist.
func (s synthesized) res(t *testing.T, resourceType, name string) jv {
	t.Helper()
	return jv{t, s.Env.Name + ": " + resourceType + "." + name, s.resource(t, resourceType, name)}
}

func (j jv) object() map[string]any {
	j.t.Helper()
	if j.v == nil {
		return nil // an absent Opt member
	}
	m, ok := j.v.(map[string]any)
	if !ok {
		j.t.Fatalf("%s is %T (%v); want an object", j.path, j.v, j.v)
	}
	return m
}

func (j jv) child(key string) string {
	if strings.HasSuffix(j.path, ":") {
		return j.path + " " + key
	}
	return j.path + "." + key
}

// Key is a member that must exist.
func (j jv) Key(key string) jv {
	j.t.Helper()
	v, ok := j.object()[key]
	if !ok {
		j.t.Fatalf("%s has no %s", j.path, key)
	}
	return jv{j.t, j.child(key), v}
}

// Has reports whether an object has a member.
func (j jv) Has(key string) bool {
	j.t.Helper()
	_, ok := j.object()[key]
	return ok
}

// Opt is a member that may be absent: absent, it is an empty object, list
// and string alike.
func (j jv) Opt(key string) jv {
	j.t.Helper()
	return jv{j.t, j.child(key), j.object()[key]}
}

// Index is a list element that must exist.
func (j jv) Index(i int) jv {
	j.t.Helper()
	l := j.List()
	if i >= len(l) {
		j.t.Fatalf("%s has %d elements; want element %d", j.path, len(l), i)
	}
	return l[i]
}

// List is a list (an absent Opt member is empty).
func (j jv) List() []jv {
	j.t.Helper()
	if j.v == nil {
		return nil
	}
	l, ok := j.v.([]any)
	if !ok {
		j.t.Fatalf("%s is %T (%v); want a list", j.path, j.v, j.v)
	}
	out := make([]jv, len(l))
	for i, v := range l {
		out[i] = jv{j.t, fmt.Sprintf("%s[%d]", j.path, i), v}
	}
	return out
}

// Str is a string (an absent Opt member is "").
func (j jv) Str() string {
	j.t.Helper()
	if j.v == nil {
		return ""
	}
	s, ok := j.v.(string)
	if !ok {
		j.t.Fatalf("%s is %T (%v); want a string", j.path, j.v, j.v)
	}
	return s
}

// Num is a number.
func (j jv) Num() float64 {
	j.t.Helper()
	n, ok := j.v.(float64)
	if !ok {
		j.t.Fatalf("%s is %T (%v); want a number", j.path, j.v, j.v)
	}
	return n
}

// Strings is a string or a list of strings, as IAM writes Action and
// Resource (an absent Opt member is empty).
func (j jv) Strings() []string {
	j.t.Helper()
	if s, ok := j.v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, e := range j.List() {
		out = append(out, e.Str())
	}
	return out
}

// Keys are an object's member names, sorted (an absent Opt member has
// none).
func (j jv) Keys() []string {
	j.t.Helper()
	if j.v == nil {
		return nil
	}
	keys := slices.Collect(maps.Keys(j.object()))
	sort.Strings(keys)
	return keys
}

// Raw is the decoded value, for comparison with a literal.
func (j jv) Raw() any { return j.v }
