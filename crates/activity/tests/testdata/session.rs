//! A session message of the reference against the leg decoded from it.

use crate::check::{Check, opt_i};
use paceline_activity::fit::LegSummary;
use serde_json::Value;

pub(crate) fn check_session(
    check: &mut Check<'_>,
    index: usize,
    expected: &Value,
    leg: &LegSummary,
) {
    let at = |key: &str| expected.get(key);
    let field = |name: &str| format!("sessions[{index}].{name}");
    let f = &leg.figures;
    check.name(
        &field("sport"),
        at("sport"),
        leg.sport.and_then(|s| s.name()),
        leg.sport.map(|s| u16::from(s.0)),
    );
    check.name(
        &field("sub_sport"),
        at("sub_sport"),
        leg.sub_sport.and_then(|s| s.name()),
        leg.sub_sport.map(|s| u16::from(s.0)),
    );
    if let Some(fit) = at("start_time_fit") {
        check.int(
            &field("start_time_fit"),
            Some(fit),
            leg.start_time.map(|t| i64::from(t.0)),
        );
    }
    check.time(&field("start_time"), at("start_time"), leg.start_time);
    check.time(&field("timestamp"), at("timestamp"), leg.end_time);
    check.float(
        &field("total_elapsed_time"),
        at("total_elapsed_time"),
        f.elapsed_s,
        0.001,
    );
    check.float(
        &field("total_timer_time"),
        at("total_timer_time"),
        f.timer_s,
        0.001,
    );
    check.float(
        &field("total_distance"),
        at("total_distance"),
        f.distance_m,
        0.01,
    );
    check.int(
        &field("avg_heart_rate"),
        at("avg_heart_rate"),
        opt_i(f.avg_heart_rate),
    );
    check.int(
        &field("max_heart_rate"),
        at("max_heart_rate"),
        opt_i(f.max_heart_rate),
    );
    check.int(&field("avg_power"), at("avg_power"), opt_i(f.avg_power_w));
    check.int(&field("max_power"), at("max_power"), opt_i(f.max_power_w));
    check.int(
        &field("normalized_power"),
        at("normalized_power"),
        opt_i(f.normalized_power_w),
    );
    check.int(
        &field("avg_cadence"),
        at("avg_cadence"),
        opt_i(f.avg_cadence),
    );
    check.int(
        &field("max_cadence"),
        at("max_cadence"),
        opt_i(f.max_cadence),
    );
    check.int(
        &field("total_calories"),
        at("total_calories"),
        opt_i(f.calories_kcal),
    );
    check.int(
        &field("total_ascent"),
        at("total_ascent"),
        opt_i(f.ascent_m),
    );
    check.int(
        &field("total_descent"),
        at("total_descent"),
        opt_i(f.descent_m),
    );
    check.float(
        &field("enhanced_avg_speed"),
        at("enhanced_avg_speed"),
        f.avg_speed_mps,
        0.001,
    );
    check.float(
        &field("enhanced_max_speed"),
        at("enhanced_max_speed"),
        f.max_speed_mps,
        0.001,
    );
    check.int(&field("num_laps"), at("num_laps"), opt_i(leg.lap_count));
    check.int(
        &field("first_lap_index"),
        at("first_lap_index"),
        opt_i(leg.first_lap_index),
    );
    check.float(
        &field("pool_length"),
        at("pool_length"),
        leg.pool_length_m,
        0.01,
    );
    check.int(
        &field("num_active_lengths"),
        at("num_active_lengths"),
        opt_i(leg.active_lengths),
    );
}
