import pathlib

import pandas as pd
import pytest

import salesfunnel as sf

DAY = pd.Timedelta(days=1)
T0 = pd.Timestamp("2024-01-01")

# The five hand-counted deals of tests/cpp/hand_log.hpp (times in days from T0):
# A won at Client; B disqualified after Contact; C open at First Meeting;
# D disqualified at Lead; E lost at Active Prospect.
FIVE_DEALS = [
    ("A", "Lead", 0, "ann", 100), ("A", "Contact", 1, "ann", 100),
    ("A", "First Meeting", 3, "ann", 100), ("A", "Active Prospect", 6, "ann", 100),
    ("A", "Client", 10, "ann", 100),
    ("B", "Lead", 0, "bob", 50), ("B", "Contact", 2, "bob", 50),
    ("B", "Disqualified", 4, "bob", 50),
    ("C", "Lead", 1, "ann", 70), ("C", "Contact", 2, "ann", 70),
    ("C", "First Meeting", 5, "ann", 70),
    ("D", "Lead", 2, "bob", 10), ("D", "Disqualified", 3, "bob", 10),
    ("E", "Lead", 0, "ann", 30), ("E", "Contact", 1, "ann", 30),
    ("E", "First Meeting", 2, "ann", 30), ("E", "Active Prospect", 4, "ann", 30),
    ("E", "Lost", 8, "ann", 30),
]


@pytest.fixture
def five_df():
    df = pd.DataFrame(FIVE_DEALS, columns=["deal", "stage", "day", "rep", "amount"])
    df["time"] = T0 + df["day"] * DAY
    df["segment"] = ["smb"] * 5 + ["ent"] * 3 + ["smb"] * 3 + ["ent"] * 2 + ["smb"] * 5
    return df


@pytest.fixture
def five_log(five_df):
    return sf.EventLog.from_pandas(five_df, deal="deal", stage="stage", time="time", rep="rep",
                                   amount="amount", attributes=["segment"],
                                   graph=sf.templates.sales_cycle())


AS_OF = T0 + 20 * DAY

SHARED_DATA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: statistical tests that take more than a few seconds")
