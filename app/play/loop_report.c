/* loop_report.c - the headless per-loop JSON line (keys documented in docs/instrument.md). */
#include "loop_report.h"

#include "instrument_form.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void loop_report_init(Loop_report *r)
{
    memset(r, 0, sizeof *r);
    r->sync = "internal";
    r->link_peers = -1;
    r->link_beat = NAN;
    r->sync_lost = -1;
    r->changed_cells = -1;
    r->tap_mean_ms = NAN;
    r->tap_std_ms = NAN;
    for (int b = 0; b < TIMING_BEATS; b++)
        r->tap_beat_ms[b] = NAN;
    r->memory = -1;
}

void loop_report_fill(Loop_report *r, const Instrument *in, const Engine_stats *stats, const Hvo *prev_part)
{
    r->loop = in->pos.loop;
    r->bpm = in->session.settings.bpm;
    r->generations = in->generations;
    r->gen_us = in->last_gen_us;
    r->gen_max_us = in->max_gen_us;
    r->hits = hvo_count_hits(&in->session.part);
    r->taps_total = in->taps;
    /* the previous loop's taps against the grid (timing.h): a tap counts for the loop of its
     * nearest grid line */
    const Timing_pass *tp = timing_stats_pass(&in->timing, in->pos.loop - 1);
    r->taps = tp ? tp->all.n : 0;
    r->tap_mean_ms = tp ? timing_mean(&tp->all) : NAN;
    r->tap_std_ms = tp ? timing_std(&tp->all) : NAN;
    for (int b = 0; b < TIMING_BEATS; b++)
        r->tap_beat_ms[b] = tp ? timing_mean(&tp->beat[b]) : NAN;
    r->xruns = stats ? stats->xruns : 0;
    r->section = instrument_chain_section(in);
    r->input = model_input_kind_name(in->input_forced >= 0 ? in->input_forced : in->input_kind);
    r->memory = in->model.config.has_memory ? in->have_memory : 0;
    if (r->memory && in->memory_taken) {   /* ... and the model's memory gate let it in */
        Hvo now;
        hvo_groove_to_input(&in->memory_groove, &now);
        r->memory = model_memory_admits(&in->model, &now, &in->memory);
    }
    if (prev_part) {
        int changed = 0;
        for (int t = 0; t < HVO_STEPS; t++)
            for (int v = 0; v < HVO_VOICES; v++)
                changed += (hvo_hit(prev_part, t, v) > 0.5f) != (hvo_hit(&in->session.part, t, v) > 0.5f);
        r->changed_cells = changed;
    }
}

/* Appends printf-style text; keeps track of overflow. */
typedef struct {
    char *buf;
    size_t n, len;
    int overflow;
} Out;

static void out_printf(Out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->n ? o->n - o->len : 0;
    int k = vsnprintf(o->buf + o->len, room, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= room)
        o->overflow = 1;
    else
        o->len += (size_t)k;
}

/* A number with DIGITS decimals, or null when it is not finite. */
static void out_number(Out *o, const char *key, double x, int digits)
{
    if (isfinite(x))
        out_printf(o, ",\"%s\":%.*f", key, digits, x);
    else
        out_printf(o, ",\"%s\":null", key);
}

/* A string key (plain ASCII names only), or null. */
static void out_string(Out *o, const char *key, const char *s)
{
    if (s)
        out_printf(o, ",\"%s\":\"%s\"", key, s);
    else
        out_printf(o, ",\"%s\":null", key);
}

int loop_report_json(const Loop_report *r, char *buf, size_t n)
{
    if (!buf || n == 0)
        return -1;
    Out o = {buf, n, 0, 0};
    buf[0] = 0;
    out_printf(&o, "{\"loop\":%lld", (long long)r->loop);
    out_number(&o, "bpm", r->bpm, 3);
    out_string(&o, "sync", r->sync);
    if (r->link_peers >= 0)
        out_printf(&o, ",\"link_peers\":%d", r->link_peers);
    else
        out_printf(&o, ",\"link_peers\":null");
    out_number(&o, "link_beat", r->link_beat, 4);
    out_printf(&o, ",\"generations\":%llu", (unsigned long long)r->generations);
    out_number(&o, "gen_us", r->gen_us, 0);
    out_number(&o, "gen_max_us", r->gen_max_us, 0);
    out_printf(&o, ",\"hits\":%d", r->hits);
    if (r->changed_cells >= 0)
        out_printf(&o, ",\"changed_cells\":%d", r->changed_cells);
    else
        out_printf(&o, ",\"changed_cells\":null");
    out_printf(&o, ",\"taps\":%d,\"taps_total\":%llu", r->taps, (unsigned long long)r->taps_total);
    out_number(&o, "tap_mean_ms", r->tap_mean_ms, 2);
    out_number(&o, "tap_std_ms", r->tap_std_ms, 2);
    out_string(&o, "section", r->section);
    out_printf(&o, ",\"xruns\":%llu,\"rss_kb\":%ld", (unsigned long long)r->xruns, r->rss_kb);
    out_string(&o, "input", r->input);
    if (r->memory >= 0)
        out_printf(&o, ",\"memory\":%s", r->memory ? "true" : "false");
    else
        out_printf(&o, ",\"memory\":null");
    if (r->sync_lost >= 0)
        out_printf(&o, ",\"sync_lost\":%s", r->sync_lost ? "true" : "false");
    else
        out_printf(&o, ",\"sync_lost\":null");
    out_printf(&o, ",\"tap_beat_ms\":[");
    for (int b = 0; b < TIMING_BEATS; b++) {
        if (isfinite(r->tap_beat_ms[b]))
            out_printf(&o, "%s%.2f", b ? "," : "", r->tap_beat_ms[b]);
        else
            out_printf(&o, "%snull", b ? "," : "");
    }
    out_printf(&o, "]}");
    if (o.overflow) {
        buf[0] = 0;
        return -1;
    }
    return (int)o.len;
}
