/* kernels.h - the numeric kernels of the Groove Transformer, one table per instruction set.
 *
 * Every kernel has a scalar reference (kernels.c) and AVX2+FMA (kernels_avx2.c) and AVX-512
 * (kernels_avx512.c) twins with the same contract, both one body (kernels_body.inc) written
 * against simd.h's vector vocabulary; tests/test_kernels.c holds each SIMD kernel to its
 * scalar twin. The table in use is chosen once, at the first kernels_get(), from cpuid
 * and the environment variable GROOVE_KERNEL=scalar|avx2|avx512 (a set that the CPU lacks is
 * refused with a warning on stderr and the best available one is used). The AVX code lives
 * only in the *_avx2.c / *_avx512.c files, the only files compiled with those instruction
 * sets, and is reached only through a table that cpuid allowed.
 *
 * Matrices are row-major floats. Linear weights come in torch layout W[OC][C] (y = x W^T + b)
 * or pre-packed (kernels_pack) in panels of KERNEL_PANEL output columns: panel p holds
 * w[p*32 + j][c] at packed[(p*C + c)*32 + j], zero where p*32 + j >= OC. Packing once at load
 * turns the hot N=32 products into broadcast-FMA streams with no per-call transpose.
 *
 * No kernel allocates (scratch lives on the stack: at most 128 KiB, for attention), none keeps
 * state: call from any thread with a normal stack.
 */
#ifndef GROOVE_KERNELS_H
#define GROOVE_KERNELS_H

#include <stddef.h>

#define KERNEL_PANEL 32     /* output columns per packed panel */

typedef enum {
    KERNEL_SCALAR = 0,
    KERNEL_AVX2,
    KERNEL_AVX512,
    KERNEL_COUNT
} Kernel_kind;

typedef struct {
    const char *name;   /* "scalar", "avx2", "avx512" */
    Kernel_kind kind;
    /* out[N][OC] = in[N][C] w^T + b (b may be NULL); w [OC][C], torch layout. */
    void (*linear)(float *out, const float *in, const float *w, const float *b, int N, int C, int OC);
    /* Same with w packed by kernels_pack; relu != 0 applies max(0, .) to the result. */
    void (*linear_packed)(float *out, const float *in, const float *packed, const float *b,
                          int N, int C, int OC, int relu);
    /* Multi-head self-attention core (see layers.h attention_forward): qkv [B][T][3C] ->
     * out [B][T][C], att [B][H][T][T] softmax probabilities. T <= KERNEL_MAX_T. */
    void (*attention)(float *out, float *att, const float *qkv, int B, int T, int C, int H);
    /* out[N][C] = LayerNorm(x + r) per row (r may be NULL) with gain g, bias b, eps 1e-5;
     * mean[N], rstd[N] receive the statistics when not NULL. out may equal x or r. */
    void (*layernorm)(float *out, float *mean, float *rstd, const float *x, const float *r,
                      const float *g, const float *b, int N, int C);
    /* Peak probe for benchmarks: iterations x 12 independent multiply-adds on vectors of
     * lanes floats (FMA in the SIMD sets); returns a result so the work cannot vanish. */
    float (*fma_loop)(long iterations);
    int lanes;
} Kernels;

#define KERNEL_MAX_T 256    /* attention sequence length bound (stack scratch) */

/* Returns the table in use (chosen once, thread-safe). */
const Kernels *kernels_get(void);
/* Returns the table for one instruction set, or NULL when this CPU cannot run it. */
const Kernels *kernels_for(Kernel_kind kind);
/* Returns the table named "scalar", "avx2" or "avx512", or NULL when unknown or unsupported. */
const Kernels *kernels_by_name(const char *name);

/* Floats a packed copy of a [OC][C] weight takes. */
size_t kernels_packed_count(int C, int OC);
/* Packs w [OC][C] into packed (kernels_packed_count floats), layout above. */
void kernels_pack(float *packed, const float *w, int C, int OC);

/* The scalar references, also used by the SIMD files for shapes they do not special-case. */
void kernels_linear_scalar(float *out, const float *in, const float *w, const float *b, int N, int C, int OC);
void kernels_linear_packed_scalar(float *out, const float *in, const float *packed, const float *b,
                                  int N, int C, int OC, int relu);
void kernels_attention_scalar(float *out, float *att, const float *qkv, int B, int T, int C, int H);
void kernels_layernorm_scalar(float *out, float *mean, float *rstd, const float *x, const float *r,
                              const float *g, const float *b, int N, int C);

/* The SIMD tables (defined in kernels_avx2.c / kernels_avx512.c). */
extern const Kernels kernels_avx2;
extern const Kernels kernels_avx512;

#endif
