package config

import (
	"slices"
	"strings"
	"testing"
)

// TestStateSettings breaks one process setting of the state backend at a
// time; each is refused once, naming the process variable, whatever the
// number of environments.
func TestStateSettings(t *testing.T) {
	cases := []struct {
		name  string
		vars  map[string]string
		field string
		value any
	}{
		{"bucket", map[string]string{VarStateBucket: "Fast_Shop"}, VarStateBucket, "Fast_Shop"},
		{"bucket reserved suffix", map[string]string{VarStateBucket: "fastshop-state--ol-s3"}, VarStateBucket, "fastshop-state--ol-s3"},
		{"region", map[string]string{VarStateRegion: "sao-paulo"}, VarStateRegion, "sao-paulo"},
		{"account", map[string]string{VarStateAccountID: "not-an-account"}, VarStateAccountID, "not-an-account"},
		{"kind", map[string]string{VarStateBackend: "consul"}, VarStateBackend, "consul"},
		{"cloud without organization", map[string]string{VarStateBackend: BackendCloud, VarCloudProject: "fastshop"}, VarCloudOrganization, ""},
		{"cloud without project", map[string]string{VarStateBackend: BackendCloud, VarCloudOrganization: "acme"}, VarCloudProject, ""},
		{"bad organization", map[string]string{VarStateBackend: BackendCloud, VarCloudOrganization: "acme corp", VarCloudProject: "fastshop"}, VarCloudOrganization, "acme corp"},
		{"bad project", map[string]string{VarStateBackend: BackendCloud, VarCloudOrganization: "acme", VarCloudProject: " fastshop"}, VarCloudProject, " fastshop"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := selectAndValidate(c.vars)
			var found []*FieldError
			for _, fe := range fieldErrors(t, err) {
				if fe.Field == c.field {
					found = append(found, fe)
				}
			}
			if len(found) != 1 || found[0].Value != c.value || found[0].Environment != "" {
				t.Errorf("%v: want one FieldError for %s = %v naming no environment; got %v", c.vars, c.field, c.value, err)
			}
		})
	}
}

// TestSelectBootstrapFollowsBackend: overrides of the state bucket and
// region reach the bootstrap through the same value the backends get, and
// a cloud backend needs no bootstrap.
func TestSelectBootstrapFollowsBackend(t *testing.T) {
	vars := map[string]string{VarStateBucket: "acme-tf-state", VarStateRegion: "sa-east-1", VarStateAccountID: "555555555555"}
	c, err := selectAndValidate(vars)
	if err != nil || c.Bootstrap == nil {
		t.Fatalf("%v: %v, bootstrap %v; want a bootstrap", vars, err, c.Bootstrap)
	}
	if c.State.Bucket != "acme-tf-state" || c.State.AccountID != "555555555555" || c.State.AccessLogBucket() != "acme-tf-state-access-logs" {
		t.Errorf("%v gave %+v, log bucket %s", vars, c.State, c.State.AccessLogBucket())
	}
	var tenants []string
	for _, tn := range c.Bootstrap.Tenants {
		tenants = append(tenants, tn.Name)
	}
	if got := strings.Join(tenants, ","); got != strings.Join(PermanentNames(), ",") {
		t.Errorf("tenants %s; want every permanent environment", got)
	}
	cloud := map[string]string{VarStateBackend: BackendCloud, VarCloudOrganization: "fastshop", VarCloudProject: "fastshop"}
	if c, err := selectAndValidate(cloud); err != nil || c.Bootstrap != nil {
		t.Errorf("cloud backend: bootstrap %v, %v; want none (Terraform Cloud keeps state)", c.Bootstrap, err)
	}
}

// TestSelectBootstrapBackend reads FASTSHOP_STATE_BOOTSTRAP_BACKEND.
func TestSelectBootstrapBackend(t *testing.T) {
	cases := []struct {
		name   string
		vars   map[string]string
		local  bool
		refuse bool
	}{
		{"default is the bucket", nil, false, false},
		{"s3", map[string]string{VarStateBootstrapBackend: BootstrapStateS3}, false, false},
		{"first apply", map[string]string{VarStateBootstrapBackend: BootstrapStateLocal}, true, false},
		{"unknown value", map[string]string{VarStateBootstrapBackend: "gcs"}, false, true},
		{"with Terraform Cloud", map[string]string{VarStateBootstrapBackend: BootstrapStateLocal, VarStateBackend: BackendCloud, VarCloudOrganization: "fastshop", VarCloudProject: "fastshop"}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := selectAndValidate(c.vars)
			if c.refuse {
				if !hasField(t, err, "", VarStateBootstrapBackend) {
					t.Fatalf("%v: %v; want a FieldError for %s", c.vars, err, VarStateBootstrapBackend)
				}
				return
			}
			if err != nil || cfg.Bootstrap == nil || cfg.Bootstrap.LocalState != c.local {
				t.Fatalf("%v: %v, %+v; want LocalState %v", c.vars, err, cfg.Bootstrap, c.local)
			}
		})
	}
}

// TestBootstrapValidate pairs the default bootstrap with broken ones; each
// refusal is a FieldError of the bootstrap naming the field.
func TestBootstrapValidate(t *testing.T) {
	devDeploy := []string{"arn:aws:iam::111111111111:role/fastshop-deploy"}
	good := Bootstrap{
		NoncurrentVersionDays: 90, AbortIncompleteUploadDays: 7, AccessLogRetentionDays: 400,
		Tenants: []Tenant{{Name: Dev, AccountID: "111111111111", DeployPrincipals: devDeploy}},
	}
	if errs := good.validate(defaultState()); len(errs) > 0 {
		t.Fatalf("default bootstrap refused: %v", errs)
	}
	cases := []struct {
		name   string
		state  func(*StateBackend)
		change func(*Bootstrap)
		env    string // the environment a tenant's problem names; BootstrapID for the bootstrap's own settings
		field  string
	}{
		{"bucket too long for its log bucket", func(s *StateBackend) { s.Bucket = strings.Repeat("a", 52) }, nil, "", VarStateBucket},
		{"tenant without deploy roles", nil, func(b *Bootstrap) { b.Tenants = []Tenant{{Name: Dev, AccountID: "111111111111"}} }, Dev, "StateDeployPrincipals"},
		{"tenant deploy role in another account", nil, func(b *Bootstrap) {
			b.Tenants = []Tenant{{Name: Dev, AccountID: "111111111111", DeployPrincipals: []string{"arn:aws:iam::222222222222:role/fastshop-deploy"}}}
		}, Dev, "StateDeployPrincipals"},
		{"tenant named like the bootstrap", nil, func(b *Bootstrap) {
			b.Tenants = []Tenant{{Name: BootstrapID, AccountID: "111111111111", DeployPrincipals: devDeploy}}
		}, BootstrapID, "Name"},
		{"tenant listed twice", nil, func(b *Bootstrap) { b.Tenants = append(slices.Clone(b.Tenants), b.Tenants[0]) }, Dev, "Name"},
		{"noncurrent versions", nil, func(b *Bootstrap) { b.NoncurrentVersionDays = 1 }, BootstrapID, "NoncurrentVersionDays"},
		{"uploads", nil, func(b *Bootstrap) { b.AbortIncompleteUploadDays = 0 }, BootstrapID, "AbortIncompleteUploadDays"},
		{"access logs", nil, func(b *Bootstrap) { b.AccessLogRetentionDays = 30 }, BootstrapID, "AccessLogRetentionDays"},
		{"no tenants", nil, func(b *Bootstrap) { b.Tenants = nil }, BootstrapID, "environments table"},
		{"tenant account", nil, func(b *Bootstrap) {
			b.Tenants = []Tenant{{Name: Dev, AccountID: "x", DeployPrincipals: devDeploy}}
		}, Dev, "AccountID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, s := good, defaultState()
			if c.change != nil {
				c.change(&b)
			}
			if c.state != nil {
				c.state(&s)
			}
			cfg := Config{State: s, Bootstrap: &b}
			if !hasField(t, cfg.Validate(), c.env, c.field) {
				t.Errorf("%+v: %v; want a FieldError of %q for %s", b, cfg.Validate(), c.env, c.field)
			}
		})
	}
}
