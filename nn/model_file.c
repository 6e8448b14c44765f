/* model_file.c - read and write the versioned model file (layout in model_file.h). */
#include "model_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "crc32.h"
#include "error.h"
#include "le.h"

/* Header bytes before the tensor table: magic, version, field count, fields, n_tensors,
 * reserved, n_floats. 92 for version 1 (15 fields), 100 for version 2 (17). */
static size_t header_bytes(int n_fields) { return 16 + 4 * (size_t)n_fields + 16; }

/* The version a config is written as: 1 when it needs none of version 2's fields, so files
 * of models without input kinds or memory stay readable by older builds. */
static uint32_t config_version(const Model_config *c) { return c->n_kinds || c->has_memory ? 2u : 1u; }
static int version_fields(uint32_t version) { return version == 1 ? MODEL_FILE_V1_CONFIG_FIELDS : MODEL_FILE_CONFIG_FIELDS; }
#define ENTRY_BYTES 64

static void config_to_fields(const Model_config *c, int32_t f[MODEL_FILE_CONFIG_FIELDS])
{
    int32_t v[MODEL_FILE_CONFIG_FIELDS] = {
        c->input_dim, c->steps,     c->output_dim, c->enc_d,    c->enc_heads,
        c->enc_ff,    c->enc_layers, c->dec_d,     c->dec_heads, c->dec_ff,
        c->dec_layers, c->latent,   c->n_genres,   c->has_fill, c->n_mute_groups,
        c->n_kinds,   c->has_memory,
    };
    memcpy(f, v, sizeof v);
}

static void fields_to_config(const int32_t f[MODEL_FILE_CONFIG_FIELDS], Model_config *c)
{
    c->input_dim = f[0];
    c->steps = f[1];
    c->output_dim = f[2];
    c->enc_d = f[3];
    c->enc_heads = f[4];
    c->enc_ff = f[5];
    c->enc_layers = f[6];
    c->dec_d = f[7];
    c->dec_heads = f[8];
    c->dec_ff = f[9];
    c->dec_layers = f[10];
    c->latent = f[11];
    c->n_genres = f[12];
    c->has_fill = f[13];
    c->n_mute_groups = f[14];
    c->n_kinds = f[15];
    c->has_memory = f[16];
}

/* ---------------------------------------------------------------- writing */

typedef struct {
    uint8_t *table;     /* where the next entry goes */
    uint64_t offset;    /* next tensor's offset in floats */
    int count;
} Table_writer;

static void add_entry(Table_writer *t, const char *name, int rows, int cols)
{
    memset(t->table, 0, ENTRY_BYTES);
    strncpy((char *)t->table, name, MODEL_FILE_NAME_LEN - 1);
    le_put_u32(t->table + 48, (uint32_t)rows);
    le_put_u32(t->table + 52, (uint32_t)cols);
    le_put_u64(t->table + 56, t->offset);
    t->table += ENTRY_BYTES;
    t->offset += (uint64_t)rows * (uint64_t)cols;
    t->count++;
}

static void count_tensor(void *ctx, const char *name, int rows, int cols, float *data)
{
    (void)name, (void)rows, (void)cols, (void)data;
    (*(int *)ctx)++;
}

static void entry_tensor(void *ctx, const char *name, int rows, int cols, float *data)
{
    (void)data;
    add_entry(ctx, name, rows, cols);
}

int model_file_encode(const Model_config *config, const float *params,
                      const Model_file_tensor *extra, int n_extra, uint8_t **out, size_t *len,
                      char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    const char *bad = model_config_check(config);
    if (bad) {
        return error_set(err, errlen, "bad model config: %s", bad);
    }
    for (int i = 0; i < n_extra; i++)
        if (!extra[i].name || strlen(extra[i].name) >= MODEL_FILE_NAME_LEN || extra[i].rows < 1 ||
            extra[i].cols < 1 || !extra[i].data) {
            return error_set(err, errlen, "bad extra tensor %d", i);
        }
    Model_params p;
    model_params_bind(&p, config, (float *)params);
    int n_weights = 0;
    model_params_visit(&p, config, count_tensor, &n_weights);
    size_t n_params = model_params_count(config);
    size_t n_floats = n_params;
    for (int i = 0; i < n_extra; i++)
        n_floats += (size_t)extra[i].rows * extra[i].cols;
    int n_tensors = n_weights + n_extra;
    uint32_t version = config_version(config);
    int n_fields = version_fields(version);
    size_t hb = header_bytes(n_fields);
    size_t size = hb + (size_t)n_tensors * ENTRY_BYTES + 4 * n_floats + 4;
    if (size > MODEL_FILE_MAX_BYTES) {
        return error_set(err, errlen, "model too large (%zu bytes)", size);
    }
    uint8_t *buf = calloc(1, size);
    if (!buf) {
        return error_set(err, errlen, "out of memory");
    }
    memcpy(buf, MODEL_FILE_MAGIC, 8);
    le_put_u32(buf + 8, version);
    le_put_u32(buf + 12, (uint32_t)n_fields);
    int32_t fields[MODEL_FILE_CONFIG_FIELDS];
    config_to_fields(config, fields);
    for (int i = 0; i < n_fields; i++)
        le_put_u32(buf + 16 + 4 * i, (uint32_t)fields[i]);
    uint8_t *tail = buf + 16 + 4 * n_fields;
    le_put_u32(tail, (uint32_t)n_tensors);
    le_put_u32(tail + 4, 0);
    le_put_u64(tail + 8, n_floats);
    Table_writer t = {buf + hb, 0, 0};
    model_params_visit(&p, config, entry_tensor, &t);
    for (int i = 0; i < n_extra; i++)
        add_entry(&t, extra[i].name, extra[i].rows, extra[i].cols);
    uint8_t *data = t.table;
    for (size_t i = 0; i < n_params; i++)
        le_put_f32(data + 4 * i, params[i]);
    size_t at = n_params;
    for (int e = 0; e < n_extra; e++) {
        size_t n = (size_t)extra[e].rows * extra[e].cols;
        for (size_t i = 0; i < n; i++)
            le_put_f32(data + 4 * (at + i), extra[e].data[i]);
        at += n;
    }
    le_put_u32(buf + size - 4, crc32_update(0, buf, size - 4));
    *out = buf;
    *len = size;
    return 0;
}

int model_file_write(const char *path, const Model_config *config, const float *params,
                     const Model_file_tensor *extra, int n_extra, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    if (model_file_encode(config, params, extra, n_extra, &buf, &len, err, errlen))
        return -1;
    int rc = atomic_file_write(path, buf, len, err, errlen);
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------- reading */

typedef struct {
    const uint8_t *table;
    int index;
    int n_tensors;
    int bad;            /* set at the first mismatch */
    char *err;
    size_t errlen;
} Table_reader;

/* Checks that the next table entry is the weight tensor the config expects. */
static void expect_tensor(void *ctx, const char *name, int rows, int cols, float *data)
{
    (void)data;
    Table_reader *t = ctx;
    if (t->bad)
        return;
    if (t->index >= t->n_tensors) {
        snprintf(t->err, t->errlen, "tensor table ends before '%s'", name);
        t->bad = 1;
        return;
    }
    const uint8_t *e = t->table + (size_t)t->index * ENTRY_BYTES;
    char got[MODEL_FILE_NAME_LEN + 1];
    memcpy(got, e, MODEL_FILE_NAME_LEN);
    got[MODEL_FILE_NAME_LEN] = 0;
    if (strcmp(got, name)) {
        snprintf(t->err, t->errlen, "tensor %d is '%.48s', expected '%s'", t->index, got, name);
        t->bad = 1;
    } else if (le_get_u32(e + 48) != (uint32_t)rows || le_get_u32(e + 52) != (uint32_t)cols) {
        snprintf(t->err, t->errlen, "tensor '%s' is %ux%u, expected %dx%d", name, le_get_u32(e + 48),
                 le_get_u32(e + 52), rows, cols);
        t->bad = 1;
    }
    t->index++;
}

/* Checks a model file's frame: magic, version, field count, sizes against the header, the
 * checksum. Fills the config field count, the header's bytes, the tensor count and the float
 * count. 0, or -1 with err. */
static int check_frame(const uint8_t *data, size_t size, int *fields_out, size_t *header_out, uint32_t *tensors_out,
                       uint64_t *floats_out, char *err, size_t errlen)
{
    if (size < 8 || memcmp(data, MODEL_FILE_MAGIC, 8)) {
        return error_set(err, errlen, "not a groove model file (bad magic)");
    }
    if (size < header_bytes(MODEL_FILE_V1_CONFIG_FIELDS) + 4) {
        return error_set(err, errlen, "truncated model file (%zu bytes)", size);
    }
    uint32_t version = le_get_u32(data + 8);
    if (version < 1 || version > MODEL_FILE_VERSION) {
        return error_set(err, errlen, "model file version %u, this build reads versions 1 to %u", version,
                         MODEL_FILE_VERSION);
    }
    int n_fields = version_fields(version);
    size_t hb = header_bytes(n_fields);
    if (le_get_u32(data + 12) != (uint32_t)n_fields) {
        return error_set(err, errlen, "model file has %u config fields, expected %d", le_get_u32(data + 12), n_fields);
    }
    if (size < hb + 4) {
        return error_set(err, errlen, "truncated model file (%zu bytes)", size);
    }
    const uint8_t *tail = data + 16 + 4 * n_fields;
    uint32_t n_tensors = le_get_u32(tail);
    uint64_t n_floats = le_get_u64(tail + 8);
    if (n_tensors > 100000 || n_floats > MODEL_FILE_MAX_BYTES / 4) {
        return error_set(err, errlen, "corrupt model file (absurd sizes)");
    }
    uint64_t expect = hb + (uint64_t)n_tensors * ENTRY_BYTES + 4 * n_floats + 4;
    if (size != expect) {
        return error_set(err, errlen, "%s model file (%zu bytes, header says %llu)",
                         size < expect ? "truncated" : "corrupt", size, (unsigned long long)expect);
    }
    uint32_t crc = le_get_u32(data + size - 4);
    if (crc32_update(0, data, size - 4) != crc) {
        return error_set(err, errlen, "corrupt model file (checksum mismatch)");
    }
    *fields_out = n_fields;
    *header_out = hb;
    *tensors_out = n_tensors;
    *floats_out = n_floats;
    return 0;
}

int model_file_decode(const uint8_t *data, size_t size, Model_config *config, float **params,
                      Model_file_extras *extras, char *err, size_t errlen)
{
    *params = NULL;
    if (extras)
        memset(extras, 0, sizeof *extras);
    int n_fields = 0;
    size_t hb = 0;
    uint32_t n_tensors = 0;
    uint64_t n_floats = 0;
    if (check_frame(data, size, &n_fields, &hb, &n_tensors, &n_floats, err, errlen) != 0)
        return -1;
    int32_t fields[MODEL_FILE_CONFIG_FIELDS] = {0};   /* version 1: no kinds, no memory */
    for (int i = 0; i < n_fields; i++)
        fields[i] = (int32_t)le_get_u32(data + 16 + 4 * i);
    Model_config c;
    fields_to_config(fields, &c);
    const char *bad = model_config_check(&c);
    if (bad) {
        return error_set(err, errlen, "bad model config in file: %s", bad);
    }
    /* The weights: the table must list them in layout order, from offset 0, end to end. */
    const uint8_t *table = data + hb;
    Table_reader t = {table, 0, (int)n_tensors, 0, err, errlen};
    Model_params p;
    model_params_bind(&p, &c, NULL);
    model_params_visit(&p, &c, expect_tensor, &t);
    if (t.bad)
        return -1;
    size_t n_params = model_params_count(&c);
    if (n_params > n_floats) {
        return error_set(err, errlen, "data block holds %llu floats, the weights need %zu",
                         (unsigned long long)n_floats, n_params);
    }
    uint64_t next = 0;
    for (int i = 0; i < t.index; i++) {
        const uint8_t *e = table + (size_t)i * ENTRY_BYTES;
        if (le_get_u64(e + 56) != next) {
            return error_set(err, errlen, "tensor %d is not where the layout puts it", i);
        }
        next += (uint64_t)le_get_u32(e + 48) * le_get_u32(e + 52);
    }
    /* Extras: each must lie inside the data block. */
    const uint8_t *block = table + (size_t)n_tensors * ENTRY_BYTES;
    for (uint32_t i = (uint32_t)t.index; i < n_tensors; i++) {
        const uint8_t *e = table + (size_t)i * ENTRY_BYTES;
        uint64_t rows = le_get_u32(e + 48), cols = le_get_u32(e + 52), off = le_get_u64(e + 56);
        if (rows * cols > n_floats || off > n_floats - rows * cols) {
            return error_set(err, errlen, "extra tensor %u lies outside the data block", i);
        }
        int keys = extras && !memcmp(e, "thresholds_keys", 16);
        if (extras && (keys || !memcmp(e, "thresholds", 11))) {
            const char *name = keys ? "thresholds_keys" : "thresholds";
            if (rows * cols != HVO_VOICES) {
                return error_set(err, errlen, "'%s' holds %llu values, expected %d", name,
                                 (unsigned long long)(rows * cols), HVO_VOICES);
            }
            float *to = keys ? extras->thresholds_keys : extras->thresholds;
            for (int v = 0; v < HVO_VOICES; v++) {
                float th = le_get_f32(block + 4 * (off + v));
                if (!(th >= 0.0f && th <= 1.0f)) {
                    return error_set(err, errlen, "'%s' value at index %d out of [0, 1]", name, v);
                }
                to[v] = th;
            }
            *(keys ? &extras->has_thresholds_keys : &extras->has_thresholds) = 1;
        }
        if (extras && !memcmp(e, "memory_gate", 12)) {
            float gate = le_get_f32(block + 4 * off);
            if (rows * cols != 1 || !(gate >= 0.0f && gate <= 32.0f) || gate != (float)(int)gate) {
                return error_set(err, errlen, "'memory_gate' must be one whole number of steps in [0, 32]");
            }
            extras->memory_gate = gate;
            extras->has_memory_gate = 1;
        }
    }
    float *w = malloc(n_params * sizeof *w);
    if (!w) {
        return error_set(err, errlen, "out of memory for %zu weights", n_params);
    }
    for (size_t i = 0; i < n_params; i++) {
        w[i] = le_get_f32(block + 4 * i);
        if (w[i] != w[i] || w[i] > 1e30f || w[i] < -1e30f) {
            error_set(err, errlen, "weight %zu is not a finite number", i);
            free(w);
            return -1;
        }
    }
    *config = c;
    *params = w;
    return 0;
}

int model_file_read(const char *path, Model_config *config, float **params,
                    Model_file_extras *extras, char *err, size_t errlen)
{
    *params = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        return error_set(err, errlen, "%s", strerror(errno));
    }
    struct stat st = {0};
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        error_set(err, errlen, "%s", S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        fclose(f);
        return -1;
    }
    uint8_t *buf = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        error_set(err, errlen, "cannot read (not a regular file?)");
        fclose(f);
        return -1;
    }
    if ((unsigned long)size > MODEL_FILE_MAX_BYTES) {
        error_set(err, errlen, "file too large for a model (%ld bytes)", size);
        fclose(f);
        return -1;
    }
    buf = malloc(size ? (size_t)size : 1);
    if (!buf) {
        error_set(err, errlen, "out of memory");
        fclose(f);
        return -1;
    }
    size_t got = fread(buf, 1, (size_t)size, f);
    int read_error = ferror(f);
    fclose(f);
    if (read_error || got != (size_t)size) {
        error_set(err, errlen, "read error");
        free(buf);
        return -1;
    }
    int rc = model_file_decode(buf, got, config, params, extras, err, errlen);
    free(buf);
    return rc;
}
