//! The one error type of the TCX and GPX readers.

use thiserror::Error;

/// Why a TCX or GPX file could not be read.
///
/// Every variant that comes from the bytes carries the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The input holds no bytes (or only whitespace).
    #[error("the file is empty")]
    Empty,
    /// The input is larger than [`super::MAX_INPUT_BYTES`].
    #[error("the file is {size} bytes; at most {limit} are read")]
    TooLarge {
        /// The input's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not well-formed XML (or not UTF-8).
    #[error("not well-formed XML at byte {offset}: {message}")]
    Syntax {
        /// Where the parser stopped.
        offset: usize,
        /// The XML parser's message.
        message: String,
    },
    /// A document type declaration: refused, with any entity declarations it holds, so no
    /// entity expansion ("billion laughs") can happen.
    #[error("refused at byte {offset}: DOCTYPE and entity declarations are not accepted")]
    Dtd {
        /// Where the declaration starts.
        offset: usize,
    },
    /// An entity reference other than XML's five predefined ones or a character reference.
    #[error("unknown entity reference &{name}; at byte {offset}")]
    UnknownEntity {
        /// Where it stands.
        offset: usize,
        /// The entity's name.
        name: String,
    },
    /// Elements nested deeper than [`super::MAX_DEPTH`].
    #[error("elements nest deeper than {limit} levels at byte {offset}")]
    TooDeep {
        /// Where the limit was crossed.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// More of something than any real activity has; refused to bound memory.
    #[error("refused at byte {offset}: more than {limit} {what}")]
    TooMany {
        /// Where the limit was crossed.
        offset: usize,
        /// What there were too many of.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// Well-formed XML whose root element is not the format's.
    #[error("not a {expected} file: the root element is <{found}>")]
    WrongRoot {
        /// `TrainingCenterDatabase` or `gpx`.
        expected: &'static str,
        /// The root element found.
        found: String,
    },
    /// The document ends before its elements are closed.
    #[error("truncated XML: the input ends inside an element at byte {offset}")]
    Truncated {
        /// The input's end.
        offset: usize,
    },
    /// A value that is not what its element or attribute must hold.
    #[error("bad value {value:?} for {what} at byte {offset}")]
    BadValue {
        /// Where the element or attribute ends.
        offset: usize,
        /// The element or attribute.
        what: &'static str,
        /// The text found (cut to 40 characters).
        value: String,
    },
    /// A valid file that holds no activity track (a TCX workout, a GPX of waypoints or
    /// routes only).
    #[error("this is {what}, not an activity: it has no track points")]
    NotAnActivity {
        /// What the file is.
        what: &'static str,
    },
}

impl XmlError {
    /// The byte offset where reading failed, for the errors that come from the bytes.
    #[must_use]
    pub fn offset(&self) -> Option<usize> {
        match self {
            Self::Empty
            | Self::TooLarge { .. }
            | Self::WrongRoot { .. }
            | Self::NotAnActivity { .. } => None,
            Self::Syntax { offset, .. }
            | Self::Dtd { offset }
            | Self::UnknownEntity { offset, .. }
            | Self::TooDeep { offset, .. }
            | Self::TooMany { offset, .. }
            | Self::Truncated { offset }
            | Self::BadValue { offset, .. } => Some(*offset),
        }
    }
}
