#!/usr/bin/env bash
# Overhead of the runtime sensor on an exec-heavy workload (20,000 short processes) and a
# file-heavy one (1,000,000 opens), without and with the sensor, side by side in one hyperfine
# run each. "With" runs the sensor example (crates/rampart-sensor/examples/overhead.rs, release
# build): eBPF capture, decoding, enrichment and every supported upstream Falco rule matched
# in-process — the work of `rampart sensor` minus printing alerts — with the kernel-side
# event-type and open filters computed from those rules. Prints the sensor's counters
# (events, drops, opens filtered in the kernel) for the runs it watched.
# Needs root, hyperfine, python3 and the corpus.
# Usage: bench/sensor.sh [RUNS]   (default 5)
#   OPEN_FILTER=0   disables the kernel-side open filter (to measure what it saves)
#   PROFILE=dev     measures a debug build (user space unoptimized: an upper bound)
#   SENSOR_BIN=path skips the build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
rules_dir="$root/../shared/corpus/falco-rules/rules"
rules=("$rules_dir/falco_rules.yaml" "$rules_dir/falco-incubating_rules.yaml" "$rules_dir/falco-sandbox_rules.yaml")
[ "$(id -u)" -eq 0 ] || { echo "bench/sensor.sh: needs root" >&2; exit 2; }
for f in "${rules[@]}"; do [ -f "$f" ] || { echo "bench/sensor.sh: missing $f" >&2; exit 2; }; done
profile=${PROFILE:-release}
dir=$profile; [ "$profile" = dev ] && dir=debug
bin=${SENSOR_BIN:-$root/target/$dir/examples/overhead}
[ -n "${SENSOR_BIN:-}" ] || cargo build --profile "$profile" -q -p rampart-sensor --example overhead --manifest-path "$root/Cargo.toml"
extra=""
[ "${OPEN_FILTER:-1}" = 0 ] && extra="--no-open-filter"
work=$(mktemp -d)
trap 'stop_sensor; rm -rf "$work"' EXIT

start_sensor() {
  [ -f "$work/pid" ] && return 0
  # shellcheck disable=SC2086
  "$bin" $extra $rules_str 2> "$work/sensor.log" &
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
  grep -h 'stopped' "$work/sensor.log" >&2 || true
}
export -f start_sensor stop_sensor
export work bin extra
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
# before each run "without" and started once before the runs "with" (its counters, printed
# when it stops, cover the warm-up and every run "with").
for workload in "sh $work/execs.sh" "python3 $work/opens.py"; do
  hyperfine --shell bash --runs "$runs" --warmup 1 \
    --prepare stop_sensor -n without "$workload" \
    --prepare start_sensor -n "with sensor" "$workload" \
    --export-markdown "$work/result.md"
  cat "$work/result.md"
  stop_sensor
done

# Delivery under load: the open filter off, so every open becomes an event that user space
# decodes and matches against every rule; the rate the workload reached and whether any event
# was dropped. The workload is a C loop (Python's interpreter cannot open files fast enough
# on one core once every open is traced): DELIVERY_OPENS opens+closes of /etc/hostname.
extra="--no-open-filter"
cat > "$work/opens.c" <<'C'
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  for (long i = 0; i < n; i++) {
    int fd = open("/etc/hostname", O_RDONLY);
    if (fd >= 0) close(fd);
  }
  return 0;
}
C
cc -O2 -o "$work/opens" "$work/opens.c"
n=${DELIVERY_OPENS:-3000000}
start_sensor
t0=$(date +%s.%N)
"$work/opens" "$n"
t1=$(date +%s.%N)
sleep 1
stop_sensor 2> "$work/stop.log"
cat "$work/stop.log" >&2
events=$(grep -o 'events [0-9]*' "$work/stop.log" | awk '{print $2}')
echo "delivery: $n opens, $events events in $(echo "$t1 - $t0" | bc) s of workload: $(echo "$events / ($t1 - $t0)" | bc) events/s; $(grep -o 'dropped [0-9]* (ring buffer full)' "$work/stop.log")"
