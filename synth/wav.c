/* wav.c - WAV writer (wav.h). */
#include "wav.h"

#include "atomic_file.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_u16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)((v >> (8 * i)) & 0xff);
}

int wav_write(const char *path, const float *samples, int frames, int channels, int rate, Wav_format format,
              char *err, size_t errlen)
{
    if (frames < 0 || channels < 1 || channels > 8 || rate < 1) {
        snprintf(err, errlen, "cannot write '%s': bad audio format", path);
        return -1;
    }
    int bytes_per_sample = format == WAV_PCM16 ? 2 : 4;
    uint64_t data_bytes = (uint64_t)frames * (uint64_t)channels * (uint64_t)bytes_per_sample;
    if (data_bytes > 0xFFFFFF00u - 44) {
        snprintf(err, errlen, "cannot write '%s': too long for a WAV file", path);
        return -1;
    }
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    put_u32(h + 4, (uint32_t)(36 + data_bytes));
    memcpy(h + 8, "WAVEfmt ", 8);
    put_u32(h + 16, 16);
    put_u16(h + 20, format == WAV_PCM16 ? 1 : 3);
    put_u16(h + 22, (unsigned)channels);
    put_u32(h + 24, (uint32_t)rate);
    put_u32(h + 28, (uint32_t)(rate * channels * bytes_per_sample));
    put_u16(h + 32, (unsigned)(channels * bytes_per_sample));
    put_u16(h + 34, (unsigned)(8 * bytes_per_sample));
    memcpy(h + 36, "data", 4);
    put_u32(h + 40, (uint32_t)data_bytes);

    unsigned char *buf = malloc(data_bytes ? (size_t)data_bytes : 1);
    if (!buf) {
        snprintf(err, errlen, "cannot write '%s': out of memory", path);
        return -1;
    }
    size_t count = (size_t)frames * (size_t)channels;
    for (size_t i = 0; i < count; i++) {
        float x = samples[i];
        if (!(x == x))
            x = 0.0f;
        x = x > 1.0f ? 1.0f : x < -1.0f ? -1.0f : x;
        if (format == WAV_PCM16) {
            long v = lrintf(x * 32767.0f);
            put_u16(buf + 2 * i, (unsigned)(uint16_t)(int16_t)v);
        } else {
            uint32_t u;
            memcpy(&u, &x, 4);
            put_u32(buf + 4 * i, u);
        }
    }
    Atomic_file f;
    int ok = atomic_file_open(&f, path, err, errlen) == 0;
    if (ok && (atomic_file_append(&f, h, sizeof h, err, errlen) != 0 ||
               atomic_file_append(&f, buf, (size_t)data_bytes, err, errlen) != 0)) {
        atomic_file_abort(&f); /* keeps errno */
        ok = 0;
    }
    if (ok && atomic_file_commit(&f, err, errlen) != 0)
        ok = 0;
    if (!ok)
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    free(buf);
    return ok ? 0 : -1;
}
