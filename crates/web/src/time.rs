//! Users read times in China Standard Time; the database keeps UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&cst()).format("%Y-%m-%d %H:%M").to_string()
}

/// An audit time string (RFC 3339 UTC) as local time; shown unchanged if it does not parse.
pub fn local_text(at: &str) -> String {
    DateTime::parse_from_rfc3339(at).map_or_else(|_| at.to_string(), |t| local(t.with_timezone(&Utc)))
}

/// The first instant of a local calendar day, in UTC.
pub fn day_start(date: NaiveDate) -> DateTime<Utc> {
    cst()
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
        .expect("a fixed offset has no gaps")
        .with_timezone(&Utc)
}

pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&cst()).date_naive()
}
