// Funnel statistics (mergeable) and the funnel report built from them.
//
//   auto log = salesfunnel::event_log::build(cols, opt);          // with a graph
//   absl::StatusOr<salesfunnel::funnel_report> rep = salesfunnel::funnel(*log);
//   for (const auto& row : rep->stages) { ... row.reached, row.step_conversion ... }
//
// Everything a report needs is first gathered into funnel_stats: integer
// counts and duration sketches that merge associatively and exactly, so a log
// split by deal across threads or files gives the same report as the whole.
// Open deals are right-censored: never counted as dropped, and their time in
// the current stage enters the Kaplan-Meier estimate as a censored stay.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/detail/parallel.hpp"
#include "salesfunnel/event_log.hpp"
#include "salesfunnel/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// A Wilson score interval for x successes in n trials.
struct interval {
  double estimate = std::numeric_limits<double>::quiet_NaN();
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
};

/// Wilson score interval (z = 1.96 for 95%); NaN fields when n == 0.
inline interval wilson(std::int64_t x, std::int64_t n, double z = 1.959963984540054) {
  interval r;
  if (n <= 0) return r;
  const double nn = static_cast<double>(n), p = static_cast<double>(x) / nn, z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double center = (p + z2 / (2.0 * nn)) / denom;
  const double half = z / denom * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
  r.estimate = p;
  r.low = std::max(0.0, center - half);
  r.high = std::min(1.0, center + half);
  return r;
}

/// A mergeable histogram of durations in whole seconds on log-spaced buckets
/// (relative width 2%), kept separately for completed (observed) and
/// still-running (censored) stays. Merging adds integer counts, so any split
/// of the data merges to exactly the same sketch.
class duration_sketch {
 public:
  static constexpr double gamma = 1.02;

  /// Bucket 0 holds stays shorter than one second; bucket b >= 1 holds
  /// [gamma^(b-1), gamma^b) seconds.
  static std::size_t bucket_of(std::int64_t seconds) {
    if (seconds < 1) return 0;
    return 1 + static_cast<std::size_t>(std::floor(std::log(static_cast<double>(seconds)) /
                                                   std::log(gamma)));
  }
  /// The value a bucket stands for: its geometric midpoint, in seconds.
  static double bucket_value(std::size_t b) {
    if (b == 0) return 0.0;
    return std::pow(gamma, static_cast<double>(b) - 0.5);
  }

  void add(std::int64_t seconds, bool censored) {
    seconds = std::max<std::int64_t>(seconds, 0);
    add_in_bucket(bucket_of(seconds), seconds, censored);
  }

  /// add() when the caller already knows bucket_of(seconds) (seconds >= 0).
  void add_in_bucket(std::size_t b, std::int64_t seconds, bool censored) {
    auto& v = censored ? censored_ : observed_;
    if (v.size() <= b) v.resize(b + 1, 0);
    ++v[b];
    if (censored) {
      ++n_censored_;
    } else {
      ++n_observed_;
      sum_observed_ += seconds;
    }
  }

  void merge(const duration_sketch& o) {
    auto add_into = [](std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
      if (a.size() < b.size()) a.resize(b.size(), 0);
      for (std::size_t i = 0; i < b.size(); ++i) a[i] += b[i];
    };
    add_into(observed_, o.observed_);
    add_into(censored_, o.censored_);
    n_observed_ += o.n_observed_;
    n_censored_ += o.n_censored_;
    sum_observed_ += o.sum_observed_;
  }

  std::int64_t observed() const { return n_observed_; }
  std::int64_t censored() const { return n_censored_; }
  /// Mean of the completed stays, in seconds (NaN when there are none).
  double mean_observed() const {
    return n_observed_ ? static_cast<double>(sum_observed_) / static_cast<double>(n_observed_)
                       : std::numeric_limits<double>::quiet_NaN();
  }

  /// Kaplan-Meier quantile in seconds: the smallest bucket value t with
  /// S(t) <= 1 - q. Censored stays in a bucket leave the risk set after that
  /// bucket's completions. NaN when the curve never falls that far.
  double km_quantile(double q) const {
    const double target = 1.0 - q;
    double at_risk = static_cast<double>(n_observed_ + n_censored_);
    double survival = 1.0;
    const std::size_t nb = std::max(observed_.size(), censored_.size());
    for (std::size_t b = 0; b < nb; ++b) {
      const double d = b < observed_.size() ? static_cast<double>(observed_[b]) : 0.0;
      const double c = b < censored_.size() ? static_cast<double>(censored_[b]) : 0.0;
      if (d > 0 && at_risk > 0) {
        survival *= 1.0 - d / at_risk;
        if (survival <= target + 1e-12) return bucket_value(b);
      }
      at_risk -= d + c;
    }
    return std::numeric_limits<double>::quiet_NaN();
  }

  const std::vector<std::int64_t>& observed_counts() const { return observed_; }
  const std::vector<std::int64_t>& censored_counts() const { return censored_; }

  friend bool operator==(const duration_sketch& a, const duration_sketch& b) {
    auto trimmed_equal = [](const std::vector<std::int64_t>& x, const std::vector<std::int64_t>& y) {
      const std::size_t n = std::max(x.size(), y.size());
      for (std::size_t i = 0; i < n; ++i) {
        if ((i < x.size() ? x[i] : 0) != (i < y.size() ? y[i] : 0)) return false;
      }
      return true;
    };
    return a.n_observed_ == b.n_observed_ && a.n_censored_ == b.n_censored_ &&
           a.sum_observed_ == b.sum_observed_ && trimmed_equal(a.observed_, b.observed_) &&
           trimmed_equal(a.censored_, b.censored_);
  }

 private:
  std::vector<std::int64_t> observed_, censored_;
  std::int64_t n_observed_ = 0, n_censored_ = 0, sum_observed_ = 0;
};

struct funnel_options {
  /// The time the log is read at: open deals' current stays are censored
  /// here. Defaults to the log's latest event; must not precede it.
  std::optional<std::int64_t> as_of;
  /// 0 means every hardware thread.
  int threads = 0;
};

/// Everything a funnel report needs, as mergeable integer counts and sketches.
struct funnel_stats {
  stage_id num_stages = 0;
  std::int32_t num_ranks = 0;  ///< main path length
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

  /// Empty statistics shaped for `g`, read at `as_of`.
  static funnel_stats empty(const stage_graph& g, std::int64_t as_of, double ticks_per_sec) {
    funnel_stats s;
    s.num_stages = g.num_stages();
    s.num_ranks = static_cast<std::int32_t>(g.main_path().size());
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

  /// Adds another partition's statistics. The two must describe the same
  /// graph shape and be read at the same as_of time.
  absl::Status merge(const funnel_stats& o) {
    if (o.num_stages != num_stages || o.num_ranks != num_ranks) {
      return absl::InvalidArgumentError("cannot merge funnel statistics of different stage graphs");
    }
    if (o.as_of != as_of) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot merge funnel statistics read at different as_of times (", as_of, " and ",
          o.as_of, "); pass the same funnel_options::as_of to both"));
    }
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
    return a.num_stages == b.num_stages && a.num_ranks == b.num_ranks && a.as_of == b.as_of &&
           a.deals == b.deals && a.events == b.events && a.reached == b.reached &&
           a.furthest_final == b.furthest_final && a.transitions == b.transitions &&
           a.dwell == b.dwell && a.transition_time == b.transition_time;
  }
};

namespace detail {

inline absl::StatusOr<std::int64_t> resolve_as_of(const event_log& log, const funnel_options& opt) {
  if (!opt.as_of) return log.max_time();
  if (log.num_events() > 0 && *opt.as_of < log.max_time()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "as_of (", *opt.as_of, ") precedes the log's latest event (", log.max_time(), ")"));
  }
  return *opt.as_of;
}

/// Adds deal k of `log` into `s`. `seen` is scratch of size S holding the
/// last deal that marked each stage; `rank` maps stage -> main rank or -1.
inline void accumulate_deal(const event_log& log, const stage_graph& g,
                            std::span<const std::int32_t> rank, std::int64_t k, funnel_stats& s,
                            std::vector<std::int64_t>& seen) {
  const auto st = log.stages();
  const auto tm = log.times();
  const auto off = log.offsets();
  const auto S = static_cast<std::size_t>(s.num_stages);
  const auto tps = static_cast<std::int64_t>(s.ticks_per_second);
  const auto b = off[k], e = off[k + 1];
  if (b == e) return;
  ++s.deals;
  s.events += e - b;
  std::int32_t furthest = -1;
  for (auto i = b; i < e; ++i) {
    const auto a = static_cast<std::size_t>(st[i]);
    if (seen[a] != k) {
      seen[a] = k;
      ++s.reached[a];
    }
    furthest = std::max(furthest, rank[a]);
    if (i + 1 < e) {
      const auto c = static_cast<std::size_t>(st[i + 1]);
      const auto secs = (tm[i + 1] - tm[i]) / tps;
      const auto bucket = duration_sketch::bucket_of(secs);
      ++s.transitions[a * S + c];
      s.dwell[a].add_in_bucket(bucket, secs, false);
      s.transition_time[a * S + c].add_in_bucket(bucket, secs, false);
    }
  }
  const auto last = st[e - 1];
  if (!is_terminal(g.kind_of(last))) s.dwell[static_cast<std::size_t>(last)].add((s.as_of - tm[e - 1]) / tps, true);
  ++s.furthest_final[static_cast<std::size_t>(furthest + 1) * S + static_cast<std::size_t>(last)];
}

inline std::vector<std::int32_t> main_ranks(const stage_graph& g) {
  std::vector<std::int32_t> rank(static_cast<std::size_t>(g.num_stages()), -1);
  auto path = g.main_path();
  for (std::size_t r = 0; r < path.size(); ++r) rank[static_cast<std::size_t>(path[r])] = static_cast<std::int32_t>(r);
  return rank;
}

inline absl::StatusOr<const stage_graph*> graph_of(const event_log& log) {
  if (!log.graph()) {
    return absl::FailedPreconditionError(
        "the event log has no stage graph; build it with one, or call with_graph()");
  }
  return &*log.graph();
}

}  // namespace detail

/// Gathers funnel statistics for each group of deals: `group_of_deal[k]` in
/// [0, num_groups) or -1 to leave deal k out. Uses several threads and merges
/// their partial statistics, which is exact.
inline absl::StatusOr<std::vector<funnel_stats>> compute_funnel_stats_grouped(
    const event_log& log, std::span<const std::int32_t> group_of_deal, std::int32_t num_groups,
    const funnel_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  SALESFUNNEL_ASSIGN_OR_RETURN(std::int64_t as_of, detail::resolve_as_of(log, opt));
  if (static_cast<std::int64_t>(group_of_deal.size()) != log.num_deals()) {
    return absl::InvalidArgumentError(absl::StrCat("group_of_deal has ", group_of_deal.size(),
                                                   " entries for ", log.num_deals(), " deals"));
  }
  const auto tps = static_cast<double>(ticks_per_second(log.unit()));
  const auto rank = detail::main_ranks(*g);
  const int threads = detail::resolve_threads(opt.threads);
  const std::int64_t nd = log.num_deals();
  const int chunks = nd < 4096 ? 1 : threads;
  std::vector<std::vector<funnel_stats>> partial(static_cast<std::size_t>(chunks));
  detail::parallel_chunks(nd, chunks, threads, [&](std::int64_t b, std::int64_t e, int c) {
    auto& mine = partial[c];
    mine.assign(static_cast<std::size_t>(num_groups), funnel_stats::empty(*g, as_of, tps));
    std::vector<std::int64_t> seen(static_cast<std::size_t>(g->num_stages()), -1);
    for (std::int64_t k = b; k < e; ++k) {
      const auto grp = group_of_deal[k];
      if (grp < 0 || grp >= num_groups) continue;
      detail::accumulate_deal(log, *g, rank, k, mine[grp], seen);
    }
  });
  std::vector<funnel_stats> out = std::move(partial[0]);
  for (int c = 1; c < chunks; ++c) {
    for (std::int32_t grp = 0; grp < num_groups; ++grp) {
      SALESFUNNEL_RETURN_IF_ERROR(out[grp].merge(partial[c][grp]));
    }
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
};

/// Builds the report from (possibly merged) statistics.
inline absl::StatusOr<funnel_report> make_funnel_report(const funnel_stats& s, const stage_graph& g) {
  if (s.num_stages != g.num_stages()) {
    return absl::InvalidArgumentError("funnel statistics and stage graph differ in stage count");
  }
  const auto S = static_cast<std::size_t>(s.num_stages);
  const auto R = static_cast<std::size_t>(s.num_ranks);
  const double day = 86400.0;
  const auto path = g.main_path();
  funnel_report rep;
  rep.graph = g;
  rep.stats = s;
  rep.deals = s.deals;
  // Per rank: deals whose furthest rank it is, by final-stage kind.
  std::vector<std::int64_t> furthest_total(R + 1, 0), dropped(R + 1, 0), closed_won(R + 1, 0),
      in_progress(R + 1, 0), resting(S, 0);
  for (std::size_t r = 0; r <= R; ++r) {
    for (std::size_t f = 0; f < S; ++f) {
      const auto n = s.furthest_final[r * S + f];
      if (n == 0) continue;
      furthest_total[r] += n;
      resting[f] += n;
      switch (g.kind_of(static_cast<stage_id>(f))) {
        case stage_kind::lost: dropped[r] += n; break;
        case stage_kind::won: closed_won[r] += n; break;
        default: in_progress[r] += n; break;
      }
      if (r > 0 && g.kind_of(static_cast<stage_id>(f)) == stage_kind::lost) {
        rep.drop_offs.push_back(drop_off_row{path[r - 1], static_cast<stage_id>(f), n});
      }
    }
  }
  for (std::size_t r = 0; r <= R; ++r) {
    rep.won += closed_won[r];
    rep.lost += dropped[r];
    rep.open += in_progress[r];
  }
  // reached_or_beyond[r] over ranks r = 0..R-1 (index r + 1 in the tables).
  std::vector<std::int64_t> rob(R + 1, 0);
  for (std::size_t r = R; r-- > 0;) rob[r] = furthest_total[r + 1] + (r + 1 < R ? rob[r + 1] : 0);
  const auto rank = detail::main_ranks(g);
  for (stage_id sid = 0; sid < g.num_stages(); ++sid) {
    const auto si = static_cast<std::size_t>(sid);
    stage_row row;
    row.stage = sid;
    row.name = g.name_of(sid);
    row.kind = g.kind_of(sid);
    row.main_rank = rank[si];
    row.reached = s.reached[si];
    row.open = is_terminal(row.kind) ? 0 : resting[si];
    if (row.main_rank >= 0) {
      const auto r = static_cast<std::size_t>(row.main_rank);
      row.reached_or_beyond = rob[r];
      row.advanced = r + 1 < R ? rob[r + 1] : 0;
      row.dropped = dropped[r + 1];
      row.closed_here = closed_won[r + 1];
      row.in_progress = in_progress[r + 1];
      if (r + 1 < R) {
        row.step_conversion =
            wilson(row.advanced, row.advanced + row.dropped + row.closed_here);
      }
      // Deals that closed (won or lost) with a furthest rank below r.
      std::int64_t closed_before = 0;
      for (std::size_t q = 0; q <= r; ++q) closed_before += dropped[q] + closed_won[q];
      row.cumulative_conversion = wilson(rob[r], rob[r] + closed_before);
    }
    const auto& dw = s.dwell[si];
    row.median_days = dw.km_quantile(0.5) / day;
    row.p90_days = dw.km_quantile(0.9) / day;
    row.mean_days = dw.mean_observed() / day;
    row.stays_completed = dw.observed();
    row.stays_censored = dw.censored();
    rep.stages.push_back(std::move(row));
  }
  for (std::size_t a = 0; a < S; ++a) {
    for (std::size_t b = 0; b < S; ++b) {
      const auto n = s.transitions[a * S + b];
      if (n == 0) continue;
      rep.transitions.push_back(transition_row{
          static_cast<stage_id>(a), static_cast<stage_id>(b), n,
          s.transition_time[a * S + b].km_quantile(0.5) / day,
          g.has_edge(static_cast<stage_id>(a), static_cast<stage_id>(b))});
    }
  }
  return rep;
}

/// The funnel report of a log that has a stage graph.
inline absl::StatusOr<funnel_report> funnel(const event_log& log, const funnel_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto stats, compute_funnel_stats(log, opt));
  return make_funnel_report(stats, *g);
}

/// Cohort periods for entry-cohort breakdowns.
enum class cohort_period : std::uint8_t { week, month };

/// A report per group: by rep, attribute or entry cohort.
struct grouped_funnel_report {
  std::string by;                     ///< "rep", an attribute name, or "cohort_week"/"cohort_month"
  std::vector<std::string> groups;    ///< group labels, sorted
  std::vector<funnel_report> reports; ///< one per group
};

namespace detail {

inline absl::StatusOr<grouped_funnel_report> grouped(const event_log& log, std::string by,
                                                     std::span<const std::int32_t> codes,
                                                     const std::vector<std::string>& labels,
                                                     const funnel_options& opt) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  // Sort group labels; deals with no value form a "(none)" group.
  std::vector<std::int32_t> order(labels.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return labels[a] < labels[b]; });
  std::vector<std::int32_t> pos(labels.size());
  for (std::size_t i = 0; i < order.size(); ++i) pos[order[i]] = static_cast<std::int32_t>(i);
  bool any_null = std::any_of(codes.begin(), codes.end(), [](auto c) { return c < 0; });
  const auto none = static_cast<std::int32_t>(labels.size());
  std::vector<std::int32_t> group(codes.size());
  for (std::size_t k = 0; k < codes.size(); ++k) group[k] = codes[k] < 0 ? none : pos[codes[k]];
  const auto ng = static_cast<std::int32_t>(labels.size()) + (any_null ? 1 : 0);
  SALESFUNNEL_ASSIGN_OR_RETURN(auto stats, compute_funnel_stats_grouped(log, group, ng, opt));
  grouped_funnel_report out;
  out.by = std::move(by);
  for (auto i : order) out.groups.push_back(labels[i]);
  if (any_null) out.groups.push_back("(none)");
  for (const auto& st : stats) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto r, make_funnel_report(st, *g));
    out.reports.push_back(std::move(r));
  }
  return out;
}

}  // namespace detail

/// The funnel report per rep (deal owner).
inline absl::StatusOr<grouped_funnel_report> funnel_by_rep(const event_log& log,
                                                           const funnel_options& opt = {}) {
  if (!log.has_rep()) return absl::FailedPreconditionError("the event log has no rep column");
  return detail::grouped(log, "rep", log.deal_rep(), log.rep_names(), opt);
}

/// The funnel report per value of an attribute column.
inline absl::StatusOr<grouped_funnel_report> funnel_by_attribute(const event_log& log,
                                                                 std::string_view name,
                                                                 const funnel_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(auto a, log.attribute_index(name));
  return detail::grouped(log, std::string(name), log.attribute_codes(a),
                         log.attribute_categories(a), opt);
}

/// The label of the entry cohort that a UTC time falls in: "2024-03" for
/// months, the Monday that starts its week ("2024-03-04") for weeks.
inline std::string cohort_label(std::int64_t ticks, time_unit unit, cohort_period p) {
  const auto secs = ticks / ticks_per_second(unit) - ((ticks % ticks_per_second(unit)) < 0 ? 1 : 0);
  const absl::CivilSecond cs = absl::ToCivilSecond(absl::FromUnixSeconds(secs), absl::UTCTimeZone());
  if (p == cohort_period::month) {
    const absl::CivilMonth m(cs);
    return absl::StrFormat("%04d-%02d", m.year(), m.month());
  }
  absl::CivilDay day(cs);
  day = absl::PrevWeekday(day + 1, absl::Weekday::monday);
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

/// The funnel report per entry cohort: the week or month of each deal's first event.
inline absl::StatusOr<grouped_funnel_report> funnel_by_cohort(const event_log& log, cohort_period p,
                                                              const funnel_options& opt = {}) {
  std::vector<std::int32_t> codes(static_cast<std::size_t>(log.num_deals()), -1);
  std::vector<std::string> labels;
  absl::flat_hash_map<std::string, std::int32_t> index;
  const auto off = log.offsets();
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    if (off[k] == off[k + 1]) continue;
    auto label = cohort_label(log.times()[off[k]], log.unit(), p);
    auto [it, fresh] = index.try_emplace(label, static_cast<std::int32_t>(labels.size()));
    if (fresh) labels.push_back(label);
    codes[k] = it->second;
  }
  return detail::grouped(log, p == cohort_period::week ? "cohort_week" : "cohort_month", codes,
                         labels, opt);
}

SALESFUNNEL_END_NAMESPACE
