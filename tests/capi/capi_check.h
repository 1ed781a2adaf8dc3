/* CHECK macros shared by the plain-C tests of the C ABI. Each test program includes this once and
 * ends with `return report();`. */
#ifndef DECENT_TESTS_CAPI_CHECK_H
#define DECENT_TESTS_CAPI_CHECK_H

#include <decent/decent.h>
#include <stdio.h>
#include <string.h>

static int passed = 0, failed = 0;

#define CHECK(cond)                                                                           \
  do {                                                                                        \
    if (cond) {                                                                               \
      ++passed;                                                                               \
    } else {                                                                                  \
      ++failed;                                                                               \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, \
              decent_last_error());                                                           \
    }                                                                                         \
  } while (0)

/* The call fails with `status` and the thread's message contains `part`. */
#define CHECK_FAILS(call, status, part)                 \
  do {                                                  \
    decent_status got_ = (call);                        \
    CHECK(got_ == (status));                            \
    CHECK(strstr(decent_last_error(), (part)) != NULL); \
  } while (0)

/* Prints the tally; the exit status for main. */
static int report(void) {
  printf("%d checks passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

#endif
