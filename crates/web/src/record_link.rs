//! Where a record of a given kind is shown, for links from facts to their evidence.

/// The page of a record, or `None` for kinds without one.
pub fn href(kind: &str, id: i64) -> Option<String> {
    match kind {
        "platform" => Some(format!("/platforms/{id}")),
        "draft" => Some(format!("/drafts/{id}")),
        "coverage" => Some(format!("/coverage#c{id}")),
        "team_member" => Some(format!("/teams#m{id}")),
        "team_training" => Some(format!("/teams#t{id}")),
        _ => None,
    }
}
