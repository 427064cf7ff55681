// Python bindings for window funnels: tables leave as dicts of numpy columns.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <salesfunnel/stats/window_report.hpp>

#include "columns.hpp"
#include "status.hpp"

namespace py = pybind11;
using salesfunnel_py::throw_if_error;
using salesfunnel_py::to_numpy;
using salesfunnel_py::unwrap;
namespace sf = salesfunnel;

namespace {

using exclusion_args = std::vector<std::tuple<std::int32_t, std::int32_t, std::string>>;

sf::window_spec make_spec(std::vector<std::vector<std::string>> steps, std::int64_t within_seconds,
                          const std::string& order, const exclusion_args& exclusions) {
  sf::window_spec spec;
  spec.steps = std::move(steps);
  spec.within_seconds = within_seconds;
  spec.order = unwrap(sf::parse_step_order(order));
  for (const auto& [from, to, stage] : exclusions) spec.exclusions.push_back({from, to, stage});
  return spec;
}

sf::window_options make_options(std::optional<std::int64_t> as_of, int threads) {
  sf::window_options o;
  o.as_of = as_of;
  o.threads = threads;
  return o;
}

py::dict step_table(const sf::window_funnel_report& r) {
  std::vector<std::string> step;
  std::vector<std::int64_t> entered, converted, immature, mature;
  std::vector<double> conv, lo, hi, cum, clo, chi, km, medp, p90p, medf, p90f;
  for (const auto& s : r.steps) {
    step.push_back(s.step);
    entered.push_back(s.entered);
    converted.push_back(s.converted);
    immature.push_back(s.immature);
    mature.push_back(s.mature);
    conv.push_back(s.conversion.estimate);
    lo.push_back(s.conversion.low);
    hi.push_back(s.conversion.high);
    cum.push_back(s.cumulative.estimate);
    clo.push_back(s.cumulative.low);
    chi.push_back(s.cumulative.high);
    km.push_back(s.km_cumulative);
    medp.push_back(s.median_days_from_previous);
    p90p.push_back(s.p90_days_from_previous);
    medf.push_back(s.median_days_from_first);
    p90f.push_back(s.p90_days_from_first);
  }
  py::dict d;
  d["step"] = step;
  d["entered"] = to_numpy(entered);
  d["converted"] = to_numpy(converted);
  d["immature"] = to_numpy(immature);
  d["mature"] = to_numpy(mature);
  d["conversion"] = to_numpy(conv);
  d["conversion_low"] = to_numpy(lo);
  d["conversion_high"] = to_numpy(hi);
  d["cumulative"] = to_numpy(cum);
  d["cumulative_low"] = to_numpy(clo);
  d["cumulative_high"] = to_numpy(chi);
  d["km_cumulative"] = to_numpy(km);
  d["median_days_from_previous"] = to_numpy(medp);
  d["p90_days_from_previous"] = to_numpy(p90p);
  d["median_days_from_first"] = to_numpy(medf);
  d["p90_days_from_first"] = to_numpy(p90f);
  return d;
}

// Long format: one row per (step, bucket) with the bucket's end in days.
py::dict curve_table(const sf::window_funnel_report& r) {
  std::vector<std::string> step;
  std::vector<double> days, share;
  std::vector<std::int64_t> converted;
  for (std::size_t j = 0; j < r.curve.size(); ++j) {
    for (std::size_t b = 0; b < r.curve[j].size(); ++b) {
      step.push_back(r.steps[j].step);
      days.push_back(std::min(static_cast<double>(b + 1) * r.bucket_days, r.within_days));
      share.push_back(r.curve[j][b]);
      converted.push_back(r.histogram[j][b]);
    }
  }
  py::dict d;
  d["step"] = step;
  d["days"] = to_numpy(days);
  d["converted_share"] = to_numpy(share);
  d["converted"] = to_numpy(converted);
  return d;
}

}  // namespace

void bind_window(py::module_& m) {
  py::class_<sf::window_funnel_stats>(m, "WindowFunnelStats")
      .def_readonly("deals", &sf::window_funnel_stats::deals)
      .def_readonly("as_of", &sf::window_funnel_stats::as_of)
      .def("merge", [](sf::window_funnel_stats& s, const sf::window_funnel_stats& o) { throw_if_error(s.merge(o)); })
      .def("__eq__", [](const sf::window_funnel_stats& a, const sf::window_funnel_stats& b) { return a == b; })
      .def("__copy__", [](const sf::window_funnel_stats& s) { return s; });

  py::class_<sf::window_funnel_report>(m, "WindowFunnelReport")
      .def_readonly("deals", &sf::window_funnel_report::deals)
      .def_readonly("as_of", &sf::window_funnel_report::as_of)
      .def_readonly("within_days", &sf::window_funnel_report::within_days)
      .def_readonly("bucket_days", &sf::window_funnel_report::bucket_days)
      .def_readonly("warnings", &sf::window_funnel_report::warnings)
      .def_property_readonly("order", [](const sf::window_funnel_report& r) {
        return std::string(sf::step_order_name(r.order));
      })
      .def("step_table", &step_table)
      .def("curve_table", &curve_table);

  m.def(
      "compute_window_stats",
      [](const sf::event_log& log, std::vector<std::vector<std::string>> steps, std::int64_t within_seconds,
         const std::string& order, const exclusion_args& exclusions, std::optional<std::int64_t> as_of,
         int threads) {
        const auto spec = make_spec(std::move(steps), within_seconds, order, exclusions);
        const auto opt = make_options(as_of, threads);
        return salesfunnel_py::unwrap_without_gil([&] { return sf::compute_window_stats(log, spec, opt); });
      },
      py::arg("log"), py::arg("steps"), py::arg("within_seconds"), py::arg("order") = "ordered",
      py::arg("exclusions") = exclusion_args{}, py::arg("as_of") = py::none(), py::arg("threads") = 0);
  m.def(
      "compute_window_stats_by",
      [](const sf::event_log& log, const std::string& by, std::vector<std::vector<std::string>> steps,
         std::int64_t within_seconds, const std::string& order, const exclusion_args& exclusions,
         std::optional<std::int64_t> as_of, int threads) {
        const auto spec = make_spec(std::move(steps), within_seconds, order, exclusions);
        const auto opt = make_options(as_of, threads);
        auto g = salesfunnel_py::unwrap_without_gil([&] { return sf::compute_window_stats_by(log, spec, by, opt); });
        return py::make_tuple(g.by, g.labels, g.stats);
      },
      py::arg("log"), py::arg("by"), py::arg("steps"), py::arg("within_seconds"), py::arg("order") = "ordered",
      py::arg("exclusions") = exclusion_args{}, py::arg("as_of") = py::none(), py::arg("threads") = 0);
  m.def("make_window_report", &sf::make_window_report, py::arg("stats"));
}
