// Activity logs beside the stage log: conversations and meetings.
//
//   std::vector<std::string_view> who = {"p1", "p1", "p2"}, rep = {"ann", "ann", "bob"};
//   std::vector<std::int64_t> at = {0, 86400, 3600};
//   std::vector<std::uint8_t> dm = {1, 1, 0};
//   std::vector<std::string_view> outcome = {"maybe", "yes", "yes"};
//   salesfunnel::conversation_columns cols;
//   cols.prospect = salesfunnel::key_column::strings(who);
//   cols.rep = salesfunnel::key_column::strings(rep);
//   cols.time = at;
//   cols.with_decision_maker = dm;
//   cols.outcome = salesfunnel::key_column::strings(outcome);
//   absl::StatusOr<salesfunnel::conversation_log> log = salesfunnel::conversation_log::build(cols);
//
// Both logs are columnar and immutable like event_log, validated the same way:
// an error names the column (by the caller's name for it) and the first bad
// row. They are optional inputs: the analyses in conversations.hpp and
// pipeline.hpp read them beside an event_log, matching deals by key text.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/columns.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/time.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// How a conversation ended. Only yes / not_now / no with a decision maker
/// make a great conversation (see conversations.hpp).
enum class conversation_outcome : std::uint8_t { yes = 0, not_now = 1, no = 2, maybe = 3, no_answer = 4 };

/// The number of conversation outcomes (integer codes are 0 .. 4).
inline constexpr int num_conversation_outcomes = 5;

/// "yes", "not_now", "no", "maybe" or "no_answer".
inline std::string_view to_string(conversation_outcome o) {
  switch (o) {
    case conversation_outcome::yes: return "yes";
    case conversation_outcome::not_now: return "not_now";
    case conversation_outcome::no: return "no";
    case conversation_outcome::maybe: return "maybe";
    case conversation_outcome::no_answer: return "no_answer";
  }
  return "no_answer";
}

/// Parses an outcome name exactly; InvalidArgument lists the allowed names.
///
///   auto o = salesfunnel::parse_conversation_outcome("not_now");  // conversation_outcome::not_now
inline absl::StatusOr<conversation_outcome> parse_conversation_outcome(std::string_view s) {
  for (int i = 0; i < num_conversation_outcomes; ++i) {
    auto o = static_cast<conversation_outcome>(i);
    if (s == to_string(o)) return o;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown outcome '", detail::av(s),
                                                 "'; allowed: yes, not_now, no, maybe, no_answer"));
}

/// The conversation columns, borrowed for the duration of conversation_log::build.
struct conversation_columns {
  key_column prospect;                          ///< required: prospect id (matches a deal key)
  key_column rep;                               ///< required column; null rows have no rep
  std::span<const std::int64_t> time;           ///< required, in the log's time_unit
  std::span<const std::uint8_t> with_decision_maker;  ///< required: 0 or 1
  /// required: text ("yes", "not_now", "no", "maybe", "no_answer") or integer
  /// codes 0..4 in that order.
  key_column outcome;
  /// The caller's names for the columns, used in error messages.
  std::string prospect_name = "prospect";
  std::string rep_name = "rep";
  std::string time_name = "time";
  std::string decision_maker_name = "with_decision_maker";
  std::string outcome_name = "outcome";
};

/// The meeting columns, borrowed for the duration of meeting_log::build.
struct meeting_columns {
  key_column deal;                      ///< required: deal id (matches the event log's keys)
  std::span<const std::int64_t> time;   ///< required, in the log's time_unit
  /// optional: 0 or 1, whether the meeting took place (absent: every meeting was held).
  std::span<const std::uint8_t> held;
  /// optional: what the buyer agreed to do; null, empty or blank means no task.
  key_column buyer_task;
  /// optional: 0 or 1, whether the next meeting was on the calendar when this one ended.
  std::span<const std::uint8_t> next_meeting_booked;
  std::string deal_name = "deal";
  std::string time_name = "time";
  std::string held_name = "held";
  std::string buyer_task_name = "buyer_task";
  std::string next_meeting_booked_name = "next_meeting_booked";
};

namespace detail {

/// Interned keys of an activity log: dense ids, integer or text keys.
struct activity_keys {
  bool int_keys = false;
  std::vector<std::int64_t> ints;
  std::vector<std::string> strs;
  std::int64_t size() const {
    return int_keys ? static_cast<std::int64_t>(ints.size()) : static_cast<std::int64_t>(strs.size());
  }
  std::string key(std::int64_t i) const { return int_keys ? absl::StrCat(ints[i]) : strs[i]; }
};

inline absl::Status check_bool_column(std::span<const std::uint8_t> v, std::string_view name) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] > 1) {
      return column_error(name, i, absl::StrCat("expected 0 or 1 (a boolean), got ", int{v[i]}));
    }
  }
  return absl::OkStatus();
}

/// Categorical codes must index the categories.
inline absl::Status check_key_column(const key_column& c, std::string_view name) {
  return c.check_codes(name);
}

}  // namespace detail

/// An immutable, columnar conversation log. Copies share storage.
///
/// Rows keep their input order; time_order() lists them by (time, row).
class conversation_log {
 public:
  /// Validates the columns. Errors name the column and the first bad row; an
  /// unknown outcome lists the allowed values.
  static absl::StatusOr<conversation_log> build(const conversation_columns& cols,
                                                time_unit unit = time_unit::seconds);

  std::int64_t size() const { return static_cast<std::int64_t>(d_->time.size()); }
  /// Per input row: dense prospect id, rep id (-1 none), time, decision maker, outcome.
  std::span<const std::int32_t> prospects() const { return d_->prospect; }
  std::span<const std::int32_t> reps() const { return d_->rep; }
  std::span<const std::int64_t> times() const { return d_->time; }
  std::span<const std::uint8_t> with_decision_maker() const { return d_->dm; }
  std::span<const conversation_outcome> outcomes() const { return d_->outcome; }
  /// Input rows sorted by (time, row).
  std::span<const std::uint32_t> time_order() const { return d_->order; }

  std::int64_t num_prospects() const { return d_->keys.size(); }
  bool integer_prospect_keys() const { return d_->keys.int_keys; }
  std::span<const std::int64_t> prospect_int_keys() const { return d_->keys.ints; }
  const std::vector<std::string>& prospect_str_keys() const { return d_->keys.strs; }
  std::string prospect_key(std::int64_t p) const { return d_->keys.key(p); }
  const std::vector<std::string>& rep_names() const { return d_->rep_names; }

  time_unit unit() const { return d_->unit; }
  double ticks_per_day() const { return static_cast<double>(salesfunnel::ticks_per_day(d_->unit)); }
  std::int64_t min_time() const { return d_->min_time; }
  std::int64_t max_time() const { return d_->max_time; }

 private:
  struct data {
    std::vector<std::int32_t> prospect, rep;
    std::vector<std::int64_t> time;
    std::vector<std::uint8_t> dm;
    std::vector<conversation_outcome> outcome;
    std::vector<std::uint32_t> order;
    detail::activity_keys keys;
    std::vector<std::string> rep_names;
    time_unit unit = time_unit::seconds;
    std::int64_t min_time = 0, max_time = 0;
  };
  explicit conversation_log(std::shared_ptr<const data> d) : d_(std::move(d)) {}
  std::shared_ptr<const data> d_;
};

namespace detail {

inline absl::Status check_conversation_columns(const conversation_columns& c) {
  for (const auto& [col, name] : {std::pair{&c.prospect, &c.prospect_name}, std::pair{&c.rep, &c.rep_name},
                                  std::pair{&c.outcome, &c.outcome_name}}) {
    if (!col->present()) return absl::InvalidArgumentError(absl::StrCat("column '", *name, "' is required"));
  }
  const std::size_t n = c.prospect.size();
  SALESFUNNEL_RETURN_IF_ERROR(check_rows(c.rep_name, c.rep.size(), c.prospect_name, n));
  SALESFUNNEL_RETURN_IF_ERROR(check_rows(c.time_name, c.time.size(), c.prospect_name, n));
  SALESFUNNEL_RETURN_IF_ERROR(check_rows(c.decision_maker_name, c.with_decision_maker.size(), c.prospect_name, n));
  SALESFUNNEL_RETURN_IF_ERROR(check_rows(c.outcome_name, c.outcome.size(), c.prospect_name, n));
  if (n >= std::numeric_limits<std::uint32_t>::max()) {
    return absl::InvalidArgumentError("a conversation log holds at most 2^32 - 1 rows");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (c.time[i] == null_time) return column_error(c.time_name, i, "missing time (NaT)");
  }
  SALESFUNNEL_RETURN_IF_ERROR(check_bool_column(c.with_decision_maker, c.decision_maker_name));
  SALESFUNNEL_RETURN_IF_ERROR(check_key_column(c.prospect, c.prospect_name));
  SALESFUNNEL_RETURN_IF_ERROR(check_key_column(c.rep, c.rep_name));
  return check_key_column(c.outcome, c.outcome_name);
}

/// One outcome per row, from integer codes 0..4 or text (each distinct text parsed once).
inline absl::StatusOr<std::vector<conversation_outcome>> parse_outcomes(const key_column& col,
                                                                       std::string_view name) {
  const std::size_t n = col.size();
  std::vector<conversation_outcome> out(n);
  if (col.type() == key_column::kind::integer) {
    auto v = col.ints();
    for (std::size_t i = 0; i < n; ++i) {
      if (col.is_null(i)) return column_error(name, i, "missing outcome");
      if (v[i] < 0 || v[i] >= num_conversation_outcomes) {
        return column_error(name, i, absl::StrCat("outcome code ", v[i],
                                                  " is outside 0..4 (yes, not_now, no, maybe, no_answer)"));
      }
      out[i] = static_cast<conversation_outcome>(v[i]);
    }
    return out;
  }
  auto ok = intern_keys(col, false);
  std::vector<conversation_outcome> parsed(ok.names.size());
  std::vector<char> done(ok.names.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto id = ok.ids[i];
    if (id < 0) return column_error(name, i, "missing outcome");
    if (!done[id]) {
      auto o = parse_conversation_outcome(ok.names[id]);
      if (!o.ok()) return column_error(name, i, std::string(o.status().message()));
      parsed[id] = *o;
      done[id] = 1;
    }
    out[i] = parsed[id];
  }
  return out;
}

}  // namespace detail

inline absl::StatusOr<conversation_log> conversation_log::build(const conversation_columns& c,
                                                                time_unit unit) {
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_conversation_columns(c));
  const std::size_t n = c.prospect.size();
  auto d = std::make_shared<data>();
  d->unit = unit;
  d->keys.int_keys = c.prospect.type() == key_column::kind::integer;
  auto pk = detail::intern_keys(c.prospect, d->keys.int_keys);
  for (std::size_t i = 0; i < n; ++i) {
    if (pk.ids[i] < 0) return detail::column_error(c.prospect_name, i, "missing prospect id");
  }
  d->prospect = std::move(pk.ids);
  d->keys.ints = std::move(pk.ints);
  d->keys.strs = std::move(pk.names);
  auto rk = detail::intern_keys(c.rep, false);
  d->rep = std::move(rk.ids);
  d->rep_names = std::move(rk.names);
  SALESFUNNEL_ASSIGN_OR_RETURN(d->outcome, detail::parse_outcomes(c.outcome, c.outcome_name));
  d->time.assign(c.time.begin(), c.time.end());
  d->dm.assign(c.with_decision_maker.begin(), c.with_decision_maker.end());
  d->order.resize(n);
  std::iota(d->order.begin(), d->order.end(), 0u);
  std::stable_sort(d->order.begin(), d->order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return d->time[a] < d->time[b]; });
  if (n > 0) {
    d->min_time = d->time[d->order.front()];
    d->max_time = d->time[d->order.back()];
  }
  return conversation_log(std::move(d));
}

/// An immutable, columnar meeting log, sorted by (deal, time, input row).
/// Copies share storage.
class meeting_log {
 public:
  /// Validates the columns; errors name the column and the first bad row.
  static absl::StatusOr<meeting_log> build(const meeting_columns& cols,
                                           time_unit unit = time_unit::seconds);

  std::int64_t num_meetings() const { return static_cast<std::int64_t>(d_->time.size()); }
  std::int64_t num_deals() const { return d_->keys.size(); }
  /// Deal d's meetings are [offsets()[d], offsets()[d+1]), in time order.
  std::span<const std::int64_t> offsets() const { return d_->offsets; }
  std::span<const std::int64_t> times() const { return d_->time; }
  std::span<const std::uint8_t> held() const { return d_->held; }
  /// 1 when the meeting ended with a (non-blank) buyer task.
  std::span<const std::uint8_t> has_buyer_task() const { return d_->has_task; }
  std::span<const std::uint8_t> next_meeting_booked() const { return d_->booked; }
  /// The buyer task text per meeting ("" when none).
  const std::vector<std::string>& buyer_tasks() const { return d_->task; }
  /// Input row per meeting.
  std::span<const std::uint32_t> rows() const { return d_->row; }
  /// Whether the optional columns were given.
  bool has_held_column() const { return d_->has_held; }
  bool has_buyer_task_column() const { return d_->has_task_col; }
  bool has_next_meeting_column() const { return d_->has_booked_col; }

  bool integer_deal_keys() const { return d_->keys.int_keys; }
  std::string deal_key(std::int64_t d) const { return d_->keys.key(d); }

  time_unit unit() const { return d_->unit; }

  /// For each deal of `log`, this log's deal with the same key (compared as
  /// text), or -1 when it has no meetings. `unmatched` (optional) receives the
  /// number of this log's deals that are not in `log`.
  std::vector<std::int32_t> match(const event_log& log, std::int64_t* unmatched = nullptr) const {
    absl::flat_hash_map<std::string, std::int32_t> index;
    for (std::int64_t d = 0; d < num_deals(); ++d) index.emplace(deal_key(d), static_cast<std::int32_t>(d));
    std::vector<std::int32_t> out(static_cast<std::size_t>(log.num_deals()), -1);
    std::int64_t found = 0;
    for (std::int64_t k = 0; k < log.num_deals(); ++k) {
      if (auto it = index.find(log.deal_key(k)); it != index.end()) {
        out[k] = it->second;
        ++found;
      }
    }
    if (unmatched) *unmatched = num_deals() - found;
    return out;
  }

 private:
  struct data {
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int64_t> time;
    std::vector<std::uint8_t> held, has_task, booked;
    std::vector<std::string> task;
    std::vector<std::uint32_t> row;
    bool has_held = false, has_task_col = false, has_booked_col = false;
    detail::activity_keys keys;
    time_unit unit = time_unit::seconds;
  };
  explicit meeting_log(std::shared_ptr<const data> d) : d_(std::move(d)) {}
  std::shared_ptr<const data> d_;
};

inline absl::StatusOr<meeting_log> meeting_log::build(const meeting_columns& c, time_unit unit) {
  using detail::column_error;
  if (!c.deal.present()) {
    return absl::InvalidArgumentError(absl::StrCat("column '", c.deal_name, "' is required"));
  }
  const std::size_t n = c.deal.size();
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_rows(c.time_name, c.time.size(), c.deal_name, n));
  if (!c.held.empty()) {
    SALESFUNNEL_RETURN_IF_ERROR(detail::check_rows(c.held_name, c.held.size(), c.deal_name, n));
    SALESFUNNEL_RETURN_IF_ERROR(detail::check_bool_column(c.held, c.held_name));
  }
  if (c.buyer_task.present()) {
    SALESFUNNEL_RETURN_IF_ERROR(
        detail::check_rows(c.buyer_task_name, c.buyer_task.size(), c.deal_name, n));
  }
  if (!c.next_meeting_booked.empty()) {
    SALESFUNNEL_RETURN_IF_ERROR(detail::check_rows(c.next_meeting_booked_name,
                                                   c.next_meeting_booked.size(), c.deal_name, n));
    SALESFUNNEL_RETURN_IF_ERROR(detail::check_bool_column(c.next_meeting_booked, c.next_meeting_booked_name));
  }
  if (n >= std::numeric_limits<std::uint32_t>::max()) {
    return absl::InvalidArgumentError("a meeting log holds at most 2^32 - 1 rows");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (c.time[i] == null_time) return column_error(c.time_name, i, "missing time (NaT)");
  }
  auto d = std::make_shared<data>();
  d->unit = unit;
  d->has_held = !c.held.empty();
  d->has_task_col = c.buyer_task.present();
  d->has_booked_col = !c.next_meeting_booked.empty();
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_key_column(c.deal, c.deal_name));
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_key_column(c.buyer_task, c.buyer_task_name));
  d->keys.int_keys = c.deal.type() == key_column::kind::integer;
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_present(c.deal, c.deal_name, "missing deal id"));
  auto dk = detail::group_by_key(c.deal, d->keys.int_keys, 1);
  d->keys.ints = std::move(dk.keys.ints);
  d->keys.strs = std::move(dk.keys.names);
  const auto nd = static_cast<std::size_t>(d->keys.size());

  // Rows grouped by deal, then sorted by (time, row) within each deal.
  std::vector<std::uint32_t> order(n);
  d->offsets = dk.scatter(1, [&](std::int64_t pos, std::size_t i) {
    order[static_cast<std::size_t>(pos)] = static_cast<std::uint32_t>(i);
  });
  for (std::size_t k = 0; k < nd; ++k) {
    std::stable_sort(order.begin() + d->offsets[k], order.begin() + d->offsets[k + 1],
                     [&](std::uint32_t a, std::uint32_t b) { return c.time[a] < c.time[b]; });
  }
  d->time.resize(n);
  d->held.resize(n);
  d->has_task.resize(n);
  d->booked.resize(n);
  d->task.resize(n);
  d->row = order;
  for (std::size_t j = 0; j < n; ++j) {
    const auto i = order[j];
    d->time[j] = c.time[i];
    d->held[j] = c.held.empty() ? 1 : c.held[i];
    d->booked[j] = c.next_meeting_booked.empty() ? 0 : c.next_meeting_booked[i];
    if (c.buyer_task.present() && !c.buyer_task.is_null(i)) {
      d->task[j] = c.buyer_task.text(i);
      d->has_task[j] = absl::StripAsciiWhitespace(d->task[j]).empty() ? 0 : 1;
    }
  }
  return meeting_log(std::move(d));
}

SALESFUNNEL_END_NAMESPACE
