# Every role an AWS service assumes (the workload roles: producer,
# processor, task execution, flow-log delivery, the notifications pipe)
# carries the workload permissions boundary that deploy-identities-<env>
# creates. The apply role may create a role only with it (IAM evaluates
# iam:PermissionsBoundary on CreateRole), so a role without it would fail at
# apply time; this control says so at plan time, names the role, and keeps
# a role created any other way from escaping the boundary's limits (IAM
# User Guide, "Permissions boundaries for IAM entities"). Roles trusted by
# an OIDC provider (the deploy roles themselves) and the state account's
# roles (trusted by accounts) are not service roles.
package terraform.policies.identity

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {"IAM-01": {
	"title": "Every role an AWS service assumes carries the workload permissions boundary",
	"serves": ["LGPD art. 46"],
}}

service_roles contains rc if {
	some rc in lib.resources_of("aws_iam_role")
	trust := json.unmarshal(lib.value(rc, ["assume_role_policy"]))
	some st in trust.Statement
	st.Principal.Service
}

boundary_suffix := sprintf(":policy/%s", [lib.params.workload_boundary_policy])

bounded(rc) if {
	b := lib.value(rc, ["permissions_boundary"])
	is_string(b)
	endswith(b, boundary_suffix)
}

results contains r if {
	some rc in service_roles
	bounded(rc)
	r := lib.result("IAM-01", rc.address, true, sprintf("permissions_boundary = %s", [lib.value(rc, ["permissions_boundary"])]))
}

results contains r if {
	some rc in service_roles
	not bounded(rc)
	r := lib.result("IAM-01", rc.address, false, sprintf(
		"permissions_boundary = %v; want the policy %s of the role's account (deploy-identities-<env> creates it)",
		[lib.value(rc, ["permissions_boundary"]), lib.params.workload_boundary_policy],
	))
}

deny := lib.deny_messages(controls, results)
