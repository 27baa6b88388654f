//! `paceline admin athlete settings|show`: training settings set, shown with the zones they
//! give, and refused when implausible, changing nothing.

use crate::harness::{admin_json, run};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(training_settings_are_set_shown_and_refused);

const EMAIL: &str = "rider@example.com";

async fn show(db: &TestContext) -> Value {
    admin_json(db, &["athlete", "show", "--email", EMAIL]).await
}

async fn training_settings_are_set_shown_and_refused(db: TestContext) {
    admin_json(
        &db,
        &[
            "user",
            "create",
            "--email",
            EMAIL,
            "--password",
            "long enough",
            "--name",
            "Rider",
        ],
    )
    .await;
    let fresh = show(&db).await;
    assert_eq!(fresh["max_heart_rate"], Value::Null);
    assert_eq!(fresh["zones"]["run"]["zones"], Value::Array(Vec::new()));

    let set = admin_json(
        &db,
        &[
            "athlete",
            "settings",
            "--email",
            EMAIL,
            "--max-hr",
            "180",
            "--ftp",
            "275",
            "--threshold-pace",
            "4:00",
            "--weight",
            "70.5",
            "--season-start",
            "2026-01-01",
            "--season-end",
            "2026-12-31",
        ],
    )
    .await;
    assert_eq!(set["max_heart_rate"], 180);
    assert_eq!(set["ftp_watts"], 275);
    assert_eq!(set["threshold_pace_s_per_km"], 240);
    assert_eq!(set["weight_kg"], 70.5);
    assert_eq!(
        set["seasons"][0],
        serde_json::json!(["2026-01-01", "2026-12-31"])
    );
    let run_zones = &set["zones"]["run"]["zones"];
    assert_eq!(run_zones.as_array().unwrap().len(), 5);
    assert_eq!(run_zones[0]["heart_rate_min"], 117);
    assert_eq!(run_zones[0]["heart_rate_max"], 134);
    let threshold = run_zones[3]["meters_per_second_fastest"].as_f64().unwrap();
    assert!((threshold - 1000.0 / 240.0).abs() < 1e-9);
    assert_eq!(set["zones"]["bike"]["zones"][3]["power_max"], 275);
    assert_eq!(show(&db).await, set, "show prints what was written");

    // Implausible or malformed: refused, nothing changed.
    for bad in [
        &["--max-hr", "400"][..],
        &["--threshold-hr", "190"][..],
        &["--threshold-pace", "4:5"][..],
        &["--clear", "colour"][..],
        &["--accept-suggested-max-hr"][..],
    ] {
        let mut args = vec!["admin", "athlete", "settings", "--email", EMAIL];
        args.extend_from_slice(bad);
        let output = run(&db, &args).await;
        assert!(!output.status.success(), "{bad:?} was accepted");
        assert!(!output.stderr.is_empty());
    }
    assert_eq!(show(&db).await, set);

    let cleared = admin_json(
        &db,
        &["athlete", "settings", "--email", EMAIL, "--clear", "ftp"],
    )
    .await;
    assert_eq!(cleared["ftp_watts"], Value::Null);
    assert_eq!(
        cleared["zones"]["bike"]["zones"][3]["power_max"],
        Value::Null
    );
    assert_eq!(cleared["zones"]["bike"]["zones"][3]["heart_rate_max"], 168);

    let text = run(&db, &["admin", "athlete", "show", "--email", EMAIL]).await;
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Easy") && text.contains("117-134 bpm"),
        "{text}"
    );
    assert!(text.contains("threshold pace 4:00 per km"), "{text}");
}
