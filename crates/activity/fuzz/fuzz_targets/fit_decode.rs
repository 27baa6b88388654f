//! Any bytes: the decoders (whole and streaming, and the stored record streams' reader)
//! return, without panicking, within bounded time and memory; what a file decodes to is kept
//! by the stored form of its streams. With
//! both CRCs rewritten to match, mutated bytes also reach the message parser rather than
//! stopping at the CRC check.

#![no_main]

use libfuzzer_sys::fuzz_target;
use paceline_activity::fit::{ActivityStream, decode_activity, decode_fit, reader};
use paceline_activity::streams;

fuzz_target!(|data: &[u8]| {
    let _ = reader::verify(data);
    let _ = decode_fit(data);
    // The same bytes as stored record streams: read or refused, never a panic.
    let mut stored = streams::MAGIC.to_vec();
    stored.extend_from_slice(data);
    let _ = streams::decode(&stored);

    // The same bytes sealed as a valid FIT file: a 14-byte header and correct CRCs.
    let mut file = Vec::with_capacity(data.len() + 16);
    file.extend_from_slice(&[14, 0x20, 0x57, 0x08]);
    file.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_le_bytes());
    file.extend_from_slice(b".FIT");
    let header_crc = crc16(&file);
    file.extend_from_slice(&header_crc.to_le_bytes());
    file.extend_from_slice(data);
    let file_crc = crc16(&file);
    file.extend_from_slice(&file_crc.to_le_bytes());
    if let Ok(decoded) = decode_activity(&file) {
        let records = &decoded.streams;
        assert!(records.time.is_empty() || records.time.len() == records.len());
        assert!(records.heart_rate.is_empty() || records.heart_rate.len() == records.len());
        // Whatever a file decodes to is kept by the stored form.
        let back = streams::decode(&streams::encode(records)).expect("stored streams read back");
        assert_eq!(back.len(), records.len());
        for (a, b) in records.iter().zip(back.iter()) {
            assert_eq!(
                (a.time, a.position, a.heart_rate),
                (b.time, b.position, b.heart_rate)
            );
            assert_eq!(
                (a.power_w, a.cadence, a.temperature_c),
                (b.power_w, b.cadence, b.temperature_c)
            );
        }
    }

    // The streaming decoder (uploads), fed the sealed file in chunks of 1 to 64 bytes.
    let chunk = usize::from(data.first().copied().unwrap_or(0) % 64) + 1;
    let mut stream = ActivityStream::new();
    if file.chunks(chunk).all(|part| stream.feed(part).is_ok())
        && let Ok(Some(streamed)) = stream.finish_stored()
    {
        // The records it kept in their stored form read back, every one.
        let back = streams::decode(&streamed.stored_streams).expect("streamed records read back");
        assert_eq!(back.len() as u64, streamed.points);
    }
});

/// CRC-16/ARC, the FIT CRC, bit by bit (independent of the decoder's table-driven one).
fn crc16(bytes: &[u8]) -> u16 {
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
