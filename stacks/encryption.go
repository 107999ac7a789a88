package stacks

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// dataKey is one customer-managed key and its alias.
type dataKey struct {
	// ARN and ID are the key's, read once (every read is a round trip to
	// the jsii kernel).
	ARN, ID string
	Alias   kmsalias.KmsAlias
	// AliasName is known at plan time ("alias/fastshop-stream-dev"), so
	// plan-time checks can see which key a resource uses.
	AliasName string
}

// keys holds a key per data domain: a leak or a revoked grant on one domain
// does not reach the others.
type keys struct {
	Stream   dataKey
	Database dataKey
	Cache    dataKey
	Logs     dataKey
}

// keyDomain describes a key: the construct id (a contract: renaming it
// replaces the key and everything encrypted with it) and the services that
// may use it on the account's behalf.
type keyDomain struct {
	id          string
	description string
	viaServices []string
}

// keyAdminActions let the account manage a key through IAM policies without
// being able to use it for data: use is granted per service below.
var keyAdminActions = []string{
	"kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*", "kms:Enable*",
	"kms:Get*", "kms:List*", "kms:Put*", "kms:Revoke*", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion",
	"kms:TagResource", "kms:UntagResource", "kms:Update*",
}

// keyUseActions are what an AWS service needs to encrypt on a caller's
// behalf; grants let RDS and ElastiCache use the key for background work.
var keyUseActions = []string{
	"kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
	"kms:ListGrants", "kms:ReEncrypt*",
}

func addEncryption(stack cdktf.TerraformStack, env config.Environment) keys {
	return keys{
		Stream:   addKey(stack, env, keyDomain{"stream", "Kinesis transaction stream", []string{"kinesis"}}),
		Database: addKey(stack, env, keyDomain{"database", "RDS PostgreSQL storage, Performance Insights and master secret", []string{"rds", "secretsmanager"}}),
		// ElastiCache's at-rest encryption guide: a kms:ViaService condition
		// must name dax as well as elasticache, or creates, backups, node
		// replacement and restores fail.
		Cache: addKey(stack, env, keyDomain{"cache", "ElastiCache Redis at rest", []string{"elasticache", "dax"}}),
		Logs:  addKey(stack, env, keyDomain{"logs", "CloudWatch log groups", nil}),
	}
}

// keyPolicy is where every customer-managed key's policy starts: the
// account administers the key through IAM, and uses it for data only through
// the listed services in region (kms:ViaService), on its own behalf. The
// state bootstrap's key uses it too.
func keyPolicy(accountID, region string, viaServices []string) []policyStatement {
	account := fmt.Sprintf("arn:aws:iam::%s:root", accountID)
	statements := []policyStatement{{
		Sid:       "AccountAdministration",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": account},
		Action:    keyAdminActions,
		Resource:  "*",
	}}
	if len(viaServices) > 0 {
		var via []string
		for _, s := range viaServices {
			via = append(via, fmt.Sprintf("%s.%s.amazonaws.com", s, region))
		}
		statements = append(statements, policyStatement{
			Sid:       "UseThroughServices",
			Effect:    "Allow",
			Principal: map[string]any{"AWS": account},
			Action:    keyUseActions,
			Resource:  "*",
			Condition: map[string]map[string]any{
				"StringEquals": {"kms:CallerAccount": accountID, "kms:ViaService": via},
			},
		})
	}
	return statements
}

// addKey creates a domain's key and alias. extra statements go into the key
// policy as they are, for services that use the key as themselves (alarms
// publishing to an encrypted topic).
func addKey(stack cdktf.TerraformStack, env config.Environment, d keyDomain, extra ...policyStatement) dataKey {
	statements := keyPolicy(env.AccountID, env.Region, d.viaServices)
	if d.id == "logs" {
		// CloudWatch Logs encrypts as itself, and only for this account's
		// log groups in this region.
		statements = append(statements, policyStatement{
			Sid:       "CloudWatchLogs",
			Effect:    "Allow",
			Principal: map[string]any{"Service": fmt.Sprintf("logs.%s.amazonaws.com", env.Region)},
			Action:    []string{"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			Resource:  "*",
			Condition: map[string]map[string]any{
				"ArnLike": {"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:aws:logs:%s:%s:log-group:*", env.Region, env.AccountID)},
			},
		})
	}

	statements = append(statements, extra...)

	name := env.ResourceName(d.id) // the Name tag
	alias := env.KMSAliasName(d.id)
	key := kmskey.NewKmsKey(stack, jsii.String(d.id), &kmskey.KmsKeyConfig{
		Description:          jsii.String(fmt.Sprintf("FastShop %s: %s", env.Name, d.description)),
		EnableKeyRotation:    jsii.Bool(true),
		DeletionWindowInDays: number(env.KMSDeletionWindowDays),
		Policy:               jsii.String(newPolicy(statements...).JSON()),
		Tags:                 nameTag(name),
		Lifecycle:            lifecycle(env),
	})
	id := key.KeyId()
	aliasResource := kmsalias.NewKmsAlias(stack, jsii.String(d.id+"_key"), &kmsalias.KmsAliasConfig{
		Name:        jsii.String(alias),
		TargetKeyId: id,
	})
	return dataKey{ARN: *key.Arn(), ID: *id, Alias: aliasResource, AliasName: alias}
}
