"""Bundled datasets, each an EventLog with a ready stage graph."""

from __future__ import annotations

from . import _datasets_raw as _raw
from ._datasets_raw import bpi2012_frame, crm_events, crm_frame
from .graph import StageGraph
from .log import EventLog

__all__ = ["bpi2012", "crm_opportunities", "bpi2012_frame", "crm_frame", "crm_events",
           "bpi2012_graph", "crm_graph"]


def bpi2012_graph() -> StageGraph:
    """The BPI 2012 application funnel: Submitted -> Partly submitted ->
    Pre-accepted -> Accepted -> Finalized -> Approved, exits Declined, Cancelled."""
    return StageGraph.from_json(_raw.BPI2012_GRAPH)


def crm_graph() -> StageGraph:
    """Prospecting -> Engaging -> Won, exit Lost."""
    return StageGraph.from_json(_raw.CRM_GRAPH)


def bpi2012() -> EventLog:
    """The BPI Challenge 2012 loan-application funnel (13,087 applications;
    B.F. van Dongen, DOI 10.4121/uuid:3926db30-f712-4394-aebc-75976070e91f,
    CC BY 4.0). A_APPROVED, A_REGISTERED and A_ACTIVATED fold into "Approved";
    reps are the event resources, amounts the requested amounts."""
    df = bpi2012_frame()
    return EventLog.from_pandas(df, deal="case_id", stage="activity", time="timestamp",
                                rep="resource", amount="amount_req", graph=bpi2012_graph(),
                                stage_map=_raw.BPI2012_STAGE_MAP)


def crm_opportunities() -> EventLog:
    """The public CRM opportunities sample (8,800 opportunities of a fictitious
    B2B hardware company) as a stage-change log; see ``crm_events`` for the
    event construction rule. Attributes: product, account, manager,
    regional_office."""
    ev = crm_events()
    return EventLog.from_pandas(ev, deal="deal", stage="stage", time="time", rep="rep",
                                amount="amount",
                                attributes=["product", "account", "manager", "regional_office"],
                                graph=crm_graph())
