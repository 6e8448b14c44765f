/* dev_audio.c - PortAudio output running the engine, or a silent stand-in (dev_audio.h). */
#include "dev_audio.h"

#include <ctype.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define AUDIO_MAX_FRAMES 8192 /* largest block the silent thread or a mono device renders */

struct Audio_out {
    Engine *engine;
    PaStream *stream;       /* NULL in silent mode */
    int pa_initialized;     /* Pa_Initialize succeeded (Pa_Terminate owed) */
    int silent;
    int rate, frames, channels;
    float *scratch;         /* stereo scratch for mono devices and the silent thread */
    pthread_t thread;       /* the silent thread */
    int thread_running;
    atomic_int stop;
    char status[256];
};

/* ---- quieting ALSA and JACK ---- */

/* ALSA's error handler signature (alsa/error.h), declared here so no ALSA header or link is
 * needed: libasound is looked up at run time. */
typedef void (*AlsaErrorHandler)(const char *file, int line, const char *function, int err, const char *fmt, ...);

static void alsa_quiet_handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
    (void)file;
    (void)line;
    (void)function;
    (void)err;
    (void)fmt;
}

/* Installs the quiet ALSA error handler once (when libasound is present). */
static void alsa_silence(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    void *lib = dlopen("libasound.so.2", RTLD_NOW | RTLD_GLOBAL);
    if (!lib)
        return;
    int (*set_handler)(AlsaErrorHandler) = NULL;
    void *sym = dlsym(lib, "snd_lib_error_set_handler");
    memcpy(&set_handler, &sym, sizeof set_handler);
    if (set_handler)
        set_handler(alsa_quiet_handler);
}

/* Redirects stderr to /dev/null; returns the saved descriptor (or -1). */
static int stderr_hide(void)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY);
    if (saved < 0 || null < 0) {
        if (saved >= 0)
            close(saved);
        if (null >= 0)
            close(null);
        return -1;
    }
    dup2(null, STDERR_FILENO);
    close(null);
    return saved;
}

static void stderr_restore(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

/* Pa_Initialize with the chatter hidden and no JACK server started behind our back. */
static PaError audio_pa_init(void)
{
    setenv("JACK_NO_START_SERVER", "1", 0);
    alsa_silence();
    int saved = stderr_hide();
    PaError rc = Pa_Initialize();
    stderr_restore(saved);
    return rc;
}

/* ---- the callback and the silent thread ---- */

static int audio_callback(const void *input, void *output, unsigned long frames,
                          const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags, void *user)
{
    (void)input;
    (void)time_info;
    Audio_out *a = user;
    double t0 = clock_seconds();
    if (flags & paOutputUnderflow)
        engine_note_xrun(a->engine);
    float *out = output;
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
    double used = clock_seconds() - t0;
    engine_note_load(a->engine, (float)(used * a->rate / (double)frames));
    return paContinue;
}

/* Renders at real-time pace into nothing, so the transport moves without a device. */
static void *silent_thread(void *arg)
{
    Audio_out *a = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long long period_ns = (long long)a->frames * 1000000000LL / a->rate;
    long long carry = (long long)a->frames * 1000000000LL % a->rate; /* remainder, in 1/rate ns */
    long long acc = 0;
    while (!atomic_load(&a->stop)) {
        double t0 = clock_seconds();
        engine_render(a->engine, a->scratch, a->frames);
        engine_note_load(a->engine, (float)((clock_seconds() - t0) * a->rate / a->frames));
        next.tv_nsec += period_ns;
        acc += carry;
        if (acc >= a->rate) {
            next.tv_nsec += 1;
            acc -= a->rate;
        }
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    return NULL;
}

static void audio_go_silent(Audio_out *a, const char *why)
{
    a->silent = 1;
    snprintf(a->status, sizeof a->status, "no audio device: %s (running silent)", why);
    atomic_store(&a->stop, 0);
    if (pthread_create(&a->thread, NULL, silent_thread, a) == 0)
        a->thread_running = 1;
}

/* ---- device choice ---- */

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return 1;
    return 0;
}

/* The device a spec names, or paNoDevice with the reason in why. */
static PaDeviceIndex audio_pick(const char *spec, char *why, size_t whylen)
{
    if (!spec || !spec[0] || !strcmp(spec, "default")) {
        PaDeviceIndex d = Pa_GetDefaultOutputDevice();
        if (d == paNoDevice)
            snprintf(why, whylen, "no default output device");
        return d;
    }
    int count = Pa_GetDeviceCount();
    if (all_digits(spec)) {
        int i = atoi(spec);
        const PaDeviceInfo *info = i < count ? Pa_GetDeviceInfo(i) : NULL;
        if (!info || info->maxOutputChannels <= 0) {
            snprintf(why, whylen, "no output device number %s (groove devices lists them)", spec);
            return paNoDevice;
        }
        return i;
    }
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < count; i++) {
            const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
            if (!info || info->maxOutputChannels <= 0 || !info->name)
                continue;
            const PaHostApiInfo *host = Pa_GetHostApiInfo(info->hostApi);
            char full[320];
            snprintf(full, sizeof full, "%s: %s", host && host->name ? host->name : "?", info->name);
            if (pass == 0 ? !strcasecmp(info->name, spec) : contains_nocase(full, spec))
                return i;
        }
    snprintf(why, whylen, "no output device matches '%s' (groove devices lists them)", spec);
    return paNoDevice;
}

/* ---- public ---- */

Audio_out *audio_open(Engine *engine, const Audio_config *cfg)
{
    Audio_out *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->engine = engine;
    a->rate = cfg->rate > 0 ? cfg->rate : 48000;
    a->frames = cfg->frames > 0 ? cfg->frames : 256;
    if (a->frames > AUDIO_MAX_FRAMES)
        a->frames = AUDIO_MAX_FRAMES;
    a->channels = 2;
    atomic_init(&a->stop, 0);
    a->scratch = calloc(2 * AUDIO_MAX_FRAMES, sizeof(float));
    if (!a->scratch) {
        free(a);
        return NULL;
    }
    PaError rc = audio_pa_init();
    if (rc != paNoError) {
        audio_go_silent(a, Pa_GetErrorText(rc));
        return a;
    }
    a->pa_initialized = 1;
    char why[200];
    PaDeviceIndex dev = audio_pick(cfg->device, why, sizeof why);
    if (dev == paNoDevice) {
        audio_go_silent(a, why);
        return a;
    }
    const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
    const PaHostApiInfo *host = info ? Pa_GetHostApiInfo(info->hostApi) : NULL;
    a->channels = info && info->maxOutputChannels < 2 ? 1 : 2;
    PaStreamParameters out;
    memset(&out, 0, sizeof out);
    out.device = dev;
    out.channelCount = a->channels;
    out.sampleFormat = paFloat32;
    double buffer_s = (double)a->frames / a->rate;
    out.suggestedLatency = info && info->defaultLowOutputLatency > buffer_s ? info->defaultLowOutputLatency : buffer_s;
    int saved = stderr_hide();
    rc = Pa_OpenStream(&a->stream, NULL, &out, a->rate, (unsigned long)a->frames, paClipOff, audio_callback, a);
    if (rc == paNoError) {
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
        char msg[240];
        snprintf(msg, sizeof msg, "cannot open '%s': %s", info && info->name ? info->name : "?", Pa_GetErrorText(rc));
        audio_go_silent(a, msg);
        return a;
    }
    const PaStreamInfo *si = Pa_GetStreamInfo(a->stream);
    snprintf(a->status, sizeof a->status, "%s: %s (%d Hz, %d frames, %.1f ms out)", host ? host->name : "?",
             info && info->name ? info->name : "?", a->rate, a->frames,
             si ? si->outputLatency * 1000.0 : buffer_s * 1000.0);
    return a;
}

void audio_close(Audio_out *a)
{
    if (!a)
        return;
    if (a->stream) {
        int saved = stderr_hide();
        Pa_StopStream(a->stream);
        Pa_CloseStream(a->stream);
        stderr_restore(saved);
    }
    if (a->thread_running) {
        atomic_store(&a->stop, 1);
        pthread_join(a->thread, NULL);
    }
    if (a->pa_initialized) {
        int saved = stderr_hide();
        Pa_Terminate();
        stderr_restore(saved);
    }
    free(a->scratch);
    free(a);
}

int audio_is_silent(const Audio_out *a) { return !a || a->silent; }
const char *audio_status(const Audio_out *a) { return a ? a->status : "no audio device (running silent)"; }
int audio_rate(const Audio_out *a) { return a ? a->rate : 0; }
int audio_frames(const Audio_out *a) { return a ? a->frames : 0; }

int audio_device_list(FILE *out)
{
    PaError rc = audio_pa_init();
    if (rc != paNoError) {
        fprintf(out, "no audio output devices (PortAudio: %s)\n", Pa_GetErrorText(rc));
        return 0;
    }
    int count = Pa_GetDeviceCount(), outputs = 0;
    PaDeviceIndex def = Pa_GetDefaultOutputDevice();
    for (int i = 0; i < count; i++) {
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        if (!info || info->maxOutputChannels <= 0)
            continue;
        const PaHostApiInfo *host = Pa_GetHostApiInfo(info->hostApi);
        fprintf(out, "%3d %c %-6s %s (%d ch, %.0f Hz)\n", i, i == def ? '*' : ' ', host ? host->name : "?",
                info->name ? info->name : "?", info->maxOutputChannels, info->defaultSampleRate);
        outputs++;
    }
    if (outputs == 0)
        fprintf(out, "no audio output devices\n");
    int saved = stderr_hide();
    Pa_Terminate();
    stderr_restore(saved);
    return outputs;
}
