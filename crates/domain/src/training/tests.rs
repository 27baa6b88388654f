use super::*;

fn bounds(zones: &SportZones) -> Vec<(Option<i32>, Option<i32>)> {
    zones
        .zones
        .iter()
        .map(|z| (z.heart_rate_min, z.heart_rate_max))
        .collect()
}

#[test]
fn heart_rate_zones_are_the_xhale_examples() {
    // The document's run zones: a maximum of 180.
    let settings = TrainingSettings {
        max_heart_rate: Some(180),
        ..TrainingSettings::default()
    };
    let run = zones_for(ZoneSport::Run, &settings, None, &[]);
    assert_eq!(run.max_heart_rate, Some(180));
    let expected = [(117, 134), (135, 147), (148, 159), (160, 168), (169, 180)];
    assert_eq!(
        bounds(&run),
        expected.map(|(l, h)| (Some(l), Some(h))).to_vec()
    );
    let names: Vec<&str> = run.zones.iter().map(|z| z.name.as_str()).collect();
    assert_eq!(names, ZONE_NAMES);
    // Its bike zones: a maximum of 175 kept for cycling alone.
    let bike = zones_for(ZoneSport::Bike, &settings, Some(175), &[]);
    assert_eq!(bike.max_heart_rate, Some(175));
    let expected = [(114, 130), (131, 143), (144, 155), (156, 164), (165, 175)];
    assert_eq!(
        bounds(&bike),
        expected.map(|(l, h)| (Some(l), Some(h))).to_vec()
    );
}

#[test]
fn power_zones_end_zone_four_at_ftp() {
    let settings = TrainingSettings {
        ftp_watts: Some(275),
        ..TrainingSettings::default()
    };
    let bike = zones_for(ZoneSport::Bike, &settings, None, &[]);
    let watts: Vec<(Option<i32>, Option<i32>)> = bike
        .zones
        .iter()
        .map(|z| (z.power_min, z.power_max))
        .collect();
    assert_eq!(watts[3].1, Some(275));
    assert_eq!(watts[4], (Some(276), Some(413)));
    for pair in watts.windows(2) {
        assert_eq!(pair[0].1.unwrap() + 1, pair[1].0.unwrap());
    }
    // Running has no power zones, cycling no pace zones; without a maximum, no heart rates.
    let run = zones_for(ZoneSport::Run, &settings, None, &[]);
    assert!(run.zones.iter().all(|z| z.power_min.is_none()));
    assert!(bike.zones.iter().all(|z| z.speed_min_mps.is_none()));
    assert!(bike.zones.iter().all(|z| z.heart_rate_min.is_none()));
    assert_eq!(bike.max_heart_rate, None);
}

#[test]
fn pace_zones_are_speeds_around_the_threshold() {
    // 4:00 per km: 4.1667 m/s.
    let settings = TrainingSettings {
        threshold_pace_s_per_km: Some(240),
        ..TrainingSettings::default()
    };
    let run = zones_for(ZoneSport::Run, &settings, None, &[]);
    let threshold = 1000.0 / 240.0;
    let hard = &run.zones[3];
    assert!((hard.speed_max_mps.unwrap() - threshold).abs() < 1e-9);
    assert!(hard.speed_min_mps.unwrap() < hard.speed_max_mps.unwrap());
    for pair in run.zones.windows(2) {
        assert!((pair[0].speed_max_mps.unwrap() - pair[1].speed_min_mps.unwrap()).abs() < 1e-9);
    }
}

#[test]
fn bounds_set_by_hand_win_over_the_model() {
    let settings = TrainingSettings {
        max_heart_rate: Some(180),
        ftp_watts: Some(250),
        ..TrainingSettings::default()
    };
    let by_hand = |heart_rate_min, power_min| Zone {
        number: 2,
        name: "Steady".into(),
        heart_rate_min,
        heart_rate_max: None,
        power_min,
        power_max: None,
        speed_min_mps: None,
        speed_max_mps: None,
    };
    let bike_by_hand = [by_hand(None, Some(180))];
    let run_by_hand = [by_hand(Some(140), None)];
    let bike = zones_for(ZoneSport::Bike, &settings, None, &bike_by_hand);
    assert_eq!(bike.zones[1].power_min, Some(180));
    assert_eq!(
        bike.zones[1].power_max,
        Some(192),
        "the model's other bound stays"
    );
    assert_eq!(
        bike.zones[1].heart_rate_min,
        Some(135),
        "the run override is the run's"
    );
    let run = zones_for(ZoneSport::Run, &settings, None, &run_by_hand);
    assert_eq!(run.zones[1].heart_rate_min, Some(140));
}

#[test]
fn implausible_settings_are_refused() {
    let ok = TrainingSettings {
        max_heart_rate: Some(190),
        resting_heart_rate: Some(48),
        threshold_heart_rate: Some(170),
        ftp_watts: Some(260),
        threshold_pace_s_per_km: Some(255),
        swim_css_s_per_100m: Some(95),
        weight_kg: Some(71.5),
        suggested_max_heart_rate: None,
    };
    assert_eq!(ok.check(), Ok(()));
    let bad = [
        TrainingSettings {
            max_heart_rate: Some(300),
            ..ok.clone()
        },
        TrainingSettings {
            ftp_watts: Some(5),
            ..ok.clone()
        },
        TrainingSettings {
            weight_kg: Some(f64::NAN),
            ..ok.clone()
        },
        TrainingSettings {
            threshold_heart_rate: Some(195),
            ..ok.clone()
        },
        TrainingSettings {
            resting_heart_rate: Some(175),
            ..ok.clone()
        },
    ];
    for settings in bad {
        assert!(settings.check().is_err(), "{settings:?}");
    }
}

#[test]
fn a_higher_heart_rate_is_offered_never_imposed() {
    let mut settings = TrainingSettings {
        max_heart_rate: Some(180),
        ..TrainingSettings::default()
    };
    settings.saw_heart_rate(176);
    assert_eq!(settings.suggested_max_heart_rate, None);
    settings.saw_heart_rate(186);
    settings.saw_heart_rate(184);
    assert_eq!(settings.suggested_max_heart_rate, Some(186));
    assert_eq!(settings.max_heart_rate, Some(180));
    settings.saw_heart_rate(255);
    assert_eq!(
        settings.suggested_max_heart_rate,
        Some(186),
        "a sensor glitch"
    );
    assert!(settings.accept_suggestion());
    assert_eq!(settings.max_heart_rate, Some(186));
    assert_eq!(settings.suggested_max_heart_rate, None);
    assert!(!settings.accept_suggestion());
}

#[test]
fn time_in_zones_holds_each_value_until_the_next_record_and_skips_pauses() {
    let settings = TrainingSettings {
        max_heart_rate: Some(200),
        ..TrainingSettings::default()
    };
    let zones = zones_for(ZoneSport::Run, &settings, None, &[]).zones;
    let lower = |n: usize| f64::from(zones[n].heart_rate_min.unwrap());
    let records = [
        (0, Some(lower(0) - 10.0)),  // 5 s below zone 1
        (5, Some(lower(1))),         // 10 s in zone 2
        (15, Some(lower(4) + 40.0)), // 20 s above zone 5: counts in zone 5
        (35, None),                  // 1 s without a value: not counted
        (36, Some(lower(2))),        // then a pause of 10 minutes: not counted
        (636, Some(lower(2))),       // 4 s in zone 3
        (640, Some(lower(0))),       // the last record holds for no time
    ];
    let times = time_in_zones(&zones, ZoneMeasure::HeartRate, records).unwrap();
    assert_eq!(times.below, 5.0);
    assert_eq!(times.seconds, [0.0, 10.0, 4.0, 0.0, 20.0]);
    assert_eq!(
        time_in_zones(&zones, ZoneMeasure::Power, records),
        None,
        "running zones have no power bounds without an FTP"
    );
}
