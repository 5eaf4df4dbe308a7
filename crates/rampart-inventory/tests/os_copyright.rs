//! Licences from the Debian copyright files in the corpus (DEP-5 and free-form).

use rampart_inventory::os::parse_dpkg_copyright;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn licenses(rel: &str) -> Option<Vec<String>> {
    let p = Path::new(CORPUS).join("os-pkgdb-fixtures").join(rel);
    match std::fs::read(&p) {
        Ok(d) => Some(parse_dpkg_copyright(&d)),
        Err(e) => {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "{}: {e} (CI=true)",
                p.display()
            );
            eprintln!("note: {} missing; test skipped", p.display());
            None
        }
    }
}

#[test]
fn corpus_copyright_files() {
    let cases: &[(&str, &[&str])] = &[
        // Free-form, references to common-licenses only.
        ("syft/debian/copyright/libc6", &["LGPL-2.1", "GPL-2"]),
        ("trivy/dpkg/common-license-copyright", &["GPL-2"]),
        // DEP-5 with an `or` expression and stand-alone licence paragraphs.
        (
            "syft/debian/copyright/trilicense",
            &["MPL-1.1", "GPL-2", "LGPL-2.1"],
        ),
        (
            "syft/debian/copyright/libaudit-common",
            &["GPL-2", "LGPL-2.1", "GPL-1"],
        ),
        (
            "trivy/dpkg/license-pattern-and-classifier-copyright",
            &["GPL-1+", "Artistic", "BSD-4-clause-POWERDOG", "Zlib"],
        ),
        ("trivy/dpkg/all-patterns-copyright", &["GPLv2+", "GPL-2"]),
        // Prose after `License:` (zlib's notice) is not taken for a licence name.
        (
            "syft/debian/copyright/python",
            &[
                "Expat",
                "PSF-2",
                "Apache-2",
                "Apache-2.0",
                "Python",
                "ISC",
                "Apache",
                "LGPL-2.1+",
                "GPL-2",
            ],
        ),
        (
            "syft/debian/copyright/liblzma5",
            &[
                "PD",
                "probably-PD",
                "GPL-2+",
                "LGPL-2.1+",
                "permissive-fsf",
                "Autoconf",
                "GPL-2",
                "none",
                "permissive-nowarranty",
                "config-h",
                "noderivs",
                "PD-debian",
                "LGPL-2",
                "LGPL-2.1",
                "GPL-3",
            ],
        ),
        // No declared licence: nothing is guessed from the prose.
        ("syft/debian/copyright/cuda", &[]),
        ("syft/debian/copyright/microsoft", &[]),
        ("syft/debian/copyright/dev-kit", &[]),
        ("trivy/dpkg/no-license-copyright", &[]),
    ];
    for (rel, want) in cases {
        let Some(got) = licenses(rel) else { return };
        assert_eq!(got, *want, "{rel}");
    }
}
