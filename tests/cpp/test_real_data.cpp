// The shapes real exports have (issue "real data, right answers"): deals that
// go on after winning, losses nobody recorded, a past as_of, the waterfall,
// plans that start on time. Every number is counted by hand in the comments.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;
using hand::day;

namespace {

funnel_options at(double d) {
  funnel_options o;
  o.as_of = static_cast<std::int64_t>(d * day);
  return o;
}

// W wins on day 3 then keeps going (Lead again on day 5, Contact on day 6);
// V wins at Client and becomes an Advocate (a won -> won edge: kept);
// L is lost, then "Contact" again on day 9; O is open at First Meeting;
// N is parked in Nurture.
hand::columns after_outcome() {
  hand::columns c;
  c.add("W", "Lead", 0, "ann", 100);
  c.add("W", "Contact", 1, "ann", 100);
  c.add("W", "First Meeting", 2, "ann", 100);
  c.add("W", "Active Prospect", 2.5, "ann", 100);
  c.add("W", "Client", 3, "ann", 100);
  c.add("W", "Lead", 5, "ann", 100);
  c.add("W", "Contact", 6, "ann", 100);
  c.add("V", "Lead", 0, "bob", 40);
  c.add("V", "Contact", 1, "bob", 40);
  c.add("V", "First Meeting", 2, "bob", 40);
  c.add("V", "Active Prospect", 3, "bob", 40);
  c.add("V", "Client", 4, "bob", 40);
  c.add("V", "Advocate", 8, "bob", 40);
  c.add("L", "Lead", 0, "ann", 10);
  c.add("L", "Disqualified", 1, "ann", 10);
  c.add("L", "Contact", 9, "ann", 10);
  c.add("O", "Lead", 1, "bob", 20);
  c.add("O", "Contact", 2, "bob", 20);
  c.add("O", "First Meeting", 4, "bob", 20);
  c.add("N", "Lead", 1, "ann", 30);
  c.add("N", "Contact", 2, "ann", 30);
  c.add("N", "Nurture", 3, "ann", 30);
  return c;
}

}  // namespace

TEST_CASE("events after the outcome: counted, left out, and every analysis agrees deal by deal") {
  const auto log = hand::build(after_outcome());
  // W's Lead and Contact after Client (2) and L's Contact after Disqualified (1).
  CHECK(log.issues().events_after_outcome == 3);
  CHECK(log.issues().first_after_outcome_row == 5);  // W's Lead on day 5 is input row 5
  CHECK(log.num_events() == 22 - 3);
  const auto& g = *log.graph();
  const auto rep = funnel(log);
  REQUIRE(rep.ok());
  // Won: W and V; lost: L; open: O (First Meeting) and N (Nurture).
  CHECK(rep->won == 2);
  CHECK(rep->lost == 1);
  CHECK(rep->open == 2);
  // Client's step: of the deals that reached Active Prospect (W, V) both
  // advanced to Client; none is counted as also sitting at Lead again.
  CHECK(rep->stages[static_cast<std::size_t>(*g.find("Lead"))].open == 0);
  CHECK(rep->stages[static_cast<std::size_t>(*g.find("Active Prospect"))].advanced == 2);
  CHECK(rep->stages[static_cast<std::size_t>(*g.find("Advocate"))].reached == 1);  // V
  CHECK_FALSE(rep->warnings.empty());
  CHECK(std::any_of(rep->warnings.begin(), rep->warnings.end(), [](const std::string& w) {
    return w.rfind("3 events come after their deal was already won or lost", 0) == 0;
  }));

  // The model fit: no move out of Client except V's Client -> Advocate, and the
  // moves out of Lead are W, V, O, N to Contact and L to Disqualified: 4 / 5.
  const auto m = markov_model::fit(log);
  REQUIRE(m.ok());
  CHECK(m->probability(*g.find("Lead"), *g.find("Contact")) == doctest::Approx(0.8));
  // The forecast starts from exactly the open deals: O at First Meeting and N in Nurture.
  const auto open = open_deals_of(*m, log);
  REQUIRE(open.size() == 2);
  CHECK(open[0].stage == *g.find("First Meeting"));
  CHECK(open[1].stage == *g.find("Nurture"));
  // The audit's pipeline: O only (N is parked; include_nurture adds it).
  audit_options ao;
  ao.rules = audit_rules{};
  ao.rules.two_meetings = false;
  ao.rules.aged_past_cycle = false;
  auto audit = audit_pipeline(log, nullptr, ao);
  REQUIRE(audit.ok());
  REQUIRE(audit->deals.size() == 1);
  CHECK(log.deal_key(audit->deals[0].deal) == "O");
  ao.include_nurture = true;
  CHECK(audit_pipeline(log, nullptr, ao)->deals.size() == 2);
  // Deal by deal, the facts say the same.
  const auto facts = deal_facts_of(log, g);
  std::int64_t won = 0, lost = 0, open_n = 0;
  for (const auto& f : facts) {
    won += f.state == deal_state::won;
    lost += f.state == deal_state::lost;
    open_n += is_open(f.state);
  }
  CHECK(won == rep->won);
  CHECK(lost == rep->lost);
  CHECK(open_n == static_cast<std::int64_t>(open.size()));
  // Strict mode turns it into an error naming the row.
  event_log_options strict;
  strict.graph = templates::sales_cycle();
  strict.strict = true;
  const auto cols = after_outcome();
  auto refused = event_log::build(cols.view(), strict);
  CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(refused.status().message()).find("row 5") != std::string::npos);
}

TEST_CASE("discovery never adds edges out of won or lost stages") {
  auto cols = after_outcome();
  for (auto* v : {&cols.deal, &cols.stage, &cols.rep}) v->resize(v->size() - 3);  // N: stuck in Nurture
  cols.time.resize(cols.time.size() - 3);
  cols.amount.resize(cols.amount.size() - 3);
  auto raw = event_log::build(cols.view(), event_log_options{});
  REQUIRE(raw.ok());
  auto g = discover_stage_graph(*raw, {"Client", "Advocate"}, {"Disqualified"});
  INFO(g.status().message());
  REQUIRE(g.ok());
  for (const auto& e : g->transitions()) CHECK_FALSE(is_terminal(g->kind_of(e.from)));
  // So the log built on it finds W's and L's later events (3), and V's
  // Client -> Advocate too: with no such edge it is not a same-kind move.
  auto rebuilt = raw->with_graph(*g);
  REQUIRE(rebuilt.ok());
  CHECK(rebuilt->issues().events_after_outcome == 4);
}

TEST_CASE("losses nobody recorded: stale deals leave through 'Went dark'") {
  hand::columns c;
  c.add("A", "Lead", 0, "ann", 10);
  c.add("A", "Contact", 10, "ann", 10);
  c.add("A", "First Meeting", 20, "ann", 10);
  c.add("A", "Active Prospect", 30, "ann", 10);
  c.add("A", "Client", 40, "ann", 10);
  c.add("B", "Lead", 0, "bob", 20);             // silent 100 days at as_of: dark
  c.add("C", "Lead", 0, "ann", 30);
  c.add("C", "Contact", 95, "ann", 30);          // silent 5 days: open
  c.add("D", "Lead", 0, "bob", 40);
  c.add("D", "Contact", 5, "bob", 40);           // silent 95 days at Contact: dark
  const auto log = hand::build(c);
  // Without staleness, nothing is ever lost: 1 won, 0 lost, 3 open, and a warning says so.
  auto plain = funnel(log, at(100));
  REQUIRE(plain.ok());
  CHECK(plain->lost == 0);
  CHECK(plain->open == 3);
  CHECK(plain->warnings.front().rfind("No lost deals are recorded", 0) == 0);
  // stale_after 90 days: B (Lead, 100 days) and D (Contact, 95 days) went dark.
  auto opt = at(100);
  opt.stale.days = 90;
  auto rep = funnel(log, opt);
  REQUIRE(rep.ok());
  CHECK(rep->won == 1);
  CHECK(rep->lost == 2);
  CHECK(rep->went_dark == 2);
  CHECK(rep->open == 1);
  const auto dark = *rep->graph.find(went_dark_stage);
  CHECK(rep->graph.kind_of(dark) == stage_kind::lost);
  std::int64_t dark_rows = 0;
  for (const auto& d : rep->drop_offs) dark_rows += d.exit == dark ? d.deals : 0;
  CHECK(dark_rows == 2);
  // Lead's step: A, C, D advanced to Contact, B went dark: 3 of 4.
  const auto lead = static_cast<std::size_t>(*rep->graph.find("Lead"));
  CHECK(rep->stages[lead].step_conversion.estimate == doctest::Approx(0.75));
  // The model sees the same exit: P(Lead -> Went dark) = 1 / 4.
  auto m = markov_model::fit(log, 0.0, opt);
  REQUIRE(m.ok());
  CHECK(m->probability(*m->graph().find("Lead"), *m->graph().find(went_dark_stage)) == doctest::Approx(0.25));
  // The forecast starts from C only; the pipeline values C only.
  const auto open = open_deals_of(*m, log, opt.as_of);
  REQUIRE(open.size() == 1);
  CHECK(open[0].amount == 30);
  CHECK(pipeline_value(*m, log, opt.as_of)->first.size() == 1);
  // Per stage: Contact may wait 200 days, so only B (Lead) is dark.
  opt.stale.days_by_stage.assign(static_cast<std::size_t>(log.graph()->num_stages()),
                                 std::numeric_limits<double>::quiet_NaN());
  opt.stale.days_by_stage[static_cast<std::size_t>(*log.graph()->find("Contact"))] = 200;
  CHECK(funnel(log, opt)->went_dark == 1);
  opt.stale.days = -1;
  CHECK(funnel(log, opt).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a past as_of is the log as it stood then, in every analysis") {
  const auto log = hand::build(hand::five_deals());
  // Day 4: A at Active Prospect, B just disqualified, C at Contact, D disqualified (day 3),
  // E at Active Prospect: 0 won, 2 lost, 3 open.
  auto r = funnel(log, at(4));
  REQUIRE(r.ok());
  CHECK(r->won == 0);
  CHECK(r->lost == 2);
  CHECK(r->open == 3);
  CHECK(r->warnings.back().find("as it stood then") != std::string::npos);
  // The model fit at day 4 sees no Client entry yet: P(Active Prospect -> Client) has no data.
  auto m = markov_model::fit(log, 0.0, at(4));
  REQUIRE(m.ok());
  const auto ap = *log.graph()->find("Active Prospect");
  CHECK(std::find(m->stages_without_data().begin(), m->stages_without_data().end(), ap) !=
        m->stages_without_data().end());
  CHECK(open_deals_of(*m, log, at(4).as_of).size() == 3);
}

TEST_CASE("waterfall: hand counts, every row balances, open at end equals the funnel's open") {
  const auto log = hand::build(hand::five_deals());
  // From day 2 to day 6. At day 2: A Contact, B Contact, C Contact, D Lead, E First Meeting.
  // In (2, 6]: A -> First Meeting (3) -> Active Prospect (6); B -> Disqualified (4);
  // C -> First Meeting (5); D -> Disqualified (3); E -> Active Prospect (4).
  auto w = waterfall(log, 2 * day, 6 * day);
  REQUIRE(w.ok());
  const auto& g = *log.graph();
  auto row = [&](const char* s) { return w->rows[static_cast<std::size_t>(*g.find(s))]; };
  CHECK(row("Contact").open_start == 3);
  CHECK(row("Contact").moved_out == 2);  // A, C
  CHECK(row("Contact").lost == 1);       // B
  CHECK(row("Contact").open_end == 0);
  CHECK(row("Lead").open_start == 1);
  CHECK(row("Lead").lost == 1);          // D
  CHECK(row("First Meeting").open_start == 1);  // E
  CHECK(row("First Meeting").moved_in == 2);    // A, C
  CHECK(row("First Meeting").moved_out == 2);   // A, E
  CHECK(row("First Meeting").open_end == 1);    // C
  CHECK(row("Active Prospect").moved_in == 2);  // A, E
  CHECK(row("Active Prospect").open_end == 2);
  CHECK(row("Active Prospect").value_open_end == 130);  // A 100 + E 30
  CHECK(w->total.open_start == 5);
  CHECK(w->total.open_end == 3);
  for (const auto& r : w->rows) {
    CHECK(r.open_start + r.new_deals + r.moved_in - r.moved_out - r.won - r.lost - r.went_dark == r.open_end);
    CHECK(r.value_open_start + r.value_new + r.value_moved_in - r.value_moved_out - r.value_won -
              r.value_lost - r.value_went_dark ==
          doctest::Approx(r.value_open_end));
  }
  // Open at end equals the funnel read at the end, stage by stage.
  auto rep = funnel(log, at(6));
  for (const auto& s : rep->stages) CHECK(w->rows[static_cast<std::size_t>(s.stage)].open_end == s.open);
  // The whole history (before the first event to after the last): everything is new.
  auto all = waterfall(log, -day, 20 * day);
  CHECK(all->total.new_deals == 5);
  CHECK(all->total.won == 1);
  CHECK(all->total.lost == 3);
  CHECK(all->total.open_end == 1);
  CHECK(waterfall(log, 6 * day, 2 * day).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("plans start on time: lag is the expected time to win, for the deals that win") {
  // A -> B (0.5) or Lost (0.5); B -> Won (1). Dwell A 10 days, B 5 days.
  stage_graph g("chain");
  REQUIRE(g.add_stage("A", stage_kind::entry).ok());
  REQUIRE(g.add_stage("B", stage_kind::open).ok());
  REQUIRE(g.add_stage("Won", stage_kind::won).ok());
  REQUIRE(g.add_stage("Lost", stage_kind::lost).ok());
  REQUIRE(g.add_transition("A", "B").ok());
  REQUIRE(g.add_transition("A", "Lost").ok());
  REQUIRE(g.add_transition("B", "Won").ok());
  auto m = markov_model::from_probabilities(g, {{"A", "B", 0.5}, {"A", "Lost", 0.5}, {"B", "Won", 1.0}},
                                            {{"A", 10}, {"B", 5}});
  REQUIRE(m.ok());
  auto a = m->analyze();
  REQUIRE(a.ok());
  // Every deal that wins spends 10 days in A and 5 in B: 15 from A, 5 from B.
  CHECK(a->expected_days_to_win[0] == doctest::Approx(15));
  CHECK(a->expected_days_to_win[1] == doctest::Approx(5));
  CHECK(a->expected_days_to_win[2] == 0);
  CHECK(std::isnan(a->expected_days_to_win[3]));
  // The old lag, over all outcomes, was 10 + 0.5 * 5 = 12.5: too late by 2.5 days.
  CHECK(a->expected_days[0] == doctest::Approx(12.5));
  auto p = plan(*m, 3, plan_period::week);
  REQUIRE(p.ok());
  CHECK((*p)[0].lag_days == doctest::Approx(15));
  CHECK((*p)[1].lag_days == doctest::Approx(5));
  CHECK((*p)[0].lag_periods == doctest::Approx(15.0 / 7));

  // Sensitivity: B -> Won is already certain, so it is marked and ranked last.
  auto sens = sensitivity(*m);
  REQUIRE(sens.ok());
  CHECK(sens->back().from == 1);
  CHECK(sens->back().saturated);
  CHECK_FALSE(sens->front().saturated);
  CHECK(sensitivity(*m, stage_id{7}).status().code() == absl::StatusCode::kOutOfRange);
  CHECK(stage_removal_effect(*m, stage_id{-1}).status().code() == absl::StatusCode::kOutOfRange);
}

TEST_CASE("lag on a synthetic log with known dwell times matches the closed form") {
  // Lead -> Contact (0.6) / Lost (0.4); Contact -> Client (0.5) / Lost (0.5). Dwell 4 and 6 days.
  // Winners spend 4 + 6 = 10 days from Lead: the fitted lag is 10 within sampling error.
  stage_graph g("two");
  REQUIRE(g.add_stage("Lead", stage_kind::entry).ok());
  REQUIRE(g.add_stage("Contact", stage_kind::open).ok());
  REQUIRE(g.add_stage("Client", stage_kind::won).ok());
  REQUIRE(g.add_stage("Lost", stage_kind::lost).ok());
  for (auto [a, b] : {std::pair{"Lead", "Contact"}, {"Lead", "Lost"}, {"Contact", "Client"}, {"Contact", "Lost"}}) {
    REQUIRE(g.add_transition(a, b).ok());
  }
  auto truth = markov_model::from_probabilities(
      g, {{"Lead", "Contact", 0.6}, {"Lead", "Lost", 0.4}, {"Contact", "Client", 0.5}, {"Contact", "Lost", 0.5}},
      {{"Lead", 4}, {"Contact", 6}});
  REQUIRE(truth.ok());
  auto cols = synthetic_events(*truth, 20000, 7);
  REQUIRE(cols.ok());
  event_columns ec;
  ec.deal = key_column::integers(cols->deal);
  ec.stage = key_column::integers(cols->stage);
  ec.time = cols->time;
  event_log_options o;
  o.graph = g;
  auto log = event_log::build(ec, o);
  REQUIRE(log.ok());
  auto fitted = markov_model::fit(*log);
  REQUIRE(fitted.ok());
  auto p = plan(*fitted, 1, plan_period::week);
  REQUIRE(p.ok());
  // Mean of 20,000 x 0.3 = 6,000 winners' sums of two exponentials: sd ~ 7.2 / sqrt(6000) ~ 0.1.
  CHECK((*p)[0].lag_days == doctest::Approx(10).epsilon(0.04));
  CHECK((*p)[1].lag_days == doctest::Approx(6).epsilon(0.04));
}

TEST_CASE("plan takes bounded time for huge goals and tiny win probabilities") {
  const auto g = templates::sales_cycle();
  auto m = markov_model::from_probabilities(
      g, {{"Lead", "Contact", 1e-12}, {"Lead", "Disqualified", 1 - 1e-12},
          {"Contact", "First Meeting", 1}, {"First Meeting", "Active Prospect", 1},
          {"Active Prospect", "Client", 1}, {"Nurture", "Contact", 1}});
  REQUIRE(m.ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto tiny = plan(*m, 1, plan_period::week, 0.8);
  auto huge = plan(*m, 1e12, plan_period::week, 0.8);
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(tiny.ok());
  REQUIRE(huge.ok());
  // P(at least one win in n) = 1 - (1 - 1e-12)^n >= 0.8  <=>  n >= ln(5) / 1e-12 ~ 1.609e12.
  CHECK((*tiny)[0].entries_needed_at_probability == doctest::Approx(std::log(5.0) / 1e-12).epsilon(1e-3));
  // From Contact every deal wins: exactly the goal.
  CHECK((*huge)[1].entries_needed_at_probability == 1e12);
  CHECK(secs < 30);  // a guard against the old one-at-a-time search, not a benchmark
  CHECK(plan(*m, 1e300, plan_period::week).status().code() == absl::StatusCode::kInvalidArgument);
}
