/* Calls every C function of the foundation and every error path, on the
 * five hand-counted deals of tests/cpp/hand_log.hpp (times in days):
 * A won at Client; B disqualified after Contact; C open at First Meeting;
 * D disqualified at Lead; E lost at Active Prospect; read at day 20. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "salesfunnel/salesfunnel.h"

#include "check.h"


#define DAY 86400

static const char* deals[] = {"A", "A", "A", "A", "A", "B", "B", "B", "C",
                              "C", "C", "D", "D", "E", "E", "E", "E", "E"};
static const char* stages[] = {"Lead", "Contact", "First Meeting", "Active Prospect", "Client",
                               "Lead", "Contact", "Disqualified",
                               "Lead", "Contact", "First Meeting",
                               "Lead", "Disqualified",
                               "Lead", "Contact", "First Meeting", "Active Prospect", "Lost"};
static const int64_t days[] = {0, 1, 3, 6, 10, 0, 2, 4, 1, 2, 5, 2, 3, 0, 1, 2, 4, 8};
static const char* reps[] = {"ann", "ann", "ann", "ann", "ann", "bob", "bob", "bob", "ann",
                             "ann", "ann", "bob", "bob", "ann", "ann", "ann", "ann", "ann"};
#define N 18

static int contains(const char* haystack, const char* needle) {
  return strstr(haystack, needle) != NULL;
}

static sf_log* build_log(sf_graph* g, const char* const* stage_col, sf_error* err) {
  int64_t t[N];
  double amount[N];
  for (int i = 0; i < N; ++i) {
    t[i] = days[i] * DAY;
    amount[i] = 10.0 * i;
  }
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  CHECK(sf_log_builder_create(&b, err) == SF_OK);
  CHECK(sf_log_builder_set_deal_str(b, deals, N, err) == SF_OK);
  CHECK(sf_log_builder_set_stage_str(b, stage_col, N, err) == SF_OK);
  CHECK(sf_log_builder_set_time(b, t, N, SF_TIME_SECONDS, err) == SF_OK);
  CHECK(sf_log_builder_set_rep_str(b, reps, N, err) == SF_OK);
  CHECK(sf_log_builder_set_amount(b, amount, N, err) == SF_OK);
  CHECK(sf_log_builder_add_attribute_str(b, "owner", reps, N, err) == SF_OK);
  CHECK(sf_log_builder_set_graph(b, g, err) == SF_OK);
  CHECK(sf_log_builder_set_threads(b, 2, err) == SF_OK);
  sf_log_builder_build(b, &log, err);
  sf_log_builder_destroy(&b);
  CHECK(b == NULL);
  return log;
}

static void test_status_and_version(void) {
  CHECK(strcmp(sf_status_string(SF_OK), "OK") == 0);
  CHECK(strcmp(sf_status_string(SF_INVALID_ARGUMENT), "INVALID_ARGUMENT") == 0);
  CHECK(strcmp(sf_status_string(SF_UNAUTHENTICATED), "UNAUTHENTICATED") == 0);
  CHECK(strcmp(sf_status_string((sf_status)99), "UNRECOGNIZED_STATUS") == 0);
  CHECK(strcmp(sf_version(), SALESFUNNEL_VERSION_STRING) == 0);
}

static void test_graph(void) {
  sf_error err;
  sf_graph* g = NULL;
  CHECK(sf_graph_create("mini", &g, &err) == SF_OK);
  int32_t id = -1;
  CHECK(sf_graph_add_stage(g, "Lead", SF_STAGE_ENTRY, &id, &err) == SF_OK && id == 0);
  CHECK(sf_graph_add_stage(g, "Won", SF_STAGE_WON, &id, &err) == SF_OK && id == 1);
  CHECK(sf_graph_validate(g, &err) == SF_FAILED_PRECONDITION);  /* Lead cannot reach Won yet */
  CHECK(contains(err.message, "cannot reach a won or lost stage: Lead"));
  CHECK(sf_graph_add_transition(g, "Lead", "Won", "buys", &err) == SF_OK);
  CHECK(sf_graph_validate(g, &err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Lead", SF_STAGE_OPEN, NULL, &err) == SF_ALREADY_EXISTS);
  CHECK(sf_graph_add_stage(g, "X", (sf_stage_kind)9, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_graph_add_transition(g, "Lead", "Nowhere", NULL, &err) == SF_NOT_FOUND);
  CHECK(contains(err.message, "unknown stage 'Nowhere'; known stages: Lead, Won"));
  int32_t n = 0;
  CHECK(sf_graph_num_stages(g, &n, &err) == SF_OK && n == 2);
  CHECK(sf_graph_num_transitions(g, &n, &err) == SF_OK && n == 1);
  const char* name = NULL;
  CHECK(sf_graph_stage_name(g, 1, &name, &err) == SF_OK && strcmp(name, "Won") == 0);
  CHECK(sf_graph_stage_name(g, 5, &name, &err) == SF_OUT_OF_RANGE);
  sf_stage_kind kind;
  CHECK(sf_graph_stage_kind(g, 1, &kind, &err) == SF_OK && kind == SF_STAGE_WON);
  CHECK(sf_graph_find_stage(g, "Won", &id, &err) == SF_OK && id == 1);
  CHECK(sf_graph_find_stage(g, "Nope", &id, &err) == SF_NOT_FOUND);
  int32_t from = -1, to = -1;
  const char* commitment = NULL;
  CHECK(sf_graph_transition(g, 0, &from, &to, &commitment, &err) == SF_OK);
  CHECK(from == 0 && to == 1 && strcmp(commitment, "buys") == 0);
  CHECK(sf_graph_transition(g, 1, &from, &to, &commitment, &err) == SF_OUT_OF_RANGE);

  /* JSON: ask for the length, then a too-small buffer, then the whole text. */
  size_t len = 0;
  CHECK(sf_graph_to_json(g, NULL, 0, &len, &err) == SF_OK && len > 20);
  char small[8];
  CHECK(sf_graph_to_json(g, small, sizeof small, &len, &err) == SF_OUT_OF_RANGE);
  CHECK(strlen(small) == 7);
  CHECK(contains(err.message, "buffer too small"));
  char json[4096];
  CHECK(sf_graph_to_json(g, json, sizeof json, &len, &err) == SF_OK && strlen(json) == len);
  sf_graph* back = NULL;
  CHECK(sf_graph_from_json(json, len, &back, &err) == SF_OK);
  CHECK(sf_graph_num_stages(back, &n, &err) == SF_OK && n == 2);
  sf_graph_destroy(&back);
  CHECK(sf_graph_from_json("{oops", 5, &back, &err) == SF_INVALID_ARGUMENT && back == NULL);
  char dot[4096];
  CHECK(sf_graph_to_dot(g, dot, sizeof dot, &len, &err) == SF_OK);
  CHECK(contains(dot, "\"Lead\" -> \"Won\" [label=\"buys\"]"));
  sf_graph_destroy(&g);
  CHECK(g == NULL);

  CHECK(sf_graph_template("sales_cycle", &g, &err) == SF_OK);
  CHECK(sf_graph_num_stages(g, &n, &err) == SF_OK && n == 10);
  sf_graph_destroy(&g);
  CHECK(sf_graph_template("ten_commitments", &g, &err) == SF_OK);
  CHECK(sf_graph_num_transitions(g, &n, &err) == SF_OK && n == 24);
  sf_graph_destroy(&g);
  CHECK(sf_graph_template("nope", &g, &err) == SF_NOT_FOUND);
  CHECK(contains(err.message, "templates: sales_cycle, ten_commitments"));
}

static void test_null_arguments(void) {
  sf_error err;
  CHECK(sf_graph_create("x", NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'out_graph' is NULL") == 0);
  CHECK(sf_graph_validate(NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_graph_add_stage(NULL, "a", SF_STAGE_OPEN, NULL, NULL) == SF_INVALID_ARGUMENT);
  CHECK(sf_graph_to_json(NULL, NULL, 0, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_log_builder_build(NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_log_num_events(NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_create(NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'log' is NULL") == 0);
  CHECK(sf_report_num_stages(NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_grouped_report_num_groups(NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  /* destroy accepts NULL and a pointer to NULL */
  sf_graph_destroy(NULL);
  sf_log_builder_destroy(NULL);
  sf_log_destroy(NULL);
  sf_report_destroy(NULL);
  sf_grouped_report_destroy(NULL);
  sf_report* r = NULL;
  sf_report_destroy(&r);
  CHECK(r == NULL);
}

static void test_log_and_report(void) {
  sf_error err;
  sf_graph* g = NULL;
  CHECK(sf_graph_template("sales_cycle", &g, &err) == SF_OK);
  sf_log* log = build_log(g, stages, &err);
  CHECK(log != NULL);
  int64_t count = 0, first = 0;
  CHECK(sf_log_num_events(log, &count, &err) == SF_OK && count == 18);
  CHECK(sf_log_num_deals(log, &count, &err) == SF_OK && count == 5);
  CHECK(sf_log_issue_count(log, SF_ISSUE_DUPLICATE_EVENTS, &count, &first, &err) == SF_OK);
  CHECK(count == 0 && first == -1);
  CHECK(sf_log_issue_count(log, SF_ISSUE_UNKNOWN_TRANSITIONS, &count, &first, &err) == SF_OK &&
        count == 0);
  CHECK(sf_log_issue_count(log, SF_ISSUE_OUT_OF_ORDER_ROWS, &count, NULL, &err) == SF_OK && count == 0);
  CHECK(sf_log_issue_count(log, SF_ISSUE_REPEATED_STAGE_EVENTS, &count, NULL, &err) == SF_OK);
  CHECK(sf_log_issue_count(log, (sf_log_issue)7, &count, NULL, &err) == SF_INVALID_ARGUMENT);

  int64_t as_of = 20 * DAY;
  sf_report* rep = NULL;
  CHECK(sf_funnel_create(log, &as_of, &rep, &err) == SF_OK);
  int64_t deals_n, won, lost, open;
  CHECK(sf_report_totals(rep, &deals_n, &won, &lost, &open, &err) == SF_OK);
  CHECK(deals_n == 5 && won == 1 && lost == 3 && open == 1);
  int32_t ns = 0;
  CHECK(sf_report_num_stages(rep, &ns, &err) == SF_OK && ns == 10);
  const char* name = NULL;
  CHECK(sf_report_stage_name(rep, 2, &name, &err) == SF_OK && strcmp(name, "First Meeting") == 0);
  CHECK(sf_report_stage_name(rep, 10, &name, &err) == SF_OUT_OF_RANGE);
  int64_t reached[10];
  CHECK(sf_report_stage_counts(rep, SF_COUNT_REACHED, reached, 10, &err) == SF_OK);
  /* Lead 5, Contact 4, First Meeting 3, Active Prospect 2, Client 1, Advocate 0,
   * Lost 1, No Decision 0, Disqualified 2, Nurture 0 */
  const int64_t want[10] = {5, 4, 3, 2, 1, 0, 1, 0, 2, 0};
  CHECK(memcmp(reached, want, sizeof want) == 0);
  CHECK(sf_report_stage_counts(rep, SF_COUNT_REACHED, reached, 9, &err) == SF_OUT_OF_RANGE);
  CHECK(contains(err.message, "10 needed"));
  int64_t col[10];
  CHECK(sf_report_stage_counts(rep, SF_COUNT_OPEN, col, 10, &err) == SF_OK && col[2] == 1);
  CHECK(sf_report_stage_counts(rep, SF_COUNT_DROPPED, col, 10, &err) == SF_OK && col[0] == 1);
  CHECK(sf_report_stage_counts(rep, SF_COUNT_ADVANCED, col, 10, &err) == SF_OK && col[0] == 4);
  CHECK(sf_report_stage_counts(rep, SF_COUNT_REACHED_OR_BEYOND, col, 10, &err) == SF_OK && col[1] == 4);
  CHECK(sf_report_stage_counts(rep, SF_COUNT_CLOSED_HERE, col, 10, &err) == SF_OK && col[4] == 1);
  CHECK(sf_report_stage_counts(rep, SF_COUNT_IN_PROGRESS, col, 10, &err) == SF_OK && col[2] == 1);
  CHECK(sf_report_stage_counts(rep, SF_COUNT_STAYS_COMPLETED, col, 10, &err) == SF_OK && col[0] == 5);
  CHECK(sf_report_stage_counts(rep, SF_COUNT_STAYS_CENSORED, col, 10, &err) == SF_OK && col[2] == 1);
  CHECK(sf_report_stage_counts(rep, (sf_report_count)42, col, 10, &err) == SF_INVALID_ARGUMENT);
  double v[10];
  CHECK(sf_report_stage_values(rep, SF_VALUE_STEP_CONVERSION, v, 10, &err) == SF_OK);
  CHECK(fabs(v[0] - 0.8) < 1e-12 && fabs(v[1] - 0.75) < 1e-12 && fabs(v[2] - 1.0) < 1e-12);
  CHECK(isnan(v[6]));  /* off the main path */
  CHECK(sf_report_stage_values(rep, SF_VALUE_CUMULATIVE_CONVERSION, v, 10, &err) == SF_OK);
  CHECK(fabs(v[2] - 0.6) < 1e-12 && fabs(v[4] - 0.25) < 1e-12);
  CHECK(sf_report_stage_values(rep, SF_VALUE_STEP_LOW, v, 10, &err) == SF_OK && v[0] < 0.8);
  CHECK(sf_report_stage_values(rep, SF_VALUE_STEP_HIGH, v, 10, &err) == SF_OK && v[0] > 0.8);
  CHECK(sf_report_stage_values(rep, SF_VALUE_CUMULATIVE_LOW, v, 10, &err) == SF_OK && v[1] < 0.8);
  CHECK(sf_report_stage_values(rep, SF_VALUE_CUMULATIVE_HIGH, v, 10, &err) == SF_OK && v[1] > 0.8);
  CHECK(sf_report_stage_values(rep, SF_VALUE_MEDIAN_DAYS, v, 10, &err) == SF_OK);
  CHECK(fabs(v[2] - 3.0) < 0.06);  /* KM median of 2, 3 and a censored 15 days */
  CHECK(sf_report_stage_values(rep, SF_VALUE_P90_DAYS, v, 10, &err) == SF_OK && isnan(v[2]));
  CHECK(sf_report_stage_values(rep, SF_VALUE_MEAN_DAYS, v, 10, &err) == SF_OK);
  CHECK(fabs(v[0] - 1.2) < 1e-9);
  CHECK(sf_report_stage_values(rep, (sf_report_value)42, v, 10, &err) == SF_INVALID_ARGUMENT);

  size_t nt = 0;
  CHECK(sf_report_num_transitions(rep, &nt, &err) == SF_OK && nt == 7);
  int32_t from[7], to[7];
  int64_t tc[7];
  double md[7];
  CHECK(sf_report_transitions(rep, from, to, tc, md, 7, &err) == SF_OK);
  int64_t moves = 0;
  for (size_t i = 0; i < nt; ++i) moves += tc[i];
  CHECK(moves == 13);
  CHECK(sf_report_transitions(rep, from, to, tc, md, 6, &err) == SF_OUT_OF_RANGE);
  size_t nd = 0;
  CHECK(sf_report_num_drop_offs(rep, &nd, &err) == SF_OK && nd == 3);
  int32_t at[3], ex[3];
  int64_t dd[3];
  CHECK(sf_report_drop_offs(rep, at, ex, dd, 3, &err) == SF_OK);
  CHECK(dd[0] + dd[1] + dd[2] == 3);
  sf_report_destroy(&rep);
  CHECK(rep == NULL);

  /* as_of before the latest event: the log as it stood on day 2. By hand:
     A, B and C sit at Contact, D at Lead, E at First Meeting; nothing has
     closed yet, so 5 deals, 0 won, 0 lost, 5 open. */
  int64_t early = 2 * DAY;
  CHECK(sf_funnel_create(log, &early, &rep, &err) == SF_OK);
  CHECK(sf_report_totals(rep, &deals_n, &won, &lost, &open, &err) == SF_OK);
  CHECK(deals_n == 5 && won == 0 && lost == 0 && open == 5);
  sf_report_destroy(&rep);

  /* Grouped by rep: ann (A, C, E) and bob (B, D). */
  sf_grouped_report* by = NULL;
  CHECK(sf_funnel_by_create(log, "rep", &as_of, &by, &err) == SF_OK);
  size_t ng = 0;
  CHECK(sf_grouped_report_num_groups(by, &ng, &err) == SF_OK && ng == 2);
  const char* gname = NULL;
  CHECK(sf_grouped_report_group_name(by, 0, &gname, &err) == SF_OK && strcmp(gname, "ann") == 0);
  CHECK(sf_grouped_report_group_name(by, 2, &gname, &err) == SF_OUT_OF_RANGE);
  CHECK(sf_grouped_report_get(by, 1, &rep, &err) == SF_OK);
  CHECK(sf_report_totals(rep, &deals_n, &won, &lost, &open, &err) == SF_OK);
  CHECK(deals_n == 2 && lost == 2);
  sf_report_destroy(&rep);
  CHECK(sf_grouped_report_get(by, 5, &rep, &err) == SF_OUT_OF_RANGE);
  sf_grouped_report_destroy(&by);
  CHECK(sf_funnel_by_create(log, "owner", &as_of, &by, &err) == SF_OK);
  sf_grouped_report_destroy(&by);
  CHECK(sf_funnel_by_create(log, "cohort_week", NULL, &by, &err) == SF_OK);
  CHECK(sf_grouped_report_num_groups(by, &ng, &err) == SF_OK && ng == 1);
  sf_grouped_report_destroy(&by);
  CHECK(sf_funnel_by_create(log, "cohort_month", NULL, &by, &err) == SF_OK);
  sf_grouped_report_destroy(&by);
  CHECK(sf_funnel_by_create(log, "segment", NULL, &by, &err) == SF_NOT_FOUND);
  CHECK(contains(err.message, "cannot group by 'segment'"));
  sf_log_destroy(&log);
  CHECK(log == NULL);

  /* An unknown stage: the error names the column and the row. */
  const char* bad[N];
  memcpy(bad, stages, sizeof bad);
  bad[7] = "Dissqualified";
  log = build_log(g, bad, &err);
  CHECK(log == NULL && err.code == SF_INVALID_ARGUMENT);
  CHECK(contains(err.message, "column 'stage', row 7: unknown stage 'Dissqualified'"));
  sf_graph_destroy(&g);
}

static void test_builder_errors(void) {
  sf_error err;
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  CHECK(sf_log_builder_create(&b, &err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, &err) == SF_FAILED_PRECONDITION);
  CHECK(contains(err.message, "no deal column"));
  int64_t ids[3] = {7, 7, 9};
  int64_t t[3] = {0, 10, INT64_MIN};
  const char* cats[2] = {"in", "won"};
  int32_t codes[3] = {0, 1, 0};
  CHECK(sf_log_builder_set_deal_int64(b, ids, 3, &err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, &err) == SF_FAILED_PRECONDITION);
  CHECK(contains(err.message, "no stage column"));
  int32_t bad_codes[3] = {0, 5, 0};
  CHECK(sf_log_builder_set_stage_codes(b, bad_codes, 3, cats, 2, &err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, &err) == SF_FAILED_PRECONDITION);
  CHECK(contains(err.message, "no time column"));
  CHECK(sf_log_builder_set_time(b, t, 3, (sf_time_unit)9, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_log_builder_set_time(b, t, 3, SF_TIME_SECONDS, &err) == SF_OK);
  /* A code without a category is found by the build, which names the row. */
  CHECK(sf_log_builder_build(b, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "column 'stage', row 1: category code 5 is outside [0, 2)") == 0);
  CHECK(sf_log_builder_set_stage_codes(b, codes, 3, cats, 2, &err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "column 'time', row 2: missing time (NaT)") == 0);
  t[2] = 5;
  CHECK(sf_log_builder_set_time(b, t, 2, SF_TIME_SECONDS, &err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "column 'time' has 2 rows but column 'deal' has 3") == 0);
  CHECK(sf_log_builder_set_time(b, t, 3, SF_TIME_SECONDS, &err) == SF_OK);
  CHECK(sf_log_builder_add_stage_map(b, "in", "Lead", &err) == SF_OK);
  CHECK(sf_log_builder_set_strict(b, 1, &err) == SF_OK);
  CHECK(sf_log_builder_set_threads(b, -1, &err) == SF_INVALID_ARGUMENT);
  const char* none[3] = {"x", NULL, "y"};
  CHECK(sf_log_builder_add_attribute_str(b, "seg", none, 3, &err) == SF_OK);
  CHECK(sf_log_builder_add_attribute_str(b, "seg", none, 3, &err) == SF_ALREADY_EXISTS);
  CHECK(sf_log_builder_build(b, &log, &err) == SF_OK);
  int64_t n = 0;
  CHECK(sf_log_num_deals(log, &n, &err) == SF_OK && n == 2);
  /* No graph: a funnel needs one. */
  sf_report* rep = NULL;
  CHECK(sf_funnel_create(log, NULL, &rep, &err) == SF_FAILED_PRECONDITION);
  CHECK(contains(err.message, "no stage graph"));
  sf_log_destroy(&log);
  const char* sdeals[3] = {"a", NULL, "b"};
  CHECK(sf_log_builder_set_deal_str(b, sdeals, 3, &err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "column 'deal', row 1: missing deal id") == 0);
  sf_log_builder_destroy(&b);
}

int main(void) {
  test_status_and_version();
  test_graph();
  test_null_arguments();
  test_log_and_report();
  test_builder_errors();
  return report();
}
