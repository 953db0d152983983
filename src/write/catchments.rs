//! The catchment polygons as a layer (`catchments.geojson`, a GeoPackage
//! layer) and its QGIS style: one polygon per service or facility and
//! threshold, filled more transparently as the threshold grows, so the
//! nested polygons read as rings of time.

use super::qml::{document, xml_escape, Symbol};
use super::table::{Cell, Geom, Kind, Table, POP_DP};
use crate::isochrone::Catchments;

/// The layer's name.
pub const LAYER: &str = "catchments";

/// One row per polygon, in the order of [`Catchments::polygons`] (service,
/// the service's own polygons, then each facility's; thresholds
/// ascending). Polygons that reach nothing are left out.
pub fn catchments_table(c: &Catchments) -> Table {
    let mut t = Table::default();
    t.column("service", Kind::Text, "service");
    t.column("fac_id", Kind::Text, "facility (empty: the whole service)");
    t.column(
        "scope",
        Kind::Text,
        "scope: service, facility or voronoi (service area)",
    );
    t.column("time_min", Kind::Int, "threshold: trip time (min)");
    t.column("area_km2", Kind::Float, "area (km²)");
    t.column("pop", Kind::Float, "people within the threshold (people)");
    t.column("cell_m", Kind::Float, "grid cell (m)");
    t.column("tol_min", Kind::Float, "time tolerance at the edge (min)");
    for p in c.polygons.iter().filter(|p| !p.polygon.0.is_empty()) {
        let grid = c.grids.iter().find(|g| g.service == p.service);
        t.rows.push(vec![
            Cell::Text(p.service.clone()),
            p.facility_id.clone().map_or(Cell::Null, Cell::Text),
            Cell::Text(p.scope.as_str().into()),
            Cell::Int((p.threshold.0 / 60.0).round() as i64),
            Cell::Float(p.area_km2, 3),
            Cell::Float(p.population, POP_DP),
            Cell::float(grid.map(|g| g.cell_m), 1),
            Cell::float(grid.map(|g| g.tolerance_min), 3),
        ]);
        t.geometry.push(Some(Geom::from_multipolygon(&p.polygon)));
    }
    t
}

/// The groups the style draws, in legend order: each service's own
/// polygons, then each facility's, then the service areas, per service of
/// the table (in order of first appearance). Only the first group is
/// switched on: services overlap, so a map shows one at a time, and the
/// others are ticked in the legend.
fn groups(t: &Table) -> Vec<(String, &'static str)> {
    let col = |name: &str| t.column_index(name).expect("catchments table column");
    let (svc, scope) = (col("service"), col("scope"));
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for r in &t.rows {
        let (Cell::Text(s), Cell::Text(k)) = (&r[svc], &r[scope]) else {
            continue;
        };
        let k = match k.as_str() {
            "service" => "service",
            "facility" => "facility",
            _ => "voronoi",
        };
        if !out.iter().any(|(a, b)| a == s && *b == k) {
            out.push((s.clone(), k));
        }
    }
    let order = |k: &str| {
        ["service", "facility", "voronoi"]
            .iter()
            .position(|x| *x == k)
    };
    let services: Vec<String> = out.iter().fold(Vec::new(), |mut v, (s, _)| {
        if !v.contains(s) {
            v.push(s.clone());
        }
        v
    });
    out.sort_by_key(|(s, k)| (services.iter().position(|x| x == s), order(k)));
    out
}

/// One fill symbol: blue at `alpha` (0–255) with a solid outline.
fn fill_symbol(name: &str, alpha: usize) -> String {
    format!(
        "      <symbol type=\"fill\" name=\"{name}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n\
         \x20       <layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">\n\
         \x20         <Option type=\"Map\">\n\
         \x20           <Option name=\"color\" type=\"QString\" value=\"33,102,172,{alpha}\"/>\n\
         \x20           <Option name=\"style\" type=\"QString\" value=\"solid\"/>\n\
         \x20           <Option name=\"outline_color\" type=\"QString\" value=\"33,102,172,255\"/>\n\
         \x20           <Option name=\"outline_width\" type=\"QString\" value=\"0.2\"/>\n\
         \x20           <Option name=\"outline_style\" type=\"QString\" value=\"solid\"/>\n\
         \x20         </Option>\n\
         \x20         <prop k=\"color\" v=\"33,102,172,{alpha}\"/>\n\
         \x20         <prop k=\"style\" v=\"solid\"/>\n\
         \x20         <prop k=\"outline_color\" v=\"33,102,172,255\"/>\n\
         \x20         <prop k=\"outline_width\" v=\"0.2\"/>\n\
         \x20         <prop k=\"outline_style\" v=\"solid\"/>\n\
         \x20       </layer>\n      </symbol>\n"
    )
}

/// The style: under a title rule, one group per service and scope (see
/// `groups`; only the first switched on), each with a rule per threshold
/// (`thresholds_min`, ascending), the smallest the most opaque; the larger
/// polygons are drawn first.
pub fn catchments_qml(t: &Table, thresholds_min: &[f64]) -> String {
    let n = thresholds_min.len().max(1);
    let mut r = String::from(
        "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"1\" forceraster=\"0\">\n\
         \x20   <rules key=\"root\">\n\
         \x20     <rule key=\"title\" label=\"Reached within (min)\">\n",
    );
    let mut symbols = String::from("    <symbols>\n");
    for (g, (service, scope)) in groups(t).iter().enumerate() {
        let filter = format!(
            "\"service\" = '{}' AND \"scope\" = '{scope}'",
            service.replace('\'', "''")
        );
        let label = match *scope {
            "service" => format!("{service}: from any facility"),
            "facility" => format!("{service}: from each facility"),
            _ => format!("{service}: service area of each facility"),
        };
        r.push_str(&format!(
            "        <rule key=\"g{g}\" filter=\"{}\" label=\"{}\"{}>\n",
            xml_escape(&filter),
            xml_escape(&label),
            if g == 0 { "" } else { " checkstate=\"0\"" }
        ));
        for (k, m) in thresholds_min.iter().enumerate() {
            let name = format!("{g}_{k}");
            r.push_str(&format!(
                "          <rule key=\"g{g}t{k}\" filter=\"{}\" symbol=\"{name}\" label=\"{}\"/>\n",
                xml_escape(&format!("\"time_min\" = {m}")),
                xml_escape(&format!("≤ {m} min"))
            ));
            // From 200 (15 min by default) down to 40 of 255.
            symbols.push_str(&fill_symbol(
                &name,
                200 - (160 * k) / n.saturating_sub(1).max(1),
            ));
        }
        r.push_str("        </rule>\n");
    }
    symbols.push_str("    </symbols>\n");
    r.push_str("      </rule>\n    </rules>\n");
    r.push_str(&symbols);
    r.push_str(
        "    <orderby>\n      <orderByClause asc=\"0\" nullsFirst=\"0\">\"time_min\"</orderByClause>\n    </orderby>\n",
    );
    r.push_str("  </renderer-v2>\n");
    document(t, &r, Symbol::Fill, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_grades_transparency_by_threshold() {
        let mut t = catchments_table(&Catchments::default());
        assert!(t.rows.is_empty() && t.columns.iter().all(|c| c.name.len() <= 10));
        for (service, fac, scope) in [
            ("health", None, "service"),
            ("health", Some("f1"), "facility"),
            ("school", None, "service"),
            ("health", Some("f1"), "voronoi"),
        ] {
            t.rows.push(vec![
                Cell::Text(service.into()),
                fac.map_or(Cell::Null, |f: &str| Cell::Text(f.into())),
                Cell::Text(scope.into()),
                Cell::Int(15),
                Cell::Float(1.0, 3),
                Cell::Float(1.0, 1),
                Cell::Float(250.0, 1),
                Cell::Float(1.0, 3),
            ]);
        }
        let q = catchments_qml(&t, &[15.0, 30.0, 60.0, 120.0]);
        let alphas: Vec<u32> = q
            .match_indices("value=\"33,102,172,")
            .map(|(i, m)| {
                let rest = &q[i + m.len()..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .filter(|&a| a != 255)
            .collect();
        // Four groups of four thresholds, each graded.
        assert_eq!(alphas.len(), 16);
        assert!(
            alphas.chunks(4).all(|g| g.windows(2).all(|w| w[0] > w[1])),
            "{alphas:?}"
        );
        assert!(q.contains("&quot;time_min&quot; = 15"));
        // Groups in legend order, only the first switched on.
        let labels: Vec<&str> = q
            .lines()
            .filter(|l| {
                let key = l.trim_start().strip_prefix("<rule key=\"");
                key.is_some_and(|k| {
                    k.starts_with('g') && !k.split('"').next().unwrap().contains('t')
                })
            })
            .collect();
        assert_eq!(labels.len(), 4, "{labels:?}");
        assert!(
            labels[0].contains("health: from any facility") && !labels[0].contains("checkstate")
        );
        assert!(
            labels[1].contains("health: from each facility")
                && labels[1].contains("checkstate=\"0\"")
        );
        assert!(labels[2].contains("health: service area"));
        assert!(
            labels[3].contains("school: from any facility")
                && labels[3].contains("checkstate=\"0\"")
        );
    }
}
