//! Builders for test images: layer tars (plain, gzip, zstd), Docker archives in both
//! layouts, OCI layouts and OCI archives, all written by test code into temp dirs.
#![allow(dead_code)]

use rampart_artifact::{
    Artifact, ArtifactError, DeletedFile, DeletionReason, Entry, EntryKind, Limits, Visitor, Walk,
    collect,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The shared corpus, or `None` (with a note) when it is absent outside CI.
pub fn corpus(folder: &str) -> Option<PathBuf> {
    let p = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
    .join(folder);
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("corpus folder {} is missing (CI=true)", p.display());
    }
    eprintln!("note: corpus folder {} missing; test skipped", p.display());
    None
}

/// One tar entry of a test layer.
#[derive(Clone)]
pub enum E {
    File(&'static str, &'static [u8]),
    Exec(&'static str, &'static [u8]),
    Dir(&'static str),
    Symlink(&'static str, &'static str),
    Hardlink(&'static str, &'static str),
    /// A raw name written byte for byte (may be absolute, hold `..`, or be bad UTF-8).
    Raw(&'static [u8], &'static [u8]),
}

fn raw_header(name: &[u8], size: u64, kind: tar::EntryType, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    let n = name.len().min(100);
    h.as_old_mut().name[..n].copy_from_slice(&name[..n]);
    h.set_size(size);
    h.set_mode(mode);
    h.set_entry_type(kind);
    h.set_mtime(1_700_000_000);
    h.set_cksum();
    h
}

/// An uncompressed layer tar.
pub fn layer_tar(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let r = match e {
            E::File(p, d) => b.append(
                &raw_header(p.as_bytes(), d.len() as u64, tar::EntryType::Regular, 0o644),
                *d,
            ),
            E::Exec(p, d) => b.append(
                &raw_header(p.as_bytes(), d.len() as u64, tar::EntryType::Regular, 0o755),
                *d,
            ),
            E::Dir(p) => b.append(
                &raw_header(p.as_bytes(), 0, tar::EntryType::Directory, 0o755),
                &[][..],
            ),
            E::Raw(p, d) => b.append(
                &raw_header(p, d.len() as u64, tar::EntryType::Regular, 0o644),
                *d,
            ),
            E::Symlink(p, t) | E::Hardlink(p, t) => {
                let kind = if matches!(e, E::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                };
                let mut h = raw_header(p.as_bytes(), 0, kind, 0o777);
                let tb = t.as_bytes();
                h.as_old_mut().linkname[..tb.len()].copy_from_slice(tb);
                h.set_cksum();
                b.append(&h, &[][..])
            }
        };
        r.expect("write test tar");
    }
    b.into_inner().expect("finish test tar")
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Comp {
    None,
    Gzip,
    Zstd,
}

pub fn compress(data: &[u8], c: Comp) -> Vec<u8> {
    match c {
        Comp::None => data.to_vec(),
        Comp::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).expect("gzip");
            e.finish().expect("gzip")
        }
        Comp::Zstd => {
            // With a content checksum, as containerd and BuildKit write them.
            let mut e = zstd::Encoder::new(Vec::new(), 3).expect("zstd");
            e.include_checksum(true).expect("zstd checksum");
            e.write_all(data).expect("zstd");
            e.finish().expect("zstd")
        }
    }
}

pub fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A built test image: uncompressed layer tars and its config.
pub struct Image {
    pub layers: Vec<Vec<u8>>,
    pub config: Vec<u8>,
}

pub fn config_json(layers: &[Vec<u8>], history: &[(&str, bool)], arch: &str) -> Vec<u8> {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha(l)))
        .collect();
    let history: Vec<serde_json::Value> = history
        .iter()
        .map(|(by, empty)| {
            let mut h = serde_json::json!({"created": "2024-05-01T10:00:00Z", "created_by": by});
            if *empty {
                h["empty_layer"] = true.into();
            }
            h
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": arch, "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_MODE=prod"],
            "User": "app", "Entrypoint": ["/usr/bin/tool"], "Cmd": ["--serve"],
            "Labels": {"org.opencontainers.image.source": "https://example.invalid/app"},
            "ExposedPorts": {"8080/tcp": {}, "53/udp": {}}, "WorkingDir": "/app"
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history
    }))
    .expect("config json")
}

/// The image of the layering tests: additions, changes, whiteouts, an opaque directory.
pub fn test_image() -> Image {
    let l0 = layer_tar(&[
        E::Dir("./"),
        E::Dir("./etc/"),
        E::File("./etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
        E::File("./etc/os-release", b"ID=debian\nVERSION_ID=12\n"),
        E::Dir("./usr/"),
        E::Dir("./usr/bin/"),
        E::Exec("./usr/bin/tool", b"tool v1"),
        E::Hardlink("./usr/bin/tool2", "./usr/bin/tool"),
        E::Symlink("./bin", "usr/bin"),
        E::Dir("./var/"),
        E::Dir("./var/cache/"),
        E::Dir("./var/cache/apt/"),
        E::File("./var/cache/apt/a.bin", b"aaa"),
        E::File("./var/cache/apt/b.bin", b"bbb"),
        E::Dir("./secret/"),
        E::File("./secret/key.pem", b"-----BEGIN PRIVATE KEY-----\n"),
        E::File("./secret/keep.txt", b"keep"),
        E::Dir("./opt/"),
        E::Dir("./opt/app/"),
        E::File("./opt/app/config.yml", b"debug: true\n"),
    ]);
    let l1 = layer_tar(&[
        E::Dir("etc/"),
        E::File(
            "etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n",
        ),
        E::Dir("app/"),
        E::File("app/new.txt", b"hello"),
        E::File("secret/.wh.key.pem", b""),
        // Same-layer content written before the opaque marker must survive it.
        E::File("var/cache/apt/c.bin", b"ccc"),
        E::File("var/cache/apt/.wh..wh..opq", b""),
    ]);
    let l2 = layer_tar(&[E::File(".wh.opt", b""), E::Exec("usr/bin/tool", b"tool v2")]);
    let l3 = layer_tar(&[E::Dir("opt/"), E::File("opt/new.yml", b"x: 1\n")]);
    let layers = vec![l0, l1, l2, l3];
    let config = config_json(
        &layers,
        &[
            ("/bin/sh -c #(nop) ADD file:base in /", false),
            ("/bin/sh -c #(nop) ENV APP_MODE=prod", true),
            ("/bin/sh -c useradd app && rm /secret/key.pem", false),
            ("/bin/sh -c rm -rf /opt && build tool", false),
            ("/bin/sh -c #(nop) WORKDIR /app", true),
            ("/bin/sh -c mkdir /opt && touch /opt/new.yml", false),
        ],
        "amd64",
    );
    Image { layers, config }
}

/// Writes `files` (name, bytes) as a tar at `path`.
pub fn write_tar(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut b = tar::Builder::new(std::fs::File::create(path).expect("create tar"));
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data.as_slice())
            .expect("append");
    }
    b.finish().expect("finish tar");
}

/// `docker save` output of docker < 25: `<id>.json`, `<dir>/layer.tar`, `manifest.json`.
pub fn docker_archive_legacy(img: &Image, path: &Path) {
    let config_name = format!("{}.json", sha(&img.config));
    let mut files = Vec::new();
    let mut names = Vec::new();
    for (i, l) in img.layers.iter().enumerate() {
        let name = format!("{}/layer.tar", sha(format!("layer{i}").as_bytes()));
        files.push((
            format!("{}/VERSION", sha(format!("layer{i}").as_bytes())),
            b"1.0".to_vec(),
        ));
        files.push((name.clone(), l.clone()));
        names.push(name);
    }
    files.push((config_name.clone(), img.config.clone()));
    let manifest = serde_json::json!([{"Config": config_name, "RepoTags": ["rampart/test:1"], "Layers": names}]);
    files.push((
        "manifest.json".into(),
        serde_json::to_vec(&manifest).expect("json"),
    ));
    write_tar(path, &files);
}

/// `docker save` output of docker 25+: an OCI layout plus `manifest.json`, with the given
/// layer compression.
pub fn docker_archive_oci(img: &Image, comp: Comp, path: &Path) {
    let mut files = oci_files(img, &[comp; 8], None);
    let cfg = format!("blobs/sha256/{}", sha(&img.config));
    let layers: Vec<String> = img
        .layers
        .iter()
        .map(|l| format!("blobs/sha256/{}", sha(&compress(l, comp))))
        .collect();
    let manifest =
        serde_json::json!([{"Config": cfg, "RepoTags": ["rampart/test:1"], "Layers": layers}]);
    files.push((
        "manifest.json".into(),
        serde_json::to_vec(&manifest).expect("json"),
    ));
    write_tar(path, &files);
}

fn blob(files: &mut BTreeMap<String, Vec<u8>>, data: Vec<u8>) -> (String, usize) {
    let d = sha(&data);
    let n = data.len();
    files.insert(format!("blobs/sha256/{d}"), data);
    (format!("sha256:{d}"), n)
}

fn manifest_for(
    files: &mut BTreeMap<String, Vec<u8>>,
    img: &Image,
    comps: &[Comp],
) -> (String, usize) {
    let (cd, cs) = blob(files, img.config.clone());
    let layers: Vec<serde_json::Value> = img
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let c = comps.get(i).copied().unwrap_or(Comp::Gzip);
            let mt = match c {
                Comp::None => "application/vnd.oci.image.layer.v1.tar",
                Comp::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
                Comp::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            };
            let (d, s) = blob(files, compress(l, c));
            serde_json::json!({"mediaType": mt, "digest": d, "size": s})
        })
        .collect();
    let m = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
        "layers": layers
    });
    blob(files, serde_json::to_vec(&m).expect("json"))
}

/// The files of an OCI layout. With `other` (an arm64 image), `index.json` points to a
/// nested index listing arm64, amd64 and an attestation manifest.
pub fn oci_files(img: &Image, comps: &[Comp], other: Option<&Image>) -> Vec<(String, Vec<u8>)> {
    let mut files = BTreeMap::new();
    let (md, ms) = manifest_for(&mut files, img, comps);
    let top = match other {
        None => serde_json::json!({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
            "annotations": {"io.containerd.image.name": "rampart/test:1", "org.opencontainers.image.ref.name": "1"}}]}),
        Some(arm) => {
            let (ad, asz) = manifest_for(&mut files, arm, &[Comp::Gzip]);
            let nested = serde_json::json!({"schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ad, "size": asz,
                 "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
                 "platform": {"os": "linux", "architecture": "amd64"}},
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ad, "size": asz,
                 "platform": {"os": "unknown", "architecture": "unknown"},
                 "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}]});
            let (nd, ns) = blob(&mut files, serde_json::to_vec(&nested).expect("json"));
            serde_json::json!({"schemaVersion": 2, "manifests": [{
                "mediaType": "application/vnd.oci.image.index.v1+json", "digest": nd, "size": ns,
                "annotations": {"io.containerd.image.name": "rampart/test:1", "org.opencontainers.image.ref.name": "1"}}]})
        }
    };
    files.insert("index.json".into(), serde_json::to_vec(&top).expect("json"));
    files.insert(
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    );
    files.into_iter().collect()
}

pub fn write_dir(root: &Path, files: &[(String, Vec<u8>)]) {
    for (name, data) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, data).expect("write");
    }
}

/// A visitor recording (path, layer, data) of every file.
#[derive(Default)]
pub struct Record {
    pub files: Vec<(String, usize, Vec<u8>)>,
}

impl Visitor for Record {
    fn file(&mut self, entry: &Entry<'_>, data: &mut dyn Read) -> Result<(), ArtifactError> {
        let mut buf = Vec::new();
        data.read_to_end(&mut buf)
            .map_err(|e| ArtifactError::visitor(entry.path, e.to_string()))?;
        self.files.push((entry.path.to_string(), entry.layer, buf));
        Ok(())
    }
}

pub fn view(w: &Walk) -> Vec<(String, usize, String)> {
    w.index
        .visible()
        .map(|(p, r)| {
            let k = match &r.kind {
                EntryKind::File => "f".to_string(),
                EntryKind::Dir => "d".to_string(),
                EntryKind::Symlink(t) => format!("l->{t}"),
                EntryKind::Hardlink(t) => format!("h->{t}"),
                EntryKind::Other => "o".to_string(),
            };
            (p.to_string(), r.layer, k)
        })
        .collect()
}

fn expected_view() -> Vec<(String, usize, String)> {
    [
        ("app", 1, "d"),
        ("app/new.txt", 1, "f"),
        ("bin", 0, "l->usr/bin"),
        ("etc", 1, "d"),
        ("etc/os-release", 0, "f"),
        ("etc/passwd", 1, "f"),
        ("opt", 3, "d"),
        ("opt/new.yml", 3, "f"),
        ("secret", 0, "d"),
        ("secret/keep.txt", 0, "f"),
        ("usr", 0, "d"),
        ("usr/bin", 0, "d"),
        ("usr/bin/tool", 2, "f"),
        ("usr/bin/tool2", 0, "h->usr/bin/tool"),
        ("var", 0, "d"),
        ("var/cache", 0, "d"),
        ("var/cache/apt", 0, "d"),
        ("var/cache/apt/c.bin", 1, "f"),
    ]
    .iter()
    .map(|(p, l, k)| (p.to_string(), *l, k.to_string()))
    .collect()
}

fn expected_deleted() -> Vec<DeletedFile> {
    use DeletionReason::*;
    [
        ("etc/passwd", 0, 1, Overwritten),
        ("secret/key.pem", 0, 1, Whiteout),
        ("var/cache/apt/a.bin", 0, 1, Opaque),
        ("var/cache/apt/b.bin", 0, 1, Opaque),
        ("opt/app/config.yml", 0, 2, Whiteout),
        ("usr/bin/tool", 0, 2, Overwritten),
    ]
    .iter()
    .map(|(p, l, d, r)| DeletedFile {
        path: p.to_string(),
        layer: *l,
        deleted_by: *d,
        reason: *r,
    })
    .collect()
}

/// Everything observable about the test image, compared across its four forms.
pub fn check(a: &Artifact) -> Vec<(String, usize, Vec<u8>, bool)> {
    assert_eq!(a.name, "rampart/test:1");
    let img = test_image();
    assert_eq!(a.digest, Some(format!("sha256:{}", sha(&img.config))));
    let digests: Vec<String> = a.layers.iter().map(|l| l.digest.clone()).collect();
    let diff_ids: Vec<String> = img
        .layers
        .iter()
        .map(|l| format!("sha256:{}", sha(l)))
        .collect();
    assert_eq!(digests, diff_ids);
    let made: Vec<Option<&str>> = a.layers.iter().map(|l| l.created_by.as_deref()).collect();
    assert_eq!(
        made,
        vec![
            Some("/bin/sh -c #(nop) ADD file:base in /"),
            Some("/bin/sh -c useradd app && rm /secret/key.pem"),
            Some("/bin/sh -c rm -rf /opt && build tool"),
            Some("/bin/sh -c mkdir /opt && touch /opt/new.yml"),
        ]
    );
    let c = a.config.as_ref().expect("config");
    assert_eq!(c.user.as_deref(), Some("app"));
    assert_eq!(c.entrypoint, vec!["/usr/bin/tool"]);
    assert_eq!(c.cmd, vec!["--serve"]);
    assert_eq!(c.exposed_ports, vec!["53/udp", "8080/tcp"]);
    assert_eq!(c.working_dir.as_deref(), Some("/app"));
    assert_eq!(c.env.len(), 2);
    assert_eq!(
        c.labels
            .get("org.opencontainers.image.source")
            .map(String::as_str),
        Some("https://example.invalid/app")
    );
    assert_eq!(
        (c.os.as_deref(), c.architecture.as_deref()),
        (Some("linux"), Some("amd64"))
    );
    assert_eq!(c.history.len(), 6);
    assert_eq!(c.history.iter().filter(|h| h.empty_layer).count(), 2);

    let got = collect(a, &Limits::default(), |_| true).expect("walk");
    let w = &got.walk;
    assert!(w.diagnostics.is_empty(), "{:?}", w.diagnostics);
    assert!(w.complete);
    assert_eq!(w.files_seen, 13);
    assert_eq!(view(w), expected_view());
    assert_eq!(
        w.index.deleted().cloned().collect::<Vec<_>>(),
        expected_deleted()
    );
    assert!(w.index.is_visible("etc/passwd", 1));
    assert!(!w.index.is_visible("etc/passwd", 0));
    let files: Vec<(String, usize, Vec<u8>, bool)> = got
        .files
        .iter()
        .map(|f| (f.path.clone(), f.layer, f.data.clone(), f.visible))
        .collect();
    let summary: Vec<(&str, usize, bool)> = files
        .iter()
        .map(|(p, l, _, v)| (p.as_str(), *l, *v))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("etc/passwd", 0, false),
            ("etc/os-release", 0, true),
            ("usr/bin/tool", 0, false),
            ("var/cache/apt/a.bin", 0, false),
            ("var/cache/apt/b.bin", 0, false),
            ("secret/key.pem", 0, false),
            ("secret/keep.txt", 0, true),
            ("opt/app/config.yml", 0, false),
            ("etc/passwd", 1, true),
            ("app/new.txt", 1, true),
            ("var/cache/apt/c.bin", 1, true),
            ("usr/bin/tool", 2, true),
            ("opt/new.yml", 3, true),
        ]
    );
    let key = files
        .iter()
        .find(|f| f.0 == "secret/key.pem")
        .expect("deleted key is visited");
    assert_eq!(key.2, b"-----BEGIN PRIVATE KEY-----\n");
    files
}

pub fn arm_image() -> Image {
    let layers = vec![layer_tar(&[
        E::Dir("etc/"),
        E::File("etc/arch", b"arm64\n"),
    ])];
    let config = config_json(&layers, &[("ADD arm", false)], "arm64");
    Image { layers, config }
}
