//! Marks the query's words in shown text, by plain substring search: whichever way a record
//! matched (a word or a run of characters), the user sees the words they typed marked.

use super::Segment;

/// Marks every occurrence of `needles` in `text`; when `window` is given, shows about that
/// many characters around the first occurrence (the start of the text when none occurs).
pub fn highlight(text: &str, needles: &[String], window: Option<usize>) -> Vec<Segment> {
    let lower = text.to_lowercase();
    // Lowercasing that changes byte lengths (rare outside Latin scripts) would shift offsets;
    // such texts are matched as they are.
    let hay = if lower.len() == text.len() {
        lower.as_str()
    } else {
        text
    };
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for needle in needles.iter().filter(|n| !n.is_empty()) {
        for (at, m) in hay.match_indices(needle.as_str()) {
            let end = at + m.len();
            // Guards against lowercasing that kept the total length but moved boundaries.
            if text.is_char_boundary(at) && text.is_char_boundary(end) {
                ranges.push((at, end));
            }
        }
    }
    ranges.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let (from, to) = match window {
        None => (0, text.len()),
        Some(chars) => {
            let first = merged.first().map_or(0, |r| r.0);
            let from = back_chars(text, first, 20);
            (from, forward_chars(text, from, chars))
        }
    };
    let mut out = Vec::new();
    if from > 0 {
        out.push(plain("…"));
    }
    let mut at = from;
    for (s, e) in merged.into_iter().filter(|(s, e)| *s >= from && *e <= to) {
        if s > at {
            out.push(plain(&text[at..s]));
        }
        out.push(Segment {
            text: text[s..e].to_string(),
            hit: true,
        });
        at = e;
    }
    if at < to {
        out.push(plain(&text[at..to]));
    }
    if to < text.len() {
        out.push(plain("…"));
    }
    out
}

fn plain(s: &str) -> Segment {
    Segment {
        text: s.to_string(),
        hit: false,
    }
}

fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..].char_indices().nth(n).map_or(text.len(), |(i, _)| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| if s.hit { format!("[{}]", s.text) } else { s.text.clone() })
            .collect()
    }

    #[test]
    fn every_occurrence_is_marked_and_overlaps_merge() {
        let s = highlight("网络舆情与舆情处置", &["舆情".into(), "情处".into()], None);
        assert_eq!(shown(&s), "网络[舆情]与[舆情处]置");
    }

    #[test]
    fn a_window_centres_on_the_first_hit() {
        let text = format!("{}意识形态{}", "甲".repeat(100), "乙".repeat(100));
        let s = shown(&highlight(&text, &["意识形态".into()], Some(40)));
        assert!(
            s.starts_with('…') && s.ends_with('…') && s.contains("[意识形态]"),
            "{s}"
        );
        assert!(s.chars().count() < 50, "{s}");
    }

    #[test]
    fn latin_letters_match_whatever_their_case() {
        assert_eq!(shown(&highlight("PDF 文件", &["pdf".into()], None)), "[PDF] 文件");
    }
}
