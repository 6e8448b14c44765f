/* kernels.c - the scalar reference of every kernel, packing, and the run-time choice of the
 * kernel table (cpuid + GROOVE_KERNEL). See kernels.h. */
#include "kernels.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- packing */

size_t kernels_packed_count(int C, int OC)
{
    size_t panels = (size_t)(OC + KERNEL_PANEL - 1) / KERNEL_PANEL;
    return panels * (size_t)C * KERNEL_PANEL;
}

void kernels_pack(float *packed, const float *w, int C, int OC)
{
    int panels = (OC + KERNEL_PANEL - 1) / KERNEL_PANEL;
    for (int p = 0; p < panels; p++)
        for (int c = 0; c < C; c++) {
            float *dst = packed + ((size_t)p * C + c) * KERNEL_PANEL;
            for (int j = 0; j < KERNEL_PANEL; j++) {
                int o = p * KERNEL_PANEL + j;
                dst[j] = o < OC ? w[(size_t)o * C + c] : 0.0f;
            }
        }
}

/* ---------------------------------------------------------------- scalar references */

void kernels_linear_scalar(float *out, const float *in, const float *w, const float *b, int N, int C, int OC)
{
    for (int n = 0; n < N; n++) {
        const float *x = in + (size_t)n * C;
        float *y = out + (size_t)n * OC;
        for (int o = 0; o < OC; o++) {
            const float *wr = w + (size_t)o * C;
            float s = b ? b[o] : 0.0f;
            for (int c = 0; c < C; c++)
                s += x[c] * wr[c];
            y[o] = s;
        }
    }
}

void kernels_linear_packed_scalar(float *out, const float *in, const float *packed, const float *b,
                                  int N, int C, int OC, int relu)
{
    for (int n = 0; n < N; n++) {
        const float *x = in + (size_t)n * C;
        float *y = out + (size_t)n * OC;
        for (int o = 0; o < OC; o++) {
            int p = o / KERNEL_PANEL, j = o % KERNEL_PANEL;
            const float *col = packed + (size_t)p * C * KERNEL_PANEL + j;
            float s = b ? b[o] : 0.0f;
            for (int c = 0; c < C; c++)
                s += x[c] * col[(size_t)c * KERNEL_PANEL];
            y[o] = relu && s < 0.0f ? 0.0f : s;
        }
    }
}

void kernels_attention_scalar(float *out, float *att, const float *qkv, int B, int T, int C, int H)
{
    int hs = C / H;
    float scale = 1.0f / sqrtf((float)hs);
    for (int bi = 0; bi < B; bi++)
        for (int h = 0; h < H; h++)
            for (int i = 0; i < T; i++) {
                const float *q = qkv + ((size_t)bi * T + i) * 3 * C + h * hs;
                float *p = att + (((size_t)bi * H + h) * T + i) * T;
                float maxv = -INFINITY;
                for (int j = 0; j < T; j++) {
                    const float *k = qkv + ((size_t)bi * T + j) * 3 * C + C + h * hs;
                    float s = 0.0f;
                    for (int d = 0; d < hs; d++)
                        s += q[d] * k[d];
                    s *= scale;
                    p[j] = s;
                    if (s > maxv)
                        maxv = s;
                }
                float sum = 0.0f;
                for (int j = 0; j < T; j++) {
                    p[j] = expf(p[j] - maxv);
                    sum += p[j];
                }
                float inv = 1.0f / sum;
                for (int j = 0; j < T; j++)
                    p[j] *= inv;
                float *o = out + ((size_t)bi * T + i) * C + h * hs;
                for (int d = 0; d < hs; d++)
                    o[d] = 0.0f;
                for (int j = 0; j < T; j++) {
                    const float *v = qkv + ((size_t)bi * T + j) * 3 * C + 2 * C + h * hs;
                    for (int d = 0; d < hs; d++)
                        o[d] += p[j] * v[d];
                }
            }
}

void kernels_layernorm_scalar(float *out, float *mean, float *rstd, const float *x, const float *r,
                              const float *g, const float *b, int N, int C)
{
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * C;
        const float *rr = r ? r + (size_t)n * C : NULL;
        float *y = out + (size_t)n * C;
        float m = 0.0f;
        for (int c = 0; c < C; c++) {
            float v = rr ? xr[c] + rr[c] : xr[c];
            y[c] = v;
            m += v;
        }
        m /= (float)C;
        float var = 0.0f;
        for (int c = 0; c < C; c++) {
            float d = y[c] - m;
            var += d * d;
        }
        var /= (float)C;
        float s = 1.0f / sqrtf(var + 1e-5f);
        for (int c = 0; c < C; c++)
            y[c] = (y[c] - m) * s * g[c] + b[c];
        if (mean)
            mean[n] = m;
        if (rstd)
            rstd[n] = s;
    }
}

static float fma_loop_scalar(long iterations)
{
    float acc[12];
    for (int i = 0; i < 12; i++)
        acc[i] = (float)i;
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < 12; i++)
            acc[i] = acc[i] * 0.999999f + 1e-7f;
    float s = 0;
    for (int i = 0; i < 12; i++)
        s += acc[i];
    return s;
}

static const Kernels kernels_scalar = {
    "scalar", KERNEL_SCALAR, kernels_linear_scalar, kernels_linear_packed_scalar,
    kernels_attention_scalar, kernels_layernorm_scalar, fma_loop_scalar, 1,
};

/* ---------------------------------------------------------------- dispatch */

/* Says whether this CPU (and OS) can run the given set. */
static int cpu_supports(Kernel_kind kind)
{
    __builtin_cpu_init();
    switch (kind) {
    case KERNEL_SCALAR:
        return 1;
    case KERNEL_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case KERNEL_AVX512:
        /* Everything kernels_avx512.c is compiled with (Makefile AVX512 flags). */
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default:
        return 0;
    }
}

const Kernels *kernels_for(Kernel_kind kind)
{
    if (!cpu_supports(kind))
        return NULL;
    switch (kind) {
    case KERNEL_SCALAR:
        return &kernels_scalar;
    case KERNEL_AVX2:
        return &kernels_avx2;
    case KERNEL_AVX512:
        return &kernels_avx512;
    default:
        return NULL;
    }
}

const Kernels *kernels_by_name(const char *name)
{
    if (!strcmp(name, "scalar"))
        return kernels_for(KERNEL_SCALAR);
    if (!strcmp(name, "avx2"))
        return kernels_for(KERNEL_AVX2);
    if (!strcmp(name, "avx512"))
        return kernels_for(KERNEL_AVX512);
    return NULL;
}

static const Kernels *chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

/* Picks the best set, or the one GROOVE_KERNEL names when the CPU has it. */
static void choose(void)
{
    const char *env = getenv("GROOVE_KERNEL");
    if (env && *env) {
        chosen = kernels_by_name(env);
        if (chosen)
            return;
        fprintf(stderr, "groove: GROOVE_KERNEL=%s is unknown or not supported by this CPU; "
                        "using the best available\n", env);
    }
    for (int k = KERNEL_COUNT - 1; k >= 0 && !chosen; k--)
        chosen = kernels_for((Kernel_kind)k);
}

const Kernels *kernels_get(void)
{
    pthread_once(&chosen_once, choose);
    return chosen;
}
