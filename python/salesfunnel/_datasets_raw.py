"""The bundled datasets as plain pandas frames, plus their stage maps and graphs.

Pure pandas: nothing here needs the compiled core. `salesfunnel.datasets`
turns these into event logs.
"""

from __future__ import annotations

import importlib.resources as _resources

import pandas as pd

#: Folds the raw BPI 2012 application activities into funnel stages.
BPI2012_STAGE_MAP = {
    "A_SUBMITTED": "Submitted",
    "A_PARTLYSUBMITTED": "Partly submitted",
    "A_PREACCEPTED": "Pre-accepted",
    "A_ACCEPTED": "Accepted",
    "A_FINALIZED": "Finalized",
    "A_APPROVED": "Approved",
    "A_REGISTERED": "Approved",
    "A_ACTIVATED": "Approved",
    "A_DECLINED": "Declined",
    "A_CANCELLED": "Cancelled",
}

#: The BPI 2012 application funnel as a stage graph (StageGraph JSON shape).
#: Its transitions are exactly the directly-follows pairs seen in the folded data.
BPI2012_GRAPH = {
    "name": "bpi2012",
    "stages": [
        {"name": "Submitted", "kind": "entry"},
        {"name": "Partly submitted", "kind": "open"},
        {"name": "Pre-accepted", "kind": "open"},
        {"name": "Accepted", "kind": "open"},
        {"name": "Finalized", "kind": "open"},
        {"name": "Approved", "kind": "won"},
        {"name": "Declined", "kind": "lost"},
        {"name": "Cancelled", "kind": "lost"},
    ],
    "transitions": [
        {"from": "Submitted", "to": "Partly submitted", "commitment": "completes the application"},
        {"from": "Partly submitted", "to": "Pre-accepted", "commitment": "passes the first check"},
        {"from": "Pre-accepted", "to": "Accepted", "commitment": "accepts the offer terms"},
        {"from": "Accepted", "to": "Finalized", "commitment": "finalizes the application"},
        {"from": "Finalized", "to": "Approved", "commitment": "is approved"},
        {"from": "Partly submitted", "to": "Declined", "commitment": "declined"},
        {"from": "Partly submitted", "to": "Cancelled", "commitment": "cancelled"},
        {"from": "Pre-accepted", "to": "Declined", "commitment": "declined"},
        {"from": "Pre-accepted", "to": "Cancelled", "commitment": "cancelled"},
        {"from": "Accepted", "to": "Declined", "commitment": "declined"},
        {"from": "Accepted", "to": "Cancelled", "commitment": "cancelled"},
        {"from": "Finalized", "to": "Declined", "commitment": "declined"},
        {"from": "Finalized", "to": "Cancelled", "commitment": "cancelled"},
    ],
}

#: The CRM sample's process: every opportunity is prospected, then engaged,
#: then won or lost.
CRM_GRAPH = {
    "name": "crm_opportunities",
    "stages": [
        {"name": "Prospecting", "kind": "entry"},
        {"name": "Engaging", "kind": "open"},
        {"name": "Won", "kind": "won"},
        {"name": "Lost", "kind": "lost"},
    ],
    "transitions": [
        {"from": "Prospecting", "to": "Engaging", "commitment": "agrees to engage"},
        {"from": "Engaging", "to": "Won", "commitment": "buys"},
        {"from": "Engaging", "to": "Lost", "commitment": "walks away"},
    ],
}


def _open(name: str):
    return _resources.files("salesfunnel.data").joinpath(name).open("rb")


def bpi2012_frame() -> pd.DataFrame:
    """The BPI 2012 application events: case_id, activity, timestamp (UTC,
    tz-naive datetime64[ns]), resource, amount_req. 60,849 rows, 13,087 cases."""
    with _open("bpi2012.csv.gz") as f:
        df = pd.read_csv(f, compression="gzip", dtype={"case_id": str, "activity": str,
                                                       "resource": str})
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True).dt.tz_convert(None)
    df["timestamp"] = df["timestamp"].astype("datetime64[ns]")
    df["resource"] = df["resource"].fillna("")
    return df


def crm_frame() -> pd.DataFrame:
    """The CRM opportunities joined with their sales teams (left join on
    sales_agent); engage_date and close_date as datetime64[ns] (NaT when empty)."""
    with _open("crm_sales_pipeline.csv.gz") as f:
        pipe = pd.read_csv(f, compression="gzip")
    with _open("crm_sales_teams.csv.gz") as f:
        teams = pd.read_csv(f, compression="gzip")
    df = pipe.merge(teams, on="sales_agent", how="left")
    for col in ("engage_date", "close_date"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    return df


def crm_events() -> pd.DataFrame:
    """The CRM opportunities as a stage-change event log.

    Rule: an opportunity with an engage_date enters Prospecting and then
    Engaging at that date (Prospecting first, by row order), and Won or Lost at
    its close_date when it has one. An opportunity still in Prospecting has no
    dates at all in the source; it enters Prospecting at the latest date of the
    table (the day the snapshot describes), so it counts as open there, with no
    time spent yet. All 8,800 opportunities appear.

    Columns: deal, stage, time, rep, amount, product, account, manager,
    regional_office.
    """
    df = crm_frame()
    as_of = max(df["engage_date"].max(), df["close_date"].max())
    base = pd.DataFrame({
        "deal": df["opportunity_id"],
        "rep": df["sales_agent"],
        "amount": df["close_value"].astype(float),
        "product": df["product"],
        "account": df["account"],
        "manager": df["manager"],
        "regional_office": df["regional_office"],
    })
    engaged = df["engage_date"].notna()
    parts = []
    p = base.copy()
    p["stage"] = "Prospecting"
    p["time"] = df["engage_date"].where(engaged, as_of)
    p["_order"] = 0
    parts.append(p)
    e = base[engaged].copy()
    e["stage"] = "Engaging"
    e["time"] = df.loc[engaged, "engage_date"]
    e["_order"] = 1
    parts.append(e)
    closed = df["deal_stage"].isin(["Won", "Lost"]) & df["close_date"].notna()
    c = base[closed].copy()
    c["stage"] = df.loc[closed, "deal_stage"]
    c["time"] = df.loc[closed, "close_date"]
    c["_order"] = 2
    parts.append(c)
    out = pd.concat(parts)
    out["_row"] = out.index
    out = out.sort_values(["_row", "_order"], kind="stable").reset_index(drop=True)
    cols = ["deal", "stage", "time", "rep", "amount", "product", "account", "manager",
            "regional_office"]
    return out[cols]
