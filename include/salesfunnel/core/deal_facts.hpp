// What every analysis needs to know about one deal, read at a point in time.
//
//   auto facts = salesfunnel::deal_facts_of(log, as_of);   // one per deal
//   facts[k].state;          // open, parked, won or lost at as_of
//   facts[k].outcome_time;   // when it was won or lost (null_time while open)
//
// The log has already applied the outcome rule (core/outcome.hpp); here a
// deal is read "as it stood" at `as_of`: events after it are ignored, so an
// earlier as_of gives the log of that day. With a staleness limit, an open
// deal silent for longer than the limit has gone dark: an implicit lost exit
// at last_time + limit (the funnel, the model and the forecast all use it).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/outcome.hpp"
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/core/time.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// The name of the implicit exit of deals that went silent.
inline constexpr std::string_view went_dark_stage = "Went dark";

/// Staleness: how long an open deal may go without an event before it counts
/// as gone dark. Off by default.
struct staleness {
  /// Days, for every open stage; NaN (the default) is off.
  double days = std::numeric_limits<double>::quiet_NaN();
  /// Per stage id: overrides `days` where not NaN (may be empty).
  std::vector<double> days_by_stage;

  bool enabled() const {
    if (!std::isnan(days)) return true;
    for (double d : days_by_stage) {
      if (!std::isnan(d)) return true;
    }
    return false;
  }
  /// The limit for a deal resting in `s`, in days (NaN: never stale).
  double limit_days(stage_id s) const {
    if (static_cast<std::size_t>(s) < days_by_stage.size() && !std::isnan(days_by_stage[s])) {
      return days_by_stage[s];
    }
    return days;
  }
  /// From stage names: `days` for every stage and overrides per stage name;
  /// NotFound names an unknown stage.
  static absl::StatusOr<staleness> from_names(const stage_graph& g, double days,
                                              const std::vector<std::pair<std::string, double>>& by_stage) {
    staleness s;
    s.days = days;
    if (!by_stage.empty()) s.days_by_stage.assign(static_cast<std::size_t>(g.num_stages()), std::numeric_limits<double>::quiet_NaN());
    for (const auto& [name, d] : by_stage) {
      SALESFUNNEL_ASSIGN_OR_RETURN(const stage_id id, g.id_of(name));
      s.days_by_stage[static_cast<std::size_t>(id)] = d;
    }
    SALESFUNNEL_RETURN_IF_ERROR(s.check(g));
    return s;
  }

  absl::Status check(const stage_graph& g) const {
    auto bad = [](double d) { return !std::isnan(d) && !(d > 0 && std::isfinite(d)); };
    if (bad(days)) return absl::InvalidArgumentError(absl::StrCat("stale_after must be > 0 days, got ", days));
    if (!days_by_stage.empty() && days_by_stage.size() != static_cast<std::size_t>(g.num_stages())) {
      return absl::InvalidArgumentError(absl::StrCat("stale_after per stage has ", days_by_stage.size(),
                                                     " entries for ", g.num_stages(), " stages"));
    }
    for (std::size_t s = 0; s < days_by_stage.size(); ++s) {
      if (bad(days_by_stage[s])) {
        return absl::InvalidArgumentError(absl::StrCat("stale_after for '", g.name_of(static_cast<stage_id>(s)),
                                                       "' must be > 0 days, got ", days_by_stage[s]));
      }
    }
    return absl::OkStatus();
  }
};

/// The graph the analyses use when staleness is on: `g` plus a lost stage
/// "Went dark" reachable from every open, entry and nurture stage. Returns `g`
/// unchanged when it already has a stage of that name.
inline stage_graph with_went_dark(const stage_graph& g) {
  if (g.find(went_dark_stage)) return g;
  stage_graph out = g;
  const auto dark = *out.add_stage(went_dark_stage, stage_kind::lost);
  for (stage_id s = 0; s < g.num_stages(); ++s) {
    if (!is_terminal(g.kind_of(s))) out.add_transition(s, dark, "goes silent").IgnoreError();
  }
  return out;
}

/// One deal at a point in time.
struct deal_facts {
  bool empty = true;              ///< no event at or before as_of
  std::int64_t end = 0;           ///< one past the deal's last event at or before as_of
  std::int64_t entry_time = 0;    ///< first event
  std::int64_t last_time = 0;     ///< last event (entry into the final stage)
  stage_id final_stage = -1;      ///< stage of the last event
  deal_state state = deal_state::open;
  stage_id outcome_stage = -1;             ///< first won or lost stage; -1 while open
  std::int64_t outcome_time = null_time;   ///< entry into outcome_stage
  bool went_dark = false;                  ///< open, but silent past the staleness limit
  std::int64_t won_time = null_time;       ///< outcome_time for won deals
  std::int64_t last_forward_time = 0;      ///< latest event that raised the furthest main-path rank
  std::int32_t furthest_rank = -1;         ///< furthest main-path rank reached
};

namespace detail {

/// The log's graph, or FailedPrecondition.
inline absl::StatusOr<const stage_graph*> graph_of(const event_log& log) {
  if (!log.graph()) {
    return absl::FailedPreconditionError(
        "the event log has no stage graph; build it with one, or call with_graph()");
  }
  return &*log.graph();
}

/// The time a log is read at: `as_of` when given, else the latest event.
/// Any time is allowed: an earlier one reads the log as it stood then.
inline std::int64_t resolve_as_of(const event_log& log, std::optional<std::int64_t> as_of) {
  return as_of ? *as_of : log.max_time();
}

}  // namespace detail

/// The facts of deal k at `as_of`, under the outcome rule and `stale`.
inline deal_facts facts_of_deal(const event_log& log, const stage_graph& g,
                                const std::vector<std::int32_t>& rank, std::int64_t k,
                                std::int64_t as_of, const staleness& stale = {}) {
  deal_facts f;
  const auto st = log.stages();
  const auto tm = log.times();
  const auto b = log.deal_begin(k);
  f.end = log.deal_end(k, as_of);
  if (f.end == b) return f;
  f.empty = false;
  f.entry_time = tm[b];
  f.last_time = tm[f.end - 1];
  f.final_stage = st[f.end - 1];
  f.last_forward_time = f.entry_time;
  for (auto i = b; i < f.end; ++i) {
    const auto r = rank[static_cast<std::size_t>(st[i])];
    if (r > f.furthest_rank) {
      f.furthest_rank = r;
      f.last_forward_time = tm[i];
    }
    if (f.outcome_stage < 0 && is_terminal(g.kind_of(st[i]))) {
      f.outcome_stage = st[i];
      f.outcome_time = tm[i];
    }
  }
  f.state = f.outcome_stage >= 0 ? state_of(g.kind_of(f.outcome_stage)) : state_of(g.kind_of(f.final_stage));
  if (f.state == deal_state::won) f.won_time = f.outcome_time;
  if (is_open(f.state)) {
    const double limit = stale.limit_days(f.final_stage);
    f.went_dark = !std::isnan(limit) && elapsed_days(as_of, f.last_time, log.unit()) > limit;
  }
  return f;
}

/// The facts of every deal at `as_of` (default: the latest event).
inline std::vector<deal_facts> deal_facts_of(const event_log& log, const stage_graph& g,
                                             std::optional<std::int64_t> as_of = std::nullopt,
                                             const staleness& stale = {}) {
  const auto at = detail::resolve_as_of(log, as_of);
  const auto rank = g.main_ranks();
  std::vector<deal_facts> out(static_cast<std::size_t>(log.num_deals()));
  for (std::int64_t k = 0; k < log.num_deals(); ++k) out[k] = facts_of_deal(log, g, rank, k, at, stale);
  return out;
}

/// The mean amount of the deals won by `as_of` (NaN without amounts or wins):
/// the revenue a new win brings, for revenue goals and new-lead forecasts.
inline double mean_won_amount(const event_log& log, std::optional<std::int64_t> as_of = std::nullopt) {
  if (!log.has_amount() || !log.graph()) return std::numeric_limits<double>::quiet_NaN();
  const auto facts = deal_facts_of(log, *log.graph(), as_of);
  double sum = 0;
  std::int64_t n = 0;
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const double a = log.deal_amount()[k];
    if (facts[k].state != deal_state::won || std::isnan(a)) continue;
    sum += a;
    ++n;
  }
  return n > 0 ? sum / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

/// The time a gone-dark deal left: its last event plus the staleness limit.
inline std::int64_t went_dark_time(const deal_facts& f, const staleness& stale, time_unit unit) {
  const double ticks = stale.limit_days(f.final_stage) * static_cast<double>(ticks_per_day(unit));
  if (ticks >= static_cast<double>(std::numeric_limits<std::int64_t>::max() - f.last_time)) {
    return std::numeric_limits<std::int64_t>::max();
  }
  return f.last_time + static_cast<std::int64_t>(ticks);
}

SALESFUNNEL_END_NAMESPACE
