/* form.c - sections, the fill bank, chains and their session lines (see form.h). */
#include "form.h"

#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const slot_names[FORM_SLOTS] = {"A", "B", "C", "D", "F1", "F2", "F3", "F4"};

void form_init(Form *f, int latent, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    evolve_init(&f->ev, latent, seed);
    f->playing = -1;
}

const char *form_slot_name(int slot) { return slot >= 0 && slot < FORM_SLOTS ? slot_names[slot] : "?"; }

int form_slot_from_name(const char *name, size_t len)
{
    if (len == 4 && !strncasecmp(name, "fill", 4))
        return FORM_SECTIONS;
    for (int i = 0; i < FORM_SLOTS; i++)
        if (strlen(slot_names[i]) == len && !strncasecmp(name, slot_names[i], len))
            return i;
    return -1;
}

int form_parse_chain(const char *text, Form_link *out, int max, char *err, size_t errlen)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != '*')
            p++;
        size_t len = (size_t)(p - w);
        int repeats = 1;
        /* NAME*N, NAMExN (the x only after a whole name), or a bare name */
        const char *x = NULL;
        if (*p == '*')
            x = p + 1;
        else if (len > 1 && (w[len - 1] >= '0' && w[len - 1] <= '9')) {
            /* "Ax2": split at the last 'x' before the digits */
            for (size_t i = len - 1; i > 0; i--)
                if (w[i] == 'x' || w[i] == 'X') {
                    if (form_slot_from_name(w, i) >= 0) {
                        x = w + i + 1;
                        len = i;
                    }
                    break;
                }
        }
        int slot = form_slot_from_name(w, len);
        if (slot < 0) {
            error_set(err, errlen, "unknown section '%.*s' in the chain (A B C D, F1..F4, fill)",
                      (int)(len > 20 ? 20 : len), w);
            return -1;
        }
        if (x) {
            char *end;
            errno = 0;
            long r = strtol(x, &end, 10);
            if (end == x || errno || r < 1 || r > FORM_REPEAT_MAX || (*end && *end != ' ' && *end != '\t' && *end != ',')) {
                error_set(err, errlen, "bad repeat count for %s in the chain (1..%d)", slot_names[slot],
                          FORM_REPEAT_MAX);
                return -1;
            }
            repeats = (int)r;
            p = end;
        }
        if (n >= max) {
            return error_set(err, errlen, "the chain is too long (at most %d links)", max);
        }
        out[n].slot = slot;
        out[n].repeats = repeats;
        n++;
    }
    if (n == 0) {
        return error_set(err, errlen, "the chain is empty");
    }
    return n;
}

void form_chain_text(const Form_link *chain, int n, char *buf, size_t len)
{
    size_t at = 0;
    if (len)
        buf[0] = 0;
    for (int i = 0; i < n && at < len; i++) {
        int k = chain[i].repeats > 1
                    ? snprintf(buf + at, len - at, "%s%s*%d", i ? " " : "", form_slot_name(chain[i].slot), chain[i].repeats)
                    : snprintf(buf + at, len - at, "%s%s", i ? " " : "", form_slot_name(chain[i].slot));
        if (k < 0)
            break;
        at += (size_t)k;
    }
}

int form_chain_loops(const Form *f)
{
    int n = 0;
    for (int i = 0; i < f->n_chain; i++)
        n += f->chain[i].repeats;
    return n;
}

int form_chain_at(const Form *f, int64_t k, int *last_of_section)
{
    int total = form_chain_loops(f);
    if (last_of_section)
        *last_of_section = 0;
    if (total <= 0)
        return -1;
    k %= total;
    if (k < 0)
        k += total;
    for (int i = 0; i < f->n_chain; i++) {
        if (k < f->chain[i].repeats) {
            if (last_of_section) {
                int next = f->chain[(i + 1) % f->n_chain].slot;
                *last_of_section = k == f->chain[i].repeats - 1 && (next != f->chain[i].slot || f->n_chain == 1);
            }
            return f->chain[i].slot;
        }
        k -= f->chain[i].repeats;
    }
    return -1;
}

int form_chain_fill_at(const Form *f, int64_t k)
{
    int last;
    int slot = form_chain_at(f, k, &last);
    return f->auto_fill && slot >= 0 && slot < FORM_SECTIONS && last;
}

int form_repeat_bar(const Groove *in, Groove *out)
{
    *out = *in;
    int bar1 = 0, bar2 = 0;
    for (int t = 0; t < HVO_STEPS / 2; t++) {
        bar1 += in->g[t][0] > 0.5f;
        bar2 += in->g[t + HVO_STEPS / 2][0] > 0.5f;
    }
    if (bar2 || !bar1)
        return 0;
    for (int t = 0; t < HVO_STEPS / 2; t++)
        for (int c = 0; c < 3; c++)
            out->g[t + HVO_STEPS / 2][c] = in->g[t][c];
    return 1;
}

/* ------------------------------------------------------------ session lines -- */

static void write_eps(Form_printf out, void *t, const char *which, const float *v, int n)
{
    for (int i = 0; i < n; i += 8) {
        out(t, "eps %s %d", which, i);
        for (int j = i; j < i + 8 && j < n; j++)
            out(t, " %.9g", v[j]);
        out(t, "\n");
    }
}

void form_write(const Form *f, Form_printf out, void *t,
                void (*write_state)(const Session *s, Form_printf out, void *t))
{
    int L = f->ev.latent;
    out(t, "latent %d\n", L);
    if (f->ev.has_a)
        write_eps(out, t, "a", f->ev.a, L);
    if (f->ev.has_b)
        write_eps(out, t, "b", f->ev.b, L);
    if (f->ev.has_fixed)
        write_eps(out, t, "fixed", f->ev.fixed, L);
    if (f->n_chain > 0) {
        char text[FORM_CHAIN_MAX * 8];
        form_chain_text(f->chain, f->n_chain, text, sizeof text);
        out(t, "chain %s\n", text);
    }
    out(t, "auto_fill %d\n", f->auto_fill ? 1 : 0);
    for (int s = 0; s < FORM_SLOTS; s++) {
        if (!f->sec[s].used)
            continue;
        if (f->sec[s].has_eps)
            write_eps(out, t, slot_names[s], f->sec[s].eps, L);
        out(t, "section %s\n", slot_names[s]);
        write_state(&f->sec[s].state, out, t);
        out(t, "section end\n");
    }
}

/* Reads "WHICH START v..." into the right vector. */
static int read_eps(Form *f, const char *p)
{
    char which[8];
    size_t n = strcspn(p, " ");
    if (n == 0 || n >= sizeof which)
        return -1;
    memcpy(which, p, n);
    which[n] = 0;
    p += n;
    float *dst;
    int *flag;
    if (!strcmp(which, "a"))
        dst = f->ev.a, flag = &f->ev.has_a;
    else if (!strcmp(which, "b"))
        dst = f->ev.b, flag = &f->ev.has_b;
    else if (!strcmp(which, "fixed"))
        dst = f->ev.fixed, flag = &f->ev.has_fixed;
    else {
        int slot = form_slot_from_name(which, n);
        if (slot < 0 || !strcmp(which, "fill"))
            return -1;
        dst = f->sec[slot].eps, flag = &f->sec[slot].has_eps;
    }
    char *end;
    errno = 0;
    long start = strtol(p, &end, 10);
    if (end == p || errno || start < 0 || start >= f->ev.latent || start % 8)
        return -1;
    p = end;
    int i = (int)start;
    while (*p == ' ')
        p++;
    while (*p) {
        double x = strtod(p, &end);
        if (end == p || !isfinite(x) || fabs(x) > 1e6 || i >= f->ev.latent)
            return -1;
        dst[i++] = (float)x;
        p = end;
        while (*p == ' ')
            p++;
    }
    if (i == (int)start)
        return -1;
    *flag = 1;
    return 0;
}

int form_read_line(Form *f, const char *key, const char *rest, int *section)
{
    if (!strcmp(key, "section")) {
        if (!strcmp(rest, "end")) {
            if (*section < 0)
                return -1;
            *section = -1;
            return 1;
        }
        int slot = form_slot_from_name(rest, strlen(rest));
        if (slot < 0 || *section >= 0 || !strcmp(rest, "fill"))
            return -1;
        f->sec[slot].used = 1;
        session_defaults(&f->sec[slot].state);
        *section = slot;
        return 1;
    }
    if (*section >= 0)
        return 0;   /* inside a section: every other line is the section's state */
    if (!strcmp(key, "latent")) {
        char *end;
        errno = 0;
        long L = strtol(rest, &end, 10);
        if (end == rest || *end || errno || L < 0 || L > EVOLVE_MAX_LATENT)
            return -1;
        f->ev.latent = (int)L;
        return 1;
    }
    if (!strcmp(key, "eps"))
        return read_eps(f, rest) ? -1 : 1;
    if (!strcmp(key, "chain")) {
        char err[128];
        int n = form_parse_chain(rest, f->chain, FORM_CHAIN_MAX, err, sizeof err);
        if (n < 0)
            return -1;
        f->n_chain = n;
        return 1;
    }
    if (!strcmp(key, "auto_fill")) {
        if (strcmp(rest, "0") && strcmp(rest, "1"))
            return -1;
        f->auto_fill = rest[0] == '1';
        return 1;
    }
    return 0;
}
