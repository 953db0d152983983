"""The Study, its results, and how inputs and outputs cross to the engine.

Layers given as GeoDataFrames cross as Arrow tables with WKB geometry
(``GeoDataFrame.to_arrow``), with their CRS as WKT; results come back as
Arrow tables and become GeoDataFrames (``GeoDataFrame.from_arrow``). No
Python object per feature crosses either way, and the engine runs without
the GIL.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import geopandas as gpd
import pandas as pd

from . import _remoteness

RemotenessError = _remoteness.RemotenessError

PathLike = Union[str, "os.PathLike[str]"]

_MANY = ("settlements", "roads", "facilities")
_ONE = ("zones",)


def layer(data: Any, **fields: Any) -> Dict[str, Any]:
    """A layer with its field names, for :class:`Study`.

    ``data`` is a GeoDataFrame (any CRS) or a path the command line would
    read; ``fields`` are the layer's config keys, e.g.
    ``layer(douars, id_field="code", population_field="pop")``.
    """
    return {"data": data, **fields}


def _frame(table: Any, geometry: bool = True) -> pd.DataFrame:
    """An Arrow table from the engine as a (Geo)DataFrame."""
    import pyarrow as pa

    t = pa.table(table)
    if geometry and "geometry" in t.column_names:
        gdf = gpd.GeoDataFrame.from_arrow(t)
        if gdf.crs is None:
            gdf = gdf.set_crs(4326)
        return gdf
    return t.to_pandas()


@dataclass
class Result:
    """One analysis: the command line's three layers and its ``run.json``;
    ``catchments``, the catchment polygons, when ``[catchments] enabled``
    (``None`` otherwise)."""

    settlements: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    run_info: Dict[str, Any]
    catchments: Optional[gpd.GeoDataFrame] = None

    @classmethod
    def _of(cls, d: Mapping[str, Any]) -> "Result":
        return cls(
            settlements=_frame(d["settlements"]),
            zones=_frame(d["zones"]),
            facilities=_frame(d["facilities"]),
            run_info=json.loads(d["run_json"]),
            catchments=_frame(d["catchments"]) if "catchments" in d else None,
        )


@dataclass
class ScenarioResults:
    """What-if runs: the baseline, each scenario's layers (when asked
    for), and the comparisons the command line writes
    (``comparison.csv``: per scenario, service and zone;
    ``comparison_settlements.csv``: per scenario and settlement)."""

    comparison: pd.DataFrame
    comparison_settlements: pd.DataFrame
    baseline: Optional[Result] = None
    scenarios: Dict[str, Result] = field(default_factory=dict)


@dataclass
class Placement:
    """New sites for a service: ``sites`` (in the order they were chosen,
    with gains), ``curve`` (the objective for k = 0…K), a
    ``scenario_toml`` that the ``scenarios`` command runs as is, and a
    ``summary`` (value, bound, gap, optimality, exact check, timings)."""

    sites: gpd.GeoDataFrame
    curve: pd.DataFrame
    scenario_toml: str
    summary: Dict[str, Any]


def _spec(role: str, index: int, value: Any, layers: Dict[str, Any]) -> Dict[str, Any]:
    """A layer's config entry; GeoDataFrames go to ``layers`` under the
    name the entry's ``memory:`` path gives."""
    if isinstance(value, Mapping):
        spec = dict(value)
        data = spec.pop("data", spec.pop("path", None))
    else:
        spec, data = {}, value
    if isinstance(data, gpd.GeoDataFrame):
        name = f"{role}{index}"
        layers[name] = data
        spec["path"] = f"memory:{name}"
    elif isinstance(data, (str, os.PathLike)):
        spec["path"] = os.fspath(data)
    else:
        raise TypeError(
            f"{role}: expected a GeoDataFrame, a path or remoteness.layer(...), "
            f"got {type(data).__name__}"
        )
    return spec


def _arrow_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> Dict[str, Tuple[Any, Optional[str]]]:
    out = {}
    for name, gdf in layers.items():
        crs = gdf.crs.to_wkt() if gdf.crs is not None else None
        out[name] = (gdf.to_arrow(geometry_encoding="WKB", index=False), crs)
    return out


class Study:
    """A prepared study: inputs loaded and the network built once.

    ``settlements``, ``facilities`` and ``roads`` take one layer or a list;
    ``zones`` one layer. A layer is a GeoDataFrame in any CRS, a path, or
    :func:`layer` with its field names. ``census`` is the config's
    ``[inputs.census]`` table (a path and its keys), ``osm`` an ``.osm.pbf``
    path. Every other config table is a keyword argument (``services={…}``,
    ``travel={…}``, ``placement={…}``); ``settings`` takes tables whose
    names clash with a layer (``settings={"zones": {"priority_fraction":
    0.2}}``). ``threads`` caps the engine's threads (results do not depend
    on it).
    """

    def __init__(
        self,
        settlements: Any = None,
        facilities: Any = None,
        roads: Any = None,
        zones: Any = None,
        census: Optional[Mapping[str, Any]] = None,
        osm: Optional[PathLike] = None,
        *,
        crs: Optional[str] = None,
        base_dir: Optional[PathLike] = None,
        threads: Optional[int] = None,
        settings: Optional[Mapping[str, Any]] = None,
        **tables: Any,
    ) -> None:
        layers: Dict[str, gpd.GeoDataFrame] = {}
        inputs: Dict[str, Any] = {}
        for role, value in (("settlements", settlements), ("facilities", facilities), ("roads", roads)):
            if value is None:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            inputs[role] = [_spec(role, i, v, layers) for i, v in enumerate(values)]
        if zones is not None:
            inputs["zones"] = _spec("zones", 0, zones, layers)
        if census is not None:
            c = dict(census)
            if "path" in c:
                c["path"] = os.fspath(c["path"])
            inputs["census"] = c
        if osm is not None:
            inputs["osm"] = os.fspath(osm)
        if crs is not None:
            inputs["crs"] = crs
        config: Dict[str, Any] = {"inputs": inputs}
        config.update(tables)
        for k, v in (settings or {}).items():
            config[k] = v
        self._init(
            text=json.dumps(config),
            fmt="json",
            origin="(Study arguments)",
            base_dir=os.fspath(base_dir) if base_dir is not None else os.getcwd(),
            layers=layers,
            overrides=None,
            threads=threads,
        )

    @classmethod
    def from_config(cls, path: PathLike, *, threads: Optional[int] = None, **overrides: Any) -> "Study":
        """A study from a config file, as ``remoteness run`` reads it;
        ``overrides`` replace its tables key by key
        (``travel={"circuity": 1.4}``)."""
        path = os.fspath(path)
        text = _remoteness.read_text(path)
        self = cls.__new__(cls)
        self._init(
            text=text,
            fmt="toml",
            origin=path,
            base_dir=os.path.dirname(os.path.abspath(path)),
            layers={},
            overrides=json.dumps(overrides) if overrides else None,
            threads=threads,
        )
        return self

    def _init(self, *, text, fmt, origin, base_dir, layers, overrides, threads) -> None:
        self._state = dict(
            text=text,
            fmt=fmt,
            origin=origin,
            base_dir=base_dir,
            layers=layers,
            overrides=overrides,
            threads=threads,
        )
        self._engine = _remoteness.Engine(
            text,
            origin,
            base_dir,
            _arrow_layers(layers),
            format=fmt,
            overrides=overrides,
            threads=threads,
        )

    # A Study pickles by its inputs and settings; the network is rebuilt
    # where it is unpickled (a Dask worker builds it once).
    def __reduce__(self):
        return (_rebuild, (self._state,))

    @property
    def services(self) -> List[str]:
        """The services, in config order."""
        return list(self._engine.services())

    def run(self) -> Result:
        """The baseline: settlements, zones, facilities and run_info."""
        return Result._of(self._engine.run())

    def scenarios(
        self,
        scenarios: Union[PathLike, Sequence[Mapping[str, Any]]],
        *,
        layers: bool = True,
    ) -> ScenarioResults:
        """Runs scenarios: a scenario file (TOML, as the ``scenarios``
        command reads it) or a list of scenario tables
        (``{"name": …, "modification": [{"kind": "add_facility", …}]}``).
        With ``layers=False`` only the comparisons are returned (faster for
        sweeps)."""
        if isinstance(scenarios, (str, os.PathLike)):
            origin = os.fspath(scenarios)
            text = _remoteness.read_text(origin)
        else:
            origin = "(scenarios from Python).json"
            text = json.dumps({"scenario": list(scenarios)})
        d = self._engine.scenarios(text, origin, layers)
        out = ScenarioResults(
            comparison=_frame(d["comparison"], geometry=False),
            comparison_settlements=_frame(d["comparison_settlements"], geometry=False),
        )
        if layers:
            out.baseline = Result._of(d["baseline"])
            out.scenarios = {s["name"]: Result._of(s) for s in d["scenarios"]}
        return out

    def scenario(self, name: str = "scenario", description: str = "", **modifications: Any) -> ScenarioResults:
        """One scenario from keyword lists of modifications, e.g.
        ``study.scenario("posts", add_facility=[{"service": "health", "id":
        "p1", "lon": -7.3, "lat": 29.9}])``: each keyword is a modification
        kind, each item its fields."""
        mods: List[Dict[str, Any]] = []
        for kind, items in modifications.items():
            for item in items if isinstance(items, (list, tuple)) else [items]:
                mods.append({"kind": kind, **item})
        return self.scenarios([{"name": name, "description": description, "modification": mods}])

    def place(
        self,
        service: str,
        k: Optional[int] = None,
        *,
        objective: Optional[str] = None,
        budget: Optional[float] = None,
        exact_max: int = 2000,
    ) -> Placement:
        """Where the next ``k`` facilities of ``service`` should go
        (``[placement]`` settings; ``objective`` and ``budget`` override
        them for this call)."""
        d = self._engine.place(service, k, objective, budget, exact_max)
        return Placement(
            sites=_frame(d["sites"]),
            curve=_frame(d["curve"], geometry=False),
            scenario_toml=d["scenario_toml"],
            summary=json.loads(d["summary"]),
        )


def _rebuild(state: Dict[str, Any]) -> Study:
    self = Study.__new__(Study)
    self._init(**state)
    return self
