// C ABI: the short forms the foundation issue named (sf_log_create,
// sf_funnel_compute, sf_report_reached, sf_report_conversion). Each is one
// call into the C++ API with its defaults.
#include <vector>

#include "common.hpp"

using sf_capi::fail;
using sf_capi::from_status;
using sf_capi::guard;
using sf_capi::ok;
namespace sfn = salesfunnel;

namespace {

// The stage column as views; a NULL entry is a missing stage (reported by the build).
struct stage_views {
  std::vector<std::string_view> text;
  std::vector<std::uint8_t> valid;
  stage_views(const char* const* stages, std::size_t n) : text(n), valid(n, 1) {
    for (std::size_t i = 0; i < n; ++i) {
      if (stages[i]) text[i] = stages[i];
      else valid[i] = 0;
    }
  }
};

sf_status build_log(const sf_graph* graph, sfn::key_column deal, const char* const* stages,
                    const int64_t* times, std::size_t n, sf_log** out_log, sf_error* error) {
  const stage_views st(stages, n);
  sfn::event_columns cols;
  cols.deal = std::move(deal);
  cols.stage = sfn::key_column::strings(st.text, st.valid);
  cols.time = {times, n};
  sfn::event_log_options opt;
  opt.graph = graph->g;
  opt.unit = sfn::time_unit::seconds;
  auto log = sfn::event_log::build(cols, opt);
  if (!log.ok()) return from_status(log.status(), error);
  *out_log = new sf_log{std::move(*log)};
  return ok(error);
}

// The report row of a stage named `name`; NOT_FOUND lists the report's stages.
absl::StatusOr<const sfn::stage_row*> row_named(const sf_report* report, const char* name) {
  auto id = report->r.graph.id_of(name);
  if (!id.ok()) return id.status();
  return &report->r.stages[static_cast<std::size_t>(*id)];
}

}  // namespace

extern "C" {

SF_API sf_status sf_log_create(const sf_graph* graph, size_t n, const char* const* deal_ids,
                               const char* const* stages, const int64_t* times_unix_seconds,
                               sf_log** out_log, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(out_log, "out_log");
    if (n > 0) {
      SF_REQUIRE(deal_ids, "deal_ids");
      SF_REQUIRE(stages, "stages");
      SF_REQUIRE(times_unix_seconds, "times_unix_seconds");
    }
    const stage_views ids(deal_ids, n);
    return build_log(graph, sfn::key_column::strings(ids.text, ids.valid), stages,
                     times_unix_seconds, n, out_log, error);
  });
}

SF_API sf_status sf_log_create_int64(const sf_graph* graph, size_t n, const int64_t* deal_ids,
                                     const char* const* stages, const int64_t* times_unix_seconds,
                                     sf_log** out_log, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(out_log, "out_log");
    if (n > 0) {
      SF_REQUIRE(deal_ids, "deal_ids");
      SF_REQUIRE(stages, "stages");
      SF_REQUIRE(times_unix_seconds, "times_unix_seconds");
    }
    return build_log(graph, sfn::key_column::integers({deal_ids, n}), stages, times_unix_seconds,
                     n, out_log, error);
  });
}

SF_API sf_status sf_funnel_compute(const sf_log* log, sf_report** out_report, sf_error* error) {
  return sf_funnel_create(log, nullptr, out_report, error);
}

SF_API sf_status sf_report_reached(const sf_report* report, const char* stage, int64_t* out,
                                   sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    SF_REQUIRE(stage, "stage");
    SF_REQUIRE(out, "out");
    auto row = row_named(report, stage);
    if (!row.ok()) return from_status(row.status(), error);
    *out = (*row)->reached;
    return ok(error);
  });
}

SF_API sf_status sf_report_conversion(const sf_report* report, const char* from, const char* to,
                                      double* out, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    SF_REQUIRE(from, "from");
    SF_REQUIRE(to, "to");
    SF_REQUIRE(out, "out");
    auto a = row_named(report, from);
    if (!a.ok()) return from_status(a.status(), error);
    auto b = row_named(report, to);
    if (!b.ok()) return from_status(b.status(), error);
    // The report measures conversion per main-path step (censored: open
    // deals are left out); a pair of stages is one of those steps or nothing.
    const auto path = report->r.graph.main_path();
    const auto rank = (*a)->main_rank;
    if (rank < 0 || static_cast<std::size_t>(rank) + 1 >= path.size()) {
      return fail(error, SF_INVALID_ARGUMENT,
                  std::string("argument 'from': '") + from +
                      "' has no next stage on the main path, so no step conversion");
    }
    const auto next = path[static_cast<std::size_t>(rank) + 1];
    if ((*b)->stage != next) {
      return fail(error, SF_INVALID_ARGUMENT,
                  std::string("argument 'to': the step from '") + from + "' goes to '" +
                      report->r.graph.name_of(next) + "', not '" + to +
                      "'; for conversion from entry read SF_VALUE_CUMULATIVE_CONVERSION");
    }
    *out = (*a)->step_conversion.estimate;
    return ok(error);
  });
}

}  // extern "C"
