/* dev_audio_internal.h - what dev_audio.c and dev_audio_devices.c share (not for other files).
 *
 * dev_audio.c owns the stream, its threads and the hand-over between them; dev_audio_devices.c
 * owns the device side: which device a spec names, the rates it opens at, the list for
 * `groove devices`, and PortAudio's set-up with ALSA's and JACK's stderr chatter hidden.
 * Thread: the control thread and dev_audio's device thread; never the audio callback.
 */
#ifndef GROOVE_DEV_AUDIO_INTERNAL_H
#define GROOVE_DEV_AUDIO_INTERNAL_H

#include <portaudio.h>
#include <stddef.h>

#include "dev_audio.h"

/* Installs a quiet ALSA error handler once (when libasound is present). */
void alsa_silence(void);
/* Redirects stderr to /dev/null; returns the saved descriptor (or -1) for stderr_restore. */
int stderr_hide(void);
void stderr_restore(int saved);
/* Pa_Initialize with the chatter hidden and no JACK server started behind our back. */
PaError audio_pa_init(void);
/* The output device a spec names (see Audio_config.device), or paNoDevice with the reason in why. */
PaDeviceIndex audio_pick(const char *spec, char *why, size_t whylen);
/* The usual rates the device opens at, as "44100, 48000 Hz", or "". */
void audio_rates_text(PaDeviceIndex dev, int channels, double latency, char *buf, size_t n);

#endif
