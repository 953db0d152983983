#!/usr/bin/env python3
"""Cross-check of the floating catchment measures against PySAL `access`.

Runs the engine and PySAL `access` (pip package `access`, installed here into
a private virtual environment) on the Porto Alegre H3 grid of the IPEA Access
to Opportunities project: every hexagon is a settlement with its population,
every hexagon with health facilities (schools) is a facility whose capacity
is its count. There is no road layer, so the engine's trip cost is the
great-circle distance x circuity at the walking no-road speed; this script
computes those same costs once (the engine's haversine, R = 6371008.8 m) and
gives the whole settlement x facility cost table to PySAL. It prints, per
service and method, the largest relative difference between the two, and
exits non-zero if any exceeds 1e-9.

Data: poa_hexgrid.csv (1,227 H3 cells with population, schools and health
facilities) from the IPEA Access to Opportunities project, MIT licence, as
shipped in ipeaGIT/r5r (inst/extdata/poa); see ../shared/data/README.md.

Usage (from the repository root):

    python3 validation/access_porto_alegre.py [--data DIR] [--bin PATH]

`--data` defaults to ../shared/data/porto-alegre next to the repository;
`--bin` to target/release/remoteness, rebuilt first with `cargo build
--release` so the binary matches the source.
"""

import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "validation-venv")
TOL = 1e-9

# Travel and catchment settings shared by both tools (the engine's defaults
# where there is one).
CIRCUITY = 1.3
NO_ROAD_KMH = 4.5  # walk profile, no road layer
CUTOFF_MIN = 30.0  # 2SFCA and gravity 2SFCA
E2SFCA_STEPS = {10: 1.0, 20: 0.68, 30: 0.22}
THREE_STEP_STEPS = {10: 0.962, 20: 0.704, 30: 0.377, 60: 0.042}
POWER, SCALE_MIN, FLOOR_MIN = 1.0, 1.0, 1.0
EARTH_RADIUS_M = 6371008.8
SERVICES = [("health", "hlth", "healthcare"), ("school", "schl", "schools")]


def in_venv():
    """Re-runs this script inside a virtual environment holding `access`."""
    if os.environ.get("REMOTENESS_VALIDATION_VENV") == "1":
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        print(f"== creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("== pip install access (and pandas, geopandas, numpy, scipy)", flush=True)
    subprocess.run(
        [py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "access"],
        check=True,
    )
    env = dict(os.environ, REMOTENESS_VALIDATION_VENV="1")
    sys.exit(subprocess.run([py, __file__, *sys.argv[1:]], env=env).returncode)


def haversine(lon1, lat1, lon2, lat2):
    """The engine's great-circle distance (src/geometry.rs), same operations."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(math.sqrt(h), 1.0))


def trip_min(d):
    """Straight line x circuity at the no-road speed, in minutes, as the engine."""
    return (d * CIRCUITY) / (NO_ROAD_KMH / 3.6) / 60.0


def engine_binary(arg):
    if arg:
        return arg
    # Always (re)build, so a stale binary is never the one checked.
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "remoteness")


def main():
    in_venv()
    import pandas as pd
    from access import Access, weights

    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "porto-alegre"))
    ap.add_argument("--bin")
    args = ap.parse_args()
    grid_path = os.path.abspath(os.path.join(args.data, "poa_hexgrid.csv"))
    with open(grid_path, newline="") as f:
        hexes = list(csv.DictReader(f))
    print(f"== {len(hexes)} hexagons, {sum(float(h['population']) for h in hexes):.0f} people ({grid_path})")

    work = tempfile.mkdtemp(prefix="poa-access-")
    facility_files = {}
    for service, code, column in SERVICES:
        rows = [h for h in hexes if float(h[column] or 0) > 0]
        path = os.path.join(work, f"{service}.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "lon", "lat", "capacity"])
            for h in rows:
                w.writerow([h["id"], h["lon"], h["lat"], h[column]])
        facility_files[service] = rows
        print(f"== {service}: {len(rows)} facility hexagons, capacity {sum(float(h[column]) for h in rows):.0f}")

    config = os.path.join(work, "poa.toml")
    with open(config, "w") as f:
        f.write(f'[inputs]\n[[inputs.settlements]]\npath = "{grid_path}"\nid_field = "id"\npopulation_field = "population"\n')
        for service, code, _ in SERVICES:
            f.write(f'[[inputs.facilities]]\npath = "{service}.csv"\nid_field = "id"\ncategory = "{service}"\ncapacity_field = "capacity"\n')
        for service, code, _ in SERVICES:
            f.write(
                f'[services.{service}]\ncode = "{code}"\nprofile = "walk"\nthreshold_min = 30\n'
                f'[services.{service}.catchment]\nmethods = ["2sfca", "e2sfca", "g2sfca", "3sfca"]\n'
                f"cutoff_min = {CUTOFF_MIN}\npower = {POWER}\nscale_min = {SCALE_MIN}\nfloor_min = {FLOOR_MIN}\n"
            )
        f.write(f"[profiles.walk]\nno_road_kmh = {NO_ROAD_KMH}\n[travel]\ncircuity = {CIRCUITY}\n[gravity]\nenabled = false\n")
    out = os.path.join(work, "out")
    binary = engine_binary(args.bin)
    subprocess.run([binary, "run", config, "--out", out, "-q"], check=True, stdout=subprocess.DEVNULL)
    engine = pd.read_csv(os.path.join(out, "settlements.csv"), dtype={"id": str}).set_index("id")

    demand = pd.DataFrame({"geoid": [h["id"] for h in hexes], "pop": [float(h["population"]) for h in hexes]})
    worst = 0.0
    print(f"{'service':8} {'method':7} {'compared':>8} {'nonzero':>8} {'pysal_nan':>9} {'max_rel_diff':>13} {'max_abs_diff':>13}")
    for service, code, column in SERVICES:
        fac = facility_files[service]
        supply = pd.DataFrame({"geoid": [h["id"] for h in fac], "cap": [float(h[column]) for h in fac]})
        # The full settlement x facility table of straight-line trip minutes.
        costs = pd.DataFrame(
            [
                (h["id"], g["id"], trip_min(haversine(float(h["lon"]), float(h["lat"]), float(g["lon"]), float(g["lat"]))))
                for h in hexes
                for g in fac
            ],
            columns=["origin", "dest", "cost"],
        )
        a = Access(
            demand_df=demand, demand_index="geoid", demand_value="pop",
            supply_df=supply, supply_index="geoid", supply_value="cap",
            cost_df=costs, cost_origin="origin", cost_dest="dest", cost_name="cost",
        )
        gravity = weights.gravity(scale=SCALE_MIN, alpha=-POWER, min_dist=FLOOR_MIN)
        ours = {
            "2sfca": a.two_stage_fca(name="twosfca", max_cost=CUTOFF_MIN)["twosfca_cap"],
            "e2sfca": a.enhanced_two_stage_fca(name="e2sfca", weight_fn=weights.step_fn(E2SFCA_STEPS))["e2sfca_cap"],
            "g2sfca": a.two_stage_fca(name="g2sfca", weight_fn=gravity, max_cost=CUTOFF_MIN)["g2sfca_cap"],
            "3sfca": a.three_stage_fca(name="threesfca", weight_fn=weights.step_fn(THREE_STEP_STEPS))["threesfca_cap"],
        }
        suffix = {"2sfca": "2sf", "e2sfca": "e2sf", "g2sfca": "g2sf", "3sfca": "3sf"}
        for method, pysal in ours.items():
            mine = engine[f"{code}_{suffix[method]}"]
            rel = absd = 0.0
            n = nonzero = undefined = 0
            for geoid, p in pysal.items():
                e = float(mine.loc[geoid])
                if not math.isfinite(p):
                    # PySAL: no facility within the cutoff (NaN) or a facility
                    # whose catchment holds no people (S/0); the engine gives 0.
                    undefined += 1
                    if e != 0.0:
                        print(f"{service} {method} {geoid}: PySAL {p}, engine {e} (expected 0)")
                        worst = math.inf
                    continue
                n += 1
                d = abs(e - p)
                absd = max(absd, d)
                scale = max(abs(e), abs(p))
                if scale > 0:
                    nonzero += 1
                    rel = max(rel, d / scale)
            worst = max(worst, rel)
            print(f"{service:8} {method:7} {n:8d} {nonzero:8d} {undefined:9d} {rel:13.3e} {absd:13.3e}")
    print(f"largest relative difference {worst:.3e} (tolerance {TOL:g}): {'OK' if worst <= TOL else 'FAIL'}")
    sys.exit(0 if worst <= TOL else 1)


if __name__ == "__main__":
    main()
