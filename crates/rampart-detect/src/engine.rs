//! One detector over both rule languages: an [`Event`] in, alerts in Falco's shape out.
//!
//! [`Detector`] holds a Falco [`Ruleset`] and a [`SigmaRuleset`] (either may be absent),
//! routes each event to both, turns Sigma matches into [`Alert`]s (`rule` is the Sigma
//! title, `output_fields` carry `sigma.id` and `sigma.level`) and, when asked, measures
//! what every rule costs. What happens to the alerts next (noise control, outputs) is
//! [`crate::pipeline`]'s job.

use crate::event::{Event, Source};
use crate::falco::{Alert, RuleCost, Ruleset};
use crate::fields::FieldSource;
use crate::sigma::{LogSource, SigmaRuleset};
use std::borrow::Cow;
use std::sync::Arc;

/// Falco and Sigma rules matched together.
#[derive(Debug)]
pub struct Detector {
    falco: Option<Ruleset>,
    sigma: Option<SigmaRuleset>,
    hostname: Arc<str>,
    profile: bool,
    falco_costs: Vec<RuleCost>,
    sigma_costs: Vec<RuleCost>,
    events: u64,
    matches: u64,
}

/// One rule's cost, as [`Detector::rule_costs`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCostRow {
    /// `falco` or `sigma`.
    pub engine: &'static str,
    /// Rule name (Falco) or title (Sigma).
    pub rule: String,
    /// Evaluations, matches and time.
    pub cost: RuleCost,
}

/// The Sigma log source an event belongs to.
pub fn sigma_source(ev: &Event) -> LogSource<'static> {
    match ev.source {
        Source::K8sAudit => LogSource::new(Some("kubernetes"), None, Some("audit")),
        Source::AwsCloudtrail => LogSource::new(Some("aws"), None, Some("cloudtrail")),
        Source::Syscall => LogSource::new(Some("linux"), Some("process_creation"), None),
        Source::Json => LogSource::new(None, None, None),
    }
}

/// The Falco priority a Sigma `level` maps to.
pub fn falco_priority(level: Option<&str>) -> &'static str {
    match level.unwrap_or_default() {
        "critical" => "Critical",
        "high" => "Error",
        "medium" => "Warning",
        "low" => "Notice",
        _ => "Informational",
    }
}

/// `ns` since the epoch as RFC 3339 (the time of Sigma alerts).
/// (Fractional digits only when non-zero, trailing zeros dropped, as the `time` crate's
/// `Rfc3339` writes them.)
pub fn rfc3339_nanos(ns: u64) -> String {
    let mut buf = [0u8; 30];
    crate::falco::extract::write_datetime(ns / 1_000_000_000, &mut buf[..19]);
    let mut len = 19;
    let frac = ns % 1_000_000_000;
    if frac != 0 {
        buf[19] = b'.';
        crate::falco::extract::put_digits(&mut buf[20..29], frac);
        len = 29;
        while buf[len - 1] == b'0' {
            len -= 1;
        }
    }
    buf[len] = b'Z';
    std::str::from_utf8(&buf[..=len]).map_or_else(|_| String::new(), str::to_string)
}

impl Detector {
    /// A detector over the given rulesets.
    pub fn new(falco: Option<Ruleset>, sigma: Option<SigmaRuleset>) -> Detector {
        Detector {
            falco,
            sigma,
            hostname: Arc::from(""),
            profile: false,
            falco_costs: Vec::new(),
            sigma_costs: Vec::new(),
            events: 0,
            matches: 0,
        }
    }

    /// Sets the hostname alerts carry (Falco and Sigma alike).
    pub fn set_hostname(&mut self, hostname: impl Into<String>) {
        let h: String = hostname.into();
        self.hostname = Arc::from(h.as_str());
        if let Some(rs) = &mut self.falco {
            rs.set_hostname(h);
        }
    }

    /// Measures every rule's evaluation time from now on (one clock read per evaluated rule).
    pub fn set_profiling(&mut self, on: bool) {
        self.profile = on;
    }

    /// The Falco rules.
    pub fn falco(&self) -> Option<&Ruleset> {
        self.falco.as_ref()
    }

    /// The Sigma rules.
    pub fn sigma(&self) -> Option<&SigmaRuleset> {
        self.sigma.as_ref()
    }

    /// Events seen and alerts raised so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.events, self.matches)
    }

    /// Matches `ev` against every rule, appending alerts to `out`.
    pub fn detect(&mut self, ev: &Event, out: &mut Vec<Alert>) {
        self.events += 1;
        let before = out.len();
        if let Some(rs) = &self.falco {
            if self.profile {
                rs.matches_profiled(ev, out, &mut self.falco_costs);
            } else {
                rs.matches(ev, out);
            }
        }
        if let Some(rs) = &self.sigma {
            let mut hits = Vec::new();
            let src = sigma_source(ev);
            let doc;
            let fields: &dyn FieldSource = match &ev.raw {
                Some(raw) if ev.source != Source::Syscall => {
                    doc = raw.root();
                    &doc
                }
                _ => ev,
            };
            if self.profile {
                rs.matches_profiled(src, fields, &mut hits, &mut self.sigma_costs);
            } else {
                rs.matches(src, fields, &mut hits);
            }
            // The event's time, formatted once for all its alerts.
            let mut ev_time = None;
            for m in &hits {
                let mut output_fields = crate::falco::OutputFields::new();
                output_fields.insert(Arc::from("sigma.id"), serde_json::json!(m.id));
                output_fields.insert(Arc::from("sigma.level"), serde_json::json!(m.level));
                let time: &String = ev_time.get_or_insert_with(|| rfc3339_nanos(ev.time));
                let priority = falco_priority(m.level);
                let id = m.id.unwrap_or("-");
                let mut output = String::with_capacity(
                    time.len() + priority.len() + m.title.len() + id.len() + 40,
                );
                output.push_str(time);
                output.push_str(": ");
                output.push_str(priority);
                output.push_str(" Sigma rule matched: ");
                output.push_str(m.title);
                output.push_str(" (id=");
                output.push_str(id);
                output.push(')');
                out.push(Alert {
                    output,
                    time: time.clone(),
                    rule: Arc::from(m.title),
                    priority: Cow::Borrowed(priority),
                    output_fields,
                    source: Cow::Borrowed(ev.source.as_str()),
                    tags: Arc::from(m.tags),
                    hostname: Arc::clone(&self.hostname),
                });
            }
        }
        self.matches += (out.len() - before) as u64;
    }

    /// Per-rule costs measured since profiling was switched on, costliest first; rules
    /// never evaluated are left out.
    pub fn rule_costs(&self) -> Vec<RuleCostRow> {
        let mut rows = Vec::new();
        if let Some(rs) = &self.falco {
            for (name, cost) in rs.rule_names().zip(&self.falco_costs) {
                if cost.evaluated > 0 {
                    rows.push(RuleCostRow {
                        engine: "falco",
                        rule: name.to_string(),
                        cost: *cost,
                    });
                }
            }
        }
        if let Some(rs) = &self.sigma {
            for (rule, cost) in rs.rules().iter().zip(&self.sigma_costs) {
                if cost.evaluated > 0 {
                    rows.push(RuleCostRow {
                        engine: "sigma",
                        rule: rule.title.clone(),
                        cost: *cost,
                    });
                }
            }
        }
        rows.sort_by(|a, b| {
            b.cost
                .nanos
                .cmp(&a.cost.nanos)
                .then_with(|| a.rule.cmp(&b.rule))
        });
        rows
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_nanos_matches_time_crate() {
        let reference = |ns: u64| {
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        for ns in crate::falco::extract::sample_times() {
            assert_eq!(rfc3339_nanos(ns), reference(ns), "{ns}");
        }
    }

    use super::*;
    use crate::event::{EventType, Process};
    use crate::falco::load_falco;
    use crate::sigma::load_sigma;

    const FALCO: &str = "- rule: shell\n  desc: d\n  condition: evt.type=execve and proc.name=bash\n  output: shell %proc.name\n  priority: WARNING\n- rule: never\n  desc: d\n  condition: evt.type=execve and proc.name=zsh\n  output: z\n  priority: NOTICE\n";
    const SIGMA: &str = "title: Bash run\nid: 5b8f3c1e-0000-4000-8000-000000000001\nlevel: high\nlogsource:\n  product: linux\n  category: process_creation\ndetection:\n  sel:\n    Image|endswith: /bash\n  condition: sel\n";

    fn bash() -> Event {
        Event {
            evt_type: EventType::Execve,
            proc: Process {
                name: "bash".into(),
                exepath: "/bin/bash".into(),
                ..Process::default()
            },
            ..Event::default()
        }
    }

    #[test]
    fn falco_and_sigma_alerts_with_costs() {
        let (f, report) = load_falco(&[("r.yaml".as_ref(), FALCO)]);
        assert!(!report.has_errors());
        let (s, statuses) = load_sigma(&[("s.yml", SIGMA)]);
        assert!(statuses.iter().all(|s| s.is_ok()), "{statuses:?}");
        let mut d = Detector::new(Some(f), Some(s));
        d.set_hostname("node-1");
        d.set_profiling(true);
        let mut out = Vec::new();
        d.detect(&bash(), &mut out);
        d.detect(&Event::default(), &mut out);
        let rules: Vec<&str> = out.iter().map(|a| &*a.rule).collect();
        assert_eq!(rules, ["shell", "Bash run"]);
        assert!(out.iter().all(|a| &*a.hostname == "node-1"));
        assert_eq!(out[1].priority, "Error");
        assert_eq!(
            out[1].output_fields["sigma.id"],
            "5b8f3c1e-0000-4000-8000-000000000001"
        );
        assert_eq!(d.counts(), (2, 2));
        let costs = d.rule_costs();
        let shell = costs.iter().find(|r| r.rule == "shell").expect("shell");
        assert_eq!((shell.cost.evaluated, shell.cost.matched), (1, 1));
        // First-match mode: `never` is not evaluated once `shell` matched.
        assert!(costs.iter().all(|r| r.rule != "never"));
        let sigma = costs.iter().find(|r| r.engine == "sigma").expect("sigma");
        assert_eq!(sigma.cost.matched, 1);
    }
}
