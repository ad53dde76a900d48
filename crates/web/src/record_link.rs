//! Where each kind of record is shown. Facts, search results and reports name records by
//! their audit kind and id; this is the one place that turns them into links.

/// The page of a record, or `None` for kinds without a page of their own.
pub fn href(kind: &str, id: i64) -> Option<String> {
    let path = match kind {
        "activity" => "activities",
        "letter" => "letters",
        "plan_item" => "plans",
        "conduct_rules" => "conduct",
        "unit" => "units",
        "person" => "people",
        "user" => "users",
        _ => return None,
    };
    Some(format!("/{path}/{id}"))
}
