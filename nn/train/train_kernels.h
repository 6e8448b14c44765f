/* train_kernels.h - the matrix products training needs, with run-time dispatch.
 *
 * Training's linear layers run on large N (mini-batch x 32 steps), forward and backward:
 *   forward          out[N][OC]  = in[N][C] * W^T          (W^T stored [C][OC])
 *   input gradient   din[N][C]  += dout[N][OC] * W[OC][C]
 *   weight gradient  dW[OC][C]  += dout[N][OC]^T * in[N][C]
 * All three are one kernel, C[M][N] (+)= A[M][K] * B[K][N] with B row-major and A read
 * either row-major (tk_matmul_nn) or transposed (tk_matmul_tn, A stored [K][M]). The
 * forward takes the weights pre-transposed (tk_transpose), once per step.
 *
 * Each kernel has a scalar twin (the *_scalar functions, always available), an AVX2+FMA
 * version (train_kernels_avx2.c) and an AVX-512 one (train_kernels_avx512.c), both the one
 * body train_kernels_body.inc written against simd.h and compiled per instruction set; a test
 * holds each to the scalar twin. Which set runs is not decided here: the one kernel dispatch,
 * kernels_get() (nn/kernels.h: cpuid, GROOVE_KERNEL=scalar|avx2|avx512, chosen once under
 * pthread_once), picks the instruction set for inference and training alike, and
 * train_kernels_get() returns the training table of that set. Pure functions, callable from
 * any thread.
 */
#ifndef GROOVE_TRAIN_KERNELS_H
#define GROOVE_TRAIN_KERNELS_H

#include "kernels.h"

/* C[M][N] = (accumulate ? C : 0) + A[M][K] * B[K][N] (+ bias[N] when bias is not NULL). */
void tk_matmul_nn(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                  int accumulate);
/* C[M][N] = (accumulate ? C : 0) + A^T * B, A stored [K][M], B [K][N]. */
void tk_matmul_tn(float *c, const float *a, const float *b, int M, int K, int N, int accumulate);
/* out[cols][rows] = in[rows][cols]^T. */
void tk_transpose(float *out, const float *in, int rows, int cols);

/* The scalar twins, always compiled. */
void tk_matmul_nn_scalar(float *c, const float *a, const float *b, const float *bias, int M, int K,
                         int N, int accumulate);
void tk_matmul_tn_scalar(float *c, const float *a, const float *b, int M, int K, int N, int accumulate);

/* The AVX2+FMA versions (only call when kernels_for(KERNEL_AVX2) is not NULL). */
void tk_matmul_nn_avx2(float *c, const float *a, const float *b, const float *bias, int M, int K,
                       int N, int accumulate);
void tk_matmul_tn_avx2(float *c, const float *a, const float *b, int M, int K, int N, int accumulate);

/* The AVX-512 versions (only call when kernels_for(KERNEL_AVX512) is not NULL). */
void tk_matmul_nn_avx512(float *c, const float *a, const float *b, const float *bias, int M, int K,
                         int N, int accumulate);
void tk_matmul_tn_avx512(float *c, const float *a, const float *b, int M, int K, int N, int accumulate);

/* The training products of one instruction set. */
typedef struct {
    const char *name;   /* "scalar", "avx2", "avx512" (as kernels.h) */
    Kernel_kind kind;
    void (*matmul_nn)(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                      int accumulate);
    void (*matmul_tn)(float *c, const float *a, const float *b, int M, int K, int N, int accumulate);
} Train_kernels;

/* The set in use: the one kernels_get() chose (thread-safe; decided once). */
const Train_kernels *train_kernels_get(void);
/* The set of one instruction set, or NULL when this CPU cannot run it (kernels_for). */
const Train_kernels *train_kernels_for(Kernel_kind kind);
/* Names the kernels in use: "avx512", "avx2" or "scalar". */
const char *tk_kernel_name(void);

#endif
