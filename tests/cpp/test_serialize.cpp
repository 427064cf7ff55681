// Statistics that travel: binary round trips of graphs, logs, statistics and
// models; overlapping merges refused with the hand-counted number of shared
// deals; every truncation and corruption of a buffer an error.
#include <doctest/doctest.h>

#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;

namespace {
funnel_options at_day(double d) {
  funnel_options o;
  o.as_of = static_cast<std::int64_t>(d * hand::day);
  return o;
}

/// The five deals' events with time in [lo, hi) days.
hand::columns slice(double lo, double hi) {
  const auto all = hand::five_deals();
  hand::columns out;
  for (std::size_t i = 0; i < all.deal.size(); ++i) {
    const double days = static_cast<double>(all.time[i]) / hand::day;
    if (days >= lo && days < hi) out.add(all.deal[i], all.stage[i], days, all.rep[i], all.amount[i]);
  }
  return out;
}

/// Every strict prefix of a buffer and every single-byte change is refused.
template <class Read>
void check_every_damage_refused(const std::string& bytes, Read read) {
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_FALSE(read(std::string_view(bytes).substr(0, n)).ok());
  }
  for (std::size_t i = 0; i < bytes.size(); i += 7) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    CHECK_FALSE(read(bad).ok());
  }
}
}  // namespace

TEST_CASE("funnel statistics round-trip exactly, keeping fingerprint, as_of and deals") {
  auto log = hand::build(hand::five_deals());
  auto s = compute_funnel_stats(log, at_day(20));
  REQUIRE(s.ok());
  const std::string bytes = serialize(*s);
  auto back = deserialize_funnel_stats(bytes);
  REQUIRE(back.ok());
  CHECK(*back == *s);
  CHECK(back->deal_keys.size() == 5);  // the five hand-made deals
  auto r1 = make_funnel_report(*s, *log.graph());
  auto r2 = make_funnel_report(*back, *log.graph());
  REQUIRE(r2.ok());
  CHECK(r2->won == 1);  // A
  CHECK(r2->open == r1->open);
  check_every_damage_refused(bytes, [](std::string_view b) { return deserialize_funnel_stats(b); });
}

TEST_CASE("merging statistics that share deals is refused: time slices of one log") {
  // Before day 5: A, B, C, D, E all have events; from day 5: A (6, 10),
  // C (5) and E (8). So 3 deals are in both slices.
  auto early = hand::build(slice(0, 5)), late = hand::build(slice(5, 100));
  auto a = compute_funnel_stats(early, at_day(20));
  auto b = compute_funnel_stats(late, at_day(20));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const auto st = a->merge(*b);
  CHECK(st.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(st.message()).find("3 deals are counted in both") != std::string::npos);
  CHECK(a->deals == 5);  // a refused merge changes nothing

  // Split by deal instead: disjoint, exact, and still exact after a round trip.
  auto log = hand::build(hand::five_deals());
  std::vector<std::int64_t> first = {0, 1}, second = {2, 3, 4};
  auto x = compute_funnel_stats(*log.select_deals(first), at_day(20));
  auto y = deserialize_funnel_stats(serialize(*compute_funnel_stats(*log.select_deals(second), at_day(20))));
  REQUIRE(y.ok());
  REQUIRE(x->merge(*y).ok());
  CHECK(*x == *compute_funnel_stats(log, at_day(20)));
  CHECK(x->merge(*y).code() == absl::StatusCode::kFailedPrecondition);  // the same part twice
}

TEST_CASE("grouped statistics refuse a deal counted under two labels") {
  // Deal A is ann's in one part and bob's in the other: per label nothing
  // overlaps, but the whole would count A twice.
  hand::columns p1, p2;
  p1.add("A", "Lead", 0, "ann", 1);
  p1.add("B", "Lead", 0, "bob", 1);
  p2.add("A", "Lead", 1, "bob", 1);
  auto g1 = compute_funnel_stats_by(hand::build(p1), "rep", at_day(5));
  auto g2 = compute_funnel_stats_by(hand::build(p2), "rep", at_day(5));
  REQUIRE(g1.ok());
  REQUIRE(g2.ok());
  auto back = deserialize_grouped_funnel_stats(serialize(*g2));
  REQUIRE(back.ok());
  CHECK(back->labels == std::vector<std::string>{"bob"});
  CHECK(g1->merge(*back).code() == absl::StatusCode::kFailedPrecondition);
  hand::columns p3;
  p3.add("C", "Lead", 1, "cat", 1);
  REQUIRE(g1->merge(*compute_funnel_stats_by(hand::build(p3), "rep", at_day(5))).ok());
  CHECK(g1->labels == std::vector<std::string>{"ann", "bob", "cat"});
  CHECK(g1->stats[2].deals == 1);
}

TEST_CASE("event logs and stage graphs round-trip: the same funnel, keys, reps, amounts and issues") {
  auto cols = hand::five_deals();
  cols.add("A", "Contact", 12, "ann", 100);  // after A's win: one event after the outcome
  auto log = hand::build(cols);
  REQUIRE(log.issues().events_after_outcome == 1);
  const std::string bytes = serialize(log);
  auto back = deserialize_event_log(bytes);
  REQUIRE(back.ok());
  CHECK(back->num_events() == log.num_events());
  CHECK(back->deal_str_keys() == log.deal_str_keys());
  CHECK(back->rep_names() == log.rep_names());
  CHECK(back->deal_amount()[2] == 70);  // C's amount
  CHECK(back->issues().events_after_outcome == 1);
  CHECK(*back->graph() == *log.graph());
  CHECK(*compute_funnel_stats(*back, at_day(20)) == *compute_funnel_stats(log, at_day(20)));
  check_every_damage_refused(bytes, [](std::string_view b) { return deserialize_event_log(b); });

  auto g = deserialize_stage_graph(serialize(templates::sales_cycle()));
  REQUIRE(g.ok());
  CHECK(g->fingerprint() == templates::sales_cycle().fingerprint());
  CHECK(g->name() == "sales_cycle");
  CHECK(deserialize_funnel_stats(serialize(templates::sales_cycle())).status().code() ==
        absl::StatusCode::kInvalidArgument);  // a graph is not statistics
}

TEST_CASE("a Markov model round-trips: same probabilities, counts and win probabilities") {
  auto log = hand::build(hand::five_deals());
  auto m = markov_model::fit(log, 0.5, at_day(20));
  REQUIRE(m.ok());
  const std::string bytes = serialize(*m);
  auto back = deserialize_markov_model(bytes);
  REQUIRE(back.ok());
  CHECK(back->transition_matrix() == m->transition_matrix());
  CHECK(back->dwell_days() == m->dwell_days());
  REQUIRE(back->edges().size() == m->edges().size());
  CHECK(back->edges()[0].count == m->edges()[0].count);
  CHECK(back->analyze()->win_probability == m->analyze()->win_probability);
  check_every_damage_refused(bytes, [](std::string_view b) { return deserialize_markov_model(b); });
}

TEST_CASE("a consistent checksum does not make inconsistent statistics readable") {
  auto s = *compute_funnel_stats(hand::build(hand::five_deals()), at_day(20));
  s.deals = 6;  // five deal keys
  CHECK(deserialize_funnel_stats(serialize(s)).status().code() == absl::StatusCode::kDataLoss);
  s.deals = 5;
  s.reached.pop_back();  // wrong shape for the graph
  CHECK(deserialize_funnel_stats(serialize(s)).status().code() == absl::StatusCode::kDataLoss);
  auto more = *compute_funnel_stats(hand::build(hand::five_deals()), at_day(20));
  more.reached[0] = 6;  // more deals reached Lead than the five counted
  CHECK(deserialize_funnel_stats(serialize(more)).status().code() == absl::StatusCode::kDataLoss);
  more.reached[0] = 5;
  more.transitions[1] = more.events + 1;  // more moves than events
  CHECK(deserialize_funnel_stats(serialize(more)).status().code() == absl::StatusCode::kDataLoss);
  std::string bytes = serialize(*compute_funnel_stats(hand::build(hand::five_deals()), at_day(20)));
  bytes[8] = 9;  // format version 9
  CHECK(deserialize_funnel_stats(bytes).status().code() == absl::StatusCode::kFailedPrecondition);
}
