//! `shoutu bench opinion`: the speed of the 舆情 pipeline on a generated, deterministic corpus
//! (Chinese posts of 50–300 characters, 20,000 keywords in 2,000 rules): matching MB/s on
//! one core against a plain single-automaton scan of the same keywords (the ceiling),
//! end-to-end ingest into a temporary SQLite file (dedup, matching, grouping, levels,
//! alerts) in posts/s, and the peak memory of the process.

use anyhow::Context;
use clap::{Args, Subcommand};
use daachorse::CharwiseDoubleArrayAhoCorasickBuilder;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shoutu_domain::opinion::Post;
use shoutu_domain::opinion::SeverityConfig;
use shoutu_domain::unit::NewUnit;
use shoutu_domain::{Scope, SystemClock};
use shoutu_store::NewSource;
use shoutu_text::monitor::{MatchScratch, RuleId, RuleSet, parse_scheme};
use shoutu_web::monitoring::Monitor;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Matching throughput, ingest speed and peak memory of the 舆情 pipeline
    Opinion(OpinionBench),
    /// Load the demo county into a temporary database, index it and time a fixed set of searches
    Search(crate::search::BenchSearchArgs),
}

#[derive(Args)]
pub struct OpinionBench {
    /// Posts in the corpus
    #[arg(long, default_value_t = 1_000_000)]
    posts: usize,
    /// Seed of the generated corpus
    #[arg(long, default_value_t = 4)]
    seed: u64,
}

/// Common characters the generated text is drawn from.
const CHARS: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞";
const PUNCT: [char; 5] = ['，', '。', '、', '！', '？'];

struct Corpus {
    keywords: Vec<String>,
    rules: Vec<String>,
    posts: Vec<Post>,
}

fn generate(n: usize, seed: u64) -> Corpus {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let chars: Vec<char> = CHARS.chars().collect();
    let mut seen = std::collections::HashSet::new();
    let mut keywords = Vec::with_capacity(20_000);
    while keywords.len() < 20_000 {
        let len = rng.random_range(2..=4);
        let k: String = (0..len).map(|_| chars[rng.random_range(0..chars.len())]).collect();
        if seen.insert(k.clone()) {
            keywords.push(k);
        }
    }
    // Ten keywords a rule: two OR groups joined by AND, NOT, and a NEAR alternative.
    let rules: Vec<String> = keywords
        .chunks(10)
        .map(|k| {
            format!(
                "({} | {} | {} | {}) & ({} | {} | {}) & !{} | ({} NEAR/12 {})",
                k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9]
            )
        })
        .collect();
    let start = chrono::DateTime::<chrono::Utc>::from_timestamp(1_772_000_000, 0).expect("a valid time");
    let mut posts: Vec<Post> = Vec::with_capacity(n);
    for i in 0..n {
        let at = start + chrono::Duration::seconds(i as i64 / 4);
        // One post in ten reposts a recent one with a light edit, as events do.
        let text = if i > 100 && rng.random_range(0..10) == 0 {
            let original = &posts[i - rng.random_range(1..100)].text;
            format!("转发：{original}{}", rng.random_range(0..1000))
        } else {
            let len = rng.random_range(50..=300);
            let mut t = String::with_capacity(len * 3);
            let mut next_punct = rng.random_range(8..20);
            for j in 0..len {
                if j == next_punct {
                    t.push(PUNCT[rng.random_range(0..PUNCT.len())]);
                    next_punct += rng.random_range(8..20);
                } else {
                    t.push(chars[rng.random_range(0..chars.len())]);
                }
            }
            // One post in twenty is about a monitored topic.
            if rng.random_range(0..20) == 0 {
                let r = rng.random_range(0..rules.len());
                let k = &keywords[r * 10..r * 10 + 10];
                t.push_str(&k[rng.random_range(0..4)]);
                t.push('，');
                t.push_str(&k[4 + rng.random_range(0..3)]);
            }
            t
        };
        posts.push(Post {
            source: "bench".into(),
            source_id: Some(i.to_string()),
            platform: ["微博", "抖音", "论坛", "新闻"][i % 4].into(),
            url: format!("https://bench.example/{i}"),
            author: None,
            published_at: Some(at),
            title: None,
            text,
        });
    }
    Corpus { keywords, rules, posts }
}

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Opinion(args) => opinion(args).await,
        BenchCommand::Search(args) => crate::search::bench(args).await,
    }
}

async fn opinion(args: OpinionBench) -> anyhow::Result<ExitCode> {
    eprintln!("生成语料：{} 条……", args.posts);
    let corpus = generate(args.posts, args.seed);
    let bytes: usize = corpus.posts.iter().map(|p| p.text.len()).sum();
    let mib = bytes as f64 / (1024.0 * 1024.0);

    let rules = RuleSet::compile(
        corpus
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (RuleId(i as i64), r.as_str())),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut scratch = MatchScratch::default();
    let started = Instant::now();
    let mut matched = 0usize;
    for p in &corpus.posts {
        if !rules.matches_with(&p.text, &mut scratch).is_empty() {
            matched += 1;
        }
    }
    let rules_secs = started.elapsed().as_secs_f64();

    let plain: daachorse::CharwiseDoubleArrayAhoCorasick<u32> = CharwiseDoubleArrayAhoCorasickBuilder::new()
        .build(&corpus.keywords)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let mut hits = 0usize;
    for p in &corpus.posts {
        hits += plain.find_overlapping_iter(&p.text).count();
    }
    let plain_secs = started.elapsed().as_secs_f64();

    let rules_mbs = mib / rules_secs;
    let plain_mbs = mib / plain_secs;
    println!(
        "语料：{} 条，{mib:.1} MiB；关键词 {}，规则 {}",
        corpus.posts.len(),
        corpus.keywords.len(),
        corpus.rules.len()
    );
    println!("规则匹配（单核，含归一化与布尔求值）：{rules_mbs:.0} MiB/s，命中 {matched} 条");
    println!("单一自动机扫描（参照上限）：{plain_mbs:.0} MiB/s，关键词出现 {hits} 次");
    println!("比值：{:.2}", rules_mbs / plain_mbs);

    // End to end into a temporary SQLite file.
    let path = std::env::temp_dir().join(format!("shoutu-bench-{}.db", std::process::id()));
    let url = format!("sqlite:{}", path.display());
    let store = shoutu_store::connect(&url, Arc::new(SystemClock)).await?;
    let county = store
        .create_root_unit(
            "基准测试",
            NewUnit::parse(None, "county", "基准县", "", "BENCH", 0).map_err(|e| anyhow::anyhow!("{e}"))?,
        )
        .await?;
    let scope = Scope::console(county.id);
    let source = store
        .create_source(
            &scope,
            NewSource::parse(county.id, "bench", "综合").map_err(|e| anyhow::anyhow!("{e}"))?,
        )
        .await?;
    for (i, rule) in corpus.rules.iter().enumerate() {
        let scheme =
            parse_scheme(county.id, &format!("方案{i}"), rule, "1", true).map_err(|e| anyhow::anyhow!("{e}"))?;
        store.save_scheme(&scope, None, scheme).await?;
    }
    let severity = SeverityConfig::defaults();
    let bar = crate::ingest::bar(corpus.posts.len() as u64);
    let n = corpus.posts.len();
    let started = Instant::now();
    let monitor = Monitor::new(Arc::new(SystemClock));
    let summary =
        crate::ingest::ingest_with_progress(&monitor, &*store, &scope, &source, corpus.posts, &severity, &bar)
            .await
            .context("基准导入失败")?;
    let ingest_secs = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    println!(
        "导入 SQLite（去重、匹配、事件归并、分级、预警）：{:.0} 条/秒（{n} 条，{ingest_secs:.1} 秒；新增 {}，命中 {}，事件 {}，预警 {}）",
        n as f64 / ingest_secs,
        summary.new,
        summary.matched,
        summary.events_new,
        summary.alerts.len()
    );
    if let Some(peak) = peak_memory_mib() {
        println!("峰值内存（VmHWM）：{peak:.0} MiB");
    }
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(ExitCode::SUCCESS)
}
