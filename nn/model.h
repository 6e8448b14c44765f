/* model.h - the Groove Transformer VAE at play time: load, encode, decode, generate.
 *
 * A Model owns the flat weight buffer (model_params.h), packed copies of the hot matrices
 * for the kernels, and every scratch buffer a generation needs: model_load / model_init_random
 * allocate everything, so encode, decode and generate allocate nothing (tests/test_model.c
 * checks it) and may run on a real-time-ish thread. One Model serves one thread at a time
 * (its scratch is shared by its calls); use one Model per thread.
 *
 * The input is any 27-channel Hvo: a groove enters as hvo_groove_to_input() (hvo.h); a full
 * 9-voice pattern works too. The memory (Model_memory) is the drum part that played in the 2
 * bars just before (an Hvo of 9 voices, e.g. the previous generation's output) and the groove
 * it was made from; NULL means none (the first loop, an empty context). A model without
 * memory (config.has_memory 0, every version 1 file) ignores it; a model with has_memory 1
 * reads only its part. Every size comes from the model file.
 */
#ifndef GROOVE_MODEL_H
#define GROOVE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "hvo.h"
#include "kernels.h"
#include "model_file.h"
#include "model_params.h"
#include "sample.h"

/* The 2 bars that played just before a generation. */
typedef struct {
    Hvo part;       /* the drums that played (9 voices; velocity and offset at hits) */
    Groove groove;  /* the groove that part was made from (what the input was then) */
} Model_memory;

/* What the decoder is asked for besides z (ignored where the model has no such embedding). */
typedef struct {
    int genre;          /* -1 none, else 0..n_styles-1 */
    int fill;           /* 0 beat, 1 fill */
    unsigned mute_mask; /* bit g set: group g muted (Mute_group) */
    int kind;           /* Input_kind: what the groove is (0 drums) */
} Model_condition;

typedef struct {
    Model_config config;
    float *params;              /* model_params_count(&config) floats, file layout */
    size_t n_params;
    Model_params p;             /* named pointers into params */
    Model_file_extras extras;   /* thresholds the trainer stored, if any */
    const Kernels *kernels;     /* kernel table in use (kernels_get() at load) */
    float *arena;               /* one allocation: packed weights and scratch below */
    /* Packed weights (kernels_pack) of the per-step matrices, per layer. */
    float *in_wp;
    float *xin;         /* [32][input_dim] composed input (groove | memory | present [| its groove]) */
    float *enc_qkv_wp[MODEL_MAX_LAYERS], *enc_proj_wp[MODEL_MAX_LAYERS];
    float *enc_ff1_wp[MODEL_MAX_LAYERS], *enc_ff2_wp[MODEL_MAX_LAYERS];
    float *dec_qkv_wp[MODEL_MAX_LAYERS], *dec_proj_wp[MODEL_MAX_LAYERS];
    float *dec_ff1_wp[MODEL_MAX_LAYERS], *dec_ff2_wp[MODEL_MAX_LAYERS];
    float *out_wp;
    float *dec_in_wp;   /* the decoder's input layer (a GEMV), packed too */
    /* Scratch. */
    float *pe;          /* [32][De] positional encoding */
    float *x;           /* [32][max D] the running activation */
    float *enc_out;     /* [32][De] encoder output (after the final LayerNorm) */
    float *qkv;         /* [32][3 max D] */
    float *att;         /* [max H][32][32] */
    float *a;           /* [32][max D] attention / feed-forward output */
    float *h;           /* [32][max F] feed-forward hidden */
    float *mu, *logvar, *z, *zc;   /* [L] each */
    Hvo logits;         /* last decoder output */
} Model;

/* Loads a model file. Returns 0, or -1 with a one-line reason in err (m is then empty and
 * model_deinit is harmless). */
int model_load(Model *m, const char *path, char *err, size_t errlen);
/* Builds a model of this shape with random weights (torch-like init) from seed. Returns 0,
 * or -1 with err for a bad config or no memory. */
int model_init_random(Model *m, const Model_config *c, uint64_t seed, char *err, size_t errlen);
/* Builds a model from a config and weights (copied) and optional extras. */
int model_init_params(Model *m, const Model_config *c, const float *params,
                      const Model_file_extras *extras, char *err, size_t errlen);
/* Saves weights and extras atomically (model_file_write). Returns 0 or -1 with err. */
int model_save(const Model *m, const char *path, char *err, size_t errlen);
/* Frees everything a Model holds and zeroes it. */
void model_deinit(Model *m);
/* Re-packs the weights after the caller changed m->params (e.g. a trainer step). */
void model_refresh(Model *m);
/* Uses another kernel table (tests, benchmarks). */
void model_set_kernels(Model *m, const Kernels *k);

/* A default shape for random models (tests, bench --size): d 128, 3+3 layers, 4 heads,
 * ff 512, latent 128, with style (GENRE_COUNT), fill, mute and input-kind conditioning and
 * memory (input_dim 55). */
void model_config_default(Model_config *c);
/* The shape of the shipped model (nn/models/default.gtm) and of `groove train` by default:
 * model_config_default with ff 128 and memory with its groove (has_memory 2, input 58;
 * docs/training.md, run m23). */
void model_config_shipped(Model_config *c);

/* The memory gate (the file's "memory_gate" extra, G steps; 0 or absent: off): the memory's
 * part is fed only while the groove it was made from is within G - 1 steps of the input's
 * (steps whose hit differs, input flattened), so a groove that holds keeps its part and a
 * groove that moved on gets a fresh one, as a drummer answers a new figure. The groove before
 * (has_memory 2) is fed either way: it is the player's, not the model's. G is chosen on GMD
 * validation in the closed loop (docs/training.md); it keeps the loop-to-loop change of the
 * part near a drummer's (SPEC.md, continuity). */
int model_memory_groove_distance(const Hvo *input, const Groove *memory_groove);
/* 1 when model_encode feeds this memory's part (a model with memory, the gate open), else 0. */
int model_memory_admits(const Model *m, const Hvo *input, const Model_memory *memory);
/* Encoder: input [32][27] and memory (NULL: none; dropped when the memory gate is closed)
 * -> mu [L] and logvar [L] (logvar may be NULL: not computed). The encoder output [32][De]
 * stays in m->enc_out until the next call. */
void model_encode(Model *m, const Hvo *input, const Model_memory *memory, float *mu, float *logvar);
/* Decoder: z [L] plus conditioning -> raw outputs [32][27] (hit logits, velocity logits,
 * offset pre-activations). cond may be NULL (none). */
void model_decode(Model *m, const float *z, const Model_condition *cond, Hvo *logits);
/* Picks z for a generation from mu/logvar and the controls (variation with eps(seed) or the
 * given g->eps, interpolation). */
void model_choose_latent(const Model *m, const float *mu, const float *logvar, const Gen_params *g,
                         float *z);
/* The whole play-time path: encode (input and memory, NULL = none), choose z, decode with
 * the conditioning (style, fill, mutes, input kind of g), sample. */
void model_generate(Model *m, const Hvo *input, const Model_memory *memory, const Gen_params *g, Hvo *out);
/* Default per-call controls for this model: gen_params_default plus its stored thresholds. */
void model_gen_params(const Model *m, Gen_params *g);
/* The same for an input kind: g->kind = kind, and for a keyboard part the file's keys
 * thresholds ("thresholds_keys", fitted on a keys set) when it has them. */
void model_gen_params_for(const Model *m, int kind, Gen_params *g);
/* Per voice, that kind's threshold minus the drums' (0 without own thresholds): what the
 * instrument adds to the thresholds the player set when the input is that kind. */
void model_threshold_shift(const Model *m, int kind, float shift[HVO_VOICES]);

/* Floating-point operations (multiply and add counted apart) of one model_generate with
 * z = mu (logvar skipped) or with logvar (variation). */
double model_flops(const Model_config *c, int with_logvar);

/* The default model: $GROOVE_MODEL if set, else nn/models/default.gtm beside the executable's
 * directory (found through /proc/self/exe: the build folder), else
 * ../share/groove/models/default.gtm from there (an installed groove: PREFIX/bin/groove finds
 * PREFIX/share/groove), else nn/models/default.gtm relative to the working directory.
 * Returns a static string. */
const char *model_default_path(void);

#endif
