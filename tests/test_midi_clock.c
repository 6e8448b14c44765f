/* test_midi_clock.c - the MIDI clock follower and generator with synthesized timestamped
 * messages: jittered pulses, tempo changes, Start/Stop/Continue and Song Position mid-bar,
 * pulses that stop; the generator's pulses, Start, Stop and Continue at their frames, and
 * its output read back by the follower. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "midi_clock.h"

static uint32_t rng_state = 12345;
/* Uniform in [-1, 1). */
static double jitter(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (double)(rng_state >> 8) / (double)(1u << 23) - 1.0;
}

static void feed1(Midi_clock_in *c, uint8_t b, double t)
{
    midi_clock_in_feed(c, &b, 1, t);
}

/* Feeds COUNT pulses at BPM from time *t (jitter +-J seconds each), advancing *t. Returns the
 * worst |bpm - BPM| seen from pulse SETTLE on (SETTLE counted from the first pulse fed). */
static double feed_pulses(Midi_clock_in *c, double *t, double bpm, int count, double j, int settle)
{
    double period = 60.0 / (bpm * MIDI_CLOCK_PPQN), worst = 0;
    for (int i = 0; i < count; i++) {
        feed1(c, MIDI_RT_CLOCK, *t + j * jitter());
        *t += period;
        if (i + 1 >= settle) {
            double e = fabs(midi_clock_in_bpm(c) - bpm);
            if (e > worst)
                worst = e;
        }
    }
    return worst;
}

static void test_follow_jitter(void)
{
    Midi_clock_in c;
    midi_clock_in_init(&c);
    CHECK(midi_clock_in_bpm(&c) == 0 && !midi_clock_in_running(&c) && !midi_clock_in_lost(&c, 10),
          "before any pulse: no tempo, not running, not lost");
    double t = 1.0;
    feed1(&c, MIDI_RT_START, t - 0.001);
    CHECK(!midi_clock_in_running(&c), "after Start, the transport waits for the first pulse");
    double first = t;
    /* 100 BPM with +-2 ms jitter: within 0.3 BPM from the 48th pulse (2 beats) on. */
    double worst = feed_pulses(&c, &t, 100.0, 24 * 16, 0.002, 48);
    CHECK(worst <= 0.3, "100 BPM +-2 ms jitter: within 0.3 BPM from 2 beats on, 14 more beats (worst %.3f)", worst);
    CHECK(midi_clock_in_running(&c), "running after Start and a pulse");
    CHECK(c.starts == 1, "one start");
    /* The song position: the first pulse after Start is beat 0; 16 beats later, beat 16. */
    double beat = midi_clock_in_beat(&c, t, 0);
    CHECK_NEAR(beat, 16.0, 0.01, "song position follows the pulses (beat %.4f at the 385th pulse's time)", beat);
    (void)first;

    /* A tempo change to 130 BPM: followed within 2 beats. */
    worst = feed_pulses(&c, &t, 130.0, 24 * 8, 0.002, 48);
    CHECK(worst <= 0.4, "a change to 130 BPM is followed within 2 beats (worst %.3f after)", worst);
    /* Without jitter the fit is exact. */
    Midi_clock_in d;
    midi_clock_in_init(&d);
    double u = 0;
    feed_pulses(&d, &u, 87.5, 10, 0, 1);
    CHECK_NEAR(midi_clock_in_bpm(&d), 87.5, 1e-6, "clean pulses: the exact tempo after 10 pulses");
}

static void test_transport(void)
{
    Midi_clock_in c;
    midi_clock_in_init(&c);
    double t = 0, period = 60.0 / (120.0 * MIDI_CLOCK_PPQN);
    feed_pulses(&c, &t, 120.0, 48, 0, 1);   /* the clock runs before Start, as most gear does */
    CHECK(!midi_clock_in_running(&c), "pulses without Start: tempo but no transport");
    CHECK_NEAR(midi_clock_in_bpm(&c), 120.0, 1e-6, "the tempo is known before Start");
    feed1(&c, MIDI_RT_START, t - period / 2);
    double start = t;
    feed_pulses(&c, &t, 120.0, 24 * 2 + 9, 0, 1);   /* 2 beats and 9 pulses: mid-bar */
    CHECK_NEAR(midi_clock_in_beat(&c, start, 0), 0.0, 1e-6, "the first pulse after Start is beat 0");
    CHECK_NEAR(midi_clock_in_beat(&c, t - period, 0), (24 * 2 + 8) / 24.0, 1e-6, "the last pulse is beat 2 + 8/24");
    /* Stop mid-bar; Continue resumes where it stopped. */
    feed1(&c, MIDI_RT_STOP, t - period / 2);
    CHECK(!midi_clock_in_running(&c), "Stop stops");
    feed_pulses(&c, &t, 120.0, 30, 0, 1);
    feed1(&c, MIDI_RT_CONTINUE, t - period / 2);
    double resume = t;
    feed_pulses(&c, &t, 120.0, 5, 0, 1);
    CHECK(midi_clock_in_running(&c) && c.starts == 2, "Continue runs again on the next pulse");
    CHECK_NEAR(midi_clock_in_beat(&c, resume, 0), (24 * 2 + 9) / 24.0, 1e-6,
               "Continue without a Song Position resumes where Stop left it");
    /* Stop, Song Position Pointer 0x0105 (= 133 16ths), Continue. */
    feed1(&c, MIDI_RT_STOP, t - period / 2);
    uint8_t spp[3] = {MIDI_SONG_POSITION, 0x05, 0x01};
    midi_clock_in_feed(&c, spp, 3, t - period / 3);
    feed1(&c, MIDI_RT_CONTINUE, t - period / 4);
    resume = t;
    feed_pulses(&c, &t, 120.0, 3, 0, 1);
    CHECK_NEAR(midi_clock_in_beat(&c, resume, 0), 133 / 4.0, 1e-6, "Continue after SPP 133 starts at beat 33.25");
    /* A Song Position while running is ignored (the standard's rule). */
    midi_clock_in_feed(&c, (const uint8_t[]){MIDI_SONG_POSITION, 0, 0}, 3, t);
    CHECK_NEAR(midi_clock_in_beat(&c, t - period, 0), 133 / 4.0 + 2.0 / 24, 1e-6, "an SPP while running changes nothing");
    /* Start again: from the top on the next pulse. */
    feed1(&c, MIDI_RT_START, t - period / 2);
    double top = t;
    feed_pulses(&c, &t, 120.0, 2, 0, 1);
    CHECK_NEAR(midi_clock_in_beat(&c, top, 0), 0.0, 1e-6, "Start while running restarts from beat 0");
    /* Garbage and short messages are ignored. */
    uint8_t junk[2] = {0x90, 0x40};
    midi_clock_in_feed(&c, junk, 2, t);
    midi_clock_in_feed(&c, spp, 0, t);
    CHECK(midi_clock_in_running(&c), "other messages change nothing");
}

static void test_lost(void)
{
    Midi_clock_in c;
    midi_clock_in_init(&c);
    double t = 0;
    feed1(&c, MIDI_RT_START, 0);
    feed_pulses(&c, &t, 100.0, 96, 0.001, 1);
    double last = t - 60.0 / 2400.0;
    double bpm = midi_clock_in_bpm(&c);
    CHECK(!midi_clock_in_lost(&c, last + 0.05), "50 ms after the last pulse: not lost");
    CHECK(midi_clock_in_lost(&c, last + 0.5), "500 ms after the last pulse: lost");
    CHECK(midi_clock_in_bpm(&c) == bpm && fabs(bpm - 100.0) < 0.3, "the tempo holds (%.3f)", bpm);
    double b1 = midi_clock_in_beat(&c, last + 1.0, 0), b2 = midi_clock_in_beat(&c, last + 2.0, 0);
    CHECK_NEAR(b2 - b1, bpm / 60.0, 1e-9, "the position runs on at the held tempo");
    CHECK(midi_clock_in_running(&c), "a lost clock does not stop the transport");
    /* The clock comes back at another tempo: a fresh fit, not one across the gap. */
    t = last + 3.0;
    double worst = feed_pulses(&c, &t, 140.0, 60, 0, 3);
    CHECK(!midi_clock_in_lost(&c, t - 0.01) && worst < 1e-6, "back at 140 BPM: found again at once (%.6f)", worst);
}

static void test_generator(void)
{
    Midi_clock_out g;
    midi_clock_out_init(&g);
    Midi_clock_msg m[64];
    double fps = 48000.0 * 60 / (120.0 * 4);   /* 6000 frames per step at 120 BPM */
    CHECK(midi_clock_out_block(&g, 0, 0, 0, fps, 256, m, 64) == 0, "stopped: nothing");
    /* Pre-roll: the transport runs from step -1.5 (Link waits for a bar line). */
    int k = midi_clock_out_block(&g, 1, 1, -1.5, fps, 256, m, 64);
    CHECK(k == 0, "step 0 not in this block: no Start yet");
    double step = -1.5 + 256 / fps, frame = 256;
    double start_frame = -1, last_pulse = -1, worst = 0;
    int pulses = 0, stops = 0, starts = 0, order_ok = 1;
    for (int b = 0; b < 400; b++) {
        k = midi_clock_out_block(&g, 1, 0, step, fps, 256, m, 64);
        for (int i = 0; i < k; i++) {
            double f = frame + m[i].frame;
            if (m[i].bytes[0] == MIDI_RT_START) {
                starts++;
                start_frame = f;
                order_ok &= pulses == 0;
            } else if (m[i].bytes[0] == MIDI_RT_CLOCK) {
                if (last_pulse >= 0 && fabs(f - last_pulse - 1000.0) > worst)
                    worst = fabs(f - last_pulse - 1000.0);
                order_ok &= starts == 1 && f >= start_frame;
                last_pulse = f;
                pulses++;
            }
            order_ok &= m[i].frame >= 0 && m[i].frame < 256;
        }
        step += 256 / fps;
        frame += 256;
    }
    CHECK(starts == 1 && fabs(start_frame - 1.5 * fps) < 1e-6, "one Start, at step 0's frame (%.1f)", start_frame);
    CHECK(pulses > 90 && worst < 1e-6, "%d pulses 1000 frames (20.833 ms) apart, worst error %.2g", pulses, worst);
    CHECK(order_ok, "Start before the first pulse, every message inside its block");
    k = midi_clock_out_block(&g, 0, 0, step, fps, 256, m, 64);
    stops = k == 1 && m[0].bytes[0] == MIDI_RT_STOP;
    CHECK(stops, "the transport stops: a Stop at the block's start");
    CHECK(midi_clock_out_finish(&g, m) == 0, "nothing more to finish after a Stop");
    /* Started mid-song at step 37.4: SPP 38, Continue, the first pulse at step 38. */
    k = midi_clock_out_block(&g, 1, 1, 37.4, fps, 8192, m, 64);
    CHECK(k >= 3 && m[0].bytes[0] == MIDI_SONG_POSITION && m[0].bytes[1] == 38 && m[0].bytes[2] == 0 &&
              m[1].bytes[0] == MIDI_RT_CONTINUE && m[2].bytes[0] == MIDI_RT_CLOCK && fabs(m[2].frame - 0.6 * fps) < 1e-6,
          "started mid-song: SPP 38, Continue, a pulse at step 38");
    CHECK(midi_clock_out_finish(&g, m) == 1 && m[0].bytes[0] == MIDI_RT_STOP, "finishing while playing sends a Stop");
    /* Started 0.3 steps late (a clock in known late): Start now, the due pulses 0 and 1 now, pulse 2
     * on its frame. */
    k = midi_clock_out_block(&g, 1, 1, 0.3, fps, 8192, m, 64);
    CHECK(k >= 4 && m[0].bytes[0] == MIDI_RT_START && m[0].frame == 0 && m[1].bytes[0] == MIDI_RT_CLOCK &&
              m[1].frame == 0 && m[2].frame == 0 && fabs(m[3].frame - (2.0 / 6 - 0.3) * fps) < 1e-6,
          "started a little late: Start and the pulses due at once, then on the grid");
    midi_clock_out_finish(&g, m);

    /* The generator read back by the follower: 120 BPM exactly, beats on the steps. */
    Midi_clock_out h;
    Midi_clock_in c;
    midi_clock_out_init(&h);
    midi_clock_in_init(&c);
    step = 0;
    frame = 0;
    for (int b = 0; b < 200; b++) {
        k = midi_clock_out_block(&h, 1, b == 0, step, fps, 256, m, 64);
        for (int i = 0; i < k; i++)
            midi_clock_in_feed(&c, m[i].bytes, m[i].n, (frame + m[i].frame) / 48000.0);
        step += 256 / fps;
        frame += 256;
    }
    CHECK_NEAR(midi_clock_in_bpm(&c), 120.0, 1e-6, "read back: 120 BPM");
    CHECK_NEAR(midi_clock_in_beat(&c, frame / 48000.0, 0), step / 4, 1e-6, "read back: the beat is the step / 4");
}

int main(void)
{
    test_follow_jitter();
    test_transport();
    test_lost();
    test_generator();
    return check_summary();
}
