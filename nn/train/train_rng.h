/* train_rng.h - the trainer's counter-style random numbers (internal to nn/train*.c).
 *
 * Every random choice of training (initial weights, epoch order, augmentation, dropout
 * masks, reparameterisation eps) comes from a splitmix64 stream seeded by mixing a few
 * words (seed, epoch, position, site), so results depend on what is drawn, never on which
 * thread draws it or in which order. Pure inline functions.
 */
#ifndef GROOVE_TRAIN_RNG_H
#define GROOVE_TRAIN_RNG_H

#include <math.h>
#include <stdint.h>

/* Advances a splitmix64 state and returns the next 64 random bits. */
static inline uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Mixes several words into one seed. */
static inline uint64_t seed_mix(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t s = a ^ 0x243F6A8885A308D3ull;
    splitmix(&s);
    s ^= b * 0x9E3779B97F4A7C15ull;
    splitmix(&s);
    s ^= c * 0xC2B2AE3D27D4EB4Full;
    return splitmix(&s);
}

/* Returns a uniform float in [0, 1). */
static inline float rand_uniform(uint64_t *s) { return (float)(splitmix(s) >> 40) * (1.0f / 16777216.0f); }

/* Returns a standard normal sample (Box-Muller). */
static inline float rand_normal(uint64_t *s)
{
    float u1 = rand_uniform(s), u2 = rand_uniform(s);
    if (u1 < 1e-7f)
        u1 = 1e-7f;
    return sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2);
}

#endif
