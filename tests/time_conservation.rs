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
use common::dist;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Interval lengths the generator picks from: seconds and as written in the file.
const INTERVALS: [(u64, &str); 5] = [
    (300, "5m"),
    (600, "10m"),
    (900, "15m"),
    (1800, "30m"),
    (3600, "1h"),
];

const US: u64 = 1_000_000;

/// The time frame of a generated scenario, in whole seconds.
#[derive(Debug, Clone, Copy)]
struct Frame {
    interval: usize,
    intervals: usize,
    horizon: u64,
    warmup: u64,
    /// `clock_start`, seconds after midnight (06:00 to 12:00: the run never crosses midnight).
    clock: Option<u64>,
    skills: usize,
}

impl Frame {
    fn interval_s(&self) -> u64 {
        INTERVALS[self.interval].0
    }

    /// Per-interval lists need a horizon of whole intervals.
    fn lists(&self) -> bool {
        self.horizon == self.interval_s() * self.intervals as u64
    }

    fn run_end(&self) -> u64 {
        self.warmup + self.horizon
    }

    /// A moment `t` of the run (seconds from its start) as the file writes it:
    /// a clock time when asked (and always inside the warm-up), else an
    /// offset from the start of the measured window.
    fn time(&self, t: u64, as_clock: bool) -> Value {
        match self.clock {
            Some(c) if as_clock || t < self.warmup => json!(clock(c + t - self.warmup)),
            _ => json!(format!("{}s", t - self.warmup)),
        }
    }
}

fn clock(secs: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

fn frame(zero_warmup: bool) -> impl Strategy<Value = Frame> {
    let warmup = if zero_warmup {
        Just(0u64).boxed()
    } else {
        prop_oneof![Just(0u64), 1u64..3600].boxed()
    };
    (
        0..INTERVALS.len(),
        1usize..=8,
        // Mostly whole intervals; sometimes a shorter last interval.
        prop_oneof![3 => Just(0.0), 1 => 0.01..0.99f64],
        warmup,
        option::of(6 * 3600u64..=12 * 3600),
        1usize..=3,
    )
        .prop_map(|(interval, n, ragged, warmup, clock, skills)| {
            let len = INTERVALS[interval].0;
            let horizon = len * n as u64 + (ragged * len as f64) as u64;
            Frame {
                interval,
                intervals: horizon.div_ceil(len) as usize,
                horizon,
                warmup,
                clock,
                skills,
            }
        })
}

/// One value for the whole run, or (when the horizon allows) one per interval.
fn per_interval(
    f: Frame,
    one: impl Strategy<Value = Value> + Clone + 'static,
) -> BoxedStrategy<Value> {
    if f.lists() {
        prop_oneof![one.clone(), vec(one, f.intervals).prop_map(Value::from)].boxed()
    } else {
        one.boxed()
    }
}

fn rate(f: Frame) -> BoxedStrategy<Value> {
    let constant = (1.0..300.0f64).prop_map(|r| json!(r));
    if f.lists() {
        let one = prop_oneof![1 => Just(0.0), 3 => 0.0..300.0f64];
        prop_oneof![constant, vec(one, f.intervals).prop_map(|v| json!(v))].boxed()
    } else {
        constant.boxed()
    }
}

/// Valid overflow stages: the first at 0s, increasing waits, widening
/// levels, and sometimes a last stage open to every level.
fn overflow() -> impl Strategy<Value = Value> {
    (vec((1u64..120, 0u32..2), 0..3), 1u32..=3, any::<bool>()).prop_map(|(rest, first, open)| {
        let mut stages = vec![json!({ "after": "0s", "max_level": first })];
        let (mut after, mut level) = (0, first);
        for (gap, up) in rest {
            after += gap;
            level += up;
            stages.push(json!({ "after": after, "max_level": level }));
        }
        if open {
            let last = stages.last_mut().unwrap().as_object_mut().unwrap();
            last.remove("max_level");
        }
        Value::from(stages)
    })
}

fn queue(f: Frame) -> impl Strategy<Value = Value> {
    (
        (0..f.skills, -2i32..3, rate(f)),
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

/// A valid shift: start < end within the run (sometimes ending exactly at
/// the end of the horizon), breaks inside it, one per slot so they never overlap.
fn shift(f: Frame, floor: bool) -> impl Strategy<Value = Value> {
    let agents = if floor { 1u32..6 } else { 0u32..6 };
    (
        0.0..1.0f64,
        0.0..1.0f64,
        prop::bool::weighted(0.4),
        agents,
        vec((0.0..1.0f64, 0.0..1.0f64), 0..=2),
        any::<bool>(),
    )
        .prop_map(move |(a, b, to_end, agents, breaks, as_clock)| {
            let lo = if f.clock.is_some() { 0 } else { f.warmup };
            let end_run = f.run_end();
            let start = lo + (a * (end_run - lo - 1) as f64) as u64;
            let end = if to_end {
                end_run
            } else {
                start + 1 + (b * (end_run - start - 1) as f64) as u64
            };
            let mut s = json!({
                "start": f.time(start, as_clock), "end": f.time(end, as_clock), "agents": agents,
            });
            let k = breaks.len() as u64;
            if k > 0 && end - start >= 2 * k {
                let slot = (end - start) / k;
                let list: Vec<Value> = breaks
                    .iter()
                    .enumerate()
                    .map(|(j, (x, y))| {
                        let from = start + j as u64 * slot;
                        let at = from + (x * (slot - 1) as f64) as u64;
                        let duration = 1 + (y * (from + slot - at - 1) as f64) as u64;
                        json!({ "start": f.time(at, as_clock), "duration": duration })
                    })
                    .collect();
                s["breaks"] = Value::from(list);
            }
            s
        })
}

/// A group; the `floor` group holds every skill and always has an agent on
/// the floor at some time (so that every generated scenario is valid).
fn group(f: Frame, floor: bool) -> impl Strategy<Value = Value> {
    let skills = if floor {
        vec(1u32..=3, f.skills)
            .prop_map(|levels| levels.into_iter().enumerate().collect::<Vec<_>>())
            .boxed()
    } else {
        vec((0..f.skills, 1u32..=3), 1..=3).boxed()
    };
    let count = if floor { 1u32..8 } else { 0u32..8 };
    let mut kinds = vec![
        count.prop_map(|n| ("count", json!(n))).boxed(),
        vec(shift(f, floor), 1..=3)
            .prop_map(|s| ("shifts", Value::from(s)))
            .boxed(),
    ];
    if f.lists() {
        kinds.push(
            vec(0u32..8, f.intervals)
                .prop_map(move |mut v| {
                    if floor && v.iter().all(|&n| n == 0) {
                        v[0] = 1;
                    }
                    ("staffing", json!(v))
                })
                .boxed(),
        );
    }
    // Below one half, shrinkage leaves at least one of n ≥ 1 scheduled agents on the floor.
    let shrinkage = if floor { 0.0..0.45f64 } else { 0.0..0.7f64 };
    (
        skills,
        prop::strategy::Union::new(kinds),
        option::weighted(0.4, shrinkage),
        option::weighted(0.4, 0.0..50.0f64),
    )
        .prop_map(|(skills, (kind, agents), shrinkage, cost)| {
            let levels: Map<String, Value> = skills
                .into_iter()
                .map(|(s, l)| (format!("s{s}"), json!(l)))
                .collect();
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

const CLOSINGS: [&str; 3] = ["stop", "drain", "disconnect"];

prop_compose! {
    /// A random valid scenario of one replication (no warm-up if `zero_warmup`).
    fn arb_scenario(zero_warmup: bool)(f in frame(zero_warmup))(
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
        let named = |prefix: &str, items: Vec<Value>| -> Vec<Value> {
            items.into_iter().enumerate().map(|(i, mut v)| {
                v["name"] = json!(format!("{prefix}{i}"));
                v
            }).collect()
        };
        let mut groups = named("g", groups);
        let mut floor = floor;
        floor["name"] = json!("floor");
        groups.push(floor);
        let mut doc = json!({
            "name": "random", "seed": seed, "replications": 1,
            "horizon": f.horizon, "interval": INTERVALS[f.interval].1,
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

/// Raises a queue's widest overflow level to the best level held for its
/// skill when it stops below (the reader refuses a queue no agent could answer).
fn widen_to_a_held_level(doc: &mut Value) {
    let groups = doc["agent_groups"].as_array().unwrap().clone();
    for q in doc["queues"].as_array_mut().unwrap() {
        let skill = q["skill"].as_str().unwrap().to_string();
        let best = groups
            .iter()
            .filter_map(|g| g["skills"][&skill].as_u64())
            .min();
        let Some(last) = q
            .get_mut("overflow")
            .and_then(|o| o.as_array_mut()?.last_mut())
        else {
            continue;
        };
        if let (Some(level), Some(best)) = (last["max_level"].as_u64(), best) {
            last["max_level"] = json!(level.max(best));
        }
    }
}

/// The cells of a run: (start, end) of each interval of the measured window, µs.
fn cells(sc: &Scenario) -> Vec<(u64, u64)> {
    (0..sc.intervals())
        .map(|k| {
            let start = sc.interval_start(k).micros();
            (start, (start + sc.interval.micros()).min(sc.end.micros()))
        })
        .collect()
}

/// Agents on the floor out of `n` scheduled: round(n × (1 − shrinkage)).
fn on_floor(g: &AgentGroup, n: u32) -> u32 {
    (n as f64 * (1.0 - g.shrinkage)).round() as u32
}

/// The schedule of a group: (from, to, scheduled agents) spans in run time, µs.
fn schedule(sc: &Scenario, g: &AgentGroup) -> Vec<(u64, u64, u32)> {
    let end = sc.end.micros();
    match &g.staffing {
        Staffing::Count(n) => vec![(0, end, *n)],
        Staffing::PerInterval(v) => v
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                let start = sc.interval_start(k).micros();
                (start, (start + sc.interval.micros()).min(end), n)
            })
            .collect(),
        Staffing::Shifts(shifts) => shifts
            .iter()
            .map(|s| (s.start.micros(), s.end.micros().min(end), s.agents))
            .collect(),
    }
}

/// Per interval cell: (paid time, scheduled time kept off the floor by shrinkage), µs.
fn paid_and_shrunk(sc: &Scenario, g: &AgentGroup) -> Vec<(u128, u128)> {
    let spans = schedule(sc, g);
    cells(sc)
        .into_iter()
        .map(|(c0, c1)| {
            let mut paid = 0u128;
            let mut shrunk = 0u128;
            for &(from, to, n) in &spans {
                let overlap = to.min(c1).saturating_sub(from.max(c0)) as u128;
                paid += n as u128 * overlap;
                shrunk += (n - on_floor(g, n)) as u128 * overlap;
            }
            (paid, shrunk)
        })
        .collect()
}

/// Whether some agent of `sc` is still on the floor when the horizon is
/// reached, stays for the drain, and may answer queue `q` once its wait has
/// reached the last overflow stage. Shifts all end by the horizon; those
/// ending exactly at it stay (the end of the run is not a floor change);
/// counted groups keep their last interval's count.
fn answerable_in_drain(sc: &Scenario, q: usize) -> bool {
    let queue = &sc.queues[q];
    let widest = match queue.overflow.last() {
        None => u32::MAX,
        Some(stage) => stage.max_level.unwrap_or(u32::MAX),
    };
    sc.agent_groups.iter().any(|g| {
        let can = g.level(queue.skill).is_some_and(|l| l <= widest);
        let stays = match &g.staffing {
            Staffing::Count(n) => on_floor(g, *n) > 0,
            Staffing::PerInterval(v) => on_floor(g, *v.last().unwrap()) > 0,
            Staffing::Shifts(shifts) => shifts
                .iter()
                .any(|s| s.end == sc.end && on_floor(g, s.agents) > 0),
        };
        can && stays
    })
}

fn balanced(c: &CallCounts) -> bool {
    c.offered == c.answered + c.abandoned + c.disconnected + c.unresolved
}

/// Call counts: balanced in every cell, cells adding up to the whole window,
/// sub-counts within their counts, and what the closing and the queue's
/// settings rule out.
fn check_calls(sc: &Scenario, st: &ReplicationStats) -> Result<(), TestCaseError> {
    let mut offered_or_blocked = 0u64;
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
            prop_assert!(
                x.balked <= x.abandoned_in_sl && x.abandoned_in_sl <= x.abandoned,
                "queue {} ({}): {:?}",
                q,
                k,
                x
            );
            prop_assert!(
                x.zero_waits <= x.answered_in_sl && x.answered_in_sl <= x.answered,
                "queue {} ({}): {:?}",
                q,
                k,
                x
            );
            prop_assert!(x.talk_sum_us <= x.handle_sum_us, "queue {} ({})", q, k);
            match sc.closing {
                Closing::Stop | Closing::Drain => prop_assert_eq!(x.disconnected, 0),
                Closing::Disconnect => prop_assert_eq!(x.unresolved, 0),
            }
            if sc.lines.is_none() && queue.max_waiting.is_none() {
                prop_assert_eq!(
                    x.blocked,
                    0,
                    "queue {}: blocked without lines or max_waiting",
                    q
                );
            }
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
                !answerable_in_drain(sc, q),
                "queue {}: {} calls unresolved after a drain although agents stay who can answer them",
                q,
                c.unresolved
            );
        }
        offered_or_blocked += c.offered + c.blocked;
    }
    // Each arrival in the window is offered or blocked, never both; arrivals
    // of the warm-up are not counted.
    if sc.warmup.micros() == 0 {
        prop_assert_eq!(
            offered_or_blocked,
            st.calls_generated,
            "offered + blocked vs arrivals"
        );
    } else {
        prop_assert!(offered_or_blocked <= st.calls_generated);
    }
    Ok(())
}

/// Agent time: cells as the scenario defines them, every cell balanced.
fn check_agent_time(sc: &Scenario, st: &ReplicationStats) -> Result<(), TestCaseError> {
    let draining = sc.closing == Closing::Drain;
    let n_cells = sc.intervals() + draining as usize;
    prop_assert_eq!(st.cell_us.len(), n_cells);
    for (k, &(c0, c1)) in cells(sc).iter().enumerate() {
        prop_assert_eq!(st.cell_us[k], c1 - c0, "cell {} length", k);
    }
    for (g, (gc, group)) in st.groups.iter().zip(&sc.agent_groups).enumerate() {
        prop_assert_eq!(gc.intervals.len(), n_cells, "group {} cells", g);
        let expected = paid_and_shrunk(sc, group);
        let mut sum = AgentTime::default();
        let mut shrunk_total = 0u128;
        for (k, cell) in gc.intervals.iter().enumerate() {
            let (paid, shrunk) = expected.get(k).copied().unwrap_or((0, 0));
            prop_assert_eq!(cell.staffed_us, paid, "group {} cell {}: paid time", g, k);
            prop_assert!(
                cell.busy_us <= cell.logged_us,
                "group {} cell {}: busy {} > logged {}",
                g,
                k,
                cell.busy_us,
                cell.logged_us
            );
            prop_assert_eq!(
                cell.staffed_us + cell.overtime_us,
                cell.logged_us + cell.break_us + shrunk,
                "group {} cell {}: paid + overtime vs floor + breaks + shrinkage ({:?})",
                g,
                k,
                cell
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
        prop_assert_eq!(
            (
                sum.handled,
                sum.busy_us,
                sum.logged_us,
                sum.break_us,
                sum.overtime_us,
                sum.staffed_us
            ),
            (
                t.handled,
                t.busy_us,
                t.logged_us,
                t.break_us,
                t.overtime_us,
                t.staffed_us
            ),
            "group {}: cells do not add up to the run",
            g
        );
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
        prop_assert_eq!(
            t.staffed_us + t.overtime_us,
            t.logged_us + t.break_us + shrunk_total,
            "group {}",
            g
        );
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

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Failures are reported with the scenario; no regression files next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
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
        thread_local! {
            static VALIDATOR: jsonschema::Validator =
                jsonschema::validator_for(&acdsim::scenario::format::schema()).expect("the schema compiles");
        }
        let errors: Vec<String> =
            VALIDATOR.with(|val| val.iter_errors(&v).map(|e| format!("{}: {e}", e.instance_path())).collect());
        prop_assert!(errors.is_empty(), "{:?}\n{}", errors, v);
        let read = Scenario::from_json_str(&v.to_string(), "generated");
        prop_assert!(read.is_ok(), "{}\n{}", read.unwrap_err(), v);
    }
}
