/* cmd_generate.c - `groove generate GROOVE.mid -o DRUMS.mid`: any MIDI file in (every note of
 * every channel is a tap), a drum part out, made by the model 2 bars at a time. The file's 4/4
 * bars are taken two at a time on its own bar lines (other meters are skipped with one line),
 * each pair turned into 2 bars of drums, and the drums are written on the input's timeline:
 * its bar lines, time signatures and whole tempo map. The model hears what kind of part the
 * file is (drums when most of its notes are on channel 10, keys otherwise; --input overrides)
 * and, for each window, the 2 bars of drums it made just before (its memory). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "midi_hvo.h"
#include "model.h"
#include "genre.h"
#include "options.h"

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
            "  --bpm B             one tempo for the output (default: the input's whole tempo map)\n"
            "  --input KIND        what the file is: drums | keys | taps (default: drums when most\n"
            "                      notes are on channel 10, else keys)\n"
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

/* Reads --style NAME|ID into a genre id. OPTIONS_OK or OPTIONS_USAGE (said, with the names). */
static int parse_style(const char *text, int *genre)
{
    char *end;
    long n = strtol(text, &end, 10);
    int g = *end || end == text ? genre_from_name(text) : (n >= 0 && n < GENRE_COUNT ? (int)n : -1);
    if (g < 0) {
        fprintf(stderr, "groove: --style wants a GMD genre or its number (");
        for (int s = 0; s < GENRE_COUNT; s++)
            fprintf(stderr, "%s%s", s ? ", " : "", genre_name(s));
        fprintf(stderr, "), not '%s'\n", text);
        return OPTIONS_USAGE;
    }
    *genre = g;
    return OPTIONS_OK;
}

/* Turns each 2-bar window of the input into 2 bars of drums (a window without taps stays
 * silent); a window that follows the one before it gets that one's drums as memory. Returns the
 * hits made; *taps counts the input's taps. */
static int generate_windows(Model *m, const Midi_part *part, const Midi_window *win, int windows, Gen_params *g,
                            unsigned long long seed, Hvo *patterns, int *taps)
{
    int total_hits = 0;
    *taps = 0;
    Model_memory memory;   /* the window before: its drums and the groove they were made from */
    memset(&memory, 0, sizeof memory);
    Groove memory_groove_next;
    groove_clear(&memory_groove_next);
    for (int w = 0; w < windows; w++) {
        Groove groove;
        int n = midi_part_window_to_groove(part, win[w], &groove);
        *taps += n;
        if (w > 0) {
            memory.part = patterns[w - 1];
            memory.groove = memory_groove_next;
        }
        memory_groove_next = groove;
        if (n == 0)
            continue; /* a rest stays a rest */
        Hvo input;
        hvo_groove_to_input(&groove, &input);
        g->seed = (uint64_t)seed + (uint64_t)w;
        /* memory: the drums of the window just before, when it ends where this one starts
         * (a rest there is a silent memory); none at the start or after skipped bars */
        int follows = w > 0 && win[w - 1].bar[1] >= 0 && win[w - 1].bar[1] + 1 == win[w].bar[0];
        model_generate(m, &input, follows ? &memory : NULL, g, &patterns[w]);
        total_hits += hvo_count_hits(&patterns[w]);
    }
    return total_hits;
}

/* What the command line asks. */
typedef struct {
    const char *in_path, *out_path, *model_path;
    float threshold, bpm;     /* threshold < 0: the model's; bpm 0: the input's */
    int max_hits, quiet, genre;
    float temperature, density, variation, floor_v;
    unsigned mutes;
    int fill, stochastic, kind;
    unsigned long long seed;
} Generate_args;

/* Parses the options. OPTIONS_OK, OPTIONS_HELP (usage printed), or OPTIONS_USAGE (said). */
static int parse_options(int argc, char **argv, Generate_args *a)
{
    *a = (Generate_args){NULL, NULL, NULL, -1.0f, 0.0f, -1, 0, -1, 1.0f, 0.5f, 0.0f, SAMPLE_VELOCITY_FLOOR, 0, 0, 0, -1, 0};
    enum { O_MODEL = 256, O_SEED, O_TEMPERATURE, O_DENSITY, O_THRESHOLD, O_MAX_HITS, O_FLOOR, O_STYLE, O_FILL,
           O_MUTE, O_VARIATION, O_STOCHASTIC, O_BPM, O_QUIET, O_INPUT };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"model", required_argument, NULL, O_MODEL},
        {"seed", required_argument, NULL, O_SEED},
        {"temperature", required_argument, NULL, O_TEMPERATURE},
        {"density", required_argument, NULL, O_DENSITY},
        {"threshold", required_argument, NULL, O_THRESHOLD},
        {"max-hits", required_argument, NULL, O_MAX_HITS},
        {"velocity-floor", required_argument, NULL, O_FLOOR},
        {"style", required_argument, NULL, O_STYLE},
        {"fill", no_argument, NULL, O_FILL},
        {"mute", required_argument, NULL, O_MUTE},
        {"variation", required_argument, NULL, O_VARIATION},
        {"stochastic", no_argument, NULL, O_STOCHASTIC},
        {"bpm", required_argument, NULL, O_BPM},
        {"quiet", no_argument, NULL, O_QUIET},
        {"input", required_argument, NULL, O_INPUT},
        {NULL, 0, NULL, 0},
    };
    options_begin();
    int c, r = OPTIONS_OK;
    while (r == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return OPTIONS_HELP;
        case 'o': a->out_path = optarg; break;
        case O_MODEL: a->model_path = optarg; break;
        case O_FILL: a->fill = 1; break;
        case O_STOCHASTIC: a->stochastic = 1; break;
        case O_QUIET: a->quiet = 1; break;
        case O_SEED: r = options_u64("--seed", optarg, ~0ull, &a->seed); break;
        case O_TEMPERATURE: r = options_float("--temperature", optarg, 0.01, 100, &a->temperature); break;
        case O_DENSITY: r = options_float("--density", optarg, 0, 1, &a->density); break;
        case O_THRESHOLD: r = options_float("--threshold", optarg, 0, 1, &a->threshold); break;
        case O_FLOOR: r = options_float("--velocity-floor", optarg, 0, 1, &a->floor_v); break;
        case O_VARIATION: r = options_float("--variation", optarg, 0, 10, &a->variation); break;
        case O_BPM: r = options_float("--bpm", optarg, 20, 400, &a->bpm); break;
        case O_MAX_HITS: r = options_int("--max-hits", optarg, 0, HVO_STEPS, &a->max_hits); break;
        case O_STYLE: r = parse_style(optarg, &a->genre); break;
        case O_INPUT:
            a->kind = model_input_kind_from_name(optarg);
            if (a->kind < 0) {
                fprintf(stderr, "groove: --input wants drums, keys or taps, not '%s'\n", optarg);
                r = OPTIONS_USAGE;
            }
            break;
        case O_MUTE:
            if (parse_mutes(optarg, &a->mutes)) {
                fprintf(stderr, "groove: --mute wants groups from kick,snare,hats,toms,cymbals, not '%s'\n", optarg);
                r = OPTIONS_USAGE;
            }
            break;
        default: return options_error("generate", c, argv);
        }
    }
    if (r != OPTIONS_OK)
        return r;
    if (optind < argc)
        a->in_path = argv[optind];
    if (optind + 1 < argc) {
        fprintf(stderr, "groove: unexpected argument '%s': generate takes one input file (groove generate --help)\n", argv[optind + 1]);
        return OPTIONS_USAGE;
    }
    if (!a->in_path || !a->out_path) {
        fprintf(stderr, "groove: generate needs GROOVE.mid and -o DRUMS.mid (groove generate --help)\n");
        return OPTIONS_USAGE;
    }
    return OPTIONS_OK;
}

/* The controls of every window: the model's defaults, then what the command line set; the
 * input kind from --input, else from the file (a drum part or not). */
static void generate_params(const Generate_args *a, const Model *m, const Midi_part *part, Gen_params *g)
{
    model_gen_params_for(m, a->kind >= 0 ? a->kind : midi_part_is_drums(part) ? INPUT_KIND_DRUMS : INPUT_KIND_KEYS, g);
    if (a->threshold >= 0)
        for (int v = 0; v < HVO_VOICES; v++)
            g->thresholds[v] = a->threshold;
    if (a->max_hits >= 0)
        for (int v = 0; v < HVO_VOICES; v++)
            g->max_hits[v] = a->max_hits;
    g->temperature = a->temperature;
    g->density = a->density;
    g->velocity_floor = a->floor_v;
    g->variation = a->variation;
    g->stochastic = a->stochastic;
    g->genre = a->genre;
    g->fill = a->fill;
    g->mute_mask = a->mutes;
}

/* The tempo of the output in words, for the summary line: --bpm, the input's tempo map, or
 * its one tempo. */
static void tempo_words_of(const Midi_part *part, float bpm, char *buf, size_t n)
{
    if (bpm > 0)
        snprintf(buf, n, "%.1f bpm", bpm);
    else if (part->n_tempos > 1)
        snprintf(buf, n, "the input's tempo map (%d tempos, %.1f bpm at the start)", part->n_tempos,
                 midi_part_bpm_at(part, 0.0));
    else
        snprintf(buf, n, "%.1f bpm", midi_part_bpm_at(part, 0.0));
}

int cmd_generate(int argc, char **argv)
{
    Generate_args a;
    int pr = parse_options(argc, argv, &a);
    if (pr != OPTIONS_OK)
        return pr == OPTIONS_HELP ? 0 : pr;
    const char *in_path = a.in_path, *out_path = a.out_path, *model_path = a.model_path;
    float bpm = a.bpm;
    int quiet = a.quiet, genre = a.genre, fill = a.fill;
    Gen_params g;
    gen_params_default(&g);

    char err[512];
    if (!model_path)
        model_path = model_default_path();
    Model m;
    if (model_load(&m, model_path, err, sizeof err)) {
        fprintf(stderr, "groove: cannot load model '%s': %s\n", model_path, err);
        return CMD_FAILED;
    }
    if (genre >= 0 && m.config.n_genres == 0 && !quiet)
        fprintf(stderr, "groove: note: this model has no style conditioning; --style is ignored\n");
    if (fill && !m.config.has_fill && !quiet)
        fprintf(stderr, "groove: note: this model has no fill conditioning; --fill is ignored\n");
    Midi_part part;
    if (midi_part_load(&part, in_path, err, sizeof err)) {
        fprintf(stderr, "groove: cannot read '%s': %s\n", in_path, err);
        model_deinit(&m);
        return CMD_FAILED;
    }
    if (part.n_onsets == 0) {
        fprintf(stderr, "groove: '%s' has no notes: nothing to play along to\n", in_path);
        midi_part_deinit(&part);
        model_deinit(&m);
        return CMD_FAILED;
    }
    /* One rule for meters in every command: 4/4 bars two at a time on the file's bar lines,
     * other bars skipped with one line (midi_hvo.h). */
    char skipped[512];
    int n_skipped = midi_part_skipped_bars(&part, 0, skipped, sizeof skipped);
    Midi_window *win = NULL;
    int windows = midi_part_windows(&part, 0, &win);
    if (windows <= 0) {
        fprintf(stderr, "groove: cannot generate from '%s': %s\n", in_path,
                windows < 0 ? "out of memory" : skipped);
        midi_part_deinit(&part);
        model_deinit(&m);
        return CMD_FAILED;
    }
    if (windows > GENERATE_MAX_WINDOWS) {
        fprintf(stderr, "groove: '%s' is too long (%d bars; at most %d)\n", in_path, part.n_bars,
                2 * GENERATE_MAX_WINDOWS);
        free(win);
        midi_part_deinit(&part);
        model_deinit(&m);
        return CMD_FAILED;
    }
    if (n_skipped && !quiet)
        fprintf(stderr, "groove: '%s': %s\n", in_path, skipped);
    Hvo *patterns = calloc((size_t)windows, sizeof *patterns);
    if (!patterns) {
        fprintf(stderr, "groove: out of memory\n");
        free(win);
        midi_part_deinit(&part);
        model_deinit(&m);
        return CMD_FAILED;
    }

    char tempo_words[64];
    tempo_words_of(&part, bpm, tempo_words, sizeof tempo_words);
    generate_params(&a, &m, &part, &g);
    int taps = 0;
    int total_hits = generate_windows(&m, &part, win, windows, &g, a.seed, patterns, &taps);
    /* The drums go on the input's own timeline: its bar lines, time signatures and whole tempo
     * map (or one tempo with --bpm). */
    int bars_out = 0;
    for (int w = 0; w < windows; w++)
        bars_out += 1 + (win[w].bar[1] >= 0);
    Smf smf;
    int rc = hvo_windows_to_smf(patterns, win, windows, &part, bpm, &smf, err, sizeof err);
    if (rc == 0) {
        rc = smf_write_file(&smf, out_path, err, sizeof err);
        smf_deinit(&smf);
    }
    if (rc)
        fprintf(stderr, "groove: cannot write '%s': %s\n", out_path, err);
    else if (!quiet)
        printf("groove: wrote %s: %d bars of drums (%d hits) from %d taps (input %s), %s, model %s\n", out_path,
               bars_out, total_hits, taps, model_input_kind_name(g.kind), tempo_words, model_path);
    free(patterns);
    free(win);
    midi_part_deinit(&part);
    model_deinit(&m);
    return rc ? CMD_FAILED : CMD_OK;
}
