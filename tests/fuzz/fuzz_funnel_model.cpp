// libFuzzer: funnel + Markov model + forecast on logs decoded from the input,
// with invariants: totals add up, every rate is a probability, durations and
// counts are not negative, forecast quantiles are ordered.
#include <cmath>
#include <string_view>
#include <vector>

#include <salesfunnel/salesfunnel.hpp>

#include "fuzz_input.hpp"

namespace sf = salesfunnel;

namespace {

bool probability(double p) { return std::isnan(p) || (p >= -1e-12 && p <= 1 + 1e-12); }
bool not_negative(double d) { return std::isnan(d) || d >= 0; }

void check_report(const sf::funnel_report& r) {
  FUZZ_CHECK(r.deals >= 0 && r.won >= 0 && r.lost >= 0 && r.open >= 0);
  FUZZ_CHECK(r.deals == r.won + r.lost + r.open);
  for (const auto& row : r.stages) {
    FUZZ_CHECK(row.reached >= 0 && row.advanced >= 0 && row.dropped >= 0);
    FUZZ_CHECK(row.closed_here >= 0 && row.in_progress >= 0 && row.open >= 0);
    FUZZ_CHECK(row.reached <= r.deals && row.reached_or_beyond <= r.deals);
    for (const auto* iv : {&row.step_conversion, &row.cumulative_conversion}) {
      FUZZ_CHECK(probability(iv->estimate) && probability(iv->low) && probability(iv->high));
    }
    FUZZ_CHECK(not_negative(row.median_days) && not_negative(row.p90_days));
    FUZZ_CHECK(not_negative(row.mean_days));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::input in(data, size);
  static const sf::stage_graph graph = sf::templates::sales_cycle();
  const auto S = graph.num_stages();
  const std::uint8_t flags = in.byte();
  const std::size_t n = in.byte() % 96;
  std::vector<std::int64_t> deal(n), time(n);
  std::vector<std::int32_t> stage(n);
  std::vector<double> amount(n);
  for (std::size_t i = 0; i < n; ++i) {
    deal[i] = in.byte() % 12;
    stage[i] = in.byte() % S;
    const std::uint8_t t = in.byte();
    time[i] = (t == 255) ? in.take<std::int64_t>() : static_cast<std::int64_t>(t) * 43200;
    amount[i] = in.byte() * 10.0;
  }
  std::vector<std::string_view> names;
  for (sf::stage_id s = 0; s < S; ++s) names.push_back(graph.name_of(s));

  sf::event_columns c;
  c.deal = sf::key_column::integers(deal);
  c.stage = sf::key_column::categorical(std::span<const std::int32_t>(stage), names);
  c.time = time;
  c.amount = amount;
  sf::event_log_options opt;
  opt.graph = graph;
  opt.threads = 1 + (flags & 1);
  auto log = sf::event_log::build(c, opt);
  if (!log.ok()) return 0;

  sf::funnel_options fo;
  fo.threads = opt.threads;
  if (flags & 2) fo.as_of = in.take<std::int64_t>();
  if (flags & 4) fo.stale.days = 1 + in.byte();
  auto rep = sf::funnel(*log, fo);
  if (!rep.ok()) return 0;
  check_report(*rep);

  const double prior = (flags & 8) ? 1.0 : 0.0;
  auto model = sf::markov_model::fit(*log, prior, fo);
  if (!model.ok()) return 0;
  auto a = model->analyze();
  if (a.ok()) {
    for (double p : a->win_probability) FUZZ_CHECK(probability(p));
    for (double d : a->expected_days) FUZZ_CHECK(not_negative(d));
  }

  sf::forecast_options f;
  f.trials = 1 + in.byte() % 32;
  f.horizon_days = 1 + in.byte();
  f.leads_per_week = (flags & 16) ? in.byte() % 8 : 0;
  f.quota = in.byte() % 5;
  f.threads = 1 + (flags >> 5) % 3;
  f.seed = in.take<std::uint64_t>();
  auto fc = sf::forecast(*model, sf::open_deals_of(*model, *log, fo.as_of), f);
  if (!fc.ok()) return 0;
  FUZZ_CHECK(fc->wins_p10 <= fc->wins_p50 && fc->wins_p50 <= fc->wins_p90);
  FUZZ_CHECK(fc->mean_wins >= 0 && probability(fc->p_hit_quota));
  for (double w : fc->wins) FUZZ_CHECK(w >= 0);
  return 0;
}
