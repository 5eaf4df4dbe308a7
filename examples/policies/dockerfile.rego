# Dockerfiles, in conftest's shape: input is the list of instructions, each
# {Cmd, Flags, Value, Original, JSON, Stage, SubCmd, StartLine}, Cmd in lower case.
#
# Written in the older Rego v0 syntax (no `if`/`contains`), which rampart accepts too.
# Data: data.blocked_base_images (data/org.yaml).
package docker

deny[msg] {
	input[i].Cmd == "from"
	image := input[i].Value[0]
	blocked := data.blocked_base_images[_]
	startswith(image, blocked)
	msg := sprintf("line %d: base image %s is blocked", [input[i].StartLine, image])
}

deny_root_user[msg] {
	users := [u | input[i].Cmd == "user"; u := input[i].Value[0]]
	count(users) > 0
	users[count(users) - 1] == "root"
	msg := "the image ends with USER root"
}

warn[msg] {
	input[i].Cmd == "run"
	contains(input[i].Value[0], "apt-get upgrade")
	msg := sprintf("line %d: apt-get upgrade makes builds unreproducible", [input[i].StartLine])
}
