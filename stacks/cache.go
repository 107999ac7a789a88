package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/elasticacheparametergroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/elasticachereplicationgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/elasticachesubnetgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/elasticacheuser"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/elasticacheusergroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"fastshop/stacks/config"
)

// Cache settings that are the same in every environment (UTC windows, after
// the database's).
const (
	cacheSnapshotWindow    = "05:30-06:30"
	cacheMaintenanceWindow = "sun:07:00-sun:08:00"
	// cacheAppAccess lets the processors use every command but the
	// dangerous ones (FLUSHALL, CONFIG, DEBUG, ...).
	cacheAppAccess = "on ~* &* +@all -@dangerous"
	// cacheDefaultOff disables the built-in default user, which would
	// otherwise accept unauthenticated connections.
	cacheDefaultOff = "off ~* &* -@all"
)

// cacheLogs are the Redis logs delivered to CloudWatch, by log type and
// construct id.
var cacheLogs = []struct{ logType, id string }{
	{"slow-log", "redis_slow_log"},
	{"engine-log", "redis_engine_log"},
}

// cache is what alarms, roles and outputs need of Redis, each value read
// from the binding once. Group stays for the alarms, which set its
// notification topic.
type cache struct {
	Group                                         elasticachereplicationgroup.ElasticacheReplicationGroup
	GroupID, ARN                                  string
	PrimaryEndpointAddress, ReaderEndpointAddress string
	Port                                          *float64
	AppUserARN, AppUserName                       string
}

func addCache(stack cdktf.TerraformStack, env config.Environment, k keys, net network, g securityGroups) cache {
	names := env.Names()
	id := names.CacheReplicationGroup

	subnets := elasticachesubnetgroup.NewElasticacheSubnetGroup(stack, jsii.String("redis_subnets"), &elasticachesubnetgroup.ElasticacheSubnetGroupConfig{
		Name:        jsii.String(names.CacheSubnetGroup),
		Description: jsii.String("Private subnets of the FastShop Redis cache"),
		SubnetIds:   &net.PrivateSubnetIDs,
		Tags:        nameTag(names.CacheSubnetGroup),
	})

	family := env.CacheParameterFamily()
	// name, family and description force a new group, and a group in use
	// cannot be deleted: the new one is created first. The family is part
	// of the name so that a major upgrade's new group does not collide with
	// the old; a new description needs a new name for the same reason.
	params := elasticacheparametergroup.NewElasticacheParameterGroup(stack, jsii.String("redis_settings"), &elasticacheparametergroup.ElasticacheParameterGroupConfig{
		Name:        jsii.String(names.CacheParameterGroup),
		Family:      jsii.String(family),
		Description: jsii.String("FastShop Redis: close idle client connections"),
		Parameter: &[]*elasticacheparametergroup.ElasticacheParameterGroupParameter{
			{Name: jsii.String("timeout"), Value: jsii.String("300")},
		},
		Tags:      nameTag(names.CacheParameterGroup),
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	})

	// RBAC instead of a shared AUTH token: the default user is switched
	// off, and the processors sign in as an IAM-authenticated user (IAM
	// requires user id and user name to be equal).
	defaultOff := elasticacheuser.NewElasticacheUser(stack, jsii.String("redis_default_off"), &elasticacheuser.ElasticacheUserConfig{
		UserId:             jsii.String(names.CacheDefaultUser),
		UserName:           jsii.String("default"),
		Engine:             jsii.String("redis"),
		AccessString:       jsii.String(cacheDefaultOff),
		AuthenticationMode: &elasticacheuser.ElasticacheUserAuthenticationMode{Type: jsii.String("no-password-required")},
		Tags:               nameTag(names.CacheDefaultUser),
	})
	appUserID := names.CacheAppUser
	app := elasticacheuser.NewElasticacheUser(stack, jsii.String("redis_app"), &elasticacheuser.ElasticacheUserConfig{
		UserId:             jsii.String(appUserID),
		UserName:           jsii.String(appUserID),
		Engine:             jsii.String("redis"),
		AccessString:       jsii.String(cacheAppAccess),
		AuthenticationMode: &elasticacheuser.ElasticacheUserAuthenticationMode{Type: jsii.String("iam")},
		Tags:               nameTag(appUserID),
	})
	users := elasticacheusergroup.NewElasticacheUserGroup(stack, jsii.String("redis_users"), &elasticacheusergroup.ElasticacheUserGroupConfig{
		UserGroupId: jsii.String(names.CacheUserGroup),
		Engine:      jsii.String("redis"),
		UserIds:     &[]*string{defaultOff.UserId(), app.UserId()},
		Tags:        nameTag(names.CacheUserGroup),
	})

	var delivery []*elasticachereplicationgroup.ElasticacheReplicationGroupLogDeliveryConfiguration
	for _, l := range cacheLogs {
		group := newLogGroup(stack, env, k, l.id, env.CacheLogGroupName(l.logType))
		delivery = append(delivery, &elasticachereplicationgroup.ElasticacheReplicationGroupLogDeliveryConfiguration{
			Destination:     group.Name(),
			DestinationType: jsii.String("cloudwatch-logs"),
			LogFormat:       jsii.String("json"),
			LogType:         jsii.String(l.logType),
		})
	}

	// addAlarms (alarms.go) sets notification_topic_arn and the depends_on
	// that orders the group after its notification topic's policy.
	replicationGroup := elasticachereplicationgroup.NewElasticacheReplicationGroup(stack, jsii.String("redis"), &elasticachereplicationgroup.ElasticacheReplicationGroupConfig{
		ReplicationGroupId:       jsii.String(id),
		Description:              jsii.String("FastShop transaction cache (" + env.Name + ")"),
		Engine:                   jsii.String("redis"),
		EngineVersion:            jsii.String(env.CacheEngineVersion),
		AutoMinorVersionUpgrade:  jsii.String("true"),
		NodeType:                 jsii.String(env.CacheNodeType),
		NumCacheClusters:         number(env.CacheNodeCount),
		Port:                     number(RedisPort),
		AutomaticFailoverEnabled: jsii.Bool(true),
		MultiAzEnabled:           jsii.Bool(true),
		AtRestEncryptionEnabled:  jsii.String("true"),
		KmsKeyId:                 jsii.String(k.Cache.ARN),
		TransitEncryptionEnabled: jsii.Bool(true),
		TransitEncryptionMode:    jsii.String("required"),
		UserGroupIds:             &[]*string{users.UserGroupId()},
		SubnetGroupName:          subnets.Name(),
		SecurityGroupIds:         jsii.Strings(g.RedisID),
		ParameterGroupName:       params.Name(),
		SnapshotRetentionLimit:   number(env.CacheSnapshotRetentionDays),
		SnapshotWindow:           jsii.String(cacheSnapshotWindow),
		MaintenanceWindow:        jsii.String(cacheMaintenanceWindow),
		LogDeliveryConfiguration: &delivery,
		Tags:                     nameTag(id),
		Lifecycle:                lifecycle(env),
	})
	return cache{
		Group:                  replicationGroup,
		GroupID:                *replicationGroup.ReplicationGroupId(),
		ARN:                    *replicationGroup.Arn(),
		PrimaryEndpointAddress: *replicationGroup.PrimaryEndpointAddress(),
		ReaderEndpointAddress:  *replicationGroup.ReaderEndpointAddress(),
		Port:                   replicationGroup.Port(),
		AppUserARN:             *app.Arn(),
		AppUserName:            *app.UserName(),
	}
}
