// The value a C caller passed for an enum parameter, read as its bytes.
//
//   switch (sf_capi::enum_arg(column)) { case SF_COUNT_REACHED: ... default: fail(...); }
//
// C lets any int reach an enum parameter; in C++ loading an enum object whose
// value lies outside the enum's range is undefined (UBSan: -fsanitize=enum),
// so the argument checks read the int first and compare that.
#pragma once

#include <cstring>
#include <type_traits>

namespace sf_capi {

template <class E>
int enum_arg(const E& e) {
  static_assert(std::is_enum_v<E> && sizeof(E) == sizeof(int));
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

}  // namespace sf_capi
