//! The rule families. Each module reports `Hit`s in character indices; the
//! checker turns them into `Finding`s.

pub(crate) mod confusable;
pub(crate) mod consistency;
pub(crate) mod duplicate;
pub(crate) mod formulation;
pub(crate) mod layout;
pub(crate) mod numbering;
pub(crate) mod placeholder;
pub(crate) mod punctuation;
pub(crate) mod residue;

use super::data::{Data, PhraseHit};
use super::scan::Scan;

/// Beyond this many findings a document is not a draft but noise (or an
/// attack); rules stop early so memory stays bounded.
pub(crate) const MAX_HITS: usize = 10_000;

pub(crate) fn full(out: &[super::finding::Hit]) -> bool {
    out.len() >= MAX_HITS
}

/// Everything a text rule may look at.
pub(crate) struct Ctx<'s, 'a> {
    pub scan: &'s Scan<'a>,
    pub data: &'s Data,
    /// All automaton matches, ordered by start.
    pub phrases: &'s [PhraseHit],
}

impl Ctx<'_, '_> {
    pub fn quote(&self, start: usize, end: usize) -> &str {
        self.scan.slice(start, end)
    }
}
