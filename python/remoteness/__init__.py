"""remoteness from Python.

A :class:`Study` is built once (inputs loaded, road network prepared) from a
config file or from GeoDataFrames, and then queried: :meth:`Study.run` for
the baseline, :meth:`Study.scenarios` for what-if runs, :meth:`Study.place`
for where new facilities should go. Results are GeoDataFrames in WGS 84
with the same columns, units and values as the command line's files.

    import remoteness
    study = remoteness.Study.from_config("fixtures/tata/tata.toml")
    result = study.run()
    result.zones.sort_values("rank").head()
"""

from ._study import (
    Placement,
    RemotenessError,
    Result,
    ScenarioResults,
    Study,
    layer,
)

__all__ = [
    "Placement",
    "RemotenessError",
    "Result",
    "ScenarioResults",
    "Study",
    "layer",
]
