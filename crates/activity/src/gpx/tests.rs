//! GPX unit tests: extensions, geometry against hand-checked values, refusals; property
//! tests that no input panics.

use proptest::prelude::*;

use super::*;
use crate::fit::ActivityType;

const RIDE: &str = r#"<?xml version="1.0"?>
<gpx version="1.1" creator="test &amp; co" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
  <trk><name>Morning</name><type>cycling</type>
    <trkseg>
      <trkpt lat="45.0" lon="6.0"><ele>100</ele><time>2020-01-01T10:00:00Z</time>
        <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>80</gpxtpx:cad><gpxtpx:atemp>21.6</gpxtpx:atemp></gpxtpx:TrackPointExtension><power>250</power></extensions>
      </trkpt>
      <trkpt lat="45.001" lon="6.0"><ele>110</ele><time>2020-01-01T10:00:30.5Z</time></trkpt>
      <trkpt lat="45.002" lon="6.0"><ele>105</ele><time>2020-01-01T10:01:00Z</time></trkpt>
    </trkseg>
  </trk>
  <wpt lat="1" lon="2"/>
</gpx>"#;

#[test]
fn a_ride_reads_with_its_extensions_and_geometry() {
    let gpx = decode_gpx_activity(RIDE.as_bytes()).unwrap();
    assert_eq!(gpx.creator.as_deref(), Some("test & co"));
    assert_eq!(gpx.summary.activity_type, ActivityType::Ride);
    assert_eq!(gpx.streams.len(), 3);
    assert_eq!(gpx.streams.heart_rate, vec![Some(120), None, None]);
    assert_eq!(gpx.streams.cadence, vec![Some(80), None, None]);
    assert_eq!(gpx.streams.power_w, vec![Some(250), None, None]);
    assert_eq!(gpx.streams.temperature_c, vec![Some(22), None, None]);
    assert_eq!(gpx.waypoints, 1);
    // 0.001 degrees of latitude on gpxpy's sphere is 111.319... m.
    let one = 2.0 * std::f64::consts::PI * 6_378_137.0 / 360.0 * 0.001;
    assert!((gpx.length_2d_m - 2.0 * one).abs() < 1e-6);
    assert_eq!(gpx.summary.figures.distance_m, Some(gpx.length_2d_m));
    assert_eq!(gpx.duration_s, Some(60.0));
    assert_eq!(gpx.tracks[0].name.as_deref(), Some("Morning"));
    assert_eq!(gpx.end_time.unwrap().to_string(), "2020-01-01T10:01:00Z");
    // Smoothed: 100, 100*.3+110*.4+105*.3 = 105.5, 105: up 5.5, down 0.5.
    assert!((gpx.uphill_m - 5.5).abs() < 1e-9);
    assert!((gpx.downhill_m - 0.5).abs() < 1e-9);
}

#[test]
fn waypoints_and_routes_only_are_not_an_activity() {
    let routes =
        r#"<gpx version="1.1"><rte><rtept lat="1" lon="2"/><rtept lat="1" lon="3"/></rte></gpx>"#;
    let gpx = decode_gpx(routes.as_bytes()).unwrap();
    assert_eq!((gpx.routes, gpx.route_points), (1, 2));
    assert_eq!(
        decode_gpx_activity(routes.as_bytes()),
        Err(XmlError::NotAnActivity {
            what: "a GPX file of routes"
        })
    );
}

#[test]
fn bad_points_and_hostile_inputs_are_refused() {
    let no_lat = r#"<gpx><trk><trkseg><trkpt lon="2"/></trkseg></trk></gpx>"#;
    assert!(matches!(
        decode_gpx(no_lat.as_bytes()),
        Err(XmlError::BadValue { what: "lat", .. })
    ));
    let far = r#"<gpx><trk><trkseg><trkpt lat="91" lon="2"/></trkseg></trk></gpx>"#;
    assert!(matches!(
        decode_gpx(far.as_bytes()),
        Err(XmlError::BadValue { .. })
    ));
    let bomb = r#"<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">]><gpx>&a;</gpx>"#;
    assert!(matches!(
        decode_gpx(bomb.as_bytes()),
        Err(XmlError::Dtd { .. })
    ));
    let external = r#"<!DOCTYPE gpx SYSTEM "file:///etc/passwd"><gpx/>"#;
    assert!(matches!(
        decode_gpx(external.as_bytes()),
        Err(XmlError::Dtd { .. })
    ));
    assert!(matches!(
        decode_gpx(b"<TrainingCenterDatabase/>"),
        Err(XmlError::WrongRoot { .. })
    ));
    assert!(matches!(
        decode_gpx(b"<gpx><trk>"),
        Err(XmlError::Truncated { .. })
    ));
    assert!(matches!(
        decode_gpx(b"not xml at all"),
        Err(XmlError::Syntax { .. })
    ));
    let deep = format!("<gpx>{}", "<extensions>".repeat(10_000));
    assert!(matches!(
        decode_gpx(deep.as_bytes()),
        Err(XmlError::TooDeep { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_gpx(&bytes);
    }

    #[test]
    fn mutated_files_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = RIDE.as_bytes().to_vec();
        for (index, value) in flips {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        let _ = decode_gpx(&bytes);
        let _ = decode_gpx(&bytes[..cut.index(bytes.len())]);
    }

    #[test]
    fn generated_tracks_read_back(points in proptest::collection::vec((-89.0f64..89.0, -179.0f64..179.0, proptest::option::of(-400.0f64..8000.0)), 0..50)) {
        let mut text = String::from(r#"<gpx version="1.1"><trk><trkseg>"#);
        for (lat, lon, ele) in &points {
            text.push_str(&format!(r#"<trkpt lat="{lat}" lon="{lon}">"#));
            if let Some(ele) = ele {
                text.push_str(&format!("<ele>{ele}</ele>"));
            }
            text.push_str("</trkpt>");
        }
        text.push_str("</trkseg></trk></gpx>");
        let gpx = decode_gpx(text.as_bytes()).unwrap();
        prop_assert_eq!(gpx.streams.len(), points.len());
        let elevations: Vec<Option<f64>> = points.iter().map(|p| p.2).collect();
        if elevations.iter().any(Option::is_some) {
            prop_assert_eq!(&gpx.streams.altitude_m, &elevations);
        }
        prop_assert!(gpx.length_3d_m + 1e-6 >= gpx.length_2d_m);
    }
}
