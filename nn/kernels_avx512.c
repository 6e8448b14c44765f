/* kernels_avx512.c - the AVX-512 twins of the scalar kernels (kernels.h): kernels_body.inc
 * compiled with -mavx512f/vl/bw/dq (Makefile) against simd.h's AVX-512 vocabulary; reached only
 * through kernels_for(KERNEL_AVX512), which checks cpuid first. */
#include "kernels.h"

#define SIMD_AVX512
#include "simd.h"

#define MR 8        /* rows per register tile: 8 x 32 columns = 16 accumulators */
#define DOT_ROWS 8  /* weight rows per block in the few-rows product */

/* Tiles of 8 rows, the last 1..7 in one tile. */
ALWAYS_INLINE int tile_rows(int left) { return left < MR ? left : MR; }

#include "kernels_body.inc"

const Kernels kernels_avx512 = {
    "avx512", KERNEL_AVX512, linear, linear_packed, attention, layernorm, fma_loop, VL,
};
