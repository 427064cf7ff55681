// Python bindings for buyer accountability, the pipeline audit and coverage
// (methodology/accountability.hpp, audit.hpp, coverage.hpp).
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

void bind_audit(py::module_& m) {
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
      .def_readonly("applied", &sf::rule_check::applied)
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
      .def_readonly("not_applied", &sf::rule_summary::not_applied)
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
}
