//! The FIT upload scenarios: distinct files made cheaply from one template, multipart
//! bodies, the baseline route that only reads them, and the peak memory of concurrent
//! large uploads.

use crate::load::{Figures, load, report, thousands};
use axum::extract::Multipart;
use axum::http::StatusCode;
use paceline_activity::fit::{
    ActivityForEncoding, Figures as FitFigures, FitTime, LegForEncoding, Position, Record,
    RecordStreams, Sport, encode_activity,
};
use paceline_domain::Store;
use paceline_testkit::api;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The multipart boundary of the upload bodies.
const BOUNDARY: &str = "paceline-bench-boundary";
/// The request body limit of the upload route: the largest file and the framing around it.
pub(crate) const MAX_UPLOAD_BYTES: usize = paceline_domain::imports::MAX_FILE_BYTES + 64 * 1024;

/// What comes before the file in an upload body.
fn multipart_head() -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"ride.fit\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
}

/// What comes after the file in an upload body.
fn multipart_tail() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

/// A ride of `records` one-second records with every field, the UTC offset `offset_s`.
fn ride(records: usize, offset_s: i32) -> ActivityForEncoding {
    let start = 1_100_000_000;
    let mut streams = RecordStreams::default();
    for i in 0..records {
        let t = i as f64;
        streams.push(Record {
            time: Some(FitTime(start + i as u32)),
            position: Some(Position {
                lat_semicircles: 572_000_000 + (i as i32 % 100_000) * 40,
                lon_semicircles: 100_000_000 + (i as i32 % 77_777) * 55,
            }),
            altitude_m: Some(200.0 + (t / 300.0).sin() * 50.0),
            heart_rate: Some(120 + (i % 50) as u8),
            power_w: Some(150 + (i % 200) as u16),
            cadence: Some(80 + (i % 20) as u8),
            speed_mps: Some(7.0 + (i % 30) as f64 * 0.1),
            distance_m: Some(t * 8.0),
            temperature_c: Some(18 + (i % 5) as i8),
        });
    }
    let figures = FitFigures {
        elapsed_s: Some(records as f64),
        timer_s: Some(records as f64),
        distance_m: Some(records as f64 * 8.0),
        ..FitFigures::default()
    };
    ActivityForEncoding {
        legs: vec![LegForEncoding::new(Sport(2), None, FitTime(start), figures)],
        streams,
        utc_offset_s: Some(offset_s),
    }
}

/// The FIT CRC-16 of `bytes`, continuing from `crc` (the FIT SDK's nibble table).
fn fit_crc(mut crc: u16, bytes: &[u8]) -> u16 {
    const TABLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    for &byte in bytes {
        for nibble in [byte & 0xF, byte >> 4] {
            let tmp = TABLE[usize::from(crc & 0xF)];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ TABLE[usize::from(nibble)];
        }
    }
    crc
}

/// A FIT ride of about `target` bytes from which distinct files are made cheaply: the
/// `activity` message's `local_timestamp`, a few bytes from the end, is rewritten and the
/// CRC finished from the state before it, so a variant costs a copy, not an encoding.
struct FitTemplate {
    bytes: Vec<u8>,
    /// Where the `local_timestamp` (little-endian u32) is.
    at: usize,
    base: u32,
    /// The CRC of `bytes[..at]`.
    crc_before: u16,
}

impl FitTemplate {
    fn new(target: usize) -> Self {
        let sample = 1_000;
        let per_record = encode_activity(&ride(sample, 0)).len() as f64 / sample as f64;
        let records = (target as f64 / per_record) as usize;
        let bytes = encode_activity(&ride(records, 0));
        let other = encode_activity(&ride(records, 1));
        assert_eq!(bytes.len(), other.len());
        let at = bytes.iter().zip(&other).position(|(a, b)| a != b).unwrap();
        assert!(at + 4 <= bytes.len() - 2 && bytes.len() - at < 64, "{at}");
        let base = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let crc_before = fit_crc(0, &bytes[..at]);
        let template = Self {
            bytes,
            at,
            base,
            crc_before,
        };
        let mut check = Vec::new();
        template.append_variant(12_345, &mut check);
        assert_ne!(check, template.bytes);
        paceline_activity::fit::decode_activity(&check).unwrap();
        template
    }

    /// Appends the `n`th distinct file (n below 86,400: the offset stays under a day).
    fn append_variant(&self, n: u32, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.bytes);
        let at = start + self.at;
        out[at..at + 4].copy_from_slice(&(self.base + n % 86_400).to_le_bytes());
        let end = out.len() - 2;
        let crc = fit_crc(self.crc_before, &out[at..end]);
        out[end..].copy_from_slice(&crc.to_le_bytes());
    }

    /// An upload body with the `n`th distinct file.
    fn body(&self, n: u32) -> Vec<u8> {
        let (head, tail) = (multipart_head(), multipart_tail());
        let mut body = Vec::with_capacity(head.len() + self.bytes.len() + tail.len());
        body.extend_from_slice(head.as_bytes());
        self.append_variant(n, &mut body);
        body.extend_from_slice(tail.as_bytes());
        body
    }
}

/// The baseline of the upload route: the same multipart body read to its end, nothing else.
pub(crate) async fn read_upload(mut multipart: Multipart) -> StatusCode {
    let mut read = 0;
    while let Some(mut field) = multipart.next_field().await.unwrap() {
        while let Some(chunk) = field.chunk().await.unwrap() {
            read += chunk.len();
        }
    }
    assert!(read > 0);
    StatusCode::OK
}

/// Streams of uploads from every worker, each body a new file: `POST url` with `token`
/// (none for the baseline), expecting `status`.
async fn uploads(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    template: &Arc<FitTemplate>,
    status: u16,
) -> Figures {
    let sent = Arc::new(AtomicUsize::new(0));
    let (http, token, template) = (http.clone(), token.map(str::to_owned), template.clone());
    load(connections, length, move |_| {
        let n = sent.fetch_add(1, Ordering::Relaxed) as u32;
        assert!(n < 86_400, "more uploads than distinct files");
        let body = template.body(n);
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        async move {
            let mut request = http
                .post(url)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), status);
            response.bytes().await.unwrap();
        }
    })
    .await
}

/// A line of `/proc/self/status` in kB (`VmHWM`, `VmRSS`); 0 where there is none.
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets the peak RSS to the current RSS (Linux 4.0+); false where that is refused.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The FIT upload scenarios: a stream of new 1 MB files against the same bodies read by a
/// route that does nothing else, then the peak memory of 16 concurrent 25 MB uploads.
pub(crate) async fn upload_scenarios(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    base: &str,
    store: &dyn Store,
    app_client: &api::ApiClient,
) {
    const MB: f64 = 1024.0 * 1024.0;
    let uploader = api::user(
        store,
        "uploader@example.com",
        None,
        app_client,
        "activities:write",
    )
    .await;
    let generating = Instant::now();
    let small = Arc::new(FitTemplate::new(1024 * 1024));
    let file_mb = small.bytes.len() as f64 / MB;
    println!(
        "FIT files of {} bytes ({file_mb:.2} MB), template encoded in {:.1} s",
        thousands(small.bytes.len() as i64),
        generating.elapsed().as_secs_f64()
    );
    let read_only = uploads(
        connections,
        length,
        http,
        format!("{base}/bench/read-upload"),
        None,
        &small,
        200,
    )
    .await;
    report(
        "multipart body read, 1 MB (baseline)",
        &read_only,
        &read_only,
    );
    println!("    {:.1} MB/s of files", read_only.rps() * file_mb);
    let fit_uploads = uploads(
        connections,
        length,
        http,
        format!("{base}/api/external/v1/fit-files"),
        Some(&uploader.access_token),
        &small,
        201,
    )
    .await;
    report(
        "POST fit-files, new 1 MB files (vs body read)",
        &fit_uploads,
        &read_only,
    );
    println!(
        "    {:.1} MB/s of files, {} uploads",
        fit_uploads.rps() * file_mb,
        thousands(fit_uploads.requests as i64)
    );
    drop(small);

    if std::env::var("PACELINE_BENCH_PEAK").is_ok_and(|v| v == "0") {
        return;
    }
    // 16 athletes uploading at once; each round sends one new file, the same body to all
    // (a file is a duplicate only for the athlete who uploaded it before).
    const AT_ONCE: usize = 16;
    let mut athletes = Vec::new();
    for i in 0..AT_ONCE {
        athletes.push(
            api::user(
                store,
                &format!("peak-{i}@example.com"),
                None,
                app_client,
                "activities:write",
            )
            .await
            .access_token,
        );
    }
    let generating = Instant::now();
    let large = FitTemplate::new(24 * 1024 * 1024);
    assert!(large.bytes.len() <= paceline_domain::imports::MAX_FILE_BYTES);
    let large_mb = large.bytes.len() as f64 / MB;
    println!(
        "peak memory of {AT_ONCE} concurrent uploads of a {} byte FIT ({large_mb:.1} MB, \
         encoded in {:.1} s); the client side holds one shared copy of the body",
        thousands(large.bytes.len() as i64),
        generating.elapsed().as_secs_f64()
    );
    let url = format!("{base}/api/external/v1/fit-files");
    for round in 0..3 {
        let body = axum::body::Bytes::from(large.body(round));
        let reset = reset_peak_rss();
        let (before_hwm, before_rss) = (status_kb("VmHWM"), status_kb("VmRSS"));
        let begun = Instant::now();
        let answers = futures::future::join_all(athletes.iter().map(|token| {
            let request = http
                .post(&url)
                .bearer_auth(token)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(reqwest::Body::from(body.clone()));
            async move {
                let response = request.send().await.unwrap();
                let status = response.status();
                response.bytes().await.unwrap();
                status
            }
        }))
        .await;
        let took = begun.elapsed().as_secs_f64();
        assert!(answers.iter().all(|s| *s == 201), "{answers:?}");
        let after_hwm = status_kb("VmHWM");
        let increase = after_hwm.saturating_sub(before_hwm.max(before_rss)) as f64 / 1024.0;
        println!(
            "    round {}: peak RSS {:.0} MB, {increase:.0} MB over the {:.0} MB before \
             ({:.1} MB per upload){}, all {AT_ONCE} answered in {took:.1} s",
            round + 1,
            after_hwm as f64 / 1024.0,
            before_hwm.max(before_rss) as f64 / 1024.0,
            increase / AT_ONCE as f64,
            if reset {
                ""
            } else {
                " [peak not reset: clear_refs refused]"
            },
        );
    }
}
