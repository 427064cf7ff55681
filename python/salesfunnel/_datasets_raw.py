"""The bundled datasets as plain pandas frames, plus their stage maps and graphs.

Pure pandas: nothing here needs the compiled core. `salesfunnel.datasets`
turns these into event logs.
"""

from __future__ import annotations

import importlib.resources as _resources

import pandas as pd

#: Folds the raw BPI 2012 application activities into funnel stages. These are
#: all ten A_* activities with lifecycle COMPLETE in the log. A_APPROVED,
#: A_REGISTERED and A_ACTIVATED (2,246 each, same cases, in varying order) fold
#: into one won stage; consecutive repeats of a stage are one visit.
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
#: Its transitions are exactly the 13 directly-follows pairs seen in the folded
#: data (cases in time order, repeats folded); counts per pair as of the bundled
#: file: Submitted->Partly submitted 13,087; Partly submitted->Pre-accepted
#: 7,367, ->Declined 5,719, ->Cancelled 1; Pre-accepted->Accepted 5,113,
#: ->Cancelled 1,100, ->Declined 1,085; Accepted->Finalized 5,015, ->Cancelled
#: 66, ->Declined 29; Finalized->Approved 2,246, ->Cancelled 1,640, ->Declined 802.
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
#: then won or lost. Prospecting->Lost is not a transition: every Lost (and Won)
#: opportunity in the table has an engage_date, so it passed through Engaging.
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
    """The BPI 2012 application events, in the original log order: case_id
    (str), activity (str, the raw A_* name), timestamp (UTC, as tz-naive
    datetime64[ns]), resource (str, "" when absent), amount_req (int).
    60,849 rows, 13,087 cases. Map activities to stages with BPI2012_STAGE_MAP."""
    with _open("bpi2012.csv.gz") as f:
        df = pd.read_csv(f, compression="gzip", dtype={"case_id": str, "activity": str,
                                                       "resource": str})
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601").dt.tz_convert(None)
    df["timestamp"] = df["timestamp"].astype("datetime64[ns]")
    df["resource"] = df["resource"].fillna("")
    return df


def crm_frame() -> pd.DataFrame:
    """The CRM opportunities (8,800 rows, source order) joined with their
    sales teams (left join on sales_agent, adding manager and regional_office);
    engage_date and close_date as datetime64[ns] (NaT when empty)."""
    with _open("crm_sales_pipeline.csv.gz") as f:
        pipe = pd.read_csv(f, compression="gzip")
    with _open("crm_sales_teams.csv.gz") as f:
        teams = pd.read_csv(f, compression="gzip")
    df = pipe.merge(teams, on="sales_agent", how="left")
    for col in ("engage_date", "close_date"):
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d").astype("datetime64[ns]")
    return df


def crm_events() -> pd.DataFrame:
    """The CRM opportunities as a stage-change event log.

    Rule (one row per stage entered, rows grouped by opportunity in table
    order, and within one opportunity in stage order):

    * deal_stage Engaging, Won or Lost (these all have an engage_date): the
      opportunity enters Prospecting and Engaging, both at its engage_date,
      Prospecting first (same timestamp; row order breaks the tie). Won and
      Lost opportunities then enter Won or Lost at their close_date.
    * deal_stage Prospecting (500 rows, no engage_date and no close_date in
      the source): the opportunity enters Prospecting at the snapshot date, the
      latest engage_date or close_date in the table (2017-12-31), so it counts
      as open in Prospecting with no time spent there yet.

    Every one of the 8,800 opportunities appears (8,800 Prospecting, 8,300
    Engaging, 4,238 Won, 2,473 Lost rows: 23,811). A row that breaks these
    assumptions (an unknown deal_stage, an engaged/closed opportunity without
    an engage_date, a closed one without a close_date) raises ValueError
    rather than being dropped or misplaced.

    Columns: deal (opportunity_id), stage, time (datetime64[ns]), rep
    (sales_agent), amount (close_value: the won value, 0 for Lost, NaN while
    open), product, account (NaN where the source is empty), manager,
    regional_office.
    """
    df = crm_frame()
    stage = df["deal_stage"]
    bad = ~stage.isin(["Prospecting", "Engaging", "Won", "Lost"])
    bad |= (stage != "Prospecting") & df["engage_date"].isna()
    bad |= stage.isin(["Won", "Lost"]) & df["close_date"].isna()
    if bad.any():
        ids = ", ".join(df.loc[bad, "opportunity_id"].astype(str).head(5))
        raise ValueError(f"{int(bad.sum())} CRM opportunities break the event rule (e.g. {ids})")
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
    closed = stage.isin(["Won", "Lost"])
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
