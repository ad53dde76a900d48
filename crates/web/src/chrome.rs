//! What every signed-in page shows around its content: navigation, the unit switcher, the user.

use crate::AppState;
use crate::auth::Auth;
use crate::error::AppError;
use shoutu_domain::{Action, Unit, UnitKind};

pub struct SwitchOption {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
    /// Modules that later releases bring; shown so users know where things will live.
    pub pending: bool,
}

pub struct Chrome {
    pub title: String,
    pub user_name: String,
    pub roles_label: String,
    pub csrf: String,
    pub unit_name: String,
    pub switcher: Vec<SwitchOption>,
    pub nav: Vec<NavItem>,
    pub admin_nav: Vec<NavItem>,
    pub version: &'static str,
}

/// Navigation keys, one per left-hand entry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Home,
    Module(&'static str),
    Units,
    People,
    Users,
    Audit,
    Account,
    Check,
    Search,
}

pub const MODULES: [(&str, &str); 6] = [
    ("zeren", "责任体系"),
    ("xuexi", "学习研讨"),
    ("yuqing", "舆情处置"),
    ("zhendi", "阵地管理"),
    ("kaohe", "考核督查"),
    ("baogao", "报告"),
];

const MODULE_HREFS: [&str; 6] = [
    "/duties",
    "/activities",
    "/opinion",
    "/zhendi",
    "/assessment",
    "/reports",
];

/// The switcher lists the levels people switch between (county, townships, villages), not
/// every party branch; a deeper unit appears when it is the current one.
const SWITCHER_DEPTH: i64 = 2;

pub async fn chrome(state: &AppState, auth: &Auth, active: Nav, title: impl Into<String>) -> Result<Chrome, AppError> {
    let reach: Vec<Unit> = state.store.unit_tree(&auth.home).await?;
    let current = auth.scope.root;
    let unit_name = reach
        .iter()
        .find(|u| u.id == current)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let switcher = reach
        .iter()
        .filter(|u| u.id == current || (u.depth <= SWITCHER_DEPTH && u.kind != UnitKind::PartyBranch))
        .map(|u| SwitchOption {
            id: u.id.0,
            label: format!("{}{}", "\u{3000}".repeat(u.depth as usize), u.name),
            selected: u.id == current,
        })
        .collect();
    let item = |href, label, key: Nav, pending| NavItem {
        href,
        label,
        active: active == key,
        pending,
    };
    let mut nav = vec![item("/", "工作台", Nav::Home, false)];
    for ((key, label), href) in MODULES.iter().zip(MODULE_HREFS) {
        // Modules still to come say so; the ledger (学习研讨) is here.
        nav.push(item(href, label, Nav::Module(key), href.starts_with("/m/")));
    }
    let mut admin_nav = vec![
        item("/units", "单位", Nav::Units, false),
        item("/people", "人员", Nav::People, false),
    ];
    nav.push(item("/check", "公文审校", Nav::Check, false));
    if auth.can(Action::ManageUsers) {
        admin_nav.push(item("/users", "用户", Nav::Users, false));
    }
    if auth.can(Action::ViewAudit) {
        admin_nav.push(item("/audit", "审计日志", Nav::Audit, false));
    }
    Ok(Chrome {
        title: title.into(),
        user_name: auth.user.person_name.clone(),
        roles_label: auth.user.roles_label(),
        csrf: auth.csrf.clone(),
        unit_name,
        switcher,
        nav,
        admin_nav,
        version: crate::assets::VERSION,
    })
}
