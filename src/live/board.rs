//! The wallboard's figures. [`Board`] observes every call of the live
//! replication: it counts what a wallboard shows per queue (today: since
//! the start of the measured window; and over the last 15 minutes), per
//! campaign, what each agent is doing (talking until its talk ends, then
//! wrapping up), an intraday history, and writes the call-event stream
//! (`GET /api/events`). [`Board::snapshot`] joins that to the engine's
//! view of the floor into the JSON document of `GET /api/state`.
//!
//! Service level on the board is answered within the queue's threshold ÷
//! calls resolved (answered or abandoned), counted when they are resolved;
//! abandonment is learned lazily by the engine, so an abandonment may show
//! a little after it happened (with its own time in the event stream).

use crate::engine::view::FloorView;
use crate::engine::{CallEvent, Observer};
use crate::router::NEVER;
use crate::scenario::{Role, Scenario};
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::Arc;
use tokio::sync::broadcast;

const MINUTE: u64 = 60_000_000;
/// The recent window of the board, in minutes.
const WINDOW_MIN: u64 = 15;
/// Points of the intraday history over the whole run, at most.
const HISTORY_POINTS: u64 = 240;
/// The event stream sends its lines in batches of about this many bytes.
pub const BATCH_BYTES: usize = 64 * 1024;
/// Service-level target of a queue that states none.
const DEFAULT_TARGET: f64 = 0.8;
/// Resolved calls in the recent window below which no alert is raised.
const ALERT_MIN_CALLS: u64 = 5;

/// Calls resolved in one minute.
#[derive(Debug, Clone, Copy, Default)]
struct Minute {
    minute: u64,
    answered: u64,
    in_sl: u64,
    abandoned: u64,
}

/// One queue's figures.
#[derive(Debug, Clone, Default)]
struct QueueFigures {
    offered: u64,
    answered: u64,
    in_sl: u64,
    abandoned: u64,
    wait_sum_us: u128,
    /// The last minutes, by minute modulo their number.
    recent: Vec<Minute>,
}

impl QueueFigures {
    fn resolved(&mut self, at: u64, answered: bool, in_sl: bool) {
        let minute = at / MINUTE;
        let n = self.recent.len() as u64;
        let slot = &mut self.recent[(minute % n) as usize];
        if slot.minute != minute {
            if minute < slot.minute {
                return; // Older than the window (an abandonment learned late).
            }
            *slot = Minute {
                minute,
                ..Minute::default()
            };
        }
        slot.answered += answered as u64;
        slot.in_sl += in_sl as u64;
        slot.abandoned += !answered as u64;
    }

    /// Answered within the threshold, and resolved, in the window ending at `now`.
    fn recent(&self, now: u64) -> (u64, u64) {
        let current = now / MINUTE;
        self.recent
            .iter()
            .filter(|m| m.minute + WINDOW_MIN > current && m.minute <= current)
            .fold((0, 0), |(s, r), m| {
                (s + m.in_sl, r + m.answered + m.abandoned)
            })
    }
}

/// One campaign's figures.
#[derive(Debug, Clone, Copy, Default)]
struct CampaignFigures {
    dials: u64,
    live: u64,
    connects: u64,
    abandoned: u64,
}

/// What an agent is doing, as far as the calls tell.
#[derive(Debug, Clone, Copy, Default)]
struct Doing {
    talk_end: u64,
    outbound: bool,
}

/// The intraday history: one point per step of simulated time.
#[derive(Debug, Clone, Default, Serialize)]
struct History {
    step_s: f64,
    t_s: Vec<f64>,
    clock: Vec<String>,
    waiting: Vec<u64>,
    /// Service level of the calls resolved since the previous point.
    service_level: Vec<Option<f64>>,
    #[serde(skip)]
    step_us: u64,
    #[serde(skip)]
    since: (u64, u64),
}

/// The call-event stream: lines batched and broadcast to whoever listens.
struct Stream {
    tx: broadcast::Sender<Arc<str>>,
    buf: String,
    /// Someone listens (checked by the engine thread between chunks).
    on: bool,
}

/// The live replication's observer and the wallboard's figures.
pub struct Board {
    sc: Arc<Scenario>,
    queues: Vec<QueueFigures>,
    campaigns: Vec<CampaignFigures>,
    agents: Vec<Doing>,
    /// Each agent's group.
    group_of: Vec<u32>,
    /// Names as JSON strings, for the event lines: queues (inbound,
    /// campaigns' live answers, callbacks), groups.
    queue_json: Vec<(&'static str, String)>,
    group_json: Vec<String>,
    history: History,
    stream: Stream,
}

/// What the engine thread adds to the board's figures.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub paused: bool,
    /// `None`: as fast as possible.
    pub speed: Option<f64>,
    /// Simulated seconds the engine is behind its pace.
    pub behind_s: f64,
}

impl Board {
    /// A board for `sc`, streaming events to `tx`.
    pub fn new(sc: Arc<Scenario>, tx: broadcast::Sender<Arc<str>>) -> Board {
        let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut queue_json: Vec<(&'static str, String)> =
            sc.queues.iter().map(|q| ("queue", json(&q.name))).collect();
        queue_json.extend(sc.campaigns.iter().map(|c| ("campaign", json(&c.name))));
        for (q, cb) in sc.callback_of.iter().enumerate() {
            if cb.is_some() {
                queue_json.push(("callback", json(&sc.queues[q].name)));
            }
        }
        let mut group_of = Vec::with_capacity(sc.agent_count() as usize);
        for (g, group) in sc.agent_groups.iter().enumerate() {
            group_of.extend(std::iter::repeat_n(g as u32, group.slots() as usize));
        }
        let window = sc.end.micros().max(1);
        let step_us = (window / HISTORY_POINTS).div_ceil(MINUTE).max(1) * MINUTE;
        Board {
            queues: vec![
                QueueFigures {
                    recent: vec![Minute::default(); WINDOW_MIN as usize + 1],
                    ..QueueFigures::default()
                };
                sc.queues.len()
            ],
            campaigns: vec![CampaignFigures::default(); sc.campaigns.len()],
            agents: vec![Doing::default(); group_of.len()],
            group_of,
            queue_json,
            group_json: sc.agent_groups.iter().map(|g| json(&g.name)).collect(),
            history: History {
                step_s: step_us as f64 / 1e6,
                step_us,
                ..History::default()
            },
            stream: Stream {
                tx,
                buf: String::new(),
                on: false,
            },
            sc,
        }
    }

    /// Whether the event stream has listeners; call between chunks of the run.
    pub fn listen(&mut self) {
        self.stream.on = self.stream.tx.receiver_count() > 0;
        if !self.stream.on {
            self.stream.buf.clear();
        }
    }

    /// Sends the events written so far.
    pub fn flush(&mut self) {
        if self.stream.buf.is_empty() {
            return;
        }
        let batch: Arc<str> = Arc::from(self.stream.buf.as_str());
        self.stream.buf.clear();
        // Nobody listening is not an error.
        let _ = self.stream.tx.send(batch);
    }

    /// The time of the next history point (µs of run time).
    pub fn next_sample(&self) -> u64 {
        self.history.t_s.len() as u64 * self.history.step_us
    }

    /// Records a history point at `view.now` (a step boundary).
    pub fn sample(&mut self, view: &FloorView) {
        let (in_sl, resolved) = std::mem::take(&mut self.history.since);
        let h = &mut self.history;
        h.t_s.push(view.now as f64 / 1e6);
        h.clock.push(self.sc.clock_label(view.now, false));
        h.waiting.push(view.queues.iter().map(|q| q.waiting).sum());
        h.service_level
            .push((resolved > 0).then(|| in_sl as f64 / resolved as f64));
    }

    fn measured(&self, arrival: u64) -> bool {
        arrival >= self.sc.warmup.micros()
    }

    /// The wallboard document at `view.now`.
    pub fn snapshot(&self, view: &FloorView, pacing: Pacing) -> String {
        let now = view.now;
        let mut alerts = Vec::new();
        let queues: Vec<QueueState> = self
            .sc
            .queues
            .iter()
            .zip(&self.queues)
            .zip(&view.queues)
            .map(|((queue, f), v)| {
                let target = queue.service_level_target.unwrap_or(DEFAULT_TARGET);
                let resolved = f.answered + f.abandoned;
                let (recent_sl, recent) = f.recent(now);
                let service_level_15m = (recent > 0).then(|| recent_sl as f64 / recent as f64);
                let alert = match service_level_15m {
                    Some(sl) if sl < target && recent >= ALERT_MIN_CALLS => Some(format!(
                        "service level over the last 15 min {:.0}% < {:.0}%",
                        sl * 100.0,
                        target * 100.0
                    )),
                    _ => None,
                };
                if let Some(a) = &alert {
                    alerts.push(format!("{}: {a}", queue.name));
                }
                QueueState {
                    name: &queue.name,
                    waiting: v.waiting,
                    longest_wait_s: v.oldest_arrival.map(|a| (now - a) as f64 / 1e6),
                    offered: f.offered,
                    answered: f.answered,
                    abandoned: f.abandoned,
                    service_level: (resolved > 0).then(|| f.in_sl as f64 / resolved as f64),
                    service_level_15m,
                    abandon_rate: (resolved > 0).then(|| f.abandoned as f64 / resolved as f64),
                    asa_s: (f.answered > 0).then(|| f.wait_sum_us as f64 / f.answered as f64 / 1e6),
                    target,
                    threshold_s: queue.service_level_threshold.as_secs_f64(),
                    arrival_factor: v.arrival_factor,
                    overflow: v
                        .stages
                        .iter()
                        .enumerate()
                        .map(|(stage, &(after, state))| StageInfo {
                            stage,
                            after_s: after as f64 / 1e6,
                            state,
                        })
                        .collect(),
                    alert,
                }
            })
            .collect();
        let agent_groups = self
            .sc
            .agent_groups
            .iter()
            .zip(&view.groups)
            .map(|(group, v)| {
                let talking = v
                    .busy
                    .iter()
                    .filter(|&&a| now < self.agents[a as usize].talk_end)
                    .count() as u32;
                let outbound = v
                    .busy
                    .iter()
                    .filter(|&&a| self.agents[a as usize].outbound)
                    .count() as u32;
                let busy = v.busy.len() as u32;
                GroupState {
                    name: &group.name,
                    role: match group.role {
                        Role::Agent => "agent",
                        Role::Supervisor => "supervisor",
                    },
                    agents: v.agents,
                    scheduled: v.scheduled,
                    target: v.target,
                    idle: v.idle,
                    busy,
                    talking,
                    wrap_up: busy.saturating_sub(talking + v.blocked),
                    blocked: v.blocked,
                    outbound,
                    on_break: v.on_break,
                }
            })
            .collect();
        let campaigns = self
            .sc
            .campaigns
            .iter()
            .zip(&self.campaigns)
            .zip(&view.campaigns)
            .map(|((c, f), v)| {
                let rate = (f.live > 0).then(|| f.abandoned as f64 / f.live as f64);
                let alert = match rate {
                    Some(r) if r > c.abandon_cap => Some(format!(
                        "silent calls {:.1}% > cap {:.1}%",
                        r * 100.0,
                        c.abandon_cap * 100.0
                    )),
                    _ => None,
                };
                if let Some(a) = &alert {
                    alerts.push(format!("{}: {a}", c.name));
                }
                CampaignState {
                    name: &c.name,
                    open: v.open,
                    dials: f.dials,
                    ringing: v.ringing,
                    live_answers: f.live,
                    connects: f.connects,
                    abandoned: f.abandoned,
                    abandon_rate: rate,
                    abandon_cap: c.abandon_cap,
                    alert,
                }
            })
            .collect();
        let state = State {
            scenario: &self.sc.name,
            time_s: now as f64 / 1e6,
            clock: self.sc.clock_label(now, true),
            clock_start_s: self
                .sc
                .clock_start
                .map(|c| c as f64 - self.sc.warmup.as_secs_f64()),
            warmup_s: self.sc.warmup.as_secs_f64(),
            horizon_s: self.sc.end.as_secs_f64(),
            interval_s: self.sc.interval.as_secs_f64(),
            paused: pacing.paused,
            speed: pacing.speed,
            behind_s: pacing.behind_s,
            ended: view.over,
            closing: view.closing && !view.over,
            queues,
            agent_groups,
            campaigns,
            escalations: view.escalations.map(|(waiting, in_progress)| Escalations {
                waiting,
                in_progress,
            }),
            alerts,
            history: &self.history,
        };
        serde_json::to_string(&state).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

impl Stream {
    /// Writes one event line if someone listens; `queue` is named by its
    /// kind ("queue", "campaign", "callback") from `names`.
    fn line(
        &mut self,
        names: &[(&'static str, String)],
        at: u64,
        event: &str,
        queue: Option<u32>,
        rest: impl FnOnce(&mut String),
    ) {
        if !self.on {
            return;
        }
        let b = &mut self.buf;
        let _ = write!(b, "{{\"t\":{},\"event\":\"{event}\"", Secs(at));
        if let Some(q) = queue {
            let (kind, name) = &names[q as usize];
            let _ = write!(b, ",\"{kind}\":{name}");
        }
        rest(b);
        b.push_str("}\n");
        if b.len() >= BATCH_BYTES {
            let batch: Arc<str> = Arc::from(b.as_str());
            b.clear();
            let _ = self.tx.send(batch);
        }
    }
}

/// Microseconds written as seconds, exactly.
struct Secs(u64);

impl std::fmt::Display for Secs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

impl Observer for Board {
    const ON: bool = true;

    fn event(&mut self, e: CallEvent) {
        let inbound = self.sc.queues.len() as u32;
        let campaigns = self.sc.campaigns.len() as u32;
        match e {
            CallEvent::Offered { queue, at, retrial } => {
                if queue < inbound && self.measured(at) {
                    self.queues[queue as usize].offered += 1;
                }
                self.stream
                    .line(&self.queue_json, at, "offered", Some(queue), |b| {
                        if retrial {
                            b.push_str(",\"retrial\":true");
                        }
                    });
            }
            CallEvent::Blocked { queue, at } => {
                self.stream
                    .line(&self.queue_json, at, "blocked", Some(queue), |_| {});
            }
            CallEvent::Answered {
                queue,
                agent,
                arrival,
                at,
                talk,
                wrap,
            } => {
                let campaign = queue >= inbound && queue < inbound + campaigns;
                self.agents[agent as usize] = Doing {
                    talk_end: at.saturating_add(talk),
                    outbound: campaign,
                };
                let wait = at - arrival;
                if queue < inbound && self.measured(arrival) {
                    let in_sl = wait
                        <= self.sc.queues[queue as usize]
                            .service_level_threshold
                            .micros();
                    let f = &mut self.queues[queue as usize];
                    f.answered += 1;
                    f.in_sl += in_sl as u64;
                    f.wait_sum_us += wait as u128;
                    f.resolved(at, true, in_sl);
                    self.history.since.0 += in_sl as u64;
                    self.history.since.1 += 1;
                } else if campaign {
                    self.campaigns[(queue - inbound) as usize].connects += 1;
                }
                let g = self.group_of[agent as usize] as usize;
                let group = &self.group_json[g];
                self.stream.line(&self.queue_json, at, "answered", Some(queue), |b| {
                    let _ = write!(
                        b,
                        ",\"agent\":{agent},\"group\":{group},\"wait_s\":{},\"talk_s\":{},\"wrap_s\":{}",
                        Secs(wait),
                        Secs(talk),
                        Secs(wrap)
                    );
                });
            }
            CallEvent::Abandoned {
                queue,
                arrival,
                at,
                balked,
            } => {
                if queue < inbound && self.measured(arrival) {
                    let f = &mut self.queues[queue as usize];
                    f.abandoned += 1;
                    f.resolved(at, false, false);
                    self.history.since.1 += 1;
                } else if queue >= inbound && queue < inbound + campaigns {
                    self.campaigns[(queue - inbound) as usize].abandoned += 1;
                }
                self.stream
                    .line(&self.queue_json, at, "abandoned", Some(queue), |b| {
                        let _ = write!(b, ",\"wait_s\":{}", Secs(at - arrival));
                        if balked {
                            b.push_str(",\"balked\":true");
                        }
                    });
            }
            CallEvent::Escalated { agent, queue, at } => {
                // Its talk is over: blocked or handing over from here.
                self.agents[agent as usize].talk_end = at;
                self.stream
                    .line(&self.queue_json, at, "escalated", Some(queue), |b| {
                        let _ = write!(b, ",\"agent\":{agent}");
                    });
            }
            CallEvent::TakenOver {
                supervisor,
                agent,
                queue,
                at,
            } => {
                self.agents[supervisor as usize] = Doing {
                    talk_end: NEVER,
                    outbound: false,
                };
                self.stream
                    .line(&self.queue_json, at, "taken_over", Some(queue), |b| {
                        let _ = write!(b, ",\"agent\":{agent},\"supervisor\":{supervisor}");
                    });
            }
            CallEvent::Dialed { campaign, at, live } => {
                let f = &mut self.campaigns[campaign as usize];
                f.dials += 1;
                f.live += live as u64;
                let queue = Some(inbound + campaign);
                self.stream
                    .line(&self.queue_json, at, "dialed", queue, |b| {
                        let _ = write!(b, ",\"live\":{live}");
                    });
            }
        }
    }
}

#[derive(Serialize)]
struct State<'a> {
    scenario: &'a str,
    time_s: f64,
    clock: String,
    /// Clock time (s after midnight) at run time 0, with `clock_start`.
    clock_start_s: Option<f64>,
    warmup_s: f64,
    horizon_s: f64,
    interval_s: f64,
    paused: bool,
    speed: Option<f64>,
    behind_s: f64,
    ended: bool,
    closing: bool,
    queues: Vec<QueueState<'a>>,
    agent_groups: Vec<GroupState<'a>>,
    campaigns: Vec<CampaignState<'a>>,
    escalations: Option<Escalations>,
    alerts: Vec<String>,
    history: &'a History,
}

#[derive(Serialize)]
struct QueueState<'a> {
    name: &'a str,
    waiting: u64,
    longest_wait_s: Option<f64>,
    offered: u64,
    answered: u64,
    abandoned: u64,
    service_level: Option<f64>,
    service_level_15m: Option<f64>,
    abandon_rate: Option<f64>,
    asa_s: Option<f64>,
    target: f64,
    threshold_s: f64,
    arrival_factor: f64,
    overflow: Vec<StageInfo>,
    alert: Option<String>,
}

#[derive(Serialize)]
struct StageInfo {
    stage: usize,
    after_s: f64,
    state: crate::command::StageState,
}

#[derive(Serialize)]
struct GroupState<'a> {
    name: &'a str,
    role: &'static str,
    agents: u32,
    scheduled: u32,
    target: u32,
    idle: u32,
    busy: u32,
    talking: u32,
    wrap_up: u32,
    blocked: u32,
    outbound: u32,
    on_break: u32,
}

#[derive(Serialize)]
struct CampaignState<'a> {
    name: &'a str,
    open: bool,
    dials: u64,
    ringing: u64,
    live_answers: u64,
    connects: u64,
    abandoned: u64,
    abandon_rate: Option<f64>,
    abandon_cap: f64,
    alert: Option<String>,
}

#[derive(Serialize)]
struct Escalations {
    waiting: u32,
    in_progress: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Simulation;

    /// The event stream of a center with supervisors: every escalation and
    /// takeover names its queue, and every call taken over escalated first,
    /// in the same queue.
    #[test]
    fn escalations_and_takeovers_name_their_queue() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/supervisors.json");
        let mut sc = Scenario::load(std::path::Path::new(path)).unwrap();
        sc.reserve_for_commands();
        let sc = Arc::new(sc);
        let (tx, mut rx) = broadcast::channel(1 << 12);
        let mut sim = Simulation::observed(&sc, 1, 0, Board::new(sc.clone(), tx));
        let mut lines = Vec::new();
        for minute in 1..=120u64 {
            sim.observer_mut().listen();
            sim.run_until(minute * 60_000_000);
            sim.observer_mut().flush();
            while let Ok(batch) = rx.try_recv() {
                lines.extend(
                    batch.lines().map(|l| {
                        serde_json::from_str::<serde_json::Value>(l).expect("a JSON line")
                    }),
                );
            }
        }
        let queues: Vec<&str> = sc.queues.iter().map(|q| q.name.as_str()).collect();
        let mut escalated = std::collections::HashMap::new();
        let (mut escalations, mut takeovers) = (0, 0);
        for l in &lines {
            match l["event"].as_str().unwrap() {
                "escalated" => {
                    let queue = l["queue"].as_str().expect("an escalation names its queue");
                    assert!(queues.contains(&queue), "{l}");
                    escalated.insert(l["agent"].as_u64().unwrap(), queue.to_string());
                    escalations += 1;
                }
                "taken_over" => {
                    let agent = l["agent"].as_u64().unwrap();
                    assert!(l["supervisor"].is_u64(), "{l}");
                    assert_eq!(
                        escalated.remove(&agent).as_deref(),
                        l["queue"].as_str(),
                        "taken over without escalating in its queue: {l}"
                    );
                    takeovers += 1;
                }
                _ => {}
            }
        }
        assert!(escalations >= 20, "{escalations} escalations in two hours");
        assert!(takeovers >= 10, "{takeovers} takeovers");
    }
}
