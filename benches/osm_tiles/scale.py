#!/usr/bin/env python3
"""How one `remoteness` binary scales on the tiled extracts, stage by stage,
against `osmium fileinfo -e` reading the same files.

    benches/osm_tiles/scale.py BIN [--sizes 3,7,12] [--runs 3] [--building-cells R]

For each size N (N x N tiles of Liechtenstein, built once by `make.py` into
$TMPDIR/remoteness-tiles, as `compare.py` does) the binary runs `remoteness
run` with H3 zones (resolution 7) and default settings `--runs` times, and
osmium (when installed) reads the file as many times, alternating. Printed:
a markdown table of medians (wall, each stage of `run.json`'s `timings_s`),
the largest peak RSS, bytes per road node, the load stage over osmium's
time (with `--building-cells R`, settlements are the H3 cells of buildings
at resolution R: many settlements, for the write stage); then each stage's
growth exponent `k` in `time ~ nodes^k` between
consecutive sizes and from the smallest to the largest.
"""

import argparse
import json
import math
import os
import pathlib
import shutil
import statistics
import subprocess
import tempfile
import time

from compare import extract, run

STAGES = ["load", "index", "snap", "search", "measure", "write", "total"]


def osmium_seconds(pbf: pathlib.Path):
    if not shutil.which("osmium"):
        return None
    t0 = time.perf_counter()
    subprocess.run(["osmium", "fileinfo", "-e", str(pbf)], check=True, capture_output=True)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--sizes", default="3,7,12")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--building-cells", type=int, default=None)
    args = ap.parse_args()
    work = pathlib.Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "remoteness-tiles"
    work.mkdir(exist_ok=True)
    rows = []
    for n in [int(x) for x in args.sizes.split(",")]:
        cfg = extract(work, n, args.building_cells)
        pbf = work / f"tiles{n}.osm.pbf"
        out = work / f"out-{n}-scale"
        res, osm = [], []
        for _ in range(args.runs):
            subprocess.run(["rm", "-rf", str(out)], check=True)
            res.append(run(args.binary, cfg, out))
            o = osmium_seconds(pbf)
            if o is not None:
                osm.append(o)
        med = {s: statistics.median(r["stages"].get(s, 0.0) for r in res) for s in STAGES}
        row = {"n": n, "mb": pbf.stat().st_size / 1e6, "nodes": res[0]["nodes"],
               "settlements": res[0]["settlements"],
               "wall_s": statistics.median(r["wall_s"] for r in res),
               "rss_mb": max(r["rss_mb"] for r in res), "stages": med,
               "osmium_s": statistics.median(osm) if osm else None,
               "runs": [{"wall_s": r["wall_s"], "stages": r["stages"]} for r in res]}
        row["b_per_node"] = row["rss_mb"] * 1024 * 1024 / max(row["nodes"], 1)
        rows.append(row)
        print(json.dumps(row), flush=True)

    print()
    head = ["size", "MB", "road nodes", "settlements", "wall s"] + [f"{s} s" for s in STAGES[:-1]] + [
        "peak RSS MB", "B/node", "osmium fileinfo -e s", "load / osmium"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        o = r["osmium_s"]
        cells = [f"{r['n']}x{r['n']}", f"{r['mb']:.0f}", f"{r['nodes']:,}", f"{r['settlements']:,}",
                 f"{r['wall_s']:.2f}"]
        cells += [f"{r['stages'][s]:.2f}" for s in STAGES[:-1]]
        cells += [f"{r['rss_mb']:,.0f}", f"{r['b_per_node']:.0f}",
                  f"{o:.2f}" if o else "-", f"{r['stages']['load'] / o:.1f}x" if o else "-"]
        print("| " + " | ".join(cells) + " |")

    if len(rows) > 1:
        print()
        pairs = list(zip(rows, rows[1:])) + ([(rows[0], rows[-1])] if len(rows) > 2 else [])
        head = ["stage"] + [f"{a['n']}x{a['n']} -> {b['n']}x{b['n']}" for a, b in pairs]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for s in STAGES + ["wall_s", "rss_mb"]:
            cells = [s]
            for a, b in pairs:
                va = a["stages"][s] if s in a["stages"] else a[s]
                vb = b["stages"][s] if s in b["stages"] else b[s]
                k = math.log(vb / va) / math.log(b["nodes"] / a["nodes"]) if va > 0 and vb > 0 else float("nan")
                cells.append(f"{k:.2f}")
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
