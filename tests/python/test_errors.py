"""Every error class is a SalesfunnelError and the natural builtin, and each
reachable status code maps to its class."""

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from salesfunnel import _errors


@pytest.mark.parametrize("code,cls,builtin", [
    (1, sf.CancelledError, Exception), (2, sf.UnknownError, RuntimeError),
    (3, sf.InvalidArgumentError, ValueError), (4, sf.DeadlineExceededError, TimeoutError),
    (5, sf.NotFoundError, KeyError), (6, sf.AlreadyExistsError, ValueError),
    (7, sf.PermissionDeniedError, PermissionError), (8, sf.ResourceExhaustedError, MemoryError),
    (9, sf.FailedPreconditionError, ValueError), (10, sf.AbortedError, RuntimeError),
    (11, sf.OutOfRangeError, IndexError), (12, sf.UnimplementedError, NotImplementedError),
    (13, sf.InternalError, RuntimeError), (14, sf.UnavailableError, RuntimeError),
    (15, sf.DataLossError, RuntimeError), (16, sf.UnauthenticatedError, PermissionError),
])
def test_code_mapping(code, cls, builtin):
    assert _errors.error_class(code) is cls
    assert issubclass(cls, sf.SalesfunnelError) and issubclass(cls, builtin)
    e = cls("boom")
    assert e.message == "boom" and str(e) == "boom"


def test_column_type_error_is_type_error():
    assert issubclass(sf.ColumnTypeError, TypeError)


def test_errors_from_the_core_name_column_and_row(five_df):
    g = sf.templates.sales_cycle()
    bad = five_df.copy()
    bad.loc[7, "stage"] = "Dissqualified"
    with pytest.raises(ValueError, match=r"column 'stage', row 7: unknown stage 'Dissqualified'"):
        sf.EventLog.from_pandas(bad, deal="deal", stage="stage", time="time", graph=g)
    nat = five_df.copy()
    nat.loc[3, "time"] = pd.NaT
    with pytest.raises(sf.InvalidArgumentError, match=r"column 'time', row 3: missing time"):
        sf.EventLog.from_pandas(nat, deal="deal", stage="stage", time="time", graph=g)
    none = five_df.copy()
    none["deal"] = none["deal"].astype(object)
    none.loc[5, "deal"] = None
    with pytest.raises(sf.InvalidArgumentError, match=r"column 'deal', row 5: missing deal id"):
        sf.EventLog.from_pandas(none, deal="deal", stage="stage", time="time", graph=g)


def test_wrong_dtypes_and_missing_columns(five_df):
    g = sf.templates.sales_cycle()
    with pytest.raises(sf.ColumnTypeError, match="column 'deal' has dtype float64"):
        sf.EventLog.from_pandas(five_df.assign(deal=1.5), deal="deal", stage="stage",
                                time="time", graph=g)
    with pytest.raises(TypeError, match="column 'time' has dtype float64"):   # text is read
        sf.EventLog.from_pandas(five_df.assign(time=0.5), deal="deal",
                                stage="stage", time="time", graph=g)
    with pytest.raises(KeyError, match="column 'owner' \\(rep\\) is not in the DataFrame"):
        sf.EventLog.from_pandas(five_df, deal="deal", stage="stage", time="time", rep="owner")
    with pytest.raises(sf.ColumnTypeError, match="row 2: expected a string, got int"):
        sf.EventLog.from_arrays(deal=np.array(["a", "b", 3], dtype=object), stage=["Lead"] * 3,
                                time=np.zeros(3, dtype=np.int64), graph=g)
    with pytest.raises(sf.InvalidArgumentError, match="column 'stage' has 2 rows but column 'deal' has 3"):
        sf.EventLog.from_arrays(deal=[1, 2, 3], stage=["Lead", "Lead"],
                                time=np.zeros(3, dtype=np.int64), graph=g)


def test_missing_graph_and_attribute(five_df):
    log = sf.EventLog.from_pandas(five_df, deal="deal", stage="stage", time="time")
    with pytest.raises(sf.FailedPreconditionError, match="no stage graph"):
        sf.funnel(log)
    glog = log.with_graph(sf.templates.sales_cycle())
    with pytest.raises(sf.NotFoundError, match="cannot group by 'segment'"):
        sf.funnel(glog).by("segment")
    with pytest.raises(sf.OutOfRangeError):
        glog.select_deals([99])
