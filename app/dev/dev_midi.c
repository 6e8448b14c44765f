/* dev_midi.c - PortMidi in and out on one thread of ours (see dev_midi.h). */
#include "dev_midi.h"

#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <portmidi.h>
#include <porttime.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "ring.h"

#define MIDI_RING 1024
#define MIDI_NOTE_LENGTH_S 0.05
#define MIDI_CHANNEL 9   /* General MIDI drums, "channel 10" */

typedef struct {
    double when;
    int note;
    int velocity;        /* 0 = note-off */
} Midi_out_note;

typedef struct {
    double when;
    uint8_t bytes[3];
    uint8_t n;
} Midi_raw;

struct Midi {
    PortMidiStream *in, *out;
    PortMidiStream *clock_in, *clock_out; /* may be the same streams as in / out */
    Midi_clock_fn on_clock;
    void *clock_user;
    char in_status[200], out_status[200], clock_status[300];
    Ring taps;           /* Midi_tap: MIDI thread -> control */
    Ring notes;          /* Midi_out_note: control -> MIDI thread */
    Ring clock_msgs;     /* Midi_raw: control -> MIDI thread */
    pthread_t thread;
    int thread_started;
    atomic_int quit;
    double pt_offset;    /* monotonic seconds at Pt_Time() == 0 */
    int in_id, out_id;   /* PortMidi devices of in / out, -1 = none */
    int initialized;
};

double midi_clock_now(void)
{
    return clock_seconds();
}

/* Starts PortMidi with stderr pointed at /dev/null (ALSA prints when there is no sequencer). */
static PmError quiet_initialize(void)
{
    fflush(stderr);
    int saved = dup(2);
    int devnull = open("/dev/null", O_WRONLY);
    if (saved >= 0 && devnull >= 0)
        dup2(devnull, 2);
    PmError e = Pm_Initialize();
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (devnull >= 0)
        close(devnull);
    return e;
}

/* Case-insensitive substring test. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

/* Finds a device by index or name part, for input (want_input) or output. -1 when none. */
static int find_device(const char *spec, int want_input)
{
    int n = Pm_CountDevices();
    char *end;
    long idx = strtol(spec, &end, 10);
    if (*spec && !*end) {
        if (idx < 0 || idx >= n)
            return -1;
        const PmDeviceInfo *d = Pm_GetDeviceInfo((PmDeviceID)idx);
        return d && (want_input ? d->input : d->output) ? (int)idx : -1;
    }
    for (int i = 0; i < n; i++) {
        const PmDeviceInfo *d = Pm_GetDeviceInfo(i);
        if (d && (want_input ? d->input : d->output) && contains_nocase(d->name, spec))
            return i;
    }
    return -1;
}

/* One message from the clock input to the callback (system messages only). */
static void midi_clock_event(Midi *m, const PmEvent *ev)
{
    int status = Pm_MessageStatus(ev->message);
    uint8_t b[3] = {(uint8_t)status, (uint8_t)Pm_MessageData1(ev->message), (uint8_t)Pm_MessageData2(ev->message)};
    int n = status == 0xf2 ? 3 : 1;
    if (status == 0xf8 || status == 0xfa || status == 0xfb || status == 0xfc || status == 0xf2)
        m->on_clock(m->clock_user, b, n, m->pt_offset + ev->timestamp / 1000.0);
}

/* The MIDI thread: reads input, writes queued output, every millisecond. */
static void *midi_main(void *arg)
{
    Midi *m = arg;
    PmEvent ev[64];
    Midi_out_note pending[256];
    int n_pending = 0;
    Midi_raw raw[256];
    int n_raw = 0;
    while (!atomic_load(&m->quit)) {
        if (m->clock_in && m->clock_in != m->in) {
            int n = Pm_Read(m->clock_in, ev, 64);
            for (int i = 0; i < n; i++)
                midi_clock_event(m, &ev[i]);
        }
        if (m->in) {
            int n = Pm_Read(m->in, ev, 64);
            for (int i = 0; i < n; i++) {
                int status = Pm_MessageStatus(ev[i].message);
                int vel = Pm_MessageData2(ev[i].message);
                if (status >= 0xf0 && m->clock_in == m->in) {
                    midi_clock_event(m, &ev[i]);
                } else if ((status & 0xf0) == 0x90 && vel > 0) {
                    Midi_tap t = {m->pt_offset + ev[i].timestamp / 1000.0, Pm_MessageData1(ev[i].message),
                                  (float)vel / 127.0f, status & 0x0f};
                    ring_push(&m->taps, &t);
                }
            }
        }
        if (m->out) {
            Midi_out_note note;
            while (n_pending < 254 && ring_pop(&m->notes, &note)) {
                pending[n_pending++] = note;
                Midi_out_note off = {note.when + MIDI_NOTE_LENGTH_S, note.note, 0};
                pending[n_pending++] = off;
            }
            /* PortMidi delivers on timestamps itself (latency > 0): write what is due soon. */
            double horizon = midi_clock_now() + 0.2;
            int kept = 0;
            for (int i = 0; i < n_pending; i++) {
                if (pending[i].when <= horizon) {
                    PmTimestamp ts = (PmTimestamp)((pending[i].when - m->pt_offset) * 1000.0);
                    int status = (pending[i].velocity ? 0x90 : 0x80) | MIDI_CHANNEL;
                    Pm_WriteShort(m->out, ts, Pm_Message(status, pending[i].note, pending[i].velocity));
                } else {
                    pending[kept++] = pending[i];
                }
            }
            n_pending = kept;
        }
        if (m->clock_out) {
            Midi_raw r;
            while (n_raw < 256 && ring_pop(&m->clock_msgs, &r))
                raw[n_raw++] = r;
            double horizon = midi_clock_now() + 0.2;
            int kept = 0;
            for (int i = 0; i < n_raw; i++) {
                if (raw[i].when <= horizon) {
                    PmTimestamp ts = (PmTimestamp)llround((raw[i].when - m->pt_offset) * 1000.0);
                    Pm_WriteShort(m->clock_out, ts, Pm_Message(raw[i].bytes[0], raw[i].n > 1 ? raw[i].bytes[1] : 0,
                                                               raw[i].n > 2 ? raw[i].bytes[2] : 0));
                } else {
                    raw[kept++] = raw[i];
                }
            }
            n_raw = kept;
        }
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
    }
    return NULL;
}

Midi *midi_open(const char *in_spec, const char *out_spec, char *err, size_t errlen)
{
    return midi_open_ports(in_spec, out_spec, NULL, err, errlen);
}

/* Opens the clock ports (after the note ports, before the thread). 0, or -1 with err. */
static int midi_open_clock(Midi *m, const Midi_clock_ports *c, char *err, size_t errlen)
{
    int in_id = -1, out_id = -1;
    if (c->in_spec) {
        in_id = find_device(c->in_spec, 1);
        if (in_id < 0) {
            return error_set(err, errlen, "no MIDI clock input '%s' (groove devices lists them)", c->in_spec);
        }
        m->on_clock = c->on_clock;
        m->clock_user = c->user;
        if (m->in && m->in_id == in_id) {
            m->clock_in = m->in;
        } else {
            PmError e = Pm_OpenInput(&m->clock_in, in_id, NULL, 256, NULL, NULL);
            if (e != pmNoError) {
                m->clock_in = NULL;
                return error_set(err, errlen, "cannot open MIDI clock input '%s': %s", c->in_spec, Pm_GetErrorText(e));
            }
        }
        /* Clock and transport through; sysex and active sensing not. */
        Pm_SetFilter(m->clock_in, PM_FILT_ACTIVE | PM_FILT_SYSEX);
    }
    if (c->out_spec) {
        out_id = find_device(c->out_spec, 0);
        if (out_id < 0) {
            return error_set(err, errlen, "no MIDI clock output '%s' (groove devices lists them)", c->out_spec);
        }
        if (m->out && m->out_id == out_id) {
            m->clock_out = m->out;
        } else {
            PmError e = Pm_OpenOutput(&m->clock_out, out_id, NULL, 256, NULL, NULL, 10);
            if (e != pmNoError) {
                m->clock_out = NULL;
                error_set(err, errlen, "cannot open MIDI clock output '%s': %s", c->out_spec, Pm_GetErrorText(e));
                return -1;
            }
        }
    }
    const PmDeviceInfo *di = in_id >= 0 ? Pm_GetDeviceInfo(in_id) : NULL, *dout = out_id >= 0 ? Pm_GetDeviceInfo(out_id) : NULL;
    snprintf(m->clock_status, sizeof m->clock_status, "%s%s%s%s%s", di ? "clock in: " : "", di && di->name ? di->name : "",
             di && dout ? ", " : "", dout ? "clock out: " : "", dout && dout->name ? dout->name : "");
    return 0;
}

Midi *midi_open_ports(const char *in_spec, const char *out_spec, const Midi_clock_ports *clock, char *err,
                      size_t errlen)
{
    Midi *m = calloc(1, sizeof *m);
    if (!m || ring_init(&m->taps, sizeof(Midi_tap), MIDI_RING) || ring_init(&m->notes, sizeof(Midi_out_note), MIDI_RING) ||
        ring_init(&m->clock_msgs, sizeof(Midi_raw), MIDI_RING)) {
        error_set(err, errlen, "out of memory");
        midi_close(m);
        return NULL;
    }
    snprintf(m->in_status, sizeof m->in_status, "no MIDI input: the keyboard plays");
    snprintf(m->out_status, sizeof m->out_status, "no MIDI out");
    m->in_id = m->out_id = -1;
    int want_in = !(in_spec && !strcmp(in_spec, "none"));
    int want_clock = clock && (clock->in_spec || clock->out_spec);
    if (!want_in && !out_spec && !want_clock)
        return m;
    if (quiet_initialize() != pmNoError) {
        if ((in_spec && want_in) || want_clock) {
            error_set(err, errlen, "cannot start PortMidi for MIDI %s '%s'", want_clock ? "clock" : "input",
                      want_clock ? (clock->in_spec ? clock->in_spec : clock->out_spec) : in_spec);
            midi_close(m);
            return NULL;
        }
        snprintf(m->in_status, sizeof m->in_status, "no MIDI (PortMidi failed): the keyboard plays");
        return m;
    }
    m->initialized = 1;
    Pt_Start(1, NULL, NULL);
    m->pt_offset = midi_clock_now() - Pt_Time() / 1000.0;
    if (want_in) {
        int id = in_spec ? find_device(in_spec, 1) : Pm_GetDefaultInputDeviceID();
        if (in_spec && id < 0) {
            error_set(err, errlen, "no MIDI input device '%s' (groove devices lists them)", in_spec);
            midi_close(m);
            return NULL;
        }
        if (id >= 0) {
            const PmDeviceInfo *d = Pm_GetDeviceInfo(id);
            PmError e = Pm_OpenInput(&m->in, id, NULL, 256, NULL, NULL);
            if (e != pmNoError) {
                error_set(err, errlen, "cannot open MIDI input '%s': %s", d ? d->name : "?", Pm_GetErrorText(e));
                m->in = NULL;
                midi_close(m);
                return NULL;
            }
            m->in_id = id;
            Pm_SetFilter(m->in, PM_FILT_ACTIVE | PM_FILT_CLOCK | PM_FILT_SYSEX);
            snprintf(m->in_status, sizeof m->in_status, "MIDI in: %s", d ? d->name : "?");
        }
    }
    if (out_spec) {
        int id = find_device(out_spec, 0);
        if (id < 0) {
            error_set(err, errlen, "no MIDI output device '%s' (groove devices lists them)", out_spec);
            midi_close(m);
            return NULL;
        }
        const PmDeviceInfo *d = Pm_GetDeviceInfo(id);
        PmError e = Pm_OpenOutput(&m->out, id, NULL, 256, NULL, NULL, 10);
        if (e != pmNoError) {
            error_set(err, errlen, "cannot open MIDI output '%s': %s", d ? d->name : "?", Pm_GetErrorText(e));
            m->out = NULL;
            midi_close(m);
            return NULL;
        }
        m->out_id = id;
        snprintf(m->out_status, sizeof m->out_status, "MIDI out: %s", d ? d->name : "?");
    }
    if (want_clock && midi_open_clock(m, clock, err, errlen) != 0) {
        midi_close(m);
        return NULL;
    }
    if (m->in || m->out || m->clock_in || m->clock_out) {
        if (pthread_create(&m->thread, NULL, midi_main, m) != 0) {
            error_set(err, errlen, "cannot start the MIDI thread");
            midi_close(m);
            return NULL;
        }
        m->thread_started = 1;
    }
    return m;
}

void midi_close(Midi *m)
{
    if (!m)
        return;
    if (m->thread_started) {
        atomic_store(&m->quit, 1);
        pthread_join(m->thread, NULL);
    }
    if (m->clock_in && m->clock_in != m->in)
        Pm_Close(m->clock_in);
    if (m->clock_out && m->clock_out != m->out)
        Pm_Close(m->clock_out);
    if (m->in)
        Pm_Close(m->in);
    if (m->out)
        Pm_Close(m->out);
    if (m->initialized) {
        Pt_Stop();
        Pm_Terminate();
    }
    ring_deinit(&m->taps);
    ring_deinit(&m->notes);
    ring_deinit(&m->clock_msgs);
    free(m);
}

int midi_poll_tap(Midi *m, Midi_tap *tap) { return m && m->in ? ring_pop(&m->taps, tap) : 0; }

void midi_send(Midi *m, int note, float velocity, double when)
{
    if (!m || !m->out)
        return;
    int v = (int)(velocity * 127.0f + 0.5f);
    Midi_out_note n = {when, note, v < 1 ? 1 : v > 127 ? 127 : v};
    ring_push(&m->notes, &n);
}

void midi_send_clock(Midi *m, const uint8_t *bytes, int n, double when)
{
    if (!m || !m->clock_out || n < 1 || n > 3)
        return;
    Midi_raw r = {when, {0}, (uint8_t)n};
    memcpy(r.bytes, bytes, (size_t)n);
    ring_push(&m->clock_msgs, &r);
}

const char *midi_clock_status(const Midi *m) { return m ? m->clock_status : ""; }

const char *midi_in_status(const Midi *m) { return m ? m->in_status : "no MIDI input"; }
const char *midi_out_status(const Midi *m) { return m ? m->out_status : "no MIDI out"; }
int midi_has_input(const Midi *m) { return m && m->in; }

int midi_device_list(FILE *out)
{
    if (quiet_initialize() != pmNoError) {
        fprintf(out, "no MIDI devices (PortMidi cannot start)\n");
        return 0;
    }
    int n = Pm_CountDevices();
    for (int i = 0; i < n; i++) {
        const PmDeviceInfo *d = Pm_GetDeviceInfo(i);
        if (d)
            fprintf(out, "  %2d  %-7s %-6s %s\n", i, d->input ? "in" : "out", d->interf ? d->interf : "?",
                    d->name ? d->name : "?");
    }
    if (n == 0)
        fprintf(out, "no MIDI devices\n");
    Pm_Terminate();
    return n;
}
