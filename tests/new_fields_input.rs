//! Bad input in the newest fields of the scenario format (supervisors and
//! escalation, outbound campaigns), through the real binary: every bad value
//! is refused by `validate` and `run` with exit code 2, the exact JSON path of
//! the problem, no panic, nothing on stdout; many problems stay bounded; a
//! problem names the line of the field in the file. Two edge cases of
//! accepted campaigns must not crash or hang the run.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn acdsim() -> Command {
    Command::cargo_bin("acdsim").expect("binary built")
}

/// A valid scenario using every new field: a queue escalating to
/// supervisors, a supervisor group that does not answer calls (no skills),
/// one that does, and two campaigns: a power dialer with every campaign
/// field (per-interval outcome lists, clock-time hours) and a preview dialer
/// (duration hours). Four intervals of 30 minutes from 08:00.
fn base() -> Value {
    json!({
        "name": "new-fields",
        "seed": 11,
        "horizon": "2h",
        "interval": "30m",
        "warmup": "0s",
        "clock_start": "08:00",
        "replications": 2,
        "skills": ["support", "sales"],
        "queues": [{
            "name": "support",
            "skill": "support",
            "arrivals": { "rate_per_hour": 60 },
            "handle_time": { "exponential": { "mean": "3m" } },
            "patience": { "exponential": { "mean": "2m" } },
            "escalation": {
                "probability": 0.1,
                "after": { "exponential": { "mean": "2m" } },
                "handover": { "constant": "30s" },
                "supervisor_time": { "uniform": { "min": "2m", "max": "6m" } },
                "hold_patience": { "exponential": { "mean": "3m" } }
            }
        }],
        "agent_groups": [
            { "name": "agents", "count": 5, "skills": { "support": 1, "sales": 2 } },
            { "name": "sellers", "count": 3, "role": "agent", "skills": { "sales": 1 } },
            { "name": "supervisors", "count": 1, "role": "supervisor" },
            { "name": "team leads", "count": 1, "role": "supervisor", "answers_calls": true,
              "skills": { "support": 2 } }
        ],
        "campaigns": [
            {
                "name": "renewals",
                "skill": "sales",
                "priority": 1,
                "hours": { "start": "08:30", "end": "09:30" },
                "list_size": 500,
                "dialer": { "mode": "power", "lines_per_free_agent": 1.5, "min_free_agents": 1 },
                "dial_time": { "uniform": { "min": "10s", "max": "30s" } },
                "outcomes": {
                    "live": [0.3, 0.35, 0.4, 0.3],
                    "machine": 0.2,
                    "busy": [0.1, 0.1, 0.05, 0.1]
                },
                "retry": { "delay": { "constant": "20m" }, "max_attempts": 3 },
                "talk_time": { "exponential": { "mean": "3m" } },
                "wrap_up": { "constant": "30s" },
                "patience": { "constant": "2s" },
                "abandon_cap": 0.03,
                "inbound_reserve": 1
            },
            {
                "name": "winback",
                "skill": "sales",
                "hours": { "start": "0s", "end": "1h30m" },
                "dialer": { "mode": "preview", "preview_time": { "constant": "20s" } },
                "outcomes": { "live": 0.4 },
                "talk_time": { "exponential": { "mean": "4m" } }
            }
        ]
    })
}

/// The value at a JSON pointer.
fn at<'a>(d: &'a mut Value, pointer: &str) -> &'a mut Value {
    d.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the base scenario"))
}

/// Removes `key` from the object at `pointer`.
fn del(d: &mut Value, pointer: &str, key: &str) {
    at(d, pointer)
        .as_object_mut()
        .unwrap_or_else(|| panic!("{pointer} is not an object"))
        .remove(key)
        .unwrap_or_else(|| panic!("no {key} in {pointer}"));
}

/// Writes a scenario as pretty JSON (one field per line) into `dir`.
fn write(dir: &Path, doc: &Value) -> PathBuf {
    let path = dir.join("scenario.json");
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path
}

/// What went wrong with one command on one bad input (empty: nothing).
fn check_refused(cmd: &[&str], file: &Path, paths: &[&str], words: &[&str]) -> Vec<String> {
    let out = acdsim().args(cmd).arg(file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let mut wrong = Vec::new();
    let cut = |t: &str| t.chars().take(600).collect::<String>();
    let shown = format!(
        "exit {:?}\n--- stderr:\n{}\n--- stdout:\n{}",
        out.status.code(),
        cut(&err),
        cut(&stdout)
    );
    if out.status.code() != Some(2) {
        wrong.push(format!("{cmd:?}: expected exit code 2; {shown}"));
    }
    let lower = err.to_lowercase();
    if lower.contains("panicked") || lower.contains("internal error") {
        wrong.push(format!("{cmd:?}: panic or internal error; {shown}"));
    }
    if !stdout.is_empty() {
        wrong.push(format!("{cmd:?}: output on stdout for bad input; {shown}"));
    }
    let file_name = file.display().to_string();
    if out.status.code() == Some(2) && !err.contains(&file_name) {
        wrong.push(format!("{cmd:?}: the file is not named; {shown}"));
    }
    // The exact path: a problem line `  PATH: message`.
    for path in paths {
        let named = err
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{path}: ")));
        if !named {
            wrong.push(format!("{cmd:?}: no problem at exactly {path:?}; {shown}"));
        }
    }
    for w in words {
        if !err.contains(w) {
            wrong.push(format!("{cmd:?}: stderr should mention {w:?}; {shown}"));
        }
    }
    if err.lines().count() > 60 || err.len() > 20_000 {
        wrong.push(format!("{cmd:?}: unbounded output; {shown}"));
    }
    wrong
}

/// A change to the base scenario.
type Edit = fn(&mut Value);

/// One bad input: a change to the base scenario, the JSON paths that must be
/// named (exactly) and words the message must hold.
struct Case {
    name: &'static str,
    edit: Edit,
    paths: &'static [&'static str],
    words: &'static [&'static str],
}

const ESC: &str = "/queues/0/escalation";
const C0: &str = "/campaigns/0";
const C1: &str = "/campaigns/1";

fn cases() -> Vec<Case> {
    macro_rules! case {
        ($name:literal, $edit:expr, [$($p:literal),+ $(,)?] $(, [$($w:literal),* $(,)?])?) => {
            Case { name: $name, edit: $edit, paths: &[$($p),+], words: &[$($($w),*)?] }
        };
    }
    vec![
        // ---- Agent groups: role, answers_calls, skills.
        case!(
            "unknown role",
            |d| *at(d, "/agent_groups/2/role") = json!("manager"),
            ["agent_groups[2].role"],
            ["manager"]
        ),
        case!(
            "role of the wrong type",
            |d| *at(d, "/agent_groups/2/role") = json!(1),
            ["agent_groups[2].role"]
        ),
        case!(
            "role in capitals",
            |d| *at(d, "/agent_groups/2/role") = json!("Supervisor"),
            ["agent_groups[2].role"]
        ),
        case!(
            "answers_calls of the wrong type",
            |d| *at(d, "/agent_groups/3/answers_calls") = json!("yes"),
            ["agent_groups[3].answers_calls"]
        ),
        case!(
            "answers_calls as a number",
            |d| *at(d, "/agent_groups/3/answers_calls") = json!(1),
            ["agent_groups[3].answers_calls"]
        ),
        case!(
            "answers_calls on an agent group (no role)",
            |d| at(d, "/agent_groups/0")["answers_calls"] = json!(true),
            ["agent_groups[0].answers_calls"],
            ["supervisor"]
        ),
        case!(
            "answers_calls false on a group of role agent",
            |d| at(d, "/agent_groups/1")["answers_calls"] = json!(false),
            ["agent_groups[1].answers_calls"]
        ),
        case!(
            "agent group without skills",
            |d| del(d, "/agent_groups/0", "skills"),
            ["agent_groups[0].skills"],
            ["missing"]
        ),
        case!(
            "group of role agent without skills",
            |d| del(d, "/agent_groups/1", "skills"),
            ["agent_groups[1].skills"],
            ["missing"]
        ),
        case!(
            "supervisor answering calls without skills",
            |d| del(d, "/agent_groups/3", "skills"),
            ["agent_groups[3].skills"],
            ["missing"]
        ),
        case!(
            "supervisor with an empty skills object",
            |d| *at(d, "/agent_groups/3/skills") = json!({}),
            ["agent_groups[3].skills"]
        ),
        case!(
            "supervisor with an undeclared skill",
            |d| *at(d, "/agent_groups/3/skills") = json!({ "billing": 1 }),
            ["agent_groups[3].skills.billing"],
            ["billing"]
        ),
        case!(
            "unknown field in a supervisor group",
            |d| at(d, "/agent_groups/2")["answer_calls"] = json!(true),
            ["agent_groups[2].answer_calls"],
            ["unknown field"]
        ),
        // ---- Retrials and callbacks.
        case!(
            "retrial probability above 1",
            |d| at(d, "/queues/0")["retrial"] =
                json!({"probability": 1.5, "delay": {"constant": "5m"}}),
            ["queues[0].retrial.probability"],
            ["between 0 and 1"]
        ),
        case!(
            "retrial without delay",
            |d| at(d, "/queues/0")["retrial"] = json!({"probability": 0.5}),
            ["queues[0].retrial.delay"],
            ["missing"]
        ),
        case!(
            "retrial with an unknown field",
            |d| at(d, "/queues/0")["retrial"] =
                json!({"probability": 0.5, "delay": {"constant": "5m"}, "attempts": 3}),
            ["queues[0].retrial.attempts"],
            ["unknown field"]
        ),
        case!(
            "callback with a negative threshold",
            |d| at(d, "/queues/0")["callback"] =
                json!({"offer_when_wait_over": "-5s", "accept_probability": 0.5}),
            ["queues[0].callback.offer_when_wait_over"]
        ),
        case!(
            "callback acceptance not a number",
            |d| at(d, "/queues/0")["callback"] =
                json!({"offer_when_wait_over": "60s", "accept_probability": "half"}),
            ["queues[0].callback.accept_probability"]
        ),
        case!(
            "callback without acceptance",
            |d| at(d, "/queues/0")["callback"] = json!({"offer_when_wait_over": "60s"}),
            ["queues[0].callback.accept_probability"],
            ["missing"]
        ),
        case!(
            "callback priority not an integer",
            |d| at(d, "/queues/0")["callback"] =
                json!({"offer_when_wait_over": "60s", "accept_probability": 0.5, "priority": 1.5}),
            ["queues[0].callback.priority"]
        ),
        // ---- Escalation.
        case!(
            "escalation probability above 1",
            |d| *at(d, "/queues/0/escalation/probability") = json!(1.5),
            ["queues[0].escalation.probability"],
            ["between 0 and 1", "1.5"]
        ),
        case!(
            "negative escalation probability",
            |d| *at(d, "/queues/0/escalation/probability") = json!(-0.1),
            ["queues[0].escalation.probability"]
        ),
        case!(
            "escalation probability as a string",
            |d| *at(d, "/queues/0/escalation/probability") = json!("10%"),
            ["queues[0].escalation.probability"]
        ),
        case!(
            "escalation without probability",
            |d| del(d, ESC, "probability"),
            ["queues[0].escalation.probability"],
            ["missing"]
        ),
        case!(
            "escalation without after",
            |d| del(d, ESC, "after"),
            ["queues[0].escalation.after"],
            ["missing"]
        ),
        case!(
            "escalation without supervisor_time",
            |d| del(d, ESC, "supervisor_time"),
            ["queues[0].escalation.supervisor_time"],
            ["missing"]
        ),
        case!(
            "escalation after is not a distribution",
            |d| *at(d, "/queues/0/escalation/after") = json!("2m"),
            ["queues[0].escalation.after"]
        ),
        case!(
            "negative handover",
            |d| *at(d, "/queues/0/escalation/handover") = json!({ "constant": "-30s" }),
            ["queues[0].escalation.handover.constant"]
        ),
        case!(
            "supervisor_time uniform with min above max",
            |d| *at(d, "/queues/0/escalation/supervisor_time") =
                json!({ "uniform": { "min": "6m", "max": "2m" } }),
            ["queues[0].escalation.supervisor_time.uniform"]
        ),
        case!(
            "hold_patience of an unknown family",
            |d| *at(d, "/queues/0/escalation/hold_patience") =
                json!({ "weibull": { "mean": "3m" } }),
            ["queues[0].escalation.hold_patience.weibull"]
        ),
        case!(
            "hold_patience with two families",
            |d| *at(d, "/queues/0/escalation/hold_patience") =
                json!({ "constant": "1m", "exponential": { "mean": "1m" } }),
            ["queues[0].escalation.hold_patience"]
        ),
        case!(
            "unknown field in escalation",
            |d| at(d, ESC)["colour"] = json!("red"),
            ["queues[0].escalation.colour"],
            ["unknown field"]
        ),
        case!(
            "escalation of the wrong type",
            |d| *at(d, ESC) = json!(0.1),
            ["queues[0].escalation"]
        ),
        case!(
            "escalation without any supervisor group",
            |d| {
                let g = at(d, "/agent_groups").as_array_mut().unwrap();
                g.truncate(2);
            },
            ["queues[0].escalation"],
            ["supervisor"]
        ),
        // ---- Campaigns: the list and the campaign object.
        case!(
            "campaigns of the wrong type",
            |d| d["campaigns"] = json!({ "name": "x" }),
            ["campaigns"]
        ),
        case!(
            "a campaign that is not an object",
            |d| *at(d, C0) = json!("renewals"),
            ["campaigns[0]"]
        ),
        case!(
            "unknown field in a campaign",
            |d| at(d, C0)["colour"] = json!("red"),
            ["campaigns[0].colour"],
            ["unknown field"]
        ),
        case!(
            "campaign without name",
            |d| del(d, C0, "name"),
            ["campaigns[0].name"],
            ["missing"]
        ),
        case!(
            "campaign with an empty name",
            |d| *at(d, "/campaigns/0/name") = json!("  "),
            ["campaigns[0].name"]
        ),
        case!(
            "campaign name of the wrong type",
            |d| *at(d, "/campaigns/0/name") = json!(7),
            ["campaigns[0].name"]
        ),
        case!(
            "duplicate campaign name",
            |d| *at(d, "/campaigns/1/name") = json!("renewals"),
            ["campaigns[1].name"],
            ["duplicate"]
        ),
        case!(
            "campaign without skill",
            |d| del(d, C0, "skill"),
            ["campaigns[0].skill"],
            ["missing"]
        ),
        case!(
            "campaign skill not declared",
            |d| *at(d, "/campaigns/0/skill") = json!("collections"),
            ["campaigns[0].skill"],
            ["collections"]
        ),
        case!(
            "campaign skill declared but held by no group",
            |d| {
                at(d, "/skills")
                    .as_array_mut()
                    .unwrap()
                    .push(json!("collections"));
                *at(d, "/campaigns/0/skill") = json!("collections");
            },
            ["campaigns[0].skill"],
            ["collections"]
        ),
        case!(
            "campaign skill held only by supervisors who do not answer calls",
            |d| {
                at(d, "/skills")
                    .as_array_mut()
                    .unwrap()
                    .push(json!("collections"));
                at(d, "/agent_groups/2")["skills"] = json!({ "collections": 1 });
                *at(d, "/campaigns/0/skill") = json!("collections");
            },
            // Skills on a supervisor who does not answer calls are refused where they stand.
            ["agent_groups[2].skills"],
            ["answers_calls"]
        ),
        case!(
            "campaign skill of the wrong type",
            |d| *at(d, "/campaigns/0/skill") = json!(["sales"]),
            ["campaigns[0].skill"]
        ),
        case!(
            "campaign priority not an integer",
            |d| *at(d, "/campaigns/0/priority") = json!(1.5),
            ["campaigns[0].priority"]
        ),
        case!(
            "campaign priority as a string",
            |d| *at(d, "/campaigns/0/priority") = json!("high"),
            ["campaigns[0].priority"]
        ),
        case!(
            "campaign priority out of range",
            |d| *at(d, "/campaigns/0/priority") = json!(1_u64 << 40),
            ["campaigns[0].priority"]
        ),
        // ---- hours.
        case!(
            "campaign without hours",
            |d| del(d, C0, "hours"),
            ["campaigns[0].hours"],
            ["missing"]
        ),
        case!(
            "hours without start",
            |d| del(d, "/campaigns/0/hours", "start"),
            ["campaigns[0].hours.start"],
            ["missing"]
        ),
        case!(
            "hours without end",
            |d| del(d, "/campaigns/0/hours", "end"),
            ["campaigns[0].hours.end"],
            ["missing"]
        ),
        case!(
            "unknown field in hours",
            |d| at(d, "/campaigns/0/hours")["stop"] = json!("09:00"),
            ["campaigns[0].hours.stop"],
            ["unknown field"]
        ),
        case!(
            "hours of the wrong type",
            |d| *at(d, "/campaigns/0/hours") = json!("08:30-09:30"),
            ["campaigns[0].hours"]
        ),
        case!(
            "hours end before start (durations)",
            |d| *at(d, "/campaigns/1/hours") = json!({ "start": "1h", "end": "30m" }),
            ["campaigns[1].hours.end"],
            ["after it starts"]
        ),
        case!(
            "hours end equal to start (durations)",
            |d| *at(d, "/campaigns/1/hours") = json!({ "start": "1h", "end": "1h" }),
            ["campaigns[1].hours.end"]
        ),
        case!(
            "clock-time hours without clock_start",
            |d| {
                d.as_object_mut().unwrap().remove("clock_start");
            },
            ["campaigns[0].hours.start", "campaigns[0].hours.end"],
            ["clock_start"]
        ),
        case!(
            "hours with an impossible clock time",
            |d| *at(d, "/campaigns/0/hours/start") = json!("25:99"),
            ["campaigns[0].hours.start"]
        ),
        case!(
            "hours with a negative start",
            |d| *at(d, "/campaigns/1/hours/start") = json!("-1h"),
            ["campaigns[1].hours.start"]
        ),
        case!(
            "hours with a boolean end",
            |d| *at(d, "/campaigns/1/hours/end") = json!(true),
            ["campaigns[1].hours.end"]
        ),
        // ---- list_size.
        case!(
            "negative list_size",
            |d| *at(d, "/campaigns/0/list_size") = json!(-5),
            ["campaigns[0].list_size"]
        ),
        case!(
            "zero list_size",
            |d| *at(d, "/campaigns/0/list_size") = json!(0),
            ["campaigns[0].list_size"]
        ),
        case!(
            "fractional list_size",
            |d| *at(d, "/campaigns/0/list_size") = json!(2.5),
            ["campaigns[0].list_size"]
        ),
        case!(
            "list_size as a string",
            |d| *at(d, "/campaigns/0/list_size") = json!("500"),
            ["campaigns[0].list_size"]
        ),
        // ---- dialer.
        case!(
            "campaign without dialer",
            |d| del(d, C0, "dialer"),
            ["campaigns[0].dialer"],
            ["missing"]
        ),
        case!(
            "dialer without mode",
            |d| del(d, "/campaigns/0/dialer", "mode"),
            ["campaigns[0].dialer.mode"],
            ["missing"]
        ),
        case!(
            "unknown dialer mode",
            |d| *at(d, "/campaigns/0/dialer/mode") = json!("robocall"),
            ["campaigns[0].dialer.mode"],
            ["robocall"]
        ),
        case!(
            "dialer mode of the wrong type",
            |d| *at(d, "/campaigns/0/dialer/mode") = json!(2),
            ["campaigns[0].dialer.mode"]
        ),
        case!(
            "dialer of the wrong type",
            |d| *at(d, "/campaigns/0/dialer") = json!("power"),
            ["campaigns[0].dialer"]
        ),
        case!(
            "unknown field in dialer",
            |d| at(d, "/campaigns/0/dialer")["speed"] = json!(2),
            ["campaigns[0].dialer.speed"],
            ["unknown field"]
        ),
        case!(
            "preview_time on a power dialer",
            |d| at(d, "/campaigns/0/dialer")["preview_time"] = json!({ "constant": "20s" }),
            ["campaigns[0].dialer.preview_time"],
            ["preview"]
        ),
        case!(
            "lines_per_free_agent on a preview dialer",
            |d| at(d, "/campaigns/1/dialer")["lines_per_free_agent"] = json!(2),
            ["campaigns[1].dialer.lines_per_free_agent"],
            ["power"]
        ),
        case!(
            "min_free_agents on a preview dialer",
            |d| at(d, "/campaigns/1/dialer")["min_free_agents"] = json!(2),
            ["campaigns[1].dialer.min_free_agents"],
            ["power"]
        ),
        case!(
            "power fields on a progressive dialer",
            |d| *at(d, "/campaigns/0/dialer/mode") = json!("progressive"),
            [
                "campaigns[0].dialer.lines_per_free_agent",
                "campaigns[0].dialer.min_free_agents"
            ]
        ),
        case!(
            "power fields on a predictive dialer",
            |d| *at(d, "/campaigns/0/dialer/mode") = json!("predictive"),
            [
                "campaigns[0].dialer.lines_per_free_agent",
                "campaigns[0].dialer.min_free_agents"
            ]
        ),
        case!(
            "preview_time on a progressive dialer",
            |d| *at(d, "/campaigns/1/dialer/mode") = json!("progressive"),
            ["campaigns[1].dialer.preview_time"]
        ),
        case!(
            "preview dialer without preview_time",
            |d| del(d, "/campaigns/1/dialer", "preview_time"),
            ["campaigns[1].dialer.preview_time"],
            ["missing"]
        ),
        case!(
            "preview_time not a distribution",
            |d| *at(d, "/campaigns/1/dialer/preview_time") = json!("20s"),
            ["campaigns[1].dialer.preview_time"]
        ),
        case!(
            "power dialer without lines_per_free_agent",
            |d| del(d, "/campaigns/0/dialer", "lines_per_free_agent"),
            ["campaigns[0].dialer.lines_per_free_agent"],
            ["missing"]
        ),
        case!(
            "zero lines_per_free_agent",
            |d| *at(d, "/campaigns/0/dialer/lines_per_free_agent") = json!(0),
            ["campaigns[0].dialer.lines_per_free_agent"]
        ),
        case!(
            "negative lines_per_free_agent",
            |d| *at(d, "/campaigns/0/dialer/lines_per_free_agent") = json!(-1),
            ["campaigns[0].dialer.lines_per_free_agent"]
        ),
        case!(
            "lines_per_free_agent above 1000",
            |d| *at(d, "/campaigns/0/dialer/lines_per_free_agent") = json!(1000.5),
            ["campaigns[0].dialer.lines_per_free_agent"],
            ["1000"]
        ),
        case!(
            "huge lines_per_free_agent",
            |d| *at(d, "/campaigns/0/dialer/lines_per_free_agent") = json!(1e300),
            ["campaigns[0].dialer.lines_per_free_agent"]
        ),
        case!(
            "lines_per_free_agent as a string",
            |d| *at(d, "/campaigns/0/dialer/lines_per_free_agent") = json!("2"),
            ["campaigns[0].dialer.lines_per_free_agent"]
        ),
        case!(
            "negative min_free_agents",
            |d| *at(d, "/campaigns/0/dialer/min_free_agents") = json!(-1),
            ["campaigns[0].dialer.min_free_agents"]
        ),
        case!(
            "fractional min_free_agents",
            |d| *at(d, "/campaigns/0/dialer/min_free_agents") = json!(1.5),
            ["campaigns[0].dialer.min_free_agents"]
        ),
        case!(
            "min_free_agents beyond u32",
            |d| *at(d, "/campaigns/0/dialer/min_free_agents") = json!(1_u64 << 33),
            ["campaigns[0].dialer.min_free_agents"]
        ),
        case!(
            "preview campaign without talk_time",
            |d| del(d, C1, "talk_time"),
            ["campaigns[1].talk_time"],
            ["missing"]
        ),
        // ---- dial_time, talk_time, wrap_up, patience.
        case!(
            "dial_time uniform with min above max",
            |d| *at(d, "/campaigns/0/dial_time") =
                json!({ "uniform": { "min": "30s", "max": "10s" } }),
            ["campaigns[0].dial_time.uniform"]
        ),
        case!(
            "dial_time as a bare duration",
            |d| *at(d, "/campaigns/0/dial_time") = json!("20s"),
            ["campaigns[0].dial_time"]
        ),
        case!(
            "campaign without talk_time",
            |d| del(d, C0, "talk_time"),
            ["campaigns[0].talk_time"],
            ["missing"]
        ),
        case!(
            "talk_time as a bare duration",
            |d| *at(d, "/campaigns/0/talk_time") = json!("3m"),
            ["campaigns[0].talk_time"]
        ),
        case!(
            "talk_time with a negative mean",
            |d| *at(d, "/campaigns/0/talk_time") = json!({ "exponential": { "mean": "-3m" } }),
            ["campaigns[0].talk_time.exponential.mean"]
        ),
        case!(
            "wrap_up with an unknown parameter",
            |d| *at(d, "/campaigns/0/wrap_up") = json!({ "exponential": { "average": "30s" } }),
            ["campaigns[0].wrap_up.exponential.average"]
        ),
        case!(
            "patience with no family",
            |d| *at(d, "/campaigns/0/patience") = json!({}),
            ["campaigns[0].patience"]
        ),
        case!(
            "patience as a number",
            |d| *at(d, "/campaigns/0/patience") = json!(2),
            ["campaigns[0].patience"]
        ),
        // ---- outcomes.
        case!(
            "campaign without outcomes",
            |d| del(d, C0, "outcomes"),
            ["campaigns[0].outcomes"],
            ["missing"]
        ),
        case!(
            "outcomes without live",
            |d| del(d, "/campaigns/1/outcomes", "live"),
            ["campaigns[1].outcomes.live"],
            ["missing"]
        ),
        case!(
            "unknown field in outcomes",
            |d| at(d, "/campaigns/0/outcomes")["fax"] = json!(0.1),
            ["campaigns[0].outcomes.fax"],
            ["unknown field"]
        ),
        case!(
            "outcomes of the wrong type",
            |d| *at(d, "/campaigns/0/outcomes") = json!(0.3),
            ["campaigns[0].outcomes"]
        ),
        case!(
            "live above 1",
            |d| *at(d, "/campaigns/1/outcomes/live") = json!(1.2),
            ["campaigns[1].outcomes.live"],
            ["between 0 and 1"]
        ),
        case!(
            "negative machine",
            |d| *at(d, "/campaigns/0/outcomes/machine") = json!(-0.1),
            ["campaigns[0].outcomes.machine"]
        ),
        case!(
            "busy as a string",
            |d| *at(d, "/campaigns/0/outcomes/busy") = json!("10%"),
            ["campaigns[0].outcomes.busy"]
        ),
        case!(
            "outcomes adding up above 1",
            |d| *at(d, "/campaigns/1/outcomes") =
                json!({ "live": 0.6, "machine": 0.3, "busy": 0.2 }),
            ["campaigns[1].outcomes"],
            ["at most 1"]
        ),
        case!(
            "outcomes above 1 in one interval of a per-interval list",
            |d| *at(d, "/campaigns/0/outcomes/live") = json!([0.3, 0.35, 0.8, 0.3]),
            ["campaigns[0].outcomes"],
            ["interval 3"]
        ),
        case!(
            "outcomes above 1 in the last interval only (lists of every outcome)",
            |d| {
                *at(d, "/campaigns/0/outcomes/machine") = json!([0.2, 0.2, 0.2, 0.7]);
            },
            ["campaigns[0].outcomes"],
            ["interval 4"]
        ),
        case!(
            "per-interval live list too short",
            |d| *at(d, "/campaigns/0/outcomes/live") = json!([0.3, 0.35, 0.4]),
            ["campaigns[0].outcomes.live"],
            ["4 intervals"]
        ),
        case!(
            "per-interval busy list too long",
            |d| *at(d, "/campaigns/0/outcomes/busy") = json!([0.1, 0.1, 0.1, 0.1, 0.1]),
            ["campaigns[0].outcomes.busy"]
        ),
        case!(
            "per-interval machine list empty",
            |d| *at(d, "/campaigns/0/outcomes/machine") = json!([]),
            ["campaigns[0].outcomes.machine"]
        ),
        case!(
            "per-interval list with an item out of range",
            |d| *at(d, "/campaigns/0/outcomes/live") = json!([0.3, 2, 0.4, 0.3]),
            ["campaigns[0].outcomes.live[1]"]
        ),
        case!(
            "per-interval list with an item of the wrong type",
            |d| *at(d, "/campaigns/0/outcomes/busy") = json!([0.1, "x", 0.1, 0.1]),
            ["campaigns[0].outcomes.busy[1]"]
        ),
        // ---- retry.
        case!(
            "retry without delay",
            |d| del(d, "/campaigns/0/retry", "delay"),
            ["campaigns[0].retry.delay"],
            ["missing"]
        ),
        case!(
            "retry without max_attempts",
            |d| del(d, "/campaigns/0/retry", "max_attempts"),
            ["campaigns[0].retry.max_attempts"],
            ["missing"]
        ),
        case!(
            "max_attempts 0",
            |d| *at(d, "/campaigns/0/retry/max_attempts") = json!(0),
            ["campaigns[0].retry.max_attempts"]
        ),
        case!(
            "negative max_attempts",
            |d| *at(d, "/campaigns/0/retry/max_attempts") = json!(-2),
            ["campaigns[0].retry.max_attempts"]
        ),
        case!(
            "fractional max_attempts",
            |d| *at(d, "/campaigns/0/retry/max_attempts") = json!(2.5),
            ["campaigns[0].retry.max_attempts"]
        ),
        case!(
            "retry delay as a bare duration",
            |d| *at(d, "/campaigns/0/retry/delay") = json!("20m"),
            ["campaigns[0].retry.delay"]
        ),
        case!(
            "unknown field in retry",
            |d| at(d, "/campaigns/0/retry")["backoff"] = json!(2),
            ["campaigns[0].retry.backoff"],
            ["unknown field"]
        ),
        case!(
            "retry of the wrong type",
            |d| *at(d, "/campaigns/0/retry") = json!(3),
            ["campaigns[0].retry"]
        ),
        // ---- abandon_cap, inbound_reserve.
        case!(
            "abandon_cap above 1",
            |d| *at(d, "/campaigns/0/abandon_cap") = json!(1.5),
            ["campaigns[0].abandon_cap"],
            ["between 0 and 1"]
        ),
        case!(
            "negative abandon_cap",
            |d| *at(d, "/campaigns/0/abandon_cap") = json!(-0.01),
            ["campaigns[0].abandon_cap"]
        ),
        case!(
            "abandon_cap as a percentage string",
            |d| *at(d, "/campaigns/0/abandon_cap") = json!("3%"),
            ["campaigns[0].abandon_cap"]
        ),
        case!(
            "negative inbound_reserve",
            |d| *at(d, "/campaigns/0/inbound_reserve") = json!(-1),
            ["campaigns[0].inbound_reserve"]
        ),
        case!(
            "fractional inbound_reserve",
            |d| *at(d, "/campaigns/0/inbound_reserve") = json!(1.5),
            ["campaigns[0].inbound_reserve"]
        ),
        case!(
            "inbound_reserve as a string",
            |d| *at(d, "/campaigns/0/inbound_reserve") = json!("two"),
            ["campaigns[0].inbound_reserve"]
        ),
    ]
}

/// Every case of the table, each through `validate` and `run`; every
/// failure is collected, so one run of the test lists them all.
#[test]
fn every_bad_value_of_the_new_fields_is_refused_with_its_path() {
    let cases = cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "duplicate case names");
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let mut doc = base();
        (case.edit)(&mut doc);
        let file = write(dir.path(), &doc);
        for cmd in [&["validate"][..], &["run", "-r", "2"][..]] {
            for w in check_refused(cmd, &file, case.paths, case.words) {
                failures.push(format!("[{}] {w}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s) in {} cases:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_base_scenario_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &base());
    let out = acdsim().arg("validate").arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "validate: {err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
    let out = acdsim()
        .args(["run", "-r", "2", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "run: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(doc["replications"], 2);
    // Each mode of the dialer is valid with its own fields.
    for (mode, dialer) in [
        ("progressive", json!({ "mode": "progressive" })),
        ("predictive", json!({ "mode": "predictive" })),
        (
            "power without min_free_agents",
            json!({ "mode": "power", "lines_per_free_agent": 1000 }),
        ),
    ] {
        let mut doc = base();
        *at(&mut doc, "/campaigns/0/dialer") = dialer;
        let file = write(dir.path(), &doc);
        let out = acdsim()
            .args(["run", "-r", "2"])
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{mode}: {err}");
    }
}

#[test]
fn many_bad_campaigns_give_a_bounded_message() {
    let mut doc = base();
    let campaigns: Vec<Value> = (0..200)
        .map(|i| {
            json!({
                "name": "same",
                "skill": format!("nosuch{i}"),
                "hours": { "start": "2h", "end": "1h" },
                "list_size": -i,
                "dialer": { "mode": "power", "lines_per_free_agent": 5000, "preview_time": 3 },
                "outcomes": { "live": 1.5, "machine": [0.1, 0.2], "busy": "x" },
                "retry": { "delay": "1m", "max_attempts": 0 },
                "talk_time": { "constant": "-1s" },
                "abandon_cap": 2,
                "inbound_reserve": -3,
                "colour": "red"
            })
        })
        .collect();
    doc["campaigns"] = Value::Array(campaigns);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &doc);
    for cmd in [&["validate"][..], &["run", "-r", "2"][..]] {
        let out = acdsim().args(cmd).arg(&file).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
        assert!(!err.contains("panicked"), "{cmd:?}: {err}");
        assert!(out.stdout.is_empty(), "{cmd:?}: output on stdout");
        let lines = err.lines().count();
        assert!(lines < 60, "{cmd:?}: {lines} lines of messages:\n{err}");
        assert!(
            err.len() < 20_000,
            "{cmd:?}: {} bytes of messages",
            err.len()
        );
        // The first problems are shown, the rest counted.
        assert!(err.contains("campaigns[0]."), "{cmd:?}: {err}");
        assert!(
            err.contains("more"),
            "{cmd:?}: the rest is not counted: {err}"
        );
    }
}

/// The 1-based line of the first line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the file"))
        + 1
}

/// A problem in a campaign names the line (and column) of the field, as
/// syntax errors do (`FILE:LINE:COL: message`, see tests/cli.rs).
#[test]
fn a_bad_campaign_field_is_reported_at_its_line() {
    let mut doc = base();
    *at(&mut doc, "/campaigns/0/dialer/lines_per_free_agent") = json!(5000);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &doc);
    let text = std::fs::read_to_string(&file).unwrap();
    let line = line_of(&text, "\"lines_per_free_agent\": 5000");
    for cmd in [&["validate"][..], &["run", "-r", "2"][..]] {
        let out = acdsim().args(cmd).arg(&file).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
        let problem = err
            .lines()
            .find(|l| l.contains("campaigns[0].dialer.lines_per_free_agent"))
            .unwrap_or_else(|| panic!("{cmd:?}: the path is not named: {err}"));
        assert!(
            problem.contains(&format!(":{line}:")),
            "{cmd:?}: the field is on line {line} of {}, the message does not say so:\n{err}",
            file.display()
        );
    }
}

/// A run that must end by itself: exit code, stdout and stderr, or `None`
/// if it was still running after `secs` seconds (it is then killed).
fn run_with_timeout(args: &[&str], file: &Path, secs: u64) -> Option<(Option<i32>, String)> {
    let start = std::time::Instant::now();
    let out = acdsim()
        .args(args)
        .arg(file)
        .timeout(std::time::Duration::from_secs(secs))
        .output()
        .unwrap();
    if out.status.code().is_none() && start.elapsed().as_secs() >= secs {
        return None;
    }
    Some((
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    ))
}

/// `closing: "drain"` with a campaign whose hours run past the end of the
/// horizon: either refused at `campaigns[i].hours.end` (exit 2) or run
/// (exit 0); never a panic. Every dialer mode with a per-interval cell.
#[test]
fn a_campaign_running_past_the_horizon_of_a_draining_center_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (what, campaign, hours) in [
        (
            "preview, durations",
            1,
            json!({ "start": "0s", "end": "3h" }),
        ),
        ("power, durations", 0, json!({ "start": "0s", "end": "3h" })),
        (
            "power, clock times",
            0,
            json!({ "start": "08:00", "end": "10:30" }),
        ),
    ] {
        let mut doc = base();
        doc["closing"] = json!("drain");
        *at(&mut doc, &format!("/campaigns/{campaign}/hours")) = hours;
        let file = write(dir.path(), &doc);
        let validate = run_with_timeout(&["validate"], &file, 60).expect("validate ends");
        let Some((code, err)) = run_with_timeout(&["run", "-r", "2"], &file, 120) else {
            failures.push(format!("{what}: run still going after 120 s"));
            continue;
        };
        let path = format!("campaigns[{campaign}].hours.end: ");
        let refused = validate.0 == Some(2) && code == Some(2) && err.contains(&path);
        let ran = validate.0 == Some(0) && code == Some(0);
        if !(refused || ran) || err.contains("panicked") || err.contains("internal error") {
            let err: String = err.chars().take(800).collect();
            failures.push(format!(
                "{what}: validate exit {:?}, run exit {code:?}:\n{err}",
                validate.0
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Campaigns whose dials take no time and never reach anyone, with an
/// unlimited list (or retries without delay): the dialer could dial forever
/// at one instant. Either refused (exit 2, at a path of the campaign) or the
/// run ends (exit 0); never a run that never ends.
#[test]
fn dials_that_take_no_time_and_never_connect_do_not_hang_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let cases: [(&str, Edit); 3] = [
        ("progressive, live 0, no dial_time, unlimited list", |d| {
            let c = at(d, C1);
            c["dialer"] = json!({ "mode": "progressive" });
            c["outcomes"] = json!({ "live": 0 });
        }),
        (
            "preview, preview_time 0, live 0, no dial_time, unlimited list",
            |d| {
                let c = at(d, C1);
                c["dialer"]["preview_time"] = json!({ "constant": 0 });
                c["outcomes"] = json!({ "live": 0 });
            },
        ),
        ("progressive, live 0, retry without delay, list of 1", |d| {
            let c = at(d, C1);
            c["dialer"] = json!({ "mode": "progressive" });
            c["outcomes"] = json!({ "live": 0 });
            c["list_size"] = json!(1);
            c["retry"] = json!({ "delay": { "constant": 0 }, "max_attempts": 4_000_000_000u32 });
        }),
    ];
    for (what, edit) in cases {
        let mut doc = base();
        edit(&mut doc);
        // The edited preview campaign alone (it becomes campaigns[0]).
        at(&mut doc, "/campaigns").as_array_mut().unwrap().remove(0);
        let file = write(dir.path(), &doc);
        let validate = run_with_timeout(&["validate"], &file, 60).expect("validate ends");
        if validate.0 == Some(2) {
            if !validate.1.contains("campaigns[0].") {
                failures.push(format!(
                    "{what}: refused without naming the campaign: {}",
                    validate.1
                ));
            }
            continue;
        }
        match run_with_timeout(&["run", "-r", "1"], &file, 30) {
            None => failures.push(format!(
                "{what}: validate exit {:?}, run still going after 30 s (killed)",
                validate.0
            )),
            Some((code, err)) if code != Some(0) => {
                failures.push(format!("{what}: run exit {code:?}: {err}"))
            }
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
