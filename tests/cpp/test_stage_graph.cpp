#include <doctest/doctest.h>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>
#include <salesfunnel/core/stage_graph.hpp>
#include <salesfunnel/core/templates.hpp>
#include <salesfunnel/io/boost_graph.hpp>
#include <salesfunnel/io/graph_json.hpp>

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
  auto back = stage_graph_from_json(to_json(g));
  REQUIRE(back.ok());
  CHECK(*back == g);
  CHECK(back->num_transitions() == 15);

  auto bad = stage_graph_from_json("{\"stages\": [{\"name\": \"A\", \"kind\": \"wonn\"}]}");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()).find("stages[0].kind") != std::string::npos);
  auto edge = stage_graph_from_json(
      R"({"stages": [{"name": "A", "kind": "entry"}], "transitions": [{"from": "A", "to": "B"}]})");
  CHECK(edge.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(edge.status().message()).find("transitions[0]") != std::string::npos);
  CHECK(stage_graph_from_json("not json").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("DOT output lists every stage and edge") {
  auto g = templates::sales_cycle();
  auto dot = to_dot(g);
  CHECK(dot.find("\"Lead\" -> \"Contact\" [label=\"agrees to talk\"]") != std::string::npos);
  std::size_t arrows = 0;
  for (std::size_t p = dot.find("->"); p != std::string::npos; p = dot.find("->", p + 2)) ++arrows;
  CHECK(arrows == g.num_transitions());
}

TEST_CASE("JSON errors give the byte offset of a syntax error and reject wrong field types") {
  // "{oops" fails at byte 2: the parser reads '{' then sees 'o' where a key must start.
  auto syntax = stage_graph_from_json("{oops");
  CHECK(syntax.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(syntax.status().message()).find("at byte 2") != std::string::npos);
  auto typed = stage_graph_from_json(
      R"({"stages": [{"name": "A", "kind": "entry"}, {"name": "W", "kind": "won"}],
          "transitions": [{"from": "A", "to": "W", "commitment": 42}]})");
  CHECK(typed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(typed.status().message()).find("transitions[0].commitment must be a string") !=
        std::string::npos);
}

TEST_CASE("fingerprint: equal graphs agree, any change of stage, kind or edge differs") {
  const auto g = templates::sales_cycle();
  CHECK(g.fingerprint() == templates::sales_cycle().fingerprint());
  CHECK(g.fingerprint() != templates::ten_commitments().fingerprint());
  stage_graph a("x"), b("x");
  for (auto* h : {&a, &b}) {
    REQUIRE(h->add_stage("L", stage_kind::entry).ok());
    REQUIRE(h->add_stage("W", stage_kind::won).ok());
  }
  CHECK(a.fingerprint() == b.fingerprint());
  REQUIRE(b.add_transition("L", "W").ok());
  CHECK(a.fingerprint() != b.fingerprint());
}

TEST_CASE("the Boost.Graph view has the same stages and edges; BFS from Lead reaches all 10") {
  const auto g = templates::sales_cycle();
  const auto bg = to_boost_graph(g);
  CHECK(boost::num_vertices(bg) == 10);
  CHECK(boost::num_edges(bg) == g.num_transitions());
  CHECK(bg[4].name == "Client");
  std::vector<int> seen(10, 0);
  struct mark : boost::default_bfs_visitor {
    std::vector<int>* seen;
    void discover_vertex(std::size_t v, const boost_stage_graph&) const { (*seen)[v] = 1; }
  } vis;
  vis.seen = &seen;
  boost::breadth_first_search(bg, boost::vertex(0, bg), boost::visitor(vis));
  CHECK(std::count(seen.begin(), seen.end(), 1) == 10);
}

TEST_CASE("graph construction is linear: 4,000 stages and edges build at once") {
  stage_graph g;
  REQUIRE(g.add_stage("s0", stage_kind::entry).ok());
  for (int i = 1; i < 4000; ++i) {
    REQUIRE(g.add_stage("s" + std::to_string(i), i == 3999 ? stage_kind::won : stage_kind::open).ok());
    REQUIRE(g.add_transition(i - 1, i).ok());
  }
  CHECK(g.validate().ok());
  CHECK(g.has_edge(1000, 1001));
  CHECK_FALSE(g.has_edge(1001, 1000));
}
