//! Speed of the opinion monitor (issue 4): rule matching in MB/s against the plain
//! single-automaton scan (the ceiling), and event grouping in posts/s.
//!
//! The corpus is generated, deterministic: Chinese posts of 50–300 characters with
//! punctuation, 20,000 keywords in 2,000 rules of 10 keywords each (OR groups, AND,
//! NOT and NEAR), keywords planted in about half the posts. Before criterion runs, a
//! one-shot pass over 1,000,000 posts prints matching and grouping throughput, and
//! a small experiment prints how MinHash and SimHash group lightly edited reposts.

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use daachorse::CharwiseDoubleArrayAhoCorasick;
use shoutu_text::monitor::{EventConfig, EventIndex, Fingerprint, MatchScratch, Post, RuleId, RuleSet};

/// Common characters for generated text (a hand-typed sample, no word list).
const POOL: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞";
const PUNCT: [char; 6] = ['，', '。', '、', '！', '？', '；'];

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Corpus {
    pool: Vec<char>,
    keywords: Vec<String>,
    rules: Vec<String>,
}

impl Corpus {
    fn new() -> Corpus {
        let pool: Vec<char> = POOL.chars().collect();
        let mut rng = Rng(0x5eed);
        let mut seen = std::collections::HashSet::new();
        let mut keywords = Vec::new();
        while keywords.len() < 20_000 {
            let len = [2, 3, 3, 4][rng.below(4)];
            let k: String = (0..len).map(|_| pool[rng.below(pool.len())]).collect();
            if seen.insert(k.clone()) {
                keywords.push(k);
            }
        }
        let rules = keywords
            .chunks(10)
            .map(|k| {
                format!(
                    "({} | {} | {}) & ({} | {} | {}) & !{} | ({} NEAR/10 {}) & !{}",
                    k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9]
                )
            })
            .collect();
        Corpus { pool, keywords, rules }
    }

    fn rule_set(&self) -> RuleSet {
        RuleSet::compile(
            self.rules
                .iter()
                .enumerate()
                .map(|(i, r)| (RuleId(i as i64), r.as_str())),
        )
        .unwrap()
    }

    /// Post `i` of the stream: 50–300 characters, a punctuation mark every 8–20, and in
    /// every other post a few rule keywords planted.
    fn post_text(&self, rng: &mut Rng) -> String {
        let len = 50 + rng.below(251);
        let mut s = String::with_capacity(len * 3);
        let mut n = 0;
        let mut next_punct = 8 + rng.below(13);
        let plant = rng.below(2) == 0;
        while n < len {
            if plant && rng.below(40) == 0 {
                let k = &self.keywords[rng.below(self.keywords.len())];
                s.push_str(k);
                n += k.chars().count();
            } else {
                s.push(self.pool[rng.below(self.pool.len())]);
                n += 1;
            }
            if n >= next_punct {
                s.push(PUNCT[rng.below(PUNCT.len())]);
                n += 1;
                next_punct = n + 8 + rng.below(13);
            }
        }
        s
    }

    fn posts(&self, count: usize, seed: u64) -> Vec<String> {
        let mut rng = Rng(seed);
        (0..count).map(|_| self.post_text(&mut rng)).collect()
    }
}

fn post(i: usize, text: String, at: DateTime<Utc>) -> Post {
    Post {
        source: "bench".into(),
        source_id: Some(i.to_string()),
        platform: ["微博", "抖音", "论坛", "网站"][i % 4].into(),
        url: String::new(),
        author: None,
        published_at: Some(at),
        title: None,
        text,
    }
}

/// A stream where about a third of the posts are lightly edited reposts of an
/// earlier post (prefix, a changed character, an appended remark), at 100 posts
/// per simulated minute.
fn event_stream(corpus: &Corpus, count: usize, seed: u64) -> Vec<Post> {
    let mut rng = Rng(seed);
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let mut posts: Vec<Post> = Vec::with_capacity(count);
    for i in 0..count {
        let at = start + Duration::milliseconds(600 * i as i64);
        let text = if i > 100 && rng.below(3) == 0 {
            let original = &posts[i - 1 - rng.below(100)].text;
            light_edit(original, corpus, &mut rng)
        } else {
            corpus.post_text(&mut rng)
        };
        posts.push(post(i, text, at));
    }
    posts
}

fn light_edit(original: &str, corpus: &Corpus, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = original.chars().collect();
    for _ in 0..2 {
        let at = rng.below(chars.len());
        chars[at] = corpus.pool[rng.below(corpus.pool.len())];
    }
    let prefix = ["转发：", "//@某网友：", "", "扩散！"][rng.below(4)];
    format!(
        "{prefix}{}{}",
        chars.into_iter().collect::<String>(),
        ["", "！！", "求关注", "。"][rng.below(4)]
    )
}

/// How each fingerprint groups crafted reposts: recall (the edit joins its
/// original) and false merges (a different post on the same topic joins it).
fn dedup_experiment(corpus: &Corpus) {
    let topic = "呼和镇王家村拆迁补偿款至今没有发放到位";
    let mut rng = Rng(77);
    for (label, lo, hi) in [
        ("short posts (50–120 chars)", 50, 120),
        ("articles (400–1000 chars)", 400, 1000),
    ] {
        for (name, fp) in [
            ("MinHash J≥0.5", Fingerprint::MinHash { min_similarity: 0.5 }),
            ("SimHash d≤3", Fingerprint::SimHash { max_distance: 3 }),
        ] {
            let mut joined = 0;
            let mut false_merges = 0;
            let trials = 500;
            for t in 0..trials {
                let mut index = EventIndex::new(EventConfig {
                    decay_hours: 48,
                    fingerprint: fp,
                });
                let len = lo + rng.below(hi - lo);
                let body: String = (0..len).map(|_| corpus.pool[rng.below(corpus.pool.len())]).collect();
                let original = format!("{topic}，{body}");
                let other_body: String = (0..len).map(|_| corpus.pool[rng.below(corpus.pool.len())]).collect();
                let other = format!("{topic}，{other_body}");
                let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
                let a = index.assign(&post(3 * t, original.clone(), at));
                let b = index.assign(&post(3 * t + 1, light_edit(&original, corpus, &mut rng), at));
                let c = index.assign(&post(3 * t + 2, other, at));
                joined += usize::from(a == b);
                false_merges += usize::from(a == c);
            }
            println!(
                "dedup {label:28} {name:14}: repost joins original {:5.1}%, same-topic other post merged {:4.1}%",
                100.0 * joined as f64 / trials as f64,
                100.0 * false_merges as f64 / trials as f64
            );
        }
    }
}

/// One pass over a million posts, generated in chunks so memory stays small; only
/// matching and grouping are timed.
fn million(corpus: &Corpus, rules: &RuleSet) {
    let automaton = CharwiseDoubleArrayAhoCorasick::<u32>::new(rules.keywords()).unwrap();
    let (mut bytes, mut scan_secs, mut match_secs, mut group_secs) = (0usize, 0.0, 0.0, 0.0);
    let (mut hits, mut matched_posts, mut rule_hits) = (0usize, 0usize, 0usize);
    let mut scratch = MatchScratch::default();
    let mut index = EventIndex::new(EventConfig::default());
    let total = 1_000_000;
    let chunk = 50_000;
    for c in 0..total / chunk {
        let stream = event_stream(corpus, chunk, 1000 + c as u64);
        bytes += stream.iter().map(|p| p.text.len()).sum::<usize>();
        let t = Instant::now();
        for p in &stream {
            hits += automaton.find_overlapping_iter(&p.text).count();
        }
        scan_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for p in &stream {
            let m = rules.matches_with(&p.text, &mut scratch);
            matched_posts += usize::from(!m.is_empty());
            rule_hits += m.len();
        }
        match_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        // Each chunk's clock starts again: shift it so the stream is one continuous sequence.
        let shift = Duration::milliseconds(600 * (c * chunk) as i64);
        for p in &stream {
            black_box(index.assign_at(p, p.published_at.unwrap() + shift));
        }
        group_secs += t.elapsed().as_secs_f64();
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "1M posts, {mb:.0} MB, {:.1} automaton hits/post, {:.1}% posts matched a rule ({:.2} rules/post)",
        hits as f64 / total as f64,
        100.0 * matched_posts as f64 / total as f64,
        rule_hits as f64 / total as f64
    );
    println!("  plain automaton scan (ceiling): {:.0} MB/s", mb / scan_secs);
    println!(
        "  RuleSet::matches (normalise + scan + rules): {:.0} MB/s = {:.0}% of the ceiling",
        mb / match_secs,
        100.0 * scan_secs / match_secs
    );
    let open = index.open_events().count();
    let closed = index.take_closed().len();
    println!(
        "  EventIndex::assign (MinHash): {:.0} posts/s, {} events ({} still open)",
        total as f64 / group_secs,
        open + closed,
        open
    );
}

fn bench(c: &mut Criterion) {
    let corpus = Corpus::new();
    let t = Instant::now();
    let rules = corpus.rule_set();
    println!(
        "compiled 2,000 rules / {} keywords in {:.0} ms",
        rules.keywords().len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    // MONITOR_BENCH_QUICK=1 skips the one-shot passes (for iterating on criterion figures).
    if std::env::var_os("MONITOR_BENCH_QUICK").is_none() {
        dedup_experiment(&corpus);
        million(&corpus, &rules);
    }

    let posts = corpus.posts(20_000, 42);
    let bytes: usize = posts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("monitor_match");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    let daac = CharwiseDoubleArrayAhoCorasick::<u32>::new(rules.keywords()).unwrap();
    g.bench_function("daachorse_scan_ceiling", |b| {
        b.iter(|| {
            posts
                .iter()
                .map(|p| daac.find_overlapping_iter(p).count())
                .sum::<usize>()
        })
    });
    let folded_posts: Vec<String> = posts.iter().map(|p| shoutu_text::monitor::normalize(p)).collect();
    g.bench_function("daachorse_scan_folded", |b| {
        b.iter(|| {
            folded_posts
                .iter()
                .map(|p| daac.find_overlapping_iter(p).count())
                .sum::<usize>()
        })
    });
    let ac = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(rules.keywords())
        .unwrap();
    g.bench_function("aho_corasick_dfa_scan", |b| {
        b.iter(|| posts.iter().map(|p| ac.find_overlapping_iter(p).count()).sum::<usize>())
    });
    let mut folded = String::new();
    let mut dropped = Vec::new();
    g.bench_function("normalise_only", |b| {
        b.iter(|| {
            posts.iter().for_each(|p| {
                folded.clear();
                dropped.clear();
                shoutu_text::monitor::normalize::fold_compact(p, &mut folded, &mut dropped);
                black_box(&folded);
            })
        })
    });
    let mut scratch = MatchScratch::default();
    g.bench_function("ruleset_matches", |b| {
        b.iter(|| {
            posts
                .iter()
                .map(|p| rules.matches_with(p, &mut scratch).len())
                .sum::<usize>()
        })
    });
    g.finish();

    let stream = event_stream(&corpus, 20_000, 7);
    let mut g = c.benchmark_group("monitor_events");
    g.sample_size(10);
    g.throughput(Throughput::Elements(stream.len() as u64));
    for (name, fp) in [
        ("minhash_assign", Fingerprint::MinHash { min_similarity: 0.5 }),
        ("simhash_assign", Fingerprint::SimHash { max_distance: 3 }),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut index = EventIndex::new(EventConfig {
                    decay_hours: 48,
                    fingerprint: fp,
                });
                for p in &stream {
                    black_box(index.assign(p));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
