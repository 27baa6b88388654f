//! `paceline backup` taken while the server answers a burst of writes (planned sessions and
//! FIT uploads, several at once), then `paceline restore` into a new installation: every
//! write acknowledged before the backup began is there, each file byte for byte.

use crate::harness::{paceline, run, start_server_with_env};
use paceline_activity::fit::{
    ActivityForEncoding, Figures, FitTime, LegForEncoding, Record, RecordStreams, Sport,
    encode_activity,
};
use paceline_testkit::{Engine, api, with_database};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A short ride starting at `start`: a different file for each start.
fn ride(start: u32) -> Vec<u8> {
    let mut streams = RecordStreams::default();
    for i in 0..600 {
        streams.push(Record {
            time: Some(FitTime(start + i)),
            heart_rate: Some(120 + (i % 40) as u8),
            power_w: Some(180 + (i % 90) as u16),
            ..Record::default()
        });
    }
    let figures = Figures {
        elapsed_s: Some(600.0),
        timer_s: Some(600.0),
        ..Figures::default()
    };
    encode_activity(&ActivityForEncoding {
        legs: vec![LegForEncoding::new(Sport(2), None, FitTime(start), figures)],
        streams,
        utc_offset_s: None,
    })
}

/// A write the server acknowledged, and when.
enum Acknowledged {
    Session(i64, Instant),
    Upload(String, Vec<u8>, Instant),
}

/// Writes until `stop`, one at a time: sessions, and every fourth write a FIT upload.
async fn burst(
    base: String,
    token: String,
    worker: u32,
    stop: Arc<AtomicBool>,
) -> Vec<Acknowledged> {
    let http = reqwest::Client::new();
    let mut done = Vec::new();
    let mut n = 0u32;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        if n.is_multiple_of(4) {
            let bytes = ride(1_100_000_000 + worker * 10_000_000 + n * 1000);
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes.clone()).file_name("ride.fit"),
            );
            let response = http
                .post(format!("{base}/api/external/v1/fit-files"))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let at = Instant::now();
            let id = response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
            done.push(Acknowledged::Upload(id, bytes, at));
        } else {
            let day = time::Date::from_ordinal_date(2026, 1 + (n % 360) as u16)
                .unwrap()
                .to_string();
            let response = http
                .post(format!("{base}/api/sessions/"))
                .bearer_auth(&token)
                .form(&[("date", day.as_str()), ("discipline_id", "8")])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let at = Instant::now();
            let id = response.json::<Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap();
            done.push(Acknowledged::Session(id, at));
        }
    }
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_a_write_burst_restores_every_acknowledged_write() {
    with_database(Engine::Sqlite, "backup_during_a_burst", |db| async move {
        let store = db.open().await;
        let client = api::client(&store, "backup-app").await;
        let athlete = api::user(
            &store,
            "burst@example.com",
            None,
            &client,
            "activities:read activities:write read write",
        )
        .await;
        store.close().await;
        // Limits far above the burst's pace: the backup is what is tested.
        let config = db.dir.join("paceline.toml");
        std::fs::write(
            &config,
            "[rate_limit]\napi_per_token = 1000000\napi_per_client = 1000000\n",
        )
        .unwrap();
        let config = config.to_str().unwrap().to_owned();
        let server = start_server_with_env(&db, &[("PACELINE_CONFIG", config.as_str())]).await;
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                tokio::spawn(burst(
                    server.base.clone(),
                    athlete.access_token.clone(),
                    worker,
                    stop.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let backup_dir = db.dir.join("backup");
        let began = Instant::now();
        let taken = run(&db, &["backup", backup_dir.to_str().unwrap()]).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.store(true, Ordering::Relaxed);
        let mut acknowledged = Vec::new();
        for worker in workers {
            acknowledged.extend(worker.await.unwrap());
        }
        let (status, log) = server.stop_with(15).await;
        assert!(status.success(), "{log}");
        assert!(
            taken.status.success(),
            "{}{}",
            String::from_utf8_lossy(&taken.stdout),
            String::from_utf8_lossy(&taken.stderr)
        );
        let at = |ack: &Acknowledged| match ack {
            Acknowledged::Session(_, at) | Acknowledged::Upload(_, _, at) => *at,
        };
        let before: Vec<&Acknowledged> = acknowledged.iter().filter(|a| at(a) < began).collect();
        let during = acknowledged.len() - before.len();
        assert!(
            before.iter().any(|a| matches!(a, Acknowledged::Upload(..))),
            "no upload before the backup"
        );
        assert!(during > 0, "the burst went on while the backup ran");
        // Into a folder that holds anything, never.
        let again = run(&db, &["backup", backup_dir.to_str().unwrap()]).await;
        assert_eq!(again.status.code(), Some(1));

        // A new installation from the backup.
        let restored_db = format!("sqlite://{}", db.dir.join("restored.sqlite3").display());
        let restored_data = db.dir.join("restored-data");
        let env = [
            ("PACELINE_DATABASE_URL", restored_db.as_str()),
            ("PACELINE_DATA_DIR", restored_data.to_str().unwrap()),
        ];
        let restore = || {
            let mut command = paceline(&db);
            command
                .envs(env)
                .args(["restore", backup_dir.to_str().unwrap()]);
            command
        };
        let restored = restore().output().await.unwrap();
        assert!(
            restored.status.success(),
            "{}",
            String::from_utf8_lossy(&restored.stderr)
        );
        let twice = restore().output().await.unwrap();
        assert_eq!(twice.status.code(), Some(1), "a database is there now");
        let server = start_server_with_env(&db, &env).await;
        let http = reqwest::Client::new();
        let sessions: Value = http
            .get(format!(
                "{}/api/sessions/?updated_since_datetime=2000-01-01T00:00:00",
                server.base
            ))
            .bearer_auth(&athlete.access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let kept: std::collections::HashSet<i64> = sessions
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        for ack in &before {
            match ack {
                Acknowledged::Session(id, _) => {
                    assert!(
                        kept.contains(id),
                        "session {id} was acknowledged before the backup"
                    );
                }
                Acknowledged::Upload(id, bytes, _) => {
                    let file = http
                        .get(format!(
                            "{}/api/external/v1/activities/{id}/fit",
                            server.base
                        ))
                        .bearer_auth(&athlete.access_token)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(file.status(), 200, "activity {id}");
                    assert!(file.bytes().await.unwrap().as_ref() == bytes.as_slice());
                }
            }
        }
        let (status, log) = server.stop_with(15).await;
        assert!(status.success(), "{log}");
    })
    .await;
}
