/* mixer.c - mixer strips: names, dB, the NAME=VALUE option syntax (see mixer.h). */
#include "mixer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "hvo.h"

static const char *const labels[SESSION_MIX_CHANNELS] = {"K", "S", "CH", "OH", "LT", "MT", "HT", "CR", "RI", "CL"};

float mixer_gain(float db) { return powf(10.0f, db / 20.0f); }

const char *mixer_channel_name(int ch)
{
    if (ch == SESSION_MIX_CLICK)
        return "click";
    return ch >= 0 && ch < HVO_VOICES ? voice_name(ch) : "?";
}

int mixer_channel_from_name(const char *name, size_t len)
{
    for (int c = 0; c < SESSION_MIX_CHANNELS; c++) {
        const char *n = mixer_channel_name(c);
        if ((strlen(n) == len && !strncasecmp(name, n, len)) ||
            (strlen(labels[c]) == len && !strncasecmp(name, labels[c], len)))
            return c;
    }
    return -1;
}

int mixer_parse_assign(const char *arg, int is_pan, int *ch, float *value, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        error_set(err, errlen, "%s wants VOICE=%s, not '%.40s'", is_pan ? "--pan" : "--gain", is_pan ? "-1..1" : "DB",
                  arg);
        return -1;
    }
    int c = mixer_channel_from_name(arg, (size_t)(eq - arg));
    if (c < 0) {
        error_set(err, errlen,
                  "%s: unknown voice '%.*s' (kick snare closed_hat open_hat low_tom mid_tom high_tom crash ride click)",
                  is_pan ? "--pan" : "--gain", (int)(eq - arg > 30 ? 30 : eq - arg), arg);
        return -1;
    }
    char *end;
    errno = 0;
    double x = strtod(eq + 1, &end);
    double lo = is_pan ? -1.0 : SESSION_GAIN_DB_MIN, hi = is_pan ? 1.0 : SESSION_GAIN_DB_MAX;
    if (end == eq + 1 || *end || errno || !isfinite(x) || x < lo || x > hi) {
        return error_set(err, errlen, "%s %s wants a number in %g..%g, not '%.30s'", is_pan ? "--pan" : "--gain",
                         mixer_channel_name(c), lo, hi, eq + 1);
    }
    *ch = c;
    *value = (float)x;
    return 0;
}
