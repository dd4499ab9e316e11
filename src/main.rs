//! The `acdsim` command line: run, validate, erlang, bench. Bad input exits with code 2.

use acdsim::erlang;
use acdsim::report::Summary;
use acdsim::runner::{self, RunOptions};
use acdsim::scenario::{Scenario, ScenarioError};
use acdsim::time::{format_duration, parse_duration, SimTime};
use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

/// Discrete-event simulator of contact centers.
#[derive(Parser, Debug)]
#[command(name = "acdsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate a scenario and report service level, ASA, abandonment, occupancy.
    Run(RunArgs),
    /// Check a scenario file without running it.
    Validate {
        /// Scenario file (JSON).
        scenario: PathBuf,
    },
    /// Analytic Erlang B / C / A figures and staffing for a service-level target.
    Erlang(ErlangArgs),
    /// Measure the engine's throughput: calls and events simulated per second.
    Bench(BenchArgs),
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
struct BenchArgs {
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
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
struct RunArgs {
    /// Scenario file (JSON).
    scenario: PathBuf,
    /// Number of replications (default: the scenario's; at most 100000).
    #[arg(long, short = 'r', value_parser = clap::value_parser!(u32).range(1..=acdsim::scenario::parse::MAX_REPLICATIONS as i64))]
    replications: Option<u32>,
    /// Seed (default: the scenario's).
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Print one JSON document instead of the table.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV (scope,name,metric,mean,ci95,n) instead of the table.
    #[arg(long)]
    csv: bool,
    /// Never show the progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
struct ErlangArgs {
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

fn duration_arg(s: &str) -> Result<SimTime, String> {
    parse_duration(s)
}

/// Bad input (exit code 2) as opposed to a failure of ours (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate { scenario } => validate(&scenario),
        Command::Erlang(args) => erlang_cmd(args),
        Command::Bench(args) => bench_cmd(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let bad_input = e.downcast_ref::<ScenarioError>().is_some()
                || e.downcast_ref::<BadInput>().is_some();
            eprintln!("error: {e:#}");
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}

fn load(path: &std::path::Path) -> anyhow::Result<Scenario> {
    Ok(Scenario::load(path)?)
}

fn validate(path: &std::path::Path) -> anyhow::Result<()> {
    let sc = load(path)?;
    let count = |n: u64, what: &str| format!("{n} {what}{}", plural(n as usize));
    write_stdout(&format!(
        "{}: ok: scenario \"{}\", {}, {}, {} ({}), {} measured after {} warm-up, {} of about {:.0} calls each\n",
        path.display(),
        sc.name,
        count(sc.skills.len() as u64, "skill"),
        count(sc.queues.len() as u64, "queue"),
        count(sc.agent_groups.len() as u64, "agent group"),
        count(sc.agent_count(), "agent"),
        format_duration(sc.window()),
        format_duration(sc.warmup),
        count(sc.replications as u64, "replication"),
        expected_calls(&sc),
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let sc = load(&args.scenario)?;
    let mut opts = RunOptions::from_scenario(&sc);
    if let Some(r) = args.replications {
        opts.replications = r;
    }
    if let Some(s) = args.seed {
        opts.seed = s;
    }
    if let Some(t) = args.threads {
        opts.threads = t as usize;
    }
    let bar = progress_bar(&args, &sc, opts.replications);
    let reps = runner::run_metrics(&sc, opts, |p| {
        if let Some(b) = &bar {
            b.set_position((p.replications * 1000.0) as u64);
            b.set_message(format!("{}/{} replications", p.finished, opts.replications));
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let summary = Summary::new(&sc, opts.seed, &reps);
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&summary.to_json()).context("encoding JSON")?;
        s.push('\n');
        s
    } else if args.csv {
        summary.to_csv()
    } else {
        summary.to_table()
    };
    write_stdout(&text)
}

/// Writes to stdout; a closed pipe (e.g. `| head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to standard output"),
    }
}

/// Expected calls in one replication, warm-up included.
fn expected_calls(sc: &Scenario) -> f64 {
    sc.queues
        .iter()
        .map(|q| {
            let rates = q.arrivals.rate_per_hour.values();
            let mean = rates.iter().sum::<f64>() / rates.len() as f64;
            mean * sc.end.as_secs_f64() / 3600.0
        })
        .sum()
}

/// A progress bar on stderr when it is a terminal and the run is long enough to need one.
fn progress_bar(
    args: &RunArgs,
    sc: &Scenario,
    replications: u32,
) -> Option<indicatif::ProgressBar> {
    if args.quiet
        || !std::io::stderr().is_terminal()
        || expected_calls(sc) * (replications as f64) < 5e6
    {
        return None;
    }
    // Positions in thousandths of a replication: long single replications move too.
    let bar = indicatif::ProgressBar::new(replications as u64 * 1000);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} {wide_bar} {percent}% {elapsed}<{eta}",
        )
        .expect("valid template"),
    );
    Some(bar)
}

fn erlang_cmd(a: ErlangArgs) -> anyhow::Result<()> {
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

fn bench_cmd(a: BenchArgs) -> anyhow::Result<()> {
    if !(a.seconds.is_finite() && a.seconds >= 0.0 && a.seconds <= 86_400.0) {
        return Err(BadInput(format!(
            "--seconds must be between 0 and 86400, got {}",
            a.seconds
        ))
        .into());
    }
    let sc = match &a.scenario {
        Some(path) => load(path)?,
        None => acdsim::bench::mmc_abandon(),
    };
    let bar = (!a.json && std::io::stderr().is_terminal() && a.seconds >= 2.0).then(|| {
        let b = indicatif::ProgressBar::new(1000);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} benchmarking {wide_bar} {elapsed}")
                .expect("valid template"),
        );
        b
    });
    let r = acdsim::bench::bench(&sc, a.seconds, a.threads as usize, |f| {
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
