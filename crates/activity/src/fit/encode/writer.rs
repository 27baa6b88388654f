//! The low-level FIT writer: definition messages written only when a local type's layout
//! changes, little-endian data messages, and the 14-byte header and the file CRC at the end.

use super::super::profile::BaseType;
use super::super::reader::FitCrc;

/// Protocol 2.0 in the header's high nibble.
const PROTOCOL_VERSION: u8 = 0x20;
/// Profile 21.218, written as Garmin's own SDK writes it (major * 1000 + minor).
const PROFILE_VERSION: u16 = 21_218;
const HEADER_SIZE: usize = 14;
/// A string field holds at most 255 bytes, its NUL terminator included.
const MAX_STRING_BYTES: usize = 254;

/// One field value. `None` writes the base type's invalid value ("absent"); a present value
/// that happens to equal the invalid pattern is written as the nearest valid value, so
/// nothing present ever reads back as absent.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Enum(Option<u8>),
    U8(Option<u8>),
    I8(Option<i8>),
    U16(Option<u16>),
    U32(Option<u32>),
    I32(Option<i32>),
    /// UTF-8 text, cut at a character boundary to fit a FIT string.
    Str(&'a str),
}

impl Value<'_> {
    fn base(&self) -> BaseType {
        match self {
            Self::Enum(_) => BaseType::ENUM,
            Self::U8(_) => BaseType::UINT8,
            Self::I8(_) => BaseType::SINT8,
            Self::U16(_) => BaseType::UINT16,
            Self::U32(_) => BaseType::UINT32,
            Self::I32(_) => BaseType::SINT32,
            Self::Str(_) => BaseType::STRING,
        }
    }

    fn size(&self) -> u8 {
        match self {
            Self::Str(text) => u8::try_from(fit_string(text).len() + 1).unwrap_or(u8::MAX),
            other => u8::try_from(other.base().size()).unwrap_or(1),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match *self {
            Self::Enum(v) | Self::U8(v) => out.push(v.map_or(0xFF, |v| v.min(0xFE))),
            Self::I8(v) => out.push(v.map_or(0x7F, |v| v.min(0x7E)).to_le_bytes()[0]),
            Self::U16(v) => {
                out.extend_from_slice(&v.map_or(0xFFFF, |v| v.min(0xFFFE)).to_le_bytes())
            }
            Self::U32(v) => {
                out.extend_from_slice(&v.map_or(u32::MAX, |v| v.min(u32::MAX - 1)).to_le_bytes())
            }
            Self::I32(v) => {
                out.extend_from_slice(&v.map_or(i32::MAX, |v| v.min(i32::MAX - 1)).to_le_bytes())
            }
            Self::Str(text) => {
                out.extend_from_slice(fit_string(text).as_bytes());
                out.push(0);
            }
        }
    }
}

/// The longest prefix of `text` that fits a FIT string, cut at a character boundary and
/// before any NUL (which would end the string early).
pub(crate) fn fit_string(text: &str) -> &str {
    let text = text.split('\0').next().unwrap_or_default();
    if text.len() <= MAX_STRING_BYTES {
        return text;
    }
    let mut end = MAX_STRING_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// The layout a local message type was last defined with.
#[derive(Debug, Default)]
struct Layout {
    defined: bool,
    global: u16,
    /// (field number, size, base-type byte) per field.
    fields: Vec<(u8, u8, u8)>,
}

impl Layout {
    fn matches(&self, global: u16, fields: &[(u8, Value<'_>)]) -> bool {
        self.defined
            && self.global == global
            && self.fields.len() == fields.len()
            && self
                .fields
                .iter()
                .zip(fields)
                .all(|(&(num, size, base), (n, value))| {
                    num == *n && size == value.size() && base == value.base().definition_byte()
                })
    }
}

/// A FIT file under construction.
pub(crate) struct Writer {
    data: Vec<u8>,
    layouts: [Layout; 16],
}

impl Writer {
    /// A writer whose buffer starts with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        let mut data = Vec::with_capacity(capacity + HEADER_SIZE + 2);
        data.resize(HEADER_SIZE, 0);
        Self {
            data,
            layouts: Default::default(),
        }
    }

    /// Writes one data message of `global` type on local type `local` (0 to 15), preceded by
    /// a definition message when the local type's layout changes.
    pub(crate) fn message(&mut self, local: u8, global: u16, fields: &[(u8, Value<'_>)]) {
        let local = local & 0x0F;
        if let Some(layout) = self.layouts.get_mut(usize::from(local))
            && !layout.matches(global, fields)
        {
            layout.defined = true;
            layout.global = global;
            layout.fields.clear();
            layout.fields.extend(
                fields
                    .iter()
                    .map(|(num, value)| (*num, value.size(), value.base().definition_byte())),
            );
            self.data.push(0x40 | local);
            self.data.push(0);
            self.data.push(0); // little-endian
            self.data.extend_from_slice(&global.to_le_bytes());
            self.data
                .push(u8::try_from(layout.fields.len()).unwrap_or(u8::MAX));
            for &(num, size, base) in &layout.fields {
                self.data.extend_from_slice(&[num, size, base]);
            }
        }
        self.data.push(local);
        for (_, value) in fields {
            value.write(&mut self.data);
        }
    }

    /// The whole file: the header (with its CRC), the messages, the file CRC.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let data_size = u32::try_from(self.data.len() - HEADER_SIZE).unwrap_or(u32::MAX);
        let mut header = Vec::with_capacity(HEADER_SIZE);
        header.extend_from_slice(&[HEADER_SIZE as u8, PROTOCOL_VERSION]);
        header.extend_from_slice(&PROFILE_VERSION.to_le_bytes());
        header.extend_from_slice(&data_size.to_le_bytes());
        header.extend_from_slice(b".FIT");
        let header_crc = FitCrc::checksum(&header);
        header.extend_from_slice(&header_crc.to_le_bytes());
        if let Some(slot) = self.data.get_mut(..HEADER_SIZE) {
            slot.copy_from_slice(&header);
        }
        let crc = FitCrc::checksum(&self.data);
        self.data.extend_from_slice(&crc.to_le_bytes());
        self.data
    }
}
