// markov/*: the exact absorbing solve, the sensitivity ranking and the Monte
// Carlo forecast (--states, --reps, --open-deals, --trials).
//
// The chain: N - 2 transient stages S0..S(N-3) (S0 the entry) plus Won and
// Lost. Each transient stage moves forward, to one earlier stage (a loop),
// to Won and to Lost, with probabilities drawn once from a fixed seed, so
// every run times the same matrix. Timings of the solve and the sensitivity
// are the median of --reps calls (--reps / 20 with removal effects).
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <salesfunnel/detail/parallel.hpp>
#include <salesfunnel/model/forecast.hpp>
#include <salesfunnel/model/markov.hpp>

#include "bench.hpp"

namespace sf = salesfunnel;

namespace bench {
namespace {

sf::markov_model chain(int states) {
  sf::stage_graph g("bench");
  const int t = states - 2;
  for (int i = 0; i < t; ++i) {
    (void)g.add_stage("S" + std::to_string(i),
                      i == 0 ? sf::stage_kind::entry : sf::stage_kind::open);
  }
  (void)g.add_stage("Won", sf::stage_kind::won);
  (void)g.add_stage("Lost", sf::stage_kind::lost);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0.05, 1.0);
  std::vector<std::tuple<std::string, std::string, double>> p;
  for (int i = 0; i < t; ++i) {
    const std::string a = "S" + std::to_string(i);
    std::vector<std::string> to = {"Won", "Lost"};
    if (i + 1 < t) to.push_back("S" + std::to_string(i + 1));
    if (i > 0) {
      to.push_back("S" + std::to_string(static_cast<int>(rng() % static_cast<unsigned>(i))));
    }
    std::vector<double> w;
    double sum = 0;
    for (std::size_t k = 0; k < to.size(); ++k) {
      // Forward moves dominate, so deals take many steps, as in a real funnel.
      w.push_back(u(rng) * (k == 2 ? 6.0 : 1.0));
      sum += w.back();
    }
    for (std::size_t k = 0; k < to.size(); ++k) {
      (void)g.add_transition(a, to[k]);
      p.emplace_back(a, to[k], w[k] / sum);
    }
  }
  std::vector<std::pair<std::string, double>> dwell;
  for (int i = 0; i < t; ++i) dwell.emplace_back("S" + std::to_string(i), 1.0 + i % 5);
  return value_or_exit(sf::markov_model::from_probabilities(g, p, dwell), "model");
}

/// The chain, its analysis, and the median solve time once measured (the
/// sensitivity line states its cost in solves).
struct fixture {
  sf::markov_model model;
  sf::absorption_result analysis;
  std::optional<double> solve_us;

  explicit fixture(const options& o)
      : model(chain(static_cast<int>(o.states))),
        analysis(value_or_exit(model.analyze(), "analyze")) {
    std::printf(
        "chain: %lld states (%lld transient), %zu edges; P(won | S0) = %.6f, %.3f expected "
        "steps\n",
        static_cast<long long>(o.states), static_cast<long long>(o.states - 2),
        model.edges().size(), analysis.win_probability[0], analysis.expected_steps[0]);
  }

  double solve_median_us(std::int64_t reps) {
    if (!solve_us) {
      solve_us = 1e6 * median_seconds(reps, [&] { keep(model.analyze()->win_probability[0]); });
    }
    return *solve_us;
  }
};

fixture& chain_for(const options& o) {
  static fixture f(o);
  return f;
}

void run_solve(const options& o) {
  std::printf("analyze (absorption, steps, days)   %9.2f us\n",
              chain_for(o).solve_median_us(o.reps));
}

void run_sensitivity(const options& o) {
  auto& f = chain_for(o);
  const double us = 1e6 * median_seconds(o.reps, [&] {
                      keep(sf::sensitivity(f.model, std::nullopt, 1.0, false)
                               ->front()
                               .wins_per_100_per_point);
                    });
  std::printf("sensitivity, all %zu edges           %9.2f us  (%.2fx one analyze)\n",
              f.model.edges().size(), us, us / f.solve_median_us(o.reps));
}

void run_removal_effects(const options& o) {
  const auto& m = chain_for(o).model;
  const double us = 1e6 * median_seconds(std::max<std::int64_t>(1, o.reps / 20), [&] {
                      keep(sf::sensitivity(m)->front().removal_effect);
                    });
  std::printf("sensitivity + removal effects       %9.2f us\n", us);
}

// The forecast of issue 12: --open-deals deals spread evenly over the
// transient stages (deal i at stage i mod T), a 90-day horizon in 7-day
// periods, --trials trials. Without amounts every deal goes through the
// count path. With amounts of their own (1,000 + i / 100: no two equal)
// every deal takes one draw per trial on the per-deal path. With list prices
// (1,000 + 100 x (i mod 97): 97 prices) each (stage, price) group is one
// binomial a trial on the grouped path.
enum class amounts { none, own, prices };

std::vector<sf::open_deal> spread_deals(const options& o, amounts a) {
  const auto t = static_cast<std::int64_t>(o.states - 2);
  std::vector<sf::open_deal> open(static_cast<std::size_t>(o.open_deals));
  for (std::int64_t i = 0; i < o.open_deals; ++i) {
    const double x = static_cast<double>(i);
    const double amount = a == amounts::none ? std::nan("")
                          : a == amounts::own ? 1000.0 + x / 100
                                              : 1000.0 + 100.0 * static_cast<double>(i % 97);
    open[static_cast<std::size_t>(i)] = sf::open_deal{static_cast<sf::stage_id>(i % t), amount};
  }
  return open;
}

double time_forecast(const options& o, amounts a, double& mean_wins, double& mean_revenue) {
  const auto& f = chain_for(o);
  const auto open = spread_deals(o, a);
  sf::forecast_options fo;
  fo.horizon_days = 90;
  fo.period_days = 7;
  fo.trials = o.trials;
  fo.threads = o.threads;
  std::optional<sf::forecast_result> r;
  const double s =
      median_seconds(1, [&] { r = value_or_exit(sf::forecast(f.model, open, fo), "forecast"); });
  mean_wins = r->mean_wins;
  mean_revenue = r->mean_revenue;
  return s;
}

void run_forecast(const options& o) {
  double wins = 0, revenue = 0;
  const double s = time_forecast(o, amounts::none, wins, revenue);
  std::printf("forecast %lld trials x %lld open deals, no amounts: %.3f s on %d thread(s); "
              "mean wins %.1f\n",
              static_cast<long long>(o.trials), static_cast<long long>(o.open_deals), s,
              sf::detail::resolve_threads(o.threads), wins);
}

// The per-deal path's rate: one draw per deal per trial, so draws / s / core
// = trials x deals / (seconds x threads), the count path's time included.
void run_forecast_amounts(const options& o) {
  double wins = 0, revenue = 0;
  const double s = time_forecast(o, amounts::own, wins, revenue);
  const int used = sf::detail::resolve_threads(o.threads);
  const double draws = static_cast<double>(o.trials) * static_cast<double>(o.open_deals);
  std::printf("forecast %lld trials x %lld open deals, amounts of their own: %.3f s on %d thread(s); "
              "%.1f M deal outcomes/s/core; mean wins %.1f, mean revenue %.4g\n",
              static_cast<long long>(o.trials), static_cast<long long>(o.open_deals), s, used,
              draws / s / used / 1e6, wins, revenue);
}

void run_forecast_prices(const options& o) {
  double wins = 0, revenue = 0;
  const double s = time_forecast(o, amounts::prices, wins, revenue);
  std::printf("forecast %lld trials x %lld open deals, 97 list prices: %.3f s on %d thread(s); "
              "mean wins %.1f, mean revenue %.4g\n",
              static_cast<long long>(o.trials), static_cast<long long>(o.open_deals), s,
              sf::detail::resolve_threads(o.threads), wins, revenue);
}

constexpr benchmark benchmarks[] = {
    {"markov/solve", "markov_model::analyze: absorption, expected steps and days", run_solve},
    {"markov/sensitivity", "sensitivity of every edge, without removal effects", run_sensitivity},
    {"markov/removal_effects", "sensitivity with exact removal effects (a re-solve per edge)",
     run_removal_effects},
    {"markov/forecast", "forecast: --trials x --open-deals deals without amounts, 90 days",
     run_forecast},
    {"markov/forecast_amounts", "forecast: --trials x --open-deals deals, each with an amount of its own, 90 days",
     run_forecast_amounts},
    {"markov/forecast_prices", "forecast: --trials x --open-deals deals at 97 list prices, 90 days",
     run_forecast_prices},
};

}  // namespace

std::span<const benchmark> markov_benchmarks() { return benchmarks; }

}  // namespace bench
