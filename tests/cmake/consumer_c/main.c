/* A C program using the installed salesfunnel C ABI: deal x reaches First
 * Meeting and stays open, deal y is disqualified after Contact. Expected, by
 * hand: 2 deals, 0 won, 1 lost, 1 open; Contact step conversion 1 of 2 = 0.5. */
#include <salesfunnel/salesfunnel.h>
#include <math.h>
#include <stdio.h>

#define TRY(call)                                              \
  if ((call) != SF_OK) {                                       \
    fprintf(stderr, "%s failed: %s\n", #call, err.message);    \
    return 1;                                                  \
  }

int main(void) {
  sf_error err;
  sf_graph* g = NULL;
  sf_log_builder* b = NULL;
  sf_log* log = NULL;
  sf_report* rep = NULL;
  const char* deals[] = {"x", "x", "x", "y", "y", "y"};
  const char* stages[] = {"Lead", "Contact", "First Meeting", "Lead", "Contact", "Disqualified"};
  const int64_t t[] = {0, 86400, 172800, 0, 86400, 172800};
  int64_t n_deals = 0, won = -1, lost = -1, open = -1;
  double step[10];
  TRY(sf_graph_template("sales_cycle", &g, &err));
  TRY(sf_log_builder_create(&b, &err));
  TRY(sf_log_builder_set_deal_str(b, deals, 6, &err));
  TRY(sf_log_builder_set_stage_str(b, stages, 6, &err));
  TRY(sf_log_builder_set_time(b, t, 6, SF_TIME_SECONDS, &err));
  TRY(sf_log_builder_set_graph(b, g, &err));
  TRY(sf_log_builder_build(b, &log, &err));
  TRY(sf_funnel_create(log, NULL, &rep, &err));
  TRY(sf_report_totals(rep, &n_deals, &won, &lost, &open, &err));
  TRY(sf_report_stage_values(rep, SF_VALUE_STEP_CONVERSION, step, 10, &err));
  printf("salesfunnel %s: %lld deals, %lld won, %lld lost, %lld open; Contact step %.2f\n",
         sf_version(), (long long)n_deals, (long long)won, (long long)lost, (long long)open,
         step[1]);
  sf_report_destroy(&rep);
  sf_log_destroy(&log);
  sf_log_builder_destroy(&b);
  sf_graph_destroy(&g);
  return (n_deals == 2 && won == 0 && lost == 1 && open == 1 && fabs(step[1] - 0.5) < 1e-12) ? 0 : 1;
}
