// salesfunnel_bench: every C++ benchmark of salesfunnel in one binary.
//
//   salesfunnel_bench [--list] [--filter PATTERN] [--threads N]
//                     [--events N] [--deals N] [--seed N] [--as-of N]      (funnel/*)
//                     [--states N] [--reps N] [--open-deals N] [--trials N] (markov/*)
//
// PATTERN selects benchmarks by name: a substring ("markov", "by_rep"), or a
// glob if it holds * ? or [ ("funnel/*", "*/s*"). Benchmarks run in the order
// --list shows; each group builds its fixture (the log, the chain) once, on
// first use, and prints one line describing it.
#include <fnmatch.h>
#include <sys/resource.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string_view>
#include <vector>

#include "bench.hpp"

namespace bench {

namespace {

volatile double sink = 0;

/// An integer option: its flag, its field, the least value it takes and
/// what it means (the usage text is made from this table).
struct flag {
  std::string_view name;
  std::int64_t options::*field;
  std::int64_t min;
  std::string_view help;
};

constexpr flag flags[] = {
    {"--events", &options::events, 1, "funnel: events in the generated log"},
    {"--deals", &options::deals, 1, "funnel: deals in the generated log"},
    {"--seed", &options::seed, 0, "funnel: seed of the generated log"},
    {"--as-of", &options::as_of, -1, "funnel: fixed reading time in epoch seconds, -1: latest event"},
    {"--states", &options::states, 3, "markov: states in the chain, Won and Lost included"},
    {"--reps", &options::reps, 1, "markov: calls per timing (the median is printed)"},
    {"--open-deals", &options::open_deals, 1, "markov: open deals in the forecast"},
    {"--trials", &options::trials, 1, "markov: Monte Carlo trials in the forecast"},
};

void usage(std::FILE* out) {
  const options d;
  std::fprintf(out,
               "usage: salesfunnel_bench [--list] [--filter PATTERN] [--threads N] [option N]...\n"
               "  --list            list the benchmarks (those matching --filter) and exit\n"
               "  --filter PATTERN  run the benchmarks whose name holds PATTERN, or matches it\n"
               "                    as a glob if it holds * ? or [\n"
               "  --threads N       worker threads, 0: every hardware thread (default 0)\n");
  for (const auto& f : flags) {
    std::fprintf(out, "  %-12.*s N    %.*s (default %lld)\n", static_cast<int>(f.name.size()),
                 f.name.data(), static_cast<int>(f.help.size()), f.help.data(),
                 static_cast<long long>(d.*f.field));
  }
}

[[noreturn]] void fail(const char* what, std::string_view arg) {
  std::fprintf(stderr, "salesfunnel_bench: %s: %.*s\n", what, static_cast<int>(arg.size()),
               arg.data());
  usage(stderr);
  std::exit(2);
}

std::int64_t parse_integer(std::string_view name, std::string_view text, std::int64_t min) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min) {
    std::fprintf(stderr, "salesfunnel_bench: %.*s needs a whole number >= %lld, not '%.*s'\n",
                 static_cast<int>(name.size()), name.data(), static_cast<long long>(min),
                 static_cast<int>(text.size()), text.data());
    std::exit(2);
  }
  return v;
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(stdout);
      std::exit(0);
    }
    if (a == "--list") {
      o.list = true;
      continue;
    }
    if (i + 1 >= argc) fail("unknown option or missing value", a);
    const std::string_view value = argv[++i];
    if (a == "--filter") {
      o.filter = value;
    } else if (a == "--threads") {
      o.threads = static_cast<int>(parse_integer(a, value, 0));
    } else {
      const auto* f = std::find_if(std::begin(flags), std::end(flags),
                                   [&](const flag& x) { return x.name == a; });
      if (f == std::end(flags)) fail("unknown option", a);
      o.*(f->field) = parse_integer(a, value, f->min);
    }
  }
  return o;
}

bool selected(std::string_view name, const std::string& filter) {
  if (filter.find_first_of("*?[") != std::string::npos) {
    return fnmatch(filter.c_str(), std::string(name).c_str(), 0) == 0;
  }
  return name.find(filter) != std::string_view::npos;
}

}  // namespace

void keep(double x) { sink = sink + x; }

long peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

}  // namespace bench

int main(int argc, char** argv) {
  const auto opt = bench::parse(argc, argv);
  std::vector<bench::benchmark> chosen;
  for (const auto group : {bench::funnel_benchmarks(), bench::markov_benchmarks()}) {
    for (const auto& b : group) {
      if (bench::selected(b.name, opt.filter)) chosen.push_back(b);
    }
  }
  if (chosen.empty()) {
    std::fprintf(stderr, "salesfunnel_bench: no benchmark matches --filter %s (see --list)\n",
                 opt.filter.c_str());
    return 2;
  }
  for (const auto& b : chosen) {
    if (opt.list) {
      std::printf("%-24.*s %.*s\n", static_cast<int>(b.name.size()), b.name.data(),
                  static_cast<int>(b.what.size()), b.what.data());
    } else {
      b.run(opt);
    }
  }
  if (!opt.list) std::printf("peak RSS %ld MiB\n", bench::peak_rss_mib());
  return 0;
}
