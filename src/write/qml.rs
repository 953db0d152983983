//! QGIS layer styles (`.qml`): written beside each output layer with the
//! layer's base name, so QGIS applies them when the layer is opened
//! (`settlements.qml` for `settlements.geojson` and `settlements.csv`); the
//! GeoPackage carries the same styles in its `layer_styles` table.
//!
//! Settlements: graduated colours on `composite`, with the ARIA+ class
//! bounds rescaled to the run's score range (see [`crate::score`]).
//! Zones: graduated colours on `rank`, the priority zones first.
//! Facilities: one colour per service. Every field
//! gets its title (with unit) as alias, so QGIS's attribute table and legend
//! read `health: travel time (min)` rather than `hlth_min`.

use super::table::Table;
use crate::score::{ARIA_CUTS, CLASS_NAMES};

/// A graduated class: lower and upper bound, colour (`r,g,b`), label.
struct Range {
    lower: f64,
    upper: f64,
    color: &'static str,
    label: String,
}

/// Green (accessible) to dark red (very remote).
const RAMP: [&str; 5] = [
    "26,150,65",
    "166,217,106",
    "255,255,191",
    "253,174,97",
    "215,25,28",
];

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The settlements style: composite score classes on `0..=max`.
pub fn settlements_qml(t: &Table, composite_max: f64) -> String {
    let max = composite_max.max(f64::MIN_POSITIVE);
    let mut bounds = vec![0.0];
    bounds.extend(ARIA_CUTS.iter().map(|c| c * max / 15.0));
    bounds.push(max);
    let ranges: Vec<Range> = (0..5)
        .map(|k| Range {
            lower: bounds[k],
            upper: bounds[k + 1],
            color: RAMP[k],
            label: format!(
                "{} ({:.2} to {:.2})",
                CLASS_NAMES[k].replace('_', " "),
                bounds[k],
                bounds[k + 1]
            ),
        })
        .collect();
    style(
        t,
        "composite",
        &format!("composite isolation score (0 to {})", round2(max)),
        &ranges,
        Symbol::Marker,
    )
}

/// The zones style: rank classes, the priority zones (rank ≤ `priority`)
/// in the darkest colour.
pub fn zones_qml(t: &Table, zones: usize, priority: usize) -> String {
    let n = zones.max(1);
    let p = priority.clamp(1, n);
    // Priority zones, then the other ranks in up to four equal bands.
    let mut bands = vec![(1, p)];
    let (rest, count) = (n - p, (n - p).min(4));
    let mut start = p + 1;
    for b in 0..count {
        let end = p + rest * (b + 1) / count;
        bands.push((start, end));
        start = end + 1;
    }
    let colors = [RAMP[4], RAMP[3], RAMP[2], RAMP[1], RAMP[0]];
    let ranges: Vec<Range> = bands
        .iter()
        .enumerate()
        .map(|(k, &(first, last))| Range {
            lower: first as f64 - 0.5,
            upper: last as f64 + 0.5,
            color: colors[k],
            label: format!(
                "{} {first} to {last}",
                if k == 0 { "priority, rank" } else { "rank" }
            ),
        })
        .collect();
    style(
        t,
        "rank",
        "rank by burden (1 = most burdened)",
        &ranges,
        Symbol::Fill,
    )
}

#[derive(Clone, Copy)]
enum Symbol {
    Marker,
    Fill,
}

fn symbol_xml(name: usize, color: &str, kind: Symbol) -> String {
    let (ty, class, props) = match kind {
        Symbol::Marker => (
            "marker",
            "SimpleMarker",
            vec![
                ("name", "circle".to_string()),
                ("color", format!("{color},255")),
                ("size", "2.6".into()),
                ("size_unit", "MM".into()),
                ("outline_color", "35,35,35,255".into()),
                ("outline_width", "0.2".into()),
                ("outline_style", "solid".into()),
            ],
        ),
        Symbol::Fill => (
            "fill",
            "SimpleFill",
            vec![
                ("color", format!("{color},200")),
                ("style", "solid".into()),
                ("outline_color", "60,60,60,255".into()),
                ("outline_width", "0.3".into()),
                ("outline_style", "solid".into()),
            ],
        ),
    };
    let options: String = props
        .iter()
        .map(|(k, v)| {
            format!("            <Option name=\"{k}\" type=\"QString\" value=\"{v}\"/>\n")
        })
        .collect();
    let legacy: String = props
        .iter()
        .map(|(k, v)| format!("          <prop k=\"{k}\" v=\"{v}\"/>\n"))
        .collect();
    format!(
        "      <symbol type=\"{ty}\" name=\"{name}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n\
        \x20       <layer class=\"{class}\" enabled=\"1\" pass=\"0\" locked=\"0\">\n\
        \x20         <Option type=\"Map\">\n{options}          </Option>\n{legacy}\
        \x20       </layer>\n      </symbol>\n"
    )
}

fn style(t: &Table, attr: &str, title: &str, ranges: &[Range], kind: Symbol) -> String {
    let mut r = format!(
        "  <renderer-v2 type=\"graduatedSymbol\" attr=\"{attr}\" graduatedMethod=\"GraduatedColor\" \
         symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n"
    );
    for (k, x) in ranges.iter().enumerate() {
        r.push_str(&format!(
            "      <range lower=\"{}\" upper=\"{}\" symbol=\"{k}\" label=\"{}\" render=\"true\"/>\n",
            round6(x.lower),
            round6(x.upper),
            xml_escape(&x.label)
        ));
    }
    r.push_str("    </ranges>\n");
    let colors: Vec<&str> = ranges.iter().map(|x| x.color).collect();
    r.push_str(&symbols_xml(&colors, kind));
    r.push_str(&format!(
        "    <classificationMethod id=\"Manual\"/>\n    <legend title=\"{}\"/>\n  </renderer-v2>\n",
        xml_escape(title)
    ));
    document(t, &r, kind)
}

fn symbols_xml(colors: &[&str], kind: Symbol) -> String {
    let mut s = String::from("    <symbols>\n");
    for (k, c) in colors.iter().enumerate() {
        s.push_str(&symbol_xml(k, c, kind));
    }
    s.push_str("    </symbols>\n");
    s
}

/// The facilities style: one colour per service.
pub fn facilities_qml(t: &Table, services: &[String]) -> String {
    const COLORS: [&str; 6] = [
        "31,120,180",
        "227,26,28",
        "51,160,44",
        "255,127,0",
        "106,61,154",
        "177,89,40",
    ];
    let mut r = String::from(
        "  <renderer-v2 type=\"categorizedSymbol\" attr=\"service\" symbollevels=\"0\" \
         enableorderby=\"0\" forceraster=\"0\">\n    <categories>\n",
    );
    for (k, name) in services.iter().enumerate() {
        r.push_str(&format!(
            "      <category value=\"{n}\" symbol=\"{k}\" label=\"{n}\" render=\"true\"/>\n",
            n = xml_escape(name)
        ));
    }
    r.push_str("    </categories>\n");
    let colors: Vec<&str> = (0..services.len())
        .map(|k| COLORS[k % COLORS.len()])
        .collect();
    r.push_str(&symbols_xml(&colors, Symbol::Marker));
    r.push_str("  </renderer-v2>\n");
    document(t, &r, Symbol::Marker)
}

/// A whole `.qml`: the renderer, then every field's title as its alias.
fn document(t: &Table, renderer: &str, kind: Symbol) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    s.push_str("<qgis version=\"3.28.0\" styleCategories=\"Symbology|Fields|Legend\">\n");
    s.push_str(renderer);
    s.push_str("  <aliases>\n");
    for (k, c) in t.columns.iter().enumerate() {
        s.push_str(&format!(
            "    <alias field=\"{}\" index=\"{k}\" name=\"{}\"/>\n",
            xml_escape(&c.name),
            xml_escape(&c.title)
        ));
    }
    s.push_str("  </aliases>\n  <layerGeometryType>");
    s.push_str(match kind {
        Symbol::Marker => "0",
        Symbol::Fill => "2",
    });
    s.push_str("</layerGeometryType>\n</qgis>\n");
    s
}

/// The placement sites style: graduated on `order`, the first chosen
/// darkest (they gain the most).
pub fn sites_qml(t: &Table, k: usize) -> String {
    let k = k.max(1) as f64;
    let cuts = [
        0.5,
        (k / 3.0).ceil() + 0.5,
        (2.0 * k / 3.0).ceil() + 0.5,
        k + 0.5,
    ];
    let colors = [RAMP[4], RAMP[3], RAMP[2]];
    let ranges: Vec<Range> = (0..3)
        .filter(|&j| cuts[j + 1] > cuts[j])
        .map(|j| Range {
            lower: cuts[j],
            upper: cuts[j + 1],
            color: colors[j],
            label: format!(
                "sites {} to {}",
                (cuts[j] + 0.5) as usize,
                (cuts[j + 1] - 0.5) as usize
            ),
        })
        .collect();
    style(
        t,
        "order",
        "order chosen (1 = largest gain)",
        &ranges,
        Symbol::Marker,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::table::Kind;

    fn table() -> Table {
        let mut t = Table::default();
        t.column("composite", Kind::Float, "composite <score>");
        t.column("rank", Kind::Int, "rank");
        t
    }

    #[test]
    fn settlement_classes_cover_the_scale() {
        let q = settlements_qml(&table(), 12.0);
        assert!(q.contains("attr=\"composite\""));
        assert!(q.contains("lower=\"0\" upper=\"0.16\""), "{q}");
        assert!(q.contains("upper=\"12\""));
        assert!(q.contains("name=\"composite &lt;score&gt;\""));
        assert_eq!(q.matches("<range ").count(), 5);
    }

    #[test]
    fn zone_bands_put_priority_first() {
        let q = zones_qml(&table(), 20, 4);
        assert!(q.contains("label=\"priority, rank 1 to 4\""), "{q}");
        assert!(q.contains("label=\"rank 17 to 20\""), "{q}");
        // Fewer zones than bands: no empty band.
        let q = zones_qml(&table(), 2, 1);
        assert_eq!(q.matches("<range ").count(), 2, "{q}");
    }
}
