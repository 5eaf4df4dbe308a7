//! Command-line arguments. Every subcommand and flag is declared here, once.

use clap::{Args, Parser, Subcommand, ValueEnum};
use rampart_core::Severity;
use std::path::PathBuf;

/// rampart: find what is inside your images and source trees, and what is wrong with it.
///
/// Scans container images, root filesystems and source trees for packages (SBOM),
/// vulnerabilities, misconfigurations, secrets and malware. Runs offline on its embedded
/// defaults.
#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan an image, a root filesystem, a source tree or configuration files.
    #[command(subcommand)]
    Scan(Box<ScanCommand>),
    /// Write a software bill of materials (CycloneDX or SPDX) for an image or directory.
    Sbom(SbomArgs),
    /// Run Falco and Sigma rules over events: Kubernetes audit logs, CloudTrail files,
    /// rampart's event JSON lines (sensor recordings) or any JSON lines, from files or stdin.
    Detect(DetectArgs),
    /// Watch this Linux host with eBPF (root, kernel BTF) and run Falco and Sigma rules on
    /// its process, file and network events until SIGINT/SIGTERM; alerts as `detect`'s.
    Sensor(SensorArgs),
    /// Build, update or inspect the vulnerability database.
    #[command(subcommand)]
    Db(DbCommand),
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `rampart rules …`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Load Falco and Sigma rule files and report, per rule, whether it compiled and which
    /// fields or operators it lacks.
    Check(RulesCheckArgs),
    /// List every built-in rule with its id, severity, title and the controls it maps to.
    List {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = StatusFormat::Table)]
        format: StatusFormat,
    },
}

/// Flags of `rampart rules check`.
#[derive(Debug, Args)]
pub struct RulesCheckArgs {
    /// Rule files or directories (Falco and Sigma, told apart by content).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format: a table, or one JSON object per rule.
    #[arg(long, short, value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
    /// Exit 2 when any rule is unsupported or invalid.
    #[arg(long)]
    pub strict: bool,
}

/// Flags of `rampart detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Rule files or directories (Falco and Sigma, told apart by content).
    #[arg(long, required = true, num_args = 1..)]
    pub rules: Vec<PathBuf>,
    /// Event files (stdin when none).
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub alerts: AlertArgs,
    /// What the events are; `auto` recognizes Kubernetes audit events and CloudTrail files.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
    /// Print counts of events, alerts per rule and time on stderr.
    #[arg(long)]
    pub stats: bool,
    /// Fail when any rule is invalid.
    #[arg(long)]
    pub strict: bool,
    /// Print nothing but alerts and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Receive Kubernetes audit events from the API server's webhook backend on ADDR
    /// (`127.0.0.1:8765`) instead of reading files or stdin.
    #[arg(long, value_name = "ADDR", conflicts_with = "inputs")]
    pub listen: Option<String>,
    /// TLS certificate chain (PEM) for --listen: serve HTTPS.
    #[arg(long, value_name = "FILE", requires_all = ["listen", "tls_key"])]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) for --listen.
    #[arg(long, value_name = "FILE", requires_all = ["listen", "tls_cert"])]
    pub tls_key: Option<PathBuf>,
}

/// Alert outputs and noise control, shared by `rampart detect` and `rampart sensor`.
#[derive(Debug, Args)]
pub struct AlertArgs {
    /// Alert format: Falco-style text lines or Falco's JSON alert shape.
    #[arg(long, short, value_enum, default_value_t = DetectFormat::Text)]
    pub format: DetectFormat,
    /// Suppress an alert when the same rule raised one with the same key within DURATION
    /// (`30s`, `5m`, `1h`; event time). Suppressed counts are reported.
    #[arg(long, value_name = "DURATION", value_parser = rampart_detect::noise::parse_duration)]
    pub dedup_window: Option<std::time::Duration>,
    /// The de-duplication key: output fields, or `rule`, `priority`, `source`, `hostname`,
    /// `output` (default: the rule and all its output fields but the event time).
    #[arg(
        long,
        value_name = "FIELD,...",
        value_delimiter = ',',
        requires = "dedup_window"
    )]
    pub dedup_key: Vec<String>,
    /// At most N alerts per rule per DURATION (`10/1m`); the rest are counted.
    #[arg(long, value_name = "N/DURATION")]
    pub rate_limit: Option<rampart_detect::noise::RateLimit>,
    /// Also append every alert to FILE as JSON lines.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Also POST every alert to URL (retried with backoff; failures are counted).
    #[arg(long, value_name = "URL")]
    pub webhook: Vec<String>,
    /// Webhook payload: Falco's JSON alert or a Slack-compatible message.
    #[arg(long, value_enum, default_value_t = WebhookFormatArg::Falco)]
    pub webhook_format: WebhookFormatArg,
    /// Also send every alert as an RFC 5424 syslog message to udp://HOST:PORT or
    /// tcp://HOST:PORT.
    #[arg(long, value_name = "URL")]
    pub syslog: Vec<rampart_detect::output::SyslogTarget>,
}

/// Webhook payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WebhookFormatArg {
    /// Falco's JSON alert.
    Falco,
    /// `{"text": ..., "attachments": [...]}` for Slack incoming webhooks.
    Slack,
}

/// Flags of `rampart sensor`.
#[derive(Debug, Args)]
pub struct SensorArgs {
    /// Rule files or directories (Falco and Sigma, told apart by content).
    #[arg(long, required = true, num_args = 1..)]
    pub rules: Vec<PathBuf>,
    #[command(flatten)]
    pub alerts: AlertArgs,
    /// Where events come from: eBPF, falling back to the netlink process connector
    /// (exec, fork and exit only) when eBPF cannot load (`auto`), or one of them only.
    #[arg(long, value_enum, default_value_t = SensorSource::Auto)]
    pub source: SensorSource,
    /// Also write every event as JSON lines to FILE (replay with `rampart detect`).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Write network flows (connect/accept summarized per process, container, pod and
    /// destination, with counts and first/last seen) to FILE as JSON lines, rewritten
    /// every --flows-interval and at exit.
    #[arg(long, value_name = "FILE")]
    pub flows: Option<PathBuf>,
    /// How often --flows is rewritten.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = rampart_detect::noise::parse_duration)]
    pub flows_interval: std::time::Duration,
    /// Baseline of known flows: with --learn, written from the flows seen; without it,
    /// a flow not in it raises "Connection never seen before".
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Learn the baseline for DURATION (`10m`), write it to --baseline and stop.
    #[arg(long, value_name = "DURATION", requires = "baseline", value_parser = rampart_detect::noise::parse_duration)]
    pub learn: Option<std::time::Duration>,
    /// Kubelet base URL (`http://127.0.0.1:10255`): pod name, namespace and labels of
    /// containers from its `/pods` endpoint.
    #[arg(long, value_name = "URL")]
    pub kubelet: Option<String>,
    /// Bearer token file for --kubelet (a service account token).
    #[arg(long, value_name = "FILE", requires = "kubelet")]
    pub kubelet_token: Option<PathBuf>,
    /// How often the kubelet's pod list is fetched again.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = rampart_detect::noise::parse_duration)]
    pub kubelet_refresh: std::time::Duration,
    /// Serve Prometheus counters (events, drops, matches) on this loopback address.
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
    /// Stop after this many seconds (default: run until SIGINT/SIGTERM).
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Fail when any rule is invalid.
    #[arg(long)]
    pub strict: bool,
    /// Pass every open(2) to user space instead of skipping, in the kernel, the opens no
    /// loaded Falco rule can match (by path prefix, substring and process name).
    #[arg(long)]
    pub no_open_filter: bool,
    /// Print nothing but alerts and errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Event sources of `rampart sensor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SensorSource {
    /// eBPF, else the netlink process connector.
    Auto,
    /// eBPF only.
    Ebpf,
    /// The netlink process connector only (exec, fork, exit).
    Netlink,
}

/// Alert formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DetectFormat {
    /// One Falco-style line per alert.
    Text,
    /// One JSON alert per line, in Falco's shape.
    Json,
}

/// Event input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Recognize by content.
    Auto,
    /// rampart event JSON lines.
    Rampart,
    /// Kubernetes audit events.
    K8sAudit,
    /// CloudTrail files.
    Cloudtrail,
    /// Any JSON lines.
    Jsonl,
}

/// `rampart db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Build the database from feed files: OSV records (files, directories or `all.zip`),
    /// the Debian Security Tracker JSON, Alpine secdb JSON and NVD CVE JSON. The format of
    /// each file is recognised by its content. The previous database stays untouched unless
    /// the import succeeds.
    Import {
        /// Feed files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Database file (default: under the user's cache directory).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Download the feeds from their official locations (or a mirror) and rebuild the
    /// database: OSV per ecosystem (`all.zip`), the Debian Security Tracker JSON and Alpine
    /// secdb. The previous database stays untouched unless the update succeeds.
    Update {
        /// Database file (default: under the user's cache directory).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Fetch every feed from this base URL instead, laid out as
        /// `osv/<Ecosystem>/all.zip`, `debian/json`, `alpine/v<branch>/<repo>.json`
        /// (for air-gapped networks).
        #[arg(long, env = "RAMPART_DB_MIRROR")]
        mirror: Option<String>,
        /// OSV ecosystems to fetch, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = crate::update::DEFAULT_OSV.iter().map(|s| s.to_string()))]
        osv: Vec<String>,
        /// Alpine branches to fetch, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = crate::update::DEFAULT_ALPINE.iter().map(|s| s.to_string()))]
        alpine: Vec<String>,
        /// Skip the Debian Security Tracker JSON.
        #[arg(long)]
        no_debian: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Show the database's sources, record counts, build time and age.
    Status {
        /// Database file.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = StatusFormat::Table)]
        format: StatusFormat,
    },
}

/// Formats of `db status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// Text.
    Table,
    /// JSON.
    Json,
}

/// What `rampart scan` scans.
#[derive(Debug, Subcommand)]
pub enum ScanCommand {
    /// A container image: a `docker save` tar, an OCI archive tar, an OCI layout directory, or
    /// a reference to pull from a registry (`registry.example:5000/team/app:1.2`).
    Image(ScanArgs),
    /// A root filesystem directory (an unpacked image or a VM's disk).
    Rootfs(ScanArgs),
    /// A source tree or any directory (or a zip such as a Lambda function package).
    Fs(ScanArgs),
    /// Configuration files only: Kubernetes manifests (YAML/JSON, cluster dumps),
    /// Dockerfiles, Terraform, docker-compose files, in a directory or one file; with
    /// `--policy`, custom Rego policies too.
    Config(ScanArgs),
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// rampart's JSON report (schemas/report.schema.json).
    Json,
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    SpdxJson,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
}

/// Scanners a scan can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scanner {
    /// Known vulnerabilities in packages.
    Vuln,
    /// Misconfigurations.
    Misconfig,
    /// Secrets.
    Secret,
    /// Malware.
    Malware,
}

/// Flags shared by the scan commands.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The image archive, layout directory or directory to scan.
    pub target: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Scanners to run, comma-separated. The package inventory always runs.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub scanners: Vec<Scanner>,
    /// Only report findings of these severities (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = parse_severity)]
    pub severity: Vec<Severity>,
    /// Exit with this code when any reported finding remains.
    #[arg(long, default_value_t = 0)]
    pub exit_code: i32,
    /// Vulnerability database file (default: under the user's cache directory).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Never touch the network (scans never do; the flag is accepted for scripts).
    #[arg(long)]
    pub offline: bool,
    /// Hide vulnerabilities that have no fixed version yet.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Also report suppressed findings, marked with why: vulnerabilities the distro trackers
    /// mark not-affected, no-dsa or ignored, and those `--vex` or the ignore file covers;
    /// misconfigurations under a `rampart:ignore` comment or an ignore-file entry; secrets
    /// under an ignore-file entry. They never fail `--exit-code`.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Warn when the database is older than this many days.
    #[arg(long, default_value_t = 7)]
    pub db_max_age_days: u64,
    /// Directories to leave out (globs relative to the target; `**` crosses directories).
    /// `.git` is always left out.
    #[arg(long, value_delimiter = ',')]
    pub skip_dirs: Vec<String>,
    /// Pull over plain HTTP (a registry on loopback or a trusted network).
    #[arg(long)]
    pub insecure: bool,
    /// Registry user name (with `--password`, for basic auth or to obtain a token).
    #[arg(long, env = "RAMPART_USERNAME")]
    pub username: Option<String>,
    /// Registry password or access token.
    #[arg(long, env = "RAMPART_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Platform to pick from a multi-platform image (`linux/arm64`).
    #[arg(long)]
    pub platform: Option<String>,
    /// OpenVEX documents: `not_affected` and `fixed` statements suppress their findings.
    #[arg(long)]
    pub vex: Vec<PathBuf>,
    /// Suppressions file (default: `.rampartignore` in the scanned directory, else in the
    /// current directory).
    #[arg(long)]
    pub ignorefile: Option<PathBuf>,
    /// Check only the controls of this framework and report pass/fail per control:
    /// k8s-pss-baseline, k8s-pss-restricted, k8s-nsa, k8s-cis, docker-cis.
    #[arg(long)]
    pub compliance: Option<String>,
    /// Pod Security Standards version to evaluate (`v1.N` or `latest`), as the admission
    /// controller's `enforce-version` label would.
    #[arg(long, default_value = "latest")]
    pub pss_version: String,
    /// Rego policy files or directories, conftest-style (`deny`, `violation`, `warn` rules);
    /// repeatable. See examples/policies.
    #[arg(long, value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// Data documents for the policies (JSON/YAML files or directories); repeatable.
    #[arg(long, value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Policy namespaces (packages) to evaluate; repeatable (default: main).
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Vec<String>,
    /// Evaluate the policies of every namespace.
    #[arg(long)]
    pub all_namespaces: bool,
    /// YARA rule file, or directory searched for `*.yar`/`*.yara`, run beside the default
    /// malware rules (repeatable; implies `--scanners malware` when no scanner is named).
    #[arg(long = "yara-rules", value_name = "PATH")]
    pub yara_rules: Vec<PathBuf>,
    /// SHA-256 indicator list for the malware scanner: one hash per line, optionally
    /// followed by a name (repeatable; implies `--scanners malware` when no scanner is named).
    #[arg(long = "ioc-file", value_name = "FILE")]
    pub ioc_files: Vec<PathBuf>,
    /// `scan fs` of a git repository: also scan every blob reachable from its refs for
    /// secrets, each reported with the commit that added it.
    #[arg(long)]
    pub git_history: bool,
    /// Read files whose path (relative to the target) matches REGEX as configuration of
    /// TYPE, whatever their name: `dockerfile`, `kubernetes` (or `yaml`, `json`),
    /// `terraform`, `terraformplan-json`, `compose`. Repeatable, as Trivy's flag
    /// (`--file-patterns dockerfile:Customfile`).
    #[arg(long, value_name = "TYPE:REGEX", value_parser = crate::misconfig::FilePattern::parse)]
    pub file_patterns: Vec<crate::misconfig::FilePattern>,
    /// Helm charts (a directory with `Chart.yaml`, or a packaged `.tgz`) are rendered before
    /// they are checked: extra values files, in order, as `helm template -f`.
    #[arg(long = "helm-values", value_name = "FILE")]
    pub helm_values: Vec<PathBuf>,
    /// Values for rendering Helm charts, as `helm template --set a.b=c,d=e`.
    #[arg(long = "helm-set", value_name = "KEY=VALUE")]
    pub helm_set: Vec<String>,
    /// String values for rendering Helm charts, as `helm template --set-string`.
    #[arg(long = "helm-set-string", value_name = "KEY=VALUE")]
    pub helm_set_string: Vec<String>,
    /// Kubernetes version charts see in `.Capabilities.KubeVersion` (default v1.31.0).
    #[arg(long = "helm-kube-version", value_name = "VERSION")]
    pub helm_kube_version: Option<String>,
    /// Extra API versions charts see in `.Capabilities.APIVersions`.
    #[arg(
        long = "helm-api-versions",
        value_name = "GROUP/VERSION",
        value_delimiter = ','
    )]
    pub helm_api_versions: Vec<String>,
}

/// Flags of `rampart sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The image archive, layout directory or directory to inventory.
    pub target: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub format: SbomFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Print nothing but errors on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// SBOM formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    SpdxJson,
    /// rampart's JSON report.
    Json,
    /// Aligned text.
    Table,
}

impl From<SbomFormat> for Format {
    fn from(f: SbomFormat) -> Format {
        match f {
            SbomFormat::Cyclonedx => Format::Cyclonedx,
            SbomFormat::SpdxJson => Format::SpdxJson,
            SbomFormat::Json => Format::Json,
            SbomFormat::Table => Format::Table,
        }
    }
}

/// Where and how results are written.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Print nothing but errors: no progress, no warnings and no report on stdout (the
    /// report still goes to `--output FILE`). The exit code carries the verdict
    /// (`--exit-code`, `--compliance`).
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
        .map_err(|e: rampart_core::UnknownSeverity| e.to_string())
}
