// C ABI: the methodology layer's tables (the audit's per-deal rows, meeting
// logs and buyer accountability, lead batches, per-rep coverage, rep
// intervals). Each result is a handle read column by column; names are
// borrowed from the handle, which keeps its own copies.
#include <optional>
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

struct sf_meetings {
  sfn::meeting_log m;
};

struct sf_audit {
  sfn::pipeline_audit a;
  std::vector<std::string> deal;  // the event log's deal key per row
};

struct sf_accountability {
  sfn::accountability_report r;
  std::vector<std::string> deal;
};

struct sf_batches {
  sfn::batch_report r;
};

struct sf_coverage {
  sfn::coverage_report r;
  const sfn::coverage_row& row(std::size_t i) const { return i < r.reps.size() ? r.reps[i] : r.team; }
  std::size_t rows() const { return r.reps.size() + 1; }
};

struct sf_reps {
  sfn::rep_comparison c;
};

namespace {

std::optional<std::int64_t> opt_time(const int64_t* t) {
  return t ? std::optional<std::int64_t>(*t) : std::nullopt;
}

// The audit behind coverage and the audit table: the default rules, with the
// two-meeting rule read from the meeting log or a stage when one is given.
absl::StatusOr<sfn::pipeline_audit> run_audit(const sf_log* log, const sf_meetings* meetings,
                                              const char* second_meeting_stage,
                                              const int64_t* as_of) {
  sfn::audit_options ao;
  ao.as_of = opt_time(as_of);
  ao.rules.two_meetings = meetings != nullptr || second_meeting_stage != nullptr;
  if (second_meeting_stage) ao.rules.second_meeting_stage = second_meeting_stage;
  return sfn::audit_pipeline(log->log, meetings ? &meetings->m : nullptr, ao);
}

double coverage_value(const sfn::coverage_row& r, int column, bool* known) {
  *known = true;
  switch (column) {
    case SF_COVERAGE_QUOTA: return r.quota;
    case SF_COVERAGE_BOOKED: return r.booked;
    case SF_COVERAGE_REMAINING: return r.remaining;
    case SF_COVERAGE_OPEN_VALUE: return r.open_value;
    case SF_COVERAGE_QUALIFIED_VALUE: return r.qualified_value;
    case SF_COVERAGE_RAW: return r.coverage_raw;
    case SF_COVERAGE_QUALIFIED: return r.coverage_qualified;
    case SF_COVERAGE_WIN_RATE: return r.win_rate.estimate;
    case SF_COVERAGE_WIN_RATE_LOW: return r.win_rate.low;
    case SF_COVERAGE_WIN_RATE_HIGH: return r.win_rate.high;
    case SF_COVERAGE_REQUIRED: return r.required_coverage;
    case SF_COVERAGE_AVERAGE_DEAL_SIZE: return r.average_deal_size;
    case SF_COVERAGE_CYCLE_DAYS: return r.cycle_days;
    case SF_COVERAGE_VELOCITY_RAW: return r.velocity_raw;
    case SF_COVERAGE_VELOCITY_QUALIFIED: return r.velocity_qualified;
    case SF_COVERAGE_COVERED: return r.covered ? 1.0 : 0.0;
    default: *known = false; return 0;
  }
}

}  // namespace

extern "C" {

/* ------------------------------------------------------- meeting logs */

SF_API sf_status sf_meetings_create(size_t n, const char* const* deal_ids, const int64_t* times,
                                    sf_time_unit unit, const uint8_t* held,
                                    const char* const* buyer_tasks,
                                    const uint8_t* next_meeting_booked,
                                    sf_meetings** out_meetings, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(out_meetings, "out_meetings");
    if (n > 0) {
      SF_REQUIRE(deal_ids, "deal_ids");
      SF_REQUIRE(times, "times");
    }
    const int u = sf_capi::enum_arg(unit);
    if (u < SF_TIME_SECONDS || u > SF_TIME_NANOSECONDS) {
      return fail(error, SF_INVALID_ARGUMENT, "argument 'unit' is not an sf_time_unit");
    }
    std::vector<std::string_view> d(n), t(buyer_tasks ? n : 0);
    std::vector<std::uint8_t> d_valid(n, 1), t_valid(buyer_tasks ? n : 0, 1);
    for (std::size_t i = 0; i < n; ++i) {
      if (deal_ids[i]) d[i] = deal_ids[i];
      else d_valid[i] = 0;
      if (buyer_tasks && buyer_tasks[i]) t[i] = buyer_tasks[i];
      else if (buyer_tasks) t_valid[i] = 0;
    }
    sfn::meeting_columns c;
    c.deal = sfn::key_column::strings(d, d_valid);
    c.time = {times, n};
    if (held) c.held = {held, n};
    if (buyer_tasks) c.buyer_task = sfn::key_column::strings(t, t_valid);
    if (next_meeting_booked) c.next_meeting_booked = {next_meeting_booked, n};
    auto m = sfn::meeting_log::build(c, static_cast<sfn::time_unit>(u));
    if (!m.ok()) return from_status(m.status(), error);
    *out_meetings = new sf_meetings{*std::move(m)};
    return ok(error);
  });
}

SF_API void sf_meetings_destroy(sf_meetings** meetings) { sf_capi::destroy(meetings); }

SF_API sf_status sf_meetings_num_meetings(const sf_meetings* meetings, int64_t* out_count,
                                          sf_error* error) {
  return sf_capi::get(error, meetings, "meetings", out_count, "out_count",
                      [&] { return meetings->m.num_meetings(); });
}

/* -------------------------------------------------------------- audit */

SF_API sf_status sf_audit_create(const sf_log* log, const sf_meetings* meetings,
                                 const char* second_meeting_stage, const int64_t* as_of,
                                 sf_audit** out_audit, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_audit, "out_audit");
    auto a = run_audit(log, meetings, second_meeting_stage, as_of);
    if (!a.ok()) return from_status(a.status(), error);
    auto* out = new sf_audit{*std::move(a), {}};
    for (const auto& d : out->a.deals) out->deal.push_back(log->log.deal_key(d.deal));
    *out_audit = out;
    return ok(error);
  });
}

SF_API void sf_audit_destroy(sf_audit** audit) { sf_capi::destroy(audit); }

SF_API sf_status sf_audit_num_rows(const sf_audit* audit, size_t* out_count, sf_error* error) {
  return sf_capi::get(error, audit, "audit", out_count, "out_count",
                      [&] { return audit->a.deals.size(); });
}

SF_API sf_status sf_audit_rows(const sf_audit* audit, const char** out_deal, int32_t* out_stage,
                               double* out_amount, double* out_age_days,
                               double* out_days_in_stage, int64_t* out_held_meetings,
                               uint8_t* out_qualified, const char** out_reasons, size_t n,
                               sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(audit, "audit");
    const auto& d = audit->a.deals;
    if (auto s = check_size(n, d.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (out_deal) out_deal[i] = audit->deal[i].c_str();
      if (out_stage) out_stage[i] = d[i].stage;
      if (out_amount) out_amount[i] = d[i].amount;
      if (out_age_days) out_age_days[i] = d[i].age_days;
      if (out_days_in_stage) out_days_in_stage[i] = d[i].days_in_stage;
      if (out_held_meetings) out_held_meetings[i] = d[i].held_meetings;
      if (out_qualified) out_qualified[i] = d[i].qualified ? 1 : 0;
      if (out_reasons) out_reasons[i] = d[i].reasons.c_str();
    }
    return ok(error);
  });
}

SF_API sf_status sf_audit_totals(const sf_audit* audit, int64_t* out_raw_deals,
                                 double* out_raw_value, int64_t* out_qualified_deals,
                                 double* out_qualified_value, double* out_average_cycle_days,
                                 sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(audit, "audit");
    const auto& a = audit->a;
    if (out_raw_deals) *out_raw_deals = a.raw.deals;
    if (out_raw_value) *out_raw_value = a.raw.value;
    if (out_qualified_deals) *out_qualified_deals = a.qualified.deals;
    if (out_qualified_value) *out_qualified_value = a.qualified.value;
    if (out_average_cycle_days) *out_average_cycle_days = a.average_cycle_days;
    return ok(error);
  });
}

/* ---------------------------------------------- buyer accountability */

SF_API sf_status sf_accountability_create(const sf_log* log, const sf_meetings* meetings,
                                          const int64_t* as_of,
                                          sf_accountability** out_report, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(meetings, "meetings");
    SF_REQUIRE(out_report, "out_report");
    sfn::accountability_options o;
    o.as_of = opt_time(as_of);
    auto r = sfn::buyer_accountability(log->log, meetings->m, o);
    if (!r.ok()) return from_status(r.status(), error);
    auto* out = new sf_accountability{*std::move(r), {}};
    for (const auto& d : out->r.open_deals) out->deal.push_back(log->log.deal_key(d.deal));
    *out_report = out;
    return ok(error);
  });
}

SF_API void sf_accountability_destroy(sf_accountability** report) { sf_capi::destroy(report); }

SF_API sf_status sf_accountability_num_rows(const sf_accountability* report, size_t* out_count,
                                            sf_error* error) {
  return sf_capi::get(error, report, "report", out_count, "out_count",
                      [&] { return report->r.open_deals.size(); });
}

SF_API sf_status sf_accountability_rows(const sf_accountability* report, const char** out_deal,
                                        int32_t* out_stage, int64_t* out_held_meetings,
                                        uint8_t* out_buyer_task,
                                        uint8_t* out_next_meeting_booked, uint8_t* out_at_risk,
                                        const char** out_reason, size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    const auto& d = report->r.open_deals;
    if (auto s = check_size(n, d.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (out_deal) out_deal[i] = report->deal[i].c_str();
      if (out_stage) out_stage[i] = d[i].stage;
      if (out_held_meetings) out_held_meetings[i] = d[i].held_meetings;
      if (out_buyer_task) out_buyer_task[i] = d[i].buyer_task ? 1 : 0;
      if (out_next_meeting_booked) out_next_meeting_booked[i] = d[i].next_meeting_booked ? 1 : 0;
      if (out_at_risk) out_at_risk[i] = d[i].at_risk ? 1 : 0;
      if (out_reason) out_reason[i] = d[i].reason.c_str();
    }
    return ok(error);
  });
}

SF_API sf_status sf_accountability_history(const sf_accountability* report, int64_t* out_flagged,
                                           int64_t* out_flagged_won, int64_t* out_unflagged,
                                           int64_t* out_unflagged_won, double* out_p_value,
                                           sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(report, "report");
    const auto& h = report->r.history;
    if (out_flagged) *out_flagged = h.flagged;
    if (out_flagged_won) *out_flagged_won = h.flagged_won;
    if (out_unflagged) *out_unflagged = h.unflagged;
    if (out_unflagged_won) *out_unflagged_won = h.unflagged_won;
    if (out_p_value) *out_p_value = h.p_value;
    return ok(error);
  });
}

/* ------------------------------------------------------- lead batches */

SF_API sf_status sf_batches_create(const sf_log* log, const char* by,
                                   const char* const* target_stages, const double* target_rates,
                                   size_t n_targets, double maturity_days, const int64_t* as_of,
                                   sf_batches** out_batches, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(by, "by");
    SF_REQUIRE(out_batches, "out_batches");
    if (n_targets > 0) {
      SF_REQUIRE(target_stages, "target_stages");
      SF_REQUIRE(target_rates, "target_rates");
    }
    sfn::batch_options o;
    for (std::size_t i = 0; i < n_targets; ++i) {
      if (!target_stages[i]) {
        return fail(error, SF_INVALID_ARGUMENT, "target_stages[" + std::to_string(i) + "] is NULL");
      }
      o.targets.emplace_back(target_stages[i], target_rates[i]);
    }
    if (!std::isnan(maturity_days)) o.maturity_days = maturity_days;
    o.funnel.as_of = opt_time(as_of);
    auto r = sfn::lead_batches(log->log, by, o);
    if (!r.ok()) return from_status(r.status(), error);
    *out_batches = new sf_batches{*std::move(r)};
    return ok(error);
  });
}

SF_API void sf_batches_destroy(sf_batches** batches) { sf_capi::destroy(batches); }

SF_API sf_status sf_batches_maturity_days(const sf_batches* batches, double* out_days,
                                          sf_error* error) {
  return sf_capi::get(error, batches, "batches", out_days, "out_days",
                      [&] { return batches->r.maturity_days; });
}

SF_API sf_status sf_batches_num_rows(const sf_batches* batches, size_t* out_count,
                                     sf_error* error) {
  return sf_capi::get(error, batches, "batches", out_count, "out_count",
                      [&] { return batches->r.steps.size(); });
}

SF_API sf_status sf_batches_rows(const sf_batches* batches, const char** out_batch,
                                 const char** out_from, const char** out_to,
                                 int64_t* out_advanced, int64_t* out_resolved, int64_t* out_open,
                                 double* out_rate, double* out_target, int32_t* out_status,
                                 size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(batches, "batches");
    const auto& st = batches->r.steps;
    if (auto s = check_size(n, st.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < st.size(); ++i) {
      if (out_batch) out_batch[i] = st[i].batch.c_str();
      if (out_from) out_from[i] = st[i].from.c_str();
      if (out_to) out_to[i] = st[i].to.c_str();
      if (out_advanced) out_advanced[i] = st[i].advanced;
      if (out_resolved) out_resolved[i] = st[i].resolved;
      if (out_open) out_open[i] = st[i].open;
      if (out_rate) out_rate[i] = st[i].rate.estimate;
      if (out_target) out_target[i] = st[i].target;
      if (out_status) out_status[i] = static_cast<int32_t>(st[i].status);
    }
    return ok(error);
  });
}

/* ----------------------------------------------------------- coverage */

SF_API sf_status sf_coverage_create(const sf_log* log, double team_quota,
                                    const char* const* reps, const double* rep_quotas,
                                    size_t n_reps, const sf_meetings* meetings,
                                    const char* second_meeting_stage, const int64_t* as_of,
                                    sf_coverage** out_coverage, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(out_coverage, "out_coverage");
    if (n_reps > 0) {
      SF_REQUIRE(reps, "reps");
      SF_REQUIRE(rep_quotas, "rep_quotas");
    }
    sfn::coverage_options co;
    co.team_quota = team_quota;
    for (std::size_t i = 0; i < n_reps; ++i) {
      if (!reps[i]) return fail(error, SF_INVALID_ARGUMENT, "reps[" + std::to_string(i) + "] is NULL");
      co.rep_quotas.push_back({reps[i], rep_quotas[i]});
    }
    auto audit = run_audit(log, meetings, second_meeting_stage, as_of);
    if (!audit.ok()) return from_status(audit.status(), error);
    auto r = sfn::coverage(log->log, co, &*audit);
    if (!r.ok()) return from_status(r.status(), error);
    *out_coverage = new sf_coverage{*std::move(r)};
    return ok(error);
  });
}

SF_API void sf_coverage_destroy(sf_coverage** coverage) { sf_capi::destroy(coverage); }

SF_API sf_status sf_coverage_num_rows(const sf_coverage* coverage, size_t* out_count,
                                      sf_error* error) {
  return sf_capi::get(error, coverage, "coverage", out_count, "out_count",
                      [&] { return coverage->rows(); });
}

SF_API sf_status sf_coverage_rep(const sf_coverage* coverage, size_t i, const char** out_rep,
                                 sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(coverage, "coverage");
    SF_REQUIRE(out_rep, "out_rep");
    if (auto s = sf_capi::check_index(i, coverage->rows(), "row", error); s != SF_OK) return s;
    *out_rep = coverage->row(i).rep.c_str();
    return ok(error);
  });
}

SF_API sf_status sf_coverage_values(const sf_coverage* coverage, sf_coverage_column column,
                                    double* out, size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(coverage, "coverage");
    SF_REQUIRE(out, "out");
    if (auto s = check_size(n, coverage->rows(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < coverage->rows(); ++i) {
      bool known = false;
      out[i] = coverage_value(coverage->row(i), sf_capi::enum_arg(column), &known);
      if (!known) {
        return fail(error, SF_INVALID_ARGUMENT, "argument 'column' is not an sf_coverage_column");
      }
    }
    return ok(error);
  });
}

/* ------------------------------------------------------ rep intervals */

SF_API sf_status sf_reps_create(const sf_log* log, const char* from, const char* to,
                                int64_t min_n, const int64_t* as_of, sf_reps** out_reps,
                                sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(log, "log");
    SF_REQUIRE(from, "from");
    SF_REQUIRE(to, "to");
    SF_REQUIRE(out_reps, "out_reps");
    sfn::rep_comparison_options o;
    o.min_n = min_n;
    o.funnel.as_of = opt_time(as_of);
    auto c = sfn::compare_reps(log->log, from, to, o);
    if (!c.ok()) return from_status(c.status(), error);
    *out_reps = new sf_reps{*std::move(c)};
    return ok(error);
  });
}

SF_API void sf_reps_destroy(sf_reps** reps) { sf_capi::destroy(reps); }

SF_API sf_status sf_reps_num_rows(const sf_reps* reps, size_t* out_count, sf_error* error) {
  return sf_capi::get(error, reps, "reps", out_count, "out_count", [&] { return reps->c.rows.size(); });
}

SF_API sf_status sf_reps_rows(const sf_reps* reps, const char** out_rep, int64_t* out_n,
                              int64_t* out_wins, int64_t* out_open, double* out_rate,
                              double* out_low, double* out_high, double* out_shrunk_rate,
                              int32_t* out_rank, size_t n, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(reps, "reps");
    const auto& r = reps->c.rows;
    if (auto s = check_size(n, r.size(), error); s != SF_OK) return s;
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (out_rep) out_rep[i] = r[i].rep.c_str();
      if (out_n) out_n[i] = r[i].n;
      if (out_wins) out_wins[i] = r[i].wins;
      if (out_open) out_open[i] = r[i].open;
      if (out_rate) out_rate[i] = r[i].rate.estimate;
      if (out_low) out_low[i] = r[i].rate.low;
      if (out_high) out_high[i] = r[i].rate.high;
      if (out_shrunk_rate) out_shrunk_rate[i] = r[i].shrunk_rate;
      if (out_rank) out_rank[i] = r[i].rank;
    }
    return ok(error);
  });
}

SF_API sf_status sf_reps_team(const sf_reps* reps, int64_t* out_n, int64_t* out_wins,
                              double* out_rate, double* out_low, double* out_high,
                              double* out_prior_alpha, double* out_prior_beta, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(reps, "reps");
    const auto& c = reps->c;
    if (out_n) *out_n = c.team_n;
    if (out_wins) *out_wins = c.team_wins;
    if (out_rate) *out_rate = c.team_rate.estimate;
    if (out_low) *out_low = c.team_rate.low;
    if (out_high) *out_high = c.team_rate.high;
    if (out_prior_alpha) *out_prior_alpha = c.prior.alpha;
    if (out_prior_beta) *out_prior_beta = c.prior.beta;
    return ok(error);
  });
}

}  // extern "C"
