"""A funnel kept current as events arrive.

>>> log = sf.EventLog.from_pandas(history, deal="deal_id", stage="stage", time="at",
...                               graph=g, appendable=True)
>>> live = sf.LiveFunnel(log)
>>> live.append(todays_rows, deal="deal_id", stage="stage", time="at")
>>> live.report().totals

An append takes the touched deals' counts out of the statistics and puts
their new history back in, so a refresh costs the events appended, not the
log (docs/concepts.md, "Live funnels"). Reports from several threads may be
taken while one thread appends: each sees whole appends.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from . import _core
from .funnel import FunnelReport, FunnelStats, _as_of_ticks, _counted_on, _stale_spec
from .log import EventLog, _append, _table_roles


class LiveFunnel:
    """An appendable :class:`EventLog` and its funnel statistics, kept current.

    ``as_of`` (default: follow the latest event) and ``stale_after`` as in
    :func:`salesfunnel.funnel`. The log must be built with ``appendable=True``.
    The live funnel starts from the log as it stands and then keeps its own:
    append through the live funnel (appends to ``log`` are not seen here). While
    you still hold ``log``, the first append copies it once.

    >>> live = sf.LiveFunnel(log, stale_after="90D")
    """

    def __init__(self, log: EventLog, as_of=None, *, stale_after=None):
        self._ticks = _as_of_ticks(log, as_of)
        self._stale = _stale_spec(stale_after)
        self._stale_after = stale_after
        self._graph = log.graph
        self._unit = log.time_unit
        off = {"stale_days": float("nan"), "stale_by_stage": []}
        self._live = _core.LiveFunnel.create(log._log, self._ticks, **{**off, **self._stale})

    def append(self, df, *, deal: str, stage: str, time: str, rep: str | None = None,
               amount: str | None = None, attributes: Sequence[str] | None = None,
               stage_map: Mapping[str, str] | None = None, strict: bool = False,
               time_unit: str = "s", threads: int = 0) -> int:
        """Append events as :meth:`EventLog.append` does and refresh the
        statistics; returns the number of new deals. On an error neither the
        log nor the statistics change.

        >>> live.append(todays_rows, deal="deal_id", stage="stage", time="at")
        """
        roles, attrs, labels = _table_roles(df, "append", deal, stage, time, rep, amount, attributes)
        return _append(self._unit, roles, attrs, labels, stage_map, strict, time_unit, threads,
                       self._live.append)

    def report(self) -> FunnelReport:
        """The funnel report of the statistics as they stand (the same numbers
        :func:`salesfunnel.funnel` gives on the whole log).

        >>> live.report().to_pandas()
        """
        return FunnelReport(self._live.report(), None, self._ticks, self._stale)

    @property
    def stats(self) -> FunnelStats:
        """A copy of the current statistics (mergeable, serialisable).

        >>> live.stats.to_bytes()
        """
        return FunnelStats(self._live.stats(), _counted_on(self._graph, self._stale_after))

    @property
    def log(self) -> EventLog:
        """A snapshot of the log: later appends do not change it (while it is
        alive, the next append copies the log's storage once).

        >>> live.log.num_events
        """
        return EventLog(self._live.log())

    def __repr__(self) -> str:
        s = self._live.stats()
        return f"<LiveFunnel: {s.deals} deals, {s.events} events>"
