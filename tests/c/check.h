/* The tiny check harness shared by the C test programs: CHECK counts passes
 * and failures, and each program ends with report(). */
#ifndef SALESFUNNEL_TESTS_C_CHECK_H_
#define SALESFUNNEL_TESTS_C_CHECK_H_

#include <stdio.h>

static int passed = 0, failed = 0;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (cond) {                                                                  \
      ++passed;                                                                  \
    } else {                                                                     \
      ++failed;                                                                  \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
    }                                                                            \
  } while (0)

/* Prints the closing "N passed, M failed" line; the exit code for main. */
static int report(void) {
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

#endif
