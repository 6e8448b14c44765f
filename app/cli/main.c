/* main.c - the groove binary: dispatches to a subcommand (app/cmd_*.c). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "model.h"

#ifndef GROOVE_VERSION
#define GROOVE_VERSION "unknown"
#endif

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static const Command commands[] = {
    {"run", cmd_run, "the instrument: play a groove, hear a drum part (default)"},
    {"show", cmd_show, "print a MIDI file's first 2 bars as a grid"},
    {"generate", cmd_generate, "turn any MIDI file into a drum part with the model"},
    {"render", cmd_render, "render a drum MIDI file to WAV with a kit"},
    {"kits", cmd_kits, "list the drum kits groove can find"},
    {"devices", cmd_devices, "list audio and MIDI devices"},
    {"dataset", cmd_dataset, "build the training dataset from the Groove MIDI Dataset"},
    {"train", cmd_train, "train the model in C"},
    {"eval", cmd_eval, "evaluate a model on a dataset split"},
    {"bench", cmd_bench, "benchmarks: inference, training, audio"},
    {"synth-kit", cmd_synth_kit, "synthesize the default kit's samples"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "groove - a terminal drum instrument: play a rhythm, a transformer drums along.\n"
            "\n"
            "usage: groove [COMMAND] [ARGS...]     (no command: the instrument)\n"
            "       groove COMMAND --help           (or groove help COMMAND)\n"
            "       groove --version                (the version and the model it would load)\n"
            "\n"
            "commands:\n");
    for (const Command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "help")) { /* groove help CMD: CMD --help */
        static char help_flag[] = "--help";
        argv[1] = argv[2];
        argv[2] = help_flag;
    }
    if (argc > 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help") ||
                     !strcmp(argv[1], "--version"))) {
        fprintf(stderr, "groove: %s takes no arguments ('%s'; groove COMMAND --help for a command's)\n", argv[1],
                argv[2]);
        return CMD_USAGE;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        const char *model = model_default_path();
        printf("groove %s\nmodel: %s (%s)\n", GROOVE_VERSION, model,
               access(model, R_OK) == 0 ? "found" : "missing: the instrument would play with random weights");
        return 0;
    }
    const char *name = "run";
    int first = 1;
    /* No command, or options only: the instrument. */
    if (argc >= 2 && argv[1][0] != '-') {
        name = argv[1];
        first = 2;
    }
    for (const Command *c = commands; c->name; c++)
        if (!strcmp(c->name, name)) {
            /* The command sees its own name as argv[0]. */
            argv[first - 1] = (char *)c->name;
            return c->run(argc - first + 1, argv + first - 1);
        }
    fprintf(stderr, "groove: unknown command '%s' (groove --help lists them)\n", name);
    return CMD_USAGE;
}
