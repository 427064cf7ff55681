// Python bindings for stage_graph.hpp.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <salesfunnel/core/deal_facts.hpp>
#include <salesfunnel/core/discover.hpp>
#include <salesfunnel/core/stage_graph.hpp>
#include <salesfunnel/core/templates.hpp>
#include <salesfunnel/io/graph_json.hpp>

#include "status.hpp"

namespace py = pybind11;
using salesfunnel_py::throw_if_error;
using salesfunnel_py::unwrap;
namespace sf = salesfunnel;

void bind_stage_graph(py::module_& m) {
  py::class_<sf::stage_graph>(m, "StageGraph")
      .def(py::init<std::string>(), py::arg("name") = "")
      .def_property_readonly("name", &sf::stage_graph::name)
      .def("add_stage",
           [](sf::stage_graph& g, const std::string& name, const std::string& kind) {
             auto k = unwrap(sf::parse_stage_kind(kind));
             return unwrap(g.add_stage(name, k));
           },
           py::arg("name"), py::arg("kind") = "open")
      .def("add_transition",
           [](sf::stage_graph& g, const std::string& from, const std::string& to,
              const std::string& commitment) {
             throw_if_error(g.add_transition(from, to, commitment));
           },
           py::arg("source"), py::arg("target"), py::arg("commitment") = "")
      .def("validate", [](const sf::stage_graph& g) { throw_if_error(g.validate()); })
      .def("with_went_dark", [](const sf::stage_graph& g) { return sf::with_went_dark(g); })
      .def_property_readonly("num_stages", &sf::stage_graph::num_stages)
      .def_property_readonly("stage_names", &sf::stage_graph::stage_names)
      .def_property_readonly("stage_kinds",
                             [](const sf::stage_graph& g) {
                               std::vector<std::string> out;
                               for (sf::stage_id s = 0; s < g.num_stages(); ++s) {
                                 out.emplace_back(sf::to_string(g.kind_of(s)));
                               }
                               return out;
                             })
      .def_property_readonly("transition_list",
                             [](const sf::stage_graph& g) {
                               std::vector<std::tuple<std::string, std::string, std::string>> out;
                               for (const auto& e : g.transitions()) {
                                 out.emplace_back(g.name_of(e.from), g.name_of(e.to), e.commitment);
                               }
                               return out;
                             })
      .def_property_readonly("main_path",
                             [](const sf::stage_graph& g) {
                               std::vector<std::string> out;
                               for (auto s : g.main_path()) out.push_back(g.name_of(s));
                               return out;
                             })
      .def("id_of", [](const sf::stage_graph& g, const std::string& n) { return unwrap(g.id_of(n)); })
      .def("has_edge",
           [](const sf::stage_graph& g, const std::string& a, const std::string& b) {
             auto x = g.find(a), y = g.find(b);
             return x && y && g.has_edge(*x, *y);
           })
      .def("to_json", [](const sf::stage_graph& g, int indent) { return sf::to_json(g, indent); },
           py::arg("indent") = 2)
      .def_static("from_json",
                  [](const std::string& text) { return unwrap(sf::stage_graph_from_json(text)); })
      .def("to_dot", [](const sf::stage_graph& g) { return sf::to_dot(g); })
      .def("__eq__", [](const sf::stage_graph& a, const sf::stage_graph& b) { return a == b; })
      .def("__copy__", [](const sf::stage_graph& g) { return g; });

  m.def("sales_cycle", &sf::templates::sales_cycle);
  m.def("ten_commitments", &sf::templates::ten_commitments);
}
