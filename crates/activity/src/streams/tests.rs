use super::*;
use proptest::prelude::*;

fn ride(points: u32) -> RecordStreams {
    let mut streams = RecordStreams::default();
    for i in 0..points {
        let gap = i % 97 == 50;
        streams.push(Record {
            time: Some(FitTime(1_000_000_000 + i)),
            position: (!gap).then_some(Position {
                lat_semicircles: 560_000_000 + (i as i32) * 37,
                lon_semicircles: 110_000_000 - (i as i32) * 21,
            }),
            altitude_m: Some(f64::from(10_000 + (i % 50) * 20) / 100.0),
            heart_rate: Some(120 + (i % 40) as u8),
            power_w: (!gap).then_some(200 + (i % 60) as u16),
            cadence: Some(85 + (i % 7) as u8),
            speed_mps: Some(f64::from(8_000 + i % 13) / 1000.0),
            distance_m: Some(f64::from(i * 801) / 100.0),
            temperature_c: None,
        });
    }
    streams
}

#[test]
fn a_long_ride_round_trips_in_about_fifteen_bytes_a_point() {
    let streams = ride(21_600);
    let bytes = encode(&streams);
    assert_eq!(decode(&bytes).unwrap(), streams);
    let per_point = bytes.len() as f64 / 21_600.0;
    assert!(per_point < 16.0, "{per_point} bytes a point");
}

#[test]
fn figures_off_the_grid_come_back_rounded_to_it() {
    let mut streams = RecordStreams::default();
    streams.push(Record {
        time: Some(FitTime(1)),
        altitude_m: Some(0.2 + 500.0 - 500.0),
        distance_m: Some(3.0 * 8.01),
        speed_mps: Some(1.0 / 3.0),
        ..Record::default()
    });
    let back = decode(&encode(&streams)).unwrap().get(0).unwrap();
    assert!((back.altitude_m.unwrap() - 0.2).abs() < 1e-9);
    assert!((back.distance_m.unwrap() - 24.03).abs() < 1e-9);
    assert_eq!(back.speed_mps, Some(0.333));
}

#[test]
fn empty_streams_round_trip() {
    let empty = RecordStreams::default();
    assert_eq!(decode(&encode(&empty)).unwrap(), empty);
}

#[test]
fn damage_is_an_error_not_a_panic() {
    let bytes = encode(&ride(500));
    assert_eq!(decode(b"FIT!"), Err(StreamsError::NotThisFormat));
    for cut in [4, 5, 9, 100, bytes.len() - 1] {
        assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut huge = MAGIC.to_vec();
    huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert!(decode(&huge).is_err(), "a count the bytes cannot hold");
    let mut unknown = MAGIC.to_vec();
    unknown.extend_from_slice(&[1, 1, 99, 1, 0]);
    assert_eq!(decode(&unknown), Err(StreamsError::UnknownColumn(99)));
    // A run so long that adding it to the runs before it would overflow (found by the
    // fuzzer).
    let mut overflow = MAGIC.to_vec();
    overflow.extend_from_slice(&[2, 1, COLUMNS[0] as u8, 2, 1]);
    overflow.extend_from_slice(&[0xff; 9]);
    overflow.push(0x01);
    assert!(matches!(decode(&overflow), Err(StreamsError::Malformed(_))));
}

fn record() -> impl Strategy<Value = Record> {
    (
        proptest::option::of(any::<u32>()),
        proptest::option::of((any::<i32>(), any::<i32>())),
        proptest::option::of(-50_000i64..900_000),
        proptest::option::of(any::<u8>()),
        proptest::option::of(any::<u16>()),
        proptest::option::of(any::<u8>()),
        proptest::option::of(0i64..100_000_000),
        proptest::option::of(0i64..10_000_000_000),
        proptest::option::of(any::<i8>()),
    )
        .prop_map(
            |(
                time,
                position,
                altitude_cm,
                hr,
                power,
                cadence,
                speed_mm,
                distance_cm,
                temperature,
            )| Record {
                time: time.map(FitTime),
                position: position.map(|(lat, lon)| Position {
                    lat_semicircles: lat,
                    lon_semicircles: lon,
                }),
                altitude_m: altitude_cm.map(|cm| cm as f64 / 100.0),
                heart_rate: hr,
                power_w: power,
                cadence,
                speed_mps: speed_mm.map(|mm| mm as f64 / 1000.0),
                distance_m: distance_cm.map(|cm| cm as f64 / 100.0),
                temperature_c: temperature,
            },
        )
}

proptest! {
    #[test]
    fn any_streams_on_the_grid_round_trip(records in proptest::collection::vec(record(), 0..300)) {
        let mut streams = RecordStreams::default();
        for record in records {
            streams.push(record);
        }
        prop_assert_eq!(decode(&encode(&streams)).unwrap(), streams);
    }

    #[test]
    fn any_bytes_decode_or_fail_cleanly(tail in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = decode(&bytes);
    }
}
