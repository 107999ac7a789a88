package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestValidateBucketName pairs each of S3's general purpose bucket naming
// rules (and our no-periods rule) with a name that breaks only it.
func TestValidateBucketName(t *testing.T) {
	for _, ok := range []string{DefaultStateBucket, "abc", strings.Repeat("a", 63), "0-state-9"} {
		if err := validateBucketName(ok); err != nil {
			t.Errorf("validateBucketName(%q) = %v; want it accepted", ok, err)
		}
	}
	cases := []struct {
		name, bucket, want string
	}{
		{"too short", "ab", "3 to 63 characters (has 2)"},
		{"too long", strings.Repeat("a", 64), "3 to 63 characters (has 64)"},
		{"uppercase", "Fastshop-state", "only lowercase letters"},
		{"underscore", "fastshop_state", "only lowercase letters"},
		{"period", "fastshop.state", "no periods"},
		{"adjacent periods", "fastshop..state", "no periods"},
		{"starts with a hyphen", "-fastshop-state", "start and end"},
		{"ends with a hyphen", "fastshop-state-", "start and end"},
		{"IP address", "192.168.5.4", "IP address"},
		{"prefix xn--", "xn--fastshop", `"xn--"`},
		{"prefix sthree-", "sthree-fastshop", `"sthree-"`},
		{"prefix amzn-s3-demo-", "amzn-s3-demo-fastshop", `"amzn-s3-demo-"`},
		{"suffix -s3alias", "fastshop-s3alias", `"-s3alias"`},
		{"suffix --ol-s3", "fastshop--ol-s3", `"--ol-s3"`},
		{"suffix .mrap", "fastshop.mrap", `".mrap"`},
		{"suffix --x-s3", "fastshop--x-s3", `"--x-s3"`},
		{"suffix --table-s3", "fastshop--table-s3", `"--table-s3"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := validateBucketName(c.bucket)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("validateBucketName(%q) = %v; want a refusal containing %q", c.bucket, err, c.want)
			}
		})
	}
	// The setting, and the log bucket derived from it, are both checked.
	_, err := selectAndValidate(map[string]string{VarStateBucket: "fastshop-state--ol-s3"})
	requireError(t, VarStateBucket+" with a reserved suffix", err,
		wantError{field: VarStateBucket, value: "fastshop-state--ol-s3", allowed: `"--ol-s3"`})
}

// TestStackIDCollisions: every stack id (permanent environments, the
// ephemeral suffix, state-bootstrap) and every state key is distinct, and a
// collision is refused with a message instead of a panic in the synth.
func TestStackIDCollisions(t *testing.T) {
	selectCases := []struct {
		name string
		vars map[string]string
		want wantError
	}{
		{"suffix is the bootstrap", map[string]string{VarSuffix: BootstrapID},
			wantError{field: VarSuffix, value: BootstrapID, allowed: "must differ from " + BootstrapID}},
		{"suffix is a permanent environment", map[string]string{VarSuffix: Staging},
			wantError{field: VarSuffix, value: Staging, allowed: "must differ from the permanent environments"}},
		{"suffix is a selected environment", map[string]string{VarSuffix: Dev, VarEnvironments: Dev},
			wantError{field: VarSuffix, value: Dev, allowed: "must differ"}},
		{"environment listed twice", map[string]string{VarEnvironments: "prod,staging,prod"},
			wantError{field: VarEnvironments, value: Prod, allowed: "listed twice"}},
		{"bootstrap as an environment", map[string]string{VarEnvironments: BootstrapID},
			wantError{field: VarEnvironments, value: BootstrapID, allowed: "unknown environment"}},
	}
	for _, c := range selectCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := selectAndValidate(c.vars)
			requireError(t, fmt.Sprintf("Select(%v)", c.vars), err, c.want)
		})
	}

	// Set-level guards, for environments built in code.
	bootstrapNamed := Environments()
	bootstrapNamed[2].Name = BootstrapID
	ephemeralTwice := append(Environments(), Ephemeral("pr-1"), Ephemeral("pr-1"))
	ephemeralAsPermanent := append(Environments(), Ephemeral(Prod))
	setCases := []struct {
		name string
		envs []Environment
		want wantError
	}{
		{"an environment named like the bootstrap", bootstrapNamed,
			wantError{env: BootstrapID, field: "Name", value: BootstrapID, allowed: "reserved: the state bootstrap's stack id"}},
		{"two ephemeral stacks with one suffix", ephemeralTwice,
			wantError{env: "pr-1", field: "Name", value: "pr-1", allowed: "must be unique"}},
		{"ephemeral stack named like a permanent one", ephemeralAsPermanent,
			wantError{env: Prod, field: "Name", value: Prod, allowed: "must be unique"}},
	}
	for _, c := range setCases {
		t.Run(c.name, func(t *testing.T) {
			requireError(t, c.name, validateSet(c.envs), c.want)
		})
	}

	// State keys follow stack ids: distinct ids, distinct keys.
	keys := []string{StateKey(BootstrapID)}
	for _, e := range append(Environments(), Ephemeral(testSuffix)) {
		if k := StateKey(e.Name); slices.Contains(keys, k) {
			t.Errorf("state key %s is used twice", k)
		} else {
			keys = append(keys, k)
		}
	}
}

// TestStateDeployPrincipals checks the roles a state-access role trusts.
func TestStateDeployPrincipals(t *testing.T) {
	const roleARN = "an IAM role ARN"
	cases := []validationCase{
		{"none", Dev, func(e *Environment) { e.StateDeployPrincipals = nil },
			wantError{field: "StateDeployPrincipals", value: []string(nil), allowed: "at least one IAM role ARN"}},
		{"wildcard", Dev, func(e *Environment) {
			e.StateDeployPrincipals = []string{"arn:aws:iam::111111111111:role/*"}
		}, wantError{field: "StateDeployPrincipals", value: "arn:aws:iam::111111111111:role/*", allowed: "no wildcards"}},
		{"whole account", Staging, func(e *Environment) {
			e.StateDeployPrincipals = []string{"arn:aws:iam::222222222222:root"}
		}, wantError{field: "StateDeployPrincipals", value: "arn:aws:iam::222222222222:root", allowed: roleARN}},
		{"a user", Staging, func(e *Environment) {
			e.StateDeployPrincipals = []string{"arn:aws:iam::222222222222:user/ci"}
		}, wantError{field: "StateDeployPrincipals", value: "arn:aws:iam::222222222222:user/ci", allowed: roleARN}},
		{"another account", Prod, func(e *Environment) {
			e.StateDeployPrincipals = []string{"arn:aws:iam::111111111111:role/fastshop-deploy"}
		}, wantError{field: "StateDeployPrincipals", value: "arn:aws:iam::111111111111:role/fastshop-deploy", allowed: "account 333333333333"}},
		{"listed twice", Prod, func(e *Environment) {
			e.StateDeployPrincipals = append(e.StateDeployPrincipals, e.StateDeployPrincipals[0])
		}, wantError{field: "StateDeployPrincipals", value: envOf(t, Prod).StateDeployPrincipals[0], allowed: "listed twice"}},
		{"role name too long", Prod, func(e *Environment) {
			e.StateDeployPrincipals = []string{"arn:aws:iam::333333333333:role/" + strings.Repeat("r", 65)}
		}, wantError{field: "StateDeployPrincipals", value: "arn:aws:iam::333333333333:role/" + strings.Repeat("r", 65), allowed: "at most 64"}},
	}
	expectRejected(t, cases)

	// A role with a path (IAM Identity Center roles have one) is fine.
	env := envOf(t, Prod)
	env.StateDeployPrincipals = []string{
		"arn:aws:iam::333333333333:role/fastshop-deploy",
		"arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/sa-east-1/AWSReservedSSO_Operators_0123456789abcdef",
	}
	if err := validateEnv(env); err != nil {
		t.Errorf("prod with an SSO role refused: %v", err)
	}
}

// TestDerivedNamesLongestSuffix: the longest suffix ENVIRONMENT_SUFFIX
// accepts gives names every AWS rule accepts, so its limit is the real one.
func TestDerivedNamesLongestSuffix(t *testing.T) {
	for _, suffix := range []string{strings.Repeat("a", maxSuffixLength), "p" + strings.Repeat("-1", (maxSuffixLength-1)/2)} {
		if len(suffix) > maxSuffixLength {
			t.Fatalf("test suffix %q is longer than %d", suffix, maxSuffixLength)
		}
		env := Ephemeral(suffix)
		if err := validateEnv(env); err != nil {
			t.Errorf("suffix %q (%d characters) refused: %v", suffix, len(suffix), err)
		}
	}
	for _, env := range Environments() {
		if problems := validateNamesOf(env); len(problems) > 0 {
			t.Errorf("%s: %v", env.Name, problems)
		}
	}
	// One more character breaks a name, so the limit is not looser than
	// AWS's either.
	if err := validateSuffix(strings.Repeat("a", maxSuffixLength+1)); err == nil {
		t.Errorf("a suffix of %d characters accepted", maxSuffixLength+1)
	}
	if problems := validateNamesOf(Ephemeral(strings.Repeat("a", maxSuffixLength+1))); len(problems) == 0 {
		t.Errorf("maxSuffixLength %d is below what every derived name allows; raise it", maxSuffixLength)
	}
}

// TestDerivedNameOneTooLong: for every derived name, a suffix that makes it
// one character longer than AWS allows is refused with a message naming
// the setting, the name and the limit.
func TestDerivedNameOneTooLong(t *testing.T) {
	rows := Ephemeral("a").DerivedNames()
	longer := Ephemeral("aa").DerivedNames()
	for i, row := range rows {
		grow := len(longer[i].Name) - len(row.Name)
		if grow == 0 {
			continue // a constant name (write-flow-logs): no setting changes it
		}
		need := 1 + (row.rule.max+1-len(row.Name)+grow-1)/grow
		env := Ephemeral(strings.Repeat("a", need))
		name := env.DerivedNames()[i]
		t.Run(row.rule.kind+" "+row.Name, func(t *testing.T) {
			if len(name.Name) != row.rule.max+1 {
				t.Skipf("%s cannot be made exactly %d characters long (%d)", name.Name, row.rule.max+1, len(name.Name))
			}
			requireError(t, fmt.Sprintf("%s of %d characters", name.rule.kind, len(name.Name)), validateEnv(env), wantError{
				env: env.Name, field: VarSuffix, value: env.Name,
				allowed: fmt.Sprintf("%s %s: %d to %d characters (has %d)", name.rule.kind, name.Name, name.rule.min, name.rule.max, name.rule.max+1),
			})
		})
	}
	// And each rule refuses its own bad characters and reserved prefixes.
	for _, c := range []struct {
		rule nameRule
		name string
		want string
	}{
		{ruleRDSInstance, "fastshop--db", identifierAllowed},
		{ruleRDSInstance, "1fastshop", identifierAllowed},
		{ruleCacheReplicationGroup, "fastshop-redis-", identifierAllowed},
		{ruleRDSSubnetGroup, "default", `"default"`},
		{ruleKMSAlias, "alias/aws/fastshop", `"alias/aws/"`},
		{ruleSecurityGroup, "sg-fastshop", `"sg-"`},
		{rulePipe, "fastshop events", "letters, digits"},
		{ruleSQSQueue, "fastshop.events", "letters, digits"},
		{ruleDynamoDBTable, "fastshop leases", "letters, digits"},
		{ruleLogGroup, "/fastshop/dev/a b", "letters, digits"},
		{ruleSTSSession, "f", "2 to 64"},
	} {
		if err := c.rule.check(c.name); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: %v; want a refusal containing %q", c.rule.kind, c.name, err, c.want)
		}
	}
}

// TestCheckNamesRefusesDuplicates: two derived names of one kind would make
// AWS refuse the second create; the same name of two kinds is fine.
func TestCheckNamesRefusesDuplicates(t *testing.T) {
	p := &problems{env: "fixture"}
	checkNames(p, "Name", "fixture", []DerivedName{
		{"/fastshop/fixture/a", ruleLogGroup},
		{"fastshop-a", ruleIAMRole},
		{"fastshop-a", ruleIAMPolicy},
		{"/fastshop/fixture/a", ruleLogGroup},
	})
	err := errors.Join(p.errs...)
	if n := len(fieldErrors(t, err)); n != 1 {
		t.Errorf("checkNames: %d problems; want 1 (the log group twice):\n%v", n, err)
	}
	requireError(t, "a log group derived twice", err,
		wantError{env: "fixture", field: "Name", value: "fixture", allowed: "/fastshop/fixture/a twice"})
}
