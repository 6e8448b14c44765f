/* cmd_generate.c - `groove generate GROOVE.mid -o DRUMS.mid`: any MIDI file in (every note of
 * every channel is a tap), a drum part out, made by the model 2 bars at a time. A longer file
 * is cut into 2-bar windows (bars 0-1, 2-3, ...), each turned into 2 bars of drums, and the
 * results are written one after the other at the file's tempo. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "midi_hvo.h"
#include "model.h"
#include "genre.h"

#define GENERATE_MAX_WINDOWS 4096

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove generate GROOVE.mid -o DRUMS.mid [options]\n"
            "\n"
            "Turns any MIDI file into a drum part with the Groove Transformer: every note of every\n"
            "channel is a tap of the groove; each 2-bar window becomes 2 bars of drums (a window\n"
            "without taps stays silent). Options:\n"
            "  --model FILE        model file (default: $GROOVE_MODEL, else nn/models/default.gtm)\n"
            "  --seed N            seed for --variation and --stochastic (default 0)\n"
            "  --temperature T     hit probability = sigmoid(logit / T) (default 1)\n"
            "  --density D         0..1, 0.5 neutral: lower = sparser, higher = busier\n"
            "  --threshold P       one hit threshold for every voice (default: the model's or SPEC's)\n"
            "  --max-hits N        at most N hits per voice per 2 bars\n"
            "  --velocity-floor V  drop hits quieter than V (default 0.05)\n"
            "  --style NAME|ID     a GMD genre (rock, funk, jazz, latin, ...), for conditioned models\n"
            "  --fill              ask for a fill instead of a beat\n"
            "  --mute LIST         silence groups: kick,snare,hats,toms,cymbals\n"
            "  --variation S       sample z around mu with spread S (0 = z is mu)\n"
            "  --stochastic        draw hits from their probabilities (with --seed)\n"
            "  --bpm B             tempo of the output (default: the input's tempo at its start)\n"
            "  --quiet             no summary line\n");
}

static const char *const mute_names[MODEL_MUTE_GROUPS] = {"kick", "snare", "hats", "toms", "cymbals"};

/* Parses "kick,hats" into a mute mask; -1 on an unknown name. */
static int parse_mutes(const char *list, unsigned *mask)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    *mask = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int found = -1;
        for (int g = 0; g < MODEL_MUTE_GROUPS; g++)
            if (!strcmp(tok, mute_names[g]))
                found = g;
        if (found < 0)
            return -1;
        *mask |= 1u << found;
    }
    return 0;
}

/* 1 when a is an option that takes a value. */
static int takes_value(const char *a)
{
    static const char *const with_value[] = {"-o", "--output", "--model", "--seed", "--temperature",
                                             "--density", "--threshold", "--velocity-floor", "--variation",
                                             "--bpm", "--max-hits", "--style", "--mute"};
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
        if (!strcmp(a, with_value[k]))
            return 1;
    return 0;
}

/* Parses a float option value within [lo, hi]; -1 when it is not one. */
static int parse_float(const char *s, float lo, float hi, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = (float)v;
    return 0;
}

int cmd_generate(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL, *model_path = NULL;
    Gen_params g;
    gen_params_default(&g);
    float threshold = -1, bpm = 0;
    int max_hits = -1, quiet = 0, genre = -1;
    float temperature = 1.0f, density = 0.5f, variation = 0.0f, floor_v = SAMPLE_VELOCITY_FLOOR;
    unsigned mutes = 0;
    int fill = 0, stochastic = 0;
    unsigned long long seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--fill")) {
            fill = 1;
        } else if (!strcmp(a, "--stochastic")) {
            stochastic = 1;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (takes_value(a) && !v) {
            fprintf(stderr, "groove: generate: %s needs a value (groove generate --help)\n", a);
            return 2;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            out_path = argv[++i];
        } else if (!strcmp(a, "--model")) {
            model_path = argv[++i];
        } else if (!strcmp(a, "--seed")) {
            char *end;
            errno = 0;
            seed = strtoull(argv[++i], &end, 10);
            bad = errno || *end || end == argv[i] || argv[i][0] == '-';
        } else if (!strcmp(a, "--temperature")) {
            bad = parse_float(argv[++i], 0.01f, 100.0f, &temperature);
        } else if (!strcmp(a, "--density")) {
            bad = parse_float(argv[++i], 0.0f, 1.0f, &density);
        } else if (!strcmp(a, "--threshold")) {
            bad = parse_float(argv[++i], 0.0f, 1.0f, &threshold);
        } else if (!strcmp(a, "--velocity-floor")) {
            bad = parse_float(argv[++i], 0.0f, 1.0f, &floor_v);
        } else if (!strcmp(a, "--variation")) {
            bad = parse_float(argv[++i], 0.0f, 10.0f, &variation);
        } else if (!strcmp(a, "--bpm")) {
            bad = parse_float(argv[++i], 20.0f, 400.0f, &bpm);
        } else if (!strcmp(a, "--max-hits")) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            bad = *end || end == argv[i] || n < 0 || n > HVO_STEPS;
            max_hits = (int)n;
        } else if (!strcmp(a, "--style")) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            genre = *end || end == argv[i] ? genre_from_name(argv[i]) : (n >= 0 && n < GENRE_COUNT ? (int)n : -1);
            if (genre < 0) {
                fprintf(stderr, "groove: generate: unknown style '%s' (known: ", argv[i]);
                for (int s = 0; s < GENRE_COUNT; s++)
                    fprintf(stderr, "%s%s", s ? ", " : "", genre_name(s));
                fprintf(stderr, ")\n");
                return 2;
            }
        } else if (!strcmp(a, "--mute")) {
            if (parse_mutes(argv[++i], &mutes)) {
                fprintf(stderr, "groove: generate: bad --mute '%s' (groups: kick,snare,hats,toms,cymbals)\n", argv[i]);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "groove: generate: unknown option '%s' (groove generate --help)\n", a);
            return 2;
        } else if (!in_path) {
            in_path = a;
        } else {
            fprintf(stderr, "groove: generate: one input file only ('%s'?)\n", a);
            return 2;
        }
        if (bad) {
            fprintf(stderr, "groove: generate: bad value for %s: '%s'\n", a, argv[i]);
            return 2;
        }
    }
    if (!in_path || !out_path) {
        usage(stderr);
        return 2;
    }

    char err[512];
    if (!model_path)
        model_path = model_default_path();
    Model m;
    if (model_load(&m, model_path, err, sizeof err)) {
        fprintf(stderr, "groove: cannot load model '%s': %s\n", model_path, err);
        return 1;
    }
    if (genre >= 0 && m.config.n_genres == 0 && !quiet)
        fprintf(stderr, "groove: note: this model has no style conditioning; --style is ignored\n");
    if (fill && !m.config.has_fill && !quiet)
        fprintf(stderr, "groove: note: this model has no fill conditioning; --fill is ignored\n");
    Midi_part part;
    if (midi_part_load(&part, in_path, err, sizeof err)) {
        fprintf(stderr, "groove: cannot read '%s': %s\n", in_path, err);
        model_deinit(&m);
        return 1;
    }
    if (part.n_onsets == 0) {
        fprintf(stderr, "groove: '%s' has no notes: nothing to play along to\n", in_path);
        midi_part_deinit(&part);
        model_deinit(&m);
        return 1;
    }
    int windows = (part.n_bars + 1) / 2;
    if (windows < 1)
        windows = 1;
    if (windows > GENERATE_MAX_WINDOWS) {
        fprintf(stderr, "groove: '%s' is too long (%d bars; at most %d)\n", in_path, part.n_bars,
                2 * GENERATE_MAX_WINDOWS);
        midi_part_deinit(&part);
        model_deinit(&m);
        return 1;
    }
    if (bpm <= 0)
        bpm = (float)midi_part_bpm_at(&part, 0.0);
    Hvo *patterns = calloc((size_t)windows, sizeof *patterns);
    if (!patterns) {
        fprintf(stderr, "groove: out of memory\n");
        midi_part_deinit(&part);
        model_deinit(&m);
        return 1;
    }

    model_gen_params(&m, &g);
    if (threshold >= 0)
        for (int v = 0; v < HVO_VOICES; v++)
            g.thresholds[v] = threshold;
    if (max_hits >= 0)
        for (int v = 0; v < HVO_VOICES; v++)
            g.max_hits[v] = max_hits;
    g.temperature = temperature;
    g.density = density;
    g.velocity_floor = floor_v;
    g.variation = variation;
    g.stochastic = stochastic;
    g.genre = genre;
    g.fill = fill;
    g.mute_mask = mutes;
    int total_hits = 0, taps = 0;
    for (int w = 0; w < windows; w++) {
        Groove groove;
        int n = midi_part_to_groove(&part, 2 * w, &groove);
        taps += n;
        if (n == 0)
            continue; /* a rest stays a rest */
        Hvo input;
        hvo_groove_to_input(&groove, &input);
        g.seed = (uint64_t)seed + (uint64_t)w;
        model_generate(&m, &input, &g, &patterns[w]);
        total_hits += hvo_count_hits(&patterns[w]);
    }
    int rc = hvo_write_midi(out_path, patterns, windows, bpm, err, sizeof err);
    if (rc)
        fprintf(stderr, "groove: cannot write '%s': %s\n", out_path, err);
    else if (!quiet)
        printf("groove: wrote %s: %d bars of drums (%d hits) from %d taps, %.1f bpm, model %s\n", out_path,
               2 * windows, total_hits, taps, bpm, model_path);
    free(patterns);
    midi_part_deinit(&part);
    model_deinit(&m);
    return rc ? 1 : 0;
}
