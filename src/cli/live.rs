//! `acdsim live`: the options, the file a session is recorded to (never
//! overwritten without --force), and the results printed as `run` prints
//! them.

use super::run::Output;
use super::{bad, check_runnable, load, shown_path};
use crate::command::Speed;
use crate::live::{Live, Options};
use crate::report::ReplicationMetrics;
use clap::Args;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(super) struct LiveArgs {
    /// Scenario file (JSON).
    scenario: PathBuf,
    /// Simulated seconds per wall-clock second, or "max" (unpaced).
    #[arg(long, default_value = "60", value_parser = Speed::parse)]
    speed: Speed,
    /// Port of the wallboard and the API (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on (anyone who can reach it can send commands).
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Seed (default: the scenario's); the replication is the first one.
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Record every command with its simulated time (JSON lines) for
    /// `acdsim run SCENARIO --commands FILE`.
    #[arg(long, value_name = "FILE.jsonl")]
    record: Option<PathBuf>,
    /// Overwrite the --record file if it exists.
    #[arg(long, requires = "record")]
    force: bool,
    /// Keep serving the final wallboard after the run ends, until Ctrl-C.
    #[arg(long)]
    stay: bool,
    #[command(flatten)]
    output: Output,
}

pub(super) fn live(args: LiveArgs) -> anyhow::Result<()> {
    let mut sc = load(&args.scenario)?;
    sc.reserve_for_commands();
    let report_sc = sc.clone();
    check_runnable(&args.scenario, &sc, 1, 1, true)?;
    let seed = args.seed.unwrap_or(sc.seed);
    let addr = SocketAddr::new(args.bind, args.port);
    let mut live = Live::bind(
        sc,
        Options {
            speed: args.speed,
            addr,
            seed,
            record: None,
            stay: args.stay,
        },
    )
    .map_err(|e| bad(format!("cannot listen on {addr}: {e}")))?;
    // The recording is created once the address is taken: a port in use
    // leaves no empty file behind.
    if let Some(path) = &args.record {
        let mut open = std::fs::OpenOptions::new();
        open.write(true);
        if args.force {
            open.create(true).truncate(true);
        } else {
            open.create_new(true);
        }
        let file = open.open(path).map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
                "it exists (--force overwrites it)".to_string()
            } else {
                e.to_string()
            };
            bad(format!("cannot record to {}: {why}", shown_path(path)))
        })?;
        live.record_to(file, shown_path(path));
    }
    let addr = live.local_addr()?;
    let pace = match args.speed {
        Speed::Times(x) => format!("{}× real time", crate::time::short_number(x)),
        Speed::Max => "as fast as it goes".into(),
    };
    eprintln!("wallboard: http://{addr}/");
    eprintln!(
        "{}: seed {seed}, {pace}; Ctrl-C stops and prints the results so far",
        shown_path(&args.scenario)
    );
    let outcome = live.run()?;
    if outcome.stats.stopped_at_us.is_some() {
        eprintln!(
            "stopped at {} ({} of run time)",
            report_sc.clock_label(outcome.stopped_at, true),
            crate::time::format_duration(crate::time::SimTime(outcome.stopped_at))
        );
    }
    let reps = [ReplicationMetrics::from_stats(&report_sc, &outcome.stats)];
    args.output.print(&report_sc, seed, &reps)?;
    match outcome.record_failed {
        // Results printed, then the failure (exit 1): the recording is incomplete.
        Some(why) => Err(anyhow::anyhow!("{why}: the recording is incomplete")),
        None => Ok(()),
    }
}
