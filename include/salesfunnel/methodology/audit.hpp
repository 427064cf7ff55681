// Buyer accountability and the pipeline integrity audit.
//
//   auto log = salesfunnel::event_log::build(cols, opt);          // with a graph
//   auto meetings = salesfunnel::meeting_log::build(mcols);
//   auto risk = salesfunnel::buyer_accountability(*log, *meetings);
//   // risk->open_deals[i].at_risk, .reason; risk->history: flagged vs unflagged win rate
//   salesfunnel::audit_options a;                                // two-meeting rule + aged past cycle
//   auto audit = salesfunnel::audit_pipeline(*log, &*meetings, a);
//   // audit->raw.value vs audit->qualified.value; audit->deals[i].checks
//
// The pipeline is the deals whose final stage is an entry or open stage
// (nurture deals are parked and join only with include_nurture). The audit
// applies the rules the sales methodology uses to decide which of them are
// real opportunities; a deal that fails any enabled rule is worth $0 in the
// qualified pipeline, and every check carries its reason.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include "salesfunnel/activity.hpp"
#include "salesfunnel/config.hpp"
#include "salesfunnel/event_log.hpp"
#include "salesfunnel/funnel.hpp"
#include "salesfunnel/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

namespace detail {

/// What the methodology analyses need to know about one deal's path.
struct deal_facts {
  bool empty = true;
  std::int64_t entry_time = 0;   ///< first event
  std::int64_t last_time = 0;    ///< last event (entry into the final stage)
  stage_id final_stage = -1;
  std::int64_t won_time = null_time;   ///< first entry into a won stage, for deals that end won
  std::int64_t last_forward_time = 0;  ///< latest event that raised the furthest main-path rank
  std::int32_t furthest_rank = -1;
};

inline std::vector<deal_facts> facts_of(const event_log& log, const stage_graph& g) {
  const auto rank = main_ranks(g);
  const auto st = log.stages();
  const auto tm = log.times();
  const auto off = log.offsets();
  std::vector<deal_facts> out(static_cast<std::size_t>(log.num_deals()));
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    auto& f = out[k];
    if (off[k] == off[k + 1]) continue;
    f.empty = false;
    f.entry_time = tm[off[k]];
    f.last_time = tm[off[k + 1] - 1];
    f.final_stage = st[off[k + 1] - 1];
    f.last_forward_time = f.entry_time;
    for (auto i = off[k]; i < off[k + 1]; ++i) {
      const auto r = rank[static_cast<std::size_t>(st[i])];
      if (r > f.furthest_rank) {
        f.furthest_rank = r;
        f.last_forward_time = tm[i];
      }
    }
    if (g.kind_of(f.final_stage) == stage_kind::won) {
      for (auto i = off[k]; i < off[k + 1]; ++i) {
        if (g.kind_of(st[i]) == stage_kind::won) {
          f.won_time = tm[i];
          break;
        }
      }
    }
  }
  return out;
}

/// Whether a deal resting in a stage of this kind is in the pipeline.
inline bool in_pipeline(stage_kind k, bool include_nurture) {
  return k == stage_kind::entry || k == stage_kind::open || (include_nurture && k == stage_kind::nurture);
}

/// The mean sales cycle in days: entry to first won stage, over won deals
/// (optionally only those won in [from, to]).
struct cycle_stats {
  std::int64_t won = 0;
  double mean_days = std::numeric_limits<double>::quiet_NaN();
};

inline cycle_stats mean_cycle(const std::vector<deal_facts>& facts, double ticks_per_day,
                              std::int64_t from = std::numeric_limits<std::int64_t>::min(),
                              std::int64_t to = std::numeric_limits<std::int64_t>::max(),
                              std::int32_t only_rep = -1, std::span<const std::int32_t> reps = {}) {
  cycle_stats c;
  double sum = 0;
  for (std::size_t k = 0; k < facts.size(); ++k) {
    const auto& f = facts[k];
    if (f.empty || f.won_time == null_time || f.won_time < from || f.won_time > to) continue;
    if (only_rep >= 0 && reps[k] != only_rep) continue;
    ++c.won;
    sum += static_cast<double>(f.won_time - f.entry_time) / ticks_per_day;
  }
  if (c.won > 0) c.mean_days = sum / static_cast<double>(c.won);
  return c;
}

inline std::string days_text(double d) { return absl::StrFormat("%.0f", d); }

}  // namespace detail

// ---------------------------------------------------------------------------
// Buyer accountability
// ---------------------------------------------------------------------------

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
  funnel_options fo;
  fo.as_of = opt.as_of;
  SALESFUNNEL_ASSIGN_OR_RETURN(std::int64_t as_of, detail::resolve_as_of(log, fo));
  if (!meetings.has_buyer_task_column() || !meetings.has_next_meeting_column()) {
    return absl::FailedPreconditionError(
        "buyer accountability needs the meeting log's buyer_task and next_meeting_booked columns");
  }
  accountability_report out;
  const auto match = meetings.match(log, &out.unmatched_meeting_deals);
  const auto facts = detail::facts_of(log, *g);
  const auto off = meetings.offsets();
  auto mtime = [&](std::int64_t i) { return detail::rescale_time(meetings.times()[i], meetings.unit(), log.unit()); };
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto& f = facts[k];
    if (f.empty) continue;
    const auto kind = g->kind_of(f.final_stage);
    const auto m = match[k];
    if (detail::in_pipeline(kind, opt.include_nurture)) {
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
    } else if (is_terminal(kind)) {
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
      const bool won = kind == stage_kind::won;
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

// ---------------------------------------------------------------------------
// Pipeline integrity audit
// ---------------------------------------------------------------------------

/// The audit's rules.
enum class audit_rule : std::uint8_t {
  two_meetings,         ///< an opportunity counts only after a second meeting
  aged_past_cycle,      ///< open longer than the average sales cycle of won deals
  aged_past_stage_p90,  ///< in its current stage longer than that stage's p90 dwell
  no_forward_movement,  ///< no move to a further main-path stage for N days
  stage_skip,           ///< jumped over a main-path stage
  backward_move,        ///< moved back to an earlier main-path stage
};

/// "two_meetings", "aged_past_cycle", "aged_past_stage_p90",
/// "no_forward_movement", "stage_skip" or "backward_move".
inline std::string_view to_string(audit_rule r) {
  switch (r) {
    case audit_rule::two_meetings: return "two_meetings";
    case audit_rule::aged_past_cycle: return "aged_past_cycle";
    case audit_rule::aged_past_stage_p90: return "aged_past_stage_p90";
    case audit_rule::no_forward_movement: return "no_forward_movement";
    case audit_rule::stage_skip: return "stage_skip";
    case audit_rule::backward_move: return "backward_move";
  }
  return "two_meetings";
}

/// Which rules to apply. The default is the methodology's: the two-meeting
/// rule and the average-cycle age limit.
struct audit_rules {
  bool two_meetings = true;
  /// When set, the two-meeting rule reads this stage instead of the meeting
  /// log: the deal passes once it has reached it (or a later main-path stage).
  std::string second_meeting_stage;
  bool aged_past_cycle = true;
  /// Overrides the average sales cycle (days) measured from won deals.
  std::optional<double> cycle_days;
  bool aged_past_stage_p90 = false;
  /// When set: no forward movement for this many days fails.
  std::optional<double> no_forward_movement_days;
  bool stage_skips = false;
  bool backward_moves = false;
};

struct audit_options {
  audit_rules rules;
  /// The time the pipeline is read at; default: the log's latest event.
  std::optional<std::int64_t> as_of;
  /// P(won | stage) per stage id (e.g. from a Markov model); when given, the
  /// totals carry a probability-weighted value. Empty: no weighting.
  std::vector<double> win_probability;
  bool include_nurture = false;
};

/// One rule's verdict on one deal.
struct rule_check {
  audit_rule rule = audit_rule::two_meetings;
  bool passed = true;
  std::string reason;
};

/// One open deal, audited.
struct audited_deal {
  std::int64_t deal = 0;  ///< deal id in the event log
  std::int32_t rep = -1;
  stage_id stage = 0;
  double amount = std::numeric_limits<double>::quiet_NaN();
  double age_days = 0;            ///< as_of - first event
  double days_in_stage = 0;       ///< as_of - entry into the current stage
  double days_since_forward = 0;  ///< as_of - last move to a further main-path stage
  std::int64_t held_meetings = -1;  ///< -1 when no meeting log was given
  double win_probability = std::numeric_limits<double>::quiet_NaN();
  bool qualified = true;  ///< passed every enabled rule
  std::vector<rule_check> checks;  ///< one per enabled rule, in audit_rule order
  /// The failing checks' reasons joined with "; " (empty when qualified).
  std::string reasons;
};

/// Count, value and probability-weighted value of a set of deals.
struct pipeline_totals {
  std::int64_t deals = 0;
  double value = 0;                 ///< sum of known amounts
  double weighted_value = std::numeric_limits<double>::quiet_NaN();  ///< sum amount x P(won | stage)
  std::int64_t missing_amount = 0;  ///< deals without an amount (not in `value`)
};

/// A rule across the pipeline.
struct rule_summary {
  audit_rule rule = audit_rule::two_meetings;
  std::int64_t failed = 0;
  std::string note;  ///< what the rule measured against, or why it could not apply
};

/// The audit: per deal verdicts and the raw and qualified pipeline side by side.
struct pipeline_audit {
  std::int64_t as_of = 0;
  std::vector<audited_deal> deals;
  pipeline_totals raw, qualified;
  std::vector<rule_summary> rules;  ///< one per enabled rule
  double average_cycle_days = std::numeric_limits<double>::quiet_NaN();
  std::int64_t won_deals = 0;  ///< won deals behind average_cycle_days
  std::int64_t unmatched_meeting_deals = 0;
};

/// Audits the open pipeline. `meetings` may be null unless the two-meeting
/// rule needs it (no second_meeting_stage). With every rule off this is the
/// raw pipeline.
///
///   audit_options a;
///   a.rules.no_forward_movement_days = 30;
///   auto audit = audit_pipeline(log, &meetings, a);  // audit->qualified.value <= audit->raw.value
inline absl::StatusOr<pipeline_audit> audit_pipeline(const event_log& log, const meeting_log* meetings,
                                                     const audit_options& opt = {}) {
  SALESFUNNEL_ASSIGN_OR_RETURN(const stage_graph* g, detail::graph_of(log));
  funnel_options fo;
  fo.as_of = opt.as_of;
  SALESFUNNEL_ASSIGN_OR_RETURN(std::int64_t as_of, detail::resolve_as_of(log, fo));
  const auto& rules = opt.rules;
  const auto S = static_cast<std::size_t>(g->num_stages());
  if (!opt.win_probability.empty()) {
    if (opt.win_probability.size() != S) {
      return absl::InvalidArgumentError(absl::StrCat("win_probability has ", opt.win_probability.size(),
                                                     " entries for ", S, " stages"));
    }
    for (std::size_t s = 0; s < S; ++s) {
      const double p = opt.win_probability[s];
      if (!(p >= 0 && p <= 1)) {
        return absl::InvalidArgumentError(absl::StrCat("win_probability[", s, "] ('", g->name_of(static_cast<stage_id>(s)),
                                                       "') must be in [0, 1], got ", p));
      }
    }
  }
  if (rules.no_forward_movement_days && !(*rules.no_forward_movement_days >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("no_forward_movement_days must be >= 0, got ",
                                                   *rules.no_forward_movement_days));
  }
  if (rules.cycle_days && !(*rules.cycle_days > 0)) {
    return absl::InvalidArgumentError(absl::StrCat("cycle_days must be > 0, got ", *rules.cycle_days));
  }
  stage_id second_stage = -1;
  const bool by_stage = rules.two_meetings && !rules.second_meeting_stage.empty();
  if (by_stage) {
    SALESFUNNEL_ASSIGN_OR_RETURN(second_stage, g->id_of(rules.second_meeting_stage));
  } else if (rules.two_meetings && meetings == nullptr) {
    return absl::FailedPreconditionError(
        "the two-meeting rule needs a meeting log or a second-meeting stage "
        "(audit_rules::second_meeting_stage); give one, or turn the rule off");
  }

  pipeline_audit out;
  out.as_of = as_of;
  const double tpd = log.ticks_per_day();
  const auto facts = detail::facts_of(log, *g);
  const auto rank = detail::main_ranks(*g);
  const auto cyc = detail::mean_cycle(facts, tpd);
  out.won_deals = cyc.won;
  out.average_cycle_days = rules.cycle_days ? *rules.cycle_days : cyc.mean_days;

  std::vector<double> p90;
  if (rules.aged_past_stage_p90) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto rep, funnel(log, fo));
    for (const auto& row : rep.stages) p90.push_back(row.p90_days);
  }
  std::vector<std::int32_t> match;
  if (meetings) match = meetings->match(log, &out.unmatched_meeting_deals);

  // Rule summaries, in audit_rule order.
  std::vector<audit_rule> enabled;
  if (rules.two_meetings) enabled.push_back(audit_rule::two_meetings);
  if (rules.aged_past_cycle) enabled.push_back(audit_rule::aged_past_cycle);
  if (rules.aged_past_stage_p90) enabled.push_back(audit_rule::aged_past_stage_p90);
  if (rules.no_forward_movement_days) enabled.push_back(audit_rule::no_forward_movement);
  if (rules.stage_skips) enabled.push_back(audit_rule::stage_skip);
  if (rules.backward_moves) enabled.push_back(audit_rule::backward_move);
  for (auto r : enabled) {
    rule_summary s;
    s.rule = r;
    switch (r) {
      case audit_rule::two_meetings:
        s.note = by_stage ? absl::StrCat("a deal must have reached '", rules.second_meeting_stage, "'")
                          : "a deal must have 2 held meetings in the meeting log";
        break;
      case audit_rule::aged_past_cycle:
        if (rules.cycle_days) s.note = absl::StrCat("average sales cycle given: ", detail::days_text(*rules.cycle_days), " days");
        else if (cyc.won > 0)
          s.note = absl::StrCat("average sales cycle ", detail::days_text(cyc.mean_days), " days, from ", cyc.won, " won deals");
        else s.note = "not applied: no won deals to measure the sales cycle (give cycle_days)";
        break;
      case audit_rule::aged_past_stage_p90: s.note = "each stage's own 90th-percentile time in stage (Kaplan-Meier)"; break;
      case audit_rule::no_forward_movement:
        s.note = absl::StrCat("limit ", detail::days_text(*rules.no_forward_movement_days), " days");
        break;
      case audit_rule::stage_skip: s.note = "consecutive main-path stages must be adjacent or backward"; break;
      case audit_rule::backward_move: s.note = "consecutive main-path stages must not go back"; break;
    }
    out.rules.push_back(std::move(s));
  }
  auto summary = [&](audit_rule r) -> rule_summary& {
    for (auto& s : out.rules) {
      if (s.rule == r) return s;
    }
    return out.rules.front();  // unreachable: only enabled rules are asked for
  };

  const auto st = log.stages();
  const auto off = log.offsets();
  const bool weighted = !opt.win_probability.empty();
  if (weighted) out.raw.weighted_value = out.qualified.weighted_value = 0;
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto& f = facts[k];
    if (f.empty || !detail::in_pipeline(g->kind_of(f.final_stage), opt.include_nurture)) continue;
    audited_deal d;
    d.deal = k;
    d.rep = log.has_rep() ? log.deal_rep()[k] : -1;
    d.stage = f.final_stage;
    if (log.has_amount()) d.amount = log.deal_amount()[k];
    d.age_days = static_cast<double>(as_of - f.entry_time) / tpd;
    d.days_in_stage = static_cast<double>(as_of - f.last_time) / tpd;
    d.days_since_forward = static_cast<double>(as_of - f.last_forward_time) / tpd;
    if (weighted) d.win_probability = opt.win_probability[static_cast<std::size_t>(d.stage)];
    if (meetings) {
      d.held_meetings = 0;
      if (const auto m = match[k]; m >= 0) {
        const auto moff = meetings->offsets();
        for (auto i = moff[m]; i < moff[m + 1]; ++i) {
          if (meetings->held()[i] &&
              detail::rescale_time(meetings->times()[i], meetings->unit(), log.unit()) <= as_of) {
            ++d.held_meetings;
          }
        }
      }
    }
    for (auto r : enabled) {
      rule_check c;
      c.rule = r;
      switch (r) {
        case audit_rule::two_meetings:
          if (by_stage) {
            const auto target_rank = rank[static_cast<std::size_t>(second_stage)];
            bool reached = false;
            for (auto i = off[k]; i < off[k + 1] && !reached; ++i) reached = st[i] == second_stage;
            if (!reached && target_rank >= 0) reached = f.furthest_rank >= target_rank;
            c.passed = reached;
            c.reason = absl::StrCat(reached ? "reached '" : "has not reached '", rules.second_meeting_stage, "'");
          } else {
            c.passed = d.held_meetings >= 2;
            c.reason = absl::StrCat(d.held_meetings, d.held_meetings == 1 ? " held meeting" : " held meetings",
                                    c.passed ? "" : "; the two-meeting rule needs 2");
          }
          break;
        case audit_rule::aged_past_cycle:
          if (std::isnan(out.average_cycle_days)) {
            c.reason = "not applied: no won deals to measure the sales cycle";
          } else {
            c.passed = d.age_days <= out.average_cycle_days;
            c.reason = absl::StrCat("open ", detail::days_text(d.age_days), " days, ",
                                    c.passed ? "within" : "past", " the average sales cycle of ",
                                    detail::days_text(out.average_cycle_days), " days");
          }
          break;
        case audit_rule::aged_past_stage_p90: {
          const double lim = p90[static_cast<std::size_t>(d.stage)];
          if (std::isnan(lim)) {
            c.reason = absl::StrCat("not applied: '", g->name_of(d.stage), "' has no p90 time in stage yet");
          } else {
            c.passed = d.days_in_stage <= lim;
            c.reason = absl::StrCat(detail::days_text(d.days_in_stage), " days in '", g->name_of(d.stage), "', ",
                                    c.passed ? "within" : "past", " its p90 of ", detail::days_text(lim), " days");
          }
          break;
        }
        case audit_rule::no_forward_movement:
          c.passed = d.days_since_forward <= *rules.no_forward_movement_days;
          c.reason = absl::StrCat(c.passed ? "moved forward " : "no forward movement for ",
                                  detail::days_text(d.days_since_forward), c.passed ? " days ago" : " days",
                                  " (limit ", detail::days_text(*rules.no_forward_movement_days), ")");
          break;
        case audit_rule::stage_skip:
        case audit_rule::backward_move: {
          const bool skip = r == audit_rule::stage_skip;
          stage_id prev = -1;
          for (auto i = off[k]; i < off[k + 1] && c.passed; ++i) {
            const auto s = st[i];
            const auto rs = rank[static_cast<std::size_t>(s)];
            if (rs < 0) continue;  // lost / nurture stages are off the main path
            if (prev >= 0) {
              const auto rp = rank[static_cast<std::size_t>(prev)];
              if (skip ? rs > rp + 1 : rs < rp) {
                c.passed = false;
                c.reason = absl::StrCat(skip ? "skipped from '" : "moved back from '", g->name_of(prev),
                                        "' to '", g->name_of(s), "'");
              }
            }
            prev = s;
          }
          if (c.passed) c.reason = skip ? "no stage skipped" : "no backward move";
          break;
        }
      }
      if (!c.passed) {
        d.qualified = false;
        ++summary(r).failed;
        if (!d.reasons.empty()) d.reasons += "; ";
        d.reasons += c.reason;
      }
      d.checks.push_back(std::move(c));
    }
    auto add = [&](pipeline_totals& t) {
      ++t.deals;
      if (std::isnan(d.amount)) {
        ++t.missing_amount;
        return;
      }
      t.value += d.amount;
      if (weighted) t.weighted_value += d.amount * d.win_probability;
    };
    add(out.raw);
    if (d.qualified) add(out.qualified);
    out.deals.push_back(std::move(d));
  }
  return out;
}

SALESFUNNEL_END_NAMESPACE
