//! The floor in time: applying the staffing plan's changes (counts rising
//! and falling, shifts starting and ending, breaks falling due) and what an
//! agent does when its call or break ends (log off, go on break, take the
//! next call). Agent time is integrated as it changes (see `accounting`).

use super::staffing::{Change, Due, Place};
use super::{Observer, Simulation};
use crate::event::EventKind;

impl<O: Observer> Simulation<'_, O> {
    /// Changes group `g`'s counts of agents on the floor, on break and in overtime at `now`.
    fn floor_change(&mut self, g: usize, now: u64, logged: i32, on_break: i32, overtime: i32) {
        let cells = &mut self.group_stats[g].intervals;
        self.groups[g].change(now, &self.grid, cells, logged, on_break, overtime);
    }

    /// Applies one change of the staffing plan at `now`.
    pub(super) fn apply(&mut self, change: Change, now: u64) {
        match change {
            Change::Target { group, on_floor } => {
                let g = group as usize;
                self.groups[g].sched = on_floor;
                self.apply_offset(g, now);
            }
            Change::ShiftStart { first, n } => {
                let g = self.router.group_of(first) as usize;
                self.groups[g].on_shift += n;
                for a in first..first + n {
                    let g = self.router.group_of(a) as usize;
                    if self.groups[g].away_pending > 0 {
                        // Commands keep agents off: this one starts off the floor.
                        self.send_away(g, a, now);
                    } else {
                        self.log_on(a, now);
                    }
                }
            }
            Change::ShiftEnd { first, n } => {
                let g = self.router.group_of(first) as usize;
                self.groups[g].on_shift -= n;
                for a in first..first + n {
                    self.shift_end(a, now);
                }
            }
            Change::BreakStart { first, n, duration } => {
                for a in first..first + n {
                    self.break_due(a, duration, now);
                }
            }
        }
    }

    /// Puts group `g`'s floor where its schedule and the live commands'
    /// offset say: a counted group's count becomes the schedule's plus the
    /// offset; a group working shifts gets `offset` agents from its reserve
    /// (or keeps `-offset` of its scheduled agents off the floor).
    pub(super) fn apply_offset(&mut self, g: usize, now: u64) {
        let fg = &self.groups[g];
        let group = &self.sc.agent_groups[g];
        if fg.shifts {
            let extra = fg.offset.clamp(0, group.reserve as i64) as u32;
            let away = (-fg.offset).max(0) as u32;
            // Extras leave before scheduled agents go away, and come back after.
            self.set_target(g, extra, now);
            self.groups[g].away_target = away;
            self.rebalance_away(g, now);
            let fg = &self.groups[g];
            let (added, removed) = (fg.target, fg.away_count);
            self.paid_change(g, now, added, removed);
        } else {
            let sched = fg.sched;
            let target = (sched as i64 + fg.offset).clamp(0, group.slots() as i64) as u32;
            self.set_target(g, target, now);
            self.paid_change(
                g,
                now,
                target.saturating_sub(sched),
                sched.saturating_sub(target),
            );
        }
    }

    fn paid_change(&mut self, g: usize, now: u64, added: u32, removed: u32) {
        let cells = &mut self.group_stats[g].intervals;
        self.groups[g].paid_change(now, &self.grid, cells, added, removed);
    }

    /// A counted group's floor (or the reserve of a group working shifts)
    /// becomes `target`: agents log in, or idle agents log off (then the
    /// next to finish their call).
    fn set_target(&mut self, g: usize, target: u32, now: u64) {
        let current = self.groups[g].target;
        self.groups[g].target = target;
        if target >= current {
            let mut rise = target - current;
            // Agents still finishing a call before logging off simply stay.
            let stay = rise.min(self.groups[g].pending);
            self.groups[g].pending -= stay;
            self.floor_change(g, now, 0, 0, -(stay as i32));
            rise -= stay;
            for _ in 0..rise {
                let agent = self.groups[g]
                    .off
                    .pop()
                    .expect("a group has agents for its largest count");
                self.log_on(agent, now);
            }
        } else {
            let mut drop = current - target;
            while drop > 0 {
                let Some(agent) = self.take_idle_counted(g) else {
                    break;
                };
                self.agents[agent as usize].place = Place::Off;
                self.groups[g].off.push(agent);
                self.floor_change(g, now, -1, 0, 0);
                drop -= 1;
            }
            // The rest log off as they finish their calls: overtime until then.
            self.groups[g].pending += drop;
            self.floor_change(g, now, 0, 0, drop as i32);
        }
    }

    /// An idle agent of group `g`'s counted part (its reserve, for a group
    /// working shifts), taken out of the idle pool.
    fn take_idle_counted(&mut self, g: usize) -> Option<u32> {
        if !self.groups[g].shifts {
            return self.router.take_any_idle(g);
        }
        let from = self.groups[g].reserve_from;
        let to = from + self.sc.agent_groups[g].reserve;
        (from..to).find(|&a| self.router.take_idle(a))
    }

    /// Whether `agent` belongs to its group's counted part (a group working
    /// shifts counts only its reserve).
    fn counted(&self, g: usize, agent: u32) -> bool {
        let fg = &self.groups[g];
        !fg.shifts || agent >= fg.reserve_from
    }

    /// Group `g` (working shifts) keeps `away_target` scheduled agents off
    /// the floor: the ones away in excess come back (the last to go first),
    /// idle ones go away; the rest go as they free up (`away_pending`).
    fn rebalance_away(&mut self, g: usize, now: u64) {
        while self.groups[g].away_count > self.groups[g].away_target {
            let agent = self.groups[g].away.pop().expect("an agent away per count");
            let a = &mut self.agents[agent as usize];
            if a.place != Place::Away {
                continue; // Its shift ended while it was away: it has gone home.
            }
            a.place = Place::Off;
            self.groups[g].away_count -= 1;
            self.log_on(agent, now);
        }
        while self.groups[g].away_count < self.groups[g].away_target {
            let from = self.groups[g].reserve_from;
            let base = from - self.sc.agent_groups[g].agent_slots();
            let Some(agent) = (base..from).find(|&a| self.router.take_idle(a)) else {
                break;
            };
            self.send_away(g, agent, now);
            self.floor_change(g, now, -1, 0, 0);
        }
        let fg = &mut self.groups[g];
        fg.away_pending = fg.away_target.saturating_sub(fg.away_count);
    }

    /// Scheduled `agent` of group `g` (working shifts) goes off the floor
    /// at `now` by a command (its floor counts already changed).
    fn send_away(&mut self, g: usize, agent: u32, now: u64) {
        self.agents[agent as usize].place = Place::Away;
        let fg = &mut self.groups[g];
        fg.away.push(agent);
        fg.away_count += 1;
        fg.away_pending = fg.away_target.saturating_sub(fg.away_count);
        let (added, removed) = (fg.target, fg.away_count);
        self.paid_change(g, now, added, removed);
    }

    /// `agent` logs in at `now` and takes a waiting call or waits for one
    /// (or goes straight on a break due at this very moment).
    fn log_on(&mut self, agent: u32, now: u64) {
        let g = self.router.group_of(agent) as usize;
        let a = &mut self.agents[agent as usize];
        debug_assert_eq!(a.place, Place::Off, "agent {agent} logs in twice");
        a.place = Place::Floor;
        let due = std::mem::replace(&mut a.due, Due::Nothing);
        self.floor_change(g, now, 1, 0, 0);
        match due {
            Due::Break(duration) => self.start_break(agent, duration, now),
            _ => self.make_available(agent, now),
        }
    }

    /// `agent`'s shift ends at `now`: it logs off if idle, else when its call (or break) ends.
    fn shift_end(&mut self, agent: u32, now: u64) {
        let g = self.router.group_of(agent) as usize;
        match self.agents[agent as usize].place {
            Place::Away => {
                // Away by a command: it goes home, and another scheduled
                // agent takes its place off the floor.
                self.agents[agent as usize].place = Place::Off;
                self.agents[agent as usize].due = Due::Nothing;
                self.groups[g].away_count -= 1;
                self.rebalance_away(g, now);
                let fg = &self.groups[g];
                let (added, removed) = (fg.target, fg.away_count);
                self.paid_change(g, now, added, removed);
            }
            Place::Off => {}
            Place::Floor if self.router.take_idle(agent) => {
                self.agents[agent as usize].place = Place::Off;
                self.floor_change(g, now, -1, 0, 0);
            }
            Place::Floor | Place::Break => {
                self.agents[agent as usize].due = Due::LogOff;
                self.floor_change(g, now, 0, 0, 1);
            }
        }
    }

    /// `agent` is due a break of `duration` at `now`: at once if idle, else
    /// when its call (or its current break) ends; breaks it could not take
    /// yet add up and are taken back to back.
    fn break_due(&mut self, agent: u32, duration: u64, now: u64) {
        let a = self.agents[agent as usize];
        let owed = |due: Due| match due {
            Due::Break(d) => Due::Break(d.saturating_add(duration)),
            Due::Nothing => Due::Break(duration),
            Due::LogOff => Due::LogOff,
        };
        match a.place {
            Place::Floor if self.router.take_idle(agent) => self.start_break(agent, duration, now),
            // Off the floor by a command: it had its break doing other work.
            Place::Away => {}
            // Busy, on a break, or logging in at this very moment.
            Place::Floor | Place::Break | Place::Off => {
                self.agents[agent as usize].due = owed(a.due);
            }
        }
    }

    fn start_break(&mut self, agent: u32, duration: u64, now: u64) {
        let g = self.router.group_of(agent) as usize;
        self.agents[agent as usize].place = Place::Break;
        self.floor_change(g, now, -1, 1, 0);
        let end = now.saturating_add(duration);
        if end < self.stop_at {
            self.events.push(end, EventKind::Agent(agent));
        }
    }

    /// `agent` has finished its call at `now` (its event already popped) and
    /// does not take another: its shift is over, its group has too many
    /// agents, a break is due, or the drain is over.
    pub(super) fn leave_after_call(&mut self, agent: u32, now: u64) {
        let g = self.router.group_of(agent) as usize;
        match self.agents[agent as usize].due {
            Due::LogOff => self.log_off(agent, now, -1),
            Due::Break(duration) if !self.released(g) => {
                self.agents[agent as usize].due = Due::Nothing;
                self.start_break(agent, duration, now);
            }
            _ if self.groups[g].pending > 0 && self.counted(g, agent) => {
                self.groups[g].pending -= 1;
                self.groups[g].off.push(agent);
                self.log_off(agent, now, -1);
            }
            _ if self.groups[g].away_pending > 0 && !self.counted(g, agent) => {
                self.send_away(g, agent, now);
                self.floor_change(g, now, -1, 0, 0);
            }
            _ if self.released(g) => self.log_off(agent, now, 0),
            _ => {
                // Its group is short of leavers of another kind: it carries on.
                self.make_available(agent, now);
                return;
            }
        }
        self.after_routing(now);
    }

    /// `agent`'s break ends at `now` (its event already popped): it logs
    /// off, takes the next break it owes, or comes back to the floor.
    pub(super) fn end_break(&mut self, agent: u32, now: u64) {
        let g = self.router.group_of(agent) as usize;
        let a = self.agents[agent as usize];
        if a.due == Due::LogOff || self.released(g) {
            self.agents[agent as usize].place = Place::Off;
            self.agents[agent as usize].due = Due::Nothing;
            let overtime = if a.due == Due::LogOff { -1 } else { 0 };
            self.floor_change(g, now, 0, -1, overtime);
            return;
        }
        if let Due::Break(duration) = a.due {
            // Back to back: still on break.
            self.agents[agent as usize].due = Due::Nothing;
            let end = now.saturating_add(duration);
            if end < self.stop_at {
                self.events.push(end, EventKind::Agent(agent));
            }
            return;
        }
        if self.groups[g].away_pending > 0 && !self.counted(g, agent) {
            // Taken off the floor by a command while on break.
            self.send_away(g, agent, now);
            self.floor_change(g, now, 0, -1, 0);
            return;
        }
        self.agents[agent as usize].place = Place::Floor;
        self.floor_change(g, now, 1, -1, 0);
        self.make_available(agent, now);
    }

    /// `agent` leaves the floor at `now` (not idle: after its call).
    pub(super) fn log_off(&mut self, agent: u32, now: u64, overtime: i32) {
        let g = self.router.group_of(agent) as usize;
        let a = &mut self.agents[agent as usize];
        a.place = Place::Off;
        a.due = Due::Nothing;
        self.floor_change(g, now, -1, 0, overtime);
    }
}
