# Helpers shared by the FastShop policies. Plan policies read input.plan
# (`terraform show -json`), the document HCP Terraform passes its OPA policy
# sets; stack policies read input.stack (a synthesized cdk.tf.json), which
# only the policycheck command supplies. Parameters live in data.fastshop
# (fastshop/data.json, loaded the same way by HCP Terraform's bundle mode).
package terraform.lib

import rego.v1

params := data.fastshop

# result is one line of the report: a control applied to one resource.
# status is "pass", "fail", "warn" (reported, not failing) or "skip".
result(control, resource, ok, message) := {
	"control": control,
	"resource": resource,
	"status": status(ok),
	"message": message,
}

status(true) := "pass"

status(false) := "fail"

skip(control, message) := {"control": control, "resource": "-", "status": "skip", "message": message}

# deny_messages turns a package's failing results into the strings HCP
# Terraform lists for a failed policy.
deny_messages(controls, results) := {msg |
	some r in results
	r.status == "fail"
	c := controls[r.control]
	msg := sprintf("%s %s: %s (%s)", [r.control, r.resource, r.message, concat("; ", c.serves)])
}

# --- plan access -----------------------------------------------------------

# resources are the managed resource changes that leave something behind
# (create, update, no-op, the create half of a replace).
resources contains rc if {
	some rc in input.plan.resource_changes
	rc.mode == "managed"
	rc.change.after != null
}

resources_of(type) := {rc | some rc in resources; rc.type == type}

by_address[rc.address] := rc if some rc in resources

after(rc) := rc.change.after

# unknown is true when the attribute at path is known only after apply.
unknown(rc, path) if object.get(rc.change, array.concat(["after_unknown"], path), false) == true

# value at path of the planned object, null when unset or unknown.
value(rc, path) := object.get(rc.change.after, path, null)

# config is the configuration entry of a root-module resource. Resources in
# child modules have none here; checks that trace references then fail
# closed ("cannot trace").
config(rc) := c if {
	not rc.module_address
	some c in input.plan.configuration.root_module.resources
	c.address == sprintf("%s.%s", [rc.type, rc.name])
}

# expression is the configuration expression at path (for nested blocks the
# path runs through block lists: ["rule", 0, "apply_...", 0, "kms_master_key_id"]).
expression(rc, path) := object.get(config(rc), array.concat(["expressions"], path), {})

# references lists the addresses the configuration expression at path
# refers to ("aws_kms_key.logs.arn", "aws_kms_key.logs").
references(rc, path) := object.get(expression(rc, path), "references", [])

# referenced_resources are the resource addresses (type.name) an expression
# names, whatever attribute it reads.
referenced_resources(rc, path) := {addr |
	some ref in references(rc, path)
	parts := split(ref, ".")
	count(parts) >= 2
	not parts[0] in {"var", "local", "data", "module", "each", "count", "path", "terraform", "self"}
	addr := sprintf("%s.%s", [parts[0], regex.replace(parts[1], `\[.*$`, "")])
}

# references_of_type lists the resources of type the expression at path names.
references_of_type(rc, path, type) := {addr |
	some addr in referenced_resources(rc, path)
	startswith(addr, concat("", [type, "."]))
}

# --- customer-managed keys -------------------------------------------------

alias_arn_pattern := `^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:alias/`

# key_of(rc, path) describes which key the attribute at path names:
# {"ok": bool, "detail": string}. A key is ours when the configuration
# names an aws_kms_key (or aws_kms_alias) of this configuration, or when the
# value is a literal alias/fastshop-* (or its ARN). AWS-managed keys
# (alias/aws/*), an unset key (the service default is AWS-owned or
# AWS-managed) and literal key ids that cannot be traced all fail.
key_of(rc, path) := {"ok": true, "detail": detail} if {
	some key in references_of_type(rc, path, "aws_kms_key")
	by_address[key]
	not key_mismatch(rc, path, key)
	detail := sprintf("%s -> %s (customer-managed, this configuration)", [path_string(path), key])
} else := {"ok": true, "detail": detail} if {
	some a in references_of_type(rc, path, "aws_kms_alias")
	name := value(by_address[a], ["name"])
	ours_alias(name)
	detail := sprintf("%s -> %s (%s)", [path_string(path), a, name])
} else := {"ok": true, "detail": detail} if {
	v := value(rc, path)
	is_string(v)
	ours_alias(v)
	detail := sprintf("%s = %s", [path_string(path), v])
} else := {"ok": false, "detail": detail} if {
	v := value(rc, path)
	is_string(v)
	aws_managed(v)
	detail := sprintf("%s = %s is an AWS-managed key; use a FastShop customer-managed key", [path_string(path), v])
} else := {"ok": false, "detail": detail} if {
	v := value(rc, path)
	is_string(v)
	v != ""
	detail := sprintf("%s = %s cannot be traced to a FastShop key; reference an aws_kms_key or use %s*", [path_string(path), v, params.key_alias_prefix])
} else := {"ok": false, "detail": detail} if {
	unknown(rc, path)
	detail := sprintf("%s is known only after apply and its configuration names no aws_kms_key of this configuration", [path_string(path)])
} else := {"ok": false, "detail": sprintf("%s is not set: the service would use an AWS-managed or AWS-owned key", [path_string(path)])}

# key_mismatch: the value is known and is neither the ARN nor the id of the
# key the configuration names (a drifted or overridden key).
key_mismatch(rc, path, key) if {
	v := value(rc, path)
	is_string(v)
	k := by_address[key]
	known := {x | some attr in ["arn", "key_id", "id"]; x := value(k, [attr]); is_string(x)}
	count(known) > 0
	not v in known
}

# path_string renders an attribute path: rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id.
path_string(path) := concat(".", [sprintf("%v", [p]) | some p in path])

ours_alias(v) if startswith(v, params.key_alias_prefix)

ours_alias(v) if {
	regex.match(alias_arn_pattern, v)
	startswith(regex.replace(v, `^arn:[^:]+:kms:[^:]+:[0-9]+:`, ""), params.key_alias_prefix)
}

aws_managed(v) if startswith(v, "alias/aws/")

aws_managed(v) if {
	regex.match(alias_arn_pattern, v)
	contains(v, ":alias/aws/")
}

# --- environment -----------------------------------------------------------

# plan_default_tags are the default tags of every AWS provider configuration
# of the plan, by provider configuration key ("aws", "aws.replica").
plan_default_tags[key] := tags if {
	some key, p in input.plan.configuration.provider_config
	p.name == "aws"
	tags := object.get(p, ["expressions", "default_tags", 0, "tags", "constant_value"], {})
}

# environment is the Environment tag the plan's resources carry (the
# provider's default tags first). Unknown when absent or ambiguous, and an
# unknown environment is held to production rules.
plan_environments := {e |
	some tags in plan_default_tags
	e := tags[params.environment_tag]
} | {e |
	some rc in resources
	e := object.get(rc.change.after, ["tags_all", params.environment_tag], null)
	is_string(e)
}

plan_environment := e if {
	count(plan_environments) == 1
	some e in plan_environments
} else := "unknown"

production(env) if env in params.production_environments

production("unknown")

plan_is_production if production(plan_environment)

# --- synthesized stack (cdk.tf.json) ----------------------------------------

stack_name := object.get(input.stack, ["//", "metadata", "stackName"], "unknown")

stack_default_tags := object.get(stack_aws_provider, ["default_tags", 0, "tags"], {})

stack_aws_provider := p if {
	ps := object.get(input.stack, ["provider", "aws"], [])
	some p in ps
	not p.alias
} else := {}

stack_environment := e if {
	e := stack_default_tags[params.environment_tag]
} else := "unknown"

stack_is_production if production(stack_environment)

# stack_resources: every resource block of the stack, as
# {"address", "type", "body"}.
stack_resources contains {"address": sprintf("%s.%s", [type, name]), "type": type, "body": body} if {
	some type, blocks in object.get(input.stack, "resource", {})
	some name, body in blocks
}

# --- RDS parameter groups ----------------------------------------------------

# db_parameter_groups are the aws_db_parameter_group resources an instance
# uses: by configuration reference, or by name.
db_parameter_groups(db) := {pg |
	some addr in references_of_type(db, ["parameter_group_name"], "aws_db_parameter_group")
	pg := by_address[addr]
} | {pg |
	name := value(db, ["parameter_group_name"])
	is_string(name)
	some pg in resources_of("aws_db_parameter_group")
	value(pg, ["name"]) == name
}

# db_parameter is the value a parameter group sets for name ("(unset)" when
# it sets none).
db_parameter(pg, name) := v if {
	some p in object.get(pg.change.after, "parameter", [])
	p.name == name
	v := p.value
} else := "(unset)"

# --- account guard (ACC-01, ACC-02) -------------------------------------------

# account_result judges one provider configuration's allowed_account_ids:
# exactly one 12-digit account passes; a placeholder account (one digit
# twelve times, as the repository ships) is a warning, since no credentials
# reach it and every real plan stops at the guard; anything else fails. An
# offline plan (skip_requesting_account_id, the provider looks up no account
# and so could not compare one) is skipped: the guard cannot act there, and
# ACC-02 checks the synthesized stack.
account_result(control, resource, ids, offline) := result(control, resource, true, sprintf("allowed_account_ids = %v", [ids])) if {
	one_account(ids)
	not placeholder_account(ids[0])
} else := {"control": control, "resource": resource, "status": "warn", "message": sprintf("allowed_account_ids = %v is a placeholder account: set the real account before deploying", [ids])} if {
	one_account(ids)
} else := {"control": control, "resource": resource, "status": "skip", "message": "offline plan (skip_requesting_account_id): the provider looks up no account, so the guard cannot act; ACC-02 checks the stack"} if {
	ids == null
	offline == true
} else := result(control, resource, false, sprintf("allowed_account_ids = %v: pin exactly one 12-digit account, or credentials for any account are accepted", [ids]))

one_account(ids) if {
	is_array(ids)
	count(ids) == 1
	is_string(ids[0])
	regex.match(`^[0-9]{12}$`, ids[0])
}

placeholder_account(id) if count({c | some c in split(id, "")}) == 1
