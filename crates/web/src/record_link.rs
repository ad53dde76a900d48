//! Where a record of a given kind is shown, for links from search results, fact drill-downs
//! and the audit log. One arm per record kind that has a page.

pub fn href(kind: &str, id: i64) -> Option<String> {
    match kind {
        "activity" => Some(format!("/activities/{id}")),
        "letter" => Some(format!("/letters/{id}")),
        "plan_item" => Some(format!("/plans/{id}")),
        "conduct_rules" => Some(format!("/conduct/{id}")),
        "unit" => Some(format!("/units/{id}")),
        "person" => Some(format!("/people/{id}")),
        "user" => Some(format!("/users/{id}")),
        "attachment" => Some(format!("/attachments/{id}")),
        "report" => Some(format!("/reports/{id}")),
        "platform" => Some(format!("/platforms/{id}")),
        "draft" => Some(format!("/drafts/{id}")),
        "coverage" => Some(format!("/coverage#c{id}")),
        "team_member" => Some(format!("/teams#m{id}")),
        "team_training" => Some(format!("/teams#t{id}")),
        "inspection" => Some(format!("/inspections/{id}")),
        "inspection_finding" => Some(format!("/inspections/findings/{id}")),
        "rectification" => Some(format!("/rectifications/{id}")),
        "assessment_round" => Some(format!("/assessment/rounds/{id}")),
        "opinion_incident" => Some(format!("/opinion/incidents/{id}")),
        "opinion_risk" => Some(format!("/opinion/risks/{id}")),
        "opinion_event" => Some(format!("/opinion/events/{id}")),
        // Grievances are listed on their risk point's page, which the link cannot name.
        _ => None,
    }
}
