//! The JSON documents of `run --json` and `sweep --json`, serialized
//! straight to the output: a center with hundreds of queues and dozens of
//! intervals has hundreds of thousands of figures, which a JSON tree in
//! memory would hold several times over.

use super::{named, IntervalSummary, ReplicationMetrics, ScopeSummary, Summary};
use crate::scenario::Scenario;
use crate::stats::{AGENT_METRICS, CALL_METRICS, TOTAL_METRICS};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A number, or `null` when undefined.
struct Number(f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() {
            s.serialize_f64(self.0)
        } else {
            s.serialize_none()
        }
    }
}

/// `{"mean": …, "ci95": …}`.
impl Serialize for super::Estimate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("mean", &Number(self.mean))?;
        m.serialize_entry("ci95", &Number(self.ci95))?;
        m.end()
    }
}

/// One interval's start, label and metrics.
struct Interval<'a>(&'a IntervalSummary);

impl Serialize for Interval<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("start_s", &self.0.start_s)?;
        m.serialize_entry("label", &self.0.label)?;
        for (k, e) in &self.0.metrics {
            m.serialize_entry(k, e)?;
        }
        m.end()
    }
}

/// A scope: its name (queues and groups), its metrics, its intervals.
struct Scope<'a> {
    scope: &'a ScopeSummary,
    with_name: bool,
}

impl Serialize for Scope<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if self.with_name {
            m.serialize_entry("name", &self.scope.name)?;
        }
        for (k, e) in &self.scope.metrics {
            m.serialize_entry(k, e)?;
        }
        m.serialize_entry("intervals", &Seq(&self.scope.intervals, Interval))?;
        m.end()
    }
}

/// A sequence of items shown through `wrap`.
struct Seq<'a, T, W, F: Fn(&'a T) -> W>(&'a [T], F);

impl<'a, T, W: Serialize, F: Fn(&'a T) -> W> Serialize for Seq<'a, T, W, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item))?;
        }
        seq.end()
    }
}

/// Plain values (one replication) of one scope, whole run then intervals.
struct PlainScope<'a> {
    name: Option<&'a str>,
    /// Per interval (None: whole run): the named values.
    values: &'a dyn Fn(Option<usize>) -> Vec<(&'static str, f64)>,
    labels: &'a [(f64, String)],
}

impl Serialize for PlainScope<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(n) = self.name {
            m.serialize_entry("name", n)?;
        }
        for (k, v) in (self.values)(None) {
            m.serialize_entry(k, &Number(v))?;
        }
        m.serialize_entry(
            "intervals",
            &PlainIntervals {
                values: self.values,
                labels: self.labels,
            },
        )?;
        m.end()
    }
}

struct PlainIntervals<'a> {
    values: &'a dyn Fn(Option<usize>) -> Vec<(&'static str, f64)>,
    labels: &'a [(f64, String)],
}

impl Serialize for PlainIntervals<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.labels.len()))?;
        for (k, (start, label)) in self.labels.iter().enumerate() {
            seq.serialize_element(&PlainInterval {
                start: *start,
                label,
                values: (self.values)(Some(k)),
            })?;
        }
        seq.end()
    }
}

struct PlainInterval<'a> {
    start: f64,
    label: &'a str,
    values: Vec<(&'static str, f64)>,
}

impl Serialize for PlainInterval<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("start_s", &self.start)?;
        m.serialize_entry("label", self.label)?;
        for (k, v) in &self.values {
            m.serialize_entry(k, &Number(*v))?;
        }
        m.end()
    }
}

/// One replication's plain values, in the blocks of the summary.
struct Replication<'a> {
    sc: &'a Scenario,
    r: &'a ReplicationMetrics,
    labels: &'a [(f64, String)],
}

impl Serialize for Replication<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("replication", &r.replication)?;
        let total = |k: Option<usize>| {
            let mut v = named(&CALL_METRICS, &r.total_calls, k);
            v.extend(named(&AGENT_METRICS, &r.total_agents, k));
            v.extend(named(&TOTAL_METRICS, &r.total_extra, k));
            v.extend(super::escalation_part(r, None, k));
            v.extend(super::blocked_part(r, None, k));
            v.extend(super::retrial_part(r, None, k));
            v.extend(super::callback_part(r, None, k));
            v
        };
        m.serialize_entry(
            "total",
            &PlainScope {
                name: None,
                values: &total,
                labels: self.labels,
            },
        )?;
        m.serialize_entry(
            "queues",
            &ReplicationList {
                rep: self,
                kind: ListKind::Queues,
            },
        )?;
        m.serialize_entry(
            "agent_groups",
            &ReplicationList {
                rep: self,
                kind: ListKind::Groups,
            },
        )?;
        if !r.campaigns.is_empty() {
            m.serialize_entry(
                "campaigns",
                &ReplicationList {
                    rep: self,
                    kind: ListKind::Campaigns,
                },
            )?;
        }
        m.end()
    }
}

/// Which list of one replication.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Queues,
    Groups,
    Campaigns,
}

/// The queues (groups, campaigns) of one replication.
struct ReplicationList<'a> {
    rep: &'a Replication<'a>,
    kind: ListKind,
}

impl Serialize for ReplicationList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (sc, r, labels) = (self.rep.sc, self.rep.r, self.rep.labels);
        let n = match self.kind {
            ListKind::Queues => r.queues.len(),
            ListKind::Groups => r.groups.len(),
            ListKind::Campaigns => r.campaigns.len(),
        };
        let mut seq = s.serialize_seq(Some(n))?;
        for i in 0..n {
            if self.kind == ListKind::Campaigns {
                let values =
                    |k: Option<usize>| named(&crate::stats::CAMPAIGN_METRICS, &r.campaigns[i], k);
                seq.serialize_element(&PlainScope {
                    name: Some(&sc.campaigns[i].name),
                    values: &values,
                    labels,
                })?;
            } else if self.kind == ListKind::Queues {
                let values = |k: Option<usize>| {
                    let mut v = named(&CALL_METRICS, &r.queues[i], k);
                    v.extend(super::escalation_part(r, Some(i), k));
                    v.extend(super::retrial_part(r, Some(i), k));
                    v.extend(super::callback_part(r, Some(i), k));
                    v
                };
                seq.serialize_element(&PlainScope {
                    name: Some(&sc.queues[i].name),
                    values: &values,
                    labels,
                })?;
            } else {
                let values = |k: Option<usize>| {
                    let mut v = named(&AGENT_METRICS, &r.groups[i], k);
                    v.extend(super::blocked_part(r, Some(i), k));
                    v
                };
                seq.serialize_element(&PlainScope {
                    name: Some(&sc.agent_groups[i].name),
                    values: &values,
                    labels,
                })?;
            }
        }
        seq.end()
    }
}

/// The document of `run --json`.
pub struct Document<'a> {
    summary: &'a Summary,
    per_replication: Option<(&'a Scenario, &'a [ReplicationMetrics])>,
}

impl<'a> Document<'a> {
    pub fn new(summary: &'a Summary) -> Document<'a> {
        Document {
            summary,
            per_replication: None,
        }
    }

    /// With `per_replication`: each replication's plain values.
    pub fn with_replications(
        summary: &'a Summary,
        sc: &'a Scenario,
        reps: &'a [ReplicationMetrics],
    ) -> Document<'a> {
        Document {
            summary,
            per_replication: Some((sc, reps)),
        }
    }

    /// Writes this document's fields into an open map (a sweep's variant adds its own first).
    pub fn write_fields<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        let s = self.summary;
        m.serialize_entry("scenario", &s.scenario)?;
        m.serialize_entry("seed", &s.seed)?;
        m.serialize_entry("replications", &s.replications)?;
        m.serialize_entry("warmup_s", &s.warmup_s)?;
        m.serialize_entry("window_s", &s.window_s)?;
        m.serialize_entry("interval_s", &s.interval_s)?;
        m.serialize_entry("clock_start", &s.clock_start)?;
        m.serialize_entry("closing", &s.closing)?;
        if let Some(at) = s.stopped_at_s {
            m.serialize_entry("stopped_at_s", &at)?;
        }
        m.serialize_entry("calls_generated", &s.calls_generated)?;
        m.serialize_entry("events", &s.events)?;
        m.serialize_entry(
            "total",
            &Scope {
                scope: &s.total,
                with_name: false,
            },
        )?;
        let named_scope = |x: &'a ScopeSummary| Scope {
            scope: x,
            with_name: true,
        };
        m.serialize_entry("queues", &Seq(&s.queues, named_scope))?;
        m.serialize_entry("agent_groups", &Seq(&s.agent_groups, named_scope))?;
        if !s.campaigns.is_empty() {
            m.serialize_entry("campaigns", &Seq(&s.campaigns, named_scope))?;
        }
        if let Some((sc, reps)) = self.per_replication {
            let labels: Vec<(f64, String)> = s
                .total
                .intervals
                .iter()
                .map(|i| (i.start_s, i.label.clone()))
                .collect();
            let rep = |r: &'a ReplicationMetrics| Replication {
                sc,
                r,
                labels: &labels,
            };
            m.serialize_entry("per_replication", &SeqRef(reps, &rep))?;
        }
        Ok(())
    }
}

/// Like [`Seq`], with a borrowed wrapping closure.
struct SeqRef<'a, 'f, T, W>(&'a [T], &'f dyn Fn(&'a T) -> W);

impl<'a, T, W: Serialize> Serialize for SeqRef<'a, '_, T, W> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item))?;
        }
        seq.end()
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        self.write_fields(&mut m)?;
        m.end()
    }
}
