//! Staffing in time: the plan of floor changes a scenario's schedules imply
//! (a group's target count changing at an interval boundary, shifts starting
//! and ending, breaks), the floor state of agents and groups, and the paid
//! (scheduled) time of each group per interval.
//!
//! Two rules, as managers expect them:
//! - A group given by `staffing` is a count: when it drops, idle agents log
//!   off first, and if too few are idle the next agents to finish their call
//!   (and wrap-up) log off; until then the extra agents are in overtime.
//! - A group given by `shifts` is people: each agent of a shift logs in at its
//!   start, takes its breaks (when its current call ends, if busy) and logs
//!   off at its end (finishing its call: the time past the end is overtime).
//!
//! A call is never cut.

use super::accounting::{Accrual, Grid, Part};
use crate::scenario::{AgentGroup, Scenario, Staffing};
use crate::stats::AgentTime;

/// A change to the floor at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A counted group's agents on the floor become `on_floor`.
    Target { group: u32, on_floor: u32 },
    /// Agents `first..first + n` (one shift) are due to log off.
    ShiftEnd { first: u32, n: u32 },
    /// Agents `first..first + n` are due a break of `duration` µs.
    BreakStart { first: u32, n: u32, duration: u64 },
    /// Agents `first..first + n` log in.
    ShiftStart { first: u32, n: u32 },
}

impl Change {
    /// At equal times: ends, then breaks, then starts and counts (a break due
    /// at its shift's start is owed by agents who log in at that moment).
    fn order(&self) -> u8 {
        match self {
            Change::ShiftEnd { .. } => 0,
            Change::BreakStart { .. } => 1,
            Change::Target { .. } | Change::ShiftStart { .. } => 2,
        }
    }
}

/// The floor changes of a run, in time order.
#[derive(Debug, Default)]
pub struct Plan {
    changes: Vec<(u64, Change)>,
    next: usize,
    /// Changes at or after this time are never applied (the horizon).
    until: u64,
}

impl Plan {
    /// The changes implied by every group of `sc` (agent ids as the router numbers them).
    pub fn new(sc: &Scenario) -> Plan {
        let mut changes = Vec::new();
        let mut base = 0u32;
        for (g, group) in sc.agent_groups.iter().enumerate() {
            match &group.staffing {
                Staffing::Count(_) => {}
                Staffing::PerInterval(counts) => {
                    let mut last = None;
                    for (k, &n) in counts.iter().enumerate() {
                        let on_floor = group.on_floor(n);
                        if last != Some(on_floor) {
                            let at = if k == 0 {
                                0
                            } else {
                                sc.interval_start(k).micros()
                            };
                            changes.push((
                                at,
                                Change::Target {
                                    group: g as u32,
                                    on_floor,
                                },
                            ));
                            last = Some(on_floor);
                        }
                    }
                }
                Staffing::Shifts(shifts) => {
                    let mut first = base;
                    for s in shifts {
                        let n = group.on_floor(s.agents);
                        if n > 0 {
                            changes.push((s.start.micros(), Change::ShiftStart { first, n }));
                            for b in &s.breaks {
                                let duration = b.duration.micros();
                                changes.push((
                                    b.start.micros(),
                                    Change::BreakStart { first, n, duration },
                                ));
                            }
                            changes.push((s.end.micros(), Change::ShiftEnd { first, n }));
                        }
                        first += n;
                    }
                }
            }
            base += group.slots();
        }
        // Stable: changes of one kind at one time keep the groups' order.
        changes.sort_by_key(|(t, c)| (*t, c.order()));
        Plan {
            changes,
            next: 0,
            until: sc.end.micros(),
        }
    }

    /// Time of the next change to apply ([`u64::MAX`] when none is left before the horizon).
    #[inline]
    pub fn next_time(&self) -> u64 {
        match self.changes.get(self.next) {
            Some(&(t, _)) if t < self.until => t,
            _ => u64::MAX,
        }
    }

    /// Takes the next change.
    pub fn pop(&mut self) -> Change {
        let c = self.changes[self.next].1;
        self.next += 1;
        c
    }
}

/// Where an agent is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Not logged in.
    Off,
    /// Logged in: idle or handling a call.
    Floor,
    /// On break.
    Break,
    /// Scheduled, but kept off the floor by a live command.
    Away,
}

/// What an agent does when its current call (or break) ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Nothing,
    /// Its shift has ended.
    LogOff,
    /// A break of this many µs.
    Break(u64),
}

/// Floor state of one agent.
#[derive(Debug, Clone, Copy)]
pub struct FloorAgent {
    pub place: Place,
    pub due: Due,
}

/// Floor state of one group, and the accruals of its agent time.
#[derive(Debug, Clone, Default)]
pub struct FloorGroup {
    /// Counted groups: agents scheduled on the floor.
    pub target: u32,
    /// Counted groups: agents who must log off when they finish their call.
    pub pending: u32,
    /// Counted groups: logged-off agents, the next to log in last.
    pub off: Vec<u32>,
    pub logged: Accrual,
    pub on_break: Accrual,
    pub overtime: Accrual,
    /// Agents blocked with a caller on hold for a supervisor.
    pub blocked: Accrual,
    /// After the horizon (draining) every agent still there is in overtime.
    pub all_overtime: bool,
    /// Live commands: agents added to (> 0) or taken off (< 0) the schedule.
    pub offset: i64,
    /// Counted groups: the schedule's count on the floor (`target` adds `offset`).
    pub sched: u32,
    /// Shift groups: agents whose shift is on (shrinkage applied).
    pub on_shift: u32,
    /// The group works shifts: its agents are people with their own hours,
    /// and only its reserve (ids from `reserve_from`) is counted.
    pub shifts: bool,
    pub reserve_from: u32,
    /// Shift groups: scheduled agents commands keep off the floor (`-offset`).
    pub away_target: u32,
    /// Shift groups: scheduled agents off the floor by commands.
    pub away_count: u32,
    /// Shift groups: the scheduled agents off the floor by commands, the
    /// next to come back last (some may have ended their shift since:
    /// [`Due::LogOff`], skipped).
    pub away: Vec<u32>,
    /// Shift groups: agents still to take off the floor as they free up
    /// (`away_target - away_count`).
    pub away_pending: u32,
    /// Paid agents live commands added, and scheduled agents they took off.
    pub added: Accrual,
    pub removed: Accrual,
}

impl FloorGroup {
    /// Applies changes to the counts of agents on the floor, on break and in overtime at `now`.
    pub fn change(
        &mut self,
        now: u64,
        grid: &Grid,
        cells: &mut [AgentTime],
        logged: i32,
        on_break: i32,
        overtime: i32,
    ) {
        let add = |n: u32, d: i32| (n as i64 + d as i64) as u32;
        let l = add(self.logged.count, logged);
        let b = add(self.on_break.count, on_break);
        let o = if self.all_overtime {
            l + b
        } else {
            add(self.overtime.count, overtime)
        };
        if l != self.logged.count {
            self.logged.set(now, l, grid, cells, Part::Logged);
        }
        if b != self.on_break.count {
            self.on_break.set(now, b, grid, cells, Part::Break);
        }
        if o != self.overtime.count {
            self.overtime.set(now, o, grid, cells, Part::Overtime);
        }
    }

    /// Changes the count of blocked agents by `delta` at `now`.
    pub fn blocked_change(&mut self, now: u64, grid: &Grid, cells: &mut [AgentTime], delta: i32) {
        let n = (self.blocked.count as i64 + delta as i64) as u32;
        self.blocked.set(now, n, grid, cells, Part::Blocked);
    }

    /// The agents live commands added and took off become `added` and `removed` at `now`.
    pub fn paid_change(
        &mut self,
        now: u64,
        grid: &Grid,
        cells: &mut [AgentTime],
        added: u32,
        removed: u32,
    ) {
        // After the horizon every agent still there is paid as overtime.
        let (added, removed) = if self.all_overtime {
            (0, 0)
        } else {
            (added, removed)
        };
        if added != self.added.count {
            self.added.set(now, added, grid, cells, Part::Added);
        }
        if removed != self.removed.count {
            self.removed.set(now, removed, grid, cells, Part::Removed);
        }
    }

    /// Closes the accruals at `now` (end of the run).
    pub fn close(&mut self, now: u64, grid: &Grid, cells: &mut [AgentTime]) {
        self.paid_change(now, grid, cells, 0, 0);
        self.blocked.set(now, 0, grid, cells, Part::Blocked);
        self.logged.set(now, 0, grid, cells, Part::Logged);
        self.on_break.set(now, 0, grid, cells, Part::Break);
        self.overtime.set(now, 0, grid, cells, Part::Overtime);
    }
}

/// Paid (scheduled) agent time of `group` in each interval cell, shrinkage included.
pub fn scheduled_us(group: &AgentGroup, sc: &Scenario, grid: &Grid) -> Vec<u128> {
    let mut cells = vec![0u128; grid.intervals];
    let mut add = |from: u64, to: u64, n: u32| {
        grid.split(from, to.min(grid.horizon), |c, us| {
            cells[c] += n as u128 * us as u128
        });
    };
    match &group.staffing {
        Staffing::Count(n) => add(0, grid.horizon, *n),
        Staffing::PerInterval(counts) => {
            for (k, &n) in counts.iter().enumerate() {
                let start = sc.interval_start(k).micros();
                add(start, start + grid.interval, n);
            }
        }
        Staffing::Shifts(shifts) => {
            for s in shifts {
                add(s.start.micros(), s.end.micros(), s.agents);
            }
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(groups: serde_json::Value) -> Scenario {
        let doc = serde_json::json!({
            "name": "s", "horizon": "3h", "interval": "1h", "warmup": "30m", "clock_start": "08:00",
            "skills": ["s"],
            "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 10 },
                         "handle_time": { "constant": 1 } }],
            "agent_groups": groups,
        });
        Scenario::from_json_str(&doc.to_string(), "t").unwrap_or_else(|e| panic!("{e}"))
    }

    const H: u64 = 3_600_000_000;
    const W: u64 = H / 2;

    #[test]
    fn staffing_lists_change_at_interval_boundaries() {
        let sc = scenario(serde_json::json!([
            { "name": "a", "staffing": [4, 4, 2], "skills": { "s": 1 } },
            { "name": "b", "count": 3, "skills": { "s": 1 } },
        ]));
        let plan = Plan::new(&sc);
        assert_eq!(
            plan.changes,
            [
                (
                    0,
                    Change::Target {
                        group: 0,
                        on_floor: 4
                    }
                ),
                (
                    W + 2 * H,
                    Change::Target {
                        group: 0,
                        on_floor: 2
                    }
                ),
            ]
        );
    }

    #[test]
    fn shifts_give_each_agent_its_start_breaks_and_end() {
        let sc = scenario(serde_json::json!([
            { "name": "a", "skills": { "s": 1 }, "shrinkage": 0.25, "shifts": [
                { "start": "07:30", "end": "09:00", "agents": 4,
                  "breaks": [{ "start": "08:15", "duration": "15m" }] },
                { "start": "09:00", "end": "11:00", "agents": 2 },
            ] },
        ]));
        let plan = Plan::new(&sc);
        // 4 agents with 25% shrinkage: 3 on the floor; the second shift keeps 2 (1.5 rounds up).
        assert_eq!(
            plan.changes,
            [
                (0, Change::ShiftStart { first: 0, n: 3 }),
                (
                    W + H / 4,
                    Change::BreakStart {
                        first: 0,
                        n: 3,
                        duration: H / 4
                    }
                ),
                (W + H, Change::ShiftEnd { first: 0, n: 3 }),
                (W + H, Change::ShiftStart { first: 3, n: 2 }),
                (W + 3 * H, Change::ShiftEnd { first: 3, n: 2 }),
            ]
        );
        let mut plan = plan;
        plan.until = W + 3 * H;
        plan.next = 4;
        assert_eq!(
            plan.next_time(),
            u64::MAX,
            "nothing at or after the horizon"
        );
        let grid = Grid {
            warmup: W,
            horizon: W + 3 * H,
            interval: H,
            intervals: 3,
            drain_cell: false,
        };
        // Paid time counts every scheduled agent, shrinkage included.
        assert_eq!(
            scheduled_us(&sc.agent_groups[0], &sc, &grid),
            [4 * H as u128, 2 * H as u128, 2 * H as u128]
        );
    }
}
