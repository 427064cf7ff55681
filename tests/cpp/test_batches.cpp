#include <doctest/doctest.h>

#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;

namespace {

// Two lead batches read at day 100.
// jan (entered days 0-2):
//   J1 Lead 0, Contact 2, FM 5, AP 10, Client 20 (won in 20 d)
//   J2 Lead 1, Contact 3, FM 6, AP 12, Client 31 (won in 30 d)
//   J3 Lead 1, Contact 4, FM 8, AP 15, Client 41 (won in 40 d)
//   J4 Lead 2, Contact 5, Disqualified 7
//   J5 Lead 2, Disqualified 3
// mar (entered days 90-92, i.e. 1970-04):
//   M1 Lead 90, Contact 92 (open)
//   M2 Lead 91, Disqualified 93
//   M3 Lead 92 (open)
struct batch_log {
  hand::columns c;
  std::vector<std::string_view> batch;
  void add(std::string_view d, std::string_view s, double day, std::string_view b) {
    c.add(d, s, day, "ann", 10);
    batch.push_back(b);
  }
  batch_log() {
    add("J1", "Lead", 0, "jan"); add("J1", "Contact", 2, "jan"); add("J1", "First Meeting", 5, "jan");
    add("J1", "Active Prospect", 10, "jan"); add("J1", "Client", 20, "jan");
    add("J2", "Lead", 1, "jan"); add("J2", "Contact", 3, "jan"); add("J2", "First Meeting", 6, "jan");
    add("J2", "Active Prospect", 12, "jan"); add("J2", "Client", 31, "jan");
    add("J3", "Lead", 1, "jan"); add("J3", "Contact", 4, "jan"); add("J3", "First Meeting", 8, "jan");
    add("J3", "Active Prospect", 15, "jan"); add("J3", "Client", 41, "jan");
    add("J4", "Lead", 2, "jan"); add("J4", "Contact", 5, "jan"); add("J4", "Disqualified", 7, "jan");
    add("J5", "Lead", 2, "jan"); add("J5", "Disqualified", 3, "jan");
    add("M1", "Lead", 90, "mar"); add("M1", "Contact", 92, "mar");
    add("M2", "Lead", 91, "mar"); add("M2", "Disqualified", 93, "mar");
    add("M3", "Lead", 92, "mar");
  }
  event_log build() const {
    auto cols = c.view();
    cols.attributes.push_back(attribute_column{"lead_batch", key_column::strings(batch)});
    event_log_options opt;
    opt.graph = templates::sales_cycle();
    auto log = event_log::build(cols, opt);
    REQUIRE(log.ok());
    return *log;
  }
};

const batch_step& step(const batch_report& r, std::string_view batch, std::string_view from) {
  for (const auto& s : r.steps) {
    if (s.batch == batch && s.from == from) return s;
  }
  FAIL("no step");
  return r.steps.front();
}

batch_options opts() {
  batch_options b;
  b.targets = {{"Lead", 0.7}, {"Contact", 0.8}};
  b.funnel.as_of = 100 * hand::day;
  return b;
}

}  // namespace

TEST_CASE("lead batches against targets; the young batch is immature") {
  auto log = batch_log().build();
  auto r = lead_batches(log, "lead_batch", opts());
  REQUIRE(r.ok());
  // T = the 0.8 quantile of the won deals' entry-to-won times {20, 30, 40}:
  // nearest rank ceil(0.8 x 3) = 3 -> 40 days.
  CHECK(r->won_deals == 3);
  CHECK(r->maturity_days == doctest::Approx(40));
  REQUIRE(r->batches.size() == 2);
  const auto& jan = r->batches[0];
  const auto& mar = r->batches[1];
  CHECK(jan.batch == "jan");
  CHECK(jan.deals == 5);
  CHECK(jan.won == 3);
  // Median entry day 1 (0, 1, 1, 2, 2) -> age 99 >= 40: mature.
  CHECK(jan.age_days == doctest::Approx(99));
  CHECK(!jan.immature);
  // mar: median entry day 91 -> age 9 < 40: immature.
  CHECK(mar.age_days == doctest::Approx(9));
  CHECK(mar.immature);
  CHECK(mar.open == 2);

  // jan, Lead -> Contact: 4 of 5 = 0.8 >= 0.7 target.
  const auto& jl = step(*r, "jan", "Lead");
  CHECK(jl.to == "Contact");
  CHECK(jl.advanced == 4);
  CHECK(jl.resolved == 5);
  CHECK(jl.rate.estimate == doctest::Approx(0.8));
  CHECK(jl.status == target_status::meets);
  // jan, Contact -> First Meeting: 3 of 4 = 0.75 < 0.8.
  const auto& jc = step(*r, "jan", "Contact");
  CHECK(jc.rate.estimate == doctest::Approx(0.75));
  CHECK(jc.status == target_status::below);
  // No target on First Meeting.
  CHECK(step(*r, "jan", "First Meeting").status == target_status::no_target);
  // mar, Lead -> Contact: M1 advanced, M2 dropped, M3 open (censored): 1 of 2
  // would be "below" 0.7, but the batch is immature, so it is not judged.
  const auto& ml = step(*r, "mar", "Lead");
  CHECK(ml.advanced == 1);
  CHECK(ml.resolved == 2);
  CHECK(ml.open == 1);
  CHECK(ml.status == target_status::immature);
  // 5 steps (Lead .. Client -> Advocate) per batch.
  CHECK(r->steps.size() == 10);

  SUBCASE("a given maturity time makes mar mature: then it is judged") {
    auto b = opts();
    b.maturity_days = 5;
    auto m = lead_batches(log, "lead_batch", b);
    REQUIRE(m.ok());
    CHECK(m->won_deals == 0);
    CHECK(step(*m, "mar", "Lead").status == target_status::below);
    // mar has no deal with a known fate at Contact (M1 is open there).
    CHECK(step(*m, "mar", "Contact").status == target_status::no_data);
  }
  SUBCASE("median quantile: ceil(0.5 x 3) = 2nd of {20, 30, 40} = 30 days") {
    auto b = opts();
    b.maturity_quantile = 0.5;
    auto m = lead_batches(log, "lead_batch", b);
    REQUIRE(m.ok());
    CHECK(m->maturity_days == doctest::Approx(30));
  }
}

TEST_CASE("entry-month batches give the same numbers as the attribute") {
  auto log = batch_log().build();
  auto r = lead_batches(log, "entry_month", opts());
  REQUIRE(r.ok());
  REQUIRE(r->batches.size() == 2);
  CHECK(r->batches[0].batch == "1970-01");
  CHECK(r->batches[1].batch == "1970-04");  // day 90 = 1 April 1970
  CHECK(r->batches[1].immature);
  CHECK(step(*r, "1970-01", "Lead").rate.estimate == doctest::Approx(0.8));
  CHECK(step(*r, "1970-01", "Contact").status == target_status::below);
}

TEST_CASE("lead batches: errors") {
  auto log = batch_log().build();
  CHECK(std::string(lead_batches(log, "segment").status().message()) ==
        "cannot group by 'segment'; use 'rep', 'cohort_week', 'cohort_month' or an attribute: lead_batch");
  auto b = opts();
  b.targets = {{"Advocate", 0.5}};
  CHECK(lead_batches(log, "lead_batch", b).status().code() == absl::StatusCode::kInvalidArgument);
  b.targets = {{"Lead", 1.5}};
  CHECK(std::string(lead_batches(log, "lead_batch", b).status().message()) ==
        "target for 'Lead' must be in [0, 1], got 1.5");
  b.targets = {{"Signed", 0.5}};
  CHECK(lead_batches(log, "lead_batch", b).status().code() == absl::StatusCode::kNotFound);
  // Without won deals, T cannot be measured.
  auto five = hand::build(hand::five_deals());
  auto no_wins = *five.select_deals(std::vector<std::int64_t>{1, 2, 3});
  CHECK(lead_batches(no_wins, "entry_week").status().code() == absl::StatusCode::kFailedPrecondition);
}
