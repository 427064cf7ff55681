// The umbrella header: everything in the C++ API.
//
//   #include <salesfunnel/salesfunnel.hpp>
//   auto g = salesfunnel::templates::sales_cycle();
#pragma once

#include "salesfunnel/config.hpp"
#include "salesfunnel/stage_graph.hpp"
#include "salesfunnel/event_log.hpp"
#include "salesfunnel/funnel.hpp"
#include "salesfunnel/markov.hpp"
#include "salesfunnel/scenario.hpp"
#include "salesfunnel/plan.hpp"
#include "salesfunnel/forecast.hpp"
#include "salesfunnel/synthetic.hpp"
#include "salesfunnel/activity.hpp"
#include "salesfunnel/conversations.hpp"
#include "salesfunnel/pipeline.hpp"
#include "salesfunnel/coverage.hpp"
#include "salesfunnel/reps.hpp"
#include "salesfunnel/batches.hpp"
