#include <doctest/doctest.h>

#include <salesfunnel/stage_graph.hpp>

using namespace salesfunnel;

TEST_CASE("sales_cycle template: 10 stages, main path of 6, valid") {
  auto g = templates::sales_cycle();
  CHECK(g.num_stages() == 10);
  CHECK(g.validate().ok());
  auto path = g.main_path();
  REQUIRE(path.size() == 6);  // Lead, Contact, First Meeting, Active Prospect, Client, Advocate
  CHECK(g.name_of(path[0]) == "Lead");
  CHECK(g.name_of(path[5]) == "Advocate");
  CHECK(g.entry() == *g.find("Lead"));
  CHECK(g.has_edge(*g.find("Active Prospect"), *g.find("First Meeting")));  // backward edge
  CHECK_FALSE(g.has_edge(*g.find("Lead"), *g.find("Client")));
}

TEST_CASE("ten_commitments template: the ten commitments are the main-path edges") {
  auto g = templates::ten_commitments();
  CHECK(g.validate().ok());
  auto path = g.main_path();
  REQUIRE(path.size() == 11);  // ten commitments join eleven stages
  const char* names[] = {"time", "explore", "change", "collaborate", "build consensus",
                         "invest", "review", "resolve concerns", "decide", "execute"};
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    auto e = g.edge_index(path[i], path[i + 1]);
    REQUIRE(e >= 0);
    CHECK(g.transitions()[e].commitment == names[i]);
  }
}

TEST_CASE("validation errors name the problem") {
  stage_graph g;
  CHECK(g.validate().code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(g.add_stage("Lead", stage_kind::open).ok());
  REQUIRE(g.add_stage("Won", stage_kind::won).ok());
  REQUIRE(g.add_transition("Lead", "Won").ok());
  auto st = g.validate();
  CHECK(st.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(st.message()).find("no entry stage") != std::string::npos);

  auto dup = g.add_stage("Lead", stage_kind::entry);
  CHECK(dup.status().code() == absl::StatusCode::kAlreadyExists);
  auto unknown = g.add_transition("Lead", "Nowhere");
  CHECK(unknown.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(unknown.message()).find("known stages: Lead, Won") != std::string::npos);

  stage_graph h;
  REQUIRE(h.add_stage("In", stage_kind::entry).ok());
  REQUIRE(h.add_stage("Stuck", stage_kind::open).ok());
  REQUIRE(h.add_stage("Won", stage_kind::won).ok());
  REQUIRE(h.add_transition("In", "Won").ok());
  REQUIRE(h.add_transition("In", "Stuck").ok());
  auto stuck = h.validate();
  CHECK(std::string(stuck.message()).find("cannot reach a won or lost stage: Stuck") !=
        std::string::npos);
}

TEST_CASE("JSON round trip and errors") {
  auto g = templates::sales_cycle();
  auto back = stage_graph::from_json(g.to_json());
  REQUIRE(back.ok());
  CHECK(*back == g);
  CHECK(back->num_transitions() == 15);

  auto bad = stage_graph::from_json("{\"stages\": [{\"name\": \"A\", \"kind\": \"wonn\"}]}");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()).find("stages[0].kind") != std::string::npos);
  auto edge = stage_graph::from_json(
      R"({"stages": [{"name": "A", "kind": "entry"}], "transitions": [{"from": "A", "to": "B"}]})");
  CHECK(edge.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(edge.status().message()).find("transitions[0]") != std::string::npos);
  CHECK(stage_graph::from_json("not json").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("DOT output lists every stage and edge") {
  auto g = templates::sales_cycle();
  auto dot = g.to_dot();
  CHECK(dot.find("\"Lead\" -> \"Contact\" [label=\"agrees to talk\"]") != std::string::npos);
  std::size_t arrows = 0;
  for (std::size_t p = dot.find("->"); p != std::string::npos; p = dot.find("->", p + 2)) ++arrows;
  CHECK(arrows == g.num_transitions());
}
