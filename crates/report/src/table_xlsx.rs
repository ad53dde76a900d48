//! Any ledger page as an Excel sheet: a header row and text rows, frozen header, sensible
//! widths. Ledgers whose columns need no import back use this rather than a writer each.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub fn write(sheet_name: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold().set_background_color("F2F2F2");
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        let widest = rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(|v| v.chars().count())
            .chain(std::iter::once(h.chars().count()))
            .max()
            .unwrap_or(8);
        // Chinese characters are about two columns wide.
        sheet.set_column_width(c as u16, (widest as f64 * 2.0).clamp(8.0, 60.0))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, value)?;
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx, open_workbook_from_rs};

    #[test]
    fn a_sheet_reads_back_as_written() {
        let bytes = write("签订台账", &["单位", "状态"], &[vec!["河口镇".into(), "已签订".into()]]).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("签订台账").unwrap();
        let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
        assert_eq!(cells, ["单位", "状态", "河口镇", "已签订"]);
    }
}
