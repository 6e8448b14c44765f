/* test_offline.c - the one offline render loop (synth/offline.h): a body of exact length, a
 * tail that stops the transport and, trimmed, ends 0.1 s after the last sound with the silence
 * cut; a hook that ends the body, shortens blocks and fails; the sink's frames and peak. */
#include "check.h"
#include "kit.h"
#include "offline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { RATE = 48000 };

/* A kit whose every voice is a block of `frames` samples at `level`. */
static void block_kit(Kit *kit, int frames, float level)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = RATE;
    for (int v = 0; v < HVO_VOICES; v++) {
        float *d = malloc(sizeof(float) * (size_t)frames);
        for (int i = 0; i < frames; i++)
            d[i] = level;
        kit->voices[v].layers[0] = (Kit_layer){d, frames, 0.0f, 1.0f, 1.0f};
        kit->voices[v].n_layers = 1;
    }
}

/* A sink that keeps the left channel. */
typedef struct {
    float *left;
    int64_t n, cap;
    int calls, fail_at;
} Capture;

static int capture(void *ctx, const float *frames, int n, char *err, size_t errlen)
{
    Capture *c = ctx;
    if (++c->calls == c->fail_at) {
        snprintf(err, errlen, "sink full");
        return -1;
    }
    for (int i = 0; i < n && c->n < c->cap; i++)
        c->left[c->n++] = frames[2 * i];
    return 0;
}

/* A hook that records block sizes, ends the body at end_at and cuts blocks at cut_at. */
typedef struct {
    int64_t end_at, cut_at;
    int blocks, max_n, fail;
    int64_t saw_tail_at;
} Hook;

static Offline_step hook(void *ctx, Engine *e, int64_t frame, int in_body, int *n, char *err, size_t errlen)
{
    (void)e;
    Hook *h = ctx;
    if (h->fail) {
        snprintf(err, errlen, "hook says no");
        return OFFLINE_FAIL;
    }
    if (!in_body && h->saw_tail_at < 0)
        h->saw_tail_at = frame;
    if (in_body && h->end_at >= 0 && frame >= h->end_at)
        return OFFLINE_END;
    if (h->cut_at > frame && h->cut_at < frame + *n)
        *n = (int)(h->cut_at - frame);
    h->blocks++;
    if (*n > h->max_n)
        h->max_n = *n;
    return OFFLINE_GO;
}

/* An engine playing one kick at step 0 of a 120 bpm loop. */
static void start(Engine *e, Kit *kit)
{
    engine_init(e, RATE, kit);
    engine_set_bpm(e, 120.0f);
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, 0.0f);
    engine_set_pattern(e, &p);
    engine_play(e);
}

int main(void)
{
    Kit kit;
    block_kit(&kit, 2400, 0.5f); /* 50 ms of sound per hit */
    Capture c = {malloc(sizeof(float) * RATE * 4), 0, RATE * 4, 0, 0};
    char err[256] = "";
    Engine e;

    /* 1. a body and an untrimmed tail: exact lengths */
    start(&e, &kit);
    Offline_plan p = {10000, 5000, 0, RATE, NULL, NULL, capture, &c};
    Offline_result r;
    CHECK(offline_render(&e, &p, &r, err, sizeof err) == 0 && r.frames == 15000 && c.n == 15000 &&
              r.body_frames == 10000,
          "body 10000 + tail 5000 frames reach the sink (%lld)", (long long)r.frames);
    CHECK(fabsf(r.peak - fabsf(c.left[100])) < 0.2f && r.peak > 0.1f, "the peak is the hit's level (%.3f)", r.peak);
    Engine_position pos;
    engine_position(&e, &pos);
    CHECK(!pos.playing, "the tail stopped the transport");
    engine_deinit(&e);

    /* 2. a trimmed tail: the body is 1 s (one kick at 0; a loop is 4 s), the tail 3 s; the
     * sound ends at 2400 frames, so the tail stops at once and nothing after the body is kept. */
    c.n = 0;
    start(&e, &kit);
    Offline_plan t = {RATE, 3 * RATE, 1, RATE, NULL, NULL, capture, &c};
    CHECK(offline_render(&e, &t, &r, err, sizeof err) == 0 && r.frames == RATE && c.n == RATE,
          "a silent tail is cut to nothing: the body stays whole (%lld)", (long long)r.frames);
    engine_deinit(&e);

    /* 3. a sound that rings into the tail: kept up to its last sample, then cut */
    c.n = 0;
    start(&e, &kit);
    Offline_plan t2 = {1200, 3 * RATE, 1, RATE, NULL, NULL, capture, &c};
    int ok = offline_render(&e, &t2, &r, err, sizeof err) == 0;
    int64_t last = 0;
    for (int64_t i = 0; i < c.n; i++)
        if (fabsf(c.left[i]) > 1e-4f)
            last = i + 1;
    CHECK(ok && r.frames > 1200 && r.frames == last && r.frames < 2400 + 600,
          "a ringing tail is kept to its last sound (%lld frames, last sound %lld)", (long long)r.frames,
          (long long)last);
    engine_deinit(&e);

    /* 4. a hook: ends an open body, shortens a block, sees the tail */
    c.n = 0;
    start(&e, &kit);
    Hook h = {1000 + 24 * OFFLINE_BLOCK, 1000, 0, 0, 0, -1}; /* blocks after the cut start at 1000 + 256 k */
    Offline_plan o = {-1, 512, 0, RATE, hook, &h, capture, &c};
    ok = offline_render(&e, &o, &r, err, sizeof err) == 0;
    CHECK(ok && r.body_frames == 7144 && r.frames == 7144 + 512 && h.saw_tail_at == 7144,
          "the hook ends the body at 7144, the 512-frame tail follows (%lld)", (long long)r.frames);
    CHECK(h.max_n <= OFFLINE_BLOCK && h.blocks > 7000 / OFFLINE_BLOCK, "blocks are at most %d frames",
          OFFLINE_BLOCK);
    engine_deinit(&e);
    c.n = 0;
    start(&e, &kit);
    Hook h2 = {-1, 1000, 0, 0, 0, -1};
    Offline_plan o2 = {2000, 0, 0, RATE, hook, &h2, capture, &c};
    /* a block cut at 1000: the sink then sees a block that starts at 1000 */
    ok = offline_render(&e, &o2, &r, err, sizeof err) == 0;
    CHECK(ok && r.frames == 2000 && c.calls > 0, "a block cut by the hook keeps the total (%lld)", (long long)r.frames);
    engine_deinit(&e);

    /* 5. failures: the hook's and the sink's errors come back */
    start(&e, &kit);
    Hook h3 = {-1, -1, 0, 0, 1, -1};
    Offline_plan f = {1000, 0, 0, RATE, hook, &h3, capture, &c};
    CHECK(offline_render(&e, &f, &r, err, sizeof err) != 0 && !strcmp(err, "hook says no"), "a hook failure stops it");
    c.calls = 0;
    c.fail_at = 2;
    Offline_plan f2 = {10000, 0, 0, RATE, NULL, NULL, capture, &c};
    CHECK(offline_render(&e, &f2, &r, err, sizeof err) != 0 && !strcmp(err, "sink full") &&
              r.frames == OFFLINE_BLOCK,
          "a sink failure stops it after what was taken");
    engine_deinit(&e);

    free(c.left);
    kit_deinit(&kit);
    return check_summary();
}
