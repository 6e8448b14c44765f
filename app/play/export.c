/* export.c - offline WAV render of the part (see export.h). */
#include "export.h"

#include "atomic_file.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What w->state points to: the libsndfile handle and the atomic save it writes into. */
typedef struct {
    SNDFILE *sndfile;
    Atomic_file file;
} Wav_writer_state;

int wav_writer_open(Wav_writer *w, const char *path, int rate, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    if (snprintf(w->path, sizeof w->path, "%s", path) >= (int)sizeof w->path) {
        snprintf(err, errlen, "path too long");
        return -1;
    }
    Wav_writer_state *st = malloc(sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (atomic_file_open(&st->file, path, err, errlen) != 0) {
        free(st);
        return -1;
    }
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = rate;
    info.channels = ENGINE_CHANNELS;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    /* libsndfile writes into the temp file's descriptor but leaves closing it to the commit. */
    st->sndfile = sf_open_fd(st->file.fd, SFM_WRITE, &info, 0);
    if (!st->sndfile) {
        snprintf(err, errlen, "cannot write %s: %s", path, sf_strerror(NULL));
        atomic_file_abort(&st->file);
        free(st);
        return -1;
    }
    w->state = st;
    return 0;
}

int wav_writer_write(Wav_writer *w, const float *frames, int n, char *err, size_t errlen)
{
    Wav_writer_state *st = w->state;
    if (sf_writef_float(st->sndfile, frames, n) != n) {
        snprintf(err, errlen, "cannot write %s: %s", w->path, sf_strerror(st->sndfile));
        return -1;
    }
    w->frames += n;
    return 0;
}

int wav_writer_close(Wav_writer *w, int commit, char *err, size_t errlen)
{
    Wav_writer_state *st = w->state;
    if (!st)
        return 0;
    w->state = NULL;
    int rc = 0;
    if (sf_close(st->sndfile) != 0) {
        snprintf(err, errlen, "cannot write %s", w->path);
        rc = -1;
    }
    if (rc == 0 && commit)
        rc = atomic_file_commit(&st->file, err, errlen);
    else
        atomic_file_abort(&st->file);
    free(st);
    return rc;
}

int export_wav(const char *path, const Session *s, const Kit *kit, int rate, int n_loops, char *err,
               size_t errlen)
{
    Engine e;
    if (engine_init(&e, rate, kit) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
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
    int64_t total = loops_end + rate;
    Wav_writer w;
    if (wav_writer_open(&w, path, rate, err, errlen) != 0) {
        engine_deinit(&e);
        return -1;
    }
    float buf[256 * ENGINE_CHANNELS];
    int rc = 0;
    for (int64_t done = 0; done < total && rc == 0;) {
        int64_t until = done < loops_end ? loops_end : total;
        int n = until - done < 256 ? (int)(until - done) : 256;
        if (done == loops_end)
            engine_stop(&e);
        engine_render(&e, buf, n);
        rc = wav_writer_write(&w, buf, n, err, errlen);
        done += n;
    }
    if (wav_writer_close(&w, rc == 0, err, errlen) != 0)
        rc = -1;
    engine_deinit(&e);
    return rc;
}
