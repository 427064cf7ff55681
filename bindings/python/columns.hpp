// Column conversion shared by the bindings that take columns from Python:
// numeric arrays are borrowed, object columns arrive as lists of str.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <deque>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <salesfunnel/core/event_log.hpp>

#include "status.hpp"

namespace salesfunnel_py {

namespace sf = salesfunnel;

// Owns whatever a key_column borrows while the log is built.
struct column_holder {
  std::deque<py::object> keep;
  std::deque<std::vector<std::string_view>> views;
  std::deque<std::vector<std::uint8_t>> valids;
  std::deque<std::vector<std::int32_t>> codes;

  // spec: ("int", int64 array, uint8 validity or None) | ("str", object array)
  //     | ("cat", int32 codes, list of category strings)
  sf::key_column convert(const std::string& column, const py::tuple& spec) {
    if (spec.size() < 2) raise_column_type("column '" + column + "': bad column spec");
    const auto tag = spec[0].cast<std::string>();
    if (tag == "int") {
      auto arr = py::array::ensure(spec[1]);
      if (!arr || !py::isinstance<py::array_t<std::int64_t>>(arr) || arr.ndim() != 1) {
        raise_column_type("column '" + column + "' must be a 1-d int64 array");
      }
      auto a = py::array_t<std::int64_t, py::array::c_style>::ensure(arr);
      keep.push_back(a);
      std::span<const std::uint8_t> valid;
      if (spec.size() > 2 && !spec[2].is_none()) {
        auto v = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(spec[2]);
        keep.push_back(v);
        valid = {v.data(), static_cast<std::size_t>(v.size())};
      }
      return sf::key_column::integers({a.data(), static_cast<std::size_t>(a.size())}, valid);
    }
    if (tag == "str") {
      if (!PyList_Check(spec[1].ptr())) raise_column_type("column '" + column + "': expected a list of str");
      py::list seq = spec[1];
      keep.push_back(seq);  // the list keeps its str items, and so their UTF-8 buffers, alive
      const auto n = static_cast<std::size_t>(PyList_GET_SIZE(seq.ptr()));
      auto& view = views.emplace_back(n);
      auto& valid = valids.emplace_back(n, 1);
      bool any_null = false;
      for (std::size_t i = 0; i < n; ++i) {
        PyObject* item = PyList_GET_ITEM(seq.ptr(), static_cast<Py_ssize_t>(i));
        if (PyUnicode_Check(item)) {
          Py_ssize_t len = 0;
          const char* p = PyUnicode_AsUTF8AndSize(item, &len);
          if (!p) throw py::error_already_set();
          view[i] = std::string_view(p, static_cast<std::size_t>(len));
        } else if (item == Py_None || (PyFloat_Check(item) && PyFloat_AS_DOUBLE(item) != PyFloat_AS_DOUBLE(item))) {
          valid[i] = 0;  // None or NaN: a null the core reports by row
          any_null = true;
        } else {
          raise_column_type("column '" + column + "', row " + std::to_string(i) +
                            ": expected a string, got " + std::string(Py_TYPE(item)->tp_name));
        }
      }
      return sf::key_column::strings(view, any_null ? std::span<const std::uint8_t>(valid)
                                                    : std::span<const std::uint8_t>());
    }
    if (tag == "cat") {
      // pandas keeps codes as narrow as the category count allows; read them in place.
      auto any = py::array::ensure(spec[1]);
      if (!any || any.ndim() != 1) raise_column_type("column '" + column + "': categorical codes must be a 1-d integer array");
      auto cats = spec[2].cast<py::list>();
      auto& view = views.emplace_back();
      for (auto item : cats) {
        if (!PyUnicode_Check(item.ptr())) {
          raise_column_type("column '" + column + "': categories must be strings");
        }
        Py_ssize_t len = 0;
        const char* p = PyUnicode_AsUTF8AndSize(item.ptr(), &len);
        if (!p) throw py::error_already_set();
        view.emplace_back(p, static_cast<std::size_t>(len));
        keep.push_back(py::reinterpret_borrow<py::object>(item));
      }
      if (py::isinstance<py::array_t<std::int8_t>>(any)) {
        auto c = py::array_t<std::int8_t, py::array::c_style>::ensure(any);
        keep.push_back(c);
        return sf::key_column::categorical<std::int8_t>({c.data(), static_cast<std::size_t>(c.size())}, view);
      }
      if (py::isinstance<py::array_t<std::int16_t>>(any)) {
        auto c = py::array_t<std::int16_t, py::array::c_style>::ensure(any);
        keep.push_back(c);
        return sf::key_column::categorical<std::int16_t>({c.data(), static_cast<std::size_t>(c.size())}, view);
      }
      auto c = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>::ensure(any);
      if (!c) raise_column_type("column '" + column + "': categorical codes must be integers");
      keep.push_back(c);
      return sf::key_column::categorical({c.data(), static_cast<std::size_t>(c.size())}, view);
    }
    raise_column_type("column '" + column + "': unknown column kind '" + tag + "'");
  }
};

inline sf::time_unit parse_unit(const std::string& u) {
  if (u == "s") return sf::time_unit::seconds;
  if (u == "ms") return sf::time_unit::milliseconds;
  if (u == "us") return sf::time_unit::microseconds;
  if (u == "ns") return sf::time_unit::nanoseconds;
  raise_column_type("column 'time': unsupported time unit '" + u + "' (use s, ms, us or ns)");
}

/// A new numpy array holding a copy of `v` (results leaving C++).
template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

/// One column of a results table: get(row) for each of `rows`, as a numpy
/// array for numbers and as a list for text and flags.
///
///   d["reached"] = column_of(r.stages, [](const auto& s) { return s.reached; });
template <class Rows, class Get>
py::object column_of(const Rows& rows, Get&& get) {
  using T = std::decay_t<decltype(get(*std::begin(rows)))>;
  std::vector<T> v;
  v.reserve(std::size(rows));
  for (const auto& r : rows) v.push_back(get(r));
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) return to_numpy(v);
  else return py::cast(v);
}

/// A 1-d uint8 view of a bool/uint8 numpy array (kept alive by `keep`).
inline std::span<const std::uint8_t> bool_column(column_holder& h, const std::string& column,
                                                 const py::object& values) {
  auto a = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(values);
  if (!a || a.ndim() != 1) raise_column_type("column '" + column + "' must be a 1-d bool array");
  h.keep.push_back(a);
  return {a.data(), static_cast<std::size_t>(a.size())};
}

/// A 1-d int64 view of a time column (kept alive by `keep`).
inline std::span<const std::int64_t> time_column(column_holder& h, const std::string& column,
                                                 const py::object& values) {
  auto t = py::array_t<std::int64_t, py::array::c_style>::ensure(values);
  if (!t || t.ndim() != 1) raise_column_type("column '" + column + "' must be a 1-d int64/datetime64 array");
  h.keep.push_back(t);
  return {t.data(), static_cast<std::size_t>(t.size())};
}

}  // namespace salesfunnel_py
