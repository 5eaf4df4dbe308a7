//! Noise control: de-duplication per rule and key, and a rate limit per rule, with every
//! suppressed alert counted and reported back as a summary alert.
//!
//! Time is the caller's: [`NoiseControl::admit`] takes "now" in nanoseconds since the Unix
//! epoch. `rampart detect` passes the event's own time (wall-clock time for events without
//! one), so replaying a log gives the same result as watching it live.
//!
//! Memory is bounded: at most [`MAX_KEYS`] de-duplication keys are tracked (expired ones are
//! pruned first); alerts with new keys beyond that pass, never vanish.

use crate::falco::Alert;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

/// Most de-duplication keys tracked at once.
pub const MAX_KEYS: usize = 100_000;

/// `N/DURATION`: at most `count` alerts of one rule per `per` (a token bucket: bursts of up
/// to `count`, refilled evenly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Alerts allowed per period.
    pub count: u32,
    /// The period.
    pub per: Duration,
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(s: &str) -> Result<RateLimit, String> {
        let (n, d) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}': expected N/DURATION, e.g. 10/1m"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("'{s}': '{n}' is not a count"))?;
        if count == 0 {
            return Err(format!("'{s}': the count must be at least 1"));
        }
        let per = parse_duration(d)?;
        Ok(RateLimit { count, per })
    }
}

/// Parses `500ms`, `30s`, `5m`, `2h`, `1d` (or a bare number of seconds). Zero is refused.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (e.g. 30s, 5m, 1h)"))?;
    let scale = match unit {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => return Err(format!("'{s}': unknown unit '{unit}' (ms, s, m, h, d)")),
    };
    let secs = n * scale;
    if !secs.is_finite() || secs <= 0.0 || secs > 1e9 {
        return Err(format!("'{s}': a duration must be positive"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// What to suppress.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoiseConfig {
    /// Suppress an alert when the same rule raised one with the same key within this long.
    pub dedup_window: Option<Duration>,
    /// The key: output field names (`proc.name`, `ka.user.name`) or the alert's own
    /// `rule`, `priority`, `source`, `hostname`, `output`. Empty: every output field except
    /// event time and number.
    pub dedup_key: Vec<String>,
    /// At most this many alerts per rule.
    pub rate_limit: Option<RateLimit>,
}

impl NoiseConfig {
    /// True when nothing is suppressed.
    pub fn is_off(&self) -> bool {
        self.dedup_window.is_none() && self.rate_limit.is_none()
    }

    /// How often a rule with suppressed alerts gets a summary: the longer of the window and
    /// the rate-limit period.
    fn summary_interval(&self) -> u64 {
        let a = self.dedup_window.unwrap_or_default();
        let b = self.rate_limit.map(|r| r.per).unwrap_or_default();
        nanos(a.max(b))
    }
}

/// Why an alert was (not) let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Deliver it.
    Pass,
    /// Same rule and key within the de-duplication window.
    Duplicate,
    /// Over the rule's rate limit.
    RateLimited,
}

/// Suppressed alerts of one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressed {
    /// Duplicates, in all.
    pub duplicates: u64,
    /// Over the rate limit, in all.
    pub rate_limited: u64,
    pending_duplicates: u64,
    pending_rate_limited: u64,
    pending_since: u64,
    last_priority: Cow<'static, str>,
    last_source: Cow<'static, str>,
    last_hostname: Arc<str>,
}

impl Suppressed {
    fn pending(&self) -> u64 {
        self.pending_duplicates + self.pending_rate_limited
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Credit in nanoseconds × count (one alert costs `per` nanoseconds).
    credit: u128,
    last: u64,
}

/// De-duplication and rate limiting state.
#[derive(Debug, Default)]
pub struct NoiseControl {
    config: NoiseConfig,
    /// Key → time its window opened.
    keys: HashMap<String, u64>,
    prune_at: usize,
    buckets: HashMap<Arc<str>, Bucket>,
    suppressed: BTreeMap<Arc<str>, Suppressed>,
    key_buf: String,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn is_time_field(name: &str) -> bool {
    let n = name.strip_prefix("jevt.").or(name.strip_prefix("evt."));
    n.is_some_and(|n| n.starts_with("time") || n == "rawtime" || n == "datetime" || n == "num")
}

fn push_value(key: &mut String, v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => key.push_str(s),
        other => key.push_str(&other.to_string()),
    }
}

impl NoiseControl {
    /// Noise control with `config`.
    pub fn new(config: NoiseConfig) -> NoiseControl {
        NoiseControl {
            config,
            prune_at: 1024,
            ..NoiseControl::default()
        }
    }

    /// The configuration.
    pub fn config(&self) -> &NoiseConfig {
        &self.config
    }

    fn key_of(&mut self, a: &Alert) {
        let key = &mut self.key_buf;
        key.clear();
        key.push_str(&a.rule);
        if self.config.dedup_key.is_empty() {
            for (name, v) in &a.output_fields {
                if !is_time_field(name) {
                    key.push('\u{1f}');
                    key.push_str(name);
                    key.push('=');
                    push_value(key, v);
                }
            }
            return;
        }
        for name in &self.config.dedup_key {
            key.push('\u{1f}');
            match name.as_str() {
                "rule" => {}
                "priority" => key.push_str(&a.priority),
                "source" => key.push_str(&a.source),
                "hostname" => key.push_str(&a.hostname),
                "output" => key.push_str(&a.output),
                field => match a.output_fields.get(field) {
                    Some(v) => push_value(key, v),
                    None => key.push('\u{0}'),
                },
            }
        }
    }

    fn prune(&mut self, now: u64) {
        if let Some(w) = self.config.dedup_window {
            let w = nanos(w);
            self.keys.retain(|_, start| start.saturating_add(w) > now);
        }
        self.prune_at = (self.keys.len() * 2).clamp(1024, MAX_KEYS);
    }

    /// Decides whether `alert`, raised at `now` (ns since the epoch), is delivered; counts
    /// it when it is not.
    pub fn admit(&mut self, alert: &Alert, now: u64) -> Verdict {
        if self.config.is_off() {
            return Verdict::Pass;
        }
        let mut dedup_slot = None;
        if let Some(w) = self.config.dedup_window {
            self.key_of(alert);
            match self.keys.get(self.key_buf.as_str()) {
                Some(&start) if now < start.saturating_add(nanos(w)) => {
                    return self.suppress(alert, now, Verdict::Duplicate);
                }
                Some(_) => dedup_slot = Some(true),
                None => dedup_slot = Some(false),
            }
        }
        if let Some(limit) = self.config.rate_limit {
            let per = u128::from(nanos(limit.per));
            let cap = per * u128::from(limit.count);
            let b = self.buckets.entry(alert.rule.clone()).or_insert(Bucket {
                credit: cap,
                last: now,
            });
            let elapsed = u128::from(now.saturating_sub(b.last));
            b.credit = (b.credit + elapsed * u128::from(limit.count)).min(cap);
            b.last = b.last.max(now);
            if b.credit < per {
                return self.suppress(alert, now, Verdict::RateLimited);
            }
            b.credit -= per;
        }
        match dedup_slot {
            Some(true) => {
                if let Some(start) = self.keys.get_mut(self.key_buf.as_str()) {
                    *start = now;
                }
            }
            Some(false) => {
                if self.keys.len() >= self.prune_at {
                    self.prune(now);
                }
                if self.keys.len() < MAX_KEYS {
                    self.keys.insert(self.key_buf.clone(), now);
                }
            }
            None => {}
        }
        Verdict::Pass
    }

    fn suppress(&mut self, a: &Alert, now: u64, why: Verdict) -> Verdict {
        let s = match self.suppressed.get_mut(&*a.rule) {
            Some(s) => s,
            None => self.suppressed.entry(a.rule.clone()).or_default(),
        };
        if s.pending() == 0 {
            s.pending_since = now;
        }
        if why == Verdict::Duplicate {
            s.duplicates += 1;
            s.pending_duplicates += 1;
        } else {
            s.rate_limited += 1;
            s.pending_rate_limited += 1;
        }
        if s.last_priority != a.priority {
            s.last_priority.clone_from(&a.priority);
        }
        if s.last_source != a.source {
            s.last_source.clone_from(&a.source);
        }
        if s.last_hostname != a.hostname {
            s.last_hostname.clone_from(&a.hostname);
        }
        why
    }

    /// Summary alerts for rules whose suppressed alerts have waited a full interval (the
    /// longer of the window and the rate-limit period) since the last summary.
    pub fn due_summaries(&mut self, now: u64) -> Vec<Alert> {
        let interval = self.config.summary_interval();
        self.summaries(|s| now >= s.pending_since.saturating_add(interval), now)
    }

    /// Summary alerts for every rule with suppressed alerts not yet summarized (at the end
    /// of input).
    pub fn final_summaries(&mut self, now: u64) -> Vec<Alert> {
        self.summaries(|_| true, now)
    }

    fn summaries(&mut self, due: impl Fn(&Suppressed) -> bool, now: u64) -> Vec<Alert> {
        let mut out = Vec::new();
        for (rule, s) in &mut self.suppressed {
            if s.pending() == 0 || !due(s) {
                continue;
            }
            out.push(summary_alert(rule, s, now));
            s.pending_duplicates = 0;
            s.pending_rate_limited = 0;
        }
        out
    }

    /// Suppressed counts per rule, in all.
    pub fn suppressed(&self) -> &BTreeMap<Arc<str>, Suppressed> {
        &self.suppressed
    }
}

/// The rule name of summary alerts.
pub const SUMMARY_RULE: &str = "Alerts suppressed";

fn summary_alert(rule: &str, s: &Suppressed, now: u64) -> Alert {
    let time = crate::falco::extract::format_time(now);
    let since = crate::falco::extract::format_time(s.pending_since);
    let n = s.pending();
    let mut output_fields = crate::falco::OutputFields::new();
    output_fields.insert(Arc::from("suppressed.rule"), rule.into());
    output_fields.insert(Arc::from("suppressed.count"), n.into());
    output_fields.insert(
        Arc::from("suppressed.duplicates"),
        s.pending_duplicates.into(),
    );
    output_fields.insert(
        Arc::from("suppressed.rate_limited"),
        s.pending_rate_limited.into(),
    );
    output_fields.insert(Arc::from("suppressed.since"), since.clone().into());
    Alert {
        output: format!(
            "{}+0000: {} {n} alerts of rule '{rule}' suppressed since {since} ({} duplicates, {} over the rate limit)",
            time.trim_end_matches('Z'),
            s.last_priority,
            s.pending_duplicates,
            s.pending_rate_limited
        ),
        time,
        rule: Arc::from(SUMMARY_RULE),
        priority: s.last_priority.clone(),
        output_fields,
        source: s.last_source.clone(),
        tags: Arc::from(["rampart".to_string(), "suppressed".to_string()]),
        hostname: s.last_hostname.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000_000;

    fn alert(rule: &str, user: &str) -> Alert {
        let mut output_fields = crate::falco::OutputFields::new();
        output_fields.insert(Arc::from("ka.user.name"), user.into());
        output_fields.insert(Arc::from("evt.time"), 12345.into());
        Alert {
            time: String::new(),
            rule: rule.into(),
            priority: "Warning".into(),
            output: format!("{rule} by {user}"),
            output_fields,
            source: "k8s_audit".into(),
            tags: Arc::from([]),
            hostname: "h".into(),
        }
    }

    #[test]
    fn durations_and_rates_parse() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert_eq!(
            "10/1m".parse::<RateLimit>(),
            Ok(RateLimit {
                count: 10,
                per: Duration::from_secs(60)
            })
        );
        assert!("0/1m".parse::<RateLimit>().is_err());
        assert!("10".parse::<RateLimit>().is_err());
    }

    #[test]
    fn dedup_per_rule_and_key_within_window() {
        let mut n = NoiseControl::new(NoiseConfig {
            dedup_window: Some(Duration::from_secs(60)),
            ..NoiseConfig::default()
        });
        let verdicts: Vec<Verdict> = [
            (alert("A", "alice"), 0),
            (alert("A", "alice"), 10 * SEC),
            (alert("A", "bob"), 20 * SEC),
            (alert("B", "alice"), 30 * SEC),
            (alert("A", "alice"), 59 * SEC),
            (alert("A", "alice"), 60 * SEC),
        ]
        .iter()
        .map(|(a, t)| n.admit(a, *t))
        .collect();
        use Verdict::*;
        assert_eq!(verdicts, [Pass, Duplicate, Pass, Pass, Duplicate, Pass]);
        assert_eq!(n.suppressed()["A"].duplicates, 2);
        // Not yet a full window since the first suppression (10 s)...
        assert!(n.due_summaries(69 * SEC).is_empty());
        // ...now it is.
        let s = n.due_summaries(70 * SEC);
        assert_eq!(s.len(), 1);
        assert_eq!(&*s[0].rule, SUMMARY_RULE);
        assert_eq!(s[0].output_fields["suppressed.rule"], "A");
        assert_eq!(s[0].output_fields["suppressed.count"], 2);
        assert_eq!(s[0].priority, "Warning");
        assert!(n.final_summaries(80 * SEC).is_empty());
    }

    #[test]
    fn dedup_on_chosen_fields() {
        let mut n = NoiseControl::new(NoiseConfig {
            dedup_window: Some(Duration::from_secs(60)),
            dedup_key: vec!["source".into()],
            ..NoiseConfig::default()
        });
        assert_eq!(n.admit(&alert("A", "alice"), 0), Verdict::Pass);
        assert_eq!(n.admit(&alert("A", "bob"), 1), Verdict::Duplicate);
        assert_eq!(n.admit(&alert("B", "bob"), 2), Verdict::Pass);
    }

    #[test]
    fn rate_limit_is_a_token_bucket_per_rule() {
        let mut n = NoiseControl::new(NoiseConfig {
            rate_limit: Some("2/10s".parse().unwrap()),
            ..NoiseConfig::default()
        });
        let a = alert("A", "x");
        let got: Vec<Verdict> = [0, 1, 2, 4 * SEC, 5 * SEC, 6 * SEC]
            .iter()
            .map(|&t| n.admit(&a, t))
            .collect();
        use Verdict::*;
        // Burst of 2, then one token every 5 s.
        assert_eq!(
            got,
            [Pass, Pass, RateLimited, RateLimited, Pass, RateLimited]
        );
        assert_eq!(n.admit(&alert("B", "x"), 6 * SEC), Pass);
        let s = n.final_summaries(7 * SEC);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].output_fields["suppressed.rate_limited"], 3);
        assert!(
            s[0].output.contains("3 alerts of rule 'A' suppressed"),
            "{}",
            s[0].output
        );
    }

    #[test]
    fn keys_stay_bounded() {
        let mut n = NoiseControl::new(NoiseConfig {
            dedup_window: Some(Duration::from_secs(1)),
            ..NoiseConfig::default()
        });
        for i in 0..50_000u64 {
            let a = alert("A", &i.to_string());
            assert_eq!(n.admit(&a, i * SEC / 100), Verdict::Pass);
        }
        assert!(n.keys.len() < 2048, "{}", n.keys.len());
    }
}
