//! The Dockerfile checks. Rule metadata (ids `docker-*`) is declared in [`crate::rules`].

use super::parse::{Dockerfile, Instruction, key_values, unquote, words};
use crate::{Misconfiguration, rule};

struct Out<'a> {
    file: &'a str,
    found: Vec<Misconfiguration>,
}

impl Out<'_> {
    fn add(&mut self, rule_id: &str, resource: String, line: u32, message: String) {
        let Some(meta) = rule(rule_id) else { return };
        self.found.push(Misconfiguration {
            rule_id: meta.id.clone(),
            title: meta.title.clone(),
            severity: meta.severity,
            resource,
            file: self.file.to_string(),
            line,
            frameworks: meta.frameworks.clone(),
            remediation: meta.remediation.clone(),
            message,
        });
    }
}

fn stage_name(df: &Dockerfile, i: Option<usize>) -> String {
    match i.and_then(|i| df.stages.get(i).map(|s| (i, s))) {
        Some((_, s)) if s.alias.is_some() => {
            format!("Stage/{}", s.alias.as_deref().unwrap_or_default())
        }
        Some((i, _)) => format!("Stage/{i}"),
        None => "Dockerfile".to_string(),
    }
}

/// Shell commands of a RUN: each is the list of words of one simple command.
fn commands(ins: &Instruction) -> Vec<Vec<String>> {
    let mut script = ins.args.clone();
    for h in &ins.heredocs {
        script.push('\n');
        script.push_str(h);
    }
    // Exec form: ["cmd", "arg"].
    if script.trim_start().starts_with('[') {
        script = script
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(unquote)
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut out = Vec::new();
    for seg in script.split(['\n', ';', '|', '&']) {
        let mut ws: Vec<String> = words(seg).into_iter().map(|w| unquote(&w)).collect();
        while ws.first().is_some_and(|w| {
            (w.contains('=') && !w.starts_with('-'))
                || matches!(
                    w.as_str(),
                    "sudo" | "env" | "exec" | "(" | "{" | "then" | "do" | "else"
                )
        }) {
            ws.remove(0);
        }
        if !ws.is_empty() {
            out.push(ws);
        }
    }
    out
}

/// Whether the commands of a RUN delete `/var/lib/apt/lists` recursively, following `cd` so
/// that `cd /var/lib && rm -rf apt` counts: an `rm -r` of the lists directory, its contents
/// or any directory above it.
fn removes_apt_lists(cmds: &[Vec<String>]) -> bool {
    const LISTS: &str = "/var/lib/apt/lists";
    let mut cwd = String::from("/");
    for c in cmds {
        match c.first().map(String::as_str) {
            Some("cd") => {
                if let Some(dir) = c.get(1) {
                    cwd = resolve(&cwd, dir);
                }
            }
            Some(w) if w == "rm" || w.ends_with("/rm") => {
                let args = &c[1..];
                let recursive = args.iter().any(|a| {
                    a == "--recursive"
                        || (a.starts_with('-') && !a.starts_with("--") && a.contains(['r', 'R']))
                });
                if !recursive {
                    continue;
                }
                let hit = args.iter().filter(|a| !a.starts_with('-')).any(|a| {
                    let p = resolve(&cwd, a.trim_end_matches("/*").trim_end_matches('*'));
                    let p = p.trim_end_matches('/');
                    !p.is_empty() && (LISTS.starts_with(&format!("{p}/")) || p == LISTS)
                });
                if hit {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// A path as the shell would see it from `cwd` (`.` and `..` folded; `~` and variables kept).
fn resolve(cwd: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        cwd.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

fn is_cmd(c: &[String], name: &str, sub: &[&str]) -> bool {
    c.first()
        .is_some_and(|w| w == name || w.ends_with(&format!("/{name}")))
        && (sub.is_empty() || c.iter().skip(1).any(|w| sub.contains(&w.as_str())))
}

const SECRET_HINTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

pub(crate) fn secret_like(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    SECRET_HINTS.iter().any(|h| up.contains(h))
}

/// Run every Dockerfile check.
pub(super) fn check(file: &str, df: &Dockerfile) -> Vec<Misconfiguration> {
    let mut out = Out {
        file,
        found: Vec::new(),
    };
    let aliases: Vec<(usize, &str)> = df
        .stages
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.alias.as_deref().map(|a| (i, a)))
        .collect();

    // Base images.
    for (i, s) in df.stages.iter().enumerate() {
        let base = s.base.as_str();
        let lower = base.to_ascii_lowercase();
        let is_stage = aliases.iter().any(|(j, a)| *j < i && *a == lower);
        if base.is_empty() || lower == "scratch" || is_stage || base.contains('$') {
            continue;
        }
        let name = base.split('@').next().unwrap_or(base);
        let last = name.rsplit('/').next().unwrap_or(name);
        let tag = last.split_once(':').map(|(_, t)| t);
        if !base.contains('@') && (tag.is_none() || tag == Some("latest")) {
            out.add(
                "docker-image-latest",
                stage_name(df, Some(i)),
                s.line,
                format!("base image {base:?} has no fixed tag"),
            );
        }
    }
    // Duplicate aliases.
    for (k, (i, a)) in aliases.iter().enumerate() {
        if aliases[..k].iter().any(|(_, b)| b == a) {
            out.add(
                "docker-duplicate-alias",
                stage_name(df, Some(*i)),
                df.stages.get(*i).map_or(1, |s| s.line),
                format!("stage alias {a:?} is used twice"),
            );
        }
    }

    for ins in &df.instructions {
        let res = stage_name(df, ins.stage);
        match ins.keyword.as_str() {
            "ADD" => {
                let srcs = words(&ins.expanded);
                let srcs: Vec<&String> = srcs.iter().filter(|w| !w.starts_with("--")).collect();
                let n = srcs.len().saturating_sub(1);
                for s in srcs.iter().take(n) {
                    let s = unquote(s);
                    if s.starts_with("http://")
                        || s.starts_with("https://")
                        || s.starts_with("git@")
                    {
                        out.add(
                            "docker-add-remote",
                            res.clone(),
                            ins.line,
                            format!("ADD fetches {s} at build time without verification"),
                        );
                    }
                }
            }
            "EXPOSE" => {
                for p in words(&ins.expanded) {
                    let port = p.split('/').next().unwrap_or("");
                    if port == "22" {
                        out.add(
                            "docker-expose-ssh",
                            res.clone(),
                            ins.line,
                            "EXPOSE 22 publishes SSH".to_string(),
                        );
                    }
                }
            }
            "MAINTAINER" => {
                out.add(
                    "docker-maintainer",
                    res.clone(),
                    ins.line,
                    "MAINTAINER is deprecated".to_string(),
                );
            }
            "WORKDIR" => {
                let d = unquote(ins.expanded.trim());
                let windows_abs = d.len() >= 2 && d.as_bytes().get(1) == Some(&b':');
                if !d.starts_with('/') && !d.starts_with('$') && !windows_abs && !d.is_empty() {
                    out.add(
                        "docker-workdir-relative",
                        res.clone(),
                        ins.line,
                        format!("WORKDIR {d:?} is relative"),
                    );
                }
            }
            "ENV" => {
                for (k, v) in key_values(&ins.args) {
                    if secret_like(&k) && !v.is_empty() && !v.starts_with('$') {
                        out.add(
                            "docker-secret-env",
                            res.clone(),
                            ins.line,
                            format!("ENV {k} stores a secret in the image"),
                        );
                    }
                }
            }
            "ARG" => {
                for w in words(&ins.args) {
                    let k = w.split('=').next().unwrap_or("");
                    if secret_like(k) {
                        out.add(
                            "docker-secret-env",
                            res.clone(),
                            ins.line,
                            format!("build argument {k} is recorded in the image history"),
                        );
                    }
                }
            }
            "RUN" => check_run(ins, res, &mut out),
            _ => {}
        }
    }

    // The final stage's user and health check.
    if let Some(last) = df.stages.len().checked_sub(1) {
        let mut chain = vec![last];
        // Follow FROM <earlier stage> so a USER set there counts.
        let mut cur = last;
        while let Some(s) = df.stages.get(cur) {
            let lower = s.base.to_ascii_lowercase();
            match aliases.iter().find(|(j, a)| *j < cur && *a == lower) {
                Some((j, _)) if !chain.contains(j) => {
                    chain.push(*j);
                    cur = *j;
                }
                _ => break,
            }
        }
        let user = chain.iter().find_map(|&i| {
            df.stage_instructions(i)
                .filter(|x| x.keyword == "USER")
                .last()
        });
        let res = stage_name(df, Some(last));
        let from_line = df.stages.get(last).map_or(1, |s| s.line);
        match user {
            None => out.add(
                "docker-no-user",
                res.clone(),
                from_line,
                "the final stage sets no USER, so the container runs as root".to_string(),
            ),
            Some(u) => {
                let name = u.expanded.split(':').next().unwrap_or("").trim();
                if name == "root" || name == "0" {
                    out.add(
                        "docker-root-user",
                        res.clone(),
                        u.line,
                        format!("the final USER is {name}"),
                    );
                }
            }
        }
        let health = chain.iter().find_map(|&i| {
            df.stage_instructions(i)
                .filter(|x| x.keyword == "HEALTHCHECK")
                .last()
        });
        let none = health.is_some_and(|h| h.args.trim().eq_ignore_ascii_case("NONE"));
        if health.is_none() || none {
            out.add(
                "docker-no-healthcheck",
                res,
                health.map_or(from_line, |h| h.line),
                "the final stage has no HEALTHCHECK".to_string(),
            );
        }
    }
    out.found
}

fn check_run(ins: &Instruction, res: String, out: &mut Out<'_>) {
    let cmds = commands(ins);
    let raw = format!("{} {}", ins.args, ins.heredocs.join("\n"));
    // curl|sh: a download piped into a shell.
    let segments: Vec<&str> = raw.split("&&").flat_map(|s| s.split(';')).collect();
    for seg in segments {
        let parts: Vec<&str> = seg.split('|').collect();
        for w in parts.windows(2) {
            let (left, right) = (w[0], w[1]);
            let fetch = left.split_whitespace().any(|x| x == "curl" || x == "wget");
            let shell = right.split_whitespace().find(|x| *x != "sudo" && *x != "-");
            if fetch
                && shell.is_some_and(|s| {
                    matches!(
                        s.rsplit('/').next().unwrap_or(s),
                        "sh" | "bash" | "zsh" | "ash" | "dash" | "ksh"
                    )
                })
            {
                out.add(
                    "docker-curl-pipe-shell",
                    res.clone(),
                    ins.line,
                    "a downloaded script is piped straight into a shell".to_string(),
                );
            }
        }
    }
    if cmds.iter().any(|c| c.first().is_some_and(|w| w == "apt")) {
        out.add(
            "docker-apt-command",
            res.clone(),
            ins.line,
            "apt is meant for interactive use; use apt-get in scripts".to_string(),
        );
    }
    if ins.args.split_whitespace().any(|w| w == "sudo") {
        out.add(
            "docker-sudo",
            res.clone(),
            ins.line,
            "sudo in a build step".to_string(),
        );
    }
    let updates = cmds.iter().any(|c| {
        is_cmd(c, "apt-get", &["update"])
            || is_cmd(c, "apt", &["update"])
            || is_cmd(c, "apk", &["update"])
            || is_cmd(c, "yum", &["update"])
            || is_cmd(c, "dnf", &["update"])
            || is_cmd(c, "zypper", &["refresh", "ref"])
    });
    let installs = cmds.iter().any(|c| {
        is_cmd(c, "apt-get", &["install", "upgrade", "dist-upgrade"])
            || is_cmd(c, "apt", &["install", "upgrade"])
            || is_cmd(c, "apk", &["add", "upgrade"])
            || is_cmd(c, "yum", &["install"])
            || is_cmd(c, "dnf", &["install"])
            || is_cmd(c, "zypper", &["install", "in"])
    });
    if updates && !installs {
        out.add(
            "docker-update-alone",
            res.clone(),
            ins.line,
            "package index update without an install in the same RUN leaves a stale cache layer"
                .to_string(),
        );
    }
    for c in cmds
        .iter()
        .filter(|c| is_cmd(c, "apt-get", &["install"]) || is_cmd(c, "apt", &["install"]))
    {
        let pkgs: Vec<&String> = c
            .iter()
            .skip_while(|w| *w != "install")
            .skip(1)
            .filter(|w| !w.starts_with('-'))
            .collect();
        let unpinned: Vec<&str> = pkgs
            .iter()
            .filter(|p| !p.contains('=') && !p.ends_with(".deb"))
            .map(|p| p.as_str())
            .collect();
        if !unpinned.is_empty() {
            out.add(
                "docker-apt-unpinned",
                res.clone(),
                ins.line,
                format!(
                    "apt-get install without version pins: {}",
                    unpinned.join(", ")
                ),
            );
        }
    }
    // The lists are written by `update`: a RUN that fetches them must delete them.
    let apt_update = cmds
        .iter()
        .any(|c| is_cmd(c, "apt-get", &["update"]) || is_cmd(c, "apt", &["update"]));
    if apt_update && !raw.contains("/var/lib/apt/lists") && !removes_apt_lists(&cmds) {
        out.add("docker-apt-no-clean", res, ins.line, "apt-get update without removing /var/lib/apt/lists keeps the package lists in the layer".to_string());
    }
}
