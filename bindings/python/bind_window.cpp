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
using salesfunnel_py::column_of;
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
  const auto& s = r.steps;
  py::dict d;
  d["step"] = column_of(s, [](const auto& x) { return x.step; });
  d["entered"] = column_of(s, [](const auto& x) { return x.entered; });
  d["converted"] = column_of(s, [](const auto& x) { return x.converted; });
  d["immature"] = column_of(s, [](const auto& x) { return x.immature; });
  d["mature"] = column_of(s, [](const auto& x) { return x.mature; });
  d["conversion"] = column_of(s, [](const auto& x) { return x.conversion.estimate; });
  d["conversion_low"] = column_of(s, [](const auto& x) { return x.conversion.low; });
  d["conversion_high"] = column_of(s, [](const auto& x) { return x.conversion.high; });
  d["cumulative"] = column_of(s, [](const auto& x) { return x.cumulative.estimate; });
  d["cumulative_low"] = column_of(s, [](const auto& x) { return x.cumulative.low; });
  d["cumulative_high"] = column_of(s, [](const auto& x) { return x.cumulative.high; });
  d["km_cumulative"] = column_of(s, [](const auto& x) { return x.km_cumulative; });
  d["median_days_from_previous"] = column_of(s, [](const auto& x) { return x.median_days_from_previous; });
  d["p90_days_from_previous"] = column_of(s, [](const auto& x) { return x.p90_days_from_previous; });
  d["median_days_from_first"] = column_of(s, [](const auto& x) { return x.median_days_from_first; });
  d["p90_days_from_first"] = column_of(s, [](const auto& x) { return x.p90_days_from_first; });
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
