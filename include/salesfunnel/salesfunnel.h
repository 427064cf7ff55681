/*
 * salesfunnel C ABI: stage graphs, event logs and funnel reports for any
 * language with a C FFI.
 *
 * Rules (see docs/api-c.md):
 * - Every fallible call returns an sf_status; SF_OK (0) is success. The last
 *   parameter is an optional, caller-owned sf_error that receives the code
 *   and a message naming the argument, column or row (pass NULL to ignore).
 * - Handles are opaque. Each sf_X_create / sf_X_build has an sf_X_destroy that
 *   accepts NULL (and a pointer to NULL) and sets the handle to NULL.
 * - A NULL handle or NULL required pointer is SF_INVALID_ARGUMENT, never a
 *   crash. The library owns no string the caller must free: text comes out
 *   through caller buffers (buf, size, out_len: pass buf NULL and size 0 to
 *   ask for the length) or as borrowed pointers valid while the handle lives
 *   and is not modified.
 * - Tables leave as column arrays the caller allocates.
 * - Handles are immutable after build except sf_graph, sf_log_builder, a log
 *   appended to (sf_log_append) and the statistics merged into
 *   (sf_funnel_stats, sf_window_stats), which must not be modified from two
 *   threads at once, nor read while modified. Reading any handle from
 *   several threads is safe; an sf_live may be read while appended to.
 *
 * Versioning: removing or changing any declaration or enum value here needs a
 * new major version (SALESFUNNEL_VERSION_MAJOR); adding functions or enum
 * values at the end does not.
 */
#ifndef SALESFUNNEL_H_
#define SALESFUNNEL_H_

#include <stddef.h>
#include <stdint.h>

#include "salesfunnel/version.h"

#if defined(_WIN32)
#if defined(SF_BUILDING_LIBRARY)
#define SF_API __declspec(dllexport)
#else
#define SF_API __declspec(dllimport)
#endif
#else
#define SF_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */

/** Status codes; the values are Abseil's status codes. */
typedef enum sf_status {
  SF_OK = 0,
  SF_CANCELLED = 1,
  SF_UNKNOWN = 2,
  SF_INVALID_ARGUMENT = 3,
  SF_DEADLINE_EXCEEDED = 4,
  SF_NOT_FOUND = 5,
  SF_ALREADY_EXISTS = 6,
  SF_PERMISSION_DENIED = 7,
  SF_RESOURCE_EXHAUSTED = 8,
  SF_FAILED_PRECONDITION = 9,
  SF_ABORTED = 10,
  SF_OUT_OF_RANGE = 11,
  SF_UNIMPLEMENTED = 12,
  SF_INTERNAL = 13,
  SF_UNAVAILABLE = 14,
  SF_DATA_LOSS = 15,
  SF_UNAUTHENTICATED = 16
} sf_status;

/** Caller-owned error details, filled on failure. */
typedef struct sf_error {
  sf_status code;
  char message[1024];
} sf_error;

/** Static text naming a status code, e.g. "INVALID_ARGUMENT". */
SF_API const char* sf_status_string(sf_status status);

/** The library version at run time, e.g. "0.1.0". */
SF_API const char* sf_version(void);

/* ----------------------------------------------------------- stage graph */

typedef enum sf_stage_kind {
  SF_STAGE_ENTRY = 0,
  SF_STAGE_OPEN = 1,
  SF_STAGE_WON = 2,
  SF_STAGE_LOST = 3,
  SF_STAGE_NURTURE = 4
} sf_stage_kind;

/** A sales process: stages joined by commitment transitions. */
typedef struct sf_graph sf_graph;

/** An empty graph; `name` may be NULL. */
SF_API sf_status sf_graph_create(const char* name, sf_graph** out_graph, sf_error* error);
/** A template: "sales_cycle" or "ten_commitments". */
SF_API sf_status sf_graph_template(const char* name, sf_graph** out_graph, sf_error* error);
/** Parses the JSON form (see sf_graph_to_json) and validates it. */
SF_API sf_status sf_graph_from_json(const char* json, size_t length, sf_graph** out_graph,
                                    sf_error* error);
SF_API void sf_graph_destroy(sf_graph** graph);

SF_API sf_status sf_graph_add_stage(sf_graph* graph, const char* name, sf_stage_kind kind,
                                    int32_t* out_stage, sf_error* error);
/** `commitment` may be NULL (then "from -> to"). */
SF_API sf_status sf_graph_add_transition(sf_graph* graph, const char* from, const char* to,
                                         const char* commitment, sf_error* error);
/** FAILED_PRECONDITION unless there is an entry and a won stage and every
 * stage can reach a won or lost stage. */
SF_API sf_status sf_graph_validate(const sf_graph* graph, sf_error* error);
SF_API sf_status sf_graph_num_stages(const sf_graph* graph, int32_t* out_count, sf_error* error);
SF_API sf_status sf_graph_num_transitions(const sf_graph* graph, int32_t* out_count,
                                          sf_error* error);
/** Borrowed name, valid while the graph lives and is not modified. */
SF_API sf_status sf_graph_stage_name(const sf_graph* graph, int32_t stage, const char** out_name,
                                     sf_error* error);
SF_API sf_status sf_graph_stage_kind(const sf_graph* graph, int32_t stage,
                                     sf_stage_kind* out_kind, sf_error* error);
/** NOT_FOUND (listing the known stages) when no stage has this name. */
SF_API sf_status sf_graph_find_stage(const sf_graph* graph, const char* name, int32_t* out_stage,
                                     sf_error* error);
/** The transition at `index` (in the order added); commitment is borrowed. */
SF_API sf_status sf_graph_transition(const sf_graph* graph, int32_t index, int32_t* out_from,
                                     int32_t* out_to, const char** out_commitment,
                                     sf_error* error);
/** JSON text into buf (NUL-terminated). *out_len gets the length without the
 * NUL; a buffer too small is OUT_OF_RANGE (buf then holds a truncated,
 * terminated prefix); buf NULL with size 0 asks for the length only. */
SF_API sf_status sf_graph_to_json(const sf_graph* graph, char* buf, size_t size, size_t* out_len,
                                  sf_error* error);
/** Graphviz DOT text; buffer rules as sf_graph_to_json. */
SF_API sf_status sf_graph_to_dot(const sf_graph* graph, char* buf, size_t size, size_t* out_len,
                                 sf_error* error);

/* ------------------------------------------------------------- event log */

typedef enum sf_time_unit {
  SF_TIME_SECONDS = 0,
  SF_TIME_MILLISECONDS = 1,
  SF_TIME_MICROSECONDS = 2,
  SF_TIME_NANOSECONDS = 3
} sf_time_unit;

/** Collects columns (copied on each set call), then builds a log. */
typedef struct sf_log_builder sf_log_builder;
/** An immutable, columnar event log. */
typedef struct sf_log sf_log;

SF_API sf_status sf_log_builder_create(sf_log_builder** out_builder, sf_error* error);
SF_API void sf_log_builder_destroy(sf_log_builder** builder);
/** Deal ids: integers, or strings (a NULL entry is a missing id, reported at build). */
SF_API sf_status sf_log_builder_set_deal_int64(sf_log_builder* builder, const int64_t* ids,
                                               size_t n, sf_error* error);
SF_API sf_status sf_log_builder_set_deal_str(sf_log_builder* builder, const char* const* ids,
                                             size_t n, sf_error* error);
/** Stage names (NULL entry: missing), or codes into `categories` (negative: missing). */
SF_API sf_status sf_log_builder_set_stage_str(sf_log_builder* builder, const char* const* stages,
                                              size_t n, sf_error* error);
SF_API sf_status sf_log_builder_set_stage_codes(sf_log_builder* builder, const int32_t* codes,
                                                size_t n, const char* const* categories,
                                                size_t n_categories, sf_error* error);
/** Entry times; INT64_MIN is a missing time (reported at build). */
SF_API sf_status sf_log_builder_set_time(sf_log_builder* builder, const int64_t* times, size_t n,
                                         sf_time_unit unit, sf_error* error);
SF_API sf_status sf_log_builder_set_rep_str(sf_log_builder* builder, const char* const* reps,
                                            size_t n, sf_error* error);
/** Deal amounts; NaN is missing. */
SF_API sf_status sf_log_builder_set_amount(sf_log_builder* builder, const double* amounts,
                                           size_t n, sf_error* error);
SF_API sf_status sf_log_builder_add_attribute_str(sf_log_builder* builder, const char* name,
                                                  const char* const* values, size_t n,
                                                  sf_error* error);
/** The graph is copied; without one, stages are interned from the data. */
SF_API sf_status sf_log_builder_set_graph(sf_log_builder* builder, const sf_graph* graph,
                                          sf_error* error);
/** Folds the raw stage value `raw` into the stage named `stage`. */
SF_API sf_status sf_log_builder_add_stage_map(sf_log_builder* builder, const char* raw,
                                              const char* stage, sf_error* error);
/** Nonzero: duplicates, repeats, rows out of order and non-edge transitions are errors. */
SF_API sf_status sf_log_builder_set_strict(sf_log_builder* builder, int strict, sf_error* error);
/** 0 (default): every hardware thread. */
SF_API sf_status sf_log_builder_set_threads(sf_log_builder* builder, int threads,
                                            sf_error* error);
/** Validates and builds; errors name the column and the first offending row. */
/** Keep every input row so the log can be appended to (sf_log_append);
 * about the memory of a second copy of the input. Off by default. */
SF_API sf_status sf_log_builder_set_appendable(sf_log_builder* builder, int appendable,
                                               sf_error* error);
SF_API sf_status sf_log_builder_build(const sf_log_builder* builder, sf_log** out_log,
                                      sf_error* error);

SF_API void sf_log_destroy(sf_log** log);
SF_API sf_status sf_log_num_events(const sf_log* log, int64_t* out_count, sf_error* error);
SF_API sf_status sf_log_num_deals(const sf_log* log, int64_t* out_count, sf_error* error);

typedef enum sf_log_issue {
  SF_ISSUE_DUPLICATE_EVENTS = 0,
  SF_ISSUE_REPEATED_STAGE_EVENTS = 1,
  SF_ISSUE_OUT_OF_ORDER_ROWS = 2,
  SF_ISSUE_UNKNOWN_TRANSITIONS = 3,
  /* events after the deal was already won or lost: left out of the log */
  SF_ISSUE_EVENTS_AFTER_OUTCOME = 4
} sf_log_issue;

/** How often an issue occurred and its first input row (-1 when none). */
SF_API sf_status sf_log_issue_count(const sf_log* log, sf_log_issue issue, int64_t* out_count,
                                    int64_t* out_first_row, sf_error* error);

/* --------------------------------------------------------- funnel report */

typedef struct sf_report sf_report;
typedef struct sf_grouped_report sf_grouped_report;

/** The funnel report of a log built with a graph. `as_of` (NULL: the log's
 * latest event) is when the log is read: later events are ignored (the log
 * as it stood then) and open deals' stays are censored there. */
SF_API sf_status sf_funnel_create(const sf_log* log, const int64_t* as_of, sf_report** out_report,
                                  sf_error* error);
/** The same with staleness, for funnels whose losses are never recorded: an
 * open deal silent for more than `stale_after_days` (NaN: off) leaves through
 * an implicit lost stage "Went dark" (added to the report's stages). Per-stage
 * limits override it: `n_stages` names in `stages` with days in `stage_days`
 * (both may be NULL when n_stages is 0). */
SF_API sf_status sf_funnel_create_stale(const sf_log* log, const int64_t* as_of,
                                        double stale_after_days, const char* const* stages,
                                        const double* stage_days, size_t n_stages,
                                        sf_report** out_report, sf_error* error);
/** One report per group: `by` is "rep", "cohort_week", "cohort_month" or an
 * attribute name. */
SF_API sf_status sf_funnel_by_create(const sf_log* log, const char* by, const int64_t* as_of,
                                     sf_grouped_report** out_report, sf_error* error);
SF_API void sf_report_destroy(sf_report** report);
SF_API void sf_grouped_report_destroy(sf_grouped_report** report);

SF_API sf_status sf_report_num_stages(const sf_report* report, int32_t* out_count,
                                      sf_error* error);
/** Borrowed stage name, valid while the report lives. */
SF_API sf_status sf_report_stage_name(const sf_report* report, int32_t stage,
                                      const char** out_name, sf_error* error);
SF_API sf_status sf_report_totals(const sf_report* report, int64_t* out_deals, int64_t* out_won,
                                  int64_t* out_lost, int64_t* out_open, sf_error* error);
/** Deals that went dark (part of the lost total; 0 without staleness). */
SF_API sf_status sf_report_went_dark(const sf_report* report, int64_t* out_count, sf_error* error);
/** Warnings a person should read before trusting the report (no losses
 * recorded, snapshot-like data, events after the outcome, ...). */
SF_API sf_status sf_report_num_warnings(const sf_report* report, size_t* out_count,
                                        sf_error* error);
/** Borrowed text of warning i, valid while the report lives. */
SF_API sf_status sf_report_warning(const sf_report* report, size_t i, const char** out_text,
                                   sf_error* error);

/* ------------------------------------------------------------- waterfall */

typedef struct sf_waterfall sf_waterfall;

/** The columns of a waterfall row, in this order. Every row balances:
 * open_start + new + moved_in - moved_out - won - lost - went_dark == open_end. */
typedef enum sf_waterfall_column {
  SF_WATERFALL_OPEN_START = 0,
  SF_WATERFALL_NEW = 1,
  SF_WATERFALL_MOVED_IN = 2,
  SF_WATERFALL_MOVED_OUT = 3,
  SF_WATERFALL_WON = 4,
  SF_WATERFALL_LOST = 5,
  SF_WATERFALL_WENT_DARK = 6,
  SF_WATERFALL_OPEN_END = 7,
  SF_WATERFALL_NUM_COLUMNS = 8
} sf_waterfall_column;

/** What changed per stage between `start` and `end` (log time units),
 * from the event log alone; `stale_after_days` as sf_funnel_create_stale
 * (NaN: off). */
SF_API sf_status sf_waterfall_create(const sf_log* log, int64_t start, int64_t end,
                                     double stale_after_days, sf_waterfall** out_waterfall,
                                     sf_error* error);
SF_API void sf_waterfall_destroy(sf_waterfall** waterfall);
/** Rows: one per stage in graph order, then the total. */
SF_API sf_status sf_waterfall_num_rows(const sf_waterfall* waterfall, size_t* out_count,
                                       sf_error* error);
/** Row i: its borrowed name ("(total)" for the last), the 8 counts and the 8
 * amounts in sf_waterfall_column order (either array may be NULL). */
SF_API sf_status sf_waterfall_row(const sf_waterfall* waterfall, size_t i, const char** out_name,
                                  int64_t* out_counts, double* out_values, sf_error* error);

typedef enum sf_report_count {
  SF_COUNT_REACHED = 0,
  SF_COUNT_REACHED_OR_BEYOND = 1,
  SF_COUNT_ADVANCED = 2,
  SF_COUNT_DROPPED = 3,
  SF_COUNT_CLOSED_HERE = 4,
  SF_COUNT_IN_PROGRESS = 5,
  SF_COUNT_OPEN = 6,
  SF_COUNT_STAYS_COMPLETED = 7,
  SF_COUNT_STAYS_CENSORED = 8
} sf_report_count;

typedef enum sf_report_value {
  SF_VALUE_STEP_CONVERSION = 0,
  SF_VALUE_STEP_LOW = 1,
  SF_VALUE_STEP_HIGH = 2,
  SF_VALUE_CUMULATIVE_CONVERSION = 3,
  SF_VALUE_CUMULATIVE_LOW = 4,
  SF_VALUE_CUMULATIVE_HIGH = 5,
  SF_VALUE_MEDIAN_DAYS = 6,
  SF_VALUE_P90_DAYS = 7,
  SF_VALUE_MEAN_DAYS = 8
} sf_report_value;

/** One count column, a value per stage (in graph order) into out[0..n);
 * n smaller than the stage count is OUT_OF_RANGE. */
SF_API sf_status sf_report_stage_counts(const sf_report* report, sf_report_count column,
                                        int64_t* out, size_t n, sf_error* error);
/** One value column (NaN where undefined); as sf_report_stage_counts. */
SF_API sf_status sf_report_stage_values(const sf_report* report, sf_report_value column,
                                        double* out, size_t n, sf_error* error);
/** Directly-follows pairs: count them, then fill parallel arrays of at least that size. */
SF_API sf_status sf_report_num_transitions(const sf_report* report, size_t* out_count,
                                           sf_error* error);
SF_API sf_status sf_report_transitions(const sf_report* report, int32_t* out_from,
                                       int32_t* out_to, int64_t* out_count,
                                       double* out_median_days, size_t n, sf_error* error);
/** Drop-offs by exit: the furthest main-path stage, the lost exit, the deals. */
SF_API sf_status sf_report_num_drop_offs(const sf_report* report, size_t* out_count,
                                         sf_error* error);
SF_API sf_status sf_report_drop_offs(const sf_report* report, int32_t* out_stage,
                                     int32_t* out_exit, int64_t* out_deals, size_t n,
                                     sf_error* error);

SF_API sf_status sf_grouped_report_num_groups(const sf_grouped_report* report, size_t* out_count,
                                              sf_error* error);
/** Borrowed group label, valid while the grouped report lives. */
SF_API sf_status sf_grouped_report_group_name(const sf_grouped_report* report, size_t group,
                                              const char** out_name, sf_error* error);
/** A new report handle for one group (destroy it with sf_report_destroy). */
SF_API sf_status sf_grouped_report_get(const sf_grouped_report* report, size_t group,
                                       sf_report** out_report, sf_error* error);

/* ------------------------------------------------- sales methodology */

/** Conversation outcomes, in the order of the codes sf_great_conversations_count takes. */
typedef enum sf_outcome {
  SF_OUTCOME_YES = 0,
  SF_OUTCOME_NOT_NOW = 1,
  SF_OUTCOME_NO = 2,
  SF_OUTCOME_MAYBE = 3,
  SF_OUTCOME_NO_ANSWER = 4
} sf_outcome;

/** Great conversations in a calls table (one row per conversation): a great
 * one is with a decision maker (nonzero) and ends yes, not-now or no; each
 * prospect counts once. Outputs (any may be NULL): prospects counted, and
 * the conversations that were repeats, not with a decision maker, maybe and
 * no-answer. `reps` may be NULL. Errors name the column and row. */
SF_API sf_status sf_great_conversations_count(const char* const* prospects,
                                              const char* const* reps, const int64_t* times,
                                              const uint8_t* with_decision_maker,
                                              const int32_t* outcomes, size_t n,
                                              sf_time_unit unit, int64_t* out_counted,
                                              int64_t* out_repeats,
                                              int64_t* out_not_decision_maker,
                                              int64_t* out_maybe, int64_t* out_no_answer,
                                              sf_error* error);

/** Great conversations a week needed for `first_meetings_per_week` at a
 * great-conversation -> first-meeting `rate` in (0, 1]. */
SF_API sf_status sf_plan_great_conversations(double first_meetings_per_week, double rate,
                                             double* out_needed, int64_t* out_floor,
                                             int64_t* out_ceil, sf_error* error);

/** Rep comparison from `start` to `end` (stage names): per rep the resolved
 * deals n, wins, Wilson rate, empirical-Bayes shrunk rate and rank (1 best;
 * -1 when n < min_n). Ask with out arrays NULL to get *out_count, then call
 * again with arrays of at least that size; rep names are borrowed from the
 * log (valid while it lives). */
SF_API sf_status sf_compare_reps(const sf_log* log, const char* start, const char* end,
                                 int64_t min_n, size_t* out_count, const char** out_rep,
                                 int64_t* out_n, int64_t* out_wins, double* out_rate,
                                 double* out_shrunk_rate, int32_t* out_rank, size_t capacity,
                                 sf_error* error);

/** Team pipeline coverage at the log's latest event with the default audit
 * rules (aged past the average won cycle; the two-meeting rule needs a
 * meetings log, so it is off here unless `second_meeting_stage` names the
 * stage that proves a second meeting, or NULL): open value / quota raw and
 * qualified, win rate, required coverage (1 / win rate), sales velocity. */
SF_API sf_status sf_team_coverage(const sf_log* log, double quota,
                                  const char* second_meeting_stage, double* out_coverage_raw,
                                  double* out_coverage_qualified, double* out_win_rate,
                                  double* out_required_coverage, double* out_velocity,
                                  sf_error* error);

/* ------------------------------------------ Markov model and what-if */

/** The absorbing Markov model of a process (won and lost stages absorbing). */
typedef struct sf_model sf_model;

/** Fits from a log with a graph; `prior` pseudo-counts per stage spread over
 * its graph out-edges; `as_of` NULL: the log's latest event. */
SF_API sf_status sf_model_fit(const sf_log* log, double prior, const int64_t* as_of,
                              sf_model** out_model, sf_error* error);
/** The same with staleness (as sf_funnel_create_stale): the model gains the
 * "Went dark" exit, and its forecast leaves gone-dark deals out. */
SF_API sf_status sf_model_fit_stale(const sf_log* log, double prior, const int64_t* as_of,
                                    double stale_after_days, const char* const* stages,
                                    const double* stage_days, size_t n_stages,
                                    sf_model** out_model, sf_error* error);
/** A hypothetical model: n edges given by stage names and probabilities (each
 * transient stage's must sum to 1); dwell_days per stage in graph order, or NULL. */
SF_API sf_status sf_model_from_probabilities(const sf_graph* graph, const char* const* from,
                                             const char* const* to, const double* probability,
                                             size_t n, const double* dwell_days,
                                             size_t n_dwell, sf_model** out_model,
                                             sf_error* error);
SF_API void sf_model_destroy(sf_model** model);
SF_API sf_status sf_model_num_stages(const sf_model* model, int32_t* out_count, sf_error* error);

typedef enum sf_model_column {
  SF_MODEL_WIN_PROBABILITY = 0, /* P(ending in a won stage | stage) */
  SF_MODEL_EXPECTED_STEPS = 1,  /* moves until won or lost */
  SF_MODEL_EXPECTED_DAYS = 2,   /* days until won or lost */
  SF_MODEL_DWELL_DAYS = 3,      /* mean days in the stage */
  SF_MODEL_EXPECTED_DAYS_TO_WIN = 4 /* days until won, for the deals that win (NaN: never) */
} sf_model_column;

/** One value per stage (graph order) into out[0..n); FAILED_PRECONDITION
 * names stages from which no won or lost stage can be reached. */
SF_API sf_status sf_model_stage_values(const sf_model* model, sf_model_column column, double* out,
                                       size_t n, sf_error* error);
/** The transition matrix, row-major stage x stage, into out[0..n) (n >= S*S). */
SF_API sf_status sf_model_transition_matrix(const sf_model* model, double* out, size_t n,
                                            sf_error* error);
/** Exact sensitivity of P(won | entry) per edge, ranked (the weakest link
 * first): wins per 100 entries for +1 point, and the removal effect (per
 * entry). Ask with arrays NULL for *out_count, then fill. */
SF_API sf_status sf_model_sensitivity(const sf_model* model, size_t* out_count, int32_t* out_from,
                                      int32_t* out_to, double* out_wins_per_100_per_point,
                                      double* out_removal_effect, size_t capacity,
                                      sf_error* error);
/** Entries needed per period at every stage (graph order; infinity for
 * stages that never win, NaN for won/lost stages) for `goal_wins` per period
 * of `period_days` (7 a week); out_lag_periods: how many periods earlier to
 * start (the expected time to win, for the deals that win). `probability` in (0, 1), or 0 for the mean plan only; then
 * out_at_probability gets the entries that hit the goal with it. */
SF_API sf_status sf_model_plan(const sf_model* model, double goal_wins, double period_days,
                               double probability, double* out_entries, double* out_at_probability,
                               double* out_lag_periods, size_t n, sf_error* error);
/** Monte Carlo forecast of a log's open deals plus Poisson new leads over
 * `horizon_days`; seeded, identical for any thread count. Outputs wins P10,
 * P50, P90 and mean, and P(wins >= quota) (NaN quota: NaN). */
SF_API sf_status sf_model_forecast(const sf_model* model, const sf_log* log, double horizon_days,
                                   int64_t trials, uint64_t seed, double leads_per_week,
                                   double quota, double* out_p10, double* out_p50,
                                   double* out_p90, double* out_mean, double* out_p_hit_quota,
                                   sf_error* error);

/** Solves k chains over one graph in one call: a stack of what-if
 * matrices, or one fitted per rep elsewhere. `p` holds k row-major S x S
 * transition matrices back to back (as sf_model_transition_matrix gives:
 * only graph edges, each row of a stage that is not won or lost summing to
 * 1, won and lost rows 0); `dwell_days` k x S mean days in stage, or NULL
 * (0 days). Each non-NULL output gets k x S values, chain by chain (n >= k*S
 * entries): P(won | stage), moves and days until won or lost, and days to
 * the win for the deals that win (NaN: never). A chain with a stage from
 * which no won or lost stage can be reached gets NaN rows and
 * out_failed[chain] = 1 (out_failed: k entries, or NULL) without failing
 * the others; a malformed matrix fails the call (INVALID_ARGUMENT naming the
 * chain and stages). `threads` 0: every core. */
SF_API sf_status sf_solve_chains(const sf_graph* graph, const double* p, const double* dwell_days,
                                 size_t k, int threads, double* out_win_probability,
                                 double* out_expected_steps, double* out_expected_days,
                                 double* out_expected_days_to_win, size_t n, uint8_t* out_failed,
                                 sf_error* error);

/* Further areas follow. */

/* -------------------------------------------------------- window funnels */

typedef struct sf_window_stats sf_window_stats; /* mergeable statistics */
typedef struct sf_window sf_window;             /* a window-funnel report */

typedef enum sf_step_order {
  SF_ORDER_ORDERED = 0, /* other events may come between steps */
  SF_ORDER_STRICT = 1,  /* no event of another step between two steps */
  SF_ORDER_ANY = 2      /* steps after the first in any order */
} sf_step_order;

/** Window-funnel statistics of a log (with or without a stage graph). Steps
 * are given as n_names (step, name) pairs: name `names[i]` belongs to step
 * `step_of_name[i]` (0-based; every step 0..k-1 named at least once; several
 * names in one step: any of them completes it). `within_seconds`: the window
 * from the step-0 event. `order`: an sf_step_order value. Exclusions: n
 * triples (from step, to step, stage); the three arrays may be NULL when n is
 * 0. `as_of` NULL: the latest event. See docs/concepts.md, "Window funnels". */
SF_API sf_status sf_window_stats_create(const sf_log* log, const int32_t* step_of_name,
                                        const char* const* names, size_t n_names,
                                        int64_t within_seconds, int order,
                                        const int32_t* exclusion_from, const int32_t* exclusion_to,
                                        const char* const* exclusion_stage, size_t n_exclusions,
                                        const int64_t* as_of, sf_window_stats** out_stats,
                                        sf_error* error);
/** Adds `other` into `into` (same steps, window, order, exclusions and as_of). */
SF_API sf_status sf_window_stats_merge(sf_window_stats* into, const sf_window_stats* other,
                                       sf_error* error);
SF_API void sf_window_stats_destroy(sf_window_stats** stats);

/** The report of window-funnel statistics. */
SF_API sf_status sf_window_create(const sf_window_stats* stats, sf_window** out_window,
                                  sf_error* error);
SF_API void sf_window_destroy(sf_window** window);
SF_API sf_status sf_window_num_steps(const sf_window* window, size_t* out_count, sf_error* error);
/** Step i's borrowed label ("SQL", or "A | B" for a set). */
SF_API sf_status sf_window_step_name(const sf_window* window, size_t i, const char** out_name,
                                     sf_error* error);

typedef enum sf_window_count {
  SF_WINDOW_ENTERED = 0,   /* deals that did the previous step */
  SF_WINDOW_CONVERTED = 1, /* ... and this step within the window */
  SF_WINDOW_IMMATURE = 2,  /* not yet, window still open at as_of */
  SF_WINDOW_MATURE = 3     /* entered - immature */
} sf_window_count;
SF_API sf_status sf_window_step_count(const sf_window* window, size_t i, int column,
                                      int64_t* out_value, sf_error* error);

typedef enum sf_window_rate {
  SF_WINDOW_CONVERSION = 0, /* converted / mature */
  SF_WINDOW_CONVERSION_LOW = 1,
  SF_WINDOW_CONVERSION_HIGH = 2,
  SF_WINDOW_CUMULATIVE = 3, /* from step 0, over deals whose outcome is known */
  SF_WINDOW_CUMULATIVE_LOW = 4,
  SF_WINDOW_CUMULATIVE_HIGH = 5,
  SF_WINDOW_MEDIAN_DAYS_FROM_PREVIOUS = 6,
  SF_WINDOW_P90_DAYS_FROM_PREVIOUS = 7,
  SF_WINDOW_MEDIAN_DAYS_FROM_FIRST = 8,
  SF_WINDOW_P90_DAYS_FROM_FIRST = 9,
  SF_WINDOW_KM_CUMULATIVE = 10 /* from step 0 by the window's end, Kaplan-Meier (censoring-correct) */
} sf_window_rate;
SF_API sf_status sf_window_step_rate(const sf_window* window, size_t i, int column,
                                     double* out_value, sf_error* error);

/** The conversion curve of step i: `n` must be at least the bucket count
 * (sf_window_num_buckets); out_share[b] is the Kaplan-Meier share of step-0
 * deals that did step i within (b + 1) buckets, out_converted[b] the deals
 * that did it in bucket b (either array may be NULL). */
SF_API sf_status sf_window_num_buckets(const sf_window* window, size_t* out_count,
                                       double* out_bucket_days, sf_error* error);
SF_API sf_status sf_window_curve(const sf_window* window, size_t i, double* out_share,
                                 int64_t* out_converted, size_t n, sf_error* error);
SF_API sf_status sf_window_num_warnings(const sf_window* window, size_t* out_count,
                                        sf_error* error);
SF_API sf_status sf_window_warning(const sf_window* window, size_t i, const char** out_text,
                                   sf_error* error);

/* ------------------------------------------------- appends and live funnels */

/** Appends the rows set on `rows` (a builder: deal, stage and time columns,
 * optional rep, amount and attributes the log was built with; its unit must
 * be the log's, its strict flag and stage map apply) to a log built with
 * sf_log_builder_set_appendable. Events may be for new or existing deals, in
 * any order: afterwards the log equals one built from all rows so far (input
 * rows keep counting across appends). All or nothing: on an error the log is
 * unchanged. out_new_deals (may be NULL): deals first seen. Not thread-safe
 * on one handle: use an sf_live to read while appending. */
SF_API sf_status sf_log_append(sf_log* log, const sf_log_builder* rows, int64_t* out_new_deals,
                               sf_error* error);

typedef struct sf_live sf_live; /* an appendable log and its funnel statistics, kept current */

/** A live funnel of an appendable log (the log is shared, not copied: destroy
 * your sf_log afterwards or the first append copies it). `as_of` NULL: read
 * at the latest event, moving as events arrive; `stale_after_days` NaN: off. */
SF_API sf_status sf_live_create(const sf_log* log, const int64_t* as_of, double stale_after_days,
                                sf_live** out_live, sf_error* error);
/** Appends as sf_log_append and recounts only the touched deals. Safe to
 * call while other threads call sf_live_report or sf_live_log on the same
 * handle (a reader-writer lock); each read sees whole appends. */
SF_API sf_status sf_live_append(sf_live* live, const sf_log_builder* rows, int64_t* out_new_deals,
                                sf_error* error);
/** The funnel report of the current statistics (as sf_funnel_create). */
SF_API sf_status sf_live_report(const sf_live* live, sf_report** out_report, sf_error* error);
/** A snapshot of the log as it stands: a new handle that later appends do not change. */
SF_API sf_status sf_live_log(const sf_live* live, sf_log** out_log, sf_error* error);
SF_API void sf_live_destroy(sf_live** live);

/* ------------------------------------------------------- short forms */

/** A log from three columns in one call: deal ids (strings; a NULL entry is
 * a missing id), stage names (NULL: missing) and entry times in Unix
 * seconds (INT64_MIN: missing), checked against `graph` (copied) with the
 * builder's defaults. Errors name the column and the first offending row. */
SF_API sf_status sf_log_create(const sf_graph* graph, size_t n, const char* const* deal_ids,
                               const char* const* stages, const int64_t* times_unix_seconds,
                               sf_log** out_log, sf_error* error);
/** The same with integer deal ids. */
SF_API sf_status sf_log_create_int64(const sf_graph* graph, size_t n, const int64_t* deal_ids,
                                     const char* const* stages, const int64_t* times_unix_seconds,
                                     sf_log** out_log, sf_error* error);
/** The funnel report read at the log's latest event (sf_funnel_create with as_of NULL). */
SF_API sf_status sf_funnel_compute(const sf_log* log, sf_report** out_report, sf_error* error);
/** Deals that reached the stage named `stage` (NOT_FOUND lists the stages). */
SF_API sf_status sf_report_reached(const sf_report* report, const char* stage, int64_t* out,
                                   sf_error* error);
/** The step conversion from `from` to `to`, which must be the next stage on
 * the main path (INVALID_ARGUMENT names the stage that is): advanced /
 * (advanced + dropped + closed here), open deals left out; NaN when no deal
 * at `from` has a known fate. */
SF_API sf_status sf_report_conversion(const sf_report* report, const char* from, const char* to,
                                      double* out, sf_error* error);

/* --------------------------------------------------------- scenarios */

/** A what-if scenario: a model plus leads a week; every change makes a new one. */
typedef struct sf_scenario sf_scenario;
/** Scenarios side by side, the baseline first. */
typedef struct sf_comparison sf_comparison;

typedef enum sf_scenario_change_kind {
  SF_CHANGE_LIFT = 0,         /* a -> b raised by `value` percentage points */
  SF_CHANGE_LIFT_FACTOR = 1,  /* a -> b multiplied by `value` */
  SF_CHANGE_SET_RATE = 2,     /* a -> b set to `value` */
  SF_CHANGE_REMOVE_EDGE = 3,  /* a -> b fails; its share goes to a's other exits */
  SF_CHANGE_REMOVE_STAGE = 4, /* stage a fails: deals entering it are lost */
  SF_CHANGE_ADD_LEADS = 5,    /* `value` more leads a week (a, b unused) */
  SF_CHANGE_SET_DWELL = 6     /* stage a's mean dwell becomes `value` days */
} sf_scenario_change_kind;

/** The baseline: `model` (copied), leads a week, a name (NULL: "baseline"). */
SF_API sf_status sf_scenario_create(const sf_model* model, double leads_per_week,
                                    const char* name, sf_scenario** out_scenario,
                                    sf_error* error);
/** A new scenario: `scenario` with one change (see sf_scenario_change_kind),
 * named `name` (NULL: keep the name). A stage or edge not in the model is
 * NOT_FOUND; a probability leaving [0, 1] is OUT_OF_RANGE. */
SF_API sf_status sf_scenario_change(const sf_scenario* scenario, sf_scenario_change_kind kind,
                                    const char* a, const char* b, double value,
                                    const char* name, sf_scenario** out_scenario,
                                    sf_error* error);
SF_API void sf_scenario_destroy(sf_scenario** scenario);
/** Borrowed name, valid while the scenario lives. */
SF_API sf_status sf_scenario_name(const sf_scenario* scenario, const char** out_name,
                                  sf_error* error);
/** Compares `n_others` scenarios with the baseline; `mean_won_amount` (NaN:
 * none) turns wins into revenue. */
SF_API sf_status sf_compare_create(const sf_scenario* baseline, const sf_scenario* const* others,
                                   size_t n_others, double mean_won_amount,
                                   sf_comparison** out_comparison, sf_error* error);
SF_API void sf_comparison_destroy(sf_comparison** comparison);
/** Rows: the baseline, then the others in the order given. */
SF_API sf_status sf_comparison_num_rows(const sf_comparison* comparison, size_t* out_count,
                                        sf_error* error);
/** Row i's borrowed name and changes ("lift A -> B by +10 points; ..."); either may be NULL. */
SF_API sf_status sf_comparison_row_text(const sf_comparison* comparison, size_t i,
                                        const char** out_name, const char** out_changes,
                                        sf_error* error);

typedef enum sf_comparison_column {
  SF_COMPARE_LEADS_PER_WEEK = 0,
  SF_COMPARE_WIN_RATE = 1,         /* P(won | entry) */
  SF_COMPARE_WINS_PER_WEEK = 2,    /* leads a week x win rate */
  SF_COMPARE_REVENUE_PER_WEEK = 3, /* wins a week x mean won amount */
  SF_COMPARE_DAYS_TO_CLOSE = 4,    /* expected days from entry until won or lost */
  SF_COMPARE_DELTA_WINS_PER_WEEK = 5, /* deltas: versus the baseline (row 0) */
  SF_COMPARE_DELTA_REVENUE_PER_WEEK = 6,
  SF_COMPARE_DELTA_WIN_RATE = 7,
  SF_COMPARE_DELTA_DAYS_TO_CLOSE = 8
} sf_comparison_column;
/** One column, a value per row, into out[0..n). */
SF_API sf_status sf_comparison_values(const sf_comparison* comparison,
                                      sf_comparison_column column, double* out, size_t n,
                                      sf_error* error);

/** The effect on P(won | start) of stage `stage` failing entirely (deals
 * entering it are lost); `start` NULL: the entry stage. Negative or 0. */
SF_API sf_status sf_model_stage_removal_effect(const sf_model* model, const char* stage,
                                               const char* start, double* out_effect,
                                               sf_error* error);

/* ------------------------------------------ mergeable funnel statistics */

/** Everything a funnel report needs, as counts and sketches that merge
 * exactly: statistics of logs holding different deals, merged, give the
 * report of one log holding them all. */
typedef struct sf_funnel_stats sf_funnel_stats;

/** The statistics of a log with a graph, read at `as_of` (NULL: the latest event). */
SF_API sf_status sf_funnel_stats_create(const sf_log* log, const int64_t* as_of,
                                        sf_funnel_stats** out_stats, sf_error* error);
/** Adds `other` into `into`: INVALID_ARGUMENT for another graph,
 * FAILED_PRECONDITION for another as_of (pass the same as_of to both) or
 * when the two count a deal in common (split logs by deal, not by time). */
SF_API sf_status sf_funnel_stats_merge(sf_funnel_stats* into, const sf_funnel_stats* other,
                                       sf_error* error);
SF_API void sf_funnel_stats_destroy(sf_funnel_stats** stats);
SF_API sf_status sf_funnel_stats_num_deals(const sf_funnel_stats* stats, int64_t* out_count,
                                           sf_error* error);
/** The versioned binary form, into buf[0..size): *out_len gets its length;
 * buf NULL with size 0 asks for the length only; a smaller buffer is
 * OUT_OF_RANGE (nothing written). */
SF_API sf_status sf_funnel_stats_to_bytes(const sf_funnel_stats* stats, uint8_t* buf, size_t size,
                                          size_t* out_len, sf_error* error);
/** Statistics read back from their binary form, for the graph they were
 * counted on (another graph is INVALID_ARGUMENT; damaged bytes are refused). */
SF_API sf_status sf_funnel_stats_from_bytes(const sf_graph* graph, const uint8_t* buf, size_t len,
                                            sf_funnel_stats** out_stats, sf_error* error);
/** The report of (merged) statistics; it has no warnings (those read the log). */
SF_API sf_status sf_funnel_from_stats(const sf_funnel_stats* stats, sf_report** out_report,
                                      sf_error* error);

/* ------------------------------------------------------ graph discovery */

/** A stage graph from a log's directly-follows transitions: the stages named
 * in won / lost / nurture get those kinds, the most common first stage is
 * the entry, the rest are open; transitions seen fewer than `min_count`
 * times are left out; `name` NULL: "discovered". The log may have no graph. */
SF_API sf_status sf_graph_discover(const sf_log* log, const char* const* won, size_t n_won,
                                   const char* const* lost, size_t n_lost,
                                   const char* const* nurture, size_t n_nurture,
                                   int64_t min_count, const char* name, sf_graph** out_graph,
                                   sf_error* error);

/* ------------------------------------------- methodology tables */

/** A meeting log: one row per meeting of a deal. */
typedef struct sf_meetings sf_meetings;
/** The pipeline audit: per open deal, whether it is a qualified opportunity. */
typedef struct sf_audit sf_audit;
/** Buyer accountability: how each open deal's last held meeting ended. */
typedef struct sf_accountability sf_accountability;
/** Lead batches: step conversions per batch against targets. */
typedef struct sf_batches sf_batches;
/** Pipeline coverage and velocity per rep and for the team. */
typedef struct sf_coverage sf_coverage;
/** Reps compared on one conversion, with Wilson intervals and shrinkage. */
typedef struct sf_reps sf_reps;

/** Meetings: deal ids (matching the event log's string ids), times in
 * `unit`; optional columns (NULL: absent): held (0/1; absent: all held),
 * buyer task text (NULL entry or blank: none), next meeting booked (0/1). */
SF_API sf_status sf_meetings_create(size_t n, const char* const* deal_ids, const int64_t* times,
                                    sf_time_unit unit, const uint8_t* held,
                                    const char* const* buyer_tasks,
                                    const uint8_t* next_meeting_booked,
                                    sf_meetings** out_meetings, sf_error* error);
SF_API void sf_meetings_destroy(sf_meetings** meetings);
SF_API sf_status sf_meetings_num_meetings(const sf_meetings* meetings, int64_t* out_count,
                                          sf_error* error);

/** The audit with the default rules (aged past the average won cycle; the
 * two-meeting rule when `meetings` or `second_meeting_stage` is given, else
 * off); `as_of` NULL: the latest event. */
SF_API sf_status sf_audit_create(const sf_log* log, const sf_meetings* meetings,
                                 const char* second_meeting_stage, const int64_t* as_of,
                                 sf_audit** out_audit, sf_error* error);
SF_API void sf_audit_destroy(sf_audit** audit);
/** Rows: the open deals. */
SF_API sf_status sf_audit_num_rows(const sf_audit* audit, size_t* out_count, sf_error* error);
/** Columns (any may be NULL) of at least the row count: deal id (borrowed),
 * stage id, amount (NaN: unknown), age and days in stage, held meetings
 * (-1 without a meeting log), qualified (0/1), the failing rules' reasons
 * (borrowed; "" when qualified). */
SF_API sf_status sf_audit_rows(const sf_audit* audit, const char** out_deal, int32_t* out_stage,
                               double* out_amount, double* out_age_days,
                               double* out_days_in_stage, int64_t* out_held_meetings,
                               uint8_t* out_qualified, const char** out_reasons, size_t n,
                               sf_error* error);
/** Raw and qualified pipeline (deals and known value), and the average won
 * cycle in days the age rule measured against. */
SF_API sf_status sf_audit_totals(const sf_audit* audit, int64_t* out_raw_deals,
                                 double* out_raw_value, int64_t* out_qualified_deals,
                                 double* out_qualified_value, double* out_average_cycle_days,
                                 sf_error* error);

/** Needs the meeting log's buyer task and next-meeting columns. */
SF_API sf_status sf_accountability_create(const sf_log* log, const sf_meetings* meetings,
                                          const int64_t* as_of,
                                          sf_accountability** out_report, sf_error* error);
SF_API void sf_accountability_destroy(sf_accountability** report);
/** Rows: the open deals. */
SF_API sf_status sf_accountability_num_rows(const sf_accountability* report, size_t* out_count,
                                            sf_error* error);
/** Columns (any may be NULL): deal id, stage id, held meetings, whether the
 * last one ended with a buyer task / a booked next meeting, at risk (0/1),
 * and the reason (borrowed). */
SF_API sf_status sf_accountability_rows(const sf_accountability* report, const char** out_deal,
                                        int32_t* out_stage, int64_t* out_held_meetings,
                                        uint8_t* out_buyer_task,
                                        uint8_t* out_next_meeting_booked, uint8_t* out_at_risk,
                                        const char** out_reason, size_t n, sf_error* error);
/** The rule tested on closed deals: flagged (no task or no next meeting at
 * their first held meeting) and unflagged deals, their wins, and the
 * two-sided p value of the difference in win rates. */
SF_API sf_status sf_accountability_history(const sf_accountability* report, int64_t* out_flagged,
                                           int64_t* out_flagged_won, int64_t* out_unflagged,
                                           int64_t* out_unflagged_won, double* out_p_value,
                                           sf_error* error);

/** sf_batches_rows status codes. */
typedef enum sf_target_status {
  SF_TARGET_MEETS = 0,
  SF_TARGET_BELOW = 1,
  SF_TARGET_NO_TARGET = 2,
  SF_TARGET_NO_DATA = 3,
  SF_TARGET_IMMATURE = 4
} sf_target_status;

/** Batches by `by` (an attribute, "rep", "cohort_week" or "cohort_month");
 * targets: step conversion from each named main-path stage to the next;
 * `maturity_days` NaN: measured (80th percentile of entry-to-won). */
SF_API sf_status sf_batches_create(const sf_log* log, const char* by,
                                   const char* const* target_stages, const double* target_rates,
                                   size_t n_targets, double maturity_days, const int64_t* as_of,
                                   sf_batches** out_batches, sf_error* error);
SF_API void sf_batches_destroy(sf_batches** batches);
SF_API sf_status sf_batches_maturity_days(const sf_batches* batches, double* out_days,
                                          sf_error* error);
/** Rows: batch by batch, the main-path steps in order. */
SF_API sf_status sf_batches_num_rows(const sf_batches* batches, size_t* out_count,
                                     sf_error* error);
/** Columns (any may be NULL): batch, from and to stage (borrowed), deals
 * that advanced, resolved (the rate's denominator), still open, the rate,
 * the target (NaN: none) and an sf_target_status. */
SF_API sf_status sf_batches_rows(const sf_batches* batches, const char** out_batch,
                                 const char** out_from, const char** out_to,
                                 int64_t* out_advanced, int64_t* out_resolved, int64_t* out_open,
                                 double* out_rate, double* out_target, int32_t* out_status,
                                 size_t n, sf_error* error);

/** Coverage per rep (quotas by rep name) and for the team (`team_quota`;
 * NaN: the sum of the rep quotas). The qualified pipeline is the audit's, as
 * in sf_audit_create (meetings and second_meeting_stage may be NULL). */
SF_API sf_status sf_coverage_create(const sf_log* log, double team_quota,
                                    const char* const* reps, const double* rep_quotas,
                                    size_t n_reps, const sf_meetings* meetings,
                                    const char* second_meeting_stage, const int64_t* as_of,
                                    sf_coverage** out_coverage, sf_error* error);
SF_API void sf_coverage_destroy(sf_coverage** coverage);
/** Rows: one per rep (by name; "(none)" last), then the team row "(team)". */
SF_API sf_status sf_coverage_num_rows(const sf_coverage* coverage, size_t* out_count,
                                      sf_error* error);
SF_API sf_status sf_coverage_rep(const sf_coverage* coverage, size_t i, const char** out_rep,
                                 sf_error* error);

typedef enum sf_coverage_column {
  SF_COVERAGE_QUOTA = 0,
  SF_COVERAGE_BOOKED = 1,
  SF_COVERAGE_REMAINING = 2,
  SF_COVERAGE_OPEN_VALUE = 3,
  SF_COVERAGE_QUALIFIED_VALUE = 4,
  SF_COVERAGE_RAW = 5,       /* open value / remaining quota */
  SF_COVERAGE_QUALIFIED = 6, /* qualified value / remaining quota */
  SF_COVERAGE_WIN_RATE = 7,
  SF_COVERAGE_WIN_RATE_LOW = 8,
  SF_COVERAGE_WIN_RATE_HIGH = 9,
  SF_COVERAGE_REQUIRED = 10, /* 1 / win rate */
  SF_COVERAGE_AVERAGE_DEAL_SIZE = 11,
  SF_COVERAGE_CYCLE_DAYS = 12,
  SF_COVERAGE_VELOCITY_RAW = 13,
  SF_COVERAGE_VELOCITY_QUALIFIED = 14,
  SF_COVERAGE_COVERED = 15 /* 1 when coverage meets the required coverage */
} sf_coverage_column;
/** One column, a value per row, into out[0..n). */
SF_API sf_status sf_coverage_values(const sf_coverage* coverage, sf_coverage_column column,
                                    double* out, size_t n, sf_error* error);

/** Reps compared on the main-path span from `from` to `to` (as
 * sf_compare_reps), keeping the intervals; `as_of` NULL: the latest event. */
SF_API sf_status sf_reps_create(const sf_log* log, const char* from, const char* to,
                                int64_t min_n, const int64_t* as_of, sf_reps** out_reps,
                                sf_error* error);
SF_API void sf_reps_destroy(sf_reps** reps);
/** Rows: best first, reps too small to rank last. */
SF_API sf_status sf_reps_num_rows(const sf_reps* reps, size_t* out_count, sf_error* error);
/** Columns (any may be NULL): rep (borrowed), resolved deals n, wins, open
 * (censored, not in n), rate with its Wilson 95% interval, the shrunk rate,
 * rank (1 best; -1 too small). */
SF_API sf_status sf_reps_rows(const sf_reps* reps, const char** out_rep, int64_t* out_n,
                              int64_t* out_wins, int64_t* out_open, double* out_rate,
                              double* out_low, double* out_high, double* out_shrunk_rate,
                              int32_t* out_rank, size_t n, sf_error* error);
/** The team: n, wins, rate and interval, and the fitted Beta prior. */
SF_API sf_status sf_reps_team(const sf_reps* reps, int64_t* out_n, int64_t* out_wins,
                              double* out_rate, double* out_low, double* out_high,
                              double* out_prior_alpha, double* out_prior_beta, sf_error* error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SALESFUNNEL_H_ */
