// Durations as mergeable sketches with Kaplan-Meier quantiles.
//
//   salesfunnel::duration_sketch d;
//   d.add(86400, /*censored=*/false);   // a completed one-day stay
//   d.add(3 * 86400, /*censored=*/true); // a stay still running after three days
//   d.km_quantile(0.5);                  // ~86400 seconds
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// A mergeable histogram of durations in whole seconds on log-spaced buckets
/// (relative width 2%), kept separately for completed (observed) and
/// still-running (censored) stays. Merging adds integer counts, so any split
/// of the data merges to exactly the same sketch.
class duration_sketch {
 public:
  static constexpr double gamma = 1.02;

  /// Bucket 0 holds stays shorter than one second; bucket b >= 1 holds
  /// [gamma^(b-1), gamma^b) seconds, as 1 + floor(log(seconds) / log(gamma))
  /// computes it in doubles (bucket_by_log). The hot path reads it from a
  /// table: the double's exponent and top 7 mantissa bits pick a slice of
  /// relative width 1/128, at most one bucket edge lies inside a slice of
  /// more than a few seconds, and the edges are the exact integer
  /// thresholds of the logarithm formula, so the two agree for every input.
  static std::size_t bucket_of(std::int64_t seconds) {
    if (seconds < 1) return 0;
    const auto& t = tables::get();
    auto b = static_cast<std::size_t>(t.slice_base[tables::slice_of(seconds)]);
    while (b + 1 < t.first_second.size() && t.first_second[b + 1] <= seconds) ++b;
    return b;
  }
  /// bucket_of by its definition: one logarithm per call.
  static std::size_t bucket_by_log(std::int64_t seconds) {
    if (seconds < 1) return 0;
    return 1 + static_cast<std::size_t>(std::floor(std::log(static_cast<double>(seconds)) /
                                                   std::log(gamma)));
  }
  /// The value a bucket stands for: its geometric midpoint, in seconds.
  static double bucket_value(std::size_t b) {
    if (b == 0) return 0.0;
    return std::pow(gamma, static_cast<double>(b) - 0.5);
  }

  void add(std::int64_t seconds, bool censored) {
    seconds = std::max<std::int64_t>(seconds, 0);
    add_in_bucket(bucket_of(seconds), seconds, censored);
  }

  /// add() when the caller already knows bucket_of(seconds) (seconds >= 0).
  void add_in_bucket(std::size_t b, std::int64_t seconds, bool censored) {
    if (censored) {
      count_in(censored_, b);
      ++n_censored_;
    } else {
      add_observed_total(seconds);
      add_observed_bucket(b);
    }
  }

  /// add_in_bucket(b, seconds, false) in two halves, for a batch count that
  /// adds each completed stay's total as it goes and its bucket's count
  /// later, sketch group by sketch group (stats/funnel_stats.hpp); the sketch
  /// is whole again once every total has had its bucket.
  void add_observed_total(std::int64_t seconds) {
    ++n_observed_;
    sum_observed_ = saturating_add(sum_observed_, seconds);
  }
  void add_observed_bucket(std::size_t b) { count_in(observed_, b); }

  /// Takes back one add_in_bucket(b, seconds, censored) (live statistics:
  /// a deal's stay taken out before its new history goes in). The sum stays
  /// saturated if it ever saturated.
  void remove_in_bucket(std::size_t b, std::int64_t seconds, bool censored) {
    auto& v = censored ? censored_ : observed_;
    --v[b];
    if (censored) {
      --n_censored_;
    } else {
      --n_observed_;
      if (sum_observed_ != std::numeric_limits<std::int64_t>::max()) sum_observed_ -= seconds;
    }
  }

  void merge(const duration_sketch& o) {
    auto add_into = [](std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
      if (a.size() < b.size()) a.resize(b.size(), 0);
      for (std::size_t i = 0; i < b.size(); ++i) a[i] += b[i];
    };
    add_into(observed_, o.observed_);
    add_into(censored_, o.censored_);
    n_observed_ += o.n_observed_;
    n_censored_ += o.n_censored_;
    sum_observed_ = saturating_add(sum_observed_, o.sum_observed_);
  }

  std::int64_t observed() const { return n_observed_; }
  std::int64_t censored() const { return n_censored_; }
  /// Mean of the completed stays, in seconds (NaN when there are none).
  double mean_observed() const {
    return n_observed_ ? static_cast<double>(sum_observed_) / static_cast<double>(n_observed_)
                       : std::numeric_limits<double>::quiet_NaN();
  }

  /// Kaplan-Meier quantile in seconds: the smallest bucket value t with
  /// S(t) <= 1 - q. Censored stays in a bucket leave the risk set after that
  /// bucket's completions. NaN when the curve never falls that far.
  double km_quantile(double q) const {
    double out = std::numeric_limits<double>::quiet_NaN();
    walk_km([&](std::size_t b, double survival, std::int64_t) {
      if (survival > 1.0 - q + 1e-12) return true;
      out = bucket_value(b);
      return false;
    });
    return out;
  }

  /// The Kaplan-Meier curve at each bucket with completions: the time (the
  /// bucket's value, seconds), S just after it, and the stays at risk just
  /// before it. Starts at (0, 1, all stays).
  struct km_point {
    double seconds;
    double survival;
    std::int64_t at_risk;
  };
  std::vector<km_point> km_curve() const {
    std::vector<km_point> out{{0.0, 1.0, n_observed_ + n_censored_}};
    walk_km([&](std::size_t b, double survival, std::int64_t at_risk) {
      out.push_back({bucket_value(b), survival, at_risk});
      return true;
    });
    return out;
  }

  const std::vector<std::int64_t>& observed_counts() const { return observed_; }
  const std::vector<std::int64_t>& censored_counts() const { return censored_; }
  /// The saturating sum of completed stays, in seconds.
  std::int64_t sum_observed() const { return sum_observed_; }

  /// A sketch from its bucket counts and sum (as read back from a buffer);
  /// false when a count is negative.
  bool assign(std::vector<std::int64_t> observed, std::vector<std::int64_t> censored, std::int64_t sum) {
    std::int64_t n_obs = 0, n_cens = 0;
    for (auto c : observed) {
      if (c < 0 || __builtin_add_overflow(n_obs, c, &n_obs)) return false;
    }
    for (auto c : censored) {
      if (c < 0 || __builtin_add_overflow(n_cens, c, &n_cens)) return false;
    }
    observed_ = std::move(observed);
    censored_ = std::move(censored);
    n_observed_ = n_obs;
    n_censored_ = n_cens;
    sum_observed_ = sum;
    return true;
  }

  friend bool operator==(const duration_sketch& a, const duration_sketch& b) {
    auto trimmed_equal = [](const std::vector<std::int64_t>& x, const std::vector<std::int64_t>& y) {
      const std::size_t n = std::max(x.size(), y.size());
      for (std::size_t i = 0; i < n; ++i) {
        if ((i < x.size() ? x[i] : 0) != (i < y.size() ? y[i] : 0)) return false;
      }
      return true;
    };
    return a.n_observed_ == b.n_observed_ && a.n_censored_ == b.n_censored_ &&
           a.sum_observed_ == b.sum_observed_ && trimmed_equal(a.observed_, b.observed_) &&
           trimmed_equal(a.censored_, b.censored_);
  }

 private:
  static void count_in(std::vector<std::int64_t>& v, std::size_t b) {
    if (v.size() <= b) v.resize(b + 1, 0);
    ++v[b];
  }

  /// first_second[b]: the least whole second in bucket b (b >= 1), found by
  /// bisection on bucket_by_log, which rises with its argument.
  /// slice_base[slice]: the bucket of the least whole second at or above
  /// the slice's lower edge (a lower bound for every second in the slice).
  struct tables {
    std::vector<std::int64_t> first_second;
    std::vector<std::uint16_t> slice_base;

    static constexpr int mantissa_bits = 7;
    /// Seconds >= 1 as a double: exponent 0..63 and the top mantissa bits.
    static std::size_t slice_of(std::int64_t seconds) {
      const auto bits = std::bit_cast<std::uint64_t>(static_cast<double>(seconds));
      return static_cast<std::size_t>((bits >> (52 - mantissa_bits)) - (std::uint64_t{1023} << mantissa_bits));
    }

    static const tables& get() {
      static const tables t = build();
      return t;
    }

    static tables build() {
      constexpr auto top = std::numeric_limits<std::int64_t>::max();
      tables t;
      const auto last = bucket_by_log(top);
      t.first_second.assign(last + 1, 0);
      std::int64_t lo = 1;
      for (std::size_t b = 1; b <= last; ++b) {
        std::int64_t hi = top;  // bucket_by_log(hi) >= b
        while (lo < hi) {
          const auto mid = lo + (hi - lo) / 2;
          if (bucket_by_log(mid) >= b) hi = mid;
          else lo = mid + 1;
        }
        t.first_second[b] = lo;
      }
      t.slice_base.assign(std::size_t{64} << mantissa_bits, 0);
      for (std::size_t slice = 0; slice < t.slice_base.size(); ++slice) {
        const auto edge = std::bit_cast<double>((std::uint64_t{1023} << 52) + (std::uint64_t{slice} << (52 - mantissa_bits)));
        const auto least = edge >= 0x1p63 ? top : static_cast<std::int64_t>(std::ceil(edge));
        const auto at = std::upper_bound(t.first_second.begin() + 1, t.first_second.end(), least);
        t.slice_base[slice] = static_cast<std::uint16_t>(at - t.first_second.begin() - 1);
      }
      return t;
    }
  };

  /// The Kaplan-Meier product over the buckets: f(bucket, S just after it,
  /// stays at risk just before it) at each bucket with completions, in
  /// order, until f returns false. Censored stays in a bucket leave the risk
  /// set after that bucket's completions.
  template <class F>
  void walk_km(F&& f) const {
    std::int64_t at_risk = n_observed_ + n_censored_;
    double survival = 1.0;
    const std::size_t nb = std::max(observed_.size(), censored_.size());
    for (std::size_t b = 0; b < nb; ++b) {
      const auto d = b < observed_.size() ? observed_[b] : 0;
      const auto c = b < censored_.size() ? censored_[b] : 0;
      if (d > 0 && at_risk > 0) {
        survival *= 1.0 - static_cast<double>(d) / static_cast<double>(at_risk);
        if (!f(b, survival, at_risk)) return;
      }
      at_risk -= d + c;
    }
  }

  // The sum of stays saturates rather than overflowing (stays of centuries
  // in nanoseconds); the quantiles never read it.
  static std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out)) return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
    return out;
  }

  // What adding a completed stay touches, together: the first 40 of the 72
  // bytes, one cache line for half the sketches of an array and two for the
  // rest (with the counts after both vectors: always two). A batch count
  // adds one per move, into a group's S x S sketches.
  std::vector<std::int64_t> observed_;
  std::int64_t n_observed_ = 0, sum_observed_ = 0;
  std::vector<std::int64_t> censored_;
  std::int64_t n_censored_ = 0;
};

SALESFUNNEL_END_NAMESPACE
