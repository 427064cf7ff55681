"""Funnels and models of event logs larger than one machine, on Dask.

>>> import dask.dataframe as dd
>>> import salesfunnel.dask as sfd
>>> events = dd.read_parquet("s3://crm/events/*.parquet")
>>> report = sfd.funnel(events, deal="deal_id", stage="stage", time="entered_at",
...                     graph=sf.templates.sales_cycle())
>>> report.to_pandas()            # the same table as sf.funnel on one machine

How it works, with Dask as the engine (``pip install salesfunnel[dask]``):

1. the events are shuffled by deal (``DataFrame.shuffle(on=deal)``, a hash
   partitioning), so every event of a deal lands in one partition;
2. each partition becomes an :class:`~salesfunnel.EventLog` on a worker
   (validated, sorted, the outcome rule applied) and stays in worker memory;
3. ``as_of`` defaults to the latest event of any partition's log — the
   single-machine default — so every partition is read at the same time;
4. each partition's :class:`~salesfunnel.FunnelStats` travel back as
   versioned bytes and merge in a tree (``split_every`` at a time).

Merging is exact, so the report and the fitted model equal the ones built
from the whole log on one machine. Statistics that share a deal refuse to
merge: passing ``shuffle=False`` for data that is not partitioned by deal
fails loudly (:class:`~salesfunnel.FailedPreconditionError`) instead of
counting a deal twice.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from . import _core
from .funnel import FunnelReport, FunnelStats, GroupedFunnelReport, GroupedFunnelStats, _counted_on, _time_ticks
from .funnel import funnel_stats as _stats_of_log
from .graph import StageGraph
from .log import EventLog
from .model import MarkovChains, MarkovModel

__all__ = ["funnel", "funnel_stats", "fit", "fit_by", "event_logs"]


def _dask():
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("salesfunnel.dask needs Dask: pip install 'salesfunnel[dask]'") from e
    return dask


def _build_part(pdf, kwargs: dict) -> EventLog:
    return EventLog.from_pandas(pdf, **kwargs)


def _extent(log: EventLog) -> tuple[str, int | None]:
    """The log's time unit and latest event (None when it has none)."""
    return log.time_unit, (log._log.max_time if log.num_events else None)


def _part_stats(log: EventLog, ticks: int, stale_after, by: str | None) -> bytes:
    return _stats_of_log(log, ticks, 1, stale_after=stale_after, by=by).to_bytes()


def _merge(parts: Sequence[bytes], grouped: bool) -> bytes:
    kind = _core.GroupedFunnelStats if grouped else _core.FunnelStats
    out = kind.from_bytes(parts[0])
    for p in parts[1:]:
        out.merge(kind.from_bytes(p))
    return out.to_bytes()


def event_logs(ddf, *, deal: str, stage: str, time: str, graph: StageGraph,
               rep: str | None = None, amount: str | None = None,
               attributes: Sequence[str] | None = None, stage_map: Mapping[str, str] | None = None,
               time_unit: str = "s", shuffle: bool = True, npartitions: int | None = None) -> list:
    """One persisted :class:`~salesfunnel.EventLog` per partition of ``ddf``
    (a list of Dask delayed objects), after a shuffle by ``deal`` unless
    ``shuffle=False`` (the data is already partitioned by deal).

    >>> logs = sfd.event_logs(events, deal="deal_id", stage="stage", time="at", graph=g)
    """
    dask = _dask()
    if shuffle:
        ddf = ddf.shuffle(on=deal, npartitions=npartitions)
    kwargs = dict(deal=deal, stage=stage, time=time, rep=rep, amount=amount,
                  attributes=attributes, graph=graph, stage_map=stage_map,
                  time_unit=time_unit, threads=1)
    build = dask.delayed(_build_part, pure=True)
    logs = [build(part, kwargs) for part in ddf.to_delayed()]
    return list(dask.persist(*logs))


def _read_at(logs: list, as_of) -> int:
    """``as_of`` in the logs' time unit; by default their latest event."""
    dask = _dask()
    extents = dask.compute(*[dask.delayed(_extent, pure=True)(log) for log in logs])
    units = {unit for unit, _ in extents}
    if len(units) > 1:
        raise TypeError(f"the partitions' time columns have different units {sorted(units)}; "
                        "give every partition the same time dtype")
    latest = [t for _, t in extents if t is not None]
    if as_of is None:
        return max(latest) if latest else 0
    return _time_ticks(units.pop() if units else "s", as_of)


def _tree_merge(parts: list, split_every: int, grouped: bool):
    dask = _dask()
    merge = dask.delayed(_merge, pure=True)
    while len(parts) > 1:
        parts = [merge(parts[i:i + split_every], grouped) for i in range(0, len(parts), split_every)]
    return parts[0]


def funnel_stats(ddf, *, deal: str, stage: str, time: str, graph: StageGraph, as_of=None,
                 stale_after=None, by: str | None = None, split_every: int = 8,
                 **build) -> FunnelStats | GroupedFunnelStats:
    """Mergeable statistics of a Dask DataFrame of events, computed per
    partition and merged in a tree; equal to :func:`salesfunnel.funnel_stats`
    of the whole log read at the same ``as_of`` (with ``by``: per group, as
    :class:`~salesfunnel.GroupedFunnelStats`; pass ``rep=`` or
    ``attributes=`` for the column it groups by). ``build`` takes the other
    arguments of :func:`event_logs` (rep, amount, attributes, stage_map,
    time_unit, shuffle, npartitions).

    >>> stats = sfd.funnel_stats(events, deal="deal_id", stage="stage", time="at", graph=g)
    """
    if split_every < 2:
        raise ValueError(f"split_every must be at least 2, got {split_every}")
    logs = event_logs(ddf, deal=deal, stage=stage, time=time, graph=graph, **build)
    ticks = _read_at(logs, as_of)
    per_part = [_dask().delayed(_part_stats, pure=True)(log, ticks, stale_after, by) for log in logs]
    data = _tree_merge(per_part, split_every, by is not None).compute()
    kind = GroupedFunnelStats if by is not None else FunnelStats
    return kind.from_bytes(data, _counted_on(graph, stale_after))


def funnel(ddf, *, deal: str, stage: str, time: str, graph: StageGraph, as_of=None,
           stale_after=None, by: str | None = None, split_every: int = 8,
           **build) -> FunnelReport | GroupedFunnelReport:
    """The funnel report of a Dask DataFrame of events: the same report as
    :func:`salesfunnel.funnel` on the whole log (see :func:`funnel_stats`);
    with ``by``, one report per group, as ``sf.funnel(log).by(by)``.

    >>> sfd.funnel(events, deal="deal_id", stage="stage", time="at", graph=g).to_pandas()
    >>> sfd.funnel(events, deal="deal_id", stage="stage", time="at", graph=g, rep="owner", by="rep")
    """
    stats = funnel_stats(ddf, deal=deal, stage=stage, time=time, graph=graph, as_of=as_of,
                         stale_after=stale_after, by=by, split_every=split_every, **build)
    return stats.report()


def fit(ddf, *, deal: str, stage: str, time: str, graph: StageGraph, as_of=None,
        prior: float = 0.0, split_every: int = 8, **build) -> MarkovModel:
    """The Markov model of a Dask DataFrame of events, fitted from the merged
    statistics: the same model as :meth:`salesfunnel.MarkovModel.fit` on the
    whole log. The model holds no log, so pass ``log=`` to the calls that
    value or forecast open deals.

    >>> model = sfd.fit(events, deal="deal_id", stage="stage", time="at", graph=g)
    """
    stats = funnel_stats(ddf, deal=deal, stage=stage, time=time, graph=graph, as_of=as_of,
                         split_every=split_every, **build)
    return MarkovModel.fit_stats(stats, prior)


def fit_by(ddf, by: str = "rep", *, deal: str, stage: str, time: str, graph: StageGraph, as_of=None,
           prior: float = 0.0, split_every: int = 8, **build) -> MarkovChains:
    """One Markov chain per group of ``by``, fitted from the merged grouped
    statistics: the same chains as :meth:`salesfunnel.MarkovChains.fit_by`
    on the whole log.

    >>> chains = sfd.fit_by(events, "rep", deal="deal_id", stage="stage", time="at", graph=g, rep="owner")
    """
    stats = funnel_stats(ddf, deal=deal, stage=stage, time=time, graph=graph, as_of=as_of, by=by,
                         split_every=split_every, **build)
    return MarkovChains.fit_stats(stats, prior)
