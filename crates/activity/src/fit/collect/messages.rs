//! The other messages the decoder reads: `file_id`, `device_info`, `activity`, the timer's
//! events, `sport` and `hrv` (RR intervals).

use super::{Collector, time};
use crate::fit::profile::{FileType, Sport, SubSport};
use crate::fit::reader::Message;
use crate::fit::{ActivityInfo, DeviceInfo, FileId};

/// `device_info` messages kept; sensors past this are ignored rather than refused.
const MAX_DEVICES: usize = 256;
/// RR intervals kept; a day of beats is about 100,000.
const MAX_RR_INTERVALS: usize = 4_000_000;

impl Collector {
    pub(super) fn file_id(&mut self, message: &Message<'_>) {
        let mut id = FileId::default();
        for field in message.fields() {
            match field.num() {
                0 => {
                    id.file_type = field
                        .int()
                        .and_then(|v| u8::try_from(v).ok())
                        .map(FileType::from_number);
                }
                1 => id.manufacturer = field.int().and_then(|v| u16::try_from(v).ok()),
                2 => id.product = field.int().and_then(|v| u16::try_from(v).ok()),
                3 => id.serial_number = field.int().and_then(|v| u32::try_from(v).ok()),
                4 => id.time_created = time(field.int()),
                8 => id.product_name = field.string().map(str::to_owned),
                _ => {}
            }
        }
        if id.file_type == Some(FileType::Activity) {
            self.contains_activity_file = true;
        }
        if self.file_id.is_none() {
            self.file_id = Some(id);
        }
    }

    pub(super) fn device_info(&mut self, message: &Message<'_>) {
        if self.devices.len() >= MAX_DEVICES {
            return;
        }
        let mut device = DeviceInfo::default();
        for field in message.fields() {
            match field.num() {
                0 => device.device_index = field.int().and_then(|v| u8::try_from(v).ok()),
                2 => device.manufacturer = field.int().and_then(|v| u16::try_from(v).ok()),
                3 => device.serial_number = field.int().and_then(|v| u32::try_from(v).ok()),
                4 => device.product = field.int().and_then(|v| u16::try_from(v).ok()),
                5 => device.software_version = field.int().map(|raw| raw as f64 / 100.0),
                27 => device.product_name = field.string().map(str::to_owned),
                _ => {}
            }
        }
        self.devices.push(device);
    }

    pub(super) fn activity(&mut self, message: &Message<'_>) {
        let mut info = ActivityInfo {
            timestamp: message.timestamp,
            ..ActivityInfo::default()
        };
        for field in message.fields() {
            match field.num() {
                0 => info.total_timer_s = field.int().map(|raw| raw as f64 / 1000.0),
                1 => info.num_sessions = field.int().and_then(|v| u16::try_from(v).ok()),
                5 => info.local_timestamp = time(field.int()),
                _ => {}
            }
        }
        // A chain of FIT files may hold one `activity` message per file; the first one
        // describes the activity, as Garmin's SDK reports it.
        if self.activity.is_none() {
            self.activity = Some(info);
        }
    }

    pub(super) fn event(&mut self, message: &Message<'_>) {
        let mut event = None;
        let mut event_type = None;
        for field in message.fields() {
            match field.num() {
                0 => event = field.int(),
                1 => event_type = field.int(),
                _ => {}
            }
        }
        // Event 0 is the timer; type 0 starts it, 1 (stop), 4 (stop_all) and 9
        // (stop_disable_all) stop it.
        let (Some(0), Some(kind), Some(at)) = (event, event_type, message.timestamp) else {
            return;
        };
        self.timer.seen = true;
        match (kind, self.timer.running_since) {
            (0, None) => self.timer.running_since = Some(at.0),
            (1 | 4 | 9, Some(since)) => {
                self.timer.total_s += u64::from(at.0.saturating_sub(since));
                self.timer.running_since = None;
            }
            _ => {}
        }
    }

    pub(super) fn sport(&mut self, message: &Message<'_>) {
        let sport = message
            .field(0)
            .and_then(|f| f.int())
            .and_then(|v| u8::try_from(v).ok())
            .map(Sport);
        let sub_sport = message
            .field(1)
            .and_then(|f| f.int())
            .and_then(|v| u8::try_from(v).ok())
            .map(SubSport);
        if self.sport.is_none() {
            self.sport = Some((sport, sub_sport));
        }
    }

    pub(super) fn hrv(&mut self, message: &Message<'_>) {
        let Some(field) = message.field(0) else {
            return;
        };
        for index in 0..field.len() {
            if self.rr_intervals_ms.len() >= MAX_RR_INTERVALS {
                return;
            }
            if let Some(ms) = field.int_at(index).and_then(|v| u16::try_from(v).ok()) {
                self.rr_intervals_ms.push(ms);
            }
        }
    }
}
