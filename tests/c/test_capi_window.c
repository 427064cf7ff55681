/* The C ABI for window funnels, on a log of raw activity names (no graph).
 * Window 10 days, steps A -> B -> {C, C2}, read at day 20 (times in days):
 *   d1: A 0, B 2, C 5      all three
 *   d2: A 0, C2 1, B 3     C2 before B: stops at B (ordered), at A (strict)
 *   d3: A 0, B 12          B outside the window
 *   d5: A 18, B 19         window open at day 20: immature at the last step
 *   d6: A 19               window open: immature at B
 * Ordered: A 5; B 4 of 5 entered, 1 immature -> 3 / 4 mature; C 1 of 3, 1 immature -> 1 / 2. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "salesfunnel/salesfunnel.h"

#include "check.h"

#define DAY 86400
#define N 13

static const char* deals[N] = {"d1", "d1", "d1", "d2", "d2", "d2", "d3", "d3", "d5", "d5", "d6",
                               "d5", "d6"};
static const char* stages[N] = {"A", "B", "C", "A", "C2", "B", "A", "B", "A", "B", "A", "X", "X"};
static const int64_t days[N] = {0, 2, 5, 0, 1, 3, 0, 12, 18, 19, 19, 30, 30};

static sf_log* build_log(sf_error* err) {
  int64_t t[N];
  for (int i = 0; i < N; ++i) t[i] = days[i] * DAY;
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  CHECK(sf_log_builder_create(&b, err) == SF_OK);
  CHECK(sf_log_builder_set_deal_str(b, deals, N, err) == SF_OK);
  CHECK(sf_log_builder_set_stage_str(b, stages, N, err) == SF_OK);
  CHECK(sf_log_builder_set_time(b, t, N, SF_TIME_SECONDS, err) == SF_OK);
  CHECK(sf_log_builder_build(b, &log, err) == SF_OK);
  sf_log_builder_destroy(&b);
  return log;
}

static const int32_t step_of[4] = {0, 1, 2, 2};
static const char* names[4] = {"A", "B", "C", "C2"};

static sf_window* window_of(sf_log* log, int order, sf_error* err) {
  int64_t as_of = 20 * DAY;
  sf_window_stats* s = NULL;
  sf_window* w = NULL;
  CHECK(sf_window_stats_create(log, step_of, names, 4, 10 * DAY, order, NULL, NULL, NULL, 0, &as_of, &s,
                               err) == SF_OK);
  CHECK(sf_window_create(s, &w, err) == SF_OK);
  sf_window_stats_destroy(&s);
  return w;
}

static int64_t count(const sf_window* w, size_t step, int column, sf_error* err) {
  int64_t v = -1;
  CHECK(sf_window_step_count(w, step, column, &v, err) == SF_OK);
  return v;
}

static double rate(const sf_window* w, size_t step, int column, sf_error* err) {
  double v = NAN;
  CHECK(sf_window_step_rate(w, step, column, &v, err) == SF_OK);
  return v;
}

static void test_ordered(sf_log* log, sf_error* err) {
  sf_window* w = window_of(log, SF_ORDER_ORDERED, err);
  size_t k = 0;
  const char* name = NULL;
  CHECK(sf_window_num_steps(w, &k, err) == SF_OK && k == 3);
  CHECK(sf_window_step_name(w, 2, &name, err) == SF_OK && strcmp(name, "C | C2") == 0);
  CHECK(count(w, 0, SF_WINDOW_CONVERTED, err) == 5);
  CHECK(count(w, 1, SF_WINDOW_ENTERED, err) == 5);
  CHECK(count(w, 1, SF_WINDOW_CONVERTED, err) == 3); /* d1, d2, d5 */
  CHECK(count(w, 1, SF_WINDOW_IMMATURE, err) == 1);  /* d6 */
  CHECK(fabs(rate(w, 1, SF_WINDOW_CONVERSION, err) - 3.0 / 4) < 1e-12);
  CHECK(count(w, 2, SF_WINDOW_CONVERTED, err) == 1); /* d1 */
  CHECK(count(w, 2, SF_WINDOW_IMMATURE, err) == 1);  /* d5 */
  CHECK(fabs(rate(w, 2, SF_WINDOW_CONVERSION, err) - 1.0 / 2) < 1e-12);
  /* d1 did C 5 days after A (2% sketch precision). */
  CHECK(fabs(rate(w, 2, SF_WINDOW_MEDIAN_DAYS_FROM_FIRST, err) - 5.0) < 0.1);
  size_t nb = 0;
  double bucket_days = 0;
  CHECK(sf_window_num_buckets(w, &nb, &bucket_days, err) == SF_OK && nb == 10 && bucket_days == 1.0);
  double share[10];
  int64_t converted[10];
  CHECK(sf_window_curve(w, 2, share, converted, 10, err) == SF_OK);
  CHECK(converted[5] == 1 && share[4] == 0.0 && share[5] > 0);
  CHECK(sf_window_curve(w, 2, share, converted, 9, err) == SF_OUT_OF_RANGE);
  size_t nw = 0;
  const char* text = NULL;
  CHECK(sf_window_num_warnings(w, &nw, err) == SF_OK && nw >= 1);
  CHECK(sf_window_warning(w, 0, &text, err) == SF_OK && strstr(text, "2 deals") != NULL);
  sf_window_destroy(&w);
  CHECK(w == NULL);
}

static void test_strict_and_merge(sf_log* log, sf_error* err) {
  sf_window* w = window_of(log, SF_ORDER_STRICT, err);
  CHECK(count(w, 1, SF_WINDOW_CONVERTED, err) == 2); /* d2's C2 ends its attempt at A */
  sf_window_destroy(&w);
  int64_t as_of = 20 * DAY, later = 21 * DAY;
  sf_window_stats *a = NULL, *b = NULL, *c = NULL;
  CHECK(sf_window_stats_create(log, step_of, names, 4, 10 * DAY, SF_ORDER_ORDERED, NULL, NULL, NULL, 0,
                               &as_of, &a, err) == SF_OK);
  CHECK(sf_window_stats_create(log, step_of, names, 4, 10 * DAY, SF_ORDER_ORDERED, NULL, NULL, NULL, 0,
                               &later, &b, err) == SF_OK);
  CHECK(sf_window_stats_merge(a, b, err) == SF_FAILED_PRECONDITION);
  CHECK(sf_window_stats_create(log, step_of, names, 4, 10 * DAY, SF_ORDER_ANY, NULL, NULL, NULL, 0, &as_of,
                               &c, err) == SF_OK);
  CHECK(sf_window_stats_merge(a, c, err) == SF_INVALID_ARGUMENT);
  sf_window_stats_destroy(&a);
  sf_window_stats_destroy(&b);
  sf_window_stats_destroy(&c);
}

static void test_exclusions_and_errors(sf_log* log, sf_error* err) {
  /* Excluding X between A and B changes nothing (X comes on day 30, after as_of). */
  const int32_t from[1] = {0}, to[1] = {1};
  const char* stage[1] = {"X"};
  int64_t as_of = 20 * DAY;
  sf_window_stats* s = NULL;
  CHECK(sf_window_stats_create(log, step_of, names, 4, 10 * DAY, SF_ORDER_ORDERED, from, to, stage, 1,
                               &as_of, &s, err) == SF_OK);
  sf_window_stats_destroy(&s);
  /* Errors: a bad order, a gap in the steps, a NULL name, no window, exclusions with order any. */
  CHECK(sf_window_stats_create(log, step_of, names, 4, 10 * DAY, 7, NULL, NULL, NULL, 0, NULL, &s, err) ==
        SF_INVALID_ARGUMENT);
  CHECK(strstr(err->message, "sf_step_order") != NULL);
  const int32_t gap[3] = {0, 2, 2};
  CHECK(sf_window_stats_create(log, gap, names, 3, DAY, 0, NULL, NULL, NULL, 0, NULL, &s, err) ==
        SF_INVALID_ARGUMENT);
  CHECK(strstr(err->message, "step 1 names no stage") != NULL);
  const int32_t far[2] = {0, 5};
  CHECK(sf_window_stats_create(log, far, names, 2, DAY, 0, NULL, NULL, NULL, 0, NULL, &s, err) ==
        SF_INVALID_ARGUMENT);
  CHECK(strstr(err->message, "step_of_name[1] = 5") != NULL);
  const char* null_name[2] = {"A", NULL};
  CHECK(sf_window_stats_create(log, step_of, null_name, 2, DAY, 0, NULL, NULL, NULL, 0, NULL, &s, err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_window_stats_create(log, step_of, names, 4, 0, 0, NULL, NULL, NULL, 0, NULL, &s, err) ==
        SF_INVALID_ARGUMENT);
  CHECK(sf_window_stats_create(log, step_of, names, 4, DAY, SF_ORDER_ANY, from, to, stage, 1, NULL, &s,
                               err) == SF_INVALID_ARGUMENT);
  CHECK(sf_window_stats_create(NULL, step_of, names, 4, DAY, 0, NULL, NULL, NULL, 0, NULL, &s, err) ==
        SF_INVALID_ARGUMENT);
  CHECK(s == NULL);
  sf_window_stats_destroy(NULL);
  sf_window_destroy(NULL);
}

int main(void) {
  sf_error err;
  sf_log* log = build_log(&err);
  test_ordered(log, &err);
  test_strict_and_merge(log, &err);
  test_exclusions_and_errors(log, &err);
  sf_log_destroy(&log);
  return report();
}
