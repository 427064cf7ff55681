// A five-deal log on the sales_cycle template whose numbers are counted by
// hand in the tests (times in days, stored as seconds).
#pragma once
#include <salesfunnel/salesfunnel.hpp>

#include <string_view>
#include <vector>

namespace hand {

constexpr std::int64_t day = 86400;

struct columns {
  std::vector<std::string_view> deal, stage, rep;
  std::vector<std::int64_t> time;
  std::vector<double> amount;
  void add(std::string_view d, std::string_view s, double days, std::string_view r, double amt) {
    deal.push_back(d);
    stage.push_back(s);
    time.push_back(static_cast<std::int64_t>(days * day));
    rep.push_back(r);
    amount.push_back(amt);
  }
  salesfunnel::event_columns view() const {
    salesfunnel::event_columns c;
    c.deal = salesfunnel::key_column::strings(deal);
    c.stage = salesfunnel::key_column::strings(stage);
    c.time = time;
    c.rep = salesfunnel::key_column::strings(rep);
    c.amount = amount;
    return c;
  }
};

// A: won at Client; B: disqualified after Contact; C: open at First Meeting;
// D: disqualified at Lead; E: lost at Active Prospect.
inline columns five_deals() {
  columns c;
  c.add("A", "Lead", 0, "ann", 100);
  c.add("A", "Contact", 1, "ann", 100);
  c.add("A", "First Meeting", 3, "ann", 100);
  c.add("A", "Active Prospect", 6, "ann", 100);
  c.add("A", "Client", 10, "ann", 100);
  c.add("B", "Lead", 0, "bob", 50);
  c.add("B", "Contact", 2, "bob", 50);
  c.add("B", "Disqualified", 4, "bob", 50);
  c.add("C", "Lead", 1, "ann", 70);
  c.add("C", "Contact", 2, "ann", 70);
  c.add("C", "First Meeting", 5, "ann", 70);
  c.add("D", "Lead", 2, "bob", 10);
  c.add("D", "Disqualified", 3, "bob", 10);
  c.add("E", "Lead", 0, "ann", 30);
  c.add("E", "Contact", 1, "ann", 30);
  c.add("E", "First Meeting", 2, "ann", 30);
  c.add("E", "Active Prospect", 4, "ann", 30);
  c.add("E", "Lost", 8, "ann", 30);
  return c;
}

inline salesfunnel::event_log build(const columns& c) {
  salesfunnel::event_log_options opt;
  opt.graph = salesfunnel::templates::sales_cycle();
  auto log = salesfunnel::event_log::build(c.view(), opt);
  REQUIRE(log.ok());
  return *log;
}

}  // namespace hand
