// Intervals for proportions: the Wilson score interval.
//
//   salesfunnel::interval ci = salesfunnel::wilson(842, 8000);  // 10.5% [9.9%, 11.2%]
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// A Wilson score interval for x successes in n trials.
struct interval {
  double estimate = std::numeric_limits<double>::quiet_NaN();
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
};

/// Wilson score interval (z = 1.96 for 95%); NaN fields when n == 0.
inline interval wilson(std::int64_t x, std::int64_t n, double z = 1.959963984540054) {
  interval r;
  if (n <= 0) return r;
  const double nn = static_cast<double>(n), p = static_cast<double>(x) / nn, z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double center = (p + z2 / (2.0 * nn)) / denom;
  const double half = z / denom * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
  r.estimate = p;
  r.low = std::max(0.0, center - half);
  r.high = std::min(1.0, center + half);
  return r;
}

SALESFUNNEL_END_NAMESPACE
