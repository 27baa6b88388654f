//! ZWO: the files parse as XML with the expected blocks.

use super::{download, give_bike_zones, trainer_ride};
use crate::calendar::team;
use crate::harness::TestApp;
use crate::workouts::{plan, session};
use paceline_testkit::{TestContext, on_both_engines};
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use serde_json::{Value, json};

on_both_engines!(zwo_files_parse_with_the_expected_blocks,);

/// An element as read back: name, attributes, text.
type Element = (String, Vec<(String, String)>, String);

/// Each element of an XML document; parsing fails the test on malformed XML.
fn elements(bytes: &[u8]) -> Vec<Element> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let mut reader = Reader::from_str(text);
    let mut out: Vec<Element> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let value = a.normalized_value(XmlVersion::Implicit1_0).unwrap();
                        (a.key.0.to_owned(), value.into_owned())
                    })
                    .collect();
                out.push((e.name().0.to_owned(), attributes, String::new()));
            }
            Event::Text(t) => out.last_mut().unwrap().2.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match &*r.into_inner() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("&{other};"),
                };
                out.last_mut().unwrap().2.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for element in &mut out {
        element.2 = element.2.trim().to_owned();
    }
    out
}

fn attribute<'a>(element: &'a Element, key: &str) -> &'a str {
    element
        .1
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{} has no {key}", element.0))
}

async fn zwo_files_parse_with_the_expected_blocks(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let day = session(&app, &team, "2018-08-20", "5").await;
    let mut body = trainer_ride();
    body["training_session_ids"] = json!([day]);
    let ride = plan(&app, &team, &body).await;
    let file = format!("{}.zwo", ride["workout_id"]);
    let token = &team.athlete.access_token;

    // Watts and zones need the athlete's FTP: not known yet.
    let (status, _, bytes) = download(&app, token, day, &file).await;
    let refusal: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, 409, "{refusal}");
    let detail = refusal["detail"].as_str().unwrap();
    assert!(
        detail.contains("step 2.1") && detail.contains("FTP"),
        "{detail}"
    );

    give_bike_zones(&app, &team).await;
    let (status, headers, bytes) = download(&app, token, day, &file).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/xml; charset=utf-8");
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"workout{}.zwo\"", ride["workout_id"]).as_str()
    );
    let e = elements(&bytes);
    let names: Vec<&str> = e.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "workout_file",
            "author",
            "name",
            "description",
            "sportType",
            "tags",
            "workout",
            "Warmup",
            "textevent",
            "IntervalsT",
            "textevent",
            "Cooldown",
        ]
    );
    assert_eq!(e[2].2, "Sweet <spot> & \"friends\"");
    assert_eq!(e[3].2, "Two blocks.\nStay seated.");
    assert_eq!(e[4].2, "bike");
    assert_eq!(
        [
            attribute(&e[7], "Duration"),
            attribute(&e[7], "PowerLow"),
            attribute(&e[7], "PowerHigh")
        ],
        ["600", "0.5", "0.75"]
    );
    assert_eq!(attribute(&e[8], "message"), "Warm up");
    // 245 W of 275 W; zone 1 is 175-190 W, 182.5 W.
    assert_eq!(
        [
            attribute(&e[9], "Repeat"),
            attribute(&e[9], "OnDuration"),
            attribute(&e[9], "OffDuration"),
            attribute(&e[9], "OnPower"),
            attribute(&e[9], "OffPower"),
        ],
        ["2", "1200", "300", "0.891", "0.664"]
    );
    assert_eq!(
        [
            attribute(&e[11], "PowerLow"),
            attribute(&e[11], "PowerHigh")
        ],
        ["0.6", "0.4"]
    );

    // A heart-rate target has no place in a ZWO file: 422 naming the step.
    let hr = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "HR", "training_session_ids": [day], "steps": [
            {"type": "step", "duration": {"type": "time", "seconds": 60}},
            {"type": "step", "duration": {"type": "time", "seconds": 60},
             "target": {"type": "heart_rate_zone", "zone": 2}}
        ]}),
    )
    .await;
    let (status, _, bytes) = download(&app, token, day, &format!("{}.zwo", hr["workout_id"])).await;
    let refusal: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, 422, "{refusal}");
    assert!(
        refusal["detail"]
            .as_str()
            .unwrap()
            .contains("step 2: heart-rate"),
        "{refusal}"
    );
}
