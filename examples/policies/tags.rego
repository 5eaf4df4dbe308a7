# Owner tags on Terraform resources. The package's __rego_metadata__ names its findings
# (id, title, severity, recommended_actions), as Trivy's custom checks do.
package terraform.tags

import rego.v1

__rego_metadata__ := {
	"id": "org-tf-owner-tag",
	"title": "Resource has no owner tag",
	"severity": "MEDIUM",
	"recommended_actions": "Add tags = { owner = \"<team>\" } to the resource.",
}

deny contains msg if {
	some rtype in data.taggable_resources
	some name
	resource := input.resource[rtype][name]
	not resource.tags.owner
	msg := sprintf("%s.%s has no owner tag", [rtype, name])
}
