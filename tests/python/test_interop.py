"""salesfunnel in the Python data stack: every table type in gives the same
numbers as pandas, times as text or dates give the same numbers as
datetime64, results come out as Arrow and polars, and the CLI reads Parquet."""

import datetime as dt
import doctest

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from salesfunnel import _frames
from conftest import AS_OF, DAY, T0

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
duckdb = pytest.importorskip("duckdb")

COLUMNS = dict(deal="deal", stage="stage", time="time", rep="rep", amount="amount",
               attributes=["segment"])


class CapsuleOnly:
    """A table that offers nothing but the Arrow PyCapsule interface."""

    def __init__(self, table):
        self._table = table

    def __arrow_c_stream__(self, requested_schema=None):
        return self._table.__arrow_c_stream__(requested_schema)


def tables(df: pd.DataFrame) -> dict:
    """The same table as each producer an analyst may hold."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    return {
        "polars": pl.from_pandas(df),
        "pyarrow Table": table,
        "RecordBatchReader": pa.RecordBatchReader.from_batches(table.schema,
                                                               table.to_batches(max_chunksize=4)),
        "DuckDB relation": duckdb.from_arrow(table),
        "__arrow_c_stream__": CapsuleOnly(table),
    }


def same_log(a: sf.EventLog, b: sf.EventLog, as_of=AS_OF):
    pd.testing.assert_frame_equal(sf.funnel(a, as_of=as_of).to_pandas(),
                                  sf.funnel(b, as_of=as_of).to_pandas())
    pd.testing.assert_frame_equal(a.deals(), b.deals())
    # The same instants; the stored unit follows the input (dates: seconds).
    pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas(), check_dtype=False)


# --------------------------------------------------------------------- inputs

@pytest.mark.parametrize("kind", list(tables(pd.DataFrame({"x": [1]}))))
def test_every_table_type_gives_the_pandas_report(five_df, five_log, kind):
    data = tables(five_df)[kind]
    log = sf.EventLog.from_pandas(data, **COLUMNS, graph=sf.templates.sales_cycle())
    same_log(log, five_log)
    # The hand count of conftest: A won; B, D disqualified; E lost; C open.
    assert sf.funnel(log, as_of=AS_OF).totals == {"deals": 5, "won": 1, "lost": 3, "open": 1}
    assert log.deals().set_index("deal").loc["C", "amount"] == 70


@pytest.fixture(scope="module")
def bpi():
    raw = sf.datasets.bpi2012_frame()
    kw = dict(deal="case_id", stage="activity", time="timestamp", rep="resource",
              amount="amount_req", graph=sf.datasets.bpi2012_graph(),
              stage_map=sf._datasets_raw.BPI2012_STAGE_MAP)
    return raw, kw, sf.datasets.bpi2012()


@pytest.mark.parametrize("kind", list(tables(pd.DataFrame({"x": [1]}))))
def test_bpi2012_from_every_table_type(bpi, kind):
    raw, kw, base = bpi
    log = sf.EventLog.from_pandas(tables(raw)[kind], **kw)
    rep = sf.funnel(log)
    pd.testing.assert_frame_equal(rep.to_pandas(), sf.funnel(base).to_pandas())
    # The bundled numbers: 13,087 applications, 2,246 approved (docs/concepts.md).
    assert (rep.totals["deals"], rep.totals["won"]) == (13087, 2246)


def test_from_arrays_reads_polars_and_arrow_columns(five_df, five_log):
    g = sf.templates.sales_cycle()
    pol = pl.from_pandas(five_df)
    log = sf.EventLog.from_arrays(deal=pol["deal"], stage=pol["stage"], time=pol["time"],
                                  rep=pol["rep"], amount=pol["amount"],
                                  attributes={"segment": pol["segment"]}, graph=g)
    same_log(log, five_log)
    arrow = pa.Table.from_pandas(five_df)
    log = sf.EventLog.from_arrays(deal=arrow["deal"], stage=arrow["stage"].combine_chunks(),
                                  time=arrow["time"], rep=arrow["rep"], amount=arrow["amount"],
                                  attributes={"segment": arrow["segment"]}, graph=g)
    same_log(log, five_log)


def test_pandas_arrow_backed_columns(five_df, five_log):
    df = five_df.convert_dtypes(dtype_backend="pyarrow")
    assert isinstance(df["time"].dtype, pd.ArrowDtype)
    same_log(sf.EventLog.from_pandas(df, **COLUMNS, graph=sf.templates.sales_cycle()), five_log)


def test_integer_ids_with_polars_and_duckdb(five_df):
    ints = five_df.assign(deal=five_df["deal"].map({"A": 10, "B": 11, "C": 12, "D": 13, "E": 14}))
    g = sf.templates.sales_cycle()
    base = sf.EventLog.from_pandas(ints, **COLUMNS, graph=g)
    for data in tables(ints).values():
        log = sf.EventLog.from_pandas(data, **COLUMNS, graph=g)
        same_log(log, base)
        assert log.deal_keys().tolist() == [10, 11, 12, 13, 14]


# ---------------------------------------------------------------------- times

def test_text_and_date_times_give_the_datetime64_numbers(five_df, five_log):
    g = sf.templates.sales_cycle()
    forms = {
        "ISO text": five_df["time"].dt.strftime("%Y-%m-%d"),
        "ISO text with a time": five_df["time"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
        # 02:00 at +02:00 is midnight UTC: the same instants as the naive datetimes.
        "ISO text with an offset": (five_df["time"] + 2 * pd.Timedelta(hours=1))
        .dt.strftime("%Y-%m-%dT%H:%M:%S+02:00"),
        "datetime.date": pd.Series([t.date() for t in five_df["time"]], dtype=object),
        "tz-aware": five_df["time"].dt.tz_localize("UTC").dt.tz_convert("America/New_York"),
    }
    for name, times in forms.items():
        log = sf.EventLog.from_pandas(five_df.assign(time=times), **COLUMNS, graph=g)
        same_log(log, five_log)
    text = five_df.assign(time=forms["ISO text with an offset"])
    for kind, data in tables(text).items():
        same_log(sf.EventLog.from_pandas(data, **COLUMNS, graph=g), five_log)
    dates = pa.table({"deal": five_df["deal"], "stage": five_df["stage"],
                      "time": pa.array(list(forms["datetime.date"]), pa.date32())})
    log = sf.EventLog.from_pandas(dates, deal="deal", stage="stage", time="time", graph=g)
    assert log.to_pandas()["time"].tolist() == five_log.to_pandas()["time"].tolist()


def test_an_offset_moves_the_time_to_utc():
    log = sf.EventLog.from_arrays(deal=["a", "a"], stage=["Lead", "Contact"],
                                  time=["2024-03-01T23:30:00-05:00", "2024-03-02 04:30"],
                                  graph=sf.templates.sales_cycle())
    # 23:30 at UTC-5 is 04:30 UTC on 2 March: both events at the same instant.
    assert log.to_pandas()["time"].tolist() == [pd.Timestamp("2024-03-02 04:30")] * 2


def test_snapshot_from_polars_and_duckdb():
    df = pd.DataFrame({"id": ["a", "b"], "stage": ["Won", "Lost"],
                       "engaged": ["2024-01-02", "2024-01-03"],
                       "closed": [dt.date(2024, 2, 1), dt.date(2024, 2, 5)]})
    kw = dict(deal="id", stage="stage", graph=sf.datasets.crm_graph(),
              stage_dates={"Engaging": "engaged", "Won": "closed", "Lost": "closed"})
    base = sf.EventLog.from_snapshot(df, **kw)
    assert base.num_events == 4       # a: Engaging, Won; b: Engaging, Lost
    for data in tables(df).values():
        log = sf.EventLog.from_snapshot(data, **kw)
        same_log(log, base, as_of=None)
        assert log.issues()["snapshot_current_stage_date_inferred"] == 0


# --------------------------------------------------------------------- errors

def test_errors_name_the_users_column_and_cut_long_values(five_df):
    g = sf.templates.sales_cycle()
    df = five_df.rename(columns={"time": "entered_at", "deal": "deal_id"})
    kw = dict(deal="deal_id", stage="stage", time="entered_at", graph=g)
    nat = df.assign(entered_at=df["entered_at"].where(df.index != 3))
    with pytest.raises(sf.InvalidArgumentError) as e:
        sf.EventLog.from_pandas(pl.from_pandas(nat), **kw)
    assert str(e.value) == "column 'entered_at' (time), row 3: missing time (NaT)"
    text = df.assign(entered_at=df["entered_at"].astype(str))
    text.loc[4, "entered_at"] = "soon " * 40
    with pytest.raises(ValueError) as e:        # an InvalidArgumentError is a ValueError
        sf.EventLog.from_pandas(text, **kw)
    assert isinstance(e.value, sf.SalesfunnelError)
    msg = str(e.value)
    assert msg.startswith("column 'entered_at' (time), row 4: cannot read time 'soon soon")
    assert msg.endswith("...'") and len(msg) < 150
    typo = df.assign(stage=df["stage"].replace("Contact", "Contcat" + "!" * 300))
    with pytest.raises(sf.InvalidArgumentError) as e:
        sf.EventLog.from_pandas(pa.Table.from_pandas(typo), **kw)
    assert str(e.value).startswith("column 'stage', row 1: unknown stage 'Contcat!!!")
    assert len(str(e.value)) < 300
    none = df.assign(deal_id=df["deal_id"].where(df.index != 5, None))
    with pytest.raises(sf.InvalidArgumentError, match=r"^column 'deal_id' \(deal\), row 5: "
                                                      r"missing deal id$"):
        sf.EventLog.from_pandas(duckdb.from_arrow(pa.Table.from_pandas(none)), **kw)


def test_wrong_inputs_are_type_and_key_errors(five_df):
    with pytest.raises(sf.ColumnTypeError, match="from_pandas needs a table: .* got builtins.list"):
        sf.EventLog.from_pandas([1, 2], deal="deal", stage="stage", time="time")
    with pytest.raises(KeyError, match=r"column 'owner' \(rep\) is not in the table; columns: "
                                       r"deal, stage, day, rep, amount, time, segment"):
        sf.EventLog.from_pandas(pl.from_pandas(five_df), deal="deal", stage="stage",
                                time="time", rep="owner")
    with pytest.raises(TypeError, match=r"column 'day' \(time\) has dtype float64"):
        sf.EventLog.from_pandas(pl.from_pandas(five_df.assign(day=0.5)), deal="deal",
                                stage="stage", time="day")


# -------------------------------------------------------------------- outputs

def results(log):
    model = sf.MarkovModel.fit(log, as_of=AS_OF)
    return {
        "FunnelReport": (sf.funnel(log, as_of=AS_OF), {}),
        "GroupedFunnelReport": (sf.funnel(log, as_of=AS_OF).by("rep"), {}),
        "Waterfall": (sf.waterfall(log, T0, T0 + 7 * DAY), {"values": True}),
        "Forecast": (model.forecast(horizon_days=30, trials=200, seed=1), {}),
        "EventLog": (log, {}),
    }


@pytest.mark.parametrize("name", ["FunnelReport", "GroupedFunnelReport", "Waterfall", "Forecast",
                                  "EventLog"])
def test_to_arrow_and_to_polars_hold_the_pandas_table(five_log, name):
    result, kw = results(five_log)[name]
    df = result.to_pandas(**kw)
    flat = df.reset_index() if any(n is not None for n in df.index.names) else df
    table = result.to_arrow(**kw)
    assert table.column_names == [str(c) for c in flat.columns]
    pd.testing.assert_frame_equal(table.to_pandas(), flat, check_dtype=False,
                                  check_categorical=False, check_index_type=False)
    frame = result.to_polars(**kw)
    assert isinstance(frame, pl.DataFrame) and frame.columns == table.column_names
    assert frame.to_arrow().equals(pl.from_arrow(table).to_arrow())


def test_report_numbers_through_polars(five_log):
    frame = sf.funnel(five_log, as_of=AS_OF).to_polars()
    reached = dict(zip(frame["stage"].to_list(), frame["reached"].to_list()))
    # Hand count: all 5 at Lead, A B C E at Contact, A C E at First Meeting, A E at AP, A won.
    assert [reached[s] for s in ("Lead", "Contact", "First Meeting", "Active Prospect",
                                 "Client")] == [5, 4, 3, 2, 1]


def test_to_polars_without_polars_names_the_extra(five_log, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "polars", None)
    with pytest.raises(ModuleNotFoundError) as e:
        sf.funnel(five_log).to_polars()
    assert str(e.value) == "to_polars() needs polars: pip install salesfunnel[polars]"
    assert e.value.name == "polars"


def test_frames_docstring_examples_run():
    res = doctest.testmod(_frames, extraglobs={"sf": sf, "pd": pd})
    assert res.attempted >= 10 and res.failed == 0


# ---------------------------------------------------------- files and the CLI

@pytest.fixture
def event_files(tmp_path, five_df):
    """The five deals as CSV (text times, ids written as text) and as Parquet."""
    df = five_df.drop(columns="day").rename(columns={"time": "entered_at", "rep": "owner"})
    df["entered_at"] = df["entered_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    df.to_csv(tmp_path / "events.csv", index=False)
    df.to_parquet(tmp_path / "events.parquet", index=False)
    # Parquet without the extension: found by its magic bytes.
    (tmp_path / "events.data").write_bytes((tmp_path / "events.parquet").read_bytes())
    return tmp_path


READ = dict(deal="deal", stage="stage", time="entered_at", rep="owner", amount="amount",
            attributes=["segment"])


def test_read_events_csv_and_parquet_equal_the_pandas_log(event_files, five_log):
    g = sf.templates.sales_cycle()
    for name in ("events.csv", "events.parquet", "events.data"):
        log = sf.read_events(event_files / name, **READ, graph=g)
        pd.testing.assert_frame_equal(sf.funnel(log, as_of=AS_OF).to_pandas(),
                                      sf.funnel(five_log, as_of=AS_OF).to_pandas())
        assert log.reps == ["ann", "bob"]


def test_read_events_keeps_ids_as_text_and_names_csv_lines(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("deal,stage,at\n007,Lead,2024-01-01\n007,Contact,soon\n")
    with pytest.raises(sf.InvalidArgumentError, match=r"^column 'at' \(time\), row 1 \(line 3\): "
                                                      r"cannot read time 'soon'$"):
        sf.read_events(path, deal="deal", stage="stage", time="at")
    path.write_text("deal,stage,at\n007,Lead,2024-01-01\n007,Contact,2024-01-02\n")
    log = sf.read_events(path, deal="deal", stage="stage", time="at")
    assert log.deal_keys().tolist() == ["007"]     # not the number 7


def run_cli(*args, env=None):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "salesfunnel", *map(str, args)],
                          capture_output=True, text=True, timeout=180, env=env)


CLI = ["--deal", "deal", "--stage", "stage", "--time", "entered_at", "--rep", "owner",
       "--amount", "amount", "--template", "sales_cycle"]


def test_cli_reads_parquet_like_csv(event_files):
    outputs = {}
    for name in ("events.csv", "events.parquet"):
        done = run_cli("plan", event_files / name, *CLI, "--wins", "3", "--per", "week")
        assert done.returncode == 0, done.stderr
        outputs[name] = done.stdout
    assert outputs["events.csv"] == outputs["events.parquet"]
    # P(won | Lead) = 0.8 x 0.75 x 1.0 x 0.5 = 0.3: 10 leads a week for 3 wins.
    lead = [l for l in outputs["events.parquet"].splitlines() if l.startswith("Lead")][0]
    assert [float(x) for x in lead.split()[1:3]] == pytest.approx([0.3, 10.0])


def base_install_env(tmp_path):
    """A child Python in which no optional extra is importable, as after a bare
    ``pip install salesfunnel``: a sitecustomize blocks their imports."""
    import os
    blocked = ["matplotlib", "plotly", "tqdm", "polars", "duckdb", "narwhals"]
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None   # import raises ModuleNotFoundError\n")
    here = os.path.dirname(os.path.dirname(sf.__file__))
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), here])}


def test_base_install_cli_works_or_names_the_extra(event_files, tmp_path):
    (tmp_path / "site").mkdir()
    env = base_install_env(tmp_path / "site")
    done = run_cli("plan", event_files / "events.parquet", *CLI, "--wins", "3", env=env)
    assert done.returncode == 0, done.stderr            # pyarrow is a base dependency
    assert "Lead" in done.stdout
    done = run_cli("forecast", event_files / "events.csv", *CLI, "--trials", "200", env=env)
    assert done.returncode == 0 and "Forecast(wins" in done.stdout, done.stderr
    done = run_cli("report", event_files / "events.csv", *CLI, "-o", tmp_path / "r.html", env=env)
    if done.returncode == 0:                             # a report without charts is fine too
        assert (tmp_path / "r.html").exists()
    else:
        assert done.stderr == ("salesfunnel: error: report needs matplotlib: "
                               "pip install salesfunnel[cli]\n")


def test_calls_and_meetings_from_polars_and_duckdb():
    calls = pd.DataFrame({"prospect": ["p1", "p1", "p2", "p3", "p4"],
                          "rep": ["ann", "ann", "ann", "bob", "bob"],
                          "at": ["2024-03-04", "2024-03-05", "2024-03-05", "2024-03-06",
                                 "2024-03-07"],
                          "with_dm": [True, True, False, True, True],
                          "outcome": ["yes", "no", "yes", "maybe", "not_now"]})
    kw = dict(prospect="prospect", rep="rep", time="at", decision_maker="with_dm",
              outcome="outcome")
    # p1 counted once, p4 (not now); p2 spoke to no decision maker, p3 said maybe.
    for data in [calls, *tables(calls).values()]:
        assert sf.great_conversations(data, **kw).count == 2
    meetings = pd.DataFrame({"deal": ["A", "A", "C"], "time": ["2024-01-04", "2024-01-07",
                                                              "2024-01-06"],
                             "held": [True, True, False]})
    for data in [meetings, *tables(meetings).values()]:
        assert sf.meetings(data).num_meetings == 3
