/* dev_audio.h - the thin PortAudio layer: an output stream whose callback runs the engine.
 *
 * audio_open picks an output device (by index, or by a case-insensitive substring of its
 * name, or the default), opens a float stereo stream at the requested rate and buffer size and
 * starts it; the callback calls engine_render, measures its own time against the buffer's
 * duration (engine_note_load) and reports underflows (engine_note_xrun). ALSA's and JACK's
 * stderr chatter is hidden around Pa_Initialize (an ALSA error handler, stderr redirected),
 * and libjack is told not to start a server of its own.
 *
 * When no device can be opened the layer runs SILENT: a thread renders the engine at real-time
 * pace into nothing, so the transport still moves; audio_is_silent() says so and
 * audio_status() gives the one-line reason for the status line. A rate the device cannot
 * open is reported with the rates it can ("it opens at 44100 Hz").
 *
 * A device that dies (a JACK server killed mid-run): the clock thread watches the callbacks;
 * when none has come for 0.5 s (or 8 buffers), or PortAudio says the stream finished, the
 * device is LOST: the clock thread renders from then on (the loop goes on, silent), an event
 * says so, and a device thread lets the stream go and opens the device again every second;
 * when it plays, another event says it is back and the callback renders again. Exactly one
 * thread renders at any time (the callback renders only in DEVICE mode, the clock only in
 * SILENT mode; the switch waits for the callback to leave engine_render). PortAudio calls on
 * a dead server may never return: audio_close gives them 2 s, then leaves them behind, so
 * every way out of groove ends the process.
 *
 * Threads: audio_open / audio_close / audio_device_list / audio_device_rate from the control
 * thread only; audio_status / audio_is_silent / audio_poll_event / audio_losses from the
 * control thread. The callback, the clock thread and the device thread are the layer's own;
 * the callback or the clock thread is the engine's audio thread.
 */
#ifndef GROOVE_DEV_AUDIO_H
#define GROOVE_DEV_AUDIO_H

#include <stdio.h>

#include "engine.h"

typedef struct {
    const char *device; /* NULL, "" or "default" = default; a number = index; else the exact
                         * device name, or a part of "HOST API: NAME" ("JACK Audio Connection
                         * Kit: system"), case-insensitive */
    int rate;           /* frames per second, e.g. 48000 */
    int frames;         /* frames per buffer, e.g. 256 */
} Audio_config;

typedef struct Audio_out Audio_out; /* private (dev_audio.c) */

/* Opens and starts output for the engine (whose rate must equal cfg->rate). Always returns an
 * Audio_out (NULL only when out of memory): on failure it runs silent and audio_status() says
 * why. */
Audio_out *audio_open(Engine *engine, const Audio_config *cfg);
/* Stops the stream (or the silent thread), terminates PortAudio, frees. NULL is fine. */
void audio_close(Audio_out *out);
/* 1 when no device plays (silent mode). */
int audio_is_silent(const Audio_out *out);
/* One line: "ALSA: default (48000 Hz, 256 frames, 5.3 ms out)" with the buffer size the device
 * really calls back with (JACK: its period), or "no audio device: ... (running silent)", or
 * "... lost (...): running silent, reconnecting". Valid until the next call. */
const char *audio_status(const Audio_out *out);
/* 1 with the line in `line` when the device was lost or came back since the last call. */
int audio_poll_event(Audio_out *out, char *line, size_t n);
/* How many times the device was lost. */
unsigned audio_losses(const Audio_out *out);
/* The rate and buffer size actually in use (frames: the last callback's, once one came). */
int audio_rate(const Audio_out *out);
int audio_frames(const Audio_out *out);

/* The device's own rate (PortAudio's default rate for it: a JACK server's rate), or 0 when it
 * cannot be found. The device spec as in Audio_config. */
int audio_device_rate(const char *device);

/* Prints the output devices, one per line: index, host API, name, channels, default rate; the
 * default device marked with '*'. Prints "no audio output devices" when there are none.
 * Returns the number of output devices (0 also when PortAudio cannot start). */
int audio_device_list(FILE *out);

#endif
