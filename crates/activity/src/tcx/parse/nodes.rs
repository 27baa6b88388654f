//! The TCX elements the reader acts on, as [`Node`]s: which element a name opens under its
//! parent, and which elements hold a value.

/// The elements the reader acts on; everything else is [`Node::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    Root,
    Database,
    Activities,
    MultiSport,
    SportWrap,
    Activity,
    ActivityId,
    Lap,
    LapTime,
    LapDistance,
    LapMaxSpeed,
    LapCalories,
    LapAvgHr,
    LapAvgHrValue,
    LapMaxHr,
    LapMaxHrValue,
    LapCadence,
    LapExtensions,
    LapLx,
    LapAvgSpeed,
    LapAvgWatts,
    LapMaxWatts,
    Track,
    Trackpoint,
    Time,
    Position,
    Latitude,
    Longitude,
    Altitude,
    Distance,
    HeartRate,
    HeartRateValue,
    Cadence,
    PointExtensions,
    Tpx,
    Speed,
    Watts,
    RunCadence,
    Courses,
    Course,
    Workouts,
    Workout,
    Other,
}

pub(super) fn child(parent: Node, name: &str) -> Node {
    use Node as N;
    match (parent, name) {
        (N::Database, "Activities") => N::Activities,
        (N::Database, "Courses") => N::Courses,
        (N::Database, "Workouts") => N::Workouts,
        (N::Activities, "Activity") | (N::SportWrap, "Activity") => N::Activity,
        (N::Activities, "MultiSportSession") => N::MultiSport,
        (N::MultiSport, "FirstSport" | "NextSport") => N::SportWrap,
        (N::Activity, "Id") => N::ActivityId,
        (N::Activity, "Lap") => N::Lap,
        (N::Lap, "TotalTimeSeconds") => N::LapTime,
        (N::Lap, "DistanceMeters") => N::LapDistance,
        (N::Lap, "MaximumSpeed") => N::LapMaxSpeed,
        (N::Lap, "Calories") => N::LapCalories,
        (N::Lap, "AverageHeartRateBpm") => N::LapAvgHr,
        (N::LapAvgHr, "Value") => N::LapAvgHrValue,
        (N::Lap, "MaximumHeartRateBpm") => N::LapMaxHr,
        (N::LapMaxHr, "Value") => N::LapMaxHrValue,
        (N::Lap, "Cadence") => N::LapCadence,
        (N::Lap, "Extensions") => N::LapExtensions,
        (N::LapExtensions, "LX") => N::LapLx,
        (N::LapLx, "AvgSpeed") => N::LapAvgSpeed,
        (N::LapLx, "AvgWatts") => N::LapAvgWatts,
        (N::LapLx, "MaxWatts") => N::LapMaxWatts,
        (N::Lap | N::Course, "Track") => N::Track,
        (N::Courses, "Course") => N::Course,
        (N::Workouts, "Workout") => N::Workout,
        (N::Track, "Trackpoint") => N::Trackpoint,
        (N::Trackpoint, "Time") => N::Time,
        (N::Trackpoint, "Position") => N::Position,
        (N::Position, "LatitudeDegrees") => N::Latitude,
        (N::Position, "LongitudeDegrees") => N::Longitude,
        (N::Trackpoint, "AltitudeMeters") => N::Altitude,
        (N::Trackpoint, "DistanceMeters") => N::Distance,
        (N::Trackpoint, "HeartRateBpm") => N::HeartRate,
        (N::HeartRate, "Value") => N::HeartRateValue,
        (N::Trackpoint, "Cadence") => N::Cadence,
        (N::Trackpoint, "Extensions") => N::PointExtensions,
        (N::PointExtensions, "TPX") => N::Tpx,
        (N::Tpx, "Speed") => N::Speed,
        (N::Tpx, "Watts") => N::Watts,
        (N::Tpx, "RunCadence") => N::RunCadence,
        _ => N::Other,
    }
}

pub(super) fn is_leaf(node: Node) -> bool {
    matches!(
        node,
        Node::ActivityId
            | Node::LapTime
            | Node::LapDistance
            | Node::LapMaxSpeed
            | Node::LapCalories
            | Node::LapAvgHrValue
            | Node::LapMaxHrValue
            | Node::LapCadence
            | Node::LapAvgSpeed
            | Node::LapAvgWatts
            | Node::LapMaxWatts
            | Node::Time
            | Node::Latitude
            | Node::Longitude
            | Node::Altitude
            | Node::Distance
            | Node::HeartRateValue
            | Node::Cadence
            | Node::Speed
            | Node::Watts
            | Node::RunCadence
    )
}
