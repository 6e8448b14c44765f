/* test_model.c - the model: file round trip and faults, generation allocates nothing,
 * determinism, kernel paths agree, sampling controls.
 *
 * With arguments it is the C side of tests/t_torch_model.sh instead:
 *   test_model --dump MODEL.gtm OUT.bin CASES [SEED]
 * writes, per case, the conditioning, a random input and the encoder output, mu, logvar and
 * raw decoder outputs (layout in tests/torch_model_ref.py), with the kernels GROOVE_KERNEL picks;
 *   test_model --make-model OUT.gtm SEED [odd | d layers heads ff latent]
 * writes a random-weights model file (LayerNorm parameters randomised too). */
#include "check.h"
#include "kernels.h"
#include "model.h"
#include "rng.h"
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- allocation counting */

static long alloc_calls;

#if defined(__SANITIZE_ADDRESS__)
/* From the sanitizer runtime (its header is not always installed). */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static void on_malloc(const volatile void *ptr, size_t size)
{
    (void)ptr, (void)size;
    alloc_calls++;
}
static void on_free(const volatile void *ptr) { (void)ptr; }
static void alloc_counting_init(void) { __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free); }
#else
/* Interpose the allocator: count every call, forward to glibc. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
void *malloc(size_t n)
{
    alloc_calls++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    alloc_calls++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    alloc_calls++;
    return __libc_realloc(p, n);
}
void *aligned_alloc(size_t align, size_t n)
{
    alloc_calls++;
    return __libc_memalign(align, n);
}
void free(void *p) { __libc_free(p); }
static void alloc_counting_init(void) {}
#endif

/* ---------------------------------------------------------------- helpers */

static void random_input(Rng *r, Hvo *in, int groove)
{
    hvo_clear(in);
    if (groove) {
        Groove g;
        groove_clear(&g);
        for (int t = 0; t < HVO_STEPS; t++)
            if (rng_uniform(r) < 0.6f) {
                g.g[t][0] = 1.0f;
                g.g[t][1] = 0.1f + 0.9f * rng_uniform(r);
                g.g[t][2] = rng_uniform(r) - 0.5f;
            }
        hvo_groove_to_input(&g, in);
    } else {
        for (int t = 0; t < HVO_STEPS; t++)
            for (int c = 0; c < HVO_CHANNELS; c++)
                in->v[t][c] = rng_gaussian(r);
    }
}

static void small_config(Model_config *c)
{
    model_config_default(c);
    c->enc_d = 32;
    c->dec_d = 48;
    c->enc_heads = 2;
    c->dec_heads = 3;
    c->enc_ff = 40;
    c->dec_ff = 72;
    c->enc_layers = 2;
    c->dec_layers = 1;
    c->latent = 20;
}

/* A random memory: a 9-voice part and the groove (another random one) it was made from. */
static void random_memory(Rng *r, Model_memory *mem)
{
    Hvo g;
    random_input(r, &mem->part, 0);
    random_input(r, &g, 1);
    hvo_flatten(&g, &mem->groove);
}

static float max_abs_diff(const float *a, const float *b, size_t n)
{
    float m = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float d = fabsf(a[i] - b[i]);
        if (!(d <= m))
            m = d;
    }
    return m;
}

/* ---------------------------------------------------------------- dump modes */

static int write_floats(FILE *f, const float *x, size_t n) { return fwrite(x, sizeof *x, n, f) == n ? 0 : -1; }

static int dump(const char *model_path, const char *out_path, int cases, uint64_t seed)
{
    char err[256];
    Model m;
    if (model_load(&m, model_path, err, sizeof err)) {
        fprintf(stderr, "test_model: %s: %s\n", model_path, err);
        return 1;
    }
    FILE *f = fopen(out_path, "wb");
    if (!f) {
        perror(out_path);
        model_deinit(&m);
        return 1;
    }
    const Model_config *c = &m.config;
    Rng r;
    rng_seed(&r, seed);
    int32_t head[2] = {cases, 0};
    int bad = fwrite(head, sizeof head, 1, f) != 1;
    for (int i = 0; i < cases && !bad; i++) {
        Hvo in, logits;
        Model_memory mem;
        random_input(&r, &in, i % 2 == 0);
        random_memory(&r, &mem);
        /* style, fill, mutes, input kind, memory present (every third case has none) */
        int32_t cond[5] = {c->n_genres ? (int32_t)rng_below(&r, (uint32_t)c->n_genres + 1) - 1 : -1,
                           (int32_t)rng_below(&r, 2), (int32_t)rng_below(&r, 32), (int32_t)rng_below(&r, 3),
                           i % 3 != 2};
        float *mu = m.mu, *logvar = m.logvar;
        model_encode(&m, &in, cond[4] ? &mem : NULL, mu, logvar);
        Model_condition mc = {cond[0], cond[1], (unsigned)cond[2], cond[3]};
        model_decode(&m, mu, &mc, &logits);
        bad |= fwrite(cond, sizeof cond, 1, f) != 1;
        bad |= write_floats(f, &in.v[0][0], HVO_STEPS * HVO_CHANNELS);
        bad |= write_floats(f, &mem.part.v[0][0], HVO_STEPS * HVO_CHANNELS);
        bad |= write_floats(f, &mem.groove.g[0][0], HVO_STEPS * 3);
        bad |= write_floats(f, m.enc_out, (size_t)c->steps * c->enc_d);
        bad |= write_floats(f, mu, (size_t)c->latent);
        bad |= write_floats(f, logvar, (size_t)c->latent);
        bad |= write_floats(f, &logits.v[0][0], HVO_STEPS * HVO_CHANNELS);
    }
    bad |= fclose(f) != 0;
    fprintf(stderr, "test_model: dumped %d cases with kernels %s\n", cases, m.kernels->name);
    model_deinit(&m);
    return bad;
}

static int make_model(int argc, char **argv)
{
    Model_config c;
    model_config_default(&c);
    if (argc >= 5 && !strcmp(argv[4], "odd")) {
        /* Encoder and decoder of different shapes, sizes off the SIMD widths. */
        c.enc_d = 48, c.enc_heads = 3, c.enc_ff = 80, c.enc_layers = 2;
        c.dec_d = 40, c.dec_heads = 2, c.dec_ff = 72, c.dec_layers = 1;
        c.latent = 24;
    } else if (argc >= 5 && !strcmp(argv[4], "plain")) {
        /* A version 1 model: no input kinds, no memory. */
        c.n_kinds = 0, c.has_memory = 0, c.input_dim = HVO_CHANNELS;
    } else if (argc >= 5 && !strcmp(argv[4], "memory-groove")) {
        /* Memory with the groove it was made from (has_memory 2). */
        c.has_memory = 2, c.input_dim = MODEL_MEMORY_GROOVE_INPUT_DIM;
    } else if (argc >= 9) {
        c.enc_d = c.dec_d = atoi(argv[4]);
        c.enc_layers = c.dec_layers = atoi(argv[5]);
        c.enc_heads = c.dec_heads = atoi(argv[6]);
        c.enc_ff = c.dec_ff = atoi(argv[7]);
        c.latent = atoi(argv[8]);
    }
    char err[256];
    Model m;
    if (model_init_random(&m, &c, strtoull(argv[3], NULL, 10), err, sizeof err)) {
        fprintf(stderr, "test_model: %s\n", err);
        return 1;
    }
    /* LayerNorm gains and biases off their initial 1 and 0, so the reference check sees them. */
    Rng r;
    rng_seed(&r, strtoull(argv[3], NULL, 10) + 1);
    const Model_config *mc = &m.config;
    for (int l = 0; l < mc->enc_layers + mc->dec_layers; l++) {
        Block_params *b = l < mc->enc_layers ? &m.p.enc[l] : &m.p.dec[l - mc->enc_layers];
        int d = l < mc->enc_layers ? mc->enc_d : mc->dec_d;
        for (int i = 0; i < d; i++) {
            b->ln1_g[i] = 1.0f + 0.3f * rng_gaussian(&r);
            b->ln2_g[i] = 1.0f + 0.3f * rng_gaussian(&r);
            b->ln1_b[i] = 0.2f * rng_gaussian(&r);
            b->ln2_b[i] = 0.2f * rng_gaussian(&r);
        }
    }
    for (int i = 0; i < mc->enc_d; i++) {
        m.p.enc_ln_g[i] = 1.0f + 0.3f * rng_gaussian(&r);
        m.p.enc_ln_b[i] = 0.2f * rng_gaussian(&r);
    }
    /* Store thresholds too, so readers meet an extra tensor. */
    m.extras.has_thresholds = 1;
    memcpy(m.extras.thresholds, sample_default_thresholds, sizeof m.extras.thresholds);
    if (model_save(&m, argv[2], err, sizeof err)) {
        fprintf(stderr, "test_model: %s\n", err);
        model_deinit(&m);
        return 1;
    }
    model_deinit(&m);
    return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_file_round_trip(void)
{
    Model_config c;
    small_config(&c);
    char err[256] = "";
    Model m, back;
    CHECK(model_init_random(&m, &c, 7, err, sizeof err) == 0, "random model of a small shape (%s)", err);
    m.extras.has_thresholds = 1;
    for (int v = 0; v < HVO_VOICES; v++)
        m.extras.thresholds[v] = 0.1f * (float)v;
    char path[] = "/tmp/groove-test-model-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    CHECK(model_save(&m, path, err, sizeof err) == 0, "save (%s)", err);
    CHECK(model_load(&back, path, err, sizeof err) == 0, "load (%s)", err);
    CHECK(!memcmp(&back.config, &m.config, sizeof c), "config round trip");
    CHECK(back.n_params == m.n_params && !memcmp(back.params, m.params, m.n_params * sizeof(float)),
          "%zu weights round trip bit for bit", m.n_params);
    CHECK(back.extras.has_thresholds && back.extras.thresholds[8] == 0.8f, "thresholds extra round trip");
    Gen_params g;
    model_gen_params(&back, &g);
    CHECK(g.thresholds[3] == 0.3f, "generation defaults take the stored thresholds");
    model_deinit(&back);

    /* Faults: every one a clean error with a message. */
    uint8_t *buf;
    size_t len;
    Model_file_tensor extra = {"thresholds", 1, HVO_VOICES, m.extras.thresholds};
    CHECK(model_file_encode(&c, m.params, &extra, 1, &buf, &len, err, sizeof err) == 0, "encode");
    Model_config rc;
    float *w;
    Model_file_extras ex;
    CHECK(model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == 0 && w, "decode");
    free(w);
    CHECK(model_file_decode(buf, len - 1, &rc, &w, &ex, err, sizeof err) == -1 && !w &&
              strstr(err, "truncated"), "truncated file refused: %s", err);
    CHECK(model_file_decode(buf, 50, &rc, &w, &ex, err, sizeof err) == -1 && strstr(err, "truncated"),
          "header-only file refused: %s", err);
    buf[len / 2] ^= 0x10;
    CHECK(model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == -1 && strstr(err, "checksum"),
          "flipped bit refused: %s", err);
    buf[len / 2] ^= 0x10;
    buf[0] = 'X';
    CHECK(model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == -1 && strstr(err, "magic"),
          "wrong magic refused: %s", err);
    buf[0] = 'G';
    uint8_t version = buf[8];
    CHECK(version == 2, "a model with input kinds and memory is written as version 2");
    buf[8] = 9;
    CHECK(model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == -1 && strstr(err, "version"),
          "wrong version refused: %s", err);
    buf[8] = version;
    CHECK(model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == 0, "restored file reads");
    free(w);
    free(buf);
    {
        /* the memory gate: stored, read back, refused when not a whole number of steps */
        float gate = 2.0f;
        Model_file_tensor ex2[2] = {{"thresholds", 1, HVO_VOICES, m.extras.thresholds}, {"memory_gate", 1, 1, &gate}};
        CHECK(model_file_encode(&c, m.params, ex2, 2, &buf, &len, err, sizeof err) == 0 &&
                  model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == 0 && ex.has_memory_gate &&
                  ex.memory_gate == 2.0f && ex.has_thresholds,
              "a memory gate is stored and read back beside the thresholds");
        free(w);
        free(buf);
        memset(&ex, 0, sizeof ex);
        CHECK(model_file_encode(&c, m.params, ex2, 1, &buf, &len, err, sizeof err) == 0 &&
                  model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == 0 && !ex.has_memory_gate,
              "a file without one has no gate");
        free(w);
        free(buf);
        float kth[HVO_VOICES] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f};
        Model_file_tensor ex3[2] = {{"thresholds", 1, HVO_VOICES, m.extras.thresholds}, {"thresholds_keys", 1, HVO_VOICES, kth}};
        CHECK(model_file_encode(&c, m.params, ex3, 2, &buf, &len, err, sizeof err) == 0 &&
                  model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == 0 && ex.has_thresholds_keys &&
                  !memcmp(ex.thresholds_keys, kth, sizeof kth) && ex.has_thresholds &&
                  !memcmp(ex.thresholds, m.extras.thresholds, sizeof kth),
              "keys thresholds are stored and read back beside the drums'");
        free(w);
        free(buf);
        kth[3] = 1.5f;
        CHECK(model_file_encode(&c, m.params, ex3, 2, &buf, &len, err, sizeof err) == 0 &&
                  model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == -1 && strstr(err, "thresholds_keys"),
              "a keys threshold of 1.5 is refused: %s", err);
        free(buf);
        gate = 2.5f;
        CHECK(model_file_encode(&c, m.params, ex2, 2, &buf, &len, err, sizeof err) == 0 &&
                  model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == -1 && strstr(err, "memory_gate"),
              "a gate of 2.5 steps is refused: %s", err);
        free(buf);
        gate = 40.0f;
        CHECK(model_file_encode(&c, m.params, ex2, 2, &buf, &len, err, sizeof err) == 0 &&
                  model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == -1 && strstr(err, "memory_gate"),
              "a gate of 40 steps is refused: %s", err);
        free(buf);
    }
    CHECK(model_load(&back, "/nonexistent/model.gtm", err, sizeof err) == -1 && err[0],
          "missing file refused: %s", err);
    CHECK(model_load(&back, "/tmp", err, sizeof err) == -1 && strstr(err, "directory"),
          "a directory is refused as one: %s", err);
    model_deinit(&back);
    unlink(path);

    /* A version 1 model (no input kinds, no memory) is written as version 1, reads back,
     * and ignores a memory. */
    Model_config v1 = c;
    v1.n_kinds = 0;
    v1.has_memory = 0;
    v1.input_dim = HVO_CHANNELS;
    Model o1;
    CHECK(model_init_random(&o1, &v1, 5, err, sizeof err) == 0 &&
              model_file_encode(&v1, o1.params, NULL, 0, &buf, &len, err, sizeof err) == 0,
          "a model without kinds and memory encodes (%s)", err);
    CHECK(buf[8] == 1 && model_file_decode(buf, len, &rc, &w, &ex, err, sizeof err) == 0 && rc.n_kinds == 0 &&
              rc.has_memory == 0 && rc.input_dim == HVO_CHANNELS,
          "... as version 1, which reads back without kinds and memory (%s)", err);
    free(w);
    free(buf);
    {
        Hvo in1, a1, b1;
        Model_memory mem1;
        Rng r1;
        rng_seed(&r1, 9);
        random_input(&r1, &in1, 1);
        random_memory(&r1, &mem1);
        Gen_params g1;
        model_gen_params(&o1, &g1);
        model_generate(&o1, &in1, NULL, &g1, &a1);
        g1.kind = INPUT_KIND_KEYS;
        model_generate(&o1, &in1, &mem1, &g1, &b1);
        CHECK(!memcmp(&a1, &b1, sizeof a1), "a version 1 model ignores memory and input kind");
    }
    model_deinit(&o1);
    {
        /* growing a model of memory 1 into memory 2 keeps its output until it is trained */
        Model_config c1, c2;
        model_config_default(&c1);
        c1.enc_ff = c1.dec_ff = 64;
        Model m1, m2;
        CHECK(model_init_random(&m1, &c1, 31, err, sizeof err) == 0, "a model with memory 1 (%s)", err);
        Model_config big = c1;
        big.has_memory = 2, big.input_dim = MODEL_MEMORY_GROOVE_INPUT_DIM;
        float *wide = malloc(sizeof(float) * model_params_count(&big));
        CHECK(wide && model_params_grow_memory_groove(&c1, m1.params, &c2, wide) == 0 && c2.has_memory == 2 &&
                  c2.input_dim == MODEL_MEMORY_GROOVE_INPUT_DIM && model_params_grow_memory_groove(&c2, wide, &big, wide) != 0,
              "memory 1 grows to memory 2 (input 58); memory 2 does not grow again");
        CHECK(model_init_params(&m2, &c2, wide, NULL, err, sizeof err) == 0, "the grown model builds");
        Rng r2;
        rng_seed(&r2, 33);
        Hvo in2, a2, b2;
        Model_memory mem2;
        random_input(&r2, &in2, 1);
        random_memory(&r2, &mem2);
        Model_condition cd = {-1, 0, 0, INPUT_KIND_DRUMS};
        model_encode(&m1, &in2, &mem2, m1.mu, NULL);
        model_decode(&m1, m1.mu, &cd, &a2);
        model_encode(&m2, &in2, &mem2, m2.mu, NULL);
        model_decode(&m2, m2.mu, &cd, &b2);
        float d = max_abs_diff(&a2.v[0][0], &b2.v[0][0], HVO_STEPS * HVO_CHANNELS);
        CHECK(d < 1e-5f, "the grown model gives the old one's output (max diff %g)", (double)d);
        m2.p.in_w[MODEL_MEMORY_INPUT_DIM] = 1.0f;   /* the first memory-groove column of unit 0 */
        model_refresh(&m2);
        model_encode(&m2, &in2, &mem2, m2.mu, NULL);
        model_decode(&m2, m2.mu, &cd, &b2);
        CHECK(max_abs_diff(&a2.v[0][0], &b2.v[0][0], HVO_STEPS * HVO_CHANNELS) > 1e-4f,
              "... and its new weights read the memory's groove");
        /* the gate holds back the part, not the groove before (the player's, not the model's) */
        Hvo none2, gated2;
        model_encode(&m2, &in2, NULL, m2.mu, NULL);
        model_decode(&m2, m2.mu, &cd, &none2);
        m2.extras.has_memory_gate = 1;
        m2.extras.memory_gate = 1.0f;
        int dist = model_memory_groove_distance(&in2, &mem2.groove);
        model_encode(&m2, &in2, &mem2, m2.mu, NULL);
        model_decode(&m2, m2.mu, &cd, &gated2);
        CHECK(dist >= 1 && !model_memory_admits(&m2, &in2, &mem2) &&
                  max_abs_diff(&gated2.v[0][0], &none2.v[0][0], HVO_STEPS * HVO_CHANNELS) > 1e-4f &&
                  max_abs_diff(&gated2.v[0][0], &b2.v[0][0], HVO_STEPS * HVO_CHANNELS) > 1e-4f,
              "memory 2, gate closed (%d steps): the part is dropped, the groove before still heard", dist);
        free(wide);
        model_deinit(&m1);
        model_deinit(&m2);
    }
    /* the shipped model file loads (version 2 since run m4; version 1 files are covered above) */
    Model shipped;
    if (model_load(&shipped, "nn/models/default.gtm", err, sizeof err) == 0) {
        CHECK(shipped.n_params > 0 && shipped.config.input_dim == model_input_dim_for_memory(shipped.config.has_memory),
              "nn/models/default.gtm loads (input %d, memory %d, kinds %d)", shipped.config.input_dim,
              shipped.config.has_memory, shipped.config.n_kinds);
        model_deinit(&shipped);
    } else {
        CHECK(0, "nn/models/default.gtm loads: %s", err);
    }

    /* A model without any conditioning still saves, loads and runs. */
    Model_config plain = c;
    plain.n_genres = 0;
    plain.has_fill = 0;
    plain.n_mute_groups = 0;
    plain.n_kinds = 0;
    Model p;
    CHECK(model_init_random(&p, &plain, 3, err, sizeof err) == 0 && model_save(&p, path, err, sizeof err) == 0,
          "unconditioned model saves");
    model_deinit(&p);
    CHECK(model_load(&p, path, err, sizeof err) == 0 && p.p.genre_emb == NULL, "unconditioned model loads");
    Hvo in, out;
    hvo_clear(&in);
    model_gen_params(&p, &g);
    g.genre = 3;
    g.fill = 1;
    g.mute_mask = 1;
    model_generate(&p, &in, NULL, &g, &out);
    CHECK(hvo_count_voice_hits(&out, VOICE_KICK) == 0, "unconditioned model generates; a mute still silences");
    model_deinit(&p);
    unlink(path);
    model_deinit(&m);
}

static void test_generation(void)
{
    Model_config c;
    model_config_default(&c);
    char err[256] = "";
    Model m;
    long load_start = alloc_calls;
    CHECK(model_init_random(&m, &c, 11, err, sizeof err) == 0, "default-shape random model (%s)", err);
    CHECK(alloc_calls > load_start, "the allocation counter sees the load's %ld allocations", alloc_calls - load_start);
    Rng r;
    rng_seed(&r, 5);
    Hvo in, a, b;
    random_input(&r, &in, 1);
    Gen_params g;
    model_gen_params(&m, &g);
    g.variation = 0.7f;
    g.seed = 42;
    g.stochastic = 1;
    Model_memory mem;
    random_memory(&r, &mem);
    model_generate(&m, &in, &mem, &g, &a); /* warm-up: first-use paths (kernel choice) */
    long before = alloc_calls;
    for (int i = 0; i < 5; i++)
        model_generate(&m, &in, i % 2 ? &mem : NULL, &g, &b);
    model_generate(&m, &in, &mem, &g, &b);
    long after = alloc_calls;
    CHECK(after == before, "a generation allocates nothing, with or without memory (%ld allocator calls in 6)",
          after - before);
    CHECK(!memcmp(&a, &b, sizeof a), "same input, memory and seed: the same pattern");

    /* Memory and input kind reach the output: raw outputs differ with memory vs none, with
     * silent memory vs none (the present flag), and between the kinds. */
    {
        Hvo o_none, o_mem, o_silent, o_keys;
        Model_memory silent;
        Model_condition cd = {-1, 0, 0, INPUT_KIND_DRUMS};
        memset(&silent, 0, sizeof silent);
        model_encode(&m, &in, NULL, m.mu, NULL);
        model_decode(&m, m.mu, &cd, &o_none);
        model_encode(&m, &in, &mem, m.mu, NULL);
        model_decode(&m, m.mu, &cd, &o_mem);
        model_encode(&m, &in, &silent, m.mu, NULL);
        model_decode(&m, m.mu, &cd, &o_silent);
        model_encode(&m, &in, NULL, m.mu, NULL);
        cd.kind = INPUT_KIND_KEYS;
        model_decode(&m, m.mu, &cd, &o_keys);
        size_t n = HVO_STEPS * HVO_CHANNELS;
        CHECK(max_abs_diff(&o_none.v[0][0], &o_mem.v[0][0], n) > 1e-3f &&
                  max_abs_diff(&o_none.v[0][0], &o_silent.v[0][0], n) > 1e-3f &&
                  max_abs_diff(&o_none.v[0][0], &o_keys.v[0][0], n) > 1e-3f,
              "memory, a silent memory and the input kind each change the output");
    }

    /* The memory gate: a memory made from the same groove is fed, one made from a groove
     * G or more steps away is dropped, exactly as no memory. */
    {
        Model_memory same = mem, moved;
        hvo_flatten(&in, &same.groove);
        moved = same;
        int changed = 0;
        for (int t = 0; t < HVO_STEPS && changed < 2; t++)
            if (moved.groove.g[t][0] < 0.5f) {
                moved.groove.g[t][0] = 1.0f, moved.groove.g[t][1] = 0.8f;
                changed++;
            }
        Hvo o_none, o_same, o_moved, o_gated_same, o_gated_moved;
        Model_condition cd = {-1, 0, 0, INPUT_KIND_DRUMS};
        model_encode(&m, &in, NULL, m.mu, NULL);
        model_decode(&m, m.mu, &cd, &o_none);
        model_encode(&m, &in, &same, m.mu, NULL);
        model_decode(&m, m.mu, &cd, &o_same);
        model_encode(&m, &in, &moved, m.mu, NULL);
        model_decode(&m, m.mu, &cd, &o_moved);
        CHECK(model_memory_groove_distance(&in, &same.groove) == 0 &&
                  model_memory_groove_distance(&in, &moved.groove) == 2 && model_memory_admits(&m, &in, &moved),
              "gate off: any memory is fed (distance 0 and 2)");
        m.extras.has_memory_gate = 1;
        m.extras.memory_gate = 2.0f;
        model_encode(&m, &in, &same, m.mu, NULL);
        model_decode(&m, m.mu, &cd, &o_gated_same);
        model_encode(&m, &in, &moved, m.mu, NULL);
        model_decode(&m, m.mu, &cd, &o_gated_moved);
        CHECK(model_memory_admits(&m, &in, &same) && !model_memory_admits(&m, &in, &moved) &&
                  !model_memory_admits(&m, &in, NULL),
              "gate 2: a memory 0 steps away is fed, one 2 steps away is not");
        CHECK(!memcmp(&o_gated_same, &o_same, sizeof o_same) && !memcmp(&o_gated_moved, &o_none, sizeof o_none) &&
                  memcmp(&o_moved, &o_none, sizeof o_none) != 0,
              "... and the dropped one plays exactly as no memory");
        m.extras.has_memory_gate = 0;
        m.extras.memory_gate = 0.0f;
    }

    /* Variation moves z; z = mu without it. */
    float z1[512], z2[512];
    model_encode(&m, &in, NULL, m.mu, m.logvar);
    Gen_params plain;
    model_gen_params(&m, &plain);
    model_choose_latent(&m, m.mu, m.logvar, &plain, z1);
    CHECK(!memcmp(z1, m.mu, (size_t)c.latent * sizeof(float)), "no variation: z = mu");
    model_choose_latent(&m, m.mu, m.logvar, &g, z1);
    g.seed = 43;
    model_choose_latent(&m, m.mu, m.logvar, &g, z2);
    CHECK(max_abs_diff(z1, z2, (size_t)c.latent) > 1e-3f, "another seed, another variation");
    plain.z_target = z2;
    plain.interpolate = 1.0f;
    model_choose_latent(&m, m.mu, m.logvar, &plain, z1);
    CHECK(max_abs_diff(z1, z2, (size_t)c.latent) == 0.0f, "interpolation 1 reaches the target latent");
    /* A given noise vector replaces eps(seed): z = mu + s * sigma * eps. */
    float eps[512];
    for (int i = 0; i < c.latent; i++)
        eps[i] = (float)(i % 7) - 3.0f;
    Gen_params given = g;
    given.eps = eps;
    given.variation = 0.5f;
    model_choose_latent(&m, m.mu, m.logvar, &given, z1);
    float worst = 0;
    for (int i = 0; i < c.latent; i++) {
        float want = m.mu[i] + 0.5f * expf(0.5f * m.logvar[i]) * eps[i];
        worst = fmaxf(worst, fabsf(z1[i] - want));
    }
    CHECK(worst < 1e-5f, "a given eps: z = mu + s sigma eps (max diff %g)", (double)worst);
    given.seed = 12345;
    model_choose_latent(&m, m.mu, m.logvar, &given, z2);
    CHECK(max_abs_diff(z1, z2, (size_t)c.latent) == 0.0f, "a given eps does not depend on the seed");

    /* Every kernel path this CPU has gives the same raw outputs as the scalar reference. */
    Hvo ref, got;
    Model_condition cond = {2, 1, 0, INPUT_KIND_TAPS};
    model_set_kernels(&m, kernels_for(KERNEL_SCALAR));
    model_encode(&m, &in, &mem, m.mu, m.logvar);
    float mu_ref[512];
    memcpy(mu_ref, m.mu, (size_t)c.latent * sizeof(float));
    model_decode(&m, mu_ref, &cond, &ref);
    for (int k = KERNEL_AVX2; k < KERNEL_COUNT; k++) {
        const Kernels *kt = kernels_for((Kernel_kind)k);
        if (!kt) {
            printf("note: this CPU lacks kernel set %d; its model check does not run here\n", k);
            continue;
        }
        model_set_kernels(&m, kt);
        model_encode(&m, &in, &mem, m.mu, m.logvar);
        float dmu = max_abs_diff(m.mu, mu_ref, (size_t)c.latent);
        model_decode(&m, mu_ref, &cond, &got);
        float dout = max_abs_diff(&got.v[0][0], &ref.v[0][0], HVO_STEPS * HVO_CHANNELS);
        CHECK(dmu < 2e-4f && dout < 2e-4f, "%s model matches scalar (mu %.2g, outputs %.2g)", kt->name, dmu, dout);
    }
    model_deinit(&m);
}

static void test_sampling(void)
{
    Hvo logits, out;
    Gen_params g;
    gen_params_default(&g);
    /* Voice v's logit at step t rises with t: probabilities from ~0 to ~1. */
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++) {
            logits.v[t][v] = (float)(t - 16) * 0.5f;
            logits.v[t][HVO_VOICES + v] = 2.0f;
            logits.v[t][2 * HVO_VOICES + v] = 0.2f;
        }
    sample_pattern(&logits, &g, &out);
    /* Kick threshold .49: sigmoid((t-16)/2) > .49 from t = 16 on: 16 hits. */
    CHECK(hvo_count_voice_hits(&out, VOICE_KICK) == 16, "threshold .49 keeps 16 kick hits (%d)",
          hvo_count_voice_hits(&out, VOICE_KICK));
    CHECK_NEAR(hvo_vel(&out, 20, VOICE_KICK), 1.0 / (1.0 + exp(-2.0)), 1e-6, "velocity = sigmoid");
    CHECK_NEAR(hvo_off(&out, 20, VOICE_KICK), 0.5 * tanh(0.2), 1e-6, "offset = 0.5 tanh");
    CHECK(hvo_vel(&out, 3, VOICE_KICK) == 0.0f && hvo_hit(&out, 3, VOICE_KICK) == 0.0f, "silent cells stay zero");
    g.max_hits[VOICE_SNARE] = 3;
    sample_pattern(&logits, &g, &out);
    CHECK(hvo_count_voice_hits(&out, VOICE_SNARE) == 3 && hvo_hit(&out, 31, VOICE_SNARE) == 1.0f &&
              hvo_hit(&out, 29, VOICE_SNARE) == 1.0f, "max hits keeps the 3 most probable");
    g.max_hits[VOICE_SNARE] = HVO_STEPS;
    g.min_hits[VOICE_KICK] = 20;   /* 16 pass the threshold: the next 4 most probable fill up */
    g.min_hits[VOICE_HIGH_TOM] = 5;   /* more than 5 pass: the floor changes nothing */
    g.thresholds[VOICE_CRASH] = 1.0f;   /* none pass: the floor alone, capped by max_hits */
    g.min_hits[VOICE_CRASH] = 6;
    g.max_hits[VOICE_CRASH] = 2;
    Hvo floor_out;
    sample_pattern(&logits, &g, &floor_out);
    CHECK(hvo_count_voice_hits(&floor_out, VOICE_KICK) == 20 && hvo_hit(&floor_out, 12, VOICE_KICK) == 1.0f &&
              hvo_hit(&floor_out, 11, VOICE_KICK) == 0.0f,
          "min hits fills up with the most probable steps under the threshold (%d hits)",
          hvo_count_voice_hits(&floor_out, VOICE_KICK));
    CHECK(hvo_count_voice_hits(&floor_out, VOICE_HIGH_TOM) == hvo_count_voice_hits(&out, VOICE_HIGH_TOM),
          "a floor under the hits that pass changes nothing");
    CHECK(hvo_count_voice_hits(&floor_out, VOICE_CRASH) == 2 && hvo_hit(&floor_out, 31, VOICE_CRASH) == 1.0f,
          "the floor never goes past max hits");
    gen_params_default(&g);
    g.mute_mask = 1u << MUTE_GROUP_HATS;
    sample_pattern(&logits, &g, &out);
    CHECK(hvo_count_voice_hits(&out, VOICE_CLOSED_HAT) == 0 && hvo_count_voice_hits(&out, VOICE_OPEN_HAT) == 0 &&
              hvo_count_voice_hits(&out, VOICE_KICK) == 16, "muting hats removes both hats only");
    gen_params_default(&g);
    g.density = 0.0f;
    sample_pattern(&logits, &g, &out);
    CHECK(hvo_count_hits(&out) == 0, "density 0 is silence");
    g.density = 1.0f;
    sample_pattern(&logits, &g, &out);
    int dense = hvo_count_hits(&out);
    g.density = 0.5f;
    sample_pattern(&logits, &g, &out);
    CHECK(dense > hvo_count_hits(&out), "density 1 gives more hits (%d) than 0.5 (%d)", dense, hvo_count_hits(&out));
    g.temperature = 4.0f;
    sample_pattern(&logits, &g, &out);
    int hot = hvo_count_voice_hits(&out, VOICE_LOW_TOM); /* threshold .32 < .5: more pass when flatter */
    g.temperature = 1.0f;
    sample_pattern(&logits, &g, &out);
    CHECK(hot > hvo_count_voice_hits(&out, VOICE_LOW_TOM), "temperature flattens probabilities");
    for (int t = 0; t < HVO_STEPS; t++)
        logits.v[t][HVO_VOICES + VOICE_RIDE] = -4.0f; /* velocity .018 */
    sample_pattern(&logits, &g, &out);
    CHECK(hvo_count_voice_hits(&out, VOICE_RIDE) == 0, "hits under the velocity floor are dropped");
    g.stochastic = 1;
    g.seed = 1;
    sample_pattern(&logits, &g, &out);
    Hvo again;
    sample_pattern(&logits, &g, &again);
    CHECK(!memcmp(&out, &again, sizeof out), "stochastic sampling replays with its seed");
    CHECK(sample_muted_voices(1u << MUTE_GROUP_TOMS) == (1u << 4 | 1u << 5 | 1u << 6), "toms group");
}

static void test_rng(void)
{
    Rng r;
    rng_seed(&r, 123);
    double sum = 0, sum2 = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
        double x = rng_gaussian(&r);
        sum += x;
        sum2 += x * x;
    }
    CHECK(fabs(sum / n) < 0.03 && fabs(sum2 / n - 1.0) < 0.05, "gaussian mean %.3f var %.3f", sum / n, sum2 / n);
    float lo = 1, hi = 0;
    for (int i = 0; i < n; i++) {
        float u = rng_uniform(&r);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    CHECK(lo >= 0.0f && hi < 1.0f && lo < 0.001f && hi > 0.999f, "uniform in [0,1)");
    Rng a, b;
    rng_seed(&a, 9);
    rng_seed(&b, 9);
    CHECK(rng_next(&a) == rng_next(&b), "same seed, same stream");
}

int main(int argc, char **argv)
{
    if (argc >= 5 && !strcmp(argv[1], "--dump"))
        return dump(argv[2], argv[3], atoi(argv[4]), argc > 5 ? strtoull(argv[5], NULL, 10) : 1);
    if (argc >= 4 && !strcmp(argv[1], "--make-model"))
        return make_model(argc, argv);
    alloc_counting_init();
    test_rng();
    test_sampling();
    test_file_round_trip();
    test_generation();
    return check_summary();
}
