"""The small things of issue 14 that cost trust, each pinned to the value a
reader expects: a scenario's own leads, NaN (not 0.0) where there are no
amounts or no period, a missing qualified count without an audit, shared
ranks for ties, sf.plots in a fresh session, quiet exits into a closed pipe,
the extra to install when a module is missing, valid keys in grouping errors,
and a docstring on everything public."""

import inspect
import os
import subprocess
import sys
import types

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from conftest import AS_OF, DAY, FIVE_DEALS, T0

# The five hand-counted deals fit at AS_OF: P(won | Lead) = 0.8 x 0.75 x 1.0 x 0.5 = 0.3;
# C (amount 70) is the one open deal, at First Meeting with P(won) = 1.0 x 0.5 = 0.5.
WIN_RATE = 0.3


@pytest.fixture
def no_amount_log(five_df):
    return sf.EventLog.from_pandas(five_df.drop(columns="amount"), deal="deal", stage="stage",
                                   time="time", rep="rep", graph=sf.templates.sales_cycle())


def env():
    """The environment of a child Python that imports this checkout."""
    here = os.path.dirname(os.path.dirname(sf.__file__))
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        [here, *filter(None, [os.environ.get("PYTHONPATH")])])}


# 1 ------------------------------------------------------------- compare's rows

def test_each_scenario_row_shows_its_own_leads_and_changes(five_log):
    m = sf.MarkovModel.fit(five_log, as_of=AS_OF)
    better = m.scenario().lift("Active Prospect", "Client", points=10).named("close better")
    more = m.scenario(name="more leads").add_leads(20)
    table = sf.compare(m, better, more, leads_per_week=100, mean_won_amount=50)
    # The baseline's 100 leads are not a change of either scenario.
    assert table["changes"].tolist() == ["", "lift Active Prospect -> Client by +10 points",
                                         "+20 leads a week"]
    # Each row's leads: the baseline's 100 plus the scenario's own (0, 20).
    assert table["leads_per_week"].tolist() == [100.0, 100.0, 120.0]
    assert table.loc["more leads", "wins_per_week"] == pytest.approx(120 * WIN_RATE)
    assert table.loc["close better", "wins_per_week"] == pytest.approx(100 * 0.36)
    assert (more.name, more.leads_per_week, more.changes) == ("more leads", 20.0,
                                                              ["+20 leads a week"])


# 2 ---------------------------------------------- revenue NaN without amounts

def test_compare_revenue_is_nan_without_amounts(no_amount_log):
    m = sf.MarkovModel.fit(no_amount_log, as_of=AS_OF)
    table = sf.compare(m, m.scenario().add_leads(10), leads_per_week=10)
    assert table["wins_per_week"].tolist() == pytest.approx([10 * WIN_RATE, 20 * WIN_RATE])
    assert table["revenue_per_week"].isna().all()
    assert table["delta_revenue_per_week"].isna().all()   # the baseline's was 0.0


def test_forecast_revenue_is_nan_without_amounts(no_amount_log):
    m = sf.MarkovModel.fit(no_amount_log, as_of=AS_OF)
    f = m.forecast(horizon_days=30, trials=200, seed=1, leads_per_week=5)
    assert f.quantiles["revenue"].isna().all() and f.quantiles["wins"].notna().all()
    assert f.trials()["revenue"].isna().all() and np.isnan(f.mean_revenue)
    # Open deal C has no amount, so a new-lead amount alone cannot give the revenue.
    f = m.forecast(horizon_days=30, trials=200, seed=1, leads_per_week=5, new_deal_amount=10)
    assert f.quantiles["revenue"].isna().all()
    # A model without a log has no open deals; every new lead worth 10: revenue is
    # exactly 10 x wins in every trial.
    bare = sf.MarkovModel.fit_stats(sf.funnel_stats(no_amount_log, as_of=AS_OF))
    f = bare.forecast(horizon_days=30, trials=200, seed=1, leads_per_week=5, new_deal_amount=10)
    t = f.trials()
    assert t["revenue"].tolist() == (10.0 * t["wins"]).tolist()
    assert f.mean_revenue == pytest.approx(10 * f.mean_wins)


def test_pipeline_value_and_revenue_plan_without_amounts(no_amount_log):
    m = sf.MarkovModel.fit(no_amount_log, as_of=AS_OF)
    deals, total = m.pipeline_value()
    assert deals["deal"].tolist() == ["C"] and deals["win_probability"].tolist() == [0.5]
    assert np.isnan(total) and deals["expected_value"].isna().all()   # was 0.0
    with pytest.raises(sf.ColumnTypeError, match="a revenue goal needs mean_won_amount="):
        m.plan(revenue=1000)
    # Given an amount, a revenue goal of 1000 at 100 a win is 10 wins: 10 / 0.3 leads.
    plan = m.plan(revenue=1000, mean_won_amount=100)
    assert plan.loc["Lead", "entries_per_week"] == pytest.approx(10 / WIN_RATE)


def test_coverage_values_are_nan_without_amounts(no_amount_log):
    team = sf.coverage(no_amount_log, quota=1000, period_start=T0).loc["(team)"]
    for col in ("booked", "remaining", "open_value", "coverage_raw", "average_deal_size"):
        assert np.isnan(team[col]), col       # C++ sums missing amounts to 0.0
    assert (team["open_deals"], team["won"], team["lost"]) == (1, 1, 3)   # counts still known


# 3, 4 ---------------------------------------------------------------- coverage

def test_coverage_without_audit_or_period_shows_missing_values(five_log):
    cov = sf.coverage(five_log, quota=1000)
    # No audit: the qualified count is missing, not -1.
    assert str(cov["qualified_deals"].dtype) == "Int64"
    assert cov["qualified_deals"].isna().all()
    # No period_start: nothing was measured as booked (NaN, not 0.0); the whole quota remains.
    assert cov["booked"].isna().all()
    assert cov.loc["(team)", "remaining"] == 1000 and cov.loc["(team)", "won"] == 1
    # With an audit and a period: C fails the two-meeting rule (0 qualified); A's 100 booked.
    audit = sf.audit(five_log, rules=[sf.rules.two_meetings(stage="Active Prospect")])
    cov = sf.coverage(five_log, quota=1000, audit=audit, period_start=T0)
    assert cov["qualified_deals"].tolist() == [0, 0, 0]
    assert cov["booked"].tolist() == [100.0, 0.0, 100.0]
    assert cov.loc["(team)", "remaining"] == 900


# 5 ------------------------------------------------------------------ rep ranks

def test_equal_shrunk_rates_share_a_rank():
    win = [("Lead", 0), ("Contact", 1), ("First Meeting", 2), ("Active Prospect", 3),
           ("Client", 4)]
    loss = [("Lead", 0), ("Contact", 1), ("Disqualified", 2)]
    rows = []
    # A, B, C: 10 of 20 each (identical shrunk rates); D: 5 of 20; E: 3 of 3, too few to rank.
    for rep, n, wins in [("A", 20, 10), ("B", 20, 10), ("C", 20, 10), ("D", 20, 5), ("E", 3, 3)]:
        for i in range(n):
            for stage, day in (win if i < wins else loss):
                rows.append((f"{rep}{i}", stage, T0 + day * DAY, rep))
    log = sf.EventLog.from_pandas(pd.DataFrame(rows, columns=["deal", "stage", "time", "rep"]),
                                  deal="deal", stage="stage", time="time", rep="rep",
                                  graph=sf.templates.sales_cycle())
    df = sf.compare_reps(log, start="Contact", end="Client").set_index("rep")
    assert df.loc["A", "shrunk_rate"] == df.loc["B", "shrunk_rate"] == df.loc["C", "shrunk_rate"]
    assert df["rank"].to_dict() == {"A": 1, "B": 1, "C": 1, "D": 4, "E": -1}


# 6 ------------------------------------------------------------------- sf.plots

def test_plots_in_a_fresh_session_without_loading_matplotlib():
    code = ("import sys, salesfunnel as sf\n"
            "assert 'matplotlib' not in sys.modules\n"
            "f = sf.plots.rep_conversion\n"
            "assert 'matplotlib' not in sys.modules, 'loaded before drawing'\n"
            "print(f.__module__)\n"
            "try:\n    sf.no_such_thing\nexcept AttributeError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "salesfunnel.plots", "module 'salesfunnel' has no attribute 'no_such_thing'"]


# 7 ------------------------------------------------------------ a closed pipe

@pytest.mark.parametrize("read_first_line", [True, False])
def test_demo_into_a_closed_pipe_exits_quietly(read_first_line):
    p = subprocess.Popen([sys.executable, "-m", "salesfunnel", "demo"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env())
    if read_first_line:                 # like `salesfunnel demo | head -1`
        assert p.stdout.readline().startswith(b"salesfunnel ")
    p.stdout.close()                    # without reading: closed before the first write
    err = p.stderr.read().decode()
    p.stderr.close()
    assert p.wait(timeout=120) == 0
    assert err == ""


# 8 ------------------------------------------------ missing optional modules

def test_plot_without_matplotlib_names_the_extra(five_log, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ModuleNotFoundError) as e:
        sf.funnel(five_log).plot()
    assert str(e.value) == "salesfunnel plots need matplotlib: pip install salesfunnel[plot]"
    assert e.value.name == "matplotlib"


def test_cli_without_pyarrow_names_the_extra(tmp_path, monkeypatch, capsys):
    from salesfunnel import cli

    df = pd.DataFrame(FIVE_DEALS, columns=["deal", "stage", "day", "owner", "amount"])
    df["at"] = (T0 + df["day"] * DAY).dt.strftime("%Y-%m-%d")
    df.drop(columns="day").to_csv(tmp_path / "events.csv", index=False)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code = cli.main(["report", str(tmp_path / "events.csv"), "--deal", "deal", "--stage", "stage",
                     "--time", "at", "--template", "sales_cycle", "-o", str(tmp_path / "r.html")])
    assert code == 2
    assert capsys.readouterr().err == (
        "salesfunnel: error: report needs pyarrow: pip install salesfunnel[cli]\n")
    assert not (tmp_path / "r.html").exists()


# 9 ------------------------------------------------------- grouping by a typo

def test_grouping_by_an_unknown_key_lists_the_valid_keys(five_log):
    with pytest.raises(sf.NotFoundError) as e:
        sf.funnel(five_log).by("reps")
    assert str(e.value) == ("cannot group by 'reps'; use 'rep', 'cohort_week', 'cohort_month' "
                            "or an attribute: segment")


# 10 ---------------------------------------------------------------- docstrings

def public_objects():
    """(name, object) for everything sf.__all__ exposes, the public methods and
    properties of its classes, the functions of its modules, and sf.plots."""
    def module_functions(mod, prefix):
        return [(f"{prefix}.{n}", f) for n, f in vars(mod).items()
                if not n.startswith("_") and inspect.isfunction(f) and f.__module__ == mod.__name__]

    out = []
    for name in sf.__all__:
        obj = getattr(sf, name)
        if isinstance(obj, types.ModuleType):
            out += [(name, obj)] + module_functions(obj, name)
        elif inspect.isclass(obj):
            out.append((name, obj))
            if issubclass(obj, BaseException):
                continue
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if isinstance(member, property) or inspect.isfunction(member):
                    out.append((f"{name}.{attr}", member))
        elif callable(obj):
            out.append((name, obj))
    return out + [("plots", sf.plots)] + module_functions(sf.plots, "plots")


def test_everything_public_has_a_docstring():
    objects = public_objects()
    assert len(objects) > 100          # the walk reaches the methods, not only the names
    missing = [name for name, obj in objects if not (inspect.getdoc(obj) or "").strip()]
    assert missing == []


def test_every_public_function_and_method_shows_an_example():
    # Classes and modules describe; the things a user calls each show one call.
    callables = [(name, obj) for name, obj in public_objects()
                 if not (inspect.isclass(obj) or isinstance(obj, types.ModuleType))]
    assert len(callables) > 100
    missing = [name for name, obj in callables if ">>>" not in (inspect.getdoc(obj) or "")]
    assert missing == []
