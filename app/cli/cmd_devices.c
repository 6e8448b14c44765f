/* cmd_devices.c - `groove devices`: the audio outputs and MIDI ports groove can use. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dev_audio.h"
#include "dev_midi.h"

int cmd_devices(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: groove devices\n"
                   "  Lists the audio output devices (for --audio-device) and the MIDI ports\n"
                   "  (for --midi-in / --midi-out); pass an index or a part of a name.\n");
            return 0;
        }
        fprintf(stderr, "groove: devices takes no arguments ('%s')\n", argv[i]);
        return 2;
    }
    printf("audio outputs:\n");
    fflush(stdout);
    audio_device_list(stdout);
    printf("MIDI ports:\n");
    midi_device_list(stdout);
    return 0;
}
