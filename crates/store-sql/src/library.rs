//! [`LibraryStore`]: a coach's library of workouts, kept as text.

use crate::db_time::DbTime;
use crate::error::{constraint, other};
use crate::{SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::ids::UserId;
use paceline_domain::workouts::WorkoutSport;
use paceline_domain::workouts::library::{LibraryId, LibraryStore, LibraryValues, LibraryWorkout};
use time::OffsetDateTime;

// The columns a library workout is read by, spliced into literal SQL.
macro_rules! library_columns {
    () => {
        "id, owner_id, name, sport, description, text, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
struct LibraryRow {
    id: i64,
    owner_id: i64,
    name: String,
    sport: String,
    description: String,
    text: String,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<LibraryRow> for LibraryWorkout {
    type Error = StoreError;

    fn try_from(row: LibraryRow) -> Result<Self, StoreError> {
        let sport = WorkoutSport::from_name(&row.sport).ok_or_else(|| {
            StoreError::Other(format!("library workout {}: sport `{}`", row.id, row.sport))
        })?;
        Ok(Self {
            id: LibraryId(row.id),
            owner: UserId(row.owner_id),
            values: LibraryValues {
                name: row.name,
                sport,
                description: row.description,
                text: row.text,
            },
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
        })
    }
}

#[async_trait]
impl LibraryStore for SqlStore {
    async fn create_library_workout(
        &self,
        owner: UserId,
        values: &LibraryValues,
        now: OffsetDateTime,
    ) -> Result<LibraryWorkout, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO workout_library (owner_id, name, sport, description, text, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ",
            library_columns!()
        );
        let row = on_writer!(self, pool => sqlx::query_as::<_, LibraryRow>(SQL)
            .bind(owner.get())
            .bind(&values.name)
            .bind(values.sport.name())
            .bind(&values.description)
            .bind(&values.text)
            .bind(DbTime(now))
            .fetch_one(pool)
            .await
            .map_err(constraint("library workout", "user"))?);
        row.try_into()
    }

    async fn library_of(&self, owner: UserId) -> Result<Vec<LibraryWorkout>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            library_columns!(),
            " FROM workout_library WHERE owner_id = $1 ORDER BY name, id"
        );
        let rows = on_pool!(self, pool => sqlx::query_as::<_, LibraryRow>(SQL)
            .bind(owner.get())
            .fetch_all(pool)
            .await
            .map_err(other)?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn get_library_workout(
        &self,
        owner: UserId,
        id: LibraryId,
    ) -> Result<Option<LibraryWorkout>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            library_columns!(),
            " FROM workout_library WHERE owner_id = $1 AND id = $2"
        );
        let row = on_pool!(self, pool => sqlx::query_as::<_, LibraryRow>(SQL)
            .bind(owner.get())
            .bind(id.0)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        row.map(TryInto::try_into).transpose()
    }

    async fn update_library_workout(
        &self,
        owner: UserId,
        id: LibraryId,
        values: &LibraryValues,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE workout_library SET name = $3, sport = $4, description = $5, \
             text = $6, updated_at = $7 WHERE owner_id = $1 AND id = $2";
        let changed = on_writer!(self, pool => sqlx::query(SQL)
            .bind(owner.get())
            .bind(id.0)
            .bind(&values.name)
            .bind(values.sport.name())
            .bind(&values.description)
            .bind(&values.text)
            .bind(DbTime(now))
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(changed == 1)
    }

    async fn delete_library_workout(
        &self,
        owner: UserId,
        id: LibraryId,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM workout_library WHERE owner_id = $1 AND id = $2";
        let deleted = on_writer!(self, pool => sqlx::query(SQL)
            .bind(owner.get())
            .bind(id.0)
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(deleted == 1)
    }
}
