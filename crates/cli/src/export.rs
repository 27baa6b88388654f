//! `paceline export --email E FILE.zip`: everything of one athlete in one zip (the files
//! they uploaded and every record as the published APIs show it), written to a temporary
//! name, synced, then named; an existing file is never overwritten.

use crate::Failure;
use crate::config::Settings;
use crate::durable::sync_folder_of;
use crate::serve::open_files;
use crate::store;
use paceline_domain::Store;
use paceline_domain::files::BlobStore;
use paceline_server::AppState;
use paceline_server::export::athlete_archive;
use std::path::Path;
use std::sync::Arc;

pub(crate) async fn run(settings: &Settings, email: &str, file: &Path) -> Result<(), Failure> {
    if file.exists() {
        return Err(Failure::refused(
            "file-exists",
            &format!("{} exists; name a new file", file.display()),
        ));
    }
    let store = Arc::new(
        store::open(settings, 4)
            .await
            .map_err(|e| Failure::system(&e))?,
    );
    let user = store::user_by_email(&store, email).await?;
    let files: Arc<dyn BlobStore> = Arc::new(
        open_files(&settings.files)
            .await
            .map_err(|e| Failure::system(&e))?,
    );
    let issuer = settings.issuer(settings.listen);
    let state = AppState::new(
        store.clone() as Arc<dyn Store>,
        settings.oauth.settings(issuer),
    )
    .with_files(files);
    // Written beside its name, synced, then linked to it, which fails rather than replace a
    // file that appeared meanwhile; the temporary name goes whatever happens.
    let part = file.with_extension("zip.part");
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&part)
        .map_err(|e| Failure::system(&anyhow::anyhow!("cannot create {}: {e}", part.display())))?;
    let written = match athlete_archive(&state, user.id, &out).await {
        Ok(summary) => out
            .sync_all()
            .and_then(|()| std::fs::hard_link(&part, file))
            .and_then(|()| sync_folder_of(file))
            .map(|()| summary)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display())),
        Err(error) => Err(anyhow::Error::new(error)),
    };
    drop(out);
    let _ = std::fs::remove_file(&part);
    store.close().await;
    let summary = written.map_err(|e| Failure::system(&e))?;
    println!(
        "Exported {} activities ({} files) and {} other records of {email} to {}.",
        summary.activities,
        summary.files,
        summary.records,
        file.display()
    );
    Ok(())
}
