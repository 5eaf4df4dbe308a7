# Terraform, in conftest's shape: the HCL file as JSON, blocks nested by their labels
# (input.resource.<type>.<name>); expressions that are not literals appear as "${...}".
package terraform

import rego.v1

deny contains msg if {
	some name
	bucket := input.resource.aws_s3_bucket[name]
	bucket.acl in {"public-read", "public-read-write"}
	msg := sprintf("aws_s3_bucket.%s: ACL %s makes the bucket public", [name, bucket.acl])
}

deny contains msg if {
	some name
	rule := input.resource.aws_security_group_rule[name]
	rule.type == "ingress"
	"0.0.0.0/0" in rule.cidr_blocks
	rule.from_port <= 22
	rule.to_port >= 22
	msg := sprintf("aws_security_group_rule.%s: SSH open to the internet", [name])
}
