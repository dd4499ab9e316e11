//! What a running replication looks like right now, for a live wallboard:
//! per queue the callers really waiting (abandonment is lazy: expired
//! callers still in a queue are not counted) and the longest wait, the
//! arrival factor and overflow stages commands set; per group the agents
//! on the floor, idle, on break, blocked with a caller on hold, and which
//! are busy (the observer of the calls tells talking from wrap-up);
//! campaigns; escalations. Looking never changes the run.

use super::staffing::Place;
use super::{Observer, Simulation};
use crate::command::StageState;

/// One inbound queue now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueView {
    pub waiting: u64,
    /// Arrival of the caller waiting longest.
    pub oldest_arrival: Option<u64>,
    pub arrival_factor: f64,
    /// Each overflow stage: its wait in the scenario (µs) and its state.
    pub stages: Vec<(u64, StageState)>,
}

/// One agent group now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupView {
    /// Logged in: on the floor or on break.
    pub agents: u32,
    /// What its schedule has on the floor now.
    pub scheduled: u32,
    /// What the schedule and the commands have it heading to.
    pub target: u32,
    pub idle: u32,
    pub on_break: u32,
    pub blocked: u32,
    /// On the floor and not idle: talking, wrapping up, blocked, previewing.
    pub busy: Vec<u32>,
}

/// One campaign now.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CampaignView {
    pub open: bool,
    pub ringing: u64,
}

/// The floor now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FloorView {
    pub now: u64,
    pub over: bool,
    /// The horizon has passed (draining).
    pub closing: bool,
    pub queues: Vec<QueueView>,
    pub groups: Vec<GroupView>,
    pub campaigns: Vec<CampaignView>,
    /// Callers on hold for a supervisor, escalations in progress (`None`: none escalates).
    pub escalations: Option<(u32, u32)>,
}

impl<O: Observer> Simulation<'_, O> {
    /// The floor now.
    pub fn view(&self) -> FloorView {
        let now = self.now;
        let waiting = self.router.waiting_calls();
        let queues = (0..self.sc.queues.len())
            .map(|q| {
                let (present, oldest) = waiting.scan_present(q, now);
                let states = self.router.stage_states(q);
                QueueView {
                    waiting: present,
                    oldest_arrival: oldest,
                    arrival_factor: self.arrivals.process(q).factor(),
                    stages: self.sc.queues[q]
                        .overflow
                        .iter()
                        .zip(states)
                        .map(|(s, state)| (s.after.micros(), state))
                        .collect(),
                }
            })
            .collect();
        let groups = (0..self.groups.len())
            .map(|g| {
                let fg = &self.groups[g];
                let group = &self.sc.agent_groups[g];
                let first = fg.reserve_from - group.agent_slots();
                let busy = (first..first + group.slots())
                    .filter(|&a| {
                        self.agents[a as usize].place == Place::Floor && !self.router.is_idle(a)
                    })
                    .collect();
                GroupView {
                    agents: fg.logged.count + fg.on_break.count,
                    scheduled: if fg.shifts { fg.on_shift } else { fg.sched },
                    target: self.floor_size(g),
                    idle: self.router.idle_in_group(g),
                    on_break: fg.on_break.count,
                    blocked: fg.blocked.count,
                    busy,
                }
            })
            .collect();
        let campaigns = (0..self.sc.campaigns.len())
            .map(|c| {
                let (open, ringing) = self.campaign_state(c);
                CampaignView { open, ringing }
            })
            .collect();
        FloorView {
            now,
            over: self.over,
            closing: self.horizon_passed,
            queues,
            groups,
            campaigns,
            escalations: self.desk.as_ref().map(|d| d.counts()),
        }
    }
}
