//! [`Streaming`], the reader for input that arrives in chunks: it reads each chunk as far as
//! whole messages go and holds only a message cut off at its end.

use super::definition::{Definition, LOCAL_TYPES};
use super::header::{FileHeader, read_header};
use super::message::read_messages;
use super::{FitCrc, Visitor};
use crate::fit::error::FitError;

/// The most bytes a [`Streaming`] reader holds between two chunks: a message cut off at
/// the end of a chunk (a definition is at most 1,537 bytes, a data message at most 255
/// fields of 255 bytes and as many developer bytes) and a chunk fed whole.
const MAX_HELD: usize = 256 * 1024;

/// Where a [`Streaming`] reader stands in its input.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// Before a file header (the first, or a chained one).
    Header,
    /// In a file's messages, which end at byte `data_end` of the input.
    Messages { data_end: usize },
    /// Before the file CRC at byte `data_end`.
    FileCrc { data_end: usize },
}

/// The same reader as [`read`](super::read) for input that arrives in chunks (an upload on its way):
/// each chunk is read as far as whole messages go, and only a message cut off at its end is
/// held until the next one, so memory stays small whatever the input's size.
///
/// The checks are the same, with one difference in order: a file's CRC is compared when
/// its end arrives, after its messages were handed to the visitor, so a corrupt file may be
/// refused for a malformed message found before its CRC.
pub struct Streaming<V> {
    visitor: V,
    definitions: Box<[Definition; LOCAL_TYPES]>,
    /// Bytes received and not yet read, from input byte `held_from` on.
    held: Vec<u8>,
    held_from: usize,
    part: Part,
    last_timestamp: u32,
    crc: FitCrc,
    files: usize,
}

impl<V: Visitor> Streaming<V> {
    /// A reader handing the messages to `visitor`.
    pub fn new(visitor: V) -> Self {
        Self {
            visitor,
            definitions: Box::new([const { Definition::EMPTY }; LOCAL_TYPES]),
            held: Vec::new(),
            held_from: 0,
            part: Part::Header,
            last_timestamp: 0,
            crc: FitCrc::new(),
            files: 0,
        }
    }

    /// Reads the next chunk of the input.
    ///
    /// # Errors
    /// As [`read`](super::read); after an error, the reader must not be fed again.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), FitError> {
        if self.held.is_empty() {
            // Read straight from the chunk; keep only what is left over.
            let used = self.read_from(chunk, self.held_from)?;
            self.held_from += used;
            self.held
                .extend_from_slice(chunk.get(used..).unwrap_or_default());
        } else {
            self.held.extend_from_slice(chunk);
            let held = std::mem::take(&mut self.held);
            let used = self.read_from(&held, self.held_from);
            self.held = held;
            let used = used?;
            self.held.drain(..used);
            self.held_from += used;
        }
        if self.held.len() > MAX_HELD {
            return Err(FitError::Malformed {
                offset: self.held_from,
                reason: "no message ends within 256 KiB",
            });
        }
        Ok(())
    }

    /// Reads as much of `bytes` (input bytes from `from` on) as whole parts allow; answers
    /// how many bytes were used.
    fn read_from(&mut self, bytes: &[u8], from: usize) -> Result<usize, FitError> {
        let mut used = 0;
        loop {
            let rest = bytes.get(used..).unwrap_or_default();
            let at = from + used;
            match self.part {
                Part::Header => {
                    let Some(&size) = rest.first() else {
                        return Ok(used);
                    };
                    if rest.len() < usize::from(size) || rest.len() < 12 {
                        // A wrong size byte is refused once the header's bytes are there.
                        return Ok(used);
                    }
                    let header = read_header(rest, 0).map_err(|e| e.shifted(at))?;
                    let header = FileHeader {
                        offset: at,
                        ..header
                    };
                    let size = usize::from(header.header_size);
                    self.visitor.file_header(&header)?;
                    for definition in self.definitions.iter_mut() {
                        definition.defined = false;
                    }
                    self.last_timestamp = 0;
                    self.crc = FitCrc::new();
                    self.crc.update(rest.get(..size).unwrap_or_default());
                    self.files += 1;
                    used += size;
                    self.part = Part::Messages {
                        data_end: at + size + header.data_size as usize,
                    };
                }
                Part::Messages { data_end } => {
                    let wanted = data_end - at;
                    let complete = rest.len() >= wanted;
                    let data = rest.get(..wanted.min(rest.len())).unwrap_or_default();
                    let read = read_messages(
                        data,
                        at,
                        0,
                        complete,
                        &mut self.last_timestamp,
                        &mut self.definitions,
                        &mut self.visitor,
                    )?;
                    self.crc.update(data.get(..read).unwrap_or_default());
                    used += read;
                    if !complete {
                        return Ok(used);
                    }
                    self.part = Part::FileCrc { data_end };
                }
                Part::FileCrc { data_end } => {
                    let Some(&[c0, c1]) = rest.get(..2) else {
                        return Ok(used);
                    };
                    let stored = u16::from_le_bytes([c0, c1]);
                    let digest = std::mem::replace(&mut self.crc, FitCrc::new());
                    let computed = digest.finalize();
                    if computed != stored {
                        return Err(FitError::FileCrc {
                            offset: data_end,
                            stored,
                            computed,
                        });
                    }
                    used += 2;
                    self.part = Part::Header;
                }
            }
        }
    }

    /// Ends the input: checks that it ended where a FIT file does, and hands back the
    /// visitor.
    ///
    /// # Errors
    /// An empty input, or one cut off in a header, a file's messages or its CRC.
    pub fn finish(self) -> Result<V, FitError> {
        let end = self.held_from + self.held.len();
        match self.part {
            Part::Header if self.held.is_empty() => {
                if self.files == 0 {
                    Err(FitError::Empty)
                } else {
                    Ok(self.visitor)
                }
            }
            Part::Header => Err(read_header(&self.held, 0)
                .err()
                .map(|e| e.shifted(self.held_from))
                .unwrap_or(FitError::Truncated {
                    offset: end,
                    what: "the file header",
                })),
            Part::Messages { .. } | Part::FileCrc { .. } => Err(FitError::Truncated {
                offset: end,
                what: "the data size in the header runs past the end of the input",
            }),
        }
    }
}
