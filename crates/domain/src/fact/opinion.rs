//! Facts of public-opinion handling (舆情处置) and the risk-point ledger.

use super::{FactDef, Measure};

const AREA: &str = "意识形态阵地管理与舆情处置";

pub const FACTS: &[FactDef] = &[
    FactDef {
        key: "opinion.incidents",
        label: "办结舆情数",
        measure: Measure::Count,
        measure_word: "件",
        area: AREA,
        about: "期间内办结的舆情处置记录条数",
        parameter: None,
    },
    FactDef {
        key: "opinion.incidents_opened",
        label: "新发现舆情数",
        measure: Measure::Count,
        measure_word: "件",
        area: AREA,
        about: "期间内发现（立案处置）的舆情条数",
        parameter: None,
    },
    FactDef {
        key: "opinion.first_response_hours",
        label: "首次响应用时（中位数）",
        measure: Measure::Median,
        measure_word: "小时",
        area: AREA,
        about: "期间内发现并已响应的舆情，从发现到首次响应（研判）的小时数的中位数",
        parameter: None,
    },
    FactDef {
        key: "opinion.on_time_rate",
        label: "按时响应率",
        measure: Measure::Rate,
        measure_word: "%",
        area: AREA,
        about: "期间内发现的舆情中，在本级别首次响应时限内完成响应的比例（未响应且已超时的计为未按时）",
        parameter: None,
    },
    FactDef {
        key: "opinion.risk_points_open",
        label: "在管风险点数",
        measure: Measure::Count,
        measure_word: "个",
        area: AREA,
        about: "期末仍在管控中的风险点个数",
        parameter: None,
    },
    FactDef {
        key: "opinion.grievances",
        label: "受理群众诉求数",
        measure: Measure::Count,
        measure_word: "件",
        area: AREA,
        about: "期间内受理登记的群众诉求条数",
        parameter: None,
    },
];
