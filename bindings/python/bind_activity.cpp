// Python bindings for activity logs and great conversations
// (core/activity.hpp, methodology/conversations.hpp): column conversion in,
// result structs out; no analysis here.
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

void bind_activity(py::module_& m) {
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
}
