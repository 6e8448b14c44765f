/* smf.c - Standard MIDI File reader and writer (format 0/1 in, format 0 or 1 out). */
#include "smf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "bytebuf.h"
#include "error.h"

/* ---------------------------------------------------------------- helpers */

/* Formats a reason into err (when given) and returns -1. */
/* A growable array of fixed-size elements; capacity never exceeds what the file can hold. */
typedef struct {
    void *data;
    int count, cap;
    size_t size;
} Vec;

/* Appends one element; returns 0 or -1 when memory runs out. */
static int vec_push(Vec *v, const void *elem)
{
    if (v->count == v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        void *p = realloc(v->data, (size_t)cap * v->size);
        if (!p)
            return -1;
        v->data = p;
        v->cap = cap;
    }
    memcpy((char *)v->data + (size_t)v->count * v->size, elem, v->size);
    v->count++;
    return 0;
}

/* Stable merge sort of n elements of `size` bytes whose first member is a uint32_t tick.
 * Returns 0, or -1 when the scratch buffer cannot be allocated. */
static int sort_by_tick(void *base, size_t n, size_t size)
{
    if (n < 2)
        return 0;
    char *a = base;
    char *tmp = malloc(n * size);
    if (!tmp)
        return -1;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                uint32_t ti, tj;
                memcpy(&ti, a + i * size, sizeof ti);
                memcpy(&tj, a + j * size, sizeof tj);
                if (tj < ti)
                    memcpy(tmp + (k++) * size, a + (j++) * size, size);
                else
                    memcpy(tmp + (k++) * size, a + (i++) * size, size);
            }
            while (i < mid)
                memcpy(tmp + (k++) * size, a + (i++) * size, size);
            while (j < hi)
                memcpy(tmp + (k++) * size, a + (j++) * size, size);
        }
        memcpy(a, tmp, n * size);
    }
    free(tmp);
    return 0;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* ---------------------------------------------------------------- reader */

/* A cursor over one track chunk. */
typedef struct {
    const uint8_t *p, *end;
} Cursor;

/* Reads a variable-length number (at most 4 bytes, 28 bits). 0, or -1 when it is
 * truncated or longer than 4 bytes. */
static int read_vlq(Cursor *c, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        if (c->p >= c->end)
            return -1;
        uint8_t b = *c->p++;
        v = (v << 7) | (b & 0x7f);
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* Everything one read collects before it is handed to the Smf. */
typedef struct {
    Vec notes, tempos, sigs, programs, escapes;
    uint32_t end_tick;
    int skipped;
} Collect;

/* Parses one meta event (type, length, data; the 0xff is read) at c into col: tempos and time
 * signatures are kept, others counted as skipped. Returns 0, 1 at the end of the track, or -1
 * with err. */
static int read_meta(Collect *col, int track, Cursor *c, uint64_t tick, char *err, size_t errlen)
{
    if (c->p >= c->end)
        return error_set(err, errlen, "track %d: truncated meta event", track + 1);
    uint8_t type = *c->p++;
    uint32_t mlen;
    if (read_vlq(c, &mlen) != 0)
        return error_set(err, errlen, "track %d: bad meta event length", track + 1);
    if (mlen > (size_t)(c->end - c->p))
        return error_set(err, errlen, "track %d: meta event length %u runs past the end of the track",
                    track + 1, mlen);
    const uint8_t *m = c->p;
    c->p += mlen;
    if (type == 0x2f)
        return 1; /* end of track: anything after it is ignored */
    if (type == 0x51 && mlen == 3) {
        Smf_tempo t = {(uint32_t)tick, (uint32_t)m[0] << 16 | (uint32_t)m[1] << 8 | m[2]};
        if (t.us_per_quarter == 0) {
            col->skipped++;
            return 0;
        }
        if (vec_push(&col->tempos, &t) != 0)
            return error_set(err, errlen, "out of memory");
    } else if (type == 0x58 && mlen >= 2) {
        if (m[0] == 0 || m[1] > 6)
            return error_set(err, errlen, "track %d: bad time signature %u/2^%u", track + 1, m[0], m[1]);
        Smf_time_sig s = {(uint32_t)tick, m[0], (uint8_t)(1u << m[1])};
        if (vec_push(&col->sigs, &s) != 0)
            return error_set(err, errlen, "out of memory");
    } else {
        col->skipped++;
    }
    return 0;
}

/* Parses one MTrk chunk body into col. Returns 0 or -1 with err. */
static int read_track(Collect *col, int track, const uint8_t *data, size_t len, char *err, size_t errlen)
{
    Cursor c = {data, data + len};
    uint64_t tick = 0;
    uint8_t status = 0; /* running status: 0 = none yet */
    while (c.p < c.end) {
        uint32_t delta;
        if (read_vlq(&c, &delta) != 0)
            return error_set(err, errlen, "track %d: bad variable-length delta time at byte %td", track + 1,
                        c.p - data);
        tick += delta;
        if (tick > SMF_MAX_TICK)
            return error_set(err, errlen, "track %d: event time past %u ticks", track + 1, SMF_MAX_TICK);
        if (c.p >= c.end)
            return error_set(err, errlen, "track %d: truncated event at its end", track + 1);
        if ((uint32_t)tick > col->end_tick)
            col->end_tick = (uint32_t)tick;
        uint8_t b = *c.p;
        if (b & 0x80) {
            c.p++;
            if (b < 0xf0)
                status = b;
        } else if (!status) {
            return error_set(err, errlen, "track %d: data byte 0x%02x with no status before it", track + 1, b);
        } else {
            b = status;
        }
        if (b == 0xff) {
            int rc = read_meta(col, track, &c, tick, err, errlen);
            if (rc != 0)
                return rc > 0 ? 0 : -1;
        } else if (b == 0xf0 || b == 0xf7) {
            /* Sysex (skipped) or an escape (kept when short): length, data. */
            uint32_t slen;
            if (read_vlq(&c, &slen) != 0)
                return error_set(err, errlen, "track %d: bad sysex length", track + 1);
            if (slen > (size_t)(c.end - c.p))
                return error_set(err, errlen, "track %d: sysex length %u runs past the end of the track", track + 1,
                            slen);
            if (b == 0xf7 && slen >= 1 && slen <= SMF_ESCAPE_MAX) {
                Smf_escape e = {(uint32_t)tick, (uint8_t)slen, {0}};
                memcpy(e.bytes, c.p, slen);
                if (vec_push(&col->escapes, &e) != 0)
                    return error_set(err, errlen, "out of memory");
            } else {
                col->skipped++;
            }
            c.p += slen;
        } else if (b >= 0xf0) {
            return error_set(err, errlen, "track %d: status byte 0x%02x is not allowed in a MIDI file", track + 1, b);
        } else {
            /* Channel message: 1 or 2 data bytes. */
            int kind = b & 0xf0;
            int ndata = (kind == 0xc0 || kind == 0xd0) ? 1 : 2;
            if ((size_t)(c.end - c.p) < (size_t)ndata)
                return error_set(err, errlen, "track %d: truncated channel message", track + 1);
            for (int i = 0; i < ndata; i++)
                if (c.p[i] & 0x80)
                    return error_set(err, errlen, "track %d: data byte 0x%02x out of range in a channel message",
                                track + 1, c.p[i]);
            if (kind == 0x80 || kind == 0x90) {
                Smf_note n = {(uint32_t)tick, (uint16_t)track, (uint8_t)(b & 0x0f), c.p[0], c.p[1],
                             (uint8_t)(kind == 0x90 && c.p[1] > 0)};
                if (vec_push(&col->notes, &n) != 0)
                    return error_set(err, errlen, "out of memory");
            } else if (kind == 0xc0) {
                Smf_program pc = {(uint32_t)tick, (uint16_t)track, (uint8_t)(b & 0x0f), c.p[0]};
                if (vec_push(&col->programs, &pc) != 0)
                    return error_set(err, errlen, "out of memory");
            } else {
                col->skipped++;
            }
            c.p += ndata;
        }
    }
    return 0; /* a track without end-of-track meta ends with its chunk */
}

int smf_read_memory(Smf *smf, const uint8_t *data, size_t size, char *err, size_t errlen)
{
    memset(smf, 0, sizeof *smf);
    if (size > SMF_MAX_FILE_BYTES)
        return error_set(err, errlen, "file too large (%zu bytes, the limit is %u)", size, SMF_MAX_FILE_BYTES);
    if (size < 14 || memcmp(data, "MThd", 4) != 0)
        return error_set(err, errlen, "not a MIDI file (no MThd header)");
    uint32_t hlen = be32(data + 4);
    if (hlen < 6 || hlen > size - 8)
        return error_set(err, errlen, "bad header chunk length %u", hlen);
    int format = be16(data + 8);
    int ntracks = be16(data + 10);
    uint16_t division = be16(data + 12);
    if (format == 2)
        return error_set(err, errlen, "MIDI format 2 (independent sequences) is not supported");
    if (format > 2)
        return error_set(err, errlen, "unknown MIDI format %d", format);
    if (division & 0x8000)
        return error_set(err, errlen, "SMPTE time division is not supported (only ticks per quarter note)");
    if (division == 0)
        return error_set(err, errlen, "time division of 0 ticks per quarter note");
    if (ntracks == 0)
        return error_set(err, errlen, "the header declares no tracks");

    Collect col;
    memset(&col, 0, sizeof col);
    col.notes.size = sizeof(Smf_note);
    col.tempos.size = sizeof(Smf_tempo);
    col.sigs.size = sizeof(Smf_time_sig);
    col.programs.size = sizeof(Smf_program);
    col.escapes.size = sizeof(Smf_escape);
    size_t pos = 8 + (size_t)hlen;
    int found = 0;
    while (found < ntracks) {
        if (pos == size)
            break;
        if (size - pos < 8) {
            error_set(err, errlen, "truncated chunk header at byte %zu", pos);
            goto error;
        }
        uint32_t clen = be32(data + pos + 4);
        if (clen > size - pos - 8) {
            error_set(err, errlen, "chunk at byte %zu declares %u bytes, past the end of the file", pos, clen);
            goto error;
        }
        if (memcmp(data + pos, "MTrk", 4) == 0) {
            if (read_track(&col, found, data + pos + 8, clen, err, errlen) != 0)
                goto error;
            found++;
        }
        /* Unknown chunk types are skipped, as the standard asks. */
        pos += 8 + (size_t)clen;
    }
    if (found < ntracks) {
        error_set(err, errlen, "the header declares %d tracks but the file holds %d", ntracks, found);
        goto error;
    }
    if (sort_by_tick(col.notes.data, (size_t)col.notes.count, sizeof(Smf_note)) != 0 ||
        sort_by_tick(col.tempos.data, (size_t)col.tempos.count, sizeof(Smf_tempo)) != 0 ||
        sort_by_tick(col.sigs.data, (size_t)col.sigs.count, sizeof(Smf_time_sig)) != 0 ||
        sort_by_tick(col.programs.data, (size_t)col.programs.count, sizeof(Smf_program)) != 0 ||
        sort_by_tick(col.escapes.data, (size_t)col.escapes.count, sizeof(Smf_escape)) != 0) {
        error_set(err, errlen, "out of memory");
        goto error;
    }
    smf->format = format;
    smf->ppq = division;
    smf->n_tracks = found;
    smf->notes = col.notes.data;
    smf->n_notes = col.notes.count;
    smf->tempos = col.tempos.data;
    smf->n_tempos = col.tempos.count;
    smf->time_sigs = col.sigs.data;
    smf->n_time_sigs = col.sigs.count;
    smf->programs = col.programs.data;
    smf->n_programs = col.programs.count;
    smf->escapes = col.escapes.data;
    smf->n_escapes = col.escapes.count;
    smf->end_tick = col.end_tick;
    smf->n_skipped = col.skipped;
    return 0;
error:
    free(col.notes.data);
    free(col.tempos.data);
    free(col.sigs.data);
    free(col.programs.data);
    free(col.escapes.data);
    return -1;
}

int smf_read_file(Smf *smf, const char *path, char *err, size_t errlen)
{
    memset(smf, 0, sizeof *smf);
    FILE *f = fopen(path, "rb");
    if (!f)
        return error_set(err, errlen, "cannot open: %s", strerror(errno));
    uint8_t *buf = malloc(SMF_MAX_FILE_BYTES + 1);
    if (!buf) {
        fclose(f);
        return error_set(err, errlen, "out of memory");
    }
    size_t n = fread(buf, 1, SMF_MAX_FILE_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad)
        rc = error_set(err, errlen, "cannot read the file");
    else if (n > SMF_MAX_FILE_BYTES)
        rc = error_set(err, errlen, "file too large (more than %u bytes)", SMF_MAX_FILE_BYTES);
    else
        rc = smf_read_memory(smf, buf, n, err, errlen);
    free(buf);
    return rc;
}

void smf_deinit(Smf *smf)
{
    free(smf->notes);
    free(smf->tempos);
    free(smf->time_sigs);
    free(smf->programs);
    free(smf->escapes);
    memset(smf, 0, sizeof *smf);
}

int smf_program_at(const Smf *smf, int channel, uint32_t tick)
{
    int program = -1;
    for (int i = 0; i < smf->n_programs && smf->programs[i].tick <= tick; i++)
        if (smf->programs[i].channel == channel)
            program = smf->programs[i].program;
    return program;
}

/* ---------------------------------------------------------------- tempo map */

uint32_t smf_tempo_at(const Smf *smf, uint32_t tick)
{
    uint32_t us = SMF_DEFAULT_US_PER_QUARTER;
    for (int i = 0; i < smf->n_tempos && smf->tempos[i].tick <= tick; i++)
        us = smf->tempos[i].us_per_quarter;
    return us;
}

double smf_tick_to_seconds(const Smf *smf, uint32_t tick)
{
    double seconds = 0.0;
    uint32_t at = 0, us = SMF_DEFAULT_US_PER_QUARTER;
    int ppq = smf->ppq > 0 ? smf->ppq : 480;
    for (int i = 0; i < smf->n_tempos && smf->tempos[i].tick <= tick; i++) {
        seconds += (double)(smf->tempos[i].tick - at) * us / ppq * 1e-6;
        at = smf->tempos[i].tick;
        us = smf->tempos[i].us_per_quarter;
    }
    return seconds + (double)(tick - at) * us / ppq * 1e-6;
}

/* ---------------------------------------------------------------- writer */



static void put_be32(Bytebuf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    bytebuf_put(b, x, 4);
}

static void put_vlq(Bytebuf *b, uint32_t v)
{
    uint8_t x[5];
    int n = 0;
    x[4 - n++] = v & 0x7f;
    while ((v >>= 7) != 0)
        x[4 - n++] = (uint8_t)(0x80 | (v & 0x7f));
    bytebuf_put(b, x + 5 - n, (size_t)n);
}

/* One event of the written track: rank orders events at one tick (meta, escape, off, on);
 * seq keeps the input order among equals (escapes: Stop, Song Position, Continue). */
typedef struct {
    uint32_t tick;
    uint32_t seq;
    uint8_t rank;
    uint8_t bytes[7];
    uint8_t n;
    uint16_t track;   /* format 1: the chunk it goes to (metas: 0) */
} Out_event;

static int out_event_cmp(const void *a, const void *b)
{
    const Out_event *x = a, *y = b;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    if (x->rank != y->rank)
        return (int)x->rank - (int)y->rank;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The file's events (tempos, time signatures, notes, escapes) as MIDI bytes in time order, checked:
 * *events (caller frees) and *count. 0, or -1 with err. */
static int collect_events(const Smf *smf, Out_event **events, size_t *count, char *err, size_t errlen)
{
    *events = NULL;
    *count = 0;
    size_t n = (size_t)smf->n_notes + (size_t)smf->n_tempos + (size_t)smf->n_time_sigs + (size_t)smf->n_escapes;
    Out_event *ev = calloc(n ? n : 1, sizeof *ev);
    if (!ev)
        return error_set(err, errlen, "out of memory");
    size_t k = 0;
    for (int i = 0; i < smf->n_tempos; i++) {
        uint32_t us = smf->tempos[i].us_per_quarter;
        if (us == 0 || us > 0xffffff) {
            free(ev);
            return error_set(err, errlen, "tempo %u us per quarter out of range", us);
        }
        ev[k] = (Out_event){smf->tempos[i].tick, (uint32_t)k, 0, {0xff, 0x51, 3, (uint8_t)(us >> 16), (uint8_t)(us >> 8), (uint8_t)us}, 6, 0};
        k++;
    }
    for (int i = 0; i < smf->n_time_sigs; i++) {
        const Smf_time_sig *s = &smf->time_sigs[i];
        int pow2 = 0;
        while (pow2 < 7 && (1 << pow2) < s->denominator)
            pow2++;
        if (s->numerator == 0 || (1 << pow2) != s->denominator) {
            free(ev);
            return error_set(err, errlen, "bad time signature %u/%u", s->numerator, s->denominator);
        }
        ev[k] = (Out_event){s->tick, (uint32_t)k, 0, {0xff, 0x58, 4, s->numerator, (uint8_t)pow2, 24, 8}, 7, 0};
        k++;
    }
    for (int i = 0; i < smf->n_notes; i++) {
        const Smf_note *m = &smf->notes[i];
        uint8_t vel = m->velocity & 0x7f;
        int on = m->on && vel > 0;
        uint8_t status = (uint8_t)((on ? 0x90 : 0x80) | (m->channel & 0x0f));
        ev[k] = (Out_event){m->tick, (uint32_t)k, (uint8_t)(on ? 3 : 2), {status, (uint8_t)(m->note & 0x7f), on ? vel : (uint8_t)(m->on ? 0 : vel)}, 3,
                           smf->format == 1 ? m->track : 0};
        k++;
    }
    for (int i = 0; i < smf->n_escapes; i++) {
        const Smf_escape *x = &smf->escapes[i];
        if (x->n < 1 || x->n > SMF_ESCAPE_MAX) {
            free(ev);
            return error_set(err, errlen, "escape event of %u bytes (1..%d)", x->n, SMF_ESCAPE_MAX);
        }
        Out_event o = {x->tick, (uint32_t)k, 1, {0xf7, x->n}, (uint8_t)(2 + x->n), 0};   /* format 1: track 0 */
        memcpy(o.bytes + 2, x->bytes, x->n);
        ev[k++] = o;
    }
    for (size_t i = 0; i < k; i++)
        if (ev[i].tick > SMF_MAX_TICK) {
            free(ev);
            return error_set(err, errlen, "event time past %u ticks", SMF_MAX_TICK);
        }
    /* Ranks break ties; among equal (tick, rank) the input order is kept (seq). */
    qsort(ev, k, sizeof *ev, out_event_cmp);
    *events = ev;
    *count = k;
    return 0;
}

int smf_write_memory(const Smf *smf, uint8_t **out, size_t *len, char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    if (smf->ppq < 1 || smf->ppq > 0x7fff)
        return error_set(err, errlen, "PPQ %d out of range 1..32767", smf->ppq);
    Out_event *ev;
    size_t k;
    if (collect_events(smf, &ev, &k, err, errlen) != 0)
        return -1;

    int n_tracks = 1;
    if (smf->format == 1)
        for (size_t i = 0; i < k; i++)
            if (ev[i].track + 1 > n_tracks)
                n_tracks = ev[i].track + 1;
    if (smf->format == 1 && smf->n_tracks > n_tracks)
        n_tracks = smf->n_tracks;
    Bytebuf file = {0};
    bytebuf_put(&file, "MThd", 4);
    put_be32(&file, 6);
    bytebuf_put(&file, (const uint8_t[]){0, (uint8_t)(smf->format == 1), (uint8_t)(n_tracks >> 8), (uint8_t)n_tracks,
                                          (uint8_t)(smf->ppq >> 8), (uint8_t)smf->ppq}, 6);
    int oom = 0;
    for (int t = 0; t < n_tracks; t++) {
        Bytebuf track = {0};
        const char *name = smf->format == 1 && t < SMF_NAMED_TRACKS ? smf->track_names[t] : NULL;
        if (name) {
            size_t nl = strlen(name) > 127 ? 127 : strlen(name);
            bytebuf_put(&track, (const uint8_t[]){0x00, 0xff, 0x03, (uint8_t)nl}, 4);
            bytebuf_put(&track, name, nl);
        }
        uint32_t at = 0, end = smf->end_tick;
        for (size_t i = 0; i < k; i++) {
            if (ev[i].track != t)
                continue;
            uint32_t delta = ev[i].tick - at;
            if (delta > 0x0fffffff) { /* a delta time holds 28 bits */
                free(ev);
                free(track.data);
                free(file.data);
                return error_set(err, errlen, "a gap of %u ticks between events is too long for a MIDI file", delta);
            }
            put_vlq(&track, ev[i].tick - at);
            bytebuf_put(&track, ev[i].bytes, ev[i].n);
            at = ev[i].tick;
        }
        put_vlq(&track, end > at && end - at <= 0x0fffffff ? end - at : 0);
        bytebuf_put(&track, (const uint8_t[]){0xff, 0x2f, 0x00}, 3);
        bytebuf_put(&file, "MTrk", 4);
        put_be32(&file, (uint32_t)track.len);
        bytebuf_put(&file, track.data, track.len);
        oom |= track.oom;
        free(track.data);
    }
    free(ev);
    oom |= file.oom;
    if (oom) {
        free(file.data);
        return error_set(err, errlen, "out of memory");
    }
    *out = file.data;
    *len = file.len;
    return 0;
}

int smf_write_file(const Smf *smf, const char *path, char *err, size_t errlen)
{
    uint8_t *data;
    size_t len;
    if (smf_write_memory(smf, &data, &len, err, errlen) != 0)
        return -1;
    int rc = atomic_file_write(path, data, len, err, errlen);
    free(data);
    return rc;
}
