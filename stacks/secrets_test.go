package stacks

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// secretAttribute matches an attribute that would carry a secret value.
var secretAttribute = regexp.MustCompile(`"(password|master_password|auth_token|secret_key|access_key|token|passwords)"\s*:`)

// secretWords are fragments of a literal secret or a placeholder for one.
var secretWords = []string{"ChangeMe", "BEGIN RSA PRIVATE KEY", "AKIA"}

// secretsIn returns what in a stack's Terraform JSON looks like a literal
// secret: an attribute named for one, or a fragment of one.
func secretsIn(raw string) []string {
	found := secretAttribute.FindAllString(raw, -1)
	for _, w := range secretWords {
		if strings.Contains(raw, w) {
			found = append(found, w)
		}
	}
	return found
}

// TestNoSecretLiterals: no stack, the state bootstrap included, sets a
// password, token or key attribute or holds what looks like a key or a
// placeholder password; secrets belong in Secrets Manager (RDS manages its
// own) or IAM auth. The checker is proven on bad samples first.
func TestNoSecretLiterals(t *testing.T) {
	for _, bad := range []string{`{"auth_token": "s3cret"}`, `"password":"ChangeMe123!"`, `{"tags":{"k":"AKIAIOSFODNN7EXAMPLE"}}`} {
		if len(secretsIn(bad)) == 0 {
			t.Fatalf("the secret checker misses %s; fix it", bad)
		}
	}
	_, bootstrap := synthBootstrap(t)
	raw, err := json.Marshal(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{config.BootstrapID: string(raw)}
	for _, s := range synthAll(t) {
		docs[s.Env.Name] = s.Raw
	}
	for name, doc := range docs {
		if found := secretsIn(doc); len(found) > 0 {
			t.Errorf("%s: the synthesized stack holds %q; secrets belong in Secrets Manager or IAM auth", name, found)
		}
	}
}
