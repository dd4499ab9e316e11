//! `acdsim bench`: routing throughput.

use super::{load, plural, write_stdout, BadInput};
use crate::bench::CenterShape;
use clap::Args;
use std::io::IsTerminal as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub(super) struct BenchArgs {
    /// Scenario file (default: the built-in mmc-abandon workload).
    scenario: Option<PathBuf>,
    /// Wall time to run for, in seconds.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Worker threads, each running whole replications.
    #[arg(long, short = 't', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    threads: u32,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    /// Instead of a scenario file: a generated center of this many queues
    /// and groups (10 agents each, each group with three skills).
    #[arg(long, value_name = "QUEUES", conflicts_with = "scenario",
          value_parser = clap::value_parser!(u32).range(1..=20_000))]
    generated: Option<u32>,
    /// With --generated: every group also holds one skill ("general") at level 3.
    #[arg(long, requires = "generated", conflicts_with = "one_skill")]
    wide: bool,
    /// With --generated: every queue has the same skill (call types that
    /// differ by priority), held by every group.
    #[arg(long, requires = "generated")]
    one_skill: bool,
    /// With --generated: print the generated scenario file instead of
    /// benchmarking it (to run it with another build or keep it).
    #[arg(long, requires = "generated")]
    print_scenario: bool,
}

pub(super) fn bench(a: BenchArgs) -> anyhow::Result<()> {
    if !(a.seconds.is_finite() && a.seconds >= 0.0 && a.seconds <= 86_400.0) {
        return Err(BadInput(format!(
            "--seconds must be between 0 and 86400, got {}",
            a.seconds
        ))
        .into());
    }
    let shape = match (a.wide, a.one_skill) {
        (true, _) => CenterShape::Wide,
        (_, true) => CenterShape::OneSkill,
        _ => CenterShape::Skills,
    };
    if let (true, Some(q)) = (a.print_scenario, a.generated) {
        let doc = crate::bench::generated_center_file(q as usize, 10, shape);
        return write_stdout(&(serde_json::to_string_pretty(&doc)? + "\n"));
    }
    let sc = match (&a.scenario, a.generated) {
        (Some(path), _) => {
            let sc = load(path)?;
            // Each worker's counters; bench keeps no metrics.
            super::check_runnable(path, &sc, a.threads, a.threads as usize, a.json)?;
            sc
        }
        (None, Some(q)) => crate::bench::generated_center(q as usize, 10, shape),
        (None, None) => crate::bench::mmc_abandon(),
    };
    let bar = (!a.json && std::io::stderr().is_terminal() && a.seconds >= 2.0).then(|| {
        let b = indicatif::ProgressBar::new(1000);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} benchmarking {wide_bar} {elapsed}")
                .expect("valid template"),
        );
        b
    });
    let r = crate::bench::bench(&sc, a.seconds, a.threads as usize, |f| {
        if let Some(b) = &bar {
            b.set_position((f * 1000.0) as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if a.json {
        return write_stdout(&(serde_json::to_string_pretty(&r)? + "\n"));
    }
    let mem = r
        .peak_memory_bytes
        .map(|b| format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)))
        .unwrap_or_else(|| "unknown".to_string());
    let text = format!(
        "{}: {} replication{} on {} thread{} in {:.2} s\n\
         calls simulated   {:>14}   {:>8.3} M/s ({:.3} M/s per thread)\n\
         events            {:>14}   {:>8.3} M/s, {:.1} ns per event\n\
         peak memory       {:>14}\n",
        r.scenario,
        r.replications,
        plural(r.replications as usize),
        r.threads,
        plural(r.threads),
        r.wall_s,
        r.calls,
        r.calls_per_s / 1e6,
        r.calls_per_s_per_thread / 1e6,
        r.events,
        r.events_per_s / 1e6,
        r.ns_per_event,
        mem,
    );
    write_stdout(&text)
}
