// C ABI: window funnels (statistics, merge, report rows and curves).
#include "common.hpp"

namespace sfn = salesfunnel;
using sf_capi::fail;
using sf_capi::from_status;
using sf_capi::guard;
using sf_capi::ok;

namespace {

absl::StatusOr<sfn::step_order> order_of(int order) {
  switch (order) {
    case SF_ORDER_ORDERED: return sfn::step_order::ordered;
    case SF_ORDER_STRICT: return sfn::step_order::strict;
    case SF_ORDER_ANY: return sfn::step_order::any;
    default:
      return absl::InvalidArgumentError("order " + std::to_string(order) +
                                        " is not an sf_step_order (0 ordered, 1 strict, 2 any)");
  }
}

// Steps from (step, name) pairs: every step 0..k-1 named at least once.
absl::StatusOr<std::vector<std::vector<std::string>>> steps_of(const int32_t* step_of_name,
                                                               const char* const* names, size_t n) {
  if (n > 0 && (step_of_name == nullptr || names == nullptr)) {
    return absl::InvalidArgumentError("argument 'step_of_name' or 'names' is NULL with n_names > 0");
  }
  std::vector<std::vector<std::string>> steps;
  for (size_t i = 0; i < n; ++i) {
    const auto j = step_of_name[i];
    if (names[i] == nullptr) return absl::InvalidArgumentError("names[" + std::to_string(i) + "] is NULL");
    if (j < 0 || static_cast<size_t>(j) >= n) {
      return absl::InvalidArgumentError("step_of_name[" + std::to_string(i) + "] = " + std::to_string(j) +
                                        " is outside [0, n_names)");
    }
    if (steps.size() <= static_cast<size_t>(j)) steps.resize(static_cast<size_t>(j) + 1);
    steps[static_cast<size_t>(j)].emplace_back(names[i]);
  }
  for (size_t j = 0; j < steps.size(); ++j) {
    if (steps[j].empty()) return absl::InvalidArgumentError("step " + std::to_string(j) + " names no stage");
  }
  return steps;
}

absl::StatusOr<sfn::window_spec> spec_of(const int32_t* step_of_name, const char* const* names, size_t n_names,
                                         int64_t within_seconds, int order, const int32_t* from,
                                         const int32_t* to, const char* const* stage, size_t n_excl) {
  sfn::window_spec spec;
  SALESFUNNEL_ASSIGN_OR_RETURN(spec.steps, steps_of(step_of_name, names, n_names));
  SALESFUNNEL_ASSIGN_OR_RETURN(spec.order, order_of(order));
  spec.within_seconds = within_seconds;
  if (n_excl > 0 && (from == nullptr || to == nullptr || stage == nullptr)) {
    return absl::InvalidArgumentError("an exclusion array is NULL with n_exclusions > 0");
  }
  for (size_t i = 0; i < n_excl; ++i) {
    if (stage[i] == nullptr) return absl::InvalidArgumentError("exclusion_stage[" + std::to_string(i) + "] is NULL");
    spec.exclusions.push_back({from[i], to[i], stage[i]});
  }
  return spec;
}

}  // namespace

extern "C" {

SF_API sf_status sf_window_stats_create(const sf_log* log, const int32_t* step_of_name,
                                        const char* const* names, size_t n_names,
                                        int64_t within_seconds, int order,
                                        const int32_t* exclusion_from, const int32_t* exclusion_to,
                                        const char* const* exclusion_stage, size_t n_exclusions,
                                        const int64_t* as_of, sf_window_stats** out_stats,
                                        sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_stats, "out_stats");
    auto spec = spec_of(step_of_name, names, n_names, within_seconds, order, exclusion_from,
                        exclusion_to, exclusion_stage, n_exclusions);
    if (!spec.ok()) return from_status(spec.status(), error);
    sfn::window_options opt;
    if (as_of) opt.as_of = *as_of;
    auto s = sfn::compute_window_stats(log->log, *spec, opt);
    if (!s.ok()) return from_status(s.status(), error);
    *out_stats = new sf_window_stats{std::move(*s)};
    return ok(error);
  });
}

SF_API sf_status sf_window_stats_merge(sf_window_stats* into, const sf_window_stats* other,
                                       sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(into, "into");
    SF_REQUIRE(other, "other");
    return from_status(into->s.merge(other->s), error);
  });
}

SF_API void sf_window_stats_destroy(sf_window_stats** stats) { sf_capi::destroy(stats); }

SF_API sf_status sf_window_create(const sf_window_stats* stats, sf_window** out_window, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(stats, "stats");
    SF_REQUIRE(out_window, "out_window");
    *out_window = new sf_window{sfn::make_window_report(stats->s)};
    return ok(error);
  });
}

SF_API void sf_window_destroy(sf_window** window) { sf_capi::destroy(window); }

SF_API sf_status sf_window_num_steps(const sf_window* window, size_t* out_count, sf_error* error) {
  return sf_capi::get(error, window, "window", out_count, "out_count", [&] { return window->r.steps.size(); });
}

SF_API sf_status sf_window_step_name(const sf_window* window, size_t i, const char** out_name,
                                     sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(window, "window");
    SF_REQUIRE(out_name, "out_name");
    if (auto st = sf_capi::check_index(i, window->r.steps.size(), "step", error); st != SF_OK) return st;
    *out_name = window->r.steps[i].step.c_str();
    return ok(error);
  });
}

SF_API sf_status sf_window_step_count(const sf_window* window, size_t i, int column, int64_t* out_value,
                                      sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(window, "window");
    SF_REQUIRE(out_value, "out_value");
    if (auto st = sf_capi::check_index(i, window->r.steps.size(), "step", error); st != SF_OK) return st;
    const auto& r = window->r.steps[i];
    switch (column) {
      case SF_WINDOW_ENTERED: *out_value = r.entered; break;
      case SF_WINDOW_CONVERTED: *out_value = r.converted; break;
      case SF_WINDOW_IMMATURE: *out_value = r.immature; break;
      case SF_WINDOW_MATURE: *out_value = r.mature; break;
      default: return fail(error, SF_INVALID_ARGUMENT, "column " + std::to_string(column) + " is not an sf_window_count");
    }
    return ok(error);
  });
}

SF_API sf_status sf_window_step_rate(const sf_window* window, size_t i, int column, double* out_value,
                                     sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(window, "window");
    SF_REQUIRE(out_value, "out_value");
    if (auto st = sf_capi::check_index(i, window->r.steps.size(), "step", error); st != SF_OK) return st;
    const auto& r = window->r.steps[i];
    const double values[] = {r.conversion.estimate, r.conversion.low, r.conversion.high,
                             r.cumulative.estimate, r.cumulative.low, r.cumulative.high,
                             r.median_days_from_previous, r.p90_days_from_previous,
                             r.median_days_from_first, r.p90_days_from_first, r.km_cumulative};
    if (column < 0 || column > SF_WINDOW_KM_CUMULATIVE) {
      return fail(error, SF_INVALID_ARGUMENT, "column " + std::to_string(column) + " is not an sf_window_rate");
    }
    *out_value = values[column];
    return ok(error);
  });
}

SF_API sf_status sf_window_num_buckets(const sf_window* window, size_t* out_count, double* out_bucket_days,
                                       sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(window, "window");
    SF_REQUIRE(out_count, "out_count");
    *out_count = window->r.curve.empty() ? 0 : window->r.curve.front().size();
    if (out_bucket_days) *out_bucket_days = window->r.bucket_days;
    return ok(error);
  });
}

SF_API sf_status sf_window_curve(const sf_window* window, size_t i, double* out_share, int64_t* out_converted,
                                 size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(window, "window");
    if (auto st = sf_capi::check_index(i, window->r.steps.size(), "step", error); st != SF_OK) return st;
    const auto& share = window->r.curve[i];
    if (auto st = sf_capi::check_size(n, share.size(), error); st != SF_OK) return st;
    for (size_t b = 0; b < share.size(); ++b) {
      if (out_share) out_share[b] = share[b];
      if (out_converted) out_converted[b] = window->r.histogram[i][b];
    }
    return ok(error);
  });
}

SF_API sf_status sf_window_num_warnings(const sf_window* window, size_t* out_count, sf_error* error) {
  return sf_capi::get(error, window, "window", out_count, "out_count", [&] { return window->r.warnings.size(); });
}

SF_API sf_status sf_window_warning(const sf_window* window, size_t i, const char** out_text, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(window, "window");
    SF_REQUIRE(out_text, "out_text");
    if (auto st = sf_capi::check_index(i, window->r.warnings.size(), "warning", error); st != SF_OK) return st;
    *out_text = window->r.warnings[i].c_str();
    return ok(error);
  });
}

}  // extern "C"
