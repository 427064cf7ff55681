"""salesfunnel: sales-funnel analytics that know how selling works.

>>> import salesfunnel as sf
>>> log = sf.datasets.bpi2012()
>>> sf.funnel(log).to_pandas()
"""

from . import _core
from ._errors import *  # noqa: F401,F403
from ._errors import __all__ as _errors_all
from .graph import StageGraph
from .log import EventLog
from .funnel import (FunnelReport, FunnelStats, GroupedFunnelReport, funnel, funnel_stats,
                     report_from_stats)
from . import templates, datasets

__version__ = _core.__version__

__all__ = ["StageGraph", "EventLog", "FunnelReport", "FunnelStats", "GroupedFunnelReport",
           "funnel", "funnel_stats", "report_from_stats", "templates", "datasets",
           "__version__", *_errors_all]
