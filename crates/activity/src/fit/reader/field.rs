//! The fields of a data message: [`FieldDef`], where a field's bytes sit and how they read,
//! resolved once per definition, and [`Field`], one field's bytes read as integers, floats or
//! text.

use crate::fit::profile::BaseType;

/// One field of a definition message, resolved to where its bytes sit in a data message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The field number in the message's profile.
    pub num: u8,
    /// Its size in bytes (several elements for an array).
    pub size: u8,
    /// Its base type. A size that is not a multiple of the base type's size is read as
    /// `uint8` bytes, as Garmin's SDK does.
    pub base: BaseType,
    pub(super) offset: u16,
    /// Resolved from the base type once per definition, not once per value.
    element_size: u8,
    kind: Kind,
    invalid: u64,
}

/// How a field's elements read as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unsigned,
    Signed,
    /// Floats and strings.
    NotInteger,
}

impl FieldDef {
    pub(crate) const EMPTY: Self = Self {
        num: 0,
        size: 0,
        base: BaseType::UINT8,
        offset: 0,
        element_size: 1,
        kind: Kind::Unsigned,
        invalid: 0xFF,
    };

    pub(super) fn new(num: u8, size: u8, base: BaseType, offset: u16) -> Self {
        let kind = if base.is_float() || base == BaseType::STRING {
            Kind::NotInteger
        } else if base.is_signed_int() {
            Kind::Signed
        } else {
            Kind::Unsigned
        };
        Self {
            num,
            size,
            base,
            offset,
            element_size: u8::try_from(base.size()).unwrap_or(1),
            kind,
            invalid: base.invalid(),
        }
    }
}

impl FieldDef {
    /// Where the field's bytes start in a data message's `data`.
    #[must_use]
    pub(crate) fn offset(&self) -> u16 {
        self.offset
    }

    /// The first element of this field in a data message's `data`, as [`Field::int`] reads
    /// it, without making a [`Field`]: the path a decoder takes for every value of a record.
    #[inline]
    #[must_use]
    pub(crate) fn int_in(&self, data: &[u8], big_endian: bool) -> Option<i64> {
        if self.kind == Kind::NotInteger {
            return None;
        }
        let start = usize::from(self.offset);
        // The whole field must be in the message, as `field_bytes` asks.
        if start + usize::from(self.size) > data.len() {
            return None;
        }
        let size = usize::from(self.element_size);
        if usize::from(self.size) < size {
            return None;
        }
        let raw = read_raw(data.get(start..start + size)?, big_endian)?;
        if raw == self.invalid {
            return None;
        }
        if self.kind == Kind::Signed {
            let shift = 64 - 8 * u32::from(self.element_size);
            Some(((raw << shift) as i64) >> shift)
        } else {
            i64::try_from(raw).ok()
        }
    }
}

/// The bytes of the field `def` describes within a data message's `data`.
pub(super) fn field_bytes<'a>(data: &'a [u8], def: &FieldDef) -> &'a [u8] {
    let start = usize::from(def.offset);
    data.get(start..start + usize::from(def.size))
        .unwrap_or_default()
}

/// One field of a data message.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    pub(super) def: FieldDef,
    pub(super) bytes: &'a [u8],
    pub(super) big_endian: bool,
}

impl<'a> Field<'a> {
    /// The field number.
    #[must_use]
    pub fn num(&self) -> u8 {
        self.def.num
    }

    /// The base type.
    #[must_use]
    pub fn base_type(&self) -> BaseType {
        self.def.base
    }

    /// The raw bytes, in the file's byte order.
    #[must_use]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The number of elements (more than one for an array).
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len() / self.def.base.size()
    }

    /// Whether the field has no element (a zero-size definition).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first element as an integer, or `None` when it holds the base type's invalid
    /// value ("absent") or is not an integer (a float or string).
    #[must_use]
    pub fn int(&self) -> Option<i64> {
        self.int_at(0)
    }

    /// The element at `index` as an integer, like [`Field::int`].
    #[must_use]
    pub fn int_at(&self, index: usize) -> Option<i64> {
        let def = &self.def;
        if def.kind == Kind::NotInteger {
            return None;
        }
        let size = usize::from(def.element_size);
        let start = index.checked_mul(size)?;
        let raw = read_raw(
            self.bytes.get(start..start.checked_add(size)?)?,
            self.big_endian,
        )?;
        if raw == def.invalid {
            return None;
        }
        if def.kind == Kind::Signed {
            let shift = 64 - 8 * u32::from(def.element_size);
            Some(((raw << shift) as i64) >> shift)
        } else {
            i64::try_from(raw).ok()
        }
    }

    /// The first element of a float field, or `None` when absent or not a float.
    #[must_use]
    pub fn float(&self) -> Option<f64> {
        let base = self.def.base;
        let raw = read_raw(self.bytes.get(..base.size())?, self.big_endian)?;
        match base {
            BaseType::FLOAT32 => {
                let value = f32::from_bits(u32::try_from(raw).ok()?);
                value.is_finite().then_some(f64::from(value))
            }
            BaseType::FLOAT64 => {
                let value = f64::from_bits(raw);
                value.is_finite().then_some(value)
            }
            _ => None,
        }
    }

    /// A string field: the UTF-8 text before the first NUL, `None` when empty or not UTF-8.
    #[must_use]
    pub fn string(&self) -> Option<&'a str> {
        let end = self
            .bytes
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.bytes.len());
        let text = std::str::from_utf8(self.bytes.get(..end)?).ok()?;
        (!text.is_empty()).then_some(text)
    }
}

/// An element of 1, 2, 4 or 8 bytes as an unsigned integer.
fn read_raw(bytes: &[u8], big_endian: bool) -> Option<u64> {
    Some(match *bytes {
        [a] => u64::from(a),
        [a, b] => u64::from(if big_endian {
            u16::from_be_bytes([a, b])
        } else {
            u16::from_le_bytes([a, b])
        }),
        [a, b, c, d] => u64::from(if big_endian {
            u32::from_be_bytes([a, b, c, d])
        } else {
            u32::from_le_bytes([a, b, c, d])
        }),
        [a, b, c, d, e, f, g, h] => {
            let eight = [a, b, c, d, e, f, g, h];
            if big_endian {
                u64::from_be_bytes(eight)
            } else {
                u64::from_le_bytes(eight)
            }
        }
        _ => return None,
    })
}
