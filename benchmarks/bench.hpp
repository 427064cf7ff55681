// What the parts of salesfunnel_bench share: the options, a registry entry,
// the timing helper. bench_main.cpp holds the registry and the argument
// parser; bench_funnel.cpp and bench_markov.cpp each hold one group of
// benchmarks over a fixture that is built once per run, on first use.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

namespace bench {

/// Every option of the binary; each benchmark reads the ones it needs.
struct options {
  std::string filter;  ///< substring, or a glob if it holds * ? or [
  bool list = false;
  int threads = 0;  ///< 0: every hardware thread
  // funnel/*: the generated log
  std::int64_t events = 10'000'000;
  std::int64_t deals = 1'000'000;
  std::int64_t seed = 1;
  std::int64_t as_of = -1;  ///< funnel: a fixed reading time (seconds); -1: the log's latest event
  // markov/*: the chain, the median's sample size and the Monte Carlo forecast
  std::int64_t states = 50;
  std::int64_t reps = 2001;
  std::int64_t open_deals = 1000;
  std::int64_t trials = 2000;
};

/// One named benchmark. It prints its own line(s) of figures.
struct benchmark {
  std::string_view name;  ///< "group/case"
  std::string_view what;  ///< one line for --list
  void (*run)(const options&);
};

std::span<const benchmark> funnel_benchmarks();
std::span<const benchmark> markov_benchmarks();

/// The median wall time of `reps` calls of f, in seconds (reps = 1: one call).
template <class F>
double median_seconds(std::int64_t reps, F&& f) {
  std::vector<double> t(static_cast<std::size_t>(std::max<std::int64_t>(reps, 1)));
  for (auto& x : t) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    x = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const auto mid = t.begin() + static_cast<std::ptrdiff_t>(t.size() / 2);
  std::nth_element(t.begin(), mid, t.end());
  return *mid;
}

/// The value of r, or exit with its error: a benchmark whose setup failed
/// has nothing to time.
template <class T>
T value_or_exit(absl::StatusOr<T> r, std::string_view what) {
  if (!r.ok()) {
    std::fprintf(stderr, "salesfunnel_bench: %.*s: %s\n", static_cast<int>(what.size()),
                 what.data(), std::string(r.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(r);
}

/// Feeds a result to a volatile, so the optimizer cannot drop the timed call.
void keep(double x);

/// The process's peak resident set so far.
long peak_rss_mib();

}  // namespace bench
