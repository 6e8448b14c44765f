/* train_kernels.c - scalar matrix products for training and their table per instruction set
 * (the choice of set is kernels_get()'s). */
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

/* ---- dispatch: the set kernels_get() chose ---- */

static const Train_kernels tables[KERNEL_COUNT] = {
    {"scalar", KERNEL_SCALAR, tk_matmul_nn_scalar, tk_matmul_tn_scalar},
    {"avx2", KERNEL_AVX2, tk_matmul_nn_avx2, tk_matmul_tn_avx2},
    {"avx512", KERNEL_AVX512, tk_matmul_nn_avx512, tk_matmul_tn_avx512},
};

const Train_kernels *train_kernels_for(Kernel_kind kind)
{
    return kind >= 0 && kind < KERNEL_COUNT && kernels_for(kind) ? &tables[kind] : NULL;
}

const Train_kernels *train_kernels_get(void)
{
    return &tables[kernels_get()->kind];
}

const char *tk_kernel_name(void)
{
    return train_kernels_get()->name;
}

void tk_matmul_nn(float *c, const float *a, const float *b, const float *bias, int M, int K, int N,
                  int accumulate)
{
    train_kernels_get()->matmul_nn(c, a, b, bias, M, K, N, accumulate);
}

void tk_matmul_tn(float *c, const float *a, const float *b, int M, int K, int N, int accumulate)
{
    train_kernels_get()->matmul_tn(c, a, b, M, K, N, accumulate);
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
