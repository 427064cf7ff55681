// Python bindings for funnel.hpp: reports leave as dicts of numpy columns.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <salesfunnel/stats/funnel_report.hpp>
#include <salesfunnel/stats/waterfall.hpp>

#include "columns.hpp"
#include "options.hpp"
#include "status.hpp"

namespace py = pybind11;
using salesfunnel_py::column_of;
using salesfunnel_py::throw_if_error;
using salesfunnel_py::to_numpy;
using salesfunnel_py::unwrap;
namespace sf = salesfunnel;

namespace {

py::dict stage_table(const sf::funnel_report& r) {
  const auto& s = r.stages;
  using row = sf::stage_row;
  py::dict d;
  d["stage"] = column_of(s, [](const row& x) { return x.name; });
  d["kind"] = column_of(s, [](const row& x) { return std::string(sf::to_string(x.kind)); });
  d["main_rank"] = column_of(s, [](const row& x) { return x.main_rank; });
  d["reached"] = column_of(s, [](const row& x) { return x.reached; });
  d["reached_or_beyond"] = column_of(s, [](const row& x) { return x.reached_or_beyond; });
  d["advanced"] = column_of(s, [](const row& x) { return x.advanced; });
  d["dropped"] = column_of(s, [](const row& x) { return x.dropped; });
  d["closed_here"] = column_of(s, [](const row& x) { return x.closed_here; });
  d["in_progress"] = column_of(s, [](const row& x) { return x.in_progress; });
  d["open"] = column_of(s, [](const row& x) { return x.open; });
  d["step_conversion"] = column_of(s, [](const row& x) { return x.step_conversion.estimate; });
  d["step_low"] = column_of(s, [](const row& x) { return x.step_conversion.low; });
  d["step_high"] = column_of(s, [](const row& x) { return x.step_conversion.high; });
  d["cumulative_conversion"] = column_of(s, [](const row& x) { return x.cumulative_conversion.estimate; });
  d["cumulative_low"] = column_of(s, [](const row& x) { return x.cumulative_conversion.low; });
  d["cumulative_high"] = column_of(s, [](const row& x) { return x.cumulative_conversion.high; });
  d["median_days"] = column_of(s, [](const row& x) { return x.median_days; });
  d["p90_days"] = column_of(s, [](const row& x) { return x.p90_days; });
  d["mean_days"] = column_of(s, [](const row& x) { return x.mean_days; });
  d["stays_completed"] = column_of(s, [](const row& x) { return x.stays_completed; });
  d["stays_censored"] = column_of(s, [](const row& x) { return x.stays_censored; });
  return d;
}

py::dict drop_off_table(const sf::funnel_report& r) {
  const auto& g = r.graph;
  py::dict d;
  d["stage"] = column_of(r.drop_offs, [&](const auto& x) { return g.name_of(x.at); });
  d["exit"] = column_of(r.drop_offs, [&](const auto& x) { return g.name_of(x.exit); });
  d["deals"] = column_of(r.drop_offs, [](const auto& x) { return x.deals; });
  return d;
}

py::dict transition_table(const sf::funnel_report& r) {
  const auto& g = r.graph;
  const auto& t = r.transitions;
  py::dict d;
  d["from_stage"] = column_of(t, [&](const auto& x) { return g.name_of(x.from); });
  d["to_stage"] = column_of(t, [&](const auto& x) { return g.name_of(x.to); });
  d["count"] = column_of(t, [](const auto& x) { return x.count; });
  d["median_days"] = column_of(t, [](const auto& x) { return x.median_days; });
  d["is_edge"] = column_of(t, [](const auto& x) { return x.is_edge; });
  return d;
}

py::dict waterfall_table(const sf::waterfall_report& w) {
  std::vector<std::string> stage;
  std::vector<std::int64_t> counts[8];
  std::vector<double> values[8];
  auto add = [&](const sf::waterfall_row& r) {
    stage.push_back(r.name);
    const std::int64_t c[8] = {r.open_start, r.new_deals, r.moved_in, r.moved_out, r.won, r.lost, r.went_dark, r.open_end};
    const double v[8] = {r.value_open_start, r.value_new, r.value_moved_in, r.value_moved_out,
                         r.value_won, r.value_lost, r.value_went_dark, r.value_open_end};
    for (int i = 0; i < 8; ++i) {
      counts[i].push_back(c[i]);
      values[i].push_back(v[i]);
    }
  };
  for (const auto& r : w.rows) add(r);
  add(w.total);
  static const char* names[8] = {"open_start", "new", "moved_in", "moved_out", "won", "lost", "went_dark", "open_end"};
  py::dict d;
  d["stage"] = stage;
  for (int i = 0; i < 8; ++i) {
    d[names[i]] = to_numpy(counts[i]);
    d[py::str(std::string("value_") + names[i])] = to_numpy(values[i]);
  }
  return d;
}

// The Kaplan-Meier curve of the time in one stage.
py::dict survival_table(const sf::funnel_report& r, const std::string& stage) {
  const auto s = unwrap(r.graph.id_of(stage));
  const auto curve = r.stats.dwell[static_cast<std::size_t>(s)].km_curve();
  py::dict d;
  d["days"] = column_of(curve, [](const auto& p) { return sf::seconds_to_days(p.seconds); });
  d["survival"] = column_of(curve, [](const auto& p) { return p.survival; });
  d["at_risk"] = column_of(curve, [](const auto& p) { return p.at_risk; });
  return d;
}

}  // namespace

void bind_funnel(py::module_& m) {
  py::class_<sf::funnel_stats>(m, "FunnelStats")
      .def_readonly("deals", &sf::funnel_stats::deals)
      .def_readonly("events", &sf::funnel_stats::events)
      .def_readonly("as_of", &sf::funnel_stats::as_of)
      .def("merge", [](sf::funnel_stats& s, const sf::funnel_stats& o) { throw_if_error(s.merge(o)); })
      .def("__eq__", [](const sf::funnel_stats& a, const sf::funnel_stats& b) { return a == b; })
      .def("__copy__", [](const sf::funnel_stats& s) { return s; });

  py::class_<sf::grouped_funnel_stats>(m, "GroupedFunnelStats")
      .def_readonly("by", &sf::grouped_funnel_stats::by)
      .def_readonly("labels", &sf::grouped_funnel_stats::labels)
      .def_readonly("stats", &sf::grouped_funnel_stats::stats)
      .def("merge", [](sf::grouped_funnel_stats& s, const sf::grouped_funnel_stats& o) { throw_if_error(s.merge(o)); })
      .def("__eq__", [](const sf::grouped_funnel_stats& a, const sf::grouped_funnel_stats& b) {
        return a.by == b.by && a.labels == b.labels && a.stats == b.stats;
      })
      .def("__copy__", [](const sf::grouped_funnel_stats& s) { return s; });

  py::class_<sf::funnel_report>(m, "FunnelReport")
      .def_readonly("graph", &sf::funnel_report::graph)
      .def_readonly("stats", &sf::funnel_report::stats)
      .def_readonly("deals", &sf::funnel_report::deals)
      .def_readonly("won", &sf::funnel_report::won)
      .def_readonly("lost", &sf::funnel_report::lost)
      .def_readonly("open", &sf::funnel_report::open)
      .def_readonly("went_dark", &sf::funnel_report::went_dark)
      .def_readonly("warnings", &sf::funnel_report::warnings)
      .def("stage_table", &stage_table)
      .def("drop_off_table", &drop_off_table)
      .def("transition_table", &transition_table)
      .def("survival", &survival_table, py::arg("stage"));

  py::class_<sf::grouped_funnel_report>(m, "GroupedFunnelReport")
      .def_readonly("by", &sf::grouped_funnel_report::by)
      .def_readonly("groups", &sf::grouped_funnel_report::groups)
      .def_readonly("reports", &sf::grouped_funnel_report::reports);

  m.def(
      "compute_funnel_stats",
      [](const sf::event_log& log, std::optional<std::int64_t> as_of, int threads, double stale_days,
         const salesfunnel_py::stale_by_stage& stale_by) {
        const auto opt = salesfunnel_py::funnel_options(log, as_of, threads, stale_days, stale_by);
        return salesfunnel_py::unwrap_without_gil([&] { return sf::compute_funnel_stats(log, opt); });
      },
      py::arg("log"), py::arg("as_of") = py::none(), py::arg("threads") = 0,
      py::arg("stale_days") = std::numeric_limits<double>::quiet_NaN(),
      py::arg("stale_by_stage") = salesfunnel_py::stale_by_stage{});
  m.def(
      "compute_funnel_stats_by",
      [](const sf::event_log& log, const std::string& by, std::optional<std::int64_t> as_of, int threads,
         double stale_days, const salesfunnel_py::stale_by_stage& stale_by) {
        const auto opt = salesfunnel_py::funnel_options(log, as_of, threads, stale_days, stale_by);
        return salesfunnel_py::unwrap_without_gil([&] { return sf::compute_funnel_stats_by(log, by, opt); });
      },
      py::arg("log"), py::arg("by"), py::arg("as_of") = py::none(), py::arg("threads") = 0,
      py::arg("stale_days") = std::numeric_limits<double>::quiet_NaN(),
      py::arg("stale_by_stage") = salesfunnel_py::stale_by_stage{});
  m.def(
      "make_grouped_report",
      [](const sf::grouped_funnel_stats& s, const sf::stage_graph& g) {
        return unwrap(sf::make_grouped_report(s, g));
      },
      py::arg("stats"), py::arg("graph"));
  m.def(
      "make_funnel_report",
      [](const sf::funnel_stats& s, const sf::stage_graph& g) {
        return unwrap(sf::make_funnel_report(s, g));
      },
      py::arg("stats"), py::arg("graph"));
  m.def(
      "funnel",
      [](const sf::event_log& log, std::optional<std::int64_t> as_of, int threads, double stale_days,
         const salesfunnel_py::stale_by_stage& stale_by) {
        const auto opt = salesfunnel_py::funnel_options(log, as_of, threads, stale_days, stale_by);
        return salesfunnel_py::unwrap_without_gil([&] { return sf::funnel(log, opt); });
      },
      py::arg("log"), py::arg("as_of") = py::none(), py::arg("threads") = 0,
      py::arg("stale_days") = std::numeric_limits<double>::quiet_NaN(),
      py::arg("stale_by_stage") = salesfunnel_py::stale_by_stage{});
  m.def(
      "funnel_by",
      [](const sf::event_log& log, const std::string& by, std::optional<std::int64_t> as_of,
         int threads, double stale_days, const salesfunnel_py::stale_by_stage& stale_by) {
        const auto opt = salesfunnel_py::funnel_options(log, as_of, threads, stale_days, stale_by);
        return salesfunnel_py::unwrap_without_gil([&] { return sf::funnel_by(log, by, opt); });
      },
      py::arg("log"), py::arg("by"), py::arg("as_of") = py::none(), py::arg("threads") = 0,
      py::arg("stale_days") = std::numeric_limits<double>::quiet_NaN(),
      py::arg("stale_by_stage") = salesfunnel_py::stale_by_stage{});
  py::class_<sf::waterfall_report>(m, "Waterfall")
      .def_readonly("start", &sf::waterfall_report::start)
      .def_readonly("end", &sf::waterfall_report::end)
      .def_readonly("deals_without_amount", &sf::waterfall_report::deals_without_amount)
      .def("table", &waterfall_table);
  m.def(
      "waterfall",
      [](const sf::event_log& log, std::int64_t start, std::int64_t end, double stale_days,
         const salesfunnel_py::stale_by_stage& stale_by) {
        const auto opt = salesfunnel_py::funnel_options(log, std::nullopt, 0, stale_days, stale_by);
        return unwrap(sf::waterfall(log, start, end, opt.stale));
      },
      py::arg("log"), py::arg("start"), py::arg("end"),
      py::arg("stale_days") = std::numeric_limits<double>::quiet_NaN(),
      py::arg("stale_by_stage") = salesfunnel_py::stale_by_stage{});
}
