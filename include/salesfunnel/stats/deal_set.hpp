// The deals a set of statistics counts, so overlapping merges are refused.
//
//   salesfunnel::deal_set a, b;
//   a.add(log.deal_hash(0)); a.seal();
//   b.add(log.deal_hash(0)); b.seal();
//   a.merge(b);   // FailedPrecondition: 1 deal is counted in both
//
// Statistics merge exactly only when their deal sets are disjoint (a log
// split by deal). Split by time instead, a deal with events in both slices
// would count twice and the report would look right while being wrong, so
// every statistics object keeps the 64-bit hashes of the deal keys it
// counted (detail::deal_key_hash: the same key gives the same hash in every
// process and on every machine) and merge refuses any shared hash. Exact up
// to 64-bit hash collisions: two disjoint sets of a million deals each share
// a hash by chance with probability about 1e6 * 1e6 / 2^64 = 5e-8. The cost is
// 8 bytes per deal, in memory and when serialised.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include <absl/status/status.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

class deal_set {
 public:
  /// Adds a deal's hash; call seal() before size(), contains() or merge().
  void add(std::uint64_t hash) { h_.push_back(hash); }
  /// Sorts the hashes added so far (and drops repeats: one deal counted once).
  void seal() {
    sort_hashes();
    h_.erase(std::unique(h_.begin(), h_.end()), h_.end());
  }
  std::size_t size() const { return h_.size(); }
  bool contains(std::uint64_t hash) const { return std::binary_search(h_.begin(), h_.end(), hash); }
  const std::vector<std::uint64_t>& hashes() const { return h_; }

  /// How many deals both sets hold.
  std::int64_t shared_with(const deal_set& o) const {
    std::int64_t n = 0;
    auto i = h_.begin(), j = o.h_.begin();
    while (i != h_.end() && j != o.h_.end()) {
      if (*i < *j) ++i;
      else if (*j < *i) ++j;
      else ++n, ++i, ++j;
    }
    return n;
  }

  /// FailedPrecondition when the sets share a deal (`what` names the statistics).
  absl::Status check_disjoint(const deal_set& o, const char* what) const {
    const auto n = shared_with(o);
    if (n == 0) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot merge ", what, ": ", n, " deal", n == 1 ? " is" : "s are",
        " counted in both, so merging would count ", n == 1 ? "it" : "them",
        " twice; split a log by deal (every event of a deal in one part), not by time"));
  }

  /// Adds a disjoint set (check_disjoint first).
  void merge(const deal_set& o) {
    std::vector<std::uint64_t> out(h_.size() + o.h_.size());
    std::merge(h_.begin(), h_.end(), o.h_.begin(), o.h_.end(), out.begin());
    h_ = std::move(out);
  }

  /// From hashes read back from a buffer: false unless strictly increasing.
  bool assign_sorted(std::vector<std::uint64_t> hashes) {
    for (std::size_t i = 1; i < hashes.size(); ++i) {
      if (hashes[i - 1] >= hashes[i]) return false;
    }
    h_ = std::move(hashes);
    return true;
  }

  friend bool operator==(const deal_set& a, const deal_set& b) { return a.h_ == b.h_; }

 private:
  /// Sorts h_. The hashes are uniform, so a large set is first spread by
  /// its top bits into buckets of ~8 hashes (one counting pass, one
  /// scatter) and each bucket sorted on its own: two passes over the data
  /// instead of std::sort's log2(n).
  void sort_hashes() {
    const std::size_t n = h_.size();
    if (n < (std::size_t{1} << 14)) {
      std::sort(h_.begin(), h_.end());
      return;
    }
    const int bits = std::min(16, static_cast<int>(std::bit_width(n / 8)));
    const int shift = 64 - bits;
    std::vector<std::size_t> start((std::size_t{1} << bits) + 1, 0);
    for (const auto x : h_) ++start[(x >> shift) + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    std::vector<std::uint64_t> out(n);
    for (const auto x : h_) out[next[x >> shift]++] = x;
    for (std::size_t b = 0; b + 1 < start.size(); ++b) {
      std::sort(out.begin() + static_cast<std::ptrdiff_t>(start[b]),
                out.begin() + static_cast<std::ptrdiff_t>(start[b + 1]));
    }
    h_ = std::move(out);
  }

  std::vector<std::uint64_t> h_;
};

SALESFUNNEL_END_NAMESPACE
