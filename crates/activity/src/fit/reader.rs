//! The low-level FIT reader: one pass over the bytes, handing each data message to a
//! [`Visitor`] as a borrowed view. It checks headers and CRCs, keeps the 16 local message
//! definitions in a fixed table, resolves compressed-timestamp headers and walks chained
//! FIT files. It allocates once per call (the definition table), never per message.
//!
//! [`read`] reads a whole input, [`Streaming`] the same input in chunks, [`verify`] checks
//! only headers and CRCs. The parts: `header` (file headers and the CRC checks), `field`
//! (field definitions and reading their values), `definition` (definition messages and the
//! table of local types), `message` (data messages, as views and as read), `streaming`.

mod definition;
mod field;
mod header;
mod message;
mod streaming;

use super::error::FitError;
use definition::{Definition, LOCAL_TYPES};
use header::check_file;
use message::read_messages;

pub use field::{Field, FieldDef};
pub use header::FileHeader;
pub use message::Message;
pub use streaming::Streaming;

/// The FIT CRC: CRC-16/ARC (polynomial 0x8005 reflected, initial value 0). `crc-fast`
/// folds it with carry-less multiplication where the CPU has it (about 15 times the
/// slice-by-16 table over a whole file) and falls back to a table where it has not.
pub(crate) struct FitCrc(crc_fast::Digest);

impl FitCrc {
    pub(crate) fn new() -> Self {
        Self(crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc16Arc))
    }

    /// The CRC of `bytes`.
    pub(crate) fn checksum(bytes: &[u8]) -> u16 {
        narrow(crc_fast::checksum(crc_fast::CrcAlgorithm::Crc16Arc, bytes))
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The CRC of every byte given since it was made.
    pub(crate) fn finalize(&self) -> u16 {
        narrow(self.0.finalize())
    }
}

/// A CRC-16 handed back in a `u64`.
fn narrow(crc: u64) -> u16 {
    u16::try_from(crc & 0xFFFF).unwrap_or_default()
}

/// What the reader hands its messages to.
pub trait Visitor {
    /// Called once per FIT file of the input, after its header and CRC checked out and
    /// before its first message.
    ///
    /// # Errors
    /// An error stops the read and is returned by [`read`].
    fn file_header(&mut self, header: &FileHeader) -> Result<(), FitError> {
        let _ = header;
        Ok(())
    }

    /// Called for every definition message, so that a visitor can plan once how it will
    /// read the data messages of that local type: `fields` is in the order
    /// [`Message::field_at`] indexes.
    ///
    /// # Errors
    /// An error stops the read and is returned by [`read`].
    fn definition(&mut self, local: u8, global: u16, fields: &[FieldDef]) -> Result<(), FitError> {
        let _ = (local, global, fields);
        Ok(())
    }

    /// Called for every data message, in file order.
    ///
    /// # Errors
    /// An error stops the read and is returned by [`read`].
    fn message(&mut self, message: &Message<'_>) -> Result<(), FitError>;
}

/// Reads every FIT file in `bytes` (one, or several chained back to back), checking each
/// header and CRC before reading its messages, and hands every data message to `visitor`.
///
/// # Errors
/// The first problem found, with its byte offset: an empty input, a bad header, a CRC
/// mismatch, truncated data, a malformed definition or an undefined local message type,
/// or an error the visitor returned.
pub fn read<V: Visitor + ?Sized>(bytes: &[u8], visitor: &mut V) -> Result<(), FitError> {
    if bytes.is_empty() {
        return Err(FitError::Empty);
    }
    let mut definitions: Box<[Definition; LOCAL_TYPES]> =
        Box::new([const { Definition::EMPTY }; LOCAL_TYPES]);
    let mut position = 0;
    while position < bytes.len() {
        let (header, data_end) = check_file(bytes, position)?;
        visitor.file_header(&header)?;
        for definition in definitions.iter_mut() {
            definition.defined = false;
        }
        let data_start = position + usize::from(header.header_size);
        let mut last_timestamp = 0;
        read_messages(
            bytes.get(..data_end).unwrap_or_default(),
            0,
            data_start,
            true,
            &mut last_timestamp,
            &mut definitions,
            visitor,
        )?;
        position = data_end + 2;
    }
    Ok(())
}

/// Checks every header and CRC of the input without reading its messages; returns the
/// number of chained FIT files. This is the cheapest complete integrity check.
///
/// # Errors
/// As [`read`], for the checks it makes.
pub fn verify(bytes: &[u8]) -> Result<usize, FitError> {
    if bytes.is_empty() {
        return Err(FitError::Empty);
    }
    let mut files = 0;
    let mut position = 0;
    while position < bytes.len() {
        let (_, data_end) = check_file(bytes, position)?;
        files += 1;
        position = data_end + 2;
    }
    Ok(files)
}

#[cfg(test)]
mod tests;
