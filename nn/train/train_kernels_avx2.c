/* train_kernels_avx2.c - the AVX2+FMA matrix products for training (see train_kernels.h):
 * train_kernels_body.inc compiled with -mavx2 -mfma (Makefile) against simd.h's AVX2
 * vocabulary. Only called when the CPU has AVX2 and FMA (train_kernels.c dispatches). */
#include "train_kernels.h"

#define SIMD_AVX2
#include "simd.h"

#define MR 6          /* rows per register tile: 6 x 16 columns = 12 ymm accumulators */
#define MASKED_TAIL 0 /* the last < 8 columns of a row in a scalar loop */

#include "train_kernels_body.inc"

void tk_matmul_nn_avx2(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                       int accumulate)
{
    matmul(c, a, K, 1, b, bias, M, K, N, accumulate);
}

void tk_matmul_tn_avx2(float *c, const float *a, const float *b, int M, int K, int N, int accumulate)
{
    matmul(c, a, 1, M, b, NULL, M, K, N, accumulate);
}
