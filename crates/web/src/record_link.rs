//! Where a record of each kind is shown, for evidence lists under facts.

pub fn href(kind: &str, id: i64) -> Option<String> {
    match kind {
        "inspection" => Some(format!("/inspections/{id}")),
        "inspection_finding" => Some(format!("/inspections/findings/{id}")),
        "rectification" => Some(format!("/rectifications/{id}")),
        "assessment_round" => Some(format!("/assessment/rounds/{id}")),
        _ => None,
    }
}
