// Internal: the versioned binary envelope every serialised object uses, and
// little-endian readers and writers for its fields.
//
// An envelope is: the 8 bytes "SFUNNEL\0", a u32 format version, a u32 kind
// (what object follows), a u64 payload length, the payload, and a u64 FNV-1a
// checksum of the payload. Integers are little-endian whatever the host;
// doubles are their IEEE-754 bits. The reader never trusts a length: every
// count is checked against the bytes that remain before anything is
// allocated, so a truncated or hostile buffer is a DataLoss error in bounded
// time and memory.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/detail/hash.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

inline constexpr char binary_magic[8] = {'S', 'F', 'U', 'N', 'N', 'E', 'L', '\0'};
inline constexpr std::uint32_t binary_version = 1;

/// What a serialised buffer holds.
enum class binary_kind : std::uint32_t {
  stage_graph = 1,
  event_log = 2,
  funnel_stats = 3,
  grouped_funnel_stats = 4,
  window_stats = 5,
  grouped_window_stats = 6,
  markov_model = 7,
};

inline const char* binary_kind_name(binary_kind k) {
  switch (k) {
    case binary_kind::stage_graph: return "a stage graph";
    case binary_kind::event_log: return "an event log";
    case binary_kind::funnel_stats: return "funnel statistics";
    case binary_kind::grouped_funnel_stats: return "grouped funnel statistics";
    case binary_kind::window_stats: return "window-funnel statistics";
    case binary_kind::grouped_window_stats: return "grouped window-funnel statistics";
    case binary_kind::markov_model: return "a Markov model";
  }
  return "an unknown object";
}

class binary_writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void i64(std::int64_t v) { le(static_cast<std::uint64_t>(v), 8); }
  void f64(double v) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    le(bits, 8);
  }
  void text(std::string_view s) {
    u64(s.size());
    out_.append(s.data(), s.size());
  }
  template <class T, class Put>
  void list(const std::vector<T>& v, Put put) {
    u64(v.size());
    for (const auto& x : v) put(*this, x);
  }
  void i64s(const std::vector<std::int64_t>& v) { list(v, [](binary_writer& w, std::int64_t x) { w.i64(x); }); }
  void f64s(const std::vector<double>& v) { list(v, [](binary_writer& w, double x) { w.f64(x); }); }
  void texts(const std::vector<std::string>& v) {
    list(v, [](binary_writer& w, const std::string& x) { w.text(x); });
  }

  /// The payload wrapped in the envelope.
  std::string finish(binary_kind kind) const {
    binary_writer env;
    env.out_.append(binary_magic, sizeof binary_magic);
    env.u32(binary_version);
    env.u32(static_cast<std::uint32_t>(kind));
    env.u64(out_.size());
    env.out_ += out_;
    fnv1a h;
    h.bytes(out_.data(), out_.size());
    env.u64(h.h);
    return std::move(env.out_);
  }

 private:
  void le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  std::string out_;
};

class binary_reader {
 public:
  /// Checks the envelope of `buf` and reads its payload; `kind` must match.
  static absl::StatusOr<binary_reader> open(std::string_view buf, binary_kind kind) {
    binary_reader env(buf);
    if (buf.size() < 32 || std::memcmp(buf.data(), binary_magic, sizeof binary_magic) != 0) {
      return absl::DataLossError("not a salesfunnel serialised object (the 'SFUNNEL' header is missing)");
    }
    env.pos_ = sizeof binary_magic;
    const auto version = env.u32(), got = env.u32();
    const auto len = env.u64();
    if (version != binary_version) {
      return absl::FailedPreconditionError(absl::StrCat(
          "serialised with format version ", version, "; this salesfunnel reads version ", binary_version));
    }
    if (got != static_cast<std::uint32_t>(kind)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the buffer holds ", binary_kind_name(static_cast<binary_kind>(got)), ", not ", binary_kind_name(kind)));
    }
    if (len != buf.size() - 32) {
      return absl::DataLossError(absl::StrCat("serialised ", binary_kind_name(kind), " is truncated or has trailing bytes (",
                                              buf.size(), " bytes, the header says ", len + 32, ")"));
    }
    binary_reader r(buf.substr(24, static_cast<std::size_t>(len)));
    fnv1a h;
    h.bytes(r.buf_.data(), r.buf_.size());
    env.pos_ = 24 + static_cast<std::size_t>(len);
    if (env.u64() != h.h) {
      return absl::DataLossError(absl::StrCat("serialised ", binary_kind_name(kind), " is corrupt (checksum mismatch)"));
    }
    r.kind_ = kind;
    return r;
  }

  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  /// A bool written as one byte: 0 or 1, anything else is refused.
  bool flag() {
    const auto v = u8();
    if (v > 1) fail();
    return v == 1;
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::uint64_t u64() { return le(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(le(8)); }
  /// An i64 that must lie in [lo, hi] (else the reader fails and 0 is returned).
  std::int64_t i64_in(std::int64_t lo, std::int64_t hi) {
    const auto v = i64();
    if (v < lo || v > hi) {
      fail();
      return 0;
    }
    return v;
  }
  double f64() {
    const std::uint64_t bits = le(8);
    double v = 0;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  std::string text() {
    const auto n = count(1);
    std::string s(buf_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  /// A length prefix, checked against the remaining bytes at `min_bytes` each.
  std::size_t count(std::size_t min_bytes) {
    const auto n = u64();
    if (failed_ || n > (buf_.size() - pos_) / (min_bytes ? min_bytes : 1)) {
      fail();
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  template <class T, class Get>
  std::vector<T> list(std::size_t min_bytes, Get get) {
    const auto n = count(min_bytes);
    std::vector<T> v;
    v.reserve(n);
    for (std::size_t i = 0; i < n && !failed_; ++i) v.push_back(get(*this));
    return v;
  }
  std::vector<std::int64_t> i64s() { return list<std::int64_t>(8, [](binary_reader& r) { return r.i64(); }); }
  std::vector<double> f64s() { return list<double>(8, [](binary_reader& r) { return r.f64(); }); }
  std::vector<std::string> texts() { return list<std::string>(8, [](binary_reader& r) { return r.text(); }); }

  /// Marks the buffer as inconsistent (a reader's own check failed).
  void fail() { failed_ = true; }
  bool failed() const { return failed_; }
  /// OK when every field was read and nothing is left over.
  absl::Status finish() const {
    if (failed_) {
      return absl::DataLossError(absl::StrCat("serialised ", binary_kind_name(kind_),
                                              " is inconsistent or truncated near byte ", pos_));
    }
    if (pos_ != buf_.size()) {
      return absl::DataLossError(absl::StrCat("serialised ", binary_kind_name(kind_), " has ",
                                              buf_.size() - pos_, " unread bytes"));
    }
    return absl::OkStatus();
  }

 private:
  explicit binary_reader(std::string_view buf) : buf_(buf) {}
  std::uint64_t le(int n) {
    if (failed_ || buf_.size() - pos_ < static_cast<std::size_t>(n)) {
      fail();
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(buf_[pos_ + i])) << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  std::string_view buf_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  binary_kind kind_ = binary_kind::stage_graph;
};

}  // namespace detail
SALESFUNNEL_END_NAMESPACE
