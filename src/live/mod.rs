//! `acdsim live`: one replication paced against the wall clock (or as
//! fast as the machine goes), with a web wallboard, live commands and an
//! event stream. Three parts, each on its own: the engine thread
//! ([`session`]) owns the simulation and publishes what it looks like; the
//! pacer ([`pacer`], a tokio task) moves its target with the wall clock;
//! the HTTP server ([`server`], axum on tokio) serves the page, the
//! snapshots, the events and the commands. The same commands at the same
//! simulated times give the same results as `acdsim run --commands` with
//! the recording.

pub mod board;
pub mod pacer;
pub mod server;
pub mod session;

use crate::command::{Session, Speed};
use crate::scenario::Scenario;
use pacer::Clocks;
use session::{Channels, Outcome, Recorder, ToEngine};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Commands waiting for the engine, at most.
const COMMAND_QUEUE: usize = 1024;
/// Event batches a slow listener may fall behind before it skips some.
const EVENT_BATCHES: usize = 256;

/// How to run live.
pub struct Options {
    pub speed: Speed,
    pub addr: SocketAddr,
    pub seed: u64,
    /// The recording file (already created) and its name for messages.
    pub record: Option<(std::fs::File, String)>,
    /// Keep serving the final board after the run ends (until Ctrl-C).
    pub stay: bool,
}

/// A bound live server, not started yet.
pub struct Live {
    sc: Arc<Scenario>,
    options: Options,
    listener: std::net::TcpListener,
}

impl Live {
    /// Takes the address (so a port in use is said before anything runs).
    /// `sc` gets its reserves for live commands.
    pub fn bind(mut sc: Scenario, options: Options) -> std::io::Result<Live> {
        sc.reserve_for_commands();
        let listener = std::net::TcpListener::bind(options.addr)?;
        listener.set_nonblocking(true)?;
        Ok(Live {
            sc: Arc::new(sc),
            options,
            listener,
        })
    }

    /// Records the session's commands into `file` (created by the caller,
    /// after the address is taken); `path` names it in messages.
    pub fn record_to(&mut self, file: std::fs::File, path: String) {
        self.options.record = Some((file, path));
    }

    /// The address the wallboard is served on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Runs the replication to its end (or Ctrl-C) and returns its statistics.
    pub fn run(self) -> std::io::Result<Outcome> {
        let Live {
            sc,
            options,
            listener,
        } = self;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("live-server")
            .enable_all()
            .build()?;
        let clocks = Clocks::new(options.speed);
        let (to_engine, rx) = crossbeam_channel::bounded(COMMAND_QUEUE);
        let (snapshot_tx, snapshot) = watch::channel(Arc::<str>::from("{}"));
        let (events_tx, _) = broadcast::channel(EVENT_BATCHES);
        let events = Arc::new(Mutex::new(Some(events_tx.clone())));
        let recorder = options.record.map(|(file, path)| {
            let session = Session {
                scenario: sc.name.clone(),
                seed: options.seed,
                replication: 0,
            };
            Recorder::new(file, path, &session)
        });
        let channels = Channels {
            rx,
            snapshot: snapshot_tx,
            events: events_tx,
        };
        let shared = server::Shared {
            sc: sc.clone(),
            to_engine: to_engine.clone(),
            snapshot,
            events: events.clone(),
        };
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let engine = {
            let (sc, clocks, seed) = (sc.clone(), clocks.clone(), options.seed);
            std::thread::Builder::new()
                .name("live-engine".into())
                .spawn(move || {
                    let outcome = session::run(sc, seed, clocks, channels, recorder);
                    let _ = done_tx.send(());
                    outcome
                })?
        };
        let stay = options.stay;
        let served = runtime.block_on(async move {
            // Viewers see a snapshot from the first request on.
            let mut first = shared.snapshot.clone();
            let _ = first.changed().await;
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let (quit, quitting) = tokio::sync::oneshot::channel::<()>();
            let mut server = tokio::spawn(async move {
                axum::serve(listener, server::app(shared))
                    .with_graceful_shutdown(async {
                        let _ = quitting.await;
                    })
                    .await
            });
            let pace = {
                let to_engine = to_engine.clone();
                tokio::spawn(pacer::run(clocks, move |_| {
                    // A full queue means the engine is busy: it will look anyway.
                    !matches!(
                        to_engine.try_send(ToEngine::Wake),
                        Err(crossbeam_channel::TrySendError::Disconnected(_))
                    )
                }))
            };
            tokio::select! {
                _ = done_rx => {}
                _ = stop_signal() => {
                    interrupt(&to_engine).await;
                }
            }
            pace.abort();
            // The streams of events end.
            events.lock().unwrap_or_else(|e| e.into_inner()).take();
            if stay {
                stop_signal().await;
            }
            // Streams that ended are sent to their end; a viewer that does
            // not read is not waited for long.
            let _ = quit.send(());
            if tokio::time::timeout(Duration::from_secs(1), &mut server)
                .await
                .is_err()
            {
                server.abort();
            }
            Ok::<(), std::io::Error>(())
        });
        let outcome = engine
            .join()
            .map_err(|_| std::io::Error::other("the engine thread panicked"))?;
        runtime.shutdown_timeout(Duration::from_millis(200));
        served?;
        Ok(outcome)
    }
}

/// Ctrl-C, or SIGTERM (what service managers and `kill` send): either
/// stops the session where it is, recorded as a `stop`.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Tells the engine to stop where it is, waiting for room in its queue.
async fn interrupt(to_engine: &crossbeam_channel::Sender<ToEngine>) {
    loop {
        match to_engine.try_send(ToEngine::Interrupt) {
            Err(crossbeam_channel::TrySendError::Full(_)) => {
                tokio::time::sleep(Duration::from_millis(5)).await
            }
            _ => return,
        }
    }
}
