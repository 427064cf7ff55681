// Python bindings for markov.hpp, chains.hpp, scenario.hpp, plan.hpp, forecast.hpp and
// synthetic.hpp: conversion only.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <limits>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <salesfunnel/salesfunnel.hpp>

#include "columns.hpp"
#include "options.hpp"
#include "status.hpp"

namespace py = pybind11;
using salesfunnel_py::throw_if_error;
using salesfunnel_py::to_numpy;
using salesfunnel_py::unwrap;
namespace sf = salesfunnel;

void bind_markov(py::module_& m) {
  py::class_<sf::markov_edge>(m, "MarkovEdge")
      .def_readonly("source", &sf::markov_edge::from)
      .def_readonly("target", &sf::markov_edge::to)
      .def_readonly("count", &sf::markov_edge::count)
      .def_readonly("probability", &sf::markov_edge::probability)
      .def_readonly("ci", &sf::markov_edge::ci)
      .def_readonly("in_graph", &sf::markov_edge::in_graph);

  py::class_<sf::markov_model>(m, "MarkovModel")
      .def_static("fit_log", [](const sf::event_log& log, double prior, std::optional<std::int64_t> as_of,
                                 double stale_days, const salesfunnel_py::stale_by_stage& stale_by) {
        const auto o = salesfunnel_py::funnel_options(log, as_of, 0, stale_days, stale_by);
        return salesfunnel_py::unwrap_without_gil([&] { return sf::markov_model::fit(log, prior, o); });
      }, py::arg("log"), py::arg("prior") = 0.0, py::arg("as_of") = py::none(),
         py::arg("stale_days") = std::numeric_limits<double>::quiet_NaN(),
         py::arg("stale_by_stage") = salesfunnel_py::stale_by_stage{})
      .def_static("fit_stats", [](const sf::funnel_stats& s, const sf::stage_graph& g, double prior) {
        return unwrap(sf::markov_model::fit(s, g, prior));
      })
      .def_static("from_probabilities",
                  [](const sf::stage_graph& g,
                     const std::vector<std::tuple<std::string, std::string, double>>& p,
                     const std::vector<std::pair<std::string, double>>& dwell) {
                    return unwrap(sf::markov_model::from_probabilities(g, p, dwell));
                  })
      .def_property_readonly("graph", &sf::markov_model::graph)
      .def("transition_matrix", [](const sf::markov_model& mm) { return to_numpy(mm.transition_matrix()); })
      .def_property_readonly("edges", &sf::markov_model::edges)
      .def("dwell_days", [](const sf::markov_model& mm) { return to_numpy(mm.dwell_days()); })
      .def_property_readonly("stages_without_data", &sf::markov_model::stages_without_data)
      .def("ends_chain", &sf::markov_model::ends_chain)
      .def("analyze", [](const sf::markov_model& mm) {
        auto a = unwrap(mm.analyze());
        py::dict d;
        d["absorbing"] = a.absorbing;
        d["probability"] = to_numpy(a.probability);
        d["win_probability"] = to_numpy(a.win_probability);
        d["expected_steps"] = to_numpy(a.expected_steps);
        d["expected_days"] = to_numpy(a.expected_days);
        d["expected_days_to_win"] = to_numpy(a.expected_days_to_win);
        return d;
      });

  py::class_<sf::edge_sensitivity>(m, "EdgeSensitivity")
      .def_readonly("source", &sf::edge_sensitivity::from)
      .def_readonly("target", &sf::edge_sensitivity::to)
      .def_readonly("probability", &sf::edge_sensitivity::probability)
      .def_readonly("wins_per_100_per_point", &sf::edge_sensitivity::wins_per_100_per_point)
      .def_readonly("revenue_per_100_per_point", &sf::edge_sensitivity::revenue_per_100_per_point)
      .def_readonly("removal_effect", &sf::edge_sensitivity::removal_effect)
      .def_readonly("saturated", &sf::edge_sensitivity::saturated);
  m.def("sensitivity", [](const sf::markov_model& mm, std::optional<sf::stage_id> start, double amount) {
    return unwrap(sf::sensitivity(mm, start, amount));
  });
  m.def("win_probability_after", [](const sf::markov_model& mm, const sf::funnel_stats& s,
                                    sf::stage_id stage, double days) {
    return unwrap(sf::win_probability_after(mm, s, stage, days));
  });
  m.def("stage_removal_effect", [](const sf::markov_model& mm, sf::stage_id s) {
    return unwrap(sf::stage_removal_effect(mm, s));
  });
  py::class_<sf::pipeline_deal>(m, "PipelineDeal")
      .def_readonly("deal", &sf::pipeline_deal::deal)
      .def_readonly("stage", &sf::pipeline_deal::stage)
      .def_readonly("amount", &sf::pipeline_deal::amount)
      .def_readonly("win_probability", &sf::pipeline_deal::win_probability)
      .def_readonly("expected_value", &sf::pipeline_deal::expected_value);
  m.def("pipeline_value", [](const sf::markov_model& mm, const sf::event_log& log,
                             std::optional<std::int64_t> as_of) {
    return unwrap(sf::pipeline_value(mm, log, as_of));
  }, py::arg("model"), py::arg("log"), py::arg("as_of") = py::none());
  m.def("open_deals", [](const sf::markov_model& mm, const sf::event_log& log, std::optional<std::int64_t> as_of) {
    std::vector<sf::stage_id> stages;
    std::vector<double> amounts;
    for (const auto& d : sf::open_deals_of(mm, log, as_of)) {
      stages.push_back(d.stage);
      amounts.push_back(d.amount);
    }
    return std::make_pair(stages, amounts);
  }, py::arg("model"), py::arg("log"), py::arg("as_of") = py::none());
  m.def("mean_won_amount", [](const sf::event_log& log, std::optional<std::int64_t> as_of) {
    return sf::mean_won_amount(log, as_of);
  }, py::arg("log"), py::arg("as_of") = py::none());

  py::class_<sf::scenario>(m, "Scenario")
      .def(py::init<sf::markov_model, double, std::string>(), py::arg("model"),
           py::arg("leads_per_week") = 0.0, py::arg("name") = "baseline")
      .def_property_readonly("model", &sf::scenario::model)
      .def_property_readonly("leads_per_week", &sf::scenario::leads_per_week)
      .def_property_readonly("name", &sf::scenario::name)
      .def_property_readonly("changes", &sf::scenario::changes)
      .def("lift", [](const sf::scenario& s, const std::string& a, const std::string& b, double pts) {
        return unwrap(s.lift(a, b, pts));
      })
      .def("lift_factor", [](const sf::scenario& s, const std::string& a, const std::string& b, double f) {
        return unwrap(s.lift_factor(a, b, f));
      })
      .def("set_rate", [](const sf::scenario& s, const std::string& a, const std::string& b, double p) {
        return unwrap(s.set_rate(a, b, p));
      })
      .def("remove_edge", [](const sf::scenario& s, const std::string& a, const std::string& b) {
        return unwrap(s.remove_edge(a, b));
      })
      .def("remove_stage", [](const sf::scenario& s, const std::string& a) { return unwrap(s.remove_stage(a)); })
      .def("add_leads", &sf::scenario::add_leads)
      .def("set_dwell", [](const sf::scenario& s, const std::string& a, double d) { return unwrap(s.set_dwell(a, d)); })
      .def("named", &sf::scenario::named);
  py::class_<sf::comparison_row>(m, "ComparisonRow")
      .def_readonly("name", &sf::comparison_row::name)
      .def_readonly("changes", &sf::comparison_row::changes)
      .def_readonly("leads_per_week", &sf::comparison_row::leads_per_week)
      .def_readonly("win_rate", &sf::comparison_row::win_rate)
      .def_readonly("wins_per_week", &sf::comparison_row::wins_per_week)
      .def_readonly("revenue_per_week", &sf::comparison_row::revenue_per_week)
      .def_readonly("days_to_close", &sf::comparison_row::days_to_close)
      .def_readonly("delta_wins_per_week", &sf::comparison_row::delta_wins_per_week)
      .def_readonly("delta_revenue_per_week", &sf::comparison_row::delta_revenue_per_week)
      .def_readonly("delta_win_rate", &sf::comparison_row::delta_win_rate)
      .def_readonly("delta_days_to_close", &sf::comparison_row::delta_days_to_close);
  m.def("compare", [](const sf::scenario& base, const std::vector<sf::scenario>& others, double amount) {
    return unwrap(sf::compare(base, others, amount));
  });

  py::class_<sf::plan_row>(m, "PlanRow")
      .def_readonly("stage", &sf::plan_row::stage)
      .def_readonly("win_probability", &sf::plan_row::win_probability)
      .def_readonly("entries_needed", &sf::plan_row::entries_needed)
      .def_readonly("entries_needed_at_probability", &sf::plan_row::entries_needed_at_probability)
      .def_readonly("lag_days", &sf::plan_row::lag_days)
      .def_readonly("lag_periods", &sf::plan_row::lag_periods);
  m.def("plan", [](const sf::markov_model& mm, double goal, const std::string& per, std::optional<double> p) {
    return unwrap(sf::plan(mm, goal, unwrap(sf::parse_plan_period(per)), p));
  });

  py::class_<sf::forecast_result>(m, "ForecastResult")
      .def_readonly("trials", &sf::forecast_result::trials)
      .def_readonly("periods", &sf::forecast_result::periods)
      .def("wins", [](const sf::forecast_result& r) { return to_numpy(r.wins); })
      .def("revenue", [](const sf::forecast_result& r) { return to_numpy(r.revenue); })
      .def("wins_by_period", [](const sf::forecast_result& r) {
        auto a = to_numpy(r.wins_by_period);
        return a.reshape({static_cast<py::ssize_t>(r.trials), static_cast<py::ssize_t>(r.periods)});
      })
      .def_readonly("mean_wins", &sf::forecast_result::mean_wins)
      .def_readonly("wins_p10", &sf::forecast_result::wins_p10)
      .def_readonly("wins_p50", &sf::forecast_result::wins_p50)
      .def_readonly("wins_p90", &sf::forecast_result::wins_p90)
      .def_readonly("mean_revenue", &sf::forecast_result::mean_revenue)
      .def_readonly("revenue_p10", &sf::forecast_result::revenue_p10)
      .def_readonly("revenue_p50", &sf::forecast_result::revenue_p50)
      .def_readonly("revenue_p90", &sf::forecast_result::revenue_p90)
      .def_readonly("p_hit_quota", &sf::forecast_result::p_hit_quota);
  m.def("forecast", [](const sf::markov_model& mm, std::vector<sf::stage_id> stages, std::vector<double> amounts,
                       double horizon, std::int64_t trials, std::uint64_t seed, double leads, double new_amount,
                       double quota, double period_days, int threads,
                       std::function<bool(std::int64_t, std::int64_t)> progress) {
    std::vector<sf::open_deal> deals(stages.size());
    for (std::size_t i = 0; i < stages.size(); ++i) deals[i] = sf::open_deal{stages[i], amounts[i]};
    sf::forecast_options o;
    o.horizon_days = horizon;
    o.trials = trials;
    o.seed = seed;
    o.leads_per_week = leads;
    o.new_deal_amount = new_amount;
    o.quota = quota;
    o.period_days = period_days;
    o.threads = threads;
    if (progress) {
      // The callback runs on the calling thread between blocks; take the GIL for it.
      o.progress = [progress](std::int64_t done, std::int64_t total) {
        py::gil_scoped_acquire gil;
        return progress(done, total);
      };
    }
    return salesfunnel_py::unwrap_without_gil([&] { return sf::forecast(mm, deals, o); });
  });

  py::class_<sf::chain_solutions>(m, "ChainSolutions")
      .def_readonly("names", &sf::chain_solutions::names)
      .def_readonly("failed", &sf::chain_solutions::failed)
      .def("arrays", [](const sf::chain_solutions& c) {
        const auto shape = std::vector<py::ssize_t>{static_cast<py::ssize_t>(c.chains()), c.stages};
        py::dict d;
        d["win_probability"] = to_numpy(c.win_probability).reshape(shape);
        d["expected_steps"] = to_numpy(c.expected_steps).reshape(shape);
        d["expected_days"] = to_numpy(c.expected_days).reshape(shape);
        d["expected_days_to_win"] = to_numpy(c.expected_days_to_win).reshape(shape);
        return d;
      });
  using dense = py::array_t<double, py::array::c_style | py::array::forcecast>;
  m.def("solve_chains", [](const sf::stage_graph& g, const dense& p, const std::optional<dense>& dwell, int threads) {
    const auto pv = std::span<const double>(p.data(), static_cast<std::size_t>(p.size()));
    const auto dv = dwell ? std::span<const double>(dwell->data(), static_cast<std::size_t>(dwell->size()))
                          : std::span<const double>();
    return salesfunnel_py::unwrap_without_gil([&] { return sf::solve_chains(g, pv, dv, threads); });
  }, py::arg("graph"), py::arg("probabilities"), py::arg("dwell_days") = py::none(), py::arg("threads") = 0);
  m.def("solve_chains_stats", [](const sf::grouped_funnel_stats& s, const sf::stage_graph& g, double prior,
                                 int threads) {
    return salesfunnel_py::unwrap_without_gil([&] { return sf::solve_chains(s, g, prior, threads); });
  }, py::arg("stats"), py::arg("graph"), py::arg("prior") = 0.0, py::arg("threads") = 0);
  m.def("fit_chains_by", [](const sf::event_log& log, const std::string& by, double prior,
                            std::optional<std::int64_t> as_of, int threads, double stale_days,
                            const salesfunnel_py::stale_by_stage& stale_by) {
    const auto o = salesfunnel_py::funnel_options(log, as_of, threads, stale_days, stale_by);
    return salesfunnel_py::unwrap_without_gil([&] { return sf::fit_chains_by(log, by, prior, o); });
  }, py::arg("log"), py::arg("by"), py::arg("prior") = 0.0, py::arg("as_of") = py::none(),
     py::arg("threads") = 0, py::arg("stale_days") = std::numeric_limits<double>::quiet_NaN(),
     py::arg("stale_by_stage") = salesfunnel_py::stale_by_stage{});

  m.def("synthetic_events", [](const sf::markov_model& truth, std::int64_t n, std::uint64_t seed,
                               double spread_days, double as_of_days, bool shuffle) {
    sf::synthetic_options o;
    o.spread_days = spread_days;
    o.as_of_days = as_of_days;
    o.shuffle = shuffle;
    auto c = unwrap(sf::synthetic_events(truth, n, seed, o));
    return py::make_tuple(to_numpy(c.deal), to_numpy(c.stage), to_numpy(c.time));
  });
}
