"""Tables in and out: where salesfunnel meets pandas, polars, Arrow and DuckDB.

Inputs. A pandas DataFrame is read as it is. Any other table (a polars
DataFrame, a pyarrow Table, RecordBatch or RecordBatchReader, a DuckDB
relation, or any object with ``__arrow_c_stream__``, the Arrow PyCapsule
interface) goes through ``pyarrow.table(obj)``: the producer hands over its
Arrow buffers through the C stream interface, without copying them. Only the
columns a call names are converted: numbers and timestamps become numpy views
of those buffers (no copy for one chunk without nulls), strings are
dictionary-encoded by Arrow into category codes (no Python string per row).
One path, pyarrow only, rather than narwhals: pyarrow is needed anyway to
read CSV and Parquet, and every producer above speaks the C stream interface.

Times given as text or as ``datetime.date`` / ``datetime`` objects are read
by :func:`parse_times`: ISO 8601 first, with or without a UTC offset; offsets
and time-zone-aware values are converted to UTC, naive values are taken as
they are.

Outputs. :class:`FrameMixin` gives every result with ``to_pandas()`` its
``to_arrow()`` and ``to_polars()``, one implementation for all of them.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Mapping

import numpy as np
import pandas as pd

from ._errors import ColumnTypeError, InvalidArgumentError, NotFoundError, SalesfunnelError

__all__ = ["FrameMixin", "column", "from_arrow", "label", "name_columns", "parse_times",
           "is_parquet", "pandas_frame", "read_table", "shorten", "table_columns"]

#: The longest value an error message quotes in full.
_SHOWN = 80


def shorten(value) -> str:
    """``repr(value)``, cut to about 80 characters for error messages.

    >>> shorten("x" * 200)[-8:]
    "xxxx...'"
    """
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 4] + "..." + text[-1]


def label(column: str, role: str) -> str:
    """How an error names a column: the user's name, plus its role when they differ.

    >>> label("entered_at", "time"), label("time", "time")
    ("'entered_at' (time)", "'time'")
    """
    return f"'{column}'" if column == role else f"'{column}' ({role})"


def name_columns(error: SalesfunnelError, labels: Mapping[str, str]) -> SalesfunnelError:
    """The same error, each ``column 'role'`` named by the user's column
    (``labels`` maps role to :func:`label`) and long quoted values cut.

    >>> str(name_columns(InvalidArgumentError("column 'time', row 3: missing time"),
    ...                  {"time": "'entered_at' (time)"}))
    "column 'entered_at' (time), row 3: missing time"
    """
    msg = re.sub(r"column '([^']*)'", lambda m: "column " + labels.get(m[1], f"'{m[1]}'"),
                 error.message)
    msg = re.sub(r"'([^']{%d,})'" % _SHOWN, lambda m: shorten(m[1]), msg)
    return error if msg == error.message else type(error)(msg)


# ------------------------------------------------------------------- inputs

def _is_pandas(values) -> bool:
    return isinstance(values, (pd.DataFrame, pd.Series, pd.Index))


def _arrow_table(data, api: str):
    """Any table but a pandas DataFrame as a pyarrow Table (see the module docstring)."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    try:
        return pa.table(data)
    except (TypeError, ValueError) as e:
        raise ColumnTypeError(
            f"{api} needs a table: a pandas or polars DataFrame, a pyarrow Table or "
            "RecordBatchReader, a DuckDB relation or any object with __arrow_c_stream__; "
            f"got {type(data).__module__}.{type(data).__name__}") from e


def table_columns(data, columns: Mapping[str, str | None], api: str) -> dict[str, object]:
    """``{column: values}`` for the columns a call names (``{role: column}``),
    read from any table; a missing column is named with its role.

    >>> import pyarrow as pa
    >>> table_columns(pa.table({"id": ["a", "b"]}), {"deal": "id"}, "from_pandas")["id"].tolist()
    ['a', 'b']
    """
    if isinstance(data, pd.DataFrame):
        have, get, kind = data.columns, data.__getitem__, "DataFrame"
    else:
        table = _arrow_table(data, api)
        have, get, kind = table.column_names, lambda c: from_arrow(table.column(c)), "table"

    wanted = {role: col for role, col in columns.items() if col is not None}
    for role, col in wanted.items():
        if col not in have:
            raise NotFoundError(f"column '{col}' ({role}) is not in the {kind}; "
                                f"columns: {', '.join(map(str, have))}")
    return {col: get(col) for col in dict.fromkeys(wanted.values())}


def pandas_frame(data, api: str) -> pd.DataFrame:
    """Any table as a pandas DataFrame of the columns :func:`from_arrow`
    makes (pandas as it is), for the builders that read whole small tables.

    >>> import pyarrow as pa
    >>> pandas_frame(pa.table({"held": [True]}), "meetings")["held"].tolist()
    [True]
    """
    if isinstance(data, pd.DataFrame):
        return data
    table = _arrow_table(data, api)
    return pd.DataFrame({c: from_arrow(table.column(c)) for c in table.column_names})


def column(values):
    """One column as the builders read it: pandas, numpy and lists unchanged;
    Arrow arrays, polars Series, anything with ``__arrow_c_stream__`` or
    ``__arrow_c_array__`` and pandas Arrow-backed columns through :func:`from_arrow`.

    >>> import polars as pl
    >>> column(pl.Series([1, 2])).tolist()
    [1, 2]
    """
    if isinstance(values, (np.ndarray, list, tuple)):
        return values
    if _is_pandas(values):
        if not isinstance(values.dtype, pd.ArrowDtype):
            return values
        import pyarrow as pa
        return from_arrow(pa.array(values))
    if hasattr(values, "__arrow_c_stream__"):
        import pyarrow as pa
        return from_arrow(pa.chunked_array(values))
    if hasattr(values, "__arrow_c_array__"):
        import pyarrow as pa
        return from_arrow(pa.array(values))
    return values


def _is_text(t) -> bool:
    import pyarrow as pa
    view = getattr(pa.types, "is_string_view", lambda t: False)     # pyarrow >= 16
    return pa.types.is_string(t) or pa.types.is_large_string(t) or view(t)


def from_arrow(array):
    """An Arrow column as numpy or pandas: text as a Categorical (Arrow's
    dictionary encoding), timestamps as UTC datetime64, dates as
    datetime64[D], integers with nulls as nullable Int64, decimals as float.

    >>> import pyarrow as pa
    >>> from_arrow(pa.array([1, None])).tolist()
    [1, <NA>]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()      # a copy only when there are several chunks
    t = array.type
    if pa.types.is_dictionary(t):
        array, t = array.dictionary_decode(), t.value_type   # re-encoded below: unique categories
    if _is_text(t):
        d = pc.dictionary_encode(array)
        codes = pc.fill_null(d.indices, -1).to_numpy(zero_copy_only=False)
        return pd.Categorical.from_codes(codes, categories=pd.Index(d.dictionary.to_pylist(),
                                                                    dtype=object))
    if pa.types.is_timestamp(t):        # stored as UTC ticks whatever the time zone
        ticks = pc.fill_null(array.cast(pa.int64()), np.iinfo(np.int64).min)
        return ticks.to_numpy(zero_copy_only=False).view(f"datetime64[{t.unit}]")
    if pa.types.is_integer(t) and array.null_count:
        return array.to_pandas(types_mapper={t: pd.Int64Dtype()}.get)
    if pa.types.is_decimal(t):
        array = array.cast(pa.float64())
    return array.to_numpy(zero_copy_only=False)


# -------------------------------------------------------------------- times

def _codes_and_values(values) -> tuple[np.ndarray, pd.Series]:
    """Each row's code into the distinct values (-1 where missing), so text is parsed once a value."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else values
        return np.asarray(cat.codes), pd.Series(np.asarray(cat.categories, dtype=object))
    codes, uniques = pd.factorize(pd.Series(values, dtype=object, copy=False), use_na_sentinel=True)
    return codes, pd.Series(np.asarray(uniques, dtype=object))


def _readable(v) -> bool:
    return isinstance(v, (str, _dt.date, np.datetime64)) and not (isinstance(v, str)
                                                                  and not v.strip())


def _parse_distinct(values: pd.Series) -> pd.Series:
    """Distinct values as naive UTC datetimes; blank and unreadable ones NaT.
    ISO 8601 first (fast), then pandas' per-value parser for the rest."""
    ok = values.map(_readable).astype(bool)
    text = values.where(ok, None)
    out = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    retry = out.isna() & ok
    if retry.any():
        out[retry] = pd.to_datetime(text[retry], errors="coerce", utc=True, format="mixed")
    return out.dt.tz_convert(None)


def parse_times(values, label: str, what: str = "time") -> np.ndarray:
    """Text (ISO 8601 with or without an offset; other forms as pandas reads
    them), ``datetime.date`` and ``datetime`` objects as naive UTC datetime64;
    blank or missing values are NaT, anything else unreadable is an error that
    names the column and row.

    >>> parse_times(["2024-01-02T10:00+01:00", None], "'at'").astype(str).tolist()
    ['2024-01-02T09:00:00.000000', 'NaT']
    >>> parse_times(["2024-01-02", "soon"], "'at' (time)")
    Traceback (most recent call last):
    salesfunnel._errors.InvalidArgumentError: column 'at' (time), row 1: cannot read time 'soon'
    """
    codes, distinct = _codes_and_values(values)
    parsed = _parse_distinct(distinct)
    given = ~distinct.map(lambda v: isinstance(v, str) and not v.strip() or pd.isna(v)).astype(bool)
    bad = np.flatnonzero(np.append((parsed.isna() & given).to_numpy(), False)[codes])
    if len(bad):                      # code -1 (missing) picks the appended False / NaT
        row = int(bad[0])
        raise InvalidArgumentError(f"column {label}, row {row}: cannot read {what} "
                                   f"{shorten(distinct.iloc[codes[row]])}")
    times = np.append(parsed.to_numpy(), np.datetime64("NaT"))
    return times[codes]


# --------------------------------------------------------------------- files

def is_parquet(path: str) -> bool:
    """By the extension, else by Parquet's magic bytes ``PAR1`` at the start."""
    if path.lower().endswith((".parquet", ".pq", ".parq")):
        return True
    with open(path, "rb") as f:
        return f.read(4) == b"PAR1"


def _read_csv(path: str, text_columns):
    """A CSV file as a pyarrow Table on several threads; the named columns
    stay text (ids such as 007 keep their zeros); a progress bar on a
    terminal for files over 50 MB when tqdm is installed."""
    import os
    import sys

    import pyarrow as pa
    import pyarrow.csv as pacsv

    opts = pacsv.ConvertOptions(column_types={c: pa.string() for c in text_columns})
    size = os.path.getsize(path)
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None
    if tqdm is None or size <= 50 * 2**20 or not sys.stderr.isatty():
        return pacsv.read_csv(path, convert_options=opts)
    batches = []
    with tqdm(total=size, unit="B", unit_scale=True,
              desc=f"reading {os.path.basename(path)}") as bar:
        for batch in pacsv.open_csv(path, convert_options=opts):
            batches.append(batch)
            bar.update(min(batch.nbytes, size - bar.n))
    return pa.Table.from_batches(batches)


def _blank_to_null(table, columns):
    """Blank or whitespace-only text cells of ``columns`` read as missing, as
    pandas.read_csv reads an empty cell (never a deal or stage named "")."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in columns:
        i = table.schema.get_field_index(name)
        if i < 0 or not _is_text(table.schema.field(i).type):
            continue
        col = table.column(i)
        blank = pc.equal(pc.utf8_trim_whitespace(col), "")
        table = table.set_column(i, name, pc.if_else(blank, pa.scalar(None, col.type), col))
    return table


def read_table(path, text_columns=()):
    """A CSV or Parquet file (Parquet by its extension or its magic bytes) as
    a pyarrow Table; ``text_columns`` stay text and their blank cells are missing.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "e.csv")
    >>> _ = open(path, "w").write("deal,stage\\n007,Lead\\n ,Lead\\n")
    >>> read_table(path, ["deal"]).column("deal").to_pylist()
    ['007', None]
    """
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    text = [c for c in dict.fromkeys(text_columns) if c]
    try:
        table = pq.read_table(path) if is_parquet(path) else _read_csv(path, text)
    except pa.ArrowInvalid as e:
        raise InvalidArgumentError(f"{path}: {e}") from None
    seen: set = set()
    for name in table.column_names:
        if name in seen:
            raise InvalidArgumentError(f"{path}: column name {name!r} appears more than once "
                                       "in the header")
        seen.add(name)
    return _blank_to_null(table, text)


# ------------------------------------------------------------------- outputs

def _polars():
    try:
        import polars
    except ImportError as e:
        raise ModuleNotFoundError("to_polars() needs polars: pip install salesfunnel[polars]",
                                  name="polars") from e
    return polars


def pandas_to_arrow(df: pd.DataFrame):
    """A result table as a pyarrow Table; a named index becomes the first columns.

    >>> pandas_to_arrow(pd.DataFrame({"n": [1]}, index=pd.Index(["Lead"], name="stage"))
    ...                 ).column_names
    ['stage', 'n']
    """
    import pyarrow as pa

    named = any(n is not None for n in df.index.names)
    return pa.Table.from_pandas(df.reset_index() if named else df, preserve_index=False)


class FrameMixin:
    """``to_arrow()`` and ``to_polars()`` for a class with ``to_pandas()``;
    both take ``to_pandas()``'s arguments."""

    def to_arrow(self, *args, **kwargs):
        """The table of :meth:`to_pandas` as a pyarrow Table (index columns first).

        >>> sf.funnel(sf.datasets.bpi2012()).to_arrow().column_names[:3]
        ['stage', 'kind', 'main_rank']
        """
        return pandas_to_arrow(self.to_pandas(*args, **kwargs))

    def to_polars(self, *args, **kwargs):
        """The table of :meth:`to_pandas` as a polars DataFrame (index columns
        first); needs polars (``pip install salesfunnel[polars]``).

        >>> sf.funnel(sf.datasets.bpi2012()).to_polars()["stage"][0]
        'Submitted'
        """
        return _polars().from_arrow(self.to_arrow(*args, **kwargs))
