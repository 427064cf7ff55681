"""Bad input, as a hostile or careless user gives it (issue 13): every case
is a clean, typed error -- or the correct result -- in bounded time.

Each case is one row: a name, the input (a callable for Python, an argument
list for the CLI) and what must come out: a SalesfunnelError subclass, or
``ok(check)`` with a predicate on the result. To add a case, add a row.
A case runs under a timeout (SIGALRM for Python-level loops, and a
faulthandler watchdog that kills the run if native code hangs); CLI cases
run ``python -m salesfunnel`` in a subprocess with a timeout and must exit 2
with one line on stderr and no traceback. The C ABI cases are the table in
tests/c/test_capi_bad_input.c.
"""

from __future__ import annotations

import faulthandler
import math
import os
import pathlib
import signal
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf

TIMEOUT = 20  # seconds a case may take before it counts as a hang


class ok:
    """The expected outcome is a result for which ``check(result)`` is true."""

    def __init__(self, check=lambda r: True, what: str = "a result"):
        self.check, self.what = check, what


# ------------------------------------------------------------------ inputs
G = sf.templates.sales_cycle
DAY = 86_400


def log(**kw):
    """A three-event log over the sales_cycle template, any column replaced."""
    cols = dict(deal=["a", "a", "b"], stage=["Lead", "Contact", "Lead"],
                time=["2024-01-01", "2024-01-03", "2024-01-02"], graph=G())
    cols.update(kw)
    return sf.EventLog.from_arrays(**cols)


def good_log():
    return sf.EventLog.from_arrays(
        deal=[1, 1, 1, 2, 2, 3, 3, 3, 4], amount=[10.0] * 9,
        stage=["Lead", "Contact", "Client", "Lead", "Lost", "Lead", "Contact", "First Meeting",
               "Lead"],
        time=np.array([0, 1, 5, 0, 3, 1, 2, 4, 6], dtype=np.int64) * DAY + 1_704_067_200,
        graph=G())


def model():
    return sf.MarkovModel.fit(good_log())


def df_log(df, **kw):
    return sf.EventLog.from_pandas(df, deal="id", stage="stage", time="at", graph=G(), **kw)


BASE = pd.DataFrame({"id": ["a", "a", "b"], "stage": ["Lead", "Contact", "Lead"],
                     "at": ["2024-01-01", "2024-01-03", "2024-01-02"]})


def json_graph(transitions='[{"from": "a", "to": "b"}]', stages=None):
    stages = stages or '[{"name": "a", "kind": "entry"}, {"name": "b", "kind": "won"}]'
    return sf.StageGraph.from_json(
        f'{{"name": "g", "stages": {stages}, "transitions": {transitions}}}')


def chain_graph(n):
    g = sf.StageGraph("chain")
    g.add_stage("s0", "entry")
    for i in range(1, n):
        g.add_stage(f"s{i}", "open")
        g.add_transition(f"s{i - 1}", f"s{i}")
    g.add_stage("won", "won")
    g.add_transition(f"s{n - 1}", "won")
    return g


def chain_json(n):
    stages = ", ".join([f'{{"name": "s{i}", "kind": "{"entry" if i == 0 else "open"}"}}'
                        for i in range(n)] + ['{"name": "won", "kind": "won"}'])
    trans = ", ".join([f'{{"from": "s{i}", "to": "s{i + 1}"}}' for i in range(n - 1)]
                      + [f'{{"from": "s{n - 1}", "to": "won"}}'])
    return f'{{"name": "big", "stages": [{stages}], "transitions": [{trans}]}}'


E = sf  # error classes read as E.InvalidArgumentError in the table

# ------------------------------------------------------------ Python cases
PY_CASES = [
    # --- columns and ids
    ("deal ids uint64 >= 2^63", lambda: log(deal=np.array([2**63, 2**63, 1], dtype=np.uint64)),
     E.InvalidArgumentError),
    ("deal ids uint64 max", lambda: log(deal=np.array([2**64 - 1] * 3, dtype=np.uint64)),
     E.InvalidArgumentError),
    ("deal ids uint64 small are fine", lambda: log(deal=np.array([1, 1, 2], dtype=np.uint64)),
     ok(lambda r: r.num_deals == 2)),
    ("time uint64 past int64", lambda: log(time=np.array([2**63] * 3, dtype=np.uint64)),
     E.InvalidArgumentError),
    ("empty-string deal id is missing", lambda: log(deal=["", "", "b"]), E.InvalidArgumentError),
    ("blank deal id is missing", lambda: log(deal=["  ", "a", "b"]), E.InvalidArgumentError),
    ("None deal id", lambda: log(deal=[None, "a", "b"]), E.InvalidArgumentError),
    ("NaN in float deal ids", lambda: log(deal=[1.0, float("nan"), 2.0]), E.ColumnTypeError),
    ("float deal ids", lambda: log(deal=[1.5, 1.5, 2.5]), E.ColumnTypeError),
    ("bool deal ids", lambda: log(deal=[True, True, False]), E.ColumnTypeError),
    ("datetime deal ids", lambda: log(deal=pd.to_datetime(["2024-01-01"] * 3)), E.ColumnTypeError),
    ("mixed int and str deal ids", lambda: log(deal=np.array(["a", "b", 3], dtype=object)),
     E.ColumnTypeError),
    ("surrogate in deal id", lambda: log(deal=["a\udc80", "a\udc80", "b"]),
     E.InvalidArgumentError),
    ("surrogate in stage", lambda: log(stage=["Lead", "Cont\udc80", "Lead"]),
     E.InvalidArgumentError),
    ("surrogate in rep", lambda: log(rep=["ann", "\ud800", "bob"]), E.InvalidArgumentError),
    ("surrogate in attribute", lambda: log(attributes={"seg": ["x", "y", "\udfff"]}),
     E.InvalidArgumentError),
    ("unknown stage", lambda: log(stage=["Lead", "Contract", "Lead"]), E.InvalidArgumentError),
    ("1 MB unknown stage is cut in the message", lambda: log(stage=["Lead", "x" * 10**6, "Lead"]),
     E.InvalidArgumentError),
    ("NUL byte in stage", lambda: log(stage=["Lead", "Con\x00tact", "Lead"]),
     E.InvalidArgumentError),
    ("stage id out of range", lambda: log(stage=np.array([0, 99, 0], dtype=np.int64)),
     E.InvalidArgumentError),
    ("negative stage id", lambda: log(stage=np.array([0, -1, 0], dtype=np.int64)),
     E.InvalidArgumentError),
    ("stage_map to unknown stage", lambda: log(stage=["L", "Contact", "L"], stage_map={"L": "Nope"}),
     E.InvalidArgumentError),
    ("columns of different length", lambda: log(stage=["Lead", "Lead"]), E.InvalidArgumentError),
    ("empty columns", lambda: log(deal=np.array([], dtype=np.int64), stage=np.array([], dtype=object),
                                  time=np.array([], dtype=np.int64)),
     ok(lambda r: r.num_events == 0)),
    ("graph of the wrong type", lambda: log(graph="sales_cycle"), E.ColumnTypeError),
    # --- times
    ("unreadable time text", lambda: log(time=["2024-01-01", "soon", "2024-01-02"]),
     E.InvalidArgumentError),
    ("missing time", lambda: log(time=["2024-01-01", None, "2024-01-02"]), E.InvalidArgumentError),
    ("NaT time", lambda: log(time=pd.to_datetime(["2024-01-01", None, "2024-01-02"])),
     E.InvalidArgumentError),
    ("float times", lambda: log(time=[0.5, 1.5, 2.5]), E.ColumnTypeError),
    ("bool times", lambda: log(time=[True, False, True]), E.ColumnTypeError),
    ("time_unit 'days'", lambda: log(time=[1, 2, 3], time_unit="days"), E.ColumnTypeError),
    ("time_unit auto reads epoch seconds",
     lambda: log(time=[1_704_067_200, 1_704_240_000, 1_704_153_600], time_unit="auto"),
     ok(lambda r: str(r.to_pandas()["time"].iloc[0])[:10] == "2024-01-01")),
    ("time_unit auto reads epoch milliseconds",
     lambda: log(time=[1_704_067_200_000, 1_704_240_000_000, 1_704_153_600_000], time_unit="auto"),
     ok(lambda r: str(r.to_pandas()["time"].iloc[0])[:10] == "2024-01-01")),
    # Time differences saturate at 2^63 - 1 ns (292 years) instead of wrapping to 0.
    ("int64 extremes: a 584-year stay is not 0 days",
     lambda: sf.funnel(sf.EventLog.from_arrays(
         deal=[1, 1], stage=["Lead", "Contact"], graph=G(), time_unit="ns",
         time=np.array([-2**63 + 1, 2**63 - 1], dtype=np.int64))).to_pandas()
     .loc["Lead", "median_days"],
     ok(lambda d: d > 365 * 290, "a median stay of at least 290 years")),
    ("pandas 1677 -> 2262 range",
     lambda: sf.funnel(log(deal=[1, 1, 2], time=pd.to_datetime(
         ["1677-09-22", "2262-04-10", "2000-01-01"]))).to_pandas().loc["Lead", "median_days"],
     ok(lambda d: d > 365 * 500, "a median stay over 500 years")),
    ("as_of = INT64_MAX", lambda: sf.funnel(good_log(), as_of=2**63 - 1).totals,
     ok(lambda t: t["deals"] == 4)),
    ("as_of past int64", lambda: sf.funnel(good_log(), as_of=2**64), E.InvalidArgumentError),
    ("as_of unreadable text", lambda: sf.funnel(good_log(), as_of="not a date"),
     E.InvalidArgumentError),
    ("stale_after 'banana'", lambda: sf.funnel(good_log(), stale_after="banana"),
     E.ColumnTypeError),
    ("stale_after negative", lambda: sf.funnel(good_log(), stale_after=-5),
     E.InvalidArgumentError),
    ("stale_after inf", lambda: sf.funnel(good_log(), stale_after=float("inf")),
     E.InvalidArgumentError),
    # --- amounts
    ("amount +inf", lambda: log(amount=[1.0, np.inf, 2.0]), E.InvalidArgumentError),
    ("amount -inf", lambda: log(amount=[1.0, -np.inf, 2.0]), E.InvalidArgumentError),
    ("negative amount", lambda: log(amount=[1.0, -1.0, 2.0]), E.InvalidArgumentError),
    ("amount text", lambda: log(amount=["1", "2", "3"]), E.ColumnTypeError),
    ("NaN amount is missing", lambda: log(amount=[1.0, np.nan, 2.0]),
     ok(lambda r: r.num_events == 3)),
    ("1e308 amounts sum without overflow to a wrong number",
     lambda: sf.EventLog.from_arrays(deal=[1, 2], stage=["Lead", "Lead"], amount=[1e308, 1e308],
                                     time=np.array([0, 1]), graph=G()).num_deals,
     ok(lambda n: n == 2)),
    # --- threads
    ("threads = -5", lambda: log(threads=-5), E.InvalidArgumentError),
    ("threads = 'x'", lambda: log(threads="x"), E.ColumnTypeError),
    ("threads = 10**6 is capped", lambda: log(threads=10**6), ok(lambda r: r.num_events == 3)),
    ("threads = 5000 is capped", lambda: sf.funnel(good_log(), threads=5000).totals,
     ok(lambda t: t["deals"] == 4)),
    ("forecast threads = -1", lambda: model().forecast(trials=10, threads=-1),
     E.InvalidArgumentError),
    # --- tables
    ("missing column", lambda: sf.EventLog.from_pandas(BASE, deal="id", stage="stage", time="when"),
     E.NotFoundError),
    ("CSV-like blank ids", lambda: df_log(BASE.assign(id=["a", "", "b"])), E.InvalidArgumentError),
    ("surrogate in a DataFrame column", lambda: df_log(BASE.assign(stage=pd.Series(["Lead", "\udc80", "Lead"], dtype=object))),
     E.InvalidArgumentError),
    ("error names the user's column",
     lambda: sf.EventLog.from_pandas(BASE.rename(columns={"at": "entered_at"}).assign(
         entered_at=["2024-01-01", "x", "2024-01-02"]), deal="id", stage="stage",
         time="entered_at", graph=G()),
     E.InvalidArgumentError),
    # --- stage graphs
    ("JSON syntax error", lambda: sf.StageGraph.from_json('{"stages": [ {"name": "a",, }'),
     E.InvalidArgumentError),
    ("JSON empty text", lambda: sf.StageGraph.from_json(""), E.InvalidArgumentError),
    # found by tests/fuzz/fuzz_graph_json: nlohmann throws out_of_range, not parse_error
    ("JSON number 1E555", lambda: sf.StageGraph.from_json('{"name": 1.5E555}'),
     E.InvalidArgumentError),
    ("JSON not an object", lambda: sf.StageGraph.from_json("[1, 2]"), E.InvalidArgumentError),
    ("JSON as bytes", lambda: sf.StageGraph.from_json(b"{}"), E.ColumnTypeError),
    ("JSON as int", lambda: sf.StageGraph.from_json(42), E.ColumnTypeError),
    ("JSON surrogate text", lambda: sf.StageGraph.from_json('{"name": "\udc80"}'),
     E.InvalidArgumentError),
    ("JSON commitment 42", lambda: json_graph('[{"from": "a", "to": "b", "commitment": 42}]'),
     E.InvalidArgumentError),
    ("JSON unknown stage kind",
     lambda: json_graph(stages='[{"name": "a", "kind": "entry"}, {"name": "b", "kind": "wonn"}]'),
     E.InvalidArgumentError),
    ("JSON transition to unknown stage", lambda: json_graph('[{"from": "a", "to": "zz"}]'),
     E.SalesfunnelError),
    ("JSON duplicate stage",
     lambda: json_graph(stages='[{"name": "a", "kind": "entry"}, {"name": "a", "kind": "won"}]'),
     E.SalesfunnelError),
    ("JSON self loop", lambda: json_graph('[{"from": "a", "to": "a"}]'), E.InvalidArgumentError),
    ("JSON stages not a list", lambda: json_graph(stages='"a"'), E.InvalidArgumentError),
    ("JSON nested 10000 deep", lambda: sf.StageGraph.from_json("[" * 10_000 + "]" * 10_000),
     E.InvalidArgumentError),
    ("JSON graph of 4000 stages is fast", lambda: sf.StageGraph.from_json(chain_json(4000)),
     ok(lambda g: len(g.stages) == 4001)),
    ("4000 stages added one by one is fast", lambda: chain_graph(4000),
     ok(lambda g: len(g.stages) == 4001)),
    ("stage kind 'weird'", lambda: sf.StageGraph("x").add_stage("a", "weird"),
     E.InvalidArgumentError),
    ("empty stage name", lambda: sf.StageGraph("x").add_stage("", "open"), E.InvalidArgumentError),
    ("surrogate stage name", lambda: sf.StageGraph("x").add_stage("\udc80", "open"),
     E.InvalidArgumentError),
    ("stage name of type int", lambda: sf.StageGraph("x").add_stage(5, "open"), E.ColumnTypeError),
    ("transition from unknown stage", lambda: sf.StageGraph("x").add_transition("a", "b"),
     E.NotFoundError),
    ("graph without a won stage", lambda: funnel_on(json_graph(
        stages='[{"name": "a", "kind": "entry"}, {"name": "b", "kind": "lost"}]')),
     E.FailedPreconditionError),
    # --- funnel, model, forecast, plan
    ("funnel of a log without a graph",
     lambda: sf.funnel(sf.EventLog.from_arrays(deal=[1], stage=["x"], time=np.array([0]))),
     E.FailedPreconditionError),
    ("funnel by unknown attribute", lambda: sf.funnel(good_log()).by("segment"), E.NotFoundError),
    ("select_deals out of range", lambda: good_log().select_deals([10**18]), E.OutOfRangeError),
    ("select_deals negative", lambda: good_log().select_deals([-1]), E.OutOfRangeError),
    ("prior -1", lambda: sf.MarkovModel.fit(good_log(), prior=-1), E.InvalidArgumentError),
    ("prior NaN", lambda: sf.MarkovModel.fit(good_log(), prior=float("nan")), E.InvalidArgumentError),
    ("prior inf", lambda: sf.MarkovModel.fit(good_log(), prior=float("inf")), E.InvalidArgumentError),
    ("probability 1.5", lambda: sf.MarkovModel.from_probabilities(G(), {("Lead", "Contact"): 1.5}),
     E.InvalidArgumentError),
    ("probability NaN",
     lambda: sf.MarkovModel.from_probabilities(G(), {("Lead", "Contact"): float("nan")}),
     E.InvalidArgumentError),
    ("dwell_days inf",
     lambda: sf.MarkovModel.from_probabilities(G(), {("Lead", "Contact"): 0.5},
                                               dwell_days={"Lead": float("inf")}),
     E.InvalidArgumentError),
    ("forecast leads_per_week inf", lambda: model().forecast(trials=10, leads_per_week=math.inf),
     E.InvalidArgumentError),
    ("forecast leads_per_week 1e300", lambda: model().forecast(trials=10, leads_per_week=1e300),
     E.InvalidArgumentError),
    ("forecast leads_per_week NaN",
     lambda: model().forecast(trials=10, leads_per_week=float("nan")), E.InvalidArgumentError),
    ("forecast trials 10**12", lambda: model().forecast(trials=10**12), E.InvalidArgumentError),
    ("forecast trials 0", lambda: model().forecast(trials=0), E.InvalidArgumentError),
    ("forecast trials 1.5", lambda: model().forecast(trials=1.5), E.ColumnTypeError),
    ("forecast seed -1", lambda: model().forecast(trials=10, seed=-1), E.InvalidArgumentError),
    ("forecast seed 'x'", lambda: model().forecast(trials=10, seed="x"), E.ColumnTypeError),
    ("forecast horizon NaN", lambda: model().forecast(horizon_days=float("nan"), trials=10),
     E.InvalidArgumentError),
    ("forecast horizon -1", lambda: model().forecast(horizon_days=-1, trials=10),
     E.InvalidArgumentError),
    ("forecast horizon 1e9", lambda: model().forecast(horizon_days=1e9, trials=10),
     E.InvalidArgumentError),
    ("forecast horizon 'x'", lambda: model().forecast(horizon_days="x", trials=10),
     E.ColumnTypeError),
    ("forecast quota NaN", lambda: model().forecast(trials=10, quota=float("nan")),
     ok(lambda f: True)),
    ("forecast new_deal_amount -1",
     lambda: model().forecast(trials=10, leads_per_week=1, new_deal_amount=-1),
     E.InvalidArgumentError),
    ("plan wins 1e12 at p=0.8 is quick", lambda: model().plan(wins=1e12, probability=0.8),
     ok(lambda df: len(df) > 0)),
    ("plan wins 1e16", lambda: model().plan(wins=1e16), E.InvalidArgumentError),
    ("plan wins -1", lambda: model().plan(wins=-1), E.InvalidArgumentError),
    ("plan wins NaN", lambda: model().plan(wins=float("nan")), E.InvalidArgumentError),
    ("plan probability 2", lambda: model().plan(wins=1, probability=2), E.InvalidArgumentError),
    ("plan per 'fortnight'", lambda: model().plan(wins=1, per="fortnight"),
     E.InvalidArgumentError),
    ("plan_great_conversations(1e300, 1e-300)",
     lambda: sf.plan_great_conversations(1e300, 1e-300), E.InvalidArgumentError),
    ("plan_great_conversations(-1, 0.5)", lambda: sf.plan_great_conversations(-1, 0.5),
     E.InvalidArgumentError),
    ("plan_great_conversations(3, 0)", lambda: sf.plan_great_conversations(3, 0),
     E.InvalidArgumentError),
    ("plan_great_conversations(3, NaN)", lambda: sf.plan_great_conversations(3, float("nan")),
     E.InvalidArgumentError),
    ("plan_great_conversations(3, 0.55) is 5.45",
     lambda: sf.plan_great_conversations(3, 0.55)["needed"], ok(lambda v: abs(v - 3 / 0.55) < 1e-9)),
]


def funnel_on(graph):
    return sf.funnel(log(stage=["a", "b", "a"], graph=graph))


def _hang(signum, frame):
    raise TimeoutError(f"case took over {TIMEOUT} s (a hang)")


@pytest.mark.parametrize("name,make,expected", PY_CASES, ids=[c[0] for c in PY_CASES])
def test_python(name, make, expected):
    old = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(TIMEOUT)
    faulthandler.dump_traceback_later(TIMEOUT + 10, exit=True)  # native hangs: end the run
    try:
        if isinstance(expected, ok):
            result = make()
            assert expected.check(result), f"{name}: expected {expected.what}, got {result!r}"
        else:
            with pytest.raises(expected) as info:
                make()
            e = info.value
            assert isinstance(e, sf.SalesfunnelError), f"{type(e)} is not a SalesfunnelError"
            assert len(str(e)) < 2000, "the message echoes a long value whole"
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------- CLI cases
EPOCH_S = "id,stage,at\n1,Lead,1704067200\n1,Contact,1704240000\n1,Client,1704844800\n" \
          "2,Lead,1704067200\n2,Lost,1704500000\n3,Lead,1704153600\n"
GOOD = "id,stage,at\n1,Lead,2024-01-01\n1,Contact,2024-01-03\n1,Client,2024-01-09\n" \
       "2,Lead,2024-01-01\n2,Lost,2024-01-05\n3,Lead,2024-01-02\n"
FILES = {
    "good.csv": GOOD,
    "epoch_s.csv": EPOCH_S,
    "epoch_ms.csv": EPOCH_S.replace(",17", ",17").replace("\n", "000\n").replace("at000", "at"),
    "dup_header.csv": "id,id,at\n1,Lead,2024-01-01\n",
    "bad_time.csv": "id,stage,at\n1,Lead,2024-01-01\n1,Contact,soon\n",
    "bad_stage.csv": "id,stage,at\n1,Lead,2024-01-01\n1,Contrat,2024-01-02\n",
    "blank_id.csv": "id,stage,at\n1,Lead,2024-01-01\n,Contact,2024-01-02\n",
    "neg_amount.csv": "id,stage,at,amt\n1,Lead,2024-01-01,-5\n",
    "inf_amount.csv": "id,stage,at,amt\n1,Lead,2024-01-01,inf\n",
    "empty.csv": "",
    "header_only.csv": "id,stage,at\n",
    "ragged.csv": "id,stage,at\n1,Lead\n1,Contact,2024-01-02,extra\n",
    "not_utf8.csv": b"id,stage,at\n1,Le\xffad,2024-01-01\n",
    "graph_not_utf8.json": b"\xff\xfe{bad",
    "graph_syntax.json": '{"name": "g", "stages": [',
    "graph_commit42.json": '{"name":"g","stages":[{"name":"Lead","kind":"entry"},'
                           '{"name":"Client","kind":"won"}],'
                           '"transitions":[{"from":"Lead","to":"Client","commitment":42}]}',
    "fake.parquet": "not parquet at all",
}
INPUT = ["--deal", "id", "--stage", "stage", "--time", "at"]
T = ["--template", "sales_cycle"]

CLI_CASES = [
    # (name, argv, expected exit code, text that must be in the output)
    ("epoch seconds read as seconds", ["plan", "epoch_s.csv", *INPUT, *T, "--wins", "1"], 0,
     "lag_days"),
    ("epoch milliseconds detected", ["plan", "epoch_ms.csv", *INPUT, *T, "--wins", "1"], 0,
     "lag_days"),
    ("--time-unit ms honoured", ["plan", "epoch_ms.csv", *INPUT, *T, "--wins", "1",
                                 "--time-unit", "ms"], 0, "lag_days"),
    ("--time-unit days", ["plan", "epoch_s.csv", *INPUT, *T, "--wins", "1", "--time-unit", "days"],
     2, "invalid choice"),
    ("duplicate header names", ["plan", "dup_header.csv", *INPUT, *T, "--wins", "1"], 2,
     "more than once"),
    ("graph file not UTF-8", ["plan", "good.csv", *INPUT, "--graph", "graph_not_utf8.json",
                              "--wins", "1"], 2, "not UTF-8"),
    ("graph JSON syntax error", ["plan", "good.csv", *INPUT, "--graph", "graph_syntax.json",
                                 "--wins", "1"], 2, "byte"),
    ("graph commitment 42", ["plan", "good.csv", *INPUT, "--graph", "graph_commit42.json",
                             "--wins", "1"], 2, "commitment"),
    ("graph file missing", ["plan", "good.csv", *INPUT, "--graph", "nope.json", "--wins", "1"], 2,
     "nope.json"),
    ("events file missing", ["plan", "nope.csv", *INPUT, *T, "--wins", "1"], 2, "nope.csv"),
    ("trials 10**12", ["forecast", "good.csv", *INPUT, *T, "--trials", str(10**12)], 2, "trials"),
    ("trials -1", ["forecast", "good.csv", *INPUT, *T, "--trials", "-1"], 2, "trials"),
    ("leads per week inf", ["forecast", "good.csv", *INPUT, *T, "--leads-per-week", "inf"], 2,
     "leads_per_week"),
    ("leads per week 1e300", ["forecast", "good.csv", *INPUT, *T, "--leads-per-week", "1e300"], 2,
     "leads_per_week"),
    ("horizon nan", ["forecast", "good.csv", *INPUT, *T, "--horizon", "nan"], 2, "horizon"),
    ("seed -1", ["forecast", "good.csv", *INPUT, *T, "--seed", "-1", "--trials", "10"], 2, "seed"),
    ("wins 1e12 at p=0.8", ["plan", "good.csv", *INPUT, *T, "--wins", "1e12", "--probability",
                            "0.8"], 0, "entries_per_week"),
    ("wins 1e16", ["plan", "good.csv", *INPUT, *T, "--wins", "1e16"], 2, "goal"),
    ("probability 1e-12", ["plan", "good.csv", *INPUT, *T, "--wins", "1", "--probability",
                           "1e-12"], 0, "entries_per_week"),
    ("unreadable time", ["plan", "bad_time.csv", *INPUT, *T, "--wins", "1"], 2, "line 3"),
    ("unknown stage", ["plan", "bad_stage.csv", *INPUT, *T, "--wins", "1"], 2, "Contrat"),
    ("blank deal id", ["plan", "blank_id.csv", *INPUT, *T, "--wins", "1"], 2, "missing deal id"),
    ("negative amount", ["plan", "neg_amount.csv", *INPUT, "--amount", "amt", *T, "--wins", "1"],
     2, "amount"),
    ("inf amount", ["plan", "inf_amount.csv", *INPUT, "--amount", "amt", *T, "--wins", "1"], 2,
     "amount"),
    ("empty file", ["plan", "empty.csv", *INPUT, *T, "--wins", "1"], 2, "empty.csv"),
    ("header only: no events", ["plan", "header_only.csv", *INPUT, *T, "--wins", "1"], 2,
     "no events"),
    ("ragged rows", ["plan", "ragged.csv", *INPUT, *T, "--wins", "1"], 2, "ragged.csv"),
    ("non-UTF-8 CSV", ["plan", "not_utf8.csv", *INPUT, *T, "--wins", "1"], 2, "not_utf8.csv"),
    ("not a Parquet file", ["plan", "fake.parquet", *INPUT, *T, "--wins", "1"], 2, "fake.parquet"),
    ("no process given", ["plan", "good.csv", *INPUT, "--wins", "1"], 2, "--template"),
    ("as-of unreadable", ["plan", "good.csv", *INPUT, *T, "--wins", "1", "--as-of", "soon"], 2,
     "error"),
    ("stale-after banana", ["plan", "good.csv", *INPUT, *T, "--wins", "1", "--stale-after",
                            "banana"], 2, "stale_after"),
    ("stage-date without =", ["report", "good.csv", "--deal", "id", "--stage", "stage",
                              "--snapshot", "--stage-date", "Won", *T], 2, "STAGE=COLUMN"),
]


@pytest.fixture(scope="module")
def cli_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_bad_input")
    for name, text in FILES.items():
        (d / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return d


@pytest.mark.parametrize("name,argv,code,needle", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli(cli_dir, name, argv, code, needle):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(pathlib.Path(sf.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run([sys.executable, "-m", "salesfunnel", *argv], cwd=cli_dir, env=env,
                       capture_output=True, text=True, timeout=TIMEOUT * 3)
    out = p.stdout + p.stderr
    assert "Traceback" not in out, out
    assert p.returncode == code, out
    assert needle in out, out
    if code == 2:
        errors = [ln for ln in p.stderr.splitlines() if "error" in ln]
        assert len(errors) == 1 and len(errors[0]) < 2000, p.stderr
