/* train_kernels.c - scalar matrix products for training and the run-time dispatch. */
#include "train_kernels.h"

#include <stdlib.h>
#include <string.h>

/* Computes C (+)= A * B with A addressed a[i * rs + k * cs], the common scalar loop. */
static void matmul_scalar(float *c, const float *a, long rs, long cs, const float *b, const float *bias,
                          int M, int K, int N, int accumulate)
{
    for (int i = 0; i < M; i++) {
        float *crow = c + (long)i * N;
        if (!accumulate) {
            if (bias)
                memcpy(crow, bias, (size_t)N * sizeof *crow);
            else
                memset(crow, 0, (size_t)N * sizeof *crow);
        } else if (bias) {
            for (int j = 0; j < N; j++)
                crow[j] += bias[j];
        }
        for (int k = 0; k < K; k++) {
            float aik = a[i * rs + k * cs];
            const float *brow = b + (long)k * N;
            for (int j = 0; j < N; j++)
                crow[j] += aik * brow[j];
        }
    }
}

void tk_matmul_nn_scalar(float *c, const float *a, const float *b, const float *bias, int M, int K,
                         int N, int accumulate)
{
    matmul_scalar(c, a, K, 1, b, bias, M, K, N, accumulate);
}

void tk_matmul_tn_scalar(float *c, const float *a, const float *b, int M, int K, int N, int accumulate)
{
    matmul_scalar(c, a, 1, M, b, NULL, M, K, N, accumulate);
}

int tk_has_avx2(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *off = getenv("GROOVE_NO_SIMD");
        __builtin_cpu_init();
        cached = !(off && *off && strcmp(off, "0") != 0) && __builtin_cpu_supports("avx2") &&
                 __builtin_cpu_supports("fma");
    }
    return cached;
}

const char *tk_kernel_name(void) { return tk_has_avx2() ? "avx2" : "scalar"; }

void tk_matmul_nn(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                  int accumulate)
{
    if (tk_has_avx2())
        tk_matmul_nn_avx2(c, a, b, bias, M, K, N, accumulate);
    else
        tk_matmul_nn_scalar(c, a, b, bias, M, K, N, accumulate);
}

void tk_matmul_tn(float *c, const float *a, const float *b, int M, int K, int N, int accumulate)
{
    if (tk_has_avx2())
        tk_matmul_tn_avx2(c, a, b, M, K, N, accumulate);
    else
        tk_matmul_tn_scalar(c, a, b, M, K, N, accumulate);
}

void tk_transpose(float *out, const float *in, int rows, int cols)
{
    enum { TILE = 32 };
    for (int r0 = 0; r0 < rows; r0 += TILE)
        for (int c0 = 0; c0 < cols; c0 += TILE) {
            int r1 = r0 + TILE < rows ? r0 + TILE : rows;
            int c1 = c0 + TILE < cols ? c0 + TILE : cols;
            for (int r = r0; r < r1; r++)
                for (int k = c0; k < c1; k++)
                    out[(long)k * rows + r] = in[(long)r * cols + k];
        }
}
