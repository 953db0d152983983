#!/usr/bin/env python3
"""Reading a road network from a .pbf: the engine's load stage against
pyrosm's `get_network`, on the same file, runs interleaved.

    python3 benches/peers/load.py --pbf $TMPDIR/remoteness-tiles/tiles3.osm.pbf \\
        --config $TMPDIR/remoteness-tiles/tiles3.toml [--runs 3]

pyrosm (in the peers' virtualenv, `venv.py`) reads the file once per
call: `OSM(pbf).get_network(network_type="all", nodes=True)` gives every
highway as edges with lengths and geometry, and their nodes, as
GeoDataFrames. The engine (`remoteness run`, release build) is timed by
its own `run.json`: `load` reads every road, place and facility of the
file (more than `get_network` does), `index` merges the roads into one
network of nodes and segments. Printed per run: pyrosm's seconds, the
engine's `load` and `load + index`, and the ratios pyrosm / engine.
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

import pyrosm  # noqa: E402

ROOT = venv.ROOT


def pyrosm_network(pbf):
    t0 = time.perf_counter()
    nodes, edges = pyrosm.OSM(str(pbf)).get_network(network_type="all", nodes=True)
    return time.perf_counter() - t0, len(nodes), len(edges)


def engine(binary, config):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(binary), "run", str(config), "--out", tmp + "/out", "--no-report"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run = json.loads(Path(tmp, "out", "run.json").read_text())
    t = run["timings_s"]
    return t["load"], t["load"] + t["index"], run["network"]["nodes"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pbf", required=True, type=Path)
    ap.add_argument("--config", required=True, type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", type=Path, default=ROOT / "target" / "release" / "remoteness")
    args = ap.parse_args()
    rows = []
    for k in range(args.runs):
        py, py_nodes, py_edges = pyrosm_network(args.pbf)
        load, indexed, nodes = engine(args.binary, args.config)
        rows.append((py, load, indexed))
        print(f"run {k + 1}: pyrosm get_network {py:.2f} s ({py_nodes:,} nodes, {py_edges:,} "
              f"edges); engine load {load:.2f} s, load + index {indexed:.2f} s ({nodes:,} road "
              f"nodes); pyrosm / load {py / load:.1f}x, pyrosm / (load + index) "
              f"{py / indexed:.1f}x", flush=True)
    med = [statistics.median(c) for c in zip(*rows)]
    print(f"median: pyrosm {med[0]:.2f} s, load {med[1]:.2f} s, load + index {med[2]:.2f} s; "
          f"{med[0] / med[1]:.1f}x, {med[0] / med[2]:.1f}x")


if __name__ == "__main__":
    main()
