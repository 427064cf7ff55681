// A live funnel: after every append its statistics equal the statistics of
// the log built from all rows so far (same counts, sketches and deal set),
// with as_of following the latest event or fixed, with staleness on or off;
// and readers on other threads always see a whole report.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "random_rows.hpp"

using namespace salesfunnel;
using shapes::random_rows;
using shapes::slice_columns;

namespace {
event_log_options log_options(bool appendable) {
  event_log_options o;
  o.graph = templates::sales_cycle();
  o.appendable = appendable;
  o.threads = 1;
  return o;
}
}  // namespace

TEST_CASE("live funnel: after each append the statistics equal a rebuild's") {
  const auto stages = templates::sales_cycle().stage_names();
  int checked = 0;
  for (std::uint64_t seed = 0; seed < 96; ++seed) {
    funnel_options fo;
    fo.threads = 1;
    if (seed % 2 == 1) fo.stale.days = 5;                          // deals silent 5+ days go dark
    if (seed % 3 == 2) fo.as_of = 18 * shapes::day;                // fixed: later events are not yet seen
    const std::size_t n = 30 + seed % 5 * 40;
    const random_rows rows(seed, n, 4 + static_cast<int>(seed % 13), stages);
    const std::size_t step = 1 + seed % 9;
    auto log = event_log::build(slice_columns(rows, 0, step, seed % 4 == 0).cols, log_options(true));
    REQUIRE(log.ok());
    auto live = live_funnel::create(*log, fo);
    REQUIRE(live.ok());
    for (std::size_t b = step; b < n; b += step) {
      const auto e = std::min(n, b + step);
      REQUIRE(live->append(slice_columns(rows, b, e, seed % 4 == 0).cols, log_options(false)).ok());
      const auto whole = event_log::build(slice_columns(rows, 0, e, seed % 4 == 0).cols, log_options(false));
      REQUIRE(whole.ok());
      const auto expect = compute_funnel_stats(*whole, fo);
      REQUIRE(expect.ok());
      const auto got = live->stats();
      CHECK(got == *expect);
      CHECK(live->report()->warnings == funnel(*whole, fo)->warnings);
      if (!(got == *expect)) {
        INFO("seed " << seed << " rows " << e);
        CHECK(got.deals == expect->deals);
        CHECK(got.as_of == expect->as_of);
        CHECK(got.reached == expect->reached);
        CHECK(got.furthest_final == expect->furthest_final);
        CHECK(got.transitions == expect->transitions);
        CHECK(got.dwell == expect->dwell);
        break;
      }
      ++checked;
    }
  }
  CHECK(checked > 500);
}

TEST_CASE("live funnel: a failed append changes nothing") {
  const auto stages = templates::sales_cycle().stage_names();
  const random_rows rows(5, 60, 6, stages);
  auto log = event_log::build(slice_columns(rows, 0, 40, false).cols, log_options(true));
  REQUIRE(log.ok());
  auto live = live_funnel::create(*log);
  REQUIRE(live.ok());
  const auto before = live->stats();
  auto bad = event_log_options(log_options(false));
  bad.unit = time_unit::milliseconds;
  CHECK_FALSE(live->append(slice_columns(rows, 40, 60, false).cols, bad).ok());
  CHECK(live->stats() == before);
  auto plain = event_log::build(slice_columns(rows, 0, 40, false).cols, log_options(false));
  REQUIRE(plain.ok());
  CHECK(live_funnel::create(*plain).status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("live funnel: readers on other threads see whole reports while one thread appends") {
  // 4,000 rows in 200 appends of 20; two readers take reports throughout.
  // Each report must add up (won + lost + open = deals) and the deal count
  // never goes down; the last equals a rebuild's.
  const auto stages = templates::sales_cycle().stage_names();
  const random_rows rows(11, 4000, 700, stages);
  auto log = event_log::build(slice_columns(rows, 0, 20, false).cols, log_options(true));
  REQUIRE(log.ok());
  auto live = live_funnel::create(*log);
  REQUIRE(live.ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, reads{0};
  auto reader = [&] {
    std::int64_t last = 0;
    while (!done.load()) {
      auto r = live->report();
      if (!r.ok() || r->won + r->lost + r->open != r->deals || r->deals < last) ++bad;
      if (r.ok()) last = r->deals;
      auto snapshot = live->log();  // a snapshot stays readable while appends go on
      if (snapshot.num_events() < 0) ++bad;
      ++reads;
    }
  };
  std::thread r1(reader), r2(reader);
  for (std::size_t b = 20; b < 4000; b += 20) {
    if (!live->append(slice_columns(rows, b, b + 20, false).cols, log_options(false)).ok()) ++bad;
  }
  done = true;
  r1.join();
  r2.join();
  CHECK(bad.load() == 0);
  CHECK(reads.load() > 0);
  const auto whole = event_log::build(slice_columns(rows, 0, 4000, false).cols, log_options(false));
  REQUIRE(whole.ok());
  const auto expect = compute_funnel_stats(*whole);
  REQUIRE(expect.ok());
  CHECK(live->stats() == *expect);
}
