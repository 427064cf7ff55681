// Analysis options from Python arguments: as_of, threads and staleness.
#pragma once

#include <pybind11/pybind11.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <salesfunnel/core/deal_facts.hpp>
#include <salesfunnel/stats/funnel_stats.hpp>

#include "status.hpp"

namespace salesfunnel_py {

/// Staleness in days: `days` (NaN: off) for every stage, `by_stage` per stage name.
using stale_by_stage = std::vector<std::pair<std::string, double>>;

inline salesfunnel::funnel_options funnel_options(const salesfunnel::event_log& log,
                                                  std::optional<std::int64_t> as_of, int threads,
                                                  double stale_days, const stale_by_stage& by_stage) {
  salesfunnel::funnel_options o;
  o.as_of = as_of;
  o.threads = threads;
  if (!std::isnan(stale_days) || !by_stage.empty()) {
    if (!log.graph()) raise_status(absl::FailedPreconditionError("stale_after needs a log with a stage graph"));
    o.stale = unwrap(salesfunnel::staleness::from_names(*log.graph(), stale_days, by_stage));
  }
  return o;
}

}  // namespace salesfunnel_py
