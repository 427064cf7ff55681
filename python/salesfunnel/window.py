"""Window funnels: of the deals that entered step 1, how many did steps 2..k
in order within a window, and how long each step took.

>>> w = sf.window_funnel(log, ["MQL", "SQL", {"Meeting booked", "Meeting held"}], within="14D")
>>> w.to_pandas()[["entered", "converted", "immature", "conversion"]]
>>> w.curve()                      # share converted by each day of the window
>>> sf.window_funnel(log, ["MQL", "SQL"], "14D", by="cohort_month").trend()
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _args, _core
from ._errors import ColumnTypeError
from ._frames import FrameMixin
from .funnel import _as_of_ticks, _days
from .log import EventLog

__all__ = ["window_funnel", "window_funnel_stats", "WindowFunnel", "GroupedWindowFunnel",
           "WindowFunnelStats", "STEP_COLUMNS"]

#: The columns of WindowFunnel.to_pandas(), documented.
STEP_COLUMNS = {
    "step": "the step's stage name(s), ' | ' between the names of a set (index)",
    "entered": "deals that did the previous step (step 1: deals that did step 1)",
    "converted": "of those, deals that also did this step within the window",
    "immature": "deals that have not done this step yet but whose window is still open at as_of",
    "mature": "entered - immature: deals whose outcome at this step is known",
    "conversion": "converted / mature",
    "conversion_low": "Wilson 95% lower bound of conversion",
    "conversion_high": "Wilson 95% upper bound of conversion",
    "cumulative": "converted / step-1 deals whose outcome at this step is known",
    "cumulative_low": "Wilson 95% lower bound of cumulative",
    "cumulative_high": "Wilson 95% upper bound of cumulative",
    "km_cumulative": "share of step-1 deals doing this step within the window, Kaplan-Meier with "
                     "immature deals censored: the censoring-correct figure (cumulative leans high "
                     "for recent entrants, whose early converters already count)",
    "median_days_from_previous": "median days from the previous step to this one",
    "p90_days_from_previous": "90th percentile of the same",
    "median_days_from_first": "median days from step 1 to this step",
    "p90_days_from_first": "90th percentile of the same",
}


def _steps(steps) -> list[list[str]]:
    """Each step as a list of names: a name, or a set / list / tuple of names."""
    if isinstance(steps, str) or not hasattr(steps, "__iter__"):
        raise ColumnTypeError("steps must be a list of stage names (or sets of names), "
                              f"got {type(steps).__name__}")
    out = []
    for j, step in enumerate(steps):
        names = [step] if isinstance(step, str) else list(step) if hasattr(step, "__iter__") else None
        if names is None or not all(isinstance(n, str) for n in names):
            raise ColumnTypeError(f"step {j}: expected a stage name or a set of names, got {step!r}"[:200])
        out.append(sorted(names) if isinstance(step, (set, frozenset)) else names)
    return out


def _within_seconds(within) -> int:
    """A window as whole seconds: "14D", "36h", a timedelta, or a number of days."""
    days = _days(within, "within")
    try:
        if not np.isfinite(days):
            raise ValueError("not finite")
        return int(pd.Timedelta(days=days).total_seconds())
    except (ValueError, OverflowError):
        raise ColumnTypeError(f"within: expected a finite duration, got {within!r}"[:200]) from None


def _exclusions(exclusions) -> list[tuple[int, int, str]]:
    out = []
    for x in exclusions:
        try:
            a, b, stage = x
        except (TypeError, ValueError):
            raise ColumnTypeError(f"an exclusion is (from_step, to_step, stage), got {x!r}"[:200]) from None
        if not isinstance(stage, str) or isinstance(a, bool) or isinstance(b, bool):
            raise ColumnTypeError(f"an exclusion is (from_step, to_step, stage), got {x!r}"[:200])
        out.append((int(a), int(b), stage))
    return out


def _spec(steps, within, order, exclusions) -> dict:
    return {"steps": _steps(steps), "within_seconds": _within_seconds(within), "order": str(order),
            "exclusions": _exclusions(exclusions)}


class WindowFunnelStats:
    """Mergeable window-funnel statistics (integer histograms and duration
    sketches): parts of a log split by deal, read at the same ``as_of`` with
    the same steps, merge into exactly the statistics of the whole."""

    def __init__(self, core, log: EventLog | None = None):
        self._s = core
        self._log = log

    def merge(self, other: "WindowFunnelStats") -> "WindowFunnelStats":
        """A new statistics object holding both parts.

        >>> a = sf.window_funnel_stats(jan, ["MQL", "SQL"], "14D", as_of="2024-03-01")
        >>> a.merge(sf.window_funnel_stats(feb, ["MQL", "SQL"], "14D", as_of="2024-03-01")).report()

        Parts must hold different deals; statistics that share a deal refuse
        to merge (:class:`~salesfunnel.FailedPreconditionError`).
        """
        out = self._s.__copy__()
        out.merge(other._s)
        return WindowFunnelStats(out, self._log)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WindowFunnelStats) and self._s == other._s

    def to_bytes(self) -> bytes:
        """The statistics as a versioned binary buffer (read back with
        :meth:`from_bytes`); deals shared with other statistics stay refused.

        >>> data = sf.window_funnel_stats(part, ["MQL", "SQL"], "14D", as_of=day).to_bytes()
        """
        return self._s.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "WindowFunnelStats":
        """Statistics from :meth:`to_bytes`.

        >>> stats = sf.WindowFunnelStats.from_bytes(data)
        """
        return cls(_core.WindowFunnelStats.from_bytes(_args.buffer("data", data)))

    def __getstate__(self) -> dict:
        return {"stats": self._s.to_bytes(), "log": self._log}

    def __setstate__(self, state: dict) -> None:
        self._s = _core.WindowFunnelStats.from_bytes(state["stats"])
        self._log = state["log"]

    @property
    def deals(self) -> int:
        """Deals counted (with an event by as_of, whether or not they did step 1).

        >>> sf.window_funnel_stats(log, ["MQL", "SQL"], "14D").deals
        """
        return self._s.deals

    def report(self) -> "WindowFunnel":
        """The window funnel of these statistics.

        >>> stats.report().to_pandas()
        """
        return WindowFunnel(_core.make_window_report(self._s), self._log)


class WindowFunnel(FrameMixin):
    """A window funnel: a row per step, conversion curves, warnings."""

    def __init__(self, core, log: EventLog | None = None):
        self._r = core
        self._log = log

    @property
    def warnings(self) -> list[str]:
        """Sentences to read first (immature deals, a step nobody did).

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D").warnings
        """
        return list(self._r.warnings)

    @property
    def within(self) -> pd.Timedelta:
        """The conversion window, measured from each deal's step-1 event.

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D").within      # Timedelta('14 days')
        """
        return pd.Timedelta(days=self._r.within_days)

    @property
    def order(self) -> str:
        """"ordered", "strict" or "any".

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D", order="strict").order
        """
        return self._r.order

    @property
    def deals(self) -> int:
        """Deals with an event by as_of, whether or not they did step 1.

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D").deals
        """
        return self._r.deals

    @property
    def as_of(self):
        """When the log was read (a Timestamp for datetime logs).

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D").as_of
        """
        if self._log is None:
            return self._r.as_of
        return pd.Timestamp(self._log._time_values(np.array([self._r.as_of]))[0])

    def to_pandas(self) -> pd.DataFrame:
        """One row per step (index: step); columns in ``STEP_COLUMNS``.

        >>> sf.window_funnel(log, ["MQL", "SQL", "Won"], "90D").to_pandas()
        """
        return pd.DataFrame(self._r.step_table()).set_index("step")

    def curve(self, wide: bool = False) -> pd.DataFrame:
        """Share of step-1 deals that did each step by each day of the window
        (Kaplan-Meier: immature deals censored), with the count converting in
        each bucket; ``wide=True`` gives days x steps shares.

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D").curve(wide=True).iloc[-1]
        """
        c = pd.DataFrame(self._r.curve_table())
        if not wide:
            return c
        steps = list(dict.fromkeys(c["step"]))
        return c.pivot(index="days", columns="step", values="converted_share")[steps]

    def plot(self, kind: str = "funnel", ax=None, **kwargs):
        """The steps with the drop-off between them (``kind="funnel"``) or the
        conversion curves (``kind="curve"``), matplotlib.

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D").plot("curve")
        """
        from . import plots
        draw = {"funnel": plots.window_funnel_chart, "curve": plots.window_curve}.get(kind)
        if draw is None:
            raise ColumnTypeError(f"kind must be 'funnel' or 'curve', got {kind!r}"[:200])
        return draw(self, ax=ax, **kwargs)

    def _repr_html_(self) -> str:
        from .display import window_funnel_html
        return window_funnel_html(self)

    def __repr__(self) -> str:
        t = self.to_pandas()[["entered", "converted", "immature", "conversion"]]
        return f"WindowFunnel(within {self.within}, order {self.order})\n{t}"


class GroupedWindowFunnel(FrameMixin):
    """A window funnel per group (rep, attribute, or the period of entry to step 1)."""

    def __init__(self, by: str, labels, reports, log: EventLog | None = None):
        self.by = by
        self.groups = list(labels)
        self._reports = [WindowFunnel(r, log) for r in reports]

    def __getitem__(self, group: str) -> WindowFunnel:
        return self._reports[self.groups.index(group)]

    def __len__(self) -> int:
        return len(self.groups)

    def to_pandas(self) -> pd.DataFrame:
        """A long table indexed by (group, step) with the columns of WindowFunnel.to_pandas().

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D", by="rep").to_pandas()
        """
        frames = [r.to_pandas().reset_index().assign(**{self.by: g})
                  for g, r in zip(self.groups, self._reports)]
        if not frames:
            return pd.DataFrame(columns=[self.by, *STEP_COLUMNS]).set_index([self.by, "step"])
        return pd.concat(frames, ignore_index=True).set_index([self.by, "step"])

    def trend(self, column: str = "km_cumulative") -> pd.DataFrame:
        """Groups x steps: ``column`` per group (default ``km_cumulative``, the
        censoring-correct share of step-1 deals doing each step within the
        window) — with ``by="cohort_month"``, conversion by the month deals entered.

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D", by="cohort_month").trend()
        """
        t = self.to_pandas()[column].unstack("step")
        steps = list(dict.fromkeys(self._reports[0].to_pandas().index)) if self._reports else []
        return t[steps]

    def plot(self, ax=None, **kwargs):
        """Conversion to the last step per group (a trend when grouped by cohort).

        >>> sf.window_funnel(log, ["MQL", "SQL"], "14D", by="cohort_month").plot()
        """
        from .plots import window_trend
        return window_trend(self, ax=ax, **kwargs)

    def _repr_html_(self) -> str:
        return f"<b>Window funnel by {self.by}</b>" + self.trend()._repr_html_()


def window_funnel(log: EventLog, steps, within, order: str = "ordered", exclusions=(), as_of=None,
                  by: str | None = None, threads: int = 0):
    """The window funnel of a log (with or without a stage graph).

    ``steps``: stage (or activity) names in order; a set of names is one step
    any of them completes. ``within``: the window from the step-1 event
    ("14D", "36h", a timedelta, or a number of days). ``order``: "ordered"
    (other events may come between steps), "strict" (no event of another step
    between them) or "any" (steps after the first in any order).
    ``exclusions``: (from_step, to_step, stage) with steps numbered from 0 —
    a deal that hits ``stage`` after ``from_step`` and before ``to_step`` goes
    no further. Each deal counts once, from its first step-1 event that gets
    furthest. ``by``: "rep", an attribute, or "cohort_week"/"cohort_month" of
    the step-1 event (a GroupedWindowFunnel).

    >>> sf.window_funnel(log, ["Lead", "Contact", "First Meeting"], within="30D").to_pandas()
    """
    spec = _spec(steps, within, order, exclusions)
    ticks = _as_of_ticks(log, as_of)
    if by is None:
        stats = _core.compute_window_stats(log._log, **spec, as_of=ticks, threads=threads)
        return WindowFunnel(_core.make_window_report(stats), log)
    key, labels, stats = _core.compute_window_stats_by(log._log, by, **spec, as_of=ticks, threads=threads)
    return GroupedWindowFunnel(key, labels, [_core.make_window_report(s) for s in stats], log)


def window_funnel_stats(log: EventLog, steps, within, order: str = "ordered", exclusions=(),
                        as_of=None, threads: int = 0) -> WindowFunnelStats:
    """Mergeable window-funnel statistics (for logs split across files or workers).

    >>> sf.window_funnel_stats(log, ["MQL", "SQL"], "14D", as_of="2024-03-01")
    """
    spec = _spec(steps, within, order, exclusions)
    return WindowFunnelStats(_core.compute_window_stats(log._log, **spec, as_of=_as_of_ticks(log, as_of),
                                                        threads=threads), log)
