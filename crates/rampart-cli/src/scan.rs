//! The scan pipeline: open the target, stream it once, build the inventory, fill the report.

use crate::cli::{Format, SbomArgs, ScanArgs, Scanner};
use crate::visit::InventoryVisitor;
use crate::vulndb::{self, VulnOptions};
use crate::{misconfig, output, progress, secrets, suppress};
use anyhow::{Context, Result, bail};
use rampart_artifact::{Artifact, ArtifactKind, Limits};
use rampart_inventory::collect::{self, InputFile};
use rampart_report::{Artifact as ReportArtifact, ImageConfigSummary, Layer, Report};
use std::path::Path;

/// What the user said the target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// `scan image`.
    Image,
    /// `scan rootfs`.
    Rootfs,
    /// `scan fs`.
    Fs,
    /// `scan config`.
    Config,
}

/// How to reach a registry, for `scan image REFERENCE`.
#[derive(Default, Clone)]
pub struct Pull {
    /// Plain HTTP.
    pub insecure: bool,
    /// User name.
    pub username: Option<String>,
    /// Password or token.
    pub password: Option<String>,
    /// Platform.
    pub platform: Option<String>,
}

/// Whether `s` reads as an image reference rather than a local path.
fn is_reference(s: &str) -> bool {
    !s.starts_with('/')
        && !s.starts_with('.')
        && (s.contains(':') || s.contains('/'))
        && !s.ends_with(".tar")
}

/// Open `path` as the kind the subcommand promises; image references are pulled into a
/// temporary layout that lives as long as the returned guard.
fn open_target(
    kind: TargetKind,
    path: &Path,
    pull: &Pull,
) -> Result<(Artifact, Option<rampart_artifact::registry::Pulled>)> {
    let text = path.to_string_lossy();
    if kind == TargetKind::Image && !path.exists() && is_reference(&text) {
        let opts = rampart_artifact::registry::PullOptions {
            insecure: pull.insecure,
            username: pull.username.clone(),
            password: pull.password.clone(),
            platform: pull.platform.clone(),
            ..Default::default()
        };
        let pulled = rampart_artifact::registry::pull(&text, &opts)?;
        return Ok((pulled.artifact.clone(), Some(pulled)));
    }
    Ok((open(kind, path)?, None))
}

/// Open `path` as the kind the subcommand promises.
fn open(kind: TargetKind, path: &Path) -> Result<Artifact> {
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    let artifact = match kind {
        TargetKind::Image => {
            let a = rampart_artifact::open(path)?;
            match a.kind {
                ArtifactKind::DockerArchive
                | ArtifactKind::OciLayout
                | ArtifactKind::OciArchive => a,
                other => bail!(
                    "{}: not a container image (found {other:?}); use `rampart scan fs` or `scan rootfs`",
                    path.display()
                ),
            }
        }
        TargetKind::Rootfs => rampart_artifact::open_as(path, ArtifactKind::Rootfs)?,
        TargetKind::Fs | TargetKind::Config => {
            if path.is_dir() {
                rampart_artifact::open_as(path, ArtifactKind::Directory)?
            } else {
                rampart_artifact::open(path)?
            }
        }
    };
    Ok(artifact)
}

fn report_kind(a: &Artifact) -> &'static str {
    match a.kind {
        ArtifactKind::DockerArchive | ArtifactKind::OciLayout | ArtifactKind::OciArchive => {
            "container_image"
        }
        ArtifactKind::Rootfs => "rootfs",
        ArtifactKind::Directory => "filesystem",
        ArtifactKind::Zip => "archive",
    }
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Inventory `path` into a report.
pub fn build_report(kind: TargetKind, path: &Path, quiet: bool) -> Result<Report> {
    build_report_with(kind, path, quiet, &Scanners::default())
}

/// Which scanners run beside the inventory.
#[derive(Default)]
pub struct Scanners<'a> {
    /// Vulnerabilities, with their options.
    pub vuln: Option<VulnOptions<'a>>,
    /// Misconfigurations, with the PSS version, custom policies and suppression display.
    pub misconfig: Option<misconfig::Options>,
    /// Registry access for image references.
    pub pull: Pull,
    /// Directories to leave out.
    pub skip_dirs: Vec<String>,
    /// Secrets.
    pub secrets: bool,
    /// Secrets in the git history of the scanned directory too (`scan fs --git-history`).
    pub git_history: bool,
    /// Malware: user YARA rule paths and indicator lists, beside the default rules.
    pub malware: Option<(Vec<std::path::PathBuf>, Vec<std::path::PathBuf>)>,
}

/// Inventory `path` and run the other scanners on the same single pass.
pub fn build_report_with(
    kind: TargetKind,
    path: &Path,
    quiet: bool,
    scanners: &Scanners<'_>,
) -> Result<Report> {
    if kind == TargetKind::Config && path.is_file() {
        return config_file_report(path, scanners);
    }
    let (artifact, _pulled) = open_target(kind, path, &scanners.pull)?;
    let pb = progress::spinner(quiet, &format!("reading {}", path.display()));
    // Executables are read whole for their embedded build info; big Go binaries pass 100 MiB.
    let limits = Limits {
        max_file_size: 256 << 20,
        ..Limits::default()
    };
    // Compiled before the walk, so a bad rule file fails fast; the visitor borrows it.
    let malware_rules = match &scanners.malware {
        Some((rules, iocs)) => Some(crate::malware::ruleset(rules, iocs)?),
        None => None,
    };
    let mut visitor =
        InventoryVisitor::new(scanners.misconfig.is_some(), kind == TargetKind::Config);
    visitor.skip_dirs = scanners.skip_dirs.clone();
    visitor.malware = malware_rules.as_ref().map(|r| r.scanner());
    if kind == TargetKind::Rootfs {
        // A live root: kernel and device pseudo-filesystems hold no packages, and some of
        // their files block on read.
        visitor
            .skip_dirs
            .extend(["proc", "sys", "dev"].map(String::from));
    }
    if scanners.secrets {
        visitor.secrets = Some(rampart_secrets::Scanner::new(
            &rampart_secrets::Config::default(),
        )?);
    }
    let walk = rampart_artifact::walk(&artifact, &limits, &mut visitor)
        .with_context(|| path.display().to_string())?;
    pb.finish_and_clear();
    let files: Vec<InputFile<'_>> = visitor
        .files
        .iter()
        .map(|f| InputFile {
            path: &f.path,
            data: &f.data,
            layer: f.layer,
            visible: walk.index.is_visible(&f.path, f.layer),
        })
        .collect();
    let is_image = report_kind(&artifact) == "container_image";
    let digests: Vec<String> = if is_image {
        artifact.layers.iter().map(|l| l.digest.clone()).collect()
    } else {
        Vec::new()
    };
    let mut inv = collect::inventory(&files, &digests);
    drop(files);
    inv.packages
        .extend(visitor.binary_packages(&walk.index, &digests));

    let kind_name = if kind == TargetKind::Config {
        "config"
    } else {
        report_kind(&artifact)
    };
    let mut ra = ReportArtifact::new(kind_name, path.display().to_string());
    ra.digest = artifact.digest.clone();
    ra.os = inv.os.clone();
    if is_image {
        ra.layers = artifact
            .layers
            .iter()
            .map(|l| Layer {
                digest: l.digest.clone(),
                created_by: l.created_by.clone(),
            })
            .collect();
    }
    if let Some(c) = &artifact.config {
        ra.image_config = Some(ImageConfigSummary {
            user: c.user.clone().filter(|u| !u.is_empty()),
            entrypoint: c.entrypoint.clone(),
            cmd: c.cmd.clone(),
            exposed_ports: c.exposed_ports.clone(),
            labels: c.labels.clone(),
        });
    }
    let mut report = Report::new(ra, now_rfc3339());
    if let Some(opts) = &scanners.vuln {
        report.vulnerabilities = vulndb::scan(&inv.packages, inv.os.as_ref(), opts)?;
    }
    if let Some(pss) = &scanners.misconfig {
        // Helm charts in a directory are rendered and their manifests checked instead of
        // the raw templates.
        let charts = if matches!(kind, TargetKind::Fs | TargetKind::Config) && path.is_dir() {
            crate::helm::render_under(path, &pss.helm, &|p| {
                let rel = p.strip_prefix(path).unwrap_or(p).to_string_lossy();
                visitor.skipped(&format!("{rel}/"))
            })?
        } else {
            crate::helm::Charts::default()
        };
        let mut files: Vec<(String, String)> = visitor
            .config_files
            .iter()
            .filter(|f| walk.index.is_visible(&f.path, f.layer))
            .filter(|f| !charts.covers(&f.path))
            .map(|f| {
                (
                    f.path.clone(),
                    String::from_utf8_lossy(&f.data).into_owned(),
                )
            })
            .collect();
        files.extend(charts.rendered);
        let (found, diags) = misconfig::scan(&files, pss)?;
        report.misconfigurations = found;
        report.diagnostics.extend(diags);
        report.diagnostics.extend(charts.diagnostics);
        if let Some(c) = &artifact.config {
            report.misconfigurations.extend(misconfig::image_config(c));
        }
    }
    report.packages = inv.packages;
    if visitor.secrets.is_some() {
        let found = secrets::collect(
            &mut visitor,
            &walk.index,
            &digests,
            artifact.config.as_ref(),
        );
        report.secrets = found.secrets;
        if scanners.git_history
            && let Some(scanner) = visitor.secrets.as_ref()
        {
            let skipped = |p: &str| visitor.skipped(p);
            let (history, diags) = secrets::git_history(path, scanner, &skipped)?;
            secrets::merge_history(&mut report.secrets, history);
            report.diagnostics.extend(diags);
        }
        for (i, l) in report.artifact.layers.iter_mut().enumerate() {
            if let Some(masked) = found.masked_steps.get(&i) {
                l.created_by = Some(masked.clone());
            }
        }
        if let (Some(masked), Some(ic)) =
            (found.masked_labels, report.artifact.image_config.as_mut())
        {
            ic.labels = masked;
        }
    }
    if visitor.malware.is_some() {
        let (found, diags) = crate::malware::collect(&mut visitor, &walk.index, &digests);
        report.malware = found;
        report.diagnostics.extend(diags);
    }
    report.diagnostics.extend(walk.diagnostics);
    report.diagnostics.extend(inv.diagnostics);
    report.diagnostics.extend(visitor.diagnostics);
    report.finish();
    Ok(report)
}

/// `rampart scan …`.
pub fn scan(kind: TargetKind, args: &ScanArgs) -> Result<u8> {
    misconfig::set_file_patterns(&args.file_patterns);
    let unsupported: Vec<&Scanner> = args
        .scanners
        .iter()
        .filter(|s| {
            !matches!(
                s,
                Scanner::Vuln | Scanner::Misconfig | Scanner::Secret | Scanner::Malware
            )
        })
        .collect();
    if !unsupported.is_empty() {
        bail!(
            "scanners {unsupported:?} are not available in this build; available: vuln, misconfig, secret, malware"
        );
    }
    if args.git_history
        && (kind != TargetKind::Fs
            || (!args.scanners.is_empty() && !args.scanners.contains(&Scanner::Secret)))
    {
        bail!("--git-history applies to `scan fs` with the secret scanner");
    }
    // Defaults: `scan config` checks configuration only; the others match vulnerabilities
    // (when a database exists) and check configuration files they meet when asked.
    let explicit = !args.scanners.is_empty();
    let want = |s: Scanner| args.scanners.contains(&s);
    let vuln =
        (kind != TargetKind::Config && (!explicit || want(Scanner::Vuln))).then(|| VulnOptions {
            db: args.db.as_deref(),
            required: want(Scanner::Vuln),
            ignore_unfixed: args.ignore_unfixed,
            show_suppressed: args.show_suppressed,
            max_age_days: args.db_max_age_days,
            quiet: args.output.quiet,
        });
    let misconfig =
        (kind == TargetKind::Config || want(Scanner::Misconfig) || !args.policy.is_empty())
            .then(|| misconfig::Options::from_args(args))
            .transpose()?;
    let pull = Pull {
        insecure: args.insecure,
        username: args.username.clone(),
        password: args.password.clone(),
        platform: args.platform.clone(),
    };
    // Rule files or indicator lists ask for the malware scan unless scanners are named.
    let malware_implied = !explicit && (!args.yara_rules.is_empty() || !args.ioc_files.is_empty());
    let scanners = Scanners {
        vuln,
        misconfig,
        pull,
        skip_dirs: args.skip_dirs.clone(),
        secrets: kind != TargetKind::Config && (!explicit || want(Scanner::Secret)),
        git_history: args.git_history,
        malware: (kind != TargetKind::Config && (want(Scanner::Malware) || malware_implied))
            .then(|| (args.yara_rules.clone(), args.ioc_files.clone())),
    };
    let mut report = build_report_with(kind, &args.target, args.output.quiet, &scanners)?;
    apply_suppressions(&mut report, args)?;
    if let Some(framework) = &args.compliance {
        let c = misconfig::compliance(framework, &mut report.misconfigurations)?;
        let failed = c.controls.iter().any(|x| x.status == "FAIL");
        report.compliance = Some(c);
        report.finish();
        emit(&report, args)?;
        return Ok(if failed {
            args.exit_code.clamp(0, 255) as u8
        } else {
            0
        });
    }
    if !args.severity.is_empty() {
        report
            .vulnerabilities
            .retain(|v| args.severity.contains(&v.severity));
        report
            .misconfigurations
            .retain(|m| args.severity.contains(&m.severity));
        report
            .secrets
            .retain(|s| args.severity.contains(&s.severity));
        report.finish();
    }
    emit(&report, args)?;
    // Suppressed findings (kept by `--show-suppressed`) never fail the gate.
    let findings = report
        .vulnerabilities
        .iter()
        .filter(|v| v.suppressed.is_none())
        .count()
        + report
            .misconfigurations
            .iter()
            .filter(|m| m.suppressed.is_none())
            .count()
        + report
            .secrets
            .iter()
            .filter(|s| s.suppressed.is_none())
            .count()
        + report.malware.len();
    Ok(if findings > 0 {
        args.exit_code.clamp(0, 255) as u8
    } else {
        0
    })
}

/// Write the report: to `--output FILE` when given, else to stdout unless `--quiet`
/// (which prints nothing but errors; the exit code carries the verdict).
fn emit(report: &Report, args: &ScanArgs) -> Result<()> {
    let to = args.output.output.as_deref();
    if to.is_none() && args.output.quiet {
        return Ok(());
    }
    output::write(&output::render(report, args.output.format)?, to)
}

/// Apply `--vex` documents and the ignore file.
fn apply_suppressions(report: &mut Report, args: &ScanArgs) -> Result<()> {
    let mut entries = Vec::new();
    for v in &args.vex {
        entries.extend(suppress::read_vex(v)?);
    }
    let ignorefile = match &args.ignorefile {
        Some(p) => Some(p.clone()),
        None => [
            args.target.join(".rampartignore"),
            Path::new(".rampartignore").to_path_buf(),
        ]
        .into_iter()
        .find(|p| p.is_file()),
    };
    if let Some(p) = ignorefile {
        entries.extend(suppress::read_ignore_file(&p)?);
    }
    if entries.is_empty() {
        return Ok(());
    }
    let today = now_rfc3339().chars().take(10).collect::<String>();
    suppress::apply(report, &entries, &today, args.show_suppressed);
    report.finish();
    Ok(())
}

/// `rampart sbom …`.
pub fn sbom(args: &SbomArgs) -> Result<u8> {
    let kind = if args.target.is_dir() && looks_like_rootfs(&args.target) {
        TargetKind::Rootfs
    } else if args.target.is_dir() && !is_oci_layout(&args.target) {
        TargetKind::Fs
    } else {
        TargetKind::Image
    };
    let report = build_report(kind, &args.target, args.quiet)?;
    let format: Format = args.format.into();
    let text = output::render(&report, format)?;
    output::write(&text, args.output.as_deref())?;
    Ok(0)
}

/// `scan config FILE`: one configuration file.
fn config_file_report(path: &Path, scanners: &Scanners<'_>) -> Result<Report> {
    let text = std::fs::read(path).with_context(|| path.display().to_string())?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let opts = scanners
        .misconfig
        .clone()
        .unwrap_or_else(|| misconfig::Options {
            pss_version: "latest".into(),
            ..Default::default()
        });
    let mut charts = crate::helm::Charts::default();
    let files = if rampart_helm::is_chart_archive(path) {
        charts = crate::helm::render_under(path, &opts.helm, &|_| false)?;
        std::mem::take(&mut charts.rendered)
    } else if misconfig::classify(&name).is_none() {
        bail!(
            "{}: not a configuration file rampart reads (Kubernetes YAML/JSON, Dockerfile, Terraform, compose)",
            path.display()
        );
    } else {
        vec![(name, String::from_utf8_lossy(&text).into_owned())]
    };
    let (found, mut diags) = misconfig::scan(&files, &opts)?;
    diags.append(&mut charts.diagnostics);
    let mut report = Report::new(
        ReportArtifact::new("config", path.display().to_string()),
        now_rfc3339(),
    );
    report.misconfigurations = found;
    report.diagnostics = diags;
    report.finish();
    Ok(report)
}

fn is_oci_layout(p: &Path) -> bool {
    p.join("oci-layout").is_file()
}

fn looks_like_rootfs(p: &Path) -> bool {
    [
        "etc/os-release",
        "usr/lib/os-release",
        "var/lib/dpkg/status",
        "lib/apk/db/installed",
    ]
    .iter()
    .any(|f| p.join(f).exists())
}
