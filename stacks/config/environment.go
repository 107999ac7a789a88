// Package config is FastShop's configuration: the environments, the process
// settings, the state backend and the state bootstrap, every bound and
// default, and Validate, which checks all of it before anything is built.
// It imports no CDKTF or provider binding (importing one starts the jsii
// kernel), so its tests run in about a second.
//
// Each concern's settings live in the file named after it (network.go,
// database.go, ...), beside the builder of the same name in package stacks.
package config

import (
	"regexp"
	"slices"
	"strings"
)

// Environment is everything that differs between two deployments of the
// pipeline: plain Go values with their units in the field names. Every field
// is set in the environments table (environments.go); none has a default.
// Ranges below are what Validate accepts.
type Environment struct {
	// Identity.

	// Name is the environment (dev, staging, prod) and the stack id. For an
	// ephemeral stack it is the suffix (pr-482): lowercase letters, digits
	// and single hyphens, at most 17 characters.
	Name string
	// Base is the environment whose settings an ephemeral stack copies;
	// empty for the permanent environments.
	Base string
	// Owner is the team answerable for the environment (the Owner tag).
	Owner string
	// AccountID is the AWS account the environment lives in: 12 digits. Key
	// policies and ARNs are written with it at synth time so that plans
	// show them in full (a caller-identity lookup would need AWS
	// credentials at plan time).
	AccountID string

	// Residency and network (network.go).

	// Region holds every resource. Customer data stays in the residency
	// allow-list (sa-east-1) unless DataTransferBasis names the legal basis
	// for an international transfer (LGPD art. 33).
	Region string
	// DataTransferBasis is that basis, at most 256 characters; it becomes
	// the DataTransferBasis tag. Empty inside the allow-list.
	DataTransferBasis string
	// AvailabilityZones are listed explicitly (no data-source lookup, which
	// would tie plans to the live account and could reorder subnets): 2 to
	// 6 zones of Region, 3 to 6 in prod.
	AvailabilityZones []string
	// VPCCIDR is the VPC's IPv4 range, /16 to /24 inside a private range,
	// distinct from every other environment's; subnets are carved from it.
	VPCCIDR string
	// Egress is the application tier's path to the internet (none,
	// nat-shared, nat-per-az). NAT gateways and their public addresses exist
	// only where it is not none, and the app security group may reach the
	// internet on 443 only then. AWS APIs are reached through VPC endpoints
	// either way, so the baseline is none and anything else is a
	// relaxation.
	Egress Egress
	// ECSLaunchType is how ECS runs the producer and processor tasks:
	// FARGATE, the one supported launch type (endpoints.go says why).
	ECSLaunchType string
	// InterfaceEndpoints are the AWS APIs the private subnets reach through
	// interface endpoints (one network interface per AZ, billed hourly):
	// kinesis-streams, monitoring, logs, ecr.api, ecr.dkr, each only where
	// a caller of this environment needs it, none twice; with Egress none,
	// every one a caller needs (README, Private paths to AWS). S3 and
	// DynamoDB always have gateway endpoints.
	InterfaceEndpoints []string
	// ImageRepositories are the ECR repositories, in AccountID and Region,
	// that ECS pulls the workloads' images from with the task execution
	// role: names without wildcards, none twice; at least one where ECS
	// runs a workload, none elsewhere.
	ImageRepositories []string

	// Logs and keys (logs.go, encryption.go).

	// LogRetentionDays applies to every log group (flow logs, PostgreSQL,
	// Redis, processor): one of CloudWatch's retention values. Marco Civil
	// art. 15 asks six months for access records, so the baseline is 180.
	LogRetentionDays int
	// KMSDeletionWindowDays is how long a scheduled key deletion can be
	// cancelled: 7 to 30 days; the baseline is 30.
	KMSDeletionWindowDays int

	// Streaming (streaming.go).

	// StreamOnDemand switches the Kinesis stream to on-demand capacity;
	// otherwise StreamShardCount provisioned shards.
	StreamOnDemand bool
	// StreamShardCount is 1 to 500 shards for a provisioned stream, 0 for
	// an on-demand one.
	StreamShardCount int
	// StreamRetentionHours is how long records stay readable: 24 to 8760
	// hours; the baseline is 168 (Security Hub Kinesis.3).
	StreamRetentionHours int

	// Database (database.go).

	// DBInstanceClass is an RDS instance class (db.<family>.<size>).
	DBInstanceClass string
	// DBEngineMajorVersion is a PostgreSQL major version RDS creates (14 to
	// 17); minor versions upgrade automatically.
	DBEngineMajorVersion string
	// DBAllocatedStorageGiB is the gp3 storage created, 20 to 65536 GiB
	// (RDS's allocated_storage is in GiB).
	DBAllocatedStorageGiB int
	// DBMaxAllocatedStorageGiB is where storage autoscaling stops: more
	// than DBAllocatedStorageGiB, at most 65536 GiB.
	DBMaxAllocatedStorageGiB int
	// DBBackupRetentionDays keeps automated backups 0 to 35 days; the
	// baseline is at least 7.
	DBBackupRetentionDays int
	// DBMultiAZ keeps a synchronous standby in a second AZ; the baseline is
	// true.
	DBMultiAZ bool
	// DBDeletionProtection refuses deletes of the instance and of the KCL
	// tables; the baseline is true.
	DBDeletionProtection bool
	// DBSkipFinalSnapshot deletes the instance without a last snapshot; the
	// baseline is false.
	DBSkipFinalSnapshot bool
	// DBDeleteAutomatedBackups deletes the automated backups with the
	// instance; the baseline is false.
	DBDeleteAutomatedBackups bool
	// DBAllowMajorVersionUpgrade is true only for the apply that raises
	// DBEngineMajorVersion (README, "PostgreSQL major upgrade"): RDS then
	// takes the new major and the new family's parameter group at once
	// (allow_major_version_upgrade, apply_immediately), so the old group
	// can be deleted in the same apply. false otherwise.
	DBAllowMajorVersionUpgrade bool

	// Cache (cache.go).

	// CacheNodeType is an ElastiCache node type (cache.<family>.<size>).
	CacheNodeType string
	// CacheEngineVersion is a Redis major.minor version (6.x or 7.x).
	CacheEngineVersion string
	// CacheNodeCount is the primary and its replicas: 2 to 6 (automatic
	// failover needs a replica).
	CacheNodeCount int
	// CacheSnapshotRetentionDays keeps daily snapshots 1 to 35 days.
	CacheSnapshotRetentionDays int

	// PreventDestroy sets lifecycle.prevent_destroy on the stateful
	// resources (database, cache, stream, keys, log groups, KCL tables);
	// the baseline is true.
	PreventDestroy bool

	// Identities (identities.go).

	// ProducerPrincipals and ProcessorPrincipals are the AWS services that
	// may assume the producer and processor roles (ecs-tasks.amazonaws.com,
	// lambda.amazonaws.com; at least one, none twice), always on behalf of
	// AccountID only.
	ProducerPrincipals  []string
	ProcessorPrincipals []string
	// StateDeployPrincipals are the IAM roles of AccountID that deploy this
	// environment (CI's deploy role, the operators' role): only they may
	// assume its state-access role in the state account. Role ARNs in
	// AccountID, at least one, no wildcards; a role that does not exist yet
	// is fine (the trust policy matches aws:PrincipalArn, which IAM does not
	// resolve).
	StateDeployPrincipals []string

	// Stream processing (kcl.go).

	// KCLVersion is the Kinesis Client Library release the fraud-detection
	// processors run, major.minor.patch (3.0.0 or later). It decides the
	// DynamoDB tables: KCL 3.5 and later keep their coordinator state and
	// worker metrics in the lease table, so only the lease table exists;
	// 3.0 to 3.4 also get their CoordinatorState and WorkerMetricStats
	// tables. Moving a deployed environment from 3.4 or earlier to 3.5 or
	// later is KCL's two-phase table migration, not a change of this value.
	KCLVersion string

	// Alarm thresholds (alarms.go). An alarm fires when the metric
	// passes the threshold for the period stated in its description.

	// StreamIteratorAgeAlarmMs is the age of the oldest unread record, 1000
	// ms to half the stream retention, so on-call has time before records
	// expire.
	StreamIteratorAgeAlarmMs int
	// StreamWriteThrottleAlarmCount is records rejected by write throttling
	// in five minutes: 1 to 1,000,000.
	StreamWriteThrottleAlarmCount int
	// DBCPUAlarmPercent is average CPU: 1 to 99 percent.
	DBCPUAlarmPercent int
	// DBFreeStorageAlarmGiB is free storage (GiB, 2^30 bytes) below which
	// the alarm fires: 1 to less than DBAllocatedStorageGiB.
	DBFreeStorageAlarmGiB int
	// DBConnectionsAlarmCount is open connections: 1 to 5000 (RDS
	// PostgreSQL's max_connections cap).
	DBConnectionsAlarmCount int
	// CacheCPUAlarmPercent applies to EngineCPUUtilization (the Redis
	// thread): 1 to 99 percent.
	CacheCPUAlarmPercent int
	// CacheMemoryAlarmPercent is memory use against maxmemory: 1 to 99
	// percent.
	CacheMemoryAlarmPercent int
	// CacheEvictionsAlarmCount is keys evicted in five minutes, per node: 1
	// to 1,000,000.
	CacheEvictionsAlarmCount int
	// CacheReplicationLagAlarmSeconds is a replica's lag: 1 to 3600
	// seconds.
	CacheReplicationLagAlarmSeconds int
	// KCLLeaseThrottleAlarmCount is KCL lease-table reads or writes
	// throttled in five minutes: 1 to 1,000,000.
	KCLLeaseThrottleAlarmCount int

	// Relaxations lists every setting this environment keeps below the
	// production baseline, each with a one-line reason (relaxations.go).
	// Validate refuses an unexplained relaxation, and refuses any
	// relaxation in prod but internet egress through a NAT gateway per AZ.
	Relaxations []Relaxation
}

// Names of the permanent environments, in synth order.
const (
	Dev     = "dev"
	Staging = "staging"
	Prod    = "prod"
)

// PermanentNames lists the permanent environments' names in synth order.
func PermanentNames() []string {
	var names []string
	for _, e := range Environments() {
		names = append(names, e.Name)
	}
	return names
}

// ResourceName follows the fastshop-<thing>-<env> convention; for an
// ephemeral stack the environment's name is the suffix.
func (e Environment) ResourceName(thing string) string {
	return "fastshop-" + thing + "-" + e.Name
}

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
)

// validateIdentity checks the environment's name, owner and account.
func (e Environment) validateIdentity(p *problems) {
	if e.Base == "" && !slices.Contains(PermanentNames(), e.Name) {
		p.add("Name", e.Name, "unknown environment; allowed: %s", strings.Join(PermanentNames(), ", "))
	}
	if e.Base != "" {
		if err := validateSuffix(e.Name); err != nil {
			p.add(VarSuffix, e.Name, "%v", err)
		}
	}
	if strings.TrimSpace(e.Owner) == "" {
		p.add("Owner", e.Owner, "a team name for the Owner tag")
	}
	if !accountIDPattern.MatchString(e.AccountID) {
		p.add("AccountID", e.AccountID, "12 digits")
	}
}

// validate adds every problem with one environment's settings to p, each
// concern's checks in turn. Config.Validate adds the checks across
// environments and of the shared settings.
func (e Environment) validate(p *problems) {
	e.validateIdentity(p)
	e.validateNetwork(p)
	e.validateEndpoints(p)
	e.validateLogs(p)
	e.validateEncryption(p)
	e.validateStreaming(p)
	e.validateDatabase(p)
	e.validateCache(p)
	e.validateIdentities(p)
	e.validateNames(p)
	e.validateAlarms(p)
	e.validateKCL(p)
	e.validateRelaxations(p)
}
