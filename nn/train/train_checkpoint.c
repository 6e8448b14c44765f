/* train_checkpoint.c - atomic training checkpoints: header (config, options, step, epoch),
 * caller's extra state, weights, both Adam moments, FNV-1a checksum. */
#include "train.h"

#include "atomic_file.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CKPT_MAGIC "GRVTRAIN"
#define CKPT_VERSION 1u

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

/* FNV-1a over bytes: the checksum checkpoints were written with (a new version would close
 * with CRC-32, core/crc32.h, as every new format does). */
static uint32_t fnv1a(const unsigned char *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
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
    uint32_t sum = fnv1a((const unsigned char *)&h, sizeof h, 2166136261u);
    sum = fnv1a(extra, n_extra, sum);
    sum = fnv1a((const unsigned char *)t->params, nb, sum);
    sum = fnv1a((const unsigned char *)t->m, nb, sum);
    sum = fnv1a((const unsigned char *)t->v, nb, sum);
    Atomic_file f;
    if (atomic_file_open(&f, path, err, errlen) != 0) {
        return error_set(err, errlen, "cannot write checkpoint '%s': %s", path, strerror(errno));
    }
    /* Straight from the trainer's buffers (tens of MB), no copy into one block. */
    if (atomic_file_append(&f, &h, sizeof h, err, errlen) != 0 ||
        atomic_file_append(&f, extra, n_extra, err, errlen) != 0 ||
        atomic_file_append(&f, t->params, nb, err, errlen) != 0 ||
        atomic_file_append(&f, t->m, nb, err, errlen) != 0 ||
        atomic_file_append(&f, t->v, nb, err, errlen) != 0 ||
        atomic_file_append(&f, &sum, sizeof sum, err, errlen) != 0) {
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
    if (trainer_init(t, &h.cfg, &h.opt, h.total_steps, err, errlen) != 0) {
        fclose(f);
        return -1;
    }
    size_t nb = t->n_params * sizeof(float);
    unsigned char *ex = h.n_extra ? malloc(h.n_extra) : NULL;
    uint32_t stored = 0;
    int bad = h.n_params != t->n_params || (h.n_extra && !ex) ||
              (h.n_extra && fread(ex, h.n_extra, 1, f) != 1) || fread(t->params, nb, 1, f) != 1 ||
              fread(t->m, nb, 1, f) != 1 || fread(t->v, nb, 1, f) != 1 || fread(&stored, sizeof stored, 1, f) != 1;
    fclose(f);
    if (!bad) {
        uint32_t sum = fnv1a((const unsigned char *)&h, sizeof h, 2166136261u);
        sum = fnv1a(ex, h.n_extra, sum);
        sum = fnv1a((const unsigned char *)t->params, nb, sum);
        sum = fnv1a((const unsigned char *)t->m, nb, sum);
        sum = fnv1a((const unsigned char *)t->v, nb, sum);
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
