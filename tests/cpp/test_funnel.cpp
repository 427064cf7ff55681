#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;

namespace {
const stage_row& row(const funnel_report& r, std::string_view name) {
  for (const auto& s : r.stages) {
    if (s.name == name) return s;
  }
  FAIL("no such stage");
  return r.stages.front();
}
funnel_options at_day(double d) {
  funnel_options o;
  o.as_of = static_cast<std::int64_t>(d * hand::day);
  return o;
}
}  // namespace

TEST_CASE("funnel report on five hand-counted deals") {
  auto log = hand::build(hand::five_deals());
  auto rep = funnel(log, at_day(20));
  REQUIRE(rep.ok());
  CHECK(rep->deals == 5);
  CHECK(rep->won == 1);   // A
  CHECK(rep->lost == 3);  // B, D, E
  CHECK(rep->open == 1);  // C

  // reached: who visited each stage.
  CHECK(row(*rep, "Lead").reached == 5);
  CHECK(row(*rep, "Contact").reached == 4);  // A B C E
  CHECK(row(*rep, "First Meeting").reached == 3);
  CHECK(row(*rep, "Active Prospect").reached == 2);
  CHECK(row(*rep, "Client").reached == 1);
  CHECK(row(*rep, "Disqualified").reached == 2);

  // Lead: 4 of 5 advanced, D dropped -> 0.8.
  CHECK(row(*rep, "Lead").advanced == 4);
  CHECK(row(*rep, "Lead").dropped == 1);
  CHECK(row(*rep, "Lead").step_conversion.estimate == doctest::Approx(0.8));
  CHECK(row(*rep, "Lead").cumulative_conversion.estimate == doctest::Approx(1.0));
  // Contact: 3 advanced, B dropped -> 3/4; cumulative 4 of 5 closed-or-reached.
  CHECK(row(*rep, "Contact").step_conversion.estimate == doctest::Approx(0.75));
  CHECK(row(*rep, "Contact").cumulative_conversion.estimate == doctest::Approx(0.8));
  // First Meeting: A and E advanced, C is still there (censored, not dropped): 2/2.
  CHECK(row(*rep, "First Meeting").open == 1);
  CHECK(row(*rep, "First Meeting").in_progress == 1);
  CHECK(row(*rep, "First Meeting").dropped == 0);
  CHECK(row(*rep, "First Meeting").step_conversion.estimate == doctest::Approx(1.0));
  CHECK(row(*rep, "First Meeting").cumulative_conversion.estimate == doctest::Approx(3.0 / 5.0));
  // Active Prospect: A won, E lost -> 1/2; cumulative 2 of (2 + B + D) = 0.5.
  CHECK(row(*rep, "Active Prospect").step_conversion.estimate == doctest::Approx(0.5));
  CHECK(row(*rep, "Active Prospect").cumulative_conversion.estimate == doctest::Approx(0.5));
  // Client: 1 of (1 + B + D + E) closed deals.
  CHECK(row(*rep, "Client").cumulative_conversion.estimate == doctest::Approx(0.25));
  CHECK(row(*rep, "Client").closed_here == 1);

  // Wilson interval for 4/5 (closed form): center (0.8 + z^2/10)/(1 + z^2/5).
  const double z = 1.959963984540054, n = 5, p = 0.8;
  const double c = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double h = z / (1 + z * z / n) * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n));
  CHECK(row(*rep, "Lead").step_conversion.low == doctest::Approx(c - h));
  CHECK(row(*rep, "Lead").step_conversion.high == doctest::Approx(c + h));

  // Drop-offs by exit: (Lead, Disqualified) D, (Contact, Disqualified) B, (Active Prospect, Lost) E.
  REQUIRE(rep->drop_offs.size() == 3);
  std::int64_t total = 0;
  for (const auto& d : rep->drop_offs) total += d.deals;
  CHECK(total == 3);

  // Transitions: 7 distinct pairs, 13 moves in all (18 events - 5 deals).
  CHECK(rep->transitions.size() == 7);
  std::int64_t moves = 0;
  for (const auto& t : rep->transitions) {
    moves += t.count;
    CHECK(t.is_edge);
  }
  CHECK(moves == 13);
}

TEST_CASE("time in stage: Kaplan-Meier with censored open deals") {
  auto log = hand::build(hand::five_deals());
  auto rep = funnel(log, at_day(20));
  REQUIRE(rep.ok());
  // Lead stays: 1, 2, 1, 1, 1 days, all completed: median 1 day, mean 1.2.
  const auto& lead = row(*rep, "Lead");
  CHECK(lead.stays_completed == 5);
  CHECK(lead.median_days == doctest::Approx(1.0).epsilon(0.02));
  CHECK(lead.mean_days == doctest::Approx(1.2));
  // First Meeting: A 3 days, E 2 days, C censored after 15 days.
  // KM: S(2) = 2/3, S(3) = 1/3 -> median 3 days; S never reaches 0.1 -> p90 NaN.
  const auto& fm = row(*rep, "First Meeting");
  CHECK(fm.stays_completed == 2);
  CHECK(fm.stays_censored == 1);
  CHECK(fm.median_days == doctest::Approx(3.0).epsilon(0.02));
  CHECK(std::isnan(fm.p90_days));
  CHECK(fm.mean_days == doctest::Approx(2.5));
}

TEST_CASE("two halves merged give exactly the whole log's statistics") {
  auto log = hand::build(hand::five_deals());
  auto opt = at_day(20);
  auto whole = compute_funnel_stats(log, opt);
  REQUIRE(whole.ok());
  std::vector<std::int64_t> first = {0, 1}, second = {2, 3, 4};
  auto a = compute_funnel_stats(*log.select_deals(first), opt);
  auto b = compute_funnel_stats(*log.select_deals(second), opt);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(a->merge(*b).ok());
  CHECK(*a == *whole);
  auto other = compute_funnel_stats(*log.select_deals(second), at_day(30));
  REQUIRE(other.ok());
  CHECK(a->merge(*other).code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("breakdowns by rep and cohort") {
  auto log = hand::build(hand::five_deals());
  auto by = funnel_by_rep(log, at_day(20));
  REQUIRE(by.ok());
  REQUIRE(by->groups.size() == 2);
  CHECK(by->groups[0] == "ann");  // A C E
  CHECK(by->reports[0].deals == 3);
  CHECK(by->reports[0].won == 1);
  CHECK(by->reports[1].deals == 2);  // B D
  CHECK(by->reports[1].lost == 2);
  // 1970-01-01 was a Thursday: days 0-3 fall in the week of Monday 1969-12-29.
  auto weeks = funnel_by_cohort(log, cohort_period::week, at_day(20));
  REQUIRE(weeks.ok());
  REQUIRE(weeks->groups.size() == 1);
  CHECK(weeks->groups[0] == "1969-12-29");
  CHECK(cohort_label(4 * hand::day, time_unit::seconds, cohort_period::week) == "1970-01-05");
  CHECK(cohort_label(40 * hand::day, time_unit::seconds, cohort_period::month) == "1970-02");
}

TEST_CASE("grouped statistics on several threads equal each group counted alone") {
  // 2,000 shifted copies of the five hand-counted deals (10,000 deals: enough
  // for several threads) spread unevenly over 19 reps, some with no rep. The
  // threads split the deals group by group, so a rep's deals can be counted
  // by two threads and merged; every split must give each group exactly the
  // statistics of its own deals counted alone. With 20 groups, 1 and 2
  // threads (20 and 10 groups a thread) leave the duration buckets for a
  // second pass and 3 and 5 threads count them as they go, as a group
  // counted alone does: the two ways must agree to the last count.
  const auto base = hand::five_deals();
  std::vector<std::string> names, reps;
  for (int i = 0; i < 10000; ++i) {
    names.push_back("d" + std::to_string(i));
    reps.push_back(i % 11 == 0 ? std::string() : "rep" + std::to_string((i * i + i / 7) % 19));
  }
  hand::columns c;
  std::map<std::string, std::vector<std::int64_t>> deals_of;  // rep -> deal numbers
  for (int copy = 0; copy < 2000; ++copy) {
    for (std::size_t r = 0; r < base.deal.size(); ++r) {
      const int d = copy * 5 + (base.deal[r][0] - 'A');
      const double shift = copy % 17;
      c.add(names[static_cast<std::size_t>(d)], base.stage[r],
            static_cast<double>(base.time[r]) / hand::day + shift, reps[static_cast<std::size_t>(d)], 1);
    }
  }
  const auto log = hand::build(c);
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto code = log.deal_rep()[static_cast<std::size_t>(k)];
    deals_of[code < 0 ? std::string(no_group_label) : log.rep_names()[static_cast<std::size_t>(code)]].push_back(k);
  }
  auto opt = at_day(60);
  opt.threads = 1;
  auto one = compute_funnel_stats_by(log, "rep", opt);
  REQUIRE(one.ok());
  REQUIRE(one->labels.size() == 20);  // 19 reps and "(none)"
  CHECK(one->labels.back() == no_group_label);
  std::int64_t total = 0;
  for (std::size_t i = 0; i < one->labels.size(); ++i) {
    auto alone = compute_funnel_stats(*log.select_deals(deals_of[one->labels[i]]), opt);
    REQUIRE(alone.ok());
    CHECK(one->stats[i] == *alone);
    total += one->stats[i].deals;
  }
  CHECK(total == 10000);
  // The reports of the 20 groups, made on 2 threads, are each group's report made alone.
  const auto g = analysis_graph(log, opt.stale);
  REQUIRE(g.ok());
  auto reports = make_grouped_report(*one, *g, 2);
  REQUIRE(reports.ok());
  REQUIRE(reports->reports.size() == 20);
  CHECK(reports->groups == one->labels);
  for (std::size_t i = 0; i < one->labels.size(); ++i) {
    auto alone = make_funnel_report(one->stats[i], *g);
    REQUIRE(alone.ok());
    const auto& r = reports->reports[i];
    CHECK(r.stats == alone->stats);
    CHECK(r.deals == alone->deals);
    CHECK(r.won == alone->won);
    CHECK(r.lost == alone->lost);
    CHECK(r.open == alone->open);
    REQUIRE(r.transitions.size() == alone->transitions.size());
    for (std::size_t j = 0; j < r.transitions.size(); ++j) {
      const auto &a = r.transitions[j], &b = alone->transitions[j];
      CHECK(a.count == b.count);
      CHECK((a.median_days == b.median_days || (std::isnan(a.median_days) && std::isnan(b.median_days))));
    }
    CHECK(r.stages.size() == alone->stages.size());
  }
  for (int threads : {2, 3, 5}) {
    opt.threads = threads;
    auto many = compute_funnel_stats_by(log, "rep", opt);
    REQUIRE(many.ok());
    CHECK(many->labels == one->labels);
    for (std::size_t i = 0; i < one->labels.size(); ++i) CHECK(many->stats[i] == one->stats[i]);
  }
}

TEST_CASE("duration buckets from the table equal the logarithm formula for every second tried") {
  // bucket_of reads a table; bucket_by_log is the definition. Every second
  // below 2^20, three seconds either side of each bucket's first second, the
  // largest int64 and 200,000 log-uniform draws must land in the same bucket.
  using ds = duration_sketch;
  for (std::int64_t s = -3; s < (1 << 20); ++s) REQUIRE(ds::bucket_of(s) == ds::bucket_by_log(s));
  std::int64_t edges = 0;
  for (std::size_t b = 2;; ++b) {
    // The least second of bucket b: the table found it, the formula confirms.
    std::int64_t lo = 1, hi = std::numeric_limits<std::int64_t>::max();
    if (ds::bucket_by_log(hi) < b) break;
    while (lo < hi) {
      const auto mid = lo + (hi - lo) / 2;
      if (ds::bucket_by_log(mid) >= b) hi = mid;
      else lo = mid + 1;
    }
    for (std::int64_t d = -3; d <= 3; ++d) {
      const auto s = lo + d;
      if (s < 1) continue;
      REQUIRE(ds::bucket_of(s) == ds::bucket_by_log(s));
    }
    ++edges;
  }
  CHECK(edges == 2205);  // buckets 2 .. 1 + floor(ln(2^63) / ln 1.02) = 2206
  CHECK(ds::bucket_of(std::numeric_limits<std::int64_t>::max()) == 2206);
  CHECK(2206 < (1 << detail::deferred_buckets::bucket_bits));  // a deferred count's bucket fits its code
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const auto s = static_cast<std::int64_t>(x >> (1 + x % 63));
    REQUIRE(ds::bucket_of(s) == ds::bucket_by_log(s));
  }
}

TEST_CASE("a sealed deal set is the sorted distinct hashes, small or large") {
  // seal() spreads large sets into buckets by their top bits before sorting;
  // the result must be exactly std::sort + std::unique of what went in.
  for (const std::size_t n : {std::size_t{10}, std::size_t{20000}, std::size_t{300000}}) {
    deal_set set;
    std::vector<std::uint64_t> want;
    std::uint64_t x = 88172645463325252ULL;
    for (std::size_t i = 0; i < n; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      const auto h = i % 5 == 4 ? want[i / 2] : x;  // every fifth a repeat
      set.add(h);
      want.push_back(h);
    }
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    set.seal();
    CHECK(set.size() == n - n / 5);  // the repeats dropped (xorshift draws do not repeat)
    CHECK(set.hashes() == want);
  }
}
