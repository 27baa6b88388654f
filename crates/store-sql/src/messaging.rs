//! [`MessageStore`]: messages between coaches and athletes.

use crate::SqlStore;
use crate::db::{Arg, Cols, DbError};
use crate::error::constraint;
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::ids::UserId;
use paceline_domain::messaging::{ConversationQuery, Message, MessageId, MessageStore, NewMessage};
use time::OffsetDateTime;

// A column list as a macro, so that `concat!` can splice it into literal SQL.
macro_rules! message_columns {
    () => {
        "id, sender_user_id, recipient_user_id, content, sent_at, updated_at, seen_at"
    };
}

/// Most message ids bound in one `mark_seen` statement; larger sets take several.
const MARK_BATCH: usize = 500;

/// Reads the columns of [`message_columns!`], in its order.
fn message(c: &mut Cols<'_>) -> Result<Message, DbError> {
    Ok(Message {
        id: MessageId(c.get()?),
        sender: UserId(c.get()?),
        recipient: UserId(c.get()?),
        content: c.get()?,
        sent_at: c.get()?,
        updated_at: c.get()?,
        seen_at: c.get()?,
    })
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
        let args = [
            new.sender.get().into(),
            new.recipient.get().into(),
            new.content.as_str().into(),
            new.now.into(),
        ];
        Ok(self
            .db
            .returning(SQL, &args, message)
            .await
            .map_err(constraint("message", "user"))?)
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
        let args = [
            a.get().into(),
            b.get().into(),
            before.into(),
            i64::from(query.limit).into(),
        ];
        let mut messages = self.db.all(SQL, &args, message).await?;
        messages.reverse();
        Ok(messages)
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
        let args = [id.get().into(), a.get().into(), b.get().into()];
        Ok(self.db.optional(SQL, &args, message).await?)
    }

    async fn mark_seen(
        &self,
        recipient: UserId,
        ids: &[MessageId],
        now: OffsetDateTime,
    ) -> Result<Vec<(MessageId, OffsetDateTime)>, StoreError> {
        let mut seen = Vec::with_capacity(ids.len());
        for batch in ids.chunks(MARK_BATCH) {
            let mut args = vec![Arg::from(now), recipient.get().into()];
            args.extend(batch.iter().map(|id| Arg::from(id.get())));
            let mut tx = self.db.begin().await?;
            let rows = tx
                .all(mark_seen_sql(batch.len()), &args, |c| {
                    Ok((MessageId(c.get()?), c.get()?))
                })
                .await?;
            tx.commit().await?;
            seen.extend(rows);
        }
        Ok(seen)
    }

    async fn unseen_counts(&self, recipient: UserId) -> Result<Vec<(UserId, u64)>, StoreError> {
        const SQL: &str = "SELECT sender_user_id, COUNT(*) FROM messages \
             WHERE recipient_user_id = $1 AND seen_at IS NULL GROUP BY sender_user_id";
        let rows: Vec<(i64, i64)> = self
            .db
            .all(SQL, &[recipient.get().into()], |c| Ok((c.get()?, c.get()?)))
            .await?;
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
