# In production, Terraform itself refuses to destroy a stateful resource:
# lifecycle.prevent_destroy. A plan's JSON does not carry lifecycle settings,
# so this policy reads the synthesized stack (cdk.tf.json). It does not help
# when the resource block itself disappears; the data-loss gate (DL-01)
# catches that in the plan.
package terraform.policies.lifecycle

import data.terraform.lib
import rego.v1

input_kind := "stack"

environment := lib.stack_environment

controls := {"REC-08": {
	"title": "Production stateful resources have lifecycle.prevent_destroy",
	"serves": ["LGPD art. 46"],
}}

results contains lib.skip("REC-08", sprintf("%s is not a production environment (production: %s)", [lib.stack_environment, concat(", ", lib.params.production_environments)])) if {
	input.stack
	not lib.stack_is_production
}

results contains r if {
	lib.stack_is_production
	some res in lib.stack_resources
	res.type in lib.params.stateful_types
	v := object.get(res.body, ["lifecycle", "prevent_destroy"], false)
	r := lib.result("REC-08", res.address, v == true, sprintf("lifecycle.prevent_destroy = %v", [v]))
}

deny := lib.deny_messages(controls, results)
