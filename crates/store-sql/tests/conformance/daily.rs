//! Daily records on both engines: body metrics, sleep, nutrition and wellness days written by
//! upsert on their keys, kept per athlete (and per client where the key says so), listed
//! newest first with pages and filters.
//!
//! Here the helpers the tests share; the tests beside it: `round_trips` (each kind, upserted
//! on its key), `lists` (whose records, newest first, paged and filtered), `writes`
//! (concurrent upserts, a missing membership).

mod lists;
mod round_trips;
mod writes;

use paceline_domain::activities::ActivityOrigin;
use paceline_domain::daily::{Attribution, NewRecord, Record, WritingClient};
use paceline_domain::entities::Membership;
use paceline_domain::listing::RecordQuery;
use paceline_domain::oauth::client::OAuthClient;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-02-03 07:15:30.123456 UTC);
const DAY: Date = date!(2026 - 02 - 02);
const PAYLOAD: &str = r#"{"device": "ring", "hrv": [41, 44.5], "nested": {"ok": true}}"#;

/// A record written by `athlete`, through `client` if any.
fn written<K, V>(
    athlete: &Membership,
    client: Option<&OAuthClient>,
    key: K,
    values: V,
    now: OffsetDateTime,
) -> NewRecord<K, V> {
    NewRecord {
        by: Attribution {
            user_id: athlete.user_id,
            membership_id: athlete.id,
            client: client.map(|c| WritingClient {
                key: c.key,
                client_id: c.client_id.clone(),
            }),
        },
        key,
        values,
        external_id: Some("ext-1".into()),
        raw_payload: Some(PAYLOAD.into()),
        now,
    }
}

/// Checks what every record keeps besides its key and values.
fn assert_filed<Id, K, V>(
    record: &Record<Id, K, V>,
    athlete: &Membership,
    client: Option<&OAuthClient>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
) {
    assert_eq!(
        (record.user_id, record.membership_id, record.organization_id),
        (athlete.user_id, athlete.id, athlete.organization_id)
    );
    let (origin, name) = match client {
        Some(c) => (ActivityOrigin::External, Some(c.client_id.as_str())),
        None => (ActivityOrigin::Manual, None),
    };
    assert_eq!(
        (record.origin, record.source_name.as_deref()),
        (origin, name)
    );
    assert_eq!(
        (record.created_at, record.updated_at),
        (created_at, updated_at)
    );
}

fn json(text: Option<&str>) -> serde_json::Value {
    serde_json::from_str(text.unwrap()).unwrap()
}

fn all<K>() -> RecordQuery<K> {
    RecordQuery::page(1, 200)
}
