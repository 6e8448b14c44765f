/* train_kernels_avx512.c - the AVX-512 matrix products for training (see train_kernels.h):
 * train_kernels_body.inc compiled with -mavx512f/vl/bw/dq (Makefile) against simd.h's AVX-512
 * vocabulary. Only called when the CPU has AVX-512F (train_kernels.c dispatches). */
#include "train_kernels.h"

#define SIMD_AVX512
#include "simd.h"

#define MR 6          /* rows per register tile: 6 x 32 columns = 12 zmm accumulators */
#define MASKED_TAIL 1 /* the last < 16 columns of a row in one masked zmm */

#include "train_kernels_body.inc"

void tk_matmul_nn_avx512(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                         int accumulate)
{
    matmul(c, a, K, 1, b, bias, M, K, N, accumulate);
}

void tk_matmul_tn_avx512(float *c, const float *a, const float *b, int M, int K, int N, int accumulate)
{
    matmul(c, a, 1, M, b, NULL, M, K, N, accumulate);
}
