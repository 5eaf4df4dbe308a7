//! One multi-layer image (additions, changes, whiteouts, an opaque directory) written as a
//! Docker archive in both layouts, an OCI layout and an OCI archive: every form must give
//! the exact same final view, layer attribution and deleted-files view.

mod common;

use common::*;
use rampart_artifact::{
    Artifact, ArtifactKind, DeletedFile, DeletionReason, EntryKind, Limits, OpenOptions, Walk,
    collect, open, open_with, walk,
};

fn view(w: &Walk) -> Vec<(String, usize, String)> {
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
fn check(a: &Artifact) -> Vec<(String, usize, Vec<u8>, bool)> {
    assert_eq!(a.name, "rampart/test:1");
    let img = test_image();
    assert_eq!(a.digest, Some(format!("sha256:{}", sha(&img.config))));
    let digests: Vec<String> = a.layers.iter().map(|l| l.digest.clone()).collect();
    let diff_ids: Vec<String> = img.layers.iter().map(|l| format!("sha256:{}", sha(l))).collect();
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
    assert_eq!(c.labels.get("org.opencontainers.image.source").map(String::as_str), Some("https://example.invalid/app"));
    assert_eq!((c.os.as_deref(), c.architecture.as_deref()), (Some("linux"), Some("amd64")));
    assert_eq!(c.history.len(), 6);
    assert_eq!(c.history.iter().filter(|h| h.empty_layer).count(), 2);

    let got = collect(a, &Limits::default(), |_| true).expect("walk");
    let w = &got.walk;
    assert!(w.diagnostics.is_empty(), "{:?}", w.diagnostics);
    assert!(w.complete);
    assert_eq!(w.files_seen, 13);
    assert_eq!(view(w), expected_view());
    assert_eq!(w.index.deleted().cloned().collect::<Vec<_>>(), expected_deleted());
    assert!(w.index.is_visible("etc/passwd", 1));
    assert!(!w.index.is_visible("etc/passwd", 0));
    let files: Vec<(String, usize, Vec<u8>, bool)> = got
        .files
        .iter()
        .map(|f| (f.path.clone(), f.layer, f.data.clone(), f.visible))
        .collect();
    let summary: Vec<(&str, usize, bool)> = files.iter().map(|(p, l, _, v)| (p.as_str(), *l, *v)).collect();
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
    let key = files.iter().find(|f| f.0 == "secret/key.pem").expect("deleted key is visited");
    assert_eq!(key.2, b"-----BEGIN PRIVATE KEY-----\n");
    files
}

#[test]
fn docker_archive_legacy_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("image.tar");
    docker_archive_legacy(&test_image(), &p);
    let a = open(&p).expect("open");
    assert_eq!(a.kind, ArtifactKind::DockerArchive);
    assert_eq!(a.manifest_digest, None);
    let sizes: Vec<Option<u64>> = a.layers.iter().map(|l| l.size).collect();
    let img = test_image();
    assert_eq!(sizes, img.layers.iter().map(|l| Some(l.len() as u64)).collect::<Vec<_>>());
    check(&a);
}

#[test]
fn all_forms_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = test_image();
    let legacy = dir.path().join("legacy.tar");
    docker_archive_legacy(&img, &legacy);
    let reference = check(&open(&legacy).expect("open legacy"));

    for comp in [Comp::None, Comp::Gzip, Comp::Zstd] {
        let p = dir.path().join(format!("docker-oci-{comp:?}.tar"));
        docker_archive_oci(&img, comp, &p);
        let a = open(&p).expect("open docker oci");
        assert_eq!(a.kind, ArtifactKind::DockerArchive);
        assert_eq!(check(&a), reference, "docker archive (OCI inside, {comp:?})");
    }

    // Mixed compression in one image, as registries may serve it.
    let mixed = [Comp::Gzip, Comp::Zstd, Comp::None, Comp::Gzip];
    let files = oci_files(&img, &mixed, None);
    let layout = dir.path().join("layout");
    write_dir(&layout, &files);
    let a = open(&layout).expect("open layout");
    assert_eq!(a.kind, ArtifactKind::OciLayout);
    assert!(a.manifest_digest.as_deref().is_some_and(|d| d.starts_with("sha256:")));
    assert_eq!(check(&a), reference, "OCI layout");

    let archive = dir.path().join("oci.tar");
    write_tar(&archive, &files);
    let a = open(&archive).expect("open oci archive");
    assert_eq!(a.kind, ArtifactKind::OciArchive);
    assert_eq!(check(&a), reference, "OCI archive");
}

fn arm_image() -> Image {
    let layers = vec![layer_tar(&[E::Dir("etc/"), E::File("etc/arch", b"arm64\n")])];
    let config = config_json(&layers, &[("ADD arm", false)], "arm64");
    Image { layers, config }
}

#[test]
fn multi_platform_index_picks_linux_amd64_or_the_requested_platform() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = test_image();
    let arm = arm_image();
    let layout = dir.path().join("multi");
    write_dir(&layout, &oci_files(&img, &[Comp::Gzip; 4], Some(&arm)));
    let a = open(&layout).expect("open");
    check(&a);

    let opts = OpenOptions {
        platform: Some("linux/arm64".into()),
        ..OpenOptions::default()
    };
    let a = open_with(&layout, &opts).expect("open arm64");
    assert_eq!(a.config.as_ref().and_then(|c| c.architecture.as_deref()), Some("arm64"));
    assert_eq!(a.layers.len(), 1);
    let got = collect(&a, &Limits::default(), |_| true).expect("walk");
    assert_eq!(got.files.len(), 1);
    assert_eq!(got.files[0].data, b"arm64\n");

    let opts = OpenOptions {
        platform: Some("linux/s390x".into()),
        ..OpenOptions::default()
    };
    let a = open_with(&layout, &opts).expect("open s390x falls back");
    assert_eq!(a.config.as_ref().and_then(|c| c.architecture.as_deref()), Some("arm64"));
    assert_eq!(a.diagnostics.len(), 1);
    assert!(a.diagnostics[0].message.contains("none for linux/s390x"), "{}", a.diagnostics[0]);
}

#[test]
fn visitor_can_skip_files_and_files_are_capped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("image.tar");
    docker_archive_legacy(&test_image(), &p);
    let a = open(&p).expect("open");
    let limits = Limits {
        max_file_size: 4,
        ..Limits::default()
    };
    let got = collect(&a, &limits, |p| p.starts_with("etc/")).expect("walk");
    let files: Vec<(&str, usize, &[u8])> = got.files.iter().map(|f| (f.path.as_str(), f.layer, f.data.as_slice())).collect();
    assert_eq!(
        files,
        vec![("etc/passwd", 0, &b"root"[..]), ("etc/os-release", 0, b"ID=d"), ("etc/passwd", 1, b"root")]
    );
    assert_eq!(got.files[0].size, 30);
    assert_eq!(got.walk.files_seen, 13);
    let mut rec = Record::default();
    let w = walk(&a, &Limits::default(), &mut rec).expect("walk");
    assert_eq!(rec.files.len(), 13);
    assert_eq!(w.index.len(), 18);
}
