/* kernels_avx2.c - the AVX2+FMA twins of the scalar kernels (kernels.h): kernels_body.inc
 * compiled with -mavx2 -mfma (Makefile) against simd.h's AVX2 vocabulary; reached only through
 * kernels_for(KERNEL_AVX2), which checks cpuid first. */
#include "kernels.h"

#define SIMD_AVX2
#include "simd.h"

#define MR 6        /* rows per register tile: 6 x 16 columns = 12 accumulators */
#define DOT_ROWS 4  /* weight rows per block in the few-rows product */

/* Tiles of 6 rows; 8 left go as 4 + 4 (8 FMA chains each) rather than 6 + 2. */
ALWAYS_INLINE int tile_rows(int left) { return left == 8 ? 4 : left < MR ? left : MR; }

#include "kernels_body.inc"

const Kernels kernels_avx2 = {
    "avx2", KERNEL_AVX2, linear, linear_packed, attention, layernorm, fma_loop, VL,
};
