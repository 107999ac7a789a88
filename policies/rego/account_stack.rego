# The account guard on the synthesized stack (cdk.tf.json): every provider
# block of every provider type pins allowed_account_ids to one account.
# policycheck runs it; HCP Terraform runs ACC-01 on the plan.
package terraform.policies.account_stack

import data.terraform.lib
import rego.v1

input_kind := "stack"

environment := lib.stack_environment

controls := {"ACC-02": {
	"title": "Every provider block of the stack pins allowed_account_ids to one account",
	"serves": ["LGPD art. 46"],
}}

results contains r if {
	some name, blocks in object.get(input.stack, "provider", {})
	some i, block in blocks
	ids := object.get(block, "allowed_account_ids", null)
	r := lib.account_result("ACC-02", sprintf("provider.%s[%d]", [name, i]), ids, false)
}

results contains r if {
	input.stack
	count(object.get(input.stack, "provider", {})) == 0
	count(lib.stack_resources) > 0
	r := lib.result("ACC-02", "provider", false, "no provider block: the account cannot be pinned")
}

deny := lib.deny_messages(controls, results)
