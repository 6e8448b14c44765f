/* test_clock.c - the one clock (core/clock.h): it never goes back, a sleep of 20 ms moves it
 * by at least that much (a lower bound only: no test asserts how fast anything runs), and a
 * thread's CPU seconds grow with work. */
#include "check.h"
#include "clock.h"

#include <time.h>

int main(void)
{
    double prev = clock_seconds();
    int back = 0;
    for (int i = 0; i < 100000; i++) {
        double t = clock_seconds();
        back |= t < prev;
        prev = t;
    }
    CHECK(!back && prev > 0.0, "clock_seconds never goes back over 100000 reads");
    double a = clock_seconds();
    struct timespec nap = {0, 20000000};
    nanosleep(&nap, NULL);
    double b = clock_seconds();
    CHECK(b - a >= 0.0199, "a 20 ms sleep moves it by at least 20 ms (%.4f s)", b - a);
    double c0 = clock_thread_cpu_seconds();
    volatile double sink = 0.0;
    for (long i = 0; i < 20000000L && clock_thread_cpu_seconds() - c0 < 0.005; i++)
        sink += (double)i * 1e-9;
    (void)sink;
    CHECK(clock_thread_cpu_seconds() > c0, "the thread's CPU seconds grow with work");
    return check_summary();
}
