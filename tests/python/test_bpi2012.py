"""Acceptance on real data: the bundled BPI Challenge 2012 application funnel.

Every count and conversion of the library's report must equal an independent
pandas computation done here, from the raw frame, with the library's
definitions (docs/concepts.md): consecutive repeats of a stage fold into one
visit; a deal's final stage decides whether it is open, won or lost; step
conversion = advanced / (advanced + dropped + closed_here); cumulative =
reached_or_beyond / (reached_or_beyond + deals closed below it).
"""

import gzip

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from salesfunnel import _datasets_raw as raw
from conftest import SHARED_DATA


@pytest.fixture(scope="module")
def bpi():
    return sf.datasets.bpi2012()


@pytest.fixture(scope="module")
def independent():
    df = raw.bpi2012_frame()
    df["stage"] = df["activity"].map(raw.BPI2012_STAGE_MAP)
    assert df["stage"].notna().all()
    df["row"] = np.arange(len(df))
    df = df.sort_values(["case_id", "timestamp", "row"])
    df = df[df.groupby("case_id")["stage"].shift() != df["stage"]]    # fold repeats
    kinds = {s["name"]: s["kind"] for s in raw.BPI2012_GRAPH["stages"]}
    main = [s["name"] for s in raw.BPI2012_GRAPH["stages"] if s["kind"] in ("entry", "open", "won")]
    rank = {s: i for i, s in enumerate(main)}
    df["rank"] = df["stage"].map(rank).fillna(-1).astype(int)
    per_deal = df.groupby("case_id").agg(furthest=("rank", "max"), final=("stage", "last"))
    per_deal["final_kind"] = per_deal["final"].map(kinds)
    reached = df.drop_duplicates(["case_id", "stage"])["stage"].value_counts()
    out = {}
    for r, s in enumerate(main):
        rob = int((per_deal["furthest"] >= r).sum())
        adv = int((per_deal["furthest"] > r).sum())
        here = per_deal[per_deal["furthest"] == r]
        dropped = int((here["final_kind"] == "lost").sum())
        closed = int((here["final_kind"] == "won").sum())
        in_prog = len(here) - dropped - closed
        below = per_deal[per_deal["furthest"] < r]
        closed_below = int(below["final_kind"].isin(["won", "lost"]).sum())
        out[s] = dict(reached=int(reached.get(s, 0)), reached_or_beyond=rob, advanced=adv,
                      dropped=dropped, closed_here=closed, in_progress=in_prog,
                      step=adv / (adv + dropped + closed) if r + 1 < len(main) else np.nan,
                      cumulative=rob / (rob + closed_below))
    nxt = df.groupby("case_id")["stage"].shift(-1)
    transitions = pd.DataFrame({"from_stage": df["stage"], "to_stage": nxt}).dropna() \
        .value_counts().sort_index()
    return out, per_deal, transitions, reached


def test_totals(bpi, independent):
    _, per_deal, _, _ = independent
    kinds = per_deal["final_kind"]
    assert bpi.num_deals == len(per_deal) == 13087
    assert sf.funnel(bpi).totals == {"deals": 13087, "won": int((kinds == "won").sum()),
                                     "lost": int((kinds == "lost").sum()),
                                     "open": int(kinds.isin(["entry", "open"]).sum())}


def test_stage_counts_and_conversions_match_pandas(bpi, independent):
    expected, _, _, reached = independent
    df = sf.funnel(bpi).to_pandas()
    for stage, e in expected.items():
        row = df.loc[stage]
        for col in ("reached", "reached_or_beyond", "advanced", "dropped", "closed_here",
                    "in_progress"):
            assert row[col] == e[col], (stage, col)
        if np.isnan(e["step"]):
            assert np.isnan(row["step_conversion"])
        else:
            assert row["step_conversion"] == pytest.approx(e["step"], abs=1e-15)
        assert row["cumulative_conversion"] == pytest.approx(e["cumulative"], abs=1e-15)
    for lost in ("Declined", "Cancelled"):
        assert df.loc[lost, "reached"] == reached[lost]
    # The well-known shape of this log: 13,087 applications, 2,246 approved.
    assert df.loc["Approved", "reached"] == 2246


def test_transition_counts_match_pandas(bpi, independent):
    _, _, transitions, _ = independent
    got = sf.funnel(bpi).transitions().set_index(["from_stage", "to_stage"])["count"].sort_index()
    assert got.to_dict() == transitions.to_dict()


def test_by_rep_partitions_the_deals(bpi):
    by = sf.funnel(bpi).by("rep").totals()
    assert by["deals"].sum() == 13087


@pytest.mark.skipif(not (SHARED_DATA / "bpi2012" / "bpic2012.xes.gz").exists(),
                    reason="../shared/data is not beside this checkout")
def test_bundled_copy_matches_the_shared_xes(tmp_path):
    """The bundled file is exactly what the derivation script makes of the original log."""
    import subprocess
    import sys
    from importlib import resources

    script = resources.files("salesfunnel.data").joinpath("_derive_bpi2012.py")
    out = tmp_path / "bpi.csv.gz"
    done = subprocess.run([sys.executable, str(script),
                           str(SHARED_DATA / "bpi2012" / "bpic2012.xes.gz"), str(out)],
                          capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.split() == ["60849", "13087", "13087"]   # rows, traces, cases kept
    with resources.files("salesfunnel.data").joinpath("bpi2012.csv.gz").open("rb") as b:
        assert gzip.decompress(out.read_bytes()) == gzip.decompress(b.read())
