// The private compiled module salesfunnel._core: only the module definition,
// the version and one bind_<area>() call per feature area.
#include <pybind11/pybind11.h>

#include <salesfunnel/version.h>

namespace py = pybind11;

void bind_stage_graph(py::module_& m);
void bind_event_log(py::module_& m);
void bind_funnel(py::module_& m);
void bind_activity(py::module_& m);
void bind_audit(py::module_& m);
void bind_reps(py::module_& m);
void bind_markov(py::module_& m);
void bind_window(py::module_& m);
void bind_serialize(py::module_& m);

PYBIND11_MODULE(_core, m) {
  m.doc() = "salesfunnel's compiled core (private: use the salesfunnel package)";
  m.attr("__version__") = SALESFUNNEL_VERSION_STRING;
  bind_stage_graph(m);
  bind_event_log(m);
  bind_funnel(m);
  bind_activity(m);
  bind_audit(m);
  bind_reps(m);
  bind_markov(m);
  bind_window(m);
  bind_serialize(m);  // after every class it adds to
}
