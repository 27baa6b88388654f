//! Builds FIT files byte by byte for the unit tests.

use super::reader::FitCrc;

/// A FIT file under construction: definitions and data messages, then [`FitBuilder::finish`]
/// adds the header and CRCs.
#[derive(Default)]
pub(crate) struct FitBuilder {
    pub(crate) data: Vec<u8>,
}

impl FitBuilder {
    /// A definition message; `fields` are (number, size, base type byte).
    pub(crate) fn define(
        mut self,
        local: u8,
        global: u16,
        big_endian: bool,
        fields: &[(u8, u8, u8)],
        developer: &[(u8, u8, u8)],
    ) -> Self {
        let dev_flag = if developer.is_empty() { 0 } else { 0x20 };
        self.data.push(0x40 | dev_flag | local);
        self.data.push(0);
        self.data.push(u8::from(big_endian));
        let g = if big_endian {
            global.to_be_bytes()
        } else {
            global.to_le_bytes()
        };
        self.data.extend_from_slice(&g);
        self.data.push(fields.len() as u8);
        for &(n, s, b) in fields {
            self.data.extend_from_slice(&[n, s, b]);
        }
        if !developer.is_empty() {
            self.data.push(developer.len() as u8);
            for &(n, s, i) in developer {
                self.data.extend_from_slice(&[n, s, i]);
            }
        }
        self
    }

    /// A data message with a normal header.
    pub(crate) fn message(mut self, local: u8, bytes: &[u8]) -> Self {
        self.data.push(local & 0x0F);
        self.data.extend_from_slice(bytes);
        self
    }

    /// A data message with a compressed-timestamp header.
    pub(crate) fn compressed(mut self, local: u8, time_offset: u8, bytes: &[u8]) -> Self {
        self.data
            .push(0x80 | (local & 0x03) << 5 | (time_offset & 0x1F));
        self.data.extend_from_slice(bytes);
        self
    }

    /// The whole file: a 14-byte header with its CRC, the messages, the file CRC.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut file = header(14, self.data.len() as u32);
        file.extend_from_slice(&self.data);
        let crc = FitCrc::checksum(&file);
        file.extend_from_slice(&crc.to_le_bytes());
        file
    }

    /// The whole file with a 12-byte header (no header CRC).
    pub(crate) fn finish_short_header(self) -> Vec<u8> {
        let mut file = header(12, self.data.len() as u32);
        file.extend_from_slice(&self.data);
        let crc = FitCrc::checksum(&file);
        file.extend_from_slice(&crc.to_le_bytes());
        file
    }
}

fn header(size: u8, data_size: u32) -> Vec<u8> {
    let mut header = vec![size, 0x20];
    header.extend_from_slice(&2135u16.to_le_bytes());
    header.extend_from_slice(&data_size.to_le_bytes());
    header.extend_from_slice(b".FIT");
    if size == 14 {
        let crc = FitCrc::checksum(&header);
        header.extend_from_slice(&crc.to_le_bytes());
    }
    header
}

/// Base type bytes as a definition writes them.
pub(crate) mod base {
    pub(crate) const ENUM: u8 = 0x00;
    pub(crate) const UINT8: u8 = 0x02;
    pub(crate) const SINT8: u8 = 0x01;
    pub(crate) const UINT16: u8 = 0x84;
    pub(crate) const SINT32: u8 = 0x85;
    pub(crate) const UINT32: u8 = 0x86;
    pub(crate) const STRING: u8 = 0x07;
    pub(crate) const BYTE: u8 = 0x0D;
}

/// A `file_id` of the given type, little-endian, on local type 0.
pub(crate) fn file_id(builder: FitBuilder, file_type: u8) -> FitBuilder {
    builder
        .define(
            0,
            0,
            false,
            &[
                (0, 1, base::ENUM),
                (1, 2, base::UINT16),
                (4, 4, base::UINT32),
            ],
            &[],
        )
        .message(0, &[file_type, 1, 0, 0x10, 0x20, 0x30, 0x40])
}
