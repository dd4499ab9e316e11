//! Whole-run routing throughput on the shipped scenarios, reported as calls
//! simulated per second (criterion `Throughput::Elements`).

use acdsim::runner::run_one;
use acdsim::scenario::Scenario;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;

fn load(name: &str) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn whole_runs(c: &mut Criterion) {
    let mut group = c.benchmark_group("replication");
    group.sample_size(10);
    for name in ["mmc-abandon.json", "multi-skill.json"] {
        let sc = load(name);
        // Calls per replication (every generated call, warm-up included).
        let calls = run_one(&sc, sc.seed, 0).calls_generated;
        group.throughput(Throughput::Elements(calls));
        group.bench_function(name.trim_end_matches(".json"), |b| {
            let mut rep = 0u32;
            b.iter(|| {
                rep = rep.wrapping_add(1);
                black_box(run_one(&sc, sc.seed, rep).calls_generated)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, whole_runs);
criterion_main!(benches);
