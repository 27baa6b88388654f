//! The TCX state machine: one pass over the scanner's items, a stack of the open elements
//! the reader cares about, values parsed when their element closes.
//!
//! The elements it acts on are in `nodes`.

mod nodes;

use super::{TcxActivity, TcxFile, TcxLap, TcxTrack};
use crate::fit::collect::TimerEvents;
use crate::fit::summary::{self, Inputs};
use crate::fit::{
    ActivityType, Figures, LapSummary, LegSummary, MAX_LAPS, MAX_RECORDS, Position, Record,
    RecordStreams, Sport,
};
use crate::xml::scan::{Item, Scanner, attribute, local_name};
use crate::xml::{Timestamp, XmlError, bad_value, is_blank, number, semicircles, whole};
use nodes::{Node, child, is_leaf};

/// A lap being read.
#[derive(Default)]
struct LapState {
    start: Option<Timestamp>,
    figures: Figures,
    first_record: usize,
    last_point: Option<Timestamp>,
    tracks: Vec<TcxTrack>,
}

/// An activity being read.
struct ActivityState {
    sport: String,
    id: Option<Timestamp>,
    first_lap: usize,
    first_record: usize,
}

struct Reader {
    streams: RecordStreams,
    course_streams: RecordStreams,
    in_course: bool,
    courses_with_points: usize,
    laps: Vec<LapSummary>,
    lap_details: Vec<TcxLap>,
    activities: Vec<TcxActivity>,
    activity: Option<ActivityState>,
    lap: Option<LapState>,
    point: Record,
    point_time: Option<Timestamp>,
    lat: Option<f64>,
    lon: Option<f64>,
    multisport_sessions: usize,
    courses: usize,
    workouts: usize,
}

pub(super) fn parse(bytes: &[u8]) -> Result<TcxFile, XmlError> {
    let mut scanner = Scanner::new(bytes)?;
    let mut reader = Reader {
        streams: RecordStreams::default(),
        course_streams: RecordStreams::default(),
        in_course: false,
        courses_with_points: 0,
        laps: Vec::new(),
        lap_details: Vec::new(),
        activities: Vec::new(),
        activity: None,
        lap: None,
        point: Record::default(),
        point_time: None,
        lat: None,
        lon: None,
        multisport_sessions: 0,
        courses: 0,
        workouts: 0,
    };
    let mut stack: Vec<Node> = Vec::with_capacity(16);
    let mut text = String::new();
    while let Some(item) = scanner.next()? {
        let offset = scanner.offset();
        match item {
            Item::Start { element, empty } => {
                let parent = stack.last().copied().unwrap_or(Node::Root);
                let name = local_name(&element);
                let node = if parent == Node::Root {
                    if name != "TrainingCenterDatabase" {
                        return Err(XmlError::WrongRoot {
                            expected: "TCX (TrainingCenterDatabase)",
                            found: name.chars().take(40).collect(),
                        });
                    }
                    Node::Database
                } else {
                    child(parent, name)
                };
                text.clear();
                reader.open(node, &element, offset)?;
                if empty {
                    reader.close(node, "", offset)?;
                } else {
                    stack.push(node);
                }
            }
            Item::End => {
                if let Some(node) = stack.pop() {
                    reader.close(node, &text, offset)?;
                }
                text.clear();
            }
            Item::Text(chunk) => {
                if stack.last().is_some_and(|node| is_leaf(*node)) {
                    text.push_str(&chunk);
                }
            }
        }
    }
    Ok(reader.finish())
}

/// A value that must parse when present; blank is absent.
fn optional(text: &str, offset: usize, what: &'static str) -> Result<Option<f64>, XmlError> {
    if is_blank(text) {
        return Ok(None);
    }
    number(text)
        .map(Some)
        .ok_or_else(|| bad_value(offset, what, text))
}

fn optional_whole(
    text: &str,
    offset: usize,
    what: &'static str,
    max: f64,
) -> Result<Option<u32>, XmlError> {
    if is_blank(text) {
        return Ok(None);
    }
    whole(text, offset, what, max).map(Some)
}

fn time(text: &str, offset: usize, what: &'static str) -> Result<Option<Timestamp>, XmlError> {
    if is_blank(text) {
        return Ok(None);
    }
    Timestamp::parse(text)
        .map(Some)
        .ok_or_else(|| bad_value(offset, what, text))
}

impl Reader {
    fn open(
        &mut self,
        node: Node,
        element: &quick_xml::events::BytesStart<'_>,
        offset: usize,
    ) -> Result<(), XmlError> {
        match node {
            Node::Activity => {
                let sport = attribute(element, "Sport", offset)?.unwrap_or_default();
                self.activity = Some(ActivityState {
                    sport: sport.chars().take(64).collect(),
                    id: None,
                    first_lap: self.laps.len(),
                    first_record: self.streams.len(),
                });
            }
            Node::Lap => {
                if self.laps.len() >= MAX_LAPS {
                    return Err(XmlError::TooMany {
                        offset,
                        what: "laps",
                        limit: MAX_LAPS,
                    });
                }
                let start = match attribute(element, "StartTime", offset)? {
                    Some(value) => time(&value, offset, "Lap StartTime")?,
                    None => None,
                };
                self.lap = Some(LapState {
                    start,
                    first_record: self.streams.len(),
                    ..LapState::default()
                });
            }
            Node::Course => {
                self.courses += 1;
                self.in_course = true;
            }
            Node::Workout => self.workouts += 1,
            Node::MultiSport => self.multisport_sessions += 1,
            Node::Track => {
                if let (Some(lap), false) = (&mut self.lap, self.in_course) {
                    let at = self.streams.len();
                    lap.tracks.push(TcxTrack {
                        records: at..at,
                        first_point: None,
                        last_point: None,
                    });
                }
            }
            Node::Trackpoint => {
                self.point = Record::default();
                self.point_time = None;
                self.lat = None;
                self.lon = None;
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, node: Node, text: &str, offset: usize) -> Result<(), XmlError> {
        let point = &mut self.point;
        match node {
            Node::ActivityId => {
                if let Some(activity) = &mut self.activity {
                    activity.id = time(text, offset, "Activity Id")?;
                }
            }
            Node::LapTime | Node::LapDistance | Node::LapMaxSpeed | Node::LapAvgSpeed => {
                let value = optional(text, offset, "a lap figure")?.filter(|v| *v >= 0.0);
                if let Some(lap) = &mut self.lap {
                    let figures = &mut lap.figures;
                    match node {
                        Node::LapTime => figures.timer_s = value,
                        Node::LapDistance => figures.distance_m = value,
                        Node::LapMaxSpeed => figures.max_speed_mps = value,
                        _ => figures.avg_speed_mps = value,
                    }
                }
            }
            Node::LapCalories => {
                let value = optional_whole(text, offset, "Calories", f64::from(u32::MAX))?;
                if let Some(lap) = &mut self.lap {
                    lap.figures.calories_kcal = value;
                }
            }
            Node::LapAvgHrValue | Node::LapMaxHrValue | Node::LapCadence => {
                let value = optional_whole(text, offset, "a lap heart rate or cadence", 255.0)?
                    .and_then(|v| u8::try_from(v).ok());
                if let Some(lap) = &mut self.lap {
                    match node {
                        Node::LapAvgHrValue => lap.figures.avg_heart_rate = value,
                        Node::LapMaxHrValue => lap.figures.max_heart_rate = value,
                        _ => lap.figures.avg_cadence = value,
                    }
                }
            }
            Node::LapAvgWatts | Node::LapMaxWatts => {
                let value = optional_whole(text, offset, "lap watts", 65_535.0)?
                    .and_then(|v| u16::try_from(v).ok());
                if let Some(lap) = &mut self.lap {
                    if node == Node::LapAvgWatts {
                        lap.figures.avg_power_w = value;
                    } else {
                        lap.figures.max_power_w = value;
                    }
                }
            }
            Node::Time => {
                self.point_time = time(text, offset, "Trackpoint Time")?;
                point.time = self.point_time.and_then(Timestamp::fit_time);
            }
            Node::Latitude | Node::Longitude => {
                let value = optional(text, offset, "a position")?;
                let limit = if node == Node::Latitude { 90.0 } else { 180.0 };
                if value.is_some_and(|degrees| degrees.abs() > limit) {
                    return Err(bad_value(offset, "a position", text));
                }
                if node == Node::Latitude {
                    self.lat = value;
                } else {
                    self.lon = value;
                }
            }
            Node::Altitude => point.altitude_m = optional(text, offset, "AltitudeMeters")?,
            Node::Distance => {
                point.distance_m = optional(text, offset, "DistanceMeters")?.filter(|v| *v >= 0.0);
            }
            Node::Speed => point.speed_mps = optional(text, offset, "Speed")?.filter(|v| *v >= 0.0),
            Node::HeartRateValue => {
                point.heart_rate = optional_whole(text, offset, "HeartRateBpm", 255.0)?
                    .and_then(|v| u8::try_from(v).ok());
            }
            Node::Cadence | Node::RunCadence => {
                point.cadence = optional_whole(text, offset, "Cadence", 255.0)?
                    .and_then(|v| u8::try_from(v).ok());
            }
            Node::Watts => {
                point.power_w = optional_whole(text, offset, "Watts", 65_535.0)?
                    .and_then(|v| u16::try_from(v).ok());
            }
            Node::Position => {
                // Half a position is no position.
                point.position = match (self.lat.take(), self.lon.take()) {
                    (Some(lat), Some(lon)) => Some(Position {
                        lat_semicircles: semicircles(lat),
                        lon_semicircles: semicircles(lon),
                    }),
                    _ => None,
                };
            }
            Node::Trackpoint => self.end_point(offset)?,
            Node::Lap => self.end_lap(),
            Node::Activity => self.end_activity(),
            Node::Course => {
                self.in_course = false;
                if !self.course_streams.is_empty() {
                    self.courses_with_points += 1;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end_point(&mut self, offset: usize) -> Result<(), XmlError> {
        let sink = if self.in_course {
            // Only the first course's points are kept, for a file without activities.
            if self.courses_with_points > 0 {
                return Ok(());
            }
            &mut self.course_streams
        } else if self.activity.is_some() {
            &mut self.streams
        } else {
            return Ok(());
        };
        if sink.len() >= MAX_RECORDS {
            return Err(XmlError::TooMany {
                offset,
                what: "trackpoints",
                limit: MAX_RECORDS,
            });
        }
        sink.push(self.point);
        if !self.in_course
            && let Some(lap) = &mut self.lap
        {
            let len = self.streams.len();
            if let Some(track) = lap.tracks.last_mut() {
                track.records.end = len;
                if let Some(at) = self.point_time {
                    track.first_point.get_or_insert(at);
                    track.last_point = Some(at);
                }
            }
            if let Some(at) = self.point_time {
                lap.last_point = Some(at);
            }
        }
        Ok(())
    }

    fn end_lap(&mut self) {
        let Some(lap) = self.lap.take() else {
            return;
        };
        let sport = self.activity.as_ref().map(|a| tcx_sport(&a.sport));
        self.laps.push(LapSummary {
            sport,
            sub_sport: None,
            start_time: lap.start.and_then(Timestamp::fit_time),
            end_time: lap.last_point.and_then(Timestamp::fit_time),
            figures: lap.figures,
        });
        self.lap_details.push(TcxLap {
            start: lap.start,
            last_point: lap.last_point,
            records: lap.first_record..self.streams.len(),
            tracks: lap.tracks,
        });
    }

    fn end_activity(&mut self) {
        if let Some(activity) = self.activity.take() {
            self.activities.push(TcxActivity {
                sport: activity.sport,
                id: activity.id,
                laps: activity.first_lap..self.laps.len(),
                records: activity.first_record..self.streams.len(),
            });
        }
    }

    fn finish(mut self) -> TcxFile {
        let streams_from_course = self.activities.is_empty() && !self.course_streams.is_empty();
        if streams_from_course {
            self.streams = std::mem::take(&mut self.course_streams);
        }
        let legs: Vec<LegSummary> = self
            .activities
            .iter()
            .map(|activity| self.leg(activity))
            .collect();
        let summary = summary::summarize(&Inputs {
            legs: &legs,
            lap_count: self.laps.len(),
            records: &summary::RecordStats::of(&self.streams),
            activity: None,
            sport: None,
            first_lap_sport: None,
            timer: &TimerEvents::default(),
        });
        TcxFile {
            summary,
            legs,
            laps: self.laps,
            streams: self.streams,
            activities: self.activities,
            lap_details: self.lap_details,
            multisport_sessions: self.multisport_sessions,
            courses: self.courses,
            workouts: self.workouts,
            streams_from_course,
        }
    }

    /// A leg from its laps: totals summed, averages weighted by lap time.
    fn leg(&self, activity: &TcxActivity) -> LegSummary {
        let sport = tcx_sport(&activity.sport);
        let laps = self.laps.get(activity.laps.clone()).unwrap_or_default();
        let details = self
            .lap_details
            .get(activity.laps.clone())
            .unwrap_or_default();
        let start = details.first().and_then(|lap| lap.start).or(activity.id);
        let last_point = details.iter().rev().find_map(|lap| lap.last_point);
        let figures = laps.iter().map(|lap| lap.figures);
        let sum = |get: fn(&Figures) -> Option<f64>| {
            figures
                .clone()
                .filter_map(|f| get(&f))
                .fold(None, |total: Option<f64>, v| Some(total.unwrap_or(0.0) + v))
        };
        let weighted = |get: fn(&Figures) -> Option<f64>| {
            let (total, weight) = figures
                .clone()
                .filter_map(|f| Some((get(&f)?, f.timer_s.unwrap_or(0.0))))
                .fold((0.0, 0.0), |(t, w), (v, x)| (t + v * x, w + x));
            (weight > 0.0).then(|| (total / weight).round())
        };
        let max = |get: fn(&Figures) -> Option<f64>| {
            figures.clone().filter_map(|f| get(&f)).reduce(f64::max)
        };
        let timer_s = sum(|f| f.timer_s);
        let distance_m = sum(|f| f.distance_m);
        LegSummary {
            activity_type: ActivityType::from_sport(Some(sport), None),
            sport: Some(sport),
            sub_sport: None,
            start_time: start.and_then(Timestamp::fit_time),
            end_time: last_point.and_then(Timestamp::fit_time),
            figures: Figures {
                elapsed_s: start
                    .zip(last_point)
                    .map(|(start, end)| end.seconds_since(start))
                    .filter(|s| *s >= 0.0),
                timer_s,
                distance_m,
                ascent_m: None,
                descent_m: None,
                avg_heart_rate: weighted(|f| f.avg_heart_rate.map(f64::from)).map(|v| v as u8),
                max_heart_rate: max(|f| f.max_heart_rate.map(f64::from)).map(|v| v as u8),
                avg_power_w: weighted(|f| f.avg_power_w.map(f64::from)).map(|v| v as u16),
                max_power_w: max(|f| f.max_power_w.map(f64::from)).map(|v| v as u16),
                normalized_power_w: None,
                avg_cadence: weighted(|f| f.avg_cadence.map(f64::from)).map(|v| v as u8),
                max_cadence: None,
                avg_speed_mps: match (distance_m, timer_s) {
                    (Some(d), Some(t)) if t > 0.0 => Some(d / t),
                    _ => None,
                },
                max_speed_mps: max(|f| f.max_speed_mps),
                calories_kcal: sum(|f| f.calories_kcal.map(f64::from)).map(|v| v as u32),
            },
            lap_count: u16::try_from(laps.len()).ok(),
            first_lap_index: u16::try_from(activity.laps.start).ok(),
            pool_length_m: None,
            active_lengths: None,
        }
    }
}

/// The FIT sport of a TCX `Sport` attribute.
fn tcx_sport(sport: &str) -> Sport {
    match sport {
        "Running" => Sport(1),
        "Biking" => Sport(2),
        _ => Sport(0),
    }
}
