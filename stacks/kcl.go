package stacks

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// The fraud-detection processors consume the stream with the Kinesis Client
// Library (KCL). KCL keeps its leases, and from 3.x its coordinator state
// and worker metrics, in DynamoDB, and publishes its metrics to CloudWatch.
// Left to itself it creates those tables on first start, with the
// AWS-owned key, no point-in-time recovery and no deletion protection; here
// they exist before the processors start, under a key of ours, and the
// processors may use them but not create, change or delete tables.
//
// The table names are KCL's defaults for one application name
// (config.Environment.KCLTableNames), so a processor configures the
// application name and nothing else.

// KCLLeaseOwnerIndex is the global secondary index KCL 3.x queries to find a
// worker's leases (leaseOwner, then leaseKey; keys only). KCL creates it
// with UpdateTable when it is missing; it exists here so the processors
// need no UpdateTable.
const KCLLeaseOwnerIndex = "LeaseOwnerToLeaseKeyIndex"

// Exact DynamoDB actions of the processors on the KCL tables, read from the
// KCL source (DynamoDBLeaseRefresher, CoordinatorStateDAO,
// WorkerMetricStatsDAO, the DynamoDB lock client for leader election).
// KCL's documented minimum also lists CreateTable (and UpdateTable for the
// index): KCL calls them only when DescribeTable finds no table or no index,
// which cannot happen here, and without them a misnamed table fails the
// processor instead of being created unencrypted outside Terraform.
var (
	kclTableActions = []string{
		"dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem",
		"dynamodb:Scan", "dynamodb:UpdateItem",
	}
	kclIndexActions = []string{"dynamodb:Query"}
	// kclKeyActions are what DynamoDB does with the table key on the
	// processor's behalf: decrypt the table key when a connection first
	// reads or writes, describe the key. Re-encryption and new table keys
	// only follow a key change, which the deploying principal makes.
	kclKeyActions     = []string{"kms:Decrypt", "kms:DescribeKey"}
	kclMetricsActions = []string{"cloudwatch:PutMetricData"}
)

// kclTables is what identities, alarms and outputs need of the KCL
// resources.
type kclTables struct {
	// ApplicationName is the KCL application name, the lease table's name
	// and the metric namespace.
	ApplicationName  string
	Leases           dynamodbtable.DynamodbTable
	CoordinatorState dynamodbtable.DynamodbTable
	WorkerMetrics    dynamodbtable.DynamodbTable
	Key              dataKey
}

// MetricNamespace is where KCL publishes its metrics (KCL's default: the
// application name) and the only namespace the processors may publish to.
func (k kclTables) MetricNamespace() string { return k.ApplicationName }

// kclTable is one KCL table: its construct id (a contract), its name and
// its string partition key.
type kclTable struct {
	id, name, hashKey string
}

// kclTableSpecs lists the tables KCL 3.x uses, in creation order. KCL 2.x
// uses the lease table only. KCL 3.5 and later keep everything in the lease
// table for a new application unless the CoordinatorState table exists;
// since it exists here, KCL 3.5+ runs in its multi-table mode, which every
// 3.x release supports.
func kclTableSpecs(env config.Environment) []kclTable {
	leases, coordinatorState, workerMetrics := env.KCLTableNames()
	return []kclTable{
		{"kcl_leases", leases, "leaseKey"},
		{"kcl_coordinator_state", coordinatorState, "key"},
		{"kcl_worker_metrics", workerMetrics, "wid"},
	}
}

// addKCL creates the KCL tables and their key. Billing is on demand: KCL's
// own default, and the lease table's load follows shard count and
// checkpoint rate, not a steady rate worth provisioning for. Deletion
// protection follows DBDeletionProtection, the environment's deletion
// protection setting; prevent_destroy follows PreventDestroy.
func addKCL(stack cdktf.TerraformStack, env config.Environment) kclTables {
	key := addKey(stack, env, keyDomain{id: "kcl", description: "DynamoDB tables of the stream processors' Kinesis Client Library", viaServices: []string{"dynamodb"}},
		kclKeyStatements()...)

	tables := map[string]dynamodbtable.DynamodbTable{}
	for _, t := range kclTableSpecs(env) {
		attributes := []*dynamodbtable.DynamodbTableAttribute{{Name: jsii.String(t.hashKey), Type: jsii.String("S")}}
		config := &dynamodbtable.DynamodbTableConfig{
			Name:                      jsii.String(t.name),
			BillingMode:               jsii.String("PAY_PER_REQUEST"),
			HashKey:                   jsii.String(t.hashKey),
			PointInTimeRecovery:       &dynamodbtable.DynamodbTablePointInTimeRecovery{Enabled: jsii.Bool(true)},
			ServerSideEncryption:      &dynamodbtable.DynamodbTableServerSideEncryption{Enabled: jsii.Bool(true), KmsKeyArn: key.Key.Arn()},
			DeletionProtectionEnabled: jsii.Bool(env.DBDeletionProtection),
			Tags:                      nameTag(t.name),
			Lifecycle:                 lifecycle(env),
		}
		if t.id == "kcl_leases" {
			attributes = append(attributes, &dynamodbtable.DynamodbTableAttribute{Name: jsii.String("leaseOwner"), Type: jsii.String("S")})
			config.GlobalSecondaryIndex = []*dynamodbtable.DynamodbTableGlobalSecondaryIndex{{
				Name:           jsii.String(KCLLeaseOwnerIndex),
				HashKey:        jsii.String("leaseOwner"),
				RangeKey:       jsii.String("leaseKey"),
				ProjectionType: jsii.String("KEYS_ONLY"),
			}}
		}
		config.Attribute = attributes
		tables[t.id] = dynamodbtable.NewDynamodbTable(stack, jsii.String(t.id), config)
	}
	return kclTables{
		ApplicationName:  env.KCLApplicationName(),
		Leases:           tables["kcl_leases"],
		CoordinatorState: tables["kcl_coordinator_state"],
		WorkerMetrics:    tables["kcl_worker_metrics"],
		Key:              key,
	}
}

// kclKeyStatements let DynamoDB read the key's metadata as itself, as the
// key policy AWS writes for DynamoDB's own key does ("How Amazon DynamoDB
// uses AWS KMS"). Encryption happens only through DynamoDB on behalf of the
// account's principals (keyPolicy's UseThroughServices), which also covers
// the grants DynamoDB creates for background work.
func kclKeyStatements() []policyStatement {
	return []policyStatement{{
		Sid:       "DynamoDBReadsKeyMetadata",
		Effect:    "Allow",
		Principal: map[string]any{"Service": "dynamodb.amazonaws.com"},
		Action:    []string{"kms:Describe*", "kms:Get*", "kms:List*"},
		Resource:  "*",
	}}
}

// kclPolicyStatements are the processor's permissions for KCL: the three
// tables and the lease table's index, their key through DynamoDB only, and
// metrics in the application's namespace only.
//
// PutMetricData has no resource-level permissions (the Service
// Authorization Reference lists no resource type for it), so its Resource
// is "*" and the cloudwatch:namespace condition does the scoping. It is the
// only statement of the processor's policy with Resource "*".
func kclPolicyStatements(env config.Environment, k kclTables) []policyStatement {
	return []policyStatement{
		allow("KCLTables", kclTableActions, []string{*k.Leases.Arn(), *k.CoordinatorState.Arn(), *k.WorkerMetrics.Arn()}),
		allow("KCLLeaseOwnerIndex", kclIndexActions, *k.Leases.Arn()+"/index/"+KCLLeaseOwnerIndex),
		{
			Sid: "KCLTableKeyThroughDynamoDB", Effect: "Allow", Action: kclKeyActions, Resource: *k.Key.Key.Arn(),
			Condition: map[string]map[string]any{
				"StringEquals": {"kms:ViaService": fmt.Sprintf("dynamodb.%s.amazonaws.com", env.Region)},
			},
		},
		{
			Sid: "PublishKCLMetrics", Effect: "Allow", Action: kclMetricsActions, Resource: "*",
			Condition: map[string]map[string]any{
				"StringEquals": {"cloudwatch:namespace": k.MetricNamespace()},
			},
		},
	}
}

// addKCLAlarms creates the lease-table alarms on the on-call topic.
func addKCLAlarms(stack cdktf.TerraformStack, env config.Environment, k kclTables, a alerts) {
	addMetricAlarms(stack, env, a, env.KCLAlarms(*k.Leases.Name()))
}

// addKCLOutputs publishes what a processor configures KCL with, and the
// DynamoDB gateway's prefix list for egress rules.
func addKCLOutputs(stack cdktf.TerraformStack, k kclTables, e endpoints) {
	output := outputsOf(stack)
	output("kcl_application_name", "KCL application name of the fraud-detection processors; KCL derives the table names and metric namespace below from it. Configure polling retrieval (PollingConfig): the processor role does not allow KCL's default, enhanced fan-out", k.ApplicationName)
	output("kcl_metric_namespace", "CloudWatch namespace KCL publishes to (KCL's default, the application name); the only namespace the processor role may publish to", k.MetricNamespace())
	output("dynamodb_table_kcl_leases_name", "KCL lease table (with the "+KCLLeaseOwnerIndex+" index), encrypted with the kcl key", k.Leases.Name())
	output("dynamodb_table_kcl_coordinator_state_name", "KCL 3.x coordinator state table, encrypted with the kcl key", k.CoordinatorState.Name())
	output("dynamodb_table_kcl_worker_metrics_name", "KCL 3.x worker metrics table, encrypted with the kcl key", k.WorkerMetrics.Name())
	output("kms_kcl_key_arn", "ARN of the customer-managed KMS key of the KCL tables ("+k.Key.AliasName+"), usable through DynamoDB only", k.Key.Key.Arn())
	output("vpc_endpoint_dynamodb_prefix_list_id", "Prefix list of the DynamoDB gateway endpoint, for egress rules", e.DynamoDB.PrefixListId())
}
