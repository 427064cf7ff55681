// A C++ program using the installed header-first library: the same two deals
// as the C consumer (x open at First Meeting, y disqualified after Contact).
// Expected by hand: 2 deals, 1 lost, 1 open; Contact step conversion 0.5.
#include <salesfunnel/salesfunnel.hpp>

#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

int main() {
  std::vector<std::string_view> deals = {"x", "x", "x", "y", "y", "y"};
  std::vector<std::string_view> stages = {"Lead", "Contact", "First Meeting",
                                          "Lead", "Contact", "Disqualified"};
  std::vector<std::int64_t> t = {0, 86400, 172800, 0, 86400, 172800};
  salesfunnel::event_columns cols;
  cols.deal = salesfunnel::key_column::strings(deals);
  cols.stage = salesfunnel::key_column::strings(stages);
  cols.time = t;
  salesfunnel::event_log_options opt;
  opt.graph = salesfunnel::templates::sales_cycle();
  auto log = salesfunnel::event_log::build(cols, opt);
  if (!log.ok()) return 1;
  auto rep = salesfunnel::funnel(*log);
  if (!rep.ok()) return 1;
  const double step = rep->stages[1].step_conversion.estimate;
  std::printf("salesfunnel %s: %lld deals, %lld lost, %lld open; Contact step %.2f\n",
              SALESFUNNEL_VERSION_STRING, static_cast<long long>(rep->deals),
              static_cast<long long>(rep->lost), static_cast<long long>(rep->open), step);
  return (rep->deals == 2 && rep->lost == 1 && rep->open == 1 && std::abs(step - 0.5) < 1e-12)
             ? 0
             : 1;
}
