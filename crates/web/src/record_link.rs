//! Where a record of a given kind is shown, for evidence lists and search results.

/// The page of one record, if it has one.
pub fn href(kind: &str, id: i64) -> Option<String> {
    match kind {
        "report" => Some(format!("/reports/{id}")),
        _ => None,
    }
}
