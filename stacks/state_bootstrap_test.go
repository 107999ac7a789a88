package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/internal/jsondoc"
	"fastshop/stacks/config"
)

// emptyProcessEnv is a process environment with nothing set: every default applies.
func emptyProcessEnv(string) string { return "" }

var (
	bootstrapOnce sync.Once
	bootstrapDoc  map[string]any
	bootstrapCfg  config.Config
)

// synthBootstrap synthesizes the bootstrap stack with the default
// configuration once per test binary (the jsii kernel is slow to start and
// not goroutine-safe).
func synthBootstrap(t *testing.T) (config.Config, map[string]any) {
	t.Helper()
	bootstrapOnce.Do(func() {
		c, err := config.Select(emptyProcessEnv)
		if err := errors.Join(err, c.Validate()); err != nil || c.Bootstrap == nil {
			panic(fmt.Sprintf("default configuration has no valid bootstrap: %v", err))
		}
		app := cdktf.Testing_App(nil)
		stack := NewStateBootstrap(app, c.State, *c.Bootstrap)
		raw := *cdktf.Testing_Synth(stack, jsii.Bool(true))
		if err := json.Unmarshal([]byte(raw), &bootstrapDoc); err != nil {
			panic("bootstrap JSON does not parse: " + err.Error())
		}
		bootstrapCfg = c
	})
	if bootstrapDoc == nil {
		t.Fatal("bootstrap synthesis failed earlier in this test binary")
	}
	return bootstrapCfg, bootstrapDoc
}

// TestStateBootstrapMatchesBackends: the bucket the bootstrap creates, its
// region and its key alias are exactly what every pipeline stack's backend
// names. A mismatch would send the first cdktf deploy to a bucket that does
// not exist.
func TestStateBootstrapMatchesBackends(t *testing.T) {
	_, doc := synthBootstrap(t)
	bucket := jsondoc.At(doc, "resource", "aws_s3_bucket", "terraform_state", "bucket")
	region := jsondoc.At(doc, "provider", "aws", 0, "region")
	alias := jsondoc.At(doc, "resource", "aws_kms_alias", "state_key", "name")
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			backend := jsondoc.At(s.JSON, "terraform", "backend", "s3")
			if backend == nil {
				t.Fatalf("%s: no S3 backend", s.Env.Name)
			}
			for _, c := range []struct {
				what      string
				backend   any
				bootstrap any
			}{
				{"bucket", jsondoc.At(backend, "bucket"), bucket},
				{"region", jsondoc.At(backend, "region"), region},
				{"kms_key_id", jsondoc.At(backend, "kms_key_id"), alias},
			} {
				if c.backend == nil || c.backend != c.bootstrap {
					t.Errorf("%s: backend %s is %v; the state bootstrap creates %v", s.Env.Name, c.what, c.backend, c.bootstrap)
				}
			}
		})
	}
}

// TestStateBootstrapAddresses pins the construct ids: renaming one plans
// the state bucket's or the key's destruction.
func TestStateBootstrapAddresses(t *testing.T) {
	_, doc := synthBootstrap(t)
	// A state-access role and its policy per permanent environment, named
	// after it; the rest once.
	var want []string
	for _, env := range config.PermanentNames() {
		want = append(want, "aws_iam_role.state_access_"+env, "aws_iam_role_policy.state_access_"+env+"_policy")
	}
	want = append(want,
		"aws_kms_alias.state_key",
		"aws_kms_key.state",
		"aws_s3_bucket.access_logs",
		"aws_s3_bucket.terraform_state",
		"aws_s3_bucket_lifecycle_configuration.access_logs_lifecycle",
		"aws_s3_bucket_lifecycle_configuration.terraform_state_lifecycle",
		"aws_s3_bucket_logging.terraform_state_logging",
		"aws_s3_bucket_ownership_controls.access_logs_ownership",
		"aws_s3_bucket_ownership_controls.terraform_state_ownership",
		"aws_s3_bucket_policy.access_logs_policy",
		"aws_s3_bucket_policy.terraform_state_policy",
		"aws_s3_bucket_public_access_block.access_logs_public_access",
		"aws_s3_bucket_public_access_block.terraform_state_public_access",
		"aws_s3_bucket_server_side_encryption_configuration.access_logs_encryption",
		"aws_s3_bucket_server_side_encryption_configuration.terraform_state_encryption",
		"aws_s3_bucket_versioning.access_logs_versioning",
		"aws_s3_bucket_versioning.terraform_state_versioning",
	)
	slices.Sort(want)
	var got []string
	resources := root(t, "state-bootstrap:", doc).Key("resource")
	for _, typ := range resources.Keys() {
		for _, name := range resources.Key(typ).Keys() {
			got = append(got, typ+"."+name)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("bootstrap resource addresses changed:\n got %v\nwant %v", got, want)
	}
	for _, out := range []string{"s3_bucket_id", "s3_bucket_arn", "s3_bucket_region", "kms_key_arn", "kms_key_id", "kms_alias_name", "s3_bucket_access_logs_id"} {
		if jsondoc.At(doc, "output", out, "description") == nil {
			t.Errorf("output %s missing or undescribed", out)
		}
	}
	outputs, _ := jsondoc.At(doc, "output").(map[string]any)
	for name, o := range outputs {
		if problem := outputNameProblem(name, jsondoc.At(o, "value")); problem != "" {
			t.Errorf("bootstrap output %s: %s", name, problem)
		}
	}
}

// TestStateBootstrapSecurity checks, bucket by bucket, the controls the
// state depends on.
func TestStateBootstrapSecurity(t *testing.T) {
	b, doc := synthBootstrap(t)
	res := func(typ, name string) any { return jsondoc.At(doc, "resource", typ, name) }
	buckets := []struct {
		id, name, sse string
	}{
		{"terraform_state", b.State.Bucket, "aws:kms"},
		// S3 server access logs can only be delivered to SSE-S3 buckets.
		{"access_logs", b.State.AccessLogBucket(), "AES256"},
	}
	for _, bk := range buckets {
		ref := "${aws_s3_bucket." + bk.id + ".bucket}"
		if got := jsondoc.At(res("aws_s3_bucket", bk.id), "bucket"); got != bk.name {
			t.Errorf("%s: bucket name %v; want %s", bk.id, got, bk.name)
		}
		if jsondoc.At(res("aws_s3_bucket", bk.id), "lifecycle", "prevent_destroy") != true {
			t.Errorf("%s: no prevent_destroy", bk.id)
		}
		checks := []struct {
			what string
			got  any
			want any
		}{
			{"versioning", jsondoc.At(res("aws_s3_bucket_versioning", bk.id+"_versioning"), "versioning_configuration", 0, "status"), "Enabled"},
			{"versioning bucket", jsondoc.At(res("aws_s3_bucket_versioning", bk.id+"_versioning"), "bucket"), ref},
			{"default encryption", jsondoc.At(res("aws_s3_bucket_server_side_encryption_configuration", bk.id+"_encryption"), "rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"), bk.sse},
			{"ownership", jsondoc.At(res("aws_s3_bucket_ownership_controls", bk.id+"_ownership"), "rule", 0, "object_ownership"), "BucketOwnerEnforced"},
			{"lifecycle status", jsondoc.At(res("aws_s3_bucket_lifecycle_configuration", bk.id+"_lifecycle"), "rule", 0, "status"), "Enabled"},
			{"noncurrent expiry", jsondoc.At(res("aws_s3_bucket_lifecycle_configuration", bk.id+"_lifecycle"), "rule", 0, "noncurrent_version_expiration", 0, "noncurrent_days"), float64(b.Bootstrap.NoncurrentVersionDays)},
			{"abort uploads", jsondoc.At(res("aws_s3_bucket_lifecycle_configuration", bk.id+"_lifecycle"), "rule", 0, "abort_incomplete_multipart_upload", 0, "days_after_initiation"), float64(b.Bootstrap.AbortIncompleteUploadDays)},
		}
		for _, flag := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			checks = append(checks, struct {
				what string
				got  any
				want any
			}{flag, jsondoc.At(res("aws_s3_bucket_public_access_block", bk.id+"_public_access"), flag), true})
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: %s is %v; want %v", bk.id, c.what, c.got, c.want)
			}
		}

		policy := decodeStatements(t, bk.id, jsondoc.At(res("aws_s3_bucket_policy", bk.id+"_policy"), "policy"))
		tls := statementBySid(policy, "DenyInsecureTransport")
		if tls == nil || tls["Effect"] != "Deny" || jsondoc.At(tls, "Condition", "Bool", "aws:SecureTransport") != "false" {
			t.Errorf("%s: bucket policy does not deny requests without TLS: %v", bk.id, policy)
		}
	}

	sse := jsondoc.At(res("aws_s3_bucket_server_side_encryption_configuration", "terraform_state_encryption"), "rule", 0)
	if jsondoc.At(sse, "apply_server_side_encryption_by_default", 0, "kms_master_key_id") != config.StateKeyAlias || jsondoc.At(sse, "bucket_key_enabled") != true {
		t.Errorf("state bucket is not encrypted by default with %s and a bucket key: %v", config.StateKeyAlias, sse)
	}
	policy := decodeStatements(t, "terraform_state", jsondoc.At(res("aws_s3_bucket_policy", "terraform_state_policy"), "policy"))
	if s := statementBySid(policy, "DenyObjectsNotEncryptedWithKMS"); s == nil ||
		jsondoc.At(s, "Condition", "StringNotEquals", "s3:x-amz-server-side-encryption") != "aws:kms" {
		t.Errorf("state bucket policy does not refuse uploads without SSE-KMS: %v", policy)
	}
	logging := res("aws_s3_bucket_logging", "terraform_state_logging")
	if jsondoc.At(logging, "target_bucket") != "${aws_s3_bucket.access_logs.bucket}" || jsondoc.At(logging, "bucket") != "${aws_s3_bucket.terraform_state.bucket}" {
		t.Errorf("state bucket does not log to the access log bucket: %v", logging)
	}
	logPolicy := decodeStatements(t, "access_logs", jsondoc.At(res("aws_s3_bucket_policy", "access_logs_policy"), "policy"))
	if s := statementBySid(logPolicy, "ServerAccessLogsFromStateBucket"); s == nil ||
		jsondoc.At(s, "Principal", "Service") != "logging.s3.amazonaws.com" ||
		jsondoc.At(s, "Condition", "ArnLike", "aws:SourceArn") != "arn:aws:s3:::"+b.State.Bucket ||
		jsondoc.At(s, "Condition", "StringEquals", "aws:SourceAccount") != b.State.AccountID {
		t.Errorf("access log bucket does not admit only the state bucket's log delivery: %v", logPolicy)
	}

	key := res("aws_kms_key", "state")
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"rotation", jsondoc.At(key, "enable_key_rotation"), true},
		{"deletion window", jsondoc.At(key, "deletion_window_in_days"), float64(config.StateKMSDeletionWindowDays)},
		{"prevent_destroy", jsondoc.At(key, "lifecycle", "prevent_destroy"), true},
	} {
		if c.got != c.want {
			t.Errorf("state key: %s is %v; want %v", c.what, c.got, c.want)
		}
	}
	keyPolicy := decodeStatements(t, "state key", jsondoc.At(key, "policy"))
	for _, s := range keyPolicy {
		if p := jsondoc.At(s, "Principal", "AWS"); p != "arn:aws:iam::"+b.State.AccountID+":root" {
			t.Errorf("state key policy statement %v names principal %v; want only the state account", s["Sid"], p)
		}
	}
	use := statementBySid(keyPolicy, "UseThroughServices")
	via := root(t, "state key policy UseThroughServices", use).Key("Condition").Key("StringEquals").Key("kms:ViaService").Strings()
	if !slices.Equal(via, []string{"s3." + b.State.Region + ".amazonaws.com"}) {
		t.Errorf("state key is usable through %v; want only S3 in %s", via, b.State.Region)
	}
}

// decodeStatements parses a policy document held as a JSON string.
func decodeStatements(t *testing.T, owner string, policy any) []map[string]any {
	t.Helper()
	s, ok := policy.(string)
	if !ok {
		t.Fatalf("%s: policy is %T, want a JSON string", owner, policy)
	}
	var doc struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("%s: policy does not parse: %v", owner, err)
	}
	return doc.Statement
}

// statementBySid returns the statement with the given Sid, or nil.
func statementBySid(statements []map[string]any, sid string) map[string]any {
	for _, s := range statements {
		if s["Sid"] == sid {
			return s
		}
	}
	return nil
}

// equalJSON compares a decoded JSON value with a Go value by their JSON.
func equalJSON(got, want any) bool {
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	return err1 == nil && err2 == nil && string(g) == string(w)
}

// TestStateBootstrapCreateOrder walks depends_on: every permission a
// service checks when a resource is created must exist before it. S3
// refuses PutBucketLogging (InvalidTargetBucketForLogging) unless the
// target bucket's policy already admits logging.s3.amazonaws.com, and
// with bucket-owner-enforced ownership nothing else can; default
// encryption that names the key by alias needs the alias.
func TestStateBootstrapCreateOrder(t *testing.T) {
	_, doc := synthBootstrap(t)
	resources := root(t, "state-bootstrap:", doc).Key("resource")
	// byBucket finds the resources of a type that configure a bucket.
	byBucket := func(typ, bucketRef string) []string {
		var out []string
		all := resources.Opt(typ)
		for _, name := range all.Keys() {
			if all.Key(name).Opt("bucket").Str() == bucketRef {
				out = append(out, typ+"."+name)
			}
		}
		return out
	}
	logging := resources.Opt("aws_s3_bucket_logging")
	if len(logging.Keys()) == 0 {
		t.Fatal("no aws_s3_bucket_logging in the bootstrap")
	}
	for _, name := range logging.Keys() {
		body := logging.Key(name)
		target := body.Key("target_bucket").Str()
		var need []string
		for _, typ := range []string{"aws_s3_bucket_policy", "aws_s3_bucket_ownership_controls"} {
			found := byBucket(typ, target)
			if len(found) == 0 {
				t.Errorf("aws_s3_bucket_logging.%s: target %s has no %s", name, target, typ)
			}
			need = append(need, found...)
		}
		have := body.Opt("depends_on").Strings()
		for _, n := range need {
			if !slices.Contains(have, n) {
				t.Errorf("aws_s3_bucket_logging.%s does not depend on %s (depends_on %v): S3 refuses the logging target until it exists", name, n, have)
			}
		}
	}
	encryption := resources.Opt("aws_s3_bucket_server_side_encryption_configuration")
	aliases := resources.Opt("aws_kms_alias")
	for _, name := range encryption.Keys() {
		body := encryption.Key(name)
		key := body.Key("rule").Index(0).Key("apply_server_side_encryption_by_default").Opt("kms_master_key_id").Str()
		if !strings.HasPrefix(key, "alias/") {
			continue
		}
		for _, aliasName := range aliases.Keys() {
			if aliases.Key(aliasName).Key("name").Str() == key && !slices.Contains(body.Opt("depends_on").Strings(), "aws_kms_alias."+aliasName) {
				t.Errorf("%s names %s but does not depend on aws_kms_alias.%s", body.path, key, aliasName)
			}
		}
	}
}

// TestStateBootstrapBackend: by default the bootstrap keeps its state in
// the bucket it created, with the same encryption and lock settings as the
// pipeline backends; the first-apply setting gives a local backend, and
// nothing else in the output differs, so migrating between the two plans
// no change.
func TestStateBootstrapBackend(t *testing.T) {
	b, doc := synthBootstrap(t)
	backend := jsondoc.At(doc, "terraform", "backend", "s3")
	for _, c := range []struct {
		what string
		want any
	}{
		{"bucket", b.State.Bucket},
		{"region", b.State.Region},
		{"key", "fastshop/" + config.BootstrapID + "/terraform.tfstate"},
		{"encrypt", true},
		{"kms_key_id", config.StateKeyAlias},
		{"use_lockfile", true},
	} {
		if got := jsondoc.At(backend, c.what); got != c.want {
			t.Errorf("bootstrap S3 backend %s = %v; want %v", c.what, got, c.want)
		}
	}
	if role := jsondoc.At(backend, "assume_role"); role != nil {
		t.Errorf("bootstrap backend assumes %v; the operator already holds state-account credentials", role)
	}
	if other := jsondoc.At(doc, "terraform", "backend", "local"); other != nil {
		t.Errorf("bootstrap has a local backend besides S3: %v", other)
	}
	// Every other setting is the pipelines' (one function writes both).
	pipeline := synthAll(t)[0].doc(t).Key("terraform").Key("backend").Key("s3").object()
	for k, v := range pipeline {
		if k == "key" || k == "assume_role" {
			continue
		}
		if !equalJSON(jsondoc.At(backend, k), v) {
			t.Errorf("bootstrap backend %s = %v; the pipeline backends use %v", k, jsondoc.At(backend, k), v)
		}
	}

	local := *b.Bootstrap
	local.LocalState = true
	raw := *cdktf.Testing_Synth(NewStateBootstrap(cdktf.Testing_App(nil), b.State, local), jsii.Bool(true))
	var localDoc map[string]any
	if err := json.Unmarshal([]byte(raw), &localDoc); err != nil {
		t.Fatal(err)
	}
	if got := jsondoc.At(localDoc, "terraform", "backend"); !equalJSON(got, map[string]any{"local": map[string]any{"path": config.BootstrapStatePath}}) {
		t.Errorf("first-apply bootstrap backend is %v; want only local state at %s", got, config.BootstrapStatePath)
	}
	for _, part := range []string{"resource", "provider", "output"} {
		if !equalJSON(localDoc[part], doc[part]) {
			t.Errorf("first-apply bootstrap differs from the default in %s: a migration would plan changes", part)
		}
	}
	if !equalJSON(jsondoc.At(localDoc, "terraform", "required_providers"), jsondoc.At(doc, "terraform", "required_providers")) {
		t.Errorf("first-apply bootstrap pins other providers")
	}
}
