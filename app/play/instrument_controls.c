/* instrument_controls.c - the instrument's settings controls (instrument.h): tempo (and tap
 * tempo), swing, density, temperature, thresholds, genre, fills, variations, kept / muted /
 * soloed voices, record mode. Each change is one undo step, goes to the engine at once, is
 * saved, and asks for a new part when the part depends on it (instrument_internal.h hooks).
 *
 * Thread: the control thread only, like the rest of the Instrument.
 */
#include "instrument.h"

#include <math.h>
#include <stdio.h>

#include "instrument_internal.h"

/* ----------------------------------------------------------- controls -- */

/* Wraps a settings change: undo snapshot, change, engine, regeneration, save. */
#define SETTING_CHANGE(in, stmt, regen)                                                         \
    do {                                                                                        \
        instrument_hook_before_edit(in);                                                                        \
        stmt;                                                                                   \
        session_clamp(&(in)->session);                                                          \
        instrument_hook_apply(in);                                                                     \
        instrument_hook_changed(in);                                                                            \
        if (regen)                                                                              \
            instrument_hook_request(in, (in)->pos.loop + 1);                                         \
    } while (0)

void instrument_set_bpm(Instrument *in, float bpm)
{
    SETTING_CHANGE(in, in->session.settings.bpm = bpm, 0);
}

void instrument_step_bpm(Instrument *in, int delta)
{
    float bpm = in->session.settings.bpm, whole = roundf(bpm);
    if (fabsf(bpm - whole) > 1e-3f && (delta == 1 || delta == -1))
        whole = delta > 0 ? floorf(bpm) : ceilf(bpm);   /* 99.6: ] gives 100, [ gives 99 */
    instrument_set_bpm(in, whole + (float)delta);
}

void instrument_follow_bpm(Instrument *in, float bpm)
{
    if (in->session.settings.bpm == bpm)
        return;
    in->session.settings.bpm = bpm;
    session_clamp(&in->session);
    instrument_hook_apply(in);
}

void instrument_tap_tempo(Instrument *in, double t)
{
    double bpm = tap_tempo_tap(&in->tap_tempo, t);
    if (bpm > 0) {
        instrument_set_bpm(in, (float)bpm);
        instrument_message(in, "tap tempo: %.1f BPM", in->session.settings.bpm);
    } else {
        instrument_message(in, "tap tempo: tap again");
    }
}

void instrument_set_swing(Instrument *in, float swing)
{
    SETTING_CHANGE(in, in->session.settings.swing = swing, 0);
}

void instrument_set_density(Instrument *in, float density)
{
    SETTING_CHANGE(in, in->session.settings.density = density, 1);
}

void instrument_set_temperature(Instrument *in, float temperature)
{
    SETTING_CHANGE(in, in->session.settings.temperature = temperature, 1);
}

void instrument_set_threshold(Instrument *in, int voice, float threshold)
{
    if (voice < 0 || voice >= HVO_VOICES)
        return;
    SETTING_CHANGE(in, (in->session.settings.thresholds[voice] = threshold,
                        in->session.settings.thresholds_set |= 1u << voice), 1);
}

void instrument_set_genre(Instrument *in, int genre)
{
    SETTING_CHANGE(in, in->session.settings.genre = genre, 1);
    if (genre >= 0 && in->model.config.n_genres == 0)
        instrument_message(in, "this model has no style conditioning");
}

void instrument_fill_next(Instrument *in)
{
    in->fill_next = 1;
    if (!in->model.config.has_fill)
        instrument_message(in, "this model has no fill conditioning");
    else
        instrument_message(in, "fill on the next loop");
    instrument_hook_request(in, in->pos.loop + 1);
}

void instrument_set_fill_every(Instrument *in, int every)
{
    SETTING_CHANGE(in, in->session.settings.fill_every = every, 1);
}

void instrument_new_variation(Instrument *in)
{
    Session_settings *st = &in->session.settings;
    if (in->n_back == (int)(sizeof in->back_seed / sizeof in->back_seed[0])) {
        memmove(in->back_seed, in->back_seed + 1, sizeof in->back_seed - sizeof in->back_seed[0]);
        memmove(in->back_variation, in->back_variation + 1, sizeof in->back_variation - sizeof in->back_variation[0]);
        in->n_back--;
    }
    in->back_seed[in->n_back] = st->seed;
    in->back_variation[in->n_back] = st->variation;
    in->n_back++;
    /* A new seed from the old one (splitmix-style step): reproducible, never repeats soon. */
    uint32_t x = st->seed * 0x9e3779b9u + 0x7f4a7c15u;
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    in->form.ev.has_fixed = 0;   /* a new variation leaves a recalled section's latent */
    SETTING_CHANGE(in, (st->seed = x, st->variation++), 1);
    instrument_message(in, "variation %d", (int)st->variation);
}

void instrument_previous_variation(Instrument *in)
{
    if (in->n_back == 0) {
        instrument_message(in, "no earlier variation");
        return;
    }
    Session_settings *st = &in->session.settings;
    in->n_back--;
    in->form.ev.has_fixed = 0;
    SETTING_CHANGE(in, (st->seed = in->back_seed[in->n_back], st->variation = in->back_variation[in->n_back]), 1);
    instrument_message(in, "back to variation %d", (int)st->variation);
}

void instrument_toggle_keep(Instrument *in, int voice)
{
    if (voice < 0 || voice >= HVO_VOICES)
        return;
    SETTING_CHANGE(in, in->session.settings.kept ^= 1u << voice, 0);
    instrument_message(in, "%s %s", voice_name(voice), in->session.settings.kept >> voice & 1u ? "kept" : "free");
    instrument_hook_resend(in);
}

void instrument_free_all(Instrument *in)
{
    if (!in->session.settings.kept) {
        instrument_message(in, "no voice is kept");
        return;
    }
    SETTING_CHANGE(in, in->session.settings.kept = 0, 1);
    instrument_message(in, "every voice free: the next part is all new");
    instrument_hook_resend(in);
}

void instrument_toggle_mute(Instrument *in, int voice)
{
    if (voice < 0 || voice >= HVO_VOICES)
        return;
    SETTING_CHANGE(in, in->session.settings.muted ^= 1u << voice, 0);
}

void instrument_toggle_solo(Instrument *in, int voice)
{
    if (voice < 0 || voice >= HVO_VOICES)
        return;
    SETTING_CHANGE(in, in->session.settings.soloed ^= 1u << voice, 0);
}

void instrument_toggle_record_mode(Instrument *in)
{
    SETTING_CHANGE(in, in->session.settings.record_mode = !in->session.settings.record_mode, 0);
    live_recorder_init(&in->recorder, (Live_mode)in->session.settings.record_mode);
    instrument_message(in, "recording: %s", in->session.settings.record_mode ? "replace" : "overdub");
}

void instrument_set_record_mode(Instrument *in, Live_mode mode)
{
    in->session.settings.record_mode = mode == LIVE_REPLACE;
    live_recorder_init(&in->recorder, mode);
}
