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

#include <boost/random/binomial_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// The seed of trial t of a run seeded with `seed` (each trial has its own
/// generator, so results do not depend on which thread runs it).
inline std::uint64_t trial_seed(std::uint64_t seed, std::int64_t t) {
  return splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(t)));
}

/// xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear pseudorandom
/// number generators", 2021): four words of state, a few shifts, rotations
/// and one multiply per 64-bit output. The state is filled from the seed by
/// splitmix64, as its authors recommend. A uniform random bit generator, so
/// Boost.Random's distributions take it.
class xoshiro256ss {
 public:
  using result_type = std::uint64_t;
  explicit xoshiro256ss(std::uint64_t seed) {
    for (auto& w : s_) {
      w = splitmix64(seed);
      seed += 0x9E3779B97F4A7C15ULL;
    }
  }
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() {
    const std::uint64_t out = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return out;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

/// 64 independent Bernoulli draws at once: bit i of the result is set when
/// lane i's 53-bit uniform integer u_i is below `threshold` (so with
/// probability threshold / 2^53), for the lanes set in `lanes`. The u_i are
/// compared bit-sliced, most significant bit first: word k of the generator
/// holds bit 52 - k of every lane's u, and a lane is decided at the first bit
/// where its u differs from the threshold. Half the undecided lanes decide at
/// each bit, so 64 lanes take about eight words instead of 64 — exact, since
/// the bits of the u_i a lane never reads do not change its outcome.
inline std::uint64_t bernoulli_lanes(xoshiro256ss& rng, std::uint64_t threshold, std::uint64_t lanes) {
  if (threshold >= std::uint64_t{1} << 53) return lanes;
  std::uint64_t below = 0, open = lanes;
  for (int k = 52; k >= 0 && open != 0; --k) {
    if ((threshold & ((std::uint64_t{2} << k) - 1)) == 0) break;  // no 1 bit left: no lane can end below
    const std::uint64_t t = (threshold >> k & 1) != 0 ? ~std::uint64_t{0} : 0;
    const std::uint64_t u = rng();
    below |= open & ~u & t;
    open &= ~(u ^ t);
  }
  return below;
}

/// Binomial(n, p) by Boost.Random's BTRD (Hormann 1993, "The generation of
/// binomial random variates"; inversion when n p < 11): an explicit
/// algorithm, unlike std::binomial_distribution, whose algorithm is the
/// standard library's choice, so a seed gives the same draws everywhere.
inline std::int64_t binomial(xoshiro256ss& rng, std::int64_t n, double p) {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  return boost::random::binomial_distribution<std::int64_t, double>(n, p)(rng);
}

/// Poisson(mean) by Boost.Random's PTRD (Hormann 1993, "The transformed
/// rejection method for generating Poisson random variables"; inversion
/// when the mean is below 10).
inline std::int64_t poisson(xoshiro256ss& rng, double mean) {
  if (!(mean > 0)) return 0;
  return boost::random::poisson_distribution<std::int64_t, double>(mean)(rng);
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
