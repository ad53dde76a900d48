//! Where a record of a fact's evidence is shown: one arm per record kind with a page.

pub fn href(kind: &str, id: i64) -> Option<String> {
    match kind {
        "opinion_incident" => Some(format!("/opinion/incidents/{id}")),
        "opinion_risk" => Some(format!("/opinion/risks/{id}")),
        "opinion_event" => Some(format!("/opinion/events/{id}")),
        // Grievances are listed on their risk point's page, which the link cannot name.
        _ => None,
    }
}
