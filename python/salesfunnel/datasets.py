"""Bundled datasets, each an EventLog with a ready stage graph."""

from __future__ import annotations

from . import _datasets_raw as _raw
from ._datasets_raw import bpi2012_frame, crm_events, crm_frame
from .graph import StageGraph
from .log import EventLog

__all__ = ["bpi2012", "crm_opportunities", "synthetic", "bpi2012_frame", "crm_frame", "crm_events",
           "bpi2012_graph", "bpi2012_stage_map", "crm_graph"]


def bpi2012_graph() -> StageGraph:
    """The BPI 2012 application funnel: Submitted -> Partly submitted ->
    Pre-accepted -> Accepted -> Finalized -> Approved, exits Declined, Cancelled.

    >>> sf.datasets.bpi2012_graph().main_path
    """
    return StageGraph.from_json(_raw.BPI2012_GRAPH)


def bpi2012_stage_map() -> dict[str, str]:
    """How BPI 2012's raw activities (``bpi2012_frame()["activity"]``) fold
    into the stages of :func:`bpi2012_graph`, for ``stage_map=``.

    >>> sf.datasets.bpi2012_stage_map()["A_SUBMITTED"]      # 'Submitted'
    """
    return dict(_raw.BPI2012_STAGE_MAP)


def crm_graph() -> StageGraph:
    """Prospecting -> Engaging -> Won, exit Lost.

    >>> sf.datasets.crm_graph().stages     # ['Prospecting', 'Engaging', 'Won', 'Lost']
    """
    return StageGraph.from_json(_raw.CRM_GRAPH)


def bpi2012() -> EventLog:
    """The BPI Challenge 2012 loan-application funnel (13,087 applications;
    B.F. van Dongen, DOI 10.4121/uuid:3926db30-f712-4394-aebc-75976070e91f,
    CC BY 4.0). A_APPROVED, A_REGISTERED and A_ACTIVATED fold into "Approved";
    reps are the event resources, amounts the requested amounts.

    >>> sf.datasets.bpi2012().num_deals      # 13087
    """
    df = bpi2012_frame()
    return EventLog.from_pandas(df, deal="case_id", stage="activity", time="timestamp",
                                rep="resource", amount="amount_req", graph=bpi2012_graph(),
                                stage_map=_raw.BPI2012_STAGE_MAP)


def crm_opportunities() -> EventLog:
    """The public CRM opportunities sample (8,800 opportunities of a fictitious
    B2B hardware company) as a stage-change log; see ``crm_events`` for the
    event construction rule. Attributes: product, account, manager,
    regional_office.

    >>> sf.datasets.crm_opportunities().num_deals   # 8800
    """
    ev = crm_events()
    return EventLog.from_pandas(ev, deal="deal", stage="stage", time="time", rep="rep",
                                amount="amount",
                                attributes=["product", "account", "manager", "regional_office"],
                                graph=crm_graph())


def synthetic(n_deals: int = 10_000, graph: StageGraph | None = None, seed: int = 0,
              probabilities: dict | None = None, dwell_days: dict | None = None,
              spread_days: float = 365, as_of_days: float | None = None, shuffle: bool = True):
    """A synthetic log with known true transition probabilities and dwell times.

    Returns (log, truth): the EventLog and the MarkovModel it was drawn from.
    Without ``probabilities``, every stage's graph out-edges share its exits
    evenly (the first, the forward one, gets twice the weight); without
    ``dwell_days``, every stage lasts 7 days on average. Deals enter uniformly
    over ``spread_days``; with ``as_of_days``, deals not closed by then are open.

    >>> log, truth = sf.datasets.synthetic(n_deals=1_000, seed=1)
    """
    import numpy as np

    from .model import MarkovModel

    graph = graph if graph is not None else __import__("salesfunnel").templates.sales_cycle()
    if probabilities is None:
        probabilities = {}
        t = graph.transitions
        for stage, kind in graph.kinds.items():
            if kind in ("won", "lost"):
                continue
            outs = t[t["from_stage"] == stage]["to_stage"].tolist()
            weights = [2.0] + [1.0] * (len(outs) - 1)
            for to, w in zip(outs, weights):
                probabilities[(stage, to)] = w / sum(weights)
    if dwell_days is None:
        dwell_days = {s: 7.0 for s in graph.stages}
    truth = MarkovModel.from_probabilities(graph, probabilities, dwell_days)
    deal, stage, time = _core_synthetic(truth, n_deals, seed, spread_days, as_of_days, shuffle)
    log = EventLog.from_arrays(deal=deal, stage=stage, time=time.astype("datetime64[s]"),
                               graph=graph)
    return log, truth


def _core_synthetic(truth, n, seed, spread, as_of, shuffle):
    from . import _core
    return _core.synthetic_events(truth._m, int(n), int(seed), float(spread),
                                  float("inf") if as_of is None else float(as_of), bool(shuffle))
