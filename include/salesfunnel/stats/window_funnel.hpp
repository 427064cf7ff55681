// Ordered-step funnels with a conversion window (the product-analytics funnel).
//
//   salesfunnel::window_spec spec;
//   spec.steps = {{"MQL"}, {"SQL"}, {"Meeting booked", "Meeting held"}};
//   spec.within_seconds = 14 * 86400;                 // measured from the step-1 event
//   auto stats = salesfunnel::compute_window_stats(log, spec);   // mergeable
//   auto rep = salesfunnel::make_window_report(*stats);          // rows per step + curves
//
// Of the deals that entered step 1, how many completed steps 2..k within the
// window, in order, and how long each took. A step is a set of stage (or raw
// activity) names; any of them completes it. Works on logs with a graph and
// on logs of raw names built without one.
//
// Matching, per deal (events after as_of are ignored):
// - Every step-1 event starts an attempt. An attempt completes its next step
//   at the first later event of that step within `within` of its step-1
//   event. One event moves an attempt at most one step. Events at one
//   timestamp count in step order (as ClickHouse's windowFunnel).
// - order: `ordered` lets any other events come between steps; `strict` ends
//   an attempt at any event of another step; `any` lets steps 2..k complete
//   in any order after step 1 (a step is reached when it and every earlier
//   step are done; its time is when the last of them was done).
// - exclusions (from, to, stage), steps 0-based: an attempt that has done
//   step `from` but not yet step `to` ends at an event of `stage`.
// - The deal counts once, with its first attempt that gets furthest (re-entry:
//   a later step-1 event only counts when it gets further than every earlier
//   one). The deal is immature when its latest attempt's window is still open
//   at as_of, it has not completed every step and, on a log with a graph, it
//   has not been won or lost (the outcome rule): it is never counted as
//   dropped; conversion rates are over mature deals, and the conversion curves
//   treat immature deals as censored (Kaplan-Meier).
//
// Every attempt of a deal is followed at once in linear time: attempts that
// started earlier are never behind later ones, so attempts at one step form
// contiguous runs, and a deal costs O(events x steps matched per event).
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
#include "salesfunnel/core/columns.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/outcome.hpp"
#include "salesfunnel/core/time.hpp"
#include "salesfunnel/detail/hash.hpp"
#include "salesfunnel/detail/parallel.hpp"
#include "salesfunnel/stats/duration_sketch.hpp"
#include "salesfunnel/stats/funnel_stats.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// How steps must follow each other (see the header comment).
enum class step_order : std::uint8_t { ordered, strict, any };

/// "ordered", "strict" or "any".
inline absl::StatusOr<step_order> parse_step_order(std::string_view s) {
  if (s == "ordered") return step_order::ordered;
  if (s == "strict") return step_order::strict;
  if (s == "any") return step_order::any;
  return absl::InvalidArgumentError(
      absl::StrCat("order must be 'ordered', 'strict' or 'any', got '", detail::shown(s), "'"));
}

inline std::string_view step_order_name(step_order o) {
  switch (o) {
    case step_order::strict: return "strict";
    case step_order::any: return "any";
    default: return "ordered";
  }
}

/// An attempt that has done step `from` but not yet step `to` (0-based) ends
/// at an event of `stage`.
struct window_exclusion {
  std::int32_t from = 0;
  std::int32_t to = 1;
  std::string stage;
};

/// What a window funnel counts.
struct window_spec {
  std::vector<std::vector<std::string>> steps;  ///< each a set of stage names
  std::int64_t within_seconds = 0;              ///< the window, from the step-1 event
  step_order order = step_order::ordered;
  std::vector<window_exclusion> exclusions;

  /// At most this many steps (state and curves grow with the step count).
  static constexpr std::size_t max_steps = 1024;

  /// "SQL" or "Meeting booked | Meeting held".
  std::string step_label(std::size_t j) const { return absl::StrJoin(steps[j], " | "); }

  /// Stable across machines: statistics merge only under the same spec.
  std::uint64_t fingerprint() const {
    detail::fnv1a h;
    h.integer(static_cast<std::int64_t>(steps.size()));
    for (const auto& s : steps) {
      auto sorted = s;
      std::sort(sorted.begin(), sorted.end());
      h.integer(static_cast<std::int64_t>(sorted.size()));
      for (const auto& n : sorted) h.text(n);
    }
    h.integer(within_seconds);
    h.integer(static_cast<std::int64_t>(order));
    for (const auto& x : exclusions) {
      h.integer(x.from);
      h.integer(x.to);
      h.text(x.stage);
    }
    return h.h;
  }
};

struct window_options {
  /// The time the log is read at, in the log's unit; events after it are
  /// ignored and windows still open then are immature. Defaults to the log's
  /// latest event.
  std::optional<std::int64_t> as_of;
  /// 0 means every hardware thread.
  int threads = 0;
};

/// The width of one conversion-curve bucket for a window: a second, minute,
/// hour or day (whichever leaves at least two buckets), and several days for
/// windows over 1,000 days so that a curve has at most 1,000 buckets.
inline std::int64_t curve_bucket_seconds(std::int64_t within_seconds) {
  constexpr std::int64_t day = seconds_per_day;
  if (within_seconds >= 2 * day) {
    const std::int64_t days = (within_seconds + day - 1) / day;
    return day * std::max<std::int64_t>(1, (days + 999) / 1000);
  }
  if (within_seconds >= 2 * 3600) return 3600;
  if (within_seconds >= 2 * 60) return 60;
  return 1;
}

/// Mergeable window-funnel counts: integer histograms and duration sketches,
/// so any split of the deals merges to exactly the same statistics.
struct window_funnel_stats {
  std::uint64_t spec_fingerprint = 0;
  std::vector<std::string> step_labels;
  step_order order = step_order::ordered;
  std::int64_t within_seconds = 0;
  std::int64_t bucket_seconds = 1;
  std::int64_t as_of = 0;
  std::int64_t ticks_per_second = 1;
  std::int64_t deals = 0;  ///< deals with an event by as_of
  /// [k + 1] deals by the furthest step reached (level 1..k; 0 unused),
  /// whose latest window is still open at as_of / has closed.
  std::vector<std::int64_t> open_by_level, closed_by_level;
  /// [k] time to complete step j from step j-1 and from step 1 (j >= 1).
  std::vector<duration_sketch> from_previous, from_first;
  /// [k x B] deals completing step j in curve bucket b after their step-1 event.
  std::vector<std::int64_t> converted_at;
  /// [(k + 1) x B] immature deals at level l, by the bucket as_of falls in.
  std::vector<std::int64_t> open_censored;
  /// The deals counted (hashes of their keys): merging statistics that share
  /// a deal is refused (stats/deal_set.hpp).
  deal_set deal_keys;

  std::size_t num_steps() const { return step_labels.size(); }
  std::size_t num_buckets() const {
    return static_cast<std::size_t>((within_seconds + bucket_seconds - 1) / bucket_seconds);
  }

  static window_funnel_stats empty(const window_spec& spec, std::int64_t as_of, std::int64_t tps) {
    window_funnel_stats s;
    s.spec_fingerprint = spec.fingerprint();
    for (std::size_t j = 0; j < spec.steps.size(); ++j) s.step_labels.push_back(spec.step_label(j));
    s.order = spec.order;
    s.within_seconds = spec.within_seconds;
    s.bucket_seconds = curve_bucket_seconds(spec.within_seconds);
    s.as_of = as_of;
    s.ticks_per_second = tps;
    const std::size_t k = spec.steps.size(), B = s.num_buckets();
    s.open_by_level.assign(k + 1, 0);
    s.closed_by_level.assign(k + 1, 0);
    s.from_previous.resize(k);
    s.from_first.resize(k);
    s.converted_at.assign(k * B, 0);
    s.open_censored.assign((k + 1) * B, 0);
    return s;
  }

  /// OK when `o` has the same spec and as_of, so the two can merge if their deals differ.
  absl::Status check_compatible(const window_funnel_stats& o) const {
    if (o.spec_fingerprint != spec_fingerprint || o.num_steps() != num_steps()) {
      return absl::InvalidArgumentError(
          "cannot merge window-funnel statistics of different steps, windows, orders or exclusions");
    }
    if (o.as_of != as_of || o.ticks_per_second != ticks_per_second) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot merge window-funnel statistics read at different as_of times (", as_of, " and ",
          o.as_of, "); pass the same as_of to both"));
    }
    return absl::OkStatus();
  }

  /// Adds another partition's statistics: same spec and as_of, other deals.
  absl::Status merge(const window_funnel_stats& o) {
    SALESFUNNEL_RETURN_IF_ERROR(check_compatible(o));
    SALESFUNNEL_RETURN_IF_ERROR(deal_keys.check_disjoint(o.deal_keys, "window-funnel statistics"));
    deal_keys.merge(o.deal_keys);
    deals += o.deals;
    auto add = [](std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
      for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    };
    add(open_by_level, o.open_by_level);
    add(closed_by_level, o.closed_by_level);
    add(converted_at, o.converted_at);
    add(open_censored, o.open_censored);
    for (std::size_t j = 0; j < from_previous.size(); ++j) {
      from_previous[j].merge(o.from_previous[j]);
      from_first[j].merge(o.from_first[j]);
    }
    return absl::OkStatus();
  }

  friend bool operator==(const window_funnel_stats& a, const window_funnel_stats& b) {
    return a.spec_fingerprint == b.spec_fingerprint && a.as_of == b.as_of &&
           a.ticks_per_second == b.ticks_per_second && a.deals == b.deals &&
           a.open_by_level == b.open_by_level && a.closed_by_level == b.closed_by_level &&
           a.from_previous == b.from_previous && a.from_first == b.from_first &&
           a.converted_at == b.converted_at && a.open_censored == b.open_censored &&
           a.deal_keys == b.deal_keys;
  }
};

/// What one deal did: the furthest step of its chosen attempt (0: never
/// entered step 1), whether it is immature, and the time each step was done.
struct window_deal_result {
  std::int32_t level = 0;
  bool open = false;
  std::vector<std::int64_t> step_time;  ///< [level] ticks; step_time[0] is the entry
};

namespace detail {

/// The spec resolved against one log: stage id -> steps and exclusions.
struct window_plan {
  const stage_graph* graph = nullptr;  ///< the log's, if any: won or lost deals are never immature
  step_order order = step_order::ordered;
  std::int32_t k = 0;
  std::int64_t window = 0;  ///< in log ticks
  std::vector<std::int32_t> step_off, step_list;  ///< CSR: stage -> steps, descending
  std::vector<std::int32_t> excl_off, excl_from, excl_to;  ///< CSR: stage -> exclusions
  std::vector<std::int32_t> sort_key;  ///< stage -> its first step, k for exclusion-only, -1 unused

  std::span<const std::int32_t> steps_of(stage_id s) const {
    return {step_list.data() + step_off[s], step_list.data() + step_off[s + 1]};
  }
  bool in_step(stage_id s, std::int32_t j) const {
    for (auto x : steps_of(s)) if (x == j) return true;
    return false;
  }
};

inline absl::Status check_window_spec(const window_spec& spec) {
  if (spec.steps.empty()) return absl::InvalidArgumentError("a window funnel needs at least one step");
  if (spec.steps.size() > window_spec::max_steps) {
    return absl::InvalidArgumentError(absl::StrCat("a window funnel takes at most ", window_spec::max_steps,
                                                   " steps, got ", spec.steps.size()));
  }
  for (std::size_t j = 0; j < spec.steps.size(); ++j) {
    if (spec.steps[j].empty()) return absl::InvalidArgumentError(absl::StrCat("step ", j, " names no stage"));
  }
  if (spec.within_seconds <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("the window must be positive, got ", spec.within_seconds, " s"));
  }
  if (spec.order == step_order::any && !spec.exclusions.empty()) {
    return absl::InvalidArgumentError("exclusions need an order between steps; use order 'ordered' or 'strict'");
  }
  const auto k = static_cast<std::int32_t>(spec.steps.size());
  for (const auto& x : spec.exclusions) {
    if (x.from < 0 || x.to <= x.from || x.to >= k) {
      return absl::InvalidArgumentError(absl::StrCat(
          "exclusion (", x.from, ", ", x.to, ", '", shown(x.stage), "') needs 0 <= from < to < ", k,
          " (steps are numbered from 0)"));
    }
  }
  return absl::OkStatus();
}

/// The stage id of a step or exclusion name; -1 when a log without a graph
/// has no such stage (it then matches nothing). A log with a graph refuses
/// names outside it.
inline absl::StatusOr<stage_id> window_stage(const event_log& log,
                                             const absl::flat_hash_map<std::string_view, stage_id>& ids,
                                             const std::string& name, const std::string& what) {
  if (auto it = ids.find(name); it != ids.end()) return it->second;
  if (!log.graph()) return stage_id{-1};
  return absl::NotFoundError(absl::StrCat(what, " names stage '", shown(name),
                                          "', which is not in the graph; stages: ",
                                          absl::StrJoin(log.stage_names(), ", ")));
}

inline absl::StatusOr<window_plan> make_window_plan(const event_log& log, const window_spec& spec) {
  SALESFUNNEL_RETURN_IF_ERROR(check_window_spec(spec));
  absl::flat_hash_map<std::string_view, stage_id> ids;
  for (std::size_t s = 0; s < log.stage_names().size(); ++s) ids.emplace(log.stage_names()[s], static_cast<stage_id>(s));
  const auto S = static_cast<std::size_t>(log.num_stages());
  window_plan p;
  if (log.graph()) p.graph = &*log.graph();
  p.order = spec.order;
  p.k = static_cast<std::int32_t>(spec.steps.size());
  const auto tps = ticks_per_second(log.unit());
  p.window = spec.within_seconds > std::numeric_limits<std::int64_t>::max() / tps
                 ? std::numeric_limits<std::int64_t>::max()
                 : spec.within_seconds * tps;
  std::vector<std::vector<std::int32_t>> steps(S), excl(S);
  for (std::int32_t j = p.k - 1; j >= 0; --j) {
    for (const auto& name : spec.steps[static_cast<std::size_t>(j)]) {
      SALESFUNNEL_ASSIGN_OR_RETURN(auto s, window_stage(log, ids, name, absl::StrCat("step ", j)));
      if (s >= 0 && (steps[s].empty() || steps[s].back() != j)) steps[s].push_back(j);
    }
  }
  for (std::size_t x = 0; x < spec.exclusions.size(); ++x) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto s, window_stage(log, ids, spec.exclusions[x].stage, "an exclusion"));
    if (s >= 0) excl[s].push_back(static_cast<std::int32_t>(x));
  }
  p.step_off.push_back(0);
  p.excl_off.push_back(0);
  p.sort_key.assign(S, -1);
  for (std::size_t s = 0; s < S; ++s) {
    p.step_list.insert(p.step_list.end(), steps[s].begin(), steps[s].end());
    p.step_off.push_back(static_cast<std::int32_t>(p.step_list.size()));
    for (auto x : excl[s]) {
      p.excl_from.push_back(spec.exclusions[x].from);
      p.excl_to.push_back(spec.exclusions[x].to);
    }
    p.excl_off.push_back(static_cast<std::int32_t>(p.excl_from.size()));
    if (!steps[s].empty()) p.sort_key[s] = steps[s].back();
    else if (!excl[s].empty()) p.sort_key[s] = p.k;
  }
  return p;
}

/// Follows every attempt of one deal at once; scratch reused across deals.
class window_matcher {
 public:
  explicit window_matcher(const window_plan& p) : p_(p) {}

  /// Deal k of `log`, read at as_of.
  void match(const event_log& log, std::int64_t k, std::int64_t as_of, window_deal_result& out) {
    collect(log, k, as_of);
    out.level = 0;
    out.open = false;
    out.step_time.clear();
    if (ev_.empty()) return;
    if (p_.order == step_order::any) {
      levels_any(as_of);
    } else {
      levels_ordered(as_of);
    }
    choose(out);
    if (out.open && p_.graph) out.open = is_open(state_of(p_.graph->kind_of(last_stage_)));
  }

 private:
  struct entry {
    std::int64_t time;
    std::int32_t key;
    stage_id stage;
  };
  struct run {  // attempts [lo, hi) that have done `level` steps
    std::int32_t level;
    std::int32_t lo, hi;
  };

  // The deal's events that matter, in time order, ties in step order.
  void collect(const event_log& log, std::int64_t k, std::int64_t as_of) {
    ev_.clear();
    const auto st = log.stages();
    const auto tm = log.times();
    const auto b = log.deal_begin(k), e = log.deal_end(k, as_of);
    if (e > b) last_stage_ = st[e - 1];
    bool sorted = true;
    for (auto i = b; i < e; ++i) {
      const auto key = p_.sort_key[st[i]];
      if (key < 0) continue;
      if (!ev_.empty() && ev_.back().time == tm[i] && ev_.back().key > key) sorted = false;
      ev_.push_back({tm[i], key, st[i]});
    }
    if (!sorted) {
      std::stable_sort(ev_.begin(), ev_.end(), [](const entry& a, const entry& c) {
        return a.time != c.time ? a.time < c.time : a.key < c.key;
      });
    }
  }

  // Ends attempt a at `level` unless it already ended (a run merged over a
  // stopped one keeps it inside its range).
  void finish(std::int32_t a, std::int32_t level) {
    if (final_[a] < 0) final_[a] = level;
  }
  void finish_run(const run& r) {
    for (auto a = r.lo; a < r.hi; ++a) finish(a, r.level);
  }

  // Attempts whose window closed before t end at their level.
  void expire(std::int64_t t) {
    while (!runs_.empty()) {
      auto& r = runs_.front();
      while (r.lo < r.hi && elapsed(t, start_[r.lo]) > p_.window) finish(r.lo++, r.level);
      if (r.lo < r.hi) return;
      runs_.erase(runs_.begin());
    }
  }

  // Ends runs that this event stops: exclusions, and in strict order any
  // step event that is not the run's next step.
  void stop_runs(stage_id s) {
    const bool strict = p_.order == step_order::strict && p_.step_off[s] != p_.step_off[s + 1];
    for (std::size_t r = 0; r < runs_.size();) {
      const auto lvl = runs_[r].level;
      bool stop = strict && (lvl >= p_.k || !p_.in_step(s, lvl));
      for (auto x = p_.excl_off[s]; !stop && x < p_.excl_off[s + 1]; ++x) {
        stop = lvl > p_.excl_from[x] && lvl <= p_.excl_to[x];
      }
      if (!stop) {
        ++r;
        continue;
      }
      finish_run(runs_[r]);
      runs_.erase(runs_.begin() + static_cast<std::ptrdiff_t>(r));
    }
  }

  // Runs that have done steps 0..j-1 do step j, for each step j > 0 this
  // stage does (descending, so one event moves a run one step at most).
  void advance(stage_id s) {
    for (auto j : p_.steps_of(s)) {
      if (j == 0) continue;
      for (std::size_t r = 0; r < runs_.size(); ++r) {
        if (runs_[r].level != j) continue;
        if (r > 0 && runs_[r - 1].level == j + 1) {
          runs_[r - 1].hi = runs_[r].hi;
          runs_.erase(runs_.begin() + static_cast<std::ptrdiff_t>(r));
        } else {
          runs_[r].level = j + 1;
        }
        break;
      }
    }
  }

  void start_attempt(std::int64_t t, std::int32_t at) {
    const auto a = static_cast<std::int32_t>(start_.size());
    start_.push_back(t);
    start_at_.push_back(at);
    final_.push_back(-1);
    if (!runs_.empty() && runs_.back().level == 1 && runs_.back().hi == a) {
      ++runs_.back().hi;
    } else {
      runs_.push_back({1, a, a + 1});
    }
  }

  // final_[a]: the furthest step attempt a reaches (ordered and strict);
  // open_: the latest attempt still running has its window open at as_of.
  void levels_ordered(std::int64_t as_of) {
    start_.clear();
    start_at_.clear();
    final_.clear();
    runs_.clear();
    for (std::size_t i = 0; i < ev_.size(); ++i) {
      const auto& e = ev_[i];
      expire(e.time);
      stop_runs(e.stage);
      advance(e.stage);
      const auto steps = p_.steps_of(e.stage);
      if (!steps.empty() && steps.back() == 0) start_attempt(e.time, static_cast<std::int32_t>(i));
    }
    open_ = !runs_.empty() && elapsed(as_of, start_[runs_.back().hi - 1]) < p_.window;
    for (const auto& r : runs_) finish_run(r);
    runs_.clear();
  }

  // final_[a] for order `any`: steps 1..k-1 seen after the attempt's event
  // within the window, counted over a sliding window of events.
  void levels_any(std::int64_t as_of) {
    start_.clear();
    start_at_.clear();
    final_.clear();
    count_.assign(static_cast<std::size_t>(p_.k), 0);
    std::size_t right = 0, left = 0;  // events (left, right) are in the window
    for (std::size_t i = 0; i < ev_.size(); ++i) {
      const auto steps = p_.steps_of(ev_[i].stage);
      if (steps.empty() || steps.back() != 0) continue;
      for (; left <= i && left < right; ++left) count_events(left, -1);
      left = std::max(left, i + 1);
      right = std::max(right, i + 1);
      for (; right < ev_.size() && elapsed(ev_[right].time, ev_[i].time) <= p_.window; ++right) count_events(right, +1);
      std::int32_t lvl = 1;
      while (lvl < p_.k && count_[lvl] > 0) ++lvl;
      start_.push_back(ev_[i].time);
      start_at_.push_back(static_cast<std::int32_t>(i));
      final_.push_back(lvl);
    }
    open_ = !start_.empty() && elapsed(as_of, start_.back()) < p_.window;
  }

  void count_events(std::size_t i, std::int64_t d) {
    for (auto j : p_.steps_of(ev_[i].stage)) count_[j] += d;
  }

  // The first attempt that gets furthest, its step times, and immaturity.
  void choose(window_deal_result& out) {
    if (start_.empty()) return;
    std::size_t best = 0;
    for (std::size_t a = 1; a < final_.size(); ++a) {
      if (final_[a] > final_[best]) best = a;
    }
    out.level = final_[best];
    out.open = out.level < p_.k && open_;
    step_times(static_cast<std::size_t>(start_at_[best]), out);
  }

  // Replays the chosen attempt alone, recording when each step was done.
  void step_times(std::size_t at, window_deal_result& out) {
    const auto t0 = ev_[at].time;
    out.step_time.assign(static_cast<std::size_t>(out.level), t0);
    if (p_.order == step_order::any) {
      first_times(at, out);
      return;
    }
    std::int32_t lvl = 1;
    for (auto i = at + 1; i < ev_.size() && lvl < out.level; ++i) {
      const auto s = ev_[i].stage;
      if (p_.in_step(s, lvl)) out.step_time[static_cast<std::size_t>(lvl++)] = ev_[i].time;
    }
  }

  // Order `any`: step j is done when it and every earlier step are done.
  void first_times(std::size_t at, window_deal_result& out) {
    const auto t0 = ev_[at].time;
    seen_.assign(static_cast<std::size_t>(out.level), null_time);
    for (auto i = at + 1; i < ev_.size() && elapsed(ev_[i].time, t0) <= p_.window; ++i) {
      for (auto j : p_.steps_of(ev_[i].stage)) {
        if (j > 0 && j < out.level && seen_[j] == null_time) seen_[j] = ev_[i].time;
      }
    }
    for (std::int32_t j = 1; j < out.level; ++j) out.step_time[j] = std::max(out.step_time[j - 1], seen_[j]);
  }

  const window_plan& p_;
  std::vector<entry> ev_;
  std::vector<std::int64_t> start_, count_, seen_;
  std::vector<std::int32_t> start_at_, final_;
  std::vector<run> runs_;
  bool open_ = false;
  stage_id last_stage_ = 0;
};

/// Adds one deal's result to `s`.
inline void add_window_deal(const window_deal_result& r, std::int64_t tps, window_funnel_stats& s) {
  ++s.deals;
  if (r.level == 0) return;
  const auto L = static_cast<std::size_t>(r.level);
  const auto B = s.num_buckets();
  (r.open ? s.open_by_level : s.closed_by_level)[L]++;
  auto bucket = [&](std::int64_t ticks) {
    const auto b = static_cast<std::size_t>(std::max<std::int64_t>(ticks / tps, 0) / s.bucket_seconds);
    return std::min(b, B - 1);
  };
  const auto t0 = r.step_time[0];
  for (std::size_t j = 1; j < L; ++j) {
    const auto since_first = elapsed(r.step_time[j], t0);
    s.from_previous[j].add(elapsed(r.step_time[j], r.step_time[j - 1]) / tps, false);
    s.from_first[j].add(since_first / tps, false);
    ++s.converted_at[j * B + bucket(since_first)];
  }
  if (r.open) ++s.open_censored[L * B + bucket(elapsed(s.as_of, t0))];
}

}  // namespace detail

/// Each deal's window-funnel result, in deal order (for checks and exports).
inline absl::StatusOr<std::vector<window_deal_result>> window_deal_results(const event_log& log,
                                                                          const window_spec& spec,
                                                                          const window_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const auto plan, detail::make_window_plan(log, spec));
  const auto as_of = detail::resolve_as_of(log, opt.as_of);
  std::vector<window_deal_result> out(static_cast<std::size_t>(log.num_deals()));
  detail::window_matcher m(plan);
  for (std::int64_t k = 0; k < log.num_deals(); ++k) m.match(log, k, as_of, out[k]);
  return out;
}

/// Window-funnel statistics per group. `key_of(deal, result)` gives a
/// group key (int64) per deal or nullopt to leave it out; `label_of(key)`
/// names a group. Several threads; partial statistics merge exactly.
template <class KeyOf, class LabelOf>
absl::StatusOr<grouped_stats<window_funnel_stats>> compute_window_stats_keyed(
    const event_log& log, const window_spec& spec, const window_options& opt, KeyOf key_of, LabelOf label_of) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const auto plan, detail::make_window_plan(log, spec));
  const auto as_of = detail::resolve_as_of(log, opt.as_of);
  const auto tps = ticks_per_second(log.unit());
  const int threads = detail::resolve_threads(opt.threads);
  const std::int64_t nd = log.num_deals();
  const int chunks = nd < 4096 ? 1 : threads;
  using part = absl::flat_hash_map<std::int64_t, window_funnel_stats>;
  std::vector<part> partial(static_cast<std::size_t>(chunks));
  detail::parallel_chunks(nd, chunks, threads, [&](std::int64_t b, std::int64_t e, int c) {
    detail::window_matcher m(plan);
    window_deal_result r;
    for (std::int64_t k = b; k < e; ++k) {
      m.match(log, k, as_of, r);
      if (log.deal_begin(k) == log.deal_end(k, as_of)) continue;
      const std::optional<std::int64_t> key = key_of(k, r);
      if (!key) continue;
      auto it = partial[c].find(*key);
      if (it == partial[c].end()) it = partial[c].emplace(*key, window_funnel_stats::empty(spec, as_of, tps)).first;
      detail::add_window_deal(r, tps, it->second);
      it->second.deal_keys.add(log.deal_hash(k));
    }
    for (auto& [key, st] : partial[c]) st.deal_keys.seal();
  });
  grouped_stats<window_funnel_stats> out;
  for (auto& p : partial) {
    grouped_stats<window_funnel_stats> g;
    for (auto& [key, st] : p) {
      g.labels.push_back(label_of(key));
      g.stats.push_back(std::move(st));
    }
    SALESFUNNEL_RETURN_IF_ERROR(out.merge(g));
  }
  return out;
}

/// Window-funnel statistics over the whole log.
inline absl::StatusOr<window_funnel_stats> compute_window_stats(const event_log& log, const window_spec& spec,
                                                                const window_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(
      auto g, compute_window_stats_keyed(
                  log, spec, opt, [](std::int64_t, const window_deal_result&) { return std::optional<std::int64_t>(0); },
                  [](std::int64_t) { return std::string("all"); }));
  if (g.stats.empty()) {
    return window_funnel_stats::empty(spec, detail::resolve_as_of(log, opt.as_of), ticks_per_second(log.unit()));
  }
  return std::move(g.stats.front());
}

/// Window-funnel statistics per group of `by`: "rep", an attribute, or
/// "cohort_week" / "cohort_month" — the period of the deal's step-1 entry
/// (deals that never entered step 1 are left out of cohorts).
inline absl::StatusOr<grouped_stats<window_funnel_stats>> compute_window_stats_by(
    const event_log& log, const window_spec& spec, std::string_view by, const window_options& opt = {}) {
  const bool week = by == "cohort_week" || by == "entry_week";
  if (week || by == "cohort_month" || by == "entry_month") {
    const auto unit = log.unit();
    const auto period = week ? cohort_period::week : cohort_period::month;
    auto out = compute_window_stats_keyed(
        log, spec, opt,
        [&](std::int64_t, const window_deal_result& r) -> std::optional<std::int64_t> {
          if (r.level == 0) return std::nullopt;
          return cohort_key(r.step_time[0], unit, period);
        },
        [&](std::int64_t key) { return cohort_key_label(key, period); });
    if (out.ok()) out->by = std::string(by);
    return out;
  }
  SALESFUNNEL_ASSIGN_OR_RETURN(auto groups, group_deals(log, by));
  auto out = compute_window_stats_keyed(
      log, spec, opt,
      [&](std::int64_t k, const window_deal_result&) { return std::optional<std::int64_t>(groups.codes[k]); },
      [&](std::int64_t code) {
        return code < 0 ? std::string(no_group_label) : groups.labels[static_cast<std::size_t>(code)];
      });
  if (out.ok()) out->by = groups.by;
  return out;
}

SALESFUNNEL_END_NAMESPACE
