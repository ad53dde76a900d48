//! Confusable words from the reviewed list in data/confusables.toml.

use super::{Ctx, full};
use crate::proofread::data::Phrase;
use crate::proofread::finding::{Hit, Severity};

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    // Phrases arrive ordered by start; keep the longest of overlapping matches.
    let mut last_end = 0;
    let mut pending: Option<(usize, usize, usize)> = None;
    let flush = |p: Option<(usize, usize, usize)>, out: &mut Vec<Hit>| {
        if let Some((s, e, i)) = p {
            let (wrong, right) = &ctx.data.confusables[i];
            out.push(
                Hit::new(
                    "confusable",
                    Severity::Error,
                    s,
                    e,
                    format!("“{wrong}”是常见误用，应为“{right}”"),
                )
                .suggest(right.clone()),
            );
        }
    };
    for p in ctx.phrases {
        if full(out) {
            break;
        }
        let Phrase::Confusable(i) = p.phrase else {
            continue;
        };
        match pending {
            Some((s, e, _)) if p.start < e => {
                if p.end - p.start > e - s {
                    pending = Some((p.start, p.end, i));
                }
            }
            _ => {
                if p.start >= last_end {
                    flush(pending.take(), out);
                    pending = Some((p.start, p.end, i));
                    last_end = p.end;
                }
            }
        }
    }
    flush(pending, out);
}
