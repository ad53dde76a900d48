//! A bounded .docx reader: paragraph text plus the formatting GB/T 9704
//! cares about (fonts, sizes, alignment, page margins, line grid).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use super::document::{DocGrid, Document, DocumentFormat, PageSetup, Paragraph};
use super::load::{LoadError, MAX_ENTRY_BYTES};

/// Deeper nesting than this is not a Word document but an attack on the parser.
const MAX_DEPTH: usize = 256;

pub(crate) fn read_docx(name: &str, bytes: &[u8]) -> Result<Document, LoadError> {
    read_docx_limited(name, bytes, MAX_ENTRY_BYTES)
}

fn read_docx_limited(name: &str, bytes: &[u8], limit: u64) -> Result<Document, LoadError> {
    let bad = |reason: String| LoadError::BadDocx {
        file: name.into(),
        reason,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(format!("压缩包结构损坏：{e}")))?;
    let body =
        read_entry(name, &mut zip, "word/document.xml", limit)?.ok_or_else(|| bad("缺少 word/document.xml".into()))?;
    let styles = match read_entry(name, &mut zip, "word/styles.xml", limit)? {
        Some(xml) => parse_styles(&xml).map_err(|e| bad(format!("styles.xml 无法解析：{e}")))?,
        None => Styles::default(),
    };
    parse_body(name, &body, &styles).map_err(|e| bad(format!("document.xml 无法解析：{e}")))
}

/// Reads one entry as UTF-8, counting the bytes actually inflated rather than
/// the size the archive claims.
fn read_entry(
    name: &str,
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    entry: &str,
    limit: u64,
) -> Result<Option<String>, LoadError> {
    let file = match zip.by_name(entry) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(LoadError::BadDocx {
                file: name.into(),
                reason: format!("无法打开 {entry}：{e}"),
            });
        }
    };
    let mut buf = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| LoadError::BadDocx {
            file: name.into(),
            reason: format!("{entry} 解压失败：{e}"),
        })?;
    if buf.len() as u64 > limit {
        return Err(LoadError::ZipBomb {
            file: name.into(),
            entry: entry.into(),
        });
    }
    String::from_utf8(buf).map(Some).map_err(|_| LoadError::BadDocx {
        file: name.into(),
        reason: format!("{entry} 不是 UTF-8 编码"),
    })
}

#[derive(Debug, Clone, Default)]
struct RunProps {
    east_asia: Option<String>,
    size: Option<u32>,
}

#[derive(Debug, Clone, Default)]
struct StyleDef {
    name: Option<String>,
    based_on: Option<String>,
    jc: Option<String>,
    run: RunProps,
}

#[derive(Debug, Default)]
struct Styles {
    defaults: RunProps,
    default_paragraph: Option<String>,
    by_id: HashMap<String, StyleDef>,
}

impl Styles {
    /// Walks the basedOn chain (bounded, since files may contain cycles).
    fn resolve(&self, id: Option<&str>) -> (Option<String>, RunProps) {
        let mut jc = None;
        let mut run = RunProps::default();
        let mut cur = id.map(str::to_owned).or_else(|| self.default_paragraph.clone());
        for _ in 0..16 {
            let Some(style) = cur.as_deref().and_then(|s| self.by_id.get(s)) else {
                break;
            };
            jc = jc.or_else(|| style.jc.clone());
            run.east_asia = run.east_asia.or_else(|| style.run.east_asia.clone());
            run.size = run.size.or(style.run.size);
            cur = style.based_on.clone();
        }
        run.east_asia = run.east_asia.or_else(|| self.defaults.east_asia.clone());
        run.size = run.size.or(self.defaults.size);
        (jc, run)
    }
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

fn attr_num(e: &BytesStart<'_>, local: &str) -> Option<i64> {
    attr(e, local)
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as i64)
}

/// Applies a run-property element (`w:rFonts`, `w:sz`) to `props`.
fn apply_run_prop(e: &BytesStart<'_>, props: &mut RunProps) {
    match e.local_name().as_ref() {
        "rFonts" => {
            if let Some(f) = attr(e, "eastAsia") {
                props.east_asia = Some(f);
            }
        }
        "sz" => {
            if let Some(v) = attr_num(e, "val") {
                props.size = u32::try_from(v).ok();
            }
        }
        _ => {}
    }
}

fn parse_styles(xml: &str) -> Result<Styles, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut styles = Styles::default();
    let mut current: Option<(String, StyleDef, bool)> = None;
    let mut in_defaults = false;
    let mut depth = 0usize;
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        let (e, is_start) = match &ev {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    "style" => {
                        if let Some((id, def, is_default)) = current.take() {
                            if is_default {
                                styles.default_paragraph = Some(id.clone());
                            }
                            styles.by_id.insert(id, def);
                        }
                    }
                    "rPrDefault" => in_defaults = false,
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if is_start {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err("嵌套层次过深".into());
            }
        }
        match e.local_name().as_ref() {
            "rPrDefault" => in_defaults = is_start,
            "style" if is_start => {
                let is_para = attr(e, "type").as_deref() == Some("paragraph");
                let is_default = is_para && matches!(attr(e, "default").as_deref(), Some("1" | "true"));
                current = attr(e, "styleId").map(|id| (id, StyleDef::default(), is_default));
            }
            "name" => {
                if let Some((_, def, _)) = current.as_mut() {
                    def.name = attr(e, "val");
                }
            }
            "basedOn" => {
                if let Some((_, def, _)) = current.as_mut() {
                    def.based_on = attr(e, "val");
                }
            }
            "jc" => {
                if let Some((_, def, _)) = current.as_mut() {
                    def.jc = attr(e, "val");
                }
            }
            _ => {
                if let Some((_, def, _)) = current.as_mut() {
                    apply_run_prop(e, &mut def.run);
                } else if in_defaults {
                    apply_run_prop(e, &mut styles.defaults);
                }
            }
        }
    }
    Ok(styles)
}

/// Paragraph state while its runs are read.
#[derive(Default)]
struct OpenParagraph {
    text: String,
    style: Option<String>,
    jc: Option<String>,
    para_run: RunProps,
    first_run: Option<RunProps>,
    run: RunProps,
    run_has_text: bool,
}

fn parse_body(name: &str, xml: &str, styles: &Styles) -> Result<Document, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut text = String::new();
    let mut char_len = 0usize;
    let mut paragraphs = Vec::new();
    let mut stack: Vec<OpenParagraph> = Vec::new();
    let mut page = PageSetup::default();
    let mut saw_page = false;
    // Element path flags that change how text and properties are read.
    let mut in_text = false;
    let mut in_ppr = false;
    let mut in_rpr = false;
    let mut skip_depth = 0usize;
    let mut depth = 0usize;
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(ev, Event::Start(_));
                let local = e.local_name();
                let local = local.as_ref();
                if is_start {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err("嵌套层次过深".into());
                    }
                    if skip_depth > 0 {
                        skip_depth += 1;
                        continue;
                    }
                    // Deleted revisions, field codes and the fallback copy of
                    // drawings would otherwise duplicate or invent text.
                    if matches!(local, "del" | "instrText" | "delText" | "Fallback") {
                        skip_depth = 1;
                        continue;
                    }
                } else if skip_depth > 0 {
                    continue;
                }
                match local {
                    "p" if is_start => stack.push(OpenParagraph::default()),
                    "pPr" => in_ppr = is_start,
                    "rPr" => in_rpr = is_start,
                    "r" if is_start => {
                        if let Some(p) = stack.last_mut() {
                            p.run = p.para_run.clone();
                            p.run_has_text = false;
                        }
                    }
                    "t" => in_text = is_start,
                    "tab" if !in_ppr => push_text(&mut stack, "\t"),
                    "br" | "cr" => push_text(&mut stack, "\n"),
                    "noBreakHyphen" => push_text(&mut stack, "-"),
                    "pStyle" if in_ppr => {
                        if let Some(p) = stack.last_mut() {
                            p.style = attr(e, "val");
                        }
                    }
                    "jc" if in_ppr => {
                        if let Some(p) = stack.last_mut() {
                            p.jc = attr(e, "val");
                        }
                    }
                    "rFonts" | "sz" if in_rpr => {
                        if let Some(p) = stack.last_mut() {
                            if in_ppr {
                                apply_run_prop(e, &mut p.para_run);
                            } else {
                                apply_run_prop(e, &mut p.run);
                            }
                        }
                    }
                    "pgSz" => {
                        saw_page = true;
                        page.width = attr_num(e, "w");
                        page.height = attr_num(e, "h");
                    }
                    "pgMar" => {
                        saw_page = true;
                        page.margin_top = attr_num(e, "top");
                        page.margin_bottom = attr_num(e, "bottom");
                        page.margin_left = attr_num(e, "left");
                        page.margin_right = attr_num(e, "right");
                    }
                    "docGrid" => {
                        saw_page = true;
                        page.grid = Some(DocGrid {
                            kind: attr(e, "type"),
                            line_pitch: attr_num(e, "linePitch"),
                            char_space: attr_num(e, "charSpace"),
                        });
                    }
                    _ => {}
                }
                if !is_start && local == "p" {
                    // An empty <w:p/> is still a paragraph (a blank line).
                    stack.push(OpenParagraph::default());
                    close_paragraph(&mut stack, styles, &mut text, &mut char_len, &mut paragraphs);
                }
            }
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                if skip_depth > 0 {
                    skip_depth -= 1;
                    continue;
                }
                match e.local_name().as_ref() {
                    "p" => close_paragraph(&mut stack, styles, &mut text, &mut char_len, &mut paragraphs),
                    "pPr" => in_ppr = false,
                    "rPr" => in_rpr = false,
                    "t" => in_text = false,
                    _ => {}
                }
            }
            Event::Text(ref t) if in_text && skip_depth == 0 => {
                let s = t.xml_content(XmlVersion::Implicit1_0);
                push_text(&mut stack, &s);
            }
            Event::CData(ref t) if in_text && skip_depth == 0 => {
                push_text(&mut stack, &t.clone().into_inner());
            }
            Event::GeneralRef(ref r) if in_text && skip_depth == 0 => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    push_text(&mut stack, c.encode_utf8(&mut [0; 4]));
                }
            }
            _ => {}
        }
    }
    if stack.iter().any(|p| !p.text.is_empty()) {
        return Err("段落未闭合，文件可能被截断".into());
    }
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(Document {
        name: name.into(),
        format: DocumentFormat::Docx,
        text,
        paragraphs,
        page: saw_page.then_some(page),
    })
}

fn push_text(stack: &mut [OpenParagraph], s: &str) {
    if let Some(p) = stack.last_mut() {
        p.text.push_str(s);
        if !p.run_has_text && !s.trim().is_empty() {
            p.run_has_text = true;
            if p.first_run.is_none() {
                p.first_run = Some(p.run.clone());
            }
        }
    }
}

fn close_paragraph(
    stack: &mut Vec<OpenParagraph>,
    styles: &Styles,
    text: &mut String,
    char_len: &mut usize,
    paragraphs: &mut Vec<Paragraph>,
) {
    let Some(p) = stack.pop() else { return };
    let (style_jc, style_run) = styles.resolve(p.style.as_deref());
    let run = p.first_run.unwrap_or(p.para_run);
    let len = p.text.chars().count();
    paragraphs.push(Paragraph {
        start: *char_len,
        len,
        style_name: p
            .style
            .as_deref()
            .and_then(|s| styles.by_id.get(s))
            .and_then(|s| s.name.clone()),
        style_id: p.style,
        alignment: p.jc.or(style_jc),
        east_asia_font: run.east_asia.or(style_run.east_asia),
        size_half_points: run.size.or(style_run.size),
    });
    text.push_str(&p.text);
    text.push('\n');
    *char_len += len + 1;
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn entry_inflating_past_the_limit_is_a_zip_bomb() {
        let body = vec![b' '; 10_000];
        let bytes = zip_with(&[("word/document.xml", &body)]);
        assert!(bytes.len() < 1_000, "compresses well");
        let err = read_docx_limited("bomb.docx", &bytes, 4_096).unwrap_err();
        assert!(matches!(err, LoadError::ZipBomb { .. }), "{err}");
        assert!(err.to_string().contains("bomb.docx"));
    }

    #[test]
    fn missing_body_and_broken_xml_are_bad_docx() {
        let bytes = zip_with(&[("other.xml", b"<a/>")]);
        assert!(matches!(read_docx("x.docx", &bytes), Err(LoadError::BadDocx { .. })));
        let bytes = zip_with(&[(
            "word/document.xml",
            b"<w:document><w:body><w:p><w:r><w:t>\xe7\x94\xb2</w:t>",
        )]);
        assert!(matches!(read_docx("x.docx", &bytes), Err(LoadError::BadDocx { .. })));
    }
}
