/* sync.c - tempo sources, MIDI clock in and out, offsets, MIDI files for ports (see sync.h). */
#include "sync.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "midi_hvo.h"
#include "smf.h"

#define LOOP_BEAT_SCALE 1048576.0   /* pub_loop_beat_q: beats * 2^20 */
#define MAP_RESET_S 0.05            /* host-time map: re-anchor when it is off by more */
#define MAP_GAIN 0.02               /* ... else correct it by this share of the error per block */

static unsigned float_bits(float f)
{
    unsigned u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_float(unsigned u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

const char *sync_source_name(Sync_source src)
{
    switch (src) {
    case SYNC_LINK: return "link";
    case SYNC_CLOCK: return "clock";
    default: return "internal";
    }
}

int sync_init(Sync *s, Sync_source source, int rate)
{
    memset(s, 0, sizeof *s);
    s->source = source;
    s->rate = rate > 0 ? rate : 48000;
    s->start_stop_sync = 1;
    midi_clock_in_init(&s->follower);
    midi_clock_out_init(&s->gen);
    if (ring_init(&s->port_in, sizeof(Sync_msg), SYNC_RING) != 0 || ring_init(&s->out, sizeof(Sync_msg), SYNC_RING) != 0 ||
        ring_init(&s->taps, sizeof(Sync_tap), SYNC_RING) != 0) {
        sync_deinit(s);
        return -1;
    }
    atomic_init(&s->link_on, 0);
    atomic_init(&s->pub_bpm_bits, 0);
    atomic_init(&s->pub_lost, 0);
    atomic_init(&s->pub_running, 0);
    atomic_init(&s->pub_out_dropped, 0);
    for (int i = 0; i < 8; i++) {
        atomic_init(&s->pub_loop_beat_q[i], 0);
        atomic_init(&s->pub_loop_idx[i], -1);
    }
    return 0;
}

void sync_deinit(Sync *s)
{
    ring_deinit(&s->port_in);
    ring_deinit(&s->out);
    ring_deinit(&s->taps);
    free(s->file_in);
    free(s->rec);
    s->file_in = NULL;
    s->rec = NULL;
}

void sync_record_midi_out(Sync *s)
{
    s->record_out = 1;
    s->want_out = 1;
    s->out_notes = 1;
}

void sync_set_port_out(Sync *s, Sync_port_send_fn fn, void *user)
{
    s->port_send = fn;
    s->port_user = user;
    s->want_out = fn != NULL || s->record_out;
}

static float clamp_offset(float ms)
{
    if (!(ms == ms))
        return 0;
    return ms < -SYNC_OFFSET_MAX_MS ? (float)-SYNC_OFFSET_MAX_MS : ms > SYNC_OFFSET_MAX_MS ? (float)SYNC_OFFSET_MAX_MS : ms;
}

void sync_set_offsets(Sync *s, Engine *e, float audio_ms, float midi_ms)
{
    s->audio_offset_ms = clamp_offset(audio_ms);
    s->midi_offset_ms = clamp_offset(midi_ms);
    if (e)
        engine_set_offset(e, s->audio_offset_ms);
}

int sync_add_bpm_at(Sync *s, int loop, float bpm)
{
    if (s->n_bpm_at >= SYNC_MAX_BPM_AT)
        return -1;
    s->bpm_at[s->n_bpm_at++] = (Sync_bpm_at){loop, bpm, 0};
    return 0;
}

void sync_set_link(Sync *s, int on)
{
    atomic_store(&s->link_on, s->source == SYNC_LINK && on);
}

Sync_source sync_source_now(Sync *s)
{
    if (s->source == SYNC_LINK && !atomic_load(&s->link_on))
        return SYNC_INTERNAL;
    return s->source;
}

int sync_drives_transport(const Sync *s) { return s->source == SYNC_CLOCK; }

/* ------------------------------------------------------------ MIDI in file -- */

static int msg_cmp(const void *a, const void *b)
{
    const Sync_msg *x = a, *y = b;
    return x->time < y->time ? -1 : x->time > y->time;
}

int sync_load_midi_in(Sync *s, const char *path, char *err, size_t errlen)
{
    Smf smf;
    char why[256];
    if (smf_read_file(&smf, path, why, sizeof why) != 0) {
        return error_set(err, errlen, "cannot read MIDI in file '%s': %s", path, why);
    }
    size_t n = 0;
    for (int i = 0; i < smf.n_notes; i++)
        n += smf.notes[i].on;
    n += (size_t)smf.n_escapes;
    Sync_msg *m = calloc(n ? n : 1, sizeof *m);
    if (!m) {
        smf_deinit(&smf);
        return error_set(err, errlen, "out of memory");
    }
    size_t k = 0;
    /* Escapes first, then notes: a stable sort by time keeps the file's order within each. */
    for (int i = 0; i < smf.n_escapes; i++) {
        const Smf_escape *x = &smf.escapes[i];
        Sync_msg msg = {smf_tick_to_seconds(&smf, x->tick), {0}, (uint8_t)(x->n > 3 ? 3 : x->n)};
        memcpy(msg.bytes, x->bytes, msg.n);
        m[k++] = msg;
    }
    for (int i = 0; i < smf.n_notes; i++) {
        const Smf_note *x = &smf.notes[i];
        if (x->on)
            m[k++] = (Sync_msg){smf_tick_to_seconds(&smf, x->tick), {(uint8_t)(0x90 | x->channel), x->note, x->velocity}, 3};
    }
    smf_deinit(&smf);
    /* qsort is not stable: sort by time, then restore order among equal times by index. */
    for (size_t i = 1; i < k; i++) {   /* insertion sort: files are in time order already */
        Sync_msg v = m[i];
        size_t j = i;
        while (j > 0 && msg_cmp(&m[j - 1], &v) > 0) {
            m[j] = m[j - 1];
            j--;
        }
        m[j] = v;
    }
    free(s->file_in);
    s->file_in = m;
    s->n_file_in = (int)k;
    s->file_clock_pos = s->file_note_pos = 0;
    return 0;
}

double sync_input_end(const Sync *s)
{
    return s->n_file_in > 0 ? s->file_in[s->n_file_in - 1].time : 0.0;
}

/* ------------------------------------------------------------ audio thread -- */

/* Host time of an engine clock frame (the map is updated once per block in before()). */
static double host_of_frame(const Sync *s, int64_t frame)
{
    if (!s->host_now)
        return (double)frame / s->rate;
    return s->map_host + (double)(frame - s->map_frame) / s->rate;
}

/* Engine clock seconds of a host time at which a sound is heard. */
static double engine_of_host(const Sync *s, double host)
{
    if (!s->host_now)
        return host;
    return ((double)s->map_frame + (host - s->latency_s - s->map_host) * s->rate) / s->rate;
}

static void map_update(Sync *s, int64_t clock)
{
    if (!s->host_now)
        return;
    double now = s->host_now();
    if (!s->mapped) {
        s->mapped = 1;
        s->map_host = now;
        s->map_frame = clock;
        return;
    }
    double predicted = host_of_frame(s, clock);
    double error = now - predicted;
    s->map_host = predicted;
    s->map_frame = clock;
    if (fabs(error) > MAP_RESET_S)
        s->map_host = now;
    else
        s->map_host += MAP_GAIN * error;
}

static void out_push(Sync *s, double time, const uint8_t *bytes, int n)
{
    Sync_msg m = {time, {0}, (uint8_t)n};
    memcpy(m.bytes, bytes, (size_t)n);
    if (!ring_push(&s->out, &m))
        atomic_fetch_add_explicit(&s->pub_out_dropped, 1, memory_order_relaxed);
}

static void clock_before(Sync *s, const Engine_block *b, Engine_follow *f)
{
    double t0 = (double)b->clock / b->rate, t1 = (double)(b->clock + b->frames) / b->rate;
    /* Messages up to the block's end: from the file (known ahead), from the port (late). */
    while (s->file_clock_pos < s->n_file_in && s->file_in[s->file_clock_pos].time < t1) {
        const Sync_msg *m = &s->file_in[s->file_clock_pos++];
        if (m->bytes[0] >= 0xf0)
            midi_clock_in_feed(&s->follower, m->bytes, m->n, m->time);
    }
    Sync_msg m;
    while (ring_pop(&s->port_in, &m))
        midi_clock_in_feed(&s->follower, m.bytes, m.n, engine_of_host(s, m.time));
    double bpm = midi_clock_in_bpm(&s->follower);
    double fallback = b->frames_per_step > 0 ? b->rate * 60.0 / (b->frames_per_step * 4) : 120.0;
    f->active = 1;
    f->bpm = bpm;
    f->playing = midi_clock_in_running(&s->follower);
    if (f->playing) {
        if (s->follower.starts != s->starts_seen) {
            s->starts_seen = s->follower.starts;
            f->restart = 1;
        }
        f->have_step = 1;
        f->step = midi_clock_in_beat(&s->follower, t0, fallback) * 4.0;
    }
    atomic_store_explicit(&s->pub_bpm_bits, float_bits((float)bpm), memory_order_relaxed);
    atomic_store_explicit(&s->pub_running, f->playing, memory_order_relaxed);
    atomic_store_explicit(&s->pub_lost, midi_clock_in_lost(&s->follower, t0), memory_order_relaxed);
}

static void link_before(Sync *s, const Engine_block *b, Engine_follow *f)
{
    double heard = host_of_frame(s, b->clock) + s->latency_s;
    double beat = 0, bpm = 0;
    int playing = 0;
    s->link.audio_capture(s->link.user, heard, SYNC_QUANTUM, &beat, &bpm, &playing);
    if (s->start_stop_sync) {
        if (b->started && !playing) {
            s->link.audio_set_playing(s->link.user, 1, heard);
            playing = 1;
        } else if (b->stopped && playing) {
            s->link.audio_set_playing(s->link.user, 0, heard);
            playing = 0;
        }
    } else {
        playing = b->playing;
    }
    f->active = 1;
    f->bpm = bpm;
    f->playing = playing;
    if (playing && (!s->link_rolling || b->started)) {
        /* Start on the next bar line of the session's timeline. */
        s->link_origin = ceil(beat / SYNC_QUANTUM - 1e-6) * SYNC_QUANTUM;
        s->link_rolling = 1;
        f->restart = 1;
    }
    if (!playing)
        s->link_rolling = 0;
    if (playing) {
        f->have_step = 1;
        f->step = (beat - s->link_origin) * 4.0;
    }
    s->block_beat = beat;
    s->block_bpm = bpm;
    atomic_store_explicit(&s->pub_bpm_bits, float_bits((float)bpm), memory_order_relaxed);
    atomic_store_explicit(&s->pub_running, playing, memory_order_relaxed);
}

static void hook_before(void *user, const Engine_block *b, Engine_follow *f)
{
    Sync *s = user;
    map_update(s, b->clock);
    Sync_source src = sync_source_now(s);
    if (src == SYNC_CLOCK)
        clock_before(s, b, f);
    else if (src == SYNC_LINK && s->link.audio_capture)
        link_before(s, b, f);
    else
        s->link_rolling = 0;
}

/* Link: the session's beat where each loop of this block starts (for the loop lines). */
static void link_loop_beats(Sync *s, const Engine_block *b)
{
    if (!b->playing || !(b->frames_per_step > 0))
        return;
    double end = b->step + b->frames / b->frames_per_step;
    double first = ceil(b->step / HVO_STEPS) * HVO_STEPS;
    for (double at = first < 0 ? 0 : first; at < end; at += HVO_STEPS) {
        double seconds = (at - b->step) * b->frames_per_step / b->rate;
        double beat = s->block_beat + seconds * s->block_bpm / 60.0;
        int64_t loop = (int64_t)llround(at / HVO_STEPS);
        int slot = (int)(loop % 8);
        atomic_store_explicit(&s->pub_loop_beat_q[slot], (long long)llround(beat * LOOP_BEAT_SCALE), memory_order_relaxed);
        atomic_store_explicit(&s->pub_loop_idx[slot], loop, memory_order_release);
    }
}

static void hook_after(void *user, const Engine_block *b)
{
    Sync *s = user;
    double t0 = (double)b->clock / b->rate, t1 = (double)(b->clock + b->frames) / b->rate;
    if (sync_source_now(s) == SYNC_LINK)
        link_loop_beats(s, b);
    /* Notes from the file in: taps at their exact step positions. */
    while (s->file_note_pos < s->n_file_in && s->file_in[s->file_note_pos].time < t1) {
        const Sync_msg *m = &s->file_in[s->file_note_pos++];
        if ((m->bytes[0] & 0xf0) != 0x90 || m->bytes[2] == 0)
            continue;
        Sync_tap tap = {b->playing && b->frames_per_step > 0 ? b->step + (m->time - t0) * b->rate / b->frames_per_step : 0,
                        m->bytes[2] / 127.0f, m->bytes[1]};
        ring_push(&s->taps, &tap);
    }
    if (!s->want_out)
        return;
    /* MIDI clock out from the block's transport. */
    Midi_clock_msg cm[64];
    int k = midi_clock_out_block(&s->gen, b->playing, b->started, b->step, b->frames_per_step, b->frames, cm, 64);
    for (int i = 0; i < k; i++)
        out_push(s, t0 + cm[i].frame / b->rate, cm[i].bytes, cm[i].n);
    /* Notes (the file): each scheduled hit at its frame, without the audio offset. */
    if (s->out_notes) {
        for (int i = 0; i < b->n_events; i++) {
            const Engine_event *ev = &b->events[i];
            if (!(b->audible >> ev->voice & 1u))
                continue;
            double t = (double)(b->clock + (ev->frame - b->frame) - b->audio_offset) / b->rate;
            int vel = (int)(ev->velocity * 127.0f + 0.5f);
            uint8_t on[3] = {0x90 | SMF_DRUM_CHANNEL, (uint8_t)voice_gm_note(ev->voice), (uint8_t)(vel < 1 ? 1 : vel > 127 ? 127 : vel)};
            out_push(s, t, on, 3);
        }
    }
    s->end_time = t1;
}

Engine_hook sync_hook(Sync *s)
{
    Engine_hook h = {hook_before, hook_after, s};
    return h;
}

void sync_port_in(Sync *s, const uint8_t *bytes, int n, double t)
{
    if (n < 1 || n > 3)
        return;
    Sync_msg m = {t, {0}, (uint8_t)n};
    memcpy(m.bytes, bytes, (size_t)n);
    ring_push(&s->port_in, &m);
}

/* ------------------------------------------------------------ control thread -- */

static void record(Sync *s, const Sync_msg *m)
{
    if (s->n_rec == s->cap_rec) {
        int cap = s->cap_rec ? 2 * s->cap_rec : 4096;
        Sync_msg *r = realloc(s->rec, sizeof *r * (size_t)cap);
        if (!r) {
            s->rec_oom = 1;
            return;
        }
        s->rec = r;
        s->cap_rec = cap;
    }
    s->rec[s->n_rec++] = *m;
}

/* One message out: to the file (engine time + MIDI offset) and, clock only, to the port. */
static void dispatch(Sync *s, Sync_msg m)
{
    double offset = s->midi_offset_ms * 0.001;
    if (s->record_out) {
        Sync_msg r = m;
        r.time += offset;
        if (r.time < 0)
            r.time = 0;
        record(s, &r);
    }
    if (s->port_send && m.bytes[0] >= 0xf0)
        s->port_send(s->port_user, m.bytes, m.n, host_of_frame(s, (int64_t)llround(m.time * s->rate)) + s->latency_s + offset);
}

void sync_flush_out(Sync *s)
{
    Sync_msg m;
    while (ring_pop(&s->out, &m))
        dispatch(s, m);
}

void sync_tick(Sync *s, Instrument *in)
{
    Sync_tap tap;
    while (ring_pop(&s->taps, &tap)) {
        in->tap_note = tap.note;   /* a MIDI tap: --tap-sound note plays its GM voice */
        instrument_tap_at(in, tap.velocity, tap.step);
        in->tap_note = -1;
    }
    sync_flush_out(s);
    float session_bpm = in->session.settings.bpm;
    for (int i = 0; i < s->n_bpm_at; i++) {
        Sync_bpm_at *a = &s->bpm_at[i];
        if (!a->done && in->pos.playing && in->pos.step >= 0 && in->pos.loop >= a->loop) {
            a->done = 1;
            instrument_set_bpm(in, a->bpm);
            instrument_message(in, "tempo %.1f BPM (--bpm-at)", in->session.settings.bpm);
        }
    }
    session_bpm = in->session.settings.bpm;
    Sync_source src = sync_source_now(s);
    if (src == SYNC_LINK && s->link.tempo) {
        double lt = s->link.tempo(s->link.user);
        if (session_bpm != s->bpm_seen && s->bpm_seen != 0) {
            /* Changed here: the session follows. */
            s->link.set_tempo(s->link.user, session_bpm);
            s->bpm_seen = session_bpm;
        } else if (lt > 0 && fabs(lt - session_bpm) > 1e-3) {
            instrument_follow_bpm(in, (float)lt);
            s->bpm_seen = in->session.settings.bpm;
        } else {
            s->bpm_seen = session_bpm;
        }
    } else if (src == SYNC_CLOCK) {
        float bpm = bits_float(atomic_load_explicit(&s->pub_bpm_bits, memory_order_relaxed));
        if (bpm > 0 && fabsf(bpm - session_bpm) > 0.005f)
            instrument_follow_bpm(in, bpm);
    }
}

void sync_report(Sync *s, Loop_report *r, int64_t loop)
{
    Sync_source src = sync_source_now(s);
    r->sync = sync_source_name(src);
    if (src == SYNC_LINK) {
        r->link_peers = s->link.peers ? s->link.peers(s->link.user) : 0;
        int slot = (int)(loop % 8);
        if (atomic_load_explicit(&s->pub_loop_idx[slot], memory_order_acquire) == loop)
            r->link_beat = (double)atomic_load_explicit(&s->pub_loop_beat_q[slot], memory_order_relaxed) / LOOP_BEAT_SCALE;
    }
    if (src == SYNC_CLOCK)
        r->sync_lost = atomic_load_explicit(&s->pub_lost, memory_order_relaxed);
}

void sync_source_status(Sync *s, char *buf, size_t n)
{
    float bpm = bits_float(atomic_load_explicit(&s->pub_bpm_bits, memory_order_relaxed));
    switch (sync_source_now(s)) {
    case SYNC_LINK:
        snprintf(buf, n, "link %d peer%s %.1f BPM", s->link.peers ? s->link.peers(s->link.user) : 0,
                 s->link.peers && s->link.peers(s->link.user) == 1 ? "" : "s",
                 s->link.tempo ? s->link.tempo(s->link.user) : (double)bpm);
        break;
    case SYNC_CLOCK:
        if (atomic_load_explicit(&s->pub_lost, memory_order_relaxed))
            snprintf(buf, n, "clock lost: holding %.1f BPM", bpm);
        else if (bpm > 0)
            snprintf(buf, n, "clock %.1f BPM%s", bpm, atomic_load(&s->pub_running) ? "" : " (stopped)");
        else
            snprintf(buf, n, "clock: waiting for pulses");
        break;
    default:
        snprintf(buf, n, "internal");
        break;
    }
}

/* An offset in ms as set: "+20", "-7.5". */
static void offset_text(float ms, char *buf, size_t n)
{
    snprintf(buf, n, ms == roundf(ms) ? "%+.0f" : "%+.1f", ms);
}

void sync_offset_status(const Sync *s, int compact, char *buf, size_t n)
{
    if (n > 0)
        buf[0] = 0;
    if (s->audio_offset_ms == 0 && s->midi_offset_ms == 0)
        return;
    char a[16], m[16];
    offset_text(s->audio_offset_ms, a, sizeof a);
    offset_text(s->midi_offset_ms, m, sizeof m);
    if (compact)
        snprintf(buf, n, "offset %s/%s ms", a, m);
    else
        snprintf(buf, n, "offset audio %s ms midi %s ms", a, m);
}

void sync_status(Sync *s, char *buf, size_t n)
{
    char offsets[64];
    sync_source_status(s, buf, n);
    sync_offset_status(s, 0, offsets, sizeof offsets);
    size_t len = strlen(buf);
    if (offsets[0] && len < n)
        snprintf(buf + len, n - len, ", %s", offsets);
}

int sync_write_midi_out(Sync *s, const char *path, char *err, size_t errlen)
{
    sync_flush_out(s);
    Midi_clock_msg stop;
    if (s->want_out && midi_clock_out_finish(&s->gen, &stop)) {
        Sync_msg x = {s->end_time, {stop.bytes[0], 0, 0}, 1};
        dispatch(s, x);
    }
    if (!path)
        return 0;
    if (s->rec_oom) {
        return error_set(err, errlen, "out of memory collecting MIDI out");
    }
    int notes = 0, escapes = 0;
    for (int i = 0; i < s->n_rec; i++) {
        if (s->rec[i].bytes[0] >= 0xf0)
            escapes++;
        else
            notes += 2;
    }
    Smf smf;
    memset(&smf, 0, sizeof smf);
    Smf_tempo tempo = {0, 500000};
    Smf_time_sig sig = {0, 4, 4};
    smf.ppq = SYNC_FILE_RATE / 2;   /* 120 BPM: a quarter lasts 0.5 s */
    smf.tempos = &tempo;
    smf.n_tempos = 1;
    smf.time_sigs = &sig;
    smf.n_time_sigs = 1;
    smf.notes = calloc(notes ? (size_t)notes : 1, sizeof *smf.notes);
    smf.escapes = calloc(escapes ? (size_t)escapes : 1, sizeof *smf.escapes);
    if (!smf.notes || !smf.escapes) {
        free(smf.notes);
        free(smf.escapes);
        return error_set(err, errlen, "out of memory");
    }
    uint32_t end = 0;
    for (int i = 0; i < s->n_rec; i++) {
        const Sync_msg *r = &s->rec[i];
        double ticks = r->time * SYNC_FILE_RATE;
        uint32_t tick = ticks < 0 ? 0 : ticks > SMF_MAX_TICK / 2 ? SMF_MAX_TICK / 2 : (uint32_t)llround(ticks);
        if (r->bytes[0] >= 0xf0) {
            Smf_escape *x = &smf.escapes[smf.n_escapes++];
            x->tick = tick;
            x->n = r->n;
            memcpy(x->bytes, r->bytes, r->n);
        } else {
            uint32_t off = tick + (uint32_t)(SYNC_NOTE_LENGTH_S * SYNC_FILE_RATE);
            smf.notes[smf.n_notes++] = (Smf_note){tick, 0, (uint8_t)(r->bytes[0] & 0x0f), r->bytes[1], r->bytes[2], 1};
            smf.notes[smf.n_notes++] = (Smf_note){off, 0, (uint8_t)(r->bytes[0] & 0x0f), r->bytes[1], 0, 0};
            if (off > end)
                end = off;
        }
        if (tick > end)
            end = tick;
    }
    smf.end_tick = end;
    char why[256];
    int rc = smf_write_file(&smf, path, why, sizeof why);
    free(smf.notes);
    free(smf.escapes);
    if (rc != 0) {
        return error_set(err, errlen, "cannot write MIDI out file '%s': %s", path, why);
    }
    return 0;
}
