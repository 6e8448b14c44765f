/* render_session.h - songs to files: the mix, stems and MIDI of a Song (app/play/song.h), for
 * `groove render --session` (cmd_render_session.c) and the TUI's Ctrl-E export. */
#ifndef GROOVE_RENDER_SESSION_H
#define GROOVE_RENDER_SESSION_H

#include <stddef.h>

#include "kit.h"
#include "song.h"

/* Writes what is asked (NULL: skipped): the mix WAV, the stems folder (created; one
 * VOICE.wav per voice that plays, stereo or mono, each as long as the mix), the MIDI file
 * (one track, or a track per voice with `tracks`). A one-line summary goes to report.
 * 0, or -1 with err. */
int render_song_files(const Song *song, const Kit *kit, int rate, const char *mix_path, const char *stems_dir,
                      int mono, const char *midi_path, int tracks, char *report, size_t report_len, char *err,
                      size_t errlen);
/* `groove render --session FILE ...` (cmd_render hands over to it). */
int cmd_render_session(int argc, char **argv);

#endif
