#!/usr/bin/env bash
# Detection benchmarks, figures for BENCHMARKS.md ("Detection"):
#  1. Falco: every upstream syscall rule over 10,000 generated process/file/network events;
#     cost growth with 10, 100 and 1,000 rules; Kubernetes audit lines/s (JSON parsing
#     included) with the Falco k8s-audit and SigmaHQ Kubernetes rules
#     (`detect_perf`, a release example of rampart-detect; criterion: `cargo bench -p
#     rampart-detect`);
#  2. Sigma over CloudTrail, side by side with rsigma 0.23.0 in one hyperfine run: the same
#     NDJSON records (OTRF's S3 exfiltration recording and Falco's RunInstances trace,
#     repeated to 52,000 records; REPEAT=n for n × 104), first with the 57 SigmaHQ AWS rules, then with every
#     SigmaHQ Linux, cloud and Kubernetes rule; then whether both raise the same matches
#     (per-rule counts, differences listed).
# Needs: `cargo install rsigma --version 0.23.0 --locked` (or RSIGMA=path), hyperfine,
# python3, the corpus in ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CORPUS:-$PWD/../shared/corpus}
work=${BENCH_DIR:-$PWD/target/bench/detect}
mkdir -p "$work"
rsigma=${RSIGMA:-$(command -v rsigma || true)}
uptime

cargo build --release --locked -p rampart-detect --example detect_perf >/dev/null
perf=$PWD/target/release/examples/detect_perf

echo "== Falco (one core) =="
"$perf" falco 50
"$perf" growth
"$perf" k8s 50

# CloudTrail records, one per line, repeated REPEAT times.
records=$work/cloudtrail.ndjson
python3 - "$corpus" "$records" "${REPEAT:-500}" <<'EOF'
import json, sys
corpus, out, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = [
    "otrf-security-datasets/aws/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
    "falco-legacy-regression-tests/test/trace_files/plugins/alice_start_instances.json",
]
recs = []
dec = json.JSONDecoder()
for f in files:
    text = open(f"{corpus}/{f}").read()
    i = 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        v, i = dec.raw_decode(text, i)
        recs.extend(v["Records"] if isinstance(v, dict) and "Records" in v else [v])
with open(out, "w") as o:
    for _ in range(repeat):
        for r in recs:
            o.write(json.dumps(r, separators=(",", ":")) + "\n")
print(f"{len(recs) * repeat} CloudTrail records in {out}")
EOF

# Rule sets: the AWS rules, and every Linux, cloud and Kubernetes rule (one directory each,
# copied so that both tools read exactly the same files).
aws=$work/rules-aws
all=$work/rules-all
rm -rf "$aws" "$all"
mkdir -p "$aws" "$all"
cp -r "$corpus/sigma-rules/rules/cloud/aws/." "$aws/"
cp -r "$corpus/sigma-rules/rules/linux" "$corpus/sigma-rules/rules/cloud" "$all/"
cp -r "$corpus/sigma-rules/rules/application/kubernetes" "$all/"
echo "rules: $(find "$aws" -name '*.yml' | wc -l) AWS, $(find "$all" -name '*.yml' | wc -l) Linux+cloud+Kubernetes"

echo "== Sigma over CloudTrail =="
for set in aws all; do
  dir=$work/rules-$set
  "$perf" sigma --matches "$work/rampart-$set.tsv" "$records" "$dir"
  if [ -n "$rsigma" ]; then
    "$rsigma" engine eval -r "$dir" -e @"$records" > "$work/rsigma-$set.jsonl" 2>"$work/rsigma-$set.err" || true
    hyperfine -N --warmup 3 --runs ${RUNS:-15} \
      -n "rampart $set" "$perf sigma $records $dir" \
      -n "rsigma $set" "$rsigma engine eval -r $dir -e @$records" \
      --export-markdown "$work/hyperfine-$set.md"
    python3 - "$work/rampart-$set.tsv" "$work/rsigma-$set.jsonl" "$dir" <<'EOF'
import collections, json, sys, pathlib
ours, theirs, rules = sys.argv[1], sys.argv[2], sys.argv[3]
titles = {}
for p in pathlib.Path(rules).rglob("*.yml"):
    rid = title = None
    for line in p.read_text(errors="replace").splitlines():
        if line.startswith("id:"):
            rid = line.split(":", 1)[1].strip()
        elif line.startswith("title:"):
            title = line.split(":", 1)[1].strip()
    if rid:
        titles[rid] = title
a = collections.Counter(l.split("\t", 1)[1] for l in open(ours).read().splitlines() if l)
b = collections.Counter()
for line in open(theirs):
    line = line.strip()
    if not line.startswith("{"):
        continue
    m = json.loads(line)
    rid = m.get("rule_id") or m.get("id") or m.get("rule", {}).get("id")
    b[rid or m.get("rule_title", "?")] += 1
print(f"matches: rampart {sum(a.values())}, rsigma {sum(b.values())}")
same = True
for rid in sorted(set(a) | set(b)):
    if a[rid] != b[rid]:
        same = False
        print(f"  differs: {rid} ({titles.get(rid, '?')}): rampart {a[rid]}, rsigma {b[rid]}")
print("identical per-rule match counts" if same else "per-rule match counts differ (above)")
EOF
  fi
done
