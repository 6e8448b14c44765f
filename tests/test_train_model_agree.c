/* test_train_model_agree.c - the two compositions of the network give one answer.
 *
 * The trainer (nn/train/train.c, with its activations kept for the backward pass) and the
 * play-time model (nn/model.c, packed weights) each compose the transformer. On the same
 * weights, the trainer's deterministic forward (trainer_predict: z = mu, no dropout) must
 * give the raw outputs of model_encode + model_decode with the same conditioning (genre,
 * fill, mutes, input kind) and memory (issue 13: present, absent), within float rounding, for several shapes (encoder and decoder of different
 * widths and depths) and conditions. Every weight is perturbed first, so no LayerNorm gain
 * of 1 or bias of 0 hides a mismatch.
 */
#include "check.h"
#include "model.h"
#include "train.h"

#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 2024u;

static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 16777216.0f;
}

static void shape(Model_config *c, int enc_d, int enc_layers, int dec_d, int dec_layers, int heads, int ff, int latent)
{
    memset(c, 0, sizeof *c);
    c->input_dim = HVO_CHANNELS;
    c->steps = HVO_STEPS;
    c->output_dim = HVO_CHANNELS;
    c->enc_d = enc_d;
    c->enc_heads = heads;
    c->enc_ff = ff;
    c->enc_layers = enc_layers;
    c->dec_d = dec_d;
    c->dec_heads = heads;
    c->dec_ff = ff;
    c->dec_layers = dec_layers;
    c->latent = latent;
    c->n_genres = 18;
    c->has_fill = 1;
    c->n_mute_groups = MODEL_MUTE_GROUPS;
}

/* A random groove as the model's input. */
static void random_input(Hvo *in)
{
    Groove g;
    groove_clear(&g);
    for (int t = 0; t < HVO_STEPS; t++)
        if (frand() < 0.5f) {
            g.g[t][0] = 1.0f;
            g.g[t][1] = 0.2f + 0.8f * frand();
            g.g[t][2] = frand() - 0.5f;
        }
    hvo_groove_to_input(&g, in);
}

/* Compares both compositions on one shape; returns the largest difference seen. */
static double agree(const Model_config *c, const char *what)
{
    Train_options o;
    train_options_default(&o);
    o.batch = 4;
    o.threads = 1;
    o.seed = 11;
    Trainer t;
    char err[256];
    if (trainer_init(&t, c, &o, 10, err, sizeof err) != 0) {
        CHECK(0, "%s: trainer_init (%s)", what, err);
        return 1e9;
    }
    for (size_t i = 0; i < t.n_params; i++)
        t.params[i] += 0.2f * (frand() - 0.5f);
    trainer_sync_params(&t);
    Model m;
    if (model_init_params(&m, c, t.params, NULL, err, sizeof err) != 0) {
        CHECK(0, "%s: model_init_params (%s)", what, err);
        trainer_deinit(&t);
        return 1e9;
    }
    enum { N = 4 };
    static const int genres[N] = {-1, 0, 7, 17};
    static const unsigned mutes[N] = {0, 1, 0x0a, 0x1f};
    Train_sample s[N];
    memset(s, 0, sizeof s);
    for (int i = 0; i < N; i++) {
        random_input(&s[i].input);
        s[i].genre = genres[i];
        s[i].fill = i % 2;
        s[i].mutes = (int)mutes[i];
        s[i].kind = i % MODEL_INPUT_KINDS;
        s[i].has_memory = i != 2;
        hvo_clear(&s[i].memory);
        if (s[i].has_memory)
            for (int tt = 0; tt < HVO_STEPS; tt++)
                for (int v = 0; v < HVO_VOICES; v++)
                    if (frand() < 0.25f)
                        hvo_set(&s[i].memory, tt, v, 1, 0.2f + 0.8f * frand(), frand() - 0.5f);
        Hvo mg;
        random_input(&mg);
        hvo_flatten(&mg, &s[i].memory_groove);
        s[i].has_memory_groove = s[i].has_memory;
    }
    float *out = malloc(sizeof(float) * N * HVO_STEPS * HVO_CHANNELS);
    trainer_predict(&t, s, N, out);
    double worst = 0.0, scale = 0.0;
    for (int i = 0; i < N; i++) {
        Model_condition cond = {s[i].genre, s[i].fill, (unsigned)s[i].mutes, s[i].kind};
        Hvo logits;
        Model_memory mem = {s[i].memory, s[i].memory_groove};
        model_encode(&m, &s[i].input, s[i].has_memory ? &mem : NULL, m.mu, NULL);
        model_decode(&m, m.mu, &cond, &logits);
        const float *o_i = out + (size_t)i * HVO_STEPS * HVO_CHANNELS;
        for (int k = 0; k < HVO_STEPS * HVO_CHANNELS; k++) {
            double d = (double)o_i[k] - (double)(&logits.v[0][0])[k];
            worst = d < 0 ? (-d > worst ? -d : worst) : (d > worst ? d : worst);
            double a = o_i[k] < 0 ? -o_i[k] : o_i[k];
            scale = a > scale ? a : scale;
        }
    }
    CHECK(worst < 1e-4 * (1.0 + scale),
          "%s: trainer_predict equals model_encode + model_decode (max diff %.2g, outputs up to %.2f)", what, worst,
          scale);
    free(out);
    model_deinit(&m);
    trainer_deinit(&t);
    return worst;
}

int main(void)
{
    Model_config c;
    shape(&c, 16, 1, 16, 1, 2, 32, 8);
    agree(&c, "d 16, 1+1 layers");
    shape(&c, 32, 2, 24, 3, 4, 48, 16);
    agree(&c, "enc d 32 x 2, dec d 24 x 3");
    shape(&c, 64, 3, 64, 2, 4, 128, 32);
    agree(&c, "d 64, 3+2 layers, ff 128");
    shape(&c, 32, 2, 24, 1, 4, 48, 16);
    c.n_kinds = MODEL_INPUT_KINDS;
    c.has_memory = 1;
    c.input_dim = MODEL_MEMORY_INPUT_DIM;
    agree(&c, "with input kinds and memory, enc d 32 x 2, dec d 24");
    c.has_memory = 2;
    c.input_dim = MODEL_MEMORY_GROOVE_INPUT_DIM;
    agree(&c, "with input kinds and memory with its groove, enc d 32 x 2, dec d 24");
    /* A difference the test must see: one decoder weight changed on the model side only. */
    shape(&c, 16, 1, 16, 1, 2, 32, 8);
    Train_options o;
    train_options_default(&o);
    o.batch = 1;
    o.threads = 1;
    Trainer t;
    char err[256];
    Model m;
    CHECK(trainer_init(&t, &c, &o, 1, err, sizeof err) == 0 && model_init_params(&m, &c, t.params, NULL, err,
                                                                                  sizeof err) == 0,
          "a pair for the negative control builds");
    Train_sample s;
    memset(&s, 0, sizeof s);
    random_input(&s.input);
    s.genre = -1;
    float out[HVO_STEPS * HVO_CHANNELS];
    trainer_predict(&t, &s, 1, out);
    m.p.out_b[0] += 0.5f;
    model_refresh(&m);
    Model_condition cond = {-1, 0, 0, INPUT_KIND_DRUMS};
    Hvo logits;
    model_encode(&m, &s.input, NULL, m.mu, NULL);
    model_decode(&m, m.mu, &cond, &logits);
    CHECK(out[0] - logits.v[0][0] < -0.49f && out[0] - logits.v[0][0] > -0.51f,
          "a changed output bias shows (%.3f vs %.3f): the comparison is not blind", out[0], logits.v[0][0]);
    model_deinit(&m);
    trainer_deinit(&t);
    return check_summary();
}
