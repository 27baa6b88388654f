//! `paceline export --email E FILE.zip`: everything of one athlete in one zip (the files
//! they uploaded and every record as the published APIs show it), written to a temporary
//! name, synced, then named; an existing file is never overwritten.

use crate::Failure;
use crate::config::Settings;
use crate::serve::open_files;
use crate::store;
use paceline_domain::Store;
use paceline_domain::email::Email;
use paceline_domain::files::BlobStore;
use paceline_domain::store::AccountStore;
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
    let email = Email::parse(email)
        .map_err(|e| Failure::refused("invalid-email", &format!("{email}: {e}")))?;
    let store = Arc::new(
        store::open(settings, 4)
            .await
            .map_err(|e| Failure::system(&e))?,
    );
    let user = store
        .find_user_by_email(&email)
        .await
        .map_err(|e| Failure::system(&e.into()))?
        .ok_or_else(|| Failure::refused("unknown-user", &format!("no user {email}")))?;
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
    let part = file.with_extension("zip.part");
    let out = std::fs::File::create(&part).map_err(|e| Failure::system(&e.into()))?;
    let written = athlete_archive(&state, user.id, &out).await;
    let summary = match written {
        Ok(summary) => summary,
        Err(error) => {
            let _ = std::fs::remove_file(&part);
            return Err(Failure::system(&anyhow::Error::new(error)));
        }
    };
    out.sync_all().map_err(|e| Failure::system(&e.into()))?;
    drop(out);
    std::fs::rename(&part, file).map_err(|e| Failure::system(&e.into()))?;
    store.close().await;
    println!(
        "Exported {} activities ({} files) and {} other records of {email} to {}.",
        summary.activities,
        summary.files,
        summary.records,
        file.display()
    );
    Ok(())
}
