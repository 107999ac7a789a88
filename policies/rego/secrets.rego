# No secret is written into the configuration: a literal password, token or
# key in a plan also lands in the state and in every copy of the plan.
# Secrets come from Secrets Manager (RDS-managed master password), IAM
# authentication, or the environment of the process that runs Terraform.
package terraform.policies.secrets

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {"SEC-01": {
	"title": "No literal secret (password, token, access or private key) anywhere in the plan",
	"serves": ["LGPD art. 46"],
}}

# Attribute names that hold a secret.
secret_name := `^(password|passwords|master_password|auth_token|token|session_token|access_key|secret_key|secret_access_key|secret_string|secret_binary|private_key|client_secret|api_key|[a-z_]*_password)$`

# Values that are secrets whatever their attribute: AWS access key ids and
# PEM private keys.
secret_value := `(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)|-----BEGIN [A-Z ]*PRIVATE KEY-----`

# Parts of the plan that hold no values of their own (booleans and paths).
metadata_keys := {"after_unknown", "after_sensitive", "before_sensitive", "replace_paths", "relevant_attributes", "sensitive_values"}

findings contains {"path": path, "why": why} if {
	walk(input.plan, [path, v])
	count(path) > 0
	not metadata(path)
	name := path[count(path) - 1]
	is_string(name)
	regex.match(secret_name, name)
	literal(v)
	why := finding_reason(path, name)
}

finding_reason(path, name) := sprintf("%s is set to a literal in the configuration", [name]) if {
	"expressions" in path
} else := sprintf("%s holds a value: it is stored in the plan and the state", [name])

findings contains {"path": path, "why": "the value looks like an AWS access key id or a private key"} if {
	walk(input.plan, [path, v])
	not metadata(path)
	is_string(v)
	regex.match(secret_value, v)
}

metadata(path) if {
	some p in path
	p in metadata_keys
}

# A literal: a non-empty string or list of strings, or a configuration
# expression or variable holding one (references are fine).
literal(v) if literal_value(v)

literal(v) if {
	literal_value(v.constant_value)
	count(object.get(v, "references", [])) == 0
}

literal(v) if literal_value(v.value)

literal_value(v) if {
	is_string(v)
	v != ""
}

literal_value(v) if {
	is_array(v)
	some x in v
	is_string(x)
	x != ""
}

# location names a finding by resource address where the path runs through
# one: aws_db_instance.postgres.password, with "(before)",
# "(configuration)" or "(planned_values)" when it is not the planned value.
location(path) := sprintf("%s.%s%s", [object.get(input.plan, array.slice(path, 0, i + 2), {}).address, lib.path_string(array.slice(path, i + 2 + count(skip), count(path))), where]) if {
	i := max([k | some k, p in path; p in {"resources", "resource_changes"}; is_number(path[k + 1])])
	some kind in location_kinds
	[prefix, skip, where] := kind
	array.slice(path, i + 2, i + 2 + count(skip)) == skip
	startswith(path[0], prefix)
} else := lib.path_string(path)

location_kinds := [
	["resource_changes", ["change", "after"], ""],
	["resource_changes", ["change", "before"], " (before)"],
	["configuration", ["expressions"], " (configuration)"],
	["planned_values", ["values"], " (planned_values)"],
	["prior_state", ["values"], " (prior_state)"],
]

results contains r if {
	some f in findings
	r := lib.result("SEC-01", location(f.path), false, f.why)
}

results contains r if {
	count(findings) == 0
	r := lib.result("SEC-01", "(plan)", true, "no attribute named like a secret holds a literal, and no value looks like a key")
}

deny := lib.deny_messages(controls, results)
