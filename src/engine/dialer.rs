//! Outbound campaigns: the dialer of each campaign, its dials in progress,
//! their outcomes, retries, and the pacing rules of the four modes.
//!
//! A campaign's live answers wait in a queue of their own, routed like an
//! inbound queue after the scenario's queues (so blending follows the
//! routing rules); a live answer nobody takes within its `patience` is an
//! abandoned (silent) call. Preview and progressive dialers reserve an idle
//! agent for each dial, so their live answers are always connected at once.
//!
//! The dialer looks again when its campaign opens, when a retry falls due,
//! after each agent becomes idle (once that agent has taken any waiting
//! call), and — predictive only — after each outcome.
//!
//! Predictive pacing (documented in README.md): with `a` idle agents holding
//! the skill (minus `inbound_reserve`), `r` dials ringing and `p` the live
//! rate (observed, with the configured rate as a prior worth 10 dials), it
//! dials ⌈(g·a − r·p) / p⌉ more, so that the live answers expected from the
//! dials ringing are `g` times the idle agents. The gain `g` starts at 1 and
//! adapts after every live answer is resolved (connected or silent): while
//! the replication's abandoned-call rate so far is below 70% of
//! `abandon_cap`, g grows by 1%; above it, g shrinks by 5% (0.3 ≤ g ≤ 4).
//!
//! Nothing here exists for a scenario without campaigns.

use super::accounting::NO_CELL;
use super::{Observer, Simulation};
use crate::distribution::Sampler;
use crate::event::{EventKind, MAX_ID};
use crate::rng::{Stream, StreamKind};
use crate::router::NEVER;
use crate::scenario::{Dialer, Profile, Scenario};
use crate::stats::DialCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Weight of the configured live rate in the predictive dialer's estimate (in dials).
const PRIOR_DIALS: f64 = 10.0;
/// The predictive dialer aims at this share of its cap.
const PREDICTIVE_AIM: f64 = 0.7;
const GAIN_MIN: f64 = 0.3;
const GAIN_MAX: f64 = 4.0;
/// Most dials one evaluation places (a bound on a runaway pace).
const MAX_DIALS_AT_ONCE: u64 = 1000;
/// Most dials a campaign places at one simulated instant, beyond one per
/// agent: dials whose ringing and preview take no time, never answered,
/// would otherwise be placed again and again at the same moment.
const MAX_DIALS_PER_INSTANT: u64 = 1000;

/// A dial in progress.
#[derive(Debug, Clone, Copy)]
struct Dial {
    campaign: u32,
    /// The agent reserved for it (preview, progressive), or `u32::MAX`.
    agent: u32,
    /// Dials of this record so far, this one included.
    attempt: u32,
    /// When the reserved agent's preview of the record ends (work until then).
    preview_end: u64,
}

/// One campaign's dialer.
struct CampaignDialer {
    queue: usize,
    skill: usize,
    start: u64,
    end: u64,
    list_size: Option<u64>,
    reserve: u64,
    dial_time: Sampler,
    preview: Option<Sampler>,
    retry: Option<(Sampler, u32)>,
    /// Live-answer probability (machine, busy and no answer are all retried alike).
    live: Profile<f64>,
    cap: f64,
    dial_rng: Stream,
    outcome_rng: Stream,
    retry_rng: Stream,
    preview_rng: Stream,
    open: bool,
    ringing: u64,
    /// Fresh records started.
    records: u64,
    /// Retries waiting: (due time, attempt number).
    retries: BinaryHeap<Reverse<(u64, u32)>>,
    /// Time of the pending wake-up event ([`NEVER`] if none).
    wake_at: u64,
    /// For pacing: outcomes and live answers seen, connects, and live answers resolved.
    outcomes: u64,
    lives: u64,
    connected: u64,
    resolved: u64,
    gain: f64,
    /// The instant of the last dial, and the dials placed at it.
    instant: u64,
    at_instant: u64,
}

/// Every campaign's dialer, the dials in progress and the counts by interval.
pub(super) struct Outbound {
    campaigns: Vec<CampaignDialer>,
    dials: Vec<Dial>,
    free: Vec<u32>,
    /// Per campaign: counts of the whole run and by interval cell.
    pub counts: Vec<(DialCell, Vec<DialCell>)>,
    /// The router's index of the first campaign queue.
    pub first_queue: usize,
    /// Per agent: since when it has been idle or reserved for dials (the
    /// chain of a reserved agent's unanswered dials), and when its last
    /// unanswered dial released it.
    waiting_since: Vec<u64>,
    released_at: Vec<u64>,
    /// Per agent: preview time (work, not waiting) since `waiting_since`.
    previewed: Vec<u64>,
    /// Most dials of one campaign at one instant.
    per_instant: u64,
}

impl CampaignDialer {
    /// Whether the campaign dials at `now`. Its closing wake-up may come
    /// after other events of the instant its hours end (an agent freeing
    /// up, a dial's outcome, a shift starting): from then on it is closed,
    /// whether its wake-up has told it yet or not.
    #[inline]
    fn open_at(&self, now: u64) -> bool {
        self.open && now < self.end
    }
}

impl Outbound {
    /// The dialers of `sc`, or `None` without campaigns.
    pub fn new(sc: &Scenario, seed: u64, replication: u64, cells: usize) -> Option<Box<Outbound>> {
        if sc.campaigns.is_empty() {
            return None;
        }
        let first_queue = sc.queues.len();
        let horizon = sc.end.micros();
        let campaigns = sc
            .campaigns
            .iter()
            .enumerate()
            .map(|(c, camp)| {
                let stream = |kind| Stream::for_kind(seed, replication, kind, c as u64);
                CampaignDialer {
                    queue: first_queue + c,
                    skill: camp.skill,
                    start: camp.start.micros(),
                    // No call is placed after the horizon.
                    end: camp.end.micros().min(horizon),
                    list_size: camp.list_size,
                    reserve: camp.inbound_reserve as u64,
                    dial_time: camp.dial_time.sampler(),
                    preview: match &camp.dialer {
                        Dialer::Preview { preview_time } => Some(preview_time.sampler()),
                        _ => None,
                    },
                    retry: camp
                        .retry
                        .as_ref()
                        .map(|r| (r.delay.sampler(), r.max_attempts)),
                    live: camp.live.clone(),
                    cap: camp.abandon_cap,
                    dial_rng: stream(StreamKind::DialTime),
                    outcome_rng: stream(StreamKind::DialOutcome),
                    retry_rng: stream(StreamKind::RetryDelay),
                    preview_rng: stream(StreamKind::Preview),
                    open: false,
                    ringing: 0,
                    records: 0,
                    retries: BinaryHeap::new(),
                    wake_at: NEVER,
                    outcomes: 0,
                    lives: 0,
                    connected: 0,
                    resolved: 0,
                    gain: 1.0,
                    instant: NEVER,
                    at_instant: 0,
                }
            })
            .collect();
        Some(Box::new(Outbound {
            campaigns,
            dials: Vec::new(),
            free: Vec::new(),
            counts: vec![
                (DialCell::default(), vec![DialCell::default(); cells]);
                sc.campaigns.len()
            ],
            first_queue,
            waiting_since: vec![NEVER; sc.agent_count() as usize],
            released_at: vec![NEVER; sc.agent_count() as usize],
            previewed: vec![0; sc.agent_count() as usize],
            per_instant: MAX_DIALS_PER_INSTANT + sc.scheduled_agent_count(),
        }))
    }

    /// Whether campaign `c` may place another dial at `now`.
    fn may_dial(&self, c: usize, now: u64) -> bool {
        let d = &self.campaigns[c];
        d.instant != now || d.at_instant < self.per_instant
    }

    /// Counts of campaign `c` in `cell` (and the whole run).
    fn count(&mut self, c: usize, cell: usize, f: impl Fn(&mut DialCell)) {
        if cell == NO_CELL {
            return;
        }
        let (whole, cells) = &mut self.counts[c];
        f(whole);
        f(&mut cells[cell]);
    }

    /// Whether campaign `c` has a record to dial at `now`.
    fn has_record(&self, c: usize, now: u64) -> bool {
        let d = &self.campaigns[c];
        self.may_dial(c, now)
            && (d
                .retries
                .peek()
                .is_some_and(|&Reverse((due, _))| due <= now)
                || d.list_size.is_none_or(|n| d.records < n))
    }

    /// Takes the next record of campaign `c`: a retry due, else a fresh one.
    /// Returns its attempt number.
    fn take_record(&mut self, c: usize, now: u64) -> Option<u32> {
        if !self.may_dial(c, now) {
            return None;
        }
        let d = &mut self.campaigns[c];
        if let Some(&Reverse((due, attempt))) = d.retries.peek() {
            if due <= now {
                d.retries.pop();
                return Some(attempt);
            }
        }
        if d.list_size.is_none_or(|n| d.records < n) {
            d.records += 1;
            return Some(1);
        }
        None
    }
}

impl<O: Observer> Simulation<'_, O> {
    /// Schedules the first look of every campaign (its opening).
    pub(super) fn open_campaigns(&mut self) {
        let Some(out) = self.outbound.as_ref() else {
            return;
        };
        for c in 0..out.campaigns.len() {
            let start = self.outbound.as_ref().expect("checked").campaigns[c].start;
            self.wake_campaign(c, start);
        }
    }

    /// Makes sure campaign `c`'s dialer looks again at `t`.
    fn wake_campaign(&mut self, c: usize, t: u64) {
        let out = self.outbound.as_mut().expect("campaigns exist");
        let d = &mut out.campaigns[c];
        if t < d.wake_at && t < self.stop_at {
            d.wake_at = t;
            self.events.push(t, EventKind::Campaign(c as u32));
        }
    }

    /// Campaign `c`'s wake-up at `now`: it opens or closes, or a retry is due.
    pub(super) fn on_campaign_wake(&mut self, c: usize, now: u64) {
        self.events.pop();
        let out = self.outbound.as_mut().expect("campaigns exist");
        let d = &mut out.campaigns[c];
        if d.wake_at != now {
            return; // Moot: replaced by an earlier wake-up.
        }
        d.wake_at = NEVER;
        d.open = d.start <= now && now < d.end;
        let next = if now < d.start {
            d.start
        } else if now < d.end {
            let due = d.retries.peek().map_or(NEVER, |&Reverse((t, _))| t);
            d.end.min(if due > now { due } else { NEVER })
        } else {
            NEVER
        };
        if d.open {
            self.dial_more(c, now);
        }
        if next != NEVER {
            self.wake_campaign(c, next);
        }
    }

    /// A live command starts (`open`) or stops campaign `c` at `now`: its
    /// hours become now to the horizon, or end now.
    pub(super) fn command_campaign(&mut self, c: usize, open: bool, now: u64) {
        let horizon = self.grid.horizon;
        let d = &mut self.outbound.as_mut().expect("campaigns exist").campaigns[c];
        if open {
            d.start = now;
            d.end = horizon;
        } else {
            d.end = now;
        }
        d.open = d.start <= now && now < d.end;
        self.wake_campaign(c, now);
    }

    /// The agent previewing for dial `id` and when its preview ends, if any.
    pub(super) fn preview_of(&self, id: u32) -> Option<(u32, u64)> {
        let d = self.outbound.as_ref()?.dials[id as usize];
        (d.agent != u32::MAX).then_some((d.agent, d.preview_end))
    }

    /// Whether campaign `c` is dialing, and its dials ringing.
    pub(super) fn campaign_state(&self, c: usize) -> (bool, u64) {
        let d = &self.outbound.as_ref().expect("campaigns exist").campaigns[c];
        (d.open, d.ringing)
    }

    /// Every open campaign's dialer looks again (an agent became idle).
    #[cold]
    pub(super) fn dialers_look(&mut self, now: u64) {
        let n = self.outbound.as_ref().map_or(0, |o| o.campaigns.len());
        for c in 0..n {
            if self.outbound.as_ref().expect("campaigns exist").campaigns[c].open_at(now) {
                self.dial_more(c, now);
            }
        }
    }

    /// Campaign `c`'s dialer places the dials its mode calls for at `now`.
    fn dial_more(&mut self, c: usize, now: u64) {
        let sc = self.sc;
        let d = &self.outbound.as_ref().expect("campaigns exist").campaigns[c];
        let (skill, queue, reserve) = (d.skill, d.queue, d.reserve);
        match &sc.campaigns[c].dialer {
            Dialer::Preview { .. } | Dialer::Progressive => loop {
                if self.router.idle_with_skill(skill) <= reserve
                    || !self
                        .outbound
                        .as_ref()
                        .expect("campaigns exist")
                        .has_record(c, now)
                {
                    break;
                }
                let Some(agent) = self.router.pick_for_arrival(queue) else {
                    break;
                };
                let out = self.outbound.as_mut().expect("campaigns exist");
                let attempt = out.take_record(c, now).expect("checked above");
                self.dial(c, attempt, agent, now);
            },
            Dialer::Power {
                lines_per_free_agent,
                min_free_agents,
            } => {
                let idle = self.router.idle_with_skill(skill);
                if (self.router.idle_agents() as u64) < *min_free_agents as u64 || idle == 0 {
                    return;
                }
                let usable = idle.saturating_sub(reserve) as f64;
                let ringing = self.outbound.as_ref().expect("campaigns exist").campaigns[c].ringing;
                let want = ((lines_per_free_agent * usable).round() as u64).saturating_sub(ringing);
                self.dial_records(c, want.min(MAX_DIALS_AT_ONCE), now);
            }
            Dialer::Predictive => {
                self.settle_silent(c, now);
                let usable = self.router.idle_with_skill(skill).saturating_sub(reserve);
                if usable == 0 {
                    return;
                }
                let k = self.grid.profile_index(now);
                let d = &self.outbound.as_ref().expect("campaigns exist").campaigns[c];
                let prior = *d.live.at(k);
                let p = ((d.lives as f64 + PRIOR_DIALS * prior)
                    / (d.outcomes as f64 + PRIOR_DIALS))
                    .max(0.01);
                let want = (d.gain * usable as f64 - d.ringing as f64 * p) / p;
                if want > 0.0 {
                    let n = (want.ceil() as u64).min(MAX_DIALS_AT_ONCE);
                    self.dial_records(c, n, now);
                }
            }
        }
    }

    /// Places up to `n` dials without reserving agents.
    fn dial_records(&mut self, c: usize, n: u64, now: u64) {
        for _ in 0..n {
            let out = self.outbound.as_mut().expect("campaigns exist");
            let Some(attempt) = out.take_record(c, now) else {
                break;
            };
            self.dial(c, attempt, u32::MAX, now);
        }
    }

    /// Campaign `c` dials attempt `attempt` of a record at `now`, for
    /// `agent` (reserved) or for whoever is free at the outcome (`u32::MAX`).
    fn dial(&mut self, c: usize, attempt: u32, agent: u32, now: u64) {
        let cell = self.cur_cell;
        let out = self.outbound.as_mut().expect("campaigns exist");
        out.count(c, cell, |x| {
            x.dials += 1;
            x.records += (attempt == 1) as u64;
        });
        let d = &mut out.campaigns[c];
        if d.instant != now {
            d.instant = now;
            d.at_instant = 0;
        }
        d.at_instant += 1;
        d.ringing += 1;
        let preview = match &d.preview {
            Some(p) => p.sample(&mut d.preview_rng),
            None => 0,
        };
        let ring = d.dial_time.sample(&mut d.dial_rng);
        if agent != u32::MAX {
            // A reserved agent released by an unanswered dial and reserved
            // again without another call in between keeps waiting.
            let a = agent as usize;
            let since = self.router.idle_since(agent);
            if out.released_at[a] != since || out.waiting_since[a] == NEVER {
                out.waiting_since[a] = since;
                out.previewed[a] = 0;
            }
        }
        let dial = Dial {
            campaign: c as u32,
            agent,
            attempt,
            preview_end: now.saturating_add(preview),
        };
        let id = match out.free.pop() {
            Some(id) => {
                out.dials[id as usize] = dial;
                id
            }
            None => {
                out.dials.push(dial);
                (out.dials.len() - 1) as u32
            }
        };
        debug_assert!(id <= MAX_ID, "more dials in progress than events can name");
        if preview > 0 && agent != u32::MAX {
            // Reading the record is work.
            self.occupy(agent, now, preview, false);
            let out = self.outbound.as_mut().expect("campaigns exist");
            out.previewed[agent as usize] += preview;
        }
        let at = now.saturating_add(preview).saturating_add(ring);
        if at < self.stop_at {
            self.events.push(at, EventKind::Dial(id));
        }
    }

    /// Dial `id`'s outcome is known at `now`.
    pub(super) fn on_dial_outcome(&mut self, id: u32, now: u64) {
        self.events.pop();
        let out = self.outbound.as_mut().expect("campaigns exist");
        let dial = out.dials[id as usize];
        out.free.push(id);
        let c = dial.campaign as usize;
        let k = self.grid.profile_index(now);
        let cell = self.cur_cell;
        let d = &mut out.campaigns[c];
        d.ringing -= 1;
        d.outcomes += 1;
        let u = d.outcome_rng.unit_f64();
        let live = u < *d.live.at(k);
        let queue = d.queue;
        if O::ON {
            let campaign = c as u32;
            self.obs.event(super::CallEvent::Dialed {
                campaign,
                at: now,
                live,
            });
            if live {
                let (queue, retrial) = (queue as u32, false);
                self.obs.event(super::CallEvent::Offered {
                    queue,
                    at: now,
                    retrial,
                });
            }
        }
        if live {
            d.lives += 1;
            out.count(c, cell, |x| x.live_answers += 1);
            let (call, _) = self.callers[queue].draw::<false>(now, 0);
            let agent = if dial.agent != u32::MAX {
                let a = dial.agent as usize;
                let since = std::mem::replace(&mut out.waiting_since[a], NEVER);
                // Preview time (of every dial of the chain) is work, not waiting.
                let previewed = std::mem::take(&mut out.previewed[a]);
                Some((
                    dial.agent,
                    now.saturating_sub(since).saturating_sub(previewed),
                ))
            } else {
                self.router
                    .pick_for_arrival(queue)
                    .map(|a| (a, now - self.router.idle_since(a).min(now)))
            };
            match agent {
                Some((agent, idle)) => {
                    self.outbound
                        .as_mut()
                        .expect("campaigns exist")
                        .count(c, cell, |x| {
                            x.connects_timed += 1;
                            x.idle_before_connect_us += idle as u128;
                        });
                    let end = self.answer(agent, queue, &call, now, cell);
                    self.schedule_agent(agent, end);
                }
                None => self.router.enqueue(queue, call),
            }
        } else {
            if let Some((delay, max)) = &d.retry {
                if dial.attempt < *max {
                    let due = now.saturating_add(delay.sample(&mut d.retry_rng));
                    d.retries.push(Reverse((due, dial.attempt + 1)));
                    if d.open_at(now) || now < d.start {
                        self.wake_campaign(c, due.max(now));
                    }
                }
            }
            if dial.agent != u32::MAX {
                // The reserved agent is free again.
                self.outbound.as_mut().expect("campaigns exist").released_at[dial.agent as usize] =
                    now;
                self.agent_done(dial.agent, now);
            }
        }
        if matches!(self.sc.campaigns[c].dialer, Dialer::Predictive)
            && self.outbound.as_ref().expect("campaigns exist").campaigns[c].open_at(now)
        {
            self.dial_more(c, now);
        }
        self.after_routing(now);
    }

    /// A call of campaign queue `q` is connected (answered by an agent).
    #[cold]
    pub(super) fn on_connect(&mut self, q: usize) {
        let out = self.outbound.as_mut().expect("campaigns exist");
        let c = q - out.first_queue;
        out.campaigns[c].connected += 1;
    }

    /// Drops campaign `c`'s silent calls (live answers whose patience ran
    /// out) and adapts the predictive gain to every live answer resolved since.
    fn settle_silent(&mut self, c: usize, now: u64) {
        let queue = self.outbound.as_ref().expect("campaigns exist").campaigns[c].queue;
        let (stats, callers, grid, obs) = (
            &mut self.queue_stats,
            &self.callers,
            self.grid,
            &mut self.obs,
        );
        self.router
            .waiting()
            .drop_expired(queue, now, &mut |q, call| {
                super::record_abandon(stats, callers, &grid, obs, q, call);
            });
        let waiting = self.router.waiting().len(queue) as u64;
        let d = &mut self.outbound.as_mut().expect("campaigns exist").campaigns[c];
        let silent = d.lives - d.connected - waiting;
        let resolved = d.connected + silent;
        while d.resolved < resolved {
            d.resolved += 1;
            let rate = silent as f64 / d.lives.max(1) as f64;
            d.gain = if rate > PREDICTIVE_AIM * d.cap {
                (d.gain * 0.95).max(GAIN_MIN)
            } else {
                (d.gain * 1.01).min(GAIN_MAX)
            };
        }
    }
}
