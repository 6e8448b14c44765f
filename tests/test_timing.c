/* test_timing.c - practice timing (app/play/timing.h, the instrument's practice side):
 * per-loop tap statistics and the quit summary, calibration (median, spread, too few taps),
 * the render clock estimate; and the instrument against a simulated real-time audio device
 * (callbacks with jitter, a control thread polling every ~4 ms, keys stamped on arrival): taps
 * played exactly on the grid record 0 +- 1 ms, the tap that starts the transport and the later
 * ones alike; an input's compensation takes its delay out; a calibration measures it and saves
 * it in the config; with the click on a tap does not start the transport, count-in taps are not
 * recorded; `r` draws a new variation; respond reaches the engine. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "instrument.h"
#include "timing.h"

#define RATE 48000
#define BLOCK 256

static void test_stats(void)
{
    Timing_stats t;
    timing_stats_init(&t);
    CHECK(timing_stats_pass(&t, 0) == NULL, "no taps: no pass record");
    char buf[128];
    CHECK(strcmp(timing_summary(&t, 3, buf, sizeof buf), "3 loops, no taps") == 0, "summary without taps: %s", buf);
    double ms[] = {4, 8, 6, 2};
    for (int i = 0; i < 4; i++)
        timing_stats_add(&t, 5, i * 4, ms[i]);
    timing_stats_add(&t, 6, 0, -10);
    const Timing_pass *p = timing_stats_pass(&t, 5);
    CHECK(p && p->all.n == 4, "pass 5: 4 taps");
    CHECK_NEAR(timing_mean(&p->all), 5.0, 1e-9, "mean 5 ms late");
    CHECK_NEAR(timing_std(&p->all), sqrt(5.0), 1e-9, "std sqrt(5) ms");
    CHECK(p->beat[0].n == 1 && p->beat[3].n == 1 && p->beat[4].n == 0, "per beat: steps 0,4,8,12 are beats 1-4");
    CHECK(p->step[8].n == 1 && timing_mean(&p->step[8]) == 6.0, "per step");
    CHECK(isnan(timing_mean(&p->beat[5])), "an empty beat has no mean");
    CHECK(timing_stats_pass(&t, 6)->all.n == 1, "pass 6 counted apart");
    CHECK(strcmp(timing_summary(&t, 7, buf, sizeof buf), "7 loops, 5 taps, 2 ms late on average, spread 6 ms") == 0,
          "summary: %s", buf);
    timing_line(p, buf, sizeof buf);
    CHECK(strcmp(buf, "taps 4  +5.0 ms late  spread 2.2 ms") == 0, "the TUI line: %s", buf);
    timing_stats_add(&t, 10, 0, 1);
    CHECK(timing_stats_pass(&t, 6) == NULL, "old passes are dropped from the ring");
    timing_stats_add(&t, 6, 0, 1);
    CHECK(timing_stats_pass(&t, 6) == NULL && t.total.n == 6, "a tap for a pass too old is ignored");
    timing_stats_add(&t, 11, 40, 1);
    timing_stats_add(&t, 11, 1, NAN);
    CHECK(timing_stats_pass(&t, 11) == NULL, "bad step or value: ignored");
    Timing_stats e;
    timing_stats_init(&e);
    timing_stats_add(&e, 0, 0, -3.4);
    CHECK(strcmp(timing_summary(&e, 1, buf, sizeof buf), "1 loops, 1 taps, 3 ms early on average, spread 0 ms") == 0, "early: %s", buf);
}

static void test_calibration(void)
{
    Calibration c;
    calibration_init(&c);
    double median, spread;
    for (int i = 0; i < 7; i++)
        calibration_add(&c, 30 + i);
    CHECK(calibration_result(&c, &median, &spread) == -1, "7 taps are too few");
    calibration_add(&c, 200);   /* one wild tap: the median does not care */
    CHECK(calibration_result(&c, &median, &spread) == 0, "8 taps give a result");
    CHECK_NEAR(median, 33.5, 1e-9, "median of 30..36 and 200");
    CHECK(spread > 50, "the wild tap shows in the spread (%.1f ms)", spread);
    CHECK_NEAR(calibration_beat_distance_ms(4.0 + 0.28, 120), 35.0, 1e-9, "0.28 steps after a beat at 120 BPM: 35 ms");
    CHECK_NEAR(calibration_beat_distance_ms(7.9, 120), -12.5, 1e-9, "0.1 steps before beat 3: -12.5 ms");
    CHECK_NEAR(calibration_beat_distance_ms(-0.2, 120), -25.0, 1e-9, "before step 0 (count-in): -25 ms");
    char buf[128];
    CHECK(strcmp(calibration_json(35.04, 2.06, 12, buf, sizeof buf), "{\"input_latency_ms\":35.0,\"spread_ms\":2.1,\"taps\":12}") == 0,
          "the JSON line: %s", buf);
    CHECK(strcmp(calibration_json(-0.01, 0, 9, buf, sizeof buf), "{\"input_latency_ms\":0.0,\"spread_ms\":0.0,\"taps\":9}") == 0,
          "no negative zero: %s", buf);
    for (int i = 0; i < 100; i++)
        calibration_add(&c, 1);
    CHECK(c.n == TIMING_CALIBRATION_MAX, "at most %d taps kept", TIMING_CALIBRATION_MAX);
}

static void test_clock(void)
{
    Timing_clock c;
    timing_clock_init(&c);
    /* blocks rendered at 10 s + clock/rate, seen 0..3 ms later */
    double lag[] = {0.003, 0.0012, 0.0025, 0.0004, 0.002, 0.001};
    timing_clock_see(&c, 0, 9.0, RATE);   /* clock 0: nothing rendered yet, ignored */
    CHECK(!c.have, "clock 0 is no sighting");
    for (int k = 1; k < 7; k++)
        timing_clock_see(&c, (int64_t)k * BLOCK, 10.0 + (double)k * BLOCK / RATE + lag[k - 1], RATE);
    CHECK(c.block == BLOCK, "the block size is learned");
    CHECK(fabs(timing_clock_render_time(&c, 5 * BLOCK, RATE) - (10.0 + 5.0 * BLOCK / RATE)) < 0.0006,
          "the earliest sighting wins: render time within 0.6 ms (%.3f ms off)",
          1000 * (timing_clock_render_time(&c, 5 * BLOCK, RATE) - (10.0 + 5.0 * BLOCK / RATE)));
    /* a device clock slower than ours by 100 ppm: followed */
    for (int k = 7; k < 6000; k++)
        timing_clock_see(&c, (int64_t)k * BLOCK, 10.0 + (double)k * BLOCK / RATE * 1.0001 + 0.0005, RATE);
    double truth = 10.0 + 5999.0 * BLOCK / RATE * 1.0001;
    CHECK(fabs(timing_clock_render_time(&c, 5999 * BLOCK, RATE) - truth) < 0.001, "drift followed within 1 ms");
}

/* ---- the instrument against a simulated real-time device ---- */

static double rand_unit(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (double)(*s >> 8) / 16777216.0;
}

typedef struct {
    Engine engine;
    Instrument in;
    double t;                 /* simulated time */
    double t0;                /* when the device's first callback is due, less 3.1 ms */
    double next_tick;
    int64_t callbacks;        /* callbacks so far */
    uint32_t rng;
    double jitter;            /* the next callback's lateness */
    float buf[BLOCK * 2];
} Sim;

/* Runs the simulated device and control thread up to time `until`. */
static void sim_run(Sim *s, double until)
{
    while (s->t < until) {
        /* callback k: on the device's clock, k blocks after the first, up to 0.8 ms late */
        double next_callback = s->t0 + 0.0031 + (double)s->callbacks * BLOCK / RATE + s->jitter;
        if (next_callback <= s->next_tick && next_callback <= until) {
            s->t = next_callback;
            engine_render(&s->engine, s->buf, BLOCK);
            s->callbacks++;
            s->jitter = 0.0008 * rand_unit(&s->rng);
        } else if (s->next_tick <= until) {
            s->t = s->next_tick;
            instrument_tick(&s->in, s->t);
            s->next_tick += 0.004 + 0.001 * rand_unit(&s->rng); /* the TUI's poll timeout */
        } else {
            s->t = until;
        }
    }
}

/* A key arrives at time `at` (stamped then, as the TUI does), from `input`. */
static void sim_key(Sim *s, double at, Instrument_input input, double input_delay)
{
    sim_run(s, at + input_delay);
    instrument_tick(&s->in, s->t);
    instrument_tap_from(&s->in, input, 0.8f, s->t);
}

static int sim_start(Sim *s, const char *dir, double input_latency_ms, uint32_t seed)
{
    memset(s, 0, sizeof *s);
    char config[600], err[300];
    snprintf(config, sizeof config, "%s/config", dir);
    if (engine_init(&s->engine, RATE, NULL) != 0)
        return -1;
    Instrument_options opt = {.model_path = "/nonexistent/model.gtm", .no_session = 1, .bpm = 120.0f,
                              .latency_s = (double)BLOCK / RATE, .config_path = config,
                              .input_latency_ms = input_latency_ms, .rate = RATE};
    if (instrument_init(&s->in, &s->engine, &opt, err, sizeof err) != 0) {
        engine_deinit(&s->engine);
        return -1;
    }
    s->rng = seed;
    s->next_tick = 0.0;
    sim_run(s, 1.0);   /* the device runs (stopped) for a second */
    return 0;
}

static void sim_stop(Sim *s)
{
    instrument_deinit(&s->in);
    engine_deinit(&s->engine);
}

/* The largest |offset| in ms of the groove's hits. */
static double groove_worst_ms(const Instrument *in)
{
    double worst = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        if (in->session.groove.g[t][0] > 0.5f)
            worst = fmax(worst, fabs(in->session.groove.g[t][2] * 125.0));
    return worst;
}

static void test_taps_on_the_grid(const char *dir)
{
    for (uint32_t seed = 1; seed <= 3; seed++) {
        Sim s;
        CHECK(sim_start(&s, dir, 0, seed) == 0, "simulated device starts (seed %u)", seed);
        /* the player taps every 8th note on their own grid, the first tap starting everything */
        double t0 = 1.0123 + 0.0017 * seed;
        for (int k = 0; k < 32; k++)
            sim_key(&s, t0 + k * 0.25, INSTRUMENT_INPUT_KEYS, 0);
        sim_run(&s, t0 + 8.5);
        const Timing_pass *p0 = timing_stats_pass(&s.in.timing, 0);
        double first = p0 ? timing_mean(&p0->step[0]) : NAN;   /* only the first tap: k = 16 is in pass 1 */
        const Timing_stats *ts = &s.in.timing;
        CHECK(ts->total.n == 32, "32 taps measured (%d)", ts->total.n);
        CHECK(fabs(first) <= 1.0, "the first tap records %.2f ms", first);
        CHECK(fabs(timing_mean(&ts->total)) <= 1.0 && timing_std(&ts->total) <= 1.0,
              "taps on the grid record %.2f ms (spread %.2f ms): no early bias", timing_mean(&ts->total), timing_std(&ts->total));
        CHECK(groove_worst_ms(&s.in) <= 1.0, "every groove hit within 1 ms of its step (worst %.2f)", groove_worst_ms(&s.in));
        sim_stop(&s);
    }
    /* MIDI with 30 ms of latency and a compensation of 30 ms */
    Sim s;
    CHECK(sim_start(&s, dir, 30, 7) == 0, "with --input-latency 30");
    for (int k = 0; k < 16; k++)
        sim_key(&s, 1.3 + k * 0.5, INSTRUMENT_INPUT_MIDI, 0.030);
    sim_run(&s, 10.0);
    CHECK(fabs(timing_mean(&s.in.timing.total)) <= 1.0, "30 ms late MIDI taps, compensated: %.2f ms",
          timing_mean(&s.in.timing.total));
    sim_stop(&s);
}

/* The transport starts before the device has rendered a block (headless, or a TUI that plays
 * at once), on a clock far from 0 (the monotonic clock is the time since boot): the first block
 * reports clock 0, which the render clock cannot use; until it can, the moment of step 0 stays
 * the one play asked for, not ~0 s (then --tap-delay fed every pass of the file at once). */
static void test_play_before_first_block(const char *dir)
{
    Sim s;
    memset(&s, 0, sizeof s);
    char config[600], err[300];
    snprintf(config, sizeof config, "%s/config", dir);
    CHECK(engine_init(&s.engine, RATE, NULL) == 0, "engine for play before the first block");
    Instrument_options opt = {.model_path = "/nonexistent/model.gtm", .no_session = 1, .bpm = 120.0f,
                              .latency_s = (double)BLOCK / RATE, .config_path = config,
                              .input_latency_ms = 0, .rate = RATE};
    CHECK(instrument_init(&s.in, &s.engine, &opt, err, sizeof err) == 0, "instrument (%s)", err);
    s.t0 = s.t = s.next_tick = 6000.0;
    s.rng = 5;
    instrument_tick(&s.in, s.t);
    instrument_play(&s.in);
    double step0 = instrument_time_of(&s.in, 0.0), worst = 0;
    for (double until = s.t0 + 0.0005; until < s.t0 + 0.2; until += 0.0005) {
        sim_run(&s, until);
        instrument_tick(&s.in, s.t);
        worst = fmax(worst, fabs(instrument_time_of(&s.in, 0.0) - step0));
    }
    CHECK(worst < 0.01, "step 0's moment holds from the first block on (moved up to %.3f s)", worst);
    sim_stop(&s);
}

/* The aligned render's taps: counted and timed, not recorded again. */
static void test_tap_counted(const char *dir)
{
    Sim s;
    CHECK(sim_start(&s, dir, 0, 31) == 0, "instrument for counted taps");
    instrument_tap_counted(&s.in, 8.2);    /* 0.2 steps late at 120 BPM: 25 ms */
    instrument_tap_counted(&s.in, 39.9);   /* pass 1, step 8, 12.5 ms early */
    const Timing_pass *p0 = timing_stats_pass(&s.in.timing, 0), *p1 = timing_stats_pass(&s.in.timing, 1);
    CHECK(s.in.taps == 2 && s.in.timing.total.n == 2, "two taps counted (%lld)", (long long)s.in.taps);
    CHECK(p0 && fabs(timing_mean(&p0->step[8]) - 25.0) < 0.01, "pass 0 step 8: +25 ms (%.2f)", p0 ? timing_mean(&p0->step[8]) : NAN);
    CHECK(p1 && fabs(timing_mean(&p1->step[8]) + 12.5) < 0.01, "pass 1 step 8: -12.5 ms (%.2f)", p1 ? timing_mean(&p1->step[8]) : NAN);
    CHECK(groove_count_hits(&s.in.session.groove) == 0, "and the groove is left as set");
    sim_stop(&s);
}

static void test_calibration_run(const char *dir)
{
    Sim s;
    CHECK(sim_start(&s, dir, 0, 11) == 0, "calibration instrument");
    instrument_calibrate_start(&s.in);
    CHECK(s.in.calibrating && s.in.click && engine_get_click(&s.engine), "calibration: the click on, collecting");
    sim_run(&s, 1.2);
    /* taps 35 ms after each beat the player hears */
    double beat0 = instrument_time_of(&s.in, 0.0);
    for (int k = 1; k <= INSTRUMENT_CALIBRATION_TAPS; k++)
        sim_key(&s, beat0 + k * 0.5 + 0.035, INSTRUMENT_INPUT_KEYS, 0);
    CHECK(!s.in.calibrating, "it ends after %d taps", INSTRUMENT_CALIBRATION_TAPS);
    CHECK(fabs(s.in.calibrated_ms - 35.0) <= 1.0, "it measures 35 ms (%.2f, spread %.2f)", s.in.calibrated_ms,
          s.in.calibrated_spread_ms);
    CHECK(fabs(s.in.input_latency_s[INSTRUMENT_INPUT_KEYS] - s.in.calibrated_ms / 1000) < 1e-9, "and the keys use it");
    CHECK(!s.in.click && !engine_get_click(&s.engine), "the click goes back to off");
    CHECK(groove_count_hits(&s.in.session.groove) == 0, "calibration taps are not recorded");
    Config c;
    char path[600], err[200];
    snprintf(path, sizeof path, "%s/config", dir);
    CHECK(config_load(path, &c, err, sizeof err) == CONFIG_OK &&
              fabs(config_get_double(&c, CONFIG_INPUT_LATENCY_KEYS, -1) - 35.0) <= 1.0,
          "saved in the config (%s)", config_get(&c, CONFIG_INPUT_LATENCY_KEYS) ? config_get(&c, CONFIG_INPUT_LATENCY_KEYS) : "none");
    sim_stop(&s);
    /* the next start uses it (no --input-latency) */
    CHECK(sim_start(&s, dir, NAN, 12) == 0, "a new start");
    CHECK(fabs(s.in.input_latency_s[INSTRUMENT_INPUT_KEYS] * 1000 - 35.0) <= 1.0 && s.in.input_latency_s[INSTRUMENT_INPUT_MIDI] == 0,
          "reads the keys' compensation from the config, MIDI's stays 0");
    /* too few taps: nothing changes */
    instrument_calibrate_start(&s.in);
    sim_key(&s, 2.0, INSTRUMENT_INPUT_KEYS, 0);
    CHECK(instrument_calibrate_finish(&s.in, 1) == -1 && strstr(s.in.message, "needs 8"), "1 tap: refused (%s)", s.in.message);
    CHECK(fabs(s.in.input_latency_s[INSTRUMENT_INPUT_KEYS] * 1000 - 35.0) <= 1.0, "the old compensation stays");
    sim_stop(&s);
}

static void test_click_count_in(const char *dir)
{
    Sim s;
    CHECK(sim_start(&s, dir, 0, 21) == 0, "click instrument");
    instrument_set_click(&s.in, 1);
    sim_key(&s, 1.1, INSTRUMENT_INPUT_KEYS, 0);
    CHECK(!instrument_is_playing(&s.in) && s.in.taps == 0, "click on: a tap while stopped only sounds");
    instrument_set_count_in(&s.in, 5);
    CHECK(s.in.count_in_bars == 2, "count-in clamps to 2 bars");
    instrument_set_count_in(&s.in, 1);
    double started = s.t;
    instrument_play(&s.in);
    sim_run(&s, 1.3);
    CHECK(instrument_counting_in(&s.in) && s.in.pos.step < 0, "space: the count-in runs (step %.2f)", s.in.pos.step);
    double beat0 = instrument_time_of(&s.in, 0.0);
    CHECK(fabs(beat0 - started - 2.0) < 0.02, "step 0 comes a bar (2 s) after the start (%.3f s)", beat0 - started);
    sim_key(&s, beat0 - 1.0, INSTRUMENT_INPUT_KEYS, 0);
    CHECK(s.in.taps == 0 && groove_count_hits(&s.in.session.groove) == 0, "a tap in the count-in is not recorded");
    sim_key(&s, beat0 - 0.010, INSTRUMENT_INPUT_KEYS, 0);
    sim_key(&s, beat0 + 1.0 + 0.004, INSTRUMENT_INPUT_KEYS, 0);
    CHECK(s.in.taps == 2 && s.in.session.groove.g[0][0] == 1 && s.in.session.groove.g[8][0] == 1,
          "taps land where played: just before step 0 on step 0, beat 3 on step 8");
    const Timing_pass *p = timing_stats_pass(&s.in.timing, 0);
    CHECK(p && fabs(timing_mean(&p->step[0]) + 10.0) <= 1.0 && fabs(timing_mean(&p->step[8]) - 4.0) <= 1.0,
          "and their timing: -10 ms and +4 ms (%.2f, %.2f)", p ? timing_mean(&p->step[0]) : NAN, p ? timing_mean(&p->step[8]) : NAN);
    /* r: a new variation */
    uint32_t seed = s.in.session.settings.seed;
    int32_t variation = s.in.session.settings.variation;
    uint64_t asked = s.in.regen.next_serial;
    instrument_redraw(&s.in);
    CHECK(s.in.session.settings.seed != seed && s.in.session.settings.variation == variation + 1 && s.in.regen.next_serial > asked,
          "r draws a new variation and asks for it at once (%s)", s.in.message);
    instrument_set_respond(&s.in, 16);
    CHECK(s.in.respond == 16 && engine_get_respond(&s.engine) == 16 && strcmp(instrument_respond_name(16), "bar") == 0,
          "respond bar reaches the engine");
    char line[200];
    CHECK(strstr(instrument_summary(&s.in, line, sizeof line), "2 taps") != NULL, "summary: %s", line);
    sim_stop(&s);
}

int main(void)
{
    test_stats();
    test_calibration();
    test_clock();
    char dir[] = "/tmp/test_timing.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    test_taps_on_the_grid(dir);
    test_calibration_run(dir);
    test_click_count_in(dir);
    test_play_before_first_block(dir);
    test_tap_counted(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "clean up");
    return check_summary();
}
