// salesfunnel_bench: times the engine on a synthetic, unsorted log.
//
//   salesfunnel_bench [--filter SUBSTRING] [--events N] [--deals N] [--threads N] [--seed N]
//
// Cases: build (event_log::build from int64 deal ids, int32 categorical stage
// codes and int64 times), funnel (compute_funnel_stats + report), by_rep.
// Deals walk the ten_commitments main path, advancing with a probability
// chosen to give about events/deals events each, else exiting or stopping.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <salesfunnel/salesfunnel.hpp>

namespace sf = salesfunnel;

namespace {

struct columns {
  std::vector<std::int64_t> deal, time;
  std::vector<std::int32_t> stage, rep;
};

columns generate(const sf::stage_graph& g, std::int64_t deals, std::int64_t events, unsigned seed) {
  const auto path = g.main_path();
  const auto lost = *g.find("Lost");
  const double want = static_cast<double>(events) / static_cast<double>(deals);
  auto expected = [&](double p) {
    double e = 1, pk = 1;
    for (std::size_t k = 0; k + 1 < path.size(); ++k, pk *= p) e += pk * (p + 0.7 * (1 - p));
    return e;
  };
  double lo = 0, hi = 0.999;
  for (int i = 0; i < 60; ++i) ((expected((lo + hi) / 2) < want) ? lo : hi) = (lo + hi) / 2;
  const double p = lo;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::exponential_distribution<double> gap(1.0 / (3 * 86400.0));
  columns c;
  c.deal.reserve(static_cast<std::size_t>(events * 1.05));
  for (std::int64_t d = 0; d < deals; ++d) {
    std::int64_t t = static_cast<std::int64_t>(u(rng) * 180 * 86400);
    const std::int64_t id = d * 7919 + 100000;
    const std::int32_t rep = static_cast<std::int32_t>(d % 97);
    auto push = [&](sf::stage_id s) {
      c.deal.push_back(id);
      c.stage.push_back(s);
      c.time.push_back(t);
      c.rep.push_back(rep);
    };
    push(path[0]);
    for (std::size_t k = 1; k < path.size(); ++k) {
      const double x = u(rng);
      t += static_cast<std::int64_t>(gap(rng)) + 60;
      if (x < p) {
        push(path[k]);
      } else {
        if (x < p + 0.7 * (1 - p)) push(lost);
        break;
      }
    }
  }
  // Shuffle rows: the log arrives unsorted.
  for (std::size_t i = c.deal.size(); i > 1; --i) {
    std::size_t j = std::uniform_int_distribution<std::size_t>(0, i - 1)(rng);
    std::swap(c.deal[i - 1], c.deal[j]);
    std::swap(c.stage[i - 1], c.stage[j]);
    std::swap(c.time[i - 1], c.time[j]);
    std::swap(c.rep[i - 1], c.rep[j]);
  }
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

long peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  std::string filter;
  std::int64_t events = 10'000'000, deals = 1'000'000;
  int threads = 0;
  unsigned seed = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--filter") filter = next();
    else if (a == "--events") events = std::atoll(next());
    else if (a == "--deals") deals = std::atoll(next());
    else if (a == "--threads") threads = std::atoi(next());
    else if (a == "--seed") seed = static_cast<unsigned>(std::atoi(next()));
    else {
      std::fprintf(stderr,
                   "usage: salesfunnel_bench [--filter S] [--events N] [--deals N] [--threads N] [--seed N]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  auto g = sf::templates::ten_commitments();
  auto cols = generate(g, deals, events, seed);
  std::vector<std::string_view> stage_names, rep_names;
  auto names = g.stage_names();
  for (const auto& n : names) stage_names.emplace_back(n);
  std::vector<std::string> reps;
  for (int r = 0; r < 97; ++r) reps.push_back("rep" + std::to_string(r));
  for (const auto& r : reps) rep_names.emplace_back(r);
  const double input_mib = static_cast<double>(cols.deal.size() * (8 + 4 + 8 + 4)) / (1 << 20);
  std::printf("log: %zu events, %lld deals, unsorted; input columns %.0f MiB; peak RSS so far %ld MiB\n",
              cols.deal.size(), static_cast<long long>(deals), input_mib, peak_rss_mib());

  sf::event_columns c;
  c.deal = sf::key_column::integers(cols.deal);
  c.stage = sf::key_column::categorical(cols.stage, stage_names);
  c.time = cols.time;
  c.rep = sf::key_column::categorical(cols.rep, rep_names);
  sf::event_log_options opt;
  opt.graph = g;
  opt.threads = threads;
  auto t0 = std::chrono::steady_clock::now();
  auto log = sf::event_log::build(c, opt);
  const double build_s = seconds_since(t0);
  if (!log.ok()) {
    std::fprintf(stderr, "build failed: %s\n", std::string(log.status().message()).c_str());
    return 1;
  }
  if (filter.empty() || std::string_view("build").find(filter) != std::string_view::npos) {
    std::printf("build     %8.3f s   peak RSS %ld MiB\n", build_s, peak_rss_mib());
  }
  sf::funnel_options fo;
  fo.threads = threads;
  if (filter.empty() || std::string_view("funnel").find(filter) != std::string_view::npos) {
    t0 = std::chrono::steady_clock::now();
    auto rep = sf::funnel(*log, fo);
    std::printf("funnel    %8.3f s   (%lld won of %lld deals)\n", seconds_since(t0),
                static_cast<long long>(rep->won), static_cast<long long>(rep->deals));
  }
  if (filter.empty() || std::string_view("by_rep").find(filter) != std::string_view::npos) {
    t0 = std::chrono::steady_clock::now();
    auto by = sf::funnel_by_rep(*log, fo);
    std::printf("by_rep    %8.3f s   (%zu groups)\n", seconds_since(t0), by->groups.size());
  }
  std::printf("peak RSS %ld MiB\n", peak_rss_mib());
  return 0;
}
