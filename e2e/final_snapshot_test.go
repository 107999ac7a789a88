package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fastshop/internal/jsondoc"
)

// TestFinalSnapshotNameStable plans staging's database instance on the
// state its create leaves (the create plan's values, those known only after
// apply filled in by type, as TestStateBootstrapMigration builds a state).
// Its final snapshot name ends in formatdate(timestamp()), a new value on
// every run: the second plan must keep the name the instance was created
// with (before = after, known), because lifecycle.ignore_changes keeps it.
// The same plan without ignore_changes plans a new name, so the kept name
// is the setting's doing.
//
// Only the instance is planned: its references (keys, groups, subnets) are
// replaced by literals, which changes nothing about how Terraform treats
// final_snapshot_identifier. The second plan is read attribute by
// attribute, not by its exit code: on a state made up this way the
// provider plans an in-place update of aws_db_instance that changes no
// attribute (with the old fixed name too), which says nothing about AWS.
// What no offline test shows is RDS using the name at delete (run time).
func TestFinalSnapshotNameStable(t *testing.T) {
	skipInShortMode(t)
	tf := requireTerraform(t)
	doc := stackDoc(t, synthAll(t), "staging")
	db, _ := jsondoc.At(doc, "resource", "aws_db_instance", "postgres").(map[string]any)
	if db == nil {
		t.Fatal("staging has no aws_db_instance.postgres")
	}
	name, _ := db["final_snapshot_identifier"].(string)
	if !strings.Contains(name, "timestamp()") {
		t.Fatalf("final_snapshot_identifier = %q; want a name ending in the create time", name)
	}
	delete(db, "depends_on")
	instance := literalReferences(db).(map[string]any)
	config := map[string]any{
		"terraform": map[string]any{"required_providers": jsondoc.At(doc, "terraform", "required_providers")},
		"provider":  doc["provider"],
		"resource":  map[string]any{"aws_db_instance": map[string]any{"postgres": instance}},
	}

	dir := filepath.Join(workDir, "final-snapshot")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), config)
	if err := os.WriteFile(filepath.Join(dir, "provider_override.tf.json"), []byte(offlineProvider), 0o644); err != nil {
		t.Fatal(err)
	}
	mustTF(t, tf, dir, "init", "-input=false", "-no-color", "-plugin-dir="+pluginDir())

	// The create: the name is known only after apply.
	create := snapshotNameChange(t, tf, dir)
	if create.Actions != "create" || !create.Unknown {
		t.Fatalf("create plan: %+v; want create with the name known after apply", create)
	}
	schema := providerSchemas(t, tf, dir)["aws_db_instance"]
	attrs := fillUnknown(create.After, create.AfterUnknown, schema.Block, "aws_db_instance.postgres").(map[string]any)
	made, _ := attrs["final_snapshot_identifier"].(string)
	writeJSON(t, filepath.Join(dir, "terraform.tfstate"), map[string]any{
		"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "0f0f0f0f-e2e0-4b00-8000-000000000002", "outputs": map[string]any{},
		"resources": []any{map[string]any{
			"mode": "managed", "type": "aws_db_instance", "name": "postgres", "provider": `provider["registry.terraform.io/hashicorp/aws"]`,
			"instances": []any{map[string]any{"schema_version": schema.Version, "attributes": attrs, "sensitive_attributes": []any{}}},
		}},
	})

	for _, c := range []struct {
		name       string
		ignore     bool
		wantKeeps  bool
		wantChange string
	}{
		{"as synthesized (ignore_changes)", true, true, "the created name, unchanged"},
		{"without ignore_changes", false, false, "a new name known after apply"},
	} {
		lifecycle, _ := instance["lifecycle"].(map[string]any)
		if !c.ignore {
			delete(lifecycle, "ignore_changes")
		}
		writeJSON(t, filepath.Join(dir, "cdk.tf.json"), config)
		next := snapshotNameChange(t, tf, dir)
		keeps := !next.Unknown && next.Before == made && next.Name == made
		if keeps != c.wantKeeps {
			t.Errorf("%s: second plan has final_snapshot_identifier %q -> %q (known after apply: %v); want %s (%q)",
				c.name, next.Before, next.Name, next.Unknown, c.wantChange, made)
		}
	}
}

// snapshotChange is what a plan does to aws_db_instance.postgres and its
// final snapshot name.
type snapshotChange struct {
	Actions      string
	Before, Name string
	Unknown      bool
	After        map[string]any
	AfterUnknown map[string]any
}

// snapshotNameChange plans dir (its state, no refresh) and reads the
// instance's change.
func snapshotNameChange(t *testing.T, tf, dir string) snapshotChange {
	t.Helper()
	mustTF(t, tf, dir, "plan", "-refresh=false", "-input=false", "-no-color", "-lock=false", "-out=snapshot.plan")
	raw, err := runTerraform(context.Background(), tf, dir, "show", "-json", "snapshot.plan")
	if err != nil {
		t.Fatalf("terraform show -json: %v\n%s", err, raw)
	}
	var plan map[string]any
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	change, _ := jsondoc.At(plan, "resource_changes", 0, "change").(map[string]any)
	if change == nil {
		t.Fatal("the plan has no change for aws_db_instance.postgres")
	}
	var c snapshotChange
	actions, _ := change["actions"].([]any)
	for _, a := range actions {
		c.Actions += fmt.Sprint(a)
	}
	c.After, _ = change["after"].(map[string]any)
	c.AfterUnknown, _ = change["after_unknown"].(map[string]any)
	c.Before, _ = jsondoc.At(change, "before", "final_snapshot_identifier").(string)
	c.Name, _ = c.After["final_snapshot_identifier"].(string)
	c.Unknown = c.AfterUnknown["final_snapshot_identifier"] == true
	return c
}

// literalReferences returns v with every string that references another
// resource ("${aws_...}") replaced by a literal of the shape the provider
// validates: a key ARN for key attributes, a security group id, a name.
func literalReferences(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if s, ok := e.(string); ok && strings.Contains(s, "${aws_") {
				switch {
				case strings.Contains(k, "kms_key_id"):
					e = "arn:aws:kms:sa-east-1:222222222222:key/00000000-0000-4000-8000-000000000000"
				default:
					e = "fastshop-" + strings.ReplaceAll(k, "_", "-")
				}
			} else {
				e = literalReferences(e)
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok && strings.Contains(s, "${aws_security_group") {
				e = "sg-00000000000000000"
			}
			out[i] = literalReferences(e)
		}
		return out
	}
	return v
}
