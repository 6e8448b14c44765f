/* model.c - the Groove Transformer VAE forward pass at play time (model.h). */
#include "model.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "error.h"
#include "exe_path.h"
#include "rng.h"
#include "genre.h"

/* ---------------------------------------------------------------- set-up */

void model_config_default(Model_config *c)
{
    memset(c, 0, sizeof *c);
    c->input_dim = HVO_CHANNELS;
    c->steps = HVO_STEPS;
    c->output_dim = HVO_CHANNELS;
    c->enc_d = 128;
    c->enc_heads = 4;
    c->enc_ff = 512;
    c->enc_layers = 3;
    c->dec_d = 128;
    c->dec_heads = 4;
    c->dec_ff = 512;
    c->dec_layers = 3;
    c->latent = 128;
    c->n_genres = GENRE_COUNT;
    c->has_fill = 1;
    c->n_mute_groups = MODEL_MUTE_GROUPS;
    c->n_kinds = MODEL_INPUT_KINDS;
    c->has_memory = 1;
    c->input_dim = MODEL_MEMORY_INPUT_DIM;
}

void model_config_shipped(Model_config *c)
{
    model_config_default(c);
    c->enc_ff = 128;
    c->dec_ff = 128;
    c->has_memory = 2;
    c->input_dim = MODEL_MEMORY_GROOVE_INPUT_DIM;
}

static int max_int(int a, int b) { return a > b ? a : b; }

/* Lays out packed weights and scratch in the arena; with base NULL only counts. */
static size_t layout_arena(Model *m, float *base)
{
    const Model_config *c = &m->config;
    int T = c->steps, De = c->enc_d, Dd = c->dec_d;
    int D = max_int(De, Dd), F = max_int(c->enc_ff, c->dec_ff), H = max_int(c->enc_heads, c->dec_heads);
    Arena k = {base, 0};
    m->in_wp = arena_take(&k, kernels_packed_count(c->input_dim, De));
    m->xin = c->has_memory ? arena_take(&k, (size_t)T * c->input_dim) : NULL;
    for (int i = 0; i < c->enc_layers; i++) {
        m->enc_qkv_wp[i] = arena_take(&k, kernels_packed_count(De, 3 * De));
        m->enc_proj_wp[i] = arena_take(&k, kernels_packed_count(De, De));
        m->enc_ff1_wp[i] = arena_take(&k, kernels_packed_count(De, c->enc_ff));
        m->enc_ff2_wp[i] = arena_take(&k, kernels_packed_count(c->enc_ff, De));
    }
    for (int i = 0; i < c->dec_layers; i++) {
        m->dec_qkv_wp[i] = arena_take(&k, kernels_packed_count(Dd, 3 * Dd));
        m->dec_proj_wp[i] = arena_take(&k, kernels_packed_count(Dd, Dd));
        m->dec_ff1_wp[i] = arena_take(&k, kernels_packed_count(Dd, c->dec_ff));
        m->dec_ff2_wp[i] = arena_take(&k, kernels_packed_count(c->dec_ff, Dd));
    }
    m->out_wp = arena_take(&k, kernels_packed_count(Dd, c->output_dim));
    m->dec_in_wp = arena_take(&k, kernels_packed_count(c->latent, T * Dd));
    m->pe = arena_take(&k, (size_t)T * De);
    m->x = arena_take(&k, (size_t)T * D);
    m->enc_out = arena_take(&k, (size_t)T * De);
    m->qkv = arena_take(&k, (size_t)T * 3 * D);
    m->att = arena_take(&k, (size_t)H * T * T);
    m->a = arena_take(&k, (size_t)T * D);
    m->h = arena_take(&k, (size_t)T * F);
    m->mu = arena_take(&k, (size_t)c->latent);
    m->logvar = arena_take(&k, (size_t)c->latent);
    m->z = arena_take(&k, (size_t)c->latent);
    m->zc = arena_take(&k, (size_t)c->latent);
    return k.used;
}

void model_refresh(Model *m)
{
    const Model_config *c = &m->config;
    const Model_params *p = &m->p;
    kernels_pack(m->in_wp, p->in_w, c->input_dim, c->enc_d);
    for (int i = 0; i < c->enc_layers; i++) {
        int D = c->enc_d, F = c->enc_ff;
        kernels_pack(m->enc_qkv_wp[i], p->enc[i].qkv_w, D, 3 * D);
        kernels_pack(m->enc_proj_wp[i], p->enc[i].proj_w, D, D);
        kernels_pack(m->enc_ff1_wp[i], p->enc[i].ff1_w, D, F);
        kernels_pack(m->enc_ff2_wp[i], p->enc[i].ff2_w, F, D);
    }
    for (int i = 0; i < c->dec_layers; i++) {
        int D = c->dec_d, F = c->dec_ff;
        kernels_pack(m->dec_qkv_wp[i], p->dec[i].qkv_w, D, 3 * D);
        kernels_pack(m->dec_proj_wp[i], p->dec[i].proj_w, D, D);
        kernels_pack(m->dec_ff1_wp[i], p->dec[i].ff1_w, D, F);
        kernels_pack(m->dec_ff2_wp[i], p->dec[i].ff2_w, F, D);
    }
    kernels_pack(m->out_wp, p->out_w, c->dec_d, c->output_dim);
    kernels_pack(m->dec_in_wp, p->dec_in_w, c->latent, c->steps * c->dec_d);
}

/* Takes ownership of params (malloc'd, model_params_count floats) and builds the rest. */
static int model_adopt(Model *m, const Model_config *c, float *params, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->config = *c;
    m->params = params;
    m->n_params = model_params_count(c);
    model_params_bind(&m->p, c, params);
    m->kernels = kernels_get();
    size_t n = layout_arena(m, NULL);
    m->arena = aligned_alloc(64, n * sizeof(float));
    if (!m->arena) {
        error_set(err, errlen, "out of memory for the model's buffers");
        free(params);
        memset(m, 0, sizeof *m);
        return -1;
    }
    memset(m->arena, 0, n * sizeof(float));
    layout_arena(m, m->arena);
    model_positional_encoding(m->pe, c->steps, c->enc_d);
    model_refresh(m);
    return 0;
}

/* Checks c and allocates its (uninitialised) flat weight buffer; NULL with err set on failure. */
static float *weights_alloc(const Model_config *c, char *err, size_t errlen)
{
    const char *bad = model_config_check(c);
    if (bad) {
        error_set(err, errlen, "bad model config: %s", bad);
        return NULL;
    }
    size_t n = model_params_count(c);
    float *w = malloc(n * sizeof *w);
    if (!w)
        error_set(err, errlen, "out of memory for %zu weights", n);
    return w;
}

int model_init_params(Model *m, const Model_config *c, const float *params,
                      const Model_file_extras *extras, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    float *w = weights_alloc(c, err, errlen);
    if (!w)
        return -1;
    memcpy(w, params, model_params_count(c) * sizeof *w);
    if (model_adopt(m, c, w, err, errlen))
        return -1;
    if (extras)
        m->extras = *extras;
    return 0;
}

int model_load(Model *m, const char *path, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    Model_config c;
    float *w;
    Model_file_extras extras;
    if (model_file_read(path, &c, &w, &extras, err, errlen))
        return -1;
    if (model_adopt(m, &c, w, err, errlen))
        return -1;
    m->extras = extras;
    return 0;
}

typedef struct {
    Rng rng;
    int fan_in;     /* columns of the last weight visited: the fan-in of its bias */
} Init_state;

/* Initialises one tensor as torch does: Linear weights and biases uniform in
 * +-1/sqrt(fan_in), LayerNorm gain 1 and bias 0, embeddings N(0, 1). */
static void init_tensor(void *ctx, const char *name, int rows, int cols, float *data)
{
    Init_state *s = ctx;
    size_t n = (size_t)rows * cols;
    size_t len = strlen(name);
    int is_ln = strstr(name, "ln") != NULL;
    if (len >= 4 && !strcmp(name + len - 4, "_emb")) {
        for (size_t i = 0; i < n; i++)
            data[i] = rng_gaussian(&s->rng);
    } else if (is_ln) {
        float v = name[len - 1] == 'g' ? 1.0f : 0.0f;
        for (size_t i = 0; i < n; i++)
            data[i] = v;
    } else {
        if (name[len - 1] == 'w')
            s->fan_in = cols;
        float bound = 1.0f / sqrtf((float)(s->fan_in > 0 ? s->fan_in : 1));
        for (size_t i = 0; i < n; i++)
            data[i] = (2.0f * rng_uniform(&s->rng) - 1.0f) * bound;
    }
}

int model_init_random(Model *m, const Model_config *c, uint64_t seed, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    float *w = weights_alloc(c, err, errlen);
    if (!w)
        return -1;
    Model_params p;
    model_params_bind(&p, c, w);
    Init_state s;
    rng_seed(&s.rng, seed);
    s.fan_in = 1;
    model_params_visit(&p, c, init_tensor, &s);
    return model_adopt(m, c, w, err, errlen);
}

int model_save(const Model *m, const char *path, char *err, size_t errlen)
{
    Model_file_tensor extra[3];
    int n_extra = 0;
    if (m->extras.has_thresholds)
        extra[n_extra++] = (Model_file_tensor){"thresholds", 1, HVO_VOICES, m->extras.thresholds};
    if (m->extras.has_thresholds_keys)
        extra[n_extra++] = (Model_file_tensor){"thresholds_keys", 1, HVO_VOICES, m->extras.thresholds_keys};
    if (m->extras.has_memory_gate)
        extra[n_extra++] = (Model_file_tensor){"memory_gate", 1, 1, &m->extras.memory_gate};
    return model_file_write(path, &m->config, m->params, extra, n_extra, err, errlen);
}

void model_deinit(Model *m)
{
    free(m->params);
    free(m->arena);
    memset(m, 0, sizeof *m);
}

void model_set_kernels(Model *m, const Kernels *k)
{
    if (k)
        m->kernels = k;
}

/* ---------------------------------------------------------------- forward */

/* One post-norm transformer block over x [T][D], in place. */
static void block_forward(Model *m, const Block_params *b, const float *qkv_wp, const float *proj_wp,
                          const float *ff1_wp, const float *ff2_wp, int D, int H, int F)
{
    const Kernels *k = m->kernels;
    int T = m->config.steps;
    k->linear_packed(m->qkv, m->x, qkv_wp, b->qkv_b, T, D, 3 * D, 0);
    k->attention(m->a, m->att, m->qkv, 1, T, D, H);
    /* The projection's output reuses the qkv buffer (no longer needed). */
    k->linear_packed(m->qkv, m->a, proj_wp, b->proj_b, T, D, D, 0);
    k->layernorm(m->x, NULL, NULL, m->x, m->qkv, b->ln1_g, b->ln1_b, T, D);
    k->linear_packed(m->h, m->x, ff1_wp, b->ff1_b, T, D, F, 1);
    k->linear_packed(m->a, m->h, ff2_wp, b->ff2_b, T, F, D, 0);
    k->layernorm(m->x, NULL, NULL, m->x, m->a, b->ln2_g, b->ln2_b, T, D);
}

void model_encode(Model *m, const Hvo *input, const Model_memory *memory, float *mu, float *logvar)
{
    const Model_config *c = &m->config;
    const Kernels *k = m->kernels;
    int T = c->steps, D = c->enc_d;
    const float *x = &input->v[0][0];
    /* the groove moved on: a fresh part, as on the first loop (the groove before stays: it
     * is what the player played, not what the model made) */
    int part = memory && model_memory_admits(m, input, memory);
    if (c->has_memory) {
        model_compose_input(c, x, part ? &memory->part.v[0][0] : NULL,
                            memory ? &memory->groove.g[0][0] : NULL, m->xin);
        x = m->xin;
    }
    k->linear_packed(m->x, x, m->in_wp, m->p.in_b, T, c->input_dim, D, 1);
    for (int i = 0; i < T * D; i++)
        m->x[i] += m->pe[i];
    for (int l = 0; l < c->enc_layers; l++)
        block_forward(m, &m->p.enc[l], m->enc_qkv_wp[l], m->enc_proj_wp[l], m->enc_ff1_wp[l],
                      m->enc_ff2_wp[l], D, c->enc_heads, c->enc_ff);
    k->layernorm(m->enc_out, NULL, NULL, m->x, NULL, m->p.enc_ln_g, m->p.enc_ln_b, T, D);
    k->linear(mu, m->enc_out, m->p.mu_w, m->p.mu_b, 1, T * D, c->latent);
    if (logvar)
        k->linear(logvar, m->enc_out, m->p.logvar_w, m->p.logvar_b, 1, T * D, c->latent);
}

int model_memory_groove_distance(const Hvo *input, const Groove *memory_groove)
{
    Groove now;
    hvo_flatten(input, &now);
    int d = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        d += (now.g[t][0] > 0.5f) != (memory_groove->g[t][0] > 0.5f);
    return d;
}

int model_memory_admits(const Model *m, const Hvo *input, const Model_memory *memory)
{
    if (!memory || !m->config.has_memory)
        return 0;
    int gate = m->extras.has_memory_gate ? (int)m->extras.memory_gate : 0;
    return gate <= 0 || model_memory_groove_distance(input, &memory->groove) < gate;
}

void model_decode(Model *m, const float *z, const Model_condition *cond, Hvo *logits)
{
    const Model_config *c = &m->config;
    const Kernels *k = m->kernels;
    int T = c->steps, D = c->dec_d, L = c->latent;
    float *zc = m->zc;
    memcpy(zc, z, (size_t)L * sizeof *zc);
    if (cond) {
        if (c->n_genres > 0 && cond->genre >= 0 && cond->genre < c->n_genres)
            for (int i = 0; i < L; i++)
                zc[i] += m->p.genre_emb[(size_t)cond->genre * L + i];
        if (c->has_fill) {
            int f = cond->fill ? 1 : 0;
            for (int i = 0; i < L; i++)
                zc[i] += m->p.fill_emb[(size_t)f * L + i];
        }
        for (int g = 0; g < c->n_mute_groups; g++)
            if (cond->mute_mask & (1u << g))
                for (int i = 0; i < L; i++)
                    zc[i] += m->p.mute_emb[(size_t)g * L + i];
        if (c->n_kinds > 0) {
            int kd = cond->kind >= 0 && cond->kind < c->n_kinds ? cond->kind : INPUT_KIND_DRUMS;
            for (int i = 0; i < L; i++)
                zc[i] += m->p.kind_emb[(size_t)kd * L + i];
        }
    } else {
        if (c->has_fill)
            for (int i = 0; i < L; i++)
                zc[i] += m->p.fill_emb[i];
        if (c->n_kinds > 0)
            for (int i = 0; i < L; i++)
                zc[i] += m->p.kind_emb[i];
    }
    k->linear_packed(m->x, zc, m->dec_in_wp, m->p.dec_in_b, 1, L, T * D, 0);
    for (int l = 0; l < c->dec_layers; l++)
        block_forward(m, &m->p.dec[l], m->dec_qkv_wp[l], m->dec_proj_wp[l], m->dec_ff1_wp[l],
                      m->dec_ff2_wp[l], D, c->dec_heads, c->dec_ff);
    k->linear_packed(&logits->v[0][0], m->x, m->out_wp, m->p.out_b, T, D, c->output_dim, 0);
}

void model_choose_latent(const Model *m, const float *mu, const float *logvar, const Gen_params *g,
                         float *z)
{
    int L = m->config.latent;
    memcpy(z, mu, (size_t)L * sizeof *z);
    if (g->variation > 0.0f && logvar) {
        Rng r;
        rng_seed(&r, g->seed);
        for (int i = 0; i < L; i++)
            z[i] += g->variation * expf(0.5f * logvar[i]) * (g->eps ? g->eps[i] : rng_gaussian(&r));
    }
    if (g->z_target && g->interpolate > 0.0f) {
        float a = g->interpolate > 1.0f ? 1.0f : g->interpolate;
        for (int i = 0; i < L; i++)
            z[i] = (1.0f - a) * z[i] + a * g->z_target[i];
    }
}

void model_generate(Model *m, const Hvo *input, const Model_memory *memory, const Gen_params *g, Hvo *out)
{
    int need_logvar = g->variation > 0.0f;
    model_encode(m, input, memory, m->mu, need_logvar ? m->logvar : NULL);
    model_choose_latent(m, m->mu, need_logvar ? m->logvar : NULL, g, m->z);
    Model_condition cond = {g->genre, g->fill, g->mute_mask, g->kind};
    model_decode(m, m->z, &cond, &m->logits);
    sample_pattern(&m->logits, g, out);
}

void model_gen_params(const Model *m, Gen_params *g)
{
    gen_params_default(g);
    if (m->extras.has_thresholds)
        memcpy(g->thresholds, m->extras.thresholds, sizeof g->thresholds);
}

void model_gen_params_for(const Model *m, int kind, Gen_params *g)
{
    model_gen_params(m, g);
    g->kind = kind;
    if (kind == INPUT_KIND_KEYS && m->extras.has_thresholds_keys)
        memcpy(g->thresholds, m->extras.thresholds_keys, sizeof g->thresholds);
}

void model_threshold_shift(const Model *m, int kind, float shift[HVO_VOICES])
{
    Gen_params base, own;
    model_gen_params(m, &base);
    model_gen_params_for(m, kind, &own);
    for (int v = 0; v < HVO_VOICES; v++)
        shift[v] = own.thresholds[v] - base.thresholds[v];
}

/* ---------------------------------------------------------------- figures */

static double linear_flops(double N, double C, double OC) { return 2.0 * N * C * OC; }

static double block_flops(double T, double D, double H, double F)
{
    (void)H;
    return linear_flops(T, D, 3 * D) + linear_flops(T, D, D) + linear_flops(T, D, F) +
           linear_flops(T, F, D) + 2.0 * (2.0 * T * T * D); /* q k^T and p v over all heads */
}

double model_flops(const Model_config *c, int with_logvar)
{
    double T = c->steps, f = 0;
    f += linear_flops(T, c->input_dim, c->enc_d);
    f += c->enc_layers * block_flops(T, c->enc_d, c->enc_heads, c->enc_ff);
    f += (with_logvar ? 2 : 1) * linear_flops(1, T * c->enc_d, c->latent);
    f += linear_flops(1, c->latent, T * c->dec_d);
    f += c->dec_layers * block_flops(T, c->dec_d, c->dec_heads, c->dec_ff);
    f += linear_flops(T, c->dec_d, c->output_dim);
    return f;
}

const char *model_default_path(void)
{
    static char path[PATH_MAX];
    const char *env = getenv("GROOVE_MODEL");
    if (env && *env)
        return env;
    if (exe_path_find(path, sizeof path, "nn/models/default.gtm"))   /* the build folder */
        return path;
    if (exe_path_find(path, sizeof path, "../share/groove/models/default.gtm"))   /* make install */
        return path;
    return "nn/models/default.gtm";
}
