/* optim.c - AdamW with decoupled weight decay, global-norm clipping, warm-up + cosine. */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void adamw_step(const Adamw *o, float *params, const float *grads, float *m, float *v,
                const unsigned char *decay_mask, size_t n, long t)
{
    float c1 = 1.0f - powf(o->beta1, (float)t), c2 = 1.0f - powf(o->beta2, (float)t);
    for (size_t i = 0; i < n; i++) {
        float g = grads[i];
        m[i] = o->beta1 * m[i] + (1.0f - o->beta1) * g;
        v[i] = o->beta2 * v[i] + (1.0f - o->beta2) * g * g;
        float mhat = m[i] / c1, vhat = v[i] / c2;
        float decay = decay_mask && decay_mask[i] ? o->weight_decay * params[i] : 0.0f;
        params[i] -= o->lr * (mhat / (sqrtf(vhat) + o->eps) + decay);
    }
}

double optim_sum_squares(const float *x, size_t n)
{
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (double)x[i] * x[i];
    return ss;
}

float optim_clip_scale(double norm, float max_norm)
{
    return max_norm > 0.0f && norm > max_norm ? (float)(max_norm / (norm + 1e-6)) : 1.0f;
}

double optim_clip_grad_norm(float *grads, size_t n, float max_norm)
{
    double norm = sqrt(optim_sum_squares(grads, n));
    float s = optim_clip_scale(norm, max_norm);
    if (s != 1.0f)
        for (size_t i = 0; i < n; i++)
            grads[i] *= s;
    return norm;
}

float optim_lr_at(long step, long total, long warmup, float lr_max, float lr_min)
{
    if (warmup > 0 && step < warmup)
        return lr_max * (float)(step + 1) / (float)warmup;
    long span = total - warmup;
    if (span <= 1)
        return lr_max;
    double frac = (double)(step - warmup) / (double)(span - 1);
    if (frac > 1.0)
        frac = 1.0;
    return (float)(lr_min + 0.5 * (lr_max - lr_min) * (1.0 + cos(M_PI * frac)));
}

typedef struct {
    unsigned char *mask;
    const float *base;
} Decay_ctx;

/* Marks one tensor for decay when it is a weight matrix. */
static void decay_visit(void *ctx, const char *name, int rows, int cols, float *data)
{
    Decay_ctx *d = ctx;
    size_t off = (size_t)(data - d->base), n = (size_t)rows * (size_t)cols;
    int matrix = rows > 1 && cols > 1 && !strstr(name, "emb");
    memset(d->mask + off, matrix, n);
}

void optim_decay_mask(unsigned char *decay_mask, const Model_config *c)
{
    size_t n = model_params_count(c);
    /* Bind to a fake base so offsets come out of the pointers without touching memory. */
    float *fake = malloc(n * sizeof *fake);
    if (!fake) {
        memset(decay_mask, 0, n);
        return;
    }
    Model_params p;
    model_params_bind(&p, c, fake);
    Decay_ctx d = {decay_mask, fake};
    model_params_visit(&p, c, decay_visit, &d);
    free(fake);
}
