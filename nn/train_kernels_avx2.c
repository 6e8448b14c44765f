/* train_kernels_avx2.c - AVX2+FMA matrix products for training (see train_kernels.h).
 *
 * One register-tiled kernel: a tile of up to 6 rows x 16 columns of C stays in 12 ymm
 * accumulators over the whole K loop; each step broadcasts one element of A per row and
 * loads 16 floats of B. Column tails of 8 use one ymm per row, the last < 8 columns a
 * scalar loop. Only called when the CPU has AVX2 and FMA (train_kernels.c dispatches).
 */
#include "train_kernels.h"

#include <immintrin.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Computes rows i..i+mr-1, columns j..j+15 of C. */
static ALWAYS_INLINE void tile16(const int mr, float *c, const float *a, long rs, long cs, const float *b,
                                 const float *bias, int i, int j, int K, int N, int accumulate)
{
    __m256 c0[6], c1[6];
    for (int r = 0; r < mr; r++) {
        c0[r] = _mm256_setzero_ps();
        c1[r] = _mm256_setzero_ps();
    }
    const float *ap = a + i * rs;
    for (int k = 0; k < K; k++) {
        const float *bp = b + (long)k * N + j;
        __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
        for (int r = 0; r < mr; r++) {
            __m256 av = _mm256_broadcast_ss(ap + r * rs + k * cs);
            c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
        }
    }
    __m256 bias0 = bias ? _mm256_loadu_ps(bias + j) : _mm256_setzero_ps();
    __m256 bias1 = bias ? _mm256_loadu_ps(bias + j + 8) : _mm256_setzero_ps();
    for (int r = 0; r < mr; r++) {
        float *cp = c + (long)(i + r) * N + j;
        __m256 v0 = _mm256_add_ps(c0[r], bias0), v1 = _mm256_add_ps(c1[r], bias1);
        if (accumulate) {
            v0 = _mm256_add_ps(v0, _mm256_loadu_ps(cp));
            v1 = _mm256_add_ps(v1, _mm256_loadu_ps(cp + 8));
        }
        _mm256_storeu_ps(cp, v0);
        _mm256_storeu_ps(cp + 8, v1);
    }
}

/* Computes rows i..i+mr-1, columns j..j+7 of C. */
static ALWAYS_INLINE void tile8(const int mr, float *c, const float *a, long rs, long cs, const float *b,
                                const float *bias, int i, int j, int K, int N, int accumulate)
{
    __m256 c0[6];
    for (int r = 0; r < mr; r++)
        c0[r] = _mm256_setzero_ps();
    const float *ap = a + i * rs;
    for (int k = 0; k < K; k++) {
        __m256 b0 = _mm256_loadu_ps(b + (long)k * N + j);
        for (int r = 0; r < mr; r++)
            c0[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(ap + r * rs + k * cs), b0, c0[r]);
    }
    __m256 bias0 = bias ? _mm256_loadu_ps(bias + j) : _mm256_setzero_ps();
    for (int r = 0; r < mr; r++) {
        float *cp = c + (long)(i + r) * N + j;
        __m256 v0 = _mm256_add_ps(c0[r], bias0);
        if (accumulate)
            v0 = _mm256_add_ps(v0, _mm256_loadu_ps(cp));
        _mm256_storeu_ps(cp, v0);
    }
}

/* Computes rows i..i+mr-1 of C over all its columns. */
static ALWAYS_INLINE void row_block(const int mr, float *c, const float *a, long rs, long cs, const float *b,
                                    const float *bias, int i, int K, int N, int accumulate)
{
    int j = 0;
    for (; j + 16 <= N; j += 16)
        tile16(mr, c, a, rs, cs, b, bias, i, j, K, N, accumulate);
    for (; j + 8 <= N; j += 8)
        tile8(mr, c, a, rs, cs, b, bias, i, j, K, N, accumulate);
    for (; j < N; j++)
        for (int r = 0; r < mr; r++) {
            float s = 0.0f;
            for (int k = 0; k < K; k++)
                s += a[(i + r) * rs + k * cs] * b[(long)k * N + j];
            float *cp = c + (long)(i + r) * N + j;
            *cp = (accumulate ? *cp : 0.0f) + (bias ? bias[j] : 0.0f) + s;
        }
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

void tk_matmul_nn_avx2(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                       int accumulate)
{
    matmul(c, a, K, 1, b, bias, M, K, N, accumulate);
}

void tk_matmul_tn_avx2(float *c, const float *a, const float *b, int M, int K, int N, int accumulate)
{
    matmul(c, a, 1, M, b, NULL, M, K, N, accumulate);
}
