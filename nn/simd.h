/* simd.h - a small vocabulary of float vector operations, one block per instruction set, so
 * that a kernel is written once (kernels_body.inc) and compiled once per set.
 *
 * Define SIMD_AVX2 or SIMD_AVX512 before including it, from a file the Makefile compiles with
 * that instruction set (*_avx2.c / *_avx512.c); nothing here runs unless cpuid allowed it.
 * A vec holds VL floats. The _first operations touch only the first n lanes, for any n (n <= 0
 * means none, n >= VL all): loads give zero in the other lanes, stores leave memory past them
 * alone, so a row of any length is walked in whole vectors with no scalar tail.
 */
#ifndef GROOVE_SIMD_H
#define GROOVE_SIMD_H

#include <immintrin.h>
#include <stdint.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

#if defined(SIMD_AVX512)

typedef __m512 vec;
#define VL 16

/* Mask of the first n lanes. */
ALWAYS_INLINE __mmask16 vec_mask(int n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n > 0 ? n : 0)) - 1u);
}

ALWAYS_INLINE vec vec_zero(void) { return _mm512_setzero_ps(); }
ALWAYS_INLINE vec vec_set1(float x) { return _mm512_set1_ps(x); }
ALWAYS_INLINE vec vec_load(const float *p) { return _mm512_loadu_ps(p); }
ALWAYS_INLINE void vec_store(float *p, vec v) { _mm512_storeu_ps(p, v); }
ALWAYS_INLINE vec vec_load_first(const float *p, int n) { return _mm512_maskz_loadu_ps(vec_mask(n), p); }
ALWAYS_INLINE void vec_store_first(float *p, int n, vec v) { _mm512_mask_storeu_ps(p, vec_mask(n), v); }
/* The first n lanes of a, the others of b. */
ALWAYS_INLINE vec vec_select_first(int n, vec a, vec b) { return _mm512_mask_mov_ps(b, vec_mask(n), a); }
/* v with the lanes from n on set to zero. */
ALWAYS_INLINE vec vec_keep_first(vec v, int n) { return _mm512_maskz_mov_ps(vec_mask(n), v); }

ALWAYS_INLINE vec vec_add(vec a, vec b) { return _mm512_add_ps(a, b); }
ALWAYS_INLINE vec vec_sub(vec a, vec b) { return _mm512_sub_ps(a, b); }
ALWAYS_INLINE vec vec_mul(vec a, vec b) { return _mm512_mul_ps(a, b); }
ALWAYS_INLINE vec vec_min(vec a, vec b) { return _mm512_min_ps(a, b); }
ALWAYS_INLINE vec vec_max(vec a, vec b) { return _mm512_max_ps(a, b); }
/* a * b + c, a * b - c and c - a * b, each rounded once. */
ALWAYS_INLINE vec vec_fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
ALWAYS_INLINE vec vec_fms(vec a, vec b, vec c) { return _mm512_fmsub_ps(a, b, c); }
ALWAYS_INLINE vec vec_fnma(vec a, vec b, vec c) { return _mm512_fnmadd_ps(a, b, c); }
ALWAYS_INLINE float vec_reduce_add(vec v) { return _mm512_reduce_add_ps(v); }
ALWAYS_INLINE float vec_reduce_max(vec v) { return _mm512_reduce_max_ps(v); }
/* Each lane rounded to the nearest integer (ties to even). */
ALWAYS_INLINE vec vec_round(vec v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* p * 2^n for integral n in [-127, 128]. */
ALWAYS_INLINE vec vec_mul_pow2(vec p, vec n) { return _mm512_scalef_ps(p, n); }

#elif defined(SIMD_AVX2)

typedef __m256 vec;
#define VL 8

/* Lane mask of the first n lanes. */
ALWAYS_INLINE __m256i vec_mask(int n)
{
    static const int32_t ramp[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    n = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_loadu_si256((const __m256i *)(ramp + 8 - n));
}

ALWAYS_INLINE vec vec_zero(void) { return _mm256_setzero_ps(); }
ALWAYS_INLINE vec vec_set1(float x) { return _mm256_set1_ps(x); }
ALWAYS_INLINE vec vec_load(const float *p) { return _mm256_loadu_ps(p); }
ALWAYS_INLINE void vec_store(float *p, vec v) { _mm256_storeu_ps(p, v); }
/* A whole vector goes by a plain move, not a masked one, which AMD cores run far slower. */
ALWAYS_INLINE vec vec_load_first(const float *p, int n)
{
    return n >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, vec_mask(n));
}
ALWAYS_INLINE void vec_store_first(float *p, int n, vec v)
{
    if (n >= 8)
        _mm256_storeu_ps(p, v);
    else
        _mm256_maskstore_ps(p, vec_mask(n), v);
}
/* The first n lanes of a, the others of b. */
ALWAYS_INLINE vec vec_select_first(int n, vec a, vec b) { return _mm256_blendv_ps(b, a, _mm256_castsi256_ps(vec_mask(n))); }
/* v with the lanes from n on set to zero. */
ALWAYS_INLINE vec vec_keep_first(vec v, int n) { return _mm256_and_ps(v, _mm256_castsi256_ps(vec_mask(n))); }

ALWAYS_INLINE vec vec_add(vec a, vec b) { return _mm256_add_ps(a, b); }
ALWAYS_INLINE vec vec_sub(vec a, vec b) { return _mm256_sub_ps(a, b); }
ALWAYS_INLINE vec vec_mul(vec a, vec b) { return _mm256_mul_ps(a, b); }
ALWAYS_INLINE vec vec_min(vec a, vec b) { return _mm256_min_ps(a, b); }
ALWAYS_INLINE vec vec_max(vec a, vec b) { return _mm256_max_ps(a, b); }
/* a * b + c, a * b - c and c - a * b, each rounded once. */
ALWAYS_INLINE vec vec_fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
ALWAYS_INLINE vec vec_fms(vec a, vec b, vec c) { return _mm256_fmsub_ps(a, b, c); }
ALWAYS_INLINE vec vec_fnma(vec a, vec b, vec c) { return _mm256_fnmadd_ps(a, b, c); }

ALWAYS_INLINE float vec_reduce_add(vec v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

ALWAYS_INLINE float vec_reduce_max(vec v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Each lane rounded to the nearest integer (ties to even). */
ALWAYS_INLINE vec vec_round(vec v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }

/* p * 2^n for integral n in [-127, 128]: 2^n = 2^(n/2) * 2^(n - n/2), both factors built in
 * the exponent bits and normal. */
ALWAYS_INLINE vec vec_mul_pow2(vec p, vec n)
{
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i half = _mm256_srai_epi32(ni, 1);
    __m256 f1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, _mm256_set1_epi32(127)), 23));
    __m256 f2 = _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, f1), f2);
}

#else
#error "define SIMD_AVX2 or SIMD_AVX512 before including simd.h"
#endif

/* e^x per lane: Cephes' polynomial on the reduced argument, relative error ~1e-7. */
ALWAYS_INLINE vec vec_exp(vec x)
{
    x = vec_max(vec_min(x, vec_set1(88.3762626647949f)), vec_set1(-87.3365447504f));
    vec n = vec_round(vec_mul(x, vec_set1(1.44269504088896341f)));
    vec r = vec_fnma(n, vec_set1(0.693359375f), x);
    r = vec_fnma(n, vec_set1(-2.12194440e-4f), r);
    vec p = vec_set1(1.9875691500E-4f);
    p = vec_fma(p, r, vec_set1(1.3981999507E-3f));
    p = vec_fma(p, r, vec_set1(8.3334519073E-3f));
    p = vec_fma(p, r, vec_set1(4.1665795894E-2f));
    p = vec_fma(p, r, vec_set1(1.6666665459E-1f));
    p = vec_fma(p, r, vec_set1(5.0000001201E-1f));
    p = vec_fma(p, vec_mul(r, r), vec_add(r, vec_set1(1.0f)));
    return vec_mul_pow2(p, n);
}

#endif
