/* options.c - command-line values: one parser, one message format, one exit code. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints a number without trailing zeros or an exponent below 1e15 ("40", "0.5", "1000000"). */
static void format_bound(char *buf, size_t n, double x)
{
    snprintf(buf, n, "%.15g", x);
}

/* Parses TEXT as a finite decimal number with nothing after it. */
static int parse_finite(const char *text, double *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (*end || errno || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

/* Says that NAME wants a number in [lo, hi] and returns OPTIONS_USAGE. */
static int say_range(const char *name, const char *text, double lo, double hi, const char *what)
{
    char a[32], b[32];
    format_bound(a, sizeof a, lo);
    format_bound(b, sizeof b, hi);
    fprintf(stderr, "groove: %s wants %s in %s..%s, not '%s'\n", name, what, a, b, text ? text : "");
    return OPTIONS_USAGE;
}

int options_double(const char *name, const char *text, double lo, double hi, double *out)
{
    double x;
    if (parse_finite(text, &x) != 0 || x < lo || x > hi)
        return say_range(name, text, lo, hi, "a number");
    *out = x;
    return OPTIONS_OK;
}

int options_float(const char *name, const char *text, double lo, double hi, float *out)
{
    double x;
    int rc = options_double(name, text, lo, hi, &x);
    if (rc == OPTIONS_OK)
        *out = (float)x;
    return rc;
}

int options_int(const char *name, const char *text, long lo, long hi, int *out)
{
    double x;
    if (parse_finite(text, &x) != 0 || x != floor(x) || x < (double)lo || x > (double)hi)
        return say_range(name, text, (double)lo, (double)hi, "a whole number");
    *out = (int)x;
    return OPTIONS_OK;
}

int options_u64(const char *name, const char *text, unsigned long long hi, unsigned long long *out)
{
    int digits = text && *text;
    for (const char *p = text; digits && *p; p++)
        digits = *p >= '0' && *p <= '9';
    char *end;
    errno = 0;
    unsigned long long x = digits ? strtoull(text, &end, 10) : 0;
    if (!digits || errno || x > hi) {
        char b[32];
        snprintf(b, sizeof b, "%llu", hi);
        fprintf(stderr, "groove: %s wants a whole number in 0..%s, not '%s'\n", name, b, text ? text : "");
        return OPTIONS_USAGE;
    }
    *out = x;
    return OPTIONS_OK;
}

int options_error(const char *command, int ret, char **argv)
{
    const char *opt = optind > 0 ? argv[optind - 1] : "?";
    if (ret == ':') {
        fprintf(stderr, "groove: %s needs a value\n", opt);
    } else if (optopt && optopt != '?' && !(opt[0] == '-' && opt[1] == '-')) {
        fprintf(stderr, "groove: unknown option '-%c' (groove %s --help)\n", optopt, command);
    } else {
        /* A long option: argv[optind - 1] holds it (with any "=value" part). */
        fprintf(stderr, "groove: unknown option '%s' (groove %s --help)\n", opt, command);
    }
    return OPTIONS_USAGE;
}

void options_begin(void)
{
    optind = 0;   /* glibc: 0 re-initialises getopt completely */
    opterr = 0;
}
