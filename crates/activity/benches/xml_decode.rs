//! TCX and GPX reading throughput against a quick-xml pass that only tokenizes the same
//! bytes, run side by side.
//!
//! `cargo bench -p paceline-activity --bench xml_decode` reads every TCX and GPX file of the
//! shared corpus that must read, then times, per format and over the same bytes: a bare
//! quick-xml tokenizer loop (every event read, nothing done with it) and the full reader
//! (`decode_tcx`, `decode_gpx`: events, values parsed, records, summary). It prints
//! throughputs and the reader's cost as a ratio of the tokenizer's: ratios, not absolute
//! times, are what the repository's benchmarks compare.

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use paceline_activity::gpx::decode_gpx;
use paceline_activity::tcx::decode_tcx;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

fn corpus(kind: &str, valid: fn(&[u8]) -> bool) -> Vec<Vec<u8>> {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo");
    let dir = format!("{crate_dir}/../../../shared/testdata/{kind}");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the shared corpus is beside the repository")
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(kind))
        })
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .filter(|bytes| valid(bytes))
        .collect()
}

/// Every event of the document, counted: the floor any quick-xml-based reader stands on.
fn tokenize(bytes: &[u8]) -> usize {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let mut reader = Reader::from_reader(bytes.get(start..).unwrap_or_default());
    let mut events = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => return events,
            Ok(_) => events += 1,
        }
    }
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

fn report(kind: &str, files: &[Vec<u8>], read: fn(&[u8]) -> usize) {
    let total: usize = files.iter().map(Vec::len).sum();
    let mbps = |d: Duration| total as f64 / d.as_secs_f64() / 1e6;
    let tokens = time(files, tokenize);
    let decode = time(files, read);
    println!("{kind}: {} files, {total} bytes", files.len());
    println!("  quick-xml tokenize only  {:>8.1} MB/s", mbps(tokens));
    println!("  decode_{kind}              {:>8.1} MB/s", mbps(decode));
    println!(
        "  decode / tokenize: {:.2}x the time",
        decode.as_secs_f64() / tokens.as_secs_f64()
    );
}

fn main() {
    let tcx = corpus("tcx", |b| decode_tcx(b).is_ok());
    let gpx = corpus("gpx", |b| decode_gpx(b).is_ok());
    report("tcx", &tcx, |b| {
        decode_tcx(b).map_or(0, |t| t.streams.len())
    });
    report("gpx", &gpx, |b| {
        decode_gpx(b).map_or(0, |g| g.streams.len())
    });
}
