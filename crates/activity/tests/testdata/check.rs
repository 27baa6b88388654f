//! [`Check`], which collects every mismatch of one file, and how it compares values: at
//! the resolution the FIT profile gives each field.

use paceline_activity::fit::FitTime;
use serde_json::Value;

/// Collects every mismatch of one file, so a failing run lists them all at once.
pub(crate) struct Check<'a> {
    pub(crate) file: &'a str,
    pub(crate) failures: Vec<String>,
    /// Whether a field the reference lacks must be absent from ours too. True for Garmin's
    /// SDK, which prints every field a message has; false where fitdecode is the reference
    /// (compressed-timestamp files), whose entry lists only a few fields.
    pub(crate) absent_means_absent: bool,
}

/// The reference value: a scalar, or the first element of an array. One file
/// (`muktihari__triathlon_summary_first.fit`) writes `enhanced_avg_speed` and
/// `enhanced_max_speed` as two-element arrays whose second element is 65535 padding; the SDK
/// prints both, the profile defines the field as a scalar, and we read the first.
pub(crate) fn scalar(value: Option<&Value>) -> Option<&Value> {
    match value {
        Some(Value::Array(items)) => items.first(),
        Some(Value::Null) | None => None,
        other => other,
    }
}

impl Check<'_> {
    pub(crate) fn fail(&mut self, field: &str, detail: String) {
        self.failures
            .push(format!("{}: {field}: {detail}", self.file));
    }

    pub(crate) fn int(&mut self, field: &str, expected: Option<&Value>, actual: Option<i64>) {
        let expected = scalar(expected).map(Value::as_i64);
        match (expected, actual) {
            (None, None) => {}
            (None, Some(_)) if !self.absent_means_absent => {}
            (Some(Some(e)), Some(a)) if e == a => {}
            (e, a) => self.fail(field, format!("expected {e:?}, decoded {a:?}")),
        }
    }

    /// A scaled value, equal when within half the field's resolution.
    pub(crate) fn float(
        &mut self,
        field: &str,
        expected: Option<&Value>,
        actual: Option<f64>,
        resolution: f64,
    ) {
        let expected = scalar(expected).map(Value::as_f64);
        match (expected, actual) {
            (None, None) => {}
            (None, Some(_)) if !self.absent_means_absent => {}
            (Some(Some(e)), Some(a)) if (e - a).abs() <= resolution / 2.0 => {}
            (e, a) => self.fail(field, format!("expected {e:?}, decoded {a:?}")),
        }
    }

    /// A date-time the reference prints as RFC 3339 (or as an integer for device-relative
    /// times, which fitdecode leaves raw).
    pub(crate) fn time(&mut self, field: &str, expected: Option<&Value>, actual: Option<FitTime>) {
        let expected = scalar(expected);
        let matches = match (expected, actual) {
            (None, None) => true,
            (None, Some(_)) => !self.absent_means_absent,
            (Some(Value::String(e)), Some(a)) => *e == a.to_string(),
            (Some(Value::Number(e)), Some(a)) => e.as_u64() == Some(u64::from(a.0)),
            _ => false,
        };
        if !matches {
            self.fail(
                field,
                format!(
                    "expected {expected:?}, decoded {:?}",
                    actual.map(|a| a.to_string())
                ),
            );
        }
    }

    /// An enum the reference prints as its profile name, or as a number when unnamed.
    pub(crate) fn name(
        &mut self,
        field: &str,
        expected: Option<&Value>,
        name: Option<&str>,
        number: Option<u16>,
    ) {
        let matches = match scalar(expected) {
            None => number.is_none() || !self.absent_means_absent,
            Some(Value::String(e)) => name == Some(e.as_str()),
            Some(Value::Number(e)) => e.as_u64() == number.map(u64::from) && name.is_none(),
            Some(_) => false,
        };
        if !matches {
            self.fail(
                field,
                format!("expected {expected:?}, decoded {name:?} ({number:?})"),
            );
        }
    }
}

pub(crate) fn opt_i<T: Into<i64>>(value: Option<T>) -> Option<i64> {
    value.map(Into::into)
}
