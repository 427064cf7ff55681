// Statistics that travel: versioned binary serialisation.
//
//   std::string bytes = salesfunnel::serialize(*stats);          // on a worker
//   auto back = salesfunnel::deserialize_funnel_stats(bytes);    // elsewhere
//   total.merge(*back);                                          // exact
//
// The format is detail/binary.hpp's envelope (magic, format version, kind,
// length, checksum) around the statistics' fields, little-endian on every
// machine. Reading checks every length against the bytes left and every
// shape against the statistics' own sizes, so a truncated, corrupt or
// hostile buffer is an error (DataLoss), never a crash or a wrong report.
// Statistics keep their graph fingerprint, as_of and deal set across the
// trip, so what refuses to merge before serialising still refuses after.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/detail/binary.hpp"
#include "salesfunnel/stats/funnel_stats.hpp"
#include "salesfunnel/stats/window_funnel.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

inline void write_part(binary_writer& w, const duration_sketch& d) {
  w.i64s(d.observed_counts());
  w.i64s(d.censored_counts());
  w.i64(d.sum_observed());
}
inline void read_part(binary_reader& r, duration_sketch& d) {
  auto obs = r.i64s();
  auto cens = r.i64s();
  const auto sum = r.i64();
  if (obs.size() > 4096 || cens.size() > 4096 || !d.assign(std::move(obs), std::move(cens), sum)) r.fail();
}

inline void write_part(binary_writer& w, const deal_set& s) {
  w.list(s.hashes(), [](binary_writer& b, std::uint64_t h) { b.u64(h); });
}
inline void read_part(binary_reader& r, deal_set& s) {
  auto h = r.list<std::uint64_t>(8, [](binary_reader& b) { return b.u64(); });
  if (!s.assign_sorted(std::move(h))) r.fail();
}

inline void write_sketches(binary_writer& w, const std::vector<duration_sketch>& v) {
  w.list(v, [](binary_writer& b, const duration_sketch& d) { write_part(b, d); });
}
inline std::vector<duration_sketch> read_sketches(binary_reader& r) {
  return r.list<duration_sketch>(24, [](binary_reader& b) {
    duration_sketch d;
    read_part(b, d);
    return d;
  });
}

/// True when every count is >= 0.
inline bool non_negative(const std::vector<std::int64_t>& v) {
  for (auto x : v) {
    if (x < 0) return false;
  }
  return true;
}

/// True when the counts v[begin, end) are >= 0 and sum to at most `limit`
/// (>= 0): a count can never exceed the deals or events it counts, and with
/// that bound every sum a report makes of them stays in range (the sum here
/// stops before it could overflow).
inline bool sum_at_most(const std::vector<std::int64_t>& v, std::int64_t limit, std::size_t begin = 0,
                        std::size_t end = SIZE_MAX) {
  std::int64_t total = 0;
  for (std::size_t i = begin; i < std::min(end, v.size()); ++i) {
    if (v[i] < 0 || v[i] > limit - total) return false;
    total += v[i];
  }
  return true;
}

inline void write_part(binary_writer& w, const funnel_stats& s) {
  w.i64(s.num_stages);
  w.i64(s.num_ranks);
  w.u64(s.graph_fingerprint);
  w.i64(s.as_of);
  w.f64(s.ticks_per_second);
  w.i64(s.deals);
  w.i64(s.events);
  w.i64s(s.reached);
  w.i64s(s.furthest_final);
  w.i64s(s.transitions);
  write_sketches(w, s.dwell);
  write_sketches(w, s.transition_time);
  write_part(w, s.deal_keys);
}

/// Shapes and counts that make the statistics readable by every report.
inline bool consistent(const funnel_stats& s) {
  const auto S = static_cast<std::size_t>(s.num_stages);
  const auto R = static_cast<std::size_t>(s.num_ranks);
  return s.num_stages >= 0 && s.num_ranks >= 0 && s.num_ranks <= s.num_stages && s.deals >= 0 &&
         s.events >= s.deals && s.reached.size() == S && s.furthest_final.size() == (R + 1) * S &&
         s.transitions.size() == S * S && s.dwell.size() == S && s.transition_time.size() == S * S &&
         non_negative(s.reached) && non_negative(s.furthest_final) && non_negative(s.transitions) &&
         std::all_of(s.reached.begin(), s.reached.end(), [&](auto x) { return x <= s.deals; }) &&
         sum_at_most(s.furthest_final, s.deals) && sum_at_most(s.transitions, s.events) &&
         s.deal_keys.size() == static_cast<std::size_t>(s.deals) && s.ticks_per_second > 0;
}

inline void read_part(binary_reader& r, funnel_stats& s) {
  s.num_stages = static_cast<stage_id>(r.i64_in(0, INT32_MAX));
  s.num_ranks = static_cast<std::int32_t>(r.i64_in(0, INT32_MAX));
  s.graph_fingerprint = r.u64();
  s.as_of = r.i64();
  s.ticks_per_second = r.f64();
  s.deals = r.i64();
  s.events = r.i64();
  s.reached = r.i64s();
  s.furthest_final = r.i64s();
  s.transitions = r.i64s();
  s.dwell = read_sketches(r);
  s.transition_time = read_sketches(r);
  read_part(r, s.deal_keys);
  if (!r.failed() && !consistent(s)) r.fail();
}

inline void write_part(binary_writer& w, const window_funnel_stats& s) {
  w.u64(s.spec_fingerprint);
  w.texts(s.step_labels);
  w.u8(static_cast<std::uint8_t>(s.order));
  w.i64(s.within_seconds);
  w.i64(s.bucket_seconds);
  w.i64(s.as_of);
  w.i64(s.ticks_per_second);
  w.i64(s.deals);
  w.i64s(s.open_by_level);
  w.i64s(s.closed_by_level);
  write_sketches(w, s.from_previous);
  write_sketches(w, s.from_first);
  w.i64s(s.converted_at);
  w.i64s(s.open_censored);
  write_part(w, s.deal_keys);
}

inline bool consistent(const window_funnel_stats& s) {
  if (s.within_seconds < 1 || s.within_seconds > (std::int64_t{1} << 61) ||
      s.bucket_seconds != curve_bucket_seconds(s.within_seconds) || s.ticks_per_second < 1 || s.deals < 0 || static_cast<std::uint8_t>(s.order) > 2) {
    return false;
  }
  const std::size_t k = s.num_steps(), B = s.num_buckets();
  if (s.open_by_level.size() != k + 1 || s.closed_by_level.size() != k + 1 || s.from_previous.size() != k ||
      s.from_first.size() != k || s.converted_at.size() != k * B || s.open_censored.size() != (k + 1) * B ||
      s.deal_keys.size() != static_cast<std::size_t>(s.deals)) {
    return false;
  }
  // Each deal is at one level, completes each step at most once, and is
  // immature at most once: no count can exceed the deals (a fuzz finding:
  // counts near 2^62 overflowed the report's sums).
  std::vector<std::int64_t> levels(s.open_by_level);
  levels.insert(levels.end(), s.closed_by_level.begin(), s.closed_by_level.end());
  for (std::size_t j = 0; j < k; ++j) {
    if (!sum_at_most(s.converted_at, s.deals, j * B, (j + 1) * B)) return false;
  }
  return sum_at_most(levels, s.deals) && sum_at_most(s.open_censored, s.deals);
}

inline void read_part(binary_reader& r, window_funnel_stats& s) {
  s.spec_fingerprint = r.u64();
  s.step_labels = r.texts();
  s.order = static_cast<step_order>(std::min<std::uint8_t>(r.u8(), 3));
  s.within_seconds = r.i64();
  s.bucket_seconds = r.i64();
  s.as_of = r.i64();
  s.ticks_per_second = r.i64();
  s.deals = r.i64();
  s.open_by_level = r.i64s();
  s.closed_by_level = r.i64s();
  s.from_previous = read_sketches(r);
  s.from_first = read_sketches(r);
  s.converted_at = r.i64s();
  s.open_censored = r.i64s();
  read_part(r, s.deal_keys);
  if (!r.failed() && !consistent(s)) r.fail();
}

template <class Stats>
void write_part(binary_writer& w, const grouped_stats<Stats>& g) {
  w.text(g.by);
  w.texts(g.labels);
  w.list(g.stats, [](binary_writer& b, const Stats& s) { write_part(b, s); });
}

template <class Stats>
void read_part(binary_reader& r, grouped_stats<Stats>& g) {
  g.by = r.text();
  g.labels = r.texts();
  g.stats = r.list<Stats>(64, [](binary_reader& b) {
    Stats s;
    read_part(b, s);
    return s;
  });
  if (r.failed() || g.labels.size() != g.stats.size()) return r.fail();
  for (std::size_t i = 1; i < g.stats.size(); ++i) {
    if (!g.stats[0].check_compatible(g.stats[i]).ok()) return r.fail();
  }
}

template <class T>
absl::StatusOr<T> read_object(std::string_view buf, binary_kind kind) {
  SALESFUNNEL_ASSIGN_OR_RETURN(auto r, binary_reader::open(buf, kind));
  T out;
  read_part(r, out);
  SALESFUNNEL_RETURN_IF_ERROR(r.finish());
  return out;
}

template <class T>
std::string write_object(const T& x, binary_kind kind) {
  binary_writer w;
  write_part(w, x);
  return w.finish(kind);
}

}  // namespace detail

inline std::string serialize(const funnel_stats& s) {
  return detail::write_object(s, detail::binary_kind::funnel_stats);
}
inline std::string serialize(const grouped_funnel_stats& s) {
  return detail::write_object(s, detail::binary_kind::grouped_funnel_stats);
}
inline std::string serialize(const window_funnel_stats& s) {
  return detail::write_object(s, detail::binary_kind::window_stats);
}
inline std::string serialize(const grouped_stats<window_funnel_stats>& s) {
  return detail::write_object(s, detail::binary_kind::grouped_window_stats);
}

inline absl::StatusOr<funnel_stats> deserialize_funnel_stats(std::string_view buf) {
  return detail::read_object<funnel_stats>(buf, detail::binary_kind::funnel_stats);
}
inline absl::StatusOr<grouped_funnel_stats> deserialize_grouped_funnel_stats(std::string_view buf) {
  return detail::read_object<grouped_funnel_stats>(buf, detail::binary_kind::grouped_funnel_stats);
}
inline absl::StatusOr<window_funnel_stats> deserialize_window_stats(std::string_view buf) {
  return detail::read_object<window_funnel_stats>(buf, detail::binary_kind::window_stats);
}
inline absl::StatusOr<grouped_stats<window_funnel_stats>> deserialize_grouped_window_stats(std::string_view buf) {
  return detail::read_object<grouped_stats<window_funnel_stats>>(buf, detail::binary_kind::grouped_window_stats);
}

SALESFUNNEL_END_NAMESPACE
