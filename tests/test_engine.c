/* test_engine.c - the sample player's core, offline, frame by frame: exact onset frames
 * (offsets, swing, the early hit before the loop line), pattern swap at the loop boundary,
 * choke, velocity, mute/solo, pad hits, tempo, the limiter; and the SPSC ring across threads. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "drumsynth.h"
#include "engine.h"
#include "kit.h"
#include "ring.h"

#define RATE 48000
#define FPS 6000 /* frames per step at 120 bpm, 48 kHz */

/* A kit whose every voice is a block of `frames` samples of constant `level`: an onset is the
 * first non-zero output frame after silence. */
static void make_block_kit(Kit *kit, int frames, float level)
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

/* Renders `frames` frames in blocks of `block` into a mono buffer (left channel). */
static float *render(Engine *e, int frames, int block)
{
    float *mono = calloc((size_t)frames, sizeof(float));
    float *buf = malloc(sizeof(float) * 2 * (size_t)block);
    for (int at = 0; at < frames; at += block) {
        int n = frames - at < block ? frames - at : block;
        engine_render(e, buf, n);
        for (int i = 0; i < n; i++)
            mono[at + i] = buf[2 * i];
    }
    free(buf);
    return mono;
}

/* Lists the onsets (first non-zero frame after at least one zero frame, or frame 0). */
static int onsets(const float *x, int n, int64_t *out, int max)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        if (x[i] != 0.0f && (i == 0 || x[i - 1] == 0.0f)) {
            if (count < max)
                out[count] = i;
            count++;
        }
    return count;
}

static double energy(const float *x, int from, int to)
{
    double s = 0.0;
    for (int i = from; i < to; i++)
        s += (double)x[i] * x[i];
    return s;
}

static void test_onsets(void)
{
    Kit kit;
    make_block_kit(&kit, 100, 0.25f);
    Engine e;
    CHECK(engine_init(&e, RATE, &kit) == 0, "engine_init");
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, 0.0f);
    hvo_set(&p, 1, VOICE_CLOSED_HAT, 1, 0.8f, 0.0f);   /* odd: swung */
    hvo_set(&p, 4, VOICE_SNARE, 1, 0.9f, 0.25f);        /* late */
    hvo_set(&p, 7, VOICE_RIDE, 1, 0.7f, -0.2f);         /* odd, early, swung */
    hvo_set(&p, 10, VOICE_LOW_TOM, 1, 0.6f, 0.49f);
    hvo_set(&p, 31, VOICE_CRASH, 1, 1.0f, 0.1f);        /* odd, late: still before the loop line */
    engine_set_pattern(&e, &p);
    engine_set_swing(&e, 0.2f);
    engine_play(&e);
    int frames = 2 * 32 * FPS;
    float *x = render(&e, frames, 257);
    int64_t got[32];
    int n = onsets(x, frames, got, 32);
    /* step * FPS + offset * FPS (+ 0.2 * FPS swing on odd steps), then the same a loop later. */
    const int64_t one[6] = {0, 1 * FPS + 1200, 4 * FPS + 1500, 7 * FPS + 1200 - 1200, 10 * FPS + 2940,
                            31 * FPS + 1200 + 600};
    CHECK(n == 12, "12 onsets in two loops (got %d)", n);
    int exact = n == 12;
    for (int i = 0; i < 12 && i < n; i++) {
        int64_t want = one[i % 6] + (i >= 6 ? 32 * FPS : 0);
        if (got[i] != want) {
            exact = 0;
            printf("     onset %d at frame %lld, expected %lld\n", i, (long long)got[i], (long long)want);
        }
    }
    CHECK(exact, "every onset at its exact frame (offsets and swing, rendered in 257-frame blocks)");
    Engine_position pos;
    engine_position(&e, &pos);
    CHECK(pos.playing && pos.loop == 1 && pos.step_in_loop == 31, "position after 2 loops: loop %lld step %d",
          (long long)pos.loop, pos.step_in_loop);
    free(x);

    /* The same pattern rendered in one block per call of 64 and of 4096 gives the same audio. */
    float *a, *b;
    engine_play(&e);
    a = render(&e, frames, 64);
    engine_play(&e);
    b = render(&e, frames, 4096);
    CHECK(memcmp(a, b, sizeof(float) * (size_t)frames) == 0, "block size does not change the output");
    free(a);
    free(b);
    engine_deinit(&e);
    kit_deinit(&kit);
}

static void test_early_hit_before_loop_line(void)
{
    Kit kit;
    make_block_kit(&kit, 100, 0.25f);
    Engine e;
    engine_init(&e, RATE, &kit);
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, -0.3f);
    engine_set_pattern(&e, &p);
    engine_play(&e);
    int frames = 3 * 32 * FPS;
    float *x = render(&e, frames, 256);
    int64_t got[8];
    int n = onsets(x, frames, got, 8);
    CHECK(n == 4, "three loops: three kicks and loop 3's early kick (got %d)", n);
    CHECK(n >= 1 && got[0] == 0, "loop 0: the early hit cannot sound before the start, plays at frame 0");
    CHECK(n >= 2 && got[1] == 32 * FPS - 1800, "loop 1: offset -0.3 on step 0 sounds 1800 frames before the loop line (frame %lld)",
          n >= 2 ? (long long)got[1] : -1LL);
    CHECK(n >= 3 && got[2] == 64 * FPS - 1800, "loop 2: again before the loop line");
    CHECK(n >= 4 && got[3] == 96 * FPS - 1800, "loop 3's kick sounds inside loop 2's last step");
    free(x);
    engine_deinit(&e);
    kit_deinit(&kit);
}

static void test_pattern_swap(void)
{
    Kit kit;
    make_block_kit(&kit, 100, 0.25f);
    Engine e;
    engine_init(&e, RATE, &kit);
    Hvo a, b;
    hvo_clear(&a);
    hvo_clear(&b);
    hvo_set(&a, 8, VOICE_KICK, 1, 1.0f, 0.0f);
    hvo_set(&a, 24, VOICE_KICK, 1, 1.0f, 0.0f);
    hvo_set(&b, 0, VOICE_SNARE, 1, 1.0f, -0.25f);
    hvo_set(&b, 12, VOICE_SNARE, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &a);
    engine_play(&e);
    float *x1 = render(&e, 16 * FPS, 256); /* half a loop: A's step 8 played */
    Engine_position pos;
    engine_position(&e, &pos);
    uint64_t serial = pos.pattern_serial;
    engine_set_pattern(&e, &b); /* swapped in at the loop boundary, not now */
    Hvo c;
    hvo_clear(&c);
    hvo_set(&c, 3, VOICE_RIDE, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &c); /* replaces B before the boundary ... */
    engine_set_pattern(&e, &b); /* ... and B replaces it again */
    float *x2 = render(&e, 48 * FPS, 256);
    int64_t got[8];
    int n1 = onsets(x1, 16 * FPS, got, 8);
    CHECK(n1 == 1 && got[0] == 8 * FPS, "before the swap: pattern A's step 8");
    int n2 = onsets(x2, 48 * FPS, got, 8);
    /* x2 starts at frame 16*FPS: A's step 24, then B from loop 1 (early snare at 32 - 0.25), B's
     * step 12, and loop 2's early snare at 64 - 0.25. */
    CHECK(n2 == 4, "after setting B mid-loop: 4 onsets (got %d)", n2);
    CHECK(n2 == 4 && got[0] + 16 * FPS == 24 * FPS, "A still plays its step 24");
    CHECK(n2 == 4 && got[1] + 16 * FPS == 32 * FPS - 1500, "B takes over at the loop line, its early snare just before it");
    CHECK(n2 == 4 && got[2] + 16 * FPS == 44 * FPS, "B's step 12 in loop 1");
    CHECK(n2 == 4 && got[3] + 16 * FPS == 64 * FPS - 1500, "and B's early snare of loop 2");
    engine_position(&e, &pos);
    CHECK(pos.pattern_serial == serial + 1, "pattern serial went up by one at the swap");
    free(x1);
    free(x2);
    engine_deinit(&e);
    kit_deinit(&kit);
}

static void test_choke_velocity_mute(void)
{
    Kit kit;
    make_block_kit(&kit, 24000, 0.2f); /* half-second samples */
    Engine e;
    engine_init(&e, RATE, &kit);
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_OPEN_HAT, 1, 1.0f, 0.0f);
    hvo_set(&p, 2, VOICE_CLOSED_HAT, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);
    engine_play(&e);
    float *x = render(&e, 8 * FPS, 128);
    /* The open hat alone runs 24000 frames; the closed hat at 12000 chokes it within 4 ms, so
     * after 12000 + 24000 nothing sounds and just after the fade only the closed hat does. */
    int fade = (int)(ENGINE_CHOKE_FADE_S * RATE) + 1;
    CHECK(x[11000] > 0.0f && x[12000 + fade + 10] > 0.0f, "hats sound before and after the closed hat");
    CHECK_NEAR(x[12000 + fade + 10], x[100], 1e-6, "after the choke fade only the closed hat sounds (open hat cut)");
    CHECK(x[12000 + 24000 + 10] == 0.0f, "silence once the closed hat ends");
    free(x);

    /* Without the choke group both hats overlap. */
    engine_set_choke(&e, VOICE_OPEN_HAT, 0);
    engine_set_choke(&e, VOICE_CLOSED_HAT, 0);
    engine_play(&e);
    x = render(&e, 8 * FPS, 128);
    CHECK(x[12000 + fade + 10] > 1.5f * x[100], "choke off: open and closed hat overlap");
    free(x);
    engine_deinit(&e);
    kit_deinit(&kit);

    /* A fifth overlapping hit takes the oldest slot; the stolen hit fades out over 4 ms
     * instead of stopping dead (no click). Block samples of 0.2, master 0.6: 4 hits = 0.48. */
    make_block_kit(&kit, 100000, 0.2f);
    engine_init(&e, RATE, &kit);
    hvo_clear(&p);
    for (int s = 0; s < 5; s++)
        hvo_set(&p, s, VOICE_LOW_TOM, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);
    engine_play(&e);
    x = render(&e, 6 * FPS, 128);
    CHECK_NEAR(x[4 * FPS - 1], 4 * 0.2 * 0.6, 1e-5, "four overlapping hits sum before the fifth");
    CHECK(x[4 * FPS + fade / 2] > 4 * 0.2f * 0.6f + 0.02f && x[4 * FPS + fade / 2] < 5 * 0.2f * 0.6f,
          "the stolen hit is fading out (%.4f mid-fade)", x[4 * FPS + fade / 2]);
    CHECK_NEAR(x[4 * FPS + fade + 10], 4 * 0.2 * 0.6, 1e-5, "after the fade: four hits again");
    free(x);
    engine_deinit(&e);
    kit_deinit(&kit);

    /* Velocity: louder hits carry more energy; amplitude follows velocity^curve. */
    Kit dk;
    char err[256];
    CHECK(kit_load_default(&dk, RATE, err, sizeof err) == 0, "default kit loads");
    double prev = 0.0;
    int monotonic = 1;
    for (int k = 1; k <= 4; k++) {
        engine_init(&e, RATE, &dk);
        hvo_clear(&p);
        hvo_set(&p, 0, VOICE_SNARE, 1, 0.25f * (float)k, 0.0f);
        engine_set_pattern(&e, &p);
        engine_play(&e);
        x = render(&e, 4 * FPS, 256);
        double en = energy(x, 0, 4 * FPS);
        if (en <= prev)
            monotonic = 0;
        printf("     snare velocity %.2f: energy %.4f\n", 0.25 * k, en);
        prev = en;
        free(x);
        engine_deinit(&e);
    }
    CHECK(monotonic, "louder velocity, more energy (0.25, 0.5, 0.75, 1.0)");

    /* Mute and solo. */
    engine_init(&e, RATE, &dk);
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, 0.0f);
    hvo_set(&p, 8, VOICE_SNARE, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);
    engine_set_mute(&e, VOICE_KICK, 1);
    engine_play(&e);
    x = render(&e, 16 * FPS, 256);
    CHECK(energy(x, 0, 8 * FPS) == 0.0 && energy(x, 8 * FPS, 16 * FPS) > 0.0, "muted kick is silent, snare plays");
    free(x);
    engine_set_mute(&e, VOICE_KICK, 0);
    engine_set_solo(&e, VOICE_KICK, 1);
    engine_play(&e);
    x = render(&e, 16 * FPS, 256);
    CHECK(energy(x, 0, 8 * FPS) > 0.0 && energy(x, 8 * FPS, 16 * FPS) == 0.0, "solo kick: kick plays, snare silent");
    CHECK(engine_get_solo(&e, VOICE_KICK) == 1 && engine_get_mute(&e, VOICE_KICK) == 0, "control-side copies");
    free(x);
    engine_deinit(&e);
    kit_deinit(&dk);
}

static void test_full_scale_and_pad(void)
{
    Kit dk;
    char err[256];
    kit_load_default(&dk, RATE, err, sizeof err);
    Engine e;
    engine_init(&e, RATE, &dk);
    Hvo p;
    hvo_clear(&p);
    for (int s = 0; s < HVO_STEPS; s++)
        for (int v = 0; v < HVO_VOICES; v++)
            hvo_set(&p, s, v, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);
    engine_set_master(&e, 4.0f);
    for (int v = 0; v < HVO_VOICES; v++)
        engine_set_gain(&e, v, 4.0f);
    engine_play(&e);
    float buf[2 * 512];
    float peak = 0.0f;
    int finite = 1;
    for (int b = 0; b < 32 * FPS / 512; b++) {
        engine_render(&e, buf, 512);
        for (int i = 0; i < 1024; i++) {
            peak = fmaxf(peak, fabsf(buf[i]));
            finite &= isfinite(buf[i]);
        }
    }
    CHECK(finite && peak < 1.0f, "all 9 voices on every step at gain 16: peak %.5f stays below full scale", peak);
    CHECK(peak > 0.9f, "... and the limiter still lets it be loud (peak %.3f)", peak);
    Engine_stats st;
    engine_stats(&e, &st);
    CHECK(st.dropped_events == 0, "no scheduled hit dropped");
    CHECK(st.voices_active > 9, "overlapping hits per voice (%d sounding)", st.voices_active);
    engine_deinit(&e);

    /* A pad hit sounds at the start of the next block, transport stopped. */
    engine_init(&e, RATE, &dk);
    engine_render(&e, buf, 256);
    CHECK(energy(buf, 0, 512) == 0.0, "silence when stopped and untouched");
    engine_hit(&e, VOICE_SNARE, 1.0f);
    engine_render(&e, buf, 256);
    CHECK(buf[0] != 0.0f || buf[2] != 0.0f, "pad hit sounds at the first frame of the next block");
    Engine_position pos;
    engine_position(&e, &pos);
    CHECK(!pos.playing && pos.frame == 0, "a pad hit does not start the transport");
    engine_deinit(&e);
    kit_deinit(&dk);
}

static void test_tempo(void)
{
    Kit kit;
    make_block_kit(&kit, 100, 0.25f);
    Engine e;
    engine_init(&e, RATE, &kit);
    Hvo p;
    hvo_clear(&p);
    for (int s = 0; s < HVO_STEPS; s += 4)
        hvo_set(&p, s, VOICE_KICK, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);
    engine_set_bpm(&e, 90.0f);
    engine_play(&e);
    float *x = render(&e, 32 * 8000, 300);
    int64_t got[16];
    int n = onsets(x, 32 * 8000, got, 16);
    int ok = n == 8;
    for (int i = 0; i < n && i < 8; i++)
        ok &= got[i] == (int64_t)i * 4 * 8000;
    CHECK(ok, "90 bpm: quarter notes every 32000 frames (8000 per step)");
    CHECK_NEAR(engine_frames_per_step(44100, 100.0f), 6615.0, 1e-9, "frames per step at 44.1 kHz, 100 bpm");
    /* A tempo change mid-loop keeps the step position: from step 16 at 90 bpm to 180 bpm. */
    engine_play(&e);
    free(x);
    x = render(&e, 16 * 8000, 500);
    engine_set_bpm(&e, 180.0f);
    free(x);
    x = render(&e, 16 * 4000, 500);
    n = onsets(x, 16 * 4000, got, 16);
    ok = n == 4;
    for (int i = 0; i < n && i < 4; i++)
        ok &= got[i] == (int64_t)i * 4 * 4000;
    CHECK(ok, "tempo change mid-loop: steps 16..31 at 4000 frames each (got %d onsets)", n);
    Engine_position pos;
    engine_position(&e, &pos);
    CHECK(pos.bpm == 180.0f, "position reports the new tempo");
    free(x);
    engine_deinit(&e);
    kit_deinit(&kit);
}

/* ---- the ring across two threads ---- */

typedef struct {
    Ring *ring;
    uint64_t n;
} Producer;

/* A sync hook as a test drives it: a fixed source tempo, a source timeline whose step 0 lies
 * a given number of frames after the hook starts the transport. */
typedef struct {
    double bpm;          /* the source's tempo */
    int64_t zero_clock;  /* engine clock frame at which the source's step 0 falls */
    int play;            /* 1: ask the engine to run */
    int befores, afters, events, started_seen;
    int64_t first_event_frame;
} Test_source;

static void test_before(void *user, const Engine_block *b, Engine_follow *f)
{
    Test_source *s = user;
    s->befores++;
    f->active = 1;
    f->bpm = s->bpm;
    f->playing = s->play;
    f->have_step = 1;
    f->step = (double)(b->clock - s->zero_clock) / (b->rate * 60.0 / (s->bpm * 4));
}

static void test_after(void *user, const Engine_block *b)
{
    Test_source *s = user;
    s->afters++;
    s->started_seen += b->started;
    for (int i = 0; i < b->n_events; i++) {
        if (s->events == 0)
            s->first_event_frame = b->clock + (b->events[i].frame - b->frame);
        s->events++;
    }
}

static void test_hook_and_offset(void)
{
    Kit kit;
    make_block_kit(&kit, 100, 0.25f);
    Engine e;
    CHECK(engine_init(&e, RATE, &kit) == 0, "engine_init");
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, 0.0f);
    hvo_set(&p, 8, VOICE_SNARE, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);
    /* The source runs at 100 BPM (7200 frames a step) with its step 0 at frame 10000; the
     * engine was set to 120 and never told to play: the hook drives both. */
    Test_source s = {100.0, 10000, 1, 0, 0, 0, 0, 0};
    Engine_hook h = {test_before, test_after, &s};
    engine_set_hook(&e, &h);
    int frames = 10000 + 32 * 7200;
    float *x = render(&e, frames, 256);
    int64_t got[8];
    int n = onsets(x, frames, got, 8);
    CHECK(n == 2 && got[0] == 10000 && got[1] == 10000 + 8 * 7200,
          "the hook's tempo and position: kick at frame 10000, snare 8 steps of 100 BPM later (%d: %lld %lld)", n,
          (long long)(n > 0 ? got[0] : -1), (long long)(n > 1 ? got[1] : -1));
    CHECK(s.befores == s.afters && s.befores == (frames + 255) / 256, "before() and after() once per block");
    CHECK(s.started_seen == 1, "after() sees the start once");
    CHECK(s.events == 3 && s.first_event_frame == 10000,
          "after() sees each scheduled hit with its frame (and the next loop's kick, half a step early)");
    Engine_position pos;
    engine_position(&e, &pos);
    CHECK(pos.playing && fabs(pos.bpm - 100.0f) < 1e-4, "the position reports the source's tempo");
    free(x);
    /* The source stops: the engine stops. */
    s.play = 0;
    x = render(&e, 512, 256);
    engine_position(&e, &pos);
    CHECK(!pos.playing, "the source stops the transport");
    free(x);

    /* Without a hook, an audio offset of +10 ms moves every hit 480 frames later. */
    engine_set_hook(&e, NULL);
    engine_set_offset(&e, 10.0f);
    engine_set_bpm(&e, 120.0f);
    engine_play(&e);
    x = render(&e, 32 * FPS, 256);
    n = onsets(x, 32 * FPS, got, 8);
    CHECK(n == 2 && got[0] == 480 && got[1] == 8 * FPS + 480, "audio offset +10 ms: hits 480 frames late");
    free(x);
    engine_set_offset(&e, -5.0f);
    engine_play(&e);
    x = render(&e, 32 * FPS, 256);
    n = onsets(x, 32 * FPS, got, 8);
    CHECK(n == 3 && got[0] == 0 && got[1] == 8 * FPS - 240 && got[2] == 32 * FPS - 240,
          "audio offset -5 ms: 240 frames early (the next loop's kick too), never before the start (%d: %lld %lld)", n,
          (long long)(n > 0 ? got[0] : -1), (long long)(n > 1 ? got[1] : -1));
    free(x);
    engine_deinit(&e);
    kit_deinit(&kit);
}

static void *producer_run(void *arg)
{
    Producer *p = arg;
    for (uint64_t i = 0; i < p->n;) {
        if (ring_push(p->ring, &i))
            i++;
    }
    return NULL;
}

static void test_ring(void)
{
    Ring r;
    CHECK(ring_init(&r, sizeof(uint64_t), 100) == 0 && r.capacity == 128, "ring rounds 100 up to 128");
    uint64_t v = 7, out = 0;
    CHECK(ring_pop(&r, &out) == 0, "empty ring pops nothing");
    int pushed = 0;
    while (ring_push(&r, &v))
        pushed++;
    CHECK(pushed == 128 && ring_space(&r) == 0, "full at capacity (%d)", pushed);
    while (ring_pop(&r, &out))
        ;
    Producer p = {&r, 2000000};
    pthread_t t;
    pthread_create(&t, NULL, producer_run, &p);
    uint64_t expect = 0;
    int in_order = 1;
    while (expect < p.n) {
        if (ring_pop(&r, &out)) {
            if (out != expect)
                in_order = 0;
            expect++;
        }
    }
    pthread_join(t, NULL);
    CHECK(in_order, "2,000,000 items across threads arrive complete and in order");
    ring_deinit(&r);
}

int main(void)
{
    test_hook_and_offset();
    test_onsets();
    test_early_hit_before_loop_line();
    test_pattern_swap();
    test_choke_velocity_mute();
    test_full_scale_and_pad();
    test_tempo();
    test_ring();
    return check_summary();
}
