// A small pipeline on the sales_cycle template with a meeting log, counted by
// hand in test_pipeline.cpp and test_coverage.cpp (times in days, read at day 100).
//
// deal rep amount path (day)                                         meetings held (day)
// W1   ann  300   Lead 0, Contact 2, FM 4, AP 8, Client 20 (won, 20d)   3 (task+booked), 10 (no task)
// W2   bob  500   Lead 10, Contact 12, FM 15, AP 20, Client 50 (won, 40d) 13 (task+booked)
// L1   ann  400   Lead 0, Contact 5, Disqualified 9                      6 (no task, not booked)
// L2   bob   70   Lead 0, Disqualified 1                                 -
// O1   ann  100   Lead 60, Contact 62, FM 65, AP 70 (open)               63, 66 (no task, booked)
// O2   ann   50   Lead 80, Contact 82, FM 85 (open)                      84 (task+booked)
// O3   bob  200   Lead 75, Contact 76, AP 78 (open; skipped FM)          76 not held, 77, 79 (task, not booked)
// O4   bob   80   Lead 72, Contact 73, FM 74, AP 75, FM 90 (open; back)  73, 74, 76 (task+booked)
// O5   ann   60   Lead 50, Contact 51, Nurture 60 (parked)               -
// O6   bob   NaN  Lead 95 (open, no amount)                              -
// X    -     -    (not a deal of the stage log)                          5
#pragma once

#include <cmath>
#include <limits>

#include "hand_log.hpp"

namespace mlog {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t as_of = 100 * hand::day;

inline hand::columns deals() {
  hand::columns c;
  c.add("W1", "Lead", 0, "ann", 300);
  c.add("W1", "Contact", 2, "ann", 300);
  c.add("W1", "First Meeting", 4, "ann", 300);
  c.add("W1", "Active Prospect", 8, "ann", 300);
  c.add("W1", "Client", 20, "ann", 300);
  c.add("W2", "Lead", 10, "bob", 500);
  c.add("W2", "Contact", 12, "bob", 500);
  c.add("W2", "First Meeting", 15, "bob", 500);
  c.add("W2", "Active Prospect", 20, "bob", 500);
  c.add("W2", "Client", 50, "bob", 500);
  c.add("L1", "Lead", 0, "ann", 400);
  c.add("L1", "Contact", 5, "ann", 400);
  c.add("L1", "Disqualified", 9, "ann", 400);
  c.add("L2", "Lead", 0, "bob", 70);
  c.add("L2", "Disqualified", 1, "bob", 70);
  c.add("O1", "Lead", 60, "ann", 100);
  c.add("O1", "Contact", 62, "ann", 100);
  c.add("O1", "First Meeting", 65, "ann", 100);
  c.add("O1", "Active Prospect", 70, "ann", 100);
  c.add("O2", "Lead", 80, "ann", 50);
  c.add("O2", "Contact", 82, "ann", 50);
  c.add("O2", "First Meeting", 85, "ann", 50);
  c.add("O3", "Lead", 75, "bob", 200);
  c.add("O3", "Contact", 76, "bob", 200);
  c.add("O3", "Active Prospect", 78, "bob", 200);
  c.add("O4", "Lead", 72, "bob", 80);
  c.add("O4", "Contact", 73, "bob", 80);
  c.add("O4", "First Meeting", 74, "bob", 80);
  c.add("O4", "Active Prospect", 75, "bob", 80);
  c.add("O4", "First Meeting", 90, "bob", 80);
  c.add("O5", "Lead", 50, "ann", 60);
  c.add("O5", "Contact", 51, "ann", 60);
  c.add("O5", "Nurture", 60, "ann", 60);
  c.add("O6", "Lead", 95, "bob", nan);
  return c;
}

struct meetings {
  std::vector<std::string_view> deal, task;
  std::vector<std::int64_t> time;
  std::vector<std::uint8_t> held, booked;
  void add(std::string_view d, double days, bool h, std::string_view t, bool b) {
    deal.push_back(d);
    time.push_back(static_cast<std::int64_t>(days * hand::day));
    held.push_back(h ? 1 : 0);
    task.push_back(t);
    booked.push_back(b ? 1 : 0);
  }
  salesfunnel::meeting_log build() const {
    salesfunnel::meeting_columns c;
    c.deal = salesfunnel::key_column::strings(deal);
    c.time = time;
    c.held = held;
    c.buyer_task = salesfunnel::key_column::strings(task);
    c.next_meeting_booked = booked;
    auto m = salesfunnel::meeting_log::build(c);
    REQUIRE(m.ok());
    return *m;
  }
};

inline meetings meeting_rows() {
  meetings m;
  m.add("W1", 3, true, "send org chart", true);
  m.add("W1", 10, true, "", false);
  m.add("W2", 13, true, "survey team", true);
  m.add("L1", 6, true, "", false);
  m.add("O1", 63, true, "", true);
  m.add("O1", 66, true, "", true);
  m.add("O2", 84, true, "send deck", true);
  m.add("O3", 76, false, "", false);
  m.add("O3", 77, true, "", true);
  m.add("O3", 79, true, "survey team", false);
  m.add("O4", 73, true, "a", true);
  m.add("O4", 74, true, "b", true);
  m.add("O4", 76, true, "c", true);
  m.add("X", 5, true, "x", true);
  return m;
}

}  // namespace mlog
