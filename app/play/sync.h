/* sync.h - keeping time with other players: Ableton Link, MIDI clock in and out, the output
 * offsets, and MIDI files that stand in for MIDI ports (docs/sync.md).
 *
 * One tempo source at a time (Sync_source): groove's own clock (internal), an Ableton Link
 * session, or a MIDI clock coming in. The Sync hooks into the engine's audio thread
 * (engine_set_hook): at the start of every block it asks the source where the transport is
 * and the engine follows (tempo, start/stop, step position); after the block it turns the
 * block's transport into MIDI clock out (midi_clock.h) and its scheduled hits into notes, at
 * frames of the engine's own clock - nothing in the timing depends on the control thread.
 *
 *  - Link: groove follows and sets the session tempo; its loops start on bar lines of the Link
 *    timeline (quantum SYNC_QUANTUM = 4 beats: when the transport starts it waits for the next
 *    bar line); start/stop sync is on (playing or stopping here plays or stops the session, and
 *    the other way round). The audio thread reads Link's audio-thread session state (real-time
 *    safe); the control thread its app-thread state (Sync_link: app/dev/link.h fills it in).
 *  - MIDI clock in: tempo, Start/Stop/Continue and Song Position from the pulses (the first
 *    loop starts on the first pulse after Start); a lost clock holds the tempo and says so.
 *  - MIDI clock out (with any source): 24 PPQN, Start/Stop/Continue and Song Position with the
 *    transport, timestamped from the engine's clock.
 *  - Output offsets (-50..+50 ms; + = later): audio (engine_set_offset) and MIDI out (notes and
 *    clock) separately, to line groove up with other gear.
 *
 * Times. The engine clock is frames rendered / rate, from the first rendered frame (offline
 * renders have only this clock). MIDI files in and out are on the engine clock. Ports and Link
 * are on the host clock (CLOCK_MONOTONIC seconds, host_now): the audio thread keeps a smoothed
 * map from engine frames to host time, and the frame rendered now is heard latency_s later.
 *
 * Threads: sync_init / sync_deinit / sync_load_midi_in / sync_tick / sync_set_* / sync_report /
 * sync_status / sync_write_midi_out from the control thread; the hook from the audio thread;
 * sync_port_in from the MIDI thread (one producer). They meet in SPSC rings and atomics.
 */
#ifndef GROOVE_SYNC_H
#define GROOVE_SYNC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "instrument.h"
#include "loop_report.h"
#include "midi_clock.h"
#include "ring.h"

typedef enum { SYNC_INTERNAL = 0, SYNC_LINK, SYNC_CLOCK } Sync_source;

#define SYNC_QUANTUM 4.0          /* beats per bar on the Link timeline */
#define SYNC_OFFSET_MAX_MS 50.0   /* output offsets lie in -50..+50 ms */
#define SYNC_RING 8192            /* messages in flight between threads */
#define SYNC_NOTE_LENGTH_S 0.05   /* note-offs in the MIDI out file, as dev_midi sends them */
#define SYNC_MAX_BPM_AT 16        /* --bpm-at changes */
#define SYNC_LOOP_BEATS 8         /* a loop (32 steps) is 8 beats */
#define SYNC_FILE_RATE 48000      /* MIDI out file ticks per second (PPQ 24000 at 120 BPM) */

/* Ableton Link as the pure core uses it (app/dev/link.h provides these). Host times are
 * CLOCK_MONOTONIC seconds. */
typedef struct {
    void *user;
    /* audio thread: the session at host time t (Link's audio-thread capture) */
    void (*audio_capture)(void *user, double t, double quantum, double *beat, double *bpm, int *playing);
    /* audio thread: start or stop the session at host time t (start/stop sync) */
    void (*audio_set_playing)(void *user, int playing, double t);
    /* control thread (Link's app-thread capture) */
    int (*peers)(void *user);
    double (*tempo)(void *user);
    void (*set_tempo)(void *user, double bpm);
} Sync_link;

/* One MIDI message at a time (seconds; which clock depends on the ring, see above). */
typedef struct {
    double time;
    uint8_t bytes[3];
    uint8_t n;
} Sync_msg;

/* A note-on from the MIDI in file, as a tap at an exact absolute step position. */
typedef struct {
    double step;
    float velocity;
    int note;          /* the MIDI note: the tap sounds as a port's note would (tap_sound.h) */
} Sync_tap;

/* Sends one message to a MIDI port at a host time (dev_midi; control thread). */
typedef void (*Sync_port_send_fn)(void *user, const uint8_t *bytes, int n, double host_time);

typedef struct {
    int loop;
    float bpm;
    int done;
} Sync_bpm_at;

typedef struct {
    Sync_source source;           /* configured: SYNC_LINK means Link is there to join */
    atomic_int link_on;           /* SYNC_LINK: 1 while in the session (sync_set_link) */
    int rate;
    int start_stop_sync;          /* Link: start/stop with the session (default 1) */
    Sync_link link;               /* SYNC_LINK only */
    double latency_s;             /* output latency of the device (0 offline) */
    double (*host_now)(void);     /* the host clock, or NULL offline (host = engine clock) */
    /* MIDI in from a file (loaded before the audio starts; read only by the audio thread) */
    Sync_msg *file_in;
    int n_file_in;
    int file_clock_pos, file_note_pos;
    /* rings */
    Ring port_in;                 /* Sync_msg, host times: MIDI thread -> audio */
    Ring out;                     /* Sync_msg, engine times (before the MIDI offset): audio -> control */
    Ring taps;                    /* Sync_tap: audio -> control */
    int want_out;                 /* 1: produce MIDI out (file or port) */
    int out_notes;                /* 1: notes too (the file) */
    /* audio thread state */
    Midi_clock_in follower;
    Midi_clock_out gen;
    uint32_t starts_seen;
    int link_rolling;
    double link_origin;           /* Link beat of step 0 */
    double block_beat, block_bpm; /* Link: the block's beat and tempo */
    int mapped;
    double map_host;              /* host time of engine frame map_frame */
    int64_t map_frame;
    /* published by the audio thread */
    atomic_uint pub_bpm_bits;     /* float: the source's tempo, 0 = none */
    atomic_int pub_lost, pub_running;
    atomic_llong pub_loop_beat_q[8]; /* Link beat * 2^20 at loop k's first step, slot k % 8 */
    atomic_llong pub_loop_idx[8];    /* k in that slot, -1 = none */
    atomic_ullong pub_out_dropped;
    /* control thread */
    float midi_offset_ms, audio_offset_ms;
    float bpm_seen;               /* session tempo last pushed or followed */
    Sync_bpm_at bpm_at[SYNC_MAX_BPM_AT];
    int n_bpm_at;
    Sync_port_send_fn port_send;  /* MIDI clock out to a port (NULL: none) */
    void *port_user;
    /* the MIDI out file being collected */
    int record_out;
    Sync_msg *rec;
    int n_rec, cap_rec;
    int rec_oom;
    double end_time;              /* engine time of the last block seen (the file's end) */
} Sync;

/* Prepares a Sync for a source at a sample rate. 0, or -1 (out of memory). */
int sync_init(Sync *s, Sync_source source, int rate);
void sync_deinit(Sync *s);
/* The engine hook to install (engine_set_hook) before the audio starts. */
Engine_hook sync_hook(Sync *s);

/* Loads a MIDI file to play in as if from a port (--midi-in-file): note-ons become taps,
 * escape events (clock, Start, Stop, Continue, Song Position) go to the clock follower, at
 * their times from the engine clock's 0. Before the audio starts. 0, or -1 with err. */
int sync_load_midi_in(Sync *s, const char *path, char *err, size_t errlen);
/* Engine-clock time of the MIDI in file's last message (0 without one). */
double sync_input_end(const Sync *s);
/* Collects everything that goes to MIDI out (notes and clock) for sync_write_midi_out. */
void sync_record_midi_out(Sync *s);
/* MIDI clock out to a port. */
void sync_set_port_out(Sync *s, Sync_port_send_fn fn, void *user);
/* Output offsets in ms, clamped to +-SYNC_OFFSET_MAX_MS. The audio one goes to the engine. */
void sync_set_offsets(Sync *s, Engine *e, float audio_ms, float midi_ms);
/* A tempo change when loop LOOP starts (headless --bpm-at); -1 when the list is full. */
int sync_add_bpm_at(Sync *s, int loop, float bpm);

/* MIDI thread: one message from the clock-in port, received at host time t. */
void sync_port_in(Sync *s, const uint8_t *bytes, int n, double t);

/* Control thread: sends the MIDI out the audio thread produced (clock to the port at host
 * times, everything to the MIDI out file's list). sync_tick does this too. */
void sync_flush_out(Sync *s);
/* Control thread, every few ms: taps from the file in, MIDI out collected or sent, tempo
 * followed (and set: a tempo changed here goes to the Link session), --bpm-at applied. */
void sync_tick(Sync *s, Instrument *in);
/* SYNC_LINK: joins (1) or leaves (0) the session; the tempo source is internal while out. */
void sync_set_link(Sync *s, int on);
/* The tempo source in force now. */
Sync_source sync_source_now(Sync *s);
/* 1 when the source starts and stops the transport itself (clock in). */
int sync_drives_transport(const Sync *s);
/* Fills the loop line's sync keys for loop LOOP: sync, link_peers, link_beat, sync_lost. */
void sync_report(Sync *s, Loop_report *r, int64_t loop);
/* The source and its tempo: "link 2 peers 120.0 BPM", "clock 100.0 BPM", "clock lost: holding
 * 100.0 BPM", "internal" (the TUI's top line, where the offsets would crowd out the rest). */
void sync_source_status(Sync *s, char *buf, size_t n);
/* The output offsets as set, "offset audio +20 ms midi -7.5 ms" (compact: "offset +20/-7.5 ms",
 * audio/MIDI), or "" when both are 0. */
void sync_offset_status(const Sync *s, int compact, char *buf, size_t n);
/* One line for the status: sync_source_status, then ", " and the offsets when not 0. */
void sync_status(Sync *s, char *buf, size_t n);
/* The source's name: "internal", "link", "clock". */
const char *sync_source_name(Sync_source src);

/* After the audio has stopped: ends MIDI clock out (a Stop if it was playing) and writes the
 * collected MIDI out as a format-0 file (PPQ 24000 at 120 BPM: 1 tick = 1/48000 s; notes on
 * channel 10, clock as F7 escape events). 0, or -1 with err. */
int sync_write_midi_out(Sync *s, const char *path, char *err, size_t errlen);

#endif
