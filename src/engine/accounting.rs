//! Where time goes in the statistics: the grid of cells (the intervals of
//! the measured window, then the time after the horizon while draining),
//! splitting a span of time across them, and accruals that integrate a
//! count of agents (on the floor, on break, in overtime) over time.

use crate::stats::AgentTime;

/// Cell index meaning "not counted" (the warm-up).
pub const NO_CELL: usize = usize::MAX;

/// The cells of one run.
#[derive(Debug, Clone, Copy)]
pub struct Grid {
    pub warmup: u64,
    pub horizon: u64,
    pub interval: u64,
    /// Intervals of the measured window (the last may be shorter).
    pub intervals: usize,
    /// Whether time after the horizon has a cell of its own (index `intervals`).
    pub drain_cell: bool,
}

impl Grid {
    /// The interval (cell) of a time in the measured window; [`NO_CELL`]
    /// before it, the drain cell (or [`NO_CELL`]) after it.
    #[inline]
    pub fn cell_of(&self, t: u64) -> usize {
        if t < self.warmup {
            NO_CELL
        } else if t >= self.horizon {
            if self.drain_cell {
                self.intervals
            } else {
                NO_CELL
            }
        } else {
            (((t - self.warmup) / self.interval) as usize).min(self.intervals - 1)
        }
    }

    /// The interval whose distributions apply to a call arriving at `t`
    /// (the first one during the warm-up, the last one after the horizon).
    #[inline]
    pub fn profile_index(&self, t: u64) -> usize {
        if t < self.warmup {
            0
        } else {
            (((t - self.warmup) / self.interval) as usize).min(self.intervals - 1)
        }
    }

    /// End of cell `c`.
    fn cell_end(&self, c: usize) -> u64 {
        if c >= self.intervals {
            u64::MAX
        } else if c + 1 == self.intervals {
            self.horizon
        } else {
            self.warmup + (c as u64 + 1) * self.interval
        }
    }

    /// Calls `f(cell, µs)` for each cell overlapping `[from, to)`; time
    /// before the warm-up is skipped. Returns the time after the horizon
    /// that no cell takes (when there is no drain cell).
    #[inline]
    pub fn split(&self, from: u64, to: u64, mut f: impl FnMut(usize, u64)) -> u64 {
        let mut t = from.max(self.warmup);
        if t >= to {
            return 0;
        }
        // One division for the first cell; the next ones follow in order.
        let mut c = self.cell_of(t);
        loop {
            if c == NO_CELL {
                // Past the horizon without a drain cell.
                return to - t;
            }
            let end = self.cell_end(c).min(to);
            f(c, end - t);
            if end >= to {
                return 0;
            }
            t = end;
            c = if c + 1 < self.intervals || (c + 1 == self.intervals && self.drain_cell) {
                c + 1
            } else {
                NO_CELL
            };
        }
    }

    /// Length of every interval cell (µs).
    pub fn interval_lengths(&self) -> Vec<u64> {
        (0..self.intervals)
            .map(|c| {
                let start = self.warmup + c as u64 * self.interval;
                self.cell_end(c) - start
            })
            .collect()
    }
}

/// Which part of agent time an accrual adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Logged,
    Break,
    Overtime,
    Blocked,
    Added,
    Removed,
}

impl Part {
    fn of(self, t: &mut AgentTime) -> &mut u128 {
        match self {
            Part::Logged => &mut t.logged_us,
            Part::Break => &mut t.break_us,
            Part::Overtime => &mut t.overtime_us,
            Part::Blocked => &mut t.blocked_us,
            Part::Added => &mut t.added_us,
            Part::Removed => &mut t.removed_us,
        }
    }
}

/// A count of agents integrated over time into cells.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accrual {
    pub count: u32,
    since: u64,
}

impl Accrual {
    /// The count becomes `count` at `now`: the time since the last change
    /// is added to the cells at the old count.
    #[inline]
    pub fn set(&mut self, now: u64, count: u32, grid: &Grid, cells: &mut [AgentTime], part: Part) {
        if self.count > 0 && now > self.since {
            let n = self.count as u128;
            grid.split(self.since, now, |c, us| {
                *part.of(&mut cells[c]) += n * us as u128
            });
        }
        self.since = self.since.max(now);
        self.count = count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(drain: bool) -> Grid {
        Grid {
            warmup: 100,
            horizon: 350,
            interval: 100,
            intervals: 3,
            drain_cell: drain,
        }
    }

    #[test]
    fn spans_split_across_cells() {
        let g = grid(false);
        let mut got = Vec::new();
        let after = g.split(50, 420, |c, us| got.push((c, us)));
        assert_eq!(got, [(0, 100), (1, 100), (2, 50)]);
        assert_eq!(after, 70);
        let g = grid(true);
        got.clear();
        assert_eq!(g.split(320, 420, |c, us| got.push((c, us))), 0);
        assert_eq!(got, [(2, 30), (3, 70)]);
        assert_eq!(g.interval_lengths(), [100, 100, 50]);
        assert_eq!(
            (g.cell_of(99), g.cell_of(100), g.cell_of(349)),
            (NO_CELL, 0, 2)
        );
        assert_eq!(g.cell_of(350), 3);
        assert_eq!(g.profile_index(0), 0);
    }

    #[test]
    fn accruals_integrate_counts() {
        let g = grid(false);
        let mut cells = vec![AgentTime::default(); 3];
        let mut a = Accrual::default();
        a.set(0, 2, &g, &mut cells, Part::Logged);
        a.set(150, 3, &g, &mut cells, Part::Logged);
        a.set(350, 0, &g, &mut cells, Part::Logged);
        let logged: Vec<u128> = cells.iter().map(|c| c.logged_us).collect();
        assert_eq!(logged, [2 * 50 + 3 * 50, 300, 150]);
    }
}
