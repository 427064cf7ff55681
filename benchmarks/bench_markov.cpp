// salesfunnel_bench_markov: times the exact absorbing solve, the sensitivity
// ranking and the Monte Carlo forecast.
//
//   salesfunnel_bench_markov [--states N] [--reps N] [--deals N] [--trials N] [--threads N]
//
// The chain: N - 2 transient stages S0..S(N-3) (S0 the entry) plus Won and
// Lost. Each transient stage moves forward, to one earlier stage (a loop),
// to Won and to Lost, with probabilities drawn once from a fixed seed, so
// every run times the same matrix. Timings are the median of --reps calls.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <salesfunnel/salesfunnel.hpp>

namespace sf = salesfunnel;

namespace {

sf::markov_model chain(int states) {
  sf::stage_graph g("bench");
  const int t = states - 2;
  for (int i = 0; i < t; ++i) {
    (void)g.add_stage("S" + std::to_string(i), i == 0 ? sf::stage_kind::entry : sf::stage_kind::open);
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
    if (i > 0) to.push_back("S" + std::to_string(static_cast<int>(rng() % static_cast<unsigned>(i))));
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
  auto m = sf::markov_model::from_probabilities(g, p, dwell);
  if (!m.ok()) {
    std::fprintf(stderr, "model: %s\n", std::string(m.status().message()).c_str());
    std::exit(1);
  }
  return *m;
}

template <class F>
double median_us(int reps, F&& f) {
  std::vector<double> t(static_cast<std::size_t>(reps));
  for (auto& x : t) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    x = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  }
  std::nth_element(t.begin(), t.begin() + reps / 2, t.end());
  return t[static_cast<std::size_t>(reps / 2)];
}

}  // namespace

int main(int argc, char** argv) {
  int states = 50, reps = 2001, threads = 0;
  std::int64_t deals = 1000, trials = 2000;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--states") states = std::atoi(next());
    else if (a == "--reps") reps = std::atoi(next());
    else if (a == "--deals") deals = std::atoll(next());
    else if (a == "--trials") trials = std::atoll(next());
    else if (a == "--threads") threads = std::atoi(next());
    else {
      std::fprintf(stderr,
                   "usage: salesfunnel_bench_markov [--states N] [--reps N] [--deals N] [--trials N] "
                   "[--threads N]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  const auto m = chain(states);
  auto a = m.analyze();
  if (!a.ok()) return 1;
  std::printf("chain: %d states (%d transient), %zu edges; P(won | S0) = %.6f, %.3f expected steps\n",
              states, states - 2, m.edges().size(), a->win_probability[0], a->expected_steps[0]);
  double sink = 0;
  const double solve = median_us(reps, [&] { sink += m.analyze()->win_probability[0]; });
  const double sens = median_us(reps, [&] {
    sink += sf::sensitivity(m, std::nullopt, 1.0, false)->front().wins_per_100_per_point;
  });
  const double full = median_us(std::max(1, reps / 20), [&] {
    sink += sf::sensitivity(m)->front().removal_effect;
  });
  std::printf("analyze (absorption, steps, days)   %9.2f us\n", solve);
  std::printf("sensitivity, all %zu edges           %9.2f us  (%.2fx one analyze)\n", m.edges().size(),
              sens, sens / solve);
  std::printf("sensitivity + removal effects       %9.2f us\n", full);

  // Monte Carlo: every deal starts at S0 and runs until won or lost (an
  // unbounded horizon), so the transitions simulated are, in expectation,
  // trials x deals x expected_steps[S0].
  std::vector<sf::open_deal> open(static_cast<std::size_t>(deals), sf::open_deal{0, 1.0});
  sf::forecast_options o;
  o.horizon_days = 1e12;
  o.period_days = 1e12;
  o.trials = trials;
  o.threads = threads;
  const auto t0 = std::chrono::steady_clock::now();
  auto f = sf::forecast(m, open, o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!f.ok()) return 1;
  const int used = sf::detail::resolve_threads(threads);
  const double moves = static_cast<double>(trials) * static_cast<double>(deals) * a->expected_steps[0];
  std::printf("forecast %lld trials x %lld deals: %.3f s on %d thread(s); ~%.3g transitions, "
              "%.1f M transitions/s/core; mean wins %.2f (exact %.2f)\n",
              static_cast<long long>(trials), static_cast<long long>(deals), s, used, moves,
              moves / s / used / 1e6, f->mean_wins, static_cast<double>(deals) * a->win_probability[0]);
  return sink == 12345.678 ? 3 : 0;
}
