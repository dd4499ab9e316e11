//! What the conservation property tests share (`tests/time_conservation.rs`
//! and `tests/feature_conservation.rs`): the time frame of a random scenario
//! and the generators of the fields both use, and the checks computed from
//! a scenario — its interval cells, each group's paid time and the time
//! shrinkage keeps off the floor, who stays for a drain — with the call and
//! agent-time identities both assert.

use acdsim::scenario::{AgentGroup, Closing, Queue, Scenario, Staffing};
use acdsim::stats::{AgentTime, CallCounts, ReplicationStats};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------
// The generators.

/// The time frame of a generated scenario, in whole seconds.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// The interval: its length in seconds, and as written in the file.
    pub interval: (u64, &'static str),
    pub intervals: usize,
    pub horizon: u64,
    pub warmup: u64,
    /// `clock_start`, seconds after midnight (06:00 to 12:00: the run never crosses midnight).
    pub clock: Option<u64>,
    pub skills: usize,
}

impl Frame {
    pub fn interval_s(&self) -> u64 {
        self.interval.0
    }

    /// Per-interval lists need a horizon of whole intervals.
    pub fn lists(&self) -> bool {
        self.horizon == self.interval_s() * self.intervals as u64
    }

    pub fn run_end(&self) -> u64 {
        self.warmup + self.horizon
    }

    /// The earliest moment a time of the file can name: the start of the run
    /// with a clock, else the start of the measured window.
    pub fn earliest(&self) -> u64 {
        if self.clock.is_some() {
            0
        } else {
            self.warmup
        }
    }

    /// A moment `t` of the run (seconds from its start) as the file writes it:
    /// a clock time when asked (and always inside the warm-up), else an
    /// offset from the start of the measured window.
    pub fn time(&self, t: u64, as_clock: bool) -> Value {
        match self.clock {
            Some(c) if as_clock || t < self.warmup => json!(clock(c + t - self.warmup)),
            _ => json!(format!("{}s", t - self.warmup)),
        }
    }
}

/// `secs` after midnight as a clock time.
pub fn clock(secs: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// A time frame: an interval among `lengths`, 1 to `most` of them (mostly
/// whole, sometimes a shorter last one), a warm-up drawn from `warmup`,
/// sometimes a clock start, 1 to 3 skills.
pub fn frame(
    lengths: &'static [(u64, &'static str)],
    most: usize,
    warmup: impl Strategy<Value = u64>,
) -> impl Strategy<Value = Frame> {
    (
        0..lengths.len(),
        1usize..=most,
        // Mostly whole intervals; sometimes a shorter last interval.
        prop_oneof![3 => Just(0.0), 1 => 0.01..0.99f64],
        warmup,
        option::of(6 * 3600u64..=12 * 3600),
        1usize..=3,
    )
        .prop_map(move |(interval, n, ragged, warmup, clock, skills)| {
            let len = lengths[interval].0;
            let horizon = len * n as u64 + (ragged * len as f64) as u64;
            Frame {
                interval: lengths[interval],
                intervals: horizon.div_ceil(len) as usize,
                horizon,
                warmup,
                clock,
                skills,
            }
        })
}

/// One value for the whole run, or (when the horizon allows) one per interval.
pub fn per_interval(
    f: Frame,
    one: impl Strategy<Value = Value> + Clone + 'static,
) -> BoxedStrategy<Value> {
    if f.lists() {
        prop_oneof![one.clone(), vec(one, f.intervals).prop_map(Value::from)].boxed()
    } else {
        one.boxed()
    }
}

/// An arrival rate below `most` per hour: constant (at least 1), or (when
/// the horizon allows) one per interval, with zeros.
pub fn rate(f: Frame, most: f64) -> BoxedStrategy<Value> {
    let constant = (1.0..most).prop_map(|r| json!(r));
    if f.lists() {
        let one = prop_oneof![1 => Just(0.0), 3 => 0.0..most];
        prop_oneof![constant, vec(one, f.intervals).prop_map(|v| json!(v))].boxed()
    } else {
        constant.boxed()
    }
}

/// Valid overflow stages: the first at 0s, increasing waits, widening
/// levels, and sometimes a last stage open to every level.
pub fn overflow() -> impl Strategy<Value = Value> {
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

/// A valid shift: start < end within the run (sometimes ending exactly at
/// the end of the horizon), breaks inside it, one per slot so they never
/// overlap. A shift of the `floor` group has at least one agent.
pub fn shift(f: Frame, floor: bool) -> impl Strategy<Value = Value> {
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
            let lo = f.earliest();
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

/// A group's skill levels (1 to 3): every skill for the `floor` group (so
/// that every skill has a holder), else one to three skills.
pub fn levels(f: Frame, floor: bool) -> impl Strategy<Value = Map<String, Value>> {
    let skills = if floor {
        vec(1u32..=3, f.skills)
            .prop_map(|levels| levels.into_iter().enumerate().collect::<Vec<_>>())
            .boxed()
    } else {
        vec((0..f.skills, 1u32..=3), 1..=3).boxed()
    };
    skills.prop_map(|skills| {
        skills
            .into_iter()
            .map(|(s, l)| (format!("s{s}"), json!(l)))
            .collect()
    })
}

/// How a group is staffed, as its field and value: a `count`, `shifts` or
/// (when the horizon allows) a `staffing` list, with counts below `most`.
/// The `floor` group always has an agent on the floor at some time (so that
/// every generated scenario has an agent): a count of 1 to 7, a list not
/// all 0, shifts of at least one agent.
pub fn staffing(f: Frame, floor: bool, most: u32) -> impl Strategy<Value = (&'static str, Value)> {
    let count = if floor { 1u32..8 } else { 0u32..most };
    let mut kinds = vec![
        count.prop_map(|n| ("count", json!(n))).boxed(),
        vec(shift(f, floor), 1..=3)
            .prop_map(|s| ("shifts", Value::from(s)))
            .boxed(),
    ];
    if f.lists() {
        kinds.push(
            vec(0u32..most, f.intervals)
                .prop_map(move |mut v| {
                    if floor && v.iter().all(|&n| n == 0) {
                        v[0] = 1;
                    }
                    ("staffing", json!(v))
                })
                .boxed(),
        );
    }
    prop::strategy::Union::new(kinds)
}

/// A group's shrinkage: below one half for the `floor` group, which then
/// keeps at least one of n ≥ 1 scheduled agents on the floor.
pub fn shrinkage(floor: bool) -> std::ops::Range<f64> {
    if floor {
        0.0..0.45
    } else {
        0.0..0.7
    }
}

/// The closings, as written in the file.
pub const CLOSINGS: [&str; 3] = ["stop", "drain", "disconnect"];

/// `items` named `{prefix}0`, `{prefix}1`, …
pub fn named(prefix: &str, items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, mut v)| {
            v["name"] = json!(format!("{prefix}{i}"));
            v
        })
        .collect()
}

/// Raises a queue's widest overflow level to the best level held for its
/// skill when it stops below (the reader refuses a queue no agent could answer).
pub fn widen_to_a_held_level(doc: &mut Value) {
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

/// The test configuration: `cases` cases, failures reported with their
/// scenario (no regression files next to the tests).
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every generated scenario is valid for the JSON Schema and for the reader.
pub fn check_valid(v: &Value) -> Result<(), TestCaseError> {
    thread_local! {
        static VALIDATOR: jsonschema::Validator =
            jsonschema::validator_for(&acdsim::scenario::format::schema()).expect("the schema compiles");
    }
    let errors: Vec<String> = VALIDATOR.with(|val| {
        val.iter_errors(v)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    });
    prop_assert!(errors.is_empty(), "{:?}\n{}", errors, v);
    let read = Scenario::from_json_str(&v.to_string(), "generated");
    prop_assert!(read.is_ok(), "{}\n{}", read.unwrap_err(), v);
    Ok(())
}

// ---------------------------------------------------------------------------
// The scenario, as the checks need it (computed here, not asked of the library).

/// The cells of a run: (start, end) of each interval of the measured window, µs.
pub fn cells(sc: &Scenario) -> Vec<(u64, u64)> {
    (0..sc.intervals())
        .map(|k| {
            let start = sc.interval_start(k).micros();
            (start, (start + sc.interval.micros()).min(sc.end.micros()))
        })
        .collect()
}

/// Agents on the floor out of `n` scheduled: round(n × (1 − shrinkage)).
pub fn on_floor(g: &AgentGroup, n: u32) -> u32 {
    (n as f64 * (1.0 - g.shrinkage)).round() as u32
}

/// The schedule of a group: (from, to, scheduled agents) spans in run time, µs.
pub fn schedule(sc: &Scenario, g: &AgentGroup) -> Vec<(u64, u64, u32)> {
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
pub fn paid_and_shrunk(sc: &Scenario, g: &AgentGroup) -> Vec<(u128, u128)> {
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

/// Whether some people of group `g` are on the floor when the horizon is
/// reached and stay for a drain. Shifts all end by the horizon; those ending
/// exactly at it stay (the end of the run is not a floor change); counted
/// groups keep their last interval's count.
pub fn stays(sc: &Scenario, g: &AgentGroup) -> bool {
    match &g.staffing {
        Staffing::Count(n) => on_floor(g, *n) > 0,
        Staffing::PerInterval(v) => on_floor(g, *v.last().unwrap()) > 0,
        Staffing::Shifts(shifts) => shifts
            .iter()
            .any(|s| s.end == sc.end && on_floor(g, s.agents) > 0),
    }
}

/// The widest level a queue's calls reach (its last overflow stage).
pub fn widest(queue: &Queue) -> u32 {
    match queue.overflow.last() {
        None => u32::MAX,
        Some(stage) => stage.max_level.unwrap_or(u32::MAX),
    }
}

/// Whether some group holding `skill` at a level up to `widest` stays for a drain.
pub fn holder_stays(sc: &Scenario, skill: usize, widest: u32) -> bool {
    sc.agent_groups
        .iter()
        .any(|g| g.level(skill).is_some_and(|l| l <= widest) && stays(sc, g))
}

// ---------------------------------------------------------------------------
// The checks both tests make.

/// The sub-counts of a queue's counts `x` (a cell or the whole window, `at`
/// names it) within their counts, and what the closing and the scenario rule
/// out: balked ≤ abandoned within the threshold ≤ abandoned; zero waits ≤
/// answered within the threshold ≤ answered; talk ≤ handle; disconnected
/// only with `disconnect`, unresolved never with it; blocked only with
/// `lines` or `max_waiting`.
pub fn check_sub_counts(
    sc: &Scenario,
    q: usize,
    x: &CallCounts,
    at: &str,
) -> Result<(), TestCaseError> {
    let queue = &sc.queues[q];
    let ctx = || format!("queue {q} ({at}): {x:?}");
    prop_assert!(
        x.balked <= x.abandoned_in_sl && x.abandoned_in_sl <= x.abandoned,
        "balked ≤ abandoned within threshold ≤ abandoned: {}",
        ctx()
    );
    prop_assert!(
        x.zero_waits <= x.answered_in_sl && x.answered_in_sl <= x.answered,
        "zero waits ≤ answered within threshold ≤ answered: {}",
        ctx()
    );
    prop_assert!(x.talk_sum_us <= x.handle_sum_us, "talk ≤ handle: {}", ctx());
    match sc.closing {
        Closing::Stop | Closing::Drain => {
            prop_assert_eq!(
                x.disconnected,
                0,
                "disconnected without disconnect: {}",
                ctx()
            )
        }
        Closing::Disconnect => {
            prop_assert_eq!(x.unresolved, 0, "unresolved with disconnect: {}", ctx())
        }
    }
    if sc.lines.is_none() && queue.max_waiting.is_none() {
        prop_assert_eq!(
            x.blocked,
            0,
            "blocked without lines or max_waiting: {}",
            ctx()
        );
    }
    Ok(())
}

/// Each arrival (and retrial) in the window is offered or blocked, never
/// both; those of the warm-up are not counted.
pub fn check_offered_or_blocked(sc: &Scenario, st: &ReplicationStats) -> Result<(), TestCaseError> {
    let offered_or_blocked: u64 = st.queues.iter().map(|c| c.offered + c.blocked).sum();
    if sc.warmup.micros() == 0 {
        prop_assert_eq!(
            offered_or_blocked,
            st.calls_generated,
            "offered + blocked vs arrivals and retrials"
        );
    } else {
        prop_assert!(offered_or_blocked <= st.calls_generated);
    }
    Ok(())
}

/// The cells of the agents' time: one per interval as the scenario defines
/// them, and one for the drain. Returns their number.
pub fn check_cells(sc: &Scenario, st: &ReplicationStats) -> Result<usize, TestCaseError> {
    let n_cells = sc.intervals() + (sc.closing == Closing::Drain) as usize;
    prop_assert_eq!(st.cell_us.len(), n_cells);
    for (k, &(c0, c1)) in cells(sc).iter().enumerate() {
        prop_assert_eq!(st.cell_us[k], c1 - c0, "cell {} length", k);
    }
    Ok(n_cells)
}

/// Group `g`'s time in interval cell `k`: the paid time the scenario gives
/// it, and paid + overtime = time on the floor + breaks + the scheduled time
/// shrinkage keeps off the floor (`expected`: paid and shrunk, from
/// [`paid_and_shrunk`]).
pub fn check_paid_time(
    g: usize,
    k: usize,
    cell: &AgentTime,
    expected: (u128, u128),
) -> Result<(), TestCaseError> {
    let (paid, shrunk) = expected;
    prop_assert_eq!(cell.staffed_us, paid, "group {} cell {}: paid time", g, k);
    prop_assert_eq!(
        cell.staffed_us + cell.overtime_us,
        cell.logged_us + cell.break_us + shrunk,
        "group {} cell {}: paid + overtime vs floor + breaks + shrinkage ({:?})",
        g,
        k,
        cell
    );
    Ok(())
}

/// Group `g`'s whole run `t`: its cells add up to it (`sum`), and paid +
/// overtime = floor + breaks + shrinkage (`shrunk`, over the run).
pub fn check_run_time(
    g: usize,
    sum: &AgentTime,
    t: &AgentTime,
    shrunk: u128,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        (
            sum.handled,
            sum.busy_us,
            sum.logged_us,
            sum.break_us,
            sum.overtime_us,
            sum.blocked_us,
            sum.staffed_us
        ),
        (
            t.handled,
            t.busy_us,
            t.logged_us,
            t.break_us,
            t.overtime_us,
            t.blocked_us,
            t.staffed_us
        ),
        "group {}: cells do not add up to the run",
        g
    );
    prop_assert_eq!(
        t.staffed_us + t.overtime_us,
        t.logged_us + t.break_us + shrunk,
        "group {}",
        g
    );
    Ok(())
}
