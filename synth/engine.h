/* engine.h - the sample player's core: sequencer, voices and mixer, rendering into a buffer.
 *
 * The engine plays a 2-bar Hvo pattern in a loop with a kit, and live pad hits on top. It
 * knows nothing of audio devices: engine_render() fills a float buffer (interleaved stereo),
 * which the device layer (dev_audio.h) hands to PortAudio, `groove render` writes to a WAV
 * file and the tests inspect frame by frame.
 *
 * Time is counted in sample frames from the moment the transport started. A step (16th note)
 * lasts rate * 60 / (bpm * 4) frames. A hit on step n of loop k with offset o sounds at step
 * position 32k + n + o (+ swing on odd steps), at the frame nearest to that position. So a hit
 * with offset -0.3 on step 0 of loop k+1 sounds 0.3 steps before the loop line. The sequencer
 * schedules each step half a step before its grid line (the earliest any of its hits may
 * sound), and latches the pattern for a new loop when it schedules that loop's step 0: that
 * is the "loop boundary" at which a pattern set with engine_set_pattern() takes over.
 *
 * Respond (engine_set_respond): a new pattern may also take over at every bar (16 steps) or
 * every beat (4 steps) instead of every loop. The splice rule, the same at every splice point k
 * (loop, bar or beat line): the pattern is latched when step k-1 is scheduled; step k-1 is the
 * splice window's first half and step k its second. For each voice, if the new pattern has a hit
 * on step k-1 or k, the voice's step k-1 comes from the new pattern, otherwise from the old one;
 * every step from k on comes from the new one. So a hit that moved across the line (old k-1, new
 * k, or old k, new k-1) sounds once, never twice and never not at all, and a hit the new pattern
 * does not have near the line, but the old one had on k-1, still sounds.
 *
 * Click and count-in: the engine's own metronome voice (drumsynth_click), one tick on every
 * beat, the first beat of each bar accented, scheduled with the steps (sample-accurate), with
 * its own level (not the master, not the limiter's input of a voice: it is never part of a
 * pattern). engine_play_from(e, -16 * N) starts the transport N bars early: the steps before 0
 * are the count-in, which always clicks; pattern hits start at step 0.
 *
 * Voices: 9 (hvo.h), each with ENGINE_POLYPHONY overlapping hits (the oldest is faded out
 * when a new one needs room). Choke groups: a hit stops the other voices of its group (closed
 * and open hat share group 1). Velocity v in 0..1 sets amplitude v^ENGINE_VELOCITY_CURVE and
 * picks the kit's velocity layer. Per-voice gain, pan, mute and solo; master gain; a soft
 * limiter keeps every output sample inside (-1, 1).
 *
 * THREADS. There are exactly three roles:
 *  - the control thread (one thread: the UI / main loop): engine_init, engine_deinit and every
 *    engine_set_* / engine_hit / engine_play / engine_stop call. Its settings travel to the
 *    audio thread through an SPSC command ring (ring.h); patterns through a 3-slot hand-off
 *    with an atomic compare-and-swap of the slot indices. These calls never block; a command is dropped only if the
 *    ring (ENGINE_RING_SIZE commands) is full, and they return 0 then.
 *  - the audio thread (the device callback, or the offline renderer): engine_render only.
 *    It never allocates, locks, prints or does I/O.
 *  - any thread: engine_position, engine_stats, engine_note_load, engine_note_xrun (atomics).
 * The control thread may call engine_render itself when no audio thread runs (offline render
 * and tests do exactly that).
 *
 * Caller-owned struct: engine_init / engine_deinit. Fields are private to engine.c; read them
 * only through the functions below.
 */
#ifndef GROOVE_ENGINE_H
#define GROOVE_ENGINE_H

#include <stdatomic.h>
#include <stdint.h>

#include "hvo.h"
#include "ring.h"

#define ENGINE_CHANNELS 2          /* output is interleaved stereo float */
#define ENGINE_POLYPHONY 4         /* overlapping hits per voice */
#define ENGINE_SLOTS (ENGINE_POLYPHONY + 1) /* plus one where a stolen hit fades out */
#define ENGINE_RING_SIZE 256       /* commands in flight, control -> audio */
#define ENGINE_MAX_EVENTS 128      /* scheduled hits not yet sounding */
#define ENGINE_VELOCITY_CURVE 1.6f /* amplitude = velocity ^ curve */
#define ENGINE_CHOKE_FADE_S 0.004  /* a choked or stolen hit fades out over this long */
#define ENGINE_LIMIT_KNEE 0.8f     /* the soft limiter is transparent below this level */
#define ENGINE_DEFAULT_MASTER 0.6f /* master gain at init: headroom for 9 voices at once */
#define ENGINE_CLICK_EVENTS 8      /* click ticks scheduled, not yet sounding */
#define ENGINE_DEFAULT_CLICK_LEVEL 0.5f /* click gain at init (linear, its own: not the master) */

typedef struct Kit Kit; /* kit.h */

/* One scheduled hit: the sequencer's output, the voices' input. Events are data. */
typedef struct {
    int64_t frame;  /* absolute transport frame at which it starts */
    int voice;      /* 0..8 */
    float velocity; /* 0..1 */
} Engine_event;

/* One rendered block as a sync hook sees it (audio thread; see Engine_hook). */
typedef struct {
    int64_t clock;            /* frames rendered ever, at the block's first frame */
    int64_t frame;            /* transport frame at the block's first frame */
    int frames;               /* the block's length */
    int rate;
    int playing;              /* the transport runs during the block */
    int started;              /* it (re)started at the block's first frame (engine_play, or the hook) */
    int stopped;              /* it stopped there (engine_stop, or the hook) */
    double step;              /* absolute step position at the block's first frame (< 0: before step 0) */
    double frames_per_step;   /* the tempo in force for the block */
    int64_t audio_offset;     /* frames added to every scheduled hit (engine_set_offset) */
    unsigned audible;         /* bit v set: voice v is heard (not muted, not silenced by a solo) */
    const Engine_event *events; /* hits scheduled in this block (after() only): their frames are
                                   transport frames and may lie in later blocks */
    int n_events;
} Engine_block;

/* What a sync source asks of the engine for the block about to be rendered. */
typedef struct {
    int active;               /* 0: the engine keeps its own time (nothing below applies) */
    int playing;              /* 1 run, 0 stop, -1 keep the engine's own transport */
    int restart;              /* 1: start from the top again although running */
    double bpm;               /* tempo (> 0), or 0 to keep the engine's */
    int have_step;            /* 1: step holds where the transport is at the block's first frame */
    double step;              /* absolute step position there (negative: step 0 is still ahead) */
} Engine_follow;

/* A sync source hooked into the audio thread: before() is called at the start of every block
 * (after the control commands are applied) and may steer tempo, transport and position;
 * after() sees the block's transport and the hits it scheduled (MIDI clock and notes out). Both
 * run on the audio thread: they must not allocate, lock, print or do I/O. */
typedef struct {
    void (*before)(void *user, const Engine_block *b, Engine_follow *f);
    void (*after)(void *user, const Engine_block *b);
    void *user;
} Engine_hook;

/* Where the transport is (any thread; each field read atomically at one block's start). */
typedef struct {
    int playing;          /* 1 while the transport runs */
    int64_t frame;        /* frames rendered since engine_play (or init) */
    double step;          /* absolute step position: 32 * loop + step in loop (+ fraction) */
    int step_in_loop;     /* 0..31, the step under the playhead */
    int64_t loop;         /* loops completed since engine_play */
    uint64_t pattern_serial; /* patterns taken over so far: goes up by 1 at each swap */
    float bpm;            /* tempo in force */
    int64_t clock;        /* frames rendered ever (stopped or not) at the start of that block */
} Engine_position;

/* The audio thread's health (any thread). Loads are callback time / buffer duration. */
typedef struct {
    uint64_t xruns;       /* underflows reported by the device (engine_note_xrun) */
    uint64_t callbacks;   /* blocks rendered */
    float load;           /* last callback's load, 0..1 (engine_note_load) */
    float load_max;       /* worst since init or engine_reset_stats */
    float load_avg;       /* exponential average over about 100 callbacks */
    uint64_t dropped_commands; /* control commands lost to a full ring */
    uint64_t dropped_events;   /* hits lost to a full event queue (should stay 0) */
    int voices_active;    /* hits sounding at the last block */
} Engine_stats;

/* One sounding hit (private). */
typedef struct {
    const float *data; /* mono samples of the kit layer */
    int32_t length;    /* frames */
    int32_t pos;       /* next frame to play; >= length: idle */
    int64_t age;       /* start frame, for stealing the oldest */
    float gain;        /* velocity * layer gain */
    float fade;        /* 1 while playing; ramps to 0 when choked */
    float fade_step;   /* 0, or the per-frame decrement while fading */
} Engine_play;

/* Per-voice settings as the audio thread sees them (private). */
typedef struct {
    float gain;   /* linear */
    float pan;    /* -1 left .. +1 right */
    int mute;
    int solo;
    int choke_group; /* 0 = none */
} Engine_voice_settings;

typedef struct {
    /* set at init */
    int rate;                          /* frames per second */
    /* control thread's copy of what it asked for (read by the engine_get_* functions) */
    Engine_voice_settings ctl_voice[HVO_VOICES];
    float ctl_bpm, ctl_swing, ctl_master;
    /* control -> audio */
    Ring commands;                     /* Engine_command items */
    Hvo slots[3];                      /* pattern hand-off: control writes a free slot */
    atomic_int slot_state;             /* (pending + 1) | (current + 1) << 4; -1 = none */
    _Atomic(const Kit *) kit_next;     /* kit to switch to at the next block */
    _Atomic(const Kit *) kit_active;   /* kit the audio thread plays (published) */
    Engine_hook hook;                  /* set before any thread renders (engine_set_hook) */
    /* audio thread state */
    int64_t offset_frames;             /* audio output offset, frames (engine_set_offset) */
    int cmd_started, cmd_stopped;      /* engine_play / engine_stop applied in this block */
    const Kit *kit;
    Engine_voice_settings voice[HVO_VOICES];
    float mix_left[HVO_VOICES], mix_right[HVO_VOICES]; /* gains in force (ramped per block) */
    Engine_play play[HVO_VOICES][ENGINE_SLOTS]; /* the last slot of each voice: a stolen hit fading */
    Engine_event events[ENGINE_MAX_EVENTS]; /* scheduled, not yet started; unordered */
    int n_events;
    int playing;
    float bpm, swing, master;
    int64_t frame;                     /* transport frame of the next output frame */
    int64_t base_frame;                /* frame at which the tempo last changed */
    double base_step;                  /* step position at base_frame */
    double frames_per_step;
    int64_t next_step;                 /* next absolute step to schedule */
    int current;                       /* slot played now, or -1 */
    uint64_t serial;
    int64_t clock;                     /* frames rendered ever (ages of hits) */
    int respond;                       /* steps between splice points: 32, 16 or 4 */
    /* the click: two sounds made at init (accent, other beats), ticks scheduled with steps */
    float *click_sound[2];             /* [0] other beats, [1] accent; click_frames each */
    int click_frames;
    int ctl_click, ctl_respond;
    float ctl_click_level;
    int click_on;
    float click_level;
    int64_t click_at[ENGINE_CLICK_EVENTS]; /* transport frames of scheduled ticks */
    int click_accent[ENGINE_CLICK_EVENTS];
    int n_click;
    int click_pos, click_which;        /* sounding tick: next frame (>= click_frames: idle) */
    /* published by the audio thread */
    atomic_llong pub_frame;
    atomic_llong pub_step_q;           /* step position * 65536 */
    atomic_int pub_playing;
    atomic_ullong pub_serial;
    atomic_int pub_voices;
    atomic_uint pub_bpm_bits;          /* float bits */
    atomic_llong pub_clock;
    /* statistics (any thread writes through engine_note_*) */
    atomic_ullong xruns, callbacks, dropped_commands, dropped_events;
    atomic_uint load_bits, load_max_bits, load_avg_bits; /* float bits */
} Engine;

/* ---- control thread ---- */

/* Initialises an engine at a sample rate with a kit (which must outlive its use by the engine;
 * NULL plays silence). Stopped, 120 bpm, no swing, unity voice gains, master ENGINE_DEFAULT_MASTER, no pattern. 0 or -1 (memory). */
int engine_init(Engine *e, int rate, const Kit *kit);
/* Frees the command ring. No thread may render afterwards. */
void engine_deinit(Engine *e);

/* Hands a pattern over; it takes over at the next loop boundary (or at once when nothing is
 * playing yet). Copies *p; a later call before the boundary replaces an unplayed one. */
void engine_set_pattern(Engine *e, const Hvo *p);
/* Starts the transport at frame 0, loop 0, step 0 (returns 0 if the ring is full). */
int engine_play(Engine *e);
/* Starts the transport at frame 0 at step position `start` (steps, may be fractional):
 * negative for a count-in (-16 per bar: those steps only click), or slightly positive to line
 * the grid up with a moment already past (a tap that started the transport). */
int engine_play_from(Engine *e, double start);
/* The click on (1) or off (0), and its level (linear gain 0..4, default
 * ENGINE_DEFAULT_CLICK_LEVEL). The count-in clicks whatever this says. */
int engine_set_click(Engine *e, int on);
int engine_set_click_level(Engine *e, float gain);
/* When a new pattern takes over: every `steps` steps (32 loop, 16 bar, 4 beat; see above). */
int engine_set_respond(Engine *e, int steps);
/* Stops the transport; sounding hits ring out, scheduled ones are dropped. */
int engine_stop(Engine *e);
/* Tempo in bpm (clamped to 20..400). The playhead keeps its step position. */
int engine_set_bpm(Engine *e, float bpm);
/* Swing: odd 16th steps are delayed by this many steps (0 straight .. 0.5; 1/3 = triplet). */
int engine_set_swing(Engine *e, float swing);
/* Per-voice gain (linear, 0..4), pan (-1..1), mute, solo (any soloed voice silences the
 * voices that are not soloed). */
int engine_set_gain(Engine *e, int voice, float gain);
int engine_set_pan(Engine *e, int voice, float pan);
int engine_set_mute(Engine *e, int voice, int mute);
int engine_set_solo(Engine *e, int voice, int solo);
/* Choke group of a voice (0 = none). A hit stops the sounding hits of the other voices in
 * its group. Default: closed and open hat in group 1. */
int engine_set_choke(Engine *e, int voice, int group);
/* Audio output offset in milliseconds (-50..50): every scheduled hit sounds this much later
 * (earlier when negative; never before the moment it is scheduled), to line the drums up with
 * other gear. Pad hits are not moved. */
int engine_set_offset(Engine *e, float ms);
/* Hooks a sync source into the audio thread (NULL: none). Call before any thread renders. */
void engine_set_hook(Engine *e, const Engine_hook *hook);
/* Master gain (linear, 0..4), before the soft limiter. */
int engine_set_master(Engine *e, float gain);
/* A pad hit: sounds at the start of the next rendered block (immediately, live). Works with
 * the transport stopped too. Mute/solo apply. */
int engine_hit(Engine *e, int voice, float velocity);
/* Sounds the click (its unaccented tick, at its own level) at the next block, as a live hit. */
int engine_hit_click(Engine *e);
/* Switches kits at the next block: sounding hits stop. The old kit may be freed once
 * engine_kit_in_use() no longer returns it (or no thread renders any more). */
void engine_set_kit(Engine *e, const Kit *kit);
/* The kit the audio thread plays now (any thread). */
const Kit *engine_kit_in_use(Engine *e);

/* What the control thread last asked for (its own copy; no atomics needed). */
float engine_get_bpm(const Engine *e);
float engine_get_swing(const Engine *e);
float engine_get_master(const Engine *e);
float engine_get_gain(const Engine *e, int voice);
int engine_get_mute(const Engine *e, int voice);
int engine_get_solo(const Engine *e, int voice);
int engine_get_click(const Engine *e);
float engine_get_click_level(const Engine *e);
int engine_get_respond(const Engine *e);

/* Frames per step at a tempo and rate (rate * 60 / (bpm * 4)). */
double engine_frames_per_step(int rate, float bpm);

/* ---- audio thread ---- */

/* Renders frames frames of interleaved stereo into out (overwrites it): applies queued
 * commands, takes a pattern over at the loop boundary, schedules and starts hits at their
 * exact frames, mixes, limits. Never allocates, locks, prints or does I/O. */
void engine_render(Engine *e, float *out, int frames);

/* ---- any thread ---- */

/* The transport position at the start of the last rendered block. */
void engine_position(Engine *e, Engine_position *pos);
/* A snapshot of the statistics. */
void engine_stats(Engine *e, Engine_stats *st);
/* The device layer reports each callback's load (time used / buffer duration) and xruns. */
void engine_note_load(Engine *e, float load);
void engine_note_xrun(Engine *e);
/* Zeroes xruns, load figures and the drop counters. */
void engine_reset_stats(Engine *e);

#endif
