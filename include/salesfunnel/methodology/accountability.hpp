// Buyer accountability: did the last meeting end with a buyer task and the
// next meeting booked?
//
//   auto meetings = salesfunnel::meeting_log::build(mcols);
//   auto risk = salesfunnel::buyer_accountability(log, *meetings);
//   // risk->open_deals[i].at_risk, .reason; risk->history: flagged vs unflagged win rate
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/activity.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/stats/interval.hpp"

SALESFUNNEL_BEGIN_NAMESPACE


/// Which held meeting of a closed deal the history test judges.
enum class accountability_snapshot : std::uint8_t {
  /// The first held meeting: the deal as it looked early, long before it
  /// closed (the default, see buyer_accountability).
  first_meeting,
  /// The last held meeting before the deal closed: the rule exactly as it is
  /// applied to open deals, but a lost deal's last meeting often ended
  /// without a next step because it was lost, which flatters the rule.
  last_meeting,
};

struct accountability_options {
  /// The time the pipeline is read at; default: the log's latest event.
  /// Meetings after it are ignored.
  std::optional<std::int64_t> as_of;
  accountability_snapshot history_snapshot = accountability_snapshot::first_meeting;
  bool include_nurture = false;
};

/// One open deal: how its last held meeting ended.
struct accountability_row {
  std::int64_t deal = 0;  ///< deal id in the event log
  std::int32_t rep = -1;
  stage_id stage = 0;
  std::int64_t held_meetings = 0;
  std::int64_t last_meeting_time = null_time;  ///< in the event log's unit; null_time when none
  bool buyer_task = false;
  bool next_meeting_booked = false;
  bool at_risk = false;
  std::string reason;  ///< why it is at risk, or "buyer task and next meeting booked"
};

/// The rule tested on the team's own closed deals: do flagged deals win less?
struct accountability_history {
  std::int64_t flagged = 0, flagged_won = 0;
  std::int64_t unflagged = 0, unflagged_won = 0;
  interval flagged_rate, unflagged_rate;  ///< won / closed, Wilson 95%
  double difference = std::numeric_limits<double>::quiet_NaN();  ///< unflagged - flagged
  /// Two-proportion z test (pooled) of the difference; two-sided p value.
  double z = std::numeric_limits<double>::quiet_NaN();
  double p_value = std::numeric_limits<double>::quiet_NaN();
  std::int64_t closed_without_meetings = 0;  ///< closed deals with no held meeting: in neither group
};

struct accountability_report {
  std::vector<accountability_row> open_deals;
  std::int64_t at_risk = 0;
  accountability_history history;
  std::int64_t unmatched_meeting_deals = 0;  ///< deals of the meeting log not in the event log
};

namespace detail {

inline std::string accountability_reason(bool has_meeting, bool task, bool booked) {
  if (!has_meeting) return "no held meeting";
  if (!task && !booked) return "no buyer task and no next meeting booked";
  if (!task) return "no buyer task";
  if (!booked) return "no next meeting booked";
  return "buyer task and next meeting booked";
}

inline double normal_two_sided_p(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

}  // namespace detail

/// For every open deal, whether its last held meeting ended with a buyer task
/// and a booked next meeting; deals without are at risk, with the reason.
/// The history test judges each closed deal (won or lost) that had a held
/// meeting by its `history_snapshot` meeting and compares the win rates of
/// the flagged and unflagged groups.
///
///   auto r = buyer_accountability(log, meetings);
///   // r->history.flagged_rate.estimate < r->history.unflagged_rate.estimate ?
inline absl::StatusOr<accountability_report> buyer_accountability(
    const event_log& log, const meeting_log& meetings, const accountability_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  const std::int64_t as_of = detail::resolve_as_of(log, opt.as_of);
  if (!meetings.has_buyer_task_column() || !meetings.has_next_meeting_column()) {
    return absl::FailedPreconditionError(
        "buyer accountability needs the meeting log's buyer_task and next_meeting_booked columns");
  }
  accountability_report out;
  const auto match = meetings.match(log, &out.unmatched_meeting_deals);
  const auto facts = deal_facts_of(log, *g, as_of);
  const auto off = meetings.offsets();
  auto mtime = [&](std::int64_t i) { return rescale_time(meetings.times()[i], meetings.unit(), log.unit()); };
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto& f = facts[k];
    if (f.empty) continue;
    const auto m = match[k];
    if (in_pipeline(f.state, opt.include_nurture)) {
      accountability_row row;
      row.deal = k;
      row.rep = log.has_rep() ? log.deal_rep()[k] : -1;
      row.stage = f.final_stage;
      std::int64_t last = -1;
      if (m >= 0) {
        for (auto i = off[m]; i < off[m + 1]; ++i) {
          if (!meetings.held()[i] || mtime(i) > as_of) continue;
          ++row.held_meetings;
          last = i;
        }
      }
      if (last >= 0) {
        row.last_meeting_time = mtime(last);
        row.buyer_task = meetings.has_buyer_task()[last] != 0;
        row.next_meeting_booked = meetings.next_meeting_booked()[last] != 0;
      }
      row.at_risk = last < 0 || !row.buyer_task || !row.next_meeting_booked;
      row.reason = detail::accountability_reason(last >= 0, row.buyer_task, row.next_meeting_booked);
      out.at_risk += row.at_risk ? 1 : 0;
      out.open_deals.push_back(std::move(row));
    } else if (!is_open(f.state)) {
      // The closed deal's meetings up to its close.
      std::int64_t pick = -1;
      if (m >= 0) {
        for (auto i = off[m]; i < off[m + 1]; ++i) {
          if (!meetings.held()[i] || mtime(i) > f.last_time) continue;
          pick = i;
          if (opt.history_snapshot == accountability_snapshot::first_meeting) break;
        }
      }
      if (pick < 0) {
        ++out.history.closed_without_meetings;
        continue;
      }
      const bool flagged = !meetings.has_buyer_task()[pick] || !meetings.next_meeting_booked()[pick];
      const bool won = f.state == deal_state::won;
      auto& h = out.history;
      if (flagged) {
        ++h.flagged;
        h.flagged_won += won;
      } else {
        ++h.unflagged;
        h.unflagged_won += won;
      }
    }
  }
  auto& h = out.history;
  h.flagged_rate = wilson(h.flagged_won, h.flagged);
  h.unflagged_rate = wilson(h.unflagged_won, h.unflagged);
  if (h.flagged > 0 && h.unflagged > 0) {
    h.difference = h.unflagged_rate.estimate - h.flagged_rate.estimate;
    const double n1 = static_cast<double>(h.flagged), n2 = static_cast<double>(h.unflagged);
    const double pooled = static_cast<double>(h.flagged_won + h.unflagged_won) / (n1 + n2);
    const double se = std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
    if (se > 0) {
      h.z = h.difference / se;
      h.p_value = detail::normal_two_sided_p(h.z);
    }
  }
  return out;
}

SALESFUNNEL_END_NAMESPACE
