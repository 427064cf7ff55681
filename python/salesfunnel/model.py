"""The absorbing Markov model and the what-if engine: weakest link,
scenarios, reverse planning, Monte Carlo forecast.

>>> model = sf.MarkovModel.fit(log)
>>> model.win_probability()                       # P(won | stage)
>>> model.sensitivity().head()                    # the weakest link first
>>> s = model.scenario(leads_per_week=50).lift("First Meeting", "Active Prospect", points=10)
>>> sf.compare(model, s, leads_per_week=50)
>>> model.plan(wins=3, per="week", probability=0.8)
>>> model.forecast(horizon_days=90, trials=10_000, seed=1, quota=40, log=log).to_pandas()
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from . import _args, _core
from ._errors import ColumnTypeError, InvalidArgumentError
from ._frames import FrameMixin
from .funnel import FunnelStats, GroupedFunnelStats, _as_of_ticks, _counted_on, _stale_spec
from .graph import StageGraph
from .log import EventLog

__all__ = ["MarkovModel", "MarkovChains", "Scenario", "Forecast", "compare"]


def _mean_won_amount(log: EventLog | None) -> float:
    return float("nan") if log is None else _core.mean_won_amount(log._log)


def _has_amounts(log: EventLog | None) -> bool:
    return log is not None and log._log.has_amount


@functools.lru_cache(maxsize=256)
def _stage_index(names: tuple[str, ...]) -> pd.Index:
    """One (immutable) pandas index per list of stage names: building a string
    index costs ~100 µs, far more than solving a 50-stage chain."""
    return pd.Index(names)


class MarkovModel:
    """Stages as states, won and lost stages absorbing; probabilities from the
    observed moves out of each stage (open deals contribute no exit)."""

    def __init__(self, core, log: EventLog | None = None):
        self._m = core
        self._log = log
        self._as_of = None
        # A model never changes (what-ifs make new ones), so its solve and its
        # stage index are computed once, on first use.
        self._solved: dict | None = None
        self._index: pd.Index | None = None

    # pickling: the model in its versioned binary form (graph, probabilities,
    # counts, intervals, dwell days, staleness) and the log it was fitted on
    def __getstate__(self) -> dict:
        return {"model": self._m.to_bytes(), "log": self._log, "as_of": self._as_of}

    def __setstate__(self, state: dict) -> None:
        self.__init__(_core.MarkovModel.from_bytes(state["model"]), state["log"])
        self._as_of = state["as_of"]

    @classmethod
    def fit(cls, log: EventLog, prior: float = 0.0, as_of=None, *, stale_after=None) -> "MarkovModel":
        """Fit from a log with a graph; ``prior`` pseudo-counts spread over
        each stage's graph out-edges (a Dirichlet prior). ``as_of`` reads the
        log as it stood then; ``stale_after`` adds the "Went dark" exit as in
        :func:`salesfunnel.funnel`, and the forecast and pipeline value leave
        gone-dark deals out.

        >>> model = sf.MarkovModel.fit(log, stale_after="90D")
        """
        ticks = _as_of_ticks(log, as_of)
        core = _core.MarkovModel.fit_log(log._log, float(prior), ticks, **_stale_spec(stale_after))
        m = cls(core, log)
        m._as_of = ticks
        return m

    @classmethod
    def fit_stats(cls, stats: FunnelStats, prior: float = 0.0) -> "MarkovModel":
        """Fit from (possibly merged) funnel statistics.

        >>> model = sf.MarkovModel.fit_stats(sf.funnel_stats(log))
        """
        return cls(_core.MarkovModel.fit_stats(stats._s, stats._graph._g, float(prior)))

    @classmethod
    def from_probabilities(cls, graph: StageGraph, probabilities: Mapping[tuple, float],
                           dwell_days: Mapping[str, float] | None = None) -> "MarkovModel":
        """A hypothetical funnel: {(from, to): p} over graph edges (each
        stage's must sum to 1) and mean days in each stage.

        >>> g = sf.datasets.crm_graph()
        >>> model = sf.MarkovModel.from_probabilities(g, {("Prospecting", "Engaging"): 1.0,
        ...     ("Engaging", "Won"): 0.6, ("Engaging", "Lost"): 0.4}, {"Prospecting": 3, "Engaging": 30})
        """
        p = [(a, b, float(v)) for (a, b), v in probabilities.items()]
        d = [(k, float(v)) for k, v in (dwell_days or {}).items()]
        return cls(_core.MarkovModel.from_probabilities(graph._g, p, d))

    @property
    def graph(self) -> StageGraph:
        """The stage graph the model's states come from.

        >>> model.graph.main_path[0]          # the entry stage
        """
        return StageGraph._wrap(self._m.graph)

    def _stages(self) -> pd.Index:
        if self._index is None:
            self._index = _stage_index(tuple(self._m.graph.stage_names))
        return self._index

    def transition_matrix(self) -> pd.DataFrame:
        """P(next stage | leaving stage), stage x stage.

        >>> sf.MarkovModel.fit(log).transition_matrix()
        """
        s = self._stages()
        return pd.DataFrame(np.asarray(self._m.transition_matrix()).reshape(len(s), len(s)),
                            index=pd.Index(s, name="from_stage"), columns=s)

    def edges(self) -> pd.DataFrame:
        """Per edge: observed count, probability, Wilson 95% interval, in_graph.

        >>> sf.MarkovModel.fit(log).edges()
        """
        s = self._stages()
        return pd.DataFrame([{"from_stage": s[e.source], "to_stage": s[e.target], "count": e.count,
                              "probability": e.probability, "low": e.ci.low, "high": e.ci.high,
                              "in_graph": e.in_graph} for e in self._m.edges])

    def dwell_days(self) -> pd.Series:
        """Mean days a deal stays in each stage before it moves.

        >>> model.dwell_days()["Contact"]
        """
        return pd.Series(np.asarray(self._m.dwell_days()), index=self._stages(), name="dwell_days")

    def _analysis(self) -> dict:
        if self._solved is None:
            self._solved = self._m.analyze()
        return self._solved

    def absorption(self) -> pd.DataFrame:
        """P(ending in each won or lost stage | stage): index stage, one column per absorbing stage.

        >>> sf.MarkovModel.fit(log).absorption()
        """
        a = self._analysis()
        s = self._stages()
        cols = [s[i] for i in a["absorbing"]]
        return pd.DataFrame(np.asarray(a["probability"]).reshape(len(s), len(cols)),
                            index=pd.Index(s, name="stage"), columns=cols)

    def win_probability(self) -> pd.Series:
        """P(ending in any won stage | stage).

        >>> sf.MarkovModel.fit(sf.datasets.bpi2012()).win_probability()["Submitted"]
        """
        return pd.Series(np.asarray(self._analysis()["win_probability"]), index=self._stages(),
                         name="win_probability")

    def expected_steps(self) -> pd.Series:
        """Expected moves from each stage until won or lost.

        >>> model.expected_steps()["Lead"]
        """
        return pd.Series(np.asarray(self._analysis()["expected_steps"]), index=self._stages(),
                         name="expected_steps")

    def expected_days_to_win(self) -> pd.Series:
        """Expected days from each stage to the win, for the deals that win
        (the chain conditioned on ending won): how early to start.

        >>> sf.MarkovModel.fit(log).expected_days_to_win()
        """
        return pd.Series(np.asarray(self._analysis()["expected_days_to_win"]), index=self._stages(),
                         name="expected_days_to_win")

    def expected_days_to_close(self) -> pd.Series:
        """Expected days until won or lost, from each stage.

        >>> sf.MarkovModel.fit(log).expected_days_to_close()
        """
        return pd.Series(np.asarray(self._analysis()["expected_days"]), index=self._stages(),
                         name="expected_days_to_close")

    def sensitivity(self, start: str | None = None, mean_won_amount: float | None = None
                    ) -> pd.DataFrame:
        """Every edge ranked by how many wins per 100 entries +1 point on it
        gives (the rest of its stage's exits scaled down in proportion): the
        weakest link first. Exact, not simulated. Also the revenue and the
        removal effect (the edge failing entirely).

        >>> sf.MarkovModel.fit(log).sensitivity().head()    # the weakest link first
        """
        s = self._stages()
        start_id = None if start is None else self._stage_id(start)
        amount = _mean_won_amount(self._log) if mean_won_amount is None else float(mean_won_amount)
        rows = _core.sensitivity(self._m, start_id, amount)
        return pd.DataFrame([{"from_stage": s[r.source], "to_stage": s[r.target],
                              "probability": r.probability,
                              "wins_per_100_per_point": r.wins_per_100_per_point,
                              "revenue_per_100_per_point": r.revenue_per_100_per_point,
                              "removal_effect_per_100": 100 * r.removal_effect,
                              "saturated": r.saturated} for r in rows])

    def _stage_id(self, name: str) -> int:
        """The id of a stage of the model's graph; NotFoundError lists the stages."""
        return self._m.graph.id_of(name)

    def win_probability_after(self, stage: str, days: float, log: EventLog | None = None) -> float:
        """P(won | in ``stage``, already ``days`` there), from the stays out of
        ``stage`` that lasted that long (a deal that sat too long is worth less).

        >>> model.win_probability_after("Active Prospect", days=30)
        """
        from .funnel import funnel_stats
        log = log or self._log
        if log is None:
            raise ColumnTypeError("win_probability_after needs the event log the model came from")
        return _core.win_probability_after(self._m, funnel_stats(log)._s,
                                           self._stage_id(stage), float(days))

    def stage_removal_effect(self, stage: str) -> float:
        """Change in P(won | entry) if deals entering ``stage`` were lost.

        >>> model.stage_removal_effect("First Meeting")
        """
        return _core.stage_removal_effect(self._m, self._stage_id(stage))

    def pipeline_value(self, log: EventLog | None = None) -> tuple[pd.DataFrame, float]:
        """Open deals valued at amount x P(won | current stage), and the total.

        >>> deals, total = sf.MarkovModel.fit(log).pipeline_value()
        """
        log = log or self._log
        if log is None:
            raise ColumnTypeError("pipeline_value needs the event log")
        deals, total = _core.pipeline_value(self._m, log._log, self._as_of if log is self._log else None)
        keys = log.deal_keys()
        s = self._stages()
        df = pd.DataFrame([{"deal": keys[d.deal], "stage": s[d.stage], "amount": d.amount,
                            "win_probability": d.win_probability,
                            "expected_value": d.expected_value} for d in deals])
        if not _has_amounts(log):
            # C++ counts a missing amount as 0; a log with no amount column has no value to
            # report, so say unknown (NaN) rather than 0.0.
            total = float("nan")
            if len(df):
                df["expected_value"] = float("nan")
        return df, total

    def scenario(self, leads_per_week: float = 0.0, name: str = "scenario") -> "Scenario":
        """A chainable what-if starting from this model.

        >>> s = model.scenario(leads_per_week=50).lift("Contact", "First Meeting", points=5)
        """
        return Scenario(_core.Scenario(self._m, float(leads_per_week), name), self)

    def plan(self, wins: float | None = None, per: str = "week", probability: float | None = None,
             revenue: float | None = None, mean_won_amount: float | None = None) -> pd.DataFrame:
        """Entries needed per period at every stage for a goal of ``wins`` (or
        ``revenue``) per week / month / quarter, and how many periods earlier
        they must start (the expected days to win, for the deals that win); with ``probability``,
        the entries that hit the goal with that probability.

        >>> model.plan(wins=3, per="week", probability=0.8)
        """
        if (wins is None) == (revenue is None):
            raise ColumnTypeError("give exactly one of wins= or revenue=")
        if revenue is not None:
            amount = _mean_won_amount(self._log) if mean_won_amount is None else mean_won_amount
            if not amount or math.isnan(amount):
                raise ColumnTypeError("a revenue goal needs mean_won_amount= or a log with amounts")
            wins = revenue / amount
        rows = _core.plan(self._m, float(wins), per, probability)
        s = self._stages()
        df = pd.DataFrame([{"stage": s[r.stage], "win_probability": r.win_probability,
                            f"entries_per_{per}": r.entries_needed,
                            "lag_days": r.lag_days, f"start_{per}s_earlier": r.lag_periods}
                           for r in rows]).set_index("stage")
        if probability is not None:
            df.insert(2, f"entries_per_{per}_at_p{int(round(probability * 100))}",
                      [r.entries_needed_at_probability for r in rows])
        return df

    def forecast(self, horizon_days: float = 90, trials: int = 10_000, seed: int = 1,
                 quota: float | None = None, leads_per_week: float = 0.0, log: EventLog | None = None,
                 new_deal_amount: float | None = None, period_days: float = 7, threads: int = 0,
                 progress: bool | Callable[[int, int], bool] = False) -> "Forecast":
        """Monte Carlo of the open deals of ``log`` (default: the fitted log)
        plus Poisson new leads; seeded and reproducible for any thread count.
        ``progress=True`` shows a progress bar (tqdm, when installed).

        >>> model.forecast(horizon_days=90, trials=10_000, seed=1, quota=40).p_hit_quota
        """
        horizon_days, leads_per_week, period_days = (
            _args.number(n, v) for n, v in (("horizon_days", horizon_days),
                                            ("leads_per_week", leads_per_week),
                                            ("period_days", period_days)))
        quota = None if quota is None else _args.number("quota", quota)
        new_deal_amount = (None if new_deal_amount is None
                           else _args.number("new_deal_amount", new_deal_amount))
        trials = _args.integer("trials", trials, 1, 10**8)
        seed = _args.integer("seed", seed, 0, 2**64 - 1)
        threads = _args.integer("threads", threads, 0, 2**31 - 1)
        log = log if log is not None else self._log
        stages, amounts = (_core.open_deals(self._m, log._log, self._as_of if log is self._log else None)
                           if log is not None else ([], []))
        if new_deal_amount is None:
            new_deal_amount = _mean_won_amount(log)
        callback, bar = None, None
        if callable(progress):
            callback = progress
        elif progress:
            try:
                from tqdm.auto import tqdm
                bar = tqdm(total=int(trials), desc="forecast", unit="trial")

                def callback(done, total):
                    bar.update(done - bar.n)
                    return True
            except ImportError:
                callback = None
        try:
            r = _core.forecast(self._m, stages, amounts, float(horizon_days), int(trials), int(seed),
                               float(leads_per_week), float(new_deal_amount),
                               float("nan") if quota is None else float(quota), float(period_days),
                               int(threads), callback)
        finally:
            if bar is not None:
                bar.close()
        # C++ counts a missing amount as 0. Revenue is unknown (NaN), not 0.0, when open
        # deals come from a log with no amount column or new leads have no amount.
        unknown_open = len(stages) > 0 and not _has_amounts(log)
        unknown_new = float(leads_per_week) > 0 and math.isnan(float(new_deal_amount))
        f = Forecast(r, quota, period_days, revenue_known=not (unknown_open or unknown_new))
        f.as_of = _start_of(log, self._as_of if log is self._log else None)
        return f

    def _repr_html_(self) -> str:
        from .display import model_html
        return model_html(self)

    def __repr__(self) -> str:
        w = self.win_probability()
        entry = self.graph.main_path[0]
        return f"MarkovModel({len(w)} stages; P(won | {entry}) = {w[entry]:.3f})"


class MarkovChains:
    """Many chains over one stage graph, solved in one call: one per rep
    (or attribute value, or entry cohort) fitted from a log, or a stack of
    given transition matrices. Each is solved exactly as
    :meth:`MarkovModel.win_probability` solves one, without a model object
    per chain; a chain that cannot be solved (no won or lost stage reachable
    from some stage) gets NaN rows, a line in :attr:`failed` and a warning.

    >>> chains = sf.MarkovChains.fit_by(log, "rep")
    >>> chains.win_probability()["Contact"]          # P(won | Contact) per rep
    """

    def __init__(self, core, graph: StageGraph, by: str, groups: pd.Index | None = None):
        self._graph = graph
        self._by = by
        self._arrays = core.arrays()
        self._failed = list(core.failed)
        self._groups = pd.Index(list(core.names), name=by) if groups is None else groups
        if self._failed:
            names = [self._groups[k] for k, _ in self._failed]
            shown = ", ".join(repr(n) for n in names[:5]) + (" ..." if len(names) > 5 else "")
            warnings.warn(f"{len(names)} of {len(self._groups)} chains could not be solved (NaN): "
                          f"{shown}; see MarkovChains.failed", stacklevel=3)

    # pickling: the solved arrays, the graph and the chains' names
    def __getstate__(self) -> dict:
        return {"graph": self._graph, "by": self._by, "groups": self._groups,
                "arrays": self._arrays, "failed": self._failed}

    def __setstate__(self, state: dict) -> None:
        self._graph, self._by, self._groups = state["graph"], state["by"], state["groups"]
        self._arrays, self._failed = state["arrays"], state["failed"]

    @classmethod
    def fit_by(cls, log: EventLog, by: str = "rep", prior: float = 0.0, as_of=None, *,
               stale_after=None, threads: int = 0) -> "MarkovChains":
        """One chain per group of ``by`` ("rep", an attribute column,
        "cohort_week" or "cohort_month"), each fitted as
        :meth:`MarkovModel.fit` fits one on that group's deals.

        >>> sf.MarkovChains.fit_by(log, "rep", prior=1.0).win_probability()
        """
        by = _args.text("by", by)
        prior = _args.number("prior", prior)
        threads = _args.integer("threads", threads, 0, 2**31 - 1)
        ticks = _as_of_ticks(log, as_of)
        core = _core.fit_chains_by(log._log, by, prior, ticks, threads, **_stale_spec(stale_after))
        return cls(core, _counted_on(log.graph, stale_after), by)

    @classmethod
    def fit_stats(cls, stats: GroupedFunnelStats, prior: float = 0.0, *, threads: int = 0) -> "MarkovChains":
        """One chain per group of (possibly merged) grouped statistics, as
        :meth:`fit_by` fits them from a log: for statistics gathered on
        several machines (``salesfunnel.dask.fit_by``).

        >>> sf.MarkovChains.fit_stats(sf.funnel_stats(log, by="rep"), prior=1.0)
        """
        if not isinstance(stats, GroupedFunnelStats):
            raise ColumnTypeError(f"stats must be GroupedFunnelStats (sf.funnel_stats(log, by=...)), "
                                  f"got {type(stats).__name__}")
        prior = _args.number("prior", prior)
        threads = _args.integer("threads", threads, 0, 2**31 - 1)
        core = _core.solve_chains_stats(stats._s, stats._graph._g, prior, threads)
        return cls(core, stats._graph, stats.by)

    @classmethod
    def from_matrices(cls, graph: StageGraph, probabilities, dwell_days=None, *, names=None,
                      threads: int = 0) -> "MarkovChains":
        """Chains given as transition matrices: ``probabilities`` of shape
        (chains, stages, stages), row = from stage, column = to stage, in
        ``graph.stages`` order (as :meth:`MarkovModel.transition_matrix`);
        ``dwell_days`` (chains, stages) mean days in stage, or None.

        >>> p = np.stack([model.transition_matrix().to_numpy()] * 3)
        >>> sf.MarkovChains.from_matrices(model.graph, p).win_probability()
        """
        n = len(graph.stages)
        p = _matrix("probabilities", probabilities, (None, n, n))
        d = None if dwell_days is None else _matrix("dwell_days", dwell_days, (p.shape[0], n))
        threads = _args.integer("threads", threads, 0, 2**31 - 1)
        core = _core.solve_chains(graph._g, p, d, threads)
        if names is None:
            groups = pd.RangeIndex(p.shape[0], name="chain")
        else:
            groups = pd.Index(list(names), name="chain")
            if len(groups) != p.shape[0]:
                raise InvalidArgumentError(f"names has {len(groups)} entries for {p.shape[0]} chains")
        return cls(core, graph, "chain", groups)

    @property
    def groups(self) -> pd.Index:
        """The chains' names: group labels (sorted, "(none)" last) or 0, 1, ...

        >>> list(chains.groups)
        """
        return self._groups

    @property
    def failed(self) -> dict:
        """{chain name: why} for the chains that could not be solved.

        >>> chains.failed
        """
        return {self._groups[k]: why for k, why in self._failed}

    def __len__(self) -> int:
        return len(self._groups)

    def _frame(self, key: str) -> pd.DataFrame:
        return pd.DataFrame(self._arrays[key], index=self._groups,
                            columns=_stage_index(tuple(self._graph.stages)))

    def win_probability(self) -> pd.DataFrame:
        """P(ending in a won stage | stage): one row per chain, one column per stage.

        >>> chains.win_probability().loc["ann", "Contact"]
        """
        return self._frame("win_probability")

    def expected_steps(self) -> pd.DataFrame:
        """Expected moves until won or lost, per chain and stage.

        >>> chains.expected_steps()
        """
        return self._frame("expected_steps")

    def expected_days_to_close(self) -> pd.DataFrame:
        """Expected days until won or lost, per chain and stage.

        >>> chains.expected_days_to_close()
        """
        return self._frame("expected_days")

    def expected_days_to_win(self) -> pd.DataFrame:
        """Expected days until the win for the deals that win (NaN: none
        can), per chain and stage.

        >>> chains.expected_days_to_win()
        """
        return self._frame("expected_days_to_win")

    def to_pandas(self) -> pd.DataFrame:
        """Every number in long form: one row per (chain, stage), the four
        columns of the frames above.

        >>> chains.to_pandas().query("stage == 'Contact'")
        """
        stages = list(self._graph.stages)
        out = pd.DataFrame({self._groups.name: np.repeat(np.asarray(self._groups, dtype=object), len(stages)),
                            "stage": np.tile(np.asarray(stages, dtype=object), len(self._groups))})
        for name, key in (("win_probability", "win_probability"), ("expected_steps", "expected_steps"),
                          ("expected_days_to_close", "expected_days"),
                          ("expected_days_to_win", "expected_days_to_win")):
            out[name] = np.asarray(self._arrays[key]).ravel()
        return out

    def __repr__(self) -> str:
        return (f"MarkovChains({len(self)} chains by {self._by!r} over {len(self._graph.stages)} "
                f"stages, {len(self._failed)} failed)")


def _matrix(name: str, value, shape: tuple) -> np.ndarray:
    """``value`` as a C-contiguous float64 array of ``shape`` (None: any length)."""
    try:
        a = np.ascontiguousarray(value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ColumnTypeError(f"{name} must be an array of numbers ({e})") from None
    if a.ndim != len(shape) or any(want is not None and got != want for got, want in zip(a.shape, shape)):
        want = " x ".join("chains" if w is None else str(w) for w in shape)
        raise InvalidArgumentError(f"{name} must have shape {want}, got {' x '.join(map(str, a.shape))}")
    return a


class Scenario:
    """An immutable what-if; every change returns a new Scenario."""

    def __init__(self, core, model: MarkovModel):
        self._s = core
        self._model = model

    def _wrap(self, core) -> "Scenario":
        return Scenario(core, self._model)

    def lift(self, source: str, target: str, points: float | None = None,
             factor: float | None = None) -> "Scenario":
        """Raise source -> target by ``points`` percentage points or by a ``factor``.

        >>> model.scenario().lift("First Meeting", "Active Prospect", points=10)
        """
        if (points is None) == (factor is None):
            raise ColumnTypeError("give exactly one of points= or factor=")
        if points is not None:
            return self._wrap(self._s.lift(source, target, float(points)))
        return self._wrap(self._s.lift_factor(source, target, float(factor)))

    def set_rate(self, source: str, target: str, rate: float) -> "Scenario":
        """Set source -> target to ``rate`` (the stage's other exits rescaled to sum to 1).

        >>> model.scenario().set_rate("Contact", "First Meeting", 0.8)
        """
        return self._wrap(self._s.set_rate(source, target, float(rate)))

    def remove_edge(self, source: str, target: str) -> "Scenario":
        """The edge fails entirely: its share goes to the stage's other exits.

        >>> model.scenario().remove_edge("Contact", "Disqualified")
        """
        return self._wrap(self._s.remove_edge(source, target))

    def remove_stage(self, stage: str) -> "Scenario":
        """The stage fails entirely: deals entering it are lost.

        >>> model.scenario().remove_stage("Active Prospect")
        """
        return self._wrap(self._s.remove_stage(stage))

    def add_leads(self, per_week: float) -> "Scenario":
        """More (or, negative, fewer) leads a week entering the entry stage.

        >>> model.scenario(name="more leads").add_leads(20)
        """
        return self._wrap(self._s.add_leads(float(per_week)))

    def set_dwell(self, stage: str, days: float) -> "Scenario":
        """Change a stage's mean dwell time (days to close, the forecast's pace).

        >>> model.scenario().set_dwell("Contact", 3)
        """
        return self._wrap(self._s.set_dwell(stage, float(days)))

    def named(self, name: str) -> "Scenario":
        """The same scenario under another name (its row label in :func:`compare`).

        >>> model.scenario().lift("Lead", "Contact", points=5).named("better outreach")
        """
        return self._wrap(self._s.named(name))

    @property
    def name(self) -> str:
        """The scenario's name, its row label in :func:`compare`.

        >>> model.scenario(name="more leads").name        # 'more leads'
        """
        return self._s.name

    @property
    def leads_per_week(self) -> float:
        """The scenario's own leads a week (its start plus every add_leads).

        >>> model.scenario(leads_per_week=10).add_leads(5).leads_per_week   # 15.0
        """
        return self._s.leads_per_week

    @property
    def changes(self) -> list[str]:
        """The changes applied, in order, as readable text.

        >>> model.scenario().add_leads(5).changes          # ['+5 leads a week']
        """
        return list(self._s.changes)

    @property
    def model(self) -> MarkovModel:
        """The changed model, to inspect like any other.

        >>> s.model.win_probability()
        """
        return MarkovModel(self._s.model, self._model._log)

    def __repr__(self) -> str:
        return f"Scenario({self._s.name!r}: {'; '.join(self.changes) or 'no changes'})"


def compare(model: MarkovModel, *scenarios: Scenario, leads_per_week: float = 0.0,
            mean_won_amount: float | None = None) -> pd.DataFrame:
    """One table: wins and revenue a week, win rate, days to close and deltas
    against the baseline (the model with ``leads_per_week``), one row per
    scenario. A scenario's own leads (``model.scenario(leads_per_week=)``,
    ``add_leads``) add to the baseline's; each row shows its own leads a week
    and only its own changes. Revenue is NaN without amounts (no
    ``mean_won_amount`` and a log with none).

    >>> s = model.scenario(name="more leads").add_leads(20)
    >>> sf.compare(model, s, leads_per_week=50).loc["more leads", "leads_per_week"]   # 70.0
    """
    base = _core.Scenario(model._m, float(leads_per_week), "baseline")
    # Rebuilt from each scenario's own model and leads: add_leads would write the
    # baseline's leads into every row's changes.
    others = [_core.Scenario(s._s.model, s._s.leads_per_week + float(leads_per_week), s._s.name)
              for s in scenarios]
    amount = _mean_won_amount(model._log) if mean_won_amount is None else float(mean_won_amount)
    rows = _core.compare(base, others, amount)
    fields = ["name", "changes", "leads_per_week", "win_rate", "wins_per_week", "revenue_per_week",
              "days_to_close", "delta_wins_per_week", "delta_revenue_per_week", "delta_win_rate",
              "delta_days_to_close"]
    df = pd.DataFrame([{f: getattr(r, f) for f in fields} for r in rows]).set_index("name")
    df["changes"] = [""] + ["; ".join(s.changes) for s in scenarios]
    if math.isnan(amount):
        # No amounts: C++ leaves the baseline's revenue delta at 0.0; it is unknown.
        df["delta_revenue_per_week"] = float("nan")
    return df


def _start_of(log: EventLog | None, ticks: int | None):
    """When a forecast starts: the log's as_of (its latest event by default), as a Timestamp."""
    if log is None or not hasattr(log, "_time_values"):
        return None
    ticks = log._log.max_time if ticks is None else ticks
    return pd.Timestamp(log._time_values(np.array([ticks], dtype=np.int64))[0])


class Forecast(FrameMixin):
    """The Monte Carlo forecast: per-trial wins and revenue, quantiles, quota odds.

    >>> f = model.forecast(horizon_days=90, trials=10_000, seed=1, quota=40)
    >>> f.quantiles.loc["p50", "wins"], f.p_hit_quota
    """

    def __init__(self, core, quota, period_days, revenue_known: bool = True):
        self._f = core
        self.quota = quota
        self.period_days = period_days
        #: When the forecast starts (the fitted log's as_of), so charts show dates.
        self.as_of = None
        # False when the deals had no amounts: revenue is then NaN, not the 0.0 C++ sums to.
        self._revenue_known = revenue_known

    @property
    def mean_wins(self) -> float:
        """Wins within the horizon, averaged over the trials.

        >>> model.forecast(horizon_days=30, leads_per_week=50).mean_wins
        """
        return self._f.mean_wins

    @property
    def mean_revenue(self) -> float:
        """Revenue within the horizon, averaged over the trials (NaN without amounts).

        >>> model.forecast(horizon_days=30, log=log).mean_revenue
        """
        return self._f.mean_revenue if self._revenue_known else float("nan")

    @property
    def quantiles(self) -> pd.DataFrame:
        """P10 / P50 / P90 and the mean of wins and revenue (revenue NaN when
        the deals have no amounts).

        >>> model.forecast(horizon_days=90).quantiles.loc["p90", "wins"]
        """
        f = self._f
        revenue = [f.revenue_p10, f.revenue_p50, f.revenue_p90, f.mean_revenue]
        if not self._revenue_known:
            revenue = [float("nan")] * 4
        return pd.DataFrame({"wins": [f.wins_p10, f.wins_p50, f.wins_p90, f.mean_wins],
                             "revenue": revenue},
                            index=["p10", "p50", "p90", "mean"])

    @property
    def p_hit_quota(self) -> float:
        """P(wins >= quota) over the trials (NaN without a quota).

        >>> model.forecast(horizon_days=90, quota=40).p_hit_quota
        """
        return self._f.p_hit_quota

    def trials(self) -> pd.DataFrame:
        """One row per trial: wins and revenue within the horizon.

        >>> model.forecast(horizon_days=30, trials=1_000).trials()["wins"].mean()
        """
        revenue = np.asarray(self._f.revenue(), dtype=float)
        if not self._revenue_known:
            revenue = np.full(len(revenue), np.nan)
        return pd.DataFrame({"wins": np.asarray(self._f.wins()), "revenue": revenue})

    def to_pandas(self) -> pd.DataFrame:
        """Per period: mean wins, P10 / P50 / P90 of wins, and cumulative P10 / P50 / P90.

        >>> model.forecast(horizon_days=90).to_pandas()
        """
        w = np.asarray(self._f.wins_by_period())
        cum = np.cumsum(w, axis=1)
        return pd.DataFrame({
            "period": np.arange(w.shape[1]),
            "start_day": np.arange(w.shape[1]) * self.period_days,
            "mean_wins": w.mean(axis=0),
            "p10": np.quantile(w, 0.1, axis=0), "p50": np.quantile(w, 0.5, axis=0),
            "p90": np.quantile(w, 0.9, axis=0),
            "cumulative_p10": np.quantile(cum, 0.1, axis=0),
            "cumulative_p50": np.quantile(cum, 0.5, axis=0),
            "cumulative_p90": np.quantile(cum, 0.9, axis=0),
        }).set_index("period")

    def _repr_html_(self) -> str:
        from .display import forecast_html
        return forecast_html(self)

    def plot(self, ax=None):
        """The fan chart: P10-P90 of cumulative wins, P50 and the quota line.

        >>> model.forecast(horizon_days=90, quota=40).plot()
        """
        from .plots import forecast_fan
        return forecast_fan(self, ax=ax)

    def __repr__(self) -> str:
        q = self.quantiles["wins"]
        extra = "" if self.quota is None else f", P(>= {self.quota:g}) = {self.p_hit_quota:.2f}"
        return f"Forecast(wins P10 {q['p10']:g} / P50 {q['p50']:g} / P90 {q['p90']:g}{extra})"
