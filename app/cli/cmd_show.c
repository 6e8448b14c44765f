/* cmd_show.c - `groove show FILE.mid`: a MIDI file's 2 bars as a text grid, one row per voice
 * plus the groove row, velocity as shading, micro-timing as marks; or the same as a hit list
 * or JSON for scripts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "midi_hvo.h"
#include "options.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove show FILE.mid [--bar N] [--list | --json] [--ascii]\n"
            "\n"
            "Prints 2 bars of a MIDI file (the 4/4 bars from bar N on, two of them; default the first) as\n"
            "a grid: one row per drum voice (every General MIDI percussion note lands on one, see\n"
            "docs/core.md) and a groove row (every note\n"
            "of every channel as a tap, the model's input). One column per 16th note. Velocity is shading:\n"
            "  unicode: ' ' rest, then \u2591 \u2592 \u2593 \u2588 for velocity up to 1/4, 1/2, 3/4, 1\n"
            "  ascii:   '.' rest, then - + x X\n"
            "and the character after a hit marks its timing: '<' early or '>' late by at least 0.1 step,\n"
            "'\u00ab' / '\u00bb' (ascii '{' / '}') by at least 0.3 step.\n"
            "\n"
            "  --bar N   first bar to show (0-based)\n"
            "  --list    list every hit: step, voice, velocity, offset in steps\n"
            "  --json    print {file, bar, bars, ppq, bpm, hvo: 32 x 27, groove: 32 x 3} as JSON\n"
            "  --ascii   ASCII only (the default when the locale is not UTF-8)\n");
}

/* Picks the shade of a velocity: 0 rest, 1..4 quarters. */
static int shade_level(float hit, float velocity)
{
    if (hit <= 0.5f)
        return 0;
    return velocity <= 0.25f ? 1 : velocity <= 0.5f ? 2 : velocity <= 0.75f ? 3 : 4;
}

static const char *const shade_utf8[5] = {" ", "\u2591", "\u2592", "\u2593", "\u2588"};
static const char *const shade_ascii[5] = {".", "-", "+", "x", "X"};

/* The timing mark after a hit. */
static const char *timing_mark(float hit, float offset, int ascii)
{
    if (hit <= 0.5f)
        return " ";
    if (offset <= -0.3f)
        return ascii ? "{" : "\u00ab";
    if (offset >= 0.3f)
        return ascii ? "}" : "\u00bb";
    if (offset <= -0.1f)
        return "<";
    if (offset >= 0.1f)
        return ">";
    return " ";
}

/* One grid row: label then 32 cells of two characters, a bar line every 16 steps. */
static void print_row(const char *label, const float hit[HVO_STEPS], const float vel[HVO_STEPS],
                      const float off[HVO_STEPS], int ascii)
{
    printf("%-3s", label);
    for (int t = 0; t < HVO_STEPS; t++) {
        if (t % HVO_STEPS_PER_BAR == 0)
            printf("|");
        printf("%s%s", (ascii ? shade_ascii : shade_utf8)[shade_level(hit[t], vel[t])], timing_mark(hit[t], off[t], ascii));
    }
    printf("|\n");
}

static void print_grid(const Hvo *p, const Groove *g, Midi_window w, int ascii)
{
    printf("   ");
    for (int t = 0; t < HVO_STEPS; t++) {
        if (t % HVO_STEPS_PER_BAR == 0)
            printf("|");
        int beat = t % HVO_STEPS_PER_BAR / HVO_STEPS_PER_BEAT + 1;
        if (t % HVO_STEPS_PER_BEAT == 0)
            printf("%d ", beat);
        else
            printf("%s ", ascii ? " " : "\u00b7");
    }
    if (w.bar[1] == w.bar[0] + 1)
        printf("|  bars %d-%d\n", w.bar[0], w.bar[1]);
    else if (w.bar[1] >= 0)
        printf("|  bars %d, %d\n", w.bar[0], w.bar[1]);
    else
        printf("|  bar %d\n", w.bar[0]);
    float hit[HVO_STEPS], vel[HVO_STEPS], off[HVO_STEPS];
    for (int v = HVO_VOICES - 1; v >= 0; v--) {
        for (int t = 0; t < HVO_STEPS; t++) {
            hit[t] = hvo_hit(p, t, v);
            vel[t] = hvo_vel(p, t, v);
            off[t] = hvo_off(p, t, v);
        }
        print_row(voice_label(v), hit, vel, off, ascii);
    }
    for (int t = 0; t < HVO_STEPS; t++) {
        hit[t] = g->g[t][0];
        vel[t] = g->g[t][1];
        off[t] = g->g[t][2];
    }
    print_row("GR", hit, vel, off, ascii);
}

static void print_list(const Hvo *p, const Groove *g)
{
    printf("step voice       velocity  offset\n");
    for (int t = 0; t < HVO_STEPS; t++) {
        for (int v = 0; v < HVO_VOICES; v++)
            if (hvo_hit(p, t, v) > 0.5f)
                printf("%4d %-10s  %7.4f %+7.4f\n", t, voice_name(v), hvo_vel(p, t, v), hvo_off(p, t, v));
        if (g->g[t][0] > 0.5f)
            printf("%4d %-10s  %7.4f %+7.4f\n", t, "groove", g->g[t][1], g->g[t][2]);
    }
}

/* Writes s as a JSON string. */
static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_json(const char *path, int bar, const Midi_part *part, double bpm, const Hvo *p, const Groove *g)
{
    printf("{\"file\": ");
    json_string(path);
    printf(", \"bar\": %d, \"bars\": %d, \"ppq\": %d, \"bpm\": %.4f, \"meter_4_4\": %s,\n \"hvo\": [", bar, part->n_bars,
           part->ppq, bpm, part->meter_is_4_4 ? "true" : "false");
    for (int t = 0; t < HVO_STEPS; t++) {
        printf("%s[", t ? ",\n  " : "");
        for (int c = 0; c < HVO_CHANNELS; c++)
            printf("%s%.6g", c ? ", " : "", p->v[t][c]);
        printf("]");
    }
    printf("],\n \"groove\": [");
    for (int t = 0; t < HVO_STEPS; t++)
        printf("%s[%.6g, %.6g, %.6g]", t ? ", " : "", g->g[t][0], g->g[t][1], g->g[t][2]);
    printf("]}\n");
}

/* True when the locale promises UTF-8 output. */
static int locale_is_utf8(void)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8") || strstr(v, "utf-8");
    }
    return 0;
}

/* Prints the two summary lines above the grid or list: the file, and where its notes went. */
static void print_summary(const char *path, const Midi_part *part, int bar, double bpm, int meter_ok,
                          const Midi_hvo_stats *st, const Hvo *p, const Groove *g)
{
    printf("%s: %d bar%s, PPQ %d, %.1f bpm at bar %d, %d/%d%s\n", path, part->n_bars, part->n_bars == 1 ? "" : "s",
           part->ppq, bpm, bar, part->meter_numerator, part->meter_denominator,
           meter_ok ? "" : " (not 4/4 throughout: the 4/4 bars are shown; the dataset skips this file)");
    printf("%d notes in these bars: %d on a voice, %d on none", st->notes, st->mapped, st->unmapped);
    int shown = 0;
    for (int k = 0; k < 128; k++)
        if (st->unmapped_by_note[k])
            printf("%s%d x%d", shown++ ? ", " : " (notes ", k, st->unmapped_by_note[k]);
    printf("%s; %d dropped as quieter on a taken step; %d hits, %d groove taps\n", shown ? ")" : "", st->collisions,
           hvo_count_hits(p), groove_count_hits(g));
}

int cmd_show(int argc, char **argv)
{
    enum { O_BAR = 256, O_LIST, O_JSON, O_ASCII };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"bar", required_argument, NULL, O_BAR},
        {"list", no_argument, NULL, O_LIST},
        {"json", no_argument, NULL, O_JSON},
        {"ascii", no_argument, NULL, O_ASCII},
        {NULL, 0, NULL, 0},
    };
    int bar = 0, bar_given = 0, list = 0, json = 0, ascii = !locale_is_utf8();
    options_begin();
    int c, rc = OPTIONS_OK;
    while (rc == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT, longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case O_BAR: rc = options_int("--bar", optarg, 0, 1000000, &bar); bar_given = 1; break;
        case O_LIST: list = 1; break;
        case O_JSON: json = 1; break;
        case O_ASCII: ascii = 1; break;
        default: return options_error("show", c, argv);
        }
    }
    if (rc != OPTIONS_OK)
        return rc;
    if (optind + 1 < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove show --help)\n", argv[optind + 1]);
        return OPTIONS_USAGE;
    }
    const char *path = optind < argc ? argv[optind] : NULL;
    if (!path) {
        fprintf(stderr, "groove: show needs a MIDI file (groove show --help)\n");
        return OPTIONS_USAGE;
    }
    if (list && json) {
        fprintf(stderr, "groove: show: --list or --json, not both (groove show --help)\n");
        return OPTIONS_USAGE;
    }
    Midi_part part;
    char err[512];
    if (midi_part_load(&part, path, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s: %s\n", path, err);
        return CMD_FAILED;
    }
    if (part.n_onsets == 0) {
        fprintf(stderr, "groove: %s: the file has no notes\n", path);
        midi_part_deinit(&part);
        return CMD_FAILED;
    }
    /* One rule for meters in every command (midi_hvo.h): the 4/4 bars from --bar on, two at
     * a time; other bars are skipped, with one line naming them. */
    char skipped[512];
    int n_skipped = midi_part_skipped_bars(&part, 0, skipped, sizeof skipped);
    Midi_window *win = NULL;
    int n_windows = bar < part.n_bars ? midi_part_windows(&part, bar, &win) : 0;
    if (bar < part.n_bars && n_windows <= 0) {
        fprintf(stderr, "groove: %s: %s\n", path, n_windows < 0 ? "out of memory" : skipped);
        midi_part_deinit(&part);
        return CMD_FAILED;
    }
    if (bar < part.n_bars && !bar_given)
        bar = win[0].bar[0];
    if (bar < part.n_bars && win[0].bar[0] != bar) {
        fprintf(stderr, "groove: %s: bar %d is not 4/4: %s\n", path, bar, skipped);
        free(win);
        midi_part_deinit(&part);
        return CMD_FAILED;
    }
    if (bar >= part.n_bars) {
        fprintf(stderr, "groove: %s: bar %d is out of range (the file has %d bar%s: 0..%d)\n", path, bar, part.n_bars,
                part.n_bars == 1 ? "" : "s", part.n_bars - 1);
        midi_part_deinit(&part);
        return CMD_FAILED;
    }
    Hvo p;
    Groove g;
    Midi_hvo_stats st;
    memset(&st, 0, sizeof st);
    midi_part_window_to_hvo(&part, win[0], &p, &st);
    midi_part_window_to_groove(&part, win[0], &g);
    double bpm = midi_part_bpm_at(&part, midi_part_bar(&part, bar).start_step);
    if (n_skipped)
        fprintf(stderr, "groove: %s: %s\n", path, skipped);
    char why[128] = "";
    int meter_ok = midi_part_check_meter(&part, why, sizeof why);
    if (json) {
        print_json(path, bar, &part, bpm, &p, &g);
    } else {
        print_summary(path, &part, bar, bpm, meter_ok, &st, &p, &g);
        if (list)
            print_list(&p, &g);
        else
            print_grid(&p, &g, win[0], ascii);
    }
    free(win);
    midi_part_deinit(&part);
    return 0;
}
