/* train.c - forward with kept activations, losses, backward, data-parallel steps, AdamW. */
#include "train.h"

#include "arena.h"
#include "error.h"
#include "layers.h"
#include "layers_backward.h"
#include "optim.h"
#include "train_kernels.h"
#include "train_parts.h"
#include "train_rng.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- options */

void train_options_default(Train_options *o)
{
    /* the shipped model's recipe (docs/training.md: run m23) */
    memset(o, 0, sizeof *o);
    o->epochs = 64;
    o->batch = 64;
    o->threads = 2;
    o->lr = 1e-3f;
    o->lr_min = 2e-5f;
    o->warmup = 0.05f;
    o->weight_decay = 0.05f;
    o->clip = 1.0f;
    o->dropout = 0.2f;
    o->hit_weight = 0.5f;
    o->vel_weight = 1.0f;
    o->offset_weight = 10.0f;
    o->beta = 0.2f;
    o->beta_ramp = 0.3f;
    o->mute_prob = 0.2f;
    o->kinds = DATASET_BEATS;
    o->seed = 1;
    o->reg_weight = 0.0f;
    o->bar_swap = 0.5f;
    o->groove_drop = 0.0f;
    o->logvar_init = -5.0f;
    o->genre_drop = 0.5f;
    o->keys_prob = 0.1f;
    o->taps_prob = 0.05f;
    o->memory_drop = 0.2f;
    o->memory_noise = 0.1f;
    o->memory_gate = -1;       /* the --from / --calibrate file's own; from scratch 1 */
    o->memory_errors = 0.0f;   /* 0.3 from scratch (run m3) broke the closed loop */
    o->val_genre = 0;
    o->ema = 0.999f;           /* run m23: the average of about the last 1,000 steps (4 epochs) */
}

/* ---------------------------------------------------------------- activations */

/* One transformer block's kept activations (rows R = samples x steps). */
typedef struct {
    float *qkv;                   /* [R][3D] */
    float *att;                   /* [B][H][T][T] */
    float *atty;                  /* [R][D] attention before its projection */
    float *proj;                  /* [R][D] projection, after dropout */
    float *res1, *ln1;            /* [R][D] x + proj, its layer norm */
    float *ln1_mean, *ln1_rstd;   /* [R] */
    float *ffh, *ffa;             /* [R][F] before ReLU, after ReLU and dropout */
    float *ff2;                   /* [R][D] after dropout */
    float *res2, *ln2;            /* [R][D] ln1 + ff2, its layer norm (the block output) */
    float *ln2_mean, *ln2_rstd;   /* [R] */
    float *mask_attn, *mask_ff, *mask_ff2;  /* dropout scales, same shapes */
} Block_acts;

/* The whole model's kept activations for B samples. */
typedef struct {
    float *x_in;                  /* [R][in] */
    float *enc_h, *enc_x0;        /* [R][De] input linear; ReLU + PE + dropout */
    float *mask_in;               /* [R][De] */
    Block_acts enc[MODEL_MAX_LAYERS];
    float *enc_out, *enc_mean, *enc_rstd;  /* [R][De], [R], [R] */
    float *mu, *logvar, *eps, *z;  /* [B][L]; z is the conditioned latent */
    float *dec_x0;                /* [R][Dd] */
    Block_acts dec[MODEL_MAX_LAYERS];
    float *out;                   /* [R][27] */
} Acts;

/* Lays out one block's activations. */
static void block_acts_bind(Block_acts *a, Arena *l, int B, int T, int D, int H, int F)
{
    size_t R = (size_t)B * T;
    a->qkv = arena_take(l, R * 3 * D);
    a->att = arena_take(l, (size_t)B * H * T * T);
    a->atty = arena_take(l, R * D);
    a->proj = arena_take(l, R * D);
    a->res1 = arena_take(l, R * D);
    a->ln1 = arena_take(l, R * D);
    a->ln1_mean = arena_take(l, R);
    a->ln1_rstd = arena_take(l, R);
    a->ffh = arena_take(l, R * F);
    a->ffa = arena_take(l, R * F);
    a->ff2 = arena_take(l, R * D);
    a->res2 = arena_take(l, R * D);
    a->ln2 = arena_take(l, R * D);
    a->ln2_mean = arena_take(l, R);
    a->ln2_rstd = arena_take(l, R);
    a->mask_attn = arena_take(l, R * D);
    a->mask_ff = arena_take(l, R * F);
    a->mask_ff2 = arena_take(l, R * D);
}

/* Lays out all activations for B samples in base (NULL: count); returns the floats. */
static size_t acts_bind(Acts *a, const Model_config *c, int B, float *base)
{
    Arena l = {base, 0};
    size_t R = (size_t)B * c->steps, L = (size_t)c->latent;
    a->x_in = arena_take(&l, R * c->input_dim);
    a->enc_h = arena_take(&l, R * c->enc_d);
    a->enc_x0 = arena_take(&l, R * c->enc_d);
    a->mask_in = arena_take(&l, R * c->enc_d);
    for (int i = 0; i < c->enc_layers; i++)
        block_acts_bind(&a->enc[i], &l, B, c->steps, c->enc_d, c->enc_heads, c->enc_ff);
    a->enc_out = arena_take(&l, R * c->enc_d);
    a->enc_mean = arena_take(&l, R);
    a->enc_rstd = arena_take(&l, R);
    a->mu = arena_take(&l, B * L);
    a->logvar = arena_take(&l, B * L);
    a->eps = arena_take(&l, B * L);
    a->z = arena_take(&l, B * L);
    a->dec_x0 = arena_take(&l, R * c->dec_d);
    for (int i = 0; i < c->dec_layers; i++)
        block_acts_bind(&a->dec[i], &l, B, c->steps, c->dec_d, c->dec_heads, c->dec_ff);
    a->out = arena_take(&l, R * c->output_dim);
    return l.used;
}

/* ---------------------------------------------------------------- workers */

struct Train_worker {
    Trainer *t;
    Acts a, d;                 /* activations and their gradients */
    float *abuf, *dbuf;
    size_t acount;
    float *grads;              /* this worker's parameter gradients */
    Model_params g;
    /* the job */
    const Train_sample *samples;
    int n, n_total, train, backward;
    float beta;
    Train_losses losses;
};

/* Draws a dropout scale mask for each sample's rows (site tells the masks apart). */
static void dropout_mask(float *mask, const Train_sample *s, int B, int T, int width, float p, int site)
{
    float keep = 1.0f - p, scale = 1.0f / keep;
    for (int b = 0; b < B; b++) {
        uint64_t st = seed_mix(s[b].seed, (uint64_t)site, 77);
        float *m = mask + (size_t)b * T * width;
        for (int i = 0; i < T * width; i++)
            m[i] = rand_uniform(&st) < keep ? scale : 0.0f;
    }
}

/* Multiplies x by a dropout mask (mask NULL: nothing). */
static void mask_apply(float *x, const float *mask, size_t n)
{
    if (mask)
        for (size_t i = 0; i < n; i++)
            x[i] *= mask[i];
}

/* Forward of one post-norm block; wt holds the transposed weights. */
static void block_forward(const Block_params *wt, Block_acts *a, const float *x, const Train_sample *s, int B,
                          int T, int D, int H, int F, float drop, int site)
{
    int R = B * T;
    tk_matmul_nn(a->qkv, x, wt->qkv_w, wt->qkv_b, R, D, 3 * D, 0);
    attention_forward(a->atty, a->att, a->qkv, B, T, D, H);
    tk_matmul_nn(a->proj, a->atty, wt->proj_w, wt->proj_b, R, D, D, 0);
    if (drop > 0.0f) {
        dropout_mask(a->mask_attn, s, B, T, D, drop, site);
        mask_apply(a->proj, a->mask_attn, (size_t)R * D);
    }
    add_forward(a->res1, x, a->proj, R * D);
    layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, a->res1, wt->ln1_g, wt->ln1_b, R, D);
    tk_matmul_nn(a->ffh, a->ln1, wt->ff1_w, wt->ff1_b, R, D, F, 0);
    relu_forward(a->ffa, a->ffh, R * F);
    if (drop > 0.0f) {
        dropout_mask(a->mask_ff, s, B, T, F, drop, site + 1);
        mask_apply(a->ffa, a->mask_ff, (size_t)R * F);
    }
    tk_matmul_nn(a->ff2, a->ffa, wt->ff2_w, wt->ff2_b, R, F, D, 0);
    if (drop > 0.0f) {
        dropout_mask(a->mask_ff2, s, B, T, D, drop, site + 2);
        mask_apply(a->ff2, a->mask_ff2, (size_t)R * D);
    }
    add_forward(a->res2, a->ln1, a->ff2, R * D);
    layernorm_forward(a->ln2, a->ln2_mean, a->ln2_rstd, a->res2, wt->ln2_g, wt->ln2_b, R, D);
}

/* Backward of one block: d holds the gradient of its output in d->ln2; dx receives the
 * gradient of its input x. */
static void block_backward(const Block_params *w, Block_params *g, const Block_acts *a, Block_acts *d,
                           const float *x, float *dx, int B, int T, int D, int H, int F, int dropped)
{
    int R = B * T;
    layernorm_backward(d->res2, g->ln2_g, g->ln2_b, d->ln2, a->res2, w->ln2_g, a->ln2_mean, a->ln2_rstd, R, D);
    add_backward(d->ln1, d->ff2, d->res2, R * D);
    if (dropped)
        mask_apply(d->ff2, a->mask_ff2, (size_t)R * D);
    linear_backward(d->ffa, g->ff2_w, g->ff2_b, d->ff2, a->ffa, w->ff2_w, R, F, D);
    if (dropped)
        mask_apply(d->ffa, a->mask_ff, (size_t)R * F);
    relu_backward(d->ffh, a->ffh, d->ffa, R * F);
    linear_backward(d->ln1, g->ff1_w, g->ff1_b, d->ffh, a->ln1, w->ff1_w, R, D, F);
    layernorm_backward(d->res1, g->ln1_g, g->ln1_b, d->ln1, a->res1, w->ln1_g, a->ln1_mean, a->ln1_rstd, R, D);
    add_backward(dx, d->proj, d->res1, R * D);
    if (dropped)
        mask_apply(d->proj, a->mask_attn, (size_t)R * D);
    linear_backward(d->atty, g->proj_w, g->proj_b, d->proj, a->atty, w->proj_w, R, D, D);
    attention_backward(d->qkv, d->atty, a->qkv, a->att, B, T, D, H);
    linear_backward(dx, g->qkv_w, g->qkv_b, d->qkv, x, w->qkv_w, R, D, 3 * D);
}

/* The input-kind row a sample uses (out-of-range kinds count as drums, as at play time). */
static int sample_kind(const Model_config *c, const Train_sample *s)
{
    return s->kind >= 0 && s->kind < c->n_kinds ? s->kind : INPUT_KIND_DRUMS;
}

/* Adds the conditioning embeddings of sample s to z[L] (or, with dz, their gradient). */
static void condition(const Model_config *c, const Model_params *p, const Train_sample *s, float *z)
{
    int L = c->latent;
    if (c->n_genres && s->genre >= 0 && s->genre < c->n_genres)
        add_forward(z, z, p->genre_emb + (size_t)s->genre * L, L);
    if (c->has_fill)
        add_forward(z, z, p->fill_emb + (size_t)(s->fill ? 1 : 0) * L, L);
    for (int gi = 0; gi < c->n_mute_groups; gi++)
        if (s->mutes & (1 << gi))
            add_forward(z, z, p->mute_emb + (size_t)gi * L, L);
    if (c->n_kinds)
        add_forward(z, z, p->kind_emb + (size_t)sample_kind(c, s) * L, L);
}

/* Accumulates the gradient dz[L] into the embeddings sample s used. */
static void condition_backward(const Model_config *c, Model_params *g, const Train_sample *s, const float *dz)
{
    int L = c->latent;
    if (c->n_genres && s->genre >= 0 && s->genre < c->n_genres)
        add_backward(g->genre_emb + (size_t)s->genre * L, NULL, dz, L);
    if (c->has_fill)
        add_backward(g->fill_emb + (size_t)(s->fill ? 1 : 0) * L, NULL, dz, L);
    for (int gi = 0; gi < c->n_mute_groups; gi++)
        if (s->mutes & (1 << gi))
            add_backward(g->mute_emb + (size_t)gi * L, NULL, dz, L);
    if (c->n_kinds)
        add_backward(g->kind_emb + (size_t)sample_kind(c, s) * L, NULL, dz, L);
}

/* The whole forward pass of a worker's samples, keeping activations. */
static void model_forward(Train_worker *w)
{
    Trainer *t = w->t;
    const Model_config *c = &t->cfg;
    const Model_params *pt = &t->pt;
    const Train_sample *s = w->samples;
    Acts *a = &w->a;
    int B = w->n, T = c->steps, R = B * T, L = c->latent, De = c->enc_d, Dd = c->dec_d;
    float drop = w->train ? t->opt.dropout : 0.0f;

    for (int b = 0; b < B; b++)
        model_compose_input(c, &s[b].input.v[0][0], s[b].has_memory ? &s[b].memory.v[0][0] : NULL,
                            s[b].has_memory_groove ? &s[b].memory_groove.g[0][0] : NULL,
                            a->x_in + (size_t)b * T * c->input_dim);
    tk_matmul_nn(a->enc_h, a->x_in, pt->in_w, pt->in_b, R, c->input_dim, De, 0);
    for (int r = 0; r < R; r++) {
        const float *h = a->enc_h + (size_t)r * De, *pe = t->pe + (size_t)(r % T) * De;
        float *x0 = a->enc_x0 + (size_t)r * De;
        for (int i = 0; i < De; i++)
            x0[i] = (h[i] > 0.0f ? h[i] : 0.0f) + pe[i];
    }
    if (drop > 0.0f) {
        dropout_mask(a->mask_in, s, B, T, De, drop, 1);
        mask_apply(a->enc_x0, a->mask_in, (size_t)R * De);
    }
    const float *x = a->enc_x0;
    for (int l = 0; l < c->enc_layers; l++) {
        block_forward(&pt->enc[l], &a->enc[l], x, s, B, T, De, c->enc_heads, c->enc_ff, drop, 10 + 3 * l);
        x = a->enc[l].ln2;
    }
    layernorm_forward(a->enc_out, a->enc_mean, a->enc_rstd, x, pt->enc_ln_g, pt->enc_ln_b, R, De);
    tk_matmul_nn(a->mu, a->enc_out, pt->mu_w, pt->mu_b, B, T * De, L, 0);
    tk_matmul_nn(a->logvar, a->enc_out, pt->logvar_w, pt->logvar_b, B, T * De, L, 0);
    for (int b = 0; b < B; b++) {
        float *eps = a->eps + (size_t)b * L, *z = a->z + (size_t)b * L;
        const float *mu = a->mu + (size_t)b * L, *lv = a->logvar + (size_t)b * L;
        uint64_t st = seed_mix(s[b].seed, 2, 99);
        for (int i = 0; i < L; i++) {
            eps[i] = w->train ? rand_normal(&st) : 0.0f;
            z[i] = mu[i] + expf(0.5f * lv[i]) * eps[i];
        }
        condition(c, pt, &s[b], z);
    }
    tk_matmul_nn(a->dec_x0, a->z, pt->dec_in_w, pt->dec_in_b, B, L, T * Dd, 0);
    x = a->dec_x0;
    for (int l = 0; l < c->dec_layers; l++) {
        block_forward(&pt->dec[l], &a->dec[l], x, s, B, T, Dd, c->dec_heads, c->dec_ff, drop, 100 + 3 * l);
        x = a->dec[l].ln2;
    }
    tk_matmul_nn(a->out, x, pt->out_w, pt->out_b, R, Dd, c->output_dim, 0);
}

/* Computes the losses of the worker's samples and the gradient of the output in d->out. */
static void model_loss(Train_worker *w)
{
    Trainer *t = w->t;
    const Model_config *c = &t->cfg;
    const Train_options *o = &t->opt;
    const Train_sample *s = w->samples;
    int B = w->n, T = c->steps, L = c->latent, V = HVO_VOICES, OD = c->output_dim;
    double norm = 1.0 / ((double)w->n_total * T);
    double lh = 0, lv = 0, lo = 0, lk = 0;
    for (int b = 0; b < B; b++) {
        for (int tt = 0; tt < T; tt++) {
            const float *out = w->a.out + ((size_t)b * T + tt) * OD;
            float *dout = w->d.out + ((size_t)b * T + tt) * OD;
            const float *y = s[b].target.v[tt];
            for (int v = 0; v < V; v++) {
                float hit = y[v] > 0.5f ? 1.0f : 0.0f;
                float wt = hit > 0.0f ? 1.0f : o->hit_weight, wr = hit > 0.0f ? 1.0f : o->reg_weight;
                float xl = out[v];
                float prob = 1.0f / (1.0f + expf(-xl));
                double bce = (xl > 0.0f ? xl : 0.0f) - xl * hit + log1p(exp(-fabs((double)xl)));
                lh += wt * bce;
                dout[v] = (float)(wt * (prob - hit) * norm);
                float sv = 1.0f / (1.0f + expf(-out[V + v]));
                float ev = sv - y[V + v];
                lv += wr * ev * ev;
                dout[V + v] = (float)(o->vel_weight * wr * 2.0 * ev * sv * (1.0f - sv) * norm);
                float th = tanhf(out[2 * V + v]);
                float eo = 0.5f * th - y[2 * V + v];
                lo += wr * eo * eo;
                dout[2 * V + v] = (float)(o->offset_weight * wr * 2.0 * eo * 0.5 * (1.0 - th * th) * norm);
            }
        }
        const float *mu = w->a.mu + (size_t)b * L, *lvar = w->a.logvar + (size_t)b * L;
        for (int i = 0; i < L; i++)
            lk += -0.5 * (1.0 + lvar[i] - (double)mu[i] * mu[i] - exp(lvar[i]));
    }
    lk /= L;   /* KL is averaged over the latent dimensions */
    Train_losses *r = &w->losses;
    r->hit = lh / T;
    r->vel = lv / T;
    r->offset = lo / T;
    r->kl = lk;
    r->beta = w->beta;
    r->total = r->hit + o->vel_weight * r->vel + o->offset_weight * r->offset + w->beta * r->kl;
    r->samples = B;
}

/* The whole backward pass of a worker's samples into its gradient buffer. */
static void model_backward(Train_worker *w)
{
    Trainer *t = w->t;
    const Model_config *c = &t->cfg;
    const Model_params *p = &t->p;
    Model_params *g = &w->g;
    const Train_sample *s = w->samples;
    Acts *a = &w->a, *d = &w->d;
    int B = w->n, T = c->steps, R = B * T, L = c->latent, De = c->enc_d, Dd = c->dec_d;
    int dropped = w->train && t->opt.dropout > 0.0f;
    double knorm = 1.0 / ((double)w->n_total * L);   /* KL: mean over batch and latent */

    const float *x = c->dec_layers ? a->dec[c->dec_layers - 1].ln2 : a->dec_x0;
    float *dx = c->dec_layers ? d->dec[c->dec_layers - 1].ln2 : d->dec_x0;
    linear_backward(dx, g->out_w, g->out_b, d->out, x, p->out_w, R, Dd, c->output_dim);
    for (int l = c->dec_layers - 1; l >= 0; l--) {
        const float *xin = l ? a->dec[l - 1].ln2 : a->dec_x0;
        float *dxin = l ? d->dec[l - 1].ln2 : d->dec_x0;
        block_backward(&p->dec[l], &g->dec[l], &a->dec[l], &d->dec[l], xin, dxin, B, T, Dd, c->dec_heads,
                       c->dec_ff, dropped);
    }
    linear_backward(d->z, g->dec_in_w, g->dec_in_b, d->dec_x0, a->z, p->dec_in_w, B, L, T * Dd);
    for (int b = 0; b < B; b++) {
        const float *dz = d->z + (size_t)b * L, *eps = a->eps + (size_t)b * L;
        const float *mu = a->mu + (size_t)b * L, *lv = a->logvar + (size_t)b * L;
        float *dmu = d->mu + (size_t)b * L, *dlv = d->logvar + (size_t)b * L;
        condition_backward(c, g, &s[b], dz);
        for (int i = 0; i < L; i++) {
            float sd = expf(0.5f * lv[i]);
            dmu[i] = dz[i] + (float)(w->beta * mu[i] * knorm);
            dlv[i] = dz[i] * eps[i] * 0.5f * sd + (float)(w->beta * 0.5 * (exp(lv[i]) - 1.0) * knorm);
        }
    }
    linear_backward(d->enc_out, g->mu_w, g->mu_b, d->mu, a->enc_out, p->mu_w, B, T * De, L);
    linear_backward(d->enc_out, g->logvar_w, g->logvar_b, d->logvar, a->enc_out, p->logvar_w, B, T * De, L);
    x = c->enc_layers ? a->enc[c->enc_layers - 1].ln2 : a->enc_x0;
    dx = c->enc_layers ? d->enc[c->enc_layers - 1].ln2 : d->enc_x0;
    layernorm_backward(dx, g->enc_ln_g, g->enc_ln_b, d->enc_out, x, p->enc_ln_g, a->enc_mean, a->enc_rstd, R, De);
    for (int l = c->enc_layers - 1; l >= 0; l--) {
        const float *xin = l ? a->enc[l - 1].ln2 : a->enc_x0;
        float *dxin = l ? d->enc[l - 1].ln2 : d->enc_x0;
        block_backward(&p->enc[l], &g->enc[l], &a->enc[l], &d->enc[l], xin, dxin, B, T, De, c->enc_heads,
                       c->enc_ff, dropped);
    }
    if (dropped)
        mask_apply(d->enc_x0, a->mask_in, (size_t)R * De);
    relu_backward(d->enc_h, a->enc_h, d->enc_x0, R * De);
    linear_backward(NULL, g->in_w, g->in_b, d->enc_h, a->x_in, p->in_w, R, c->input_dim, De);
}

/* Runs one worker's job (thread entry). */
static void *worker_run(void *arg)
{
    Train_worker *w = arg;
    memset(&w->losses, 0, sizeof w->losses);
    if (w->n <= 0)
        return NULL;
    model_forward(w);
    if (!w->backward)
        return NULL;
    memset(w->dbuf, 0, w->acount * sizeof(float));
    memset(w->grads, 0, w->t->n_params * sizeof(float));
    model_loss(w);
    model_backward(w);
    return NULL;
}

/* Runs every worker's job, on threads when there is more than one. */
static void workers_run(Trainer *t, int n_active)
{
    if (n_active <= 1) {
        worker_run(&t->workers[0]);
        return;
    }
    pthread_t th[64];
    int started[64] = {0};
    for (int i = 1; i < n_active; i++)
        started[i] = pthread_create(&th[i], NULL, worker_run, &t->workers[i]) == 0;
    worker_run(&t->workers[0]);
    for (int i = 1; i < n_active; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            worker_run(&t->workers[i]);   /* no thread: do it here, same result */
    }
}

/* The worker gradients summed into t->grads (first chunk: set; later chunks: added), in
 * worker order per element, as a serial loop would. */
typedef struct {
    Trainer *t;
    int active, first;
} Reduce_ctx;

static void reduce_part(void *ctx, int part, int parts)
{
    Reduce_ctx *r = ctx;
    Trainer *t = r->t;
    size_t lo, hi;
    part_range(t->n_params, part, parts, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
        float s = r->first ? 0.0f : t->grads[k];
        for (int i = 0; i < r->active; i++)
            s += t->workers[i].grads[k];
        t->grads[k] = s;
    }
}

/* Global-norm clipping and AdamW over the parts' ranges. */
typedef struct {
    Trainer *t;
    const Adamw *a;
    float max_norm;
    double ss[64];
    float scale;
    int phase;   /* 0: squared norms, 1: scale and step */
} Step_ctx;

static void step_part(void *ctx, int part, int parts)
{
    Step_ctx *s = ctx;
    Trainer *t = s->t;
    size_t lo, hi;
    part_range(t->n_params, part, parts, &lo, &hi);
    if (s->phase == 0) {
        s->ss[part] = optim_sum_squares(t->grads + lo, hi - lo);
        return;
    }
    if (s->scale != 1.0f)
        for (size_t k = lo; k < hi; k++)
            t->grads[k] *= s->scale;
    adamw_step(s->a, t->params + lo, t->grads + lo, t->m + lo, t->v + lo, t->decay_mask ? t->decay_mask + lo : NULL,
               hi - lo, t->step);
    if (t->ema) {
        float d = t->opt.ema;
        for (size_t k = lo; k < hi; k++)
            t->ema[k] = d * t->ema[k] + (1.0f - d) * t->params[k];
    }
}

/* Splits n samples across the workers (at most per-worker capacity each). */
static int workers_assign(Trainer *t, const Train_sample *samples, int n, int train, int backward, float beta)
{
    int per = (n + t->n_workers - 1) / t->n_workers, active = 0;
    for (int i = 0; i < t->n_workers; i++) {
        Train_worker *w = &t->workers[i];
        int lo = i * per, hi = lo + per < n ? lo + per : n;
        w->samples = samples + (lo < n ? lo : n);
        w->n = hi > lo ? hi - lo : 0;
        w->n_total = n;
        w->train = train;
        w->backward = backward;
        w->beta = beta;
        if (w->n > 0)
            active = i + 1;
    }
    return active;
}

/* ---------------------------------------------------------------- set-up */

typedef struct {
    uint64_t rng;
    int last_cols;    /* fan-in of the last weight matrix visited */
} Init_ctx;

/* Initialises one tensor PyTorch-style. */
static void init_visit(void *ctx, const char *name, int rows, int cols, float *data)
{
    Init_ctx *ic = ctx;
    size_t n = (size_t)rows * cols;
    const char *last = strrchr(name, '.');
    last = last ? last + 1 : name;
    if (strstr(last, "emb")) {
        for (size_t i = 0; i < n; i++)
            data[i] = 0.1f * rand_normal(&ic->rng);
    } else if (strstr(last, "ln") && strstr(last, "_g")) {
        for (size_t i = 0; i < n; i++)
            data[i] = 1.0f;
    } else if (strstr(last, "ln") && strstr(last, "_b")) {
        memset(data, 0, n * sizeof *data);
    } else {
        /* a linear's weight [out][in] (bound 1/sqrt(in)) or its bias, visited right after it */
        int fan_in = rows > 1 ? cols : ic->last_cols;
        if (rows > 1)
            ic->last_cols = cols;
        float bound = 1.0f / sqrtf((float)fan_in);
        for (size_t i = 0; i < n; i++)
            data[i] = (2.0f * rand_uniform(&ic->rng) - 1.0f) * bound;
    }
}

/* Rewrites params_t from params: every weight matrix (name ending "_w") transposed. */
typedef struct {
    const Trainer *t;
    int index, part, parts;   /* this part rewrites every parts-th tensor */
} Transpose_ctx;

static void transpose_visit(void *ctx, const char *name, int rows, int cols, float *data)
{
    Transpose_ctx *tc = ctx;
    if (tc->index++ % tc->parts != tc->part)
        return;
    const Trainer *t = tc->t;
    size_t off = (size_t)(data - t->params);
    size_t len = strlen(name);
    if (rows > 1 && len > 2 && !strcmp(name + len - 2, "_w"))
        tk_transpose(t->params_t + off, data, rows, cols);
    else
        memcpy(t->params_t + off, data, (size_t)rows * cols * sizeof *data);
}

static void sync_part(void *ctx, int part, int parts)
{
    Trainer *t = ctx;
    Transpose_ctx tc = {t, 0, part, parts};
    model_params_visit(&t->p, &t->cfg, transpose_visit, &tc);
}

void trainer_sync_params(Trainer *t)
{
    parts_run(t->n_workers > 0 ? t->n_workers : 1, sync_part, t);
}

int trainer_init(Trainer *t, const Model_config *cfg, const Train_options *opt, long total_steps, char *err,
                 size_t errlen)
{
    memset(t, 0, sizeof *t);
    const char *bad = model_config_check(cfg);
    if (bad) {
        return error_set(err, errlen, "bad model config: %s", bad);
    }
    int want_in = model_input_dim_for_memory(cfg->has_memory);
    if (cfg->steps != HVO_STEPS || cfg->input_dim != want_in || cfg->output_dim != HVO_CHANNELS) {
        error_set(err, errlen, "training needs steps %d, input %d and output %d", HVO_STEPS, want_in, HVO_CHANNELS);
        return -1;
    }
    if (opt->batch < 1 || opt->threads < 1 || opt->threads > 64) {
        return error_set(err, errlen, "batch must be >= 1 and threads 1..64");
    }
    train_kernels_get();   /* resolve the kernels once, before any worker thread */
    t->cfg = *cfg;
    t->opt = *opt;
    t->total_steps = total_steps > 0 ? total_steps : 1;
    t->n_params = model_params_count(cfg);
    t->n_workers = opt->threads;
    t->max_batch = (opt->batch + t->n_workers - 1) / t->n_workers;
    size_t n = t->n_params;
    t->params = calloc(n, sizeof(float));
    t->grads = calloc(n, sizeof(float));
    t->m = calloc(n, sizeof(float));
    t->v = calloc(n, sizeof(float));
    t->params_t = calloc(n, sizeof(float));
    t->decay_mask = calloc(n, 1);
    t->pe = calloc((size_t)cfg->steps * cfg->enc_d, sizeof(float));
    t->workers = calloc((size_t)t->n_workers, sizeof *t->workers);
    if (!t->params || !t->grads || !t->m || !t->v || !t->params_t || !t->decay_mask || !t->pe || !t->workers)
        goto oom;
    if (opt->ema > 0.0f) {
        if (!(opt->ema < 1.0f)) {
            trainer_deinit(t);
            return error_set(err, errlen, "the weight average's decay must be in 0..1 (exclusive)");
        }
        t->ema = calloc(n, sizeof(float));
        t->ema_saved = calloc(n, sizeof(float));
        if (!t->ema || !t->ema_saved)
            goto oom;
    }
    model_params_bind(&t->p, cfg, t->params);
    model_params_bind(&t->pt, cfg, t->params_t);
    model_positional_encoding(t->pe, cfg->steps, cfg->enc_d);
    optim_decay_mask(t->decay_mask, cfg);
    for (int i = 0; i < t->n_workers; i++) {
        Train_worker *w = &t->workers[i];
        Acts tmp;
        w->t = t;
        w->acount = acts_bind(&tmp, cfg, t->max_batch, NULL);
        w->abuf = calloc(w->acount, sizeof(float));
        w->dbuf = calloc(w->acount, sizeof(float));
        w->grads = calloc(n, sizeof(float));
        if (!w->abuf || !w->dbuf || !w->grads)
            goto oom;
        acts_bind(&w->a, cfg, t->max_batch, w->abuf);
        acts_bind(&w->d, cfg, t->max_batch, w->dbuf);
        model_params_bind(&w->g, cfg, w->grads);
    }
    Init_ctx ic = {seed_mix(opt->seed, 0x1417, 3), 1};
    model_params_visit(&t->p, cfg, init_visit, &ic);
    for (int i = 0; i < cfg->latent; i++)
        t->p.logvar_b[i] = opt->logvar_init;
    trainer_sync_params(t);
    return 0;
oom:
    trainer_deinit(t);
    return error_set(err, errlen, "out of memory for the trainer");
}

void trainer_deinit(Trainer *t)
{
    if (t->workers)
        for (int i = 0; i < t->n_workers; i++) {
            free(t->workers[i].abuf);
            free(t->workers[i].dbuf);
            free(t->workers[i].grads);
        }
    free(t->workers);
    free(t->params);
    free(t->grads);
    free(t->m);
    free(t->v);
    free(t->params_t);
    free(t->decay_mask);
    free(t->pe);
    free(t->ema);
    free(t->ema_saved);
    memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- steps */

float trainer_beta(const Trainer *t)
{
    double ramp = (double)t->opt.beta_ramp * (double)t->total_steps;
    if (ramp < 1.0)
        return t->opt.beta;
    double f = (double)t->step / ramp;
    return (float)(t->opt.beta * (f < 1.0 ? f : 1.0));
}

void trainer_forward_backward(Trainer *t, const Train_sample *samples, int n, float beta, int train,
                              Train_losses *losses)
{
    Train_losses sum;
    memset(&sum, 0, sizeof sum);
    int cap = t->max_batch * t->n_workers;
    if (n <= 0)
        memset(t->grads, 0, t->n_params * sizeof(float));
    for (int lo = 0; lo < n; lo += cap) {
        int m = n - lo < cap ? n - lo : cap;
        int active = workers_assign(t, samples + lo, m, train, 1, beta);
        /* normalise by the whole call's n, not the chunk's */
        for (int i = 0; i < t->n_workers; i++)
            t->workers[i].n_total = n;
        workers_run(t, active);
        Reduce_ctx rc = {t, active, lo == 0};
        parts_run(t->n_workers, reduce_part, &rc);
        for (int i = 0; i < active; i++) {
            const Train_worker *w = &t->workers[i];
            sum.hit += w->losses.hit;
            sum.vel += w->losses.vel;
            sum.offset += w->losses.offset;
            sum.kl += w->losses.kl;
            sum.samples += w->losses.samples;
        }
    }
    if (losses) {
        double inv = n > 0 ? 1.0 / n : 0.0;
        losses->hit = sum.hit * inv;
        losses->vel = sum.vel * inv;
        losses->offset = sum.offset * inv;
        losses->kl = sum.kl * inv;
        losses->beta = beta;
        losses->total = losses->hit + t->opt.vel_weight * losses->vel + t->opt.offset_weight * losses->offset +
                        beta * losses->kl;
        losses->samples = n;
        losses->grad_norm = 0.0;
    }
}

void trainer_step(Trainer *t, const Train_sample *samples, int n, Train_losses *losses)
{
    Train_losses l;
    float beta = trainer_beta(t);
    trainer_forward_backward(t, samples, n, beta, 1, &l);
    long warm = (long)(t->opt.warmup * (double)t->total_steps);
    Adamw a = {optim_lr_at(t->step, t->total_steps, warm, t->opt.lr, t->opt.lr_min), 0.9f, 0.999f, 1e-8f,
               t->opt.weight_decay};
    t->step++;
    /* clipping and AdamW on every thread, each over its own range of the weights */
    Step_ctx sc;
    memset(&sc, 0, sizeof sc);
    sc.t = t, sc.a = &a, sc.max_norm = t->opt.clip;
    parts_run(t->n_workers, step_part, &sc);
    double ss = 0.0;
    for (int i = 0; i < t->n_workers && i < 64; i++)
        ss += sc.ss[i];
    l.grad_norm = sqrt(ss);
    sc.scale = optim_clip_scale(l.grad_norm, t->opt.clip);
    sc.phase = 1;
    parts_run(t->n_workers, step_part, &sc);
    trainer_sync_params(t);
    if (losses)
        *losses = l;
}

void trainer_predict(Trainer *t, const Train_sample *samples, int n, float *out)
{
    int cap = t->max_batch * t->n_workers;
    size_t per = (size_t)t->cfg.steps * t->cfg.output_dim;
    for (int lo = 0; lo < n; lo += cap) {
        int m = n - lo < cap ? n - lo : cap;
        int active = workers_assign(t, samples + lo, m, 0, 0, 0.0f);
        workers_run(t, active);
        int at = lo;
        for (int i = 0; i < active; i++) {
            const Train_worker *w = &t->workers[i];
            memcpy(out + (size_t)at * per, w->a.out, (size_t)w->n * per * sizeof(float));
            at += w->n;
        }
    }
}

void trainer_use_ema(Trainer *t, int on)
{
    if (!t->ema || t->step < 1 || !on == !t->ema_in_use)
        return;
    size_t n = t->n_params;
    if (on) {
        /* a_t / (1 - d^t): the average of the weights since the first step */
        double c = 1.0 - pow((double)t->opt.ema, (double)t->step);
        float inv = (float)(1.0 / c);
        memcpy(t->ema_saved, t->params, n * sizeof(float));
        for (size_t k = 0; k < n; k++)
            t->params[k] = t->ema[k] * inv;
    } else {
        memcpy(t->params, t->ema_saved, n * sizeof(float));
    }
    t->ema_in_use = on;
    trainer_sync_params(t);
}

const float *trainer_last_eps(const Trainer *t, int i)
{
    for (int k = 0; k < t->n_workers; k++) {
        const Train_worker *w = &t->workers[k];
        if (i < w->n)
            return w->a.eps + (size_t)i * t->cfg.latent;
        i -= w->n;
    }
    return NULL;
}
