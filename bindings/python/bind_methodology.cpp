// Python bindings for the sales methodology layer (activity.hpp,
// conversations.hpp, pipeline.hpp, coverage.hpp, reps.hpp, batches.hpp):
// column conversion in, result structs out; no analysis here.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include <salesfunnel/salesfunnel.hpp>

#include "columns.hpp"
#include "status.hpp"

namespace py = pybind11;
using salesfunnel_py::column_holder;
using salesfunnel_py::unwrap;
namespace sf = salesfunnel;

void bind_methodology(py::module_& m) {
  py::class_<sf::interval>(m, "Interval")
      .def_readonly("estimate", &sf::interval::estimate)
      .def_readonly("low", &sf::interval::low)
      .def_readonly("high", &sf::interval::high);

  // --- activity logs
  py::class_<sf::conversation_log>(m, "ConversationLog")
      .def_property_readonly("size", &sf::conversation_log::size)
      .def_property_readonly("num_prospects", &sf::conversation_log::num_prospects)
      .def("prospect_key", &sf::conversation_log::prospect_key)
      .def_property_readonly("rep_names", &sf::conversation_log::rep_names);
  m.def(
      "build_conversation_log",
      [](py::tuple prospect, py::tuple rep, py::object time, const std::string& unit,
         py::object dm, py::tuple outcome, std::vector<std::string> names) {
        column_holder h;
        sf::conversation_columns c;
        c.prospect_name = names.at(0);
        c.rep_name = names.at(1);
        c.time_name = names.at(2);
        c.decision_maker_name = names.at(3);
        c.outcome_name = names.at(4);
        c.prospect = h.convert(c.prospect_name, prospect);
        c.rep = h.convert(c.rep_name, rep);
        c.time = salesfunnel_py::time_column(h, c.time_name, time);
        c.with_decision_maker = salesfunnel_py::bool_column(h, c.decision_maker_name, dm);
        c.outcome = h.convert(c.outcome_name, outcome);
        return unwrap(sf::conversation_log::build(c, salesfunnel_py::parse_unit(unit)));
      });
  py::class_<sf::meeting_log>(m, "MeetingLog")
      .def_property_readonly("num_meetings", &sf::meeting_log::num_meetings)
      .def_property_readonly("num_deals", &sf::meeting_log::num_deals);
  m.def(
      "build_meeting_log",
      [](py::tuple deal, py::object time, const std::string& unit, py::object held,
         std::optional<py::tuple> task, py::object booked, std::vector<std::string> names) {
        column_holder h;
        sf::meeting_columns c;
        c.deal_name = names.at(0);
        c.time_name = names.at(1);
        c.held_name = names.at(2);
        c.buyer_task_name = names.at(3);
        c.next_meeting_booked_name = names.at(4);
        c.deal = h.convert(c.deal_name, deal);
        c.time = salesfunnel_py::time_column(h, c.time_name, time);
        if (!held.is_none()) c.held = salesfunnel_py::bool_column(h, c.held_name, held);
        if (task) c.buyer_task = h.convert(c.buyer_task_name, *task);
        if (!booked.is_none()) {
          c.next_meeting_booked = salesfunnel_py::bool_column(h, c.next_meeting_booked_name, booked);
        }
        return unwrap(sf::meeting_log::build(c, salesfunnel_py::parse_unit(unit)));
      });

  // --- great conversations
  py::class_<sf::great_conversation>(m, "GreatConversation")
      .def_readonly("prospect", &sf::great_conversation::prospect)
      .def_readonly("rep", &sf::great_conversation::rep)
      .def_readonly("time", &sf::great_conversation::time)
      .def_property_readonly("outcome", [](const sf::great_conversation& g) { return std::string(sf::to_string(g.outcome)); })
      .def_readonly("row", &sf::great_conversation::row);
  py::class_<sf::great_conversation_tally>(m, "GreatConversationTally")
      .def_readonly("conversations", &sf::great_conversation_tally::conversations)
      .def_readonly("counted", &sf::great_conversation_tally::counted)
      .def_readonly("repeats", &sf::great_conversation_tally::repeats)
      .def_readonly("not_decision_maker", &sf::great_conversation_tally::not_decision_maker)
      .def_readonly("maybe", &sf::great_conversation_tally::maybe)
      .def_readonly("no_answer", &sf::great_conversation_tally::no_answer);
  py::class_<sf::great_conversation_set>(m, "GreatConversationSet")
      .def_readonly("counted", &sf::great_conversation_set::counted)
      .def_readonly("tally", &sf::great_conversation_set::tally)
      .def_property_readonly("count", &sf::great_conversation_set::count);
  m.def("count_great_conversations", &sf::count_great_conversations);
  py::class_<sf::weekly_great_row>(m, "WeeklyGreatRow")
      .def_readonly("rep", &sf::weekly_great_row::rep)
      .def_readonly("week", &sf::weekly_great_row::week)
      .def_readonly("count", &sf::weekly_great_row::count)
      .def_readonly("target", &sf::weekly_great_row::target)
      .def_readonly("met", &sf::weekly_great_row::met);
  m.def("weekly_great_conversations", &sf::weekly_great_conversations);
  py::class_<sf::follow_up>(m, "FollowUp")
      .def_readonly("prospect", &sf::follow_up::prospect)
      .def_readonly("rep", &sf::follow_up::rep)
      .def_readonly("conversation_time", &sf::follow_up::conversation_time)
      .def_property_readonly("outcome", [](const sf::follow_up& f) { return std::string(sf::to_string(f.outcome)); })
      .def_readonly("due", &sf::follow_up::due)
      .def_readonly("latest", &sf::follow_up::latest);
  m.def("follow_ups", [](const sf::conversation_log& log, double not_now, double no_min, double no_max) {
    sf::follow_up_options o;
    o.not_now_days = not_now;
    o.no_min_days = no_min;
    o.no_max_days = no_max;
    return unwrap(sf::follow_ups(log, o));
  });
  py::class_<sf::meeting_rate>(m, "MeetingRate")
      .def_readonly("great_conversations", &sf::meeting_rate::great_conversations)
      .def_readonly("first_meetings", &sf::meeting_rate::first_meetings)
      .def_readonly("too_young", &sf::meeting_rate::too_young)
      .def_readonly("rate", &sf::meeting_rate::rate);
  m.def("meeting_rate_from_meetings",
        [](const sf::conversation_log& log, const sf::great_conversation_set& gc,
           const sf::meeting_log& meetings, std::optional<double> window) {
          sf::meeting_rate_options o;
          o.window_days = window;
          return unwrap(sf::great_conversation_meeting_rate(log, gc, meetings, o));
        });
  m.def("meeting_rate_from_stages",
        [](const sf::conversation_log& log, const sf::great_conversation_set& gc,
           const sf::event_log& stages, const std::string& stage, std::optional<double> window) {
          sf::meeting_rate_options o;
          o.window_days = window;
          return unwrap(sf::great_conversation_meeting_rate(log, gc, stages, stage, o));
        });
  py::class_<sf::conversation_plan>(m, "ConversationPlan")
      .def_readonly("first_meetings", &sf::conversation_plan::first_meetings)
      .def_readonly("rate", &sf::conversation_plan::rate)
      .def_readonly("needed", &sf::conversation_plan::needed)
      .def_readonly("needed_floor", &sf::conversation_plan::needed_floor)
      .def_readonly("needed_ceil", &sf::conversation_plan::needed_ceil)
      .def_readonly("needed_low", &sf::conversation_plan::needed_low)
      .def_readonly("needed_high", &sf::conversation_plan::needed_high);
  m.def("plan_great_conversations", [](double per_week, double rate) {
    return unwrap(sf::plan_great_conversations(per_week, rate));
  });
  m.def("plan_great_conversations_interval", [](double per_week, double rate, double low, double high) {
    return unwrap(sf::plan_great_conversations(per_week, sf::interval{rate, low, high}));
  });
  m.def("plan_great_conversations_observed", [](double per_week, const sf::meeting_rate& r) {
    return unwrap(sf::plan_great_conversations(per_week, r));
  });

  // --- buyer accountability and the pipeline audit
  py::class_<sf::accountability_row>(m, "AccountabilityRow")
      .def_readonly("deal", &sf::accountability_row::deal)
      .def_readonly("rep", &sf::accountability_row::rep)
      .def_readonly("stage", &sf::accountability_row::stage)
      .def_readonly("held_meetings", &sf::accountability_row::held_meetings)
      .def_readonly("buyer_task", &sf::accountability_row::buyer_task)
      .def_readonly("next_meeting_booked", &sf::accountability_row::next_meeting_booked)
      .def_readonly("at_risk", &sf::accountability_row::at_risk)
      .def_readonly("reason", &sf::accountability_row::reason);
  py::class_<sf::accountability_history>(m, "AccountabilityHistory")
      .def_readonly("flagged", &sf::accountability_history::flagged)
      .def_readonly("flagged_won", &sf::accountability_history::flagged_won)
      .def_readonly("unflagged", &sf::accountability_history::unflagged)
      .def_readonly("unflagged_won", &sf::accountability_history::unflagged_won)
      .def_readonly("flagged_rate", &sf::accountability_history::flagged_rate)
      .def_readonly("unflagged_rate", &sf::accountability_history::unflagged_rate)
      .def_readonly("difference", &sf::accountability_history::difference)
      .def_readonly("z", &sf::accountability_history::z)
      .def_readonly("p_value", &sf::accountability_history::p_value);
  py::class_<sf::accountability_report>(m, "AccountabilityReport")
      .def_readonly("open_deals", &sf::accountability_report::open_deals)
      .def_readonly("at_risk", &sf::accountability_report::at_risk)
      .def_readonly("history", &sf::accountability_report::history)
      .def_readonly("unmatched_meeting_deals", &sf::accountability_report::unmatched_meeting_deals);
  m.def("buyer_accountability", [](const sf::event_log& log, const sf::meeting_log& meetings,
                                   std::optional<std::int64_t> as_of, bool last_meeting) {
    sf::accountability_options o;
    o.as_of = as_of;
    o.history_snapshot = last_meeting ? sf::accountability_snapshot::last_meeting
                                      : sf::accountability_snapshot::first_meeting;
    return unwrap(sf::buyer_accountability(log, meetings, o));
  });

  py::class_<sf::audit_rules>(m, "AuditRules")
      .def(py::init<>())
      .def_readwrite("two_meetings", &sf::audit_rules::two_meetings)
      .def_readwrite("second_meeting_stage", &sf::audit_rules::second_meeting_stage)
      .def_readwrite("aged_past_cycle", &sf::audit_rules::aged_past_cycle)
      .def_readwrite("cycle_days", &sf::audit_rules::cycle_days)
      .def_readwrite("aged_past_stage_p90", &sf::audit_rules::aged_past_stage_p90)
      .def_readwrite("no_forward_movement_days", &sf::audit_rules::no_forward_movement_days)
      .def_readwrite("stage_skips", &sf::audit_rules::stage_skips)
      .def_readwrite("backward_moves", &sf::audit_rules::backward_moves);
  py::class_<sf::rule_check>(m, "RuleCheck")
      .def_property_readonly("rule", [](const sf::rule_check& r) { return std::string(sf::to_string(r.rule)); })
      .def_readonly("passed", &sf::rule_check::passed)
      .def_readonly("reason", &sf::rule_check::reason);
  py::class_<sf::audited_deal>(m, "AuditedDeal")
      .def_readonly("deal", &sf::audited_deal::deal)
      .def_readonly("rep", &sf::audited_deal::rep)
      .def_readonly("stage", &sf::audited_deal::stage)
      .def_readonly("amount", &sf::audited_deal::amount)
      .def_readonly("age_days", &sf::audited_deal::age_days)
      .def_readonly("days_in_stage", &sf::audited_deal::days_in_stage)
      .def_readonly("days_since_forward", &sf::audited_deal::days_since_forward)
      .def_readonly("held_meetings", &sf::audited_deal::held_meetings)
      .def_readonly("win_probability", &sf::audited_deal::win_probability)
      .def_readonly("qualified", &sf::audited_deal::qualified)
      .def_readonly("checks", &sf::audited_deal::checks)
      .def_readonly("reasons", &sf::audited_deal::reasons);
  py::class_<sf::pipeline_totals>(m, "PipelineTotals")
      .def_readonly("deals", &sf::pipeline_totals::deals)
      .def_readonly("value", &sf::pipeline_totals::value)
      .def_readonly("weighted_value", &sf::pipeline_totals::weighted_value)
      .def_readonly("missing_amount", &sf::pipeline_totals::missing_amount);
  py::class_<sf::rule_summary>(m, "RuleSummary")
      .def_property_readonly("rule", [](const sf::rule_summary& r) { return std::string(sf::to_string(r.rule)); })
      .def_readonly("failed", &sf::rule_summary::failed)
      .def_readonly("note", &sf::rule_summary::note);
  py::class_<sf::pipeline_audit>(m, "PipelineAudit")
      .def_readonly("as_of", &sf::pipeline_audit::as_of)
      .def_readonly("deals", &sf::pipeline_audit::deals)
      .def_readonly("raw", &sf::pipeline_audit::raw)
      .def_readonly("qualified", &sf::pipeline_audit::qualified)
      .def_readonly("rules", &sf::pipeline_audit::rules)
      .def_readonly("average_cycle_days", &sf::pipeline_audit::average_cycle_days)
      .def_readonly("won_deals", &sf::pipeline_audit::won_deals)
      .def_readonly("unmatched_meeting_deals", &sf::pipeline_audit::unmatched_meeting_deals);
  m.def("audit_pipeline", [](const sf::event_log& log, const sf::meeting_log* meetings,
                             const sf::audit_rules& rules, std::optional<std::int64_t> as_of,
                             std::vector<double> win_probability, bool include_nurture) {
    sf::audit_options o;
    o.rules = rules;
    o.as_of = as_of;
    o.win_probability = std::move(win_probability);
    o.include_nurture = include_nurture;
    return unwrap(sf::audit_pipeline(log, meetings, o));
  }, py::arg("log"), py::arg("meetings").none(true), py::arg("rules"), py::arg("as_of"),
     py::arg("win_probability"), py::arg("include_nurture"));

  // --- coverage and velocity
  py::class_<sf::coverage_row>(m, "CoverageRow")
      .def_readonly("rep", &sf::coverage_row::rep)
      .def_readonly("quota", &sf::coverage_row::quota)
      .def_readonly("booked", &sf::coverage_row::booked)
      .def_readonly("remaining", &sf::coverage_row::remaining)
      .def_readonly("open_deals", &sf::coverage_row::open_deals)
      .def_readonly("open_value", &sf::coverage_row::open_value)
      .def_readonly("qualified_deals", &sf::coverage_row::qualified_deals)
      .def_readonly("qualified_value", &sf::coverage_row::qualified_value)
      .def_readonly("coverage_raw", &sf::coverage_row::coverage_raw)
      .def_readonly("coverage_qualified", &sf::coverage_row::coverage_qualified)
      .def_readonly("won", &sf::coverage_row::won)
      .def_readonly("lost", &sf::coverage_row::lost)
      .def_readonly("win_rate", &sf::coverage_row::win_rate)
      .def_readonly("required_coverage", &sf::coverage_row::required_coverage)
      .def_readonly("average_deal_size", &sf::coverage_row::average_deal_size)
      .def_readonly("cycle_days", &sf::coverage_row::cycle_days)
      .def_readonly("velocity_raw", &sf::coverage_row::velocity_raw)
      .def_readonly("velocity_qualified", &sf::coverage_row::velocity_qualified)
      .def_readonly("covered", &sf::coverage_row::covered);
  py::class_<sf::coverage_report>(m, "CoverageReport")
      .def_readonly("as_of", &sf::coverage_report::as_of)
      .def_readonly("reps", &sf::coverage_report::reps)
      .def_readonly("team", &sf::coverage_report::team);
  m.def("coverage", [](const sf::event_log& log, double team_quota,
                       std::vector<std::pair<std::string, double>> rep_quotas,
                       std::optional<std::int64_t> as_of, std::optional<std::int64_t> period_start,
                       const sf::pipeline_audit* audit, bool include_nurture) {
    sf::coverage_options o;
    o.team_quota = team_quota;
    for (auto& [rep, q] : rep_quotas) o.rep_quotas.push_back(sf::rep_quota{rep, q});
    o.as_of = as_of;
    o.period_start = period_start;
    o.include_nurture = include_nurture;
    return unwrap(sf::coverage(log, o, audit));
  }, py::arg("log"), py::arg("team_quota"), py::arg("rep_quotas"), py::arg("as_of"),
     py::arg("period_start"), py::arg("audit").none(true), py::arg("include_nurture"));

  // --- rep comparison
  py::class_<sf::beta_prior>(m, "BetaPrior")
      .def_readonly("alpha", &sf::beta_prior::alpha)
      .def_readonly("beta", &sf::beta_prior::beta)
      .def_readonly("fitted", &sf::beta_prior::fitted);
  py::class_<sf::rep_rate_row>(m, "RepRateRow")
      .def_readonly("rep", &sf::rep_rate_row::rep)
      .def_readonly("n", &sf::rep_rate_row::n)
      .def_readonly("wins", &sf::rep_rate_row::wins)
      .def_readonly("open", &sf::rep_rate_row::open)
      .def_readonly("rate", &sf::rep_rate_row::rate)
      .def_readonly("shrunk_rate", &sf::rep_rate_row::shrunk_rate)
      .def_readonly("rank", &sf::rep_rate_row::rank)
      .def_readonly("too_small", &sf::rep_rate_row::too_small);
  py::class_<sf::rep_comparison>(m, "RepComparison")
      .def_readonly("start", &sf::rep_comparison::from)
      .def_readonly("end", &sf::rep_comparison::to)
      .def_readonly("rows", &sf::rep_comparison::rows)
      .def_readonly("team_n", &sf::rep_comparison::team_n)
      .def_readonly("team_wins", &sf::rep_comparison::team_wins)
      .def_readonly("team_rate", &sf::rep_comparison::team_rate)
      .def_readonly("prior", &sf::rep_comparison::prior);
  m.def("compare_reps", [](const sf::event_log& log, const std::string& from, const std::string& to,
                           std::int64_t min_n, bool moments, std::optional<std::int64_t> as_of) {
    sf::rep_comparison_options o;
    o.min_n = min_n;
    o.fit = moments ? sf::prior_fit::moments : sf::prior_fit::marginal_likelihood;
    o.funnel.as_of = as_of;
    return unwrap(sf::compare_reps(log, from, to, o));
  });
  py::class_<sf::reallocation>(m, "Reallocation")
      .def_readonly("from_rep", &sf::reallocation::from_rep)
      .def_readonly("to_rep", &sf::reallocation::to_rep)
      .def_readonly("leads_moved", &sf::reallocation::leads_moved)
      .def_readonly("from_rate", &sf::reallocation::from_rate)
      .def_readonly("to_rate", &sf::reallocation::to_rate)
      .def_readonly("delta", &sf::reallocation::delta)
      .def_readonly("delta_low", &sf::reallocation::delta_low)
      .def_readonly("delta_high", &sf::reallocation::delta_high)
      .def_readonly("source", &sf::reallocation::source);
  m.def("reallocate_leads", [](const sf::rep_comparison& cmp, const std::string& from_rep,
                               const std::string& to_rep, double share, std::optional<double> leads,
                               bool raw) {
    sf::reallocation_options o;
    o.share = share;
    o.leads = leads;
    o.rates = raw ? sf::rate_source::raw : sf::rate_source::shrunk;
    return unwrap(sf::reallocate_leads(cmp, from_rep, to_rep, o));
  });

  // --- lead batches
  py::class_<sf::batch_info>(m, "BatchInfo")
      .def_readonly("batch", &sf::batch_info::batch)
      .def_readonly("deals", &sf::batch_info::deals)
      .def_readonly("won", &sf::batch_info::won)
      .def_readonly("lost", &sf::batch_info::lost)
      .def_readonly("open", &sf::batch_info::open)
      .def_readonly("age_days", &sf::batch_info::age_days)
      .def_readonly("immature", &sf::batch_info::immature);
  py::class_<sf::batch_step>(m, "BatchStep")
      .def_readonly("batch", &sf::batch_step::batch)
      .def_readonly("start", &sf::batch_step::from)
      .def_readonly("end", &sf::batch_step::to)
      .def_readonly("reached", &sf::batch_step::reached)
      .def_readonly("advanced", &sf::batch_step::advanced)
      .def_readonly("resolved", &sf::batch_step::resolved)
      .def_readonly("open", &sf::batch_step::open)
      .def_readonly("rate", &sf::batch_step::rate)
      .def_readonly("target", &sf::batch_step::target)
      .def_property_readonly("status", [](const sf::batch_step& s) { return std::string(sf::to_string(s.status)); });
  py::class_<sf::batch_report>(m, "BatchReport")
      .def_readonly("by", &sf::batch_report::by)
      .def_readonly("maturity_days", &sf::batch_report::maturity_days)
      .def_readonly("batches", &sf::batch_report::batches)
      .def_readonly("steps", &sf::batch_report::steps);
  m.def("lead_batches", [](const sf::event_log& log, const std::string& by,
                           std::vector<std::pair<std::string, double>> targets,
                           double maturity_quantile, std::optional<double> maturity_days,
                           std::optional<std::int64_t> as_of) {
    sf::batch_options o;
    o.targets = std::move(targets);
    o.maturity_quantile = maturity_quantile;
    o.maturity_days = maturity_days;
    o.funnel.as_of = as_of;
    return unwrap(sf::lead_batches(log, by, o));
  });
}
