// C ABI: the Markov model, sensitivity, plans and forecasts.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <tuple>
#include <vector>

#include "common.hpp"
#include "enum_arg.hpp"

using sf_capi::check_size;
using sf_capi::fail;
using sf_capi::from_status;
using sf_capi::guard;
using sf_capi::ok;
namespace sfn = salesfunnel;

extern "C" {

SF_API sf_status sf_model_fit(const sf_log* log, double prior, const int64_t* as_of,
                              sf_model** out_model, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_model, "out_model");
    sfn::funnel_options o;
    if (as_of) o.as_of = *as_of;
    auto m = sfn::markov_model::fit(log->log, prior, o);
    if (!m.ok()) return from_status(m.status(), error);
    *out_model = new sf_model{std::move(*m)};
    return ok(error);
  });
}

SF_API sf_status sf_model_fit_stale(const sf_log* log, double prior, const int64_t* as_of,
                                    double stale_after_days, const char* const* stages,
                                    const double* stage_days, size_t n_stages,
                                    sf_model** out_model, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_model, "out_model");
    auto o = sf_capi::funnel_options(log, as_of, stale_after_days, stages, stage_days, n_stages);
    if (!o.ok()) return from_status(o.status(), error);
    auto fitted = sfn::markov_model::fit(log->log, prior, *o);
    if (!fitted.ok()) return from_status(fitted.status(), error);
    *out_model = new sf_model{std::move(*fitted)};
    return ok(error);
  });
}

SF_API sf_status sf_model_from_probabilities(const sf_graph* graph, const char* const* from,
                                             const char* const* to, const double* probability,
                                             size_t n, const double* dwell_days,
                                             size_t n_dwell, sf_model** out_model,
                                             sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(out_model, "out_model");
    if (n > 0) {
      SF_REQUIRE(from, "from");
      SF_REQUIRE(to, "to");
      SF_REQUIRE(probability, "probability");
    }
    std::vector<std::tuple<std::string, std::string, double>> p;
    for (std::size_t i = 0; i < n; ++i) {
      if (!from[i] || !to[i]) {
        return fail(error, SF_INVALID_ARGUMENT, "edge " + std::to_string(i) + " has a NULL stage name");
      }
      p.emplace_back(from[i], to[i], probability[i]);
    }
    std::vector<std::pair<std::string, double>> dwell;
    if (dwell_days) {
      if (n_dwell != static_cast<std::size_t>(graph->g.num_stages())) {
        return fail(error, SF_INVALID_ARGUMENT,
                    "dwell_days has " + std::to_string(n_dwell) + " entries for " +
                        std::to_string(graph->g.num_stages()) + " stages");
      }
      for (std::size_t s = 0; s < n_dwell; ++s) {
        dwell.emplace_back(graph->g.name_of(static_cast<sfn::stage_id>(s)), dwell_days[s]);
      }
    }
    auto m = sfn::markov_model::from_probabilities(graph->g, p, dwell);
    if (!m.ok()) return from_status(m.status(), error);
    *out_model = new sf_model{std::move(*m)};
    return ok(error);
  });
}

SF_API void sf_model_destroy(sf_model** model) {
  sf_capi::destroy(model);
}

SF_API sf_status sf_model_num_stages(const sf_model* model, int32_t* out_count, sf_error* error) {
  return sf_capi::get(error, model, "model", out_count, "out_count",
                      [&] { return model->m.num_stages(); });
}

SF_API sf_status sf_model_stage_values(const sf_model* model, sf_model_column column, double* out,
                                       size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(model, "model");
    SF_REQUIRE(out, "out");
    const auto S = static_cast<std::size_t>(model->m.num_stages());
    if (auto s = check_size(n, S, error); s != SF_OK) return s;
    const int c = sf_capi::enum_arg(column);
    if (c == SF_MODEL_DWELL_DAYS) {
      for (std::size_t i = 0; i < S; ++i) out[i] = model->m.dwell_days()[i];
      return ok(error);
    }
    auto a = model->m.analyze();
    if (!a.ok()) return from_status(a.status(), error);
    const std::vector<double>* v = nullptr;
    switch (c) {
      case SF_MODEL_WIN_PROBABILITY: v = &a->win_probability; break;
      case SF_MODEL_EXPECTED_STEPS: v = &a->expected_steps; break;
      case SF_MODEL_EXPECTED_DAYS: v = &a->expected_days; break;
      case SF_MODEL_EXPECTED_DAYS_TO_WIN: v = &a->expected_days_to_win; break;
      default: return fail(error, SF_INVALID_ARGUMENT, "argument 'column' is not an sf_model_column");
    }
    for (std::size_t i = 0; i < S; ++i) out[i] = (*v)[i];
    return ok(error);
  });
}

SF_API sf_status sf_model_transition_matrix(const sf_model* model, double* out, size_t n,
                                            sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(model, "model");
    SF_REQUIRE(out, "out");
    const auto& p = model->m.transition_matrix();
    if (auto s = check_size(n, p.size(), error); s != SF_OK) return s;
    std::copy(p.begin(), p.end(), out);
    return ok(error);
  });
}

SF_API sf_status sf_model_sensitivity(const sf_model* model, size_t* out_count, int32_t* out_from,
                                      int32_t* out_to, double* out_wins_per_100_per_point,
                                      double* out_removal_effect, size_t capacity,
                                      sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(model, "model");
    SF_REQUIRE(out_count, "out_count");
    auto s = sfn::sensitivity(model->m);
    if (!s.ok()) return from_status(s.status(), error);
    *out_count = s->size();
    if (!out_from && !out_to && !out_wins_per_100_per_point && !out_removal_effect) return ok(error);
    if (auto st = check_size(capacity, s->size(), error); st != SF_OK) return st;
    for (std::size_t i = 0; i < s->size(); ++i) {
      if (out_from) out_from[i] = (*s)[i].from;
      if (out_to) out_to[i] = (*s)[i].to;
      if (out_wins_per_100_per_point) out_wins_per_100_per_point[i] = (*s)[i].wins_per_100_per_point;
      if (out_removal_effect) out_removal_effect[i] = (*s)[i].removal_effect;
    }
    return ok(error);
  });
}

SF_API sf_status sf_model_plan(const sf_model* model, double goal_wins, double period_days,
                               double probability, double* out_entries, double* out_at_probability,
                               double* out_lag_periods, size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(model, "model");
    const auto S = static_cast<std::size_t>(model->m.num_stages());
    if (auto s = check_size(n, S, error); s != SF_OK) return s;
    std::optional<double> p;
    if (probability != 0) p = probability;
    auto rows = sfn::plan(model->m, goal_wins, period_days, p);
    if (!rows.ok()) return from_status(rows.status(), error);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < S; ++i) {
      if (out_entries) out_entries[i] = nan;
      if (out_at_probability) out_at_probability[i] = nan;
      if (out_lag_periods) out_lag_periods[i] = nan;
    }
    for (const auto& r : *rows) {
      const auto i = static_cast<std::size_t>(r.stage);
      if (out_entries) out_entries[i] = r.entries_needed;
      if (out_at_probability) out_at_probability[i] = r.entries_needed_at_probability;
      if (out_lag_periods) out_lag_periods[i] = r.lag_periods;
    }
    return ok(error);
  });
}

SF_API sf_status sf_model_forecast(const sf_model* model, const sf_log* log, double horizon_days,
                                   int64_t trials, uint64_t seed, double leads_per_week,
                                   double quota, double* out_p10, double* out_p50,
                                   double* out_p90, double* out_mean, double* out_p_hit_quota,
                                   sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(model, "model");
    std::vector<sfn::open_deal> deals;
    if (log) deals = sfn::open_deals_of(model->m, log->log);
    sfn::forecast_options o;
    o.horizon_days = horizon_days;
    o.period_days = std::max(horizon_days, 1.0);
    o.trials = trials;
    o.seed = seed;
    o.leads_per_week = leads_per_week;
    o.quota = quota;
    auto f = sfn::forecast(model->m, deals, o);
    if (!f.ok()) return from_status(f.status(), error);
    if (out_p10) *out_p10 = f->wins_p10;
    if (out_p50) *out_p50 = f->wins_p50;
    if (out_p90) *out_p90 = f->wins_p90;
    if (out_mean) *out_mean = f->mean_wins;
    if (out_p_hit_quota) *out_p_hit_quota = f->p_hit_quota;
    return ok(error);
  });
}

SF_API sf_status sf_solve_chains(const sf_graph* graph, const double* p, const double* dwell_days,
                                 size_t k, int threads, double* out_win_probability,
                                 double* out_expected_steps, double* out_expected_days,
                                 double* out_expected_days_to_win, size_t n, uint8_t* out_failed,
                                 sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    if (threads < 0) return fail(error, SF_INVALID_ARGUMENT, "argument 'threads' is negative");
    const auto S = static_cast<std::size_t>(graph->g.num_stages());
    if (S == 0) return fail(error, SF_INVALID_ARGUMENT, "the stage graph has no stages");
    if (k > std::numeric_limits<std::size_t>::max() / (S * S)) {
      return fail(error, SF_INVALID_ARGUMENT, "argument 'k': too many chains for memory");
    }
    if (k > 0) SF_REQUIRE(p, "p");
    const bool any_out = out_win_probability || out_expected_steps || out_expected_days || out_expected_days_to_win;
    if (any_out) {
      if (auto s = check_size(n, k * S, error); s != SF_OK) return s;
    }
    auto solved = sfn::solve_chains(graph->g, std::span<const double>(p, k * S * S),
                                    dwell_days ? std::span<const double>(dwell_days, k * S) : std::span<const double>(),
                                    threads);
    if (!solved.ok()) return from_status(solved.status(), error);
    const auto put = [&](const std::vector<double>& from, double* to) {
      if (to) std::copy(from.begin(), from.end(), to);
    };
    put(solved->win_probability, out_win_probability);
    put(solved->expected_steps, out_expected_steps);
    put(solved->expected_days, out_expected_days);
    put(solved->expected_days_to_win, out_expected_days_to_win);
    if (out_failed) {
      std::fill_n(out_failed, k, std::uint8_t{0});
      for (const auto& [chain, why] : solved->failed) out_failed[chain] = 1;
    }
    return ok(error);
  });
}

}  // extern "C"
