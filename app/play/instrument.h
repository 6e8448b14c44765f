/* instrument.h - the instrument: what the TUI and the headless mode both play.
 *
 * One struct holds the session (groove, drum part, kept rows, settings), the model and its
 * regeneration worker, the undo history, the live recorder and the autosave. It drives an
 * audio engine it does not own (engine.h) and knows no device: the TUI (app/tui*.c) and
 * `groove run --headless` (app/cmd_run.c) feed it keys, MIDI taps and the clock, and read its
 * state to draw or print. MIDI out goes through a callback, so this file stays pure.
 *
 * The loop: instrument_tick(), called often (every few ms) by the control thread, reads the
 * engine's transport. When a new loop starts it asks the worker for the part of the loop after
 * it (so the model runs at least once per loop); taps and edits ask again at once. A result is
 * handed to the engine, which takes it over at the next loop boundary, never mid-loop: the bar
 * the player hears stays whole, and a regeneration a few ms late costs nothing but waiting one
 * loop. The part shown is the part playing; it changes when the engine swaps.
 *
 * Taps land on the groove at the playhead with their micro-timing (live.h); the first tap while
 * stopped starts the transport on step 0. Hand edits of a drum row keep (freeze) that row, or
 * the next regeneration would undo them. Every edit - taps (one snapshot per loop pass of
 * tapping), cell edits, row clears, control changes - can be undone. Every change is autosaved
 * (debounced to ~0.2 s) atomically; a session file that does not load is set aside, reported.
 *
 * Practice (docs/instrument.md): a click and a count-in (played by the engine), timing
 * feedback per loop (timing.h), an input latency compensation per input (keys, MIDI) kept in
 * the machine's config (config.h) and measured by a calibration, and when a new part takes
 * over (respond: loop, bar or beat). Time: the engine's render clock is mapped onto the
 * caller's clock (Timing_clock), so a tap's moment becomes the step the player heard then,
 * whatever the control thread's polling delay.
 *
 * Threads: every function here from the control thread only (the worker is inside).
 */
#ifndef GROOVE_INSTRUMENT_H
#define GROOVE_INSTRUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "form.h"
#include "live.h"
#include "model.h"
#include "regen.h"
#include "session.h"
#include "session_lock.h"
#include "timing.h"
#include "tap_sound.h"
#include "undo.h"

#define INSTRUMENT_UNDO_DEPTH 200
#define INSTRUMENT_MESSAGE_LOG 8   /* messages kept for the TUI's message log (key H) */
#define INSTRUMENT_MESSAGE_SECONDS 5.0
#define INSTRUMENT_GROOVE_ROW (-1)   /* edit row of the groove; drum rows are 0..8 */

/* Sends one drum note out (MIDI out): voice, velocity 0..1, when (seconds on the clock the
 * instrument is ticked with; may be slightly in the future). */
typedef void (*Instrument_note_fn)(void *user, int voice, float velocity, double when);

/* Where a tap came from: each input has its own latency compensation. */
typedef enum { INSTRUMENT_INPUT_KEYS = 0, INSTRUMENT_INPUT_MIDI, INSTRUMENT_INPUTS } Instrument_input;

#define INSTRUMENT_CALIBRATION_TAPS 12   /* a calibration ends after this many taps */
#define INSTRUMENT_COUNT_IN_MAX 2        /* bars */

typedef struct {
    const char *model_path;    /* NULL: model_default_path() */
    const char *session_path;  /* NULL: the XDG autosave path */
    int no_session;            /* 1: neither restore nor autosave (offline renders) */
    float bpm;                 /* > 0: overrides the restored tempo */
    double latency_s;          /* output latency: taps are placed this much earlier */
    int session_read_only;     /* 1: restore session_path but never write it (renders) */
    const char *config_path;   /* NULL: the XDG config ($XDG_CONFIG_HOME/groove/config) */
    double input_latency_ms;   /* finite: this compensation in ms for every input, this run only
                                  (negative when the player is early, as a calibration can say);
                                  NAN (set it so when not given): the config's values */
    int rate;                  /* the engine's sample rate (the render clock's unit); 0: 48000 */
} Instrument_options;

typedef struct {
    Session session;           /* what plays and what is saved */
    Engine *engine;            /* not owned */
    Model model;
    int model_is_random;       /* 1: no trained model file, random weights */
    char model_note[200];      /* where the model came from */
    Regen regen;
    Undo undo;
    Live_recorder recorder;
    Tap_tempo tap_tempo;
    /* hand-off to the engine */
    Hvo next_raw;              /* newest model output, for the next loop */
    int have_next;             /* next_raw holds a part not yet playing */
    Hvo sent;                  /* the pattern last handed to the engine */
    uint64_t accepted_serial;  /* newest regen result taken */
    uint64_t accept_from;      /* results of older requests are dropped (set by undo/redo) */
    uint64_t engine_serial;    /* engine pattern swaps seen */
    int64_t loop_seen;         /* loop count last seen from the engine */
    Engine_position pos;        /* last read */
    int play_pending;          /* play asked for, the engine has not reported it yet */
    double play_pending_since;
    int first_request_due;     /* play started: ask for loop 1's part once the engine has begun loop 0 */
    int fill_next;             /* one-shot fill on the next loop */
    int fill_now;              /* the loop playing is a fill */
    /* variations: a stack of (seed, variation) to go back to */
    uint32_t back_seed[32];
    int32_t back_variation[32];
    int n_back;
    /* taps */
    int64_t tap_undo_loop;     /* loop pass whose taps already have an undo snapshot */
    uint64_t taps;             /* taps recorded since start */
    /* clock: engine position against the caller's clock */
    double clock_time, clock_step;
    int64_t clock_frame;
    double latency_s;
    /* saving */
    char session_path[1024];
    Session_lock session_lock;  /* held while autosaving to session_path (session_lock.h) */
    int edited;                 /* changed in this run (quitting asks only then; [+] may be older) */
    int tap_sound;              /* what a tap sounds like (tap_sound.h), TAP_SOUND_NOTE at start */
    int tap_note;               /* the MIDI note of the tap being made (-1: a key or a file) */
    long session_locked_out;    /* another instance holds the session (its pid, -1 unknown): read, never written */
    int autosave;              /* 0: not saving (no_session, or the file could not be read) */
    int dirty;                 /* changed since the last autosave */
    int unsaved;               /* changed since the last named save (Ctrl-S) */
    double last_save_time, last_save_fail;
    uint64_t saves;
    /* status */
    char message[400];
    double message_time;
    int session_read;          /* Session_status of reading the session at start (SESSION_MISSING
                                  when none was read); a caller that needs the session checks it */
    char message_log[INSTRUMENT_MESSAGE_LOG][400]; /* the last messages, newest at message_log_n - 1 (mod) */
    int message_log_n;          /* messages said so far */
    double now;                /* the last tick's clock */
    int clock_started;         /* ticked at least once */
    uint64_t generations;
    double last_gen_us, max_gen_us;
    /* practice */
    Timing_clock render_clock; /* the engine's render clock on the caller's clock */
    int rate;
    Timing_stats timing;       /* taps against the grid */
    int click;                 /* the click is on */
    int count_in_bars;         /* 0..INSTRUMENT_COUNT_IN_MAX bars of click before step 0 */
    int respond;               /* a new part takes over every 32 (loop), 16 (bar), 4 (beat) steps */
    double play_start;         /* step position the transport last started at (< 0: count-in) */
    int calibration_click_was; /* the click setting before the calibration turned it on */
    double input_latency_s[INSTRUMENT_INPUTS]; /* compensation per input, seconds */
    int calibrating;           /* a calibration is collecting taps */
    int calibration_input;     /* the input being calibrated, -1 until its first tap */
    Calibration calibration;
    double calibrated_ms, calibrated_spread_ms; /* the last calibration's result (NAN: none) */
    int calibrated_taps;
    int calibrated_saved;      /* the last calibration went into the config file */
    Config config;             /* the machine's settings file */
    char config_path[1024];
    int config_writable;       /* 0: the file would not load: never overwritten */
    char config_note[300];     /* what was wrong with the config file ("" when nothing) */
    /* MIDI out */
    Instrument_note_fn note_out;
    void *note_user;
    double note_scanned;       /* absolute step position scanned up to */
    /* song form, evolve, morph (app/play/instrument_form.h) */
    Form form;                 /* sections, chain, the latent's walk and snapshots */
    Session pending;           /* a section that takes over at the next loop, when pending_slot >= 0 */
    int pending_slot;
    int64_t pending_loop;      /* the loop it takes over */
    float last_eps[EVOLVE_MAX_LATENT];   /* the latent noise of the newest request */
    int last_has_eps;
    Hvo prev_part;             /* the part of the loop before this one (changed cells) */
    int have_prev;
    int stem_voice;            /* -1: every voice sounds; v: only v (a stem render) */
    int read_only;             /* the session file is read, never written nor set aside */
    /* issue 13: what the taps come from, and the part that just played as the model's memory */
    int input_kind;            /* Input_kind of the latest taps' source (computer keys: taps) */
    int input_forced;          /* -1, or the kind --input fixed */
    Model_memory memory;       /* the part that was playing when the groove last changed, and
                                * the groove it was made from (the one before) */
    int have_memory;           /* memory holds a part (something had played) */
    Groove memory_groove;      /* the groove memory was taken for */
    int memory_taken;          /* memory_groove is valid */
    int part_restored;         /* the session's part came from the session file */
} Instrument;

/* Loads the model (or random weights, saying so), restores the session, starts the worker and
 * primes the engine. Returns 0, or -1 with a one-line reason in err (out of memory, a model
 * file that exists but will not load, a worker that will not start). */
int instrument_init(Instrument *in, Engine *engine, const Instrument_options *opt, char *err, size_t errlen);
/* Stops the worker, saves a dirty session, frees everything. */
void instrument_deinit(Instrument *in);
/* Advances: reads the transport, requests and hands over parts, autosaves, sends MIDI out.
 * now: seconds on a monotonic clock (the same clock as instrument_tap's t). */
void instrument_tick(Instrument *in, double now);
/* Offline rendering only: ticks (at now) until the worker has answered the newest request, so
 * an offline render never runs ahead of the model. */
void instrument_wait_for_model(Instrument *in, double now);
/* Sets (NULL: clears) the MIDI out callback. */
void instrument_set_note_out(Instrument *in, Instrument_note_fn fn, void *user);

/* Estimated absolute step position heard at time t (engine step + elapsed, minus latency). */
double instrument_position_at(const Instrument *in, double t);
/* What the taps come from (Input_kind, model_params.h): the front ends call it as taps
 * arrive - computer keys are taps, a MIDI keyboard keys, channel-10 pads or a drum file
 * drums - and the model is told at the next generation. A kind fixed by
 * instrument_force_input_kind wins (-1 there: follow the source again). */
void instrument_note_input(Instrument *in, int kind);
void instrument_force_input_kind(Instrument *in, int kind);
/* A tap at time t (keyboard, MIDI in): recorded at the playhead, sounded at once. */
void instrument_tap(Instrument *in, float velocity, double t);
/* A tap from an input at time t: its compensation is taken off the time first. */
void instrument_tap_from(Instrument *in, Instrument_input input, float velocity, double t);
/* A tap of MIDI note `note` at time t: as instrument_tap, sounded as the tap sound says. */
void instrument_tap_note(Instrument *in, float velocity, double t, int note);
/* Sets the groove outright (an offline render of a file: the groove of the loop about to
 * come, known in advance) and asks the model for the next loop's part (stopped: for loop 0). */
void instrument_set_groove(Instrument *in, const Groove *groove);
/* What taps sound like (tap_sound.h: note, none, click or a voice); says so on the status line. */
void instrument_set_tap_sound(Instrument *in, int sound);
/* A tap at an exact absolute step position (--play-groove). */
void instrument_tap_at(Instrument *in, float velocity, double position);
/* A tap whose groove was set outright (instrument_set_groove: the aligned render of a file)
 * at absolute step `position`: counted and timed against the grid (the loop lines' taps,
 * the summary) like a played tap, but not recorded again and not sounded. */
void instrument_tap_counted(Instrument *in, double position);
/* The moment (seconds on the tick clock) at which the player hears absolute step `position`,
 * by the current estimate (the inverse of instrument_position_at). */
double instrument_time_of(const Instrument *in, double position);
/* 1 while the count-in plays (the transport runs before step 0). */
int instrument_counting_in(const Instrument *in);
/* Starts / stops the transport; toggle returns 1 when now playing. */
void instrument_play(Instrument *in);
void instrument_stop(Instrument *in);
int instrument_toggle_play(Instrument *in);
int instrument_is_playing(const Instrument *in);

/* Controls (each undoable, saved, and regenerating where the model reads it). */
void instrument_set_bpm(Instrument *in, float bpm);
/* The BPM keys: delta +-1 or +-10 from the whole BPM (after tap tempo, 99.6: +1 gives 100,
 * -1 gives 99, +10 gives 110), so the tempo snaps back to whole BPM. */
void instrument_step_bpm(Instrument *in, int delta);
/* Follows a tempo given from outside (a --play-groove file's tempo map, Link, MIDI
 * clock in): sets the tempo without an undo step or an unsaved mark. */
void instrument_follow_bpm(Instrument *in, float bpm);
void instrument_tap_tempo(Instrument *in, double t);
void instrument_set_swing(Instrument *in, float swing);
void instrument_set_density(Instrument *in, float density);
void instrument_set_temperature(Instrument *in, float temperature);
void instrument_set_threshold(Instrument *in, int voice, float threshold);
void instrument_set_genre(Instrument *in, int genre);       /* -1 none */
void instrument_fill_next(Instrument *in);                   /* one fill on the next loop */
void instrument_set_fill_every(Instrument *in, int every);   /* 0 off */
void instrument_new_variation(Instrument *in);               /* resample z */
void instrument_previous_variation(Instrument *in);          /* back one variation */
void instrument_toggle_keep(Instrument *in, int voice);
void instrument_toggle_mute(Instrument *in, int voice);
/* Frees every kept (frozen) voice at once: the next part is all the model's. */
void instrument_free_all(Instrument *in);
void instrument_toggle_solo(Instrument *in, int voice);
void instrument_toggle_record_mode(Instrument *in);
/* Sets the recording mode as a start-up option (not an edit: no undo step). */
void instrument_set_record_mode(Instrument *in, Live_mode mode);
/* The hit thresholds a generation uses for an input kind: the ones the player set (st), plus,
 * for a keyboard part, the model's keys thresholds' shift from its drums' (model.h). */
void instrument_thresholds_for(const Instrument *in, const Session_settings *st, int kind, float th[HVO_VOICES]);
/* Regenerates now (for the next loop). */
void instrument_regenerate(Instrument *in);
/* `r`: draws a new variation now (a new seed; the part takes over at the next respond point). */
void instrument_redraw(Instrument *in);

/* Practice controls (not part of the session: they belong to the player's practice, not the
 * groove). */
void instrument_set_click(Instrument *in, int on);
void instrument_set_count_in(Instrument *in, int bars);     /* clamped to 0..2 */
void instrument_set_respond(Instrument *in, int steps);     /* 32, 16 or 4 */
const char *instrument_respond_name(int steps);             /* "loop", "bar", "beat" */
/* Starts a calibration: the click on, the transport running, the next
 * INSTRUMENT_CALIBRATION_TAPS taps measured against the beats (not recorded). */
void instrument_calibrate_start(Instrument *in);
/* Ends it: with at least TIMING_CALIBRATION_MIN taps the median becomes the compensation of
 * the input that tapped, saved in the config (when `save`). Returns 0 (result in
 * calibrated_*), or -1 (too few taps; nothing changes). */
int instrument_calibrate_finish(Instrument *in, int save);
/* The summary line for quitting ("32 loops, 412 taps, 6 ms late on average, spread 9 ms"). */
const char *instrument_summary(const Instrument *in, char *buf, size_t n);

/* Hand edits. row: INSTRUMENT_GROOVE_ROW or a voice 0..8; step 0..31. */
void instrument_edit_toggle(Instrument *in, int row, int step);
void instrument_edit_velocity(Instrument *in, int row, int step, float delta);
void instrument_edit_nudge(Instrument *in, int row, int step, float delta);
void instrument_edit_clear_row(Instrument *in, int row);
/* Reads one cell of a row: returns 1 when it holds a hit (velocity and offset filled). */
int instrument_cell(const Instrument *in, int row, int step, float *velocity, float *offset);
/* Undo / redo the last edit. Return 1 when something changed. */
int instrument_undo(Instrument *in);
int instrument_redo(Instrument *in);

/* Saves the session to a named file (Ctrl-S); clears `unsaved`. 0, or -1 with err. */
int instrument_save_as(Instrument *in, const char *path, char *err, size_t errlen);
/* Writes the part playing as a 2-bar MIDI file. 0, or -1 with err. */
int instrument_export_midi(Instrument *in, const char *path, char *err, size_t errlen);

/* Sets the status message (printf-style); it fades after INSTRUMENT_MESSAGE_SECONDS. */
/* The message said `back` messages ago (0: the last), or "" when there is none. */
const char *instrument_message_log(const Instrument *in, int back);
void instrument_message(Instrument *in, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The message while it is fresh, else "". */
const char *instrument_message_now(const Instrument *in);

#endif
