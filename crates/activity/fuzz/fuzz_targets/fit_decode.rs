//! Any bytes: the decoders (whole and streaming) return, without panicking, within bounded time and memory. With
//! both CRCs rewritten to match, mutated bytes also reach the message parser rather than
//! stopping at the CRC check.

#![no_main]

use libfuzzer_sys::fuzz_target;
use paceline_activity::fit::{ActivityStream, decode_activity, decode_fit, reader};

fuzz_target!(|data: &[u8]| {
    let _ = reader::verify(data);
    let _ = decode_fit(data);

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
        let streams = &decoded.streams;
        assert!(streams.time.is_empty() || streams.time.len() == streams.len());
        assert!(streams.heart_rate.is_empty() || streams.heart_rate.len() == streams.len());
    }

    // The streaming decoder (uploads), fed the sealed file in chunks of 1 to 64 bytes.
    let chunk = usize::from(data.first().copied().unwrap_or(0) % 64) + 1;
    let mut stream = ActivityStream::new();
    if file.chunks(chunk).all(|part| stream.feed(part).is_ok()) {
        let _ = stream.finish();
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
