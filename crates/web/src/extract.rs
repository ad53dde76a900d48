//! Extractors whose failures become Chinese 400 pages instead of axum's English plain text.

use crate::error::AppError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A numeric id from the URL path.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("网址不完整".into()))?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Id)
            .ok_or_else(|| AppError::BadRequest(format!("网址中的编号「{raw}」无效：应为正整数")))
    }
}

/// Two numeric ids from the URL path (`/assessment/rounds/{id}/units/{unit}`).
pub struct Ids(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((a, b)) = axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("网址不完整".into()))?;
        let id = |raw: &str| {
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| AppError::BadRequest(format!("网址中的编号「{raw}」无效：应为正整数")))
        };
        Ok(Ids(id(&a)?, id(&b)?))
    }
}

/// A urlencoded form; repeated keys (check boxes) fill `Vec` fields.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Read the body (within the route's limit) to see that it is UTF-8 before decoding it.
        let (parts, body) = axum::RequestExt::with_limited_body(req).into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| AppError::BadRequest("提交的表单过大，或没有传完整".into()))?;
        if let Some(problem) = urlencoded_problem(&bytes) {
            return Err(AppError::BadRequest(format!(
                "表单内容{problem}，未予保存。请在浏览器中重新填写提交。"
            )));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        axum_extra::extract::Form::<T>::from_request(req, state)
            .await
            .map(|f| Form(f.0))
            .map_err(|e| AppError::BadRequest(format!("表单数据格式有误：{}", e.body_text())))
    }
}

/// Query parameters.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(problem) = urlencoded_problem(parts.uri.query().unwrap_or("").as_bytes()) {
            return Err(AppError::BadRequest(format!(
                "网址参数{problem}，请从页面上的链接或表单重新进入。"
            )));
        }
        axum_extra::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| AppError::BadRequest(format!("网址参数有误：{}", e.body_text())))
    }
}

/// Text that is not UTF-8. Browsers always send UTF-8; other bytes (`%FF`, GB18030 sent as if
/// it were UTF-8) would otherwise be stored silently as replacement characters.
pub(crate) const NOT_UTF8: &str = "不是 UTF-8 编码（可能来自 GBK/GB18030 等其他编码）";

/// Text with control characters other than tab and line breaks: nobody types them, and NUL
/// cannot even be stored in PostgreSQL.
pub(crate) const CONTROLS: &str = "含有不可见的控制字符（如 NUL），无法保存";

/// Whether a text holds control characters other than tab and line breaks.
pub(crate) fn has_controls(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// What is wrong with a urlencoded text (`a=1&b=%E5%AD%A6`), if anything: [`NOT_UTF8`] or
/// [`CONTROLS`]. `&`, `=` and `+` are ASCII, so the whole text can be checked at once.
fn urlencoded_problem(raw: &[u8]) -> Option<&'static str> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut decoded = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (
            raw[i],
            raw.get(i + 1).copied().and_then(hex),
            raw.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                decoded.push(hi << 4 | lo);
                i += 3;
            }
            (b, ..) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    match std::str::from_utf8(&decoded) {
        Err(_) => Some(NOT_UTF8),
        Ok(text) if has_controls(text) => Some(CONTROLS),
        Ok(_) => None,
    }
}

/// An optional whole number typed by a user or carried in a URL: empty means absent.
pub fn opt_int(field: &str, value: Option<&str>) -> Result<Option<i64>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest(format!("「{field}」应为整数，收到「{v}」"))),
    }
}

/// An optional date (YYYY-MM-DD) from a URL or form: empty means absent.
pub fn opt_date(field: &str, value: Option<&str>) -> Result<Option<chrono::NaiveDate>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => {
            let date = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| AppError::BadRequest(format!("「{field}」应为日期，例如 2026-11-23，收到「{v}」")))?;
            if !DATE_YEARS.contains(&chrono::Datelike::year(&date)) {
                return Err(AppError::BadRequest(format!(
                    "「{field}」超出范围：{v}（年份应在 {}–{} 之间）",
                    DATE_YEARS.start(),
                    DATE_YEARS.end()
                )));
            }
            Ok(Some(date))
        }
    }
}

/// The years a page, export or archive may cover. Anything outside is a typing slip or a
/// probe, and dates that far out would not even exist for the calendar code behind them.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The years a date in a filter may fall in: the store's own "from the start" and "until the
/// end" bounds (1900-01-01, 9999-12-31) and everything between.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// The highest page number a list accepts: far beyond any real list, small enough that
/// offsets computed from it cannot overflow.
pub const MAX_PAGE: i64 = 100_000;

/// An optional year (`?year=`) bounded to [`YEARS`]: empty means absent.
pub fn opt_year(field: &str, value: Option<&str>) -> Result<Option<i32>, AppError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let digits = v.strip_prefix('-').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::BadRequest(format!(
            "「{field}」应为四位年份，例如 2026，收到「{v}」"
        )));
    }
    v.parse::<i32>()
        .ok()
        .filter(|y| YEARS.contains(y))
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "年份超出范围：{v}（应在 {}–{} 之间）",
                YEARS.start(),
                YEARS.end()
            ))
        })
}

/// An optional page number (`?page=`), 1 to [`MAX_PAGE`]: empty means absent.
pub fn opt_page(value: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    v.parse::<i64>()
        .ok()
        .filter(|p| (1..=MAX_PAGE).contains(p))
        .map(Some)
        .ok_or_else(|| AppError::BadRequest(format!("页码「{v}」无效：应为 1 到 {MAX_PAGE} 之间的整数")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: AppError) -> String {
        match e {
            AppError::BadRequest(m) => m,
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn years_outside_the_range_are_refused_with_the_range() {
        assert_eq!(opt_year("年度", Some(" 2026 ")).unwrap(), Some(2026));
        assert_eq!(opt_year("年度", Some("")).unwrap(), None);
        assert_eq!(opt_year("年度", None).unwrap(), None);
        assert_eq!(
            message(opt_year("年度", Some("300000")).unwrap_err()),
            "年份超出范围：300000（应在 2000–2100 之间）"
        );
        for v in ["-1", "1999", "2101", "99999999999999999999"] {
            assert!(
                message(opt_year("年度", Some(v)).unwrap_err()).starts_with("年份超出范围"),
                "{v}"
            );
        }
        for v in ["abc", "-", "20 26", "2026年"] {
            assert!(
                message(opt_year("年度", Some(v)).unwrap_err()).contains("应为四位年份"),
                "{v}"
            );
        }
    }

    #[test]
    fn dates_far_out_are_refused() {
        assert!(opt_date("从", Some("2026-05-01")).unwrap().is_some());
        assert!(opt_date("到", Some("9999-12-31")).unwrap().is_some());
        for v in ["1899-12-31", "0001-01-01", "1066-10-14"] {
            assert!(
                message(opt_date("从", Some(v)).unwrap_err()).contains("超出范围"),
                "{v}"
            );
        }
        for v in ["+300000-01-01", "99999-01-01", "-0001-01-01"] {
            let far = message(opt_date("从", Some(v)).unwrap_err());
            assert!(far.contains("超出范围") || far.contains("应为日期"), "{far}");
        }
    }

    #[test]
    fn page_numbers_are_bounded() {
        assert_eq!(opt_page(Some("3")).unwrap(), Some(3));
        assert_eq!(opt_page(None).unwrap(), None);
        for v in ["0", "-1", "100001", "9223372036854775807", "abc"] {
            assert!(message(opt_page(Some(v)).unwrap_err()).contains("页码"), "{v}");
        }
    }
}
