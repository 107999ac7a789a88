# Evidence of who reached personal data, and when, is recorded and kept:
# flow logs, PostgreSQL audit and connection logs, Redis logs, all in log
# groups of ours with a retention.
package terraform.policies.audit

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {
	"AUD-01": {
		"title": "Every VPC has flow logs of ALL traffic",
		"serves": ["LGPD art. 37", "LGPD art. 46", "Security Hub EC2.6"],
	},
	"AUD-02": {
		"title": "PostgreSQL loads pgaudit (shared_preload_libraries) and pgaudit.log records something",
		"serves": ["LGPD art. 37"],
	},
	"AUD-03": {
		"title": "RDS exports the postgresql and upgrade logs to CloudWatch log groups of this configuration",
		"serves": ["LGPD art. 37", "Security Hub RDS.9"],
	},
	"AUD-04": {
		"title": "Redis delivers slow-log and engine-log to CloudWatch log groups of this configuration",
		"serves": ["LGPD art. 37"],
	},
	"AUD-05": {
		"title": "Every log group has a retention; production keeps at least 180 days",
		"serves": ["LGPD art. 37", "LGPD art. 16", "Marco Civil da Internet art. 15", "Security Hub CloudWatch.16"],
	},
}

# --- AUD-01 ---------------------------------------------------------------

flow_logs_of(vpc) := {fl |
	some fl in lib.resources_of("aws_flow_log")
	vpc.address in lib.references_of_type(fl, ["vpc_id"], "aws_vpc")
} | {fl |
	some fl in lib.resources_of("aws_flow_log")
	id := lib.value(vpc, ["id"])
	is_string(id)
	lib.value(fl, ["vpc_id"]) == id
}

results contains r if {
	some vpc in lib.resources_of("aws_vpc")
	count(flow_logs_of(vpc)) == 0
	r := lib.result("AUD-01", vpc.address, false, "no aws_flow_log records this VPC")
}

results contains r if {
	some vpc in lib.resources_of("aws_vpc")
	some fl in flow_logs_of(vpc)
	traffic := lib.value(fl, ["traffic_type"])
	r := lib.result("AUD-01", vpc.address, traffic == "ALL", sprintf("%s: traffic_type = %v (want ALL)", [fl.address, traffic]))
}

# --- AUD-02 ---------------------------------------------------------------

postgres_instances := {db | some db in lib.resources_of("aws_db_instance"); lib.value(db, ["engine"]) == "postgres"}

results contains r if {
	some db in postgres_instances
	count(lib.db_parameter_groups(db)) == 0
	r := lib.result("AUD-02", db.address, false, "its parameter group is not in this plan; the default group does not load pgaudit")
}

results contains r if {
	some db in postgres_instances
	some pg in lib.db_parameter_groups(db)
	libraries := lib.db_parameter(pg, "shared_preload_libraries")
	loaded := {trim_space(l) | some l in split(libraries, ",")}
	events := lib.db_parameter(pg, "pgaudit.log")
	ok := pgaudit_ok(loaded, events)
	r := lib.result("AUD-02", db.address, ok, sprintf("%s: shared_preload_libraries = %s, pgaudit.log = %s", [pg.address, libraries, events]))
}

pgaudit_ok(loaded, events) if {
	"pgaudit" in loaded
	not events in {"(unset)", "none", ""}
} else := false

# --- AUD-03 ---------------------------------------------------------------

log_groups_by_name[name] := lg.address if {
	some lg in lib.resources_of("aws_cloudwatch_log_group")
	name := lib.value(lg, ["name"])
	is_string(name)
}

results contains r if {
	some db in postgres_instances
	exports := {e | some e in object.get(db.change.after, "enabled_cloudwatch_logs_exports", [])}
	some want in lib.params.rds_log_exports
	r := rds_export_result(db, exports, want)
}

rds_export_result(db, exports, want) := lib.result("AUD-03", db.address, false, sprintf("%s log is not exported (enabled_cloudwatch_logs_exports = %v)", [want, sort(exports)])) if {
	not want in exports
} else := lib.result("AUD-03", db.address, true, sprintf("%s log -> %s", [want, log_groups_by_name[name]])) if {
	name := sprintf("/aws/rds/instance/%s/%s", [lib.value(db, ["identifier"]), want])
	log_groups_by_name[name]
} else := lib.result("AUD-03", db.address, false, sprintf("%s log is exported but its log group /aws/rds/instance/%v/%s is not in this configuration: RDS would create it unencrypted, never expiring", [want, lib.value(db, ["identifier"]), want]))

# --- AUD-04 ---------------------------------------------------------------

results contains r if {
	some rg in lib.resources_of("aws_elasticache_replication_group")
	some want in lib.params.redis_log_types
	r := redis_log_result(rg, want)
}

redis_log_result(rg, want) := lib.result("AUD-04", rg.address, true, sprintf("%s -> %s", [want, log_groups_by_name[d.destination]])) if {
	some d in object.get(rg.change.after, "log_delivery_configuration", [])
	d.log_type == want
	d.destination_type == "cloudwatch-logs"
	log_groups_by_name[d.destination]
} else := lib.result("AUD-04", rg.address, true, sprintf("%s -> %s", [want, addr])) if {
	some i, d in object.get(rg.change.after, "log_delivery_configuration", [])
	d.log_type == want
	d.destination_type == "cloudwatch-logs"
	some addr in lib.references_of_type(rg, ["log_delivery_configuration", i, "destination"], "aws_cloudwatch_log_group")
} else := lib.result("AUD-04", rg.address, false, sprintf("no %s delivery to a CloudWatch log group of this configuration", [want]))

# --- AUD-05 ---------------------------------------------------------------

min_retention := lib.params.prod_min_log_retention_days if lib.plan_is_production

else := 1

results contains r if {
	some lg in lib.resources_of("aws_cloudwatch_log_group")
	days := lib.value(lg, ["retention_in_days"])
	r := retention_result(lg, days)
}

retention_result(lg, days) := lib.result("AUD-05", lg.address, false, "retention_in_days is not set: the logs never expire (keep them as long as needed, not forever)") if {
	days == null
} else := lib.result("AUD-05", lg.address, false, "retention_in_days = 0: the logs never expire (keep them as long as needed, not forever)") if {
	days == 0
} else := lib.result("AUD-05", lg.address, days >= min_retention, sprintf("retention_in_days = %d (at least %d in %s)", [days, min_retention, lib.plan_environment]))

deny := lib.deny_messages(controls, results)
