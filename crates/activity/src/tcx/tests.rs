//! TCX unit tests: a small file read field by field, and hostile or wrong inputs refused
//! with the right error; property tests that no input panics.

use proptest::prelude::*;

use super::*;
use crate::fit::{ActivityType, FitTime, Sport};
use crate::xml::{MAX_DEPTH, MAX_INPUT_BYTES};

const RUN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities>
    <Activity Sport="Running">
      <Id>2020-01-01T10:00:00.000Z</Id>
      <Lap StartTime="2020-01-01T10:00:00.000Z">
        <TotalTimeSeconds>120.5</TotalTimeSeconds>
        <DistanceMeters>400.25</DistanceMeters>
        <Calories>30</Calories>
        <AverageHeartRateBpm><Value>150</Value></AverageHeartRateBpm>
        <MaximumHeartRateBpm><Value>170</Value></MaximumHeartRateBpm>
        <Track>
          <Trackpoint>
            <Time>2020-01-01T10:00:00.000Z</Time>
            <Position><LatitudeDegrees>45.5</LatitudeDegrees><LongitudeDegrees>-1.25</LongitudeDegrees></Position>
            <AltitudeMeters>10.5</AltitudeMeters>
            <DistanceMeters>0</DistanceMeters>
            <HeartRateBpm><Value>140</Value></HeartRateBpm>
            <Extensions><ns3:TPX><ns3:Speed>3.5</ns3:Speed><ns3:RunCadence>88</ns3:RunCadence><ns3:Watts>250</ns3:Watts></ns3:TPX></Extensions>
          </Trackpoint>
          <Trackpoint>
            <Time>2020-01-01T10:02:00.500Z</Time>
            <DistanceMeters>400.25</DistanceMeters>
            <HeartRateBpm><Value>165</Value></HeartRateBpm>
          </Trackpoint>
        </Track>
      </Lap>
      <Creator><Name>Forerunner &amp; Co</Name></Creator>
    </Activity>
  </Activities>
</TrainingCenterDatabase>"#;

#[test]
fn a_run_reads_into_the_summary_laps_and_streams() {
    let tcx = decode_tcx_activity(RUN.as_bytes()).unwrap();
    assert_eq!(tcx.summary.activity_type, ActivityType::Run);
    assert_eq!(tcx.summary.sport, Some(Sport(1)));
    assert_eq!(
        tcx.summary.start_time,
        FitTime::from_unix_seconds(1_577_872_800)
    );
    assert_eq!(tcx.summary.figures.timer_s, Some(120.5));
    assert_eq!(tcx.summary.figures.distance_m, Some(400.25));
    assert_eq!(tcx.summary.figures.calories_kcal, Some(30));
    assert_eq!(tcx.summary.figures.max_heart_rate, Some(170));
    assert_eq!(tcx.summary.figures.elapsed_s, Some(120.5));
    assert_eq!(tcx.laps.len(), 1);
    assert_eq!(tcx.streams.len(), 2);
    assert_eq!(tcx.streams.heart_rate, vec![Some(140), Some(165)]);
    assert_eq!(tcx.streams.cadence, vec![Some(88), None]);
    assert_eq!(tcx.streams.power_w, vec![Some(250), None]);
    assert_eq!(tcx.streams.speed_mps, vec![Some(3.5), None]);
    let position = tcx.streams.position[0].unwrap();
    assert!((position.lat_deg() - 45.5).abs() < 1e-7);
    assert!((position.lon_deg() + 1.25).abs() < 1e-7);
    assert_eq!(tcx.streams.position[1], None);
    let lap = &tcx.lap_details[0];
    assert_eq!(
        lap.last_point.unwrap().to_string(),
        "2020-01-01T10:02:00.500Z"
    );
    assert_eq!(lap.tracks.len(), 1);
    assert_eq!(tcx.activities[0].sport, "Running");
}

#[test]
fn a_workout_file_reads_but_is_not_an_activity() {
    let workout = r#"<TrainingCenterDatabase><Workouts><Workout Sport="Running"><Name>x</Name></Workout></Workouts></TrainingCenterDatabase>"#;
    assert_eq!(decode_tcx(workout.as_bytes()).unwrap().workouts, 1);
    assert_eq!(
        decode_tcx_activity(workout.as_bytes()),
        Err(XmlError::NotAnActivity {
            what: "a TCX workout"
        })
    );
}

#[test]
fn a_course_yields_its_trackpoints_as_records() {
    let course = r#"<TrainingCenterDatabase><Courses><Course><Name>c</Name><Track>
        <Trackpoint><Time>2020-01-01T10:00:00Z</Time><DistanceMeters>0</DistanceMeters></Trackpoint>
        <Trackpoint><Time>2020-01-01T10:00:05Z</Time><DistanceMeters>20</DistanceMeters></Trackpoint>
        </Track></Course></Courses></TrainingCenterDatabase>"#;
    let tcx = decode_tcx_activity(course.as_bytes()).unwrap();
    assert!(tcx.streams_from_course);
    assert_eq!(tcx.streams.len(), 2);
    assert!(tcx.activities.is_empty());
}

#[test]
fn hostile_and_wrong_inputs_are_refused() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><TrainingCenterDatabase>&lol2;</TrainingCenterDatabase>"#;
    assert!(matches!(
        decode_tcx(bomb.as_bytes()),
        Err(XmlError::Dtd { .. })
    ));
    let entity = "<TrainingCenterDatabase>&external;</TrainingCenterDatabase>";
    assert!(matches!(
        decode_tcx(entity.as_bytes()),
        Err(XmlError::UnknownEntity { .. })
    ));
    let deep = format!(
        "<TrainingCenterDatabase>{}{}</TrainingCenterDatabase>",
        "<a>".repeat(MAX_DEPTH + 5),
        "</a>".repeat(MAX_DEPTH + 5)
    );
    assert!(matches!(
        decode_tcx(deep.as_bytes()),
        Err(XmlError::TooDeep { .. })
    ));
    let huge = vec![b' '; MAX_INPUT_BYTES + 1];
    assert!(matches!(decode_tcx(&huge), Err(XmlError::TooLarge { .. })));
    assert_eq!(decode_tcx(b"   \n"), Err(XmlError::Empty));
    assert!(matches!(
        decode_tcx(b"<gpx></gpx>"),
        Err(XmlError::WrongRoot { .. })
    ));
    assert!(matches!(
        decode_tcx(b"<TrainingCenterDatabase><Activities>"),
        Err(XmlError::Truncated { .. })
    ));
    assert!(matches!(
        decode_tcx(b"<TrainingCenterDatabase></Activities>"),
        Err(XmlError::Syntax { .. })
    ));
    assert!(matches!(
        decode_tcx(b"\x00\xff garbage"),
        Err(XmlError::Syntax { .. } | XmlError::WrongRoot { .. })
    ));
    let bad_hr = RUN.replace("<Value>140</Value>", "<Value>abc</Value>");
    let error = decode_tcx(bad_hr.as_bytes()).unwrap_err();
    assert!(matches!(
        error,
        XmlError::BadValue {
            what: "HeartRateBpm",
            ..
        }
    ));
    assert!(error.offset().is_some_and(|o| o < bad_hr.len()));
}

#[test]
fn leading_whitespace_and_a_bom_before_the_declaration_are_skipped() {
    let padded = format!("\u{feff}          {RUN}");
    assert_eq!(decode_tcx(padded.as_bytes()).unwrap().streams.len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_tcx(&bytes);
    }

    #[test]
    fn mutated_files_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = RUN.as_bytes().to_vec();
        for (index, value) in flips {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        let _ = decode_tcx(&bytes);
        let _ = decode_tcx(&bytes[..cut.index(bytes.len())]);
    }
}
