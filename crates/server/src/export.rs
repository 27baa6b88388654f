//! Everything of one athlete in one zip, so that they can leave with their data: the files
//! they uploaded, as they uploaded them, and every record as the two published APIs show it
//! (the same JSON a client of either API reads). The records are read through the server's
//! own routes, in-process, under a read-only grant that exists only for this: no token is
//! made and nothing is counted or marked as seen.
//!
//! `paceline import` reads the archive back: its `files/` are activity files (activities
//! entered without a file are in `activities.json` only).

use crate::AppState;
use crate::api::xhale::messages::MessageItem;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use paceline_domain::ids::{ActivityId, UserId};
use paceline_domain::messaging::{self, ConversationQuery, Reading};
use paceline_domain::oauth::Scope;
use paceline_domain::oauth::bearer::AccessGrant;
use paceline_domain::oauth::client::ClientKey;
use paceline_domain::oauth::store::TokenId;
use serde_json::Value;
use std::io::{Seek, Write};
use tower::Service;
use zip::write::SimpleFileOptions;

/// A grant the API's extractors accept from inside the process (a request extension, which
/// no client can send), for the export's reads.
#[derive(Debug, Clone)]
pub(crate) struct InProcess(pub(crate) AccessGrant);

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Activities listed.
    pub activities: usize,
    /// Files stored in the archive.
    pub files: usize,
    /// Records of other kinds (health days, sessions, races, workouts, messages).
    pub records: usize,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A read through the API failed.
    #[error("reading {path}: {status}: {body}")]
    Read {
        /// The route.
        path: String,
        /// Its status.
        status: StatusCode,
        /// Its body.
        body: String,
    },
    /// The database or the files failed.
    #[error("{0}")]
    Storage(String),
    /// The archive could not be written.
    #[error("writing the archive: {0}")]
    Archive(String),
}

fn archive(error: impl std::fmt::Display) -> ExportError {
    ExportError::Archive(error.to_string())
}

fn storage(error: impl std::fmt::Display) -> ExportError {
    ExportError::Storage(error.to_string())
}

/// Reads through the server's routes as the athlete, with every read scope.
struct Reader {
    app: axum::Router,
    grant: AccessGrant,
}

impl Reader {
    async fn get(&mut self, path: &str) -> Result<Value, ExportError> {
        let mut request = Request::get(path).body(Body::empty()).map_err(storage)?;
        request
            .extensions_mut()
            .insert(InProcess(self.grant.clone()));
        std::future::poll_fn(|cx| {
            <axum::Router as Service<Request<Body>>>::poll_ready(&mut self.app, cx)
        })
        .await
        .map_err(storage)?;
        let response = self.app.call(request).await.map_err(storage)?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(storage)?;
        if !status.is_success() {
            return Err(ExportError::Read {
                path: path.to_owned(),
                status,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
        serde_json::from_slice(&bytes).map_err(storage)
    }

    /// Every item of a Train it All list, page after page.
    async fn all_pages(&mut self, path: &str) -> Result<Vec<Value>, ExportError> {
        let mut items = Vec::new();
        for page in 1.. {
            let body = self
                .get(&format!("{path}?per_page=200&page={page}"))
                .await?;
            if let Some(Value::Array(found)) = body.get("items") {
                items.extend(found.iter().cloned());
            }
            if body.pointer("/pagination/hasNextPage") != Some(&Value::Bool(true)) {
                break;
            }
        }
        Ok(items)
    }

    /// The live records of an Xhale calendar list (every season; deleted ones left out).
    async fn calendar(&mut self, path: &str) -> Result<Vec<Value>, ExportError> {
        let body = self
            .get(&format!(
                "{path}?updated_since_datetime=1970-01-01T00:00:00"
            ))
            .await?;
        Ok(match body {
            Value::Array(items) => items
                .into_iter()
                .filter(|item| item.get("deleted") != Some(&Value::Bool(true)))
                .collect(),
            _ => Vec::new(),
        })
    }
}

/// Writes the archive of `user` to `out`.
pub async fn athlete_archive(
    state: &AppState,
    user: UserId,
    out: impl Write + Seek,
) -> Result<ExportSummary, ExportError> {
    let reads = [
        Scope::ProfileRead,
        Scope::ActivitiesRead,
        Scope::BodyMetricsRead,
        Scope::SleepRead,
        Scope::NutritionRead,
        Scope::WellnessRead,
        Scope::Read,
    ];
    let mut reader = Reader {
        app: crate::router(state.clone()),
        grant: AccessGrant {
            user_id: user,
            client: ClientKey(0),
            client_id: "paceline-export".to_owned(),
            scopes: reads.into_iter().collect(),
            token: TokenId(0),
        },
    };
    let mut zip = zip::ZipWriter::new(out);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let put_json = |zip: &mut zip::ZipWriter<_>, name: &str, value: &Value| {
        zip.start_file(name, options).map_err(archive)?;
        let text = serde_json::to_vec_pretty(value).map_err(archive)?;
        zip.write_all(&text).map_err(archive)
    };
    let mut summary = ExportSummary::default();

    zip.start_file("README.txt", options).map_err(archive)?;
    zip.write_all(README.as_bytes()).map_err(archive)?;
    put_json(
        &mut zip,
        "profile.json",
        &reader.get("/api/external/v1/profile").await?,
    )?;
    let activities = reader.all_pages("/api/external/v1/activities").await?;
    summary.activities = activities.len();
    zip.start_file("activities.json", options)
        .map_err(archive)?;
    zip.write_all(&serde_json::to_vec_pretty(&activities).map_err(archive)?)
        .map_err(archive)?;
    for kind in [
        "body-metrics",
        "sleep-days",
        "nutrition-days",
        "daily-wellness",
    ] {
        let records = reader
            .all_pages(&format!("/api/external/v1/{kind}"))
            .await?;
        summary.records += records.len();
        put_json(&mut zip, &format!("{kind}.json"), &Value::Array(records))?;
    }
    put_json(
        &mut zip,
        "xhale/user.json",
        &reader.get("/api/users/current/").await?,
    )?;
    for kind in ["sessions", "races", "workouts"] {
        let records = reader.calendar(&format!("/api/{kind}/")).await?;
        summary.records += records.len();
        put_json(
            &mut zip,
            &format!("xhale/{kind}.json"),
            &Value::Array(records),
        )?;
    }
    let contacts = reader.get("/api/contacts/").await?;
    put_json(&mut zip, "xhale/contacts.json", &contacts)?;
    for contact in contacts.as_array().into_iter().flatten() {
        let Some(id) = contact.get("id").and_then(Value::as_i64) else {
            continue;
        };
        let messages = conversation(state, user, UserId(id)).await?;
        summary.records += messages.len();
        put_json(
            &mut zip,
            &format!("xhale/messages/{id}.json"),
            &Value::Array(messages),
        )?;
    }
    // The uploaded files, as they came, named by the day of their activity.
    let mut listed = Vec::new();
    for activity in &activities {
        let Some(public) = activity.get("id").and_then(Value::as_str) else {
            continue;
        };
        let Some(id) = ActivityId::from_public(public) else {
            continue;
        };
        let Some(kept) = state
            .store
            .file_of_activity(user, id)
            .await
            .map_err(storage)?
        else {
            continue;
        };
        let Some(bytes) = state
            .files
            .get(&kept.file.storage_key)
            .await
            .map_err(storage)?
        else {
            return Err(ExportError::Storage(format!(
                "the file {} is missing from the storage",
                kept.file.storage_key
            )));
        };
        let stem = kept
            .file
            .storage_key
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let day = activity
            .get("startedAt")
            .and_then(Value::as_str)
            .and_then(|at| at.get(..10))
            .map_or_else(|| kept.created_at.date().to_string(), str::to_owned);
        let name = format!("files/{day}-{stem}");
        zip.start_file(&name, options).map_err(archive)?;
        zip.write_all(&bytes).map_err(archive)?;
        listed.push(serde_json::json!({
            "file": name,
            "activity": public,
            "original_name": kept.file.original_name,
            "format": kept.file.format.as_str(),
            "sha256": kept.file.sha256,
            "size_bytes": kept.file.size_bytes,
        }));
        summary.files += 1;
    }
    put_json(&mut zip, "files.json", &Value::Array(listed))?;
    zip.finish().map_err(archive)?;
    Ok(summary)
}

/// The whole conversation with `contact`, oldest first, read without marking anything seen.
async fn conversation(
    state: &AppState,
    me: UserId,
    contact: UserId,
) -> Result<Vec<Value>, ExportError> {
    let mut all: Vec<Value> = Vec::new();
    let mut query = ConversationQuery::default();
    loop {
        let page = messaging::conversation(
            state.store.as_ref(),
            state.clock.as_ref(),
            me,
            contact,
            query,
            Reading::Peeks,
        )
        .await
        .map_err(storage)?;
        let Some(oldest) = page.first().map(|m| m.id) else {
            break;
        };
        let full = page.len() as u32 >= query.limit;
        let mut older: Vec<Value> = page
            .iter()
            .map(|m| serde_json::to_value(MessageItem::from(m)).unwrap_or(Value::Null))
            .collect();
        older.append(&mut all);
        all = older;
        if !full {
            break;
        }
        query = ConversationQuery {
            before: Some(oldest),
            ..query
        };
    }
    Ok(all)
}

const README: &str = "\
Your training data, exported from Paceline.

files/            the activity files you uploaded, as they came (FIT, TCX, GPX), named by
                  the day of their activity; files.json lists each with its activity and
                  the name it was uploaded under.
activities.json   every activity, as the Train it All API v1 shows it.
profile.json      your profile.
body-metrics.json, sleep-days.json, nutrition-days.json, daily-wellness.json
                  your health records, as the Train it All API v1 shows them.
xhale/            your training calendar (sessions, races, workouts), your contacts and
                  your messages, as the Xhale Athlete API shows them.

To bring your activities into another Paceline installation:
    paceline import --email you@example.com this-file.zip
";
