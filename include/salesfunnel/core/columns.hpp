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
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/time.hpp"

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
  /// InvalidArgument naming the column and row of the first categorical code
  /// that does not index the categories (other kinds always pass).
  absl::Status check_codes(std::string_view column) const {
    if (kind_ != kind::categorical) return absl::OkStatus();
    const auto nc = static_cast<std::int64_t>(cats_.size());
    for (std::size_t i = 0; i < size_; ++i) {
      if (code(i) >= nc) {
        return absl::InvalidArgumentError(
            absl::StrCat("column '", detail::av(column), "', row ", i, ": category code ", code(i),
                         " is outside [0, ", nc, ")"));
      }
    }
    return absl::OkStatus();
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

/// Interns every row of `c`.
inline interned intern_keys(const key_column& c, bool keep_ints) {
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
/// that range (rows keep their input order within a group).
template <class Emit>
std::vector<std::int64_t> counting_scatter(std::span<const std::int32_t> group_of_row,
                                           std::size_t groups, Emit&& emit) {
  std::vector<std::int64_t> offsets(groups + 1, 0);
  for (auto g : group_of_row) ++offsets[static_cast<std::size_t>(g) + 1];
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  std::vector<std::int64_t> cursor(offsets.begin(), offsets.end() - 1);
  for (std::size_t i = 0; i < group_of_row.size(); ++i) {
    emit(cursor[static_cast<std::size_t>(group_of_row[i])]++, i);
  }
  return offsets;
}

}  // namespace detail

SALESFUNNEL_END_NAMESPACE
