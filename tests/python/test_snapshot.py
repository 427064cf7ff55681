"""EventLog.from_snapshot: CRM exports with one row per deal (current stage plus
the date each stage was entered) reshaped into events, counted by hand and
against the Maven CRM sample; the CLI's --snapshot and blank-cell errors."""

import contextlib
import doctest
import io
import pathlib
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
import salesfunnel.snapshot

CRM_CSV = (pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"
           / "crm_opportunities" / "sales_pipeline.csv")
CRM_DATES = {"Engaging": "engage_date", "Won": "close_date", "Lost": "close_date"}
UTC_MIDNIGHT = pd.Timestamp("2024-01-01")


def epoch(day: str) -> int:
    return int((pd.Timestamp(day) - pd.Timestamp("1970-01-01")).total_seconds())


@pytest.fixture
def snapshot():
    """Eight deals; three date columns of three kinds (strings, tz-aware,
    integer epoch seconds); Won and Lost share closed_at.

    D1 Won: all three dates -> Prospecting, Engaging, Won.
    D2 Lost: all three dates -> Prospecting, Engaging, Lost (never Won).
    D3 Engaging with a closed_at (an expected close date): the shared date
       belongs to neither Won nor Lost -> Prospecting, Engaging; 1 ignored.
    D4 Won without closed_at -> Won at its latest other date, engaged_at.
    D5 Prospecting, D6 Lost: no dates at all -> one event at as_of.
    D7 Engaging, prospect_at blank (whitespace) -> Engaging only.
    D8 Prospecting with its date -> Prospecting only.
    """
    helsinki = pd.to_datetime(["2024-01-05 10:00", "2024-01-06 10:00", "2024-01-10 10:00",
                               "2024-01-12 10:00", None, None, "2024-01-15 10:00", None])
    return pd.DataFrame({
        "id": ["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"],
        "owner": ["ann", "ann", "bob", "bob", "ann", "bob", "ann", "bob"],
        "stage": ["Won", "Lost", "Engaging", "Won", "Prospecting", "Lost", "Engaging",
                  "Prospecting"],
        "prospect_at": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", None, "",
                        "  ", "2024-01-20"],
        "engaged_at": helsinki.tz_localize("Europe/Helsinki"),   # UTC+2 in January
        "closed_at": pd.array([epoch("2024-02-01"), epoch("2024-02-10"), epoch("2024-03-01"),
                               None, None, None, None, None], dtype="Int64"),
        "value": [100.0, 0.0, np.nan, 40.0, np.nan, 0.0, np.nan, np.nan],
    })


DATES = {"Prospecting": "prospect_at", "Engaging": "engaged_at", "Won": "closed_at",
         "Lost": "closed_at"}


def build(df, **kw):
    args = dict(deal="id", stage="stage", stage_dates=DATES, rep="owner", amount="value",
                graph=sf.datasets.crm_graph())
    args.update(kw)
    return sf.EventLog.from_snapshot(df, **args)


def paths(log) -> dict:
    ev = log.to_pandas()
    return {d: list(g["stage"].astype(str)) for d, g in ev.groupby("deal", sort=False)}


def test_events_per_deal_by_hand(snapshot):
    log = build(snapshot)
    assert paths(log) == {
        "D1": ["Prospecting", "Engaging", "Won"], "D2": ["Prospecting", "Engaging", "Lost"],
        "D3": ["Prospecting", "Engaging"], "D4": ["Prospecting", "Engaging", "Won"],
        "D5": ["Prospecting"], "D6": ["Lost"], "D7": ["Engaging"], "D8": ["Prospecting"]}
    assert log.num_events == 3 + 3 + 2 + 3 + 1 + 1 + 1 + 1 == 15
    assert log.time_unit == "s"


def test_times_by_hand(snapshot):
    ev = build(snapshot).to_pandas().set_index(["deal", "stage"])["time"]
    assert ev["D1", "Prospecting"] == pd.Timestamp("2024-01-01")
    assert ev["D1", "Engaging"] == pd.Timestamp("2024-01-05 08:00")   # 10:00 Helsinki = 08:00 UTC
    assert ev["D1", "Won"] == pd.Timestamp("2024-02-01")              # epoch seconds
    assert ev["D4", "Won"] == pd.Timestamp("2024-01-12 08:00")        # inferred: its engaged_at
    # as_of defaults to the latest date in the export: D3's ignored closed_at, 2024-03-01.
    assert ev["D5", "Prospecting"] == ev["D6", "Lost"] == pd.Timestamp("2024-03-01")
    later = build(snapshot, as_of="2024-04-01T02:00+02:00").to_pandas().set_index(["deal", "stage"])
    assert later["time"]["D5", "Prospecting"] == pd.Timestamp("2024-04-01")


def test_issues_count_what_was_inferred(snapshot):
    issues = build(snapshot).issues()
    assert issues["snapshot_deals_without_dates"] == 2           # D5, D6
    assert issues["snapshot_current_stage_date_inferred"] == 1   # D4
    assert issues["snapshot_shared_dates_ignored"] == 1          # D3's closed_at
    assert issues["snapshot_current_stage_not_latest"] == 0
    assert issues["duplicate_events"] == 0                       # the core's keys are still there


def test_funnel_totals_by_hand(snapshot):
    t = sf.funnel(build(snapshot)).totals
    # won D1, D4; lost D2, D6; open D3, D7 (Engaging), D5, D8 (Prospecting)
    assert t == {"deals": 8, "won": 2, "lost": 2, "open": 4}
    by_rep = sf.funnel(build(snapshot)).by("rep").totals()
    assert by_rep.loc["ann"].tolist() == [4, 1, 1, 2]   # D1 won, D2 lost, D5 D7 open
    assert by_rep.loc["bob"].tolist() == [4, 1, 1, 2]   # D4 won, D6 lost, D3 D8 open


def test_zero_counts_and_with_graph_keeps_them(snapshot):
    full = snapshot.iloc[[0, 1, 7]]            # D1, D2, D8: every current date present
    issues = build(full).issues()
    assert {k: v for k, v in issues.items() if k.startswith("snapshot_")} == {
        "snapshot_deals_without_dates": 0, "snapshot_current_stage_date_inferred": 0,
        "snapshot_current_stage_not_latest": 0, "snapshot_shared_dates_ignored": 0}
    log = build(snapshot)
    assert log.with_graph(sf.datasets.crm_graph()).issues()["snapshot_deals_without_dates"] == 2
    assert "snapshot_deals_without_dates" not in log.select_deals([0]).issues()
    plain = sf.EventLog.from_pandas(log.to_pandas(), deal="deal", stage="stage", time="time")
    assert "snapshot_deals_without_dates" not in plain.issues()


def test_current_stage_dated_before_another_stage_is_counted():
    df = pd.DataFrame({"id": ["a"], "stage": ["Engaging"], "p": ["2024-02-01"],
                       "e": ["2024-01-01"]})
    log = sf.EventLog.from_snapshot(df, deal="id", stage="stage",
                                    stage_dates={"Prospecting": "p", "Engaging": "e"})
    assert log.issues()["snapshot_current_stage_not_latest"] == 1
    assert paths(log) == {"a": ["Engaging", "Prospecting"]}   # time order, as the dates say


def test_same_day_puts_the_current_stage_last():
    # Engaging and Won on the same day: Won must be the deal's last event.
    df = pd.DataFrame({"id": ["a"], "stage": ["Won"], "e": ["2024-01-01"], "c": ["2024-01-01"]})
    log = sf.EventLog.from_snapshot(df, deal="id", stage="stage", graph=sf.datasets.crm_graph(),
                                    stage_dates={"Won": "c", "Engaging": "e"})
    assert paths(log) == {"a": ["Engaging", "Won"]}
    assert sf.funnel(log).totals["won"] == 1


def test_epoch_milliseconds_match_seconds(snapshot):
    ms = snapshot.assign(closed_at=snapshot["closed_at"] * 1000)
    a = build(snapshot).to_pandas()
    b = build(ms, time_unit="ms").to_pandas()
    assert (a["time"].to_numpy() == b["time"].to_numpy()).all()
    assert a["time"].iloc[2] == pd.Timestamp("2024-02-01")


def test_blank_deal_id_is_the_missing_deal_id_error(snapshot):
    df = snapshot.copy()
    df.loc[2, "id"] = "   "
    with pytest.raises(sf.InvalidArgumentError) as got:
        build(df)
    # from_pandas on events whose row 2 has no deal id: the same class and text.
    events = pd.DataFrame({"id": ["x", "y", None], "stage": ["Prospecting"] * 3,
                           "t": pd.to_datetime(["2024-01-01"] * 3)})
    with pytest.raises(sf.SalesfunnelError) as want:
        sf.EventLog.from_pandas(events, deal="id", stage="stage", time="t")
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value) == "column 'id' (deal), row 2: missing deal id"


def test_unknown_stages_give_from_pandas_error(snapshot):
    events = pd.DataFrame({"id": ["x"], "stage": ["Demo"], "t": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(sf.SalesfunnelError) as want:
        sf.EventLog.from_pandas(events, deal="id", stage="stage", time="t",
                                graph=sf.datasets.crm_graph())
    df = snapshot.copy()
    df.loc[3, "stage"] = "Demo"
    with pytest.raises(type(want.value)) as got:
        build(df)
    assert str(got.value) == str(want.value).replace("row 0", "row 3")
    with pytest.raises(type(want.value)) as got:
        build(snapshot, stage_dates={**DATES, "Demo": "prospect_at"})
    assert str(got.value).startswith("stage_dates: unknown stage 'Demo'; known stages:")
    assert str(got.value).endswith(str(want.value).split("; ", 1)[1])


def test_input_errors_name_column_and_row(snapshot):
    bad = snapshot.copy()
    bad.loc[1, "prospect_at"] = "soon"
    with pytest.raises(sf.InvalidArgumentError, match=r"^column 'prospect_at', row 1: cannot "
                                                      r"read date 'soon'$"):
        build(bad)
    dup = snapshot.copy()
    dup.loc[5, "id"] = "D2"
    with pytest.raises(sf.InvalidArgumentError, match=r"^column 'deal', row 5: deal 'D2' is also "
                                                      r"on row 1"):
        build(dup)
    with pytest.raises(sf.NotFoundError, match=r"column 'shut' \(date of stage Won\)"):
        build(snapshot, stage_dates={"Won": "shut"})
    with pytest.raises(sf.ColumnTypeError, match="time_unit"):
        build(snapshot, time_unit="days")
    undated = snapshot[["id", "stage"]].assign(x=pd.Series([None] * 8, dtype="object"))
    with pytest.raises(sf.InvalidArgumentError, match="pass as_of"):
        sf.EventLog.from_snapshot(undated, deal="id", stage="stage", stage_dates={"Won": "x"})
    log = sf.EventLog.from_snapshot(undated, deal="id", stage="stage", stage_dates={"Won": "x"},
                                    as_of="2024-05-01")
    assert log.num_events == 8 and log.issues()["snapshot_deals_without_dates"] == 8


def test_docstring_examples_run():
    res = doctest.testmod(salesfunnel.snapshot, extraglobs={"pd": pd, "np": np})
    assert res.attempted >= 10 and res.failed == 0


# --- the Maven CRM sample: 8,800 opportunities, one row each -------------------------------


@pytest.fixture(scope="module")
def crm():
    if not CRM_CSV.exists():
        pytest.skip(f"{CRM_CSV} is not here")
    df = pd.read_csv(CRM_CSV)
    log = sf.EventLog.from_snapshot(df, deal="opportunity_id", stage="deal_stage",
                                    stage_dates=CRM_DATES, rep="sales_agent",
                                    amount="close_value", attributes=["product", "account"],
                                    graph=sf.datasets.crm_graph())
    return df, log


def test_crm_every_opportunity_is_counted(crm):
    df, log = crm
    counts = df["deal_stage"].value_counts()
    assert counts.to_dict() == {"Won": 4238, "Lost": 2473, "Engaging": 1589, "Prospecting": 500}
    t = sf.funnel(log).totals
    assert t == {"deals": 8800, "won": 4238, "lost": 2473, "open": 1589 + 500}
    # one Engaging event per engage_date (8,300), one close per Won/Lost, one
    # Prospecting event per undated opportunity (500)
    assert df["engage_date"].notna().sum() == 8300
    assert log.num_events == 8300 + 4238 + 2473 + 500 == 15511


def test_crm_deals_rest_at_their_current_stage(crm):
    df, log = crm
    counts = df["deal_stage"].value_counts()
    last = log.deals()["last_stage"].value_counts()
    assert last.sort_index().to_dict() == counts.sort_index().to_dict()
    table = sf.funnel(log).to_pandas()
    resting = {s: int(table.loc[s, "open"]) for s in ("Prospecting", "Engaging")}
    resting.update({s: int(table.loc[s, "reached"]) for s in ("Won", "Lost")})  # absorbing
    assert resting == counts.to_dict()


def test_crm_issues(crm):
    df, log = crm
    issues = log.issues()
    # The 500 Prospecting opportunities have neither engage_date nor close_date.
    no_dates = (df["engage_date"].isna() & df["close_date"].isna()).sum()
    assert issues["snapshot_deals_without_dates"] == no_dates == 500
    assert issues["snapshot_current_stage_date_inferred"] == 0   # every Won/Lost has close_date
    assert issues["snapshot_shared_dates_ignored"] == 0          # no Engaging has a close_date
    placed = log.to_pandas().query("stage == 'Prospecting'")["time"]
    latest = pd.to_datetime(df[["engage_date", "close_date"]].stack()).max()
    assert latest == pd.Timestamp("2017-12-31") and (placed == latest).all() and len(placed) == 500


def test_crm_win_rate_per_rep_equals_a_crosstab(crm):
    df, log = crm
    x = pd.crosstab(df["sales_agent"], df["deal_stage"])
    want = (x["Won"] / (x["Won"] + x["Lost"])).sort_index()
    got = sf.funnel(log).by("rep").totals().sort_index()
    assert len(got) == 30 == df["sales_agent"].nunique()
    assert got["won"].tolist() == x["Won"].tolist()
    assert got["lost"].tolist() == x["Lost"].tolist()
    assert got["open"].tolist() == (x["Engaging"] + x["Prospecting"]).tolist()
    assert (got["won"] / (got["won"] + got["lost"])).tolist() == want.tolist()


def test_crm_matches_the_bundled_event_rule(crm):
    # The bundled dataset builds events by its own rule (crm_events); outcomes agree.
    _, log = crm
    assert sf.funnel(sf.datasets.crm_opportunities()).totals == sf.funnel(log).totals


def test_crm_with_a_prospecting_column_is_the_bundled_event_rule(crm):
    # crm_events (sf.datasets) builds the sample's events by its own code: Prospecting
    # and Engaging at engage_date, Won/Lost at close_date, undated at the latest date.
    # Giving Prospecting a copy of engage_date must give exactly those 23,811 events.
    df = crm[0].assign(prospect_date=crm[0]["engage_date"])
    log = sf.EventLog.from_snapshot(df, deal="opportunity_id", stage="deal_stage",
                                    stage_dates={"Prospecting": "prospect_date", **CRM_DATES},
                                    graph=sf.datasets.crm_graph())
    want = sf.datasets.crm_events()
    got = log.to_pandas()
    assert len(got) == len(want) == 8800 + 8300 + 4238 + 2473
    assert got["deal"].tolist() == want["deal"].tolist()
    assert got["stage"].astype(str).tolist() == want["stage"].tolist()
    assert (got["time"].to_numpy() == want["time"].to_numpy()).all()


def test_docs_page_prints_what_it_says():
    # docs/crm-exports.md: every `print(...)  # value` line prints that value.
    page = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "crm-exports.md").read_text()
    code = "\n".join(re.findall(r"```python\n(.*?)```", page, re.S))
    promised = [m.group(1) for m in re.finditer(r"^print\(.*\)\s+# (.*)$", code, re.M)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "crm-exports.md", "exec"), {})
    printed = out.getvalue().splitlines()
    assert len(printed) == len(promised) == 6
    for line, comment in zip(printed, promised):
        assert comment.startswith(line), (line, comment)


# --- the command-line tool ------------------------------------------------------------------

CLI_ARGS = ["--snapshot", "--deal", "opportunity_id", "--stage", "deal_stage",
            "--stage-date", "Engaging=engage_date", "--stage-date", "Won=close_date",
            "--stage-date", "Lost=close_date", "--rep", "sales_agent", "--amount", "close_value"]
SNAPSHOT_CSV = """opportunity_id,sales_agent,deal_stage,engage_date,close_date,close_value
A1,ann,Won,2024-01-02,2024-02-01,100
A2,ann,Lost,2024-01-03,2024-02-05,0
A3,bob,Engaging,2024-01-04,,
A4,bob,Prospecting,,,
A5,bob,Won,2024-01-08,2024-02-20,50
"""


def run(*args):
    return subprocess.run([sys.executable, "-m", "salesfunnel", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli_files(tmp_path):
    pytest.importorskip("pyarrow")
    (tmp_path / "export.csv").write_text(SNAPSHOT_CSV)
    (tmp_path / "graph.json").write_text(sf.datasets.crm_graph().to_json())
    return tmp_path


def test_cli_snapshot_log(cli_files):
    from salesfunnel.cli import _load, _parser

    args = _parser().parse_args(["report", str(cli_files / "export.csv"), *CLI_ARGS,
                                 "--graph", str(cli_files / "graph.json")])
    log = _load(args)
    # A1, A5 won; A2 lost; A3 (Engaging), A4 (Prospecting, no dates) open
    assert sf.funnel(log).totals == {"deals": 5, "won": 2, "lost": 1, "open": 2}
    assert log.num_events == 2 + 2 + 1 + 1 + 2
    assert log.issues()["snapshot_deals_without_dates"] == 1


def test_cli_snapshot_report(cli_files):
    pytest.importorskip("matplotlib")
    out = cli_files / "r.html"
    done = run("report", cli_files / "export.csv", *CLI_ARGS, "--graph", cli_files / "graph.json",
               "-o", out)
    assert done.returncode == 0, done.stderr
    assert out.exists() and "wrote" in done.stdout


@pytest.mark.parametrize("bad", ["Won", "=close_date", "Won="])
def test_cli_malformed_stage_date_is_one_line(cli_files, bad):
    done = run("report", cli_files / "export.csv", *CLI_ARGS, "--stage-date", bad,
               "--graph", cli_files / "graph.json")
    assert done.returncode == 2
    assert done.stderr == (f"salesfunnel: error: --stage-date {bad!r}: expected STAGE=COLUMN, "
                           "e.g. --stage-date Won=close_date\n")


def test_cli_blank_deal_id_same_message_as_python(cli_files):
    path = cli_files / "blank.csv"
    path.write_text(SNAPSHOT_CSV.replace("\nA2,", "\n,"))   # data row 1 has no id
    with pytest.raises(sf.SalesfunnelError) as py:
        sf.EventLog.from_snapshot(pd.read_csv(path), deal="opportunity_id", stage="deal_stage",
                                  stage_dates=CRM_DATES, graph=sf.datasets.crm_graph())
    assert str(py.value) == "column 'opportunity_id' (deal), row 1: missing deal id"
    done = run("report", path, *CLI_ARGS, "--graph", cli_files / "graph.json")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = str(py.value).replace("row 1:", "row 1 (line 3):")     # the header is line 1
    assert done.stderr == f"salesfunnel: error: {path}: {line}\n"


def test_cli_blank_deal_id_in_stage_changes(cli_files):
    # Without --snapshot too: a blank or whitespace id cell is missing, never a deal named "".
    path = cli_files / "events.csv"
    path.write_text("deal,stage,at\nx,Prospecting,2024-01-01\ny,Prospecting,2024-01-02\n"
                    "  ,Engaging,2024-01-03\n")
    df = pd.read_csv(path, dtype={"deal": str}, parse_dates=["at"])
    df.loc[df["deal"].str.strip() == "", "deal"] = None
    with pytest.raises(sf.SalesfunnelError) as py:
        sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="at")
    assert str(py.value) == "column 'deal', row 2: missing deal id"
    done = run("report", path, "--deal", "deal", "--stage", "stage", "--time", "at",
               "--graph", cli_files / "graph.json")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = str(py.value).replace("row 2:", "row 2 (line 4):")
    assert done.stderr == f"salesfunnel: error: {path}: {line}\n"


def test_cli_bad_graph_file_is_named(cli_files):
    (cli_files / "bad.json").write_text("{bad")
    done = run("report", cli_files / "export.csv", *CLI_ARGS, "--graph", cli_files / "bad.json")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"salesfunnel: error: {cli_files / 'bad.json'}: ")
