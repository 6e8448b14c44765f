/* rng.c - xoshiro256** with splitmix64 seeding (rng.h). */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_seed(Rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float rng_uniform(Rng *r)
{
    return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

uint32_t rng_below(Rng *r, uint32_t n)
{
    /* Rejection sampling on the top 32 bits: no modulo bias. */
    uint32_t limit = (uint32_t)(0x100000000ull - (0x100000000ull % n)) - 1u;
    for (;;) {
        uint32_t x = (uint32_t)(rng_next(r) >> 32);
        if (x <= limit || limit == 0xffffffffu)
            return x % n;
    }
}

float rng_gaussian(Rng *r)
{
    /* u1 in (0, 1] so the log is finite. */
    double u1 = ((double)(rng_next(r) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
    double u2 = (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}
