/* model_params.c - layout of the VAE's weights in one flat buffer. */
#include "model_params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *model_config_check(const Model_config *c)
{
    if (c->input_dim < 1 || c->input_dim > 64) return "input_dim out of range";
    if (c->steps != 32) return "steps must be 32";
    if (c->output_dim != 27) return "output_dim must be 27";
    if (c->enc_d < 1 || c->enc_d > 4096) return "enc_d out of range";
    if (c->dec_d < 1 || c->dec_d > 4096) return "dec_d out of range";
    if (c->enc_heads < 1 || c->enc_d % c->enc_heads) return "enc_heads must divide enc_d";
    if (c->dec_heads < 1 || c->dec_d % c->dec_heads) return "dec_heads must divide dec_d";
    if (c->enc_ff < 1 || c->enc_ff > 16384) return "enc_ff out of range";
    if (c->dec_ff < 1 || c->dec_ff > 16384) return "dec_ff out of range";
    if (c->enc_layers < 0 || c->enc_layers > MODEL_MAX_LAYERS) return "enc_layers out of range";
    if (c->dec_layers < 0 || c->dec_layers > MODEL_MAX_LAYERS) return "dec_layers out of range";
    if (c->latent < 1 || c->latent > 4096) return "latent out of range";
    if (c->n_genres < 0 || c->n_genres > 256) return "n_styles out of range";
    if (c->has_fill != 0 && c->has_fill != 1) return "has_fill must be 0 or 1";
    if (c->n_mute_groups != 0 && c->n_mute_groups != MODEL_MUTE_GROUPS) return "n_mute_groups must be 0 or 5";
    if (c->n_kinds != 0 && c->n_kinds != MODEL_INPUT_KINDS) return "n_kinds must be 0 or 3";
    if (c->has_memory < 0 || c->has_memory > 2) return "has_memory must be 0, 1 or 2";
    if (c->has_memory && c->input_dim != model_input_dim_for_memory(c->has_memory))
        return c->has_memory == 1 ? "a model with memory needs input_dim 55"
                                  : "a model with memory and its groove needs input_dim 58";
    return NULL;
}

typedef struct {
    float *cursor;
    size_t count;
} Layout;

/* Takes n floats from the layout, returning where they start. */
static float *take(Layout *l, size_t n)
{
    float *p = l->cursor ? l->cursor + l->count : NULL;
    l->count += n;
    return p;
}

static void bind_block(Layout *l, Block_params *b, int d, int f)
{
    b->qkv_w = take(l, (size_t)3 * d * d);
    b->qkv_b = take(l, (size_t)3 * d);
    b->proj_w = take(l, (size_t)d * d);
    b->proj_b = take(l, (size_t)d);
    b->ln1_g = take(l, (size_t)d);
    b->ln1_b = take(l, (size_t)d);
    b->ff1_w = take(l, (size_t)f * d);
    b->ff1_b = take(l, (size_t)f);
    b->ff2_w = take(l, (size_t)d * f);
    b->ff2_b = take(l, (size_t)d);
    b->ln2_g = take(l, (size_t)d);
    b->ln2_b = take(l, (size_t)d);
}

/* Lays out all tensors; with buffer NULL only counts. */
static size_t layout(Model_params *p, const Model_config *c, float *buffer)
{
    Layout l = {buffer, 0};
    size_t flat = (size_t)c->steps * c->enc_d;
    p->in_w = take(&l, (size_t)c->enc_d * c->input_dim);
    p->in_b = take(&l, (size_t)c->enc_d);
    for (int i = 0; i < c->enc_layers; i++)
        bind_block(&l, &p->enc[i], c->enc_d, c->enc_ff);
    p->enc_ln_g = take(&l, (size_t)c->enc_d);
    p->enc_ln_b = take(&l, (size_t)c->enc_d);
    p->mu_w = take(&l, (size_t)c->latent * flat);
    p->mu_b = take(&l, (size_t)c->latent);
    p->logvar_w = take(&l, (size_t)c->latent * flat);
    p->logvar_b = take(&l, (size_t)c->latent);
    p->genre_emb = c->n_genres ? take(&l, (size_t)c->n_genres * c->latent) : NULL;
    p->fill_emb = c->has_fill ? take(&l, (size_t)2 * c->latent) : NULL;
    p->mute_emb = c->n_mute_groups ? take(&l, (size_t)c->n_mute_groups * c->latent) : NULL;
    p->kind_emb = c->n_kinds ? take(&l, (size_t)c->n_kinds * c->latent) : NULL;
    p->dec_in_w = take(&l, (size_t)c->steps * c->dec_d * c->latent);
    p->dec_in_b = take(&l, (size_t)c->steps * c->dec_d);
    for (int i = 0; i < c->dec_layers; i++)
        bind_block(&l, &p->dec[i], c->dec_d, c->dec_ff);
    p->out_w = take(&l, (size_t)c->output_dim * c->dec_d);
    p->out_b = take(&l, (size_t)c->output_dim);
    return l.count;
}

size_t model_params_count(const Model_config *c)
{
    Model_params scratch;
    return layout(&scratch, c, NULL);
}

void model_params_bind(Model_params *p, const Model_config *c, float *buffer)
{
    layout(p, c, buffer);
}

int model_input_dim_for_memory(int has_memory)
{
    return has_memory == 2 ? MODEL_MEMORY_GROOVE_INPUT_DIM : has_memory == 1 ? MODEL_MEMORY_INPUT_DIM : 27;
}

void model_compose_input(const Model_config *c, const float *input, const float *memory,
                         const float *memory_groove, float *x)
{
    enum { C = 27 };   /* HVO channels */
    if (!c->has_memory) {
        memcpy(x, input, sizeof(float) * (size_t)c->steps * c->input_dim);
        return;
    }
    for (int t = 0; t < c->steps; t++) {
        float *row = x + (size_t)t * c->input_dim;
        memcpy(row, input + (size_t)t * C, sizeof(float) * C);
        if (memory)
            memcpy(row + C, memory + (size_t)t * C, sizeof(float) * C);
        else
            memset(row + C, 0, sizeof(float) * C);
        row[2 * C] = memory ? 1.0f : 0.0f;
        if (c->has_memory == 2) {   /* the groove before: real input, with or without the part */
            if (memory_groove)
                memcpy(row + 2 * C + 1, memory_groove + (size_t)t * 3, sizeof(float) * 3);
            else
                memset(row + 2 * C + 1, 0, sizeof(float) * 3);
        }
    }
}

static const char *const kind_names[MODEL_INPUT_KINDS] = {"drums", "keys", "taps"};

const char *model_input_kind_name(int kind)
{
    return kind >= 0 && kind < MODEL_INPUT_KINDS ? kind_names[kind] : "?";
}

int model_input_kind_from_name(const char *name)
{
    for (int k = 0; k < MODEL_INPUT_KINDS; k++)
        if (name && !strcmp(name, kind_names[k]))
            return k;
    return -1;
}

void model_positional_encoding(float *pe, int steps, int d)
{
    for (int t = 0; t < steps; t++)
        for (int i = 0; i < d; i += 2) {
            double freq = pow(10000.0, -(double)i / d);
            pe[t * d + i] = (float)sin(t * freq);
            if (i + 1 < d)
                pe[t * d + i + 1] = (float)cos(t * freq);
        }
}

static void visit_block(const Block_params *b, const char *prefix, int index, int d, int f,
                        Model_tensor_fn fn, void *ctx)
{
    char name[64];
#define VISIT(field, rows, cols) \
    (snprintf(name, sizeof name, "%s.%d." #field, prefix, index), fn(ctx, name, rows, cols, b->field))
    VISIT(qkv_w, 3 * d, d);
    VISIT(qkv_b, 1, 3 * d);
    VISIT(proj_w, d, d);
    VISIT(proj_b, 1, d);
    VISIT(ln1_g, 1, d);
    VISIT(ln1_b, 1, d);
    VISIT(ff1_w, f, d);
    VISIT(ff1_b, 1, f);
    VISIT(ff2_w, d, f);
    VISIT(ff2_b, 1, d);
    VISIT(ln2_g, 1, d);
    VISIT(ln2_b, 1, d);
#undef VISIT
}

void model_params_visit(const Model_params *p, const Model_config *c, Model_tensor_fn fn, void *ctx)
{
    int flat = c->steps * c->enc_d;
    fn(ctx, "in_w", c->enc_d, c->input_dim, p->in_w);
    fn(ctx, "in_b", 1, c->enc_d, p->in_b);
    for (int i = 0; i < c->enc_layers; i++)
        visit_block(&p->enc[i], "enc", i, c->enc_d, c->enc_ff, fn, ctx);
    fn(ctx, "enc_ln_g", 1, c->enc_d, p->enc_ln_g);
    fn(ctx, "enc_ln_b", 1, c->enc_d, p->enc_ln_b);
    fn(ctx, "mu_w", c->latent, flat, p->mu_w);
    fn(ctx, "mu_b", 1, c->latent, p->mu_b);
    fn(ctx, "logvar_w", c->latent, flat, p->logvar_w);
    fn(ctx, "logvar_b", 1, c->latent, p->logvar_b);
    if (c->n_genres) fn(ctx, "style_emb", c->n_genres, c->latent, p->genre_emb);
    if (c->has_fill) fn(ctx, "fill_emb", 2, c->latent, p->fill_emb);
    if (c->n_mute_groups) fn(ctx, "mute_emb", c->n_mute_groups, c->latent, p->mute_emb);
    if (c->n_kinds) fn(ctx, "kind_emb", c->n_kinds, c->latent, p->kind_emb);
    fn(ctx, "dec_in_w", c->steps * c->dec_d, c->latent, p->dec_in_w);
    fn(ctx, "dec_in_b", 1, c->steps * c->dec_d, p->dec_in_b);
    for (int i = 0; i < c->dec_layers; i++)
        visit_block(&p->dec[i], "dec", i, c->dec_d, c->dec_ff, fn, ctx);
    fn(ctx, "out_w", c->output_dim, c->dec_d, p->out_w);
    fn(ctx, "out_b", 1, c->output_dim, p->out_b);
}

enum { MAX_TENSORS = 24 + 2 * 12 * MODEL_MAX_LAYERS };   /* 12 per block, encoder and decoder */
typedef struct {
    float *ptr[MAX_TENSORS];
    int rows[MAX_TENSORS], cols[MAX_TENSORS];
    int n;
} Tensor_list;

static void list_tensor(void *ctx, const char *name, int rows, int cols, float *data)
{
    (void)name;
    Tensor_list *l = ctx;
    if (l->n < (int)(sizeof l->ptr / sizeof l->ptr[0])) {
        l->ptr[l->n] = data;
        l->rows[l->n] = rows;
        l->cols[l->n] = cols;
    }
    l->n++;
}

int model_params_grow_memory_groove(const Model_config *from, const float *src, Model_config *to, float *dst)
{
    if (from->has_memory != 1 || model_config_check(from))
        return -1;
    *to = *from;
    to->has_memory = 2;
    to->input_dim = MODEL_MEMORY_GROOVE_INPUT_DIM;
    Model_params ps, pd;
    model_params_bind(&ps, from, (float *)src);
    model_params_bind(&pd, to, dst);
    Tensor_list a = {0}, b = {0};
    model_params_visit(&ps, from, list_tensor, &a);
    model_params_visit(&pd, to, list_tensor, &b);
    if (a.n != b.n || a.n > (int)(sizeof a.ptr / sizeof a.ptr[0]))
        return -1;
    for (int i = 0; i < a.n; i++) {
        if (a.ptr[i] == ps.in_w) {   /* [enc_d][in]: each row gains zero columns */
            for (int r = 0; r < a.rows[i]; r++) {
                memcpy(b.ptr[i] + (size_t)r * b.cols[i], a.ptr[i] + (size_t)r * a.cols[i], sizeof(float) * (size_t)a.cols[i]);
                memset(b.ptr[i] + (size_t)r * b.cols[i] + a.cols[i], 0, sizeof(float) * (size_t)(b.cols[i] - a.cols[i]));
            }
        } else {
            memcpy(b.ptr[i], a.ptr[i], sizeof(float) * (size_t)a.rows[i] * (size_t)a.cols[i]);
        }
    }
    return 0;
}
