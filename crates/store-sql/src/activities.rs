//! [`ActivityStore`]: activities and the external records they came from.

use crate::SqlStore;
use crate::db::{Arg, Cols, DbError, Json, Named, Tx, first};
use crate::error::constraint;
use crate::listing::{Filters, Walk, split_page};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::activities::{
    Activity, ActivityFilter, ActivityOrigin, ActivityStore, ActivityType, Detail, Figures, Leg,
    NewActivity, Recorded, SourceEntry,
};
use paceline_domain::ids::{ActivityId, MembershipId, OrgId, UserId};
use paceline_domain::listing::{Page, RecordQuery};
use serde_json::value::RawValue;
use std::collections::HashMap;
use time::OffsetDateTime;

pub(crate) struct ActivityRow {
    pub(crate) id: i64,
    user_id: i64,
    membership_id: i64,
    organization_id: i64,
    source: Named<ActivityOrigin>,
    source_name: Option<String>,
    r#type: Named<ActivityType>,
    title: Option<String>,
    started_at: OffsetDateTime,
    timezone: Option<String>,
    figures: FigureColumns,
    rpe: Option<i32>,
    load_score: Option<i32>,
    notes: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl ActivityRow {
    /// Reads the columns of [`select_activities!`], in its order.
    pub(crate) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            user_id: c.get()?,
            membership_id: c.get()?,
            organization_id: c.get()?,
            source: c.get()?,
            source_name: c.get()?,
            r#type: c.get()?,
            title: c.get()?,
            started_at: c.get()?,
            timezone: c.get()?,
            figures: FigureColumns::read(c)?,
            rpe: c.get()?,
            load_score: c.get()?,
            notes: c.get()?,
            created_at: c.get()?,
            updated_at: c.get()?,
        })
    }
}

pub(crate) struct LegRow {
    activity_id: i64,
    r#type: Named<ActivityType>,
    started_at: OffsetDateTime,
    figures: FigureColumns,
}

impl LegRow {
    /// Reads the columns of [`SELECT_LEGS`], in its order.
    pub(crate) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            activity_id: c.get()?,
            r#type: c.get()?,
            started_at: c.get()?,
            figures: FigureColumns::read(c)?,
        })
    }
}

/// The figure columns activities, legs and laps share.
pub(crate) struct FigureColumns {
    duration_sec: Option<f64>,
    distance_m: Option<f64>,
    elevation_gain_m: Option<f64>,
    avg_hr: Option<i32>,
    max_hr: Option<i32>,
    avg_power: Option<i32>,
    avg_cadence: Option<i32>,
    calories: Option<i32>,
}

impl FigureColumns {
    /// Reads `duration_sec` to `calories`, in the order of the struct.
    pub(crate) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            duration_sec: c.get()?,
            distance_m: c.get()?,
            elevation_gain_m: c.get()?,
            avg_hr: c.get()?,
            max_hr: c.get()?,
            avg_power: c.get()?,
            avg_cadence: c.get()?,
            calories: c.get()?,
        })
    }

    /// The figures, without perceived exertion and load score (an activity's own).
    pub(crate) fn figures(self) -> Figures {
        Figures {
            duration_sec: self.duration_sec,
            distance_m: self.distance_m,
            elevation_gain_m: self.elevation_gain_m,
            avg_hr: self.avg_hr,
            max_hr: self.max_hr,
            avg_power: self.avg_power,
            avg_cadence: self.avg_cadence,
            calories: self.calories,
            rpe: None,
            load_score: None,
        }
    }
}

/// An activity row of a page, and whether it has sources to read.
struct PageRow {
    activity: ActivityRow,
    has_sources: bool,
}

impl PageRow {
    /// The columns of [`activity_columns!`], then whether the activity has sources.
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            activity: ActivityRow::read(c)?,
            has_sources: c.get()?,
        })
    }
}

/// An activity from its row and its sources.
pub(crate) fn activity(
    row: ActivityRow,
    sources: Vec<SourceEntry>,
) -> Result<Activity, StoreError> {
    Ok(Activity {
        id: ActivityId(row.id),
        user_id: UserId(row.user_id),
        membership_id: MembershipId(row.membership_id),
        organization_id: OrgId(row.organization_id),
        origin: row.source.0,
        source_name: row.source_name,
        activity_type: row.r#type.0,
        title: row.title,
        started_at: row.started_at,
        timezone: row.timezone,
        figures: Figures {
            rpe: row.rpe,
            load_score: row.load_score,
            ..row.figures.figures()
        },
        notes: row.notes,
        sources,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Parses JSON text for a JSON column; the server has validated it already.
pub(crate) fn raw_payload(text: Option<&str>) -> Result<Option<Box<RawValue>>, StoreError> {
    text.map(|t| {
        RawValue::from_string(t.to_owned())
            .map_err(|e| StoreError::Other(format!("raw payload is not JSON: {e}")))
    })
    .transpose()
}

/// The columns of a [`LegRow`], for the legs of user `$1`'s activities.
pub(crate) const SELECT_LEGS: &str = "SELECT l.activity_id, l.type, l.started_at, \
     l.duration_sec, l.distance_m, l.elevation_gain_m, l.avg_hr, l.max_hr, l.avg_power, \
     l.avg_cadence, l.calories FROM activity_legs l JOIN activities a ON a.id = l.activity_id \
     WHERE a.user_id = $1";

/// Legs by activity, from rows in order of activity and position.
pub(crate) fn group_legs(rows: Vec<LegRow>) -> Result<HashMap<ActivityId, Vec<Leg>>, StoreError> {
    let mut legs: HashMap<ActivityId, Vec<Leg>> = HashMap::new();
    for row in rows {
        legs.entry(ActivityId(row.activity_id))
            .or_default()
            .push(Leg {
                activity_type: row.r#type.0,
                started_at: row.started_at,
                figures: row.figures.figures(),
            });
    }
    Ok(legs)
}

/// The columns of an [`ActivityRow`], from `activities a` joined to `memberships m`.
macro_rules! activity_columns {
    () => {
        "a.id, a.user_id, a.membership_id, m.organization_id, a.source, \
         a.source_name, a.type, a.title, a.started_at, a.timezone, a.duration_sec, \
         a.distance_m, a.elevation_gain_m, a.avg_hr, a.max_hr, a.avg_power, a.avg_cadence, \
         a.calories, a.rpe, a.load_score, a.notes, a.created_at, a.updated_at"
    };
}

/// The user `$1`'s activities that are not deleted, as `a` joined to their memberships `m`.
macro_rules! live_activities {
    () => {
        " FROM activities a JOIN memberships m ON m.id = a.membership_id \
         WHERE a.user_id = $1 AND a.deleted_at IS NULL"
    };
}

/// The columns of an [`ActivityRow`], for the user `$1`'s activities that are not deleted.
macro_rules! select_activities {
    () => {
        concat!(
            "SELECT ",
            $crate::activities::activity_columns!(),
            $crate::activities::live_activities!()
        )
    };
}

/// Inserts an activity.
pub(crate) const INSERT_ACTIVITY: &str = "INSERT INTO activities (user_id, membership_id, \
     source, source_name, client_row_id, type, title, started_at, timezone, duration_sec, \
     distance_m, elevation_gain_m, avg_hr, max_hr, avg_power, calories, rpe, load_score, \
     notes, avg_cadence, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
     $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21) RETURNING id";

/// Inserts a leg of a multisport activity.
pub(crate) const INSERT_LEG: &str = "INSERT INTO activity_legs (activity_id, position, type, \
     started_at, duration_sec, distance_m, elevation_gain_m, avg_hr, max_hr, avg_power, \
     calories, avg_cadence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Inserts an activity's source.
pub(crate) const INSERT_SOURCE: &str = "INSERT INTO activity_sources (activity_id, user_id, \
     provider, client_key, external_id, raw_payload, received_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Inserts `new`, its source if any and its legs in the transaction `tx`; the new
/// activity's key, or `Conflict("source")` when the same source is recorded already (the
/// caller rolls back). Shared by every use case that records an activity.
pub(crate) async fn insert_activity(tx: &mut Tx<'_>, new: &NewActivity) -> Result<i64, StoreError> {
    let raw = raw_payload(new.source.as_ref().and_then(|s| s.raw_payload.as_deref()))?;
    let client_key = new.source.as_ref().and_then(|s| s.client_id.as_deref());
    let f = &new.figures;
    let id: i64 = tx
        .one(
            INSERT_ACTIVITY,
            &[
                new.user_id.get().into(),
                new.membership_id.get().into(),
                new.origin.as_str().into(),
                client_key.into(),
                new.client.map(|c| c.0).into(),
                new.activity_type.as_str().into(),
                (&new.title).into(),
                new.started_at.into(),
                (&new.timezone).into(),
                f.duration_sec.into(),
                f.distance_m.into(),
                f.elevation_gain_m.into(),
                f.avg_hr.into(),
                f.max_hr.into(),
                f.avg_power.into(),
                f.calories.into(),
                f.rpe.into(),
                f.load_score.into(),
                (&new.notes).into(),
                f.avg_cadence.into(),
                new.now.into(),
            ],
            first,
        )
        .await
        .map_err(constraint("activity", "user or membership"))?;
    if let Some(source) = &new.source {
        tx.execute(
            INSERT_SOURCE,
            &[
                id.into(),
                new.user_id.get().into(),
                source.provider.as_str().into(),
                client_key.unwrap_or_default().into(),
                (&source.external_id).into(),
                raw.as_deref().into(),
                source.received_at.into(),
            ],
        )
        .await
        .map_err(constraint("source", "activity"))?;
    }
    for (position, leg) in new.legs.iter().enumerate() {
        let f = &leg.figures;
        tx.execute(
            INSERT_LEG,
            &[
                id.into(),
                i32::try_from(position).unwrap_or(i32::MAX).into(),
                leg.activity_type.as_str().into(),
                leg.started_at.into(),
                f.duration_sec.into(),
                f.distance_m.into(),
                f.elevation_gain_m.into(),
                f.avg_hr.into(),
                f.max_hr.into(),
                f.avg_power.into(),
                f.calories.into(),
                f.avg_cadence.into(),
            ],
        )
        .await?;
    }
    Ok(id)
}
pub(crate) use {activity_columns, live_activities, select_activities};

#[async_trait]
impl ActivityStore for SqlStore {
    async fn record_activity(&self, new: NewActivity) -> Result<Recorded, StoreError> {
        const EXISTING: &str = "SELECT activity_id FROM activity_sources WHERE user_id = $1 \
             AND provider = $2 AND client_key = $3 AND external_id = $4";
        let client_key = new
            .source
            .as_ref()
            .and_then(|s| s.client_id.as_deref())
            .unwrap_or_default();
        for _ in 0..2 {
            let mut tx = self.db.begin().await?;
            let existing: Option<i64> =
                match new.source.as_ref().filter(|s| s.external_id.is_some()) {
                    Some(source) => {
                        let args = [
                            new.user_id.get().into(),
                            source.provider.as_str().into(),
                            client_key.into(),
                            (&source.external_id).into(),
                        ];
                        tx.optional(EXISTING, &args, first).await?
                    }
                    None => None,
                };
            if let Some(id) = existing {
                tx.commit().await?;
                return Ok(Recorded {
                    id: ActivityId(id),
                    duplicate: true,
                });
            }
            match insert_activity(&mut tx, &new).await {
                Ok(id) => {
                    tx.commit().await?;
                    return Ok(Recorded {
                        id: ActivityId(id),
                        duplicate: false,
                    });
                }
                // Another writer recorded the same source meanwhile: roll back and answer
                // theirs.
                Err(StoreError::Conflict("source")) => tx.rollback().await?,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("source"))
    }

    async fn get_activity(
        &self,
        user: UserId,
        id: ActivityId,
    ) -> Result<Option<Activity>, StoreError> {
        const GET: &str = concat!(select_activities!(), " AND a.id = $2");
        let row = self
            .db
            .optional(
                GET,
                &[user.get().into(), id.get().into()],
                ActivityRow::read,
            )
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let sources = self
            .sources_of(user, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        activity(row, sources).map(Some)
    }

    async fn legs_of(
        &self,
        user: UserId,
        ids: &[ActivityId],
    ) -> Result<HashMap<ActivityId, Vec<Leg>>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "{SELECT_LEGS} AND l.activity_id IN ({}) ORDER BY l.activity_id, l.position",
            placeholders.join(", ")
        );
        let mut args = vec![Arg::from(user.get())];
        args.extend(ids.iter().map(|id| Arg::from(id.get())));
        group_legs(self.db.all(sql, &args, LegRow::read).await?)
    }

    async fn delete_activity(&self, user: UserId, id: ActivityId) -> Result<bool, StoreError> {
        // Legs, laps, streams and sources go with it (ON DELETE CASCADE); one made from a
        // file stays, for `delete_file` to remove with its file.
        const DELETE: &str = "DELETE FROM activities WHERE user_id = $1 AND id = $2 \
             AND NOT EXISTS (SELECT 1 FROM activity_files f WHERE f.activity_id = $2)";
        let done = self
            .db
            .execute(DELETE, &[user.get().into(), id.get().into()])
            .await?;
        Ok(done > 0)
    }

    async fn activity_detail(
        &self,
        user: UserId,
        id: ActivityId,
    ) -> Result<Option<Detail>, StoreError> {
        self.read_detail(user, id).await
    }

    async fn replace_activity_detail(
        &self,
        id: ActivityId,
        detail: &Detail,
    ) -> Result<(), StoreError> {
        self.write_detail(id, detail).await
    }

    async fn search_activities(
        &self,
        user: UserId,
        query: RecordQuery<OffsetDateTime>,
        filter: &ActivityFilter,
    ) -> Result<Page<Activity>, StoreError> {
        // Whether each activity has sources is an index probe per row of the page: most
        // have none, and the page is then one query, read in the index's order.
        const LIST: &str = concat!(
            "SELECT ",
            activity_columns!(),
            ", EXISTS (SELECT 1 FROM activity_sources s WHERE s.activity_id = a.id)",
            live_activities!()
        );
        let filters_on = |updated: &str| {
            let mut filters = Filters::new("a.started_at", updated, &query);
            if let Some(kind) = filter.activity_type {
                filters.equal("a.type", kind.as_str());
            }
            if let Some(text) = &filter.title_contains {
                filters.containing("a.title", text);
            }
            filters
        };
        let filters = filters_on("a.updated_at");
        let since = query.updated_since.is_some();
        let walk = Walk::choose(
            &self.db,
            since,
            (
                "activities a",
                &format!("a.user_id = $1 AND a.deleted_at IS NULL{}", filters.sql),
                "a.updated_at",
            ),
            &filters.args(user),
        )
        .await?;
        let filters = if walk.keeps_change_time_off_its_index(&self.db, since) {
            filters_on("+a.updated_at")
        } else {
            filters
        };
        // One row more than asked, to know whether another page follows.
        let sql = if walk == Walk::FewChanges {
            // A sync with few changes finds its page apart, as `Walk::FewChanges` says.
            format!(
                "WITH changed AS MATERIALIZED (SELECT a.id, a.started_at FROM activities a \
                 WHERE a.user_id = $1 AND a.deleted_at IS NULL{}), page AS MATERIALIZED \
                 (SELECT id FROM changed{}) SELECT {} FROM page p \
                 JOIN activities a ON a.id = p.id JOIN memberships m ON m.id = a.membership_id \
                 ORDER BY a.started_at DESC, a.id DESC",
                filters.sql,
                Filters::page("changed.started_at DESC, changed.id DESC", &query),
                concat!(
                    activity_columns!(),
                    ", EXISTS (SELECT 1 FROM activity_sources s WHERE s.activity_id = a.id)"
                )
            )
        } else {
            format!(
                "{LIST}{}{}",
                filters.sql,
                Filters::page("a.started_at DESC, a.id DESC", &query)
            )
        };
        let rows = self.db.all(sql, &filters.args(user), PageRow::read).await?;
        let (rows, has_next) = split_page(rows, &query);
        let with_sources: Vec<i64> = rows
            .iter()
            .filter(|row| row.has_sources)
            .map(|row| row.activity.id)
            .collect();
        let mut sources = self.sources_of(user, &with_sources).await?;
        let grouped: Vec<(ActivityRow, Vec<SourceEntry>)> = rows
            .into_iter()
            .map(|row| {
                let own = sources.remove(&row.activity.id).unwrap_or_default();
                (row.activity, own)
            })
            .collect();
        let items = grouped
            .into_iter()
            .map(|(row, sources)| activity(row, sources))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Page { items, has_next })
    }
}

impl SqlStore {
    /// The sources of the given activities of `user`, by activity, oldest first.
    pub(crate) async fn sources_of(
        &self,
        user: UserId,
        ids: &[i64],
    ) -> Result<HashMap<i64, Vec<SourceEntry>>, StoreError> {
        let mut out: HashMap<i64, Vec<SourceEntry>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        // Only placeholders are spliced into the text; every value is bound.
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT activity_id, provider, client_key, external_id, raw_payload, received_at \
             FROM activity_sources WHERE user_id = $1 AND activity_id IN ({}) ORDER BY id",
            placeholders.join(", ")
        );
        let mut args = vec![Arg::from(user.get())];
        args.extend(ids.iter().map(|&id| Arg::from(id)));
        let rows = self
            .db
            .all(sql, &args, |c| {
                let activity: i64 = c.get()?;
                let provider = c.get()?;
                let client_key: String = c.get()?;
                Ok((
                    activity,
                    SourceEntry {
                        provider,
                        client_id: (!client_key.is_empty()).then_some(client_key),
                        external_id: c.get()?,
                        raw_payload: c.get::<Option<Json>>()?.map(Json::into_string),
                        received_at: c.get()?,
                    },
                ))
            })
            .await?;
        for (activity, source) in rows {
            out.entry(activity).or_default().push(source);
        }
        Ok(out)
    }
}
