// Borrowed input columns and the helpers every log builder shares: key
// columns (integers, strings, categorical codes) interned to dense ids,
// errors that name the caller's column and row, length checks, and the
// stable counting sort that groups rows by an id.
//
//   std::vector<std::string_view> ids = {"d1", "d2", "d1"};
//   auto col = salesfunnel::key_column::strings(ids);
//   auto keys = salesfunnel::detail::intern_keys(col, false);  // ids 0, 1, 0
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/time.hpp"
#include "salesfunnel/detail/parallel.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

namespace detail {

/// Text of a user's value for a message: at most 80 characters, so a huge
/// bad value never floods the message.
inline std::string shown(std::string_view v) {
  constexpr std::size_t limit = 80;
  if (v.size() <= limit) return std::string(v);
  return absl::StrCat(av(v.substr(0, limit)), "... (", v.size(), " bytes)");
}

/// A blank key (empty or only whitespace) is a missing value, as a blank
/// cell in a spreadsheet is.
inline bool is_blank(std::string_view v) { return absl::StripAsciiWhitespace(av(v)).empty(); }

}  // namespace detail

/// A borrowed column of keys: integers, strings or categorical codes.
/// Nulls: a zero in the optional validity bytes, or a negative categorical code.
class key_column {
 public:
  enum class kind : std::uint8_t { absent, integer, string, categorical };

  key_column() = default;
  static key_column integers(std::span<const std::int64_t> v, std::span<const std::uint8_t> valid = {}) {
    key_column c;
    c.kind_ = kind::integer;
    c.ints_ = v;
    c.valid_ = valid;
    c.size_ = v.size();
    return c;
  }
  static key_column strings(std::span<const std::string_view> v,
                            std::span<const std::uint8_t> valid = {}) {
    key_column c;
    c.kind_ = kind::string;
    c.strs_ = v;
    c.valid_ = valid;
    c.size_ = v.size();
    return c;
  }
  /// Codes index `categories`; a negative code is null. Codes may be 8, 16
  /// or 32 bits wide (pandas picks the narrowest), and are read in place.
  template <class Code>
    requires(std::is_same_v<Code, std::int8_t> || std::is_same_v<Code, std::int16_t> ||
             std::is_same_v<Code, std::int32_t>)
  static key_column categorical(std::span<const Code> codes,
                                std::span<const std::string_view> categories) {
    key_column c;
    c.kind_ = kind::categorical;
    c.code_data_ = codes.data();
    c.code_width_ = sizeof(Code);
    c.cats_ = categories;
    c.size_ = codes.size();
    return c;
  }
  static key_column categorical(std::span<const std::int32_t> codes,
                                std::span<const std::string_view> categories) {
    return categorical<std::int32_t>(codes, categories);
  }

  kind type() const { return kind_; }
  bool present() const { return kind_ != kind::absent; }
  std::size_t size() const { return size_; }
  /// Null: invalid in the validity bytes, a negative code, or blank text
  /// (empty or only whitespace), which is how spreadsheets write "missing".
  bool is_null(std::size_t i) const {
    switch (kind_) {
      case kind::categorical: {
        const auto c = code(i);
        return c < 0 || detail::is_blank(cats_[static_cast<std::size_t>(c)]);
      }
      case kind::string: return (!valid_.empty() && valid_[i] == 0) || detail::is_blank(strs_[i]);
      default: return !valid_.empty() && valid_[i] == 0;
    }
  }
  /// The categorical code at row i.
  std::int32_t code(std::size_t i) const {
    switch (code_width_) {
      case 1: return static_cast<const std::int8_t*>(code_data_)[i];
      case 2: return static_cast<const std::int16_t*>(code_data_)[i];
      default: return static_cast<const std::int32_t*>(code_data_)[i];
    }
  }
  /// f(codes) with the categorical codes as a span of their own width, so a
  /// loop over them has no per-row branch on the width.
  template <class F>
  decltype(auto) with_codes(F&& f) const {
    switch (code_width_) {
      case 1: return f(std::span(static_cast<const std::int8_t*>(code_data_), size_));
      case 2: return f(std::span(static_cast<const std::int16_t*>(code_data_), size_));
      default: return f(std::span(static_cast<const std::int32_t*>(code_data_), size_));
    }
  }
  /// InvalidArgument naming the column and row of the first categorical code
  /// that does not index the categories (other kinds always pass).
  absl::Status check_codes(std::string_view column) const {
    if (kind_ != kind::categorical) return absl::OkStatus();
    const auto nc = static_cast<std::int64_t>(cats_.size());
    const auto bad = with_codes([&](auto codes) {
      return std::find_if(codes.begin(), codes.end(), [&](auto c) { return c >= nc; }) - codes.begin();
    });
    if (static_cast<std::size_t>(bad) == size_) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("column '", detail::av(column), "', row ", bad,
                                                   ": category code ", code(static_cast<std::size_t>(bad)),
                                                   " is outside [0, ", nc, ")"));
  }
  /// Whether is_null can be true for some row: validity bytes, text, or
  /// categorical codes (a negative code or a blank category).
  bool may_have_nulls() const {
    return !valid_.empty() || kind_ == kind::string || kind_ == kind::categorical;
  }
  std::span<const std::int64_t> ints() const { return ints_; }
  std::span<const std::string_view> strs() const { return strs_; }
  std::span<const std::string_view> categories() const { return cats_; }
  /// The value at row i as text (for messages and string interning).
  std::string text(std::size_t i) const {
    switch (kind_) {
      case kind::integer: return absl::StrCat(ints_[i]);
      case kind::string: return std::string(strs_[i]);
      case kind::categorical:
        return code(i) >= 0 ? std::string(cats_[static_cast<std::size_t>(code(i))]) : "";
      case kind::absent: break;
    }
    return "";
  }

 private:
  kind kind_ = kind::absent;
  std::size_t size_ = 0;
  std::span<const std::int64_t> ints_;
  std::span<const std::string_view> strs_;
  const void* code_data_ = nullptr;
  std::size_t code_width_ = 4;
  std::span<const std::string_view> cats_;
  std::span<const std::uint8_t> valid_;
};

/// A named attribute column (segment, source, lead batch, ...).
struct attribute_column {
  std::string name;
  key_column values;
};

namespace detail {

inline absl::Status column_error(std::string_view column, std::size_t row, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("column '", av(shown(column)), "', row ", row, ": ", av(what)));
}

/// f(null_at), where null_at(i) is c.is_null(i) with the column's kind
/// decided once (and a categorical column's blank categories found once),
/// so a loop over rows has no per-row branch on the kind.
template <class F>
decltype(auto) with_null_test(const key_column& c, F&& f) {
  if (c.type() == key_column::kind::categorical) {
    const auto cats = c.categories();
    std::vector<std::uint8_t> blank(cats.size());
    for (std::size_t k = 0; k < cats.size(); ++k) blank[k] = is_blank(cats[k]);
    return c.with_codes([&](auto codes) {
      return f([&blank, codes](std::size_t i) { return codes[i] < 0 || blank[static_cast<std::size_t>(codes[i])] != 0; });
    });
  }
  if (!c.may_have_nulls()) return f([](std::size_t) { return false; });
  return f([&c](std::size_t i) { return c.is_null(i); });
}

/// column_error(column, first null row, what) when c has a null, else OK.
inline absl::Status check_present(const key_column& c, std::string_view column, std::string_view what) {
  return with_null_test(c, [&](auto null_at) {
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (null_at(i)) return column_error(column, i, what);
    }
    return absl::OkStatus();
  });
}

/// The first row of each categorical code of `c`: slot 0 for negative
/// (null) codes, slot k + 1 for code k; -1 where the code never appears.
inline std::vector<std::int64_t> first_row_of_codes(const key_column& c, int threads) {
  const auto slots = c.categories().size() + 1;
  const int chunks = c.size() < (std::size_t{1} << 16) ? 1 : std::max(1, threads);
  std::vector<std::vector<std::int64_t>> part(static_cast<std::size_t>(chunks));
  c.with_codes([&](auto codes) {
    parallel_chunks(static_cast<std::int64_t>(codes.size()), chunks, threads, [&](std::int64_t b, std::int64_t e, int t) {
      auto& first = part[static_cast<std::size_t>(t)];
      first.assign(slots, -1);
      for (auto i = b; i < e; ++i) {
        auto& f = first[codes[i] < 0 ? 0 : static_cast<std::size_t>(codes[i]) + 1];
        if (f < 0) f = i;
      }
    });
  });
  std::vector<std::int64_t> first(slots, -1);
  for (const auto& p : part) {  // chunks in row order: the first chunk holding a code has its first row
    for (std::size_t k = 0; k < p.size(); ++k) {
      if (first[k] < 0) first[k] = p[k];
    }
  }
  return first;
}

/// Interns a key column's non-null values to dense ids in first-appearance
/// order; writes one id per row into `out` (-1 for null rows) and the key
/// texts into `names` (or integer keys into `ints`).
struct interned {
  std::vector<std::int32_t> ids;
  std::vector<std::string> names;
  std::vector<std::int64_t> ints;
};

/// Interns the values of `c` at rows row_of(0), ..., row_of(count - 1)
/// (a negative row, or a null value, gives id -1).
template <class RowOf>
interned intern_rows(const key_column& c, bool keep_ints, std::size_t count, RowOf&& row_of) {
  interned r;
  r.ids.assign(count, -1);
  switch (c.type()) {
    case key_column::kind::integer: {
      absl::flat_hash_map<std::int64_t, std::int32_t> map;
      map.reserve(count / 8);  // keys usually repeat; avoids most rehashing
      auto v = c.ints();
      for (std::size_t i = 0; i < count; ++i) {
        const std::int64_t row = row_of(i);
        if (row < 0 || c.is_null(static_cast<std::size_t>(row))) continue;
        auto [it, fresh] = map.try_emplace(v[row], static_cast<std::int32_t>(map.size()));
        if (fresh) {
          if (keep_ints) r.ints.push_back(v[row]);
          else r.names.push_back(absl::StrCat(v[row]));
        }
        r.ids[i] = it->second;
      }
      break;
    }
    case key_column::kind::string: {
      absl::flat_hash_map<std::string_view, std::int32_t> map;
      auto v = c.strs();
      for (std::size_t i = 0; i < count; ++i) {
        const std::int64_t row = row_of(i);
        if (row < 0 || c.is_null(static_cast<std::size_t>(row))) continue;
        auto [it, fresh] = map.try_emplace(v[row], static_cast<std::int32_t>(map.size()));
        if (fresh) r.names.emplace_back(v[row]);
        r.ids[i] = it->second;
      }
      break;
    }
    case key_column::kind::categorical: {
      // Categories are interned by first appearance too, so ids do not
      // depend on unused categories.
      std::vector<std::int32_t> remap(c.categories().size(), -1);
      for (std::size_t i = 0; i < count; ++i) {
        const std::int64_t row = row_of(i);
        if (row < 0) continue;
        auto code = c.code(static_cast<std::size_t>(row));
        if (code < 0) continue;
        auto& m = remap[static_cast<std::size_t>(code)];
        if (m == -1) {
          const auto text = c.categories()[static_cast<std::size_t>(code)];
          if (is_blank(text)) {
            m = -2;  // a blank category is a missing value
          } else {
            m = static_cast<std::int32_t>(r.names.size());
            r.names.emplace_back(text);
          }
        }
        if (m >= 0) r.ids[i] = m;
      }
      break;
    }
    case key_column::kind::absent: break;
  }
  return r;
}

/// The non-null rows of a key column split into cache-sized hash
/// partitions and interned there, with the same ids as intern_rows over
/// every row (ids by first appearance):
///  1. each row goes to one of 2^bits partitions by a hash of its key, the
///     (key, row) pairs scattered partition by partition, rows ascending;
///  2. each partition is interned with its own small map, which stays in
///     cache, and marks the first row of each of its keys in a bitmap;
///  3. a key's id is the rank of its first row among all first rows, read
///     from the bitmap's prefix counts.
/// A single map over 10M rows and 1M keys misses the cache on almost every
/// row; here every probe hits a map of a few thousand keys.
template <class Key>
struct key_partitions {
  std::vector<std::size_t> begin;  ///< [parts + 1]: partition p is positions begin[p] .. begin[p + 1]
  std::vector<Key> keys;           ///< per position
  std::vector<std::uint32_t> rows; ///< per position, ascending within a partition
  std::vector<std::int32_t> local; ///< per position: its key's id within the partition
  std::vector<std::vector<std::uint32_t>> firsts;  ///< per partition: offsets of its keys' first rows
  std::vector<std::vector<std::int32_t>> global;   ///< per partition: each local id's id
  std::size_t distinct = 0;

  std::size_t parts() const { return begin.size() - 1; }
  /// Chunks of partitions for parallel_chunks: enough to even out the threads.
  int chunks(int threads) const {
    return static_cast<int>(std::min<std::size_t>(parts(), static_cast<std::size_t>(std::max(1, threads)) * 16));
  }
};

/// Steps 1-3 on `threads` threads; the result does not depend on the count.
template <class Key, class KeyOf>
key_partitions<Key> partition_keys(const key_column& c, int threads, KeyOf&& key_of) {
  const std::size_t n = c.size();
  const int bits = std::clamp(static_cast<int>(std::bit_width(n >> 16)), 1, 12);  // ~64K rows a partition (best of 2^6..2^10 at 10M rows)
  const std::size_t parts = std::size_t{1} << bits;
  auto part_of = [&](const Key& k) {
    return static_cast<std::size_t>((absl::Hash<Key>{}(k) * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
  };
  key_partitions<Key> r;
  // 1. Histogram per row chunk, then a stable scatter of (key, row).
  const int chunks = std::max(1, threads);
  std::vector<std::size_t> cursor(static_cast<std::size_t>(chunks) * parts, 0);
  with_null_test(c, [&](auto null_at) {
    parallel_chunks(static_cast<std::int64_t>(n), chunks, threads, [&](std::int64_t b, std::int64_t e, int t) {
      auto* h = &cursor[static_cast<std::size_t>(t) * parts];
      for (auto i = static_cast<std::size_t>(b); i < static_cast<std::size_t>(e); ++i) {
        if (!null_at(i)) ++h[part_of(key_of(i))];
      }
    });
  });
  r.begin.assign(parts + 1, 0);
  std::size_t at = 0;
  for (std::size_t p = 0; p < parts; ++p) {
    r.begin[p] = at;
    for (int t = 0; t < chunks; ++t) {
      auto& h = cursor[static_cast<std::size_t>(t) * parts + p];
      const auto count = h;
      h = at;
      at += count;
    }
  }
  r.begin[parts] = at;
  resize_zeroed(r.keys, at, threads);
  resize_zeroed(r.rows, at, threads);
  with_null_test(c, [&](auto null_at) {
    parallel_chunks(static_cast<std::int64_t>(n), chunks, threads, [&](std::int64_t b, std::int64_t e, int t) {
      auto* h = &cursor[static_cast<std::size_t>(t) * parts];
      for (auto i = static_cast<std::size_t>(b); i < static_cast<std::size_t>(e); ++i) {
        if (null_at(i)) continue;
        const Key k = key_of(i);
        const auto pos = h[part_of(k)]++;
        r.keys[pos] = k;
        r.rows[pos] = static_cast<std::uint32_t>(i);
      }
    });
  });
  std::vector<std::size_t>().swap(cursor);
  // 2. Intern each partition; a partition's first rows are ascending.
  std::vector<std::uint64_t> first_bits((n + 63) / 64, 0);
  resize_zeroed(r.local, at, threads);
  r.firsts.resize(parts);
  parallel_chunks(static_cast<std::int64_t>(parts), r.chunks(threads), threads, [&](std::int64_t pb, std::int64_t pe, int) {
    absl::flat_hash_map<Key, std::int32_t> map;
    std::size_t expect = 0;  // keys of the partition before: hash partitions are alike in size
    for (auto p = static_cast<std::size_t>(pb); p < static_cast<std::size_t>(pe); ++p) {
      map.clear();           // (which frees a table of more than 127 slots: without the reserve,
      map.reserve(expect);   // every partition's table would grow from empty, rehashing on the way)
      r.firsts[p].reserve(expect);
      const auto b = r.begin[p], e = r.begin[p + 1];
      for (auto pos = b; pos < e; ++pos) {
        auto [it, fresh] = map.try_emplace(r.keys[pos], static_cast<std::int32_t>(map.size()));
        if (fresh) {
          r.firsts[p].push_back(static_cast<std::uint32_t>(pos - b));
          std::atomic_ref<std::uint64_t>(first_bits[r.rows[pos] >> 6])
              .fetch_or(std::uint64_t{1} << (r.rows[pos] & 63), std::memory_order_relaxed);
        }
        r.local[pos] = it->second;
      }
      expect = map.size() + map.size() / 8;
    }
  });
  // 3. Ranks of first rows: prefix counts per bitmap word.
  std::vector<std::int64_t> word_rank(first_bits.size() + 1, 0);
  for (std::size_t w = 0; w < first_bits.size(); ++w) {
    word_rank[w + 1] = word_rank[w] + std::popcount(first_bits[w]);
  }
  r.distinct = static_cast<std::size_t>(word_rank.back());
  r.global.resize(parts);
  parallel_chunks(static_cast<std::int64_t>(parts), r.chunks(threads), threads, [&](std::int64_t pb, std::int64_t pe, int) {
    for (auto p = static_cast<std::size_t>(pb); p < static_cast<std::size_t>(pe); ++p) {
      r.global[p].resize(r.firsts[p].size());
      for (std::size_t j = 0; j < r.firsts[p].size(); ++j) {
        const auto row = r.rows[r.begin[p] + r.firsts[p][j]];
        const auto below = first_bits[row >> 6] & ((std::uint64_t{1} << (row & 63)) - 1);
        r.global[p][j] = static_cast<std::int32_t>(word_rank[row >> 6] + std::popcount(below));
      }
    }
  });
  return r;
}

/// The keys of a partitioning by id, into r.ints (keep_ints) or r.names.
template <class Key>
void key_values_of(const key_partitions<Key>& k, bool keep_ints, int threads, interned& r) {
  if (keep_ints) r.ints.resize(k.distinct);
  else r.names.resize(k.distinct);
  parallel_chunks(static_cast<std::int64_t>(k.parts()), k.chunks(threads), threads, [&](std::int64_t pb, std::int64_t pe, int) {
    for (auto p = static_cast<std::size_t>(pb); p < static_cast<std::size_t>(pe); ++p) {
      for (std::size_t j = 0; j < k.firsts[p].size(); ++j) {
        const auto g = static_cast<std::size_t>(k.global[p][j]);
        const Key& key = k.keys[k.begin[p] + k.firsts[p][j]];
        if constexpr (std::is_same_v<Key, std::int64_t>) {
          if (keep_ints) r.ints[g] = key;
          else r.names[g] = absl::StrCat(key);
        } else {
          r.names[g] = std::string(key);
        }
      }
    }
  });
}

/// intern_rows over every row of `c`, partitioned (partition_keys).
template <class Key, class KeyOf>
interned intern_partitioned(const key_column& c, bool keep_ints, int threads, KeyOf&& key_of) {
  const auto k = partition_keys<Key>(c, threads, key_of);
  interned r;
  key_values_of(k, keep_ints, threads, r);
  r.ids.assign(c.size(), -1);
  parallel_chunks(static_cast<std::int64_t>(k.parts()), k.chunks(threads), threads, [&](std::int64_t pb, std::int64_t pe, int) {
    for (auto p = static_cast<std::size_t>(pb); p < static_cast<std::size_t>(pe); ++p) {
      for (auto pos = k.begin[p]; pos < k.begin[p + 1]; ++pos) {
        r.ids[k.rows[pos]] = k.global[p][static_cast<std::size_t>(k.local[pos])];
      }
    }
  });
  return r;
}

/// Each group's range from its rows' count per local id, in id order: every
/// partition writes its keys' counts, then one prefix sum.
template <class Key>
std::vector<std::int64_t> group_offsets(const key_partitions<Key>& k, int threads) {
  std::vector<std::int64_t> offsets(k.distinct + 1, 0);
  parallel_chunks(static_cast<std::int64_t>(k.parts()), k.chunks(threads), threads, [&](std::int64_t pb, std::int64_t pe, int) {
    std::vector<std::int64_t> count;
    for (auto p = static_cast<std::size_t>(pb); p < static_cast<std::size_t>(pe); ++p) {
      count.assign(k.firsts[p].size(), 0);
      for (auto pos = k.begin[p]; pos < k.begin[p + 1]; ++pos) ++count[static_cast<std::size_t>(k.local[pos])];
      for (std::size_t j = 0; j < count.size(); ++j) offsets[static_cast<std::size_t>(k.global[p][j]) + 1] = count[j];
    }
  });
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  return offsets;
}

/// Interns every row of `c` (on `threads` threads when it is long).
inline interned intern_keys(const key_column& c, bool keep_ints, int threads = 1) {
  constexpr std::size_t partitioned_from = std::size_t{1} << 17;
  if (c.size() >= partitioned_from && c.size() < (std::size_t{1} << 32)) {
    if (c.type() == key_column::kind::integer) {
      const auto v = c.ints();
      return intern_partitioned<std::int64_t>(c, keep_ints, threads, [v](std::size_t i) { return v[i]; });
    }
    if (c.type() == key_column::kind::string) {
      const auto v = c.strs();
      return intern_partitioned<std::string_view>(c, keep_ints, threads, [v](std::size_t i) { return v[i]; });
    }
  }
  return intern_rows(c, keep_ints, c.size(), [](std::size_t i) { return static_cast<std::int64_t>(i); });
}


/// InvalidArgument when a column's length differs from the first column's.
inline absl::Status check_rows(std::string_view name, std::size_t len, std::string_view first,
                               std::size_t n) {
  if (len != n) {
    return absl::InvalidArgumentError(absl::StrCat("column '", av(name), "' has ", len,
                                                   " rows but column '", av(first), "' has ", n));
  }
  return absl::OkStatus();
}

/// Stable counting sort by group: offsets[g] .. offsets[g + 1] is group g's
/// range, and emit(position, row) is called once per row with its place in
/// that range (rows keep their input order within a group). With `threads`
/// > 1 and many rows, each thread counts and emits a contiguous block of
/// rows (emit is then called concurrently, always for distinct positions);
/// the positions are the same for any thread count.
template <class Emit>
std::vector<std::int64_t> counting_scatter(std::span<const std::int32_t> group_of_row,
                                           std::size_t groups, Emit&& emit, int threads = 1) {
  const auto n = static_cast<std::int64_t>(group_of_row.size());
  // One cursor array per block: worth it only when rows outnumber groups.
  const int blocks = (n < (std::int64_t{1} << 18) || static_cast<std::size_t>(n) < 4 * groups)
                         ? 1 : std::clamp(threads, 1, 8);
  std::vector<std::int64_t> offsets(groups + 1, 0);
  if (blocks == 1) {
    for (auto g : group_of_row) ++offsets[static_cast<std::size_t>(g) + 1];
    std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
    std::vector<std::int64_t> cursor(offsets.begin(), offsets.end() - 1);
    for (std::size_t i = 0; i < group_of_row.size(); ++i) {
      emit(cursor[static_cast<std::size_t>(group_of_row[i])]++, i);
    }
    return offsets;
  }
  std::vector<std::vector<std::int64_t>> cursor(static_cast<std::size_t>(blocks));
  parallel_chunks(n, blocks, blocks, [&](std::int64_t b, std::int64_t e, int t) {
    auto& c = cursor[static_cast<std::size_t>(t)];
    c.assign(groups, 0);
    for (auto i = b; i < e; ++i) ++c[static_cast<std::size_t>(group_of_row[static_cast<std::size_t>(i)])];
  });
  std::int64_t at = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    offsets[g] = at;
    for (auto& c : cursor) {
      const auto count = c[g];
      c[g] = at;
      at += count;
    }
  }
  offsets[groups] = at;
  parallel_chunks(n, blocks, blocks, [&](std::int64_t b, std::int64_t e, int t) {
    auto& c = cursor[static_cast<std::size_t>(t)];
    constexpr std::int64_t ahead = 16;  // cursors are random reads: fetch them early
    for (auto i = b; i < e; ++i) {
      if (i + ahead < e) __builtin_prefetch(&c[static_cast<std::size_t>(group_of_row[static_cast<std::size_t>(i + ahead)])], 1);
      emit(c[static_cast<std::size_t>(group_of_row[static_cast<std::size_t>(i)])]++, static_cast<std::size_t>(i));
    }
  });
  return offsets;
}

/// Rows grouped by key: what intern_keys then counting_scatter by the ids
/// give, without a per-row id or a scatter over all groups at once.
///
///   auto g = group_by_key(col, keep_ints, threads);  // g.keys: ids by first appearance
///   auto offsets = g.scatter(threads, [&](std::int64_t pos, std::size_t row) { ... });
///
/// scatter calls emit(position, row) once per non-null row with its place in
/// its group's range offsets[g] .. offsets[g + 1], rows ascending within a
/// group; emit may run concurrently, always for distinct positions. Integer
/// and text keys go by partition_keys, and each partition's groups are
/// filled while its few thousand ranges stay in cache, where a scatter over
/// all groups at once misses the cache on nearly every row. keys.ids stays
/// empty.
class grouped_keys {
 public:
  interned keys;

  /// The partitions' copy of integer keys, no longer needed once the keys
  /// are interned: a caller may reuse its memory (one int64 per non-null
  /// row) instead of touching fresh pages. Empty for other kinds (a text
  /// column's copy of its views is freed).
  std::vector<std::int64_t> spare() {
    std::vector<std::int64_t> r;
    if (ints_) r.swap(ints_->keys);
    if (strs_) std::vector<std::string_view>().swap(strs_->keys);
    return r;
  }

  /// After scatter: the partitions' row and local-id buffers (one 4-byte
  /// value per non-null row each), for the same reuse; empty for
  /// categorical keys.
  std::pair<std::vector<std::uint32_t>, std::vector<std::int32_t>> spare_after_scatter() {
    std::pair<std::vector<std::uint32_t>, std::vector<std::int32_t>> r;
    auto take = [&](auto& k) {
      r.first.swap(k.rows);
      r.second.swap(k.local);
    };
    if (ints_) take(*ints_);
    if (strs_) take(*strs_);
    return r;
  }

  template <class Emit>
  std::vector<std::int64_t> scatter(int threads, Emit&& emit) {
    if (ints_) return scatter_parts(*ints_, threads, emit);
    if (strs_) return scatter_parts(*strs_, threads, emit);
    auto offsets = counting_scatter(ids_, groups_ + 1, [&](std::int64_t pos, std::size_t i) {
      if (ids_[i] != static_cast<std::int32_t>(groups_)) emit(pos, i);  // null rows: a last group, dropped
    }, threads);
    offsets.resize(groups_ + 1);
    return offsets;
  }

 private:
  friend grouped_keys group_by_key(const key_column& c, bool keep_ints, int threads);

  template <class Key, class Emit>
  static std::vector<std::int64_t> scatter_parts(const key_partitions<Key>& k, int threads, Emit& emit) {
    auto offsets = group_offsets(k, threads);
    parallel_chunks(static_cast<std::int64_t>(k.parts()), k.chunks(threads), threads, [&](std::int64_t pb, std::int64_t pe, int) {
      std::vector<std::int64_t> cursor;
      for (auto p = static_cast<std::size_t>(pb); p < static_cast<std::size_t>(pe); ++p) {
        cursor.resize(k.global[p].size());
        for (std::size_t j = 0; j < cursor.size(); ++j) cursor[j] = offsets[static_cast<std::size_t>(k.global[p][j])];
        for (auto pos = k.begin[p]; pos < k.begin[p + 1]; ++pos) {
          emit(cursor[static_cast<std::size_t>(k.local[pos])]++, static_cast<std::size_t>(k.rows[pos]));
        }
      }
    });
    return offsets;
  }

  std::optional<key_partitions<std::int64_t>> ints_;
  std::optional<key_partitions<std::string_view>> strs_;
  std::vector<std::int32_t> ids_;  // categorical keys: per row, nulls = groups_
  std::size_t groups_ = 0;         // (keys may have been moved out before scatter)
};

inline grouped_keys group_by_key(const key_column& c, bool keep_ints, int threads) {
  grouped_keys g;
  if (c.size() < (std::size_t{1} << 32) && c.type() == key_column::kind::integer) {
    g.ints_ = partition_keys<std::int64_t>(c, threads, [v = c.ints()](std::size_t i) { return v[i]; });
    key_values_of(*g.ints_, keep_ints, threads, g.keys);
  } else if (c.size() < (std::size_t{1} << 32) && c.type() == key_column::kind::string) {
    g.strs_ = partition_keys<std::string_view>(c, threads, [v = c.strs()](std::size_t i) { return v[i]; });
    key_values_of(*g.strs_, keep_ints, threads, g.keys);
  } else {  // categorical codes (or 2^32 rows and more): one map, then scatter's one counting scatter
    g.keys = intern_keys(c, keep_ints, threads);
    g.ids_ = std::move(g.keys.ids);
    g.groups_ = g.keys.ints.size() + g.keys.names.size();
    for (auto& id : g.ids_) id = id < 0 ? static_cast<std::int32_t>(g.groups_) : id;
  }
  return g;
}

}  // namespace detail

SALESFUNNEL_END_NAMESPACE
