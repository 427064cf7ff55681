// libFuzzer: stage graph JSON (io/graph_json.hpp). Any text is parsed into a
// graph or a clean error; a parsed graph writes JSON and DOT, and its JSON
// reads back to the same graph.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <salesfunnel/io/graph_json.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sf = salesfunnel;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto g = sf::stage_graph_from_json(text);
  if (!g.ok()) {
    FUZZ_CHECK(!g.status().message().empty());
    FUZZ_CHECK(g.status().message().size() < 4096);  // no whole input echoed back
    return 0;
  }
  const std::string json = sf::to_json(*g);
  (void)sf::to_dot(*g);
  auto again = sf::stage_graph_from_json(json);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->num_stages() == g->num_stages());
  FUZZ_CHECK(again->fingerprint() == g->fingerprint());
  FUZZ_CHECK(sf::to_json(*again) == json);
  return 0;
}
