/* cmd_devices.c - `groove devices`: the audio outputs and MIDI ports groove can use. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "dev_audio.h"
#include "dev_midi.h"
#include "options.h"

int cmd_devices(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    options_begin();
    int c;
    while ((c = getopt_long(argc, argv, OPTIONS_SHORT, longopts, NULL)) != -1) {
        if (c != 'h')
            return options_error("devices", c, argv);
        printf("usage: groove devices\n"
               "  Lists the audio output devices (for --audio-device) and the MIDI ports\n"
               "  (for --midi-in / --midi-out); pass an index or a part of a name.\n");
        return 0;
    }
    if (optind < argc) {
        fprintf(stderr, "groove: devices takes no arguments ('%s')\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    printf("audio outputs:\n");
    fflush(stdout);
    audio_device_list(stdout);
    printf("MIDI ports:\n");
    midi_device_list(stdout);
    return 0;
}
