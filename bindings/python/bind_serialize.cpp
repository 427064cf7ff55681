// to_bytes / from_bytes and pickling for every core type that serialises,
// added to the classes the other bind_<area>.cpp files define.
//
// Pickling goes through the same versioned buffer as to_bytes (the
// serialize.hpp headers), so a pickled object is checked like any buffer
// when it is read back.
#include <pybind11/pybind11.h>

#include <string>
#include <string_view>

#include <salesfunnel/core/serialize.hpp>
#include <salesfunnel/model/serialize.hpp>
#include <salesfunnel/stats/serialize.hpp>

#include "status.hpp"

namespace py = pybind11;
namespace sf = salesfunnel;
using salesfunnel_py::unwrap;

namespace {

template <class T, class Read>
void def_serialize(py::module_& m, const char* name, Read read) {
  auto cls = py::reinterpret_borrow<py::class_<T>>(m.attr(name));
  auto to_bytes = [](const T& x) { return py::bytes(sf::serialize(x)); };
  auto from_bytes = [read](const py::bytes& b) {
    const std::string_view view(b);
    return unwrap(read(view));
  };
  cls.def("to_bytes", to_bytes)
      .def_static("from_bytes", from_bytes, py::arg("data"))
      .def(py::pickle(to_bytes, from_bytes));
}

}  // namespace

void bind_serialize(py::module_& m) {
  def_serialize<sf::stage_graph>(m, "StageGraph", &sf::deserialize_stage_graph);
  def_serialize<sf::event_log>(m, "EventLog", &sf::deserialize_event_log);
  def_serialize<sf::funnel_stats>(m, "FunnelStats", &sf::deserialize_funnel_stats);
  def_serialize<sf::grouped_funnel_stats>(m, "GroupedFunnelStats", &sf::deserialize_grouped_funnel_stats);
  def_serialize<sf::window_funnel_stats>(m, "WindowFunnelStats", &sf::deserialize_window_stats);
  def_serialize<sf::markov_model>(m, "MarkovModel", &sf::deserialize_markov_model);
}
