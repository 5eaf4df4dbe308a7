//! One multi-layer image (additions, changes, whiteouts, an opaque directory) written as a
//! Docker archive in both layouts, an OCI layout and an OCI archive: every form must give
//! the exact same final view, layer attribution and deleted-files view.

mod common;

use common::*;
use rampart_artifact::{ArtifactKind, Limits, OpenOptions, collect, open, open_with, walk};

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
    assert_eq!(
        sizes,
        img.layers
            .iter()
            .map(|l| Some(l.len() as u64))
            .collect::<Vec<_>>()
    );
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
        assert_eq!(
            check(&a),
            reference,
            "docker archive (OCI inside, {comp:?})"
        );
    }

    // Mixed compression in one image, as registries may serve it.
    let mixed = [Comp::Gzip, Comp::Zstd, Comp::None, Comp::Gzip];
    let files = oci_files(&img, &mixed, None);
    let layout = dir.path().join("layout");
    write_dir(&layout, &files);
    let a = open(&layout).expect("open layout");
    assert_eq!(a.kind, ArtifactKind::OciLayout);
    assert!(
        a.manifest_digest
            .as_deref()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    assert_eq!(check(&a), reference, "OCI layout");

    let archive = dir.path().join("oci.tar");
    write_tar(&archive, &files);
    let a = open(&archive).expect("open oci archive");
    assert_eq!(a.kind, ArtifactKind::OciArchive);
    assert_eq!(check(&a), reference, "OCI archive");
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
    assert_eq!(
        a.config.as_ref().and_then(|c| c.architecture.as_deref()),
        Some("arm64")
    );
    assert_eq!(a.layers.len(), 1);
    let got = collect(&a, &Limits::default(), |_| true).expect("walk");
    assert_eq!(got.files.len(), 1);
    assert_eq!(got.files[0].data, b"arm64\n");

    let opts = OpenOptions {
        platform: Some("linux/s390x".into()),
        ..OpenOptions::default()
    };
    let a = open_with(&layout, &opts).expect("open s390x falls back");
    assert_eq!(
        a.config.as_ref().and_then(|c| c.architecture.as_deref()),
        Some("arm64")
    );
    assert_eq!(a.diagnostics.len(), 1);
    assert!(
        a.diagnostics[0].message.contains("none for linux/s390x"),
        "{}",
        a.diagnostics[0]
    );
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
    let files: Vec<(&str, usize, &[u8])> = got
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.layer, f.data.as_slice()))
        .collect();
    assert_eq!(
        files,
        vec![
            ("etc/passwd", 0, &b"root"[..]),
            ("etc/os-release", 0, b"ID=d"),
            ("etc/passwd", 1, b"root")
        ]
    );
    assert_eq!(got.files[0].size, 30);
    assert_eq!(got.walk.files_seen, 13);
    let mut rec = Record::default();
    let w = walk(&a, &Limits::default(), &mut rec).expect("walk");
    assert_eq!(rec.files.len(), 13);
    assert_eq!(w.index.len(), 18);
}

#[test]
fn compressed_archives_are_streamed_without_extraction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = test_image();
    let legacy = dir.path().join("legacy.tar");
    docker_archive_legacy(&img, &legacy);
    let reference = check(&open(&legacy).expect("open legacy"));

    // `docker save | gzip`: layers in manifest order.
    let gz = dir.path().join("legacy.tar.gz");
    std::fs::write(
        &gz,
        compress(&std::fs::read(&legacy).expect("read"), Comp::Gzip),
    )
    .expect("write");
    let a = open(&gz).expect("open gz");
    assert_eq!(a.kind, ArtifactKind::DockerArchive);
    assert_eq!(check(&a), reference, "gzip docker archive");

    // Docker 25+ stores blobs by digest, so layers come out of order: several passes.
    let oci_inside = dir.path().join("docker-oci.tar");
    docker_archive_oci(&img, Comp::Gzip, &oci_inside);
    let zst = dir.path().join("docker-oci.tar.zst");
    std::fs::write(
        &zst,
        compress(&std::fs::read(&oci_inside).expect("read"), Comp::Zstd),
    )
    .expect("write");
    let a = open(&zst).expect("open zst");
    assert_eq!(a.kind, ArtifactKind::DockerArchive);
    assert_eq!(check(&a), reference, "zstd docker archive with OCI blobs");

    let oci = dir.path().join("oci.tar");
    write_tar(&oci, &oci_files(&img, &[Comp::Zstd; 4], Some(&arm_image())));
    let oci_gz = dir.path().join("oci.tar.gz");
    std::fs::write(
        &oci_gz,
        compress(&std::fs::read(&oci).expect("read"), Comp::Gzip),
    )
    .expect("write");
    let a = open(&oci_gz).expect("open oci gz");
    assert_eq!(a.kind, ArtifactKind::OciArchive);
    assert_eq!(check(&a), reference, "gzip OCI archive");
}
