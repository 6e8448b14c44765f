/* error.h - filling a caller's error buffer.
 *
 * Functions that can fail on bad input take (char *err, size_t errlen) and write one line
 * there, without the "groove: " prefix the command adds. error_set() is the one way to write
 * it; it returns -1 so a failing path can `return error_set(err, errlen, "...", ...);`.
 */
#ifndef GROOVE_ERROR_H
#define GROOVE_ERROR_H

#include <stddef.h>

/* Formats the message into err (when err is not NULL and errlen > 0); returns -1. */
int error_set(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
