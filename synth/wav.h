/* wav.h - a small WAV writer: 16-bit PCM (for the committed default kit) or 32-bit float.
 *
 * Writes a whole buffer at once, atomically (a temp file beside the target, fsync, rename),
 * so a reader never sees half a file. Float input is clamped to [-1, 1] and rounded for
 * 16-bit. Pure apart from its file; any thread but the audio thread.
 */
#ifndef GROOVE_WAV_H
#define GROOVE_WAV_H

#include <stddef.h>

typedef enum { WAV_PCM16, WAV_FLOAT32 } Wav_format;

/* Writes frames frames of interleaved float samples (channels per frame) to path. Returns 0,
 * or -1 with a one-line reason in err. */
int wav_write(const char *path, const float *samples, int frames, int channels, int rate, Wav_format format,
              char *err, size_t errlen);

#endif
