//! `paceline export`: the demo athlete's archive holds every activity, each uploaded file
//! byte for byte (its SHA-256 as recorded), the health days, the calendar and the messages
//! as the APIs show them, and marks nothing seen; imported into another installation, it
//! gives the athlete their activities back.

use crate::harness::paceline;
use paceline_testkit::{Engine, TestContext, api, with_database};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Read;

const ATHLETE: &str = "alex@demo.paceline.example";

fn entry(archive: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Vec<u8> {
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} is missing"));
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

fn json(archive: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Value {
    serde_json::from_slice(&entry(archive, name)).unwrap()
}

async fn contacts(db: &TestContext, token: &str) -> Value {
    let server = crate::harness::start_server(db, &[]).await;
    let answer: Value = reqwest::Client::new()
        .get(format!("{}/api/contacts/", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (status, log) = server.stop_with(15).await;
    assert!(status.success(), "{log}");
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_athletes_archive_holds_everything_and_brings_the_activities_elsewhere() {
    with_database(Engine::Sqlite, "export", |db| async move {
        let seeded = paceline(&db).arg("demo").output().await.unwrap();
        assert!(
            seeded.status.success(),
            "{}",
            String::from_utf8_lossy(&seeded.stderr)
        );
        let store = db.open().await;
        paceline_domain::accounts::set_password(
            &store,
            &paceline_domain::SystemClock,
            ATHLETE,
            paceline_domain::password::Password::new(api::PASSWORD),
        )
        .await
        .unwrap();
        let client = api::client(&store, "export-check").await;
        let token = api::token_for(&store, ATHLETE, &client, "read").await;
        store.close().await;
        let unseen_before = contacts(&db, &token).await;

        let archive_path = db.dir.join("alex.zip");
        let path = archive_path.to_str().unwrap();
        let exported = paceline(&db)
            .args(["export", "--email", ATHLETE, path])
            .output()
            .await
            .unwrap();
        let said = String::from_utf8_lossy(&exported.stdout).into_owned();
        assert!(
            exported.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&exported.stderr)
        );
        assert!(said.starts_with("Exported "), "{said}");
        let again = paceline(&db)
            .args(["export", "--email", ATHLETE, path])
            .output()
            .await
            .unwrap();
        assert_eq!(again.status.code(), Some(1), "an existing file is kept");

        let mut archive =
            zip::ZipArchive::new(std::fs::File::open(&archive_path).unwrap()).unwrap();
        assert!(
            String::from_utf8(entry(&mut archive, "README.txt"))
                .unwrap()
                .contains("paceline import")
        );
        assert_eq!(json(&mut archive, "profile.json")["email"], ATHLETE);
        let activities = json(&mut archive, "activities.json");
        let activities = activities.as_array().unwrap();
        assert!(activities.len() > 10, "{}", activities.len());
        let listed = json(&mut archive, "files.json");
        let listed = listed.as_array().unwrap();
        assert_eq!(
            listed.len(),
            activities.len(),
            "every demo activity has its file"
        );
        for file in listed {
            let bytes = entry(&mut archive, file["file"].as_str().unwrap());
            assert_eq!(bytes.len() as u64, file["size_bytes"].as_u64().unwrap());
            assert_eq!(
                paceline_domain::oauth::secret::hex(&Sha256::digest(&bytes)),
                file["sha256"].as_str().unwrap(),
                "{file}"
            );
        }
        for name in [
            "daily-wellness.json",
            "sleep-days.json",
            "body-metrics.json",
        ] {
            assert!(
                !json(&mut archive, name).as_array().unwrap().is_empty(),
                "{name}"
            );
        }
        assert!(
            !json(&mut archive, "xhale/sessions.json")
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(json(&mut archive, "xhale/user.json")["email"], ATHLETE);
        let contacts_json = json(&mut archive, "xhale/contacts.json");
        let coach = contacts_json[0]["id"].as_i64().unwrap();
        let messages = json(&mut archive, &format!("xhale/messages/{coach}.json"));
        assert!(!messages.as_array().unwrap().is_empty());
        drop(archive);
        // Reading the messages for the archive marked none as seen.
        assert_eq!(contacts(&db, &token).await, unseen_before);

        // Another installation: the athlete's activities come back from the archive.
        let elsewhere_db = format!("sqlite://{}", db.dir.join("elsewhere.sqlite3").display());
        let elsewhere_data = db.dir.join("elsewhere");
        let elsewhere = |args: &[&str]| {
            let mut command = paceline(&db);
            command
                .env("PACELINE_DATABASE_URL", &elsewhere_db)
                .env("PACELINE_DATA_DIR", &elsewhere_data)
                .args(args);
            command
        };
        let created = elsewhere(&[
            "admin",
            "user",
            "create",
            "--email",
            ATHLETE,
            "--password",
            "a long password",
            "--name",
            "Alex",
        ])
        .output()
        .await
        .unwrap();
        assert!(
            created.status.success(),
            "{}",
            String::from_utf8_lossy(&created.stderr)
        );
        let imported = elsewhere(&["import", "--email", ATHLETE, path])
            .output()
            .await
            .unwrap();
        let said = String::from_utf8_lossy(&imported.stdout).into_owned();
        assert!(imported.status.success(), "{said}");
        let expected = format!(
            "{n} activity files: {n} new, 0 already there, 0 refused",
            n = activities.len()
        );
        assert!(said.contains(&expected), "{said}");
    })
    .await;
}
