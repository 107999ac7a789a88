package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

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
	name := bucket.Bucket()
	arn := "arn:aws:s3:::" + p.name
	// The aspects name the bucket by its bucket attribute, not its id: the
	// name is known at plan time, so a plan scan can tie each aspect to its
	// bucket, and the reference still orders creation.

	versioning := s3bucketversioning.NewS3BucketVersioningA(stack, jsii.String(id+"_versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  name,
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
	})
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(stack, jsii.String(id+"_encryption"),
		&s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
			Bucket: name,
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
		Bucket:                name,
		BlockPublicAcls:       jsii.Bool(true),
		BlockPublicPolicy:     jsii.Bool(true),
		IgnorePublicAcls:      jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
	})
	// ACLs off: the bucket owns every object, whoever wrote it.
	ownership := s3bucketownershipcontrols.NewS3BucketOwnershipControls(stack, jsii.String(id+"_ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Bucket: name,
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
		Bucket: name,
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
		Bucket: name,
		Rule:   []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{rule},
		// Lifecycle rules on noncurrent versions need versioning first.
		DependsOn: &[]cdktf.ITerraformDependable{versioning},
	})
	return builtBucket{Bucket: bucket, Name: name, Ready: []cdktf.ITerraformDependable{ownership, publicAccess, policy}}
}

// builtBucket is a private bucket and what must exist before another
// service is pointed at it: its ownership controls, public access block and
// policy (the permissions S3 checks when, say, logging names it as target).
type builtBucket struct {
	Bucket s3bucket.S3Bucket
	// Name is the bucket attribute, read once.
	Name  *string
	Ready []cdktf.ITerraformDependable
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
