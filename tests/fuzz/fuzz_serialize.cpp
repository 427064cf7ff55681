// libFuzzer: reading serialised objects (core/, stats/ and model/
// serialize.hpp). The first byte picks what to read, the rest is the
// payload; the harness wraps it in a valid envelope (header, length,
// checksum) so the fuzzer reaches the field readers instead of stopping at
// the checksum. Any payload is either refused with a DataLoss error or reads
// to an object that writes back to exactly the same bytes, and that the
// analyses can use without crashing.
#include <cstdint>
#include <string>
#include <string_view>

#include <salesfunnel/core/serialize.hpp>
#include <salesfunnel/model/serialize.hpp>
#include <salesfunnel/stats/funnel_report.hpp>
#include <salesfunnel/stats/serialize.hpp>
#include <salesfunnel/stats/window_report.hpp>

#include "fuzz_input.hpp"

namespace {

namespace sf = salesfunnel;
using kind = sf::detail::binary_kind;

std::string envelope(kind k, std::string_view payload) {
  std::string out(sf::detail::binary_magic, sizeof sf::detail::binary_magic);
  auto le = [&](std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  le(sf::detail::binary_version, 4);
  le(static_cast<std::uint32_t>(k), 4);
  le(payload.size(), 8);
  out += payload;
  sf::detail::fnv1a h;
  h.bytes(payload.data(), payload.size());
  le(h.h, 8);
  return out;
}

/// Read, and if it reads: the same bytes back, and `use` it.
template <class Read, class Use>
void check(const std::string& buf, Read read, Use use) {
  auto x = read(buf);
  if (!x.ok()) {
    FUZZ_CHECK(x.status().code() == absl::StatusCode::kDataLoss);
    return;
  }
  FUZZ_CHECK(sf::serialize(*x) == buf);
  use(*x);
}

void use_log(const sf::event_log& log) {
  if (!log.graph()) return;
  auto rep = sf::funnel(log);
  FUZZ_CHECK(rep.ok());
  FUZZ_CHECK(rep->deals == rep->won + rep->lost + rep->open);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto k = static_cast<kind>(1 + data[0] % 7);
  const std::string buf = envelope(k, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  auto nothing = [](const auto&) {};
  switch (k) {
    case kind::stage_graph: check(buf, sf::deserialize_stage_graph, nothing); break;
    case kind::event_log: check(buf, sf::deserialize_event_log, use_log); break;
    case kind::funnel_stats: check(buf, sf::deserialize_funnel_stats, nothing); break;
    case kind::grouped_funnel_stats: check(buf, sf::deserialize_grouped_funnel_stats, nothing); break;
    case kind::window_stats:
      check(buf, sf::deserialize_window_stats, [](const sf::window_funnel_stats& s) {
        const auto rep = sf::make_window_report(s);
        FUZZ_CHECK(rep.steps.size() == s.num_steps());
      });
      break;
    case kind::grouped_window_stats: check(buf, sf::deserialize_grouped_window_stats, nothing); break;
    case kind::markov_model:
      check(buf, sf::deserialize_markov_model, [](const sf::markov_model& m) { (void)m.analyze(); });
      break;
  }
  return 0;
}
