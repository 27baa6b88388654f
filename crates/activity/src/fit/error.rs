//! The one error type of the FIT decoder.

use thiserror::Error;

use super::profile::FileType;

/// Why a FIT file could not be decoded.
///
/// Every variant that comes from the bytes carries the byte offset (from the start of the
/// input, across chained files) where decoding stopped, so a support request can point at
/// the exact place.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FitError {
    /// The input holds no bytes at all.
    #[error("the file is empty: a FIT file has at least a 12-byte header")]
    Empty,
    /// The bytes at `offset` are not a FIT file header.
    #[error("not a FIT file at byte {offset}: {reason}")]
    NotFit {
        /// Where the header was expected.
        offset: usize,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A 14-byte header whose CRC does not match its first 12 bytes.
    #[error(
        "FIT header CRC mismatch at byte {offset}: stored {stored:#06x}, computed {computed:#06x}"
    )]
    HeaderCrc {
        /// Where the header CRC sits.
        offset: usize,
        /// The CRC written in the header.
        stored: u16,
        /// The CRC of the header's first 12 bytes.
        computed: u16,
    },
    /// The CRC after a FIT file's data does not match its header and data.
    #[error(
        "FIT file CRC mismatch at byte {offset}: stored {stored:#06x}, computed {computed:#06x} (the file is corrupt)"
    )]
    FileCrc {
        /// Where the file CRC sits.
        offset: usize,
        /// The CRC written at the end of the file.
        stored: u16,
        /// The CRC of the header and data.
        computed: u16,
    },
    /// The input ends before the header says it should.
    #[error("truncated FIT file at byte {offset}: {what}")]
    Truncated {
        /// Where the missing bytes should have started.
        offset: usize,
        /// What was cut off.
        what: &'static str,
    },
    /// A definition or data message that breaks the protocol.
    #[error("malformed FIT data at byte {offset}: {reason}")]
    Malformed {
        /// Where the bad message starts.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A data message that uses a local message type no definition has declared.
    #[error(
        "malformed FIT data at byte {offset}: data message for local message type {local} before any definition of it"
    )]
    UndefinedLocalMessage {
        /// Where the data message starts.
        offset: usize,
        /// Its local message type (0 to 15).
        local: u8,
    },
    /// The file holds more of something than any real activity does; refused to bound memory.
    #[error("FIT file refused at byte {offset}: more than {limit} {what}")]
    TooLarge {
        /// Where the limit was crossed.
        offset: usize,
        /// What there were too many of.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A valid FIT file that is not an activity (a workout, settings, a course...).
    #[error("this is a FIT {file_type} file, not an activity")]
    NotAnActivity {
        /// The file type its `file_id` message declares.
        file_type: FileType,
    },
    /// A valid FIT file that is not a workout, given where a workout is expected.
    #[error("this is a FIT {file_type} file, not a workout")]
    NotAWorkout {
        /// The file type its `file_id` message declares.
        file_type: FileType,
    },
}

impl FitError {
    /// The same error with its byte offset moved `by` bytes later (for an error found in
    /// a part of the input that starts there).
    pub(crate) fn shifted(self, by: usize) -> Self {
        match self {
            Self::NotFit { offset, reason } => Self::NotFit {
                offset: offset + by,
                reason,
            },
            Self::HeaderCrc {
                offset,
                stored,
                computed,
            } => Self::HeaderCrc {
                offset: offset + by,
                stored,
                computed,
            },
            Self::FileCrc {
                offset,
                stored,
                computed,
            } => Self::FileCrc {
                offset: offset + by,
                stored,
                computed,
            },
            Self::Truncated { offset, what } => Self::Truncated {
                offset: offset + by,
                what,
            },
            Self::Malformed { offset, reason } => Self::Malformed {
                offset: offset + by,
                reason,
            },
            Self::UndefinedLocalMessage { offset, local } => Self::UndefinedLocalMessage {
                offset: offset + by,
                local,
            },
            Self::TooLarge {
                offset,
                what,
                limit,
            } => Self::TooLarge {
                offset: offset + by,
                what,
                limit,
            },
            other @ (Self::Empty | Self::NotAnActivity { .. } | Self::NotAWorkout { .. }) => other,
        }
    }

    /// The byte offset where decoding failed, for the errors that come from the bytes.
    #[must_use]
    pub fn offset(&self) -> Option<usize> {
        match self {
            Self::Empty | Self::NotAnActivity { .. } | Self::NotAWorkout { .. } => None,
            Self::NotFit { offset, .. }
            | Self::HeaderCrc { offset, .. }
            | Self::FileCrc { offset, .. }
            | Self::Truncated { offset, .. }
            | Self::Malformed { offset, .. }
            | Self::UndefinedLocalMessage { offset, .. }
            | Self::TooLarge { offset, .. } => Some(*offset),
        }
    }
}
