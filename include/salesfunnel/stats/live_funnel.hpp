// A funnel kept current as events arrive: an appendable log and its
// statistics behind one reader-writer lock.
//
//   salesfunnel::event_log_options o;
//   o.graph = salesfunnel::templates::sales_cycle();
//   o.appendable = true;
//   auto live = salesfunnel::live_funnel::create(*salesfunnel::event_log::build(cols, o));
//   live->append(todays_cols, o);          // only the touched deals are recounted
//   salesfunnel::funnel_report r = *live->report();
//
// An append takes each touched deal's contribution out of the statistics
// (the same accumulate_deal that counts it, with the sign reversed), appends
// to the log, and puts the deal back in, so a refresh costs the touched
// deals' events, not the log's. When as_of follows the log's latest event
// (the default) and an append moves it, every open deal's censored stay
// (or its move to "Went dark") is moved too: O(open deals), no events read.
//
// Thread safety: append takes the lock exclusively; stats(), report() and
// log() share it, so any number of threads may read while one appends, and
// each read sees the log before or after an append, never half of one.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <vector>

#include <absl/container/flat_hash_set.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/stats/funnel_report.hpp"
#include "salesfunnel/stats/funnel_stats.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

class live_funnel {
 public:
  /// Counts `log` (built with event_log_options::appendable) as
  /// compute_funnel_stats would; `opt.as_of` fixes the reading time, else it
  /// follows the log's latest event.
  static absl::StatusOr<live_funnel> create(event_log log, const funnel_options& opt = {}) {
    if (!log.appendable()) {
      return absl::FailedPreconditionError(
          "a live funnel needs an appendable log: build it with event_log_options::appendable");
    }
    SALESFUNNEL_ASSIGN_OR_RETURN(auto g, analysis_graph(log, opt.stale));
    auto st = std::make_unique<state>(std::move(log), std::move(g), opt);
    SALESFUNNEL_ASSIGN_OR_RETURN(st->stats, compute_funnel_stats(st->log, opt));
    st->rank = st->graph.main_ranks();
    st->furthest.resize(static_cast<std::size_t>(st->log.num_deals()));
    for (std::int64_t k = 0; k < st->log.num_deals(); ++k) st->furthest[k] = st->furthest_of(k);
    st->shapes = detail::count_deal_shapes(st->log, st->graph, st->stats.as_of);
    return live_funnel(std::move(st));
  }

  /// Appends events (event_log::append) and refreshes the statistics; on an
  /// error neither changes.
  absl::StatusOr<append_result> append(const event_columns& cols, const event_log_options& opt) {
    std::unique_lock lock(s_->mu);
    return s_->append(cols, opt);
  }

  /// A copy of the current statistics.
  funnel_stats stats() const {
    std::shared_lock lock(s_->mu);
    return s_->stats;
  }
  /// The report of the current statistics, with the log's warnings.
  absl::StatusOr<funnel_report> report() const {
    std::shared_lock lock(s_->mu);
    SALESFUNNEL_ASSIGN_OR_RETURN(auto rep, make_funnel_report(s_->stats, s_->graph));
    rep.warnings = detail::funnel_warnings(s_->log, rep, s_->opt, s_->shapes);
    return rep;
  }
  /// A snapshot of the log: it never changes, and while it is alive the
  /// next append copies the log's storage once (O(events)).
  event_log log() const {
    std::shared_lock lock(s_->mu);
    return s_->log;
  }

 private:
  struct state {
    state(event_log l, stage_graph g, const funnel_options& o) : log(std::move(l)), graph(std::move(g)), opt(o) {}
    mutable std::shared_mutex mu;
    event_log log;
    stage_graph graph;
    funnel_options opt;
    funnel_stats stats;
    std::vector<std::int32_t> rank;
    std::vector<std::int32_t> furthest;  // per deal: furthest main rank among its counted events
    detail::deal_shapes shapes;          // what the warnings count, kept current

    std::int32_t furthest_of(std::int64_t k) const {
      std::int32_t f = -1;
      const auto st = log.stages();
      for (auto i = log.deal_begin(k), e = log.deal_end(k, stats.as_of); i < e; ++i) {
        f = std::max(f, rank[static_cast<std::size_t>(st[i])]);
      }
      return f;
    }

    absl::StatusOr<append_result> append(const event_columns& cols, const event_log_options& lopt);
    void move_as_of(std::int64_t to, std::int64_t deals, const std::vector<char>& skip,
                    const detail::funnel_context& ctx);
  };
  explicit live_funnel(std::unique_ptr<state> s) : s_(std::move(s)) {}
  std::unique_ptr<state> s_;
};

// Moves the reading time of deals [0, deals) not in `skip`: only the tail
// of an open deal depends on as_of (detail::add_tail).
inline void live_funnel::state::move_as_of(std::int64_t to, std::int64_t deals,
                                           const std::vector<char>& skip,
                                           const detail::funnel_context& ctx) {
  const auto from = stats.as_of;
  const auto st = log.stages();
  const auto tm = log.times();
  for (std::int64_t k = 0; k < deals; ++k) {
    const auto b = log.deal_begin(k), e = log.deal_end(k);
    if (b == e || skip[static_cast<std::size_t>(k)] || is_terminal(graph.kind_of(st[e - 1]))) continue;
    stats.as_of = from;
    detail::add_tail<-1>(ctx, stats, st[e - 1], tm[e - 1], furthest[k]);
    stats.as_of = to;
    detail::add_tail<+1>(ctx, stats, st[e - 1], tm[e - 1], furthest[k]);
  }
  stats.as_of = to;
}

inline absl::StatusOr<append_result> live_funnel::state::append(const event_columns& cols,
                                                               const event_log_options& lopt) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const auto ctx, detail::make_context(log, graph, opt));
  std::vector<std::int64_t> seen(static_cast<std::size_t>(graph.num_stages()), -1);
  auto put = [&]<int Sign>(std::int64_t k) {
    std::fill(seen.begin(), seen.end(), -1);
    detail::add_deal_shape<Sign>(log, graph, k, stats.as_of, shapes);
    return detail::accumulate_deal<Sign>(ctx, k, stats, seen);
  };
  // Take the touched deals out as they stand.
  absl::flat_hash_set<std::int64_t> touched;
  for (auto k : log.find_deals(cols.deal)) {
    if (k >= 0) touched.insert(k);
  }
  absl::flat_hash_set<std::int64_t> counted;
  for (auto k : touched) {
    if (put.template operator()<-1>(k)) counted.insert(k);
  }
  const auto old_deals = log.num_deals();
  auto r = log.append(cols, lopt);
  if (!r.ok()) {
    for (auto k : touched) put.template operator()<+1>(k);
    return r.status();
  }
  // A new reading time moves every other open deal's tail.
  const auto as_of = detail::resolve_as_of(log, opt.as_of);
  furthest.resize(static_cast<std::size_t>(log.num_deals()), -1);
  if (as_of != stats.as_of) {
    std::vector<char> skip(static_cast<std::size_t>(old_deals), 0);
    for (auto k : touched) skip[static_cast<std::size_t>(k)] = 1;
    move_as_of(as_of, old_deals, skip, ctx);
  }
  // Put the touched and new deals back in.
  deal_set fresh;
  auto add_back = [&](std::int64_t k, bool was_counted) {
    if (put.template operator()<+1>(k) && !was_counted) fresh.add(log.deal_hash(k));
    furthest[static_cast<std::size_t>(k)] = furthest_of(k);
  };
  for (auto k : touched) add_back(k, counted.contains(k));
  for (auto k = old_deals; k < log.num_deals(); ++k) add_back(k, false);
  fresh.seal();
  if (fresh.size() > 0) stats.deal_keys.merge(fresh);
  return r;
}

SALESFUNNEL_END_NAMESPACE
