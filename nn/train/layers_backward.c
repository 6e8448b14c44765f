/* layers_backward.c - gradients of linear, ReLU, layer norm, attention and add. */
#include "layers_backward.h"

#include "train_kernels.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

void linear_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                     int N, int C, int OC)
{
    if (din)
        tk_matmul_nn(din, dout, w, NULL, N, OC, C, 1);
    tk_matmul_tn(dw, dout, in, OC, N, C, 1);
    if (db)
        for (int n = 0; n < N; n++) {
            const float *row = dout + (long)n * OC;
            for (int o = 0; o < OC; o++)
                db[o] += row[o];
        }
}

void relu_backward(float *din, const float *out, const float *dout, int n)
{
    for (int i = 0; i < n; i++)
        din[i] += out[i] > 0.0f ? dout[i] : 0.0f;
}

void layernorm_backward(float *din, float *dg, float *db, const float *dout, const float *in, const float *g,
                        const float *mean, const float *rstd, int N, int C)
{
    for (int n = 0; n < N; n++) {
        const float *x = in + (long)n * C, *dy = dout + (long)n * C;
        float *dx = din + (long)n * C;
        float mu = mean[n], rs = rstd[n];
        float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
        for (int i = 0; i < C; i++) {
            float norm = (x[i] - mu) * rs;
            float dnorm = g[i] * dy[i];
            dnorm_mean += dnorm;
            dnorm_norm_mean += dnorm * norm;
        }
        dnorm_mean /= (float)C;
        dnorm_norm_mean /= (float)C;
        for (int i = 0; i < C; i++) {
            float norm = (x[i] - mu) * rs;
            float dnorm = g[i] * dy[i];
            dg[i] += norm * dy[i];
            db[i] += dy[i];
            dx[i] += (dnorm - dnorm_mean - norm * dnorm_norm_mean) * rs;
        }
    }
}

/* The per-element loop: any shape, no scratch (the fallback when scratch cannot be had). */
static void attention_backward_loops(float *dqkv, const float *dout, const float *qkv, const float *att, int B,
                                     int T, int C, int H)
{
    assert(T <= 256);
    int hs = C / H, C3 = 3 * C;
    float scale = 1.0f / sqrtf((float)hs);
    float datt[256], dpre[256];
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++)
            for (int t = 0; t < T; t++) {
                const float *arow = att + (((long)b * H + h) * T + t) * T;
                const float *dy = dout + ((long)b * T + t) * C + h * hs;
                const float *q = qkv + ((long)b * T + t) * C3 + h * hs;
                float *dq = dqkv + ((long)b * T + t) * C3 + h * hs;
                /* through out = att v */
                for (int t2 = 0; t2 < T; t2++) {
                    const float *v = qkv + ((long)b * T + t2) * C3 + 2 * C + h * hs;
                    float *dv = dqkv + ((long)b * T + t2) * C3 + 2 * C + h * hs;
                    float s = 0.0f;
                    for (int i = 0; i < hs; i++) {
                        s += dy[i] * v[i];
                        dv[i] += arow[t2] * dy[i];
                    }
                    datt[t2] = s;
                }
                /* through the softmax */
                float dot = 0.0f;
                for (int t2 = 0; t2 < T; t2++)
                    dot += arow[t2] * datt[t2];
                for (int t2 = 0; t2 < T; t2++)
                    dpre[t2] = arow[t2] * (datt[t2] - dot) * scale;
                /* through scores = q k^T */
                for (int t2 = 0; t2 < T; t2++) {
                    const float *k = qkv + ((long)b * T + t2) * C3 + C + h * hs;
                    float *dk = dqkv + ((long)b * T + t2) * C3 + C + h * hs;
                    float d = dpre[t2];
                    for (int i = 0; i < hs; i++) {
                        dq[i] += d * k[i];
                        dk[i] += d * q[i];
                    }
                }
            }
}

/* Copies the [T][hs] block of head h out of rows of width `stride` (from) into x, or adds x
 * back into them (to). */
static void head_gather(float *x, const float *from, int T, int hs, long stride)
{
    for (int t = 0; t < T; t++)
        for (int i = 0; i < hs; i++)
            x[(long)t * hs + i] = from[t * stride + i];
}

static void head_scatter_add(float *to, const float *x, int T, int hs, long stride)
{
    for (int t = 0; t < T; t++)
        for (int i = 0; i < hs; i++)
            to[t * stride + i] += x[(long)t * hs + i];
}

void attention_backward(float *dqkv, const float *dout, const float *qkv, const float *att, int B, int T, int C,
                        int H)
{
    int hs = C / H, C3 = 3 * C;
    long th = (long)T * hs, tt = (long)T * T;
    /* per (sample, head), as products the training kernels run (train_kernels.h):
     *   dV = A^T dY,  dA = dY V^T,  dP = A .* (dA - rowsum(A .* dA)) / sqrt(hs),
     *   dQ = dP K,    dK = dP^T Q */
    float *s = malloc(sizeof(float) * (size_t)(8 * th + 2 * tt));
    if (!s) {
        attention_backward_loops(dqkv, dout, qkv, att, B, T, C, H);
        return;
    }
    float *q = s, *k = q + th, *v = k + th, *vt = v + th, *dy = vt + th, *dq = dy + th, *dk = dq + th,
          *dv = dk + th, *da = dv + th, *dp = da + tt;
    float scale = 1.0f / sqrtf((float)hs);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) {
            const float *base = qkv + (long)b * T * C3 + (long)h * hs;
            const float *a = att + ((long)b * H + h) * tt;
            head_gather(q, base, T, hs, C3);
            head_gather(k, base + C, T, hs, C3);
            head_gather(v, base + 2 * C, T, hs, C3);
            head_gather(dy, dout + (long)b * T * C + (long)h * hs, T, hs, C);
            tk_transpose(vt, v, T, hs);
            tk_matmul_tn(dv, a, dy, T, T, hs, 0);
            tk_matmul_nn(da, dy, vt, NULL, T, hs, T, 0);
            for (int t = 0; t < T; t++) {
                const float *ar = a + (long)t * T, *dar = da + (long)t * T;
                float dot = 0.0f;
                for (int t2 = 0; t2 < T; t2++)
                    dot += ar[t2] * dar[t2];
                for (int t2 = 0; t2 < T; t2++)
                    dp[(long)t * T + t2] = ar[t2] * (dar[t2] - dot) * scale;
            }
            tk_matmul_nn(dq, dp, k, NULL, T, T, hs, 0);
            tk_matmul_tn(dk, dp, q, T, T, hs, 0);
            float *dbase = dqkv + (long)b * T * C3 + (long)h * hs;
            head_scatter_add(dbase, dq, T, hs, C3);
            head_scatter_add(dbase + C, dk, T, hs, C3);
            head_scatter_add(dbase + 2 * C, dv, T, hs, C3);
        }
    free(s);
}

void add_backward(float *da, float *db, const float *dout, int n)
{
    if (da)
        for (int i = 0; i < n; i++)
            da[i] += dout[i];
    if (db)
        for (int i = 0; i < n; i++)
            db[i] += dout[i];
}
