use super::*;
use paceline_domain::oauth::secret::Secret;

#[tokio::test]
async fn local_files_land_in_the_folder_under_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let files = ObjectFiles::local(&dir.path().join("files")).unwrap();
    let key = "fit/org_a/mem_b/2026-01-17/x1.fit";
    files.put(key, b"FIT bytes".to_vec()).await.unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("files").join(key)).unwrap(),
        b"FIT bytes"
    );
    // Nothing else is left beside it (no temporary file).
    let beside: Vec<_> = std::fs::read_dir(dir.path().join("files/fit/org_a/mem_b/2026-01-17"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["x1.fit"]);
}

fn config() -> S3Config {
    S3Config {
        bucket: "training".into(),
        endpoint: Some("https://s3.example.com/".into()),
        region: Some("eu-central-1".into()),
        access_key_id: Some("AKID".into()),
        secret_access_key: Some(Secret::new("very secret")),
        virtual_hosted_style: false,
        prefix: Some("paceline".into()),
        allow_http: false,
    }
}

#[test]
fn the_endpoint_names_the_service_in_either_style() {
    let path_style = config();
    assert_eq!(
        path_style
            .bucket_endpoint("https://s3.example.com/")
            .unwrap(),
        "https://s3.example.com"
    );
    let virtual_hosted = S3Config {
        virtual_hosted_style: true,
        ..config()
    };
    assert_eq!(
        virtual_hosted
            .bucket_endpoint("https://s3.example.com")
            .unwrap(),
        "https://training.s3.example.com"
    );
    for bad in ["s3.example.com", "ftp://s3.example.com", "https://"] {
        assert!(path_style.bucket_endpoint(bad).is_err(), "{bad}");
    }
    assert!(path_style.bucket_endpoint("http://127.0.0.1:9000").is_err());
    let local = S3Config {
        allow_http: true,
        ..config()
    };
    assert!(local.bucket_endpoint("http://127.0.0.1:9000").is_ok());
}

#[test]
fn the_description_and_debug_never_show_the_secret() {
    let config = config();
    assert_eq!(
        config.describe(),
        "s3://training/paceline at https://s3.example.com/"
    );
    assert!(!format!("{config:?}").contains("very secret"));
    assert!(ObjectFiles::s3(&config).is_ok());
    let half = S3Config {
        secret_access_key: None,
        ..config.clone()
    };
    assert!(ObjectFiles::s3(&half).is_err());
}

#[tokio::test]
async fn a_file_from_the_same_disk_is_linked_not_copied_and_can_be_stored_again() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let files = ObjectFiles::local(&dir.path().join("files")).unwrap();
    let source = dir.path().join("spooled");
    std::fs::write(&source, b"FIT bytes").unwrap();
    std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o600)).unwrap();
    let key = "fit/org_a/2026-01-17/ab12.fit";
    files.put_file(key, &source).await.unwrap();
    let stored = dir.path().join("files").join(key);
    assert_eq!(std::fs::read(&stored).unwrap(), b"FIT bytes");
    assert_eq!(
        std::fs::metadata(&stored).unwrap().ino(),
        std::fs::metadata(&source).unwrap().ino(),
        "one file on disk under two names"
    );
    // With the mode a file written there gets (the folder's, without execute bits), not
    // the spool file's own.
    let folder_mode = std::fs::metadata(dir.path().join("files"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        std::fs::metadata(&stored).unwrap().permissions().mode() & 0o777,
        folder_mode & 0o666
    );
    // The source's own name goes away, the stored file stays.
    std::fs::remove_file(&source).unwrap();
    assert_eq!(files.get(key).await.unwrap().unwrap(), b"FIT bytes");
    // Stored again over itself (the same content uploaded twice): replaced in one step,
    // nothing left beside it.
    let again = dir.path().join("again");
    std::fs::write(&again, b"FIT bytes").unwrap();
    files.put_file(key, &again).await.unwrap();
    assert_eq!(files.get(key).await.unwrap().unwrap(), b"FIT bytes");
    let beside: Vec<_> = std::fs::read_dir(stored.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["ab12.fit"]);
    // A key with other characters is copied, under the name it reads back.
    let odd = "fit/org_a/2026-01-17/a b.fit";
    files.put_file(odd, &again).await.unwrap();
    assert_eq!(files.get(odd).await.unwrap().unwrap(), b"FIT bytes");
}

#[tokio::test]
async fn a_file_from_another_file_system_is_copied() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let files = ObjectFiles::local(&dir.path().join("files")).unwrap();
    // /dev/shm is a memory file system on Linux, the temporary folder usually a disk.
    let other = tempfile::tempdir_in("/dev/shm").unwrap();
    let source = other.path().join("spooled");
    std::fs::write(&source, b"FIT bytes").unwrap();
    if std::fs::metadata(&source).unwrap().dev() == std::fs::metadata(dir.path()).unwrap().dev() {
        // Where the temporary folder is itself in memory there is no second file system
        // to copy from (CI's machines have one).
        eprintln!("the temporary folder and /dev/shm are one file system: nothing to copy");
        return;
    }
    let key = "fit/org_a/2026-01-17/cd34.fit";
    files.put_file(key, &source).await.unwrap();
    let stored = dir.path().join("files").join(key);
    assert_eq!(std::fs::read(&stored).unwrap(), b"FIT bytes");
    assert!(source.is_file(), "the source is left in place");
}
