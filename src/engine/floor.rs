//! The floor in time: applying the staffing plan's changes (counts rising
//! and falling, shifts starting and ending, breaks falling due) and what an
//! agent does when its call or break ends (log off, go on break, take the
//! next call). Agent time is integrated as it changes (see `accounting`).

use super::staffing::{Change, Due, Place};
use super::Simulation;
use crate::event::EventKind;

impl Simulation<'_> {
    /// Changes group `g`'s counts of agents on the floor, on break and in overtime at `now`.
    fn floor_change(&mut self, g: usize, now: u64, logged: i32, on_break: i32, overtime: i32) {
        let cells = &mut self.group_stats[g].intervals;
        self.groups[g].change(now, &self.grid, cells, logged, on_break, overtime);
    }

    /// Applies one change of the staffing plan at `now`.
    pub(super) fn apply(&mut self, change: Change, now: u64) {
        match change {
            Change::Target { group, on_floor } => self.set_target(group as usize, on_floor, now),
            Change::ShiftStart { first, n } => {
                for a in first..first + n {
                    self.log_on(a, now);
                }
            }
            Change::ShiftEnd { first, n } => {
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

    /// A counted group's scheduled floor becomes `target`: agents log in, or
    /// idle agents log off (then the next to finish their call).
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
                let Some(agent) = self.router.take_any_idle(g) else {
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
            _ if self.groups[g].pending > 0 => {
                self.groups[g].pending -= 1;
                self.groups[g].off.push(agent);
                self.log_off(agent, now, -1);
            }
            _ => self.log_off(agent, now, 0),
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
