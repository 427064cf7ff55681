#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <salesfunnel/model/chains.hpp>

#include "hand_log.hpp"
#include "loop_model.hpp"

using namespace salesfunnel;

TEST_CASE("one chain per rep: the hand counts, and each equals a model fitted on that rep's deals alone") {
  auto log = hand::build(hand::five_deals());
  funnel_options o;
  o.as_of = 20 * hand::day;
  auto c = fit_chains_by(log, "rep", 0.0, o);
  REQUIRE(c.ok());
  REQUIRE(c->names == std::vector<std::string>{"ann", "bob"});
  REQUIRE(c->failed.empty());
  const auto& g = *log.graph();
  const auto lead = *g.find("Lead"), contact = *g.find("Contact");
  // ann (A, C, E): Lead, Contact and First Meeting always move on (C is open
  // at First Meeting: no exit); Active Prospect: A won, E lost -> 1/2.
  CHECK(c->win_probability_of(0, lead) == doctest::Approx(0.5).epsilon(1e-12));
  // bob (B, D): half leave Lead for Contact, and Contact's one exit is
  // Disqualified -> P(won | Lead) = 0.
  CHECK(c->win_probability_of(1, lead) == 0.0);
  CHECK(c->win_probability_of(1, contact) == 0.0);

  // The single-model path on each rep's deals gives the same numbers, bit for bit.
  const std::vector<std::vector<std::int64_t>> deals_of = {{0, 2, 4}, {1, 3}};  // A C E | B D
  for (std::size_t k = 0; k < 2; ++k) {
    auto one = markov_model::fit(*log.select_deals(deals_of[k]), 0.0, o);
    REQUIRE(one.ok());
    auto a = one->analyze();
    REQUIRE(a.ok());
    const auto S = static_cast<std::size_t>(g.num_stages());
    for (std::size_t s = 0; s < S; ++s) {
      const auto at = k * S + s;
      CHECK(c->win_probability[at] == a->win_probability[s]);
      CHECK(c->expected_steps[at] == a->expected_steps[s]);
      CHECK(c->expected_days[at] == a->expected_days[s]);
      const double x = c->expected_days_to_win[at], y = a->expected_days_to_win[s];
      CHECK(((std::isnan(x) && std::isnan(y)) || x == y));
    }
  }
}

TEST_CASE("given matrices: closed forms per chain, an unsolvable chain NaN, a bad one refused by number") {
  const auto g = loop::graph();
  const auto m = loop::model();
  const auto S = static_cast<std::size_t>(g.num_stages());
  auto base = m.transition_matrix();
  std::vector<double> p, dwell;
  // Chain 0: the loop model (w_A = 10/17). Chain 1: A -> Won 0.7, A -> Lost 0
  // (w_A = 0.7 + 0.3 * 0.5 w_A -> 0.7 / 0.85). Chain 2: A <-> B only, so no
  // exit can be reached.
  auto row = [&](std::vector<double> q, const char* from, const char* to, double v) {
    q[static_cast<std::size_t>(*g.find(from)) * S + static_cast<std::size_t>(*g.find(to))] = v;
    return q;
  };
  auto c1 = row(row(base, "A", "Won", 0.7), "A", "Lost", 0.0);
  auto c2 = row(row(row(row(base, "A", "Won", 0.0), "A", "Lost", 0.0), "A", "B", 1.0), "B", "Lost", 0.0);
  c2 = row(c2, "B", "A", 1.0);
  for (const auto* q : {&base, &c1, &c2}) p.insert(p.end(), q->begin(), q->end());
  for (int k = 0; k < 3; ++k) dwell.insert(dwell.end(), m.dwell_days().begin(), m.dwell_days().end());

  auto c = solve_chains(g, p, dwell, 2);
  REQUIRE(c.ok());
  REQUIRE(c->chains() == 3);
  const auto A = *g.find("A"), B = *g.find("B");
  CHECK(c->win_probability_of(0, A) == doctest::Approx(10.0 / 17).epsilon(1e-12));
  CHECK(c->win_probability_of(0, B) == doctest::Approx(5.0 / 17).epsilon(1e-12));
  CHECK(c->win_probability_of(1, A) == doctest::Approx(0.7 / 0.85).epsilon(1e-12));
  // Days: d_A = 2 + 0.3 d_B, d_B = 4 + 0.5 d_A  =>  d_A = 3.2 / 0.85 (as the one-model test).
  CHECK(c->expected_days[static_cast<std::size_t>(A)] == doctest::Approx(3.2 / 0.85).epsilon(1e-12));
  REQUIRE(c->failed.size() == 1);
  CHECK(c->failed[0].first == 2);
  CHECK(c->failed[0].second.find("no won or lost stage can be reached from: In, A, B") != std::string::npos);
  CHECK(std::isnan(c->win_probability_of(2, A)));

  SUBCASE("no dwell days: days are 0, probabilities the same") {
    auto d = solve_chains(g, std::span<const double>(p).first(2 * S * S));
    REQUIRE(d.ok());
    CHECK(d->win_probability_of(1, A) == doctest::Approx(0.7 / 0.85).epsilon(1e-12));
    CHECK(d->expected_days[static_cast<std::size_t>(A)] == 0.0);
  }
  SUBCASE("a row that does not sum to 1 names its chain and stage") {
    auto bad = p;
    bad[S * S + static_cast<std::size_t>(A) * S + static_cast<std::size_t>(*g.find("Won"))] = 0.9;
    auto d = solve_chains(g, bad, dwell);
    CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(d.status().message() == "chain 1: the probabilities out of 'A' sum to 1.2, not 1");
  }
  SUBCASE("a move off the graph, a size that is not chains x S x S, negative dwell") {
    auto bad = p;
    bad[static_cast<std::size_t>(*g.find("In")) * S + static_cast<std::size_t>(*g.find("Won"))] = 0.5;
    bad[static_cast<std::size_t>(*g.find("In")) * S + static_cast<std::size_t>(A)] = 0.5;
    CHECK(solve_chains(g, bad, dwell).status().message() ==
          "chain 0: 'In' -> 'Won' is not an edge of the stage graph");
    CHECK(solve_chains(g, std::span<const double>(p).first(S * S + 1)).status().code() ==
          absl::StatusCode::kInvalidArgument);
    auto neg = dwell;
    neg[S + static_cast<std::size_t>(B)] = -1;
    CHECK(solve_chains(g, p, neg).status().message() ==
          "chain 1: dwell days of 'B' must be a finite number >= 0, got -1");
  }
}

TEST_CASE("many chains split over threads give the same numbers as one thread") {
  const auto g = loop::graph();
  const auto S = static_cast<std::size_t>(g.num_stages());
  const auto base = loop::model().transition_matrix();
  const auto A = static_cast<std::size_t>(*g.find("A")), won = static_cast<std::size_t>(*g.find("Won")),
             lost = static_cast<std::size_t>(*g.find("Lost"));
  std::vector<double> p;
  for (int k = 0; k < 1000; ++k) {
    auto q = base;
    const double w = 0.1 + 0.6 * k / 1000.0;  // A -> Won from 0.1 to 0.7, A -> Lost takes the rest of 0.7
    q[A * S + won] = w;
    q[A * S + lost] = 0.7 - w;
    p.insert(p.end(), q.begin(), q.end());
  }
  auto one = solve_chains(g, p, {}, 1), two = solve_chains(g, p, {}, 2);
  REQUIRE(one.ok());
  REQUIRE(two.ok());
  CHECK(one->win_probability == two->win_probability);
  // w_A = w + 0.3 * 0.5 w_A  =>  w_A = w / 0.85, for every chain.
  for (int k = 0; k < 1000; k += 111) {
    CHECK(two->win_probability_of(k, static_cast<stage_id>(A)) ==
          doctest::Approx((0.1 + 0.6 * k / 1000.0) / 0.85).epsilon(1e-12));
  }
}
