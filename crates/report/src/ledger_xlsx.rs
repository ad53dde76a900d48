//! The work ledger as an Excel sheet, both ways. Offices keep ledgers in Excel today: they
//! export what shoutu holds, and import what they kept, with a template whose columns are
//! the export's first columns, so an exported file imports again unchanged.

use calamine::{Data, DataType};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use shoutu_domain::ledger::{Activity, Catalogue};
use std::collections::BTreeMap;

/// The columns an import reads, in order; the export writes these first.
pub const IMPORT_COLUMNS: [&str; 7] = ["日期", "类型", "单位代码", "主题", "勾选项", "其他参加人数", "内容摘要"];
/// Columns the export adds for reading; an import ignores them.
const INFO_COLUMNS: [&str; 4] = ["单位名称", "主持人", "计入台账", "附件数"];
/// More rows than any office keeps in one ledger file; beyond it the file is refused.
pub const MAX_ROWS: usize = 5000;

#[derive(Debug, thiserror::Error)]
#[error("生成 Excel 文件失败：{0}")]
pub struct WriteError(#[from] XlsxError);

fn header(sheet: &mut rust_xlsxwriter::Worksheet, names: &[&str]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("F2F2F2");
    for (c, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
        sheet.set_column_width(
            c as u16,
            if *name == "主题" || *name == "内容摘要" {
                40
            } else {
                14
            },
        )?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The flags of a record as people read them: their labels, joined by 、.
fn flag_labels(catalogue: &Catalogue, activity: &Activity) -> String {
    catalogue.get(&activity.type_code).map_or_else(String::new, |kind| {
        kind.flags
            .iter()
            .filter(|f| activity.flags.contains(&f.key))
            .map(|f| f.label.as_str())
            .collect::<Vec<_>>()
            .join("、")
    })
}

/// `unit_codes` maps unit ids to codes (the export names units by code so it imports back).
pub fn write_activities(
    catalogue: &Catalogue,
    activities: &[Activity],
    unit_code: impl Fn(i64) -> String,
) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("工作台账")?;
    let names: Vec<&str> = IMPORT_COLUMNS.iter().chain(INFO_COLUMNS.iter()).copied().collect();
    header(sheet, &names)?;
    for (i, a) in activities.iter().enumerate() {
        let r = i as u32 + 1;
        let kind = catalogue
            .get(&a.type_code)
            .map_or(a.type_code.as_str(), |k| k.name.as_str());
        let cells = [
            a.date.to_string(),
            kind.to_string(),
            unit_code(a.unit_id.0),
            a.topic.clone(),
            flag_labels(catalogue, a),
            a.others.to_string(),
            a.summary.clone(),
            a.unit_name.clone(),
            a.host.as_ref().map(|(_, n)| n.clone()).unwrap_or_default(),
            a.tags.join("、"),
            a.attachments.to_string(),
        ];
        for (c, value) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, value)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

/// The import template: the import columns, an example row, and a sheet listing the types
/// and their tick boxes.
pub fn write_template(catalogue: &Catalogue, example_unit_code: &str) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("工作台账")?;
    header(sheet, &IMPORT_COLUMNS)?;
    let example = [
        "2026-03-15",
        "党委会（党组会）",
        example_unit_code,
        "传达学习全国两会精神，研究意识形态工作",
        "第一议题为理论学习、专题研究意识形态工作",
        "0",
        "（示例行，导入前请删除）",
    ];
    for (c, value) in example.iter().enumerate() {
        sheet.write_string(1, c as u16, *value)?;
    }
    let help = book.add_worksheet();
    help.set_name("类型说明")?;
    header(help, &["类型", "分组", "可填勾选项（用顿号分隔）", "计入台账"])?;
    for (i, t) in catalogue.types.iter().enumerate() {
        let r = i as u32 + 1;
        help.write_string(r, 0, &t.name)?;
        help.write_string(r, 1, &t.group)?;
        let flags: Vec<&str> = t.flags.iter().map(|f| f.label.as_str()).collect();
        help.write_string(r, 2, flags.join("、"))?;
        help.write_string(r, 3, t.tags.join("、"))?;
    }
    Ok(book.save_to_buffer()?)
}

/// One row of an import, read but not yet checked against the unit tree.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The row number as Excel shows it.
    pub row: usize,
    pub date: String,
    pub type_code: String,
    pub unit_code: String,
    pub topic: String,
    pub flags: Vec<String>,
    pub others: String,
    pub summary: String,
}

/// What is wrong with an import, cell by cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "第 {} 行「{}」：{}", self.row, self.column, self.reason)
        }
    }
}

pub(crate) fn problem(row: usize, column: &str, reason: impl Into<String>) -> ImportProblem {
    ImportProblem {
        row,
        column: column.to_string(),
        reason: reason.into(),
    }
}

/// The first sheet's filled rows, bounded (see [`crate::xlsx_read`]); a file that cannot be
/// read is one problem for the whole file, whose reason reads after the file's name
/// (`文件「台账.xlsx」` + reason).
pub(crate) fn read_first_sheet(bytes: &[u8]) -> Result<crate::xlsx_read::Rows, ImportProblem> {
    use crate::xlsx_read::{IMPORT_LIMITS, SheetError, first_sheet};
    match first_sheet(bytes, IMPORT_LIMITS) {
        Ok(Some(rows)) => Ok(rows),
        Ok(None) => Err(problem(0, "", "中没有可读取的工作表")),
        Err(SheetError::Invalid(_)) => Err(problem(0, "", "不是有效的 Excel（.xlsx）文件")),
        Err(e) => Err(problem(0, "", e.to_string())),
    }
}

pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => cell
            .as_date()
            .map(|d| d.to_string())
            .unwrap_or_else(|| cell.to_string()),
        other => other.to_string(),
    }
}

/// The rows that could be read, and what is wrong with the others.
#[derive(Debug, Default)]
pub struct Sheet {
    pub rows: Vec<ImportRow>,
    pub problems: Vec<ImportProblem>,
}

/// Reads every row, resolving types and tick boxes by their Chinese labels. Problems are
/// collected for the whole file, so one upload shows everything to fix; only a file that
/// cannot be read at all is an error.
pub fn read_activities(catalogue: &Catalogue, bytes: &[u8]) -> Result<Sheet, ImportProblem> {
    let sheet = read_first_sheet(bytes)?;
    let mut rows = sheet.iter();
    let Some((_, head)) = rows.next() else {
        return Err(problem(0, "", "工作表是空的"));
    };
    let head: Vec<String> = head.iter().map(cell_text).collect();
    let mut index = BTreeMap::new();
    for name in IMPORT_COLUMNS {
        match head.iter().position(|h| h == name) {
            Some(i) => {
                index.insert(name, i);
            }
            None => return Err(problem(1, name, "表头缺少此列，请使用导入模板")),
        }
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (r, row) in rows {
        let number = *r as usize + 1;
        let get = |name: &str| row.get(index[name]).map(cell_text).unwrap_or_default();
        if IMPORT_COLUMNS.iter().all(|c| get(c).is_empty()) {
            continue;
        }
        if out.len() + problems.len() >= MAX_ROWS {
            problems.push(problem(number, "", format!("超过 {MAX_ROWS} 行，请分批导入")));
            break;
        }
        let type_name = get("类型");
        let Some(kind) = catalogue.find(&type_name) else {
            problems.push(problem(number, "类型", format!("「{type_name}」不是已知的活动类型")));
            continue;
        };
        let mut flags = Vec::new();
        for label in get("勾选项")
            .split(['、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            match kind
                .flags
                .iter()
                .find(|f| f.label == label || f.key == label || f.tag == label)
            {
                Some(f) => flags.push(f.key.clone()),
                None => problems.push(problem(
                    number,
                    "勾选项",
                    format!("「{label}」不是「{}」的勾选项", kind.name),
                )),
            }
        }
        out.push(ImportRow {
            row: number,
            date: get("日期"),
            type_code: kind.code.clone(),
            unit_code: get("单位代码"),
            topic: get("主题"),
            flags,
            others: get("其他参加人数"),
            summary: get("内容摘要"),
        });
    }
    Ok(Sheet { rows: out, problems })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back_its_example_row() {
        let c = Catalogue::defaults();
        let bytes = write_template(&c, "YL-03").unwrap();
        let rows = read_activities(&c, &bytes).unwrap().rows;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].type_code, "committee_meeting");
        assert_eq!(rows[0].flags, ["first_topic", "ideology_topic"]);
        assert_eq!(rows[0].unit_code, "YL-03");
    }

    #[test]
    fn problems_name_the_row_and_column() {
        let c = Catalogue::defaults();
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (i, h) in IMPORT_COLUMNS.iter().enumerate() {
            sheet.write_string(0, i as u16, *h).unwrap();
        }
        sheet.write_string(1, 1, "卡拉OK").unwrap();
        sheet.write_string(2, 1, "党课").unwrap();
        sheet.write_string(2, 4, "第一议题为理论学习").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let sheet = read_activities(&c, &bytes).unwrap();
        assert_eq!(sheet.rows.len(), 1, "the row with a bad tick box is still read");
        let problems = sheet.problems;
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            text,
            [
                "第 2 行「类型」：「卡拉OK」不是已知的活动类型",
                "第 3 行「勾选项」：「第一议题为理论学习」不是「党课」的勾选项"
            ]
        );
        assert!(
            read_activities(&c, b"not a workbook")
                .unwrap_err()
                .reason
                .contains("不是有效的 Excel")
        );
    }
}
