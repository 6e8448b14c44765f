/* timing.c - taps against the grid, calibration, the render clock (see timing.h). */
#include "timing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- stats -- */

static void moments_add(Timing_moments *m, double x)
{
    m->n++;
    m->sum += x;
    m->sum_sq += x * x;
}

double timing_mean(const Timing_moments *m)
{
    return m && m->n > 0 ? m->sum / m->n : NAN;
}

double timing_std(const Timing_moments *m)
{
    if (!m || m->n <= 0)
        return NAN;
    double mean = m->sum / m->n;
    double var = m->sum_sq / m->n - mean * mean;
    return var > 0 ? sqrt(var) : 0.0;
}

void timing_stats_init(Timing_stats *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < TIMING_PASSES; i++)
        t->passes[i].pass = -1;
    t->first_pass = t->last_pass = -1;
}

void timing_stats_add(Timing_stats *t, int64_t pass, int step, double ms)
{
    if (pass < 0 || step < 0 || step >= HVO_STEPS || !isfinite(ms))
        return;
    if (t->last_pass >= 0 && pass <= t->last_pass - TIMING_PASSES)
        return; /* too old: its record is gone */
    Timing_pass *p = &t->passes[pass % TIMING_PASSES];
    if (p->pass != pass) {
        memset(p, 0, sizeof *p);
        p->pass = pass;
    }
    moments_add(&p->all, ms);
    moments_add(&p->beat[step / HVO_STEPS_PER_BEAT], ms);
    moments_add(&p->step[step], ms);
    moments_add(&t->total, ms);
    if (t->first_pass < 0 || pass < t->first_pass)
        t->first_pass = pass;
    if (pass > t->last_pass)
        t->last_pass = pass;
}

const Timing_pass *timing_stats_pass(const Timing_stats *t, int64_t pass)
{
    if (pass < 0)
        return NULL;
    const Timing_pass *p = &t->passes[pass % TIMING_PASSES];
    return p->pass == pass && p->all.n > 0 ? p : NULL;
}

/* "6 ms late", "3 ms early", "on time" for a mean in ms. */
static void describe_ms(double ms, char *buf, size_t n)
{
    long r = lround(ms);
    if (r > 0)
        snprintf(buf, n, "%ld ms late", r);
    else if (r < 0)
        snprintf(buf, n, "%ld ms early", -r);
    else
        snprintf(buf, n, "on time");
}

const char *timing_summary(const Timing_stats *t, int64_t loops, char *buf, size_t n)
{
    if (t->total.n == 0) {
        snprintf(buf, n, "%lld loops, no taps", (long long)loops);
        return buf;
    }
    char when[32];
    describe_ms(timing_mean(&t->total), when, sizeof when);
    snprintf(buf, n, "%lld loops, %d taps, %s on average, spread %ld ms", (long long)loops, t->total.n, when,
             lround(timing_std(&t->total)));
    return buf;
}

const char *timing_line(const Timing_pass *p, char *buf, size_t n)
{
    if (!p || p->all.n == 0) {
        if (n)
            buf[0] = 0;
        return buf;
    }
    double mean = timing_mean(&p->all);
    snprintf(buf, n, "taps %d  %+.1f ms %s  spread %.1f ms", p->all.n, mean, mean >= 0 ? "late" : "early",
             timing_std(&p->all));
    return buf;
}

/* ---------------------------------------------------------- calibration -- */

void calibration_init(Calibration *c) { c->n = 0; }

int calibration_add(Calibration *c, double ms)
{
    if (isfinite(ms) && c->n < TIMING_CALIBRATION_MAX)
        c->ms[c->n++] = ms;
    return c->n;
}

double calibration_beat_distance_ms(double position, double bpm)
{
    double beats = position / HVO_STEPS_PER_BEAT;
    double d = beats - floor(beats + 0.5);
    return d * 60000.0 / bpm;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int calibration_result(const Calibration *c, double *median_ms, double *spread_ms)
{
    if (c->n < TIMING_CALIBRATION_MIN)
        return -1;
    double sorted[TIMING_CALIBRATION_MAX];
    memcpy(sorted, c->ms, sizeof(double) * (size_t)c->n);
    qsort(sorted, (size_t)c->n, sizeof sorted[0], compare_double);
    *median_ms = c->n % 2 ? sorted[c->n / 2] : 0.5 * (sorted[c->n / 2 - 1] + sorted[c->n / 2]);
    Timing_moments m = {0, 0, 0};
    for (int i = 0; i < c->n; i++)
        moments_add(&m, c->ms[i]);
    *spread_ms = timing_std(&m);
    return 0;
}

const char *calibration_json(double median_ms, double spread_ms, int taps, char *buf, size_t n)
{
    double m = round(median_ms * 10.0) / 10.0, sp = round(spread_ms * 10.0) / 10.0;
    snprintf(buf, n, "{\"input_latency_ms\":%.1f,\"spread_ms\":%.1f,\"taps\":%d}", m == 0 ? 0.0 : m, sp == 0 ? 0.0 : sp, taps);
    return buf;
}

/* ---------------------------------------------------------------- clock -- */

void timing_clock_init(Timing_clock *c) { memset(c, 0, sizeof *c); }

void timing_clock_see(Timing_clock *c, int64_t clock, double now, int rate)
{
    if (rate <= 0 || !isfinite(now) || clock <= 0)
        return;   /* clock 0 is also what an engine that has not rendered yet publishes */
    double obs = now - (double)clock / rate;
    if (!c->have) {
        c->have = 1;
        c->offset = obs;
    } else {
        if (clock != c->last_clock) {
            if (clock > c->last_clock && (c->block == 0 || clock - c->last_clock < c->block))
                c->block = clock - c->last_clock; /* the smallest step seen: one block */
            double elapsed = now - c->last_seen;
            if (elapsed > 0)
                c->offset += TIMING_CLOCK_DRIFT * elapsed;
        }
        if (obs < c->offset)
            c->offset = obs;
    }
    c->last_seen = now;
    c->last_clock = clock;
}

double timing_clock_render_time(const Timing_clock *c, int64_t clock, int rate)
{
    return c->offset + (double)clock / (rate > 0 ? rate : 1);
}
