// Appending to a built log: after any sequence of appends the log is the log
// a build from all rows so far gives, byte for byte (its serialised form:
// events, input rows, keys, reps, amounts, attributes, every issue count and
// first row), so every analysis reads the same numbers.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "hand_log.hpp"
#include "random_rows.hpp"

using namespace salesfunnel;

namespace {

using shapes::random_rows;
using shapes::slice_columns;

event_log_options options(bool graph, bool appendable, int threads = 1) {
  event_log_options o;
  if (graph) o.graph = templates::sales_cycle();
  o.appendable = appendable;
  o.threads = threads;
  return o;
}

}  // namespace

TEST_CASE("append: any split of the rows into appends gives the log a build of all rows gives") {
  const auto stages = templates::sales_cycle().stage_names();
  int compared = 0;
  for (std::uint64_t seed = 0; seed < 160; ++seed) {
    const bool graph = seed % 2 == 0, int_keys = seed % 3 == 0;
    const std::size_t n = 20 + seed % 7 * 25;
    const random_rows rows(seed, n, 3 + static_cast<int>(seed % 11), stages);
    const auto whole = event_log::build(slice_columns(rows, 0, n, int_keys).cols, options(graph, false));
    REQUIRE(whole.ok());
    // Cut points: 1 to 6 appends of random sizes (some empty).
    std::mt19937_64 rng(seed * 7919 + 1);
    std::vector<std::size_t> cuts = {0, n};
    for (int c = 0; c < static_cast<int>(seed % 6); ++c) cuts.push_back(rng() % (n + 1));
    std::sort(cuts.begin(), cuts.end());
    auto log = event_log::build(slice_columns(rows, cuts[0], cuts[1], int_keys).cols,
                                options(graph, true, 1 + static_cast<int>(seed % 2)));
    REQUIRE(log.ok());
    for (std::size_t c = 1; c + 1 < cuts.size(); ++c) {
      auto r = log->append(slice_columns(rows, cuts[c], cuts[c + 1], int_keys).cols, options(graph, false));
      INFO("seed " << seed << ": " << r.status().message());
      REQUIRE(r.ok());
      CHECK(r->rows == static_cast<std::int64_t>(cuts[c + 1] - cuts[c]));
    }
    CHECK(log->num_events() == whole->num_events());
    CHECK(log->num_deals() == whole->num_deals());
    CHECK(serialize(*log) == serialize(*whole));
    if (graph) {
      auto a = compute_funnel_stats(*log), b = compute_funnel_stats(*whole);
      REQUIRE(a.ok());
      REQUIRE(b.ok());
      CHECK(*a == *b);
    }
    ++compared;
  }
  CHECK(compared == 160);
}

TEST_CASE("append: an event that lands between a stage and its repeat brings the repeat back") {
  // Lead on day 1 and Lead again on day 5 fold into one Lead visit (one
  // repeated-stage event). Contact on day 3, appended, splits them: the path
  // is Lead, Contact, Lead (3 events) and nothing is a repeat any more.
  hand::columns first, second;
  first.add("X", "Lead", 1, "ann", 10);
  first.add("X", "Lead", 5, "ann", 10);
  second.add("X", "Contact", 3, "ann", 10);
  auto opt = options(true, true);
  auto log = event_log::build(first.view(), opt);
  REQUIRE(log.ok());
  CHECK(log->num_events() == 1);
  CHECK(log->issues().repeated_stage_events == 1);
  CHECK(log->issues().first_repeated_row == 1);
  auto r = log->append(second.view(), options(true, false));
  REQUIRE(r.ok());
  CHECK(r->changed_deals == 1);
  CHECK(r->new_deals == 0);
  CHECK(log->num_events() == 3);
  CHECK(log->issues().repeated_stage_events == 0);
  CHECK(log->issues().first_repeated_row == -1);
  // Contact -> Lead is not an edge: one unknown transition, at input row 1
  // (the day-5 Lead; rows keep counting across appends, Contact is row 2).
  REQUIRE(log->issues().unknown_transitions.size() == 1);
  CHECK(log->issues().unknown_transitions[0].first_row == 1);
  const auto b = log->deal_begin(0);
  CHECK(log->rows()[b] == 0);
  CHECK(log->rows()[b + 1] == 2);
  CHECK(log->rows()[b + 2] == 1);
  CHECK_FALSE(log->is_compact());
  CHECK(log->compacted().is_compact());
  CHECK(serialize(log->compacted()) == serialize(*log));
}

TEST_CASE("append: an earlier outcome cuts later events, and the deal's amount comes from what is kept") {
  // Lead (amount 100) on day 1, Contact (amount 200) on day 5. Lost on day
  // 3, appended, ends the deal before Contact: 2 events, 1 after the
  // outcome, and the amount is Lead's 100 again.
  hand::columns first, second;
  first.add("X", "Lead", 1, "ann", 100);
  first.add("X", "Contact", 5, "bob", 200);
  second.add("X", "Lost", 3, "", std::numeric_limits<double>::quiet_NaN());
  auto log = event_log::build(first.view(), options(true, true));
  REQUIRE(log.ok());
  CHECK(log->deal_amount()[0] == 200);
  CHECK(log->rep_names()[static_cast<std::size_t>(log->deal_rep()[0])] == "bob");
  REQUIRE(log->append(second.view(), options(true, false)).ok());
  CHECK(log->num_events() == 2);
  CHECK(log->issues().events_after_outcome == 1);
  CHECK(log->issues().first_after_outcome_row == 1);
  CHECK(log->deal_amount()[0] == 100);
  // The rep follows the same rule: Lost's blank rep is missing, Contact is
  // cut, so ann; "bob" is no deal's rep any more and leaves the names.
  REQUIRE(log->rep_names().size() == 1);
  CHECK(log->rep_names()[0] == "ann");
  CHECK(log->max_time() == 3 * hand::day);
}

TEST_CASE("append: errors leave the log unchanged and name the column and row") {
  hand::columns first;
  first.add("A", "Lead", 0, "ann", 1);
  first.add("A", "Contact", 1, "ann", 1);
  auto log = event_log::build(first.view(), options(true, true));
  REQUIRE(log.ok());
  const auto before = serialize(*log);

  SUBCASE("blank deal id") {
    hand::columns c;
    c.add("B", "Lead", 2, "ann", 1);
    c.add(" ", "Lead", 2, "ann", 1);
    auto r = log->append(c.view(), options(true, false));
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(r.status().message()) == "column 'deal', row 1: missing deal id");
  }
  SUBCASE("unknown stage") {
    hand::columns c;
    c.add("B", "Nope", 2, "ann", 1);
    auto r = log->append(c.view(), options(true, false));
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(r.status().message()).starts_with("column 'stage', row 0: unknown stage 'Nope'"));
  }
  SUBCASE("strict: a duplicate, at its input row counted across appends") {
    hand::columns c;
    c.add("B", "Lead", 2, "ann", 1);
    c.add("A", "Contact", 1, "ann", 1);  // A entered Contact on day 1 already
    auto opt = options(true, false);
    opt.strict = true;
    auto r = log->append(c.view(), opt);
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(r.status().message()).starts_with("row 3: duplicate event"));
  }
  SUBCASE("another time unit") {
    hand::columns c;
    c.add("B", "Lead", 2, "ann", 1);
    auto opt = options(true, false);
    opt.unit = time_unit::milliseconds;
    auto r = log->append(c.view(), opt);
    CHECK(std::string(r.status().message()) ==
          "column 'time': the appended times are in milliseconds but the log's are in seconds");
  }
  SUBCASE("integer ids for a log of text ids") {
    std::vector<std::int64_t> ids = {7};
    auto c = first.view();
    c.deal = key_column::integers(ids);
    c.stage = key_column::strings(std::span(first.stage).subspan(0, 1));
    c.time = std::span(first.time).subspan(0, 1);
    c.rep = {};
    c.amount = {};
    auto r = log->append(c, options(true, false));
    CHECK(std::string(r.status().message()) == "column 'deal' holds integer ids but the log's deal ids are text");
  }
  SUBCASE("a column the log was built without") {
    hand::columns c;
    c.add("B", "Lead", 2, "ann", 1);
    auto cols = c.view();
    std::vector<std::string_view> seg = {"smb"};
    cols.attributes.push_back(attribute_column{"segment", key_column::strings(seg)});
    auto r = log->append(cols, options(true, false));
    CHECK(std::string(r.status().message()) == "attribute column 'segment' is not in the log; its attributes: none");
  }
  CHECK(serialize(*log) == before);
}

TEST_CASE("append: a log built without appendable refuses, and copies never change") {
  const auto five = hand::five_deals();
  auto plain = hand::build(five);
  hand::columns c;
  c.add("F", "Lead", 1, "ann", 5);
  auto r = plain.append(c.view(), options(true, false));
  CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);

  auto log = event_log::build(five.view(), options(true, true));
  REQUIRE(log.ok());
  const event_log snapshot = *log;  // shares storage until the append
  const auto before = serialize(snapshot);
  REQUIRE(log->append(c.view(), options(true, false)).ok());
  CHECK(serialize(snapshot) == before);
  CHECK(snapshot.num_deals() == 5);
  CHECK(log->num_deals() == 6);
  // find_deals: F is the new sixth deal, "Z" is unknown, a blank is missing.
  std::vector<std::string_view> keys = {"F", "A", "Z", ""};
  const auto ids = log->find_deals(key_column::strings(keys));
  CHECK(ids == std::vector<std::int64_t>{5, 0, -1, -1});
}

TEST_CASE("append: many small appends to the same deals reclaim storage and still equal a build") {
  // 3,000 one-row appends over 10 deals: each moves its deal's events to the
  // end of storage, so storage is compacted many times along the way.
  const auto stages = templates::sales_cycle().stage_names();
  const random_rows rows(42, 3000, 10, stages);
  auto log = event_log::build(slice_columns(rows, 0, 1, false).cols, options(true, true));
  REQUIRE(log.ok());
  for (std::size_t i = 1; i < 3000; ++i) {
    REQUIRE(log->append(slice_columns(rows, i, i + 1, false).cols, options(true, false)).ok());
  }
  const auto whole = event_log::build(slice_columns(rows, 0, 3000, false).cols, options(true, false));
  REQUIRE(whole.ok());
  CHECK(serialize(*log) == serialize(*whole));
  CHECK(log->stages().size() <= static_cast<std::size_t>(2 * log->num_events() + 4096));
}
