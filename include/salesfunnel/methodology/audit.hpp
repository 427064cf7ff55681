// The pipeline integrity audit: which open deals are real opportunities.
//
//   salesfunnel::audit_options a;                                // two-meeting rule + aged past cycle
//   auto audit = salesfunnel::audit_pipeline(log, &meetings, a);
//   // audit->raw.value vs audit->qualified.value; audit->deals[i].checks
//
// The pipeline is the open deals (core/outcome.hpp: parked deals in nurture
// join only with include_nurture). The audit applies the rules the sales
// methodology uses to decide which of them are real opportunities; a deal
// that fails any enabled rule is worth $0 in the qualified pipeline, and
// every check carries its reason. Each rule is one small function in a
// table, with the note that says what it measured against.
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

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/activity.hpp"
#include "salesfunnel/core/deal_facts.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/stats/funnel_report.hpp"
#include "salesfunnel/stats/interval.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

namespace detail {

/// The mean sales cycle in days: entry to win, over won deals (optionally
/// only those won in [from, to], and only one rep's).
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
  bool applied = true;  ///< false: the rule could not judge this deal (it passes)
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
  /// Deals the rule could not judge (e.g. a stage with no p90 yet): they pass
  /// it, and the note says so.
  std::int64_t not_applied = 0;
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

namespace detail {

/// Everything the rule checks read, resolved once.
struct audit_context {
  const event_log* log = nullptr;
  const stage_graph* g = nullptr;
  const meeting_log* meetings = nullptr;
  const audit_options* opt = nullptr;
  std::int64_t as_of = 0;
  std::vector<deal_facts> facts;
  std::vector<std::int32_t> rank;
  bool by_stage = false;        ///< the two-meeting rule reads a stage
  stage_id second_stage = -1;
  double cycle_days = std::numeric_limits<double>::quiet_NaN();
  cycle_stats measured_cycle;
  std::vector<double> p90;      ///< per stage, when that rule is on
  std::vector<std::int32_t> match;  ///< deal -> meeting-log deal
};

inline rule_check check_two_meetings(const audit_context& c, std::int64_t k, const audited_deal& d) {
  rule_check r;
  const auto& name = c.opt->rules.second_meeting_stage;
  if (c.by_stage) {
    const auto st = c.log->stages();
    bool reached = false;
    for (auto i = c.log->deal_begin(k); i < c.facts[k].end && !reached; ++i) reached = st[i] == c.second_stage;
    const auto target_rank = c.rank[static_cast<std::size_t>(c.second_stage)];
    if (!reached && target_rank >= 0) reached = c.facts[k].furthest_rank >= target_rank;
    r.passed = reached;
    r.reason = absl::StrCat(reached ? "reached '" : "has not reached '", name, "'");
    return r;
  }
  r.passed = d.held_meetings >= 2;
  r.reason = absl::StrCat(d.held_meetings, d.held_meetings == 1 ? " held meeting" : " held meetings",
                          r.passed ? "" : "; the two-meeting rule needs 2");
  return r;
}

inline rule_check check_aged_past_cycle(const audit_context& c, std::int64_t, const audited_deal& d) {
  rule_check r;
  if (std::isnan(c.cycle_days)) {
    r.applied = false;
    r.reason = "not applied: no won deals to measure the sales cycle";
    return r;
  }
  r.passed = d.age_days <= c.cycle_days;
  r.reason = absl::StrCat("open ", days_text(d.age_days), " days, ", r.passed ? "within" : "past",
                          " the average sales cycle of ", days_text(c.cycle_days), " days");
  return r;
}

inline rule_check check_aged_past_p90(const audit_context& c, std::int64_t, const audited_deal& d) {
  rule_check r;
  const double lim = c.p90[static_cast<std::size_t>(d.stage)];
  const auto& name = c.g->name_of(d.stage);
  if (std::isnan(lim)) {
    r.applied = false;
    r.reason = absl::StrCat("not applied: '", name, "' has no p90 time in stage yet (too few completed stays)");
    return r;
  }
  r.passed = d.days_in_stage <= lim;
  r.reason = absl::StrCat(days_text(d.days_in_stage), " days in '", name, "', ", r.passed ? "within" : "past",
                          " its p90 of ", days_text(lim), " days");
  return r;
}

inline rule_check check_no_forward(const audit_context& c, std::int64_t, const audited_deal& d) {
  rule_check r;
  const double lim = *c.opt->rules.no_forward_movement_days;
  r.passed = d.days_since_forward <= lim;
  r.reason = absl::StrCat(r.passed ? "moved forward " : "no forward movement for ",
                          days_text(d.days_since_forward), r.passed ? " days ago" : " days", " (limit ",
                          days_text(lim), ")");
  return r;
}

/// The first main-path move that skips ahead (skip) or goes back (!skip).
inline rule_check check_moves(const audit_context& c, std::int64_t k, bool skip) {
  rule_check r;
  const auto st = c.log->stages();
  stage_id prev = -1;
  for (auto i = c.log->deal_begin(k); i < c.facts[k].end; ++i) {
    const auto rs = c.rank[static_cast<std::size_t>(st[i])];
    if (rs < 0) continue;  // lost / nurture stages are off the main path
    if (prev >= 0) {
      const auto rp = c.rank[static_cast<std::size_t>(prev)];
      if (skip ? rs > rp + 1 : rs < rp) {
        r.passed = false;
        r.reason = absl::StrCat(skip ? "skipped from '" : "moved back from '", c.g->name_of(prev), "' to '",
                                c.g->name_of(st[i]), "'");
        return r;
      }
    }
    prev = st[i];
  }
  r.reason = skip ? "no stage skipped" : "no backward move";
  return r;
}

inline rule_check check_skip(const audit_context& c, std::int64_t k, const audited_deal&) {
  return check_moves(c, k, true);
}
inline rule_check check_backward(const audit_context& c, std::int64_t k, const audited_deal&) {
  return check_moves(c, k, false);
}

/// One audit rule: whether it is on, its check, and its note.
struct audit_rule_entry {
  audit_rule rule;
  bool (*enabled)(const audit_rules&);
  rule_check (*check)(const audit_context&, std::int64_t, const audited_deal&);
  std::string (*note)(const audit_context&);
};

inline std::string note_two_meetings(const audit_context& c) {
  return c.by_stage ? absl::StrCat("a deal must have reached '", c.opt->rules.second_meeting_stage, "'")
                    : "a deal must have 2 held meetings in the meeting log";
}
inline std::string note_cycle(const audit_context& c) {
  if (c.opt->rules.cycle_days) return absl::StrCat("average sales cycle given: ", days_text(c.cycle_days), " days");
  if (c.measured_cycle.won > 0) {
    return absl::StrCat("average sales cycle ", days_text(c.cycle_days), " days, from ", c.measured_cycle.won,
                        " won deals");
  }
  return "not applied: no won deals to measure the sales cycle (give cycle_days)";
}

/// The rules in audit_rule order.
inline const std::vector<audit_rule_entry>& audit_rule_table() {
  static const std::vector<audit_rule_entry> table = {
      {audit_rule::two_meetings, [](const audit_rules& r) { return r.two_meetings; }, check_two_meetings,
       note_two_meetings},
      {audit_rule::aged_past_cycle, [](const audit_rules& r) { return r.aged_past_cycle; },
       check_aged_past_cycle, note_cycle},
      {audit_rule::aged_past_stage_p90, [](const audit_rules& r) { return r.aged_past_stage_p90; },
       check_aged_past_p90,
       [](const audit_context&) -> std::string {
         return "each stage's own 90th-percentile time in stage (Kaplan-Meier)";
       }},
      {audit_rule::no_forward_movement,
       [](const audit_rules& r) { return r.no_forward_movement_days.has_value(); }, check_no_forward,
       [](const audit_context& c) {
         return absl::StrCat("limit ", days_text(*c.opt->rules.no_forward_movement_days), " days");
       }},
      {audit_rule::stage_skip, [](const audit_rules& r) { return r.stage_skips; }, check_skip,
       [](const audit_context&) -> std::string { return "consecutive main-path stages must be adjacent or backward"; }},
      {audit_rule::backward_move, [](const audit_rules& r) { return r.backward_moves; }, check_backward,
       [](const audit_context&) -> std::string { return "consecutive main-path stages must not go back"; }},
  };
  return table;
}

inline absl::Status check_audit_options(const audit_options& opt, const stage_graph& g,
                                        const meeting_log* meetings) {
  const auto S = static_cast<std::size_t>(g.num_stages());
  if (!opt.win_probability.empty() && opt.win_probability.size() != S) {
    return absl::InvalidArgumentError(absl::StrCat("win_probability has ", opt.win_probability.size(),
                                                   " entries for ", S, " stages"));
  }
  for (std::size_t s = 0; s < opt.win_probability.size(); ++s) {
    const double p = opt.win_probability[s];
    if (!(p >= 0 && p <= 1)) {
      return absl::InvalidArgumentError(absl::StrCat("win_probability[", s, "] ('",
                                                     g.name_of(static_cast<stage_id>(s)),
                                                     "') must be in [0, 1], got ", p));
    }
  }
  const auto& rules = opt.rules;
  if (rules.no_forward_movement_days &&
      !(*rules.no_forward_movement_days >= 0 && std::isfinite(*rules.no_forward_movement_days))) {
    return absl::InvalidArgumentError(absl::StrCat("no_forward_movement_days must be a finite number >= 0, got ",
                                                   *rules.no_forward_movement_days));
  }
  if (rules.cycle_days && !(*rules.cycle_days > 0 && std::isfinite(*rules.cycle_days))) {
    return absl::InvalidArgumentError(absl::StrCat("cycle_days must be a finite number > 0, got ", *rules.cycle_days));
  }
  if (rules.two_meetings && rules.second_meeting_stage.empty() && meetings == nullptr) {
    return absl::FailedPreconditionError(
        "the two-meeting rule needs a meeting log or a second-meeting stage "
        "(audit_rules::second_meeting_stage); give one, or turn the rule off");
  }
  return absl::OkStatus();
}

inline absl::StatusOr<audit_context> make_audit_context(const event_log& log, const stage_graph& g,
                                                        const meeting_log* meetings,
                                                        const audit_options& opt,
                                                        std::int64_t* unmatched) {
  audit_context c;
  c.log = &log;
  c.g = &g;
  c.meetings = meetings;
  c.opt = &opt;
  c.as_of = resolve_as_of(log, opt.as_of);
  c.facts = deal_facts_of(log, g, c.as_of);
  c.rank = g.main_ranks();
  c.by_stage = opt.rules.two_meetings && !opt.rules.second_meeting_stage.empty();
  if (c.by_stage) {
    SALESFUNNEL_ASSIGN_OR_RETURN(c.second_stage, g.id_of(opt.rules.second_meeting_stage));
  }
  c.measured_cycle = mean_cycle(c.facts, log.ticks_per_day());
  c.cycle_days = opt.rules.cycle_days ? *opt.rules.cycle_days : c.measured_cycle.mean_days;
  if (opt.rules.aged_past_stage_p90) {
    funnel_options fo;
    fo.as_of = c.as_of;
    SALESFUNNEL_ASSIGN_OR_RETURN(auto rep, funnel(log, fo));
    for (const auto& row : rep.stages) c.p90.push_back(row.p90_days);
  }
  if (meetings) c.match = meetings->match(log, unmatched);
  return c;
}

/// Deal k's row before the rules run: ages, stage, amount, meetings.
inline audited_deal audit_row(const audit_context& c, std::int64_t k) {
  const auto& f = c.facts[k];
  const auto& log = *c.log;
  const double tpd = log.ticks_per_day();
  audited_deal d;
  d.deal = k;
  d.rep = log.has_rep() ? log.deal_rep()[k] : -1;
  d.stage = f.final_stage;
  if (log.has_amount()) d.amount = log.deal_amount()[k];
  d.age_days = static_cast<double>(elapsed(c.as_of, f.entry_time)) / tpd;
  d.days_in_stage = static_cast<double>(elapsed(c.as_of, f.last_time)) / tpd;
  d.days_since_forward = static_cast<double>(elapsed(c.as_of, f.last_forward_time)) / tpd;
  if (!c.opt->win_probability.empty()) d.win_probability = c.opt->win_probability[static_cast<std::size_t>(d.stage)];
  if (c.meetings) {
    d.held_meetings = 0;
    if (const auto m = c.match[k]; m >= 0) {
      const auto moff = c.meetings->offsets();
      for (auto i = moff[m]; i < moff[m + 1]; ++i) {
        if (c.meetings->held()[i] && rescale_time(c.meetings->times()[i], c.meetings->unit(), log.unit()) <= c.as_of) {
          ++d.held_meetings;
        }
      }
    }
  }
  return d;
}

inline void add_to_totals(pipeline_totals& t, const audited_deal& d, bool weighted) {
  ++t.deals;
  if (std::isnan(d.amount)) {
    ++t.missing_amount;
    return;
  }
  t.value += d.amount;
  if (weighted) t.weighted_value += d.amount * d.win_probability;
}

}  // namespace detail

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
  SALESFUNNEL_RETURN_IF_ERROR(detail::check_audit_options(opt, *g, meetings));
  pipeline_audit out;
  SALESFUNNEL_ASSIGN_OR_RETURN(auto ctx, detail::make_audit_context(log, *g, meetings, opt,
                                                                    &out.unmatched_meeting_deals));
  out.as_of = ctx.as_of;
  out.won_deals = ctx.measured_cycle.won;
  out.average_cycle_days = ctx.cycle_days;
  std::vector<const detail::audit_rule_entry*> enabled;
  for (const auto& e : detail::audit_rule_table()) {
    if (!e.enabled(opt.rules)) continue;
    enabled.push_back(&e);
    out.rules.push_back(rule_summary{e.rule, 0, 0, e.note(ctx)});
  }
  const bool weighted = !opt.win_probability.empty();
  if (weighted) out.raw.weighted_value = out.qualified.weighted_value = 0;
  for (std::int64_t k = 0; k < log.num_deals(); ++k) {
    const auto& f = ctx.facts[k];
    if (f.empty || !in_pipeline(f.state, opt.include_nurture)) continue;
    audited_deal d = detail::audit_row(ctx, k);
    for (std::size_t r = 0; r < enabled.size(); ++r) {
      rule_check c = enabled[r]->check(ctx, k, d);
      c.rule = enabled[r]->rule;
      if (!c.applied) ++out.rules[r].not_applied;
      if (!c.passed) {
        d.qualified = false;
        ++out.rules[r].failed;
        if (!d.reasons.empty()) d.reasons += "; ";
        d.reasons += c.reason;
      }
      d.checks.push_back(std::move(c));
    }
    detail::add_to_totals(out.raw, d, weighted);
    if (d.qualified) detail::add_to_totals(out.qualified, d, weighted);
    out.deals.push_back(std::move(d));
  }
  for (auto& s : out.rules) {
    if (s.not_applied > 0) {
      absl::StrAppend(&s.note, "; not applied to ", s.not_applied,
                      s.not_applied == 1 ? " deal" : " deals", " that it could not judge (they pass)");
    }
  }
  return out;
}

SALESFUNNEL_END_NAMESPACE
