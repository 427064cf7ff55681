"""Ready-made stage graphs."""

from __future__ import annotations

from . import _core
from .graph import StageGraph

__all__ = ["sales_cycle", "ten_commitments"]


def sales_cycle() -> StageGraph:
    """Lead -> Contact -> First Meeting -> Active Prospect -> Client -> Advocate,
    with Lost / No Decision / Disqualified exits and a Nurture stage.

    >>> sf.templates.sales_cycle().main_path
    """
    return StageGraph._wrap(_core.sales_cycle())


def ten_commitments() -> StageGraph:
    """The ten buyer commitments (time, explore, change, collaborate, build
    consensus, invest, review, resolve concerns, decide, execute) as the edges
    of a B2B process, with Lost, No Decision and Nurture exits.

    >>> sf.templates.ten_commitments().stages
    """
    return StageGraph._wrap(_core.ten_commitments())
