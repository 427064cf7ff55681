// Namespace and common macros shared by every salesfunnel header.
#pragma once

#include <string_view>

#include <absl/strings/string_view.h>

#include "salesfunnel/version.h"

// Like fmt's `inline namespace v12`: an ABI-versioned inline namespace that
// users never spell out.
#define SALESFUNNEL_BEGIN_NAMESPACE \
  namespace salesfunnel {           \
  inline namespace v1 {
#define SALESFUNNEL_END_NAMESPACE \
  }                               \
  }

// Propagates a non-OK absl::Status from an expression.
#define SALESFUNNEL_RETURN_IF_ERROR(expr)         \
  do {                                            \
    if (auto _sf_st = (expr); !_sf_st.ok()) {     \
      return _sf_st;                              \
    }                                             \
  } while (0)

#define SALESFUNNEL_CONCAT_INNER_(a, b) a##b
#define SALESFUNNEL_CONCAT_(a, b) SALESFUNNEL_CONCAT_INNER_(a, b)
// Assigns the value of an absl::StatusOr expression or returns its status.
#define SALESFUNNEL_ASSIGN_OR_RETURN(lhs, expr) \
  SALESFUNNEL_ASSIGN_OR_RETURN_IMPL_(SALESFUNNEL_CONCAT_(_sf_or_, __LINE__), lhs, expr)
#define SALESFUNNEL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                      \
  if (!tmp.ok()) return std::move(tmp).status();          \
  lhs = std::move(tmp).value()

namespace salesfunnel {
inline namespace v1 {
namespace detail {
// Debian's Abseil keeps its own string_view type; the public API speaks
// std::string_view, so convert at the boundary.
inline absl::string_view av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace detail
}  // namespace v1
}  // namespace salesfunnel
