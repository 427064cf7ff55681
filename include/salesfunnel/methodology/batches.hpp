// Conversion per lead batch at every step, against target rates.
//
//   salesfunnel::batch_options b;
//   b.targets = {{"Lead", 0.7}, {"Contact", 0.5}};   // step rate wanted from each stage
//   auto rep = salesfunnel::lead_batches(log, "lead_batch", b);   // or "entry_week" / "entry_month"
//   for (const auto& s : rep->steps) { s.batch, s.from, s.rate, s.target, s.status }
//
// A batch is any attribute column of the log (a list bought, a campaign, a
// source) or the deals' entry week or month. Its rates are the funnel report's
// step conversions for the batch's deals (open deals censored). A young batch
// has had no time to convert, so its rates are provisional: it is marked
// immature and never judged against a target.
//
// Maturity, precisely: let T be the `maturity_quantile` (default 0.8) of the
// entry-to-won times of the log's won deals — 80% of wins close within T.
// A batch's age is as_of minus the median entry time of its deals. The batch
// is immature while its age is below T: most of its deals are younger than
// the time most wins take.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/stats/funnel_report.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

struct batch_options {
  /// Target step conversion per main-path stage (the step from that stage to
  /// the next), by stage name. Steps without a target are reported as such.
  std::vector<std::pair<std::string, double>> targets;
  /// Maturity: T is this quantile of the won deals' entry-to-won times.
  double maturity_quantile = 0.8;
  /// Overrides T, in days.
  std::optional<double> maturity_days;
  funnel_options funnel;  ///< as_of and threads
};

/// How a batch's step compares with its target.
enum class target_status : std::uint8_t {
  meets,      ///< rate >= target
  below,      ///< rate < target
  no_target,  ///< no target set for this step
  no_data,    ///< no deal of the batch has a known fate at this step
  immature,   ///< the batch is too young to judge
};

/// "meets", "below", "no_target", "no_data" or "immature".
inline std::string_view to_string(target_status s) {
  switch (s) {
    case target_status::meets: return "meets";
    case target_status::below: return "below";
    case target_status::no_target: return "no_target";
    case target_status::no_data: return "no_data";
    case target_status::immature: return "immature";
  }
  return "no_data";
}

/// One batch.
struct batch_info {
  std::string batch;
  std::int64_t deals = 0;
  std::int64_t won = 0, lost = 0, open = 0;
  std::int64_t median_entry_time = 0;  ///< in the log's unit
  double age_days = 0;                 ///< as_of - median entry time
  bool immature = false;
};

/// One batch at one step of the main path.
struct batch_step {
  std::string batch;
  std::string from, to;
  std::int64_t reached = 0;   ///< reached `from` (or beyond)
  std::int64_t advanced = 0;  ///< went on to `to` (or beyond)
  std::int64_t resolved = 0;  ///< advanced + closed at `from`: the rate's denominator
  std::int64_t open = 0;      ///< still open at `from` (censored)
  interval rate;              ///< advanced / resolved, Wilson 95%
  double target = std::numeric_limits<double>::quiet_NaN();
  target_status status = target_status::no_target;
};

struct batch_report {
  std::string by;
  std::int64_t as_of = 0;
  double maturity_days = std::numeric_limits<double>::quiet_NaN();  ///< T
  std::int64_t won_deals = 0;  ///< behind T (0 when given)
  std::vector<batch_info> batches;  ///< in label order
  std::vector<batch_step> steps;    ///< batch by batch, steps in main-path order
};

namespace detail {

/// Target step rate per main-path rank (NaN: none), from the options' stage names.
inline absl::StatusOr<std::vector<double>> batch_targets(const stage_graph& g, const batch_options& opt) {
  const auto path = g.main_path();
  std::vector<double> target(path.size(), std::numeric_limits<double>::quiet_NaN());
  for (const auto& [name, t] : opt.targets) {
    SALESFUNNEL_ASSIGN_OR_RETURN(stage_id s, g.id_of(name));
    const auto r = g.main_rank(s);
    if (r < 0 || static_cast<std::size_t>(r) + 1 >= path.size()) {
      return absl::InvalidArgumentError(absl::StrCat("target for '", name,
                                                     "': a target is the step rate from a main-path stage to the "
                                                     "next, and '", name, "' has no next main-path stage"));
    }
    if (!(t >= 0 && t <= 1)) {
      return absl::InvalidArgumentError(absl::StrCat("target for '", name, "' must be in [0, 1], got ", t));
    }
    target[static_cast<std::size_t>(r)] = t;
  }
  return target;
}

/// T: the given maturity_days, or the maturity quantile of the won deals'
/// entry-to-won days (nearest rank); sets out.maturity_days and out.won_deals.
inline absl::Status batch_maturity(const std::vector<deal_facts>& facts, double tpd, const batch_options& opt,
                                   batch_report& out) {
  if (opt.maturity_days) {
    out.maturity_days = *opt.maturity_days;
    return absl::OkStatus();
  }
  std::vector<double> cycles;
  for (const auto& f : facts) {
    if (!f.empty && f.won_time != null_time) cycles.push_back(static_cast<double>(f.won_time - f.entry_time) / tpd);
  }
  if (cycles.empty()) {
    return absl::FailedPreconditionError("no won deals to measure the typical time to convert; give maturity_days");
  }
  std::sort(cycles.begin(), cycles.end());
  const auto m = cycles.size();
  const auto idx = static_cast<std::size_t>(std::ceil(opt.maturity_quantile * static_cast<double>(m) - 1e-9));
  out.maturity_days = cycles[std::min(std::max<std::size_t>(idx, 1), m) - 1];
  out.won_deals = static_cast<std::int64_t>(m);
  return absl::OkStatus();
}

/// Per group of `grouped`, the entry times of its deals (for the median age).
inline absl::StatusOr<std::vector<std::vector<std::int64_t>>> batch_entries(
    const event_log& log, std::string_view by, const std::vector<deal_facts>& facts,
    const grouped_funnel_report& grouped) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const auto groups, group_deals(log, by));
  absl::flat_hash_map<std::string, std::size_t> group_of;
  for (std::size_t i = 0; i < grouped.groups.size(); ++i) group_of.emplace(grouped.groups[i], i);
  std::vector<std::vector<std::int64_t>> entries(grouped.groups.size());
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    if (facts[k].empty) continue;
    const auto code = groups.codes[k];
    const std::string& label = code >= 0 ? groups.labels[static_cast<std::size_t>(code)]
                                         : std::string(no_group_label);
    if (auto it = group_of.find(label); it != group_of.end()) entries[it->second].push_back(facts[k].entry_time);
  }
  return entries;
}

/// One batch's steps along the main path, judged against the targets.
inline void batch_steps(const funnel_report& rep, const batch_info& b, const stage_graph& g,
                        const std::vector<double>& target, std::vector<batch_step>& out) {
  const auto path = g.main_path();
  for (const auto& s : rep.stages) {
    if (s.main_rank < 0 || static_cast<std::size_t>(s.main_rank) + 1 >= path.size()) continue;
    batch_step st;
    st.batch = b.batch;
    st.from = s.name;
    st.to = g.name_of(path[static_cast<std::size_t>(s.main_rank) + 1]);
    st.reached = s.reached_or_beyond;
    st.advanced = s.advanced;
    st.resolved = s.advanced + s.dropped + s.closed_here;
    st.open = s.in_progress;
    st.rate = s.step_conversion;
    st.target = target[static_cast<std::size_t>(s.main_rank)];
    if (b.immature) st.status = target_status::immature;
    else if (std::isnan(st.target)) st.status = target_status::no_target;
    else if (st.resolved == 0) st.status = target_status::no_data;
    else st.status = st.rate.estimate >= st.target ? target_status::meets : target_status::below;
    out.push_back(std::move(st));
  }
}

}  // namespace detail

/// Conversion per batch at every step, against the targets, with young
/// batches marked immature. `by` is any grouping funnel_by takes: an
/// attribute column, or "entry_week" / "entry_month" (also "cohort_week" /
/// "cohort_month") for entry cohorts, or "rep".
///
///   auto rep = lead_batches(log, "entry_month", b);
inline absl::StatusOr<batch_report> lead_batches(const event_log& log, std::string_view by,
                                                 const batch_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  if (!(opt.maturity_quantile > 0 && opt.maturity_quantile <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("maturity_quantile must be in (0, 1], got ", opt.maturity_quantile));
  }
  if (opt.maturity_days && !(*opt.maturity_days >= 0 && std::isfinite(*opt.maturity_days))) {
    return absl::InvalidArgumentError(absl::StrCat("maturity_days must be a finite number >= 0, got ", *opt.maturity_days));
  }
  SALESFUNNEL_ASSIGN_OR_RETURN(const auto target, detail::batch_targets(*g, opt));
  SALESFUNNEL_ASSIGN_OR_RETURN(const auto grouped, funnel_by(log, by, opt.funnel));
  batch_report out;
  out.by = std::string(by);
  out.as_of = detail::resolve_as_of(log, opt.funnel.as_of);
  const double tpd = log.ticks_per_day();
  const auto facts = deal_facts_of(log, *g, out.as_of);
  SALESFUNNEL_RETURN_IF_ERROR(detail::batch_maturity(facts, tpd, opt, out));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto entries, detail::batch_entries(log, by, facts, grouped));
  for (std::size_t gi = 0; gi < grouped.groups.size(); ++gi) {
    const auto& rep = grouped.reports[gi];
    batch_info b;
    b.batch = grouped.groups[gi];
    b.deals = rep.deals;
    b.won = rep.won;
    b.lost = rep.lost;
    b.open = rep.open;
    auto& e = entries[gi];
    if (!e.empty()) {
      std::sort(e.begin(), e.end());
      b.median_entry_time = e[(e.size() - 1) / 2];
      b.age_days = static_cast<double>(elapsed(out.as_of, b.median_entry_time)) / tpd;
    }
    b.immature = b.age_days < out.maturity_days;
    detail::batch_steps(rep, b, *g, target, out.steps);
    out.batches.push_back(std::move(b));
  }
  return out;
}

SALESFUNNEL_END_NAMESPACE
