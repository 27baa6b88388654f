//! The GPX state machine: one pass over the scanner's items; geometry accumulated per
//! segment as gpxpy nests it (segment, track, file).

use super::geo;
use super::{GpxFile, GpxTrack};
use crate::fit::collect::TimerEvents;
use crate::fit::summary::{self, Inputs};
use crate::fit::{ActivityType, MAX_RECORDS, Position, Record, RecordStreams, Sport};
use crate::xml::scan::{Item, Scanner, attribute, local_name};
use crate::xml::{Timestamp, XmlError, bad_value, is_blank, number, semicircles, whole};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Root,
    Gpx,
    Track,
    TrackName,
    TrackType,
    Segment,
    Point,
    Elevation,
    Time,
    Speed,
    Extensions,
    HeartRate,
    Cadence,
    Power,
    Temperature,
    Route,
    Other,
}

fn child(parent: Node, name: &str) -> Node {
    use Node as N;
    match (parent, name) {
        (N::Gpx, "trk") => N::Track,
        (N::Gpx, "rte") => N::Route,
        (N::Track, "name") => N::TrackName,
        (N::Track, "type") => N::TrackType,
        (N::Track, "trkseg") => N::Segment,
        (N::Segment, "trkpt") => N::Point,
        (N::Point, "ele") => N::Elevation,
        (N::Point, "time") => N::Time,
        (N::Point, "speed") => N::Speed,
        (N::Point, "extensions") => N::Extensions,
        (N::Extensions, "hr" | "heartrate") => N::HeartRate,
        (N::Extensions, "cad" | "cadence") => N::Cadence,
        (N::Extensions, "power" | "PowerInWatts") => N::Power,
        (N::Extensions, "atemp" | "temp" | "Temperature") => N::Temperature,
        (N::Extensions, "speed") => N::Speed,
        // Extension containers (`TrackPointExtension`) nest the values one level down.
        (N::Extensions, _) => N::Extensions,
        _ => N::Other,
    }
}

fn is_leaf(node: Node) -> bool {
    matches!(
        node,
        Node::TrackName
            | Node::TrackType
            | Node::Elevation
            | Node::Time
            | Node::Speed
            | Node::HeartRate
            | Node::Cadence
            | Node::Power
            | Node::Temperature
    )
}

/// A segment being read: what gpxpy needs of it.
#[derive(Default)]
struct Segment {
    points: usize,
    first_time: Option<Option<Timestamp>>,
    second_time: Option<Option<Timestamp>>,
    last_time: Option<Timestamp>,
    before_last_time: Option<Timestamp>,
    previous: Option<(f64, f64, Option<f64>)>,
    length_2d: f64,
    length_3d: f64,
    elevations: Vec<f64>,
}

impl Segment {
    /// gpxpy's `GPXTrackSegment.get_duration`.
    fn duration(&self) -> Option<f64> {
        if self.points < 2 {
            return Some(0.0);
        }
        let first = self.first_time.flatten().or(self.second_time.flatten())?;
        let last = self.last_time.or(self.before_last_time)?;
        (last >= first).then(|| last.seconds_since(first))
    }
}

/// Totals over a track or the file: lengths, climbs and duration.
#[derive(Clone, Copy)]
struct Totals {
    length_2d: f64,
    length_3d: f64,
    uphill: f64,
    downhill: f64,
    duration: Option<f64>,
}

impl Default for Totals {
    fn default() -> Self {
        Self {
            length_2d: 0.0,
            length_3d: 0.0,
            uphill: 0.0,
            downhill: 0.0,
            duration: Some(0.0),
        }
    }
}

impl Totals {
    fn add(&mut self, other: &Self) {
        self.length_2d += other.length_2d;
        self.length_3d += other.length_3d;
        self.uphill += other.uphill;
        self.downhill += other.downhill;
        self.duration = self.duration.zip(other.duration).map(|(a, b)| a + b);
    }
}

struct Reader {
    version: Option<String>,
    creator: Option<String>,
    streams: RecordStreams,
    tracks: Vec<GpxTrack>,
    routes: usize,
    route_points: usize,
    waypoints: usize,
    start_time: Option<Timestamp>,
    end_time: Option<Timestamp>,
    segment: Segment,
    track: Totals,
    file: Totals,
    point: Record,
    point_at: (f64, f64),
    point_time: Option<Timestamp>,
}

pub(super) fn parse(bytes: &[u8]) -> Result<GpxFile, XmlError> {
    let mut scanner = Scanner::new(bytes)?;
    let mut reader = Reader {
        version: None,
        creator: None,
        streams: RecordStreams::default(),
        tracks: Vec::new(),
        routes: 0,
        route_points: 0,
        waypoints: 0,
        start_time: None,
        end_time: None,
        segment: Segment::default(),
        track: Totals::default(),
        file: Totals::default(),
        point: Record::default(),
        point_at: (0.0, 0.0),
        point_time: None,
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
                    if name != "gpx" {
                        return Err(XmlError::WrongRoot {
                            expected: "GPX",
                            found: name.chars().take(40).collect(),
                        });
                    }
                    reader.version =
                        attribute(&element, "version", offset)?.map(|v| v.into_owned());
                    reader.creator =
                        attribute(&element, "creator", offset)?.map(|v| v.into_owned());
                    Node::Gpx
                } else {
                    child(parent, name)
                };
                text.clear();
                match (parent, name, node) {
                    (_, _, Node::Point) => reader.open_point(&element, offset)?,
                    (_, _, Node::Track) => reader.tracks.push(GpxTrack {
                        name: None,
                        kind: None,
                        segments: 0,
                        records: reader.streams.len()..reader.streams.len(),
                    }),
                    (_, _, Node::Segment) => reader.segment = Segment::default(),
                    (_, _, Node::Route) => reader.routes += 1,
                    (Node::Route, "rtept", _) => reader.route_points += 1,
                    (Node::Gpx, "wpt", _) => reader.waypoints += 1,
                    _ => {}
                }
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

fn optional(text: &str, offset: usize, what: &'static str) -> Result<Option<f64>, XmlError> {
    if is_blank(text) {
        return Ok(None);
    }
    number(text)
        .map(Some)
        .ok_or_else(|| bad_value(offset, what, text))
}

impl Reader {
    fn open_point(
        &mut self,
        element: &quick_xml::events::BytesStart<'_>,
        offset: usize,
    ) -> Result<(), XmlError> {
        let coordinate = |name: &'static str, limit: f64| -> Result<f64, XmlError> {
            let value = attribute(element, name, offset)?.unwrap_or_default();
            number(&value)
                .filter(|v| v.abs() <= limit)
                .ok_or_else(|| bad_value(offset, name, &value))
        };
        self.point_at = (coordinate("lat", 90.0)?, coordinate("lon", 180.0)?);
        self.point = Record {
            position: Some(Position {
                lat_semicircles: semicircles(self.point_at.0),
                lon_semicircles: semicircles(self.point_at.1),
            }),
            ..Record::default()
        };
        self.point_time = None;
        Ok(())
    }

    fn close(&mut self, node: Node, text: &str, offset: usize) -> Result<(), XmlError> {
        let point = &mut self.point;
        match node {
            Node::TrackName | Node::TrackType => {
                let value = (!is_blank(text)).then(|| text.trim().chars().take(256).collect());
                // GPX 1.0 tracks have no `type` (its schema has none; gpxpy ignores one).
                let has_type = self.version.as_deref() != Some("1.0");
                if let Some(track) = self.tracks.last_mut() {
                    if node == Node::TrackName {
                        track.name = value;
                    } else if has_type {
                        track.kind = value;
                    }
                }
            }
            Node::Elevation => point.altitude_m = optional(text, offset, "ele")?,
            Node::Time => {
                self.point_time = if is_blank(text) {
                    None
                } else {
                    Some(Timestamp::parse(text).ok_or_else(|| bad_value(offset, "time", text))?)
                };
                point.time = self.point_time.and_then(Timestamp::fit_time);
            }
            Node::Speed => point.speed_mps = optional(text, offset, "speed")?.filter(|v| *v >= 0.0),
            Node::HeartRate | Node::Cadence => {
                let value = if is_blank(text) {
                    None
                } else {
                    u8::try_from(whole(text, offset, "a heart rate or cadence", 255.0)?).ok()
                };
                if node == Node::HeartRate {
                    point.heart_rate = value;
                } else {
                    point.cadence = value;
                }
            }
            Node::Power => {
                point.power_w = if is_blank(text) {
                    None
                } else {
                    u16::try_from(whole(text, offset, "power", 65_535.0)?).ok()
                };
            }
            Node::Temperature => {
                point.temperature_c = optional(text, offset, "temperature")?
                    .map(|t| t.round().clamp(-127.0, 126.0) as i8);
            }
            Node::Point => self.end_point(offset)?,
            Node::Segment => self.end_segment(),
            Node::Track => self.end_track(),
            _ => {}
        }
        Ok(())
    }

    fn end_point(&mut self, offset: usize) -> Result<(), XmlError> {
        if self.streams.len() >= MAX_RECORDS {
            return Err(XmlError::TooMany {
                offset,
                what: "track points",
                limit: MAX_RECORDS,
            });
        }
        let segment = &mut self.segment;
        let here = (self.point_at.0, self.point_at.1, self.point.altitude_m);
        if let Some(previous) = segment.previous {
            let (d2, d3) = geo::distances(here, previous);
            segment.length_2d += d2;
            segment.length_3d += d3;
        }
        segment.previous = Some(here);
        match segment.points {
            0 => segment.first_time = Some(self.point_time),
            1 => segment.second_time = Some(self.point_time),
            _ => {}
        }
        segment.before_last_time = segment.last_time;
        segment.last_time = self.point_time;
        segment.points += 1;
        if let Some(elevation) = self.point.altitude_m {
            segment.elevations.push(elevation);
        }
        if let Some(at) = self.point_time {
            self.start_time.get_or_insert(at);
            self.end_time = Some(at);
        }
        let distance = self.file.length_2d + self.track.length_2d + segment.length_2d;
        self.point.distance_m = Some(distance);
        self.streams.push(self.point);
        if let Some(track) = self.tracks.last_mut() {
            track.records.end = self.streams.len();
        }
        Ok(())
    }

    fn end_segment(&mut self) {
        let segment = std::mem::take(&mut self.segment);
        let (uphill, downhill) = geo::uphill_downhill(&segment.elevations);
        self.track.add(&Totals {
            length_2d: segment.length_2d,
            length_3d: segment.length_3d,
            uphill,
            downhill,
            duration: segment.duration(),
        });
        if let Some(track) = self.tracks.last_mut() {
            track.segments += 1;
        }
    }

    fn end_track(&mut self) {
        let track = std::mem::take(&mut self.track);
        self.file.add(&track);
    }

    fn finish(self) -> GpxFile {
        let sport = self
            .tracks
            .first()
            .and_then(|track| track.kind.as_deref())
            .and_then(sport_of);
        let mut summary = summary::summarize(&Inputs {
            legs: &[],
            lap_count: 0,
            records: &summary::RecordStats::of(&self.streams),
            activity: None,
            sport: Some((sport, None)),
            first_lap_sport: None,
            timer: &TimerEvents::default(),
        });
        summary.activity_type = ActivityType::from_sport(sport, None);
        let figures = &mut summary.figures;
        if !self.streams.is_empty() {
            figures.distance_m = Some(self.file.length_2d);
            if let Some(duration) = self.file.duration.filter(|d| *d > 0.0) {
                figures.timer_s = Some(duration);
            }
            figures.avg_speed_mps = figures
                .timer_s
                .filter(|t| *t > 0.0)
                .map(|t| self.file.length_2d / t);
            if !self.streams.altitude_m.is_empty() {
                figures.ascent_m = Some(self.file.uphill.round() as u32);
                figures.descent_m = Some(self.file.downhill.round() as u32);
            }
        }
        GpxFile {
            version: self.version,
            creator: self.creator,
            summary,
            streams: self.streams,
            tracks: self.tracks,
            routes: self.routes,
            route_points: self.route_points,
            waypoints: self.waypoints,
            start_time: self.start_time,
            end_time: self.end_time,
            duration_s: self.file.duration,
            length_2d_m: self.file.length_2d,
            length_3d_m: self.file.length_3d,
            uphill_m: self.file.uphill,
            downhill_m: self.file.downhill,
        }
    }
}

/// The FIT sport of a GPX track `type`.
fn sport_of(kind: &str) -> Option<Sport> {
    Some(match kind.trim().to_ascii_lowercase().as_str() {
        "running" | "run" | "trail_running" | "trail running" => Sport(1),
        "cycling" | "biking" | "ride" | "bike" | "road_biking" | "mountain_biking" => Sport(2),
        "walking" | "walk" => Sport(11),
        "hiking" | "hike" => Sport(17),
        "swimming" | "swim" => Sport(5),
        _ => return None,
    })
}
