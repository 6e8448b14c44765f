/* model_params.h - the Groove Transformer VAE's shape and its one flat weight buffer.
 *
 * This is the contract shared by inference (model.c, kernels) and training (train*.c):
 * every size comes from a Model_config read from the model file, and every weight lives in
 * one contiguous float buffer, with a Model_params struct of named pointers into it
 * (llm.c style). Gradients and Adam moments use the same layout: bind another buffer of
 * model_params_count() floats and you get named pointers to the gradient of each weight.
 *
 * Architecture (../shared/SPEC.md), shapes in [rows][cols], Linear weights stored as
 * torch does, W[out][in], so y = x W^T + b:
 *
 *   input:    x[t] = groove[t][27]                                   (has_memory 0, in = 27)
 *             x[t] = groove[t][27] | memory[t][27] | present (0/1)   (has_memory 1, in = 55)
 *             x[t] = ... as 1 ... | memory_groove[t][3]               (has_memory 2, in = 58)
 *             memory: the 2 bars that played just before (the drums, 9 voices as HVO),
 *             memory_groove: the groove (hit, velocity, offset) that part was made from,
 *             so the model can see where the groove changed since (zeros when unknown;
 *             given even when the memory gate holds the part back: it is real input),
 *             zeros and present 0 when there is none (the first loop, an empty context)
 *   encoder:  x[32][in] -> Linear(in->De) -> ReLU -> + PE[32][De]
 *             -> enc_layers x Block(De, He, Fe) -> LayerNorm(De)
 *   latent:   flatten [32*De] -> Linear -> mu[L];  Linear -> logvar[L]
 *             z = mu + exp(0.5 logvar) * eps (training), mu or a sample (play)
 *   condition z' = z + style_emb[style] (if style >= 0 and n_styles > 0)
 *                  + fill_emb[fill]     (if has_fill)
 *                  + sum over muted groups g of mute_emb[g] (if n_mute_groups > 0)
 *                  + kind_emb[kind]      (if n_kinds > 0: what the input is, Input_kind)
 *   decoder:  z'[L] -> Linear(L -> 32*Dd) -> view [32][Dd]
 *             -> dec_layers x Block(Dd, Hd, Fd) -> Linear(Dd -> 27)
 *   heads:    out[t][0..8] hit logits (sigmoid), [9..17] velocity logits (sigmoid),
 *             [18..26] offset pre-activations (offset = 0.5 * tanh)
 *
 *   Block (post-norm, "Attention is all you need"):
 *             a = MultiHeadSelfAttention(x)        (qkv = x Wqkv^T + b, rows q|k|v, each
 *                                                   head h uses columns h*Dh..(h+1)*Dh,
 *                                                   scores scaled by 1/sqrt(Dh), no mask,
 *                                                   a = concat(heads) Wproj^T + b)
 *             x = LayerNorm1(x + a)
 *             f = ReLU(x W1^T + b1) W2^T + b2
 *             x = LayerNorm2(x + f)
 *   LayerNorm: eps 1e-5, biased variance, y = (x - mean) / sqrt(var + eps) * g + b.
 *   PE[t][2i] = sin(t / 10000^(2i/De)), PE[t][2i+1] = cos(t / 10000^(2i/De)).
 *
 * Plain data: no allocation here; the caller owns every buffer.
 */
#ifndef GROOVE_MODEL_PARAMS_H
#define GROOVE_MODEL_PARAMS_H

#include <stddef.h>

#define MODEL_MAX_LAYERS 16
#define MODEL_MUTE_GROUPS 5   /* kick, snare, hats, toms, cymbals */
#define MODEL_INPUT_KINDS 3   /* Input_kind: drums, keys, taps */
/* Input channels per step of a model with memory: groove 27 | memory 27 | present 1
 * (has_memory 1), then the memory's own groove 3 (has_memory 2). */
#define MODEL_MEMORY_INPUT_DIM 55
#define MODEL_MEMORY_GROOVE_INPUT_DIM 58

/* What the groove the model hears is (the input-kind condition): a drummer's part
 * flattened, a keyboard / melodic part (chords, sustained notes, its own dynamics), or a
 * few taps (computer keys, one velocity). */
typedef enum {
    INPUT_KIND_DRUMS = 0,
    INPUT_KIND_KEYS,
    INPUT_KIND_TAPS
} Input_kind;

typedef enum {
    MUTE_GROUP_KICK = 0,
    MUTE_GROUP_SNARE,
    MUTE_GROUP_HATS,
    MUTE_GROUP_TOMS,
    MUTE_GROUP_CYMBALS
} Mute_group;

typedef struct {
    int input_dim;      /* channels per step of the input: 27 */
    int steps;          /* 32 */
    int output_dim;     /* 27 */
    int enc_d, enc_heads, enc_ff, enc_layers;
    int dec_d, dec_heads, dec_ff, dec_layers;
    int latent;         /* L */
    int n_genres;       /* 0: no style embedding */
    int has_fill;       /* 0/1: fill embedding (2 rows: beat, fill) */
    int n_mute_groups;  /* 0 or MODEL_MUTE_GROUPS */
    int n_kinds;        /* 0 or MODEL_INPUT_KINDS: input-kind embedding (model file v2) */
    int has_memory;     /* 0: none; 1: the input carries the previous 2 bars (input_dim 55;
                         * v2); 2: and the groove they were made from (input_dim 58; v2) */
} Model_config;

/* Named pointers into one transformer block's weights. */
typedef struct {
    float *qkv_w;   /* [3D][D] */
    float *qkv_b;   /* [3D] */
    float *proj_w;  /* [D][D] */
    float *proj_b;  /* [D] */
    float *ln1_g;   /* [D] */
    float *ln1_b;   /* [D] */
    float *ff1_w;   /* [F][D] */
    float *ff1_b;   /* [F] */
    float *ff2_w;   /* [D][F] */
    float *ff2_b;   /* [D] */
    float *ln2_g;   /* [D] */
    float *ln2_b;   /* [D] */
} Block_params;

/* Named pointers into the whole model's weights, in buffer order. */
typedef struct {
    float *in_w;          /* [De][in] */
    float *in_b;          /* [De] */
    Block_params enc[MODEL_MAX_LAYERS];
    float *enc_ln_g;      /* [De] */
    float *enc_ln_b;      /* [De] */
    float *mu_w;          /* [L][32*De] */
    float *mu_b;          /* [L] */
    float *logvar_w;      /* [L][32*De] */
    float *logvar_b;      /* [L] */
    float *genre_emb;     /* [n_styles][L] or NULL */
    float *fill_emb;      /* [2][L] or NULL */
    float *mute_emb;      /* [n_mute_groups][L] or NULL */
    float *kind_emb;      /* [n_kinds][L] or NULL */
    float *dec_in_w;      /* [32*Dd][L] */
    float *dec_in_b;      /* [32*Dd] */
    Block_params dec[MODEL_MAX_LAYERS];
    float *out_w;         /* [27][Dd] */
    float *out_b;         /* [27] */
} Model_params;

/* Checks a config for sizes this code can run; returns NULL when valid, else a
 * static message naming the bad field. */
const char *model_config_check(const Model_config *c);
/* Returns the number of floats all weights of this config take. */
size_t model_params_count(const Model_config *c);
/* Points every field of p into buffer (model_params_count floats), in the order above. */
void model_params_bind(Model_params *p, const Model_config *c, float *buffer);
/* The input_dim a model with this has_memory (0, 1, 2) reads: 27, 55, 58. */
int model_input_dim_for_memory(int has_memory);
/* Writes the encoder's input x[steps][input_dim] for a groove (HVO layout [32][27], as
 * hvo_groove_to_input gives), the memory (the previous 2 bars of drums [32][27]; NULL =
 * none: zeros, present 0) and the groove of those 2 bars ([32][3] hit, velocity, offset;
 * read by has_memory 2 only; NULL = none, zeros; it may come without the part, when the
 * memory gate holds the part back). A model without memory takes the input as it is. */
void model_compose_input(const Model_config *c, const float *input, const float *memory,
                         const float *memory_groove, float *x);
/* Name <-> Input_kind ("drums", "keys", "taps"); unknown name -> -1. */
const char *model_input_kind_name(int kind);
int model_input_kind_from_name(const char *name);
/* Fills the sinusoidal positional encoding pe[steps][d]. */
void model_positional_encoding(float *pe, int steps, int d);

/* Tensor visiting, for file I/O, initialisation and tests: calls fn once per tensor in
 * buffer order with a stable name ("enc.0.qkv_w"), its shape and its pointer. */
typedef void (*Model_tensor_fn)(void *ctx, const char *name, int rows, int cols, float *data);
void model_params_visit(const Model_params *p, const Model_config *c, Model_tensor_fn fn, void *ctx);

/* Grows a model with memory (has_memory 1) into one that also reads its memory's groove
 * (has_memory 2): *to = *from with input_dim 58, and dst (model_params_count(to) floats)
 * gets src's weights with the 3 new input columns of in_w at 0, so the grown model gives
 * exactly the same output as the old one until trained. Returns 0, or -1 (from is not a
 * has_memory 1 config). */
int model_params_grow_memory_groove(const Model_config *from, const float *src, Model_config *to, float *dst);

#endif
