//! Whole-run routing throughput on the shipped scenarios, reported as calls
//! simulated per second (criterion `Throughput::Elements`).

use acdsim::rng::Stream;
use acdsim::runner::run_one;
use acdsim::scenario::Scenario;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand_distr::{Distribution, Exp1};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
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

/// Calls per second as the center grows: generated centers of 1 to 1000
/// queues and groups (10 agents each): a skill per queue, the same with a
/// skill every group holds, and every queue of one skill. The cost per call
/// should grow like log(size), not like size.
fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    use acdsim::bench::CenterShape;
    for shape in [
        CenterShape::Skills,
        CenterShape::Wide,
        CenterShape::OneSkill,
    ] {
        for queues in [1usize, 10, 100, 1000] {
            let sc = acdsim::bench::generated_center(queues, 10, shape);
            let calls = run_one(&sc, sc.seed, 0).calls_generated;
            group.throughput(Throughput::Elements(calls));
            group.bench_function(
                format!(
                    "{}{queues}",
                    match shape {
                        CenterShape::Skills => "",
                        CenterShape::Wide => "wide_",
                        CenterShape::OneSkill => "one_skill_",
                    }
                ),
                |b| {
                    let mut rep = 0u32;
                    b.iter(|| {
                        rep = rep.wrapping_add(1);
                        black_box(run_one(&sc, sc.seed, rep).calls_generated)
                    })
                },
            );
        }
    }
    group.finish();
}

/// The floor: a bare hand-written event loop of the mmc-abandon workload with
/// no routing rules and no statistics beyond a call count, and a patience
/// timer event per waiting call (as the peers' README describes it). Returns
/// the number of calls generated.
fn bare_mmc_abandon(seed: u64) -> u64 {
    const ARRIVAL: u32 = 0;
    const DEPARTURE: u32 = 1;
    const ABANDON: u32 = 2;
    let (mean_gap, mean_talk, mean_patience) = (0.6e6, 180e6, 120e6);
    let end = 37_800_000_000u64;
    let mut rng = Stream::new(seed, 0, 0, 0);
    let mut exp = |mean: f64| -> u64 {
        let e: f64 = Exp1.sample(&mut rng);
        (e * mean) as u64
    };
    let mut heap: BinaryHeap<Reverse<(u64, u64, u32, u32)>> = BinaryHeap::with_capacity(4096);
    let mut seq = 0u64;
    let mut waiting: VecDeque<u32> = VecDeque::with_capacity(4096);
    let mut queued: Vec<bool> = Vec::with_capacity(70_000);
    let (mut free, mut calls) = (310u32, 0u64);
    heap.push(Reverse((exp(mean_gap), 0, ARRIVAL, 0)));
    while let Some(Reverse((t, _, kind, id))) = heap.pop() {
        if t >= end {
            break;
        }
        seq += 1;
        match kind {
            ARRIVAL => {
                let call = calls as u32;
                calls += 1;
                heap.push(Reverse((t + exp(mean_gap), seq, ARRIVAL, 0)));
                if free > 0 {
                    free -= 1;
                    queued.push(false);
                    heap.push(Reverse((t + exp(mean_talk), seq, DEPARTURE, call)));
                } else {
                    queued.push(true);
                    waiting.push_back(call);
                    heap.push(Reverse((t + exp(mean_patience), seq, ABANDON, call)));
                }
            }
            DEPARTURE => {
                free += 1;
                while let Some(next) = waiting.pop_front() {
                    if queued[next as usize] {
                        queued[next as usize] = false;
                        free -= 1;
                        heap.push(Reverse((t + exp(mean_talk), seq, DEPARTURE, next)));
                        break;
                    }
                }
            }
            _ => queued[id as usize] = false,
        }
    }
    calls
}

/// The full engine and the bare floor side by side, in the same run.
fn against_the_floor(c: &mut Criterion) {
    let mut group = c.benchmark_group("mmc_abandon_vs_floor");
    group.sample_size(10);
    let sc = load("mmc-abandon.json");
    group.throughput(Throughput::Elements(
        run_one(&sc, sc.seed, 0).calls_generated,
    ));
    group.bench_function("acdsim", |b| {
        let mut rep = 0u32;
        b.iter(|| {
            rep = rep.wrapping_add(1);
            black_box(run_one(&sc, sc.seed, rep).calls_generated)
        })
    });
    group.throughput(Throughput::Elements(bare_mmc_abandon(0)));
    group.bench_function("bare_loop_floor", |b| {
        let mut seed = 0u64;
        b.iter(|| {
            seed += 1;
            black_box(bare_mmc_abandon(seed))
        })
    });
    group.finish();
}

criterion_group!(benches, whole_runs, scaling, against_the_floor);
criterion_main!(benches);
