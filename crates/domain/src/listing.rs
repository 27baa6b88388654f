//! Lists: pages of a user's records, newest first, with range and change filters.

/// Items per page when the client does not say.
pub const DEFAULT_PER_PAGE: u32 = 30;

/// The largest page a client may ask for.
pub const MAX_PER_PAGE: u32 = 200;

/// Which records to list. `K` is what the records are ordered by: an instant
/// (activities, body metrics) or a calendar day (sleep, nutrition, wellness).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordQuery<K> {
    /// 1-based page.
    pub page: u32,
    /// Items per page, 1 to [`MAX_PER_PAGE`].
    pub per_page: u32,
    /// Only records at or after this key.
    pub from: Option<K>,
    /// Only records at or before this key.
    pub to: Option<K>,
    /// Only records changed at or after this instant.
    pub updated_since: Option<time::OffsetDateTime>,
}

impl<K> RecordQuery<K> {
    /// Page `page` of `per_page` records, unfiltered.
    pub fn page(page: u32, per_page: u32) -> Self {
        Self {
            page,
            per_page,
            from: None,
            to: None,
            updated_since: None,
        }
    }

    /// The page size within its bounds.
    pub fn limit(&self) -> u32 {
        self.per_page.clamp(1, MAX_PER_PAGE)
    }

    /// How many records precede the page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.max(1) - 1) * u64::from(self.limit())
    }
}

/// One page of records.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The records, newest first.
    pub items: Vec<T>,
    /// Whether another page follows.
    pub has_next: bool,
}
