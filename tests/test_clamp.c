/* test_clamp.c - the one float clamp (core/clamp.h): inside stays, outside goes to the edge,
 * NaN goes to lo (so a bad value from a file or a control never travels on). */
#include "check.h"
#include "clamp.h"

#include <math.h>

int main(void)
{
    CHECK(clampf(0.25f, 0.0f, 1.0f) == 0.25f, "a value inside stays");
    CHECK(clampf(-3.0f, 0.0f, 1.0f) == 0.0f && clampf(7.0f, 0.0f, 1.0f) == 1.0f, "outside goes to the nearer edge");
    CHECK(clampf(0.0f, 0.0f, 1.0f) == 0.0f && clampf(1.0f, 0.0f, 1.0f) == 1.0f, "the edges are inside");
    CHECK(clampf(NAN, 40.0f, 300.0f) == 40.0f, "NaN becomes lo");
    CHECK(clampf(INFINITY, 0.0f, 1.0f) == 1.0f && clampf(-INFINITY, 0.0f, 1.0f) == 0.0f, "infinities go to the edges");
    return check_summary();
}
