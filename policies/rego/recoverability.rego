# Production can lose an instance, an AZ or an operator's mistake without
# losing personal data: standby, deletion protection, final snapshot, kept
# backups, replayable stream, keys that cannot vanish quickly.
package terraform.policies.recoverability

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {
	"REC-01": {
		"title": "Production RDS is Multi-AZ",
		"serves": ["LGPD art. 46", "Security Hub RDS.5"],
	},
	"REC-02": {
		"title": "Production RDS has deletion protection",
		"serves": ["LGPD art. 46", "Security Hub RDS.8"],
	},
	"REC-03": {
		"title": "Production RDS takes a final snapshot (skip_final_snapshot false, final_snapshot_identifier set)",
		"serves": ["LGPD art. 46"],
	},
	"REC-04": {
		"title": "Production RDS keeps automated backups on delete and retains them at least 7 days",
		"serves": ["LGPD art. 46", "Security Hub RDS.11"],
	},
	"REC-05": {
		"title": "Redis keeps automatic snapshots (snapshot_retention_limit >= 1) in every environment",
		"serves": ["LGPD art. 46", "Security Hub ElastiCache.1"],
	},
	"REC-06": {
		"title": "Production Kinesis stream retains records at least 168 hours",
		"serves": ["LGPD art. 46", "Security Hub Kinesis.3"],
	},
	"REC-07": {
		"title": "Production KMS keys wait 30 days before deletion",
		"serves": ["LGPD art. 46", "Security Hub KMS.3"],
	},
}

production_only := {"REC-01", "REC-02", "REC-03", "REC-04", "REC-06", "REC-07"}

results contains lib.skip(id, sprintf("%s is not a production environment (production: %s)", [lib.plan_environment, concat(", ", lib.params.production_environments)])) if {
	not lib.plan_is_production
	some id in production_only
}

results contains r if {
	lib.plan_is_production
	some db in lib.resources_of("aws_db_instance")
	v := lib.value(db, ["multi_az"])
	r := lib.result("REC-01", db.address, v == true, sprintf("multi_az = %v", [v]))
}

results contains r if {
	lib.plan_is_production
	some db in lib.resources_of("aws_db_instance")
	v := lib.value(db, ["deletion_protection"])
	r := lib.result("REC-02", db.address, v == true, sprintf("deletion_protection = %v", [v]))
}

results contains r if {
	lib.plan_is_production
	some db in lib.resources_of("aws_db_instance")
	skip := lib.value(db, ["skip_final_snapshot"])
	id := snapshot_name(db)
	ok := final_snapshot(skip, id)
	r := lib.result("REC-03", db.address, ok, sprintf("skip_final_snapshot = %v, final_snapshot_identifier = %v", [skip, id]))
}

# snapshot_name is the planned final snapshot name. The stacks end it in the
# instance's create time (timestamp(), kept by ignore_changes), so a plan
# that creates the instance knows it only after apply.
snapshot_name(db) := "(known after apply)" if {
	lib.unknown(db, ["final_snapshot_identifier"])
} else := lib.value(db, ["final_snapshot_identifier"])

final_snapshot(skip, id) if {
	skip == false
	is_string(id)
	id != ""
} else := false

results contains r if {
	lib.plan_is_production
	some db in lib.resources_of("aws_db_instance")
	keep := lib.value(db, ["delete_automated_backups"])
	days := lib.value(db, ["backup_retention_period"])
	ok := backups_kept(keep, days)
	r := lib.result("REC-04", db.address, ok, sprintf("delete_automated_backups = %v, backup_retention_period = %v (at least %d)", [keep, days, lib.params.prod_min_backup_retention_days]))
}

backups_kept(keep, days) if {
	keep == false
	at_least(days, lib.params.prod_min_backup_retention_days)
} else := false

results contains r if {
	some rg in lib.resources_of("aws_elasticache_replication_group")
	v := lib.value(rg, ["snapshot_retention_limit"])
	min := lib.params.min_cache_snapshot_retention_days
	r := lib.result("REC-05", rg.address, at_least(v, min), sprintf("snapshot_retention_limit = %v (at least %d)", [v, min]))
}

results contains r if {
	lib.plan_is_production
	some s in lib.resources_of("aws_kinesis_stream")
	v := lib.value(s, ["retention_period"])
	min := lib.params.prod_min_stream_retention_hours
	r := lib.result("REC-06", s.address, at_least(v, min), sprintf("retention_period = %v hours (at least %d)", [v, min]))
}

results contains r if {
	lib.plan_is_production
	some k in lib.resources_of("aws_kms_key")
	v := lib.value(k, ["deletion_window_in_days"])
	want := lib.params.prod_kms_deletion_window_days
	r := lib.result("REC-07", k.address, v == want, sprintf("deletion_window_in_days = %v (want %d)", [v, want]))
}

at_least(v, min) if {
	is_number(v)
	v >= min
} else := false

deny := lib.deny_messages(controls, results)
