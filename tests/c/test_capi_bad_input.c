/* Bad input through the C ABI (issue 13): each row of CASES is one input and
 * the exact status it must return, within a time limit (alarm: a hang kills
 * the program, so ctest fails). To add a case, write a small function that
 * returns the status of the call under test and add a row. Run under
 * ASan+UBSan by .ci/sanitize, so a crash or undefined behaviour fails too. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "salesfunnel/salesfunnel.h"

static sf_error err;

/* ---------------------------------------------------------------- inputs */
static sf_graph* template_graph(void) {
  sf_graph* g = NULL;
  sf_graph_template("sales_cycle", &g, &err);
  return g;
}

/* deals 1..4 over the sales_cycle template: won, lost, open, open */
static sf_log* small_log(void) {
  static const int64_t deals[] = {1, 1, 1, 2, 2, 3, 3, 4};
  static const char* stages[] = {"Lead", "Contact", "Client", "Lead", "Lost",
                                 "Lead", "Contact", "Lead"};
  static const int64_t days[] = {0, 1, 5, 0, 3, 1, 2, 6};
  static const double amounts[] = {10, 10, 10, 5, 5, 7, 7, 1};
  int64_t t[8];
  for (int i = 0; i < 8; ++i) t[i] = 1704067200 + days[i] * 86400;
  sf_graph* g = template_graph();
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  sf_log_builder_create(&b, &err);
  sf_log_builder_set_deal_int64(b, deals, 8, &err);
  sf_log_builder_set_stage_str(b, stages, 8, &err);
  sf_log_builder_set_time(b, t, 8, SF_TIME_SECONDS, &err);
  sf_log_builder_set_amount(b, amounts, 8, &err);
  sf_log_builder_set_graph(b, g, &err);
  sf_log_builder_build(b, &log, &err);
  sf_log_builder_destroy(&b);
  sf_graph_destroy(&g);
  return log;
}

/* A builder with a valid two-row log set, for cases that change one column. */
static sf_log_builder* builder(void) {
  static const int64_t deals[] = {1, 1};
  static const char* stages[] = {"Lead", "Contact"};
  static const int64_t t[] = {0, 86400};
  sf_graph* g = template_graph();
  sf_log_builder* b = NULL;
  sf_log_builder_create(&b, &err);
  sf_log_builder_set_deal_int64(b, deals, 2, &err);
  sf_log_builder_set_stage_str(b, stages, 2, &err);
  sf_log_builder_set_time(b, t, 2, SF_TIME_SECONDS, &err);
  sf_log_builder_set_graph(b, g, &err);
  sf_graph_destroy(&g);
  return b;
}

static sf_status build_and_free(sf_log_builder* b) {
  sf_log* log = NULL;
  sf_status s = sf_log_builder_build(b, &log, &err);
  sf_log_destroy(&log);
  sf_log_builder_destroy(&b);
  return s;
}

static sf_model* small_model(void) {
  sf_log* log = small_log();
  sf_model* m = NULL;
  sf_model_fit(log, 0.0, NULL, &m, &err);
  sf_log_destroy(&log);
  return m;
}

static sf_status forecast(double horizon, int64_t trials, double leads, double quota) {
  sf_model* m = small_model();
  sf_log* log = small_log();
  double p10, p50, p90, mean, hit;
  sf_status s = sf_model_forecast(m, log, horizon, trials, 1, leads, quota, &p10, &p50, &p90,
                                  &mean, &hit, &err);
  sf_log_destroy(&log);
  sf_model_destroy(&m);
  return s;
}

static sf_status plan(double goal, double period, double probability) {
  sf_model* m = small_model();
  double entries[32], at_p[32], lag[32];
  sf_status s = sf_model_plan(m, goal, period, probability, entries, at_p, lag, 32, &err);
  sf_model_destroy(&m);
  return s;
}

static sf_status from_json(const char* text) {
  sf_graph* g = NULL;
  sf_status s = sf_graph_from_json(text, strlen(text), &g, &err);
  sf_graph_destroy(&g);
  return s;
}

static sf_status add_stage(const char* name, int kind) {
  sf_graph* g = NULL;
  sf_graph_create("g", &g, &err);
  int32_t id;
  sf_stage_kind k;
  memcpy(&k, &kind, sizeof k); /* what a C caller can pass: any int */
  sf_status s = sf_graph_add_stage(g, name, k, &id, &err);
  sf_graph_destroy(&g);
  return s;
}

/* ------------------------------------------------------------------ cases */
static sf_status null_graph_json(void) { return sf_graph_from_json(NULL, 3, NULL, &err); }
static sf_status json_syntax(void) { return from_json("{\"stages\": [ {\"name\": \"a\",, }"); }
static sf_status json_empty(void) { return from_json(""); }
static sf_status json_number_1e555(void) { return from_json("{\"name\": 1.5E555}"); }
static sf_status json_deep(void) {
  static char deep[20001];
  memset(deep, '[', 10000);
  memset(deep + 10000, ']', 10000);
  return from_json(deep);
}
static sf_status json_commitment_42(void) {
  return from_json("{\"name\":\"g\",\"stages\":[{\"name\":\"a\",\"kind\":\"entry\"},"
                   "{\"name\":\"b\",\"kind\":\"won\"}],\"transitions\":[{\"from\":\"a\","
                   "\"to\":\"b\",\"commitment\":42}]}");
}
static sf_status json_bad_utf8(void) {
  return from_json("{\"name\":\"g\",\"stages\":[{\"name\":\"\xff\",\"kind\":\"entry\"}]}");
}
static sf_status json_length_past_text(void) {
  sf_graph* g = NULL;
  sf_status s = sf_graph_from_json("{}", 0, &g, &err); /* length 0: empty text */
  sf_graph_destroy(&g);
  return s;
}
static sf_status stage_not_utf8(void) { return add_stage("Le\xff" "ad", SF_STAGE_OPEN); }
static sf_status stage_overlong_utf8(void) { return add_stage("\xc0\xaf", SF_STAGE_OPEN); }
static sf_status stage_surrogate_utf8(void) { return add_stage("\xed\xa0\x80", SF_STAGE_OPEN); }
static sf_status stage_valid_utf8(void) { return add_stage("Qualifi\xc3\xa9", SF_STAGE_OPEN); }
static sf_status stage_empty(void) { return add_stage("", SF_STAGE_OPEN); }
static sf_status stage_null(void) { return add_stage(NULL, SF_STAGE_OPEN); }
static sf_status stage_kind_99(void) { return add_stage("a", 99); }
static sf_status stage_kind_minus1(void) { return add_stage("a", -1); }
static sf_status stage_on_null_graph(void) {
  int32_t id;
  return sf_graph_add_stage(NULL, "a", SF_STAGE_OPEN, &id, &err);
}
static sf_status commitment_not_utf8(void) {
  sf_graph* g = NULL;
  sf_graph_create("g", &g, &err);
  sf_graph_add_stage(g, "a", SF_STAGE_ENTRY, NULL, &err);
  sf_graph_add_stage(g, "b", SF_STAGE_WON, NULL, &err);
  sf_status s = sf_graph_add_transition(g, "a", "b", "\xfe", &err);
  sf_graph_destroy(&g);
  return s;
}
static sf_status transition_unknown(void) {
  sf_graph* g = NULL;
  sf_graph_create("g", &g, &err);
  sf_status s = sf_graph_add_transition(g, "a", "b", NULL, &err);
  sf_graph_destroy(&g);
  return s;
}
static sf_status unknown_template(void) {
  sf_graph* g = NULL;
  sf_status s = sf_graph_template("nope", &g, &err);
  sf_graph_destroy(&g);
  return s;
}
static sf_status graph_to_json_small_buffer(void) {
  sf_graph* g = template_graph();
  char buf[8];
  size_t len;
  sf_status s = sf_graph_to_json(g, buf, sizeof buf, &len, &err);
  sf_graph_destroy(&g);
  return s;
}
static sf_status stage_name_out_of_range(void) {
  sf_graph* g = template_graph();
  const char* name;
  sf_status s = sf_graph_stage_name(g, 1000, &name, &err);
  sf_graph_destroy(&g);
  return s;
}

static sf_status time_unit_99(void) {
  sf_log_builder* b = builder();
  static const int64_t t[] = {0, 1};
  int u = 99;
  sf_time_unit unit;
  memcpy(&unit, &u, sizeof unit);
  sf_status s = sf_log_builder_set_time(b, t, 2, unit, &err);
  sf_log_builder_destroy(&b);
  return s;
}
static sf_status time_extremes_build(void) {
  sf_log_builder* b = builder();
  static const int64_t t[] = {INT64_MIN + 1, INT64_MAX};
  sf_log_builder_set_time(b, t, 2, SF_TIME_NANOSECONDS, &err);
  return build_and_free(b);
}
static sf_status time_extremes_seconds(void) {
  /* seconds that overflow nanoseconds: saturate, never wrap */
  sf_log_builder* b = builder();
  static const int64_t t[] = {INT64_MIN + 1, INT64_MAX}; /* INT64_MIN is "missing" */
  sf_log_builder_set_time(b, t, 2, SF_TIME_SECONDS, &err);
  sf_log* log = NULL;
  sf_status s = sf_log_builder_build(b, &log, &err);
  sf_log_builder_destroy(&b);
  if (s == SF_OK) {
    sf_report* r = NULL;
    s = sf_funnel_create(log, NULL, &r, &err);
    if (s == SF_OK) {
      double med[16];
      s = sf_report_stage_values(r, SF_VALUE_MEDIAN_DAYS, med, 16, &err);
      if (s == SF_OK && !(med[0] > 0)) s = SF_INTERNAL; /* a stay of 0 days is wrong */
    }
    sf_report_destroy(&r);
  }
  sf_log_destroy(&log);
  return s;
}
static sf_status amount_inf(void) {
  sf_log_builder* b = builder();
  const double a[] = {1.0, INFINITY};
  sf_log_builder_set_amount(b, a, 2, &err);
  return build_and_free(b);
}
static sf_status amount_negative(void) {
  sf_log_builder* b = builder();
  const double a[] = {1.0, -1.0};
  sf_status s = sf_log_builder_set_amount(b, a, 2, &err);
  if (s == SF_OK) return build_and_free(b);
  sf_log_builder_destroy(&b);
  return s;
}
static sf_status amount_nan_is_missing(void) {
  sf_log_builder* b = builder();
  const double a[] = {1.0, NAN};
  sf_log_builder_set_amount(b, a, 2, &err);
  return build_and_free(b);
}
static sf_status deal_str_empty(void) {
  sf_log_builder* b = builder();
  static const char* ids[] = {"", "x"};
  sf_log_builder_set_deal_str(b, ids, 2, &err);
  return build_and_free(b);
}
static sf_status deal_str_null(void) {
  sf_log_builder* b = builder();
  static const char* ids[] = {NULL, "x"};
  sf_log_builder_set_deal_str(b, ids, 2, &err);
  return build_and_free(b);
}
static sf_status stage_unknown(void) {
  sf_log_builder* b = builder();
  static const char* st[] = {"Lead", "Contrat"};
  sf_log_builder_set_stage_str(b, st, 2, &err);
  return build_and_free(b);
}
static sf_status stage_not_utf8_in_log(void) {
  sf_log_builder* b = builder();
  static const char* st[] = {"Lead", "\xff\xfe"};
  sf_log_builder_set_stage_str(b, st, 2, &err);
  return build_and_free(b);
}
static sf_status stage_codes_out_of_range(void) {
  sf_log_builder* b = builder();
  static const int32_t codes[] = {0, 7};
  static const char* cats[] = {"Lead", "Contact"};
  sf_status s = sf_log_builder_set_stage_codes(b, codes, 2, cats, 2, &err);
  if (s == SF_OK) return build_and_free(b);
  sf_log_builder_destroy(&b);
  return s;
}
static sf_status length_mismatch(void) {
  sf_log_builder* b = builder();
  static const char* st[] = {"Lead"};
  sf_log_builder_set_stage_str(b, st, 1, &err);
  return build_and_free(b);
}
static sf_status null_column_with_rows(void) {
  sf_log_builder* b = builder();
  sf_status s = sf_log_builder_set_deal_int64(b, NULL, 2, &err);
  sf_log_builder_destroy(&b);
  return s;
}
static sf_status threads_negative(void) {
  sf_log_builder* b = builder();
  sf_status s = sf_log_builder_set_threads(b, -5, &err);
  sf_log_builder_destroy(&b);
  return s;
}
static sf_status threads_huge_capped(void) {
  sf_log_builder* b = builder();
  sf_log_builder_set_threads(b, 1 << 30, &err);
  return build_and_free(b);
}
static sf_status build_without_columns(void) {
  sf_log_builder* b = NULL;
  sf_log_builder_create(&b, &err);
  return build_and_free(b);
}
static sf_status build_null_builder(void) {
  sf_log* log = NULL;
  return sf_log_builder_build(NULL, &log, &err);
}
static sf_status issue_99(void) {
  sf_log* log = small_log();
  int64_t count;
  int v = 99;
  sf_log_issue issue;
  memcpy(&issue, &v, sizeof issue);
  sf_status s = sf_log_issue_count(log, issue, &count, NULL, &err);
  sf_log_destroy(&log);
  return s;
}
static sf_status report_column(int column, int values) {
  sf_log* log = small_log();
  sf_report* r = NULL;
  sf_funnel_create(log, NULL, &r, &err);
  int64_t counts[32];
  double vals[32];
  sf_status s;
  if (values) {
    sf_report_value c;
    memcpy(&c, &column, sizeof c);
    s = sf_report_stage_values(r, c, vals, 32, &err);
  } else {
    sf_report_count c;
    memcpy(&c, &column, sizeof c);
    s = sf_report_stage_counts(r, c, counts, 32, &err);
  }
  sf_report_destroy(&r);
  sf_log_destroy(&log);
  return s;
}
static sf_status count_column_99(void) { return report_column(99, 0); }
static sf_status count_column_minus1(void) { return report_column(-1, 0); }
static sf_status value_column_99(void) { return report_column(99, 1); }
static sf_status model_column_99(void) {
  sf_model* m = small_model();
  double out[32];
  int v = 99;
  sf_model_column c;
  memcpy(&c, &v, sizeof c);
  sf_status s = sf_model_stage_values(m, c, out, 32, &err);
  sf_model_destroy(&m);
  return s;
}
static sf_status report_small_output(void) {
  sf_log* log = small_log();
  sf_report* r = NULL;
  sf_funnel_create(log, NULL, &r, &err);
  int64_t counts[1];
  sf_status s = sf_report_stage_counts(r, SF_COUNT_REACHED, counts, 1, &err);
  sf_report_destroy(&r);
  sf_log_destroy(&log);
  return s;
}
static sf_status funnel_as_of_max(void) {
  sf_log* log = small_log();
  sf_report* r = NULL;
  int64_t as_of = INT64_MAX;
  sf_status s = sf_funnel_create(log, &as_of, &r, &err);
  sf_report_destroy(&r);
  sf_log_destroy(&log);
  return s;
}
static sf_status funnel_null_log(void) {
  sf_report* r = NULL;
  return sf_funnel_create(NULL, NULL, &r, &err);
}
static sf_status funnel_by_unknown(void) {
  sf_log* log = small_log();
  sf_grouped_report* r = NULL;
  sf_status s = sf_funnel_by_create(log, "segment", NULL, &r, &err);
  sf_grouped_report_destroy(&r);
  sf_log_destroy(&log);
  return s;
}
static sf_status stale_negative(void) {
  sf_log* log = small_log();
  sf_report* r = NULL;
  sf_status s = sf_funnel_create_stale(log, NULL, -1.0, NULL, NULL, 0, &r, &err);
  sf_report_destroy(&r);
  sf_log_destroy(&log);
  return s;
}
static sf_status fit_prior_nan(void) {
  sf_log* log = small_log();
  sf_model* m = NULL;
  sf_status s = sf_model_fit(log, NAN, NULL, &m, &err);
  sf_model_destroy(&m);
  sf_log_destroy(&log);
  return s;
}
static sf_status probability_above_1(void) {
  sf_graph* g = template_graph();
  const char* from[] = {"Lead"};
  const char* to[] = {"Contact"};
  const double p[] = {1.5};
  sf_model* m = NULL;
  sf_status s = sf_model_from_probabilities(g, from, to, p, 1, NULL, 0, &m, &err);
  sf_model_destroy(&m);
  sf_graph_destroy(&g);
  return s;
}
static sf_status dwell_inf(void) {
  sf_graph* g = template_graph();
  const char* from[] = {"Lead"};
  const char* to[] = {"Contact"};
  const double p[] = {0.5};
  double dwell[16];
  for (int i = 0; i < 16; ++i) dwell[i] = INFINITY;
  int32_t n = 0;
  sf_graph_num_stages(g, &n, &err);
  sf_model* m = NULL;
  sf_status s = sf_model_from_probabilities(g, from, to, p, 1, dwell, (size_t)n, &m, &err);
  sf_model_destroy(&m);
  sf_graph_destroy(&g);
  return s;
}
static sf_status forecast_leads_inf(void) { return forecast(90, 10, INFINITY, NAN); }
static sf_status forecast_leads_huge(void) { return forecast(90, 10, 1e300, NAN); }
static sf_status forecast_trials_huge(void) { return forecast(90, 1000000000000LL, 0, NAN); }
static sf_status forecast_trials_zero(void) { return forecast(90, 0, 0, NAN); }
static sf_status forecast_horizon_nan(void) { return forecast(NAN, 10, 0, NAN); }
static sf_status forecast_horizon_huge(void) { return forecast(1e300, 10, 0, NAN); }
static sf_status forecast_horizon_huge_leads(void) { return forecast(1e300, 10, 1, NAN); }
static sf_status forecast_ok(void) { return forecast(90, 100, 1, 5); }
static sf_status forecast_null_model(void) {
  double v;
  return sf_model_forecast(NULL, NULL, 90, 10, 1, 0, NAN, &v, &v, &v, &v, &v, &err);
}
static sf_status plan_goal_1e12_p08(void) { return plan(1e12, 7, 0.8); }
static sf_status plan_goal_1e16(void) { return plan(1e16, 7, NAN); }
static sf_status plan_goal_negative(void) { return plan(-1, 7, NAN); }
static sf_status plan_period_zero(void) { return plan(1, 0, NAN); }
static sf_status plan_probability_2(void) { return plan(1, 7, 2.0); }
static sf_status plan_gc_huge(void) {
  double needed;
  int64_t lo, hi;
  return sf_plan_great_conversations(1e300, 1e-300, &needed, &lo, &hi, &err);
}
static sf_status plan_gc_rate_zero(void) {
  double needed;
  return sf_plan_great_conversations(3, 0, &needed, NULL, NULL, &err);
}
static sf_status gc_count_unit_99(void) {
  const char* p[] = {"a"};
  const int64_t t[] = {0};
  const uint8_t dm[] = {1};
  const int32_t out[] = {0};
  int64_t c;
  int v = 99;
  sf_time_unit u;
  memcpy(&u, &v, sizeof u);
  return sf_great_conversations_count(p, NULL, t, dm, out, 1, u, &c, NULL, NULL, NULL, NULL,
                                      &err);
}
static sf_status gc_count_outcome_99(void) {
  const char* p[] = {"a"};
  const int64_t t[] = {0};
  const uint8_t dm[] = {1};
  const int32_t out[] = {99};
  int64_t c;
  return sf_great_conversations_count(p, NULL, t, dm, out, 1, SF_TIME_SECONDS, &c, NULL, NULL,
                                      NULL, NULL, &err);
}
static sf_status waterfall_reversed(void) {
  sf_log* log = small_log();
  sf_waterfall* w = NULL;
  sf_status s = sf_waterfall_create(log, 1800000000, 1700000000, NAN, &w, &err);
  sf_waterfall_destroy(&w);
  sf_log_destroy(&log);
  return s;
}
static sf_status compare_reps_unknown_stage(void) {
  sf_log* log = small_log();
  size_t count;
  sf_status s = sf_compare_reps(log, "Lead", "Signed", 1, &count, NULL, NULL, NULL, NULL,
                                NULL, NULL, 0, &err);
  sf_log_destroy(&log);
  return s;
}
static sf_status status_string_99(void) {
  int v = 99;
  sf_status st;
  memcpy(&st, &v, sizeof st);
  return sf_status_string(st) != NULL ? SF_OK : SF_INTERNAL;
}
static sf_status double_destroy(void) {
  sf_log* log = small_log();
  sf_log_destroy(&log);
  sf_log_destroy(&log);
  sf_log_destroy(NULL);
  return log == NULL ? SF_OK : SF_INTERNAL;
}

struct bad_input {
  const char* name;
  sf_status (*run)(void);
  sf_status expected;
};

static const struct bad_input CASES[] = {
    {"graph JSON: NULL text", null_graph_json, SF_INVALID_ARGUMENT},
    {"graph JSON: syntax error", json_syntax, SF_INVALID_ARGUMENT},
    {"graph JSON: empty text", json_empty, SF_INVALID_ARGUMENT},
    {"graph JSON: number 1E555 (found by fuzzing)", json_number_1e555, SF_INVALID_ARGUMENT},
    {"graph JSON: 10000 nested arrays", json_deep, SF_INVALID_ARGUMENT},
    {"graph JSON: commitment 42", json_commitment_42, SF_INVALID_ARGUMENT},
    {"graph JSON: stage name not UTF-8", json_bad_utf8, SF_INVALID_ARGUMENT},
    {"graph JSON: length 0", json_length_past_text, SF_INVALID_ARGUMENT},
    {"add_stage: name not UTF-8", stage_not_utf8, SF_INVALID_ARGUMENT},
    {"add_stage: overlong UTF-8", stage_overlong_utf8, SF_INVALID_ARGUMENT},
    {"add_stage: UTF-8 surrogate", stage_surrogate_utf8, SF_INVALID_ARGUMENT},
    {"add_stage: valid UTF-8 accent", stage_valid_utf8, SF_OK},
    {"add_stage: empty name", stage_empty, SF_INVALID_ARGUMENT},
    {"add_stage: NULL name", stage_null, SF_INVALID_ARGUMENT},
    {"add_stage: kind 99", stage_kind_99, SF_INVALID_ARGUMENT},
    {"add_stage: kind -1", stage_kind_minus1, SF_INVALID_ARGUMENT},
    {"add_stage: NULL graph", stage_on_null_graph, SF_INVALID_ARGUMENT},
    {"add_transition: commitment not UTF-8", commitment_not_utf8, SF_INVALID_ARGUMENT},
    {"add_transition: unknown stages", transition_unknown, SF_NOT_FOUND},
    {"graph template: unknown name", unknown_template, SF_NOT_FOUND},
    {"graph to_json: 8-byte buffer", graph_to_json_small_buffer, SF_OUT_OF_RANGE},
    {"graph stage_name: index 1000", stage_name_out_of_range, SF_OUT_OF_RANGE},
    {"log: time unit 99", time_unit_99, SF_INVALID_ARGUMENT},
    {"log: int64 extreme nanoseconds", time_extremes_build, SF_OK},
    {"log: int64 extreme seconds, stay > 0 days", time_extremes_seconds, SF_OK},
    {"log: amount +inf", amount_inf, SF_INVALID_ARGUMENT},
    {"log: amount -1", amount_negative, SF_INVALID_ARGUMENT},
    {"log: amount NaN is missing", amount_nan_is_missing, SF_OK},
    {"log: empty deal id", deal_str_empty, SF_INVALID_ARGUMENT},
    {"log: NULL deal id", deal_str_null, SF_INVALID_ARGUMENT},
    {"log: unknown stage", stage_unknown, SF_INVALID_ARGUMENT},
    {"log: stage not UTF-8", stage_not_utf8_in_log, SF_INVALID_ARGUMENT},
    {"log: stage code outside the categories", stage_codes_out_of_range, SF_INVALID_ARGUMENT},
    {"log: columns of different length", length_mismatch, SF_INVALID_ARGUMENT},
    {"log: NULL column with 2 rows", null_column_with_rows, SF_INVALID_ARGUMENT},
    {"log: threads -5", threads_negative, SF_INVALID_ARGUMENT},
    {"log: threads 2^30 capped", threads_huge_capped, SF_OK},
    {"log: build with no columns", build_without_columns, SF_FAILED_PRECONDITION},
    {"log: NULL builder", build_null_builder, SF_INVALID_ARGUMENT},
    {"log: issue 99", issue_99, SF_INVALID_ARGUMENT},
    {"report: count column 99", count_column_99, SF_INVALID_ARGUMENT},
    {"report: count column -1", count_column_minus1, SF_INVALID_ARGUMENT},
    {"report: value column 99", value_column_99, SF_INVALID_ARGUMENT},
    {"report: output of 1 entry", report_small_output, SF_OUT_OF_RANGE},
    {"funnel: as_of INT64_MAX", funnel_as_of_max, SF_OK},
    {"funnel: NULL log", funnel_null_log, SF_INVALID_ARGUMENT},
    {"funnel by: unknown attribute", funnel_by_unknown, SF_NOT_FOUND},
    {"funnel: stale_after -1", stale_negative, SF_INVALID_ARGUMENT},
    {"model: column 99", model_column_99, SF_INVALID_ARGUMENT},
    {"model fit: prior NaN", fit_prior_nan, SF_INVALID_ARGUMENT},
    {"model: probability 1.5", probability_above_1, SF_INVALID_ARGUMENT},
    {"model: dwell days inf", dwell_inf, SF_INVALID_ARGUMENT},
    {"forecast: leads/week inf", forecast_leads_inf, SF_INVALID_ARGUMENT},
    {"forecast: leads/week 1e300", forecast_leads_huge, SF_INVALID_ARGUMENT},
    {"forecast: 10^12 trials", forecast_trials_huge, SF_INVALID_ARGUMENT},
    {"forecast: 0 trials", forecast_trials_zero, SF_INVALID_ARGUMENT},
    {"forecast: horizon NaN", forecast_horizon_nan, SF_INVALID_ARGUMENT},
    /* open deals only: every one ends in a won or lost stage, so any horizon is quick */
    {"forecast: horizon 1e300, no new leads", forecast_horizon_huge, SF_OK},
    {"forecast: horizon 1e300 with new leads", forecast_horizon_huge_leads, SF_INVALID_ARGUMENT},
    {"forecast: a good one", forecast_ok, SF_OK},
    {"forecast: NULL model", forecast_null_model, SF_INVALID_ARGUMENT},
    {"plan: goal 1e12 at p=0.8 is quick", plan_goal_1e12_p08, SF_OK},
    {"plan: goal 1e16", plan_goal_1e16, SF_INVALID_ARGUMENT},
    {"plan: goal -1", plan_goal_negative, SF_INVALID_ARGUMENT},
    {"plan: period 0", plan_period_zero, SF_INVALID_ARGUMENT},
    {"plan: probability 2", plan_probability_2, SF_INVALID_ARGUMENT},
    {"plan great conversations (1e300, 1e-300)", plan_gc_huge, SF_INVALID_ARGUMENT},
    {"plan great conversations rate 0", plan_gc_rate_zero, SF_INVALID_ARGUMENT},
    {"great conversations: unit 99", gc_count_unit_99, SF_INVALID_ARGUMENT},
    {"great conversations: outcome 99", gc_count_outcome_99, SF_INVALID_ARGUMENT},
    {"waterfall: end before start", waterfall_reversed, SF_INVALID_ARGUMENT},
    {"compare reps: unknown end stage", compare_reps_unknown_stage, SF_NOT_FOUND},
    {"status string of 99", status_string_99, SF_OK},
    {"destroy twice and NULL", double_destroy, SF_OK},
};

int main(void) {
  const size_t n = sizeof CASES / sizeof CASES[0];
  for (size_t i = 0; i < n; ++i) {
    alarm(20); /* a hang ends the program with SIGALRM: the test fails */
    memset(&err, 0, sizeof err);
    sf_status got = CASES[i].run();
    alarm(0);
    if (got != CASES[i].expected) {
      fprintf(stderr, "bad input '%s': expected %s, got %s (%s)\n", CASES[i].name,
              sf_status_string(CASES[i].expected), sf_status_string(got), err.message);
    } else if (got != SF_OK && err.message[0] == '\0') {
      fprintf(stderr, "bad input '%s': %s without a message\n", CASES[i].name,
              sf_status_string(got));
      got = SF_UNKNOWN;
    }
    CHECK(got == CASES[i].expected);
  }
  printf("%zu bad inputs through the C ABI\n", n);
  return report();
}
