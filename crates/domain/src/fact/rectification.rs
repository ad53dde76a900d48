//! Facts of inspections (督查) and rectification (整改).

use super::{FactDef, Measure};

pub const FACTS: &[FactDef] = &[
    FactDef {
        key: "rectification.items",
        label: "整改事项数",
        measure: Measure::Count,
        measure_word: "项",
        area: "督查整改",
        about: "期间内交办的整改事项数",
        parameter: None,
    },
    FactDef {
        key: "rectification.closed_rate",
        label: "整改率",
        measure: Measure::Rate,
        measure_word: "%",
        area: "督查整改",
        about: "期间内交办的整改事项中截至期末已验收销号的比例",
        parameter: None,
    },
    FactDef {
        key: "rectification.overdue",
        label: "逾期未整改事项数",
        measure: Measure::Count,
        measure_word: "项",
        area: "督查整改",
        about: "截至期末已过整改时限仍未销号的事项数",
        parameter: None,
    },
    FactDef {
        key: "inspection.visits",
        label: "接受督查次数",
        measure: Measure::Count,
        measure_word: "次",
        area: "督查整改",
        about: "期间内到本单位开展的督查检查次数（按督查日期）",
        parameter: None,
    },
    FactDef {
        key: "inspection.findings",
        label: "督查发现问题数",
        measure: Measure::Count,
        measure_word: "个",
        area: "督查整改",
        about: "期间内督查检查发现的问题数",
        parameter: None,
    },
];
