#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "methodology_log.hpp"

using namespace salesfunnel;

TEST_CASE("seed: a 50% win rate needs 2x coverage") {
  // Seed example (DESIGN.md, "pipeline coverage"): the fixture's closed deals
  // are W1, W2 (won) and L1, L2 (lost): 2 of 4 -> 50% -> 1 / 0.5 = 2x.
  auto log = hand::build(mlog::deals());
  coverage_options c;
  c.as_of = mlog::as_of;
  c.team_quota = 1000;
  auto cov = coverage(log, c);
  REQUIRE(cov.ok());
  CHECK(cov->team.won == 2);
  CHECK(cov->team.lost == 2);
  CHECK(cov->team.win_rate.estimate == doctest::Approx(0.5));
  CHECK(cov->team.required_coverage == doctest::Approx(2.0));
  // No period: nothing booked, the whole quota remains; raw open value 430
  // (O1 100, O2 50, O3 200, O4 80; O6 has no amount) -> 0.43x, short of 2x.
  CHECK(cov->team.remaining == doctest::Approx(1000));
  CHECK(cov->team.open_deals == 5);
  CHECK(cov->team.coverage_raw == doctest::Approx(0.43));
  CHECK(!cov->team.covered);
  CHECK(cov->team.qualified_deals == -1);  // no audit given
  CHECK(std::isnan(cov->team.coverage_qualified));
}

TEST_CASE("coverage raw and qualified, per rep and team, velocity") {
  auto log = hand::build(mlog::deals());
  auto meetings = mlog::meeting_rows().build();
  audit_options ao;
  ao.as_of = mlog::as_of;
  auto audit = audit_pipeline(log, &meetings, ao);
  REQUIRE(audit.ok());
  coverage_options c;
  c.period_start = 0;
  c.rep_quotas = {{"ann", 600}, {"bob", 400}};
  auto cov = coverage(log, c, &*audit);
  REQUIRE(cov.ok());
  CHECK(cov->as_of == mlog::as_of);  // taken from the audit

  const auto& t = cov->team;
  // Team quota = 600 + 400; booked W1 300 + W2 500 = 800 -> 200 remain.
  CHECK(t.quota == doctest::Approx(1000));
  CHECK(t.booked == doctest::Approx(800));
  CHECK(t.remaining == doctest::Approx(200));
  // Raw 430 / 200 = 2.15; qualified (O3 200 + O4 80) 280 / 200 = 1.4.
  CHECK(t.coverage_raw == doctest::Approx(2.15));
  CHECK(t.coverage_qualified == doctest::Approx(1.4));
  CHECK(!t.covered);  // 1.4 < 2 (required at 50%)
  // Velocity = opportunities x win rate x average deal size / cycle:
  // average won deal (300 + 500) / 2 = 400, cycle (20 + 40) / 2 = 30 days.
  CHECK(t.average_deal_size == doctest::Approx(400));
  CHECK(t.cycle_days == doctest::Approx(30));
  CHECK(t.velocity_raw == doctest::Approx(5 * 0.5 * 400 / 30.0));        // 33.3 a day
  CHECK(t.velocity_qualified == doctest::Approx(2 * 0.5 * 400 / 30.0));  // 13.3 a day

  REQUIRE(cov->reps.size() == 2);
  const auto& ann = cov->reps[0];
  const auto& bob = cov->reps[1];
  CHECK(ann.rep == "ann");
  // ann: quota 600, booked W1 300 -> 300 remain; open O1 100 + O2 50 = 150 -> 0.5x;
  // both fail the audit -> qualified 0; won W1, lost L1 -> 50%; velocity 2 x .5 x 300 / 20.
  CHECK(ann.remaining == doctest::Approx(300));
  CHECK(ann.coverage_raw == doctest::Approx(0.5));
  CHECK(ann.qualified_deals == 0);
  CHECK(ann.coverage_qualified == doctest::Approx(0.0));
  CHECK(ann.required_coverage == doctest::Approx(2.0));
  CHECK(ann.velocity_raw == doctest::Approx(15.0));
  // bob: quota 400, booked W2 500 -> nothing remains: coverage is infinite.
  CHECK(bob.remaining == doctest::Approx(0));
  CHECK(std::isinf(bob.coverage_raw));
  CHECK(bob.covered);
  CHECK(bob.velocity_raw == doctest::Approx(3 * 0.5 * 500 / 40.0));  // O3 O4 O6

  SUBCASE("a later period start measures only the deals closed since") {
    c.period_start = 30 * hand::day;  // only W2 (won day 50) closed since
    auto late = coverage(log, c, &*audit);
    REQUIRE(late.ok());
    CHECK(late->team.won == 1);
    CHECK(late->team.lost == 0);
    CHECK(late->team.required_coverage == doctest::Approx(1.0));
    CHECK(late->team.booked == doctest::Approx(500));
    CHECK(late->team.cycle_days == doctest::Approx(40));
  }
  SUBCASE("errors") {
    coverage_options bad;
    CHECK(std::string(coverage(log, bad).status().message()) ==
          "coverage needs a quota: give team_quota or rep_quotas");
    bad.rep_quotas = {{"carol", 10}};
    CHECK(std::string(coverage(log, bad).status().message()) ==
          "quota given for unknown rep 'carol'; the log's reps: ann, bob");
    bad.rep_quotas.clear();
    bad.team_quota = 100;
    bad.as_of = 120 * hand::day;  // the audit was read at day 100
    CHECK(coverage(log, bad, &*audit).status().code() == absl::StatusCode::kInvalidArgument);
  }
}
