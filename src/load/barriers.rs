//! Barrier layers (`[barriers] layers`): lines and polygons of any format
//! the loaders read, reprojected by `formats::read_layer` like every layer.
//! Points are not barriers (counted); a feature's parts become one barrier
//! each, with the layer's kind and `closed`.

use geo_types::{Geometry, LineString, Polygon};

use super::formats::Feature;
use super::Diagnostics;
use crate::config::BarrierLayer;
use crate::model::{Barrier, BarrierShape, LonLat};

fn points(l: &LineString<f64>) -> Vec<LonLat> {
    l.0.iter().map(|c| LonLat::new(c.x, c.y)).collect()
}

fn rings(p: &Polygon<f64>) -> Vec<Vec<LonLat>> {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(points)
        .collect()
}

fn shapes(g: &Geometry<f64>, out: &mut Vec<BarrierShape>) -> bool {
    match g {
        Geometry::LineString(l) => out.push(BarrierShape::Line(points(l))),
        Geometry::MultiLineString(m) => {
            out.extend(m.0.iter().map(|l| BarrierShape::Line(points(l))))
        }
        Geometry::Polygon(p) => out.push(BarrierShape::Polygon(rings(p))),
        Geometry::MultiPolygon(m) => {
            out.extend(m.0.iter().map(|p| BarrierShape::Polygon(rings(p))))
        }
        Geometry::Rect(r) => out.push(BarrierShape::Polygon(rings(&r.to_polygon()))),
        Geometry::Triangle(t) => out.push(BarrierShape::Polygon(rings(&t.to_polygon()))),
        Geometry::Line(l) => out.push(BarrierShape::Line(vec![
            LonLat::new(l.start.x, l.start.y),
            LonLat::new(l.end.x, l.end.y),
        ])),
        Geometry::GeometryCollection(c) => {
            let mut any = false;
            for g in &c.0 {
                any |= shapes(g, out);
            }
            return any;
        }
        Geometry::Point(_) | Geometry::MultiPoint(_) => return false,
    }
    true
}

/// The barriers of one layer's features; features with no line or polygon
/// are counted (`barrier_not_a_line`).
pub fn barriers(
    features: &[Feature],
    layer: &BarrierLayer,
    diags: &mut Diagnostics,
) -> Vec<Barrier> {
    let mut out = Vec::new();
    for f in features {
        let id = layer
            .spec
            .id_field
            .as_deref()
            .and_then(|k| f.text(k))
            .unwrap_or_else(|| f.index.to_string());
        let mut parts = Vec::new();
        let ok = f.geometry.as_ref().is_some_and(|g| shapes(g, &mut parts));
        if !ok {
            diags.push(
                "barrier_not_a_line",
                &layer.spec.path,
                &id,
                "geometry",
                "a barrier must be a line or a polygon: feature skipped".into(),
            );
            continue;
        }
        out.extend(parts.into_iter().map(|shape| Barrier {
            id: id.clone(),
            kind: layer.kind,
            closed: layer.closed,
            shape,
        }));
    }
    out
}
