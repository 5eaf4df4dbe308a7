//! What happens to an alert after a rule fired: noise control, then every configured
//! output. The same pipeline serves `rampart detect` (files, stdin, the audit webhook) and
//! the sensor.
//!
//! ```
//! use rampart_detect::falco::Alert;
//! use rampart_detect::noise::NoiseConfig;
//! use rampart_detect::output::{AlertFormat, WriterSink};
//! use rampart_detect::pipeline::AlertPipeline;
//! use std::time::Duration;
//!
//! let mut p = AlertPipeline::new(NoiseConfig {
//!     dedup_window: Some(Duration::from_secs(60)),
//!     ..NoiseConfig::default()
//! });
//! p.add_sink(Box::new(WriterSink::new("buffer", Vec::new(), AlertFormat::Json)));
//! let alert = Alert {
//!     time: "2024-01-01T00:00:00.000000000Z".into(),
//!     rule: "Shell in container".into(),
//!     priority: "Warning".into(),
//!     output: "shell".into(),
//!     output_fields: Default::default(),
//!     source: "syscall".into(),
//!     tags: Default::default(),
//!     hostname: "node-1".into(),
//! };
//! p.submit(&alert, 0).unwrap();
//! p.submit(&alert, 1).unwrap(); // a duplicate: counted, not delivered
//! let report = p.finish(2).unwrap();
//! assert_eq!((report.alerts, report.delivered, report.duplicates), (2, 1, 1));
//! assert_eq!(report.summaries, 1); // "1 alerts of rule 'Shell in container' suppressed"
//! ```
//!
//! Outputs never stop detection: a failed delivery is counted per output (and retried
//! where the output retries). Only an output that is gone for good (stdout closed by its
//! reader) ends the pipeline, with [`Closed`].

use crate::falco::Alert;
use crate::noise::{NoiseConfig, NoiseControl, Suppressed, Verdict};
use crate::output::{Sink, SinkError, SinkStats};
use std::collections::BTreeMap;

/// An output that cannot take any more alerts (its reader went away).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{output}: {reason}")]
pub struct Closed {
    /// The output's name.
    pub output: String,
    /// Why.
    pub reason: String,
}

/// Counts of one pipeline run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineReport {
    /// Alerts submitted.
    pub alerts: u64,
    /// Alerts delivered to the outputs (summaries not included).
    pub delivered: u64,
    /// Suppressed as duplicates.
    pub duplicates: u64,
    /// Suppressed by the rate limit.
    pub rate_limited: u64,
    /// Summary alerts emitted for suppressed ones.
    pub summaries: u64,
    /// Suppressed counts per rule.
    pub suppressed: BTreeMap<String, Suppressed>,
    /// Per output: its name and counts.
    pub outputs: Vec<(String, SinkStats)>,
}

/// Noise control followed by outputs.
#[derive(Debug)]
pub struct AlertPipeline {
    noise: NoiseControl,
    sinks: Vec<Box<dyn Sink>>,
    report: PipelineReport,
}

impl AlertPipeline {
    /// A pipeline with `noise` control and no outputs yet.
    pub fn new(noise: NoiseConfig) -> AlertPipeline {
        AlertPipeline {
            noise: NoiseControl::new(noise),
            sinks: Vec::new(),
            report: PipelineReport::default(),
        }
    }

    /// Adds an output; alerts go to every output, in the order they were added.
    pub fn add_sink(&mut self, sink: Box<dyn Sink>) {
        self.sinks.push(sink);
    }

    fn deliver(&mut self, alert: &Alert) -> Result<(), Closed> {
        for s in &mut self.sinks {
            if let Err(SinkError::Closed(reason)) = s.send(alert) {
                return Err(Closed {
                    output: s.name().to_string(),
                    reason,
                });
            }
        }
        Ok(())
    }

    /// Submits one alert raised at `now` (ns since the epoch: the event's time, or the
    /// clock's). Delivers it unless suppressed, and any summary that fell due.
    pub fn submit(&mut self, alert: &Alert, now: u64) -> Result<Verdict, Closed> {
        self.report.alerts += 1;
        let verdict = self.noise.admit(alert, now);
        match verdict {
            Verdict::Pass => {
                self.report.delivered += 1;
                self.deliver(alert)?;
            }
            Verdict::Duplicate => self.report.duplicates += 1,
            Verdict::RateLimited => self.report.rate_limited += 1,
        }
        if !self.noise.config().is_off() {
            for s in self.noise.due_summaries(now) {
                self.report.summaries += 1;
                self.deliver(&s)?;
            }
        }
        Ok(verdict)
    }

    /// Flushes buffered outputs (call before waiting for more input).
    pub fn flush(&mut self) -> Result<(), Closed> {
        for s in &mut self.sinks {
            if let Err(SinkError::Closed(reason)) = s.flush() {
                return Err(Closed {
                    output: s.name().to_string(),
                    reason,
                });
            }
        }
        Ok(())
    }

    /// Counts so far (outputs' counts as of now).
    pub fn report(&self) -> PipelineReport {
        let mut r = self.report.clone();
        r.suppressed = self
            .noise
            .suppressed()
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        r.outputs = self
            .sinks
            .iter()
            .map(|s| (s.name().to_string(), s.stats()))
            .collect();
        r
    }

    /// Ends the run at `now`: delivers the summaries of suppressed alerts, flushes, waits
    /// for background outputs to deliver what they hold, and returns the counts.
    pub fn finish(mut self, now: u64) -> Result<PipelineReport, Closed> {
        for s in self.noise.final_summaries(now) {
            self.report.summaries += 1;
            self.deliver(&s)?;
        }
        self.flush()?;
        for s in &mut self.sinks {
            s.close();
        }
        Ok(self.report())
    }
}
