//! Data messages: [`Message`], a borrowed view of one message's bytes with its definition,
//! and reading the messages of one FIT file, definitions included, in file order.

use super::Visitor;
use super::definition::{Definition, LOCAL_TYPES, read_definition};
use super::field::{Field, FieldDef, field_bytes};
use crate::fit::error::FitError;
use crate::fit::time::FitTime;

/// One data message: a borrowed view of its bytes and its definition.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// Its global message number (20 is `record`).
    pub global: u16,
    /// Its local message type (0 to 15), which names the definition it follows.
    pub local: u8,
    /// Where its record header sits in the input.
    pub offset: usize,
    /// Its timestamp: the timestamp field when present and valid, else the time a
    /// compressed-timestamp header resolves to.
    pub timestamp: Option<FitTime>,
    /// Whether it came with a compressed-timestamp header.
    pub compressed_timestamp: bool,
    big_endian: bool,
    fields: &'a [FieldDef],
    data: &'a [u8],
}

impl<'a> Message<'a> {
    /// Whether the definition declared big-endian fields.
    #[must_use]
    pub fn big_endian(&self) -> bool {
        self.big_endian
    }

    /// The regular fields, in definition order (developer fields are skipped).
    pub fn fields(&self) -> impl Iterator<Item = Field<'a>> + 'a {
        let data = self.data;
        let big_endian = self.big_endian;
        self.fields.iter().map(move |def| Field {
            def: *def,
            bytes: field_bytes(data, def),
            big_endian,
        })
    }

    /// The message's bytes (its regular fields), for a plan made from its definition.
    #[must_use]
    pub(crate) fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The field at `index` in definition order (see [`Visitor::definition`]).
    #[must_use]
    pub fn field_at(&self, index: usize) -> Option<Field<'a>> {
        let def = self.fields.get(index)?;
        Some(Field {
            def: *def,
            bytes: field_bytes(self.data, def),
            big_endian: self.big_endian,
        })
    }

    /// The first field with this number, if the definition has one.
    #[must_use]
    pub fn field(&self, num: u8) -> Option<Field<'a>> {
        self.fields().find(|field| field.def.num == num)
    }
}

/// Reads the messages in `data` from `position` on. `data` starts at byte `base` of the
/// input and ends, when `complete`, where the file's messages end; otherwise more may
/// follow, and a message cut off at the end of `data` is left for the next call. Answers
/// where it stopped: the end of `data` when `complete`.
pub(super) fn read_messages<V: Visitor + ?Sized>(
    data: &[u8],
    base: usize,
    mut position: usize,
    complete: bool,
    last_timestamp: &mut u32,
    definitions: &mut [Definition; LOCAL_TYPES],
    visitor: &mut V,
) -> Result<usize, FitError> {
    while let Some(&header) = data.get(position) {
        let offset = position;
        position += 1;
        let (local, compressed) = if header & 0x80 != 0 {
            ((header >> 5) & 0x03, Some(header & 0x1F))
        } else if header & 0x40 != 0 {
            let local = usize::from(header & 0x0F);
            let definition = definitions.get_mut(local).ok_or(FitError::Malformed {
                offset: base + offset,
                reason: "local message type out of range",
            })?;
            position = match read_definition(data, offset, header & 0x20 != 0, definition) {
                Ok(next) => next,
                // The rest of the definition is still on its way.
                Err(FitError::Truncated { .. }) if !complete => return Ok(offset),
                Err(error) => return Err(error.shifted(base)),
            };
            visitor.definition(
                header & 0x0F,
                definition.global,
                definition
                    .fields
                    .get(..definition.count)
                    .unwrap_or_default(),
            )?;
            continue;
        } else {
            (header & 0x0F, None)
        };
        let definition = definitions
            .get(usize::from(local))
            .filter(|definition| definition.defined)
            .ok_or(FitError::UndefinedLocalMessage {
                offset: base + offset,
                local,
            })?;
        let size = definition.size + definition.developer_size;
        let Some(message_bytes) = data.get(position..position + size) else {
            if !complete {
                return Ok(offset);
            }
            return Err(FitError::Truncated {
                offset: base + offset,
                what: "a data message runs past the end of the data",
            });
        };
        position += size;
        let fields = definition
            .fields
            .get(..definition.count)
            .unwrap_or_default();
        let mut timestamp = None;
        if let Some(value) = definition.timestamp_in(message_bytes) {
            *last_timestamp = value;
            timestamp = Some(FitTime(value));
        }
        if let (Some(time_offset), None) = (compressed, timestamp) {
            // The low five bits roll over: an offset smaller than the last timestamp's low
            // bits means the next 32-second window.
            let mut resolved = (*last_timestamp & !0x1F) | u32::from(time_offset);
            if u32::from(time_offset) < *last_timestamp & 0x1F {
                resolved = resolved.wrapping_add(0x20);
            }
            *last_timestamp = resolved;
            timestamp = Some(FitTime(resolved));
        }
        visitor.message(&Message {
            global: definition.global,
            local,
            offset: base + offset,
            timestamp,
            compressed_timestamp: compressed.is_some(),
            big_endian: definition.big_endian,
            fields,
            data: message_bytes.get(..definition.size).unwrap_or_default(),
        })?;
    }
    Ok(position)
}
