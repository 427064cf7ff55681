#include <doctest/doctest.h>

#include <cmath>
#include <optional>

#include <salesfunnel/model/markov.hpp>

#include "hand_log.hpp"
#include "loop_model.hpp"

using namespace salesfunnel;


TEST_CASE("absorption on a chain with a loop equals the closed form") {
  auto a = loop::model().analyze();
  REQUIRE(a.ok());
  // w_A = 0.5 + 0.3 w_B, w_B = 0.5 w_A  =>  w_A = 10/17, w_B = 5/17, w_In = w_A.
  CHECK(a->win_probability[1] == doctest::Approx(10.0 / 17).epsilon(1e-12));
  CHECK(a->win_probability[2] == doctest::Approx(5.0 / 17).epsilon(1e-12));
  CHECK(a->win_probability[0] == doctest::Approx(10.0 / 17).epsilon(1e-12));
  // t_A = 1 + 0.3 t_B, t_B = 1 + 0.5 t_A  =>  t_A = 26/17, t_B = 30/17, t_In = 43/17.
  CHECK(a->expected_steps[1] == doctest::Approx(26.0 / 17).epsilon(1e-12));
  CHECK(a->expected_steps[2] == doctest::Approx(30.0 / 17).epsilon(1e-12));
  CHECK(a->expected_steps[0] == doctest::Approx(43.0 / 17).epsilon(1e-12));
  // Days: d_A = 2 + 0.3 d_B, d_B = 4 + 0.5 d_A  =>  d_A = 3.2 / 0.85, d_In = 1 + d_A.
  CHECK(a->expected_days[1] == doctest::Approx(3.2 / 0.85).epsilon(1e-12));
  CHECK(a->expected_days[0] == doctest::Approx(1 + 3.2 / 0.85).epsilon(1e-12));
  // Each transient row of the absorption matrix sums to 1.
  const auto A = a->absorbing.size();
  for (std::size_t s = 0; s < 3; ++s) {
    double sum = 0;
    for (std::size_t k = 0; k < A; ++k) sum += a->probability[s * A + k];
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("sensitivity equals finite differences and the closed form") {
  auto m = loop::model();
  auto sens = sensitivity(m);
  REQUIRE(sens.ok());
  auto find = [&](stage_id f, stage_id t) {
    for (const auto& s : *sens) {
      if (s.from == f && s.to == t) return s;
    }
    FAIL("edge missing");
    return sens->front();
  };
  // dW/dp(A->Won) = N[In,A] (1 - 0.3 w_B / 0.5) = 20/17 * 14/17 = 280/289.
  CHECK(find(1, 3).wins_per_100_per_point == doctest::Approx(280.0 / 289).epsilon(1e-12));
  // Finite difference: raise A->Won by h, scaling A->Lost and A->B by (0.5 - h) / 0.5.
  const double h = 1e-6;
  const double k = (0.5 - h) / 0.5;
  auto up = loop::model(0.5 + h, 0.2 * k, 0.3 * k).analyze();
  auto base = m.analyze();
  CHECK((up->win_probability[0] - base->win_probability[0]) / h ==
        doctest::Approx(280.0 / 289).epsilon(1e-5));
  // Ranked, largest first, edges already at probability 0 or 1 after all others.
  for (std::size_t i = 1; i < sens->size(); ++i) {
    const auto& a = (*sens)[i - 1];
    const auto& b = (*sens)[i];
    CHECK((a.saturated <= b.saturated));
    if (a.saturated == b.saturated) CHECK(a.wins_per_100_per_point >= b.wins_per_100_per_point);
  }
  // Removing A->B sends its 0.3 to Won and Lost in proportion 5:2: w_A = 5/7.
  CHECK(find(1, 2).removal_effect == doctest::Approx(5.0 / 7 - 10.0 / 17).epsilon(1e-12));
  // Removing stage B: deals entering it are lost: w_A = 0.5.
  auto eff = stage_removal_effect(m, 2);
  REQUIRE(eff.ok());
  CHECK(*eff == doctest::Approx(0.5 - 10.0 / 17).epsilon(1e-12));
}

TEST_CASE("a stage that cannot reach won or lost is a clear error") {
  auto g = loop::graph();
  auto m = markov_model::from_probabilities(
      g, {{"In", "A", 1.0}, {"A", "B", 1.0}, {"B", "A", 1.0}});
  REQUIRE(m.ok());
  auto a = m->analyze();
  CHECK(a.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(a.status().message()).find("In, A, B") != std::string::npos);
  auto bad = markov_model::from_probabilities(g, {{"In", "A", 0.7}});
  CHECK(std::string(bad.status().message()).find("sum to 0.7") != std::string::npos);
}

TEST_CASE("fit from the five hand-counted deals; merged halves fit the same model") {
  auto log = hand::build(hand::five_deals());
  funnel_options o;
  o.as_of = 20 * hand::day;
  auto m = markov_model::fit(log, 0.0, o);
  REQUIRE(m.ok());
  const auto& g = m->graph();
  const auto lead = *g.find("Lead"), contact = *g.find("Contact"), disq = *g.find("Disqualified");
  // Lead exits: 4 to Contact, 1 to Disqualified.
  CHECK(m->probability(lead, contact) == doctest::Approx(0.8));
  CHECK(m->probability(lead, disq) == doctest::Approx(0.2));
  // First Meeting: A and E moved on (C is open and contributes no exit): 2/2.
  CHECK(m->probability(*g.find("First Meeting"), *g.find("Active Prospect")) == doctest::Approx(1.0));
  auto a = m->analyze();
  REQUIRE(a.ok());
  // P(won | Lead) = 0.8 * 0.75 * 1 * 0.5 = 0.3.
  CHECK(a->win_probability[lead] == doctest::Approx(0.3));

  auto whole = compute_funnel_stats(log, o);
  std::vector<std::int64_t> h1 = {0, 1}, h2 = {2, 3, 4};
  auto s1 = compute_funnel_stats(*log.select_deals(h1), o);
  auto s2 = compute_funnel_stats(*log.select_deals(h2), o);
  REQUIRE(s1->merge(*s2).ok());
  auto m1 = markov_model::fit(*whole, g), m2 = markov_model::fit(*s1, g);
  CHECK(m1->transition_matrix() == m2->transition_matrix());
  CHECK(m1->dwell_days() == m2->dwell_days());

  // The probability-weighted pipeline: only C is open, at First Meeting with
  // P(won) = 1 * 0.5 = 0.5 and amount 70 -> 35.
  auto pv = pipeline_value(*m, log);
  REQUIRE(pv.ok());
  REQUIRE(pv->first.size() == 1);
  CHECK(pv->second == doctest::Approx(35.0));
}

TEST_CASE("a deal that has sat longer is valued by the stays that lasted that long") {
  auto log = hand::build(hand::five_deals());
  funnel_options o;
  o.as_of = 20 * hand::day;
  auto stats = compute_funnel_stats(log, o);
  auto m = markov_model::fit(*stats, *log.graph());
  const auto lead = *log.graph()->find("Lead");
  // Lead stays: A 1 day, B 2, C 1, E 1 (-> Contact); D 1 (-> Disqualified).
  // Past 1.5 days only B's stay remains, and it went on to Contact, whose
  // P(won) is 0.75 * 1 * 0.5 = 0.375; from day 0 it is the plain 0.3.
  CHECK(*win_probability_after(*m, *stats, lead, 1.5) == doctest::Approx(0.375));
  CHECK(*win_probability_after(*m, *stats, lead, 0.0) == doctest::Approx(0.3));
  // Past every observed stay: no evidence, so the unconditional value.
  CHECK(*win_probability_after(*m, *stats, lead, 30.0) == doctest::Approx(0.3));
  CHECK(win_probability_after(*m, *stats, 99, 1.0).status().code() == absl::StatusCode::kOutOfRange);
}

TEST_CASE("every edge's sensitivity equals a central finite difference to 1e-6") {
  // A chain with a backward edge (B -> In), a self-contained loop A <-> B and
  // two lost stages, so no row is trivial: every edge strictly inside (0, 1)
  // is checked, not one picked by hand.
  stage_graph g("back");
  for (auto [n, k] : {std::pair{"In", stage_kind::entry}, {"A", stage_kind::open},
                      {"B", stage_kind::open}, {"Won", stage_kind::won}, {"Lost", stage_kind::lost},
                      {"Gone", stage_kind::lost}}) {
    REQUIRE(g.add_stage(n, k).ok());
  }
  for (auto [a, b] : {std::pair{"In", "A"}, {"In", "Gone"}, {"A", "Won"}, {"A", "Lost"}, {"A", "B"},
                      {"B", "A"}, {"B", "Gone"}, {"B", "In"}}) {
    REQUIRE(g.add_transition(a, b).ok());
  }
  auto m = markov_model::from_probabilities(
      g, {{"In", "A", 0.9}, {"In", "Gone", 0.1}, {"A", "Won", 0.45}, {"A", "Lost", 0.25},
          {"A", "B", 0.3}, {"B", "A", 0.4}, {"B", "Gone", 0.35}, {"B", "In", 0.25}});
  REQUIRE(m.ok());
  auto sens = sensitivity(*m, std::nullopt, 250.0);
  REQUIRE(sens.ok());
  CHECK(sens->size() == 8);
  // W(p_ij + h) with i's other exits scaled by (1 - p_ij - h) / (1 - p_ij).
  auto win_at = [&](stage_id i, stage_id j, double h) {
    const auto S = static_cast<std::size_t>(m->num_stages());
    std::vector<double> row(S);
    const double pij = m->probability(i, j);
    for (std::size_t k = 0; k < S; ++k) {
      row[k] = m->probability(i, static_cast<stage_id>(k)) * (1 - pij - h) / (1 - pij);
    }
    row[static_cast<std::size_t>(j)] = pij + h;
    return m->with_row(i, row).analyze()->win_probability[0];
  };
  const double h = 1e-5;  // central difference: truncation ~h^2, rounding ~1e-16 / h
  int checked = 0;
  for (const auto& s : *sens) {
    const double fd = (win_at(s.from, s.to, h) - win_at(s.from, s.to, -h)) / (2 * h);
    CHECK(std::abs(s.wins_per_100_per_point - fd) <= 1e-6);
    CHECK(s.revenue_per_100_per_point == doctest::Approx(250.0 * s.wins_per_100_per_point));
    ++checked;
  }
  CHECK(checked == 8);
  // Without removal effects: the same derivatives in the same order, removal NaN.
  auto quick = sensitivity(*m, std::nullopt, 250.0, /*removal_effects=*/false);
  REQUIRE(quick.ok());
  REQUIRE(quick->size() == sens->size());
  for (std::size_t i = 0; i < sens->size(); ++i) {
    CHECK((*quick)[i].wins_per_100_per_point == (*sens)[i].wins_per_100_per_point);
    CHECK(std::isnan((*quick)[i].removal_effect));
  }
  // The ranking is by the derivative itself, and an exit to a lost stage
  // always hurts: its derivative is negative.
  for (const auto& s : *sens) {
    if (g.kind_of(s.to) == stage_kind::lost) CHECK(s.wins_per_100_per_point < 0);
  }
}
