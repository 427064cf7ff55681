"""The sales methodology layer: great conversations, buyer tasks, the
two-meeting rule, pipeline integrity, coverage, rep comparison, lead batches.

>>> gc = sf.great_conversations(calls, prospect="prospect_id", rep="rep", time="at",
...                             decision_maker="with_dm", outcome="outcome")
>>> gc.count, gc.weekly(target=10), gc.follow_ups()
>>> audit = sf.audit(log, meetings=meetings_df)
>>> sf.coverage(log, quota=500_000, audit=audit)
>>> sf.compare_reps(log, start="Contact", end="Client")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._errors import ColumnTypeError, NotFoundError
from ._frames import pandas_frame
from .funnel import _as_of_ticks
from .log import EventLog, _key_spec, _time_spec

__all__ = ["great_conversations", "GreatConversations", "meetings", "MeetingLog", "rules",
           "audit", "Audit", "buyer_accountability", "coverage", "compare_reps",
           "reallocate_leads", "batches", "plan_great_conversations"]


def _columns(df: pd.DataFrame, **roles: str | None) -> None:
    for role, col in roles.items():
        if col is not None and col not in df.columns:
            raise NotFoundError(f"column '{col}' ({role}) is not in the DataFrame; "
                                f"columns: {', '.join(map(str, df.columns))}")


def _bool(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if s.isna().any():
        row = int(np.flatnonzero(s.isna().to_numpy())[0])
        raise ColumnTypeError(f"column '{col}', row {row}: missing value in a true/false column")
    if not (pd.api.types.is_bool_dtype(s) or pd.api.types.is_integer_dtype(s)):
        raise ColumnTypeError(f"column '{col}' has dtype {s.dtype}; expected bool")
    return s.to_numpy().astype(np.uint8)


def _ticks_to_time(ticks, unit: str):
    return pd.to_datetime(np.asarray(ticks, dtype=np.int64), unit=unit)


# --------------------------------------------------------- great conversations

class GreatConversations:
    """Great conversations: with a decision maker, outcome yes / not now / no;
    each prospect counted once, at its first one. A maybe, a no-answer or a
    talk with someone who cannot decide never counts."""

    def __init__(self, log, unit: str):
        self._log = log
        self._unit = unit
        self._set = _core.count_great_conversations(log)

    @property
    def count(self) -> int:
        """Prospects with at least one great conversation.

        >>> gc.count
        """
        return self._set.count

    @property
    def tally(self) -> dict:
        """Where every conversation went (the parts add up to conversations).

        >>> gc.tally["maybe"]
        """
        t = self._set.tally
        return {k: getattr(t, k) for k in ("conversations", "counted", "repeats",
                                           "not_decision_maker", "maybe", "no_answer")}

    def conversations(self) -> pd.DataFrame:
        """The counted conversations: prospect, rep, time, outcome, input row.

        >>> gc.conversations().head()
        """
        reps = list(self._log.rep_names) + [None]
        rows = self._set.counted
        return pd.DataFrame({
            "prospect": [self._log.prospect_key(g.prospect) for g in rows],
            "rep": [reps[g.rep] for g in rows],
            "time": _ticks_to_time([g.time for g in rows], self._unit),
            "outcome": [g.outcome for g in rows],
            "row": [g.row for g in rows],
        })

    def weekly(self, target: float = float("nan")) -> pd.DataFrame:
        """Counted great conversations per rep and week (Monday), zeros
        included, against a weekly target.

        >>> gc.weekly(target=10)
        """
        rows = _core.weekly_great_conversations(self._log, self._set, float(target))
        return pd.DataFrame({"rep": [r.rep for r in rows], "week": [r.week for r in rows],
                             "count": [r.count for r in rows], "target": [r.target for r in rows],
                             "met": [r.met for r in rows]})

    def follow_ups(self, not_now_days: float = 182, no_days: tuple[float, float] = (182, 365)
                   ) -> pd.DataFrame:
        """Prospects to call again, by due date: a not-now about six months
        later, a no six to twelve months later (configurable).

        >>> gc.follow_ups()
        """
        rows = _core.follow_ups(self._log, float(not_now_days), float(no_days[0]),
                                float(no_days[1]))
        reps = list(self._log.rep_names) + [None]
        return pd.DataFrame({
            "prospect": [self._log.prospect_key(f.prospect) for f in rows],
            "rep": [reps[f.rep] for f in rows],
            "outcome": [f.outcome for f in rows],
            "conversation": _ticks_to_time([f.conversation_time for f in rows], self._unit),
            "due": _ticks_to_time([f.due for f in rows], self._unit),
            "latest": _ticks_to_time([f.latest for f in rows], self._unit),
        })

    def meeting_rate(self, *, meetings: "MeetingLog | None" = None, log: EventLog | None = None,
                     stage: str = "First Meeting", window_days: float | None = None) -> dict:
        """The observed rate from great conversation to first meeting, from a
        meetings log or from the stage log's ``stage``, with a Wilson interval.

        >>> gc.meeting_rate(log=log)
        """
        if meetings is not None:
            r = _core.meeting_rate_from_meetings(self._log, self._set, meetings._m, window_days)
        elif log is not None:
            r = _core.meeting_rate_from_stages(self._log, self._set, log._log, stage, window_days)
        else:
            raise ColumnTypeError("meeting_rate needs meetings= or log=")
        return {"great_conversations": r.great_conversations, "first_meetings": r.first_meetings,
                "too_young": r.too_young, "rate": r.rate.estimate, "low": r.rate.low,
                "high": r.rate.high}

    def plan(self, first_meetings_per_week: float, **rate_source) -> dict:
        """Great conversations a week needed for a first-meeting goal at the
        observed rate (see meeting_rate for the keyword arguments).

        >>> gc.plan(3, log=log)     # great conversations a week for 3 first meetings
        """
        r = self.meeting_rate(**rate_source)
        return plan_great_conversations(first_meetings_per_week, r["rate"],
                                        low=r["low"], high=r["high"])

    def __repr__(self) -> str:
        return f"GreatConversations(count={self.count}, tally={self.tally})"


def great_conversations(df: pd.DataFrame, *, prospect: str, rep: str, time: str,
                        decision_maker: str, outcome: str, time_unit: str = "s"
                        ) -> GreatConversations:
    """Count great conversations in a calls table (one row per conversation).

    >>> gc = sf.great_conversations(calls, prospect="prospect_id", rep="rep", time="at",
    ...                             decision_maker="with_dm", outcome="outcome")
    """
    df = pandas_frame(df, "great_conversations")       # polars, Arrow, DuckDB too
    _columns(df, prospect=prospect, rep=rep, time=time, decision_maker=decision_maker,
             outcome=outcome)
    t, unit = _time_spec(time, df[time], time_unit)
    log = _core.build_conversation_log(
        _key_spec(prospect, df[prospect]), _key_spec(rep, df[rep]), t, unit,
        _bool(df, decision_maker), _key_spec(outcome, df[outcome]),
        [prospect, rep, time, decision_maker, outcome])
    return GreatConversations(log, unit)


def plan_great_conversations(first_meetings_per_week: float, rate: float, *,
                             low: float | None = None, high: float | None = None) -> dict:
    """"N first meetings a week need about M great conversations at your rate":
    needed = N / rate, with its floor and ceiling (and the range over the
    rate's interval when low/high are given).

    >>> sf.plan_great_conversations(3, 0.55)   # about 5-6 a week
    """
    ranged = low is not None and high is not None
    p = (_core.plan_great_conversations_interval(float(first_meetings_per_week), float(rate),
                                                 float(low), float(high)) if ranged else
         _core.plan_great_conversations(float(first_meetings_per_week), float(rate)))
    out = {"first_meetings": p.first_meetings, "rate": p.rate, "needed": p.needed,
           "needed_floor": p.needed_floor, "needed_ceil": p.needed_ceil}
    if ranged:
        out["needed_low"], out["needed_high"] = p.needed_low, p.needed_high
    return out


# ------------------------------------------------------------------- meetings

class MeetingLog:
    """Meetings per deal: time, held, buyer task, next meeting booked."""

    def __init__(self, core):
        self._m = core

    @property
    def num_meetings(self) -> int:
        """Meetings in the log, held or not.

        >>> sf.meetings(meetings_df).num_meetings
        """
        return self._m.num_meetings

    def __repr__(self) -> str:
        return f"MeetingLog({self._m.num_meetings} meetings, {self._m.num_deals} deals)"


def meetings(df: pd.DataFrame, *, deal: str = "deal", time: str = "time",
             held: str | None = "held", buyer_task: str | None = "buyer_task",
             next_meeting_booked: str | None = "next_meeting_booked",
             time_unit: str = "s") -> MeetingLog:
    """Build a meetings log; optional columns may be None (or absent when
    left at their default names).

    >>> m = sf.meetings(meetings_df, deal="deal", time="time", held="held")
    """
    df = pandas_frame(df, "meetings")                  # polars, Arrow, DuckDB too

    def opt(col, default):
        return col if (col is not None and (col in df.columns or col != default)) else None
    held, buyer_task = opt(held, "held"), opt(buyer_task, "buyer_task")
    next_meeting_booked = opt(next_meeting_booked, "next_meeting_booked")
    _columns(df, deal=deal, time=time, held=held, buyer_task=buyer_task,
             next_meeting_booked=next_meeting_booked)
    t, unit = _time_spec(time, df[time], time_unit)
    return MeetingLog(_core.build_meeting_log(
        _key_spec(deal, df[deal]), t, unit, None if held is None else _bool(df, held),
        None if buyer_task is None else _key_spec(buyer_task, df[buyer_task]),
        None if next_meeting_booked is None else _bool(df, next_meeting_booked),
        [deal, time, held or "held", buyer_task or "buyer_task",
         next_meeting_booked or "next_meeting_booked"]))


def _meeting_log(m, log: EventLog) -> "MeetingLog | None":
    if m is None or isinstance(m, MeetingLog):
        return m
    if isinstance(m, pd.DataFrame):
        return meetings(m, time_unit=log.time_unit)
    raise ColumnTypeError("meetings must be a DataFrame or a salesfunnel MeetingLog")


def buyer_accountability(log: EventLog, meetings_log, as_of=None,
                         history: str = "first_meeting") -> dict:
    """For every open deal, whether its last held meeting ended with a buyer
    task and a booked next meeting (at risk when not); and, from history,
    whether flagged deals really won less ("history": flagged vs unflagged).

    >>> sf.buyer_accountability(log, sf.meetings(meetings_df))
    """
    m = _meeting_log(meetings_log, log)
    r = _core.buyer_accountability(log._log, m._m, _as_of_ticks(log, as_of),
                                   history == "last_meeting")
    keys = log.deal_keys()
    stages = np.array(log.stages, dtype=object)
    reps = np.array(log.reps + [None], dtype=object)
    deals = pd.DataFrame({
        "deal": [keys[d.deal] for d in r.open_deals],
        "rep": [reps[d.rep] for d in r.open_deals],
        "stage": [stages[d.stage] for d in r.open_deals],
        "held_meetings": [d.held_meetings for d in r.open_deals],
        "buyer_task": [d.buyer_task for d in r.open_deals],
        "next_meeting_booked": [d.next_meeting_booked for d in r.open_deals],
        "at_risk": [d.at_risk for d in r.open_deals],
        "reason": [d.reason for d in r.open_deals],
    })
    h = r.history
    hist = {"flagged": h.flagged, "flagged_won": h.flagged_won, "unflagged": h.unflagged,
            "unflagged_won": h.unflagged_won, "flagged_rate": h.flagged_rate.estimate,
            "unflagged_rate": h.unflagged_rate.estimate, "difference": h.difference,
            "z": h.z, "p_value": h.p_value}
    return {"deals": deals, "at_risk": r.at_risk, "history": hist}


# ---------------------------------------------------------------------- audit

@dataclass(frozen=True)
class _Rule:
    name: str
    value: object = None


class rules:  # noqa: N801 - a namespace of rule constructors, used as sf.rules.*
    """Pipeline integrity rules for :func:`audit`; the default is
    ``[rules.two_meetings(), rules.aged_past_cycle()]``."""

    @staticmethod
    def two_meetings(stage: str | None = None) -> _Rule:
        """An opportunity counts only after a second meeting: from the meetings
        log, or, when ``stage`` is given, from reaching that stage.

        >>> sf.audit(log, rules=[sf.rules.two_meetings(stage="Active Prospect")])
        """
        return _Rule("two_meetings", stage)

    @staticmethod
    def aged_past_cycle(days: float | None = None) -> _Rule:
        """Open longer than the average sales cycle of won deals (or ``days``).

        >>> sf.audit(log, rules=[sf.rules.aged_past_cycle(days=90)])
        """
        return _Rule("aged_past_cycle", days)

    @staticmethod
    def aged_past_stage_p90() -> _Rule:
        """In its current stage longer than that stage's p90 dwell time.

        >>> sf.audit(log, rules=[sf.rules.aged_past_stage_p90()])
        """
        return _Rule("aged_past_stage_p90")

    @staticmethod
    def no_forward_movement(days: float) -> _Rule:
        """No move to a further main-path stage for ``days``.

        >>> sf.audit(log, rules=[sf.rules.no_forward_movement(days=30)])
        """
        return _Rule("no_forward_movement", float(days))

    @staticmethod
    def stage_skips() -> _Rule:
        """Reached its stage by skipping main-path stages.

        >>> sf.audit(log, rules=[sf.rules.stage_skips()])
        """
        return _Rule("stage_skips")

    @staticmethod
    def backward_moves() -> _Rule:
        """Moved back to an earlier main-path stage.

        >>> sf.audit(log, rules=[sf.rules.backward_moves()])
        """
        return _Rule("backward_moves")

    @staticmethod
    def default() -> list:
        """The rules :func:`audit` applies when none are given: two meetings, aged past the cycle.

        >>> sf.audit(log, rules=[*sf.rules.default(), sf.rules.stage_skips()])
        """
        return [rules.two_meetings(), rules.aged_past_cycle()]


def _audit_rules(chosen: Sequence[_Rule]) -> "_core.AuditRules":
    r = _core.AuditRules()
    r.two_meetings = r.aged_past_cycle = False
    for rule in chosen:
        if not isinstance(rule, _Rule):
            raise ColumnTypeError("rules must be built with salesfunnel.rules.*")
        if rule.name == "two_meetings":
            r.two_meetings = True
            r.second_meeting_stage = rule.value or ""
        elif rule.name == "aged_past_cycle":
            r.aged_past_cycle = True
            r.cycle_days = rule.value
        elif rule.name == "aged_past_stage_p90":
            r.aged_past_stage_p90 = True
        elif rule.name == "no_forward_movement":
            r.no_forward_movement_days = rule.value
        elif rule.name == "stage_skips":
            r.stage_skips = True
        elif rule.name == "backward_moves":
            r.backward_moves = True
    return r


class Audit:
    """The pipeline integrity audit: per open deal pass/fail with reasons; raw
    and qualified pipeline side by side."""

    def __init__(self, core, log: EventLog):
        self._a = core
        self._log = log

    def deals(self) -> pd.DataFrame:
        """One row per open deal: rep, stage, amount, ages, meetings, P(won),
        qualified, one pass/fail column per enabled rule, reasons.

        >>> sf.audit(log).deals().query("not qualified")
        """
        keys = self._log.deal_keys()
        stages = np.array(self._log.stages, dtype=object)
        reps = np.array(self._log.reps + [None], dtype=object)
        rows = []
        for d in self._a.deals:
            row = {"deal": keys[d.deal], "rep": reps[d.rep], "stage": stages[d.stage],
                   "amount": d.amount, "age_days": d.age_days, "days_in_stage": d.days_in_stage,
                   "days_since_forward": d.days_since_forward,
                   "held_meetings": d.held_meetings, "win_probability": d.win_probability,
                   "qualified": d.qualified}
            for c in d.checks:
                row[c.rule] = c.passed
            row["reasons"] = d.reasons
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        """Raw and qualified pipeline: deals, value, probability-weighted value.

        >>> sf.audit(log).summary()
        """
        out = pd.DataFrame([
            {"pipeline": name, "deals": t.deals, "value": t.value,
             "weighted_value": t.weighted_value, "missing_amount": t.missing_amount}
            for name, t in (("raw", self._a.raw), ("qualified", self._a.qualified))])
        return out.set_index("pipeline")

    def rules(self) -> pd.DataFrame:
        """Per enabled rule: deals failing it and what it measured against.

        >>> sf.audit(log).rules()
        """
        return pd.DataFrame([{"rule": r.rule, "failed": r.failed, "not_applied": r.not_applied,
                              "note": r.note}
                             for r in self._a.rules])

    @property
    def average_cycle_days(self) -> float:
        """Mean days from entry to win of the won deals: the aged_past_cycle limit.

        >>> sf.audit(log).average_cycle_days
        """
        return self._a.average_cycle_days

    def _repr_html_(self) -> str:
        return "<b>Pipeline audit</b>" + self.summary()._repr_html_() + self.rules()._repr_html_()

    def __repr__(self) -> str:
        return (f"Audit(raw {self._a.raw.deals} deals / {self._a.raw.value:,.0f}, qualified "
                f"{self._a.qualified.deals} deals / {self._a.qualified.value:,.0f})")


def audit(log: EventLog, meetings=None, rules: Sequence[_Rule] | None = None, as_of=None,
          win_probability: Mapping[str, float] | None = None,
          include_nurture: bool = False) -> Audit:
    """Audit the open pipeline with the chosen rules (default: the two-meeting
    rule and aged past the average won cycle). ``win_probability`` maps stage
    -> P(won | stage) (e.g. from a Markov model) for weighted values.

    >>> sf.audit(log, meetings=sf.meetings(meetings_df)).summary()
    """
    chosen = globals()["rules"].default() if rules is None else list(rules)
    wp = []
    if win_probability is not None:
        wp = [float(win_probability.get(s, 0.0)) for s in log.stages]
    m = _meeting_log(meetings, log)
    core = _core.audit_pipeline(log._log, None if m is None else m._m, _audit_rules(chosen),
                                _as_of_ticks(log, as_of), wp, include_nurture)
    return Audit(core, log)


# ------------------------------------------------------------------- coverage

def _coverage_frame(rows) -> pd.DataFrame:
    fields = ["rep", "quota", "booked", "remaining", "open_deals", "open_value",
              "qualified_deals", "qualified_value", "coverage_raw", "coverage_qualified", "won",
              "lost", "required_coverage", "average_deal_size", "cycle_days", "velocity_raw",
              "velocity_qualified", "covered"]
    out = pd.DataFrame([{f: getattr(r, f) for f in fields} for r in rows])
    out.insert(out.columns.get_loc("required_coverage"), "win_rate",
               [r.win_rate.estimate for r in rows])
    return out.set_index("rep")


_VALUE_COLUMNS = ["booked", "remaining", "open_value", "qualified_value", "coverage_raw",
                  "coverage_qualified", "average_deal_size", "velocity_raw",
                  "velocity_qualified"]


def coverage(log: EventLog, quota: float = float("nan"),
             rep_quotas: Mapping[str, float] | None = None, audit: Audit | None = None,
             as_of=None, period_start=None, include_nurture: bool = False) -> pd.DataFrame:
    """Pipeline coverage = open pipeline value / remaining quota, raw and
    qualified (with an audit); required coverage = 1 / win rate; sales velocity
    = opportunities x win rate x average deal size / cycle length. One row per
    rep and a "(team)" row.

    ``booked`` is the value won in the period from ``period_start`` to
    ``as_of``. Without ``period_start`` there is no period: booked is NaN
    (not measured, rather than nothing won), ``remaining`` is the whole quota,
    and ``won`` / ``lost`` (with the win rate, deal size and cycle) count every
    closed deal of the log, so a large ``won`` beside no booked value is
    expected. Without an audit ``qualified_deals`` is missing (<NA>); a log
    with no amount column has NaN for every value column.

    >>> sf.coverage(log, quota=500_000, period_start="2024-01-01").loc["(team)", "coverage_raw"]
    """
    r = _core.coverage(log._log, float(quota), list((rep_quotas or {}).items()),
                       _as_of_ticks(log, as_of), _as_of_ticks(log, period_start),
                       None if audit is None else audit._a, include_nurture)
    out = _coverage_frame(list(r.reps) + [r.team])
    # C++ marks "no audit" with qualified_deals = -1: a missing count here.
    out["qualified_deals"] = out["qualified_deals"].astype("Int64").mask(out["qualified_deals"] < 0)
    if period_start is None:
        # C++ reports 0.0 booked with no period; nothing was measured, so NaN.
        out["booked"] = float("nan")
    if not log._log.has_amount:
        # C++ counts missing amounts as 0; a log with no amount column has no values at all.
        out[_VALUE_COLUMNS] = float("nan")
    return out


# ------------------------------------------------------------- rep comparison

def compare_reps(log: EventLog, start: str, end: str, min_n: int = 10,
                 prior: str = "marginal_likelihood", as_of=None) -> pd.DataFrame:
    """Conversion from ``start`` to ``end`` per rep with Wilson intervals and
    empirical-Bayes (beta-binomial) shrinkage toward the team rate, ranked on
    the shrunk rate (equal shrunk rates share the best rank, as
    ``rank(method="min")``: 1, 1, 3); reps with fewer than ``min_n`` resolved
    deals are flagged too_small and not ranked (rank -1).

    >>> sf.compare_reps(log, start="Contact", end="Client")[["rep", "shrunk_rate", "rank"]]
    """
    if prior not in ("marginal_likelihood", "moments"):
        raise ColumnTypeError("prior must be 'marginal_likelihood' or 'moments'")
    c = _core.compare_reps(log._log, start, end, int(min_n), prior == "moments",
                           _as_of_ticks(log, as_of))
    df = pd.DataFrame([{"rep": r.rep, "n": r.n, "wins": r.wins, "open": r.open,
                        "rate": r.rate.estimate, "low": r.rate.low, "high": r.rate.high,
                        "shrunk_rate": r.shrunk_rate, "rank": r.rank, "too_small": r.too_small}
                       for r in c.rows])
    df.attrs.update({"team_n": c.team_n, "team_wins": c.team_wins,
                     "team_rate": c.team_rate.estimate, "prior_alpha": c.prior.alpha,
                     "prior_beta": c.prior.beta})
    return df


def reallocate_leads(log: EventLog, start: str, end: str, from_rep: str, to_rep: str,
                     share: float = 0.1, leads: float | None = None, rates: str = "shrunk",
                     min_n: int = 10) -> dict:
    """What-if: move ``share`` of one rep's leads to another and see the wins
    change at each rep's own (shrunk or raw) start -> end rate.

    >>> sf.reallocate_leads(log, "Contact", "Client", from_rep="bob", to_rep="ann", leads=20)
    """
    c = _core.compare_reps(log._log, start, end, int(min_n), False, None)
    r = _core.reallocate_leads(c, from_rep, to_rep, float(share), leads, rates == "raw")
    return {k: getattr(r, k) for k in ("from_rep", "to_rep", "leads_moved", "from_rate",
                                       "to_rate", "delta", "delta_low", "delta_high", "source")}


# --------------------------------------------------------------- lead batches

def batches(log: EventLog, by: str, targets: Mapping[str, float] | None = None,
            maturity_quantile: float = 0.8, maturity_days: float | None = None,
            as_of=None) -> pd.DataFrame:
    """Conversion per lead batch (an attribute, or "entry_week" /
    "entry_month") at every main-path step against target rates (keyed by
    the step's start stage); immature batches are marked, never judged.

    >>> sf.batches(log, by="lead_batch")
    """
    r = _core.lead_batches(log._log, by, list((targets or {}).items()), float(maturity_quantile),
                           maturity_days, _as_of_ticks(log, as_of))
    info = {b.batch: b for b in r.batches}
    df = pd.DataFrame([{"batch": s.batch, "start": s.start, "end": s.end, "reached": s.reached,
                        "advanced": s.advanced, "resolved": s.resolved, "open": s.open,
                        "rate": s.rate.estimate, "low": s.rate.low, "high": s.rate.high,
                        "target": s.target, "status": s.status,
                        "immature": info[s.batch].immature} for s in r.steps])
    df.attrs["maturity_days"] = r.maturity_days
    return df
