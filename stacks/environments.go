package stacks

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Environment is everything that differs between two deployments of the
// pipeline. Values are plain Go with units in the field names; the stack code
// turns them into bindings. Every environment is validated by Validate before
// anything is synthesized.
type Environment struct {
	// Name is the environment (dev, staging, prod) and the stack id. For an
	// ephemeral stack it is the suffix (pr-482) and Base names the settings it
	// copies.
	Name string
	// Base is the environment whose settings an ephemeral stack copies; empty
	// for the permanent environments.
	Base string
	// Owner is the team answerable for the environment (the Owner tag).
	Owner string

	// AccountID is the AWS account the environment lives in. Key policies and
	// ARNs are written with it at synth time so that plans show them in full
	// (a caller-identity lookup would need AWS credentials at plan time).
	AccountID string
	// Region holds every resource. Customer data stays in the residency
	// allow-list (sa-east-1) unless DataTransferBasis names the legal basis
	// for an international transfer (LGPD art. 33).
	Region            string
	DataTransferBasis string
	// AvailabilityZones are listed explicitly (no data-source lookup, which
	// would tie plans to the live account and could reorder subnets).
	AvailabilityZones []string
	// VPCCIDR is the VPC's IPv4 range; subnets are carved from it.
	VPCCIDR string
	// Egress is the application tier's path to the internet (none,
	// nat-shared, nat-per-az). NAT gateways and their public addresses exist
	// only where it is not none, and the app security group may reach the
	// internet on 443 only then. AWS APIs are reached through VPC endpoints
	// either way, so the baseline is none and anything else is a relaxation.
	Egress Egress

	// LogRetentionDays applies to every log group (flow logs, PostgreSQL,
	// Redis). Marco Civil art. 15 asks six months for access records, so prod
	// keeps at least 180 days.
	LogRetentionDays int
	// KMSDeletionWindowDays is how long a scheduled key deletion can be
	// cancelled (7-30); prod keeps 30.
	KMSDeletionWindowDays int

	// StreamOnDemand switches the Kinesis stream to on-demand capacity;
	// otherwise StreamShardCount provisioned shards.
	StreamOnDemand       bool
	StreamShardCount     int
	StreamRetentionHours int

	DBInstanceClass          string
	DBEngineMajorVersion     string
	DBAllocatedStorageGB     int
	DBMaxAllocatedStorageGB  int
	DBBackupRetentionDays    int
	DBMultiAZ                bool
	DBDeletionProtection     bool
	DBSkipFinalSnapshot      bool
	DBDeleteAutomatedBackups bool

	CacheNodeType              string
	CacheEngineVersion         string
	CacheNodeCount             int
	CacheSnapshotRetentionDays int

	// PreventDestroy sets lifecycle.prevent_destroy on the stateful resources
	// (database, cache, stream, keys, audit log groups).
	PreventDestroy bool

	// ProducerPrincipals and ProcessorPrincipals are the AWS services that may
	// assume the producer and processor roles (one of AssumeRoleServices),
	// always on behalf of AccountID only.
	ProducerPrincipals  []string
	ProcessorPrincipals []string
	// StateDeployPrincipals are the IAM roles of AccountID that deploy this
	// environment (CI's deploy role, the operators' role): only they may
	// assume its state-access role in the state account. Role ARNs, no
	// wildcards; a role that does not exist yet is fine (the trust policy
	// matches aws:PrincipalArn, which IAM does not resolve).
	StateDeployPrincipals []string

	// Alarm thresholds. An alarm fires when the metric passes the threshold
	// for the period stated in its description (see alarms.go).
	//
	// StreamIteratorAgeAlarmMs: age of the oldest unread record (at most half
	// the stream retention, so on-call has time before records expire).
	StreamIteratorAgeAlarmMs int
	// StreamWriteThrottleAlarmCount: records rejected by write throttling in
	// five minutes.
	StreamWriteThrottleAlarmCount int
	DBCPUAlarmPercent             int
	// DBFreeStorageAlarmGB: free storage in GiB (2^30 bytes) below which the
	// alarm fires; less than DBAllocatedStorageGB.
	DBFreeStorageAlarmGB    int
	DBConnectionsAlarmCount int
	// CacheCPUAlarmPercent applies to EngineCPUUtilization (the Redis thread).
	CacheCPUAlarmPercent    int
	CacheMemoryAlarmPercent int
	// CacheEvictionsAlarmCount: keys evicted in five minutes, per node.
	CacheEvictionsAlarmCount        int
	CacheReplicationLagAlarmSeconds int
	// KCLLeaseThrottleAlarmCount: KCL lease-table reads or writes throttled
	// in five minutes (kcl.go).
	KCLLeaseThrottleAlarmCount int

	// Relaxations lists every setting this environment keeps below the
	// production baseline, each with a one-line reason. Validate refuses an
	// unexplained relaxation, and refuses any relaxation in prod but internet
	// egress through a NAT gateway per AZ (prodMayRelax).
	Relaxations []Relaxation

	// State is where Terraform keeps this environment's state.
	State StateBackend
}

// Egress is how the application tier reaches the internet.
type Egress string

// The egress settings. With nat-shared one NAT gateway in the first AZ
// serves every private subnet (an outage of that AZ cuts the others off);
// with nat-per-az each AZ has its own.
const (
	EgressNone      Egress = "none"
	EgressNATShared Egress = "nat-shared"
	EgressNATPerAZ  Egress = "nat-per-az"
)

// EgressValues are the allowed Egress settings.
var EgressValues = []Egress{EgressNone, EgressNATShared, EgressNATPerAZ}

// Relaxation records one setting kept below the production baseline and why.
type Relaxation struct {
	Setting string
	Reason  string
}

// Settings that may be relaxed below the production baseline. Validate
// compares each environment against these.
const (
	RelaxMultiAZ                = "DBMultiAZ"
	RelaxDeletionProtection     = "DBDeletionProtection"
	RelaxFinalSnapshot          = "DBSkipFinalSnapshot"
	RelaxDeleteAutomatedBackups = "DBDeleteAutomatedBackups"
	RelaxBackupRetention        = "DBBackupRetentionDays"
	RelaxPreventDestroy         = "PreventDestroy"
	RelaxKMSDeletionWindow      = "KMSDeletionWindowDays"
	RelaxLogRetention           = "LogRetentionDays"
	RelaxStreamRetention        = "StreamRetentionHours"
	RelaxEgress                 = "Egress"
)

// Baselines every environment meets unless it records a relaxation, and prod
// meets always.
const (
	minProdBackupRetentionDays = 7
	minProdLogRetentionDays    = 180
	minProdStreamRetentionHrs  = 168
	prodKMSDeletionWindowDays  = 30
)

// DefaultStateBucket is the S3 bucket the state bootstrap stack creates and
// every pipeline stack's backend uses unless FASTSHOP_STATE_BUCKET says
// otherwise.
const DefaultStateBucket = "fastshop-terraform-state-sa-east-1"

// DefaultStateRegion is where the state bucket lives.
const DefaultStateRegion = "sa-east-1"

// StateKeyAlias is the alias of the KMS key that encrypts the state bucket;
// the bootstrap stack creates it and backends name it.
const StateKeyAlias = "alias/fastshop-terraform-state"

// Service principals that may run the producers and processors.
const (
	ServiceECSTasks = "ecs-tasks.amazonaws.com"
	ServiceLambda   = "lambda.amazonaws.com"
)

// AssumeRoleServices are the service principals that may assume the producer
// and processor roles: containers on ECS and Lambda functions.
var AssumeRoleServices = []string{ServiceECSTasks, ServiceLambda}

// ResidencyRegions are the regions customer data may live in without a
// recorded transfer basis.
var ResidencyRegions = []string{"sa-east-1"}

// Names of the permanent environments, in synth order.
const (
	Dev     = "dev"
	Staging = "staging"
	Prod    = "prod"
)

// Environments returns the permanent environments in synth order. Each call
// returns fresh values, so callers may change them freely.
func Environments() []Environment {
	return []Environment{
		{
			Name:                       Dev,
			Owner:                      "data-platform",
			AccountID:                  "111111111111",
			Region:                     "sa-east-1",
			AvailabilityZones:          []string{"sa-east-1a", "sa-east-1b"},
			VPCCIDR:                    "10.10.0.0/16",
			Egress:                     EgressNATShared,
			LogRetentionDays:           30,
			KMSDeletionWindowDays:      7,
			StreamOnDemand:             false,
			StreamShardCount:           1,
			StreamRetentionHours:       24,
			DBInstanceClass:            "db.t4g.micro",
			DBEngineMajorVersion:       "16",
			DBAllocatedStorageGB:       20,
			DBMaxAllocatedStorageGB:    50,
			DBBackupRetentionDays:      1,
			DBMultiAZ:                  false,
			DBDeletionProtection:       false,
			DBSkipFinalSnapshot:        true,
			DBDeleteAutomatedBackups:   true,
			CacheNodeType:              "cache.t4g.micro",
			CacheEngineVersion:         "7.1",
			CacheNodeCount:             2,
			CacheSnapshotRetentionDays: 1,
			PreventDestroy:             false,

			// Developers try Lambda consumers and replay tools next to the
			// ECS services.
			ProducerPrincipals:              []string{ServiceECSTasks, ServiceLambda},
			ProcessorPrincipals:             []string{ServiceECSTasks, ServiceLambda},
			StateDeployPrincipals:           []string{"arn:aws:iam::111111111111:role/fastshop-deploy"},
			StreamIteratorAgeAlarmMs:        3_600_000,
			StreamWriteThrottleAlarmCount:   100,
			DBCPUAlarmPercent:               90,
			DBFreeStorageAlarmGB:            2,
			DBConnectionsAlarmCount:         60,
			CacheCPUAlarmPercent:            90,
			CacheMemoryAlarmPercent:         90,
			CacheEvictionsAlarmCount:        1000,
			CacheReplicationLagAlarmSeconds: 60,
			KCLLeaseThrottleAlarmCount:      100,

			Relaxations: []Relaxation{
				{RelaxMultiAZ, "dev holds synthetic data only; a standby doubles the cost for no one"},
				{RelaxDeletionProtection, "dev and ephemeral stacks are torn down by cdktf destroy"},
				{RelaxFinalSnapshot, "synthetic data: a final snapshot would outlive the stack and cost money"},
				{RelaxDeleteAutomatedBackups, "synthetic data: backups of a destroyed dev stack have no owner"},
				{RelaxBackupRetention, "one day is enough to undo a mistake in synthetic data"},
				{RelaxPreventDestroy, "dev and ephemeral stacks must be destroyable without editing code"},
				{RelaxKMSDeletionWindow, "keys of destroyed ephemeral stacks should not linger for 30 days"},
				{RelaxLogRetention, "dev logs hold no customer access records"},
				{RelaxStreamRetention, "dev replays are short; a day of records is enough"},
				{RelaxEgress, "developers pull packages and images from public registries through one shared NAT gateway; synthetic data only, an AZ outage costs nothing"},
			},
			State: StateBackend{Kind: BackendS3, Bucket: DefaultStateBucket, Region: DefaultStateRegion, AccountID: DefaultStateAccountID},
		},
		{
			Name:                       Staging,
			Owner:                      "data-platform",
			AccountID:                  "222222222222",
			Region:                     "sa-east-1",
			AvailabilityZones:          []string{"sa-east-1a", "sa-east-1b", "sa-east-1c"},
			VPCCIDR:                    "10.20.0.0/16",
			Egress:                     EgressNone,
			LogRetentionDays:           90,
			KMSDeletionWindowDays:      30,
			StreamOnDemand:             false,
			StreamShardCount:           2,
			StreamRetentionHours:       72,
			DBInstanceClass:            "db.t4g.small",
			DBEngineMajorVersion:       "16",
			DBAllocatedStorageGB:       50,
			DBMaxAllocatedStorageGB:    200,
			DBBackupRetentionDays:      7,
			DBMultiAZ:                  true,
			DBDeletionProtection:       true,
			DBSkipFinalSnapshot:        false,
			DBDeleteAutomatedBackups:   false,
			CacheNodeType:              "cache.t4g.small",
			CacheEngineVersion:         "7.1",
			CacheNodeCount:             2,
			CacheSnapshotRetentionDays: 3,
			PreventDestroy:             true,

			ProducerPrincipals:              []string{ServiceECSTasks},
			ProcessorPrincipals:             []string{ServiceECSTasks},
			StateDeployPrincipals:           []string{"arn:aws:iam::222222222222:role/fastshop-deploy"},
			StreamIteratorAgeAlarmMs:        900_000,
			StreamWriteThrottleAlarmCount:   10,
			DBCPUAlarmPercent:               85,
			DBFreeStorageAlarmGB:            5,
			DBConnectionsAlarmCount:         120,
			CacheCPUAlarmPercent:            80,
			CacheMemoryAlarmPercent:         85,
			CacheEvictionsAlarmCount:        100,
			CacheReplicationLagAlarmSeconds: 30,
			KCLLeaseThrottleAlarmCount:      10,

			Relaxations: []Relaxation{
				{RelaxLogRetention, "staging logs hold test traffic, not customer access records"},
				{RelaxStreamRetention, "three days covers a weekend of replay tests"},
			},
			State: StateBackend{Kind: BackendS3, Bucket: DefaultStateBucket, Region: DefaultStateRegion, AccountID: DefaultStateAccountID},
		},
		{
			Name:                       Prod,
			Owner:                      "data-platform",
			AccountID:                  "333333333333",
			Region:                     "sa-east-1",
			AvailabilityZones:          []string{"sa-east-1a", "sa-east-1b", "sa-east-1c"},
			VPCCIDR:                    "10.30.0.0/16",
			Egress:                     EgressNone,
			LogRetentionDays:           400,
			KMSDeletionWindowDays:      30,
			StreamOnDemand:             true,
			StreamRetentionHours:       168,
			DBInstanceClass:            "db.r6g.large",
			DBEngineMajorVersion:       "16",
			DBAllocatedStorageGB:       100,
			DBMaxAllocatedStorageGB:    1000,
			DBBackupRetentionDays:      14,
			DBMultiAZ:                  true,
			DBDeletionProtection:       true,
			DBSkipFinalSnapshot:        false,
			DBDeleteAutomatedBackups:   false,
			CacheNodeType:              "cache.r6g.large",
			CacheEngineVersion:         "7.1",
			CacheNodeCount:             3,
			CacheSnapshotRetentionDays: 7,
			PreventDestroy:             true,

			ProducerPrincipals:              []string{ServiceECSTasks},
			ProcessorPrincipals:             []string{ServiceECSTasks},
			StateDeployPrincipals:           []string{"arn:aws:iam::333333333333:role/fastshop-deploy"},
			StreamIteratorAgeAlarmMs:        60_000,
			StreamWriteThrottleAlarmCount:   1,
			DBCPUAlarmPercent:               80,
			DBFreeStorageAlarmGB:            10,
			DBConnectionsAlarmCount:         800,
			CacheCPUAlarmPercent:            75,
			CacheMemoryAlarmPercent:         80,
			CacheEvictionsAlarmCount:        100,
			CacheReplicationLagAlarmSeconds: 10,
			KCLLeaseThrottleAlarmCount:      1,

			State: StateBackend{Kind: BackendS3, Bucket: DefaultStateBucket, Region: DefaultStateRegion, AccountID: DefaultStateAccountID},
		},
	}
}

// Process environment variables the program reads. main hands a getenv
// function to Select, so tests drive these without touching the real
// environment.
const (
	// EnvSuffix adds an ephemeral stack with dev's settings whose resource
	// names carry the suffix (ENVIRONMENT_SUFFIX=pr-482).
	EnvSuffix = "ENVIRONMENT_SUFFIX"
	// EnvEnvironments limits the synth to a comma-separated subset of the
	// permanent environments (default: all of them).
	EnvEnvironments = "FASTSHOP_ENVIRONMENTS"
	// EnvStateBackend picks the state backend: s3 (default) or cloud.
	EnvStateBackend = "FASTSHOP_STATE_BACKEND"
	// EnvStateBucket and EnvStateRegion override the S3 state bucket.
	EnvStateBucket = "FASTSHOP_STATE_BUCKET"
	EnvStateRegion = "FASTSHOP_STATE_REGION"
	// EnvCloudOrganization names the Terraform Cloud organization when the
	// backend is cloud.
	EnvCloudOrganization = "FASTSHOP_TFC_ORGANIZATION"
)

// FieldError is one configuration problem: which environment, which
// setting, the offending value and what would be accepted.
type FieldError struct {
	Environment string
	Field       string
	Value       any
	Allowed     string
}

func (e *FieldError) Error() string {
	if e.Environment == "" {
		return fmt.Sprintf("setting %s = %v: %s", e.Field, e.Value, e.Allowed)
	}
	return fmt.Sprintf("environment %q: %s = %v: %s", e.Environment, e.Field, e.Value, e.Allowed)
}

// Select returns the environments to synthesize, configured from getenv and
// validated together. The error lists every problem found, so an operator
// fixes them in one pass.
func Select(getenv func(string) string) ([]Environment, error) {
	var problems []error
	add := func(field string, value any, allowed string) {
		problems = append(problems, &FieldError{Field: field, Value: fmt.Sprintf("%q", value), Allowed: allowed})
	}

	all := Environments()
	selected := all
	if names := strings.TrimSpace(getenv(EnvEnvironments)); names != "" {
		selected = nil
		for _, name := range strings.Split(names, ",") {
			name = strings.TrimSpace(name)
			i := slices.IndexFunc(all, func(e Environment) bool { return e.Name == name })
			switch {
			case i < 0:
				add(EnvEnvironments, name, "unknown environment; allowed: "+strings.Join(PermanentNames(), ", "))
			case slices.ContainsFunc(selected, func(e Environment) bool { return e.Name == name }):
				add(EnvEnvironments, name, "listed twice")
			default:
				selected = append(selected, all[i])
			}
		}
	}

	if suffix, ok := lookup(getenv, EnvSuffix); ok {
		if err := validateSuffix(suffix); err != nil {
			add(EnvSuffix, suffix, err.Error())
		} else {
			selected = append(selected, Ephemeral(suffix))
		}
	}

	state := StateBackend{Kind: BackendS3, Bucket: DefaultStateBucket, Region: DefaultStateRegion, AccountID: DefaultStateAccountID}
	if kind, ok := lookup(getenv, EnvStateBackend); ok {
		state.Kind = kind
	}
	if bucket, ok := lookup(getenv, EnvStateBucket); ok {
		state.Bucket = bucket
	}
	if region, ok := lookup(getenv, EnvStateRegion); ok {
		state.Region = region
	}
	if account, ok := lookup(getenv, EnvStateAccountID); ok {
		state.AccountID = account
	}
	if org, ok := lookup(getenv, EnvCloudOrganization); ok {
		state.Organization = org
	}
	for i := range selected {
		selected[i].State = state
	}

	if err := Validate(selected); err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return selected, nil
}

// lookup returns a setting that is present and not blank.
func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

// PermanentNames lists the permanent environments' names in synth order.
func PermanentNames() []string {
	var names []string
	for _, e := range Environments() {
		names = append(names, e.Name)
	}
	return names
}

// Ephemeral returns an environment with dev's settings whose stack id and
// resource names carry suffix. Call validateSuffix (or Select) first.
func Ephemeral(suffix string) Environment {
	env := Environments()[0]
	env.Base = env.Name
	env.Name = suffix
	return env
}

var suffixPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// maxSuffixLength is the longest suffix every derived name admits: the
// ElastiCache user id fastshop-redis-default-<suffix> has 40 characters
// at most. validateNames checks each name against its own rule as well.
const maxSuffixLength = 17

func validateSuffix(suffix string) error {
	switch {
	case len(suffix) > maxSuffixLength:
		return fmt.Errorf("at most %d characters (has %d)", maxSuffixLength, len(suffix))
	case !suffixPattern.MatchString(suffix):
		return errors.New("lowercase letters, digits and single hyphens between them (for example pr-482)")
	case slices.Contains(PermanentNames(), suffix):
		return fmt.Errorf("must differ from the permanent environments (%s)", strings.Join(PermanentNames(), ", "))
	case suffix == StateBootstrapID:
		// The stack id and the state key fastshop/state-bootstrap/ are the
		// bootstrap's.
		return fmt.Errorf("must differ from %s, the state bootstrap's stack id and state key", StateBootstrapID)
	}
	return nil
}

// Validate checks every environment and the set as a whole (distinct names
// and non-overlapping VPC ranges) and returns all problems joined.
func Validate(envs []Environment) error {
	var problems []error
	seen := map[string]bool{}
	for _, env := range envs {
		err := env.Validate()
		if err == nil {
			continue
		}
		// Shared settings (the state backend) fail the same way in every
		// environment: report each problem once.
		each := []error{err}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			each = joined.Unwrap()
		}
		for _, p := range each {
			if !seen[p.Error()] {
				seen[p.Error()] = true
				problems = append(problems, p)
			}
		}
	}
	for i, a := range envs {
		// Every name is a stack id beside the bootstrap's.
		if a.Name == StateBootstrapID {
			problems = append(problems, &FieldError{a.Name, "Name", a.Name, "reserved: the state bootstrap's stack id and state key"})
		}
		for _, b := range envs[i+1:] {
			if a.Name == b.Name {
				problems = append(problems, &FieldError{a.Name, "Name", a.Name, "environment names must be unique (each is a stack id and a state key)"})
			}
			// An ephemeral stack reuses its base's range on purpose: it is a
			// separate VPC that is never peered.
			if a.Base != "" || b.Base != "" {
				continue
			}
			pa, errA := netip.ParsePrefix(a.VPCCIDR)
			pb, errB := netip.ParsePrefix(b.VPCCIDR)
			if errA == nil && errB == nil && pa.Overlaps(pb) {
				problems = append(problems, &FieldError{b.Name, "VPCCIDR", b.VPCCIDR,
					fmt.Sprintf("overlaps %s's %s; VPC ranges must be distinct across environments", a.Name, a.VPCCIDR)})
			}
		}
	}
	return errors.Join(problems...)
}

var (
	accountIDPattern     = regexp.MustCompile(`^[0-9]{12}$`)
	tagValuePattern      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$`)
	regionPattern        = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	dbInstanceClass      = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	cacheNodeType        = regexp.MustCompile(`^cache\.[a-z0-9]+\.[a-z0-9]+$`)
	cacheEngineVersion   = regexp.MustCompile(`^[6-7]\.[0-9]+$`)
	organizationPattern  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)
	privateIPv4Ranges    = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16")}
	logRetentionDayValue = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	// PostgreSQL majors RDS creates today; minors follow automatically.
	postgresMajorVersions = []string{"14", "15", "16", "17"}
)

// Bounds of the numeric settings, in one place so messages and checks agree.
const (
	minAZs                  = 2
	prodAZs                 = 3
	maxAZs                  = 6
	minVPCPrefix            = 16
	maxVPCPrefix            = 24
	minStreamRetentionHours = 24
	maxStreamRetentionHours = 8760
	maxShards               = 500
	minDBStorageGB          = 20
	maxDBStorageGB          = 65536
	maxBackupRetentionDays  = 35
	minCacheNodes           = 2
	maxCacheNodes           = 6
	maxCacheSnapshotDays    = 35
	minKMSDeletionWindow    = 7
	maxKMSDeletionWindow    = 30
)

// Bounds of the alarm thresholds; a percentage alarm at 100 could never fire.
const (
	minIteratorAgeAlarmMs   = 1000
	maxAlarmPercent         = 99
	maxAlarmCount           = 1_000_000
	maxDBConnections        = 5000 // RDS PostgreSQL's default max_connections cap
	maxReplicationLagAlarmS = 3600
)

// Validate reports every problem with one environment's settings.
func (e Environment) Validate() error {
	var problems []error
	bad := func(field string, value any, allowed string, args ...any) {
		problems = append(problems, &FieldError{e.Name, field, value, fmt.Sprintf(allowed, args...)})
	}
	isProd := e.Name == Prod

	if e.Base == "" && !slices.Contains(PermanentNames(), e.Name) {
		bad("Name", e.Name, "unknown environment; allowed: %s", strings.Join(PermanentNames(), ", "))
	}
	if e.Base != "" {
		if err := validateSuffix(e.Name); err != nil {
			bad("Name", e.Name, "ephemeral suffix: %v", err)
		}
	}
	if strings.TrimSpace(e.Owner) == "" {
		bad("Owner", e.Owner, "a team name for the Owner tag")
	}
	if !accountIDPattern.MatchString(e.AccountID) {
		bad("AccountID", e.AccountID, "12 digits")
	}

	regionOK := regionPattern.MatchString(e.Region)
	if !regionOK {
		bad("Region", e.Region, "an AWS region name such as sa-east-1")
	} else if !slices.Contains(ResidencyRegions, e.Region) && strings.TrimSpace(e.DataTransferBasis) == "" {
		bad("Region", e.Region, "outside the residency allow-list (%s); set DataTransferBasis to the LGPD art. 33 basis for the transfer",
			strings.Join(ResidencyRegions, ", "))
	}
	// The basis becomes a tag value (DataTransferBasisTag).
	if e.DataTransferBasis != "" && !tagValuePattern.MatchString(e.DataTransferBasis) {
		bad("DataTransferBasis", e.DataTransferBasis, "at most 256 letters, digits, spaces and _ . : / = + - @ (it becomes the %s tag)", DataTransferBasisTag)
	}

	wantAZs := minAZs
	if isProd {
		wantAZs = prodAZs
	}
	if n := len(e.AvailabilityZones); n < wantAZs || n > maxAZs {
		bad("AvailabilityZones", e.AvailabilityZones, "%d to %d zones (has %d)", wantAZs, maxAZs, n)
	}
	for i, az := range e.AvailabilityZones {
		if regionOK && (len(az) != len(e.Region)+1 || !strings.HasPrefix(az, e.Region) || az[len(az)-1] < 'a' || az[len(az)-1] > 'z') {
			bad("AvailabilityZones", az, "a zone of region %s (%sa, %sb, ...)", e.Region, e.Region, e.Region)
		}
		if slices.Contains(e.AvailabilityZones[:i], az) {
			bad("AvailabilityZones", az, "listed twice")
		}
	}

	if p, err := netip.ParsePrefix(e.VPCCIDR); err != nil || !p.Addr().Is4() {
		bad("VPCCIDR", e.VPCCIDR, "an IPv4 CIDR block such as 10.10.0.0/16")
	} else {
		if p != p.Masked() {
			bad("VPCCIDR", e.VPCCIDR, "host bits set; the network is %s", p.Masked())
		}
		if p.Bits() < minVPCPrefix || p.Bits() > maxVPCPrefix {
			bad("VPCCIDR", e.VPCCIDR, "prefix length /%d to /%d", minVPCPrefix, maxVPCPrefix)
		}
		if !slices.ContainsFunc(privateIPv4Ranges, func(r netip.Prefix) bool { return r.Contains(p.Addr()) && r.Bits() <= p.Bits() }) {
			bad("VPCCIDR", e.VPCCIDR, "inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)")
		}
	}

	var egressValues []string
	for _, v := range EgressValues {
		egressValues = append(egressValues, string(v))
	}
	switch {
	case !slices.Contains(EgressValues, e.Egress):
		bad("Egress", e.Egress, "one of %s", strings.Join(egressValues, ", "))
	case isProd && e.Egress == EgressNATShared:
		bad("Egress", e.Egress, "%s or %s in prod: with internet egress every AZ has its own NAT gateway, so losing one AZ does not cut the others off",
			EgressNone, EgressNATPerAZ)
	}

	if !slices.Contains(logRetentionDayValue, e.LogRetentionDays) {
		bad("LogRetentionDays", e.LogRetentionDays, "one of CloudWatch's values %v", logRetentionDayValue)
	}
	if e.KMSDeletionWindowDays < minKMSDeletionWindow || e.KMSDeletionWindowDays > maxKMSDeletionWindow {
		bad("KMSDeletionWindowDays", e.KMSDeletionWindowDays, "%d to %d days", minKMSDeletionWindow, maxKMSDeletionWindow)
	}

	if e.StreamRetentionHours < minStreamRetentionHours || e.StreamRetentionHours > maxStreamRetentionHours {
		bad("StreamRetentionHours", e.StreamRetentionHours, "%d to %d hours", minStreamRetentionHours, maxStreamRetentionHours)
	}
	switch {
	case e.StreamOnDemand && e.StreamShardCount != 0:
		bad("StreamShardCount", e.StreamShardCount, "0 when StreamOnDemand is set (on-demand streams scale themselves)")
	case !e.StreamOnDemand && (e.StreamShardCount < 1 || e.StreamShardCount > maxShards):
		bad("StreamShardCount", e.StreamShardCount, "1 to %d shards for a provisioned stream", maxShards)
	}

	if !dbInstanceClass.MatchString(e.DBInstanceClass) {
		bad("DBInstanceClass", e.DBInstanceClass, "an RDS instance class such as db.t4g.micro")
	}
	if !slices.Contains(postgresMajorVersions, e.DBEngineMajorVersion) {
		bad("DBEngineMajorVersion", e.DBEngineMajorVersion, "a major version only (%s); minor versions upgrade automatically", strings.Join(postgresMajorVersions, ", "))
	}
	if e.DBAllocatedStorageGB < minDBStorageGB || e.DBAllocatedStorageGB > maxDBStorageGB {
		bad("DBAllocatedStorageGB", e.DBAllocatedStorageGB, "%d to %d GB (gp3)", minDBStorageGB, maxDBStorageGB)
	}
	if e.DBMaxAllocatedStorageGB <= e.DBAllocatedStorageGB || e.DBMaxAllocatedStorageGB > maxDBStorageGB {
		bad("DBMaxAllocatedStorageGB", e.DBMaxAllocatedStorageGB, "more than DBAllocatedStorageGB (%d) and at most %d GB", e.DBAllocatedStorageGB, maxDBStorageGB)
	}
	if e.DBBackupRetentionDays < 0 || e.DBBackupRetentionDays > maxBackupRetentionDays {
		bad("DBBackupRetentionDays", e.DBBackupRetentionDays, "0 to %d days", maxBackupRetentionDays)
	}

	if !cacheNodeType.MatchString(e.CacheNodeType) {
		bad("CacheNodeType", e.CacheNodeType, "an ElastiCache node type such as cache.t4g.micro")
	}
	if !cacheEngineVersion.MatchString(e.CacheEngineVersion) {
		bad("CacheEngineVersion", e.CacheEngineVersion, "a Redis major.minor version such as 7.1")
	}
	if e.CacheNodeCount < minCacheNodes || e.CacheNodeCount > maxCacheNodes {
		bad("CacheNodeCount", e.CacheNodeCount, "%d to %d nodes (automatic failover needs a replica)", minCacheNodes, maxCacheNodes)
	}
	if e.CacheSnapshotRetentionDays < 1 || e.CacheSnapshotRetentionDays > maxCacheSnapshotDays {
		bad("CacheSnapshotRetentionDays", e.CacheSnapshotRetentionDays, "1 to %d days", maxCacheSnapshotDays)
	}

	problems = append(problems, e.validateIdentities()...)
	problems = append(problems, validateDeployPrincipals(e.Name, "StateDeployPrincipals", e.AccountID, e.StateDeployPrincipals)...)
	problems = append(problems, e.validateNames()...)
	problems = append(problems, e.validateAlarms()...)
	problems = append(problems, e.validateKCL()...)
	problems = append(problems, e.validateRelaxations()...)
	problems = append(problems, e.State.validate()...)
	return errors.Join(problems...)
}

// validateIdentities checks who may assume the producer and processor roles.
func (e Environment) validateIdentities() []error {
	var problems []error
	for _, f := range []struct {
		field      string
		principals []string
	}{{"ProducerPrincipals", e.ProducerPrincipals}, {"ProcessorPrincipals", e.ProcessorPrincipals}} {
		allowed := "allowed: " + strings.Join(AssumeRoleServices, ", ")
		if len(f.principals) == 0 {
			problems = append(problems, &FieldError{e.Name, f.field, f.principals, "at least one service principal; " + allowed})
		}
		for i, p := range f.principals {
			switch {
			case !slices.Contains(AssumeRoleServices, p):
				problems = append(problems, &FieldError{e.Name, f.field, p, "not an allowed service principal; " + allowed})
			case slices.Contains(f.principals[:i], p):
				problems = append(problems, &FieldError{e.Name, f.field, p, "listed twice"})
			}
		}
	}
	return problems
}

// validateAlarms checks the alarm thresholds against their units and the
// resources they watch.
func (e Environment) validateAlarms() []error {
	var problems []error
	bad := func(field string, value any, allowed string, args ...any) {
		problems = append(problems, &FieldError{e.Name, field, value, fmt.Sprintf(allowed, args...)})
	}
	maxAge := e.StreamRetentionHours * 3_600_000 / 2
	if e.StreamIteratorAgeAlarmMs < minIteratorAgeAlarmMs || e.StreamIteratorAgeAlarmMs > maxAge {
		bad("StreamIteratorAgeAlarmMs", e.StreamIteratorAgeAlarmMs, "%d ms to half the stream retention (%d ms for %d hours)",
			minIteratorAgeAlarmMs, maxAge, e.StreamRetentionHours)
	}
	for _, c := range []struct {
		field string
		value int
		max   int
		unit  string
	}{
		{"StreamWriteThrottleAlarmCount", e.StreamWriteThrottleAlarmCount, maxAlarmCount, "throttled records per 5 minutes"},
		{"DBCPUAlarmPercent", e.DBCPUAlarmPercent, maxAlarmPercent, "percent"},
		{"DBConnectionsAlarmCount", e.DBConnectionsAlarmCount, maxDBConnections, "connections"},
		{"CacheCPUAlarmPercent", e.CacheCPUAlarmPercent, maxAlarmPercent, "percent"},
		{"CacheMemoryAlarmPercent", e.CacheMemoryAlarmPercent, maxAlarmPercent, "percent"},
		{"CacheEvictionsAlarmCount", e.CacheEvictionsAlarmCount, maxAlarmCount, "evictions per 5 minutes"},
		{"CacheReplicationLagAlarmSeconds", e.CacheReplicationLagAlarmSeconds, maxReplicationLagAlarmS, "seconds"},
	} {
		if c.value < 1 || c.value > c.max {
			bad(c.field, c.value, "1 to %d %s", c.max, c.unit)
		}
	}
	if e.DBFreeStorageAlarmGB < 1 || e.DBFreeStorageAlarmGB >= e.DBAllocatedStorageGB {
		bad("DBFreeStorageAlarmGB", e.DBFreeStorageAlarmGB, "1 GB to less than DBAllocatedStorageGB (%d GB)", e.DBAllocatedStorageGB)
	}
	return problems
}

// relaxed reports, for each relaxable setting, whether the environment keeps
// it below the production baseline.
func (e Environment) relaxed() map[string]bool {
	return map[string]bool{
		RelaxMultiAZ:                !e.DBMultiAZ,
		RelaxDeletionProtection:     !e.DBDeletionProtection,
		RelaxFinalSnapshot:          e.DBSkipFinalSnapshot,
		RelaxDeleteAutomatedBackups: e.DBDeleteAutomatedBackups,
		RelaxBackupRetention:        e.DBBackupRetentionDays < minProdBackupRetentionDays,
		RelaxPreventDestroy:         !e.PreventDestroy,
		RelaxKMSDeletionWindow:      e.KMSDeletionWindowDays < prodKMSDeletionWindowDays,
		RelaxLogRetention:           e.LogRetentionDays < minProdLogRetentionDays,
		RelaxStreamRetention:        e.StreamRetentionHours < minProdStreamRetentionHrs,
		RelaxEgress:                 e.Egress != EgressNone && slices.Contains(EgressValues, e.Egress),
	}
}

// baseline says, for the messages, what the production baseline of each
// relaxable setting is.
var baseline = map[string]string{
	RelaxMultiAZ:                "true",
	RelaxDeletionProtection:     "true",
	RelaxFinalSnapshot:          "false",
	RelaxDeleteAutomatedBackups: "false",
	RelaxBackupRetention:        fmt.Sprintf("at least %d", minProdBackupRetentionDays),
	RelaxPreventDestroy:         "true",
	RelaxKMSDeletionWindow:      fmt.Sprintf("%d", prodKMSDeletionWindowDays),
	RelaxLogRetention:           fmt.Sprintf("at least %d", minProdLogRetentionDays),
	RelaxStreamRetention:        fmt.Sprintf("at least %d", minProdStreamRetentionHrs),
	RelaxEgress:                 string(EgressNone) + " (AWS APIs through VPC endpoints)",
}

func (e Environment) validateRelaxations() []error {
	var problems []error
	relaxed := e.relaxed()
	settings := make([]string, 0, len(relaxed))
	for s := range relaxed {
		settings = append(settings, s)
	}
	slices.Sort(settings)

	recorded := map[string]bool{}
	for _, r := range e.Relaxations {
		switch {
		case !slices.Contains(settings, r.Setting):
			problems = append(problems, &FieldError{e.Name, "Relaxations", r.Setting, "not a relaxable setting; allowed: " + strings.Join(settings, ", ")})
		case recorded[r.Setting]:
			problems = append(problems, &FieldError{e.Name, "Relaxations", r.Setting, "recorded twice"})
		case strings.TrimSpace(r.Reason) == "" || strings.Contains(r.Reason, "\n"):
			problems = append(problems, &FieldError{e.Name, "Relaxations", r.Setting, "needs a one-line reason"})
		case !relaxed[r.Setting]:
			problems = append(problems, &FieldError{e.Name, "Relaxations", r.Setting, "recorded but the setting meets the baseline; remove the entry"})
		}
		recorded[r.Setting] = true
	}
	for _, s := range settings {
		if !relaxed[s] {
			continue
		}
		switch {
		case e.Name == Prod && !prodMayRelax(e, s):
			problems = append(problems, &FieldError{e.Name, s, fieldValue(e, s), "prod may not relax this; baseline is " + baseline[s]})
		case !recorded[s]:
			problems = append(problems, &FieldError{e.Name, s, fieldValue(e, s), "below the baseline (" + baseline[s] + ") without a Relaxations entry giving the reason"})
		}
	}
	return problems
}

// prodMayRelax names the one relaxation prod may record: internet egress
// through a NAT gateway per AZ. Reaching a service outside AWS is a business
// decision, not a weaker protection of data already held, so it is allowed
// with a recorded reason (and needs its own scoped exception in
// .trivyignore.yaml); a single NAT gateway for every AZ is not (Validate).
func prodMayRelax(e Environment, setting string) bool {
	return setting == RelaxEgress && e.Egress == EgressNATPerAZ
}

// fieldValue returns the current value of a relaxable setting for messages.
func fieldValue(e Environment, setting string) any {
	switch setting {
	case RelaxMultiAZ:
		return e.DBMultiAZ
	case RelaxDeletionProtection:
		return e.DBDeletionProtection
	case RelaxFinalSnapshot:
		return e.DBSkipFinalSnapshot
	case RelaxDeleteAutomatedBackups:
		return e.DBDeleteAutomatedBackups
	case RelaxBackupRetention:
		return e.DBBackupRetentionDays
	case RelaxPreventDestroy:
		return e.PreventDestroy
	case RelaxKMSDeletionWindow:
		return e.KMSDeletionWindowDays
	case RelaxLogRetention:
		return e.LogRetentionDays
	case RelaxStreamRetention:
		return e.StreamRetentionHours
	case RelaxEgress:
		return e.Egress
	}
	return nil
}

// validate checks the state settings. They come from the process
// environment and are shared by every stack, so problems name the setting,
// not an environment, and Validate reports each once.
func (s StateBackend) validate() []error {
	var problems []error
	bad := func(field string, value any, allowed string) {
		problems = append(problems, &FieldError{Field: field, Value: value, Allowed: allowed})
	}
	switch s.Kind {
	case BackendS3:
		if err := validateBucketName(s.Bucket); err != nil {
			bad("State.Bucket ("+EnvStateBucket+")", s.Bucket, err.Error())
		}
		if !regionPattern.MatchString(s.Region) {
			bad("State.Region ("+EnvStateRegion+")", s.Region, "an AWS region name such as sa-east-1")
		}
		if !accountIDPattern.MatchString(s.AccountID) {
			bad("State.AccountID ("+EnvStateAccountID+")", s.AccountID, "12 digits: the account that holds the state bucket")
		}
	case BackendCloud:
		if !organizationPattern.MatchString(s.Organization) {
			bad("State.Organization ("+EnvCloudOrganization+")", s.Organization, "the Terraform Cloud organization name (letters, digits, _ and -)")
		}
	default:
		bad("State.Kind ("+EnvStateBackend+")", s.Kind, "s3 or cloud")
	}
	return problems
}
