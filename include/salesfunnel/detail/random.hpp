// Internal: seeded random numbers that do not depend on the standard
// library's distributions, so seeded results are the same everywhere.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// A uniform double in [0, 1) from 53 random bits.
inline double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// An exponential draw with the given mean (0 for a mean <= 0).
inline double exponential(std::mt19937_64& rng, double mean) {
  return mean <= 0 ? 0.0 : -mean * std::log1p(-uniform01(rng));
}

/// The index of the first cumulative probability above a uniform draw: the
/// next state of a chain whose row is given as (cumulative p, state) pairs.
template <class Row>
auto draw_next(std::mt19937_64& rng, const Row& cumulative) {
  const double u = uniform01(rng);
  for (const auto& [c, b] : cumulative) {
    if (u < c) return b;
  }
  return cumulative.back().second;
}

/// Per row of a row-major [S x S] transition matrix: the states with a
/// positive probability, with cumulative probabilities, for draw_next.
inline std::vector<std::vector<std::pair<double, std::int32_t>>> cumulative_rows(
    const std::vector<double>& p, std::size_t S) {
  std::vector<std::vector<std::pair<double, std::int32_t>>> next(S);
  for (std::size_t a = 0; a < S; ++a) {
    double c = 0;
    for (std::size_t b = 0; b < S; ++b) {
      if (p[a * S + b] > 0) next[a].emplace_back(c += p[a * S + b], static_cast<std::int32_t>(b));
    }
  }
  return next;
}

/// Linear-interpolation quantile of sorted values (numpy's default).
inline double quantile_sorted(const std::vector<double>& v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace detail
SALESFUNNEL_END_NAMESPACE
