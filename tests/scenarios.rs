//! Every shipped scenario in `scenarios/` parses, runs, and satisfies the
//! conservation laws; the multi-skill center's routing does what it says.

use acdsim::runner::{run_one, simulate, RunOptions};
use acdsim::scenario::Scenario;
use std::path::PathBuf;

fn shipped() -> Vec<(String, Scenario)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            out.push((path.file_name().unwrap().to_string_lossy().into_owned(), sc));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        out.len() >= 2,
        "expected the shipped scenarios, found {}",
        out.len()
    );
    out
}

#[test]
fn every_shipped_scenario_runs_and_conserves_calls() {
    for (name, sc) in shipped() {
        let stats = run_one(&sc, sc.seed, 0);
        for (q, c) in stats.queues.iter().enumerate() {
            assert!(c.offered > 0, "{name}: queue {q} got no calls");
            assert_eq!(
                c.offered,
                c.answered + c.abandoned + c.disconnected + c.unresolved,
                "{name}: queue {q}"
            );
            if sc.closing == acdsim::scenario::Closing::Drain {
                assert_eq!(c.unresolved, 0, "{name}: queue {q} drains");
            }
        }
        for g in &stats.groups {
            assert!(g.busy_us <= g.logged_us, "{name}: occupancy above 100%");
            assert!(g.handled > 0, "{name}: a group handled nothing");
        }
    }
}

#[test]
fn multi_skill_center_routing_is_sensible() {
    let (_, sc) = shipped()
        .into_iter()
        .find(|(n, _)| n == "multi-skill.json")
        .unwrap();
    assert!(sc.queues.len() >= 3 && sc.agent_groups.len() >= 3);
    assert!(
        sc.agent_groups
            .iter()
            .any(|g| g.skills.iter().any(|&(_, l)| l > 1)),
        "some cross-training"
    );
    let s = simulate(
        &sc,
        RunOptions {
            replications: 10,
            seed: sc.seed,
            threads: 2,
        },
    );
    let queue = |q: &str| s.queues.iter().find(|x| x.name == q).unwrap();
    let group = |g: &str| s.agent_groups.iter().find(|x| x.name == g).unwrap();
    // Sales is the lowest priority and the least patient: it abandons more than tech support.
    let (ab_sales, ab_tech) = (
        queue("sales").get("abandon_rate"),
        queue("tech support").get("abandon_rate"),
    );
    assert!(
        ab_sales.mean - ab_sales.ci95 > ab_tech.mean + ab_tech.ci95,
        "sales {ab_sales:?} tech {ab_tech:?}"
    );
    // The seniors answer every VIP call and, cross-trained, tech calls as well.
    let seniors = group("senior agents").get("handled").mean;
    let vip = queue("vip").get("answered").mean;
    assert!(
        seniors > vip * 1.1,
        "seniors handled {seniors}, vip answered {vip}"
    );
    // A busy but not saturated floor.
    let occ = s.total.get("occupancy").mean;
    assert!(occ > 0.7 && occ < 0.99, "occupancy {occ}");
}
