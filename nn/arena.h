/* arena.h - carving one float buffer into aligned pieces.
 *
 * The model's packed weights and scratch (model.c) and the trainer's activations (train.c)
 * each live in one allocation. A layout function runs twice: first with base NULL to count
 * the floats it needs, then with the allocated base to hand out the pieces. Each piece is
 * rounded up to whole 64-byte lines, so a 64-byte-aligned base keeps every piece aligned.
 * Plain data; the caller owns the buffer.
 */
#ifndef GROOVE_ARENA_H
#define GROOVE_ARENA_H

#include <stddef.h>

typedef struct {
    float *base;   /* NULL while counting */
    size_t used;   /* floats handed out so far, line-rounded */
} Arena;

/* Hands out n floats (NULL while counting), rounded up to a whole 64-byte line. */
static inline float *arena_take(Arena *a, size_t n)
{
    float *p = a->base ? a->base + a->used : NULL;
    a->used += (n + 15) & ~(size_t)15;
    return p;
}

#endif
