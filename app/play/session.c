/* session.c - the session as a versioned, checksummed text file (see session.h). */
#include "session.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "atomic_file.h"
#include "clamp.h"
#include "crc32.h"
#include "error.h"
#include "xdg.h"
#include "form.h"
#include "genre.h"

#define SESSION_MAX_BYTES (1u << 20)   /* a real session is ~10 KB; refuse anything huge */

/* Published per-voice thresholds (SPEC.md). */
static const float default_thresholds[HVO_VOICES] = {.49f, .52f, .52f, .37f, .32f, .46f, .36f, .37f, .53f};

/* ------------------------------------------------------------- values -- */

void session_defaults(Session *s)
{
    memset(s, 0, sizeof *s);
    s->settings.bpm = 100.0f;
    s->settings.swing = 0.0f;
    s->settings.density = 0.5f;
    s->settings.temperature = 1.0f;
    memcpy(s->settings.thresholds, default_thresholds, sizeof default_thresholds);
    s->settings.genre = -1;
    s->settings.fill_every = 0;
    s->settings.seed = 1;
    s->settings.variation = 0;
    s->settings.feel_timing = 1.0f;
    s->settings.feel_velocity = 1.0f;
    s->settings.bar_repeat = 1;
}

void session_clamp(Session *s)
{
    Session_settings *st = &s->settings;
    st->bpm = clampf(st->bpm, SESSION_BPM_MIN, SESSION_BPM_MAX);
    st->swing = clampf(st->swing, 0.0f, 0.5f);
    st->density = clampf(st->density, 0.0f, 1.0f);
    st->temperature = clampf(st->temperature, 0.1f, 4.0f);
    for (int v = 0; v < HVO_VOICES; v++)
        st->thresholds[v] = clampf(st->thresholds[v], 0.0f, 1.0f);
    if (st->genre < -1 || st->genre >= GENRE_COUNT)
        st->genre = -1;
    if (st->fill_every < 0 || st->fill_every > 64)
        st->fill_every = 0;
    if (st->variation < 0)
        st->variation = 0;
    uint32_t all = (1u << HVO_VOICES) - 1;
    st->kept &= all;
    st->thresholds_set &= all;
    st->muted &= all;
    st->soloed &= all;
    if (st->record_mode != 1)
        st->record_mode = 0;
    st->evolve = clampf(st->evolve, 0.0f, 1.0f);
    st->morph = clampf(st->morph, 0.0f, 1.0f);
    if (st->morph_rate < 0 || st->morph_rate > 64)
        st->morph_rate = 0;
    st->feel_timing = clampf(st->feel_timing, 0.0f, 1.5f);
    st->feel_velocity = clampf(st->feel_velocity, 0.0f, 1.5f);
    st->bar_repeat = st->bar_repeat ? 1 : 0;
    for (int c = 0; c < SESSION_MIX_CHANNELS; c++) {
        st->gain_db[c] = clampf(st->gain_db[c], SESSION_GAIN_DB_MIN, SESSION_GAIN_DB_MAX);
        st->pan[c] = clampf(st->pan[c], -1.0f, 1.0f);
    }
}

/* ------------------------------------------------------------ writing -- */

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} Text;

/* Appends printf-formatted text, growing the buffer. */
static void text_printf(void *tv, const char *fmt, ...)
{
    Text *t = tv;
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n + 64;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->failed = 1;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
}

/* Writes a session's own lines (settings, groove, part): the main session or a section. */
static void write_state(const Session *s, Form_printf out, void *t)
{
    const Session_settings *st = &s->settings;
    out(t, "bpm %.9g\nswing %.9g\ndensity %.9g\ntemperature %.9g\nthresholds", st->bpm,
        st->swing, st->density, st->temperature);
    for (int v = 0; v < HVO_VOICES; v++)
        out(t, " %.9g", st->thresholds[v]);
    out(t, "\nstyle %s\nfill_every %d\nseed %u\nvariation %d\n", genre_name(st->genre),
        (int)st->fill_every, (unsigned)st->seed, (int)st->variation);
    out(t, "thresholds_set %u\n", (unsigned)st->thresholds_set);
    out(t, "kept %u\nmuted %u\nsoloed %u\nrecord %s\n", (unsigned)st->kept,
        (unsigned)st->muted, (unsigned)st->soloed, st->record_mode ? "replace" : "overdub");
    for (int i = 0; i < HVO_STEPS; i++)
        if (s->groove.g[i][0] > 0.5f)
            out(t, "tap %d %.9g %.9g\n", i, s->groove.g[i][1], s->groove.g[i][2]);
    for (int i = 0; i < HVO_STEPS; i++)
        for (int v = 0; v < HVO_VOICES; v++)
            if (hvo_hit(&s->part, i, v) > 0.5f)
                out(t, "hit %d %d %.9g %.9g\n", i, v, hvo_vel(&s->part, i, v), hvo_off(&s->part, i, v));
    out(t, "evolve %.9g\nmorph %.9g %d\nfeel %.9g %.9g\nbar_repeat %d\n", st->evolve, st->morph,
        (int)st->morph_rate, st->feel_timing, st->feel_velocity, (int)st->bar_repeat);
    out(t, "gain");
    for (int c = 0; c < SESSION_MIX_CHANNELS; c++)
        out(t, " %.9g", st->gain_db[c]);
    out(t, "\npan");
    for (int c = 0; c < SESSION_MIX_CHANNELS; c++)
        out(t, " %.9g", st->pan[c]);
    out(t, "\n");
}

char *session_to_text(const Session *s, size_t *len)
{
    Text t = {malloc(4096), 0, 4096, 0};
    if (!t.buf)
        return NULL;
    t.buf[0] = 0;
    text_printf(&t, "groove-session %d\n", SESSION_VERSION);
    write_state(s, text_printf, &t);
    if (s->unsaved)
        text_printf(&t, "unsaved 1\n");
    if (s->form)
        form_write(s->form, text_printf, &t, write_state);
    uint32_t crc = crc32_update(0, t.buf, t.len);
    text_printf(&t, "end %08x\n", (unsigned)crc);
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    *len = t.len;
    return t.buf;
}

/* ------------------------------------------------------------ reading -- */

/* Reads a float in [lo, hi] from *p, advancing it. Returns 0 or -1. */
static int read_float(const char **p, float lo, float hi, float *out)
{
    char *end;
    errno = 0;
    double x = strtod(*p, &end);
    if (end == *p || errno || !isfinite(x) || x < lo || x > hi)
        return -1;
    *out = (float)x;
    *p = end;
    return 0;
}

/* Reads an integer in [lo, hi] from *p, advancing it. Returns 0 or -1. */
static int read_int(const char **p, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(*p, &end, 10);
    if (end == *p || errno || x < lo || x > hi)
        return -1;
    *out = x;
    *p = end;
    return 0;
}

/* True when only spaces are left on the line. */
static int at_end(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    return *p == 0;
}

/* Parses the values of one settings key (bpm ... pan) into st, advancing *pp past them.
 * Returns 0, or -1 when the key is not a setting or its values are malformed. */
static int parse_setting(const char *key, const char **pp, Session_settings *st)
{
    const char *p = *pp;
    long long a;
    if (!strcmp(key, "bpm")) {
        if (read_float(&p, SESSION_BPM_MIN, SESSION_BPM_MAX, &st->bpm))
            return -1;
    } else if (!strcmp(key, "swing")) {
        if (read_float(&p, 0, 0.5f, &st->swing))
            return -1;
    } else if (!strcmp(key, "density")) {
        if (read_float(&p, 0, 1, &st->density))
            return -1;
    } else if (!strcmp(key, "temperature")) {
        if (read_float(&p, 0.1f, 4, &st->temperature))
            return -1;
    } else if (!strcmp(key, "thresholds")) {
        for (int v = 0; v < HVO_VOICES; v++)
            if (read_float(&p, 0, 1, &st->thresholds[v]))
                return -1;
    } else if (!strcmp(key, "style")) {
        char name[64];
        size_t n = strcspn(p, " \r");
        if (n == 0 || n >= sizeof name)
            return -1;
        memcpy(name, p, n);
        name[n] = 0;
        p += n;
        st->genre = strcmp(name, "none") ? genre_from_name(name) : -1;
        if (strcmp(name, "none") && st->genre < 0)
            return -1;
    } else if (!strcmp(key, "fill_every")) {
        if (read_int(&p, 0, 64, &a))
            return -1;
        st->fill_every = (int32_t)a;
    } else if (!strcmp(key, "seed")) {
        if (read_int(&p, 0, 0xffffffffLL, &a))
            return -1;
        st->seed = (uint32_t)a;
    } else if (!strcmp(key, "variation")) {
        if (read_int(&p, 0, 1000000000LL, &a))
            return -1;
        st->variation = (int32_t)a;
    } else if (!strcmp(key, "kept") || !strcmp(key, "muted") || !strcmp(key, "soloed") ||
               !strcmp(key, "thresholds_set")) {
        if (read_int(&p, 0, (1 << HVO_VOICES) - 1, &a))
            return -1;
        uint32_t *mask = key[0] == 'k' ? &st->kept : key[0] == 'm' ? &st->muted
                         : key[0] == 's' ? &st->soloed : &st->thresholds_set;
        *mask = (uint32_t)a;
    } else if (!strcmp(key, "record")) {
        if (!strncmp(p, "overdub", 7)) {
            st->record_mode = 0;
            p += 7;
        } else if (!strncmp(p, "replace", 7)) {
            st->record_mode = 1;
            p += 7;
        } else {
            return -1;
        }
    } else if (!strcmp(key, "evolve")) {
        if (read_float(&p, 0, 1, &st->evolve))
            return -1;
    } else if (!strcmp(key, "morph")) {
        if (read_float(&p, 0, 1, &st->morph) || read_int(&p, 0, 64, &a))
            return -1;
        st->morph_rate = (int32_t)a;
    } else if (!strcmp(key, "feel")) {
        if (read_float(&p, 0, 1.5f, &st->feel_timing) || read_float(&p, 0, 1.5f, &st->feel_velocity))
            return -1;
    } else if (!strcmp(key, "bar_repeat")) {
        if (read_int(&p, 0, 1, &a))
            return -1;
        st->bar_repeat = (int32_t)a;
    } else if (!strcmp(key, "gain") || !strcmp(key, "pan")) {
        int gain = key[0] == 'g';
        for (int c = 0; c < SESSION_MIX_CHANNELS; c++)
            if (read_float(&p, gain ? SESSION_GAIN_DB_MIN : -1.0f, gain ? SESSION_GAIN_DB_MAX : 1.0f,
                           gain ? &st->gain_db[c] : &st->pan[c]))
                return -1;
    } else {
        return -1;
    }
    *pp = p;
    return 0;
}

/* Parses one `key values` line into s. Returns 0, or -1 when it is malformed. */
static int parse_line(const char *line, Session *s)
{
    Session_settings *st = &s->settings;
    char key[16];
    int klen = 0;
    while (line[klen] && line[klen] != ' ' && klen < (int)sizeof key - 1) {
        key[klen] = line[klen];
        klen++;
    }
    key[klen] = 0;
    if (line[klen] != ' ')
        return -1;
    const char *p = line + klen + 1;
    long long a, b;
    float x, y;
    if (!strcmp(key, "unsaved")) {
        if (read_int(&p, 0, 1, &a))
            return -1;
        s->unsaved = (int32_t)a;
    } else if (!strcmp(key, "tap")) {
        if (read_int(&p, 0, HVO_STEPS - 1, &a) || read_float(&p, 0, 1, &x) || read_float(&p, -0.5f, 0.5f, &y))
            return -1;
        s->groove.g[a][0] = 1.0f;
        s->groove.g[a][1] = x;
        s->groove.g[a][2] = y;
    } else if (!strcmp(key, "hit")) {
        if (read_int(&p, 0, HVO_STEPS - 1, &a) || read_int(&p, 0, HVO_VOICES - 1, &b) ||
            read_float(&p, 0, 1, &x) || read_float(&p, -0.5f, 0.5f, &y))
            return -1;
        hvo_set(&s->part, (int)a, (int)b, 1, x, y);
    } else if (parse_setting(key, &p, st)) {
        return -1;
    }
    return at_end(p) ? 0 : -1;
}

/* One body line: the form's (latent, eps, chain, section...), a section's state, or the
 * session's own. Returns 0, or -1 when malformed. */
static int parse_any_line(const char *line, long version, Session *s, Form *form, int *section)
{
    if (version >= 2) {
        const char *sp = strchr(line, ' ');
        if (!sp)
            return -1;
        char key[16];
        size_t kl = (size_t)(sp - line);
        if (kl >= sizeof key)
            return -1;
        memcpy(key, line, kl);
        key[kl] = 0;
        if (!form) {   /* nobody asked for the form: its lines are skipped */
            if (!strcmp(key, "section")) {
                *section = strcmp(sp + 1, "end") ? FORM_SLOTS : -1;
                return 0;
            }
            if (*section >= 0 || !strcmp(key, "latent") || !strcmp(key, "eps") || !strcmp(key, "chain") ||
                !strcmp(key, "auto_fill"))
                return 0;
        } else {
            int r = form_read_line(form, key, sp + 1, section);
            if (r < 0)
                return -1;
            if (r > 0)
                return 0;
            if (*section >= 0)
                return parse_line(line, &form->sec[*section].state);
        }
    }
    return parse_line(line, s);
}

/* Checks a session file's frame: size, text only, the header and its version, the closing
 * 'end CRC' line. Fills *version and *body_end (where the checksummed text ends). 0, or -1 with
 * err. */
static int check_text_frame(const char *text, size_t len, long *version_out, size_t *body_end, char *err,
                            size_t errlen)
{
    if (len > SESSION_MAX_BYTES) {
        return error_set(err, errlen, "session file too large (%zu bytes)", len);
    }
    if (memchr(text, 0, len)) {
        return error_set(err, errlen, "session file holds binary data");
    }
    /* Header. */
    const char magic[] = "groove-session ";
    if (len < sizeof magic - 1 || memcmp(text, magic, sizeof magic - 1)) {
        return error_set(err, errlen, "not a groove session file (no 'groove-session' header)");
    }
    /* The version: digits up to the end of the line (the text need not be NUL-terminated). */
    long version = 0;
    size_t vp = sizeof magic - 1;
    int digits = 0;
    while (vp < len && text[vp] >= '0' && text[vp] <= '9' && digits < 9) {
        version = version * 10 + (text[vp++] - '0');
        digits++;
    }
    if (!digits || (vp < len && text[vp] != '\n' && text[vp] != '\r'))
        version = -1;
    if (version < SESSION_VERSION_MIN || version > SESSION_VERSION) {
        return error_set(err, errlen, "session file version %ld, this groove reads versions %d..%d%s", version,
                         SESSION_VERSION_MIN, SESSION_VERSION,
                         version > SESSION_VERSION ? " (made by a newer groove)" : "");
    }
    /* The checksum line closes the file. */
    size_t end_at = len;
    while (end_at > 0 && (text[end_at - 1] == '\n' || text[end_at - 1] == '\r'))
        end_at--;
    size_t line_start = end_at;
    while (line_start > 0 && text[line_start - 1] != '\n')
        line_start--;
    unsigned crc_stored = 0;
    char tail[32];
    size_t tl = end_at - line_start;
    if (tl >= sizeof tail) {
        return error_set(err, errlen, "session file is truncated (no 'end' line)");
    }
    memcpy(tail, text + line_start, tl);
    tail[tl] = 0;
    char extra;
    if (sscanf(tail, "end %8x%c", &crc_stored, &extra) != 1 || tl != 12) {
        return error_set(err, errlen, "session file is truncated (no 'end' line)");
    }
    uint32_t crc = crc32_update(0, text, line_start);
    if (crc != crc_stored) {
        return error_set(err, errlen, "session file checksum mismatch (stored %08x, computed %08x)", crc_stored,
                         (unsigned)crc);
    }
    *version_out = version;
    *body_end = line_start;
    return 0;
}

/* Copies what a session file says about the form into the caller's: sections, chain, the
 * A/B and fixed latents (dropped when they were made for another latent size); the walk and
 * what is playing stay the caller's. */
static void adopt_form(Form *f, const Form *form)
{
    /* what the file says; the walk and what is playing stay the caller's */
    int L = f->ev.latent;
    memcpy(f->sec, form->sec, sizeof f->sec);
    memcpy(f->chain, form->chain, sizeof f->chain);
    f->n_chain = form->n_chain;
    f->auto_fill = form->auto_fill;
    int fits = form->ev.latent == L;   /* vectors of another model's latent size are dropped */
    f->ev.has_a = fits && form->ev.has_a;
    f->ev.has_b = fits && form->ev.has_b;
    f->ev.has_fixed = fits && form->ev.has_fixed;
    memcpy(f->ev.a, form->ev.a, sizeof f->ev.a);
    memcpy(f->ev.b, form->ev.b, sizeof f->ev.b);
    memcpy(f->ev.fixed, form->ev.fixed, sizeof f->ev.fixed);
    for (int k = 0; k < FORM_SLOTS; k++) {
        f->sec[k].has_eps = fits && f->sec[k].has_eps;
        session_clamp(&f->sec[k].state);
    }
}

Session_status session_from_text_form(const char *text, size_t len, Session *out, Form *into, char *err,
                                      size_t errlen)
{
    long version = 0;
    size_t line_start = 0;
    if (check_text_frame(text, len, &version, &line_start, err, errlen) != 0)
        return SESSION_CORRUPT;
    /* Body. */
    Session s;
    session_defaults(&s);
    if (version < 2)
        s.settings.bar_repeat = 0;   /* version 1 played an empty bar 2 as silence */
    s.form = into;
    /* The form's lines go to a scratch form, copied over the caller's only on success. */
    Form *form = NULL;
    if (into) {
        form = malloc(sizeof *form);
        if (!form) {
            error_set(err, errlen, "out of memory");
            return SESSION_CORRUPT;
        }
        form_init(form, into->ev.latent, 0);
    }
    int section = -1;
    Session_status result = SESSION_OK;
    size_t pos = 0;
    int lineno = 0;
    while (pos < line_start) {
        size_t e = pos;
        while (e < line_start && text[e] != '\n')
            e++;
        lineno++;
        char line[512];   /* the longest: a chain of 64 links ("F1*64 " each) */
        size_t n = e - pos;
        if (n >= sizeof line) {
            error_set(err, errlen, "session file line %d is too long", lineno);
            result = SESSION_CORRUPT;
            break;
        }
        memcpy(line, text + pos, n);
        line[n] = 0;
        if (n && line[n - 1] == '\r')
            line[n - 1] = 0;
        if (lineno > 1 && line[0] && parse_any_line(line, version, &s, form, &section)) {
            error_set(err, errlen, "session file line %d is malformed: '%.60s'", lineno, line);
            result = SESSION_CORRUPT;
            break;
        }
        pos = e + 1;
    }
    if (result == SESSION_OK && section >= 0) {
        error_set(err, errlen, "session file ends inside section %s", form_slot_name(section));
        result = SESSION_CORRUPT;
    }
    if (result == SESSION_OK) {
        if (form)
            adopt_form(into, form);
        *out = s;
    }
    free(form);
    return result;
}

/* ------------------------------------------------------------- files -- */

int session_save(const Session *s, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = session_to_text(s, &len);
    if (!text) {
        return error_set(err, errlen, "out of memory");
    }
    int rc = atomic_file_write(path, text, len, err, errlen);
    free(text);
    return rc;
}

Session_status session_from_text(const char *text, size_t len, Session *out, char *err, size_t errlen)
{
    return session_from_text_form(text, len, out, NULL, err, errlen);
}

Session_status session_load(const char *path, Session *out, char *err, size_t errlen)
{
    return session_load_form(path, out, NULL, err, errlen);
}

Session_status session_load_form(const char *path, Session *out, Form *into, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return SESSION_MISSING;
        error_set(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return SESSION_IO_ERROR;
    }
    char *buf = malloc(SESSION_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        error_set(err, errlen, "out of memory");
        return SESSION_IO_ERROR;
    }
    errno = 0;
    size_t n = fread(buf, 1, SESSION_MAX_BYTES + 1, f);
    int bad = ferror(f), why = errno;
    fclose(f);
    if (bad) {
        free(buf);
        error_set(err, errlen, "cannot read %s: %s", path, strerror(why ? why : EIO));
        return SESSION_IO_ERROR;
    }
    Session_status st = session_from_text_form(buf, n, out, into, err, errlen);
    free(buf);
    return st;
}

int session_set_aside(const char *path, char *moved_to, size_t moved_len, char *err, size_t errlen)
{
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32] = "unknown";
    if (gmtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    int n = snprintf(moved_to, moved_len, "%s.corrupt-%s", path, stamp);
    if (n < 0 || (size_t)n >= moved_len) {
        return error_set(err, errlen, "path too long");
    }
    if (rename(path, moved_to) != 0) {
        return error_set(err, errlen, "cannot rename %s: %s", path, strerror(errno));
    }
    return 0;
}

int session_default_path(char *path, size_t len, char *err, size_t errlen)
{
    return xdg_file_path("XDG_STATE_HOME", ".local/state", "state", "session", path, len, err, errlen);
}


const char *session_status_str(Session_status st)
{
    switch (st) {
    case SESSION_OK: return "ok";
    case SESSION_MISSING: return "missing";
    case SESSION_CORRUPT: return "corrupt";
    case SESSION_IO_ERROR: return "unreadable";
    }
    return "?";
}
