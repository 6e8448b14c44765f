/* train_parts.h - the trainer's per-step work on every thread: a function run once per part,
 * part 0 on the calling thread and the others on threads of their own (or, when a thread
 * cannot start, on the calling thread in order). Each part owns a disjoint range, so the
 * result does not depend on the schedule. Used for the gradient sum, clipping, AdamW and the
 * transposed weight copy of each training step (train.c).
 */
#ifndef GROOVE_TRAIN_PARTS_H
#define GROOVE_TRAIN_PARTS_H

#include <stddef.h>

typedef void (*Part_fn)(void *ctx, int part, int parts);

/* Runs fn(ctx, part, parts) for part 0 .. parts - 1 (parts at most 64) and returns when all
 * have finished. */
void parts_run(int parts, Part_fn fn, void *ctx);
/* [lo, hi) of part `part` of n items, in whole cache lines of floats (16), covering 0 .. n. */
void part_range(size_t n, int part, int parts, size_t *lo, size_t *hi);

#endif
