#!/usr/bin/env bash
# Overhead of `rampart sensor` (eBPF, every supported upstream Falco rule loaded) on an
# exec-heavy workload (20,000 short processes) and a file-heavy one (1,000,000 opens), with and
# without the sensor, side by side in one hyperfine run each. Prints the sensor's own counters
# (events, drops) for the runs it watched. Needs root, hyperfine, python3 and the corpus.
# Usage: bench/sensor.sh [RUNS]   (default 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
rules_dir="$root/../shared/corpus/falco-rules/rules"
rules=("$rules_dir/falco_rules.yaml" "$rules_dir/falco-incubating_rules.yaml" "$rules_dir/falco-sandbox_rules.yaml")
[ "$(id -u)" -eq 0 ] || { echo "bench/sensor.sh: needs root" >&2; exit 2; }
# PROFILE=dev measures a debug build (user space unoptimized: an upper bound on overhead).
# RAMPART_BIN=path skips the build.
profile=${PROFILE:-release}
dir=$profile; [ "$profile" = dev ] && dir=debug
bin=${RAMPART_BIN:-$root/target/$dir/rampart}
[ -n "${RAMPART_BIN:-}" ] || cargo build --profile "$profile" -q -p rampart-cli --manifest-path "$root/Cargo.toml"
work=$(mktemp -d)
trap 'stop_sensor; rm -rf "$work"' EXIT

start_sensor() {
  [ -f "$work/pid" ] && return 0
  # shellcheck disable=SC2086
  "$bin" sensor --rules $rules_str > "$work/alerts" 2> "$work/sensor.log" &
  echo $! > "$work/pid"
  for _ in $(seq 600); do
    grep -q 'attached via' "$work/sensor.log" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "sensor did not start:" >&2; cat "$work/sensor.log" >&2; exit 2
}
stop_sensor() {
  [ -f "$work/pid" ] || return 0
  local pid; pid=$(cat "$work/pid")
  kill -INT "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$work/pid"
  grep 'stopped' "$work/sensor.log" >&2 || true
}
export -f start_sensor stop_sensor
export work bin
export rules_str="${rules[*]}"

cat > "$work/execs.sh" <<'SH'
i=0; while [ $i -lt 20000 ]; do /bin/true; i=$((i+1)); done
SH
cat > "$work/opens.py" <<'PY'
import os
for _ in range(1_000_000):
    os.close(os.open("/etc/hostname", os.O_RDONLY))
PY

# hyperfine runs every run of the first command, then of the second: the sensor is stopped
# before each run "without" and started once before the runs "with".
for workload in "sh $work/execs.sh" "python3 $work/opens.py"; do
  hyperfine --shell bash --runs "$runs" --warmup 1 \
    --prepare stop_sensor -n without "$workload" \
    --prepare start_sensor -n "with sensor" "$workload" \
    --export-markdown "$work/result.md"
  cat "$work/result.md"
  stop_sensor
done
