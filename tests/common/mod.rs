//! Shared helpers of the integration tests: scenario builders and
//! confidence-interval assertions; in [`conservation`], what the
//! conservation property tests share (generators and time checks).
#![allow(dead_code)]

pub mod conservation;

use acdsim::report::{Estimate, Summary};
use acdsim::runner::{simulate, RunOptions};
use acdsim::scenario::Scenario;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Confidence level of the statistical checks. Each check asserts that the
/// theoretical value lies inside the 99.9% Student-t confidence interval of
/// the mean over independent replications. Seeds are fixed, so the outcome is
/// reproducible; a correct simulator fails a given check with probability
/// 0.1% (plus the small bias of a finite horizon after a warm-up).
pub const LEVEL: f64 = 0.999;

/// Asserts `theory` lies within the `LEVEL` confidence interval of `e`.
pub fn assert_ci(e: Estimate, theory: f64, what: &str) {
    let half = e.half_width(LEVEL);
    // Shown with `--nocapture`: how far inside its interval each check lands.
    eprintln!(
        "{what}: simulated {:.6}, theory {theory:.6}, |diff| / half-width = {:.2}",
        e.mean,
        (e.mean - theory).abs() / half
    );
    assert!(e.n >= 10, "{what}: only {} replications", e.n);
    assert!(
        (e.mean - theory).abs() <= half,
        "{what}: simulated {:.6} ± {:.6} (99.9% CI, n = {}) does not contain theory {:.6}",
        e.mean,
        half,
        e.n,
        theory
    );
}

/// Parses a scenario given as a JSON value.
pub fn scenario(v: &Value) -> Scenario {
    Scenario::from_json_str(&v.to_string(), "test scenario").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs with the scenario's replications and seed on 2 threads.
pub fn run(sc: &Scenario) -> Summary {
    simulate(
        sc,
        RunOptions {
            replications: sc.replications,
            seed: sc.seed,
            threads: 2,
        },
    )
}

/// A queue fed at `per_hour`, exponential handle time of mean `aht_s`,
/// exponential patience of mean `patience_s` (None: never abandons).
pub fn queue(
    name: &str,
    skill: &str,
    priority: i32,
    per_hour: f64,
    aht_s: f64,
    patience_s: Option<f64>,
) -> Value {
    let mut q = json!({
        "name": name, "skill": skill, "priority": priority,
        "arrivals": { "rate_per_hour": per_hour },
        "handle_time": { "exponential": { "mean": aht_s } },
    });
    if let Some(p) = patience_s {
        q["patience"] = json!({ "exponential": { "mean": p } });
    }
    q
}

/// Replications of the statistical tests.
pub const REPLICATIONS: u32 = 40;

/// A scenario around `queues` and `groups` for the statistical tests:
/// [`REPLICATIONS`] replications of 10 h measured after a 1 h warm-up, 20 s threshold.
pub fn center(
    name: &str,
    seed: u64,
    skills: &[&str],
    queues: Vec<Value>,
    groups: Vec<Value>,
    routing: Value,
) -> Value {
    json!({
        "name": name, "seed": seed, "replications": REPLICATIONS,
        "warmup": "1h", "horizon": "10h",
        "service_level_threshold": "20s",
        "skills": skills, "queues": queues, "agent_groups": groups, "routing": routing,
    })
}

/// A random service-time distribution of the scenario format (seconds).
pub fn dist() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        (5.0..400.0f64).prop_map(|m| json!({ "exponential": { "mean": m } })),
        (5.0..400.0f64, 1.0..200.0f64)
            .prop_map(|(m, s)| json!({ "lognormal": { "mean": m, "sd": s } })),
        (5.0..400.0f64, 1.0..200.0f64)
            .prop_map(|(m, s)| json!({ "gamma": { "mean": m, "sd": s } })),
        (0.0..100.0f64, 0.0..300.0f64)
            .prop_map(|(a, w)| json!({ "uniform": { "min": a, "max": a + w } })),
        prop_oneof![Just(0.0), 0.0..300.0f64].prop_map(|c| json!({ "constant": c })),
    ]
}

/// `doc` without the metrics named `keys` (at every depth), and how many were removed.
pub fn without_metrics(mut doc: Value, keys: &[&str]) -> (Value, usize) {
    fn strip(v: &mut Value, keys: &[&str], removed: &mut usize) {
        match v {
            Value::Object(m) => {
                for key in keys {
                    if m.remove(*key).is_some() {
                        *removed += 1;
                    }
                }
                m.values_mut().for_each(|x| strip(x, keys, removed));
            }
            Value::Array(a) => a.iter_mut().for_each(|x| strip(x, keys, removed)),
            _ => {}
        }
    }
    let mut removed = 0;
    strip(&mut doc, keys, &mut removed);
    (doc, removed)
}

/// Panics with the first differing line of the two documents.
pub fn assert_same_json(a: &Value, b: &Value, what: &str) {
    let (a, b) = (
        serde_json::to_string_pretty(a).unwrap(),
        serde_json::to_string_pretty(b).unwrap(),
    );
    if a != b {
        let diff = a
            .lines()
            .zip(b.lines())
            .enumerate()
            .find(|(_, (x, y))| x != y)
            .map(|(i, (x, y))| format!("line {i}: {x} vs {y}"));
        panic!("{what}: the reports differ: {diff:?}");
    }
}

/// `acdsim run <v> --json --per-replication` from the binary (`tag` names the temporary file).
pub fn binary_json(v: &Value, tag: &str) -> Value {
    let path = std::env::temp_dir().join(format!("acdsim-test-{}-{tag}.json", std::process::id()));
    std::fs::write(&path, v.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_acdsim"))
        .arg("run")
        .arg(&path)
        .args(["--json", "--per-replication", "--quiet"])
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every replication's statistics of `sc`, in replication order (2 worker threads).
pub fn replications(sc: &Scenario) -> Vec<acdsim::stats::ReplicationStats> {
    let opts = RunOptions {
        replications: sc.replications,
        seed: sc.seed,
        threads: 2,
    };
    acdsim::runner::run_replications(sc, opts, |s| s, |_| {})
}

/// Every replication's metrics of the scenario `v` (its own replications
/// and seed; 2 worker threads), in replication order.
pub fn metrics(v: &Value) -> Vec<acdsim::report::ReplicationMetrics> {
    let sc = scenario(v);
    let opts = RunOptions {
        replications: sc.replications,
        seed: sc.seed,
        threads: 2,
    };
    acdsim::runner::run_metrics(&sc, opts, |_| {})
}
