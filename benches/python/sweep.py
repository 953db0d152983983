"""A 1,000-scenario sweep on Tata, in process and on a two-worker Dask
LocalCluster, with the module's import time and wheel size.

    python3 -m maturin build --release --out target/wheels
    pip install --force-reinstall --no-deps target/wheels/remoteness-*.whl
    python3 benches/python/sweep.py [N]

Each scenario adds one or two health posts at settlements now more than
60 min from health care (the 1,000 first of: every such settlement alone,
then every pair of neighbours in population order). Prints seconds and
checks that both sweeps give identical frames.
"""

import glob
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def import_time(module: str) -> float:
    """Seconds to import `module` in a fresh interpreter (best of 5)."""
    best = float("inf")
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"],
            capture_output=True,
            text=True,
            check=True,
        )
        best = min(best, float(out.stdout))
    return best


def scenarios(study, n: int):
    s = study.run().settlements
    far = s[s["hlth_min"] > 60].sort_values(["pop", "id"], ascending=[False, True])
    posts = [
        {"kind": "add_facility", "service": "health", "id": f"post-{r.id}", "lon": r.lon, "lat": r.lat}
        for r in far.itertuples()
    ]
    out = [{"name": f"one_{i:04d}", "modification": [p]} for i, p in enumerate(posts)]
    out += [
        {"name": f"pair_{i:04d}", "modification": [posts[i], posts[i + 1]]}
        for i in range(len(posts) - 1)
    ]
    k = 0
    while len(out) < n:  # triples when pairs are not enough
        out.append({"name": f"three_{k:04d}", "modification": posts[k % len(posts) : k % len(posts) + 3]})
        k += 1
    return out[:n]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    wheels = glob.glob(str(ROOT / "target" / "wheels" / "remoteness-*.whl"))
    for w in wheels:
        print(f"wheel {os.path.basename(w)}: {os.path.getsize(w) / 1e6:.1f} MB")
    for module in ("remoteness", "remoteness._remoteness", "geopandas"):
        print(f"import {module}: {import_time(module) * 1000:.0f} ms (best of 5, fresh interpreter)")

    import remoteness
    from remoteness.sweep import sweep
    from dask.distributed import Client, LocalCluster

    t = time.perf_counter()
    study = remoteness.Study.from_config(ROOT / "fixtures" / "tata" / "tata.toml")
    print(f"study prepared: {time.perf_counter() - t:.3f} s")
    sc = scenarios(study, n)
    t = time.perf_counter()
    local = sweep(study, sc, batch_size=50)
    t_local = time.perf_counter() - t
    print(f"{len(sc)} scenarios in process (2 threads): {t_local:.2f} s ({t_local / len(sc) * 1000:.1f} ms each)")
    one = remoteness.Study.from_config(ROOT / "fixtures" / "tata" / "tata.toml", threads=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        t = time.perf_counter()
        dist = sweep(one, sc, client=client, batch_size=50)
        t_dist = time.perf_counter() - t
    print(f"{len(sc)} scenarios on a 2-worker LocalCluster (1 thread each): {t_dist:.2f} s, cluster start excluded")
    assert dist.equals(local), "the cluster's frame differs from the in-process one"
    print(f"identical frames: {len(local)} rows")


if __name__ == "__main__":
    main()
