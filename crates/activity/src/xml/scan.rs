//! The guarded event loop both readers share: quick-xml over the borrowed input, with the
//! input size capped, any DTD refused, nesting depth bounded, entity references limited to
//! XML's predefined ones and character references, and the document required to close.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::{MAX_DEPTH, MAX_INPUT_BYTES, XmlError};

/// What the readers see of the document.
pub(crate) enum Item<'a> {
    /// An element opens; `empty` when it is `<x/>` (no matching [`Item::End`] follows).
    Start {
        element: BytesStart<'a>,
        empty: bool,
    },
    /// The innermost open element closes.
    End,
    /// Character data (text, a CDATA section, or a resolved entity or character reference).
    Text(Cow<'a, str>),
}

pub(crate) struct Scanner<'a> {
    reader: Reader<&'a [u8]>,
    depth: usize,
    len: usize,
    roots: usize,
}

impl<'a> Scanner<'a> {
    /// A scanner over `bytes`.
    ///
    /// # Errors
    /// [`XmlError::TooLarge`] past [`MAX_INPUT_BYTES`], [`XmlError::Empty`] for nothing but
    /// whitespace.
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self, XmlError> {
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(XmlError::TooLarge {
                size: bytes.len(),
                limit: MAX_INPUT_BYTES,
            });
        }
        // Some exporters put whitespace before the XML declaration; skip it (and a BOM) so
        // the declaration is where XML wants it.
        let bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let start = bom
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .ok_or(XmlError::Empty)?;
        let trimmed = bom.get(start..).unwrap_or_default();
        let mut reader = Reader::from_reader(trimmed);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Ok(Self {
            reader,
            depth: 0,
            len: bytes.len(),
            roots: 0,
        })
    }

    /// Where the reader stands (after the last item).
    pub(crate) fn offset(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    /// The next item, or `None` at the end of a complete document.
    ///
    /// # Errors
    /// Malformed XML, a DTD, an unknown entity, nesting past [`MAX_DEPTH`], or an input
    /// that ends inside an element.
    pub(crate) fn next(&mut self) -> Result<Option<Item<'a>>, XmlError> {
        loop {
            let before = self.offset();
            let event = self.reader.read_event().map_err(|error| XmlError::Syntax {
                offset: usize::try_from(self.reader.error_position()).unwrap_or(before),
                message: error.to_string(),
            })?;
            let syntax = |message: &str| XmlError::Syntax {
                offset: before,
                message: message.to_owned(),
            };
            if self.depth == 0 {
                match &event {
                    Event::Start(_) | Event::Empty(_) => {
                        self.roots += 1;
                        if self.roots > 1 {
                            return Err(syntax("a second root element"));
                        }
                    }
                    Event::Text(text) if !text.trim().is_empty() => {
                        return Err(syntax("text outside the root element"));
                    }
                    Event::CData(_) | Event::GeneralRef(_) => {
                        return Err(syntax("text outside the root element"));
                    }
                    Event::Eof if self.roots == 0 => return Err(syntax("no root element")),
                    _ => {}
                }
            }
            return Ok(Some(match event {
                Event::Start(element) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(XmlError::TooDeep {
                            offset: before,
                            limit: MAX_DEPTH,
                        });
                    }
                    Item::Start {
                        element,
                        empty: false,
                    }
                }
                Event::Empty(element) => Item::Start {
                    element,
                    empty: true,
                },
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    Item::End
                }
                Event::Text(text) if self.depth == 0 => {
                    let _ = text;
                    continue;
                }
                Event::Text(text) => Item::Text(text.into_inner()),
                Event::CData(data) => Item::Text(data.into_inner()),
                Event::GeneralRef(reference) => {
                    let resolved = if reference.is_char_ref() {
                        reference.resolve_char_ref().ok().flatten()
                    } else {
                        match &*reference.into_inner() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            name => {
                                return Err(XmlError::UnknownEntity {
                                    offset: before,
                                    name: name.chars().take(40).collect(),
                                });
                            }
                        }
                    };
                    let character = resolved.ok_or(XmlError::BadValue {
                        offset: before,
                        what: "a character reference",
                        value: String::new(),
                    })?;
                    Item::Text(Cow::Owned(character.to_string()))
                }
                Event::DocType(_) => return Err(XmlError::Dtd { offset: before }),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => continue,
                Event::Eof => {
                    if self.depth > 0 {
                        return Err(XmlError::Truncated { offset: self.len });
                    }
                    return Ok(None);
                }
            }));
        }
    }
}

/// The element's name without its namespace prefix.
pub(crate) fn local_name<'e>(element: &'e BytesStart<'_>) -> &'e str {
    let name = element.name().0;
    name.rsplit(':').next().unwrap_or(name)
}

/// The value of the attribute whose local name is `name`, unescaped.
///
/// # Errors
/// A malformed attribute or an entity other than the predefined ones.
pub(crate) fn attribute<'e>(
    element: &'e BytesStart<'_>,
    name: &str,
    offset: usize,
) -> Result<Option<Cow<'e, str>>, XmlError> {
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|error| XmlError::Syntax {
            offset,
            message: error.to_string(),
        })?;
        let key = attribute.key.0;
        if key.rsplit(':').next().unwrap_or(key) == name {
            return attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(Some)
                .map_err(|error| XmlError::Syntax {
                    offset,
                    message: error.to_string(),
                });
        }
    }
    Ok(None)
}
