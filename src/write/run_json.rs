//! `run.json`: what went in, every parameter and assumption, what came out.

use std::io::Read;
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::pipeline::Analysis;

/// SHA-256 of a file, hex; `None` when unreadable.
pub fn sha256_file(path: &Path) -> Option<(String, u64)> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).ok()?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Some((format!("{:x}", h.finalize()), n))
}

/// The assumptions a reader must know to interpret the results.
pub fn assumptions(a: &Analysis) -> Vec<String> {
    let t = &a.settings.travel;
    let mut v = vec![
        "Coordinates are WGS 84 longitude/latitude (EPSG:4326); GeoJSON follows RFC 7946.".into(),
        "Distances are great-circle (haversine, R = 6371008.8 m); road lengths sum their segments.".into(),
        "time_min is the trip from the settlement to its nearest facility by time; dist_m is the length of that trip.".into(),
    ];
    if a.travel_mode == crate::pipeline::TravelMode::StraightLine {
        v.push(format!(
            "No road layer: every trip is the straight line x circuity {} at the profile's no_road_kmh (walk {} km/h, drive {} km/h by default), with no distance cap.",
            t.circuity,
            a.settings.profiles.get("walk").map_or(0.0, |p| p.no_road_kmh),
            a.settings.profiles.get("drive").map_or(0.0, |p| p.no_road_kmh),
        ));
    } else {
        v.push(format!(
            "Places snap to the nearest point of the nearest road segment usable by the profile; beyond {} m they are off_network.",
            t.max_snap_m
        ));
        v.push(
            "Off-road legs (to and from the road) are straight lines at the profile's offroad_kmh."
                .into(),
        );
        v.push(format!(
            "A trip is the faster of the road route and a direct off-road trip (straight line x circuity {}, at offroad_kmh, when the straight line is at most {} m).",
            t.circuity, t.max_direct_m
        ));
        v.push("Road speeds come from the profile's speed table by highway class; drive uses a tagged maxspeed instead and honours oneway.".into());
    }
    if let Some(t) = &a.settings.terrain {
        v.push(format!(
            "Terrain: off-road legs, direct trips and no-road trips are timed over the DEM {} by Tobler's hiking function as a ratio to the flat speed, v = speed x exp(0.175 - 3.5 x |dh/dx + 0.05|) (uphill slower than downhill; at most x1.19 on a 5 % descent), with slopes sampled every {} m along the straight line from the settlement towards the facility; a leg leaving the DEM or crossing no data is timed flat (counted in terrain.flat_legs).",
            t.dem.display(),
            t.step_m
        ));
        if !t.road_profiles.is_empty() {
            v.push(format!(
                "Terrain on roads: road segments of the profiles {} are timed over the same DEM in each direction, the class speed times Tobler's ratio to the flat sampled every {} m along the segment (a segment leaving the DEM keeps its flat time).",
                t.road_profiles.join(", "),
                t.step_m
            ));
        }
    }
    if a.dataset.barrier_report.is_some() {
        v.push(format!(
            "Barriers: off-road legs, direct trips and no-road trips do not cross barrier lines or enter barrier polygons; a place snaps to the nearest road it reaches without crossing one (within {} m); roads cross water only where the way is tagged bridge, tunnel, culvert or ford, an untagged OSM crossing being an implied ford closed in the wet season; roads crossing a closed border are cut; places on a barrier are moved to its nearer side. straight_line services ignore barriers.",
            t.max_snap_m
        ));
    }
    for svc in a.settings.services.iter().filter(|s| s.straight_line) {
        v.push(format!(
            "{}: dist_m is the great-circle distance to the nearest facility (no route); time_min is that distance at the {} profile's offroad_kmh.",
            svc.name, svc.profile
        ));
    }
    v.push("Composite: per service min(3, value / mean over settlements with a trip), summed over services that have facilities; no trip scores 3.".into());
    v.push("Zone indicators are population-weighted; burden = population x mean composite; rank by burden.".into());
    v.extend(super::measures::assumptions(a));
    if a.allocation.is_some() {
        v.push("Settlements without a population received a share of their zone's census total (see allocation).".into());
    }
    v
}

/// Replaces `-0.0` by `0` everywhere in `v` (serde_json already writes
/// non-finite numbers as null).
pub fn normalise_zeros(v: &mut Value) {
    match v {
        Value::Number(n) if n.as_f64() == Some(0.0) && !n.is_u64() && !n.is_i64() => {
            *v = json!(0.0);
        }
        Value::Array(a) => a.iter_mut().for_each(normalise_zeros),
        Value::Object(o) => o.values_mut().for_each(normalise_zeros),
        _ => {}
    }
}

/// Builds the `run.json` document; `write_s` is the time spent laying out
/// and writing the other outputs.
pub fn run_json(
    a: &Analysis,
    args: &[String],
    threads: usize,
    outputs: &[String],
    write_s: f64,
) -> Value {
    let inputs: Vec<Value> = a
        .dataset
        .files
        .iter()
        .map(|p| {
            let (sha, bytes) = sha256_file(p).unwrap_or_default();
            let crs = a.dataset.crs.iter().find(|(q, _)| q == p).map(|(_, c)| c);
            let mut v = json!({"path": p.display().to_string(), "sha256": sha, "bytes": bytes});
            if let Some(c) = crs {
                v["crs"] = json!(c);
            }
            v
        })
        .collect();
    let facilities: Vec<Value> = a
        .access
        .iter()
        .map(|sa| {
            json!({
                "service": sa.service,
                "facilities": sa.facilities.len(),
                "on_network": sa.facilities_on_network,
            })
        })
        .collect();
    let valid = a.dataset.settlements.iter().filter(|s| s.valid).count();
    let total_pop: f64 = a
        .dataset
        .settlements
        .iter()
        .map(|s| s.settlement.population.0)
        .sum();
    let mut doc = json!({
        "tool": "remoteness",
        "version": env!("CARGO_PKG_VERSION"),
        "command": args,
        "threads": threads,
        "crs": "EPSG:4326 (WGS 84 longitude, latitude; RFC 7946)",
        "travel_mode": a.travel_mode.as_str(),
        "inputs": inputs,
        "settings": a.settings,
        "assumptions": assumptions(a),
        "counts": {
            "settlements": a.dataset.settlements.len(),
            "settlements_valid": valid,
            "settlements_invalid": a.dataset.settlements.len() - valid,
            "population": total_pop,
            "facilities": facilities,
            "zones": a.zones.len(),
            "zone_source": a.zone_source.as_str(),
            "priority_zones": a.zone_stats.iter().filter(|z| z.priority).count(),
        },
        "network": a.network,
        "profiles": a.profiles,
        "services": a.scores.summaries,
        "composite_max": a.scores.composite_max,
        "measures": super::measures::run_json(a),
        "allocation": a.allocation,
        "warnings": a.dataset.diagnostics,
        "timings_s": timings(a, write_s),
        "peak_rss_mib": peaks(a),
        "outputs": outputs,
    });
    if let Some(t) = &a.dataset.terrain {
        doc["terrain"] = terrain_json(a, t);
    }
    if let Some(c) = &a.catchments {
        let polygons = c
            .polygons
            .iter()
            .filter(|p| !p.polygon.0.is_empty())
            .count();
        doc["catchments"] = json!({
            "polygons": polygons,
            "services": c.grids,
            "tolerance": "a settlement is misclassified only when its trip time is within \
                tolerance_min of the threshold, or where the trip-time field jumps inside \
                its grid cell (snap regions, max_snap_m, max_direct_m, a one-way segment \
                holding a facility); facilities' polygons lie within the service's but \
                for border cells",
        });
    }
    if let Some(b) = &a.dataset.barrier_report {
        doc["barriers"] = json!(b);
    }
    normalise_zeros(&mut doc);
    doc
}

/// The DEM's grid and how many places and legs fell off it.
fn terrain_json(a: &Analysis, t: &crate::terrain::Terrain) -> Value {
    let dem = t.dem();
    let (w, h) = dem.size();
    let off_dem = a
        .dataset
        .settlements
        .iter()
        .filter(|s| s.valid && dem.elevation(s.settlement.pos).is_none())
        .count();
    json!({
        "columns": w,
        "rows": h,
        "crs": dem.crs().label(),
        "geotransform": dem.geotransform(),
        "step_m": t.step_m(),
        "implausible_samples": dem.implausible_samples(),
        "settlements_without_elevation": off_dem,
        "flat_legs": t.flat_legs(),
    })
}

/// The process's peak resident memory (MiB, `VmHWM`) at the end of each
/// stage and when `run.json` is laid out (`write`): where the peak was
/// reached. `null` where it cannot be read (not Linux).
fn peaks(a: &Analysis) -> Value {
    let now = crate::pipeline::peak_rss_mib();
    if a.peaks_mib.is_empty() && now.is_none() {
        return Value::Null;
    }
    let mut m: serde_json::Map<String, Value> = a
        .peaks_mib
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if let Some(p) = now {
        m.insert("write".into(), json!(p));
    }
    Value::Object(m)
}

/// Stage timings in seconds, with `write` and their `total`.
fn timings(a: &Analysis, write_s: f64) -> Value {
    let mut m: serde_json::Map<String, Value> = a
        .timings
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    m.insert("write".into(), json!(write_s));
    let total = a.timings.iter().map(|(_, v)| v).sum::<f64>() + write_s;
    m.insert("total".into(), json!(total));
    Value::Object(m)
}
