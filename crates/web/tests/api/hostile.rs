//! Hostile input, found by crawling the site rather than listed by hand, so that a new page,
//! form or field is covered the day it is added: stored XSS in every free-text field (pages,
//! spreadsheets, the report .docx, the archive index), SQL metacharacters in every filter,
//! oversized, control-character and wrongly encoded input to every form and query parameter,
//! hostile uploads, and redirect targets that must stay on this site.

use crate::helpers::{PASSWORD, TestApp, browser, spawn_app};
use reqwest::header::{CONTENT_DISPOSITION, LOCATION, REFERER};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use scraper::{ElementRef, Html, Selector};
use shoutu_domain::Scope;
use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{Cursor, Read};

/// Bounds that keep the suite quick: pages per crawl, URLs per route shape.
const MAX_PAGES: usize = 300;
const PER_SHAPE: usize = 2;

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 1, 2, 3,
];

/// A title only town B has: it must never reach a town-A user, whatever the filter says.
const B_SECRET: &str = "石桥镇专用标题QZ7731";

/// Forms the crawler leaves alone: they end the session, change who the crawler is or where it
/// stands, or lock accounts; each of them is tested on its own below or in its own file.
fn skipped_action(action: &str) -> bool {
    let path = action.split('?').next().unwrap_or(action);
    path == "/logout"
        || path == "/login"
        || path == "/switch-unit"
        || path == "/account/password"
        || path.ends_with("/lock")
        || path.ends_with("/unlock")
        || path.ends_with("/reset-password")
        || path.ends_with("/roles")
        || path.ends_with("/move")
        || path.ends_with("/token")
}

fn is_download(path: &str) -> bool {
    [".xlsx", ".docx", ".pdf", ".toml", ".zip", ".csv"]
        .iter()
        .any(|ext| path.ends_with(ext))
        || path == "/archive"
        || path.starts_with("/attachments/")
}

fn crawlable(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or(url);
    url.starts_with('/')
        && !url.starts_with("//")
        && !path.starts_with("/static/")
        && !path.starts_with("/api/")
        && path != "/logout"
        && !is_download(path)
}

/// The shape of a URL: digits become `N`, query values are dropped; a crawl visits a few URLs
/// of each shape only.
fn shape(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut out = String::new();
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    format!("{out}?{}", keys.join("&"))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Text,
    Hidden,
    Choice,
    Check,
    Date,
    Month,
    Number,
    Password,
    Url,
    Email,
    File,
}

#[derive(Clone, Debug)]
struct Field {
    name: String,
    kind: Kind,
    value: String,
}

#[derive(Clone, Debug)]
struct PostForm {
    page: String,
    action: String,
    multipart: bool,
    fields: Vec<Field>,
}

impl PostForm {
    fn key(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(|f| f.name.as_str()).collect();
        format!("{} {}", shape(&self.action), names.join(","))
    }

    fn free_text(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.fields
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.kind, Kind::Text | Kind::Url))
    }
}

#[derive(Default)]
struct Parsed {
    links: Vec<String>,
    downloads: Vec<String>,
    forms: Vec<PostForm>,
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn resolve(page: &str, href: &str) -> Option<String> {
    let href = href.split('#').next().unwrap_or("").trim();
    if href.starts_with('/') && !href.starts_with("//") {
        Some(href.to_string())
    } else {
        href.strip_prefix('?')
            .map(|q| format!("{}?{q}", page.split('?').next().unwrap_or(page)))
    }
}

fn numeric_name(name: &str) -> bool {
    [
        "year",
        "sort",
        "order",
        "count",
        "score",
        "points",
        "amount",
        "number",
        "weight",
        "part",
        "times",
        "minutes",
        "hours",
        "days",
        "page",
        "quota",
        "limit",
        "threshold",
        "level",
        "max",
        "min",
        "people",
        "attendance",
        "participants",
        "copies",
        "deduct",
        "target",
    ]
    .iter()
    .any(|w| name.contains(w))
}

fn field_of(el: ElementRef) -> Option<Field> {
    let v = el.value();
    let name = v.attr("name")?.to_string();
    let value = v.attr("value").unwrap_or("").to_string();
    let kind = match v.name() {
        "textarea" => {
            return Some(Field {
                name,
                kind: Kind::Text,
                value: el.text().collect(),
            });
        }
        "select" => {
            let options: Vec<ElementRef> = el.select(&sel("option")).collect();
            let chosen = options
                .iter()
                .find(|o| o.value().attr("selected").is_some())
                .or_else(|| {
                    options.iter().find(|o| {
                        !o.value()
                            .attr("value")
                            .map_or_else(|| o.text().collect::<String>(), str::to_string)
                            .is_empty()
                    })
                });
            let value = chosen.map_or_else(String::new, |o| {
                o.value()
                    .attr("value")
                    .map_or_else(|| o.text().collect::<String>(), str::to_string)
            });
            return Some(Field {
                name,
                kind: Kind::Choice,
                value,
            });
        }
        "button" => Kind::Hidden,
        _ => match v.attr("type").unwrap_or("text").to_ascii_lowercase().as_str() {
            "hidden" | "submit" => Kind::Hidden,
            "checkbox" | "radio" => Kind::Check,
            "date" => Kind::Date,
            "month" => Kind::Month,
            "number" | "range" => Kind::Number,
            "password" => Kind::Password,
            "url" => Kind::Url,
            "email" => Kind::Email,
            "file" => Kind::File,
            "button" | "reset" | "image" => return None,
            _ if matches!(v.attr("inputmode"), Some("numeric" | "decimal")) || numeric_name(&name) => Kind::Number,
            _ if name.contains("date") || name == "from" || name == "until" => Kind::Date,
            _ if name.contains("link") || name.contains("url") || name.contains("webhook") => Kind::Url,
            _ => Kind::Text,
        },
    };
    Some(Field { name, kind, value })
}

fn parse(page: &str, html: &str) -> Parsed {
    let doc = Html::parse_document(html);
    let mut out = Parsed::default();
    for a in doc.select(&sel("a[href]")) {
        if let Some(url) = resolve(page, a.value().attr("href").unwrap_or("")) {
            let path = url.split('?').next().unwrap_or("").to_string();
            if is_download(&path) {
                out.downloads.push(url);
            } else if crawlable(&url) {
                out.links.push(url);
            }
        }
    }
    for form in doc.select(&sel("form")) {
        let method = form.value().attr("method").unwrap_or("get").to_ascii_lowercase();
        let action = form.value().attr("action").unwrap_or(page).to_string();
        let mut fields: Vec<Field> = form
            .select(&sel("input, textarea, select, button[name]"))
            .filter_map(field_of)
            .collect();
        if method == "get" {
            // A filter form: visit it with its defaults, and once with each choice of each select.
            let Some(base) = resolve(page, &action) else { continue };
            fields.retain(|f| !matches!(f.kind, Kind::File | Kind::Password));
            let query = |fields: &[Field]| -> String {
                let pairs: Vec<(String, String)> = fields
                    .iter()
                    .filter(|f| f.kind != Kind::Check || !f.value.is_empty())
                    .map(|f| (f.name.clone(), f.value.clone()))
                    .collect();
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish()
            };
            let mut urls = vec![format!("{base}?{}", query(&fields))];
            for el in form.select(&sel("select[name]")) {
                let name = el.value().attr("name").unwrap_or("");
                for o in el.select(&sel("option")).take(8) {
                    let value = o
                        .value()
                        .attr("value")
                        .map_or_else(|| o.text().collect(), str::to_string);
                    let mut varied = fields.clone();
                    for f in varied.iter_mut().filter(|f| f.name == name) {
                        f.value.clone_from(&value);
                    }
                    urls.push(format!("{base}?{}", query(&varied)));
                }
            }
            for url in urls {
                let path = url.split('?').next().unwrap_or("").to_string();
                if is_download(&path) {
                    out.downloads.push(url);
                } else if crawlable(&url) {
                    out.links.push(url);
                }
            }
            continue;
        }
        if method != "post" || skipped_action(&action) {
            continue;
        }
        // One box per check-box name is enough; radio groups keep their first choice.
        let mut seen_checks = HashSet::new();
        fields.retain(|f| f.kind != Kind::Check || seen_checks.insert(f.name.clone()));
        out.forms.push(PostForm {
            page: page.to_string(),
            action,
            multipart: form.value().attr("enctype") == Some("multipart/form-data"),
            fields,
        });
    }
    out
}

struct Page {
    url: String,
    status: StatusCode,
    body: String,
}

#[derive(Default)]
struct Crawl {
    pages: Vec<Page>,
    downloads: Vec<String>,
    forms: Vec<PostForm>,
}

/// Breadth-first from `/` and the given seeds, following same-site links and filter forms.
async fn crawl(app: &TestApp, client: &Client, seeds: &[String]) -> Crawl {
    let mut queue: VecDeque<String> = std::iter::once("/".to_string()).chain(seeds.iter().cloned()).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut per_shape: HashMap<String, usize> = HashMap::new();
    let mut out = Crawl::default();
    let mut downloads = HashSet::new();
    let mut form_keys = HashSet::new();
    while let Some(url) = queue.pop_front() {
        if out.pages.len() >= MAX_PAGES {
            break;
        }
        if !seen.insert(url.clone()) {
            continue;
        }
        let n = per_shape.entry(shape(&url)).or_default();
        if *n >= PER_SHAPE {
            continue;
        }
        *n += 1;
        let res = client
            .get(app.url(&url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: no answer ({e})"));
        let status = res.status();
        let html_page = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let body = res.text().await.unwrap_or_default();
        if html_page && status == StatusCode::OK {
            let parsed = parse(&url, &body);
            queue.extend(parsed.links);
            for d in parsed.downloads {
                if downloads.insert(d.clone()) {
                    out.downloads.push(d);
                }
            }
            for f in parsed.forms {
                if form_keys.insert(f.key()) {
                    out.forms.push(f);
                }
            }
        }
        out.pages.push(Page { url, status, body });
    }
    out
}

/// Where each numbered payload was typed, so that a finding names its form and field.
#[derive(Default)]
struct Ledger {
    next: usize,
    typed: BTreeMap<usize, String>,
}

impl Ledger {
    fn payload(&mut self, form: &PostForm, field: &str, short: bool) -> String {
        self.next += 1;
        let n = self.next;
        self.typed
            .insert(n, format!("form {} (on {}), field «{field}»", form.action, form.page));
        if short {
            format!("<script>x{n}#")
        } else {
            format!("=1+<script>x{n}#</script>\"'><img src=x onerror=x{n}#>")
        }
    }

    /// A number no other value has used.
    fn serial(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    fn name(&self, n: usize) -> &str {
        self.typed.get(&n).map_or("(unknown field)", String::as_str)
    }
}

/// Every unescaped payload in a text, by number: `<script>x17#` or `<img src=x onerror=x17#`.
fn unescaped(text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    for marker in ["<script>x", "<img src=x onerror=x"] {
        let mut rest = text;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse() {
                found.push(n);
            }
        }
    }
    found
}

/// Whether a text shows a payload escaped, as HTML (`&#60;`) or XML (`&lt;`) writes it.
fn escaped(text: &str) -> bool {
    text.contains("&lt;script&gt;x") || text.contains("&#60;script&#62;x")
}

fn today() -> String {
    crate::helpers::today().to_string()
}

/// A valid value for a field that is not free text, or the form's own value.
fn plain_value(f: &Field, serial: usize) -> String {
    match f.kind {
        // Fields with a pattern of their own: codes and usernames must also be unique.
        Kind::Text if f.name.contains("phone") || f.name.contains("tel") => "0871-6123456".into(),
        Kind::Text if f.name == "code" || f.name == "username" => format!("t{serial}"),
        Kind::Date => today(),
        Kind::Month => today()[..7].to_string(),
        Kind::Number if !f.value.is_empty() => f.value.clone(),
        Kind::Number if f.name.contains("year") => today()[..4].to_string(),
        Kind::Number => "1".into(),
        Kind::Password => format!("{PASSWORD}-Xin"),
        Kind::Email => "x@example.com".into(),
        Kind::Url => "https://example.com/".into(),
        Kind::Text if f.value.is_empty() => "测试内容".into(),
        _ => f.value.clone(),
    }
}

#[derive(Clone, Copy)]
enum Fill {
    /// Every free-text field carries a payload.
    All,
    /// Only this field does (the others carry plain values), in full or short.
    One(usize, bool),
    /// Every free-text field carries the value given.
    Each,
    /// Only this field carries the value given (the others carry plain values).
    Only(usize),
}

fn filled(form: &PostForm, fill: Fill, ledger: &mut Ledger, custom: Option<&str>) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        if f.kind == Kind::File {
            continue;
        }
        let free = matches!(f.kind, Kind::Text | Kind::Url);
        let value = match fill {
            _ if !free => plain_value(f, ledger.serial()),
            Fill::All => ledger.payload(form, &f.name, false),
            Fill::One(j, short) if j == i => ledger.payload(form, &f.name, short),
            Fill::One(..) => plain_value(f, ledger.serial()),
            Fill::Each => custom.unwrap_or_default().to_string(),
            Fill::Only(j) if j == i => custom.unwrap_or_default().to_string(),
            Fill::Only(_) => plain_value(f, ledger.serial()),
        };
        let value = if f.kind == Kind::Url && !value.starts_with("http") {
            format!("https://example.com/{value}")
        } else {
            value
        };
        pairs.push((f.name.clone(), value));
    }
    pairs
}

struct Answer {
    status: StatusCode,
    location: String,
    body: String,
}

async fn submit(
    app: &TestApp,
    client: &Client,
    form: &PostForm,
    pairs: Vec<(String, String)>,
    file: Option<(String, Vec<u8>, &str)>,
) -> Answer {
    let req = client.post(app.url(&form.action));
    let req = if form.multipart {
        let mut mp = Form::new();
        for (k, v) in pairs {
            mp = mp.text(k, v);
        }
        for f in form.fields.iter().filter(|f| f.kind == Kind::File) {
            if let Some((name, bytes, mime)) = &file {
                mp = mp.part(
                    f.name.clone(),
                    Part::bytes(bytes.clone())
                        .file_name(name.clone())
                        .mime_str(mime)
                        .unwrap(),
                );
            }
        }
        req.multipart(mp)
    } else {
        req.form(&pairs)
    };
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {} (from {}): no answer ({e})", form.action, form.page));
    let status = res.status();
    let location = res
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = res.text().await.unwrap_or_default();
    Answer { status, location, body }
}

fn accepted(a: &Answer) -> bool {
    a.status == StatusCode::SEE_OTHER || a.status == StatusCode::OK
}

/// Sends each form once with every free-text field a payload; a refused form is sent again
/// with one payload field at a time (full, then short for length limits). Returns how many
/// forms took a payload, and the findings in the answers themselves (reflected XSS).
async fn attack_forms(
    app: &TestApp,
    client: &Client,
    forms: &[PostForm],
    ledger: &mut Ledger,
    findings: &mut Vec<String>,
) -> usize {
    let mut took = 0;
    for form in forms {
        let mut ok = false;
        let mut answers = Vec::new();
        let file = |ledger: &mut Ledger| {
            Some((
                format!("{}.png", ledger.payload(form, "file name", true)),
                PNG.to_vec(),
                "image/png",
            ))
        };
        let pairs = filled(form, Fill::All, ledger, None);
        let f = file(ledger);
        let a = submit(app, client, form, pairs, f).await;
        ok |= accepted(&a);
        answers.push(a);
        if !ok {
            let free: Vec<usize> = form.free_text().map(|(i, _)| i).collect();
            for i in free {
                for short in [false, true] {
                    let pairs = filled(form, Fill::One(i, short), ledger, None);
                    let a = submit(app, client, form, pairs, None).await;
                    let done = accepted(&a);
                    ok |= done;
                    answers.push(a);
                    if done {
                        break;
                    }
                }
            }
        }
        for a in &answers {
            assert_ne!(
                a.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "POST {} (from {}) failed: {}",
                form.action,
                form.page,
                a.body
            );
            for n in unescaped(&a.body) {
                findings.push(format!(
                    "answer to POST {} shows payload {n} unescaped: {}",
                    form.action,
                    ledger.name(n)
                ));
            }
        }
        if !ok {
            let last = answers.last().map(|a| (a.status, a.body.as_str()));
            let hint = last.map_or(String::new(), |(status, body)| {
                let alert = body
                    .split("role=\"alert\">")
                    .nth(1)
                    .and_then(|r| r.split('<').next())
                    .unwrap_or("");
                format!("{status} {alert}")
            });
            println!(
                "hostile: no payload taken by {} (on {}): {hint}",
                form.action, form.page
            );
        }
        took += usize::from(ok);
    }
    took
}

/// Checks every page of a crawl; returns how many show a payload (escaped), to prove it arrived.
fn check_pages(crawl: &Crawl, ledger: &Ledger, who: &str, findings: &mut Vec<String>) -> usize {
    let mut shown = 0;
    for p in &crawl.pages {
        shown += usize::from(escaped(&p.body));
        assert_ne!(
            p.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{who}: GET {} failed: {}",
            p.url,
            p.body
        );
        for n in unescaped(&p.body) {
            findings.push(format!(
                "{who}: page {} shows payload {n} unescaped: {}",
                p.url,
                ledger.name(n)
            ));
        }
    }
    shown
}

async fn bytes(app: &TestApp, client: &Client, url: &str) -> (StatusCode, Vec<u8>) {
    let res = app.get(client, url).await;
    (res.status(), res.bytes().await.unwrap().to_vec())
}

fn zip_texts(bytes: &[u8], wanted: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        if wanted(&name) {
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            out.push((name, text));
        }
    }
    out
}

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}

/// Formulas (`<f>` elements) in a workbook's sheets that carry user text.
fn formulas_with_payload(xlsx: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, xml) in zip_texts(xlsx, |n| n.starts_with("xl/worksheets/") && n.ends_with(".xml")) {
        let mut rest = xml.as_str();
        while let Some(at) = rest.find("<f") {
            rest = &rest[at..];
            let end = rest.find("</f>").map_or(rest.len(), |e| e + 4);
            let f = &rest[..end];
            if f.contains("script") || f.contains("x1") || f.contains("onerror") {
                out.push(format!("{name}: {f}"));
            }
            rest = &rest[end.min(rest.len())..];
            if rest.len() < 2 {
                break;
            }
            rest = &rest[2..];
        }
    }
    out
}

async fn healthy(app: &TestApp) {
    let res = reqwest::get(app.url("/healthz"))
        .await
        .expect("the server still answers");
    assert_eq!(res.status(), StatusCode::OK);
}

fn activity(app: &TestApp, unit: &shoutu_domain::Unit, topic: &str) -> NewActivity {
    let date = today();
    let input = ActivityInput {
        date: &date,
        topic,
        ..Default::default()
    };
    NewActivity::parse(
        Catalogue::defaults().get("center_group").unwrap(),
        unit.id,
        &input,
        crate::helpers::today(),
    )
    .unwrap_or_else(|e| panic!("activity for {}: {e:?}", app.town_a.name))
}

/// Seeds one record in each town so that lists and filters have something to show.
async fn seed(app: &TestApp) {
    let console = Scope::console(app.county.id);
    app.store
        .create_activity(&console, activity(app, &app.town_a, "河口镇理论学习中心组学习"), vec![])
        .await
        .unwrap();
    app.store
        .create_activity(&console, activity(app, &app.town_b, B_SECRET), vec![])
        .await
        .unwrap();
}

fn extra_seeds() -> Vec<String> {
    [
        "/search?q=script",
        "/search?q=x1",
        "/search?q=测试",
        "/audit",
        "/opinion",
        "/zhendi",
        "/assessment",
        "/requirements",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect()
}

#[tokio::test]
async fn stored_payloads_are_escaped_on_every_page_export_report_and_archive() {
    let app = spawn_app().await;
    seed(&app).await;
    let mut ledger = Ledger::default();
    let mut findings = Vec::new();
    let mut took = 0;
    let mut tried = 0;
    let mut downloads: HashMap<String, Vec<String>> = HashMap::new();
    for who in ["admin", "a_admin", "a_staff"] {
        let client = app.login(who).await;
        let mut done: HashSet<String> = HashSet::new();
        // Two rounds: the second reaches the forms of the records the first one made.
        for _ in 0..2 {
            let c = crawl(&app, &client, &extra_seeds()).await;
            check_pages(&c, &ledger, who, &mut findings);
            let fresh: Vec<PostForm> = c.forms.into_iter().filter(|f| done.insert(f.key())).collect();
            tried += fresh.len();
            took += attack_forms(&app, &client, &fresh, &mut ledger, &mut findings).await;
        }
        let c = crawl(&app, &client, &extra_seeds()).await;
        let shown = check_pages(&c, &ledger, who, &mut findings);
        println!(
            "hostile: {who} sees payloads (escaped) on {shown} of {} pages",
            c.pages.len()
        );
        assert!(shown >= 20, "{who} sees payloads on only {shown} pages");
        downloads.insert(who.to_string(), c.downloads);
        healthy(&app).await;
    }
    println!(
        "hostile: {took} of {tried} forms took a payload; {} payloads typed",
        ledger.next
    );
    assert!(tried >= 40, "the crawl found only {tried} forms");
    assert!(took * 2 >= tried, "only {took} of {tried} forms accepted any payload");

    // Exports: text is written as text, never as a formula; the .docx escapes it.
    let mut workbooks = 0;
    let mut workbooks_with_payload = 0;
    let mut docx_escaped = false;
    for (who, urls) in &downloads {
        let client = app.login(who).await;
        for url in urls {
            let path = url.split('?').next().unwrap_or("");
            if !(path.ends_with(".xlsx") || path.ends_with(".docx")) {
                continue;
            }
            let (status, body) = bytes(&app, &client, url).await;
            assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{who}: GET {url}");
            if status != StatusCode::OK {
                continue;
            }
            if path.ends_with(".xlsx") {
                workbooks += 1;
                workbooks_with_payload += usize::from(
                    zip_texts(&body, |n| n.ends_with(".xml"))
                        .iter()
                        .any(|(_, xml)| xml.contains("=1+&lt;script&gt;x")),
                );
                let bad = formulas_with_payload(&body);
                assert!(bad.is_empty(), "{who}: {url} writes user text as formulas: {bad:?}");
            } else {
                for (_, xml) in zip_texts(&body, |n| n == "word/document.xml") {
                    for n in unescaped(&xml) {
                        findings.push(format!("{url}: document.xml holds payload {n} raw: {}", ledger.name(n)));
                    }
                    docx_escaped |= escaped(&xml);
                }
            }
        }
    }
    println!("hostile: {workbooks} spreadsheets checked, {workbooks_with_payload} carry a payload as text");
    assert!(workbooks >= 5, "only {workbooks} spreadsheets were checked");
    assert!(
        workbooks_with_payload >= 3,
        "only {workbooks_with_payload} spreadsheets carry a payload"
    );
    assert!(docx_escaped, "no report .docx carried a payload (escaped) to check");

    // The archive's index page.
    let client = app.login("a_admin").await;
    let (status, zip) = bytes(&app, &client, &format!("/archive?year={}", &today()[..4])).await;
    assert_eq!(status, StatusCode::OK);
    let index = zip_texts(&zip, |n| n == "index.html");
    assert_eq!(index.len(), 1, "the archive has an index.html");
    assert!(escaped(&index[0].1), "the archive index lists a payload record");
    for n in unescaped(&index[0].1) {
        findings.push(format!("archive index.html shows payload {n} raw: {}", ledger.name(n)));
    }
    for name in zip_names(&zip) {
        assert!(
            !name.starts_with('/') && !name.contains('\\') && !name.split('/').any(|c| c == ".."),
            "archive entry escapes its folder: {name}"
        );
    }
    findings.sort();
    findings.dedup();
    assert!(
        findings.is_empty(),
        "{} unescaped payloads:\n{}",
        findings.len(),
        findings.join("\n")
    );
}

const SQL_VALUES: [&str; 7] = [
    "' OR '1'='1",
    "\"; DROP TABLE units; --",
    "%",
    "_",
    "\\",
    "1e999",
    "<script>x0#</script>",
];

/// Every query parameter of every filter a town-A user reaches, with SQL metacharacters:
/// a 200 or a 400, never a 500, and never a record of town B.
#[tokio::test]
async fn sql_metacharacters_in_every_filter_answer_calmly_and_stay_in_scope() {
    let app = spawn_app().await;
    seed(&app).await;
    let client = app.login("a_admin").await;
    let mut seeds = extra_seeds();
    seeds.extend(
        [
            "/search?q=学习&kind=activity",
            "/audit?from=2026-01-01&until=2026-12-31&action=create&record_type=activity&actor=admin",
            "/activities?type=center_group&from=2026-01-01&until=2026-12-31&q=学习&unit=1",
            "/facts?key=activity.type%3Acenter_group&unit=1&from=2026-01-01&until=2026-12-31",
            "/people?q=王&unit=1&page=1",
        ]
        .iter()
        .map(|s| (*s).to_string()),
    );
    let c = crawl(&app, &client, &seeds).await;
    let mut targets: Vec<String> = c
        .pages
        .iter()
        .map(|p| p.url.clone())
        .filter(|u| u.contains('?'))
        .collect();
    targets.extend(c.downloads.iter().filter(|u| u.contains('?')).cloned());
    let mut shapes = HashSet::new();
    targets.retain(|u| shapes.insert(shape(u)));
    let mut tried = 0;
    for url in &targets {
        let (path, query) = url.split_once('?').unwrap();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        for i in 0..pairs.len() {
            for value in SQL_VALUES {
                let mut varied = pairs.clone();
                varied[i].1 = value.to_string();
                let q = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&varied)
                    .finish();
                let target = format!("{path}?{q}");
                let res = client
                    .get(app.url(&target))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("GET {target}: no answer ({e})"));
                let status = res.status();
                let body = String::from_utf8_lossy(&res.bytes().await.unwrap()).to_string();
                tried += 1;
                assert!(
                    matches!(status, StatusCode::OK | StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND),
                    "GET {target}: {status}: {}",
                    body.chars().take(600).collect::<String>()
                );
                assert!(!body.contains(B_SECRET), "GET {target} shows town B's record");
                assert!(
                    !body.contains("<script>x0#"),
                    "GET {target} reflects the value unescaped"
                );
            }
        }
    }
    println!("hostile: {tried} filter requests over {} URLs", targets.len());
    assert!(
        targets.len() >= 15,
        "only {} URLs with parameters: {targets:?}",
        targets.len()
    );
    healthy(&app).await;
}

/// Says whether an answer to hostile input was calm: never a 500, and a refusal speaks Chinese.
fn calm(what: &str, status: StatusCode, body: &str) {
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{what}: {body}");
    let bare = [
        StatusCode::PAYLOAD_TOO_LARGE,
        StatusCode::URI_TOO_LONG,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        StatusCode::NOT_FOUND,
    ];
    if status.is_client_error() && !bare.contains(&status) {
        assert!(
            body.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{what}: {status} without a Chinese message: {body}"
        );
    }
}

/// A refusal that says the bytes were not UTF-8 (rather than storing replacement characters).
fn refused_as_not_utf8(what: &str, status: StatusCode, body: &str) {
    assert!(
        matches!(status, StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY)
            && body.contains("不是 UTF-8 编码"),
        "{what}: bytes that are not UTF-8 are not refused as such: {status}"
    );
}

fn nested(depth: usize) -> String {
    let mut s = "(".repeat(depth);
    s.push('x');
    s.push_str(&")".repeat(depth));
    s
}

#[tokio::test]
async fn oversized_control_character_nested_and_misencoded_input_never_breaks_a_form() {
    let app = spawn_app().await;
    seed(&app).await;
    let client = app.login("a_admin").await;
    let c = crawl(&app, &client, &extra_seeds()).await;
    assert!(c.forms.len() >= 20, "only {} forms", c.forms.len());
    let big = "测".repeat(1024 * 1024); // 3 MB of UTF-8
    let controls: String = (0u8..0x20)
        .filter(|b| *b != b'\n' && *b != b'\r' && *b != b'\t')
        .map(char::from)
        .collect();
    let control_text = format!("前{controls}后\u{7f}");
    let deep = nested(100_000);
    let mut ledger = Ledger::default();
    for form in &c.forms {
        if form.free_text().next().is_none() {
            continue;
        }
        // A nested rule is the keyword parser's to bound (issue #13, defect 1).
        for (what, value) in [
            ("3 MB", big.as_str()),
            ("C0 controls", control_text.as_str()),
            ("100,000 brackets", deep.as_str()),
        ] {
            // 3 MB goes into every field at once; the rest one field at a time, so that no
            // other field's refusal hides what the field under test would have done.
            let fills: Vec<Fill> = if what == "3 MB" {
                vec![Fill::Each]
            } else {
                form.free_text().map(|(i, _)| Fill::Only(i)).collect()
            };
            for fill in fills {
                let pairs = filled(form, fill, &mut ledger, Some(value));
                let a = submit(&app, &client, form, pairs, None).await;
                let field = match fill {
                    Fill::Only(i) => form.fields[i].name.as_str(),
                    _ => "every text field",
                };
                let label = format!("POST {} (from {}) with {what} in «{field}»", form.action, form.page);
                calm(&label, a.status, &a.body);
                if what == "3 MB" {
                    assert_ne!(a.status, StatusCode::SEE_OTHER, "{label} was stored");
                }
                // NUL and the like cannot be stored in PostgreSQL and nobody types them.
                if what == "C0 controls" {
                    assert_ne!(a.status, StatusCode::SEE_OTHER, "{label} was stored");
                }
                if accepted(&a) && !a.location.is_empty() {
                    let (status, body) = app.text(&client, &a.location).await;
                    calm(&format!("{label}, then GET {}", a.location), status, &body);
                }
            }
        }
        // Bytes that are not UTF-8: invalid sequences, and GB18030 sent as if it were UTF-8.
        if form.multipart {
            let name = form.free_text().next().unwrap().1.name.clone();
            for raw in [&b"\xFF\xFE"[..], &b"\xBA\xD3\xBF\xDA\xD5\xF2"[..]] {
                let mut mp = Form::new();
                for (k, v) in filled(form, Fill::Each, &mut ledger, Some("测试内容")) {
                    mp = if k == name {
                        mp.part(k, Part::bytes(raw.to_vec()))
                    } else {
                        mp.text(k, v)
                    };
                }
                let res = client
                    .post(app.url(&form.action))
                    .multipart(mp)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("POST {} with {raw:?}: no answer ({e})", form.action));
                let status = res.status();
                let what = format!("POST {} with {raw:?} in «{name}»", form.action);
                let body = res.text().await.unwrap();
                calm(&what, status, &body);
                refused_as_not_utf8(&what, status, &body);
            }
        } else {
            // The form as a user would fill it, but one text field carries the raw bytes.
            let name = form.free_text().next().unwrap().1.name.clone();
            for raw in ["%FF%FE", "%BA%D3%BF%DA%D5%F2"] {
                let body = filled(form, Fill::Each, &mut ledger, Some("测试内容"))
                    .into_iter()
                    .map(|(k, v)| {
                        let enc = |x: &str| form_urlencoded::byte_serialize(x.as_bytes()).collect::<String>();
                        let v = if k == name { raw.to_string() } else { enc(&v) };
                        format!("{}={v}", enc(&k))
                    })
                    .collect::<Vec<_>>()
                    .join("&");
                let res = client
                    .post(app.url(&form.action))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("POST {} with {raw}: no answer ({e})", form.action));
                let status = res.status();
                let what = format!("POST {} with {raw}", form.action);
                let body = res.text().await.unwrap();
                calm(&what, status, &body);
                refused_as_not_utf8(&what, status, &body);
            }
        }
        healthy(&app).await;
    }
    // Query strings: a huge value, control characters, invalid UTF-8, nesting.
    let mut shapes = HashSet::new();
    let targets: Vec<String> = c
        .pages
        .iter()
        .map(|p| p.url.clone())
        .filter(|u| u.contains('?') && shapes.insert(shape(u)))
        .collect();
    let long = "测".repeat(4_000);
    let long_q: String = form_urlencoded::byte_serialize(long.as_bytes()).collect();
    let deep_q: String = form_urlencoded::byte_serialize(nested(2_000).as_bytes()).collect();
    for url in &targets {
        let (path, query) = url.split_once('?').unwrap();
        let keys: Vec<String> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, _)| k.into_owned())
            .collect();
        for key in keys {
            for value in ["%FF%FE", "%BA%D3%BF%DA", "%00%01%1B", long_q.as_str(), deep_q.as_str()] {
                let target = format!("{path}?{key}={value}");
                let res = client
                    .get(app.url(&target))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("GET {path}?{key}=…: no answer ({e})"));
                let status = res.status();
                let body = String::from_utf8_lossy(&res.bytes().await.unwrap()).to_string();
                let what = format!("GET {path}?{key}={}", value.chars().take(40).collect::<String>());
                calm(&what, status, &body);
                if value.starts_with("%FF") || value.starts_with("%BA") {
                    refused_as_not_utf8(&what, status, &body);
                }
                if value.starts_with("%00") {
                    assert!(
                        status == StatusCode::BAD_REQUEST && body.contains("控制字符"),
                        "{what}: control characters are not refused: {status}"
                    );
                }
            }
        }
    }
    healthy(&app).await;
}

/// Filenames that try to leave the files folder or break the download header.
const HOSTILE_NAMES: [&str; 5] = [
    "../../../../etc/passwd.png",
    "..\\..\\windows\\win.ini.png",
    "a\r\nContent-Type: text/html\r\n\r\nx.png",
    "nul\u{0}byte\u{1b}.png",
    "quote\"; filename=evil.exe.png",
];

#[tokio::test]
async fn hostile_uploads_are_refused_or_stored_under_safe_names() {
    let app = spawn_app().await;
    seed(&app).await;
    let client = app.login("a_admin").await;
    // Two rounds, as above, so that forms on record pages (attachments, evidence) are found.
    let mut ledger = Ledger::default();
    let mut findings = Vec::new();
    let first = crawl(&app, &client, &extra_seeds()).await;
    let setup: Vec<PostForm> = first.forms.iter().filter(|f| !f.multipart).cloned().collect();
    attack_forms(&app, &client, &setup, &mut ledger, &mut findings).await;
    let c = crawl(&app, &client, &extra_seeds()).await;
    let uploads: Vec<&PostForm> = c
        .forms
        .iter()
        .filter(|f| f.fields.iter().any(|x| x.kind == Kind::File))
        .collect();
    assert!(uploads.len() >= 5, "only {} upload forms", uploads.len());
    let huge = vec![b'A'; 120 * 1024 * 1024];
    for form in &uploads {
        for name in HOSTILE_NAMES {
            for (bytes, mime) in [
                (PNG.to_vec(), "image/png"),
                (b"MZ\x90\x00 not really".to_vec(), "text/html; charset=\"x\r\n"),
            ] {
                let pairs = filled(form, Fill::Each, &mut ledger, Some("测试上传"));
                let mime = if mime.contains('\r') {
                    "application/x-bogus"
                } else {
                    mime
                };
                let a = submit(&app, &client, form, pairs, Some((name.to_string(), bytes, mime))).await;
                calm(
                    &format!("upload «{}» to {}", name.escape_debug(), form.action),
                    a.status,
                    &a.body,
                );
            }
        }
        let pairs = filled(form, Fill::Each, &mut ledger, Some("测试上传"));
        let a = submit(
            &app,
            &client,
            form,
            pairs,
            Some(("huge.png".into(), huge.clone(), "image/png")),
        )
        .await;
        assert_ne!(
            a.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "huge upload to {}",
            form.action
        );
        assert!(!accepted(&a), "a 120 MB upload to {} was stored", form.action);
        healthy(&app).await;
    }
    // Every stored attachment downloads under a well-formed, folder-free name.
    let after = crawl(&app, &client, &extra_seeds()).await;
    let mut checked = 0;
    for url in after.downloads.iter().filter(|u| u.starts_with("/attachments/")) {
        let res = app.get(&client, url).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {url}");
        let disposition = res.headers()[CONTENT_DISPOSITION].to_str().unwrap().to_string();
        checked += 1;
        assert!(
            disposition.starts_with("attachment;") || disposition.starts_with("inline;"),
            "{url}: {disposition}"
        );
        let name = disposition
            .split("filename*=UTF-8''")
            .nth(1)
            .map(|n| {
                form_urlencoded::parse(format!("n={n}").as_bytes())
                    .next()
                    .unwrap()
                    .1
                    .into_owned()
            })
            .unwrap_or_default();
        assert!(
            !name.contains('/') && !name.contains('\\') && !name.chars().any(char::is_control),
            "{url} downloads as {name:?} ({disposition})"
        );
        assert!(
            !disposition.contains('"') || disposition.matches('"').count() == 2,
            "{url}: {disposition}"
        );
    }
    println!("hostile: {checked} attachments downloaded with safe names");
    assert!(
        checked >= 1,
        "no hostile upload was stored, so no download name was checked"
    );
    let (status, zip) = bytes(&app, &client, &format!("/archive?year={}", &today()[..4])).await;
    assert_eq!(status, StatusCode::OK);
    for name in zip_names(&zip) {
        assert!(
            !name.starts_with('/')
                && !name.contains('\\')
                && !name.split('/').any(|c| c == "..")
                && !name.chars().any(char::is_control),
            "archive entry escapes its folder: {name:?}"
        );
    }
}

/// A same-site path: one `/` not followed by `/` or `\`, and nothing a browser would strip.
fn same_site(location: &str) -> bool {
    location.starts_with('/')
        && !location.starts_with("//")
        && !location.starts_with("/\\")
        && !location.chars().any(|c| c.is_control() || c == ' ')
}

const TARGETS: [&str; 12] = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "javascript:alert(1)",
    " /x",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: a=b",
    "\t//evil.example",
    "///evil.example",
];

#[tokio::test]
async fn login_and_unit_switch_only_ever_redirect_within_the_site() {
    let app = spawn_app().await;
    for next in TARGETS {
        let client = browser();
        // As the login page carries it through its form, and as a hand-made post.
        let url = format!(
            "/login?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        let (status, _) = app.text(&client, &url).await;
        assert_eq!(status, StatusCode::OK, "GET {url}");
        let res = app
            .post_form(
                &client,
                "/login",
                "/login",
                &[("username", "a_staff"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "login with next «{}»",
            next.escape_debug()
        );
        let location = res.headers()[LOCATION].to_str().unwrap().to_string();
        assert!(
            same_site(&location),
            "next «{}» led to «{}»",
            next.escape_debug(),
            location.escape_debug()
        );
    }
    let good = browser();
    let res = app
        .post_form(
            &good,
            "/login",
            "/login",
            &[
                ("username", "a_staff"),
                ("password", PASSWORD),
                ("next", "/people?page=2"),
            ],
        )
        .await;
    assert_eq!(res.headers()[LOCATION], "/people?page=2", "a path of ours is kept");

    // Switching unit goes back to the page the Referer names, only if it is a page of ours.
    let admin = app.login("admin").await;
    let (_, home) = app.text(&admin, "/").await;
    let token = crate::helpers::csrf_of(&home);
    let unit = app.town_a.id.to_string();
    for next in TARGETS {
        for referer in [
            format!("{}{next}", app.base),
            format!("https://evil.example{next}"),
            next.to_string(),
        ] {
            let Ok(value) = reqwest::header::HeaderValue::from_str(&referer) else {
                continue;
            };
            let res = admin
                .post(app.url("/switch-unit"))
                .header(REFERER, value)
                .form(&[("_csrf", token.as_str()), ("unit", unit.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(
                res.status(),
                StatusCode::SEE_OTHER,
                "switch with Referer «{}»",
                referer.escape_debug()
            );
            let location = res.headers()[LOCATION].to_str().unwrap().to_string();
            assert!(
                same_site(&location),
                "Referer «{}» led to «{}»",
                referer.escape_debug(),
                location.escape_debug()
            );
        }
    }
    let res = admin
        .post(app.url("/switch-unit"))
        .header(REFERER, format!("{}/people?page=2", app.base))
        .form(&[("_csrf", token.as_str()), ("unit", unit.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()[LOCATION],
        "/people?page=2",
        "a page of ours is returned to"
    );
}

/// Posts pushed by a monitoring system are outside input too: their text is shown with the
/// rule's hits marked (the one place a template writes HTML it built itself), and their links
/// must never run script.
#[tokio::test]
async fn pushed_posts_with_payloads_are_shown_escaped_and_never_as_script_links() {
    let (app, clock) = crate::opinion::app_with_monitoring_and(shoutu_web::Config::default()).await;
    let at = crate::opinion::clock_now(&clock);
    let lines: Vec<String> = (0..25)
        .map(|i| {
            let url = match i % 3 {
                0 => "javascript:alert(1)".to_string(),
                1 => format!("https://weibo.example/p/{i}\"><script>x{}#</script>", 3000 + i),
                _ => format!(" JavaScript:alert({i})"),
            };
            serde_json::json!({
                "id": format!("xss{i}"),
                "platform": format!("<script>x{}#</script>", 1000 + i),
                "author": format!("<img src=x onerror=x{}#>", 2000 + i),
                "url": url,
                "published_at": (at - chrono::Duration::minutes(50 - i)).to_rfc3339(),
                "text": format!("河口镇危岩搬迁户<script>x{i}#</script>的补偿款\"'><img src=x onerror=x{i}#>还没到位，又去上访了\u{0}\u{1b}"),
            })
            .to_string()
        })
        .collect();
    let res = crate::opinion::push(&app, crate::opinion::TOKEN, lines.join("\n")).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let client = app.login("a_admin").await;
    let seeds: Vec<String> = ["/opinion/events", "/opinion/alerts", "/opinion", "/search?q=补偿"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    let c = crawl(&app, &client, &seeds).await;
    let mut findings = Vec::new();
    let shown = check_pages(&c, &Ledger::default(), "a_admin", &mut findings);
    findings.sort();
    findings.dedup();
    assert!(findings.is_empty(), "{}", findings.join("\n"));
    assert!(shown >= 2, "the pushed posts are shown on only {shown} pages");
    assert!(
        c.pages.iter().any(|p| p.url.starts_with("/opinion/events/")),
        "an event page was reached"
    );
    for p in &c.pages {
        let lower = p.body.to_lowercase();
        for bad in ["href=\"javascript:", "href=\" javascript:", "href='javascript:"] {
            assert!(!lower.contains(bad), "{} links to script: {bad}", p.url);
        }
    }
}
