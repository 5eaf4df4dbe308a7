#!/usr/bin/env python3
"""Secret detection of rampart, detect-secrets and Trivy, side by side; prints markdown.

usage: compare-secrets.py RAMPART_BIN [--corpus DIR] [--speed TREE] [--keep]

Needs: the shared corpus (`secret-rule-examples`, default ../shared/corpus relative to the
repository), Python 3 with PyYAML, `detect-secrets` (pip install detect-secrets; 1.5.0 used)
and `trivy` (0.76, offline: secret scanning needs no database) on PATH; with --speed also
`hyperfine`, `rg` (ripgrep), find, xargs and cat.

1. Every Nosey Parker example (`examples` and `negative_examples` of its rule files) is
   written to its own file in a temporary tree; each tool scans the tree once and its
   findings are attributed back to examples by file. Rules rampart does not claim (the
   `UNCLAIMED` list of crates/rampart-secrets/tests/noseyparker_examples.rs, with its
   reasons) are counted apart, as are the misses and the negatives that are credentials
   of another type which that test lists with reasons.
2. The same tree and detect-secrets' own test data are scanned by the three tools; the
   overlaps are counted per example (tree) and per (file, line) (test data).
3. With --speed TREE: hyperfine (-N --runs 3, first the read floor, which warms the page
   cache) over TREE for rampart, detect-secrets,
   Trivy, one ripgrep pattern made of rampart's rule keywords, and reading the bytes.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NP_TEST = os.path.join(REPO, "crates/rampart-secrets/tests/noseyparker_examples.rs")
RULES_RS = os.path.join(REPO, "crates/rampart-secrets/src/rules.rs")


def rust_const(name):
    """The string tuples of one `const NAME: &[(&str, ...)]` list in the Nosey Parker test."""
    text = open(NP_TEST, encoding="utf-8").read()
    start = text.index(f"const {name}:")
    end = text.index("];", start)
    body = text[start:end]
    out = []
    for tup in re.finditer(r"\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*,?\s*)+)\)", body):
        out.append(tuple(json.loads(s) for s in re.findall(r"\"(?:[^\"\\]|\\.)*\"", tup.group(1))))
    return out


def load_examples(corpus):
    rules_dir = os.path.join(corpus, "secret-rule-examples/noseyparker/rules")
    out = []
    for name in sorted(os.listdir(rules_dir)):
        doc = yaml.safe_load(open(os.path.join(rules_dir, name), encoding="utf-8"))
        for rule in doc.get("rules", []):
            for key, positive in (("examples", True), ("negative_examples", False)):
                for ex in rule.get(key) or []:
                    if isinstance(ex, str):
                        out.append({"rule": rule["id"], "text": ex, "positive": positive})
    return out


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({p.returncode}): {p.stderr[-2000:]}")
    return p.stdout


def rampart_scan(binary, tree):
    doc = json.loads(run([binary, "scan", "fs", tree, "--scanners", "secret", "--format", "json"]))
    return [(s["file"], s["line"], s["rule_id"]) for s in doc.get("secrets") or []]


def detect_secrets_scan(tree):
    doc = json.loads(run(["detect-secrets", "scan", ".", "--all-files"], cwd=tree))
    out = []
    for path, items in (doc.get("results") or {}).items():
        for it in items:
            out.append((os.path.normpath(path), it["line_number"], it["type"]))
    return out


def trivy_scan(tree):
    doc = json.loads(run(["trivy", "fs", "--quiet", "--scanners", "secret", "--format", "json", tree]))
    out = []
    for res in doc.get("Results") or []:
        for s in res.get("Secrets") or []:
            out.append((os.path.normpath(res["Target"]), s["StartLine"], s["RuleID"]))
    return out


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "—"


def write_tree(examples, root):
    for i, ex in enumerate(examples):
        ex["file"] = f"{'p' if ex['positive'] else 'n'}{i:04d}_{ex['rule']}.txt"
        with open(os.path.join(root, ex["file"]), "w", encoding="utf-8") as f:
            f.write(ex["text"] if ex["text"].endswith("\n") else ex["text"] + "\n")


def accuracy(binary, corpus, keep):
    examples = load_examples(corpus)
    unclaimed = {r: why for r, why in rust_const("UNCLAIMED")}
    known = rust_const("KNOWN_MISSES")
    credneg = rust_const("CREDENTIAL_NEGATIVES")
    root = tempfile.mkdtemp(prefix="secret-examples-")
    write_tree(examples, root)
    hits = {}
    for tool, fn in (("rampart", lambda t: rampart_scan(binary, t)),
                     ("detect-secrets", detect_secrets_scan), ("trivy", trivy_scan)):
        by_file = defaultdict(list)
        for path, _line, rid in fn(root):
            by_file[path].append(rid)
        hits[tool] = by_file

    # 1. rampart per provider
    rows = defaultdict(lambda: defaultdict(int))
    misses, fps, credentials = [], [], []
    for ex in examples:
        prov = ex["rule"].split(".")[1]
        got = hits["rampart"].get(ex["file"], [])
        r = rows[prov]
        if ex["positive"]:
            if ex["rule"] in unclaimed:
                r["unclaimed"] += 1
                continue
            r["pos"] += 1
            if got:
                r["found"] += 1
            else:
                why = next((w for rr, p, w in known if rr == ex["rule"] and ex["text"].startswith(p)), None)
                misses.append((ex["rule"], ex["text"], why))
        else:
            r["neg"] += 1
            if got:
                why = next((w for rr, p, w in credneg
                            if ex["rule"].startswith(rr) and ex["text"].startswith(p)), None)
                if why:
                    r["credneg"] += 1
                    credentials.append((ex["rule"], got, why))
                else:
                    r["fp"] += 1
                    fps.append((ex["rule"], ex["text"], got))
    print("### rampart on Nosey Parker's examples, per provider\n")
    print("| provider | positives | found | recall | negatives | false positives | unclaimed positives |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    tot = defaultdict(int)
    for prov in sorted(rows):
        r = rows[prov]
        for k, v in r.items():
            tot[k] += v
        extra = f" (+{r['credneg']} other credential)" if r["credneg"] else ""
        print(f"| {prov} | {r['pos']} | {r['found']} | {pct(r['found'], r['pos'])} | {r['neg']} "
              f"| {r['fp']}{extra} | {r['unclaimed']} |")
    print(f"| **all {len(rows)}** | {tot['pos']} | {tot['found']} | {pct(tot['found'], tot['pos'])} | {tot['neg']} "
          f"| {tot['fp']} (+{tot['credneg']} other credential) | {tot['unclaimed']} |\n")
    print(f"Misses on claimed rules ({len(misses)}; reason from the test's KNOWN_MISSES where listed):\n")
    for rule, text, why in misses:
        short = text.strip().replace("\n", "⏎")[:70].replace("|", "\\|")
        print(f"- `{rule}` — `{short}` — {why or '**unexplained**'}")
    print(f"\nFalse positives ({len(fps)}):\n")
    for rule, text, got in fps:
        short = text.strip().replace("\n", "⏎")[:70].replace("|", "\\|")
        print(f"- `{rule}` negative `{short}` → {', '.join(sorted(set(got)))}")

    # 2. overlaps on the example tree
    print("\n### Same example tree, three tools (per example file)\n")
    print("| set | tool | found | both | only rampart | only the other |")
    print("|---|---|---:|---:|---:|---:|")
    claimed_pos = [e for e in examples if e["positive"] and e["rule"] not in unclaimed]
    all_pos = [e for e in examples if e["positive"]]
    negs = [e for e in examples if not e["positive"]]
    for label, group in ((f"{len(claimed_pos)} positives (claimed)", claimed_pos),
                         (f"{len(all_pos)} positives (all)", all_pos),
                         (f"{len(negs)} negatives (flagged = FP)", negs)):
        ram = {e["file"] for e in group if hits["rampart"].get(e["file"])}
        print(f"| {label} | rampart | {len(ram)} | | | |")
        for tool in ("detect-secrets", "trivy"):
            oth = {e["file"] for e in group if hits[tool].get(e["file"])}
            print(f"| | {tool} | {len(oth)} | {len(ram & oth)} | {len(ram - oth)} | {len(oth - ram)} |")
    for tool in ("detect-secrets", "trivy"):
        only = sorted(e["rule"] for e in claimed_pos if hits[tool].get(e["file"]) and not hits["rampart"].get(e["file"]))
        print(f"\nclaimed positives only {tool} finds: " + (", ".join(only) or "none"))
    if keep:
        print(f"\n(example tree kept at {root})")
    else:
        shutil.rmtree(root)

    # 2b. detect-secrets' own test data
    src = os.path.join(corpus, "secret-rule-examples/detect-secrets/test_data")
    td = tempfile.mkdtemp(prefix="ds-test-data-")
    data = os.path.join(td, "data")
    shutil.copytree(src, data, ignore=shutil.ignore_patterns("baseline.file"))
    base = json.load(open(os.path.join(src, "baseline.file"), encoding="utf-8"))
    baseline = {(os.path.normpath(f), it["line_number"]) for f, items in base["results"].items() for it in items}
    lines = {
        "rampart": {(f, l) for f, l, _ in rampart_scan(binary, data)},
        "detect-secrets": {(f, l) for f, l, _ in detect_secrets_scan(data)},
        "trivy": {(f, l) for f, l, _ in trivy_scan(data)},
        "baseline.file (2020)": baseline,
    }
    shutil.rmtree(td)
    print("\n### detect-secrets' test data (per file and line)\n")
    print("| tool | lines | both with rampart | only rampart | only the other |")
    print("|---|---:|---:|---:|---:|")
    ram = lines["rampart"]
    print(f"| rampart | {len(ram)} | | | |")
    for tool in ("detect-secrets", "trivy", "baseline.file (2020)"):
        oth = lines[tool]
        print(f"| {tool} | {len(oth)} | {len(ram & oth)} | {len(ram - oth)} | {len(oth - ram)} |")
    print("\nonly trivy: " + ", ".join(f"{f}:{l}" for f, l in sorted(lines["trivy"] - ram)))
    print("only rampart vs detect-secrets: " + ", ".join(f"{f}:{l}" for f, l in sorted(ram - lines["detect-secrets"])))


def keywords():
    text = open(RULES_RS, encoding="utf-8").read()
    kws = set()
    for m in re.finditer(r'SecretRule::new\(\s*"[^"]+",\s*"(?:[^"\\]|\\.)*",\s*\w+,\s*&\[([^\]]*)\]', text):
        kws.update(json.loads(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"', m.group(1)))
    return sorted(kws)


def speed(binary, tree, with_ds=True):
    kws = keywords()
    pattern = "|".join(re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", k) for k in kws)
    pfile = tempfile.NamedTemporaryFile("w", suffix=".pat", delete=False)
    pfile.write(pattern + "\n")
    pfile.close()
    size = int(run(["du", "-sb", tree]).split()[0])
    nfiles = int(run(["sh", "-c", f"find {shlex.quote(tree)} -type f | wc -l"]).strip())
    q = shlex.quote(tree)
    cmds = {
        "read bytes (find, xargs cat)": f"sh -c 'find {q} -type f -print0 | xargs -0 cat > /dev/null'",
        f"rg, {len(kws)} keywords in one pattern": f"rg -i -c --no-ignore --hidden -f {pfile.name} {q}",
        "rampart (debug build)": f"{binary} scan fs {q} --scanners secret --format json --output /dev/null",
        "trivy fs --scanners secret": f"trivy fs --quiet --cache-dir /tmp/trivy-bench-cache --scanners secret --format json --output /dev/null {q}",
        # from inside the tree: run from within another git work tree it scans nothing
        "detect-secrets scan --all-files": f"sh -c 'cd {q} && detect-secrets scan . --all-files > /dev/null'",
    }
    if not with_ds:
        del cmds["detect-secrets scan --all-files"]
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    argv = ["hyperfine", "-N", "--runs", "3", "-i", "--export-json", out]
    for name, c in cmds.items():
        argv += ["-n", name, c]
    subprocess.run(argv, check=True, stdout=sys.stderr)
    res = json.load(open(out))["results"]
    floor = next(r["mean"] for r in res if r["command"].startswith("read bytes"))
    print(f"\n### Throughput on {nfiles} files, {size / 1e6:.0f} MB\n")
    print("| command | mean ± sd | MB/s | × read floor |")
    print("|---|---:|---:|---:|")
    for r in res:
        mbs = size / 1e6 / r["mean"]
        print(f"| {r['command']} | {r['mean']:.2f} ± {r['stddev'] or 0:.2f} s | {mbs:.{0 if mbs >= 10 else 2}f} "
              f"| {r['mean'] / floor:.1f} |")
    os.unlink(pfile.name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rampart")
    ap.add_argument("--corpus", default=os.path.join(REPO, "../shared/corpus"))
    ap.add_argument("--speed", metavar="TREE")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-detect-secrets", action="store_true",
                    help="leave detect-secrets out of --speed (~0.1 MB/s: minutes per 10 MB)")
    a = ap.parse_args()
    binary = os.path.abspath(a.rampart)
    if a.speed:
        speed(binary, os.path.abspath(a.speed), not a.no_detect_secrets)
    else:
        accuracy(binary, a.corpus, a.keep)


if __name__ == "__main__":
    main()
