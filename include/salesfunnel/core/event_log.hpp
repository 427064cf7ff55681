// The event log: columnar, immutable, shareable across threads.
//
//   std::vector<std::string_view> deals = {"d1", "d1", "d2"};
//   std::vector<std::string_view> stages = {"Lead", "Contact", "Lead"};
//   std::vector<std::int64_t> times = {0, 86400, 3600};
//   salesfunnel::event_columns cols;
//   cols.deal = salesfunnel::key_column::strings(deals);
//   cols.stage = salesfunnel::key_column::strings(stages);
//   cols.time = times;
//   salesfunnel::event_log_options opt;
//   opt.graph = salesfunnel::templates::sales_cycle();
//   absl::StatusOr<salesfunnel::event_log> log = salesfunnel::event_log::build(cols, opt);
//
// Events are stored struct-of-arrays, sorted by (deal, time, input row), with
// deal, stage, rep and attribute values interned to dense integers. Problems
// in the data that are not errors (duplicates, transitions the graph does not
// have, rows out of time order) are never dropped silently: they are counted
// in `issues()`, and `strict` turns them into errors.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
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
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/detail/parallel.hpp"
#include "salesfunnel/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// The unit of the int64 time column.
enum class time_unit : std::uint8_t { seconds, milliseconds, microseconds, nanoseconds };

/// Ticks of `u` in one second.
inline std::int64_t ticks_per_second(time_unit u) {
  switch (u) {
    case time_unit::seconds: return 1;
    case time_unit::milliseconds: return 1000;
    case time_unit::microseconds: return 1000000;
    case time_unit::nanoseconds: return 1000000000;
  }
  return 1;
}

/// The value numpy uses for NaT in datetime64 columns.
inline constexpr std::int64_t null_time = std::numeric_limits<std::int64_t>::min();

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
  bool is_null(std::size_t i) const {
    if (kind_ == kind::categorical) return code(i) < 0;
    return !valid_.empty() && valid_[i] == 0;
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

/// The input columns, borrowed for the duration of event_log::build.
struct event_columns {
  key_column deal;                       ///< required: deal id
  key_column stage;                      ///< required: stage name, or stage id when integer
  std::span<const std::int64_t> time;    ///< required: entry time, in `time_unit`
  key_column rep;                        ///< optional: deal owner
  std::span<const double> amount;        ///< optional: deal amount; NaN is missing
  std::vector<attribute_column> attributes;  ///< optional, any number
};

struct event_log_options {
  /// The process; when absent, stages are interned from the data and the log
  /// can be given a graph later (see discover_stage_graph and with_graph).
  std::optional<stage_graph> graph;
  /// Folds raw activity names into stage names before lookup.
  absl::flat_hash_map<std::string, std::string> stage_map;
  time_unit unit = time_unit::seconds;
  /// Turn data issues (duplicates, non-edge transitions, rows out of time
  /// order) into InvalidArgument errors naming the first offending row.
  bool strict = false;
  /// 0 means every hardware thread.
  int threads = 0;
};

/// A consecutive pair of stages within a deal that is not an edge of the graph.
struct unknown_transition {
  stage_id from = 0;
  stage_id to = 0;
  std::int64_t count = 0;
  std::int64_t first_row = -1;  ///< input row of the first such `to` event
};

/// What was found in the data and kept or folded rather than dropped silently.
struct log_issues {
  /// Events with the same deal, stage and time as the previous one: folded into one.
  std::int64_t duplicate_events = 0;
  std::int64_t first_duplicate_row = -1;
  /// Events repeating the deal's current stage at a later time: the visit goes on.
  std::int64_t repeated_stage_events = 0;
  std::int64_t first_repeated_row = -1;
  /// Rows whose time is earlier than the previous row of the same deal in
  /// input order (time going backwards in the file); the log sorts them.
  std::int64_t out_of_order_rows = 0;
  std::int64_t first_out_of_order_row = -1;
  /// Transitions that are not edges of the graph; kept in the paths.
  std::vector<unknown_transition> unknown_transitions;
  std::int64_t unknown_transition_count() const {
    std::int64_t n = 0;
    for (const auto& u : unknown_transitions) n += u.count;
    return n;
  }
  bool empty() const {
    return duplicate_events == 0 && repeated_stage_events == 0 && out_of_order_rows == 0 &&
           unknown_transitions.empty();
  }
};

/// An immutable, columnar event log. Copies share storage.
class event_log {
 public:
  /// Validates and interns the columns and sorts the events by (deal, time).
  /// Errors name the column and the first offending row.
  static absl::StatusOr<event_log> build(const event_columns& cols,
                                         const event_log_options& opt = {});

  std::int64_t num_events() const { return static_cast<std::int64_t>(d_->stage.size()); }
  std::int64_t num_deals() const { return static_cast<std::int64_t>(d_->offsets.size()) - 1; }
  stage_id num_stages() const { return static_cast<stage_id>(d_->stage_names.size()); }

  /// Per event, sorted by (deal, time): stage id, time, input row.
  std::span<const stage_id> stages() const { return d_->stage; }
  std::span<const std::int64_t> times() const { return d_->time; }
  std::span<const std::uint32_t> rows() const { return d_->row; }
  /// Deal d's events are [offsets()[d], offsets()[d+1]).
  std::span<const std::int64_t> offsets() const { return d_->offsets; }

  /// Deal keys in first-appearance order: integers or strings.
  bool integer_deal_keys() const { return d_->int_keys; }
  std::span<const std::int64_t> deal_int_keys() const { return d_->deal_ints; }
  const std::vector<std::string>& deal_str_keys() const { return d_->deal_strs; }
  std::string deal_key(std::int64_t d) const {
    return d_->int_keys ? absl::StrCat(d_->deal_ints[d]) : d_->deal_strs[d];
  }

  const std::vector<std::string>& stage_names() const { return d_->stage_names; }
  const std::optional<stage_graph>& graph() const { return d_->graph; }

  /// Per deal: owner id (-1 when none) and amount (NaN when none); the last
  /// non-null value in time order.
  bool has_rep() const { return d_->has_rep; }
  std::span<const std::int32_t> deal_rep() const { return d_->deal_rep; }
  const std::vector<std::string>& rep_names() const { return d_->rep_names; }
  bool has_amount() const { return d_->has_amount; }
  std::span<const double> deal_amount() const { return d_->deal_amount; }

  /// Attribute columns: per deal a code into the attribute's categories (-1 null).
  std::size_t num_attributes() const { return d_->attrs.size(); }
  const std::string& attribute_name(std::size_t a) const { return d_->attrs[a].name; }
  std::span<const std::int32_t> attribute_codes(std::size_t a) const { return d_->attrs[a].codes; }
  const std::vector<std::string>& attribute_categories(std::size_t a) const {
    return d_->attrs[a].categories;
  }
  absl::StatusOr<std::size_t> attribute_index(std::string_view name) const {
    std::vector<std::string> names;
    for (std::size_t a = 0; a < d_->attrs.size(); ++a) {
      if (d_->attrs[a].name == name) return a;
      names.push_back(d_->attrs[a].name);
    }
    return absl::NotFoundError(absl::StrCat("unknown attribute '", detail::av(name), "'; the log has: ",
                                            names.empty() ? "none" : absl::StrJoin(names, ", ")));
  }

  time_unit unit() const { return d_->unit; }
  double ticks_per_day() const { return 86400.0 * static_cast<double>(ticks_per_second(d_->unit)); }
  /// Earliest and latest event time (0 for an empty log).
  std::int64_t min_time() const { return d_->min_time; }
  std::int64_t max_time() const { return d_->max_time; }

  const log_issues& issues() const { return d_->issues; }

  /// The same events, with stage ids mapped onto `g` by stage name; NotFound
  /// when a stage of the log is not in the graph.
  absl::StatusOr<event_log> with_graph(const stage_graph& g, bool strict = false) const;

  /// A new log holding only the given deals (ids of this log), in that order;
  /// keys, reps and attributes keep their values. Used to partition a log.
  event_log select_deals(std::span<const std::int64_t> deals) const;

 private:
  struct attribute_data {
    std::string name;
    std::vector<std::int32_t> codes;
    std::vector<std::string> categories;
  };
  struct data {
    std::vector<stage_id> stage;
    std::vector<std::int64_t> time;
    std::vector<std::uint32_t> row;
    std::vector<std::int64_t> offsets{0};
    bool int_keys = false;
    std::vector<std::int64_t> deal_ints;
    std::vector<std::string> deal_strs;
    std::vector<std::string> stage_names;
    std::optional<stage_graph> graph;
    bool has_rep = false;
    std::vector<std::int32_t> deal_rep;
    std::vector<std::string> rep_names;
    bool has_amount = false;
    std::vector<double> deal_amount;
    std::vector<attribute_data> attrs;
    time_unit unit = time_unit::seconds;
    std::int64_t min_time = 0, max_time = 0;
    log_issues issues;
  };
  explicit event_log(std::shared_ptr<const data> d) : d_(std::move(d)) {}
  static absl::Status check_unknown_transitions(data& d, bool strict);

  std::shared_ptr<const data> d_;
};

namespace detail {

inline absl::Status column_error(std::string_view column, std::size_t row, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("column '", detail::av(column), "', row ", row, ": ", detail::av(what)));
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
        if (m < 0) {
          m = static_cast<std::int32_t>(r.names.size());
          r.names.emplace_back(c.categories()[static_cast<std::size_t>(code)]);
        }
        r.ids[i] = m;
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

}  // namespace detail

inline absl::Status event_log::check_unknown_transitions(data& d, bool strict) {
  d.issues.unknown_transitions.clear();
  if (!d.graph) return absl::OkStatus();
  const auto& g = *d.graph;
  const auto S = static_cast<std::size_t>(g.num_stages());
  std::vector<std::int64_t> counts(S * S, 0), first(S * S, -1);
  const std::int64_t nd = static_cast<std::int64_t>(d.offsets.size()) - 1;
  for (std::int64_t k = 0; k < nd; ++k) {
    for (auto i = d.offsets[k] + 1; i < d.offsets[k + 1]; ++i) {
      auto a = d.stage[i - 1], b = d.stage[i];
      if (!g.has_edge(a, b)) {
        auto cell = static_cast<std::size_t>(a) * S + b;
        if (counts[cell]++ == 0 || d.row[i] < first[cell]) first[cell] = d.row[i];
      }
    }
  }
  std::int64_t first_row = -1;
  for (std::size_t cell = 0; cell < counts.size(); ++cell) {
    if (counts[cell] == 0) continue;
    d.issues.unknown_transitions.push_back(unknown_transition{
        static_cast<stage_id>(cell / S), static_cast<stage_id>(cell % S), counts[cell], first[cell]});
    if (first_row < 0 || first[cell] < first_row) first_row = first[cell];
  }
  if (strict && first_row >= 0) {
    const auto& u = *std::find_if(d.issues.unknown_transitions.begin(),
                                  d.issues.unknown_transitions.end(),
                                  [&](const unknown_transition& t) { return t.first_row == first_row; });
    return absl::InvalidArgumentError(absl::StrCat(
        "row ", first_row, ": transition '", g.name_of(u.from), "' -> '", g.name_of(u.to),
        "' is not an edge of the stage graph (strict mode)"));
  }
  return absl::OkStatus();
}

inline absl::StatusOr<event_log> event_log::build(const event_columns& cols,
                                                  const event_log_options& opt) {
  using detail::column_error;
  if (!cols.deal.present()) return absl::InvalidArgumentError("column 'deal' is required");
  if (!cols.stage.present()) return absl::InvalidArgumentError("column 'stage' is required");
  const std::size_t n = cols.deal.size();
  auto check_len = [&](std::string_view name, std::size_t len) -> absl::Status {
    if (len != n) {
      return absl::InvalidArgumentError(absl::StrCat("column '", detail::av(name), "' has ", len,
                                                     " rows but column 'deal' has ", n));
    }
    return absl::OkStatus();
  };
  SALESFUNNEL_RETURN_IF_ERROR(check_len("stage", cols.stage.size()));
  SALESFUNNEL_RETURN_IF_ERROR(check_len("time", cols.time.size()));
  if (cols.rep.present()) SALESFUNNEL_RETURN_IF_ERROR(check_len("rep", cols.rep.size()));
  if (!cols.amount.empty()) SALESFUNNEL_RETURN_IF_ERROR(check_len("amount", cols.amount.size()));
  for (const auto& a : cols.attributes) {
    if (a.name.empty()) return absl::InvalidArgumentError("an attribute column has an empty name");
    SALESFUNNEL_RETURN_IF_ERROR(check_len(a.name, a.values.size()));
  }
  SALESFUNNEL_RETURN_IF_ERROR(cols.deal.check_codes("deal"));
  SALESFUNNEL_RETURN_IF_ERROR(cols.stage.check_codes("stage"));
  SALESFUNNEL_RETURN_IF_ERROR(cols.rep.check_codes("rep"));
  for (const auto& a : cols.attributes) SALESFUNNEL_RETURN_IF_ERROR(a.values.check_codes(a.name));
  if (n >= std::numeric_limits<std::uint32_t>::max()) {
    return absl::InvalidArgumentError("an event log holds at most 2^32 - 1 events");
  }
  if (opt.graph) SALESFUNNEL_RETURN_IF_ERROR(opt.graph->validate());

  auto d = std::make_shared<data>();
  d->unit = opt.unit;
  d->graph = opt.graph;
  const int threads = detail::resolve_threads(opt.threads);

  // Time: no NaT.
  for (std::size_t i = 0; i < n; ++i) {
    if (cols.time[i] == null_time) return column_error("time", i, "missing time (NaT)");
  }

  // Deals.
  d->int_keys = cols.deal.type() == key_column::kind::integer;
  detail::interned deals = detail::intern_keys(cols.deal, d->int_keys);
  for (std::size_t i = 0; i < n; ++i) {
    if (deals.ids[i] < 0) return column_error("deal", i, "missing deal id");
  }
  d->deal_ints = std::move(deals.ints);
  d->deal_strs = std::move(deals.names);
  const std::int64_t nd =
      d->int_keys ? static_cast<std::int64_t>(d->deal_ints.size())
                  : static_cast<std::int64_t>(d->deal_strs.size());

  // Stages: map raw value -> stage id once per distinct value.
  std::vector<stage_id> stage_of_row(n);
  {
    auto resolve = [&](std::string_view raw, std::size_t row) -> absl::StatusOr<stage_id> {
      std::string_view name = raw;
      if (auto it = opt.stage_map.find(detail::av(raw)); it != opt.stage_map.end()) name = it->second;
      if (opt.graph) {
        if (auto s = opt.graph->find(name)) return *s;
        return column_error(
            "stage", row,
            absl::StrCat("unknown stage '", detail::av(name), "'",
                         name != raw ? absl::StrCat(" (mapped from '", detail::av(raw), "')") : std::string(),
                         "; known stages: ", absl::StrJoin(opt.graph->stage_names(), ", ")));
      }
      for (std::size_t s = 0; s < d->stage_names.size(); ++s) {
        if (d->stage_names[s] == name) return static_cast<stage_id>(s);
      }
      d->stage_names.emplace_back(name);
      return static_cast<stage_id>(d->stage_names.size() - 1);
    };
    if (opt.graph) d->stage_names = opt.graph->stage_names();
    if (cols.stage.type() == key_column::kind::integer) {
      if (!opt.graph) {
        return absl::InvalidArgumentError(
            "column 'stage' holds integer stage ids, which need a stage graph");
      }
      auto v = cols.stage.ints();
      const auto S = opt.graph->num_stages();
      for (std::size_t i = 0; i < n; ++i) {
        if (cols.stage.is_null(i)) return column_error("stage", i, "missing stage");
        if (v[i] < 0 || v[i] >= S) {
          return column_error("stage", i, absl::StrCat("stage id ", v[i], " is outside [0, ", S, ")"));
        }
        stage_of_row[i] = static_cast<stage_id>(v[i]);
      }
    } else {
      detail::interned raw = detail::intern_keys(cols.stage, false);
      std::vector<stage_id> map(raw.names.size(), -1);
      for (std::size_t i = 0; i < n; ++i) {
        auto r = raw.ids[i];
        if (r < 0) return column_error("stage", i, "missing stage");
        if (map[r] < 0) {
          SALESFUNNEL_ASSIGN_OR_RETURN(map[r], resolve(raw.names[r], i));
        }
        stage_of_row[i] = map[r];
      }
    }
  }

  // Counting sort of rows by deal (stable: input order within a deal). The
  // scatter writes each row's time straight into the final time column and
  // its (row, stage) next to it, so the per-deal work reads contiguous memory
  // and no second copy of the times is ever made.
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(nd) + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++offsets[static_cast<std::size_t>(deals.ids[i]) + 1];
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  struct record {
    std::uint32_t row;
    stage_id stage;
  };
  std::vector<record> recs(n);
  auto& tim = d->time;
  tim.resize(n);
  {
    std::vector<std::int64_t> cursor(offsets.begin(), offsets.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      const auto pos = cursor[deals.ids[i]]++;
      tim[pos] = cols.time[i];
      recs[pos] = record{static_cast<std::uint32_t>(i), stage_of_row[i]};
    }
  }
  std::vector<std::int32_t>().swap(deals.ids);
  std::vector<stage_id>().swap(stage_of_row);

  // Per deal: count rows out of time order, sort by (time, row), fold
  // duplicates and repeats. Each deal compacts in place within its segment.
  const int chunks = std::max(1, std::min<int>(threads * 4, static_cast<int>(std::max<std::int64_t>(nd, 1))));
  struct chunk_result {
    std::int64_t out_of_order = 0, first_ooo = -1;
    std::int64_t dup = 0, first_dup = -1;
    std::int64_t rep = 0, first_rep = -1;
  };
  std::vector<chunk_result> cres(static_cast<std::size_t>(chunks));
  std::vector<std::int64_t> kept(static_cast<std::size_t>(nd), 0);
  detail::parallel_chunks(nd, chunks, threads, [&](std::int64_t b, std::int64_t e, int c) {
    auto& r = cres[c];
    auto note = [](std::int64_t& count, std::int64_t& first, std::int64_t row) {
      if (count++ == 0 || row < first) first = row;
    };
    for (std::int64_t k = b; k < e; ++k) {
      const auto first = offsets[k], last = offsets[k + 1];
      bool sorted = true;
      for (auto p = first + 1; p < last; ++p) {
        if (tim[p] < tim[p - 1]) {
          sorted = false;
          note(r.out_of_order, r.first_ooo, recs[p].row);
        }
      }
      if (!sorted) {
        // Insertion sort: deals have few events, and it is stable on row order.
        for (auto p = first + 1; p < last; ++p) {
          const auto t = tim[p];
          const record x = recs[p];
          auto q = p;
          while (q > first && tim[q - 1] > t) {
            tim[q] = tim[q - 1];
            recs[q] = recs[q - 1];
            --q;
          }
          tim[q] = t;
          recs[q] = x;
        }
      }
      auto out = first;
      for (auto p = first; p < last; ++p) {
        if (out != first && recs[p].stage == recs[out - 1].stage) {
          if (tim[p] == tim[out - 1]) note(r.dup, r.first_dup, recs[p].row);
          else note(r.rep, r.first_rep, recs[p].row);
          continue;
        }
        tim[out] = tim[p];
        recs[out] = recs[p];
        ++out;
      }
      kept[k] = out - first;
    }
  });
  for (const auto& r : cres) {
    auto merge = [](std::int64_t& count, std::int64_t& first, std::int64_t c, std::int64_t f) {
      if (c == 0) return;
      if (count == 0 || f < first) first = f;
      count += c;
    };
    merge(d->issues.out_of_order_rows, d->issues.first_out_of_order_row, r.out_of_order, r.first_ooo);
    merge(d->issues.duplicate_events, d->issues.first_duplicate_row, r.dup, r.first_dup);
    merge(d->issues.repeated_stage_events, d->issues.first_repeated_row, r.rep, r.first_rep);
  }
  if (opt.strict) {
    if (d->issues.out_of_order_rows) {
      return absl::InvalidArgumentError(absl::StrCat(
          "column 'time', row ", d->issues.first_out_of_order_row,
          ": time goes backwards within the deal (strict mode)"));
    }
    if (d->issues.duplicate_events) {
      return absl::InvalidArgumentError(absl::StrCat(
          "row ", d->issues.first_duplicate_row,
          ": duplicate event (same deal, stage and time as another row; strict mode)"));
    }
    if (d->issues.repeated_stage_events) {
      return absl::InvalidArgumentError(absl::StrCat(
          "row ", d->issues.first_repeated_row,
          ": the deal enters the stage it is already in (strict mode)"));
    }
  }

  // Per-deal values need each deal's kept rows, which are still in recs at
  // the old offsets: take them before the segments move.
  // (The deal's kept events are recs[offsets[k] .. offsets[k] + kept[k]).)
  d->offsets.assign(static_cast<std::size_t>(nd) + 1, 0);
  for (std::int64_t k = 0; k < nd; ++k) d->offsets[k + 1] = d->offsets[k] + kept[k];
  const auto m = static_cast<std::size_t>(d->offsets[nd]);

  // Per-deal values: the last non-null value among the deal's kept events,
  // in time order (recs was sorted and compacted in place per deal).
  auto last_row_where = [&](std::int64_t k, auto&& has_value) -> std::int64_t {
    for (auto j = offsets[k] + kept[k] - 1; j >= offsets[k]; --j) {
      if (has_value(recs[j].row)) return recs[j].row;
    }
    return -1;
  };
  // Deal-level key columns are interned at each deal's chosen row only.
  auto per_deal = [&](const key_column& c) {
    std::vector<std::int64_t> rows(static_cast<std::size_t>(nd));
    for (std::int64_t k = 0; k < nd; ++k) {
      rows[k] = last_row_where(k, [&](std::uint32_t r) { return !c.is_null(r); });
    }
    return detail::intern_rows(c, false, rows.size(), [&](std::size_t k) { return rows[k]; });
  };
  if (cols.rep.present()) {
    d->has_rep = true;
    auto reps = per_deal(cols.rep);
    d->deal_rep = std::move(reps.ids);
    d->rep_names = std::move(reps.names);
  }
  if (!cols.amount.empty()) {
    d->has_amount = true;
    d->deal_amount.assign(static_cast<std::size_t>(nd), std::numeric_limits<double>::quiet_NaN());
    for (std::int64_t k = 0; k < nd; ++k) {
      auto row = last_row_where(k, [&](std::uint32_t r) { return !std::isnan(cols.amount[r]); });
      if (row >= 0) d->deal_amount[k] = cols.amount[static_cast<std::size_t>(row)];
    }
  }
  for (const auto& a : cols.attributes) {
    auto values = per_deal(a.values);
    d->attrs.push_back(attribute_data{a.name, std::move(values.ids), std::move(values.names)});
  }

  // Move each deal's kept segment down to its final offset (sequential,
  // destinations never pass their sources), then split the records.
  for (std::int64_t k = 0; k < nd; ++k) {
    const auto src = offsets[k], dst = d->offsets[k];
    if (src != dst) {
      std::copy(tim.begin() + src, tim.begin() + src + kept[k], tim.begin() + dst);
      std::copy(recs.begin() + src, recs.begin() + src + kept[k], recs.begin() + dst);
    }
  }
  tim.resize(m);
  d->stage.resize(m);
  d->row.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    d->stage[i] = recs[i].stage;
    d->row[i] = recs[i].row;
  }
  std::vector<record>().swap(recs);
  if (m > 0) {
    auto [lo, hi] = std::minmax_element(d->time.begin(), d->time.end());
    d->min_time = *lo;
    d->max_time = *hi;
  }
  SALESFUNNEL_RETURN_IF_ERROR(check_unknown_transitions(*d, opt.strict));
  return event_log(std::move(d));
}

inline absl::StatusOr<event_log> event_log::with_graph(const stage_graph& g, bool strict) const {
  SALESFUNNEL_RETURN_IF_ERROR(g.validate());
  std::vector<stage_id> map(d_->stage_names.size());
  for (std::size_t s = 0; s < map.size(); ++s) {
    auto id = g.id_of(d_->stage_names[s]);
    if (!id.ok()) {
      return absl::NotFoundError(absl::StrCat("the log's stage '", d_->stage_names[s],
                                              "' is not in the graph; graph stages: ",
                                              absl::StrJoin(g.stage_names(), ", ")));
    }
    map[s] = *id;
  }
  auto d = std::make_shared<data>(*d_);
  for (auto& s : d->stage) s = map[static_cast<std::size_t>(s)];
  d->stage_names = g.stage_names();
  d->graph = g;
  SALESFUNNEL_RETURN_IF_ERROR(check_unknown_transitions(*d, strict));
  return event_log(std::move(d));
}

inline event_log event_log::select_deals(std::span<const std::int64_t> deals) const {
  auto d = std::make_shared<data>();
  const auto& s = *d_;
  d->int_keys = s.int_keys;
  d->stage_names = s.stage_names;
  d->graph = s.graph;
  d->has_rep = s.has_rep;
  d->rep_names = s.rep_names;
  d->has_amount = s.has_amount;
  d->unit = s.unit;
  for (const auto& a : s.attrs) d->attrs.push_back(attribute_data{a.name, {}, a.categories});
  d->min_time = std::numeric_limits<std::int64_t>::max();
  d->max_time = std::numeric_limits<std::int64_t>::min();
  for (auto k : deals) {
    for (auto i = s.offsets[k]; i < s.offsets[k + 1]; ++i) {
      d->stage.push_back(s.stage[i]);
      d->time.push_back(s.time[i]);
      d->row.push_back(s.row[i]);
      d->min_time = std::min(d->min_time, s.time[i]);
      d->max_time = std::max(d->max_time, s.time[i]);
    }
    d->offsets.push_back(static_cast<std::int64_t>(d->stage.size()));
    if (s.int_keys) d->deal_ints.push_back(s.deal_ints[k]);
    else d->deal_strs.push_back(s.deal_strs[k]);
    if (s.has_rep) d->deal_rep.push_back(s.deal_rep[k]);
    if (s.has_amount) d->deal_amount.push_back(s.deal_amount[k]);
    for (std::size_t a = 0; a < s.attrs.size(); ++a) d->attrs[a].codes.push_back(s.attrs[a].codes[k]);
  }
  if (d->stage.empty()) d->min_time = d->max_time = 0;
  check_unknown_transitions(*d, false).IgnoreError();
  return event_log(std::move(d));
}

/// Builds a stage graph from the log's directly-follows transitions.
///
/// The stages named in `won`, `lost` and `nurture` get those kinds; the stage
/// that most often starts a deal becomes the entry; the rest are open. Stages
/// are declared in order of their mean position in the deals' paths, so the
/// main path reads in process order. Transitions seen fewer than `min_count`
/// times are left out. The result is validated.
inline absl::StatusOr<stage_graph> discover_stage_graph(
    const event_log& log, const std::vector<std::string>& won, const std::vector<std::string>& lost,
    const std::vector<std::string>& nurture = {}, std::int64_t min_count = 1,
    std::string name = "discovered") {
  const auto S = static_cast<std::size_t>(log.num_stages());
  const auto& names = log.stage_names();
  auto index_of = [&](const std::string& s) -> absl::StatusOr<std::size_t> {
    for (std::size_t i = 0; i < S; ++i) {
      if (names[i] == s) return i;
    }
    return absl::NotFoundError(absl::StrCat("stage '", s, "' does not occur in the log; stages: ",
                                            absl::StrJoin(names, ", ")));
  };
  std::vector<stage_kind> kind(S, stage_kind::open);
  for (const auto& s : won) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto i, index_of(s));
    kind[i] = stage_kind::won;
  }
  for (const auto& s : lost) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto i, index_of(s));
    kind[i] = stage_kind::lost;
  }
  for (const auto& s : nurture) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto i, index_of(s));
    kind[i] = stage_kind::nurture;
  }
  std::vector<std::int64_t> starts(S, 0), counts(S * S, 0);
  std::vector<double> pos_sum(S, 0), pos_n(S, 0);
  auto st = log.stages();
  auto off = log.offsets();
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    if (off[k] == off[k + 1]) continue;
    ++starts[static_cast<std::size_t>(st[off[k]])];
    const double len = static_cast<double>(off[k + 1] - off[k]);
    for (auto i = off[k]; i < off[k + 1]; ++i) {
      auto s = static_cast<std::size_t>(st[i]);
      pos_sum[s] += static_cast<double>(i - off[k]) / len;
      pos_n[s] += 1;
      if (i > off[k]) ++counts[static_cast<std::size_t>(st[i - 1]) * S + s];
    }
  }
  std::size_t entry = S;
  for (std::size_t s = 0; s < S; ++s) {
    if (kind[s] == stage_kind::open && (entry == S || starts[s] > starts[entry])) entry = s;
  }
  if (entry == S) return absl::FailedPreconditionError("no stage left to be the entry stage");
  kind[entry] = stage_kind::entry;
  // Declaration order: entry, open by mean relative position, won, lost, nurture.
  std::vector<std::size_t> order(S);
  std::iota(order.begin(), order.end(), 0);
  auto group = [&](std::size_t s) {
    switch (kind[s]) {
      case stage_kind::entry: return 0;
      case stage_kind::open: return 1;
      case stage_kind::won: return 2;
      case stage_kind::lost: return 3;
      case stage_kind::nurture: return 4;
    }
    return 1;
  };
  auto mean_pos = [&](std::size_t s) { return pos_n[s] > 0 ? pos_sum[s] / pos_n[s] : 1.0; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (group(a) != group(b)) return group(a) < group(b);
    return mean_pos(a) < mean_pos(b);
  });
  stage_graph g(std::move(name));
  for (auto s : order) SALESFUNNEL_RETURN_IF_ERROR(g.add_stage(names[s], kind[s]).status());
  for (auto a : order) {
    for (auto b : order) {
      if (a != b && counts[a * S + b] >= std::max<std::int64_t>(min_count, 1)) {
        SALESFUNNEL_RETURN_IF_ERROR(g.add_transition(names[a], names[b]));
      }
    }
  }
  SALESFUNNEL_RETURN_IF_ERROR(g.validate());
  return g;
}

SALESFUNNEL_END_NAMESPACE
