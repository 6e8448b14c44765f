/* cmd_synth_kit.c - `groove synth-kit -o DIR`: writes the default kit's samples (make samples). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "drumsynth.h"
#include "hvo.h"
#include "options.h"
#include "wav.h"

#define SYNTH_KIT_RATE 48000

static void synth_kit_usage(FILE *out)
{
    fprintf(out,
            "usage: groove synth-kit -o DIR\n"
            "Synthesises the default kit (kick, snare, hats, three toms, crash, ride) with groove's own\n"
            "drum synthesis and writes DIR/kick.wav ... DIR/ride.wav: mono, 16-bit, 48 kHz.\n"
            "The output is deterministic; `make samples` runs this into samples/.\n");
}

int cmd_synth_kit(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    options_begin();
    int c;
    while ((c = getopt_long(argc, argv, OPTIONS_SHORT "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': synth_kit_usage(stdout); return 0;
        case 'o': dir = optarg; break;
        default: return options_error("synth-kit", c, argv);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove synth-kit --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    if (!dir) {
        fprintf(stderr, "groove: synth-kit needs -o DIR (groove synth-kit --help)\n");
        return OPTIONS_USAGE;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "groove: cannot create '%s': %s\n", dir, strerror(errno));
        return CMD_FAILED;
    }
    for (int v = 0; v < HVO_VOICES; v++) {
        float *data;
        int frames;
        if (drumsynth_render(v, SYNTH_KIT_RATE, &data, &frames) != 0) {
            fprintf(stderr, "groove: cannot synthesise %s: out of memory\n", voice_name(v));
            return CMD_FAILED;
        }
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, drumsynth_file_name(v));
        int rc = wav_write(path, data, frames, 1, SYNTH_KIT_RATE, WAV_PCM16, err, sizeof err);
        free(data);
        if (rc != 0) {
            fprintf(stderr, "groove: %s\n", err);
            return CMD_FAILED;
        }
        printf("%-26s %6.3f s\n", path, (double)frames / SYNTH_KIT_RATE);
    }
    return 0;
}
