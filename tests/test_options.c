/* test_options.c - the one option-value parser (core/options.h): numbers in range are read,
 * everything else is a usage error (2) and leaves the target alone. */
#include <stdio.h>

#include "check.h"
#include "options.h"

int main(void)
{
    double d = -1;
    float f = -1;
    int i = -1;
    CHECK(options_double("--x", "0.25", 0, 1, &d) == OPTIONS_OK && d == 0.25, "a number in range is read");
    CHECK(options_double("--x", "1e-1", 0, 1, &d) == OPTIONS_OK && d == 0.1, "exponent notation is a number");
    CHECK(options_float("--bpm", "120.5", 40, 300, &f) == OPTIONS_OK && f == 120.5f, "float");
    CHECK(options_int("--loops", "12", 0, 100, &i) == OPTIONS_OK && i == 12, "whole number");
    fprintf(stderr, "(the next lines on stderr are expected)\n");
    d = 7;
    CHECK(options_double("--x", "1.5", 0, 1, &d) == OPTIONS_USAGE && d == 7, "out of range: usage error, untouched");
    CHECK(options_double("--x", "fast", 0, 1, &d) == OPTIONS_USAGE, "not a number: usage error");
    CHECK(options_double("--x", "0.5x", 0, 1, &d) == OPTIONS_USAGE, "trailing text: usage error");
    CHECK(options_double("--x", "", 0, 1, &d) == OPTIONS_USAGE, "empty: usage error");
    CHECK(options_double("--x", "nan", 0, 1, &d) == OPTIONS_USAGE, "nan: usage error");
    CHECK(options_double("--x", "inf", 0, 1e300, &d) == OPTIONS_USAGE, "inf: usage error");
    CHECK(options_double("--x", NULL, 0, 1, &d) == OPTIONS_USAGE, "no text: usage error");
    i = 3;
    CHECK(options_int("--loops", "2.5", 0, 100, &i) == OPTIONS_USAGE && i == 3, "a fraction is not a whole number");
    CHECK(options_int("--loops", "-1", 0, 100, &i) == OPTIONS_USAGE, "below the range");
    CHECK(options_int("--loops", "1e12", 0, 100, &i) == OPTIONS_USAGE, "far above the range");
    unsigned long long u = 5;
    CHECK(options_u64("--seed", "18446744073709551615", ~0ull, &u) == OPTIONS_OK && u == ~0ull,
          "a 64-bit seed is read exactly");
    CHECK(options_u64("--seed", "9007199254740993", ~0ull, &u) == OPTIONS_OK && u == 9007199254740993ull,
          "2^53 + 1 is not rounded through a double");
    u = 5;
    CHECK(options_u64("--seed", "-1", ~0ull, &u) == OPTIONS_USAGE && u == 5, "a negative seed: usage error, untouched");
    CHECK(options_u64("--seed", "18446744073709551616", ~0ull, &u) == OPTIONS_USAGE, "past 2^64-1: usage error");
    CHECK(options_u64("--seed", "12x", ~0ull, &u) == OPTIONS_USAGE, "trailing text: usage error");
    CHECK(options_u64("--seed", "11", 10, &u) == OPTIONS_USAGE, "above hi: usage error");
    CHECK(options_u64("--seed", "", 10, &u) == OPTIONS_USAGE, "empty: usage error");
    return check_summary();
}
