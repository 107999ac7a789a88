package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestEnvironmentsAreValid(t *testing.T) {
	if err := validateSet(testEnvironments()); err != nil {
		t.Fatalf("the shipped environments do not validate:\n%v", err)
	}
	// The environments the code names keep their synth order; any other
	// row of the table may stand anywhere.
	names := PermanentNames()
	if i, j, k := slices.Index(names, Dev), slices.Index(names, Staging), slices.Index(names, Prod); i < 0 || i > j || j > k {
		t.Errorf("environments in synth order = %v; want dev before staging before prod", names)
	}
}

// TestEnvironmentBaselines pins choices of the environments table that
// Validate would accept otherwise (prod on demand and without relaxations,
// staging without egress, dev's single shard), so a change to them is a
// deliberate one.
func TestEnvironmentBaselines(t *testing.T) {
	// The production baselines Validate enforces (relaxables, zones,
	// residency, bounds) are asserted once: TestEnvironmentsAreValid runs
	// Validate on this table and TestValidateRejects shows each refusal.
	// What is left here are choices of the table Validate allows either way.
	prod := envOf(t, Prod)
	if !prod.StreamOnDemand {
		t.Errorf("prod: want StreamOnDemand")
	}
	if len(prod.Relaxations) != 0 {
		t.Errorf("prod: Relaxations = %v; want none (internet egress included)", prod.Relaxations)
	}
	if staging := envOf(t, Staging); staging.Egress != EgressNone {
		t.Errorf("staging: Egress = %s; want none (processors reach AWS through endpoints)", staging.Egress)
	}
	dev := envOf(t, Dev)
	if dev.StreamOnDemand || dev.StreamShardCount != 1 {
		t.Errorf("dev: want one provisioned shard; got on-demand=%v shards=%d", dev.StreamOnDemand, dev.StreamShardCount)
	}
}

// validationCase breaks one setting of a permanent environment and names
// the FieldError the refusal must hold. want.env is left empty: it is the
// broken environment's name.
type validationCase struct {
	name   string
	base   string
	mutate func(*Environment)
	want   wantError
}

// expectRejected runs validation cases: each must be refused with the
// wanted FieldError.
func expectRejected(t *testing.T, cases []validationCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := envOf(t, c.base)
			c.mutate(&env)
			want := c.want
			want.env = env.Name
			requireError(t, c.base+" with "+c.name, validateEnv(env), want)
		})
	}
}

// TestValidateRejects breaks one setting at a time and expects a FieldError
// naming the environment, the field, the value and what is allowed.
func TestValidateRejects(t *testing.T) {
	const (
		mayNotRelax  = "prod may not relax"
		noRelaxation = "without a Relaxations entry"
	)
	cases := []validationCase{
		{"unknown environment", Dev, func(e *Environment) { e.Name = "qa" }, wantError{field: "Name", value: "qa", allowed: strings.Join(PermanentNames(), ", ")}},
		{"account id", Dev, func(e *Environment) { e.AccountID = "12345" }, wantError{field: "AccountID", value: "12345"}},
		{"region format", Dev, func(e *Environment) { e.Region = "brazil" }, wantError{field: "Region", value: "brazil"}},
		{"region outside residency", Dev, func(e *Environment) {
			e.Region = "us-east-1"
			e.AvailabilityZones = []string{"us-east-1a", "us-east-1b"}
		}, wantError{field: "Region", value: "us-east-1", allowed: "DataTransferBasis"}},
		{"fewer than 2 AZs", Dev, func(e *Environment) { e.AvailabilityZones = []string{"sa-east-1a"} },
			wantError{field: "AvailabilityZones", value: []string{"sa-east-1a"}, allowed: "2 to 6"}},
		{"prod with 2 AZs", Prod, func(e *Environment) { e.AvailabilityZones = e.AvailabilityZones[:2] },
			wantError{field: "AvailabilityZones", value: []string{"sa-east-1a", "sa-east-1b"}, allowed: "3 to 6"}},
		{"AZ outside region", Dev, func(e *Environment) { e.AvailabilityZones = []string{"sa-east-1a", "us-east-1b"} },
			wantError{field: "AvailabilityZones", value: "us-east-1b", allowed: "a zone of region sa-east-1"}},
		{"duplicate AZ", Dev, func(e *Environment) { e.AvailabilityZones = []string{"sa-east-1a", "sa-east-1a"} },
			wantError{field: "AvailabilityZones", value: "sa-east-1a", allowed: "listed twice"}},
		{"CIDR syntax", Dev, func(e *Environment) { e.VPCCIDR = "10.10.0.0/33" }, wantError{field: "VPCCIDR", value: "10.10.0.0/33", allowed: "IPv4 CIDR"}},
		{"CIDR host bits", Dev, func(e *Environment) { e.VPCCIDR = "10.10.1.0/16" }, wantError{field: "VPCCIDR", value: "10.10.1.0/16", allowed: "host bits"}},
		{"CIDR too large", Dev, func(e *Environment) { e.VPCCIDR = "10.0.0.0/8" }, wantError{field: "VPCCIDR", value: "10.0.0.0/8", allowed: "/16 to /24"}},
		{"CIDR public", Dev, func(e *Environment) { e.VPCCIDR = "8.8.0.0/16" }, wantError{field: "VPCCIDR", value: "8.8.0.0/16", allowed: "private range"}},
		{"log retention", Dev, func(e *Environment) { e.LogRetentionDays = 10 }, wantError{field: "LogRetentionDays", value: 10, allowed: "CloudWatch"}},
		{"prod log retention", Prod, func(e *Environment) { e.LogRetentionDays = 90 }, wantError{field: "LogRetentionDays", value: 90, allowed: mayNotRelax}},
		{"KMS window", Dev, func(e *Environment) { e.KMSDeletionWindowDays = 3 }, wantError{field: "KMSDeletionWindowDays", value: 3, allowed: "7 to 30"}},
		{"prod KMS window", Prod, func(e *Environment) { e.KMSDeletionWindowDays = 7 }, wantError{field: "KMSDeletionWindowDays", value: 7, allowed: mayNotRelax}},
		{"stream retention low", Dev, func(e *Environment) { e.StreamRetentionHours = 23 }, wantError{field: "StreamRetentionHours", value: 23, allowed: "24 to 8760"}},
		{"stream retention high", Dev, func(e *Environment) { e.StreamRetentionHours = 8761 }, wantError{field: "StreamRetentionHours", value: 8761, allowed: "24 to 8760"}},
		{"prod stream retention", Prod, func(e *Environment) { e.StreamRetentionHours = 48 }, wantError{field: "StreamRetentionHours", value: 48, allowed: mayNotRelax}},
		{"shards with on-demand", Prod, func(e *Environment) { e.StreamShardCount = 2 }, wantError{field: "StreamShardCount", value: 2, allowed: "0 when StreamOnDemand"}},
		{"no shards", Dev, func(e *Environment) { e.StreamShardCount = 0 }, wantError{field: "StreamShardCount", value: 0, allowed: "1 to 500"}},
		{"instance class", Dev, func(e *Environment) { e.DBInstanceClass = "t3.micro" }, wantError{field: "DBInstanceClass", value: "t3.micro"}},
		{"minor version pinned", Dev, func(e *Environment) { e.DBEngineMajorVersion = "15.4" }, wantError{field: "DBEngineMajorVersion", value: "15.4"}},
		{"storage", Dev, func(e *Environment) { e.DBAllocatedStorageGiB = 10 }, wantError{field: "DBAllocatedStorageGiB", value: 10}},
		{"max storage", Dev, func(e *Environment) { e.DBMaxAllocatedStorageGiB = 20 }, wantError{field: "DBMaxAllocatedStorageGiB", value: 20}},
		{"backups above 35", Staging, func(e *Environment) { e.DBBackupRetentionDays = 36 }, wantError{field: "DBBackupRetentionDays", value: 36, allowed: "0 to 35"}},
		{"backups negative", Dev, func(e *Environment) { e.DBBackupRetentionDays = -1 }, wantError{field: "DBBackupRetentionDays", value: -1, allowed: "0 to 35"}},
		{"prod backups", Prod, func(e *Environment) { e.DBBackupRetentionDays = 3 }, wantError{field: "DBBackupRetentionDays", value: 3, allowed: mayNotRelax}},
		{"prod single AZ", Prod, func(e *Environment) { e.DBMultiAZ = false }, wantError{field: "DBMultiAZ", value: false, allowed: mayNotRelax}},
		{"prod without deletion protection", Prod, func(e *Environment) { e.DBDeletionProtection = false }, wantError{field: "DBDeletionProtection", value: false, allowed: mayNotRelax}},
		{"prod skips final snapshot", Prod, func(e *Environment) { e.DBSkipFinalSnapshot = true }, wantError{field: "DBSkipFinalSnapshot", value: true, allowed: mayNotRelax}},
		{"prod deletes backups", Prod, func(e *Environment) { e.DBDeleteAutomatedBackups = true }, wantError{field: "DBDeleteAutomatedBackups", value: true, allowed: mayNotRelax}},
		{"prod without prevent_destroy", Prod, func(e *Environment) { e.PreventDestroy = false }, wantError{field: "PreventDestroy", value: false, allowed: mayNotRelax}},
		{"prod relaxation recorded", Prod, func(e *Environment) {
			e.DBMultiAZ = false
			e.Relaxations = []Relaxation{{RelaxMultiAZ, "cheaper"}}
		}, wantError{field: "DBMultiAZ", value: false, allowed: mayNotRelax}},
		{"cache node type", Dev, func(e *Environment) { e.CacheNodeType = "t4g.micro" }, wantError{field: "CacheNodeType", value: "t4g.micro"}},
		{"cache version", Dev, func(e *Environment) { e.CacheEngineVersion = "7.1.0" }, wantError{field: "CacheEngineVersion", value: "7.1.0"}},
		{"one cache node", Dev, func(e *Environment) { e.CacheNodeCount = 1 }, wantError{field: "CacheNodeCount", value: 1}},
		{"no cache snapshots", Dev, func(e *Environment) { e.CacheSnapshotRetentionDays = 0 }, wantError{field: "CacheSnapshotRetentionDays", value: 0}},
		{"unexplained relaxation", Staging, func(e *Environment) { e.DBMultiAZ = false }, wantError{field: "DBMultiAZ", value: false, allowed: noRelaxation}},
		{"stale relaxation", Staging, func(e *Environment) {
			e.Relaxations = append(e.Relaxations, Relaxation{RelaxMultiAZ, "old reason"})
		}, wantError{field: "Relaxations", value: RelaxMultiAZ, allowed: "meets the baseline"}},
		{"unknown relaxation", Dev, func(e *Environment) {
			e.Relaxations = append(e.Relaxations, Relaxation{"Encryption", "faster"})
		}, wantError{field: "Relaxations", value: "Encryption", allowed: "not a relaxable setting"}},
		{"relaxation recorded twice", Dev, func(e *Environment) { e.Relaxations = append(e.Relaxations, e.Relaxations[0]) },
			wantError{field: "Relaxations", value: envOf(t, Dev).Relaxations[0].Setting, allowed: "recorded twice"}},
		{"relaxation without reason", Dev, func(e *Environment) { e.Relaxations[0].Reason = " " },
			wantError{field: "Relaxations", value: envOf(t, Dev).Relaxations[0].Setting, allowed: "one-line reason"}},
		{"owner", Dev, func(e *Environment) { e.Owner = "" }, wantError{field: "Owner", value: ""}},
	}
	expectRejected(t, cases)
}

// TestFieldErrorMessage: the message an operator reads names the
// environment (or none, for a process setting), the field, the value and
// what is allowed.
func TestFieldErrorMessage(t *testing.T) {
	cases := []struct {
		err  FieldError
		want string
	}{
		{FieldError{Dev, "LogRetentionDays", 10, "one of CloudWatch's values"}, `environment "dev": LogRetentionDays = 10: one of CloudWatch's values`},
		{FieldError{Dev, "Owner", "", "a team name"}, `environment "dev": Owner is not set: a team name`},
		{FieldError{Dev, "StateDeployPrincipals", []string(nil), "at least one"}, `environment "dev": StateDeployPrincipals is not set: at least one`},
		{FieldError{Dev, "AvailabilityZones", []string{"sa-east-1a"}, "2 to 6 zones"}, `environment "dev": AvailabilityZones = ["sa-east-1a"]: 2 to 6 zones`},
		{FieldError{"", VarSuffix, "PR-482", "lowercase letters"}, `ENVIRONMENT_SUFFIX = "PR-482": lowercase letters`},
		{FieldError{"", VarCloudOrganization, "", "the organization"}, `FASTSHOP_TFC_ORGANIZATION is not set: the organization`},
		{FieldError{BootstrapID, "AccessLogRetentionDays", 30, "180 to 3650 days"}, `state bootstrap: AccessLogRetentionDays = 30: 180 to 3650 days`},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%#v.Error() = %q; want %q", c.err, got, c.want)
		}
	}
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
	for _, w := range []wantError{
		{env: Dev, field: "AccountID", value: "x"},
		{env: Dev, field: "StreamRetentionHours", value: 1},
		{env: Dev, field: "DBBackupRetentionDays", value: 99},
	} {
		requireError(t, "dev with three bad settings", err, w)
	}
}

func TestValidateSet(t *testing.T) {
	overlap := Environments()
	overlap[1].VPCCIDR = "10.10.128.0/17" // inside dev's 10.10.0.0/16
	duplicate := append(Environments(), Environments()[0])
	cases := []struct {
		name string
		envs []Environment
		want wantError
	}{
		{"overlapping CIDRs", overlap, wantError{env: Staging, field: "VPCCIDR", value: "10.10.128.0/17", allowed: "overlaps dev's 10.10.0.0/16"}},
		{"duplicate names", duplicate, wantError{env: Dev, field: "Name", value: Dev, allowed: "must be unique"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireError(t, c.name, validateSet(c.envs), c.want)
		})
	}
}

func TestSelect(t *testing.T) {
	all := strings.Join(PermanentNames(), ",")
	accepted := []struct {
		name      string
		vars      map[string]string
		wantNames string
	}{
		{"defaults", nil, all},
		{"suffix adds a stack", map[string]string{VarSuffix: "pr-482"}, all + ",pr-482"},
		{"subset", map[string]string{VarEnvironments: "prod, dev"}, "prod,dev"},
		{"cloud backend", map[string]string{VarStateBackend: "cloud", VarCloudOrganization: "fastshop", VarCloudProject: "fastshop"}, all},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := selectAndValidate(c.vars)
			if err != nil {
				t.Fatalf("Select(%v): %v", c.vars, err)
			}
			var names []string
			for _, e := range cfg.Environments {
				names = append(names, e.Name)
			}
			if got := strings.Join(names, ","); got != c.wantNames {
				t.Errorf("Select(%v) = %s; want %s", c.vars, got, c.wantNames)
			}
		})
	}

	suffix := func(value, allowed string) wantError {
		return wantError{field: VarSuffix, value: value, allowed: allowed}
	}
	refused := []struct {
		name string
		vars map[string]string
		want []wantError
	}{
		{"uppercase suffix", map[string]string{VarSuffix: "PR-482"}, []wantError{suffix("PR-482", "lowercase letters")}},
		{"underscore suffix", map[string]string{VarSuffix: "pr_482"}, []wantError{suffix("pr_482", "lowercase letters")}},
		{"double hyphen", map[string]string{VarSuffix: "pr--482"}, []wantError{suffix("pr--482", "single hyphens")}},
		{"trailing hyphen", map[string]string{VarSuffix: "pr-"}, []wantError{suffix("pr-", "single hyphens")}},
		{"long suffix", map[string]string{VarSuffix: strings.Repeat("a", 18)}, []wantError{suffix(strings.Repeat("a", 18), "at most 17")}},
		{"suffix names an environment", map[string]string{VarSuffix: "prod"}, []wantError{suffix("prod", "must differ")}},
		{"unknown environment", map[string]string{VarEnvironments: "dev,qa"},
			[]wantError{{field: VarEnvironments, value: "qa", allowed: strings.Join(PermanentNames(), ", ")}}},
		{"environment twice", map[string]string{VarEnvironments: "dev,dev"},
			[]wantError{{field: VarEnvironments, value: "dev", allowed: "listed twice"}}},
		{"cloud without organization", map[string]string{VarStateBackend: "cloud"},
			[]wantError{{field: VarCloudOrganization, value: "", allowed: "required with FASTSHOP_STATE_BACKEND=cloud"}, {field: VarCloudProject, value: ""}}},
		{"every problem at once", map[string]string{VarSuffix: "Bad!", VarStateBucket: "x"}, []wantError{
			suffix("Bad!", "lowercase letters"),
			{field: VarStateBucket, value: "x"},
		}},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, err := selectAndValidate(c.vars)
			for _, w := range c.want {
				requireError(t, fmt.Sprintf("Select(%v)", c.vars), err, w)
			}
		})
	}
}

func TestEphemeralCopiesDev(t *testing.T) {
	e := Ephemeral("pr-482")
	dev := envOf(t, Dev)
	if e.Name != "pr-482" || e.Base != Dev || e.VPCCIDR != dev.VPCCIDR || e.DBInstanceClass != dev.DBInstanceClass {
		t.Errorf("Ephemeral(pr-482) = name %s base %s cidr %s; want dev's settings under the suffix", e.Name, e.Base, e.VPCCIDR)
	}
	if got := e.ResourceName("vpc"); got != "fastshop-vpc-pr-482" {
		t.Errorf("resource name = %s; want fastshop-vpc-pr-482", got)
	}
}
