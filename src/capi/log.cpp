// C ABI: the event log builder and event logs.
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "common.hpp"
#include "enum_arg.hpp"

using sf_capi::fail;
using sf_capi::from_status;
using sf_capi::guard;
using sf_capi::ok;
namespace sfn = salesfunnel;

namespace {

// A string column copied out of C arrays: texts plus a validity byte per row.
struct string_column {
  bool set = false;
  std::vector<std::string> text;
  std::vector<std::string_view> views;
  std::vector<std::uint8_t> valid;
  bool any_null = false;

  void assign(const char* const* values, std::size_t n) {
    set = true;
    text.assign(n, {});
    valid.assign(n, 1);
    any_null = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (values[i] == nullptr) {
        valid[i] = 0;
        any_null = true;
      } else {
        text[i] = values[i];
      }
    }
    views.assign(text.begin(), text.end());
  }
  sfn::key_column column() const {
    return sfn::key_column::strings(views, any_null ? std::span<const std::uint8_t>(valid)
                                                    : std::span<const std::uint8_t>());
  }
};

}  // namespace

struct sf_log_builder {
  std::vector<std::int64_t> deal_ints;
  string_column deal_strs;
  bool deal_is_int = false;
  string_column stage_strs;
  std::vector<std::int32_t> stage_codes;
  std::vector<std::string> stage_categories;
  std::vector<std::string_view> stage_category_views;
  bool stage_is_codes = false;
  std::vector<std::int64_t> time;
  bool time_set = false;
  sfn::time_unit unit = sfn::time_unit::seconds;
  string_column rep;
  std::vector<double> amount;
  std::vector<std::pair<std::string, string_column>> attributes;
  std::optional<sfn::stage_graph> graph;
  absl::flat_hash_map<std::string, std::string> stage_map;
  bool strict = false;
  int threads = 0;
  bool appendable = false;
};

namespace {

// The builder's columns (borrowed from it) and options; FAILED_PRECONDITION
// names a required column that was never set.
sf_status columns_of(const sf_log_builder& b, sfn::event_columns& cols, sfn::event_log_options& opt,
                     sf_error* error) {
  if (!b.deal_is_int && !b.deal_strs.set) {
    return fail(error, SF_FAILED_PRECONDITION, "no deal column: call sf_log_builder_set_deal_*");
  }
  if (!b.stage_is_codes && !b.stage_strs.set) {
    return fail(error, SF_FAILED_PRECONDITION, "no stage column: call sf_log_builder_set_stage_*");
  }
  if (!b.time_set) return fail(error, SF_FAILED_PRECONDITION, "no time column: call sf_log_builder_set_time");
  cols.deal = b.deal_is_int ? sfn::key_column::integers(b.deal_ints) : b.deal_strs.column();
  cols.stage = b.stage_is_codes ? sfn::key_column::categorical(b.stage_codes, b.stage_category_views)
                                : b.stage_strs.column();
  cols.time = b.time;
  if (b.rep.set) cols.rep = b.rep.column();
  cols.amount = b.amount;
  for (const auto& [name, col] : b.attributes) cols.attributes.push_back({name, col.column()});
  opt.graph = b.graph;
  opt.stage_map = b.stage_map;
  opt.unit = b.unit;
  opt.strict = b.strict;
  opt.threads = b.threads;
  opt.appendable = b.appendable;
  return SF_OK;
}

}  // namespace

extern "C" {

SF_API sf_status sf_log_builder_create(sf_log_builder** out_builder, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(out_builder, "out_builder");
    *out_builder = new sf_log_builder();
    return ok(error);
  });
}

SF_API void sf_log_builder_destroy(sf_log_builder** builder) {
  sf_capi::destroy(builder);
}

SF_API sf_status sf_log_builder_set_deal_int64(sf_log_builder* builder, const int64_t* ids,
                                               size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    if (n > 0) SF_REQUIRE(ids, "ids");
    builder->deal_ints.assign(ids, ids + n);
    builder->deal_is_int = true;
    builder->deal_strs = {};
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_deal_str(sf_log_builder* builder, const char* const* ids,
                                             size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    if (n > 0) SF_REQUIRE(ids, "ids");
    builder->deal_strs.assign(ids, n);
    builder->deal_is_int = false;
    builder->deal_ints.clear();
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_stage_str(sf_log_builder* builder, const char* const* stages,
                                              size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    if (n > 0) SF_REQUIRE(stages, "stages");
    builder->stage_strs.assign(stages, n);
    builder->stage_is_codes = false;
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_stage_codes(sf_log_builder* builder, const int32_t* codes,
                                                size_t n, const char* const* categories,
                                                size_t n_categories, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    if (n > 0) SF_REQUIRE(codes, "codes");
    if (n_categories > 0) SF_REQUIRE(categories, "categories");
    for (std::size_t c = 0; c < n_categories; ++c) {
      if (categories[c] == nullptr) {
        return fail(error, SF_INVALID_ARGUMENT,
                    "categories[" + std::to_string(c) + "] is NULL");
      }
    }
    // Codes are checked once, by the event log build (key_column::check_codes).
    builder->stage_codes.assign(codes, codes + n);
    builder->stage_categories.assign(categories, categories + n_categories);
    builder->stage_category_views.assign(builder->stage_categories.begin(),
                                         builder->stage_categories.end());
    builder->stage_is_codes = true;
    builder->stage_strs = {};
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_time(sf_log_builder* builder, const int64_t* times, size_t n,
                                         sf_time_unit unit, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    if (n > 0) SF_REQUIRE(times, "times");
    const int u = sf_capi::enum_arg(unit);
    if (u < SF_TIME_SECONDS || u > SF_TIME_NANOSECONDS) {
      return fail(error, SF_INVALID_ARGUMENT, "argument 'unit' is not an sf_time_unit");
    }
    builder->time.assign(times, times + n);
    builder->unit = static_cast<sfn::time_unit>(u);
    builder->time_set = true;
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_rep_str(sf_log_builder* builder, const char* const* reps,
                                            size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    if (n > 0) SF_REQUIRE(reps, "reps");
    builder->rep.assign(reps, n);
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_amount(sf_log_builder* builder, const double* amounts,
                                           size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    if (n > 0) SF_REQUIRE(amounts, "amounts");
    builder->amount.assign(amounts, amounts + n);
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_add_attribute_str(sf_log_builder* builder, const char* name,
                                                  const char* const* values, size_t n,
                                                  sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    SF_REQUIRE(name, "name");
    if (n > 0) SF_REQUIRE(values, "values");
    for (const auto& a : builder->attributes) {
      if (a.first == name) {
        return fail(error, SF_ALREADY_EXISTS,
                    std::string("attribute '") + name + "' was already added");
      }
    }
    builder->attributes.emplace_back(name, string_column{});
    builder->attributes.back().second.assign(values, n);
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_graph(sf_log_builder* builder, const sf_graph* graph,
                                          sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    SF_REQUIRE(graph, "graph");
    builder->graph = graph->g;
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_add_stage_map(sf_log_builder* builder, const char* raw,
                                              const char* stage, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    SF_REQUIRE(raw, "raw");
    SF_REQUIRE(stage, "stage");
    builder->stage_map[raw] = stage;
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_strict(sf_log_builder* builder, int strict, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    builder->strict = strict != 0;
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_threads(sf_log_builder* builder, int threads,
                                            sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    if (threads < 0) return fail(error, SF_INVALID_ARGUMENT, "argument 'threads' is negative");
    builder->threads = threads;
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_build(const sf_log_builder* builder, sf_log** out_log,
                                      sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    SF_REQUIRE(out_log, "out_log");
    sfn::event_columns cols;
    sfn::event_log_options opt;
    if (auto st = columns_of(*builder, cols, opt, error); st != SF_OK) return st;
    auto log = sfn::event_log::build(cols, opt);
    if (!log.ok()) return from_status(log.status(), error);
    *out_log = new sf_log{std::move(*log)};
    return ok(error);
  });
}

SF_API sf_status sf_log_builder_set_appendable(sf_log_builder* builder, int appendable,
                                               sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(builder, "builder");
    builder->appendable = appendable != 0;
    return ok(error);
  });
}

SF_API sf_status sf_log_append(sf_log* log, const sf_log_builder* rows, int64_t* out_new_deals,
                               sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(rows, "rows");
    sfn::event_columns cols;
    sfn::event_log_options opt;
    if (auto st = columns_of(*rows, cols, opt, error); st != SF_OK) return st;
    auto r = log->log.append(cols, opt);
    if (!r.ok()) return from_status(r.status(), error);
    if (out_new_deals) *out_new_deals = r->new_deals;
    return ok(error);
  });
}

SF_API void sf_log_destroy(sf_log** log) {
  sf_capi::destroy(log);
}

SF_API sf_status sf_log_num_events(const sf_log* log, int64_t* out_count, sf_error* error) {
  return sf_capi::get(error, log, "log", out_count, "out_count",
                      [&] { return log->log.num_events(); });
}

SF_API sf_status sf_log_num_deals(const sf_log* log, int64_t* out_count, sf_error* error) {
  return sf_capi::get(error, log, "log", out_count, "out_count",
                      [&] { return log->log.num_deals(); });
}

SF_API sf_status sf_log_issue_count(const sf_log* log, sf_log_issue issue, int64_t* out_count,
                                    int64_t* out_first_row, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_count, "out_count");
    const auto& is = log->log.issues();
    std::int64_t count = 0, first = -1;
    switch (sf_capi::enum_arg(issue)) {
      case SF_ISSUE_DUPLICATE_EVENTS:
        count = is.duplicate_events;
        first = is.first_duplicate_row;
        break;
      case SF_ISSUE_REPEATED_STAGE_EVENTS:
        count = is.repeated_stage_events;
        first = is.first_repeated_row;
        break;
      case SF_ISSUE_OUT_OF_ORDER_ROWS:
        count = is.out_of_order_rows;
        first = is.first_out_of_order_row;
        break;
      case SF_ISSUE_EVENTS_AFTER_OUTCOME:
        count = is.events_after_outcome;
        first = is.first_after_outcome_row;
        break;
      case SF_ISSUE_UNKNOWN_TRANSITIONS:
        count = is.unknown_transition_count();
        for (const auto& u : is.unknown_transitions) {
          if (first < 0 || u.first_row < first) first = u.first_row;
        }
        break;
      default:
        return fail(error, SF_INVALID_ARGUMENT, "argument 'issue' is not an sf_log_issue");
    }
    *out_count = count;
    if (out_first_row) *out_first_row = first;
    return ok(error);
  });
}

/* ------------------------------------------------------------ live funnels */

struct sf_live {
  salesfunnel::live_funnel live;
};

SF_API sf_status sf_live_create(const sf_log* log, const int64_t* as_of, double stale_after_days,
                                sf_live** out_live, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_live, "out_live");
    sfn::funnel_options opt;
    if (as_of) opt.as_of = *as_of;
    if (!std::isnan(stale_after_days)) {
      if (!(stale_after_days > 0) || !std::isfinite(stale_after_days)) {
        return fail(error, SF_INVALID_ARGUMENT, "stale_after_days must be a finite number > 0, or NaN for off");
      }
      opt.stale.days = stale_after_days;
    }
    auto live = sfn::live_funnel::create(log->log, opt);
    if (!live.ok()) return from_status(live.status(), error);
    *out_live = new sf_live{std::move(*live)};
    return ok(error);
  });
}

SF_API sf_status sf_live_append(sf_live* live, const sf_log_builder* rows, int64_t* out_new_deals,
                                sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(live, "live");
    SF_REQUIRE(rows, "rows");
    sfn::event_columns cols;
    sfn::event_log_options opt;
    if (auto st = columns_of(*rows, cols, opt, error); st != SF_OK) return st;
    auto r = live->live.append(cols, opt);
    if (!r.ok()) return from_status(r.status(), error);
    if (out_new_deals) *out_new_deals = r->new_deals;
    return ok(error);
  });
}

SF_API sf_status sf_live_report(const sf_live* live, sf_report** out_report, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(live, "live");
    SF_REQUIRE(out_report, "out_report");
    auto r = live->live.report();
    if (!r.ok()) return from_status(r.status(), error);
    *out_report = new sf_report{std::move(*r)};
    return ok(error);
  });
}

SF_API sf_status sf_live_log(const sf_live* live, sf_log** out_log, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(live, "live");
    SF_REQUIRE(out_log, "out_log");
    *out_log = new sf_log{live->live.log()};
    return ok(error);
  });
}

SF_API void sf_live_destroy(sf_live** live) {
  sf_capi::destroy(live);
}

}  // extern "C"
