// funnel/*: the engine on a synthetic, unsorted log (--events, --deals, --seed).
//
// The log: int64 deal ids (sparse), int32 categorical stage and rep codes
// (97 reps), int64 times. Deals walk the ten_commitments main path,
// advancing with a probability chosen to give about events/deals events
// each, else exiting to Lost or stopping (still open); the rows are then
// shuffled. The columns sit in memory the way numpy allocates a large
// array on Linux (transparent huge pages asked for), which is how Python
// users' columns arrive. The log is generated and built once per run, on
// first use; funnel/build reports that build.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <salesfunnel/core/event_log.hpp>
#include <salesfunnel/core/templates.hpp>
#include <salesfunnel/stats/funnel_report.hpp>
#include <salesfunnel/stats/live_funnel.hpp>

#include "bench.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace sf = salesfunnel;

namespace bench {
namespace {

constexpr int num_reps = 97;

struct columns {
  std::vector<std::int64_t> deal, time;
  std::vector<std::int32_t> stage, rep;
};

/// Moves `v` into memory that asks for transparent huge pages, as numpy
/// does for arrays of 4 MiB and more (numpy/_core/src/multiarray/alloc.c).
template <class T>
void as_numpy_allocates(std::vector<T>& v) {
  std::vector<T> out;
  out.reserve(v.size());
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto begin = reinterpret_cast<std::uintptr_t>(out.data());
  const auto lo = (begin + huge - 1) / huge * huge, hi = (begin + v.size() * sizeof(T)) / huge * huge;
  if (lo < hi) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#endif
  out.assign(v.begin(), v.end());
  v.swap(out);
}

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
  as_numpy_allocates(c.deal);
  as_numpy_allocates(c.stage);
  as_numpy_allocates(c.time);
  as_numpy_allocates(c.rep);
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
  if (o.as_of >= 0) fo.as_of = o.as_of;  // fixed: appends then move no open deal's tail
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

void run_by_cohort(const options& o) {
  const auto& log = *log_for(o).log;
  std::optional<sf::grouped_funnel_report> by;
  const double s = median_seconds(
      1, [&] { by = value_or_exit(sf::funnel_by(log, "cohort_week", funnel_options_for(o)), "by_cohort"); });
  std::printf("by_cohort %8.3f s   (%zu weeks)\n", s, by->groups.size());
}

// A day of activity in 1,000 rows: 800 moves of random existing deals to a
// random main-path stage and 200 new deals at the entry stage, all after the
// log's latest event (so as_of moves too).
struct batch {
  std::vector<std::int64_t> deal, time;
  std::vector<std::int32_t> stage, rep;
};

batch day_of_events(const sf::stage_graph& g, std::int64_t deals, std::int64_t after, int day, std::mt19937_64& rng) {
  const auto path = g.main_path();
  batch b;
  for (int i = 0; i < 1000; ++i) {
    const bool fresh = i % 5 == 4;
    const auto d = fresh ? (deals + static_cast<std::int64_t>(day) * 200 + i / 5) : static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(deals));
    b.deal.push_back(d * 7919 + 100000);
    b.stage.push_back(fresh ? path[0] : path[rng() % path.size()]);
    b.time.push_back(after + static_cast<std::int64_t>(day) * 86400 + i * 60);
    b.rep.push_back(static_cast<std::int32_t>(d % num_reps));
  }
  return b;
}

void run_append(const options& o) {
  const auto& f = log_for(o);
  sf::event_columns c;
  c.deal = sf::key_column::integers(f.cols.deal);
  c.stage = sf::key_column::categorical(f.cols.stage, f.stage_views);
  c.time = f.cols.time;
  c.rep = sf::key_column::categorical(f.cols.rep, f.rep_views);
  sf::event_log_options lo;
  lo.graph = f.graph;
  lo.threads = o.threads;
  lo.appendable = true;
  std::optional<sf::event_log> log;
  const double build_s = median_seconds(1, [&] { log = value_or_exit(sf::event_log::build(c, lo), "build appendable"); });
  std::optional<sf::live_funnel> live;
  const double live_s = median_seconds(1, [&] { live = value_or_exit(sf::live_funnel::create(*log, funnel_options_for(o)), "live"); });
  log.reset();  // the live funnel holds the only reference: appends need not copy
  std::printf("append    build appendable %.3f s, live funnel %.3f s, peak RSS %ld MiB\n", build_s, live_s, peak_rss_mib());
  // The cost to beat: rebuild the log from all rows and report.
  lo.appendable = false;
  const double report_s = median_seconds(1, [&] { keep(static_cast<double>(value_or_exit(sf::funnel(*f.log, funnel_options_for(o)), "funnel").deals)); });
  const double rebuild_s = f.build_s + report_s;
  std::mt19937_64 rng(static_cast<unsigned>(o.seed) + 17);
  std::vector<double> append_t, report_t;
  std::int64_t deals = 0;
  for (int day = 1; day <= 21; ++day) {
    auto b = day_of_events(f.graph, o.deals, *std::max_element(f.cols.time.begin(), f.cols.time.end()), day, rng);
    sf::event_columns bc;
    bc.deal = sf::key_column::integers(b.deal);
    bc.stage = sf::key_column::categorical(b.stage, f.stage_views);
    bc.time = b.time;
    bc.rep = sf::key_column::categorical(b.rep, f.rep_views);
    sf::event_log_options ao;
    ao.threads = o.threads;
    append_t.push_back(median_seconds(1, [&] { value_or_exit(live->append(bc, ao), "append"); }));
    report_t.push_back(median_seconds(1, [&] { deals = value_or_exit(live->report(), "report").deals; }));
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  const double a = median(append_t), r = median(report_t);
  std::printf("append    1,000 events: append + refresh %.2f ms, report %.2f ms; rebuild + report %.3f s"
              " (build %.3f + funnel %.3f): %.0fx less (%lld deals after 21 batches)\n",
              a * 1e3, r * 1e3, rebuild_s, f.build_s, report_s, rebuild_s / (a + r), static_cast<long long>(deals));
}

constexpr benchmark benchmarks[] = {
    {"funnel/build", "event_log::build: validate, intern, sort by deal and time, fold repeats",
     run_build},
    {"funnel/report", "funnel: mergeable statistics on --threads threads + the report", run_report},
    {"funnel/by_rep", "funnel_by(log, \"rep\"): one report per rep (97 reps)", run_by_rep},
    {"funnel/by_cohort", "funnel_by(log, \"cohort_week\"): one report per week deals entered", run_by_cohort},
    {"funnel/append", "live_funnel: 1,000 events appended to the log, refreshed report vs rebuild",
     run_append},
};

}  // namespace

std::span<const benchmark> funnel_benchmarks() { return benchmarks; }

}  // namespace bench
