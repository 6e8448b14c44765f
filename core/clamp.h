/* clamp.h - the one clamp for floats: x limited to [lo, hi], NaN taken as lo.
 *
 * Used wherever a value from outside (a session file, a control, a model's output, an
 * augmentation) must stay in range; NaN becomes lo so a bad value never travels on.
 * Pure; any thread, the audio thread included.
 */
#ifndef GROOVE_CLAMP_H
#define GROOVE_CLAMP_H

/* x within [lo, hi]; lo when x is below lo or NaN. */
static inline float clampf(float x, float lo, float hi)
{
    if (!(x >= lo))
        return lo;
    return x > hi ? hi : x;
}

#endif
