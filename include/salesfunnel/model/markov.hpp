// The absorbing Markov model of a sales process, fitted from data or given.
//
//   auto model = salesfunnel::markov_model::fit(log);           // from an event log
//   auto a = model->analyze();                                  // exact, linear algebra
//   double p = a->win_probability[g.entry()];                   // P(won | entry)
//   auto ranked = salesfunnel::sensitivity(*model);             // the weakest link first
//
// Stages are states. Won and lost stages are absorbing: the first won stage
// a deal reaches is a win (a Client -> Advocate move does not matter to the
// chain). Every other stage is transient, nurture included: a parked deal
// leaves nurture along its observed out-moves, so it recycles. Transition
// probabilities come from the observed moves out of each stage (the
// mergeable funnel_stats::transitions), so a deal still sitting in a stage
// contributes no exit: open deals are censored, never lost.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/detail/linalg.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/core/time.hpp"
#include "salesfunnel/stats/funnel_stats.hpp"
#include "salesfunnel/stats/interval.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// One possible move of the chain.
struct markov_edge {
  stage_id from = 0;
  stage_id to = 0;
  std::int64_t count = 0;   ///< observed moves (0 for a given model)
  double probability = 0;   ///< P(next = to | leaving from)
  interval ci;              ///< Wilson 95% for count / exits (NaN for a given model)
  bool in_graph = true;     ///< false: observed in the data but not an edge of the graph
};

/// Exact results of the absorbing chain.
struct absorption_result {
  std::vector<stage_id> absorbing;     ///< won and lost stages, in graph order
  /// [S x A] P(ending in absorbing[a] | starting at s); identity rows for absorbing s.
  std::vector<double> probability;
  std::vector<double> win_probability;  ///< [S] P(ending in any won stage | s)
  std::vector<double> expected_steps;   ///< [S] moves until absorption (0 for absorbing)
  std::vector<double> expected_days;    ///< [S] days until absorption (0 for absorbing)
  /// [S] expected days until the win, for the deals that win:
  /// E[T | won, start s] = h_s / w_s with (I - Q) h = d * w over the transient
  /// stages (d the mean dwell days); 0 for won stages, NaN where w_s = 0.
  std::vector<double> expected_days_to_win;
};

namespace detail {
struct markov_model_io;  // model/serialize.hpp

/// The fitted chain's rows from funnel statistics (see markov_model::fit):
/// `p` [S x S] row-major and `dwell` [S] mean days, both written whole;
/// `edges` and `no_data`, when given, get the fitted edges and the
/// transient stages without data. One definition for one model and for
/// many (solve_chains).
inline void fit_rows(const funnel_stats& s, const stage_graph& g, double prior, std::span<double> p,
                     std::span<double> dwell, std::vector<markov_edge>* edges,
                     std::vector<stage_id>* no_data) {
  const auto S = static_cast<std::size_t>(g.num_stages());
  std::fill(p.begin(), p.end(), 0.0);
  std::vector<double> w(S);
  for (std::size_t a = 0; a < S; ++a) {
    if (is_terminal(g.kind_of(static_cast<stage_id>(a)))) continue;
    const auto out = g.successors(static_cast<stage_id>(a));
    std::int64_t exits = 0;
    for (std::size_t b = 0; b < S; ++b) {
      w[b] = static_cast<double>(s.transitions[a * S + b]);
      exits += s.transitions[a * S + b];
    }
    if (prior > 0 && !out.empty()) {
      for (auto b : out) w[static_cast<std::size_t>(b)] += prior / static_cast<double>(out.size());
    }
    double total = 0;
    for (double x : w) total += x;
    if (total == 0) {
      if (no_data) no_data->push_back(static_cast<stage_id>(a));
      for (auto b : out) w[static_cast<std::size_t>(b)] = 1.0;
      total = static_cast<double>(out.size());
    }
    for (std::size_t b = 0; b < S; ++b) {
      if (total > 0) p[a * S + b] = w[b] / total;
      if (!edges) continue;
      const bool edge = g.has_edge(static_cast<stage_id>(a), static_cast<stage_id>(b));
      if (w[b] == 0 && !edge) continue;
      markov_edge e;
      e.from = static_cast<stage_id>(a);
      e.to = static_cast<stage_id>(b);
      e.count = s.transitions[a * S + b];
      e.probability = p[a * S + b];
      e.ci = wilson(e.count, exits);
      e.in_graph = edge;
      edges->push_back(e);
    }
  }
  for (std::size_t a = 0; a < S; ++a) {
    const double mean = s.dwell[a].mean_observed();
    if (std::isfinite(mean)) {
      dwell[a] = seconds_to_days(mean);
      continue;
    }
    const double median = s.dwell[a].km_quantile(0.5);
    dwell[a] = std::isfinite(median) ? seconds_to_days(median) : 0.0;
  }
}

}  // namespace detail

/// A fitted or given absorbing Markov model over a stage graph.
class markov_model {
 public:
  /// Fits from (possibly merged) funnel statistics. `prior` pseudo-counts are
  /// spread evenly over each transient stage's graph out-edges (a Dirichlet
  /// prior). A transient stage with no observed exit and no prior takes its
  /// graph out-edges evenly and is listed in stages_without_data().
  static absl::StatusOr<markov_model> fit(const funnel_stats& s, const stage_graph& g,
                                          double prior = 0.0) {
    if (s.num_stages != g.num_stages() || s.graph_fingerprint != g.fingerprint()) {
      return absl::InvalidArgumentError(
          "these funnel statistics were counted on another stage graph (fingerprints differ)");
    }
    if (!(prior >= 0) || !std::isfinite(prior)) {
      return absl::InvalidArgumentError(absl::StrCat("prior must be a finite number >= 0, got ", prior));
    }
    SALESFUNNEL_RETURN_IF_ERROR(g.validate());
    markov_model m(g);
    detail::fit_rows(s, g, prior, m.p_, m.dwell_days_, &m.edges_, &m.no_data_);
    return m;
  }

  /// Fits from an event log that has a graph.
  static absl::StatusOr<markov_model> fit(const event_log& log, double prior = 0.0,
                                          const funnel_options& opt = {}) {
    SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph g, analysis_graph(log, opt.stale));
    SALESFUNNEL_ASSIGN_OR_RETURN(auto stats, compute_funnel_stats(log, opt));
    SALESFUNNEL_ASSIGN_OR_RETURN(auto m, fit(stats, g, prior));
    m.stale_ = opt.stale;
    return m;
  }

  /// A hypothetical funnel: the given probabilities per (from, to) stage
  /// names; each transient stage's must sum to 1 (within 1e-9) over edges of
  /// the graph. `dwell_days`: mean days in stage (missing stages: 0).
  static absl::StatusOr<markov_model> from_probabilities(
      const stage_graph& g, const std::vector<std::tuple<std::string, std::string, double>>& p,
      const std::vector<std::pair<std::string, double>>& dwell_days = {}) {
    SALESFUNNEL_RETURN_IF_ERROR(g.validate());
    markov_model m(g);
    const auto S = static_cast<std::size_t>(g.num_stages());
    for (const auto& [from, to, prob] : p) {
      SALESFUNNEL_ASSIGN_OR_RETURN(auto a, g.id_of(from));
      SALESFUNNEL_ASSIGN_OR_RETURN(auto b, g.id_of(to));
      if (!g.has_edge(a, b)) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", from, "' -> '", to, "' is not an edge of the stage graph"));
      }
      if (m.is_absorbing(a)) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", from, "' is a won or lost stage: the chain stops there"));
      }
      if (!(prob >= 0 && prob <= 1)) {
        return absl::InvalidArgumentError(
            absl::StrCat("probability of '", from, "' -> '", to, "' must be in [0, 1], got ", prob));
      }
      m.p_[static_cast<std::size_t>(a) * S + b] = prob;
      markov_edge e;
      e.from = a;
      e.to = b;
      e.probability = prob;
      m.edges_.push_back(e);
    }
    for (std::size_t a = 0; a < S; ++a) {
      if (m.is_absorbing(static_cast<stage_id>(a))) continue;
      double total = 0;
      for (std::size_t b = 0; b < S; ++b) total += m.p_[a * S + b];
      if (std::abs(total - 1.0) > 1e-9) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the probabilities out of '", g.name_of(static_cast<stage_id>(a)), "' sum to ", total,
            ", not 1"));
      }
    }
    for (const auto& [name, days] : dwell_days) {
      SALESFUNNEL_ASSIGN_OR_RETURN(auto s, g.id_of(name));
      if (!(days >= 0 && std::isfinite(days))) {
        return absl::InvalidArgumentError(absl::StrCat("dwell days of '", name, "' must be a finite number >= 0, got ", days));
      }
      m.dwell_days_[static_cast<std::size_t>(s)] = days;
    }
    return m;
  }

  const stage_graph& graph() const { return g_; }
  stage_id num_stages() const { return g_.num_stages(); }
  bool is_absorbing(stage_id s) const { return is_terminal(g_.kind_of(s)); }
  /// Row-major [S x S]: P(next = b | leaving a); zero rows for absorbing stages.
  const std::vector<double>& transition_matrix() const { return p_; }
  double probability(stage_id a, stage_id b) const {
    return p_[static_cast<std::size_t>(a) * static_cast<std::size_t>(num_stages()) + b];
  }
  const std::vector<markov_edge>& edges() const { return edges_; }
  /// Mean days in each stage (mean of completed stays when fitted).
  const std::vector<double>& dwell_days() const { return dwell_days_; }
  const std::vector<stage_id>& stages_without_data() const { return no_data_; }
  /// The staleness the model was fitted with (off unless fitted from a log
  /// with funnel_options::stale): open_deals_of and pipeline_value use it.
  const staleness& stale() const { return stale_; }

  /// A copy with one row of probabilities replaced (used by scenarios).
  markov_model with_row(stage_id a, const std::vector<double>& row) const {
    markov_model m = *this;
    const auto S = static_cast<std::size_t>(num_stages());
    std::copy(row.begin(), row.end(), m.p_.begin() + static_cast<std::ptrdiff_t>(a * S));
    return m;
  }
  /// A copy with stage `s` made absorbing-lost (deals entering it are lost).
  markov_model with_stage_lost(stage_id s) const {
    markov_model m = *this;
    m.lost_override_.push_back(s);
    const auto S = static_cast<std::size_t>(num_stages());
    std::fill(m.p_.begin() + static_cast<std::ptrdiff_t>(s * S),
              m.p_.begin() + static_cast<std::ptrdiff_t>((s + 1) * S), 0.0);
    return m;
  }
  markov_model with_dwell(stage_id s, double days) const {
    markov_model m = *this;
    m.dwell_days_[static_cast<std::size_t>(s)] = days;
    return m;
  }
  bool forced_lost(stage_id s) const {
    return std::find(lost_override_.begin(), lost_override_.end(), s) != lost_override_.end();
  }
  /// True when s ends the chain (won, lost, or a stage a scenario removed).
  bool ends_chain(stage_id s) const { return is_absorbing(s) || forced_lost(s); }
  /// 1 for won stages, 0 for lost and removed ones.
  double absorbed_win(stage_id s) const {
    return (!forced_lost(s) && g_.kind_of(s) == stage_kind::won) ? 1.0 : 0.0;
  }

  /// Exact absorption analysis by LU on (I - Q). FailedPrecondition names any
  /// transient stage from which no absorbing stage can be reached.
  absl::StatusOr<absorption_result> analyze() const;

 private:
  friend struct detail::markov_model_io;
  explicit markov_model(const stage_graph& g)
      : g_(g),
        p_(static_cast<std::size_t>(g.num_stages()) * static_cast<std::size_t>(g.num_stages()), 0.0),
        dwell_days_(static_cast<std::size_t>(g.num_stages()), 0.0) {}

  stage_graph g_;
  std::vector<double> p_;
  std::vector<double> dwell_days_;
  std::vector<markov_edge> edges_;
  std::vector<stage_id> no_data_;
  std::vector<stage_id> lost_override_;
  staleness stale_;
};

namespace detail {

/// The transient stages (in order) and each stage's index among them (-1 absorbing).
struct chain_index {
  std::vector<stage_id> transient;
  std::vector<std::int32_t> pos;
};

/// The chain's stopping stages: 1 where the chain ends (won, lost, removed).
inline std::vector<char> chain_ends(const markov_model& m) {
  std::vector<char> ends(static_cast<std::size_t>(m.num_stages()));
  for (stage_id s = 0; s < m.num_stages(); ++s) ends[static_cast<std::size_t>(s)] = m.ends_chain(s);
  return ends;
}

inline chain_index index_chain(std::span<const char> ends) {
  chain_index c;
  c.pos.assign(ends.size(), -1);
  for (std::size_t s = 0; s < ends.size(); ++s) {
    if (ends[s]) continue;
    c.pos[s] = static_cast<std::int32_t>(c.transient.size());
    c.transient.push_back(static_cast<stage_id>(s));
  }
  return c;
}

inline chain_index index_chain(const markov_model& m) { return index_chain(chain_ends(m)); }

/// What a chain's solve needs besides its matrix: the stopping stages, their
/// order, which count as won, and the transient index. Shared by every chain
/// of one graph (solve_chains) or taken from one model (analyze).
struct chain_shape {
  std::vector<char> ends;
  chain_index index;
  std::vector<stage_id> absorbing;
  std::vector<double> win;
};

/// `ends(s)` says whether stage s stops the chain, `won(s)` its win weight.
template <class Ends, class Won>
chain_shape make_shape(std::size_t stages, Ends&& ends, Won&& won) {
  chain_shape c;
  c.ends.assign(stages, 0);
  c.win.assign(stages, 0.0);
  for (std::size_t s = 0; s < stages; ++s) {
    const auto id = static_cast<stage_id>(s);
    if (!ends(id)) continue;
    c.ends[s] = 1;
    c.absorbing.push_back(id);
    c.win[s] = won(id);
  }
  c.index = index_chain(c.ends);
  return c;
}

/// The shape the graph's stage kinds give: won and lost stages stop it.
inline chain_shape shape_of(const stage_graph& g) {
  return make_shape(
      static_cast<std::size_t>(g.num_stages()), [&](stage_id s) { return is_terminal(g.kind_of(s)); },
      [&](stage_id s) { return g.kind_of(s) == stage_kind::won ? 1.0 : 0.0; });
}

/// The model's own shape (stale stages overridden as lost included).
inline chain_shape shape_of(const markov_model& m) {
  return make_shape(
      static_cast<std::size_t>(m.num_stages()), [&](stage_id s) { return m.ends_chain(s); },
      [&](stage_id s) { return m.absorbed_win(s); });
}

/// FailedPrecondition naming the transient stages that cannot reach an
/// absorbing stage through positive-probability moves of `p` [S x S].
inline absl::Status check_absorbing_reachable(const stage_graph& g, std::span<const char> ends,
                                              std::span<const double> p) {
  const auto S = ends.size();
  std::vector<char> reach(ends.begin(), ends.end());
  for (bool grew = true; grew;) {
    grew = false;
    for (std::size_t a = 0; a < S; ++a) {
      if (reach[a]) continue;
      for (std::size_t b = 0; b < S; ++b) {
        if (reach[b] && p[a * S + b] > 0) {
          reach[a] = 1;
          grew = true;
          break;
        }
      }
    }
  }
  std::vector<std::string> stuck;
  for (std::size_t a = 0; a < S; ++a) {
    if (!reach[a]) stuck.push_back(g.name_of(static_cast<stage_id>(a)));
  }
  if (!stuck.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no won or lost stage can be reached from: ", absl::StrJoin(stuck, ", "),
        " (every move out has probability 0)"));
  }
  return absl::OkStatus();
}

inline absl::Status check_absorbing_reachable(const markov_model& m) {
  return check_absorbing_reachable(m.graph(), chain_ends(m), m.transition_matrix());
}

/// LU of (I - Q) over the transient stages of `p` [S x S].
inline lu factor_chain(std::span<const double> p, const chain_index& c) {
  const auto T = c.transient.size();
  const auto S = c.pos.size();
  std::vector<double> a(T * T, 0.0);
  for (std::size_t i = 0; i < T; ++i) {
    a[i * T + i] = 1.0;
    const auto si = static_cast<std::size_t>(c.transient[i]);
    for (std::size_t j = 0; j < T; ++j) a[i * T + j] -= p[si * S + static_cast<std::size_t>(c.transient[j])];
  }
  return lu(std::move(a), T);
}

inline lu factor_chain(const markov_model& m, const chain_index& c) {
  return factor_chain(m.transition_matrix(), c);
}

/// The absorption analysis of one chain: `p` [S x S] and `dwell` [S] mean
/// days; `win` [S] is 1 for the absorbing stages that count as won.
/// `r.absorbing` must list the stages that end the chain; the rest of `r`
/// is written here. The one solve behind markov_model::analyze and
/// solve_chains.
inline absl::Status solve_chain(const chain_index& c, std::span<const double> win,
                                std::span<const double> p, std::span<const double> dwell,
                                absorption_result& r) {
  const auto S = c.pos.size();
  const auto T = c.transient.size();
  const auto A = r.absorbing.size();
  r.probability.assign(S * A, 0.0);
  r.win_probability.assign(S, 0.0);
  r.expected_steps.assign(S, 0.0);
  r.expected_days.assign(S, 0.0);
  r.expected_days_to_win.assign(S, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t k = 0; k < A; ++k) {
    const auto s = static_cast<std::size_t>(r.absorbing[k]);
    r.probability[s * A + k] = 1.0;
    r.win_probability[s] = win[s];
    if (r.win_probability[s] > 0) r.expected_days_to_win[s] = 0.0;
  }
  if (T == 0) return absl::OkStatus();
  const auto f = factor_chain(p, c);
  if (f.singular()) return absl::InternalError("the absorbing chain's (I - Q) is singular");
  std::vector<double> rhs(T);
  for (std::size_t k = 0; k < A; ++k) {
    const auto a = static_cast<std::size_t>(r.absorbing[k]);
    for (std::size_t i = 0; i < T; ++i) rhs[i] = p[static_cast<std::size_t>(c.transient[i]) * S + a];
    const auto x = f.solve(rhs);
    for (std::size_t i = 0; i < T; ++i) {
      const auto s = static_cast<std::size_t>(c.transient[i]);
      r.probability[s * A + k] = x[i];
      r.win_probability[s] += x[i] * win[a];
    }
  }
  std::vector<double> ones(T, 1.0), days(T);
  for (std::size_t i = 0; i < T; ++i) days[i] = dwell[static_cast<std::size_t>(c.transient[i])];
  const auto steps = f.solve(ones);
  const auto d = f.solve(days);
  std::vector<double> dw(T);
  for (std::size_t i = 0; i < T; ++i) dw[i] = days[i] * r.win_probability[static_cast<std::size_t>(c.transient[i])];
  const auto h = f.solve(dw);
  // (I - Q)^-1 has no negative entry, so with non-negative right-hand sides
  // these are >= 0; rounding can leave -1e-15 where the answer is 0.
  for (std::size_t i = 0; i < T; ++i) {
    const auto s = static_cast<std::size_t>(c.transient[i]);
    r.expected_steps[s] = std::max(steps[i], 0.0);
    r.expected_days[s] = std::max(d[i], 0.0);
    if (r.win_probability[s] > 0) r.expected_days_to_win[s] = std::max(h[i] / r.win_probability[s], 0.0);
  }
  return absl::OkStatus();
}

}  // namespace detail

inline absl::StatusOr<absorption_result> markov_model::analyze() const {
  auto shape = detail::shape_of(*this);
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_absorbing_reachable(graph(), shape.ends, p_));
  absorption_result r;
  r.absorbing = std::move(shape.absorbing);
  SALESFUNNEL_RETURN_IF_ERROR(detail::solve_chain(shape.index, shape.win, p_, dwell_days_, r));
  return r;
}

/// How much one edge matters.
struct edge_sensitivity {
  stage_id from = 0, to = 0;
  double probability = 0;
  /// d P(won | start) / d p(from -> to), the rest of from's exits scaled down
  /// in proportion. Equals "+N wins per 100 entries for +1 point".
  double wins_per_100_per_point = 0;
  /// The same in revenue per 100 entries (times the mean won amount given).
  double revenue_per_100_per_point = 0;
  /// P(won | start) if this edge failed entirely (its share going to from's
  /// other exits in proportion; with none, deals at `from` are lost), minus
  /// the baseline: the removal effect, per entry.
  double removal_effect = 0;
  /// The edge's probability is already 0 or 1: there is no share to move
  /// (at 1 nothing to improve; at 0 the edge has never been taken), so it is
  /// ranked after every other edge.
  bool saturated = false;
};

/// The exact sensitivity of P(won | start) to every edge with a positive or
/// settable probability, ranked by wins_per_100_per_point (largest first).
///
/// Derivation. Let w be the win probability of every stage (w_k = P(won | k)
/// for transient k, 1 for a won and 0 for a lost stage) and P the full
/// transition matrix, Q its transient block, N = (I - Q)^-1. For transient
/// stages w_T = P_T w (one step, then the win probability of where you land),
/// so for a small change dP of the transient rows, dw_T = Q dw_T + dP w, i.e.
///   dw_T = N (dP w).
/// Raising p_ij by d while scaling i's other exits by (1 - p_ij - d) / (1 - p_ij)
/// (so row i still sums to 1) changes only row i, by
///   d (e_j - sum_{k != j} p_ik / (1 - p_ij) e_k),
/// hence dP w has one non-zero entry, at i, and
///   dW_start/dp_ij = N[start, i] (w_j - sum_{k != j} p_ik w_k / (1 - p_ij)).
/// The sum excludes k = j: j's own share is the one being raised. Since
/// w_i = sum_k p_ik w_k, this is also N[start, i] (w_j - w_i) / (1 - p_ij):
/// an edge helps exactly when it leads somewhere better than where i stands.
/// Per point (d = 0.01) this is the change in wins per entry x 0.01, which is
/// wins per 100 entries x 1, hence the field's name. One solve of
/// (I - Q)^T y = e_start gives the row N[start, .] for every edge at once;
/// the removal effects re-solve per edge (exact, not simulated; pass
/// removal_effects = false to skip them: removal_effect is then NaN and the
/// whole ranking costs about two analyze() calls). A removal
/// that leaves `from` in a closed loop with no way out scores -W (those deals
/// never win). tests/cpp/test_markov.cpp checks every edge of a chain with a
/// backward edge against a central finite difference to 1e-6.
inline absl::StatusOr<std::vector<edge_sensitivity>> sensitivity(
    const markov_model& m, std::optional<stage_id> start = std::nullopt,
    double mean_won_amount = std::numeric_limits<double>::quiet_NaN(),
    bool removal_effects = true) {
  const stage_id from_stage = start.value_or(m.graph().entry());
  SALESFUNNEL_RETURN_IF_ERROR(m.graph().check_stage(from_stage, "start stage"));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto base, m.analyze());
  const auto c = detail::index_chain(m);
  const auto S = static_cast<std::size_t>(m.num_stages());
  std::vector<double> row_of_n(S, 0.0);
  if (!c.transient.empty() && !m.ends_chain(from_stage)) {
    const auto f = detail::factor_chain(m, c);
    std::vector<double> e(c.transient.size(), 0.0);
    e[static_cast<std::size_t>(c.pos[static_cast<std::size_t>(from_stage)])] = 1.0;
    const auto y = f.solve_transposed(e);
    for (std::size_t i = 0; i < c.transient.size(); ++i) row_of_n[static_cast<std::size_t>(c.transient[i])] = y[i];
  }
  const double w0 = base.win_probability[static_cast<std::size_t>(from_stage)];
  std::vector<edge_sensitivity> out;
  for (const auto& e : m.edges()) {
    const auto i = static_cast<std::size_t>(e.from), j = static_cast<std::size_t>(e.to);
    if (m.ends_chain(e.from)) continue;
    const double pij = m.transition_matrix()[i * S + j];
    double rest = 0;
    if (pij < 1.0) {
      for (std::size_t k = 0; k < S; ++k) {
        if (k != j) rest += m.transition_matrix()[i * S + k] * base.win_probability[k] / (1.0 - pij);
      }
    }
    edge_sensitivity s;
    s.from = e.from;
    s.to = e.to;
    s.probability = pij;
    s.wins_per_100_per_point = row_of_n[i] * (base.win_probability[j] - rest);
    s.revenue_per_100_per_point = s.wins_per_100_per_point * mean_won_amount;
    s.saturated = pij <= 0.0 || pij >= 1.0;
    if (!removal_effects) {
      s.removal_effect = std::numeric_limits<double>::quiet_NaN();
      out.push_back(s);
      continue;
    }
    // Removal: p_ij -> 0, the others scaled up; with no others, i is lost.
    markov_model without = [&] {
      if (pij >= 1.0 - 1e-15) return m.with_stage_lost(e.from);
      std::vector<double> row(m.transition_matrix().begin() + static_cast<std::ptrdiff_t>(i * S),
                              m.transition_matrix().begin() + static_cast<std::ptrdiff_t>((i + 1) * S));
      for (auto& x : row) x /= (1.0 - pij);
      row[j] = 0;
      return m.with_row(e.from, row);
    }();
    auto r = without.analyze();
    s.removal_effect = r.ok() ? r->win_probability[static_cast<std::size_t>(from_stage)] - w0
                              : -w0;
    out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](const edge_sensitivity& a, const edge_sensitivity& b) {
    if (a.saturated != b.saturated) return b.saturated;
    return a.wins_per_100_per_point > b.wins_per_100_per_point;
  });
  return out;
}

/// The effect on P(won | start) of a stage failing entirely: deals entering
/// it are lost.
inline absl::StatusOr<double> stage_removal_effect(const markov_model& m, stage_id s,
                                                   std::optional<stage_id> start = std::nullopt) {
  const stage_id from_stage = start.value_or(m.graph().entry());
  SALESFUNNEL_RETURN_IF_ERROR(m.graph().check_stage(from_stage, "start stage"));
  SALESFUNNEL_RETURN_IF_ERROR(m.graph().check_stage(s));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto base, m.analyze());
  SALESFUNNEL_ASSIGN_OR_RETURN(auto without, m.with_stage_lost(s).analyze());
  return without.win_probability[static_cast<std::size_t>(from_stage)] -
         base.win_probability[static_cast<std::size_t>(from_stage)];
}

/// P(won | stage, the deal has already spent `days` there): a deal that has
/// sat too long is worth less when long stays tend to end in a loss.
///
/// From the observed moves out of `stage` whose stay lasted longer than
/// `days` (funnel_stats::transition_time, per next stage), the next-stage
/// shares among stays that long are q_j = n_j(> days) / n(> days), and the
/// value is sum_j q_j P(won | j) with the model's absorption probabilities.
/// Durations are read at the sketch's 2% bucket resolution. With no observed
/// move that long, the unconditional P(won | stage) is returned.
inline absl::StatusOr<double> win_probability_after(const markov_model& m, const funnel_stats& s,
                                                    stage_id stage, double days) {
  if (s.num_stages != m.num_stages()) {
    return absl::InvalidArgumentError("funnel statistics and model differ in stage count");
  }
  SALESFUNNEL_RETURN_IF_ERROR(m.graph().check_stage(stage));
  if (!(days >= 0 && std::isfinite(days))) return absl::InvalidArgumentError("days must be a finite number >= 0");
  SALESFUNNEL_ASSIGN_OR_RETURN(auto a, m.analyze());
  if (m.ends_chain(stage)) return a.win_probability[static_cast<std::size_t>(stage)];
  const auto S = static_cast<std::size_t>(m.num_stages());
  const double limit = days * static_cast<double>(seconds_per_day);
  double total = 0, won = 0;
  for (std::size_t j = 0; j < S; ++j) {
    const auto& counts = s.transition_time[static_cast<std::size_t>(stage) * S + j].observed_counts();
    double longer = 0;
    for (std::size_t b = 0; b < counts.size(); ++b) {
      if (duration_sketch::bucket_value(b) > limit) longer += static_cast<double>(counts[b]);
    }
    total += longer;
    won += longer * a.win_probability[j];
  }
  return total > 0 ? won / total : a.win_probability[static_cast<std::size_t>(stage)];
}

/// One open deal valued by the model.
struct pipeline_deal {
  std::int64_t deal = 0;  ///< deal id in the log
  stage_id stage = 0;
  double amount = std::numeric_limits<double>::quiet_NaN();
  double win_probability = 0;
  double expected_value = 0;  ///< amount x P(won | stage); 0 without an amount
};

/// The probability-weighted pipeline: every open deal (core/outcome.hpp:
/// no outcome by as_of; parked deals included, valued at P(won | nurture))
/// valued at amount x P(won | its current stage). The model must be fitted
/// on this log's graph (or its staleness graph, whose gone-dark deals are
/// lost and left out).
inline absl::StatusOr<std::pair<std::vector<pipeline_deal>, double>> pipeline_value(
    const markov_model& m, const event_log& log, std::optional<std::int64_t> as_of = std::nullopt) {
  const staleness& stale = m.stale();
  SALESFUNNEL_ASSIGN_OR_RETURN(auto a, m.analyze());
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  if (g->num_stages() > m.num_stages() || (g->num_stages() < m.num_stages() && !stale.enabled() &&
                                           !m.graph().find(went_dark_stage))) {
    return absl::InvalidArgumentError("the log's stages differ from the model's graph");
  }
  std::vector<pipeline_deal> deals;
  double total = 0;
  const auto facts = deal_facts_of(log, *g, as_of, stale);
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto& f = facts[k];
    if (f.empty || !is_open(f.state) || f.went_dark) continue;
    pipeline_deal d;
    d.deal = k;
    d.stage = f.final_stage;
    d.amount = log.has_amount() ? log.deal_amount()[k] : std::numeric_limits<double>::quiet_NaN();
    d.win_probability = a.win_probability[static_cast<std::size_t>(d.stage)];
    d.expected_value = std::isnan(d.amount) ? 0.0 : d.amount * d.win_probability;
    total += d.expected_value;
    deals.push_back(d);
  }
  return std::make_pair(std::move(deals), total);
}

SALESFUNNEL_END_NAMESPACE
