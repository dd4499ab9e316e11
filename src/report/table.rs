//! Text tables for a terminal: the summary of `acdsim run` and the
//! per-interval tables of `--intervals`. Every table fits in 100 columns:
//! columns that do not fit go to a continuation table that repeats the row
//! names. Names are shortened and control characters escaped, so a scenario
//! can neither break the layout nor write to the terminal.

use super::{Estimate, ScopeSummary, Summary};
use std::fmt::Write as _;

/// Width the tables fit in.
pub const WIDTH: usize = 100;
/// Longest row name shown (longer ones end with an ellipsis).
const MAX_NAME: usize = 24;

/// How a value is shown.
#[derive(Clone, Copy)]
pub enum Fmt {
    Count,
    /// Agents: whole numbers as such, a mean over time with one decimal.
    Agents,
    Percent,
    Secs,
    Rate,
    Money,
}

/// A name as it can be shown: hidden characters escaped, at most `max` characters.
pub fn display_name(name: &str, max: usize) -> String {
    crate::text::shown(name, max)
}

/// A value with its confidence half-width, as the tables show it.
pub fn cell(e: Estimate, f: Fmt) -> String {
    if !e.mean.is_finite() {
        return "-".to_string();
    }
    let (scale, prec, suffix) = match f {
        Fmt::Count => (
            1.0,
            if e.mean.fract() == 0.0 && (e.ci95.is_nan() || e.ci95 == 0.0) {
                0
            } else {
                1
            },
            "",
        ),
        Fmt::Agents => (1.0, if e.mean.fract() == 0.0 { 0 } else { 1 }, ""),
        Fmt::Percent => (100.0, 2, "%"),
        Fmt::Secs | Fmt::Rate | Fmt::Money => (1.0, 2, ""),
    };
    let mean = format!("{:.*}{}", prec, e.mean * scale, suffix);
    if e.ci95.is_finite() && e.ci95 > 0.0 {
        format!("{mean} ±{:.*}", prec, e.ci95 * scale)
    } else {
        mean
    }
}

/// A table: a first column of row names, then value columns.
pub struct Table {
    first: String,
    rows: Vec<String>,
    columns: Vec<(String, Vec<String>)>,
}

impl Table {
    pub fn new(first: &str, rows: Vec<String>) -> Table {
        Table {
            first: first.to_string(),
            rows: rows.iter().map(|r| display_name(r, MAX_NAME)).collect(),
            columns: Vec::new(),
        }
    }

    pub fn column(&mut self, header: &str, cells: Vec<String>) {
        self.columns.push((header.to_string(), cells));
    }

    /// The table, split into parts of at most [`WIDTH`] columns.
    pub fn render(&self) -> String {
        let name_w = self
            .rows
            .iter()
            .map(|r| r.chars().count())
            .chain([self.first.chars().count()])
            .max()
            .unwrap_or(0);
        let widths: Vec<usize> = self
            .columns
            .iter()
            .map(|(h, cells)| {
                cells
                    .iter()
                    .map(|c| c.chars().count())
                    .chain([h.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut parts: Vec<Vec<usize>> = vec![Vec::new()];
        let mut used = name_w;
        for (i, w) in widths.iter().enumerate() {
            let last = parts.last_mut().expect("one part");
            if !last.is_empty() && used + 2 + w > WIDTH {
                parts.push(vec![i]);
                used = name_w + 2 + w;
            } else {
                last.push(i);
                used += 2 + w;
            }
        }
        let mut out = String::new();
        for (p, part) in parts.iter().enumerate() {
            if p > 0 {
                out.push('\n');
            }
            let mut line = format!("{:<w$}", self.first, w = name_w);
            for &i in part {
                let _ = write!(line, "  {:>w$}", self.columns[i].0, w = widths[i]);
            }
            out.push_str(line.trim_end());
            out.push('\n');
            for (r, name) in self.rows.iter().enumerate() {
                let mut line = format!("{:<w$}", name, w = name_w);
                for &i in part {
                    let _ = write!(line, "  {:>w$}", self.columns[i].1[r], w = widths[i]);
                }
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        out
    }
}

/// Adds a column of `metric` for every scope, formatted with `f`.
fn metric_column(t: &mut Table, header: &str, scopes: &[&ScopeSummary], metric: &str, f: Fmt) {
    t.column(
        header,
        scopes.iter().map(|s| cell(s.get(metric), f)).collect(),
    );
}

/// Whether `metric` is above zero somewhere.
fn any_positive(scopes: &[&ScopeSummary], metric: &str) -> bool {
    scopes.iter().any(|s| s.get(metric).mean > 0.0)
}

/// "20s" when every queue has the same threshold.
fn common_threshold(s: &Summary) -> Option<String> {
    let first = *s.thresholds_s.first()?;
    s.thresholds_s
        .iter()
        .all(|&t| t == first)
        .then(|| crate::time::format_duration(crate::time::SimTime::from_secs_f64(first)))
}

impl Summary {
    /// The human-readable summary.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let dur = |s: f64| crate::time::format_duration(crate::time::SimTime::from_secs_f64(s));
        let _ = writeln!(
            out,
            "{}: {} replication{}, seed {}, {} measured after {} warm-up (mean ± 95% CI)",
            display_name(&self.scenario, 60),
            self.replications,
            if self.replications == 1 { "" } else { "s" },
            self.seed,
            dur(self.window_s),
            dur(self.warmup_s),
        );
        if let Some(at) = self.stopped_at_s {
            let clock = format!(
                "{} ({} of run time)",
                self.stopped_at_clock.as_deref().unwrap_or_default(),
                dur(at)
            );
            let _ = writeln!(
                out,
                "stopped at {clock}: the figures cover the run up to then"
            );
        } else if self.closing != "stop" {
            let _ = writeln!(out, "closing: {}", self.closing);
        }
        let _ = writeln!(out);
        let mut scopes: Vec<&ScopeSummary> = vec![&self.total];
        scopes.extend(&self.queues);
        let names: Vec<String> = scopes.iter().map(|s| s.name.clone()).collect();

        let mut calls = Table::new("queue", names.clone());
        for (metric, header) in [
            ("offered", "offered"),
            ("answered", "answered"),
            ("abandoned", "abandoned"),
        ] {
            metric_column(&mut calls, header, &scopes, metric, Fmt::Count);
        }
        for (metric, header) in [
            ("balked", "balked"),
            ("blocked", "blocked"),
            ("disconnected", "disconnected"),
        ] {
            if any_positive(&scopes, metric) {
                metric_column(&mut calls, header, &scopes, metric, Fmt::Count);
            }
        }
        let has = |metric: &str| self.total.metrics.iter().any(|(m, _)| *m == metric);
        if has("retrials") {
            metric_column(&mut calls, "retrials", &scopes, "retrials", Fmt::Count);
        }
        if has("callbacks_accepted") {
            metric_column(
                &mut calls,
                "callbacks",
                &scopes,
                "callbacks_accepted",
                Fmt::Count,
            );
            metric_column(
                &mut calls,
                "callback wait s",
                &scopes,
                "callback_wait_s",
                Fmt::Secs,
            );
        }
        metric_column(&mut calls, "unresolved", &scopes, "unresolved", Fmt::Count);
        metric_column(&mut calls, "AHT s", &scopes, "aht_s", Fmt::Secs);
        out.push_str(&calls.render());
        out.push('\n');

        let mut service = Table::new("queue", names);
        match common_threshold(self) {
            Some(t) => metric_column(
                &mut service,
                &format!("service level ≤{t}"),
                &scopes,
                "service_level",
                Fmt::Percent,
            ),
            None => {
                let mut thresholds = vec!["-".to_string()];
                thresholds.extend(self.thresholds_s.iter().map(|&t| dur(t)));
                service.column("threshold", thresholds);
                metric_column(
                    &mut service,
                    "service level",
                    &scopes,
                    "service_level",
                    Fmt::Percent,
                );
            }
        }
        metric_column(
            &mut service,
            "abandon rate",
            &scopes,
            "abandon_rate",
            Fmt::Percent,
        );
        metric_column(&mut service, "ASA s", &scopes, "asa_s", Fmt::Secs);
        metric_column(&mut service, "p90 wait s", &scopes, "wait_p90_s", Fmt::Secs);
        if scopes.iter().any(|s| s.get("sl_target_met").n > 0) {
            metric_column(
                &mut service,
                "days SL met",
                &scopes,
                "sl_target_met",
                Fmt::Percent,
            );
        }
        out.push_str(&service.render());
        out.push('\n');

        if self.total.metrics.iter().any(|(m, _)| *m == "escalations") {
            let names: Vec<String> = scopes.iter().map(|s| s.name.clone()).collect();
            let mut esc = Table::new("queue", names);
            metric_column(&mut esc, "escalations", &scopes, "escalations", Fmt::Count);
            metric_column(&mut esc, "rate", &scopes, "escalation_rate", Fmt::Percent);
            metric_column(
                &mut esc,
                "supervisor wait s",
                &scopes,
                "supervisor_wait_s",
                Fmt::Secs,
            );
            metric_column(
                &mut esc,
                "p90 s",
                &scopes,
                "supervisor_wait_p90_s",
                Fmt::Secs,
            );
            metric_column(
                &mut esc,
                "hung up on hold",
                &scopes,
                "escalation_abandoned",
                Fmt::Count,
            );
            out.push_str(&esc.render());
            out.push('\n');
        }

        let mut groups: Vec<&ScopeSummary> = vec![&self.total];
        groups.extend(&self.agent_groups);
        let mut agents = Table::new(
            "agent group",
            groups.iter().map(|s| s.name.clone()).collect(),
        );
        metric_column(&mut agents, "agents", &groups, "agents", Fmt::Count);
        metric_column(&mut agents, "handled", &groups, "handled", Fmt::Count);
        metric_column(&mut agents, "occupancy", &groups, "occupancy", Fmt::Percent);
        metric_column(
            &mut agents,
            "calls/agent-hour",
            &groups,
            "calls_per_agent_hour",
            Fmt::Rate,
        );
        for (metric, header) in [
            ("staffed_hours", "staffed h"),
            ("break_hours", "break h"),
            ("overtime_hours", "overtime h"),
        ] {
            if metric != "staffed_hours" && !any_positive(&groups, metric) {
                continue;
            }
            if metric == "staffed_hours"
                && !any_positive(&groups, "overtime_hours")
                && !any_positive(&groups, "break_hours")
                && groups.iter().all(|g| g.get("cost").n == 0)
            {
                continue;
            }
            metric_column(&mut agents, header, &groups, metric, Fmt::Rate);
        }
        if groups.iter().any(|g| g.get("cost").n > 0) {
            metric_column(&mut agents, "cost", &groups, "cost", Fmt::Money);
        }
        if self
            .total
            .metrics
            .iter()
            .any(|(m, _)| *m == "blocked_share")
        {
            metric_column(
                &mut agents,
                "blocked",
                &groups,
                "blocked_share",
                Fmt::Percent,
            );
        }
        out.push_str(&agents.render());
        if !self.campaigns.is_empty() {
            let camps: Vec<&ScopeSummary> = self.campaigns.iter().collect();
            let mut t = Table::new("campaign", camps.iter().map(|s| s.name.clone()).collect());
            for (metric, header, f) in [
                ("dials", "dials", Fmt::Count),
                ("live_answers", "live", Fmt::Count),
                ("connects", "connects", Fmt::Count),
                ("abandoned", "abandoned", Fmt::Count),
                ("abandon_rate", "abandon rate", Fmt::Percent),
                ("cap_breached", "days over cap", Fmt::Percent),
                ("contacts_per_agent_hour", "contacts/agent-hour", Fmt::Rate),
                ("idle_between_calls_s", "idle between s", Fmt::Secs),
            ] {
                metric_column(&mut t, header, &camps, metric, f);
            }
            if camps.iter().any(|c| c.get("list_penetration").n > 0) {
                metric_column(
                    &mut t,
                    "list used",
                    &camps,
                    "list_penetration",
                    Fmt::Percent,
                );
            }
            out.push('\n');
            out.push_str(&t.render());
        }
        let per_call = self.total.get("cost_per_handled_call");
        if per_call.n > 0 {
            let _ = writeln!(
                out,
                "\ncost per handled call: {}",
                cell(per_call, Fmt::Money)
            );
        }
        out
    }

    /// The per-interval tables (`acdsim run --intervals`): the total, then
    /// each queue and each group when there are several.
    pub fn to_interval_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: per interval (mean ± 95% CI over {} replication{}; calls by arrival interval,\nagents by time: scheduled agents and occupancy; --json has every metric)",
            display_name(&self.scenario, 60),
            self.replications,
            if self.replications == 1 { "" } else { "s" },
        );
        let sl = match common_threshold(self) {
            Some(t) => format!("SL ≤{t}"),
            None => "SL".to_string(),
        };
        let call_columns = |t: &mut Table, s: &ScopeSummary| {
            let col = |t: &mut Table, header: &str, metric: &str, f: Fmt| {
                t.column(
                    header,
                    s.intervals.iter().map(|i| cell(i.get(metric), f)).collect(),
                );
            };
            col(t, "offered", "offered", Fmt::Count);
            col(t, &sl, "service_level", Fmt::Percent);
            col(t, "abandon", "abandon_rate", Fmt::Percent);
            col(t, "ASA s", "asa_s", Fmt::Secs);
        };
        let agent_columns = |t: &mut Table, s: &ScopeSummary| {
            let col = |t: &mut Table, header: &str, metric: &str, f: Fmt| {
                t.column(
                    header,
                    s.intervals.iter().map(|i| cell(i.get(metric), f)).collect(),
                );
            };
            col(t, "agents", "agents", Fmt::Agents);
            col(t, "occupancy", "occupancy", Fmt::Percent);
        };
        let labels = |s: &ScopeSummary| {
            s.intervals
                .iter()
                .map(|i| i.label.clone())
                .collect::<Vec<_>>()
        };

        let _ = writeln!(out, "\ntotal");
        let mut t = Table::new("interval", labels(&self.total));
        call_columns(&mut t, &self.total);
        agent_columns(&mut t, &self.total);
        out.push_str(&t.render());
        if self.queues.len() > 1 {
            for q in &self.queues {
                let _ = writeln!(out, "\nqueue {}", display_name(&q.name, 60));
                let mut t = Table::new("interval", labels(q));
                call_columns(&mut t, q);
                out.push_str(&t.render());
            }
        }
        if self.agent_groups.len() > 1 {
            for g in &self.agent_groups {
                let _ = writeln!(out, "\nagent group {}", display_name(&g.name, 60));
                let mut t = Table::new("interval", labels(g));
                agent_columns(&mut t, g);
                out.push_str(&t.render());
            }
        }
        for c in &self.campaigns {
            let _ = writeln!(out, "\ncampaign {}", display_name(&c.name, 60));
            let mut t = Table::new("interval", labels(c));
            for (header, metric, f) in [
                ("dials", "dials", Fmt::Count),
                ("live", "live_answers", Fmt::Count),
                ("connects", "connects", Fmt::Count),
                ("abandon rate", "abandon_rate", Fmt::Percent),
            ] {
                t.column(
                    header,
                    c.intervals.iter().map(|i| cell(i.get(metric), f)).collect(),
                );
            }
            out.push_str(&t.render());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_and_shortened() {
        assert_eq!(display_name("a\nb\u{1b}[2J", 40), "a\\nb\\u{1b}[2J");
        assert_eq!(display_name("abcdef", 4), "abc…");
        assert_eq!(display_name("été", 3), "été");
    }

    #[test]
    fn wide_tables_are_split_to_fit() {
        let mut t = Table::new("row", vec!["a".into(), "b".into()]);
        for i in 0..12 {
            t.column(
                &format!("column {i}"),
                vec!["1234567890".into(), "x".into()],
            );
        }
        let text = t.render();
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert!(text.contains("column 0") && text.contains("column 11"));
        assert_eq!(text.lines().filter(|l| l.starts_with("row")).count(), 2);
    }
}
