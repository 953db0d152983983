//! QGIS layer styles (`.qml`): written beside each output layer with the
//! layer's base name, so QGIS applies them when the layer is opened
//! (`settlements.qml` for `settlements.geojson` and `settlements.csv`); the
//! GeoPackage carries the same styles in its `layer_styles` table.
//!
//! The settlements and zones styles are rule-based: one parent rule whose
//! label is the legend's title (what is classified, on which scale, in which
//! unit; QGIS shows it as the head of the layer's legend), the classes below
//! it, and a last `ELSE` rule, *no data* (grey, hatched for zones), that
//! catches every feature without a value to classify, so a missing value
//! never takes the best class.
//!
//! Settlements: classes of `composite`, the ARIA+ class bounds rescaled to
//! the run's score range (see [`crate::score`]).
//! Zones: classes of `rank`, the priority zones first; zones without
//! settlements or population are *no data*. Zones are drawn largest first
//! (the renderer's feature order is by area, descending) with outlines, so a
//! small zone inside a large one stays visible, and labelled with their name.
//! Facilities: one shape per service in neutral colours (black, white,
//! greys, blue), never the green-to-red score colours nor the settlements'
//! circle. Every field gets its title (with unit) as alias, so QGIS's
//! attribute table reads `health: travel time (min)` rather than `hlth_min`.

use super::table::Table;
use crate::score::{ARIA_CUTS, CLASS_NAMES};

/// A class: its QGIS filter expression, colour (`r,g,b`) and label.
struct Class {
    filter: String,
    color: &'static str,
    label: String,
}

/// Green (accessible) to dark red (very remote).
pub const RAMP: [&str; 5] = [
    "26,150,65",
    "166,217,106",
    "255,255,191",
    "253,174,97",
    "215,25,28",
];

/// The *no data* class's colour.
pub const NO_DATA_COLOR: &str = "190,190,190";

/// The *no data* class's label.
pub const NO_DATA_LABEL: &str = "no data";

/// Marker shapes of the facility services, in service order (none is the
/// settlements' circle).
pub const FACILITY_SHAPES: [&str; 8] = [
    "square",
    "triangle",
    "diamond",
    "star",
    "pentagon",
    "cross_fill",
    "hexagon",
    "arrowhead",
];

/// Fill colours of the facility services: neutral, none on the score ramp.
pub const FACILITY_COLORS: [&str; 5] = [
    "20,20,20",
    "255,255,255",
    "130,130,130",
    "33,102,172",
    "118,42,131",
];

pub(super) fn xml_escape(s: &str) -> String {
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

/// `"field"` in a QGIS expression.
fn quoted(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

/// The settlements style: composite score classes on `0..=max`; a null
/// composite (no place, no score) is *no data*.
pub fn settlements_qml(t: &Table, composite_max: f64) -> String {
    let max = composite_max.max(f64::MIN_POSITIVE);
    let mut bounds = vec![0.0];
    bounds.extend(ARIA_CUTS.iter().map(|c| c * max / 15.0));
    bounds.push(max);
    let f = quoted("composite");
    let classes: Vec<Class> = (0..5)
        .map(|k| Class {
            // The first class takes everything up to its bound, the last
            // everything above its lower bound: only nulls fall through.
            filter: match k {
                0 => format!("{f} <= {}", round6(bounds[1])),
                4 => format!("{f} > {}", round6(bounds[4])),
                _ => format!(
                    "{f} > {} AND {f} <= {}",
                    round6(bounds[k]),
                    round6(bounds[k + 1])
                ),
            },
            color: RAMP[k],
            label: format!(
                "{} ({:.2} to {:.2})",
                CLASS_NAMES[k].replace('_', " "),
                bounds[k],
                bounds[k + 1]
            ),
        })
        .collect();
    let title = format!(
        "composite isolation score (sum of per-service scores, 0 to {}; higher = more remote)",
        round2(max)
    );
    let no_data = format!("{NO_DATA_LABEL} (no score: no valid location)");
    rules_document(t, &title, &classes, &no_data, Symbol::Marker, None)
}

/// What the zones are ranked by, for the zones style and the `rank` title.
pub struct RankTitle {
    /// The ranking in words with its unit, e.g. `burden (people × composite
    /// score)`.
    pub by: String,
    /// The ranking field when it is not burden: a zone without its value is
    /// *no data*.
    pub field: Option<String>,
}

/// The zones style: rank classes, the priority zones (rank ≤ `priority`)
/// in the darkest colour, over the `ranked` zones with data (settlements and
/// population, and a value of the ranking field); the others are *no data*.
pub fn zones_qml(t: &Table, ranked: usize, priority: usize, by: &RankTitle) -> String {
    let n = ranked.max(1);
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
    let mut data = format!("{} > 0 AND {} > 0", quoted("n_settl"), quoted("pop"));
    if let Some(f) = &by.field {
        data.push_str(&format!(" AND {} IS NOT NULL", quoted(f)));
    }
    let colors = [RAMP[4], RAMP[3], RAMP[2], RAMP[1], RAMP[0]];
    let r = quoted("rank");
    let classes: Vec<Class> = bands
        .iter()
        .enumerate()
        .map(|(k, &(first, last))| Class {
            filter: format!("{data} AND {r} >= {first} AND {r} <= {last}"),
            color: colors[k],
            label: format!(
                "{} {first} to {last}",
                if k == 0 { "priority, rank" } else { "rank" }
            ),
        })
        .collect();
    let title = format!("rank by {} (1 = most burdened)", by.by);
    let no_data = format!("{NO_DATA_LABEL} (no settlement or no population)");
    rules_document(
        t,
        &title,
        &classes,
        &no_data,
        Symbol::Fill,
        Some("area($geometry)"),
    )
}

#[derive(Clone, Copy)]
pub(super) enum Symbol {
    Marker,
    Fill,
}

/// A symbol's look.
struct Look<'a> {
    color: &'a str,
    shape: &'a str,
    hatched: bool,
}

fn symbol_xml(name: usize, look: &Look, kind: Symbol) -> String {
    let color = look.color;
    let (ty, class, props) = match kind {
        Symbol::Marker => (
            "marker",
            "SimpleMarker",
            vec![
                ("name", look.shape.to_string()),
                ("color", format!("{color},255")),
                (
                    "size",
                    if look.shape == "circle" { "2.6" } else { "3.2" }.into(),
                ),
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
                (
                    "color",
                    format!("{color},{}", if look.hatched { 255 } else { 200 }),
                ),
                (
                    "style",
                    if look.hatched { "b_diagonal" } else { "solid" }.into(),
                ),
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
    // A hatched fill is drawn over a white background, so the hatch reads
    // as no data and not as a pale colour.
    let under = if look.hatched {
        "        <layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">\n\
         \x20         <Option type=\"Map\">\n\
         \x20           <Option name=\"color\" type=\"QString\" value=\"255,255,255,200\"/>\n\
         \x20           <Option name=\"style\" type=\"QString\" value=\"solid\"/>\n\
         \x20           <Option name=\"outline_style\" type=\"QString\" value=\"no\"/>\n\
         \x20         </Option>\n\
         \x20         <prop k=\"color\" v=\"255,255,255,200\"/>\n\
         \x20         <prop k=\"style\" v=\"solid\"/>\n\
         \x20         <prop k=\"outline_style\" v=\"no\"/>\n\
         \x20       </layer>\n"
    } else {
        ""
    };
    format!(
        "      <symbol type=\"{ty}\" name=\"{name}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n\
        {under}\x20       <layer class=\"{class}\" enabled=\"1\" pass=\"0\" locked=\"0\">\n\
        \x20         <Option type=\"Map\">\n{options}          </Option>\n{legacy}\
        \x20       </layer>\n      </symbol>\n"
    )
}

fn symbols_xml(looks: &[Look], kind: Symbol) -> String {
    let mut s = String::from("    <symbols>\n");
    for (k, l) in looks.iter().enumerate() {
        s.push_str(&symbol_xml(k, l, kind));
    }
    s.push_str("    </symbols>\n");
    s
}

/// The renderer's feature order: `expr` descending (largest first).
fn order_by(expr: Option<&str>) -> (u8, String) {
    match expr {
        Some(e) => (
            1,
            format!(
                "    <orderby>\n      <orderByClause asc=\"0\" nullsFirst=\"0\">{}</orderByClause>\n    </orderby>\n",
                xml_escape(e)
            ),
        ),
        None => (0, String::new()),
    }
}

/// A rule-based style: a parent rule labelled `title` holding `classes`
/// and a last *no data* rule (`ELSE`); features drawn in `order` when given.
fn rules_document(
    t: &Table,
    title: &str,
    classes: &[Class],
    no_data: &str,
    kind: Symbol,
    order: Option<&str>,
) -> String {
    let (enable, orderby) = order_by(order);
    let mut r = format!(
        "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"{enable}\" forceraster=\"0\">\n\
         \x20   <rules key=\"root\">\n\
         \x20     <rule key=\"title\" label=\"{}\">\n",
        xml_escape(title)
    );
    for (k, c) in classes.iter().enumerate() {
        r.push_str(&format!(
            "        <rule key=\"class{k}\" filter=\"{}\" symbol=\"{k}\" label=\"{}\"/>\n",
            xml_escape(&c.filter),
            xml_escape(&c.label)
        ));
    }
    r.push_str(&format!(
        "        <rule key=\"nodata\" filter=\"ELSE\" symbol=\"{}\" label=\"{}\"/>\n",
        classes.len(),
        xml_escape(no_data)
    ));
    r.push_str("      </rule>\n    </rules>\n");
    let mut looks: Vec<Look> = classes
        .iter()
        .map(|c| Look {
            color: c.color,
            shape: "circle",
            hatched: false,
        })
        .collect();
    looks.push(Look {
        color: NO_DATA_COLOR,
        shape: "circle",
        hatched: matches!(kind, Symbol::Fill),
    });
    r.push_str(&symbols_xml(&looks, kind));
    r.push_str(&orderby);
    r.push_str("  </renderer-v2>\n");
    let labels = match kind {
        Symbol::Fill => Some("name"),
        Symbol::Marker => None,
    };
    document(t, &r, kind, labels)
}

/// A graduated style (placement sites): classes `(lower, upper]`.
fn graduated(
    t: &Table,
    attr: &str,
    title: &str,
    ranges: &[(f64, f64, &'static str, String)],
) -> String {
    let mut r = format!(
        "  <renderer-v2 type=\"graduatedSymbol\" attr=\"{attr}\" graduatedMethod=\"GraduatedColor\" \
         symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n"
    );
    for (k, (lower, upper, _, label)) in ranges.iter().enumerate() {
        r.push_str(&format!(
            "      <range lower=\"{}\" upper=\"{}\" symbol=\"{k}\" label=\"{}\" render=\"true\"/>\n",
            round6(*lower),
            round6(*upper),
            xml_escape(label)
        ));
    }
    r.push_str("    </ranges>\n");
    let looks: Vec<Look> = ranges
        .iter()
        .map(|x| Look {
            color: x.2,
            shape: "circle",
            hatched: false,
        })
        .collect();
    r.push_str(&symbols_xml(&looks, Symbol::Marker));
    r.push_str(&format!(
        "    <classificationMethod id=\"Manual\"/>\n    <legend title=\"{}\"/>\n  </renderer-v2>\n",
        xml_escape(title)
    ));
    document(t, &r, Symbol::Marker, None)
}

/// The facilities style: one shape (and neutral colour) per service, every
/// service of the run.
pub fn facilities_qml(t: &Table, services: &[String]) -> String {
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
    let looks: Vec<Look> = (0..services.len())
        .map(|k| Look {
            color: FACILITY_COLORS[k % FACILITY_COLORS.len()],
            shape: FACILITY_SHAPES[k % FACILITY_SHAPES.len()],
            hatched: false,
        })
        .collect();
    r.push_str(&symbols_xml(&looks, Symbol::Marker));
    r.push_str("  </renderer-v2>\n");
    document(t, &r, Symbol::Marker, None)
}

/// Labels of `field`: dark text with a white halo over each feature.
fn labeling_xml(field: &str) -> String {
    format!(
        "  <labeling type=\"simple\">\n\
         \x20   <settings calloutType=\"simple\">\n\
         \x20     <text-style fieldName=\"{}\" isExpression=\"0\" fontSize=\"8\" fontSizeUnit=\"Point\" \
         textColor=\"30,30,30,255\" textOpacity=\"1\" fontWeight=\"50\" fontItalic=\"0\" \
         multilineHeight=\"1\" previewBkgrdColor=\"255,255,255,255\">\n\
         \x20       <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" \
         bufferColor=\"255,255,255,255\" bufferOpacity=\"0.8\" bufferNoFill=\"1\" bufferJoinStyle=\"128\"/>\n\
         \x20     </text-style>\n\
         \x20     <text-format wrapChar=\"\" multilineAlign=\"1\" autoWrapLength=\"16\" useMaxLineLengthForAutoWrap=\"1\"/>\n\
         \x20     <placement placement=\"1\" centroidWhole=\"0\" centroidInside=\"1\" fitInPolygonOnly=\"0\" \
         priority=\"5\" dist=\"0\" offsetType=\"0\"/>\n\
         \x20     <rendering obstacle=\"1\" displayAll=\"0\" labelPerPart=\"0\" mergeLines=\"0\" \
         upsidedownLabels=\"0\" scaleVisibility=\"0\" fontLimitPixelSize=\"0\" drawLabels=\"1\"/>\n\
         \x20   </settings>\n  </labeling>\n",
        xml_escape(field)
    )
}

/// A whole `.qml`: the renderer, the labels (of the field `labels`), then
/// every field's title as its alias.
pub(super) fn document(t: &Table, renderer: &str, kind: Symbol, labels: Option<&str>) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    s.push_str(&format!(
        "<qgis version=\"3.28.0\" styleCategories=\"Symbology|Labeling|Fields|Legend\" labelsEnabled=\"{}\">\n",
        labels.is_some() as u8
    ));
    s.push_str(renderer);
    if let Some(f) = labels {
        s.push_str(&labeling_xml(f));
    }
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
    let ranges: Vec<(f64, f64, &'static str, String)> = (0..3)
        .filter(|&j| cuts[j + 1] > cuts[j])
        .map(|j| {
            (
                cuts[j],
                cuts[j + 1],
                colors[j],
                format!(
                    "sites {} to {}",
                    (cuts[j] + 0.5) as usize,
                    (cuts[j + 1] - 0.5) as usize
                ),
            )
        })
        .collect();
    graduated(t, "order", "order chosen (1 = largest gain)", &ranges)
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

    fn burden() -> RankTitle {
        RankTitle {
            by: "burden".into(),
            field: None,
        }
    }

    #[test]
    fn settlement_classes_cover_the_scale() {
        let q = settlements_qml(&table(), 12.0);
        assert!(q.contains("type=\"RuleRenderer\""));
        assert!(
            q.contains("filter=\"&quot;composite&quot; &lt;= 0.16\""),
            "{q}"
        );
        assert!(q.contains("filter=\"ELSE\""), "{q}");
        assert!(q.contains("0 to 12;"), "{q}");
        assert!(q.contains("name=\"composite &lt;score&gt;\""));
        assert_eq!(q.matches("<rule key=\"class").count(), 5);
    }

    #[test]
    fn zone_bands_put_priority_first() {
        let q = zones_qml(&table(), 20, 4, &burden());
        assert!(q.contains("label=\"priority, rank 1 to 4\""), "{q}");
        assert!(q.contains("label=\"rank 17 to 20\""), "{q}");
        assert!(q.contains("area($geometry)"), "{q}");
        assert!(q.contains("labelsEnabled=\"1\""), "{q}");
        // Fewer zones than bands: no empty band.
        let q = zones_qml(&table(), 2, 1, &burden());
        assert_eq!(q.matches("<rule key=\"class").count(), 2, "{q}");
    }
}
