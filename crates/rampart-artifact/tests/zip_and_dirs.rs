//! Zip archives (Lambda packages) and directories, built here and taken from the shared
//! corpus.

mod common;

use common::*;
use rampart_artifact::{ArtifactKind, EntryKind, Limits, collect, open, walk};
use std::io::Write;

#[test]
fn zip_package_is_one_layer_of_files() {
    use zip::write::SimpleFileOptions;
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("function.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).expect("create"));
    let deflate = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.add_directory("lib/", stored).expect("dir");
    z.start_file("lambda_function.py", deflate.unix_permissions(0o755))
        .expect("file");
    z.write_all(b"def handler(event, context):\n    return 42\n")
        .expect("write");
    z.start_file("requirements.txt", deflate).expect("file");
    z.write_all(b"requests==2.31.0\n").expect("write");
    z.start_file("lib/dep.jar", stored).expect("file");
    z.write_all(b"PK\x05\x06nested archives are left to consumers")
        .expect("write");
    z.start_file("../escape.txt", deflate).expect("file");
    z.write_all(b"evil").expect("write");
    z.add_symlink("lib/current", "dep.jar", stored)
        .expect("symlink");
    z.finish().expect("finish");

    let a = open(&p).expect("open");
    assert_eq!(a.kind, ArtifactKind::Zip);
    assert_eq!(a.layers.len(), 1);
    let got = collect(&a, &Limits::default(), |_| true).expect("walk");
    let files: Vec<(&str, usize, bool)> = got
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.data.len(), f.visible))
        .collect();
    assert_eq!(
        files,
        vec![
            ("lambda_function.py", 43, true),
            ("requirements.txt", 17, true),
            ("lib/dep.jar", 41, true)
        ]
    );
    let view: Vec<(&str, EntryKind)> = got
        .walk
        .index
        .visible()
        .map(|(p, r)| (p, r.kind.clone()))
        .collect();
    assert_eq!(
        view,
        vec![
            ("lambda_function.py", EntryKind::File),
            ("lib", EntryKind::Dir),
            ("lib/current", EntryKind::Symlink("dep.jar".into())),
            ("lib/dep.jar", EntryKind::File),
            ("requirements.txt", EntryKind::File),
        ]
    );
    assert_eq!(
        got.walk
            .index
            .get("lambda_function.py")
            .map(|r| r.mode & 0o777),
        Some(0o755)
    );
    let msgs: Vec<String> = got.walk.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        msgs,
        vec!["../escape.txt: path climbs out of the root with '..'; skipped"]
    );
}

#[test]
fn zip_from_the_corpus_go_vulndb() {
    let Some(dir) = corpus("go-osv") else { return };
    let a = open(&dir.join("Go-all.zip")).expect("open Go-all.zip");
    assert_eq!(a.kind, ArtifactKind::Zip);
    let got = collect(&a, &Limits::default(), |p| p.ends_with(".json")).expect("walk");
    // `unzip -l Go-all.zip`: 4291 files, 7,891,321 bytes.
    assert_eq!(got.walk.files_seen, 4291);
    assert_eq!(got.files.len(), 4291);
    assert_eq!(
        got.files.iter().map(|f| f.data.len() as u64).sum::<u64>(),
        7_891_321
    );
    assert_eq!(got.walk.index.len(), 4291);
    assert!(
        got.walk.diagnostics.is_empty(),
        "{:?}",
        got.walk.diagnostics
    );
    let first = got
        .files
        .iter()
        .find(|f| f.path == "GO-2020-0001.json")
        .expect("GO-2020-0001");
    let doc: serde_json::Value = serde_json::from_slice(&first.data).expect("json");
    assert_eq!(doc["id"], "GO-2020-0001");
    assert_eq!(doc["aliases"][0], "CVE-2020-36567");
}

#[test]
fn directory_from_the_corpus_rustsec() {
    let Some(dir) = corpus("rustsec-osv") else {
        return;
    };
    let a = open(&dir).expect("open");
    assert_eq!(a.kind, ArtifactKind::Directory);
    let mut rec = Record::default();
    let w = walk(&a, &Limits::default(), &mut rec).expect("walk");
    // `find rustsec-osv -type f | wc -l` = 1208; one subdirectory, `crates`.
    assert_eq!(w.files_seen, 1208);
    assert_eq!(w.index.len(), 1209);
    assert_eq!(
        w.index.get("crates").map(|r| r.kind.clone()),
        Some(EntryKind::Dir)
    );
    // `find rustsec-osv -type f -printf '%s\n' | awk '{s+=$1} END {print s}'`
    assert_eq!(
        rec.files.iter().map(|f| f.2.len() as u64).sum::<u64>(),
        2_585_408
    );
    assert_eq!(w.bytes_read, 2_585_408);
    assert!(rec.files.iter().all(|f| f.1 == 0));
    assert!(w.diagnostics.is_empty() && w.complete);
}

#[test]
fn rootfs_is_detected_and_kernel_views_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write_dir(
        root,
        &[
            ("etc/os-release".into(), b"ID=alpine\n".to_vec()),
            ("proc/1/status".into(), b"not a file of the image".to_vec()),
            ("sys/kernel/x".into(), b"no".to_vec()),
            ("usr/lib/libz.so.1".into(), b"\x7fELF".to_vec()),
        ],
    );
    let a = open(root).expect("open");
    assert_eq!(a.kind, ArtifactKind::Rootfs);
    let got = collect(&a, &Limits::default(), |_| true).expect("walk");
    let paths: Vec<&str> = got.walk.index.visible().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        vec![
            "etc",
            "etc/os-release",
            "usr",
            "usr/lib",
            "usr/lib/libz.so.1"
        ]
    );
    assert_eq!(got.files.len(), 2);
}

#[test]
fn zip_bomb_member_is_cut_at_the_ratio_limit() {
    use zip::write::SimpleFileOptions;
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bomb.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).expect("create"));
    let deflate = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("zeros.bin", deflate).expect("file");
    z.write_all(&vec![0u8; 32 << 20]).expect("write");
    z.start_file("after.txt", deflate).expect("file");
    z.write_all(b"still read").expect("write");
    z.finish().expect("finish");
    let a = open(&p).expect("open");
    let limits = Limits {
        max_ratio: 100,
        ratio_grace: 1 << 20,
        ..Limits::default()
    };
    let got = collect(&a, &limits, |_| true).expect("walk");
    let msgs: Vec<String> = got.walk.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        msgs,
        vec![
            "zeros.bin: zip member expands more than 100:1 (decompression bomb?); the rest of it was skipped"
        ]
    );
    // The bomb is dropped, the next member is read.
    let files: Vec<&str> = got.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(files, vec!["after.txt"]);
    assert!(!got.walk.complete);
    // The member's whole compressed size (~32 KiB) is the denominator: it stops near
    // 100 x 32 KiB, far short of its 32 MiB.
    assert!(got.walk.bytes_read < 5 << 20, "{}", got.walk.bytes_read);
}
