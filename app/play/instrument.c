/* instrument.c - the instrument core shared by the TUI and the headless mode (see
 * instrument.h). */
#include "instrument.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "clamp.h"
#include "error.h"
#include "feel.h"
#include "midi_hvo.h"
#include "mixer.h"
#include "genre.h"
#include "instrument_internal.h"

#define AUTOSAVE_DEBOUNCE_S 0.2
#define AUTOSAVE_RETRY_S 5.0

/* ------------------------------------------------------------ helpers -- */

void instrument_message(Instrument *in, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(in->message, sizeof in->message, fmt, ap);
    va_end(ap);
    in->message_time = in->now;
    if (in->message[0]) {
        memcpy(in->message_log[in->message_log_n % INSTRUMENT_MESSAGE_LOG], in->message, sizeof in->message);
        in->message_log_n++;
    }
}

const char *instrument_message_log(const Instrument *in, int back)
{
    if (back < 0 || back >= INSTRUMENT_MESSAGE_LOG || back >= in->message_log_n)
        return "";
    return in->message_log[(in->message_log_n - 1 - back) % INSTRUMENT_MESSAGE_LOG];
}

const char *instrument_message_now(const Instrument *in)
{
    if (!in->message[0] || in->now - in->message_time > INSTRUMENT_MESSAGE_SECONDS)
        return "";
    return in->message;
}

/* Steps per second at the session's tempo. */
static double steps_per_second(const Instrument *in) { return in->session.settings.bpm * 4.0 / 60.0; }

/* Records the state before an edit (undo) and marks the session changed. */
static void before_edit(Instrument *in)
{
    undo_push(&in->undo, &in->session);
}

/* Marks the session changed (autosave soon; quitting asks). */
static void changed(Instrument *in)
{
    in->dirty = 1;
    in->unsaved = 1;
    in->session.unsaved = 1;   /* saved with the session: the mark survives a restart */
    in->edited = 1;
}

/* Pushes every setting the engine plays with: tempo, swing, mutes, solos. */
static void apply_settings(Instrument *in)
{
    const Session_settings *st = &in->session.settings;
    engine_set_bpm(in->engine, st->bpm);
    engine_set_swing(in->engine, st->swing);
    for (int v = 0; v < HVO_VOICES; v++) {
        engine_set_mute(in->engine, v, (int)(st->muted >> v & 1u));
        engine_set_solo(in->engine, v, (int)(st->soloed >> v & 1u));
        /* the mixer; rendering one stem silences the others by level, so chokes still act */
        float gain = in->stem_voice < 0 || in->stem_voice == v ? mixer_gain(st->gain_db[v]) : 0.0f;
        engine_set_gain(in->engine, v, gain);
        engine_set_pan(in->engine, v, st->pan[v]);
    }
    /* the click's own strip (a stem render leaves it out) */
    engine_set_click_level(in->engine, in->stem_voice < 0 ? ENGINE_DEFAULT_CLICK_LEVEL * mixer_gain(st->gain_db[SESSION_MIX_CLICK])
                                                          : 0.0f);
}

/* Hands a pattern to the engine (it takes over at the next loop boundary). */
static void send_pattern(Instrument *in, const Hvo *p)
{
    in->sent = *p;
    Hvo heard;   /* the feel shapes what is heard, never what the model made */
    const Session_settings *st = &instrument_target(in)->settings;
    feel_apply(p, st->feel_timing, st->feel_velocity, &heard);
    engine_set_pattern(in->engine, &heard);
    /* Stopped: nothing plays, so what was sent is the part from now on. */
    if (!in->pos.playing) {
        in->session.part = *p;
        in->have_next = 0;
    }
}

/* Re-sends the next part with the kept rows as they are now (after an edit or keep). */
static void resend_next(Instrument *in)
{
    const Session *to = instrument_target(in);
    Hvo next = in->have_next ? in->next_raw : to->part;
    regen_keep_rows(&next, &to->part, to->settings.kept);
    send_pattern(in, &next);
}

/* Whether loop `loop` (0-based) is a fill. */
static int loop_is_fill(const Instrument *in, int64_t loop)
{
    int every = in->session.settings.fill_every;
    if (in->fill_next)
        return 1;
    if (in->form.chain_on && form_chain_fill_at(&in->form, loop - in->form.chain_start))
        return 1;
    return every > 0 && loop % every == every - 1;
}

void instrument_thresholds_for(const Instrument *in, const Session_settings *st, int kind, float th[HVO_VOICES])
{
    float shift[HVO_VOICES];
    model_threshold_shift(&in->model, kind, shift);
    for (int v = 0; v < HVO_VOICES; v++)
        th[v] = clampf(st->thresholds[v] + shift[v], 0.0f, 1.0f);
}

/* Asks the worker for the part of loop for_loop. Returns the request's serial. */
static uint64_t request_generation(Instrument *in, int64_t for_loop)
{
    Regen_request rq;
    const Session *src = instrument_target(in);   /* a section about to take over, or the session */
    const Session_settings *st = &src->settings;
    rq.groove = src->groove;
    if (st->bar_repeat)
        form_repeat_bar(&src->groove, &rq.groove);   /* a one-bar figure: bar 2 repeats bar 1 */
    rq.current = src->part;
    rq.kept = st->kept;
    /* memory: the part that just played when the groove changed (new taps, a section taking
     * over); it stays while the groove does, so an unchanged groove keeps its part loop after
     * loop (evolve 0) and a changed one carries on from what was playing. An empty part
     * (nothing played yet) is no memory. */
    if (!in->memory_taken || memcmp(&in->memory_groove, &rq.groove, sizeof rq.groove) != 0) {
        /* the part playing was made for the groove of the last take (or, before any, the
         * session's own) */
        in->memory.groove = in->memory_taken ? in->memory_groove : src->groove;
        in->memory.part = src->part;
        in->have_memory = hvo_count_hits(&src->part) > 0;
        in->memory_groove = rq.groove;
        in->memory_taken = 1;
    }
    rq.has_memory = in->have_memory;
    rq.memory = in->memory;
    rq.kind = in->input_forced >= 0 ? in->input_forced : in->input_kind;
    model_gen_params(&in->model, &rq.params);
    instrument_thresholds_for(in, st, rq.kind, rq.params.thresholds);
    rq.params.temperature = st->temperature;
    rq.params.density = st->density;
    rq.params.seed = st->seed;
    /* z = mu + sigma * eps: the variation, a section's latent or the A/B morph, plus the walk */
    Evolve_morph morph = {st->morph, st->morph_rate};
    evolve_walk_to(&in->form.ev, for_loop, st->evolve);
    rq.has_eps = in->model.config.latent <= EVOLVE_MAX_LATENT &&
                 evolve_eps(&in->form.ev, &morph, st->variation > 0, st->seed, for_loop, rq.eps, rq.base);
    rq.hold = st->evolve > 0.0f;   /* an evolving part keeps the base part's density */
    rq.has_base = 0;
    for (int i = 0; rq.hold && i < in->form.ev.latent; i++)
        rq.has_base |= rq.base[i] != 0.0f;
    rq.params.variation = rq.has_eps ? 1.0f : 0.0f;
    memcpy(in->last_eps, rq.eps, sizeof in->last_eps);
    in->last_has_eps = rq.has_eps;
    /* a temperature other than 1 samples the hits, a new draw every loop */
    rq.params.stochastic = fabsf(st->temperature - 1.0f) > 1e-3f;
    if (rq.params.stochastic)
        rq.params.seed = (uint64_t)st->seed * 0x9e3779b97f4a7c15ull + (uint64_t)for_loop;
    rq.params.genre = st->genre < in->model.config.n_genres ? st->genre : -1;
    rq.params.fill = in->model.config.has_fill ? loop_is_fill(in, for_loop) : 0;
    rq.for_loop = for_loop;
    rq.serial = 0;
    return regen_request(&in->regen, &rq);
}

void instrument_regenerate(Instrument *in) { (void)request_generation(in, in->pos.loop + 1); }

void instrument_note_input(Instrument *in, int kind)
{
    if (kind >= INPUT_KIND_DRUMS && kind <= INPUT_KIND_TAPS)
        in->input_kind = kind;
}

void instrument_force_input_kind(Instrument *in, int kind)
{
    in->input_forced = kind >= INPUT_KIND_DRUMS && kind <= INPUT_KIND_TAPS ? kind : -1;
}

/* ---------------------------------------------------------- lifecycle -- */

/* Loads the model, or random weights when there is no model file. */
static int load_model(Instrument *in, const char *path, char *err, size_t errlen)
{
    char why[256];
    if (!path)
        path = model_default_path();
    FILE *f = fopen(path, "rb");
    if (f) {
        fclose(f);
        if (model_load(&in->model, path, why, sizeof why) != 0) {
            return error_set(err, errlen, "cannot load model '%s': %s", path, why);
        }
        const char *base = strrchr(path, '/');
        snprintf(in->model_note, sizeof in->model_note, "model %s", base ? base + 1 : path);
        return 0;
    }
    Model_config c;
    model_config_default(&c);
    if (model_init_random(&in->model, &c, 1, why, sizeof why) != 0) {
        return error_set(err, errlen, "cannot build a model: %s", why);
    }
    in->model_is_random = 1;
    snprintf(in->model_note, sizeof in->model_note, "no trained model (%s): random weights", path);
    return 0;
}

/* Says that another instance holds the session. */
static void lock_session_message(Instrument *in)
{
    if (in->session_locked_out > 0)
        instrument_message(in, "session in use by pid %ld: running without autosave", in->session_locked_out);
    else
        instrument_message(in, "session in use by another groove: running without autosave");
}

/* Takes the session file's lock. Another instance holding it: this one reads the session but
 * never writes or moves it, and says so. */
static void lock_session(Instrument *in)
{
    char err[256];
    long holder = 0;
    Session_lock_result rc = session_lock_acquire(&in->session_lock, in->session_path, &holder, err, sizeof err);
    if (rc == SESSION_LOCK_HELD) {
        in->read_only = 1;   /* restore_session then never sets the file aside */
        in->session_locked_out = holder > 0 ? holder : -1;
        lock_session_message(in);
    } else if (rc == SESSION_LOCK_ERROR) {
        instrument_message(in, "%.150s: autosaving without a lock", err);
    }
}

/* Reads the machine's config (input latencies); a file that will not load is never written. */
static void load_config(Instrument *in, const Instrument_options *opt)
{
    char err[300];
    config_init(&in->config);
    if (opt->config_path)
        snprintf(in->config_path, sizeof in->config_path, "%s", opt->config_path);
    else if (config_default_path(in->config_path, sizeof in->config_path, err, sizeof err) != 0)
        in->config_path[0] = 0;
    if (in->config_path[0]) {
        Config_status st = config_load(in->config_path, &in->config, err, sizeof err);
        in->config_writable = st == CONFIG_OK || st == CONFIG_MISSING;
        if (!in->config_writable)
            snprintf(in->config_note, sizeof in->config_note, "config not used: %.200s", err);
    }
    static const char *const keys[INSTRUMENT_INPUTS] = {CONFIG_INPUT_LATENCY_KEYS, CONFIG_INPUT_LATENCY_MIDI};
    for (int i = 0; i < INSTRUMENT_INPUTS; i++) {
        double ms = opt->input_latency_ms;
        if (!isfinite(ms) && config_get_number(&in->config, keys[i], -1000, 1000, 0.0, &ms, err, sizeof err) != 0 &&
            !in->config_note[0])
            snprintf(in->config_note, sizeof in->config_note, "%s", err);
        in->input_latency_s[i] = ms / 1000.0;
    }
    if (in->config_note[0])
        instrument_message(in, "%s", in->config_note);
}

/* Restores the autosaved session, setting a bad file aside. */
static void restore_session(Instrument *in)
{
    char err[512], moved[1200];
    Session loaded;
    Session_status st = session_load_form(in->session_path, &loaded, &in->form, err, sizeof err);
    in->session_read = st;
    switch (st) {
    case SESSION_OK:
        in->session = loaded;
        in->part_restored = hvo_count_hits(&loaded.part) > 0;
        in->unsaved = loaded.unsaved;   /* [+] as it was when the last instrument quit */
        instrument_message(in, "session restored: %d taps, %d hits", groove_count_hits(&loaded.groove),
                           hvo_count_hits(&loaded.part));
        break;
    case SESSION_MISSING:
        if (in->read_only)   /* named to be read (an offline render): say it is not there */
            instrument_message(in, "no session file '%.200s': the defaults play", in->session_path);
        break;
    case SESSION_CORRUPT:
        if (in->read_only) {   /* somebody else's file: reported, never moved */
            instrument_message(in, "session file unreadable (%.150s)", err);
            break;
        }
        if (session_set_aside(in->session_path, moved, sizeof moved, err + 256, 256) == 0) {
            instrument_message(in, "session file unreadable (%.200s): set aside as %s; starting fresh", err, moved);
        } else {
            instrument_message(in, "session file unreadable and cannot be moved: not autosaving");
            in->autosave = 0;
        }
        break;
    case SESSION_IO_ERROR:
        instrument_message(in, in->read_only ? "%.120s" : "%.120s: not autosaving", err);
        in->autosave = 0;
        break;
    }
}

int instrument_init(Instrument *in, Engine *engine, const Instrument_options *opt, char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    in->engine = engine;
    in->session_read = SESSION_MISSING;
    in->stem_voice = -1;
    in->pending_slot = -1;
    in->session.form = &in->form;
    in->tap_undo_loop = -1;
    in->latency_s = opt->latency_s;
    in->input_kind = INPUT_KIND_TAPS;   /* until a MIDI device or a file says otherwise */
    in->input_forced = -1;
    in->rate = opt->rate > 0 ? opt->rate : 48000;
    in->respond = HVO_STEPS;
    in->calibration_input = -1;
    in->calibrated_ms = in->calibrated_spread_ms = NAN;
    timing_clock_init(&in->render_clock);
    timing_stats_init(&in->timing);
    load_config(in, opt);
    session_defaults(&in->session);
    session_lock_clear(&in->session_lock);
    in->tap_sound = TAP_SOUND_NOTE;
    in->tap_note = -1;
    if (load_model(in, opt->model_path, err, errlen) != 0)
        return -1;
    /* The model's own calibrated thresholds are the fresh session's. */
    Gen_params g;
    model_gen_params(&in->model, &g);
    memcpy(in->session.settings.thresholds, g.thresholds, sizeof g.thresholds);
    form_init(&in->form, in->model.config.latent, 0x5eed);
    in->session.form = &in->form;
    in->read_only = opt->session_read_only;
    if (!opt->no_session || opt->session_read_only) {
        if (opt->session_path) {
            snprintf(in->session_path, sizeof in->session_path, "%s", opt->session_path);
            in->autosave = 1;
        } else if (session_default_path(in->session_path, sizeof in->session_path, err, errlen) == 0) {
            in->autosave = 1;
        } else {
            instrument_message(in, "%.150s: not autosaving", err);
        }
        if (in->autosave && !opt->session_read_only)
            lock_session(in);
        if (in->autosave)
            restore_session(in);
        if (in->session_locked_out) {
            in->autosave = 0;
            lock_session_message(in);   /* above whatever the restore said */
        }
        if (opt->session_read_only)
            in->autosave = 0;   /* read, never written (groove render --session) */
    }
    in->session.form = &in->form;
    /* Thresholds the player never touched follow the model (its calibration may be newer
     * than the session). */
    for (int v = 0; v < HVO_VOICES; v++)
        if (!(in->session.settings.thresholds_set >> v & 1u))
            in->session.settings.thresholds[v] = g.thresholds[v];
    if (opt->bpm > 0)
        in->session.settings.bpm = opt->bpm;
    session_clamp(&in->session);
    live_recorder_init(&in->recorder, (Live_mode)in->session.settings.record_mode);
    tap_tempo_init(&in->tap_tempo);
    if (undo_init(&in->undo, sizeof(Session), INSTRUMENT_UNDO_DEPTH) != 0) {
        error_set(err, errlen, "out of memory");
        model_deinit(&in->model);
        return -1;
    }
    if (regen_start(&in->regen, &in->model) != 0) {
        error_set(err, errlen, "cannot start the model thread");
        undo_deinit(&in->undo);
        model_deinit(&in->model);
        return -1;
    }
    engine_position(engine, &in->pos);
    in->engine_serial = in->pos.pattern_serial;
    in->loop_seen = in->pos.loop;
    apply_settings(in);
    send_pattern(in, &in->session.part);
    /* A restored part plays as it was saved. A model with memory would remake it from another
     * memory (the one it had is not in the session file), so it waits for the first loop or a
     * change; a model without memory remakes the same part. */
    if (!(in->part_restored && in->model.config.has_memory))
        request_generation(in, 0);
    if (!in->message[0] && in->model_is_random)
        instrument_message(in, "%s", in->model_note);
    return 0;
}

void instrument_deinit(Instrument *in)
{
    regen_stop(&in->regen);
    if (in->autosave && in->dirty) {
        char err[256];
        if (session_save(&in->session, in->session_path, err, sizeof err) == 0)
            in->dirty = 0;
    }
    session_lock_release(&in->session_lock);
    undo_deinit(&in->undo);
    model_deinit(&in->model);
}

void instrument_set_note_out(Instrument *in, Instrument_note_fn fn, void *user)
{
    in->note_out = fn;
    in->note_user = user;
    in->note_scanned = instrument_position_at(in, in->now);
}

/* ---------------------------------------------------------------- tick -- */

/* Sends the notes whose time falls in (note_scanned, up_to] (absolute steps). */
static void send_notes(Instrument *in, double up_to)
{
    const Session_settings *st = &in->session.settings;
    double from = in->note_scanned;
    if (up_to <= from)
        return;
    if (up_to - from > 2 * HVO_STEPS)
        from = up_to - 2 * HVO_STEPS;
    Hvo now_heard, next_heard;   /* MIDI out plays what is heard: with the feel */
    feel_apply(&in->session.part, st->feel_timing, st->feel_velocity, &now_heard);
    feel_apply(&in->sent, st->feel_timing, st->feel_velocity, &next_heard);
    for (int64_t n = (int64_t)floor(from) - 1; n <= (int64_t)ceil(up_to) + 1; n++) {
        if (n < 0)
            continue;
        int s = (int)(n % HVO_STEPS);
        int64_t loop = n / HVO_STEPS;
        const Hvo *p = (loop > in->pos.loop && in->have_next) ? &next_heard : &now_heard;
        for (int v = 0; v < HVO_VOICES; v++) {
            if (hvo_hit(p, s, v) < 0.5f)
                continue;
            if (st->muted >> v & 1u)
                continue;
            if (st->soloed && !(st->soloed >> v & 1u))
                continue;
            double at = (double)n + hvo_off(p, s, v) + ((s & 1) ? st->swing : 0.0);
            if (at > from && at <= up_to) {
                double when = in->clock_time + (at - in->clock_step) / steps_per_second(in);
                in->note_out(in->note_user, v, hvo_vel(p, s, v), when);
            }
        }
    }
    in->note_scanned = up_to;
}

/* Saves the session when it changed (debounced; retried after a failure). */
static void autosave(Instrument *in, double now)
{
    if (!in->autosave || !in->dirty)
        return;
    if (now - in->last_save_time < AUTOSAVE_DEBOUNCE_S)
        return;
    if (in->last_save_fail > 0 && now - in->last_save_fail < AUTOSAVE_RETRY_S)
        return;
    char err[256];
    if (session_save(&in->session, in->session_path, err, sizeof err) == 0) {
        in->dirty = 0;
        in->last_save_time = now;
        in->last_save_fail = 0;
        in->saves++;
    } else {
        in->last_save_fail = now;
        instrument_message(in, "autosave failed: %.150s", err);
    }
}

void instrument_wait_for_model(Instrument *in, double now)
{
    while (in->accepted_serial < in->regen.next_serial) {
        struct timespec nap = {0, 200000};
        nanosleep(&nap, NULL);
        instrument_tick(in, now);
    }
}

void instrument_tick(Instrument *in, double now)
{
    if (!in->clock_started) {
        in->clock_started = 1;
        in->message_time = now;   /* a message from init starts fading now */
    }
    in->now = now;
    int was_playing = in->pos.playing;
    /* The audio thread publishes field by field: read again if a block ended meanwhile. */
    for (int tries = 0; tries < 3; tries++) {
        engine_position(in->engine, &in->pos);
        Engine_position again;
        engine_position(in->engine, &again);
        if (again.clock == in->pos.clock && again.frame == in->pos.frame)
            break;
    }
    timing_clock_see(&in->render_clock, in->pos.clock, now, in->rate);
    /* Just asked to play: until the audio thread has rendered a block, it still reports the
     * old, stopped transport; trust the request for up to a second. */
    if (in->play_pending) {
        if (in->pos.playing || now - in->play_pending_since > 1.0) {
            in->play_pending = 0;
        } else {
            in->pos.playing = 1;
            in->pos.step = in->play_start;
            in->pos.step_in_loop = 0;
            in->pos.loop = 0;
        }
    }
    /* Where the player is: the step at the start of the last rendered block, heard when that
     * block was rendered (by the render clock's estimate) plus the output latency. The first
     * block reports clock 0, which gives the render clock no fix: until it has one, keep the
     * moment play_from() set (else step 0 would be heard at ~0 s, the clock's origin). */
    if (!in->play_pending && in->render_clock.have && (in->pos.frame != in->clock_frame || in->pos.playing != was_playing || in->pos.playing)) {
        in->clock_frame = in->pos.frame;
        in->clock_step = in->pos.step;
        in->clock_time = timing_clock_render_time(&in->render_clock, in->pos.clock, in->rate) + in->latency_s;
    }
    (void)was_playing;
    /* The engine swapped patterns: what was sent is playing now. */
    if (in->pos.pattern_serial != in->engine_serial) {
        in->engine_serial = in->pos.pattern_serial;
        in->prev_part = in->session.part;   /* which cells changed, for the screen */
        in->have_prev = 1;
        if (in->have_next || memcmp(&in->session.part, &in->sent, sizeof in->sent)) {
            in->session.part = in->sent;
            in->dirty = 1;
        }
        in->have_next = 0;
        in->fill_now = in->fill_next || loop_is_fill(in, in->pos.loop + 1);
        in->fill_next = 0;
    }
    if (in->first_request_due && in->pos.playing && !in->play_pending) {
        in->first_request_due = 0;
        request_generation(in, in->pos.loop + 1);
    }
    /* A new loop: ask for the part of the one after it. */
    if (in->pos.playing && in->pos.loop != in->loop_seen) {
        in->loop_seen = in->pos.loop;
        instrument_form_loop(in);   /* a recalled section takes over, the chain moves on */
        request_generation(in, in->pos.loop + 1);
    }
    /* A new part from the worker. */
    Regen_result res;
    if (regen_poll(&in->regen, &res) && res.serial > in->accepted_serial && res.serial >= in->accept_from) {
        in->accepted_serial = res.serial;
        in->generations++;
        in->last_gen_us = res.gen_us;
        if (res.gen_us > in->max_gen_us)
            in->max_gen_us = res.gen_us;
        in->next_raw = res.part;
        in->have_next = 1;
        resend_next(in);
    }
    if (in->note_out && in->pos.playing)
        send_notes(in, instrument_position_at(in, now) + 0.1 * steps_per_second(in));
    autosave(in, now);
}

/* ---------------------------------------------------------- transport -- */

double instrument_position_at(const Instrument *in, double t)
{
    if (!in->pos.playing)
        return in->pos.step;
    double dt = t - in->clock_time;
    if (dt > 0.25)
        dt = 0.25;   /* the engine has not reported for a while: do not run away */
    return in->clock_step + dt * steps_per_second(in);
}

double instrument_time_of(const Instrument *in, double position)
{
    return in->clock_time + (position - in->clock_step) / steps_per_second(in);
}

int instrument_counting_in(const Instrument *in) { return in->pos.playing && in->pos.step < 0; }

/* Starts the transport at step `start`, whose moment the player hears at `heard` (s). */
static void play_from(Instrument *in, double start, double heard)
{
    instrument_form_restart(in);   /* a chain starts over */
    engine_play_from(in->engine, start);
    in->play_start = start;
    in->play_pending = 1;
    in->play_pending_since = in->now;
    /* Until the engine reports, the transport is at `start`, heard at `heard`. */
    in->pos.playing = 1;
    in->pos.step = start;
    in->pos.loop = 0;
    in->loop_seen = 0;
    in->clock_step = start;
    in->clock_time = heard;
    in->clock_frame = -1;
    in->note_scanned = start - 0.5;
    instrument_form_loop(in);
    /* loop 1's part is asked for once the engine plays: an answer that came before its first
     * block would take over at step 0 and play in loop 0 and again in loop 1 (evolve stood still) */
    in->first_request_due = 1;
}

/* When the block after the last one seen will be heard: rendered at the next callback (or now,
 * when it is due) plus the output latency. */
static double next_block_heard(const Instrument *in)
{
    const Timing_clock *c = &in->render_clock;
    double t = in->now;
    if (c->have && c->block > 0) {
        double next = timing_clock_render_time(c, c->last_clock + c->block, in->rate);
        if (next > t)
            t = next;
    }
    return t + in->latency_s;
}

void instrument_play(Instrument *in)
{
    if (in->pos.playing)
        return;
    play_from(in, -(double)HVO_STEPS_PER_BAR * in->count_in_bars, next_block_heard(in));
}

void instrument_stop(Instrument *in)
{
    if (!in->pos.playing)
        return;
    engine_stop(in->engine);
    in->pos.playing = 0;
    in->play_pending = 0;
    in->first_request_due = 0;
}

int instrument_toggle_play(Instrument *in)
{
    if (in->pos.playing)
        instrument_stop(in);
    else
        instrument_play(in);
    return in->pos.playing;
}

int instrument_is_playing(const Instrument *in) { return in->pos.playing; }

/* A tap at an absolute position: recorded, and sounded as the tap sound says for `note`. */
static void tap_note_at(Instrument *in, float velocity, double position, int note)
{
    if (!(velocity > 0.0f))
        return;
    if (!in->pos.playing) {
        if (in->click) {   /* with the click, space starts the transport: a tap only sounds */
            tap_sound_play(in->engine, in->tap_sound, note, velocity);
            return;
        }
        instrument_play(in);
        position = in->play_start > 0 ? in->play_start : 0;
    }
    if (position < -0.5) {
        if (in->play_start < 0) {   /* a tap in the count-in: heard, not recorded */
            tap_sound_play(in->engine, in->tap_sound, note, velocity);
            return;
        }
        position = 0;
    }
    int64_t pass = (int64_t)floor((position + 0.5) / HVO_STEPS);
    if (pass != in->tap_undo_loop) {
        before_edit(in);   /* one undo step per loop pass of tapping */
        in->tap_undo_loop = pass;
    }
    tap_sound_play(in->engine, in->tap_sound, note, velocity);
    Live_slot slot = live_record(&in->recorder, &in->session.groove, position, pass, velocity, in->session.settings.swing);
    timing_stats_add(&in->timing, pass, slot.step, slot.distance * 1000.0 / steps_per_second(in));
    in->taps++;
    changed(in);
    /* A tap of the loop now playing shapes the next loop's part at once. A tap that already
     * belongs to the next pass (played just before its line) waits for that loop to start:
     * the part about to be latched comes from the pass just finished - in replace mode the
     * new take has only this tap so far. */
    if (pass <= in->pos.loop)
        request_generation(in, in->pos.loop + 1);
}

void instrument_tap_at(Instrument *in, float velocity, double position) { tap_note_at(in, velocity, position, in->tap_note); }

/* A calibration tap: its raw distance from the nearest beat (no compensation). */
static void calibration_tap(Instrument *in, Instrument_input input, float velocity, double t)
{
    if (!(velocity > 0.0f))
        return;
    engine_hit(in->engine, HVO_GROOVE_VOICE, velocity);
    if (!in->pos.playing)
        return;
    if (in->calibration_input < 0)
        in->calibration_input = (int)input;
    if ((int)input != in->calibration_input)
        return;   /* one input at a time */
    double ms = calibration_beat_distance_ms(instrument_position_at(in, t), in->session.settings.bpm);
    int n = calibration_add(&in->calibration, ms);
    if (n >= INSTRUMENT_CALIBRATION_TAPS)
        instrument_calibrate_finish(in, 1);
    else
        instrument_message(in, "calibrating %s: %d of %d taps on the beat", input == INSTRUMENT_INPUT_MIDI ? "MIDI" : "keys",
                           n, INSTRUMENT_CALIBRATION_TAPS);
}

void instrument_tap_from(Instrument *in, Instrument_input input, float velocity, double t)
{
    if ((int)input < 0 || input >= INSTRUMENT_INPUTS)
        input = INSTRUMENT_INPUT_KEYS;
    if (in->calibrating) {
        calibration_tap(in, input, velocity, t);
        return;
    }
    t -= in->input_latency_s[input];
    if (!in->pos.playing && !in->click && velocity > 0.0f) {
        /* The tap starts the transport: line the grid up with the tap's moment, so the first
         * tap and the later ones are measured alike (the engine starts a little into step 0). */
        double heard = next_block_heard(in);
        double start = (heard - t) * steps_per_second(in);
        if (!(start >= 0.0))
            start = 0.0;
        if (start > 1.0)
            start = 1.0;
        play_from(in, start, heard);
    }
    instrument_tap_at(in, velocity, instrument_position_at(in, t));
}

void instrument_tap_note(Instrument *in, float velocity, double t, int note)
{
    in->tap_note = note;   /* the tap sound follows the played note */
    instrument_tap_from(in, INSTRUMENT_INPUT_MIDI, velocity, t);
    in->tap_note = -1;
}

void instrument_set_groove(Instrument *in, const Groove *groove)
{
    in->session.groove = *groove;
    request_generation(in, in->pos.playing ? in->pos.loop + 1 : 0);
}

void instrument_set_tap_sound(Instrument *in, int sound)
{
    in->tap_sound = sound;
    instrument_message(in, "taps sound: %s", tap_sound_name(sound));
}

void instrument_tap(Instrument *in, float velocity, double t)
{
    instrument_tap_from(in, INSTRUMENT_INPUT_KEYS, velocity, t);
}

/* ----------------- hooks for instrument_form.c, _controls.c, _practice.c, _edit.c -- */

void instrument_hook_before_edit(Instrument *in) { before_edit(in); }
void instrument_hook_changed(Instrument *in) { changed(in); }
void instrument_hook_apply(Instrument *in) { apply_settings(in); }
void instrument_hook_send(Instrument *in, const Hvo *p) { send_pattern(in, p); }
void instrument_hook_resend(Instrument *in) { resend_next(in); }
uint64_t instrument_hook_request(Instrument *in, int64_t for_loop) { return request_generation(in, for_loop); }
