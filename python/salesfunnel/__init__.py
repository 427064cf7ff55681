"""salesfunnel: sales-funnel analytics that know how selling works.

>>> import salesfunnel as sf
>>> log = sf.datasets.bpi2012()
>>> sf.funnel(log).to_pandas()
>>> sf.plots.funnel_chart(sf.funnel(log))       # matplotlib loads here, not at import
"""

from . import _core
from ._errors import *  # noqa: F401,F403
from ._errors import __all__ as _errors_all
from .graph import StageGraph
from .log import EventLog, read_events
from .funnel import (FunnelReport, FunnelStats, GroupedFunnelReport, GroupedFunnelStats, Waterfall,
                     funnel, funnel_stats, report_from_stats, waterfall)
from .model import Forecast, MarkovChains, MarkovModel, Scenario, compare
from .live import LiveFunnel
from .window import (GroupedWindowFunnel, WindowFunnel, WindowFunnelStats, window_funnel,
                     window_funnel_stats)
from . import templates, datasets
from .methodology import (Audit, GreatConversations, MeetingLog, audit, batches,
                          buyer_accountability, compare_reps, coverage, great_conversations,
                          meetings, plan_great_conversations, reallocate_leads, rules)

__version__ = _core.__version__


def __getattr__(name: str):
    # sf.plots is imported on first use; matplotlib itself loads only when a picture is drawn.
    if name == "plots":
        import importlib
        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "plots"])

__all__ = ["StageGraph", "EventLog", "read_events", "FunnelReport", "FunnelStats", "GroupedFunnelReport",
           "GroupedFunnelStats",
           "funnel", "funnel_stats", "report_from_stats", "waterfall", "Waterfall", "LiveFunnel",
           "templates",
           "datasets",
           "__version__", "MarkovModel", "MarkovChains", "Scenario", "Forecast", "compare", "great_conversations", "GreatConversations", "meetings", "MeetingLog",
           "rules", "audit", "Audit", "buyer_accountability", "coverage", "compare_reps",
           "reallocate_leads", "batches", "plan_great_conversations", "window_funnel",
           "window_funnel_stats", "WindowFunnel", "GroupedWindowFunnel", "WindowFunnelStats",
           *_errors_all]
