"""Event logs: columnar, validated deal stage changes."""

from __future__ import annotations

import os
import re
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._errors import ColumnTypeError, InvalidArgumentError, OutOfRangeError, SalesfunnelError
from ._frames import (FrameMixin, is_parquet, column, label, name_columns, parse_times,
                      read_table, table_columns)
from .graph import StageGraph

__all__ = ["EventLog", "read_events"]

_UNITS = {"s", "ms", "us", "ns"}
_INT64_MAX = np.iinfo(np.int64).max


def epoch_unit(values) -> str:
    """The unit of integer epoch times guessed from their size: the largest
    magnitude below 1e11 is seconds (up to year 5138), below 1e14
    milliseconds, below 1e17 microseconds, else nanoseconds. ``time_unit="auto"``
    uses it, so 1704067200 and 1704067200000 are both 2024-01-01.

    >>> epoch_unit([1704067200, 1704240000]), epoch_unit([1704067200000])
    ('s', 'ms')
    """
    a = pd.Series(values, copy=False).dropna().to_numpy(dtype=np.float64)
    top = float(np.abs(a).max()) if len(a) else 0.0
    for unit, limit in (("s", 1e11), ("ms", 1e14), ("us", 1e17)):
        if top < limit:
            return unit
    return "ns"


def _check_threads(threads) -> int:
    """threads as the core takes it: 0 (all cores) or a positive count."""
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
        raise ColumnTypeError(f"threads must be an integer >= 0, got {type(threads).__name__}")
    if threads < 0:
        raise InvalidArgumentError(f"threads must be an integer >= 0 (0: all cores), got {threads}")
    return min(int(threads), 1 << 30)


def _text_error(roles: dict, attributes: dict, labels: Mapping[str, str]) -> SalesfunnelError:
    """Text the core cannot take (a lone surrogate such as '\\udc80', from bytes
    decoded with errors='surrogateescape'), named by column and row."""
    cols = [(role, v) for role, v in roles.items() if v is not None] + list(attributes.items())
    for role, values in cols:
        for row, v in enumerate(values if isinstance(values, (list, tuple)) else
                                pd.Series(column(values), copy=False).tolist()):
            if isinstance(v, str):
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError as e:
                    return InvalidArgumentError(
                        f"column '{role}', row {row}: text is not valid Unicode "
                        f"(lone surrogate {v[e.start]!r} at character {e.start})")
    return InvalidArgumentError("text is not valid Unicode (a lone surrogate)")


def _key_spec(column: str, values) -> tuple:
    """Turn a column of keys into the compiled core's column spec, without
    copying integer and categorical data where possible."""
    if isinstance(values, pd.Index):
        values = values.to_series()
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        values = np.asarray(values)
        dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else pd.Categorical(values)
        codes = np.asarray(cat.codes)      # int8 / int16 / int32: read in place
        if codes.dtype.itemsize > 4:
            codes = codes.astype(np.int32)
        return ("cat", codes, [str(c) for c in cat.categories])
    if pd.api.types.is_bool_dtype(dtype):
        raise ColumnTypeError(f"column '{column}' has dtype {dtype}; expected integers or strings")
    if pd.api.types.is_integer_dtype(dtype):
        if pd.api.types.is_unsigned_integer_dtype(dtype):
            _check_uint64(column, values)
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):  # nullable Int64 and friends
            s = pd.Series(values, copy=False)
            valid = s.notna().to_numpy(dtype=np.uint8)
            return ("int", s.fillna(0).to_numpy(dtype=np.int64), valid)
        return ("int", np.ascontiguousarray(values, dtype=np.int64), None)
    if pd.api.types.is_float_dtype(dtype):
        raise ColumnTypeError(
            f"column '{column}' has dtype {dtype}; expected integers or strings "
            "(float ids lose precision; convert with .astype('Int64') or .astype(str))")
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise ColumnTypeError(f"column '{column}' has dtype {dtype}; expected integers or strings")
    s = pd.Series(values, copy=False)
    obj = s.astype(object)
    if s.hasnans:
        obj = obj.where(s.notna(), None)
    return ("str", obj.tolist())


def _check_uint64(column: str, values) -> None:
    """Unsigned ids past int64 would wrap to negative ones: refuse them."""
    big = np.flatnonzero(pd.Series(values, copy=False).fillna(0).to_numpy(dtype=np.uint64)
                         > np.uint64(_INT64_MAX))
    if len(big):
        row = int(big[0])
        raise InvalidArgumentError(
            f"column '{column}', row {row}: id {pd.Series(values, copy=False).iloc[row]} does not "
            "fit in a signed 64-bit integer; convert the ids with .astype(str)")


def _time_spec(column: str, values, unit: str) -> tuple[np.ndarray, str]:
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        values = np.asarray(values)
        dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) or dtype == object or pd.api.types.is_string_dtype(dtype):
        values = parse_times(values, f"'{column}'")     # text, dates: naive UTC
        dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        values = pd.Series(values, copy=False).dt.tz_convert("UTC").dt.tz_localize(None)
        dtype = values.dtype
    if pd.api.types.is_datetime64_dtype(dtype):
        arr = np.asarray(values)
        u = np.datetime_data(arr.dtype)[0]
        if u not in _UNITS:
            arr = arr.astype("datetime64[s]")
            u = "s"
        return np.ascontiguousarray(arr).view(np.int64), u
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        if unit == "auto":
            unit = epoch_unit(values)
        if unit not in _UNITS:
            raise ColumnTypeError(
                f"column '{column}': time_unit must be one of s, ms, us, ns or auto")
        if pd.api.types.is_unsigned_integer_dtype(dtype):
            _check_uint64(column, values)
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            s = pd.Series(values, copy=False)
            return s.fillna(np.iinfo(np.int64).min).to_numpy(dtype=np.int64), unit
        return np.ascontiguousarray(values, dtype=np.int64), unit
    raise ColumnTypeError(
        f"column '{column}' has dtype {dtype}; expected datetimes, dates, ISO 8601 text "
        "or integer epoch times")


_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}


def _rescale_ticks(t: np.ndarray, unit: str, to: str) -> np.ndarray:
    """Integer times from one unit to another (floor toward the past); NaT
    stays NaT; OutOfRangeError when a time does not fit the finer unit."""
    nat = np.iinfo(np.int64).min
    missing = t == nat
    d = _DIGITS[to] - _DIGITS[unit]
    if d < 0:
        out = np.floor_divide(t, 10 ** -d)
    else:
        limit = np.iinfo(np.int64).max // 10 ** d
        if np.any((np.abs(t[~missing]) > limit)):
            raise OutOfRangeError(f"column 'time': a time does not fit the log's unit ({to})")
        out = t * 10 ** d
    out[missing] = nat
    return out


def _table_roles(df, call: str, deal, stage, time, rep, amount, attributes):
    """A table's columns by role, its attribute columns, and each role's label."""
    names = {"deal": deal, "stage": stage, "time": time, "rep": rep, "amount": amount}
    attrs = list(attributes or ())
    got = table_columns(df, {**names, **{f"attribute {a}": a for a in attrs}}, call)
    roles = {role: None if col is None else got[col] for role, col in names.items()}
    labels = {role: label(col, role) for role, col in names.items() if col is not None}
    return roles, {a: got[a] for a in attrs}, labels


def _append(unit_to: str, roles: dict, attributes: dict, labels: Mapping[str, str], stage_map,
            strict, time_unit, threads, core_append) -> int:
    """The one appender (EventLog.append, LiveFunnel.append): converts the
    columns, times to the log's unit, and calls ``core_append``; returns the
    number of new deals."""
    threads = _check_threads(threads)
    return EventLog._columns(
        roles, attributes, labels, time_unit,
        lambda *cols: core_append(*cols, dict(stage_map or {}), bool(strict), int(threads)),
        unit_to=unit_to)


def _amount_spec(column: str, values) -> np.ndarray:
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        values = np.asarray(values)
        dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        raise ColumnTypeError(f"column '{column}' has dtype {dtype}; expected numbers")
    return pd.Series(values, copy=False).astype("float64").to_numpy(na_value=np.nan)


class EventLog(FrameMixin):
    """A columnar log of deals entering stages.

    Build it with :meth:`from_pandas` or :meth:`from_arrays`. Events are sorted
    by (deal, time); problems that are not errors are counted in
    :meth:`issues`, and ``strict=True`` turns them into errors. A log changes
    only through :meth:`append` (built with ``appendable=True``).
    """

    #: Counts that ``issues()`` adds to the core's (set by from_snapshot).
    _extra_issues: dict | None = None

    def __init__(self, core_log: "_core.EventLog"):
        self._log = core_log

    # pickling: the built log in its versioned binary form (events, keys,
    # reps, amounts, attributes, graph and issues), checked when read back
    def __getstate__(self) -> dict:
        return {**self.__dict__, "_log": self._log.to_bytes()}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._log = _core.EventLog.from_bytes(state["_log"])

    @classmethod
    def from_arrays(cls, *, deal, stage, time, rep=None, amount=None,
                    attributes: Mapping[str, object] | None = None,
                    graph: StageGraph | None = None,
                    stage_map: Mapping[str, str] | None = None, strict: bool = False,
                    time_unit: str = "s", threads: int = 0,
                    appendable: bool = False) -> "EventLog":
        """Build from columns of equal length: numpy arrays, pandas Series,
        lists, pyarrow arrays or polars Series.

        deal: integer or text ids; stage: stage names (text or categorical) or
        integer stage ids of ``graph``; time: datetimes (pandas, numpy, Arrow
        or polars; time-zone-aware ones converted to UTC), ``datetime.date``
        objects, ISO 8601 text (an offset converted to UTC, none taken as
        UTC) or integer epoch in ``time_unit``; rep, amount, attributes: optional.
        ``appendable=True`` keeps every input row so :meth:`append` can add
        events later (about the memory of a second copy of the input).

        >>> log = EventLog.from_arrays(deal=["a", "a", "b"], stage=["Lead", "Contact", "Lead"],
        ...     time=["2024-01-01", "2024-01-03", "2024-01-02"], graph=sf.templates.sales_cycle())
        >>> log.num_deals
        2
        """
        roles = {"deal": deal, "stage": stage, "time": time, "rep": rep, "amount": amount}
        return cls._build(roles, dict(attributes or {}), {}, graph=graph, stage_map=stage_map,
                          strict=strict, time_unit=time_unit, threads=threads,
                          appendable=appendable)

    @staticmethod
    def _columns(roles: dict, attributes: dict, labels: Mapping[str, str], time_unit, call,
                 unit_to: str | None = None):
        """Converts columns by role and calls ``call(deal, stage, time, unit,
        rep, amount, attributes)``; errors name each role by ``labels``.
        ``unit_to``: rescale the times to this unit (an append to a log)."""
        c = {role: None if v is None else column(v) for role, v in roles.items()}
        try:
            t, unit = _time_spec("time", c["time"], time_unit)
            if unit_to is not None and unit != unit_to:
                t, unit = _rescale_ticks(t, unit, unit_to), unit_to
            attrs = [(name, _key_spec(name, column(v))) for name, v in attributes.items()]
            return call(_key_spec("deal", c["deal"]), _key_spec("stage", c["stage"]), t, unit,
                        None if c["rep"] is None else _key_spec("rep", c["rep"]),
                        None if c["amount"] is None else _amount_spec("amount", c["amount"]),
                        attrs)
        except SalesfunnelError as e:
            raise name_columns(e, labels) from None
        except UnicodeEncodeError:
            raise name_columns(_text_error(c, attributes, labels), labels) from None

    @classmethod
    def _build(cls, roles: dict, attributes: dict, labels: Mapping[str, str], *, graph,
               stage_map, strict, time_unit, threads, appendable=False) -> "EventLog":
        """The one builder: columns by role; errors name each role by ``labels``."""
        if graph is not None and not isinstance(graph, StageGraph):
            raise ColumnTypeError("graph must be a salesfunnel.StageGraph")
        threads = _check_threads(threads)
        core = cls._columns(roles, attributes, labels, time_unit, lambda *cols: _core.build_event_log(
            *cols, None if graph is None else graph._g, dict(stage_map or {}), bool(strict),
            int(threads), bool(appendable)))
        return cls(core)

    def append(self, df, *, deal: str, stage: str, time: str, rep: str | None = None,
               amount: str | None = None, attributes: Sequence[str] | None = None,
               stage_map: Mapping[str, str] | None = None, strict: bool = False,
               time_unit: str = "s", threads: int = 0) -> int:
        """Add events to a log built with ``appendable=True``, in place; returns
        the number of new deals.

        Columns as in :meth:`from_pandas` (the log's rep, amount and attribute
        columns may be left out: missing values). Events may be for new or
        existing deals, in any order: afterwards the log is the log a build
        from all rows so far gives, with the same checks and :meth:`issues`
        (input rows keep counting across appends). All or nothing: on an
        error the log is unchanged. Times in another unit are converted to the
        log's. Reports computed before keep their numbers; for reports that
        follow the log cheaply, see :class:`salesfunnel.LiveFunnel`.

        >>> log = sf.EventLog.from_pandas(jan, deal="deal_id", stage="stage", time="at",
        ...                               graph=g, appendable=True)
        >>> log.append(feb, deal="deal_id", stage="stage", time="at")    # new deals in feb
        """
        roles, attrs, labels = _table_roles(df, "append", deal, stage, time, rep, amount, attributes)
        return _append(self._log.unit, roles, attrs, labels, stage_map, strict, time_unit, threads,
                       lambda *args: _core.append_event_log(self._log, *args))

    @classmethod
    def from_pandas(cls, df, *, deal: str, stage: str, time: str,
                    rep: str | None = None, amount: str | None = None,
                    attributes: Sequence[str] | None = None, graph: StageGraph | None = None,
                    stage_map: Mapping[str, str] | None = None, strict: bool = False,
                    time_unit: str = "s", threads: int = 0,
                    appendable: bool = False) -> "EventLog":
        """Build from a table by column names; column types as in :meth:`from_arrays`.

        ``df`` is a pandas or polars DataFrame, a pyarrow Table or
        RecordBatchReader, a DuckDB relation, or any object with
        ``__arrow_c_stream__`` (read through Arrow without copying; see
        :mod:`salesfunnel._frames`). Errors name your column and its role,
        e.g. ``column 'entered_at' (time), row 3: missing time``.

        >>> df = pd.DataFrame({"deal_id": [1, 1, 2], "stage": ["Lead", "Contact", "Lead"],
        ...                    "entered_at": ["2024-01-01", "2024-01-03", "2024-01-02"]})
        >>> log = EventLog.from_pandas(df, deal="deal_id", stage="stage", time="entered_at",
        ...                            graph=sf.templates.sales_cycle())
        >>> log.num_events
        3
        """
        roles, attrs, labels = _table_roles(df, "from_pandas", deal, stage, time, rep, amount,
                                            attributes)
        return cls._build(roles, attrs, labels, graph=graph,
                          stage_map=stage_map, strict=strict, time_unit=time_unit,
                          threads=threads, appendable=appendable)

    @classmethod
    def from_snapshot(cls, df: pd.DataFrame, *, deal: str, stage: str,
                      stage_dates: Mapping[str, str], rep: str | None = None,
                      amount: str | None = None, attributes: Sequence[str] = (),
                      graph: StageGraph | None = None, as_of=None, time_unit: str = "s",
                      strict: bool = False) -> "EventLog":
        """Build from a CRM export with one row per deal (not one per stage change).

        ``stage`` is the column of each deal's current stage; ``stage_dates``
        maps stage names to the column holding the date the deal entered that
        stage. Each dated stage becomes an event; a date column shared by
        several stages (Won and Lost) counts only for the current stage; the
        current stage always gets an event (its own date, else the deal's
        latest other date, else ``as_of``, default the export's latest date).
        ``issues()`` counts what was inferred; rules in
        :mod:`salesfunnel.snapshot`.

        >>> log = EventLog.from_snapshot(df, deal="opportunity_id", stage="deal_stage",
        ...     stage_dates={"Engaging": "engage_date", "Won": "close_date",
        ...                  "Lost": "close_date"}, rep="sales_agent", amount="close_value",
        ...     graph=sf.datasets.crm_graph())
        """
        from .snapshot import from_snapshot
        return from_snapshot(df, deal=deal, stage=stage, stage_dates=stage_dates, rep=rep,
                             amount=amount, attributes=attributes, graph=graph, as_of=as_of,
                             time_unit=time_unit, strict=strict)

    # shape
    @property
    def num_events(self) -> int:
        """Rows (stage entries) in the log, also ``len(log)``.

        >>> sf.datasets.bpi2012().num_events          # 56357
        """
        return self._log.num_events

    @property
    def num_deals(self) -> int:
        """Distinct deals in the log.

        >>> sf.datasets.bpi2012().num_deals           # 13087
        """
        return self._log.num_deals

    @property
    def stages(self) -> list[str]:
        """Stage names (the graph's when the log has one).

        >>> sf.datasets.bpi2012().stages[0]               # 'Submitted'
        """
        return list(self._log.stage_names)

    @property
    def graph(self) -> StageGraph | None:
        """The stage graph the log was checked against, or None.

        >>> log.with_graph(sf.templates.sales_cycle()).graph.name
        """
        g = self._log.graph
        return None if g is None else StageGraph._wrap(g)

    @property
    def reps(self) -> list[str]:
        """Rep (deal owner) names; empty without a rep column.

        >>> log.reps
        """
        return list(self._log.rep_names)

    @property
    def attributes(self) -> list[str]:
        """The attribute columns kept from the input (usable in ``report.by``).

        >>> log.attributes                            # ['segment']
        """
        return list(self._log.attribute_names)

    @property
    def time_unit(self) -> str:
        """The unit of the log's integer times: "s", "ms", "us" or "ns".

        >>> log.time_unit
        """
        return self._log.unit

    def __len__(self) -> int:
        return self.num_events

    def __repr__(self) -> str:
        g = self._log.graph
        return (f"EventLog({self.num_events:,} events, {self.num_deals:,} deals, "
                f"{len(self.stages)} stages, graph={'none' if g is None else repr(g.name)})")

    def _repr_html_(self) -> str:
        import html as _html
        return f"<pre>{_html.escape(repr(self))}</pre>"

    def issues(self) -> dict:
        """What was found in the data and kept or folded rather than dropped:
        duplicate_events, repeated_stage_events, out_of_order_rows (with the
        first row of each) and unknown_transitions (a DataFrame of stage pairs
        the graph lacks, with counts and first rows).

        Logs built by :meth:`from_snapshot` add the snapshot_* counts of what
        was inferred (kept by :meth:`with_graph`; :meth:`select_deals` drops
        them, since they count the whole export); in such logs the first_*_row
        values number the reshaped events, not the export's rows.

        >>> sf.datasets.bpi2012().issues()["duplicate_events"]
        """
        d = dict(self._log.issues())
        d["unknown_transitions"] = pd.DataFrame(
            d["unknown_transitions"], columns=["from_stage", "to_stage", "count", "first_row"])
        d.update(self._extra_issues or {})
        return d

    def with_graph(self, graph: StageGraph, strict: bool = False) -> "EventLog":
        """The same events mapped onto ``graph`` by stage name.

        >>> log.with_graph(sf.templates.sales_cycle())
        """
        out = EventLog(self._log.with_graph(graph._g, strict))
        out._extra_issues = self._extra_issues
        return out

    def select_deals(self, deals: Iterable[int]) -> "EventLog":
        """A log of only the given deal positions (0-based, in this log's order);
        without the snapshot_* counts of :meth:`issues`.

        >>> log.select_deals(range(100))                 # the first 100 deals
        """
        return EventLog(self._log.select_deals(np.asarray(list(deals) if not isinstance(
            deals, np.ndarray) else deals, dtype=np.int64)))

    def deal_keys(self) -> np.ndarray:
        """Deal ids in the log's deal order.

        >>> sf.datasets.bpi2012().deal_keys()[:3]
        """
        if self._log.integer_deal_keys:
            return np.array(self._log.deal_int_keys())
        return np.array(self._log.deal_str_keys(), dtype=object)

    def _time_values(self, ticks: np.ndarray) -> np.ndarray:
        return np.asarray(ticks).view(f"datetime64[{self.time_unit}]")

    def to_pandas(self) -> pd.DataFrame:
        """The events as stored: sorted by deal and time, folded repeats gone;
        ``row`` is the input row of each event.

        >>> sf.datasets.bpi2012().to_pandas().head()      # deal, stage, time, row
        """
        offsets = np.asarray(self._log.offsets())
        deal_index = np.repeat(np.arange(self.num_deals), np.diff(offsets))
        names = np.array(self.stages, dtype=object)
        return pd.DataFrame({
            "deal": self.deal_keys()[deal_index],
            "stage": pd.Categorical.from_codes(np.asarray(self._log.stages()),
                                               categories=pd.Index(names)),
            "time": self._time_values(np.array(self._log.times())),
            "row": np.asarray(self._log.rows()).astype(np.int64),
        })

    def deals(self) -> pd.DataFrame:
        """One row per deal: deal, rep, amount, attributes, first and last stage.

        >>> sf.datasets.crm_opportunities().deals()[["deal", "rep", "amount", "last_stage"]]
        """
        offsets = np.asarray(self._log.offsets())
        st = np.asarray(self._log.stages())
        names = np.array(self.stages, dtype=object)
        nonempty = offsets[1:] > offsets[:-1]
        first = np.where(nonempty, st[np.minimum(offsets[:-1], max(len(st) - 1, 0))], -1)
        last = np.where(nonempty, st[np.maximum(offsets[1:] - 1, 0)], -1)
        out = {"deal": self.deal_keys(), "first_stage": names[first], "last_stage": names[last]}
        if self._log.has_rep:
            reps = np.array(self.reps + [None], dtype=object)
            out["rep"] = reps[np.asarray(self._log.deal_rep())]
        if self._log.has_amount:
            out["amount"] = np.array(self._log.deal_amount())
        for a in self.attributes:
            cats = np.array(list(self._log.attribute_categories(a)) + [None], dtype=object)
            out[a] = cats[np.asarray(self._log.attribute_codes(a))]
        return pd.DataFrame(out)


def read_events(path, **kwargs) -> EventLog:
    """An EventLog from a CSV or Parquet file (Parquet by its extension or its
    magic bytes). ``kwargs`` are those of :meth:`EventLog.from_pandas` for a
    file of stage changes; with ``stage_dates=`` the file has one row per deal
    and they are those of :meth:`EventLog.from_snapshot`. The deal, stage and
    rep columns stay text (ids keep leading zeros; blank cells are missing);
    errors in a CSV name its line too.

    >>> log = sf.read_events("events.parquet", deal="deal_id", stage="stage",
    ...                      time="entered_at", graph=sf.templates.sales_cycle())
    """
    table = read_table(path, [kwargs.get(k) for k in ("deal", "stage", "rep")])
    build = EventLog.from_snapshot if "stage_dates" in kwargs else EventLog.from_pandas
    try:
        return build(table, **kwargs)
    except SalesfunnelError as e:
        if is_parquet(os.fspath(path)):
            raise
        raise _with_line(e) from None


def _with_line(e: SalesfunnelError) -> SalesfunnelError:
    """A CSV error's data row also as the file's line (the header is line 1).

    >>> str(_with_line(SalesfunnelError("column 'at' (time), row 1: cannot read time 'x'")))
    "column 'at' (time), row 1 (line 3): cannot read time 'x'"
    """
    msg = re.sub(r"\brow (\d+)", lambda m: f"{m[0]} (line {int(m[1]) + 2})", e.message, count=1)
    return e if msg == e.message else type(e)(msg)
