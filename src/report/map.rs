//! The map: an inline SVG of the zones, settlements and facilities.
//!
//! Projection: equirectangular, longitudes scaled by the cosine of the
//! middle latitude, north up, 1000 units wide. Zone outlines are simplified
//! with Douglas–Peucker at [`SIMPLIFY_DEG`] before projection and their
//! coordinates rounded to 0.1 unit, which keeps the Tata report small.
//! Zones are drawn largest first, so small zones inside large ones stay
//! visible; priority outlines are drawn again on top of all zones.

use std::fmt::Write as _;

use geo::{Area, InteriorPoint, MultiPolygon, Simplify};

use super::data::{RunData, Zone};
use super::i18n::{class_label, Key, Lang};
use super::{bdi, esc};

/// Douglas–Peucker tolerance of the zone outlines, in degrees (about 100 m).
pub const SIMPLIFY_DEG: f64 = 0.001;
/// The most settlements the map draws (the most populous; about 200 bytes
/// each, so the page stays within 2 MB at any size of run). The note under
/// the map says so when a run has more.
pub const MAX_SETTLEMENTS: usize = 3_000;

/// Map width in SVG units.
const WIDTH: f64 = 1000.0;

/// Isolation class colours, from the QGIS styles (green to dark red).
pub const CLASS_COLOURS: [(&str, &str); 5] = [
    ("highly_accessible", "#1a9641"),
    ("accessible", "#a6d96a"),
    ("moderately_accessible", "#ffffbf"),
    ("remote", "#fdae61"),
    ("very_remote", "#d7191c"),
];

/// Zone ramp ends (rank 1, last rank): purples, apart from the class colours.
const ZONE_DARK: (f64, f64, f64) = (63.0, 0.0, 125.0);
const ZONE_LIGHT: (f64, f64, f64) = (239.0, 237.0, 245.0);

/// The fill of rank `rank` among `n` zones (rank 1 darkest).
pub fn zone_colour(rank: Option<u64>, n: usize) -> String {
    let Some(r) = rank else {
        return "#dddddd".into();
    };
    let t = if n > 1 {
        ((r.max(1) - 1) as f64 / (n - 1) as f64).min(1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(ZONE_DARK.0, ZONE_LIGHT.0),
        mix(ZONE_DARK.1, ZONE_LIGHT.1),
        mix(ZONE_DARK.2, ZONE_LIGHT.2)
    )
}

/// The lightest and darkest zone colours, for the legend.
pub fn zone_ramp() -> (String, String) {
    (zone_colour(Some(1), 2), zone_colour(Some(2), 2))
}

/// The colour of an isolation class.
pub fn class_colour(class: &str) -> &'static str {
    CLASS_COLOURS
        .iter()
        .find(|c| c.0 == class)
        .map_or("#bbbbbb", |c| c.1)
}

/// A facility symbol (SVG path at the origin, about 8 units across) per
/// service position: cross, square, triangle, diamond, then a star.
pub fn symbol(k: usize) -> &'static str {
    match k % 5 {
        0 => "M-1.5-4.5h3v3h3v3h-3v3h-3v-3h-3v-3h3z",
        1 => "M-3.5-3.5h7v7h-7z",
        2 => "M-4-3.5h8l-4 7z",
        3 => "M0-4.5l4.5 4.5-4.5 4.5-4.5-4.5z",
        _ => "M0-5l1.5 3.3 3.5.4-2.6 2.4.7 3.5-3.1-1.8-3.1 1.8.7-3.5-2.6-2.4 3.5-.4z",
    }
}

/// Longitude/latitude to map units.
struct Proj {
    lon0: f64,
    lat1: f64,
    kx: f64,
    scale: f64,
    height: f64,
}

impl Proj {
    fn new(bounds: (f64, f64, f64, f64)) -> Self {
        let (mut x0, mut y0, mut x1, mut y1) = bounds;
        if x1 - x0 <= 1e-6 || x1.is_nan() || x0.is_nan() {
            x0 -= 0.01;
            x1 += 0.01;
        }
        if y1 - y0 <= 1e-6 || y1.is_nan() || y0.is_nan() {
            y0 -= 0.01;
            y1 += 0.01;
        }
        let kx = ((y0 + y1) / 2.0).to_radians().cos().max(0.05);
        let pad = 12.0;
        let scale = (WIDTH - 2.0 * pad) / ((x1 - x0) * kx);
        Proj {
            lon0: x0 - pad / scale / kx,
            lat1: y1 + pad / scale,
            kx,
            scale,
            height: (y1 - y0) * scale + 2.0 * pad,
        }
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            ((lon - self.lon0) * self.kx * self.scale * 10.0).round() / 10.0,
            ((self.lat1 - lat) * self.scale * 10.0).round() / 10.0,
        )
    }
}

fn bounds(data: &RunData) -> (f64, f64, f64, f64) {
    fn add(b: &mut (f64, f64, f64, f64), x: f64, y: f64) {
        if x.is_finite() && y.is_finite() {
            *b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
    }
    let inf = f64::INFINITY;
    let mut b = (inf, inf, -inf, -inf);
    let zones = data.zones.as_deref().unwrap_or_default();
    for z in zones {
        for p in z.geometry.iter().flat_map(|g| g.iter()) {
            for c in p.exterior().coords() {
                add(&mut b, c.x, c.y);
            }
        }
    }
    // The map covers the zones and the settlements; facilities beyond them
    // (those of neighbouring areas) are left out rather than shrinking it.
    for s in &data.settlements {
        add(&mut b, s.lon, s.lat);
    }
    if !b.0.is_finite() {
        for f in &data.facilities {
            add(&mut b, f.lon, f.lat);
        }
    }
    if !b.0.is_finite() {
        return (0.0, 0.0, 0.0, 0.0);
    }
    b
}

/// The SVG path data of a simplified outline: rings of at least three
/// distinct points, closed by `Z` (the repeated first point left out).
fn path_data(g: &MultiPolygon<f64>, proj: &Proj) -> String {
    let mut d = String::new();
    for poly in g.simplify(SIMPLIFY_DEG).iter() {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let mut pts: Vec<(f64, f64)> = ring.coords().map(|c| proj.xy(c.x, c.y)).collect();
            pts.dedup();
            if pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            if pts.len() < 3 {
                continue;
            }
            for (n, p) in pts.iter().enumerate() {
                d.push_str(if n == 0 { "M" } else { " " });
                let _ = write!(d, "{},{}", p.0, p.1);
            }
            d.push('Z');
        }
    }
    d
}

/// A zone's `<title>`: name, rank, people, composite score.
fn zone_title(lang: Lang, z: &Zone) -> String {
    format!(
        "{} — {} {}, {} {}, {} {}",
        z.label(),
        lang.t(Key::Rank),
        z.rank.map_or("–".into(), |r| r.to_string()),
        lang.t(Key::People),
        lang.int(z.pop),
        lang.t(Key::Composite),
        lang.num(z.composite.unwrap_or(f64::NAN), 2),
    )
}

/// The map SVG.
pub fn map_svg(lang: Lang, data: &RunData) -> String {
    let proj = Proj::new(bounds(data));
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"map\" viewBox=\"0 0 {} {}\" direction=\"ltr\" role=\"img\" aria-label=\"{}\">",
        WIDTH,
        proj.height.ceil(),
        esc(lang.t(Key::MapTitle))
    );
    let zones = data.zones.as_deref().unwrap_or_default();
    let n = zones.len();
    let mut order: Vec<(usize, f64)> = zones
        .iter()
        .enumerate()
        .map(|(i, z)| (i, z.geometry.as_ref().map_or(0.0, |g| g.unsigned_area())))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut paths = Vec::with_capacity(n);
    svg.push_str("<g class=\"zones\">");
    for &(i, _) in &order {
        let z = &zones[i];
        let Some(g) = &z.geometry else { continue };
        let d = path_data(g, &proj);
        let _ = write!(
            svg,
            "<path class=\"zone\" data-zone=\"{}\" tabindex=\"0\" fill=\"{}\" d=\"{d}\"><title>{}</title></path>",
            esc(&z.id),
            zone_colour(z.rank, n),
            esc(&zone_title(lang, z))
        );
        paths.push((i, d));
    }
    svg.push_str("</g><g class=\"prio\">");
    for (i, d) in &paths {
        if zones[*i].priority {
            let _ = write!(
                svg,
                "<path class=\"casing\" d=\"{d}\"/><path class=\"line\" d=\"{d}\"/>"
            );
        }
    }
    svg.push_str("</g>");
    // Settlements, largest first so the small ones stay on top.
    let max_pop = data
        .settlements
        .iter()
        .map(|s| s.pop)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let mut people: Vec<usize> = (0..data.settlements.len()).collect();
    people.sort_by(|&a, &b| {
        data.settlements[b]
            .pop
            .total_cmp(&data.settlements[a].pop)
            .then(a.cmp(&b))
    });
    svg.push_str("<g class=\"settl\">");
    for &i in people.iter().take(MAX_SETTLEMENTS) {
        let s = &data.settlements[i];
        let (x, y) = proj.xy(s.lon, s.lat);
        let r = 1.6 + 12.0 * (s.pop.max(0.0) / max_pop).sqrt();
        let _ = write!(
            svg,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"{:.1}\" fill=\"{}\"><title>{} — {} {}, {}, {} {}</title></circle>",
            r,
            class_colour(&s.class),
            esc(&s.name),
            lang.int(s.pop),
            esc(lang.t(Key::People)),
            esc(&class_label(lang, &s.class)),
            esc(lang.t(Key::Composite)),
            lang.num(s.composite.unwrap_or(f64::NAN), 2)
        );
    }
    svg.push_str("</g><g class=\"fac\">");
    for (k, svc) in data.services.iter().enumerate() {
        let _ = write!(svg, "<g data-service=\"{}\">", esc(&svc.name));
        for f in data.facilities.iter().filter(|f| f.service == svc.name) {
            let (x, y) = proj.xy(f.lon, f.lat);
            if !(0.0..=WIDTH).contains(&x) || !(0.0..=proj.height).contains(&y) {
                continue;
            }
            let _ = write!(
                svg,
                "<path transform=\"translate({x} {y})\" d=\"{}\"><title>{}</title></path>",
                symbol(k),
                esc(&f.name)
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</g><g class=\"labels\">");
    let label_all = n <= 40;
    for z in zones {
        if !(label_all || z.priority) || z.name.trim().is_empty() {
            continue;
        }
        let Some(p) = z.geometry.as_ref().and_then(largest_part_point) else {
            continue;
        };
        let (x, y) = proj.xy(p.0, p.1);
        let _ = write!(svg, "<text x=\"{x}\" y=\"{y}\">{}</text>", esc(&z.name));
    }
    svg.push_str("</g></svg>");
    svg
}

/// A point inside the largest polygon of `g`.
fn largest_part_point(g: &MultiPolygon<f64>) -> Option<(f64, f64)> {
    let largest = g
        .iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    let p = largest.interior_point()?;
    Some((p.x(), p.y()))
}

/// The map's legend (HTML).
pub fn legend(lang: Lang, data: &RunData) -> String {
    let mut h = String::from("<div class=\"legend\">");
    if data.zones.is_some() {
        let (dark, light) = zone_ramp();
        let _ = write!(
            h,
            "<div><h4>{}</h4><div class=\"ramp\" style=\"background:linear-gradient(to right,{dark},{light})\"></div>\
             <div class=\"ramp-ends\"><span>1</span><span>{}</span></div><p>{}</p>\
             <p><span class=\"prio-key\"></span> {}</p></div>",
            esc(lang.t(Key::LegendZones)),
            data.zones.as_ref().map_or(0, Vec::len),
            esc(lang.t(Key::LegendZoneRank)),
            esc(lang.t(Key::LegendPriority))
        );
    }
    let _ = write!(
        h,
        "<div><h4>{}</h4><ul>",
        esc(lang.t(Key::LegendSettlements))
    );
    for (class, colour) in CLASS_COLOURS {
        let _ = write!(
            h,
            "<li><svg viewBox=\"-6 -6 12 12\" class=\"key\"><circle r=\"5\" fill=\"{colour}\" stroke=\"#333\"/></svg> {}</li>",
            esc(&class_label(lang, class))
        );
    }
    let _ = write!(
        h,
        "</ul><p>{}</p></div><div><h4>{}</h4><ul>",
        esc(lang.t(Key::LegendSettlementSize)),
        esc(lang.t(Key::LegendFacilities))
    );
    for (k, svc) in data.services.iter().enumerate() {
        let shown = data.facilities.iter().any(|f| f.service == svc.name);
        let _ = write!(
            h,
            "<li><svg viewBox=\"-6 -6 12 12\" class=\"key\"><path d=\"{}\" fill=\"#111\" stroke=\"#fff\" stroke-width=\"0.8\"/></svg> {}{}</li>",
            symbol(k),
            bdi(&super::i18n::service_label(lang, &svc.name)),
            if shown {
                String::new()
            } else {
                format!(" ({})", esc(lang.t(Key::NoPoints)))
            }
        );
    }
    h.push_str("</ul></div></div>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_colours_run_dark_to_light() {
        assert_eq!(zone_colour(Some(1), 20), "#3f007d");
        assert_eq!(zone_colour(Some(20), 20), "#efedf5");
        assert_eq!(zone_colour(None, 20), "#dddddd");
        assert_eq!(zone_colour(Some(1), 1), "#3f007d");
    }

    #[test]
    fn outlines_are_simplified_and_rounded() {
        use geo::{LineString, Polygon};
        // A square with many points on its sides: simplified to its corners.
        let mut pts: Vec<(f64, f64)> = (0..=100).map(|i| (i as f64 / 100.0, 0.0)).collect();
        pts.extend([(1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]);
        let g = MultiPolygon::new(vec![Polygon::new(LineString::from(pts), vec![])]);
        let proj = Proj::new((0.0, 0.0, 1.0, 1.0));
        let d = path_data(&g, &proj);
        assert_eq!(d.matches(' ').count(), 3, "{d}");
        assert!(d.starts_with('M') && d.ends_with('Z'));
    }

    /// A run of 5,000 settlements: the map draws the 3,000 most populous.
    #[test]
    fn the_map_draws_the_most_populous_settlements_only() {
        use super::super::data::Settlement;
        let settlements = (0..5_000)
            .map(|i| Settlement {
                name: format!("s{i}"),
                lon: (i % 100) as f64 * 0.01,
                lat: (i / 100) as f64 * 0.01,
                pop: i as f64,
                zone_id: String::new(),
                composite: None,
                class: String::new(),
                values: Vec::new(),
            })
            .collect();
        let data = RunData {
            run: serde_json::Value::Null,
            services: Vec::new(),
            zones: None,
            settlements,
            facilities: Vec::new(),
            comparison: None,
        };
        let svg = map_svg(Lang::En, &data);
        let settl = svg.split("<g class=\"settl\">").nth(1).unwrap();
        let settl = settl.split("</g>").next().unwrap();
        assert_eq!(settl.matches("<circle").count(), MAX_SETTLEMENTS);
        assert!(settl.contains("<title>s4999 ") && settl.contains("<title>s2000 "));
        assert!(!settl.contains("<title>s1999 "));
    }
}
