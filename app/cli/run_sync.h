/* run_sync.h - sets up keeping time with others for `groove run` (headless and TUI): the
 * tempo source (Link, MIDI clock in, or internal), MIDI clock out, the MIDI files that stand
 * in for ports, the output offsets from the config file (app/play/config.h) or the options,
 * and the glue between app/play/sync.h and the devices (app/dev/link.h, dev_midi.h).
 *
 * Order of use (control thread): run_sync_open after instrument_init and before the audio
 * starts (it hooks the engine); run_sync_ports for midi_open_ports; run_sync_attach_midi once
 * MIDI is open; sync_tick (sync.h) in the main loop; run_sync_finish after audio_close and
 * before midi_close; run_sync_close last.
 */
#ifndef GROOVE_RUN_SYNC_H
#define GROOVE_RUN_SYNC_H

#include <stddef.h>

#include "dev_midi.h"
#include "engine.h"
#include "instrument.h"
#include "link.h"
#include "sync.h"

typedef struct {
    int link;                  /* --link: join the session at once */
    int link_key;              /* the TUI: Link is there to join with a key */
    const char *clock_in, *clock_out, *midi_in_file, *midi_out_file;
    int have_audio_offset, have_midi_offset; /* options given: they override and are saved */
    float audio_offset_ms, midi_offset_ms;
    const Sync_bpm_at *bpm_at;
    int n_bpm_at;
    int realtime;              /* 0: offline render (engine clock only) */
    double latency_s;          /* the audio device's buffer, seconds */
    int rate;
    int save_offsets;          /* write offsets given as options to the config file */
} Run_sync_options;

typedef struct {
    Sync sync;
    Link_session *link;
    int ready;
} Run_sync;

/* Prepares the sync source and hooks the engine. 0, or -1 with a one-line reason in err. */
int run_sync_open(Run_sync *rs, const Run_sync_options *o, Instrument *in, Engine *engine, char *err, size_t errlen);
/* The clock ports to give midi_open_ports. */
Midi_clock_ports run_sync_ports(Run_sync *rs, const Run_sync_options *o);
/* MIDI clock out goes to the MIDI layer from now on. */
void run_sync_attach_midi(Run_sync *rs, Midi *m);
/* The TUI's Link key: joins or leaves the session. Returns 1 when in it; -1 when another
 * source (clock in) is in force. */
int run_sync_toggle_link(Run_sync *rs);
/* After the audio stopped: a Stop on clock out, the MIDI out file written. 0 or -1 with err. */
int run_sync_finish(Run_sync *rs, const char *midi_out_file, char *err, size_t errlen);
void run_sync_close(Run_sync *rs);

#endif
