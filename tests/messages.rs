//! Whatever a scenario file holds, what acdsim says about it — the problems
//! of an invalid file, the warnings of a valid one — is bounded in size and
//! free of characters that would drive a terminal (only line breaks between
//! lines).

use acdsim::scenario::{risks, Scenario};
use acdsim::text::is_hidden;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Longest message about one file.
const MAX_MESSAGE: usize = 64 * 1024;

fn base() -> Value {
    serde_json::from_str(include_str!("../scenarios/multi-skill.json")).unwrap()
}

/// Text, biased toward what breaks terminals and formatters.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[\\x00-\\x1f\\x7f\u{80}-\u{9f}\u{202a}-\u{202e}\u{2066}-\u{2069}a-z\"\\\\]{0,40}",
        (0usize..100_000).prop_map(|n| "é".repeat(n)),
        Just("\u{1b}[2J\u{1b}]0;title\u{7}".to_string()),
    ]
}

/// Any JSON value, with nasty strings and extreme numbers.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        nasty_text().prop_map(Value::from),
        any::<f64>().prop_map(|x| json!(x)),
        prop_oneof![Just(1e300), Just(-0.0), Just(4294967296.0), Just(-1.0)].prop_map(|x| json!(x)),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((nasty_text(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Places in a scenario to replace with an arbitrary value.
const PLACES: &[&[&str]] = &[
    &["name"],
    &["horizon"],
    &["warmup"],
    &["interval"],
    &["clock_start"],
    &["skills"],
    &["skills", "0"],
    &["queues", "0", "name"],
    &["queues", "0", "skill"],
    &["queues", "0", "arrivals", "rate_per_hour"],
    &["queues", "0", "handle_time"],
    &["queues", "1", "patience"],
    &["queues", "0", "overflow"],
    &["agent_groups", "0", "name"],
    &["agent_groups", "0", "skills"],
    &["agent_groups", "1", "count"],
    &["agent_groups", "1", "shifts"],
    &["routing"],
    &["closing"],
    &["volume_cv"],
];

fn set(doc: &mut Value, path: &[&str], v: Value) {
    let mut node = doc;
    for key in &path[..path.len() - 1] {
        node = match key.parse::<usize>() {
            Ok(i) => match node.get_mut(i) {
                Some(n) => n,
                None => return,
            },
            Err(_) => &mut node[*key],
        };
    }
    let last = path[path.len() - 1];
    match last.parse::<usize>() {
        Ok(i) => {
            if let Some(n) = node.get_mut(i) {
                *n = v;
            }
        }
        Err(_) => node[last] = v,
    }
}

/// Asserts what is said of `text` is bounded and shows no hidden character.
fn check(text: &str) {
    let said = match Scenario::from_json_str(text, "fuzz\u{1b}.json") {
        Err(e) => e.to_string(),
        Ok(sc) => risks::risks(&sc)
            .iter()
            .map(|r| r.to_string() + "\n")
            .collect(),
    };
    assert!(said.len() <= MAX_MESSAGE, "{} bytes", said.len());
    let hidden: Vec<char> = said
        .chars()
        .filter(|&c| is_hidden(c) && c != '\n')
        .collect();
    assert!(hidden.is_empty(), "{hidden:?} in {said}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn messages_about_arbitrary_text_are_bounded_and_escaped(text in ".{0,400}") {
        check(&text);
    }

    #[test]
    fn messages_about_arbitrary_fields_are_bounded_and_escaped(
        edits in prop::collection::vec((0..PLACES.len(), value()), 1..6),
        extra in prop::collection::vec((nasty_text(), value()), 0..4),
    ) {
        let mut doc = base();
        for (place, v) in edits {
            set(&mut doc, PLACES[place], v);
        }
        for (k, v) in extra {
            doc[k] = v;
        }
        check(&doc.to_string());
    }
}

#[test]
fn a_thousand_bad_names_make_a_bounded_message() {
    let mut doc = base();
    let long = "\u{1b}[31m".repeat(10_000);
    let queues: Vec<Value> = (0..1000)
        .map(|i| json!({ "name": format!("{long}{i}"), "skill": long, "arrivals": { "rate_per_hour": -1 } }))
        .collect();
    doc["queues"] = Value::Array(queues);
    let text = doc.to_string();
    let said = Scenario::from_json_str(&text, "many.json")
        .unwrap_err()
        .to_string();
    assert!(said.len() < 16 * 1024, "{} bytes", said.len());
    assert!(said.contains("more"), "{said}");
    assert!(!said.contains('\u{1b}'));
}
