// Synthetic event logs with known true transition probabilities and dwell
// times, for tests, benchmarks and teaching.
//
//   auto truth = salesfunnel::markov_model::from_probabilities(g, probs, dwell);
//   auto cols = salesfunnel::synthetic_events(*truth, 100000, /*seed=*/1);
//   // cols.deal, cols.stage (graph stage ids), cols.time (seconds)
//
// Each deal enters the entry stage at a uniform time in [0, spread_days),
// stays in each stage an exponential time with the stage's mean dwell days,
// and moves by the model's probabilities until it is won or lost. A deal
// whose next move would come after `as_of_days` stops there: it is open,
// exactly as real data is censored. Rows can be shuffled.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include <absl/status/statusor.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/time.hpp"
#include "salesfunnel/detail/random.hpp"
#include "salesfunnel/model/markov.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

struct synthetic_options {
  double spread_days = 365;  ///< entries spread uniformly over this many days
  double as_of_days = std::numeric_limits<double>::infinity();  ///< censoring time
  bool shuffle = true;       ///< return rows in random order
};

/// Columns of a synthetic log: deal ids 0..n-1, graph stage ids, times in seconds.
struct synthetic_columns {
  std::vector<std::int64_t> deal;
  std::vector<std::int64_t> stage;
  std::vector<std::int64_t> time;
};

inline absl::StatusOr<synthetic_columns> synthetic_events(const markov_model& truth,
                                                          std::int64_t n_deals, std::uint64_t seed,
                                                          const synthetic_options& opt = {}) {
  if (n_deals < 0) return absl::InvalidArgumentError("n_deals must be >= 0");
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_absorbing_reachable(truth));
  const auto S = static_cast<std::size_t>(truth.num_stages());
  std::mt19937_64 rng(detail::splitmix64(seed));
  const auto next = detail::cumulative_rows(truth.transition_matrix(), S);
  synthetic_columns c;
  const stage_id entry = truth.graph().entry();
  for (std::int64_t d = 0; d < n_deals; ++d) {
    double now = detail::uniform01(rng) * opt.spread_days;
    stage_id s = entry;
    for (int step = 0; step < 100000; ++step) {
      c.deal.push_back(d);
      c.stage.push_back(s);
      c.time.push_back(static_cast<std::int64_t>(std::llround(now * static_cast<double>(seconds_per_day))));
      if (truth.ends_chain(s)) break;
      now += detail::exponential(rng, truth.dwell_days()[static_cast<std::size_t>(s)]);
      if (now > opt.as_of_days) break;
      s = detail::draw_next(rng, next[static_cast<std::size_t>(s)]);
    }
  }
  if (opt.shuffle) {
    for (std::size_t i = c.deal.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(detail::uniform01(rng) * static_cast<double>(i));
      std::swap(c.deal[i - 1], c.deal[j]);
      std::swap(c.stage[i - 1], c.stage[j]);
      std::swap(c.time[i - 1], c.time[j]);
    }
  }
  return c;
}

SALESFUNNEL_END_NAMESPACE
