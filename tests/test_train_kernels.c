/* test_train_kernels.c - the SIMD training matrix products against their scalar twins, and the
 * one dispatch: training runs the instruction set kernels_get() chose. */
#include "check.h"
#include "train_kernels.h"

#include <stdlib.h>
#include <string.h>

/* Fills x[n] with values in [-1, 1) from a fixed linear congruential sequence. */
static void fill(float *x, int n, unsigned seed)
{
    for (int i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / 8388608.0f - 1.0f;
    }
}

/* Returns the largest absolute difference of two arrays. */
static double max_diff(const float *a, const float *b, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++) {
        double d = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
        if (d > m)
            m = d;
    }
    return m;
}

/* Holds one set's kernels to the scalar twins. */
static void check_level(const Train_kernels *tk)
{
    static const int shapes[][3] = {{1, 1, 1}, {7, 5, 27}, {13, 33, 16}, {64, 128, 384}, {5, 300, 9}, {32, 96, 24}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], K = shapes[s][1], N = shapes[s][2];
        float *a = malloc(sizeof(float) * M * K), *b = malloc(sizeof(float) * K * N);
        float *bias = malloc(sizeof(float) * N), *c1 = malloc(sizeof(float) * M * N), *c2 = malloc(sizeof(float) * M * N);
        float *at = malloc(sizeof(float) * M * K);
        fill(a, M * K, 1 + s);
        fill(b, K * N, 2 + s);
        fill(bias, N, 3 + s);
        /* reference: plain triple loop in double */
        float *c0 = malloc(sizeof(float) * M * N);
        fill(c0, M * N, 9);   /* what fill(c, M * N, 9) puts in C before an accumulate */
        for (int acc = 0; acc < 2; acc++) {
            fill(c1, M * N, 9);
            fill(c2, M * N, 9);
            tk_matmul_nn_scalar(c1, a, b, bias, M, K, N, acc);
            tk->matmul_nn(c2, a, b, bias, M, K, N, acc);
            double worst = 0.0;
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++) {
                    double r = bias[j];
                    for (int k = 0; k < K; k++)
                        r += (double)a[i * K + k] * b[k * N + j];
                    if (acc)
                        r += c0[i * N + j];
                    double d = r - c1[i * N + j];
                    if (d < 0) d = -d;
                    if (d > worst) worst = d;
                }
            CHECK(worst < 1e-4 * (K + 1), "scalar nn %dx%dx%d acc=%d matches double reference (%.2g)", M, K, N, acc, worst);
            CHECK(max_diff(c1, c2, M * N) < 1e-4 * (K + 1), "dispatched (%s) nn %dx%dx%d acc=%d matches scalar", tk->name, M, K, N, acc);
            tk_transpose(at, a, M, K);   /* at [K][M] */
            fill(c1, M * N, 9);
            fill(c2, M * N, 9);
            tk_matmul_tn_scalar(c1, at, b, M, K, N, acc);
            tk->matmul_tn(c2, at, b, M, K, N, acc);
            float *c3 = malloc(sizeof(float) * M * N);
            fill(c3, M * N, 9);
            tk_matmul_nn_scalar(c3, a, b, NULL, M, K, N, acc);
            CHECK(max_diff(c1, c3, M * N) < 1e-4 * (K + 1), "scalar tn %dx%dx%d acc=%d equals nn on the transpose", M, K, N, acc);
            CHECK(max_diff(c1, c2, M * N) < 1e-4 * (K + 1), "dispatched tn %dx%dx%d acc=%d matches scalar", M, K, N, acc);
            free(c3);
        }
        free(a); free(b); free(bias); free(c0); free(c1); free(c2); free(at);
    }
}

int main(void)
{
    /* The one environment variable names the set for training too (before anything asks). */
    setenv("GROOVE_KERNEL", "scalar", 1);
    static const char *const names[KERNEL_COUNT] = {"scalar", "avx2", "avx512"};
    for (int k = 0; k < KERNEL_COUNT; k++) {
        const Train_kernels *tk = train_kernels_for((Kernel_kind)k);
        if (!tk) {
            printf("     (this CPU has no %s: its kernels are not exercised here)\n", names[k]);
            continue;
        }
        check_level(tk);
    }
    /* The one dispatch: training runs the set inference chose. */
    CHECK(kernels_get()->kind == KERNEL_SCALAR && train_kernels_get()->kind == KERNEL_SCALAR &&
              !strcmp(tk_kernel_name(), "scalar"),
          "GROOVE_KERNEL=scalar sets training's kernels too (%s)", tk_kernel_name());
    return check_summary();
}
