use super::*;
use crate::activities::{Activity, ActivityType, Figures, Leg};
use crate::ids::ActivityId;
use std::collections::HashMap;
use time::macros::datetime;

#[test]
fn updates_move_forward_even_when_the_clock_does_not() {
    let seen = datetime!(2026-01-17 18:20:00.123456 UTC);
    assert_eq!(
        next_update(seen, datetime!(2026-01-17 18:21:00 UTC)),
        datetime!(2026-01-17 18:21:00 UTC)
    );
    assert_eq!(
        next_update(seen, seen),
        datetime!(2026-01-17 18:20:00.123457 UTC)
    );
    assert_eq!(
        next_update(seen, datetime!(2026-01-17 18:19:00 UTC)),
        datetime!(2026-01-17 18:20:00.123457 UTC)
    );
}

#[test]
fn a_coach_plan_is_read_only_to_the_athlete() {
    let (athlete, coach) = (UserId(1), UserId(2));
    let own = Subject::own(athlete);
    let by_coach = Subject {
        actor: coach,
        athlete,
    };
    assert!(may_change(&own, Part::Plan, None));
    assert!(!may_change(&own, Part::Plan, Some(coach)));
    assert!(may_change(&by_coach, Part::Plan, Some(coach)));
    assert!(may_change(&by_coach, Part::Plan, None));
    assert!(!may_change(&own, Part::Coach, None));
    assert!(may_change(&by_coach, Part::Coach, None));
    assert!(!may_change(&by_coach, Part::Athlete, None));
    assert!(may_change(&own, Part::Shared, Some(coach)));
}

fn done(kind: ActivityType, minutes: f64, km: f64, hr: i32, watts: Option<i32>) -> Activity {
    Activity {
        id: ActivityId(1),
        user_id: UserId(1),
        membership_id: crate::ids::MembershipId(1),
        organization_id: crate::ids::OrgId(1),
        origin: crate::activities::ActivityOrigin::External,
        source_name: None,
        activity_type: kind,
        title: None,
        started_at: datetime!(2026-01-17 08:00 UTC),
        timezone: None,
        figures: Figures {
            duration_sec: Some(minutes * 60.0),
            distance_m: Some(km * 1000.0),
            elevation_gain_m: Some(120.0),
            avg_hr: Some(hr),
            avg_power: watts,
            avg_cadence: watts.is_none().then_some(88),
            ..Figures::default()
        },
        notes: None,
        sources: Vec::new(),
        created_at: datetime!(2026-01-17 08:00 UTC),
        updated_at: datetime!(2026-01-17 08:00 UTC),
    }
}

#[test]
fn a_brick_splits_into_its_sports() {
    let mut log = SessionLog::default();
    let work = AttachedWork {
        activities: vec![
            done(ActivityType::Ride, 60.0, 30.0, 140, Some(200)),
            done(ActivityType::Ride, 30.0, 16.0, 150, None),
            done(ActivityType::Run, 20.0, 4.5, 160, None),
        ],
        legs: HashMap::new(),
    };
    log_from_activities(&mut log, &work);
    assert_eq!(log.completed_minutes.total, Some(110));
    assert_eq!(log.completed_minutes.bike, Some(90));
    assert_eq!(log.completed_minutes.run, Some(20));
    assert_eq!(log.completed_minutes.swim, None);
    assert_eq!(log.completed_km.total, Some(50.5));
    assert_eq!(log.completed_km.bike, Some(46.0));
    // 46 km in 1.5 h.
    assert_eq!(log.bike_average_speed_kph, Some(30.7));
    // Power only where measured: the first ride.
    assert_eq!(log.bike_average_power_watts, Some(200));
    // (140 * 60 + 150 * 30) / 90.
    assert_eq!(log.bike_average_heart_rate_bpm, Some(143));
    assert_eq!(log.bike_meters_climbed, Some(240));
    assert_eq!(log.run_average_heart_rate_bpm, Some(160));
    assert_eq!(log.run_meters_climbed, Some(120));
    assert_eq!(
        log.bike_average_cadence_rpm,
        Some(88),
        "cadence stays as logged"
    );
    // Without files the figures are cleared.
    log_from_activities(&mut log, &AttachedWork::default());
    assert_eq!(log.completed_minutes, Splits::default());
    assert_eq!(log.bike_average_power_watts, None);
}

#[test]
fn a_multisport_file_splits_by_its_legs() {
    let mut triathlon = done(ActivityType::Multisport, 150.0, 51.5, 150, None);
    triathlon.id = ActivityId(7);
    let leg = |kind, minutes: f64, km: f64| Leg {
        activity_type: kind,
        started_at: datetime!(2026-01-17 08:00 UTC),
        figures: Figures {
            duration_sec: Some(minutes * 60.0),
            distance_m: Some(km * 1000.0),
            ..Figures::default()
        },
    };
    let mut legs = HashMap::new();
    legs.insert(
        triathlon.id,
        vec![
            leg(ActivityType::Swim, 30.0, 1.5),
            leg(ActivityType::Ride, 75.0, 40.0),
            leg(ActivityType::Run, 45.0, 10.0),
        ],
    );
    let mut log = SessionLog::default();
    log_from_activities(
        &mut log,
        &AttachedWork {
            activities: vec![triathlon],
            legs,
        },
    );
    assert_eq!(log.completed_minutes.total, Some(150));
    assert_eq!(log.completed_minutes.swim, Some(30));
    assert_eq!(log.completed_minutes.bike, Some(75));
    assert_eq!(log.completed_minutes.run, Some(45));
    assert_eq!(log.completed_km.total, Some(51.5));
    assert_eq!(log.completed_km.swim, Some(1.5));
}

#[test]
fn tokens_are_32_hex_digits() {
    let token = new_token(&mut rand::rng());
    assert_eq!(token.len(), 32);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
}
