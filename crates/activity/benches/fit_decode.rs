//! Decoding throughput against a CRC-only pass over the same bytes, run side by side.
//!
//! `cargo bench -p paceline-activity --bench fit_decode` reads every FIT file of the shared
//! corpus that must decode, then times, over the same bytes: a bare CRC-16 pass with the
//! `crc` crate's default (byte-wise table), the decoder's own integrity check
//! (`reader::verify`: headers and CRCs, the folded CRC), and the full decode; and,
//! over the files it reads, the `fitparser` crate against the decoder. It
//! prints throughputs and the decode's cost as a ratio of each CRC pass: ratios, not
//! absolute times, are what the repository's benchmarks compare. It also times
//! `encode_activity` re-encoding the same activities, in bytes written per second, and the
//! stored form of their record streams (`streams`) read back, against decoding them from
//! the FIT files.

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use paceline_activity::fit::{ActivityForEncoding, decode_fit, encode_activity, reader};
use paceline_activity::streams;

/// A visitor that reads every field's integer value and nothing more: the reader's share.
struct Walk(usize);

impl reader::Visitor for Walk {
    fn message(
        &mut self,
        message: &reader::Message<'_>,
    ) -> Result<(), paceline_activity::fit::FitError> {
        for field in message.fields() {
            self.0 = self.0.wrapping_add(field.int().map_or(0, |v| v as usize));
        }
        Ok(())
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo");
    let dir = format!("{crate_dir}/../../../shared/testdata/fit");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the shared corpus is beside the repository")
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("fit"))
        })
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .filter(|bytes| decode_fit(bytes).is_ok())
        .collect()
}

/// The best of several timed rounds of `run` over all files, each round at least 200 ms.
fn time(files: &[Vec<u8>], mut run: impl FnMut(&[u8]) -> usize) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..7 {
        let start = Instant::now();
        let mut rounds = 0u32;
        let mut sink = 0usize;
        while start.elapsed() < Duration::from_millis(200) || rounds == 0 {
            for bytes in files {
                sink = sink.wrapping_add(run(black_box(bytes)));
            }
            rounds += 1;
        }
        black_box(sink);
        best = best.min(start.elapsed() / rounds);
    }
    best
}

fn main() {
    let files = corpus();
    if std::env::args().any(|arg| arg == "--decode-only") {
        // For a profiler: nothing but decoding.
        let _ = time(&files, |b| decode_fit(b).map_or(0, |d| d.streams.len()));
        return;
    }
    let total: usize = files.iter().map(Vec::len).sum();
    let bytewise = crc::Crc::<u16>::new(&crc::CRC_16_ARC);
    let crc_bytewise = time(&files, |b| usize::from(bytewise.checksum(b)));
    let verify = time(&files, |b| reader::verify(b).unwrap_or(0));
    let walk = time(&files, |b| {
        let mut visitor = Walk(0);
        reader::read(b, &mut visitor).map_or(0, |()| visitor.0)
    });
    let decode = time(&files, |b| decode_fit(b).map_or(0, |d| d.streams.len()));
    // The fitparser crate over the files it reads (it refuses some that are valid FIT), with
    // our decoder over exactly the same files.
    let both: Vec<Vec<u8>> = files
        .iter()
        .filter(|b| fitparser::from_bytes(b).is_ok())
        .cloned()
        .collect();
    let both_total: usize = both.iter().map(Vec::len).sum();
    let fitparser_time = time(&both, |b| fitparser::from_bytes(b).map_or(0, |r| r.len()));
    let decode_both = time(&both, |b| decode_fit(b).map_or(0, |d| d.streams.len()));
    // The encoder, over the same activities re-encoded: its output bytes per second.
    let inputs: Vec<ActivityForEncoding> = files
        .iter()
        .filter_map(|b| decode_fit(b).ok())
        .map(|d| ActivityForEncoding::from_decoded(&d))
        .collect();
    let encoded_total: usize = inputs.iter().map(|a| encode_activity(a).len()).sum();
    let encode = {
        let mut best = Duration::MAX;
        for _ in 0..7 {
            let start = Instant::now();
            let mut rounds = 0u32;
            while start.elapsed() < Duration::from_millis(200) || rounds == 0 {
                for input in &inputs {
                    black_box(encode_activity(black_box(input)));
                }
                rounds += 1;
            }
            best = best.min(start.elapsed() / rounds);
        }
        best
    };
    // The stored form of the same activities' streams (`streams`), read back whole, against
    // decoding them from the FIT files: the stored form is what pages and the FIT download
    // read.
    let stored: Vec<Vec<u8>> = files
        .iter()
        .filter_map(|b| decode_fit(b).ok())
        .map(|d| streams::encode(&d.streams))
        .collect();
    let stored_total: usize = stored.iter().map(Vec::len).sum();
    let points: usize = files
        .iter()
        .filter_map(|b| decode_fit(b).ok())
        .map(|d| d.streams.len())
        .sum();
    let read_stored = time(&stored, |b| streams::decode(b).map_or(0, |s| s.len()));
    let mbps = |d: Duration| total as f64 / d.as_secs_f64() / 1e6;
    println!("{} files, {total} bytes", files.len());
    println!("crc-16 byte-wise table  {:>8.1} MB/s", mbps(crc_bytewise));
    println!("verify (folded CRC)    {:>8.1} MB/s", mbps(verify));
    println!("read, fields walked     {:>8.1} MB/s", mbps(walk));
    println!("decode_fit              {:>8.1} MB/s", mbps(decode));
    let mbps_both = |d: Duration| both_total as f64 / d.as_secs_f64() / 1e6;
    println!(
        "on the {} files fitparser reads ({both_total} bytes): fitparser {:.1} MB/s, decode_fit {:.1} MB/s: {:.0}x",
        both.len(),
        mbps_both(fitparser_time),
        mbps_both(decode_both),
        fitparser_time.as_secs_f64() / decode_both.as_secs_f64()
    );
    println!(
        "encode_activity         {:>8.1} MB/s written ({encoded_total} bytes)",
        encoded_total as f64 / encode.as_secs_f64() / 1e6
    );
    println!(
        "streams stored: {stored_total} bytes for {points} points ({:.1} a point, {:.2} of the FIT bytes); read back {:.1} Mpoints/s, {:.1}x decode_fit's speed",
        stored_total as f64 / points.max(1) as f64,
        stored_total as f64 / total as f64,
        points as f64 / read_stored.as_secs_f64() / 1e6,
        decode.as_secs_f64() / read_stored.as_secs_f64()
    );
    println!(
        "decode / byte-wise crc: {:.2}x the time; decode / verify: {:.2}x",
        decode.as_secs_f64() / crc_bytewise.as_secs_f64(),
        decode.as_secs_f64() / verify.as_secs_f64()
    );
}
