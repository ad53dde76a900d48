//! The unit tree: 县/区 → 乡镇/街道 → 村/社区; 局 and its 科室; 党支部 under any unit.

use crate::field::{self, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(pub i64);

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    County,
    District,
    /// A department of the county committee or government, e.g. 县委宣传部.
    Department,
    /// A working committee, e.g. of a development zone (工委).
    WorkingCommittee,
    Township,
    Town,
    Subdistrict,
    Village,
    Community,
    Bureau,
    /// 科室 or 二级单位 of a bureau or department.
    Section,
    PartyBranch,
}

impl UnitKind {
    pub const ALL: [UnitKind; 12] = [
        UnitKind::County,
        UnitKind::District,
        UnitKind::Department,
        UnitKind::WorkingCommittee,
        UnitKind::Township,
        UnitKind::Town,
        UnitKind::Subdistrict,
        UnitKind::Village,
        UnitKind::Community,
        UnitKind::Bureau,
        UnitKind::Section,
        UnitKind::PartyBranch,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::County => "county",
            UnitKind::District => "district",
            UnitKind::Department => "department",
            UnitKind::WorkingCommittee => "working_committee",
            UnitKind::Township => "township",
            UnitKind::Town => "town",
            UnitKind::Subdistrict => "subdistrict",
            UnitKind::Village => "village",
            UnitKind::Community => "community",
            UnitKind::Bureau => "bureau",
            UnitKind::Section => "section",
            UnitKind::PartyBranch => "party_branch",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::County => "县",
            UnitKind::District => "区",
            UnitKind::Department => "部门",
            UnitKind::WorkingCommittee => "工委",
            UnitKind::Township => "乡",
            UnitKind::Town => "镇",
            UnitKind::Subdistrict => "街道",
            UnitKind::Village => "村",
            UnitKind::Community => "社区",
            UnitKind::Bureau => "局",
            UnitKind::Section => "科室/二级单位",
            UnitKind::PartyBranch => "党支部",
        }
    }

    /// Only a county or district stands at the top of a tree.
    pub fn is_root_kind(self) -> bool {
        matches!(self, UnitKind::County | UnitKind::District)
    }

    /// Which kinds of unit may sit directly below this one.
    pub fn may_contain(self, child: UnitKind) -> bool {
        use UnitKind::*;
        if child == PartyBranch {
            return self != PartyBranch;
        }
        match self {
            County | District => matches!(
                child,
                Department | WorkingCommittee | Township | Town | Subdistrict | Bureau
            ),
            WorkingCommittee => matches!(child, Township | Town | Subdistrict | Village | Community | Section),
            Township | Town => matches!(child, Village | Community | Section),
            Subdistrict => matches!(child, Community | Village | Section),
            Department | Bureau => child == Section,
            Village | Community | Section | PartyBranch => false,
        }
    }
}

impl FromStr for UnitKind {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
            .ok_or_else(|| FieldError::new("单位类型", format!("「{s}」不是已知的单位类型")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub kind: UnitKind,
    pub name: String,
    pub short_name: String,
    pub code: String,
    pub sort_order: i64,
    /// Distance from the root of the whole tree (the county is 0).
    pub depth: i64,
}

impl Unit {
    pub fn display_name(&self) -> &str {
        if self.short_name.is_empty() {
            &self.name
        } else {
            &self.short_name
        }
    }
}

/// A unit as entered on a form, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub kind: UnitKind,
    pub name: String,
    pub short_name: String,
    pub code: String,
    pub sort_order: i64,
}

pub const NAME_MAX: usize = 60;
pub const SHORT_NAME_MAX: usize = 20;
pub const CODE_MAX: usize = 32;

impl NewUnit {
    pub fn parse(
        parent_id: Option<UnitId>,
        kind: &str,
        name: &str,
        short_name: &str,
        code: &str,
        sort_order: i64,
    ) -> Result<Self, FieldError> {
        let kind: UnitKind = kind.trim().parse()?;
        let name = field::text("单位名称", name, true, NAME_MAX)?;
        let short_name = field::text("简称", short_name, false, SHORT_NAME_MAX)?;
        let code = parse_code(code)?;
        Ok(NewUnit {
            parent_id,
            kind,
            name,
            short_name,
            code,
            sort_order,
        })
    }
}

pub fn parse_code(code: &str) -> Result<String, FieldError> {
    let code = field::text("单位代码", code, true, CODE_MAX)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(FieldError::new("单位代码", "只能由字母、数字、“-”“_”“.”组成"));
    }
    Ok(code)
}

/// Why a unit may not be placed under a given parent; `None` when it may.
pub fn placement_error(parent: Option<&Unit>, kind: UnitKind) -> Option<FieldError> {
    match parent {
        None if kind.is_root_kind() => None,
        None => Some(FieldError::new("上级单位", "只有县、区可以作为最上级单位")),
        Some(p) if p.kind.may_contain(kind) => None,
        Some(p) => Some(FieldError::new(
            "上级单位",
            format!("{}（{}）下不能设立{}", p.name, p.kind.label(), kind.label()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_code_or_chinese_label() {
        assert_eq!("town".parse::<UnitKind>().unwrap(), UnitKind::Town);
        assert_eq!("街道".parse::<UnitKind>().unwrap(), UnitKind::Subdistrict);
        let err = "省".parse::<UnitKind>().unwrap_err();
        assert!(err.to_string().contains("单位类型"));
    }

    #[test]
    fn tree_shape_rules_follow_the_administrative_hierarchy() {
        assert!(UnitKind::County.may_contain(UnitKind::Town));
        assert!(UnitKind::Town.may_contain(UnitKind::Village));
        assert!(UnitKind::Village.may_contain(UnitKind::PartyBranch));
        assert!(UnitKind::Bureau.may_contain(UnitKind::Section));
        assert!(!UnitKind::Village.may_contain(UnitKind::Town));
        assert!(!UnitKind::PartyBranch.may_contain(UnitKind::PartyBranch));
        assert!(placement_error(None, UnitKind::Town).is_some());
        assert!(placement_error(None, UnitKind::County).is_none());
    }

    #[test]
    fn codes_are_restricted_to_safe_characters() {
        assert_eq!(parse_code(" 140123-101 ").unwrap(), "140123-101");
        assert!(parse_code("镇 1").is_err());
        assert!(parse_code(&"9".repeat(33)).unwrap_err().message.contains("最多 32"));
    }
}

/// Arranges units of one subtree so that each unit is followed by its descendants, siblings
/// by their sort order, which is how a tree reads top to bottom on a page.
pub fn tree_order(mut units: Vec<Unit>) -> Vec<Unit> {
    use std::collections::HashMap;
    units.sort_by(|a, b| a.sort_order.cmp(&b.sort_order).then_with(|| a.code.cmp(&b.code)));
    let ids: std::collections::HashSet<UnitId> = units.iter().map(|u| u.id).collect();
    let mut children: HashMap<Option<UnitId>, Vec<Unit>> = HashMap::new();
    for u in units {
        // A unit whose parent lies outside the subtree is a root of this view.
        let key = u.parent_id.filter(|p| ids.contains(p));
        children.entry(key).or_default().push(u);
    }
    let mut out = Vec::with_capacity(ids.len());
    let mut stack: Vec<Unit> = children.remove(&None).unwrap_or_default();
    stack.reverse();
    while let Some(u) = stack.pop() {
        if let Some(mut kids) = children.remove(&Some(u.id)) {
            kids.reverse();
            stack.extend(kids);
        }
        out.push(u);
    }
    out
}

/// The ids of `root` and everything below it, taken from a listing in tree order (parents
/// before their children, as [`tree_order`] and the store's `unit_tree` give).
pub fn subtree_ids(units: &[Unit], root: UnitId) -> std::collections::HashSet<UnitId> {
    let mut inside = std::collections::HashSet::from([root]);
    for u in units {
        if u.parent_id.is_some_and(|p| inside.contains(&p)) {
            inside.insert(u.id);
        }
    }
    inside
}

#[cfg(test)]
mod tree_tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>, order: i64) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(UnitId),
            kind: UnitKind::Town,
            name: format!("单位{id}"),
            short_name: String::new(),
            code: format!("c{id}"),
            sort_order: order,
            depth: 0,
        }
    }

    #[test]
    fn children_follow_their_parent_in_sort_order() {
        let ordered = tree_order(vec![
            unit(3, Some(1), 2),
            unit(4, Some(2), 0),
            unit(1, None, 0),
            unit(2, Some(1), 1),
        ]);
        let ids: Vec<i64> = ordered.iter().map(|u| u.id.0).collect();
        assert_eq!(ids, vec![1, 2, 4, 3]);
    }

    #[test]
    fn a_subtree_holds_its_root_and_all_below_it() {
        let ordered = tree_order(vec![
            unit(1, None, 0),
            unit(2, Some(1), 0),
            unit(3, Some(1), 1),
            unit(4, Some(2), 0),
        ]);
        let ids = subtree_ids(&ordered, UnitId(2));
        assert_eq!(ids, [UnitId(2), UnitId(4)].into_iter().collect());
    }
}
