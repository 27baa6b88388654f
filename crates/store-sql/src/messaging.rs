//! [`MessageStore`]: messages between coaches and athletes.

use crate::db_time::DbTime;
use crate::error::{constraint, other};
use crate::{SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::ids::UserId;
use paceline_domain::messaging::{ConversationQuery, Message, MessageId, MessageStore, NewMessage};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

// A column list as a macro, so that `concat!` can splice it into literal SQL.
macro_rules! message_columns {
    () => {
        "id, sender_user_id, recipient_user_id, content, sent_at, updated_at, seen_at"
    };
}

/// Most message ids bound in one `mark_seen` statement; larger sets take several.
const MARK_BATCH: usize = 500;

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    sender_user_id: i64,
    recipient_user_id: i64,
    content: String,
    sent_at: DbTime,
    updated_at: DbTime,
    seen_at: Option<DbTime>,
}

impl From<MessageRow> for Message {
    fn from(row: MessageRow) -> Self {
        Self {
            id: MessageId(row.id),
            sender: UserId(row.sender_user_id),
            recipient: UserId(row.recipient_user_id),
            content: row.content,
            sent_at: row.sent_at.0,
            updated_at: row.updated_at.0,
            seen_at: row.seen_at.map(|at| at.0),
        }
    }
}

/// `UPDATE ... WHERE id IN ($3, $4, ...)` for `n` ids: only placeholders are written into
/// the text, every id is bound.
fn mark_seen_sql(n: usize) -> String {
    let placeholders: Vec<String> = (0..n).map(|i| format!("${}", i + 3)).collect();
    format!(
        "UPDATE messages SET seen_at = COALESCE(seen_at, $1) \
         WHERE recipient_user_id = $2 AND id IN ({}) RETURNING id, seen_at",
        placeholders.join(", ")
    )
}

#[async_trait]
impl MessageStore for SqlStore {
    async fn insert_message(&self, new: &NewMessage) -> Result<Message, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO messages (sender_user_id, recipient_user_id, content, sent_at, \
             updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING ",
            message_columns!()
        );
        let row = on_writer!(self, pool => sqlx::query_as::<_, MessageRow>(SQL)
            .bind(new.sender.get())
            .bind(new.recipient.get())
            .bind(new.content.as_str())
            .bind(DbTime(new.now))
            .fetch_one(pool)
            .await
            .map_err(constraint("message", "user"))?);
        Ok(row.into())
    }

    async fn conversation(
        &self,
        a: UserId,
        b: UserId,
        query: ConversationQuery,
    ) -> Result<Vec<Message>, StoreError> {
        // One index range per direction, each cut to the page before they are merged, so a
        // page costs the same however long the conversation.
        const SQL: &str = concat!(
            "SELECT ",
            message_columns!(),
            " FROM (SELECT ",
            message_columns!(),
            " FROM messages WHERE sender_user_id = $1 AND recipient_user_id = $2 AND id < $3 \
             ORDER BY id DESC LIMIT $4) AS sent \
             UNION ALL SELECT ",
            message_columns!(),
            " FROM (SELECT ",
            message_columns!(),
            " FROM messages WHERE sender_user_id = $2 AND recipient_user_id = $1 AND id < $3 \
             ORDER BY id DESC LIMIT $4) AS received \
             ORDER BY id DESC LIMIT $4"
        );
        let before = query.before.map_or(i64::MAX, MessageId::get);
        let rows = on_pool!(self, pool => sqlx::query_as::<_, MessageRow>(SQL)
            .bind(a.get())
            .bind(b.get())
            .bind(before)
            .bind(i64::from(query.limit))
            .fetch_all(pool)
            .await
            .map_err(other)?);
        Ok(rows.into_iter().rev().map(Message::from).collect())
    }

    async fn message_between(
        &self,
        a: UserId,
        b: UserId,
        id: MessageId,
    ) -> Result<Option<Message>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE id = $1 AND \
             ((sender_user_id = $2 AND recipient_user_id = $3) \
             OR (sender_user_id = $3 AND recipient_user_id = $2))"
        );
        let row = on_pool!(self, pool => sqlx::query_as::<_, MessageRow>(SQL)
            .bind(id.get())
            .bind(a.get())
            .bind(b.get())
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(row.map(Message::from))
    }

    async fn mark_seen(
        &self,
        recipient: UserId,
        ids: &[MessageId],
        now: OffsetDateTime,
    ) -> Result<Vec<(MessageId, OffsetDateTime)>, StoreError> {
        let mut seen = Vec::with_capacity(ids.len());
        for batch in ids.chunks(MARK_BATCH) {
            let sql = mark_seen_sql(batch.len());
            let rows = on_writer!(self, pool => {
                let mut query = sqlx::query_as::<_, (i64, DbTime)>(AssertSqlSafe(sql.clone()))
                    .bind(DbTime(now))
                    .bind(recipient.get());
                for id in batch {
                    query = query.bind(id.get());
                }
                query.fetch_all(pool).await.map_err(other)?
            });
            seen.extend(rows.into_iter().map(|(id, at)| (MessageId(id), at.0)));
        }
        Ok(seen)
    }

    async fn unseen_counts(&self, recipient: UserId) -> Result<Vec<(UserId, u64)>, StoreError> {
        const SQL: &str = "SELECT sender_user_id, COUNT(*) FROM messages \
             WHERE recipient_user_id = $1 AND seen_at IS NULL GROUP BY sender_user_id";
        let rows = on_pool!(self, pool => sqlx::query_as::<_, (i64, i64)>(SQL)
            .bind(recipient.get())
            .fetch_all(pool)
            .await
            .map_err(other)?);
        Ok(rows
            .into_iter()
            .map(|(sender, n)| (UserId(sender), u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_seen_numbers_its_placeholders_after_the_time_and_recipient() {
        assert_eq!(
            mark_seen_sql(3),
            "UPDATE messages SET seen_at = COALESCE(seen_at, $1) \
             WHERE recipient_user_id = $2 AND id IN ($3, $4, $5) RETURNING id, seen_at"
        );
    }
}
