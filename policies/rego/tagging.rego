# Every taggable resource says what it is, whose it is and what data it
# holds: the inventory behind the record of processing operations.
package terraform.policies.tagging

import data.terraform.lib
import rego.v1

input_kind := "plan"

environment := lib.plan_environment

controls := {"TAG-01": {
	"title": "Every taggable resource carries Project, Environment, ManagedBy, DataClassification and Owner",
	"serves": ["LGPD art. 37"],
}}

taggable contains rc if {
	some rc in lib.resources
	"tags_all" in object.keys(rc.change.after)
}

taggable contains rc if {
	some rc in lib.resources
	lib.unknown(rc, ["tags_all"])
}

results contains r if {
	some rc in taggable
	lib.unknown(rc, ["tags_all"])
	r := lib.result("TAG-01", rc.address, false, "tags_all is known only after apply: set the tags from literals or default tags")
}

results contains r if {
	some rc in taggable
	tags := object.get(rc.change.after, "tags_all", {})
	is_object(tags)
	missing := {t | some t in lib.params.required_tags; not filled(tags, t)}
	ok := count(missing) == 0
	r := lib.result("TAG-01", rc.address, ok, tag_message(tags, missing, ok))
}

filled(tags, t) if {
	is_string(tags[t])
	trim_space(tags[t]) != ""
}

tag_message(tags, _, true) := sprintf("DataClassification=%s, Owner=%s", [tags.DataClassification, tags.Owner])

tag_message(_, missing, false) := sprintf("missing or empty tags: %v", [sort(missing)])

deny := lib.deny_messages(controls, results)
