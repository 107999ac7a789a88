package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kinds of state backend (VarStateBackend).
const (
	BackendS3    = "s3"
	BackendCloud = "cloud"
)

// StateBackend says where Terraform keeps every stack's state. It comes from
// the process settings and is shared by every stack, so it is validated once
// and its problems name the process setting, not an environment.
type StateBackend struct {
	// Kind is BackendS3 (default) or BackendCloud (VarStateBackend).
	Kind string
	// Bucket and Region locate the S3 state bucket (BackendS3;
	// VarStateBucket, default DefaultStateBucket; VarStateRegion, default
	// DefaultStateRegion). The bucket is created by the state bootstrap
	// stack and encrypted with the key behind StateKeyAlias. Bucket is a
	// DNS-compliant S3 name without periods, at most 51 characters (the
	// access log bucket's name adds -access-logs).
	Bucket string
	Region string
	// AccountID owns the state bucket and its key (VarStateAccountID,
	// default DefaultStateAccountID): a state account apart from the
	// workload accounts. Each backend assumes its environment's
	// state-access role there.
	AccountID string
	// Organization is the Terraform Cloud organization (BackendCloud;
	// VarCloudOrganization, no default): 1 to 40 letters, digits, _ and -.
	// Each environment gets its own workspace, named by Workspace.
	Organization string
	// Project is the HCP Terraform project holding the workspaces
	// (BackendCloud, or the deploy identities' default subject;
	// VarCloudProject, no default): 1 to 40 letters, digits, _, - and inner
	// spaces.
	Project string
}

// Defaults of the state backend.
const (
	// DefaultStateBucket is the bucket the state bootstrap stack creates.
	DefaultStateBucket = "fastshop-terraform-state-sa-east-1"
	// DefaultStateRegion is where the state bucket lives.
	DefaultStateRegion = "sa-east-1"
	// DefaultStateAccountID is the AWS account that owns the state bucket
	// and its key: a state account apart from the environments' workload
	// accounts, so no workload account's administrators can rewrite
	// another environment's state.
	DefaultStateAccountID = "444444444444"
)

// StateKeyAlias is the alias of the KMS key that encrypts the state bucket;
// the bootstrap stack creates it and backends name it.
const StateKeyAlias = "alias/fastshop-terraform-state"

// StateKey is the object key of a stack's state in the S3 bucket.
func StateKey(stack string) string {
	return fmt.Sprintf("fastshop/%s/terraform.tfstate", stack)
}

// StateAccessRole is the role in the state account that an environment's
// backend assumes: it may read and write only that environment's state
// (dev's also covers the ephemeral stacks built from dev).
func (e Environment) StateAccessRole() string {
	base := e.Name
	if e.Base != "" {
		base = e.Base
	}
	return stateAccessRole(base)
}

func stateAccessRole(env string) string { return "fastshop-terraform-state-" + env }

// StateAccessRoleARN is StateAccessRole in the state account.
func (s StateBackend) StateAccessRoleARN(e Environment) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", s.AccountID, e.StateAccessRole())
}

// SessionName is the backend's STS session name, which CloudTrail records
// for every state read and write.
func (e Environment) SessionName() string { return "fastshop-" + e.Name }

// Workspace is the Terraform Cloud workspace of an environment.
func (e Environment) Workspace() string { return "fastshop-" + e.Name }

var organizationPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// validate checks the state settings once for every stack. The state holds
// every resource's attributes, customer data among them, so the bucket's
// region obeys the residency allow-list like every environment's region.
// bucket says the S3 settings are in use even with the cloud backend: the
// state bootstrap and the deploy identities keep their own state in the
// bucket.
func (s StateBackend) validate(bucket bool) []error {
	p := &problems{}
	if s.Kind != BackendS3 && s.Kind != BackendCloud {
		p.add(VarStateBackend, s.Kind, "s3 or cloud")
	}
	if s.Kind == BackendS3 || bucket {
		if err := validateBucketName(s.Bucket); err != nil {
			p.add(VarStateBucket, s.Bucket, err.Error())
		}
		switch {
		case !regionPattern.MatchString(s.Region):
			p.add(VarStateRegion, s.Region, "an AWS region name such as sa-east-1")
		case !slices.Contains(residencyRegions, s.Region):
			p.add(VarStateRegion, s.Region, "a region of the residency allow-list (%s): the state holds every resource's attributes, customer data among them (LGPD art. 33)",
				strings.Join(residencyRegions, ", "))
		}
		if !accountIDPattern.MatchString(s.AccountID) {
			p.add(VarStateAccountID, s.AccountID, "12 digits: the account that holds the state bucket")
		}
	}
	why := "required with " + VarStateBackend + "=" + BackendCloud
	if s.Kind == BackendCloud || s.Organization != "" {
		validateOrganization(p, s.Organization, why)
	}
	if s.Kind == BackendCloud {
		if s.Project == "" {
			p.add(VarCloudProject, "", "%s: the HCP Terraform project that holds the fastshop-<env> workspaces", why)
		}
	}
	if s.Project != "" {
		validateProject(p, s.Project)
	}
	return p.errs
}

// validateOrganization checks an HCP Terraform organization name that
// must be set (why says what needs it).
func validateOrganization(p *problems, organization, why string) {
	switch {
	case organization == "":
		p.add(VarCloudOrganization, "", "%s: the HCP Terraform organization name (1 to 40 letters, digits, _ and -)", why)
	case !organizationPattern.MatchString(organization):
		p.add(VarCloudOrganization, organization, "the HCP Terraform organization name (1 to 40 letters, digits, _ and -)")
	}
}

// BootstrapID is the id of the stack that creates the state bucket and its
// key. An operator deploys it first, once per state account; every
// pipeline stack's S3 backend then points at what it made.
const BootstrapID = "state-bootstrap"

// BootstrapStatePath is where the bootstrap stack keeps its own state
// during its first apply (VarStateBootstrapBackend=local), relative to its
// working directory (cdktf.out/stacks/state-bootstrap). A relative path
// keeps the synthesized output the same on every checkout (cdktf's default
// local path is absolute).
const BootstrapStatePath = "terraform.tfstate"

// Values of VarStateBootstrapBackend.
const (
	BootstrapStateS3    = "s3"
	BootstrapStateLocal = "local"
)

// Defaults of the bootstrap's retention settings.
const (
	// DefaultNoncurrentStateVersionDays keeps overwritten state versions for
	// a quarter: long enough to roll back a bad apply found late.
	DefaultNoncurrentStateVersionDays = 90
	// DefaultAbortIncompleteUploadDays cleans up uploads an interrupted run
	// left behind.
	DefaultAbortIncompleteUploadDays = 7
	// DefaultAccessLogRetentionDays keeps the state bucket's access logs
	// longer than the six months Marco Civil art. 15 asks for access
	// records.
	DefaultAccessLogRetentionDays = 400
)

// Bounds of the bootstrap's settings.
const (
	minNoncurrentStateVersionDays = 30
	maxLifecycleDays              = 3650
	minAccessLogRetentionDays     = 180
)

// StateKMSDeletionWindowDays is the state key's deletion window, the
// longest KMS allows: losing this key loses every environment's state.
const StateKMSDeletionWindowDays = 30

// StateOwner is the team answerable for the state account's resources.
const StateOwner = "data-platform"

// StateAccessPolicyName is the inline policy of every state-access role.
const StateAccessPolicyName = "own-state-only"

// accessLogBucketSuffix names the log bucket after the state bucket.
const accessLogBucketSuffix = "-access-logs"

// Bootstrap is the configuration of the state bootstrap stack, which
// creates the bucket, key and access log bucket of the S3 backend in
// Config.State; Select builds it from the same values, so they always
// match.
type Bootstrap struct {
	// NoncurrentVersionDays is how long an overwritten or deleted state
	// version is kept: 30 to 3650 days, default 90.
	NoncurrentVersionDays int
	// AbortIncompleteUploadDays removes unfinished multipart uploads: 1 to
	// 3650 days, default 7.
	AbortIncompleteUploadDays int
	// AccessLogRetentionDays is how long server access logs are kept: 180
	// to 3650 days, default 400.
	AccessLogRetentionDays int
	// Tenants are the permanent environments whose backends keep state
	// here; each gets a state-access role its deploy roles may assume.
	Tenants []Tenant
	// LocalState keeps the bootstrap's own state in a local file, for the
	// first apply only (VarStateBootstrapBackend=local). Otherwise it lives
	// in the bucket at StateKey(BootstrapID), encrypted with the state key
	// and locked like every other stack's.
	LocalState bool
}

// Tenant is an environment whose state the bucket holds.
type Tenant struct {
	Name      string
	AccountID string
	// DeployPrincipals are the environment's StateDeployPrincipals: the
	// only roles its state-access role trusts.
	DeployPrincipals []string
}

// StateAccessRole is the tenant's role in the state account.
func (t Tenant) StateAccessRole() string { return stateAccessRole(t.Name) }

// AccessLogBucket is the bucket that receives the state bucket's server
// access logs.
func (s StateBackend) AccessLogBucket() string {
	return s.Bucket + accessLogBucketSuffix
}

// newBootstrap is the bootstrap for every permanent environment in envs,
// whichever this run synthesizes: the bucket serves them all.
func newBootstrap(envs []Environment, local bool) *Bootstrap {
	b := &Bootstrap{
		NoncurrentVersionDays:     DefaultNoncurrentStateVersionDays,
		AbortIncompleteUploadDays: DefaultAbortIncompleteUploadDays,
		AccessLogRetentionDays:    DefaultAccessLogRetentionDays,
		LocalState:                local,
	}
	for _, e := range envs {
		if e.Base == "" {
			b.Tenants = append(b.Tenants, Tenant{Name: e.Name, AccountID: e.AccountID, DeployPrincipals: slices.Clone(e.StateDeployPrincipals)})
		}
	}
	return b
}

// validate reports every problem with the bootstrap's own settings; the
// bucket, region and account are the backend's (Config.Validate checks
// them once), but for the access log bucket's name derived from them.
func (b Bootstrap) validate(state StateBackend) []error {
	// The bucket is a process setting; the tenants are rows of the
	// environments table, so their problems name the environment and its
	// field (and, found again by the environment's own checks, are reported
	// once: Config.Validate joins with joinOnce).
	process := &problems{}
	if validateBucketName(state.Bucket) == nil {
		if err := validateBucketName(state.AccessLogBucket()); err != nil {
			process.add(VarStateBucket, state.Bucket, "at most %d characters: the access log bucket %s derived from it must be a valid name too (%v)",
				63-len(accessLogBucketSuffix), state.AccessLogBucket(), err)
		}
	}
	p := &problems{env: BootstrapID}
	if len(b.Tenants) == 0 {
		p.add("environments table", nil, "at least one permanent environment whose state the bucket holds")
	}
	errs := process.errs
	for i, t := range b.Tenants {
		tp := &problems{env: t.Name}
		if !accountIDPattern.MatchString(t.AccountID) {
			tp.add("AccountID", t.AccountID, "12 digits")
		}
		if t.Name == BootstrapID || slices.ContainsFunc(b.Tenants[:i], func(o Tenant) bool { return o.Name == t.Name }) {
			tp.add("Name", t.Name, "a distinct environment name other than %s (it names a state prefix and a role)", BootstrapID)
		}
		validateDeployPrincipals(tp, "StateDeployPrincipals", t.AccountID, t.DeployPrincipals)
		checkNames(tp, "Name", t.Name, []DerivedName{{t.StateAccessRole(), ruleIAMRole}})
		errs = append(errs, tp.errs...)
	}
	checkNames(p, "StateKeyAlias", StateKeyAlias, []DerivedName{{StateAccessPolicyName, ruleIAMPolicy}, {StateKeyAlias, ruleKMSAlias}})
	p.inRange("NoncurrentVersionDays", b.NoncurrentVersionDays, minNoncurrentStateVersionDays, maxLifecycleDays, "days")
	p.inRange("AbortIncompleteUploadDays", b.AbortIncompleteUploadDays, 1, maxLifecycleDays, "days")
	p.inRange("AccessLogRetentionDays", b.AccessLogRetentionDays, minAccessLogRetentionDays, maxLifecycleDays,
		"days (Marco Civil art. 15 asks six months of access records)")
	return append(errs, p.errs...)
}

// DerivedNames lists the names the bootstrap gives IAM and KMS resources,
// with AWS's rule for each (the buckets follow the bucket rules).
func (b Bootstrap) DerivedNames() []DerivedName {
	rows := []DerivedName{{StateAccessPolicyName, ruleIAMPolicy}, {StateKeyAlias, ruleKMSAlias}}
	for _, t := range b.Tenants {
		rows = append(rows, DerivedName{t.StateAccessRole(), ruleIAMRole})
	}
	return rows
}
