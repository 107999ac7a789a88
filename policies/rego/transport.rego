# Personal data travels encrypted: PostgreSQL refuses plain connections and
# Redis requires TLS.
package terraform.policies.transport

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {
	"TLS-01": {
		"title": "RDS PostgreSQL forces TLS (rds.force_ssl=1 in its parameter group)",
		"serves": ["LGPD art. 46"],
	},
	"TLS-02": {
		"title": "ElastiCache Redis requires TLS in transit (transit_encryption_enabled, mode required)",
		"serves": ["LGPD art. 46", "Security Hub ElastiCache.5"],
	},
}

results contains r if {
	some db in lib.resources_of("aws_db_instance")
	groups := lib.db_parameter_groups(db)
	count(groups) == 0
	r := lib.result("TLS-01", db.address, false, "its parameter group is not in this plan; the default group does not force TLS")
}

results contains r if {
	some db in lib.resources_of("aws_db_instance")
	some pg in lib.db_parameter_groups(db)
	v := lib.db_parameter(pg, "rds.force_ssl")
	r := lib.result("TLS-01", db.address, v == "1", sprintf("%s: rds.force_ssl = %v", [pg.address, v]))
}

results contains r if {
	some rg in lib.resources_of("aws_elasticache_replication_group")
	enabled := lib.value(rg, ["transit_encryption_enabled"])
	mode := lib.value(rg, ["transit_encryption_mode"])
	ok := {enabled, mode} == {true, "required"}
	r := lib.result("TLS-02", rg.address, ok, sprintf("transit_encryption_enabled = %v, transit_encryption_mode = %v", [enabled, mode]))
}

deny := lib.deny_messages(controls, results)
