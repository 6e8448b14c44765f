/* kernels_avx512.c - the AVX-512 twins of the scalar kernels (kernels.h). Compiled with
 * -mavx512f/vl/bw/dq (Makefile); reached only through kernels_for(KERNEL_AVX512), which
 * checks cpuid first. */
#include "kernels.h"

#include <immintrin.h>
#include <math.h>

#define MR 8        /* rows per register tile: 8 x 32 columns = 16 accumulators */
#define KC 256      /* rows of W packed per chunk when packing on the fly (32 KiB) */

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* ---------------------------------------------------------------- helpers */

/* Masks for the first n (0..16) lanes. */
ALWAYS_INLINE __mmask16 lanes(int n) { return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n > 0 ? n : 0)) - 1u); }

/* e^x, lanes: Cephes' polynomial on the reduced argument, relative error ~1e-7. */
ALWAYS_INLINE __m512 exp512(__m512 x)
{
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.3762626647949f)), _mm512_set1_ps(-87.3365447504f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500E-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894E-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459E-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201E-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

/* ---------------------------------------------------------------- matrix products */

/* One register tile: out[m][32 cols] (= or +=) in[m][kc] x panel[kc][32], m <= MR.
 * Starts from bias (or zero), or from out itself when accumulate; relu at the end. */
ALWAYS_INLINE void tile(float *restrict out, int ldo, const float *restrict in, int ldi,
                        const float *restrict panel, int kc, int m, __mmask16 k0, __mmask16 k1,
                        __m512 b0, __m512 b1, int accumulate, int relu)
{
    __m512 acc0[MR], acc1[MR];
    for (int r = 0; r < m; r++) {
        if (accumulate) {
            acc0[r] = _mm512_maskz_loadu_ps(k0, out + (size_t)r * ldo);
            acc1[r] = _mm512_maskz_loadu_ps(k1, out + (size_t)r * ldo + 16);
        } else {
            acc0[r] = b0;
            acc1[r] = b1;
        }
    }
    for (int c = 0; c < kc; c++) {
        __m512 w0 = _mm512_loadu_ps(panel + (size_t)c * KERNEL_PANEL);
        __m512 w1 = _mm512_loadu_ps(panel + (size_t)c * KERNEL_PANEL + 16);
        for (int r = 0; r < m; r++) {
            __m512 a = _mm512_set1_ps(in[(size_t)r * ldi + c]);
            acc0[r] = _mm512_fmadd_ps(a, w0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(a, w1, acc1[r]);
        }
    }
    for (int r = 0; r < m; r++) {
        if (relu) {
            acc0[r] = _mm512_max_ps(acc0[r], _mm512_setzero_ps());
            acc1[r] = _mm512_max_ps(acc1[r], _mm512_setzero_ps());
        }
        _mm512_mask_storeu_ps(out + (size_t)r * ldo, k0, acc0[r]);
        _mm512_mask_storeu_ps(out + (size_t)r * ldo + 16, k1, acc1[r]);
    }
}

/* All rows against one panel of 32 output columns (cols valid of them). */
static void panel_rows(float *out, int ldo, const float *in, int ldi, const float *panel, int kc, int N,
                       int cols, const float *bias, int accumulate, int relu)
{
    __mmask16 k0 = lanes(cols), k1 = lanes(cols - 16);
    __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps();
    if (bias && !accumulate) {
        b0 = _mm512_maskz_loadu_ps(k0, bias);
        b1 = _mm512_maskz_loadu_ps(k1, bias + 16);
    }
    int n = 0;
    for (; n + MR <= N; n += MR)
        tile(out + (size_t)n * ldo, ldo, in + (size_t)n * ldi, ldi, panel, kc, MR, k0, k1, b0, b1, accumulate, relu);
    if (n < N) { /* the last 1..7 rows in one tile, unrolled for its size */
        float *on = out + (size_t)n * ldo;
        const float *inn = in + (size_t)n * ldi;
        switch (N - n) {
        case 7: tile(on, ldo, inn, ldi, panel, kc, 7, k0, k1, b0, b1, accumulate, relu); break;
        case 6: tile(on, ldo, inn, ldi, panel, kc, 6, k0, k1, b0, b1, accumulate, relu); break;
        case 5: tile(on, ldo, inn, ldi, panel, kc, 5, k0, k1, b0, b1, accumulate, relu); break;
        case 4: tile(on, ldo, inn, ldi, panel, kc, 4, k0, k1, b0, b1, accumulate, relu); break;
        case 3: tile(on, ldo, inn, ldi, panel, kc, 3, k0, k1, b0, b1, accumulate, relu); break;
        case 2: tile(on, ldo, inn, ldi, panel, kc, 2, k0, k1, b0, b1, accumulate, relu); break;
        default: tile(on, ldo, inn, ldi, panel, kc, 1, k0, k1, b0, b1, accumulate, relu); break;
        }
    }
}

/* One row against packed weights: 4 panels at a time, 8 independent FMA chains, so a GEMV
 * (the decoder's input layer) streams W at memory speed instead of waiting on FMA latency. */
static void gemv_packed(float *out, const float *x, const float *packed, const float *b, int C, int OC, int relu)
{
    int panels = (OC + KERNEL_PANEL - 1) / KERNEL_PANEL;
    for (int p0 = 0; p0 < panels; p0 += 4) {
        int np = panels - p0 < 4 ? panels - p0 : 4;
        __m512 acc[4][2];
        const float *pp[4];
        for (int q = 0; q < 4; q++) {
            acc[q][0] = acc[q][1] = _mm512_setzero_ps();
            pp[q] = packed + (size_t)(p0 + (q < np ? q : 0)) * C * KERNEL_PANEL;
        }
        if (np == 4) {
            for (int c = 0; c < C; c++) {
                __m512 a = _mm512_set1_ps(x[c]);
                for (int q = 0; q < 4; q++) {
                    acc[q][0] = _mm512_fmadd_ps(a, _mm512_loadu_ps(pp[q] + (size_t)c * KERNEL_PANEL), acc[q][0]);
                    acc[q][1] = _mm512_fmadd_ps(a, _mm512_loadu_ps(pp[q] + (size_t)c * KERNEL_PANEL + 16), acc[q][1]);
                }
            }
        } else {
            for (int c = 0; c < C; c++) {
                __m512 a = _mm512_set1_ps(x[c]);
                for (int q = 0; q < np; q++) {
                    acc[q][0] = _mm512_fmadd_ps(a, _mm512_loadu_ps(pp[q] + (size_t)c * KERNEL_PANEL), acc[q][0]);
                    acc[q][1] = _mm512_fmadd_ps(a, _mm512_loadu_ps(pp[q] + (size_t)c * KERNEL_PANEL + 16), acc[q][1]);
                }
            }
        }
        for (int q = 0; q < np; q++) {
            int o = (p0 + q) * KERNEL_PANEL;
            int cols = OC - o;
            __mmask16 k0 = lanes(cols), k1 = lanes(cols - 16);
            __m512 y0 = acc[q][0], y1 = acc[q][1];
            if (b) {
                y0 = _mm512_add_ps(y0, _mm512_maskz_loadu_ps(k0, b + o));
                y1 = _mm512_add_ps(y1, _mm512_maskz_loadu_ps(k1, b + o + 16));
            }
            if (relu) {
                y0 = _mm512_max_ps(y0, _mm512_setzero_ps());
                y1 = _mm512_max_ps(y1, _mm512_setzero_ps());
            }
            _mm512_mask_storeu_ps(out + o, k0, y0);
            _mm512_mask_storeu_ps(out + o + 16, k1, y1);
        }
    }
}

static void linear_packed_avx512(float *out, const float *in, const float *packed, const float *b,
                                 int N, int C, int OC, int relu)
{
    if (N < 4) {
        for (int n = 0; n < N; n++)
            gemv_packed(out + (size_t)n * OC, in + (size_t)n * C, packed, b, C, OC, relu);
        return;
    }
    int panels = (OC + KERNEL_PANEL - 1) / KERNEL_PANEL;
    for (int p = 0; p < panels; p++) {
        int o = p * KERNEL_PANEL;
        panel_rows(out + o, OC, in, C, packed + (size_t)p * C * KERNEL_PANEL, C, N, OC - o, b ? b + o : NULL, 0, relu);
    }
}

/* Dot products of a few rows with every weight row: the shape of a GEMV, W streamed once. */
static void linear_rows_avx512(float *out, const float *in, const float *w, const float *b, int N, int C, int OC)
{
    for (int n = 0; n < N; n++) {
        const float *x = in + (size_t)n * C;
        float *y = out + (size_t)n * OC;
        int o = 0;
        for (; o + 8 <= OC; o += 8) {
            __m512 acc[8];
            for (int j = 0; j < 8; j++)
                acc[j] = _mm512_setzero_ps();
            for (int c = 0; c < C; c += 16) {
                __mmask16 k = lanes(C - c);
                __m512 xv = _mm512_maskz_loadu_ps(k, x + c);
                for (int j = 0; j < 8; j++)
                    acc[j] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(k, w + (size_t)(o + j) * C + c), acc[j]);
            }
            for (int j = 0; j < 8; j++)
                y[o + j] = _mm512_reduce_add_ps(acc[j]) + (b ? b[o + j] : 0.0f);
        }
        for (; o < OC; o++) {
            __m512 acc = _mm512_setzero_ps();
            for (int c = 0; c < C; c += 16) {
                __mmask16 k = lanes(C - c);
                acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, x + c), _mm512_maskz_loadu_ps(k, w + (size_t)o * C + c), acc);
            }
            y[o] = _mm512_reduce_add_ps(acc) + (b ? b[o] : 0.0f);
        }
    }
}

/* Torch-layout weights: few rows go the GEMV way; many rows pack W in KC x 32 chunks on the
 * stack and run the register tiles, so W's transpose costs 1/N of the products. */
static void linear_avx512(float *out, const float *in, const float *w, const float *b, int N, int C, int OC)
{
    if (N < 4) {
        linear_rows_avx512(out, in, w, b, N, C, OC);
        return;
    }
    _Alignas(64) float chunk[KC * KERNEL_PANEL];
    for (int o = 0; o < OC; o += KERNEL_PANEL) {
        int cols = OC - o < KERNEL_PANEL ? OC - o : KERNEL_PANEL;
        for (int c0 = 0; c0 < C; c0 += KC) {
            int kc = C - c0 < KC ? C - c0 : KC;
            /* Transpose w[o..o+cols)[c0..c0+kc) into chunk[kc][32], zero-padded. */
            for (int j = 0; j < cols; j++) {
                const float *src = w + (size_t)(o + j) * C + c0;
                for (int c = 0; c < kc; c++)
                    chunk[c * KERNEL_PANEL + j] = src[c];
            }
            for (int j = cols; j < KERNEL_PANEL; j++)
                for (int c = 0; c < kc; c++)
                    chunk[c * KERNEL_PANEL + j] = 0.0f;
            panel_rows(out + o, OC, in + c0, C, chunk, kc, N, cols, b ? b + o : NULL, c0 > 0, 0);
        }
    }
}

/* ---------------------------------------------------------------- attention */

/* Per head: S = Q K^T and O = P V as packed-panel products (the register tiles above), K^T
 * and V packed on the stack; the softmax vectorised over each row. */
static void attention_avx512(float *out, float *att, const float *qkv, int B, int T, int C, int H)
{
    int hs = C / H;
    int tpan = (T + KERNEL_PANEL - 1) / KERNEL_PANEL, dpan = (hs + KERNEL_PANEL - 1) / KERNEL_PANEL;
    if (T > KERNEL_MAX_T || (size_t)tpan * KERNEL_PANEL * hs > 16384 || (size_t)dpan * KERNEL_PANEL * T > 16384) {
        kernels_attention_scalar(out, att, qkv, B, T, C, H);
        return;
    }
    _Alignas(64) float kp[16384];   /* K^T of one head in panels: [tpan][hs][32] */
    _Alignas(64) float vp[16384];   /* V of one head in panels: [dpan][T][32] */
    float scale = 1.0f / sqrtf((float)hs);
    __m512 vscale = _mm512_set1_ps(scale);
    for (int bi = 0; bi < B; bi++)
        for (int h = 0; h < H; h++) {
            const float *base = qkv + (size_t)bi * T * 3 * C;
            /* K^T into panels: read K rows in order, write columns; zero the padding columns. */
            if (T % KERNEL_PANEL)
                for (int d = 0; d < hs; d++)
                    for (int jj = T % KERNEL_PANEL; jj < KERNEL_PANEL; jj++)
                        kp[((size_t)(tpan - 1) * hs + d) * KERNEL_PANEL + jj] = 0.0f;
            for (int j = 0; j < T; j++) {
                const float *src = base + (size_t)j * 3 * C + C + h * hs;
                float *dst = kp + (size_t)(j / KERNEL_PANEL) * hs * KERNEL_PANEL + j % KERNEL_PANEL;
                for (int d = 0; d < hs; d++)
                    dst[(size_t)d * KERNEL_PANEL] = src[d];
            }
            /* V rows into panels: whole 16-float vectors, zero past hs. */
            for (int p = 0; p < dpan; p++)
                for (int j = 0; j < T; j++) {
                    const float *src = base + (size_t)j * 3 * C + 2 * C + h * hs + p * KERNEL_PANEL;
                    float *dst = vp + ((size_t)p * T + j) * KERNEL_PANEL;
                    int n = hs - p * KERNEL_PANEL;
                    _mm512_storeu_ps(dst, _mm512_maskz_loadu_ps(lanes(n), src));
                    _mm512_storeu_ps(dst + 16, _mm512_maskz_loadu_ps(lanes(n - 16), src + 16));
                }
            float *a = att + ((size_t)bi * H + h) * T * T;
            for (int p = 0; p < tpan; p++)
                panel_rows(a + p * KERNEL_PANEL, T, base + h * hs, 3 * C, kp + (size_t)p * hs * KERNEL_PANEL, hs, T,
                           T - p * KERNEL_PANEL, NULL, 0, 0);
            for (int i = 0; i < T; i++) {
                float *row = a + (size_t)i * T;
                __m512 vmax = _mm512_set1_ps(-INFINITY);
                for (int j = 0; j < T; j += 16) {
                    __mmask16 k = lanes(T - j);
                    vmax = _mm512_mask_max_ps(vmax, k, vmax, _mm512_maskz_loadu_ps(k, row + j));
                }
                __m512 mx = _mm512_set1_ps(_mm512_reduce_max_ps(vmax) * scale);
                __m512 vsum = _mm512_setzero_ps();
                for (int j = 0; j < T; j += 16) {
                    __mmask16 k = lanes(T - j);
                    __m512 e = exp512(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(k, row + j), vscale, mx));
                    e = _mm512_maskz_mov_ps(k, e);
                    _mm512_mask_storeu_ps(row + j, k, e);
                    vsum = _mm512_add_ps(vsum, e);
                }
                __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(vsum));
                for (int j = 0; j < T; j += 16) {
                    __mmask16 k = lanes(T - j);
                    _mm512_mask_storeu_ps(row + j, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, row + j), inv));
                }
            }
            float *o = out + (size_t)bi * T * C + h * hs;
            for (int p = 0; p < dpan; p++)
                panel_rows(o + p * KERNEL_PANEL, C, a, T, vp + (size_t)p * T * KERNEL_PANEL, T, T,
                           hs - p * KERNEL_PANEL, NULL, 0, 0);
        }
}

/* ---------------------------------------------------------------- layer norm */

static void layernorm_avx512(float *out, float *mean, float *rstd, const float *x, const float *r,
                             const float *g, const float *b, int N, int C)
{
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * C;
        const float *rr = r ? r + (size_t)n * C : NULL;
        float *y = out + (size_t)n * C;
        __m512 vs = _mm512_setzero_ps();
        for (int c = 0; c < C; c += 16) {
            __mmask16 k = lanes(C - c);
            __m512 v = _mm512_maskz_loadu_ps(k, xr + c);
            if (rr)
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, rr + c));
            _mm512_mask_storeu_ps(y + c, k, v);
            vs = _mm512_add_ps(vs, v);
        }
        float m = _mm512_reduce_add_ps(vs) / (float)C;
        __m512 vm = _mm512_set1_ps(m);
        __m512 vv = _mm512_setzero_ps();
        for (int c = 0; c < C; c += 16) {
            __mmask16 k = lanes(C - c);
            __m512 d = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, y + c), vm);
            vv = _mm512_fmadd_ps(d, d, vv);
        }
        float s = 1.0f / sqrtf(_mm512_reduce_add_ps(vv) / (float)C + 1e-5f);
        __m512 vsc = _mm512_set1_ps(s);
        for (int c = 0; c < C; c += 16) {
            __mmask16 k = lanes(C - c);
            __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, y + c), vm), vsc);
            __m512 o = _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(k, g + c), _mm512_maskz_loadu_ps(k, b + c));
            _mm512_mask_storeu_ps(y + c, k, o);
        }
        if (mean)
            mean[n] = m;
        if (rstd)
            rstd[n] = s;
    }
}

/* ---------------------------------------------------------------- peak probe */

static float fma_loop_avx512(long iterations)
{
    __m512 acc[12];
    for (int i = 0; i < 12; i++)
        acc[i] = _mm512_set1_ps((float)i);
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < 12; i++)
            acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    for (int i = 1; i < 12; i++)
        acc[0] = _mm512_add_ps(acc[0], acc[i]);
    float out[16];
    _mm512_storeu_ps(out, acc[0]);
    return out[0];
}

const Kernels kernels_avx512 = {
    "avx512", KERNEL_AVX512, linear_avx512, linear_packed_avx512, attention_avx512, layernorm_avx512,
    fma_loop_avx512, 16,
};
