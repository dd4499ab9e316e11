//! Live commands (`src/command.rs`, `src/engine/command.rs`): what each one
//! does to a run, checked against exact expectations or theory.
//!
//! - Identity: commands that change nothing (`add_agents 0`, `set_agents`
//!   to the current count, `scale_arrivals` by 1, `set_overflow "auto"` on an
//!   untouched stage, an empty script) and the reserve of agent slots that
//!   runs taking commands get leave every figure byte-identical, for every
//!   shipped scenario and routing rule, through the library and the binary.
//! - `stop` at time T is the horizon moved to T, figure by figure.
//! - `set_agents`: after the change an Erlang C / Erlang A center matches
//!   the formulas for the new count; before it nothing moved.
//! - `scale_arrivals`: offered calls follow factor × the scenario's rates
//!   from the command on (Poisson means), exactly 0 with factor 0; the
//!   pending arrival is moved, not kept.
//! - `set_overflow`: opening, closing and giving back a stage, call by call.
//! - campaigns started and stopped outside and inside their hours.
//! - groups on shifts: negative and positive offsets across shift starts and
//!   ends, `move_agents`, paid time, agent time adding up in every interval.
//! - a replication cut anywhere (`run_until`) and commands applied by hand
//!   give exactly what one uninterrupted run and a replayed script give.
//!
//! Statistical checks assert that the exact value lies in the 99.9%
//! Student-t confidence interval of the mean over independent replications
//! (`common::assert_ci`); seeds are fixed, so every outcome is reproducible.

mod common;

use acdsim::command::{Action, Checked, Command, Script, StageState};
use acdsim::engine::{CallEvent, Observer, Reached, Simulation};
use acdsim::erlang;
use acdsim::report::json::Document;
use acdsim::report::{Estimate, Summary};
use acdsim::runner::{run_metrics, RunOptions};
use acdsim::scenario::{Scenario, Staffing};
use acdsim::stats::{AgentTime, CallCounts, ReplicationStats};
use common::{assert_ci, assert_same_json, replications, scenario, LEVEL};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::Arc;

const SEC: u64 = 1_000_000;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 3600 * SEC;

// ---------------------------------------------------------------------------
// Helpers

/// The report of `sc` as `run --json --per-replication` prints it (2 threads).
fn report(sc: &Scenario) -> Value {
    let opts = RunOptions {
        replications: sc.replications,
        seed: sc.seed,
        threads: 2,
    };
    let reps = run_metrics(sc, opts, |_| {});
    let summary = Summary::new(sc, opts.seed, &reps);
    serde_json::to_value(Document::with_replications(&summary, sc, &reps)).unwrap()
}

/// `sc` ready to take commands, without any.
fn reserved(sc: &Scenario) -> Scenario {
    let mut s = sc.clone();
    s.reserve_for_commands();
    s
}

/// `sc` applying the script `lines` to every replication, as `run --commands` does.
fn scripted(sc: &Scenario, lines: &[Value]) -> Scenario {
    let mut s = reserved(sc);
    let script = Script::parse(&script_text(lines), &s).unwrap_or_else(|p| panic!("{p:?}"));
    s.script = Some(Arc::new(script));
    s
}

fn script_text(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A script line: `command` at `at` µs of run time.
fn line(at: u64, mut command: Value) -> Value {
    command["at_s"] = json!(at as f64 / 1e6);
    command
}

/// A command (the live API's JSON) checked against `sc`.
fn action(sc: &Scenario, command: &Value) -> Action {
    match Command::from_json(&command.to_string()).and_then(|c| c.check(sc)) {
        Ok(Checked::Model(a)) => a,
        other => panic!("{command}: {other:?}"),
    }
}

/// A shipped scenario's JSON.
fn shipped_json(file: &str) -> Value {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every call event of a replication.
#[derive(Default)]
struct Log(Vec<CallEvent>);

impl Observer for Log {
    const ON: bool = true;
    fn event(&mut self, e: CallEvent) {
        self.0.push(e);
    }
}

/// Replication `rep` of `sc` (no script) driven by hand: each action at its
/// time (`run_until`, then `execute`), then to the end.
fn by_hand<O: Observer + Default>(
    sc: &Scenario,
    rep: u32,
    steps: &[(u64, Action)],
) -> (ReplicationStats, O) {
    assert!(sc.script.is_none(), "by hand means without a script");
    let mut sim = Simulation::observed(sc, sc.seed, rep, O::default());
    for (t, a) in steps {
        assert_eq!(sim.run_until(*t), Reached::Paused, "at {t} µs");
        sim.execute(a)
            .unwrap_or_else(|e| panic!("{a:?} at {t} µs: {e}"));
    }
    sim.run_until(u64::MAX);
    let obs = std::mem::take(sim.observer_mut());
    (sim.run(), obs)
}

/// Mean and confidence interval of `f` over the replications.
fn est<T>(reps: &[T], f: impl Fn(&T) -> f64) -> Estimate {
    Estimate::from_values(reps.iter().map(f))
}

/// Calls of queue `q` over cells `cells`, one replication.
fn calls(st: &ReplicationStats, q: usize, cells: std::ops::Range<usize>) -> CallCounts {
    let mut c = CallCounts::default();
    for k in cells {
        c.merge(&st.queues[q].intervals[k].calls);
    }
    c
}

/// Agent time of group `g` over cells `cells`, one replication.
fn agent_time(st: &ReplicationStats, g: usize, cells: std::ops::Range<usize>) -> AgentTime {
    let mut t = AgentTime::default();
    for k in cells {
        t.merge(&st.groups[g].intervals[k]);
    }
    t
}

/// The leaves where two JSON documents differ (`path: a vs b`).
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => differences(v, w, &format!("{path}.{k}"), out),
                    None => out.push((format!("{path}.{k}"), "missing on the right".into())),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push((format!("{path}.{k}"), "missing on the left".into()));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push((path.to_string(), format!("{a} vs {b}"))),
        _ => {}
    }
}

/// First agent id of each group (ids run group after group, reserves included).
fn first_ids(sc: &Scenario) -> Vec<u32> {
    let mut first = vec![0];
    for g in &sc.agent_groups {
        first.push(first.last().unwrap() + g.slots());
    }
    first
}

/// Group of agent `a`.
fn group_of(first: &[u32], a: u32) -> usize {
    first.iter().rposition(|&f| f <= a).unwrap()
}

// ---------------------------------------------------------------------------
// 1. Commands that change nothing, and the reserve.

#[test]
fn commands_that_change_nothing_leave_every_figure_as_it_was() {
    let doc = shipped_json("full-day.json");
    let sc = scenario(&doc);
    let plain = report(&sc);
    assert_same_json(&report(&reserved(&sc)), &plain, "the reserve alone");
    assert_same_json(&report(&scripted(&sc, &[])), &plain, "an empty script");
    // The sales team is counted by interval (no shrinkage): its count at a
    // time inside interval k is staffing[k].
    let sales = |k: usize| doc["agent_groups"][3]["staffing"][k].as_u64().unwrap();
    let every_group = |t: u64| -> Vec<Value> {
        sc.agent_groups
            .iter()
            .map(|g| {
                line(
                    t,
                    json!({"command": "add_agents", "group": g.name, "agents": 0}),
                )
            })
            .collect()
    };
    let mut lines = every_group(0);
    lines.extend([
        line(
            45 * MIN,
            json!({"command": "set_agents", "group": "sales team", "agents": sales(1)}),
        ),
        line(
            45 * MIN,
            json!({"command": "scale_arrivals", "queue": "*", "factor": 1}),
        ),
        line(
            45 * MIN,
            json!({"command": "set_overflow", "queue": "billing", "stage": 0, "open": "auto"}),
        ),
        line(
            45 * MIN,
            json!({"command": "set_overflow", "queue": "tech support", "stage": 1, "open": "auto"}),
        ),
    ]);
    // 09:30: an interval boundary and a shift start.
    lines.extend(every_group(90 * MIN));
    lines.extend([
        line(90 * MIN, json!({"command": "scale_arrivals", "queue": "billing", "factor": 1.0})),
        line(130 * MIN, json!({"command": "set_agents", "group": "sales team", "agents": sales(4)})),
        line(130 * MIN, json!({"command": "move_agents", "from": "billing team", "to": "tech team", "agents": 0})),
        line(12 * HOUR + 59 * MIN, json!({"command": "set_overflow", "queue": "billing", "stage": 1, "open": "auto"})),
    ]);
    lines.extend(every_group(13 * HOUR - 1));
    assert_same_json(&report(&scripted(&sc, &lines)), &plain, "no-op commands");

    // set_agents to what the floor view says a group has now, every group,
    // by hand at several moments (a shift start, shift ends, a boundary
    // where the sales count changes, mid-interval): the same replication.
    let res = reserved(&sc);
    for rep in 0..4 {
        let (alone, _) = by_hand::<()>(&res, rep, &[]);
        let mut sim = Simulation::new(&res, res.seed, rep);
        for t in [
            30 * MIN,
            90 * MIN + 7 * SEC,
            4 * HOUR + 30 * MIN,
            8 * HOUR + 30 * MIN,
            10 * HOUR + 13 * MIN,
        ] {
            assert_eq!(sim.run_until(t), Reached::Paused);
            let view = sim.view();
            for (g, gv) in view.groups.iter().enumerate() {
                assert_eq!(gv.target, gv.scheduled, "rep {rep}, t {t}, group {g}");
                let applied = sim
                    .execute(&Action::SetAgents {
                        group: g,
                        agents: gv.target,
                    })
                    .unwrap();
                assert_eq!(applied.agents, Some(gv.target));
                assert_eq!(applied.at, t);
            }
            assert_eq!(sim.view().groups, view.groups, "rep {rep}, t {t}");
        }
        assert_eq!(
            format!("{:?}", sim.run()),
            format!("{alone:?}"),
            "set_agents to the current count, replication {rep}"
        );
    }
}

/// Campaigns, escalation and callbacks: the same no-op commands change nothing.
#[test]
fn no_op_commands_change_nothing_with_campaigns_and_supervisors() {
    for file in ["blended.json", "supervisors.json"] {
        let mut doc = shipped_json(file);
        doc["replications"] = json!(8);
        let sc = scenario(&doc);
        let plain = report(&sc);
        let mut lines = Vec::new();
        for t in [0, 47 * MIN, 2 * HOUR, 5 * HOUR + 1] {
            for g in &sc.agent_groups {
                lines.push(line(
                    t,
                    json!({"command": "add_agents", "group": g.name, "agents": 0}),
                ));
            }
            lines.push(line(
                t,
                json!({"command": "scale_arrivals", "queue": "*", "factor": 1}),
            ));
        }
        assert_same_json(&report(&scripted(&sc, &lines)), &plain, file);
    }
    let sc = scenario(&sink(8 * 3600, true, "drain"));
    let plain = report(&sc);
    assert_same_json(&report(&reserved(&sc)), &plain, "sink: the reserve alone");
    let lines = [
        line(
            20 * MIN,
            json!({"command": "add_agents", "group": "shift", "agents": 0}),
        ),
        line(
            20 * MIN,
            json!({"command": "set_overflow", "queue": "alpha", "stage": 1, "open": "auto"}),
        ),
        line(
            3 * HOUR,
            json!({"command": "add_agents", "group": "counted", "agents": 0}),
        ),
        line(
            3 * HOUR,
            json!({"command": "scale_arrivals", "queue": "beta", "factor": 1}),
        ),
    ];
    assert_same_json(
        &report(&scripted(&sc, &lines)),
        &plain,
        "sink: no-op commands",
    );
}

const AGENT_RULES: [&str; 7] = [
    "longest_idle",
    "round_robin",
    "fewest_calls",
    "least_busy_time",
    "random",
    "top_down",
    "best_level",
];
const CALL_RULES: [&str; 3] = ["priority", "longest_waiting", "best_level"];

/// The reserve of agent slots a run taking commands gets changes no figure,
/// for every shipped scenario and every pair of routing rules (3
/// replications each).
#[test]
fn the_reserve_changes_nothing_for_any_shipped_scenario_or_routing_rule() {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    let mut checked = 0;
    for path in &files {
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        doc["replications"] = json!(3);
        for agent in AGENT_RULES {
            for call in CALL_RULES {
                doc["routing"] = json!({ "agent_selection": agent, "call_selection": call });
                let sc = scenario(&doc);
                let what = format!("{} with {agent}/{call}", path.display());
                assert_same_json(&report(&reserved(&sc)), &report(&sc), &what);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, files.len() * 21);
}

/// `acdsim run FILE` and a temporary scenario or script written for it.
fn binary(scenario: &Value, commands: Option<&str>, tag: &str) -> Value {
    let dir = std::env::temp_dir();
    let stem = format!("acdsim-commands-{}-{tag}", std::process::id());
    let sc_path = dir.join(format!("{stem}.json"));
    std::fs::write(&sc_path, scenario.to_string()).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_acdsim"));
    cmd.arg("run")
        .arg(&sc_path)
        .args(["--json", "--per-replication", "--quiet", "--threads", "2"]);
    let script_path = dir.join(format!("{stem}.jsonl"));
    if let Some(text) = commands {
        std::fs::write(&script_path, text).unwrap();
        cmd.arg("--commands").arg(&script_path);
    }
    let out = cmd.output().unwrap();
    std::fs::remove_file(&sc_path).ok();
    std::fs::remove_file(&script_path).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `run --commands`: an empty script or no-op commands print what `run`
/// prints; a real script prints what the library computes with it.
#[test]
fn the_binary_replays_scripts_as_the_library_does() {
    let mut doc = shipped_json("blended.json");
    doc["replications"] = json!(4);
    let sc = scenario(&doc);
    let plain = binary(&doc, None, "plain");
    assert_same_json(&plain, &report(&sc), "run = the library");
    assert_same_json(&binary(&doc, Some(""), "empty"), &plain, "an empty script");
    let no_ops = script_text(&[
        line(
            HOUR,
            json!({"command": "add_agents", "group": "blended", "agents": 0}),
        ),
        line(HOUR, json!({"command": "pause"})),
        line(
            2 * HOUR,
            json!({"command": "scale_arrivals", "queue": "sales", "factor": 1}),
        ),
        line(2 * HOUR, json!({"command": "set_speed", "speed": "max"})),
        line(3 * HOUR, json!({"command": "resume"})),
    ]);
    assert_same_json(
        &binary(&doc, Some(&no_ops), "no-ops"),
        &plain,
        "no-op commands",
    );
    let lines = [
        line(
            HOUR + 5 * MIN,
            json!({"command": "add_agents", "group": "blended", "agents": 3}),
        ),
        line(
            2 * HOUR,
            json!({"command": "scale_arrivals", "queue": "*", "factor": 1.4}),
        ),
        line(
            3 * HOUR,
            json!({"command": "stop_campaign", "campaign": "renewals"}),
        ),
        line(
            4 * HOUR,
            json!({"command": "set_agents", "group": "blended", "agents": 20}),
        ),
        line(
            5 * HOUR,
            json!({"command": "start_campaign", "campaign": "renewals"}),
        ),
        line(7 * HOUR + 30 * MIN, json!({"command": "stop"})),
    ];
    let replayed = binary(&doc, Some(&script_text(&lines)), "script");
    assert_same_json(&replayed, &report(&scripted(&sc, &lines)), "a script");
    let mut diffs = Vec::new();
    differences(&replayed, &plain, "", &mut diffs);
    assert!(diffs.len() > 100, "the script changed the run");
}

// ---------------------------------------------------------------------------
// A scenario with every feature.

/// Clock time of `s` seconds after 08:00.
fn clock(s: u64) -> String {
    let t = 8 * 3600 + s;
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// Every feature at once, measured for `horizon_s` from 08:00 after a
/// 15-minute warm-up (30-minute intervals): two queues (overflow stages,
/// retrials, escalation; callbacks, balking, a waiting limit), trunk lines,
/// volume uncertainty, a group counted by interval (`lists`) or constant, a
/// group on three shifts with breaks and shrinkage, supervisors, a preview
/// campaign. Schedules are clipped to the horizon: the same day cut short.
fn sink(horizon_s: u64, lists: bool, closing: &str) -> Value {
    const RATES: [f64; 16] = [
        90.0, 140.0, 180.0, 200.0, 160.0, 150.0, 170.0, 190.0, 120.0, 100.0, 130.0, 150.0, 110.0,
        90.0, 80.0, 60.0,
    ];
    const STAFF: [u32; 16] = [5, 6, 7, 7, 6, 6, 7, 8, 6, 5, 6, 7, 5, 5, 4, 4];
    let n = (horizon_s / 1800) as usize;
    let (rates, counted) = if lists {
        assert_eq!(horizon_s % 1800, 0);
        (json!(RATES[..n]), json!(STAFF[..n]))
    } else {
        (json!(150), json!(6))
    };
    let counted_group = if lists {
        json!({ "name": "counted", "skills": { "a": 1, "b": 2 }, "cost_per_hour": 30, "staffing": counted })
    } else {
        json!({ "name": "counted", "skills": { "a": 1, "b": 2 }, "cost_per_hour": 30, "count": counted })
    };
    // (start, end, agents, breaks (start, minutes)), seconds from 08:00.
    let shifts: [(u64, u64, u32, &[(u64, u64)]); 3] = [
        (0, 4 * 3600, 8, &[(2 * 3600, 15)]),
        (2 * 3600, 8 * 3600, 6, &[(5 * 3600, 30)]),
        (4 * 3600, 8 * 3600, 4, &[]),
    ];
    let shifts: Vec<Value> = shifts
        .iter()
        .filter(|s| s.0 < horizon_s)
        .map(|&(start, end, agents, breaks)| {
            let end = end.min(horizon_s);
            let breaks: Vec<Value> = breaks
                .iter()
                .filter(|b| b.0 + b.1 * 60 <= end)
                .map(|b| json!({ "start": clock(b.0), "duration": format!("{}m", b.1) }))
                .collect();
            json!({ "start": clock(start), "end": clock(end), "agents": agents, "breaks": breaks })
        })
        .collect();
    json!({
        "name": "sink", "seed": 77, "replications": 30,
        "warmup": "15m", "horizon": horizon_s, "interval": "30m", "clock_start": "08:00",
        "closing": closing, "volume_cv": 0.1, "lines": 40, "service_level_target": 0.8,
        "skills": ["a", "b", "c"],
        "queues": [
            { "name": "alpha", "skill": "a", "arrivals": { "rate_per_hour": rates },
              "handle_time": { "exponential": { "mean": 240 } },
              "patience": { "exponential": { "mean": 150 } },
              "wrap_up": { "constant": 20 },
              "overflow": [{ "after": "0s", "max_level": 1 }, { "after": "45s" }],
              "retrial": { "probability": 0.3, "delay": { "exponential": { "mean": "10m" } } },
              "escalation": { "probability": 0.06, "after": { "exponential": { "mean": 120 } },
                              "handover": { "constant": 20 },
                              "supervisor_time": { "exponential": { "mean": 300 } },
                              "hold_patience": { "exponential": { "mean": 180 } } } },
            { "name": "beta", "skill": "b", "arrivals": { "rate_per_hour": 60 },
              "handle_time": { "lognormal": { "mean": 300, "sd": 120 } },
              "patience": { "exponential": { "mean": 200 } },
              "callback": { "offer_when_wait_over": 90, "accept_probability": 0.5 },
              "balk_probability": 0.05, "max_waiting": 12 },
        ],
        "agent_groups": [
            counted_group,
            { "name": "shift", "skills": { "b": 1, "a": 2, "c": 1 }, "shrinkage": 0.1,
              "cost_per_hour": 28, "shifts": shifts },
            { "name": "sup", "role": "supervisor", "count": 2, "cost_per_hour": 45 },
        ],
        "campaigns": [{
            "name": "out", "skill": "c",
            "hours": { "start": clock(45 * 60), "end": clock((7 * 3600).min(horizon_s)) },
            "list_size": 3000,
            "dialer": { "mode": "preview", "preview_time": { "exponential": { "mean": 20 } } },
            "dial_time": { "uniform": { "min": 5, "max": 20 } },
            "outcomes": { "live": 0.4, "machine": 0.2 },
            "retry": { "delay": { "constant": "30m" }, "max_attempts": 2 },
            "talk_time": { "exponential": { "mean": 180 } },
            "wrap_up": { "constant": 15 },
        }],
    })
}

// ---------------------------------------------------------------------------
// 2. Stop.

/// Compares the report of a run stopped at T with the run whose horizon is
/// T; returns the differing leaves but those that differ by definition:
/// `window_s` and `closing` (the scenario's), and the whole-run `agents` of
/// each group and the total, which is the busiest moment of the scenario's
/// whole schedule (`GroupCounters::agents` is `peak_agents()` of the
/// scenario), so a stop before the peak still reports it; the per-interval
/// `agents` (scheduled agents in that interval) must agree.
fn stop_differences(stopped: &Value, short: &Value) -> Vec<(String, String)> {
    let mut diffs = Vec::new();
    differences(stopped, short, "", &mut diffs);
    diffs.retain(|(p, _)| {
        let whole_run_agents = !p.contains("intervals")
            && (p.ends_with(".agents")
                || p.ends_with(".agents.mean")
                || p.ends_with(".agents.ci95"));
        p != ".window_s" && p != ".closing" && !whole_run_agents
    });
    diffs
}

/// [`sink`] without retrials: a horizon changes the retrials before it (see
/// `a_horizon_changes_no_retrial_before_it`), which has nothing to do with a stop.
fn sink_without_retrials(horizon_s: u64, lists: bool, closing: &str) -> Value {
    let mut doc = sink(horizon_s, lists, closing);
    doc["queues"][0].as_object_mut().unwrap().remove("retrial");
    doc
}

/// A `stop` at T gives the figures of the same day with its horizon at T:
/// with `closing: stop`, and also from a day that would drain or disconnect
/// (a stop leaves waiting callers unresolved whatever the closing), at
/// interval boundaries (schedules, staffing lists and the campaign cut
/// there) and mid-interval (the cut interval counted up to T), with every
/// feature but retrials (see [`sink_without_retrials`]).
#[test]
fn a_stop_is_the_horizon_moved_to_now() {
    let warmup = 15 * MIN;
    let check = |full: &Scenario, t: u64, short: Value, what: &str| {
        let stopped = scripted(full, &[line(warmup + t * SEC, json!({"command": "stop"}))]);
        let diffs = stop_differences(&report(&stopped), &report(&scenario(&short)));
        assert!(
            diffs.is_empty(),
            "{what}, stop at {}: {} differences, first {:?}",
            clock(t),
            diffs.len(),
            &diffs[..diffs.len().min(12)]
        );
    };
    for closing in ["stop", "drain", "disconnect"] {
        let full = scenario(&sink_without_retrials(8 * 3600, true, closing));
        for k in [3u64, 7, 10] {
            let t = k * 1800;
            check(&full, t, sink_without_retrials(t, true, "stop"), closing);
        }
    }
    // Mid-interval (constant values: the short day ends inside an
    // interval), at times that cut no break in two.
    let full = scenario(&sink_without_retrials(8 * 3600, false, "stop"));
    for t in [3600 + 2400, 4 * 3600 + 3000] {
        check(
            &full,
            t,
            sink_without_retrials(t, false, "stop"),
            "mid-interval",
        );
    }
}

/// `Simulation::stop` and a `stop` command by hand end the replication as
/// the scripted stop does.
#[test]
fn stopping_by_hand_is_the_scripted_stop() {
    let full = reserved(&scenario(&sink(8 * 3600, true, "drain")));
    let t = 15 * MIN + 3 * HOUR + 17 * SEC;
    let script = scripted(&full, &[line(t, json!({"command": "stop"}))]);
    for rep in 0..3 {
        let replayed = format!("{:?}", Simulation::new(&script, script.seed, rep).run());
        let mut sim = Simulation::new(&full, full.seed, rep);
        sim.run_until(t);
        assert_eq!(format!("{:?}", sim.stop()), replayed, "Simulation::stop");
        let (commanded, _) = by_hand::<()>(&full, rep, &[(t, Action::Stop)]);
        assert_eq!(format!("{commanded:?}"), replayed, "execute(stop)");
    }
}
