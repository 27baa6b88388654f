use super::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use time::macros::{date, datetime};

fn workout(kind: Kind, intervals: bool) -> Workout {
    Workout {
        kind,
        start: datetime!(2026-11-28 09:12 UTC),
        seconds: 3600,
        effort: 0.7,
        intervals,
    }
}

#[test]
fn a_ride_reads_back_as_a_plausible_ride() {
    let mut rng = StdRng::seed_from_u64(7);
    let bytes = recording(&workout(Kind::Ride, true), &mut rng);
    let decoded = fit::decode_activity(&bytes).unwrap();
    let summary = &decoded.summary;
    assert_eq!(summary.activity_type, fit::ActivityType::Ride);
    assert_eq!(decoded.streams.len(), 3600);
    assert_eq!(decoded.streams.position.iter().flatten().count(), 3600);
    let f = &summary.figures;
    let hr = f.avg_heart_rate.unwrap();
    assert!((115..=170).contains(&hr), "average heart rate {hr}");
    let power = f.avg_power_w.unwrap();
    assert!((140..=260).contains(&power), "average power {power}");
    let km = f.distance_m.unwrap() / 1000.0;
    assert!((22.0..=42.0).contains(&km), "{km} km in an hour");
    assert!(f.ascent_m.unwrap() > 0);
    // Warm-up, three intervals with their recoveries, cool-down.
    assert!(decoded.laps.len() >= 7, "{} laps", decoded.laps.len());
}

#[test]
fn indoor_rides_have_no_route_and_runs_no_power() {
    let mut rng = StdRng::seed_from_u64(8);
    let indoor =
        fit::decode_activity(&recording(&workout(Kind::IndoorRide, false), &mut rng)).unwrap();
    assert_eq!(indoor.summary.activity_type, fit::ActivityType::VirtualRide);
    assert_eq!(indoor.streams.position.iter().flatten().count(), 0);
    assert!(indoor.streams.power_w.iter().flatten().count() > 3000);
    let run = fit::decode_activity(&recording(&workout(Kind::Run, false), &mut rng)).unwrap();
    assert_eq!(run.summary.activity_type, fit::ActivityType::Run);
    assert_eq!(run.streams.power_w.iter().flatten().count(), 0);
    let km = run.summary.figures.distance_m.unwrap() / 1000.0;
    assert!((9.0..=16.0).contains(&km), "{km} km run in an hour");
    assert_eq!(
        run.laps.len(),
        km.floor() as usize + 1,
        "a lap per kilometre"
    );
}

#[test]
fn the_schedule_fills_the_weeks_before_today() {
    let mut rng = StdRng::seed_from_u64(9);
    let today = date!(2026 - 12 - 05);
    let plan = schedule(today, 4, false, &mut rng);
    assert!((18..=28).contains(&plan.len()), "{} workouts", plan.len());
    assert!(plan.iter().all(|w| w.start.date() < today));
    assert!(
        plan.iter()
            .all(|w| w.start.date() >= today - Duration::weeks(4))
    );
    assert!(plan.windows(2).all(|p| p[0].start < p[1].start));
    let runner = schedule(today, 4, true, &mut rng);
    assert!(runner.iter().all(|w| w.kind == Kind::Run));
}
