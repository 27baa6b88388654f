use super::*;
use paceline_domain::files::{ORPHAN_AGE, remove_orphans};

fn files() -> (tempfile::TempDir, ObjectFiles) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let files = ObjectFiles::local(&dir.path().join("files")).unwrap_or_else(|e| panic!("{e}"));
    (dir, files)
}

#[tokio::test]
async fn files_round_trip_and_are_removed() {
    let (dir, files) = files();
    let key = "fit/org_a/mem_b/2026-01-17/x1.fit";
    files
        .put(key, b"FIT bytes".to_vec())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(dir.path().join("files").join(key).is_file());
    assert_eq!(
        files.get(key).await.ok().flatten(),
        Some(b"FIT bytes".to_vec())
    );
    let listed = files.list("fit/org_a").await.unwrap_or_default();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed.first().map(|f| (f.key.as_str(), f.size)),
        Some((key, 9))
    );
    files.delete(key).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(files.get(key).await.ok().flatten(), None);
    // Removing again, and reading what is not there, are not errors.
    assert!(files.delete(key).await.is_ok());
    assert!(files.list("fit").await.is_ok_and(|l| l.is_empty()));
}

#[tokio::test]
async fn keys_cannot_leave_the_folder() {
    let (_dir, files) = files();
    for key in [
        "",
        "../x.fit",
        "fit/../../x.fit",
        "fit//x.fit",
        "fit/./x.fit",
        "a\\b",
    ] {
        assert!(
            matches!(files.put(key, vec![1]).await, Err(BlobError::InvalidKey(_))),
            "{key:?}"
        );
    }
}

#[tokio::test]
async fn orphans_older_than_an_hour_are_removed() {
    let (_dir, files) = files();
    for key in ["fit/a/kept.fit", "fit/a/orphan.fit"] {
        files
            .put(key, vec![0; 4])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let now = OffsetDateTime::now_utc();
    // Fresh files are left alone: their rows may still be on the way.
    let removed = remove_orphans(&files, "fit", now, |_| async { Ok(false) }).await;
    assert_eq!(removed.ok(), Some(0));
    let later = now + ORPHAN_AGE + time::Duration::minutes(1);
    let removed = remove_orphans(&files, "fit", later, |key| async move {
        Ok(key.ends_with("kept.fit"))
    })
    .await;
    assert_eq!(removed.ok(), Some(1));
    let left: Vec<String> = files
        .list("fit")
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.key)
        .collect();
    assert_eq!(left, ["fit/a/kept.fit"]);
}
