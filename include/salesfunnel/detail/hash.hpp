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

/// A well-mixed, machine-independent 64-bit hash of a deal key, so statistics
/// built in different processes can tell whether they share a deal. Integer
/// and text keys hash differently (123 and "123" are different deals).
inline std::uint64_t deal_key_hash(std::int64_t key) {
  std::uint64_t x = static_cast<std::uint64_t>(key) ^ 0x6a09e667f3bcc909ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
inline std::uint64_t deal_key_hash(std::string_view key) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return deal_key_hash(static_cast<std::int64_t>(h ^ key.size()));
}

}  // namespace detail
SALESFUNNEL_END_NAMESPACE
