/* dev_midi.h - the thin PortMidi layer: MIDI in as taps, the drums out as notes.
 *
 * PortMidi is not thread-safe, so one thread of ours makes every PortMidi call: it reads the
 * input with Pm_Read (every note-on of any channel and note is a tap, with its velocity and
 * its timestamp turned into seconds on the instrument's monotonic clock), and it writes the
 * notes the control thread queued for MIDI out (note-on at the given time, note-off 50 ms
 * later, channel 10). The two directions cross through SPSC rings (ring.h): no locks.
 *
 * Devices are chosen by index or by a case-insensitive part of their name. With no --midi-in
 * the default input is used if there is one; with none, midi_in_status() says so and the
 * keyboard plays. MIDI out only opens when asked for. ALSA's complaints while PortMidi starts
 * (no /dev/snd/seq in a container) are kept off the terminal.
 *
 * Threads: midi_open / midi_close / midi_poll_tap / midi_send / the status calls from the
 * control thread only; midi_device_list from the control thread before midi_open.
 */
#ifndef GROOVE_DEV_MIDI_H
#define GROOVE_DEV_MIDI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct Midi Midi; /* private (dev_midi.c) */

/* One note-on from MIDI in. */
typedef struct {
    double time;       /* seconds, CLOCK_MONOTONIC (as midi_clock_now) */
    int note;          /* 0..127 */
    float velocity;    /* 0..1 */
    int channel;       /* 0..15 (9: General MIDI drums, "channel 10") */
} Midi_tap;

/* Receives one message from the MIDI clock input (clock, Start, Stop, Continue, Song
 * Position; status byte first) with its time in monotonic seconds. Runs on the MIDI thread. */
typedef void (*Midi_clock_fn)(void *user, const uint8_t *bytes, int n, double time);

/* MIDI clock ports: in_spec / out_spec NULL = none. A port may be the same device as the
 * note input or output (the stream is shared). */
typedef struct {
    const char *in_spec, *out_spec;
    Midi_clock_fn on_clock;    /* required with in_spec */
    void *user;
} Midi_clock_ports;

/* As midi_open, with MIDI clock ports (NULL: none); a clock port that was asked for and does
 * not exist is an error. */
Midi *midi_open_ports(const char *in_spec, const char *out_spec, const Midi_clock_ports *clock, char *err,
                      size_t errlen);
/* Queues one message for the clock output (time in monotonic seconds; sent by PortMidi at
 * that time, to the millisecond). */
void midi_send_clock(Midi *m, const uint8_t *bytes, int n, double when);
/* "clock in: NAME" / "clock out: NAME" or "" when not open. */
const char *midi_clock_status(const Midi *m);

/* Opens MIDI: in_spec NULL = the default input if any; "none" = no input; out_spec NULL = no
 * output. Returns a Midi (NULL only when out of memory, or when a device that was asked for
 * by name or index does not exist: err then says which). */
Midi *midi_open(const char *in_spec, const char *out_spec, char *err, size_t errlen);
/* Stops the thread, closes the devices, frees. NULL is fine. */
void midi_close(Midi *m);
/* Takes the next tap from MIDI in: 1, or 0 when none is waiting. */
int midi_poll_tap(Midi *m, Midi_tap *tap);
/* Queues a drum note for MIDI out (GM note, velocity 0..1, time in monotonic seconds). */
void midi_send(Midi *m, int note, float velocity, double when);
/* One line each for the status line: "MIDI in: <name>" or "no MIDI input: keyboard plays". */
const char *midi_in_status(const Midi *m);
const char *midi_out_status(const Midi *m);
int midi_has_input(const Midi *m);
/* Seconds on the clock MIDI taps are stamped with (CLOCK_MONOTONIC). */
double midi_clock_now(void);

/* Prints the MIDI devices, one per line: index, in/out, interface, name. Returns how many. */
int midi_device_list(FILE *out);

#endif
