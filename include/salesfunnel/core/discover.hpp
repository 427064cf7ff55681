// Discovering a stage graph from the moves in an event log.
//
//   auto g = salesfunnel::discover_stage_graph(log, /*won=*/{"Approved"},
//                                              /*lost=*/{"Declined", "Cancelled"});
//
// Won and lost stages are absorbing: discovery never adds an edge out of them,
// so moves after an outcome show up as issues of the log built on the graph
// (events after the outcome), not as part of the process.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// Builds a stage graph from the log's directly-follows transitions.
///
/// The stages named in `won`, `lost` and `nurture` get those kinds; the stage
/// that most often starts a deal becomes the entry; the rest are open. Stages
/// are declared in order of their mean position in the deals' paths, so the
/// main path reads in process order. Transitions seen fewer than `min_count`
/// times are left out. The result is validated.
inline absl::StatusOr<stage_graph> discover_stage_graph(
    const event_log& log, const std::vector<std::string>& won, const std::vector<std::string>& lost,
    const std::vector<std::string>& nurture = {}, std::int64_t min_count = 1,
    std::string name = "discovered") {
  const auto S = static_cast<std::size_t>(log.num_stages());
  const auto& names = log.stage_names();
  auto index_of = [&](const std::string& s) -> absl::StatusOr<std::size_t> {
    for (std::size_t i = 0; i < S; ++i) {
      if (names[i] == s) return i;
    }
    return absl::NotFoundError(absl::StrCat("stage '", s, "' does not occur in the log; stages: ",
                                            absl::StrJoin(names, ", ")));
  };
  std::vector<stage_kind> kind(S, stage_kind::open);
  for (const auto& s : won) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto i, index_of(s));
    kind[i] = stage_kind::won;
  }
  for (const auto& s : lost) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto i, index_of(s));
    kind[i] = stage_kind::lost;
  }
  for (const auto& s : nurture) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto i, index_of(s));
    kind[i] = stage_kind::nurture;
  }
  std::vector<std::int64_t> starts(S, 0), counts(S * S, 0);
  std::vector<double> pos_sum(S, 0), pos_n(S, 0);
  auto st = log.stages();
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto b = log.deal_begin(k), e = log.deal_end(k);
    if (b == e) continue;
    ++starts[static_cast<std::size_t>(st[b])];
    const double len = static_cast<double>(e - b);
    for (auto i = b; i < e; ++i) {
      auto s = static_cast<std::size_t>(st[i]);
      pos_sum[s] += static_cast<double>(i - b) / len;
      pos_n[s] += 1;
      if (i > b) ++counts[static_cast<std::size_t>(st[i - 1]) * S + s];
    }
  }
  std::size_t entry = S;
  for (std::size_t s = 0; s < S; ++s) {
    if (kind[s] == stage_kind::open && (entry == S || starts[s] > starts[entry])) entry = s;
  }
  if (entry == S) return absl::FailedPreconditionError("no stage left to be the entry stage");
  kind[entry] = stage_kind::entry;
  // Declaration order: entry, open by mean relative position, won, lost, nurture.
  std::vector<std::size_t> order(S);
  std::iota(order.begin(), order.end(), 0);
  auto group = [&](std::size_t s) {
    switch (kind[s]) {
      case stage_kind::entry: return 0;
      case stage_kind::open: return 1;
      case stage_kind::won: return 2;
      case stage_kind::lost: return 3;
      case stage_kind::nurture: return 4;
    }
    return 1;
  };
  auto mean_pos = [&](std::size_t s) { return pos_n[s] > 0 ? pos_sum[s] / pos_n[s] : 1.0; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (group(a) != group(b)) return group(a) < group(b);
    return mean_pos(a) < mean_pos(b);
  });
  stage_graph g(std::move(name));
  for (auto s : order) SALESFUNNEL_RETURN_IF_ERROR(g.add_stage(names[s], kind[s]).status());
  for (auto a : order) {
    for (auto b : order) {
      if (is_terminal(kind[a])) continue;  // won and lost stages are absorbing
      if (a != b && counts[a * S + b] >= std::max<std::int64_t>(min_count, 1)) {
        SALESFUNNEL_RETURN_IF_ERROR(g.add_transition(names[a], names[b]));
      }
    }
  }
  SALESFUNNEL_RETURN_IF_ERROR(g.validate());
  return g;
}

SALESFUNNEL_END_NAMESPACE
