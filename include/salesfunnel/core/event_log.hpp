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
#include <tuple>
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
#include "salesfunnel/detail/shared_storage.hpp"

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
  /// Keep every input row (also the ones folded away), so the log can be
  /// appended to (event_log::append); costs about the memory of a second
  /// copy of the input.
  bool appendable = false;
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

/// Issue counts of one fold (one deal, or a chunk of deals): count and
/// first input row per kind, as in log_issues.
struct fold_counts {
  std::int64_t out_of_order = 0, first_ooo = -1;
  std::int64_t dup = 0, first_dup = -1;
  std::int64_t rep = 0, first_rep = -1;
  std::int64_t after = 0, first_after = -1;
};

struct unknown_counts;  // defined after event_log

/// The stage of every input row: a stage per row, or, for a categorical
/// stage column, a stage per category code read through the codes in place
/// (one byte a row for pandas' codes, where a copy would be four).
struct stage_rows {
  bool by_code = false;
  std::vector<stage_id> of_row;   ///< !by_code: per row
  std::vector<stage_id> of_code;  ///< by_code: per code (every code the rows use is resolved)

  /// f(stage_at), where stage_at(row) is that row's stage; the column is the
  /// one these stages were resolved from.
  template <class F>
  void visit(const key_column& c, F&& f) const {
    if (!by_code) {
      f([this](std::size_t i) { return of_row[i]; });
      return;
    }
    c.with_codes([&](auto codes) {
      f([this, codes](std::size_t i) { return of_code[static_cast<std::size_t>(codes[i])]; });
    });
  }
  /// A stage per row (the append path keeps rows' stages).
  std::vector<stage_id> per_row(const key_column& c) && {
    if (!by_code) return std::move(of_row);
    std::vector<stage_id> out(c.size());
    visit(c, [&](auto stage_at) {
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = stage_at(i);
    });
    return out;
  }
};

/// A deal-level key column (rep or an attribute) of an appendable log: the
/// value of every stored input row as a code into `names`, and per deal the
/// code its value was taken from.
struct raw_keys {
  std::vector<std::int32_t> codes;  ///< per stored row; -1 is null
  std::vector<std::string> names;
  absl::flat_hash_map<std::string, std::int32_t> index;
  std::vector<std::int32_t> chosen;  ///< per deal; -1 when no kept event has a value
  std::vector<std::int32_t> level;   ///< per code: its code among deal values (-1: no deal's)
};

/// What an appendable log keeps beyond the events: every input row (also the
/// ones folded away or cut after the outcome), per deal in input order, so
/// that an append refolds a deal exactly as a build from all its rows would.
struct raw_events {
  std::vector<stage_id> stage;
  std::vector<std::int64_t> time;
  std::vector<std::uint32_t> row;
  std::vector<double> amount;  ///< when the log has amounts
  raw_keys rep;                ///< when the log has reps
  std::vector<raw_keys> attrs;
  std::vector<std::int64_t> begin, end;  ///< deal k's rows: [begin[k], end[k])
  std::int64_t live = 0;                  ///< rows inside some deal's range
  absl::flat_hash_map<std::int64_t, std::int32_t> int_deals;  ///< deal key -> id
  absl::flat_hash_map<std::string, std::int32_t> str_deals;
  std::int64_t rows_seen = 0;  ///< input rows taken so far (the next row's number)
};

}  // namespace detail

/// What an append took and changed.
struct append_result {
  std::int64_t rows = 0;           ///< input rows taken
  std::int64_t new_deals = 0;      ///< deals first seen: ids [num_deals() - new_deals, num_deals())
  std::int64_t changed_deals = 0;  ///< deals already in the log that received rows
};

/// A columnar event log. Copies share storage; only append() changes a log,
/// and it never changes another copy (it copies shared storage first).
class event_log {
 public:
  /// Validates and interns the columns and sorts the events by (deal, time).
  /// Errors name the column and the first offending row.
  static absl::StatusOr<event_log> build(const event_columns& cols,
                                         const event_log_options& opt = {});

  std::int64_t num_events() const { return d_->n_events; }
  std::int64_t num_deals() const { return static_cast<std::int64_t>(d_->begin.size()); }
  stage_id num_stages() const { return static_cast<stage_id>(d_->stage_names.size()); }

  /// The event storage: stage id, time and input row per event. Deal k's
  /// events, in time order, are [deal_begin(k), deal_end(k)). A built log
  /// stores deals one after another; after append() a changed deal's events
  /// move to the end and the storage may hold unused gaps until it is
  /// compacted (see is_compact and compacted), so walk deals, not the span.
  std::span<const stage_id> stages() const { return d_->stage; }
  std::span<const std::int64_t> times() const { return d_->time; }
  std::span<const std::uint32_t> rows() const { return d_->row; }
  std::int64_t deal_begin(std::int64_t k) const { return d_->begin[k]; }
  std::int64_t deal_end(std::int64_t k) const { return d_->end[k]; }
  /// True when the storage holds deals 0, 1, ... one after another with no
  /// gaps (every log that append() has not changed).
  bool is_compact() const { return d_->compact; }
  /// This log with compact storage (a copy only when it is not compact).
  event_log compacted() const;
  /// Deal k's event range as prefix offsets of a compact log: [offsets[k],
  /// offsets[k + 1]). Only for compact logs (see compacted()).
  std::vector<std::int64_t> offsets() const {
    std::vector<std::int64_t> off(d_->begin.begin(), d_->begin.end());
    off.push_back(d_->begin.empty() ? 0 : d_->end.back());
    return off;
  }
  /// One past deal k's last event at or before `as_of` (the log as it stood
  /// then): a binary search in the deal's sorted times.
  std::int64_t deal_end(std::int64_t k, std::int64_t as_of) const {
    const auto b = d_->begin[k], e = d_->end[k];
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

  /// Adds events for new and existing deals, in any order, with a build's
  /// validation and issue accounting: the log afterwards equals a log built
  /// from all rows so far (input rows keep counting across appends). Needs a
  /// log built with event_log_options::appendable. All or nothing: on an
  /// error the log is unchanged. `opt.unit` must be the log's unit; its
  /// graph, when given, the log's graph; its stage_map and strict apply.
  ///
  /// Thread safety: append changes this object only. When the storage is
  /// shared with a copy (another thread's snapshot), it is copied first, so
  /// copies never change; appending to one object while another thread
  /// reads that same object is a data race (stats/live_funnel.hpp locks).
  /// Cost: O(rows appended + the touched deals' events) when the storage is
  /// not shared.
  absl::StatusOr<append_result> append(const event_columns& cols, const event_log_options& opt = {});

  /// True when the log keeps what append() needs (event_log_options::appendable).
  bool appendable() const { return d_->raw.has_value(); }

  /// The id of each row's deal in this log, -1 for a key the log does not
  /// have (or a blank key). Keys must be of the log's kind (integer or text).
  std::vector<std::int64_t> find_deals(const key_column& keys) const;

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
    std::vector<std::int64_t> begin, end;  // deal k's events: [begin[k], end[k])
    std::int64_t n_events = 0;              // events inside some deal's range
    bool compact = true;                   // deals stored in order without gaps
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
    std::optional<detail::raw_events> raw;  // appendable logs

    /// Sets the deal ranges of compact storage from prefix offsets.
    void set_offsets(std::span<const std::int64_t> off) {
      const auto nd = off.empty() ? 0 : off.size() - 1;
      begin.assign(off.begin(), off.begin() + static_cast<std::ptrdiff_t>(nd));
      end.assign(off.begin() + (nd ? 1 : 0), off.end());
      n_events = nd ? off[nd] - off[0] : 0;
      compact = true;
    }
  };
  // Copies share storage; append() writes in place only as its sole owner
  // (detail::shared_storage: safe while other threads drop their copies).
  using storage = detail::shared_storage<data>;
  template <class... Args>
  static storage new_data(Args&&... args) {
    return storage::make(std::forward<Args>(args)...);
  }
  explicit event_log(storage d) : d_(std::move(d)) {}
  struct record {
    std::uint32_t row;
    stage_id stage;
  };
  static absl::Status check_unknown_transitions(data& d, bool strict);
  static absl::Status report_unknown_transitions(data& d, const detail::unknown_counts& u, bool strict);
  static absl::StatusOr<detail::stage_rows> resolve_stages(const event_columns& cols,
                                                              const event_log_options& opt,
                                                              std::vector<std::string>& stage_names);
  static std::vector<std::int64_t> fold_deals(std::span<const std::int64_t> offsets,
                                              std::vector<std::int64_t>& tim,
                                              std::span<record> recs, data& d, int threads,
                                              std::optional<detail::unknown_counts>& unknown);
  static void take_deal_values(const event_columns& cols, std::span<const std::int64_t> offsets,
                               std::span<const std::int64_t> kept, std::span<const record> recs,
                               data& d, int threads);
  static void compact(std::span<const std::int64_t> offsets, std::span<const std::int64_t> kept, data& d);
  /// The rule for deal-level values: the input row of the last kept event
  /// (time order) whose row has a value, or -1.
  template <class HasValue>
  static std::int64_t last_kept_row(std::span<const record> kept, HasValue&& has_value) {
    for (auto j = static_cast<std::int64_t>(kept.size()) - 1; j >= 0; --j) {
      if (has_value(kept[j].row)) return kept[j].row;
    }
    return -1;
  }
  static std::int64_t fold_deal(std::span<std::int64_t> tim, std::span<record> recs,
                                const stage_graph* g, std::vector<stage_id>& path,
                                detail::fold_counts& r);
  static void trim_after_outcome(data& d);

  // Append, in steps (see append()).
  struct append_plan;
  static absl::Status check_append_schema(const data& d, const event_columns& cols,
                                          const event_log_options& opt);
  static absl::Status plan_deals(const data& d, const event_columns& cols, append_plan& p);
  static void fold_touched(const data& d, const event_columns& cols, append_plan& p, int threads);
  static absl::Status check_append_strict(const data& d, const append_plan& p);
  void commit_append(const event_columns& cols, append_plan& p, int threads);
  static void derive_deal_keys(detail::raw_keys& rk, std::vector<std::int32_t>& codes,
                               std::vector<std::string>& names, std::size_t from);
  static bool update_unknown_transitions(data& d, const append_plan& p);
  static void recount_fold_issues(data& d, int threads);
  static void compact_storage(data& d);
  static void compact_raw(detail::raw_events& raw, std::size_t num_attrs);
  void adopt_schema(const event_columns& cols);
  static absl::StatusOr<event_log> build_appendable(const event_columns& cols,
                                                    const event_log_options& opt);
  data& mutable_data() {
    return d_.mutable_ref();
  }

  storage d_;
};

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

/// Whether each move is an edge of a graph: a dense S x S table of flags,
/// one byte read per move, for graphs of up to 2,048 stages (4 MiB); a
/// larger graph is asked through its edge map.
class edge_table {
 public:
  explicit edge_table(const stage_graph& g) : g_(&g), S_(static_cast<std::size_t>(g.num_stages())) {
    if (S_ > dense_limit) return;
    dense_.assign(S_ * S_, 0);
    for (const auto& t : g.transitions()) dense_[static_cast<std::size_t>(t.from) * S_ + static_cast<std::size_t>(t.to)] = 1;
  }
  bool has(stage_id from, stage_id to) const {
    if (dense_.empty()) return g_->has_edge(from, to);
    return dense_[static_cast<std::size_t>(from) * S_ + static_cast<std::size_t>(to)] != 0;
  }

 private:
  static constexpr std::size_t dense_limit = 2048;
  const stage_graph* g_;
  std::size_t S_;
  std::vector<std::uint8_t> dense_;
};

/// Moves between consecutive events that are not edges of the graph: a
/// count and the first row per (from, to) pair. Such moves are rare, so
/// pairs are kept in a small map and a counter per thread costs little
/// whatever the graph's size; the edge table is shared.
struct unknown_counts {
  struct cell {
    std::int64_t count = 0, first = -1;
  };
  const edge_table* edges;
  absl::flat_hash_map<std::pair<stage_id, stage_id>, cell> cells;

  explicit unknown_counts(const edge_table& e) : edges(&e) {}
  /// Counts as a log lists them.
  unknown_counts(const edge_table& e, std::span<const unknown_transition> counted) : edges(&e) {
    for (const auto& u : counted) cells[{u.from, u.to}] = cell{u.count, u.first_row};
  }
  /// One deal's events: stages and input rows in time order.
  void add_deal(std::span<const stage_id> stage, std::span<const std::uint32_t> row) {
    add_deal(stage.size(), [&](std::size_t i) { return stage[i]; }, [&](std::size_t i) { return row[i]; });
  }
  /// The same, event i's stage and row read as stage_at(i) and row_at(i).
  template <class StageAt, class RowAt>
  void add_deal(std::size_t events, StageAt&& stage_at, RowAt&& row_at) {
    for (std::size_t i = 1; i < events; ++i) {
      const auto from = stage_at(i - 1), to = stage_at(i);
      if (edges->has(from, to)) continue;
      auto& c = cells[{from, to}];
      note_row(c.count, c.first, row_at(i));
    }
  }
  /// Takes one deal's moves back out. False when one of them was its
  /// pair's first row: the pair's next first row is then unknown, and only
  /// a recount gives it.
  bool remove_deal(std::span<const stage_id> stage, std::span<const std::uint32_t> row) {
    bool firsts_kept = true;
    for (std::size_t i = 1; i < stage.size(); ++i) {
      if (edges->has(stage[i - 1], stage[i])) continue;
      auto& c = cells[{stage[i - 1], stage[i]}];
      --c.count;
      if (c.first == row[i]) firsts_kept = false;
    }
    return firsts_kept;
  }
  void merge(const unknown_counts& o) {
    for (const auto& [move, c] : o.cells) {
      auto& mine = cells[move];
      merge_rows(mine.count, mine.first, c.count, c.first);
    }
  }
  /// The pairs moved along at least once, ordered by (from, to).
  std::vector<unknown_transition> listed() const {
    std::vector<unknown_transition> out;
    for (const auto& [move, c] : cells) {
      if (c.count > 0) out.push_back(unknown_transition{move.first, move.second, c.count, c.first});
    }
    std::sort(out.begin(), out.end(), [](const unknown_transition& a, const unknown_transition& b) {
      return std::pair(a.from, a.to) < std::pair(b.from, b.to);
    });
    return out;
  }
};

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

inline absl::Status event_log::check_unknown_transitions(data& d, bool strict) {
  d.issues.unknown_transitions.clear();
  if (!d.graph) return absl::OkStatus();
  const detail::edge_table edges(*d.graph);
  detail::unknown_counts u(edges);
  for (std::size_t k = 0; k < d.begin.size(); ++k) {
    const auto b = static_cast<std::size_t>(d.begin[k]), len = static_cast<std::size_t>(d.end[k] - d.begin[k]);
    u.add_deal(std::span(d.stage).subspan(b, len), std::span(d.row).subspan(b, len));
  }
  return report_unknown_transitions(d, u, strict);
}

inline absl::Status event_log::report_unknown_transitions(data& d, const detail::unknown_counts& u, bool strict) {
  const auto& g = *d.graph;
  const auto& listed = d.issues.unknown_transitions = u.listed();
  if (strict && !listed.empty()) {  // the earliest row among the pairs' first rows
    const auto& t = *std::min_element(listed.begin(), listed.end(), [](const auto& a, const auto& b) {
      return a.first_row < b.first_row;
    });
    return absl::InvalidArgumentError(absl::StrCat(
        "row ", t.first_row, ": transition '", g.name_of(t.from), "' -> '", g.name_of(t.to),
        "' is not an edge of the stage graph (strict mode)"));
  }
  return absl::OkStatus();
}


inline absl::StatusOr<detail::stage_rows> event_log::resolve_stages(
    const event_columns& cols, const event_log_options& opt, std::vector<std::string>& stage_names) {
  using detail::column_error;
  const std::size_t n = cols.deal.size();
  detail::stage_rows out;
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
    for (std::size_t s = 0; s < stage_names.size(); ++s) {
      if (stage_names[s] == name) return static_cast<stage_id>(s);
    }
    stage_names.emplace_back(name);
    return static_cast<stage_id>(stage_names.size() - 1);
  };
  if (opt.graph) stage_names = opt.graph->stage_names();
  if (cols.stage.type() == key_column::kind::integer) {
    if (!opt.graph) {
      return absl::InvalidArgumentError(
          "column 'stage' holds integer stage ids, which need a stage graph");
    }
    auto v = cols.stage.ints();
    const auto S = opt.graph->num_stages();
    auto& stage_of_row = out.of_row;
    stage_of_row.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (cols.stage.is_null(i)) return column_error("stage", i, "missing stage");
      if (v[i] < 0 || v[i] >= S) {
        return column_error("stage", i, absl::StrCat("stage id ", v[i], " is outside [0, ", S, ")"));
      }
      stage_of_row[i] = static_cast<stage_id>(v[i]);
    }
    return out;
  }
  if (cols.stage.type() == key_column::kind::categorical) {
    // Each category resolved once, in the order of its first row (the order
    // a row-by-row pass meets them: the same ids and the same first error);
    // rows then read their stage through their code.
    const auto cats = cols.stage.categories();
    const auto first = detail::first_row_of_codes(cols.stage, detail::resolve_threads(opt.threads));  // slot 0: negative codes
    std::vector<std::size_t> order;
    for (std::size_t slot = 0; slot < first.size(); ++slot) {
      if (first[slot] >= 0) order.push_back(slot);
    }
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return first[a] < first[b]; });
    out.by_code = true;
    out.of_code.assign(cats.size(), -1);
    for (const auto slot : order) {
      const auto row = static_cast<std::size_t>(first[slot]);
      if (slot == 0 || detail::is_blank(cats[slot - 1])) return column_error("stage", row, "missing stage");
      SALESFUNNEL_ASSIGN_OR_RETURN(out.of_code[slot - 1], resolve(cats[slot - 1], row));
    }
    return out;
  }
  detail::interned raw = detail::intern_keys(cols.stage, false);
  std::vector<stage_id> map(raw.names.size(), -1);
  auto& stage_of_row = out.of_row;
  stage_of_row.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto r = raw.ids[i];
    if (r < 0) return column_error("stage", i, "missing stage");
    if (map[r] < 0) {
      SALESFUNNEL_ASSIGN_OR_RETURN(map[r], resolve(raw.names[r], i));
    }
    stage_of_row[i] = map[r];
  }
  return out;
}

// One deal's rows tim/recs, in input order: counts rows out of time order,
// sorts by (time, row), folds duplicates and repeats, then cuts events after
// the outcome. Compacts in place; returns the number of events kept.
inline std::int64_t event_log::fold_deal(std::span<std::int64_t> tim, std::span<record> recs,
                                         const stage_graph* g, std::vector<stage_id>& path,
                                         detail::fold_counts& r) {
  const auto last = static_cast<std::int64_t>(tim.size());
  bool sorted = true;
  for (std::int64_t p = 1; p < last; ++p) {
    if (tim[p] < tim[p - 1]) {
      sorted = false;
      detail::note_row(r.out_of_order, r.first_ooo, recs[p].row);
    }
  }
  if (!sorted) {
    // Insertion sort: deals have few events, and it is stable on row order.
    for (std::int64_t p = 1; p < last; ++p) {
      const auto t = tim[p];
      const record x = recs[p];
      auto q = p;
      while (q > 0 && tim[q - 1] > t) {
        tim[q] = tim[q - 1];
        recs[q] = recs[q - 1];
        --q;
      }
      tim[q] = t;
      recs[q] = x;
    }
  }
  std::int64_t out = 0;
  for (std::int64_t p = 0; p < last; ++p) {
    if (out != 0 && recs[p].stage == recs[out - 1].stage) {
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
    for (std::int64_t p = 0; p < out; ++p) path.push_back(recs[p].stage);
    const auto keep = static_cast<std::int64_t>(outcome_prefix(*g, path));
    for (auto p = keep; p < out; ++p) detail::note_row(r.after, r.first_after, recs[p].row);
    out = keep;
  }
  return out;
}

namespace detail {

/// Adds one fold's counts into another.
inline void merge_fold_counts(fold_counts& into, const fold_counts& r) {
  merge_rows(into.out_of_order, into.first_ooo, r.out_of_order, r.first_ooo);
  merge_rows(into.dup, into.first_dup, r.dup, r.first_dup);
  merge_rows(into.rep, into.first_rep, r.rep, r.first_rep);
  merge_rows(into.after, into.first_after, r.after, r.first_after);
}

/// Sets the fold kinds of `is` (all but unknown transitions) from counts.
inline void set_fold_issues(log_issues& is, const fold_counts& r) {
  is.out_of_order_rows = r.out_of_order;
  is.first_out_of_order_row = r.first_ooo;
  is.duplicate_events = r.dup;
  is.first_duplicate_row = r.first_dup;
  is.repeated_stage_events = r.rep;
  is.first_repeated_row = r.first_rep;
  is.events_after_outcome = r.after;
  is.first_after_outcome_row = r.first_after;
}

}  // namespace detail

// Folds every deal (fold_deal), in parallel; each deal compacts in place
// within its segment, and its kept events' stages and rows are written
// there into d.stage and d.row while they are in cache. The same pass
// takes the time range and counts moves off the graph's edges into
// `unknown` (engaged when the log has a graph), a counter per chunk.
// Returns the kept count per deal.
inline std::vector<std::int64_t> event_log::fold_deals(std::span<const std::int64_t> offsets,
                                                       std::vector<std::int64_t>& tim,
                                                       std::span<record> recs, data& d,
                                                       int threads, std::optional<detail::unknown_counts>& unknown) {
  const std::int64_t nd = static_cast<std::int64_t>(offsets.size()) - 1;
  const int chunks = static_cast<int>(std::min<std::int64_t>(std::int64_t{threads} * 4, std::max<std::int64_t>(nd, 1)));
  struct chunk_result {
    detail::fold_counts fold;
    std::optional<detail::unknown_counts> unknown;
    std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
  };
  std::vector<chunk_result> cres(static_cast<std::size_t>(chunks));
  std::vector<std::int64_t> kept(static_cast<std::size_t>(nd), 0);
  const stage_graph* g = d.graph ? &*d.graph : nullptr;
  d.stage.resize(recs.size());
  d.row.resize(recs.size());
  detail::parallel_chunks(nd, chunks, threads, [&](std::int64_t b, std::int64_t e, int c) {
    auto& r = cres[static_cast<std::size_t>(c)];
    if (unknown) r.unknown.emplace(*unknown->edges);
    std::vector<stage_id> path;
    std::int64_t lo = r.lo, hi = r.hi;
    for (std::int64_t k = b; k < e; ++k) {
      const auto first = static_cast<std::size_t>(offsets[k]);
      const auto len = static_cast<std::size_t>(offsets[k + 1] - offsets[k]);
      const auto t = std::span(tim).subspan(first, len);
      const auto rec = recs.subspan(first, len);
      const auto keep = static_cast<std::size_t>(fold_deal(t, rec, g, path, r.fold));
      kept[k] = static_cast<std::int64_t>(keep);
      for (std::size_t p = 0; p < keep; ++p) {
        d.stage[first + p] = rec[p].stage;
        d.row[first + p] = rec[p].row;
      }
      if (keep > 0) {
        lo = std::min(lo, t[0]);  // sorted: the first and last kept times bound the deal
        hi = std::max(hi, t[keep - 1]);
      }
      if (r.unknown) r.unknown->add_deal(std::span(d.stage).subspan(first, keep), std::span(d.row).subspan(first, keep));
    }
    r.lo = lo;
    r.hi = hi;
  });
  detail::fold_counts all;
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
  for (auto& r : cres) {
    detail::merge_fold_counts(all, r.fold);
    lo = std::min(lo, r.lo);
    hi = std::max(hi, r.hi);
    if (r.unknown) unknown->merge(*r.unknown);
  }
  if (lo <= hi) {  // else no event was kept: the range stays 0 .. 0
    d.min_time = lo;
    d.max_time = hi;
  }
  detail::set_fold_issues(d.issues, all);
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
                                        std::span<const record> recs, data& d, int threads) {
  const auto nd = static_cast<std::int64_t>(kept.size());
  auto each_deal = [&](auto&& f) {  // f(k) for every deal, on `threads` threads
    detail::parallel_chunks(nd, threads, threads, [&](std::int64_t b, std::int64_t e, int) {
      for (auto k = b; k < e; ++k) f(k);
    });
  };
  auto last_row_where = [&](std::int64_t k, auto&& has_value) -> std::int64_t {
    return last_kept_row(recs.subspan(static_cast<std::size_t>(offsets[k]), static_cast<std::size_t>(kept[k])),
                         has_value);
  };
  // Deal-level key columns are interned at each deal's chosen row only.
  auto per_deal = [&](const key_column& c) {
    std::vector<std::int64_t> rows(static_cast<std::size_t>(nd));
    detail::with_null_test(c, [&](auto null_at) {
      each_deal([&](std::int64_t k) { rows[k] = last_row_where(k, [&](std::uint32_t r) { return !null_at(r); }); });
    });
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
    each_deal([&](std::int64_t k) {
      auto row = last_row_where(k, [&](std::uint32_t r) { return !std::isnan(cols.amount[r]); });
      if (row >= 0) d.deal_amount[k] = cols.amount[static_cast<std::size_t>(row)];
    });
  }
  for (const auto& a : cols.attributes) {
    auto values = per_deal(a.values);
    d.attrs.push_back(attribute_data{a.name, std::move(values.ids), std::move(values.names)});
  }
}

// Moves each deal's kept segment of times, stages and rows down to its
// final offset (sequential: destinations never pass their sources; nothing
// moves when no event was dropped).
inline void event_log::compact(std::span<const std::int64_t> offsets, std::span<const std::int64_t> kept,
                               data& d) {
  const auto nd = static_cast<std::int64_t>(kept.size());
  std::vector<std::int64_t> out(static_cast<std::size_t>(nd) + 1, 0);
  for (std::int64_t k = 0; k < nd; ++k) out[k + 1] = out[k] + kept[k];
  d.set_offsets(out);
  if (out[nd] == offsets[nd]) return;
  auto move_down = [&](auto& v) {
    for (std::int64_t k = 0; k < nd; ++k) {
      const auto src = offsets[k], dst = out[k];
      if (src != dst) std::copy(v.begin() + src, v.begin() + src + kept[k], v.begin() + dst);
    }
    v.resize(static_cast<std::size_t>(out[nd]));
  };
  move_down(d.time);
  move_down(d.stage);
  move_down(d.row);
}

// Validate -> resolve stages -> group rows by deal -> fold each deal (sort,
// duplicates, outcome; its stages, rows, time range and moves off the
// graph's edges written in the same pass) -> per-deal values -> compact.
inline absl::StatusOr<event_log> event_log::build(const event_columns& cols,
                                                  const event_log_options& opt) {
  if (opt.appendable) return build_appendable(cols, opt);
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_event_columns(cols, opt));
  const std::size_t n = cols.deal.size();
  auto d = new_data();
  d->unit = opt.unit;
  d->graph = opt.graph;
  const int threads = detail::resolve_threads(opt.threads);

  d->int_keys = cols.deal.type() == key_column::kind::integer;
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_present(cols.deal, "deal", "missing deal id"));
  SALESFUNNEL_ASSIGN_OR_RETURN(auto stages, resolve_stages(cols, opt, d->stage_names));

  // Rows are grouped by deal partition by partition (detail::group_by_key):
  // each row's time goes straight into the final time column and its (row,
  // stage) record next to it, so the per-deal work reads contiguous memory.
  // The output is allocated after the grouping has freed its keys.
  auto grouped = detail::group_by_key(cols.deal, d->int_keys, threads);
  d->deal_ints = std::move(grouped.keys.ints);
  d->deal_strs = std::move(grouped.keys.names);
  d->time = grouped.spare();
  d->time.resize(n);
  // Every record is written by the scatter: no zero fill (new[] of a trivial type).
  std::unique_ptr<record[]> recs_buffer(new record[n]);
  const std::span<record> recs(recs_buffer.get(), n);
  std::vector<std::int64_t> offsets;
  stages.visit(cols.stage, [&](auto stage_at) {
    offsets = grouped.scatter(threads, [&](std::int64_t pos, std::size_t i) {
      d->time[static_cast<std::size_t>(pos)] = cols.time[i];
      recs[static_cast<std::size_t>(pos)] = record{static_cast<std::uint32_t>(i), stage_at(i)};
    });
  });
  std::tie(d->row, d->stage) = grouped.spare_after_scatter();  // the fold's outputs, in pages already touched
  grouped = {};
  stages = {};

  std::optional<detail::edge_table> edges;
  std::optional<detail::unknown_counts> unknown;
  if (d->graph) unknown.emplace(edges.emplace(*d->graph));
  const auto kept = fold_deals(offsets, d->time, recs, *d, threads, unknown);
  if (opt.strict) SALESFUNNEL_RETURN_IF_ERROR(detail::check_strict(d->issues));
  take_deal_values(cols, offsets, kept, recs, *d, threads);
  recs_buffer.reset();
  compact(offsets, kept, *d);
  if (unknown) SALESFUNNEL_RETURN_IF_ERROR(report_unknown_transitions(*d, *unknown, opt.strict));
  return event_log(std::move(d));
}

// Applies the outcome rule to a log that has just been given a graph.
inline void event_log::trim_after_outcome(data& d) {
  if (!d.graph) return;
  const auto nd = static_cast<std::int64_t>(d.begin.size());
  std::int64_t out = 0;
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(nd) + 1, 0);
  for (std::int64_t k = 0; k < nd; ++k) {
    const auto b = d.begin[k], e = d.end[k];
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
  d.set_offsets(offsets);
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
  auto d = new_data(*compacted().d_);
  d->raw.reset();  // the raw rows hold the old stage ids: a log with a new graph is not appendable
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
  auto d = new_data();
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
  std::vector<std::int64_t> offsets{0};
  for (auto k : deals) {
    for (auto i = s.begin[k]; i < s.end[k]; ++i) {
      d->stage.push_back(s.stage[i]);
      d->time.push_back(s.time[i]);
      d->row.push_back(s.row[i]);
      d->min_time = std::min(d->min_time, s.time[i]);
      d->max_time = std::max(d->max_time, s.time[i]);
    }
    offsets.push_back(static_cast<std::int64_t>(d->stage.size()));
    if (s.int_keys) d->deal_ints.push_back(s.deal_ints[k]);
    else d->deal_strs.push_back(s.deal_strs[k]);
    if (s.has_rep) d->deal_rep.push_back(s.deal_rep[k]);
    if (s.has_amount) d->deal_amount.push_back(s.deal_amount[k]);
    for (std::size_t a = 0; a < s.attrs.size(); ++a) d->attrs[a].codes.push_back(s.attrs[a].codes[k]);
  }
  d->set_offsets(offsets);
  if (d->stage.empty()) d->min_time = d->max_time = 0;
  check_unknown_transitions(*d, false).IgnoreError();
  return event_log(std::move(d));
}

// ---- compact storage ----

// Rewrites the events of every deal in deal order without gaps.
inline void event_log::compact_storage(data& d) {
  const auto nd = static_cast<std::int64_t>(d.begin.size());
  std::vector<stage_id> st;
  std::vector<std::int64_t> tm;
  std::vector<std::uint32_t> rw;
  st.reserve(static_cast<std::size_t>(d.n_events));
  tm.reserve(static_cast<std::size_t>(d.n_events));
  rw.reserve(static_cast<std::size_t>(d.n_events));
  std::vector<std::int64_t> off(static_cast<std::size_t>(nd) + 1, 0);
  for (std::int64_t k = 0; k < nd; ++k) {
    st.insert(st.end(), d.stage.begin() + d.begin[k], d.stage.begin() + d.end[k]);
    tm.insert(tm.end(), d.time.begin() + d.begin[k], d.time.begin() + d.end[k]);
    rw.insert(rw.end(), d.row.begin() + d.begin[k], d.row.begin() + d.end[k]);
    off[k + 1] = static_cast<std::int64_t>(st.size());
  }
  d.stage = std::move(st);
  d.time = std::move(tm);
  d.row = std::move(rw);
  d.set_offsets(off);
}

inline event_log event_log::compacted() const {
  if (d_->compact) return *this;
  auto d = new_data(*d_);
  compact_storage(*d);
  return event_log(std::move(d));
}

// ---- append ----

namespace detail {

/// Interns the rows of key column `c` (absent: every row null) against an
/// appendable log's raw codes: known values keep their code, new ones are
/// numbered after them and listed in `fresh`.
inline void intern_raw_keys(const raw_keys& rk, const key_column& c, std::size_t n,
                            std::vector<std::int32_t>& codes, std::vector<std::string>& fresh) {
  codes.assign(n, -1);
  if (!c.present()) return;
  interned in = intern_keys(c, false);
  absl::flat_hash_map<std::string, std::int32_t> fresh_index;
  std::vector<std::int32_t> map(in.names.size());
  for (std::size_t u = 0; u < in.names.size(); ++u) {
    if (auto it = rk.index.find(in.names[u]); it != rk.index.end()) {
      map[u] = it->second;
      continue;
    }
    auto [it, added] = fresh_index.try_emplace(
        in.names[u], static_cast<std::int32_t>(rk.names.size() + fresh.size()));
    if (added) fresh.push_back(in.names[u]);
    map[u] = it->second;
  }
  for (std::size_t i = 0; i < n; ++i) codes[i] = in.ids[i] < 0 ? -1 : map[static_cast<std::size_t>(in.ids[i])];
}

inline const char* unit_name(time_unit u) {
  switch (u) {
    case time_unit::seconds: return "seconds";
    case time_unit::milliseconds: return "milliseconds";
    case time_unit::microseconds: return "microseconds";
    case time_unit::nanoseconds: return "nanoseconds";
  }
  return "?";
}

}  // namespace detail

struct event_log::append_plan {
  event_log_options opt;  // the caller's, with the log's graph
  std::int64_t n = 0;
  std::vector<std::string> stage_names;
  std::vector<stage_id> stage_of_row;
  std::int64_t old_deals = 0;
  std::vector<std::int64_t> new_ints;      // keys of new deals (integer-keyed logs)
  std::vector<std::string_view> new_strs;  // keys of new deals (text-keyed logs)
  std::vector<std::int32_t> touched;       // deal ids, in first appearance
  std::vector<std::int64_t> group;         // touched[j]'s rows: order[group[j] .. group[j + 1])
  std::vector<std::int32_t> order;
  std::vector<std::int32_t> rep_codes;     // raw codes per row
  std::vector<std::string> rep_fresh;
  std::vector<std::vector<std::int32_t>> attr_codes;  // per log attribute
  std::vector<std::vector<std::string>> attr_fresh;
  struct folded {
    int chunk = 0;
    std::int64_t at = 0, kept = 0;  // the kept events in the chunk's buffers
    detail::fold_counts now, before;
    double amount = std::numeric_limits<double>::quiet_NaN();
    std::int32_t rep = -1;
  };
  std::vector<folded> folds;
  std::vector<std::int32_t> attr_chosen;  // [touched x attributes]
  std::vector<std::vector<std::int64_t>> buf_time;
  std::vector<std::vector<record>> buf_rec;
};

inline absl::Status event_log::check_append_schema(const data& d, const event_columns& cols,
                                                   const event_log_options& opt) {
  if (!d.raw) {
    return absl::FailedPreconditionError(
        "this event log cannot be appended to: build it with event_log_options::appendable "
        "(Python: EventLog(..., appendable=True))");
  }
  if (opt.unit != d.unit) {
    return absl::InvalidArgumentError(absl::StrCat("column 'time': the appended times are in ",
                                                   detail::unit_name(opt.unit), " but the log's are in ",
                                                   detail::unit_name(d.unit)));
  }
  if (opt.graph && (!d.graph || opt.graph->fingerprint() != d.graph->fingerprint())) {
    return absl::InvalidArgumentError("the appended events name a different stage graph than the log's");
  }
  if ((cols.deal.type() == key_column::kind::integer) != d.int_keys) {
    return absl::InvalidArgumentError(absl::StrCat("column 'deal' holds ",
                                                   d.int_keys ? "text" : "integer", " ids but the log's deal ids are ",
                                                   d.int_keys ? "integers" : "text"));
  }
  if (cols.rep.present() && !d.has_rep) {
    return absl::InvalidArgumentError("column 'rep' is not in the log (it was built without one)");
  }
  if (!cols.amount.empty() && !d.has_amount) {
    return absl::InvalidArgumentError("column 'amount' is not in the log (it was built without one)");
  }
  for (const auto& a : cols.attributes) {
    const bool known = std::any_of(d.attrs.begin(), d.attrs.end(), [&](const attribute_data& x) { return x.name == a.name; });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& x : d.attrs) names.push_back(x.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "attribute column '", detail::shown(a.name), "' is not in the log; its attributes: ",
          names.empty() ? "none" : absl::StrJoin(names, ", ")));
    }
  }
  if (d.raw->rows_seen + static_cast<std::int64_t>(cols.deal.size()) >=
      static_cast<std::int64_t>(std::numeric_limits<std::uint32_t>::max())) {
    return absl::InvalidArgumentError("an event log holds at most 2^32 - 1 input rows");
  }
  return absl::OkStatus();
}

// Resolves each row's deal (existing, or new in first appearance) and groups
// the rows by deal.
inline absl::Status event_log::plan_deals(const data& d, const event_columns& cols, append_plan& p) {
  const auto& raw = *d.raw;
  const auto n = static_cast<std::size_t>(p.n);
  p.old_deals = static_cast<std::int64_t>(d.begin.size());
  std::vector<std::int32_t> deal_of_row(n);
  if (d.int_keys) {
    absl::flat_hash_map<std::int64_t, std::int32_t> fresh;
    const auto v = cols.deal.ints();
    for (std::size_t i = 0; i < n; ++i) {
      if (cols.deal.is_null(i)) return detail::column_error("deal", i, "missing deal id");
      if (auto it = raw.int_deals.find(v[i]); it != raw.int_deals.end()) {
        deal_of_row[i] = it->second;
        continue;
      }
      auto [it, added] = fresh.try_emplace(v[i], static_cast<std::int32_t>(p.old_deals) + static_cast<std::int32_t>(p.new_ints.size()));
      if (added) p.new_ints.push_back(v[i]);
      deal_of_row[i] = it->second;
    }
  } else {
    absl::flat_hash_map<std::string_view, std::int32_t> fresh;
    for (std::size_t i = 0; i < n; ++i) {
      if (cols.deal.is_null(i)) return detail::column_error("deal", i, "missing deal id");
      const std::string_view key = cols.deal.type() == key_column::kind::string
                                       ? cols.deal.strs()[i]
                                       : cols.deal.categories()[static_cast<std::size_t>(cols.deal.code(i))];
      if (auto it = raw.str_deals.find(detail::av(key)); it != raw.str_deals.end()) {
        deal_of_row[i] = it->second;
        continue;
      }
      auto [it, added] = fresh.try_emplace(key, static_cast<std::int32_t>(p.old_deals) + static_cast<std::int32_t>(p.new_strs.size()));
      if (added) p.new_strs.push_back(key);
      deal_of_row[i] = it->second;
    }
  }
  if (p.old_deals + static_cast<std::int64_t>(p.new_ints.size() + p.new_strs.size()) >= std::numeric_limits<std::int32_t>::max()) {
    return absl::InvalidArgumentError("an event log holds at most 2^31 - 1 deals");
  }
  absl::flat_hash_map<std::int32_t, std::int32_t> local;
  std::vector<std::int32_t> local_of_row(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto [it, added] = local.try_emplace(deal_of_row[i], static_cast<std::int32_t>(p.touched.size()));
    if (added) p.touched.push_back(deal_of_row[i]);
    local_of_row[i] = it->second;
  }
  p.order.resize(n);
  p.group = detail::counting_scatter(local_of_row, p.touched.size(),
                                     [&](std::int64_t pos, std::size_t i) { p.order[pos] = static_cast<std::int32_t>(i); });
  return absl::OkStatus();
}

// Refolds each touched deal from its raw rows plus the new ones (and, for a
// deal already in the log, its raw rows alone: the counts to take back).
inline void event_log::fold_touched(const data& d, const event_columns& cols, append_plan& p, int threads) {
  const auto& raw = *d.raw;
  const auto T = static_cast<std::int64_t>(p.touched.size());
  const auto A = d.attrs.size();
  const int chunks = T < 4096 ? 1 : static_cast<int>(std::min<std::int64_t>(std::int64_t{threads} * 4, T));
  p.folds.assign(static_cast<std::size_t>(T), {});
  p.attr_chosen.assign(static_cast<std::size_t>(T) * A, -1);
  p.buf_time.assign(static_cast<std::size_t>(chunks), {});
  p.buf_rec.assign(static_cast<std::size_t>(chunks), {});
  const stage_graph* g = d.graph ? &*d.graph : nullptr;
  const auto base = static_cast<std::uint32_t>(raw.rows_seen);
  detail::parallel_chunks(T, chunks, threads, [&](std::int64_t jb, std::int64_t je, int c) {
    std::vector<std::int64_t> tim, rows_in;
    std::vector<record> recs;
    std::vector<stage_id> path;
    for (auto j = jb; j < je; ++j) {
      auto& f = p.folds[static_cast<std::size_t>(j)];
      const auto k = p.touched[static_cast<std::size_t>(j)];
      const bool existing = k < p.old_deals;
      const std::int64_t rb = existing ? raw.begin[k] : 0, re = existing ? raw.end[k] : 0;
      tim.clear();
      recs.clear();
      for (auto q = rb; q < re; ++q) {
        tim.push_back(raw.time[q]);
        recs.push_back(record{raw.row[q], raw.stage[q]});
      }
      if (existing) {
        auto t2 = tim;
        auto r2 = recs;
        fold_deal(t2, r2, g, path, f.before);
      }
      for (auto q = p.group[j]; q < p.group[j + 1]; ++q) {
        const auto i = static_cast<std::size_t>(p.order[q]);
        tim.push_back(cols.time[i]);
        recs.push_back(record{base + static_cast<std::uint32_t>(i), p.stage_of_row[i]});
      }
      rows_in.clear();
      for (const auto& r : recs) rows_in.push_back(r.row);
      f.kept = fold_deal(tim, recs, g, path, f.now);
      const std::span<const record> kept(recs.data(), static_cast<std::size_t>(f.kept));
      // A row's position among the deal's rows in input order: raw rows
      // first (their storage is rb + position), then the new rows.
      auto where = [&](std::uint32_t row) {
        return static_cast<std::int64_t>(std::lower_bound(rows_in.begin(), rows_in.end(), row) - rows_in.begin());
      };
      auto new_row = [&](std::int64_t pos) { return static_cast<std::size_t>(p.order[p.group[j] + pos - (re - rb)]); };
      auto code_of = [&](const detail::raw_keys& rk, const std::vector<std::int32_t>& fresh_codes, std::uint32_t row) {
        const auto pos = where(row);
        return pos < re - rb ? rk.codes[static_cast<std::size_t>(rb + pos)] : fresh_codes[new_row(pos)];
      };
      if (d.has_amount) {
        auto amount_of = [&](std::uint32_t row) {
          const auto pos = where(row);
          if (pos < re - rb) return raw.amount[static_cast<std::size_t>(rb + pos)];
          return cols.amount.empty() ? std::numeric_limits<double>::quiet_NaN() : cols.amount[new_row(pos)];
        };
        const auto row = last_kept_row(kept, [&](std::uint32_t r) { return !std::isnan(amount_of(r)); });
        if (row >= 0) f.amount = amount_of(static_cast<std::uint32_t>(row));
      }
      if (d.has_rep) {
        const auto row = last_kept_row(kept, [&](std::uint32_t r) { return code_of(raw.rep, p.rep_codes, r) >= 0; });
        if (row >= 0) f.rep = code_of(raw.rep, p.rep_codes, static_cast<std::uint32_t>(row));
      }
      for (std::size_t a = 0; a < A; ++a) {
        const auto row = last_kept_row(kept, [&](std::uint32_t r) { return code_of(raw.attrs[a], p.attr_codes[a], r) >= 0; });
        if (row >= 0) p.attr_chosen[static_cast<std::size_t>(j) * A + a] = code_of(raw.attrs[a], p.attr_codes[a], static_cast<std::uint32_t>(row));
      }
      auto& bt = p.buf_time[c];
      auto& br = p.buf_rec[c];
      f.chunk = c;
      f.at = static_cast<std::int64_t>(bt.size());
      bt.insert(bt.end(), tim.begin(), tim.begin() + f.kept);
      br.insert(br.end(), recs.begin(), recs.begin() + f.kept);
    }
  });
}

// Strict mode: an append that adds an issue is refused, naming its first row.
inline absl::Status event_log::check_append_strict(const data& d, const append_plan& p) {
  detail::fold_counts added;
  for (const auto& f : p.folds) {
    auto take = [](std::int64_t& count, std::int64_t& first, std::int64_t now, std::int64_t now_first, std::int64_t before) {
      if (now > before) detail::merge_rows(count, first, now - before, now_first);
    };
    take(added.out_of_order, added.first_ooo, f.now.out_of_order, f.now.first_ooo, f.before.out_of_order);
    take(added.dup, added.first_dup, f.now.dup, f.now.first_dup, f.before.dup);
    take(added.rep, added.first_rep, f.now.rep, f.now.first_rep, f.before.rep);
    take(added.after, added.first_after, f.now.after, f.now.first_after, f.before.after);
  }
  log_issues is;
  detail::set_fold_issues(is, added);
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_strict(is));
  if (!d.graph) return absl::OkStatus();
  const auto& g = *d.graph;
  for (std::size_t j = 0; j < p.folds.size(); ++j) {
    const auto& f = p.folds[j];
    const auto& bt = p.buf_rec[static_cast<std::size_t>(f.chunk)];
    for (auto i = f.at + 1; i < f.at + f.kept; ++i) {
      const auto a = bt[i - 1].stage, b = bt[i].stage;
      if (!g.has_edge(a, b) && bt[i].row >= d.raw->rows_seen) {
        return absl::InvalidArgumentError(absl::StrCat(
            "row ", bt[i].row, ": transition '", g.name_of(a), "' -> '", g.name_of(b),
            "' is not an edge of the stage graph (strict mode)"));
      }
    }
  }
  return absl::OkStatus();
}

// A deal-level key column from the codes each deal's value came from:
// names in order of first use by deal, as a build interns them. From deal
// `from` on only, when the deals before it kept their values (deals added at
// the end); from 0 when any earlier deal's value changed.
inline void event_log::derive_deal_keys(detail::raw_keys& rk, std::vector<std::int32_t>& codes,
                                        std::vector<std::string>& names, std::size_t from) {
  auto& remap = rk.level;
  if (from == 0) {
    remap.assign(rk.names.size(), -1);
    names.clear();
  }
  remap.resize(rk.names.size(), -1);
  codes.resize(rk.chosen.size());
  for (std::size_t k = from; k < rk.chosen.size(); ++k) {
    const auto c = rk.chosen[k];
    if (c < 0) {
      codes[k] = -1;
      continue;
    }
    auto& m = remap[static_cast<std::size_t>(c)];
    if (m < 0) {
      m = static_cast<std::int32_t>(names.size());
      names.push_back(rk.names[static_cast<std::size_t>(c)]);
    }
    codes[k] = m;
  }
}

// Every deal refolded from its raw rows: the fold issue counts, exactly.
inline void event_log::recount_fold_issues(data& d, int threads) {
  const auto& raw = *d.raw;
  const auto nd = static_cast<std::int64_t>(raw.begin.size());
  const int chunks = static_cast<int>(std::min<std::int64_t>(std::int64_t{threads} * 4, std::max<std::int64_t>(nd, 1)));
  std::vector<detail::fold_counts> cres(static_cast<std::size_t>(chunks));
  const stage_graph* g = d.graph ? &*d.graph : nullptr;
  detail::parallel_chunks(nd, chunks, threads, [&](std::int64_t b, std::int64_t e, int c) {
    std::vector<std::int64_t> tim;
    std::vector<record> recs;
    std::vector<stage_id> path;
    for (auto k = b; k < e; ++k) {
      tim.assign(raw.time.begin() + raw.begin[k], raw.time.begin() + raw.end[k]);
      recs.clear();
      for (auto q = raw.begin[k]; q < raw.end[k]; ++q) recs.push_back(record{raw.row[q], raw.stage[q]});
      fold_deal(tim, recs, g, path, cres[c]);
    }
  });
  detail::fold_counts all;
  for (const auto& r : cres) detail::merge_fold_counts(all, r);
  detail::set_fold_issues(d.issues, all);
}

// Unknown transitions after an append: the touched deals' old paths taken
// out, their new paths put in (a full recount when a first row leaves).
// Runs before the new ranges are written; `fresh` gives each touched
// deal's new range in storage.
inline bool event_log::update_unknown_transitions(data& d, const append_plan& p) {
  if (!d.graph) return false;
  const detail::edge_table edges(*d.graph);
  detail::unknown_counts u(edges, d.issues.unknown_transitions);
  bool firsts_kept = true;
  for (std::size_t j = 0; j < p.touched.size(); ++j) {
    const auto k = p.touched[j];
    if (k < p.old_deals) {
      const auto b = static_cast<std::size_t>(d.begin[k]), len = static_cast<std::size_t>(d.end[k] - d.begin[k]);
      firsts_kept &= u.remove_deal(std::span(d.stage).subspan(b, len), std::span(d.row).subspan(b, len));
    }
    const auto& f = p.folds[j];
    const auto& br = p.buf_rec[static_cast<std::size_t>(f.chunk)];
    const auto at = static_cast<std::size_t>(f.at);
    u.add_deal(static_cast<std::size_t>(f.kept), [&](std::size_t i) { return br[at + i].stage; },
               [&](std::size_t i) { return br[at + i].row; });
  }
  if (!firsts_kept) return true;  // the caller recounts once the new ranges are in place
  d.issues.unknown_transitions = u.listed();
  return false;
}

// Writes the plan into the log (copying shared storage first): raw rows,
// new deals, the touched deals' events at the end of storage, deal values,
// issues and the time range.
inline void event_log::commit_append(const event_columns& cols, append_plan& p, int threads) {
  data& d = mutable_data();
  auto& raw = *d.raw;
  const auto A = d.attrs.size();
  const bool had_events = d.n_events > 0;
  // New deals.
  for (auto v : p.new_ints) raw.int_deals.emplace(v, static_cast<std::int32_t>(d.deal_ints.size())), d.deal_ints.push_back(v);
  for (auto v : p.new_strs) raw.str_deals.emplace(std::string(v), static_cast<std::int32_t>(d.deal_strs.size())), d.deal_strs.emplace_back(v);
  const auto nd = d.int_keys ? d.deal_ints.size() : d.deal_strs.size();
  d.begin.resize(nd, 0);
  d.end.resize(nd, 0);
  raw.begin.resize(nd, 0);
  raw.end.resize(nd, 0);
  if (d.has_amount) d.deal_amount.resize(nd, std::numeric_limits<double>::quiet_NaN());
  if (d.has_rep) raw.rep.chosen.resize(nd, -1);
  for (auto& a : raw.attrs) a.chosen.resize(nd, -1);
  auto add_names = [](detail::raw_keys& rk, std::vector<std::string>& fresh) {
    for (auto& name : fresh) {
      rk.index.emplace(name, static_cast<std::int32_t>(rk.names.size()));
      rk.names.push_back(std::move(name));
    }
  };
  add_names(raw.rep, p.rep_fresh);
  for (std::size_t a = 0; a < A; ++a) add_names(raw.attrs[a], p.attr_fresh[a]);

  // Issues: each touched deal's old counts out, new counts in.
  detail::fold_counts now;
  auto& is = d.issues;
  bool recount = false;
  for (const auto& f : p.folds) {
    auto apply = [&](std::int64_t& count, std::int64_t& first, std::int64_t c_now, std::int64_t f_now,
                     std::int64_t c_before, std::int64_t f_before) {
      if (c_before > 0 && f_before == first && (c_now == 0 || f_now > f_before)) recount = true;
      count += c_now - c_before;
      if (c_now > 0 && (first < 0 || f_now < first)) first = f_now;
    };
    apply(is.out_of_order_rows, is.first_out_of_order_row, f.now.out_of_order, f.now.first_ooo, f.before.out_of_order, f.before.first_ooo);
    apply(is.duplicate_events, is.first_duplicate_row, f.now.dup, f.now.first_dup, f.before.dup, f.before.first_dup);
    apply(is.repeated_stage_events, is.first_repeated_row, f.now.rep, f.now.first_rep, f.before.rep, f.before.first_rep);
    apply(is.events_after_outcome, is.first_after_outcome_row, f.now.after, f.now.first_after, f.before.after, f.before.first_after);
  }
  const bool recount_unknown = update_unknown_transitions(d, p);

  // Raw rows and events: each touched deal's whole history moves to the end.
  bool range_lost = false;
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
  const auto base = static_cast<std::uint32_t>(raw.rows_seen);
  // Deal-level keys are derived again from the first deal whose value changed.
  std::size_t rep_from = static_cast<std::size_t>(p.old_deals);
  std::vector<std::size_t> attr_from(A, static_cast<std::size_t>(p.old_deals));
  for (std::size_t j = 0; j < p.touched.size(); ++j) {
    const auto k = p.touched[j];
    const auto& f = p.folds[j];
    const bool existing = k < p.old_deals;
    const auto start = static_cast<std::int64_t>(raw.row.size());
    if (existing) {
      for (auto q = raw.begin[k]; q < raw.end[k]; ++q) {
        raw.stage.push_back(raw.stage[q]);
        raw.time.push_back(raw.time[q]);
        raw.row.push_back(raw.row[q]);
        if (d.has_amount) raw.amount.push_back(raw.amount[q]);
        if (d.has_rep) raw.rep.codes.push_back(raw.rep.codes[q]);
        for (auto& a : raw.attrs) a.codes.push_back(a.codes[q]);
      }
      raw.live -= raw.end[k] - raw.begin[k];
    }
    for (auto q = p.group[j]; q < p.group[j + 1]; ++q) {
      const auto i = static_cast<std::size_t>(p.order[q]);
      raw.stage.push_back(p.stage_of_row[i]);
      raw.time.push_back(cols.time[i]);
      raw.row.push_back(base + static_cast<std::uint32_t>(i));
      if (d.has_amount) raw.amount.push_back(cols.amount.empty() ? std::numeric_limits<double>::quiet_NaN() : cols.amount[i]);
      if (d.has_rep) raw.rep.codes.push_back(p.rep_codes[i]);
      for (std::size_t a = 0; a < A; ++a) raw.attrs[a].codes.push_back(p.attr_codes[a][i]);
    }
    raw.begin[k] = start;
    raw.end[k] = static_cast<std::int64_t>(raw.row.size());
    raw.live += raw.end[k] - start;

    if (existing && d.end[k] > d.begin[k]) {
      const auto old_lo = d.time[d.begin[k]], old_hi = d.time[d.end[k] - 1];
      const auto& bt = p.buf_time[static_cast<std::size_t>(f.chunk)];
      const bool keeps_lo = f.kept > 0 && bt[f.at] <= old_lo, keeps_hi = f.kept > 0 && bt[f.at + f.kept - 1] >= old_hi;
      if ((old_lo == d.min_time && !keeps_lo) || (old_hi == d.max_time && !keeps_hi)) range_lost = true;
      d.n_events -= d.end[k] - d.begin[k];
    }
    if (existing) d.compact = false;
    const auto& bt = p.buf_time[static_cast<std::size_t>(f.chunk)];
    const auto& br = p.buf_rec[static_cast<std::size_t>(f.chunk)];
    const auto at = static_cast<std::int64_t>(d.stage.size());
    for (auto i = f.at; i < f.at + f.kept; ++i) {
      d.stage.push_back(br[i].stage);
      d.time.push_back(bt[i]);
      d.row.push_back(br[i].row);
      lo = std::min(lo, bt[i]);
      hi = std::max(hi, bt[i]);
    }
    d.begin[k] = at;
    d.end[k] = at + f.kept;
    d.n_events += f.kept;
    if (d.has_amount) d.deal_amount[k] = f.amount;
    if (d.has_rep) {
      if (existing && raw.rep.chosen[k] != f.rep) rep_from = 0;
      raw.rep.chosen[k] = f.rep;
    }
    for (std::size_t a = 0; a < A; ++a) {
      if (existing && raw.attrs[a].chosen[k] != p.attr_chosen[j * A + a]) attr_from[a] = 0;
      raw.attrs[a].chosen[k] = p.attr_chosen[j * A + a];
    }
  }
  raw.rows_seen += p.n;
  if (d.has_rep) derive_deal_keys(raw.rep, d.deal_rep, d.rep_names, rep_from);
  for (std::size_t a = 0; a < A; ++a) derive_deal_keys(raw.attrs[a], d.attrs[a].codes, d.attrs[a].categories, attr_from[a]);
  d.stage_names = std::move(p.stage_names);

  // The time range of the kept events.
  if (range_lost) {
    lo = std::numeric_limits<std::int64_t>::max();
    hi = std::numeric_limits<std::int64_t>::min();
    for (std::size_t k = 0; k < nd; ++k) {
      if (d.end[k] == d.begin[k]) continue;
      lo = std::min(lo, d.time[d.begin[k]]);
      hi = std::max(hi, d.time[d.end[k] - 1]);
    }
  } else if (had_events) {
    lo = std::min(lo, d.min_time);
    hi = std::max(hi, d.max_time);
  }
  if (d.n_events == 0) lo = hi = 0;
  d.min_time = lo;
  d.max_time = hi;

  // Storage left behind by moved deals is reclaimed once it outgrows the events.
  if (static_cast<std::int64_t>(d.stage.size()) > 2 * d.n_events + 4096) compact_storage(d);
  if (static_cast<std::int64_t>(raw.row.size()) > 2 * raw.live + 4096) compact_raw(raw, A);
  if (recount) recount_fold_issues(d, threads);
  if (recount_unknown) check_unknown_transitions(d, false).IgnoreError();
}

inline absl::StatusOr<append_result> event_log::append(const event_columns& cols, const event_log_options& opt) {
  if (d_->raw && d_->raw->rows_seen == 0) adopt_schema(cols);
  SALESFUNNEL_RETURN_IF_ERROR(check_append_schema(*d_, cols, opt));
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_event_columns(cols, opt));
  const data& d = *d_;
  append_plan p;
  p.opt = opt;
  p.opt.graph = d.graph;
  p.n = static_cast<std::int64_t>(cols.deal.size());
  p.stage_names = d.stage_names;
  SALESFUNNEL_ASSIGN_OR_RETURN(auto stages, resolve_stages(cols, p.opt, p.stage_names));
  p.stage_of_row = std::move(stages).per_row(cols.stage);
  SALESFUNNEL_RETURN_IF_ERROR(plan_deals(d, cols, p));
  const auto n = static_cast<std::size_t>(p.n);
  if (d.has_rep) detail::intern_raw_keys(d.raw->rep, cols.rep, n, p.rep_codes, p.rep_fresh);
  p.attr_codes.resize(d.attrs.size());
  p.attr_fresh.resize(d.attrs.size());
  for (std::size_t a = 0; a < d.attrs.size(); ++a) {
    const auto it = std::find_if(cols.attributes.begin(), cols.attributes.end(),
                                 [&](const attribute_column& c) { return c.name == d.attrs[a].name; });
    detail::intern_raw_keys(d.raw->attrs[a], it == cols.attributes.end() ? key_column() : it->values, n,
                            p.attr_codes[a], p.attr_fresh[a]);
  }
  const int threads = detail::resolve_threads(opt.threads);
  fold_touched(d, cols, p, threads);
  if (opt.strict) SALESFUNNEL_RETURN_IF_ERROR(check_append_strict(d, p));
  append_result out;
  out.rows = p.n;
  out.new_deals = static_cast<std::int64_t>(p.new_ints.size() + p.new_strs.size());
  out.changed_deals = static_cast<std::int64_t>(p.touched.size()) - out.new_deals;
  commit_append(cols, p, threads);
  return out;
}

inline absl::StatusOr<event_log> event_log::build_appendable(const event_columns& cols,
                                                            const event_log_options& opt) {
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_event_columns(cols, opt));
  auto d = new_data();
  d->unit = opt.unit;
  d->graph = opt.graph;
  if (opt.graph) d->stage_names = opt.graph->stage_names();
  d->raw.emplace();
  event_log log(std::move(d));
  SALESFUNNEL_RETURN_IF_ERROR(log.append(cols, opt).status());
  return log;
}

// A log that has taken no rows yet takes its columns from the first rows
// given (an empty build cannot tell a column with no values from none).
inline void event_log::adopt_schema(const event_columns& cols) {
  data& d = mutable_data();
  d.int_keys = cols.deal.type() == key_column::kind::integer;
  d.has_rep = cols.rep.present();
  d.has_amount = !cols.amount.empty();
  d.attrs.clear();
  d.raw->attrs.clear();
  for (const auto& a : cols.attributes) {
    d.attrs.push_back(attribute_data{a.name, {}, {}});
    d.raw->attrs.emplace_back();
  }
}

inline std::vector<std::int64_t> event_log::find_deals(const key_column& keys) const {
  std::vector<std::int64_t> out(keys.size(), -1);
  const bool ints = keys.type() == key_column::kind::integer;
  if (ints != d_->int_keys || !keys.present()) return out;
  absl::flat_hash_map<std::int64_t, std::int32_t> int_index;
  absl::flat_hash_map<std::string, std::int32_t> str_index;
  const auto* ii = d_->raw ? &d_->raw->int_deals : &int_index;
  const auto* si = d_->raw ? &d_->raw->str_deals : &str_index;
  if (!d_->raw) {
    for (std::size_t k = 0; k < d_->deal_ints.size(); ++k) int_index.emplace(d_->deal_ints[k], static_cast<std::int32_t>(k));
    for (std::size_t k = 0; k < d_->deal_strs.size(); ++k) str_index.emplace(d_->deal_strs[k], static_cast<std::int32_t>(k));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys.is_null(i)) continue;
    if (ints) {
      if (auto it = ii->find(keys.ints()[i]); it != ii->end()) out[i] = it->second;
      continue;
    }
    const std::string_view key = keys.type() == key_column::kind::string
                                     ? keys.strs()[i]
                                     : keys.categories()[static_cast<std::size_t>(keys.code(i))];
    if (auto it = si->find(detail::av(key)); it != si->end()) out[i] = it->second;
  }
  return out;
}

// Rewrites an appendable log's raw rows in deal order without gaps.
inline void event_log::compact_raw(detail::raw_events& raw, std::size_t num_attrs) {
  detail::raw_events out;
  const auto nd = raw.begin.size();
  const std::vector<std::int32_t> rep_codes = std::move(raw.rep.codes);
  std::vector<std::vector<std::int32_t>> attr_codes;
  for (auto& a : raw.attrs) attr_codes.push_back(std::move(a.codes));
  out.rep = std::move(raw.rep);
  out.rep.codes.clear();
  out.attrs = std::move(raw.attrs);
  for (auto& a : out.attrs) a.codes.clear();
  out.begin.resize(nd);
  out.end.resize(nd);
  const bool amounts = !raw.amount.empty();
  const bool reps = !rep_codes.empty();
  for (std::size_t k = 0; k < nd; ++k) {
    out.begin[k] = static_cast<std::int64_t>(out.row.size());
    for (auto q = raw.begin[k]; q < raw.end[k]; ++q) {
      out.stage.push_back(raw.stage[q]);
      out.time.push_back(raw.time[q]);
      out.row.push_back(raw.row[q]);
      if (amounts) out.amount.push_back(raw.amount[q]);
      if (reps) out.rep.codes.push_back(rep_codes[q]);
      for (std::size_t a = 0; a < num_attrs; ++a) out.attrs[a].codes.push_back(attr_codes[a][q]);
    }
    out.end[k] = static_cast<std::int64_t>(out.row.size());
  }
  out.live = static_cast<std::int64_t>(out.row.size());
  out.int_deals = std::move(raw.int_deals);
  out.str_deals = std::move(raw.str_deals);
  out.rows_seen = raw.rows_seen;
  raw = std::move(out);
}

SALESFUNNEL_END_NAMESPACE
