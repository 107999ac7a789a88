package config

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// nameRule is what AWS accepts for one kind of name: a length limit and a
// pattern. The plan does not check these; the API refuses a bad name at
// apply time, often after other resources were created.
type nameRule struct {
	kind    string
	min     int
	max     int
	pattern *regexp.Regexp
	// allowed describes pattern for messages.
	allowed string
	// reserved are prefixes AWS keeps for itself.
	reserved []string
}

// identifierPattern is the identifier rule RDS and ElastiCache share: a
// letter first, then letters and digits with single hyphens between them
// (no two consecutive hyphens, no trailing one).
var identifierPattern = regexp.MustCompile(`^[a-zA-Z](-?[a-zA-Z0-9])*$`)

const identifierAllowed = "letters, digits and single hyphens, starting with a letter, not ending with a hyphen"

// AWS's rules for the names the stacks derive, each from the API reference
// of the call that creates the resource (the "Constraints" of the named
// parameter) unless stated otherwise.
var (
	// RDS CreateDBInstance, DBInstanceIdentifier.
	ruleRDSInstance = nameRule{kind: "RDS DB instance identifier", min: 1, max: 63, pattern: identifierPattern, allowed: identifierAllowed}
	// RDS DeleteDBInstance, FinalDBSnapshotIdentifier.
	ruleRDSSnapshot = nameRule{kind: "RDS final snapshot identifier", min: 1, max: 255, pattern: identifierPattern, allowed: identifierAllowed}
	// RDS CreateDBParameterGroup, DBParameterGroupName.
	ruleRDSParameterGroup = nameRule{kind: "RDS DB parameter group name", min: 1, max: 255, pattern: identifierPattern, allowed: identifierAllowed}
	// RDS CreateDBSubnetGroup, DBSubnetGroupName ("must not be default");
	// the provider also requires lowercase.
	ruleRDSSubnetGroup = nameRule{kind: "RDS DB subnet group name", min: 1, max: 255, pattern: regexp.MustCompile(`^[a-z0-9._ -]+$`),
		allowed: "lowercase letters, digits, periods, underscores, spaces and hyphens", reserved: []string{"default"}}
	// RDS CreateEventSubscription, SubscriptionName (under 255 characters);
	// the provider allows letters, digits and hyphens.
	ruleRDSEventSubscription = nameRule{kind: "RDS event subscription name", min: 1, max: 254, pattern: regexp.MustCompile(`^[a-zA-Z0-9-]+$`),
		allowed: "letters, digits and hyphens"}
	// ElastiCache CreateReplicationGroup, ReplicationGroupId.
	ruleCacheReplicationGroup = nameRule{kind: "ElastiCache replication group id", min: 1, max: 40, pattern: identifierPattern, allowed: identifierAllowed}
	// ElastiCache CreateCacheCluster, CacheClusterId: the member clusters
	// ElastiCache names <replication group id>-001, -002, ...
	ruleCacheCluster = nameRule{kind: "ElastiCache cache cluster id", min: 1, max: 50, pattern: identifierPattern, allowed: identifierAllowed}
	// ElastiCache CreateCacheSubnetGroup, CacheSubnetGroupName.
	ruleCacheSubnetGroup = nameRule{kind: "ElastiCache subnet group name", min: 1, max: 255, pattern: regexp.MustCompile(`^[a-zA-Z0-9-]+$`),
		allowed: "letters, digits and hyphens"}
	// ElastiCache CreateCacheParameterGroup, CacheParameterGroupName.
	ruleCacheParameterGroup = nameRule{kind: "ElastiCache parameter group name", min: 1, max: 255, pattern: identifierPattern, allowed: identifierAllowed}
	// ElastiCache CreateUser / CreateUserGroup give the pattern only; the
	// RBAC guide and console cap ids at 40 like other ElastiCache ids, and
	// IAM-authenticated users need UserName equal to UserId.
	ruleCacheUser      = nameRule{kind: "ElastiCache user id", min: 1, max: 40, pattern: identifierPattern, allowed: identifierAllowed}
	ruleCacheUserGroup = nameRule{kind: "ElastiCache user group id", min: 1, max: 40, pattern: identifierPattern, allowed: identifierAllowed}
	// IAM quotas ("IAM name requirements"): role names 64, policy names
	// (managed and inline) 128 characters of letters, digits and +=,.@_-.
	ruleIAMRole   = nameRule{kind: "IAM role name", min: 1, max: 64, pattern: regexp.MustCompile(`^[\w+=,.@-]+$`), allowed: "letters, digits and +=,.@_-"}
	ruleIAMPolicy = nameRule{kind: "IAM policy name", min: 1, max: 128, pattern: regexp.MustCompile(`^[\w+=,.@-]+$`), allowed: "letters, digits and +=,.@_-"}
	// STS AssumeRole, RoleSessionName (the backends' session name).
	ruleSTSSession = nameRule{kind: "STS role session name", min: 2, max: 64, pattern: regexp.MustCompile(`^[\w+=,.@-]+$`), allowed: "letters, digits and +=,.@_-"}
	// Kinesis CreateStream, StreamName.
	ruleKinesisStream = nameRule{kind: "Kinesis stream name", min: 1, max: 128, pattern: regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`), allowed: "letters, digits, _ . -"}
	// SNS CreateTopic, Name.
	ruleSNSTopic = nameRule{kind: "SNS topic name", min: 1, max: 256, pattern: regexp.MustCompile(`^[a-zA-Z0-9_-]+$`), allowed: "letters, digits, _ -"}
	// DynamoDB CreateTable, TableName (also KCL's application name and
	// CloudWatch metric namespace, which are shorter-lived rules: 255).
	ruleDynamoDBTable = nameRule{kind: "DynamoDB table name", min: 3, max: 255, pattern: regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`), allowed: "letters, digits, _ . -"}
	// SQS CreateQueue, QueueName (standard queues).
	ruleSQSQueue = nameRule{kind: "SQS queue name", min: 1, max: 80, pattern: regexp.MustCompile(`^[a-zA-Z0-9_-]+$`), allowed: "letters, digits, _ -"}
	// EventBridge Pipes CreatePipe, Name.
	rulePipe = nameRule{kind: "EventBridge pipe name", min: 1, max: 64, pattern: regexp.MustCompile(`^[.\-_A-Za-z0-9]+$`), allowed: "letters, digits, . - _"}
	// CloudWatch PutMetricAlarm, AlarmName (ASCII).
	ruleAlarm = nameRule{kind: "CloudWatch alarm name", min: 1, max: 255, pattern: regexp.MustCompile(`^[\x20-\x7E]+$`), allowed: "printable ASCII"}
	// CloudWatch Logs CreateLogGroup, logGroupName.
	ruleLogGroup = nameRule{kind: "CloudWatch log group name", min: 1, max: 512, pattern: regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`), allowed: "letters, digits, . - _ / #"}
	// KMS CreateAlias, AliasName; alias/aws/ belongs to AWS managed keys.
	ruleKMSAlias = nameRule{kind: "KMS alias name", min: 7, max: 256, pattern: regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`),
		allowed: "alias/ then letters, digits, / _ -", reserved: []string{"alias/aws/"}}
	// EC2 CreateSecurityGroup, GroupName (VPC character set; sg- is
	// reserved).
	ruleSecurityGroup = nameRule{kind: "security group name", min: 1, max: 255, pattern: regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$`),
		allowed: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*", reserved: []string{"sg-"}}
	// Terraform Cloud workspace names.
	ruleWorkspace = nameRule{kind: "Terraform Cloud workspace name", min: 1, max: 90, pattern: regexp.MustCompile(`^[A-Za-z0-9_-]+$`), allowed: "letters, digits, _ -"}
)

// check reports what is wrong with name under the rule, or nil.
func (r nameRule) check(name string) error {
	var why []string
	if len(name) < r.min || len(name) > r.max {
		why = append(why, fmt.Sprintf("%d to %d characters (has %d)", r.min, r.max, len(name)))
	}
	if !r.pattern.MatchString(name) {
		why = append(why, r.allowed)
	}
	for _, p := range r.reserved {
		if strings.HasPrefix(name, p) {
			why = append(why, fmt.Sprintf("must not start with %q (reserved by AWS)", p))
		}
	}
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("%s %s: %s", r.kind, name, strings.Join(why, "; "))
}

// DerivedName is one name built from configuration, with AWS's rule for it.
type DerivedName struct {
	Name string
	rule nameRule
}

// Kind says what the name names ("IAM role name"), for the rule.
func (d DerivedName) Kind() string { return d.rule.kind }

// Names are the AWS names a pipeline stack gives its resources, derived
// from the environment's name (fastshop-<thing>-<env>). Builders take
// every name from here (and from the few methods DerivedNames also calls:
// DBIdentifier, DBLogGroupName, CacheLogGroupName, KMSAliasName,
// RedisNotificationsName, ...), so the name built and the name checked
// cannot differ. A managed policy of a workload role has its role's name.
type Names struct {
	DBSubnetGroup, DBParameterGroup, DBEventSubscription         string
	CacheReplicationGroup, CacheSubnetGroup, CacheParameterGroup string
	CacheDefaultUser, CacheAppUser, CacheUserGroup               string
	Stream, AlertsTopic                                          string
	RedisForwarderRole, RedisForwarderPolicy                     string
	ProducerRole, ProcessorRole, TaskExecutionRole               string
	FlowLogsRole, FlowLogsPolicy                                 string
	AppSecurityGroup, PostgresSecurityGroup, RedisSecurityGroup  string
	EndpointsSecurityGroup                                       string
	FlowLogGroup, ProducerLogGroup, ProcessorLogGroup            string
}

// Names returns the environment's resource names.
func (e Environment) Names() Names {
	n := e.ResourceName
	logs := func(thing string) string { return fmt.Sprintf("/fastshop/%s/%s", e.Name, thing) }
	return Names{
		DBSubnetGroup:          n("db-subnet-group"),
		DBParameterGroup:       n(e.DBParameterFamily()),
		DBEventSubscription:    n("postgres-events"),
		CacheReplicationGroup:  n("redis"),
		CacheSubnetGroup:       n("redis-subnets"),
		CacheParameterGroup:    n(e.CacheParameterFamily()),
		CacheDefaultUser:       n("redis-default"),
		CacheAppUser:           n("redis-app"),
		CacheUserGroup:         n("redis-users"),
		Stream:                 n("transactions"),
		AlertsTopic:            n("alerts"),
		RedisForwarderRole:     n("redis-notifications-forwarder"),
		RedisForwarderPolicy:   "forward-redis-notifications",
		ProducerRole:           n("producer"),
		ProcessorRole:          n("processor"),
		TaskExecutionRole:      n("task-execution"),
		FlowLogsRole:           n("flow-logs"),
		FlowLogsPolicy:         "write-flow-logs",
		AppSecurityGroup:       n("app-sg"),
		PostgresSecurityGroup:  n("postgres-sg"),
		RedisSecurityGroup:     n("redis-sg"),
		EndpointsSecurityGroup: n("endpoints-sg"),
		FlowLogGroup:           logs("vpc-flow-logs"),
		ProducerLogGroup:       logs("producer"),
		ProcessorLogGroup:      logs("processor"),
	}
}

// KMSAliasName is the alias of the key of one data domain (the key's
// construct id: stream, database, ...).
func (e Environment) KMSAliasName(domain string) string { return "alias/" + e.ResourceName(domain) }

// DerivedNames lists every AWS name a pipeline stack derives from e, with
// AWS's rule for it. A new named resource adds a row here; a test in
// package stacks walks the synthesized stacks and fails on any name
// missing from this list.
func (e Environment) DerivedNames() []DerivedName {
	n := e.Names()
	db := e.DBIdentifier()
	rows := []DerivedName{
		{db, ruleRDSInstance},
		// The longest final snapshot name: the prefix and a 14-digit
		// create time (DBFinalSnapshotTimeFormat).
		{e.DBFinalSnapshotPrefix() + "20261231235959", ruleRDSSnapshot},
		{n.DBSubnetGroup, ruleRDSSubnetGroup},
		{n.DBParameterGroup, ruleRDSParameterGroup},
		{n.DBEventSubscription, ruleRDSEventSubscription},
		{n.CacheReplicationGroup, ruleCacheReplicationGroup},
		{n.CacheSubnetGroup, ruleCacheSubnetGroup},
		{n.CacheParameterGroup, ruleCacheParameterGroup},
		{n.CacheDefaultUser, ruleCacheUser},
		{n.CacheAppUser, ruleCacheUser},
		{n.CacheUserGroup, ruleCacheUserGroup},
		{n.Stream, ruleKinesisStream},
		{n.AlertsTopic, ruleSNSTopic},
		{e.RedisNotificationsName(), ruleSNSTopic},
		{e.RedisNotificationsName(), ruleSQSQueue},
		{e.RedisNotificationsDeadLetterName(), ruleSQSQueue},
		{e.RedisNotificationsName(), rulePipe},
		{n.RedisForwarderRole, ruleIAMRole},
		{n.RedisForwarderPolicy, ruleIAMPolicy},
		{n.ProducerRole, ruleIAMRole},
		{n.ProducerRole, ruleIAMPolicy},
		{n.ProcessorRole, ruleIAMRole},
		{n.ProcessorRole, ruleIAMPolicy},
		{n.FlowLogsRole, ruleIAMRole},
		{n.FlowLogsPolicy, ruleIAMPolicy},
		{n.AppSecurityGroup, ruleSecurityGroup},
		{n.PostgresSecurityGroup, ruleSecurityGroup},
		{n.RedisSecurityGroup, ruleSecurityGroup},
		{n.EndpointsSecurityGroup, ruleSecurityGroup},
		{n.FlowLogGroup, ruleLogGroup},
		{n.ProcessorLogGroup, ruleLogGroup},
		{n.ProducerLogGroup, ruleLogGroup},
		{e.SessionName(), ruleSTSSession},
		{e.Workspace(), ruleWorkspace},
	}
	if e.RunsOnECS() {
		rows = append(rows, DerivedName{n.TaskExecutionRole, ruleIAMRole}, DerivedName{n.TaskExecutionRole, ruleIAMPolicy})
	}
	for _, export := range dbLogExports {
		rows = append(rows, DerivedName{e.DBLogGroupName(export), ruleLogGroup})
	}
	for _, l := range cacheLogTypes {
		rows = append(rows, DerivedName{e.CacheLogGroupName(l), ruleLogGroup})
	}
	for _, table := range e.KCLTableNames() {
		rows = append(rows, DerivedName{table, ruleDynamoDBTable})
	}
	for _, key := range []string{"stream", "database", "cache", "logs", "alerts", "kcl"} {
		rows = append(rows, DerivedName{e.KMSAliasName(key), ruleKMSAlias})
	}
	for i := 1; i <= max(e.CacheNodeCount, 1); i++ {
		rows = append(rows, DerivedName{fmt.Sprintf("%s-%03d", n.CacheReplicationGroup, i), ruleCacheCluster})
	}
	for _, a := range e.Alarms(AlarmTargets{}) {
		rows = append(rows, DerivedName{a.Name, ruleAlarm})
	}
	return rows
}

// validateNames checks every derived name against AWS's rule for it. The
// environment's name (for an ephemeral stack, VarSuffix) is the setting
// that decides them, so problems name it.
func (e Environment) validateNames(p *problems) {
	field := "Name"
	if e.Base != "" {
		field = VarSuffix
	}
	checkNames(p, field, e.Name, e.DerivedNames())
}

// checkNames applies each row's rule, and refuses two equal names of one
// kind (AWS would refuse the second create).
func checkNames(p *problems, field string, value any, rows []DerivedName) {
	seen := map[string]bool{}
	for _, r := range rows {
		if err := r.rule.check(r.Name); err != nil {
			p.add(field, value, "derived "+err.Error())
		}
		k := r.rule.kind + "\x00" + r.Name
		if seen[k] {
			p.add(field, value, "derives the %s %s twice", r.rule.kind, r.Name)
		}
		seen[k] = true
	}
}

// reservedBucketPrefixes and reservedBucketSuffixes are kept by S3 for its
// own features ("General purpose bucket naming rules", Amazon S3 User
// Guide): punycode, internal names, documentation examples, access point
// and Object Lambda aliases, Multi-Region Access Points, directory and
// table buckets.
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
	bucketNameChars        = regexp.MustCompile(`^[a-z0-9.-]+$`)
)

// validateBucketName applies S3's rules for general purpose bucket names,
// and refuses periods too: a period breaks the TLS certificate of
// virtual-hosted requests (bucket.s3.region.amazonaws.com), which the S3
// backend and the AWS CLI use. Every problem is reported at once.
func validateBucketName(name string) error {
	var why []string
	if len(name) < 3 || len(name) > 63 {
		why = append(why, fmt.Sprintf("3 to 63 characters (has %d)", len(name)))
	}
	if !bucketNameChars.MatchString(name) {
		why = append(why, "only lowercase letters, digits and hyphens")
	}
	if strings.Contains(name, ".") {
		why = append(why, "no periods (they break TLS for virtual-hosted requests)")
	}
	if name != "" && (!isLowerAlnum(name[0]) || !isLowerAlnum(name[len(name)-1])) {
		why = append(why, "must start and end with a lowercase letter or digit")
	}
	if _, err := netip.ParseAddr(name); err == nil {
		why = append(why, "must not look like an IP address")
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			why = append(why, fmt.Sprintf("must not start with %q (reserved by S3)", p))
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			why = append(why, fmt.Sprintf("must not end with %q (reserved by S3)", s))
		}
	}
	if len(why) == 0 {
		return nil
	}
	return errors.New("a DNS-compliant S3 general purpose bucket name: " + strings.Join(why, "; "))
}

func isLowerAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
