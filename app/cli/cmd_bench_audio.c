/* cmd_bench_audio.c - `groove bench --audio`: the audio callback's cost as a fraction of the
 * buffer's duration, at 64 and 256 frames, with all nine voices busy. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "commands.h"
#include "engine.h"
#include "kit.h"
#include "options.h"

#define BENCH_RATE 48000
#define BENCH_SECONDS 4.0 /* audio rendered per buffer size */

static void bench_audio_usage(FILE *out)
{
    fprintf(out,
            "usage: groove bench --audio [--json] [--kit K] [--seconds S]\n"
            "\n"
            "Renders the engine as the audio callback would, at 64 and 256 frames per buffer and 48 kHz,\n"
            "with every voice hitting on every 16th note at 240 bpm (all nine voices busy, several\n"
            "overlapping hits each), and reports the time per callback as a percentage of the buffer's\n"
            "duration: mean, median, 99th percentile and worst (the worst includes the scheduler\n"
            "pre-empting the benchmark on a busy machine). Target: under 2 %% on average.\n"
            "\n"
            "  --json        one JSON object instead of text\n"
            "  --kit K       the kit to play (default: the default kit)\n"
            "  --seconds S   audio rendered per buffer size (default 4)\n");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    int frames;
    double mean, median, p99, max; /* fractions of the buffer duration */
    double voices;         /* hits sounding per callback, on average */
    long callbacks;
} Bench_audio_result;

/* Runs one buffer size. 0 or -1 (memory). */
static int bench_one(const Kit *kit, int frames, double seconds, Bench_audio_result *r)
{
    Engine e;
    if (engine_init(&e, BENCH_RATE, kit) != 0)
        return -1;
    Hvo p;
    hvo_clear(&p);
    for (int s = 0; s < HVO_STEPS; s++)
        for (int v = 0; v < HVO_VOICES; v++)
            hvo_set(&p, s, v, 1, 0.5f + 0.5f * (float)((s + v) % 4) / 3.0f, 0.0f);
    engine_set_pattern(&e, &p);
    engine_set_bpm(&e, 240.0f);
    engine_set_choke(&e, VOICE_OPEN_HAT, 0); /* let the open hat ring: more work */
    engine_set_choke(&e, VOICE_CLOSED_HAT, 0);
    engine_play(&e);
    long n = (long)(seconds * BENCH_RATE / frames);
    double *t = malloc(sizeof(double) * (size_t)n);
    float *buf = malloc(sizeof(float) * 2 * (size_t)frames);
    if (!t || !buf) {
        free(t);
        free(buf);
        engine_deinit(&e);
        return -1;
    }
    /* Warm up: half a second, so every voice is sounding before we measure. */
    for (long i = 0; i < BENCH_RATE / 2 / frames; i++)
        engine_render(&e, buf, frames);
    double buffer_s = (double)frames / BENCH_RATE, sum = 0.0, voices = 0.0;
    for (long i = 0; i < n; i++) {
        double t0 = clock_seconds();
        engine_render(&e, buf, frames);
        t[i] = (clock_seconds() - t0) / buffer_s;
        sum += t[i];
        Engine_stats st;
        engine_stats(&e, &st);
        voices += st.voices_active;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    r->frames = frames;
    r->mean = sum / (double)n;
    r->median = t[(n - 1) / 2];
    r->p99 = t[(long)(0.99 * (double)(n - 1))];
    r->max = t[n - 1];
    r->voices = voices / (double)n;
    r->callbacks = n;
    free(t);
    free(buf);
    engine_deinit(&e);
    return 0;
}

int cmd_bench_audio(int argc, char **argv)
{
    enum { O_AUDIO = 256, O_JSON, O_KIT, O_SECONDS };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"audio", no_argument, NULL, O_AUDIO}, /* the flag that chose this benchmark */
        {"json", no_argument, NULL, O_JSON},
        {"kit", required_argument, NULL, O_KIT},
        {"seconds", required_argument, NULL, O_SECONDS},
        {NULL, 0, NULL, 0},
    };
    int json = 0;
    const char *kit_spec = NULL;
    double seconds = BENCH_SECONDS;
    options_begin();
    int c, pr = OPTIONS_OK;
    while (pr == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT, longopts, NULL)) != -1) {
        switch (c) {
        case 'h': bench_audio_usage(stdout); return 0;
        case O_AUDIO: break;
        case O_JSON: json = 1; break;
        case O_KIT: kit_spec = optarg; break;
        case O_SECONDS: pr = options_double("--seconds", optarg, 0.1, 600, &seconds); break;
        default: return options_error("bench --audio", c, argv);
        }
    }
    if (pr != OPTIONS_OK)
        return pr;
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove bench --audio --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    Kit kit;
    char err[1024];
    if (kit_load(&kit, kit_spec, BENCH_RATE, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return CMD_FAILED;
    }
    static const int sizes[2] = {64, 256};
    Bench_audio_result r[2];
    for (int k = 0; k < 2; k++)
        if (bench_one(&kit, sizes[k], seconds, &r[k]) != 0) {
            fprintf(stderr, "groove: out of memory\n");
            kit_deinit(&kit);
            return CMD_FAILED;
        }
    if (json) {
        printf("{\"kit\": \"%s\", \"rate\": %d, \"target_mean\": 0.02, \"results\": [", kit.name, BENCH_RATE);
        for (int k = 0; k < 2; k++)
            printf("%s{\"frames\": %d, \"callbacks\": %ld, \"load_mean\": %.6f, \"load_p99\": %.6f, "
                   "\"load_max\": %.6f, \"load_median\": %.6f, \"hits_sounding\": %.1f}",
                   k ? ", " : "", r[k].frames, r[k].callbacks, r[k].mean, r[k].p99, r[k].max, r[k].median, r[k].voices);
        printf("]}\n");
    } else {
        printf("audio callback load, kit %s, %d Hz, all 9 voices on every 16th at 240 bpm:\n", kit.name, BENCH_RATE);
        for (int k = 0; k < 2; k++)
            printf("  %4d frames (%.3f ms): mean %.3f%%  median %.3f%%  p99 %.3f%%  max %.3f%% of the buffer, %.1f hits sounding, "
                   "%ld callbacks  [target mean < 2%%: %s]\n",
                   r[k].frames, 1000.0 * r[k].frames / BENCH_RATE, 100 * r[k].mean, 100 * r[k].median, 100 * r[k].p99, 100 * r[k].max,
                   r[k].voices, r[k].callbacks, r[k].mean < 0.02 ? "met" : "MISSED");
    }
    kit_deinit(&kit);
    return 0;
}
