// Great conversations: the weekly number that predicts pipeline health.
//
//   auto calls = salesfunnel::conversation_log::build(cols);
//   salesfunnel::great_conversation_set gc = salesfunnel::count_great_conversations(*calls);
//   gc.count();                                                   // prospects counted
//   auto weeks = salesfunnel::weekly_great_conversations(*calls, gc, /*weekly_target=*/10);
//   auto todo = salesfunnel::follow_ups(*calls);                  // not-now / no follow-up dates
//   auto plan = salesfunnel::plan_great_conversations(3, 0.55);   // plan->needed == 5.45
//
// The counting rule: a conversation is great when it is with a decision maker
// and ends in yes, not_now or no. A maybe, a no_answer, or a talk with
// someone who cannot decide never counts; each prospect counts once, at its
// first great conversation.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/core/activity.hpp"
#include "salesfunnel/config.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/time.hpp"
#include "salesfunnel/stats/interval.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// Whether one conversation qualifies as great (before the once-per-prospect rule).
///
///   is_great_conversation(true, conversation_outcome::maybe);  // false
inline bool is_great_conversation(bool with_decision_maker, conversation_outcome o) {
  return with_decision_maker && (o == conversation_outcome::yes ||
                                 o == conversation_outcome::not_now || o == conversation_outcome::no);
}

/// One counted great conversation: a prospect's first qualifying one.
struct great_conversation {
  std::int32_t prospect = 0;  ///< dense prospect id of the conversation log
  std::int32_t rep = -1;      ///< rep id of the conversation log, -1 none
  std::int64_t time = 0;
  conversation_outcome outcome = conversation_outcome::yes;
  std::uint32_t row = 0;  ///< input row
};

/// Where every conversation went: the five counts add up to `conversations`.
struct great_conversation_tally {
  std::int64_t conversations = 0;
  std::int64_t counted = 0;               ///< first great conversation of a prospect
  std::int64_t repeats = 0;               ///< great, but the prospect was already counted
  std::int64_t not_decision_maker = 0;    ///< with someone who cannot decide (any outcome)
  std::int64_t maybe = 0;                 ///< with a decision maker, outcome maybe
  std::int64_t no_answer = 0;             ///< with a decision maker, outcome no_answer
};

/// The counted great conversations, in time order, and the tally.
struct great_conversation_set {
  std::vector<great_conversation> counted;
  great_conversation_tally tally;
  std::int64_t count() const { return static_cast<std::int64_t>(counted.size()); }
};

/// Applies the counting rule to every conversation.
///
///   auto gc = count_great_conversations(calls);  // gc.count(): prospects with a great conversation
inline great_conversation_set count_great_conversations(const conversation_log& log) {
  great_conversation_set out;
  std::vector<char> seen(static_cast<std::size_t>(log.num_prospects()), 0);
  const auto p = log.prospects();
  const auto dm = log.with_decision_maker();
  const auto oc = log.outcomes();
  for (auto row : log.time_order()) {
    ++out.tally.conversations;
    if (!dm[row]) {
      ++out.tally.not_decision_maker;
      continue;
    }
    if (oc[row] == conversation_outcome::maybe) {
      ++out.tally.maybe;
      continue;
    }
    if (oc[row] == conversation_outcome::no_answer) {
      ++out.tally.no_answer;
      continue;
    }
    auto& s = seen[static_cast<std::size_t>(p[row])];
    if (s) {
      ++out.tally.repeats;
      continue;
    }
    s = 1;
    ++out.tally.counted;
    out.counted.push_back(great_conversation{p[row], log.reps()[row], log.times()[row], oc[row], row});
  }
  return out;
}


/// One rep's great conversations in one week, against the weekly target.
struct weekly_great_row {
  std::string rep;            ///< rep name, "(none)" for conversations without one
  std::string week;           ///< the week's Monday, "2024-03-04"
  std::int64_t week_start = 0;  ///< Monday 00:00 UTC, in the log's time unit
  std::int64_t count = 0;
  double target = std::numeric_limits<double>::quiet_NaN();
  bool met = false;  ///< count >= target
};

/// Counted great conversations per rep and week, for every rep of the log and
/// every week from the log's first to its last conversation, so that a week
/// with none shows as a zero rather than missing. Rows are ordered by rep
/// name, then week.
///
///   auto rows = weekly_great_conversations(calls, gc, 10);  // target 10 a week
inline std::vector<weekly_great_row> weekly_great_conversations(const conversation_log& log,
                                                                const great_conversation_set& gc,
                                                                double weekly_target) {
  std::vector<weekly_great_row> out;
  if (log.size() == 0) return out;
  const auto unit = log.unit();
  const std::int64_t week = 7 * ticks_per_day(unit);
  const auto first = week_start(log.min_time(), unit);
  const auto weeks = (week_start(log.max_time(), unit) - first) / week + 1;
  // Reps: every rep of the log; "(none)" when a counted conversation has no rep.
  const auto R = log.rep_names().size();
  bool any_none = false;
  for (const auto& g : gc.counted) any_none |= g.rep < 0;
  std::vector<std::int64_t> counts((R + 1) * static_cast<std::size_t>(weeks), 0);
  for (const auto& g : gc.counted) {
    const auto r = g.rep < 0 ? R : static_cast<std::size_t>(g.rep);
    const auto w = static_cast<std::size_t>((week_start(g.time, unit) - first) / week);
    ++counts[r * static_cast<std::size_t>(weeks) + w];
  }
  std::vector<std::size_t> reps(R);
  std::iota(reps.begin(), reps.end(), 0);
  std::sort(reps.begin(), reps.end(),
            [&](auto a, auto b) { return log.rep_names()[a] < log.rep_names()[b]; });
  if (any_none) reps.push_back(R);
  for (auto r : reps) {
    for (std::int64_t w = 0; w < weeks; ++w) {
      weekly_great_row row;
      row.rep = r < R ? log.rep_names()[r] : "(none)";
      row.week_start = first + w * week;
      row.week = cohort_label(row.week_start, unit, cohort_period::week);
      row.count = counts[r * static_cast<std::size_t>(weeks) + static_cast<std::size_t>(w)];
      row.target = weekly_target;
      row.met = static_cast<double>(row.count) >= weekly_target;
      out.push_back(std::move(row));
    }
  }
  return out;
}

/// The follow-up delays a great conversation implies.
struct follow_up_options {
  double not_now_days = 182;  ///< not now: about six months later
  double no_min_days = 182;   ///< a firm no: six to twelve months later
  double no_max_days = 365;
};

/// A prospect to call again: its latest great conversation was a not-now or a no.
struct follow_up {
  std::int32_t prospect = 0;
  std::int32_t rep = -1;
  std::int64_t conversation_time = 0;
  conversation_outcome outcome = conversation_outcome::not_now;
  std::int64_t due = 0;     ///< earliest follow-up time
  std::int64_t latest = 0;  ///< end of the follow-up window (== due for not-now)
};

/// The follow-up list, ordered by due time. Each prospect is judged by its
/// latest great conversation, so a not-now later turned into a yes needs no
/// call; a prospect whose latest great conversation was a yes has a meeting
/// set and is not listed.
///
///   auto todo = follow_ups(calls);  // not-now on day 0 -> due on day 182
inline absl::StatusOr<std::vector<follow_up>> follow_ups(const conversation_log& log,
                                                         const follow_up_options& opt = {}) {
  if (!(opt.not_now_days >= 0) || !(opt.no_min_days >= 0) || !(opt.no_max_days >= opt.no_min_days)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "follow-up delays must be >= 0 and no_max_days >= no_min_days (got not_now_days=",
        opt.not_now_days, ", no_min_days=", opt.no_min_days, ", no_max_days=", opt.no_max_days, ")"));
  }
  std::vector<std::int64_t> latest(static_cast<std::size_t>(log.num_prospects()), -1);
  const auto dm = log.with_decision_maker();
  const auto oc = log.outcomes();
  for (auto row : log.time_order()) {
    if (is_great_conversation(dm[row], oc[row])) latest[static_cast<std::size_t>(log.prospects()[row])] = row;
  }
  const double tpd = log.ticks_per_day();
  auto after = [&](std::int64_t t, double days) { return t + static_cast<std::int64_t>(std::llround(days * tpd)); };
  std::vector<follow_up> out;
  for (std::size_t p = 0; p < latest.size(); ++p) {
    if (latest[p] < 0) continue;
    const auto row = static_cast<std::size_t>(latest[p]);
    if (oc[row] == conversation_outcome::yes) continue;
    follow_up f;
    f.prospect = static_cast<std::int32_t>(p);
    f.rep = log.reps()[row];
    f.conversation_time = log.times()[row];
    f.outcome = oc[row];
    if (f.outcome == conversation_outcome::not_now) {
      f.due = f.latest = after(f.conversation_time, opt.not_now_days);
    } else {
      f.due = after(f.conversation_time, opt.no_min_days);
      f.latest = after(f.conversation_time, opt.no_max_days);
    }
    out.push_back(f);
  }
  std::stable_sort(out.begin(), out.end(), [](const follow_up& a, const follow_up& b) { return a.due < b.due; });
  return out;
}

/// The observed rate from great conversation to first meeting.
struct meeting_rate {
  std::int64_t great_conversations = 0;  ///< counted conversations in the denominator
  std::int64_t first_meetings = 0;       ///< of those, the prospects that had a first meeting
  std::int64_t too_young = 0;            ///< left out: younger than the window at as_of
  interval rate;                         ///< first_meetings / great_conversations, Wilson 95%
};

struct meeting_rate_options {
  /// When set, a great conversation counts as converted only if the first
  /// meeting came within this many days, and conversations younger than the
  /// window at as_of are left out (they have not had the chance yet). When
  /// unset, any later meeting counts and every conversation is in.
  std::optional<double> window_days;
  /// In the conversation log's time unit; default: the latest time in either log.
  std::optional<std::int64_t> as_of;
};

namespace detail {

/// Shared by both meeting sources: `meeting_after(g, limit)` says whether the
/// prospect of great conversation g had a first meeting in [g.time, limit].
template <class F>
meeting_rate rate_of(const conversation_log& log, const great_conversation_set& gc,
                     const meeting_rate_options& opt, std::int64_t as_of, F&& meeting_after) {
  meeting_rate out;
  const double tpd = log.ticks_per_day();
  for (const auto& g : gc.counted) {
    std::int64_t limit = std::numeric_limits<std::int64_t>::max();
    if (opt.window_days) {
      limit = g.time + static_cast<std::int64_t>(std::llround(*opt.window_days * tpd));
      if (limit > as_of) {
        ++out.too_young;
        continue;
      }
    }
    ++out.great_conversations;
    if (meeting_after(g, limit)) ++out.first_meetings;
  }
  out.rate = wilson(out.first_meetings, out.great_conversations);
  return out;
}

inline absl::Status check_window(const meeting_rate_options& opt) {
  if (opt.window_days && !(*opt.window_days >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("window_days must be >= 0, got ", *opt.window_days));
  }
  return absl::OkStatus();
}

}  // namespace detail

/// Great conversation -> first meeting rate, with first meetings read from a
/// meeting log: a held meeting of the deal whose key equals the prospect's
/// key, at or after the great conversation.
///
///   auto r = great_conversation_meeting_rate(calls, gc, meetings);  // r->rate.estimate
inline absl::StatusOr<meeting_rate> great_conversation_meeting_rate(
    const conversation_log& log, const great_conversation_set& gc, const meeting_log& meetings,
    const meeting_rate_options& opt = {}) {
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_window(opt));
  absl::flat_hash_map<std::string, std::int32_t> index;
  for (std::int64_t d = 0; d < meetings.num_deals(); ++d) index.emplace(meetings.deal_key(d), static_cast<std::int32_t>(d));
  std::int64_t as_of = log.max_time();
  for (auto t : meetings.times()) as_of = std::max(as_of, rescale_time(t, meetings.unit(), log.unit()));
  if (opt.as_of) as_of = *opt.as_of;
  const auto off = meetings.offsets();
  return detail::rate_of(log, gc, opt, as_of, [&](const great_conversation& g, std::int64_t limit) {
    auto it = index.find(log.prospect_key(g.prospect));
    if (it == index.end()) return false;
    for (auto i = off[it->second]; i < off[it->second + 1]; ++i) {
      const auto t = rescale_time(meetings.times()[i], meetings.unit(), log.unit());
      if (meetings.held()[i] && t >= g.time && t <= limit) return true;
    }
    return false;
  });
}

/// Great conversation -> first meeting rate, with first meetings read from a
/// stage log: the deal whose key equals the prospect's key entered
/// `first_meeting_stage` (or a later main-path stage) at or after the great
/// conversation.
///
///   auto r = great_conversation_meeting_rate(calls, gc, log, "First Meeting");
inline absl::StatusOr<meeting_rate> great_conversation_meeting_rate(
    const conversation_log& log, const great_conversation_set& gc, const event_log& stages,
    std::string_view first_meeting_stage, const meeting_rate_options& opt = {}) {
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_window(opt));
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(stages));
  SALESFUNNEL_ASSIGN_OR_RETURN(stage_id target, g->id_of(first_meeting_stage));
  const auto rank = g->main_ranks();
  const auto target_rank = rank[static_cast<std::size_t>(target)];
  auto counts = [&](stage_id s) {
    return s == target || (target_rank >= 0 && rank[static_cast<std::size_t>(s)] > target_rank);
  };
  absl::flat_hash_map<std::string, std::int64_t> index;
  for (std::int64_t k = 0; k < stages.num_deals(); ++k) index.emplace(stages.deal_key(k), k);
  std::int64_t as_of = std::max(log.max_time(), rescale_time(stages.max_time(), stages.unit(), log.unit()));
  if (opt.as_of) as_of = *opt.as_of;
  return detail::rate_of(log, gc, opt, as_of, [&](const great_conversation& gcv, std::int64_t limit) {
    auto it = index.find(log.prospect_key(gcv.prospect));
    if (it == index.end()) return false;
    for (auto i = stages.deal_begin(it->second); i < stages.deal_end(it->second); ++i) {
      const auto t = rescale_time(stages.times()[i], stages.unit(), log.unit());
      if (counts(stages.stages()[i]) && t >= gcv.time && t <= limit) return true;
    }
    return false;
  });
}

/// Reverse planning: great conversations a week needed for a number of first
/// meetings a week at a conversion rate.
struct conversation_plan {
  double first_meetings = 0;  ///< per week, the goal
  double rate = 0;            ///< great conversation -> first meeting
  double needed = 0;          ///< first_meetings / rate
  std::int64_t needed_floor = 0;  ///< "about 5-6": floor and ceiling of `needed`
  std::int64_t needed_ceil = 0;
  /// needed at the rate interval's high and low ends (NaN without an interval).
  double needed_low = std::numeric_limits<double>::quiet_NaN();
  double needed_high = std::numeric_limits<double>::quiet_NaN();
};

/// "N first meetings a week needs about M great conversations at your rate".
///
///   auto p = plan_great_conversations(3, 0.55);  // needed 5.45: about 5-6 a week
inline absl::StatusOr<conversation_plan> plan_great_conversations(double first_meetings_per_week,
                                                                  double rate) {
  if (!(first_meetings_per_week >= 0) || !std::isfinite(first_meetings_per_week)) {
    return absl::InvalidArgumentError(
        absl::StrCat("first meetings per week must be a finite number >= 0, got ", first_meetings_per_week));
  }
  if (!(rate > 0 && rate <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the great conversation -> first meeting rate must be in (0, 1], got ", rate,
        " (with no observed first meetings there is nothing to plan from)"));
  }
  conversation_plan p;
  p.first_meetings = first_meetings_per_week;
  p.rate = rate;
  p.needed = first_meetings_per_week / rate;
  // Past 2^53 the count is not an integer a double can hold (and inf would not
  // convert to int64 at all): refuse rather than report a wrapped count.
  if (!(p.needed <= 9007199254740992.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "first meetings per week / rate = ", first_meetings_per_week, " / ", rate,
        " needs more than 2^53 great conversations a week"));
  }
  // Guard against 6.0000000001 from floating division of exact ratios.
  const double r = std::round(p.needed);
  const double v = std::abs(p.needed - r) < 1e-9 ? r : p.needed;
  p.needed_floor = static_cast<std::int64_t>(std::floor(v));
  p.needed_ceil = static_cast<std::int64_t>(std::ceil(v));
  return p;
}

/// The same, from an observed rate; needed_low / needed_high use the ends of
/// its Wilson interval (a high rate needs fewer conversations).
inline absl::StatusOr<conversation_plan> plan_great_conversations(double first_meetings_per_week,
                                                                  const interval& rate) {
  SALESFUNNEL_ASSIGN_OR_RETURN(auto p, plan_great_conversations(first_meetings_per_week, rate.estimate));
  if (rate.high > 0) p.needed_low = first_meetings_per_week / rate.high;
  if (rate.low > 0) p.needed_high = first_meetings_per_week / rate.low;
  else p.needed_high = std::numeric_limits<double>::infinity();
  return p;
}

inline absl::StatusOr<conversation_plan> plan_great_conversations(double first_meetings_per_week,
                                                                  const meeting_rate& observed) {
  return plan_great_conversations(first_meetings_per_week, observed.rate);
}

SALESFUNNEL_END_NAMESPACE
