/* evolve.c - the latent's walk and the A/B morph (see evolve.h). */
#include "evolve.h"

#include <math.h>
#include <string.h>

#include "clamp.h"

void evolve_init(Evolve *e, int latent, uint64_t seed)
{
    memset(e, 0, sizeof *e);
    e->latent = latent < 0 ? 0 : latent > EVOLVE_MAX_LATENT ? EVOLVE_MAX_LATENT : latent;
    rng_seed(&e->rng, seed ^ 0x65766f6c7665ull);
}

void evolve_reset(Evolve *e, int64_t loop)
{
    memset(e->walk, 0, sizeof e->walk);
    e->walked_to = loop;
}

void evolve_step(Evolve *e, float x)
{
    x = clampf(x, 0.0f, 1.0f);
    if (x == 0.0f)
        return;
    float keep = 1.0f - x;
    float kick = sqrtf(1.0f - keep * keep) * x;
    for (int i = 0; i < e->latent; i++)
        e->walk[i] = keep * e->walk[i] + kick * rng_gaussian(&e->rng);
}

void evolve_walk_to(Evolve *e, int64_t loop, float x)
{
    if (loop < e->walked_to) {
        evolve_reset(e, loop);
        return;
    }
    int64_t n = loop - e->walked_to;
    if (n > EVOLVE_MAX_STEPS)
        n = EVOLVE_MAX_STEPS;
    for (int64_t i = 0; i < n; i++)
        evolve_step(e, x);
    e->walked_to = loop;
}

float evolve_morph_at(const Evolve_morph *m, int64_t loop)
{
    if (m->rate <= 0)
        return clampf(m->amount, 0.0f, 1.0f);
    double phase = (double)(loop % m->rate) / (double)m->rate;
    return (float)(0.5 - 0.5 * cos(2.0 * 3.14159265358979323846 * phase));
}

int evolve_morph_on(const Evolve *e, const Evolve_morph *m)
{
    return e->has_a && e->has_b && (m->amount > 0.0f || m->rate > 0);
}

int evolve_eps(const Evolve *e, const Evolve_morph *m, int variation_on, uint32_t seed, int64_t loop,
               float *eps, float *base)
{
    int L = e->latent;
    if (evolve_morph_on(e, m)) {
        float a = evolve_morph_at(m, loop);
        for (int i = 0; i < L; i++)
            eps[i] = (1.0f - a) * e->a[i] + a * e->b[i];
    } else if (e->has_fixed) {
        memcpy(eps, e->fixed, (size_t)L * sizeof *eps);
    } else if (variation_on) {
        Rng r;
        rng_seed(&r, seed);   /* the same draw as model_choose_latent's eps(seed) */
        for (int i = 0; i < L; i++)
            eps[i] = rng_gaussian(&r);
    } else {
        memset(eps, 0, (size_t)L * sizeof *eps);
    }
    if (base)
        memcpy(base, eps, (size_t)L * sizeof *eps);
    int any = 0;
    for (int i = 0; i < L; i++) {
        eps[i] += e->walk[i];
        any |= eps[i] != 0.0f;
    }
    return any;
}
