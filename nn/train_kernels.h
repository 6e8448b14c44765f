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
 * Each kernel has a scalar twin (the *_scalar functions, always available) and an
 * AVX2+FMA version (train_kernels_avx2.c) chosen at run time when the CPU has both; a
 * test holds them together. Pure functions, callable from any thread.
 */
#ifndef GROOVE_TRAIN_KERNELS_H
#define GROOVE_TRAIN_KERNELS_H

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

/* The AVX2+FMA versions (only call when tk_has_avx2() is true). */
void tk_matmul_nn_avx2(float *c, const float *a, const float *b, const float *bias, int M, int K,
                       int N, int accumulate);
void tk_matmul_tn_avx2(float *c, const float *a, const float *b, int M, int K, int N, int accumulate);

/* 1 when the CPU runs AVX2 and FMA (and GROOVE_NO_SIMD is not set), else 0. */
int tk_has_avx2(void);
/* Names the kernels in use: "avx2" or "scalar". */
const char *tk_kernel_name(void);

#endif
