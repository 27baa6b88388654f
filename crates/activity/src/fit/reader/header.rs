//! The header of each FIT file in the input and the integrity checks: the header's CRC
//! when it has one, and the file's CRC over its header and messages.

use super::FitCrc;
use crate::fit::error::FitError;

const HEADER_WITHOUT_CRC: u8 = 12;
const HEADER_WITH_CRC: u8 = 14;

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

/// Checks the header at `position` and the CRC of the file it starts; returns the header and
/// where the file's data ends (its CRC follows).
pub(super) fn check_file(bytes: &[u8], position: usize) -> Result<(FileHeader, usize), FitError> {
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
    let computed = FitCrc::checksum(covered);
    if computed != stored {
        return Err(FitError::FileCrc {
            offset: data_end,
            stored,
            computed,
        });
    }
    Ok((header, data_end))
}

pub(super) fn read_header(bytes: &[u8], position: usize) -> Result<FileHeader, FitError> {
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
        let computed = FitCrc::checksum(header.get(..12).unwrap_or_default());
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
