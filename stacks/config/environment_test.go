package config

import (
	"strings"
	"testing"
)

func TestEnvironmentsAreValid(t *testing.T) {
	if err := validateSet(testEnvironments()); err != nil {
		t.Fatalf("the shipped environments do not validate:\n%v", err)
	}
	var names []string
	for _, e := range Environments() {
		names = append(names, e.Name)
	}
	if got := strings.Join(names, ","); got != "dev,staging,prod" {
		t.Errorf("environments in synth order = %s; want dev,staging,prod", got)
	}
}

// TestEnvironmentBaselines pins the values the issue asks of each
// environment, so a change to the table is a deliberate one.
func TestEnvironmentBaselines(t *testing.T) {
	for _, e := range testEnvironments() {
		if e.Region != "sa-east-1" {
			t.Errorf("%s: Region = %s; customer data stays in sa-east-1", e.Name, e.Region)
		}
		if len(e.AvailabilityZones) < 2 {
			t.Errorf("%s: %d AZs; want at least 2", e.Name, len(e.AvailabilityZones))
		}
	}
	prod := envOf(t, Prod)
	checks := []struct {
		field string
		ok    bool
	}{
		{"AvailabilityZones == 3", len(prod.AvailabilityZones) == 3},
		{"Egress none", prod.Egress == EgressNone},
		{"LogRetentionDays >= 180", prod.LogRetentionDays >= 180},
		{"KMSDeletionWindowDays == 30", prod.KMSDeletionWindowDays == 30},
		{"StreamOnDemand", prod.StreamOnDemand},
		{"StreamRetentionHours >= 168", prod.StreamRetentionHours >= 168},
		{"DBMultiAZ", prod.DBMultiAZ},
		{"DBDeletionProtection", prod.DBDeletionProtection},
		{"!DBSkipFinalSnapshot", !prod.DBSkipFinalSnapshot},
		{"!DBDeleteAutomatedBackups", !prod.DBDeleteAutomatedBackups},
		{"DBBackupRetentionDays >= 7", prod.DBBackupRetentionDays >= 7},
		{"CacheSnapshotRetentionDays >= 1", prod.CacheSnapshotRetentionDays >= 1},
		{"PreventDestroy", prod.PreventDestroy},
		{"no Relaxations", len(prod.Relaxations) == 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("prod: want %s", c.field)
		}
	}
	if staging := envOf(t, Staging); staging.Egress != EgressNone {
		t.Errorf("staging: Egress = %s; want none (processors reach AWS through endpoints)", staging.Egress)
	}
	dev := envOf(t, Dev)
	if dev.StreamOnDemand || dev.StreamShardCount != 1 {
		t.Errorf("dev: want one provisioned shard; got on-demand=%v shards=%d", dev.StreamOnDemand, dev.StreamShardCount)
	}
}

// validationCase breaks one setting of a permanent environment and lists
// what the refusal must say.
type validationCase struct {
	name   string
	base   string
	mutate func(*Environment)
	want   []string
}

// expectRejected runs validation cases: each must be refused with a
// message containing every wanted fragment.
func expectRejected(t *testing.T, cases []validationCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := envOf(t, c.base)
			c.mutate(&env)
			err := validateEnv(env)
			if err == nil {
				t.Fatalf("%s: Validate accepted %s", c.base, c.name)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: message lacks %q:\n%v", c.base, w, err)
				}
			}
		})
	}
}

// TestValidateRejects breaks one setting at a time and expects a message
// naming the environment, the field and what is allowed.
func TestValidateRejects(t *testing.T) {
	cases := []validationCase{
		{"unknown environment", Dev, func(e *Environment) { e.Name = "qa" }, []string{`"qa"`, "Name", "dev, staging, prod"}},
		{"account id", Dev, func(e *Environment) { e.AccountID = "12345" }, []string{"AccountID", "12 digits"}},
		{"region format", Dev, func(e *Environment) { e.Region = "brazil" }, []string{"Region", "brazil"}},
		{"region outside residency", Dev, func(e *Environment) {
			e.Region = "us-east-1"
			e.AvailabilityZones = []string{"us-east-1a", "us-east-1b"}
		}, []string{"Region", "us-east-1", "DataTransferBasis", "art. 33"}},
		{"fewer than 2 AZs", Dev, func(e *Environment) { e.AvailabilityZones = []string{"sa-east-1a"} }, []string{"AvailabilityZones", "2 to 6"}},
		{"prod with 2 AZs", Prod, func(e *Environment) { e.AvailabilityZones = e.AvailabilityZones[:2] }, []string{`"prod"`, "AvailabilityZones", "3 to 6"}},
		{"AZ outside region", Dev, func(e *Environment) { e.AvailabilityZones = []string{"sa-east-1a", "us-east-1b"} }, []string{"us-east-1b", "a zone of region sa-east-1"}},
		{"duplicate AZ", Dev, func(e *Environment) { e.AvailabilityZones = []string{"sa-east-1a", "sa-east-1a"} }, []string{"sa-east-1a", "listed twice"}},
		{"CIDR syntax", Dev, func(e *Environment) { e.VPCCIDR = "10.10.0.0/33" }, []string{"VPCCIDR", "IPv4 CIDR"}},
		{"CIDR host bits", Dev, func(e *Environment) { e.VPCCIDR = "10.10.1.0/16" }, []string{"VPCCIDR", "host bits", "10.10.0.0/16"}},
		{"CIDR too large", Dev, func(e *Environment) { e.VPCCIDR = "10.0.0.0/8" }, []string{"VPCCIDR", "/16 to /24"}},
		{"CIDR public", Dev, func(e *Environment) { e.VPCCIDR = "8.8.0.0/16" }, []string{"VPCCIDR", "private range"}},
		{"log retention", Dev, func(e *Environment) { e.LogRetentionDays = 10 }, []string{"LogRetentionDays", "CloudWatch"}},
		{"prod log retention", Prod, func(e *Environment) { e.LogRetentionDays = 90 }, []string{"LogRetentionDays", "prod may not relax", "at least 180"}},
		{"KMS window", Dev, func(e *Environment) { e.KMSDeletionWindowDays = 3 }, []string{"KMSDeletionWindowDays", "7 to 30"}},
		{"prod KMS window", Prod, func(e *Environment) { e.KMSDeletionWindowDays = 7 }, []string{"KMSDeletionWindowDays", "prod may not relax"}},
		{"stream retention low", Dev, func(e *Environment) { e.StreamRetentionHours = 23 }, []string{"StreamRetentionHours", "24 to 8760"}},
		{"stream retention high", Dev, func(e *Environment) { e.StreamRetentionHours = 8761 }, []string{"StreamRetentionHours", "24 to 8760"}},
		{"prod stream retention", Prod, func(e *Environment) { e.StreamRetentionHours = 48 }, []string{"StreamRetentionHours", "at least 168"}},
		{"shards with on-demand", Prod, func(e *Environment) { e.StreamShardCount = 2 }, []string{"StreamShardCount", "0 when StreamOnDemand"}},
		{"no shards", Dev, func(e *Environment) { e.StreamShardCount = 0 }, []string{"StreamShardCount", "1 to 500"}},
		{"instance class", Dev, func(e *Environment) { e.DBInstanceClass = "t3.micro" }, []string{"DBInstanceClass", "db.t4g.micro"}},
		{"minor version pinned", Dev, func(e *Environment) { e.DBEngineMajorVersion = "15.4" }, []string{"DBEngineMajorVersion", "15.4", "major version only"}},
		{"storage", Dev, func(e *Environment) { e.DBAllocatedStorageGiB = 10 }, []string{"DBAllocatedStorageGiB", "20 to 65536"}},
		{"max storage", Dev, func(e *Environment) { e.DBMaxAllocatedStorageGiB = 20 }, []string{"DBMaxAllocatedStorageGiB", "more than DBAllocatedStorageGiB"}},
		{"backups above 35", Staging, func(e *Environment) { e.DBBackupRetentionDays = 36 }, []string{"DBBackupRetentionDays", "0 to 35"}},
		{"backups negative", Dev, func(e *Environment) { e.DBBackupRetentionDays = -1 }, []string{"DBBackupRetentionDays", "0 to 35"}},
		{"prod backups", Prod, func(e *Environment) { e.DBBackupRetentionDays = 3 }, []string{"DBBackupRetentionDays", "prod may not relax", "at least 7"}},
		{"prod single AZ", Prod, func(e *Environment) { e.DBMultiAZ = false }, []string{"DBMultiAZ", "prod may not relax"}},
		{"prod without deletion protection", Prod, func(e *Environment) { e.DBDeletionProtection = false }, []string{"DBDeletionProtection", "prod may not relax"}},
		{"prod skips final snapshot", Prod, func(e *Environment) { e.DBSkipFinalSnapshot = true }, []string{"DBSkipFinalSnapshot", "prod may not relax"}},
		{"prod deletes backups", Prod, func(e *Environment) { e.DBDeleteAutomatedBackups = true }, []string{"DBDeleteAutomatedBackups", "prod may not relax"}},
		{"prod without prevent_destroy", Prod, func(e *Environment) { e.PreventDestroy = false }, []string{"PreventDestroy", "prod may not relax"}},
		{"prod relaxation recorded", Prod, func(e *Environment) {
			e.DBMultiAZ = false
			e.Relaxations = []Relaxation{{RelaxMultiAZ, "cheaper"}}
		}, []string{"DBMultiAZ", "prod may not relax"}},
		{"cache node type", Dev, func(e *Environment) { e.CacheNodeType = "t4g.micro" }, []string{"CacheNodeType"}},
		{"cache version", Dev, func(e *Environment) { e.CacheEngineVersion = "7.1.0" }, []string{"CacheEngineVersion", "major.minor"}},
		{"one cache node", Dev, func(e *Environment) { e.CacheNodeCount = 1 }, []string{"CacheNodeCount", "2 to 6"}},
		{"no cache snapshots", Dev, func(e *Environment) { e.CacheSnapshotRetentionDays = 0 }, []string{"CacheSnapshotRetentionDays", "1 to 35"}},
		{"unexplained relaxation", Staging, func(e *Environment) { e.DBMultiAZ = false }, []string{`"staging"`, "DBMultiAZ", "without a Relaxations entry"}},
		{"stale relaxation", Staging, func(e *Environment) {
			e.Relaxations = append(e.Relaxations, Relaxation{RelaxMultiAZ, "old reason"})
		}, []string{"DBMultiAZ", "meets the baseline"}},
		{"unknown relaxation", Dev, func(e *Environment) {
			e.Relaxations = append(e.Relaxations, Relaxation{"Encryption", "faster"})
		}, []string{"Relaxations", "Encryption", "not a relaxable setting"}},
		{"relaxation without reason", Dev, func(e *Environment) { e.Relaxations[0].Reason = " " }, []string{"Relaxations", "one-line reason"}},
		{"owner", Dev, func(e *Environment) { e.Owner = "" }, []string{"Owner"}},
	}
	expectRejected(t, cases)
}

func TestValidateAcceptsRecordedTransferBasis(t *testing.T) {
	env := envOf(t, Staging)
	env.Region = "us-east-1"
	env.AvailabilityZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	env.DataTransferBasis = "LGPD art. 33 II: standard contractual clauses with the processor"
	if err := validateEnv(env); err != nil {
		t.Fatalf("a region outside the allow-list with a named transfer basis should pass: %v", err)
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	env := envOf(t, Dev)
	env.AccountID = "x"
	env.StreamRetentionHours = 1
	env.DBBackupRetentionDays = 99
	err := validateEnv(env)
	if err == nil {
		t.Fatal("Validate accepted three bad settings")
	}
	for _, field := range []string{"AccountID", "StreamRetentionHours", "DBBackupRetentionDays"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("the joined error misses %s:\n%v", field, err)
		}
	}
}

func TestValidateSet(t *testing.T) {
	overlap := Environments()
	overlap[1].VPCCIDR = "10.10.128.0/17" // inside dev's 10.10.0.0/16
	duplicate := append(Environments(), Environments()[0])
	cases := []struct {
		name string
		envs []Environment
		want string
	}{
		{"overlapping CIDRs", overlap, "overlaps dev's 10.10.0.0/16"},
		{"duplicate names", duplicate, "environment names must be unique"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := validateSet(c.envs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate = %v; want an error containing %q", err, c.want)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	cases := []struct {
		name      string
		vars      map[string]string
		wantNames string
		wantErr   []string
	}{
		{"defaults", nil, "dev,staging,prod", nil},
		{"suffix adds a stack", map[string]string{VarSuffix: "pr-482"}, "dev,staging,prod,pr-482", nil},
		{"subset", map[string]string{VarEnvironments: "prod, dev"}, "prod,dev", nil},
		{"cloud backend", map[string]string{VarStateBackend: "cloud", VarCloudOrganization: "fastshop"}, "dev,staging,prod", nil},
		{"uppercase suffix", map[string]string{VarSuffix: "PR-482"}, "", []string{VarSuffix, `"PR-482"`, "lowercase letters"}},
		{"underscore suffix", map[string]string{VarSuffix: "pr_482"}, "", []string{VarSuffix, "lowercase letters"}},
		{"double hyphen", map[string]string{VarSuffix: "pr--482"}, "", []string{VarSuffix, "single hyphens"}},
		{"trailing hyphen", map[string]string{VarSuffix: "pr-"}, "", []string{VarSuffix}},
		{"long suffix", map[string]string{VarSuffix: strings.Repeat("a", 18)}, "", []string{VarSuffix, "at most 17"}},
		{"suffix names an environment", map[string]string{VarSuffix: "prod"}, "", []string{VarSuffix, "must differ"}},
		{"unknown environment", map[string]string{VarEnvironments: "dev,qa"}, "", []string{VarEnvironments, `"qa"`, "dev, staging, prod"}},
		{"environment twice", map[string]string{VarEnvironments: "dev,dev"}, "", []string{VarEnvironments, "listed twice"}},
		{"cloud without organization", map[string]string{VarStateBackend: "cloud"}, "", []string{VarCloudOrganization}},
		{"every problem at once", map[string]string{VarSuffix: "Bad!", VarStateBucket: "x"},
			"", []string{VarSuffix, VarStateBucket}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := selectAndValidate(c.vars)
			envs := cfg.Environments
			if len(c.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Select(%v): %v", c.vars, err)
				}
				var names []string
				for _, e := range envs {
					names = append(names, e.Name)
				}
				if got := strings.Join(names, ","); got != c.wantNames {
					t.Errorf("Select(%v) = %s; want %s", c.vars, got, c.wantNames)
				}
				return
			}
			if err == nil {
				t.Fatalf("Select(%v) accepted bad settings", c.vars)
			}
			for _, w := range c.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Select(%v): message lacks %q:\n%v", c.vars, w, err)
				}
			}
		})
	}
}

func TestEphemeralCopiesDev(t *testing.T) {
	e := Ephemeral("pr-482")
	if staging := envOf(t, Staging); staging.Egress != EgressNone {
		t.Errorf("staging: Egress = %s; want none (processors reach AWS through endpoints)", staging.Egress)
	}
	dev := envOf(t, Dev)
	if e.Name != "pr-482" || e.Base != Dev || e.VPCCIDR != dev.VPCCIDR || e.DBInstanceClass != dev.DBInstanceClass {
		t.Errorf("Ephemeral(pr-482) = name %s base %s cidr %s; want dev's settings under the suffix", e.Name, e.Base, e.VPCCIDR)
	}
	if got := e.ResourceName("vpc"); got != "fastshop-vpc-pr-482" {
		t.Errorf("resource name = %s; want fastshop-vpc-pr-482", got)
	}
}
