//! The `rampart` binary: parses arguments, runs the engines, chooses output formats and exit
//! codes. **Invariant:** only this crate (and the server) decides formats and exit codes;
//! engines return data and typed errors.

/// mimalloc rather than the system allocator: the detection engine, the sensor and the
/// scanners allocate many small short-lived values, which glibc's malloc serves several
/// times slower (BENCHMARKS.md, sensor overhead and detection throughput).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod detect;
mod helm;
mod malware;
mod misconfig;
mod output;
mod progress;
mod rules;
mod scan;
mod secrets;
mod sensor;
mod suppress;
mod update;
mod visit;
mod vulndb;

use clap::{CommandFactory, Parser};
use cli::{Cli, Command, ScanCommand};
use std::process::ExitCode;

/// Exit code for bad usage or unusable input.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // One line: the file and the reason.
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("rampart: error: {msg}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(cmd) => {
            let (kind, args) = match *cmd {
                ScanCommand::Image(a) => (scan::TargetKind::Image, a),
                ScanCommand::Rootfs(a) => (scan::TargetKind::Rootfs, a),
                ScanCommand::Fs(a) => (scan::TargetKind::Fs, a),
                ScanCommand::Config(a) => (scan::TargetKind::Config, a),
            };
            scan::scan(kind, &args)
        }
        Command::Sbom(args) => scan::sbom(&args),
        Command::Db(cmd) => vulndb::run(cmd),
        Command::Detect(args) => detect::detect(&args),
        Command::Sensor(args) => sensor::run(&args),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "rampart", &mut std::io::stdout());
            Ok(0)
        }
    }
}
