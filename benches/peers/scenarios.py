#!/usr/bin/env python3
"""Facility-addition scenarios: scipy re-run per scenario against our sweep.

What a researcher does today for "what if we built one more clinic here?",
N times: re-run scipy's multi-source Dijkstra
(`csgraph.dijkstra(indices=seeds, min_only=True)`) with the 200 baseline
facilities plus the new one, on the same graph. The engine instead updates
the baseline search incrementally (`scenario::incremental::add_sources`)
and re-reads only the settlements whose node changed
(`cargo bench --bench scenarios`, case `sweep_add_scenarios`: 1,000
scenarios on a 2-thread pool, ties charged a full search).

Steps, all in one run:

1. `bench_graph --export` writes the seeded rural network and the 200
   seeds (as for `run.py`; a debug build is enough, only the data is used);
2. scipy runs the first N of the bench's scenarios (the same new-facility
   nodes: the bench's SplitMix64 sequence, seed 7), each timed;
3. `cargo bench --bench scenarios` runs our sweep and one scenario, and
   their criterion medians are read back.

Prints scipy's seconds per scenario (median over the N scenarios) against
ours (the sweep's median divided by 1,000: the wall time per scenario on 2
threads; and one scenario on one thread), and writes the figures to
target/peers/scenarios.json.

    python3 benches/peers/scenarios.py [--nodes 1000000] [--scenarios 30]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import venv  # noqa: E402

venv.ensure()

import numpy as np  # noqa: E402

import run  # noqa: E402  (its loading code: load, dedup, agreement)

ROOT = venv.ROOT
OUT = ROOT / "target" / "peers"
FACILITIES = 200
SWEEP = 1000


class Rng:
    """The bench's SplitMix64 (tests/support/rng.rs), to draw the same nodes."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed

    def f64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        z ^= z >> 31
        return (z >> 11) / float(1 << 53)

    def below(self, n):
        return min(int(self.f64() * n), n - 1)


def export(nodes):
    dest = OUT / f"rural_{nodes}"
    subprocess.run(["cargo", "run", "--quiet", "--example", "bench_graph", "--",
                    "--graph", "rural", "--nodes", str(nodes), "--runs", "1",
                    "--export", str(dest)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return dest


def ours(nodes):
    env = dict(os.environ, SCENARIOS_NODES=str(nodes))
    out = subprocess.run(["cargo", "bench", "--bench", "scenarios", "--",
                          "full_search|add_one_facility|sweep_add_scenarios"],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    figures = [line for line in out.splitlines() if line.startswith("figure:")]

    def median(case):
        path = ROOT / "target" / "criterion" / "scenarios" / case / "new" / "estimates.json"
        return json.loads(path.read_text())["median"]["point_estimate"] / 1e9

    return {"full_search_s": median("full_search"),
            "add_one_facility_s": median("add_one_facility"),
            "sweep_s": median("sweep_add_scenarios"),
            "figures": figures}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--scenarios", type=int, default=30,
                    help="scipy scenarios to run (the bench's first N)")
    args = ap.parse_args()
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    OUT.mkdir(parents=True, exist_ok=True)
    print(f"export rural {args.nodes:,}", file=sys.stderr)
    g = run.load(export(args.nodes))
    n = len(g["ours"])
    rng = Rng(2)
    assert [rng.below(n) for _ in range(FACILITIES)] == g["seed_node"].tolist(), \
        "the bench's random sequence differs from the export's seeds"
    rng = Rng(7)
    new_nodes = [rng.below(n) for _ in range(SWEEP)][:args.scenarios]

    t, h, w = run.dedup(g)
    m = csr_matrix((w, (t, h)), shape=(n, n))
    base = dijkstra(m, directed=True, indices=np.unique(g["seed_node"]), min_only=True)
    run.agreement(g["ours"], base)

    print(f"scipy: {len(new_nodes)} scenarios", file=sys.stderr)
    times = []
    for v in new_nodes:
        seeds = np.unique(np.append(g["seed_node"], v))
        t0 = time.perf_counter()
        d = dijkstra(m, directed=True, indices=seeds, min_only=True)
        times.append(time.perf_counter() - t0)
        assert np.all(d <= base)
    scipy_s = statistics.median(times)

    print("ours: cargo bench --bench scenarios", file=sys.stderr)
    us = ours(args.nodes)
    per_2t = us["sweep_s"] / SWEEP
    rows = [
        ("scipy `dijkstra(min_only=True)` re-run, one scenario", scipy_s, 60 / scipy_s),
        ("remoteness `full_search` (for reference)", us["full_search_s"], 60 / us["full_search_s"]),
        ("remoteness one scenario, 1 thread (`add_one_facility`)",
         us["add_one_facility_s"], 60 / us["add_one_facility_s"]),
        ("remoteness sweep of 1,000 on 2 threads, per scenario", per_2t, 60 / per_2t),
    ]
    lines = [f"rural {n:,} nodes, {FACILITIES} facilities + 1; scipy: median of "
             f"{len(times)} scenarios; ours: criterion medians", "",
             "| | s per scenario | scenarios / min | scipy ÷ this |", "|---|---:|---:|---:|"]
    for name, s, per_min in rows:
        lines.append(f"| {name} | {s:.6f} | {per_min:,.0f} | {scipy_s / s:.1f} |")
    table = "\n".join(lines)
    print(table)
    print("\n".join(us["figures"]))
    (OUT / "scenarios.json").write_text(json.dumps(
        {"nodes": n, "scipy_times_s": times, "scipy_median_s": scipy_s,
         "scipy_new_nodes": new_nodes, "ours": us, "table": table}, indent=1))


if __name__ == "__main__":
    main()
