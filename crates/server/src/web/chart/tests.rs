use super::*;

fn spec<'a>(value: &'a dyn Fn(f64) -> String, x: &'a dyn Fn(f64) -> String) -> LineSpec<'a> {
    LineSpec {
        key: "hr",
        title: "Heart rate",
        unit: "bpm",
        value,
        x_label: x,
        x_step: &|span| nice_step(span, 5.0),
        inverted: false,
        summary: None,
        gap_columns: GAP_COLUMNS,
    }
}

fn whole(v: f64) -> String {
    format!("{v:.0}")
}

#[test]
fn each_column_keeps_its_extremes_in_the_order_they_came() {
    let points = [(0.0, 5.0), (0.2, 9.0), (0.4, 1.0), (1.0, 3.0), (1.5, 7.0)];
    let columns = reduce(points, 0.0, 2.0, 2);
    assert_eq!(columns.len(), 2);
    assert_eq!(columns[0].index, 0);
    assert_eq!(
        columns[0].extremes,
        (9.0, 1.0),
        "the high came before the low"
    );
    assert!((columns[0].mean - 5.0).abs() < 1e-9);
    assert_eq!(columns[1].extremes, (3.0, 7.0));
    // The last point (x = x1) belongs to the last column, not past it.
    let edge = reduce([(0.0, 1.0), (2.0, 2.0)], 0.0, 2.0, 2);
    assert_eq!(edge.iter().map(|c| c.index).collect::<Vec<_>>(), [0, 1]);
}

#[test]
fn points_out_of_range_or_not_finite_are_left_out() {
    let points = [
        (-1.0, 5.0),
        (0.5, f64::NAN),
        (f64::INFINITY, 1.0),
        (0.5, 4.0),
    ];
    let columns = reduce(points, 0.0, 1.0, 4);
    assert_eq!(columns.len(), 1);
    assert_eq!(columns[0].extremes, (4.0, 4.0));
    assert!(
        reduce([(0.0, 1.0)], 1.0, 1.0, 4).is_empty(),
        "no span, no columns"
    );
}

#[test]
fn a_six_hour_ride_at_one_second_draws_at_most_two_points_per_column() {
    let points: Vec<(f64, f64)> = (0..6 * 3600)
        .map(|s| {
            let s = f64::from(s);
            (s, 140.0 + 20.0 * (s / 300.0).sin() + (s * 7.0).sin() * 3.0)
        })
        .collect();
    let chart = LineChart::of(&spec(&whole, &whole), &points).unwrap();
    let drawn = chart.path.matches(['M', 'L']).count();
    assert!(drawn <= 2 * PLOT_COLUMNS, "{drawn} points drawn");
    assert!(drawn >= PLOT_COLUMNS, "every column is drawn: {drawn}");
    assert_eq!(chart.path.matches('M').count(), 1, "one unbroken line");
    assert_eq!(chart.points, 6 * 3600);
    assert_eq!(chart.readout.split(',').count(), PLOT_COLUMNS);
    assert!(chart.path.len() < 24_000, "{} bytes", chart.path.len());
    // The summary has the figures in words.
    let mean = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    let low = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let high = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(
        chart.summary,
        format!("Heart rate: average {mean:.0} bpm, from {low:.0} to {high:.0} bpm.")
    );
    assert!(chart.y_ticks.len() >= 2);
    assert!(chart.x_ticks.len() >= 3);
}

#[test]
fn a_gap_breaks_the_line_and_leaves_the_read_out_empty() {
    let mut points: Vec<(f64, f64)> = (0..100).map(|s| (f64::from(s), 100.0)).collect();
    points.extend((200..300).map(|s| (f64::from(s), 120.0)));
    let chart = LineChart::of(&spec(&whole, &whole), &points).unwrap();
    assert_eq!(chart.path.matches('M').count(), 2);
    let readout: Vec<&str> = chart.readout.split(',').collect();
    assert_eq!(readout.len(), PLOT_COLUMNS);
    assert_eq!(readout[0], "100");
    assert_eq!(readout[PLOT_COLUMNS / 2], "");
    assert_eq!(readout[PLOT_COLUMNS - 1], "120");
}

#[test]
fn an_inverted_axis_puts_low_values_on_top() {
    let points = [(0.0, 240.0), (10.0, 360.0)];
    let mut inverted = spec(&whole, &whole);
    inverted.inverted = true;
    let chart = LineChart::of(&inverted, &points).unwrap();
    let first_y: f64 = chart.path[1..]
        .split(['M', 'L', ','])
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        first_y < LineChart::BOTTOM / 2.0,
        "240 s/km is high up: {first_y}"
    );
    // Read upwards, the labels fall.
    let top_label = chart
        .y_ticks
        .iter()
        .min_by(|a, b| a.at.total_cmp(&b.at))
        .unwrap();
    assert_eq!(top_label.label, "200", "the top is the axis' lowest bound");
}

#[test]
fn nothing_to_draw_is_no_chart() {
    assert!(LineChart::of(&spec(&whole, &whole), &[]).is_none());
    assert!(LineChart::of(&spec(&whole, &whole), &[(3.0, 1.0)]).is_none());
}

#[test]
fn steps_are_one_two_or_five_times_a_power_of_ten() {
    assert_eq!(nice_step(100.0, 4.0), 50.0);
    assert_eq!(nice_step(37.0, 4.0), 10.0);
    assert_eq!(nice_step(0.9, 4.0), 0.5);
    assert_eq!(nice_step(7.0, 5.0), 2.0);
    assert_eq!(nice_step(0.0, 4.0), 1.0);
}

#[test]
fn bars_stack_their_parts_and_share_one_scale() {
    let chart = BarChart::of(
        vec![
            (
                "W1".into(),
                vec![("run", "Run".into(), 60.0), ("ride", "Ride".into(), 120.0)],
                Some(200.0),
            ),
            ("W2".into(), vec![("run", "Run".into(), 90.0)], None),
            ("W3".into(), Vec::new(), None),
        ],
        &whole,
    );
    assert_eq!(chart.bars.len(), 3);
    let first = &chart.bars[0];
    assert_eq!(first.segments.len(), 2);
    let (run, ride) = (&first.segments[0], &first.segments[1]);
    assert!(
        (ride.height - 2.0 * run.height).abs() < 1e-9,
        "heights follow values"
    );
    assert!(
        (run.y - (ride.y + ride.height)).abs() < 1e-9,
        "the ride sits on the run"
    );
    assert!(
        first.target.unwrap() < ride.y,
        "the target is above what was done"
    );
    assert!((chart.bars[1].segments[0].height - 1.5 * run.height).abs() < 1e-9);
    assert!(chart.bars[2].segments.is_empty());
    assert_eq!(chart.y_ticks.first().unwrap().label, "0");
}

#[test]
fn a_route_keeps_its_shape_and_drops_what_a_pixel_cannot_show() {
    // A square of about 1 km at 60° north, walked with a point every 10 cm.
    let mut positions = Vec::new();
    let (lat0, lon0) = (60.0, 10.0);
    let (dlat, dlon) = (0.009, 0.018);
    for i in 0..10_000 {
        let t = f64::from(i) / 10_000.0;
        positions.push((lat0, lon0 + dlon * t));
    }
    for i in 0..10_000 {
        let t = f64::from(i) / 10_000.0;
        positions.push((lat0 + dlat * t, lon0 + dlon));
    }
    let route = Route::of(&positions).unwrap();
    // A degree of longitude at 60° is half a degree of latitude: the square stays square.
    assert!((route.width - route.height).abs() < 5.0, "{route:?}");
    assert!(route.path.matches('L').count() < 1_000);
    assert_eq!(route.points, 20_000);
    assert!(route.start.1 > route.end.1, "north is up");
    assert!(Route::of(&[(60.0, 10.0), (60.0, 10.0)]).is_none());
    assert!(Route::of(&[]).is_none());
}

#[test]
fn numbers_are_written_with_integers_as_rust_would_round_them() {
    fn written(f: fn(&mut String, f64), v: f64) -> String {
        let mut out = String::new();
        f(&mut out, v);
        out
    }
    assert_eq!(written(tenths, 48.5), "48.5");
    assert_eq!(written(tenths, 3.04), "3.0");
    assert_eq!(written(tenths, 3.06), "3.1");
    assert_eq!(written(tenths, -0.26), "-0.3");
    assert_eq!(written(tenths, 0.0), "0.0");
    assert_eq!(written(tenths, f64::NAN), "0.0");
    assert_eq!(written(super::whole, 141.5), "142");
    assert_eq!(written(super::whole, -2.4), "-2");
    assert_eq!(written(super::whole, f64::INFINITY), "0");
}
