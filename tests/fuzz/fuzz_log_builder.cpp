// libFuzzer: the event-log builder through the C ABI. Rows of deal ids (as
// integers or text), stage names (the template's, unknown ones, raw bytes),
// times in any unit, amounts (any double bit pattern) and options; every
// call returns a status, and a built log keeps its counts consistent.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "salesfunnel/salesfunnel.h"

namespace {

const char* const kStages[] = {"Lead",   "Contact", "First Meeting", "Active Prospect",
                               "Client", "Advocate", "Lost",         "No Decision",
                               "Disqualified", "Nurture"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::input in(data, size);
  sf_error err;
  const std::uint8_t flags = in.byte();
  const std::size_t n = in.byte() % 64;
  std::vector<std::string> deal_text(n), stage_text(n);
  std::vector<std::int64_t> deal_int(n), time(n);
  std::vector<double> amount(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t pick = in.byte();
    deal_int[i] = (pick & 0x80) ? in.take<std::int64_t>() : pick % 8;
    deal_text[i] = (pick & 0x40) ? in.text(8) : std::to_string(pick % 8);
    const std::uint8_t s = in.byte();
    stage_text[i] = s < 200 ? kStages[s % 10] : in.text(12);
    const std::uint8_t t = in.byte();
    time[i] = (t & 0x80) ? in.take<std::int64_t>() : static_cast<std::int64_t>(t) * 86400;
    amount[i] = (in.byte() & 1) ? in.take<double>() : 100.0;
  }
  std::vector<const char*> deal_ptr(n), stage_ptr(n);
  for (std::size_t i = 0; i < n; ++i) {
    deal_ptr[i] = deal_text[i].c_str();
    stage_ptr[i] = stage_text[i].c_str();
  }

  sf_graph* g = nullptr;
  sf_graph_template((flags & 1) ? "ten_commitments" : "sales_cycle", &g, &err);
  sf_log_builder* b = nullptr;
  FUZZ_CHECK(sf_log_builder_create(&b, &err) == SF_OK);
  if (flags & 2) sf_log_builder_set_deal_str(b, deal_ptr.data(), n, &err);
  else sf_log_builder_set_deal_int64(b, deal_int.data(), n, &err);
  sf_log_builder_set_stage_str(b, stage_ptr.data(), n, &err);
  // Only valid units: in C++ even holding an out-of-range enum is undefined
  // (UBSan flagged this harness); tests/c/test_capi_bad_input.c passes 99 from C.
  const auto unit = static_cast<sf_time_unit>((flags >> 2) % 4);
  FUZZ_CHECK(sf_log_builder_set_time(b, time.data(), n, unit, &err) == SF_OK);
  if (flags & 0x10) sf_log_builder_set_amount(b, amount.data(), n, &err);
  if (!(flags & 0x20)) sf_log_builder_set_graph(b, g, &err);
  if (flags & 0x40) sf_log_builder_set_strict(b, 1, &err);
  sf_log_builder_set_threads(b, (flags & 0x80) ? 3 : 1, &err);

  sf_log* log = nullptr;
  const sf_status st = sf_log_builder_build(b, &log, &err);
  FUZZ_CHECK(st == SF_OK || err.message[0] != '\0');
  FUZZ_CHECK(st == SF_OK || log == nullptr);
  FUZZ_CHECK(st != SF_INTERNAL && st != SF_UNKNOWN);
  if (st == SF_OK) {
    std::int64_t events = -1, deals = -1, dup = 0, rep = 0, after = 0;
    FUZZ_CHECK(sf_log_num_events(log, &events, &err) == SF_OK);
    FUZZ_CHECK(sf_log_num_deals(log, &deals, &err) == SF_OK);
    sf_log_issue_count(log, SF_ISSUE_DUPLICATE_EVENTS, &dup, nullptr, &err);
    sf_log_issue_count(log, SF_ISSUE_REPEATED_STAGE_EVENTS, &rep, nullptr, &err);
    sf_log_issue_count(log, SF_ISSUE_EVENTS_AFTER_OUTCOME, &after, nullptr, &err);
    FUZZ_CHECK(events >= 0 && deals >= 0 && deals <= events);
    FUZZ_CHECK(events <= static_cast<std::int64_t>(n));
    FUZZ_CHECK(dup >= 0 && rep >= 0 && after >= 0);
    if (!(flags & 0x20)) {
      sf_report* r = nullptr;
      const sf_status fs = sf_funnel_create(log, nullptr, &r, &err);
      FUZZ_CHECK(fs != SF_INTERNAL && fs != SF_UNKNOWN);
      if (fs == SF_OK) {
        std::int64_t d, w, l, o;
        FUZZ_CHECK(sf_report_totals(r, &d, &w, &l, &o, &err) == SF_OK);
        FUZZ_CHECK(d == deals && d == w + l + o);
      }
      sf_report_destroy(&r);
    }
  }
  sf_log_destroy(&log);
  sf_log_builder_destroy(&b);
  sf_graph_destroy(&g);
  return 0;
}
