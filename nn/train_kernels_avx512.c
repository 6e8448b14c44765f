/* train_kernels_avx512.c - AVX-512 matrix products for training (see train_kernels.h).
 *
 * One register-tiled kernel: a tile of up to 6 rows x 32 columns of C stays in 12 zmm
 * accumulators over the whole K loop; each step broadcasts one element of A per row and
 * loads 32 floats of B. Column tails of 16 use one zmm per row, the last < 16 columns
 * masked loads and stores. Only called when the CPU has AVX-512F (train_kernels.c dispatches).
 */
#include "train_kernels.h"

#include <immintrin.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Computes rows i..i+mr-1, columns j..j+31 of C. */
static ALWAYS_INLINE void tile32(const int mr, float *c, const float *a, long rs, long cs, const float *b,
                                 const float *bias, int i, int j, int K, int N, int accumulate)
{
    __m512 c0[6], c1[6];
    for (int r = 0; r < mr; r++) {
        c0[r] = _mm512_setzero_ps();
        c1[r] = _mm512_setzero_ps();
    }
    const float *ap = a + i * rs;
    for (int k = 0; k < K; k++) {
        const float *bp = b + (long)k * N + j;
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
        for (int r = 0; r < mr; r++) {
            __m512 av = _mm512_set1_ps(ap[r * rs + k * cs]);
            c0[r] = _mm512_fmadd_ps(av, b0, c0[r]);
            c1[r] = _mm512_fmadd_ps(av, b1, c1[r]);
        }
    }
    __m512 bias0 = bias ? _mm512_loadu_ps(bias + j) : _mm512_setzero_ps();
    __m512 bias1 = bias ? _mm512_loadu_ps(bias + j + 16) : _mm512_setzero_ps();
    for (int r = 0; r < mr; r++) {
        float *cp = c + (long)(i + r) * N + j;
        __m512 v0 = _mm512_add_ps(c0[r], bias0), v1 = _mm512_add_ps(c1[r], bias1);
        if (accumulate) {
            v0 = _mm512_add_ps(v0, _mm512_loadu_ps(cp));
            v1 = _mm512_add_ps(v1, _mm512_loadu_ps(cp + 16));
        }
        _mm512_storeu_ps(cp, v0);
        _mm512_storeu_ps(cp + 16, v1);
    }
}

/* Computes rows i..i+mr-1, columns j..j+w-1 (w <= 16) of C with masked loads and stores. */
static ALWAYS_INLINE void tile16m(const int mr, float *c, const float *a, long rs, long cs, const float *b,
                                  const float *bias, int i, int j, int w, int K, int N, int accumulate)
{
    __mmask16 m = (__mmask16)((1u << w) - 1u);
    __m512 c0[6];
    for (int r = 0; r < mr; r++)
        c0[r] = _mm512_setzero_ps();
    const float *ap = a + i * rs;
    for (int k = 0; k < K; k++) {
        __m512 b0 = _mm512_maskz_loadu_ps(m, b + (long)k * N + j);
        for (int r = 0; r < mr; r++)
            c0[r] = _mm512_fmadd_ps(_mm512_set1_ps(ap[r * rs + k * cs]), b0, c0[r]);
    }
    __m512 bias0 = bias ? _mm512_maskz_loadu_ps(m, bias + j) : _mm512_setzero_ps();
    for (int r = 0; r < mr; r++) {
        float *cp = c + (long)(i + r) * N + j;
        __m512 v0 = _mm512_add_ps(c0[r], bias0);
        if (accumulate)
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m, cp));
        _mm512_mask_storeu_ps(cp, m, v0);
    }
}

/* Computes rows i..i+mr-1 of C over all its columns. */
static ALWAYS_INLINE void row_block(const int mr, float *c, const float *a, long rs, long cs, const float *b,
                                    const float *bias, int i, int K, int N, int accumulate)
{
    int j = 0;
    for (; j + 32 <= N; j += 32)
        tile32(mr, c, a, rs, cs, b, bias, i, j, K, N, accumulate);
    for (; j < N; j += 16)
        tile16m(mr, c, a, rs, cs, b, bias, i, j, N - j < 16 ? N - j : 16, K, N, accumulate);
}

/* C (+)= A * B with A addressed a[i * rs + k * cs]. */
static void matmul(float *c, const float *a, long rs, long cs, const float *b, const float *bias, int M,
                   int K, int N, int accumulate)
{
    int i = 0;
    for (; i + 6 <= M; i += 6)
        row_block(6, c, a, rs, cs, b, bias, i, K, N, accumulate);
    switch (M - i) {
    case 5: row_block(5, c, a, rs, cs, b, bias, i, K, N, accumulate); break;
    case 4: row_block(4, c, a, rs, cs, b, bias, i, K, N, accumulate); break;
    case 3: row_block(3, c, a, rs, cs, b, bias, i, K, N, accumulate); break;
    case 2: row_block(2, c, a, rs, cs, b, bias, i, K, N, accumulate); break;
    case 1: row_block(1, c, a, rs, cs, b, bias, i, K, N, accumulate); break;
    default: break;
    }
}

void tk_matmul_nn_avx512(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                         int accumulate)
{
    matmul(c, a, K, 1, b, bias, M, K, N, accumulate);
}

void tk_matmul_tn_avx512(float *c, const float *a, const float *b, int M, int K, int N, int accumulate)
{
    matmul(c, a, 1, M, b, NULL, M, K, N, accumulate);
}
