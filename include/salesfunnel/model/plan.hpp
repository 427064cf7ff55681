// Reverse planning: from a goal to the entries needed at every stage.
//
//   auto rows = salesfunnel::plan(model, 3, salesfunnel::plan_period::week, 0.8);
//   // "to close 3 a week you need rows[i].entries_needed deals entering stage i
//   //  a week, starting rows[i].lag_periods weeks earlier"
//
// Mean plan: a deal entering stage s wins with probability w_s = P(won | s),
// so g wins a period need g / w_s entries a period; the ones that win do so
// on average expected_days_to_win[s] later (the lag: the chain conditioned on
// ending won, so losses that end early do not shorten it). With a
// probability p, the entries are the smallest n with
// P(Binomial(n, w_s) >= ceil(g)) >= p: enough to hit the goal in a given
// period with probability p, not only on average. n is found by bisection
// (exact sums up to a goal of 100,000 wins, the normal approximation with a
// continuity correction beyond), so any goal takes bounded time.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/model/markov.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

enum class plan_period : std::uint8_t { week, month, quarter };

/// "week", "month" or "quarter"; InvalidArgument lists them.
inline absl::StatusOr<plan_period> parse_plan_period(std::string_view p) {
  if (p == "week") return plan_period::week;
  if (p == "month") return plan_period::month;
  if (p == "quarter") return plan_period::quarter;
  return absl::InvalidArgumentError(
      absl::StrCat("per must be 'week', 'month' or 'quarter', got '", detail::av(p), "'"));
}

/// Days in a period (a month is 365.25 / 12 days).
inline double period_days(plan_period p) {
  switch (p) {
    case plan_period::week: return 7.0;
    case plan_period::month: return 365.25 / 12.0;
    case plan_period::quarter: return 365.25 / 4.0;
  }
  return 7.0;
}

struct plan_row {
  stage_id stage = 0;
  double win_probability = 0;  ///< P(won | entering this stage)
  double entries_needed = std::numeric_limits<double>::infinity();  ///< per period, on average
  /// Per period, to reach the goal with the requested probability (NaN when
  /// none was requested; infinite when the stage never wins).
  double entries_needed_at_probability = std::numeric_limits<double>::quiet_NaN();
  /// Expected days from entering the stage to the win, for the deals that
  /// win (absorption_result::expected_days_to_win): how early to start.
  double lag_days = std::numeric_limits<double>::quiet_NaN();
  double lag_periods = std::numeric_limits<double>::quiet_NaN();  ///< the same in periods
};

namespace detail {

/// P(Binomial(n, w) >= g), summing the pmf in log space.
inline double binomial_at_least(std::int64_t n, double w, std::int64_t g) {
  if (g <= 0) return 1.0;
  if (n < g) return 0.0;
  if (w >= 1.0) return 1.0;
  if (w <= 0.0) return 0.0;
  // 1 - P(X <= g - 1)
  double cdf = 0;
  for (std::int64_t k = 0; k < g; ++k) {
    const double logp = std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
                        std::lgamma(static_cast<double>(n - k) + 1) + static_cast<double>(k) * std::log(w) +
                        static_cast<double>(n - k) * std::log1p(-w);
    cdf += std::exp(logp);
  }
  return std::max(0.0, 1.0 - cdf);
}

/// The smallest n with P(Binomial(n, w) >= g) >= p (0 < w <= 1, g >= 1).
inline double entries_at_probability(std::int64_t g, double w, double p) {
  if (w >= 1.0) return static_cast<double>(g);
  constexpr std::int64_t exact_limit = 100000;
  auto enough = [&](std::int64_t n) {
    if (g > exact_limit) {
      const double nn = static_cast<double>(n), mean = nn * w, sd = std::sqrt(nn * w * (1 - w));
      return 0.5 * std::erfc((static_cast<double>(g) - 0.5 - mean) / (sd * std::sqrt(2.0))) >= p;
    }
    return binomial_at_least(n, w, g) >= p;
  };
  // Bracket, then bisect: P(X >= g) grows with n.
  std::int64_t lo = g - 1, hi = std::max<std::int64_t>(g, static_cast<std::int64_t>(std::ceil(static_cast<double>(g) / w)));
  const auto cap = std::numeric_limits<std::int64_t>::max() / 4;
  while (!enough(hi)) {
    lo = hi;
    if (hi > cap / 2) return std::numeric_limits<double>::infinity();
    hi *= 2;
  }
  while (hi - lo > 1) {
    const auto mid = lo + (hi - lo) / 2;
    (enough(mid) ? hi : lo) = mid;
  }
  return static_cast<double>(hi);
}

}  // namespace detail

/// Entries needed per period at every stage that can still win, for
/// `goal_wins` wins per period; `probability` in (0, 1) adds the
/// hit-with-this-probability column.
inline absl::StatusOr<std::vector<plan_row>> plan(const markov_model& m, double goal_wins,
                                                  double period_days,
                                                  std::optional<double> probability = std::nullopt) {
  if (!(period_days > 0 && std::isfinite(period_days))) {
    return absl::InvalidArgumentError(absl::StrCat("the period must be a finite number of days > 0, got ", period_days));
  }
  if (!(goal_wins > 0) || !(goal_wins <= 1e15)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the goal must be a number of wins in (0, 1e15], got ", goal_wins));
  }
  if (probability && !(*probability > 0 && *probability < 1)) {
    return absl::InvalidArgumentError(absl::StrCat("probability must be in (0, 1), got ", *probability));
  }
  SALESFUNNEL_ASSIGN_OR_RETURN(auto a, m.analyze());
  std::vector<plan_row> rows;
  const double days = period_days;
  const auto g = static_cast<std::int64_t>(std::ceil(goal_wins - 1e-9));
  for (stage_id s = 0; s < m.num_stages(); ++s) {
    if (m.ends_chain(s)) continue;
    plan_row r;
    r.stage = s;
    r.win_probability = a.win_probability[static_cast<std::size_t>(s)];
    r.lag_days = a.expected_days_to_win[static_cast<std::size_t>(s)];
    r.lag_periods = r.lag_days / days;
    if (r.win_probability > 0) r.entries_needed = goal_wins / r.win_probability;
    if (probability) {
      if (r.win_probability <= 0) {
        r.entries_needed_at_probability = std::numeric_limits<double>::infinity();
      } else {
        r.entries_needed_at_probability = detail::entries_at_probability(g, r.win_probability, *probability);
      }
    }
    rows.push_back(r);
  }
  return rows;
}

/// The same for a week, month or quarter.
inline absl::StatusOr<std::vector<plan_row>> plan(const markov_model& m, double goal_wins,
                                                  plan_period period,
                                                  std::optional<double> probability = std::nullopt) {
  return plan(m, goal_wins, period_days(period), probability);
}

SALESFUNNEL_END_NAMESPACE
