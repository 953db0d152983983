#!/usr/bin/env python3
"""The nearest-facility search against its peers, on exactly the same graphs.

For each case the engine's `bench_graph` example builds a seeded synthetic
network, times our search (median of --runs), one sweep over every arc, the
binary-heap reference, and four services on one and two threads, then
exports the graph, the seeds and our times. This script loads the export
and times, on the same graph with the same seeds (one service, 200
facilities):

* scipy    `csgraph.dijkstra(indices=seeds, min_only=True)`
* igraph   `Graph.distances` from a virtual node joined to every seed
* networkx `multi_source_dijkstra_path_length` (0.1M nodes only: slow)
* Pandana  contraction hierarchy + `nearest_pois` (0.1M nodes only: the
           hierarchy takes minutes beyond); hierarchy build timed apart

and our own contraction hierarchy (`search::ch`, PHAST queries), its build
timed apart.

Each peer's times must agree with ours to 1e-6 relative, or the script
fails (Pandana: 1e-3, as its hierarchy rounds weights to 1/1000). Only the
search itself is timed (graph construction is not), median of --runs. Prints a Markdown table of medians and ratios (peer / ours), and
writes it with the raw figures to target/peers/results.json.

    python3 benches/peers/run.py [--runs 5] [--quick]

It creates target/peers-venv and pip-installs requirements.txt on first run.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import venv  # noqa: E402

venv.ensure()

import numpy as np  # noqa: E402

ROOT = venv.ROOT
OUT = ROOT / "target" / "peers"


def ours(graph, nodes, runs, export, extra=()):
    cmd = [str(ROOT / "target" / "release" / "examples" / "bench_graph"),
           "--graph", graph, "--nodes", str(nodes), "--runs", str(runs),
           "--export", str(export), *extra]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def load(export):
    def arr(name, dtype):
        return np.fromfile(export / name, dtype=dtype)

    return {
        "tail": arr("tail.u32", "<u4").astype(np.int64),
        "head": arr("head.u32", "<u4").astype(np.int64),
        "time": arr("time.f64", "<f8"),
        "x": arr("x.f64", "<f8"),
        "y": arr("y.f64", "<f8"),
        "seed_node": arr("seed_node.u32", "<u4").astype(np.int64),
        "seed_time": arr("seed_time.f64", "<f8"),
        "ours": arr("ours.f64", "<f8"),
    }


def timed(runs, f):
    """Median seconds of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def agreement(ours, theirs, tolerance=1e-6):
    """Largest relative difference; raises if not within `tolerance`."""
    theirs = np.asarray(theirs, dtype=np.float64)
    fin = np.isfinite(ours)
    if not np.array_equal(fin, np.isfinite(theirs)):
        raise AssertionError(f"reachability differs at {np.sum(fin != np.isfinite(theirs))} nodes")
    rel = np.abs(ours[fin] - theirs[fin]) / np.maximum(np.abs(ours[fin]), 1e-12)
    worst = float(rel.max()) if rel.size else 0.0
    if worst > tolerance:
        raise AssertionError(f"relative difference {worst:.3g} > {tolerance:g}")
    return worst


def dedup(g):
    """Arcs with parallel ones reduced to the fastest (scipy sums them)."""
    order = np.lexsort((g["time"], g["head"], g["tail"]))
    t, h, w = g["tail"][order], g["head"][order], g["time"][order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    return t[first], h[first], w[first]


def run_scipy(g, runs):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    assert np.all(g["seed_time"] == 0.0), "scipy's min_only starts every seed at 0"
    n = len(g["ours"])
    t, h, w = dedup(g)
    m = csr_matrix((w, (t, h)), shape=(n, n))
    seeds = np.unique(g["seed_node"])
    return timed(runs, lambda: dijkstra(m, directed=True, indices=seeds, min_only=True))


def run_igraph(g, runs):
    import igraph as ig

    n = len(g["ours"])
    tails = np.concatenate([g["tail"], np.full(len(g["seed_node"]), n)])
    heads = np.concatenate([g["head"], g["seed_node"]])
    weights = np.concatenate([g["time"], g["seed_time"]])
    gr = ig.Graph(n=n + 1, edges=np.column_stack([tails, heads]).tolist(), directed=True)
    gr.es["w"] = weights.tolist()
    sec, d = timed(runs, lambda: gr.distances(source=[n], weights="w", mode="out"))
    return sec, np.asarray(d[0][:n], dtype=np.float64)


def run_networkx(g, runs):
    import networkx as nx

    n = len(g["ours"])
    gr = nx.DiGraph()
    gr.add_nodes_from(range(n))
    t, h, w = dedup(g)
    gr.add_weighted_edges_from(zip(t.tolist(), h.tolist(), w.tolist()))
    seeds = sorted(set(g["seed_node"].tolist()))
    sec, d = timed(runs, lambda: nx.multi_source_dijkstra_path_length(gr, seeds))
    out = np.full(n, np.inf)
    for v, x in d.items():
        out[v] = x
    return sec, out


def run_pandana(g, runs):
    import pandas as pd
    import pandana

    n = len(g["ours"])
    t, h, w = dedup(g)
    x = pd.Series(g["x"], index=np.arange(n))
    y = pd.Series(g["y"], index=np.arange(n))
    t0 = time.perf_counter()
    net = pandana.Network(x, y, pd.Series(t), pd.Series(h),
                          pd.DataFrame({"time": w}), twoway=False)
    build = time.perf_counter() - t0
    seeds = g["seed_node"]
    horizon = float(np.nanmax(np.where(np.isfinite(g["ours"]), g["ours"], np.nan))) * 1.01
    net.set_pois("f", horizon, 1, pd.Series(g["x"][seeds]), pd.Series(g["y"][seeds]))
    sec, df = timed(runs, lambda: net.nearest_pois(horizon, "f", num_pois=1))
    d = np.array(df[1].reindex(np.arange(n)), dtype=np.float64)
    # Pandana fills "none within the horizon" with the horizon itself.
    d[d >= horizon] = np.inf
    return sec, d, build


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="0.1M-node cases only")
    ap.add_argument("--no-grid-hierarchy", action="store_true",
                    help="skip the grid's contraction hierarchy (over a minute to build)")
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--example", "bench_graph"],
                   cwd=ROOT, check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [("rural", 100_000, ["scipy", "igraph", "networkx", "pandana"], True)]
    if not args.quick:
        cases += [("rural", 1_000_000, ["scipy", "igraph"], True),
                  ("grid", 1_000_000, ["scipy", "igraph"], not args.no_grid_hierarchy)]
    peers = {"scipy": run_scipy, "igraph": run_igraph,
             "networkx": run_networkx, "pandana": run_pandana}
    results = []
    for graph, nodes, who, hierarchy in cases:
        export = OUT / f"{graph}_{nodes}"
        extra = ["--reference", "--threads"] + (["--hierarchy"] if hierarchy else [])
        us = ours(graph, nodes, args.runs, export, extra)
        g = load(export)
        case = {"graph": graph, "nodes": us["nodes"], "arcs": us["arcs"], "ours": us, "peers": {}}
        for p in who:
            # Slow peers run fewer times.
            runs = 1 if p in ("networkx", "pandana") else args.runs
            print(f"{graph} {nodes}: {p}", file=sys.stderr)
            try:
                res = peers[p](g, runs)
            except ImportError as e:
                case["peers"][p] = {"error": f"not installed: {e}"}
                continue
            sec, dist = res[0], res[1]
            # Pandana's hierarchy stores weights as integers in 1/1000 of
            # a unit, so it can only agree to about 1e-3 relative.
            tol = 1e-3 if p == "pandana" else 1e-6
            entry = {"seconds": sec, "ratio": sec / us["search_s"], "runs": runs,
                     "tolerance": tol, "max_rel_diff": agreement(g["ours"], dist, tol)}
            if p == "pandana":
                entry["hierarchy_s"] = res[2]
            case["peers"][p] = entry
        results.append(case)

    lines = ["| graph | nodes | arcs | tool | median s | × ours | agrees (max rel. diff) |",
             "|---|---:|---:|---|---:|---:|---|"]
    for c in results:
        u = c["ours"]
        head = f"| {c['graph']} | {c['nodes']:,} | {c['arcs']:,} "
        lines.append(head + f"| **remoteness** (bucket queue) | {u['search_s']:.4f} | 1.00 | — |")
        lines.append(head + f"| one sweep over all arcs (floor) | {u['edge_sweep_s']:.4f} | "
                     f"{u['edge_sweep_s'] / u['search_s']:.3f} | — |")
        lines.append(head + f"| remoteness reference (binary heap) | {u['reference_s']:.4f} | "
                     f"{u['reference_s'] / u['search_s']:.2f} | bit-identical (tests) |")
        if "hierarchy" in u:
            h = u["hierarchy"]
            lines.append(head + f"| remoteness hierarchy query (PHAST; + {h['build_s']:.1f} s build) | "
                         f"{h['query_s']:.4f} | {h['query_s'] / u['search_s']:.2f} | "
                         f"yes ({h['max_rel_diff']:.1e}; {h['nodes_with_other_source']} nodes "
                         f"with another facility) |")
        for p, e in c["peers"].items():
            if "error" in e:
                lines.append(head + f"| {p} | — | — | {e['error']} |")
                continue
            extra = f" (+ {e['hierarchy_s']:.1f} s hierarchy)" if "hierarchy_s" in e else ""
            lines.append(head + f"| {p}{extra} | {e['seconds']:.4f} | {e['ratio']:.1f} | "
                         f"yes, ≤ {e['tolerance']:g} ({e['max_rel_diff']:.1e}) |")
    table = "\n".join(lines)
    threads = [f"{c['graph']} {c['nodes']:,}: four services 1 thread "
               f"{c['ours']['four_services_1_thread_s']:.3f} s, 2 threads "
               f"{c['ours']['four_services_2_threads_s']:.3f} s, speed-up "
               f"{c['ours']['thread_speedup']:.2f}×" for c in results]
    print(table)
    print()
    print("\n".join(threads))
    (OUT / "results.json").write_text(json.dumps({"cases": results, "table": table,
                                                  "threads": threads}, indent=1))


if __name__ == "__main__":
    main()
