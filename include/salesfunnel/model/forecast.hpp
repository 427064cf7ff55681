// Monte Carlo forecast: the open pipeline and new leads run through the model.
//
//   salesfunnel::forecast_options o;
//   o.horizon_days = 90; o.trials = 10000; o.seed = 1; o.quota = 40;
//   auto f = salesfunnel::forecast(model, salesfunnel::open_deals_of(model, log), o);
//   // f->wins_p10, f->wins_p50, f->wins_p90, f->p_hit_quota
//
// The model: a deal stays in a stage for an exponential time with the
// stage's mean dwell days — memoryless, so the days it has already spent
// there do not change its remaining stay — then moves by the transition
// probabilities, until it is won or lost or the horizon passes. New leads
// arrive at the entry stage as a Poisson process at leads_per_week. So each
// deal is a continuous-time Markov chain with generator Q (rate 1 / dwell out
// of a stage, split by its transition row), and P(won by t | start s) is the
// won column of expm(Q t), exact, with no walk.
//
// How a trial is drawn (exact in distribution; the cost does not grow with
// the number of open deals):
// - Stages with a mean dwell of 0 are instant: they are folded into every
//   move that enters them first ("vanishing state" elimination), so the
//   remaining chain has finite rates; a deal that starts in one starts where
//   it would be a moment later.
// - Deals without an amount are exchangeable per start stage and
//   independent, so the wins by period of the n_s deals at stage s are
//   Multinomial(n_s; q_s1..q_sP, rest), drawn as a chain of binomials.
// - New-lead wins per period are independent Poisson(lambda * integral of the
//   period's win probability over the arrival time) by Poisson thinning; the
//   integrals come from one larger exponential (Van Loan 1978). A lead's
//   amount (new_deal_amount) is the same for every lead, so revenue is that
//   amount times the lead wins, on the same count path.
// - Deals with the same start stage and the same amount (list prices,
//   standard packages) are exchangeable too: a group of n at stage s has
//   Binomial(n, P(won by the horizon | s)) winners, revenue = amount x that,
//   and the winners of all of a stage's groups fall in the periods as
//   Multinomial(winners; P(period j | won)), one chain of binomials per stage.
//   Amounts shared by at least min_amount_group deals of a stage go this way.
// - Deals with an amount of their own need to know which of them win: each
//   is one Bernoulli(P(won by the horizon | s)) a trial, 64 deals at a time
//   bit-sliced (about eight generator words per 64 deals), revenue = the
//   sum of the winners' amounts. Which period a winner falls in does not
//   depend on its amount, so a stage's winners spread over the periods by the
//   same chain of binomials as the grouped path. The only cost that grows
//   with the number of deals, and only with those whose amounts do not repeat.
// Trial t draws from its own xoshiro256** generator, seeded from (seed, t)
// by splitmix64, so results are bitwise identical for any number of threads.
#pragma once

#include <algorithm>
#include <bit>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/detail/linalg.hpp"
#include "salesfunnel/detail/parallel.hpp"
#include "salesfunnel/detail/random.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/model/markov.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// An open deal to forecast: its current stage and amount (NaN: unknown).
struct open_deal {
  stage_id stage = 0;
  double amount = std::numeric_limits<double>::quiet_NaN();
};

/// The open deals of a log at `as_of` (core/outcome.hpp: no outcome yet;
/// parked deals included, since the model lets them re-engage; deals gone
/// dark under the model's staleness are lost and left out).
inline std::vector<open_deal> open_deals_of(const markov_model& m, const event_log& log,
                                            std::optional<std::int64_t> as_of = std::nullopt) {
  std::vector<open_deal> out;
  if (!log.graph()) return out;
  const auto facts = deal_facts_of(log, *log.graph(), as_of, m.stale());
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto& f = facts[k];
    if (f.empty || !is_open(f.state) || f.went_dark || f.final_stage >= m.num_stages()) continue;
    out.push_back(open_deal{f.final_stage, log.has_amount() ? log.deal_amount()[k]
                                                            : std::numeric_limits<double>::quiet_NaN()});
  }
  return out;
}

struct forecast_options {
  double horizon_days = 90;
  std::int64_t trials = 10000;
  std::uint64_t seed = 1;
  double leads_per_week = 0;  ///< new leads entering the entry stage
  /// Amount of a new lead's deal (NaN: counts as a win, adds no revenue).
  double new_deal_amount = std::numeric_limits<double>::quiet_NaN();
  double quota = std::numeric_limits<double>::quiet_NaN();  ///< wins, for p_hit_quota
  double period_days = 7;  ///< wins are also counted per period of this length
  int threads = 0;
  /// Called between blocks of trials with (done, total); returning false cancels.
  std::function<bool(std::int64_t, std::int64_t)> progress;
};

struct forecast_result {
  std::int64_t trials = 0;
  std::int32_t periods = 0;
  std::vector<double> wins;     ///< [trials] wins within the horizon
  std::vector<double> revenue;  ///< [trials]
  std::vector<std::int32_t> wins_by_period;  ///< [trials x periods]
  double mean_wins = 0, wins_p10 = 0, wins_p50 = 0, wins_p90 = 0;
  double mean_revenue = 0, revenue_p10 = 0, revenue_p50 = 0, revenue_p90 = 0;
  double p_hit_quota = std::numeric_limits<double>::quiet_NaN();
};


namespace detail {

inline absl::Status check_forecast_options(const forecast_options& opt) {
  // Bounded inputs keep the work bounded: an infinite lead rate or horizon would never end.
  if (!(opt.horizon_days > 0 && std::isfinite(opt.horizon_days))) {
    return absl::InvalidArgumentError(absl::StrCat("horizon_days must be a finite number > 0, got ", opt.horizon_days));
  }
  if (opt.trials < 1 || opt.trials > 100000000) {
    return absl::InvalidArgumentError(absl::StrCat("trials must be in [1, 1e8], got ", opt.trials));
  }
  if (!(opt.leads_per_week >= 0 && std::isfinite(opt.leads_per_week))) {
    return absl::InvalidArgumentError(absl::StrCat("leads_per_week must be a finite number >= 0, got ", opt.leads_per_week));
  }
  if (opt.leads_per_week * opt.horizon_days / 7 > 1e8) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leads_per_week x horizon gives ", opt.leads_per_week * opt.horizon_days / 7,
        " new leads per trial; at most 1e8 (shorten the horizon or lower the rate)"));
  }
  if (!(opt.period_days > 0 && std::isfinite(opt.period_days))) {
    return absl::InvalidArgumentError(absl::StrCat("period_days must be a finite number > 0, got ", opt.period_days));
  }
  if (opt.horizon_days / opt.period_days > 10000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "horizon_days / period_days gives ", opt.horizon_days / opt.period_days,
        " periods; at most 10000 (use a longer period_days)"));
  }
  if (std::isinf(opt.new_deal_amount) || opt.new_deal_amount < 0) {
    return absl::InvalidArgumentError(absl::StrCat("new_deal_amount must be finite and >= 0 (or NaN), got ", opt.new_deal_amount));
  }
  return absl::OkStatus();
}

/// The chain in continuous time, instant stages folded away. States
/// 0..n-1 are the timed transient stages, state n is "won"; lost stages are
/// left out (a deal that reaches one leaves the chain, which is all a win
/// count needs).
struct timed_chain {
  std::size_t n = 0;
  std::vector<std::int32_t> state;  ///< [S] a stage's state, -1 if not timed transient
  std::vector<double> generator;    ///< [(n+1) x (n+1)] rates per day; the won row is 0
  /// [S x (n+1)] where a deal that enters stage s is a moment later: one
  /// state for a timed stage, "won" for a won stage, nothing for a lost one,
  /// a distribution for an instant stage.
  std::vector<double> enters;
};

inline bool is_timed(const markov_model& m, stage_id s) {
  return !m.ends_chain(s) && m.dwell_days()[static_cast<std::size_t>(s)] > 0;
}

/// The rows of `enters` for every stage that is not instant.
inline void enter_direct(const markov_model& m, timed_chain& c) {
  const auto S = static_cast<std::size_t>(m.num_stages());
  const std::size_t w = c.n + 1;
  c.enters.assign(S * w, 0.0);
  for (stage_id s = 0; s < m.num_stages(); ++s) {
    const auto a = static_cast<std::size_t>(s);
    if (c.state[a] >= 0) c.enters[a * w + static_cast<std::size_t>(c.state[a])] = 1;
    if (m.ends_chain(s) && m.absorbed_win(s) > 0) c.enters[a * w + c.n] = 1;
  }
}

/// The rows of `enters` for the instant stages V: X = (I - P_VV)^-1 P_V. E,
/// with E the direct rows (zero on V). I - P_VV is invertible because every
/// stage reaches an absorbing one (check_absorbing_reachable).
inline void enter_instant(const markov_model& m, timed_chain& c) {
  const auto S = static_cast<std::size_t>(m.num_stages());
  const std::size_t w = c.n + 1;
  const auto& p = m.transition_matrix();
  std::vector<std::size_t> v;
  for (stage_id s = 0; s < m.num_stages(); ++s) {
    if (!m.ends_chain(s) && !is_timed(m, s)) v.push_back(static_cast<std::size_t>(s));
  }
  if (v.empty()) return;
  const std::size_t k = v.size();
  std::vector<double> a(k * k, 0.0);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) a[i * k + j] = (i == j) - p[v[i] * S + v[j]];
  }
  const lu f(std::move(a), k);
  std::vector<double> rhs(k);
  for (std::size_t x = 0; x < w; ++x) {
    for (std::size_t i = 0; i < k; ++i) {
      rhs[i] = 0;
      for (std::size_t b = 0; b < S; ++b) rhs[i] += p[v[i] * S + b] * c.enters[b * w + x];
    }
    const auto sol = f.solve(rhs);
    for (std::size_t i = 0; i < k; ++i) c.enters[v[i] * w + x] = sol[i];
  }
}

/// Q[a, .] = (sum_b P[a, b] enters[b, .] - e_a) / dwell_a for each timed a.
inline timed_chain timed_chain_of(const markov_model& m) {
  timed_chain c;
  const auto S = static_cast<std::size_t>(m.num_stages());
  c.state.assign(S, -1);
  for (stage_id s = 0; s < m.num_stages(); ++s) {
    if (is_timed(m, s)) c.state[static_cast<std::size_t>(s)] = static_cast<std::int32_t>(c.n++);
  }
  enter_direct(m, c);
  enter_instant(m, c);
  const std::size_t w = c.n + 1;
  c.generator.assign(w * w, 0.0);
  const auto& p = m.transition_matrix();
  for (std::size_t a = 0; a < S; ++a) {
    if (c.state[a] < 0) continue;
    const auto i = static_cast<std::size_t>(c.state[a]);
    const double rate = 1.0 / m.dwell_days()[a];
    for (std::size_t b = 0; b < S; ++b) {
      if (p[a * S + b] == 0) continue;
      for (std::size_t x = 0; x < w; ++x) c.generator[i * w + x] += rate * p[a * S + b] * c.enters[b * w + x];
    }
    c.generator[i * w + i] -= rate;
  }
  return c;
}

/// What the trials draw from, per start stage and period j (period j ends at
/// min((j + 1) period_days, horizon)).
struct win_curves {
  std::int32_t periods = 0;
  std::vector<double> cdf;        ///< [S x P] P(won by the end of period j | start at s)
  std::vector<double> lead_wins;  ///< [P] expected new-lead wins in period j
};

/// Columns "won" and "integral" of expm(M t_j) for each period end t_j, with
/// M = [[Q, e_won], [0, 0]] (Van Loan 1978, "Computing integrals involving
/// the matrix exponential"): expm(M t) = [[P(t), int_0^t P(x) e_won dx], [0, 1]].
/// One exponential per step length; a period end is the last one times a step.
inline void won_columns(const timed_chain& c, const forecast_options& opt, std::int32_t periods,
                        std::vector<double>& won, std::vector<double>& integral) {
  const std::size_t w = c.n + 1, z = c.n + 2;
  std::vector<double> mz(z * z, 0.0);
  for (std::size_t i = 0; i < w; ++i) {
    for (std::size_t j = 0; j < w; ++j) mz[i * z + j] = c.generator[i * w + j];
  }
  mz[c.n * z + c.n + 1] = 1;
  auto scaled = [&](double t) {
    std::vector<double> a(mz);
    for (double& x : a) x *= t;
    return expm(std::move(a), z);
  };
  const auto step = scaled(opt.period_days);
  const auto last = scaled(std::max(0.0, opt.horizon_days - (periods - 1) * opt.period_days));
  std::vector<double> cw(z, 0.0), ci(z, 0.0), nw(z), ni(z);
  cw[c.n] = 1;
  ci[c.n + 1] = 1;
  for (std::int32_t j = 0; j < periods; ++j) {
    const auto& e = j + 1 < periods ? step : last;
    for (std::size_t i = 0; i < z; ++i) {
      nw[i] = ni[i] = 0;
      for (std::size_t k = 0; k < z; ++k) {
        nw[i] += e[i * z + k] * cw[k];
        ni[i] += e[i * z + k] * ci[k];
      }
    }
    cw.swap(nw);
    ci.swap(ni);
    won.insert(won.end(), cw.begin(), cw.begin() + static_cast<std::ptrdiff_t>(w));
    integral.insert(integral.end(), ci.begin(), ci.begin() + static_cast<std::ptrdiff_t>(w));
  }
}

/// P(won by t_j | start s) for every stage (clamped to a non-decreasing
/// sequence in [0, 1] against rounding), and the expected lead wins per
/// period: lambda (I(t_j) - I(t_j-1)) with I(t) = int_0^t P(won by x | entry) dx,
/// since a lead arriving at a wins in period j with probability
/// F(t_j - a) - F(t_j-1 - a) and arrivals are uniform on [0, horizon].
inline win_curves win_curves_of(const markov_model& m, const forecast_options& opt) {
  const auto c = timed_chain_of(m);
  win_curves r;
  r.periods = static_cast<std::int32_t>(std::ceil(opt.horizon_days / opt.period_days));
  const auto P = static_cast<std::size_t>(r.periods);
  const std::size_t w = c.n + 1;
  std::vector<double> won, integral;
  won_columns(c, opt, r.periods, won, integral);
  const auto S = static_cast<std::size_t>(m.num_stages());
  r.cdf.assign(S * P, 0.0);
  for (std::size_t s = 0; s < S; ++s) {
    double prev = 0;
    for (std::size_t j = 0; j < P; ++j) {
      double f = 0;
      for (std::size_t x = 0; x < w; ++x) f += c.enters[s * w + x] * won[j * w + x];
      r.cdf[s * P + j] = prev = std::clamp(f, prev, 1.0);
    }
  }
  r.lead_wins.assign(P, 0.0);
  const auto e = static_cast<std::size_t>(m.graph().entry());
  const double per_day = opt.leads_per_week / 7;
  double prev = 0;
  for (std::size_t j = 0; j < P && per_day > 0; ++j) {
    double i = 0;
    for (std::size_t x = 0; x < w; ++x) i += c.enters[e * w + x] * integral[j * w + x];
    r.lead_wins[j] = per_day * std::max(0.0, i - prev);
    prev = std::max(prev, i);
  }
  return r;
}

/// Deals of one start stage sharing one amount (forecast_plan's grouped path).
struct amount_group {
  std::size_t stage = 0;
  double amount = 0;
  std::int64_t deals = 0;
};

/// Amounts shared by at least this many open deals of one stage are drawn as
/// one binomial a trial instead of one uniform a deal (the binomial costs
/// about as much as a few dozen uniforms).
inline constexpr std::int64_t min_amount_group = 32;

/// The trials' inputs: the count path per start stage, the grouped path's
/// (stage, amount) groups, the per-deal path's deals by start stage, and the
/// lead wins.
struct forecast_plan {
  std::int32_t periods = 0;
  std::vector<std::int64_t> counted;  ///< [S] deals without an amount per start stage
  /// [S x P] P(won in period j | not won before j): the binomial chain.
  std::vector<double> split;
  /// [S x P] P(won in period j | won by the horizon, not in a period before j).
  std::vector<double> winner_split;
  std::vector<double> ever;  ///< [S] P(won by the horizon)
  /// [S] P(won by the horizon) x 2^53, against 53-bit uniform integers.
  std::vector<std::uint64_t> threshold;
  std::vector<amount_group> groups;          ///< by stage, then amount
  std::vector<std::vector<double>> amounts;  ///< [S] amounts of the other deals that have one
  std::vector<double> lead_wins;             ///< [P] Poisson means
  double lead_amount = 0;                    ///< NaN: lead wins add no revenue

  forecast_plan(const markov_model& m, std::span<const open_deal> deals, const forecast_options& opt) {
    auto curves = win_curves_of(m, opt);
    periods = curves.periods;
    lead_wins = std::move(curves.lead_wins);
    lead_amount = opt.new_deal_amount;
    const auto S = static_cast<std::size_t>(m.num_stages());
    const auto P = static_cast<std::size_t>(periods);
    split.assign(S * P, 0.0);
    winner_split.assign(S * P, 0.0);
    ever.assign(S, 0.0);
    threshold.assign(S, 0);
    for (std::size_t i = 0; i < S * P; ++i) {
      const double before = i % P == 0 ? 0.0 : curves.cdf[i - 1];
      const double rest = 1 - before;
      split[i] = rest > 0 ? std::min(1.0, (curves.cdf[i] - before) / rest) : 0.0;
      const double won_rest = curves.cdf[(i / P) * P + P - 1] - before;
      winner_split[i] = won_rest > 0 ? std::min(1.0, (curves.cdf[i] - before) / won_rest) : 0.0;
    }
    for (std::size_t s = 0; s < S; ++s) {
      ever[s] = curves.cdf[s * P + P - 1];
      threshold[s] = static_cast<std::uint64_t>(std::llround(ever[s] * 0x1p53));
    }
    counted.assign(S, 0);
    amounts.resize(S);
    for (const auto& d : deals) {
      const auto s = static_cast<std::size_t>(d.stage);
      if (std::isnan(d.amount)) {
        ++counted[s];
      } else {
        amounts[s].push_back(d.amount);
      }
    }
    for (std::size_t s = 0; s < S; ++s) split_off_groups(s);
  }

  /// Sorts stage s's amounts and moves the runs of at least
  /// min_amount_group equal amounts to groups (sorting, not hashing: 2.2M
  /// distinct amounts sort in a fraction of the time a hash map takes).
  void split_off_groups(std::size_t s) {
    auto& a = amounts[s];
    std::sort(a.begin(), a.end());
    std::size_t kept = 0;
    for (std::size_t i = 0; i < a.size();) {
      std::size_t j = i + 1;
      while (j < a.size() && a[j] == a[i]) ++j;
      if (static_cast<std::int64_t>(j - i) >= min_amount_group) {
        groups.push_back(amount_group{s, a[i], static_cast<std::int64_t>(j - i)});
      } else {
        kept = static_cast<std::size_t>(std::copy(a.begin() + static_cast<std::ptrdiff_t>(i),
                                                  a.begin() + static_cast<std::ptrdiff_t>(j),
                                                  a.begin() + static_cast<std::ptrdiff_t>(kept)) - a.begin());
      }
      i = j;
    }
    a.resize(kept);
  }

  /// One trial into row t of r.
  void run_trial(std::int64_t t, std::uint64_t seed, forecast_result& r) const {
    xoshiro256ss rng(trial_seed(seed, t));
    std::int32_t* by_period = r.wins_by_period.data() + t * periods;
    std::int64_t wins = 0;
    double revenue = 0;
    count_path(rng, by_period, wins);
    grouped_path(rng, by_period, wins, revenue);
    per_deal_path(rng, by_period, wins, revenue);
    lead_path(rng, by_period, wins, revenue);
    r.wins[static_cast<std::size_t>(t)] = static_cast<double>(wins);
    r.revenue[static_cast<std::size_t>(t)] = revenue;
  }

  /// New-lead wins per period: Poisson, each adding the leads' amount.
  void lead_path(xoshiro256ss& rng, std::int32_t* by_period, std::int64_t& wins, double& revenue) const {
    for (std::int32_t j = 0; j < periods; ++j) {
      const auto x = poisson(rng, lead_wins[static_cast<std::size_t>(j)]);
      by_period[j] += static_cast<std::int32_t>(x);
      wins += x;
      if (!std::isnan(lead_amount)) revenue += static_cast<double>(x) * lead_amount;
    }
  }

  /// Multinomial(n_s; q_s1..q_sP, rest) per start stage, as binomials:
  /// the wins in period j are Binomial(deals not won before j, split_j).
  void count_path(xoshiro256ss& rng, std::int32_t* by_period, std::int64_t& wins) const {
    const auto P = static_cast<std::size_t>(periods);
    for (std::size_t s = 0; s < counted.size(); ++s) {
      std::int64_t left = counted[s];
      for (std::size_t j = 0; j < P && left > 0; ++j) {
        const auto x = binomial(rng, left, split[s * P + j]);
        by_period[j] += static_cast<std::int32_t>(x);
        wins += x;
        left -= x;
      }
    }
  }

  /// Binomial(n, P(won by the horizon)) winners per (stage, amount) group,
  /// then each stage's winners over the periods.
  void grouped_path(xoshiro256ss& rng, std::int32_t* by_period, std::int64_t& wins, double& revenue) const {
    for (std::size_t i = 0; i < groups.size();) {
      const auto s = groups[i].stage;
      std::int64_t winners = 0;
      for (; i < groups.size() && groups[i].stage == s; ++i) {
        const auto x = binomial(rng, groups[i].deals, ever[s]);
        winners += x;
        revenue += static_cast<double>(x) * groups[i].amount;
      }
      spread_winners(rng, s, winners, by_period, wins);
    }
  }

  /// One Bernoulli(P(won by the horizon)) per deal, 64 deals a step
  /// (bernoulli_lanes); revenue adds the winners' amounts in deal order, then
  /// each stage's winners go over the periods.
  void per_deal_path(xoshiro256ss& rng, std::int32_t* by_period, std::int64_t& wins, double& revenue) const {
    for (std::size_t s = 0; s < amounts.size(); ++s) {
      if (amounts[s].empty()) continue;
      const auto winners = stage_wins(rng, threshold[s], amounts[s], revenue);
      spread_winners(rng, s, winners, by_period, wins);
    }
  }

  /// The winners among one stage's deals, each winning with probability
  /// threshold / 2^53; their amounts add to revenue.
  static std::int64_t stage_wins(xoshiro256ss& rng, std::uint64_t threshold, std::span<const double> a,
                                 double& revenue) {
    xoshiro256ss g = rng;  // locals, so that they stay in registers
    double sum = revenue;
    std::int64_t winners = 0;
    for (std::size_t i = 0; i < a.size(); i += 64) {
      const std::size_t lanes = std::min<std::size_t>(64, a.size() - i);
      const std::uint64_t all = lanes == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << lanes) - 1;
      for (std::uint64_t won = bernoulli_lanes(g, threshold, all); won != 0; won &= won - 1) {
        sum += a[i + static_cast<std::size_t>(std::countr_zero(won))];
        ++winners;  // counting here, not std::popcount: without -mpopcnt that is a library call
      }
    }
    rng = g;
    revenue = sum;
    return winners;
  }

  /// The winners of start stage s over the periods: which period a winner
  /// falls in is independent of which deal it is, so the counts are
  /// Multinomial(winners; P(period j | won)), drawn as a chain of binomials.
  void spread_winners(xoshiro256ss& rng, std::size_t s, std::int64_t winners, std::int32_t* by_period,
                      std::int64_t& wins) const {
    const auto P = static_cast<std::size_t>(periods);
    wins += winners;
    for (std::size_t j = 0; j < P && winners > 0; ++j) {
      const auto x = j + 1 == P ? winners : binomial(rng, winners, winner_split[s * P + j]);
      by_period[j] += static_cast<std::int32_t>(x);
      winners -= x;
    }
  }
};

/// Mean and the 10th, 50th and 90th percentiles of per-trial values.
inline void summarize_trials(std::vector<double> v, double& mean, double& p10, double& p50, double& p90) {
  double sum = 0;
  for (double x : v) sum += x;
  mean = sum / static_cast<double>(v.size());
  std::sort(v.begin(), v.end());
  p10 = quantile_sorted(v, 0.1);
  p50 = quantile_sorted(v, 0.5);
  p90 = quantile_sorted(v, 0.9);
}

}  // namespace detail

inline absl::StatusOr<forecast_result> forecast(const markov_model& m,
                                                std::span<const open_deal> deals,
                                                const forecast_options& opt = {}) {
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_forecast_options(opt));
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_absorbing_reachable(m));
  for (std::size_t i = 0; i < deals.size(); ++i) {
    if (!m.graph().contains(deals[i].stage)) {
      return absl::OutOfRangeError(absl::StrCat("open deal ", i, ": stage ", deals[i].stage, " is not in the model"));
    }
  }
  const detail::forecast_plan plan(m, deals, opt);
  forecast_result r;
  r.trials = opt.trials;
  r.periods = plan.periods;
  r.wins.assign(static_cast<std::size_t>(opt.trials), 0.0);
  r.revenue.assign(static_cast<std::size_t>(opt.trials), 0.0);
  r.wins_by_period.assign(static_cast<std::size_t>(opt.trials) * static_cast<std::size_t>(r.periods), 0);
  const int threads = detail::resolve_threads(opt.threads);
  const std::int64_t block = 1000;
  for (std::int64_t done = 0; done < opt.trials; done += block) {
    const std::int64_t n = std::min(block, opt.trials - done);
    detail::parallel_chunks(n, threads, threads, [&](std::int64_t b, std::int64_t e, int) {
      for (auto i = b; i < e; ++i) plan.run_trial(done + i, opt.seed, r);
    });
    if (opt.progress && !opt.progress(done + n, opt.trials)) {
      return absl::CancelledError(absl::StrCat("forecast cancelled after ", done + n, " of ", opt.trials, " trials"));
    }
  }
  detail::summarize_trials(r.wins, r.mean_wins, r.wins_p10, r.wins_p50, r.wins_p90);
  detail::summarize_trials(r.revenue, r.mean_revenue, r.revenue_p10, r.revenue_p50, r.revenue_p90);
  if (!std::isnan(opt.quota)) {
    std::int64_t hit = 0;
    for (double w : r.wins) hit += w >= opt.quota;
    r.p_hit_quota = static_cast<double>(hit) / static_cast<double>(r.trials);
  }
  return r;
}

SALESFUNNEL_END_NAMESPACE
