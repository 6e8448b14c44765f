/* feel.h - how the part is played: timing and velocity amounts over the model's part.
 *
 * The model's part (what it generated, what is saved, what the model sees again) is left as it
 * is; what is heard and exported is a copy with
 *   offset'   = timing * offset            (0 on the grid, 1 the model's, up to 1.5 exaggerated;
 *                                           clamped to -0.5..0.5 steps)
 *   velocity' = c + range * (velocity - c) (c: the mean velocity of that voice's hits in the
 *                                           part; 0 flat, 1 the model's dynamics, 1.5 wider;
 *                                           clamped to 0.05..1)
 * Pure; any thread; no allocation.
 */
#ifndef GROOVE_FEEL_H
#define GROOVE_FEEL_H

#include "hvo.h"

/* out = the part as heard with these amounts (out may be in). */
void feel_apply(const Hvo *in, float timing, float velocity_range, Hvo *out);

#endif
