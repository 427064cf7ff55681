// The funnel report: per-stage rows, drop-offs by exit, the transition
// matrix and warnings, from (possibly merged) funnel statistics.
//
//   auto log = salesfunnel::event_log::build(cols, opt);          // with a graph
//   absl::StatusOr<salesfunnel::funnel_report> rep = salesfunnel::funnel(*log);
//   for (const auto& row : rep->stages) { ... row.reached, row.step_conversion ... }
//   auto by_rep = salesfunnel::funnel_by(*log, "rep");             // one report per rep
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/core/time.hpp"
#include "salesfunnel/detail/parallel.hpp"
#include "salesfunnel/stats/funnel_stats.hpp"
#include "salesfunnel/stats/interval.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// One row of the report per stage, in declaration order.
struct stage_row {
  stage_id stage = 0;
  std::string name;
  stage_kind kind = stage_kind::open;
  std::int32_t main_rank = -1;  ///< position on the main path, -1 off it
  std::int64_t reached = 0;     ///< deals that visited the stage
  /// Main-path stages only (0 elsewhere):
  std::int64_t reached_or_beyond = 0;  ///< visited it or a later main-path stage
  std::int64_t advanced = 0;           ///< went on to the next main-path stage or beyond
  std::int64_t dropped = 0;            ///< furthest here, ended in a lost stage
  std::int64_t closed_here = 0;        ///< furthest here, ended in a won stage
  std::int64_t in_progress = 0;        ///< furthest here, still open (censored)
  std::int64_t open = 0;  ///< deals still sitting in this stage at as_of (non-terminal stages)
  /// advanced / (advanced + dropped + closed_here): open deals are censored.
  interval step_conversion;
  /// reached_or_beyond / (reached_or_beyond + deals closed before reaching it).
  interval cumulative_conversion;
  /// Time in stage in days: Kaplan-Meier median and p90 (open stays
  /// censored), mean of completed stays; counts of completed / open stays.
  double median_days = std::numeric_limits<double>::quiet_NaN();
  double p90_days = std::numeric_limits<double>::quiet_NaN();
  double mean_days = std::numeric_limits<double>::quiet_NaN();
  std::int64_t stays_completed = 0;
  std::int64_t stays_censored = 0;
};

/// Deals whose furthest main-path stage was `at` and that ended in lost stage `exit`.
struct drop_off_row {
  stage_id at = 0;
  stage_id exit = 0;
  std::int64_t deals = 0;
};

/// A directly-follows pair with its count and median time before the move.
struct transition_row {
  stage_id from = 0;
  stage_id to = 0;
  std::int64_t count = 0;
  double median_days = std::numeric_limits<double>::quiet_NaN();
  bool is_edge = false;  ///< whether the graph has this edge
};

/// The funnel report: per stage rows, drop-offs by exit, the transition matrix.
struct funnel_report {
  stage_graph graph;
  funnel_stats stats;
  std::vector<stage_row> stages;
  std::vector<drop_off_row> drop_offs;
  std::vector<transition_row> transitions;
  std::int64_t deals = 0, won = 0, lost = 0, open = 0;
  /// Deals that left through the implicit "Went dark" exit (staleness on).
  std::int64_t went_dark = 0;
  /// Sentences a person should read before trusting the numbers (no losses
  /// recorded, single-event deals, events after the outcome, ...).
  std::vector<std::string> warnings;
};

namespace detail {

/// Deals per furthest main-path rank (index rank + 1), by how they ended.
struct rank_tally {
  std::vector<std::int64_t> total, dropped, closed_won, in_progress;
  std::vector<std::int64_t> resting;  ///< [S] deals whose final stage it is
  std::vector<std::int64_t> reached_or_beyond;  ///< [R] per rank
};

inline rank_tally tally_ranks(const funnel_stats& s, const stage_graph& g, funnel_report& rep) {
  const auto S = static_cast<std::size_t>(s.num_stages);
  const auto R = static_cast<std::size_t>(s.num_ranks);
  const auto path = g.main_path();
  rank_tally t;
  t.total.assign(R + 1, 0);
  t.dropped.assign(R + 1, 0);
  t.closed_won.assign(R + 1, 0);
  t.in_progress.assign(R + 1, 0);
  t.resting.assign(S, 0);
  for (std::size_t r = 0; r <= R; ++r) {
    for (std::size_t f = 0; f < S; ++f) {
      const auto n = s.furthest_final[r * S + f];
      if (n == 0) continue;
      t.total[r] += n;
      t.resting[f] += n;
      const auto kind = g.kind_of(static_cast<stage_id>(f));
      if (kind == stage_kind::lost) t.dropped[r] += n;
      else if (kind == stage_kind::won) t.closed_won[r] += n;
      else t.in_progress[r] += n;
      if (r > 0 && kind == stage_kind::lost) {
        rep.drop_offs.push_back(drop_off_row{path[r - 1], static_cast<stage_id>(f), n});
      }
      if (g.name_of(static_cast<stage_id>(f)) == went_dark_stage) rep.went_dark += n;
    }
    rep.won += t.closed_won[r];
    rep.lost += t.dropped[r];
    rep.open += t.in_progress[r];
  }
  t.reached_or_beyond.assign(R + 1, 0);
  for (std::size_t r = R; r-- > 0;) {
    t.reached_or_beyond[r] = t.total[r + 1] + (r + 1 < R ? t.reached_or_beyond[r + 1] : 0);
  }
  return t;
}

inline stage_row make_stage_row(const funnel_stats& s, const stage_graph& g, const rank_tally& t,
                                std::int32_t rank, stage_id sid) {
  const auto si = static_cast<std::size_t>(sid);
  const auto R = static_cast<std::size_t>(s.num_ranks);
  const auto& rob = t.reached_or_beyond;
  stage_row row;
  row.stage = sid;
  row.name = g.name_of(sid);
  row.kind = g.kind_of(sid);
  row.main_rank = rank;
  row.reached = s.reached[si];
  row.open = is_terminal(row.kind) ? 0 : t.resting[si];
  if (row.main_rank >= 0) {
    const auto r = static_cast<std::size_t>(row.main_rank);
    row.reached_or_beyond = rob[r];
    row.advanced = r + 1 < R ? rob[r + 1] : 0;
    row.dropped = t.dropped[r + 1];
    row.closed_here = t.closed_won[r + 1];
    row.in_progress = t.in_progress[r + 1];
    if (r + 1 < R) row.step_conversion = wilson(row.advanced, row.advanced + row.dropped + row.closed_here);
    // Deals that closed (won or lost) with a furthest rank below r.
    std::int64_t closed_before = 0;
    for (std::size_t q = 0; q <= r; ++q) closed_before += t.dropped[q] + t.closed_won[q];
    row.cumulative_conversion = wilson(rob[r], rob[r] + closed_before);
  }
  const auto& dw = s.dwell[si];
  row.median_days = seconds_to_days(dw.km_quantile(0.5));
  row.p90_days = seconds_to_days(dw.km_quantile(0.9));
  row.mean_days = seconds_to_days(dw.mean_observed());
  row.stays_completed = dw.observed();
  row.stays_censored = dw.censored();
  return row;
}

}  // namespace detail

/// Builds the report from (possibly merged) statistics; `g` is the graph they
/// were counted on (analysis_graph of the log). The report keeps the
/// statistics: pass them with std::move when they are not needed after.
inline absl::StatusOr<funnel_report> make_funnel_report(funnel_stats stats, const stage_graph& g) {
  if (stats.num_stages != g.num_stages() || stats.graph_fingerprint != g.fingerprint()) {
    return absl::InvalidArgumentError(
        "these funnel statistics were counted on another stage graph (fingerprints differ)");
  }
  funnel_report rep;
  rep.graph = g;
  rep.stats = std::move(stats);
  const auto& s = rep.stats;
  const auto S = static_cast<std::size_t>(s.num_stages);
  rep.deals = s.deals;
  const auto t = detail::tally_ranks(s, g, rep);
  const auto rank = g.main_ranks();
  for (stage_id sid = 0; sid < g.num_stages(); ++sid) {
    rep.stages.push_back(detail::make_stage_row(s, g, t, rank[static_cast<std::size_t>(sid)], sid));
  }
  for (std::size_t a = 0; a < S; ++a) {
    for (std::size_t b = 0; b < S; ++b) {
      const auto n = s.transitions[a * S + b];
      if (n == 0) continue;
      rep.transitions.push_back(transition_row{
          static_cast<stage_id>(a), static_cast<stage_id>(b), n,
          seconds_to_days(s.transition_time[a * S + b].km_quantile(0.5)),
          g.has_edge(static_cast<stage_id>(a), static_cast<stage_id>(b))});
    }
  }
  return rep;
}

namespace detail {

inline std::string percent(std::int64_t part, std::int64_t whole) {
  return absl::StrFormat("%.0f%%", whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
}

/// What a person should know before trusting a report of `log`.
/// How many deals the warnings look at, have a single event, or start in
/// a terminal stage (read at as_of).
struct deal_shapes {
  std::int64_t any = 0, single = 0, terminal_start = 0;
};

/// Adds deal k's shape (Sign -1: takes it back out; stats/live_funnel.hpp).
template <int Sign = 1>
inline void add_deal_shape(const event_log& log, const stage_graph& g, std::int64_t k, std::int64_t as_of,
                           deal_shapes& c) {
  const auto b = log.deal_begin(k), e = log.deal_end(k, as_of);
  if (e == b) return;
  c.any += Sign;
  if (e - b == 1) c.single += Sign;
  if (is_terminal(g.kind_of(log.stages()[b]))) c.terminal_start += Sign;
}

inline deal_shapes count_deal_shapes(const event_log& log, const stage_graph& g, std::int64_t as_of) {
  deal_shapes c;
  for (std::int64_t k = 0; k < log.num_deals(); ++k) add_deal_shape(log, g, k, as_of, c);
  return c;
}

inline std::vector<std::string> funnel_warnings(const event_log& log, const funnel_report& rep,
                                                const funnel_options& opt, const deal_shapes& shapes) {
  std::vector<std::string> w;
  const auto& is = log.issues();
  const auto as_of = rep.stats.as_of;
  const auto [any, single, terminal_start] = shapes;
  if (rep.lost == 0 && rep.deals > 0 && !opt.stale.enabled()) {
    w.push_back(absl::StrCat(
        "No lost deals are recorded: ", rep.open, " of ", rep.deals,
        " deals are still open, so conversions count only deals that moved on or won and can read "
        "near 100%. If deals that go quiet are never marked lost, pass stale_after (e.g. \"90D\") to "
        "count long-silent deals as gone dark."));
  }
  if (any > 0 && 2 * single > any) {
    w.push_back(absl::StrCat("Most deals (", single, " of ", any, ", ", percent(single, any),
                             ") have a single event: this looks like a snapshot (one row per deal) "
                             "rather than a history of stage changes; for such exports use "
                             "EventLog.from_snapshot with the stage date columns."));
  }
  if (terminal_start > 0) {
    w.push_back(absl::StrCat(terminal_start, " deals start in a won or lost stage: their earlier "
                             "stages are missing from the data, so they count as closed without "
                             "reaching any stage before it."));
  }
  if (is.events_after_outcome > 0) {
    w.push_back(absl::StrCat(is.events_after_outcome, " events come after their deal was already won or "
                             "lost (first at input row ", is.first_after_outcome_row,
                             "); they are left out of every analysis."));
  }
  if (is.out_of_order_rows > 0) {
    w.push_back(absl::StrCat(is.out_of_order_rows, " rows are out of time order within their deal (first at "
                             "input row ", is.first_out_of_order_row, "); they were sorted by time."));
  }
  if (as_of < log.max_time()) {
    w.push_back("as_of is earlier than the latest event: the report shows the log as it stood then.");
  }
  return w;
}

inline std::vector<std::string> funnel_warnings(const event_log& log, const funnel_report& rep,
                                                const funnel_options& opt) {
  return funnel_warnings(log, rep, opt, count_deal_shapes(log, rep.graph, rep.stats.as_of));
}

}  // namespace detail

/// The funnel report of a log that has a stage graph, with its warnings.
inline absl::StatusOr<funnel_report> funnel(const event_log& log, const funnel_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph g, analysis_graph(log, opt.stale));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto stats, compute_funnel_stats(log, opt));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto rep, make_funnel_report(std::move(stats), g));
  rep.warnings = detail::funnel_warnings(log, rep, opt);
  return rep;
}

/// A report per group: by rep, attribute or entry cohort.
struct grouped_funnel_report {
  std::string by;                     ///< "rep", an attribute name, or "cohort_week"/"cohort_month"
  std::vector<std::string> groups;    ///< group labels, sorted; "(none)" last
  std::vector<funnel_report> reports; ///< one per group
};

/// Reports from (possibly merged) grouped statistics, which the reports keep
/// (pass them with std::move when they are not needed after), a group at a
/// time on `threads` threads (0: every core); the first group's error, in
/// group order, is the one returned.
inline absl::StatusOr<grouped_funnel_report> make_grouped_report(grouped_funnel_stats s,
                                                                 const stage_graph& g, int threads = 0) {
  grouped_funnel_report out;
  out.by = std::move(s.by);
  out.groups = std::move(s.labels);
  const auto n = static_cast<std::int64_t>(s.stats.size());
  out.reports.resize(s.stats.size());
  std::vector<absl::Status> status(s.stats.size());
  // A report takes some 80 us (the 97 reps of the 10M benchmark: 8 ms in all), a thread ~50 us to start.
  detail::parallel_chunks(n, static_cast<int>(std::max<std::int64_t>(n, 1)), n < 8 ? 1 : detail::resolve_threads(threads),
                          [&](std::int64_t b, std::int64_t e, int) {
    for (auto i = static_cast<std::size_t>(b); i < static_cast<std::size_t>(e); ++i) {
      auto r = make_funnel_report(std::move(s.stats[i]), g);
      if (r.ok()) out.reports[i] = *std::move(r);
      else status[i] = r.status();
    }
  });
  for (auto& st : status) SALESFUNNEL_RETURN_IF_ERROR(st);
  return out;
}

/// The funnel report per group of `by`: "rep", an attribute name,
/// "cohort_week" or "cohort_month" (see group_deals).
inline absl::StatusOr<grouped_funnel_report> funnel_by(const event_log& log, std::string_view by,
                                                       const funnel_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph g, analysis_graph(log, opt.stale));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto stats, compute_funnel_stats_by(log, by, opt));
  return make_grouped_report(std::move(stats), g, opt.threads);
}

/// The funnel report per rep (deal owner).
inline absl::StatusOr<grouped_funnel_report> funnel_by_rep(const event_log& log,
                                                           const funnel_options& opt = {}) {
  return funnel_by(log, "rep", opt);
}

/// The funnel report per value of an attribute column.
inline absl::StatusOr<grouped_funnel_report> funnel_by_attribute(const event_log& log,
                                                                 std::string_view name,
                                                                 const funnel_options& opt = {}) {
  SALESFUNNEL_RETURN_IF_ERROR(log.attribute_index(name).status());
  return funnel_by(log, name, opt);
}

/// The funnel report per entry cohort: the week or month of each deal's first event.
inline absl::StatusOr<grouped_funnel_report> funnel_by_cohort(const event_log& log, cohort_period p,
                                                              const funnel_options& opt = {}) {
  return funnel_by(log, p == cohort_period::week ? "cohort_week" : "cohort_month", opt);
}

SALESFUNNEL_END_NAMESPACE
