// Internal: a stable 64-bit hash (FNV-1a) for fingerprints that must agree
// across processes and machines (absl::Hash is seeded per process).
#pragma once

#include <cstdint>
#include <string_view>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

struct fnv1a {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= c[i];
      h *= 0x100000001b3ULL;
    }
  }
  void text(std::string_view s) {
    const std::uint64_t n = s.size();
    bytes(&n, sizeof n);  // length first, so ("ab","c") and ("a","bc") differ
    bytes(s.data(), s.size());
  }
  void integer(std::int64_t v) { bytes(&v, sizeof v); }
};

}  // namespace detail
SALESFUNNEL_END_NAMESPACE
