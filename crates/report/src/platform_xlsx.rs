//! The platform register (阵地台账) from Excel: every row is checked, and one unknown type,
//! date or number anywhere refuses the whole file, naming row and column.

use crate::ledger_xlsx::{ImportProblem, cell_text, problem, read_first_sheet};
use shoutu_domain::platform::PlatformKind;
use std::collections::BTreeMap;

/// The columns an import reads; the export writes these first, so an export imports again.
pub const IMPORT_COLUMNS: [&str; 10] = [
    "单位代码",
    "类型",
    "名称",
    "账号/位置",
    "负责人",
    "管理员",
    "成员数",
    "备案状态",
    "建立日期",
    "备注",
];
/// Columns only an export carries: what is worth reading but not entered by import.
pub const INFO_COLUMNS: [&str; 3] = ["单位名称", "最近巡查", "巡查状态"];
/// Columns that must be present in the header; the others may be left out.
const REQUIRED: [&str; 2] = ["类型", "名称"];
pub const MAX_ROWS: usize = 5000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformImportRow {
    pub row: usize,
    pub kind: PlatformKind,
    pub unit_code: String,
    pub name: String,
    pub account: String,
    pub answerable: String,
    pub admins: String,
    pub members: String,
    pub filing: String,
    pub registered_on: String,
    pub notes: String,
}

/// The rows that could be read, and what is wrong with the others.
#[derive(Debug, Default)]
pub struct PlatformSheet {
    pub rows: Vec<PlatformImportRow>,
    pub problems: Vec<ImportProblem>,
}

pub fn read_platforms(bytes: &[u8]) -> Result<PlatformSheet, ImportProblem> {
    let sheet = read_first_sheet(bytes)?;
    let mut rows = sheet.iter();
    let Some((_, head)) = rows.next() else {
        return Err(problem(0, "", "工作表是空的"));
    };
    let head: Vec<String> = head.iter().map(cell_text).collect();
    let mut index = BTreeMap::new();
    for name in IMPORT_COLUMNS {
        if let Some(i) = head.iter().position(|h| h == name) {
            index.insert(name, i);
        } else if REQUIRED.contains(&name) {
            return Err(problem(1, name, "表头缺少此列，请使用导入模板"));
        }
    }
    let mut sheet = PlatformSheet::default();
    for (r, row) in rows {
        let number = *r as usize + 1;
        let get = |name: &str| {
            index
                .get(name)
                .and_then(|c| row.get(*c))
                .map(cell_text)
                .unwrap_or_default()
        };
        if IMPORT_COLUMNS.iter().all(|c| get(c).is_empty()) {
            continue;
        }
        if sheet.rows.len() + sheet.problems.len() >= MAX_ROWS {
            sheet
                .problems
                .push(problem(number, "", format!("超过 {MAX_ROWS} 行，请分批导入")));
            break;
        }
        let kind = match get("类型").parse::<PlatformKind>() {
            Ok(k) => k,
            Err(e) => {
                sheet.problems.push(problem(number, "类型", e.message));
                continue;
            }
        };
        sheet.rows.push(PlatformImportRow {
            row: number,
            kind,
            unit_code: get("单位代码"),
            name: get("名称"),
            account: get("账号/位置"),
            answerable: get("负责人"),
            admins: get("管理员"),
            members: get("成员数"),
            filing: get("备案状态"),
            registered_on: get("建立日期"),
            notes: get("备注"),
        });
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(rows: &[&[&str]]) -> Vec<u8> {
        let headers: Vec<&str> = rows[0].to_vec();
        let body: Vec<Vec<String>> = rows[1..]
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        crate::table_xlsx::write("阵地", &headers, &body).unwrap()
    }

    #[test]
    fn unknown_types_are_named_by_row_and_column() {
        let bytes = book(&[
            &["类型", "名称", "成员数"],
            &["微信群", "河口村民群", "300"],
            &["贴吧", "河口吧", ""],
        ]);
        let sheet = read_platforms(&bytes).unwrap();
        assert_eq!(sheet.rows.len(), 1);
        assert_eq!(sheet.rows[0].kind, PlatformKind::ChatGroup);
        assert_eq!(sheet.problems.len(), 1);
        let p = sheet.problems[0].to_string();
        assert!(p.starts_with("第 3 行「类型」"), "{p}");
        assert!(p.contains("「贴吧」不是已知的阵地类型"), "{p}");
    }

    #[test]
    fn a_sheet_without_the_type_column_is_refused() {
        let bytes = book(&[&["名称"], &["群"]]);
        let e = read_platforms(&bytes).unwrap_err();
        assert_eq!(e.column, "类型");
        assert!(read_platforms(b"not a workbook").is_err());
    }
}
