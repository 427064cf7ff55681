// C ABI: the sales methodology layer (great conversations, rep comparison,
// coverage). Column conversion only; the analyses live in the C++ headers.
#include <vector>

#include "common.hpp"
#include "enum_arg.hpp"

using sf_capi::fail;
using sf_capi::from_status;
using sf_capi::guard;
using sf_capi::ok;
namespace sfn = salesfunnel;

extern "C" {

SF_API sf_status sf_great_conversations_count(const char* const* prospects,
                                              const char* const* reps, const int64_t* times,
                                              const uint8_t* with_decision_maker,
                                              const int32_t* outcomes, size_t n,
                                              sf_time_unit unit, int64_t* out_counted,
                                              int64_t* out_repeats,
                                              int64_t* out_not_decision_maker,
                                              int64_t* out_maybe, int64_t* out_no_answer,
                                              sf_error* error) {
  return guard(error, [&] {
    if (n > 0) {
      SF_REQUIRE(prospects, "prospects");
      SF_REQUIRE(times, "times");
      SF_REQUIRE(with_decision_maker, "with_decision_maker");
      SF_REQUIRE(outcomes, "outcomes");
    }
    const int u = sf_capi::enum_arg(unit);
    if (u < SF_TIME_SECONDS || u > SF_TIME_NANOSECONDS) {
      return fail(error, SF_INVALID_ARGUMENT, "argument 'unit' is not an sf_time_unit");
    }
    std::vector<std::string_view> p(n), r(n);
    std::vector<std::uint8_t> p_valid(n, 1), r_valid(n, 1);
    std::vector<std::int64_t> codes(outcomes, outcomes + n);
    for (std::size_t i = 0; i < n; ++i) {
      if (prospects[i]) p[i] = prospects[i];
      else p_valid[i] = 0;
      if (reps && reps[i]) r[i] = reps[i];
      else r_valid[i] = 0;
    }
    sfn::conversation_columns c;
    c.prospect = sfn::key_column::strings(p, p_valid);
    c.rep = sfn::key_column::strings(r, r_valid);
    c.time = {times, n};
    c.with_decision_maker = {with_decision_maker, n};
    c.outcome = sfn::key_column::integers(codes);
    auto log = sfn::conversation_log::build(c, static_cast<sfn::time_unit>(u));
    if (!log.ok()) return from_status(log.status(), error);
    const auto gc = sfn::count_great_conversations(*log);
    if (out_counted) *out_counted = gc.tally.counted;
    if (out_repeats) *out_repeats = gc.tally.repeats;
    if (out_not_decision_maker) *out_not_decision_maker = gc.tally.not_decision_maker;
    if (out_maybe) *out_maybe = gc.tally.maybe;
    if (out_no_answer) *out_no_answer = gc.tally.no_answer;
    return ok(error);
  });
}

SF_API sf_status sf_plan_great_conversations(double first_meetings_per_week, double rate,
                                             double* out_needed, int64_t* out_floor,
                                             int64_t* out_ceil, sf_error* error) {
  return guard(error, [&] {
    auto p = sfn::plan_great_conversations(first_meetings_per_week, rate);
    if (!p.ok()) return from_status(p.status(), error);
    if (out_needed) *out_needed = p->needed;
    if (out_floor) *out_floor = p->needed_floor;
    if (out_ceil) *out_ceil = p->needed_ceil;
    return ok(error);
  });
}

SF_API sf_status sf_compare_reps(const sf_log* log, const char* start, const char* end,
                                 int64_t min_n, size_t* out_count, const char** out_rep,
                                 int64_t* out_n, int64_t* out_wins, double* out_rate,
                                 double* out_shrunk_rate, int32_t* out_rank, size_t capacity,
                                 sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(start, "start");
    SF_REQUIRE(end, "end");
    SF_REQUIRE(out_count, "out_count");
    sfn::rep_comparison_options o;
    o.min_n = min_n;
    auto cmp = sfn::compare_reps(log->log, start, end, o);
    if (!cmp.ok()) return from_status(cmp.status(), error);
    const auto& rows = cmp->rows;
    *out_count = rows.size();
    const bool want_rows = out_rep || out_n || out_wins || out_rate || out_shrunk_rate || out_rank;
    if (!want_rows) return ok(error);
    if (auto st = sf_capi::check_size(capacity, rows.size(), error); st != SF_OK) return st;
    const auto& names = log->log.rep_names();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (out_rep) {
        // Borrow the log's own copy of the name (stable while the log lives).
        out_rep[i] = nullptr;
        for (const auto& nm : names) {
          if (nm == rows[i].rep) out_rep[i] = nm.c_str();
        }
      }
      if (out_n) out_n[i] = rows[i].n;
      if (out_wins) out_wins[i] = rows[i].wins;
      if (out_rate) out_rate[i] = rows[i].rate.estimate;
      if (out_shrunk_rate) out_shrunk_rate[i] = rows[i].shrunk_rate;
      if (out_rank) out_rank[i] = rows[i].rank;
    }
    return ok(error);
  });
}

SF_API sf_status sf_team_coverage(const sf_log* log, double quota,
                                  const char* second_meeting_stage, double* out_coverage_raw,
                                  double* out_coverage_qualified, double* out_win_rate,
                                  double* out_required_coverage, double* out_velocity,
                                  sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    sfn::audit_options ao;
    ao.rules.two_meetings = second_meeting_stage != nullptr;
    if (second_meeting_stage) ao.rules.second_meeting_stage = second_meeting_stage;
    auto audit = sfn::audit_pipeline(log->log, nullptr, ao);
    if (!audit.ok()) return from_status(audit.status(), error);
    sfn::coverage_options co;
    co.team_quota = quota;
    auto cov = sfn::coverage(log->log, co, &*audit);
    if (!cov.ok()) return from_status(cov.status(), error);
    const auto& t = cov->team;
    if (out_coverage_raw) *out_coverage_raw = t.coverage_raw;
    if (out_coverage_qualified) *out_coverage_qualified = t.coverage_qualified;
    if (out_win_rate) *out_win_rate = t.win_rate.estimate;
    if (out_required_coverage) *out_required_coverage = t.required_coverage;
    if (out_velocity) *out_velocity = t.velocity_qualified;
    return ok(error);
  });
}

}  // extern "C"
