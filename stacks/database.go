package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbparametergroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbsubnetgroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// Database settings that are the same in every environment.
const (
	dbName     = "transactions"
	dbUsername = "fastshop_admin"
	// Windows are UTC: 03:00-04:00 UTC is midnight in São Paulo, the
	// quietest hour for Brazilian shoppers.
	dbBackupWindow      = "03:00-04:00"
	dbMaintenanceWindow = "sun:04:30-sun:05:30"
	// Seven days of Performance Insights is the free tier.
	dbPerformanceInsightsRetentionDays = 7
)

// dbLogExports are the PostgreSQL logs RDS delivers to CloudWatch; their
// log groups are created first, encrypted and with retention, so RDS does
// not create unencrypted ones that keep logs forever.
var dbLogExports = []string{"postgresql", "upgrade"}

// dbParameters force TLS and load pgaudit with connection logging. Static
// parameters (shared_preload_libraries) wait for a reboot.
var dbParameters = []struct{ name, value, applyMethod string }{
	{"rds.force_ssl", "1", "immediate"},
	{"shared_preload_libraries", "pg_stat_statements,pgaudit", "pending-reboot"},
	{"pgaudit.log", "ddl,role", "immediate"},
	{"pgaudit.log_parameter", "0", "immediate"},
	{"log_connections", "1", "immediate"},
	{"log_disconnections", "1", "immediate"},
}

// database is what alarms, roles and outputs need of PostgreSQL, each
// value read from the binding once.
type database struct {
	Identifier, ResourceID, ARN, Endpoint, Address, MasterUserSecretARN string
	Port                                                                *float64
}

func addDatabase(stack cdktf.TerraformStack, env config.Environment, k keys, net network, g securityGroups) database {
	identifier := env.DBIdentifier()
	names := env.Names()

	subnets := dbsubnetgroup.NewDbSubnetGroup(stack, jsii.String("postgres_subnets"), &dbsubnetgroup.DbSubnetGroupConfig{
		Name:        jsii.String(names.DBSubnetGroup),
		Description: jsii.String("Private subnets of the FastShop transactions database"),
		SubnetIds:   &net.PrivateSubnetIDs,
		Tags:        nameTag(names.DBSubnetGroup),
	})

	family := env.DBParameterFamily()
	var parameters []*dbparametergroup.DbParameterGroupParameter
	for _, p := range dbParameters {
		parameters = append(parameters, &dbparametergroup.DbParameterGroupParameter{
			Name: jsii.String(p.name), Value: jsii.String(p.value), ApplyMethod: jsii.String(p.applyMethod),
		})
	}
	params := dbparametergroup.NewDbParameterGroup(stack, jsii.String("postgres_tls_audit"), &dbparametergroup.DbParameterGroupConfig{
		// The family is part of the name: a major upgrade creates the new
		// group before the old one goes.
		Name:        jsii.String(names.DBParameterGroup),
		Family:      jsii.String(family),
		Description: jsii.String("FastShop PostgreSQL: TLS only, pgaudit, connection logging"),
		Parameter:   &parameters,
		Tags:        nameTag(names.DBParameterGroup),
		Lifecycle:   &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	})

	var logGroups []cdktf.ITerraformDependable
	for _, export := range dbLogExports {
		logGroups = append(logGroups, newLogGroup(stack, env, k, "postgres_"+export+"_log",
			env.DBLogGroupName(export)))
	}

	keyARN := jsii.String(k.Database.ARN)
	cfg := &dbinstance.DbInstanceConfig{
		Identifier:              jsii.String(identifier),
		Engine:                  jsii.String("postgres"),
		EngineVersion:           jsii.String(env.DBEngineMajorVersion),
		AutoMinorVersionUpgrade: jsii.Bool(true),
		// RDS refuses a new major without allow_major_version_upgrade, and
		// applies it only in the maintenance window without
		// apply_immediately, while the new family's parameter group
		// (create_before_destroy) deletes the old one in the same apply:
		// both are on for the upgrade's apply only.
		AllowMajorVersionUpgrade:           jsii.Bool(env.DBAllowMajorVersionUpgrade),
		ApplyImmediately:                   jsii.Bool(env.DBAllowMajorVersionUpgrade),
		InstanceClass:                      jsii.String(env.DBInstanceClass),
		AllocatedStorage:                   number(env.DBAllocatedStorageGiB),
		MaxAllocatedStorage:                number(env.DBMaxAllocatedStorageGiB),
		StorageType:                        jsii.String("gp3"),
		StorageEncrypted:                   jsii.Bool(true),
		KmsKeyId:                           keyARN,
		DbName:                             jsii.String(dbName),
		Username:                           jsii.String(dbUsername),
		ManageMasterUserPassword:           jsii.Bool(true),
		MasterUserSecretKmsKeyId:           keyARN,
		IamDatabaseAuthenticationEnabled:   jsii.Bool(true),
		Port:                               number(PostgresPort),
		DbSubnetGroupName:                  subnets.Name(),
		VpcSecurityGroupIds:                jsii.Strings(g.PostgresID),
		PubliclyAccessible:                 jsii.Bool(false),
		ParameterGroupName:                 params.Name(),
		MultiAz:                            jsii.Bool(env.DBMultiAZ),
		DeletionProtection:                 jsii.Bool(env.DBDeletionProtection),
		SkipFinalSnapshot:                  jsii.Bool(env.DBSkipFinalSnapshot),
		BackupRetentionPeriod:              number(env.DBBackupRetentionDays),
		BackupWindow:                       jsii.String(dbBackupWindow),
		MaintenanceWindow:                  jsii.String(dbMaintenanceWindow),
		DeleteAutomatedBackups:             jsii.Bool(env.DBDeleteAutomatedBackups),
		CopyTagsToSnapshot:                 jsii.Bool(true),
		EnabledCloudwatchLogsExports:       jsii.Strings(dbLogExports...),
		PerformanceInsightsEnabled:         jsii.Bool(true),
		PerformanceInsightsKmsKeyId:        keyARN,
		PerformanceInsightsRetentionPeriod: number(dbPerformanceInsightsRetentionDays),
		// RDS reads the final snapshot's name from state at delete, and a
		// name already taken fails the delete (DBSnapshotAlreadyExists).
		// The name ends in the instance's create time, which
		// ignore_changes keeps in state for the instance's lifetime: no
		// diff on later plans, a new name for a recreated instance. Set
		// even where the snapshot is skipped, so that turning
		// DBSkipFinalSnapshot off later finds a name in state.
		FinalSnapshotIdentifier: jsii.String(env.DBFinalSnapshotPrefix() +
			*cdktf.Fn_Formatdate(jsii.String(config.DBFinalSnapshotTimeFormat), cdktf.Fn_Timestamp())),
		Tags:      nameTag(identifier),
		Lifecycle: dbLifecycle(env),
		DependsOn: &logGroups,
	}
	db := dbinstance.NewDbInstance(stack, jsii.String("postgres"), cfg)
	return database{
		Identifier:          *db.Identifier(),
		ResourceID:          *db.ResourceId(),
		ARN:                 *db.Arn(),
		Endpoint:            *db.Endpoint(),
		Address:             *db.Address(),
		MasterUserSecretARN: *db.MasterUserSecret().Get(jsii.Number(0)).SecretArn(),
		Port:                db.Port(),
	}
}

// dbLifecycle is lifecycle(env) with the final snapshot's name kept as
// created (see FinalSnapshotIdentifier).
func dbLifecycle(env config.Environment) *cdktf.TerraformResourceLifecycle {
	l := &cdktf.TerraformResourceLifecycle{IgnoreChanges: &[]*string{jsii.String("final_snapshot_identifier")}}
	if base := lifecycle(env); base != nil {
		l.PreventDestroy = base.PreventDestroy
	}
	return l
}
