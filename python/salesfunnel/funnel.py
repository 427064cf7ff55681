"""The funnel report: per-stage counts and censoring-aware conversions."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from . import _args, _core
from ._errors import ColumnTypeError, InvalidArgumentError, NotFoundError
from ._frames import FrameMixin
from .graph import StageGraph
from .log import EventLog

__all__ = ["funnel", "funnel_stats", "report_from_stats", "waterfall", "FunnelReport",
           "GroupedFunnelReport", "FunnelStats", "Waterfall"]

#: The columns of FunnelReport.to_pandas(), documented.
STAGE_COLUMNS = {
    "stage": "stage name (index)",
    "kind": "entry, open, won, lost or nurture",
    "main_rank": "position on the main path (entry-to-won chain), -1 off it",
    "reached": "deals that visited the stage",
    "reached_or_beyond": "deals that visited it or a later main-path stage",
    "advanced": "deals that went on to a later main-path stage",
    "dropped": "deals whose furthest stage this was and that ended in a lost stage",
    "closed_here": "deals whose furthest stage this was and that ended in a won stage",
    "in_progress": "deals whose furthest stage this was and that are still open (censored)",
    "open": "deals sitting in this stage at as_of",
    "step_conversion": "advanced / (advanced + dropped + closed_here); open deals censored",
    "step_low": "Wilson 95% lower bound of step_conversion",
    "step_high": "Wilson 95% upper bound of step_conversion",
    "cumulative_conversion": "reached_or_beyond / (reached_or_beyond + deals closed before it)",
    "cumulative_low": "Wilson 95% lower bound of cumulative_conversion",
    "cumulative_high": "Wilson 95% upper bound of cumulative_conversion",
    "median_days": "Kaplan-Meier median time in stage (open stays censored)",
    "p90_days": "Kaplan-Meier 90th percentile time in stage",
    "mean_days": "mean of completed stays",
    "stays_completed": "stays that ended with a move",
    "stays_censored": "stays still running at as_of",
}


def _as_of_ticks(log: EventLog, as_of) -> int | None:
    return _time_ticks(log.time_unit, as_of)


def _time_ticks(unit: str, as_of) -> int | None:
    """A time as an integer in ``unit`` ("s", "ms", "us", "ns"); None stays None."""
    if as_of is None:
        return None
    if isinstance(as_of, (int, np.integer)) and not isinstance(as_of, bool):
        if not -2**63 <= int(as_of) < 2**63:
            raise InvalidArgumentError(f"as_of {as_of} is outside the 64-bit time range")
        return int(as_of)
    if isinstance(as_of, (str, _dt.datetime, _dt.date, pd.Timestamp, np.datetime64)):
        try:
            ts = pd.Timestamp(as_of)
        except (ValueError, OverflowError) as e:
            raise InvalidArgumentError(f"as_of: cannot read time {str(as_of)[:80]!r} ({e})") from None
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return int(np.datetime64(ts.to_datetime64(), unit).astype(np.int64))
    raise ColumnTypeError(f"as_of must be a timestamp or an integer time, not {type(as_of).__name__}")


def _days(value, what: str) -> float:
    """A duration as days: a number of days, "90D"-style text, or a timedelta."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    try:
        return pd.Timedelta(value) / pd.Timedelta(days=1)
    except (ValueError, TypeError, OverflowError) as e:
        raise ColumnTypeError(f"{what}: expected a duration such as '90D' or a number of days, "
                              f"got {value!r}") from e


def _stale_spec(stale_after) -> dict:
    """``stale_after`` (one duration, or {stage: duration}) as core keyword arguments.

    >>> _stale_spec("90D")
    {'stale_days': 90.0, 'stale_by_stage': []}
    """
    if stale_after is None:
        return {}
    if isinstance(stale_after, dict):
        return {"stale_days": float("nan"),
                "stale_by_stage": [(str(k), _days(v, f"stale_after[{k!r}]")) for k, v in stale_after.items()]}
    return {"stale_days": _days(stale_after, "stale_after"), "stale_by_stage": []}


class FunnelStats:
    """Mergeable funnel statistics (integer counts and duration sketches):
    statistics of parts of a log, split by deal and read at the same ``as_of``,
    merge into exactly the statistics of the whole."""

    def __init__(self, core, graph: StageGraph):
        self._s = core
        self._graph = graph

    def merge(self, other: "FunnelStats") -> "FunnelStats":
        """A new FunnelStats holding both parts.

        Parts must hold different deals (a log split by deal, not by time):
        statistics that share a deal refuse to merge
        (:class:`~salesfunnel.FailedPreconditionError`) rather than count it twice.

        >>> merged = sf.funnel_stats(west, as_of=day).merge(sf.funnel_stats(east, as_of=day))
        """
        out = self._s.__copy__()
        out.merge(other._s)
        return FunnelStats(out, self._graph)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FunnelStats) and self._s == other._s

    def to_bytes(self) -> bytes:
        """The statistics as a versioned binary buffer (counts, sketches, the
        graph's fingerprint, ``as_of`` and the deals counted), to send to
        another process or store; read back with :meth:`from_bytes`.

        >>> data = sf.funnel_stats(part, as_of=day).to_bytes()
        """
        return self._s.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes, graph: StageGraph) -> "FunnelStats":
        """Statistics from :meth:`to_bytes`, counted on ``graph`` (a
        different graph is refused by its fingerprint when reporting or merging).

        >>> stats = sf.FunnelStats.from_bytes(data, log.graph)
        """
        if not isinstance(graph, StageGraph):
            raise ColumnTypeError(f"graph must be a StageGraph, got {type(graph).__name__}")
        return cls(_core.FunnelStats.from_bytes(_args.buffer("data", data)), graph)

    def __getstate__(self) -> dict:
        return {"stats": self._s.to_bytes(), "graph": self._graph}

    def __setstate__(self, state: dict) -> None:
        self._s = _core.FunnelStats.from_bytes(state["stats"])
        self._graph = state["graph"]

    @property
    def deals(self) -> int:
        """Deals counted in these (possibly merged) statistics.

        >>> sf.funnel_stats(part1).merge(sf.funnel_stats(part2)).deals
        """
        return self._s.deals

    def report(self) -> "FunnelReport":
        """The funnel report of these statistics, as :func:`report_from_stats`.

        >>> sf.funnel_stats(log).report().totals
        """
        return report_from_stats(self)


class GroupedFunnelStats:
    """Mergeable funnel statistics per group (rep, attribute value or entry
    cohort), keyed by label: statistics of parts of a log split by deal merge
    group by group into exactly the statistics of the whole, and a label met
    in only one part joins in sorted place."""

    def __init__(self, core, graph: StageGraph):
        self._s = core
        self._graph = graph

    @property
    def by(self) -> str:
        """The grouping key ("rep", an attribute, "cohort_week" or "cohort_month").

        >>> sf.funnel_stats(log, by="rep").by
        """
        return self._s.by

    @property
    def groups(self) -> list[str]:
        """The group labels, sorted ("(none)" last).

        >>> sf.funnel_stats(log, by="rep").groups
        """
        return list(self._s.labels)

    def __len__(self) -> int:
        return len(self._s.labels)

    def __getitem__(self, group: str) -> FunnelStats:
        labels = self.groups
        if group not in labels:
            raise NotFoundError(f"no group {group!r} in statistics by {self.by!r}; groups: "
                                + ", ".join(map(repr, labels[:10])) + (" ..." if len(labels) > 10 else ""))
        return FunnelStats(self._s.stats[labels.index(group)], self._graph)

    def merge(self, other: "GroupedFunnelStats") -> "GroupedFunnelStats":
        """A new GroupedFunnelStats holding both parts (different deals, same
        ``by``, graph and ``as_of``; a deal counted in both is refused).

        >>> whole = sf.funnel_stats(west, by="rep").merge(sf.funnel_stats(east, by="rep"))
        """
        out = self._s.__copy__()
        out.merge(other._s)
        return GroupedFunnelStats(out, self._graph)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GroupedFunnelStats) and self._s == other._s

    def to_bytes(self) -> bytes:
        """The statistics as a versioned binary buffer; read back with :meth:`from_bytes`.

        >>> data = sf.funnel_stats(part, by="rep").to_bytes()
        """
        return self._s.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes, graph: StageGraph) -> "GroupedFunnelStats":
        """Statistics from :meth:`to_bytes`, counted on ``graph``.

        >>> stats = sf.GroupedFunnelStats.from_bytes(data, log.graph)
        """
        if not isinstance(graph, StageGraph):
            raise ColumnTypeError(f"graph must be a StageGraph, got {type(graph).__name__}")
        return cls(_core.GroupedFunnelStats.from_bytes(_args.buffer("data", data)), graph)

    def __getstate__(self) -> dict:
        return {"stats": self._s.to_bytes(), "graph": self._graph}

    def __setstate__(self, state: dict) -> None:
        self._s = _core.GroupedFunnelStats.from_bytes(state["stats"])
        self._graph = state["graph"]

    def report(self) -> "GroupedFunnelReport":
        """One funnel report per group: the same as ``sf.funnel(log).by(key)``.

        >>> sf.funnel_stats(log, by="rep").report().totals()
        """
        return GroupedFunnelReport(_core.make_grouped_report(self._s, self._graph._g))

    def __repr__(self) -> str:
        return f"GroupedFunnelStats(by {self.by!r}: {len(self)} groups)"


class FunnelReport(FrameMixin):
    """Per-stage funnel counts, conversions with Wilson intervals, Kaplan-Meier
    time in stage, drop-offs by exit and the transition matrix."""

    def __init__(self, core, log: EventLog | None = None, as_of=None, stale: dict | None = None):
        self._r = core
        self._log = log
        self._as_of = as_of
        self._stale = stale or {}

    @property
    def graph(self) -> StageGraph:
        """The stage graph the report follows.

        >>> sf.funnel(log).graph.main_path
        """
        return StageGraph._wrap(self._r.graph)

    @property
    def totals(self) -> dict:
        """deals, won, lost, open (and went_dark, with ``stale_after``: part of lost).

        >>> sf.funnel(sf.datasets.bpi2012()).totals        # {'deals': 13087, 'won': 2246, ...}
        """
        t = {"deals": self._r.deals, "won": self._r.won, "lost": self._r.lost, "open": self._r.open}
        if self._stale or "Went dark" in self.graph.stages:  # also a report of stale statistics
            t["went_dark"] = self._r.went_dark
        return t

    @property
    def warnings(self) -> list[str]:
        """Sentences to read before trusting the numbers: no losses recorded
        (try ``stale_after``), snapshot-like data, events after the outcome,
        rows out of order, a past ``as_of``.

        >>> sf.funnel(log).warnings
        ['No lost deals are recorded: ...']
        """
        return list(self._r.warnings)

    def to_pandas(self) -> pd.DataFrame:
        """One row per stage (index: stage); columns in ``STAGE_COLUMNS``.

        >>> sf.funnel(log).to_pandas()[["reached", "step_conversion"]]
        """
        return pd.DataFrame(self._r.stage_table()).set_index("stage")

    def drop_offs(self) -> pd.DataFrame:
        """Deals that left the main path: the furthest stage, the lost exit, the count.

        >>> sf.funnel(log).drop_offs()
        """
        return pd.DataFrame(self._r.drop_off_table())

    def transitions(self, wide: bool = False) -> pd.DataFrame:
        """Directly-follows counts with the median days before each move; with
        ``wide=True`` a stage x stage count matrix.

        >>> sf.funnel(log).transitions(wide=True)
        """
        t = pd.DataFrame(self._r.transition_table())
        if not wide:
            return t
        stages = self.graph.stages
        m = t.pivot_table(index="from_stage", columns="to_stage", values="count",
                          aggfunc="sum", fill_value=0)
        return m.reindex(index=stages, columns=stages, fill_value=0).astype(np.int64)

    def survival(self, stage: str) -> pd.DataFrame:
        """The Kaplan-Meier curve of the time deals spend in ``stage`` (open
        stays censored): days, the share still in the stage just after, and
        the stays at risk just before; starts at (0, 1.0, all stays).

        >>> sf.funnel(log).survival("Contact").query("survival <= 0.5").head(1)   # the median
        """
        return pd.DataFrame(self._r.survival(stage))

    def by(self, key: str) -> "GroupedFunnelReport":
        """The same report per "rep", per attribute column, or per entry cohort
        ("cohort_week" / "cohort_month").

        >>> sf.funnel(log).by("rep").to_pandas()
        """
        if self._log is None:
            raise ColumnTypeError("this report was built from statistics; group the log instead")
        return GroupedFunnelReport(_core.funnel_by(self._log._log, key, self._as_of,
                                                   **self._stale))

    def _repr_html_(self) -> str:
        from .display import funnel_report_html
        return funnel_report_html(self)

    def plot(self, ax=None):
        """The funnel chart with drop-offs by exit (matplotlib).

        >>> sf.funnel(log).plot()
        """
        from .plots import funnel_chart
        return funnel_chart(self, ax=ax)

    def __repr__(self) -> str:
        t = self.totals
        return (f"FunnelReport({t['deals']:,} deals: {t['won']:,} won, {t['lost']:,} lost, "
                f"{t['open']:,} open)\n{self.to_pandas()[['reached', 'step_conversion']]}")


class GroupedFunnelReport(FrameMixin):
    """A funnel report per group."""

    def __init__(self, core):
        self._g = core

    @property
    def by(self) -> str:
        """The key the report is grouped by ("rep", "cohort_month", an attribute).

        >>> sf.funnel(log).by("rep").by               # 'rep'
        """
        return self._g.by

    @property
    def groups(self) -> list[str]:
        """The group labels; ``grouped[label]`` is that group's report.

        >>> g = sf.funnel(log).by("rep"); g[g.groups[0]].totals
        """
        return list(self._g.groups)

    def __getitem__(self, group: str) -> FunnelReport:
        return FunnelReport(self._g.reports[self.groups.index(group)])

    def __len__(self) -> int:
        return len(self.groups)

    def to_pandas(self) -> pd.DataFrame:
        """A long table: the group column (named after ``by``), then the
        per-stage columns of FunnelReport.to_pandas().

        >>> sf.funnel(log).by("cohort_month").to_pandas().loc["2024-01"]
        """
        frames = []
        for name, rep in zip(self._g.groups, self._g.reports):
            f = pd.DataFrame(rep.stage_table())
            f.insert(0, self.by, name)
            frames.append(f)
        return pd.concat(frames, ignore_index=True).set_index([self.by, "stage"])

    def _repr_html_(self) -> str:
        return f"<b>GroupedFunnelReport by {self.by}</b>" + self.totals()._repr_html_()

    def totals(self) -> pd.DataFrame:
        """deals, won, lost, open per group.

        >>> sf.funnel(log).by("rep").totals()
        """
        return pd.DataFrame(
            [{self.by: g, "deals": r.deals, "won": r.won, "lost": r.lost, "open": r.open}
             for g, r in zip(self._g.groups, self._g.reports)]).set_index(self.by)


def funnel(log: EventLog, as_of=None, threads: int = 0, *, stale_after=None) -> FunnelReport:
    """The funnel report of a log that has a stage graph.

    ``as_of`` (default: the latest event) is when the log is read: later
    events are ignored (the funnel as it stood then) and open deals' current
    stays are censored there. ``stale_after`` ("90D", a number of days, or
    {stage: duration}) turns open deals silent for longer into an implicit
    lost exit, "Went dark": for funnels whose losses are never recorded.

    >>> sf.funnel(log, as_of="2024-03-01", stale_after="90D").totals
    """
    ticks = _as_of_ticks(log, as_of)
    stale = _stale_spec(stale_after)
    return FunnelReport(_core.funnel(log._log, ticks, threads, **stale), log, ticks, stale)


def funnel_stats(log: EventLog, as_of=None, threads: int = 0, *, stale_after=None,
                 by: str | None = None) -> FunnelStats | GroupedFunnelStats:
    """Mergeable statistics of a log (for logs split across files or
    workers); with ``by`` ("rep", an attribute column, "cohort_week" or
    "cohort_month"), one set per group, as :class:`GroupedFunnelStats`.

    >>> stats = sf.funnel_stats(log, as_of="2024-03-01")
    >>> per_rep = sf.funnel_stats(log, as_of="2024-03-01", by="rep")
    """
    ticks = _as_of_ticks(log, as_of)
    graph = _counted_on(log.graph, stale_after)
    if by is not None:
        by = _args.text("by", by)
        core = _core.compute_funnel_stats_by(log._log, by, ticks, threads, **_stale_spec(stale_after))
        return GroupedFunnelStats(core, graph)
    core = _core.compute_funnel_stats(log._log, ticks, threads, **_stale_spec(stale_after))
    return FunnelStats(core, graph)


def _counted_on(graph: StageGraph, stale_after) -> StageGraph:
    """The graph statistics are counted on: ``graph``, plus "Went dark" with staleness."""
    return StageGraph._wrap(graph._g.with_went_dark()) if stale_after else graph


def report_from_stats(stats: FunnelStats) -> FunnelReport:
    """The report of (possibly merged) statistics.

    >>> sf.report_from_stats(stats_a.merge(stats_b)).to_pandas()
    """
    return FunnelReport(_core.make_funnel_report(stats._s, stats._graph._g))


class Waterfall(FrameMixin):
    """What changed between two dates, per stage: open at start, new, moved
    in, moved out, won, lost, went dark, open at end (counts and amounts).
    Every row balances, and open at end equals the funnel's ``open`` at end."""

    COLUMNS = ["open_start", "new", "moved_in", "moved_out", "won", "lost", "went_dark", "open_end"]

    def __init__(self, core, log: EventLog):
        self._w = core
        self._log = log

    @property
    def start(self) -> pd.Timestamp:
        """The start of the waterfall's period.

        >>> sf.waterfall(log, "2024-01-01", "2024-02-01").start
        """
        return pd.Timestamp(self._log._time_values(np.array([self._w.start]))[0])

    @property
    def end(self) -> pd.Timestamp:
        """The end of the waterfall's period.

        >>> sf.waterfall(log, "2024-01-01", "2024-02-01").end
        """
        return pd.Timestamp(self._log._time_values(np.array([self._w.end]))[0])

    def to_pandas(self, values: bool = False) -> pd.DataFrame:
        """One row per stage plus "(total)"; counts, or amounts with ``values=True``.

        >>> sf.waterfall(log, "2024-01-01", "2024-02-01").to_pandas(values=True)
        """
        t = self._w.table()
        cols = [f"value_{c}" for c in self.COLUMNS] if values else self.COLUMNS
        df = pd.DataFrame({c: t[c] for c in cols}, index=pd.Index(t["stage"], name="stage"))
        return df.rename(columns=lambda c: c.removeprefix("value_"))

    def _repr_html_(self) -> str:
        return (f"<p><b>Waterfall</b> {self.start:%Y-%m-%d} → {self.end:%Y-%m-%d}</p>"
                + self.to_pandas().to_html())

    def plot(self, ax=None, values: bool = False):
        """The team's waterfall: open at start, the flows, open at end (matplotlib).

        >>> sf.waterfall(log, "2024-01-01", "2024-02-01").plot()
        """
        from .plots import waterfall_chart
        return waterfall_chart(self, ax=ax, values=values)

    def __repr__(self) -> str:
        return f"Waterfall({self.start:%Y-%m-%d} -> {self.end:%Y-%m-%d})\n{self.to_pandas()}"


def waterfall(log: EventLog, start, end, *, stale_after=None) -> Waterfall:
    """What changed in the open pipeline between ``start`` and ``end``, per
    stage, from the event log alone (no stored snapshots needed).

    >>> w = sf.waterfall(log, "2024-03-01", "2024-04-01")
    >>> w.to_pandas().loc["(total)", ["open_start", "new", "won", "lost", "open_end"]]
    """
    return Waterfall(_core.waterfall(log._log, _as_of_ticks(log, start), _as_of_ticks(log, end),
                                     **_stale_spec(stale_after)), log)
