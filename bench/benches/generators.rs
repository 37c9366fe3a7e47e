//! The cogen benchmark suite: W1 iterate, W2 send, W3 delegate, W4 tree, W5 switch, W6 async
//! stream, W7 pipeline, W8 stream polled in a loop, every implementation in the same run.
//! Throughput is in items (W5: task switches), so criterion's per-iteration median divided
//! by the item count is ns per item (`report.py` does that).
//!
//! Settings are trimmed so that one run of the whole suite (about 90 benchmarks) takes about
//! three and a half minutes on a 2-core machine, and `bash bench/run.sh` can afford three
//! runs: 15 flat samples, 0.5 s warm-up, 1.5 s measurement per benchmark. Each
//! iteration is a whole workload (62,500 to 1,000,000 items), so a sample is long enough to
//! be stable. Override with criterion's own flags, e.g.
//! `cargo bench --manifest-path bench/Cargo.toml -- --measurement-time 5 W3`; run one
//! workload with a filter, e.g. `-- W5`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

use cogen_bench::*;

fn w1_iterate(c: &mut Criterion) {
    let mut group = c.benchmark_group("W1_iterate");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(W1_N));
    for &(name, f) in W1_IMPLS.iter().chain(W1_COUNTDOWN_IMPLS) {
        group.bench_function(name, |b| b.iter(|| f(black_box(W1_N))));
    }
    group.finish();
}

fn w2_send(c: &mut Criterion) {
    let mut group = c.benchmark_group("W2_send");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(W2_N));
    for &(name, f) in W2_IMPLS {
        group.bench_function(name, |b| b.iter(|| f(black_box(W2_N))));
    }
    group.finish();
}

fn w3_delegate(c: &mut Criterion) {
    let mut group = c.benchmark_group("W3_delegate");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(W3_N));
    for d in W3_DEPTHS {
        for &(name, f) in W3_IMPLS {
            group.bench_with_input(BenchmarkId::new(name, d), &d, |b, &d| {
                b.iter(|| f(black_box(d), black_box(W3_N)))
            });
        }
        if W3_STATIC_DEPTHS.contains(&d) {
            group.bench_with_input(BenchmarkId::new("cogen_static", d), &d, |b, &d| {
                b.iter(|| w3::cogen_static(black_box(d), black_box(W3_N)))
            });
        }
    }
    group.finish();
}

fn w4_tree(c: &mut Criterion) {
    let tree = cogen_bench::w4_tree();
    let mut group = c.benchmark_group("W4_tree");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(W4_NODES as u64));
    for &(name, f) in W4_IMPLS {
        group.bench_function(name, |b| b.iter(|| f(black_box(tree))));
    }
    group.finish();
}

fn w5_switch(c: &mut Criterion) {
    let mut group = c.benchmark_group("W5_switch");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(W5_SWITCHES));
    for &(name, f) in W5_IMPLS {
        group.bench_function(name, |b| {
            b.iter(|| f(black_box(W5_TASKS), black_box(W5_YIELDS)))
        });
    }
    group.finish();
}

fn w6_async_stream(c: &mut Criterion) {
    let mut group = c.benchmark_group("W6_async_stream");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(W6_N));
    for &(name, f) in W6_IMPLS.iter().chain(W6B_IMPLS) {
        group.bench_function(name, |b| b.iter(|| f(black_box(W6_N))));
    }
    group.finish();
}

fn w7_pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("W7_pipeline");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(W7_N));
    for &(name, f) in W7_IMPLS {
        group.bench_function(name, |b| b.iter(|| f(black_box(W7_N))));
    }
    group.finish();
}

fn w8_stream_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("W8_stream_loop");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(W8_N));
    for &(name, f) in W8_IMPLS {
        group.bench_function(name, |b| b.iter(|| f(black_box(W8_N))));
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(15)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = w1_iterate, w2_send, w3_delegate, w4_tree, w5_switch, w6_async_stream,
        w7_pipeline, w8_stream_loop
}
criterion_main!(benches);
