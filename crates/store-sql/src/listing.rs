//! The filters of a list query ([`RecordQuery`]), written into SQL with only the filters a
//! client asked for, so that each engine plans the query it actually runs.

use crate::db_time::DbTime;
use paceline_domain::listing::RecordQuery;
use time::{Date, OffsetDateTime};

/// A value bound to a filter's placeholder.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bound {
    Time(DbTime),
    Day(Date),
}

impl From<OffsetDateTime> for Bound {
    fn from(at: OffsetDateTime) -> Self {
        Self::Time(DbTime(at))
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
                filters.values.push(value);
                // Placeholder numbers only: every value is bound.
                let n = filters.values.len() + 1;
                filters.sql.push_str(&format!(" AND {column} {op} ${n}"));
            }
        }
        filters
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

/// Binds the user and then the filters' values to a query built from [`Filters`].
macro_rules! bind_filters {
    ($query:expr, $user:expr, $filters:expr) => {{
        let mut q = $query.bind($user.get());
        for value in &$filters.values {
            q = match *value {
                $crate::listing::Bound::Time(at) => q.bind(at),
                $crate::listing::Bound::Day(day) => q.bind(day),
            };
        }
        q
    }};
}
pub(crate) use bind_filters;

/// Splits the rows of a page from the extra row fetched to see whether another follows.
pub(crate) fn split_page<T, K>(mut rows: Vec<T>, query: &RecordQuery<K>) -> (Vec<T>, bool) {
    let limit = query.limit() as usize;
    let has_next = rows.len() > limit;
    rows.truncate(limit);
    (rows, has_next)
}
