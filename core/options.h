/* options.h - the one way commands read their command-line values.
 *
 * Every command parses its arguments with getopt_long (libc) and reads numbers through these
 * functions, so every command says the same things the same way and exits with the same codes:
 *   a usage error (unknown option, missing value, a value that is not a number or is out of its
 *   range) prints one line "groove: ..." on stderr and the command exits OPTIONS_USAGE (2).
 * Pure functions of their arguments apart from the message; any thread.
 */
#ifndef GROOVE_OPTIONS_H
#define GROOVE_OPTIONS_H

enum {
    OPTIONS_OK = 0,      /* the value was read */
    OPTIONS_USAGE = 2,   /* a usage error, already said in one line: exit with this status */
    OPTIONS_HELP = -1    /* --help was asked for and printed: exit 0 */
};

/* Reads a finite decimal number in [lo, hi] for option NAME (e.g. "--bpm") from TEXT.
 * Returns OPTIONS_OK, or says "groove: --bpm wants a number in 40..300, not 'x'" and returns
 * OPTIONS_USAGE. */
int options_double(const char *name, const char *text, double lo, double hi, double *out);
/* The same for a float. */
int options_float(const char *name, const char *text, double lo, double hi, float *out);
/* The same for a whole number in [lo, hi] (no fraction, no trailing text). */
int options_int(const char *name, const char *text, long lo, long hi, int *out);

/* The same for a seed or count up to 2^64-1: decimal digits only, exact (no double between). */
int options_u64(const char *name, const char *text, unsigned long long hi, unsigned long long *out);

/* The optstring to give getopt_long: a leading ':' so a missing value is told from an unknown
 * option, and -h for help. */
#define OPTIONS_SHORT ":h"

/* Says what went wrong after getopt_long returned '?' or ':' (call it right then: it reads
 * optind and optopt), e.g. "groove: unknown option '--bmp' (groove run --help)" or
 * "groove: --bpm needs a value". COMMAND names the command for the hint. Returns
 * OPTIONS_USAGE. */
int options_error(const char *command, int ret, char **argv);

/* Prepares getopt_long for a fresh parse of a command's own argv (resets optind, silences
 * getopt's own messages). Call once before the getopt_long loop. */
void options_begin(void);

#endif
