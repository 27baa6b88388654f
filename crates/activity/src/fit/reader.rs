//! The low-level FIT reader: one pass over the bytes, handing each data message to a
//! [`Visitor`] as a borrowed view. It checks headers and CRCs, keeps the 16 local message
//! definitions in a fixed table, resolves compressed-timestamp headers and walks chained
//! FIT files. It allocates once per call (the definition table), never per message.

use crc::{CRC_16_ARC, Crc, Table};

use super::error::FitError;
use super::profile::{BaseType, FIELD_TIMESTAMP};
use super::time::FitTime;

/// The FIT CRC: CRC-16/ARC (polynomial 0x8005 reflected, initial value 0), table-driven.
pub(crate) static FIT_CRC: Crc<u16, Table<16>> = Crc::<u16, Table<16>>::new(&CRC_16_ARC);

const HEADER_WITHOUT_CRC: u8 = 12;
const HEADER_WITH_CRC: u8 = 14;
const LOCAL_TYPES: usize = 16;
const MAX_FIELDS: usize = 255;

/// The header of one FIT file in the input (a chained input has several).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileHeader {
    /// Where the header starts in the input.
    pub offset: usize,
    /// 12 or 14.
    pub header_size: u8,
    /// The protocol version byte (major in the high nibble).
    pub protocol_version: u8,
    /// The profile version times 100 (2135 is profile 21.35).
    pub profile_version: u16,
    /// The number of message bytes between the header and the file CRC.
    pub data_size: u32,
}

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
    offset: u16,
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
    const EMPTY: Self = Self {
        num: 0,
        size: 0,
        base: BaseType::UINT8,
        offset: 0,
        element_size: 1,
        kind: Kind::Unsigned,
        invalid: 0xFF,
    };

    fn new(num: u8, size: u8, base: BaseType, offset: u16) -> Self {
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

/// A local message definition.
#[derive(Clone)]
struct Definition {
    defined: bool,
    global: u16,
    big_endian: bool,
    count: usize,
    fields: [FieldDef; MAX_FIELDS],
    /// Bytes of the regular fields.
    size: usize,
    /// Bytes of the developer fields that follow them (skipped).
    developer_size: usize,
    /// Index of the timestamp field among `fields`, if the message has one.
    timestamp_index: Option<usize>,
}

impl Definition {
    const EMPTY: Self = Self {
        defined: false,
        global: 0,
        big_endian: false,
        count: 0,
        fields: [FieldDef::EMPTY; MAX_FIELDS],
        size: 0,
        developer_size: 0,
        timestamp_index: None,
    };
}

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

fn field_bytes<'a>(data: &'a [u8], def: &FieldDef) -> &'a [u8] {
    let start = usize::from(def.offset);
    data.get(start..start + usize::from(def.size))
        .unwrap_or_default()
}

/// One field of a data message.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    def: FieldDef,
    bytes: &'a [u8],
    big_endian: bool,
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

/// The same reader as [`read`] for input that arrives in chunks (an upload on its way):
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
    crc: crc::Digest<'static, u16, Table<16>>,
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
            crc: FIT_CRC.digest(),
            files: 0,
        }
    }

    /// Reads the next chunk of the input.
    ///
    /// # Errors
    /// As [`read`]; after an error, the reader must not be fed again.
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
                    self.crc = FIT_CRC.digest();
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
                    let digest = std::mem::replace(&mut self.crc, FIT_CRC.digest());
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

/// Checks the header at `position` and the CRC of the file it starts; returns the header and
/// where the file's data ends (its CRC follows).
fn check_file(bytes: &[u8], position: usize) -> Result<(FileHeader, usize), FitError> {
    let header = read_header(bytes, position)?;
    let past_end = FitError::Truncated {
        offset: bytes.len(),
        what: "the data size in the header runs past the end of the input",
    };
    let data_end = (position + usize::from(header.header_size))
        .checked_add(header.data_size as usize)
        .ok_or(past_end.clone())?;
    let (Some(covered), Some(&[c0, c1])) = (
        bytes.get(position..data_end),
        bytes.get(data_end..).and_then(|rest| rest.get(..2)),
    ) else {
        return Err(past_end);
    };
    let stored = u16::from_le_bytes([c0, c1]);
    let computed = FIT_CRC.checksum(covered);
    if computed != stored {
        return Err(FitError::FileCrc {
            offset: data_end,
            stored,
            computed,
        });
    }
    Ok((header, data_end))
}

fn read_header(bytes: &[u8], position: usize) -> Result<FileHeader, FitError> {
    let header_size = *bytes.get(position).ok_or(FitError::Truncated {
        offset: position,
        what: "the file header",
    })?;
    if header_size != HEADER_WITHOUT_CRC && header_size != HEADER_WITH_CRC {
        return Err(FitError::NotFit {
            offset: position,
            reason: "the header size is neither 12 nor 14",
        });
    }
    let header = bytes
        .get(position..position + usize::from(header_size))
        .ok_or(FitError::Truncated {
            offset: bytes.len(),
            what: "the file header",
        })?;
    let &[
        _,
        protocol_version,
        p0,
        p1,
        d0,
        d1,
        d2,
        d3,
        s0,
        s1,
        s2,
        s3,
        ref rest @ ..,
    ] = header
    else {
        return Err(FitError::Truncated {
            offset: bytes.len(),
            what: "the file header",
        });
    };
    if [s0, s1, s2, s3] != *b".FIT" {
        return Err(FitError::NotFit {
            offset: position + 8,
            reason: "the header lacks the \".FIT\" signature",
        });
    }
    if let &[c0, c1] = rest {
        let stored = u16::from_le_bytes([c0, c1]);
        let computed = FIT_CRC.checksum(header.get(..12).unwrap_or_default());
        // A header CRC of zero means the writer did not compute one (the protocol allows it).
        if stored != 0 && stored != computed {
            return Err(FitError::HeaderCrc {
                offset: position + 12,
                stored,
                computed,
            });
        }
    }
    Ok(FileHeader {
        offset: position,
        header_size,
        protocol_version,
        profile_version: u16::from_le_bytes([p0, p1]),
        data_size: u32::from_le_bytes([d0, d1, d2, d3]),
    })
}

/// Reads the messages in `data` from `position` on. `data` starts at byte `base` of the
/// input and ends, when `complete`, where the file's messages end; otherwise more may
/// follow, and a message cut off at the end of `data` is left for the next call. Answers
/// where it stopped: the end of `data` when `complete`.
fn read_messages<V: Visitor + ?Sized>(
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
        if let Some(def) = definition
            .timestamp_index
            .and_then(|index| fields.get(index))
        {
            let field = Field {
                def: *def,
                bytes: field_bytes(message_bytes, def),
                big_endian: definition.big_endian,
            };
            if let Some(value) = field.int().and_then(|v| u32::try_from(v).ok()) {
                *last_timestamp = value;
                timestamp = Some(FitTime(value));
            }
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

/// Reads the definition message whose header is at `offset` into `definition`; returns the
/// position after it.
fn read_definition(
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
    let mut timestamp_index = None;
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
        if num == FIELD_TIMESTAMP && timestamp_index.is_none() {
            timestamp_index = Some(index);
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
    definition.timestamp_index = timestamp_index;
    Ok(position)
}

#[cfg(test)]
mod tests;
