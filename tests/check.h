/* check.h - the tiny test harness every C test uses.
 *
 * CHECK(cond, fmt, ...) prints "PASS <what>" or "FAIL <what> (file:line)" and counts it;
 * CHECK_NEAR compares floats within a tolerance. A test's main ends with
 * `return check_summary();`, which prints "N passed, N failed" for that program and
 * returns non-zero when any check failed. tests/run.sh sums the PASS/FAIL lines of every
 * test into the suite's closing line.
 */
#ifndef GROOVE_CHECK_H
#define GROOVE_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (cond) {                                                            \
            check_passed++;                                                    \
            printf("PASS ");                                                   \
            printf(__VA_ARGS__);                                               \
            printf("\n");                                                      \
        } else {                                                               \
            check_failed++;                                                    \
            printf("FAIL ");                                                   \
            printf(__VA_ARGS__);                                               \
            printf(" (%s:%d)\n", __FILE__, __LINE__);                          \
        }                                                                      \
        fflush(stdout);                                                        \
    } while (0)

#define CHECK_NEAR(a, b, tol, ...)                                             \
    do {                                                                       \
        double check_a_ = (a), check_b_ = (b);                                 \
        int check_ok_ = fabs(check_a_ - check_b_) <= (tol);                    \
        CHECK(check_ok_, __VA_ARGS__);                                         \
        if (!check_ok_)                                                        \
            printf("     got %.9g, expected %.9g (tolerance %g)\n", check_a_, check_b_, (double)(tol)); \
    } while (0)

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
