"""The C ABI used without C++: a C program computes the funnel, a scenario
comparison and the audit of BPI 2012 and gets the Python API's numbers; and
Python's ctypes binds libsalesfunnel_c directly.

Both need the build tree's C binaries (`.ci/test` builds them into
build/tests before pytest runs); they are found under ./build, or in the
directory named by SALESFUNNEL_C_BUILD_DIR, and the tests skip without them.
"""

import ctypes
import os
import pathlib
import subprocess

import numpy as np
import pytest

import salesfunnel as sf
from salesfunnel import _datasets_raw as raw

REPO = pathlib.Path(__file__).resolve().parents[2]


def _built(name):
    """The newest file called `name` under the build directories, or None."""
    roots = [pathlib.Path(os.environ["SALESFUNNEL_C_BUILD_DIR"])] \
        if os.environ.get("SALESFUNNEL_C_BUILD_DIR") else [REPO / "build"]
    # Sanitizer builds (build/asan, build/tsan, build/fuzz) need their runtimes preloaded;
    # tests/cmake holds copies built by the consumer-project checks.
    found = [p for r in roots if r.is_dir() for p in r.rglob(name)
             if p.is_file() and not {"asan", "tsan", "fuzz", "cmake"} & set(p.parts)]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


PROGRAM = _built("test_capi_program_bpi2012")
LIBRARY = _built("libsalesfunnel_c.so")


# ------------------------------------------------------------ BPI 2012 in C

@pytest.fixture(scope="module")
def bpi_output(tmp_path_factory):
    if PROGRAM is None:
        pytest.skip("the C program test_capi_program_bpi2012 is not built")
    d = tmp_path_factory.mktemp("bpi")
    df = raw.bpi2012_frame()
    out = {"deal": df["case_id"], "stage": df["activity"].map(raw.BPI2012_STAGE_MAP),
           "time_ms": df["timestamp"].astype("int64") // 1_000_000, "amount": df["amount_req"]}
    assert out["stage"].notna().all()
    assert (df["timestamp"].astype("int64") % 1_000_000 == 0).all()  # whole milliseconds
    import pandas as pd
    pd.DataFrame(out).to_csv(d / "events.csv", index=False)
    (d / "graph.json").write_text(sf.datasets.bpi2012_graph().to_json())
    done = subprocess.run([str(PROGRAM), str(d / "events.csv"), str(d / "graph.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = [ln.split("\t") for ln in done.stdout.splitlines()]
    by_kind = {}
    for ln in lines:
        by_kind.setdefault(ln[0], []).append(ln[1:])
    return by_kind


@pytest.fixture(scope="module")
def bpi():
    return sf.datasets.bpi2012()


def test_c_program_funnel_equals_python(bpi_output, bpi):
    report = sf.funnel(bpi)
    deals, won, lost, open_ = (int(x) for x in bpi_output["totals"][0])
    assert {"deals": deals, "won": won, "lost": lost, "open": open_} == report.totals
    assert deals == 13087
    df = report.to_pandas()
    assert [s for s, _, _ in bpi_output["stage"]] == list(df.index)
    for stage, reached, step in bpi_output["stage"]:
        assert int(reached) == df.loc[stage, "reached"], stage
        want = df.loc[stage, "step_conversion"]
        assert (np.isnan(want) and step == "nan") or float(step) == want, stage
    assert int(dict((s, r) for s, r, _ in bpi_output["stage"])["Approved"]) == 2246


def test_c_program_comparison_equals_python(bpi_output, bpi):
    m = sf.MarkovModel.fit(bpi)
    # Python's baseline row is the model at leads_per_week; the C program's
    # baseline scenario carries its 100 leads, and its changes keep them.
    lift = m.scenario(name="lift").lift("Finalized", "Approved", 10)
    gone = m.scenario(name="no pre-accept").remove_stage("Pre-accepted")
    table = sf.compare(m, lift, gone, leads_per_week=100)
    rows = bpi_output["compare"]
    assert [r[0] for r in rows] == ["baseline", "lift", "no pre-accept"]
    for (name, win, wins, days), (_, want) in zip(rows, table.iterrows()):
        assert float(win) == want["win_rate"], name
        assert float(wins) == want["wins_per_week"], name
        assert float(days) == want["days_to_close"], name
    # Removing Pre-accepted leaves no way to Approved.
    assert float(rows[2][1]) == 0.0


def test_c_program_audit_equals_python(bpi_output, bpi):
    audit = sf.audit(bpi, rules=[sf.rules.aged_past_cycle()])
    summary = audit.summary()
    raw_n, raw_v, q_n, q_v, cycle = bpi_output["audit"][0]
    assert int(raw_n) == summary.loc["raw", "deals"] == 399
    assert float(raw_v) == summary.loc["raw", "value"]
    assert int(q_n) == summary.loc["qualified", "deals"]
    assert float(q_v) == summary.loc["qualified", "value"]
    assert float(cycle) == audit.average_cycle_days
    deals = audit.deals()
    c_rows = {d: int(q) for d, q in bpi_output["audit_deal"]}
    py_rows = dict(zip(deals["deal"].astype(str), deals["qualified"].astype(int)))
    assert c_rows == py_rows


# ------------------------------------------------------------------ ctypes

class SfError(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * 1024)]


@pytest.fixture(scope="module")
def lib():
    if LIBRARY is None:
        pytest.skip("libsalesfunnel_c.so is not built")
    c = ctypes.CDLL(str(LIBRARY))
    P = ctypes.c_void_p
    err = ctypes.POINTER(SfError)
    c.sf_graph_template.argtypes = [ctypes.c_char_p, ctypes.POINTER(P), err]
    c.sf_graph_destroy.argtypes = [ctypes.POINTER(P)]
    c.sf_log_create.argtypes = [P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p),
                                ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_int64),
                                ctypes.POINTER(P), err]
    c.sf_log_destroy.argtypes = [ctypes.POINTER(P)]
    c.sf_funnel_compute.argtypes = [P, ctypes.POINTER(P), err]
    c.sf_report_destroy.argtypes = [ctypes.POINTER(P)]
    c.sf_report_reached.argtypes = [P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64), err]
    c.sf_report_conversion.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p,
                                       ctypes.POINTER(ctypes.c_double), err]
    c.sf_status_string.restype = ctypes.c_char_p
    c.sf_version.restype = ctypes.c_char_p
    return c


# The five hand-counted deals of tests/c/test_capi.c (days).
FIVE = [("A", "Lead", 0), ("A", "Contact", 1), ("A", "First Meeting", 3),
        ("A", "Active Prospect", 6), ("A", "Client", 10),
        ("B", "Lead", 0), ("B", "Contact", 2), ("B", "Disqualified", 4),
        ("C", "Lead", 1), ("C", "Contact", 2), ("C", "First Meeting", 5),
        ("D", "Lead", 2), ("D", "Disqualified", 3),
        ("E", "Lead", 0), ("E", "Contact", 1), ("E", "First Meeting", 2),
        ("E", "Active Prospect", 4), ("E", "Lost", 8)]


def test_ctypes_funnel_from_the_c_abi(lib):
    err = SfError()
    graph, log, report = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    assert lib.sf_graph_template(b"sales_cycle", ctypes.byref(graph), ctypes.byref(err)) == 0
    n = len(FIVE)
    deals = (ctypes.c_char_p * n)(*[d.encode() for d, _, _ in FIVE])
    stages = (ctypes.c_char_p * n)(*[s.encode() for _, s, _ in FIVE])
    times = (ctypes.c_int64 * n)(*[t * 86400 for _, _, t in FIVE])
    assert lib.sf_log_create(graph, n, deals, stages, times, ctypes.byref(log),
                             ctypes.byref(err)) == 0, err.message
    assert lib.sf_funnel_compute(log, ctypes.byref(report), ctypes.byref(err)) == 0
    reached = ctypes.c_int64()
    # Lead 5, Contact 4 (not D), First Meeting 3 (A, C, E), Client 1 (A).
    for stage, want in [(b"Lead", 5), (b"Contact", 4), (b"First Meeting", 3), (b"Client", 1)]:
        assert lib.sf_report_reached(report, stage, ctypes.byref(reached), ctypes.byref(err)) == 0
        assert reached.value == want, stage
    p = ctypes.c_double()
    # Lead -> Contact: 4 of 5 advanced (D was disqualified at Lead).
    assert lib.sf_report_conversion(report, b"Lead", b"Contact", ctypes.byref(p),
                                    ctypes.byref(err)) == 0
    assert p.value == 0.8
    # Contact -> First Meeting: 3 of 4 (B disqualified).
    assert lib.sf_report_conversion(report, b"Contact", b"First Meeting", ctypes.byref(p),
                                    ctypes.byref(err)) == 0
    assert p.value == 0.75
    # An unknown stage: NOT_FOUND (5) and a message naming it.
    assert lib.sf_report_reached(report, b"Nope", ctypes.byref(reached), ctypes.byref(err)) == 5
    assert err.code == 5 and b"'Nope'" in err.message
    assert lib.sf_status_string(5) == b"NOT_FOUND"
    assert lib.sf_version().decode().count(".") == 2
    for destroy, h in [(lib.sf_report_destroy, report), (lib.sf_log_destroy, log),
                       (lib.sf_graph_destroy, graph)]:
        destroy(ctypes.byref(h))
        assert h.value is None
