package stacks

import (
	"errors"
	"fmt"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlogging"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// StateBootstrapID is the id of the stack that creates the state bucket and
// its key. An operator deploys it first, once per state account; every
// pipeline stack's S3 backend then points at what it made.
const StateBootstrapID = "state-bootstrap"

// StateBootstrapStatePath is where the bootstrap stack keeps its own state
// during its first apply (EnvStateBootstrapBackend=local), relative to its
// working directory (cdktf.out/stacks/state-bootstrap). A relative path
// keeps the synthesized output the same on every checkout (cdktf's default
// local path is absolute).
const StateBootstrapStatePath = "terraform.tfstate"

// EnvStateBootstrapBackend chooses where the bootstrap stack keeps its own
// state: s3 (default), the bucket it created, at
// StateKey(StateBootstrapID); or local, only for the very first apply,
// when that bucket does not exist yet. After that apply the operator
// synthesizes again without the setting and runs terraform init
// -migrate-state, which copies the local state into the bucket.
const EnvStateBootstrapBackend = "FASTSHOP_STATE_BOOTSTRAP_BACKEND"

// Values of EnvStateBootstrapBackend.
const (
	BootstrapStateS3    = "s3"
	BootstrapStateLocal = "local"
)

// DefaultStateAccountID is the AWS account that owns the state bucket and
// its key: a state account apart from the environments' workload accounts,
// so no workload account's administrators can rewrite another environment's
// state. EnvStateAccountID overrides it.
const DefaultStateAccountID = "444444444444"

// EnvStateAccountID overrides DefaultStateAccountID.
const EnvStateAccountID = "FASTSHOP_STATE_ACCOUNT_ID"

// stateOwnerTag is the team answerable for the state account's resources.
const stateOwnerTag = "data-platform"

// Defaults of the bootstrap's retention settings.
const (
	// DefaultNoncurrentStateVersionDays keeps overwritten state versions for
	// a quarter: long enough to roll back a bad apply found late.
	DefaultNoncurrentStateVersionDays = 90
	// DefaultAbortIncompleteUploadDays cleans up uploads an interrupted run
	// left behind.
	DefaultAbortIncompleteUploadDays = 7
	// DefaultAccessLogRetentionDays keeps the state bucket's access logs
	// longer than the six months Marco Civil art. 15 asks for access records.
	DefaultAccessLogRetentionDays = 400
)

// Bounds of the bootstrap's settings.
const (
	minNoncurrentStateVersionDays = 30
	maxLifecycleDays              = 3650
	minAccessLogRetentionDays     = 180
	// stateKMSDeletionWindowDays is the longest window: losing this key
	// loses every environment's state.
	stateKMSDeletionWindowDays = 30
)

// accessLogBucketSuffix names the log bucket after the state bucket.
const accessLogBucketSuffix = "-access-logs"

// StateBootstrap is the configuration of the state bootstrap stack. Build it
// with SelectStateBootstrap from the same StateBackend the pipeline stacks'
// backends use, so the bucket, region and key alias always match.
type StateBootstrap struct {
	// AccountID owns the bucket and key (FASTSHOP_STATE_ACCOUNT_ID). The
	// key policy and bucket policy name it; the backends resolve
	// StateKeyAlias in the caller's account, so Terraform reaches the state
	// with credentials of this account.
	AccountID string
	// Bucket and Region are the pipeline backends' State.Bucket and
	// State.Region (FASTSHOP_STATE_BUCKET, FASTSHOP_STATE_REGION).
	Bucket string
	Region string
	// NoncurrentVersionDays is how long an overwritten or deleted state
	// version is kept.
	NoncurrentVersionDays int
	// AbortIncompleteUploadDays removes unfinished multipart uploads.
	AbortIncompleteUploadDays int
	// AccessLogRetentionDays is how long server access logs are kept.
	AccessLogRetentionDays int
	// Tenants are the permanent environments whose backends keep state
	// here; each gets a state-access role its deploy roles may assume.
	Tenants []StateTenant
	// LocalState keeps the bootstrap's own state in a local file, for the
	// first apply only (EnvStateBootstrapBackend=local). Otherwise it lives
	// in Bucket at StateKey(StateBootstrapID), encrypted with the state key
	// and locked like every other stack's.
	LocalState bool
}

// StateTenant is an environment whose state the bucket holds.
type StateTenant struct {
	Name      string
	AccountID string
	// DeployPrincipals are the environment's StateDeployPrincipals: the
	// only roles its state-access role trusts.
	DeployPrincipals []string
}

// AccessLogBucket is the bucket that receives the state bucket's server
// access logs.
func (b StateBootstrap) AccessLogBucket() string {
	return b.Bucket + accessLogBucketSuffix
}

// SelectStateBootstrap returns the bootstrap configuration for state, the
// backend every selected environment shares (Select gives them one value).
// It returns nil when the backend is not S3: Terraform Cloud keeps state
// itself. Every permanent environment in tenants gets a state-access role,
// whichever environments this run synthesizes: the bucket serves them all.
func SelectStateBootstrap(getenv func(string) string, state StateBackend, tenants []Environment) (*StateBootstrap, error) {
	backend, set := lookup(getenv, EnvStateBootstrapBackend)
	if state.Kind != BackendS3 {
		if set {
			return nil, &FieldError{Field: EnvStateBootstrapBackend, Value: backend,
				Allowed: "only with the S3 state backend (" + EnvStateBackend + "=s3): Terraform Cloud needs no bootstrap"}
		}
		return nil, nil
	}
	if set && backend != BootstrapStateS3 && backend != BootstrapStateLocal {
		return nil, &FieldError{Field: EnvStateBootstrapBackend, Value: backend,
			Allowed: "s3 (default: the bucket it created) or local (its very first apply only)"}
	}
	b := StateBootstrap{
		AccountID:                 state.AccountID,
		Bucket:                    state.Bucket,
		Region:                    state.Region,
		NoncurrentVersionDays:     DefaultNoncurrentStateVersionDays,
		AbortIncompleteUploadDays: DefaultAbortIncompleteUploadDays,
		AccessLogRetentionDays:    DefaultAccessLogRetentionDays,
		LocalState:                backend == BootstrapStateLocal,
	}
	for _, env := range tenants {
		if env.Base == "" {
			b.Tenants = append(b.Tenants, StateTenant{Name: env.Name, AccountID: env.AccountID,
				DeployPrincipals: slices.Clone(env.StateDeployPrincipals)})
		}
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return &b, nil
}

// Validate reports every problem with the bootstrap configuration at once.
func (b StateBootstrap) Validate() error {
	var problems []error
	bad := func(field string, value any, allowed string, args ...any) {
		problems = append(problems, &FieldError{StateBootstrapID, field, value, fmt.Sprintf(allowed, args...)})
	}
	if !accountIDPattern.MatchString(b.AccountID) {
		bad("AccountID ("+EnvStateAccountID+")", b.AccountID, "12 digits")
	}
	if err := validateBucketName(b.Bucket); err != nil {
		bad("Bucket ("+EnvStateBucket+")", b.Bucket, "%v", err)
	} else if err := validateBucketName(b.AccessLogBucket()); err != nil {
		bad("Bucket ("+EnvStateBucket+")", b.Bucket, "at most %d characters: the access log bucket %s derived from it must be a valid name too (%v)",
			63-len(accessLogBucketSuffix), b.AccessLogBucket(), err)
	}
	if !regionPattern.MatchString(b.Region) {
		bad("Region ("+EnvStateRegion+")", b.Region, "an AWS region name such as sa-east-1")
	}
	if len(b.Tenants) == 0 {
		bad("Tenants", "none", "at least one environment whose state the bucket holds")
	}
	for i, t := range b.Tenants {
		if !accountIDPattern.MatchString(t.AccountID) {
			bad("Tenants."+t.Name+".AccountID", t.AccountID, "12 digits")
		}
		if t.Name == StateBootstrapID || slices.ContainsFunc(b.Tenants[:i], func(o StateTenant) bool { return o.Name == t.Name }) {
			bad("Tenants."+t.Name, t.Name, "a distinct environment name other than %s (it names a state prefix and a role)", StateBootstrapID)
		}
		problems = append(problems, validateDeployPrincipals(StateBootstrapID, "Tenants."+t.Name+".DeployPrincipals (StateDeployPrincipals)", t.AccountID, t.DeployPrincipals)...)
		problems = append(problems, checkNames(StateBootstrapID, "Tenants."+t.Name, t.Name, []derivedName{
			{StateAccessRole(Environment{Name: t.Name}), ruleIAMRole},
		})...)
	}
	problems = append(problems, checkNames(StateBootstrapID, "StateKeyAlias", StateKeyAlias, []derivedName{
		{stateAccessPolicyName, ruleIAMPolicy},
		{StateKeyAlias, ruleKMSAlias},
	})...)
	if b.NoncurrentVersionDays < minNoncurrentStateVersionDays || b.NoncurrentVersionDays > maxLifecycleDays {
		bad("NoncurrentVersionDays", b.NoncurrentVersionDays, "%d to %d days", minNoncurrentStateVersionDays, maxLifecycleDays)
	}
	if b.AbortIncompleteUploadDays < 1 || b.AbortIncompleteUploadDays > maxLifecycleDays {
		bad("AbortIncompleteUploadDays", b.AbortIncompleteUploadDays, "1 to %d days", maxLifecycleDays)
	}
	if b.AccessLogRetentionDays < minAccessLogRetentionDays || b.AccessLogRetentionDays > maxLifecycleDays {
		bad("AccessLogRetentionDays", b.AccessLogRetentionDays, "%d to %d days (Marco Civil art. 15 asks six months of access records)",
			minAccessLogRetentionDays, maxLifecycleDays)
	}
	return errors.Join(problems...)
}

// derivedNames lists the names the bootstrap gives IAM and KMS resources,
// with AWS's rule for each (the buckets follow validateBucketName).
func (b StateBootstrap) derivedNames() []derivedName {
	rows := []derivedName{{stateAccessPolicyName, ruleIAMPolicy}, {StateKeyAlias, ruleKMSAlias}}
	for _, t := range b.Tenants {
		rows = append(rows, derivedName{StateAccessRole(Environment{Name: t.Name}), ruleIAMRole})
	}
	return rows
}

// stateBucket is what the bootstrap built, for its outputs.
type stateBucket struct {
	Bucket    s3bucket.S3Bucket
	Key       kmskey.KmsKey
	Alias     kmsalias.KmsAlias
	AccessLog s3bucket.S3Bucket
}

// NewStateBootstrap adds the stack that creates the state bucket, its KMS
// key and its access log bucket. b must have passed Validate.
func NewStateBootstrap(scope constructs.Construct, b StateBootstrap) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, jsii.String(StateBootstrapID))
	if b.LocalState {
		// The first apply: the bucket this stack creates cannot hold the
		// state of the run that creates it.
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(StateBootstrapStatePath)})
	} else {
		// Afterwards the state lives in the bucket, like every stack's. The
		// operator runs with state-account credentials (this stack creates
		// IAM roles there), so no role is assumed.
		addS3Backend(stack, StateBackend{Kind: BackendS3, Bucket: b.Bucket, Region: b.Region, AccountID: b.AccountID},
			StateKey(StateBootstrapID), nil)
	}
	pinVersions(stack)

	tags := defaultTags(StateBootstrapID, stateOwnerTag)
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{
		Region:      jsii.String(b.Region),
		DefaultTags: &[]*provider.AwsProviderDefaultTags{{Tags: &tags}},
	})

	built := addStateBucket(stack, b)
	roles := addStateAccessRoles(stack, b, built)
	output := func(name, description string, value any) {
		cdktf.NewTerraformOutput(stack, jsii.String(name), &cdktf.TerraformOutputConfig{
			Value:       value,
			Description: jsii.String(description),
		})
	}
	output("s3_bucket_id", "State bucket: the pipeline backends' bucket (FASTSHOP_STATE_BUCKET)", built.Bucket.Id())
	output("s3_bucket_arn", "ARN of the state bucket", built.Bucket.Arn())
	output("s3_bucket_region", "Region of the state bucket: the pipeline backends' region (FASTSHOP_STATE_REGION)", built.Bucket.Region())
	output("kms_key_arn", "ARN of the customer-managed key that encrypts the state", built.Key.Arn())
	output("kms_key_id", "ID of the customer-managed key that encrypts the state", built.Key.KeyId())
	output("kms_alias_name", "Alias of the state key: the pipeline backends' kms_key_id", built.Alias.Name())
	output("access_log_s3_bucket_id", "Bucket receiving the state bucket's server access logs", built.AccessLog.Id())
	for _, r := range roles {
		output("iam_role_state_access_"+r.tenant+"_arn", "Role the "+r.tenant+" backend assumes to reach its state", r.role.Arn())
	}
	return stack
}

// stateAccessRole is one tenant's role, for the outputs.
type stateAccessRole struct {
	tenant string
	role   iamrole.IamRole
}

// stateAccessPolicyName is the inline policy of every state-access role.
const stateAccessPolicyName = "own-state-only"

// stateAccessTrustPolicy lets only the tenant's deploy roles assume its
// state-access role. The principal is the tenant's account, narrowed by
// aws:PrincipalArn to the listed role ARNs: IAM refuses a trust policy whose
// principal is a role that does not exist (yet), and turns a role principal
// into the role's unique id, so a deleted and recreated deploy role would
// silently lose access; a condition on the ARN has neither problem. The
// account-wide root principal alone would let any administrator of the
// workload account, or any role allowed sts:AssumeRole on *, in.
func stateAccessTrustPolicy(t StateTenant) policyDocument {
	return newPolicy(policyStatement{
		Sid:       "AssumeFromDeployRoles",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": fmt.Sprintf("arn:aws:iam::%s:root", t.AccountID)},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string]any{
			"ArnEquals": {"aws:PrincipalArn": slices.Clone(t.DeployPrincipals)},
		},
	})
}

// stateObjectActions are what the S3 backend does with a state object and
// its lock file (use_lockfile writes <key>.tflock next to it).
var stateObjectActions = []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}

// addStateAccessRoles gives each environment's account a role that reads
// and writes only that environment's state: a workload account's
// administrators cannot touch another environment's state. dev's role also
// reaches the ephemeral stacks (fastshop/<suffix>/), so it is denied the
// other tenants' prefixes explicitly.
func addStateAccessRoles(stack cdktf.TerraformStack, b StateBootstrap, built stateBucket) []stateAccessRole {
	bucketARN := "arn:aws:s3:::" + b.Bucket
	var roles []stateAccessRole
	for _, t := range b.Tenants {
		prefix := bucketARN + "/fastshop/" + t.Name + "/*"
		statements := []policyStatement{
			allow("ListStateBucket", []string{"s3:ListBucket"}, bucketARN),
			allow("ReadWriteOwnState", stateObjectActions, prefix),
			{
				Sid:      "UseStateKeyThroughS3",
				Effect:   "Allow",
				Action:   []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
				Resource: *built.Key.Arn(),
				Condition: map[string]map[string]any{
					"StringEquals": {"kms:ViaService": "s3." + b.Region + ".amazonaws.com"},
				},
			},
		}
		if t.Name == Dev {
			statements[1].Resource = bucketARN + "/fastshop/*"
			var others []string
			for _, o := range b.Tenants {
				if o.Name != t.Name {
					others = append(others, bucketARN+"/fastshop/"+o.Name+"/*")
				}
			}
			others = append(others, bucketARN+"/fastshop/"+StateBootstrapID+"/*")
			statements = append(statements, policyStatement{
				Sid: "DenyOtherEnvironmentsState", Effect: "Deny", Action: stateObjectActions, Resource: others,
			})
		}
		name := StateAccessRole(Environment{Name: t.Name})
		role := iamrole.NewIamRole(stack, jsii.String("state_access_"+t.Name), &iamrole.IamRoleConfig{
			Name:             jsii.String(name),
			Description:      jsii.String("Terraform S3 backend of the " + t.Name + " environment: its own state only"),
			AssumeRolePolicy: jsii.String(stateAccessTrustPolicy(t).JSON()),
			Tags:             nameTag(name),
		})
		iamrolepolicy.NewIamRolePolicy(stack, jsii.String("state_access_"+t.Name+"_policy"), &iamrolepolicy.IamRolePolicyConfig{
			Name:   jsii.String(stateAccessPolicyName),
			Role:   role.Id(),
			Policy: jsii.String(newPolicy(statements...).JSON()),
		})
		roles = append(roles, stateAccessRole{tenant: t.Name, role: role})
	}
	return roles
}

// protect keeps a resource from being destroyed by any plan: the bootstrap's
// resources hold every environment's state.
var protect = &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}

// addStateBucket creates the key, the access log bucket and the state
// bucket.
func addStateBucket(stack cdktf.TerraformStack, b StateBootstrap) stateBucket {
	// The key is used only by S3, on behalf of the state account.
	key := kmskey.NewKmsKey(stack, jsii.String("state"), &kmskey.KmsKeyConfig{
		Description:          jsii.String("FastShop Terraform state (every environment's S3 backend)"),
		EnableKeyRotation:    jsii.Bool(true),
		DeletionWindowInDays: number(stateKMSDeletionWindowDays),
		Policy:               jsii.String(newPolicy(keyPolicy(b.AccountID, b.Region, []string{"s3"})...).JSON()),
		Tags:                 nameTag("fastshop-terraform-state"),
		Lifecycle:            protect,
	})
	alias := kmsalias.NewKmsAlias(stack, jsii.String("state_key"), &kmsalias.KmsAliasConfig{
		Name:        jsii.String(StateKeyAlias),
		TargetKeyId: key.KeyId(),
	})

	stateARN := "arn:aws:s3:::" + b.Bucket
	logName := b.AccessLogBucket()
	logARN := "arn:aws:s3:::" + logName
	logPrefix := "s3/" + b.Bucket + "/"

	// S3 server access logging delivers only to a bucket with SSE-S3
	// default encryption (SSE-KMS is not supported there), so the log bucket
	// cannot use the customer-managed key.
	logs := addPrivateBucket(stack, "access_logs", privateBucket{
		name:    logName,
		sseAlgo: "AES256",
		policy: []policyStatement{{
			Sid:       "ServerAccessLogsFromStateBucket",
			Effect:    "Allow",
			Principal: map[string]any{"Service": "logging.s3.amazonaws.com"},
			Action:    []string{"s3:PutObject"},
			Resource:  logARN + "/" + logPrefix + "*",
			Condition: map[string]map[string]any{
				"ArnLike":      {"aws:SourceArn": stateARN},
				"StringEquals": {"aws:SourceAccount": b.AccountID},
			},
		}},
		expireCurrentDays:     b.AccessLogRetentionDays,
		noncurrentVersionDays: b.NoncurrentVersionDays,
		abortUploadDays:       b.AbortIncompleteUploadDays,
	})

	state := addPrivateBucket(stack, "terraform_state", privateBucket{
		name:    b.Bucket,
		sseAlgo: "aws:kms",
		// The alias, like the backends' kms_key_id: known at plan time, so
		// a plan scan sees which key encrypts the bucket.
		kmsKeyID:  StateKeyAlias,
		dependsOn: []cdktf.ITerraformDependable{alias},
		policy: []policyStatement{{
			// The backends send aws:kms with the alias on every PUT (state
			// and lock file); anything else is refused.
			Sid:       "DenyObjectsNotEncryptedWithKMS",
			Effect:    "Deny",
			Principal: map[string]any{"AWS": "*"},
			Action:    []string{"s3:PutObject"},
			Resource:  stateARN + "/*",
			Condition: map[string]map[string]any{
				"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
			},
		}},
		noncurrentVersionDays: b.NoncurrentVersionDays,
		abortUploadDays:       b.AbortIncompleteUploadDays,
	})
	// S3 checks at PutBucketLogging that the target bucket admits log
	// delivery (InvalidTargetBucketForLogging otherwise). With
	// bucket-owner-enforced ownership only the bucket policy can grant it,
	// so the log bucket's policy and ownership controls come first; the
	// references alone would let Terraform create them in parallel.
	s3bucketlogging.NewS3BucketLoggingA(stack, jsii.String("terraform_state_logging"), &s3bucketlogging.S3BucketLoggingAConfig{
		Bucket:       state.Bucket.Bucket(),
		TargetBucket: logs.Bucket.Bucket(),
		TargetPrefix: jsii.String(logPrefix),
		DependsOn:    &logs.Ready,
	})
	return stateBucket{Bucket: state.Bucket, Key: key, Alias: alias, AccessLog: logs.Bucket}
}

// privateBucket describes a versioned, encrypted, non-public bucket.
type privateBucket struct {
	name     string
	sseAlgo  string // "aws:kms" or "AES256"
	kmsKeyID string // with aws:kms
	// dependsOn must exist before default encryption names the key.
	dependsOn []cdktf.ITerraformDependable
	// policy statements besides the TLS-only rule every bucket gets.
	policy []policyStatement
	// expireCurrentDays expires current objects (0 keeps them).
	expireCurrentDays     int
	noncurrentVersionDays int
	abortUploadDays       int
}

// addPrivateBucket creates a bucket and the resources that make it private,
// versioned, encrypted by default, TLS-only and tidy. id is the bucket's
// construct id; the others are id_<aspect> (construct ids must be unique in
// a stack, whatever their type).
func addPrivateBucket(stack cdktf.TerraformStack, id string, p privateBucket) builtBucket {
	bucket := s3bucket.NewS3Bucket(stack, jsii.String(id), &s3bucket.S3BucketConfig{
		Bucket:    jsii.String(p.name),
		Tags:      nameTag(p.name),
		Lifecycle: protect,
	})
	arn := "arn:aws:s3:::" + p.name
	// The aspects name the bucket by its bucket attribute, not its id: the
	// name is known at plan time, so a plan scan can tie each aspect to its
	// bucket, and the reference still orders creation.

	versioning := s3bucketversioning.NewS3BucketVersioningA(stack, jsii.String(id+"_versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  bucket.Bucket(),
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
	})
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(stack, jsii.String(id+"_encryption"),
		&s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
			Bucket: bucket.Bucket(),
			Rule: []*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
				ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
					SseAlgorithm:   jsii.String(p.sseAlgo),
					KmsMasterKeyId: optional(p.kmsKeyID),
				},
				// One data key per bucket instead of a KMS call per object.
				BucketKeyEnabled: jsii.Bool(p.sseAlgo == "aws:kms"),
			}},
			DependsOn: dependencies(p.dependsOn),
		})
	publicAccess := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(stack, jsii.String(id+"_public_access"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket:                bucket.Bucket(),
		BlockPublicAcls:       jsii.Bool(true),
		BlockPublicPolicy:     jsii.Bool(true),
		IgnorePublicAcls:      jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
	})
	// ACLs off: the bucket owns every object, whoever wrote it.
	ownership := s3bucketownershipcontrols.NewS3BucketOwnershipControls(stack, jsii.String(id+"_ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Bucket: bucket.Bucket(),
		Rule:   &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerEnforced")},
	})

	statements := append([]policyStatement{{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: map[string]any{"AWS": "*"},
		Action:    []string{"s3:*"},
		Resource:  []string{arn, arn + "/*"},
		Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
	}}, p.policy...)
	policy := s3bucketpolicy.NewS3BucketPolicy(stack, jsii.String(id+"_policy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: bucket.Bucket(),
		Policy: jsii.String(newPolicy(statements...).JSON()),
		// S3 evaluates a new policy against the public access block.
		DependsOn: &[]cdktf.ITerraformDependable{publicAccess},
	})

	rule := &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{
		Id:     jsii.String("tidy-versions"),
		Status: jsii.String("Enabled"),
		Filter: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: jsii.String("")}},
		NoncurrentVersionExpiration: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{{
			NoncurrentDays: number(p.noncurrentVersionDays),
		}},
		AbortIncompleteMultipartUpload: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{{
			DaysAfterInitiation: number(p.abortUploadDays),
		}},
	}
	if p.expireCurrentDays > 0 {
		rule.Expiration = []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{
			Days: number(p.expireCurrentDays),
		}}
	} else {
		// A destroyed environment's state leaves a delete marker over
		// noncurrent versions; once those expire the marker goes too.
		rule.Expiration = []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{
			ExpiredObjectDeleteMarker: jsii.Bool(true),
		}}
	}
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(stack, jsii.String(id+"_lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Bucket: bucket.Bucket(),
		Rule:   []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{rule},
		// Lifecycle rules on noncurrent versions need versioning first.
		DependsOn: &[]cdktf.ITerraformDependable{versioning},
	})
	return builtBucket{Bucket: bucket, Ready: []cdktf.ITerraformDependable{ownership, publicAccess, policy}}
}

// builtBucket is a private bucket and what must exist before another
// service is pointed at it: its ownership controls, public access block and
// policy (the permissions S3 checks when, say, logging names it as target).
type builtBucket struct {
	Bucket s3bucket.S3Bucket
	Ready  []cdktf.ITerraformDependable
}

// optional is nil for an empty string, so the attribute is left out.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return jsii.String(s)
}

// dependencies is nil for none, so no empty depends_on is written.
func dependencies(d []cdktf.ITerraformDependable) *[]cdktf.ITerraformDependable {
	if len(d) == 0 {
		return nil
	}
	return &d
}
