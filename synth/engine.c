/* engine.c - sequencer, voices and mixer of the sample player (see engine.h). */
#include "engine.h"

#include <math.h>
#include <string.h>

#include <stdlib.h>

#include "clamp.h"
#include "drumsynth.h"
#include "kit.h"

/* ---- commands: control thread -> audio thread ---- */

typedef enum {
    ENGINE_CMD_PLAY,
    ENGINE_CMD_STOP,
    ENGINE_CMD_BPM,
    ENGINE_CMD_SWING,
    ENGINE_CMD_GAIN,
    ENGINE_CMD_PAN,
    ENGINE_CMD_MUTE,
    ENGINE_CMD_SOLO,
    ENGINE_CMD_CHOKE,
    ENGINE_CMD_MASTER,
    ENGINE_CMD_HIT,
    ENGINE_CMD_CLICK,
    ENGINE_CMD_CLICK_LEVEL,
    ENGINE_CMD_RESPOND,
    ENGINE_CMD_OFFSET
} Engine_command_type;

typedef struct {
    Engine_command_type type;
    int voice;
    float value;
} Engine_command;

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

/* Packs the pattern hand-off state: pending and current slot, each -1..2. */
static int slot_pack(int pending, int current)
{
    return (pending + 1) | ((current + 1) << 4);
}

static int slot_pending(int state) { return (state & 15) - 1; }
static int slot_current(int state) { return ((state >> 4) & 15) - 1; }

/* Sends one command; counts it as dropped when the ring is full. */
static int engine_send(Engine *e, Engine_command_type type, int voice, float value)
{
    Engine_command c = {type, voice, value};
    if (ring_push(&e->commands, &c))
        return 1;
    atomic_fetch_add(&e->dropped_commands, 1);
    return 0;
}

double engine_frames_per_step(int rate, float bpm)
{
    return (double)rate * 60.0 / ((double)bpm * HVO_STEPS_PER_BEAT);
}

/* ---- control thread ---- */

int engine_init(Engine *e, int rate, const Kit *kit)
{
    memset(e, 0, sizeof *e);
    if (rate <= 0 || ring_init(&e->commands, sizeof(Engine_command), ENGINE_RING_SIZE) != 0)
        return -1;
    e->rate = rate;
    for (int v = 0; v < HVO_VOICES; v++) {
        Engine_voice_settings s = {1.0f, 0.0f, 0, 0, 0};
        if (v == VOICE_CLOSED_HAT || v == VOICE_OPEN_HAT)
            s.choke_group = 1;
        e->ctl_voice[v] = s;
        e->voice[v] = s;
        e->mix_left[v] = e->mix_right[v] = ENGINE_DEFAULT_MASTER; /* centre pan, unity gain */
    }
    e->ctl_bpm = e->bpm = 120.0f;
    e->ctl_swing = e->swing = 0.0f;
    e->ctl_master = e->master = ENGINE_DEFAULT_MASTER;
    e->frames_per_step = engine_frames_per_step(rate, e->bpm);
    e->current = -1;
    e->respond = e->ctl_respond = HVO_STEPS;
    e->click_level = e->ctl_click_level = ENGINE_DEFAULT_CLICK_LEVEL;
    e->click_frames = (int)(DRUMSYNTH_CLICK_SECONDS * rate) + 1;
    for (int k = 0; k < 2; k++) {
        e->click_sound[k] = malloc(sizeof(float) * (size_t)e->click_frames);
        if (!e->click_sound[k]) {
            engine_deinit(e);
            return -1;
        }
        drumsynth_click(e->click_sound[k], e->click_frames, rate, k);
    }
    e->click_pos = e->click_frames;
    atomic_init(&e->pub_clock, 0);
    atomic_init(&e->slot_state, slot_pack(-1, -1));
    atomic_init(&e->kit_next, kit);
    atomic_init(&e->kit_active, kit);
    e->kit = kit;
    atomic_init(&e->pub_frame, 0);
    atomic_init(&e->pub_step_q, 0);
    atomic_init(&e->pub_playing, 0);
    atomic_init(&e->pub_serial, 0);
    atomic_init(&e->pub_voices, 0);
    atomic_init(&e->pub_bpm_bits, float_bits(e->bpm));
    atomic_init(&e->xruns, 0);
    atomic_init(&e->callbacks, 0);
    atomic_init(&e->dropped_commands, 0);
    atomic_init(&e->dropped_events, 0);
    atomic_init(&e->load_bits, 0);
    atomic_init(&e->load_max_bits, 0);
    atomic_init(&e->load_avg_bits, 0);
    return 0;
}

void engine_deinit(Engine *e)
{
    ring_deinit(&e->commands);
    for (int k = 0; k < 2; k++) {
        free(e->click_sound[k]);
        e->click_sound[k] = NULL;
    }
}

void engine_set_pattern(Engine *e, const Hvo *p)
{
    int state = atomic_load_explicit(&e->slot_state, memory_order_acquire);
    for (;;) {
        int pending = slot_pending(state), current = slot_current(state);
        int slot = 0;
        while (slot == pending || slot == current)
            slot++;
        /* The audio thread reads only the current slot, and a slot becomes current only
         * after it was pending: this one is ours until the exchange below publishes it. */
        e->slots[slot] = *p;
        if (atomic_compare_exchange_strong_explicit(&e->slot_state, &state, slot_pack(slot, current),
                                                    memory_order_acq_rel, memory_order_acquire))
            return;
        /* The audio thread took the pending slot meanwhile: state now holds the new state. */
    }
}

int engine_play(Engine *e) { return engine_send(e, ENGINE_CMD_PLAY, 0, 0); }
int engine_play_from(Engine *e, double start)
{
    return engine_send(e, ENGINE_CMD_PLAY, 0, isfinite(start) ? (float)start : 0.0f);
}

int engine_set_click(Engine *e, int on)
{
    e->ctl_click = !!on;
    return engine_send(e, ENGINE_CMD_CLICK, 0, (float)!!on);
}

int engine_set_click_level(Engine *e, float gain)
{
    e->ctl_click_level = clampf(gain, 0.0f, 4.0f);
    return engine_send(e, ENGINE_CMD_CLICK_LEVEL, 0, e->ctl_click_level);
}

int engine_set_respond(Engine *e, int steps)
{
    e->ctl_respond = steps == 4 || steps == 16 ? steps : HVO_STEPS;
    return engine_send(e, ENGINE_CMD_RESPOND, 0, (float)e->ctl_respond);
}
int engine_stop(Engine *e) { return engine_send(e, ENGINE_CMD_STOP, 0, 0); }

int engine_set_bpm(Engine *e, float bpm)
{
    e->ctl_bpm = clampf(bpm, 20.0f, 400.0f);
    return engine_send(e, ENGINE_CMD_BPM, 0, e->ctl_bpm);
}

int engine_set_swing(Engine *e, float swing)
{
    e->ctl_swing = clampf(swing, 0.0f, 0.5f);
    return engine_send(e, ENGINE_CMD_SWING, 0, e->ctl_swing);
}

static int voice_ok(int voice) { return voice >= 0 && voice < HVO_VOICES; }

int engine_set_gain(Engine *e, int voice, float gain)
{
    if (!voice_ok(voice))
        return 0;
    e->ctl_voice[voice].gain = clampf(gain, 0.0f, 4.0f);
    return engine_send(e, ENGINE_CMD_GAIN, voice, e->ctl_voice[voice].gain);
}

int engine_set_pan(Engine *e, int voice, float pan)
{
    if (!voice_ok(voice))
        return 0;
    e->ctl_voice[voice].pan = clampf(pan, -1.0f, 1.0f);
    return engine_send(e, ENGINE_CMD_PAN, voice, e->ctl_voice[voice].pan);
}

int engine_set_mute(Engine *e, int voice, int mute)
{
    if (!voice_ok(voice))
        return 0;
    e->ctl_voice[voice].mute = !!mute;
    return engine_send(e, ENGINE_CMD_MUTE, voice, (float)!!mute);
}

int engine_set_solo(Engine *e, int voice, int solo)
{
    if (!voice_ok(voice))
        return 0;
    e->ctl_voice[voice].solo = !!solo;
    return engine_send(e, ENGINE_CMD_SOLO, voice, (float)!!solo);
}

int engine_set_choke(Engine *e, int voice, int group)
{
    if (!voice_ok(voice) || group < 0)
        return 0;
    e->ctl_voice[voice].choke_group = group;
    return engine_send(e, ENGINE_CMD_CHOKE, voice, (float)group);
}

int engine_set_master(Engine *e, float gain)
{
    e->ctl_master = clampf(gain, 0.0f, 4.0f);
    return engine_send(e, ENGINE_CMD_MASTER, 0, e->ctl_master);
}

int engine_set_offset(Engine *e, float ms)
{
    return engine_send(e, ENGINE_CMD_OFFSET, 0, clampf(ms, -50.0f, 50.0f));
}

void engine_set_hook(Engine *e, const Engine_hook *hook)
{
    if (hook)
        e->hook = *hook;
    else
        memset(&e->hook, 0, sizeof e->hook);
}

int engine_hit(Engine *e, int voice, float velocity)
{
    if (!voice_ok(voice))
        return 0;
    return engine_send(e, ENGINE_CMD_HIT, voice, clampf(velocity, 0.0f, 1.0f));
}

int engine_hit_click(Engine *e) { return engine_send(e, ENGINE_CMD_HIT, HVO_VOICES, 1.0f); }

void engine_set_kit(Engine *e, const Kit *kit)
{
    atomic_store_explicit(&e->kit_next, kit, memory_order_release);
}

const Kit *engine_kit_in_use(Engine *e)
{
    return atomic_load_explicit(&e->kit_active, memory_order_acquire);
}

float engine_get_bpm(const Engine *e) { return e->ctl_bpm; }
float engine_get_swing(const Engine *e) { return e->ctl_swing; }
float engine_get_master(const Engine *e) { return e->ctl_master; }
float engine_get_gain(const Engine *e, int voice) { return voice_ok(voice) ? e->ctl_voice[voice].gain : 0.0f; }
int engine_get_mute(const Engine *e, int voice) { return voice_ok(voice) ? e->ctl_voice[voice].mute : 0; }
int engine_get_solo(const Engine *e, int voice) { return voice_ok(voice) ? e->ctl_voice[voice].solo : 0; }
int engine_get_click(const Engine *e) { return e->ctl_click; }
float engine_get_click_level(const Engine *e) { return e->ctl_click_level; }
int engine_get_respond(const Engine *e) { return e->ctl_respond; }

/* ---- audio thread ---- */

/* Starts one hit now: takes a free slot of its voice (or the oldest), chokes its group. */
static void engine_start_hit(Engine *e, int voice, float velocity)
{
    if (!e->kit || velocity <= 0.0f)
        return;
    const Kit_layer *layer = kit_pick_layer(e->kit, voice, velocity);
    if (!layer || layer->frames <= 0)
        return;
    int group = e->voice[voice].choke_group;
    if (group > 0) {
        float step = (float)(1.0 / (ENGINE_CHOKE_FADE_S * e->rate));
        for (int u = 0; u < HVO_VOICES; u++) {
            if (u == voice || e->voice[u].choke_group != group)
                continue;
            for (int i = 0; i < ENGINE_SLOTS; i++) {
                Engine_play *p = &e->play[u][i];
                if (p->pos < p->length && p->fade_step == 0.0f)
                    p->fade_step = step;
            }
        }
    }
    Engine_play *slot = NULL;
    for (int i = 0; i < ENGINE_POLYPHONY && !slot; i++)
        if (e->play[voice][i].pos >= e->play[voice][i].length)
            slot = &e->play[voice][i];
    if (!slot) {
        /* All busy: take the oldest (it has decayed most); it finishes in the fade slot. */
        slot = &e->play[voice][0];
        for (int i = 1; i < ENGINE_POLYPHONY; i++)
            if (e->play[voice][i].age < slot->age)
                slot = &e->play[voice][i];
        Engine_play *tail = &e->play[voice][ENGINE_POLYPHONY];
        *tail = *slot;
        float step = (float)(1.0 / (ENGINE_CHOKE_FADE_S * e->rate));
        if (tail->fade_step < step)
            tail->fade_step = step;
    }
    slot->data = layer->data;
    slot->length = layer->frames;
    slot->pos = 0;
    slot->age = e->clock;
    slot->gain = powf(velocity, ENGINE_VELOCITY_CURVE) * layer->gain;
    slot->fade = 1.0f;
    slot->fade_step = 0.0f;
}

/* Resets the transport to step position `start` at frame 0. */
static void engine_rewind(Engine *e, double start)
{
    e->frame = 0;
    e->base_frame = 0;
    e->base_step = start;
    e->next_step = (int64_t)ceil(start - 0.5);
    e->n_events = 0;
    e->n_click = 0;
}

/* Step position (fractional) at a transport frame, under the tempo in force. */
static double engine_step_at(const Engine *e, int64_t frame)
{
    return e->base_step + (double)(frame - e->base_frame) / e->frames_per_step;
}

/* Sets the tempo from the block's first frame on, keeping the step position there. */
static void engine_retempo(Engine *e, float bpm)
{
    double step = engine_step_at(e, e->frame);
    e->bpm = bpm;
    e->base_frame = e->frame;
    e->base_step = step;
    e->frames_per_step = engine_frames_per_step(e->rate, e->bpm);
}

static void engine_apply(Engine *e, const Engine_command *c)
{
    switch (c->type) {
    case ENGINE_CMD_PLAY:
        engine_rewind(e, c->value);
        e->playing = 1;
        e->cmd_started = 1;
        e->cmd_stopped = 0;
        break;
    case ENGINE_CMD_STOP:
        e->playing = 0;
        e->n_events = 0;
        e->n_click = 0;
        e->cmd_stopped = 1;
        e->cmd_started = 0;
        break;
    case ENGINE_CMD_CLICK: e->click_on = c->value != 0.0f; break;
    case ENGINE_CMD_CLICK_LEVEL: e->click_level = c->value; break;
    case ENGINE_CMD_RESPOND: e->respond = (int)c->value; break;
    case ENGINE_CMD_OFFSET: e->offset_frames = (int64_t)llround(c->value * 0.001 * e->rate); break;
    case ENGINE_CMD_BPM: engine_retempo(e, c->value); break;
    case ENGINE_CMD_SWING: e->swing = c->value; break;
    case ENGINE_CMD_GAIN: e->voice[c->voice].gain = c->value; break;
    case ENGINE_CMD_PAN: e->voice[c->voice].pan = c->value; break;
    case ENGINE_CMD_MUTE: e->voice[c->voice].mute = c->value != 0.0f; break;
    case ENGINE_CMD_SOLO: e->voice[c->voice].solo = c->value != 0.0f; break;
    case ENGINE_CMD_CHOKE: e->voice[c->voice].choke_group = (int)c->value; break;
    case ENGINE_CMD_MASTER: e->master = c->value; break;
    case ENGINE_CMD_HIT: {
        if (c->voice == HVO_VOICES) { /* the click (engine_hit_click) */
            e->click_which = 0;
            e->click_pos = 0;
            break;
        }
        const Engine_voice_settings *s = &e->voice[c->voice];
        if (!s->mute)
            engine_start_hit(e, c->voice, c->value);
        break;
    }
    }
}

/* The block as the hook sees it. */
static Engine_block engine_block(const Engine *e, int frames)
{
    int any_solo = 0;
    for (int v = 0; v < HVO_VOICES; v++)
        any_solo |= e->voice[v].solo;
    unsigned audible = 0;
    for (int v = 0; v < HVO_VOICES; v++)
        if (!e->voice[v].mute && (!any_solo || e->voice[v].solo))
            audible |= 1u << v;
    Engine_block b = {e->clock, e->frame, frames, e->rate, e->playing, e->cmd_started, e->cmd_stopped,
                      engine_step_at(e, e->frame), e->frames_per_step, e->offset_frames, audible, NULL, 0};
    return b;
}

/* Asks the hook how to play this block and follows it. */
static void engine_follow(Engine *e, int frames)
{
    Engine_block b = engine_block(e, frames);
    Engine_follow f = {0, -1, 0, 0.0, 0, 0.0};
    e->hook.before(e->hook.user, &b, &f);
    if (!f.active)
        return;
    if (f.bpm > 0 && (float)f.bpm != e->bpm)
        engine_retempo(e, clampf((float)f.bpm, 20.0f, 400.0f));
    int start = (f.playing == 1 && !e->playing) || (f.restart && (e->playing || f.playing == 1));
    if (start) {
        /* From the step the source gives (or 0 while it is still ahead: no count-in clicks). */
        engine_rewind(e, f.have_step && f.step > 0 ? f.step : 0.0);
        e->playing = 1;
        e->cmd_started = 1;
        e->cmd_stopped = 0;
    } else if (f.playing == 0 && e->playing) {
        e->playing = 0;
        e->n_events = 0;
        e->cmd_stopped = 1;
    }
    if (e->playing && f.have_step) {
        e->base_frame = e->frame;
        e->base_step = f.step;
    }
}

/* Takes the pending pattern over, if any. */
static void engine_take_pattern(Engine *e)
{
    int state = atomic_load_explicit(&e->slot_state, memory_order_acquire);
    while (slot_pending(state) >= 0) {
        int pending = slot_pending(state);
        if (atomic_compare_exchange_weak_explicit(&e->slot_state, &state, slot_pack(-1, pending),
                                                  memory_order_acq_rel, memory_order_acquire)) {
            e->current = pending;
            e->serial++;
            return;
        }
    }
}

/* Queues one hit of absolute step n (grid line with swing) at its exact frame. */
static void engine_queue_hit(Engine *e, int64_t n, int s, int voice, float vel, float offset)
{
    if (vel <= 0.0f)
        return;
    double grid = (double)n + ((s & 1) ? e->swing : 0.0);
    double pos = grid + clampf(offset, -0.5f, 0.5f);
    int64_t frame = e->base_frame + (int64_t)llround((pos - e->base_step) * e->frames_per_step) + e->offset_frames;
    if (frame < e->frame)
        frame = e->frame; /* too late to be exact (transport start, tempo change): now */
    if (e->n_events >= ENGINE_MAX_EVENTS) {
        atomic_fetch_add_explicit(&e->dropped_events, 1, memory_order_relaxed);
        return;
    }
    e->events[e->n_events++] = (Engine_event){frame, voice, vel};
}

/* Queues the click tick of absolute step n when it is a beat (accent on a bar's first beat):
 * always in the count-in (n < 0), otherwise when the click is on. */
static void engine_queue_click(Engine *e, int64_t n)
{
    int64_t in_bar = ((n % HVO_STEPS_PER_BAR) + HVO_STEPS_PER_BAR) % HVO_STEPS_PER_BAR;
    if (in_bar % HVO_STEPS_PER_BEAT != 0 || !(e->click_on || n < 0) || e->n_click >= ENGINE_CLICK_EVENTS)
        return;
    int64_t frame = e->base_frame + (int64_t)llround(((double)n - e->base_step) * e->frames_per_step) + e->offset_frames;
    if (frame < e->frame)
        frame = e->frame;
    e->click_at[e->n_click] = frame;
    e->click_accent[e->n_click] = in_bar == 0;
    e->n_click++;
}

/* Queues the hits of absolute step n (and its click). When step n+1 is a splice point (every
 * `respond` steps), a pending pattern is latched here and step n follows the splice rule
 * (engine.h): per voice, from the new pattern when it has a hit on n or n+1, else from the old. */
static void engine_schedule_step(Engine *e, int64_t n)
{
    int s = (int)(((n % HVO_STEPS) + HVO_STEPS) % HVO_STEPS);
    engine_queue_click(e, n);
    if ((s + 1) % e->respond == 0) {
        float old_row[HVO_VOICES][3] = {{0}};
        int had_old = e->current >= 0;
        if (had_old) /* copied now: once the new one is latched, the old slot may be rewritten */
            for (int v = 0; v < HVO_VOICES; v++) {
                const Hvo *p = &e->slots[e->current];
                old_row[v][0] = hvo_hit(p, s, v);
                old_row[v][1] = hvo_vel(p, s, v);
                old_row[v][2] = hvo_off(p, s, v);
            }
        uint64_t before = e->serial;
        engine_take_pattern(e);
        if (e->serial != before && had_old) {
            if (n < 0)
                return;
            const Hvo *p = &e->slots[e->current];
            int next = (s + 1) % HVO_STEPS;
            for (int v = 0; v < HVO_VOICES; v++) {
                int take_new = hvo_hit(p, s, v) >= 0.5f || hvo_hit(p, next, v) >= 0.5f;
                if (take_new && hvo_hit(p, s, v) >= 0.5f)
                    engine_queue_hit(e, n, s, v, hvo_vel(p, s, v), hvo_off(p, s, v));
                else if (!take_new && old_row[v][0] >= 0.5f)
                    engine_queue_hit(e, n, s, v, old_row[v][1], old_row[v][2]);
            }
            return;
        }
    }
    if (n < 0 || e->current < 0)
        return;
    const Hvo *p = &e->slots[e->current];
    for (int v = 0; v < HVO_VOICES; v++)
        if (hvo_hit(p, s, v) >= 0.5f)
            engine_queue_hit(e, n, s, v, hvo_vel(p, s, v), hvo_off(p, s, v));
}

/* Mixes the sounding click tick into out[at .. at + frames) (stereo, adding). */
static void engine_mix_click(Engine *e, float *out, int at, int frames)
{
    if (e->click_pos >= e->click_frames)
        return;
    const float *src = e->click_sound[e->click_which] + e->click_pos;
    int n = e->click_frames - e->click_pos;
    if (n > frames)
        n = frames;
    float g = e->click_level;
    for (int k = 0; k < n; k++) {
        out[2 * (at + k)] += g * src[k];
        out[2 * (at + k) + 1] += g * src[k];
    }
    e->click_pos += n;
}

/* Mixes every sounding hit into out[0 .. frames) (stereo, adding), with the voice gains
 * ramping from mix_* to target over the block's full length `total`, starting at `at`. */
static void engine_mix(Engine *e, float *out, int at, int frames, int total,
                       const float *target_left, const float *target_right)
{
    for (int v = 0; v < HVO_VOICES; v++) {
        float l0 = e->mix_left[v], r0 = e->mix_right[v];
        float dl = (target_left[v] - l0) / (float)total, dr = (target_right[v] - r0) / (float)total;
        for (int i = 0; i < ENGINE_SLOTS; i++) {
            Engine_play *p = &e->play[v][i];
            if (p->pos >= p->length)
                continue;
            int n = p->length - p->pos;
            if (n > frames)
                n = frames;
            const float *src = p->data + p->pos;
            float *dst = out + 2 * at;
            float gl = l0 + dl * (float)at, gr = r0 + dr * (float)at;
            if (p->fade_step == 0.0f && dl == 0.0f && dr == 0.0f) {
                float a = p->gain * gl, b = p->gain * gr;
                for (int k = 0; k < n; k++) {
                    dst[2 * k] += a * src[k];
                    dst[2 * k + 1] += b * src[k];
                }
            } else {
                float fade = p->fade;
                for (int k = 0; k < n; k++) {
                    float x = p->gain * fade * src[k];
                    dst[2 * k] += x * (gl + dl * (float)k);
                    dst[2 * k + 1] += x * (gr + dr * (float)k);
                    fade -= p->fade_step;
                    if (fade <= 0.0f) {
                        fade = 0.0f;
                        n = k + 1;
                        p->pos = p->length - n; /* ends below */
                        break;
                    }
                }
                p->fade = fade;
            }
            p->pos += n;
        }
    }
}

/* Soft limiter: identity below the knee, a tanh shoulder above it, never reaching 1. */
static inline float engine_limit(float x)
{
    float a = fabsf(x);
    if (a <= ENGINE_LIMIT_KNEE)
        return x;
    const float room = 1.0f - ENGINE_LIMIT_KNEE;
    float y = ENGINE_LIMIT_KNEE + room * tanhf((a - ENGINE_LIMIT_KNEE) / room);
    if (y > 0.99997f)
        y = 0.99997f;
    return x < 0.0f ? -y : y;
}

/* The target gains of this block per voice (mute, solo, gain, constant-power pan) into tl, tr.
 * Returns whether any voice is soloed. */
static int engine_block_gains(const Engine *e, float tl[HVO_VOICES], float tr[HVO_VOICES])
{
    int any_solo = 0;
    for (int v = 0; v < HVO_VOICES; v++)
        any_solo |= e->voice[v].solo;
    for (int v = 0; v < HVO_VOICES; v++) {
        const Engine_voice_settings *s = &e->voice[v];
        float g = (s->mute || (any_solo && !s->solo)) ? 0.0f : s->gain * e->master;
        float angle = (s->pan + 1.0f) * 0.25f * 3.14159265f;
        tl[v] = g * cosf(angle) * 1.41421356f;
        tr[v] = g * sinf(angle) * 1.41421356f;
    }
    return any_solo;
}

/* Schedules every step whose earliest hit (half a step early) falls before block_end. */
static void engine_schedule_block(Engine *e, int64_t block_end)
{
    for (;;) {
        double earliest = (double)e->next_step - 0.5;
        int64_t f = e->base_frame + (int64_t)floor((earliest - e->base_step) * e->frames_per_step);
        if (f >= block_end)
            break;
        engine_schedule_step(e, e->next_step);
        e->next_step++;
    }
}

/* Publishes the block's state for other threads (engine_position, engine_stats). */
static void engine_publish(Engine *e)
{
    int active = 0;
    for (int v = 0; v < HVO_VOICES; v++)
        for (int i = 0; i < ENGINE_SLOTS; i++)
            active += e->play[v][i].pos < e->play[v][i].length;
    atomic_store_explicit(&e->pub_frame, e->frame, memory_order_relaxed);
    atomic_store_explicit(&e->pub_step_q, (long long)llround(engine_step_at(e, e->frame) * 65536.0),
                          memory_order_relaxed);
    atomic_store_explicit(&e->pub_playing, e->playing, memory_order_relaxed);
    atomic_store_explicit(&e->pub_serial, e->serial, memory_order_relaxed);
    atomic_store_explicit(&e->pub_voices, active, memory_order_relaxed);
    atomic_store_explicit(&e->pub_bpm_bits, float_bits(e->bpm), memory_order_relaxed);
    atomic_store_explicit(&e->pub_clock, e->clock, memory_order_relaxed);
    atomic_fetch_add_explicit(&e->callbacks, 1, memory_order_relaxed);
}

void engine_render(Engine *e, float *out, int frames)
{
    memset(out, 0, sizeof(float) * ENGINE_CHANNELS * (size_t)(frames > 0 ? frames : 0));
    if (frames <= 0)
        return;

    const Kit *kit = atomic_load_explicit(&e->kit_next, memory_order_acquire);
    if (kit != e->kit) {
        memset(e->play, 0, sizeof e->play);
        e->kit = kit;
        atomic_store_explicit(&e->kit_active, kit, memory_order_release);
    }
    Engine_command c;
    e->cmd_started = e->cmd_stopped = 0;
    while (ring_pop(&e->commands, &c))
        engine_apply(e, &c);
    if (e->hook.before)
        engine_follow(e, frames);
    if (!e->playing || e->current < 0)
        engine_take_pattern(e);

    float tl[HVO_VOICES], tr[HVO_VOICES];
    int any_solo = engine_block_gains(e, tl, tr);

    int64_t block_end = e->frame + frames;
    int events_before = e->n_events;
    if (e->playing)
        engine_schedule_block(e, block_end);
    if (e->hook.after) {
        Engine_block b = engine_block(e, frames);
        b.events = e->events + events_before;
        b.n_events = e->n_events - events_before;
        e->hook.after(e->hook.user, &b);
    }

    int pos = 0;
    while (pos < frames) {
        /* Start the events due now; find the next one inside the block. */
        int next = frames;
        for (int i = 0; i < e->n_events;) {
            int64_t rel = e->events[i].frame - e->frame;
            if (rel <= pos) {
                const Engine_event ev = e->events[i];
                e->events[i] = e->events[--e->n_events];
                const Engine_voice_settings *s = &e->voice[ev.voice];
                if (!s->mute && !(any_solo && !s->solo))
                    engine_start_hit(e, ev.voice, ev.velocity);
                continue;
            }
            if (rel < next)
                next = (int)rel;
            i++;
        }
        for (int i = 0; i < e->n_click;) {
            int64_t rel = e->click_at[i] - e->frame;
            if (rel <= pos) {
                e->click_which = e->click_accent[i];
                e->click_pos = 0;
                e->n_click--;
                e->click_at[i] = e->click_at[e->n_click];
                e->click_accent[i] = e->click_accent[e->n_click];
                continue;
            }
            if (rel < next)
                next = (int)rel;
            i++;
        }
        engine_mix(e, out, pos, next - pos, frames, tl, tr);
        engine_mix_click(e, out, pos, next - pos);
        pos = next;
    }
    for (int v = 0; v < HVO_VOICES; v++) {
        e->mix_left[v] = tl[v];
        e->mix_right[v] = tr[v];
    }
    for (int i = 0; i < ENGINE_CHANNELS * frames; i++)
        out[i] = engine_limit(out[i]);

    engine_publish(e);
    if (e->playing)
        e->frame = block_end;
    e->clock += frames;
}

/* ---- any thread ---- */

void engine_position(Engine *e, Engine_position *pos)
{
    pos->playing = atomic_load_explicit(&e->pub_playing, memory_order_relaxed);
    pos->frame = atomic_load_explicit(&e->pub_frame, memory_order_relaxed);
    pos->step = (double)atomic_load_explicit(&e->pub_step_q, memory_order_relaxed) / 65536.0;
    int64_t whole = (int64_t)floor(pos->step);
    if (whole < 0)
        whole = 0;
    pos->step_in_loop = (int)(whole % HVO_STEPS);
    pos->loop = whole / HVO_STEPS;
    pos->pattern_serial = atomic_load_explicit(&e->pub_serial, memory_order_relaxed);
    pos->bpm = bits_float(atomic_load_explicit(&e->pub_bpm_bits, memory_order_relaxed));
    pos->clock = atomic_load_explicit(&e->pub_clock, memory_order_relaxed);
}

void engine_stats(Engine *e, Engine_stats *st)
{
    st->xruns = atomic_load(&e->xruns);
    st->callbacks = atomic_load(&e->callbacks);
    st->load = bits_float(atomic_load(&e->load_bits));
    st->load_max = bits_float(atomic_load(&e->load_max_bits));
    st->load_avg = bits_float(atomic_load(&e->load_avg_bits));
    st->dropped_commands = atomic_load(&e->dropped_commands);
    st->dropped_events = atomic_load(&e->dropped_events);
    st->voices_active = atomic_load(&e->pub_voices);
}

void engine_note_load(Engine *e, float load)
{
    atomic_store_explicit(&e->load_bits, float_bits(load), memory_order_relaxed);
    unsigned old = atomic_load_explicit(&e->load_max_bits, memory_order_relaxed);
    while (load > bits_float(old) &&
           !atomic_compare_exchange_weak_explicit(&e->load_max_bits, &old, float_bits(load),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
    float avg = bits_float(atomic_load_explicit(&e->load_avg_bits, memory_order_relaxed));
    avg += 0.01f * (load - avg);
    atomic_store_explicit(&e->load_avg_bits, float_bits(avg), memory_order_relaxed);
}

void engine_note_xrun(Engine *e)
{
    atomic_fetch_add_explicit(&e->xruns, 1, memory_order_relaxed);
}

void engine_reset_stats(Engine *e)
{
    atomic_store(&e->xruns, 0);
    atomic_store(&e->load_bits, 0);
    atomic_store(&e->load_max_bits, 0);
    atomic_store(&e->load_avg_bits, 0);
    atomic_store(&e->dropped_commands, 0);
    atomic_store(&e->dropped_events, 0);
}
