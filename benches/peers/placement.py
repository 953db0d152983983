"""Placement against PySAL spopt on the same instance.

Runs `remoteness place` (coverage, k sites, candidates = settlements) on a
config, with `--export-problem` so that spopt gets exactly the same
settlements, weights, candidates and trip times (minutes, from our
bounded searches), then solves the same maximal covering problem with
spopt's MCLP (PuLP + CBC) from that dense cost matrix. Settlements already
within the threshold of an existing facility get weight 0 for spopt (they
are covered whatever it chooses), so both objectives count the people
newly brought within the threshold.

Prints two lines per instance: people gained by each, their ratio, and the
wall time of each (ours end to end, the median of three runs: load,
network, baseline, searches,
solve and writing). spopt is timed twice: given the dense matrix of our
own trip times (the model and the solve only), and as a user would run it
on these road-less inputs, building the matrix itself with numpy
(haversine distance x the run's circuity at the profile's no-road speed,
our travel model) before the model and the solve.

    python3 benches/peers/placement.py [CONFIG SERVICE K] ...
    (default: Tata health k = 5, 10, 20, and the three provinces of
    benches/peers/three_provinces.toml, health k = 20)

Needs `pip install spopt pulp` (a virtualenv at target/placement-venv is
made on first use).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "placement-venv"


def ensure_venv():
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "spopt==0.7.0", "pulp==3.3.2"], check=True)
    os.execv(str(python), [str(python)] + sys.argv)


def own_matrix(p, run, service):
    """Trip minutes settlement x candidate from coordinates, as a user of
    spopt would compute them: haversine x circuity at the no-road speed."""
    import numpy as np
    settings = run["settings"]
    svc = next(s for s in settings["services"] if s["name"] == service)
    kmh = settings["profiles"][svc["profile"]]["no_road_kmh"]
    circuity = settings["travel"]["circuity"]
    r = 6371008.8
    s = np.radians(np.array([ll if ll[0] is not None else [0.0, 0.0] for ll in p["settlement_lonlat"]], dtype=float))
    c = np.radians(np.array(p["candidate_lonlat"], dtype=float))
    dlat = s[:, 1][:, None] - c[:, 1][None, :]
    dlon = s[:, 0][:, None] - c[:, 0][None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(s[:, 1])[:, None] * np.cos(c[:, 1])[None, :] * np.sin(dlon / 2) ** 2
    metres = 2 * r * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return metres * circuity / (kmh / 3.6) / 60.0


def ours(config, service, k, out, problem, runs=3):
    """Our gain and wall time (the median of `runs` whole-process runs)."""
    import shutil
    binary = ROOT / "target" / "release" / "remoteness"
    times = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([str(binary), "place", str(config), "--service", service, "--k", str(k),
                        "--out", str(out), "-q",
                        "--export-problem", str(problem)], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    seconds = sorted(times)[len(times) // 2]
    run = json.loads((out / "run.json").read_text())
    return run["gain"], seconds


def spopt_mclp(problem, run=None, service=None):
    """spopt's MCLP on the problem; with `run`, the matrix is built from
    coordinates (`own_matrix`) inside the timing, else from our rows."""
    import numpy as np
    import pulp
    from spopt.locate import MCLP

    t = time.perf_counter()
    p = json.loads(problem.read_text())
    threshold = p["objective"]["coverage"]["threshold_min"]
    weight = np.array(p["weight"], dtype=float)
    current = np.array([np.inf if c is None else c for c in p["current_min"]])
    weight[current <= threshold] = 0.0  # already covered
    n, m = len(weight), len(p["candidates"])
    if run is not None:
        cost = own_matrix(p, run, service)
    else:
        cost = np.full((n, m), 1e9)
        for j, row in enumerate(p["rows"]):
            for i, minutes in row:
                cost[i, j] = minutes
    model = MCLP.from_cost_matrix(cost, weight, service_radius=threshold,
                                  p_facilities=p["k"], name="mclp")
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    seconds = time.perf_counter() - t
    chosen = model.fac2cli
    covered = set()
    for j, clients in enumerate(chosen):
        covered.update(clients)
    gained = float(sum(weight[i] for i in covered))
    return gained, seconds, n, m


def main():
    ensure_venv()
    args = sys.argv[1:]
    cases = [(args[i], args[i + 1], int(args[i + 2])) for i in range(0, len(args), 3)] or [
        ("fixtures/tata/tata.toml", "health", k) for k in (5, 10, 20)] + [
        ("benches/peers/three_provinces.toml", "health", 20)]
    for config, service, k in cases:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            problem = tmp / "problem.json"
            our_gain, our_s = ours(ROOT / config, service, k, tmp / "out", problem)
            run = json.loads((tmp / "out" / "run.json").read_text())
            modes = [("given our trip times", None)]
            if run.get("travel_mode") == "straight_line":
                modes.append(("matrix built with numpy", run))
            for label, with_run in modes:
                their_gain, their_s, n, m = spopt_mclp(problem, with_run, service)
                print(f"{config} {service} k={k}: {n} settlements x {m} candidates: "
                      f"remoteness {our_gain:.1f} people in {our_s:.3f} s; "
                      f"spopt MCLP ({label}) {their_gain:.1f} people in {their_s:.3f} s; "
                      f"ratio {our_gain / their_gain if their_gain else float('nan'):.5f}, "
                      f"speed {their_s / our_s:.1f}x", flush=True)


if __name__ == "__main__":
    main()
