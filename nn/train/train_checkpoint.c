/* train_checkpoint.c - atomic training checkpoints: header (config, options, step, epoch),
 * caller's extra state, weights, both Adam moments, the weight average when the options
 * keep one, CRC-32 (version 2; version 1 closed with FNV-1a and had no average). */
#include "train.h"

#include "atomic_file.h"
#include "crc32.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CKPT_MAGIC "GRVTRAIN"
#define CKPT_VERSION 2u

typedef struct {
    char magic[8];
    uint32_t version;
    uint32_t header_bytes;
    Model_config cfg;
    Train_options opt;
    int64_t step, total_steps;
    int32_t epoch;
    uint32_t pad;
    uint64_t n_params, n_extra;
} Ckpt_header;

/* The buffers after the header and the extra state: weights, moments, the average. */
static int ckpt_buffers(const Trainer *t, float *params, float *bufs[4])
{
    bufs[0] = params, bufs[1] = t->m, bufs[2] = t->v, bufs[3] = t->ema;
    return t->ema ? 4 : 3;
}

int trainer_save_checkpoint(const Trainer *t, const char *path, const void *extra, size_t n_extra, char *err,
                            size_t errlen)
{
    Ckpt_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CKPT_MAGIC, 8);
    h.version = CKPT_VERSION;
    h.header_bytes = sizeof h;
    h.cfg = t->cfg;
    h.opt = t->opt;
    h.step = t->step;
    h.total_steps = t->total_steps;
    h.epoch = t->epoch;
    h.n_params = t->n_params;
    h.n_extra = n_extra;
    size_t nb = t->n_params * sizeof(float);
    float *bufs[4];
    /* while the average stands in for the weights, the trained weights are in ema_saved */
    int nbufs = ckpt_buffers(t, t->ema_in_use ? t->ema_saved : t->params, bufs);
    uint32_t sum = crc32_update(0, &h, sizeof h);
    sum = crc32_update(sum, extra, n_extra);
    for (int i = 0; i < nbufs; i++)
        sum = crc32_update(sum, bufs[i], nb);
    Atomic_file f;
    if (atomic_file_open(&f, path, err, errlen) != 0) {
        return error_set(err, errlen, "cannot write checkpoint '%s': %s", path, strerror(errno));
    }
    /* Straight from the trainer's buffers (tens of MB), no copy into one block. */
    int bad = atomic_file_append(&f, &h, sizeof h, err, errlen) != 0 ||
              atomic_file_append(&f, extra, n_extra, err, errlen) != 0;
    for (int i = 0; i < nbufs && !bad; i++)
        bad = atomic_file_append(&f, bufs[i], nb, err, errlen) != 0;
    if (bad || atomic_file_append(&f, &sum, sizeof sum, err, errlen) != 0) {
        atomic_file_abort(&f); /* keeps errno */
        return error_set(err, errlen, "cannot write checkpoint '%s': %s", path, strerror(errno));
    }
    if (atomic_file_commit(&f, err, errlen) != 0) {
        return error_set(err, errlen, "cannot write checkpoint '%s': %s", path, strerror(errno));
    }
    return 0;
}

int trainer_load_checkpoint(Trainer *t, const char *path, void *extra, size_t n_extra, char *err,
                            size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return error_set(err, errlen, "cannot open checkpoint '%s': %s", path, strerror(errno));
    }
    Ckpt_header h;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, CKPT_MAGIC, 8) != 0) {
        fclose(f);
        return error_set(err, errlen, "'%s' is not a groove training checkpoint", path);
    }
    if (h.version != CKPT_VERSION || h.header_bytes != sizeof h) {
        fclose(f);
        return error_set(err, errlen, "checkpoint '%s' has version %u, this build reads %u: start a new run", path,
                         h.version, CKPT_VERSION);
    }
    /* a model config no build writes: the header is damaged (the checksum would say so) */
    const char *bad_cfg = model_config_check(&h.cfg);
    if (bad_cfg) {
        fclose(f);
        return error_set(err, errlen, "checkpoint '%s' is truncated or corrupt (bad model config: %s)", path, bad_cfg);
    }
    char why[200];
    if (trainer_init(t, &h.cfg, &h.opt, h.total_steps, why, sizeof why) != 0) {
        fclose(f);
        return error_set(err, errlen, "cannot load checkpoint '%s': %s", path, why);
    }
    size_t nb = t->n_params * sizeof(float);
    unsigned char *ex = h.n_extra ? malloc(h.n_extra) : NULL;
    uint32_t stored = 0;
    float *bufs[4];
    int nbufs = ckpt_buffers(t, t->params, bufs);
    int bad = h.n_params != t->n_params || (h.n_extra && !ex) || (h.n_extra && fread(ex, h.n_extra, 1, f) != 1);
    for (int i = 0; i < nbufs && !bad; i++)
        bad = fread(bufs[i], nb, 1, f) != 1;
    bad = bad || fread(&stored, sizeof stored, 1, f) != 1;
    fclose(f);
    if (!bad) {
        uint32_t sum = crc32_update(0, &h, sizeof h);
        sum = crc32_update(sum, ex, h.n_extra);
        for (int i = 0; i < nbufs; i++)
            sum = crc32_update(sum, bufs[i], nb);
        bad = sum != stored;
    }
    if (bad) {
        free(ex);
        trainer_deinit(t);
        return error_set(err, errlen, "checkpoint '%s' is truncated or corrupt", path);
    }
    if (extra && n_extra)
        memcpy(extra, ex, h.n_extra < n_extra ? h.n_extra : n_extra);
    free(ex);
    t->step = h.step;
    t->epoch = h.epoch;
    trainer_sync_params(t);
    return 0;
}
