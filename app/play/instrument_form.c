/* instrument_form.c - evolve, morph, sections, chains, feel and mixer controls of the instrument
 * (see instrument_form.h). */
#include "instrument_form.h"

#include <string.h>

#include "clamp.h"
#include "instrument_internal.h"

/* A settings change: undo step, the change, clamp, engine, save, and maybe a new part. */
static void setting(Instrument *in, int regen)
{
    session_clamp(&in->session);
    instrument_hook_apply(in);
    instrument_hook_changed(in);
    if (regen)
        instrument_hook_request(in, in->pos.loop + 1);
}

void instrument_set_evolve(Instrument *in, float amount)
{
    instrument_hook_before_edit(in);
    in->session.settings.evolve = clampf(amount, 0.0f, 1.0f);
    setting(in, 1);
    instrument_message(in, "evolve %.2f", in->session.settings.evolve);
}

void instrument_morph_store(Instrument *in, int which)
{
    Evolve *e = &in->form.ev;
    float *dst = which ? e->b : e->a;
    if (in->last_has_eps)
        memcpy(dst, in->last_eps, sizeof e->a);
    else
        memset(dst, 0, sizeof e->a);   /* z = mu is a latent too */
    if (which)
        e->has_b = 1;
    else
        e->has_a = 1;
    evolve_reset(e, e->walked_to);   /* the snapshot holds the walk so far: it starts again from it */
    instrument_hook_changed(in);
    instrument_message(in, "latent %s stored%s", which ? "B" : "A",
                       e->has_a && e->has_b ? ": morph with < >, cycle with ~" : "");
}

void instrument_set_morph(Instrument *in, float amount)
{
    instrument_hook_before_edit(in);
    in->session.settings.morph = clampf(amount, 0.0f, 1.0f);
    setting(in, 1);
    if (!(in->form.ev.has_a && in->form.ev.has_b))
        instrument_message(in, "morph %.2f: store latents A and B first (b, B)", in->session.settings.morph);
    else
        instrument_message(in, "morph %.2f", in->session.settings.morph);
}

void instrument_set_morph_rate(Instrument *in, int rate)
{
    instrument_hook_before_edit(in);
    in->session.settings.morph_rate = rate < 0 ? 0 : rate;
    setting(in, 1);
    if (in->session.settings.morph_rate)
        instrument_message(in, "morph cycles every %d loops", (int)in->session.settings.morph_rate);
    else
        instrument_message(in, "morph holds at %.2f", in->session.settings.morph);
}

void instrument_set_feel(Instrument *in, float timing, float velocity)
{
    instrument_hook_before_edit(in);
    in->session.settings.feel_timing = clampf(timing, 0.0f, 1.5f);
    in->session.settings.feel_velocity = clampf(velocity, 0.0f, 1.5f);
    setting(in, 0);
    instrument_hook_resend(in);   /* the next loop is heard with the new feel */
    instrument_message(in, "feel: timing %.2f, velocity range %.2f", in->session.settings.feel_timing,
                       in->session.settings.feel_velocity);
}

void instrument_toggle_bar_repeat(Instrument *in)
{
    instrument_hook_before_edit(in);
    in->session.settings.bar_repeat = !in->session.settings.bar_repeat;
    setting(in, 1);
    instrument_message(in, "one-bar figures: %s", in->session.settings.bar_repeat ? "an empty bar 2 repeats bar 1"
                                                                                  : "an empty bar 2 stays empty");
}

void instrument_set_gain_db(Instrument *in, int ch, float db)
{
    if (ch < 0 || ch >= SESSION_MIX_CHANNELS)
        return;
    instrument_hook_before_edit(in);
    in->session.settings.gain_db[ch] = db;
    setting(in, 0);
}

void instrument_set_pan(Instrument *in, int ch, float pan)
{
    if (ch < 0 || ch >= SESSION_MIX_CHANNELS)
        return;
    instrument_hook_before_edit(in);
    in->session.settings.pan[ch] = pan;
    setting(in, 0);
}

/* ---------------------------------------------------------------- sections -- */

const Session *instrument_target(const Instrument *in)
{
    return in->pending_slot >= 0 ? &in->pending : &in->session;
}

/* The song's settings, not the section's: tempo, mixer, recording mode. */
static void keep_song_settings(Session_settings *to, const Session_settings *song)
{
    to->bpm = song->bpm;
    memcpy(to->gain_db, song->gain_db, sizeof to->gain_db);
    memcpy(to->pan, song->pan, sizeof to->pan);
    to->record_mode = song->record_mode;
}

/* The section takes over now: its state becomes the session's, the part playing stays. The song's
 * settings are taken again here, so a change made while the section waited (a chain always has the
 * next one waiting) holds. */
static void commit_pending(Instrument *in)
{
    Hvo playing = in->session.part;
    int stopped = !in->pos.playing;
    keep_song_settings(&in->pending.settings, &in->session.settings);
    in->session = in->pending;
    if (!stopped)
        in->session.part = playing;   /* the engine's part; it is the section's from its first loop */
    in->session.form = &in->form;
    in->form.playing = in->pending_slot;
    in->pending_slot = -1;
    instrument_hook_apply(in);
    instrument_hook_changed(in);
}

/* Makes slot the state of loop for_loop: requests from now on come from it. */
static void queue_section(Instrument *in, int slot, int64_t for_loop)
{
    const Form_section *sec = &in->form.sec[slot];
    in->pending = sec->state;
    keep_song_settings(&in->pending.settings, &in->session.settings);
    in->pending.form = &in->form;
    in->pending_slot = slot;
    in->pending_loop = for_loop;
    Evolve *e = &in->form.ev;
    e->has_fixed = sec->has_eps;
    memcpy(e->fixed, sec->eps, sizeof e->fixed);
    evolve_reset(e, for_loop);
    if (!in->pos.playing) {
        commit_pending(in);
        instrument_hook_send(in, &in->session.part);
    } else {
        instrument_hook_send(in, &in->pending.part);   /* its own part, unless the model answers first */
    }
    instrument_hook_request(in, for_loop);
}

void instrument_section_store(Instrument *in, int slot)
{
    if (slot < 0 || slot >= FORM_SLOTS)
        return;
    Form_section *sec = &in->form.sec[slot];
    sec->used = 1;
    sec->state = in->session;
    sec->state.form = NULL;
    sec->has_eps = in->last_has_eps;
    memcpy(sec->eps, in->last_eps, sizeof sec->eps);
    if (!in->form.chain_on)
        in->form.playing = slot;
    instrument_hook_changed(in);
    instrument_message(in, "stored section %s (%d hits)", form_slot_name(slot), hvo_count_hits(&in->session.part));
}

int instrument_section_recall(Instrument *in, int slot)
{
    if (slot < 0 || slot >= FORM_SLOTS || !in->form.sec[slot].used) {
        instrument_message(in, "section %s is empty: store it first", form_slot_name(slot));
        return -1;
    }
    if (in->form.chain_on) {
        in->form.chain_on = 0;   /* the player takes over from the chain */
    }
    queue_section(in, slot, in->pos.playing ? in->pos.loop + 1 : 0);
    instrument_message(in, in->pos.playing ? "section %s next loop" : "section %s", form_slot_name(slot));
    return 0;
}

int instrument_set_chain(Instrument *in, const char *text, char *err, size_t errlen)
{
    Form_link links[FORM_CHAIN_MAX];
    int n = form_parse_chain(text, links, FORM_CHAIN_MAX, err, errlen);
    if (n < 0)
        return -1;
    memcpy(in->form.chain, links, sizeof links);
    in->form.n_chain = n;
    instrument_hook_changed(in);
    return 0;
}

void instrument_chain_play(Instrument *in, int on)
{
    Form *f = &in->form;
    if (!on || f->n_chain == 0) {
        if (on)
            instrument_message(in, "no chain: set one first");
        else if (f->chain_on)
            instrument_message(in, "chain stopped");
        f->chain_on = 0;
        return;
    }
    for (int i = 0; i < f->n_chain; i++)
        if (!f->sec[f->chain[i].slot].used) {
            instrument_message(in, "the chain plays section %s, which is empty: store it first",
                               form_slot_name(f->chain[i].slot));
            return;
        }
    f->chain_on = 1;
    f->chain_start = in->pos.playing ? in->pos.loop + 1 : 0;
    queue_section(in, f->chain[0].slot, f->chain_start);
    char text[FORM_CHAIN_MAX * 8];
    form_chain_text(f->chain, f->n_chain, text, sizeof text);
    instrument_message(in, "chain %s%s", text, in->pos.playing ? " from the next loop" : "");
}

void instrument_toggle_auto_fill(Instrument *in)
{
    in->form.auto_fill = !in->form.auto_fill;
    instrument_hook_changed(in);
    instrument_message(in, "auto fill %s", in->form.auto_fill ? "on: the last loop of each section is a fill" : "off");
}

void instrument_form_loop(Instrument *in)
{
    Form *f = &in->form;
    int64_t loop = in->pos.loop;
    if (in->pending_slot >= 0 && loop >= in->pending_loop)
        commit_pending(in);
    if (!f->chain_on || !in->pos.playing)
        return;
    int slot = form_chain_at(f, loop + 1 - f->chain_start, NULL);
    int now = in->pending_slot >= 0 ? in->pending_slot : f->playing;
    if (slot >= 0 && slot != now && f->sec[slot].used)
        queue_section(in, slot, loop + 1);
}

void instrument_form_restart(Instrument *in)
{
    Form *f = &in->form;
    if (!f->chain_on || f->n_chain == 0 || in->pos.playing)
        return;
    f->chain_start = 0;
    int slot = f->chain[0].slot;
    if (f->sec[slot].used && (slot != f->playing || in->pending_slot >= 0))
        queue_section(in, slot, 0);
}

/* ------------------------------------------------------------ for the screen -- */

const char *instrument_chain_section(const Instrument *in)
{
    return in->form.chain_on && in->form.playing >= 0 ? form_slot_name(in->form.playing) : NULL;
}

int instrument_next_changes(const Instrument *in)
{
    int n = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++)
            n += (hvo_hit(&in->sent, t, v) > 0.5f) != (hvo_hit(&in->session.part, t, v) > 0.5f);
    return n;
}

int instrument_cell_changed(const Instrument *in, int voice, int step)
{
    if (!in->have_prev || voice < 0 || voice >= HVO_VOICES || step < 0 || step >= HVO_STEPS)
        return 0;
    int was = hvo_hit(&in->prev_part, step, voice) > 0.5f, is = hvo_hit(&in->session.part, step, voice) > 0.5f;
    return is - was;
}
