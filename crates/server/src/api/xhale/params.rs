//! Query parameters of the Xhale lists: each named, given at most once, of its type;
//! anything else is a 400 naming the parameter, in the body shape of a bad field.

use crate::api::xhale::access::ATHLETE;
use crate::api::xhale::input::{FieldErrors, parse_date};
use crate::api::xhale::wire::parse_datetime;
use paceline_domain::ids::UserId;
use time::{Date, OffsetDateTime};

/// The parameters of one request, checked against the names a route takes.
pub(crate) struct Params {
    values: Vec<(String, String)>,
    /// What was wrong with them so far.
    pub(crate) errors: FieldErrors,
}

impl Params {
    /// Reads a raw query string; `allowed` are the names the route takes (`format`, which
    /// Django REST framework clients may send as `format=json`, is always taken).
    pub(crate) fn parse(raw: Option<&str>, allowed: &[&str]) -> Self {
        let mut errors = FieldErrors::default();
        let mut values: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if name == "format" {
                if value != "json" {
                    errors.add("format", "Only json is served.");
                }
                continue;
            }
            if !allowed.contains(&name.as_ref()) {
                errors.add(&name, "Unknown parameter.");
            } else if values.iter().any(|(k, _)| *k == name) {
                errors.add(&name, "Give this parameter once.");
            } else {
                values.push((name.into_owned(), value.into_owned()));
            }
        }
        Self { values, errors }
    }

    /// The raw value of `name`.
    pub(crate) fn raw(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A date parameter, `YYYY-MM-DD`.
    pub(crate) fn date(&mut self, name: &str) -> Option<Date> {
        let raw = self.raw(name)?;
        let parsed = parse_date(raw);
        if parsed.is_none() {
            self.errors.add(name, "Enter a valid date.");
        }
        parsed
    }

    /// An instant parameter, e.g. `2015-06-17T03:00:00` (UTC).
    pub(crate) fn datetime(&mut self, name: &str) -> Option<OffsetDateTime> {
        let raw = self.raw(name)?;
        let parsed = parse_datetime(raw);
        if parsed.is_none() {
            self.errors.add(name, "Enter a valid date/time.");
        }
        parsed
    }

    /// `?athlete=`: the athlete a coach acts for.
    pub(crate) fn athlete(&mut self) -> Option<UserId> {
        let raw = self.raw(ATHLETE)?;
        match raw.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(UserId(id)),
            _ => {
                self.errors.add(ATHLETE, "A valid integer is required.");
                None
            }
        }
    }

    /// The errors, if any.
    pub(crate) fn finish(self) -> Result<(), FieldErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_parses() {
        let mut p = Params::parse(
            Some("updated_since_datetime=2015-06-17T03%3A00%3A00&format=json"),
            &["updated_since_datetime", "start_date"],
        );
        assert_eq!(
            p.datetime("updated_since_datetime"),
            Some(time::macros::datetime!(2015-06-17 03:00:00 UTC))
        );
        assert_eq!(p.date("start_date"), None);
        assert!(p.finish().is_ok());
    }

    #[test]
    fn unknown_repeated_and_bad_parameters_are_named() {
        let mut p = Params::parse(
            Some("start_date=2015-13-01&start=1&end_date=2015-01-01&end_date=2015-01-02"),
            &["start_date", "end_date"],
        );
        assert_eq!(p.date("start_date"), None);
        assert!(p.finish().is_err());
    }
}
