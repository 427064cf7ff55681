// salesfunnel: sales-funnel analytics over a stage graph. The umbrella header:
// every layer, from the core up. Include a single header instead to pay only
// for what you use (docs/api-cpp.md maps them).
#pragma once

#include "salesfunnel/config.hpp"
// core: the graph, the event log, the outcome rule
#include "salesfunnel/core/activity.hpp"
#include "salesfunnel/core/columns.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/discover.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/outcome.hpp"
#include "salesfunnel/core/serialize.hpp"
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/core/templates.hpp"
#include "salesfunnel/core/time.hpp"
// stats: mergeable statistics and the funnel report
#include "salesfunnel/stats/duration_sketch.hpp"
#include "salesfunnel/stats/funnel_report.hpp"
#include "salesfunnel/stats/funnel_stats.hpp"
#include "salesfunnel/stats/deal_set.hpp"
#include "salesfunnel/stats/interval.hpp"
#include "salesfunnel/stats/live_funnel.hpp"
#include "salesfunnel/stats/serialize.hpp"
#include "salesfunnel/stats/waterfall.hpp"
#include "salesfunnel/stats/window_funnel.hpp"
#include "salesfunnel/stats/window_report.hpp"
// model: the absorbing chain and what-ifs
#include "salesfunnel/model/chains.hpp"
#include "salesfunnel/model/forecast.hpp"
#include "salesfunnel/model/markov.hpp"
#include "salesfunnel/model/plan.hpp"
#include "salesfunnel/model/scenario.hpp"
#include "salesfunnel/model/serialize.hpp"
#include "salesfunnel/model/synthetic.hpp"
// methodology: how selling works
#include "salesfunnel/methodology/accountability.hpp"
#include "salesfunnel/methodology/audit.hpp"
#include "salesfunnel/methodology/batches.hpp"
#include "salesfunnel/methodology/conversations.hpp"
#include "salesfunnel/methodology/coverage.hpp"
#include "salesfunnel/methodology/reps.hpp"
// io: graph JSON and DOT, Boost.Graph
#include "salesfunnel/io/boost_graph.hpp"
#include "salesfunnel/io/graph_json.hpp"
