package stacks

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// The fraud-detection processors consume the stream with the Kinesis Client
// Library (KCL). KCL keeps its leases in DynamoDB (3.0 to 3.4 also their
// coordinator state and worker metrics, in two more tables; 3.5 and later
// keep those in the lease table too) and publishes its metrics to
// CloudWatch. Left to itself it creates its tables on first start, with the
// AWS-owned key, no point-in-time recovery and no deletion protection; here
// they exist before the processors start, under a key of ours, and the
// processors may use them but not create, change or delete tables.
//
// The table names are KCL's defaults for one application name
// (config.Environment.KCLTableNames), so a processor configures the
// application name and nothing else. Which tables exist follows
// KCLVersion, the release the processors run.

// KCLLeaseOwnerIndex is the global secondary index KCL 3.x queries to find a
// worker's leases (leaseOwner, then leaseKey; keys only). KCL creates it
// with UpdateTable when it is missing; it exists here so the processors
// need no UpdateTable.
const KCLLeaseOwnerIndex = "LeaseOwnerToLeaseKeyIndex"

// Exact DynamoDB actions of the processors on the KCL tables, read from the
// KCL v3.5.1 source (DynamoDBLeaseRefresher, CoordinatorStateDAODelegate,
// WorkerMetricStatsDAODelegate, the DynamoDB lock client for leader
// election); 3.0 to 3.4 make the same calls on their separate tables.
// KCL's documented minimum also lists CreateTable (and UpdateTable for the
// index): KCL calls them only when DescribeTable finds no table or no index,
// which cannot happen here, and without them a misnamed table fails the
// processor instead of being created unencrypted outside Terraform. No
// dynamodb:ConditionCheckItem: only the table migration of 3.5 and later
// (TableMigrationStateMachineImpl) writes transactions with a condition
// check, and it runs only where a CoordinatorState table exists, which for
// 3.5 and later it does not.
var (
	kclTableActions = []string{
		"dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem",
		"dynamodb:Scan", "dynamodb:UpdateItem",
	}
	kclIndexActions = []string{"dynamodb:Query"}
	// kclAbsentTableActions: KCL 3.5 and later describe the separate tables
	// of 3.0-3.4 at every start and take ResourceNotFoundException as "no
	// such table, no migration" (LegacyTableCoordinatorStateDAODelegate and
	// LegacyTableWorkerMetricStatsDAODelegate, initialize). Any other error,
	// AccessDeniedException included, stops the processor, so the role may
	// describe those two names, which no table has.
	kclAbsentTableActions = []string{"dynamodb:DescribeTable"}
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
	ApplicationName string
	// LeasesARN and LeasesName are the lease table's, read once.
	LeasesARN, LeasesName string
	// Separate are the coordinator state and worker metrics tables of KCL
	// 3.0 to 3.4, in that order; none for 3.5 and later.
	Separate []kclTable
	Key      dataKey
}

// MetricNamespace is where KCL publishes its metrics (KCL's default: the
// application name) and the only namespace the processors may publish to.
func (k kclTables) MetricNamespace() string { return k.ApplicationName }

// kclTable is one KCL table: its construct id (a contract), its name, its
// string partition key and, once built, the table's ARN and name tokens.
type kclTable struct {
	id, name, hashKey string
	what              string
	ARN, TableName    string
}

// kclTableSpecs lists the tables env's KCLVersion uses, in creation order:
// the lease table, and for KCL 3.0 to 3.4 the coordinator state and worker
// metrics tables. KCL 3.5 and later keep everything in the lease table for
// a new application, and take an existing CoordinatorState table for an
// application on 3.0-3.4's tables, whose migration they then start (KCL
// CHANGELOG, "Release 3.5.0"; TableMigrationStateMachineImpl): for them the
// two tables must not exist.
func kclTableSpecs(env config.Environment) []kclTable {
	names := env.KCLTableNames()
	specs := []kclTable{{id: "kcl_leases", name: names[0], hashKey: "leaseKey", what: "lease table"}}
	if len(names) == 3 {
		specs = append(specs,
			kclTable{id: "kcl_coordinator_state", name: names[1], hashKey: "key", what: "coordinator state table (KCL 3.0-3.4)"},
			kclTable{id: "kcl_worker_metrics", name: names[2], hashKey: "wid", what: "worker metrics table (KCL 3.0-3.4)"})
	}
	return specs
}

// addKCL creates the KCL tables and their key. Billing is on demand: KCL's
// own default, and the lease table's load follows shard count and
// checkpoint rate, not a steady rate worth provisioning for. Deletion
// protection follows DBDeletionProtection, the environment's deletion
// protection setting; prevent_destroy follows PreventDestroy.
func addKCL(stack cdktf.TerraformStack, env config.Environment) kclTables {
	key := addKey(stack, env, keyDomain{id: "kcl", description: "DynamoDB tables of the stream processors' Kinesis Client Library", viaServices: []string{"dynamodb"}},
		kclKeyStatements()...)

	out := kclTables{ApplicationName: env.KCLApplicationName(), Key: key}
	for _, t := range kclTableSpecs(env) {
		attributes := []*dynamodbtable.DynamodbTableAttribute{{Name: jsii.String(t.hashKey), Type: jsii.String("S")}}
		config := &dynamodbtable.DynamodbTableConfig{
			Name:                      jsii.String(t.name),
			BillingMode:               jsii.String("PAY_PER_REQUEST"),
			HashKey:                   jsii.String(t.hashKey),
			PointInTimeRecovery:       &dynamodbtable.DynamodbTablePointInTimeRecovery{Enabled: jsii.Bool(true)},
			ServerSideEncryption:      &dynamodbtable.DynamodbTableServerSideEncryption{Enabled: jsii.Bool(true), KmsKeyArn: jsii.String(key.ARN)},
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
		table := dynamodbtable.NewDynamodbTable(stack, jsii.String(t.id), config)
		t.ARN, t.TableName = *table.Arn(), *table.Name()
		if t.id == "kcl_leases" {
			out.LeasesARN, out.LeasesName = t.ARN, t.TableName
		} else {
			out.Separate = append(out.Separate, t)
		}
	}
	return out
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

// kclPolicyStatements are the processor's permissions for KCL: its tables
// and the lease table's index, their key through DynamoDB only, and metrics
// in the application's namespace only. For KCL 3.5 and later, also
// DescribeTable on the names of 3.0-3.4's separate tables, which KCL looks
// up at every start and must find missing.
//
// PutMetricData has no resource-level permissions (the Service
// Authorization Reference lists no resource type for it), so its Resource
// is "*" and the cloudwatch:namespace condition does the scoping. It is the
// only statement of the processor's policy with Resource "*".
func kclPolicyStatements(env config.Environment, k kclTables) []policyStatement {
	tables := []string{k.LeasesARN}
	for _, t := range k.Separate {
		tables = append(tables, t.ARN)
	}
	statements := []policyStatement{
		allow("KCLTables", kclTableActions, tables),
		allow("KCLLeaseOwnerIndex", kclIndexActions, k.LeasesARN+"/index/"+KCLLeaseOwnerIndex),
	}
	if env.KCLSingleTable() {
		coordinatorState, workerMetrics := env.KCLSeparateTableNames()
		arn := func(table string) string {
			return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", env.Region, env.AccountID, table)
		}
		statements = append(statements, allow("KCLFindsNoSeparateTables", kclAbsentTableActions, []string{arn(coordinatorState), arn(workerMetrics)}))
	}
	return append(statements, []policyStatement{
		{
			Sid: "KCLTableKeyThroughDynamoDB", Effect: "Allow", Action: kclKeyActions, Resource: k.Key.ARN,
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
	}...)
}

// addKCLOutputs publishes what a processor configures KCL with, and the
// DynamoDB gateway's prefix list for egress rules.
func addKCLOutputs(stack cdktf.TerraformStack, k kclTables, e endpoints) {
	output := outputsOf(stack)
	output("kcl_application_name", "KCL application name of the fraud-detection processors; KCL derives the table names and metric namespace below from it. Configure polling retrieval (PollingConfig): the processor role does not allow KCL's default, enhanced fan-out", k.ApplicationName)
	output("kcl_metric_namespace", "CloudWatch namespace KCL publishes to (KCL's default, the application name); the only namespace the processor role may publish to", k.MetricNamespace())
	output("dynamodb_table_kcl_leases_name", "KCL lease table (with the "+KCLLeaseOwnerIndex+" index; from KCL 3.5 also its coordinator state and worker metrics), encrypted with the kcl key", k.LeasesName)
	for _, t := range k.Separate {
		output("dynamodb_table_"+t.id+"_name", "KCL "+t.what+", encrypted with the kcl key", t.TableName)
	}
	output("kms_key_kcl_arn", "ARN of the customer-managed KMS key of the KCL tables ("+k.Key.AliasName+"), usable through DynamoDB only", k.Key.ARN)
	output("vpc_endpoint_dynamodb_prefix_list_id", "Prefix list of the DynamoDB gateway endpoint, for egress rules", e.DynamoDBPrefixListID)
}
