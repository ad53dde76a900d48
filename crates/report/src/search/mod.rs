//! One search box over every record, attachment text and report, in Chinese.
//!
//! The index is fed from the audit log: every write of every register appends an entry with
//! the record's kind, id, unit and new state, so a register added later is searchable without
//! knowing about search. The index keeps the seq of the last entry it took in its commit
//! payload; [`SearchIndex::catch_up`] takes whatever is newer, and `shoutu reindex` starts
//! from nothing. The index lives on one machine and can always be rebuilt from the database.
//!
//! Scope is applied when querying: the caller passes the unit ids of its subtree and only
//! documents of those units are matched, attachments included.

mod extract;
mod grams;
mod highlight;
mod record;

pub use extract::text_of;
pub use record::is_secret;

use record::{Change, body_of, change_of, date_of, key_of, merge, title_of};
use serde_json::{Map, Value};
use shoutu_store::SearchFeedStore;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value as _,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, TokenStream};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bumped whenever the schema or what goes into a document changes: an index of another
/// version is rebuilt from the audit log instead of being misread.
const SCHEMA_VERSION: u32 = 4;
const TOKENIZER: &str = "jieba";
const BIGRAMS: &str = "bigrams";
/// Audit entries read per round trip to the database.
const FEED_BATCH: i64 = 2000;
/// Records held in memory before a commit during a long catch-up.
const COMMIT_EVERY: usize = 20_000;
const WRITER_HEAP: usize = 50_000_000;
/// Terms of a query beyond these are ignored; each becomes a clause.
const MAX_TERMS: usize = 8;
/// Characters of body text shown around the first hit.
const SNIPPET_CHARS: usize = 120;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("检索索引出错：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("无法打开检索索引目录 {path}：{reason}")]
    Directory { path: String, reason: String },
    #[error("读取审计日志失败：{0}")]
    Store(#[from] shoutu_store::StoreError),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    unit: Field,
    title: Field,
    body: Field,
    /// Title and body again as overlapping character pairs (see `grams`).
    grams: Field,
    state: Field,
    at: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let grams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BIGRAMS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        id: b.add_text_field("id", STORED),
        unit: b.add_i64_field("unit", INDEXED | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        grams: b.add_text_field("grams", grams),
        state: b.add_text_field("state", STORED),
        at: b.add_text_field("at", STORED),
    };
    (b.build(), fields)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    version: u32,
    seq: i64,
    /// The audit hash of entry `seq`: if the database behind the index is replaced (a new
    /// demo, a restored backup), the entry at the cursor no longer matches and the index
    /// starts over instead of mixing two histories.
    #[serde(default)]
    hash: String,
}

/// The index with its cursor. Cheap to share behind an `Arc`; searches run concurrently,
/// catch-ups one at a time.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    files_dir: PathBuf,
    /// The writer and the seq of the last audit entry indexed, together: whoever holds the
    /// lock owns both.
    writer: tokio::sync::Mutex<Writer>,
    /// Stored files (by sha256) whose text could not be read: indexed by name only and not
    /// read again while the process runs.
    refused: std::sync::Mutex<std::collections::HashSet<String>>,
}

struct Writer {
    writer: Option<IndexWriter>,
    seq: i64,
    hash: String,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
        .filter(LowerCaser)
        .build()
}

impl SearchIndex {
    /// An index in memory: for tests and for a server started without an index directory.
    pub fn in_memory(files_dir: impl Into<PathBuf>) -> Result<Self> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields, files_dir.into())
    }

    /// Opens the index in `dir`, creating it when absent and starting over when it was
    /// written by another version.
    pub fn open(dir: &Path, files_dir: impl Into<PathBuf>) -> Result<Self> {
        let (schema, fields) = schema();
        let directory_error = |e: &dyn std::fmt::Display| SearchError::Directory {
            path: dir.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| directory_error(&e))?;
        let existing = Index::open_in_dir(dir)
            .ok()
            .filter(|index| index.schema() == schema && payload_of(index).is_some_and(|p| p.version == SCHEMA_VERSION));
        let index = match existing {
            Some(index) => index,
            None => {
                clear_dir(dir).map_err(|e| directory_error(&e))?;
                Index::create_in_dir(dir, schema).map_err(|e| directory_error(&e))?
            }
        };
        Self::from_index(index, fields, files_dir.into())
    }

    fn from_index(index: Index, fields: Fields, files_dir: PathBuf) -> Result<Self> {
        index.tokenizers().register(TOKENIZER, analyzer());
        index.tokenizers().register(BIGRAMS, TextAnalyzer::from(grams::Bigrams));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let (seq, hash) = payload_of(&index).map_or((0, String::new()), |p| (p.seq, p.hash));
        Ok(SearchIndex {
            index,
            reader,
            fields,
            files_dir,
            writer: tokio::sync::Mutex::new(Writer {
                writer: None,
                seq,
                hash,
            }),
            refused: Default::default(),
        })
    }

    /// The seq of the last audit entry in the index.
    pub async fn indexed_up_to(&self) -> i64 {
        self.writer.lock().await.seq
    }

    /// Indexes every audit entry newer than the cursor; returns how many were read.
    pub async fn catch_up(&self, feed: &dyn SearchFeedStore) -> Result<usize> {
        self.catch_up_with(feed, &mut |_, _| {}).await
    }

    /// Forgets everything and indexes the whole audit log again.
    pub async fn rebuild(
        &self,
        feed: &dyn SearchFeedStore,
        progress: &mut (dyn FnMut(i64, i64) + Send),
    ) -> Result<usize> {
        self.reset(&mut *self.writer.lock().await)?;
        self.catch_up_with(feed, progress).await
    }

    /// `progress(done_seq, head_seq)` is called after each batch.
    pub async fn catch_up_with(
        &self,
        feed: &dyn SearchFeedStore,
        progress: &mut (dyn FnMut(i64, i64) + Send),
    ) -> Result<usize> {
        let mut w = self.writer.lock().await;
        if w.seq > 0 {
            let at_cursor = feed.search_feed_after(w.seq - 1, 1).await?;
            if !at_cursor.first().is_some_and(|e| e.seq == w.seq && e.hash == w.hash) {
                tracing::warn!("the audit log behind the search index changed; rebuilding the index");
                self.reset(&mut w)?;
            }
        }
        let head = feed.search_feed_head().await?;
        if head <= w.seq {
            return Ok(0);
        }
        let mut last_hash = w.hash.clone();
        let mut pending: HashMap<String, Pending> = HashMap::new();
        let mut read = 0usize;
        let mut cursor = w.seq;
        loop {
            let batch = feed.search_feed_after(cursor, FEED_BATCH).await?;
            let Some(last) = batch.last() else { break };
            cursor = last.seq;
            last_hash = last.hash.clone();
            read += batch.len();
            for entry in &batch {
                let change = change_of(entry);
                if change == Change::Skip {
                    continue;
                }
                let key = key_of(&entry.record_type, &entry.record_id);
                if !pending.contains_key(&key) {
                    let state = self.stored_state(&key)?;
                    pending.insert(
                        key.clone(),
                        Pending {
                            kind: entry.record_type.clone(),
                            id: entry.record_id.clone(),
                            unit: 0,
                            at: String::new(),
                            state: state.unwrap_or_default(),
                            deleted: false,
                        },
                    );
                }
                let p = pending.get_mut(&key).expect("just inserted");
                p.unit = entry.unit_id.unwrap_or_default();
                p.at = entry.at.clone();
                match change {
                    Change::Upsert(fields) => {
                        p.deleted = false;
                        merge(&mut p.state, fields);
                    }
                    Change::Delete => p.deleted = true,
                    Change::Skip => {}
                }
            }
            if pending.len() >= COMMIT_EVERY {
                let batch = std::mem::take(&mut pending);
                let texts = self.attachment_texts(&batch).await;
                self.flush(&mut w, batch, &texts, cursor, &last_hash)?;
            }
            progress(cursor, head);
            if cursor >= head {
                break;
            }
        }
        let texts = self.attachment_texts(&pending).await;
        self.flush(&mut w, pending, &texts, cursor, &last_hash)?;
        Ok(read)
    }

    /// The text inside the attachments among `pending`, by record key, read on a blocking
    /// thread. A file that cannot be read (damaged, a zip bomb, a parser panic) is logged
    /// once and indexed by its name only, so it never holds the index back.
    async fn attachment_texts(&self, pending: &HashMap<String, Pending>) -> HashMap<String, String> {
        let refused = self.refused.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let jobs: Vec<(String, String, String)> = pending
            .iter()
            .filter(|(_, p)| p.kind == "attachment" && !p.deleted)
            .filter_map(|(key, p)| {
                let name = p.state.get("file_name").and_then(Value::as_str).unwrap_or("");
                let sha = p.state.get("sha256").and_then(Value::as_str)?;
                (!refused.contains(sha)).then(|| (key.clone(), name.to_string(), sha.to_string()))
            })
            .collect();
        if jobs.is_empty() {
            return HashMap::new();
        }
        let files_dir = self.files_dir.clone();
        let read = tokio::task::spawn_blocking(move || {
            jobs.into_iter()
                .map(|(key, name, sha)| {
                    let text = std::panic::catch_unwind(|| extract::stored_text(&files_dir, &name, &sha))
                        .unwrap_or_else(|_| Err(format!("附件「{name}」读取时出错")));
                    (key, sha, text)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let mut texts = HashMap::new();
        for (key, sha, text) in read {
            match text {
                Ok(text) => {
                    texts.insert(key, text);
                }
                Err(reason) => {
                    tracing::warn!("{reason}；只按文件名检索，不再重试");
                    self.refused.lock().unwrap_or_else(|e| e.into_inner()).insert(sha);
                }
            }
        }
        texts
    }

    fn writer_of<'a>(&self, w: &'a mut Writer) -> Result<&'a mut IndexWriter> {
        if w.writer.is_none() {
            w.writer = Some(self.index.writer_with_num_threads(1, WRITER_HEAP)?);
        }
        Ok(w.writer.as_mut().expect("just created"))
    }

    /// The merged state stored for a record, if it is indexed.
    fn stored_state(&self, key: &str) -> Result<Option<Map<String, Value>>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.key, key), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(*address)?;
        let state = doc
            .get_first(self.fields.state)
            .and_then(|v| v.as_str())
            .and_then(|s| serde_json::from_str::<Map<String, Value>>(s).ok());
        Ok(state)
    }

    /// Empties the index and moves the cursor to the start of the log.
    fn reset(&self, w: &mut Writer) -> Result<()> {
        let writer = self.writer_of(w)?;
        writer.delete_all_documents()?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&payload(0, ""));
        commit.commit()?;
        w.seq = 0;
        w.hash.clear();
        self.reader.reload()?;
        Ok(())
    }

    fn flush(
        &self,
        w: &mut Writer,
        pending: HashMap<String, Pending>,
        texts: &HashMap<String, String>,
        seq: i64,
        hash: &str,
    ) -> Result<()> {
        let f = self.fields;
        let writer = self.writer_of(w)?;
        for (key, p) in pending {
            writer.delete_term(Term::from_field_text(f.key, &key));
            if p.deleted {
                continue;
            }
            let label = shoutu_domain::audit::record_type_label(&p.kind);
            let mut body = body_of(&p.state);
            if let Some(text) = texts.get(&key) {
                body.push_str(text);
            }
            let mut doc = TantivyDocument::default();
            doc.add_text(f.key, &key);
            doc.add_text(f.kind, &p.kind);
            doc.add_text(f.id, &p.id);
            doc.add_i64(f.unit, p.unit);
            let title = title_of(label, &p.id, &p.state);
            doc.add_text(f.grams, format!("{title}\n{body}"));
            doc.add_text(f.title, title);
            doc.add_text(f.body, &body);
            doc.add_text(f.state, serde_json::to_string(&p.state).unwrap_or_default());
            doc.add_text(f.at, &p.at);
            writer.add_document(doc)?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&payload(seq, hash));
        commit.commit()?;
        w.seq = seq;
        w.hash = hash.to_string();
        self.reader.reload()?;
        Ok(())
    }

    /// Records and attachments of `units` matching every term of `text` (terms are separated
    /// by spaces), best first. A term matches by its words as segmented, or as a run of
    /// characters anywhere in the text.
    pub fn search(&self, request: &SearchRequest<'_>) -> Result<Hits> {
        let terms: Vec<String> = request
            .text
            .split_whitespace()
            .map(str::to_lowercase)
            .filter(|t| t.chars().any(char::is_alphanumeric))
            .take(MAX_TERMS)
            .collect();
        if terms.is_empty() || request.units.is_empty() {
            return Ok(Hits::default());
        }
        let f = self.fields;
        let mut needles: Vec<String> = Vec::new();
        let mut per_term: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &terms {
            let words = self.words(term);
            let mut ways: Vec<Box<dyn Query>> = Vec::new();
            if !words.is_empty() {
                let all_words: Vec<(Occur, Box<dyn Query>)> =
                    words.iter().map(|w| (Occur::Must, self.word_query(w))).collect();
                ways.push(Box::new(BooleanQuery::new(all_words)));
            }
            if let Some(q) = self.grams_query(term) {
                ways.push(q);
            }
            if ways.is_empty() {
                continue;
            }
            needles.push(term.clone());
            needles.extend(words.into_iter().filter(|w| w.chars().count() > 1));
            per_term.push((Occur::Must, Box::new(BooleanQuery::union(ways))));
        }
        if per_term.is_empty() {
            return Ok(Hits::default());
        }
        let mut all: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(per_term))),
            (
                Occur::Must,
                Box::new(TermSetQuery::new(
                    request.units.iter().map(|u| Term::from_field_i64(f.unit, *u)),
                )),
            ),
        ];
        let searcher = self.reader.searcher();
        let by_kind = self.count_by_kind(
            &searcher,
            BooleanQuery::new(all.iter().map(|(o, q)| (*o, q.box_clone())).collect()),
        )?;
        if let Some(kind) = request.kind.filter(|k| !k.is_empty()) {
            all.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, kind),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let query = BooleanQuery::new(all);
        let (top, total) = searcher.search(
            &query,
            &(
                TopDocs::with_limit(request.limit.max(1))
                    .and_offset(request.offset)
                    .order_by_score(),
                Count,
            ),
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let state: Map<String, Value> = serde_json::from_str(&text(f.state)).unwrap_or_default();
            let kind = text(f.kind);
            // An attachment opens where its record is shown.
            let parent = (kind == "attachment").then(|| {
                (
                    state
                        .get("record_type")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    state.get("record_id").and_then(Value::as_i64).unwrap_or(0),
                )
            });
            hits.push(Hit {
                unit_id: doc.get_first(f.unit).and_then(|v| v.as_i64()).unwrap_or(0),
                id: text(f.id),
                kind,
                parent,
                date: date_of(&state),
                title: highlight::highlight(&text(f.title), &needles, None),
                snippet: highlight::highlight(&text(f.body), &needles, Some(SNIPPET_CHARS)),
                at: text(f.at),
            });
        }
        Ok(Hits { total, hits, by_kind })
    }

    /// How many matches each record kind has, most first, in one pass over the matches.
    fn count_by_kind(&self, searcher: &tantivy::Searcher, query: BooleanQuery) -> Result<Vec<(String, usize)>> {
        use tantivy::aggregation::{AggContextParams, AggregationCollector, agg_req::Aggregations};
        let aggs: Aggregations = serde_json::from_value(serde_json::json!({
            "kinds": { "terms": { "field": "kind", "size": 100 } }
        }))
        .expect("a valid aggregation");
        let collector = AggregationCollector::from_aggs(aggs, AggContextParams::default());
        let result = serde_json::to_value(searcher.search(&query, &collector)?).unwrap_or_default();
        let buckets = result["kinds"]["buckets"].as_array().cloned().unwrap_or_default();
        Ok(buckets
            .iter()
            .filter_map(|b| Some((b["key"].as_str()?.to_string(), b["doc_count"].as_u64()? as usize)))
            .collect())
    }

    /// A segmented word in the title (weighted up) or the body.
    fn word_query(&self, word: &str) -> Box<dyn Query> {
        let f = self.fields;
        let title: Box<dyn Query> = Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(f.title, word),
                IndexRecordOption::WithFreqs,
            )),
            2.0,
        ));
        let body: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(f.body, word),
            IndexRecordOption::WithFreqs,
        ));
        Box::new(BooleanQuery::union(vec![title, body]))
    }

    /// Every run of letters in the term as a phrase of its character pairs.
    fn grams_query(&self, term: &str) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let mut runs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (_, run) in grams::runs(term) {
            let terms: Vec<Term> = grams::pairs(run)
                .into_iter()
                .map(|(_, g)| Term::from_field_text(f.grams, g))
                .collect();
            let q: Box<dyn Query> = match terms.len() {
                0 => continue,
                1 => Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::WithFreqs)),
                _ => Box::new(PhraseQuery::new(terms)),
            };
            runs.push((Occur::Must, q));
        }
        (!runs.is_empty()).then(|| Box::new(BooleanQuery::new(runs)) as Box<dyn Query>)
    }

    /// The words of a query as the index cut them, without punctuation and repeats.
    fn words(&self, text: &str) -> Vec<String> {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut words: Vec<String> = Vec::new();
        while let Some(token) = stream.next() {
            let w = token.text.trim();
            if w.chars().any(char::is_alphanumeric) && !words.iter().any(|x| x == w) {
                words.push(w.to_string());
            }
        }
        words
    }
}

struct Pending {
    kind: String,
    id: String,
    unit: i64,
    at: String,
    state: Map<String, Value>,
    deleted: bool,
}

fn payload(seq: i64, hash: &str) -> String {
    serde_json::to_string(&Payload {
        version: SCHEMA_VERSION,
        seq,
        hash: hash.to_string(),
    })
    .expect("payload serialises")
}

fn payload_of(index: &Index) -> Option<Payload> {
    let meta = index.load_metas().ok()?;
    serde_json::from_str(meta.payload.as_deref()?).ok()
}

/// Empties an index directory of another version; refuses to touch a directory that holds
/// anything but index files, so a mistyped `--index-dir` never deletes someone's documents.
fn clear_dir(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        let ours = name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(".tantivy")
            || name.ends_with(".idx")
            || name.ends_with(".pos")
            || name.ends_with(".term")
            || name.ends_with(".store")
            || name.ends_with(".fast")
            || name.ends_with(".fieldnorm")
            || name.ends_with(".del");
        if !ours {
            return Err(std::io::Error::other(format!(
                "目录中有不属于检索索引的文件「{name}」，请指定一个空目录"
            )));
        }
    }
    for entry in std::fs::read_dir(dir)? {
        std::fs::remove_file(entry?.path())?;
    }
    Ok(())
}

/// A search as a page asks it.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    pub text: &'a str,
    /// The unit ids of the caller's subtree; nothing outside them is matched.
    pub units: &'a [i64],
    /// Only this record kind (an audit record type code).
    pub kind: Option<&'a str>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Matches per record kind (audit record type code), whatever kind was asked for.
    pub by_kind: Vec<(String, usize)>,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: String,
    pub id: String,
    /// For an attachment: the record it belongs to (kind, id).
    pub parent: Option<(String, i64)>,
    pub unit_id: i64,
    pub title: Vec<Segment>,
    pub snippet: Vec<Segment>,
    /// When the record last changed (RFC 3339, UTC).
    pub at: String,
    /// The day the record is about (YYYY-MM-DD), when it has one.
    pub date: Option<String>,
}

impl Hit {
    pub fn kind_label(&self) -> &str {
        shoutu_domain::audit::record_type_label(&self.kind)
    }

    pub fn title_text(&self) -> String {
        self.title.iter().map(|s| s.text.as_str()).collect()
    }
}

/// A piece of shown text; `hit` pieces matched the query. Pages escape the text and mark the
/// hits, so no markup ever comes from the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}
