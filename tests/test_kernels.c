/* test_kernels.c - every SIMD kernel against its scalar twin, on shapes that hit the main
 * tiles, the row and column tails, the on-the-fly packing chunks and the GEMV path; plus the
 * scalar references against double-precision sums and the layers.h wrappers. */
#include "check.h"
#include "kernels.h"
#include "layers.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

static Rng rng;

static float *random_floats(size_t n, float scale)
{
    float *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = scale * rng_gaussian(&rng);
    return x;
}

/* Largest |a - b| relative to 1 + |b|. */
static double rel_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]) / (1.0 + fabs((double)b[i]));
        if (!(d <= m))
            m = d;
    }
    return m;
}

typedef struct {
    int N, C, OC;
} Shape;

static const Shape shapes[] = {
    {32, 128, 384}, {32, 128, 128}, {32, 128, 512}, {32, 512, 128}, {32, 27, 128}, {32, 128, 27},
    {1, 4096, 128}, {1, 128, 4096}, {2, 33, 7},     {3, 17, 65},    {5, 1, 1},     {7, 300, 33},
    {9, 513, 40},   {64, 260, 96},  {13, 16, 16},   {4, 8, 31},
};

static void test_linear(const Kernels *k, const Kernels *ref)
{
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        Shape sh = shapes[s];
        float *in = random_floats((size_t)sh.N * sh.C, 1.0f);
        float *w = random_floats((size_t)sh.OC * sh.C, 1.0f / sqrtf((float)sh.C));
        float *b = random_floats((size_t)sh.OC, 0.5f);
        float *packed = malloc(kernels_packed_count(sh.C, sh.OC) * sizeof(float));
        kernels_pack(packed, w, sh.C, sh.OC);
        size_t n = (size_t)sh.N * sh.OC;
        float *want = malloc(n * sizeof(float)), *got = malloc(n * sizeof(float));
        ref->linear(want, in, w, b, sh.N, sh.C, sh.OC);
        k->linear(got, in, w, b, sh.N, sh.C, sh.OC);
        double d1 = rel_diff(got, want, n);
        k->linear(got, in, w, NULL, sh.N, sh.C, sh.OC);
        ref->linear(want, in, w, NULL, sh.N, sh.C, sh.OC);
        double d2 = rel_diff(got, want, n);
        CHECK(d1 < 1e-5 && d2 < 1e-5, "%s linear %dx%d -> %d matches scalar (%.2g, no bias %.2g)", k->name,
              sh.N, sh.C, sh.OC, d1, d2);
        for (int relu = 0; relu < 2; relu++) {
            ref->linear_packed(want, in, packed, b, sh.N, sh.C, sh.OC, relu);
            k->linear_packed(got, in, packed, b, sh.N, sh.C, sh.OC, relu);
            double d = rel_diff(got, want, n);
            CHECK(d < 1e-5, "%s packed linear%s %dx%d -> %d matches scalar (%.2g)", k->name, relu ? "+relu" : "",
                  sh.N, sh.C, sh.OC, d);
        }
        free(in), free(w), free(b), free(packed), free(want), free(got);
    }
}

static void test_attention(const Kernels *k, const Kernels *ref)
{
    static const int cases[][4] = {{1, 32, 128, 4}, {2, 32, 128, 4}, {1, 32, 48, 3}, {3, 7, 20, 2}, {1, 33, 40, 1},
                                   {2, 17, 64, 8}};
    for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
        int B = cases[s][0], T = cases[s][1], C = cases[s][2], H = cases[s][3];
        float *qkv = random_floats((size_t)B * T * 3 * C, 1.5f);
        size_t no = (size_t)B * T * C, na = (size_t)B * H * T * T;
        float *o1 = malloc(no * sizeof(float)), *o2 = malloc(no * sizeof(float));
        float *a1 = malloc(na * sizeof(float)), *a2 = malloc(na * sizeof(float));
        ref->attention(o1, a1, qkv, B, T, C, H);
        k->attention(o2, a2, qkv, B, T, C, H);
        double dout = rel_diff(o2, o1, no), datt = rel_diff(a2, a1, na);
        CHECK(dout < 1e-5 && datt < 1e-5, "%s attention B%d T%d C%d H%d matches scalar (out %.2g, probs %.2g)",
              k->name, B, T, C, H, dout, datt);
        free(qkv), free(o1), free(o2), free(a1), free(a2);
    }
}

static void test_layernorm(const Kernels *k, const Kernels *ref)
{
    static const int cases[][2] = {{32, 128}, {32, 48}, {5, 7}, {3, 513}, {1, 1}};
    for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
        int N = cases[s][0], C = cases[s][1];
        size_t n = (size_t)N * C;
        float *x = random_floats(n, 2.0f), *r = random_floats(n, 1.0f);
        float *g = random_floats((size_t)C, 1.0f), *b = random_floats((size_t)C, 1.0f);
        float *y1 = malloc(n * sizeof(float)), *y2 = malloc(n * sizeof(float));
        float m1[600], s1[600], m2[600], s2[600];
        ref->layernorm(y1, m1, s1, x, r, g, b, N, C);
        k->layernorm(y2, m2, s2, x, r, g, b, N, C);
        double d = rel_diff(y2, y1, n), dm = rel_diff(m2, m1, (size_t)N), ds = rel_diff(s2, s1, (size_t)N);
        ref->layernorm(y1, NULL, NULL, x, NULL, g, b, N, C);
        /* In place: out == x. */
        memcpy(y2, x, n * sizeof(float));
        k->layernorm(y2, NULL, NULL, y2, NULL, g, b, N, C);
        double dp = rel_diff(y2, y1, n);
        CHECK(d < 1e-5 && dm < 1e-5 && ds < 1e-4 && dp < 1e-5,
              "%s layernorm %dx%d matches scalar (residual %.2g, mean %.2g, rstd %.2g, in place %.2g)", k->name, N, C,
              d, dm, ds, dp);
        free(x), free(r), free(g), free(b), free(y1), free(y2);
    }
}

/* The scalar references against plain double-precision definitions. */
static void test_references(void)
{
    int N = 5, C = 37, OC = 11;
    float *in = random_floats((size_t)N * C, 1.0f), *w = random_floats((size_t)OC * C, 0.3f);
    float *b = random_floats((size_t)OC, 1.0f), out[5 * 11];
    kernels_linear_scalar(out, in, w, b, N, C, OC);
    double worst = 0;
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OC; o++) {
            double s = b[o];
            for (int c = 0; c < C; c++)
                s += (double)in[n * C + c] * w[o * C + c];
            worst = fmax(worst, fabs(s - out[n * OC + o]));
        }
    CHECK(worst < 1e-5, "scalar linear = sum_c in w^T + b (%.2g)", worst);
    float *packed = malloc(kernels_packed_count(C, OC) * sizeof(float)), out2[5 * 11];
    kernels_pack(packed, w, C, OC);
    kernels_linear_packed_scalar(out2, in, packed, b, N, C, OC, 0);
    CHECK(!memcmp(out, out2, sizeof out), "packed scalar linear equals the unpacked one bit for bit");
    CHECK(packed[KERNEL_PANEL * C - 1] == 0.0f && packed[5] == w[5 * C], "packing layout: w[o][c] at [c*32+o]");

    /* Attention: T=3, C=2, H=1, by hand in double. */
    float qkv[3 * 6], att[9], o[6];
    for (int i = 0; i < 18; i++)
        qkv[i] = rng_gaussian(&rng);
    kernels_attention_scalar(o, att, qkv, 1, 3, 2, 1);
    worst = 0;
    for (int i = 0; i < 3; i++) {
        double s[3], mx = -1e30, sum = 0;
        for (int j = 0; j < 3; j++) {
            s[j] = ((double)qkv[i * 6] * qkv[j * 6 + 2] + (double)qkv[i * 6 + 1] * qkv[j * 6 + 3]) / sqrt(2.0);
            mx = fmax(mx, s[j]);
        }
        for (int j = 0; j < 3; j++)
            sum += (s[j] = exp(s[j] - mx));
        for (int d = 0; d < 2; d++) {
            double acc = 0;
            for (int j = 0; j < 3; j++)
                acc += s[j] / sum * qkv[j * 6 + 4 + d];
            worst = fmax(worst, fabs(acc - o[i * 2 + d]));
        }
        worst = fmax(worst, fabs(s[0] / sum - att[i * 3]));
    }
    CHECK(worst < 1e-6, "scalar attention = softmax(q k^T / sqrt(d)) v (%.2g)", worst);

    float x[4] = {1, 2, 3, 6}, g[4] = {1, 1, 2, 1}, bb[4] = {0, 0, 0, 1}, y[4], mean, rstd;
    kernels_layernorm_scalar(y, &mean, &rstd, x, NULL, g, bb, 1, 4);
    double var = (4.0 + 1.0 + 0.0 + 9.0) / 4.0; /* mean 3: deviations -2, -1, 0, 3 */
    CHECK_NEAR(mean, 3.0, 1e-6, "layernorm mean");
    CHECK_NEAR(rstd, 1.0 / sqrt(var + 1e-5), 1e-6, "layernorm 1/sqrt(var + eps), biased variance");
    CHECK_NEAR(y[3], 3.0 / sqrt(var + 1e-5) + 1.0, 1e-5, "layernorm gain and bias");

    /* layers.h wrappers go to the chosen kernels. */
    float r[4] = {-1, 2, -3, 0}, rr[4];
    relu_forward(rr, r, 4);
    CHECK(rr[0] == 0 && rr[1] == 2 && rr[2] == 0 && rr[3] == 0, "relu_forward");
    add_forward(rr, r, x, 4);
    CHECK(rr[0] == 0 && rr[3] == 6, "add_forward");
    linear_forward(out2, in, w, b, N, C, OC);
    CHECK(rel_diff(out2, out, (size_t)N * OC) < 1e-5, "linear_forward with the %s kernels", kernels_get()->name);
    free(in), free(w), free(b), free(packed);
}

int main(void)
{
    rng_seed(&rng, 2024);
    const Kernels *ref = kernels_for(KERNEL_SCALAR);
    CHECK(ref && kernels_get() != NULL, "a kernel set is chosen (%s)", kernels_get()->name);
    CHECK(kernels_by_name("scalar") == ref && kernels_by_name("sse9") == NULL, "kernel sets by name");
    test_references();
    int ran = 0;
    for (int kind = KERNEL_AVX2; kind < KERNEL_COUNT; kind++) {
        const Kernels *k = kernels_for((Kernel_kind)kind);
        if (!k) {
            printf("note: this CPU lacks kernel set %d; its twin checks do not run here\n", kind);
            continue;
        }
        ran++;
        test_linear(k, ref);
        test_attention(k, ref);
        test_layernorm(k, ref);
    }
    printf("note: %d SIMD kernel sets checked against scalar\n", ran);
    return check_summary();
}
