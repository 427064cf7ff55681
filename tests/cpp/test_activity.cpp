#include <doctest/doctest.h>

#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;

namespace {

std::string msg(const absl::Status& s) { return std::string(s.message()); }

struct calls {
  std::vector<std::string_view> prospect, rep, outcome;
  std::vector<std::int64_t> time;
  std::vector<std::uint8_t> dm;
  void add(std::string_view p, std::string_view r, double days, bool with_dm, std::string_view o) {
    prospect.push_back(p);
    rep.push_back(r);
    time.push_back(static_cast<std::int64_t>(days * hand::day));
    dm.push_back(with_dm ? 1 : 0);
    outcome.push_back(o);
  }
  conversation_columns view() const {
    conversation_columns c;
    c.prospect = key_column::strings(prospect);
    c.rep = key_column::strings(rep);
    c.time = time;
    c.with_decision_maker = dm;
    c.outcome = key_column::strings(outcome);
    return c;
  }
};

}  // namespace

TEST_CASE("conversation log: interning, parsing, time order") {
  calls c;
  c.add("p2", "ann", 3, true, "yes");
  c.add("p1", "bob", 1, false, "no_answer");
  c.add("p2", "ann", 2, true, "maybe");
  auto log = conversation_log::build(c.view());
  REQUIRE(log.ok());
  CHECK(log->size() == 3);
  CHECK(log->num_prospects() == 2);  // p2, p1 in first-appearance order
  CHECK(log->prospect_key(0) == "p2");
  CHECK(log->rep_names() == std::vector<std::string>{"ann", "bob"});
  CHECK(log->outcomes()[0] == conversation_outcome::yes);
  CHECK(log->outcomes()[2] == conversation_outcome::maybe);
  // Sorted by time: day 1 (row 1), day 2 (row 2), day 3 (row 0).
  auto order = log->time_order();
  CHECK(order[0] == 1);
  CHECK(order[1] == 2);
  CHECK(order[2] == 0);
  CHECK(log->min_time() == 1 * hand::day);
  CHECK(log->max_time() == 3 * hand::day);
}

TEST_CASE("conversation log: typed errors name the column and row") {
  SUBCASE("unknown outcome lists the allowed values") {
    calls c;
    c.add("p1", "ann", 0, true, "yes");
    c.add("p1", "ann", 1, true, "not now");
    auto log = conversation_log::build(c.view());
    REQUIRE(!log.ok());
    CHECK(log.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(msg(log.status()) ==
          "column 'outcome', row 1: unknown outcome 'not now'; allowed: yes, not_now, no, maybe, "
          "no_answer");
  }
  SUBCASE("the caller's column names appear in messages") {
    calls c;
    c.add("p1", "ann", 0, true, "yes");
    c.dm[0] = 2;
    auto cols = c.view();
    cols.decision_maker_name = "with_dm";
    auto log = conversation_log::build(cols);
    REQUIRE(!log.ok());
    CHECK(msg(log.status()) == "column 'with_dm', row 0: expected 0 or 1 (a boolean), got 2");
  }
  SUBCASE("integer outcome codes, out of range") {
    calls c;
    c.add("p1", "ann", 0, true, "yes");
    c.add("p1", "ann", 0, true, "yes");
    std::vector<std::int64_t> codes = {1, 7};
    auto cols = c.view();
    cols.outcome = key_column::integers(codes);
    auto log = conversation_log::build(cols);
    REQUIRE(!log.ok());
    CHECK(msg(log.status()).find("column 'outcome', row 1: outcome code 7") == 0);
    codes[1] = 4;
    auto ok = conversation_log::build(cols);
    REQUIRE(ok.ok());
    CHECK(ok->outcomes()[0] == conversation_outcome::not_now);
    CHECK(ok->outcomes()[1] == conversation_outcome::no_answer);
  }
  SUBCASE("missing values and length mismatch") {
    calls c;
    c.add("p1", "ann", 0, true, "yes");
    c.add("p2", "ann", 0, true, "yes");
    c.time[1] = null_time;
    auto log = conversation_log::build(c.view());
    CHECK(msg(log.status()) == "column 'time', row 1: missing time (NaT)");
    c.time[1] = 0;
    std::vector<std::uint8_t> valid = {1, 0};
    auto cols = c.view();
    cols.prospect = key_column::strings(c.prospect, valid);
    CHECK(msg(conversation_log::build(cols).status()) == "column 'prospect', row 1: missing prospect id");
    c.dm.pop_back();
    CHECK(msg(conversation_log::build(c.view()).status()) ==
          "column 'with_decision_maker' has 1 rows but column 'prospect' has 2");
  }
  SUBCASE("a categorical code outside the categories") {
    calls c;
    c.add("p1", "ann", 0, true, "yes");
    std::vector<std::int32_t> codes = {3};
    std::vector<std::string_view> cats = {"yes"};
    auto cols = c.view();
    cols.outcome = key_column::categorical(codes, cats);
    CHECK(msg(conversation_log::build(cols).status()) ==
          "column 'outcome', row 0: category code 3 is outside [0, 1)");
  }
}

TEST_CASE("meeting log: sorted per deal, blank tasks, matching to the stage log") {
  std::vector<std::string_view> deal = {"C", "A", "A", "Z"};
  std::vector<std::int64_t> t = {4 * hand::day, 5 * hand::day, 2 * hand::day, 0};
  std::vector<std::uint8_t> held = {1, 1, 0, 1}, booked = {1, 0, 1, 0};
  std::vector<std::string_view> task = {"send deck", "  ", "survey team", ""};
  meeting_columns cols;
  cols.deal = key_column::strings(deal);
  cols.time = t;
  cols.held = held;
  cols.buyer_task = key_column::strings(task);
  cols.next_meeting_booked = booked;
  auto m = meeting_log::build(cols);
  REQUIRE(m.ok());
  CHECK(m->num_meetings() == 4);
  CHECK(m->num_deals() == 3);  // C, A, Z
  // Deal A (id 1): its two meetings sorted by time: day 2 (row 2), day 5 (row 1).
  auto off = m->offsets();
  REQUIRE(off[2] - off[1] == 2);
  CHECK(m->times()[off[1]] == 2 * hand::day);
  CHECK(m->rows()[off[1]] == 2);
  CHECK(m->held()[off[1]] == 0);
  CHECK(m->has_buyer_task()[off[1]] == 1);   // "survey team"
  CHECK(m->has_buyer_task()[off[1] + 1] == 0);  // "  " is blank: no task
  CHECK(m->buyer_tasks()[off[1]] == "survey team");

  // The five hand deals A..E: A and C have meetings, Z is not a deal of that log.
  auto log = hand::build(hand::five_deals());
  std::int64_t unmatched = -1;
  auto match = m->match(log, &unmatched);
  CHECK(match == std::vector<std::int32_t>{1, -1, 0, -1, -1});
  CHECK(unmatched == 1);

  SUBCASE("errors") {
    held[3] = 5;
    CHECK(msg(meeting_log::build(cols).status()) == "column 'held', row 3: expected 0 or 1 (a boolean), got 5");
    held[3] = 1;
    std::vector<std::uint8_t> valid = {1, 1, 1, 0};
    cols.deal = key_column::strings(deal, valid);
    cols.deal_name = "opportunity_id";
    CHECK(msg(meeting_log::build(cols).status()) == "column 'opportunity_id', row 3: missing deal id");
  }
}

TEST_CASE("rescale_time between units") {
  CHECK(rescale_time(5, time_unit::seconds, time_unit::milliseconds) == 5000);
  CHECK(rescale_time(5999, time_unit::milliseconds, time_unit::seconds) == 5);
  CHECK(rescale_time(-1, time_unit::milliseconds, time_unit::seconds) == -1);
}
