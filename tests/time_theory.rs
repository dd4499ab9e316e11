//! Time in the scenario: per-interval profiles, staffing lists, shifts and
//! breaks, overtime, closing rules, blocking, day-to-day volume, overflow
//! delays, common random numbers and the staffing solver. The file proves
//! that
//! - every time-varying feature reduces exactly (byte-identical reports) to
//!   its constant form when given constant values (an overflow stage open to
//!   every level at 0 s included);
//! - schedules put the stated agents on the floor, and agent time obeys its
//!   identity in every interval: paid + overtime = logged + break + shrinkage;
//! - deterministic scenarios (constant handle times, agents logging in to a
//!   full queue) give the hand-computed overtime, breaks and overflow waits;
//! - where theory exists it is met within a 99.9% confidence interval
//!   (see common::LEVEL): Erlang B for loss systems (queue limit, trunk
//!   lines, balking), the negative-binomial variance of a gamma-mixed
//!   Poisson volume, and Erlang A block by block on a piecewise
//!   stationary day;
//! - common random numbers make staffing comparisons much sharper, the
//!   staffing solver's answer meets its targets and is tight, and
//!   `sl_target_met` is the share of days that met the target.

mod common;

use acdsim::erlang;
use acdsim::report::{Estimate, ReplicationMetrics, Summary};
use acdsim::runner::{run_one, run_replications, run_variants, simulate, RunOptions};
use acdsim::scenario::{Scenario, Staffing};
use acdsim::staff::{staff, Targets};
use acdsim::stats::{CallCounts, ReplicationStats, WaitQuantiles};
use acdsim::time::SimTime;
use common::*;
use serde_json::{json, Value};
use statrs::distribution::{ContinuousCDF, FisherSnedecor, Normal};

/// One minute and one hour in microseconds.
const MIN: u128 = 60_000_000;
const HOUR: u128 = 60 * MIN;

/// The scenario's own seed and replications, on 2 threads.
fn opts(sc: &Scenario) -> RunOptions {
    RunOptions {
        replications: sc.replications,
        seed: sc.seed,
        threads: 2,
    }
}

/// Every replication's raw counters.
fn replications(sc: &Scenario) -> Vec<ReplicationStats> {
    run_replications(sc, opts(sc), |s| s, |_| {})
}

/// Mean and spread over replications of `f`.
fn est(reps: &[ReplicationStats], f: impl Fn(&ReplicationStats) -> f64) -> Estimate {
    Estimate::from_values(reps.iter().map(f))
}

/// The report of a scenario given as JSON, as the stable JSON text.
fn report_text(v: &Value) -> String {
    serde_json::to_string_pretty(&run(&scenario(v)).to_json()).unwrap()
}

/// Panics naming the first line where two reports differ.
fn assert_same_report(got: &str, reference: &str, what: &str) {
    if got != reference {
        let diff = reference
            .lines()
            .zip(got.lines())
            .enumerate()
            .find(|(_, (x, y))| x != y)
            .map(|(i, (x, y))| format!("line {i}: {x} vs {y}"));
        panic!("{what}: the report differs from the constant form ({diff:?})");
    }
}

/// `round(n (1 - s))`: the agents of `n` scheduled that shrinkage leaves on the floor.
fn on_floor(n: u32, shrinkage: f64) -> u32 {
    (n as f64 * (1.0 - shrinkage)).round() as u32
}

// ---------------------------------------------------------------------------
// 1. Constant values given in their time-varying form change nothing.

/// A small Erlang A day: 4 hourly intervals after a 30-minute warm-up.
fn plain_day() -> Value {
    json!({
        "name": "plain", "seed": 7, "replications": 4,
        "warmup": "30m", "horizon": "4h", "interval": "1h", "clock_start": "08:00",
        "service_level_threshold": "20s", "service_level_target": 0.8,
        "skills": ["s"],
        "queues": [{
            "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 400 },
            "handle_time": { "exponential": { "mean": 60 } },
            "patience": { "exponential": { "mean": 90 } },
        }],
        "agent_groups": [{ "name": "g", "count": 7, "skills": { "s": 1 } }],
    })
}

#[test]
fn constant_values_in_time_varying_form_give_byte_identical_reports() {
    let base = plain_day();
    let reference = report_text(&base);
    let exp60 = json!({ "exponential": { "mean": 60 } });
    let exp90 = json!({ "exponential": { "mean": 90 } });
    let variants: Vec<(&str, Value)> = vec![
        ("flat rate profile", {
            let mut v = base.clone();
            v["queues"][0]["arrivals"]["rate_per_hour"] = json!([400, 400, 400, 400]);
            v
        }),
        ("handle time per interval", {
            let mut v = base.clone();
            v["queues"][0]["handle_time"] = json!([exp60, exp60, exp60, exp60]);
            v
        }),
        ("patience per interval", {
            let mut v = base.clone();
            v["queues"][0]["patience"] = json!([exp90, exp90, exp90, exp90]);
            v
        }),
        ("staffing list", {
            let mut v = base.clone();
            let g = v["agent_groups"][0].as_object_mut().unwrap();
            g.remove("count");
            g.insert("staffing".into(), json!([7, 7, 7, 7]));
            v
        }),
        ("one shift over the whole run", {
            let mut v = base.clone();
            let g = v["agent_groups"][0].as_object_mut().unwrap();
            g.remove("count");
            // 07:30 is the start of the warm-up, 12:00 the end of the horizon.
            g.insert(
                "shifts".into(),
                json!([{ "start": "07:30", "end": "12:00", "agents": 7 }]),
            );
            v
        }),
        ("volume_cv 0", {
            let mut v = base.clone();
            v["volume_cv"] = json!(0);
            v
        }),
        ("more lines than callers", {
            let mut v = base.clone();
            v["lines"] = json!(1_000_000);
            v
        }),
    ];
    for (what, v) in &variants {
        assert_same_report(&report_text(v), &reference, what);
    }
    // The comparison is sensitive: one more call per hour changes the report.
    let mut other = base.clone();
    other["queues"][0]["arrivals"]["rate_per_hour"] = json!([400, 400, 401, 400]);
    assert_ne!(report_text(&other), reference);
}

/// `plain_day` with one overflow stage at 0 s open to every level.
fn open_overflow() -> Value {
    let mut v = plain_day();
    v["queues"][0]["overflow"] = json!([{ "after": "0s" }]);
    v
}

/// The report without its `events` count (work done, not a result).
fn results_text(v: &Value) -> String {
    let mut doc = run(&scenario(v)).to_json();
    doc.as_object_mut().unwrap().remove("events");
    serde_json::to_string_pretty(&doc).unwrap()
}

#[test]
fn an_overflow_stage_open_to_every_level_at_once_changes_no_result() {
    assert_same_report(
        &results_text(&open_overflow()),
        &results_text(&plain_day()),
        "one overflow stage open to every level",
    );
}

#[test]
fn an_overflow_stage_open_to_every_level_at_once_costs_no_extra_events() {
    assert_same_report(
        &report_text(&open_overflow()),
        &report_text(&plain_day()),
        "one overflow stage open to every level",
    );
}

// ---------------------------------------------------------------------------
// 2. An interval at rate 0.

#[test]
fn an_interval_at_rate_zero_gets_no_calls_while_its_neighbours_do() {
    let sc = scenario(&json!({
        "name": "gap", "seed": 2, "replications": 30, "warmup": 0,
        "horizon": "3h", "interval": "1h",
        "skills": ["s"],
        "queues": [{
            "name": "q", "skill": "s", "arrivals": { "rate_per_hour": [300, 0, 300] },
            "handle_time": { "exponential": { "mean": 60 } },
        }],
        "agent_groups": [{ "name": "g", "count": 8, "skills": { "s": 1 } }],
    }));
    for st in replications(&sc) {
        let cells = &st.queues[0].intervals;
        assert_eq!(cells.len(), 3);
        assert_eq!(cells[1].offered, 0, "rep {}", st.replication);
        assert_eq!(cells[1].blocked, 0);
        assert!(cells[0].offered > 0 && cells[2].offered > 0);
        assert_eq!(st.calls_generated, cells[0].offered + cells[2].offered);
    }
}

// ---------------------------------------------------------------------------
// 3. Schedules.

#[test]
fn staffing_lists_and_shifts_put_the_scheduled_agents_on_the_floor() {
    let s = 0.25;
    let list = [4u32, 8, 6, 10, 3, 5];
    let rising = [2u32, 2, 4, 4, 6, 6];
    // Shifts 08:00-12:00 (4 agents) and 10:00-14:00 (6 agents).
    let shifts = [4u32, 4, 10, 10, 6, 6];
    let shift_floor = [3u32, 3, 8, 8, 5, 5];
    let sc = scenario(&json!({
        "name": "schedules", "seed": 3, "replications": 5,
        "warmup": "30m", "horizon": "6h", "interval": "1h", "clock_start": "08:00",
        "skills": ["s"],
        "queues": [queue("q", "s", 0, 500.0, 120.0, Some(120.0))],
        "agent_groups": [
            { "name": "list", "staffing": list, "shrinkage": s, "skills": { "s": 1 } },
            { "name": "rising", "staffing": rising, "shrinkage": s, "skills": { "s": 1 } },
            { "name": "shifts", "shrinkage": s, "skills": { "s": 1 }, "shifts": [
                { "start": "08:00", "end": "12:00", "agents": 4 },
                { "start": "10:00", "end": "14:00", "agents": 6 },
            ] },
        ],
    }));
    // Shrinkage rounds each shift's agents: 4 keep 3 and 6 keep 5 (4.5 rounds up).
    let (f4, f6) = (on_floor(4, s), on_floor(6, s));
    assert_eq!(shift_floor, [f4, f4, f4 + f6, f4 + f6, f6, f6]);
    let schedules: [&[u32]; 3] = [&list, &rising, &shifts];
    let mut overtime_seen = false;
    for st in replications(&sc) {
        assert_eq!(st.cell_us, vec![HOUR as u64; 6]);
        for (g, sched) in schedules.iter().enumerate() {
            let cells = &st.groups[g].intervals;
            assert_eq!(cells.len(), 6);
            for (c, cell) in cells.iter().enumerate() {
                let what = format!("rep {} group {g} interval {c}", st.replication);
                assert_eq!(cell.staffed_us, sched[c] as u128 * HOUR, "{what}: paid");
                // Shifts of 4 and 6 agents each keep round(n (1 - s)) on the floor.
                let floor = if g == 2 {
                    shift_floor[c]
                } else {
                    on_floor(sched[c], s)
                };
                assert_eq!(
                    cell.logged_us,
                    floor as u128 * HOUR + cell.overtime_us,
                    "{what}: logged = floor + overtime"
                );
                overtime_seen |= cell.overtime_us > 0;
            }
        }
        // A schedule that never drops has no overtime: exactly round(n (1 - s)) logged.
        for (c, cell) in st.groups[1].intervals.iter().enumerate() {
            assert_eq!(cell.overtime_us, 0);
            assert_eq!(cell.logged_us, on_floor(rising[c], s) as u128 * HOUR);
        }
    }
    assert!(
        overtime_seen,
        "drops and shift ends must cause some overtime"
    );
    // The report's interval `agents` is the schedule, known exactly.
    let summary = run(&sc);
    for (g, sched) in schedules.iter().enumerate() {
        let scope = &summary.agent_groups[g];
        for (c, iv) in scope.intervals.iter().enumerate() {
            let agents = iv.get("agents");
            assert_eq!(agents.mean, sched[c] as f64, "{} interval {c}", scope.name);
            assert_eq!(agents.ci95, 0.0);
            assert_eq!(iv.get("staffed_hours").mean, sched[c] as f64);
        }
    }
    // The group's own `agents`: its largest schedule.
    assert_eq!(summary.agent_groups[0].get("agents").mean, 10.0);
    assert_eq!(summary.agent_groups[2].get("agents").mean, 10.0);
    assert_eq!(summary.agent_groups[2].intervals[2].label, "10:00");
}

// ---------------------------------------------------------------------------
// 4. Overtime and breaks, computed by hand on deterministic scenarios.
//
// Calls arrive at 600 an hour from time 0 and are patient, so hundreds wait
// when agents log in: every agent takes a call at the instant it becomes
// available and is never idle. With a constant handle time every call's start
// and end is then known exactly, whatever the random arrival times.

#[test]
fn agents_above_a_dropped_staffing_finish_their_call_in_overtime() {
    // Nobody before 1h; 3 agents from 1h: calls 1h-1h50, 1h50-2h40.
    // At 2h the staffing drops to 1: two of the three busy agents stay until
    // 2h40 (2 x 40 min of overtime); the third takes a call 2h40-3h30.
    let sc = scenario(&json!({
        "name": "drop", "seed": 1, "replications": 1, "warmup": 0,
        "horizon": "3h", "interval": "1h",
        "skills": ["s"],
        "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 600 },
                     "handle_time": { "constant": "50m" } }],
        "agent_groups": [{ "name": "g", "staffing": [0, 3, 1], "skills": { "s": 1 } }],
    }));
    for rep in 0..5 {
        let st = run_one(&sc, 1, rep);
        let g = &st.groups[0];
        assert_eq!(g.overtime_us, 80 * MIN, "rep {rep}: overtime");
        let c = &g.intervals;
        assert_eq!(
            (c[0].logged_us, c[0].busy_us, c[0].staffed_us),
            (0, 0, 0),
            "no one before 1h"
        );
        assert_eq!(c[1].staffed_us, 3 * HOUR);
        assert_eq!(c[1].logged_us, 3 * HOUR);
        assert_eq!(c[1].busy_us, 3 * HOUR);
        assert_eq!(c[1].overtime_us, 0);
        assert_eq!(c[1].handled, 6);
        assert_eq!(c[2].staffed_us, HOUR);
        assert_eq!(c[2].overtime_us, 80 * MIN);
        assert_eq!(c[2].logged_us, HOUR + 80 * MIN);
        // Three calls' last 40 minutes, and 20 minutes of the call started at 2h40.
        assert_eq!(c[2].busy_us, 3 * 40 * MIN + 20 * MIN);
        assert_eq!(c[2].handled, 1);
        assert_eq!(g.busy_after_end_us, 30 * MIN, "the last call is not cut");
        assert_eq!(st.queues[0].answered, 7);
        assert_eq!(st.queues[0].handle_sum_us, 7 * 50 * MIN);
    }
}

#[test]
fn shift_agents_take_breaks_after_their_call_and_log_off_when_the_last_call_ends() {
    // 5-minute intervals over 3h10. Group "busy": 3 agents from 0:30 to 3:00
    // with a 15-minute break at 1:00, constant 20-minute calls from a full
    // queue: calls at 0:30 and 0:50 (busy at 1:00), break 1:10-1:25, calls
    // at 1:25, 1:45, 2:05, 2:25, 2:45; the last ends at 3:05, 5 minutes after
    // the shift: overtime. Group "idle": 2 agents with the same hours and
    // break but no calls: the break is taken on time, 1:00-1:15.
    let sc = scenario(&json!({
        "name": "breaks", "seed": 4, "replications": 1, "warmup": 0,
        "horizon": "3h10m", "interval": "5m",
        "skills": ["s", "t"],
        "queues": [
            { "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 600 },
              "handle_time": { "constant": "20m" } },
            { "name": "none", "skill": "t", "arrivals": { "rate_per_hour": vec![0; 38] },
              "handle_time": { "constant": "20m" } },
        ],
        "agent_groups": [
            { "name": "busy", "skills": { "s": 1 }, "shifts": [
                { "start": "30m", "end": "3h", "agents": 3,
                  "breaks": [{ "start": "1h", "duration": "15m" }] } ] },
            { "name": "idle", "skills": { "t": 1 }, "shifts": [
                { "start": "30m", "end": "3h", "agents": 2,
                  "breaks": [{ "start": "1h", "duration": "15m" }] } ] },
        ],
    }));
    let five = 5 * MIN;
    // Cell c spans [5c, 5c + 5) minutes.
    let in_span = |c: usize, from_min: usize, to_min: usize| 5 * c >= from_min && 5 * c < to_min;
    for rep in 0..5 {
        let st = run_one(&sc, 4, rep);
        let (busy, idle) = (&st.groups[0], &st.groups[1]);
        assert_eq!(busy.intervals.len(), 38);
        assert_eq!(
            busy.break_us,
            3 * 15 * MIN,
            "every agent takes its whole break"
        );
        assert_eq!(idle.break_us, 2 * 15 * MIN);
        assert_eq!(busy.overtime_us, 3 * five);
        assert_eq!(idle.overtime_us, 0);
        assert_eq!(busy.handled, 3 * 7);
        assert_eq!(busy.logged_us, 3 * (40 + 100) * MIN);
        assert_eq!(idle.logged_us, 2 * (150 - 15) * MIN);
        for c in 0..38 {
            let (b, i) = (&busy.intervals[c], &idle.intervals[c]);
            let expect_b_break = if in_span(c, 70, 85) { 3 * five } else { 0 };
            let expect_b_logged = if in_span(c, 30, 70) || in_span(c, 85, 185) {
                3 * five
            } else {
                0
            };
            let expect_b_overtime = if in_span(c, 180, 185) { 3 * five } else { 0 };
            assert_eq!(b.break_us, expect_b_break, "busy break in cell {c}");
            assert_eq!(b.logged_us, expect_b_logged, "busy logged in cell {c}");
            assert_eq!(
                b.busy_us, expect_b_logged,
                "busy agents never idle, cell {c}"
            );
            assert_eq!(
                b.overtime_us, expect_b_overtime,
                "busy overtime in cell {c}"
            );
            let expect_i_break = if in_span(c, 60, 75) { 2 * five } else { 0 };
            let expect_i_logged = if in_span(c, 30, 60) || in_span(c, 75, 180) {
                2 * five
            } else {
                0
            };
            assert_eq!(i.break_us, expect_i_break, "idle break in cell {c}");
            assert_eq!(i.logged_us, expect_i_logged, "idle logged in cell {c}");
            let paid = if in_span(c, 30, 180) { five } else { 0 };
            assert_eq!(b.staffed_us, 3 * paid);
            assert_eq!(i.staffed_us, 2 * paid);
        }
    }
}

// ---------------------------------------------------------------------------
// 5. The agent-time identity.

#[test]
fn paid_plus_overtime_is_logged_plus_breaks_plus_shrinkage_in_every_cell() {
    // Staffing with rises and drops (overtime), shifts with breaks and
    // shrinkage; with a drain, and stopping at the horizon.
    let list = [
        10u32, 12, 14, 16, 14, 12, 10, 8, 10, 12, 14, 16, 14, 12, 10, 8,
    ];
    for closing in ["drain", "stop"] {
        check_agent_time_identity(&list, closing);
    }
}

fn check_agent_time_identity(list: &[u32], closing: &str) {
    let draining = closing == "drain";
    let sc = scenario(&json!({
        "name": "identity", "seed": 17, "replications": 6,
        "warmup": "30m", "horizon": "8h", "interval": "30m", "clock_start": "08:00",
        "closing": closing,
        "skills": ["s"],
        "queues": [{
            "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 500 },
            "handle_time": { "exponential": { "mean": 180 } },
            "patience": { "exponential": { "mean": 200 } },
            "wrap_up": { "uniform": { "min": 5, "max": 25 } },
        }],
        "agent_groups": [
            { "name": "list", "staffing": list, "shrinkage": 0.1, "skills": { "s": 1 } },
            { "name": "shifts", "shrinkage": 0.2, "skills": { "s": 1 }, "shifts": [
                { "start": "07:30", "end": "12:15", "agents": 10,
                  "breaks": [{ "start": "09:40", "duration": "15m" }] },
                { "start": "11:50", "end": "16:00", "agents": 12,
                  "breaks": [{ "start": "14:00", "duration": "20m" }] },
            ] },
        ],
    }));
    let (w, len) = (sc.warmup.micros() as u128, sc.interval.micros() as u128);
    let k = sc.intervals();
    let cells = k + draining as usize;
    // Shrinkage time of each cell, from the schedules (none in the drain).
    let mut shrink = vec![vec![0u128; cells]; 2];
    for (c, &n) in list.iter().enumerate() {
        shrink[0][c] = (n - on_floor(n, 0.1)) as u128 * len;
    }
    let Staffing::Shifts(spans) = &sc.agent_groups[1].staffing else {
        panic!("shifts")
    };
    for s in spans {
        let off = (s.agents - on_floor(s.agents, 0.2)) as u128;
        for (c, cell) in shrink[1].iter_mut().enumerate().take(k) {
            let (a, b) = (w + c as u128 * len, w + (c as u128 + 1) * len);
            let (from, to) = (
                a.max(s.start.micros() as u128),
                b.min(s.end.micros() as u128),
            );
            *cell += off * to.saturating_sub(from);
        }
    }
    let expected_breaks = (8 * 15 + 10 * 20) as u128 * MIN;
    let (mut overtime, mut drained) = (0u128, 0u64);
    for st in replications(&sc) {
        assert_eq!(
            st.cell_us.len(),
            cells,
            "{closing}: a cell for the drain only when draining"
        );
        if draining {
            drained += st.cell_us[k];
        }
        let mut total = (0u128, 0u128);
        for (g, gs) in st.groups.iter().enumerate() {
            assert_eq!(gs.intervals.len(), cells);
            let mut sum = acdsim::stats::AgentTime::default();
            for (c, cell) in gs.intervals.iter().enumerate() {
                let what = format!("{closing}: rep {} group {g} cell {c}", st.replication);
                assert_eq!(
                    cell.staffed_us + cell.overtime_us,
                    cell.logged_us + cell.break_us + shrink[g][c],
                    "{what}: paid + overtime = logged + break + shrinkage"
                );
                assert!(cell.busy_us <= cell.logged_us, "{what}: busy <= logged");
                sum.merge(cell);
            }
            // The whole run is the sum of its cells.
            assert_eq!(sum, gs.time, "{closing}: rep {} group {g}", st.replication);
            let whole: u128 = shrink[g].iter().sum();
            assert_eq!(
                gs.staffed_us + gs.overtime_us,
                gs.logged_us + gs.break_us + whole,
                "{closing}: rep {} group {g}: whole run",
                st.replication
            );
            assert!(gs.busy_us <= gs.logged_us);
            total.0 += gs.staffed_us + gs.overtime_us;
            total.1 += gs.logged_us + gs.break_us + whole;
            overtime += gs.overtime_us;
        }
        let t = st.total_group();
        assert_eq!(t.staffed_us + t.overtime_us, total.0);
        assert_eq!(
            t.logged_us + t.break_us + shrink.iter().flatten().sum::<u128>(),
            total.1
        );
        assert_eq!(total.0, total.1);
        // Breaks lie well inside the shifts: every agent on the floor takes its whole break.
        assert_eq!(st.groups[1].break_us, expected_breaks, "{closing}");
        if draining {
            // The drain answers or abandons every waiting call.
            assert_eq!(st.queues[0].unresolved, 0);
        }
    }
    assert!(overtime > 0, "{closing}: the identity must see overtime");
    assert!(!draining || drained > 0, "the identity must see a drain");
}

// ---------------------------------------------------------------------------
// 6. Closing rules.

/// 22 Erlangs offered to 20 agents with 60 s patience: calls wait at the end.
fn overloaded(closing: &str) -> Scenario {
    let mut v = center(
        "closing",
        21,
        &["s"],
        vec![queue("q", "s", 0, 440.0, 180.0, Some(60.0))],
        vec![json!({ "name": "g", "count": 20, "skills": { "s": 1 } })],
        json!({}),
    );
    v["horizon"] = json!("2h");
    v["interval"] = json!("30m");
    v["closing"] = json!(closing);
    scenario(&v)
}

#[test]
fn drain_leaves_no_call_unresolved() {
    let sc = overloaded("drain");
    for st in replications(&sc) {
        let q = &st.queues[0];
        assert_eq!(q.unresolved, 0, "rep {}", st.replication);
        assert_eq!(q.disconnected, 0);
        assert_eq!(q.offered, q.answered + q.abandoned);
        assert_eq!(st.groups[0].intervals.len(), 5, "4 intervals and the drain");
    }
}

#[test]
fn disconnect_reports_as_disconnected_exactly_what_stop_leaves_unresolved() {
    let (stop, disconnect) = (overloaded("stop"), overloaded("disconnect"));
    let (a, b) = (replications(&stop), replications(&disconnect));
    let mut unresolved = 0;
    // `stop` with its unresolved calls renamed disconnected.
    let renamed = |c: &CallCounts| CallCounts {
        unresolved: 0,
        disconnected: c.unresolved,
        ..c.clone()
    };
    for (x, y) in a.iter().zip(&b) {
        let (qx, qy) = (&x.queues[0], &y.queues[0]);
        assert_eq!(qx.disconnected, 0);
        assert_eq!(qy.unresolved, 0);
        assert_eq!(renamed(&qx.calls), qy.calls, "rep {}", x.replication);
        for (cx, cy) in qx.intervals.iter().zip(&qy.intervals) {
            assert_eq!(renamed(&cx.calls), cy.calls);
        }
        assert_eq!(x.groups[0], y.groups[0], "agent time is the same");
        unresolved += qx.unresolved;
    }
    assert!(unresolved > 0, "the check needs calls waiting at the end");
}

// ---------------------------------------------------------------------------
// 7. Blocking and balking: loss systems.

/// 8 Erlangs (480 calls an hour, 60 s) on `agents` agents.
fn loss(agents: u32, patience_s: Option<f64>, edit: impl Fn(&mut Value)) -> Scenario {
    let mut v = center(
        "loss",
        61,
        &["s"],
        vec![queue("q", "s", 0, 480.0, 60.0, patience_s)],
        vec![json!({ "name": "g", "count": agents, "skills": { "s": 1 } })],
        json!({}),
    );
    edit(&mut v);
    scenario(&v)
}

fn blocked_share(st: &ReplicationStats) -> f64 {
    let q = &st.queues[0];
    q.blocked as f64 / (q.offered + q.blocked) as f64
}

#[test]
fn a_queue_limit_of_zero_is_an_erlang_b_loss_system() {
    let sc = loss(8, None, |v| v["queues"][0]["max_waiting"] = json!(0));
    let reps = replications(&sc);
    for st in &reps {
        let q = &st.queues[0];
        assert_eq!(q.zero_waits, q.answered, "no call waits");
        assert_eq!(q.offered, q.answered + q.unresolved);
        assert_eq!(q.unresolved, 0);
    }
    let b = erlang::erlang_b(8, 8.0).unwrap();
    assert_ci(est(&reps, blocked_share), b, "max_waiting 0: blocked share");
}

#[test]
fn trunk_lines_fewer_than_agents_are_an_erlang_b_loss_system_on_the_lines() {
    // Patient callers; 6 lines for 8 agents: an agent is always free for a
    // call that gets a line, so lines are the servers.
    let sc = loss(8, None, |v| v["lines"] = json!(6));
    let reps = replications(&sc);
    for st in &reps {
        let q = &st.queues[0];
        assert_eq!(q.zero_waits, q.answered, "no call waits");
    }
    let b = erlang::erlang_b(6, 8.0).unwrap();
    assert_ci(est(&reps, blocked_share), b, "6 lines: blocked share");
}

#[test]
fn callers_who_always_balk_make_an_erlang_b_loss_system() {
    // Every caller finding all agents busy balks: nobody waits, so the
    // system is M/M/8/8 and (PASTA) the share that balks is Erlang B.
    let sc = loss(8, Some(60.0), |v| {
        v["queues"][0]["balk_probability"] = json!(1)
    });
    let reps = replications(&sc);
    for st in &reps {
        let q = &st.queues[0];
        assert_eq!(q.zero_waits, q.answered, "every answered call waited 0");
        assert_eq!(q.balked, q.abandoned, "nobody abandons after waiting");
        assert_eq!(q.abandoned_wait_sum_us, 0);
        assert_eq!(q.blocked, 0);
    }
    let b = erlang::erlang_b(8, 8.0).unwrap();
    let share = est(&reps, |st| {
        st.queues[0].balked as f64 / st.queues[0].offered as f64
    });
    assert_ci(share, b, "balk probability 1: balked share");
}

// ---------------------------------------------------------------------------
// 8. Day-to-day volume.

#[test]
fn volume_cv_gives_offered_calls_the_negative_binomial_mean_and_variance() {
    // One hour at 400 calls an hour, day factor gamma(mean 1, cv 0.25): the
    // day's calls are negative binomial with r = 1/cv² = 16 and mean m = 400,
    // variance m + (m cv)² = 10,400 (Poisson alone: 400). One agent, and
    // every caller who finds it busy balks: the run is little more than its
    // arrivals, and balked calls are offered calls.
    let (m, cv, reps) = (400.0f64, 0.25f64, 2000u32);
    let sc = scenario(&json!({
        "name": "volume", "seed": 8, "replications": reps, "warmup": 0, "horizon": "1h",
        "volume_cv": cv,
        "skills": ["s"],
        "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": m },
                     "handle_time": { "constant": 60 }, "balk_probability": 1 }],
        "agent_groups": [{ "name": "g", "count": 1, "skills": { "s": 1 } }],
    }));
    let counts: Vec<f64> = run_replications(&sc, opts(&sc), |s| s.queues[0].offered as f64, |_| {});
    let n = counts.len() as f64;
    let mean = counts.iter().sum::<f64>() / n;
    let s2 = counts.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert_ci(
        Estimate::from_values(counts.iter().copied()),
        m,
        "mean offered",
    );
    // Negative binomial (failures, r successes of probability p): cumulants
    // k2 = r q / p², k4 = r q (1 + 4q + q²) / p⁴; central 4th moment k4 + 3 k2².
    let r = 1.0 / (cv * cv);
    let (p, q) = (r / (r + m), m / (r + m));
    let k2 = r * q / (p * p);
    let k4 = r * q * (1.0 + 4.0 * q + q * q) / p.powi(4);
    assert!((k2 - (m + (m * cv).powi(2))).abs() < 1e-6);
    let mu4 = k4 + 3.0 * k2 * k2;
    // Exact variance of the sample variance of n independent draws; with
    // 2000 draws of a distribution of excess kurtosis 0.38 it is close to
    // normal, so the 99.9% interval is ± z(0.9995) standard deviations.
    let var_s2 = mu4 / n - k2 * k2 * (n - 3.0) / (n * (n - 1.0));
    let z = Normal::new(0.0, 1.0)
        .unwrap()
        .inverse_cdf(0.5 + LEVEL / 2.0);
    let half = z * var_s2.sqrt();
    eprintln!("variance of offered: {s2:.1}, theory {k2:.1} ± {half:.1}");
    assert!(
        (s2 - k2).abs() <= half,
        "variance of offered calls {s2:.1} vs {k2:.1} ± {half:.1}"
    );
    assert!((s2 - m).abs() > 5.0 * half, "the day factor must show");
}

// ---------------------------------------------------------------------------
// 9. Piecewise-stationary Erlang A.

#[test]
fn each_long_interval_matches_its_own_erlang_a() {
    // Four 4-hour blocks, each with its own rate, handle time and staffing
    // (hourly intervals, the same values four hours running); exponential
    // patience of mean 90 s. Each block is judged on its last 3 hours.
    // Carry-over: the state at a change (callers waiting, agents busy,
    // agents in overtime after a drop) is the previous block's; the M/M/n+M
    // chain forgets it at rate at least min(1/AHT, 1/patience) >= 1/90 s per
    // caller in system, so its effect is confined to the first minutes after
    // the change. It shows in the first hour (about 0.01 in service level
    // after the drop from 24 to 13 agents, printed below) and is below e^-40
    // an hour later, when the judged hours start. Judging whole 4-hour
    // blocks would leave a quarter of that first-hour bias, ~0.003, half the
    // 99.9% half-width at this many replications: not negligible.
    let rates = [360.0, 900.0, 1440.0, 600.0];
    let aht = [60.0, 45.0, 60.0, 75.0];
    let agents = [7u32, 12, 24, 13];
    let patience = 90.0;
    let hourly = |k: usize| k / 4;
    let handle: Vec<Value> = (0..16)
        .map(|h| json!({ "exponential": { "mean": aht[hourly(h)] } }))
        .collect();
    let sc = scenario(&json!({
        "name": "piecewise", "seed": 91, "replications": 600,
        "warmup": "30m", "horizon": "16h", "interval": "1h",
        "service_level_threshold": "20s",
        "skills": ["s"],
        "queues": [{
            "name": "q", "skill": "s",
            "arrivals": { "rate_per_hour": (0..16).map(|h| rates[hourly(h)]).collect::<Vec<_>>() },
            "handle_time": handle,
            "patience": { "exponential": { "mean": patience } },
        }],
        "agent_groups": [{
            "name": "g", "skills": { "s": 1 },
            "staffing": (0..16).map(|h| agents[hourly(h)]).collect::<Vec<_>>(),
        }],
    }));
    let reps = replications(&sc);
    // A block's calls over hours `hours`, one replication.
    let block = |st: &ReplicationStats, hours: std::ops::Range<usize>| {
        let mut c = CallCounts::default();
        for h in hours {
            c.merge(&st.queues[0].intervals[h].calls);
        }
        c
    };
    for k in 0..4 {
        let th =
            erlang::erlang_a_metrics(rates[k] / 3600.0, aht[k], patience, agents[k], 20.0).unwrap();
        let judged = 4 * k + 1..4 * k + 4;
        let label = format!("block {k} ({} calls/h, {} agents)", rates[k], agents[k]);
        let sl = |st: &ReplicationStats| {
            let c = block(st, judged.clone());
            c.answered_in_sl as f64 / c.offered as f64
        };
        assert_ci(
            est(&reps, sl),
            th.service_level,
            &format!("{label}: service level"),
        );
        let abandon = |st: &ReplicationStats| {
            let c = block(st, judged.clone());
            c.abandoned as f64 / c.offered as f64
        };
        assert_ci(
            est(&reps, abandon),
            th.p_abandon,
            &format!("{label}: abandon rate"),
        );
        let asa = |st: &ReplicationStats| {
            let c = block(st, judged.clone());
            c.wait_sum_us as f64 / 1e6 / c.answered as f64
        };
        assert_ci(est(&reps, asa), th.asa_s, &format!("{label}: ASA"));
        // Handle times follow the arrival hour, the first hour included.
        let aht_s = |st: &ReplicationStats| {
            let c = block(st, 4 * k..4 * k + 4);
            c.handle_sum_us as f64 / 1e6 / c.answered as f64
        };
        assert_ci(est(&reps, aht_s), aht[k], &format!("{label}: AHT"));
        let first = est(&reps, |st| {
            let c = block(st, 4 * k..4 * k + 1);
            c.answered_in_sl as f64 / c.offered as f64
        });
        if k > 0 {
            eprintln!(
                "{label}: first hour after the change: service level {:.4} ({:+.4} from theory)",
                first.mean,
                first.mean - th.service_level
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 10. Overflow delays.

/// No level-1 agent; from `after` on, 30 idle level-2 agents (2 Erlangs
/// offered: all 30 busy has probability ~1e-20). Closing drain.
fn overflow(patience: Value) -> Scenario {
    scenario(&json!({
        "name": "overflow", "seed": 33, "replications": 30, "warmup": "30m",
        "horizon": "2h", "closing": "drain", "service_level_threshold": "40s",
        "skills": ["s"],
        "queues": [{
            "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 120 },
            "handle_time": { "exponential": { "mean": 60 } },
            "patience": patience,
            "overflow": [{ "after": "0s", "max_level": 1 }, { "after": "30s" }],
        }],
        "agent_groups": [
            { "name": "primary", "count": 0, "skills": { "s": 1 } },
            { "name": "backup", "count": 30, "skills": { "s": 2 } },
        ],
    }))
}

#[test]
fn overflow_to_an_idle_group_answers_every_call_after_exactly_the_stage_delay() {
    let t = 30_000_000u128;
    // Patient enough: every call answered at 30 s.
    for st in replications(&overflow(json!({ "constant": "31s" }))) {
        let q = &st.queues[0];
        assert!(q.answered > 100);
        assert_eq!(q.answered, q.offered);
        assert_eq!(q.zero_waits, 0);
        assert_eq!(q.wait_sum_us, q.answered as u128 * t, "every wait is 30 s");
        assert_eq!(q.answered_in_sl, q.answered, "30 s is within 40 s");
        assert_eq!(st.groups[0].handled, 0);
    }
    // Not patient enough: every call abandons at 29 s.
    for st in replications(&overflow(json!({ "constant": "29s" }))) {
        let q = &st.queues[0];
        assert_eq!(q.answered, 0);
        assert_eq!(q.abandoned, q.offered);
        assert_eq!(q.abandoned_wait_sum_us, q.abandoned as u128 * 29_000_000);
    }
    // Patience uniform on (0, 60 s): calls with patience under 30 s abandon
    // (half of them, after 15 s on average); the others wait exactly 30 s.
    let reps = replications(&overflow(json!({ "uniform": { "min": 0, "max": 60 } })));
    for st in &reps {
        let q = &st.queues[0];
        assert_eq!(q.wait_sum_us, q.answered as u128 * t, "every wait is 30 s");
        assert!(q.abandoned_wait_sum_us < q.abandoned as u128 * t);
        assert_eq!(q.offered, q.answered + q.abandoned);
        // The shortest and longest waits, to the histogram's 3 significant digits.
        for quantile in [1e-9, 1.0] {
            let w = q.wait_quantile_s(quantile);
            assert!(
                (w - 30.0).abs() <= 30.0 / 1024.0,
                "wait quantile {quantile}: {w} s"
            );
        }
    }
    let abandon = est(&reps, |st| {
        st.queues[0].abandoned as f64 / st.queues[0].offered as f64
    });
    assert_ci(abandon, 0.5, "share of patience below 30 s");
    let wait = est(&reps, |st| {
        let q = &st.queues[0];
        q.abandoned_wait_sum_us as f64 / 1e6 / q.abandoned as f64
    });
    assert_ci(wait, 15.0, "mean patience of those who abandon");
}

// ---------------------------------------------------------------------------
// 11. Common random numbers.

#[test]
fn common_random_numbers_sharpen_the_difference_between_staffing_levels() {
    // 10 vs 11 agents, Erlang A. With one seed both variants see the same
    // callers; with two seeds they are independent. Were the two differences
    // equally variable, their sample variance ratio would be F(R-1, R-1):
    // a ratio below its 0.1% quantile shows common random numbers reduce
    // the variance at the 99.9% level.
    let reps = 100u32;
    let day = |agents: u32| {
        let mut v = center(
            "crn",
            5,
            &["s"],
            vec![queue("q", "s", 0, 540.0, 60.0, Some(120.0))],
            vec![json!({ "name": "g", "count": agents, "skills": { "s": 1 } })],
            json!({}),
        );
        v["horizon"] = json!("2h");
        v["warmup"] = json!("30m");
        scenario(&v)
    };
    let (ten, eleven) = (day(10), day(11));
    let sl = |_: usize, st: ReplicationStats| {
        let q = &st.queues[0];
        q.answered_in_sl as f64 / q.offered as f64
    };
    let opts = |seed| RunOptions {
        replications: reps,
        seed,
        threads: 2,
    };
    let same = run_variants(&[ten.clone(), eleven.clone()], opts(5), sl, |_| {});
    let other = run_variants(std::slice::from_ref(&eleven), opts(6), sl, |_| {});
    let diffs = |a: &[f64], b: &[f64]| Estimate::from_values(a.iter().zip(b).map(|(x, y)| y - x));
    let crn = diffs(&same[0], &same[1]);
    let independent = diffs(&same[0], &other[0]);
    let ratio = (crn.sd / independent.sd).powi(2);
    let df = (reps - 1) as f64;
    let bound = FisherSnedecor::new(df, df)
        .unwrap()
        .inverse_cdf(1.0 - LEVEL);
    eprintln!(
        "SL gain of the 11th agent: {:.4} ± {:.4} (CRN), {:.4} ± {:.4} (independent); variance ratio {ratio:.4}, bound {bound:.4}",
        crn.mean, crn.ci95, independent.mean, independent.ci95
    );
    assert!(ratio < bound, "variance ratio {ratio} not below {bound}");
    assert!(crn.mean > 0.0, "one more agent helps on the same callers");
}

// ---------------------------------------------------------------------------
// 12. The staffing solver.

#[test]
fn the_staffing_solver_meets_the_target_in_every_interval_and_no_busiest_agent_is_spare() {
    let sc = scenario(&json!({
        "name": "staff", "seed": 12, "replications": 30,
        "warmup": "30m", "horizon": "3h", "interval": "1h",
        "skills": ["s"],
        "queues": [{
            "name": "q", "skill": "s", "arrivals": { "rate_per_hour": [120, 360, 240] },
            "handle_time": { "exponential": { "mean": 180 } },
            "patience": { "exponential": { "mean": 300 } },
        }],
        "agent_groups": [{ "name": "g", "count": 1, "skills": { "s": 1 } }],
    }));
    let targets = Targets {
        service_level: 0.8,
        threshold: SimTime::from_secs_f64(20.0),
        max_abandon: None,
        max_occupancy: None,
    };
    let o = RunOptions {
        replications: 30,
        seed: 12,
        threads: 2,
    };
    let result = staff(&sc, targets, &[0], o, |_, _| {}).unwrap();
    let Staffing::PerInterval(found) = result.scenario.agent_groups[0].staffing.clone() else {
        panic!("the solver gives a staffing list")
    };
    eprintln!("staffing found: {found:?}");
    assert_eq!(found.len(), 3);
    let sl = |sc: &Scenario| -> Vec<f64> {
        let s: Summary = simulate(sc, o);
        s.queues[0]
            .intervals
            .iter()
            .map(|iv| iv.get("service_level").mean)
            .collect()
    };
    let got = sl(&result.scenario);
    for (c, &x) in got.iter().enumerate() {
        assert!(x >= 0.8, "interval {c}: service level {x} below the target");
        assert_eq!(
            x, result.intervals[c].service_level,
            "the solver reports what it simulated"
        );
    }
    // The busiest interval (most calls) has no agent to spare.
    let busiest = 1;
    assert_eq!(
        found.iter().enumerate().max_by_key(|(_, &n)| n).unwrap().0,
        busiest
    );
    let mut fewer = result.scenario.clone();
    let mut less = found.clone();
    less[busiest] -= 1;
    fewer.agent_groups[0].staffing = Staffing::PerInterval(less);
    let missed = sl(&fewer);
    assert!(
        missed.iter().any(|&x| x < 0.8),
        "one agent fewer in the busiest interval still meets the target: {missed:?}"
    );
}

// ---------------------------------------------------------------------------
// 13. sl_target_met.

#[test]
fn sl_target_met_is_the_share_of_days_that_met_the_target() {
    // Two queues near their targets: 6 Erlangs on 8 agents gives a service
    // level around 0.82, so some days meet 0.8 and some miss; the second
    // queue's own target of 0.9 is met less often.
    let mut q2 = queue("q2", "t", 0, 360.0, 60.0, None);
    q2["service_level_target"] = json!(0.9);
    let mut v = center(
        "target",
        13,
        &["s", "t"],
        vec![queue("q1", "s", 0, 360.0, 60.0, None), q2],
        vec![
            json!({ "name": "a", "count": 8, "skills": { "s": 1 } }),
            json!({ "name": "b", "count": 8, "skills": { "t": 1 } }),
        ],
        json!({}),
    );
    v["horizon"] = json!("2h");
    v["interval"] = json!("30m");
    v["service_level_target"] = json!(0.8);
    let sc = scenario(&v);
    let stats = replications(&sc);
    let summary = run(&sc);
    // The per-replication metrics agree with the counters.
    let metrics: Vec<ReplicationMetrics> = stats
        .iter()
        .map(|s| ReplicationMetrics::from_stats(&sc, s))
        .collect();
    let met_col = acdsim::stats::CALL_METRICS
        .iter()
        .position(|&m| m == "sl_target_met")
        .unwrap();
    /// Share of the days (where any call was offered) whose service level met `target`.
    fn share(counts: impl Iterator<Item = CallCounts>, target: f64) -> f64 {
        let (mut met, mut days) = (0u32, 0u32);
        for c in counts.filter(|c| c.offered > 0) {
            days += 1;
            met += (c.answered_in_sl as f64 / c.offered as f64 >= target) as u32;
        }
        met as f64 / days as f64
    }
    let mut strictly_between = 0;
    let scopes: [(Option<usize>, f64); 3] = [(None, 0.8), (Some(0), 0.8), (Some(1), 0.9)];
    for (scope, target) in scopes {
        let counters = |st: &ReplicationStats, cell: Option<usize>| -> CallCounts {
            let q = match scope {
                None => st.total_queue(),
                Some(q) => st.queues[q].clone(),
            };
            match cell {
                None => q.calls.clone(),
                Some(c) => q.intervals[c].calls.clone(),
            }
        };
        let reported = match scope {
            None => &summary.total,
            Some(q) => &summary.queues[q],
        };
        let expected = share(stats.iter().map(|st| counters(st, None)), target);
        assert_eq!(
            reported.get("sl_target_met").mean,
            expected,
            "{}",
            reported.name
        );
        strictly_between += (expected > 0.0 && expected < 1.0) as u32;
        for (c, iv) in reported.intervals.iter().enumerate() {
            let expected = share(stats.iter().map(|st| counters(st, Some(c))), target);
            assert_eq!(
                iv.get("sl_target_met").mean,
                expected,
                "{} interval {c}",
                reported.name
            );
        }
        for (m, st) in metrics.iter().zip(&stats) {
            let values = match scope {
                None => &m.total_calls,
                Some(q) => &m.queues[q],
            };
            let c = counters(st, None);
            let met = (c.answered_in_sl as f64 / c.offered as f64 >= target) as u32 as f64;
            assert_eq!(values.whole[met_col], met);
        }
    }
    assert!(
        strictly_between >= 2,
        "the check needs days that meet and days that miss"
    );
}

// ---------------------------------------------------------------------------
// Edge cases of breaks and of the drain.

/// Agent-hours of `what` in group `g`, summed over the run.
fn hours_of(st: &ReplicationStats, g: usize, what: fn(&acdsim::stats::AgentTime) -> u128) -> f64 {
    what(&st.groups[g].time) as f64 / HOUR as f64
}

#[test]
fn breaks_owed_while_busy_add_up_and_a_break_at_the_shift_start_is_taken() {
    // One agent always busy with 20-minute calls: the breaks due at 30m and
    // 45m both wait for the call ending at 40m, then are taken back to back.
    let sc = scenario(&json!({
        "name": "owed", "horizon": "2h", "interval": "30m", "replications": 1, "warmup": 0,
        "skills": ["s"],
        "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 600 },
                     "handle_time": { "constant": "20m" } }],
        "agent_groups": [{ "name": "g", "skills": { "s": 1 }, "shifts": [
            { "start": "0s", "end": "2h", "agents": 1,
              "breaks": [{ "start": "30m", "duration": "10m" }, { "start": "45m", "duration": "10m" }] }] }],
    }));
    let st = run_one(&sc, 1, 0);
    assert!((hours_of(&st, 0, |t| t.break_us) - 20.0 / 60.0).abs() < 1e-9);
    // Calls 0-20, 20-40, breaks 40-60, calls 60-80, 80-100, 100-120.
    assert_eq!(st.groups[0].handled, 5);
    // A break at the very start of a shift: both agents take it on logging in.
    let sc = scenario(&json!({
        "name": "first", "horizon": "2h", "interval": "30m", "replications": 1, "warmup": 0,
        "skills": ["s"],
        "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 10 },
                     "handle_time": { "constant": "1m" } }],
        "agent_groups": [{ "name": "g", "skills": { "s": 1 }, "shifts": [
            { "start": "30m", "end": "2h", "agents": 2,
              "breaks": [{ "start": "30m", "duration": "15m" }] }] }],
    }));
    let st = run_one(&sc, 1, 0);
    assert!((hours_of(&st, 0, |t| t.break_us) - 0.5).abs() < 1e-9);
    let first = &st.groups[0].intervals[1];
    assert_eq!(
        first.break_us,
        2 * 15 * MIN,
        "both agents break from 30m to 45m"
    );
}

#[test]
fn the_drain_keeps_only_the_agents_some_waiting_caller_needs() {
    // Queue A's callers wait at the horizon but no agent on the floor can
    // answer them (their shift ended); group B answers queue B only, where
    // nobody waits: B's idle agents leave at the horizon, and only its agent
    // on a 3-hour call stays, until its call ends.
    let sc = scenario(&json!({
        "name": "drain", "horizon": "1h", "interval": "30m", "replications": 1, "warmup": 0,
        "closing": "drain", "skills": ["a", "b"],
        "queues": [
            { "name": "A", "skill": "a", "arrivals": { "rate_per_hour": [0, 60] }, "handle_time": { "constant": "1m" } },
            { "name": "B", "skill": "b", "arrivals": { "rate_per_hour": [4, 0] }, "handle_time": { "constant": "3h" } }],
        "agent_groups": [
            { "name": "GA", "skills": { "a": 1 }, "shifts": [{ "start": "0s", "end": "30m", "agents": 1 }] },
            { "name": "GB", "skills": { "b": 1 }, "count": 5 }],
    }));
    for rep in 0..20 {
        let st = run_one(&sc, 3, rep);
        let b_answered = st.queues[1].answered;
        let drain = &st.groups[1].intervals[2];
        // Each B call is a 3-hour call: its agent is in overtime from the
        // horizon until the call ends, and nobody else of B is there.
        assert_eq!(
            drain.overtime_us, drain.busy_us,
            "rep {rep}: B answered {b_answered}"
        );
        assert_eq!(
            drain.logged_us, drain.busy_us,
            "rep {rep}: no idle B agent stays"
        );
        assert_eq!(
            st.queues[0].unresolved + st.queues[0].answered,
            st.queues[0].offered
        );
    }
}
