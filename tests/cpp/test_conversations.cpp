#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;

namespace {

struct calls {
  std::vector<std::string> prospect_s, rep_s, outcome_s;
  std::vector<std::string_view> prospect, rep, outcome;
  std::vector<std::int64_t> time;
  std::vector<std::uint8_t> dm;
  void add(std::string p, std::string r, double days, bool with_dm, std::string o) {
    prospect_s.push_back(std::move(p));
    rep_s.push_back(std::move(r));
    outcome_s.push_back(std::move(o));
    time.push_back(static_cast<std::int64_t>(days * hand::day));
    dm.push_back(with_dm ? 1 : 0);
  }
  conversation_log build() {
    prospect.assign(prospect_s.begin(), prospect_s.end());
    rep.assign(rep_s.begin(), rep_s.end());
    outcome.assign(outcome_s.begin(), outcome_s.end());
    conversation_columns c;
    c.prospect = key_column::strings(prospect);
    c.rep = key_column::strings(rep);
    c.time = time;
    c.with_decision_maker = dm;
    c.outcome = key_column::strings(outcome);
    auto log = conversation_log::build(c);
    REQUIRE(log.ok());
    return *log;
  }
};

}  // namespace

TEST_CASE("seed: a prospect with three great conversations counts once; a maybe counts zero") {
  calls c;
  // Seed example (DESIGN.md glossary, "a prospect counts at most one"): p1 has
  // three great conversations (yes, not_now, no with the decision maker).
  c.add("p1", "ann", 0, true, "not_now");
  c.add("p1", "ann", 1, true, "yes");
  c.add("p1", "ann", 2, true, "no");
  // Seed example ("a maybe is not one"): p2's only conversation is a maybe.
  c.add("p2", "ann", 0, true, "maybe");
  // Neither counts: a yes from someone who cannot decide, an unanswered call.
  c.add("p3", "bob", 1, false, "yes");
  c.add("p4", "bob", 1, true, "no_answer");
  auto log = c.build();
  auto gc = count_great_conversations(log);
  CHECK(gc.count() == 1);  // p1 once; p2's maybe counts zero
  REQUIRE(gc.counted.size() == 1);
  CHECK(log.prospect_key(gc.counted[0].prospect) == "p1");
  // Counted at the first great conversation: day 0, not_now.
  CHECK(gc.counted[0].time == 0);
  CHECK(gc.counted[0].outcome == conversation_outcome::not_now);
  CHECK(gc.tally.conversations == 6);
  CHECK(gc.tally.counted == 1);
  CHECK(gc.tally.repeats == 2);  // p1's second and third
  CHECK(gc.tally.maybe == 1);
  CHECK(gc.tally.not_decision_maker == 1);
  CHECK(gc.tally.no_answer == 1);
}

TEST_CASE("weekly counts per rep against the target, zero weeks included") {
  calls c;
  // 1970-01-05 (day 4) is a Monday. Week 1 = days 4..10, week 2 = days 11..17.
  c.add("a1", "ann", 4, true, "yes");
  c.add("a2", "ann", 5, true, "no");
  c.add("a3", "ann", 6, true, "not_now");
  c.add("a1", "ann", 7, true, "yes");  // repeat: not counted again
  c.add("b1", "bob", 12, true, "yes");
  c.add("b2", "bob", 13, true, "maybe");  // never counts
  auto log = c.build();
  auto gc = count_great_conversations(log);
  CHECK(gc.count() == 4);
  auto rows = weekly_great_conversations(log, gc, 2.0);
  // 2 reps x 2 weeks, sorted by rep then week.
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].rep == "ann");
  CHECK(rows[0].week == "1970-01-05");
  CHECK(rows[0].count == 3);  // a1, a2, a3
  CHECK(rows[0].met);         // 3 >= 2
  CHECK(rows[1].week == "1970-01-12");
  CHECK(rows[1].count == 0);  // ann had no great conversation in week 2: a zero, not a gap
  CHECK(!rows[1].met);
  CHECK(rows[2].rep == "bob");
  CHECK(rows[2].count == 0);
  CHECK(rows[3].count == 1);  // b1
  CHECK(!rows[3].met);        // 1 < 2
  CHECK(rows[3].week_start == 11 * hand::day);
}

TEST_CASE("follow-up list: not now in six months, no in six to twelve months") {
  calls c;
  c.add("p1", "ann", 0, true, "not_now");   // due day 182
  c.add("p2", "ann", 10, true, "no");       // due day 192, window to day 375
  c.add("p3", "bob", 5, true, "not_now");   // later turned into a yes: no follow-up
  c.add("p3", "bob", 20, true, "yes");
  c.add("p4", "bob", 1, true, "maybe");     // not great: no follow-up
  c.add("p5", "bob", 2, false, "not_now");  // not a decision maker: no follow-up
  auto log = c.build();
  auto f = follow_ups(log);
  REQUIRE(f.ok());
  REQUIRE(f->size() == 2);
  CHECK(log.prospect_key((*f)[0].prospect) == "p1");
  CHECK((*f)[0].due == 182 * hand::day);
  CHECK((*f)[0].latest == 182 * hand::day);
  CHECK(log.prospect_key((*f)[1].prospect) == "p2");
  CHECK((*f)[1].due == (10 + 182) * hand::day);
  CHECK((*f)[1].latest == (10 + 365) * hand::day);
  CHECK((*f)[1].outcome == conversation_outcome::no);

  follow_up_options opt;
  opt.not_now_days = 90;
  auto g = follow_ups(log, opt);
  REQUIRE(g.ok());
  CHECK((*g)[0].due == 90 * hand::day);
  opt.no_max_days = 30;  // below no_min_days
  CHECK(follow_ups(log, opt).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("great conversation -> first meeting rate from a meeting log and from a stage log") {
  calls c;
  c.add("A", "ann", 0, true, "yes");      // meeting day 3: converted
  c.add("C", "ann", 0, true, "yes");      // meeting day 40: converted, but not within 30 days
  c.add("E", "bob", 0, true, "not_now");  // meeting before the conversation only: not converted
  c.add("X", "bob", 50, true, "yes");     // no meetings; young at as_of = day 60
  auto log = c.build();
  auto gc = count_great_conversations(log);
  REQUIRE(gc.count() == 4);

  std::vector<std::string_view> deal = {"A", "C", "E", "A"};
  std::vector<std::int64_t> t = {3 * hand::day, 40 * hand::day, -1 * hand::day, 9 * hand::day};
  std::vector<std::uint8_t> held = {1, 1, 1, 0};
  meeting_columns mc;
  mc.deal = key_column::strings(deal);
  mc.time = t;
  mc.held = held;
  auto m = meeting_log::build(mc);
  REQUIRE(m.ok());

  // No window: A and C of 4 -> 2/4.
  auto r = great_conversation_meeting_rate(log, gc, *m);
  REQUIRE(r.ok());
  CHECK(r->great_conversations == 4);
  CHECK(r->first_meetings == 2);
  CHECK(r->rate.estimate == doctest::Approx(0.5));
  // A 30-day window read at day 60: X (day 50) is too young and left out;
  // C's day-40 meeting is outside its window -> 1 of 3.
  meeting_rate_options w;
  w.window_days = 30;
  w.as_of = 60 * hand::day;
  auto rw = great_conversation_meeting_rate(log, gc, *m, w);
  REQUIRE(rw.ok());
  CHECK(rw->too_young == 1);
  CHECK(rw->great_conversations == 3);
  CHECK(rw->first_meetings == 1);

  // From the five hand deals' stage log: A (First Meeting day 3), C (day 5),
  // E (day 2) reached First Meeting, all at or after day 0; X is not a deal -> 3/4.
  auto stages = hand::build(hand::five_deals());
  auto rs = great_conversation_meeting_rate(log, gc, stages, "First Meeting");
  REQUIRE(rs.ok());
  CHECK(rs->first_meetings == 3);
  CHECK(rs->rate.estimate == doctest::Approx(0.75));
  CHECK(great_conversation_meeting_rate(log, gc, stages, "Second Meeting").status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("seed: 3 first meetings a week at a ~55% rate needs 5-6 great conversations") {
  // Seed example (issue 4, part 2): 3 / 0.55 = 5.45 -> "about 5-6".
  auto p = plan_great_conversations(3, 0.55);
  REQUIRE(p.ok());
  CHECK(p->needed == doctest::Approx(3.0 / 0.55));
  CHECK(p->needed_floor == 5);
  CHECK(p->needed_ceil == 6);
  // An exact ratio is one number: 3 at 50% needs 6.
  auto q = plan_great_conversations(3, 0.5);
  REQUIRE(q.ok());
  CHECK(q->needed_floor == 6);
  CHECK(q->needed_ceil == 6);
  CHECK(plan_great_conversations(3, 0).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(plan_great_conversations(-1, 0.5).status().code() == absl::StatusCode::kInvalidArgument);

  // The same from observed data: 11 of 20 great conversations led to a first
  // meeting (55%), so 3 a week needs 5-6; the Wilson interval of 11/20
  // (0.342, 0.742) gives the range 4.0 .. 8.8.
  meeting_rate observed;
  observed.great_conversations = 20;
  observed.first_meetings = 11;
  observed.rate = wilson(11, 20);
  auto o = plan_great_conversations(3, observed);
  REQUIRE(o.ok());
  CHECK(o->needed_floor == 5);
  CHECK(o->needed_ceil == 6);
  CHECK(o->needed_low == doctest::Approx(3.0 / observed.rate.high));
  CHECK(o->needed_high == doctest::Approx(3.0 / observed.rate.low));
  CHECK(o->needed_low == doctest::Approx(4.04).epsilon(0.01));
  CHECK(o->needed_high == doctest::Approx(8.76).epsilon(0.01));
}
