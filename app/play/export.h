/* export.h - the part to a WAV file: an offline render through a private engine.
 *
 * Renders n_loops loops of one pattern with a kit at a tempo and swing (mutes and solos
 * honoured), plus a second of ring-out, into a 16-bit stereo WAV written atomically (temp
 * file, fsync, rename; synth/wav.h). Its own Engine, so the live one is not disturbed.
 *
 * Control thread only (allocates, writes files). The kit is only read.
 */
#ifndef GROOVE_EXPORT_H
#define GROOVE_EXPORT_H

#include <stddef.h>

#include "engine.h"
#include "session.h"

/* Renders the session's part for n_loops loops to path. 0, or -1 with err. */
int export_wav(const char *path, const Session *s, const Kit *kit, int rate, int n_loops, char *err,
               size_t errlen);

#endif
