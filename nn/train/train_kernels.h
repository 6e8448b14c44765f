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
 * body train_kernels_body.inc written against simd.h and compiled per instruction set; the
 * best the CPU runs is chosen once at run time (GROOVE_TRAIN_KERNEL=scalar|avx2|avx512 caps it);
 * a test holds each to the scalar twin. Pure functions, callable from any thread.
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

/* The AVX-512 versions (only call when the CPU has AVX-512F). */
void tk_matmul_nn_avx512(float *c, const float *a, const float *b, const float *bias, int M, int K,
                         int N, int accumulate);
void tk_matmul_tn_avx512(float *c, const float *a, const float *b, int M, int K, int N, int accumulate);

typedef enum { TK_SCALAR = 0, TK_AVX2, TK_AVX512 } Tk_level;
/* The instruction set in use: the best the CPU has, capped by GROOVE_TRAIN_KERNEL. */
Tk_level tk_level(void);
/* Forces a level (tests; clamped to what the CPU has). */
void tk_set_level(Tk_level level);
/* Names the kernels in use: "avx512", "avx2" or "scalar". */
const char *tk_kernel_name(void);

#endif
