// C ABI: scenarios and their comparison, mergeable funnel statistics, graph
// discovery and the stage-removal effect. Argument checks and copies only.
#include <string>
#include <vector>

#include "common.hpp"
#include "enum_arg.hpp"

using sf_capi::check_size;
using sf_capi::fail;
using sf_capi::from_status;
using sf_capi::guard;
using sf_capi::ok;
namespace sfn = salesfunnel;

struct sf_scenario {
  sfn::scenario s;
};

struct sf_comparison {
  std::vector<sfn::comparison_row> rows;
};

struct sf_funnel_stats {
  sfn::funnel_stats s;
  sfn::stage_graph g;  // the analysis graph the statistics were counted on
};

namespace {

// INVALID_ARGUMENT naming `what` when a text that becomes part of a result
// (a scenario or graph name) is not well-formed UTF-8.
sf_status check_utf8(const char* text, const char* what, sf_error* error) {
  if (text == nullptr || sfn::detail::utf8_error(text) == std::string_view::npos) return SF_OK;
  return fail(error, SF_INVALID_ARGUMENT, std::string("argument '") + what + "' is not valid UTF-8");
}

// Names from a C array (n entries, every one non-NULL), for the C++ calls.
absl::StatusOr<std::vector<std::string>> names(const char* const* v, std::size_t n,
                                               const char* what) {
  if (n > 0 && v == nullptr) return absl::InvalidArgumentError(std::string("argument '") + what + "' is NULL");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (v[i] == nullptr) {
      return absl::InvalidArgumentError(std::string(what) + "[" + std::to_string(i) + "] is NULL");
    }
    out.emplace_back(v[i]);
  }
  return out;
}

absl::StatusOr<sfn::scenario> change(const sfn::scenario& s, int kind, const char* a,
                                     const char* b, double value) {
  const bool two = kind == SF_CHANGE_LIFT || kind == SF_CHANGE_LIFT_FACTOR ||
                   kind == SF_CHANGE_SET_RATE || kind == SF_CHANGE_REMOVE_EDGE;
  const bool one = kind == SF_CHANGE_REMOVE_STAGE || kind == SF_CHANGE_SET_DWELL;
  if ((two || one) && a == nullptr) return absl::InvalidArgumentError("argument 'a' is NULL");
  if (two && b == nullptr) return absl::InvalidArgumentError("argument 'b' is NULL");
  switch (kind) {
    case SF_CHANGE_LIFT: return s.lift(a, b, value);
    case SF_CHANGE_LIFT_FACTOR: return s.lift_factor(a, b, value);
    case SF_CHANGE_SET_RATE: return s.set_rate(a, b, value);
    case SF_CHANGE_REMOVE_EDGE: return s.remove_edge(a, b);
    case SF_CHANGE_REMOVE_STAGE: return s.remove_stage(a);
    case SF_CHANGE_ADD_LEADS: return s.add_leads(value);
    case SF_CHANGE_SET_DWELL: return s.set_dwell(a, value);
    default: return absl::InvalidArgumentError("argument 'kind' is not an sf_scenario_change_kind");
  }
}

double comparison_value(const sfn::comparison_row& r, int column, bool* known) {
  *known = true;
  switch (column) {
    case SF_COMPARE_LEADS_PER_WEEK: return r.leads_per_week;
    case SF_COMPARE_WIN_RATE: return r.win_rate;
    case SF_COMPARE_WINS_PER_WEEK: return r.wins_per_week;
    case SF_COMPARE_REVENUE_PER_WEEK: return r.revenue_per_week;
    case SF_COMPARE_DAYS_TO_CLOSE: return r.days_to_close;
    case SF_COMPARE_DELTA_WINS_PER_WEEK: return r.delta_wins_per_week;
    case SF_COMPARE_DELTA_REVENUE_PER_WEEK: return r.delta_revenue_per_week;
    case SF_COMPARE_DELTA_WIN_RATE: return r.delta_win_rate;
    case SF_COMPARE_DELTA_DAYS_TO_CLOSE: return r.delta_days_to_close;
    default: *known = false; return 0;
  }
}

}  // namespace

extern "C" {

/* ---------------------------------------------------------- scenarios */

SF_API sf_status sf_scenario_create(const sf_model* model, double leads_per_week,
                                    const char* name, sf_scenario** out_scenario,
                                    sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(model, "model");
    SF_REQUIRE(out_scenario, "out_scenario");
    if (auto st = check_utf8(name, "name", error); st != SF_OK) return st;
    *out_scenario = new sf_scenario{sfn::scenario(model->m, leads_per_week, name ? name : "baseline")};
    return ok(error);
  });
}

SF_API sf_status sf_scenario_change(const sf_scenario* scenario, sf_scenario_change_kind kind,
                                    const char* a, const char* b, double value,
                                    const char* name, sf_scenario** out_scenario,
                                    sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(scenario, "scenario");
    SF_REQUIRE(out_scenario, "out_scenario");
    if (auto st = check_utf8(name, "name", error); st != SF_OK) return st;
    auto s = change(scenario->s, sf_capi::enum_arg(kind), a, b, value);
    if (!s.ok()) return from_status(s.status(), error);
    *out_scenario = new sf_scenario{name ? s->named(name) : *std::move(s)};
    return ok(error);
  });
}

SF_API void sf_scenario_destroy(sf_scenario** scenario) { sf_capi::destroy(scenario); }

SF_API sf_status sf_scenario_name(const sf_scenario* scenario, const char** out_name,
                                  sf_error* error) {
  return sf_capi::get(error, scenario, "scenario", out_name, "out_name",
                      [&] { return scenario->s.name().c_str(); });
}

SF_API sf_status sf_compare_create(const sf_scenario* baseline, const sf_scenario* const* others,
                                   size_t n_others, double mean_won_amount,
                                   sf_comparison** out_comparison, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(baseline, "baseline");
    SF_REQUIRE(out_comparison, "out_comparison");
    if (n_others > 0) SF_REQUIRE(others, "others");
    std::vector<sfn::scenario> v;
    for (std::size_t i = 0; i < n_others; ++i) {
      if (others[i] == nullptr) {
        return fail(error, SF_INVALID_ARGUMENT, "others[" + std::to_string(i) + "] is NULL");
      }
      v.push_back(others[i]->s);
    }
    auto rows = sfn::compare(baseline->s, v, mean_won_amount);
    if (!rows.ok()) return from_status(rows.status(), error);
    *out_comparison = new sf_comparison{*std::move(rows)};
    return ok(error);
  });
}

SF_API void sf_comparison_destroy(sf_comparison** comparison) { sf_capi::destroy(comparison); }

SF_API sf_status sf_comparison_num_rows(const sf_comparison* comparison, size_t* out_count,
                                        sf_error* error) {
  return sf_capi::get(error, comparison, "comparison", out_count, "out_count",
                      [&] { return comparison->rows.size(); });
}

SF_API sf_status sf_comparison_row_text(const sf_comparison* comparison, size_t i,
                                        const char** out_name, const char** out_changes,
                                        sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(comparison, "comparison");
    if (auto s = sf_capi::check_index(i, comparison->rows.size(), "row", error); s != SF_OK) return s;
    if (out_name) *out_name = comparison->rows[i].name.c_str();
    if (out_changes) *out_changes = comparison->rows[i].changes.c_str();
    return ok(error);
  });
}

SF_API sf_status sf_comparison_values(const sf_comparison* comparison,
                                      sf_comparison_column column, double* out, size_t n,
                                      sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(comparison, "comparison");
    SF_REQUIRE(out, "out");
    const auto& rows = comparison->rows;
    if (auto s = check_size(n, rows.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      bool known = false;
      out[i] = comparison_value(rows[i], sf_capi::enum_arg(column), &known);
      if (!known) {
        return fail(error, SF_INVALID_ARGUMENT, "argument 'column' is not an sf_comparison_column");
      }
    }
    return ok(error);
  });
}

/* -------------------------------------------------- funnel statistics */

SF_API sf_status sf_funnel_stats_create(const sf_log* log, const int64_t* as_of,
                                        sf_funnel_stats** out_stats, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_stats, "out_stats");
    sfn::funnel_options o;
    if (as_of) o.as_of = *as_of;
    auto g = sfn::analysis_graph(log->log, o.stale);
    if (!g.ok()) return from_status(g.status(), error);
    auto s = sfn::compute_funnel_stats(log->log, o);
    if (!s.ok()) return from_status(s.status(), error);
    *out_stats = new sf_funnel_stats{*std::move(s), *std::move(g)};
    return ok(error);
  });
}

SF_API sf_status sf_funnel_stats_merge(sf_funnel_stats* into, const sf_funnel_stats* other,
                                       sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(into, "into");
    SF_REQUIRE(other, "other");
    return from_status(into->s.merge(other->s), error);
  });
}

SF_API void sf_funnel_stats_destroy(sf_funnel_stats** stats) { sf_capi::destroy(stats); }

SF_API sf_status sf_funnel_stats_num_deals(const sf_funnel_stats* stats, int64_t* out_count,
                                           sf_error* error) {
  return sf_capi::get(error, stats, "stats", out_count, "out_count", [&] { return stats->s.deals; });
}

SF_API sf_status sf_funnel_from_stats(const sf_funnel_stats* stats, sf_report** out_report,
                                      sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(stats, "stats");
    SF_REQUIRE(out_report, "out_report");
    auto r = sfn::make_funnel_report(stats->s, stats->g);
    if (!r.ok()) return from_status(r.status(), error);
    *out_report = new sf_report{*std::move(r)};
    return ok(error);
  });
}

SF_API sf_status sf_funnel_stats_to_bytes(const sf_funnel_stats* stats, uint8_t* buf, size_t size,
                                          size_t* out_len, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(stats, "stats");
    const std::string bytes = sfn::serialize(stats->s);
    if (out_len) *out_len = bytes.size();
    if (buf == nullptr && size == 0) return ok(error);
    SF_REQUIRE(buf, "buf");
    if (size < bytes.size()) {
      return fail(error, SF_OUT_OF_RANGE, "buffer too small: need " + std::to_string(bytes.size()) +
                                              " bytes, got " + std::to_string(size));
    }
    std::memcpy(buf, bytes.data(), bytes.size());
    return ok(error);
  });
}

SF_API sf_status sf_funnel_stats_from_bytes(const sf_graph* graph, const uint8_t* buf, size_t len,
                                            sf_funnel_stats** out_stats, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(buf, "buf");
    SF_REQUIRE(out_stats, "out_stats");
    auto s = sfn::deserialize_funnel_stats(
        std::string_view(reinterpret_cast<const char*>(buf), len));
    if (!s.ok()) return from_status(s.status(), error);
    if (s->graph_fingerprint != graph->g.fingerprint()) {
      return fail(error, SF_INVALID_ARGUMENT,
                  "argument 'graph' is not the graph the statistics were counted on "
                  "(their graph fingerprints differ)");
    }
    *out_stats = new sf_funnel_stats{*std::move(s), graph->g};
    return ok(error);
  });
}

/* ------------------------------------------ discovery, stage removal */

SF_API sf_status sf_graph_discover(const sf_log* log, const char* const* won, size_t n_won,
                                   const char* const* lost, size_t n_lost,
                                   const char* const* nurture, size_t n_nurture,
                                   int64_t min_count, const char* name, sf_graph** out_graph,
                                   sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_graph, "out_graph");
    if (auto st = check_utf8(name, "name", error); st != SF_OK) return st;
    auto w = names(won, n_won, "won");
    if (!w.ok()) return from_status(w.status(), error);
    auto l = names(lost, n_lost, "lost");
    if (!l.ok()) return from_status(l.status(), error);
    auto nu = names(nurture, n_nurture, "nurture");
    if (!nu.ok()) return from_status(nu.status(), error);
    auto g = sfn::discover_stage_graph(log->log, *w, *l, *nu, min_count,
                                       name ? name : "discovered");
    if (!g.ok()) return from_status(g.status(), error);
    *out_graph = new sf_graph{*std::move(g)};
    return ok(error);
  });
}

SF_API sf_status sf_model_stage_removal_effect(const sf_model* model, const char* stage,
                                               const char* start, double* out_effect,
                                               sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(model, "model");
    SF_REQUIRE(stage, "stage");
    SF_REQUIRE(out_effect, "out_effect");
    const auto& g = model->m.graph();
    auto s = g.id_of(stage);
    if (!s.ok()) return from_status(s.status(), error);
    std::optional<sfn::stage_id> from;
    if (start) {
      auto f = g.id_of(start);
      if (!f.ok()) return from_status(f.status(), error);
      from = *f;
    }
    auto e = sfn::stage_removal_effect(model->m, *s, from);
    if (!e.ok()) return from_status(e.status(), error);
    *out_effect = *e;
    return ok(error);
  });
}

}  // extern "C"
