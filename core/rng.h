/* rng.h - a small deterministic random number generator (xoshiro256** seeded by splitmix64)
 * with uniform and Gaussian draws. The same seed gives the same stream on every machine and
 * build, so generations and training runs replay exactly.
 *
 * The caller owns an Rng (a plain value, no allocation); one Rng per thread.
 */
#ifndef GROOVE_RNG_H
#define GROOVE_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} Rng;

/* Seeds the generator; any seed (0 included) is fine. */
void rng_seed(Rng *r, uint64_t seed);
/* Returns the next 64 random bits. */
uint64_t rng_next(Rng *r);
/* Returns a uniform float in [0, 1) (24 random bits). */
float rng_uniform(Rng *r);
/* Returns a uniform integer in [0, n) for n >= 1 (unbiased). */
uint32_t rng_below(Rng *r, uint32_t n);
/* Returns a standard normal draw (Box-Muller; no cached second value, so the stream
 * position depends only on the number of calls). */
float rng_gaussian(Rng *r);

#endif
