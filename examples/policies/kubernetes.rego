# Kubernetes workloads: memory limits, trusted registries, required labels.
#
# Input: one Kubernetes object (each document of a YAML file is evaluated on its own).
# Data: data.allowed_registries, data.required_labels (data/org.yaml).
package main

import rego.v1

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

pod_spec := input.spec if input.kind == "Pod"

pod_spec := input.spec.template.spec if input.kind in workload_kinds

pod_spec := input.spec.jobTemplate.spec.template.spec if input.kind == "CronJob"

containers contains c if {
	some key in ["containers", "initContainers"]
	is_array(pod_spec[key])
	some c in pod_spec[key]
}

name := sprintf("%s/%s", [input.kind, input.metadata.name])

deny contains msg if {
	some c in containers
	not c.resources.limits.memory
	msg := sprintf("%s: container %q has no memory limit", [name, c.name])
}

deny_untrusted_registry contains msg if {
	some c in containers
	not trusted(c.image)
	msg := sprintf("%s: image %q is not from a trusted registry", [name, c.image])
}

trusted(image) if {
	some registry in data.allowed_registries
	startswith(image, registry)
}

warn contains msg if {
	input.kind in workload_kinds
	some label in data.required_labels
	not input.metadata.labels[label]
	msg := sprintf("%s: missing label %q", [name, label])
}
