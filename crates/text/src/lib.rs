//! Reading Chinese text: the official-document proofreader (审校).

pub mod monitor;
pub mod proofread;
