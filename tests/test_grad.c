/* test_grad.c - finite-difference gradient checks for every layer's backward and for the
 * whole training loss of a tiny model.
 *
 * Each check perturbs inputs/weights by +-h, takes the central difference of a scalar
 * L = sum(out * r) (r fixed random), and compares with the analytic gradient.
 * With `--dump DIR` it also writes one tiny model's weights, batch, eps, losses and
 * gradients for tests/torch_train_ref.py (tests/t_train_torch.sh) and exits.
 */
#include "check.h"
#include "layers.h"
#include "layers_backward.h"
#include "train.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 12345u;

/* Returns a float in [-1, 1). */
static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

static void fill(float *x, int n, float scale)
{
    for (int i = 0; i < n; i++)
        x[i] = frand() * scale;
}

static double dot(const float *a, const float *b, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

/* Compares analytic and numeric gradients; returns the number of mismatches. */
static int compare(const char *what, const float *ana, const double *num, int n)
{
    int bad = 0;
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
        double d = fabs(ana[i] - num[i]), tol = 2e-3 + 2e-2 * fabs(num[i]);
        if (d > tol)
            bad++;
        if (d > worst)
            worst = d;
    }
    CHECK(bad == 0, "%s: %d gradients match finite differences (worst abs diff %.2g)", what, n, worst);
    return bad;
}

/* ---- per layer: each case evaluates L = sum(forward(x) * r) */

enum { N = 6, C = 8, OC = 5, B = 2, T = 4, H = 2 };

static float lin_in[N * C], lin_w[OC * C], lin_b[OC], lin_r[N * OC];
static double loss_linear(void)
{
    float out[N * OC];
    linear_forward(out, lin_in, lin_w, lin_b, N, C, OC);
    return dot(out, lin_r, N * OC);
}

static float ln_in[N * C], ln_g[C], ln_b[C], ln_r[N * C];
static double loss_layernorm(void)
{
    float out[N * C], mean[N], rstd[N];
    layernorm_forward(out, mean, rstd, ln_in, ln_g, ln_b, N, C);
    return dot(out, ln_r, N * C);
}

static float at_qkv[B * T * 3 * C], at_r[B * T * C];
static double loss_attention(void)
{
    float out[B * T * C], att[B * H * T * T];
    attention_forward(out, att, at_qkv, B, T, C, H);
    return dot(out, at_r, B * T * C);
}

static float re_in[N * C], re_r[N * C];
static double loss_relu(void)
{
    float out[N * C];
    relu_forward(out, re_in, N * C);
    return dot(out, re_r, N * C);
}

/* Numeric gradient of loss() with respect to x[n]. */
static void numeric(double (*loss)(void), float *x, int n, double *num, float h)
{
    for (int i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + h;
        double lp = loss();
        x[i] = keep - h;
        double lm = loss();
        x[i] = keep;
        num[i] = (lp - lm) / (2.0 * h);
    }
}

static void check_layers(void)
{
    double num[B * T * 3 * C];
    /* linear */
    fill(lin_in, N * C, 1.0f);
    fill(lin_w, OC * C, 0.5f);
    fill(lin_b, OC, 0.5f);
    fill(lin_r, N * OC, 1.0f);
    float din[N * C] = {0}, dw[OC * C] = {0}, db[OC] = {0};
    linear_backward(din, dw, db, lin_r, lin_in, lin_w, N, C, OC);
    numeric(loss_linear, lin_in, N * C, num, 1e-2f);
    compare("linear d input", din, num, N * C);
    numeric(loss_linear, lin_w, OC * C, num, 1e-2f);
    compare("linear d weight", dw, num, OC * C);
    numeric(loss_linear, lin_b, OC, num, 1e-2f);
    compare("linear d bias", db, num, OC);

    /* layer norm */
    fill(ln_in, N * C, 2.0f);
    fill(ln_g, C, 1.0f);
    fill(ln_b, C, 1.0f);
    fill(ln_r, N * C, 1.0f);
    float lo[N * C], mean[N], rstd[N], ldin[N * C] = {0}, dg[C] = {0}, dbb[C] = {0};
    layernorm_forward(lo, mean, rstd, ln_in, ln_g, ln_b, N, C);
    layernorm_backward(ldin, dg, dbb, ln_r, ln_in, ln_g, mean, rstd, N, C);
    numeric(loss_layernorm, ln_in, N * C, num, 1e-2f);
    compare("layernorm d input", ldin, num, N * C);
    numeric(loss_layernorm, ln_g, C, num, 1e-2f);
    compare("layernorm d gain", dg, num, C);
    numeric(loss_layernorm, ln_b, C, num, 1e-2f);
    compare("layernorm d bias", dbb, num, C);

    /* attention */
    fill(at_qkv, B * T * 3 * C, 1.0f);
    fill(at_r, B * T * C, 1.0f);
    float ao[B * T * C], att[B * H * T * T], dqkv[B * T * 3 * C] = {0};
    attention_forward(ao, att, at_qkv, B, T, C, H);
    attention_backward(dqkv, at_r, at_qkv, att, B, T, C, H);
    numeric(loss_attention, at_qkv, B * T * 3 * C, num, 1e-2f);
    compare("attention d qkv", dqkv, num, B * T * 3 * C);

    /* relu (keep inputs away from the kink) */
    fill(re_in, N * C, 1.0f);
    for (int i = 0; i < N * C; i++)
        if (fabsf(re_in[i]) < 0.05f)
            re_in[i] = 0.3f;
    fill(re_r, N * C, 1.0f);
    float ro[N * C], rdin[N * C] = {0};
    relu_forward(ro, re_in, N * C);
    relu_backward(rdin, ro, re_r, N * C);
    numeric(loss_relu, re_in, N * C, num, 1e-2f);
    compare("relu d input", rdin, num, N * C);

    /* add */
    float da[4] = {1, 1, 1, 1}, dbv[4] = {0}, dout[4] = {1, 2, 3, 4};
    add_backward(da, dbv, dout, 4);
    CHECK(da[3] == 5.0f && dbv[2] == 3.0f, "add backward accumulates dout into both inputs");
}

/* ---- the whole model */

static void tiny_config(Model_config *c)
{
    memset(c, 0, sizeof *c);
    c->input_dim = HVO_CHANNELS;
    c->steps = HVO_STEPS;
    c->output_dim = HVO_CHANNELS;
    c->enc_d = 8;
    c->enc_heads = 2;
    c->enc_ff = 12;
    c->enc_layers = 2;
    c->dec_d = 8;
    c->dec_heads = 2;
    c->dec_ff = 12;
    c->dec_layers = 1;
    c->latent = 6;
    c->n_genres = 18;
    c->has_fill = 1;
    c->n_mute_groups = MODEL_MUTE_GROUPS;
    c->n_kinds = MODEL_INPUT_KINDS;   /* issue 13: input kind and memory with its groove, so */
    c->has_memory = 2;                /* every new weight is checked too */
    c->input_dim = MODEL_MEMORY_GROOVE_INPUT_DIM;
}

/* Fills n random samples with grooves, patterns, memory and conditioning. */
static void tiny_batch(Train_sample *s, int n)
{
    for (int i = 0; i < n; i++) {
        Hvo pat;
        Groove g;
        hvo_clear(&pat);
        for (int t = 0; t < HVO_STEPS; t++)
            for (int v = 0; v < HVO_VOICES; v++)
                if (frand() > 0.6f)
                    hvo_set(&pat, t, v, 1, 0.5f + 0.45f * frand(), 0.4f * frand());
        hvo_flatten(&pat, &g);
        hvo_groove_to_input(&g, &s[i].input);
        s[i].target = pat;
        s[i].genre = i % 3 == 2 ? -1 : (i * 5) % 18;
        s[i].fill = i % 2;
        s[i].mutes = i == 1 ? 0x5 : 0;
        s[i].seed = 1000u + (unsigned)i;
        s[i].kind = i % MODEL_INPUT_KINDS;
        s[i].has_memory = i % 3 != 1;
        hvo_clear(&s[i].memory);
        groove_clear(&s[i].memory_groove);
        s[i].has_memory_groove = s[i].has_memory || i == 1;   /* sample 1: the gate held the part back */
        if (s[i].has_memory)
            for (int t = 0; t < HVO_STEPS; t++)
                for (int v = 0; v < HVO_VOICES; v++)
                    if (frand() > 0.7f)
                        hvo_set(&s[i].memory, t, v, 1, 0.5f + 0.45f * frand(), 0.4f * frand() - 0.2f);
        if (s[i].has_memory_groove) {
            for (int t = 0; t < HVO_STEPS; t++)
                if (frand() > 0.5f) {
                    s[i].memory_groove.g[t][0] = 1.0f;
                    s[i].memory_groove.g[t][1] = 0.3f + 0.6f * frand();
                    s[i].memory_groove.g[t][2] = 0.4f * frand() - 0.2f;
                }
        }
    }
}

static Trainer *gtrainer;
static const Train_sample *gsamples;
static int gn;

static double whole_loss(void)
{
    Train_losses l;
    trainer_forward_backward(gtrainer, gsamples, gn, 0.5f, 1, &l);
    return l.total;
}

/* Writes n floats to DIR/name. */
static int dump(const char *dir, const char *name, const float *x, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(x, sizeof *x, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* Writes the tiny model, a batch and the C gradients for the torch comparison. */
static int dump_step(const char *dir)
{
    Model_config c;
    tiny_config(&c);
    c.enc_d = 16;
    c.dec_d = 16;
    c.enc_ff = 32;
    c.dec_ff = 32;
    c.latent = 8;
    Train_options o;
    train_options_default(&o);
    o.dropout = 0.0f;
    o.threads = 2;
    o.batch = 5;
    o.hit_weight = 0.4f;
    o.reg_weight = 0.2f;
    o.vel_weight = 1.5f;
    o.offset_weight = 2.0f;
    Trainer t;
    char err[256];
    if (trainer_init(&t, &c, &o, 10, err, sizeof err) != 0) {
        fprintf(stderr, "test_grad: %s\n", err);
        return 1;
    }
    enum { NB = 5 };
    Train_sample s[NB];
    tiny_batch(s, NB);
    Train_losses l;
    float beta = 0.3f;
    trainer_forward_backward(&t, s, NB, beta, 1, &l);
    char path[1024];
    snprintf(path, sizeof path, "%s/meta.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    fprintf(f, "enc_d %d\nenc_heads %d\nenc_ff %d\nenc_layers %d\ndec_d %d\ndec_heads %d\ndec_ff %d\n"
               "dec_layers %d\nlatent %d\nn_styles %d\nhas_fill %d\nn_mute_groups %d\nn_kinds %d\nhas_memory %d\n"
               "batch %d\n"
               "hit_weight %.9g\nreg_weight %.9g\nvel_weight %.9g\noffset_weight %.9g\nbeta %.9g\n"
               "loss_total %.9g\nloss_hit %.9g\nloss_vel %.9g\nloss_offset %.9g\nloss_kl %.9g\n",
            c.enc_d, c.enc_heads, c.enc_ff, c.enc_layers, c.dec_d, c.dec_heads, c.dec_ff, c.dec_layers, c.latent,
            c.n_genres, c.has_fill, c.n_mute_groups, c.n_kinds, c.has_memory, NB, o.hit_weight, o.reg_weight, o.vel_weight, o.offset_weight, beta,
            l.total, l.hit, l.vel, l.offset, l.kl);
    for (int i = 0; i < NB; i++)
        fprintf(f, "sample %d style %d fill %d mutes %d kind %d memory %d\n", i, s[i].genre, s[i].fill, s[i].mutes,
                s[i].kind, s[i].has_memory);
    fclose(f);
    /* batch.f32: inputs, targets, memories (zeros where a sample has none); mgroove.f32: the
     * memories' grooves [NB][32][3] */
    float mg[NB][HVO_STEPS][3];
    for (int i = 0; i < NB; i++)
        memcpy(mg[i], s[i].memory_groove.g, sizeof mg[i]);
    float *inputs = malloc(sizeof(float) * NB * HVO_STEPS * HVO_CHANNELS * 3), *eps = malloc(sizeof(float) * NB * c.latent);
    for (int i = 0; i < NB; i++) {
        memcpy(inputs + (size_t)i * HVO_STEPS * HVO_CHANNELS, s[i].input.v, sizeof s[i].input.v);
        memcpy(inputs + (size_t)(NB + i) * HVO_STEPS * HVO_CHANNELS, s[i].target.v, sizeof s[i].target.v);
        memcpy(inputs + (size_t)(2 * NB + i) * HVO_STEPS * HVO_CHANNELS, s[i].memory.v, sizeof s[i].memory.v);
        memcpy(eps + (size_t)i * c.latent, trainer_last_eps(&t, i), sizeof(float) * c.latent);
    }
    int bad = dump(dir, "params.f32", t.params, t.n_params) || dump(dir, "grads.f32", t.grads, t.n_params) ||
              dump(dir, "batch.f32", inputs, (size_t)NB * HVO_STEPS * HVO_CHANNELS * 3) ||
              dump(dir, "mgroove.f32", &mg[0][0][0], (size_t)NB * HVO_STEPS * 3) ||
              dump(dir, "eps.f32", eps, (size_t)NB * c.latent);
    free(inputs);
    free(eps);
    trainer_deinit(&t);
    return bad;
}

/* Collects (name, offset, size) of every tensor, to report per tensor. */
typedef struct {
    char name[64];
    size_t off, n;
} Tensor_span;
typedef struct {
    Tensor_span spans[256];
    int count;
    const float *base;
} Span_list;

static void span_visit(void *ctx, const char *name, int rows, int cols, float *data)
{
    Span_list *l = ctx;
    if (l->count >= 256)
        return;
    Tensor_span *s = &l->spans[l->count++];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->off = (size_t)(data - l->base);
    s->n = (size_t)rows * cols;
}

static void check_whole_model(void)
{
    Model_config c;
    tiny_config(&c);
    Train_options o;
    train_options_default(&o);
    o.dropout = 0.0f;
    o.threads = 2;
    o.batch = 3;
    Trainer t;
    char err[256];
    CHECK(trainer_init(&t, &c, &o, 10, err, sizeof err) == 0, "tiny trainer initialises");
    enum { NB = 3 };
    Train_sample s[NB];
    tiny_batch(s, NB);
    /* silent steps feed exactly in_b to the input ReLU: keep it off the kink */
    for (int i = 0; i < c.enc_d; i++) {
        if (fabsf(t.p.in_b[i]) < 0.05f)
            t.p.in_b[i] = t.p.in_b[i] < 0.0f ? -0.05f : 0.05f;
        /* ... and with memory present, in_b plus the present flag's weight: same sign */
        float *wf = &t.p.in_w[(size_t)i * c.input_dim + 2 * HVO_CHANNELS];
        *wf = t.p.in_b[i] < 0.0f ? -fabsf(*wf) : fabsf(*wf);
    }
    /* every input pre-activation at least 0.005 from the ReLU kink (a step of h = 1e-3 on an
     * input weight moves it by at most 1e-3): shift a unit's bias until none is closer */
    {
        static float xin[NB][HVO_STEPS * MODEL_MEMORY_GROOVE_INPUT_DIM];
        for (int b = 0; b < NB; b++)
            model_compose_input(&c, &s[b].input.v[0][0], s[b].has_memory ? &s[b].memory.v[0][0] : NULL,
                                s[b].has_memory_groove ? &s[b].memory_groove.g[0][0] : NULL, xin[b]);
        for (int i = 0; i < c.enc_d; i++)
            for (int tries = 0; tries < 50; tries++) {
                float closest = 1e9f;
                for (int b = 0; b < NB; b++)
                    for (int r = 0; r < HVO_STEPS; r++) {
                        float pre = t.p.in_b[i];
                        for (int j = 0; j < c.input_dim; j++)
                            pre += xin[b][r * c.input_dim + j] * t.p.in_w[(size_t)i * c.input_dim + j];
                        if (fabsf(pre) < closest)
                            closest = fabsf(pre);
                    }
                if (closest >= 0.005f)
                    break;
                t.p.in_b[i] += 0.0073f;
            }
    }
    trainer_sync_params(&t);
    gtrainer = &t;
    gsamples = s;
    gn = NB;
    whole_loss();
    float *ana = malloc(t.n_params * sizeof(float));
    memcpy(ana, t.grads, t.n_params * sizeof(float));
    Span_list spans = {.count = 0, .base = t.params};
    model_params_visit(&t.p, &c, span_visit, &spans);
    /* up to 12 entries of every tensor, spread over it */
    int total_bad = 0, total = 0;
    double worst = 0.0;
    for (int k = 0; k < spans.count; k++) {
        const Tensor_span *sp = &spans.spans[k];
        int bad = 0, checked = 0;
        size_t stride = sp->n / 12 + 1;
        for (size_t i = 0; i < sp->n; i += stride) {
            float *x = t.params + sp->off + i;
            float keep = *x, h = 1e-3f;
            *x = keep + h;
            trainer_sync_params(&t);
            double lp = whole_loss();
            *x = keep - h;
            trainer_sync_params(&t);
            double lm = whole_loss();
            *x = keep;
            trainer_sync_params(&t);
            double num = (lp - lm) / (2.0 * h), a = ana[sp->off + i];
            double d = fabs(num - a);
            if (d > 2e-3 + 3e-2 * fabs(num)) {
                bad++;
                printf("     %s[%zu]: analytic %.6g numeric %.6g\n", sp->name, i, a, num);
            }
            if (d > worst)
                worst = d;
            checked++;
        }
        total_bad += bad;
        total += checked;
        (void)checked;
    }
    CHECK(total_bad == 0, "whole loss: %d parameter gradients over every tensor match finite differences "
          "(worst abs diff %.2g)", total, worst);

    /* the gradient is the same whatever the thread count */
    Train_options o1 = o;
    o1.threads = 1;
    Trainer t1;
    CHECK(trainer_init(&t1, &c, &o1, 10, err, sizeof err) == 0, "single-thread trainer initialises");
    memcpy(t1.params, t.params, t.n_params * sizeof(float));
    trainer_sync_params(&t1);
    whole_loss();
    gtrainer = &t1;
    whole_loss();
    double maxd = 0.0;
    for (size_t i = 0; i < t.n_params; i++) {
        double d = fabs((double)t.grads[i] - t1.grads[i]);
        if (d > maxd)
            maxd = d;
    }
    CHECK(maxd < 1e-5, "1-thread and 2-thread gradients agree (max diff %.2g)", maxd);
    free(ana);
    trainer_deinit(&t);
    trainer_deinit(&t1);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--dump"))
        return dump_step(argv[2]);
    check_layers();
    check_whole_model();
    return check_summary();
}
