# Terraform state holds every resource's attributes (endpoints, ARNs, and
# whatever secret a mistake puts there): it is kept encrypted with our key,
# locked against concurrent writers, and in the residency region. A plan's
# JSON does not show the backend, so this policy reads the synthesized stack
# (cdk.tf.json); HCP Terraform runs use the cloud backend, which encrypts
# and locks state itself.
package terraform.policies.backend

import data.terraform.lib
import rego.v1

input_kind := "stack"

environment := lib.stack_environment

controls := {
	"STA-01": {
		"title": "State backend encrypts with a FastShop KMS key and locks (S3: encrypt, kms_key_id alias/fastshop-*, use_lockfile) or is HCP Terraform",
		"serves": ["LGPD art. 46"],
	},
	"STA-02": {
		"title": "State is kept in the residency allow-list, or the transfer has a named legal basis",
		"serves": ["LGPD art. 33"],
	},
}

backends := b if {
	b := input.stack.terraform.backend
	is_object(b)
} else := {}

s3 := backends.s3

cloud if input.stack.terraform.cloud

cloud if backends.remote

results contains r if {
	s3
	encrypt := object.get(s3, "encrypt", false)
	key := object.get(s3, "kms_key_id", "")
	lock := object.get(s3, "use_lockfile", false)
	ok := s3_ok(encrypt, key, lock)
	r := lib.result("STA-01", "terraform.backend.s3", ok, sprintf("encrypt = %v, kms_key_id = %v, use_lockfile = %v", [encrypt, key, lock]))
}

s3_ok(encrypt, key, lock) if {
	encrypt == true
	lock == true
	is_string(key)
	lib.ours_alias(key)
} else := false

results contains r if {
	cloud
	r := lib.result("STA-01", "terraform.cloud", true, "HCP Terraform stores, encrypts and locks the state")
}

results contains r if {
	input.stack
	not s3
	not cloud
	r := local_state_result
}

local_state_result := lib.result("STA-01", "terraform.backend", true, sprintf("stack %s keeps local state by design (%v)", [lib.stack_name, object.keys(backends)])) if {
	lib.stack_name in lib.params.local_state_stacks
} else := lib.result("STA-01", "terraform.backend", false, sprintf("backend %v keeps state unencrypted or unlocked; use S3 with KMS and use_lockfile, or HCP Terraform", [object.keys(backends)]))

results contains r if {
	s3
	region := object.get(s3, "region", null)
	basis := object.get(lib.stack_default_tags, lib.params.transfer_basis_tag, "")
	r := region_result(region, basis)
}

region_result(region, basis) := lib.result("STA-02", "terraform.backend.s3", true, sprintf("state bucket region %s is in the residency allow-list", [region])) if {
	region in lib.params.residency_regions
} else := lib.result("STA-02", "terraform.backend.s3", true, sprintf("state bucket region %v is outside the allow-list; transfer basis (LGPD art. 33): %s", [region, basis])) if {
	is_string(basis)
	trim_space(basis) != ""
} else := lib.result("STA-02", "terraform.backend.s3", false, sprintf("state bucket region %v is outside the allow-list %v and no %s names the transfer basis", [region, lib.params.residency_regions, lib.params.transfer_basis_tag]))

deny := lib.deny_messages(controls, results)
