/* run_options.h - the options of `groove` / `groove run`: what the command line asks of the
 * instrument (kit, model, devices, session, headless runs, practice, sync), parsed by
 * getopt_long and core/options.h into one Run_options.
 *
 * Thread: the control thread, once at start. The strings point into argv (not copied).
 */
#ifndef GROOVE_RUN_OPTIONS_H
#define GROOVE_RUN_OPTIONS_H

#include "practice.h"
#include "session.h"
#include "sync.h"
#include "tui.h"

typedef struct {
    const char *kit, *model, *midi_in, *midi_out, *audio_device, *play_groove, *out_wav, *out_mid;
    const char *session;
    const char *chain;         /* --chain TEXT: set and play a chain of sections */
    int play_chain;            /* --play-chain: play the session's chain */
    int tracks;                /* --tracks: --out-mid as one track per voice */
    float bpm;
    int headless, loops, rate, buffer, no_session;
    int rate_given;            /* --rate: otherwise the device's own rate */
    int json;                  /* headless: one JSON object per loop (app/play/loop_report.h) */
    float evolve;              /* --evolve, or -1 (the session's) */
    int n_mix;                 /* --gain / --pan, in order */
    struct { int ch, pan; float value; } mix[2 * SESSION_MIX_CHANNELS * 4];
    Tui_glyphs glyphs;         /* --glyphs auto|unicode|ascii */
    int input_kind;            /* --input drums|keys|taps, or -1: from the source */
    Practice_options practice; /* click, count-in, respond, latency, calibration (practice.h) */
    int live;                  /* --live: an offline render of a file keeps the as-played lag */
    int tap_sound;             /* --tap-sound (tap_sound.h), or -4: the default */
    /* sync (app/play/sync.h, docs/sync.md) */
    int link;
    const char *clock_in, *clock_out, *midi_in_file, *midi_out_file;
    float audio_offset_ms, midi_offset_ms;
    int have_audio_offset, have_midi_offset;
    Sync_bpm_at bpm_at[SYNC_MAX_BPM_AT];
    int n_bpm_at;
} Run_options;

/* Parses argv (argv[0] the command) into o, defaults first. OPTIONS_OK, OPTIONS_HELP (the
 * usage printed to stdout), or OPTIONS_USAGE (one line said on stderr). */
int run_options_parse(int argc, char **argv, Run_options *o);

#endif
