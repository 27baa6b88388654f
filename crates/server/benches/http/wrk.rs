//! The same scenarios driven from outside the process by `wrk` (`PACELINE_BENCH_WRK=1`,
//! `wrk -t1 -cN -dSs --latency`), so that the load generator's CPU is not the server's, and
//! the server's own CPU time per request is measured (`/proc/self/stat`, the process's user
//! and system time over the run divided by the requests wrk counted).

use crate::load::Figures;
use std::io::Write as _;
use std::process::Command;
use std::time::Duration;

/// Whether the scenarios run under `wrk`.
pub(crate) fn enabled() -> bool {
    std::env::var("PACELINE_BENCH_WRK").is_ok_and(|v| v == "1")
}

/// This process's CPU time so far (user and system), in microseconds.
pub(crate) fn cpu_micros() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses and may hold spaces):
    // utime and stime are the 12th and 13th, in clock ticks of 1/100 s.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) * 10_000
}

/// What `wrk` sends: a GET with an optional bearer token, or each of `bodies` POSTed in turn.
struct Request<'a> {
    url: &'a str,
    token: Option<&'a str>,
    bodies: Option<&'a [String]>,
}

/// Runs `wrk` on a blocking thread: a GET of `url` with an optional bearer token, or, with
/// `bodies`, each POSTed in turn.
pub(crate) async fn load(
    connections: usize,
    length: Duration,
    url: String,
    token: Option<String>,
    bodies: Option<Vec<String>>,
) -> Figures {
    tokio::task::spawn_blocking(move || {
        run(
            connections,
            length,
            &Request {
                url: &url,
                token: token.as_deref(),
                bodies: bodies.as_deref(),
            },
        )
    })
    .await
    .unwrap()
}

/// Runs `wrk` against `request` and reads its figures. Blocks.
fn run(connections: usize, length: Duration, request: &Request<'_>) -> Figures {
    let mut command = Command::new("wrk");
    command.args([
        "-t1",
        &format!("-c{connections}"),
        &format!("-d{}s", length.as_secs()),
        "--latency",
    ]);
    if let Some(token) = request.token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let script = request.bodies.map(|bodies| {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let quoted: Vec<String> = bodies.iter().map(|b| format!("[==[{b}]==]")).collect();
        writeln!(
            file,
            "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n\
             local bodies = {{{}}}\nlocal n = 0\n\
             request = function()\n  n = n % #bodies + 1\n  \
             return wrk.format(nil, nil, nil, bodies[n])\nend\n\
             response = function(status, headers, body)\n  \
             if status ~= 200 then error(\"status \" .. status) end\nend",
            quoted.join(",")
        )
        .unwrap();
        file
    });
    if let Some(script) = &script {
        command.args(["-s", script.path().to_str().unwrap()]);
    }
    command.arg(request.url);
    let cpu_before = cpu_micros();
    let output = command.output().expect("wrk runs (apt-get install wrk)");
    let cpu = cpu_micros() - cpu_before;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "wrk failed: {text}");
    assert!(
        !text.contains("Non-2xx"),
        "{}: some answers were not 2xx:\n{text}",
        request.url
    );
    // "  123456 requests in 4.00s, 1.23GB read"
    let requests: usize = text
        .lines()
        .find_map(|l| l.split_once(" requests in ").map(|(n, _)| n.trim()))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no request count in wrk's output:\n{text}"));
    let seconds = text
        .lines()
        .find_map(|l| l.split(" requests in ").nth(1))
        .and_then(|rest| rest.split(',').next())
        .map_or(length.as_secs_f64(), duration_secs);
    let percentile = |p: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(p))
            .map_or(0, |v| (duration_secs(v.trim()) * 1e6) as u128)
    };
    Figures {
        requests,
        seconds,
        p50_us: percentile("50%"),
        p99_us: percentile("99%"),
        cpu_us: Some(cpu),
    }
}

/// `wrk`'s durations: `812.00us`, `1.25ms`, `4.00s`, `1.02m`.
fn duration_secs(text: &str) -> f64 {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().unwrap_or(0.0);
    number
        * match unit {
            "us" => 1e-6,
            "ms" => 1e-3,
            "m" => 60.0,
            "h" => 3600.0,
            _ => 1.0,
        }
}
