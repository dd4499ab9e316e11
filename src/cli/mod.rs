//! The `acdsim` command line, in two stages: clap turns the arguments into
//! the typed commands below, then each command module ([`run`], [`sweep`],
//! [`staff`], [`erlang`], [`bench`]) turns them into library calls and text.
//! Errors become messages only here, at the edge: bad input (a scenario
//! file, a command-line value) exits with code 2, anything else with 1.

mod bench;
mod erlang;
mod live;
mod run;
mod staff;
mod sweep;

use crate::runner::{default_threads, RunOptions};
use crate::scenario::parse::MAX_REPLICATIONS;
use crate::scenario::{Scenario, ScenarioError};
use crate::time::{parse_duration, SimTime};
use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
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
    /// Simulate a scenario and report service level, ASA, abandonment, occupancy, cost.
    Run(run::RunArgs),
    /// Check a scenario file without running it.
    Validate {
        /// Scenario file (JSON).
        scenario: PathBuf,
    },
    /// Print the JSON Schema of scenario files (for editors).
    Schema,
    /// Run a grid of what-if variants with common random numbers.
    Sweep(sweep::SweepArgs),
    /// Find the fewest agents per interval that meet service targets.
    Staff(staff::StaffArgs),
    /// Analytic Erlang B / C / A figures and staffing for a service-level target.
    Erlang(erlang::ErlangArgs),
    /// Measure the engine's throughput: calls and events simulated per second.
    Bench(bench::BenchArgs),
    /// Run one replication paced in real time, with a web wallboard and live commands.
    Live(live::LiveArgs),
}

/// Replications, seed and threads, shared by the simulating commands.
#[derive(Args, Debug, Clone, Copy)]
struct RunArgsCommon {
    /// Number of replications (default: the scenario's; at most 100000).
    #[arg(long, short = 'r', value_parser = clap::value_parser!(u32).range(1..=MAX_REPLICATIONS as i64))]
    replications: Option<u32>,
    /// Seed (default: the scenario's).
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
}

impl RunArgsCommon {
    /// The scenario's replications and seed unless given, and the threads.
    fn options(&self, sc: &Scenario) -> RunOptions {
        RunOptions {
            replications: self.replications.unwrap_or(sc.replications),
            seed: self.seed.unwrap_or(sc.seed),
            threads: self.threads.map_or_else(default_threads, |t| t as usize),
        }
    }
}

fn duration_arg(s: &str) -> Result<SimTime, String> {
    parse_duration(s)
}

/// Bad input (exit code 2) as opposed to a failure of ours (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

fn bad(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(message.into()))
}

/// Parses a command line (`args[0]` is the program name) without running
/// it: `Err` with the message `acdsim` prints (escaped and bounded, as
/// `main` prints it) for what it would refuse with exit 2 before reading
/// any file, or the help or version text. For fuzzing and tests of the
/// argument parser.
pub fn parse_args<I, T>(args: I) -> Result<(), String>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    Cli::try_parse_from(args)
        .map(drop)
        .map_err(|e| safe_lines(&e.render().to_string()))
}

/// `text` line by line with hidden characters escaped and each line cut
/// at 500 characters.
fn safe_lines(text: &str) -> String {
    text.lines()
        .map(|l| crate::text::shown(l, 500) + "\n")
        .collect()
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    // A panic is a bug in acdsim, never the user's input: say so (the exit
    // status stays 101, apart from 1 for errors and 2 for bad input).
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error in acdsim {} (a bug; please report it with the scenario and command):",
            env!("CARGO_PKG_VERSION")
        );
        default_hook(info);
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version: as clap prints them.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
        // A refused command line echoes the user's arguments: escaped and
        // bounded like every other message (plain text, without styling).
        Err(e) => {
            let _ = std::io::stderr().write_all(safe_lines(&e.render().to_string()).as_bytes());
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate { scenario } => run::validate(&scenario),
        Command::Schema => schema(),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Staff(args) => staff::staff(args),
        Command::Erlang(args) => erlang::erlang(args),
        Command::Bench(args) => bench::bench(args),
        Command::Live(args) => live::live(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let bad_input = e.downcast_ref::<ScenarioError>().is_some()
                || e.downcast_ref::<BadInput>().is_some()
                || e.downcast_ref::<crate::sweep::SweepError>().is_some()
                || matches!(
                    e.downcast_ref::<crate::staff::StaffError>(),
                    Some(crate::staff::StaffError::Bad(_))
                );
            // A closed or full stderr must not turn an error into a panic.
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}

fn load(path: &Path) -> anyhow::Result<Scenario> {
    Ok(Scenario::load(path)?)
}

/// A file name as messages show it (escaped, bounded).
fn shown_path(path: &Path) -> String {
    crate::scenario::parse::shown_origin(&path.display().to_string())
}

/// Warnings printed for one scenario at most (the rest are counted).
const MAX_WARNINGS: usize = 20;

/// The warnings of `sc` ([`crate::scenario::risks`]), one line each, capped.
fn warning_lines(path: &Path, sc: &Scenario) -> String {
    let risks = crate::scenario::risks::risks(sc);
    let mut out = String::new();
    for r in risks.iter().take(MAX_WARNINGS) {
        out.push_str(&format!("warning: {}: {r}\n", shown_path(path)));
    }
    if risks.len() > MAX_WARNINGS {
        out.push_str(&format!(
            "warning: ... and {} more\n",
            risks.len() - MAX_WARNINGS
        ));
    }
    out
}

/// Before simulating `sc` `replications` times on `threads`: refuses it
/// (exit 2) if its waiting callers or statistics could not fit in memory,
/// and prints its warnings on stderr unless `quiet`.
fn check_runnable(
    path: &Path,
    sc: &Scenario,
    replications: u32,
    threads: usize,
    quiet: bool,
) -> anyhow::Result<()> {
    let threads = crate::runner::useful_threads(threads, replications as usize);
    if let Some(r) = crate::scenario::risks::too_big_to_run(sc, replications, threads) {
        return Err(bad(format!("{}: {r}", shown_path(path))));
    }
    if !quiet {
        let text = warning_lines(path, sc);
        if !text.is_empty() {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
    Ok(())
}

/// Reads a scenario file as a JSON tree too (for commands that write a changed copy).
fn load_with_json(path: &Path) -> anyhow::Result<(Scenario, serde_json::Value)> {
    let origin = path.display().to_string();
    let text = crate::scenario::parse::read_text(path)?;
    let json = crate::scenario::parse::parse_json(&text, &origin)?;
    let sc =
        crate::scenario::parse::from_json_value(&json, &origin).map_err(|e| e.located_in(&text))?;
    Ok((sc, json))
}

fn schema() -> anyhow::Result<()> {
    let doc = crate::scenario::format::schema();
    write_stdout(&(serde_json::to_string_pretty(&doc)? + "\n"))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Writes to stdout; a closed pipe (e.g. `| head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to standard output"),
    }
}

/// Writes a JSON document to stdout as it is serialized (pretty, then a
/// newline); a closed pipe is not an error.
fn write_json_stdout(doc: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, doc)
        .map_err(std::io::Error::from)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to standard output"),
    }
}

/// Writes `text` to a new file `path` (through a temporary file and a
/// rename, so a failure never leaves half a file). An existing file is
/// replaced only with `force`, and never the file the scenario was read from.
fn write_new_file(path: &Path, text: &str, force: bool, input: &Path) -> anyhow::Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    if same(path, input) {
        return Err(bad(format!(
            "{} is the scenario being read: write the result to another file",
            shown_path(path)
        )));
    }
    if path.exists() && !force {
        return Err(bad(format!(
            "{} exists: give another file, or --force to replace it",
            shown_path(path)
        )));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a file in {}", shown_path(dir)))?;
    tmp.write_all(text.as_bytes())
        .and_then(|_| tmp.flush())
        .with_context(|| format!("writing {}", shown_path(path)))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", shown_path(path)))?;
    Ok(())
}

/// A progress bar on stderr when it is a terminal and the work is long
/// enough to need one (`expected_work` per replication, in events:
/// [`crate::scenario::risks::expected_work`]); positions in thousandths of
/// a replication.
fn progress_bar(
    quiet: bool,
    expected_work: f64,
    replications: u64,
) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() || expected_work * (replications as f64) < 1e7 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(replications * 1000);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} {wide_bar} {percent}% {elapsed}<{eta}",
        )
        .expect("valid template"),
    );
    Some(bar)
}

/// Expected calls in one replication, warm-up included.
fn expected_calls(sc: &Scenario) -> f64 {
    crate::scenario::risks::expected_calls(sc)
}

/// Expected work of one replication, in events.
fn expected_work(sc: &Scenario) -> f64 {
    crate::scenario::risks::expected_work(sc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_args_reports_refused_arguments_escaped() {
        let e = parse_args(["acdsim", "\r"]).unwrap_err();
        assert!(e.contains("'\\r'"), "{e:?}");
        assert!(
            !e.chars().any(|c| crate::text::is_hidden(c) && c != '\n'),
            "{e:?}"
        );
        assert!(parse_args([
            "acdsim",
            "erlang",
            "--calls-per-hour",
            "100",
            "--aht",
            "3m",
            "--target",
            "80"
        ])
        .is_ok());
    }
}
