/* le.h - little-endian bytes: the one way groove's binary formats put and read numbers.
 *
 * The model file (nn/model_file), the dataset file (nn/train/dataset) and WAV headers
 * (synth/wav) store integers least significant byte first and floats as their IEEE-754 bits
 * the same way, whatever the host's byte order. p points at the bytes (no alignment needed).
 * Pure inline functions; any thread. (MIDI files are big-endian: core/smf has its own.)
 */
#ifndef GROOVE_LE_H
#define GROOVE_LE_H

#include <stdint.h>
#include <string.h>

static inline void le_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void le_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le_put_f32(uint8_t *p, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    le_put_u32(p, v);
}

static inline uint16_t le_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le_get_u64(const uint8_t *p)
{
    return (uint64_t)le_get_u32(p) | (uint64_t)le_get_u32(p + 4) << 32;
}

static inline float le_get_f32(const uint8_t *p)
{
    uint32_t v = le_get_u32(p);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

#endif
