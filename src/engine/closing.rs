//! The end of the run. With `closing: stop` (and `disconnect`) the run ends
//! at the horizon: callers still waiting are unresolved (disconnected), those
//! whose patience ran out before it have abandoned. With `closing: drain` no
//! call arrives after the horizon and the agents on the floor stay until
//! every waiting call they can answer is answered or abandoned: a group is
//! released at that moment (found exactly by counting the callers really
//! present, after every routing decision and at each caller's deadline), then
//! its idle agents log off and busy ones as they finish. Callers no agent on
//! the floor can answer do not hold anyone back: they stay unresolved (or
//! abandon when their patience runs out).

use super::accounting::NO_CELL;
use super::staffing::{scheduled_us, Place};
use super::{Observer, Simulation};
use crate::event::EventKind;
use crate::router::NEVER;
use crate::scenario::Closing;
use crate::stats::{hours, ReplicationStats};

impl<O: Observer> Simulation<'_, O> {
    /// The horizon is reached with `closing: drain`.
    pub(super) fn begin_drain(&mut self, now: u64) {
        self.drain.started = true;
        self.follow_ups = true;
        self.drain.released = vec![false; self.groups.len()];
        for g in 0..self.groups.len() {
            // From now on every agent still there is in overtime.
            self.groups[g].all_overtime = true;
            let cells = &mut self.group_stats[g].intervals;
            self.groups[g].change(now, &self.grid, cells, 0, 0, 0);
            // Paid time after the horizon is overtime, commands or not; the
            // agents on the floor all stay to drain.
            self.groups[g].paid_change(now, &self.grid, cells, 0, 0);
            self.groups[g].away_pending = 0;
            self.groups[g].away_target = self.groups[g].away_count;
        }
        self.router.waiting().count_presence();
        self.check_drain(now);
    }

    /// Releases the groups no present caller needs any more, and makes sure
    /// the next deadline is checked while some group stays.
    pub(super) fn check_drain(&mut self, now: u64) {
        let present = self.router.waiting().present_total(now);
        // With escalations, supervisors stay while an agent may still need one.
        if present != self.drain.present_seen || self.desk.is_some() {
            // Someone left: look at every group still on the floor.
            self.drain.present_seen = present;
            // Twice with escalations: supervisors go once the agents have.
            let passes = 1 + self.desk.is_some() as usize;
            let n = self.groups.len();
            for g in (0..passes).flat_map(|_| 0..n) {
                if !self.drain.released[g]
                    && !self.router.group_has_waiting(g, now)
                    && !self.supervisor_needed(g)
                {
                    self.release(g, now);
                }
            }
        }
        if self.drain.released.iter().all(|&r| r) {
            self.drain.ended = true;
            self.drain.timer_at = NEVER;
            return;
        }
        let next = self.router.waiting().next_deadline(now);
        if next < self.drain.timer_at {
            self.drain.timer_at = next;
            self.events.push(next, EventKind::Drain);
        }
    }

    /// Whether group `g` holds supervisors an escalation may still need:
    /// an escalated call in progress, or agents still answering calls.
    fn supervisor_needed(&self, g: usize) -> bool {
        let Some(desk) = &self.desk else {
            return false;
        };
        desk.is_supervisor_group(g)
            && (desk.in_progress > 0
                || (0..self.groups.len())
                    .any(|h| !desk.is_supervisor_group(h) && !self.drain.released[h]))
    }

    pub(super) fn on_drain_timer(&mut self, now: u64) {
        self.events.pop();
        if self.drain.timer_at != now || self.drain.ended {
            return; // Moot.
        }
        self.drain.timer_at = NEVER;
        self.check_drain(now);
    }

    /// No caller group `g` can answer is left at `now`: its idle agents log off.
    fn release(&mut self, g: usize, now: u64) {
        self.drain.released[g] = true;
        while let Some(agent) = self.router.take_any_idle(g) {
            self.log_off(agent, now, 0);
        }
    }

    /// Nothing is left to happen; returns false (the run is over).
    pub(super) fn nothing_left(&mut self) -> bool {
        if self.drain.started && !self.drain.ended {
            // Only callers no agent can answer are left: they stay unresolved.
            let now = self.now;
            for g in 0..self.groups.len() {
                if !self.drain.released[g] {
                    self.release(g, now);
                }
            }
            self.drain.ended = true;
        }
        false
    }

    /// Makes the current time the end of the replication (a `stop`
    /// command): before the horizon, the measured window ends here (the
    /// intervals after it are left out, the one holding it is cut).
    pub(super) fn stop_here(&mut self) {
        self.stopped = true;
        self.over = true;
        let now = self.now;
        // The calls in progress stop counting as handling time here.
        let old = self.grid;
        for (t, kind) in self.events.iter() {
            // Talk and wrap-up end with the agent's event, a preview before its dial's.
            let (a, t) = match kind {
                EventKind::Agent(a) if self.agents[a as usize].place == Place::Floor => (a, t),
                EventKind::Dial(id) => match self.preview_of(id) {
                    Some(preview) => preview,
                    None => continue,
                },
                _ => continue,
            };
            if t <= now {
                continue;
            }
            let gs = &mut self.group_stats[self.router.group_of(a) as usize];
            let cells = &mut gs.intervals;
            let after = old.split(now, t, |c, us| cells[c].busy_us -= us as u128);
            gs.busy_after_end_us += (t - now - after) as u128;
        }
        if self.horizon_passed || now >= self.grid.horizon {
            return;
        }
        let grid = &mut self.grid;
        grid.horizon = now.max(grid.warmup);
        grid.intervals = ((grid.horizon - grid.warmup).div_ceil(grid.interval) as usize).max(1);
        grid.drain_cell = false;
        let cells = grid.intervals;
        for q in &mut self.queue_stats {
            q.intervals.truncate(cells);
        }
        for g in &mut self.group_stats {
            g.intervals.truncate(cells);
        }
        if let Some(out) = &mut self.outbound {
            for (_, c) in &mut out.counts {
                c.truncate(cells);
            }
        }
    }

    /// Counts the calls still waiting and closes the books.
    pub(super) fn finish(mut self) -> ReplicationStats {
        let draining = self.sc.closing == Closing::Drain && !self.stopped;
        let horizon = self.grid.horizon;
        // A stopped run ends now (the horizon, if cut; after it, if draining).
        let end = if self.stopped || draining {
            self.now.max(horizon)
        } else {
            horizon
        };
        let (grid, closing, stopped) = (self.grid, self.sc.closing, self.stopped);
        let (stats, callers, obs) = (&mut self.queue_stats, &self.callers, &mut self.obs);
        self.router.drain_waiting(|q, call| {
            let expired = if draining {
                call.deadline != NEVER
            } else {
                call.deadline < end
            };
            if expired {
                super::record_abandon(stats, callers, &grid, obs, q, call);
                return;
            }
            let cell = grid.cell_of(call.arrival);
            if cell == NO_CELL {
                return;
            }
            let c = &mut stats[q].intervals[cell];
            if closing == Closing::Disconnect && !stopped {
                c.disconnected += 1;
            } else {
                c.unresolved += 1;
            }
        });
        self.settle_callbacks();
        for q in &mut self.queue_stats {
            let mut total = crate::stats::CallCounts::default();
            for cell in &q.intervals {
                total.merge(&cell.calls);
            }
            q.calls = total;
        }
        // The campaigns' queues are reported with their campaigns.
        let campaign_calls = self.queue_stats.split_off(self.first_campaign_queue);
        let campaigns = match self.outbound.take() {
            Some(out) => out
                .counts
                .into_iter()
                .zip(campaign_calls)
                .map(
                    |((dials, intervals), calls)| crate::stats::CampaignCounters {
                        dials,
                        intervals,
                        calls,
                    },
                )
                .collect(),
            None => Vec::new(),
        };
        for (g, group) in self.sc.agent_groups.iter().enumerate() {
            let gs = &mut self.group_stats[g];
            self.groups[g].close(end, &self.grid, &mut gs.intervals);
            for (c, us) in scheduled_us(group, self.sc, &self.grid)
                .into_iter()
                .enumerate()
            {
                let cell = &mut gs.intervals[c];
                cell.staffed_us = (us + cell.added_us).saturating_sub(cell.removed_us);
            }
            let mut total = crate::stats::AgentTime::default();
            for cell in &mut gs.intervals {
                cell.cost = group
                    .cost_per_hour
                    .map(|rate| rate * hours(cell.staffed_us + cell.overtime_us));
                total.merge(cell);
            }
            total.cost = group
                .cost_per_hour
                .map(|rate| rate * hours(total.staffed_us + total.overtime_us));
            gs.time = total;
        }
        let mut cell_us = self.grid.interval_lengths();
        if self.grid.drain_cell {
            cell_us.push(end - horizon);
        }
        ReplicationStats {
            replication: self.replication,
            queues: self.queue_stats,
            groups: self.group_stats,
            campaigns,
            cell_us,
            calls_generated: self.calls_generated,
            events: self.events_processed,
            stopped_at_us: self.stopped.then_some(self.now),
        }
    }
}
