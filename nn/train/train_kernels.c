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

static int level = -1;

/* The best level this CPU runs. */
static Tk_level cpu_level(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return TK_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return TK_AVX2;
    return TK_SCALAR;
}

Tk_level tk_level(void)
{
    if (level < 0) {
        Tk_level best = cpu_level();
        const char *want = getenv("GROOVE_TRAIN_KERNEL");
        if (want && !strcmp(want, "scalar"))
            best = TK_SCALAR;
        else if (want && !strcmp(want, "avx2") && best > TK_AVX2)
            best = TK_AVX2;
        level = (int)best;
    }
    return (Tk_level)level;
}

void tk_set_level(Tk_level want)
{
    Tk_level best = cpu_level();
    level = (int)(want < best ? want : best);
}

const char *tk_kernel_name(void)
{
    static const char *const names[] = {"scalar", "avx2", "avx512"};
    return names[tk_level()];
}

void tk_matmul_nn(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                  int accumulate)
{
    switch (tk_level()) {
    case TK_AVX512: tk_matmul_nn_avx512(c, a, b, bias, M, K, N, accumulate); break;
    case TK_AVX2: tk_matmul_nn_avx2(c, a, b, bias, M, K, N, accumulate); break;
    default: tk_matmul_nn_scalar(c, a, b, bias, M, K, N, accumulate); break;
    }
}

void tk_matmul_tn(float *c, const float *a, const float *b, int M, int K, int N, int accumulate)
{
    switch (tk_level()) {
    case TK_AVX512: tk_matmul_tn_avx512(c, a, b, M, K, N, accumulate); break;
    case TK_AVX2: tk_matmul_tn_avx2(c, a, b, M, K, N, accumulate); break;
    default: tk_matmul_tn_scalar(c, a, b, M, K, N, accumulate); break;
    }
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
