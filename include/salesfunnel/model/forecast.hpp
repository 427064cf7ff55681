// Monte Carlo forecast: the open pipeline and new leads run through the model.
//
//   salesfunnel::forecast_options o;
//   o.horizon_days = 90; o.trials = 10000; o.seed = 1; o.quota = 40;
//   auto f = salesfunnel::forecast(model, salesfunnel::open_deals_of(model, log), o);
//   // f->wins_p10, f->wins_p50, f->wins_p90, f->p_hit_quota
//
// Each open deal starts in its current stage; each new lead arrives at the
// entry stage after exponential gaps (a Poisson process at leads_per_week).
// A deal stays in a stage for an exponential time with the stage's mean
// dwell days — memoryless, so the days a deal has already spent there do not
// change its remaining stay under this model — then moves by the model's
// transition probabilities, until it is won or lost or the horizon passes.
// Trial t draws from its own generator, seeded from (seed, t) by splitmix64,
// so results are bitwise identical for any number of threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/detail/parallel.hpp"
#include "salesfunnel/detail/random.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/model/markov.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// An open deal to forecast: its current stage and amount (NaN: unknown).
struct open_deal {
  stage_id stage = 0;
  double amount = std::numeric_limits<double>::quiet_NaN();
};

/// The open deals of a log at `as_of` (core/outcome.hpp: no outcome yet;
/// parked deals included, since the model lets them re-engage; deals gone
/// dark under the model's staleness are lost and left out).
inline std::vector<open_deal> open_deals_of(const markov_model& m, const event_log& log,
                                            std::optional<std::int64_t> as_of = std::nullopt) {
  std::vector<open_deal> out;
  if (!log.graph()) return out;
  const auto facts = deal_facts_of(log, *log.graph(), as_of, m.stale());
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto& f = facts[k];
    if (f.empty || !is_open(f.state) || f.went_dark || f.final_stage >= m.num_stages()) continue;
    out.push_back(open_deal{f.final_stage, log.has_amount() ? log.deal_amount()[k]
                                                            : std::numeric_limits<double>::quiet_NaN()});
  }
  return out;
}

struct forecast_options {
  double horizon_days = 90;
  std::int64_t trials = 10000;
  std::uint64_t seed = 1;
  double leads_per_week = 0;  ///< new leads entering the entry stage
  /// Amount of a new lead's deal (NaN: counts as a win, adds no revenue).
  double new_deal_amount = std::numeric_limits<double>::quiet_NaN();
  double quota = std::numeric_limits<double>::quiet_NaN();  ///< wins, for p_hit_quota
  double period_days = 7;  ///< wins are also counted per period of this length
  int threads = 0;
  /// Called between blocks of trials with (done, total); returning false cancels.
  std::function<bool(std::int64_t, std::int64_t)> progress;
};

struct forecast_result {
  std::int64_t trials = 0;
  std::int32_t periods = 0;
  std::vector<double> wins;     ///< [trials] wins within the horizon
  std::vector<double> revenue;  ///< [trials]
  std::vector<std::int32_t> wins_by_period;  ///< [trials x periods]
  double mean_wins = 0, wins_p10 = 0, wins_p50 = 0, wins_p90 = 0;
  double mean_revenue = 0, revenue_p10 = 0, revenue_p50 = 0, revenue_p90 = 0;
  double p_hit_quota = std::numeric_limits<double>::quiet_NaN();
};


namespace detail {

inline absl::Status check_forecast_options(const forecast_options& opt) {
  // Bounded inputs keep the work bounded: an infinite lead rate or horizon would never end.
  if (!(opt.horizon_days > 0 && std::isfinite(opt.horizon_days))) {
    return absl::InvalidArgumentError(absl::StrCat("horizon_days must be a finite number > 0, got ", opt.horizon_days));
  }
  if (opt.trials < 1 || opt.trials > 100000000) {
    return absl::InvalidArgumentError(absl::StrCat("trials must be in [1, 1e8], got ", opt.trials));
  }
  if (!(opt.leads_per_week >= 0 && std::isfinite(opt.leads_per_week))) {
    return absl::InvalidArgumentError(absl::StrCat("leads_per_week must be a finite number >= 0, got ", opt.leads_per_week));
  }
  if (opt.leads_per_week * opt.horizon_days / 7 > 1e8) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leads_per_week x horizon gives ", opt.leads_per_week * opt.horizon_days / 7,
        " new leads per trial; at most 1e8 (shorten the horizon or lower the rate)"));
  }
  if (!(opt.period_days > 0 && std::isfinite(opt.period_days))) {
    return absl::InvalidArgumentError(absl::StrCat("period_days must be a finite number > 0, got ", opt.period_days));
  }
  if (opt.horizon_days / opt.period_days > 10000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "horizon_days / period_days gives ", opt.horizon_days / opt.period_days,
        " periods; at most 10000 (use a longer period_days)"));
  }
  if (std::isinf(opt.new_deal_amount) || opt.new_deal_amount < 0) {
    return absl::InvalidArgumentError(absl::StrCat("new_deal_amount must be finite and >= 0 (or NaN), got ", opt.new_deal_amount));
  }
  return absl::OkStatus();
}

/// The chain as the walk reads it: per stage, whether it ends the chain,
/// whether ending there is a win, the mean dwell and the next-stage draws.
struct forecast_walker {
  std::vector<char> ends, wins_here;
  std::vector<double> dwell;
  std::vector<std::vector<std::pair<double, std::int32_t>>> next;
  stage_id entry = 0;

  explicit forecast_walker(const markov_model& m) {
    const auto S = static_cast<std::size_t>(m.num_stages());
    next = cumulative_rows(m.transition_matrix(), S);
    ends.resize(S);
    wins_here.resize(S);
    dwell.resize(S);
    for (std::size_t a = 0; a < S; ++a) {  // hoisted: kind_of goes through the graph
      ends[a] = m.ends_chain(static_cast<stage_id>(a));
      wins_here[a] = m.absorbed_win(static_cast<stage_id>(a)) > 0;
      dwell[a] = m.dwell_days()[a];
    }
    entry = m.graph().entry();
  }

  /// One trial: every open deal, then the new leads, walked to the horizon.
  void run_trial(std::int64_t t, std::span<const open_deal> deals, const forecast_options& opt,
                 forecast_result& r) const {
    std::mt19937_64 rng(splitmix64(opt.seed ^ splitmix64(static_cast<std::uint64_t>(t))));
    double wins = 0, revenue = 0;
    std::int32_t* by_period = r.wins_by_period.data() + t * r.periods;
    auto walk = [&](stage_id s, double now, double amount) {
      for (int step = 0; step < 100000; ++step) {
        const auto a = static_cast<std::size_t>(s);
        if (ends[a]) {
          if (!wins_here[a] || now > opt.horizon_days) return;
          wins += 1;
          if (!std::isnan(amount)) revenue += amount;
          ++by_period[std::min<std::int64_t>(static_cast<std::int64_t>(now / opt.period_days), r.periods - 1)];
          return;
        }
        now += exponential(rng, dwell[a]);
        if (now > opt.horizon_days) return;
        s = draw_next(rng, next[a]);
      }
    };
    for (const auto& d : deals) walk(d.stage, 0.0, d.amount);
    if (opt.leads_per_week > 0) {
      const double gap = 7.0 / opt.leads_per_week;
      for (double at = exponential(rng, gap); at <= opt.horizon_days; at += exponential(rng, gap)) {
        walk(entry, at, opt.new_deal_amount);
      }
    }
    r.wins[static_cast<std::size_t>(t)] = wins;
    r.revenue[static_cast<std::size_t>(t)] = revenue;
  }
};

/// Mean and the 10th, 50th and 90th percentiles of per-trial values.
inline void summarize_trials(std::vector<double> v, double& mean, double& p10, double& p50, double& p90) {
  double sum = 0;
  for (double x : v) sum += x;
  mean = sum / static_cast<double>(v.size());
  std::sort(v.begin(), v.end());
  p10 = quantile_sorted(v, 0.1);
  p50 = quantile_sorted(v, 0.5);
  p90 = quantile_sorted(v, 0.9);
}

}  // namespace detail

inline absl::StatusOr<forecast_result> forecast(const markov_model& m,
                                                std::span<const open_deal> deals,
                                                const forecast_options& opt = {}) {
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_forecast_options(opt));
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_absorbing_reachable(m));
  for (std::size_t i = 0; i < deals.size(); ++i) {
    if (!m.graph().contains(deals[i].stage)) {
      return absl::OutOfRangeError(absl::StrCat("open deal ", i, ": stage ", deals[i].stage, " is not in the model"));
    }
  }
  const detail::forecast_walker walker(m);
  forecast_result r;
  r.trials = opt.trials;
  r.periods = static_cast<std::int32_t>(std::ceil(opt.horizon_days / opt.period_days));
  r.wins.assign(static_cast<std::size_t>(opt.trials), 0.0);
  r.revenue.assign(static_cast<std::size_t>(opt.trials), 0.0);
  r.wins_by_period.assign(static_cast<std::size_t>(opt.trials) * static_cast<std::size_t>(r.periods), 0);
  const int threads = detail::resolve_threads(opt.threads);
  const std::int64_t block = 1000;
  for (std::int64_t done = 0; done < opt.trials; done += block) {
    const std::int64_t n = std::min(block, opt.trials - done);
    detail::parallel_chunks(n, threads, threads, [&](std::int64_t b, std::int64_t e, int) {
      for (auto i = b; i < e; ++i) walker.run_trial(done + i, deals, opt, r);
    });
    if (opt.progress && !opt.progress(done + n, opt.trials)) {
      return absl::CancelledError(absl::StrCat("forecast cancelled after ", done + n, " of ", opt.trials, " trials"));
    }
  }
  detail::summarize_trials(r.wins, r.mean_wins, r.wins_p10, r.wins_p50, r.wins_p90);
  detail::summarize_trials(r.revenue, r.mean_revenue, r.revenue_p10, r.revenue_p50, r.revenue_p90);
  if (!std::isnan(opt.quota)) {
    std::int64_t hit = 0;
    for (double w : r.wins) hit += w >= opt.quota;
    r.p_hit_quota = static_cast<double>(hit) / static_cast<double>(r.trials);
  }
  return r;
}

SALESFUNNEL_END_NAMESPACE
