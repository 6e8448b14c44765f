/* commands.h - the subcommands of the groove binary.
 *
 * Each takes the arguments after its own name (argv[0] is the command name) and returns
 * the process exit status, a Cmd_status. Every command answers --help. main.c holds the
 * table that maps names to these.
 */
#ifndef GROOVE_COMMANDS_H
#define GROOVE_COMMANDS_H

#include "options.h"

/* A command's exit status. */
typedef enum {
    CMD_OK = 0,                 /* done */
    CMD_FAILED = 1,             /* bad input or a failure, said in one "groove: ..." line */
    CMD_USAGE = OPTIONS_USAGE   /* 2: a usage error, said in one line (core/options.h) */
} Cmd_status;

int cmd_show(int argc, char **argv);       /* print a MIDI file's 2 bars as a grid */
int cmd_dataset(int argc, char **argv);    /* build the binary dataset from GMD */
int cmd_generate(int argc, char **argv);   /* groove MIDI -> drum MIDI with the model */
int cmd_train(int argc, char **argv);      /* train the model */
int cmd_eval(int argc, char **argv);       /* evaluate a model on a dataset split */
int cmd_bench(int argc, char **argv);      /* benchmarks: inference (app/cmd_bench.c) */
int cmd_bench_train(int argc, char **argv); /* groove bench --train (app/cmd_bench_train.c) */
int cmd_bench_audio(int argc, char **argv); /* groove bench --audio (app/cmd_bench_audio.c) */
int cmd_render(int argc, char **argv);     /* drum MIDI -> WAV with a kit */
int cmd_kits(int argc, char **argv);       /* list the kits it can find */
int cmd_devices(int argc, char **argv);    /* list audio and MIDI devices */
int cmd_synth_kit(int argc, char **argv);  /* synthesize the default kit into a folder */
int cmd_run(int argc, char **argv);        /* the instrument (TUI); the default command */

#endif
