// A hand-made chain with a loop and two exits, shared by the model tests:
// In -> A; A -> Won 0.5, A -> Lost 0.2, A -> B 0.3; B -> A 0.5, B -> Lost 0.5;
// mean days in stage In 1, A 2, B 4. Closed forms: w_A = 10/17, w_B = 5/17.
#pragma once
#include <doctest/doctest.h>

#include <utility>

#include <salesfunnel/model/markov.hpp>

namespace loop {

inline salesfunnel::stage_graph graph() {
  using salesfunnel::stage_kind;
  salesfunnel::stage_graph g("loop");
  for (auto [n, k] : {std::pair{"In", stage_kind::entry}, {"A", stage_kind::open},
                      {"B", stage_kind::open}, {"Won", stage_kind::won}, {"Lost", stage_kind::lost}}) {
    REQUIRE(g.add_stage(n, k).ok());
  }
  for (auto [a, b] : {std::pair{"In", "A"}, {"A", "Won"}, {"A", "Lost"}, {"A", "B"}, {"B", "A"},
                      {"B", "Lost"}}) {
    REQUIRE(g.add_transition(a, b).ok());
  }
  return g;
}

inline salesfunnel::markov_model model(double a_won = 0.5, double a_lost = 0.2, double a_b = 0.3) {
  auto m = salesfunnel::markov_model::from_probabilities(
      graph(),
      {{"In", "A", 1.0}, {"A", "Won", a_won}, {"A", "Lost", a_lost}, {"A", "B", a_b},
       {"B", "A", 0.5}, {"B", "Lost", 0.5}},
      {{"In", 1.0}, {"A", 2.0}, {"B", 4.0}});
  REQUIRE(m.ok());
  return *m;
}

}  // namespace loop
