#include <doctest/doctest.h>

#include <absl/strings/str_cat.h>

#include <array>
#include <random>
#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;

TEST_CASE("build sorts by deal and time and interns keys") {
  auto c = hand::five_deals();
  std::swap(c.time[0], c.time[4]);  // A's Lead now at day 10, Client at day 0
  std::swap(c.stage[0], c.stage[4]);
  auto log = hand::build(c);
  CHECK(log.num_deals() == 5);
  CHECK(log.num_events() == 18);
  CHECK(log.deal_key(0) == "A");
  auto st = log.stages();
  CHECK(log.stage_names()[st[0]] == "Lead");  // sorted back into time order
  CHECK(log.rows()[0] == 4);                  // the Lead event sat in input row 4
  // Time decreases at row 1 (day 1 after day 10) and row 4 (day 0 after day 6).
  CHECK(log.issues().out_of_order_rows == 2);
  CHECK(log.issues().first_out_of_order_row == 1);
  CHECK(log.rep_names().size() == 2);
  CHECK(log.deal_amount()[0] == 100.0);
}

TEST_CASE("errors name the column and the first offending row") {
  auto c = hand::five_deals();
  c.stage[7] = "Dissqualified";
  event_log_options opt;
  opt.graph = templates::sales_cycle();
  auto bad = event_log::build(c.view(), opt);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  std::string msg(bad.status().message());
  CHECK(msg.find("column 'stage', row 7: unknown stage 'Dissqualified'") != std::string::npos);
  CHECK(msg.find("known stages: Lead, Contact") != std::string::npos);

  auto c2 = hand::five_deals();
  c2.time[3] = null_time;
  auto nat = event_log::build(c2.view(), opt);
  CHECK(std::string(nat.status().message()) == "column 'time', row 3: missing time (NaT)");

  auto c3 = hand::five_deals();
  std::vector<std::uint8_t> valid(c3.deal.size(), 1);
  valid[5] = 0;
  auto cols = c3.view();
  cols.deal = key_column::strings(c3.deal, valid);
  auto nodeal = event_log::build(cols, opt);
  CHECK(std::string(nodeal.status().message()) == "column 'deal', row 5: missing deal id");

  auto cols2 = c3.view();
  std::vector<std::int64_t> short_time(3, 0);
  cols2.time = short_time;
  auto len = event_log::build(cols2, opt);
  CHECK(std::string(len.status().message()) == "column 'time' has 3 rows but column 'deal' has 18");
}

TEST_CASE("issues are counted, never dropped silently; strict makes them errors") {
  auto c = hand::five_deals();
  c.add("F", "Lead", 0, "ann", 1);
  c.add("F", "Lead", 0, "ann", 1);           // duplicate (same time)
  c.add("F", "Lead", 1, "ann", 1);           // repeated stage at a later time
  c.add("F", "Client", 2, "ann", 1);         // Lead -> Client is not an edge
  auto log = hand::build(c);
  CHECK(log.issues().duplicate_events == 1);
  CHECK(log.issues().first_duplicate_row == 19);
  CHECK(log.issues().repeated_stage_events == 1);
  REQUIRE(log.issues().unknown_transitions.size() == 1);
  CHECK(log.issues().unknown_transitions[0].count == 1);
  CHECK(log.issues().unknown_transitions[0].first_row == 21);
  CHECK(log.num_events() == 20);  // 22 rows, two folded into F's Lead visit

  event_log_options strict;
  strict.graph = templates::sales_cycle();
  strict.strict = true;
  auto err = event_log::build(c.view(), strict);
  REQUIRE_FALSE(err.ok());
  CHECK(std::string(err.status().message()).find("row 19: duplicate event") != std::string::npos);
}

TEST_CASE("stage_map folds raw names; integer deal keys; discover a graph") {
  std::vector<std::int64_t> deals = {7, 7, 7, 9, 9};
  std::vector<std::string_view> raw = {"in", "call", "signed", "in", "dead"};
  std::vector<std::int64_t> t = {0, 10, 20, 0, 5};
  event_columns cols;
  cols.deal = key_column::integers(deals);
  cols.stage = key_column::strings(raw);
  cols.time = t;
  event_log_options opt;
  opt.stage_map = {{"in", "Lead"}, {"call", "Contact"}};
  auto log = event_log::build(cols, opt);
  REQUIRE(log.ok());
  CHECK(log->integer_deal_keys());
  CHECK(log->deal_key(1) == "9");
  CHECK(log->num_stages() == 4);  // Lead, Contact, signed, dead
  auto g = discover_stage_graph(*log, {"signed"}, {"dead"});
  REQUIRE(g.ok());
  CHECK(g->kind_of(g->entry()) == stage_kind::entry);
  CHECK(g->name_of(g->entry()) == "Lead");
  CHECK(g->num_transitions() == 3);  // Lead->Contact, Contact->signed, Lead->dead
  auto with = log->with_graph(*g);
  REQUIRE(with.ok());
  auto rep = funnel(*with);
  REQUIRE(rep.ok());
  CHECK(rep->won == 1);
  CHECK(rep->lost == 1);
}

TEST_CASE("categorical codes of any width; codes outside the categories are an error") {
  std::vector<std::int64_t> deals = {1, 1, 2};
  std::vector<std::string_view> cats = {"Lead", "Contact", "Disqualified"};
  std::vector<std::int8_t> codes8 = {0, 1, 0};
  std::vector<std::int16_t> codes16 = {0, 1, 0};
  std::vector<std::int64_t> t = {0, 10, 0};
  event_log_options opt;
  opt.graph = templates::sales_cycle();
  event_columns c;
  c.deal = key_column::integers(deals);
  c.time = t;
  c.stage = key_column::categorical<std::int8_t>(codes8, cats);
  auto a = event_log::build(c, opt);
  c.stage = key_column::categorical<std::int16_t>(codes16, cats);
  auto b = event_log::build(c, opt);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->num_events() == 3);
  CHECK(std::vector<stage_id>(a->stages().begin(), a->stages().end()) ==
        std::vector<stage_id>(b->stages().begin(), b->stages().end()));
  codes8[2] = 5;  // only three categories
  c.stage = key_column::categorical<std::int8_t>(codes8, cats);
  auto bad = event_log::build(c, opt);
  CHECK(std::string(bad.status().message()) ==
        "column 'stage', row 2: category code 5 is outside [0, 3)");
}

TEST_CASE("categorical stages resolve as the same texts as strings do: ids, errors and their rows") {
  // 200,000 rows (two threads' chunks), cycling Lead / Contact / First Meeting.
  // The reference is the string column holding the categories' texts (a null
  // code: an invalid row), built the row-by-row way; the categorical build
  // must give the same stages, stage names and, for each planted fault, the
  // same message naming the first bad row in row order.
  const std::size_t n = 200000;
  std::vector<std::string_view> cats = {"Unused", "First Meeting", "Nope", "  ", "Lead", "Contact", "Also unused"};
  std::vector<std::int64_t> deals(n), t(n);
  std::vector<std::int8_t> codes(n);
  for (std::size_t i = 0; i < n; ++i) {
    deals[i] = static_cast<std::int64_t>(i / 3);
    t[i] = static_cast<std::int64_t>(i % 3);
    codes[i] = static_cast<std::int8_t>(std::array{4, 5, 1}[i % 3]);  // Lead, Contact, First Meeting
  }
  auto build = [&](bool categorical, bool with_graph) {
    std::vector<std::string_view> texts(n);
    std::vector<std::uint8_t> valid(n, 1);
    for (std::size_t i = 0; i < n; ++i) {
      if (codes[i] < 0) valid[i] = 0;
      else texts[i] = cats[static_cast<std::size_t>(codes[i])];
    }
    event_columns c;
    c.deal = key_column::integers(deals);
    c.time = t;
    c.stage = categorical ? key_column::categorical<std::int8_t>(codes, cats) : key_column::strings(texts, valid);
    event_log_options opt;
    if (with_graph) opt.graph = templates::sales_cycle();
    opt.threads = 2;
    return event_log::build(c, opt);
  };
  for (const bool with_graph : {true, false}) {
    auto a = build(true, with_graph), b = build(false, with_graph);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->num_events() == static_cast<std::int64_t>(n));  // unused categories, even "Nope", are no error
    CHECK(a->stage_names() == b->stage_names());  // without a graph: Lead, Contact, First Meeting
    CHECK(std::vector<stage_id>(a->stages().begin(), a->stages().end()) ==
          std::vector<stage_id>(b->stages().begin(), b->stages().end()));
  }
  auto message = [&](bool categorical) { return std::string(build(categorical, true).status().message()); };
  codes[150001] = 2;  // "Nope" at row 150,001 ...
  CHECK(message(true) == message(false));
  CHECK(message(true).starts_with("column 'stage', row 150001: unknown stage 'Nope'"));
  codes[170000] = -1;  // ... a null code after it: the unknown stage still comes first
  CHECK(message(true) == message(false));
  codes[120000] = 3;   // a blank category before both: a missing stage, at its row
  CHECK(message(true) == "column 'stage', row 120000: missing stage");
  CHECK(message(true) == message(false));
  codes[7] = -1;       // a null code first of all
  CHECK(message(true) == "column 'stage', row 7: missing stage");
  CHECK(message(true) == message(false));
}

TEST_CASE("moves off the graph are counted the same for small and large graphs") {
  // A chain s0 -> s1 -> ... -> s(S-1) (won). Deal 1: s0, s1, s3 (rows 0-2;
  // s1 -> s3 is off the graph, first at row 2); deal 2: s0, s2 (rows 3-4; s0
  // -> s2 off, row 4); deal 3: s0, s1, s3 again (rows 5-7). Ten stages are
  // checked against a dense edge table, 2,100 (past its 2,048-stage limit)
  // against the graph's edge map: the same two pairs, counts and first rows.
  for (const int S : {10, 2100}) {
    stage_graph g("chain");
    for (int s = 0; s < S; ++s) {
      REQUIRE(g.add_stage(absl::StrCat("s", s), s == 0 ? stage_kind::entry : s == S - 1 ? stage_kind::won : stage_kind::open).ok());
    }
    for (int s = 0; s + 1 < S; ++s) REQUIRE(g.add_transition(s, s + 1).ok());
    std::vector<std::int64_t> deals = {1, 1, 1, 2, 2, 3, 3, 3}, t = {0, 1, 2, 0, 1, 0, 1, 2};
    std::vector<std::int64_t> stages = {0, 1, 3, 0, 2, 0, 1, 3};
    event_columns c;
    c.deal = key_column::integers(deals);
    c.stage = key_column::integers(stages);
    c.time = t;
    event_log_options opt;
    opt.graph = g;
    auto log = event_log::build(c, opt);
    REQUIRE(log.ok());
    const auto& u = log->issues().unknown_transitions;
    REQUIRE(u.size() == 2);
    CHECK((u[0].from == 0 && u[0].to == 2 && u[0].count == 1 && u[0].first_row == 4));
    CHECK((u[1].from == 1 && u[1].to == 3 && u[1].count == 2 && u[1].first_row == 2));
    opt.strict = true;
    CHECK(std::string(event_log::build(c, opt).status().message()) ==
          "row 2: transition 's1' -> 's3' is not an edge of the stage graph (strict mode)");
  }
}

TEST_CASE("long key columns are interned in partitions with the ids a single map gives") {
  // 300,000 rows (past the 2^17 rows where intern_keys partitions), 40,000
  // distinct keys drawn at random, every 97th row null. The single map over
  // every row (intern_rows) is the reference: ids by first appearance, the
  // same keys in the same order, -1 on null rows, for 1 and 2 threads.
  constexpr std::size_t n = 300000;
  std::mt19937_64 rng(7);
  std::vector<std::int64_t> ints(n);
  std::vector<std::uint8_t> valid(n, 1);
  std::vector<std::string> texts(n);
  std::vector<std::string_view> views(n);
  for (std::size_t i = 0; i < n; ++i) {
    ints[i] = static_cast<std::int64_t>(rng() % 40000) * 7919 - 5000000;
    texts[i] = "deal-" + std::to_string(ints[i]);
    if (i % 97 == 3) {
      valid[i] = 0;
      texts[i] = "  ";  // blank text is a missing value
    }
  }
  for (std::size_t i = 0; i < n; ++i) views[i] = texts[i];
  const auto by_int = key_column::integers(ints, valid);
  const auto by_text = key_column::strings(views);
  const auto all = [](std::size_t i) { return static_cast<std::int64_t>(i); };
  const auto want_int = detail::intern_rows(by_int, true, n, all);
  const auto want_text = detail::intern_rows(by_text, false, n, all);
  CHECK(want_int.ints.size() > 39000);  // nearly all 40,000 keys drawn
  CHECK(want_int.ids[3] == -1);
  for (int threads : {1, 2}) {
    const auto got_int = detail::intern_keys(by_int, true, threads);
    CHECK(got_int.ids == want_int.ids);
    CHECK(got_int.ints == want_int.ints);
    const auto got_names = detail::intern_keys(by_int, false, threads);
    CHECK(got_names.ids == want_int.ids);
    CHECK(got_names.names.size() == want_int.ints.size());
    CHECK(got_names.names[0] == std::to_string(ints[0]));
    const auto got_text = detail::intern_keys(by_text, false, threads);
    CHECK(got_text.ids == want_text.ids);
    CHECK(got_text.names == want_text.names);
  }
}

TEST_CASE("group_by_key: each key's rows in ascending order, groups by first appearance, nulls left out") {
  // The reference is built by hand from a single map's ids (intern_rows):
  // group g's rows, ascending, laid end to end. Integer and text keys (the
  // partitioned path, long and short columns) and categorical codes (one
  // map and a counting scatter), every 89th row null, 1, 2 and 3 threads.
  for (const std::size_t n : {std::size_t{250000}, std::size_t{1000}}) {
    std::mt19937_64 rng(11);
    std::vector<std::int64_t> ints(n);
    std::vector<std::uint8_t> valid(n, 1);
    std::vector<std::string> texts(n);
    std::vector<std::string_view> views(n);
    std::vector<std::int32_t> codes(n);
    std::vector<std::string_view> cats = {"a", "b", " ", "c", "d"};  // " " is a missing value
    for (std::size_t i = 0; i < n; ++i) {
      ints[i] = static_cast<std::int64_t>(rng() % (n / 8)) * 104729;
      texts[i] = "d" + std::to_string(ints[i]);
      codes[i] = static_cast<std::int32_t>(rng() % 5);
      if (i % 89 == 5) {
        valid[i] = 0;
        texts[i] = "";
        codes[i] = -1;
      }
    }
    for (std::size_t i = 0; i < n; ++i) views[i] = texts[i];
    const auto all = [](std::size_t i) { return static_cast<std::int64_t>(i); };
    for (const auto& col : {key_column::integers(ints, valid), key_column::strings(views),
                            key_column::categorical<std::int32_t>(codes, cats)}) {
      const auto ref = detail::intern_rows(col, false, n, all);
      std::vector<std::vector<std::size_t>> rows_of(ref.names.size());
      for (std::size_t i = 0; i < n; ++i) {
        if (ref.ids[i] >= 0) rows_of[static_cast<std::size_t>(ref.ids[i])].push_back(i);
      }
      std::vector<std::int64_t> want_offsets = {0};
      std::vector<std::size_t> want_rows;
      for (const auto& r : rows_of) {
        want_rows.insert(want_rows.end(), r.begin(), r.end());
        want_offsets.push_back(static_cast<std::int64_t>(want_rows.size()));
      }
      for (int threads : {1, 2, 3}) {
        auto g = detail::group_by_key(col, false, threads);
        const auto names = std::move(g.keys.names);  // as event_log::build does, before the scatter
        CHECK(names == ref.names);
        std::vector<std::size_t> got_rows(want_rows.size(), n);
        const auto offsets = g.scatter(threads, [&](std::int64_t pos, std::size_t row) {
          got_rows[static_cast<std::size_t>(pos)] = row;
        });
        CHECK(offsets == want_offsets);
        CHECK(got_rows == want_rows);
      }
    }
  }
}
