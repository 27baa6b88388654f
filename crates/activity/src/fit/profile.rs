//! The subset of Garmin's FIT profile that Paceline reads: message and field numbers, base
//! types, the `file`, `sport` and `sub_sport` enums, manufacturer names, and the mapping from
//! FIT sports to Paceline's activity types.
//!
//! The names are the profile's own (Garmin FIT SDK profile 21.x), so they match what
//! Garmin's tools print.

use std::fmt;

/// Global message numbers of the messages the decoder reads.
pub mod mesg {
    /// `file_id`: the file's type, maker and creation time.
    pub const FILE_ID: u16 = 0;
    /// `session`: one leg of an activity with its totals.
    pub const SESSION: u16 = 18;
    /// `lap`.
    pub const LAP: u16 = 19;
    /// `record`: one sample of the record streams.
    pub const RECORD: u16 = 20;
    /// `event`: timer starts and stops, among others.
    pub const EVENT: u16 = 21;
    /// `device_info`.
    pub const DEVICE_INFO: u16 = 23;
    /// `sport`: the sport of a file that has no session.
    pub const SPORT: u16 = 12;
    /// `activity`: the number of sessions and the local time offset.
    pub const ACTIVITY: u16 = 34;
    /// `hrv`: beat-to-beat intervals.
    pub const HRV: u16 = 78;
    /// `length`: one pool length.
    pub const LENGTH: u16 = 101;
    /// `hr`: heart rates a chest strap stored while out of contact (swims).
    pub const HR: u16 = 132;
    /// `workout`: a planned workout's name, sport and number of steps.
    pub const WORKOUT: u16 = 26;
    /// `workout_step`: one step of a planned workout.
    pub const WORKOUT_STEP: u16 = 27;
}

/// The timestamp field, the same number in every message.
pub const FIELD_TIMESTAMP: u8 = 253;

/// A FIT base type: how a field's bytes are laid out and which value means "absent".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BaseType(u8);

impl BaseType {
    /// `enum`, one byte, absent is `0xFF`.
    pub const ENUM: Self = Self(0x00);
    /// `sint8`, absent is `0x7F`.
    pub const SINT8: Self = Self(0x01);
    /// `uint8`, absent is `0xFF`.
    pub const UINT8: Self = Self(0x02);
    /// `sint16`, absent is `0x7FFF`.
    pub const SINT16: Self = Self(0x03);
    /// `uint16`, absent is `0xFFFF`.
    pub const UINT16: Self = Self(0x04);
    /// `sint32`, absent is `0x7FFF_FFFF`.
    pub const SINT32: Self = Self(0x05);
    /// `uint32`, absent is `0xFFFF_FFFF`.
    pub const UINT32: Self = Self(0x06);
    /// `string`: NUL-terminated UTF-8.
    pub const STRING: Self = Self(0x07);
    /// `float32`, absent is all ones.
    pub const FLOAT32: Self = Self(0x08);
    /// `float64`, absent is all ones.
    pub const FLOAT64: Self = Self(0x09);
    /// `uint8z`, absent is `0`.
    pub const UINT8Z: Self = Self(0x0A);
    /// `uint16z`, absent is `0`.
    pub const UINT16Z: Self = Self(0x0B);
    /// `uint32z`, absent is `0`.
    pub const UINT32Z: Self = Self(0x0C);
    /// `byte`: an array of bytes, absent when every byte is `0xFF`.
    pub const BYTE: Self = Self(0x0D);
    /// `sint64`.
    pub const SINT64: Self = Self(0x0E);
    /// `uint64`.
    pub const UINT64: Self = Self(0x0F);
    /// `uint64z`.
    pub const UINT64Z: Self = Self(0x10);

    /// The base type of a definition's base-type byte (its low five bits), if the protocol
    /// knows it.
    #[must_use]
    pub fn from_byte(byte: u8) -> Option<Self> {
        let number = byte & 0x1F;
        (number <= 0x10).then_some(Self(number))
    }

    /// The base type number (0 to 16).
    #[must_use]
    pub fn number(self) -> u8 {
        self.0
    }

    /// The size of one element in bytes.
    #[must_use]
    pub fn size(self) -> usize {
        match self.0 {
            0x03 | 0x04 | 0x0B => 2,
            0x05 | 0x06 | 0x08 | 0x0C => 4,
            0x09 | 0x0E | 0x0F | 0x10 => 8,
            _ => 1,
        }
    }

    /// Whether the type is a signed integer.
    #[must_use]
    pub fn is_signed_int(self) -> bool {
        matches!(self.0, 0x01 | 0x03 | 0x05 | 0x0E)
    }

    /// Whether the type is a floating-point number.
    #[must_use]
    pub fn is_float(self) -> bool {
        matches!(self.0, 0x08 | 0x09)
    }

    /// The base-type byte a definition message writes: the number, with the endian-ability
    /// bit (0x80) set for multi-byte types.
    #[must_use]
    pub fn definition_byte(self) -> u8 {
        if self.size() > 1 {
            self.0 | 0x80
        } else {
            self.0
        }
    }

    /// The raw bit pattern that means "no value" for this type.
    #[must_use]
    pub fn invalid(self) -> u64 {
        match self.0 {
            0x01 => 0x7F,
            0x03 => 0x7FFF,
            0x05 => 0x7FFF_FFFF,
            0x0E => 0x7FFF_FFFF_FFFF_FFFF,
            0x07 | 0x0A | 0x0B | 0x0C | 0x10 => 0,
            0x04 => 0xFFFF,
            0x06 | 0x08 => 0xFFFF_FFFF,
            0x09 | 0x0F => u64::MAX,
            _ => 0xFF,
        }
    }
}

/// The `file` enum: what kind of FIT file this is, from its `file_id` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileType {
    /// `device`.
    Device,
    /// `settings`.
    Settings,
    /// `sport` (sport settings).
    Sport,
    /// `activity`: a recorded workout, the only kind Paceline imports as an activity.
    Activity,
    /// `workout`: a planned structured workout.
    Workout,
    /// `course`.
    Course,
    /// `schedules`.
    Schedules,
    /// `weight` (weight scale).
    Weight,
    /// `totals`.
    Totals,
    /// `goals`.
    Goals,
    /// `blood_pressure`.
    BloodPressure,
    /// `monitoring_a`.
    MonitoringA,
    /// `activity_summary`.
    ActivitySummary,
    /// `monitoring_daily`.
    MonitoringDaily,
    /// `monitoring_b`.
    MonitoringB,
    /// `segment`.
    Segment,
    /// `segment_list`.
    SegmentList,
    /// `exd_configuration`.
    ExdConfiguration,
    /// A number the profile does not name (manufacturer-specific range included).
    Other(u8),
}

impl FileType {
    /// The file type of a `file_id.type` value.
    #[must_use]
    pub fn from_number(number: u8) -> Self {
        match number {
            1 => Self::Device,
            2 => Self::Settings,
            3 => Self::Sport,
            4 => Self::Activity,
            5 => Self::Workout,
            6 => Self::Course,
            7 => Self::Schedules,
            9 => Self::Weight,
            10 => Self::Totals,
            11 => Self::Goals,
            14 => Self::BloodPressure,
            15 => Self::MonitoringA,
            20 => Self::ActivitySummary,
            28 => Self::MonitoringDaily,
            32 => Self::MonitoringB,
            34 => Self::Segment,
            35 => Self::SegmentList,
            40 => Self::ExdConfiguration,
            other => Self::Other(other),
        }
    }

    /// The profile's name for the type (`"activity"`, `"monitoring_b"`), if it has one.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::Device => "device",
            Self::Settings => "settings",
            Self::Sport => "sport",
            Self::Activity => "activity",
            Self::Workout => "workout",
            Self::Course => "course",
            Self::Schedules => "schedules",
            Self::Weight => "weight",
            Self::Totals => "totals",
            Self::Goals => "goals",
            Self::BloodPressure => "blood_pressure",
            Self::MonitoringA => "monitoring_a",
            Self::ActivitySummary => "activity_summary",
            Self::MonitoringDaily => "monitoring_daily",
            Self::MonitoringB => "monitoring_b",
            Self::Segment => "segment",
            Self::SegmentList => "segment_list",
            Self::ExdConfiguration => "exd_configuration",
            Self::Other(_) => return None,
        })
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self) {
            (Some(name), _) => f.write_str(name),
            (None, Self::Other(number)) => write!(f, "type {number}"),
            (None, _) => f.write_str("unknown"),
        }
    }
}

/// A FIT `sport` value, kept as its number so unknown sports survive a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sport(pub u8);

impl Sport {
    /// The profile's name (`"running"`, `"stand_up_paddleboarding"`), if it has one.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        lookup(SPORT_NAMES, u16::from(self.0))
    }
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

/// A FIT `sub_sport` value, kept as its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubSport(pub u8);

impl SubSport {
    /// The profile's name (`"trail"`, `"virtual_activity"`), if it has one.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        lookup(SUB_SPORT_NAMES, u16::from(self.0))
    }
}

impl fmt::Display for SubSport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

/// The profile's name of a `manufacturer` value (`"garmin"`, `"wahoo_fitness"`), if it has one.
#[must_use]
pub fn manufacturer_name(manufacturer: u16) -> Option<&'static str> {
    lookup(MANUFACTURER_NAMES, manufacturer)
}

fn lookup(table: &'static [(u16, &'static str)], key: u16) -> Option<&'static str> {
    table
        .binary_search_by_key(&key, |&(number, _)| number)
        .ok()
        .and_then(|index| table.get(index))
        .map(|&(_, name)| name)
}

/// Paceline's activity types, named as Train it All names them.
///
/// How a FIT session's `sport` and `sub_sport` map to them (the first matching row wins):
///
/// | FIT `sport` | FIT `sub_sport` | type |
/// |---|---|---|
/// | `cycling` (2), `e_biking` (21) | `virtual_activity` (58) | `VIRTUAL_RIDE` |
/// | `cycling` (2), `e_biking` (21) | any other | `RIDE` |
/// | `running` (1) | any | `RUN` |
/// | `fitness_equipment` (4) | `treadmill` (1), `indoor_running` (45) | `RUN` |
/// | `fitness_equipment` (4) | `indoor_cycling` (6), `spin` (5) | `RIDE` |
/// | `fitness_equipment` (4) | `indoor_rowing` (14) | `ROW` |
/// | `fitness_equipment` (4), `training` (10) | `strength_training` (20) | `STRENGTH` |
/// | `swimming` (5) | any | `SWIM` |
/// | `walking` (11) | any | `WALK` |
/// | `hiking` (17), `mountaineering` (16), `snowshoeing` (35) | any | `HIKE` |
/// | `rowing` (15) | any | `ROW` |
/// | `cross_country_skiing` (12), `alpine_skiing` (13), `snowboarding` (14) | any | `SKI` |
/// | `paddling` (19), `stand_up_paddleboarding` (37), `kayaking` (41), `rafting` (42), `canoeing` (88) | any | `PADDLE` |
/// | `transition` (3) | any | `TRANSITION` (a multisport leg only) |
/// | `multisport` (18) | any | `MULTISPORT` |
/// | anything else, or no sport | | `OTHER` |
///
/// An activity with more than one session is `MULTISPORT` whatever its legs are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActivityType {
    /// `RUN`.
    Run,
    /// `RIDE`: outdoor and indoor cycling.
    Ride,
    /// `VIRTUAL_RIDE`: cycling in a virtual world (Zwift and the like).
    VirtualRide,
    /// `SWIM`: pool and open water.
    Swim,
    /// `WALK`.
    Walk,
    /// `HIKE`.
    Hike,
    /// `STRENGTH`.
    Strength,
    /// `ROW`: on water or an ergometer.
    Row,
    /// `SKI`: cross-country, alpine, snowboard.
    Ski,
    /// `PADDLE`: stand-up paddleboard, kayak, canoe.
    Paddle,
    /// `TRANSITION`: the change between legs of a multisport activity.
    Transition,
    /// `MULTISPORT`: a triathlon, duathlon or any activity of several legs.
    Multisport,
    /// `OTHER`.
    Other,
}

impl ActivityType {
    /// The type for a FIT sport and sub-sport (see the table on [`ActivityType`]).
    #[must_use]
    pub fn from_sport(sport: Option<Sport>, sub_sport: Option<SubSport>) -> Self {
        let sub = sub_sport.map_or(0, |s| s.0);
        match sport.map(|s| s.0) {
            Some(2 | 21) if sub == 58 => Self::VirtualRide,
            Some(2 | 21) => Self::Ride,
            Some(1) => Self::Run,
            Some(4) => match sub {
                1 | 45 => Self::Run,
                5 | 6 => Self::Ride,
                14 => Self::Row,
                20 => Self::Strength,
                _ => Self::Other,
            },
            Some(10) if sub == 20 => Self::Strength,
            Some(5) => Self::Swim,
            Some(11) => Self::Walk,
            Some(16 | 17 | 35) => Self::Hike,
            Some(15) => Self::Row,
            Some(12..=14) => Self::Ski,
            Some(19 | 37 | 41 | 42 | 88) => Self::Paddle,
            Some(3) => Self::Transition,
            Some(18) => Self::Multisport,
            _ => Self::Other,
        }
    }

    /// The FIT sport and sub-sport to write for this type: the inverse of
    /// [`ActivityType::from_sport`] (`RUN` is `running`, `VIRTUAL_RIDE` is `cycling` /
    /// `virtual_activity`, `STRENGTH` is `training` / `strength_training`, `SKI` is
    /// `cross_country_skiing`, `PADDLE` is `paddling`, `HIKE` is `hiking`, `OTHER` is
    /// `generic`).
    #[must_use]
    pub fn fit_sport(self) -> (Sport, Option<SubSport>) {
        match self {
            Self::Run => (Sport(1), None),
            Self::Ride => (Sport(2), None),
            Self::VirtualRide => (Sport(2), Some(SubSport(58))),
            Self::Swim => (Sport(5), None),
            Self::Walk => (Sport(11), None),
            Self::Hike => (Sport(17), None),
            Self::Strength => (Sport(10), Some(SubSport(20))),
            Self::Row => (Sport(15), None),
            Self::Ski => (Sport(12), None),
            Self::Paddle => (Sport(19), None),
            Self::Transition => (Sport(3), None),
            Self::Multisport => (Sport(18), None),
            Self::Other => (Sport(0), None),
        }
    }

    /// The upper-case name (`"RUN"`, `"VIRTUAL_RIDE"`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Run => "RUN",
            Self::Ride => "RIDE",
            Self::VirtualRide => "VIRTUAL_RIDE",
            Self::Swim => "SWIM",
            Self::Walk => "WALK",
            Self::Hike => "HIKE",
            Self::Strength => "STRENGTH",
            Self::Row => "ROW",
            Self::Ski => "SKI",
            Self::Paddle => "PADDLE",
            Self::Transition => "TRANSITION",
            Self::Multisport => "MULTISPORT",
            Self::Other => "OTHER",
        }
    }
}

impl fmt::Display for ActivityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// The name tables below are the FIT profile's `sport`, `sub_sport` and `manufacturer` enums
// (profile 21.218), sorted by number for binary search.
const SPORT_NAMES: &[(u16, &str)] = &[
    (0, "generic"),
    (1, "running"),
    (2, "cycling"),
    (3, "transition"),
    (4, "fitness_equipment"),
    (5, "swimming"),
    (6, "basketball"),
    (7, "soccer"),
    (8, "tennis"),
    (9, "american_football"),
    (10, "training"),
    (11, "walking"),
    (12, "cross_country_skiing"),
    (13, "alpine_skiing"),
    (14, "snowboarding"),
    (15, "rowing"),
    (16, "mountaineering"),
    (17, "hiking"),
    (18, "multisport"),
    (19, "paddling"),
    (20, "flying"),
    (21, "e_biking"),
    (22, "motorcycling"),
    (23, "boating"),
    (24, "driving"),
    (25, "golf"),
    (26, "hang_gliding"),
    (27, "horseback_riding"),
    (28, "hunting"),
    (29, "fishing"),
    (30, "inline_skating"),
    (31, "rock_climbing"),
    (32, "sailing"),
    (33, "ice_skating"),
    (34, "sky_diving"),
    (35, "snowshoeing"),
    (36, "snowmobiling"),
    (37, "stand_up_paddleboarding"),
    (38, "surfing"),
    (39, "wakeboarding"),
    (40, "water_skiing"),
    (41, "kayaking"),
    (42, "rafting"),
    (43, "windsurfing"),
    (44, "kitesurfing"),
    (45, "tactical"),
    (46, "jumpmaster"),
    (47, "boxing"),
    (48, "floor_climbing"),
    (49, "baseball"),
    (53, "diving"),
    (56, "shooting"),
    (58, "winter_sport"),
    (59, "grinding"),
    (62, "hiit"),
    (63, "video_gaming"),
    (64, "racket"),
    (65, "wheelchair_push_walk"),
    (66, "wheelchair_push_run"),
    (67, "meditation"),
    (68, "para_sport"),
    (69, "disc_golf"),
    (70, "team_sport"),
    (71, "cricket"),
    (72, "rugby"),
    (73, "hockey"),
    (74, "lacrosse"),
    (75, "volleyball"),
    (76, "water_tubing"),
    (77, "wakesurfing"),
    (78, "water_sport"),
    (79, "archery"),
    (80, "mixed_martial_arts"),
    (81, "motor_sports"),
    (82, "snorkeling"),
    (83, "dance"),
    (84, "jump_rope"),
    (85, "pool_apnea"),
    (86, "mobility"),
    (87, "geocaching"),
    (88, "canoeing"),
    (254, "all"),
];
const SUB_SPORT_NAMES: &[(u16, &str)] = &[
    (0, "generic"),
    (1, "treadmill"),
    (2, "street"),
    (3, "trail"),
    (4, "track"),
    (5, "spin"),
    (6, "indoor_cycling"),
    (7, "road"),
    (8, "mountain"),
    (9, "downhill"),
    (10, "recumbent"),
    (11, "cyclocross"),
    (12, "hand_cycling"),
    (13, "track_cycling"),
    (14, "indoor_rowing"),
    (15, "elliptical"),
    (16, "stair_climbing"),
    (17, "lap_swimming"),
    (18, "open_water"),
    (19, "flexibility_training"),
    (20, "strength_training"),
    (21, "warm_up"),
    (22, "match"),
    (23, "exercise"),
    (24, "challenge"),
    (25, "indoor_skiing"),
    (26, "cardio_training"),
    (27, "indoor_walking"),
    (28, "e_bike_fitness"),
    (29, "bmx"),
    (30, "casual_walking"),
    (31, "speed_walking"),
    (32, "bike_to_run_transition"),
    (33, "run_to_bike_transition"),
    (34, "swim_to_bike_transition"),
    (35, "atv"),
    (36, "motocross"),
    (37, "backcountry"),
    (38, "resort"),
    (39, "rc_drone"),
    (40, "wingsuit"),
    (41, "whitewater"),
    (42, "skate_skiing"),
    (43, "yoga"),
    (44, "pilates"),
    (45, "indoor_running"),
    (46, "gravel_cycling"),
    (47, "e_bike_mountain"),
    (48, "commuting"),
    (49, "mixed_surface"),
    (50, "navigate"),
    (51, "track_me"),
    (52, "map"),
    (53, "single_gas_diving"),
    (54, "multi_gas_diving"),
    (55, "gauge_diving"),
    (56, "apnea_diving"),
    (57, "apnea_hunting"),
    (58, "virtual_activity"),
    (59, "obstacle"),
    (62, "breathing"),
    (63, "ccr_diving"),
    (65, "sail_race"),
    (66, "expedition"),
    (67, "ultra"),
    (68, "indoor_climbing"),
    (69, "bouldering"),
    (70, "hiit"),
    (71, "indoor_grinding"),
    (72, "hunting_with_dogs"),
    (73, "amrap"),
    (74, "emom"),
    (75, "tabata"),
    (77, "esport"),
    (78, "triathlon"),
    (79, "duathlon"),
    (80, "brick"),
    (81, "swim_run"),
    (82, "adventure_race"),
    (83, "trucker_workout"),
    (84, "pickleball"),
    (85, "padel"),
    (86, "indoor_wheelchair_walk"),
    (87, "indoor_wheelchair_run"),
    (88, "indoor_hand_cycling"),
    (90, "field"),
    (91, "ice"),
    (92, "ultimate"),
    (93, "platform"),
    (94, "squash"),
    (95, "badminton"),
    (96, "racquetball"),
    (97, "table_tennis"),
    (98, "overland"),
    (99, "trolling_motor"),
    (110, "fly_canopy"),
    (111, "fly_paraglide"),
    (112, "fly_paramotor"),
    (113, "fly_pressurized"),
    (114, "fly_navigate"),
    (115, "fly_timer"),
    (116, "fly_altimeter"),
    (117, "fly_wx"),
    (118, "fly_vfr"),
    (119, "fly_ifr"),
    (121, "dynamic_apnea"),
    (123, "enduro"),
    (124, "rucking"),
    (125, "rally"),
    (126, "pool_triathlon"),
    (127, "e_bike_enduro"),
    (254, "all"),
];
const MANUFACTURER_NAMES: &[(u16, &str)] = &[
    (1, "garmin"),
    (2, "garmin_fr405_antfs"),
    (3, "zephyr"),
    (4, "dayton"),
    (5, "idt"),
    (6, "srm"),
    (7, "quarq"),
    (8, "ibike"),
    (9, "saris"),
    (10, "spark_hk"),
    (11, "tanita"),
    (12, "echowell"),
    (13, "dynastream_oem"),
    (14, "nautilus"),
    (15, "dynastream"),
    (16, "timex"),
    (17, "metrigear"),
    (18, "xelic"),
    (19, "beurer"),
    (20, "cardiosport"),
    (21, "a_and_d"),
    (22, "hmm"),
    (23, "suunto"),
    (24, "thita_elektronik"),
    (25, "gpulse"),
    (26, "clean_mobile"),
    (27, "pedal_brain"),
    (28, "peaksware"),
    (29, "saxonar"),
    (30, "lemond_fitness"),
    (31, "dexcom"),
    (32, "wahoo_fitness"),
    (33, "octane_fitness"),
    (34, "archinoetics"),
    (35, "the_hurt_box"),
    (36, "citizen_systems"),
    (37, "magellan"),
    (38, "osynce"),
    (39, "holux"),
    (40, "concept2"),
    (41, "shimano"),
    (42, "one_giant_leap"),
    (43, "ace_sensor"),
    (44, "brim_brothers"),
    (45, "xplova"),
    (46, "perception_digital"),
    (47, "bf1systems"),
    (48, "pioneer"),
    (49, "spantec"),
    (50, "metalogics"),
    (51, "4iiiis"),
    (52, "seiko_epson"),
    (53, "seiko_epson_oem"),
    (54, "ifor_powell"),
    (55, "maxwell_guider"),
    (56, "star_trac"),
    (57, "breakaway"),
    (58, "alatech_technology_ltd"),
    (59, "mio_technology_europe"),
    (60, "rotor"),
    (61, "geonaute"),
    (62, "id_bike"),
    (63, "specialized"),
    (64, "wtek"),
    (65, "physical_enterprises"),
    (66, "north_pole_engineering"),
    (67, "bkool"),
    (68, "cateye"),
    (69, "stages_cycling"),
    (70, "sigmasport"),
    (71, "tomtom"),
    (72, "peripedal"),
    (73, "wattbike"),
    (76, "moxy"),
    (77, "ciclosport"),
    (78, "powerbahn"),
    (79, "acorn_projects_aps"),
    (80, "lifebeam"),
    (81, "bontrager"),
    (82, "wellgo"),
    (83, "scosche"),
    (84, "magura"),
    (85, "woodway"),
    (86, "elite"),
    (87, "nielsen_kellerman"),
    (88, "dk_city"),
    (89, "tacx"),
    (90, "direction_technology"),
    (91, "magtonic"),
    (92, "1partcarbon"),
    (93, "inside_ride_technologies"),
    (94, "sound_of_motion"),
    (95, "stryd"),
    (96, "icg"),
    (97, "MiPulse"),
    (98, "bsx_athletics"),
    (99, "look"),
    (100, "campagnolo_srl"),
    (101, "body_bike_smart"),
    (102, "praxisworks"),
    (103, "limits_technology"),
    (104, "topaction_technology"),
    (105, "cosinuss"),
    (106, "fitcare"),
    (107, "magene"),
    (108, "giant_manufacturing_co"),
    (109, "tigrasport"),
    (110, "salutron"),
    (111, "technogym"),
    (112, "bryton_sensors"),
    (113, "latitude_limited"),
    (114, "soaring_technology"),
    (115, "igpsport"),
    (116, "thinkrider"),
    (117, "gopher_sport"),
    (118, "waterrower"),
    (119, "orangetheory"),
    (120, "inpeak"),
    (121, "kinetic"),
    (122, "johnson_health_tech"),
    (123, "polar_electro"),
    (124, "seesense"),
    (125, "nci_technology"),
    (126, "iqsquare"),
    (127, "leomo"),
    (128, "ifit_com"),
    (129, "coros_byte"),
    (130, "versa_design"),
    (131, "chileaf"),
    (132, "cycplus"),
    (133, "gravaa_byte"),
    (134, "sigeyi"),
    (135, "coospo"),
    (136, "geoid"),
    (137, "bosch"),
    (138, "kyto"),
    (139, "kinetic_sports"),
    (140, "decathlon_byte"),
    (141, "tq_systems"),
    (142, "tag_heuer"),
    (143, "keiser_fitness"),
    (144, "zwift_byte"),
    (145, "porsche_ep"),
    (146, "blackbird"),
    (147, "meilan_byte"),
    (148, "ezon"),
    (149, "laisi"),
    (150, "myzone"),
    (151, "abawo"),
    (152, "bafang"),
    (153, "luhong_technology"),
    (255, "development"),
    (257, "healthandlife"),
    (258, "lezyne"),
    (259, "scribe_labs"),
    (260, "zwift"),
    (261, "watteam"),
    (262, "recon"),
    (263, "favero_electronics"),
    (264, "dynovelo"),
    (265, "strava"),
    (266, "precor"),
    (267, "bryton"),
    (268, "sram"),
    (269, "navman"),
    (270, "cobi"),
    (271, "spivi"),
    (272, "mio_magellan"),
    (273, "evesports"),
    (274, "sensitivus_gauge"),
    (275, "podoon"),
    (276, "life_time_fitness"),
    (277, "falco_e_motors"),
    (278, "minoura"),
    (279, "cycliq"),
    (280, "luxottica"),
    (281, "trainer_road"),
    (282, "the_sufferfest"),
    (283, "fullspeedahead"),
    (284, "virtualtraining"),
    (285, "feedbacksports"),
    (286, "omata"),
    (287, "vdo"),
    (288, "magneticdays"),
    (289, "hammerhead"),
    (290, "kinetic_by_kurt"),
    (291, "shapelog"),
    (292, "dabuziduo"),
    (293, "jetblack"),
    (294, "coros"),
    (295, "virtugo"),
    (296, "velosense"),
    (297, "cycligentinc"),
    (298, "trailforks"),
    (299, "mahle_ebikemotion"),
    (300, "nurvv"),
    (301, "microprogram"),
    (302, "zone5cloud"),
    (303, "greenteg"),
    (304, "yamaha_motors"),
    (305, "whoop"),
    (306, "gravaa"),
    (307, "onelap"),
    (308, "monark_exercise"),
    (309, "form"),
    (310, "decathlon"),
    (311, "syncros"),
    (312, "heatup"),
    (313, "cannondale"),
    (314, "true_fitness"),
    (315, "RGT_cycling"),
    (316, "vasa"),
    (317, "race_republic"),
    (318, "fazua"),
    (319, "oreka_training"),
    (320, "lsec"),
    (321, "lululemon_studio"),
    (322, "shanyue"),
    (323, "spinning_mda"),
    (324, "hilldating"),
    (325, "aero_sensor"),
    (326, "nike"),
    (327, "magicshine"),
    (328, "ictrainer"),
    (329, "absolute_cycling"),
    (330, "eo_swimbetter"),
    (331, "mywhoosh"),
    (332, "ravemen"),
    (333, "tektro_racing_products"),
    (334, "darad_innovation_corporation"),
    (335, "cycloptim"),
    (337, "runna"),
    (339, "zepp"),
    (340, "peloton"),
    (341, "carv"),
    (342, "tissot"),
    (345, "real_velo"),
    (346, "wetech"),
    (347, "jespr"),
    (348, "huawei"),
    (349, "gotoes"),
    (350, "cadence_app"),
    (351, "una_watch"),
    (352, "tymewear"),
    (353, "exposure_lights"),
    (354, "forto_cycling"),
    (5759, "actigraphcorp"),
];
