/* cmd_kits.c - `groove kits`: the drum kits groove can find, and with --load how each maps
 * onto the nine voices. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "kit.h"
#include "options.h"

#define KITS_MAX 512

static void kits_usage(FILE *out)
{
    fprintf(out,
            "usage: groove kits [--load] [KIT]\n"
            "\n"
            "Lists the drum kits groove can find: the default kit (samples/ beside the groove binary),\n"
            "user kits in $XDG_DATA_HOME/groove/kits (~/.local/share/groove/kits), Hydrogen drumkits\n"
            "in ~/.local/share/hydrogen/data/drumkits and /usr/share/hydrogen/data/drumkits.\n"
            "A user kit is a folder of kick.wav, snare.wav, closed_hat.wav, open_hat.wav, low_tom.wav,\n"
            "mid_tom.wav, high_tom.wav, crash.wav, ride.wav (or .flac/.aiff/.ogg), or a Hydrogen kit.\n"
            "\n"
            "  --load   load every kit (or just KIT) and show which sample plays each voice and\n"
            "           what was left unmapped; exits 1 if a kit fails to load\n");
}

/* Loads one kit and prints its voice map. Returns 0 or 1. */
static int kits_show(const char *name, const char *spec)
{
    Kit kit;
    char err[1024];
    if (kit_load(&kit, spec, 48000, err, sizeof err) != 0) {
        if (name == spec)   /* the one kit asked for: an error line */
            fprintf(stderr, "groove: %s\n", err);
        else
            printf("%s: FAILED: %s\n", name, err);
        return CMD_FAILED;
    }
    printf("%s (%s): %d of 9 voices\n", kit.name, kit.path, kit_voice_count(&kit));
    for (int v = 0; v < HVO_VOICES; v++) {
        const Kit_voice *kv = &kit.voices[v];
        if (kv->n_layers == 0) {
            printf("  %-10s -\n", voice_name(v));
            continue;
        }
        double seconds = 0;
        for (int l = 0; l < kv->n_layers; l++)
            seconds += (double)kv->layers[l].frames / kit.rate;
        printf("  %-10s %s (%d layer%s, %.2f s)\n", voice_name(v), kv->source, kv->n_layers,
               kv->n_layers == 1 ? "" : "s", seconds);
    }
    if (kit.n_unmapped) {
        printf("  unmapped:  ");
        int shown = kit.n_unmapped < KIT_MAX_UNMAPPED ? kit.n_unmapped : KIT_MAX_UNMAPPED;
        for (int i = 0; i < shown; i++)
            printf("%s%s", i ? ", " : "", kit.unmapped[i]);
        if (kit.n_unmapped > shown)
            printf(" and %d more", kit.n_unmapped - shown);
        printf("\n");
    }
    char line[400];
    if (kit.n_missing)
        fprintf(stderr, "groove: %s\n", kit_missing_line(&kit, line, sizeof line));
    kit_deinit(&kit);
    return 0;
}

int cmd_kits(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"load", no_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    int load = 0;
    options_begin();
    int c;
    while ((c = getopt_long(argc, argv, OPTIONS_SHORT, longopts, NULL)) != -1) {
        switch (c) {
        case 'h': kits_usage(stdout); return 0;
        case 'l': load = 1; break;
        default: return options_error("kits", c, argv);
        }
    }
    const char *only = optind < argc ? argv[optind] : NULL;
    if (optind + 1 < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove kits --help)\n", argv[optind + 1]);
        return OPTIONS_USAGE;
    }
    if (only)
        return kits_show(only, only);
    Kit_info *infos = calloc(KITS_MAX, sizeof *infos);
    if (!infos) {
        fprintf(stderr, "groove: out of memory\n");
        return CMD_FAILED;
    }
    int n = kit_list(infos, KITS_MAX);
    if (n > KITS_MAX)
        n = KITS_MAX;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        if (load)
            failed += kits_show(infos[i].name, i == 0 ? "default" : infos[i].path);
        else
            printf("%-28s %-18s %s\n", infos[i].name, infos[i].origin, infos[i].path);
    }
    free(infos);
    return failed ? CMD_FAILED : CMD_OK;
}
