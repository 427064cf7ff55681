// Window funnels: hand-counted logs for each order mode, exclusions and
// immature deals; every deal checked against a brute-force walk of each
// attempt on random logs with ties; merges exact; 100 steps.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;
using hand::day;

namespace {

// A log of raw activity names, built without a graph.
event_log raw_log(const hand::columns& c) {
  auto log = event_log::build(c.view(), {});
  REQUIRE(log.ok());
  return *log;
}

window_spec abc(step_order order = step_order::ordered) {
  window_spec s;
  s.steps = {{"A"}, {"B"}, {"C"}};
  s.within_seconds = 10 * day;
  s.order = order;
  return s;
}

window_options at_day(double d) {
  window_options o;
  o.as_of = static_cast<std::int64_t>(d * day);
  return o;
}

// Read at day 20, window 10 days:
// d1 A0 B2 C5: all three.            d2 A0 C1 B3: C before B.
// d3 A0 B12: B after the window.     d4 A0 X2 A4 B13 C15: the second attempt
//   gets further (B 9 days after A4; C at 11 days is outside).
// d5 A18 B19: window open at day 20. d6 A19: window open, nothing yet.
// d7 X0 B1: never did step A.
hand::columns six_deals() {
  hand::columns c;
  auto add = [&](const char* d, const char* s, double t) { c.add(d, s, t, "r", 1); };
  add("d1", "A", 0), add("d1", "B", 2), add("d1", "C", 5);
  add("d2", "A", 0), add("d2", "C", 1), add("d2", "B", 3);
  add("d3", "A", 0), add("d3", "B", 12);
  add("d4", "A", 0), add("d4", "X", 2), add("d4", "A", 4), add("d4", "B", 13), add("d4", "C", 15);
  add("d5", "A", 18), add("d5", "B", 19);
  add("d6", "A", 19);
  add("d7", "X", 0), add("d7", "B", 1);
  return c;
}

window_funnel_report report_of(const event_log& log, const window_spec& spec, double as_of_day) {
  auto s = compute_window_stats(log, spec, at_day(as_of_day));
  REQUIRE(s.ok());
  return make_window_report(*s);
}

}  // namespace

TEST_CASE("window funnel, ordered: hand counts, immature deals never dropped") {
  const auto log = raw_log(six_deals());
  const auto rep = report_of(log, abc(), 20);
  REQUIRE(rep.steps.size() == 3);
  CHECK(rep.deals == 7);  // d7 counts as a deal, not as an entrant
  // Step A: d1..d6 entered.
  CHECK(rep.steps[0].entered == 6);
  CHECK(rep.steps[0].converted == 6);
  // A -> B: d1, d2, d4, d5 did B in time; d6 is immature (A19, window open);
  // d3 dropped. Conversion over mature deals: 4 / (6 - 1).
  CHECK(rep.steps[1].entered == 6);
  CHECK(rep.steps[1].converted == 4);
  CHECK(rep.steps[1].immature == 1);
  CHECK(rep.steps[1].mature == 5);
  CHECK(rep.steps[1].conversion.estimate == doctest::Approx(4.0 / 5));
  // B -> C: only d1; d5 immature; d2 (C before B) and d4 (C after its window) dropped.
  CHECK(rep.steps[2].entered == 4);
  CHECK(rep.steps[2].converted == 1);
  CHECK(rep.steps[2].immature == 1);
  CHECK(rep.steps[2].conversion.estimate == doctest::Approx(1.0 / 3));
  // Cumulative A -> C over deals whose outcome is known: 6 - d5 - d6.
  CHECK(rep.steps[2].cumulative.estimate == doctest::Approx(1.0 / 4));
  // Days A -> B: d1 2, d2 3, d4 9 (from A4), d5 1: median 2 (sketch 2%).
  CHECK(rep.steps[1].median_days_from_previous == doctest::Approx(2.0).epsilon(0.02));
  CHECK(rep.steps[2].median_days_from_first == doctest::Approx(5.0).epsilon(0.02));
  CHECK(rep.steps[2].median_days_from_previous == doctest::Approx(3.0).epsilon(0.02));
  REQUIRE_FALSE(rep.warnings.empty());
  CHECK(rep.warnings[0].find("2 deals are still inside their window") != std::string::npos);
}

TEST_CASE("window funnel, strict and any order") {
  const auto log = raw_log(six_deals());
  // strict: d2's C comes between A and B, ending that attempt at A; d4's
  // first attempt ends at A4 but its second still does B.
  const auto strict = report_of(log, abc(step_order::strict), 20);
  CHECK(strict.steps[1].converted == 3);
  CHECK(strict.steps[1].conversion.estimate == doctest::Approx(3.0 / 5));
  CHECK(strict.steps[2].converted == 1);
  // any: d2 does B and C in either order: B by day 3 (C by day 1), so step C
  // is reached on day 3, 0 days after B.
  const auto any = report_of(log, abc(step_order::any), 20);
  CHECK(any.steps[1].converted == 4);
  CHECK(any.steps[2].converted == 2);
  CHECK(any.steps[2].entered == 4);
  CHECK(any.steps[2].immature == 1);  // d5
  CHECK(any.steps[2].conversion.estimate == doctest::Approx(2.0 / 3));
  auto per = window_deal_results(log, abc(step_order::any), at_day(20));
  REQUIRE(per.ok());
  const auto& d2 = (*per)[1];  // deals in first-appearance order
  REQUIRE(d2.level == 3);
  CHECK(d2.step_time[1] == 3 * day);
  CHECK(d2.step_time[2] == 3 * day);
}

TEST_CASE("window funnel: exclusions end an attempt between two steps") {
  hand::columns c;
  auto add = [&](const char* d, const char* s, double t) { c.add(d, s, t, "r", 1); };
  add("e1", "A", 0), add("e1", "Lost", 1), add("e1", "B", 2), add("e1", "C", 3);  // excluded after A
  add("e2", "A", 0), add("e2", "B", 1), add("e2", "Lost", 2), add("e2", "C", 3);  // excluded after B
  add("e3", "Lost", 0), add("e3", "A", 1), add("e3", "B", 2), add("e3", "C", 3);  // before A: fine
  const auto log = raw_log(c);
  auto spec = abc();
  spec.exclusions = {{0, 1, "Lost"}};  // between A and B only
  auto rep = report_of(log, spec, 30);
  CHECK(rep.steps[1].converted == 2);  // e2, e3
  CHECK(rep.steps[2].converted == 2);
  spec.exclusions = {{0, 2, "Lost"}};  // anywhere between A and C
  rep = report_of(log, spec, 30);
  CHECK(rep.steps[1].converted == 2);
  CHECK(rep.steps[2].converted == 1);  // e3 only
  spec.order = step_order::any;
  CHECK(compute_window_stats(log, spec).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("window funnel: ties at one timestamp count in step order; sets of stages") {
  hand::columns c;
  auto add = [&](const char* d, const char* s, double t) { c.add(d, s, t, "r", 1); };
  // Logged in reverse at one time: B, A, C all on day 1.
  add("t1", "C", 1), add("t1", "B", 1), add("t1", "A", 1);
  add("t2", "A", 0), add("t2", "C2", 4);  // no B: stays at A
  add("t3", "A", 0), add("t3", "B", 2), add("t3", "C2", 4);
  const auto log = raw_log(c);
  window_spec spec;
  spec.steps = {{"A"}, {"B"}, {"C", "C2"}};
  spec.within_seconds = 10 * day;
  const auto rep = report_of(log, spec, 30);
  CHECK(rep.steps[1].converted == 2);  // t1, t3
  CHECK(rep.steps[2].converted == 2);
  CHECK(rep.steps[2].step == "C | C2");
  CHECK(rep.steps[2].median_days_from_first == doctest::Approx(0.0));  // t1 0 days, t3 4 days
}

TEST_CASE("window funnel: a graph log refuses unknown stage names; a raw log warns") {
  const auto log = hand::build(hand::five_deals());
  window_spec spec;
  spec.steps = {{"Lead"}, {"Contract"}};
  spec.within_seconds = day;
  auto s = compute_window_stats(log, spec);
  CHECK(s.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(s.status().message()).find("'Contract'") != std::string::npos);
  const auto raw = raw_log(six_deals());
  spec.steps = {{"A"}, {"Nope"}};
  auto r = report_of(raw, spec, 20);
  CHECK(r.steps[1].converted == 0);
  bool warned = false;
  for (const auto& w : r.warnings) warned |= w.find("'Nope'") != std::string::npos;
  CHECK(warned);
}

TEST_CASE("window funnel: the curve is Kaplan-Meier with immature deals censored") {
  const auto log = raw_log(six_deals());
  const auto rep = report_of(log, abc(), 20);
  REQUIRE(rep.curve.size() == 3);
  REQUIRE(rep.curve[1].size() == 10);  // one bucket per day of the window
  // A -> B events (days after A): d5 at 1, d1 at 2, d2 at 3, d4 at 9;
  // d6 is censored in bucket 1 (as_of 20 - A19 = 1 day). Six at risk:
  // bucket 1 (day 1-2): d5 converts, 1/6, then d6 leaves; bucket 2: d1, 1/4;
  // bucket 3: d2, 1/3; bucket 9: d4, 1/2.
  const double s1 = 1 - 1.0 / 6, s2 = s1 * (1 - 1.0 / 4), s3 = s2 * (1 - 1.0 / 3), s9 = s3 * (1 - 1.0 / 2);
  CHECK(rep.curve[1][0] == doctest::Approx(0.0));
  CHECK(rep.curve[1][1] == doctest::Approx(1 - s1));
  CHECK(rep.curve[1][2] == doctest::Approx(1 - s2));
  CHECK(rep.curve[1][3] == doctest::Approx(1 - s3));
  CHECK(rep.curve[1][9] == doctest::Approx(1 - s9));
  CHECK(rep.histogram[1][2] == 1);
}

namespace {

// The brute force: each attempt walked alone, as the header defines it.
struct brute_result {
  int level = 0;
  bool open = false;
  std::vector<std::int64_t> times;
};

brute_result brute(std::vector<std::pair<std::int64_t, std::string>> ev, const window_spec& spec,
                    std::int64_t as_of) {
  const int k = static_cast<int>(spec.steps.size());
  auto steps_of = [&](const std::string& s) {
    std::vector<int> out;
    for (int j = 0; j < k; ++j) {
      if (std::find(spec.steps[j].begin(), spec.steps[j].end(), s) != spec.steps[j].end()) out.push_back(j);
    }
    return out;
  };
  auto excluded = [&](const std::string& s) {
    for (const auto& x : spec.exclusions) if (x.stage == s) return true;
    return false;
  };
  auto key = [&](const std::string& s) {
    auto st = steps_of(s);
    return st.empty() ? (excluded(s) ? k : -1) : st.front();
  };
  std::vector<std::pair<std::int64_t, std::string>> kept;
  for (auto& e : ev) if (key(e.second) >= 0) kept.push_back(e);
  std::stable_sort(kept.begin(), kept.end(), [&](auto& a, auto& b) {
    return a.first != b.first ? a.first < b.first : key(a.second) < key(b.second);
  });
  const auto W = spec.within_seconds;
  brute_result best;
  std::int64_t latest_live = -1;
  for (std::size_t a = 0; a < kept.size(); ++a) {
    auto st = steps_of(kept[a].second);
    if (st.empty() || st.front() != 0) continue;
    brute_result r;
    r.level = 1;
    r.times = {kept[a].first};
    bool stopped = false;
    if (spec.order == step_order::any) {
      std::vector<std::int64_t> first(k, -1);
      for (auto i = a + 1; i < kept.size() && kept[i].first - kept[a].first <= W; ++i) {
        for (int j : steps_of(kept[i].second)) if (j > 0 && first[j] < 0) first[j] = kept[i].first;
      }
      while (r.level < k && first[r.level] >= 0) {
        r.times.push_back(std::max(r.times.back(), first[r.level]));
        ++r.level;
      }
    } else {
      for (auto i = a + 1; i < kept.size(); ++i) {
        if (kept[i].first - kept[a].first > W) break;
        const auto& s = kept[i].second;
        bool stop = false;
        for (const auto& x : spec.exclusions) stop |= x.stage == s && r.level > x.from && r.level <= x.to;
        auto sts = steps_of(s);
        const bool next = r.level < k && std::find(sts.begin(), sts.end(), r.level) != sts.end();
        if (spec.order == step_order::strict && !sts.empty() && !next) stop = true;
        if (stop) {
          stopped = true;
          break;
        }
        if (next) {
          r.times.push_back(kept[i].first);
          ++r.level;
        }
      }
    }
    if (!stopped) latest_live = kept[a].first;
    if (r.level > best.level) best = r;
  }
  best.open = best.level > 0 && best.level < k && latest_live >= 0 && as_of - latest_live < W;
  return best;
}

}  // namespace

TEST_CASE("window funnel: every deal equals a brute-force walk of each attempt (random logs, ties)") {
  std::mt19937_64 rng(7);
  const std::vector<std::string> names = {"A", "B", "C", "D", "X"};
  for (int trial = 0; trial < 60; ++trial) {
    hand::columns c;
    std::vector<std::vector<std::pair<std::int64_t, std::string>>> events(40);
    std::vector<std::string> ids;
    for (int d = 0; d < 40; ++d) ids.push_back("deal" + std::to_string(d));
    for (int i = 0; i < 400; ++i) {
      const int d = static_cast<int>(rng() % 40);
      const auto& s = names[rng() % names.size()];
      const double t = static_cast<double>(rng() % 30);  // whole days: many ties
      c.add(ids[d], s, t, "r", 1);
    }
    const auto log = raw_log(c);
    // The log drops exact duplicates and consecutive repeats; read back what it kept.
    for (std::int64_t k = 0; k < log.num_deals(); ++k) {
      for (auto i = log.deal_begin(k); i < log.deal_end(k); ++i) {
        events[k].emplace_back(log.times()[i], log.stage_names()[log.stages()[i]]);
      }
    }
    window_spec spec;
    spec.steps = {{"A"}, {"B", "D"}, {"C"}, {"B"}};
    spec.within_seconds = static_cast<std::int64_t>(1 + rng() % 12) * day;
    spec.order = static_cast<step_order>(trial % 3);
    if (spec.order != step_order::any && trial % 2) spec.exclusions = {{1, 3, "X"}};
    const std::int64_t as_of = 25 * day;
    window_options opt;
    opt.as_of = as_of;
    auto per = window_deal_results(log, spec, opt);
    REQUIRE(per.ok());
    for (std::int64_t k = 0; k < log.num_deals(); ++k) {
      std::vector<std::pair<std::int64_t, std::string>> upto;
      for (auto& e : events[k]) if (e.first <= as_of) upto.push_back(e);
      const auto want = brute(upto, spec, as_of);
      const auto& got = (*per)[k];
      INFO("trial ", trial, " deal ", k, " order ", step_order_name(spec.order));
      REQUIRE(got.level == want.level);
      CHECK(got.open == want.open);
      for (int j = 0; j < got.level; ++j) CHECK(got.step_time[j] == want.times[j]);
    }
  }
}

TEST_CASE("window funnel: statistics of two halves merge to the whole; groups by rep and cohort") {
  auto all = six_deals();
  hand::columns odd, even;
  for (std::size_t i = 0; i < all.deal.size(); ++i) {
    auto& half = (all.deal[i].back() - '0') % 2 ? odd : even;
    half.add(all.deal[i], all.stage[i], static_cast<double>(all.time[i]) / day, "r", 1);
  }
  const auto opt = at_day(20);
  auto whole = compute_window_stats(raw_log(all), abc(), opt);
  auto a = compute_window_stats(raw_log(odd), abc(), opt);
  auto b = compute_window_stats(raw_log(even), abc(), opt);
  REQUIRE(whole.ok());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(a->merge(*b).ok());
  CHECK(*a == *whole);
  CHECK(a->merge(*b).code() == absl::StatusCode::kFailedPrecondition);  // b's 3 deals twice
  auto back = deserialize_window_stats(serialize(*a));
  REQUIRE(back.ok());
  CHECK(*back == *whole);
  CHECK(back->deal_keys.size() == 7);  // d1..d7, d7 too: it has events by as_of
  auto other = compute_window_stats(raw_log(odd), abc(step_order::strict), opt);
  CHECK(a->merge(*other).code() == absl::StatusCode::kInvalidArgument);
  auto later = compute_window_stats(raw_log(odd), abc(), at_day(21));
  CHECK(a->merge(*later).code() == absl::StatusCode::kFailedPrecondition);

  // By the week of entry to step A: d1..d4 entered in the week of 1970-01-01
  // (a Thursday; its Monday is 1969-12-29), d4's chosen attempt on day 4
  // (1970-01-05, the next week), d5 and d6 on days 18, 19 (week of 1970-01-19).
  auto by = compute_window_stats_by(raw_log(all), abc(), "cohort_week", opt);
  REQUIRE(by.ok());
  auto by_back = deserialize_grouped_window_stats(serialize(*by));
  REQUIRE(by_back.ok());
  CHECK(by_back->labels == by->labels);
  CHECK(by_back->stats == by->stats);
  REQUIRE(by.ok());
  REQUIRE(by->labels == std::vector<std::string>{"1969-12-29", "1970-01-05", "1970-01-19"});
  CHECK(make_window_report(by->stats[0]).steps[0].entered == 3);
  CHECK(make_window_report(by->stats[1]).steps[0].entered == 1);
  CHECK(make_window_report(by->stats[2]).steps[1].immature == 1);
  auto reps = compute_window_stats_by(raw_log(all), abc(), "rep", opt);
  REQUIRE(reps.ok());
  CHECK(reps->labels == std::vector<std::string>{"r"});
  CHECK(*whole == reps->stats[0]);
}

TEST_CASE("window funnel: 100 steps work and match their brute force") {
  hand::columns c;
  window_spec spec;
  const std::vector<std::string> deals = {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"};
  for (int j = 0; j < 100; ++j) spec.steps.push_back({"s" + std::to_string(j)});
  spec.within_seconds = 200 * day;
  // Deal p goes through the first 10 * p + 5 steps, one a day.
  for (int p = 0; p < 10; ++p) {
    for (int j = 0; j < 10 * p + 5; ++j) c.add(deals[p], spec.steps[j][0], j, "r", 1);
  }
  const auto log = raw_log(c);
  const auto rep = report_of(log, spec, 400);
  CHECK(rep.steps[0].entered == 10);
  CHECK(rep.steps[99].converted == 0);
  CHECK(rep.steps[95].converted == 0);
  CHECK(rep.steps[94].converted == 1);  // p9 reaches step 94
  CHECK(rep.steps[5].converted == 9);
  CHECK(rep.steps[94].median_days_from_first == doctest::Approx(94).epsilon(0.02));
  spec.steps.resize(window_spec::max_steps + 1, {"s0"});
  CHECK(compute_window_stats(log, spec).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("window funnel on a graph log: won or lost deals are never immature (the outcome rule)") {
  // Five hand deals read at day 5, window 30 days: B was disqualified on day
  // 4 after Contact and D on day 3 at Lead; both windows are open, but their
  // outcome is known, so they are dropped, not immature.
  const auto log = hand::build(hand::five_deals());
  window_spec spec;
  spec.steps = {{"Lead"}, {"Contact"}, {"First Meeting"}};
  spec.within_seconds = 30 * day;
  const auto rep = report_of(log, spec, 5);
  CHECK(rep.steps[1].entered == 5);
  CHECK(rep.steps[1].converted == 4);  // A, B, C, E
  CHECK(rep.steps[1].immature == 0);   // D is lost
  CHECK(rep.steps[2].converted == 3);  // A, C (on day 5), E
  CHECK(rep.steps[2].immature == 0);   // B is lost
  CHECK(rep.steps[2].conversion.estimate == doctest::Approx(3.0 / 4));
}

TEST_CASE("window statistics whose counts exceed their deals are refused when read (a fuzz finding)") {
  auto s = compute_window_stats(raw_log(six_deals()), abc(), at_day(20));
  REQUIRE(s.ok());
  REQUIRE(deserialize_window_stats(serialize(*s)).ok());  // the real statistics read back
  // Seven deals: a level, a completion bucket or an immature bucket above 7
  // cannot be counts of them; near 2^62 the report's sums overflowed.
  auto big = *s;
  big.open_by_level[1] = std::int64_t{1} << 62;
  CHECK(deserialize_window_stats(serialize(big)).status().code() == absl::StatusCode::kDataLoss);
  big = *s;
  big.closed_by_level[3] += 5;  // 7 deals in all would be 12
  CHECK(deserialize_window_stats(serialize(big)).status().code() == absl::StatusCode::kDataLoss);
  big = *s;
  big.converted_at[0] = 8;
  CHECK(deserialize_window_stats(serialize(big)).status().code() == absl::StatusCode::kDataLoss);
}
