//! The books balance in time (proptest): over random small scenarios that
//! use the time features together (per-interval rates with zeros, per-interval
//! handle, patience and wrap-up, `interval`, `clock_start`, `warmup`, groups
//! by `count`, `staffing` lists or `shifts` with breaks, `shrinkage`,
//! `cost_per_hour`, overflow stages, balking, `max_waiting`, `lines`,
//! `volume_cv`, every `closing` and every routing rule), one short
//! replication each:
//!
//! - every offered call is answered, abandoned, disconnected or unresolved,
//!   in every interval cell, and the cells add up to the whole window;
//!   blocked arrivals are never offered;
//! - agent time adds up in every cell: busy within logged, and paid time plus
//!   overtime is time on the floor plus breaks plus the scheduled time that
//!   shrinkage keeps off the floor (computed here from the scenario);
//! - the agents' side and the calls' side agree: the calls agents handle and
//!   their handle time are those of the answered calls, exactly when there is
//!   no warm-up (see [`check_agents_against_calls`] for why, and what still
//!   holds with one);
//! - a drain leaves no call unresolved unless no agent can ever answer it;
//! - the same seed gives the same statistics;
//! - every generated scenario is valid for the reader and for the JSON Schema.

mod common;

use acdsim::runner::run_one;
use acdsim::scenario::{AgentGroup, AgentSelection, CallSelection, Closing, Scenario, Staffing};
use acdsim::stats::{AgentTime, CallCounts, ReplicationStats};
use common::conservation::*;
use common::dist;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Interval lengths the generator picks from: seconds and as written in the file.
const INTERVALS: [(u64, &str); 5] = [
    (300, "5m"),
    (600, "10m"),
    (900, "15m"),
    (1800, "30m"),
    (3600, "1h"),
];

const US: u64 = 1_000_000;

/// A time frame of 1 to 8 intervals, with a warm-up below 1 h (none if `zero_warmup`).
fn time_frame(zero_warmup: bool) -> impl Strategy<Value = Frame> {
    let warmup = if zero_warmup {
        Just(0u64).boxed()
    } else {
        prop_oneof![Just(0u64), 1u64..3600].boxed()
    };
    frame(&INTERVALS, 8, warmup)
}

fn queue(f: Frame) -> impl Strategy<Value = Value> {
    (
        (0..f.skills, -2i32..3, rate(f, 300.0)),
        per_interval(f, dist()),
        option::weighted(0.7, per_interval(f, dist())),
        option::weighted(0.5, per_interval(f, dist())),
        option::weighted(0.4, overflow()),
        option::weighted(0.3, 0.0..=1.0f64),
        option::weighted(0.3, 0u32..6),
        option::weighted(0.3, 0.0..60.0f64),
        option::weighted(0.2, 0.3..=1.0f64),
    )
        .prop_map(
            |(
                (skill, priority, rate),
                handle,
                patience,
                wrap,
                stages,
                balk,
                max_waiting,
                sl,
                target,
            )| {
                let mut q = json!({
                    "skill": format!("s{skill}"), "priority": priority,
                    "arrivals": { "rate_per_hour": rate }, "handle_time": handle,
                });
                let fields = [
                    ("patience", patience),
                    ("wrap_up", wrap),
                    ("overflow", stages),
                    ("balk_probability", balk.map(Value::from)),
                    ("max_waiting", max_waiting.map(Value::from)),
                    ("service_level_threshold", sl.map(Value::from)),
                    ("service_level_target", target.map(Value::from)),
                ];
                for (name, v) in fields {
                    if let Some(v) = v {
                        q[name] = v;
                    }
                }
                q
            },
        )
}

/// A group; the `floor` group holds every skill and always has an agent on
/// the floor at some time (so that every generated scenario is valid).
fn group(f: Frame, floor: bool) -> impl Strategy<Value = Value> {
    (
        levels(f, floor),
        staffing(f, floor, 8),
        option::weighted(0.4, shrinkage(floor)),
        option::weighted(0.4, 0.0..50.0f64),
    )
        .prop_map(|(levels, (kind, agents), shrinkage, cost)| {
            let mut g = json!({ "skills": levels });
            g[kind] = agents;
            if let Some(s) = shrinkage {
                g["shrinkage"] = json!(s);
            }
            if let Some(c) = cost {
                g["cost_per_hour"] = json!(c);
            }
            g
        })
}

prop_compose! {
    /// A random valid scenario of one replication (no warm-up if `zero_warmup`).
    fn arb_scenario(zero_warmup: bool)(f in time_frame(zero_warmup))(
        f in Just(f),
        queues in vec(queue(f), 1..=3),
        groups in vec(group(f, false), 0..=2),
        floor in group(f, true),
        seed in any::<u64>(),
        volume_cv in option::weighted(0.3, 0.0..0.5f64),
        lines in option::weighted(0.25, prop_oneof![1 => Just(0u32), 6 => 1u32..30]),
        closing in 0..CLOSINGS.len(),
        rules in (0..AgentSelection::ALL.len(), 0..CallSelection::ALL.len()),
        threshold in option::of(0.0..60.0f64),
        target in option::weighted(0.3, 0.3..=1.0f64),
    ) -> Value {
        let skills: Vec<String> = (0..f.skills).map(|i| format!("s{i}")).collect();
        let mut groups = named("g", groups);
        let mut floor = floor;
        floor["name"] = json!("floor");
        groups.push(floor);
        let mut doc = json!({
            "name": "random", "seed": seed, "replications": 1,
            "horizon": f.horizon, "interval": f.interval.1,
            "closing": CLOSINGS[closing],
            "skills": skills, "queues": named("q", queues), "agent_groups": groups,
            "routing": {
                "agent_selection": AgentSelection::ALL[rules.0].0,
                "call_selection": CallSelection::ALL[rules.1].0,
            },
        });
        if f.warmup > 0 {
            doc["warmup"] = json!(format!("{}s", f.warmup));
        }
        if let Some(c) = f.clock {
            doc["clock_start"] = json!(clock(c));
        }
        let extras = [
            ("volume_cv", volume_cv.map(Value::from)),
            ("lines", lines.map(Value::from)),
            ("service_level_threshold", threshold.map(Value::from)),
            ("service_level_target", target.map(Value::from)),
        ];
        for (name, v) in extras {
            if let Some(v) = v {
                doc[name] = v;
            }
        }
        widen_to_a_held_level(&mut doc);
        doc
    }
}

fn balanced(c: &CallCounts) -> bool {
    c.offered == c.answered + c.abandoned + c.disconnected + c.unresolved
}

/// Call counts: balanced in every cell, cells adding up to the whole window,
/// sub-counts within their counts, and what the closing and the queue's
/// settings rule out.
fn check_calls(sc: &Scenario, st: &ReplicationStats) -> Result<(), TestCaseError> {
    for (q, (c, queue)) in st.queues.iter().zip(&sc.queues).enumerate() {
        prop_assert_eq!(c.intervals.len(), sc.intervals(), "queue {} cells", q);
        let mut sum = CallCounts::default();
        let mut waits = 0u64;
        for (k, cell) in c.intervals.iter().enumerate() {
            prop_assert!(balanced(cell), "queue {} cell {}: {:?}", q, k, cell.calls);
            prop_assert_eq!(
                cell.zero_waits + cell.waits.len(),
                cell.answered,
                "queue {} cell {}",
                q,
                k
            );
            if let acdsim::scenario::Profile::PerInterval(rates) = &queue.arrivals.rate_per_hour {
                if rates[k] == 0.0 {
                    prop_assert_eq!(
                        cell.offered + cell.blocked,
                        0,
                        "queue {} cell {} at rate 0",
                        q,
                        k
                    );
                }
            }
            sum.merge(&cell.calls);
            waits += cell.waits.len();
        }
        prop_assert_eq!(
            &sum,
            &c.calls,
            "queue {}: cells do not add up to the window",
            q
        );
        prop_assert_eq!(waits, c.wait_hist.len(), "queue {} positive waits", q);
        for (k, x) in std::iter::once(&c.calls)
            .chain(c.intervals.iter().map(|cell| &cell.calls))
            .enumerate()
        {
            // k = 0: the whole window; k = i + 1: cell i.
            prop_assert!(balanced(x), "queue {} ({}): {:?}", q, k, x);
            let at = match k {
                0 => "window".to_string(),
                k => format!("cell {}", k - 1),
            };
            check_sub_counts(sc, q, x, &at)?;
            if queue.balk_probability.is_none_or(|p| p == 0.0) {
                prop_assert_eq!(x.balked, 0);
            }
            if queue.patience.is_none() {
                // Patient callers only leave by balking.
                prop_assert_eq!(x.abandoned, x.balked, "queue {}", q);
            }
            if queue.max_waiting == Some(0) || sc.lines == Some(0) {
                // No call may wait: every offered call is answered at once.
                prop_assert_eq!(x.answered, x.offered, "queue {}: {:?}", q, x);
                prop_assert_eq!(x.zero_waits, x.answered, "queue {}", q);
            }
            if sc.lines == Some(0) {
                prop_assert_eq!(x.offered, 0, "queue {}: offered without a line", q);
            }
        }
        prop_assert_eq!(c.zero_waits + c.wait_hist.len(), c.answered, "queue {}", q);
        if sc.closing == Closing::Drain && c.unresolved > 0 {
            prop_assert!(
                !holder_stays(sc, queue.skill, widest(queue)),
                "queue {}: {} calls unresolved after a drain although agents stay who can answer them",
                q,
                c.unresolved
            );
        }
    }
    check_offered_or_blocked(sc, st)
}

/// Agent time: cells as the scenario defines them, every cell balanced.
fn check_agent_time(sc: &Scenario, st: &ReplicationStats) -> Result<(), TestCaseError> {
    let draining = sc.closing == Closing::Drain;
    let n_cells = check_cells(sc, st)?;
    for (g, (gc, group)) in st.groups.iter().zip(&sc.agent_groups).enumerate() {
        prop_assert_eq!(gc.intervals.len(), n_cells, "group {} cells", g);
        let expected = paid_and_shrunk(sc, group);
        let mut sum = AgentTime::default();
        let mut shrunk_total = 0u128;
        for (k, cell) in gc.intervals.iter().enumerate() {
            let (paid, shrunk) = expected.get(k).copied().unwrap_or((0, 0));
            check_paid_time(g, k, cell, (paid, shrunk))?;
            prop_assert!(
                cell.busy_us <= cell.logged_us,
                "group {} cell {}: busy {} > logged {}",
                g,
                k,
                cell.busy_us,
                cell.logged_us
            );
            if !matches!(group.staffing, Staffing::Shifts(_)) {
                prop_assert_eq!(
                    cell.break_us,
                    0,
                    "group {} cell {}: breaks without shifts",
                    g,
                    k
                );
            }
            if let (Staffing::Count(n), true) = (&group.staffing, k < sc.intervals()) {
                // A constant group is on the floor all the time, never in overtime.
                let len = st.cell_us[k] as u128;
                prop_assert_eq!(
                    cell.logged_us,
                    on_floor(group, *n) as u128 * len,
                    "group {} cell {}",
                    g,
                    k
                );
                prop_assert_eq!(cell.overtime_us, 0, "group {} cell {}", g, k);
            }
            check_cost(group, cell)
                .map_err(|e| TestCaseError::fail(format!("group {g} cell {k}: {e}")))?;
            shrunk_total += shrunk;
            sum.merge(cell);
        }
        let t = &gc.time;
        // No escalation here: blocked time, among what the cells add up to, is 0.
        check_run_time(g, &sum, t, shrunk_total)?;
        prop_assert!(t.busy_us <= t.logged_us, "group {}", g);
        if let Staffing::Shifts(shifts) = &group.staffing {
            // Each agent on the floor takes each break at most once, for its length.
            let most: u128 = shifts
                .iter()
                .map(|s| {
                    let length: u64 = s.breaks.iter().map(|b| b.duration.micros()).sum();
                    on_floor(group, s.agents) as u128 * length as u128
                })
                .sum();
            prop_assert!(
                t.break_us <= most,
                "group {}: {} µs of breaks, at most {}",
                g,
                t.break_us,
                most
            );
        }
        check_cost(group, t).map_err(|e| TestCaseError::fail(format!("group {g}: {e}")))?;
        if draining {
            // Time after the horizon has its own cell: nothing falls off the end.
            prop_assert_eq!(gc.busy_after_end_us, 0, "group {}", g);
            let drain = &gc.intervals[sc.intervals()];
            prop_assert_eq!(
                drain.overtime_us,
                drain.logged_us + drain.break_us,
                "group {}: the drain is overtime",
                g
            );
        }
    }
    Ok(())
}

/// Cost is the rate times paid hours plus overtime hours, when there is a rate.
fn check_cost(group: &AgentGroup, t: &AgentTime) -> Result<(), String> {
    match (group.cost_per_hour, t.cost) {
        (None, None) => Ok(()),
        (Some(rate), Some(cost)) => {
            let want = rate * (t.staffed_us + t.overtime_us) as f64 / (3600.0 * US as f64);
            if (cost - want).abs() <= 1e-9 * want.abs().max(1.0) {
                Ok(())
            } else {
                Err(format!("cost {cost}, expected {want}"))
            }
        }
        (rate, cost) => Err(format!("cost {cost:?} with cost_per_hour {rate:?}")),
    }
}

/// The agents' side against the calls' side.
///
/// Calls are counted by arrival (a call that arrived in the warm-up never
/// is); agents count the calls they start handling from the start of the
/// window on, and handle time as it falls in the cells (the drain cell
/// included) or after the end of the run (`busy_after_end_us`). So:
/// - without a warm-up every call is counted on both sides: Σ handled equals
///   the answered calls and Σ (busy + busy after the end) equals their handle
///   time, exactly;
/// - with a warm-up the agents' side also holds calls that arrived in the
///   warm-up and were answered after it, and the part after the warm-up of
///   calls answered in it: it is at least the calls' side.
fn check_agents_against_calls(sc: &Scenario, st: &ReplicationStats) -> Result<(), TestCaseError> {
    let total = st.total_queue();
    let handled: u64 = st.groups.iter().map(|g| g.handled).sum();
    let busy: u128 = st
        .groups
        .iter()
        .map(|g| g.busy_us + g.busy_after_end_us)
        .sum();
    let busy_cells: u128 = st
        .groups
        .iter()
        .map(|g| g.intervals.iter().map(|c| c.busy_us).sum::<u128>() + g.busy_after_end_us)
        .sum();
    prop_assert_eq!(busy, busy_cells);
    if sc.warmup.micros() == 0 {
        prop_assert_eq!(handled, total.answered, "calls handled vs calls answered");
        prop_assert_eq!(
            busy,
            total.handle_sum_us,
            "agents' handle time vs calls' handle time"
        );
    } else {
        prop_assert!(
            handled >= total.answered,
            "handled {} < answered {}",
            handled,
            total.answered
        );
        prop_assert!(
            busy >= total.handle_sum_us,
            "busy {} < handle time {}",
            busy,
            total.handle_sum_us
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn calls_and_agent_time_balance_in_every_interval(v in arb_scenario(false)) {
        let sc = common::scenario(&v);
        let stats = run_one(&sc, sc.seed, 0);
        check_calls(&sc, &stats)?;
        check_agent_time(&sc, &stats)?;
        check_agents_against_calls(&sc, &stats)?;
        // Determinism: the same seed gives the same statistics.
        let again = run_one(&sc, sc.seed, 0);
        prop_assert_eq!(format!("{:?}", stats), format!("{:?}", again));
    }
}

proptest! {
    #![proptest_config(config(60))]

    /// The exact identities need every call counted on both sides: no warm-up.
    #[test]
    fn without_a_warm_up_agents_handle_exactly_the_answered_calls(v in arb_scenario(true)) {
        let sc = common::scenario(&v);
        let stats = run_one(&sc, sc.seed, 1);
        check_agents_against_calls(&sc, &stats)?;
        check_calls(&sc, &stats)?;
    }
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn generated_scenarios_are_valid_for_the_reader_and_the_json_schema(v in arb_scenario(false)) {
        check_valid(&v)?;
    }
}
