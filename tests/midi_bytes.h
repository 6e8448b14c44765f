/* midi_bytes.h - builds MIDI files byte by byte inside a test, so each test states exactly
 * what the file holds (delta times, running status, metas) without fixture files. */
#ifndef GROOVE_TEST_MIDI_BYTES_H
#define GROOVE_TEST_MIDI_BYTES_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    uint8_t b[65536];
    size_t n;
} MidiBytes;

static inline void mb_raw(MidiBytes *m, const void *src, size_t n)
{
    if (m->n + n <= sizeof m->b) {
        memcpy(m->b + m->n, src, n);
        m->n += n;
    }
}
static inline void mb_byte(MidiBytes *m, uint8_t v) { mb_raw(m, &v, 1); }
static inline void mb_be32(MidiBytes *m, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    mb_raw(m, x, 4);
}
static inline void mb_vlq(MidiBytes *m, uint32_t v)
{
    uint8_t x[5];
    int n = 0;
    x[4 - n++] = v & 0x7f;
    while ((v >>= 7) != 0)
        x[4 - n++] = (uint8_t)(0x80 | (v & 0x7f));
    mb_raw(m, x + 5 - n, (size_t)n);
}
/* Header chunk: format, number of tracks, division. */
static inline void mb_header(MidiBytes *m, int format, int ntracks, int division)
{
    mb_raw(m, "MThd", 4);
    mb_be32(m, 6);
    uint8_t x[6] = {0, (uint8_t)format, (uint8_t)(ntracks >> 8), (uint8_t)ntracks, (uint8_t)(division >> 8),
                    (uint8_t)division};
    mb_raw(m, x, 6);
}
/* Starts a track chunk; returns where its length goes (fill with mb_track_end). */
static inline size_t mb_track_begin(MidiBytes *m)
{
    mb_raw(m, "MTrk", 4);
    size_t at = m->n;
    mb_be32(m, 0);
    return at;
}
/* Ends a track: end-of-track meta after delta, then patches the chunk length. */
static inline void mb_track_end(MidiBytes *m, size_t at, uint32_t delta)
{
    mb_vlq(m, delta);
    mb_raw(m, "\xff\x2f\x00", 3);
    uint32_t len = (uint32_t)(m->n - at - 4);
    uint8_t x[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    memcpy(m->b + at, x, 4);
}
/* A note-on (status written every time) after delta ticks. */
static inline void mb_on(MidiBytes *m, uint32_t delta, int channel, int note, int velocity)
{
    mb_vlq(m, delta);
    mb_byte(m, (uint8_t)(0x90 | channel));
    mb_byte(m, (uint8_t)note);
    mb_byte(m, (uint8_t)velocity);
}
static inline void mb_off(MidiBytes *m, uint32_t delta, int channel, int note)
{
    mb_vlq(m, delta);
    mb_byte(m, (uint8_t)(0x80 | channel));
    mb_byte(m, (uint8_t)note);
    mb_byte(m, 64);
}
/* A program change (GM program 0..127) after delta ticks. */
static inline void mb_program(MidiBytes *m, uint32_t delta, int channel, int program)
{
    mb_vlq(m, delta);
    mb_byte(m, (uint8_t)(0xc0 | channel));
    mb_byte(m, (uint8_t)program);
}
static inline void mb_tempo(MidiBytes *m, uint32_t delta, uint32_t us_per_quarter)
{
    mb_vlq(m, delta);
    uint8_t x[6] = {0xff, 0x51, 3, (uint8_t)(us_per_quarter >> 16), (uint8_t)(us_per_quarter >> 8),
                    (uint8_t)us_per_quarter};
    mb_raw(m, x, 6);
}
static inline void mb_timesig(MidiBytes *m, uint32_t delta, int num, int den_pow2)
{
    mb_vlq(m, delta);
    uint8_t x[7] = {0xff, 0x58, 4, (uint8_t)num, (uint8_t)den_pow2, 24, 8};
    mb_raw(m, x, 7);
}
/* Writes the bytes to path; returns 0 on success. */
static inline int mb_save(const MidiBytes *m, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(m->b, 1, m->n, f);
    return (fclose(f) == 0 && w == m->n) ? 0 : -1;
}

#endif
