//! [`LibraryStore`]: a coach's library of workouts, kept as text.

use crate::SqlStore;
use crate::db::{Cols, DbError};
use crate::error::constraint;
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

struct LibraryRow {
    id: i64,
    owner_id: i64,
    name: String,
    sport: String,
    description: String,
    text: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl LibraryRow {
    /// Reads the columns of [`library_columns!`], in its order.
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            owner_id: c.get()?,
            name: c.get()?,
            sport: c.get()?,
            description: c.get()?,
            text: c.get()?,
            created_at: c.get()?,
            updated_at: c.get()?,
        })
    }
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
            created_at: row.created_at,
            updated_at: row.updated_at,
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
        let args = [
            owner.get().into(),
            values.name.as_str().into(),
            values.sport.name().into(),
            values.description.as_str().into(),
            values.text.as_str().into(),
            now.into(),
        ];
        self.db
            .returning(SQL, &args, LibraryRow::read)
            .await
            .map_err(constraint("library workout", "user"))?
            .try_into()
    }

    async fn library_of(&self, owner: UserId) -> Result<Vec<LibraryWorkout>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            library_columns!(),
            " FROM workout_library WHERE owner_id = $1 ORDER BY name, id"
        );
        let rows = self
            .db
            .all(SQL, &[owner.get().into()], LibraryRow::read)
            .await?;
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
        let row = self
            .db
            .optional(SQL, &[owner.get().into(), id.0.into()], LibraryRow::read)
            .await?;
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
        let args = [
            owner.get().into(),
            id.0.into(),
            values.name.as_str().into(),
            values.sport.name().into(),
            values.description.as_str().into(),
            values.text.as_str().into(),
            now.into(),
        ];
        let changed = self.db.execute(SQL, &args).await?;
        Ok(changed == 1)
    }

    async fn delete_library_workout(
        &self,
        owner: UserId,
        id: LibraryId,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM workout_library WHERE owner_id = $1 AND id = $2";
        let deleted = self
            .db
            .execute(SQL, &[owner.get().into(), id.0.into()])
            .await?;
        Ok(deleted == 1)
    }
}
