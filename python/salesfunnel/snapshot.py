"""One-row-per-deal CRM exports ("snapshots") reshaped into event logs.

Many CRMs export one row per opportunity: its current stage plus, for some
stages, the date the deal entered it (HubSpot's "date entered stage"
properties, Pipedrive, the Maven CRM sample). :func:`from_snapshot` turns such
a table into one event per (deal, stage with a date) and builds the log with
:meth:`EventLog.from_pandas`, so every check and error of that path applies.

The rules, in one place:

* A date column shared by several stages (``close_date`` for both Won and
  Lost) belongs only to the stage the current-stage column names; when the
  current stage is none of them, the date is ignored and counted.
* The current stage always gets an event: at its own date, else at the
  latest of the deal's other stage dates, else at ``as_of`` (default: the
  latest date in the export). Such deals are counted, never dropped.
* A blank stage date just means no event for that stage.

``EventLog.issues()`` of the result adds four counts (0 when none):
``snapshot_deals_without_dates`` (placed at ``as_of``),
``snapshot_current_stage_date_inferred`` (placed at their latest other date),
``snapshot_shared_dates_ignored`` (a shared date on a deal whose current stage
is none of its stages) and ``snapshot_current_stage_not_latest`` (another
stage dated after the current one: the log then follows the dates). They are
never errors; ``strict`` applies to the checks of ``from_pandas``.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ._errors import ColumnTypeError, InvalidArgumentError, SalesfunnelError
from ._frames import parse_times, table_columns

__all__ = ["from_snapshot"]

_UNITS = ("s", "ms", "us", "ns")
_TIME = "_snapshot_entered_at"


def from_snapshot(df, *, deal: str, stage: str, stage_dates: Mapping[str, str],
                  rep: str | None = None, amount: str | None = None,
                  attributes: Sequence[str] = (), graph=None, as_of=None,
                  time_unit: str = "s", strict: bool = False):
    """An EventLog from a table with one row per deal; see the module docstring.
    ``df`` is any table :meth:`EventLog.from_pandas` reads (pandas, polars,
    Arrow, DuckDB); dates as in :func:`salesfunnel._frames.parse_times`.

    >>> df = pd.DataFrame({"id": ["a", "b"], "stage": ["Won", "Lost"],
    ...                    "engaged": ["2024-01-02", "2024-01-03"],
    ...                    "closed": ["2024-02-01", "2024-02-05"]})
    >>> log = from_snapshot(df, deal="id", stage="stage",
    ...                     stage_dates={"Engaging": "engaged", "Won": "closed", "Lost": "closed"})
    >>> log.num_events          # a: Engaging, Won; b: Engaging, Lost
    4
    """
    from .log import EventLog

    auto = time_unit == "auto"
    df = _check_inputs(df, deal, stage, stage_dates, rep, amount, attributes, graph,
                       "s" if auto else time_unit)
    if auto:  # integer epoch date columns: the unit by the values' size (log.epoch_unit)
        from .log import epoch_unit
        ints = [df[c] for c in dict.fromkeys(stage_dates.values())
                if pd.api.types.is_integer_dtype(df[c].dtype)]
        time_unit = epoch_unit(pd.concat(ints)) if ints else "s"
    keys = _clean_keys(df[deal])
    _check_one_row_per_deal(keys)
    current = _clean_keys(df[stage])
    dates = {c: _parse_dates(df[c], c, time_unit) for c in dict.fromkeys(stage_dates.values())}
    fallback = _as_of_value(as_of, dates, time_unit)
    rows, stages, times, counts = _reshape(current, stage_dates, dates, fallback)
    long = _long_frame(df, rows, stages, times, keys, deal, stage, rep, amount, attributes)
    try:
        log = EventLog.from_pandas(long, deal=deal, stage=stage, time=_TIME, rep=rep,
                                   amount=amount, attributes=list(attributes), graph=graph,
                                   strict=strict, time_unit=time_unit)
    except SalesfunnelError as e:
        raise _at_source_row(e, rows) from None
    log._extra_issues = counts
    return log


def _check_inputs(df, deal, stage, stage_dates, rep, amount, attributes, graph,
                  time_unit) -> pd.DataFrame:
    """The named columns as a pandas DataFrame (any table in; pandas as it is),
    once stage_dates names graph stages and time_unit is a unit.

    >>> _check_inputs(pd.DataFrame({"id": [1]}), "id", "st", {}, None, None, (), None, "s")
    Traceback (most recent call last):
    salesfunnel._errors.NotFoundError: column 'st' (stage) is not in the DataFrame; columns: id
    """
    if not isinstance(stage_dates, Mapping):
        raise ColumnTypeError("stage_dates must be a dict {stage name: date column}")
    if time_unit not in _UNITS:
        raise ColumnTypeError("time_unit must be one of s, ms, us, ns")
    names = {"deal": deal, "stage": stage, "rep": rep, "amount": amount}
    names.update({f"date of stage {s}": c for s, c in stage_dates.items()})
    names.update({f"attribute {a}": a for a in attributes})
    got = table_columns(df, names, "from_snapshot")
    known = None if graph is None else graph.stages
    for s in stage_dates:
        if known is not None and s not in known:
            raise InvalidArgumentError(f"stage_dates: unknown stage '{s}'; known stages: "
                                       f"{', '.join(known)}")
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame(got)


def _clean_keys(values: pd.Series) -> pd.Series:
    """Blank or whitespace-only strings become missing; whole-number floats
    (integer ids read with blanks) become nullable integers.

    >>> _clean_keys(pd.Series(["a", " ", None])).tolist()
    ['a', None, None]
    """
    s = values.reset_index(drop=True)
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        blank = [c for c in cats if isinstance(c, str) and not c.strip()]
        return s.cat.remove_categories(blank) if blank else s
    if pd.api.types.is_float_dtype(s.dtype):
        whole = s.dropna()
        return s.astype("Int64") if (whole == np.floor(whole)).all() else s
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        blank = s.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
        return s.astype(object).where(~blank & s.notna(), None)
    return s


def _check_one_row_per_deal(keys: pd.Series) -> None:
    """A deal id on two rows means the table is not a snapshot.

    >>> _check_one_row_per_deal(pd.Series(["a", "b", "a"]))
    Traceback (most recent call last):
    salesfunnel._errors.InvalidArgumentError: column 'deal', row 2: deal 'a' is also on row 0; a snapshot has one row per deal
    """
    dup = keys.duplicated(keep=False) & keys.notna()
    if not dup.any():
        return
    where = np.flatnonzero(dup.to_numpy())
    first, value = int(where[0]), keys.iloc[int(where[0])]
    again = int(where[1:][(keys.iloc[where[1:]] == value).to_numpy()][0])
    raise InvalidArgumentError(f"column 'deal', row {again}: deal '{value}' is also on row "
                               f"{first}; a snapshot has one row per deal")


def _parse_dates(values: pd.Series, column: str, unit: str) -> np.ndarray:
    """One date column as datetime64[unit] (UTC, NaT where blank): strings,
    dates, datetime64 (tz-aware converted to UTC) or integer epoch in ``unit``.

    >>> _parse_dates(pd.Series(["2024-01-02", "", None]), "d", "s").astype(str).tolist()
    ['2024-01-02T00:00:00', 'NaT', 'NaT']
    """
    s = values.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s.dtype):
        raise ColumnTypeError(f"column '{column}' has dtype {s.dtype}; expected dates")
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    elif pd.api.types.is_numeric_dtype(s.dtype):
        epoch = pd.to_datetime(s, unit=unit, errors="coerce")
        bad = np.flatnonzero((epoch.isna() & s.notna()).to_numpy())
        if len(bad):
            raise InvalidArgumentError(f"column '{column}', row {int(bad[0])}: cannot read date "
                                       f"{s.iloc[int(bad[0])]!r}")
        s = epoch
    elif not pd.api.types.is_datetime64_dtype(s.dtype):
        s = pd.Series(parse_times(s, f"'{column}'", "date"))
    return s.to_numpy(dtype=f"datetime64[{unit}]")


def _as_of_value(as_of, dates: Mapping[str, np.ndarray], unit: str) -> np.datetime64:
    """Where deals without any date are placed: ``as_of``, or by default the
    latest date in the export (NaT when it has none).

    >>> str(_as_of_value(None, {"d": np.array(["2024-01-02", "NaT"], "datetime64[s]")}, "s"))
    '2024-01-02T00:00:00'
    """
    if as_of is None:
        seen = [d[~np.isnat(d)].max() for d in dates.values() if (~np.isnat(d)).any()]
        return max(seen) if seen else np.datetime64("NaT", unit)
    if isinstance(as_of, (int, np.integer)) and not isinstance(as_of, bool):
        return np.datetime64(int(as_of), unit)
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(f"as_of: cannot read date {as_of!r}") from e
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return np.datetime64(ts.to_datetime64(), unit)


def _reshape(current: pd.Series, stage_dates: Mapping[str, str],
             dates: Mapping[str, np.ndarray], fallback: np.datetime64):
    """Events as parallel arrays (source row, stage, time), sorted by row with
    each deal's current stage last, plus the counts for ``issues()``.

    >>> d = {"e": np.array(["2024-01-02", "2024-01-03"], "datetime64[s]"),
    ...      "c": np.array(["2024-02-01", "NaT"], "datetime64[s]")}
    >>> rows, stages, times, counts = _reshape(pd.Series(["Won", "Lost"]),
    ...     {"Engaging": "e", "Won": "c", "Lost": "c"}, d, np.datetime64("2024-03-01", "s"))
    >>> rows.tolist(), stages.tolist(), counts["snapshot_current_stage_date_inferred"]
    ([0, 0, 1, 1], ['Engaging', 'Won', 'Engaging', 'Lost'], 1)
    """
    cur = current.to_numpy(dtype=object)
    users: dict[str, list[str]] = {}
    for s, c in stage_dates.items():
        users.setdefault(c, []).append(s)
    parts, latest = [], np.full(len(cur), np.datetime64("NaT"), dtype=fallback.dtype)
    own = latest.copy()
    for order, (s, c) in enumerate(stage_dates.items()):
        own = np.where(cur == s, dates[c], own)
        have = ~np.isnat(dates[c]) & (cur != s) & (len(users[c]) == 1)
        parts.append((np.flatnonzero(have), s, dates[c][have], order))
        latest = np.where(have & ~(dates[c] <= latest), dates[c], latest)
    at = np.where(~np.isnat(own), own, np.where(~np.isnat(latest), latest, fallback))
    counts = _counts(cur, own, latest, users, dates)
    if counts["snapshot_deals_without_dates"] and np.isnat(fallback):
        raise InvalidArgumentError("the export has no stage dates at all; pass as_of to place "
                                   "its deals at their current stage")
    parts.append((np.arange(len(cur)), None, at, len(stage_dates)))
    return _concat(parts, cur) + (counts,)


def _counts(cur, own, latest, users, dates) -> dict:
    """What ``issues()`` reports about the reshaping (see ``EventLog.issues``):
    ``own`` is each deal's current-stage date, ``latest`` its latest other one.

    >>> nat, d = np.datetime64("NaT", "s"), np.datetime64("2024-01-02", "s")
    >>> _counts(np.array(["Won"], object), np.array([nat]), np.array([d]), {}, {})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'snapshot_deals_without_dates': 0, 'snapshot_current_stage_date_inferred': 1,
     'snapshot_current_stage_not_latest': 0, 'snapshot_shared_dates_ignored': 0}
    """
    no_own = np.isnat(own)
    ignored = np.zeros(len(cur), dtype=bool)
    for c, stages in users.items():
        if len(stages) > 1:
            ignored |= ~np.isnat(dates[c]) & ~pd.Series(cur).isin(stages).to_numpy()
    return {
        "snapshot_deals_without_dates": int((no_own & np.isnat(latest)).sum()),
        "snapshot_current_stage_date_inferred": int((no_own & ~np.isnat(latest)).sum()),
        "snapshot_current_stage_not_latest": int((latest > own).sum()),
        "snapshot_shared_dates_ignored": int(ignored.sum()),
    }


def _concat(parts, cur: np.ndarray):
    """Stack the per-stage parts (rows, stage or None for the current one,
    times, order) and sort them by (source row, stage order).

    >>> t = np.array(["2024-01-02"], "datetime64[s]")
    >>> _concat([(np.array([0]), "Won", t, 1), (np.array([0]), "A", t, 0)], np.array(["Won"]))[1]
    array(['A', 'Won'], dtype=object)
    """
    rows = np.concatenate([p[0] for p in parts])
    order = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
    stages = np.concatenate([cur[p[0]] if p[1] is None else np.full(len(p[0]), p[1], dtype=object)
                             for p in parts])
    times = np.concatenate([p[2] for p in parts])
    sort = np.lexsort((order, rows))
    return rows[sort], stages[sort], times[sort]


def _long_frame(df, rows, stages, times, keys, deal, stage, rep, amount, attributes):
    """The events as a DataFrame for ``from_pandas``; per-deal columns repeat.

    >>> _long_frame(pd.DataFrame({"id": ["a"], "rep": ["ann"]}), np.array([0, 0]),
    ...             np.array(["A", "B"], object), np.array(["2024-01-02"] * 2, "datetime64[s]"),
    ...             pd.Series(["a"]), "id", "st", "rep", None, ()).shape
    (2, 4)
    """
    out = {deal: keys.iloc[rows].reset_index(drop=True),
           stage: pd.Series(stages, dtype=object)}
    for col in (rep, amount, *attributes):
        if col is not None and col not in out:
            out[col] = df[col].iloc[rows].reset_index(drop=True)
    out[_TIME] = times
    return pd.DataFrame(out)


def _at_source_row(e: SalesfunnelError, rows: np.ndarray) -> SalesfunnelError:
    """The same error, its "row N" (of the reshaped events) turned into the
    snapshot's row.

    >>> str(_at_source_row(InvalidArgumentError("column 'deal', row 2: missing deal id"),
    ...                    np.array([0, 0, 1])))
    "column 'deal', row 1: missing deal id"
    """
    m = re.search(r"\brow (\d+)", e.message)
    if m is None or int(m.group(1)) >= len(rows):
        return e
    msg = e.message[:m.start(1)] + str(int(rows[int(m.group(1))])) + e.message[m.end(1):]
    return type(e)(msg)
