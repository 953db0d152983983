#!/usr/bin/env python3
"""Runs two `remoteness` binaries on the tiled extracts side by side and
checks that they write the same results.

    benches/osm_tiles/compare.py OLD_BIN NEW_BIN [--sizes 3,7,12] [--runs 1]

For each size N the extract is N x N tiles of Liechtenstein
(`make.py`; built once into $TMPDIR/remoteness-tiles). Each binary runs
`remoteness run` on it with H3 zones (resolution 7), default settings,
runs alternating so both see the same machine load. Printed per size and
binary: wall time, peak RSS (GNU time), bytes per road node (peak RSS over
the network's nodes in run.json), and the stage timings of run.json.
Every output file but run.json and report.html must be byte-identical
between the two binaries; the script exits 1 when one is not.
"""

import argparse
import filecmp
import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def extract(work: pathlib.Path, n: int, building_cells=None) -> pathlib.Path:
    """The N x N extract (built once) and its config; with `building_cells`,
    settlements are the H3 cells of buildings at that resolution (about
    250,000 at resolution 10 on 12 x 12 tiles) instead of `place=*` nodes."""
    pbf = work / f"tiles{n}.osm.pbf"
    if not pbf.exists():
        subprocess.run([sys.executable, str(HERE / "make.py"), str(n), str(n), str(pbf)],
                       check=True)
    text = f'[inputs]\nosm = "{pbf.name}"\n\n[zones]\nh3_resolution = 7\n'
    if building_cells is None:
        cfg = work / f"tiles{n}.toml"
    else:
        cfg = work / f"tiles{n}-cells{building_cells}.toml"
        text += f"\n[osm]\nbuilding_cells = {building_cells}\n"
    cfg.write_text(text)
    return cfg


def run(binary: str, cfg: pathlib.Path, out: pathlib.Path) -> dict:
    timing = out.with_suffix(".time")
    subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(timing), binary, "run",
                    str(cfg), "--out", str(out), "-q", "--no-report"], check=True)
    wall, rss_kb = timing.read_text().split()[-2:]
    doc = json.loads((out / "run.json").read_text())
    nodes = doc["network"]["nodes"]
    return {"wall_s": float(wall), "rss_mb": int(rss_kb) / 1024, "nodes": nodes,
            "settlements": doc["counts"]["settlements"],
            "b_per_node": int(rss_kb) * 1024 / max(nodes, 1), "stages": doc["timings_s"]}


def same_outputs(a: pathlib.Path, b: pathlib.Path) -> list:
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    return [n for n in names if n not in ("run.json", "report.html")
            and not ((a / n).exists() and (b / n).exists()
                     and filecmp.cmp(a / n, b / n, shallow=False))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--sizes", default="3,7,12")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    work = pathlib.Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "remoteness-tiles"
    work.mkdir(exist_ok=True)
    bad = False
    for n in [int(x) for x in args.sizes.split(",")]:
        cfg = extract(work, n)
        size_mb = (work / f"tiles{n}.osm.pbf").stat().st_size / 1e6
        for r in range(args.runs):
            res = {}
            for name, binary in (("old", args.old), ("new", args.new)):
                out = work / f"out-{n}-{name}"
                subprocess.run(["rm", "-rf", str(out)], check=True)
                res[name] = (run(binary, cfg, out), out)
            diff = same_outputs(res["old"][1], res["new"][1])
            bad |= bool(diff)
            for name in ("old", "new"):
                m = res[name][0]
                stages = " ".join(f"{k} {v:.2f}" for k, v in m["stages"].items())
                print(f"{n}x{n} ({size_mb:.0f} MB, {m['nodes']:,} nodes) {name}: "
                      f"{m['wall_s']:.2f} s, {m['rss_mb']:.0f} MB, {m['b_per_node']:.0f} B/node | {stages}")
            print(f"{n}x{n}: outputs {'identical' if not diff else 'DIFFER: ' + ', '.join(diff)}")
            sys.stdout.flush()
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
