# The data stores are reachable only from the application's security group,
# cannot open connections out, and every rule says why it exists; every VPC
# endpoint is bounded by a policy rather than AWS's full-access default.
package terraform.policies.network

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {
	"NET-01": {
		"title": "No CIDR or prefix-list ingress to the data ports (PostgreSQL 5432, Redis 6379); only security-group references",
		"serves": ["LGPD art. 46", "Security Hub EC2.19"],
	},
	"NET-02": {
		"title": "No egress rules on the data stores' security groups",
		"serves": ["LGPD art. 46"],
	},
	"NET-03": {
		"title": "Every security group and security group rule has a description",
		"serves": ["LGPD art. 37", "LGPD art. 46"],
	},
	"NET-04": {
		"title": "Every VPC endpoint has a policy, and each statement it allows on every resource (\"*\") is bounded by aws:PrincipalAccount or aws:ResourceAccount",
		"serves": ["LGPD art. 46", "LGPD art. 33"],
	},
}

# --- rules, whatever resource type carries them ---------------------------

# ingress lists every ingress rule as {address, group (addresses of the
# security group it belongs to), sources, from, to, protocol, description}.
ingress contains rule if {
	some rc in lib.resources_of("aws_vpc_security_group_ingress_rule")
	rule := standalone_rule(rc)
}

ingress contains rule if {
	some rc in lib.resources_of("aws_security_group_rule")
	lib.value(rc, ["type"]) == "ingress"
	rule := legacy_rule(rc)
}

ingress contains rule if {
	some rc in lib.resources_of("aws_security_group")
	some i, block in object.get(rc.change.after, "ingress", [])
	rule := inline_rule(rc, "ingress", i, block)
}

egress contains rule if {
	some rc in lib.resources_of("aws_vpc_security_group_egress_rule")
	rule := standalone_rule(rc)
}

egress contains rule if {
	some rc in lib.resources_of("aws_security_group_rule")
	lib.value(rc, ["type"]) == "egress"
	rule := legacy_rule(rc)
}

egress contains rule if {
	some rc in lib.resources_of("aws_security_group")
	some i, block in object.get(rc.change.after, "egress", [])
	rule := inline_rule(rc, "egress", i, block)
}

standalone_rule(rc) := {
	"address": rc.address,
	"groups": lib.references_of_type(rc, ["security_group_id"], "aws_security_group"),
	"cidrs": {c | some k in ["cidr_ipv4", "cidr_ipv6", "prefix_list_id"]; c := lib.value(rc, [k]); c != null} | unknown_sources(rc, ["prefix_list_id"]),
	"from": lib.value(rc, ["from_port"]),
	"to": lib.value(rc, ["to_port"]),
	"protocol": lib.value(rc, ["ip_protocol"]),
	"description": lib.value(rc, ["description"]),
}

legacy_rule(rc) := {
	"address": rc.address,
	"groups": lib.references_of_type(rc, ["security_group_id"], "aws_security_group"),
	"cidrs": {c | some k in ["cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"]; some c in object.get(rc.change.after, k, [])} | unknown_sources(rc, ["prefix_list_ids"]),
	"from": lib.value(rc, ["from_port"]),
	"to": lib.value(rc, ["to_port"]),
	"protocol": lib.value(rc, ["protocol"]),
	"description": lib.value(rc, ["description"]),
}

inline_rule(rc, direction, i, block) := {
	"address": sprintf("%s.%s[%d]", [rc.address, direction, i]),
	"groups": {rc.address},
	"cidrs": {c | some k in ["cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"]; some c in object.get(block, k, [])},
	"from": object.get(block, "from_port", null),
	"to": object.get(block, "to_port", null),
	"protocol": object.get(block, "protocol", null),
	"description": object.get(block, "description", null),
}

# A prefix list id known only after apply is still a non-group source.
unknown_sources(rc, path) := {"(known after apply)"} if lib.unknown(rc, path)

else := set()

all_ports(rule) if rule.protocol in {"-1", -1, "all"}

covers(rule, port) if all_ports(rule)

covers(rule, port) if {
	rule.from <= port
	port <= rule.to
}

results contains r if {
	some rule in ingress
	some port in lib.params.data_ports
	covers(rule, port)
	ok := count(rule.cidrs) == 0
	msg := cidr_message(rule, port, ok)
	r := lib.result("NET-01", rule.address, ok, msg)
}

cidr_message(rule, port, true) := sprintf("port %d admitted from security groups only", [port])

cidr_message(rule, port, false) := sprintf("port %d admitted from %v; admit the application's security group instead", [port, sort(rule.cidrs)])

# The data stores' groups: those their instances and replication groups use.
data_groups contains g if {
	some db in lib.resources_of("aws_db_instance")
	some g in lib.references_of_type(db, ["vpc_security_group_ids"], "aws_security_group")
}

data_groups contains g if {
	some rg in lib.resources_of("aws_elasticache_replication_group")
	some g in lib.references_of_type(rg, ["security_group_ids"], "aws_security_group")
}

results contains r if {
	some db in lib.resources_of("aws_db_instance")
	count(lib.references_of_type(db, ["vpc_security_group_ids"], "aws_security_group")) == 0
	r := lib.result("NET-02", db.address, false, "vpc_security_group_ids names no security group of this configuration (the VPC default group would apply)")
}

results contains r if {
	some rg in lib.resources_of("aws_elasticache_replication_group")
	count(lib.references_of_type(rg, ["security_group_ids"], "aws_security_group")) == 0
	r := lib.result("NET-02", rg.address, false, "security_group_ids names no security group of this configuration (the VPC default group would apply)")
}

results contains r if {
	some g in data_groups
	rules := {rule.address | some rule in egress; g in rule.groups}
	ok := count(rules) == 0
	r := lib.result("NET-02", g, ok, egress_message(rules, ok))
}

egress_message(_, true) := "no egress rules (the data store opens no connections)"

egress_message(rules, false) := sprintf("egress rules %v; a data store's group must have none", [sort(rules)])

results contains r if {
	some rule in ingress | egress
	d := rule.description
	ok := described(d)
	r := lib.result("NET-03", rule.address, ok, description_message(d, ok))
}

results contains r if {
	some rc in lib.resources_of("aws_security_group")
	d := lib.value(rc, ["description"])
	ok := described(d)
	r := lib.result("NET-03", rc.address, ok, description_message(d, ok))
}

described(d) if {
	is_string(d)
	trim_space(d) != ""
	d != "Managed by Terraform"
} else := false

description_message(d, true) := sprintf("%q", [d])

description_message(d, false) := sprintf("description %v says nothing; say what the rule admits and why", [d])

# NET-04: AWS's default endpoint policy lets any credentials reach any
# account's resources through the endpoint (data can leave for another
# account's bucket or table without touching the internet). A policy that is
# unset (computed by AWS, unknown in the plan) fails; so does an Allow on
# "*" whose condition names neither account key. A statement naming
# resources (ECR's AWS-owned layer bucket) is bounded by them.
results contains r if {
	some rc in lib.resources_of("aws_vpc_endpoint")
	problems := endpoint_policy_problems(rc)
	ok := count(problems) == 0
	r := lib.result("NET-04", rc.address, ok, endpoint_message(problems, ok))
}

endpoint_policy_problems(rc) := {"no policy: AWS's default admits any account's credentials on any account's resources"} if {
	not is_string(lib.value(rc, ["policy"]))
} else := {sprintf("statement %v allows %v on \"*\" without an aws:PrincipalAccount or aws:ResourceAccount condition", [sid, st.Action]) |
	doc := json.unmarshal(lib.value(rc, ["policy"]))
	some i, st in doc.Statement
	st.Effect == "Allow"
	"*" in as_list(object.get(st, "Resource", "*"))
	not account_bounded(st)
	sid := object.get(st, "Sid", i)
}

as_list(x) := x if is_array(x)

else := [x]

account_bounded(st) if {
	some operator, keys in object.get(st, "Condition", {})
	startswith(operator, "StringEquals")
	some key, _ in keys
	lower(key) in {"aws:principalaccount", "aws:resourceaccount"}
}

endpoint_message(_, true) := "policy bounds every open statement to the account"

endpoint_message(problems, false) := concat("; ", sort(problems))

deny := lib.deny_messages(controls, results)
