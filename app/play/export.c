/* export.c - offline WAV render of the part (see export.h). */
#include "export.h"

#include "error.h"
#include "offline.h"
#include "wav.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int export_wav(const char *path, const Session *s, const Kit *kit, int rate, int n_loops, char *err,
               size_t errlen)
{
    Engine e;
    if (engine_init(&e, rate, kit) != 0) {
        return error_set(err, errlen, "out of memory");
    }
    const Session_settings *st = &s->settings;
    engine_set_bpm(&e, st->bpm);
    engine_set_swing(&e, st->swing);
    for (int v = 0; v < HVO_VOICES; v++) {
        engine_set_mute(&e, v, (int)(st->muted >> v & 1u));
        engine_set_solo(&e, v, (int)(st->soloed >> v & 1u));
    }
    engine_set_pattern(&e, &s->part);
    engine_play(&e);
    /* The loops, then the transport stops and a second rings out. */
    int64_t loops_end = (int64_t)llround(engine_frames_per_step(rate, st->bpm) * HVO_STEPS * n_loops);
    Wav_writer w;
    if (wav_writer_open(&w, path, ENGINE_CHANNELS, rate, WAV_PCM16, err, errlen) != 0) {
        engine_deinit(&e);
        return -1;
    }
    Offline_plan plan = {loops_end, rate, 0, rate, NULL, NULL, offline_wav_sink, &w};
    Offline_result r;
    int rc = offline_render(&e, &plan, &r, err, errlen);
    if (wav_writer_close(&w, rc == 0, err, errlen) != 0)
        rc = -1;
    engine_deinit(&e);
    return rc;
}
