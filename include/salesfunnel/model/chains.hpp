// Many absorbing chains over one stage graph, solved in one call: one chain
// per rep (or region, or cohort) fitted from a log, or a stack of what-if
// transition matrices.
//
//   auto per_rep = salesfunnel::fit_chains_by(log, "rep");       // one chain per rep
//   double p = per_rep->win_probability_of(k, g.entry());         // rep k, from the entry
//
//   auto many = salesfunnel::solve_chains(g, p, dwell);           // p: chains x S x S
//
// Each chain is solved exactly as markov_model::analyze solves one
// (detail::solve_chain), without a model object per chain: the graph is
// read once, the chains are split over the threads, and a chain that
// cannot be solved (a stage from which no won or lost stage can be reached)
// gets NaN rows and a line in `failed` instead of failing the others.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/detail/parallel.hpp"
#include "salesfunnel/model/markov.hpp"
#include "salesfunnel/stats/funnel_stats.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// The solutions of many chains over one graph: per chain and stage, the
/// same numbers absorption_result has for one chain. Row k of each
/// [chains x stages] array is chain k; a failed chain's rows are NaN.
struct chain_solutions {
  std::vector<std::string> names;           ///< one per chain: group labels, or "0", "1", ...
  stage_id stages = 0;
  std::vector<double> win_probability;      ///< P(ending in a won stage | stage)
  std::vector<double> expected_steps;       ///< moves until absorption
  std::vector<double> expected_days;        ///< days until absorption
  std::vector<double> expected_days_to_win; ///< days until the win, for deals that win (NaN: never)
  std::vector<std::pair<std::int64_t, std::string>> failed;  ///< chain, why (in chain order)

  std::int64_t chains() const { return static_cast<std::int64_t>(names.size()); }
  double win_probability_of(std::int64_t chain, stage_id s) const {
    return win_probability[static_cast<std::size_t>(chain) * static_cast<std::size_t>(stages) +
                           static_cast<std::size_t>(s)];
  }
};

namespace detail {

/// Solves chains [0, out.chains()) into `out`, whose arrays are sized
/// already. `rows(k, p, dwell)` gives chain k's matrix [S x S] and dwell
/// days [S] as spans: its own, or the scratch `p` and `dwell` (one pair per
/// thread) filled in (fitting).
template <class Rows>
void solve_all(const stage_graph& g, int threads, chain_solutions& out, Rows&& rows) {
  const auto shape = shape_of(g);
  const auto S = static_cast<std::size_t>(g.num_stages());
  const auto n = out.chains();
  const int chunks = n < 64 ? 1 : 4 * resolve_threads(threads);
  std::vector<std::vector<std::pair<std::int64_t, std::string>>> failed(static_cast<std::size_t>(chunks));
  parallel_chunks(n, chunks, resolve_threads(threads), [&](std::int64_t b, std::int64_t e, int chunk) {
    absorption_result r;
    r.absorbing = shape.absorbing;
    std::vector<double> scratch_p(S * S), scratch_d(S);
    for (std::int64_t k = b; k < e; ++k) {
      const auto at = static_cast<std::size_t>(k) * S;
      const auto [pk, dk] = rows(k, std::span<double>(scratch_p), std::span<double>(scratch_d));
      auto st = check_absorbing_reachable(g, shape.ends, pk);
      if (st.ok()) st = solve_chain(shape.index, shape.win, pk, dk, r);
      const auto place = [&](const std::vector<double>& from, std::vector<double>& to) {
        if (st.ok()) {
          std::copy(from.begin(), from.end(), to.begin() + static_cast<std::ptrdiff_t>(at));
        } else {
          std::fill_n(to.begin() + static_cast<std::ptrdiff_t>(at), S, std::numeric_limits<double>::quiet_NaN());
        }
      };
      place(r.win_probability, out.win_probability);
      place(r.expected_steps, out.expected_steps);
      place(r.expected_days, out.expected_days);
      place(r.expected_days_to_win, out.expected_days_to_win);
      if (!st.ok()) failed[static_cast<std::size_t>(chunk)].emplace_back(k, std::string(st.message()));
    }
  });
  for (auto& f : failed) {
    for (auto& x : f) out.failed.push_back(std::move(x));
  }
}

inline chain_solutions sized_solutions(std::vector<std::string> names, stage_id stages) {
  chain_solutions out;
  out.names = std::move(names);
  out.stages = stages;
  const auto cells = out.names.size() * static_cast<std::size_t>(stages);
  out.win_probability.resize(cells);
  out.expected_steps.resize(cells);
  out.expected_days.resize(cells);
  out.expected_days_to_win.resize(cells);
  return out;
}

/// InvalidArgument naming chain k and the stages when `p` is not a chain of
/// `g`: entries finite in [0, 1], only on graph edges, each transient row
/// summing to 1 (within 1e-9), won and lost rows empty; dwell finite >= 0.
inline absl::Status check_chain(const stage_graph& g, const std::vector<char>& edge, std::int64_t k,
                                std::span<const double> p, std::span<const double> dwell) {
  const auto S = static_cast<std::size_t>(g.num_stages());
  for (std::size_t a = 0; a < S; ++a) {
    const auto from = static_cast<stage_id>(a);
    double total = 0;
    for (std::size_t b = 0; b < S; ++b) {
      const double x = p[a * S + b];
      if (x == 0) continue;
      const auto to = static_cast<stage_id>(b);
      if (!(x > 0 && x <= 1)) {
        return absl::InvalidArgumentError(absl::StrCat("chain ", k, ": the probability of '", g.name_of(from),
                                                       "' -> '", g.name_of(to), "' must be in [0, 1], got ", x));
      }
      if (!edge[a * S + b]) {
        return absl::InvalidArgumentError(absl::StrCat("chain ", k, ": '", g.name_of(from), "' -> '",
                                                       g.name_of(to), "' is not an edge of the stage graph"));
      }
      total += x;
    }
    const bool terminal = is_terminal(g.kind_of(from));
    if (terminal ? total != 0 : std::abs(total - 1.0) > 1e-9) {
      return absl::InvalidArgumentError(absl::StrCat(
          "chain ", k, ": the probabilities out of '", g.name_of(from), "' sum to ", total,
          terminal ? " (a won or lost stage: the chain stops there, so 0)" : ", not 1"));
    }
    if (!(dwell[a] >= 0 && std::isfinite(dwell[a]))) {
      return absl::InvalidArgumentError(absl::StrCat("chain ", k, ": dwell days of '", g.name_of(from),
                                                     "' must be a finite number >= 0, got ", dwell[a]));
    }
  }
  return absl::OkStatus();
}

}  // namespace detail

/// Solves the chains given as `p`: chains x S x S transition matrices (row
/// from, column to, as markov_model::transition_matrix), and `dwell`:
/// chains x S mean days in stage, or empty for none. Every matrix is checked
/// first (see detail::check_chain): a bad one fails the call, naming it.
inline absl::StatusOr<chain_solutions> solve_chains(const stage_graph& g, std::span<const double> p,
                                                    std::span<const double> dwell = {}, int threads = 0) {
  SALESFUNNEL_RETURN_IF_ERROR(g.validate());
  const auto S = static_cast<std::size_t>(g.num_stages());
  if (S == 0 || p.size() % (S * S) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("the transition matrices have ", p.size(),
                                                   " entries: not a multiple of ", S, " x ", S, " stages"));
  }
  const auto n = p.size() / (S * S);
  if (!dwell.empty() && dwell.size() != n * S) {
    return absl::InvalidArgumentError(absl::StrCat("dwell days have ", dwell.size(), " entries for ", n,
                                                   " chains of ", S, " stages (", n * S, " expected)"));
  }
  const std::vector<double> no_dwell(S, 0.0);
  const auto dwell_of = [&](std::size_t k) {
    return dwell.empty() ? std::span<const double>(no_dwell) : dwell.subspan(k * S, S);
  };
  std::vector<char> edge(S * S, 0);
  for (std::size_t a = 0; a < S; ++a) {
    for (auto b : g.successors(static_cast<stage_id>(a))) edge[a * S + static_cast<std::size_t>(b)] = 1;
  }
  for (std::size_t k = 0; k < n; ++k) {
    SALESFUNNEL_RETURN_IF_ERROR(
        detail::check_chain(g, edge, static_cast<std::int64_t>(k), p.subspan(k * S * S, S * S), dwell_of(k)));
  }
  std::vector<std::string> names(n);
  for (std::size_t k = 0; k < n; ++k) names[k] = absl::StrCat(k);
  auto out = detail::sized_solutions(std::move(names), g.num_stages());
  detail::solve_all(g, threads, out, [&](std::int64_t k, std::span<double>, std::span<double>) {
    const auto i = static_cast<std::size_t>(k);
    return std::pair(p.subspan(i * S * S, S * S), dwell_of(i));
  });
  return out;
}

/// Fits one chain per group of (possibly merged) grouped statistics, as
/// markov_model::fit fits one, and solves them all.
inline absl::StatusOr<chain_solutions> solve_chains(const grouped_funnel_stats& s, const stage_graph& g,
                                                    double prior = 0.0, int threads = 0) {
  SALESFUNNEL_RETURN_IF_ERROR(g.validate());
  if (!(prior >= 0) || !std::isfinite(prior)) {
    return absl::InvalidArgumentError(absl::StrCat("prior must be a finite number >= 0, got ", prior));
  }
  for (const auto& st : s.stats) {
    if (st.num_stages != g.num_stages() || st.graph_fingerprint != g.fingerprint()) {
      return absl::InvalidArgumentError(
          "these funnel statistics were counted on another stage graph (fingerprints differ)");
    }
  }
  auto out = detail::sized_solutions(s.labels, g.num_stages());
  detail::solve_all(g, threads, out, [&](std::int64_t k, std::span<double> p, std::span<double> dwell) {
    detail::fit_rows(s.stats[static_cast<std::size_t>(k)], g, prior, p, dwell, nullptr, nullptr);
    return std::pair(std::span<const double>(p), std::span<const double>(dwell));
  });
  return out;
}

/// One chain per group of `by` ("rep", an attribute, "cohort_week" or
/// "cohort_month"; see group_deals) fitted from the log and solved.
inline absl::StatusOr<chain_solutions> fit_chains_by(const event_log& log, std::string_view by,
                                                     double prior = 0.0, const funnel_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph g, analysis_graph(log, opt.stale));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto stats, compute_funnel_stats_by(log, by, opt));
  return solve_chains(stats, g, prior, opt.threads);
}

SALESFUNNEL_END_NAMESPACE
