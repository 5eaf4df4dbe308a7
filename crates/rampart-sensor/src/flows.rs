//! Service traffic: connect and accept events summarized as flows, and baselines of known
//! flows. Owns the flow key, the table of counts and first/last seen, the JSON-lines form
//! of both and the baseline file's parser; leaves capture (the sensor), pod names (the
//! caller, e.g. [`crate::pods`]) and alerting (the CLI) to others.
//!
//! A flow is one process (executable, container, pod) talking to one remote address and
//! service port with one protocol, in one direction:
//! - `outbound` (connect): `address:port` is the destination;
//! - `inbound` (accept): `address` is the client, `port` the local service port (the
//!   client's ephemeral port is left out, so each client is one flow).
//!
//! A baseline is a set of flows without their container id and pod name, which change
//! with every restart and replica; the namespace, executable, address, port, protocol and
//! direction remain. Any flows file is a valid baseline.
//!
//! ```
//! use rampart_detect::event::{Event, EventType, Fd, FdType, Process};
//! use rampart_sensor::flows::{Baseline, FlowTable};
//!
//! let ev = Event {
//!     time: 1_700_000_000_000_000_000,
//!     evt_type: EventType::Connect,
//!     res: Some(0),
//!     proc: Process { exepath: "/usr/bin/curl".into(), ..Process::default() },
//!     fd: Some(Fd {
//!         fd_type: FdType::Ipv4,
//!         l4proto: "tcp".into(),
//!         sip: Some("10.0.0.5".parse().unwrap()),
//!         sport: Some(443),
//!         ..Fd::default()
//!     }),
//!     ..Event::default()
//! };
//! let mut table = FlowTable::default();
//! let key = table.observe(&ev, None).expect("a flow");
//! assert_eq!((key.address.as_str(), key.port), ("10.0.0.5", 443));
//! let text = table.to_jsonl();
//! let baseline = Baseline::parse("flows.jsonl", &text).unwrap();
//! assert!(baseline.contains(&key));
//! ```

use rampart_detect::engine::rfc3339_nanos;
use rampart_detect::event::{Event, EventType, FdType};
use std::collections::{BTreeMap, HashSet};

/// `-EINPROGRESS`: a non-blocking connect under way, as good as connected for a flow.
const EINPROGRESS: i64 = -115;

/// Which side of the connection the process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// The process connected.
    Outbound,
    /// The process accepted.
    Inbound,
}

impl Direction {
    /// `outbound` or `inbound`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        }
    }

    fn from_name(s: &str) -> Option<Direction> {
        match s {
            "outbound" => Some(Direction::Outbound),
            "inbound" => Some(Direction::Inbound),
            _ => None,
        }
    }
}

/// What makes two connections the same flow.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    /// Outbound or inbound.
    pub direction: Direction,
    /// Short container id, empty on the host.
    pub container_id: String,
    /// Kubernetes namespace, empty when unknown.
    pub namespace: String,
    /// Pod name, empty when unknown.
    pub pod: String,
    /// The process's executable path (its name when the path is unknown).
    pub exe: String,
    /// The remote address: the destination (outbound) or the client (inbound).
    pub address: String,
    /// The service port: the destination's (outbound) or the local one (inbound).
    pub port: u16,
    /// `tcp`, `udp`, ...
    pub protocol: String,
}

impl FlowKey {
    /// The flow of a connect or accept event, if it is one (an IPv4/IPv6 socket, a call
    /// that succeeded or, for a non-blocking connect, is in progress).
    pub fn of(ev: &Event) -> Option<FlowKey> {
        let fd = ev.fd.as_ref()?;
        if !matches!(fd.fd_type, FdType::Ipv4 | FdType::Ipv6) {
            return None;
        }
        let res = ev.res.unwrap_or(0);
        let direction = match ev.evt_type {
            EventType::Connect if res == 0 || res == EINPROGRESS => Direction::Outbound,
            EventType::Accept | EventType::Accept4 if res >= 0 => Direction::Inbound,
            _ => return None,
        };
        let (address, port) = match direction {
            Direction::Outbound => (fd.sip?, fd.sport?),
            Direction::Inbound => (fd.cip?, fd.sport?),
        };
        let exe = if ev.proc.exepath.is_empty() {
            ev.proc.name.clone()
        } else {
            ev.proc.exepath.clone()
        };
        let (namespace, pod) = ev
            .k8s
            .as_ref()
            .map(|k| (k.ns_name.clone(), k.pod_name.clone()))
            .unwrap_or_default();
        Some(FlowKey {
            direction,
            container_id: ev
                .container
                .as_ref()
                .map(|c| c.id.clone())
                .unwrap_or_default(),
            namespace,
            pod,
            exe,
            address: address.to_string(),
            port,
            protocol: if fd.l4proto.is_empty() {
                "ip".into()
            } else {
                fd.l4proto.clone()
            },
        })
    }

    /// The part of the key a baseline keeps.
    pub fn baseline_key(&self) -> BaselineKey {
        BaselineKey {
            direction: self.direction,
            namespace: self.namespace.clone(),
            exe: self.exe.clone(),
            address: self.address.clone(),
            port: self.port,
            protocol: self.protocol.clone(),
        }
    }
}

/// A flow as a baseline knows it: no container id or pod name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BaselineKey {
    /// Outbound or inbound.
    pub direction: Direction,
    /// Kubernetes namespace, empty when unknown.
    pub namespace: String,
    /// Executable path.
    pub exe: String,
    /// Remote address.
    pub address: String,
    /// Service port.
    pub port: u16,
    /// Protocol.
    pub protocol: String,
}

/// Counts of one flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowStats {
    /// Connections seen.
    pub count: u64,
    /// First connection, ns since the epoch.
    pub first_seen: u64,
    /// Latest connection, ns since the epoch.
    pub last_seen: u64,
    /// The remote pod (`namespace/name`), when known.
    pub remote_pod: String,
}

/// Every flow seen, with counts.
#[derive(Debug, Default)]
pub struct FlowTable {
    flows: BTreeMap<FlowKey, FlowStats>,
}

impl FlowTable {
    /// Counts `ev` if it is a flow event; returns its key. `remote_pod` names the remote
    /// end's pod (`namespace/name`) when the caller knows it.
    pub fn observe(&mut self, ev: &Event, remote_pod: Option<&str>) -> Option<FlowKey> {
        let key = FlowKey::of(ev)?;
        let s = self.flows.entry(key.clone()).or_insert(FlowStats {
            count: 0,
            first_seen: ev.time,
            last_seen: ev.time,
            remote_pod: String::new(),
        });
        s.count += 1;
        s.first_seen = s.first_seen.min(ev.time);
        s.last_seen = s.last_seen.max(ev.time);
        if let Some(p) = remote_pod {
            s.remote_pod = p.to_string();
        }
        Some(key)
    }

    /// Number of flows.
    pub fn len(&self) -> usize {
        self.flows.len()
    }

    /// No flow seen yet.
    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }

    /// The flows, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&FlowKey, &FlowStats)> {
        self.flows.iter()
    }

    /// One JSON object per flow and line.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for (k, s) in &self.flows {
            out.push_str(&flow_json(k, s).to_string());
            out.push('\n');
        }
        out
    }
}

/// A flow as one JSON object.
pub fn flow_json(k: &FlowKey, s: &FlowStats) -> serde_json::Value {
    let mut v = serde_json::json!({
        "direction": k.direction.as_str(),
        "exe": k.exe,
        "address": k.address,
        "port": k.port,
        "protocol": k.protocol,
        "count": s.count,
        "first_seen": rfc3339_nanos(s.first_seen),
        "last_seen": rfc3339_nanos(s.last_seen),
    });
    let opt = [
        ("container_id", &k.container_id),
        ("namespace", &k.namespace),
        ("pod", &k.pod),
        ("remote_pod", &s.remote_pod),
    ];
    for (name, val) in opt {
        if !val.is_empty() {
            v[name] = serde_json::json!(val);
        }
    }
    v
}

/// A baseline or flows file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: line {line}: {reason}")]
pub struct FlowError {
    /// The file.
    pub path: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// The flows known to be normal.
#[derive(Debug, Default, Clone)]
pub struct Baseline {
    keys: HashSet<BaselineKey>,
}

impl Baseline {
    /// Reads a baseline (or flows) file's text: one flow object per line; blank lines are
    /// skipped. `path` names the file in errors.
    pub fn parse(path: &str, text: &str) -> Result<Baseline, FlowError> {
        let mut keys = HashSet::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let err = |reason: String| FlowError {
                path: path.to_string(),
                line: i + 1,
                reason,
            };
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| err(format!("not JSON: {e}")))?;
            let text_field = |name: &str, required: bool| -> Result<String, FlowError> {
                match v.get(name) {
                    Some(serde_json::Value::String(s)) => Ok(s.clone()),
                    None if !required => Ok(String::new()),
                    _ => Err(err(format!("`{name}` is missing or not a string"))),
                }
            };
            let direction = Direction::from_name(&text_field("direction", true)?)
                .ok_or_else(|| err("`direction` is neither outbound nor inbound".into()))?;
            let port = v
                .get("port")
                .and_then(serde_json::Value::as_u64)
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| err("`port` is missing or not a port number".into()))?;
            keys.insert(BaselineKey {
                direction,
                namespace: text_field("namespace", false)?,
                exe: text_field("exe", true)?,
                address: text_field("address", true)?,
                port,
                protocol: text_field("protocol", true)?,
            });
        }
        Ok(Baseline { keys })
    }

    /// The baseline of every flow in `table`.
    pub fn from_table(table: &FlowTable) -> Baseline {
        Baseline {
            keys: table.iter().map(|(k, _)| k.baseline_key()).collect(),
        }
    }

    /// Whether `key` is a known flow.
    pub fn contains(&self, key: &FlowKey) -> bool {
        self.keys.contains(&key.baseline_key())
    }

    /// Adds a flow; true when it was new.
    pub fn insert(&mut self, key: &FlowKey) -> bool {
        self.keys.insert(key.baseline_key())
    }

    /// Number of known flows.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// No flow known.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_detect::event::{Container, Fd, K8s, Process};

    fn ev(t: EventType, res: i64, sip: &str, sport: u16, cip: &str, cport: u16) -> Event {
        let is_server = t != EventType::Connect;
        Event {
            time: 10,
            evt_type: t,
            res: Some(res),
            proc: Process {
                name: "curl".into(),
                exepath: "/usr/bin/curl".into(),
                ..Process::default()
            },
            fd: Some(Fd {
                fd_type: FdType::Ipv4,
                l4proto: "tcp".into(),
                sip: Some(sip.parse().expect("ip")),
                sport: Some(sport),
                cip: Some(cip.parse().expect("ip")),
                cport: Some(cport),
                is_server,
                ..Fd::default()
            }),
            ..Event::default()
        }
    }

    #[test]
    fn connects_and_accepts_become_flows_with_counts() {
        let mut t = FlowTable::default();
        let mut a = ev(EventType::Connect, 0, "10.0.0.5", 443, "10.0.0.1", 40000);
        a.container = Some(Container {
            id: "0a1b2c3d4e5f".into(),
            ..Container::default()
        });
        a.k8s = Some(K8s {
            ns_name: "shop".into(),
            pod_name: "web-1".into(),
            ..K8s::default()
        });
        let k = t.observe(&a, Some("db/postgres-0")).expect("flow");
        assert_eq!(k.direction, Direction::Outbound);
        a.time = 20;
        // Another connection from another client port: the same flow.
        a.fd.as_mut().expect("fd").cport = Some(40001);
        assert_eq!(t.observe(&a, None), Some(k.clone()));
        // Accepts: the client address and the local port.
        let b = ev(EventType::Accept4, 4, "127.0.0.1", 8080, "127.0.0.1", 51000);
        let kb = t.observe(&b, None).expect("flow");
        assert_eq!(
            (kb.direction, kb.address.as_str(), kb.port),
            (Direction::Inbound, "127.0.0.1", 8080)
        );
        // Failed calls and non-sockets are not flows.
        assert_eq!(
            t.observe(
                &ev(EventType::Connect, -111, "1.2.3.4", 1, "1.1.1.1", 2),
                None
            ),
            None
        );
        assert!(
            t.observe(
                &ev(EventType::Connect, -115, "1.2.3.4", 1, "1.1.1.1", 2),
                None
            )
            .is_some()
        );
        let mut file = ev(EventType::Connect, 0, "1.2.3.4", 1, "1.1.1.1", 2);
        file.fd.as_mut().expect("fd").fd_type = FdType::Unix;
        assert_eq!(t.observe(&file, None), None);
        assert_eq!(t.len(), 3);

        let lines: Vec<serde_json::Value> = t
            .to_jsonl()
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        let web = lines
            .iter()
            .find(|l| l["pod"] == "web-1")
            .expect("web flow");
        assert_eq!(web["count"], 2);
        assert_eq!(web["namespace"], "shop");
        assert_eq!(web["container_id"], "0a1b2c3d4e5f");
        assert_eq!(web["remote_pod"], "db/postgres-0");
        assert_eq!(web["exe"], "/usr/bin/curl");
        assert_eq!(web["first_seen"], "1970-01-01T00:00:00.00000001Z");
        assert_eq!(web["last_seen"], "1970-01-01T00:00:00.00000002Z");
    }

    #[test]
    fn baseline_ignores_pod_names_and_rejects_bad_lines() {
        let mut t = FlowTable::default();
        let mut a = ev(EventType::Connect, 0, "10.0.0.5", 443, "10.0.0.1", 40000);
        a.k8s = Some(K8s {
            ns_name: "shop".into(),
            pod_name: "web-1".into(),
            ..K8s::default()
        });
        t.observe(&a, None);
        let b = Baseline::parse("base.jsonl", &format!("\n{}", t.to_jsonl())).expect("parses");
        assert_eq!(b.len(), 1);
        // Another replica of the same workload: known.
        a.k8s.as_mut().expect("k8s").pod_name = "web-2".into();
        assert!(b.contains(&FlowKey::of(&a).expect("flow")));
        // Another port: new.
        a.fd.as_mut().expect("fd").sport = Some(444);
        assert!(!b.contains(&FlowKey::of(&a).expect("flow")));

        let e = Baseline::parse("base.jsonl", "{\"direction\":\"outbound\"}\nnot json")
            .expect_err("bad");
        assert_eq!((e.path.as_str(), e.line), ("base.jsonl", 1));
        assert!(e.to_string().starts_with("base.jsonl: line 1: "), "{e}");
        let e = Baseline::parse("b", "{\"direction\":\"sideways\",\"exe\":\"x\",\"address\":\"a\",\"port\":1,\"protocol\":\"tcp\"}").expect_err("bad");
        assert!(e.reason.contains("direction"), "{e}");
        let e = Baseline::parse("b", "{\"direction\":\"inbound\",\"exe\":\"x\",\"address\":\"a\",\"port\":70000,\"protocol\":\"tcp\"}").expect_err("bad");
        assert!(e.reason.contains("port"), "{e}");
    }
}
