// Pipeline coverage and sales velocity, per rep and for the team.
//
//   salesfunnel::coverage_options c;
//   c.team_quota = 1000;
//   c.period_start = start_of_quarter;                       // booked = won since then
//   auto audit = salesfunnel::audit_pipeline(log, &meetings); // optional: qualified pipeline
//   auto cov = salesfunnel::coverage(log, c, &*audit);
//   // cov->team.coverage_raw, .coverage_qualified, .required_coverage (1 / win rate), .velocity_raw
//
// coverage          = open pipeline value / remaining quota (raw, and qualified by the audit)
// required coverage = 1 / win rate (a 50% win rate needs 2x)
// sales velocity    = opportunities x win rate x average deal size / cycle length (value per day)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/stats/interval.hpp"
#include "salesfunnel/methodology/audit.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// A rep's quota for the period.
struct rep_quota {
  std::string rep;
  double quota = 0;
};

struct coverage_options {
  /// The time the pipeline is read at; default: the audit's as_of, else the
  /// log's latest event.
  std::optional<std::int64_t> as_of;
  /// Start of the quota period. Deals won in [period_start, as_of] are booked
  /// against the quota, and the win rate, deal size and cycle are measured on
  /// deals closed in it. Unset: nothing is booked (the whole quota remains)
  /// and every closed deal of the log is measured.
  std::optional<std::int64_t> period_start;
  /// The team's quota; NaN means the sum of rep_quotas.
  double team_quota = std::numeric_limits<double>::quiet_NaN();
  std::vector<rep_quota> rep_quotas;
  bool include_nurture = false;  ///< for the raw pipeline when no audit is given
};

/// Coverage and velocity of one rep or of the team.
struct coverage_row {
  std::string rep;  ///< rep name; "(team)" for the team row, "(none)" for deals without a rep
  double quota = std::numeric_limits<double>::quiet_NaN();
  double booked = 0;  ///< value won in the period
  double remaining = std::numeric_limits<double>::quiet_NaN();  ///< max(quota - booked, 0)
  std::int64_t open_deals = 0;
  double open_value = 0;
  std::int64_t qualified_deals = 0;  ///< -1 without an audit
  double qualified_value = std::numeric_limits<double>::quiet_NaN();
  /// open value / remaining quota; +inf when nothing remains, NaN without a quota.
  double coverage_raw = std::numeric_limits<double>::quiet_NaN();
  double coverage_qualified = std::numeric_limits<double>::quiet_NaN();
  std::int64_t won = 0, lost = 0;  ///< closed in the period
  interval win_rate;               ///< won / (won + lost), Wilson 95%
  double required_coverage = std::numeric_limits<double>::quiet_NaN();  ///< 1 / win rate
  double average_deal_size = std::numeric_limits<double>::quiet_NaN();  ///< mean amount of won deals
  double cycle_days = std::numeric_limits<double>::quiet_NaN();         ///< mean entry -> won
  /// opportunities x win rate x average deal size / cycle days: value per day.
  double velocity_raw = std::numeric_limits<double>::quiet_NaN();
  double velocity_qualified = std::numeric_limits<double>::quiet_NaN();
  /// Coverage (qualified when audited, raw otherwise) at least the required coverage.
  bool covered = false;
};

struct coverage_report {
  std::int64_t as_of = 0;
  std::optional<std::int64_t> period_start;
  std::vector<coverage_row> reps;  ///< sorted by rep name; "(none)" last
  coverage_row team;
};

namespace detail {

/// Per rep (index R: deals without a rep): what coverage adds up.
struct coverage_acc {
  double booked = 0, won_value = 0;
  std::int64_t won_with_amount = 0;
  std::int64_t open = 0, qualified = 0;
  double open_value = 0, qualified_value = 0;
  std::int64_t won = 0, lost = 0;
  bool any = false;

  void add(const coverage_acc& x) {
    booked += x.booked;
    won_value += x.won_value;
    won_with_amount += x.won_with_amount;
    open += x.open;
    qualified += x.qualified;
    open_value += x.open_value;
    qualified_value += x.qualified_value;
    won += x.won;
    lost += x.lost;
  }
};

/// The time coverage is read at: the audit's, when one is given.
inline absl::StatusOr<std::int64_t> coverage_as_of(const event_log& log, const coverage_options& opt,
                                                   const pipeline_audit* audit) {
  std::optional<std::int64_t> at = opt.as_of;
  if (audit) {
    if (opt.as_of && *opt.as_of != audit->as_of) {
      return absl::InvalidArgumentError(absl::StrCat("as_of (", *opt.as_of, ") differs from the audit's as_of (",
                                                     audit->as_of, "); audit at the same time"));
    }
    at = audit->as_of;
    for (const auto& d : audit->deals) {
      if (d.deal < 0 || d.deal >= log.num_deals()) {
        return absl::InvalidArgumentError("the audit names deals this log does not have; audit the same log");
      }
    }
  }
  const auto as_of = resolve_as_of(log, at);
  if (opt.period_start && *opt.period_start > as_of) {
    return absl::InvalidArgumentError(absl::StrCat("period_start (", *opt.period_start, ") is after as_of (", as_of, ")"));
  }
  return as_of;
}

/// Quotas per rep (NaN where none is given; index R is "(none)") and the team's.
inline absl::StatusOr<std::pair<std::vector<double>, double>> coverage_quotas(const event_log& log,
                                                                              const coverage_options& opt) {
  const auto& names = log.rep_names();
  std::vector<double> quota(names.size() + 1, std::numeric_limits<double>::quiet_NaN());
  double quota_sum = 0;
  for (const auto& q : opt.rep_quotas) {
    if (!(q.quota >= 0) || !std::isfinite(q.quota)) {
      return absl::InvalidArgumentError(absl::StrCat("quota of rep '", q.rep, "' must be a finite number >= 0, got ", q.quota));
    }
    auto it = std::find(names.begin(), names.end(), q.rep);
    if (it == names.end()) {
      return absl::NotFoundError(absl::StrCat("quota given for unknown rep '", shown(q.rep), "'; the log's reps: ",
                                              names.empty() ? "none" : absl::StrJoin(names, ", ")));
    }
    quota[static_cast<std::size_t>(it - names.begin())] = q.quota;
    quota_sum += q.quota;
  }
  double team = opt.team_quota;
  if (std::isnan(team)) {
    if (opt.rep_quotas.empty()) return absl::InvalidArgumentError("coverage needs a quota: give team_quota or rep_quotas");
    team = quota_sum;
  } else if (!(team >= 0) || !std::isfinite(team)) {
    return absl::InvalidArgumentError(absl::StrCat("team_quota must be a finite number >= 0, got ", team));
  }
  return std::make_pair(std::move(quota), team);
}

/// Deals closed in [from, as_of] by their outcome time, and the open pipeline.
inline void accumulate_coverage(const event_log& log, const std::vector<deal_facts>& facts,
                                const pipeline_audit& pipe, std::span<const std::int32_t> rep_of,
                                std::int64_t from, std::int64_t as_of, bool booking,
                                std::vector<coverage_acc>& a) {
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto& f = facts[k];
    if (f.empty || is_open(f.state) || f.outcome_time < from || f.outcome_time > as_of) continue;
    auto& x = a[static_cast<std::size_t>(rep_of[k])];
    x.any = true;
    if (f.state == deal_state::lost) {
      ++x.lost;
      continue;
    }
    ++x.won;
    const double amt = log.has_amount() ? log.deal_amount()[k] : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(amt)) continue;
    x.won_value += amt;
    ++x.won_with_amount;
    if (booking) x.booked += amt;
  }
  for (const auto& d : pipe.deals) {
    auto& x = a[static_cast<std::size_t>(rep_of[d.deal])];
    x.any = true;
    ++x.open;
    if (!std::isnan(d.amount)) x.open_value += d.amount;
    if (d.qualified) {
      ++x.qualified;
      if (!std::isnan(d.amount)) x.qualified_value += d.amount;
    }
  }
}

inline coverage_row coverage_row_of(std::string name, double quota, const coverage_acc& x, bool audited,
                                    const cycle_stats& cyc) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  coverage_row row;
  row.rep = std::move(name);
  row.quota = quota;
  row.booked = x.booked;
  if (!std::isnan(quota)) row.remaining = std::max(quota - x.booked, 0.0);
  row.open_deals = x.open;
  row.open_value = x.open_value;
  row.qualified_deals = audited ? x.qualified : -1;
  if (audited) row.qualified_value = x.qualified_value;
  auto ratio = [&](double v) {
    if (std::isnan(row.remaining) || std::isnan(v)) return nan;
    if (row.remaining == 0) return v > 0 ? std::numeric_limits<double>::infinity() : nan;
    return v / row.remaining;
  };
  row.coverage_raw = ratio(row.open_value);
  row.coverage_qualified = ratio(row.qualified_value);
  row.won = x.won;
  row.lost = x.lost;
  row.win_rate = wilson(x.won, x.won + x.lost);
  if (row.win_rate.estimate > 0) row.required_coverage = 1.0 / row.win_rate.estimate;
  else if (x.won + x.lost > 0) row.required_coverage = std::numeric_limits<double>::infinity();
  if (x.won_with_amount > 0) row.average_deal_size = x.won_value / static_cast<double>(x.won_with_amount);
  row.cycle_days = cyc.mean_days;
  auto velocity = [&](std::int64_t opportunities) {
    if (!(row.cycle_days > 0)) return nan;
    return static_cast<double>(opportunities) * row.win_rate.estimate * row.average_deal_size / row.cycle_days;
  };
  row.velocity_raw = velocity(row.open_deals);
  if (audited) row.velocity_qualified = velocity(row.qualified_deals);
  const double have = audited ? row.coverage_qualified : row.coverage_raw;
  row.covered = !std::isnan(have) && !std::isnan(row.required_coverage) && have >= row.required_coverage;
  return row;
}

}  // namespace detail

/// Coverage and velocity per rep and for the team. `audit` (optional, from
/// audit_pipeline on the same log) supplies the qualified pipeline; without
/// it only the raw pipeline is known.
///
///   coverage_options c;
///   c.team_quota = 1000;
///   auto cov = coverage(log, c);  // a 50% win rate -> cov->team.required_coverage == 2
inline absl::StatusOr<coverage_report> coverage(const event_log& log, const coverage_options& opt,
                                                const pipeline_audit* audit = nullptr) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  SALESFUNNEL_ASSIGN_OR_RETURN(const std::int64_t as_of, detail::coverage_as_of(log, opt, audit));
  SALESFUNNEL_ASSIGN_OR_RETURN(const auto quotas, detail::coverage_quotas(log, opt));
  pipeline_audit raw_only;  // without an audit: the raw pipeline (every rule off)
  if (!audit) {
    audit_options ao;
    ao.as_of = as_of;
    ao.rules.two_meetings = false;
    ao.rules.aged_past_cycle = false;
    ao.include_nurture = opt.include_nurture;
    SALESFUNNEL_ASSIGN_OR_RETURN(raw_only, audit_pipeline(log, nullptr, ao));
  }
  const auto R = static_cast<std::int32_t>(log.rep_names().size());
  std::vector<std::int32_t> rep_of(static_cast<std::size_t>(log.num_deals()), R);
  for (std::int64_t k = 0; k < log.num_deals() && log.has_rep(); ++k) {
    if (log.deal_rep()[k] >= 0) rep_of[k] = log.deal_rep()[k];
  }
  const auto facts = deal_facts_of(log, *g, as_of);
  const std::int64_t from = opt.period_start.value_or(std::numeric_limits<std::int64_t>::min());
  std::vector<detail::coverage_acc> a(static_cast<std::size_t>(R) + 1);
  detail::accumulate_coverage(log, facts, audit ? *audit : raw_only, rep_of, from, as_of,
                              opt.period_start.has_value(), a);

  coverage_report out;
  out.as_of = as_of;
  out.period_start = opt.period_start;
  std::vector<std::int32_t> order(static_cast<std::size_t>(R));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto x, auto y) { return log.rep_names()[x] < log.rep_names()[y]; });
  if (a[R].any) order.push_back(R);
  const double tpd = log.ticks_per_day();
  detail::coverage_acc team;
  for (auto r : order) {
    team.add(a[r]);
    out.reps.push_back(detail::coverage_row_of(r < R ? log.rep_names()[r] : "(none)", quotas.first[r], a[r],
                                               audit != nullptr,
                                               detail::mean_cycle(facts, tpd, from, as_of, r, rep_of)));
  }
  out.team = detail::coverage_row_of("(team)", quotas.second, team, audit != nullptr,
                                     detail::mean_cycle(facts, tpd, from, as_of));
  return out;
}

SALESFUNNEL_END_NAMESPACE
