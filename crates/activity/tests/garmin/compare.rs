//! [`Compare`], which collects every mismatch between what was encoded and what the SDK
//! read, and helpers to read the SDK's messages.

use paceline_activity::fit::{Figures, FitTime, Sport};
use serde_json::Value;

/// Compares SDK output with expectations, collecting every mismatch.
pub(crate) struct Compare {
    pub(crate) failures: Vec<String>,
}

impl Compare {
    pub(crate) fn value(&mut self, at: &str, message: &Value, key: &str, expected: Option<Value>) {
        let actual = message.get(key).filter(|v| !v.is_null());
        let same = match (&expected, actual) {
            (None, None) => true,
            (Some(Value::Number(e)), Some(Value::Number(a))) => {
                let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
                (e - a).abs() <= 1e-9 * e.abs().max(1.0)
            }
            (Some(e), Some(a)) => e == a,
            _ => false,
        };
        if !same {
            self.failures.push(format!(
                "{at}.{key}: encoded {expected:?}, the SDK read {actual:?}"
            ));
        }
    }

    pub(crate) fn figures(&mut self, at: &str, message: &Value, f: &Figures) {
        let num = |v: Option<f64>| v.map(Value::from);
        let int = |v: Option<u32>| v.map(Value::from);
        self.value(at, message, "total_elapsed_time", num(f.elapsed_s));
        self.value(at, message, "total_timer_time", num(f.timer_s));
        self.value(at, message, "total_distance", num(f.distance_m));
        self.value(
            at,
            message,
            "total_calories",
            int(f.calories_kcal.map(|c| c.min(65_534))),
        );
        self.value(
            at,
            message,
            "avg_heart_rate",
            int(f.avg_heart_rate.map(u32::from)),
        );
        self.value(
            at,
            message,
            "max_heart_rate",
            int(f.max_heart_rate.map(u32::from)),
        );
        self.value(
            at,
            message,
            "avg_cadence",
            int(f.avg_cadence.map(u32::from)),
        );
        self.value(
            at,
            message,
            "max_cadence",
            int(f.max_cadence.map(u32::from)),
        );
        self.value(at, message, "avg_power", int(f.avg_power_w.map(u32::from)));
        self.value(at, message, "max_power", int(f.max_power_w.map(u32::from)));
        self.value(at, message, "total_ascent", int(f.ascent_m));
        self.value(at, message, "total_descent", int(f.descent_m));
        self.value(
            at,
            message,
            "normalized_power",
            int(f.normalized_power_w.map(u32::from)),
        );
        self.value(
            at,
            message,
            "enhanced_avg_speed",
            num(f.avg_speed_mps.map(|v| (v * 1000.0).round() / 1000.0)),
        );
        self.value(
            at,
            message,
            "enhanced_max_speed",
            num(f.max_speed_mps.map(|v| (v * 1000.0).round() / 1000.0)),
        );
    }
}

pub(crate) fn time(t: FitTime) -> Value {
    Value::from(t.to_string())
}

pub(crate) fn sport_name(sport: Sport) -> Value {
    sport
        .name()
        .map_or_else(|| Value::from(sport.0), Value::from)
}

pub(crate) fn messages<'a>(file: &'a Value, kind: &str) -> &'a [Value] {
    file.pointer(&format!("/messages/{kind}_mesgs"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}
