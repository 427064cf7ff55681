/* The Markov calls of the C ABI and their error paths.
 * Chain: Lead -> Won 0.25, Lead -> Lost 0.75, 14 days in Lead. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "salesfunnel/salesfunnel.h"

#include "check.h"


/* Three chains in one sf_solve_chains call on Lead <-> Nurture, Lead -> Won,
 * Lead -> Lost (stages in that order: Lead, Nurture, Won, Lost).
 * Every row of a stage that is not won or lost sums to 1 (Nurture -> Lead 1
 * in each). Chain 0: Lead -> Won 0.25, Lost 0.75, 14 days in Lead: P(won)
 * 0.25, one move, 14 days. Chain 1: Lead -> Nurture 0.5, Won 0.3, Lost 0.2; Nurture ->
 * Lead 1; 2 days in Lead, 10 in Nurture. From Lead, w = 0.3 + 0.5 w, so
 * w = 0.6; moves m = 1 + 0.5 (1 + m): m = 3; days d = 2 + 0.5 (10 + d): d = 14.
 * Chain 2: Lead -> Nurture 1, Nurture -> Lead 1: never ends, so NaN and
 * out_failed[2] = 1, the other two still solved. */
static void many_chains(void) {
  sf_error err;
  sf_graph* g = NULL;
  CHECK(sf_graph_create("loop", &g, &err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Lead", SF_STAGE_ENTRY, NULL, &err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Nurture", SF_STAGE_NURTURE, NULL, &err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Won", SF_STAGE_WON, NULL, &err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Lost", SF_STAGE_LOST, NULL, &err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "Lead", "Nurture", NULL, &err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "Nurture", "Lead", NULL, &err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "Lead", "Won", NULL, &err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "Lead", "Lost", NULL, &err) == SF_OK);
  double p[3 * 16] = {0};
  p[0 * 16 + 2] = 0.25, p[0 * 16 + 3] = 0.75, p[0 * 16 + 4] = 1;
  p[1 * 16 + 1] = 0.5, p[1 * 16 + 2] = 0.3, p[1 * 16 + 3] = 0.2, p[1 * 16 + 4] = 1;
  p[2 * 16 + 1] = 1, p[2 * 16 + 4] = 1;
  const double dwell[3 * 4] = {14, 0, 0, 0, 2, 10, 0, 0, 1, 1, 0, 0};
  double win[12], steps[12], days[12], to_win[12];
  uint8_t stuck[3] = {9, 9, 9};
  CHECK(sf_solve_chains(g, p, dwell, 3, 2, win, steps, days, to_win, 12, stuck, &err) == SF_OK);
  CHECK(fabs(win[0] - 0.25) < 1e-12 && fabs(steps[0] - 1) < 1e-12 && fabs(days[0] - 14) < 1e-12);
  CHECK(win[2] == 1.0 && win[3] == 0.0 && fabs(to_win[0] - 14) < 1e-12);
  CHECK(fabs(win[4] - 0.6) < 1e-12 && fabs(steps[4] - 3) < 1e-12 && fabs(days[4] - 14) < 1e-12);
  CHECK(stuck[0] == 0 && stuck[1] == 0 && stuck[2] == 1 && isnan(win[8]) && isnan(days[11]));
  /* Only the outputs asked for; no dwell days: 0 days everywhere. */
  CHECK(sf_solve_chains(g, p, NULL, 2, 0, win, NULL, NULL, NULL, 8, NULL, &err) == SF_OK);
  CHECK(fabs(win[4] - 0.6) < 1e-12);
  CHECK(sf_solve_chains(g, p, dwell, 3, 0, win, NULL, NULL, NULL, 11, NULL, &err) == SF_OUT_OF_RANGE);
  CHECK(sf_solve_chains(g, p, dwell, 3, -1, win, NULL, NULL, NULL, 12, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_solve_chains(g, NULL, dwell, 3, 0, win, NULL, NULL, NULL, 12, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(sf_solve_chains(NULL, p, dwell, 3, 0, win, NULL, NULL, NULL, 12, NULL, &err) == SF_INVALID_ARGUMENT);
  /* A row that does not sum to 1 names its chain and stage. */
  p[1 * 16 + 2] = 0.4;
  CHECK(sf_solve_chains(g, p, dwell, 3, 0, win, NULL, NULL, NULL, 12, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(strstr(err.message, "chain 1") != NULL && strstr(err.message, "'Lead'") != NULL);
  sf_graph_destroy(&g);
}

int main(void) {
  sf_error err;
  sf_graph* g = NULL;
  CHECK(sf_graph_create("simple", &g, &err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Lead", SF_STAGE_ENTRY, NULL, &err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Won", SF_STAGE_WON, NULL, &err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Lost", SF_STAGE_LOST, NULL, &err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "Lead", "Won", NULL, &err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "Lead", "Lost", NULL, &err) == SF_OK);
  const char* from[] = {"Lead", "Lead"};
  const char* to[] = {"Won", "Lost"};
  const double p[] = {0.25, 0.75};
  const double dwell[] = {14, 0, 0};
  sf_model* m = NULL;
  CHECK(sf_model_from_probabilities(g, from, to, p, 2, dwell, 3, &m, &err) == SF_OK);
  int32_t n = 0;
  CHECK(sf_model_num_stages(m, &n, &err) == SF_OK && n == 3);
  double v[3];
  CHECK(sf_model_stage_values(m, SF_MODEL_WIN_PROBABILITY, v, 3, &err) == SF_OK);
  CHECK(fabs(v[0] - 0.25) < 1e-12 && v[1] == 1.0 && v[2] == 0.0);
  CHECK(sf_model_stage_values(m, SF_MODEL_EXPECTED_DAYS, v, 3, &err) == SF_OK && fabs(v[0] - 14) < 1e-12);
  CHECK(sf_model_stage_values(m, SF_MODEL_EXPECTED_STEPS, v, 3, &err) == SF_OK && fabs(v[0] - 1) < 1e-12);
  CHECK(sf_model_stage_values(m, SF_MODEL_DWELL_DAYS, v, 3, &err) == SF_OK && v[0] == 14);
  CHECK(sf_model_stage_values(m, SF_MODEL_DWELL_DAYS, v, 2, &err) == SF_OUT_OF_RANGE);
  CHECK(sf_model_stage_values(m, (sf_model_column)9, v, 3, &err) == SF_INVALID_ARGUMENT);
  double tm[9];
  CHECK(sf_model_transition_matrix(m, tm, 9, &err) == SF_OK && tm[1] == 0.25 && tm[2] == 0.75);
  size_t count = 0;
  CHECK(sf_model_sensitivity(m, &count, NULL, NULL, NULL, NULL, 0, &err) == SF_OK && count == 2);
  int32_t f[2], t[2];
  double w[2], r[2];
  CHECK(sf_model_sensitivity(m, &count, f, t, w, r, 2, &err) == SF_OK);
  /* Raising Lead -> Won by a point adds 1 win per 100 entries; removing it loses all 0.25. */
  CHECK(f[0] == 0 && t[0] == 1 && fabs(w[0] - 1.0) < 1e-12 && fabs(r[0] + 0.25) < 1e-12);
  /* 3 wins a week at 0.25: 12 entries a week, starting 2 weeks earlier. */
  double entries[3], at_p[3], lag[3];
  CHECK(sf_model_plan(m, 3, 7, 0.8, entries, at_p, lag, 3, &err) == SF_OK);
  CHECK(fabs(entries[0] - 12) < 1e-12 && fabs(lag[0] - 2) < 1e-12 && at_p[0] > 12 && isnan(entries[1]));
  CHECK(sf_model_plan(m, -1, 7, 0, entries, at_p, lag, 3, &err) == SF_INVALID_ARGUMENT);
  double p10, p50, p90, mean, hit;
  /* New leads at 40 per 10000 days, each won with 0.25: wins ~ Poisson(10) over a
   * 10000-day horizon (14-day stays barely matter); the mean of 20000 trials lies
   * within 2.576 standard errors (sqrt(10 / 20000)) of 10. */
  CHECK(sf_model_forecast(m, NULL, 10000, 20000, 1, 40 / (10000 / 7.0), 5, &p10, &p50, &p90, &mean,
                          &hit, &err) == SF_OK);
  CHECK(fabs(mean - 10) < 2.576 * sqrt(10.0 / 20000) && p10 <= p50 && p50 <= p90 && hit > 0.5);
  CHECK(sf_model_forecast(m, NULL, -1, 10, 1, 0, NAN, NULL, NULL, NULL, NULL, NULL, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_model_fit(NULL, 0, NULL, &m, &err) == SF_INVALID_ARGUMENT);
  const double bad[] = {0.5, 0.4};
  sf_model* bad_model = NULL;
  CHECK(sf_model_from_probabilities(g, from, to, bad, 2, NULL, 0, &bad_model, &err) ==
        SF_INVALID_ARGUMENT);
  CHECK(strstr(err.message, "sum to 0.9") != NULL);
  sf_model_destroy(&m);
  CHECK(m == NULL);
  sf_model_destroy(NULL);

  /* Fit from a log: 4 deals, 1 won, 3 lost. */
  const char* deals[] = {"a", "a", "b", "b", "c", "c", "d", "d"};
  const char* stages[] = {"Lead", "Won", "Lead", "Lost", "Lead", "Lost", "Lead", "Lost"};
  const int64_t times[] = {0, 86400, 0, 86400, 0, 86400, 0, 86400};
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  sf_log_builder_create(&b, &err);
  sf_log_builder_set_deal_str(b, deals, 8, &err);
  sf_log_builder_set_stage_str(b, stages, 8, &err);
  sf_log_builder_set_time(b, times, 8, SF_TIME_SECONDS, &err);
  sf_log_builder_set_graph(b, g, &err);
  CHECK(sf_log_builder_build(b, &log, &err) == SF_OK);
  CHECK(sf_model_fit(log, 0, NULL, &m, &err) == SF_OK);
  CHECK(sf_model_stage_values(m, SF_MODEL_WIN_PROBABILITY, v, 3, &err) == SF_OK && fabs(v[0] - 0.25) < 1e-12);
  sf_model_destroy(&m);
  sf_log_destroy(&log);
  sf_log_builder_destroy(&b);
  sf_graph_destroy(&g);
  many_chains();
  return report();
}
