//! Unit tests of the decoder: summaries, multisport, derivation from records, file types,
//! heart-rate merging, and property tests that no input panics.

use proptest::prelude::*;

use super::test_support::{FitBuilder, base, file_id};
use super::*;

const T0: u32 = 1_000_000_000;

/// Record definition on local type 1: timestamp, heart rate, power, distance, altitude.
fn with_records(builder: FitBuilder, records: &[(u32, u8, u16, u32, u16)]) -> FitBuilder {
    let mut builder = builder.define(
        1,
        profile::mesg::RECORD,
        false,
        &[
            (253, 4, base::UINT32),
            (3, 1, base::UINT8),
            (7, 2, base::UINT16),
            (5, 4, base::UINT32),
            (2, 2, base::UINT16),
        ],
        &[],
    );
    for &(t, hr, power, distance_cm, altitude_raw) in records {
        let bytes = [
            &t.to_le_bytes()[..],
            &[hr],
            &power.to_le_bytes(),
            &distance_cm.to_le_bytes(),
            &altitude_raw.to_le_bytes(),
        ]
        .concat();
        builder = builder.message(1, &bytes);
    }
    builder
}

/// A session on local type 2: start, sport, sub-sport, elapsed (ms), timer (ms), distance
/// (cm), calories, avg/max heart rate, ascent, num_laps.
#[allow(clippy::too_many_arguments)]
fn with_session(
    builder: FitBuilder,
    start: u32,
    sport: u8,
    sub_sport: u8,
    elapsed_ms: u32,
    distance_cm: u32,
    calories: u16,
    heart_rate: (u8, u8),
    ascent: u16,
) -> FitBuilder {
    builder
        .define(
            2,
            profile::mesg::SESSION,
            true,
            &[
                (253, 4, base::UINT32),
                (2, 4, base::UINT32),
                (5, 1, base::ENUM),
                (6, 1, base::ENUM),
                (7, 4, base::UINT32),
                (8, 4, base::UINT32),
                (9, 4, base::UINT32),
                (11, 2, base::UINT16),
                (16, 1, base::UINT8),
                (17, 1, base::UINT8),
                (22, 2, base::UINT16),
                (26, 2, base::UINT16),
            ],
            &[],
        )
        .message(
            2,
            &[
                &(start + elapsed_ms / 1000).to_be_bytes()[..],
                &start.to_be_bytes(),
                &[sport, sub_sport],
                &elapsed_ms.to_be_bytes(),
                &elapsed_ms.to_be_bytes(),
                &distance_cm.to_be_bytes(),
                &calories.to_be_bytes(),
                &[heart_rate.0, heart_rate.1],
                &ascent.to_be_bytes(),
                &1u16.to_be_bytes(),
            ]
            .concat(),
        )
}

#[test]
fn a_single_session_gives_the_summary() {
    let bytes = with_session(
        with_records(
            file_id(FitBuilder::default(), 4),
            &[(T0, 120, 200, 0, 2600), (T0 + 1, 130, 210, 300, 2605)],
        ),
        T0,
        2,
        7,
        3_600_500,
        4_012_345,
        900,
        (140, 181),
        512,
    )
    .finish();
    let decoded = decode_activity(&bytes).unwrap();
    let summary = &decoded.summary;
    assert_eq!(summary.activity_type, ActivityType::Ride);
    assert_eq!(summary.sport.and_then(Sport::name), Some("cycling"));
    assert_eq!(summary.sub_sport.and_then(SubSport::name), Some("road"));
    assert_eq!(summary.start_time, Some(FitTime(T0)));
    assert_eq!(summary.source, SummarySource::Sessions);
    let f = &summary.figures;
    assert_eq!(f.elapsed_s, Some(3600.5));
    assert_eq!(f.distance_m, Some(40_123.45));
    assert_eq!(f.calories_kcal, Some(900));
    assert_eq!((f.avg_heart_rate, f.max_heart_rate), (Some(140), Some(181)));
    assert_eq!(f.ascent_m, Some(512));
    // The session has no power figures: they come from the records.
    assert_eq!((f.avg_power_w, f.max_power_w), (Some(205), Some(210)));
    assert_eq!(decoded.legs.len(), 1);
    assert_eq!(decoded.streams.len(), 2);
    assert_eq!(decoded.streams.altitude_m, vec![Some(20.0), Some(21.0)]);
    assert_eq!(decoded.streams.distance_m, vec![Some(0.0), Some(3.0)]);
    assert!(
        decoded.streams.speed_mps.is_empty(),
        "no record carried a speed"
    );
}

#[test]
fn several_sessions_make_a_multisport_activity_whose_totals_are_the_legs_sums() {
    let mut builder = file_id(FitBuilder::default(), 4);
    builder = with_session(builder, T0, 5, 18, 1_800_000, 150_000, 400, (130, 150), 0);
    builder = with_session(builder, T0 + 1800, 3, 0, 120_000, 20_000, 10, (140, 145), 0);
    builder = with_session(
        builder,
        T0 + 1920,
        2,
        7,
        3_600_000,
        4_000_000,
        900,
        (150, 170),
        300,
    );
    builder = with_session(
        builder,
        T0 + 5520,
        1,
        0,
        2_400_000,
        1_000_000,
        700,
        (160, 185),
        100,
    );
    let decoded = decode_activity(&builder.finish()).unwrap();
    let types: Vec<_> = decoded.legs.iter().map(|l| l.activity_type).collect();
    assert_eq!(
        types,
        vec![
            ActivityType::Swim,
            ActivityType::Transition,
            ActivityType::Ride,
            ActivityType::Run
        ]
    );
    let summary = &decoded.summary;
    assert_eq!(summary.activity_type, ActivityType::Multisport);
    assert_eq!(summary.activity_type.as_str(), "MULTISPORT");
    assert_eq!(summary.start_time, Some(FitTime(T0)));
    let f = &summary.figures;
    assert_eq!(f.elapsed_s, Some(7920.0));
    assert_eq!(f.timer_s, Some(7920.0));
    assert_eq!(f.distance_m, Some(51_700.0));
    assert_eq!(f.calories_kcal, Some(2010));
    assert_eq!(f.ascent_m, Some(400));
    assert_eq!(f.max_heart_rate, Some(185));
    // Timer-weighted: (130*1800 + 140*120 + 150*3600 + 160*2400) / 7920 = 148.3
    assert_eq!(f.avg_heart_rate, Some(148));
    assert_eq!(f.normalized_power_w, None);
}

#[test]
fn without_a_session_the_summary_comes_from_the_records() {
    // 61 seconds at 200 W then 61 at 300 W, climbing 1 m every 10 s.
    let records: Vec<_> = (0..122u32)
        .map(|i| {
            let power = if i < 61 { 200 } else { 300 };
            (
                T0 + i,
                100 + (i % 50) as u8,
                power,
                i * 500,
                2500 + (i / 10 * 5) as u16,
            )
        })
        .collect();
    let bytes = with_records(file_id(FitBuilder::default(), 4), &records)
        .define(
            3,
            profile::mesg::SPORT,
            false,
            &[(0, 1, base::ENUM), (1, 1, base::ENUM)],
            &[],
        )
        .message(3, &[1, 3])
        .finish();
    let decoded = decode_activity(&bytes).unwrap();
    let summary = &decoded.summary;
    assert_eq!(summary.source, SummarySource::Records);
    assert_eq!(summary.activity_type, ActivityType::Run);
    assert_eq!(summary.sub_sport.and_then(SubSport::name), Some("trail"));
    assert_eq!(summary.start_time, Some(FitTime(T0)));
    let f = &summary.figures;
    assert_eq!(f.elapsed_s, Some(121.0));
    assert_eq!(f.timer_s, Some(121.0));
    assert_eq!(f.distance_m, Some(605.0));
    assert_eq!(f.max_heart_rate, Some(149));
    assert_eq!(f.max_power_w, Some(300));
    assert_eq!(f.avg_power_w, Some(250));
    // 12 climbs of 1 m, counted past the 2 m hysteresis: 12 m.
    assert_eq!((f.ascent_m, f.descent_m), (Some(12), Some(0)));
    let np = f.normalized_power_w.unwrap();
    assert!(
        (250..=300).contains(&np),
        "normalized power {np} lies between the mean and the max"
    );
}

#[test]
fn files_that_are_not_activities_are_refused_naming_their_type() {
    for (number, name) in [
        (5, "workout"),
        (2, "settings"),
        (9, "weight"),
        (32, "monitoring_b"),
        (6, "course"),
    ] {
        let bytes = file_id(FitBuilder::default(), number).finish();
        let error = decode_activity(&bytes).unwrap_err();
        assert_eq!(
            error,
            FitError::NotAnActivity {
                file_type: FileType::from_number(number)
            }
        );
        assert!(error.to_string().contains(name), "{error}");
        assert_eq!(error.offset(), None);
        // The lower-level decode still reads it.
        assert_eq!(
            decode_fit(&bytes)
                .unwrap()
                .file_id
                .file_type
                .and_then(FileType::name),
            Some(name)
        );
    }
}

#[test]
fn a_file_id_without_a_type_is_read_as_an_activity() {
    let bytes = with_records(
        FitBuilder::default()
            .define(0, 0, false, &[(1, 2, base::UINT16)], &[])
            .message(0, &[1, 0]),
        &[(T0, 100, 100, 0, 3000)],
    )
    .finish();
    let decoded = decode_activity(&bytes).unwrap();
    assert_eq!(decoded.file_id.file_type, None);
    assert_eq!(
        decoded
            .file_id
            .manufacturer
            .and_then(profile::manufacturer_name),
        Some("garmin")
    );
    assert_eq!(decoded.summary.activity_type, ActivityType::Other);
}

#[test]
fn heart_rates_from_hr_messages_are_merged_into_the_records() {
    // An anchor at T0 (event time 1024 = 1 s) with one beat of 100, then eight beats packed
    // as 12-bit event times 256/1024 s apart (rolling past 4096 once) with 120 bpm.
    let mut packed = [0u8; 12];
    let mut bit = 0;
    for k in 1..=8u64 {
        let value = (1024 + k * 256) & 0xFFF;
        for b in 0..12 {
            if value >> b & 1 == 1 {
                packed[bit / 8] |= 1 << (bit % 8);
            }
            bit += 1;
        }
    }
    let records: Vec<_> = (0..4)
        .map(|i| (T0 + i, 0xFF, 0xFFFF, 0xFFFF_FFFF, 0xFFFF))
        .collect();
    let bytes = with_records(file_id(FitBuilder::default(), 4), &records)
        .define(
            4,
            profile::mesg::HR,
            false,
            &[
                (253, 4, base::UINT32),
                (0, 2, base::UINT16),
                (6, 1, base::UINT8),
                (9, 4, base::UINT32),
            ],
            &[],
        )
        .message(
            4,
            &[
                &T0.to_le_bytes()[..],
                &[0, 0],
                &[100],
                &1024u32.to_le_bytes(),
            ]
            .concat(),
        )
        .define(
            5,
            profile::mesg::HR,
            false,
            &[(6, 8, base::UINT8), (10, 12, base::BYTE)],
            &[],
        )
        .message(5, &[&[120u8; 8][..], &packed].concat())
        .finish();
    let decoded = decode_activity(&bytes).unwrap();
    // Beats at T0 (100), then T0+0.25 .. T0+2.0 (120). Record T0+1 averages the four in
    // (T0, T0+1]; T0+2 the four in (T0+1, T0+2]... but only once a later beat shows the
    // second is complete, so T0+2 and T0+3 stay without one (as in Garmin's SDK).
    assert_eq!(
        decoded.streams.heart_rate,
        vec![Some(100), Some(120), None, None]
    );
}

#[test]
fn fit_times_print_as_rfc3339_utc() {
    assert_eq!(FitTime(0).to_string(), "1989-12-31T00:00:00Z");
    assert_eq!(FitTime(956_346_980).to_string(), "2020-04-20T19:56:20Z");
    assert_eq!(FitTime(956_346_980).unix_seconds(), 1_587_412_580);
    assert_eq!(
        FitTime::from_unix_seconds(1_587_412_580),
        Some(FitTime(956_346_980))
    );
    assert!(FitTime(17_217_864).is_device_relative());
    assert_eq!(FitTime::from_unix_seconds(i64::MIN), None);
    assert_eq!(FitTime::from_unix_seconds(0), None);
}

#[test]
fn sports_map_to_activity_types() {
    let map = |sport, sub| ActivityType::from_sport(Some(Sport(sport)), Some(SubSport(sub)));
    assert_eq!(map(2, 58), ActivityType::VirtualRide);
    assert_eq!(map(2, 6), ActivityType::Ride);
    assert_eq!(map(4, 14), ActivityType::Row);
    assert_eq!(map(4, 1), ActivityType::Run);
    assert_eq!(map(10, 20), ActivityType::Strength);
    assert_eq!(map(37, 0), ActivityType::Paddle);
    assert_eq!(map(17, 0), ActivityType::Hike);
    assert_eq!(map(13, 0), ActivityType::Ski);
    assert_eq!(map(0, 0), ActivityType::Other);
    assert_eq!(ActivityType::from_sport(None, None), ActivityType::Other);
    assert_eq!(Sport(37).to_string(), "stand_up_paddleboarding");
    assert_eq!(Sport(200).to_string(), "200");
}

#[test]
fn hostile_shapes_are_bounded() {
    // Records that carry nothing are counted, not stored.
    let mut builder = FitBuilder::default().define(0, profile::mesg::RECORD, false, &[], &[]);
    builder.data.extend(std::iter::repeat_n(0u8, 100_000));
    let decoded = decode_fit(&builder.finish()).unwrap();
    assert_eq!(decoded.record_messages, 100_000);
    assert!(decoded.streams.is_empty() && decoded.streams.time.capacity() == 0);

    // Past the lap limit the file is refused rather than kept in memory.
    let mut builder = FitBuilder::default().define(0, profile::mesg::LAP, false, &[], &[]);
    builder.data.extend(std::iter::repeat_n(0u8, MAX_LAPS + 1));
    let error = decode_fit(&builder.finish()).unwrap_err();
    assert!(
        matches!(error, FitError::TooLarge { what: "laps", .. }),
        "{error}"
    );

    // The widest definition the protocol allows: 255 fields of 255 bytes.
    let fields: Vec<_> = (0..=254u8).map(|n| (n, 255, base::BYTE)).collect();
    let bytes = FitBuilder::default()
        .define(0, profile::mesg::RECORD, false, &fields, &[])
        .message(0, &vec![0xFF; 255 * 255])
        .finish();
    assert_eq!(decode_fit(&bytes).unwrap().record_messages, 1);

    // A header announcing four gigabytes of data that are not there.
    let mut bytes = file_id(FitBuilder::default(), 4).finish();
    bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    bytes[12..14].copy_from_slice(&[0, 0]);
    assert!(matches!(
        decode_fit(&bytes),
        Err(FitError::Truncated { .. })
    ));
}

/// A valid file with a little of everything, for the property tests to mutate.
fn sample_file() -> Vec<u8> {
    let records: Vec<_> = (0..20u32)
        .map(|i| (T0 + i, 120, 250, i * 300, 2600))
        .collect();
    let builder = with_records(file_id(FitBuilder::default(), 4), &records)
        .define(
            6,
            profile::mesg::RECORD,
            true,
            &[(3, 1, base::UINT8), (7, 2, base::UINT16)],
            &[(0, 2, 0)],
        )
        .message(6, &[125, 0x01, 0x2C, 0xAA, 0xBB])
        .define(2, profile::mesg::RECORD, false, &[(3, 1, base::UINT8)], &[])
        .compressed(2, 5, &[140]);
    with_session(builder, T0, 1, 0, 20_000, 6000, 30, (120, 130), 3).finish()
}

/// Rewrites both CRCs so a mutated file reaches the message parser.
fn reseal(bytes: &mut [u8]) {
    if bytes.len() >= 16 && bytes[0] == 14 {
        let crc = reader::FitCrc::checksum(&bytes[..12]);
        bytes[12..14].copy_from_slice(&crc.to_le_bytes());
        let end = bytes.len() - 2;
        let data_size = u32::try_from(end - 14).unwrap();
        bytes[4..8].copy_from_slice(&data_size.to_le_bytes());
        let crc = reader::FitCrc::checksum(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_le_bytes());
    }
}

#[test]
fn the_sample_file_decodes() {
    let decoded = decode_activity(&sample_file()).unwrap();
    assert_eq!(decoded.record_messages, 22);
    assert_eq!(decoded.streams.power_w.get(20), Some(&Some(300)));
    assert_eq!(decoded.streams.time.last(), Some(&Some(FitTime(T0 + 37))));
    assert_eq!(decoded.legs.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_fit(&bytes);
        let _ = reader::verify(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_a_valid_header_never_panic(body in proptest::collection::vec(any::<u8>(), 0..1024)) {
        // With a header and CRCs that check out, the bytes reach the message parser.
        let mut bytes = FitBuilder { data: body }.finish();
        reseal(&mut bytes);
        let _ = decode_fit(&bytes);
    }

    #[test]
    fn mutated_files_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = sample_file();
        for (at, value) in &flips {
            let index = 14 + at.index(bytes.len() - 16);
            bytes[index] = *value;
        }
        if truncate {
            bytes.truncate(16 + cut.index(bytes.len() - 16));
        }
        reseal(&mut bytes);
        match decode_fit(&bytes) {
            Ok(decoded) => {
                let s = &decoded.streams;
                for column_len in [s.time.len(), s.heart_rate.len(), s.power_w.len(), s.distance_m.len()] {
                    prop_assert!(column_len == 0 || column_len == s.len());
                }
            }
            Err(error) => {
                prop_assert!(error.offset().is_none_or(|offset| offset <= bytes.len()));
                prop_assert!(!error.to_string().is_empty());
            }
        }
    }

    #[test]
    fn truncating_a_valid_file_anywhere_is_an_error(cut in any::<prop::sample::Index>()) {
        let bytes = sample_file();
        let cut = cut.index(bytes.len());
        prop_assert!(decode_fit(&bytes[..cut]).is_err());
    }
}

/// One record of every field the decoder keeps, with the timestamp: (lat, lon, altitude,
/// heart rate, cadence, distance, speed, power, temperature, enhanced speed, enhanced
/// altitude).
type AllFields = (i32, i32, u16, u8, u8, u32, u16, u16, i8, u32, u32);

/// A file of `records` on one record definition, in the given byte order; with
/// `wide_heart_rate` the heart rate is written as a `uint16`, which is not its profile type.
fn every_record_field(
    records: &[(u32, AllFields)],
    big_endian: bool,
    wide_heart_rate: bool,
) -> Vec<u8> {
    let heart_rate = if wide_heart_rate {
        (3, 2, base::UINT16)
    } else {
        (3, 1, base::UINT8)
    };
    let fields = [
        (253, 4, base::UINT32),
        (0, 4, base::SINT32),
        (1, 4, base::SINT32),
        (2, 2, base::UINT16),
        heart_rate,
        (4, 1, base::UINT8),
        (5, 4, base::UINT32),
        (6, 2, base::UINT16),
        (7, 2, base::UINT16),
        (13, 1, base::SINT8),
        (73, 4, base::UINT32),
        (78, 4, base::UINT32),
    ];
    let mut builder = file_id(FitBuilder::default(), 4).define(
        1,
        profile::mesg::RECORD,
        big_endian,
        &fields,
        &[],
    );
    for &(t, (lat, lon, alt, hr, cad, dist, speed, power, temp, speed32, alt32)) in records {
        let mut bytes = Vec::new();
        let mut put =
            |le: &[u8], be: &[u8]| bytes.extend_from_slice(if big_endian { be } else { le });
        put(&t.to_le_bytes(), &t.to_be_bytes());
        put(&lat.to_le_bytes(), &lat.to_be_bytes());
        put(&lon.to_le_bytes(), &lon.to_be_bytes());
        put(&alt.to_le_bytes(), &alt.to_be_bytes());
        if wide_heart_rate {
            // The invalid uint8 stays invalid at the wider type.
            let wide = if hr == u8::MAX {
                u16::MAX
            } else {
                u16::from(hr)
            };
            put(&wide.to_le_bytes(), &wide.to_be_bytes());
        } else {
            put(&[hr], &[hr]);
        }
        put(&[cad], &[cad]);
        put(&dist.to_le_bytes(), &dist.to_be_bytes());
        put(&speed.to_le_bytes(), &speed.to_be_bytes());
        put(&power.to_le_bytes(), &power.to_be_bytes());
        put(&temp.to_le_bytes(), &temp.to_be_bytes());
        put(&speed32.to_le_bytes(), &speed32.to_be_bytes());
        put(&alt32.to_le_bytes(), &alt32.to_be_bytes());
        builder = builder.message(1, &bytes);
    }
    builder.finish()
}

/// A field value, or (one time in four) its base type's invalid value.
fn or_invalid<T: std::fmt::Debug + Clone + 'static>(
    value: impl Strategy<Value = T>,
    invalid: T,
) -> impl Strategy<Value = T> {
    prop_oneof![3 => value, 1 => Just(invalid)]
}

fn all_fields() -> impl Strategy<Value = AllFields> {
    (
        (
            or_invalid(any::<i32>(), i32::MAX),
            or_invalid(any::<i32>(), i32::MAX),
            or_invalid(any::<u16>(), u16::MAX),
            or_invalid(any::<u8>(), u8::MAX),
            or_invalid(any::<u8>(), u8::MAX),
            or_invalid(any::<u32>(), u32::MAX),
        ),
        (
            or_invalid(any::<u16>(), u16::MAX),
            or_invalid(any::<u16>(), u16::MAX),
            or_invalid(any::<i8>(), i8::MAX),
            or_invalid(any::<u32>(), u32::MAX),
            or_invalid(any::<u32>(), u32::MAX),
        ),
    )
        .prop_map(|((a, b, c, d, e, f), (g, h, i, j, k))| (a, b, c, d, e, f, g, h, i, j, k))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A record definition of the profile's types is read by offsets alone, in either byte
    /// order; one with a stray type field by field: all read every value, invalid ones
    /// included, alike, and the stored form a streaming decode writes from the raw
    /// integers is the one the full decode's columns encode to.
    #[test]
    fn records_read_alike_by_offsets_and_field_by_field(
        records in proptest::collection::vec(
            (T0..T0 + 100_000, all_fields()),
            1..24,
        ),
    ) {
        let direct = decode_fit(&every_record_field(&records, false, false)).unwrap();
        for (big_endian, wide) in [(true, false), (false, true), (true, true)] {
            let by_field = decode_fit(&every_record_field(&records, big_endian, wide)).unwrap();
            prop_assert_eq!(&by_field.streams, &direct.streams);
            prop_assert_eq!(&by_field.summary, &direct.summary);
        }
        prop_assert_eq!(direct.streams.len(), records.len());
        let mut stream = ActivityStream::new();
        stream.feed(&every_record_field(&records, false, false)).unwrap();
        let streamed = stream.finish_stored().unwrap().unwrap();
        prop_assert_eq!(&streamed.stored_streams, &crate::streams::encode(&direct.streams));
        prop_assert_eq!(&streamed.activity.summary, &direct.summary);
    }
}
