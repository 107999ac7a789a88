package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fastshop/internal/jsondoc"
)

// bootstrapStateKey is where the bootstrap keeps its own state once
// migrated (stacks.StateKey(stacks.StateBootstrapID)).
const bootstrapStateKey = "fastshop/" + bootstrapStack + "/terraform.tfstate"

// TestStateBootstrapMigration runs README's scripts/bootstrap-state, as
// written, in a clean copy of the repository against an S3 server: the
// first apply with FASTSHOP_STATE_BOOTSTRAP_BACKEND=local, then the default
// synth (S3 backend, the bucket it created), terraform init -migrate-state
// onto the server, and a plan that must show no changes.
//
// What this proves and what it does not. A real first apply needs AWS (KMS
// and IAM; versitygw serves S3 only), so the test's TERRAFORM is a wrapper
// (bootstrapWrapper) that writes, instead of applying, the state an apply
// would leave: built from the offline plan of the first-apply configuration,
// with every value known only after apply filled in by type from the
// provider's schema, then planned again with -refresh=false and the planned
// values written back until the plan is empty (appliedState). That state's
// resources match the configuration but have made-up ids and ARNs and no AWS
// behind them. The wrapper passes every other command to terraform, adding
// only what points it at the test server (the provider's offline settings,
// the backend's endpoint and keys on the migrating init); the plan gets
// -refresh=false through TF_CLI_ARGS_plan. The test then proves the parts
// that are ours: the script applies the local-backend synth; both synth modes describe the same resources
// and outputs (the script's plan after the backend switch is empty, exit 0);
// terraform's migration moves that state to the bucket at
// fastshop/state-bootstrap/terraform.tfstate with the synthesized encryption
// (SSE-KMS with the state key's alias) and lock file; the migrated state
// holds the local one's resources and outputs unchanged; and the script
// removes the local state file only then. -auto-approve reaches apply. When the plan after the migration
// shows changes, the script fails and keeps the local state. It cannot prove
// that AWS accepts the resources, or what a refresh against real AWS would
// find.
func TestStateBootstrapMigration(t *testing.T) {
	skipInShortMode(t)
	tf := requireTerraform(t)
	command := documentedCommand(t, "scripts/bootstrap-state")
	first := synthesize(t, "FASTSHOP_STATE_BOOTSTRAP_BACKEND=local")
	if first.Err != nil {
		t.Fatalf("first-apply synth: %v\n%s", first.Err, first.Stderr)
	}
	if got := jsondoc.At(stackDoc(t, first.Outdir, bootstrapStack), "terraform", "backend"); !equalJSONValue(got, map[string]any{"local": map[string]any{"path": "terraform.tfstate"}}) {
		t.Fatalf("first-apply synth: bootstrap backend %v; want local terraform.tfstate", got)
	}
	backend, _ := backendOf(t, synthAll(t), bootstrapStack)
	if backend.Key != bootstrapStateKey || !backend.Encrypt || backend.KMSKeyID != "alias/fastshop-terraform-state" || !backend.UseLockfile {
		t.Fatalf("default bootstrap backend %+v; want key %s, SSE-KMS with the state key, use_lockfile", backend, bootstrapStateKey)
	}

	// The state the first apply leaves, built from the first-apply
	// configuration's plan; the wrapper writes it in place of apply.
	built := filepath.Join(workDir, "bootstrap-applied")
	if err := copyDir(filepath.Join(first.Outdir, "stacks", bootstrapStack), built); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(built, "provider_override.tf.json"), []byte(offlineProvider), 0o644); err != nil {
		t.Fatal(err)
	}
	mustTF(t, tf, built, "init", "-input=false", "-no-color", "-plugin-dir="+pluginDir())
	localState := appliedState(t, tf, built)

	s := startS3(t, backend.Region)
	s.createBucket(t, backend.Bucket)
	mark := s.logOffset()
	repo := cleanCopy(t, "bootstrap-state")
	w := bootstrapWrapper(t, tf, s, filepath.Join(built, "terraform.tfstate"))
	out, err := runDocumented(t, repo, w.env, command)
	if err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
	dir := filepath.Join(repo, "cdktf.out", "stacks", bootstrapStack)

	// The script's terraform calls, in order, and what it applied.
	calls := strings.Split(strings.TrimSpace(readFile(t, w.log)), "\n")
	wantCalls := []string{"init -input=false", "apply", "init -migrate-state -force-copy -input=false", "plan -detailed-exitcode -input=false"}
	if !slices.Equal(calls, wantCalls) {
		t.Errorf("%s ran terraform %q; want %q (each with -chdir=cdktf.out/stacks/%s)", command, calls, wantCalls, bootstrapStack)
	}
	applied := readJSONFile(t, w.appliedConfig)
	if got := jsondoc.At(applied, "terraform", "backend"); !equalJSONValue(got, map[string]any{"local": map[string]any{"path": "terraform.tfstate"}}) {
		t.Errorf("%s applied a configuration whose backend is %v; want the first-apply synth's local backend", command, got)
	}
	if !equalJSONValue(applied["resource"], stackDoc(t, first.Outdir, bootstrapStack)["resource"]) {
		t.Errorf("%s applied other resources than FASTSHOP_STATE_BOOTSTRAP_BACKEND=local go run main.go synthesizes", command)
	}
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left %s behind after a clean migration (stat: %v)", command, f, err)
		}
	}

	statePath := s.objectPath(backend.Bucket, bootstrapStateKey)
	_, migrated := stateFile(t, statePath)
	// Terraform 1.11 gives the copy a new lineage; the resources and
	// outputs are the local state's, attribute for attribute.
	if got, want := stateResources(migrated), stateResources(localState); !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("migrated state holds %v; the local state held %v", got, want)
	}
	for _, part := range []string{"resources", "outputs"} {
		if !equalJSONValue(migrated[part], localState[part]) {
			t.Errorf("migrated state's %s differ from the local state's", part)
		}
	}
	checkStateUploadEncrypted(t, s, mark, backend.Bucket, bootstrapStateKey, backend.KMSKeyID)

	// A plan on the migrated state shows no changes (exit 0), and takes
	// and releases the lock object beside the state.
	if err := os.WriteFile(filepath.Join(dir, "provider_override.tf.json"), []byte(offlineProvider), 0o644); err != nil {
		t.Fatal(err)
	}
	mark = s.logOffset()
	out, err = tfRun(t, tf, dir, "plan", "-refresh=false", "-detailed-exitcode", "-input=false", "-no-color", "-lock=true", "-lock-timeout=0s")
	if code := exitCode(err); code != 0 {
		t.Fatalf("plan after the migration exits %d (%v); want 0, no changes:\n%s", code, err, out)
	}
	log := s.requestLog(mark)
	lockObject := "/" + backend.Bucket + "/" + bootstrapStateKey + ".tflock"
	for _, want := range []string{"| PUT | " + lockObject, "| DELETE | " + lockObject} {
		if !strings.Contains(log, want) {
			t.Errorf("plan did not %s the lock object %s", strings.Fields(want)[1], lockObject)
		}
	}

	// The empty plan is a finding, not a blind spot: one changed attribute
	// in the configuration makes the same plan show a change (exit 2).
	data, err := os.ReadFile(filepath.Join(dir, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	key, _ := jsondoc.At(doc, "resource", "aws_kms_key", "state").(map[string]any)
	if key == nil {
		t.Fatal("no aws_kms_key.state in the bootstrap")
	}
	key["description"] = "changed by the test"
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), doc)
	out, err = tfRun(t, tf, dir, "plan", "-refresh=false", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false")
	if code := exitCode(err); code != 2 {
		t.Errorf("plan with a changed key description exits %d; want 2 (changes):\n%s", code, out)
	}

	// And the script fails on such a plan: an applied state whose key
	// description differs from the configuration's plans a change after
	// the migration, so the script exits 1 and keeps the local state.
	// This run also passes -auto-approve, which must reach apply.
	driftState := readJSONFile(t, filepath.Join(built, "terraform.tfstate"))
	changed := 0
	for _, r := range driftState["resources"].([]any) {
		m := r.(map[string]any)
		if m["type"] == "aws_kms_key" && m["name"] == "state" {
			jsondoc.At(m, "instances").([]any)[0].(map[string]any)["attributes"].(map[string]any)["description"] = "drifted"
			changed++
		}
	}
	if changed != 1 {
		t.Fatalf("the applied state has %d aws_kms_key.state; want 1", changed)
	}
	drift := filepath.Join(workDir, "bootstrap-drift.tfstate")
	writeJSON(t, drift, driftState)
	repo = cleanCopy(t, "bootstrap-state-drift")
	w = bootstrapWrapper(t, tf, s, drift)
	out, err = runDocumented(t, repo, w.env, command+" -auto-approve")
	if calls := readFile(t, w.log); !strings.Contains(calls, "\napply -auto-approve\n") {
		t.Errorf("%s -auto-approve ran terraform %q; want apply -auto-approve among them", command, calls)
	}
	if code := exitCode(err); code != 1 || !strings.Contains(out, "shows changes") || !strings.Contains(out, "the local state stays in") {
		t.Errorf("%s with a plan that shows changes after the migration: exit %d; want 1, saying so and that the local state stays:\n%s", command, code, out)
	}
	if _, err := os.Stat(filepath.Join(repo, "cdktf.out", "stacks", bootstrapStack, "terraform.tfstate")); err != nil {
		t.Errorf("%s removed the local state although the plan after the migration shows changes: %v", command, err)
	}
}

// bootstrapRun is how TestStateBootstrapMigration runs scripts/bootstrap-state.
type bootstrapRun struct {
	env           []string // for runDocumented
	log           string   // one line per terraform call: its arguments after -chdir
	appliedConfig string   // the cdk.tf.json the "apply" saw
}

// bootstrapWrapper writes a TERRAFORM for scripts/bootstrap-state that runs
// tf for every command but apply, which it replaces by copying state (the
// state appliedState built) into the stack folder. Before each command it
// gives the folder the offline provider settings, and to the migrating init
// the test server's backend settings (-backend-config, which a local
// backend's init would refuse). It logs each call and keeps the
// configuration apply saw. The -plugin-dir and -refresh=false come through
// Terraform's TF_CLI_ARGS_init and TF_CLI_ARGS_plan.
func bootstrapWrapper(t *testing.T, tf string, s *s3Server, state string) bootstrapRun {
	t.Helper()
	dir, err := os.MkdirTemp(workDir, "bootstrap-wrapper-")
	if err != nil {
		t.Fatal(err)
	}
	r := bootstrapRun{log: filepath.Join(dir, "calls.log"), appliedConfig: filepath.Join(dir, "applied.cdk.tf.json")}
	provider := filepath.Join(dir, "provider_override.tf.json")
	if err := os.WriteFile(provider, []byte(offlineProvider), 0o644); err != nil {
		t.Fatal(err)
	}
	var backendArgs []string
	for _, a := range s.backendConfig() {
		backendArgs = append(backendArgs, shellQuote(a))
	}
	script := `#!/usr/bin/env bash
set -euo pipefail
case $1 in -chdir=*) dir=${1#-chdir=}; shift ;; *) echo "wrapper: want -chdir=<stack folder> first, got $1" >&2; exit 3 ;; esac
echo "$*" >>` + shellQuote(r.log) + `
cp ` + shellQuote(provider) + ` "$dir/provider_override.tf.json"
case " $* " in
*" apply "*)
	cp "$dir/cdk.tf.json" ` + shellQuote(r.appliedConfig) + `
	cp ` + shellQuote(state) + ` "$dir/terraform.tfstate"
	echo "wrapper: apply replaced by the test's applied state"
	exit 0 ;;
*" -migrate-state "*) exec ` + shellQuote(tf) + ` -chdir="$dir" "$@" ` + strings.Join(backendArgs, " ") + ` ;;
esac
exec ` + shellQuote(tf) + ` -chdir="$dir" "$@"
`
	wrapper := filepath.Join(dir, "terraform")
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r.env = append([]string{"TERRAFORM=" + wrapper, "TF_IN_AUTOMATION=1",
		"TF_CLI_ARGS_init=-no-color -plugin-dir=" + pluginDir(), "TF_CLI_ARGS_plan=-refresh=false -no-color"}, offlineCredentials...)
	return r
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readFile reads a file as a string.
func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// exitCode is a command's exit status; -1 when it did not run.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	return -1
}

// equalJSONValue compares two values by their JSON.
func equalJSONValue(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// maxPlanRounds bounds the fixpoint in appliedState: each round resolves
// one more level of references (key -> alias, role -> its policy); the
// bootstrap's graph is two levels deep.
const maxPlanRounds = 5

// appliedState writes dir/terraform.tfstate as an apply of dir's
// configuration would leave it, without AWS (see TestStateBootstrapMigration
// for what that can and cannot stand for), and returns it decoded.
func appliedState(t *testing.T, tf, dir string) map[string]any {
	t.Helper()
	schemas := providerSchemas(t, tf, dir)
	state := map[string]any{
		"version":           4,
		"terraform_version": "1.11.4",
		"serial":            1,
		"lineage":           "0f0f0f0f-e2e0-4b00-8000-000000000001",
		"outputs":           map[string]any{},
		"resources":         []any{},
	}
	for round := 1; ; round++ {
		if round > maxPlanRounds {
			t.Fatalf("the plan still shows changes after %d rounds of filling in applied values", maxPlanRounds)
		}
		statePath := filepath.Join(dir, "terraform.tfstate")
		writeJSON(t, statePath, state)
		// Exit 0: no changes (to resources or outputs), so the state is
		// complete and the round needs no show -json.
		out, err := tfRun(t, tf, dir, "plan", "-refresh=false", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false", "-out=first-apply.plan")
		switch exitCode(err) {
		case 0:
			return readJSONFile(t, statePath)
		case 2:
		default:
			t.Fatalf("round %d: terraform plan: %v\n%s", round, err, out)
		}
		raw, err := runTerraform(context.Background(), tf, dir, "show", "-json", "first-apply.plan")
		if err != nil {
			t.Fatalf("terraform show -json: %v\n%s", err, raw)
		}
		var plan struct {
			ResourceChanges []struct {
				Address      string
				Mode         string
				Type         string
				Name         string
				ProviderName string `json:"provider_name"`
				Change       struct {
					Actions      []string
					After        map[string]any
					AfterUnknown map[string]any `json:"after_unknown"`
				}
			} `json:"resource_changes"`
			OutputChanges map[string]struct {
				Actions      []string
				After        any
				AfterUnknown any `json:"after_unknown"`
			} `json:"output_changes"`
		}
		if err := json.Unmarshal(raw, &plan); err != nil {
			t.Fatal(err)
		}
		changed := false
		resources := map[string]any{}
		for _, r := range state["resources"].([]any) {
			m := r.(map[string]any)
			resources[fmt.Sprintf("%v.%v", m["type"], m["name"])] = m
		}
		for _, rc := range plan.ResourceChanges {
			if slices.Equal(rc.Change.Actions, []string{"no-op"}) {
				continue
			}
			if slices.Contains(rc.Change.Actions, "delete") && rc.Change.After == nil {
				t.Fatalf("round %d plans to delete %s", round, rc.Address)
			}
			changed = true
			schema, ok := schemas[rc.Type]
			if !ok {
				t.Fatalf("no provider schema for %s", rc.Type)
			}
			attrs := fillUnknown(rc.Change.After, rc.Change.AfterUnknown, schema.Block, rc.Address).(map[string]any)
			resources[rc.Address] = map[string]any{
				"mode": rc.Mode, "type": rc.Type, "name": rc.Name,
				"provider": `provider["` + rc.ProviderName + `"]`,
				"instances": []any{map[string]any{
					"schema_version": schema.Version, "attributes": attrs, "sensitive_attributes": []any{},
				}},
			}
		}
		outputs := state["outputs"].(map[string]any)
		for name, oc := range plan.OutputChanges {
			if slices.Equal(oc.Actions, []string{"no-op"}) {
				continue
			}
			changed = true
			value := oc.After
			if oc.AfterUnknown == true {
				value = "pending-" + name // resolved in the next round
			}
			outputs[name] = map[string]any{"value": value, "type": "string"}
		}
		if !changed {
			return readJSONFile(t, statePath)
		}
		var addrs []string
		for a := range resources {
			addrs = append(addrs, a)
		}
		slices.Sort(addrs)
		var list []any
		for _, a := range addrs {
			list = append(list, resources[a])
		}
		state["resources"] = list
		state["serial"] = round + 1
	}
}

// writePlanJSON writes plan (a decoded plan, changed by a test) to
// dir/plan.json and returns that path.
func writePlanJSON(t *testing.T, dir string, plan map[string]any) string {
	t.Helper()
	out, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// breakPlannedValues calls breakValues on the values of every resource in
// plan's planned values and on the after-values of every resource change,
// and counts by address the calls that changed something.
func breakPlannedValues(plan map[string]any, breakValues func(address string, values any) bool) map[string]int {
	broken := map[string]int{}
	resources, _ := jsondoc.At(plan, "planned_values", "root_module", "resources").([]any)
	for _, r := range resources {
		addr, _ := jsondoc.At(r, "address").(string)
		if breakValues(addr, jsondoc.At(r, "values")) {
			broken[addr]++
		}
	}
	changes, _ := plan["resource_changes"].([]any)
	for _, c := range changes {
		addr, _ := jsondoc.At(c, "address").(string)
		if breakValues(addr, jsondoc.At(c, "change", "after")) {
			broken[addr]++
		}
	}
	return broken
}

// readJSONFile decodes a JSON file.
func readJSONFile(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatal(err)
	}
	return decoded
}

// schemaBlock is a block of `terraform providers schema -json`.
type schemaBlock struct {
	Attributes map[string]struct {
		Type json.RawMessage
	}
	BlockTypes map[string]struct {
		NestingMode string `json:"nesting_mode"`
		Block       schemaBlock
	} `json:"block_types"`
}

// resourceSchema is one resource type's schema and version.
type resourceSchema struct {
	Version int
	Block   schemaBlock
}

// providerSchemas reads the AWS provider's resource schemas.
func providerSchemas(t *testing.T, tf, dir string) map[string]resourceSchema {
	t.Helper()
	raw, err := runTerraform(context.Background(), tf, dir, "providers", "schema", "-json")
	if err != nil {
		t.Fatalf("terraform providers schema -json: %v\n%s", err, raw)
	}
	var doc struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]resourceSchema `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for source, p := range doc.ProviderSchemas {
		if strings.HasSuffix(source, "hashicorp/aws") {
			return p.ResourceSchemas
		}
	}
	t.Fatalf("no AWS provider schema in %v", len(doc.ProviderSchemas))
	return nil
}

// fillUnknown replaces the values a plan marks as known only after apply
// with values of the schema's type: a deterministic placeholder string,
// zero, false, or an empty collection (computed blocks such as an S3
// bucket's legacy inline settings stay empty, as an apply leaves them
// when the standalone resources configure the bucket).
func fillUnknown(value, unknown any, block schemaBlock, path string) any {
	obj, _ := value.(map[string]any)
	if obj == nil {
		obj = map[string]any{}
	}
	marks, _ := unknown.(map[string]any)
	for name, attr := range block.Attributes {
		switch u := marks[name].(type) {
		case bool:
			if u {
				obj[name] = placeholder(attr.Type, path+"."+name)
			}
		case []any:
			list, _ := obj[name].([]any)
			for i, m := range u {
				if m == true && i < len(list) {
					list[i] = placeholder(elementType(attr.Type), fmt.Sprintf("%s.%s[%d]", path, name, i))
				}
			}
		}
	}
	for name, nested := range block.BlockTypes {
		switch u := marks[name].(type) {
		case bool:
			if u {
				if nested.NestingMode == "single" || nested.NestingMode == "group" {
					obj[name] = nil
				} else {
					obj[name] = []any{}
				}
			}
		case []any:
			list, _ := obj[name].([]any)
			for i := range list {
				if i < len(u) {
					list[i] = fillUnknown(list[i], u[i], nested.Block, fmt.Sprintf("%s.%s[%d]", path, name, i))
				}
			}
		case map[string]any:
			obj[name] = fillUnknown(obj[name], u, nested.Block, path+"."+name)
		}
	}
	return obj
}

// placeholder is a value of a cty type (as the schema JSON writes it).
func placeholder(typ json.RawMessage, path string) any {
	var name string
	if json.Unmarshal(typ, &name) == nil {
		switch name {
		case "string":
			// ARNs keep their shape: policies and outputs carry them.
			if strings.HasSuffix(path, ".arn") || strings.HasSuffix(path, "_arn") {
				return "arn:aws:e2e:sa-east-1:444444444444:" + strings.TrimSuffix(path, ".arn")
			}
			return "applied-" + path
		case "number":
			return 0
		case "bool":
			return false
		}
		return nil
	}
	var complex []json.RawMessage
	if json.Unmarshal(typ, &complex) == nil && len(complex) > 0 {
		var kind string
		json.Unmarshal(complex[0], &kind)
		switch kind {
		case "list", "set":
			return []any{}
		case "map":
			return map[string]any{}
		}
	}
	return nil
}

// elementType is the element type of a list, set or map type.
func elementType(typ json.RawMessage) json.RawMessage {
	var complex []json.RawMessage
	if json.Unmarshal(typ, &complex) == nil && len(complex) == 2 {
		return complex[1]
	}
	return typ
}

// writeJSON writes v as indented JSON.
func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
