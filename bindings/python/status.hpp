// Status -> Python exception plumbing shared by every bind_<area>.cpp.
//
//   auto log = salesfunnel_py::unwrap(salesfunnel::event_log::build(cols, opt));
//
// The exception classes live in the pure-Python module salesfunnel._errors;
// the absl code picks the class (InvalidArgumentError is also a ValueError,
// NotFoundError a KeyError, ...), the absl message becomes its message.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <utility>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

namespace salesfunnel_py {

namespace py = pybind11;

/// Raises the salesfunnel exception for a non-OK status (needs the GIL).
[[noreturn]] inline void raise_status(const absl::Status& st) {
  py::object errors = py::module_::import("salesfunnel._errors");
  py::object cls = errors.attr("error_class")(static_cast<int>(st.code()));
  std::string msg(st.message());
  PyErr_SetObject(cls.ptr(), py::str(msg).ptr());
  throw py::error_already_set();
}

inline void throw_if_error(const absl::Status& st) {
  if (!st.ok()) raise_status(st);
}

template <class T>
T unwrap(absl::StatusOr<T>&& s) {
  if (!s.ok()) raise_status(s.status());
  return std::move(s).value();
}

/// Runs f() (returning an absl::StatusOr) with the GIL released, so other
/// Python threads run meanwhile, then unwraps its result with the GIL held.
template <class F>
auto unwrap_without_gil(F&& f) {
  std::optional<decltype(f())> r;
  {
    py::gil_scoped_release release;
    r.emplace(f());
  }
  return unwrap(std::move(*r));
}

/// Raises salesfunnel.ColumnTypeError (a TypeError) naming the column.
[[noreturn]] inline void raise_column_type(const std::string& msg) {
  py::object errors = py::module_::import("salesfunnel._errors");
  PyErr_SetObject(errors.attr("ColumnTypeError").ptr(), py::str(msg).ptr());
  throw py::error_already_set();
}

}  // namespace salesfunnel_py
