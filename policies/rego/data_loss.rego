# A plan that deletes or replaces a stateful resource destroys data: the
# database and its automated backups, the cache and its snapshots, unread
# stream records, a key (and everything encrypted with it once its window
# ends), audit logs, the state bucket. Such a plan fails unless the operator
# says the destroy is meant (policycheck --allow-destroy; in HCP Terraform,
# an override of this mandatory policy by someone allowed to override).
package terraform.policies.data_loss

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {"DL-01": {
	"title": "No stateful resource is deleted or replaced without an explicit allow (--allow-destroy)",
	"serves": ["LGPD art. 46", "LGPD art. 6 VII"],
}}

allowed if input.fastshop.allow_destroy == true

stateful contains rc if {
	some rc in input.plan.resource_changes
	rc.mode == "managed"
	rc.type in lib.params.stateful_types
}

destroys(rc) if "delete" in rc.change.actions

action(rc) := "replace" if {
	"delete" in rc.change.actions
	"create" in rc.change.actions
} else := "delete"

consequence := {
	"replace": "the old resource and its data are destroyed before or after a new, empty one is created",
	"delete": "the resource and its data are destroyed",
}

# forced_by names what makes Terraform destroy: the attributes in
# replace_paths, or the reason Terraform gives.
forced_by(rc) := sprintf("forced by %s", [concat(", ", [lib.path_string(p) | some p in rc.change.replace_paths])]) if {
	count(object.get(rc.change, "replace_paths", [])) > 0
} else := sprintf("reason: %s", [rc.action_reason]) if {
	rc.action_reason
} else := "reason: the configuration no longer declares it, or a destroy was requested"

results contains r if {
	some rc in stateful
	destroys(rc)
	msg := sprintf("%s: %s; %s", [action(rc), consequence[action(rc)], forced_by(rc)])
	r := destroy_result(rc, msg)
}

destroy_result(rc, msg) := {"control": "DL-01", "resource": rc.address, "status": "warn", "message": concat("", [msg, " [allowed by --allow-destroy]"])} if {
	allowed
} else := lib.result("DL-01", rc.address, false, concat("", [msg, "; rerun with --allow-destroy only if this loss is intended"]))

results contains r if {
	some rc in stateful
	not destroys(rc)
	r := lib.result("DL-01", rc.address, true, kept_message(rc.change.actions))
}

kept_message(["forget"]) := "forget: removed from state, not destroyed"

kept_message(actions) := sprintf("%s: no data destroyed", [concat(",", actions)]) if actions != ["forget"]

deny := lib.deny_messages(controls, results)
