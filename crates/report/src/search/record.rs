//! From audit entries to searchable records: the latest state of each record is the merge of
//! the `after` values its entries carried, minus anything secret.

use serde_json::{Map, Value};
use shoutu_domain::audit::AuditEntry;

/// Record kinds never indexed: accounts hold login counters and lock times, nothing worth
/// finding, and only administrators may see them.
const SKIPPED_KINDS: &[&str] = &["user", "session"];

/// Parts of a key that mark a secret; such fields are dropped before anything is stored.
const SECRET_MARKS: &[&str] = &["password", "token", "secret", "csrf", "session", "otp"];

/// Fields kept in the stored state (an attachment's bytes are found by them) but not words
/// anyone searches for.
const NOISE_KEYS: &[&str] = &[
    "sha256",
    "media_type",
    "record_type",
    "type_code",
    "flags",
    "hash",
    "prev_hash",
];

/// Fields that name a record, most telling first.
const TITLE_KEYS: &[&str] = &[
    "title",
    "topic",
    "name",
    "subject",
    "file_name",
    "summary",
    "description",
    "note",
    "reason",
];

pub fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_MARKS.iter().any(|m| key.contains(m))
}

/// What an audit entry means for the index.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Merge these fields into the record's state.
    Upsert(Map<String, Value>),
    Delete,
    /// Nothing to index (skipped kinds, entries without a unit).
    Skip,
}

pub fn key_of(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

pub fn change_of(entry: &AuditEntry) -> Change {
    if SKIPPED_KINDS.contains(&entry.record_type.as_str()) || entry.unit_id.is_none() {
        return Change::Skip;
    }
    if matches!(entry.action.as_str(), "delete" | "remove") {
        return Change::Delete;
    }
    let after = entry
        .after
        .as_deref()
        .and_then(|a| serde_json::from_str::<Value>(a).ok());
    match after {
        Some(Value::Object(fields)) => Change::Upsert(without_secrets(fields)),
        // An entry without fields (a login, a bare action) still says the record exists.
        _ => Change::Upsert(Map::new()),
    }
}

fn without_secrets(fields: Map<String, Value>) -> Map<String, Value> {
    fields
        .into_iter()
        .filter(|(k, _)| !is_secret(k))
        .map(|(k, v)| {
            let v = match v {
                Value::Object(inner) => Value::Object(without_secrets(inner)),
                other => other,
            };
            (k, v)
        })
        .collect()
}

pub fn merge(state: &mut Map<String, Value>, fields: Map<String, Value>) {
    for (k, v) in fields {
        state.insert(k, v);
    }
}

/// The field that names the record, if any.
pub fn title_key(state: &Map<String, Value>) -> Option<&'static str> {
    TITLE_KEYS.iter().copied().find(|k| {
        state
            .get(*k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    })
}

/// The record's name: the first telling field, shortened.
pub fn title_of(kind_label: &str, id: &str, state: &Map<String, Value>) -> String {
    let found = title_key(state)
        .and_then(|k| state.get(k))
        .and_then(Value::as_str)
        .map(str::trim);
    match found {
        Some(t) if t.chars().count() > 80 => format!("{}…", t.chars().take(80).collect::<String>()),
        Some(t) => t.to_string(),
        None => format!("{kind_label} #{id}"),
    }
}

/// The day a record is about (a meeting's date, a signing), for showing next to a hit.
pub fn date_of(state: &Map<String, Value>) -> Option<String> {
    ["date", "signed_on", "published_on", "deadline", "start", "issued_on"]
        .iter()
        .filter_map(|k| state.get(*k).and_then(Value::as_str))
        .find(|d| d.len() == 10 && d.as_bytes()[4] == b'-')
        .map(str::to_string)
}

/// Every piece of text in the state but the title, one per line, for the body field.
pub fn body_of(state: &Map<String, Value>) -> String {
    let mut out = String::new();
    collect_text(state, title_key(state), &mut out);
    out
}

fn collect_text(state: &Map<String, Value>, skip: Option<&str>, out: &mut String) {
    for (k, v) in state {
        if NOISE_KEYS.contains(&k.as_str()) || is_secret(k) || Some(k.as_str()) == skip {
            continue;
        }
        push_value(v, out);
    }
}

fn push_value(v: &Value, out: &mut String) {
    match v {
        Value::String(s) if !s.trim().is_empty() => {
            out.push_str(s.trim());
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|i| push_value(i, out)),
        Value::Object(inner) => collect_text(inner, None, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(kind: &str, action: &str, after: Value) -> AuditEntry {
        AuditEntry {
            seq: 1,
            at: "2026-03-01T08:00:00.000000Z".into(),
            actor_user_id: None,
            actor_name: "测试".into(),
            unit_id: Some(3),
            record_type: kind.into(),
            record_id: "7".into(),
            action: action.into(),
            before: None,
            after: Some(after.to_string()),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn secrets_never_reach_the_state() {
        let e = entry(
            "person",
            "update",
            json!({"name": "王建国", "password_hash": "$argon2id$x", "nested": {"token_hash": "ab", "post": "委员"}}),
        );
        let Change::Upsert(fields) = change_of(&e) else {
            panic!("an update")
        };
        let text = serde_json::to_string(&fields).unwrap();
        assert!(!text.contains("argon2") && !text.contains("token_hash"), "{text}");
        assert!(body_of(&fields).contains("委员"));
    }

    #[test]
    fn accounts_are_not_indexed() {
        assert_eq!(
            change_of(&entry("user", "create", json!({"username": "wang"}))),
            Change::Skip
        );
    }

    #[test]
    fn later_entries_overwrite_earlier_fields_and_keep_the_rest() {
        let mut state = Map::new();
        let Change::Upsert(a) = change_of(&entry("task", "create", json!({"title": "宣讲", "note": "旧"}))) else {
            panic!()
        };
        merge(&mut state, a);
        let Change::Upsert(b) = change_of(&entry("task", "update", json!({"note": "已完成"}))) else {
            panic!()
        };
        merge(&mut state, b);
        assert_eq!(title_of("任务", "7", &state), "宣讲");
        let body = body_of(&state);
        assert!(!body.contains("宣讲"), "the title is not repeated in the body: {body}");
        assert!(body.contains("已完成") && !body.contains("旧"), "{body}");
    }

    #[test]
    fn a_record_without_a_name_is_named_by_kind_and_id() {
        assert_eq!(title_of("责任书签订", "9", &Map::new()), "责任书签订 #9");
    }
}
