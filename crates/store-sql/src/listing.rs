//! The filters of a list query ([`RecordQuery`]), written into SQL with only the filters a
//! client asked for, so that each engine plans the query it actually runs.

use crate::db::{Arg, Db, DbError, first};
use paceline_domain::ids::UserId;
use paceline_domain::listing::RecordQuery;
use time::{Date, OffsetDateTime};

/// A value bound to a filter's placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Bound {
    Time(OffsetDateTime),
    Day(Date),
    Text(String),
}

impl From<OffsetDateTime> for Bound {
    fn from(at: OffsetDateTime) -> Self {
        Self::Time(at)
    }
}

impl From<Date> for Bound {
    fn from(day: Date) -> Self {
        Self::Day(day)
    }
}

/// The conditions after `user_id = $1`, and their values for `$2`, `$3`... in order.
#[derive(Debug, Clone)]
pub(crate) struct Filters {
    pub(crate) sql: String,
    pub(crate) values: Vec<Bound>,
}

impl Filters {
    /// `key` is the ordering column (`from`/`to` bound it, both inclusive) and `updated`
    /// the change-time column, each with its table alias if any.
    pub(crate) fn new<K: Copy + Into<Bound>>(
        key: &str,
        updated: &str,
        query: &RecordQuery<K>,
    ) -> Self {
        let mut filters = Self {
            sql: String::new(),
            values: Vec::new(),
        };
        let conditions = [
            (key, ">=", query.from.map(Into::into)),
            (key, "<=", query.to.map(Into::into)),
            (updated, ">=", query.updated_since.map(Bound::from)),
        ];
        for (column, op, value) in conditions {
            if let Some(value) = value {
                filters.push(column, &format!("{op} "), value, "");
            }
        }
        filters
    }

    /// Adds `AND {column} {op}$n{tail}` with `value` bound to `$n`.
    fn push(&mut self, column: &str, op: &str, value: Bound, tail: &str) {
        self.values.push(value);
        // Placeholder numbers only: every value is bound.
        let n = self.values.len() + 1;
        self.sql.push_str(&format!(" AND {column} {op}${n}{tail}"));
    }

    /// Only rows whose `column` equals `value`.
    pub(crate) fn equal(&mut self, column: &str, value: &str) {
        self.push(column, "= ", Bound::Text(value.to_owned()), "");
    }

    /// Only rows whose `column` contains `text`, ignoring ASCII case (the same on both
    /// engines: `LOWER` of SQLite folds ASCII only). `%`, `_` and `\` in `text` match
    /// themselves.
    pub(crate) fn containing(&mut self, column: &str, text: &str) {
        let mut pattern = String::with_capacity(text.len() + 2);
        pattern.push('%');
        for c in text.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        self.push(
            &format!("LOWER({column})"),
            "LIKE LOWER(",
            Bound::Text(pattern),
            ") ESCAPE '\\'",
        );
    }

    /// `ORDER BY ... LIMIT ... OFFSET ...` for the page, fetching one more row than asked
    /// so that the caller knows whether another page follows.
    pub(crate) fn page<K>(order: &str, query: &RecordQuery<K>) -> String {
        format!(
            " ORDER BY {order} LIMIT {} OFFSET {}",
            u64::from(query.limit()) + 1,
            query.offset()
        )
    }
}

impl Filters {
    /// The values of a query built from these filters: the user for `$1`, then the
    /// filters' values in order.
    pub(crate) fn args(&self, user: UserId) -> Vec<Arg<'_>> {
        let mut args = Vec::with_capacity(self.values.len() + 1);
        args.push(Arg::from(user.get()));
        args.extend(self.values.iter().map(|value| match value {
            Bound::Time(at) => Arg::from(*at),
            Bound::Day(day) => Arg::from(*day),
            Bound::Text(text) => Arg::from(text.as_str()),
        }));
        args
    }
}

/// Below this many changes a sync reads them from the change-time index and sorts them; at
/// or above it, it walks the history in page order, where its page comes soon.
pub(crate) const FEW_CHANGES: i64 = 2_000;

/// How a page of a list is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// In page order, along the list's key (a page, a window, a sync with many changes).
    PageOrder,
    /// A sync with fewer than [`FEW_CHANGES`] changes: the changes come from the
    /// change-time index, only they are sorted, and only the page's rows are joined and
    /// read. (A materialized CTE keeps PostgreSQL from walking the whole history in page
    /// order to find them, as it would for a limit.)
    FewChanges,
}

impl Walk {
    /// How a list finds its page: a sync (`since`) counts, never past [`FEW_CHANGES`], the
    /// rows `FROM {from} WHERE {conditions}` (bound to `args`) in the order of the
    /// change-time column `updated`, so that both engines walk the change-time index and
    /// stop at the bound; any other list walks in page order.
    pub(crate) async fn choose(
        db: &Db,
        since: bool,
        (from, conditions, updated): (&str, &str, &str),
        args: &[Arg<'_>],
    ) -> Result<Self, DbError> {
        if !since {
            return Ok(Self::PageOrder);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {from} WHERE {conditions} ORDER BY {updated} \
             LIMIT {FEW_CHANGES}) AS bounded"
        );
        let changes: i64 = db.one(sql, args, first).await?;
        Ok(if changes < FEW_CHANGES {
            Self::FewChanges
        } else {
            Self::PageOrder
        })
    }

    /// Whether the page's filters must keep the change-time term off its index: with many
    /// changes the page comes soon in page order, and SQLite would rather take the
    /// change-time index and sort them all, which `+` (no index for that term) prevents.
    pub(crate) fn keeps_change_time_off_its_index(self, db: &Db, since: bool) -> bool {
        since && self == Self::PageOrder && matches!(db, Db::Sqlite(_))
    }
}

/// Splits the rows of a page from the extra row fetched to see whether another follows.
pub(crate) fn split_page<T, K>(mut rows: Vec<T>, query: &RecordQuery<K>) -> (Vec<T>, bool) {
    let limit = query.limit() as usize;
    let has_next = rows.len() > limit;
    rows.truncate(limit);
    (rows, has_next)
}
