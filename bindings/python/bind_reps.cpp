// Python bindings for rep comparison and lead batches
// (methodology/reps.hpp, batches.hpp).
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

void bind_reps(py::module_& m) {
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
