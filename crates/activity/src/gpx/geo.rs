//! Track geometry as gpxpy computes it (gpxpy 1.6, `gpxpy/geo.py`), operation for operation,
//! so lengths and climbs match what gpxpy-based tools (and the test corpus) report: an
//! equirectangular distance for nearby points, haversine for points more than 0.2 degrees
//! apart, on a sphere of the WGS 84 semi-major axis, and climbs over elevations smoothed
//! with weights 0.3, 0.4, 0.3.

/// The WGS 84 semi-major axis in metres.
const EARTH_RADIUS_M: f64 = 6378.137 * 1000.0;
/// One degree of a great circle, in metres.
const ONE_DEGREE_M: f64 = (2.0 * std::f64::consts::PI * EARTH_RADIUS_M) / 360.0;
/// Points further apart than this (in latitude or longitude) use haversine.
const HAVERSINE_FROM_DEG: f64 = 0.2;

fn haversine(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let d_lon = (lon1 - lon2).to_radians();
    let lat1 = lat1.to_radians();
    let lat2 = lat2.to_radians();
    let d_lat = lat1 - lat2;
    let a = (d_lat / 2.0).sin().powf(2.0) + (d_lon / 2.0).sin().powf(2.0) * lat1.cos() * lat2.cos();
    let c = 2.0 * a.sqrt().asin();
    EARTH_RADIUS_M * c
}

/// The 2-D and 3-D distances from point 1 to point 2 in metres, as gpxpy's
/// `distance_2d` and `distance_3d` give them (the 3-D one when both elevations are given
/// and differ; haversine ignores elevation).
pub(super) fn distances(
    (lat1, lon1, ele1): (f64, f64, Option<f64>),
    (lat2, lon2, ele2): (f64, f64, Option<f64>),
) -> (f64, f64) {
    if (lat1 - lat2).abs() > HAVERSINE_FROM_DEG || (lon1 - lon2).abs() > HAVERSINE_FROM_DEG {
        let d = haversine(lat1, lon1, lat2, lon2);
        return (d, d);
    }
    let coef = lat1.to_radians().cos();
    let x = lat1 - lat2;
    let y = (lon1 - lon2) * coef;
    let distance_2d = (x * x + y * y).sqrt() * ONE_DEGREE_M;
    let distance_3d = match (ele1, ele2) {
        (Some(e1), Some(e2)) if e1 != e2 => (distance_2d.powf(2.0) + (e1 - e2).powf(2.0)).sqrt(),
        _ => distance_2d,
    };
    (distance_2d, distance_3d)
}

/// Uphill and downhill metres over a segment's elevations (points without one skipped),
/// each elevation smoothed with its neighbours.
pub(super) fn uphill_downhill(elevations: &[f64]) -> (f64, f64) {
    let size = elevations.len();
    let smoothed = |n: usize| -> f64 {
        let current = elevations.get(n).copied().unwrap_or_default();
        match (
            n.checked_sub(1).and_then(|p| elevations.get(p)),
            elevations.get(n + 1),
        ) {
            (Some(previous), Some(next)) if n + 1 < size => {
                previous * 0.3 + current * 0.4 + next * 0.3
            }
            _ => current,
        }
    };
    let (mut uphill, mut downhill) = (0.0, 0.0);
    let mut previous = None;
    for n in 0..size {
        let current = smoothed(n);
        if let Some(previous) = previous {
            let d: f64 = current - previous;
            if d > 0.0 {
                uphill += d;
            } else {
                downhill -= d;
            }
        }
        previous = Some(current);
    }
    (uphill, downhill)
}
