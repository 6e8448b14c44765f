/* offline.c - the one offline render loop (offline.h). */
#include "offline.h"

#include "error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFLINE_SILENT 1e-4f

int offline_wav_sink(void *wav_writer, const float *frames, int n, char *err, size_t errlen)
{
    return wav_writer_write(wav_writer, frames, n, err, errlen);
}

/* What a render holds between blocks. */
typedef struct {
    const Offline_plan *p;
    Offline_result *r;
    float *held;           /* tail frames not yet known to be needed (trim_tail) */
    int64_t n_held;
    int64_t last_sound;    /* frames up to the last sound, from the start */
} Render;

/* Hands n frames to the sink, counting them and their peak. */
static int give(Render *x, const float *buf, int64_t n, char *err, size_t errlen)
{
    for (int64_t i = 0; i < n * ENGINE_CHANNELS; i++)
        if (fabsf(buf[i]) > x->r->peak)
            x->r->peak = fabsf(buf[i]);
    for (int64_t at = 0; at < n;) {
        int k = n - at < OFFLINE_BLOCK ? (int)(n - at) : OFFLINE_BLOCK;
        if (x->p->sink(x->p->sink_ctx, buf + at * ENGINE_CHANNELS, k, err, errlen) != 0)
            return -1;
        at += k;
    }
    x->r->frames += n;
    return 0;
}

/* A tail block with trim_tail: held until a later sound shows it is needed. */
static int hold(Render *x, const float *buf, int n, int64_t frame, char *err, size_t errlen)
{
    memcpy(x->held + x->n_held * ENGINE_CHANNELS, buf, sizeof(float) * (size_t)n * ENGINE_CHANNELS);
    x->n_held += n;
    int64_t held_from = frame + n - x->n_held;
    if (x->last_sound <= held_from)
        return 0;
    int64_t keep = x->last_sound - held_from;   /* up to the last sound: needed */
    if (give(x, x->held, keep, err, errlen) != 0)
        return -1;
    memmove(x->held, x->held + keep * ENGINE_CHANNELS, sizeof(float) * (size_t)(x->n_held - keep) * ENGINE_CHANNELS);
    x->n_held -= keep;
    return 0;
}

int offline_render(Engine *e, const Offline_plan *p, Offline_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    Render x = {p, r, NULL, 0, 0};
    if (p->trim_tail && p->tail_frames > 0) {
        x.held = malloc(sizeof(float) * (size_t)p->tail_frames * ENGINE_CHANNELS);
        if (!x.held) {
            return error_set(err, errlen, "out of memory");
        }
    }
    int64_t body_end = p->body_frames < 0 ? INT64_MAX : p->body_frames, frame = 0;
    int stopped = 0, rc = 0;
    float buf[OFFLINE_BLOCK * ENGINE_CHANNELS];
    for (;;) {
        int in_body = frame < body_end;
        if (!in_body && frame >= body_end + p->tail_frames)
            break;
        int64_t left = in_body ? body_end - frame : body_end + p->tail_frames - frame;
        int n = left < OFFLINE_BLOCK ? (int)left : OFFLINE_BLOCK;
        Offline_step step = p->before_block ? p->before_block(p->hook_ctx, e, frame, in_body, &n, err, errlen)
                                            : OFFLINE_GO;
        if (step == OFFLINE_FAIL) {
            rc = -1;
            break;
        }
        if (step == OFFLINE_END && in_body) {
            body_end = frame;
            continue;
        }
        if (n < 1 || n > OFFLINE_BLOCK)
            n = n < 1 ? 1 : OFFLINE_BLOCK;
        if (!in_body && !stopped) {
            engine_stop(e);
            stopped = 1;
        }
        engine_render(e, buf, n);
        for (int i = 0; i < n * ENGINE_CHANNELS; i++)
            if (fabsf(buf[i]) > OFFLINE_SILENT)
                x.last_sound = frame + i / ENGINE_CHANNELS + 1;
        if (in_body || !x.held)
            rc = give(&x, buf, n, err, errlen);
        else
            rc = hold(&x, buf, n, frame, err, errlen);
        if (rc != 0)
            break;
        frame += n;
        if (!in_body && x.held && x.last_sound < frame - p->rate / 10)
            break; /* rang out */
    }
    r->body_frames = frame < body_end ? frame : body_end;
    free(x.held);
    return rc;
}
