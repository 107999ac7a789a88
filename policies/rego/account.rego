# The account guard: every AWS provider configuration names the one account
# it may act in (allowed_account_ids). The provider then compares the
# credentials' account with it before any other call and stops with "AWS
# account ID not allowed: <account>" (terraform-provider-aws
# internal/conns/config.go, ConfigureProvider), so prod's plan with dev's
# credentials goes nowhere. This policy reads the plan's provider
# configuration, which HCP Terraform passes; the same check on the
# synthesized stack is ACC-02 (account_stack.rego).
package terraform.policies.account

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {"ACC-01": {
	"title": "Every AWS provider configuration pins allowed_account_ids to one account",
	"serves": ["LGPD art. 46"],
}}

results contains r if {
	some key, p in input.plan.configuration.provider_config
	p.name == "aws"
	ids := object.get(p, ["expressions", "allowed_account_ids", "constant_value"], null)
	offline := object.get(p, ["expressions", "skip_requesting_account_id", "constant_value"], false)
	r := lib.account_result("ACC-01", sprintf("provider.%s", [key]), ids, offline)
}

deny := lib.deny_messages(controls, results)
