/* Every call added by issue 11 ("a complete C ABI") and its error paths, on
 * the five hand-counted deals of tests/c/test_capi.c (times in days):
 *   A (ann, smb, 100): Lead 0, Contact 1, First Meeting 3, Active Prospect 6, Client 10  -> won
 *   B (bob, ent,  50): Lead 0, Contact 2, Disqualified 4                               -> lost
 *   C (ann, smb,  70): Lead 1, Contact 2, First Meeting 5                              -> open
 *   D (bob, ent,  10): Lead 2, Disqualified 3                                          -> lost
 *   E (ann, smb,  30): Lead 0, Contact 1, First Meeting 2, Active Prospect 4, Lost 8   -> lost
 * and on a two-step chain model for the what-if calls. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "salesfunnel/salesfunnel.h"

#include "check.h"

#define DAY 86400
#define N 18

static const char* deals[N] = {"A", "A", "A", "A", "A", "B", "B", "B", "C",
                               "C", "C", "D", "D", "E", "E", "E", "E", "E"};
static const int64_t deal_ints[N] = {1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 5, 5};
static const char* stages[N] = {"Lead", "Contact", "First Meeting", "Active Prospect", "Client",
                                "Lead", "Contact", "Disqualified",
                                "Lead", "Contact", "First Meeting",
                                "Lead", "Disqualified",
                                "Lead", "Contact", "First Meeting", "Active Prospect", "Lost"};
static const int64_t days[N] = {0, 1, 3, 6, 10, 0, 2, 4, 1, 2, 5, 2, 3, 0, 1, 2, 4, 8};
static const char* reps[N] = {"ann", "ann", "ann", "ann", "ann", "bob", "bob", "bob", "ann",
                              "ann", "ann", "bob", "bob", "ann", "ann", "ann", "ann", "ann"};
static const char* segment[N] = {"smb", "smb", "smb", "smb", "smb", "ent", "ent", "ent", "smb",
                                 "smb", "smb", "ent", "ent", "smb", "smb", "smb", "smb", "smb"};
static const double amount[N] = {100, 100, 100, 100, 100, 50, 50, 50, 70,
                                 70, 70, 10, 10, 30, 30, 30, 30, 30};

static int64_t seconds[N];

static int contains(const char* haystack, const char* needle) {
  return haystack != NULL && strstr(haystack, needle) != NULL;
}
static int near(double a, double b, double tol) { return fabs(a - b) <= tol; }

/* The full log (reps, amounts, a segment attribute), through the builder. */
static sf_log* full_log(const sf_graph* g, sf_error* err) {
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  CHECK(sf_log_builder_create(&b, err) == SF_OK);
  CHECK(sf_log_builder_set_deal_str(b, deals, N, err) == SF_OK);
  CHECK(sf_log_builder_set_stage_str(b, stages, N, err) == SF_OK);
  CHECK(sf_log_builder_set_time(b, seconds, N, SF_TIME_SECONDS, err) == SF_OK);
  CHECK(sf_log_builder_set_rep_str(b, reps, N, err) == SF_OK);
  CHECK(sf_log_builder_set_amount(b, amount, N, err) == SF_OK);
  CHECK(sf_log_builder_add_attribute_str(b, "segment", segment, N, err) == SF_OK);
  if (g) CHECK(sf_log_builder_set_graph(b, g, err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, err) == SF_OK);
  sf_log_builder_destroy(&b);
  return log;
}

static void test_short_forms(const sf_graph* g) {
  sf_error err;
  sf_log* log = NULL;
  CHECK(sf_log_create(g, N, deals, stages, seconds, &log, &err) == SF_OK);
  int64_t n = 0;
  CHECK(sf_log_num_deals(log, &n, &err) == SF_OK && n == 5);
  sf_report* rep = NULL;
  CHECK(sf_funnel_compute(log, &rep, &err) == SF_OK);
  /* Reached: Lead 5, Contact 4 (all but D), First Meeting 3 (A, C, E), Client 1. */
  CHECK(sf_report_reached(rep, "Lead", &n, &err) == SF_OK && n == 5);
  CHECK(sf_report_reached(rep, "Contact", &n, &err) == SF_OK && n == 4);
  CHECK(sf_report_reached(rep, "First Meeting", &n, &err) == SF_OK && n == 3);
  CHECK(sf_report_reached(rep, "Client", &n, &err) == SF_OK && n == 1);
  CHECK(sf_report_reached(rep, "Disqualified", &n, &err) == SF_OK && n == 2);
  CHECK(sf_report_reached(rep, "Nope", &n, &err) == SF_NOT_FOUND);
  CHECK(contains(err.message, "'Nope'"));
  CHECK(sf_report_reached(rep, NULL, &n, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'stage' is NULL") == 0);
  CHECK(sf_report_reached(rep, "Lead", NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_report_reached(NULL, "Lead", &n, &err) == SF_INVALID_ARGUMENT);
  /* Step conversions: Lead -> Contact 4 of 5 (D lost at Lead); Contact ->
   * First Meeting 3 of 4 (B lost); First Meeting -> Active Prospect 2 of 2
   * (C is open there: censored, not in the denominator). */
  double p = 0;
  CHECK(sf_report_conversion(rep, "Lead", "Contact", &p, &err) == SF_OK && near(p, 0.8, 1e-15));
  CHECK(sf_report_conversion(rep, "Contact", "First Meeting", &p, &err) == SF_OK &&
        near(p, 0.75, 1e-15));
  CHECK(sf_report_conversion(rep, "First Meeting", "Active Prospect", &p, &err) == SF_OK &&
        p == 1.0);
  /* Active Prospect -> Client: A won, E lost: 1 of 2. */
  CHECK(sf_report_conversion(rep, "Active Prospect", "Client", &p, &err) == SF_OK &&
        near(p, 0.5, 1e-15));
  CHECK(sf_report_conversion(rep, "Lead", "First Meeting", &p, &err) == SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "the step from 'Lead' goes to 'Contact', not 'First Meeting'"));
  CHECK(sf_report_conversion(rep, "Lost", "Client", &p, &err) == SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "'Lost' has no next stage on the main path"));
  CHECK(sf_report_conversion(rep, "Lead", "Nope", &p, &err) == SF_NOT_FOUND);
  CHECK(sf_report_conversion(rep, NULL, "Contact", &p, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_report_conversion(rep, "Lead", NULL, &p, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_report_conversion(rep, "Lead", "Contact", NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_report_conversion(NULL, "Lead", "Contact", &p, &err) == SF_INVALID_ARGUMENT);
  sf_report_destroy(&rep);
  sf_log_destroy(&log);

  /* Integer ids give the same funnel. */
  CHECK(sf_log_create_int64(g, N, deal_ints, stages, seconds, &log, &err) == SF_OK);
  CHECK(sf_funnel_compute(log, &rep, &err) == SF_OK);
  CHECK(sf_report_reached(rep, "Contact", &n, &err) == SF_OK && n == 4);
  sf_report_destroy(&rep);
  sf_log_destroy(&log);

  /* Errors: bad rows name the column and row; NULLs name the argument. */
  const char* bad[N];
  memcpy(bad, stages, sizeof bad);
  bad[4] = "Clinet";
  CHECK(sf_log_create(g, N, deals, bad, seconds, &log, &err) == SF_INVALID_ARGUMENT && log == NULL);
  CHECK(contains(err.message, "column 'stage', row 4"));
  bad[4] = "Cli\xff";
  CHECK(sf_log_create(g, N, deals, bad, seconds, &log, &err) != SF_OK && log == NULL);
  const char* ids[N];
  memcpy(ids, deals, sizeof ids);
  ids[2] = NULL;
  CHECK(sf_log_create(g, N, ids, stages, seconds, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "column 'deal', row 2: missing deal id"));
  CHECK(sf_log_create(NULL, N, deals, stages, seconds, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'graph' is NULL") == 0);
  CHECK(sf_log_create(g, N, NULL, stages, seconds, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_log_create(g, N, deals, NULL, seconds, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_log_create(g, N, deals, stages, NULL, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'times_unix_seconds' is NULL") == 0);
  CHECK(sf_log_create(g, N, deals, stages, seconds, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_log_create_int64(g, N, NULL, stages, seconds, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_log_create_int64(NULL, N, deal_ints, stages, seconds, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_compute(NULL, &rep, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_compute(log, NULL, &err) == SF_INVALID_ARGUMENT);
}

/* A -> B 0.5 / Lost 0.5, B -> Won 1; dwell A 10 days, B 5 days.
 * P(won | A) = 0.5; days to close from A = 10 + 0.5 x 5 = 12.5. */
static sf_model* chain_model(sf_error* err) {
  sf_graph* g = NULL;
  CHECK(sf_graph_create("chain", &g, err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "A", SF_STAGE_ENTRY, NULL, err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "B", SF_STAGE_OPEN, NULL, err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Won", SF_STAGE_WON, NULL, err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Lost", SF_STAGE_LOST, NULL, err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "A", "B", NULL, err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "A", "Lost", NULL, err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "B", "Won", NULL, err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "B", "Lost", NULL, err) == SF_OK);
  const char* from[] = {"A", "A", "B"};
  const char* to[] = {"B", "Lost", "Won"};
  const double prob[] = {0.5, 0.5, 1.0};
  const double dwell[] = {10, 5, 0, 0};
  sf_model* m = NULL;
  CHECK(sf_model_from_probabilities(g, from, to, prob, 3, dwell, 4, &m, err) == SF_OK);
  sf_graph_destroy(&g);
  return m;
}

static void test_scenarios(void) {
  sf_error err;
  sf_model* m = chain_model(&err);
  sf_scenario *base = NULL, *lift = NULL, *more = NULL, *gone = NULL, *bad = NULL;
  CHECK(sf_scenario_create(m, 100, NULL, &base, &err) == SF_OK);
  const char* name = NULL;
  CHECK(sf_scenario_name(base, &name, &err) == SF_OK && strcmp(name, "baseline") == 0);
  /* +10 points on A -> B: 0.6, taken from A -> Lost. */
  CHECK(sf_scenario_change(base, SF_CHANGE_LIFT, "A", "B", 10, "lift", &lift, &err) == SF_OK);
  CHECK(sf_scenario_name(lift, &name, &err) == SF_OK && strcmp(name, "lift") == 0);
  /* ... then 20 more leads a week: 120. */
  CHECK(sf_scenario_change(lift, SF_CHANGE_ADD_LEADS, NULL, NULL, 20, "lift+leads", &more, &err) ==
        SF_OK);
  CHECK(sf_scenario_change(base, SF_CHANGE_REMOVE_STAGE, "B", NULL, 0, "no B", &gone, &err) == SF_OK);
  const sf_scenario* others[] = {lift, more, gone};
  sf_comparison* cmp = NULL;
  CHECK(sf_compare_create(base, others, 3, 1000, &cmp, &err) == SF_OK);
  size_t rows = 0;
  CHECK(sf_comparison_num_rows(cmp, &rows, &err) == SF_OK && rows == 4);
  const char* changes = NULL;
  CHECK(sf_comparison_row_text(cmp, 2, &name, &changes, &err) == SF_OK);
  CHECK(strcmp(name, "lift+leads") == 0);
  CHECK(contains(changes, "lift A -> B by +10 points") && contains(changes, "+20 leads a week"));
  CHECK(sf_comparison_row_text(cmp, 4, &name, &changes, &err) == SF_OUT_OF_RANGE);
  double v[4];
  CHECK(sf_comparison_values(cmp, SF_COMPARE_WIN_RATE, v, 4, &err) == SF_OK);
  CHECK(near(v[0], 0.5, 1e-12) && near(v[1], 0.6, 1e-12) && near(v[2], 0.6, 1e-12) && v[3] == 0);
  CHECK(sf_comparison_values(cmp, SF_COMPARE_LEADS_PER_WEEK, v, 4, &err) == SF_OK);
  CHECK(v[0] == 100 && v[1] == 100 && v[2] == 120 && v[3] == 100);
  CHECK(sf_comparison_values(cmp, SF_COMPARE_WINS_PER_WEEK, v, 4, &err) == SF_OK);
  CHECK(near(v[0], 50, 1e-9) && near(v[1], 60, 1e-9) && near(v[2], 72, 1e-9));
  CHECK(sf_comparison_values(cmp, SF_COMPARE_REVENUE_PER_WEEK, v, 4, &err) == SF_OK);
  CHECK(near(v[2], 72000, 1e-6));
  /* Days to close from A: 10 + P(A -> B) x 5. */
  CHECK(sf_comparison_values(cmp, SF_COMPARE_DAYS_TO_CLOSE, v, 4, &err) == SF_OK);
  CHECK(near(v[0], 12.5, 1e-9) && near(v[1], 13.0, 1e-9) && near(v[3], 10.0, 1e-9));
  CHECK(sf_comparison_values(cmp, SF_COMPARE_DELTA_WINS_PER_WEEK, v, 4, &err) == SF_OK);
  CHECK(v[0] == 0 && near(v[1], 10, 1e-9) && near(v[2], 22, 1e-9) && near(v[3], -50, 1e-9));
  CHECK(sf_comparison_values(cmp, SF_COMPARE_DELTA_REVENUE_PER_WEEK, v, 4, &err) == SF_OK);
  CHECK(near(v[1], 10000, 1e-6));
  CHECK(sf_comparison_values(cmp, SF_COMPARE_DELTA_WIN_RATE, v, 4, &err) == SF_OK);
  CHECK(near(v[1], 0.1, 1e-12) && near(v[3], -0.5, 1e-12));
  CHECK(sf_comparison_values(cmp, SF_COMPARE_DELTA_DAYS_TO_CLOSE, v, 4, &err) == SF_OK);
  CHECK(near(v[1], 0.5, 1e-9));
  CHECK(sf_comparison_values(cmp, (sf_comparison_column)99, v, 4, &err) == SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "'column'"));
  CHECK(sf_comparison_values(cmp, SF_COMPARE_WIN_RATE, v, 3, &err) == SF_OUT_OF_RANGE);
  CHECK(sf_comparison_values(cmp, SF_COMPARE_WIN_RATE, NULL, 4, &err) == SF_INVALID_ARGUMENT);
  sf_comparison_destroy(&cmp);
  CHECK(cmp == NULL);
  sf_comparison_destroy(NULL);

  /* The other changes, checked through a one-row comparison each. */
  struct {
    sf_scenario_change_kind kind;
    const char *a, *b;
    double value, win_rate, days;
  } cases[] = {
      {SF_CHANGE_LIFT_FACTOR, "A", "B", 1.5, 0.75, 13.75}, /* 0.5 x 1.5 */
      {SF_CHANGE_SET_RATE, "A", "B", 0.2, 0.2, 11.0},
      {SF_CHANGE_REMOVE_EDGE, "A", "B", 0, 0.0, 10.0},     /* A's share all to Lost */
      {SF_CHANGE_SET_DWELL, "B", NULL, 9, 0.5, 14.5},      /* 10 + 0.5 x 9 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    sf_scenario* s = NULL;
    CHECK(sf_scenario_change(base, cases[i].kind, cases[i].a, cases[i].b, cases[i].value, NULL, &s,
                             &err) == SF_OK);
    CHECK(sf_compare_create(s, NULL, 0, NAN, &cmp, &err) == SF_OK);
    CHECK(sf_comparison_values(cmp, SF_COMPARE_WIN_RATE, v, 1, &err) == SF_OK &&
          near(v[0], cases[i].win_rate, 1e-12));
    CHECK(sf_comparison_values(cmp, SF_COMPARE_DAYS_TO_CLOSE, v, 1, &err) == SF_OK &&
          near(v[0], cases[i].days, 1e-9));
    CHECK(sf_comparison_values(cmp, SF_COMPARE_REVENUE_PER_WEEK, v, 1, &err) == SF_OK && isnan(v[0]));
    sf_comparison_destroy(&cmp);
    sf_scenario_destroy(&s);
  }

  /* Errors. */
  CHECK(sf_scenario_change(base, SF_CHANGE_LIFT, "A", "Won", 10, NULL, &bad, &err) == SF_NOT_FOUND);
  CHECK(contains(err.message, "'A' -> 'Won' is not an edge of the model"));
  CHECK(sf_scenario_change(base, SF_CHANGE_LIFT, "A", "B", 60, NULL, &bad, &err) == SF_OUT_OF_RANGE);
  CHECK(sf_scenario_change(base, SF_CHANGE_SET_DWELL, "B", NULL, -1, NULL, &bad, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_scenario_change(base, SF_CHANGE_REMOVE_STAGE, "Nope", NULL, 0, NULL, &bad, &err) ==
        SF_NOT_FOUND);
  CHECK(sf_scenario_change(base, SF_CHANGE_LIFT, NULL, "B", 1, NULL, &bad, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'a' is NULL") == 0);
  CHECK(sf_scenario_change(base, SF_CHANGE_LIFT, "A", NULL, 1, NULL, &bad, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'b' is NULL") == 0);
  CHECK(sf_scenario_change(base, (sf_scenario_change_kind)42, "A", "B", 1, NULL, &bad, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "'kind'"));
  CHECK(sf_scenario_change(base, SF_CHANGE_ADD_LEADS, NULL, NULL, 1, "bad\xff", &bad, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_scenario_change(NULL, SF_CHANGE_ADD_LEADS, NULL, NULL, 1, NULL, &bad, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_scenario_change(base, SF_CHANGE_ADD_LEADS, NULL, NULL, 1, NULL, NULL, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(bad == NULL);
  CHECK(sf_scenario_create(NULL, 1, NULL, &bad, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_scenario_create(m, 1, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_scenario_create(m, 1, "\xc3", &bad, &err) == SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "UTF-8"));
  CHECK(sf_scenario_name(NULL, &name, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_scenario_name(base, NULL, &err) == SF_INVALID_ARGUMENT);
  const sf_scenario* holes[] = {lift, NULL};
  CHECK(sf_compare_create(base, holes, 2, NAN, &cmp, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "others[1] is NULL") == 0);
  CHECK(sf_compare_create(base, NULL, 1, NAN, &cmp, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_compare_create(NULL, NULL, 0, NAN, &cmp, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_compare_create(base, NULL, 0, NAN, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_comparison_num_rows(NULL, &rows, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_comparison_row_text(NULL, 0, &name, NULL, &err) == SF_INVALID_ARGUMENT);

  /* Stage removal: without B nobody wins, so P(won | A) falls by 0.5; from B by 1. */
  double effect = 0;
  CHECK(sf_model_stage_removal_effect(m, "B", NULL, &effect, &err) == SF_OK && near(effect, -0.5, 1e-12));
  CHECK(sf_model_stage_removal_effect(m, "B", "B", &effect, &err) == SF_OK && near(effect, -1.0, 1e-12));
  CHECK(sf_model_stage_removal_effect(m, "Nope", NULL, &effect, &err) == SF_NOT_FOUND);
  CHECK(sf_model_stage_removal_effect(m, "B", "Nope", &effect, &err) == SF_NOT_FOUND);
  CHECK(sf_model_stage_removal_effect(NULL, "B", NULL, &effect, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_model_stage_removal_effect(m, NULL, NULL, &effect, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_model_stage_removal_effect(m, "B", NULL, NULL, &err) == SF_INVALID_ARGUMENT);

  sf_scenario_destroy(&base);
  sf_scenario_destroy(&lift);
  sf_scenario_destroy(&more);
  sf_scenario_destroy(&gone);
  CHECK(base == NULL && gone == NULL);
  sf_scenario_destroy(NULL);
  sf_model_destroy(&m);
}

static void test_stats_merge(const sf_graph* g) {
  /* Rows 0-10 hold deals A, B, C; rows 11-17 hold D and E. */
  sf_error err;
  sf_log *first = NULL, *second = NULL, *whole = NULL;
  CHECK(sf_log_create(g, 11, deals, stages, seconds, &first, &err) == SF_OK);
  CHECK(sf_log_create(g, 7, deals + 11, stages + 11, seconds + 11, &second, &err) == SF_OK);
  CHECK(sf_log_create(g, N, deals, stages, seconds, &whole, &err) == SF_OK);
  const int64_t as_of = 20 * DAY;
  sf_funnel_stats *a = NULL, *b = NULL, *late = NULL;
  CHECK(sf_funnel_stats_create(first, &as_of, &a, &err) == SF_OK);
  CHECK(sf_funnel_stats_create(second, &as_of, &b, &err) == SF_OK);
  int64_t n = 0;
  CHECK(sf_funnel_stats_num_deals(a, &n, &err) == SF_OK && n == 3);
  CHECK(sf_funnel_stats_merge(a, b, &err) == SF_OK);
  CHECK(sf_funnel_stats_num_deals(a, &n, &err) == SF_OK && n == 5);
  sf_report *merged = NULL, *direct = NULL;
  CHECK(sf_funnel_from_stats(a, &merged, &err) == SF_OK);
  CHECK(sf_funnel_create(whole, &as_of, &direct, &err) == SF_OK);
  int64_t got[10], want[10];
  const sf_report_count cols[] = {SF_COUNT_REACHED, SF_COUNT_ADVANCED, SF_COUNT_DROPPED,
                                  SF_COUNT_OPEN, SF_COUNT_STAYS_COMPLETED};
  for (size_t c = 0; c < sizeof cols / sizeof cols[0]; ++c) {
    CHECK(sf_report_stage_counts(merged, cols[c], got, 10, &err) == SF_OK);
    CHECK(sf_report_stage_counts(direct, cols[c], want, 10, &err) == SF_OK);
    CHECK(memcmp(got, want, sizeof got) == 0);
  }
  const int64_t reached[10] = {5, 4, 3, 2, 1, 0, 1, 0, 2, 0}; /* the hand count of test_capi.c */
  CHECK(sf_report_stage_counts(merged, SF_COUNT_REACHED, got, 10, &err) == SF_OK &&
        memcmp(got, reached, sizeof got) == 0);
  double p = 0;
  CHECK(sf_report_conversion(merged, "Lead", "Contact", &p, &err) == SF_OK && near(p, 0.8, 1e-15));
  sf_report_destroy(&merged);
  sf_report_destroy(&direct);

  /* The binary form round-trips: the copy's report has the same counts. */
  size_t len = 0;
  CHECK(sf_funnel_stats_to_bytes(a, NULL, 0, &len, &err) == SF_OK && len > 0);
  uint8_t* bytes = malloc(len);
  uint8_t tiny[4];
  CHECK(sf_funnel_stats_to_bytes(a, tiny, sizeof tiny, &len, &err) == SF_OUT_OF_RANGE);
  CHECK(contains(err.message, "buffer too small"));
  CHECK(sf_funnel_stats_to_bytes(a, bytes, len, &len, &err) == SF_OK);
  sf_funnel_stats* copy = NULL;
  CHECK(sf_funnel_stats_from_bytes(g, bytes, len, &copy, &err) == SF_OK);
  CHECK(sf_funnel_stats_num_deals(copy, &n, &err) == SF_OK && n == 5);
  CHECK(sf_funnel_from_stats(copy, &merged, &err) == SF_OK);
  CHECK(sf_report_stage_counts(merged, SF_COUNT_REACHED, got, 10, &err) == SF_OK &&
        memcmp(got, reached, sizeof got) == 0);
  sf_report_destroy(&merged);
  sf_funnel_stats_destroy(&copy);
  CHECK(sf_funnel_stats_from_bytes(g, bytes, len / 2, &copy, &err) != SF_OK && copy == NULL);
  sf_graph* other = NULL;
  CHECK(sf_graph_template("ten_commitments", &other, &err) == SF_OK);
  CHECK(sf_funnel_stats_from_bytes(other, bytes, len, &copy, &err) == SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "argument 'graph'"));
  sf_graph_destroy(&other);
  CHECK(sf_funnel_stats_from_bytes(NULL, bytes, len, &copy, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_stats_from_bytes(g, NULL, len, &copy, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_stats_from_bytes(g, bytes, len, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_stats_to_bytes(NULL, NULL, 0, &len, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_stats_to_bytes(a, NULL, 10, &len, &err) == SF_INVALID_ARGUMENT);
  free(bytes);

  /* Statistics that share a deal refuse to merge: the whole log's share A-E with a's. */
  sf_funnel_stats* overlap = NULL;
  CHECK(sf_funnel_stats_create(whole, &as_of, &overlap, &err) == SF_OK);
  CHECK(sf_funnel_stats_merge(a, overlap, &err) == SF_FAILED_PRECONDITION);
  CHECK(sf_funnel_stats_num_deals(a, &n, &err) == SF_OK && n == 5); /* unchanged */
  sf_funnel_stats_destroy(&overlap);

  /* Another as_of refuses to merge; so does another graph. */
  const int64_t other_time = 30 * DAY;
  CHECK(sf_funnel_stats_create(second, &other_time, &late, &err) == SF_OK);
  CHECK(sf_funnel_stats_merge(a, late, &err) == SF_FAILED_PRECONDITION);
  CHECK(contains(err.message, "different as_of"));
  sf_funnel_stats_destroy(&late);
  sf_graph* tc = NULL;
  sf_log* other_graph = NULL;
  CHECK(sf_graph_template("ten_commitments", &tc, &err) == SF_OK);
  const char* tc_deals[] = {"x"};
  const char* tc_stages[] = {"Prospect"}; /* its entry stage */
  const int64_t tc_times[] = {0};
  if (sf_log_create(tc, 1, tc_deals, tc_stages, tc_times, &other_graph, &err) == SF_OK) {
    CHECK(sf_funnel_stats_create(other_graph, &as_of, &late, &err) == SF_OK);
    CHECK(sf_funnel_stats_merge(a, late, &err) == SF_INVALID_ARGUMENT);
    CHECK(contains(err.message, "different stage graphs"));
  } else {
    CHECK(0 && "ten_commitments log");
  }
  sf_funnel_stats_destroy(&late);
  sf_log_destroy(&other_graph);
  sf_graph_destroy(&tc);

  /* A log without a graph has no funnel statistics. */
  sf_log* bare = full_log(NULL, &err);
  CHECK(sf_funnel_stats_create(bare, NULL, &late, &err) == SF_FAILED_PRECONDITION && late == NULL);
  sf_log_destroy(&bare);
  CHECK(sf_funnel_stats_create(NULL, NULL, &late, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_stats_create(first, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_stats_merge(NULL, b, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'into' is NULL") == 0);
  CHECK(sf_funnel_stats_merge(a, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_stats_num_deals(NULL, &n, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_from_stats(NULL, &merged, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_from_stats(a, NULL, &err) == SF_INVALID_ARGUMENT);
  sf_funnel_stats_destroy(&a);
  sf_funnel_stats_destroy(&b);
  CHECK(a == NULL);
  sf_funnel_stats_destroy(NULL);
  sf_log_destroy(&first);
  sf_log_destroy(&second);
  sf_log_destroy(&whole);
}

static void test_discover(void) {
  /* Directly-follows pairs of the five deals: Lead -> Contact 4, Contact ->
   * First Meeting 3, First Meeting -> Active Prospect 2, Active Prospect ->
   * Client 1, Active Prospect -> Lost 1, Contact -> Disqualified 1, Lead ->
   * Disqualified 1: 7 stages, 7 transitions; Lead starts every deal. */
  sf_error err;
  sf_log* log = full_log(NULL, &err);
  const char* won[] = {"Client"};
  const char* lost[] = {"Lost", "Disqualified"};
  sf_graph* g = NULL;
  CHECK(sf_graph_discover(log, won, 1, lost, 2, NULL, 0, 1, NULL, &g, &err) == SF_OK);
  int32_t n = 0;
  CHECK(sf_graph_num_stages(g, &n, &err) == SF_OK && n == 7);
  CHECK(sf_graph_num_transitions(g, &n, &err) == SF_OK && n == 7);
  int32_t id = -1;
  sf_stage_kind kind;
  CHECK(sf_graph_find_stage(g, "Lead", &id, &err) == SF_OK);
  CHECK(sf_graph_stage_kind(g, id, &kind, &err) == SF_OK && kind == SF_STAGE_ENTRY);
  CHECK(sf_graph_find_stage(g, "Disqualified", &id, &err) == SF_OK);
  CHECK(sf_graph_stage_kind(g, id, &kind, &err) == SF_OK && kind == SF_STAGE_LOST);
  sf_graph_destroy(&g);
  /* At least 2 sightings keeps only the first three pairs: Active Prospect
   * then reaches no outcome, and the graph does not validate. */
  CHECK(sf_graph_discover(log, won, 1, lost, 2, NULL, 0, 2, "strict", &g, &err) ==
        SF_FAILED_PRECONDITION && g == NULL);
  const char* nope[] = {"Nope"};
  CHECK(sf_graph_discover(log, nope, 1, lost, 2, NULL, 0, 1, NULL, &g, &err) == SF_NOT_FOUND);
  CHECK(contains(err.message, "stage 'Nope' does not occur in the log"));
  const char* hole[] = {NULL};
  CHECK(sf_graph_discover(log, won, 1, hole, 1, NULL, 0, 1, NULL, &g, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "lost[0] is NULL") == 0);
  CHECK(sf_graph_discover(log, NULL, 1, lost, 2, NULL, 0, 1, NULL, &g, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_graph_discover(log, won, 1, lost, 2, NULL, 0, 1, "bad\xff", &g, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'name' is not valid UTF-8") == 0);
  CHECK(sf_graph_discover(NULL, won, 1, lost, 2, NULL, 0, 1, NULL, &g, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_graph_discover(log, won, 1, lost, 2, NULL, 0, 1, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  sf_log_destroy(&log);
}

/* Meetings: A at day 3 (task, next booked); C at day 3 (task, booked) and
 * day 5 (no task, nothing booked); E at day 2 (no task, nothing booked). */
static sf_meetings* meetings_of_five(sf_error* err, int with_tasks) {
  const char* m_deal[] = {"A", "C", "C", "E"};
  const int64_t m_time[] = {3 * DAY, 3 * DAY, 5 * DAY, 2 * DAY};
  const char* task[] = {"send the deck", "survey the team", NULL, ""};
  const uint8_t booked[] = {1, 1, 0, 0};
  sf_meetings* m = NULL;
  CHECK(sf_meetings_create(4, m_deal, m_time, SF_TIME_SECONDS, NULL, with_tasks ? task : NULL,
                           with_tasks ? booked : NULL, &m, err) == SF_OK);
  return m;
}

static void test_methodology(const sf_graph* g) {
  sf_error err;
  sf_log* log = full_log(g, &err);
  const int64_t as_of = 20 * DAY;
  sf_meetings* meet = meetings_of_five(&err, 1);
  int64_t count = 0;
  CHECK(sf_meetings_num_meetings(meet, &count, &err) == SF_OK && count == 4);

  /* The audit at day 20: C is the only open deal. The won cycle is A's 10
   * days; C is 19 days old (first event day 1), 15 days in First Meeting. */
  sf_audit* audit = NULL;
  CHECK(sf_audit_create(log, NULL, NULL, &as_of, &audit, &err) == SF_OK);
  size_t rows = 0;
  CHECK(sf_audit_num_rows(audit, &rows, &err) == SF_OK && rows == 1);
  const char* deal = NULL;
  const char* reasons = NULL;
  int32_t stage = -1;
  double amt = 0, age = 0, in_stage = 0;
  int64_t held = 0;
  uint8_t qualified = 1;
  CHECK(sf_audit_rows(audit, &deal, &stage, &amt, &age, &in_stage, &held, &qualified, &reasons, 1,
                      &err) == SF_OK);
  CHECK(strcmp(deal, "C") == 0 && stage == 2 && amt == 70 && near(age, 19, 1e-9) &&
        near(in_stage, 15, 1e-9) && held == -1 && qualified == 0);
  CHECK(reasons[0] != '\0');
  int64_t raw_n = 0, q_n = 0;
  double raw_v = 0, q_v = 0, cycle = 0;
  CHECK(sf_audit_totals(audit, &raw_n, &raw_v, &q_n, &q_v, &cycle, &err) == SF_OK);
  CHECK(raw_n == 1 && raw_v == 70 && q_n == 0 && q_v == 0 && near(cycle, 10, 1e-9));
  CHECK(sf_audit_rows(audit, &deal, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &err) ==
        SF_OUT_OF_RANGE);
  sf_audit_destroy(&audit);
  CHECK(audit == NULL);
  /* With the meeting log: C held 2 meetings, so it passes the two-meeting rule. */
  CHECK(sf_audit_create(log, meet, NULL, &as_of, &audit, &err) == SF_OK);
  CHECK(sf_audit_rows(audit, NULL, NULL, NULL, NULL, NULL, &held, &qualified, &reasons, 1, &err) ==
        SF_OK && held == 2 && qualified == 0);
  CHECK(!contains(reasons, "meeting"));
  sf_audit_destroy(&audit);
  CHECK(sf_audit_create(log, NULL, "Nope", &as_of, &audit, &err) == SF_NOT_FOUND);
  CHECK(sf_audit_create(NULL, NULL, NULL, NULL, &audit, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_audit_create(log, NULL, NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_audit_num_rows(NULL, &rows, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_audit_rows(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_audit_totals(NULL, NULL, NULL, NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  sf_audit_destroy(NULL);

  /* Buyer accountability: C's last meeting (day 5) ended with no task and
   * nothing booked: at risk. History by first meeting: A unflagged and won,
   * E flagged (blank task) and lost. */
  sf_accountability* acc = NULL;
  CHECK(sf_accountability_create(log, meet, &as_of, &acc, &err) == SF_OK);
  CHECK(sf_accountability_num_rows(acc, &rows, &err) == SF_OK && rows == 1);
  uint8_t task = 9, booked = 9, risk = 9;
  const char* reason = NULL;
  CHECK(sf_accountability_rows(acc, &deal, &stage, &held, &task, &booked, &risk, &reason, 1, &err) ==
        SF_OK);
  CHECK(strcmp(deal, "C") == 0 && stage == 2 && held == 2 && task == 0 && booked == 0 && risk == 1);
  CHECK(reason != NULL && reason[0] != '\0');
  int64_t fl = 0, fl_won = 0, unfl = 0, unfl_won = 0;
  double pv = -1;
  CHECK(sf_accountability_history(acc, &fl, &fl_won, &unfl, &unfl_won, &pv, &err) == SF_OK);
  CHECK(fl == 1 && fl_won == 0 && unfl == 1 && unfl_won == 1 && pv >= 0 && pv <= 1);
  CHECK(sf_accountability_rows(acc, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, &err) == SF_OUT_OF_RANGE);
  sf_accountability_destroy(&acc);
  CHECK(acc == NULL);
  sf_meetings* bare = meetings_of_five(&err, 0);
  CHECK(sf_accountability_create(log, bare, &as_of, &acc, &err) == SF_FAILED_PRECONDITION);
  CHECK(contains(err.message, "buyer_task and next_meeting_booked"));
  CHECK(sf_accountability_create(log, NULL, &as_of, &acc, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'meetings' is NULL") == 0);
  CHECK(sf_accountability_num_rows(NULL, &rows, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_accountability_history(NULL, NULL, NULL, NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  sf_meetings_destroy(&bare);

  /* Meeting-log errors name the column and row. */
  const char* m_deal[] = {"A", NULL};
  const int64_t m_time[] = {0, 0};
  CHECK(sf_meetings_create(2, m_deal, m_time, SF_TIME_SECONDS, NULL, NULL, NULL, &bare, &err) ==
        SF_INVALID_ARGUMENT && bare == NULL);
  CHECK(contains(err.message, "row 1"));
  CHECK(sf_meetings_create(2, m_deal, m_time, (sf_time_unit)7, NULL, NULL, NULL, &bare, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_meetings_create(2, NULL, m_time, SF_TIME_SECONDS, NULL, NULL, NULL, &bare, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_meetings_create(0, NULL, NULL, SF_TIME_SECONDS, NULL, NULL, NULL, NULL, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_meetings_num_meetings(NULL, &count, &err) == SF_INVALID_ARGUMENT);
  sf_meetings_destroy(NULL);

  /* Lead batches by segment, every batch mature (maturity 0 days). ent (B, D):
   * Lead -> Contact 1 advanced (B) of 2 resolved (D lost at Lead): 0.5, below
   * a 0.9 target. smb (A, C, E): 3 of 3: meets it. */
  const char* tstage[] = {"Lead"};
  const double trate[] = {0.9};
  sf_batches* bt = NULL;
  CHECK(sf_batches_create(log, "segment", tstage, trate, 1, 0.0, &as_of, &bt, &err) == SF_OK);
  double mat = -1;
  CHECK(sf_batches_maturity_days(bt, &mat, &err) == SF_OK && mat == 0);
  CHECK(sf_batches_num_rows(bt, &rows, &err) == SF_OK && rows >= 2 && rows % 2 == 0);
  const char* batch[32];
  const char* from[32];
  const char* to[32];
  int64_t adv[32], res[32], opn[32];
  double rate[32], target[32];
  int32_t status[32];
  CHECK(rows <= 32);
  CHECK(sf_batches_rows(bt, batch, from, to, adv, res, opn, rate, target, status, 32, &err) == SF_OK);
  const size_t half = rows / 2;
  CHECK(strcmp(batch[0], "ent") == 0 && strcmp(from[0], "Lead") == 0 && strcmp(to[0], "Contact") == 0);
  CHECK(adv[0] == 1 && res[0] == 2 && opn[0] == 0 && rate[0] == 0.5 && target[0] == 0.9 &&
        status[0] == SF_TARGET_BELOW);
  CHECK(strcmp(batch[half], "smb") == 0 && strcmp(from[half], "Lead") == 0);
  CHECK(adv[half] == 3 && res[half] == 3 && rate[half] == 1.0 && status[half] == SF_TARGET_MEETS);
  CHECK(isnan(target[1]) && status[1] == SF_TARGET_NO_TARGET);
  CHECK(sf_batches_rows(bt, batch, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, &err) ==
        SF_OUT_OF_RANGE);
  sf_batches_destroy(&bt);
  CHECK(bt == NULL);
  CHECK(sf_batches_create(log, "region", NULL, NULL, 0, NAN, NULL, &bt, &err) == SF_NOT_FOUND);
  CHECK(sf_batches_create(log, "segment", NULL, NULL, 0, -1.0, NULL, &bt, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_batches_create(log, "segment", tstage, NULL, 1, NAN, NULL, &bt, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'target_rates' is NULL") == 0);
  CHECK(sf_batches_create(log, NULL, NULL, NULL, 0, NAN, NULL, &bt, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_batches_create(NULL, "segment", NULL, NULL, 0, NAN, NULL, &bt, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_batches_num_rows(NULL, &rows, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_batches_maturity_days(NULL, &mat, &err) == SF_INVALID_ARGUMENT);

  /* Coverage with quotas ann 600, bob 400, team 1000, nothing booked (no
   * period): ann's open pipeline is C's 70 (raw 70 / 600), bob has none;
   * C fails the age rule, so the qualified pipeline is empty. Win rates:
   * ann 1 of 2 (A won, E lost) -> needs 2x; team 1 of 4 -> 4x. */
  const char* qrep[] = {"ann", "bob"};
  const double quota[] = {600, 400};
  sf_coverage* cov = NULL;
  CHECK(sf_coverage_create(log, 1000, qrep, quota, 2, NULL, NULL, &as_of, &cov, &err) == SF_OK);
  CHECK(sf_coverage_num_rows(cov, &rows, &err) == SF_OK && rows == 3);
  const char* who = NULL;
  CHECK(sf_coverage_rep(cov, 0, &who, &err) == SF_OK && strcmp(who, "ann") == 0);
  CHECK(sf_coverage_rep(cov, 2, &who, &err) == SF_OK && strcmp(who, "(team)") == 0);
  CHECK(sf_coverage_rep(cov, 3, &who, &err) == SF_OUT_OF_RANGE);
  double cv[3];
  CHECK(sf_coverage_values(cov, SF_COVERAGE_QUOTA, cv, 3, &err) == SF_OK);
  CHECK(cv[0] == 600 && cv[1] == 400 && cv[2] == 1000);
  CHECK(sf_coverage_values(cov, SF_COVERAGE_OPEN_VALUE, cv, 3, &err) == SF_OK);
  CHECK(cv[0] == 70 && cv[1] == 0 && cv[2] == 70);
  CHECK(sf_coverage_values(cov, SF_COVERAGE_RAW, cv, 3, &err) == SF_OK);
  CHECK(near(cv[0], 70.0 / 600, 1e-12) && cv[1] == 0 && near(cv[2], 0.07, 1e-12));
  CHECK(sf_coverage_values(cov, SF_COVERAGE_QUALIFIED, cv, 3, &err) == SF_OK && cv[2] == 0);
  CHECK(sf_coverage_values(cov, SF_COVERAGE_WIN_RATE, cv, 3, &err) == SF_OK);
  CHECK(near(cv[0], 0.5, 1e-15) && cv[1] == 0 && near(cv[2], 0.25, 1e-15));
  CHECK(sf_coverage_values(cov, SF_COVERAGE_REQUIRED, cv, 3, &err) == SF_OK);
  CHECK(near(cv[0], 2, 1e-12) && near(cv[2], 4, 1e-12));
  CHECK(sf_coverage_values(cov, SF_COVERAGE_REMAINING, cv, 3, &err) == SF_OK && cv[2] == 1000);
  CHECK(sf_coverage_values(cov, SF_COVERAGE_BOOKED, cv, 3, &err) == SF_OK && cv[2] == 0);
  CHECK(sf_coverage_values(cov, SF_COVERAGE_COVERED, cv, 3, &err) == SF_OK && cv[2] == 0);
  const sf_coverage_column more[] = {SF_COVERAGE_QUALIFIED_VALUE, SF_COVERAGE_WIN_RATE_LOW,
                                     SF_COVERAGE_WIN_RATE_HIGH, SF_COVERAGE_AVERAGE_DEAL_SIZE,
                                     SF_COVERAGE_CYCLE_DAYS, SF_COVERAGE_VELOCITY_RAW,
                                     SF_COVERAGE_VELOCITY_QUALIFIED};
  for (size_t c = 0; c < sizeof more / sizeof more[0]; ++c) {
    CHECK(sf_coverage_values(cov, more[c], cv, 3, &err) == SF_OK);
  }
  CHECK(sf_coverage_values(cov, SF_COVERAGE_AVERAGE_DEAL_SIZE, cv, 3, &err) == SF_OK && cv[2] == 100);
  CHECK(sf_coverage_values(cov, SF_COVERAGE_CYCLE_DAYS, cv, 3, &err) == SF_OK && near(cv[2], 10, 1e-9));
  CHECK(sf_coverage_values(cov, (sf_coverage_column)77, cv, 3, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_coverage_values(cov, SF_COVERAGE_QUOTA, cv, 2, &err) == SF_OUT_OF_RANGE);
  sf_coverage_destroy(&cov);
  CHECK(cov == NULL);
  const char* ghost[] = {"zed"};
  CHECK(sf_coverage_create(log, NAN, ghost, quota, 1, NULL, NULL, NULL, &cov, &err) != SF_OK);
  CHECK(sf_coverage_create(log, NAN, NULL, quota, 1, NULL, NULL, NULL, &cov, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_coverage_create(NULL, 1, NULL, NULL, 0, NULL, NULL, NULL, &cov, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_coverage_num_rows(NULL, &rows, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_coverage_rep(NULL, 0, &who, &err) == SF_INVALID_ARGUMENT);

  /* Reps from Lead to Client: ann n 2 (A won, E lost; C open), bob n 2 (both
   * lost). Wilson 95% for 1 of 2: 0.5 +- 0.4055. */
  sf_reps* rp = NULL;
  CHECK(sf_reps_create(log, "Lead", "Client", 1, &as_of, &rp, &err) == SF_OK);
  CHECK(sf_reps_num_rows(rp, &rows, &err) == SF_OK && rows == 2);
  const char* rname[2];
  int64_t rn[2], rw[2], ro[2];
  double rr[2], rl[2], rh[2], rs[2];
  int32_t rk[2];
  CHECK(sf_reps_rows(rp, rname, rn, rw, ro, rr, rl, rh, rs, rk, 2, &err) == SF_OK);
  CHECK(strcmp(rname[0], "ann") == 0 && rn[0] == 2 && rw[0] == 1 && ro[0] == 1 && rr[0] == 0.5);
  CHECK(near(rl[0], 0.0945, 1e-3) && near(rh[0], 0.9055, 1e-3));
  CHECK(strcmp(rname[1], "bob") == 0 && rn[1] == 2 && rw[1] == 0 && rr[1] == 0);
  /* Four resolved deals cannot tell two reps apart: the fitted prior pools
   * them fully, both shrink to the team's 1 of 4, and ties share rank 1. */
  CHECK(near(rs[0], 0.25, 1e-9) && near(rs[1], 0.25, 1e-9) && rk[0] == 1 && rk[1] == 1);
  int64_t tn = 0, tw = 0;
  double trr = 0, tl = 0, th = 0, pa = 0, pb = 0;
  CHECK(sf_reps_team(rp, &tn, &tw, &trr, &tl, &th, &pa, &pb, &err) == SF_OK);
  CHECK(tn == 4 && tw == 1 && trr == 0.25 && tl < 0.25 && th > 0.25);
  CHECK(sf_reps_rows(rp, rname, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, &err) == SF_OUT_OF_RANGE);
  sf_reps_destroy(&rp);
  CHECK(rp == NULL);
  CHECK(sf_reps_create(log, "Lead", "Nope", 1, NULL, &rp, &err) == SF_NOT_FOUND);
  CHECK(sf_reps_create(log, NULL, "Client", 1, NULL, &rp, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_reps_create(NULL, "Lead", "Client", 1, NULL, &rp, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_reps_num_rows(NULL, &rows, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_reps_team(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  sf_reps_destroy(NULL);

  sf_meetings_destroy(&meet);
  CHECK(meet == NULL);
  sf_log_destroy(&log);
}

/* Rows [b, e) of the five deals on a builder (deal, stage, time only). */
static sf_log_builder* rows(size_t b, size_t e, int appendable, const sf_graph* g, sf_error* err) {
  sf_log_builder* out = NULL;
  CHECK(sf_log_builder_create(&out, err) == SF_OK);
  CHECK(sf_log_builder_set_deal_str(out, deals + b, e - b, err) == SF_OK);
  CHECK(sf_log_builder_set_stage_str(out, stages + b, e - b, err) == SF_OK);
  CHECK(sf_log_builder_set_time(out, seconds + b, e - b, SF_TIME_SECONDS, err) == SF_OK);
  if (g) CHECK(sf_log_builder_set_graph(out, g, err) == SF_OK);
  CHECK(sf_log_builder_set_appendable(out, appendable, err) == SF_OK);
  return out;
}

/* Appends: deals A and B (rows 0-7) first, then C, D, E (rows 8-17) in two
 * appends; the log and the live report then count what the whole log does:
 * 5 deals, 18 events, 1 won, 3 lost, 1 open; reached Contact 4. */
static void test_append(const sf_graph* g) {
  sf_error err;
  sf_log_builder* first = rows(0, 8, 1, g, &err);
  sf_log_builder* second = rows(8, 13, 0, NULL, &err);
  sf_log_builder* third = rows(13, N, 0, NULL, &err);
  sf_log* log = NULL;
  CHECK(sf_log_builder_build(first, &log, &err) == SF_OK);
  int64_t fresh = -1, n = 0;
  CHECK(sf_log_append(log, second, &fresh, &err) == SF_OK);
  CHECK(fresh == 2);
  CHECK(sf_log_num_deals(log, &n, &err) == SF_OK && n == 4);

  sf_live* live = NULL;
  CHECK(sf_live_create(log, NULL, NAN, &live, &err) == SF_OK);
  sf_log_destroy(&log);  /* the live funnel holds the log now */
  CHECK(sf_live_append(live, third, &fresh, &err) == SF_OK);
  CHECK(fresh == 1);
  sf_report* rep = NULL;
  CHECK(sf_live_report(live, &rep, &err) == SF_OK);
  int64_t deals_n = 0, won = 0, lost = 0, open = 0, contact = 0;
  CHECK(sf_report_totals(rep, &deals_n, &won, &lost, &open, &err) == SF_OK);
  CHECK(deals_n == 5 && won == 1 && lost == 3 && open == 1);
  CHECK(sf_report_reached(rep, "Contact", &contact, &err) == SF_OK && contact == 4);
  sf_report_destroy(&rep);
  sf_log* snap = NULL;
  CHECK(sf_live_log(live, &snap, &err) == SF_OK);
  CHECK(sf_log_num_events(snap, &n, &err) == SF_OK && n == 18);

  /* Errors: a log built without appendable; a blank deal id (nothing changes);
   * NULL handles; staleness must be > 0. */
  sf_log* plain = NULL;
  sf_log_builder* again = rows(0, 8, 0, g, &err);
  CHECK(sf_log_builder_build(again, &plain, &err) == SF_OK);
  CHECK(sf_log_append(plain, second, NULL, &err) == SF_FAILED_PRECONDITION);
  CHECK(contains(err.message, "appendable"));
  sf_live* other = NULL;
  CHECK(sf_live_create(plain, NULL, NAN, &other, &err) == SF_FAILED_PRECONDITION);
  CHECK(other == NULL);
  const char* blank[1] = {""};
  const char* lead[1] = {"Lead"};
  const int64_t t0[1] = {0};
  sf_log_builder* bad = NULL;
  CHECK(sf_log_builder_create(&bad, &err) == SF_OK);
  CHECK(sf_log_builder_set_deal_str(bad, blank, 1, &err) == SF_OK);
  CHECK(sf_log_builder_set_stage_str(bad, lead, 1, &err) == SF_OK);
  CHECK(sf_log_builder_set_time(bad, t0, 1, SF_TIME_SECONDS, &err) == SF_OK);
  CHECK(sf_live_append(live, bad, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "column 'deal', row 0: missing deal id"));
  sf_log_destroy(&snap);
  CHECK(sf_live_log(live, &snap, &err) == SF_OK);
  CHECK(sf_log_num_events(snap, &n, &err) == SF_OK && n == 18);
  CHECK(sf_log_append(NULL, second, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_live_append(live, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_live_report(NULL, &rep, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_live_create(snap, NULL, -3, &other, &err) == SF_INVALID_ARGUMENT);

  sf_log_builder_destroy(&bad);
  sf_log_builder_destroy(&again);
  sf_log_destroy(&plain);
  sf_log_destroy(&snap);
  sf_live_destroy(&live);
  sf_live_destroy(&live); /* destroying twice is safe */
  sf_log_builder_destroy(&first);
  sf_log_builder_destroy(&second);
  sf_log_builder_destroy(&third);
}

int main(void) {
  for (int i = 0; i < N; ++i) seconds[i] = days[i] * DAY;
  sf_error err;
  sf_graph* g = NULL;
  CHECK(sf_graph_template("sales_cycle", &g, &err) == SF_OK);
  test_short_forms(g);
  test_scenarios();
  test_stats_merge(g);
  test_discover();
  test_methodology(g);
  test_append(g);
  sf_graph_destroy(&g);
  return report();
}
