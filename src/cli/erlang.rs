//! `acdsim erlang`: analytic figures for one queue.

use super::{duration_arg, plural, write_stdout, BadInput};
use crate::erlang;
use crate::time::{format_duration, SimTime};
use clap::Args;

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub(super) struct ErlangArgs {
    /// Arrival rate, calls per hour.
    #[arg(long)]
    calls_per_hour: f64,
    /// Average handle time (e.g. 180, "3m").
    #[arg(long, value_parser = duration_arg)]
    aht: SimTime,
    /// Number of agents (or give --target to find the staffing).
    #[arg(long, conflicts_with = "target", value_parser = clap::value_parser!(u32).range(1..))]
    agents: Option<u32>,
    /// Mean patience: adds Erlang A (exponential patience).
    #[arg(long, value_parser = duration_arg)]
    patience: Option<SimTime>,
    /// Service-level threshold.
    #[arg(long, value_parser = duration_arg, default_value = "20s")]
    threshold: SimTime,
    /// Service-level target (0..1, or a percentage like 80): report the agents needed.
    #[arg(long)]
    target: Option<f64>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn erlang(a: ErlangArgs) -> anyhow::Result<()> {
    let bad = |m: String| anyhow::Error::new(BadInput(m));
    if !(a.calls_per_hour.is_finite() && a.calls_per_hour > 0.0) {
        return Err(bad(format!(
            "--calls-per-hour must be a positive number, got {}",
            a.calls_per_hour
        )));
    }
    let lambda = a.calls_per_hour / 3600.0;
    let aht = a.aht.as_secs_f64();
    if aht <= 0.0 {
        return Err(bad("--aht must be positive".to_string()));
    }
    let t = a.threshold.as_secs_f64();
    let patience = a.patience.map(|p| p.as_secs_f64());
    if patience == Some(0.0) {
        return Err(bad("--patience must be positive".to_string()));
    }
    let target = match a.target {
        Some(x) if x > 1.0 && x < 100.0 => Some(x / 100.0),
        Some(x) if x > 0.0 && x < 1.0 => Some(x),
        Some(x) => {
            return Err(bad(format!(
                "--target must be in (0, 1) or a percentage in (0, 100), got {x}"
            )))
        }
        None => None,
    };
    let agents = match (a.agents, target) {
        (Some(n), _) => n,
        (None, Some(target)) => {
            let found =
                match patience {
                    Some(p) => erlang::agents_for_service_level_a(lambda, aht, p, t, target)
                        .map(|r| r.servers),
                    None => erlang::agents_for_service_level_c(lambda, aht, t, target)
                        .map(|r| r.servers),
                };
            found.map_err(|e| bad(e.to_string()))?
        }
        (None, None) => {
            return Err(bad(
                "give --agents N, or --target SL to find the agents needed".to_string(),
            ))
        }
    };
    let load = lambda * aht;
    let b = erlang::erlang_b(agents, load).map_err(|e| bad(e.to_string()))?;
    let c = erlang::erlang_c_metrics(lambda, aht, agents, t).ok();
    let ea = match patience {
        Some(p) => Some(
            erlang::erlang_a_metrics(lambda, aht, p, agents, t).map_err(|e| bad(e.to_string()))?,
        ),
        None => None,
    };
    if a.json {
        let doc = serde_json::json!({
            "calls_per_hour": a.calls_per_hour, "aht_s": aht, "threshold_s": t, "load_erlangs": load,
            "agents": agents, "target": target, "erlang_b": { "blocking": b },
            "erlang_c": c, "erlang_a": ea,
        });
        return write_stdout(&(serde_json::to_string_pretty(&doc)? + "\n"));
    }
    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "offered load {load:.2} Erlangs, {agents} agent{}, threshold {}",
        plural(agents as usize),
        format_duration(a.threshold)
    );
    if let Some(target) = target {
        let _ = writeln!(
            out,
            "agents needed for {:.1}% within {}: {agents}",
            target * 100.0,
            format_duration(a.threshold)
        );
    }
    let _ = writeln!(out, "Erlang B: blocking {:.4}%", b * 100.0);
    match c {
        Some(c) => {
            let _ = writeln!(
                out,
                "Erlang C: P(wait) {:.4}%, service level {:.4}%, ASA {:.3} s, occupancy {:.2}%",
                c.p_wait * 100.0,
                c.service_level * 100.0,
                c.asa_s,
                c.occupancy * 100.0
            );
        }
        None => {
            let _ = writeln!(out, "Erlang C: unstable (load {load:.2} >= {agents} agents): the queue grows without bound");
        }
    }
    if let Some(x) = ea {
        let _ = writeln!(
            out,
            "Erlang A: P(abandon) {:.4}%, service level {:.4}%, ASA {:.3} s, occupancy {:.2}%",
            x.p_abandon * 100.0,
            x.service_level * 100.0,
            x.asa_s,
            x.occupancy * 100.0
        );
    }
    write_stdout(&out)
}
