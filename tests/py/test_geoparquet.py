"""GeoParquet output read by its peers: GeoPandas (through pyarrow) and DuckDB.

Runs the binary (REMOTENESS_BIN, else target/release or target/debug; it must
be built with `--features geoparquet`) on the Tata fixture with
`--format geoparquet`, then checks each layer's CRS, geometry types, bbox
covering and values against the GeoJSON the same run wrote.

Without geopandas, pyarrow or duckdb the tests skip, unless
REMOTENESS_REQUIRE_PEERS is set (CI), which makes them fail.

    pip install geopandas pyarrow duckdb pytest
    cargo build --features geoparquet
    python3 -m pytest tests/py/test_geoparquet.py
"""

import importlib
import json
import math
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = ROOT / "fixtures" / "tata" / "tata.toml"
LAYERS = {
    # layer: (sort key columns, geometry type)
    "settlements": (["id"], "Point"),
    "zones": (["zone_id"], "MultiPolygon"),
    "facilities": (["service", "fac_id"], "Point"),
}
REQUIRE = bool(os.environ.get("REMOTENESS_REQUIRE_PEERS"))


def peer(name):
    """The module `name`; a missing one skips, or fails when peers are required."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        if REQUIRE:
            pytest.fail(f"REMOTENESS_REQUIRE_PEERS is set but python3 cannot import {name}: {e}")
        pytest.skip(f"{name} is not installed (pip install geopandas pyarrow duckdb)")


def binary():
    env = os.environ.get("REMOTENESS_BIN")
    if env:
        return pathlib.Path(env)
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "remoteness"
        if p.is_file():
            return p
    pytest.fail("no remoteness binary: cargo build --features geoparquet")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpq") / "out"
    r = subprocess.run(
        [str(binary()), "run", str(CONFIG), "--out", str(out), "-q", "--no-report",
         "--format", "geoparquet"],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, (
        f"{r.stderr}\n(the binary must be built with --features geoparquet)"
    )
    run = json.loads((out / "run.json").read_text())
    for layer in LAYERS:
        assert f"{layer}.parquet" in run["outputs"]
    return out


def same_value(a, b):
    """Equal, with every kind of missing value equal to every other."""
    def missing(v):
        return v is None or (isinstance(v, float) and math.isnan(v)) or repr(v) in ("<NA>", "NaT")
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    if isinstance(a, (bool, int, float)) and isinstance(b, (bool, int, float)):
        return a == b
    return str(a) == str(b)


@pytest.mark.parametrize("layer", list(LAYERS))
def test_geopandas_reads_crs_types_and_values_equal_to_the_geojson(out, layer):
    gpd = peer("geopandas")
    peer("pyarrow")
    pyproj = peer("pyproj")
    key, geometry_type = LAYERS[layer]
    g = gpd.read_parquet(out / f"{layer}.parquet")
    j = gpd.read_file(out / f"{layer}.geojson")
    assert len(g) == len(j) > 0
    assert g.crs is not None
    assert g.crs.equals(pyproj.CRS("OGC:CRS84"))
    assert g.crs.equals(pyproj.CRS("EPSG:4326"), ignore_axis_order=True)
    assert set(g.geom_type.dropna()) == {geometry_type}
    # The GeoJSON's properties; GeoPandas drops the bbox covering column.
    assert [c for c in g.columns if c != "bbox"] == list(j.columns)
    g = g.sort_values(key).reset_index(drop=True)
    j = j.sort_values(key).reset_index(drop=True)
    for col in j.columns:
        if col == "geometry":
            continue
        for r, (a, b) in enumerate(zip(g[col].tolist(), j[col].tolist())):
            assert same_value(a, b), f"{layer}.{col} row {r}: {a!r} != {b!r}"
    both = g.geometry.notna() & j.geometry.notna()
    assert (g.geometry.notna() == j.geometry.notna()).all()
    # GDAL labels RFC 7946 GeoJSON EPSG:4326: the same coordinates, lon/lat.
    jg = j.geometry.set_crs(g.crs, allow_override=True)
    assert g.geometry[both].geom_equals_exact(jg[both], tolerance=0).all()


def test_bbox_covering_bounds_each_geometry(out):
    pq = peer("pyarrow.parquet")
    shapely = peer("shapely")
    for layer in LAYERS:
        t = pq.read_table(out / f"{layer}.parquet", columns=["geometry", "bbox"]).to_pylist()
        for r, row in enumerate(t):
            if row["geometry"] is None:
                assert row["bbox"] is None, f"{layer} row {r}"
                continue
            b = row["bbox"]
            got = (b["xmin"], b["ymin"], b["xmax"], b["ymax"])
            assert got == tuple(shapely.from_wkb(row["geometry"]).bounds), f"{layer} row {r}"


def test_geoarrow_field_gives_crs_and_titles_without_the_geo_metadata(out):
    """The Arrow schema alone (what a batch handed over in memory carries):
    the geometry field's GeoArrow extension gives GeoPandas the CRS, and
    every column its title."""
    gpd = peer("geopandas")
    pq = peer("pyarrow.parquet")
    pyproj = peer("pyproj")
    for layer, (_, geometry_type) in LAYERS.items():
        t = pq.read_table(out / f"{layer}.parquet").drop_columns(["bbox"])
        t = t.replace_schema_metadata(None)  # no `geo`: the field alone
        field = t.schema.field("geometry")
        assert field.metadata[b"ARROW:extension:name"] == b"geoarrow.wkb"
        g = gpd.GeoDataFrame.from_arrow(t)
        assert g.crs.equals(pyproj.CRS("OGC:CRS84"))
        assert set(g.geom_type.dropna()) == {geometry_type}
        for f in t.schema:
            if f.name != "geometry":
                assert f.metadata[b"title"], f"{layer}.{f.name} has a title"


def test_geo_metadata_is_geoparquet_1_1(out):
    pq = peer("pyarrow.parquet")
    for layer, (_, geometry_type) in LAYERS.items():
        md = pq.read_metadata(out / f"{layer}.parquet")
        geo = json.loads(md.metadata[b"geo"])
        assert geo["version"] == "1.1.0"
        assert geo["primary_column"] == "geometry"
        col = geo["columns"]["geometry"]
        assert col["encoding"] == "WKB"
        assert col["geometry_types"] == [geometry_type]
        assert "crs" not in col  # absent = OGC:CRS84
        assert len(col["bbox"]) == 4
        assert col["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]


def duckdb_spatial(con):
    """Loads DuckDB's spatial extension; False when it cannot be downloaded
    (DuckDB's core still reads GeoParquet geometry as GEOMETRY)."""
    try:
        con.execute("INSTALL spatial")
        con.execute("LOAD spatial")
        return True
    except Exception as e:  # noqa: BLE001 (an offline machine: any IO error)
        print(f"DuckDB spatial extension unavailable ({str(e).splitlines()[0]}); "
              "checking with DuckDB's core GEOMETRY and ST_ functions")
        return False


@pytest.mark.parametrize("layer", list(LAYERS))
def test_duckdb_reads_geometry_and_covering(out, layer):
    duckdb = peer("duckdb")
    gpd = peer("geopandas")
    key, geometry_type = LAYERS[layer]
    con = duckdb.connect()
    spatial = duckdb_spatial(con)
    path = str(out / f"{layer}.parquet").replace("'", "''")
    src = f"read_parquet('{path}')"
    n = con.execute(f"SELECT count(*) FROM {src}").fetchall()[0][0]
    j = gpd.read_file(out / f"{layer}.geojson")
    assert n == len(j)
    assert con.execute(f"SELECT typeof(geometry) FROM {src} LIMIT 1").fetchall()[0][0].startswith(
        "GEOMETRY"
    )
    if spatial:
        types = con.execute(
            f"SELECT DISTINCT ST_GeometryType(geometry)::VARCHAR FROM {src} "
            "WHERE geometry IS NOT NULL"
        ).fetchall()
        assert [t[0].upper() for t in types] == [geometry_type.upper()]
        bad = con.execute(
            f"SELECT count(*) FROM {src} WHERE geometry IS NOT NULL AND ("
            "bbox.xmin != ST_XMin(geometry) OR bbox.ymin != ST_YMin(geometry) OR "
            "bbox.xmax != ST_XMax(geometry) OR bbox.ymax != ST_YMax(geometry))"
        ).fetchall()[0][0]
        assert bad == 0
    else:
        crs = con.execute(f"SELECT DISTINCT ST_CRS(geometry) FROM {src}").fetchall()
        assert [c[0] for c in crs] == ["OGC:CRS84"]
        wkt = con.execute(
            f"SELECT {', '.join(key)}, ST_AsText(geometry) FROM {src} "
            f"WHERE geometry IS NOT NULL ORDER BY {', '.join(key)}"
        ).fetchall()
        assert all(w[-1].upper().startswith(geometry_type.upper()) for w in wkt)
        j = j[j.geometry.notna()].sort_values(key)
        shapely = peer("shapely")
        for row, geom in zip(wkt, j.geometry):
            assert shapely.from_wkt(row[-1]).equals_exact(geom, tolerance=0)
    # Rows in Hilbert order still hold every id once.
    dup = con.execute(
        f"SELECT count(*) FROM (SELECT {', '.join(key)} FROM {src} GROUP BY ALL HAVING count(*) > 1)"
    ).fetchall()[0][0]
    assert dup == 0
