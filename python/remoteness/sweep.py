"""Scenario sweeps, in process or sharded over a Dask cluster.

:func:`sweep` runs a list of scenarios in batches and returns one
comparison frame (per scenario, service and zone: the command line's
``comparison.csv``), in scenario order. Given a ``dask.distributed``
client, the study is sent once to every worker (``Client.scatter`` with
``broadcast=True``: each worker unpickles it once, which rebuilds the
network there) and each task runs one batch. The same code runs on a
laptop's ``LocalCluster`` and on a real cluster: only the client changes,

    from dask.distributed import Client
    client = Client("tcp://scheduler.example:8786")
    frame = remoteness.sweep.sweep(study, scenarios, client=client)

and the results are identical to the in-process sweep (the engine gives
the same answer whatever the thread count or machine).
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence

import pandas as pd

from ._study import Study


def batches(scenarios: Sequence[Mapping[str, Any]], size: int) -> List[List[Mapping[str, Any]]]:
    """``scenarios`` cut into consecutive batches of at most ``size``."""
    if size < 1:
        raise ValueError(f"batch_size {size}: give at least 1")
    return [list(scenarios[i : i + size]) for i in range(0, len(scenarios), size)]


def run_batch(study: Study, batch: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One batch's comparison rows (the scenarios' layers are not kept)."""
    return study.scenarios(batch, layers=False).comparison


def sweep(
    study: Study,
    scenarios: Sequence[Mapping[str, Any]],
    *,
    client: Optional[Any] = None,
    batch_size: int = 50,
) -> pd.DataFrame:
    """Runs ``scenarios`` (scenario tables, as :meth:`Study.scenarios`
    takes them) on ``study`` and returns the comparison frame, in scenario
    order: in this process without ``client``, else as one Dask task per
    batch on the client's cluster."""
    parts = batches(scenarios, batch_size)
    if not parts:
        return pd.DataFrame()
    if client is None:
        frames = [run_batch(study, b) for b in parts]
    else:
        [shared] = client.scatter([study], broadcast=True, hash=False)
        futures = client.map(run_batch, [shared] * len(parts), parts, pure=False)
        frames = client.gather(futures)
    return pd.concat(frames, ignore_index=True)


def people_within(comparison: pd.DataFrame, service: str) -> pd.Series:
    """People within the service's threshold per scenario, summed over the
    zones (a zone's population less its people beyond the threshold;
    settlements outside every zone are not counted), in scenario order."""
    rows = comparison[comparison["service"] == service]
    within = rows["pop"] - rows["pop_beyond"]
    return within.groupby(rows["scenario"], sort=False).sum()
