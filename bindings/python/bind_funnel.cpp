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
using salesfunnel_py::throw_if_error;
using salesfunnel_py::to_numpy;
using salesfunnel_py::unwrap;
namespace sf = salesfunnel;

namespace {

py::dict stage_table(const sf::funnel_report& r) {
  std::vector<std::string> name, kind;
  std::vector<std::int32_t> rank;
  std::vector<std::int64_t> reached, rob, adv, dropped, closed, prog, open, done, cens;
  std::vector<double> step, slo, shi, cum, clo, chi, med, p90, mean;
  for (const auto& s : r.stages) {
    name.push_back(s.name);
    kind.emplace_back(sf::to_string(s.kind));
    rank.push_back(s.main_rank);
    reached.push_back(s.reached);
    rob.push_back(s.reached_or_beyond);
    adv.push_back(s.advanced);
    dropped.push_back(s.dropped);
    closed.push_back(s.closed_here);
    prog.push_back(s.in_progress);
    open.push_back(s.open);
    step.push_back(s.step_conversion.estimate);
    slo.push_back(s.step_conversion.low);
    shi.push_back(s.step_conversion.high);
    cum.push_back(s.cumulative_conversion.estimate);
    clo.push_back(s.cumulative_conversion.low);
    chi.push_back(s.cumulative_conversion.high);
    med.push_back(s.median_days);
    p90.push_back(s.p90_days);
    mean.push_back(s.mean_days);
    done.push_back(s.stays_completed);
    cens.push_back(s.stays_censored);
  }
  py::dict d;
  d["stage"] = name;
  d["kind"] = kind;
  d["main_rank"] = to_numpy(rank);
  d["reached"] = to_numpy(reached);
  d["reached_or_beyond"] = to_numpy(rob);
  d["advanced"] = to_numpy(adv);
  d["dropped"] = to_numpy(dropped);
  d["closed_here"] = to_numpy(closed);
  d["in_progress"] = to_numpy(prog);
  d["open"] = to_numpy(open);
  d["step_conversion"] = to_numpy(step);
  d["step_low"] = to_numpy(slo);
  d["step_high"] = to_numpy(shi);
  d["cumulative_conversion"] = to_numpy(cum);
  d["cumulative_low"] = to_numpy(clo);
  d["cumulative_high"] = to_numpy(chi);
  d["median_days"] = to_numpy(med);
  d["p90_days"] = to_numpy(p90);
  d["mean_days"] = to_numpy(mean);
  d["stays_completed"] = to_numpy(done);
  d["stays_censored"] = to_numpy(cens);
  return d;
}

py::dict drop_off_table(const sf::funnel_report& r) {
  std::vector<std::string> at, exit;
  std::vector<std::int64_t> n;
  for (const auto& d : r.drop_offs) {
    at.push_back(r.graph.name_of(d.at));
    exit.push_back(r.graph.name_of(d.exit));
    n.push_back(d.deals);
  }
  py::dict d;
  d["stage"] = at;
  d["exit"] = exit;
  d["deals"] = to_numpy(n);
  return d;
}

py::dict transition_table(const sf::funnel_report& r) {
  std::vector<std::string> from, to;
  std::vector<std::int64_t> n;
  std::vector<double> med;
  std::vector<bool> edge;
  for (const auto& t : r.transitions) {
    from.push_back(r.graph.name_of(t.from));
    to.push_back(r.graph.name_of(t.to));
    n.push_back(t.count);
    med.push_back(t.median_days);
    edge.push_back(t.is_edge);
  }
  py::dict d;
  d["from_stage"] = from;
  d["to_stage"] = to;
  d["count"] = to_numpy(n);
  d["median_days"] = to_numpy(med);
  d["is_edge"] = edge;
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
  std::vector<double> days, survival;
  std::vector<std::int64_t> at_risk;
  for (const auto& p : r.stats.dwell[static_cast<std::size_t>(s)].km_curve()) {
    days.push_back(sf::seconds_to_days(p.seconds));
    survival.push_back(p.survival);
    at_risk.push_back(p.at_risk);
  }
  py::dict d;
  d["days"] = to_numpy(days);
  d["survival"] = to_numpy(survival);
  d["at_risk"] = to_numpy(at_risk);
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
