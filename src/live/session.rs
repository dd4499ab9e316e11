//! The live replication on its own thread. It runs the simulation in
//! chunks up to the pacer's target (and, unpaced, in chunks of a few
//! milliseconds), applies commands between chunks at the simulated time
//! it has reached (recording each one with that time), samples the
//! intraday history at its steps, and publishes the wallboard snapshot a
//! few times a second. Viewers read what it publishes: it never waits on
//! them.

use super::board::{Board, Pacing};
use super::pacer::Clocks;
use crate::command::{Action, Checked, Command, Pace, Session};
use crate::engine::{Applied, Reached, Simulation};
use crate::router::NEVER;
use crate::scenario::Scenario;
use crate::stats::ReplicationStats;
use crossbeam_channel::{Receiver, RecvTimeoutError, TryRecvError};
use std::io::Write as _;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, oneshot, watch};

/// How often the snapshot is published while the run goes on (wall clock).
pub const PUBLISH_EVERY: Duration = Duration::from_millis(150);
/// A chunk of the run takes about this long (wall clock).
const CHUNK: Duration = Duration::from_millis(10);

/// What the engine thread is told.
#[derive(Debug)]
pub enum ToEngine {
    /// The pacer moved the target.
    Wake,
    /// A checked command; the reply says when it took effect.
    Command {
        command: Command,
        checked: Checked,
        reply: oneshot::Sender<Result<Applied, String>>,
    },
    /// Stop here (Ctrl-C): the run ends at the time reached.
    Interrupt,
}

/// Where commands are recorded (JSON lines).
pub struct Recorder {
    pub file: std::io::BufWriter<std::fs::File>,
    pub path: String,
    /// The first write that failed (the session goes on; the exit code says it).
    failed: Option<String>,
}

impl Recorder {
    /// Records into `file` (created by the caller), starting with the session line.
    pub fn new(file: std::fs::File, path: String, session: &Session) -> Recorder {
        let mut r = Recorder {
            file: std::io::BufWriter::new(file),
            path,
            failed: None,
        };
        r.write(&session.line());
        r
    }

    fn write(&mut self, line: &str) {
        let result = writeln!(self.file, "{line}").and_then(|_| self.file.flush());
        if let Err(e) = result {
            if self.failed.is_none() {
                let why = format!("cannot record to {}: {e}", self.path);
                eprintln!("acdsim: {why} (the session goes on, unrecorded)");
                self.failed = Some(why);
            }
        }
    }
}

/// The channels of a session.
pub struct Channels {
    pub rx: Receiver<ToEngine>,
    pub snapshot: watch::Sender<Arc<str>>,
    pub events: broadcast::Sender<Arc<str>>,
}

/// How a live run ended.
pub struct Outcome {
    pub stats: ReplicationStats,
    /// Stopped by an interrupt before its end.
    pub interrupted: bool,
    /// Where the run ended (µs of run time).
    pub stopped_at: u64,
    /// Why the recording is incomplete, if it is.
    pub record_failed: Option<String>,
}

/// Applies a checked command now: the run's, or the pace's.
fn apply(
    sim: &mut Simulation<'_, Board>,
    clocks: &Clocks,
    checked: Checked,
) -> Result<Applied, String> {
    match checked {
        Checked::Model(action) => sim.execute(&action),
        Checked::Pace(pace) => {
            clocks.change(|p, now, reached| match pace {
                Pace::Pause => p.pause(now, reached),
                Pace::Resume => p.resume(now, reached),
                Pace::Speed(speed) => p.set_speed(speed, now, reached),
            });
            Ok(Applied {
                at: sim.now(),
                agents: None,
            })
        }
    }
}

/// Runs replication 0 of `sc` with `seed`, paced by `clocks`, until it ends
/// or is interrupted (or every sender is gone).
pub fn run(
    sc: Arc<Scenario>,
    seed: u64,
    clocks: Arc<Clocks>,
    channels: Channels,
    mut recorder: Option<Recorder>,
) -> Outcome {
    let Channels {
        rx,
        snapshot,
        events,
    } = channels;
    let board = Board::new(sc.clone(), events);
    let mut sim = Simulation::observed(&sc, seed, 0, board);
    let mut step: u64 = 1_000_000;
    let mut behind = 0u64;
    let mut last_publish: Option<Instant> = None;
    let mut interrupted = false;
    let publish = |sim: &Simulation<'_, Board>, behind: u64| {
        let pace = clocks.pace();
        let pacing = Pacing {
            paused: pace.paused,
            speed: pace.speed.times(),
            behind_s: behind as f64 / 1e6,
        };
        let view = sim.view();
        snapshot.send_replace(Arc::from(sim.observer().snapshot(&view, pacing)));
    };
    loop {
        if sim.observer().next_sample() <= sim.now() && !sim.is_over() {
            let view = sim.view();
            sim.observer_mut().sample(&view);
        }
        let due = last_publish.is_none_or(|t| t.elapsed() >= PUBLISH_EVERY);
        if due || sim.is_over() {
            publish(&sim, behind);
            last_publish = Some(Instant::now());
        }
        if sim.is_over() {
            break;
        }
        // Wait for something to do, then take every message waiting: a
        // burst of commands applies in order, shows in one snapshot, and
        // only then is answered.
        let target = clocks.target.load(Ordering::Acquire);
        let first = if sim.now() >= target {
            rx.recv_timeout(PUBLISH_EVERY).map_err(|e| match e {
                RecvTimeoutError::Timeout => TryRecvError::Empty,
                RecvTimeoutError::Disconnected => TryRecvError::Disconnected,
            })
        } else {
            rx.try_recv()
        };
        let mut answers = Vec::new();
        let mut message = first;
        loop {
            match message {
                Ok(ToEngine::Wake) => {}
                Err(TryRecvError::Empty) => break,
                Ok(ToEngine::Command {
                    command,
                    checked,
                    reply,
                }) => {
                    let result = apply(&mut sim, &clocks, checked);
                    if let (Ok(applied), Some(r)) = (&result, recorder.as_mut()) {
                        r.write(&command.record_line(applied.at));
                    }
                    answers.push((reply, result));
                }
                Ok(ToEngine::Interrupt) | Err(TryRecvError::Disconnected) => {
                    let at = sim.now();
                    if sim.execute(&Action::Stop).is_ok() {
                        if let Some(r) = recorder.as_mut() {
                            r.write(&Command::Stop.record_line(at));
                        }
                    }
                    interrupted = true;
                    break;
                }
            }
            message = rx.try_recv();
        }
        if !answers.is_empty() {
            publish(&sim, behind);
            last_publish = Some(Instant::now());
            for (reply, result) in answers {
                let _ = reply.send(result);
            }
        }
        if sim.is_over() {
            continue;
        }
        let target = clocks.target.load(Ordering::Acquire);
        if sim.now() >= target {
            continue;
        }
        let by_step = sim.now().saturating_add(step);
        let limit = target
            .min(by_step)
            .min(sim.observer().next_sample().max(sim.now() + 1));
        let started = Instant::now();
        sim.observer_mut().listen();
        let reached = sim.run_until(limit);
        sim.observer_mut().flush();
        clocks.reached.store(sim.now(), Ordering::Release);
        // Chunks of about CHUNK of wall time.
        let took = started.elapsed();
        if took < CHUNK / 2 && limit == by_step {
            step = step.saturating_mul(2).min(NEVER / 4);
        } else if took > CHUNK * 2 {
            step = (step / 2).max(1_000);
        }
        behind = match reached {
            Reached::Paused if target != NEVER => target.saturating_sub(sim.now()),
            _ => 0,
        };
    }
    let stopped_at = sim.now();
    Outcome {
        stats: sim.run_observed(&()),
        interrupted,
        stopped_at,
        record_failed: recorder.and_then(|r| r.failed),
    }
}
