//! Hostile and broken inputs: path escapes, symlinks out of the root and in loops,
//! decompression bombs, truncated and corrupt layers, missing layers, bad names. Each gives
//! a diagnostic or a one-line error naming the file, never a panic.

mod common;

use common::*;
use rampart_artifact::{
    ArtifactError, ArtifactKind, EntryKind, Limits, Walk, collect, fuzz_tar_layer, open, open_as,
    walk,
};
use std::path::Path;

fn one_layer_image(dir: &Path, layers: Vec<Vec<u8>>) -> std::path::PathBuf {
    let history: Vec<(&str, bool)> = layers.iter().map(|_| ("ADD", false)).collect();
    let config = config_json(&layers, &history, "amd64");
    let p = dir.join("image.tar");
    docker_archive_legacy(&Image { layers, config }, &p);
    p
}

fn paths(w: &Walk) -> Vec<String> {
    w.index.visible().map(|(p, _)| p.to_string()).collect()
}

fn messages(w: &Walk) -> Vec<String> {
    w.diagnostics.iter().map(|d| d.to_string()).collect()
}

#[test]
fn dotdot_escapes_are_dropped_and_absolute_paths_made_relative() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layer = layer_tar(&[
        E::Raw(b"/abs/file", b"abs"),
        E::Raw(b"../../etc/evil", b"evil"),
        E::Raw(b"a/../../b", b"evil2"),
        E::Raw(b"x/../ok", b"fine"),
        E::Hardlink("h", "../../etc/passwd"),
    ]);
    let a = open(&one_layer_image(dir.path(), vec![layer])).expect("open");
    let got = collect(&a, &Limits::default(), |_| true).expect("walk");
    assert_eq!(paths(&got.walk), vec!["abs/file", "ok"]);
    let read: Vec<(&str, &[u8])> = got
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    assert_eq!(read, vec![("abs/file", &b"abs"[..]), ("ok", b"fine")]);
    assert_eq!(
        messages(&got.walk),
        vec![
            "../../etc/evil: layer 0: path climbs out of the root with '..'; skipped",
            "a/../../b: layer 0: path climbs out of the root with '..'; skipped",
            "h: layer 0: hard link to \"../../etc/passwd\" leaves the root; skipped",
        ]
    );
    assert!(got.walk.complete);
}

#[test]
fn layer_symlinks_out_of_the_root_are_recorded_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layer = layer_tar(&[
        E::Symlink("evil", "/etc/shadow"),
        E::Symlink("up", "../../../../etc/passwd"),
        E::Symlink("loop1", "loop2"),
        E::Symlink("loop2", "loop1"),
    ]);
    let a = open(&one_layer_image(dir.path(), vec![layer])).expect("open");
    let mut rec = Record::default();
    let w = walk(&a, &Limits::default(), &mut rec).expect("walk");
    assert!(rec.files.is_empty());
    let kinds: Vec<(String, EntryKind)> = w
        .index
        .visible()
        .map(|(p, r)| (p.to_string(), r.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("evil".into(), EntryKind::Symlink("/etc/shadow".into())),
            ("loop1".into(), EntryKind::Symlink("loop2".into())),
            ("loop2".into(), EntryKind::Symlink("loop1".into())),
            (
                "up".into(),
                EntryKind::Symlink("../../../../etc/passwd".into())
            ),
        ]
    );
}

#[test]
fn directory_symlinks_out_and_loops_are_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("outside.txt"), "SECRET").expect("write");
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("sub")).expect("mkdir");
    std::fs::write(root.join("a.txt"), "inside").expect("write");
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, root.join(name)).expect("symlink")
    };
    link("/etc/passwd", "link_abs");
    link("../outside.txt", "link_up");
    link("loop2", "loop1");
    link("loop1", "loop2");
    link(".", "self");
    link("..", "sub/back");
    let a = open(&root).expect("open");
    assert_eq!(a.kind, ArtifactKind::Directory);
    let got = collect(&a, &Limits::default(), |_| true).expect("walk");
    let read: Vec<(&str, &[u8])> = got
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    assert_eq!(read, vec![("a.txt", &b"inside"[..])]);
    assert_eq!(
        paths(&got.walk),
        vec![
            "a.txt", "link_abs", "link_up", "loop1", "loop2", "self", "sub", "sub/back"
        ]
    );
    assert_eq!(
        got.walk.index.get("link_up").map(|r| r.kind.clone()),
        Some(EntryKind::Symlink("../outside.txt".into()))
    );
    assert!(
        got.walk.diagnostics.is_empty(),
        "{:?}",
        got.walk.diagnostics
    );
}

#[test]
fn zstd_bomb_stops_at_the_ratio_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zeros: &'static [u8] = Box::leak(vec![0u8; 64 << 20].into_boxed_slice());
    let tar = layer_tar(&[E::File("small.txt", b"small"), E::File("zeros.bin", zeros)]);
    let bomb = compress(&tar, Comp::Zstd);
    assert!(
        bomb.len() < 64 << 10,
        "the test bomb compresses well: {}",
        bomb.len()
    );
    let files = oci_files(
        &Image {
            config: config_json(std::slice::from_ref(&tar), &[("ADD", false)], "amd64"),
            layers: vec![tar],
        },
        &[Comp::Zstd],
        None,
    );
    let layout = dir.path().join("layout");
    write_dir(&layout, &files);
    let a = open(&layout).expect("open");
    let mut rec = Record::default();
    let w = walk(&a, &Limits::default(), &mut rec).expect("walk");
    assert!(!w.complete);
    assert_eq!(w.diagnostics.len(), 1, "{:?}", w.diagnostics);
    assert!(
        w.diagnostics[0]
            .message
            .contains("expands more than 1100:1 (decompression bomb?)"),
        "{}",
        w.diagnostics[0]
    );
    assert!(w.bytes_read < 20 << 20, "stopped early: {}", w.bytes_read);
    assert_eq!(rec.files.len(), 1);
    assert_eq!(rec.files[0].0, "small.txt");
    // The index still knows what the layer holds up to the bomb.
    assert!(w.index.get("zeros.bin").is_some());
}

#[test]
fn total_and_entry_limits_stop_the_walk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("image.tar");
    docker_archive_legacy(&test_image(), &p);
    let a = open(&p).expect("open");
    let limits = Limits {
        max_total_uncompressed: 6000,
        ..Limits::default()
    };
    let w = walk(&a, &limits, &mut Record::default()).expect("walk");
    assert!(!w.complete);
    assert_eq!(w.diagnostics.len(), 1, "{:?}", w.diagnostics);
    assert!(
        w.diagnostics[0]
            .message
            .contains("more than 6000 uncompressed bytes read (max_total_uncompressed)")
    );
    assert!(w.index.len() < 18);

    let limits = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    let w = walk(&a, &limits, &mut Record::default()).expect("walk");
    // The root entry `./` of the first layer counts too.
    assert_eq!(w.index.len(), 4);
    assert_eq!(messages(&w).len(), 1);
    assert!(messages(&w)[0].contains("more than 5 entries (max_entries)"));
}

/// An OCI layout whose single layer blob is replaced by `bad`.
fn layout_with_layer(
    dir: &Path,
    good: Vec<u8>,
    comp: Comp,
    bad: impl Fn(Vec<u8>) -> Vec<u8>,
) -> Walk {
    let compressed = compress(&good, comp);
    let blob = format!("blobs/sha256/{}", sha(&compressed));
    let img = Image {
        config: config_json(std::slice::from_ref(&good), &[("ADD", false)], "amd64"),
        layers: vec![good],
    };
    let mut files = oci_files(&img, &[comp], None);
    for (name, data) in &mut files {
        if *name == blob {
            *data = bad(std::mem::take(data));
        }
    }
    let layout = dir.join(format!("layout-{comp:?}"));
    write_dir(&layout, &files);
    let a = open(&layout).expect("open");
    let mut rec = Record::default();
    walk(&a, &Limits::default(), &mut rec).expect("walk must not fail")
}

fn big_layer() -> Vec<u8> {
    let data: &'static [u8] = Box::leak(
        (0..200_000u32)
            .flat_map(|i| i.to_le_bytes())
            .collect::<Vec<u8>>()
            .into_boxed_slice(),
    );
    layer_tar(&[
        E::File("first.txt", b"first"),
        E::File("big.bin", data),
        E::File("last.txt", b"last"),
    ])
}

#[test]
fn truncated_and_corrupt_layers_become_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    for comp in [Comp::None, Comp::Gzip, Comp::Zstd] {
        let w = layout_with_layer(dir.path(), big_layer(), comp, |mut b| {
            b.truncate(b.len() / 2);
            b
        });
        assert!(!w.complete, "{comp:?}");
        assert_eq!(w.diagnostics.len(), 1, "{comp:?}: {:?}", w.diagnostics);
        assert!(
            w.diagnostics[0]
                .message
                .contains("layer 0 is corrupt or truncated"),
            "{comp:?}: {}",
            w.diagnostics[0]
        );
        assert!(w.index.get("first.txt").is_some(), "{comp:?}");
        assert!(w.index.get("last.txt").is_none(), "{comp:?}");
    }
    for comp in [Comp::Gzip, Comp::Zstd] {
        let w = layout_with_layer(dir.path(), big_layer(), comp, |mut b| {
            let mid = b.len() / 2;
            for x in &mut b[mid..mid + 64] {
                *x ^= 0x5a;
            }
            b
        });
        assert!(!w.complete, "{comp:?}");
        assert_eq!(w.diagnostics.len(), 1, "{comp:?}: {:?}", w.diagnostics);
        assert!(
            w.diagnostics[0].message.contains("is corrupt or truncated"),
            "{comp:?}: {}",
            w.diagnostics[0]
        );
        // Deflate fails at the damaged block; zstd may decode garbage until its checksum at
        // the end of the frame says otherwise.
        if comp == Comp::Gzip {
            assert!(w.index.get("last.txt").is_none());
        }
    }
    // A layer that is not a tar at all, and one in an unsupported compression.
    let w = layout_with_layer(dir.path(), big_layer(), Comp::None, |_| {
        b"BZh91AY&SY garbage".to_vec()
    });
    assert_eq!(messages(&w).len(), 1);
    assert!(
        messages(&w)[0].ends_with("layer 0 skipped: bzip2-compressed layers are not supported"),
        "{:?}",
        messages(&w)
    );
}

#[test]
fn truncated_docker_archive_keeps_the_complete_layers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("image.tar");
    docker_archive_legacy(&test_image(), &p);
    // manifest.json and the config come last in the archive: cut them off, and open fails.
    let bytes = std::fs::read(&p).expect("read");
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let err = open_as(&cut, ArtifactKind::DockerArchive).expect_err("manifest is gone");
    assert_eq!(
        err.to_string(),
        format!("{}: no manifest.json in the archive", cut.display())
    );

    // Move manifest.json first, then cut inside the last layer.
    let img = test_image();
    let config_name = format!("{}.json", sha(&img.config));
    let names: Vec<String> = (0..4).map(|i| format!("l{i}/layer.tar")).collect();
    let manifest =
        serde_json::json!([{"Config": config_name, "RepoTags": ["t:1"], "Layers": names}]);
    let mut files = vec![
        (
            "manifest.json".to_string(),
            serde_json::to_vec(&manifest).expect("json"),
        ),
        (config_name, img.config.clone()),
    ];
    for (n, l) in names.iter().zip(&img.layers) {
        files.push((n.clone(), l.clone()));
    }
    let full = dir.path().join("full.tar");
    write_tar(&full, &files);
    let bytes = std::fs::read(&full).expect("read");
    std::fs::write(&cut, &bytes[..bytes.len() - 1536]).expect("write");
    let a = open(&cut).expect("open cut");
    let msgs: Vec<String> = a.diagnostics.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        msgs,
        vec![
            "member l3/layer.tar is cut short: the archive is truncated".to_string(),
            "manifest.json names layer l3/layer.tar, which is not in the archive".to_string(),
        ]
    );
    let w = walk(&a, &Limits::default(), &mut Record::default()).expect("walk");
    assert!(!w.complete);
    assert!(w.index.get("usr/bin/tool").is_some_and(|r| r.layer == 2));
    assert!(w.index.get("opt/new.yml").is_none());
    assert_eq!(w.diagnostics.len(), 2);
}

#[test]
fn manifest_naming_a_missing_layer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = test_image();
    let config_name = format!("{}.json", sha(&img.config));
    let manifest =
        serde_json::json!([{"Config": config_name, "Layers": ["l0/layer.tar", "gone/layer.tar"]}]);
    let p = dir.path().join("missing.tar");
    write_tar(
        &p,
        &[
            ("l0/layer.tar".into(), img.layers[0].clone()),
            (config_name, img.config.clone()),
            (
                "manifest.json".into(),
                serde_json::to_vec(&manifest).expect("json"),
            ),
        ],
    );
    let a = open(&p).expect("open");
    assert_eq!(a.name, "missing.tar");
    assert_eq!(a.layers.len(), 2);
    assert_eq!(a.layers[1].size, None);
    let w = walk(&a, &Limits::default(), &mut Record::default()).expect("walk");
    assert!(!w.complete);
    assert_eq!(
        messages(&w),
        vec![format!(
            "{}: manifest.json names layer gone/layer.tar, which is not in the archive",
            p.display()
        )]
    );
    assert_eq!(w.files_seen, 8);
}

#[test]
fn empty_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(dir.path()).expect("open");
    assert_eq!(a.kind, ArtifactKind::Directory);
    let w = walk(&a, &Limits::default(), &mut Record::default()).expect("walk");
    assert!(w.index.is_empty());
    assert_eq!((w.files_seen, w.bytes_read), (0, 0));
    assert!(w.complete && w.diagnostics.is_empty());
}

#[test]
fn invalid_utf8_names_are_converted_with_a_warning() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let layer = layer_tar(&[E::Raw(b"bad\xffname", b"data")]);
    let a = open(&one_layer_image(dir.path(), vec![layer])).expect("open");
    let got = collect(&a, &Limits::default(), |_| true).expect("walk");
    assert_eq!(paths(&got.walk), vec!["bad\u{FFFD}name"]);
    assert_eq!(got.files[0].data, b"data");
    assert_eq!(
        messages(&got.walk),
        vec![
            "bad\u{FFFD}name: layer 0: file name is not valid UTF-8; invalid bytes shown as U+FFFD"
        ]
    );

    let root = dir.path().join("tree");
    std::fs::create_dir(&root).expect("mkdir");
    std::fs::write(root.join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt")), "x").expect("write");
    let got = collect(&open(&root).expect("open"), &Limits::default(), |_| true).expect("walk");
    assert_eq!(paths(&got.walk), vec!["caf\u{FFFD}.txt"]);
    assert_eq!(got.files.len(), 1);
    assert_eq!(messages(&got.walk).len(), 1);
}

#[test]
fn unusable_inputs_are_one_line_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "empty.tar",
            vec![],
            "not a recognised artifact: the file is empty",
        ),
        (
            "noise.bin",
            b"hello world, not an archive".to_vec(),
            "not a recognised artifact: neither a tar, a zip nor a directory",
        ),
        (
            "image.tar.gz",
            compress(b"x", Comp::Gzip),
            "not a recognised artifact: a compressed file that holds no tar",
        ),
    ];
    for (name, data, reason) in cases {
        let p = d.join(name);
        std::fs::write(&p, data).expect("write");
        let err = open(&p).expect_err(name);
        assert_eq!(err.to_string(), format!("{}: {reason}", p.display()));
    }
    let plain = d.join("plain.tar");
    write_tar(&plain, &[("hello.txt".into(), b"hi".to_vec())]);
    let err = open(&plain).expect_err("plain tar");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a recognised artifact: a tar without manifest.json or oci-layout (not a saved image)",
            plain.display()
        )
    );

    let missing = d.join("nope.tar");
    assert!(matches!(open(&missing), Err(ArtifactError::Io { .. })));
    assert!(
        open(&missing)
            .expect_err("missing")
            .to_string()
            .starts_with(&format!("{}: ", missing.display()))
    );

    let err = open_as(d, ArtifactKind::Zip).expect_err("dir as zip");
    assert_eq!(
        err.to_string(),
        format!("{}: cannot be read as Zip: it is a directory", d.display())
    );

    let layout = d.join("layout");
    std::fs::create_dir(&layout).expect("mkdir");
    std::fs::write(layout.join("oci-layout"), "{}").expect("write");
    let err = open(&layout).expect_err("no index");
    assert_eq!(
        err.to_string(),
        format!("{}: no index.json in the OCI layout", layout.display())
    );
    std::fs::write(
        layout.join("index.json"),
        "{\"manifests\": [{\"digest\": \"sha256:00\"}]}",
    )
    .expect("write");
    let err = open(&layout).expect_err("missing manifest blob");
    assert_eq!(
        err.to_string(),
        format!("{}: blob sha256:00 is not in the layout", layout.display())
    );
    std::fs::write(layout.join("index.json"), "{\"manifests\": [").expect("write");
    let err = open(&layout).expect_err("bad json");
    assert!(
        err.to_string().starts_with(&format!(
            "{}: index.json is not valid JSON: ",
            layout.display()
        )),
        "{err}"
    );
}

#[test]
fn fuzz_entry_point_survives_garbage() {
    let tar = big_layer();
    let gz = compress(&tar, Comp::Gzip);
    let zs = compress(&tar, Comp::Zstd);
    for data in [
        &[][..],
        b"\x1f\x8b",
        b"\x28\xb5\x2f\xfd",
        &tar[..700],
        &gz[..gz.len() / 3],
        &zs[..zs.len() / 3],
        &[0xffu8; 1024][..],
    ] {
        fuzz_tar_layer(data);
    }
    let mut flipped = tar.clone();
    for i in (0..flipped.len()).step_by(97) {
        flipped[i] ^= 0xff;
    }
    fuzz_tar_layer(&flipped);
}

/// A small deterministic xorshift generator for mutation tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut m = base.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(m.len());
        if let Some(b) = m.get_mut(at) {
            *b = rng.next() as u8;
        }
    }
    if rng.below(4) == 0 {
        m.truncate(rng.below(m.len()));
    }
    m
}

#[test]
fn mutated_layers_and_archives_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let img = test_image();
    let bases: Vec<Vec<u8>> = img
        .layers
        .iter()
        .flat_map(|l| [Comp::None, Comp::Gzip, Comp::Zstd].map(|c| compress(l, c)))
        .collect();
    for i in 0..3000 {
        fuzz_tar_layer(&mutate(&mut rng, &bases[i % bases.len()]));
    }

    // Whole archives: headers, manifest.json and config JSON get damaged too.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("image.tar");
    docker_archive_oci(&img, Comp::Gzip, &p);
    let base = std::fs::read(&p).expect("read");
    let target = dir.path().join("mutant.tar");
    let (mut opened, mut walked) = (0, 0);
    for _ in 0..300 {
        std::fs::write(&target, mutate(&mut rng, &base)).expect("write");
        if let Ok(a) = open(&target) {
            opened += 1;
            if walk(&a, &Limits::default(), &mut Record::default()).is_ok() {
                walked += 1;
            }
        }
    }
    // Damage to a tar header hides every later member, manifest.json (stored last)
    // included, so most mutants cannot be opened; every one that opens must walk.
    assert!(
        opened > 40 && walked == opened,
        "opened {opened}, walked {walked}"
    );
}

#[test]
fn long_names_use_gnu_extension_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = format!("usr/share/{}/file.txt", "d".repeat(150));
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(4);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, format!("./{long}"), &b"long"[..])
        .expect("append");
    let mut w = tar::Builder::new(Vec::new());
    let mut h2 = tar::Header::new_gnu();
    h2.set_size(0);
    h2.set_entry_type(tar::EntryType::Regular);
    w.append_data(
        &mut h2,
        format!("usr/share/{}/.wh.file.txt", "d".repeat(150)),
        &[][..],
    )
    .expect("append");
    let layers = vec![b.into_inner().expect("tar"), w.into_inner().expect("tar")];
    let a = open(&one_layer_image(dir.path(), layers)).expect("open");
    let got = collect(&a, &Limits::default(), |_| true).expect("walk");
    assert_eq!(got.files.len(), 1);
    assert_eq!(got.files[0].path, long);
    assert!(!got.files[0].visible);
    assert!(got.walk.index.is_empty());
    assert_eq!(got.walk.index.deleted().count(), 1);
}

#[test]
fn altered_layer_content_is_caught_by_its_diff_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("image.tar");
    docker_archive_legacy(&test_image(), &p);
    let mut bytes = std::fs::read(&p).expect("read");
    // Same size, so every tar header stays valid: only the digest can tell.
    let at = bytes
        .windows(7)
        .position(|w| w == b"tool v1")
        .expect("file data");
    bytes[at + 6] = b'9';
    std::fs::write(&p, &bytes).expect("write");
    let a = open(&p).expect("open");
    let got = collect(&a, &Limits::default(), |p| p == "usr/bin/tool").expect("walk");
    assert_eq!(got.files[0].data, b"tool v9");
    assert!(!got.walk.complete);
    let msgs = messages(&got.walk);
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(
        msgs[0].starts_with(&format!(
            "{}: layer 0 content does not match its diff_id (it hashes to sha256:",
            a.layers[0].digest
        )),
        "{}",
        msgs[0]
    );
}

#[test]
fn schema1_manifest_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = dir.path().join("layout");
    let manifest =
        br#"{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[{"blobSum":"sha256:00"}]}"#;
    let digest = sha(manifest);
    write_dir(
        &layout,
        &[
            ("oci-layout".into(), b"{}".to_vec()),
            (format!("blobs/sha256/{digest}"), manifest.to_vec()),
            (
                "index.json".into(),
                format!(r#"{{"manifests":[{{"digest":"sha256:{digest}"}}]}}"#).into_bytes(),
            ),
        ],
    );
    let err = open(&layout).expect_err("schema 1");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: manifest sha256:{digest} has no layers list (Docker schema 1 manifests are not supported)",
            layout.display()
        )
    );
}
