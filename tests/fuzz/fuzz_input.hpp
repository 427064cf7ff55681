// Reads typed values off a libFuzzer input, front to back; past the end
// every read gives 0, so any byte string is a valid input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <string>

namespace fuzz {

class input {
 public:
  input(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}
  bool empty() const { return i_ >= n_; }
  template <class T>
  T take() {
    T v{};
    const std::size_t k = std::min(sizeof(T), n_ - std::min(i_, n_));
    if (k) std::memcpy(&v, p_ + i_, k);
    i_ += sizeof(T);
    return v;
  }
  std::uint8_t byte() { return take<std::uint8_t>(); }
  /// A short string: a length byte (at most `max`), then that many bytes.
  std::string text(std::size_t max = 16) {
    std::size_t len = byte() % (max + 1);
    std::string s;
    for (std::size_t k = 0; k < len && !empty(); ++k) s.push_back(static_cast<char>(byte()));
    return s;
  }

 private:
  const std::uint8_t* p_;
  std::size_t n_, i_ = 0;
};

}  // namespace fuzz

#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                      \
      std::abort();                                                             \
    }                                                                           \
  } while (0)
