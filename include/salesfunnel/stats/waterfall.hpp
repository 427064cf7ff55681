// What changed between two dates, per stage, from the event log alone.
//
//   auto w = salesfunnel::waterfall(log, march_1, april_1);
//   for (const auto& r : w->rows) { r.open_start, r.new_deals, r.moved_in, r.moved_out,
//                                   r.won, r.lost, r.went_dark, r.open_end }
//
// Every row balances:
//   open_start + new_deals + moved_in - moved_out - won - lost - went_dark == open_end
// in counts and in amounts, and open_end equals the funnel report's `open`
// read at `end` (same outcome rule, same staleness). A deal's amount is its
// last known amount. Flows are the deal's events in (start, end]:
// - new_deals: a deal's first event (or its first event after it had gone
//   dark: it is back), counted at the stage it entered;
// - moved_in / moved_out: a move between two non-terminal stages (forward,
//   backward or into nurture), counted at both ends;
// - won / lost: the move to the outcome, counted at the stage it left (a deal
//   whose very first event is its outcome counts as new and won/lost at that
//   won/lost stage, whose row then balances at zero);
// - went_dark: open at end no longer, because silent past the staleness
//   limit; counted at the stage it went silent in.
// CRM dashboards need stored snapshots for this view; the event log has it.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/outcome.hpp"
#include "salesfunnel/core/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// One stage's flows between start and end: counts and amounts.
struct waterfall_row {
  stage_id stage = 0;
  std::string name;
  std::int64_t open_start = 0, new_deals = 0, moved_in = 0, moved_out = 0;
  std::int64_t won = 0, lost = 0, went_dark = 0, open_end = 0;
  double value_open_start = 0, value_new = 0, value_moved_in = 0, value_moved_out = 0;
  double value_won = 0, value_lost = 0, value_went_dark = 0, value_open_end = 0;
};

struct waterfall_report {
  std::int64_t start = 0, end = 0;
  std::vector<waterfall_row> rows;  ///< one per stage of the log's graph, in graph order
  waterfall_row total;              ///< the sum over stages (stage -1, name "(total)")
  std::int64_t deals_without_amount = 0;  ///< deals that moved but have no amount (value 0)
};

namespace detail {

inline void add_flow(std::int64_t& n, double& v, double amount) {
  ++n;
  v += amount;
}

/// Whether a deal resting in `s` since `since` is silent past the limit at `t`.
inline bool dark_at(const staleness& stale, stage_id s, std::int64_t since, std::int64_t t, time_unit unit) {
  const double limit = stale.limit_days(s);
  return !std::isnan(limit) && elapsed_days(t, since, unit) > limit;
}

/// Adds deal k's flows in (start, end] to the rows.
inline void waterfall_deal(const event_log& log, const stage_graph& g, std::int64_t k,
                           std::int64_t start, std::int64_t end, const staleness& stale,
                           double amount, std::vector<waterfall_row>& rows) {
  const auto st = log.stages();
  const auto tm = log.times();
  const auto b = log.deal_begin(k), first = log.deal_end(k, start), last = log.deal_end(k, end);
  if (first > b && is_terminal(g.kind_of(st[first - 1]))) return;  // closed before start
  stage_id at = -1;  // the open stage the deal sits in, -1 outside the open pipeline
  std::int64_t since = 0;
  if (first > b && !dark_at(stale, st[first - 1], tm[first - 1], start, log.unit())) {
    at = st[first - 1];
    since = tm[first - 1];
    add_flow(rows[at].open_start, rows[at].value_open_start, amount);
  }
  for (auto i = first; i < last; ++i) {
    const auto s = st[i];
    const auto kind = g.kind_of(s);
    if (at >= 0 && dark_at(stale, at, since, tm[i], log.unit())) {
      add_flow(rows[at].went_dark, rows[at].value_went_dark, amount);
      at = -1;
    }
    const auto from = at < 0 ? s : at;  // the row a deal leaves (or arrives closed at)
    if (at < 0) add_flow(rows[s].new_deals, rows[s].value_new, amount);
    if (kind == stage_kind::won) add_flow(rows[from].won, rows[from].value_won, amount);
    else if (kind == stage_kind::lost) add_flow(rows[from].lost, rows[from].value_lost, amount);
    else if (at >= 0) {
      add_flow(rows[at].moved_out, rows[at].value_moved_out, amount);
      add_flow(rows[s].moved_in, rows[s].value_moved_in, amount);
    }
    if (is_terminal(kind)) return;  // closed: later same-kind moves do not matter here
    at = s;
    since = tm[i];
  }
  if (at < 0) return;
  if (dark_at(stale, at, since, end, log.unit())) add_flow(rows[at].went_dark, rows[at].value_went_dark, amount);
  else add_flow(rows[at].open_end, rows[at].value_open_end, amount);
}

}  // namespace detail

/// The per-stage waterfall of the open pipeline from `start` to `end` (in the
/// log's time unit), with optional staleness (as the funnel's).
inline absl::StatusOr<waterfall_report> waterfall(const event_log& log, std::int64_t start,
                                                  std::int64_t end, const staleness& stale = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  SALESFUNNEL_RETURN_IF_ERROR(stale.check(*g));
  if (!(start < end)) {
    return absl::InvalidArgumentError(absl::StrCat("waterfall: start (", start, ") must be before end (", end, ")"));
  }
  waterfall_report out;
  out.start = start;
  out.end = end;
  out.rows.resize(static_cast<std::size_t>(g->num_stages()));
  for (stage_id s = 0; s < g->num_stages(); ++s) {
    out.rows[s].stage = s;
    out.rows[s].name = g->name_of(s);
  }
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    double amount = log.has_amount() ? log.deal_amount()[k] : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(amount)) {
      if (log.has_amount()) ++out.deals_without_amount;
      amount = 0;
    }
    detail::waterfall_deal(log, *g, k, start, end, stale, amount, out.rows);
  }
  out.total.stage = -1;
  out.total.name = "(total)";
  for (const auto& r : out.rows) {
    auto& t = out.total;
    t.open_start += r.open_start, t.new_deals += r.new_deals, t.moved_in += r.moved_in;
    t.moved_out += r.moved_out, t.won += r.won, t.lost += r.lost, t.went_dark += r.went_dark;
    t.open_end += r.open_end;
    t.value_open_start += r.value_open_start, t.value_new += r.value_new;
    t.value_moved_in += r.value_moved_in, t.value_moved_out += r.value_moved_out;
    t.value_won += r.value_won, t.value_lost += r.value_lost, t.value_went_dark += r.value_went_dark;
    t.value_open_end += r.value_open_end;
  }
  return out;
}

SALESFUNNEL_END_NAMESPACE
