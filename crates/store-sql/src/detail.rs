//! An activity's laps (`activity_laps`) and record streams (`activity_streams`): written
//! with the activity in its import's transaction, replaced whole when a kept file is
//! reprocessed, read back by the activity's owner.

use crate::activities::FigureColumns;
use crate::db_time::DbTime;
use crate::error::other;
use crate::{BeginWrite, SqlStore, on_pool, on_writer};
use paceline_domain::StoreError;
use paceline_domain::activities::{Detail, Lap, StoredStreams};
use paceline_domain::ids::{ActivityId, UserId};

/// Inserts a lap.
pub(crate) const INSERT_LAP: &str = "INSERT INTO activity_laps (activity_id, position, \
     leg_position, started_at, duration_sec, timer_sec, distance_m, elevation_gain_m, avg_hr, \
     max_hr, avg_power, avg_cadence, calories) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// Inserts the record streams.
pub(crate) const INSERT_STREAMS: &str = "INSERT INTO activity_streams (activity_id, encoding, \
     point_count, data) VALUES ($1, $2, $3, $4)";

/// Inserts the [`Detail`] `$detail` of the activity `$id` (an `i64`) in the open
/// transaction `$tx` (either engine's); evaluates to `Result<(), StoreError>`.
macro_rules! insert_detail {
    ($tx:ident, $id:expr, $detail:expr) => {
        async {
            let id: i64 = $id;
            let detail: &::paceline_domain::activities::Detail = $detail;
            for (position, lap) in detail.laps.iter().enumerate() {
                let f = &lap.figures;
                ::sqlx::query($crate::detail::INSERT_LAP)
                    .bind(id)
                    .bind(i32::try_from(position).unwrap_or(i32::MAX))
                    .bind(i32::try_from(lap.leg).unwrap_or(i32::MAX))
                    .bind($crate::db_time::DbTime(lap.started_at))
                    .bind(f.duration_sec)
                    .bind(lap.timer_sec)
                    .bind(f.distance_m)
                    .bind(f.elevation_gain_m)
                    .bind(f.avg_hr)
                    .bind(f.max_hr)
                    .bind(f.avg_power)
                    .bind(f.avg_cadence)
                    .bind(f.calories)
                    .execute(&mut *$tx)
                    .await
                    .map_err($crate::error::other)?;
            }
            ::sqlx::query($crate::detail::INSERT_STREAMS)
                .bind(id)
                .bind(&detail.streams.encoding)
                .bind(i32::try_from(detail.streams.points).unwrap_or(i32::MAX))
                .bind(detail.streams.data.as_slice())
                .execute(&mut *$tx)
                .await
                .map_err($crate::error::other)?;
            Ok::<(), ::paceline_domain::StoreError>(())
        }
        .await
    };
}
pub(crate) use insert_detail;

#[derive(sqlx::FromRow)]
struct LapRow {
    leg_position: Option<i32>,
    started_at: DbTime,
    timer_sec: Option<f64>,
    #[sqlx(flatten)]
    figures: FigureColumns,
}

impl From<LapRow> for Lap {
    fn from(row: LapRow) -> Self {
        Self {
            leg: row
                .leg_position
                .and_then(|leg| usize::try_from(leg).ok())
                .unwrap_or(0),
            started_at: row.started_at.0,
            timer_sec: row.timer_sec,
            figures: row.figures.figures(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct StreamsRow {
    encoding: String,
    point_count: i32,
    data: Vec<u8>,
}

impl SqlStore {
    /// [`ActivityStore::activity_detail`](paceline_domain::activities::ActivityStore).
    pub(crate) async fn read_detail(
        &self,
        user: UserId,
        id: ActivityId,
    ) -> Result<Option<Detail>, StoreError> {
        const STREAMS: &str = "SELECT s.encoding, s.point_count, s.data FROM activity_streams s \
             JOIN activities a ON a.id = s.activity_id \
             WHERE a.user_id = $1 AND a.id = $2 AND a.deleted_at IS NULL";
        const LAPS: &str = "SELECT l.leg_position, l.started_at, l.duration_sec, l.timer_sec, \
             l.distance_m, l.elevation_gain_m, l.avg_hr, l.max_hr, l.avg_power, l.avg_cadence, \
             l.calories FROM activity_laps l WHERE l.activity_id = $1 ORDER BY l.position";
        let (streams, laps) = on_pool!(self, pool => {
            let streams = sqlx::query_as::<_, StreamsRow>(STREAMS)
                .bind(user.get())
                .bind(id.get())
                .fetch_optional(pool)
                .await
                .map_err(other)?;
            // The streams' row shows the activity is the user's: only then its laps.
            let laps = match &streams {
                Some(_) => sqlx::query_as::<_, LapRow>(LAPS)
                    .bind(id.get())
                    .fetch_all(pool)
                    .await
                    .map_err(other)?,
                None => Vec::new(),
            };
            (streams, laps)
        });
        Ok(streams.map(|row| Detail {
            laps: laps.into_iter().map(Lap::from).collect(),
            streams: StoredStreams {
                encoding: row.encoding,
                points: u32::try_from(row.point_count).unwrap_or(0),
                data: row.data,
            },
        }))
    }

    /// [`ActivityStore::replace_activity_detail`](paceline_domain::activities::ActivityStore).
    pub(crate) async fn write_detail(
        &self,
        id: ActivityId,
        detail: &Detail,
    ) -> Result<(), StoreError> {
        const EXISTS: &str = "SELECT id FROM activities WHERE id = $1";
        const DELETE_LAPS: &str = "DELETE FROM activity_laps WHERE activity_id = $1";
        const DELETE_STREAMS: &str = "DELETE FROM activity_streams WHERE activity_id = $1";
        on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let found = sqlx::query_scalar::<_, i64>(EXISTS)
                .bind(id.get())
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
            if found.is_none() {
                tx.rollback().await.map_err(other)?;
                return Err(StoreError::NotFound("activity"));
            }
            for delete in [DELETE_LAPS, DELETE_STREAMS] {
                sqlx::query(delete)
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
            }
            insert_detail!(tx, id.get(), detail)?;
            tx.commit().await.map_err(other)?;
        });
        Ok(())
    }
}
