// C ABI: funnel reports, whole and grouped.
#include "common.hpp"
#include "enum_arg.hpp"

using sf_capi::check_size;
using sf_capi::fail;
using sf_capi::from_status;
using sf_capi::guard;
using sf_capi::ok;
namespace sfn = salesfunnel;

namespace {

sfn::funnel_options options(const int64_t* as_of) {
  sfn::funnel_options o;
  if (as_of) o.as_of = *as_of;
  return o;
}


}  // namespace

extern "C" {

SF_API sf_status sf_funnel_create(const sf_log* log, const int64_t* as_of, sf_report** out_report,
                                  sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_report, "out_report");
    auto r = sfn::funnel(log->log, options(as_of));
    if (!r.ok()) return from_status(r.status(), error);
    *out_report = new sf_report{std::move(*r)};
    return ok(error);
  });
}

SF_API sf_status sf_funnel_create_stale(const sf_log* log, const int64_t* as_of,
                                        double stale_after_days, const char* const* stages,
                                        const double* stage_days, size_t n_stages,
                                        sf_report** out_report, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_report, "out_report");
    auto o = sf_capi::funnel_options(log, as_of, stale_after_days, stages, stage_days, n_stages);
    if (!o.ok()) return from_status(o.status(), error);
    auto r = sfn::funnel(log->log, *o);
    if (!r.ok()) return from_status(r.status(), error);
    *out_report = new sf_report{std::move(*r)};
    return ok(error);
  });
}

SF_API sf_status sf_report_went_dark(const sf_report* report, int64_t* out_count, sf_error* error) {
  return sf_capi::get(error, report, "report", out_count, "out_count",
                      [&] { return report->r.went_dark; });
}

SF_API sf_status sf_report_num_warnings(const sf_report* report, size_t* out_count, sf_error* error) {
  return sf_capi::get(error, report, "report", out_count, "out_count",
                      [&] { return report->r.warnings.size(); });
}

SF_API sf_status sf_report_warning(const sf_report* report, size_t i, const char** out_text,
                                   sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    SF_REQUIRE(out_text, "out_text");
    if (i >= report->r.warnings.size()) {
      return fail(error, SF_OUT_OF_RANGE, "warning " + std::to_string(i) + " is outside [0, " +
                                              std::to_string(report->r.warnings.size()) + ")");
    }
    *out_text = report->r.warnings[i].c_str();
    return ok(error);
  });
}

SF_API sf_status sf_waterfall_create(const sf_log* log, int64_t start, int64_t end,
                                     double stale_after_days, sf_waterfall** out_waterfall,
                                     sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_waterfall, "out_waterfall");
    auto o = sf_capi::funnel_options(log, nullptr, stale_after_days, nullptr, nullptr, 0);
    if (!o.ok()) return from_status(o.status(), error);
    auto w = sfn::waterfall(log->log, start, end, o->stale);
    if (!w.ok()) return from_status(w.status(), error);
    *out_waterfall = new sf_waterfall{std::move(*w)};
    return ok(error);
  });
}

SF_API void sf_waterfall_destroy(sf_waterfall** waterfall) { sf_capi::destroy(waterfall); }

SF_API sf_status sf_waterfall_num_rows(const sf_waterfall* waterfall, size_t* out_count,
                                       sf_error* error) {
  return sf_capi::get(error, waterfall, "waterfall", out_count, "out_count",
                      [&] { return waterfall->w.rows.size() + 1; });
}

SF_API sf_status sf_waterfall_row(const sf_waterfall* waterfall, size_t i, const char** out_name,
                                  int64_t* out_counts, double* out_values, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(waterfall, "waterfall");
    const auto& w = waterfall->w;
    if (i > w.rows.size()) {
      return fail(error, SF_OUT_OF_RANGE, "row " + std::to_string(i) + " is outside [0, " +
                                              std::to_string(w.rows.size() + 1) + ")");
    }
    const auto& r = i < w.rows.size() ? w.rows[i] : w.total;
    if (out_name) *out_name = r.name.c_str();
    const int64_t counts[SF_WATERFALL_NUM_COLUMNS] = {r.open_start, r.new_deals, r.moved_in, r.moved_out,
                                                      r.won, r.lost, r.went_dark, r.open_end};
    const double values[SF_WATERFALL_NUM_COLUMNS] = {r.value_open_start, r.value_new, r.value_moved_in,
                                                     r.value_moved_out, r.value_won, r.value_lost,
                                                     r.value_went_dark, r.value_open_end};
    for (int c = 0; c < SF_WATERFALL_NUM_COLUMNS; ++c) {
      if (out_counts) out_counts[c] = counts[c];
      if (out_values) out_values[c] = values[c];
    }
    return ok(error);
  });
}

SF_API sf_status sf_funnel_by_create(const sf_log* log, const char* by, const int64_t* as_of,
                                     sf_grouped_report** out_report, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(by, "by");
    SF_REQUIRE(out_report, "out_report");
    auto r = sfn::funnel_by(log->log, by, options(as_of));
    if (!r.ok()) return from_status(r.status(), error);
    *out_report = new sf_grouped_report{std::move(*r)};
    return ok(error);
  });
}

SF_API void sf_report_destroy(sf_report** report) {
  sf_capi::destroy(report);
}

SF_API void sf_grouped_report_destroy(sf_grouped_report** report) {
  sf_capi::destroy(report);
}

SF_API sf_status sf_report_num_stages(const sf_report* report, int32_t* out_count,
                                      sf_error* error) {
  return sf_capi::get(error, report, "report", out_count, "out_count",
                      [&] { return static_cast<int32_t>(report->r.stages.size()); });
}

SF_API sf_status sf_report_stage_name(const sf_report* report, int32_t stage,
                                      const char** out_name, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    SF_REQUIRE(out_name, "out_name");
    if (stage < 0 || static_cast<std::size_t>(stage) >= report->r.stages.size()) {
      return fail(error, SF_OUT_OF_RANGE,
                  "stage " + std::to_string(stage) + " is outside [0, " +
                      std::to_string(report->r.stages.size()) + ")");
    }
    *out_name = report->r.stages[stage].name.c_str();
    return ok(error);
  });
}

SF_API sf_status sf_report_totals(const sf_report* report, int64_t* out_deals, int64_t* out_won,
                                  int64_t* out_lost, int64_t* out_open, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    if (out_deals) *out_deals = report->r.deals;
    if (out_won) *out_won = report->r.won;
    if (out_lost) *out_lost = report->r.lost;
    if (out_open) *out_open = report->r.open;
    return ok(error);
  });
}

SF_API sf_status sf_report_stage_counts(const sf_report* report, sf_report_count column,
                                        int64_t* out, size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    SF_REQUIRE(out, "out");
    const auto& rows = report->r.stages;
    if (auto s = check_size(n, rows.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      switch (sf_capi::enum_arg(column)) {
        case SF_COUNT_REACHED: out[i] = r.reached; break;
        case SF_COUNT_REACHED_OR_BEYOND: out[i] = r.reached_or_beyond; break;
        case SF_COUNT_ADVANCED: out[i] = r.advanced; break;
        case SF_COUNT_DROPPED: out[i] = r.dropped; break;
        case SF_COUNT_CLOSED_HERE: out[i] = r.closed_here; break;
        case SF_COUNT_IN_PROGRESS: out[i] = r.in_progress; break;
        case SF_COUNT_OPEN: out[i] = r.open; break;
        case SF_COUNT_STAYS_COMPLETED: out[i] = r.stays_completed; break;
        case SF_COUNT_STAYS_CENSORED: out[i] = r.stays_censored; break;
        default:
          return fail(error, SF_INVALID_ARGUMENT, "argument 'column' is not an sf_report_count");
      }
    }
    return ok(error);
  });
}

SF_API sf_status sf_report_stage_values(const sf_report* report, sf_report_value column,
                                        double* out, size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    SF_REQUIRE(out, "out");
    const auto& rows = report->r.stages;
    if (auto s = check_size(n, rows.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      switch (sf_capi::enum_arg(column)) {
        case SF_VALUE_STEP_CONVERSION: out[i] = r.step_conversion.estimate; break;
        case SF_VALUE_STEP_LOW: out[i] = r.step_conversion.low; break;
        case SF_VALUE_STEP_HIGH: out[i] = r.step_conversion.high; break;
        case SF_VALUE_CUMULATIVE_CONVERSION: out[i] = r.cumulative_conversion.estimate; break;
        case SF_VALUE_CUMULATIVE_LOW: out[i] = r.cumulative_conversion.low; break;
        case SF_VALUE_CUMULATIVE_HIGH: out[i] = r.cumulative_conversion.high; break;
        case SF_VALUE_MEDIAN_DAYS: out[i] = r.median_days; break;
        case SF_VALUE_P90_DAYS: out[i] = r.p90_days; break;
        case SF_VALUE_MEAN_DAYS: out[i] = r.mean_days; break;
        default:
          return fail(error, SF_INVALID_ARGUMENT, "argument 'column' is not an sf_report_value");
      }
    }
    return ok(error);
  });
}

SF_API sf_status sf_report_num_transitions(const sf_report* report, size_t* out_count,
                                           sf_error* error) {
  return sf_capi::get(error, report, "report", out_count, "out_count",
                      [&] { return report->r.transitions.size(); });
}

SF_API sf_status sf_report_transitions(const sf_report* report, int32_t* out_from,
                                       int32_t* out_to, int64_t* out_count,
                                       double* out_median_days, size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    const auto& t = report->r.transitions;
    if (auto s = check_size(n, t.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (out_from) out_from[i] = t[i].from;
      if (out_to) out_to[i] = t[i].to;
      if (out_count) out_count[i] = t[i].count;
      if (out_median_days) out_median_days[i] = t[i].median_days;
    }
    return ok(error);
  });
}

SF_API sf_status sf_report_num_drop_offs(const sf_report* report, size_t* out_count,
                                         sf_error* error) {
  return sf_capi::get(error, report, "report", out_count, "out_count",
                      [&] { return report->r.drop_offs.size(); });
}

SF_API sf_status sf_report_drop_offs(const sf_report* report, int32_t* out_stage,
                                     int32_t* out_exit, int64_t* out_deals, size_t n,
                                     sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    const auto& d = report->r.drop_offs;
    if (auto s = check_size(n, d.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (out_stage) out_stage[i] = d[i].at;
      if (out_exit) out_exit[i] = d[i].exit;
      if (out_deals) out_deals[i] = d[i].deals;
    }
    return ok(error);
  });
}

SF_API sf_status sf_grouped_report_num_groups(const sf_grouped_report* report, size_t* out_count,
                                              sf_error* error) {
  return sf_capi::get(error, report, "report", out_count, "out_count",
                      [&] { return report->r.groups.size(); });
}

SF_API sf_status sf_grouped_report_group_name(const sf_grouped_report* report, size_t group,
                                              const char** out_name, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    SF_REQUIRE(out_name, "out_name");
    if (group >= report->r.groups.size()) {
      return fail(error, SF_OUT_OF_RANGE,
                  "group " + std::to_string(group) + " is outside [0, " +
                      std::to_string(report->r.groups.size()) + ")");
    }
    *out_name = report->r.groups[group].c_str();
    return ok(error);
  });
}

SF_API sf_status sf_grouped_report_get(const sf_grouped_report* report, size_t group,
                                       sf_report** out_report, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    SF_REQUIRE(out_report, "out_report");
    if (group >= report->r.reports.size()) {
      return fail(error, SF_OUT_OF_RANGE,
                  "group " + std::to_string(group) + " is outside [0, " +
                      std::to_string(report->r.reports.size()) + ")");
    }
    *out_report = new sf_report{report->r.reports[group]};
    return ok(error);
  });
}

}  // extern "C"
