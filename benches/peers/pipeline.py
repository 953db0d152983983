#!/usr/bin/env python3
"""The whole pipeline from a .pbf: the engine against a pyrosm + Pandana +
GeoPandas script doing the same analysis on the same input.

The script (`analysis` below) does what `remoteness run` does by default,
in the usual Python way:

* pyrosm reads the walking and driving networks, the settlements
  (`place=city|town|village|hamlet|isolated_dwelling|farm`) and the
  facilities (the engine's default tag table) from the .pbf;
* arc times are length / speed by `highway` class, with the engine's default
  speed tables;
* Pandana builds each network's contraction hierarchy; per service, it snaps
  facilities and settlements to the nearest network node and finds each
  node's nearest facility (`nearest_pois`): health by road (drive), school
  and water on foot (walk); power is the straight-line distance to the
  nearest power feature (GeoPandas `sjoin_nearest`, metric CRS);
* scores: beyond-threshold flags, the composite `Σ min(3, v / mean v)`;
* GeoPandas writes settlements as GeoJSON and CSV.

It is the same analysis in spirit, not in every detail (no off-road legs,
no snapping to segments, no zones): it does less work than the engine.
Both are timed end to end (wall clock, median of --runs; the script from
reading the .pbf to the last file written, imports excluded; the engine as
a whole process).

    python3 benches/peers/pipeline.py [--pbf fixtures/liechtenstein/liechtenstein.osm.pbf] [--runs 3]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import venv  # noqa: E402

venv.ensure()

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandana  # noqa: E402
import pandas as pd  # noqa: E402
import pyrosm  # noqa: E402

ROOT = venv.ROOT

# The engine's defaults (src/config/defaults.rs).
DRIVE_KMH = {"motorway": 100, "motorway_link": 60, "trunk": 80, "trunk_link": 50,
             "primary": 70, "primary_link": 50, "secondary": 60, "secondary_link": 40,
             "tertiary": 50, "tertiary_link": 35, "unclassified": 40, "residential": 30,
             "living_street": 10, "service": 20, "road": 30, "track": 15}
WALK_KMH = {k: 5.0 for k in ["trunk", "trunk_link", "primary", "primary_link", "secondary",
                             "secondary_link", "tertiary", "tertiary_link", "unclassified",
                             "residential", "living_street", "service", "road", "pedestrian",
                             "footway", "cycleway"]}
WALK_KMH.update({"track": 4.5, "bridleway": 4.0, "path": 4.0, "steps": 2.0})
FACILITY_TAGS = {
    "health": {"amenity": ["hospital", "clinic", "doctors", "health_post"]},
    "school": {"amenity": ["school", "kindergarten", "college"]},
    "water": {"amenity": ["drinking_water", "water_point"],
              "man_made": ["water_well", "water_tower", "water_tap", "water_works"]},
    "power": {"power": ["substation", "plant", "generator", "transformer", "line",
                        "minor_line"]},
}
PLACES = ["city", "town", "village", "hamlet", "isolated_dwelling", "farm"]
SERVICES = [("health", "drive", 60.0), ("school", "walk", 60.0), ("water", "walk", 15.0)]
POWER_THRESHOLD_M = 5000.0


def network(osm, kind, speeds):
    nodes, edges = osm.get_network(network_type=kind, nodes=True)
    edges = edges[edges["highway"].isin(speeds.keys())].copy()
    kmh = edges["highway"].map(speeds).astype(float)
    edges["time_min"] = edges["length"] / (kmh * 1000 / 60)
    used = pd.unique(pd.concat([edges["u"], edges["v"]]))
    nodes = nodes[nodes["id"].isin(used)].set_index("id")
    net = pandana.Network(nodes["lon"], nodes["lat"], edges["u"], edges["v"],
                          edges[["time_min"]], twoway=True)
    return net


def centroids(gdf):
    pts = gdf.to_crs(3857).geometry.centroid.to_crs(4326)
    return pts.x.to_numpy(), pts.y.to_numpy()


def analysis(pbf, out):
    osm = pyrosm.OSM(str(pbf))
    places = osm.get_pois(custom_filter={"place": PLACES})
    places = places[places["place"].isin(PLACES)].reset_index(drop=True)
    sx, sy = centroids(places)
    nets = {"drive": network(osm, "driving", DRIVE_KMH), "walk": network(osm, "walking", WALK_KMH)}
    result = pd.DataFrame({"name": places.get("name"), "place": places["place"]})
    for service, profile, threshold in SERVICES:
        fac = osm.get_pois(custom_filter=FACILITY_TAGS[service])
        fx, fy = centroids(fac)
        net = nets[profile]
        horizon = 24 * 60.0
        net.set_pois(service, horizon, 1, pd.Series(fx), pd.Series(fy))
        near = net.nearest_pois(horizon, service, num_pois=1)[1]
        minutes = near.reindex(net.get_node_ids(pd.Series(sx), pd.Series(sy))).to_numpy()
        minutes = np.where(minutes >= horizon, np.nan, minutes)
        result[f"{service}_min"] = minutes
        result[f"{service}_beyond"] = ~(minutes <= threshold)
    # Power: straight-line metres to the nearest power feature.
    power = osm.get_pois(custom_filter=FACILITY_TAGS["power"]).to_crs(3857)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(sx, sy), crs=4326).to_crs(3857)
    joined = gpd.sjoin_nearest(pts, power[["geometry"]], distance_col="power_m")
    result["power_m"] = joined.groupby(level=0)["power_m"].min().reindex(pts.index).to_numpy()
    result["power_beyond"] = ~(result["power_m"] <= POWER_THRESHOLD_M)
    metrics = [f"{s}_min" for s, _, _ in SERVICES] + ["power_m"]
    result["composite"] = sum(np.minimum(3.0, result[m] / result[m].mean()) for m in metrics)
    gdf = gpd.GeoDataFrame(result, geometry=gpd.points_from_xy(sx, sy), crs=4326)
    gdf.to_file(out / "settlements.geojson", driver="GeoJSON")
    gdf.drop(columns="geometry").to_csv(out / "settlements.csv", index=False)
    return len(gdf)


def median_seconds(runs, f):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pbf", default=str(ROOT / "fixtures/liechtenstein/liechtenstein.osm.pbf"))
    ap.add_argument("--config", default=str(ROOT / "fixtures/liechtenstein/liechtenstein.toml"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--bin", "remoteness"], cwd=ROOT, check=True)
    binary = ROOT / "target" / "release" / "remoteness"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # Interleaved, so both see the same machine load.
        ours, theirs = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run([str(binary), "run", args.config, "--out", str(tmp / "ours")],
                           check=True, capture_output=True)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            n = analysis(Path(args.pbf), tmp)
            theirs.append(time.perf_counter() - t0)
    us, them = statistics.median(ours), statistics.median(theirs)
    report = {"pbf": args.pbf, "settlements": n, "runs": args.runs,
              "remoteness_s": us, "pyrosm_pandana_geopandas_s": them, "ratio": them / us,
              "remoteness_all_s": ours, "peer_all_s": theirs}
    print(json.dumps(report, indent=1))
    out = ROOT / "target" / "peers"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pipeline.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
