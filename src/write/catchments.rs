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

/// The style: a rule per threshold (`thresholds_min`, ascending), the
/// smallest the most opaque; the larger polygons are drawn first.
pub fn catchments_qml(t: &Table, thresholds_min: &[f64]) -> String {
    let n = thresholds_min.len().max(1);
    let mut r = String::from(
        "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"1\" forceraster=\"0\">\n\
         \x20   <rules key=\"root\">\n\
         \x20     <rule key=\"title\" label=\"Reached within (min)\">\n",
    );
    let mut symbols = String::from("    <symbols>\n");
    for (k, m) in thresholds_min.iter().enumerate() {
        let filter = format!("\"time_min\" = {m}");
        r.push_str(&format!(
            "        <rule key=\"t{k}\" filter=\"{}\" symbol=\"{k}\" label=\"{}\"/>\n",
            xml_escape(&filter),
            xml_escape(&format!("≤ {m} min"))
        ));
        // From 200 (15 min by default) down to 40 of 255.
        let alpha = 200 - (160 * k) / n.saturating_sub(1).max(1);
        symbols.push_str(&format!(
            "      <symbol type=\"fill\" name=\"{k}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n\
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
        ));
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
        let t = catchments_table(&Catchments::default());
        assert!(t.rows.is_empty() && t.columns.iter().all(|c| c.name.len() <= 10));
        let q = catchments_qml(&t, &[15.0, 30.0, 60.0, 120.0]);
        let alphas: Vec<u32> = q
            .match_indices("value=\"33,102,172,")
            .map(|(i, m)| {
                let rest = &q[i + m.len()..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .filter(|&a| a != 255)
            .collect();
        assert_eq!(alphas.len(), 4);
        assert!(alphas.windows(2).all(|w| w[0] > w[1]), "{alphas:?}");
        assert!(q.contains("&quot;time_min&quot; = 15"));
    }
}
