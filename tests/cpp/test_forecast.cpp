// The forecast (model/forecast.hpp) and the matrix exponential it rests on
// (detail/linalg.hpp). Sampled means are checked within 4 standard errors
// (a false alarm once in ~16,000 checks); the exact curves to 1e-12.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <salesfunnel/detail/linalg.hpp>
#include <salesfunnel/model/forecast.hpp>

using namespace salesfunnel;

namespace {

void check_matrix(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(std::abs(got[i] - want[i]) <= tol * std::max(1.0, std::abs(want[i])));
  }
}

using probs = std::vector<std::tuple<std::string, std::string, double>>;
using dwells = std::vector<std::pair<std::string, double>>;

/// A graph of open stages (the first listed after In is reached from In)
/// plus In (entry), Won and Lost, with the given moves.
markov_model model_of(const std::vector<std::string>& open, const probs& p, const dwells& d) {
  stage_graph g("forecast");
  REQUIRE(g.add_stage("In", stage_kind::entry).ok());
  for (const auto& s : open) REQUIRE(g.add_stage(s, stage_kind::open).ok());
  REQUIRE(g.add_stage("Won", stage_kind::won).ok());
  REQUIRE(g.add_stage("Lost", stage_kind::lost).ok());
  for (const auto& [a, b, x] : p) REQUIRE(g.add_transition(a, b).ok());
  auto m = markov_model::from_probabilities(g, p, d);
  REQUIRE(m.ok());
  return *m;
}

/// In (instant) -> A; A -> Won p, Lost 1 - p; A's mean dwell d.
markov_model one_stage(double p, double d) {
  return model_of({"A"}, {{"In", "A", 1.0}, {"A", "Won", p}, {"A", "Lost", 1 - p}}, {{"A", d}});
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double var_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

}  // namespace

TEST_CASE("expm: a diagonal matrix, inside and beyond theta_13") {
  // e^diag(x) = diag(e^x); the norms 2 and 30 take Pade 9 and scaling by 2^3.
  for (double k : {1.0, 15.0}) {
    const std::vector<double> a = {k, 0, 0, -2 * k};
    check_matrix(detail::expm(a, 2), {std::exp(k), 0, 0, std::exp(-2 * k)}, 1e-13);
  }
}

TEST_CASE("expm: a nilpotent matrix is its finite series") {
  // N^3 = 0, so e^N = I + N + N^2 / 2 exactly.
  for (double c : {0.001, 0.3, 7.0}) {
    const std::vector<double> n = {0, c, 0, 0, 0, c, 0, 0, 0};
    check_matrix(detail::expm(n, 3), {1, c, c * c / 2, 0, 1, c, 0, 0, 1}, 1e-13);
  }
}

TEST_CASE("expm: a two-state chain and a rotation") {
  // Q = [[-a, a], [b, -b]]: P(t) = (1 / (a + b)) [[b + a e, a - a e], [b - b e, a + b e]],
  // e = exp(-(a + b) t); t spans every Pade degree and the squaring.
  const double a = 0.7, b = 0.2;
  for (double t : {0.001, 0.2, 1.0, 2.5, 40.0, 1e4}) {
    const double e = std::exp(-(a + b) * t), s = a + b;
    const auto p = detail::expm({-a * t, a * t, b * t, -b * t}, 2);
    check_matrix(p, {(b + a * e) / s, (a - a * e) / s, (b - b * e) / s, (a + b * e) / s}, 1e-12);
  }
  // [[0, x], [-x, 0]] -> [[cos x, sin x], [-sin x, cos x]].
  const double x = 10;
  check_matrix(detail::expm({0, x, -x, 0}, 2), {std::cos(x), std::sin(x), -std::sin(x), std::cos(x)},
               1e-12);
}

TEST_CASE("forecast curves: one stage, P(won by t) = p (1 - e^(-t/d)), exact") {
  const double p = 0.6, d = 10;
  const auto m = one_stage(p, d);
  forecast_options o;
  o.horizon_days = 30;
  o.period_days = 7;  // periods end at 7, 14, 21, 28, 30
  const auto c = detail::win_curves_of(m, o);
  REQUIRE(c.periods == 5);
  const double ends[] = {7, 14, 21, 28, 30};
  for (int j = 0; j < 5; ++j) {
    const double want = p * (1 - std::exp(-ends[j] / d));
    CHECK(c.cdf[1 * 5 + j] == doctest::Approx(want).epsilon(1e-12));  // start at A
    CHECK(c.cdf[0 * 5 + j] == doctest::Approx(want).epsilon(1e-12));  // In is instant: as A
    CHECK(c.cdf[2 * 5 + j] == 1.0);                                   // Won: won at once
    CHECK(c.cdf[3 * 5 + j] == 0.0);                                   // Lost: never
  }
}

TEST_CASE("bernoulli_lanes: each lane is exactly u < threshold for its full 53-bit uniform") {
  // Word k of a copy of the generator holds bit 52 - k of every lane's u; the
  // lanes decided early never read the later words, so the full u of 53
  // words must give the same outcome. Thresholds: random, one bit, p = 1/2,
  // 0, 1 and 1 - 2^-53.
  std::mt19937_64 pick(7);
  std::vector<std::uint64_t> thresholds = {0, std::uint64_t{1} << 52, std::uint64_t{1} << 53,
                                           (std::uint64_t{1} << 53) - 1, 1, 3};
  for (int i = 0; i < 200; ++i) thresholds.push_back(pick() >> 11);
  std::int64_t lanes_won = 0, lanes_seen = 0;
  double expected = 0;
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    const std::uint64_t thr = thresholds[i];
    const std::uint64_t lanes = i % 3 == 0 ? (std::uint64_t{1} << (i % 64)) - 1 : ~std::uint64_t{0};
    detail::xoshiro256ss rng(1000 + i), copy = rng;
    const std::uint64_t got = detail::bernoulli_lanes(rng, thr, lanes);
    std::uint64_t u[64] = {};
    for (int k = 52; k >= 0; --k) {
      const std::uint64_t w = copy();
      for (int l = 0; l < 64; ++l) u[l] |= (w >> l & 1) << k;
    }
    std::uint64_t want = 0;
    for (int l = 0; l < 64; ++l) want |= static_cast<std::uint64_t>((lanes >> l & 1) != 0 && u[l] < thr) << l;
    CHECK(got == want);
    if (thr < std::uint64_t{1} << 53) {  // the pure-chance cases: counts against their expectation below
      lanes_won += std::popcount(got);
      lanes_seen += std::popcount(lanes);
      expected += static_cast<double>(std::popcount(lanes)) * static_cast<double>(thr) * 0x1p-53;
    }
  }
  // The wins over all lanes: within 4 SD of the expected count (variance <= lanes / 4).
  CHECK(std::abs(static_cast<double>(lanes_won) - expected) <= 4 * std::sqrt(static_cast<double>(lanes_seen) / 4));
}

TEST_CASE("forecast: one stage, n deals, mean wins n p (1 - e^(-H/d)); periods add up") {
  const double p = 0.6, d = 10, n = 1000;
  std::vector<open_deal> deals(static_cast<std::size_t>(n), open_deal{1});
  forecast_options o;
  o.horizon_days = 30;
  o.trials = 4000;
  o.seed = 11;
  auto f = forecast(one_stage(p, d), deals, o);
  REQUIRE(f.ok());
  // Wins per trial are Binomial(n, pi) exactly: mean n pi, variance n pi (1 - pi).
  const double pi = p * (1 - std::exp(-3.0));
  const double se = std::sqrt(n * pi * (1 - pi) / o.trials);
  CHECK(std::abs(f->mean_wins - n * pi) <= 4 * se);
  // The sample variance of 4,000 draws has a relative SE of sqrt(2 / 3999) = 2.2%: 10% is 4.5 SE.
  CHECK(var_of(f->wins) == doctest::Approx(n * pi * (1 - pi)).epsilon(0.10));
  // Period j holds n p (e^(-t_{j-1}/d) - e^(-t_j/d)) on average.
  const double ends[] = {0, 7, 14, 21, 28, 30};
  for (int j = 0; j < 5; ++j) {
    const double q = p * (std::exp(-ends[j] / d) - std::exp(-ends[j + 1] / d));
    double sum = 0;
    for (std::int64_t t = 0; t < o.trials; ++t) sum += f->wins_by_period[t * 5 + j];
    CHECK(std::abs(sum / o.trials - n * q) <= 4 * std::sqrt(n * q * (1 - q) / o.trials));
  }
  for (std::int64_t t = 0; t < o.trials; ++t) {
    std::int64_t total = 0;
    for (int j = 0; j < 5; ++j) total += f->wins_by_period[t * 5 + j];
    CHECK(total == f->wins[static_cast<std::size_t>(t)]);
  }
}

TEST_CASE("forecast: deals sharing an amount, drawn as one group: Binomial wins, revenue = amount x wins") {
  // 600 deals at A priced 250 and 400 priced 1000 (list prices: two groups
  // of the grouped path), plus 20 with amounts of their own (per-deal path,
  // fewer than min_amount_group of each). Wins of each group are
  // Binomial(n, pi), independent: mean and variance as one stage of 1,020.
  const double p = 0.6, d = 10;
  std::vector<open_deal> deals;
  for (int i = 0; i < 600; ++i) deals.push_back(open_deal{1, 250.0});
  for (int i = 0; i < 400; ++i) deals.push_back(open_deal{1, 1000.0});
  for (int i = 0; i < 20; ++i) deals.push_back(open_deal{1, 10.0 + i});
  forecast_options o;
  o.horizon_days = 30;
  o.trials = 4000;
  o.seed = 5;
  const auto m = one_stage(p, d);
  const detail::forecast_plan plan(m, deals, o);
  REQUIRE(plan.groups.size() == 2);
  CHECK(plan.groups[0].amount == 250.0);
  CHECK(plan.groups[0].deals == 600);
  CHECK(plan.amounts[1].size() == 20);
  auto f = forecast(m, deals, o);
  REQUIRE(f.ok());
  const double pi = p * (1 - std::exp(-3.0)), n = 1020;
  CHECK(std::abs(f->mean_wins - n * pi) <= 4 * std::sqrt(n * pi * (1 - pi) / o.trials));
  CHECK(var_of(f->wins) == doctest::Approx(n * pi * (1 - pi)).epsilon(0.10));
  // Revenue: sum of amount x Bernoulli(pi): mean pi x total, variance pi (1 - pi) x sum of amount^2.
  double total = 600 * 250.0 + 400 * 1000.0, squares = 600 * 250.0 * 250 + 400 * 1000.0 * 1000;
  for (int i = 0; i < 20; ++i) {
    total += 10.0 + i;
    squares += (10.0 + i) * (10.0 + i);
  }
  CHECK(std::abs(f->mean_revenue - pi * total) <= 4 * std::sqrt(pi * (1 - pi) * squares / o.trials));
  CHECK(var_of(f->revenue) == doctest::Approx(pi * (1 - pi) * squares).epsilon(0.10));
  // The grouped winners fall in the periods as single deals do.
  const double ends[] = {0, 7, 14, 21, 28, 30};
  for (int j = 0; j < 5; ++j) {
    const double q = p * (std::exp(-ends[j] / d) - std::exp(-ends[j + 1] / d));
    double sum = 0;
    for (std::int64_t t = 0; t < o.trials; ++t) sum += f->wins_by_period[t * 5 + j];
    CHECK(std::abs(sum / o.trials - n * q) <= 4 * std::sqrt(n * q * (1 - q) / o.trials));
  }
  for (std::int64_t t = 0; t < o.trials; ++t) {
    std::int64_t in_periods = 0;
    for (int j = 0; j < 5; ++j) in_periods += f->wins_by_period[t * 5 + j];
    CHECK(in_periods == f->wins[static_cast<std::size_t>(t)]);
  }
}

TEST_CASE("forecast: two timed steps, the hypoexponential win time") {
  // A (d 5) -> B (d 10) -> Won 0.5: P(won by t | A) = 0.5 (1 - (b e^(-a t) - a e^(-b t)) / (b - a)).
  const auto m = model_of({"A", "B"},
                          {{"In", "A", 1.0}, {"A", "B", 1.0}, {"B", "Won", 0.5}, {"B", "Lost", 0.5}},
                          {{"A", 5.0}, {"B", 10.0}});
  const double a = 1 / 5.0, b = 1 / 10.0, H = 20;
  const double want = 0.5 * (1 - (b * std::exp(-a * H) - a * std::exp(-b * H)) / (b - a));
  forecast_options o;
  o.horizon_days = H;
  o.period_days = H;
  o.trials = 4000;
  const auto c = detail::win_curves_of(m, o);
  CHECK(c.cdf[1] == doctest::Approx(want).epsilon(1e-12));
  std::vector<open_deal> deals(500, open_deal{1});
  auto f = forecast(m, deals, o);
  REQUIRE(f.ok());
  CHECK(std::abs(f->mean_wins - 500 * want) <= 4 * std::sqrt(500 * want * (1 - want) / o.trials));
}

TEST_CASE("forecast: new leads only, mean lead wins = lambda x integral of P(won by x)") {
  // Leads arrive at In (instant) at 14 a week = 2 a day for H = 30 days; a lead
  // arriving at time a wins by H with p (1 - e^(-(H - a)/d)), so the mean is
  // 2 p (H - d (1 - e^(-H/d))) = 2 x 0.6 x (30 - 10 (1 - e^-3)) = 24.597...
  const double p = 0.6, d = 10, H = 30;
  const double want = 2 * p * (H - d * (1 - std::exp(-H / d)));
  forecast_options o;
  o.horizon_days = H;
  o.leads_per_week = 14;
  o.trials = 4000;
  o.seed = 5;
  o.new_deal_amount = 100;
  const auto m = one_stage(p, d);
  const auto c = detail::win_curves_of(m, o);
  double sum = 0;
  for (double x : c.lead_wins) sum += x;
  CHECK(sum == doctest::Approx(want).epsilon(1e-12));
  auto f = forecast(m, {}, o);
  REQUIRE(f.ok());
  // Lead wins are Poisson(want): variance want.
  CHECK(std::abs(f->mean_wins - want) <= 4 * std::sqrt(want / o.trials));
  CHECK(f->mean_revenue == doctest::Approx(100 * f->mean_wins));
}

namespace {

// The branching model of the independent check: loops (A <-> B, C <-> D)
// and two instant stages (C, D; In too), one of them entered from the other.
markov_model branching() {
  return model_of({"A", "B", "C", "D"},
                  {{"In", "A", 1.0}, {"A", "B", 0.5}, {"A", "C", 0.3}, {"A", "Lost", 0.2},
                   {"B", "A", 0.3}, {"B", "Won", 0.4}, {"B", "Lost", 0.3},
                   {"C", "D", 0.5}, {"C", "A", 0.2}, {"C", "Won", 0.3},
                   {"D", "C", 0.4}, {"D", "B", 0.3}, {"D", "Lost", 0.3}},
                  {{"A", 3.0}, {"B", 5.0}});
}

std::vector<open_deal> branching_deals() {
  std::vector<open_deal> deals;
  const std::pair<stage_id, int> at[] = {{0, 40}, {1, 30}, {2, 20}, {3, 10}, {4, 5}};
  for (auto [s, n] : at) {
    for (int i = 0; i < n; ++i) {
      // Every other deal at A and B has an amount: both paths at once.
      const bool amount = (s == 1 || s == 2) && i % 2 == 0;
      deals.push_back(open_deal{s, amount ? 100.0 + i : std::nan("")});
    }
  }
  return deals;
}

/// A brute-force per-deal walk, written here and not the library's: each
/// deal (and each lead, arriving after exponential gaps) stays an
/// exponential time, moves by its row, until won, lost or past the horizon.
struct brute_force {
  const markov_model& m;
  const forecast_options& o;
  std::mt19937_64 rng;

  double walk(stage_id s, double now, double amount, double& revenue) {
    const auto S = static_cast<std::size_t>(m.num_stages());
    std::uniform_real_distribution<double> u(0, 1);
    for (;;) {
      const auto kind = m.graph().kind_of(s);
      if (kind == stage_kind::won) {
        if (!std::isnan(amount)) revenue += amount;
        return 1;
      }
      if (kind == stage_kind::lost) return 0;
      const double d = m.dwell_days()[static_cast<std::size_t>(s)];
      if (d > 0) now += std::exponential_distribution<double>(1 / d)(rng);
      if (now > o.horizon_days) return 0;
      double x = u(rng);
      stage_id next = 0;
      for (std::size_t b = 0; b < S; ++b) {
        next = static_cast<stage_id>(b);
        x -= m.transition_matrix()[static_cast<std::size_t>(s) * S + b];
        if (x < 0 && m.transition_matrix()[static_cast<std::size_t>(s) * S + b] > 0) break;
      }
      s = next;
    }
  }

  std::pair<double, double> trial(const std::vector<open_deal>& deals) {
    double wins = 0, revenue = 0;
    for (const auto& d : deals) wins += walk(d.stage, 0, d.amount, revenue);
    std::exponential_distribution<double> gap(o.leads_per_week / 7);
    for (double at = gap(rng); at <= o.horizon_days; at += gap(rng)) {
      wins += walk(m.graph().entry(), at, o.new_deal_amount, revenue);
    }
    return {wins, revenue};
  }

  /// o.trials trials: wins and revenue per trial.
  std::pair<std::vector<double>, std::vector<double>> trials(const std::vector<open_deal>& deals) {
    std::vector<double> wins, revenue;
    for (std::int64_t t = 0; t < o.trials; ++t) {
      auto [w, r] = trial(deals);
      wins.push_back(w);
      revenue.push_back(r);
    }
    return {wins, revenue};
  }
};

}  // namespace

TEST_CASE("forecast matches a brute-force per-deal walk: loops, instant stages, amounts, leads") {
  const auto m = branching();
  const auto deals = branching_deals();
  forecast_options o;
  o.horizon_days = 20;
  o.period_days = 7;
  o.leads_per_week = 3;
  o.new_deal_amount = 50;
  o.trials = 20000;
  o.seed = 3;
  auto f = forecast(m, deals, o);
  REQUIRE(f.ok());
  brute_force walker{m, o, std::mt19937_64(99)};
  const auto [wins, revenue] = walker.trials(deals);
  // Two independent samples of 20,000: the difference of means has SE sqrt(2 var / 20000).
  const double se_w = std::sqrt(2 * var_of(wins) / o.trials);
  const double se_r = std::sqrt(2 * var_of(revenue) / o.trials);
  CHECK(std::abs(f->mean_wins - mean_of(wins)) <= 4 * se_w);
  CHECK(std::abs(f->mean_revenue - mean_of(revenue)) <= 4 * se_r);
  CHECK(var_of(f->wins) == doctest::Approx(var_of(wins)).epsilon(0.06));  // 2 x 1.4% SE, ~3 SE
  // Wins are integers with an SD of ~4.6; a quantile of 20,000 draws moves
  // by ~0.05 wins, so the two samples' P10/P50/P90 agree within one win.
  double mean = 0, p10 = 0, p50 = 0, p90 = 0;
  detail::summarize_trials(wins, mean, p10, p50, p90);
  CHECK(std::abs(f->wins_p10 - p10) <= 1);
  CHECK(std::abs(f->wins_p50 - p50) <= 1);
  CHECK(std::abs(f->wins_p90 - p90) <= 1);
}

TEST_CASE("forecast with list prices matches the brute-force walk") {
  // The branching model with 80 deals at B and 60 at C priced 500 (two
  // groups: stages differ), 40 at A priced 500 and 50 at A priced 120, plus
  // the deals of branching_deals(): every path at once.
  const auto m = branching();
  auto deals = branching_deals();
  for (int i = 0; i < 80; ++i) deals.push_back(open_deal{2, 500.0});
  for (int i = 0; i < 60; ++i) deals.push_back(open_deal{3, 500.0});
  for (int i = 0; i < 40; ++i) deals.push_back(open_deal{1, 500.0});
  for (int i = 0; i < 50; ++i) deals.push_back(open_deal{1, 120.0});
  forecast_options o;
  o.horizon_days = 20;
  o.leads_per_week = 3;
  o.new_deal_amount = 50;
  o.trials = 20000;
  o.seed = 4;
  REQUIRE(detail::forecast_plan(m, deals, o).groups.size() == 4);
  auto f = forecast(m, deals, o);
  REQUIRE(f.ok());
  brute_force walker{m, o, std::mt19937_64(7)};
  const auto [wins, revenue] = walker.trials(deals);
  const double se_w = std::sqrt(2 * var_of(wins) / o.trials);
  const double se_r = std::sqrt(2 * var_of(revenue) / o.trials);
  CHECK(std::abs(f->mean_wins - mean_of(wins)) <= 4 * se_w);
  CHECK(std::abs(f->mean_revenue - mean_of(revenue)) <= 4 * se_r);
  CHECK(var_of(f->revenue) == doctest::Approx(var_of(revenue)).epsilon(0.06));
  CHECK(var_of(f->wins) == doctest::Approx(var_of(wins)).epsilon(0.06));
}

TEST_CASE("forecast: bitwise identical for 1, 2 and 5 threads; seeds differ") {
  const auto m = branching();
  const auto deals = branching_deals();
  forecast_options o;
  o.horizon_days = 20;
  o.leads_per_week = 3;
  o.new_deal_amount = 50;
  o.trials = 2500;  // two full blocks of 1,000 and a partial one
  o.seed = 17;
  o.threads = 1;
  auto one = forecast(m, deals, o);
  REQUIRE(one.ok());
  for (int threads : {2, 5}) {
    o.threads = threads;
    auto many = forecast(m, deals, o);
    REQUIRE(many.ok());
    CHECK(many->wins == one->wins);
    CHECK(many->revenue == one->revenue);
    CHECK(many->wins_by_period == one->wins_by_period);
  }
  o.seed = 18;
  CHECK(forecast(m, deals, o)->wins != one->wins);
}

TEST_CASE("forecast: a deal already won wins at once; a lost one never; an instant loop resolves") {
  const auto m = branching();
  forecast_options o;
  o.horizon_days = 10;
  o.trials = 50;
  // Stage 5 is Won, 6 Lost: 3 sure wins, all in the first period.
  auto f = forecast(m, std::vector<open_deal>{{5}, {5, 20.0}, {5}, {6}, {6, 9.0}}, o);
  REQUIRE(f.ok());
  CHECK(f->wins_p10 == 3);
  CHECK(f->wins_p90 == 3);
  CHECK(f->mean_revenue == 20);
  CHECK(f->wins_by_period[0] == 3);
  // From C (instant): Won at once with 0.3 + 0.5 x (D -> C 0.4 ...) — the
  // instant part is x_C = 0.3 + 0.5 x_D, x_D = 0.4 x_C, so x_C = 0.3 / 0.8.
  // With a horizon of 1e-9 days nothing timed can finish: P(won by H | C) = x_C.
  o.horizon_days = 1e-9;
  o.period_days = 1e-9;
  const auto c = detail::win_curves_of(m, o);
  CHECK(c.cdf[3] == doctest::Approx(0.3 / 0.8).epsilon(1e-6));
}
