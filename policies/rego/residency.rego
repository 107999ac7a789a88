# Customer data stays in the residency allow-list (sa-east-1). A provider in
# another region is an international transfer: it needs a named legal basis
# (LGPD art. 33) recorded in the environment's configuration, which the
# stack carries as the provider's DataTransferBasis default tag.
package terraform.policies.residency

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {"RES-01": {
	"title": "Every AWS provider region is in the residency allow-list, or the transfer has a named legal basis",
	"serves": ["LGPD art. 33", "LGPD art. 46"],
}}

results contains r if {
	some key, p in input.plan.configuration.provider_config
	p.name == "aws"
	region := object.get(p, ["expressions", "region", "constant_value"], null)
	basis := object.get(lib.plan_default_tags, [key, lib.params.transfer_basis_tag], "")
	r := region_result(sprintf("provider.%s", [key]), region, basis)
}

results contains r if {
	count({p | some p in input.plan.configuration.provider_config; p.name == "aws"}) == 0
	count(lib.resources) > 0
	r := lib.result("RES-01", "(plan)", false, "no AWS provider configuration in the plan: the region cannot be shown")
}

region_result(resource, region, basis) := lib.result("RES-01", resource, false, "region is not a literal in the configuration (variable, environment or profile): residency cannot be shown") if {
	not is_string(region)
} else := lib.result("RES-01", resource, true, sprintf("region %s is in the residency allow-list %v", [region, lib.params.residency_regions])) if {
	region in lib.params.residency_regions
} else := lib.result("RES-01", resource, true, sprintf("region %s is outside the allow-list %v; transfer basis (LGPD art. 33): %s", [region, lib.params.residency_regions, basis])) if {
	is_string(basis)
	trim_space(basis) != ""
} else := lib.result("RES-01", resource, false, sprintf("region %s is outside the allow-list %v and no %s names the LGPD art. 33 basis for the transfer", [region, lib.params.residency_regions, lib.params.transfer_basis_tag]))

deny := lib.deny_messages(controls, results)
