//! An activity's laps (`activity_laps`) and record streams (`activity_streams`): written
//! with the activity in its import's transaction, replaced whole when a kept file is
//! reprocessed, read back by the activity's owner.

use crate::SqlStore;
use crate::activities::FigureColumns;
use crate::db::{Cols, DbError, Tx, first};
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

/// Inserts the laps and record streams of the activity `id` in the transaction `tx`.
pub(crate) async fn insert_detail(
    tx: &mut Tx<'_>,
    id: i64,
    detail: &Detail,
) -> Result<(), StoreError> {
    for (position, lap) in detail.laps.iter().enumerate() {
        let f = &lap.figures;
        tx.execute(
            INSERT_LAP,
            &[
                id.into(),
                i32::try_from(position).unwrap_or(i32::MAX).into(),
                i32::try_from(lap.leg).unwrap_or(i32::MAX).into(),
                lap.started_at.into(),
                f.duration_sec.into(),
                lap.timer_sec.into(),
                f.distance_m.into(),
                f.elevation_gain_m.into(),
                f.avg_hr.into(),
                f.max_hr.into(),
                f.avg_power.into(),
                f.avg_cadence.into(),
                f.calories.into(),
            ],
        )
        .await?;
    }
    let streams = &detail.streams;
    tx.execute(
        INSERT_STREAMS,
        &[
            id.into(),
            streams.encoding.as_str().into(),
            i32::try_from(streams.points).unwrap_or(i32::MAX).into(),
            streams.data.as_slice().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Reads `leg_position, started_at, timer_sec`, then the figure columns.
fn lap(c: &mut Cols<'_>) -> Result<Lap, DbError> {
    let leg: Option<i32> = c.get()?;
    Ok(Lap {
        leg: leg.and_then(|leg| usize::try_from(leg).ok()).unwrap_or(0),
        started_at: c.get()?,
        timer_sec: c.get()?,
        figures: FigureColumns::read(c)?.figures(),
    })
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
        const LAPS: &str = "SELECT l.leg_position, l.started_at, l.timer_sec, l.duration_sec, \
             l.distance_m, l.elevation_gain_m, l.avg_hr, l.max_hr, l.avg_power, l.avg_cadence, \
             l.calories FROM activity_laps l WHERE l.activity_id = $1 ORDER BY l.position";
        let mut reader = self.db.reader().await?;
        let streams: Option<(String, i32, Vec<u8>)> = reader
            .optional(STREAMS, &[user.get().into(), id.get().into()], |c| {
                Ok((c.get()?, c.get()?, c.get()?))
            })
            .await?;
        // The streams' row shows the activity is the user's: only then its laps.
        let laps = match &streams {
            Some(_) => reader.all(LAPS, &[id.get().into()], lap).await?,
            None => Vec::new(),
        };
        drop(reader);
        Ok(streams.map(|(encoding, points, data)| Detail {
            laps,
            streams: StoredStreams {
                encoding,
                points: u32::try_from(points).unwrap_or(0),
                data,
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
        let mut tx = self.db.begin().await?;
        let found: Option<i64> = tx.optional(EXISTS, &[id.get().into()], first).await?;
        if found.is_none() {
            return Err(StoreError::NotFound("activity"));
        }
        for delete in [DELETE_LAPS, DELETE_STREAMS] {
            tx.execute(delete, &[id.get().into()]).await?;
        }
        insert_detail(&mut tx, id.get(), detail).await?;
        tx.commit().await?;
        Ok(())
    }
}
