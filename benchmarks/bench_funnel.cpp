// funnel/*: the engine on a synthetic, unsorted log (--events, --deals, --seed).
//
// The log: int64 deal ids (sparse), int32 categorical stage and rep codes
// (97 reps), int64 times. Deals walk the ten_commitments main path,
// advancing with a probability chosen to give about events/deals events
// each, else exiting to Lost or stopping (still open); the rows are then
// shuffled. The log is generated and built once per run, on first use;
// funnel/build reports that build.
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <salesfunnel/core/event_log.hpp>
#include <salesfunnel/core/templates.hpp>
#include <salesfunnel/stats/funnel_report.hpp>

#include "bench.hpp"

namespace sf = salesfunnel;

namespace bench {
namespace {

constexpr int num_reps = 97;

struct columns {
  std::vector<std::int64_t> deal, time;
  std::vector<std::int32_t> stage, rep;
};

columns generate(const sf::stage_graph& g, std::int64_t deals, std::int64_t events,
                 unsigned seed) {
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
  c.deal.reserve(static_cast<std::size_t>(static_cast<double>(events) * 1.05));
  for (std::int64_t d = 0; d < deals; ++d) {
    std::int64_t t = static_cast<std::int64_t>(u(rng) * 180 * 86400);
    const std::int64_t id = d * 7919 + 100000;
    const std::int32_t rep = static_cast<std::int32_t>(d % num_reps);
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

/// The generated columns and the names their codes refer to (kept for the
/// run, so peak RSS includes them), and the log built from them.
struct fixture {
  sf::stage_graph graph = sf::templates::ten_commitments();
  columns cols;
  std::vector<std::string> stage_names, rep_names;
  std::vector<std::string_view> stage_views, rep_views;
  std::optional<sf::event_log> log;
  double build_s = 0;
  long build_peak_rss_mib = 0;

  explicit fixture(const options& o) {
    cols = generate(graph, o.deals, o.events, static_cast<unsigned>(o.seed));
    stage_names = graph.stage_names();
    for (int r = 0; r < num_reps; ++r) rep_names.push_back("rep" + std::to_string(r));
    stage_views.assign(stage_names.begin(), stage_names.end());
    rep_views.assign(rep_names.begin(), rep_names.end());
    const double input_mib = static_cast<double>(cols.deal.size() * (8 + 4 + 8 + 4)) / (1 << 20);
    std::printf(
        "log: %zu events, %lld deals, unsorted; input columns %.0f MiB; peak RSS so far %ld MiB\n",
        cols.deal.size(), static_cast<long long>(o.deals), input_mib, peak_rss_mib());
    sf::event_columns c;
    c.deal = sf::key_column::integers(cols.deal);
    c.stage = sf::key_column::categorical(cols.stage, stage_views);
    c.time = cols.time;
    c.rep = sf::key_column::categorical(cols.rep, rep_views);
    sf::event_log_options lo;
    lo.graph = graph;
    lo.threads = o.threads;
    build_s = median_seconds(1, [&] { log = value_or_exit(sf::event_log::build(c, lo), "build"); });
    build_peak_rss_mib = peak_rss_mib();
  }
};

const fixture& log_for(const options& o) {
  static const fixture f(o);
  return f;
}

sf::funnel_options funnel_options_for(const options& o) {
  sf::funnel_options fo;
  fo.threads = o.threads;
  return fo;
}

void run_build(const options& o) {
  const auto& f = log_for(o);
  std::printf("build     %8.3f s   peak RSS %ld MiB\n", f.build_s, f.build_peak_rss_mib);
}

void run_report(const options& o) {
  const auto& log = *log_for(o).log;
  std::optional<sf::funnel_report> rep;
  const double s = median_seconds(
      1, [&] { rep = value_or_exit(sf::funnel(log, funnel_options_for(o)), "funnel"); });
  std::printf("funnel    %8.3f s   (%lld won of %lld deals)\n", s,
              static_cast<long long>(rep->won), static_cast<long long>(rep->deals));
}

void run_by_rep(const options& o) {
  const auto& log = *log_for(o).log;
  std::optional<sf::grouped_funnel_report> by;
  const double s = median_seconds(
      1, [&] { by = value_or_exit(sf::funnel_by(log, "rep", funnel_options_for(o)), "by_rep"); });
  std::printf("by_rep    %8.3f s   (%zu groups)\n", s, by->groups.size());
}

constexpr benchmark benchmarks[] = {
    {"funnel/build", "event_log::build: validate, intern, sort by deal and time, fold repeats",
     run_build},
    {"funnel/report", "funnel: mergeable statistics on --threads threads + the report", run_report},
    {"funnel/by_rep", "funnel_by(log, \"rep\"): one report per rep (97 reps)", run_by_rep},
};

}  // namespace

std::span<const benchmark> funnel_benchmarks() { return benchmarks; }

}  // namespace bench
