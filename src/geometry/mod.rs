//! Geodesy helpers on the WGS 84 sphere approximation.
//!
//! Distances are great-circle (haversine) on a sphere of radius
//! [`EARTH_RADIUS_M`] = 6 371 008.8 m (the IUGG mean radius, as in `geo`).
//! Spatial indices store positions as unit vectors on the sphere ([`to_unit`]):
//! the straight chord between two unit vectors grows monotonically with the
//! great-circle distance, so a nearest-neighbour query in 3-D Euclidean space
//! is an exact nearest-neighbour query on the sphere, at every latitude.

mod rings;

pub use rings::{nest as nest_rings, polygon_problem};

use crate::model::LonLat;
use crate::units::Meters;

/// Mean Earth radius in metres (IUGG).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance by the haversine formula:
/// `d = 2R·asin(√(sin²(Δφ/2) + cos φ1·cos φ2·sin²(Δλ/2)))`.
///
/// # Examples
/// One hundredth of a degree along the equator is `R·0.01·π/180` metres:
/// ```
/// use remoteness::geometry::haversine;
/// use remoteness::model::LonLat;
/// let d = haversine(LonLat::new(0.0, 0.0), LonLat::new(0.01, 0.0));
/// assert!((d.0 - 1111.9508).abs() < 1e-3);
/// ```
pub fn haversine(a: LonLat, b: LonLat) -> Meters {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    Meters(2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin())
}

/// Unit vector (x, y, z) of a position.
pub fn to_unit(p: LonLat) -> [f64; 3] {
    let (lat, lon) = (p.lat.to_radians(), p.lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Position of a (not necessarily unit) vector, by direction.
pub fn from_unit(v: [f64; 3]) -> LonLat {
    let [x, y, z] = v;
    LonLat::new(
        y.atan2(x).to_degrees(),
        z.atan2((x * x + y * y).sqrt()).to_degrees(),
    )
}

/// Great-circle distance for a chord length `c` between unit vectors:
/// `d = 2R·asin(c/2)`.
pub fn chord_to_meters(c: f64) -> Meters {
    Meters(2.0 * EARTH_RADIUS_M * (c / 2.0).min(1.0).asin())
}

/// Chord length between unit vectors at great-circle distance `d`
/// (inverse of [`chord_to_meters`]).
pub fn meters_to_chord(d: Meters) -> f64 {
    2.0 * (d.0 / (2.0 * EARTH_RADIUS_M))
        .min(std::f64::consts::FRAC_PI_2)
        .sin()
}

/// Length of a polyline, metres.
pub fn polyline_length(pts: &[LonLat]) -> Meters {
    Meters(pts.windows(2).map(|w| haversine(w[0], w[1]).0).sum())
}

/// The point a fraction `t` of the way from `a` to `b` along the great
/// circle (right across the antimeridian, where a straight line in
/// longitude would go round the world).
pub fn interpolate(a: LonLat, b: LonLat, t: f64) -> LonLat {
    let (ua, ub) = (to_unit(a), to_unit(b));
    let dot = (ua[0] * ub[0] + ua[1] * ub[1] + ua[2] * ub[2]).clamp(-1.0, 1.0);
    let delta = dot.acos();
    if delta < 1e-12 {
        return a;
    }
    let (wa, wb) = (
        ((1.0 - t) * delta).sin() / delta.sin(),
        (t * delta).sin() / delta.sin(),
    );
    from_unit([
        wa * ua[0] + wb * ub[0],
        wa * ua[1] + wb * ub[1],
        wa * ua[2] + wb * ub[2],
    ])
}

/// The first segment `k` (from vertex `k` to `k + 1`) that jumps more than
/// 180° of longitude: it crosses the antimeridian (±180°), where planar
/// geometry in longitude/latitude goes the wrong way round the world.
pub fn antimeridian_crossing(pts: &[LonLat]) -> Option<usize> {
    pts.windows(2)
        .position(|w| (w[1].lon - w[0].lon).abs() > 180.0)
}

/// A line cut at each segment that crosses the antimeridian (the segment
/// itself dropped); `lon` reads a vertex's longitude.
pub fn split_at_antimeridian<T>(pts: &[T], lon: impl Fn(&T) -> f64) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut start = 0;
    for k in 0..pts.len().saturating_sub(1) {
        if (lon(&pts[k + 1]) - lon(&pts[k])).abs() > 180.0 {
            out.push(&pts[start..=k]);
            start = k + 1;
        }
    }
    out.push(&pts[start..]);
    out
}

/// Points every `spacing` metres along a polyline on the great circle,
/// always including both ends (linear facilities such as power lines
/// become sample points).
pub fn sample_line(pts: &[LonLat], spacing: Meters) -> Vec<LonLat> {
    let mut out = Vec::new();
    let Some(&first) = pts.first() else {
        return out;
    };
    out.push(first);
    let mut since_last = 0.0;
    for w in pts.windows(2) {
        let seg = haversine(w[0], w[1]).0;
        let mut along = spacing.0 - since_last;
        while along < seg {
            out.push(interpolate(w[0], w[1], along / seg));
            along += spacing.0;
        }
        since_last = (since_last + seg) % spacing.0;
    }
    let last = pts[pts.len() - 1];
    if out.last() != Some(&last) {
        out.push(last);
    }
    out
}

/// Centroid of a set of positions via the mean unit vector (robust near the
/// antimeridian); the vertex mean is adequate for the small facility outlines
/// (buildings, compounds) it is used on.
pub fn mean_position(pts: &[LonLat]) -> Option<LonLat> {
    if pts.is_empty() {
        return None;
    }
    let mut s = [0.0; 3];
    for p in pts {
        let u = to_unit(*p);
        for k in 0..3 {
            s[k] += u[k];
        }
    }
    Some(from_unit(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_crosses_the_antimeridian_the_short_way() {
        let a = LonLat::new(179.9, -17.0);
        let b = LonLat::new(-179.9, -17.0);
        let pts = sample_line(&[a, b], Meters(1000.0));
        let len = haversine(a, b).0;
        assert_eq!(pts.len(), (len / 1000.0).ceil() as usize + 1);
        for p in &pts {
            assert!(p.lon.abs() >= 179.89, "{p:?} went the long way");
            assert!((p.lat + 17.0).abs() < 0.01, "{p:?}");
        }
        for w in pts.windows(2).take(pts.len() - 2) {
            assert!((haversine(w[0], w[1]).0 - 1000.0).abs() < 1e-3);
        }
        assert_eq!(antimeridian_crossing(&[a, b]), Some(0));
        assert_eq!(antimeridian_crossing(&[a, LonLat::new(180.0, -17.0)]), None);
    }

    #[test]
    fn interpolation_agrees_with_geo_on_the_great_circle() {
        use geo::{Haversine, InterpolatePoint, Point};
        let (a, b) = (LonLat::new(-7.9, 29.7), LonLat::new(3.05, 36.75));
        for t in [0.0, 0.25, 0.5, 0.9, 1.0] {
            let p = interpolate(a, b, t);
            let q = Haversine.point_at_ratio_between(
                Point::new(a.lon, a.lat),
                Point::new(b.lon, b.lat),
                t,
            );
            assert!(
                haversine(p, LonLat::new(q.x(), q.y())).0 < 0.01,
                "t={t}: {p:?} vs {q:?}"
            );
        }
    }

    #[test]
    fn haversine_matches_geo() {
        use geo::{Distance, Haversine, Point};
        let a = LonLat::new(-7.98, 29.74);
        let b = LonLat::new(-7.5, 30.1);
        let ours = haversine(a, b).0;
        let theirs = Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat));
        assert!((ours - theirs).abs() < 1e-6 * theirs, "{ours} vs {theirs}");
    }

    #[test]
    fn chord_round_trip_and_monotone() {
        let a = LonLat::new(9.5, 47.1);
        let b = LonLat::new(9.52, 47.16);
        let [x1, y1, z1] = to_unit(a);
        let [x2, y2, z2] = to_unit(b);
        let c = ((x1 - x2).powi(2) + (y1 - y2).powi(2) + (z1 - z2).powi(2)).sqrt();
        assert!((chord_to_meters(c).0 - haversine(a, b).0).abs() < 1e-6);
        assert!((meters_to_chord(chord_to_meters(c)) - c).abs() < 1e-15);
        let back = from_unit(to_unit(a));
        assert!((back.lon - a.lon).abs() < 1e-12 && (back.lat - a.lat).abs() < 1e-12);
    }

    #[test]
    fn samples_cover_line_at_spacing() {
        // ~11.1 km of meridian sampled every 2 km: ends plus 5 interior points.
        let pts = [LonLat::new(0.0, 0.0), LonLat::new(0.0, 0.1)];
        let s = sample_line(&pts, Meters(2000.0));
        assert_eq!(s.len(), 7);
        assert_eq!(s[0], pts[0]);
        assert_eq!(*s.last().unwrap(), pts[1]);
        for w in s.windows(2) {
            assert!(haversine(w[0], w[1]).0 <= 2000.0 + 1e-6);
        }
    }
}
