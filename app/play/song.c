/* song.c - a session's loops, then the mix or a stem, offline (see song.h). */
#include "song.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "error.h"
#include "feel.h"
#include "instrument.h"
#include "instrument_form.h"
#include "mixer.h"
#include "offline.h"

#define SONG_BLOCK 256
#define SONG_MAX_LOOPS 100000

static int song_alloc(Song *song, int n, char *err, size_t errlen)
{
    memset(song, 0, sizeof *song);
    song->loops = calloc((size_t)n, sizeof *song->loops);
    if (!song->loops) {
        return error_set(err, errlen, "out of memory");
    }
    song->n = n;
    return 0;
}

/* Keeps what loop k plays: the session as it stands at that loop's start. */
static void keep_loop(Song_loop *l, const Session *s, int section)
{
    const Session_settings *st = &s->settings;
    l->raw = s->part;
    feel_apply(&s->part, st->feel_timing, st->feel_velocity, &l->part);
    l->swing = st->swing;
    l->muted = st->muted;
    l->soloed = st->soloed;
    l->section = section;
}

int song_from_part(Song *song, const Session *s, int n, char *err, size_t errlen)
{
    if (n < 1 || n > SONG_MAX_LOOPS) {
        return error_set(err, errlen, "bad number of loops %d", n);
    }
    if (song_alloc(song, n, err, errlen))
        return -1;
    for (int k = 0; k < n; k++)
        keep_loop(&song->loops[k], s, -1);
    song->bpm = s->settings.bpm;
    memcpy(song->gain_db, s->settings.gain_db, sizeof song->gain_db);
    memcpy(song->pan, s->settings.pan, sizeof song->pan);
    return 0;
}

/* What song_from_session's render keeps: each loop's part and settings as it starts. */
typedef struct {
    Song *song;
    Instrument *in;
    int rate, n;
    int64_t kept;          /* the last loop kept, -1 before the first */
} Song_take;

/* Before each block: the instrument steps to the frame; a new loop is kept; after n, the end. */
static Offline_step take_before_block(void *ctx, Engine *e, int64_t frame, int in_body, int *n, char *err,
                                      size_t errlen)
{
    (void)e;
    (void)in_body;
    (void)n;
    (void)err;
    (void)errlen;
    Song_take *t = ctx;
    Instrument *in = t->in;
    double now = (double)frame / t->rate;
    instrument_tick(in, now);
    instrument_wait_for_model(in, now);
    if (in->pos.playing && in->pos.loop != t->kept) {
        t->kept = in->pos.loop;
        if (t->kept >= t->n)
            return OFFLINE_END;
        keep_loop(&t->song->loops[t->kept], &in->session, in->form.chain_on ? in->form.playing : -1);
    }
    return OFFLINE_GO;
}

/* A sink that drops the audio (song_from_session only needs the engine's clock). */
static int discard(void *ctx, const float *frames, int n, char *err, size_t errlen)
{
    (void)ctx;
    (void)frames;
    (void)n;
    (void)err;
    (void)errlen;
    return 0;
}

int song_from_session(Song *song, const char *session_path, const char *model_path, int loops, float bpm,
                      char *err, size_t errlen)
{
    memset(song, 0, sizeof *song);
    FILE *f = fopen(session_path, "rb");
    if (!f) {
        return error_set(err, errlen, "cannot open session '%s'", session_path);
    }
    fclose(f);
    const int rate = 48000;
    Engine engine;
    if (engine_init(&engine, rate, NULL) != 0) {   /* no kit: only the transport is needed here */
        return error_set(err, errlen, "out of memory");
    }
    static Instrument in;   /* large (the form); one render at a time, control thread only */
    Instrument_options io = {model_path, session_path, 0, bpm, 0, 1, NULL, 0, rate};
    char why[300];
    if (instrument_init(&in, &engine, &io, why, sizeof why) != 0) {
        error_set(err, errlen, "%s", why);
        engine_deinit(&engine);
        return -1;
    }
    if (in.session_read == SESSION_CORRUPT || in.session_read == SESSION_IO_ERROR) {   /* a folder, say */
        error_set(err, errlen, "session '%s': %s", session_path, in.message);
        instrument_deinit(&in);
        engine_deinit(&engine);
        return -1;
    }
    int chain = form_chain_loops(&in.form);
    if (chain > 0) {
        for (int i = 0; i < in.form.n_chain; i++)
            if (!in.form.sec[in.form.chain[i].slot].used) {
                error_set(err, errlen, "the chain plays section %s, which is empty",
                          form_slot_name(in.form.chain[i].slot));
                instrument_deinit(&in);
                engine_deinit(&engine);
                return -1;
            }
        instrument_chain_play(&in, 1);
    }
    int n = loops > 0 ? loops : chain > 0 ? chain : 4;
    if (song_alloc(song, n, err, errlen)) {
        instrument_deinit(&in);
        engine_deinit(&engine);
        return -1;
    }
    song->chain_loops = chain;
    instrument_tick(&in, 0);
    instrument_wait_for_model(&in, 0);   /* loop 0 plays the first part too, not the silence before it */
    instrument_play(&in);
    instrument_wait_for_model(&in, 0);
    /* Played offline, the audio unheard: only the parts of the loops are kept. */
    Song_take take = {song, &in, rate, n, -1};
    Offline_plan plan = {-1, 0, 0, rate, take_before_block, &take, discard, NULL};
    Offline_result r;
    if (offline_render(&engine, &plan, &r, err, errlen) != 0) {
        instrument_deinit(&in);
        engine_deinit(&engine);
        return -1;
    }
    song->bpm = in.session.settings.bpm;
    memcpy(song->gain_db, in.session.settings.gain_db, sizeof song->gain_db);
    memcpy(song->pan, in.session.settings.pan, sizeof song->pan);
    instrument_deinit(&in);
    engine_deinit(&engine);
    return 0;
}

void song_free(Song *song)
{
    free(song->loops);
    memset(song, 0, sizeof *song);
}

/* The frame at which the engine schedules loop k's first step (half a step early). */
static int64_t loop_start_frame(double fps, int k)
{
    double f = floor(((double)k * HVO_STEPS - 0.5) * fps);
    return k == 0 || f < 0 ? 0 : (int64_t)f;
}

int64_t song_frames(const Song *song, int rate, float tail_s)
{
    double fps = engine_frames_per_step(rate, song->bpm);
    return (int64_t)llround((double)song->n * HVO_STEPS * fps) + (int64_t)llround((double)tail_s * rate);
}

unsigned song_voices(const Song *song)
{
    unsigned voices = 0;
    for (int k = 0; k < song->n; k++) {
        const Song_loop *l = &song->loops[k];
        for (int v = 0; v < HVO_VOICES; v++) {
            if ((l->muted >> v & 1u) || (l->soloed && !(l->soloed >> v & 1u)))
                continue;
            for (int t = 0; t < HVO_STEPS; t++)
                if (hvo_hit(&l->part, t, v) > 0.5f) {
                    voices |= 1u << v;
                    break;
                }
        }
    }
    return voices;
}

/* The render's place in the song: loop k's settings go to the engine at its start frame. */
typedef struct {
    const Song *song;
    double fps;
    int k;                 /* the next loop to hand over (song->n: the silence after the last) */
} Song_run;

/* Before each block: hands over every loop whose start has come (its swing, mutes, solos and
 * pattern, just before its first step is scheduled; silence after the last) and cuts the block
 * at the next loop's start. */
static Offline_step song_before_block(void *ctx, Engine *e, int64_t frame, int in_body, int *n, char *err,
                                      size_t errlen)
{
    (void)in_body;
    (void)err;
    (void)errlen;
    Song_run *x = ctx;
    const Song *song = x->song;
    while (x->k <= song->n && frame >= loop_start_frame(x->fps, x->k)) {
        if (x->k < song->n) {
            const Song_loop *l = &song->loops[x->k];
            engine_set_swing(e, l->swing);
            for (int v = 0; v < HVO_VOICES; v++) {
                engine_set_mute(e, v, (int)(l->muted >> v & 1u));
                engine_set_solo(e, v, (int)(l->soloed >> v & 1u));
            }
            engine_set_pattern(e, &l->part);
        } else {
            Hvo silence;
            hvo_clear(&silence);
            engine_set_pattern(e, &silence);   /* nothing after the last loop but ring-out */
        }
        if (x->k == 0)
            engine_play(e);
        x->k++;
    }
    if (x->k <= song->n) {
        int64_t next = loop_start_frame(x->fps, x->k);
        if (next - frame < *n)
            *n = (int)(next - frame);
    }
    return OFFLINE_GO;
}

int song_render(const Song *song, const Kit *kit, int rate, int stem, float tail_s, Song_sink sink, void *user,
                Song_stats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    Engine e;
    if (engine_init(&e, rate, kit) != 0) {
        return error_set(err, errlen, "out of memory");
    }
    engine_set_bpm(&e, song->bpm);
    for (int v = 0; v < HVO_VOICES; v++) {
        engine_set_gain(&e, v, stem < 0 || stem == v ? mixer_gain(song->gain_db[v]) : 0.0f);
        engine_set_pan(&e, v, song->pan[v]);
    }
    float buf[SONG_BLOCK * ENGINE_CHANNELS];
    engine_render(&e, buf, SONG_BLOCK);   /* stopped: the levels settle (no ramp into loop 0) */
    /* The song then its ring-out, the transport running on silence (synth/offline.h). */
    Song_run x = {song, engine_frames_per_step(rate, song->bpm), 0};
    Offline_plan plan = {song_frames(song, rate, tail_s), 0, 0, rate, song_before_block, &x, sink, user};
    Offline_result r;
    int rc = offline_render(&e, &plan, &r, err, errlen);
    stats->frames = r.frames;
    stats->peak = r.peak;
    engine_deinit(&e);
    return rc;
}

void song_safe_name(const char *name, char *out, size_t len)
{
    if (len == 0)
        return;
    size_t j = 0;
    for (size_t i = 0; name[i] && j + 1 < len; i++) {
        unsigned char c = (unsigned char)name[i];
        /* control characters, path separators and what other systems refuse become '_';
         * letters of any script (UTF-8 bytes), digits, spaces and the rest stay */
        int odd = c < 32 || c == 127 || strchr("/\\:*?\"<>|", c) != NULL || (j == 0 && (c == '.' || c == '-'));
        out[j++] = odd ? '_' : (char)c;
    }
    out[j] = 0;
    if (j == 0)
        snprintf(out, len, "untitled");
}
