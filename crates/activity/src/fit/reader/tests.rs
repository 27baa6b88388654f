//! Unit tests of the reader: the protocol's corners, built byte by byte.

use super::*;
use crate::fit::test_support::{FitBuilder, base, file_id};

/// A message as logged: global number, timestamp, compressed header, fields as (num, int).
type Logged = (u16, Option<u32>, bool, Vec<(u8, Option<i64>)>);

/// Collects every header and message.
#[derive(Default)]
struct Log {
    headers: Vec<FileHeader>,
    messages: Vec<Logged>,
}

impl Visitor for Log {
    fn file_header(&mut self, header: &FileHeader) -> Result<(), FitError> {
        self.headers.push(*header);
        Ok(())
    }

    fn message(&mut self, message: &Message<'_>) -> Result<(), FitError> {
        self.messages.push((
            message.global,
            message.timestamp.map(|t| t.0),
            message.compressed_timestamp,
            message.fields().map(|f| (f.num(), f.int())).collect(),
        ));
        Ok(())
    }
}

fn log(bytes: &[u8]) -> Result<Log, FitError> {
    let mut log = Log::default();
    read(bytes, &mut log)?;
    Ok(log)
}

#[test]
fn the_fit_crc_is_crc16_arc() {
    // The FIT protocol document's check value for "123456789".
    assert_eq!(FitCrc::checksum(b"123456789"), 0xBB3D);
}

/// CRC-16/ARC one bit at a time, as the FIT protocol document defines it.
fn crc16_arc_bitwise(bytes: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &byte in bytes {
        crc ^= u16::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

proptest::proptest! {
    /// The folded CRC agrees with the bit-by-bit definition at every length (the fast path
    /// takes over from a table at some size), whole or fed in two parts.
    #[test]
    fn the_fit_crc_agrees_with_its_bitwise_definition(
        bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2_000),
        split in 0usize..2_000,
    ) {
        let expected = crc16_arc_bitwise(&bytes);
        proptest::prop_assert_eq!(FitCrc::checksum(&bytes), expected);
        let (head, tail) = bytes.split_at(split.min(bytes.len()));
        let mut digest = FitCrc::new();
        digest.update(head);
        digest.update(tail);
        proptest::prop_assert_eq!(digest.finalize(), expected);
    }
}

#[test]
fn reads_little_and_big_endian_definitions_alike() {
    let fields = [
        (253, 4, base::UINT32),
        (7, 2, base::UINT16),
        (0, 4, base::SINT32),
    ];
    let little = FitBuilder::default()
        .define(1, 20, false, &fields, &[])
        .message(1, &[1, 2, 3, 4, 0x2C, 0x01, 0xFE, 0xFF, 0xFF, 0xFF])
        .finish();
    let big = FitBuilder::default()
        .define(1, 20, true, &fields, &[])
        .message(1, &[4, 3, 2, 1, 0x01, 0x2C, 0xFF, 0xFF, 0xFF, 0xFE])
        .finish();
    let expected = vec![(253, Some(0x0403_0201)), (7, Some(300)), (0, Some(-2))];
    for bytes in [little, big] {
        let log = log(&bytes).unwrap();
        assert_eq!(log.messages.len(), 1);
        assert_eq!(log.messages[0].0, 20);
        assert_eq!(log.messages[0].3, expected);
    }
}

#[test]
fn invalid_values_are_absent() {
    let bytes = FitBuilder::default()
        .define(
            0,
            20,
            false,
            &[
                (3, 1, base::UINT8),
                (7, 2, base::UINT16),
                (13, 1, base::SINT8),
                (0, 4, base::SINT32),
            ],
            &[],
        )
        .message(0, &[0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F])
        .finish();
    let log = log(&bytes).unwrap();
    assert!(
        log.messages[0].3.iter().all(|(_, v)| v.is_none()),
        "{:?}",
        log.messages[0].3
    );
}

#[test]
fn compressed_timestamp_headers_resolve_against_the_last_timestamp() {
    let base_time: u32 = 1_000_000_000 + 30; // low five bits: 30 (1_000_000_000 % 32 == 0)
    let bytes = FitBuilder::default()
        .define(
            0,
            20,
            false,
            &[(253, 4, base::UINT32), (3, 1, base::UINT8)],
            &[],
        )
        .message(0, &[&base_time.to_le_bytes()[..], &[100]].concat())
        .define(1, 20, false, &[(3, 1, base::UINT8)], &[])
        .compressed(1, 31, &[101]) // same window: +1 s
        .compressed(1, 2, &[102]) // rolled over: +3 s from 31
        .compressed(1, 2, &[103]) // the same second again
        .finish();
    let log = log(&bytes).unwrap();
    let times: Vec<_> = log.messages.iter().map(|m| m.1).collect();
    assert_eq!(
        times,
        vec![
            Some(base_time),
            Some(base_time + 1),
            Some(base_time + 4),
            Some(base_time + 4)
        ]
    );
    assert!(!log.messages[0].2 && log.messages[1].2);
}

#[test]
fn developer_fields_are_skipped_by_their_declared_size() {
    let bytes = FitBuilder::default()
        .define(
            0,
            20,
            false,
            &[(3, 1, base::UINT8)],
            &[(0, 3, 0), (1, 2, 0)],
        )
        .message(0, &[150, 9, 9, 9, 9, 9])
        .message(0, &[151, 9, 9, 9, 9, 9])
        .finish();
    let log = log(&bytes).unwrap();
    let rates: Vec<_> = log.messages.iter().map(|m| m.3[0].1).collect();
    assert_eq!(rates, vec![Some(150), Some(151)]);
}

#[test]
fn a_field_size_that_is_not_a_multiple_of_its_base_type_reads_as_bytes() {
    // COROS writes uint32 fields one byte long; Garmin's SDK reads them as uint8.
    let bytes = FitBuilder::default()
        .define(0, 20, false, &[(3, 1, base::UINT32)], &[])
        .message(0, &[77])
        .finish();
    assert_eq!(log(&bytes).unwrap().messages[0].3, vec![(3, Some(77))]);
}

#[test]
fn chained_files_each_carry_their_own_header_and_definitions() {
    let first = file_id(FitBuilder::default(), 4).finish();
    let second = FitBuilder::default()
        .define(0, 20, false, &[(3, 1, base::UINT8)], &[])
        .message(0, &[120])
        .finish_short_header();
    let chained = [first.clone(), second].concat();
    let log = log(&chained).unwrap();
    assert_eq!(log.headers.len(), 2);
    assert_eq!(log.headers[1].offset, first.len());
    assert_eq!(log.headers[1].header_size, 12);
    assert_eq!(log.messages.len(), 2);
    assert_eq!(verify(&chained), Ok(2));

    // Definitions do not carry over from one file to the next.
    let orphan = FitBuilder::default().message(0, &[0; 7]).finish();
    let err = read(&[first.clone(), orphan].concat(), &mut Log::default()).unwrap_err();
    assert_eq!(
        err,
        FitError::UndefinedLocalMessage {
            offset: first.len() + 14,
            local: 0
        }
    );
}

#[test]
fn header_crc_zero_is_accepted_and_a_wrong_one_refused() {
    let mut bytes = file_id(FitBuilder::default(), 4).finish();
    // Recompute the file CRC after editing the header.
    let reseal = |bytes: &mut Vec<u8>| {
        let end = bytes.len() - 2;
        let crc = FitCrc::checksum(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_le_bytes());
    };
    bytes[12] = 0;
    bytes[13] = 0;
    reseal(&mut bytes);
    assert!(read(&bytes, &mut Log::default()).is_ok());
    bytes[12] = 1;
    reseal(&mut bytes);
    assert!(matches!(
        read(&bytes, &mut Log::default()),
        Err(FitError::HeaderCrc { offset: 12, .. })
    ));
}

#[test]
fn corrupt_input_gives_errors_with_offsets() {
    let good = file_id(FitBuilder::default(), 4).finish();
    assert_eq!(read(&[], &mut Log::default()), Err(FitError::Empty));

    let mut flipped = good.clone();
    flipped[20] ^= 0x01;
    assert!(matches!(
        read(&flipped, &mut Log::default()),
        Err(FitError::FileCrc { offset, .. }) if offset == good.len() - 2
    ));

    let truncated = &good[..good.len() - 1];
    assert!(matches!(
        read(truncated, &mut Log::default()),
        Err(FitError::Truncated { .. })
    ));

    let mut no_signature = good.clone();
    no_signature[8] = b'X';
    assert!(matches!(
        read(&no_signature, &mut Log::default()),
        Err(FitError::NotFit { offset: 8, .. })
    ));

    let bad_size = [[13u8].as_slice(), &good[1..]].concat();
    assert!(matches!(
        read(&bad_size, &mut Log::default()),
        Err(FitError::NotFit { offset: 0, .. })
    ));

    // Trailing bytes after a good file must be another FIT file.
    let trailing = [good.as_slice(), &[0, 0, 0]].concat();
    assert!(matches!(
        read(&trailing, &mut Log::default()),
        Err(FitError::NotFit { .. })
    ));
}

#[test]
fn malformed_messages_are_refused() {
    // A data message before its definition.
    let undefined = FitBuilder::default().message(3, &[]).finish();
    assert_eq!(
        read(&undefined, &mut Log::default()),
        Err(FitError::UndefinedLocalMessage {
            offset: 14,
            local: 3
        })
    );
    // A data message that runs past the end of the data.
    let mut builder = FitBuilder::default().define(0, 20, false, &[(0, 4, base::SINT32)], &[]);
    builder.data.extend_from_slice(&[0, 1, 2]);
    assert!(matches!(
        read(&builder.finish(), &mut Log::default()),
        Err(FitError::Truncated { offset, .. }) if offset == 14 + 6 + 3
    ));
    // A definition cut short.
    let mut builder = FitBuilder::default();
    builder
        .data
        .extend_from_slice(&[0x40, 0, 0, 20, 0, 2, 3, 1]);
    assert!(matches!(
        read(&builder.finish(), &mut Log::default()),
        Err(FitError::Truncated { offset: 14, .. })
    ));
    // An unknown base type.
    let bad_base = FitBuilder::default()
        .define(0, 20, false, &[(3, 1, 0x1F)], &[])
        .finish();
    assert!(matches!(
        read(&bad_base, &mut Log::default()),
        Err(FitError::Malformed { .. })
    ));
    // An architecture byte other than 0 or 1.
    let mut builder = FitBuilder::default().define(0, 20, false, &[], &[]);
    builder.data[2] = 7;
    assert!(matches!(
        read(&builder.finish(), &mut Log::default()),
        Err(FitError::Malformed { offset: 16, .. })
    ));
}

#[test]
fn strings_floats_and_arrays() {
    let bytes = FitBuilder::default()
        .define(
            0,
            23,
            false,
            &[(27, 8, base::STRING), (9, 4, 0x88), (6, 3, base::BYTE)],
            &[],
        )
        .message(
            0,
            &[
                b'E', b'd', b'g', b'e', 0, 0, 0, 0, 0, 0, 0xC0, 0x3F, 1, 0xFF, 3,
            ],
        )
        .finish();
    struct Probe(Vec<String>);
    impl Visitor for Probe {
        fn message(&mut self, message: &Message<'_>) -> Result<(), FitError> {
            let name = message
                .field(27)
                .and_then(|f| f.string())
                .unwrap_or_default();
            let float = message.field(9).and_then(|f| f.float());
            let bytes = message.field(6).unwrap();
            assert_eq!(bytes.int_at(usize::MAX), None);
            assert_eq!(message.field_at(usize::MAX).map(|f| f.num()), None);
            self.0.push(format!(
                "{name} {float:?} {} {:?} {:?}",
                bytes.len(),
                bytes.int_at(1),
                bytes.int_at(2)
            ));
            Ok(())
        }
    }
    let mut probe = Probe(Vec::new());
    read(&bytes, &mut probe).unwrap();
    assert_eq!(probe.0, vec!["Edge Some(1.5) 3 None Some(3)".to_owned()]);
}

proptest::proptest! {
    /// The decoder's direct read of a field's first element answers what [`Field::int`]
    /// answers, for every base type, size, place and byte order, the message too short
    /// included.
    #[test]
    fn a_planned_read_matches_the_field_read(
        base in 0u8..=0x10,
        size in 0u8..=12,
        offset in 0u16..=16,
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..32),
        big_endian in proptest::prelude::any::<bool>(),
    ) {
        let base = crate::fit::profile::BaseType::from_byte(base).expect("0 to 16 are base types");
        let def = FieldDef::new(3, size, base, offset);
        let field = Field {
            def,
            bytes: field::field_bytes(&data, &def),
            big_endian,
        };
        proptest::prop_assert_eq!(def.int_in(&data, big_endian), field.int());
    }
}
