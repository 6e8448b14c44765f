/* train_checkpoint.c - atomic training checkpoints: header (config, options, step, epoch),
 * caller's extra state, weights, both Adam moments, FNV-1a checksum. */
#include "train.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* FNV-1a over bytes. */
static uint32_t fnv1a(const unsigned char *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* Writes all of buf or fails. */
static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
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
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write checkpoint '%s': %s", tmp, strerror(errno));
        return -1;
    }
    int bad = write_all(fd, &h, sizeof h) || write_all(fd, extra, n_extra) || write_all(fd, t->params, nb) ||
              write_all(fd, t->m, nb) || write_all(fd, t->v, nb) || write_all(fd, &sum, sizeof sum) || fsync(fd);
    if (close(fd) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write checkpoint '%s': %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int trainer_load_checkpoint(Trainer *t, const char *path, void *extra, size_t n_extra, char *err,
                            size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open checkpoint '%s': %s", path, strerror(errno));
        return -1;
    }
    Ckpt_header h;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, CKPT_MAGIC, 8) != 0) {
        fclose(f);
        snprintf(err, errlen, "'%s' is not a groove training checkpoint", path);
        return -1;
    }
    if (h.version != CKPT_VERSION || h.header_bytes != sizeof h) {
        fclose(f);
        snprintf(err, errlen, "checkpoint '%s' has version %u, this build reads %u: start a new run", path,
                 h.version, CKPT_VERSION);
        return -1;
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
        snprintf(err, errlen, "checkpoint '%s' is truncated or corrupt", path);
        return -1;
    }
    if (extra && n_extra)
        memcpy(extra, ex, h.n_extra < n_extra ? h.n_extra : n_extra);
    free(ex);
    t->step = h.step;
    t->epoch = h.epoch;
    trainer_sync_params(t);
    return 0;
}
