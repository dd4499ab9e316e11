//! `acdsim staff`: the fewest agents per interval that meet the targets.

use super::{bad, load_with_json, write_new_file, write_stdout, RunArgsCommon};
use crate::report::table::{display_name, Table};
use crate::staff::{staff as solve, staffed_document, Targets};
use crate::time::{format_duration, parse_duration};
use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use std::io::IsTerminal as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub(super) struct StaffArgs {
    /// Scenario file (JSON).
    scenario: PathBuf,
    /// Target service level and threshold: 80/20s (80% answered within 20 s).
    #[arg(long, value_name = "PERCENT/THRESHOLD", value_parser = service_level_arg)]
    service_level: (f64, crate::time::SimTime),
    /// Highest abandonment per interval (5% or 0.05).
    #[arg(long, value_parser = share_arg)]
    max_abandon: Option<f64>,
    /// Highest occupancy per interval of the staffed groups (90% or 0.9).
    #[arg(long, value_parser = share_arg)]
    max_occupancy: Option<f64>,
    /// A group to staff (repeat for several; default: every group).
    #[arg(long = "group", value_name = "NAME")]
    groups: Vec<String>,
    /// Write the staffed scenario to this file.
    #[arg(long, short = 'o', value_name = "STAFFED.json")]
    output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    common: RunArgsCommon,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Never show progress.
    #[arg(long)]
    quiet: bool,
}

/// "80%", "80" (a percentage above 1) or "0.8".
fn share_arg(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, percent) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let x: f64 = num
        .parse()
        .map_err(|_| format!("expected a percentage like 80% or a fraction like 0.8, got {s:?}"))?;
    let x = if percent || x > 1.0 { x / 100.0 } else { x };
    if !(x.is_finite() && x > 0.0 && x <= 1.0) {
        return Err(format!("must be above 0 and at most 100%, got {s:?}"));
    }
    Ok(x)
}

/// "80/20s".
fn service_level_arg(s: &str) -> Result<(f64, crate::time::SimTime), String> {
    let (p, t) = s
        .split_once('/')
        .ok_or_else(|| format!("expected PERCENT/THRESHOLD like 80/20s, got {s:?}"))?;
    let share = share_arg(p)?;
    if share >= 1.0 {
        return Err("a 100% service level cannot be guaranteed: give less than 100%".into());
    }
    Ok((share, parse_duration(t)?))
}

pub(super) fn staff(args: StaffArgs) -> anyhow::Result<()> {
    let (sc, doc) = load_with_json(&args.scenario)?;
    let o = args.common.options(&sc);
    super::check_runnable(&args.scenario, &sc, o.replications, o.threads, args.quiet)?;
    let mut groups: Vec<usize> = if args.groups.is_empty() {
        (0..sc.agent_groups.len()).collect()
    } else {
        args.groups
            .iter()
            .map(|name| {
                sc.agent_groups
                    .iter()
                    .position(|g| &g.name == name)
                    .ok_or_else(|| {
                        let names: Vec<&str> =
                            sc.agent_groups.iter().map(|g| g.name.as_str()).collect();
                        bad(format!(
                            "--group {name:?}: no such agent group (groups: {})",
                            names.join(", ")
                        ))
                    })
            })
            .collect::<anyhow::Result<_>>()?
    };
    groups.sort_unstable();
    groups.dedup();
    if let Some(out) = &args.output {
        // Refuse a bad output before minutes of work, not after.
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(dir) = parent.filter(|d| !d.is_dir()) {
            return Err(bad(format!(
                "cannot write {}: no directory {}",
                super::shown_path(out),
                super::shown_path(dir)
            )));
        }
        if out.exists() && !args.force {
            return Err(bad(format!(
                "{} exists: give another file, or --force to replace it",
                super::shown_path(out)
            )));
        }
    }
    let targets = Targets {
        service_level: args.service_level.0,
        threshold: args.service_level.1,
        max_abandon: args.max_abandon,
        max_occupancy: args.max_occupancy,
    };
    let opts = args.common.options(&sc);
    let spinner = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .expect("valid template"),
        );
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        b
    });
    let result = solve(&sc, targets, &groups, opts, |phase, p| {
        if let Some(b) = &spinner {
            b.set_message(format!(
                "{phase}: {} replications simulated in this batch",
                p.finished
            ));
        }
    })?;
    if let Some(b) = spinner {
        b.finish_and_clear();
    }
    let names: Vec<String> = groups
        .iter()
        .map(|&g| sc.agent_groups[g].name.clone())
        .collect();
    let staffed = staffed_document(&doc, &result, &targets);
    if let Some(out) = &args.output {
        let text = serde_json::to_string_pretty(&staffed)? + "\n";
        write_new_file(out, &text, args.force, &args.scenario)?;
    }
    let text = if args.json {
        let intervals: Vec<serde_json::Value> = result
            .intervals
            .iter()
            .map(|iv| {
                let staffing: serde_json::Map<String, serde_json::Value> = names
                    .iter()
                    .zip(&iv.staffing)
                    .map(|(n, &s)| (n.clone(), s.into()))
                    .collect();
                json!({
                    "label": iv.label, "calls_per_hour": iv.calls_per_hour,
                    "erlang_c": iv.erlang_c, "erlang_a": iv.erlang_a,
                    "staffing": staffing,
                    "service_level": crate::report::finite(iv.service_level),
                    "abandon_rate": crate::report::finite(iv.abandon_rate),
                    "occupancy": crate::report::finite(iv.occupancy),
                })
            })
            .collect();
        let doc = json!({
            "scenario": sc.name, "seed": opts.seed, "replications": opts.replications,
            "targets": {
                "service_level": targets.service_level,
                "threshold_s": targets.threshold.as_secs_f64(),
                "max_abandon": targets.max_abandon, "max_occupancy": targets.max_occupancy,
            },
            "groups": names, "intervals": intervals,
            "agent_hours": result.agent_hours, "cost": result.cost,
            "evaluations": result.evaluations,
            "output": args.output.as_ref().map(|p| p.display().to_string()),
        });
        serde_json::to_string_pretty(&doc).context("encoding JSON")? + "\n"
    } else {
        report(&sc, &args, &targets, &names, &result, opts)
    };
    write_stdout(&text)
}

fn report(
    sc: &crate::scenario::Scenario,
    args: &StaffArgs,
    targets: &Targets,
    names: &[String],
    result: &crate::staff::StaffResult,
    opts: crate::runner::RunOptions,
) -> String {
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let mut goals = vec![format!(
        "service level {} within {}",
        pct(targets.service_level),
        format_duration(targets.threshold)
    )];
    if let Some(a) = targets.max_abandon {
        goals.push(format!("abandonment at most {}", pct(a)));
    }
    if let Some(o) = targets.max_occupancy {
        goals.push(format!("occupancy at most {}", pct(o)));
    }
    let mut out = format!(
        "{}: the fewest agents per interval with, in every interval,\n  {}\nstaffing: {}\n({} replications, seed {}; simulated means, common random numbers)\n\n",
        display_name(&sc.name, 60),
        goals.join(", "),
        names.iter().map(|n| display_name(n, 40)).collect::<Vec<_>>().join(", "),
        opts.replications,
        opts.seed,
    );

    let rows: Vec<String> = result.intervals.iter().map(|i| i.label.clone()).collect();
    let mut t = Table::new("interval", rows);
    let iv = &result.intervals;
    t.column(
        "calls/h",
        iv.iter()
            .map(|i| format!("{:.0}", i.calls_per_hour))
            .collect(),
    );
    let opt = |x: Option<u32>| x.map_or("-".to_string(), |n| n.to_string());
    t.column("Erlang C", iv.iter().map(|i| opt(i.erlang_c)).collect());
    t.column("Erlang A", iv.iter().map(|i| opt(i.erlang_a)).collect());
    for (g, name) in names.iter().enumerate() {
        t.column(
            &display_name(name, 20),
            iv.iter().map(|i| i.staffing[g].to_string()).collect(),
        );
    }
    let p = |x: f64| if x.is_finite() { pct(x) } else { "-".into() };
    t.column(
        "service level",
        iv.iter().map(|i| p(i.service_level)).collect(),
    );
    t.column("abandon", iv.iter().map(|i| p(i.abandon_rate)).collect());
    t.column("occupancy", iv.iter().map(|i| p(i.occupancy)).collect());
    out.push_str(&t.render());
    out.push_str(&format!(
        "\nscheduled agent-hours: {:.1}{}\n",
        result.agent_hours,
        result
            .cost
            .map(|c| format!(", scheduled cost {c:.2}"))
            .unwrap_or_default()
    ));
    if result
        .groups
        .iter()
        .any(|&g| sc.agent_groups[g].shrinkage > 0.0)
    {
        out.push_str("Erlang columns are agents on the floor; staffed columns are scheduled agents (before shrinkage).\n");
    }
    out.push_str(&format!(
        "{} staffings simulated; one agent fewer in any single interval misses a target.\n",
        result.evaluations
    ));
    if let Some(o) = &args.output {
        out.push_str(&format!("wrote {}\n", super::shown_path(o)));
    }
    out
}
