/* feel.c - timing and velocity amounts (see feel.h). */
#include "feel.h"

#include "clamp.h"

void feel_apply(const Hvo *in, float timing, float velocity_range, Hvo *out)
{
    if (out != in)
        *out = *in;
    for (int v = 0; v < HVO_VOICES; v++) {
        float sum = 0;
        int n = 0;
        for (int t = 0; t < HVO_STEPS; t++)
            if (hvo_hit(in, t, v) > 0.5f) {
                sum += hvo_vel(in, t, v);
                n++;
            }
        if (!n)
            continue;
        float c = sum / (float)n;
        for (int t = 0; t < HVO_STEPS; t++) {
            if (hvo_hit(out, t, v) < 0.5f)
                continue;
            float vel = clampf(c + velocity_range * (hvo_vel(out, t, v) - c), 0.05f, 1.0f);
            float off = clampf(timing * hvo_off(out, t, v), -0.5f, 0.5f);
            hvo_set(out, t, v, 1, vel, off);
        }
    }
}
