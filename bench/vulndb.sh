#!/usr/bin/env bash
# Vulnerability database benchmarks, figures for BENCHMARKS.md:
#  1. import time and database size per corpus feed, against the same records as JSON
#     compressed with zstd (-19) — the size to beat;
#  2. a full import of every feed;
#  3. end-to-end `scan image` of the debootstrap image with vulnerability matching against the
#     same scan with the inventory alone (hyperfine, side by side);
#  4. matcher throughput over 100,000 packages in three mixes (hit-heavy, realistic, misses),
#     criterion's `benches/matching.rs`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin rampart >/dev/null
bin=$PWD/target/release/rampart
work=${BENCH_DIR:-$PWD/target/bench}
mkdir -p "$work"
corpus=$(cd .. && pwd)/shared/corpus
command -v zstd >/dev/null || { echo "zstd missing (apt-get install zstd)"; exit 2; }

feeds=(debian-osv almalinux-osv rustsec-osv pypa-osv go-osv ghsa-npm-sample alpine-secdb-2020 alpine-secdb-v3.20-subset debian-tracker-json-samples/vunnel/input/debian.json)
printf '| feed | import (s) | rampart DB (KiB) | JSON+zstd -19 (KiB) | ratio |\n|---|---|---|---|---|\n'
for f in "${feeds[@]}"; do
  src=$corpus/$f
  db=$work/feed.db
  start=$(date +%s.%N)
  "$bin" db import "$src" --db "$db" --quiet
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  dbk=$(( $(stat -c %s "$db") / 1024 ))
  # The same records as JSON, zstd-compressed (zips are unpacked first).
  tmp=$(mktemp -d)
  if [ -d "$src" ]; then
    find "$src" -name '*.json' -print0 | xargs -0 cat > "$tmp/all.json"
    for z in $(find "$src" -name '*.zip'); do unzip -p "$z" '*.json' >> "$tmp/all.json"; done
  else
    cat "$src" > "$tmp/all.json"
  fi
  zk=$(( $(zstd -19 -q -c "$tmp/all.json" | wc -c) / 1024 ))
  rm -rf "$tmp"
  printf '| %s | %.2f | %d | %d | %.2f |\n' "$f" "$secs" "$dbk" "$zk" "$(echo "$dbk / $zk" | bc -l)"
done
all=()
for f in "${feeds[@]}"; do all+=("$corpus/$f"); done
start=$(date +%s.%N)
"$bin" db import "${all[@]}" --db "$work/all.db" --quiet
printf '| all feeds | %.2f | %d | | |\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$(( $(stat -c %s "$work/all.db") / 1024 ))"

img=$work/bookworm.tar
if [ -f "$img" ]; then
  hyperfine -N --output=null --warmup 1 --runs 10 --export-markdown "$work/vuln-scan.md" \
    -n "inventory only (sbom)" "$bin sbom $img --format json --output /dev/null" \
    -n "scan image --scanners vuln" "$bin scan image $img --scanners vuln --format json --output /dev/null --db $work/all.db"
  cat "$work/vuln-scan.md"
fi

cargo bench --locked -p rampart-vuln --bench matching 2>&1 | grep -E '^match/|findings per run|thrpt:'
