/* dataset.c - builds, saves and loads the binary GMD window dataset (format in dataset.h). */
#include "dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "midi_hvo.h"
#include "genre.h"
#include "bytebuf.h"
#include "error.h"
#include "le.h"

#define DATASET_MAGIC "GROOVEDS"
#define DATASET_HEADER_BYTES 28
#define DATASET_MAX_FILES 1000000
#define DATASET_MAX_WINDOWS 10000000
#define INFO_MAX_BYTES (64u << 20)

static const char *const split_names[DATASET_SPLIT_COUNT] = {"train", "validation", "test"};

const char *dataset_split_name(int split)
{
    return split >= 0 && split < DATASET_SPLIT_COUNT ? split_names[split] : "?";
}

int dataset_split_from_name(const char *name)
{
    for (int i = 0; i < DATASET_SPLIT_COUNT; i++)
        if (name && !strcmp(name, split_names[i]))
            return i;
    return -1;
}

void dataset_deinit(Dataset *d)
{
    for (int i = 0; i < d->n_files; i++)
        free(d->files[i]);
    free(d->files);
    free(d->windows);
    memset(d, 0, sizeof *d);
}

int dataset_previous(const Dataset *d, int i)
{
    if (i < 0 || i >= d->count)
        return DATASET_NO_PREVIOUS;
    const Dataset_window *w = &d->windows[i];
    if (w->bar < 2)
        return DATASET_NO_PREVIOUS;
    for (int j = i - 1; j >= 0; j--) {
        const Dataset_window *u = &d->windows[j];
        if (u->file != w->file || u->bar < w->bar - 2)
            break;
        if (u->bar == w->bar - 2)
            return j;
    }
    return DATASET_PREVIOUS_SILENT;
}

int dataset_select(const Dataset *d, int split, int kinds, int *indices)
{
    int n = 0;
    for (int i = 0; i < d->count; i++) {
        const Dataset_window *w = &d->windows[i];
        if (split >= 0 && w->split != split)
            continue;
        if (!(kinds & (w->is_fill ? DATASET_FILLS : DATASET_BEATS)))
            continue;
        if (indices)
            indices[n] = i;
        n++;
    }
    return n;
}

void dataset_count(const Dataset *d, int counts[DATASET_SPLIT_COUNT][2])
{
    memset(counts, 0, sizeof(int) * DATASET_SPLIT_COUNT * 2);
    for (int i = 0; i < d->count; i++)
        if (d->windows[i].split < DATASET_SPLIT_COUNT)
            counts[d->windows[i].split][d->windows[i].is_fill ? 1 : 0]++;
}

/* ---------------------------------------------------------------- info.csv */

/* Reads a whole text file (at most INFO_MAX_BYTES) NUL-terminated. NULL with err on failure. */
static char *read_text(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(INFO_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        error_set(err, errlen, "out of memory");
        return NULL;
    }
    size_t n = fread(buf, 1, INFO_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > INFO_MAX_BYTES) {
        free(buf);
        error_set(err, errlen, bad ? "cannot read %s" : "%s is too large", path);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

#define CSV_MAX_FIELDS 32

/* Splits one CSV line in place (double quotes allowed, "" inside quotes is a quote).
 * Advances *s past the line. Returns the number of fields. */
static int csv_line(char **s, char *fields[CSV_MAX_FIELDS])
{
    char *p = *s, *out = *s;
    int n = 0;
    fields[n++] = out;
    int quoted = 0;
    while (*p) {
        char c = *p++;
        if (quoted) {
            if (c == '"' && *p == '"') {
                *out++ = '"';
                p++;
            } else if (c == '"') {
                quoted = 0;
            } else {
                *out++ = c;
            }
        } else if (c == '"') {
            quoted = 1;
        } else if (c == ',') {
            *out++ = 0;
            if (n < CSV_MAX_FIELDS)
                fields[n++] = out;
            else
                fields[CSV_MAX_FIELDS - 1] = out; /* extra fields fold into the last */
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && *p == '\n')
                p++;
            break;
        } else {
            *out++ = c;
        }
    }
    *out = 0;
    *s = p;
    return n;
}

/* Column indices of the info.csv fields the builder needs. */
typedef struct {
    int drummer, genre, bpm, beat_type, time_signature, midi_filename, split;
} Info_columns;

static int find_column(char **fields, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(fields[i], name))
            return i;
    return -1;
}

/* ---------------------------------------------------------------- build */

/* Appends a window; grows the array. 0 or -1 when memory runs out. */
static int push_window(Dataset *d, int *cap, const Dataset_window *w)
{
    if (d->count == *cap) {
        int c = *cap ? *cap * 2 : 4096;
        if (c > DATASET_MAX_WINDOWS)
            return -1;
        Dataset_window *p = realloc(d->windows, (size_t)c * sizeof *p);
        if (!p)
            return -1;
        d->windows = p;
        *cap = c;
    }
    d->windows[d->count++] = *w;
    return 0;
}

static int push_file(Dataset *d, int *cap, const char *name)
{
    if (d->n_files == *cap) {
        int c = *cap ? *cap * 2 : 256;
        char **p = realloc(d->files, (size_t)c * sizeof *p);
        if (!p)
            return -1;
        d->files = p;
        *cap = c;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    d->files[d->n_files++] = copy;
    return 0;
}

/* Finds info.csv's columns in its header fields. Returns the largest column index a row needs,
 * or -1 when a column is missing. */
static int info_columns(char **fields, int nf, Info_columns *col)
{
    *col = (Info_columns){find_column(fields, nf, "drummer"), find_column(fields, nf, "style"),
                          find_column(fields, nf, "bpm"), find_column(fields, nf, "beat_type"),
                          find_column(fields, nf, "time_signature"), find_column(fields, nf, "midi_filename"),
                          find_column(fields, nf, "split")};
    int cols[] = {col->drummer,        col->genre,         col->bpm,  col->beat_type,
                  col->time_signature, col->midi_filename, col->split};
    int need = 0;
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        if (cols[i] < 0)
            return -1;
        if (cols[i] > need)
            need = cols[i];
    }
    return need;
}

/* Adds every 2-bar window of a part that has a hit, labelled as w is, counting them and their
 * notes in rep. Returns how many, or -1 out of memory. */
static int add_windows(Dataset *d, int *wcap, const Midi_part *part, Dataset_window *w, Dataset_report *rep)
{
    int made = 0;
    for (int bar = 0; bar < midi_part_window_count(part) && bar <= UINT16_MAX; bar++) {
        Midi_hvo_stats st;
        memset(&st, 0, sizeof st);
        if (midi_part_to_hvo(part, bar, &w->pattern, &st) == 0)
            continue;
        w->bar = (uint16_t)bar;
        hvo_flatten(&w->pattern, &w->groove);
        if (push_window(d, wcap, w) != 0)
            return -1;
        made++;
        rep->windows[w->split][w->is_fill]++;
        rep->notes += st.notes;
        rep->unmapped += st.unmapped;
        rep->collisions += st.collisions;
        for (int k = 0; k < 128; k++)
            rep->unmapped_by_note[k] += st.unmapped_by_note[k];
    }
    return made;
}

int dataset_build(Dataset *d, const char *gmd_dir, Dataset_report *report, char *err, size_t errlen)
{
    Dataset_report local;
    Dataset_report *rep = report ? report : &local;
    memset(rep, 0, sizeof *rep);
    memset(d, 0, sizeof *d);
    char path[4096];
    snprintf(path, sizeof path, "%s/info.csv", gmd_dir);
    char *text = read_text(path, err, errlen);
    if (!text)
        return -1;
    char *s = text;
    char *fields[CSV_MAX_FIELDS];
    int nf = csv_line(&s, fields);
    Info_columns col;
    int need = info_columns(fields, nf, &col);
    if (need < 0) {
        free(text);
        return error_set(err, errlen,
                         "%s lacks a column (needs drummer, style, bpm, beat_type, time_signature, midi_filename, split)",
                         path);
    }

    int wcap = 0, fcap = 0, line = 1;
    while (*s) {
        line++;
        nf = csv_line(&s, fields);
        if (nf == 1 && fields[0][0] == 0)
            continue; /* blank line */
        if (nf <= need) {
            dataset_deinit(d);
            free(text);
            return error_set(err, errlen, "%s line %d: %d fields, expected at least %d", path, line, nf, need + 1);
        }
        rep->files_listed++;
        int split = dataset_split_from_name(fields[col.split]);
        if (split < 0) {
            dataset_deinit(d);
            free(text);
            return error_set(err, errlen, "%s line %d: unknown split '%s'", path, line, fields[col.split]);
        }
        rep->files_listed_split[split]++;
        if (strcmp(fields[col.time_signature], "4-4") != 0) {
            rep->files_meter++;
            continue;
        }
        int is_fill = !strcmp(fields[col.beat_type], "fill");
        snprintf(path, sizeof path, "%s/%s", gmd_dir, fields[col.midi_filename]);
        FILE *probe = fopen(path, "rb");
        if (!probe) {
            rep->files_missing[split]++;
            continue;
        }
        fclose(probe);
        Midi_part part;
        char why[256];
        if (midi_part_load(&part, path, why, sizeof why) != 0) {
            if (!rep->files_unreadable++)
                snprintf(rep->first_problem, sizeof rep->first_problem, "%.120s: %.120s", fields[col.midi_filename], why);
            continue;
        }
        part.note_map = MIDI_MAP_DATASET; /* the GMD keeps the TD-11 map it was played on */
        if (!midi_part_check_meter(&part, why, sizeof why)) {
            rep->files_meter++;
            midi_part_deinit(&part);
            continue;
        }
        const char *dr = fields[col.drummer];
        while (*dr && (*dr < '0' || *dr > '9'))
            dr++;
        Dataset_window w;
        memset(&w, 0, sizeof w);
        w.file = (uint32_t)d->n_files;
        w.drummer = (uint16_t)atoi(dr);
        w.bpm = (float)atof(fields[col.bpm]);
        w.split = (uint8_t)split;
        w.genre = (int8_t)genre_from_name(fields[col.genre]);
        w.is_fill = (uint8_t)is_fill;
        int made = add_windows(d, &wcap, &part, &w, rep);
        if (made < 0) {
            midi_part_deinit(&part);
            dataset_deinit(d);
            free(text);
            return error_set(err, errlen, "out of memory");
        }
        midi_part_deinit(&part);
        if (!made) {
            rep->files_empty++;
            continue;
        }
        if (push_file(d, &fcap, fields[col.midi_filename]) != 0) {
            dataset_deinit(d);
            free(text);
            return error_set(err, errlen, "out of memory");
        }
        rep->files_used[split][is_fill]++;
    }
    free(text);
    return 0;
}

/* ---------------------------------------------------------------- file format */


/* FNV-1a: the checksum of dataset version 1 files (version 2 would close with CRC-32,
 * core/crc32.h, as every new format does). */
static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint8_t to_midi_velocity(float v)
{
    long m = (long)(v * 127.0f + 0.5f);
    return (uint8_t)(m < 1 ? 1 : m > 127 ? 127 : m);
}

int dataset_save(const Dataset *d, const char *path, char *err, size_t errlen)
{
    Bytebuf payload = {0};
    for (int i = 0; i < d->n_files; i++) {
        size_t n = strlen(d->files[i]);
        if (n > UINT16_MAX) {
            free(payload.data);
            return error_set(err, errlen, "file name too long");
        }
        bytebuf_put_u16(&payload, (uint16_t)n);
        bytebuf_put(&payload, d->files[i], n);
    }
    for (int i = 0; i < d->count; i++) {
        const Dataset_window *w = &d->windows[i];
        bytebuf_put_u32(&payload, w->file);
        bytebuf_put_u16(&payload, w->bar);
        bytebuf_put_u16(&payload, w->drummer);
        bytebuf_put_f32(&payload, w->bpm);
        bytebuf_put_u8(&payload, w->split);
        bytebuf_put_u8(&payload, (uint8_t)w->genre);
        bytebuf_put_u8(&payload, w->is_fill);
        int n_hits = hvo_count_hits(&w->pattern), n_taps = groove_count_hits(&w->groove);
        bytebuf_put_u8(&payload, (uint8_t)n_hits);
        bytebuf_put_u8(&payload, (uint8_t)n_taps);
        for (int t = 0; t < HVO_STEPS; t++)
            for (int v = 0; v < HVO_VOICES; v++)
                if (hvo_hit(&w->pattern, t, v) > 0.5f) {
                    bytebuf_put_u8(&payload, (uint8_t)t);
                    bytebuf_put_u8(&payload, (uint8_t)v);
                    bytebuf_put_u8(&payload, to_midi_velocity(hvo_vel(&w->pattern, t, v)));
                    bytebuf_put_f32(&payload, hvo_off(&w->pattern, t, v));
                }
        for (int t = 0; t < HVO_STEPS; t++)
            if (w->groove.g[t][0] > 0.5f) {
                bytebuf_put_u8(&payload, (uint8_t)t);
                bytebuf_put_u8(&payload, to_midi_velocity(w->groove.g[t][1]));
                bytebuf_put_f32(&payload, w->groove.g[t][2]);
            }
    }
    if (payload.oom || payload.len > UINT32_MAX) {
        free(payload.data);
        return error_set(err, errlen, payload.oom ? "out of memory" : "dataset too large");
    }
    Bytebuf file = {0};
    bytebuf_put(&file, DATASET_MAGIC, 8);
    bytebuf_put_u32(&file, DATASET_VERSION);
    bytebuf_put_u32(&file, (uint32_t)d->n_files);
    bytebuf_put_u32(&file, (uint32_t)d->count);
    bytebuf_put_u32(&file, (uint32_t)payload.len);
    bytebuf_put_u32(&file, fnv1a(payload.data, payload.len));
    bytebuf_put(&file, payload.data, payload.len);
    free(payload.data);
    if (file.oom) {
        free(file.data);
        return error_set(err, errlen, "out of memory");
    }
    int rc = atomic_file_write(path, file.data, file.len, err, errlen);
    free(file.data);
    return rc;
}

/* A bounds-checked little-endian reader; any read past the end sets bad. */
typedef struct {
    const uint8_t *p, *end;
    int bad;
} Reader;

static const uint8_t *take(Reader *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    return p;
}
static uint8_t get_u8(Reader *r)
{
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}
static uint16_t get_u16(Reader *r)
{
    const uint8_t *p = take(r, 2);
    return p ? le_get_u16(p) : 0;
}
static uint32_t get_u32(Reader *r)
{
    const uint8_t *p = take(r, 4);
    return p ? le_get_u32(p) : 0;
}
static float get_f32(Reader *r)
{
    const uint8_t *p = take(r, 4);
    return p ? le_get_f32(p) : 0.0f;
}

/* Reads a dataset file's header and payload, checking magic, version, counts, length and
 * checksum. The payload (caller frees) and its counts come back. 0, or -1 with err. */
static int dataset_read_payload(const char *path, uint8_t **payload, uint32_t *bytes, uint32_t *n_files,
                                uint32_t *n_windows, char *err, size_t errlen)
{
    *payload = NULL;
    *bytes = *n_files = *n_windows = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return error_set(err, errlen, "cannot open %s: %s (build it with: groove dataset --gmd DIR -o %s)", path,
                         strerror(errno), path);
    uint8_t head[DATASET_HEADER_BYTES];
    if (fread(head, 1, sizeof head, f) != sizeof head || memcmp(head, DATASET_MAGIC, 8) != 0) {
        fclose(f);
        return error_set(err, errlen, "%s is not a groove dataset file (build it with: groove dataset)", path);
    }
    Reader h = {head + 8, head + sizeof head, 0};
    uint32_t version = get_u32(&h);
    *n_files = get_u32(&h);
    *n_windows = get_u32(&h);
    *bytes = get_u32(&h);
    uint32_t sum = get_u32(&h);
    if (version != DATASET_VERSION) {
        fclose(f);
        return error_set(err, errlen,
                         "%s is dataset version %u, this groove reads version %d: rebuild it with groove dataset", path,
                         version, DATASET_VERSION);
    }
    if (*n_files > DATASET_MAX_FILES || *n_windows > DATASET_MAX_WINDOWS) {
        fclose(f);
        return error_set(err, errlen, "%s: absurd counts (%u files, %u windows)", path, *n_files, *n_windows);
    }
    /* Every window takes at least 15 bytes, every file name 2: the payload bounds the counts. */
    if ((uint64_t)*n_windows * 15 + (uint64_t)*n_files * 2 > *bytes) {
        fclose(f);
        return error_set(err, errlen, "%s: payload too small for its counts (truncated?)", path);
    }
    *payload = malloc(*bytes ? *bytes : 1);
    if (!*payload) {
        fclose(f);
        return error_set(err, errlen, "out of memory");
    }
    size_t got = fread(*payload, 1, *bytes, f);
    fclose(f);
    if (got != *bytes || fnv1a(*payload, *bytes) != sum) {
        free(*payload);
        *payload = NULL;
        if (got != *bytes)
            return error_set(err, errlen, "%s is truncated (%zu of %u payload bytes)", path, got, *bytes);
        return error_set(err, errlen, "%s: checksum mismatch (corrupt file; rebuild it)", path);
    }
    return 0;
}

/* Decodes one window (labels, hits, groove taps) from r. NULL, or what is wrong with it. */
static const char *decode_window(Reader *r, Dataset_window *w, uint32_t n_files)
{
    const char *bad = NULL;
    memset(w, 0, sizeof *w);
    w->file = get_u32(r);
    w->bar = get_u16(r);
    w->drummer = get_u16(r);
    w->bpm = get_f32(r);
    w->split = get_u8(r);
    w->genre = (int8_t)get_u8(r);
    w->is_fill = get_u8(r);
    int n_hits = get_u8(r), n_taps = get_u8(r);
    if (w->file >= n_files || w->split >= DATASET_SPLIT_COUNT || w->genre < -1 || w->genre >= GENRE_COUNT ||
        w->is_fill > 1)
        bad = "bad window labels";
    for (int k = 0; k < n_hits && !r->bad && !bad; k++) {
        int t = get_u8(r), v = get_u8(r), vel = get_u8(r);
        float off = get_f32(r);
        if (t >= HVO_STEPS || v >= HVO_VOICES || vel < 1 || vel > 127 || !(off >= -0.5f && off <= 0.5f))
            bad = "bad hit";
        else
            hvo_set(&w->pattern, t, v, 1, vel / 127.0f, off);
    }
    for (int k = 0; k < n_taps && !r->bad && !bad; k++) {
        int t = get_u8(r), vel = get_u8(r);
        float off = get_f32(r);
        if (t >= HVO_STEPS || vel < 1 || vel > 127 || !(off >= -0.5f && off <= 0.5f)) {
            bad = "bad groove tap";
        } else {
            w->groove.g[t][0] = 1.0f;
            w->groove.g[t][1] = vel / 127.0f;
            w->groove.g[t][2] = off;
        }
    }
    return bad;
}

int dataset_load(Dataset *d, const char *path, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    uint8_t *payload;
    uint32_t bytes, n_files, n_windows;
    if (dataset_read_payload(path, &payload, &bytes, &n_files, &n_windows, err, errlen) != 0)
        return -1;
    d->files = calloc(n_files ? n_files : 1, sizeof *d->files);
    d->windows = malloc((size_t)(n_windows ? n_windows : 1) * sizeof *d->windows);
    if (!d->files || !d->windows) {
        free(payload);
        dataset_deinit(d);
        return error_set(err, errlen, "out of memory");
    }
    Reader r = {payload, payload + bytes, 0};
    for (uint32_t i = 0; i < n_files && !r.bad; i++) {
        uint16_t n = get_u16(&r);
        const uint8_t *name = take(&r, n);
        if (!name)
            break;
        d->files[i] = malloc((size_t)n + 1);
        if (!d->files[i]) {
            free(payload);
            dataset_deinit(d);
            return error_set(err, errlen, "out of memory");
        }
        memcpy(d->files[i], name, n);
        d->files[i][n] = 0;
        d->n_files = (int)i + 1;
    }
    const char *bad = NULL;
    for (uint32_t i = 0; i < n_windows && !r.bad && !bad; i++) {
        bad = decode_window(&r, &d->windows[i], n_files);
        d->count = (int)i + 1;
    }
    int trailing = r.p != r.end;
    free(payload);
    if (r.bad || bad || trailing || d->n_files != (int)n_files || d->count != (int)n_windows) {
        dataset_deinit(d);
        return error_set(err, errlen, "%s: malformed payload (%s)", path,
                         bad ? bad : r.bad ? "runs past its end" : "trailing bytes");
    }
    return 0;
}
