// A window-funnel report: a row per step and a conversion curve per step.
//
//   auto stats = salesfunnel::compute_window_stats(log, spec);
//   auto rep = salesfunnel::make_window_report(*stats);
//   rep.steps[1].conversion.estimate;   // step 1 -> 2 over mature deals
//   rep.curve[2][13];                   // share at step 3 within 14 buckets (days)
//
// Row j (steps from 0): `entered` deals reached step j-1 (row 0: step 0
// itself), `converted` also did step j within the window, `immature` did
// not yet but their window is still open at as_of. Conversion is over the
// mature deals (entered - immature), so a recent entrant is never counted as
// dropped; the cumulative conversion from step 0 is the same over deals whose
// outcome at step j is known. The curves are Kaplan-Meier estimates with
// immature deals censored when as_of falls in their window.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/stats/funnel_stats.hpp"
#include "salesfunnel/stats/interval.hpp"
#include "salesfunnel/stats/window_funnel.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

struct window_step_row {
  std::string step;
  std::int64_t entered = 0;
  std::int64_t converted = 0;
  std::int64_t immature = 0;
  std::int64_t mature = 0;
  interval conversion;  ///< converted / mature (Wilson 95%)
  interval cumulative;  ///< from step 0, over deals whose outcome at this step is known
  /// From step 0 by the end of the window, Kaplan-Meier (immature deals
  /// censored): the censoring-correct figure for recent cohorts, where
  /// `cumulative` leans high (early converters inside open windows count).
  double km_cumulative = std::numeric_limits<double>::quiet_NaN();
  /// Days to do this step from the previous one and from step 0 (NaN on row 0
  /// or when no deal did it); 2% sketch precision.
  double median_days_from_previous = std::numeric_limits<double>::quiet_NaN();
  double p90_days_from_previous = std::numeric_limits<double>::quiet_NaN();
  double median_days_from_first = std::numeric_limits<double>::quiet_NaN();
  double p90_days_from_first = std::numeric_limits<double>::quiet_NaN();
};

struct window_funnel_report {
  std::vector<window_step_row> steps;
  step_order order = step_order::ordered;
  double within_days = 0;
  std::int64_t as_of = 0;  ///< in the log's unit
  std::int64_t deals = 0;  ///< deals with an event by as_of, entered or not
  /// Curve buckets: bucket b covers (b, b + 1] x bucket_days after step 0.
  double bucket_days = 1;
  /// [k][B] share of step-0 entrants that did step j within (b + 1) buckets.
  std::vector<std::vector<double>> curve;
  /// [k][B] deals that did step j in bucket b (a histogram of time from step 0).
  std::vector<std::vector<std::int64_t>> histogram;
  std::vector<std::string> warnings;
};

namespace detail {

inline double sketch_days(const duration_sketch& d, double q) {
  return d.observed() ? seconds_to_days(d.km_quantile(q)) : std::numeric_limits<double>::quiet_NaN();
}

/// Kaplan-Meier share converted to step j by the end of each bucket: events
/// are deals doing step j, censored are immature deals below step j at the
/// bucket as_of falls in; mature non-converters stay at risk to the end.
inline std::vector<double> window_curve(const window_funnel_stats& s, std::size_t j, std::int64_t entrants) {
  const auto B = s.num_buckets();
  std::vector<double> out(B, j == 0 ? 1.0 : 0.0);
  if (j == 0 || entrants == 0) return out;
  double at_risk = static_cast<double>(entrants), survival = 1.0;
  for (std::size_t b = 0; b < B; ++b) {
    const double events = static_cast<double>(s.converted_at[j * B + b]);
    double censored = 0;
    for (std::size_t l = 1; l <= j; ++l) censored += static_cast<double>(s.open_censored[l * B + b]);
    if (events > 0 && at_risk > 0) survival *= 1.0 - events / at_risk;
    out[b] = 1.0 - survival;
    at_risk -= events + censored;
  }
  return out;
}

inline window_step_row window_row(const window_funnel_stats& s, std::size_t j,
                                  const std::vector<std::int64_t>& reached, std::int64_t open_below) {
  window_step_row r;
  r.step = s.step_labels[j];
  r.entered = reached[j == 0 ? 0 : j - 1];
  r.converted = reached[j];
  r.immature = j == 0 ? 0 : s.open_by_level[j];
  r.mature = r.entered - r.immature;
  r.conversion = wilson(r.converted, r.mature);
  r.cumulative = wilson(r.converted, reached[0] - open_below);
  if (j > 0) {
    r.median_days_from_previous = sketch_days(s.from_previous[j], 0.5);
    r.p90_days_from_previous = sketch_days(s.from_previous[j], 0.9);
    r.median_days_from_first = sketch_days(s.from_first[j], 0.5);
    r.p90_days_from_first = sketch_days(s.from_first[j], 0.9);
  }
  return r;
}

inline std::vector<std::string> window_warnings(const window_funnel_report& rep) {
  std::vector<std::string> w;
  if (rep.steps.empty() || rep.steps[0].entered == 0) {
    w.push_back("No deal entered the first step by as_of.");
    return w;
  }
  std::int64_t immature = 0;
  for (const auto& r : rep.steps) immature += r.immature;
  if (immature > 0) {
    w.push_back(absl::StrCat(immature, " deals are still inside their window at as_of: counted as immature, "
                                       "not as dropped."));
  }
  for (std::size_t j = 1; j < rep.steps.size(); ++j) {
    if (rep.steps[j].converted == 0) {
      w.push_back(absl::StrCat("No deal completed step '", rep.steps[j].step, "' within the window."));
      break;
    }
  }
  return w;
}

}  // namespace detail

/// The report of window-funnel statistics.
inline window_funnel_report make_window_report(const window_funnel_stats& s) {
  window_funnel_report rep;
  const auto k = s.num_steps();
  rep.order = s.order;
  rep.within_days = seconds_to_days(static_cast<double>(s.within_seconds));
  rep.as_of = s.as_of;
  rep.deals = s.deals;
  rep.bucket_days = seconds_to_days(static_cast<double>(s.bucket_seconds));
  std::vector<std::int64_t> reached(k, 0);  // deals that did step j
  for (std::size_t j = k; j-- > 0;) {
    reached[j] = s.open_by_level[j + 1] + s.closed_by_level[j + 1] + (j + 1 < k ? reached[j + 1] : 0);
  }
  std::int64_t open_below = 0;  // immature deals below step j
  const auto B = s.num_buckets();
  for (std::size_t j = 0; j < k; ++j) {
    if (j > 0) open_below += s.open_by_level[j];
    rep.steps.push_back(detail::window_row(s, j, reached, open_below));
    rep.curve.push_back(detail::window_curve(s, j, reached.empty() ? 0 : reached[0]));
    if (!rep.curve.back().empty() && reached[0] > 0) rep.steps.back().km_cumulative = rep.curve.back().back();
    rep.histogram.emplace_back(s.converted_at.begin() + static_cast<std::ptrdiff_t>(j * B),
                               s.converted_at.begin() + static_cast<std::ptrdiff_t>((j + 1) * B));
  }
  rep.warnings = detail::window_warnings(rep);
  return rep;
}

/// One report per group, in the groups' label order.
struct grouped_window_report {
  std::string by;
  std::vector<std::string> labels;
  std::vector<window_funnel_report> reports;
};

inline grouped_window_report make_grouped_window_report(const grouped_stats<window_funnel_stats>& g) {
  grouped_window_report out;
  out.by = g.by;
  out.labels = g.labels;
  for (const auto& s : g.stats) out.reports.push_back(make_window_report(s));
  return out;
}

SALESFUNNEL_END_NAMESPACE
