//! Live commands applied to a running replication at its current time
//! ([`Simulation::execute`]): agents added, taken off or moved between
//! groups (a group's offset from its schedule, kept when the schedule
//! changes), arrivals scaled, overflow stages opened or closed, campaigns
//! started or stopped, the run stopped. A command either applies whole or
//! changes nothing; the same commands at the same times give the same
//! results, live or replayed.

use super::{Observer, Simulation};
use crate::command::Action;

/// What a command did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// When it took effect (µs of run time).
    pub at: u64,
    /// Agent commands: the group's agents now (`set_agents`, `add_agents`),
    /// or how many moved (`move_agents`).
    pub agents: Option<u32>,
}

impl<O: Observer> Simulation<'_, O> {
    /// Applies `action` now (see [`Simulation::run_until`] for when "now"
    /// is). Agent counts are kept within what a group can have (0 to its
    /// agents on shift and its reserve). Refused, changing nothing, once
    /// the run is over, and (but `stop`) once the horizon has passed.
    pub fn execute(&mut self, action: &Action) -> Result<Applied, String> {
        if self.over {
            return Err("the run is over".into());
        }
        let now = self.now;
        if let Action::Stop = action {
            self.stop_here();
            return Ok(Applied {
                at: now,
                agents: None,
            });
        }
        if !self.settle() {
            return Err("the run is over".into());
        }
        if self.horizon_passed {
            return Err(
                "the horizon has passed: the center is closing, only the calls still there are answered"
                    .into(),
            );
        }
        let mut agents = None;
        match *action {
            Action::SetAgents { group, agents: n } => {
                agents = Some(self.set_floor(group, n as i64, now));
            }
            Action::AddAgents { group, agents: n } => {
                let want = self.floor_size(group) as i64 + n;
                agents = Some(self.set_floor(group, want, now));
            }
            Action::MoveAgents {
                from,
                to,
                agents: n,
            } => {
                let room = self.floor_room(to) - self.floor_size(to);
                let k = n.min(self.floor_size(from)).min(room);
                let (f, t) = (self.floor_size(from) - k, self.floor_size(to) + k);
                self.set_floor(from, f as i64, now);
                self.set_floor(to, t as i64, now);
                agents = Some(k);
            }
            Action::ScaleArrivals { queue, factor } => {
                let queues = match queue {
                    Some(q) => q..q + 1,
                    None => 0..self.sc.queues.len(),
                };
                for q in queues {
                    self.arrivals.rescale(q, now, factor);
                }
            }
            Action::SetOverflow {
                queue,
                stage,
                state,
            } => {
                self.router.set_stage(queue, stage, state);
                // A closed stage may leave a check armed too early: it
                // finds nothing and arms the next one.
                self.overflow_now(queue, now);
            }
            Action::Campaign { campaign, open } => self.command_campaign(campaign, open, now),
            Action::Stop => unreachable!("handled above"),
        }
        self.after_routing(now);
        Ok(Applied { at: now, agents })
    }

    /// Agents group `g` has on the floor by its schedule and the commands
    /// so far (on break included; agents finishing a call before they
    /// leave excluded).
    pub fn floor_size(&self, g: usize) -> u32 {
        let fg = &self.groups[g];
        if fg.shifts {
            fg.on_shift + fg.target - fg.away_target.min(fg.on_shift)
        } else {
            fg.target
        }
    }

    /// The most agents group `g` can have now: its scheduled agents and its
    /// reserve.
    pub fn floor_room(&self, g: usize) -> u32 {
        let fg = &self.groups[g];
        let group = &self.sc.agent_groups[g];
        if fg.shifts {
            fg.on_shift + group.reserve
        } else {
            group.slots()
        }
    }

    /// Group `g` has `n` agents on the floor from `now` on (as many as it
    /// can have, none if `n` < 0): its offset from the schedule becomes
    /// what that takes. Returns its agents.
    fn set_floor(&mut self, g: usize, n: i64, now: u64) -> u32 {
        let n = n.clamp(0, self.floor_room(g) as i64);
        let fg = &mut self.groups[g];
        let sched = if fg.shifts { fg.on_shift } else { fg.sched };
        fg.offset = n - sched as i64;
        self.apply_offset(g, now);
        n as u32
    }
}
