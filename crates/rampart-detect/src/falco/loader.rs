//! Reads Falco rule files (lists, macros, rules, exceptions, `append`/`override`) into
//! definitions, then expands and compiles every rule.
//!
//! Problems are reported per item with Falco's codes (`LOAD_ERR_VALIDATE`,
//! `LOAD_ERR_COMPILE_CONDITION`, `LOAD_UNUSED_MACRO`, ...), file and line; one bad item
//! never drops the others. Only a file that is not YAML, or not a list of mappings, stops
//! that file.

use super::compile::{self, Missing};
use super::condition::{self, Expr, FieldRef, Op, Operand};
use super::program::Program;
use super::yaml::{self, Node, Value};
use super::{LoadMessage, MsgLevel, OutputFormat, Priority, RuleState, RuleStatus};
use crate::event::{EventType, Source};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The rule-engine version rampart implements (Falco semantic version).
pub const ENGINE_VERSION: (u64, u64, u64) = (0, 57, 0);

const EXTRA_SYSCALLS: &[&str] = &[
    "access",
    "madvise",
    "pread",
    "pwrite",
    "readv",
    "writev",
    "preadv",
    "pwritev",
    "nanosleep",
    "futex",
    "poll",
    "ppoll",
    "select",
    "epoll_wait",
    "epoll_create",
    "epoll_create1",
    "brk",
    "getdents",
    "getdents64",
    "stat",
    "lstat",
    "fstat",
    "newfstatat",
    "statx",
    "lseek",
    "llseek",
    "fcntl",
    "pipe",
    "pipe2",
    "eventfd",
    "eventfd2",
    "signalfd",
    "signalfd4",
    "inotify_init",
    "inotify_init1",
    "timerfd_create",
    "socketpair",
    "shutdown",
    "getsockopt",
    "setsockopt",
    "exit",
    "exit_group",
    "wait4",
    "waitid",
    "signaldelivery",
    "switch",
    "tgkill",
    "tkill",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "setgroups",
    "getrlimit",
    "setrlimit",
    "prlimit",
    "semop",
    "semget",
    "semctl",
    "mlock",
    "munlock",
    "mlock2",
    "mlockall",
    "munlockall",
    "munmap",
    "splice",
    "fchdir",
    "fchown",
    "fchownat",
    "lchown",
    "utimes",
    "quotactl",
    "seccomp",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "copy_file_range",
    "fsconfig",
    "pidfd_open",
    "pidfd_getfd",
    "process_vm_readv",
    "process_vm_writev",
    "delete_module",
    "kexec_load",
    "iopl",
    "ioperm",
    "syslog",
    "reboot",
    "swapon",
    "swapoff",
    "sethostname",
    "setdomainname",
    "settimeofday",
    "clock_settime",
    "adjtimex",
    "personality",
    "keyctl",
    "add_key",
    "request_key",
    "perf_event_open",
    "fanotify_init",
    "name_to_handle_at",
    "getsockname",
    "getpeername",
    "sendfile",
    "sendmmsg",
    "recvmmsg",
    "getcwd",
    "umask",
    "flock",
    "fsync",
    "fdatasync",
    "ftruncate",
    "sync",
    "asyncevent",
    "mknod",
    "mknodat",
    "utime",
    "utimensat",
    "signal",
    "sigaction",
    "rt_sigaction",
    "procinfo",
    "cpu_hotplug",
    "drop",
    "infra",
    "k8s",
    "mesos",
    "notification",
    "tracer",
    "page_fault",
    "scapevent",
    "pluginevent",
    "container",
    "execve",
    "clone3",
];

fn known_event_type(name: &str) -> bool {
    EventType::from_name(name).index().is_some() || EXTRA_SYSCALLS.contains(&name)
}

const FIELD_CLASSES: &[&str] = &[
    "evt.",
    "proc.",
    "thread.",
    "user.",
    "group.",
    "fd.",
    "fdlist.",
    "container.",
    "k8s.",
    "fs.",
    "syslog.",
    "span.",
    "ka.",
    "ct.",
    "s3.",
    "ec2.",
    "ecr.",
    "json.",
    "jevt.",
    "gcp.",
    "github.",
    "okta.",
    "k8smeta.",
    "mesos.",
    "marathon.",
    "evtin.",
    "proc.a",
    "cgroup.",
];

fn is_plausible_field(name: &str) -> bool {
    FIELD_CLASSES.iter().any(|c| name.starts_with(c))
        || name == "cgroups"
        || name == "thread.exectime"
}

#[derive(Debug, Clone)]
struct Loc {
    file: usize,
    line: usize,
}

#[derive(Debug, Clone)]
struct ListDef {
    name: String,
    items: Vec<(String, bool)>,
    loc: Loc,
}

#[derive(Debug, Clone)]
struct MacroDef {
    name: String,
    cond: String,
    loc: Loc,
}

#[derive(Debug, Clone)]
enum ExFields {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone)]
struct ExceptionDef {
    name: String,
    fields: Option<ExFields>,
    comps: Option<Vec<String>>,
    values: Vec<Node>,
    line: usize,
}

#[derive(Debug, Clone)]
struct RuleDef {
    name: String,
    cond: String,
    output: String,
    desc: String,
    priority: Priority,
    enabled: bool,
    tags: Vec<String>,
    source: String,
    exceptions: Vec<ExceptionDef>,
    skip_unknown: bool,
    loc: Loc,
    cond_loc: Loc,
}

/// A compiled rule.
#[derive(Debug)]
pub struct CompiledRule {
    /// Rule name.
    pub name: Arc<str>,
    /// Priority.
    pub priority: Priority,
    /// Source.
    pub source: Source,
    /// Tags.
    pub tags: Arc<[String]>,
    /// Description.
    pub desc: String,
    /// Enabled.
    pub enabled: bool,
    /// Event types the rule can match (`None`: all).
    pub types: Option<BTreeSet<String>>,
    /// The condition.
    pub matcher: Program,
    /// The output template.
    pub output: OutputFormat,
}

/// Loader state across files.
pub struct Loader {
    files: Vec<PathBuf>,
    lists: Vec<ListDef>,
    macros: Vec<MacroDef>,
    rules: Vec<RuleDef>,
    /// Messages so far.
    pub messages: Vec<LoadMessage>,
}

fn key_str(n: &Node, key: &str) -> Option<String> {
    n.get(key).and_then(|v| v.as_str().map(str::to_string))
}

fn scalar_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::Scalar(s, _) => Some(s.clone()),
        _ => None,
    }
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

impl Loader {
    /// An empty loader.
    pub fn new() -> Loader {
        Loader {
            files: Vec::new(),
            lists: Vec::new(),
            macros: Vec::new(),
            rules: Vec::new(),
            messages: Vec::new(),
        }
    }

    fn msg(
        &mut self,
        level: MsgLevel,
        code: &'static str,
        item_type: &str,
        item_name: &str,
        loc: &Loc,
        message: impl Into<String>,
    ) {
        self.messages.push(LoadMessage {
            level,
            code,
            item_type: item_type.to_string(),
            item_name: item_name.to_string(),
            file: self.files.get(loc.file).cloned().unwrap_or_default(),
            line: loc.line,
            message: message.into(),
        });
    }

    fn err(
        &mut self,
        code: &'static str,
        item_type: &str,
        item_name: &str,
        loc: &Loc,
        message: impl Into<String>,
    ) {
        self.msg(MsgLevel::Error, code, item_type, item_name, loc, message);
    }

    /// Adds one file's content. File-level problems (not YAML, wrong shape) are returned
    /// as messages, and the file's remaining items are skipped.
    pub fn add_file(&mut self, path: &Path, text: &str) {
        let file = self.files.len();
        self.files.push(path.to_path_buf());
        let docs = match yaml::parse(text) {
            Ok(d) => d,
            Err(e) => {
                let loc = Loc { file, line: e.line };
                self.err(
                    "LOAD_ERR_YAML_PARSE",
                    "rules content",
                    "",
                    &loc,
                    format!("YAML parse error: {}", e.message),
                );
                return;
            }
        };
        for doc in docs {
            let loc = Loc {
                file,
                line: doc.line,
            };
            let items = match &doc.value {
                Value::Seq(items) => items,
                Value::Scalar(_, _) if doc.is_null() => continue,
                Value::Scalar(..) => {
                    self.err(
                        "LOAD_ERR_YAML_VALIDATE",
                        "rules content",
                        "",
                        &loc,
                        "Rules content is not yaml",
                    );
                    return;
                }
                Value::Map(_) => {
                    self.err(
                        "LOAD_ERR_YAML_VALIDATE",
                        "rules content",
                        "",
                        &loc,
                        "Rules content is not yaml array of objects",
                    );
                    return;
                }
            };
            for item in items {
                let loc = Loc {
                    file,
                    line: item.line,
                };
                if item.is_null() {
                    continue;
                }
                if !matches!(item.value, Value::Map(_)) {
                    self.err(
                        "LOAD_ERR_YAML_VALIDATE",
                        "rules content item",
                        "",
                        &loc,
                        "Unexpected element type. Each element should be a yaml associative array.",
                    );
                    return;
                }
                self.add_item(item, loc);
            }
        }
    }

    fn add_item(&mut self, item: &Node, loc: Loc) {
        if let Some(v) = item.get("required_engine_version") {
            let text = v.as_str().unwrap_or("");
            let parsed = parse_version(text);
            match parsed {
                None => self.err(
                    "LOAD_ERR_YAML_VALIDATE",
                    "required_engine_version",
                    "",
                    &loc,
                    "Can't decode YAML scalar value",
                ),
                Some(req) if req > ENGINE_VERSION => {
                    let (a, b, c) = ENGINE_VERSION;
                    self.err(
                        "LOAD_ERR_VALIDATE",
                        "required_engine_version",
                        "",
                        &loc,
                        format!(
                            "Rules require engine version {text}, but engine version is {a}.{b}.{c}"
                        ),
                    )
                }
                Some(_) => {}
            }
        } else if item.get("required_plugin_versions").is_some() {
            // Plugins are built in; versions are not checked.
        } else if let Some(n) = item.get("list") {
            self.add_list(item, n, loc);
        } else if let Some(n) = item.get("macro") {
            self.add_macro(item, n, loc);
        } else if let Some(n) = item.get("rule") {
            self.add_rule(item, n, loc);
        } else {
            let keys: Vec<&str> = item.keys().collect();
            self.msg(
                MsgLevel::Warning,
                "LOAD_UNKNOWN_ITEM",
                "rules content item",
                "",
                &loc,
                format!("Unknown top level object: {}", keys.join(", ")),
            );
        }
    }

    fn item_name(&mut self, kind: &str, n: &Node, loc: &Loc) -> Option<String> {
        match n.as_str() {
            Some(s) if !s.is_empty() => Some(s.to_string()),
            _ => {
                self.err(
                    "LOAD_ERR_YAML_VALIDATE",
                    kind,
                    "",
                    loc,
                    format!("Mapping for key '{kind}' is empty"),
                );
                None
            }
        }
    }

    fn is_append(&mut self, item: &Node, what: &str) -> (bool, Option<Node>) {
        let append = item.get("append").and_then(Node::as_bool).unwrap_or(false);
        let ov = item.get("override").cloned();
        let _ = what;
        (append, ov)
    }

    fn add_list(&mut self, item: &Node, n: &Node, loc: Loc) {
        let Some(name) = self.item_name("list", n, &loc) else {
            return;
        };
        let Some(items_node) = item.get("items") else {
            self.err(
                "LOAD_ERR_YAML_VALIDATE",
                "list",
                &name,
                &loc,
                "Item has no mapping for key 'items'",
            );
            return;
        };
        let items: Vec<(String, bool)> = match &items_node.value {
            Value::Seq(v) => v
                .iter()
                .filter_map(|i| match &i.value {
                    Value::Scalar(s, q) => Some((s.clone(), *q)),
                    _ => None,
                })
                .collect(),
            Value::Scalar(..) if items_node.is_null() => Vec::new(),
            _ => {
                self.err(
                    "LOAD_ERR_YAML_VALIDATE",
                    "list",
                    &name,
                    &loc,
                    "Value for key 'items' is not a sequence",
                );
                return;
            }
        };
        let (append, ov) = self.is_append(item, "list");
        let ov_mode = ov.as_ref().and_then(|o| key_str(o, "items"));
        let pos = self.lists.iter().position(|l| l.name == name);
        if append || ov_mode.as_deref() == Some("append") {
            match pos {
                Some(p) => self.lists[p].items.extend(items),
                None => self.err(
                    "LOAD_ERR_VALIDATE",
                    "list",
                    &name,
                    &loc,
                    "List has 'append' key but no list by that name already exists",
                ),
            }
            return;
        }
        if ov_mode.as_deref() == Some("replace") {
            match pos {
                Some(p) => self.lists[p].items = items,
                None => self.err(
                    "LOAD_ERR_VALIDATE",
                    "list",
                    &name,
                    &loc,
                    "An override is defined but no list by that name already exists",
                ),
            }
            return;
        }
        if let Some(p) = pos {
            self.lists.remove(p);
        }
        self.lists.push(ListDef { name, items, loc });
    }

    fn add_macro(&mut self, item: &Node, n: &Node, loc: Loc) {
        let Some(name) = self.item_name("macro", n, &loc) else {
            return;
        };
        let Some(cond_node) = item.get("condition") else {
            self.err(
                "LOAD_ERR_YAML_VALIDATE",
                "macro",
                &name,
                &loc,
                "Item has no mapping for key 'condition'",
            );
            return;
        };
        let cond = scalar_text(cond_node).unwrap_or_default();
        let (append, ov) = self.is_append(item, "macro");
        let ov_mode = ov.as_ref().and_then(|o| key_str(o, "condition"));
        let pos = self.macros.iter().position(|m| m.name == name);
        if append || ov_mode.as_deref() == Some("append") {
            match pos {
                Some(p) => {
                    let m = &mut self.macros[p];
                    m.cond = format!("{} {}", m.cond, cond);
                }
                None => self.err(
                    "LOAD_ERR_VALIDATE",
                    "macro",
                    &name,
                    &loc,
                    "Macro has 'append' key but no macro by that name already exists",
                ),
            }
            return;
        }
        let def = MacroDef { name, cond, loc };
        match pos {
            Some(p) => self.macros[p] = def,
            None => self.macros.push(def),
        }
    }

    fn parse_exceptions(
        &mut self,
        rule: &str,
        node: Option<&Node>,
        loc: &Loc,
        need_fields: bool,
    ) -> Option<Vec<ExceptionDef>> {
        let Some(node) = node else {
            return Some(Vec::new());
        };
        let Value::Seq(items) = &node.value else {
            if node.is_null() {
                return Some(Vec::new());
            }
            self.err(
                "LOAD_ERR_YAML_VALIDATE",
                "rule",
                rule,
                loc,
                "Rule exceptions must be a sequence",
            );
            return None;
        };
        let mut out = Vec::new();
        for it in items {
            let iloc = Loc {
                file: loc.file,
                line: it.line,
            };
            let Some(name) = key_str(it, "name").filter(|s| !s.is_empty()) else {
                self.err(
                    "LOAD_ERR_YAML_VALIDATE",
                    "exception",
                    "",
                    &iloc,
                    "Item has no mapping for key 'name'",
                );
                return None;
            };
            let fields = match it.get("fields").map(|f| &f.value) {
                None => None,
                Some(Value::Scalar(s, _)) => Some(ExFields::One(s.clone())),
                Some(Value::Seq(v)) => {
                    Some(ExFields::Many(v.iter().filter_map(scalar_text).collect()))
                }
                Some(Value::Map(_)) => {
                    self.err(
                        "LOAD_ERR_VALIDATE",
                        "exception",
                        &name,
                        &iloc,
                        "Rule exception fields must be a sequence or a string",
                    );
                    return None;
                }
            };
            if fields.is_none() && need_fields {
                self.err(
                    "LOAD_ERR_YAML_VALIDATE",
                    "exception",
                    &name,
                    &iloc,
                    "Item has no mapping for key 'fields'",
                );
                return None;
            }
            let comps = match it.get("comps").map(|c| &c.value) {
                None => None,
                Some(Value::Scalar(s, _)) => Some(vec![s.clone()]),
                Some(Value::Seq(v)) => Some(v.iter().filter_map(scalar_text).collect()),
                Some(Value::Map(_)) => None,
            };
            let values = match it.get("values").map(|v| &v.value) {
                Some(Value::Seq(v)) => v.clone(),
                _ => Vec::new(),
            };
            out.push(ExceptionDef {
                name,
                fields,
                comps,
                values,
                line: it.line,
            });
        }
        Some(out)
    }

    fn add_rule(&mut self, item: &Node, n: &Node, loc: Loc) {
        let Some(name) = self.item_name("rule", n, &loc) else {
            return;
        };
        let (append, ov) = self.is_append(item, "rule");
        let pos = self.rules.iter().position(|r| r.name == name);
        let cond_loc = Loc {
            file: loc.file,
            line: item.get("condition").map(|c| c.line).unwrap_or(loc.line),
        };
        if append || ov.is_some() {
            let Some(p) = pos else {
                let msg = if append {
                    "Rule has 'append' key but no rule by that name already exists"
                } else {
                    "An override is defined but no rule by that name already exists"
                };
                self.err("LOAD_ERR_VALIDATE", "rule", &name, &loc, msg);
                return;
            };
            let mode = |key: &str| -> Option<String> {
                if append {
                    Some("append".to_string())
                } else {
                    ov.as_ref().and_then(|o| key_str(o, key))
                }
            };
            if append && item.get("condition").is_none() && item.get("exceptions").is_none() {
                self.err(
                    "LOAD_ERR_VALIDATE",
                    "rule",
                    &name,
                    &loc,
                    "Appended rule must have exceptions or condition property",
                );
                return;
            }
            if let Some(c) = item.get("condition").and_then(scalar_text) {
                match mode("condition").as_deref() {
                    Some("append") => {
                        let r = &mut self.rules[p];
                        r.cond = format!("{} {}", r.cond, c);
                    }
                    Some("replace") => {
                        self.rules[p].cond = c;
                        self.rules[p].cond_loc = cond_loc.clone();
                    }
                    _ => {}
                }
            }
            if let Some(o) = item.get("output").and_then(scalar_text) {
                match mode("output").as_deref() {
                    Some("append") => {
                        let r = &mut self.rules[p];
                        r.output = format!("{} {}", r.output, o);
                    }
                    Some("replace") => self.rules[p].output = o,
                    _ => {}
                }
            }
            if let Some(d) = item.get("desc").and_then(scalar_text) {
                match mode("desc").as_deref() {
                    Some("append") => {
                        let r = &mut self.rules[p];
                        r.desc = format!("{} {}", r.desc, d);
                    }
                    Some("replace") => self.rules[p].desc = d,
                    _ => {}
                }
            }
            if let Some(pr) = item.get("priority").and_then(Node::as_str)
                && mode("priority").as_deref() == Some("replace")
            {
                match Priority::parse(pr) {
                    Some(pr) => self.rules[p].priority = pr,
                    None => self.err(
                        "LOAD_ERR_VALIDATE",
                        "rule",
                        &name,
                        &loc,
                        format!("Invalid priority level: {pr}"),
                    ),
                }
            }
            if let Some(en) = item.get("enabled").and_then(Node::as_bool)
                && (mode("enabled").as_deref() == Some("replace") || !append)
            {
                self.rules[p].enabled = en;
            }
            if let Some(Value::Seq(tags)) = item.get("tags").map(|t| &t.value) {
                let tags: Vec<String> = tags.iter().filter_map(scalar_text).collect();
                match mode("tags").as_deref() {
                    Some("append") => self.rules[p].tags.extend(tags),
                    Some("replace") => self.rules[p].tags = tags,
                    _ => {}
                }
            }
            if item.get("exceptions").is_some() {
                let Some(exs) = self.parse_exceptions(&name, item.get("exceptions"), &loc, false)
                else {
                    return;
                };
                match mode("exceptions").as_deref() {
                    Some("replace") => {
                        for e in &exs {
                            if e.fields.is_none() {
                                let l = Loc {
                                    file: loc.file,
                                    line: e.line,
                                };
                                self.err("LOAD_ERR_VALIDATE", "exception", &e.name, &l, "Rule exception must have fields property with a list of fields");
                                return;
                            }
                        }
                        self.rules[p].exceptions = exs;
                    }
                    _ => {
                        for e in exs {
                            let existing = self.rules[p]
                                .exceptions
                                .iter()
                                .position(|x| x.name == e.name);
                            match existing {
                                Some(i) => self.rules[p].exceptions[i].values.extend(e.values),
                                None => {
                                    if e.fields.is_none() {
                                        let l = Loc {
                                            file: loc.file,
                                            line: e.line,
                                        };
                                        self.err(
                                            "LOAD_ERR_VALIDATE",
                                            "exception",
                                            &e.name,
                                            &l,
                                            "Rule exception must have fields property with a list of fields",
                                        );
                                        return;
                                    }
                                    self.rules[p].exceptions.push(e);
                                }
                            }
                        }
                    }
                }
            }
            return;
        }
        // Only `enabled`: toggles an existing rule.
        let keys: Vec<&str> = item.keys().collect();
        if let Some(p) = pos
            && keys.iter().all(|k| matches!(*k, "rule" | "enabled"))
            && let Some(en) = item.get("enabled").and_then(Node::as_bool)
        {
            self.rules[p].enabled = en;
            return;
        }
        for key in ["condition", "output", "desc", "priority"] {
            if item.get(key).is_none() {
                self.err(
                    "LOAD_ERR_YAML_VALIDATE",
                    "rule",
                    &name,
                    &loc,
                    format!("Item has no mapping for key '{key}'"),
                );
                return;
            }
        }
        let pr_text = item.get("priority").and_then(Node::as_str).unwrap_or("");
        let Some(priority) = Priority::parse(pr_text) else {
            self.err(
                "LOAD_ERR_VALIDATE",
                "rule",
                &name,
                &loc,
                format!("Invalid priority level: {pr_text}"),
            );
            return;
        };
        let Some(exceptions) = self.parse_exceptions(&name, item.get("exceptions"), &loc, true)
        else {
            return;
        };
        let tags = match item.get("tags").map(|t| &t.value) {
            Some(Value::Seq(t)) => t.iter().filter_map(scalar_text).collect(),
            _ => Vec::new(),
        };
        let def = RuleDef {
            name,
            cond: item
                .get("condition")
                .and_then(scalar_text)
                .unwrap_or_default(),
            output: item.get("output").and_then(scalar_text).unwrap_or_default(),
            desc: item.get("desc").and_then(scalar_text).unwrap_or_default(),
            priority,
            enabled: item.get("enabled").and_then(Node::as_bool).unwrap_or(true),
            tags,
            source: key_str(item, "source").unwrap_or_else(|| "syscall".to_string()),
            exceptions,
            skip_unknown: item
                .get("skip-if-unknown-filter")
                .and_then(Node::as_bool)
                .unwrap_or(false),
            loc,
            cond_loc,
        };
        match pos {
            Some(p) => self.rules[p] = def,
            None => self.rules.push(def),
        }
    }

    /// Expands and compiles every rule; returns the compiled rules and their statuses.
    pub fn finish(mut self) -> (Vec<CompiledRule>, Vec<RuleStatus>, Vec<LoadMessage>) {
        // Lists: expand references to lists defined earlier.
        let mut lists: HashMap<String, Vec<(String, bool)>> = HashMap::new();
        let mut list_used: HashSet<String> = HashSet::new();
        for l in &self.lists {
            let mut items = Vec::new();
            for (it, quoted) in &l.items {
                match (!*quoted).then(|| lists.get(it)).flatten() {
                    Some(sub) => {
                        list_used.insert(it.clone());
                        items.extend(sub.iter().cloned());
                    }
                    None => items.push(unquote_item(it, *quoted)),
                }
            }
            lists.insert(l.name.clone(), items);
        }
        // Macros: parse each.
        let mut parsed: HashMap<String, Result<Expr, String>> = HashMap::new();
        let macro_defs = self.macros.clone();
        for m in &macro_defs {
            match condition::parse(&m.cond) {
                Ok(e) => {
                    parsed.insert(m.name.clone(), Ok(e));
                }
                Err(e) => {
                    self.err(
                        "LOAD_ERR_COMPILE_CONDITION",
                        "macro",
                        &m.name,
                        &m.loc,
                        e.message.clone(),
                    );
                    parsed.insert(m.name.clone(), Err(e.message));
                }
            }
        }
        let mut macro_used: HashSet<String> = HashSet::new();
        let mut expanded: HashMap<String, Expr> = HashMap::new();
        for m in &macro_defs {
            let Some(Ok(e)) = parsed.get(&m.name) else {
                continue;
            };
            let mut stack = vec![m.name.clone()];
            match expand(
                e,
                &parsed,
                &lists,
                &mut stack,
                &mut macro_used,
                &mut list_used,
            ) {
                Ok(x) => {
                    expanded.insert(m.name.clone(), x);
                }
                Err(msg) => {
                    self.err("LOAD_ERR_VALIDATE", "macro", &m.name, &m.loc, msg);
                }
            }
        }
        let rule_defs = std::mem::take(&mut self.rules);
        let mut compiled = Vec::new();
        let mut statuses = Vec::new();
        for r in &rule_defs {
            let (state, rule) =
                self.compile_rule(r, &parsed, &lists, &mut macro_used, &mut list_used);
            statuses.push(RuleStatus {
                name: r.name.clone(),
                file: self.files.get(r.loc.file).cloned().unwrap_or_default(),
                line: r.loc.line,
                source: r.source.clone(),
                state,
            });
            if let Some(rule) = rule {
                compiled.push(rule);
            }
        }
        for m in &macro_defs {
            if !macro_used.contains(&m.name) {
                self.msg(
                    MsgLevel::Warning,
                    "LOAD_UNUSED_MACRO",
                    "macro",
                    &m.name,
                    &m.loc,
                    "Macro not referred to by any other rule/macro",
                );
            }
        }
        for l in self.lists.clone() {
            if !list_used.contains(&l.name) {
                self.msg(
                    MsgLevel::Warning,
                    "LOAD_UNUSED_LIST",
                    "list",
                    &l.name,
                    &l.loc,
                    "List not referred to by any other rule/macro",
                );
            }
        }
        (compiled, statuses, self.messages)
    }

    fn compile_rule(
        &mut self,
        r: &RuleDef,
        macros: &HashMap<String, Result<Expr, String>>,
        lists: &HashMap<String, Vec<(String, bool)>>,
        macro_used: &mut HashSet<String>,
        list_used: &mut HashSet<String>,
    ) -> (RuleState, Option<CompiledRule>) {
        let error = |this: &mut Loader, code: &'static str, loc: &Loc, msg: String| {
            this.err(code, "rule", &r.name, loc, msg.clone());
            let file = this.files.get(loc.file).cloned().unwrap_or_default();
            (
                RuleState::Error {
                    file,
                    line: loc.line,
                    message: msg,
                },
                None,
            )
        };
        let Some(source) = Source::from_name(&r.source) else {
            let msg = format!("Unknown source {}, skipping", r.source);
            self.msg(
                MsgLevel::Warning,
                "LOAD_UNKNOWN_SOURCE",
                "rule",
                &r.name,
                &r.loc,
                msg.clone(),
            );
            return (
                RuleState::Unsupported {
                    missing: vec![format!("source {}", r.source)],
                },
                None,
            );
        };
        let ast = match condition::parse(&r.cond) {
            Ok(a) => a,
            Err(e) => return error(self, "LOAD_ERR_COMPILE_CONDITION", &r.cond_loc, e.message),
        };
        let mut stack = Vec::new();
        let mut ast = match expand(&ast, macros, lists, &mut stack, macro_used, list_used) {
            Ok(a) => a,
            Err(msg) => return error(self, "LOAD_ERR_VALIDATE", &r.cond_loc, msg),
        };
        // Exceptions.
        let mut ex_terms = Vec::new();
        for ex in &r.exceptions {
            let eloc = Loc {
                file: r.loc.file,
                line: ex.line,
            };
            match exception_expr(ex, lists, list_used) {
                Ok(Some(e)) => ex_terms.push(e),
                Ok(None) => {}
                Err(msg) => {
                    self.err(
                        "LOAD_ERR_VALIDATE",
                        "exception",
                        &ex.name,
                        &eloc,
                        msg.clone(),
                    );
                    let file = self.files.get(eloc.file).cloned().unwrap_or_default();
                    return (
                        RuleState::Error {
                            file,
                            line: eloc.line,
                            message: msg,
                        },
                        None,
                    );
                }
            }
            // Exception fields must be real fields.
            let names: Vec<String> = match &ex.fields {
                Some(ExFields::One(f)) => vec![f.clone()],
                Some(ExFields::Many(v)) => v.clone(),
                None => Vec::new(),
            };
            for f in names {
                let base = f.split('[').next().unwrap_or(&f);
                if !is_plausible_field(base) {
                    let msg = format!("'{f}' is not a supported filter field");
                    self.err(
                        "LOAD_ERR_VALIDATE",
                        "exception",
                        &ex.name,
                        &eloc,
                        msg.clone(),
                    );
                    let file = self.files.get(eloc.file).cloned().unwrap_or_default();
                    return (
                        RuleState::Error {
                            file,
                            line: eloc.line,
                            message: msg,
                        },
                        None,
                    );
                }
            }
        }
        if !ex_terms.is_empty() {
            ast = Expr::And(vec![ast, Expr::Not(Box::new(Expr::Or(ex_terms)))]);
        }
        // Event types must be known.
        if source == Source::Syscall
            && let Some(bad) = unknown_event_type(&ast)
        {
            return error(
                self,
                "LOAD_ERR_COMPILE_CONDITION",
                &r.cond_loc,
                format!("unknown event type {bad}"),
            );
        }
        let mut missing = Missing::default();
        let matcher = match compile::compile(source, &ast, &mut missing) {
            Ok(m) => Program::new(m),
            Err(msg) => return error(self, "LOAD_ERR_COMPILE_CONDITION", &r.cond_loc, msg),
        };
        let output = match OutputFormat::parse(source, &r.output) {
            Ok(o) => o,
            Err(msg) => return error(self, "LOAD_ERR_COMPILE_OUTPUT", &r.loc, msg),
        };
        if !missing.fields.is_empty() {
            for base in &missing.names {
                // Not even a Falco field class: an error, unless the rule opts out.
                if !is_plausible_field(base) && !r.skip_unknown {
                    return error(
                        self,
                        "LOAD_ERR_COMPILE_CONDITION",
                        &r.cond_loc,
                        format!("filter_check called with nonexistent field {base}"),
                    );
                }
            }
            let msg = missing
                .fields
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            self.msg(
                MsgLevel::Warning,
                "LOAD_UNKNOWN_FIELD",
                "rule",
                &r.name,
                &r.cond_loc,
                msg,
            );
            return (
                RuleState::Unsupported {
                    missing: missing.fields.into_iter().collect(),
                },
                None,
            );
        }
        let types = compile::event_types(&ast);
        if source == Source::Syscall && types.is_none() {
            self.msg(
                MsgLevel::Warning,
                "LOAD_NO_EVTTYPE",
                "rule",
                &r.name,
                &r.loc,
                "Rule matches too many evt.type values. This has a significant performance penalty.",
            );
        }
        let unsupported_out: Vec<String> = output.unsupported.clone();
        let rule = CompiledRule {
            name: Arc::from(r.name.as_str()),
            priority: r.priority,
            source,
            tags: Arc::from(r.tags.as_slice()),
            desc: r.desc.clone(),
            enabled: r.enabled,
            types,
            matcher,
            output,
        };
        (
            RuleState::Ok {
                output_fields_missing: unsupported_out,
            },
            Some(rule),
        )
    }
}

/// List items may carry condition-level quotes inside the YAML string (`'"10.0.0.0/8"'`).
fn unquote_item(it: &str, quoted: bool) -> (String, bool) {
    let t = it.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return (t[1..t.len() - 1].to_string(), true);
        }
    }
    (it.to_string(), quoted)
}

fn unknown_event_type(e: &Expr) -> Option<String> {
    match e {
        Expr::Check { field, rhs, .. } if field.name == "evt.type" => {
            rhs.iter().find_map(|o| match o {
                Operand::Lit { text, .. } if !known_event_type(text) => Some(text.clone()),
                _ => None,
            })
        }
        Expr::And(v) | Expr::Or(v) => v.iter().find_map(unknown_event_type),
        Expr::Not(x) => unknown_event_type(x),
        _ => None,
    }
}

fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        return Some((0, n, 0));
    }
    let mut parts = s.split('.');
    let a = parts.next()?.parse().ok()?;
    let b = parts.next().unwrap_or("0").parse().ok()?;
    let c = parts.next().unwrap_or("0").parse().ok()?;
    Some((a, b, c))
}

/// Expands macros and list references.
fn expand(
    e: &Expr,
    macros: &HashMap<String, Result<Expr, String>>,
    lists: &HashMap<String, Vec<(String, bool)>>,
    stack: &mut Vec<String>,
    macro_used: &mut HashSet<String>,
    list_used: &mut HashSet<String>,
) -> Result<Expr, String> {
    Ok(match e {
        Expr::And(v) => Expr::And(
            v.iter()
                .map(|x| expand(x, macros, lists, stack, macro_used, list_used))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Or(v) => Expr::Or(
            v.iter()
                .map(|x| expand(x, macros, lists, stack, macro_used, list_used))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(x) => Expr::Not(Box::new(expand(
            x, macros, lists, stack, macro_used, list_used,
        )?)),
        Expr::Const(b) => Expr::Const(*b),
        Expr::Macro(name) => {
            macro_used.insert(name.clone());
            if stack.contains(name) {
                return Err(format!("reference loop in macro '{name}'"));
            }
            match macros.get(name) {
                Some(Ok(body)) => {
                    stack.push(name.clone());
                    let r = expand(body, macros, lists, stack, macro_used, list_used);
                    stack.pop();
                    r?
                }
                Some(Err(msg)) => return Err(format!("macro '{name}' does not compile: {msg}")),
                None => return Err(format!("Undefined macro '{name}' used in filter.")),
            }
        }
        Expr::Check {
            field,
            op,
            rhs,
            paren,
        } => {
            let mut out = Vec::new();
            let may_expand = *paren || op.takes_list();
            for o in rhs {
                match o {
                    Operand::Lit {
                        text,
                        quoted: false,
                    } if may_expand && lists.contains_key(text) => {
                        list_used.insert(text.clone());
                        if let Some(items) = lists.get(text) {
                            for (t, q) in items {
                                out.push(Operand::Lit {
                                    text: t.clone(),
                                    quoted: *q,
                                });
                            }
                        }
                    }
                    other => out.push(other.clone()),
                }
            }
            Expr::Check {
                field: field.clone(),
                op: *op,
                rhs: out,
                paren: *paren,
            }
        }
    })
}

fn value_operands(
    v: &Node,
    lists: &HashMap<String, Vec<(String, bool)>>,
    list_used: &mut HashSet<String>,
) -> Vec<Operand> {
    match &v.value {
        Value::Seq(items) => items
            .iter()
            .flat_map(|i| value_operands(i, lists, list_used))
            .collect(),
        Value::Scalar(s, quoted) => {
            if !quoted && let Some(items) = lists.get(s) {
                list_used.insert(s.clone());
                return items
                    .iter()
                    .map(|(t, q)| Operand::Lit {
                        text: t.clone(),
                        quoted: *q,
                    })
                    .collect();
            }
            vec![Operand::Lit {
                text: s.clone(),
                quoted: *quoted,
            }]
        }
        Value::Map(_) => Vec::new(),
    }
}

fn field_ref(s: &str) -> FieldRef {
    let (name, arg) = match s.split_once('[') {
        Some((n, rest)) => (n.to_string(), Some(rest.trim_end_matches(']').to_string())),
        None => (s.to_string(), None),
    };
    FieldRef {
        transformers: Vec::new(),
        name,
        arg,
    }
}

/// One exception as an expression (`None` when it has no values).
fn exception_expr(
    ex: &ExceptionDef,
    lists: &HashMap<String, Vec<(String, bool)>>,
    list_used: &mut HashSet<String>,
) -> Result<Option<Expr>, String> {
    let Some(fields) = &ex.fields else {
        return Err("Rule exception must have fields property with a list of fields".into());
    };
    match fields {
        ExFields::One(f) => {
            let comp = ex
                .comps
                .as_ref()
                .and_then(|c| c.first().cloned())
                .unwrap_or_else(|| "in".into());
            let op = Op::from_name(&comp)
                .ok_or_else(|| format!("'{comp}' is not a supported comparison operator"))?;
            if ex.values.is_empty() {
                return Ok(None);
            }
            let rhs: Vec<Operand> = ex
                .values
                .iter()
                .flat_map(|v| value_operands(v, lists, list_used))
                .collect();
            if op.takes_list() {
                Ok(Some(Expr::Check {
                    field: field_ref(f),
                    op,
                    rhs,
                    paren: true,
                }))
            } else {
                Ok(Some(Expr::Or(
                    rhs.into_iter()
                        .map(|o| Expr::Check {
                            field: field_ref(f),
                            op,
                            rhs: vec![o],
                            paren: false,
                        })
                        .collect(),
                )))
            }
        }
        ExFields::Many(fs) => {
            let comps: Vec<String> = match &ex.comps {
                Some(c) => c.clone(),
                None => vec!["=".to_string(); fs.len()],
            };
            if comps.len() != fs.len() {
                return Err("Fields and comps lists must have equal length".into());
            }
            let mut ops = Vec::new();
            for c in &comps {
                ops.push(
                    Op::from_name(c)
                        .filter(|o| *o != Op::Exists)
                        .ok_or_else(|| format!("'{c}' is not a supported comparison operator"))?,
                );
            }
            let mut alts = Vec::new();
            for v in &ex.values {
                let Value::Seq(vals) = &v.value else {
                    return Err("Fields and values lists must have equal length".into());
                };
                if vals.len() != fs.len() {
                    return Err("Fields and values lists must have equal length".into());
                }
                let mut terms = Vec::new();
                for ((f, op), val) in fs.iter().zip(&ops).zip(vals) {
                    let rhs = value_operands(val, lists, list_used);
                    let is_list = matches!(val.value, Value::Seq(_)) || rhs.len() != 1;
                    terms.push(Expr::Check {
                        field: field_ref(f),
                        op: *op,
                        rhs,
                        paren: is_list || op.takes_list(),
                    });
                }
                alts.push(Expr::And(terms));
            }
            if alts.is_empty() {
                Ok(None)
            } else {
                Ok(Some(Expr::Or(alts)))
            }
        }
    }
}
