/* The methodology calls of the C ABI and their error paths, on hand-counted data. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "salesfunnel/salesfunnel.h"

#include "check.h"


static void test_great_conversations(void) {
  sf_error err;
  /* p1: yes, not_now, no with a decision maker -> counted once, 2 repeats;
   * p2: maybe -> 0; p3: yes but not a decision maker -> 0; p4: no answer -> 0. */
  const char* prospects[] = {"p1", "p1", "p1", "p2", "p3", "p4"};
  const char* reps[] = {"ann", "ann", "ann", "ann", NULL, "bob"};
  const int64_t t[] = {0, 86400, 172800, 0, 0, 0};
  const uint8_t dm[] = {1, 1, 1, 1, 0, 1};
  const int32_t outcome[] = {SF_OUTCOME_YES, SF_OUTCOME_NOT_NOW, SF_OUTCOME_NO, SF_OUTCOME_MAYBE,
                             SF_OUTCOME_YES, SF_OUTCOME_NO_ANSWER};
  int64_t counted = -1, repeats = -1, not_dm = -1, maybe = -1, no_answer = -1;
  CHECK(sf_great_conversations_count(prospects, reps, t, dm, outcome, 6, SF_TIME_SECONDS,
                                     &counted, &repeats, &not_dm, &maybe, &no_answer,
                                     &err) == SF_OK);
  CHECK(counted == 1 && repeats == 2 && not_dm == 1 && maybe == 1 && no_answer == 1);
  const int32_t bad[] = {0, 9, 0, 0, 0, 0};
  CHECK(sf_great_conversations_count(prospects, reps, t, dm, bad, 6, SF_TIME_SECONDS, NULL, NULL,
                                     NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(strstr(err.message, "row 1") != NULL);
  CHECK(sf_great_conversations_count(NULL, reps, t, dm, outcome, 6, SF_TIME_SECONDS, NULL, NULL,
                                     NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  CHECK(strcmp(err.message, "argument 'prospects' is NULL") == 0);
  CHECK(sf_great_conversations_count(prospects, reps, t, dm, outcome, 6, (sf_time_unit)7, NULL,
                                     NULL, NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
}

static void test_plan(void) {
  sf_error err;
  double needed = 0;
  int64_t lo = 0, hi = 0;
  /* 3 first meetings a week at a 55% rate: 3 / 0.55 = 5.45, about 5-6. */
  CHECK(sf_plan_great_conversations(3, 0.55, &needed, &lo, &hi, &err) == SF_OK);
  CHECK(fabs(needed - 3 / 0.55) < 1e-12 && lo == 5 && hi == 6);
  CHECK(sf_plan_great_conversations(3, 0.0, &needed, &lo, &hi, &err) == SF_INVALID_ARGUMENT);
}

static sf_log* reps_log(sf_error* err) {
  /* Rep A: 10 wins from 20 contacts; rep B: 20 wins from 100 (sales_cycle). */
  static const char* win[] = {"Lead", "Contact", "First Meeting", "Active Prospect", "Client"};
  static const char* loss[] = {"Lead", "Contact", "Disqualified"};
  static char names[120][8];
  static const char* deal[600];
  static const char* stage[600];
  static const char* rep[600];
  static int64_t t[600];
  size_t n = 0;
  for (int d = 0; d < 120; ++d) {
    int is_a = d < 20;
    int wins = is_a ? (d < 10) : (d < 40);
    snprintf(names[d], sizeof names[d], "d%d", d);
    const char** path = wins ? win : loss;
    int len = wins ? 5 : 3;
    for (int k = 0; k < len; ++k) {
      deal[n] = names[d];
      stage[n] = path[k];
      rep[n] = is_a ? "A" : "B";
      t[n] = k * 86400;
      ++n;
    }
  }
  sf_graph* g = NULL;
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  sf_graph_template("sales_cycle", &g, err);
  sf_log_builder_create(&b, err);
  sf_log_builder_set_deal_str(b, deal, n, err);
  sf_log_builder_set_stage_str(b, stage, n, err);
  sf_log_builder_set_time(b, t, n, SF_TIME_SECONDS, err);
  sf_log_builder_set_rep_str(b, rep, n, err);
  sf_log_builder_set_graph(b, g, err);
  sf_log_builder_build(b, &log, err);
  sf_log_builder_destroy(&b);
  sf_graph_destroy(&g);
  return log;
}

static void test_compare_reps_and_coverage(void) {
  sf_error err;
  sf_log* log = reps_log(&err);
  CHECK(log != NULL);
  size_t count = 0;
  CHECK(sf_compare_reps(log, "Contact", "Client", 10, &count, NULL, NULL, NULL, NULL, NULL, NULL,
                        0, &err) == SF_OK && count == 2);
  const char* rep[2];
  int64_t n[2], wins[2];
  double rate[2], shrunk[2];
  int32_t rank[2];
  CHECK(sf_compare_reps(log, "Contact", "Client", 10, &count, rep, n, wins, rate, shrunk, rank, 1,
                        &err) == SF_OUT_OF_RANGE);
  CHECK(sf_compare_reps(log, "Contact", "Client", 10, &count, rep, n, wins, rate, shrunk, rank, 2,
                        &err) == SF_OK);
  for (int i = 0; i < 2; ++i) {
    if (strcmp(rep[i], "A") == 0) {
      CHECK(n[i] == 20 && wins[i] == 10 && fabs(rate[i] - 0.5) < 1e-12 && rank[i] == 1);
    } else {
      CHECK(strcmp(rep[i], "B") == 0);
      CHECK(n[i] == 100 && wins[i] == 20 && fabs(rate[i] - 0.2) < 1e-12 && rank[i] == 2);
    }
  }
  CHECK(sf_compare_reps(log, "Contact", "Nowhere", 10, &count, NULL, NULL, NULL, NULL, NULL, NULL,
                        0, &err) == SF_NOT_FOUND);
  CHECK(sf_compare_reps(NULL, "a", "b", 1, &count, NULL, NULL, NULL, NULL, NULL, NULL, 0, &err) ==
        SF_INVALID_ARGUMENT);

  /* 30 won, 90 lost: win rate 0.25, required coverage 1 / 0.25 = 4. */
  double raw = 0, qual = 0, wr = 0, req = 0, vel = 0;
  CHECK(sf_team_coverage(log, 1000.0, NULL, &raw, &qual, &wr, &req, &vel, &err) == SF_OK);
  CHECK(fabs(wr - 0.25) < 1e-12 && fabs(req - 4.0) < 1e-12);
  CHECK(sf_team_coverage(NULL, 1.0, NULL, NULL, NULL, NULL, NULL, NULL, &err) == SF_INVALID_ARGUMENT);
  sf_log_destroy(&log);
}

int main(void) {
  test_great_conversations();
  test_plan();
  test_compare_reps_and_coverage();
  return report();
}
