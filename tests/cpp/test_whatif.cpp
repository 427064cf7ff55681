// Scenarios, reverse planning and the Monte Carlo forecast.
#include <doctest/doctest.h>

#include <cmath>

#include <salesfunnel/salesfunnel.hpp>

#include "loop_model.hpp"

using namespace salesfunnel;


TEST_CASE("scenarios change the model immutably and compare in one table") {
  scenario base(loop::model(), 100);
  auto lifted = base.lift("A", "Won", 10);
  REQUIRE(lifted.ok());
  // A -> Won 0.6; Lost and B keep their 2:3 split of the remaining 0.4.
  CHECK(lifted->model().probability(1, 3) == doctest::Approx(0.6));
  CHECK(lifted->model().probability(1, 4) == doctest::Approx(0.16));
  CHECK(lifted->model().probability(1, 2) == doctest::Approx(0.24));
  CHECK(base.model().probability(1, 3) == doctest::Approx(0.5));  // the baseline is untouched
  auto more = lifted->add_leads(20).named("lift + leads");
  auto table = compare(base, {more}, 1000.0);
  REQUIRE(table.ok());
  REQUIRE(table->size() == 2);
  // w_A = 0.6 + 0.24 * 0.5 w_A  =>  0.6 / 0.88.
  CHECK((*table)[0].wins_per_week == doctest::Approx(100 * 10.0 / 17));
  CHECK((*table)[1].win_rate == doctest::Approx(0.6 / 0.88));
  CHECK((*table)[1].wins_per_week == doctest::Approx(120 * 0.6 / 0.88));
  CHECK((*table)[1].delta_wins_per_week == doctest::Approx(120 * 0.6 / 0.88 - 100 * 10.0 / 17));
  CHECK((*table)[1].revenue_per_week == doctest::Approx(1000 * 120 * 0.6 / 0.88));
  auto removed = base.remove_stage("B");
  REQUIRE(removed.ok());
  CHECK(compare(*removed, {})->front().win_rate == doctest::Approx(0.5));
  CHECK(base.lift("A", "Won", 60).status().code() == absl::StatusCode::kOutOfRange);
  CHECK(base.lift("In", "Won", 1).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("reverse planning: 3 wins a week at P(won) = 0.25 needs 12 entries a week") {
  stage_graph g;
  REQUIRE(g.add_stage("Lead", stage_kind::entry).ok());
  REQUIRE(g.add_stage("Won", stage_kind::won).ok());
  REQUIRE(g.add_stage("Lost", stage_kind::lost).ok());
  REQUIRE(g.add_transition("Lead", "Won").ok());
  REQUIRE(g.add_transition("Lead", "Lost").ok());
  auto m = markov_model::from_probabilities(g, {{"Lead", "Won", 0.25}, {"Lead", "Lost", 0.75}},
                                            {{"Lead", 14.0}});
  REQUIRE(m.ok());
  auto rows = plan(*m, 3, plan_period::week, 0.8);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].entries_needed == doctest::Approx(12.0));
  CHECK((*rows)[0].lag_periods == doctest::Approx(2.0));  // 14 days = 2 weeks earlier
  // Independently: the smallest n with P(Bin(n, 0.25) >= 3) >= 0.8.
  auto at_least_3 = [](int n) {
    const double p = 0.25;
    double p0 = std::pow(1 - p, n), p1 = n * p * std::pow(1 - p, n - 1),
           p2 = n * (n - 1) / 2.0 * p * p * std::pow(1 - p, n - 2);
    return 1 - p0 - p1 - p2;
  };
  int n = 3;
  while (at_least_3(n) < 0.8) ++n;
  CHECK((*rows)[0].entries_needed_at_probability == doctest::Approx(n));
  CHECK(n > 12);  // more than the mean plan
}

TEST_CASE("forecast: mean within its 99% interval of the exact value; seeded; threads") {
  auto m = loop::model();
  std::vector<open_deal> deals(200, open_deal{0, 10.0});
  forecast_options o;
  o.horizon_days = 1e9;  // long enough that every deal closes
  o.period_days = 1e9;
  o.trials = 4000;
  o.seed = 7;
  o.threads = 2;
  auto f = forecast(m, deals, o);
  REQUIRE(f.ok());
  const double exact = 200 * 10.0 / 17;
  double var = 0;
  for (double w : f->wins) var += (w - f->mean_wins) * (w - f->mean_wins);
  const double se = std::sqrt(var / (o.trials - 1) / o.trials);
  CHECK(std::abs(f->mean_wins - exact) <= 2.576 * se);
  CHECK(f->mean_revenue == doctest::Approx(10 * f->mean_wins));
  CHECK(f->wins_p10 <= f->wins_p50);
  CHECK(f->wins_p50 <= f->wins_p90);
  o.threads = 1;
  auto g = forecast(m, deals, o);
  CHECK(g->wins == f->wins);  // bitwise identical for any thread count
  o.seed = 8;
  CHECK(forecast(m, deals, o)->wins != f->wins);
  o.progress = [](std::int64_t done, std::int64_t) { return done < 2000; };
  CHECK(forecast(m, deals, o).status().code() == absl::StatusCode::kCancelled);
}

TEST_CASE("forecast: quota odds and new leads") {
  auto m = loop::model();
  forecast_options o;
  o.horizon_days = 1e9;
  o.period_days = 1e9;
  o.trials = 2000;
  o.quota = 1;
  std::vector<open_deal> none;
  // No open deals and no leads: no wins, so P(hit a quota of 1) = 0.
  auto f = forecast(m, none, o);
  CHECK(f->mean_wins == 0);
  CHECK(f->p_hit_quota == 0);
  // 10 leads a week for 10 weeks (horizon 70 days, zero dwell): about 100 x 10/17 wins.
  auto fast = markov_model::from_probabilities(
      loop::graph(), {{"In", "A", 1.0}, {"A", "Won", 0.5}, {"A", "Lost", 0.2}, {"A", "B", 0.3},
                     {"B", "A", 0.5}, {"B", "Lost", 0.5}});
  o.horizon_days = 70;
  o.period_days = 7;
  o.leads_per_week = 10;
  auto g = forecast(*fast, none, o);
  // Leads ~ Poisson(100), each wins with 10/17: mean 100 * 10/17, variance 100 * 10/17.
  const double exact = 100 * 10.0 / 17;
  CHECK(std::abs(g->mean_wins - exact) <= 2.576 * std::sqrt(exact / o.trials));
}

TEST_CASE("synthetic logs: fitted edges' 95% intervals cover the truth at about 95%") {
  // 200 seeds x 5 edges with 0 < p < 1 = 1000 intervals; at the nominal rate
  // the number that miss is Binomial(1000, 0.05): mean 50, sd 6.9, so a
  // count outside 50 +- 3 sd = [29, 71] would mean the coverage is off.
  auto truth = loop::model();
  int misses = 0, total = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    auto cols = synthetic_events(truth, 300, seed);
    REQUIRE(cols.ok());
    event_columns ec;
    ec.deal = key_column::integers(cols->deal);
    ec.stage = key_column::integers(cols->stage);
    ec.time = cols->time;
    event_log_options eo;
    eo.graph = truth.graph();
    eo.threads = 1;
    auto log = event_log::build(ec, eo);
    REQUIRE(log.ok());
    auto fit = markov_model::fit(*log);
    REQUIRE(fit.ok());
    for (const auto& e : fit->edges()) {
      const double p = truth.probability(e.from, e.to);
      if (p <= 0 || p >= 1) continue;
      ++total;
      if (p < e.ci.low || p > e.ci.high) ++misses;
    }
  }
  CHECK(total == 1000);  // 5 edges strictly inside (0, 1) per seed
  MESSAGE("intervals missing the truth: ", misses, " of ", total);
  CHECK(misses >= 29);
  CHECK(misses <= 71);
}
