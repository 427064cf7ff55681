// Python bindings for event_log.hpp: column conversion only (numeric columns
// are borrowed without copies; object columns are read as UTF-8 views), then
// the C++ build runs without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <salesfunnel/core/discover.hpp>
#include <salesfunnel/core/event_log.hpp>
#include <salesfunnel/stats/live_funnel.hpp>

#include "columns.hpp"
#include "options.hpp"
#include "status.hpp"

namespace py = pybind11;
using salesfunnel_py::raise_column_type;
using salesfunnel_py::throw_if_error;
using salesfunnel_py::unwrap;
namespace sf = salesfunnel;

namespace {

using salesfunnel_py::column_holder;
using salesfunnel_py::parse_unit;

const char* unit_name(sf::time_unit u) {
  switch (u) {
    case sf::time_unit::seconds: return "s";
    case sf::time_unit::milliseconds: return "ms";
    case sf::time_unit::microseconds: return "us";
    case sf::time_unit::nanoseconds: return "ns";
  }
  return "s";
}

// A numpy array viewing a span owned by the log (the log is kept alive).
template <class T>
py::array view_of(const sf::event_log& log, std::span<const T> s) {
  auto* owner = new sf::event_log(log);
  py::capsule base(owner, [](void* p) { delete static_cast<sf::event_log*>(p); });
  py::array_t<T> a({static_cast<py::ssize_t>(s.size())}, {static_cast<py::ssize_t>(sizeof(T))},
                   s.data(), base);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

// The columns of a build or an append, converted from Python and kept alive.
struct py_columns {
  column_holder h;
  py::array_t<std::int64_t, py::array::c_style> t;
  py::array_t<double, py::array::c_style> amt;
  sf::event_columns cols;

  py_columns(py::tuple deal, py::tuple stage, py::object time, const std::optional<py::tuple>& rep,
             py::object amount, py::list attributes) {
    cols.deal = h.convert("deal", deal);
    cols.stage = h.convert("stage", stage);
    t = py::array_t<std::int64_t, py::array::c_style>::ensure(time);
    if (!t || t.ndim() != 1) raise_column_type("column 'time' must be a 1-d int64/datetime64 array");
    cols.time = {t.data(), static_cast<std::size_t>(t.size())};
    if (rep) cols.rep = h.convert("rep", *rep);
    if (!amount.is_none()) {
      amt = py::array_t<double, py::array::c_style>::ensure(amount);
      if (!amt) raise_column_type("column 'amount' must be numeric");
      cols.amount = {amt.data(), static_cast<std::size_t>(amt.size())};
    }
    for (auto item : attributes) {
      auto pair = item.cast<py::tuple>();
      auto name = pair[0].cast<std::string>();
      cols.attributes.push_back({name, h.convert(name, pair[1].cast<py::tuple>())});
    }
  }
  py_columns(const py_columns&) = delete;
};

sf::event_log_options log_options(const std::string& unit, const std::map<std::string, std::string>& stage_map,
                                  bool strict, int threads) {
  sf::event_log_options opt;
  for (const auto& [k, v] : stage_map) opt.stage_map.emplace(k, v);
  opt.unit = parse_unit(unit);
  opt.strict = strict;
  opt.threads = threads;
  return opt;
}

}  // namespace

void bind_event_log(py::module_& m) {
  py::class_<sf::event_log>(m, "EventLog")
      .def_property_readonly("num_events", &sf::event_log::num_events)
      .def_property_readonly("num_deals", &sf::event_log::num_deals)
      .def_property_readonly("num_stages", &sf::event_log::num_stages)
      .def_property_readonly("stage_names", &sf::event_log::stage_names)
      .def_property_readonly("graph", [](const sf::event_log& l) -> py::object {
        if (!l.graph()) return py::none();
        return py::cast(*l.graph());
      })
      .def_property_readonly("unit", [](const sf::event_log& l) { return unit_name(l.unit()); })
      .def_property_readonly("min_time", &sf::event_log::min_time)
      .def_property_readonly("max_time", &sf::event_log::max_time)
      // Per-event arrays of the compact storage, deal after deal.
      .def("stages", [](const sf::event_log& l) { auto c = l.compacted(); return view_of(c, c.stages()); })
      .def("times", [](const sf::event_log& l) { auto c = l.compacted(); return view_of(c, c.times()); })
      .def("rows", [](const sf::event_log& l) { auto c = l.compacted(); return view_of(c, c.rows()); })
      .def("offsets", [](const sf::event_log& l) {
        const auto off = l.compacted().offsets();
        return py::array_t<std::int64_t>(static_cast<py::ssize_t>(off.size()), off.data());
      })
      .def_property_readonly("integer_deal_keys", &sf::event_log::integer_deal_keys)
      .def("deal_int_keys", [](const sf::event_log& l) { return view_of(l, l.deal_int_keys()); })
      .def("deal_str_keys", [](const sf::event_log& l) { return l.deal_str_keys(); })
      .def_property_readonly("has_rep", &sf::event_log::has_rep)
      .def("deal_rep", [](const sf::event_log& l) { return view_of(l, l.deal_rep()); })
      .def_property_readonly("rep_names", &sf::event_log::rep_names)
      .def_property_readonly("has_amount", &sf::event_log::has_amount)
      .def("deal_amount", [](const sf::event_log& l) { return view_of(l, l.deal_amount()); })
      .def_property_readonly("attribute_names",
                             [](const sf::event_log& l) {
                               std::vector<std::string> out;
                               for (std::size_t a = 0; a < l.num_attributes(); ++a) {
                                 out.push_back(l.attribute_name(a));
                               }
                               return out;
                             })
      .def("attribute_codes",
           [](const sf::event_log& l, const std::string& name) {
             auto a = unwrap(l.attribute_index(name));
             return view_of(l, l.attribute_codes(a));
           })
      .def("attribute_categories",
           [](const sf::event_log& l, const std::string& name) {
             auto a = unwrap(l.attribute_index(name));
             return l.attribute_categories(a);
           })
      .def("issues",
           [](const sf::event_log& l) {
             const auto& is = l.issues();
             py::dict d;
             d["duplicate_events"] = is.duplicate_events;
             d["first_duplicate_row"] = is.first_duplicate_row;
             d["repeated_stage_events"] = is.repeated_stage_events;
             d["first_repeated_row"] = is.first_repeated_row;
             d["out_of_order_rows"] = is.out_of_order_rows;
             d["first_out_of_order_row"] = is.first_out_of_order_row;
             d["events_after_outcome"] = is.events_after_outcome;
             d["first_after_outcome_row"] = is.first_after_outcome_row;
             py::list unknown;
             for (const auto& u : is.unknown_transitions) {
               unknown.append(py::make_tuple(l.stage_names()[u.from], l.stage_names()[u.to],
                                             u.count, u.first_row));
             }
             d["unknown_transitions"] = unknown;
             return d;
           })
      .def("with_graph",
           [](const sf::event_log& l, const sf::stage_graph& g, bool strict) {
             return unwrap(l.with_graph(g, strict));
           },
           py::arg("graph"), py::arg("strict") = false)
      .def("select_deals",
           [](const sf::event_log& l, py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> d) {
             return unwrap(l.select_deals({d.data(), static_cast<std::size_t>(d.size())}));
           });

  m.def(
      "build_event_log",
      [](py::tuple deal, py::tuple stage, py::object time, const std::string& unit,
         std::optional<py::tuple> rep, py::object amount, py::list attributes,
         std::optional<sf::stage_graph> graph, std::map<std::string, std::string> stage_map,
         bool strict, int threads, bool appendable) {
        py_columns c(deal, stage, time, rep, amount, attributes);
        auto opt = log_options(unit, stage_map, strict, threads);
        opt.graph = std::move(graph);
        opt.appendable = appendable;
        return salesfunnel_py::unwrap_without_gil([&] { return sf::event_log::build(c.cols, opt); });
      },
      py::arg("deal"), py::arg("stage"), py::arg("time"), py::arg("unit"), py::arg("rep"),
      py::arg("amount"), py::arg("attributes"), py::arg("graph"), py::arg("stage_map"),
      py::arg("strict"), py::arg("threads"), py::arg("appendable") = false);
  // Appends in place, holding the GIL: no Python thread reads the log
  // meanwhile, and arrays viewing it hold their own copy (copied on write).
  m.def(
      "append_event_log",
      [](sf::event_log& log, py::tuple deal, py::tuple stage, py::object time, const std::string& unit,
         std::optional<py::tuple> rep, py::object amount, py::list attributes,
         std::map<std::string, std::string> stage_map, bool strict, int threads) {
        py_columns c(deal, stage, time, rep, amount, attributes);
        return unwrap(log.append(c.cols, log_options(unit, stage_map, strict, threads))).new_deals;
      },
      py::arg("log"), py::arg("deal"), py::arg("stage"), py::arg("time"), py::arg("unit"),
      py::arg("rep"), py::arg("amount"), py::arg("attributes"), py::arg("stage_map"),
      py::arg("strict"), py::arg("threads"));
  py::class_<sf::live_funnel>(m, "LiveFunnel")
      .def_static(
          "create",
          [](const sf::event_log& log, std::optional<std::int64_t> as_of, double stale_days,
             const salesfunnel_py::stale_by_stage& stale_by) {
            const auto opt = salesfunnel_py::funnel_options(log, as_of, 0, stale_days, stale_by);
            return unwrap(sf::live_funnel::create(log, opt));
          },
          py::arg("log"), py::arg("as_of"), py::arg("stale_days"), py::arg("stale_by_stage"))
      .def(
          "append",
          [](sf::live_funnel& live, py::tuple deal, py::tuple stage, py::object time, const std::string& unit,
             std::optional<py::tuple> rep, py::object amount, py::list attributes,
             std::map<std::string, std::string> stage_map, bool strict, int threads) {
            py_columns c(deal, stage, time, rep, amount, attributes);
            const auto opt = log_options(unit, stage_map, strict, threads);
            return salesfunnel_py::unwrap_without_gil([&] { return live.append(c.cols, opt); }).new_deals;
          },
          py::arg("deal"), py::arg("stage"), py::arg("time"), py::arg("unit"), py::arg("rep"),
          py::arg("amount"), py::arg("attributes"), py::arg("stage_map"), py::arg("strict"),
          py::arg("threads"))
      .def("report", [](const sf::live_funnel& live) {
        return salesfunnel_py::unwrap_without_gil([&] { return live.report(); });
      })
      .def("stats", [](const sf::live_funnel& live) {
        py::gil_scoped_release nogil;
        return live.stats();
      })
      .def("log", [](const sf::live_funnel& live) { return live.log(); });

  m.def(
      "discover_stage_graph",
      [](const sf::event_log& log, const std::vector<std::string>& won,
         const std::vector<std::string>& lost, const std::vector<std::string>& nurture,
         std::int64_t min_count, std::string name) {
        return unwrap(sf::discover_stage_graph(log, won, lost, nurture, min_count, std::move(name)));
      },
      py::arg("log"), py::arg("won"), py::arg("lost"), py::arg("nurture"), py::arg("min_count"),
      py::arg("name"));
}
