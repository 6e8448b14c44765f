/* dev_audio.c - PortAudio output running the engine, or a silent stand-in (dev_audio.h). */
#include "dev_audio.h"

#include <jack/jack.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dev_audio_internal.h"

#define AUDIO_MAX_FRAMES 8192 /* largest block the silent thread or a mono device renders */

/* Who renders the engine: the device's callback, or the silent clock thread. */
enum { AUDIO_MODE_SILENT, AUDIO_MODE_DEVICE };

#define AUDIO_STALL_S 0.5        /* no callback this long (or 8 buffers, if longer): the device is lost */
#define AUDIO_FIRST_CALLBACK_S 3.0 /* a fresh stream may take this long to call back first */
#define AUDIO_RECONNECT_S 1.0    /* between attempts to open a lost device again */
#define AUDIO_TEARDOWN_S 2.0     /* PortAudio calls on a dead server get this long, then are abandoned */

struct Audio_out {
    Engine *engine;
    char device[256];       /* the device spec, kept for reconnecting */
    PaStream *stream;       /* NULL in silent mode; owned by whichever thread holds PortAudio */
    jack_client_t *jack;    /* a JACK device is played through libjack itself (see audio_try_jack) */
    jack_port_t *jack_ports[2];
    int pa_initialized;     /* Pa_Initialize succeeded (Pa_Terminate owed) */
    int rate, frames, channels;
    float *scratch;         /* stereo scratch for mono devices */
    float *silent_buf;      /* the silent thread's block */
    /* render ownership (see audio_callback and clock_thread) */
    atomic_int mode;        /* AUDIO_MODE_* */
    atomic_int cb_busy;     /* the callback is inside engine_render */
    atomic_ullong callbacks;/* device callbacks since the stream started */
    atomic_int cb_frames;   /* frames of the last callback: the real buffer size */
    atomic_int finished;    /* PortAudio said the stream finished */
    atomic_int handover;    /* the device thread has a started stream for the clock to hand over to */
    /* threads */
    pthread_t clock;        /* silent rendering and the device watchdog */
    int clock_running;
    pthread_t device_thread;/* teardown of a lost stream and reconnects (PortAudio calls) */
    int device_thread_running;
    atomic_int device_thread_done;
    atomic_int stop;
    /* shared with the control thread, under lock (never taken by the callback) */
    pthread_mutex_t lock;
    char status[400];       /* the status line */
    char event[400];        /* the last loss or reconnection, for audio_poll_event */
    unsigned events, events_seen;
    unsigned losses;
    char name[256];         /* "HOST API: DEVICE" of the stream open (or last open) */
    double latency_ms;      /* its output latency */
    char status_shown[400]; /* what audio_status handed the control thread */
};


/* ---- status and events (control thread and the audio threads, under the lock) ---- */

static void nap_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Sets the status line; with event, also the line audio_poll_event hands out next. */
static void audio_say(Audio_out *a, int event, const char *text)
{
    pthread_mutex_lock(&a->lock);
    snprintf(a->status, sizeof a->status, "%s", text);
    if (event) {
        snprintf(a->event, sizeof a->event, "%s", text);
        a->events++;
    }
    pthread_mutex_unlock(&a->lock);
}

/* ---- the callback and the clock thread ---- */

/* The device's callback. It renders only while the mode is DEVICE; otherwise (a stream just
 * reconnected, not yet handed over) it plays silence. cb_busy tells the clock thread when it
 * may take over rendering. Never allocates, locks or prints. */
static int audio_callback(const void *input, void *output, unsigned long frames,
                          const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags, void *user)
{
    (void)input;
    (void)time_info;
    Audio_out *a = user;
    double t0 = clock_seconds();
    float *out = output;
    atomic_store(&a->cb_busy, 1);
    if (atomic_load(&a->mode) != AUDIO_MODE_DEVICE) {
        atomic_store(&a->cb_busy, 0);
        memset(out, 0, sizeof(float) * frames * (unsigned long)a->channels);
    } else {
        if (flags & paOutputUnderflow)
            engine_note_xrun(a->engine);
        if (a->channels == 2) {
            engine_render(a->engine, out, (int)frames);
        } else {
            for (unsigned long done = 0; done < frames;) {
                unsigned long n = frames - done < AUDIO_MAX_FRAMES ? frames - done : AUDIO_MAX_FRAMES;
                engine_render(a->engine, a->scratch, (int)n);
                for (unsigned long i = 0; i < n; i++) {
                    float m = 0.5f * (a->scratch[2 * i] + a->scratch[2 * i + 1]);
                    for (int c = 0; c < a->channels; c++)
                        out[(done + i) * (unsigned long)a->channels + (unsigned long)c] = c < 2 ? m : 0.0f;
                }
                done += n;
            }
        }
        atomic_store(&a->cb_busy, 0);
        double used = clock_seconds() - t0;
        engine_note_load(a->engine, (float)(used * a->rate / (double)frames));
    }
    atomic_store_explicit(&a->cb_frames, (int)frames, memory_order_relaxed);
    atomic_fetch_add_explicit(&a->callbacks, 1, memory_order_release);
    return paContinue;
}

/* JACK's process callback: the same ownership rules as audio_callback; JACK's buffers are
 * one per channel, so the engine renders into scratch and is split. */
static int jack_process(jack_nframes_t frames, void *user)
{
    Audio_out *a = user;
    double t0 = clock_seconds();
    float *left = jack_port_get_buffer(a->jack_ports[0], frames);
    float *right = jack_port_get_buffer(a->jack_ports[1], frames);
    atomic_store(&a->cb_busy, 1);
    if (atomic_load(&a->mode) != AUDIO_MODE_DEVICE) {
        atomic_store(&a->cb_busy, 0);
        memset(left, 0, sizeof(float) * frames);
        memset(right, 0, sizeof(float) * frames);
    } else {
        for (jack_nframes_t done = 0; done < frames;) {
            jack_nframes_t n = frames - done < AUDIO_MAX_FRAMES ? frames - done : AUDIO_MAX_FRAMES;
            engine_render(a->engine, a->scratch, (int)n);
            for (jack_nframes_t i = 0; i < n; i++) {
                left[done + i] = a->scratch[2 * i];
                right[done + i] = a->scratch[2 * i + 1];
            }
            done += n;
        }
        atomic_store(&a->cb_busy, 0);
        engine_note_load(a->engine, (float)((clock_seconds() - t0) * a->rate / (double)frames));
    }
    atomic_store_explicit(&a->cb_frames, (int)frames, memory_order_relaxed);
    atomic_fetch_add_explicit(&a->callbacks, 1, memory_order_release);
    return 0;
}

/* JACK: an xrun (JACK's notification thread). */
static int jack_xrun(void *user)
{
    Audio_out *a = user;
    if (atomic_load(&a->mode) == AUDIO_MODE_DEVICE)
        engine_note_xrun(a->engine);
    return 0;
}

/* JACK: the server is going away (or has gone). */
static void jack_gone(void *user)
{
    Audio_out *a = user;
    atomic_store(&a->finished, 1);
}

/* libjack's own messages would land on the player's terminal. */
static void jack_quiet(const char *msg) { (void)msg; }

/* PortAudio: the stream has finished (the host stopped it: a JACK server going away). */
static void audio_finished(void *user)
{
    Audio_out *a = user;
    atomic_store(&a->finished, 1);
}

static void *device_thread(void *arg);

/* The device is lost: the clock takes over (the callback is out of engine_render when this
 * returns), and the device thread lets the stream go and tries to open it again. */
static void audio_lose(Audio_out *a, const char *why)
{
    atomic_store(&a->mode, AUDIO_MODE_SILENT);
    for (int i = 0; i < 200 && atomic_load(&a->cb_busy); i++)
        nap_ms(1);
    char line[400];
    pthread_mutex_lock(&a->lock);
    snprintf(line, sizeof line, "%.200s lost (%s): running silent, reconnecting", a->name, why);
    a->losses++;
    pthread_mutex_unlock(&a->lock);
    audio_say(a, 1, line);
    if (a->device_thread_running) {   /* the last reconnection's thread has finished */
        pthread_join(a->device_thread, NULL);
        a->device_thread_running = 0;
    }
    atomic_store(&a->device_thread_done, 0);
    if (pthread_create(&a->device_thread, NULL, device_thread, a) == 0)
        a->device_thread_running = 1;
}

/* Advances an absolute deadline by one block. */
static void deadline_add(struct timespec *t, long long period_ns)
{
    t->tv_nsec += period_ns;
    while (t->tv_nsec >= 1000000000L) {
        t->tv_nsec -= 1000000000L;
        t->tv_sec++;
    }
}

/* Renders at real-time pace while no device plays (so the transport moves), and watches the
 * device while one does: no callback for AUDIO_STALL_S (or 8 buffers), or PortAudio saying
 * the stream finished, means the device is lost. */
static void *clock_thread(void *arg)
{
    Audio_out *a = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long long period_ns = (long long)a->frames * 1000000000LL / a->rate;
    unsigned long long seen = atomic_load(&a->callbacks);
    double progress_at = clock_seconds();
    int called = 0;   /* the stream watched has called back at least once */
    while (!atomic_load(&a->stop)) {
        if (atomic_load(&a->mode) == AUDIO_MODE_SILENT) {
            if (atomic_load(&a->handover)) {   /* a reconnected stream is calling back silence */
                atomic_store(&a->handover, 0);
                seen = atomic_load(&a->callbacks);
                progress_at = clock_seconds();
                called = 0;
                atomic_store(&a->mode, AUDIO_MODE_DEVICE);
                continue;
            }
            double t0 = clock_seconds();
            engine_render(a->engine, a->silent_buf, a->frames);
            engine_note_load(a->engine, (float)((clock_seconds() - t0) * a->rate / a->frames));
            deadline_add(&next, period_ns);
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
            continue;
        }
        nap_ms(20);
        double now = clock_seconds();
        unsigned long long c = atomic_load_explicit(&a->callbacks, memory_order_acquire);
        if (c != seen) {
            seen = c;
            progress_at = now;
            called = 1;
        }
        int frames = atomic_load_explicit(&a->cb_frames, memory_order_relaxed);
        double stall = 8.0 * (frames > 0 ? frames : a->frames) / a->rate;
        if (stall < AUDIO_STALL_S)
            stall = AUDIO_STALL_S;
        const char *why = atomic_load(&a->finished) ? "the stream finished"
                          : now - progress_at > (called ? stall : AUDIO_FIRST_CALLBACK_S) ? "no callback" : NULL;
        if (why) {
            audio_lose(a, why);
            clock_gettime(CLOCK_MONOTONIC, &next);   /* silent blocks from now on */
        }
    }
    return NULL;
}

/* ---- opening a device ---- */

/* Releases the stream and PortAudio (stderr hidden). */
static void audio_release(Audio_out *a)
{
    int saved = stderr_hide();
    if (a->jack) {
        /* a client whose server died is left as it is: libjack cleans up by itself, and any
         * call to a dead server may never return */
        if (!atomic_load(&a->finished)) {
            jack_deactivate(a->jack);
            jack_client_close(a->jack);
        }
        a->jack = NULL;
    }
    if (a->stream) {
        Pa_AbortStream(a->stream);
        Pa_CloseStream(a->stream);
        a->stream = NULL;
    }
    if (a->pa_initialized) {
        Pa_Terminate();
        a->pa_initialized = 0;
    }
    stderr_restore(saved);
}

/* Plays a JACK device (one PortAudio lists under its JACK host API) through libjack itself:
 * PortAudio's JACK host cannot be stopped or terminated once its server has died (it waits on
 * the dead server for ever), and reconnecting needs exactly that; libjack tells us when the
 * server goes (jack_on_shutdown) and takes a new client afterwards. The ports connect to the
 * device's playback ports ("system:playback_1", "_2"). 0, or -1 with why. */
static int audio_try_jack(Audio_out *a, const char *device_name, char *why, size_t whylen)
{
    static int quiet;
    if (!quiet) {
        jack_set_error_function(jack_quiet);
        jack_set_info_function(jack_quiet);
        quiet = 1;
    }
    jack_status_t status;
    jack_client_t *c = jack_client_open("groove", JackNoStartServer, &status);
    if (!c) {
        snprintf(why, whylen, "cannot open '%.100s': the JACK server does not answer", device_name);
        return -1;
    }
    unsigned rate = jack_get_sample_rate(c);
    if ((int)rate != a->rate) {
        snprintf(why, whylen, "cannot open '%.100s' at %d Hz: it opens at %u Hz (--rate)", device_name, a->rate, rate);
        jack_client_close(c);
        return -1;
    }
    atomic_store(&a->callbacks, 0);
    atomic_store(&a->cb_frames, 0);
    atomic_store(&a->finished, 0);
    a->channels = 2;
    a->jack = c;
    a->jack_ports[0] = jack_port_register(c, "out_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    a->jack_ports[1] = jack_port_register(c, "out_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    if (!a->jack_ports[0] || !a->jack_ports[1] || jack_set_process_callback(c, jack_process, a) != 0) {
        snprintf(why, whylen, "cannot open '%.100s': JACK would not take our ports", device_name);
        jack_client_close(c);
        a->jack = NULL;
        return -1;
    }
    jack_set_xrun_callback(c, jack_xrun, a);
    jack_on_shutdown(c, jack_gone, a);
    if (jack_activate(c) != 0) {
        snprintf(why, whylen, "cannot open '%.100s': JACK would not activate us", device_name);
        jack_client_close(c);
        a->jack = NULL;
        return -1;
    }
    char pattern[300];
    snprintf(pattern, sizeof pattern, "^%.200s:", device_name);
    const char **targets = jack_get_ports(c, pattern, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    int connected = 0;
    for (int i = 0; targets && targets[i] && i < 2; i++)
        connected += jack_connect(c, jack_port_name(a->jack_ports[i]), targets[i]) == 0;
    if (targets && targets[0] && !targets[1])   /* a mono device: both channels to it */
        connected += jack_connect(c, jack_port_name(a->jack_ports[1]), targets[0]) == 0;
    jack_free(targets);
    if (!connected) {
        snprintf(why, whylen, "cannot open '%.100s': it has no playback ports", device_name);
        jack_deactivate(c);
        jack_client_close(c);
        a->jack = NULL;
        return -1;
    }
    jack_nframes_t period = jack_get_buffer_size(c);
    pthread_mutex_lock(&a->lock);
    a->latency_ms = 2000.0 * period / rate;   /* a period to fill, a period to play */
    pthread_mutex_unlock(&a->lock);
    return 0;
}

/* Initialises PortAudio, opens the device at a->rate and starts it (the callback plays
 * silence until the mode is DEVICE). A JACK device is played by audio_try_jack, PortAudio
 * released first. 0, or -1 with the reason in why and PortAudio released. */
static int audio_try_open(Audio_out *a, char *why, size_t whylen)
{
    PaError rc = audio_pa_init();
    if (rc != paNoError) {
        snprintf(why, whylen, "%s", Pa_GetErrorText(rc));
        return -1;
    }
    a->pa_initialized = 1;
    PaDeviceIndex dev = audio_pick(a->device, why, whylen);
    if (dev == paNoDevice) {
        audio_release(a);
        return -1;
    }
    const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
    const PaHostApiInfo *host = info ? Pa_GetHostApiInfo(info->hostApi) : NULL;
    a->channels = info && info->maxOutputChannels < 2 ? 1 : 2;
    if (host && host->type == paJACK && info && info->name) {
        char device_name[256], name[256];
        snprintf(device_name, sizeof device_name, "%s", info->name);
        snprintf(name, sizeof name, "%s: %s", host->name ? host->name : "JACK", info->name);
        audio_release(a);   /* PortAudio's own JACK client goes while the server is alive */
        if (audio_try_jack(a, device_name, why, whylen) != 0)
            return -1;
        pthread_mutex_lock(&a->lock);
        snprintf(a->name, sizeof a->name, "%s", name);
        pthread_mutex_unlock(&a->lock);
        return 0;
    }
    int host_frames = 0;   /* every other host takes our buffer size */
    PaStreamParameters out;
    memset(&out, 0, sizeof out);
    out.device = dev;
    out.channelCount = a->channels;
    out.sampleFormat = paFloat32;
    double buffer_s = (double)a->frames / a->rate;
    out.suggestedLatency = info && info->defaultLowOutputLatency > buffer_s ? info->defaultLowOutputLatency : buffer_s;
    atomic_store(&a->callbacks, 0);
    atomic_store(&a->cb_frames, 0);
    atomic_store(&a->finished, 0);
    int saved = stderr_hide();
    rc = Pa_OpenStream(&a->stream, NULL, &out, a->rate,
                       host_frames ? paFramesPerBufferUnspecified : (unsigned long)a->frames, paClipOff,
                       audio_callback, a);
    if (rc == paNoError) {
        Pa_SetStreamFinishedCallback(a->stream, audio_finished);
        rc = Pa_StartStream(a->stream);
        if (rc != paNoError) {
            Pa_CloseStream(a->stream);
            a->stream = NULL;
        }
    } else {
        a->stream = NULL;
    }
    stderr_restore(saved);
    if (rc != paNoError) {
        const char *name = info && info->name ? info->name : "?";
        char rates[160] = "";
        if (rc == paInvalidSampleRate)
            audio_rates_text(dev, a->channels, out.suggestedLatency, rates, sizeof rates);
        if (rates[0])
            snprintf(why, whylen, "cannot open '%s' at %d Hz: it opens at %s (--rate)", name, a->rate, rates);
        else
            snprintf(why, whylen, "cannot open '%s' at %d Hz: %s", name, a->rate, Pa_GetErrorText(rc));
        audio_release(a);
        return -1;
    }
    const PaStreamInfo *si = Pa_GetStreamInfo(a->stream);
    pthread_mutex_lock(&a->lock);
    snprintf(a->name, sizeof a->name, "%s: %s", host ? host->name : "?", info && info->name ? info->name : "?");
    a->latency_ms = si ? si->outputLatency * 1000.0 : buffer_s * 1000.0;
    pthread_mutex_unlock(&a->lock);
    return 0;
}

/* Lets a lost stream go, then opens the device again every AUDIO_RECONNECT_S until it plays
 * (handed to the clock thread, which switches over) or audio_close asks it to stop. Any of
 * its PortAudio calls may hang on a dead server: audio_close does not wait for it forever. */
static void *device_thread(void *arg)
{
    Audio_out *a = arg;
    audio_release(a);
    char last[300] = "";
    while (!atomic_load(&a->stop)) {
        for (int i = 0; i < (int)(AUDIO_RECONNECT_S * 20) && !atomic_load(&a->stop); i++)
            nap_ms(50);
        if (atomic_load(&a->stop))
            break;
        char why[300];
        if (audio_try_open(a, why, sizeof why) == 0) {
            char line[400];
            pthread_mutex_lock(&a->lock);
            snprintf(line, sizeof line, "%.200s back: playing again", a->name);
            pthread_mutex_unlock(&a->lock);
            audio_say(a, 1, line);
            atomic_store(&a->handover, 1);
            break;
        }
        if (strcmp(why, last) != 0) {   /* a new reason (say, the server is back at another rate) */
            char line[400];
            pthread_mutex_lock(&a->lock);
            snprintf(line, sizeof line, "%.100s lost: %.200s (running silent, reconnecting)", a->name, why);
            pthread_mutex_unlock(&a->lock);
            audio_say(a, strstr(why, "--rate") != NULL, line);
            snprintf(last, sizeof last, "%s", why);
        }
    }
    atomic_store(&a->device_thread_done, 1);
    return NULL;
}

/* ---- public ---- */

Audio_out *audio_open(Engine *engine, const Audio_config *cfg)
{
    Audio_out *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->engine = engine;
    snprintf(a->device, sizeof a->device, "%s", cfg->device ? cfg->device : "");
    a->rate = cfg->rate > 0 ? cfg->rate : 48000;
    a->frames = cfg->frames > 0 ? cfg->frames : 256;
    if (a->frames > AUDIO_MAX_FRAMES)
        a->frames = AUDIO_MAX_FRAMES;
    a->channels = 2;
    pthread_mutex_init(&a->lock, NULL);
    atomic_init(&a->mode, AUDIO_MODE_SILENT);
    atomic_init(&a->stop, 0);
    a->scratch = calloc(2 * AUDIO_MAX_FRAMES, sizeof(float));
    a->silent_buf = calloc(2 * AUDIO_MAX_FRAMES, sizeof(float));
    if (!a->scratch || !a->silent_buf) {
        free(a->scratch);
        free(a->silent_buf);
        free(a);
        return NULL;
    }
    char why[300];
    if (audio_try_open(a, why, sizeof why) == 0) {
        atomic_store(&a->mode, AUDIO_MODE_DEVICE);
        /* the first callback tells the real buffer size (JACK's period) */
        for (int i = 0; i < 200 && atomic_load(&a->cb_frames) == 0; i++)
            nap_ms(5);
    } else {
        char line[400];
        snprintf(line, sizeof line, "no audio device: %s (running silent)", why);
        audio_say(a, 0, line);
    }
    if (pthread_create(&a->clock, NULL, clock_thread, a) == 0)
        a->clock_running = 1;
    return a;
}

/* Runs a PortAudio teardown in a thread of its own and waits for it at most
 * AUDIO_TEARDOWN_S: on a dead JACK server it may never return. 1 when it finished. */
static void *release_thread(void *arg)
{
    Audio_out *a = arg;
    audio_release(a);
    atomic_store(&a->device_thread_done, 1);
    return NULL;
}

static int audio_release_bounded(Audio_out *a)
{
    pthread_t t;
    atomic_store(&a->device_thread_done, 0);
    if (pthread_create(&t, NULL, release_thread, a) != 0) {
        audio_release(a);
        return 1;
    }
    for (int i = 0; i < (int)(AUDIO_TEARDOWN_S * 100) && !atomic_load(&a->device_thread_done); i++)
        nap_ms(10);
    if (!atomic_load(&a->device_thread_done)) {
        pthread_detach(t);
        return 0;
    }
    pthread_join(t, NULL);
    return 1;
}

void audio_close(Audio_out *a)
{
    if (!a)
        return;
    atomic_store(&a->stop, 1);
    if (a->clock_running)
        pthread_join(a->clock, NULL);   /* no device thread is started after this */
    atomic_store(&a->mode, AUDIO_MODE_SILENT);   /* the callback renders no more */
    for (int i = 0; i < 200 && atomic_load(&a->cb_busy); i++)
        nap_ms(1);
    int released = 1;
    if (a->device_thread_running) {
        for (int i = 0; i < (int)(AUDIO_TEARDOWN_S * 100) && !atomic_load(&a->device_thread_done); i++)
            nap_ms(10);
        released = atomic_load(&a->device_thread_done);
        if (released)
            pthread_join(a->device_thread, NULL);
        else
            pthread_detach(a->device_thread);
    }
    if (released)
        released = audio_release_bounded(a);   /* the stream open now, if any */
    if (!released)
        return;   /* a PortAudio call hangs on a dead server and still holds a: leave it be */
    pthread_mutex_destroy(&a->lock);
    free(a->scratch);
    free(a->silent_buf);
    free(a);
}

int audio_is_silent(const Audio_out *a) { return !a || atomic_load(&((Audio_out *)a)->mode) != AUDIO_MODE_DEVICE; }

const char *audio_status(const Audio_out *ca)
{
    if (!ca)
        return "no audio device (running silent)";
    Audio_out *a = (Audio_out *)ca;   /* the copy handed out lives in the struct */
    pthread_mutex_lock(&a->lock);
    if (atomic_load(&a->mode) == AUDIO_MODE_DEVICE) {
        int frames = atomic_load(&a->cb_frames);
        snprintf(a->status, sizeof a->status, "%.200s (%d Hz, %d frames, %.1f ms out)", a->name, a->rate,
                 frames > 0 ? frames : a->frames, a->latency_ms);
    }
    snprintf(a->status_shown, sizeof a->status_shown, "%s", a->status);
    pthread_mutex_unlock(&a->lock);
    return a->status_shown;
}

int audio_poll_event(Audio_out *a, char *line, size_t n)
{
    if (!a)
        return 0;
    pthread_mutex_lock(&a->lock);
    int fresh = a->events != a->events_seen;
    if (fresh) {
        a->events_seen = a->events;
        snprintf(line, n, "%s", a->event);
    }
    pthread_mutex_unlock(&a->lock);
    return fresh;
}

unsigned audio_losses(const Audio_out *ca)
{
    if (!ca)
        return 0;
    Audio_out *a = (Audio_out *)ca;
    pthread_mutex_lock(&a->lock);
    unsigned n = a->losses;
    pthread_mutex_unlock(&a->lock);
    return n;
}

int audio_rate(const Audio_out *a) { return a ? a->rate : 0; }

int audio_frames(const Audio_out *ca)
{
    if (!ca)
        return 0;
    int frames = atomic_load(&((Audio_out *)ca)->cb_frames);
    return frames > 0 ? frames : ca->frames;
}

