//! Any bytes: the TCX reader returns, without panicking, within bounded time and memory;
//! what it returns keeps its columns and ranges consistent.

#![no_main]

use libfuzzer_sys::fuzz_target;
use paceline_activity::tcx::{decode_tcx, decode_tcx_activity};

fuzz_target!(|data: &[u8]| {
    let _ = decode_tcx_activity(data);
    if let Ok(tcx) = decode_tcx(data) {
        let streams = &tcx.streams;
        assert!(streams.time.is_empty() || streams.time.len() == streams.len());
        assert!(streams.position.is_empty() || streams.position.len() == streams.len());
        assert_eq!(tcx.laps.len(), tcx.lap_details.len());
        for activity in &tcx.activities {
            assert!(activity.records.end <= streams.len());
            assert!(activity.laps.end <= tcx.laps.len());
        }
    }
});
