"""Shared fixtures: the repository, the command-line binary, and the
command line's own outputs on the bundled examples (the oracle the Python
results must equal)."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TATA = ROOT / "fixtures" / "tata"
LIECHTENSTEIN = ROOT / "fixtures" / "liechtenstein"


def binary() -> pathlib.Path:
    """The `remoteness` binary: $REMOTENESS_BIN, else a release build,
    else a debug build (built here when none exists)."""
    env = os.environ.get("REMOTENESS_BIN")
    if env:
        return pathlib.Path(env)
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "remoteness"
        if p.exists():
            return p
    subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "remoteness"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(binary()), *args, "--quiet"], cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def cli_out(tmp_path_factory):
    """Runs a command once per session; returns its output folder."""
    cache = {}

    def run(*args: str) -> pathlib.Path:
        if args not in cache:
            out = tmp_path_factory.mktemp("cli")
            r = cli(*args, "--out", str(out / "o"))
            assert r.returncode == 0, r.stderr
            cache[args] = out / "o"
        return cache[args]

    return run


def geojson(path: pathlib.Path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["features"]
