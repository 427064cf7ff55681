// Rep comparison by rate, not volume.
//
//   auto cmp = salesfunnel::compare_reps(log, "Contact", "Client");
//   for (const auto& r : cmp->rows) { r.rep, r.n, r.wins, r.rate, r.shrunk_rate, r.rank, r.too_small }
//   salesfunnel::reallocation_options o;
//   o.share = 0.2;                                            // move 20% of ann's leads to bob
//   auto what_if = salesfunnel::reallocate_leads(*cmp, "ann", "bob", o);  // what_if->delta wins
//
// A rep's conversion from one main-path stage to a later one counts, of the
// deals that reached the first, those that went on to the second (wins) out
// of those whose fate is known (n: wins plus deals that closed short of it);
// deals still open short of it are censored, as in the funnel report, whose
// per-rep counts these are. Raw rates of small samples are noisy, so each
// rep's rate is shrunk toward the team's with an empirical-Bayes beta-binomial
// model, and reps are ranked on the shrunk rate.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/stats/funnel_report.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// How the Beta prior of the shrinkage is fitted to the reps' counts.
enum class prior_fit : std::uint8_t {
  /// Maximises the beta-binomial marginal likelihood of all reps' counts
  /// over the prior mean and strength (the default; efficient with unequal n).
  marginal_likelihood,
  /// Method of moments: matches the n-weighted spread of the reps' rates to
  /// its expectation under the beta-binomial (closed form; no search).
  moments,
};

/// A Beta(alpha, beta) prior on the reps' rates.
struct beta_prior {
  double alpha = std::numeric_limits<double>::quiet_NaN();
  double beta = std::numeric_limits<double>::quiet_NaN();
  /// False with fewer than two reps with data: no shrinkage is possible.
  bool fitted = false;
  /// The reps' rates differ no more than chance explains: every rep shrinks
  /// fully to the team rate (alpha + beta is infinite).
  bool full_pooling = false;
  double mean = std::numeric_limits<double>::quiet_NaN();  ///< alpha / (alpha + beta)
  /// alpha + beta: how many deals' worth of weight the team rate carries.
  double strength() const { return full_pooling ? std::numeric_limits<double>::infinity() : alpha + beta; }
};

namespace detail {

/// Beta-binomial log marginal likelihood (binomial coefficients left out:
/// they do not depend on the prior).
inline double beta_binomial_loglik(std::span<const std::int64_t> x, std::span<const std::int64_t> n,
                                   double a, double b) {
  double ll = 0;
  const double lb = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xi = static_cast<double>(x[i]), ni = static_cast<double>(n[i]);
    ll += std::lgamma(xi + a) + std::lgamma(ni - xi + b) - std::lgamma(ni + a + b) - lb;
  }
  return ll;
}

/// Golden-section search for the maximum of a unimodal f on [lo, hi].
template <class F>
double golden_max(F&& f, double lo, double hi, int iterations = 100) {
  const double r = (std::sqrt(5.0) - 1) / 2;
  double c = hi - r * (hi - lo), d = lo + r * (hi - lo);
  double fc = f(c), fd = f(d);
  for (int i = 0; i < iterations && hi - lo > 1e-12; ++i) {
    if (fc < fd) {
      lo = c;
      c = d;
      fc = fd;
      d = lo + r * (hi - lo);
      fd = f(d);
    } else {
      hi = d;
      d = c;
      fd = fc;
      c = hi - r * (hi - lo);
      fc = f(c);
    }
  }
  return (lo + hi) / 2;
}

}  // namespace detail

/// Fits the Beta prior of an empirical-Bayes beta-binomial model to per-rep
/// counts (x[i] wins of n[i]; reps with n[i] == 0 carry no information and
/// are skipped).
///
///   std::vector<std::int64_t> x = {10, 20}, n = {20, 100};
///   beta_prior p = fit_beta_prior(x, n, prior_fit::moments);  // mean 0.25, strength 3.62
namespace detail {

/// Method of moments: E[sum n_i (p_i - p)^2] = p(1-p) [(k - 1) + rho (N - k + 1 - sum n_i^2 / N)]
/// with rho = 1 / (alpha + beta + 1), the intra-rep correlation. The strength
/// alpha + beta, or nullopt when the spread is no more than chance (full pooling).
inline std::optional<double> prior_strength_moments(const std::vector<std::int64_t>& x,
                                                     const std::vector<std::int64_t>& n, double pooled) {
  double N = 0, N2 = 0, S = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double ni = static_cast<double>(n[i]), pi = static_cast<double>(x[i]) / ni;
    N += ni;
    N2 += ni * ni;
    S += ni * (pi - pooled) * (pi - pooled);
  }
  const double k = static_cast<double>(x.size());
  const double denom = N - k + 1 - N2 / N;
  const double rho = denom > 0 ? (S / (pooled * (1 - pooled)) - (k - 1)) / denom : 0.0;
  if (rho <= 0) return std::nullopt;
  return rho >= 1 ? 0.0 : 1 / rho - 1;
}

/// Marginal likelihood over (mean, log strength). For a fixed strength the
/// log likelihood is concave in the mean (each term is a sum of logs of
/// affine functions of it), so an inner golden search is exact; the outer
/// search scans log strength on a grid and refines around the best point.
/// (mean, strength), or nullopt for full pooling.
inline std::optional<std::pair<double, double>> prior_marginal_likelihood(const std::vector<std::int64_t>& x,
                                                                          const std::vector<std::int64_t>& n,
                                                                          double pooled) {
  constexpr double eps = 1e-9;
  auto best_mean = [&](double kappa) {
    return golden_max([&](double m) { return beta_binomial_loglik(x, n, m * kappa, (1 - m) * kappa); }, eps,
                      1 - eps);
  };
  auto profile = [&](double log_kappa) {
    const double kappa = std::exp(log_kappa);
    const double m = best_mean(kappa);
    return beta_binomial_loglik(x, n, m * kappa, (1 - m) * kappa);
  };
  // Strength e^-7 .. e^16 (~9 million deals, beyond which lgamma's rounding
  // swamps the differences and the prior is the team rate to many digits).
  constexpr double lo = -7.0, hi = 16.0;
  constexpr int steps = 46;
  int best = 0;
  double best_ll = -std::numeric_limits<double>::infinity();
  for (int i = 0; i <= steps; ++i) {
    const double ll = profile(lo + (hi - lo) * i / steps);
    if (ll > best_ll) {
      best_ll = ll;
      best = i;
    }
  }
  // The limit of infinite strength is the binomial likelihood at the pooled
  // rate; when no finite strength beats it (beyond rounding), the reps'
  // spread is what chance alone would give.
  double pooled_ll = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    pooled_ll += static_cast<double>(x[i]) * std::log(pooled) + static_cast<double>(n[i] - x[i]) * std::log(1 - pooled);
  }
  if (best == steps || best_ll - pooled_ll < 1e-6) return std::nullopt;
  const double step = (hi - lo) / steps;
  const double kappa = std::exp(golden_max(profile, lo + step * std::max(best - 1, 0), lo + step * std::min(best + 1, steps)));
  return std::make_pair(best_mean(kappa), kappa);
}

}  // namespace detail

inline beta_prior fit_beta_prior(std::span<const std::int64_t> wins, std::span<const std::int64_t> trials,
                                 prior_fit method = prior_fit::marginal_likelihood) {
  std::vector<std::int64_t> x, n;
  double N = 0, X = 0;
  for (std::size_t i = 0; i < wins.size() && i < trials.size(); ++i) {
    if (trials[i] > 0) {
      x.push_back(wins[i]);
      n.push_back(trials[i]);
      N += static_cast<double>(trials[i]);
      X += static_cast<double>(wins[i]);
    }
  }
  beta_prior p;
  if (x.size() < 2) return p;
  p.fitted = true;
  const double pooled = X / N;
  p.mean = pooled;
  auto set = [&](double mean, double kappa) {
    p.mean = mean;
    p.alpha = mean * kappa;
    p.beta = (1 - mean) * kappa;
  };
  std::optional<std::pair<double, double>> fit;
  // Every rep converted none or all: there is no spread to measure.
  if (X > 0 && X < N) {
    if (method == prior_fit::moments) {
      if (auto kappa = detail::prior_strength_moments(x, n, pooled)) fit = std::make_pair(pooled, *kappa);
    } else {
      fit = detail::prior_marginal_likelihood(x, n, pooled);
    }
  }
  if (fit) {
    set(fit->first, fit->second);
  } else {
    p.full_pooling = true;
    p.alpha = p.beta = std::numeric_limits<double>::infinity();
  }
  return p;
}

/// The posterior mean of a rate with x wins of n under the prior: (x + alpha) / (n + alpha + beta).
inline double shrink(std::int64_t x, std::int64_t n, const beta_prior& p) {
  if (!p.fitted) return n > 0 ? static_cast<double>(x) / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  if (p.full_pooling) return p.mean;
  const double den = static_cast<double>(n) + p.alpha + p.beta;
  if (den <= 0) return std::numeric_limits<double>::quiet_NaN();
  return (static_cast<double>(x) + p.alpha) / den;
}

struct rep_comparison_options {
  /// Reps with fewer resolved deals than this are flagged too_small and not ranked.
  std::int64_t min_n = 10;
  prior_fit fit = prior_fit::marginal_likelihood;
  funnel_options funnel;  ///< as_of and threads
};

/// One rep's conversion over one span of the main path.
struct rep_rate_row {
  std::string rep;
  std::int64_t n = 0;     ///< deals that reached `from` and whose fate is known
  std::int64_t wins = 0;  ///< of those, the deals that reached `to`
  std::int64_t open = 0;  ///< reached `from`, still open short of `to` (censored, not in n)
  interval rate;          ///< wins / n, Wilson 95%
  double shrunk_rate = std::numeric_limits<double>::quiet_NaN();
  std::int32_t rank = -1;  ///< 1 = best shrunk rate (ties share the best rank); -1 when too small to rank
  bool too_small = false;
};

/// Reps compared on one conversion, best first (unranked small samples last).
struct rep_comparison {
  std::string from, to;
  std::vector<rep_rate_row> rows;
  std::int64_t team_n = 0, team_wins = 0;
  interval team_rate;
  beta_prior prior;
};

namespace detail {

/// Builds the comparison from per-rep (wins, n, open) counts.
inline rep_comparison rank_reps(std::string from, std::string to, std::vector<rep_rate_row> rows,
                                const rep_comparison_options& opt) {
  rep_comparison out;
  out.from = std::move(from);
  out.to = std::move(to);
  std::vector<std::int64_t> x, n;
  for (auto& r : rows) {
    r.rate = wilson(r.wins, r.n);
    r.too_small = r.n < std::max<std::int64_t>(opt.min_n, 1);
    out.team_n += r.n;
    out.team_wins += r.wins;
    x.push_back(r.wins);
    n.push_back(r.n);
  }
  out.team_rate = wilson(out.team_wins, out.team_n);
  out.prior = fit_beta_prior(x, n, opt.fit);
  for (auto& r : rows) {
    r.shrunk_rate = r.n > 0 || out.prior.fitted ? shrink(r.wins, r.n, out.prior) : std::numeric_limits<double>::quiet_NaN();
  }
  std::stable_sort(rows.begin(), rows.end(), [](const rep_rate_row& a, const rep_rate_row& b) {
    if (a.too_small != b.too_small) return !a.too_small;
    const double sa = std::isnan(a.shrunk_rate) ? -1 : a.shrunk_rate, sb = std::isnan(b.shrunk_rate) ? -1 : b.shrunk_rate;
    if (sa != sb) return sa > sb;
    return a.n > b.n;
  });
  // Equal shrunk rates share the best rank (1, 1, 3), as competition ranking
  // does; the rows stay ordered by sample size within a tie.
  std::int32_t seen = 0, last_rank = 0;
  double last = std::numeric_limits<double>::quiet_NaN();
  for (auto& r : rows) {
    if (r.too_small) continue;
    ++seen;
    const double s = std::isnan(r.shrunk_rate) ? -1 : r.shrunk_rate;
    last_rank = seen > 1 && s == last ? last_rank : seen;
    r.rank = last_rank;
    last = s;
  }
  out.rows = std::move(rows);
  return out;
}

inline absl::StatusOr<std::pair<std::int32_t, std::int32_t>> span_ranks(const stage_graph& g, std::string_view from,
                                                                        std::string_view to) {
  SALESFUNNEL_ASSIGN_OR_RETURN(stage_id f, g.id_of(from));
  SALESFUNNEL_ASSIGN_OR_RETURN(stage_id t, g.id_of(to));
  const auto rf = g.main_rank(f), rt = g.main_rank(t);
  if (rf < 0 || rt < 0) {
    return absl::InvalidArgumentError(absl::StrCat("'", detail::av(rf < 0 ? from : to),
                                                   "' is not on the main path (entry, open and won stages)"));
  }
  if (rf >= rt) {
    return absl::InvalidArgumentError(absl::StrCat("'", detail::av(to), "' does not come after '", detail::av(from),
                                                   "' on the main path"));
  }
  return std::make_pair(rf, rt);
}

/// Per-rep counts over main-path ranks [rf, rt] from the per-rep funnel reports.
inline std::vector<rep_rate_row> rep_counts(const grouped_funnel_report& by_rep, std::int32_t rf, std::int32_t rt) {
  std::vector<rep_rate_row> rows;
  for (std::size_t gi = 0; gi < by_rep.groups.size(); ++gi) {
    const auto& rep = by_rep.reports[gi];
    std::vector<const stage_row*> at(static_cast<std::size_t>(rt) + 1, nullptr);
    for (const auto& s : rep.stages) {
      if (s.main_rank >= 0 && s.main_rank <= rt) at[static_cast<std::size_t>(s.main_rank)] = &s;
    }
    rep_rate_row r;
    r.rep = by_rep.groups[gi];
    r.wins = at[static_cast<std::size_t>(rt)]->reached_or_beyond;
    for (auto q = rf; q < rt; ++q) r.open += at[static_cast<std::size_t>(q)]->in_progress;
    r.n = at[static_cast<std::size_t>(rf)]->reached_or_beyond - r.open;
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace detail

/// Compares reps on the conversion from `from` to `to` (main-path stages,
/// `to` after `from`), from the funnel report per rep.
///
///   auto cmp = compare_reps(log, "Contact", "Client");  // cmp->rows[0] is the best rep
inline absl::StatusOr<rep_comparison> compare_reps(const event_log& log, std::string_view from, std::string_view to,
                                                   const rep_comparison_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto ranks, detail::span_ranks(*g, from, to));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto by_rep, funnel_by_rep(log, opt.funnel));
  return detail::rank_reps(std::string(from), std::string(to), detail::rep_counts(by_rep, ranks.first, ranks.second),
                           opt);
}

/// The comparison at every step of the main path (each stage to the next).
///
///   auto steps = compare_reps_by_step(log);  // (*steps)[0]: Lead -> Contact
inline absl::StatusOr<std::vector<rep_comparison>> compare_reps_by_step(const event_log& log,
                                                                        const rep_comparison_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto by_rep, funnel_by_rep(log, opt.funnel));
  const auto path = g->main_path();
  std::vector<rep_comparison> out;
  for (std::size_t r = 0; r + 1 < path.size(); ++r) {
    const auto rf = static_cast<std::int32_t>(r);
    out.push_back(detail::rank_reps(g->name_of(path[r]), g->name_of(path[r + 1]),
                                    detail::rep_counts(by_rep, rf, rf + 1), opt));
  }
  return out;
}

/// Where the what-if reads each rep's rate.
enum class rate_source : std::uint8_t { shrunk, raw };

struct reallocation_options {
  double share = 0.1;  ///< of the first rep's leads, in [0, 1]
  /// How many leads the first rep has (e.g. a month's); default: its n.
  std::optional<double> leads;
  rate_source rates = rate_source::shrunk;
  /// Per-rep P(to | from) from a model (e.g. a Markov model fitted per rep);
  /// when given, these replace the reps' observed rates.
  std::vector<std::pair<std::string, double>> model_rates;
};

/// The wins a reallocation of leads adds (negative: loses).
struct reallocation {
  std::string from_rep, to_rep;
  double leads_moved = 0;
  double from_rate = 0, to_rate = 0;
  double delta = 0;  ///< leads_moved x (to_rate - from_rate)
  /// With observed rates: leads_moved x (to.low - from.high) .. x (to.high -
  /// from.low) from the Wilson intervals (conservative); NaN with model rates.
  double delta_low = std::numeric_limits<double>::quiet_NaN();
  double delta_high = std::numeric_limits<double>::quiet_NaN();
  std::string source;  ///< "shrunk", "raw" or "model"
};

/// What if a share of one rep's leads went to another: the change in wins
/// at the compared conversion, assuming each lead converts at the rate of
/// the rep who works it.
///
///   reallocation_options o;
///   o.share = 0.5;
///   auto r = reallocate_leads(cmp, "bob", "ann", o);  // r->delta
inline absl::StatusOr<reallocation> reallocate_leads(const rep_comparison& cmp, std::string_view from_rep,
                                                     std::string_view to_rep, const reallocation_options& opt = {}) {
  if (!(opt.share >= 0 && opt.share <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("share must be in [0, 1], got ", opt.share));
  }
  if (opt.leads && !(*opt.leads >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("leads must be >= 0, got ", *opt.leads));
  }
  auto find = [&](std::string_view name) -> absl::StatusOr<const rep_rate_row*> {
    std::vector<std::string> names;
    for (const auto& r : cmp.rows) {
      if (r.rep == name) return &r;
      names.push_back(r.rep);
    }
    return absl::NotFoundError(absl::StrCat("unknown rep '", detail::av(name), "'; reps: ", absl::StrJoin(names, ", ")));
  };
  SALESFUNNEL_ASSIGN_OR_RETURN(const rep_rate_row* a, find(from_rep));
  SALESFUNNEL_ASSIGN_OR_RETURN(const rep_rate_row* b, find(to_rep));
  reallocation out;
  out.from_rep = a->rep;
  out.to_rep = b->rep;
  out.leads_moved = opt.share * opt.leads.value_or(static_cast<double>(a->n));
  if (!opt.model_rates.empty()) {
    auto model = [&](const std::string& name) -> absl::StatusOr<double> {
      for (const auto& [rep, p] : opt.model_rates) {
        if (rep == name) {
          if (!(p >= 0 && p <= 1)) {
            return absl::InvalidArgumentError(absl::StrCat("model rate of rep '", rep, "' must be in [0, 1], got ", p));
          }
          return p;
        }
      }
      return absl::NotFoundError(absl::StrCat("model_rates has no rate for rep '", name, "'"));
    };
    SALESFUNNEL_ASSIGN_OR_RETURN(out.from_rate, model(a->rep));
    SALESFUNNEL_ASSIGN_OR_RETURN(out.to_rate, model(b->rep));
    out.source = "model";
  } else {
    const bool shrunk = opt.rates == rate_source::shrunk;
    out.from_rate = shrunk ? a->shrunk_rate : a->rate.estimate;
    out.to_rate = shrunk ? b->shrunk_rate : b->rate.estimate;
    out.source = shrunk ? "shrunk" : "raw";
    if (std::isnan(out.from_rate) || std::isnan(out.to_rate)) {
      return absl::FailedPreconditionError(absl::StrCat("rep '", std::isnan(out.from_rate) ? a->rep : b->rep,
                                                        "' has no resolved deals at this step: no rate to use"));
    }
    out.delta_low = out.leads_moved * (b->rate.low - a->rate.high);
    out.delta_high = out.leads_moved * (b->rate.high - a->rate.low);
  }
  out.delta = out.leads_moved * (out.to_rate - out.from_rate);
  return out;
}

SALESFUNNEL_END_NAMESPACE
