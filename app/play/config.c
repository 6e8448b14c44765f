/* config.c - the machine's settings file (see config.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "error.h"
#include "xdg.h"

#define CONFIG_MAGIC "groove-config"

void config_init(Config *c)
{
    memset(c, 0, sizeof *c);
}

/* 1 when key is a valid key: 1..CONFIG_KEY_MAX-1 of [A-Za-z0-9_.-]. */
static int key_ok(const char *key, size_t len)
{
    if (len == 0 || len >= CONFIG_KEY_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = key[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '.'))
            return 0;
    }
    return 1;
}

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/* Trims [*b, *e) of surrounding spaces. */
static void trim(const char **b, const char **e)
{
    while (*b < *e && is_space(**b))
        (*b)++;
    while (*e > *b && is_space((*e)[-1]))
        (*e)--;
}

Config_status config_from_text(const char *text, size_t len, Config *out, char *err, size_t errlen)
{
    Config c;
    config_init(&c);
    const char *p = text, *end = text + len;
    int line_no = 0, have_header = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line_no++;
        if (memchr(p, 0, (size_t)(le - p))) {
            error_set(err, errlen, "line %d holds a NUL byte", line_no);
            return CONFIG_CORRUPT;
        }
        const char *b = p, *e = le;
        trim(&b, &e);
        if (!have_header) {
            size_t m = strlen(CONFIG_MAGIC);
            if ((size_t)(e - b) <= m || memcmp(b, CONFIG_MAGIC, m) != 0 || !is_space(b[m])) {
                error_set(err, errlen, "not a groove config file (no '%s N' first line)", CONFIG_MAGIC);
                return CONFIG_CORRUPT;
            }
            char num[16] = {0};
            const char *v = b + m;
            while (v < e && is_space(*v))
                v++;
            size_t vn = (size_t)(e - v);
            if (vn == 0 || vn >= sizeof num) {
                error_set(err, errlen, "bad version line");
                return CONFIG_CORRUPT;
            }
            memcpy(num, v, vn);
            char *stop;
            long version = strtol(num, &stop, 10);
            if (*stop || version < 1) {
                error_set(err, errlen, "bad version '%s'", num);
                return CONFIG_CORRUPT;
            }
            if (version > CONFIG_VERSION) {
                error_set(err, errlen, "version %ld is newer than this groove (%d)", version, CONFIG_VERSION);
                return CONFIG_CORRUPT;
            }
            have_header = 1;
        } else if (b == e || *b == '#') {
            if (!nl && b == e)
                break; /* the text's final newline */
            if (c.count >= CONFIG_MAX_LINES) {
                error_set(err, errlen, "more than %d lines", CONFIG_MAX_LINES);
                return CONFIG_CORRUPT;
            }
            size_t n = (size_t)(e - b);
            if (n >= CONFIG_VALUE_MAX) {
                error_set(err, errlen, "line %d is too long", line_no);
                return CONFIG_CORRUPT;
            }
            memcpy(c.lines[c.count].value, b, n);
            c.count++;
        } else {
            const char *eq = memchr(b, '=', (size_t)(e - b));
            if (!eq) {
                error_set(err, errlen, "line %d has no '='", line_no);
                return CONFIG_CORRUPT;
            }
            const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
            trim(&kb, &ke);
            trim(&vb, &ve);
            if (!key_ok(kb, (size_t)(ke - kb))) {
                error_set(err, errlen, "line %d: bad key", line_no);
                return CONFIG_CORRUPT;
            }
            if ((size_t)(ve - vb) >= CONFIG_VALUE_MAX) {
                error_set(err, errlen, "line %d: value too long", line_no);
                return CONFIG_CORRUPT;
            }
            char key[CONFIG_KEY_MAX] = {0}, value[CONFIG_VALUE_MAX] = {0};
            memcpy(key, kb, (size_t)(ke - kb));
            memcpy(value, vb, (size_t)(ve - vb));
            if (config_get(&c, key)) {
                error_set(err, errlen, "line %d: key '%s' set twice", line_no, key);
                return CONFIG_CORRUPT;
            }
            if (config_set(&c, key, value) != 0) {
                error_set(err, errlen, "more than %d lines", CONFIG_MAX_LINES);
                return CONFIG_CORRUPT;
            }
        }
        p = nl ? nl + 1 : end;
    }
    if (!have_header) {
        error_set(err, errlen, "empty file");
        return CONFIG_CORRUPT;
    }
    *out = c;
    return CONFIG_OK;
}

int config_to_text(const Config *c, char *buf, size_t n)
{
    size_t len = 0;
    int k = snprintf(buf, n, "%s %d\n", CONFIG_MAGIC, CONFIG_VERSION);
    if (k < 0 || (size_t)k >= n)
        return -1;
    len = (size_t)k;
    for (int i = 0; i < c->count; i++) {
        const Config_line *l = &c->lines[i];
        if (l->key[0])
            k = snprintf(buf + len, n - len, "%s=%s\n", l->key, l->value);
        else
            k = snprintf(buf + len, n - len, "%s\n", l->value);
        if (k < 0 || (size_t)k >= n - len)
            return -1;
        len += (size_t)k;
    }
    return (int)len;
}

Config_status config_load(const char *path, Config *c, char *err, size_t errlen)
{
    config_init(c);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return CONFIG_MISSING;
        error_set(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return CONFIG_IO_ERROR;
    }
    static const size_t cap = CONFIG_TEXT_MAX;
    char *text = malloc(cap + 1);
    if (!text) {
        fclose(f);
        error_set(err, errlen, "out of memory");
        return CONFIG_IO_ERROR;
    }
    size_t n = fread(text, 1, cap + 1, f);
    int bad = ferror(f);
    fclose(f);
    Config_status st;
    if (bad) {
        error_set(err, errlen, "cannot read %s", path);
        st = CONFIG_IO_ERROR;
    } else if (n > cap) {
        error_set(err, errlen, "%s: file too large", path);
        st = CONFIG_CORRUPT;
    } else {
        char why[160];
        st = config_from_text(text, n, c, why, sizeof why);
        if (st != CONFIG_OK)
            error_set(err, errlen, "%s: %s", path, why);
    }
    free(text);
    return st;
}

int config_save(const Config *c, const char *path, char *err, size_t errlen)
{
    char *text = malloc(CONFIG_TEXT_MAX);
    if (!text) {
        return error_set(err, errlen, "out of memory");
    }
    int n = config_to_text(c, text, CONFIG_TEXT_MAX);
    int rc = n < 0 ? -1 : atomic_file_write(path, text, (size_t)n, err, errlen);
    if (n < 0)
        error_set(err, errlen, "config too large");
    free(text);
    return rc;
}

int config_default_path(char *path, size_t len, char *err, size_t errlen)
{
    return xdg_file_path("XDG_CONFIG_HOME", ".config", "config", "config", path, len, err, errlen);
}


/* Index of key's line, or -1. */
static int config_find(const Config *c, const char *key)
{
    for (int i = 0; i < c->count; i++)
        if (c->lines[i].key[0] && strcmp(c->lines[i].key, key) == 0)
            return i;
    return -1;
}

const char *config_get(const Config *c, const char *key)
{
    int i = config_find(c, key);
    return i < 0 ? NULL : c->lines[i].value;
}

double config_get_double(const Config *c, const char *key, double fallback)
{
    const char *v = config_get(c, key);
    if (!v || !*v)
        return fallback;
    char *stop;
    errno = 0;
    double x = strtod(v, &stop);
    if (*stop || errno || !isfinite(x))
        return fallback;
    return x;
}

int config_get_number(const Config *c, const char *key, double lo, double hi, double fallback, double *out,
                      char *err, size_t errlen)
{
    *out = fallback;
    const char *v = config_get(c, key);
    if (!v)
        return 0;
    double x = config_get_double(c, key, NAN);
    if (isfinite(x) && x >= lo && x <= hi) {
        *out = x;
        return 0;
    }
    error_set(err, errlen, "config: %s=%.40s is not a number in %g..%g (%g used)", key, v, lo, hi, fallback);
    return -1;
}

int config_set(Config *c, const char *key, const char *value)
{
    if (!key || !value || !key_ok(key, strlen(key)) || strlen(value) >= CONFIG_VALUE_MAX ||
        strchr(value, '\n'))
        return -1;
    int i = config_find(c, key);
    if (i < 0) {
        if (c->count >= CONFIG_MAX_LINES)
            return -1;
        i = c->count++;
        memset(&c->lines[i], 0, sizeof c->lines[i]);
        snprintf(c->lines[i].key, sizeof c->lines[i].key, "%s", key);
    }
    snprintf(c->lines[i].value, sizeof c->lines[i].value, "%s", value);
    return 0;
}

int config_set_double(Config *c, const char *key, double value, int digits)
{
    if (!isfinite(value))
        return -1;
    char text[64];
    snprintf(text, sizeof text, "%.*f", digits < 0 ? 0 : digits > 9 ? 9 : digits, value);
    return config_set(c, key, text);
}

int config_unset(Config *c, const char *key)
{
    int i = config_find(c, key);
    if (i < 0)
        return 0;
    memmove(&c->lines[i], &c->lines[i + 1], sizeof c->lines[0] * (size_t)(c->count - i - 1));
    c->count--;
    return 1;
}

const char *config_status_str(Config_status st)
{
    switch (st) {
    case CONFIG_OK: return "ok";
    case CONFIG_MISSING: return "missing";
    case CONFIG_CORRUPT: return "corrupt";
    case CONFIG_IO_ERROR: return "unreadable";
    }
    return "?";
}
