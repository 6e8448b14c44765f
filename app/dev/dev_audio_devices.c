/* dev_audio_devices.c - the device side of dev_audio (dev_audio_internal.h): finding PortAudio
 * output devices by spec, listing them and their rates, and keeping ALSA's and JACK's stderr
 * chatter out of the terminal around PortAudio's set-up and tear-down.
 *
 * Thread: the control thread (audio_open, audio_device_list, audio_device_rate) and the
 * layer's device thread (reconnects), never the audio callback.
 */
#include "dev_audio_internal.h"

#include <ctype.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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
void alsa_silence(void)
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
int stderr_hide(void)
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

void stderr_restore(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

/* Pa_Initialize with the chatter hidden and no JACK server started behind our back. */
PaError audio_pa_init(void)
{
    setenv("JACK_NO_START_SERVER", "1", 0);
    alsa_silence();
    int saved = stderr_hide();
    PaError rc = Pa_Initialize();
    stderr_restore(saved);
    return rc;
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
PaDeviceIndex audio_pick(const char *spec, char *why, size_t whylen)
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


/* The rates (of the usual ones) the device opens at, as "44100, 48000 Hz", or "". */
void audio_rates_text(PaDeviceIndex dev, int channels, double latency, char *buf, size_t n)
{
    static const int rates[] = {8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000};
    PaStreamParameters p;
    memset(&p, 0, sizeof p);
    p.device = dev;
    p.channelCount = channels;
    p.sampleFormat = paFloat32;
    p.suggestedLatency = latency;
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof rates / sizeof rates[0] && used + 16 < n; i++)
        if (Pa_IsFormatSupported(NULL, &p, rates[i]) == paFormatIsSupported)
            used += (size_t)snprintf(buf + used, n - used, "%s%d", used ? ", " : "", rates[i]);
    if (used)
        snprintf(buf + used, n - used, " Hz");
}

int audio_device_rate(const char *device)
{
    if (audio_pa_init() != paNoError)
        return 0;
    char why[200];
    PaDeviceIndex dev = audio_pick(device, why, sizeof why);
    const PaDeviceInfo *info = dev == paNoDevice ? NULL : Pa_GetDeviceInfo(dev);
    int rate = info ? (int)(info->defaultSampleRate + 0.5) : 0;
    int saved = stderr_hide();
    Pa_Terminate();
    stderr_restore(saved);
    return rate;
}

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
