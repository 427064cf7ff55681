/* The C ABI for real-data shapes: events after the outcome, losses nobody
 * recorded (staleness), a past as_of, the waterfall and the lag to win.
 * Deals (times in days):
 *   W: Lead 0, Contact 1, Client 3, then Lead 5 (after the outcome: left out)
 *   B: Lead 0 and silent since (100 days at as_of: dark with a 90-day limit)
 *   C: Lead 0, Contact 95 (5 days silent: open)
 *   L: Lead 0, Lost 10 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "salesfunnel/salesfunnel.h"

#include "check.h"

#define DAY 86400
#define N 9

static const char* deals[N] = {"W", "W", "W", "W", "B", "C", "C", "L", "L"};
static const char* stages[N] = {"Lead", "Contact", "Client", "Lead", "Lead", "Lead", "Contact",
                                "Lead", "Lost"};
static const int64_t days[N] = {0, 1, 3, 5, 0, 0, 95, 0, 10};

static sf_log* build_log(sf_error* err) {
  int64_t t[N];
  double amount[N];
  for (int i = 0; i < N; ++i) {
    t[i] = days[i] * DAY;
    amount[i] = 100.0;
  }
  sf_graph* g = NULL;
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  CHECK(sf_graph_template("sales_cycle", &g, err) == SF_OK);
  CHECK(sf_log_builder_create(&b, err) == SF_OK);
  CHECK(sf_log_builder_set_deal_str(b, deals, N, err) == SF_OK);
  CHECK(sf_log_builder_set_stage_str(b, stages, N, err) == SF_OK);
  CHECK(sf_log_builder_set_time(b, t, N, SF_TIME_SECONDS, err) == SF_OK);
  CHECK(sf_log_builder_set_amount(b, amount, N, err) == SF_OK);
  CHECK(sf_log_builder_set_graph(b, g, err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, err) == SF_OK);
  sf_log_builder_destroy(&b);
  sf_graph_destroy(&g);
  return log;
}

static void test_outcome_and_staleness(sf_log* log, sf_error* err) {
  int64_t count = 0, first = 0;
  CHECK(sf_log_issue_count(log, SF_ISSUE_EVENTS_AFTER_OUTCOME, &count, &first, err) == SF_OK);
  CHECK(count == 1 && first == 3); /* W's Lead on day 5 is input row 3 */

  int64_t as_of = 100 * DAY, deals_n, won, lost, open, dark;
  sf_report* rep = NULL;
  /* No staleness: W won, L lost, B and C open; the one warning is about W's late event. */
  CHECK(sf_funnel_create(log, &as_of, &rep, err) == SF_OK);
  CHECK(sf_report_totals(rep, &deals_n, &won, &lost, &open, err) == SF_OK);
  CHECK(deals_n == 4 && won == 1 && lost == 1 && open == 2);
  size_t nw = 0;
  const char* text = NULL;
  CHECK(sf_report_num_warnings(rep, &nw, err) == SF_OK && nw == 1);
  CHECK(sf_report_warning(rep, 0, &text, err) == SF_OK &&
        strstr(text, "1 events come after their deal was already won or lost") == text);
  CHECK(sf_report_warning(rep, 1, &text, err) == SF_OUT_OF_RANGE);
  sf_report_destroy(&rep);

  /* 90 days: B went dark; C (5 days) did not. */
  CHECK(sf_funnel_create_stale(log, &as_of, 90.0, NULL, NULL, 0, &rep, err) == SF_OK);
  CHECK(sf_report_totals(rep, &deals_n, &won, &lost, &open, err) == SF_OK);
  CHECK(won == 1 && lost == 2 && open == 1);
  CHECK(sf_report_went_dark(rep, &dark, err) == SF_OK && dark == 1);
  int32_t ns = 0;
  CHECK(sf_report_num_stages(rep, &ns, err) == SF_OK && ns == 11); /* 10 + "Went dark" */
  const char* name = NULL;
  CHECK(sf_report_stage_name(rep, 10, &name, err) == SF_OK && strcmp(name, "Went dark") == 0);
  sf_report_destroy(&rep);

  /* Per stage: Lead may wait 200 days, so nobody is dark. */
  const char* lead[] = {"Lead"};
  const double two_hundred[] = {200.0};
  CHECK(sf_funnel_create_stale(log, &as_of, NAN, lead, two_hundred, 1, &rep, err) == SF_OK);
  CHECK(sf_report_went_dark(rep, &dark, err) == SF_OK && dark == 0);
  sf_report_destroy(&rep);
  const char* nope[] = {"Nope"};
  CHECK(sf_funnel_create_stale(log, &as_of, NAN, nope, two_hundred, 1, &rep, err) == SF_NOT_FOUND);
  CHECK(sf_funnel_create_stale(log, &as_of, -5.0, NULL, NULL, 0, &rep, err) == SF_INVALID_ARGUMENT);
  CHECK(sf_funnel_create_stale(log, &as_of, NAN, NULL, two_hundred, 1, &rep, err) == SF_INVALID_ARGUMENT);
  CHECK(rep == NULL);

  /* The model with the same staleness: Lead's exits are W, C to Contact,
   * L to Lost, B to Went dark: P(Lead -> Went dark) = 1/4. */
  sf_model* m = NULL;
  CHECK(sf_model_fit_stale(log, 0.0, &as_of, 90.0, NULL, NULL, 0, &m, err) == SF_OK);
  CHECK(sf_model_num_stages(m, &ns, err) == SF_OK && ns == 11);
  double p[121];
  CHECK(sf_model_transition_matrix(m, p, 121, err) == SF_OK);
  CHECK(fabs(p[0 * 11 + 10] - 0.25) < 1e-12);
  sf_model_destroy(&m);

  /* A past as_of: on day 2 W sits at Contact, B, C and L at Lead: 4 open. */
  int64_t day2 = 2 * DAY;
  CHECK(sf_funnel_create(log, &day2, &rep, err) == SF_OK);
  CHECK(sf_report_totals(rep, &deals_n, &won, &lost, &open, err) == SF_OK);
  CHECK(deals_n == 4 && won == 0 && lost == 0 && open == 4);
  sf_report_destroy(&rep);
}

static void test_waterfall(sf_log* log, sf_error* err) {
  /* From day 2 to day 100 with a 90-day limit. At day 2: W Contact, B, C, L Lead.
   * Then W wins (from Contact), L is lost (from Lead), B goes dark at Lead, and
   * so does C (90 days silent by day 90) before it comes back on day 95 at
   * Contact: a new arrival there. At day 100: C open at Contact. */
  sf_waterfall* w = NULL;
  CHECK(sf_waterfall_create(log, 2 * DAY, 100 * DAY, 90.0, &w, err) == SF_OK);
  size_t rows = 0;
  CHECK(sf_waterfall_num_rows(w, &rows, err) == SF_OK && rows == 11); /* 10 stages + total */
  const char* name = NULL;
  int64_t c[SF_WATERFALL_NUM_COLUMNS];
  double v[SF_WATERFALL_NUM_COLUMNS];
  CHECK(sf_waterfall_row(w, 0, &name, c, v, err) == SF_OK && strcmp(name, "Lead") == 0);
  CHECK(c[SF_WATERFALL_OPEN_START] == 3 && c[SF_WATERFALL_MOVED_OUT] == 0 &&
        c[SF_WATERFALL_LOST] == 1 && c[SF_WATERFALL_WENT_DARK] == 2 && c[SF_WATERFALL_OPEN_END] == 0);
  CHECK(sf_waterfall_row(w, 1, &name, c, v, err) == SF_OK && strcmp(name, "Contact") == 0);
  CHECK(c[SF_WATERFALL_OPEN_START] == 1 && c[SF_WATERFALL_NEW] == 1 && c[SF_WATERFALL_MOVED_IN] == 0 &&
        c[SF_WATERFALL_WON] == 1 && c[SF_WATERFALL_OPEN_END] == 1);
  CHECK(v[SF_WATERFALL_OPEN_END] == 100.0);
  CHECK(sf_waterfall_row(w, 10, &name, c, NULL, err) == SF_OK && strcmp(name, "(total)") == 0);
  CHECK(c[SF_WATERFALL_OPEN_START] == 4 && c[SF_WATERFALL_OPEN_END] == 1);
  CHECK(c[SF_WATERFALL_OPEN_START] + c[SF_WATERFALL_NEW] + c[SF_WATERFALL_MOVED_IN] -
            c[SF_WATERFALL_MOVED_OUT] - c[SF_WATERFALL_WON] - c[SF_WATERFALL_LOST] -
            c[SF_WATERFALL_WENT_DARK] == c[SF_WATERFALL_OPEN_END]);
  CHECK(sf_waterfall_row(w, 11, &name, c, v, err) == SF_OUT_OF_RANGE);
  sf_waterfall_destroy(&w);
  CHECK(w == NULL);
  sf_waterfall_destroy(NULL);
  CHECK(sf_waterfall_create(log, 5 * DAY, 2 * DAY, NAN, &w, err) == SF_INVALID_ARGUMENT);
  CHECK(sf_waterfall_create(NULL, 0, 1, NAN, &w, err) == SF_INVALID_ARGUMENT);
  CHECK(sf_waterfall_num_rows(NULL, &rows, err) == SF_INVALID_ARGUMENT);
}

static void test_lag_to_win(sf_error* err) {
  /* A -> B (0.5) / Lost (0.5); B -> Won (1); dwell A 10, B 5 days:
   * winners take 15 days from A and 5 from B. */
  sf_graph* g = NULL;
  CHECK(sf_graph_create("chain", &g, err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "A", SF_STAGE_ENTRY, NULL, err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "B", SF_STAGE_OPEN, NULL, err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Won", SF_STAGE_WON, NULL, err) == SF_OK);
  CHECK(sf_graph_add_stage(g, "Lost", SF_STAGE_LOST, NULL, err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "A", "B", NULL, err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "A", "Lost", NULL, err) == SF_OK);
  CHECK(sf_graph_add_transition(g, "B", "Won", NULL, err) == SF_OK);
  const char* from[] = {"A", "A", "B"};
  const char* to[] = {"B", "Lost", "Won"};
  const double prob[] = {0.5, 0.5, 1.0};
  const double dwell[] = {10, 5, 0, 0}; /* per stage, graph order */
  sf_model* m = NULL;
  CHECK(sf_model_from_probabilities(g, from, to, prob, 3, dwell, 4, &m, err) == SF_OK);
  double out[4];
  CHECK(sf_model_stage_values(m, SF_MODEL_EXPECTED_DAYS_TO_WIN, out, 4, err) == SF_OK);
  CHECK(fabs(out[0] - 15) < 1e-9 && fabs(out[1] - 5) < 1e-9 && out[2] == 0 && isnan(out[3]));
  double entries[4], lag[4];
  CHECK(sf_model_plan(m, 3, 7, 0, entries, NULL, lag, 4, err) == SF_OK);
  CHECK(fabs(lag[0] - 15.0 / 7) < 1e-9 && fabs(entries[0] - 6) < 1e-9);
  sf_model_destroy(&m);
  sf_graph_destroy(&g);
}

int main(void) {
  sf_error err;
  sf_log* log = build_log(&err);
  test_outcome_and_staleness(log, &err);
  test_waterfall(log, &err);
  test_lag_to_win(&err);
  sf_log_destroy(&log);
  return report();
}
