//! Statements of the assessment register, shared by both backends.

pub(crate) const ROUND_COLUMNS: &str = "SELECT r.id, r.unit_id, u.name, r.year, r.period, r.title, r.state, \
     r.system_source, r.grades_source, r.computed_at FROM assessment_rounds r JOIN units u ON u.id = r.unit_id \
     JOIN unit_closure c ON c.descendant_id = r.unit_id WHERE c.ancestor_id = $1";

pub(crate) const RECT_COLUMNS: &str = "SELECT r.id, r.issuer_unit_id, iu.name, r.owner_unit_id, ou.name, \
     r.source_kind, r.source_id, r.title, r.measures, r.deadline, r.required_evidence, r.state, r.opened_on, \
     r.closed_on, (SELECT COUNT(*) FROM attachments f WHERE f.record_type = 'rectification' AND f.record_id = r.id) \
     FROM rectifications r JOIN units iu ON iu.id = r.issuer_unit_id JOIN units ou ON ou.id = r.owner_unit_id ";

/// An item is visible to the owner's subtree and to the issuer's.
pub(crate) const RECT_VISIBLE: &str = "(EXISTS (SELECT 1 FROM unit_closure c WHERE c.ancestor_id = $1 \
     AND c.descendant_id = r.owner_unit_id) OR EXISTS (SELECT 1 FROM unit_closure c2 WHERE c2.ancestor_id = $1 \
     AND c2.descendant_id = r.issuer_unit_id))";

pub(crate) const INSPECTION_COLUMNS: &str = "SELECT i.id, i.unit_id, u.name, i.target_unit_id, t.name, i.kind, \
     i.planned_on, i.subject, i.visited_on, i.record FROM inspections i JOIN units u ON u.id = i.unit_id \
     JOIN units t ON t.id = i.target_unit_id ";

/// An inspection is visible to the inspecting unit's subtree and to the inspected unit's,
/// except that an unannounced one (暗访) stays hidden from the inspected side until its visit is
/// recorded.
pub(crate) const INSPECTION_VISIBLE: &str = "(EXISTS (SELECT 1 FROM unit_closure c WHERE c.ancestor_id = $1 \
     AND c.descendant_id = i.unit_id) OR (EXISTS (SELECT 1 FROM unit_closure c2 WHERE c2.ancestor_id = $1 \
     AND c2.descendant_id = i.target_unit_id) AND (i.kind <> 'unannounced' OR i.visited_on IS NOT NULL)))";

// Fact rows: bound to (root, from, until, as-of day); every statement uses all four so that
// PostgreSQL can type each parameter.

pub(crate) const RECT_ITEMS_ROWS: &str = "SELECT r.owner_unit_id, r.id, CAST(1 AS BIGINT) FROM rectifications r \
     JOIN unit_closure c ON c.descendant_id = r.owner_unit_id \
     WHERE c.ancestor_id = $1 AND r.opened_on >= $2 AND r.opened_on <= $3 AND r.opened_on <= $4";

pub(crate) const RECT_CLOSED_ROWS: &str = "SELECT r.owner_unit_id, r.id, \
     CAST(CASE WHEN r.closed_on IS NOT NULL AND r.closed_on <= $4 THEN 1 ELSE 0 END AS BIGINT) \
     FROM rectifications r JOIN unit_closure c ON c.descendant_id = r.owner_unit_id \
     WHERE c.ancestor_id = $1 AND r.opened_on >= $2 AND r.opened_on <= $3";

/// Open as of the day (opened, past the deadline, not closed by then), whenever opened.
pub(crate) const RECT_OVERDUE_ROWS: &str = "SELECT r.owner_unit_id, r.id, CAST(1 AS BIGINT) FROM rectifications r \
     JOIN unit_closure c ON c.descendant_id = r.owner_unit_id \
     WHERE c.ancestor_id = $1 AND r.opened_on <= $4 AND r.deadline < $4 \
     AND (r.closed_on IS NULL OR r.closed_on > $4) AND $2 <= $3";

pub(crate) const VISIT_ROWS: &str = "SELECT i.target_unit_id, i.id, CAST(1 AS BIGINT) FROM inspections i \
     JOIN unit_closure c ON c.descendant_id = i.target_unit_id \
     WHERE c.ancestor_id = $1 AND i.visited_on >= $2 AND i.visited_on <= $3 AND i.visited_on <= $4";

pub(crate) const FINDING_ROWS: &str = "SELECT i.target_unit_id, f.id, CAST(1 AS BIGINT) FROM inspection_findings f \
     JOIN inspections i ON i.id = f.inspection_id JOIN unit_closure c ON c.descendant_id = i.target_unit_id \
     WHERE c.ancestor_id = $1 AND i.visited_on >= $2 AND i.visited_on <= $3 AND i.visited_on <= $4";
