//! `acdsim schema`: the JSON Schema comes from the same declarations as the
//! reader, so the two agree. Checked here with an independent validator:
//! the schema is a valid draft 2020-12 schema, the committed copy in
//! `schema/` is current, every shipped scenario validates, and documents the
//! reader rejects for their structure are rejected by the schema too.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    acdsim::scenario::format::schema()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema compiles")
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    assert!(jsonschema::meta::is_valid(&schema()));
    assert_eq!(
        schema()["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn the_committed_schema_is_the_one_the_binary_prints() {
    let printed = Command::cargo_bin("acdsim")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(printed.status.success());
    let committed = std::fs::read_to_string(root().join("schema/scenario.schema.json")).unwrap();
    assert_eq!(
        String::from_utf8(printed.stdout).unwrap(),
        committed,
        "schema/scenario.schema.json is stale: run `acdsim schema > schema/scenario.schema.json`"
    );
}

#[test]
fn every_shipped_scenario_validates() {
    let v = validator();
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            n += 1;
        }
    }
    assert!(n >= 3);
}

/// A small valid scenario.
fn valid() -> Value {
    json!({
        "name": "s", "horizon": "2h", "interval": "1h", "clock_start": "09:00", "skills": ["a"],
        "queues": [{ "name": "q", "skill": "a", "arrivals": { "rate_per_hour": [10, 0] },
                     "handle_time": { "gamma": { "mean": "3m", "sd": 60 } },
                     "patience": [{ "exponential": { "mean": 90 } }, { "constant": "1m" }],
                     "overflow": [{ "after": "0s", "max_level": 1 }, { "after": "30s" }] }],
        "agent_groups": [
            { "name": "g", "skills": { "a": 1 }, "shifts": [
                { "start": "09:00", "end": "11:00", "agents": 3,
                  "breaks": [{ "start": "10:00", "duration": "10m" }] }] },
            { "name": "h", "staffing": [1, 2], "skills": { "a": 2 }, "shrinkage": 0.1, "cost_per_hour": 20 },
        ],
        "routing": { "agent_selection": "best_level" }, "closing": "drain", "volume_cv": 0.1,
    })
}

#[test]
fn schema_and_reader_agree_on_valid_and_invalid_documents() {
    let v = validator();
    let reader_ok =
        |doc: &Value| acdsim::scenario::Scenario::from_json_str(&doc.to_string(), "t").is_ok();
    let doc = valid();
    assert!(
        v.is_valid(&doc),
        "{:?}",
        v.iter_errors(&doc)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    assert!(reader_ok(&doc));
    type Edit = Box<dyn Fn(&mut Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        ("unknown field", Box::new(|d| d["colour"] = json!("blue"))),
        (
            "missing horizon",
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("horizon");
            }),
        ),
        ("wrong type", Box::new(|d| d["seed"] = json!("12"))),
        (
            "unknown rule",
            Box::new(|d| d["routing"]["agent_selection"] = json!("fastest")),
        ),
        (
            "unknown closing",
            Box::new(|d| d["closing"] = json!("later")),
        ),
        (
            "count and staffing",
            Box::new(|d| d["agent_groups"][1]["count"] = json!(3)),
        ),
        (
            "no agents given",
            Box::new(|d| {
                d["agent_groups"][1]
                    .as_object_mut()
                    .unwrap()
                    .remove("staffing");
            }),
        ),
        (
            "two families",
            Box::new(|d| {
                d["queues"][0]["handle_time"] =
                    json!({ "constant": 1, "exponential": { "mean": 2 } })
            }),
        ),
        (
            "negative rate",
            Box::new(|d| d["queues"][0]["arrivals"]["rate_per_hour"] = json!(-1)),
        ),
        (
            "level zero",
            Box::new(|d| d["agent_groups"][0]["skills"]["a"] = json!(0)),
        ),
        (
            "probability above one",
            Box::new(|d| d["queues"][0]["balk_probability"] = json!(1.5)),
        ),
        (
            "shrinkage of one",
            Box::new(|d| d["agent_groups"][1]["shrinkage"] = json!(1)),
        ),
        ("bad duration", Box::new(|d| d["warmup"] = json!("soon"))),
        ("bad clock", Box::new(|d| d["clock_start"] = json!("9h"))),
        (
            "unknown stage field",
            Box::new(|d| d["queues"][0]["overflow"][1]["level"] = json!(3)),
        ),
        ("empty queues", Box::new(|d| d["queues"] = json!([]))),
    ];
    for (what, edit) in edits {
        let mut doc = valid();
        edit(&mut doc);
        assert!(!v.is_valid(&doc), "{what}: the schema accepts it");
        assert!(!reader_ok(&doc), "{what}: the reader accepts it");
    }
}

#[test]
fn the_schema_documents_every_field() {
    fn check(v: &Value, path: &str) {
        if let Some(props) = v.get("properties").and_then(Value::as_object) {
            for (name, p) in props {
                let documented = p
                    .get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| !d.is_empty());
                assert!(documented, "{path}.{name} has no description");
            }
        }
    }
    let s = schema();
    check(&s, "scenario");
    for (name, def) in s["$defs"].as_object().unwrap() {
        check(def, name);
    }
}
