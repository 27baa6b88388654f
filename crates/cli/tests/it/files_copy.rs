//! `paceline files copy`: a data folder's files into a bucket (moto's) and back, byte for
//! byte; run again it copies nothing; a file whose bytes differ in the target is replaced;
//! the configured storage is never its own target.

use crate::harness::paceline;
use paceline_domain::files::BlobStore;
use paceline_domain::oauth::secret::Secret;
use paceline_files::{ObjectFiles, S3Config};
use paceline_testkit::s3::{self, S3Server};
use paceline_testkit::{Engine, TestContext, with_database};
use std::path::Path;
use std::process::Output;

fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "fit/org_1/mem_1/2026-01-01/a.fit",
            paceline_testdata::file("fit/fitsdkjs__Activity.fit"),
        ),
        ("tcx/org_1/mem_1/2026-01-02/b.tcx", b"<tcx/>".repeat(1000)),
        (
            "gpx/org_2/mem_3/2026-01-03/c.gpx",
            (0..7 * 1024 * 1024).map(|i| (i % 251) as u8).collect(),
        ),
    ]
}

fn config(server: &S3Server) -> S3Config {
    S3Config {
        bucket: server.bucket.clone(),
        endpoint: Some(server.endpoint.clone()),
        region: None,
        access_key_id: Some(s3::ACCESS_KEY_ID.into()),
        secret_access_key: Some(Secret::new(s3::SECRET_ACCESS_KEY)),
        virtual_hosted_style: false,
        prefix: Some("paceline".into()),
        allow_http: true,
    }
}

/// `paceline files copy ARGS` with the bucket configured.
async fn copy(db: &TestContext, server: &S3Server, args: &[&str]) -> (Output, String) {
    let output = paceline(db)
        .env("PACELINE_S3_BUCKET", &server.bucket)
        .env("PACELINE_S3_ENDPOINT", &server.endpoint)
        .env("PACELINE_S3_ALLOW_HTTP", "true")
        .env("PACELINE_S3_ACCESS_KEY_ID", s3::ACCESS_KEY_ID)
        .env("PACELINE_S3_SECRET_ACCESS_KEY", s3::SECRET_ACCESS_KEY)
        .env("PACELINE_S3_PREFIX", "paceline")
        .args(["files", "copy"])
        .args(args)
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    (output, said)
}

async fn assert_holds(files: &dyn BlobStore, expected: &[(&str, Vec<u8>)]) {
    for (key, bytes) in expected {
        let held = files.get(key).await.unwrap();
        assert!(held.as_ref() == Some(bytes), "{key} differs");
    }
}

#[tokio::test]
async fn files_move_between_a_folder_and_a_bucket_and_back() {
    with_database(Engine::Sqlite, "files_copy", |db| async move {
        let Some(server) = s3::start("pl-files-copy").await else {
            return;
        };
        let folder = db.dir.join("old-files");
        let local = ObjectFiles::local(&folder).unwrap();
        let expected = files();
        for (key, bytes) in &expected {
            local.put(key, bytes.clone()).await.unwrap();
        }
        let bucket = ObjectFiles::s3(&config(&server)).unwrap();
        let folder_arg = folder.to_str().unwrap();

        let (output, said) = copy(&db, &server, &["--from", folder_arg]).await;
        assert!(
            output.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(said.contains("3 files"), "{said}");
        assert!(
            said.contains("3 copied, 0 already there, 0 replaced, 0 failed"),
            "{said}"
        );
        assert_holds(&bucket, &expected).await;

        // Again: nothing to do.
        let (output, said) = copy(&db, &server, &["--from", folder_arg]).await;
        assert!(output.status.success());
        assert!(
            said.contains("0 copied, 3 already there, 0 replaced"),
            "{said}"
        );

        // A file the bucket holds with other bytes (the same size) is replaced.
        let (key, bytes) = &expected[1];
        let mut other = bytes.clone();
        other[0] ^= 0xff;
        bucket.put(key, other).await.unwrap();
        let (output, said) = copy(&db, &server, &["--from", folder_arg]).await;
        assert!(output.status.success());
        assert!(
            said.contains("0 copied, 2 already there, 1 replaced"),
            "{said}"
        );
        assert_holds(&bucket, &expected).await;

        // And back into a new folder.
        let back = db.dir.join("back");
        let (output, said) = copy(&db, &server, &["--to", back.to_str().unwrap()]).await;
        assert!(
            output.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(said.contains("3 copied"), "{said}");
        assert_holds(&ObjectFiles::local(&back).unwrap(), &expected).await;

        // Without a bucket configured, the data folder's own files are the storage.
        let own = db.dir.join("data/files");
        std::fs::create_dir_all(&own).unwrap();
        let output = paceline(&db)
            .args(["files", "copy", "--from", own.to_str().unwrap()])
            .output()
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let refusal = String::from_utf8_lossy(&output.stderr);
        assert!(
            refusal.contains("is the configured storage itself"),
            "{refusal}"
        );
        assert!(!Path::new(&db.dir.join("data/files/fit")).exists());
    })
    .await;
}
