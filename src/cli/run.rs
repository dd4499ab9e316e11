//! `acdsim run` and `acdsim validate`.

use super::{
    expected_calls, expected_work, load, plural, progress_bar, write_json_stdout, write_stdout,
    RunArgsCommon,
};
use crate::report::json::Document;
use crate::report::Summary;
use crate::runner;
use crate::time::format_duration;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub(super) struct RunArgs {
    /// Scenario file (JSON).
    scenario: PathBuf,
    #[command(flatten)]
    common: RunArgsCommon,
    #[command(flatten)]
    output: Output,
    /// Never show the progress bar.
    #[arg(long)]
    quiet: bool,
    /// Apply these timed commands (JSON lines, e.g. a `live --record`
    /// recording) to every replication. A recording replays its session:
    /// its seed and one replication, unless --seed or --replications say
    /// otherwise.
    #[arg(long, value_name = "FILE.jsonl")]
    commands: Option<PathBuf>,
}

/// How results are printed (`run`, `live`).
#[derive(Args, Debug, Clone, Copy)]
pub(super) struct Output {
    /// Print one JSON document instead of the table.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV (scope,name,metric,mean,ci95,n,interval) instead of the table.
    #[arg(long)]
    csv: bool,
    /// Print the per-interval tables after the summary.
    #[arg(long, conflicts_with_all = ["json", "csv"])]
    intervals: bool,
    /// Add each replication's plain values to the JSON (`per_replication`).
    #[arg(long, requires = "json")]
    per_replication: bool,
}

impl Output {
    /// Prints the summary of `reps` (replications of `sc` run with `seed`).
    pub(super) fn print(
        &self,
        sc: &crate::scenario::Scenario,
        seed: u64,
        reps: &[crate::report::ReplicationMetrics],
    ) -> anyhow::Result<()> {
        let summary = Summary::new(sc, seed, reps);
        if self.json {
            let doc = if self.per_replication {
                Document::with_replications(&summary, sc, reps)
            } else {
                Document::new(&summary)
            };
            return write_json_stdout(&doc);
        }
        let text = if self.csv {
            summary.to_csv()
        } else if self.intervals {
            format!("{}\n{}", summary.to_table(), summary.to_interval_table())
        } else {
            summary.to_table()
        };
        write_stdout(&text)
    }
}

pub(super) fn validate(path: &Path) -> anyhow::Result<()> {
    let sc = load(path)?;
    let count = |n: u64, what: &str| format!("{n} {what}{}", plural(n as usize));
    let mut text = format!(
        "{}: ok: scenario \"{}\", {}, {}, {} ({}), {} measured after {} warm-up, {} of about {:.0} calls each\n",
        super::shown_path(path),
        crate::report::table::display_name(&sc.name, 60),
        count(sc.skills.len() as u64, "skill"),
        count(sc.queues.len() as u64, "queue"),
        count(sc.agent_groups.len() as u64, "agent group"),
        count(
            sc.agent_groups.iter().map(|g| g.peak_agents() as u64).sum(),
            "agent"
        ),
        format_duration(sc.window()),
        format_duration(sc.warmup),
        count(sc.replications as u64, "replication"),
        expected_calls(&sc),
    );
    let clock = sc
        .clock_start
        .map(|c| format!(" from {}", crate::scenario::fields::format_clock(c)))
        .unwrap_or_default();
    text.push_str(&format!(
        "  {} of {}{clock}, closing: {}\n",
        count(sc.intervals() as u64, "interval"),
        format_duration(sc.interval),
        sc.closing.name()
    ));
    text.push_str(&super::warning_lines(path, &sc));
    write_stdout(&text)
}

pub(super) fn run(args: RunArgs) -> anyhow::Result<()> {
    let mut sc = load(&args.scenario)?;
    let mut opts = args.common.options(&sc);
    if let Some(path) = &args.commands {
        sc.reserve_for_commands();
        let script = crate::command::Script::load(path, &sc).map_err(super::bad)?;
        if let Some(recorded) = script.recorded_scenario.as_deref() {
            if recorded != sc.name {
                eprintln!(
                    "warning: {} was recorded on scenario \"{}\", replayed on \"{}\"",
                    super::shown_path(path),
                    crate::report::table::display_name(recorded, 60),
                    crate::report::table::display_name(&sc.name, 60)
                );
            }
        }
        if let Some(seed) = script.seed {
            // A recorded session replays as it ran.
            opts.seed = args.common.seed.unwrap_or(seed);
            opts.replications = args.common.replications.unwrap_or(1);
        }
        sc.script = Some(std::sync::Arc::new(script));
    }
    super::check_runnable(
        &args.scenario,
        &sc,
        opts.replications,
        opts.threads,
        args.quiet,
    )?;
    let bar = progress_bar(args.quiet, expected_work(&sc), opts.replications as u64);
    let reps = runner::run_metrics(&sc, opts, |p| {
        if let Some(b) = &bar {
            b.set_position((p.replications * 1000.0) as u64);
            b.set_message(format!("{}/{} replications", p.finished, opts.replications));
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    args.output.print(&sc, opts.seed, &reps)
}
