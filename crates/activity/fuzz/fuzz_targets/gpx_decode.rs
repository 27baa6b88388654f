//! Any bytes: the GPX reader returns, without panicking, within bounded time and memory;
//! what it returns keeps its columns and ranges consistent.

#![no_main]

use libfuzzer_sys::fuzz_target;
use paceline_activity::gpx::{decode_gpx, decode_gpx_activity};

fuzz_target!(|data: &[u8]| {
    let _ = decode_gpx_activity(data);
    if let Ok(gpx) = decode_gpx(data) {
        let streams = &gpx.streams;
        assert!(streams.time.is_empty() || streams.time.len() == streams.len());
        assert!(streams.distance_m.is_empty() || streams.distance_m.len() == streams.len());
        for track in &gpx.tracks {
            assert!(track.records.end <= streams.len());
        }
        assert!(gpx.length_2d_m >= 0.0 || gpx.length_2d_m.is_nan());
    }
});
