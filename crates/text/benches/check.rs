//! Speed of the proofreader: a 10,000-character report (goal < 2 ms on one
//! core) and plain-text throughput (goal ≥ 20 MB/s).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shoutu_text::proofread::Checker;

const PARTS: [&str; 4] = [
    include_str!("../tests/corpus/seeds/000.txt"),
    include_str!("../tests/corpus/seeds/003.txt"),
    include_str!("../tests/corpus/clean/report.txt"),
    include_str!("../tests/corpus/clean/summary.txt"),
];

/// Real report text (defects included) repeated to `chars` characters.
fn corpus(chars: usize) -> String {
    let mut s = String::new();
    let mut n = 0;
    'outer: loop {
        for part in PARTS {
            for c in part.chars() {
                if n == chars {
                    break 'outer;
                }
                s.push(c);
                n += 1;
            }
        }
    }
    s
}

fn bench(c: &mut Criterion) {
    let checker = Checker::new();
    let report = corpus(10_000);
    let mut g = c.benchmark_group("proofread");
    g.throughput(Throughput::Bytes(report.len() as u64));
    g.bench_function("report_10k_chars", |b| {
        b.iter(|| checker.check_text(std::hint::black_box(&report)))
    });
    let big = corpus(1_000_000);
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.sample_size(20);
    g.bench_function("plain_text_1m_chars", |b| {
        b.iter(|| checker.check_text(std::hint::black_box(&big)))
    });
    g.finish();
    c.bench_function("checker_new", |b| b.iter(Checker::new));
}

criterion_group!(benches, bench);
criterion_main!(benches);
