//! Definition messages: the table of the 16 local message types and reading a definition
//! message into its slot.

use super::field::FieldDef;
use crate::fit::error::FitError;
use crate::fit::profile::{BaseType, FIELD_TIMESTAMP};

/// The number of local message types, each with its slot in the definition table.
pub(super) const LOCAL_TYPES: usize = 16;
const MAX_FIELDS: usize = 255;

/// A local message definition.
#[derive(Clone)]
pub(super) struct Definition {
    pub(super) defined: bool,
    pub(super) global: u16,
    pub(super) big_endian: bool,
    pub(super) count: usize,
    pub(super) fields: [FieldDef; MAX_FIELDS],
    /// Bytes of the regular fields.
    pub(super) size: usize,
    /// Bytes of the developer fields that follow them (skipped).
    pub(super) developer_size: usize,
    /// The timestamp field, if the message has one.
    pub(super) timestamp: Option<FieldDef>,
}

impl Definition {
    pub(super) const EMPTY: Self = Self {
        defined: false,
        global: 0,
        big_endian: false,
        count: 0,
        fields: [FieldDef::EMPTY; MAX_FIELDS],
        size: 0,
        developer_size: 0,
        timestamp: None,
    };

    /// The message's timestamp field, when present and valid.
    #[inline]
    pub(super) fn timestamp_in(&self, data: &[u8]) -> Option<u32> {
        let def = self.timestamp?;
        if def.base == BaseType::UINT32 && def.size == 4 {
            // The profile's one `uint32`: one load.
            let at = usize::from(def.offset());
            let bytes: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
            let value = if self.big_endian {
                u32::from_be_bytes(bytes)
            } else {
                u32::from_le_bytes(bytes)
            };
            return (value != u32::MAX).then_some(value);
        }
        let value = def.int_in(data, self.big_endian)?;
        u32::try_from(value).ok()
    }
}

/// Reads the definition message whose header is at `offset` into `definition`; returns the
/// position after it.
pub(super) fn read_definition(
    data: &[u8],
    offset: usize,
    has_developer_fields: bool,
    definition: &mut Definition,
) -> Result<usize, FitError> {
    let truncated = || FitError::Truncated {
        offset,
        what: "a definition message runs past the end of the data",
    };
    let fixed = data.get(offset + 1..offset + 6).ok_or_else(truncated)?;
    let &[_reserved, architecture, g0, g1, count] = fixed else {
        return Err(truncated());
    };
    let big_endian = match architecture {
        0 => false,
        1 => true,
        _ => {
            return Err(FitError::Malformed {
                offset: offset + 2,
                reason: "the definition's architecture byte is neither 0 nor 1",
            });
        }
    };
    let mut position = offset + 6;
    let count = usize::from(count);
    let raw_fields = data
        .get(position..position + 3 * count)
        .ok_or_else(truncated)?;
    position += 3 * count;
    let mut size = 0usize;
    let mut timestamp = None;
    for (index, (raw, slot)) in raw_fields
        .chunks_exact(3)
        .zip(definition.fields.iter_mut())
        .enumerate()
    {
        let &[num, field_size, base_byte] = raw else {
            return Err(truncated());
        };
        let base = BaseType::from_byte(base_byte).ok_or(FitError::Malformed {
            offset: position - 3 * count + 3 * index,
            reason: "a field definition has an unknown base type",
        })?;
        // Garmin's SDK reads a field whose size is not a whole number of its base type as
        // bytes; so do we (COROS writes uint32 fields of one byte).
        let base = if usize::from(field_size) % base.size() == 0 {
            base
        } else {
            BaseType::UINT8
        };
        *slot = FieldDef::new(
            num,
            field_size,
            base,
            u16::try_from(size).unwrap_or(u16::MAX),
        );
        if num == FIELD_TIMESTAMP && timestamp.is_none() {
            timestamp = Some(*slot);
        }
        size += usize::from(field_size);
    }
    let mut developer_size = 0usize;
    if has_developer_fields {
        let developer_count = usize::from(*data.get(position).ok_or_else(truncated)?);
        position += 1;
        let raw = data
            .get(position..position + 3 * developer_count)
            .ok_or_else(truncated)?;
        position += 3 * developer_count;
        developer_size = raw
            .chunks_exact(3)
            .map(|field| usize::from(field.get(1).copied().unwrap_or(0)))
            .sum();
    }
    definition.defined = true;
    definition.global = if big_endian {
        u16::from_be_bytes([g0, g1])
    } else {
        u16::from_le_bytes([g0, g1])
    };
    definition.big_endian = big_endian;
    definition.count = count;
    definition.size = size;
    definition.developer_size = developer_size;
    definition.timestamp = timestamp;
    Ok(position)
}
