/* evolve.h - where the latent goes loop after loop: evolve (a mean-reverting walk) and A/B morph.
 *
 * The model draws a part from z = mu + sigma * eps, where mu and sigma come from the groove
 * (model.h) and eps is a noise vector in units of sigma. This module decides eps for each loop:
 *
 *   eps = base + walk
 *   base: the A/B morph when it is on, lerp(A, B, m); else a fixed latent (a recalled section's,
 *         Evolve.fixed); else the variation's noise eps(seed) (the same draw as nn/model.c's),
 *         or 0 for variation 0 (z = mu).
 *   walk: an Ornstein-Uhlenbeck step per loop with amount X in 0..1:
 *         walk' = (1 - X) walk + sqrt(1 - (1 - X)^2) * X * n,  n ~ N(0, 1) per dimension.
 *         X = 0 never moves (identical loops); X = 1 forgets the last loop and draws a fresh
 *         variation of strength 1 (a new part every loop); in between the walk reverts to the
 *         groove's mu with a spread of X sigma (its stationary standard deviation), so the part
 *         breathes but stays on the groove. The model turns noise into extra hits (off-mu
 *         latents decode busier, or, for some models, sparser), so an evolving part is held to
 *         the density of the base's part:
 *         each voice plays at most one hit more and at most one hit fewer than it has with
 *         eps = base, and a voice silent there stays silent (Regen_request.hold).
 *   morph: m fixed, or, with a rate of R loops, m = (1 - cos(2 pi loop / R)) / 2 (A at loop 0,
 *         B at loop R/2, back to A at loop R), as the published plugin's LFO does.
 *
 * Pure values; the walk's noise comes from its own seeded Rng, so a render is repeatable.
 * Control thread only; no allocation.
 */
#ifndef GROOVE_EVOLVE_H
#define GROOVE_EVOLVE_H

#include <stdint.h>

#include "rng.h"

#define EVOLVE_MAX_LATENT 512   /* latent sizes up to this are walked (the default model: 128) */
#define EVOLVE_MAX_STEPS 64     /* catching up after a gap takes at most this many steps */

typedef struct {
    int latent;                       /* L in use (0: nothing to walk) */
    float walk[EVOLVE_MAX_LATENT];    /* the walk, units of sigma */
    int64_t walked_to;                /* the loop the walk stands at */
    Rng rng;
    float fixed[EVOLVE_MAX_LATENT];   /* a fixed base latent (a recalled section), when has_fixed */
    int has_fixed;
    float a[EVOLVE_MAX_LATENT], b[EVOLVE_MAX_LATENT];   /* the A/B morph snapshots */
    int has_a, has_b;
} Evolve;

/* Morph controls, as saved in the session. */
typedef struct {
    float amount;      /* 0..1: 0 A, 1 B (when rate is 0) */
    int rate;          /* 0: the amount holds; N > 0: one A -> B -> A cycle every N loops */
} Evolve_morph;

/* A still walk at 0 for a latent of size `latent` (clamped to EVOLVE_MAX_LATENT), noise from seed. */
void evolve_init(Evolve *e, int latent, uint64_t seed);
/* Back to the groove's mu: walk = 0 (and it stands at loop `loop`). */
void evolve_reset(Evolve *e, int64_t loop);
/* One walk step with amount x (clamped to 0..1). */
void evolve_step(Evolve *e, float x);
/* Walks to loop `loop` (one step per loop since walked_to, at most EVOLVE_MAX_STEPS; a loop
 * before walked_to resets it there). Asking twice for the same loop does nothing. */
void evolve_walk_to(Evolve *e, int64_t loop, float x);
/* The morph amount at a loop (rate 0: the amount itself). */
float evolve_morph_at(const Evolve_morph *m, int64_t loop);
/* Whether the morph plays: both snapshots stored and an amount or a rate set. */
int evolve_morph_on(const Evolve *e, const Evolve_morph *m);
/* Fills eps [latent] for a loop (see above): variation_on / seed are the session's variation;
 * base (may be NULL) gets the base alone, without the walk. Returns 1 when eps is not all
 * zero (the model needs it), 0 when z = mu. */
int evolve_eps(const Evolve *e, const Evolve_morph *m, int variation_on, uint32_t seed, int64_t loop,
               float *eps, float *base);

#endif
