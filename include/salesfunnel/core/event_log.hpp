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
// have, rows out of time order, events after a deal's outcome) are never
// dropped silently: they are counted in `issues()`, and `strict` turns them
// into errors.
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
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/columns.hpp"
#include "salesfunnel/core/outcome.hpp"
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/core/time.hpp"
#include "salesfunnel/detail/hash.hpp"
#include "salesfunnel/detail/parallel.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

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
  /// Events after the deal's outcome (see core/outcome.hpp): left out of
  /// the log, so every analysis sees the same history.
  std::int64_t events_after_outcome = 0;
  std::int64_t first_after_outcome_row = -1;
  /// Transitions that are not edges of the graph; kept in the paths.
  std::vector<unknown_transition> unknown_transitions;
  std::int64_t unknown_transition_count() const {
    std::int64_t n = 0;
    for (const auto& u : unknown_transitions) n += u.count;
    return n;
  }
  bool empty() const {
    return duplicate_events == 0 && repeated_stage_events == 0 && out_of_order_rows == 0 &&
           events_after_outcome == 0 && unknown_transitions.empty();
  }
};

namespace detail {
struct event_log_io;  // core/serialize.hpp
}  // namespace detail

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
  /// One past deal k's last event at or before `as_of` (the log as it stood
  /// then): a binary search in the deal's sorted times.
  std::int64_t deal_end(std::int64_t k, std::int64_t as_of) const {
    const auto b = d_->offsets[k], e = d_->offsets[k + 1];
    if (e == b || d_->time[e - 1] <= as_of) return e;
    return std::upper_bound(d_->time.begin() + b, d_->time.begin() + e, as_of) - d_->time.begin();
  }

  /// Deal keys in first-appearance order: integers or strings.
  bool integer_deal_keys() const { return d_->int_keys; }
  std::span<const std::int64_t> deal_int_keys() const { return d_->deal_ints; }
  const std::vector<std::string>& deal_str_keys() const { return d_->deal_strs; }
  std::string deal_key(std::int64_t d) const {
    return d_->int_keys ? absl::StrCat(d_->deal_ints[d]) : d_->deal_strs[d];
  }
  /// A machine-independent 64-bit hash of deal d's key (detail::deal_key_hash).
  std::uint64_t deal_hash(std::int64_t d) const {
    return d_->int_keys ? detail::deal_key_hash(d_->deal_ints[d]) : detail::deal_key_hash(d_->deal_strs[d]);
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
  double ticks_per_day() const { return static_cast<double>(salesfunnel::ticks_per_day(d_->unit)); }
  /// Earliest and latest event time (0 for an empty log).
  std::int64_t min_time() const { return d_->min_time; }
  std::int64_t max_time() const { return d_->max_time; }

  const log_issues& issues() const { return d_->issues; }

  /// The same events, with stage ids mapped onto `g` by stage name; NotFound
  /// when a stage of the log is not in the graph.
  absl::StatusOr<event_log> with_graph(const stage_graph& g, bool strict = false) const;

  /// A new log holding only the given deals (ids of this log), in that order;
  /// keys, reps and attributes keep their values. Used to partition a log.
  /// OutOfRange names the first deal id outside [0, num_deals()).
  absl::StatusOr<event_log> select_deals(std::span<const std::int64_t> deals) const;

 private:
  friend struct detail::event_log_io;
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
  struct record {
    std::uint32_t row;
    stage_id stage;
  };
  static absl::Status check_unknown_transitions(data& d, bool strict);
  static absl::StatusOr<std::vector<stage_id>> resolve_stages(const event_columns& cols,
                                                              const event_log_options& opt, data& d);
  static std::vector<std::int64_t> fold_deals(std::span<const std::int64_t> offsets,
                                              std::vector<std::int64_t>& tim,
                                              std::vector<record>& recs, data& d, int threads);
  static void take_deal_values(const event_columns& cols, std::span<const std::int64_t> offsets,
                               std::span<const std::int64_t> kept, std::span<const record> recs,
                               data& d);
  static void compact(std::span<const std::int64_t> offsets, std::span<const std::int64_t> kept,
                      std::vector<record>& recs, data& d);
  static void trim_after_outcome(data& d);

  std::shared_ptr<const data> d_;
};

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

namespace detail {

/// Adds one occurrence at `row` to a (count, first row) pair.
inline void note_row(std::int64_t& count, std::int64_t& first, std::int64_t row) {
  if (count++ == 0 || row < first) first = row;
}

/// Adds another (count, first row) pair into one.
inline void merge_rows(std::int64_t& count, std::int64_t& first, std::int64_t c, std::int64_t f) {
  if (c == 0) return;
  if (count == 0 || f < first) first = f;
  count += c;
}

inline absl::Status check_event_columns(const event_columns& cols, const event_log_options& opt) {
  if (!cols.deal.present()) return absl::InvalidArgumentError("column 'deal' is required");
  if (!cols.stage.present()) return absl::InvalidArgumentError("column 'stage' is required");
  const std::size_t n = cols.deal.size();
  SALESFUNNEL_RETURN_IF_ERROR(check_rows("stage", cols.stage.size(), "deal", n));
  SALESFUNNEL_RETURN_IF_ERROR(check_rows("time", cols.time.size(), "deal", n));
  if (cols.rep.present()) SALESFUNNEL_RETURN_IF_ERROR(check_rows("rep", cols.rep.size(), "deal", n));
  if (!cols.amount.empty()) {
    SALESFUNNEL_RETURN_IF_ERROR(check_rows("amount", cols.amount.size(), "deal", n));
  }
  for (const auto& a : cols.attributes) {
    if (a.name.empty()) return absl::InvalidArgumentError("an attribute column has an empty name");
    SALESFUNNEL_RETURN_IF_ERROR(check_rows(a.name, a.values.size(), "deal", n));
  }
  SALESFUNNEL_RETURN_IF_ERROR(cols.deal.check_codes("deal"));
  SALESFUNNEL_RETURN_IF_ERROR(cols.stage.check_codes("stage"));
  SALESFUNNEL_RETURN_IF_ERROR(cols.rep.check_codes("rep"));
  for (const auto& a : cols.attributes) SALESFUNNEL_RETURN_IF_ERROR(a.values.check_codes(a.name));
  if (n >= std::numeric_limits<std::uint32_t>::max()) {
    return absl::InvalidArgumentError("an event log holds at most 2^32 - 1 events");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (cols.time[i] == null_time) return column_error("time", i, "missing time (NaT)");
  }
  for (std::size_t i = 0; i < cols.amount.size(); ++i) {
    const double v = cols.amount[i];
    if (!std::isnan(v) && !(v >= 0 && std::isfinite(v))) {
      return column_error("amount", i, absl::StrCat("amount must be a finite number >= 0, got ", v));
    }
  }
  if (opt.graph) SALESFUNNEL_RETURN_IF_ERROR(opt.graph->validate());
  return absl::OkStatus();
}

}  // namespace detail

inline absl::StatusOr<std::vector<stage_id>> event_log::resolve_stages(const event_columns& cols,
                                                                      const event_log_options& opt,
                                                                      data& d) {
  using detail::column_error;
  const std::size_t n = cols.deal.size();
  std::vector<stage_id> stage_of_row(n);
  auto resolve = [&](std::string_view raw, std::size_t row) -> absl::StatusOr<stage_id> {
    std::string_view name = raw;
    if (auto it = opt.stage_map.find(detail::av(raw)); it != opt.stage_map.end()) name = it->second;
    if (opt.graph) {
      if (auto s = opt.graph->find(name)) return *s;
      return column_error(
          "stage", row,
          absl::StrCat("unknown stage '", detail::shown(name), "'",
                       name != raw ? absl::StrCat(" (mapped from '", detail::shown(raw), "')") : std::string(),
                       "; known stages: ", absl::StrJoin(opt.graph->stage_names(), ", ")));
    }
    for (std::size_t s = 0; s < d.stage_names.size(); ++s) {
      if (d.stage_names[s] == name) return static_cast<stage_id>(s);
    }
    d.stage_names.emplace_back(name);
    return static_cast<stage_id>(d.stage_names.size() - 1);
  };
  if (opt.graph) d.stage_names = opt.graph->stage_names();
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
    return stage_of_row;
  }
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
  return stage_of_row;
}

// Per deal: counts rows out of time order, sorts by (time, row), folds
// duplicates and repeats, then cuts events after the outcome. Each deal
// compacts in place within its segment; returns the kept count per deal.
inline std::vector<std::int64_t> event_log::fold_deals(std::span<const std::int64_t> offsets,
                                                       std::vector<std::int64_t>& tim,
                                                       std::vector<record>& recs, data& d,
                                                       int threads) {
  const std::int64_t nd = static_cast<std::int64_t>(offsets.size()) - 1;
  const int chunks = static_cast<int>(std::min<std::int64_t>(std::int64_t{threads} * 4, std::max<std::int64_t>(nd, 1)));
  struct chunk_result {
    std::int64_t out_of_order = 0, first_ooo = -1;
    std::int64_t dup = 0, first_dup = -1;
    std::int64_t rep = 0, first_rep = -1;
    std::int64_t after = 0, first_after = -1;
  };
  std::vector<chunk_result> cres(static_cast<std::size_t>(chunks));
  std::vector<std::int64_t> kept(static_cast<std::size_t>(nd), 0);
  const stage_graph* g = d.graph ? &*d.graph : nullptr;
  detail::parallel_chunks(nd, chunks, threads, [&](std::int64_t b, std::int64_t e, int c) {
    auto& r = cres[c];
    std::vector<stage_id> path;
    for (std::int64_t k = b; k < e; ++k) {
      const auto first = offsets[k], last = offsets[k + 1];
      bool sorted = true;
      for (auto p = first + 1; p < last; ++p) {
        if (tim[p] < tim[p - 1]) {
          sorted = false;
          detail::note_row(r.out_of_order, r.first_ooo, recs[p].row);
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
          if (tim[p] == tim[out - 1]) detail::note_row(r.dup, r.first_dup, recs[p].row);
          else detail::note_row(r.rep, r.first_rep, recs[p].row);
          continue;
        }
        tim[out] = tim[p];
        recs[out] = recs[p];
        ++out;
      }
      if (g) {
        path.clear();
        for (auto p = first; p < out; ++p) path.push_back(recs[p].stage);
        const auto keep = first + static_cast<std::int64_t>(outcome_prefix(*g, path));
        for (auto p = keep; p < out; ++p) detail::note_row(r.after, r.first_after, recs[p].row);
        out = keep;
      }
      kept[k] = out - first;
    }
  });
  auto& is = d.issues;
  for (const auto& r : cres) {
    detail::merge_rows(is.out_of_order_rows, is.first_out_of_order_row, r.out_of_order, r.first_ooo);
    detail::merge_rows(is.duplicate_events, is.first_duplicate_row, r.dup, r.first_dup);
    detail::merge_rows(is.repeated_stage_events, is.first_repeated_row, r.rep, r.first_rep);
    detail::merge_rows(is.events_after_outcome, is.first_after_outcome_row, r.after, r.first_after);
  }
  return kept;
}

namespace detail {

inline absl::Status check_strict(const log_issues& is) {
  if (is.out_of_order_rows) {
    return absl::InvalidArgumentError(absl::StrCat(
        "column 'time', row ", is.first_out_of_order_row,
        ": time goes backwards within the deal (strict mode)"));
  }
  if (is.duplicate_events) {
    return absl::InvalidArgumentError(absl::StrCat(
        "row ", is.first_duplicate_row,
        ": duplicate event (same deal, stage and time as another row; strict mode)"));
  }
  if (is.repeated_stage_events) {
    return absl::InvalidArgumentError(absl::StrCat(
        "row ", is.first_repeated_row, ": the deal enters the stage it is already in (strict mode)"));
  }
  if (is.events_after_outcome) {
    return absl::InvalidArgumentError(absl::StrCat(
        "row ", is.first_after_outcome_row,
        ": an event after the deal was already won or lost (strict mode)"));
  }
  return absl::OkStatus();
}

}  // namespace detail

// Per-deal values: the last non-null value among the deal's kept events, in
// time order (recs[offsets[k] .. offsets[k] + kept[k]) after fold_deals).
inline void event_log::take_deal_values(const event_columns& cols,
                                        std::span<const std::int64_t> offsets,
                                        std::span<const std::int64_t> kept,
                                        std::span<const record> recs, data& d) {
  const auto nd = static_cast<std::int64_t>(kept.size());
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
    d.has_rep = true;
    auto reps = per_deal(cols.rep);
    d.deal_rep = std::move(reps.ids);
    d.rep_names = std::move(reps.names);
  }
  if (!cols.amount.empty()) {
    d.has_amount = true;
    d.deal_amount.assign(static_cast<std::size_t>(nd), std::numeric_limits<double>::quiet_NaN());
    for (std::int64_t k = 0; k < nd; ++k) {
      auto row = last_row_where(k, [&](std::uint32_t r) { return !std::isnan(cols.amount[r]); });
      if (row >= 0) d.deal_amount[k] = cols.amount[static_cast<std::size_t>(row)];
    }
  }
  for (const auto& a : cols.attributes) {
    auto values = per_deal(a.values);
    d.attrs.push_back(attribute_data{a.name, std::move(values.ids), std::move(values.names)});
  }
}

// Moves each deal's kept segment down to its final offset (sequential:
// destinations never pass their sources), then splits the records.
inline void event_log::compact(std::span<const std::int64_t> offsets,
                               std::span<const std::int64_t> kept, std::vector<record>& recs,
                               data& d) {
  const auto nd = static_cast<std::int64_t>(kept.size());
  auto& tim = d.time;
  d.offsets.assign(static_cast<std::size_t>(nd) + 1, 0);
  for (std::int64_t k = 0; k < nd; ++k) d.offsets[k + 1] = d.offsets[k] + kept[k];
  for (std::int64_t k = 0; k < nd; ++k) {
    const auto src = offsets[k], dst = d.offsets[k];
    if (src != dst) {
      std::copy(tim.begin() + src, tim.begin() + src + kept[k], tim.begin() + dst);
      std::copy(recs.begin() + src, recs.begin() + src + kept[k], recs.begin() + dst);
    }
  }
  const auto m = static_cast<std::size_t>(d.offsets[nd]);
  tim.resize(m);
  d.stage.resize(m);
  d.row.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    d.stage[i] = recs[i].stage;
    d.row[i] = recs[i].row;
  }
  std::vector<record>().swap(recs);
  if (m > 0) {
    auto [lo, hi] = std::minmax_element(tim.begin(), tim.end());
    d.min_time = *lo;
    d.max_time = *hi;
  }
}

// Validate -> intern deals -> resolve stages -> scatter by deal -> fold each
// deal (sort, duplicates, outcome) -> per-deal values -> compact.
inline absl::StatusOr<event_log> event_log::build(const event_columns& cols,
                                                  const event_log_options& opt) {
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_event_columns(cols, opt));
  const std::size_t n = cols.deal.size();
  auto d = std::make_shared<data>();
  d->unit = opt.unit;
  d->graph = opt.graph;
  const int threads = detail::resolve_threads(opt.threads);

  d->int_keys = cols.deal.type() == key_column::kind::integer;
  detail::interned deals = detail::intern_keys(cols.deal, d->int_keys);
  for (std::size_t i = 0; i < n; ++i) {
    if (deals.ids[i] < 0) return detail::column_error("deal", i, "missing deal id");
  }
  d->deal_ints = std::move(deals.ints);
  d->deal_strs = std::move(deals.names);
  const auto nd = static_cast<std::size_t>(d->int_keys ? d->deal_ints.size() : d->deal_strs.size());
  SALESFUNNEL_ASSIGN_OR_RETURN(std::vector<stage_id> stage_of_row, resolve_stages(cols, opt, *d));

  // The scatter writes each row's time straight into the final time column
  // and its (row, stage) next to it, so the per-deal work reads contiguous
  // memory and no second copy of the times is ever made.
  std::vector<record> recs(n);
  d->time.resize(n);
  const auto offsets = detail::counting_scatter(deals.ids, nd, [&](std::int64_t pos, std::size_t i) {
    d->time[pos] = cols.time[i];
    recs[pos] = record{static_cast<std::uint32_t>(i), stage_of_row[i]};
  });
  std::vector<std::int32_t>().swap(deals.ids);
  std::vector<stage_id>().swap(stage_of_row);

  const auto kept = fold_deals(offsets, d->time, recs, *d, threads);
  if (opt.strict) SALESFUNNEL_RETURN_IF_ERROR(detail::check_strict(d->issues));
  take_deal_values(cols, offsets, kept, recs, *d);
  compact(offsets, kept, recs, *d);
  SALESFUNNEL_RETURN_IF_ERROR(check_unknown_transitions(*d, opt.strict));
  return event_log(std::move(d));
}

// Applies the outcome rule to a log that has just been given a graph.
inline void event_log::trim_after_outcome(data& d) {
  if (!d.graph) return;
  const std::int64_t nd = static_cast<std::int64_t>(d.offsets.size()) - 1;
  std::int64_t out = 0;
  std::vector<std::int64_t> offsets(d.offsets.size(), 0);
  for (std::int64_t k = 0; k < nd; ++k) {
    const auto b = d.offsets[k], e = d.offsets[k + 1];
    const auto keep = static_cast<std::int64_t>(outcome_prefix(
        *d.graph, std::span<const stage_id>(d.stage.data() + b, static_cast<std::size_t>(e - b))));
    for (auto i = b; i < e; ++i) {
      if (i - b >= keep) {
        detail::note_row(d.issues.events_after_outcome, d.issues.first_after_outcome_row, d.row[i]);
        continue;
      }
      d.stage[out] = d.stage[i];
      d.time[out] = d.time[i];
      d.row[out] = d.row[i];
      ++out;
    }
    offsets[k + 1] = out;
  }
  d.offsets = std::move(offsets);
  d.stage.resize(out);
  d.time.resize(out);
  d.row.resize(out);
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
  trim_after_outcome(*d);
  if (strict) SALESFUNNEL_RETURN_IF_ERROR(detail::check_strict(d->issues));
  SALESFUNNEL_RETURN_IF_ERROR(check_unknown_transitions(*d, strict));
  return event_log(std::move(d));
}

inline absl::StatusOr<event_log> event_log::select_deals(std::span<const std::int64_t> deals) const {
  for (std::size_t i = 0; i < deals.size(); ++i) {
    if (deals[i] < 0 || deals[i] >= num_deals()) {
      return absl::OutOfRangeError(absl::StrCat("select_deals: deal index ", deals[i], " (position ", i,
                                                ") is outside [0, ", num_deals(), ")"));
    }
  }
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

SALESFUNNEL_END_NAMESPACE
