//! Running `paceline` as a child process against a test database.

use paceline_testkit::TestContext;
use serde_json::Value;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// `paceline` with the environment pointing at the test's database and data folder, and
/// no other configuration.
pub fn paceline(db: &TestContext) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paceline"));
    command
        .current_dir(&db.dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PACELINE_DATA_DIR", db.dir.join("data"))
        .env("PACELINE_DATABASE_URL", &db.url)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Runs `paceline args…` to completion.
pub async fn run(db: &TestContext, args: &[&str]) -> Output {
    paceline(db).args(args).output().await.unwrap()
}

/// Runs `paceline args…` with `input` on standard input.
pub async fn run_with_stdin(db: &TestContext, args: &[&str], input: &str) -> Output {
    let mut child = paceline(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    child.wait_with_output().await.unwrap()
}

/// Runs an admin command with `--json` and parses its standard output.
pub async fn admin_json(db: &TestContext, args: &[&str]) -> Value {
    let mut all = vec!["admin"];
    all.extend_from_slice(args);
    all.push("--json");
    let output = run(db, &all).await;
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A running `paceline serve`, with the address it listens on.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// Standard output and error so far, read in the background.
    pub log: tokio::task::JoinHandle<String>,
}

/// Starts `paceline serve` on a random loopback port and waits until it listens.
pub async fn start_server(db: &TestContext, extra: &[&str]) -> Server {
    start_server_in(db, &db.dir, extra, true).await
}

/// Starts `paceline serve` with extra environment variables.
pub async fn start_server_with_env(db: &TestContext, env: &[(&str, &str)]) -> Server {
    let mut command = paceline(db);
    command.envs(env.iter().copied());
    spawn_server(command, &db.dir, &[]).await
}

/// Starts the server in `dir`, optionally with the test database in the environment.
pub async fn start_server_in(
    db: &TestContext,
    dir: &Path,
    extra: &[&str],
    with_database: bool,
) -> Server {
    let mut command = paceline(db);
    if !with_database {
        command
            .env_remove("PACELINE_DATABASE_URL")
            .env_remove("PACELINE_DATA_DIR");
    }
    spawn_server(command, dir, extra).await
}

async fn spawn_server(mut command: Command, dir: &Path, extra: &[&str]) -> Server {
    let mut child = command
        .current_dir(dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let address = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = stderr.next_line().await.unwrap() {
            seen.push_str(&line);
            seen.push('\n');
            if let Ok(event) = serde_json::from_str::<Value>(&line)
                && let Some(address) = event["address"].as_str()
            {
                return address.to_owned();
            }
        }
        panic!("the server exited before listening:\n{seen}");
    })
    .await
    .expect("the server did not start listening in time");
    // Both pipes are drained at once: a server blocked on a full stderr pipe would hang.
    let out = tokio::spawn(async move {
        let mut out = String::new();
        let mut stdout = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = stdout.next_line().await {
            out.push_str(&line);
            out.push('\n');
        }
        out
    });
    let err = tokio::spawn(async move {
        let mut all = seen;
        while let Ok(Some(line)) = stderr.next_line().await {
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let log = tokio::spawn(async move {
        let out = out.await.unwrap_or_default();
        let err = err.await.unwrap_or_default();
        format!("{out}{err}")
    });
    Server {
        child,
        base: format!("http://{address}"),
        log,
    }
}

impl Server {
    /// Sends `signal` and waits for the process to exit; returns its output and status.
    pub async fn stop_with(self, signal: i32) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().unwrap();
        let rc = send_signal(pid, signal);
        assert_eq!(rc, 0, "kill({pid}, {signal})");
        self.wait().await
    }

    /// Waits for the process to exit; returns its status and output.
    pub async fn wait(mut self) -> (std::process::ExitStatus, String) {
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the server did not exit in time")
            .unwrap();
        (status, self.log.await.unwrap())
    }
}

/// Sends a signal with the `kill` command, which keeps `unsafe` out of the tests.
fn send_signal(pid: u32, signal: i32) -> i32 {
    std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .map(|s| if s.success() { 0 } else { 1 })
        .unwrap_or(1)
}

/// Sends SIGKILL to a child process.
pub fn kill9(child: &Child) {
    if let Some(pid) = child.id() {
        send_signal(pid, 9);
    }
}
