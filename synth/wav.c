/* wav.c - the one WAV writer (wav.h). */
#include "wav.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"
#include "le.h"

#define WAV_HEADER_BYTES 44
#define WAV_MAX_DATA_BYTES (0xFFFFFF00u - WAV_HEADER_BYTES)

static int bytes_per_sample(Wav_format format)
{
    return format == WAV_PCM16 ? 2 : 4;
}

/* Fills the 44-byte header for data_bytes of audio. */
static void header(uint8_t h[WAV_HEADER_BYTES], int channels, int rate, Wav_format format, uint32_t data_bytes)
{
    int bps = bytes_per_sample(format);
    memcpy(h, "RIFF", 4);
    le_put_u32(h + 4, 36 + data_bytes);
    memcpy(h + 8, "WAVEfmt ", 8);
    le_put_u32(h + 16, 16);
    le_put_u16(h + 20, format == WAV_PCM16 ? 1 : 3);
    le_put_u16(h + 22, (uint16_t)channels);
    le_put_u32(h + 24, (uint32_t)rate);
    le_put_u32(h + 28, (uint32_t)(rate * channels * bps));
    le_put_u16(h + 32, (uint16_t)(channels * bps));
    le_put_u16(h + 34, (uint16_t)(8 * bps));
    memcpy(h + 36, "data", 4);
    le_put_u32(h + 40, data_bytes);
}

int wav_writer_open(Wav_writer *w, const char *path, int channels, int rate, Wav_format format, char *err,
                    size_t errlen)
{
    memset(w, 0, sizeof *w);
    if (channels < 1 || channels > 8 || rate < 1) {
        return error_set(err, errlen, "cannot write '%s': bad audio format", path);
    }
    if (snprintf(w->path, sizeof w->path, "%s", path) >= (int)sizeof w->path) {
        return error_set(err, errlen, "cannot write '%.200s...': path too long", path);
    }
    w->channels = channels;
    w->rate = rate;
    w->format = format;
    uint8_t h[WAV_HEADER_BYTES];
    header(h, channels, rate, format, 0); /* the sizes are filled in at the close */
    if (atomic_file_open(&w->file, path, err, errlen) != 0) {
        return error_set(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    }
    if (atomic_file_append(&w->file, h, sizeof h, err, errlen) != 0) {
        atomic_file_abort(&w->file); /* keeps errno */
        return error_set(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    }
    w->open = 1;
    return 0;
}

int wav_writer_write(Wav_writer *w, const float *samples, int frames, char *err, size_t errlen)
{
    int bps = bytes_per_sample(w->format);
    uint64_t bytes = (uint64_t)(w->frames + frames) * (uint64_t)w->channels * (uint64_t)bps;
    if (frames < 0 || bytes > WAV_MAX_DATA_BYTES) {
        return error_set(err, errlen, "cannot write '%s': too long for a WAV file", w->path);
    }
    uint8_t buf[4096];
    size_t count = (size_t)frames * (size_t)w->channels, used = 0;
    for (size_t i = 0; i < count; i++) {
        float x = samples[i];
        if (!(x == x))
            x = 0.0f;
        x = x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
        if (w->format == WAV_PCM16)
            le_put_u16(buf + used, (uint16_t)(int16_t)lrintf(x * 32767.0f));
        else
            le_put_f32(buf + used, x);
        used += (size_t)bps;
        if (used == sizeof buf || i + 1 == count) {
            if (atomic_file_append(&w->file, buf, used, err, errlen) != 0) {
                return error_set(err, errlen, "cannot write '%s': %s", w->path, strerror(errno));
            }
            used = 0;
        }
    }
    w->frames += frames;
    return 0;
}

int wav_writer_truncate(Wav_writer *w, int64_t frames, char *err, size_t errlen)
{
    if (frames >= w->frames)
        return 0;
    if (frames < 0)
        frames = 0;
    off_t end = WAV_HEADER_BYTES + (off_t)frames * w->channels * bytes_per_sample(w->format);
    if (ftruncate(w->file.fd, end) != 0 || lseek(w->file.fd, end, SEEK_SET) != end) {
        return error_set(err, errlen, "cannot write '%s': %s", w->path, strerror(errno));
    }
    w->frames = frames;
    return 0;
}

int wav_writer_close(Wav_writer *w, int commit, char *err, size_t errlen)
{
    if (!w->open)
        return 0;
    w->open = 0;
    if (!commit) {
        atomic_file_abort(&w->file);
        return 0;
    }
    uint8_t h[WAV_HEADER_BYTES];
    header(h, w->channels, w->rate, w->format,
           (uint32_t)(w->frames * w->channels * bytes_per_sample(w->format)));
    if (pwrite(w->file.fd, h, sizeof h, 0) != (ssize_t)sizeof h) {
        error_set(err, errlen, "cannot write '%s': %s", w->path, strerror(errno));
        atomic_file_abort(&w->file);
        return -1;
    }
    if (atomic_file_commit(&w->file, err, errlen) != 0) {
        char why[512];
        snprintf(why, sizeof why, "%s", strerror(errno));
        return error_set(err, errlen, "cannot write '%s': %s", w->path, why);
    }
    return 0;
}

int wav_write(const char *path, const float *samples, int frames, int channels, int rate, Wav_format format,
              char *err, size_t errlen)
{
    Wav_writer w;
    if (frames < 0) {
        return error_set(err, errlen, "cannot write '%s': bad audio format", path);
    }
    if (wav_writer_open(&w, path, channels, rate, format, err, errlen) != 0)
        return -1;
    int rc = wav_writer_write(&w, samples, frames, err, errlen);
    if (wav_writer_close(&w, rc == 0, err, errlen) != 0)
        rc = -1;
    return rc;
}
