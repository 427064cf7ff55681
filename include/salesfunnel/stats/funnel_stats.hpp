// Funnel statistics: mergeable counts and duration sketches per stage.
//
//   auto stats = salesfunnel::compute_funnel_stats(log);         // the whole log
//   auto west = salesfunnel::compute_funnel_stats(west_log);     // a partition by deal
//   stats->merge(*west);                                         // exact
//   auto by_rep = salesfunnel::compute_funnel_stats_by(log, "rep");  // keyed by label
//
// Everything a report needs is first gathered into funnel_stats: integer
// counts and duration sketches that merge associatively and exactly, so a log
// split by deal across threads or files gives the same report as the whole.
// Statistics carry their graph's fingerprint and their as_of, and refuse to
// merge with statistics of another graph or time. Open deals are
// right-censored: never counted as dropped, and their time in the current
// stage enters the Kaplan-Meier estimate as a censored stay.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
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
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/core/time.hpp"
#include "salesfunnel/detail/parallel.hpp"
#include "salesfunnel/stats/deal_set.hpp"
#include "salesfunnel/stats/duration_sketch.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

struct funnel_options {
  /// The time the log is read at, in the log's unit: events after it are
  /// ignored (the log as it stood then) and open deals' current stays are
  /// censored here. Defaults to the log's latest event.
  std::optional<std::int64_t> as_of;
  /// Open deals silent for longer than this leave through an implicit lost
  /// exit "Went dark" (see core/deal_facts.hpp). Off by default.
  staleness stale;
  /// 0 means every hardware thread.
  int threads = 0;
};

/// Everything a funnel report needs, as mergeable integer counts and sketches.
struct funnel_stats {
  stage_id num_stages = 0;
  std::int32_t num_ranks = 0;  ///< main path length
  std::uint64_t graph_fingerprint = 0;  ///< stage_graph::fingerprint() of the graph counted on
  std::int64_t as_of = 0;
  double ticks_per_second = 1.0;
  std::int64_t deals = 0;
  std::int64_t events = 0;
  /// [S] deals that visited each stage at least once.
  std::vector<std::int64_t> reached;
  /// [(num_ranks + 1) x S] deals by (furthest main-path rank + 1, final stage);
  /// row 0 holds deals that never touched the main path.
  std::vector<std::int64_t> furthest_final;
  /// [S x S] directly-follows transition counts.
  std::vector<std::int64_t> transitions;
  /// [S] time in stage; [S x S] time before each transition.
  std::vector<duration_sketch> dwell;
  std::vector<duration_sketch> transition_time;
  /// The deals counted (hashes of their keys), so that merging statistics
  /// that share a deal is refused (stats/deal_set.hpp).
  deal_set deal_keys;

  /// Empty statistics shaped for `g`, read at `as_of`.
  static funnel_stats empty(const stage_graph& g, std::int64_t as_of, double ticks_per_sec) {
    funnel_stats s;
    s.num_stages = g.num_stages();
    s.num_ranks = static_cast<std::int32_t>(g.main_path().size());
    s.graph_fingerprint = g.fingerprint();
    s.as_of = as_of;
    s.ticks_per_second = ticks_per_sec;
    const auto S = static_cast<std::size_t>(s.num_stages);
    s.reached.assign(S, 0);
    s.furthest_final.assign((static_cast<std::size_t>(s.num_ranks) + 1) * S, 0);
    s.transitions.assign(S * S, 0);
    s.dwell.resize(S);
    s.transition_time.resize(S * S);
    return s;
  }

  /// OK when `o` was counted on the same graph (equal fingerprints) and
  /// read at the same as_of time, so the two can merge if their deals differ.
  absl::Status check_compatible(const funnel_stats& o) const {
    if (o.graph_fingerprint != graph_fingerprint || o.num_stages != num_stages ||
        o.num_ranks != num_ranks) {
      return absl::InvalidArgumentError(
          "cannot merge funnel statistics of different stage graphs (their graph fingerprints differ)");
    }
    if (o.as_of != as_of) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot merge funnel statistics read at different as_of times (", as_of, " and ",
          o.as_of, "); pass the same funnel_options::as_of to both"));
    }
    return absl::OkStatus();
  }

  /// Adds another partition's statistics: compatible (check_compatible) and
  /// counting other deals (a deal counted in both is refused, see deal_keys).
  absl::Status merge(const funnel_stats& o) {
    SALESFUNNEL_RETURN_IF_ERROR(check_compatible(o));
    SALESFUNNEL_RETURN_IF_ERROR(deal_keys.check_disjoint(o.deal_keys, "funnel statistics"));
    deal_keys.merge(o.deal_keys);
    deals += o.deals;
    events += o.events;
    for (std::size_t i = 0; i < reached.size(); ++i) reached[i] += o.reached[i];
    for (std::size_t i = 0; i < furthest_final.size(); ++i) furthest_final[i] += o.furthest_final[i];
    for (std::size_t i = 0; i < transitions.size(); ++i) transitions[i] += o.transitions[i];
    for (std::size_t i = 0; i < dwell.size(); ++i) dwell[i].merge(o.dwell[i]);
    for (std::size_t i = 0; i < transition_time.size(); ++i) transition_time[i].merge(o.transition_time[i]);
    return absl::OkStatus();
  }

  friend bool operator==(const funnel_stats& a, const funnel_stats& b) {
    return a.num_stages == b.num_stages && a.num_ranks == b.num_ranks &&
           a.graph_fingerprint == b.graph_fingerprint && a.as_of == b.as_of &&
           a.deals == b.deals && a.events == b.events && a.reached == b.reached &&
           a.furthest_final == b.furthest_final && a.transitions == b.transitions &&
           a.dwell == b.dwell && a.transition_time == b.transition_time && a.deal_keys == b.deal_keys;
  }
};

/// The graph statistics are counted on: the log's own, plus the implicit
/// "Went dark" exit when staleness is on.
inline absl::StatusOr<stage_graph> analysis_graph(const event_log& log, const staleness& stale = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  SALESFUNNEL_RETURN_IF_ERROR(stale.check(*g));
  return stale.enabled() ? with_went_dark(*g) : *g;
}

namespace detail {

/// Everything accumulate_deal reads, resolved once per computation.
struct funnel_context {
  const event_log* log = nullptr;
  const stage_graph* g = nullptr;  ///< the analysis graph (maybe with "Went dark")
  std::vector<std::int32_t> rank;  ///< stage -> main rank or -1
  stage_id dark = -1;              ///< the "Went dark" stage, or -1
  staleness stale;
  std::int64_t tps = 1;            ///< ticks per second
};

/// Bucket counts a batch count leaves for later (add_deferred_buckets): per
/// move, its transition's index from * S + to and its duration bucket in
/// one code. Buckets run to 2206 (int64 seconds), below 2^12.
struct deferred_buckets {
  static constexpr int bucket_bits = 12;
  /// Whether S stages' transition indices fit beside the bucket.
  static bool fits(std::size_t stages) { return stages * stages <= (std::size_t{1} << (32 - bucket_bits)); }
  std::vector<std::uint32_t> codes;
  void add(std::size_t transition, std::size_t bucket) {
    codes.push_back(static_cast<std::uint32_t>(transition << bucket_bits | bucket));
  }
};

/// One move of a deal: counts, dwell and time before the move. Sign -1
/// takes the move back out (stats/live_funnel.hpp). A stage's completed
/// stays are exactly the times before the moves out of it, so a batch count
/// passes Dwell = false and adds them once at the end (add_moves_to_dwell)
/// instead of a second sketch update per move. A batch count may also pass
/// `later`: the move's time then goes into its sketch's totals now and its
/// bucket's count into `later` (see compute_funnel_stats_grouped).
template <int Sign = 1, bool Dwell = true>
inline void add_move(funnel_stats& s, std::size_t from, std::size_t to, std::int64_t secs,
                     deferred_buckets* later = nullptr) {
  const auto S = static_cast<std::size_t>(s.num_stages);
  secs = std::max<std::int64_t>(secs, 0);
  const auto bucket = duration_sketch::bucket_of(secs);
  const auto move = from * S + to;
  s.transitions[move] += Sign;
  if constexpr (Sign > 0) {
    if constexpr (Dwell) s.dwell[from].add_in_bucket(bucket, secs, false);
    if (later) {
      s.transition_time[move].add_observed_total(secs);
      later->add(move, bucket);
    } else {
      s.transition_time[move].add_in_bucket(bucket, secs, false);
    }
  } else {
    if constexpr (Dwell) s.dwell[from].remove_in_bucket(bucket, secs, false);
    s.transition_time[move].remove_in_bucket(bucket, secs, false);
  }
}

/// Adds the bucket counts add_move left in `later`.
inline void add_deferred_buckets(funnel_stats& s, const deferred_buckets& later) {
  constexpr std::uint32_t mask = (std::uint32_t{1} << deferred_buckets::bucket_bits) - 1;
  for (const auto code : later.codes) {
    s.transition_time[code >> deferred_buckets::bucket_bits].add_observed_bucket(code & mask);
  }
}

/// Completes statistics counted with Dwell = false: each stage's dwell
/// gains the times before every move out of it.
inline void add_moves_to_dwell(funnel_stats& s) {
  const auto S = static_cast<std::size_t>(s.num_stages);
  for (std::size_t from = 0; from < S; ++from) {
    for (std::size_t to = 0; to < S; ++to) s.dwell[from].merge(s.transition_time[from * S + to]);
  }
}

/// How a deal's history ends at s.as_of, given its last event and furthest
/// main-path rank: a terminal stage; an open stay censored at as_of; or,
/// with staleness, a move to "Went dark" once silent past the limit. The one
/// place the as_of-dependent part of a deal is counted.
template <int Sign = 1, bool Dwell = true>
inline void add_tail(const funnel_context& c, funnel_stats& s, stage_id last_stage,
                     std::int64_t last_time, std::int32_t furthest, deferred_buckets* later = nullptr) {
  const auto S = static_cast<std::size_t>(s.num_stages);
  auto last = static_cast<std::size_t>(last_stage);
  if (!is_terminal(c.g->kind_of(last_stage))) {
    const auto silent = elapsed(s.as_of, last_time);
    const double limit = c.dark >= 0 ? c.stale.limit_days(last_stage) : std::numeric_limits<double>::quiet_NaN();
    if (!std::isnan(limit) && static_cast<double>(silent) > limit * static_cast<double>(c.tps * seconds_per_day)) {
      // Gone dark: the stay ended after the limit, by the implicit exit.
      add_move<Sign, Dwell>(s, last, static_cast<std::size_t>(c.dark), static_cast<std::int64_t>(limit * seconds_per_day),
                            later);
      last = static_cast<std::size_t>(c.dark);
      s.reached[last] += Sign;
    } else {
      const auto secs = std::max<std::int64_t>(silent / c.tps, 0);
      if constexpr (Sign > 0) s.dwell[last].add(secs, true);
      else s.dwell[last].remove_in_bucket(duration_sketch::bucket_of(secs), secs, true);
    }
  }
  s.furthest_final[static_cast<std::size_t>(furthest + 1) * S + last] += Sign;
}

/// Adds deal k, read at s.as_of, into `s` (false: the deal has no event by
/// then and is not counted); Sign -1 takes it back out. `seen` is scratch of
/// size S holding the last deal that marked each stage; `later` as add_move.
template <int Sign = 1, bool Dwell = true>
inline bool accumulate_deal(const funnel_context& c, std::int64_t k, funnel_stats& s,
                            std::vector<std::int64_t>& seen, deferred_buckets* later = nullptr) {
  const auto st = c.log->stages();
  const auto tm = c.log->times();
  const auto b = c.log->deal_begin(k), e = c.log->deal_end(k, s.as_of);
  if (b == e) return false;
  s.deals += Sign;
  s.events += Sign * (e - b);
  std::int32_t furthest = -1;
  for (auto i = b; i < e; ++i) {
    const auto a = static_cast<std::size_t>(st[i]);
    if (seen[a] != k) {
      seen[a] = k;
      s.reached[a] += Sign;
    }
    furthest = std::max(furthest, c.rank[a]);
    if (i + 1 < e) add_move<Sign, Dwell>(s, a, static_cast<std::size_t>(st[i + 1]), elapsed(tm[i + 1], tm[i]) / c.tps, later);
  }
  add_tail<Sign, Dwell>(c, s, st[e - 1], tm[e - 1], furthest, later);
  return true;
}

inline absl::StatusOr<funnel_context> make_context(const event_log& log, const stage_graph& g,
                                                   const funnel_options& opt) {
  funnel_context c;
  c.log = &log;
  c.g = &g;
  c.rank = g.main_ranks();
  c.stale = opt.stale;
  if (opt.stale.enabled()) c.dark = *g.find(went_dark_stage);
  c.tps = ticks_per_second(log.unit());
  return c;
}

}  // namespace detail

namespace detail {

/// Which of `chunks` parts counts each deal (-1: left out), and each part's
/// first and last deal + 1. Deals are ranked group by group (in log order
/// within a group) and the ranking is cut into equal parts, so a part holds
/// whole groups except at its two ends: a thread then builds the statistics
/// of its own groups only (each group's sketches in one cache, not in every
/// thread's), and with one group the parts are contiguous ranges of deals.
struct deal_parts {
  std::vector<std::int16_t> owner;
  std::vector<std::int64_t> first, last;
};

inline deal_parts split_by_group(std::span<const std::int32_t> group_of_deal, std::int32_t num_groups,
                                 int chunks) {
  const auto G = static_cast<std::size_t>(num_groups);
  std::vector<std::int64_t> next(G + 1, 0);  // the next rank in each group
  for (const auto grp : group_of_deal) {
    if (grp >= 0 && grp < num_groups) ++next[static_cast<std::size_t>(grp) + 1];
  }
  std::partial_sum(next.begin(), next.end(), next.begin());
  const auto cut = chunk_bounds(next[G], chunks);
  deal_parts d;
  d.owner.assign(group_of_deal.size(), -1);
  d.first.assign(static_cast<std::size_t>(chunks), static_cast<std::int64_t>(group_of_deal.size()));
  d.last.assign(static_cast<std::size_t>(chunks), 0);
  for (std::size_t k = 0; k < group_of_deal.size(); ++k) {
    const auto grp = group_of_deal[k];
    if (grp < 0 || grp >= num_groups) continue;
    const auto rank = next[static_cast<std::size_t>(grp)]++;
    const auto part =
        static_cast<std::size_t>(std::upper_bound(cut.begin() + 1, cut.end(), rank) - (cut.begin() + 1));
    d.owner[k] = static_cast<std::int16_t>(part);
    d.first[part] = std::min(d.first[part], static_cast<std::int64_t>(k));
    d.last[part] = static_cast<std::int64_t>(k) + 1;
  }
  return d;
}

}  // namespace detail

/// Gathers funnel statistics for each group of deals: `group_of_deal[k]` in
/// [0, num_groups) or -1 to leave deal k out. Uses several threads, each
/// counting whole groups where it can (detail::split_by_group) and creating
/// a group's statistics on its first deal; the groups two threads share are
/// merged, which is exact. A thread with many groups (by rep: deals of ~50
/// reps interleaved) leaves its duration buckets' counts for a second pass,
/// group by group (detail::deferred_buckets): counting them as it goes
/// would touch every group's bucket arrays in turn, some megabytes, and miss
/// the cache on most moves.
inline absl::StatusOr<std::vector<funnel_stats>> compute_funnel_stats_grouped(
    const event_log& log, std::span<const std::int32_t> group_of_deal, std::int32_t num_groups,
    const funnel_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph g, analysis_graph(log, opt.stale));
  const std::int64_t as_of = detail::resolve_as_of(log, opt.as_of);
  if (static_cast<std::int64_t>(group_of_deal.size()) != log.num_deals()) {
    return absl::InvalidArgumentError(absl::StrCat("group_of_deal has ", group_of_deal.size(),
                                                   " entries for ", log.num_deals(), " deals"));
  }
  SALESFUNNEL_ASSIGN_OR_RETURN(const auto ctx, detail::make_context(log, g, opt));
  const auto tps = static_cast<double>(ticks_per_second(log.unit()));
  const int threads = detail::resolve_threads(opt.threads);
  const int chunks = log.num_deals() < 4096 ? 1 : threads;
  const auto parts = detail::split_by_group(group_of_deal, num_groups, chunks);
  // One group's sketches stay in cache, and counting into them directly is
  // faster (10M events: 0.07 s against 0.10 s deferred); at 13 groups a
  // thread (by cohort week) the second pass already gains, at 48 (by rep)
  // the count takes a quarter less.
  const bool defer = num_groups / chunks >= 8 &&
                     detail::deferred_buckets::fits(static_cast<std::size_t>(g.num_stages()));
  std::vector<std::vector<std::optional<funnel_stats>>> partial(static_cast<std::size_t>(chunks));
  detail::parallel_chunks(chunks, chunks, threads, [&](std::int64_t part, std::int64_t, int) {
    const auto c = static_cast<std::size_t>(part);
    auto& mine = partial[c];
    mine.resize(static_cast<std::size_t>(num_groups));
    std::vector<detail::deferred_buckets> later(defer ? mine.size() : 0);
    std::vector<std::int64_t> seen(static_cast<std::size_t>(g.num_stages()), -1);
    for (auto k = parts.first[c]; k < parts.last[c]; ++k) {
      if (parts.owner[static_cast<std::size_t>(k)] != part) continue;
      const auto grp = static_cast<std::size_t>(group_of_deal[k]);
      auto& s = mine[grp];
      if (!s) s = funnel_stats::empty(g, as_of, tps);
      if (detail::accumulate_deal<1, false>(ctx, k, *s, seen, defer ? &later[grp] : nullptr)) {
        s->deal_keys.add(log.deal_hash(k));
      }
    }
    for (std::size_t grp = 0; grp < mine.size(); ++grp) {
      auto& s = mine[grp];
      if (!s) continue;
      if (defer) {
        detail::add_deferred_buckets(*s, later[grp]);
        std::vector<std::uint32_t>().swap(later[grp].codes);
      }
      detail::add_moves_to_dwell(*s);
      s->deal_keys.seal();
    }
  });
  std::vector<funnel_stats> out(static_cast<std::size_t>(num_groups));
  for (std::size_t grp = 0; grp < out.size(); ++grp) {
    bool any = false;
    for (auto& p : partial) {
      auto& s = p[grp];
      if (!s) continue;
      if (any) SALESFUNNEL_RETURN_IF_ERROR(out[grp].merge(*s));
      else out[grp] = std::move(*s);
      any = true;
    }
    if (!any) out[grp] = funnel_stats::empty(g, as_of, tps);
  }
  return out;
}

/// Gathers funnel statistics over the whole log.
inline absl::StatusOr<funnel_stats> compute_funnel_stats(const event_log& log,
                                                         const funnel_options& opt = {}) {
  std::vector<std::int32_t> all(static_cast<std::size_t>(log.num_deals()), 0);
  SALESFUNNEL_ASSIGN_OR_RETURN(auto v, compute_funnel_stats_grouped(log, all, 1, opt));
  return std::move(v[0]);
}

/// Deals put in groups by a key: a code per deal (-1: no value) and the labels.
struct deal_groups {
  std::string by;
  std::vector<std::int32_t> codes;
  std::vector<std::string> labels;
};

/// The one `by` dispatch every surface uses: an attribute column of that
/// name; else "rep" (the deal owner); else "cohort_week" / "cohort_month"
/// (also spelled "entry_week" / "entry_month"): the week (Monday) or month of
/// the deal's first event. NotFound lists what the log offers.
inline absl::StatusOr<deal_groups> group_deals(const event_log& log, std::string_view by) {
  deal_groups out;
  out.by = std::string(by);
  if (auto a = log.attribute_index(by); a.ok()) {
    const auto codes = log.attribute_codes(*a);
    out.codes.assign(codes.begin(), codes.end());
    out.labels = log.attribute_categories(*a);
    return out;
  }
  if (by == "rep") {
    if (!log.has_rep()) return absl::FailedPreconditionError("the event log has no rep column");
    out.codes.assign(log.deal_rep().begin(), log.deal_rep().end());
    out.labels = log.rep_names();
    return out;
  }
  const bool week = by == "cohort_week" || by == "entry_week";
  if (week || by == "cohort_month" || by == "entry_month") {
    const auto p = week ? cohort_period::week : cohort_period::month;
    out.codes.assign(static_cast<std::size_t>(log.num_deals()), -1);
    absl::flat_hash_map<std::int64_t, std::int32_t> index;  // cohort_key -> group
    for (std::int64_t k = 0; k < log.num_deals(); ++k) {
      if (log.deal_begin(k) == log.deal_end(k)) continue;
      const auto key = cohort_key(log.times()[log.deal_begin(k)], log.unit(), p);
      auto [it, fresh] = index.try_emplace(key, static_cast<std::int32_t>(out.labels.size()));
      if (fresh) out.labels.push_back(cohort_key_label(key, p));
      out.codes[k] = it->second;
    }
    return out;
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < log.num_attributes(); ++i) names.push_back(log.attribute_name(i));
  return absl::NotFoundError(absl::StrCat(
      "cannot group by '", detail::shown(by), "'; use ", log.has_rep() ? "'rep', " : "",
      "'cohort_week', 'cohort_month'",
      names.empty() ? " (the log has no attribute columns)"
                    : absl::StrCat(" or an attribute: ", absl::StrJoin(names, ", "))));
}

/// The label of deals with no value for the grouping key.
inline constexpr std::string_view no_group_label = "(none)";

/// Statistics per group, keyed by label (sorted, "(none)" last), so
/// statistics of partitions built separately merge group by group. `Stats`
/// has check_compatible and merge (-> absl::Status) and a deal_set deal_keys.
template <class Stats>
struct grouped_stats {
  std::string by;
  std::vector<std::string> labels;
  std::vector<Stats> stats;

  /// Adds another partition's grouped statistics: groups with the same label
  /// merge, new labels join in sorted place.
  absl::Status merge(const grouped_stats& o) {
    if (o.by != by) {
      return absl::InvalidArgumentError(absl::StrCat("cannot merge statistics grouped by '", by,
                                                     "' with statistics grouped by '", o.by, "'"));
    }
    // A deal in group x here and group y there would count twice in the
    // whole, so the check spans every group, not just equal labels.
    if (!stats.empty() && !o.stats.empty()) {
      SALESFUNNEL_RETURN_IF_ERROR(all_deals().check_disjoint(o.all_deals(), "grouped statistics"));
    }
    for (std::size_t i = 0; i < o.labels.size(); ++i) {
      auto it = std::find(labels.begin(), labels.end(), o.labels[i]);
      if (it != labels.end()) {
        SALESFUNNEL_RETURN_IF_ERROR(stats[static_cast<std::size_t>(it - labels.begin())].merge(o.stats[i]));
        continue;
      }
      if (!stats.empty()) SALESFUNNEL_RETURN_IF_ERROR(stats.front().check_compatible(o.stats[i]));
      labels.push_back(o.labels[i]);
      stats.push_back(o.stats[i]);
    }
    sort_labels();
    return absl::OkStatus();
  }

  /// The deals of every group.
  deal_set all_deals() const {
    deal_set all;
    for (const auto& s : stats) all.merge(s.deal_keys);
    return all;
  }

  /// Sorts groups by label, "(none)" last.
  void sort_labels() {
    std::vector<std::size_t> order(labels.size());
    std::iota(order.begin(), order.end(), 0);
    auto key = [&](std::size_t i) { return std::make_pair(labels[i] == no_group_label, labels[i]); };
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return key(a) < key(b); });
    std::vector<std::string> l;
    std::vector<Stats> s;
    for (auto i : order) {
      l.push_back(std::move(labels[i]));
      s.push_back(std::move(stats[i]));
    }
    labels = std::move(l);
    stats = std::move(s);
  }
};

using grouped_funnel_stats = grouped_stats<funnel_stats>;

/// Funnel statistics per group of `by` (see group_deals).
inline absl::StatusOr<grouped_funnel_stats> compute_funnel_stats_by(const event_log& log,
                                                                    std::string_view by,
                                                                    const funnel_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(auto groups, group_deals(log, by));
  const auto none = static_cast<std::int32_t>(groups.labels.size());
  bool any_null = false;
  for (auto& c : groups.codes) {
    if (c < 0) {
      c = none;
      any_null = true;
    }
  }
  const auto ng = none + (any_null ? 1 : 0);
  SALESFUNNEL_ASSIGN_OR_RETURN(auto stats, compute_funnel_stats_grouped(log, groups.codes, ng, opt));
  grouped_funnel_stats out;
  out.by = groups.by;
  out.labels = std::move(groups.labels);
  if (any_null) out.labels.emplace_back(no_group_label);
  out.stats = std::move(stats);
  out.sort_labels();
  return out;
}

SALESFUNNEL_END_NAMESPACE
