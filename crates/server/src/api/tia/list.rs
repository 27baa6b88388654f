//! The query of a Train it All list (`page`, `per_page`, `from`, `to`, `updated_since`) and
//! the `pagination` object of its answer.
//!
//! `page` counts from 1; `per_page` is 1 to [`MAX_PER_PAGE`] (default 30). `from` and `to`
//! bound the list's date (an activity's `startedAt`, a body metric's `measuredAt`, a day's
//! `day`), both inclusive: a day, or for instants also an ISO 8601 instant. `updated_since`
//! (an instant) keeps the records written at or after it, for clients that sync changes.
//! Unknown or repeated parameters and malformed values answer 400 in the error format of
//! write bodies.

use crate::api::tia::error::{TiaError, TiaResult};
use crate::api::tia::fields::{Invalid, custom, parse_day, parse_instant};
use axum::http::StatusCode;
use axum::response::IntoResponse as _;
use paceline_domain::listing::{DEFAULT_PER_PAGE, MAX_PER_PAGE, RecordQuery};
use serde_json::{Value, json};
use time::{Date, Duration, OffsetDateTime, Time};

/// The parameters a list accepts.
pub(crate) const PARAMS: [&str; 5] = ["page", "per_page", "from", "to", "updated_since"];

/// A list query that breaks the rules: 400 in the error format of write bodies.
#[derive(Debug)]
pub(crate) struct BadQuery(Invalid);

impl From<BadQuery> for TiaError {
    fn from(bad: BadQuery) -> Self {
        TiaError::refused(
            StatusCode::BAD_REQUEST,
            "Invalid query parameters.",
            "validation_error",
            "page and per_page are whole numbers from 1 (per_page at most 200); from, to and updated_since are dates or ISO 8601 instants.",
        )
        .with_details(bad.0.details())
    }
}

/// The raw parameters, checked for names, repeats and the page numbers.
struct Params {
    page: u32,
    per_page: u32,
    from: Option<String>,
    to: Option<String>,
    updated_since: Option<OffsetDateTime>,
    invalid: Invalid,
}

fn positive(name: &str, text: &str, max: u32, issues: &mut Vec<Value>) -> Option<u32> {
    match text.parse::<u64>() {
        Ok(n) if n >= 1 && n <= u64::from(max) => u32::try_from(n).ok(),
        Ok(0) => {
            issues.push(json!({ "code": "too_small", "minimum": 1, "type": "number",
                "inclusive": true, "exact": false, "path": [name],
                "message": "Number must be greater than or equal to 1" }));
            None
        }
        Ok(_) => {
            issues.push(json!({ "code": "too_big", "maximum": max, "type": "number",
                "inclusive": true, "exact": false, "path": [name],
                "message": format!("Number must be less than or equal to {max}") }));
            None
        }
        Err(_) => {
            issues.push(json!({ "code": "invalid_type", "expected": "integer",
                "received": "string", "path": [name],
                "message": format!("Expected a whole number, received '{text}'") }));
            None
        }
    }
}

impl Params {
    fn read(raw: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut params = Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            from: None,
            to: None,
            updated_since: None,
            invalid: Invalid {
                received_keys: pairs.iter().map(|(k, _)| k.clone()).collect(),
                allowed_keys: PARAMS.to_vec(),
                ..Invalid::default()
            },
        };
        let issues = &mut params.invalid.issues;
        let unknown: Vec<&String> = pairs
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !PARAMS.contains(&k.as_str()))
            .collect();
        if !unknown.is_empty() {
            let listed: Vec<String> = unknown.iter().map(|k| format!("'{k}'")).collect();
            issues.push(
                json!({ "code": "unrecognized_keys", "keys": unknown, "path": [],
                "message": format!("Unrecognized query parameter(s): {}", listed.join(", ")) }),
            );
        }
        for name in PARAMS {
            let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
            let Some(value) = values.next() else {
                continue;
            };
            if values.next().is_some() {
                issues.push(custom(json!([name]), "Give this parameter once"));
                continue;
            }
            match name {
                "page" => {
                    if let Some(page) = positive(name, value, i32::MAX as u32, issues) {
                        params.page = page;
                    }
                }
                "per_page" => {
                    if let Some(per_page) = positive(name, value, MAX_PER_PAGE, issues) {
                        params.per_page = per_page;
                    }
                }
                "from" => params.from = Some(value.clone()),
                "to" => params.to = Some(value.clone()),
                _ => match parse_instant(value) {
                    Some(at) => params.updated_since = Some(at),
                    None => issues.push(json!({ "code": "invalid_string",
                        "validation": "datetime", "path": [name],
                        "message": "Invalid datetime: use ISO 8601 with a UTC offset, e.g. 2026-01-17T18:20:00.000Z" })),
                },
            }
        }
        params
    }

    fn finish<K>(
        mut self,
        bound: impl Fn(&str, bool) -> Option<K>,
        format: &str,
    ) -> Result<RecordQuery<K>, BadQuery> {
        let mut bounds = [None, None];
        for (slot, (name, text, is_end)) in bounds.iter_mut().zip([
            ("from", self.from.as_deref(), false),
            ("to", self.to.as_deref(), true),
        ]) {
            if let Some(text) = text {
                *slot = bound(text, is_end);
                if slot.is_none() {
                    self.invalid.issues.push(json!({ "code": "invalid_string",
                        "validation": "date", "path": [name],
                        "message": format!("Invalid {name}: use {format}") }));
                }
            }
        }
        if !self.invalid.issues.is_empty() {
            return Err(BadQuery(self.invalid));
        }
        let [from, to] = bounds;
        Ok(RecordQuery {
            page: self.page,
            per_page: self.per_page,
            from,
            to,
            updated_since: self.updated_since,
        })
    }
}

/// The query of a list ordered by an instant: `from`/`to` are instants or days (a day
/// `to` reaches the end of that day, UTC).
pub(crate) fn instant_query(raw: Option<&str>) -> Result<RecordQuery<OffsetDateTime>, BadQuery> {
    Params::read(raw).finish(
        |text, is_end| {
            parse_instant(text).or_else(|| {
                let day = parse_day(text)?;
                let start = day.with_time(Time::MIDNIGHT).assume_utc();
                Some(if is_end {
                    start + Duration::days(1) - Duration::microseconds(1)
                } else {
                    start
                })
            })
        },
        "YYYY-MM-DD or an ISO 8601 instant",
    )
}

/// The query of a list ordered by day: `from`/`to` are days.
pub(crate) fn day_query(raw: Option<&str>) -> Result<RecordQuery<Date>, BadQuery> {
    Params::read(raw).finish(|text, _| parse_day(text), "YYYY-MM-DD")
}

/// The spec's `PaginationMeta`.
#[derive(Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pagination {
    page: u32,
    per_page: u32,
    #[schema(required = true)]
    prev_page: Option<u32>,
    #[schema(required = true)]
    next_page: Option<u32>,
    has_next_page: bool,
}

/// The `pagination` of a page of `query`.
pub(crate) fn pagination<K>(query: &RecordQuery<K>, has_next: bool) -> Pagination {
    let page = query.page.max(1);
    Pagination {
        page,
        per_page: query.limit(),
        prev_page: (page > 1).then(|| page - 1),
        next_page: has_next.then(|| page + 1),
        has_next_page: has_next,
    }
}

/// A JSON answer serialized into one buffer of `capacity` bytes reserved at once, so that a
/// long list is not copied each time its buffer doubles.
pub(crate) fn json_sized<T: serde::Serialize>(value: &T, capacity: usize) -> TiaResult {
    let mut body = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut body, value).map_err(crate::failure::Failure::internal)?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn defaults_are_page_one_of_thirty() {
        let query = day_query(None).ok().unwrap_or(RecordQuery::page(0, 0));
        assert_eq!(query, RecordQuery::page(1, 30));
    }

    #[test]
    fn bounds_and_changes_are_read() {
        let query = instant_query(Some(
            "page=2&per_page=50&from=2026-01-01&to=2026-01-31&updated_since=2026-01-17T00:00:00Z",
        ))
        .ok()
        .unwrap_or(RecordQuery::page(0, 0));
        assert_eq!(query.page, 2);
        assert_eq!(query.per_page, 50);
        assert_eq!(query.from, Some(datetime!(2026-01-01 0:00 UTC)));
        assert_eq!(query.to, Some(datetime!(2026-01-31 23:59:59.999999 UTC)));
        assert_eq!(query.updated_since, Some(datetime!(2026-01-17 0:00 UTC)));
        let days = day_query(Some("from=2026-01-01&to=2026-01-31"))
            .ok()
            .unwrap_or(RecordQuery::page(0, 0));
        assert_eq!(days.to, Some(date!(2026 - 01 - 31)));
    }

    #[test]
    fn bad_parameters_are_refused() {
        for raw in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=1e9",
            "per_page=0",
            "per_page=1000",
            "per_page=-5",
            "page=1&page=2",
            "from=2026-02-30",
            "to=yesterday",
            "updated_since=2026-01-17",
            "pagesize=10",
        ] {
            assert!(day_query(Some(raw)).is_err(), "{raw} was accepted");
        }
    }

    #[test]
    fn pagination_matches_the_spec() {
        assert_eq!(
            serde_json::to_value(pagination(&RecordQuery::<Date>::page(1, 30), true)).unwrap(),
            json!({ "page": 1, "perPage": 30, "prevPage": null, "nextPage": 2, "hasNextPage": true })
        );
        assert_eq!(
            serde_json::to_value(pagination(&RecordQuery::<Date>::page(3, 10), false)).unwrap(),
            json!({ "page": 3, "perPage": 10, "prevPage": 2, "nextPage": null, "hasNextPage": false })
        );
    }
}
