/* A C program written only from salesfunnel.h and docs/api-c.md: the funnel,
 * a scenario comparison and the pipeline audit of an event log given as CSV.
 *
 *   test_capi_program_bpi2012 events.csv graph.json
 *
 * events.csv: a header line, then "deal,stage,time_ms,amount" rows (no
 * quoting; stage names without commas); graph.json: sf_graph_to_json's form.
 * tests/python/test_capi_programs.py exports BPI 2012 this way and checks the
 * printed numbers against the Python API. Without arguments (as ctest runs
 * it) it has nothing to read and exits 0 after saying so. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "salesfunnel/salesfunnel.h"

static int fail(const char* what, sf_status st, const sf_error* err) {
  fprintf(stderr, "%s: %s: %s\n", what, sf_status_string(st), err->message);
  return 1;
}
#define TRY(call, what)                              \
  do {                                               \
    sf_status st_ = (call);                          \
    if (st_ != SF_OK) return fail(what, st_, &err); \
  } while (0)

/* The CSV columns, grown as rows are read. */
typedef struct {
  size_t n, cap;
  char** deal;
  char** stage;
  int64_t* time_ms;
  double* amount;
} events;

static char* dup_n(const char* s, size_t n) {
  char* d = malloc(n + 1);
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

static int read_events(const char* path, events* ev) {
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  char line[1024];
  if (!fgets(line, sizeof line, f)) { fclose(f); return 0; } /* header */
  memset(ev, 0, sizeof *ev);
  while (fgets(line, sizeof line, f)) {
    char* c1 = strchr(line, ',');
    char* c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    char* c3 = c2 ? strchr(c2 + 1, ',') : NULL;
    if (!c3) continue;
    if (ev->n == ev->cap) {
      ev->cap = ev->cap ? 2 * ev->cap : 1024;
      ev->deal = realloc(ev->deal, ev->cap * sizeof(char*));
      ev->stage = realloc(ev->stage, ev->cap * sizeof(char*));
      ev->time_ms = realloc(ev->time_ms, ev->cap * sizeof(int64_t));
      ev->amount = realloc(ev->amount, ev->cap * sizeof(double));
    }
    ev->deal[ev->n] = dup_n(line, (size_t)(c1 - line));
    ev->stage[ev->n] = dup_n(c1 + 1, (size_t)(c2 - c1 - 1));
    ev->time_ms[ev->n] = strtoll(c2 + 1, NULL, 10);
    ev->amount[ev->n] = strtod(c3 + 1, NULL);
    ++ev->n;
  }
  fclose(f);
  return 1;
}

static char* read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t)n + 1);
  *len = fread(buf, 1, (size_t)n, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

static int print_funnel(const sf_log* log) {
  sf_error err;
  sf_report* rep = NULL;
  TRY(sf_funnel_compute(log, &rep, &err), "sf_funnel_compute");
  int64_t deals, won, lost, open;
  TRY(sf_report_totals(rep, &deals, &won, &lost, &open, &err), "sf_report_totals");
  printf("totals\t%lld\t%lld\t%lld\t%lld\n", (long long)deals, (long long)won, (long long)lost,
         (long long)open);
  int32_t ns = 0;
  TRY(sf_report_num_stages(rep, &ns, &err), "sf_report_num_stages");
  double* step = malloc(sizeof(double) * (size_t)ns);
  TRY(sf_report_stage_values(rep, SF_VALUE_STEP_CONVERSION, step, (size_t)ns, &err), "step");
  for (int32_t s = 0; s < ns; ++s) {
    const char* name = NULL;
    int64_t reached = 0;
    TRY(sf_report_stage_name(rep, s, &name, &err), "sf_report_stage_name");
    TRY(sf_report_reached(rep, name, &reached, &err), "sf_report_reached");
    printf("stage\t%s\t%lld\t%.17g\n", name, (long long)reached, step[s]);
  }
  free(step);
  sf_report_destroy(&rep);
  return 0;
}

/* Baseline (100 leads a week) against Finalized -> Approved +10 points and
 * against Pre-accepted failing entirely. */
static int print_comparison(const sf_log* log) {
  sf_error err;
  sf_model* m = NULL;
  sf_scenario *base = NULL, *lift = NULL, *gone = NULL;
  sf_comparison* cmp = NULL;
  TRY(sf_model_fit(log, 0.0, NULL, &m, &err), "sf_model_fit");
  TRY(sf_scenario_create(m, 100, "baseline", &base, &err), "sf_scenario_create");
  TRY(sf_scenario_change(base, SF_CHANGE_LIFT, "Finalized", "Approved", 10, "lift", &lift, &err),
      "lift");
  TRY(sf_scenario_change(base, SF_CHANGE_REMOVE_STAGE, "Pre-accepted", NULL, 0, "no pre-accept",
                         &gone, &err), "remove stage");
  const sf_scenario* others[] = {lift, gone};
  TRY(sf_compare_create(base, others, 2, NAN, &cmp, &err), "sf_compare_create");
  size_t rows = 0;
  TRY(sf_comparison_num_rows(cmp, &rows, &err), "rows");
  double win[3], wins[3], days[3];
  TRY(sf_comparison_values(cmp, SF_COMPARE_WIN_RATE, win, 3, &err), "win rate");
  TRY(sf_comparison_values(cmp, SF_COMPARE_WINS_PER_WEEK, wins, 3, &err), "wins");
  TRY(sf_comparison_values(cmp, SF_COMPARE_DAYS_TO_CLOSE, days, 3, &err), "days");
  for (size_t i = 0; i < rows; ++i) {
    const char* name = NULL;
    TRY(sf_comparison_row_text(cmp, i, &name, NULL, &err), "name");
    printf("compare\t%s\t%.17g\t%.17g\t%.17g\n", name, win[i], wins[i], days[i]);
  }
  sf_comparison_destroy(&cmp);
  sf_scenario_destroy(&gone);
  sf_scenario_destroy(&lift);
  sf_scenario_destroy(&base);
  sf_model_destroy(&m);
  return 0;
}

/* The audit with the default age rule (no meeting log: the two-meeting rule is off). */
static int print_audit(const sf_log* log) {
  sf_error err;
  sf_audit* a = NULL;
  TRY(sf_audit_create(log, NULL, NULL, NULL, &a, &err), "sf_audit_create");
  int64_t raw_n, q_n;
  double raw_v, q_v, cycle;
  TRY(sf_audit_totals(a, &raw_n, &raw_v, &q_n, &q_v, &cycle, &err), "sf_audit_totals");
  printf("audit\t%lld\t%.17g\t%lld\t%.17g\t%.17g\n", (long long)raw_n, raw_v, (long long)q_n, q_v,
         cycle);
  size_t rows = 0;
  TRY(sf_audit_num_rows(a, &rows, &err), "sf_audit_num_rows");
  const char** deal = malloc(sizeof(char*) * (rows ? rows : 1));
  uint8_t* qualified = malloc(rows ? rows : 1);
  TRY(sf_audit_rows(a, deal, NULL, NULL, NULL, NULL, NULL, qualified, NULL, rows, &err), "rows");
  for (size_t i = 0; i < rows; ++i) printf("audit_deal\t%s\t%d\n", deal[i], qualified[i]);
  free(deal);
  free(qualified);
  sf_audit_destroy(&a);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    printf("skipped: usage: %s events.csv graph.json\n", argv[0]);
    return 0;
  }
  sf_error err;
  events ev;
  if (!read_events(argv[1], &ev)) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  size_t len = 0;
  char* json = read_file(argv[2], &len);
  if (!json) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  sf_graph* g = NULL;
  TRY(sf_graph_from_json(json, len, &g, &err), "sf_graph_from_json");
  /* Millisecond times need the builder (sf_log_create takes whole seconds). */
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  TRY(sf_log_builder_create(&b, &err), "builder");
  TRY(sf_log_builder_set_deal_str(b, (const char* const*)ev.deal, ev.n, &err), "deal");
  TRY(sf_log_builder_set_stage_str(b, (const char* const*)ev.stage, ev.n, &err), "stage");
  TRY(sf_log_builder_set_time(b, ev.time_ms, ev.n, SF_TIME_MILLISECONDS, &err), "time");
  TRY(sf_log_builder_set_amount(b, ev.amount, ev.n, &err), "amount");
  TRY(sf_log_builder_set_graph(b, g, &err), "graph");
  TRY(sf_log_builder_build(b, &log, &err), "sf_log_builder_build");
  sf_log_builder_destroy(&b);
  int rc = print_funnel(log) || print_comparison(log) || print_audit(log);
  sf_log_destroy(&log);
  sf_graph_destroy(&g);
  for (size_t i = 0; i < ev.n; ++i) {
    free(ev.deal[i]);
    free(ev.stage[i]);
  }
  free(ev.deal);
  free(ev.stage);
  free(ev.time_ms);
  free(ev.amount);
  free(json);
  return rc;
}
