/* kit_hydrogen.c - Hydrogen drumkits: drumkit.xml read with a small tag scanner, its instruments
 * mapped to voices by name, tom order and MIDI note, their layers loaded (kit.h). */
#include "kit.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kit_internal.h"

#define KIT_MAX_XML_BYTES (4u << 20)

/* ---- Hydrogen drumkits ---- */

/* A span of text [p, end). */
typedef struct {
    const char *p, *end;
} Span;

/* Finds the next element <tag ...>...</tag> (or <tag/>) inside s, from *from on. Fills inner
 * with its content and moves *from past it. 1 found, 0 none, -1 malformed (no closing tag). */
static int xml_next(Span s, const char **from, const char *tag, Span *inner)
{
    size_t tl = strlen(tag);
    const char *p = *from;
    while (p < s.end) {
        const char *lt = memchr(p, '<', (size_t)(s.end - p));
        if (!lt)
            return 0;
        const char *q = lt + 1;
        if ((size_t)(s.end - q) > tl && !strncmp(q, tag, tl) &&
            (q[tl] == '>' || q[tl] == ' ' || q[tl] == '/' || q[tl] == '\t' || q[tl] == '\n' || q[tl] == '\r')) {
            const char *gt = memchr(q, '>', (size_t)(s.end - q));
            if (!gt)
                return -1;
            if (gt[-1] == '/') { /* <tag/> */
                inner->p = inner->end = gt;
                *from = gt + 1;
                return 1;
            }
            /* Find the matching close, counting nested elements of the same name. */
            int depth = 1;
            const char *r = gt + 1;
            while (r < s.end) {
                const char *n = memchr(r, '<', (size_t)(s.end - r));
                if (!n)
                    return -1;
                if (n[1] == '/' && (size_t)(s.end - n) > tl + 2 && !strncmp(n + 2, tag, tl) && n[2 + tl] == '>') {
                    if (--depth == 0) {
                        inner->p = gt + 1;
                        inner->end = n;
                        *from = n + 3 + tl;
                        return 1;
                    }
                } else if ((size_t)(s.end - n) > tl + 1 && !strncmp(n + 1, tag, tl) &&
                           (n[1 + tl] == '>' || n[1 + tl] == ' ')) {
                    const char *g = memchr(n, '>', (size_t)(s.end - n));
                    if (g && g[-1] != '/')
                        depth++;
                }
                r = n + 1;
            }
            return -1;
        }
        p = lt + 1;
    }
    return 0;
}

/* Copies an element's text (entities decoded, whitespace trimmed) into out. */
static void xml_text(Span s, char *out, size_t n)
{
    while (s.p < s.end && isspace((unsigned char)*s.p))
        s.p++;
    while (s.end > s.p && isspace((unsigned char)s.end[-1]))
        s.end--;
    size_t o = 0;
    for (const char *p = s.p; p < s.end && o + 1 < n;) {
        static const struct {
            const char *ent;
            char c;
        } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        int done = 0;
        if (*p == '&')
            for (size_t e = 0; e < sizeof ents / sizeof ents[0] && !done; e++) {
                size_t el = strlen(ents[e].ent);
                if ((size_t)(s.end - p) >= el && !strncmp(p, ents[e].ent, el)) {
                    out[o++] = ents[e].c;
                    p += el;
                    done = 1;
                }
            }
        if (!done)
            out[o++] = *p++;
    }
    out[o] = 0;
}

/* The text of the first <tag> directly findable in s (before any <layer> or component when
 * stop_at_layer), or "" when absent. Returns 1 when found. */
static int xml_field(Span s, const char *tag, char *out, size_t n)
{
    const char *from = s.p;
    Span inner;
    out[0] = 0;
    if (xml_next(s, &from, tag, &inner) != 1)
        return 0;
    xml_text(inner, out, n);
    return 1;
}

/* The instrument's own part: up to its first <layer> or <instrumentComponent>. */
static Span instrument_head(Span s)
{
    Span h = s;
    const char *a = NULL;
    for (const char *p = s.p; p + 6 < s.end; p++)
        if (*p == '<' && (!strncmp(p, "<layer", 6) || !strncmp(p, "<instrumentComponent", 20))) {
            a = p;
            break;
        }
    if (a)
        h.end = a;
    return h;
}

typedef struct {
    char name[64];
    char file[256];      /* old layout */
    int note;            /* midiOutNote, or -1 */
    int position_note;   /* 36 + place in the list: Hydrogen's default MIDI input map */
    float gain;          /* instrument gain * volume */
    Span body;
    int voice;           /* decided mapping, -1 */
} H2Instrument;

/* 1 when word appears in s as a whole word (letters around it do not count). */
static int has_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(s, word); p; p = strstr(p + 1, word))
        if ((p == s || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n]))
            return 1;
    return 0;
}

int kit_voice_from_name(const char *name)
{
    char s[128];
    kit_lower_copy(s, sizeof s, name);
    int hat = strstr(s, "hat") || strstr(s, "hh") || strstr(s, "hihat") || strstr(s, "hi-hat");
    if (hat && (strstr(s, "open") || strstr(s, "ohh") || has_word(s, "op")))
        return VOICE_OPEN_HAT;
    if (hat && !strstr(s, "pedal") && !strstr(s, "choke") && !strstr(s, "swish"))
        return VOICE_CLOSED_HAT;
    if (strstr(s, "kick") || strstr(s, "bass drum") || strstr(s, "bassdrum") || !strncmp(s, "bd", 2))
        return VOICE_KICK;
    if (strstr(s, "snare") && !strstr(s, "roll"))
        return VOICE_SNARE;
    if (has_word(s, "tom") || strstr(s, "tom1") || strstr(s, "tom2") || strstr(s, "tom3")) {
        if (strstr(s, "low") || strstr(s, "floor") || strstr(s, " lo"))
            return VOICE_LOW_TOM;
        if (strstr(s, "mid"))
            return VOICE_MID_TOM;
        if (strstr(s, "hi") || strstr(s, "high"))
            return VOICE_HIGH_TOM;
        return -1;
    }
    if (strstr(s, "crash") && !strstr(s, "ride"))
        return VOICE_CRASH;
    if (strstr(s, "ride") && !strstr(s, "bell") && !strstr(s, "cup"))
        return VOICE_RIDE;
    return -1;
}

/* Loads one instrument's layers into a voice. 0 or -1 with err. */
static int h2_load_instrument(Kit *kit, const char *dir, const H2Instrument *ins, int rate, char *err,
                              size_t errlen)
{
    int voice = ins->voice;
    kit_copy_str(kit->voices[voice].source, sizeof kit->voices[voice].source, ins->name);
    const char *from = ins->body.p;
    Span layer;
    int found = 0, r;
    while ((r = xml_next(ins->body, &from, "layer", &layer)) == 1) {
        char file[256], buf[64];
        if (!xml_field(layer, "filename", file, sizeof file) || !file[0])
            continue;
        float min_v = 0.0f, max_v = 1.0f, gain = 1.0f;
        if (xml_field(layer, "min", buf, sizeof buf))
            min_v = strtof(buf, NULL);
        if (xml_field(layer, "max", buf, sizeof buf))
            max_v = strtof(buf, NULL);
        if (xml_field(layer, "gain", buf, sizeof buf))
            gain = strtof(buf, NULL);
        if (!isfinite(min_v) || !isfinite(max_v) || !isfinite(gain) || gain < 0.0f) {
            snprintf(err, errlen, "malformed drumkit.xml: bad layer numbers in instrument '%s'", ins->name);
            return -1;
        }
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        float *data;
        int frames;
        if (kit_read_sample(path, rate, &data, &frames, err, errlen) != 0)
            return -1;
        kit_add_layer(kit, voice, data, frames, min_v, max_v, gain * ins->gain);
        found++;
    }
    if (r < 0) {
        snprintf(err, errlen, "malformed drumkit.xml: unclosed <layer> in instrument '%s'", ins->name);
        return -1;
    }
    if (!found && ins->file[0]) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, ins->file);
        float *data;
        int frames;
        if (kit_read_sample(path, rate, &data, &frames, err, errlen) != 0)
            return -1;
        kit_add_layer(kit, voice, data, frames, 0.0f, 1.0f, ins->gain);
        found++;
    }
    return found;
}

/* Reads the whole of a drumkit.xml (at most KIT_MAX_XML_BYTES) into a NUL-terminated buffer the
 * caller frees. 0, or -1 with err. */
static int h2_read_xml(const char *xml_path, char **xml, size_t *len, char *err, size_t errlen)
{
    *xml = NULL;
    *len = 0;
    FILE *f = fopen(xml_path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open kit '%s': %s", xml_path, strerror(errno));
        return -1;
    }
    char *buf = malloc(KIT_MAX_XML_BYTES + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "cannot read '%s': out of memory", xml_path);
        return -1;
    }
    size_t n = fread(buf, 1, KIT_MAX_XML_BYTES + 1, f);
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err || n > KIT_MAX_XML_BYTES) {
        free(buf);
        snprintf(err, errlen, "cannot read '%s': %s", xml_path, rd_err ? "read error" : "larger than 4 MB");
        return -1;
    }
    buf[n] = 0;
    *xml = buf;
    *len = n;
    return 0;
}

/* Names the kit: the <name> of <drumkit_info> that comes before its instruments, else the
 * folder's name. */
static void h2_kit_name(Kit *kit, Span info, const char *dir)
{
    char name[128];
    Span head = info, il;
    const char *lf = info.p;
    if (xml_next(info, &lf, "instrumentList", &il) == 1)
        head.end = il.p; /* the kit's own <name> comes before its instruments */
    if (xml_field(head, "name", name, sizeof name) && name[0])
        kit_copy_str(kit->name, sizeof kit->name, name);
    else
        kit_copy_str(kit->name, sizeof kit->name, kit_base_name(dir));
}

/* Fills one instrument from its element: name, old-layout file, gain * volume, MIDI notes. */
static void h2_instrument_parse(H2Instrument *it, Span body, int position)
{
    memset(it, 0, sizeof *it);
    it->body = body;
    it->voice = -1;
    Span head = instrument_head(body);
    char buf[64];
    xml_field(head, "name", it->name, sizeof it->name);
    xml_field(head, "filename", it->file, sizeof it->file);
    it->gain = 1.0f;
    if (xml_field(head, "gain", buf, sizeof buf))
        it->gain = strtof(buf, NULL);
    if (xml_field(head, "volume", buf, sizeof buf))
        it->gain *= strtof(buf, NULL);
    if (!isfinite(it->gain) || it->gain < 0.0f)
        it->gain = 1.0f;
    it->note = -1;
    if (xml_field(head, "midiOutNote", buf, sizeof buf))
        it->note = atoi(buf);
    it->position_note = 35 + position; /* Hydrogen's default input map: 36 + position */
    if (!it->name[0])
        snprintf(it->name, sizeof it->name, "instrument %d", position);
}

/* Reads every <instrument> of an <instrumentList> into *ins (grown, caller frees, also on
 * failure). Returns how many, or -1 with err. */
static int h2_read_instruments(Span list, H2Instrument **ins, const char *xml_path, char *err, size_t errlen)
{
    int n_ins = 0, cap = 0, r;
    Span body;
    const char *from = list.p;
    while ((r = xml_next(list, &from, "instrument", &body)) == 1) {
        if (n_ins == cap) {
            cap = cap ? 2 * cap : 32;
            if (cap > 4096) {
                snprintf(err, errlen, "malformed drumkit.xml '%s': too many instruments", xml_path);
                return -1;
            }
            H2Instrument *grown = realloc(*ins, sizeof **ins * (size_t)cap);
            if (!grown) {
                snprintf(err, errlen, "cannot read '%s': out of memory", xml_path);
                return -1;
            }
            *ins = grown;
        }
        n_ins++;
        h2_instrument_parse(&(*ins)[n_ins - 1], body, n_ins);
    }
    if (r < 0) {
        snprintf(err, errlen, "malformed drumkit.xml '%s': unclosed <instrument> element", xml_path);
        return -1;
    }
    return n_ins;
}

/* Toms named without a size ("Tom 1", "Tom 2"): the first in name order takes the highest free
 * tom voice, and so on down. */
static void h2_map_unsized_toms(H2Instrument *ins, int n_ins, int taken[HVO_VOICES])
{
    static const int tom_order[3] = {VOICE_HIGH_TOM, VOICE_MID_TOM, VOICE_LOW_TOM};
    for (;;) {
        int pick = -1;
        for (int i = 0; i < n_ins; i++) {
            char low[64];
            kit_lower_copy(low, sizeof low, ins[i].name);
            if (ins[i].voice < 0 && has_word(low, "tom") && (pick < 0 || strcmp(ins[i].name, ins[pick].name) < 0))
                pick = i;
        }
        int slot = -1;
        for (int t = 0; t < 3 && slot < 0; t++)
            if (!taken[tom_order[t]])
                slot = tom_order[t];
        if (pick < 0 || slot < 0)
            break;
        ins[pick].voice = slot;
        taken[slot] = 1;
    }
}

/* Decides each instrument's voice: by name first (the first instrument wins a voice), then
 * unsized toms, then by MIDI note for the rest: the instrument's midiOutNote, and failing that
 * its place in the list as Hydrogen's default input map plays it (note 36 + position). */
static void h2_map_voices(H2Instrument *ins, int n_ins)
{
    int taken[HVO_VOICES] = {0};
    for (int i = 0; i < n_ins; i++) {
        int v = kit_voice_from_name(ins[i].name);
        if (v >= 0 && !taken[v]) {
            ins[i].voice = v;
            taken[v] = 1;
        }
    }
    h2_map_unsized_toms(ins, n_ins, taken);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n_ins; i++) {
            if (ins[i].voice >= 0 || kit_voice_from_name(ins[i].name) >= 0)
                continue;
            int note = pass == 0 ? ins[i].note : ins[i].position_note;
            int v = note >= 0 && note < 128 ? voice_from_gm_note(note) : -1;
            if (v >= 0 && !taken[v]) {
                ins[i].voice = v;
                taken[v] = 1;
            }
        }
}

/* Loads the samples of every mapped instrument; the unmapped ones, and those without a sample,
 * are noted as unmapped. 0, or -1 with err. */
static int h2_load_mapped(Kit *kit, const char *dir, const H2Instrument *ins, int n_ins, int rate, char *err,
                          size_t errlen)
{
    for (int i = 0; i < n_ins; i++) {
        if (ins[i].voice < 0) {
            kit_note_unmapped(kit, ins[i].name);
            continue;
        }
        int got = h2_load_instrument(kit, dir, &ins[i], rate, err, errlen);
        if (got < 0) {
            char why[512];
            kit_copy_str(why, sizeof why, err);
            snprintf(err, errlen, "cannot use kit '%s': %s", kit->name, why);
            return -1;
        }
        if (got == 0) { /* an instrument without a sample: leave the voice to another */
            kit->voices[ins[i].voice].source[0] = 0;
            kit_note_unmapped(kit, ins[i].name);
        }
    }
    return 0;
}

int kit_load_hydrogen_raw(Kit *kit, const char *xml_path, int rate, char *err, size_t errlen)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = rate;
    char dir[1024];
    kit_copy_str(dir, sizeof dir, xml_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        kit_copy_str(dir, sizeof dir, ".");
    kit_copy_str(kit->path, sizeof kit->path, dir);

    char *xml;
    size_t n;
    if (h2_read_xml(xml_path, &xml, &n, err, errlen) != 0)
        return -1;
    Span all = {xml, xml + n};
    H2Instrument *ins = NULL;
    int n_ins = 0, rc = -1;
    Span info, list;
    const char *from = all.p;
    if (xml_next(all, &from, "drumkit_info", &info) != 1) {
        snprintf(err, errlen, "malformed drumkit.xml '%s': no complete <drumkit_info> element", xml_path);
        goto done;
    }
    h2_kit_name(kit, info, dir);
    from = info.p;
    if (xml_next(info, &from, "instrumentList", &list) != 1) {
        snprintf(err, errlen, "malformed drumkit.xml '%s': no complete <instrumentList>", xml_path);
        goto done;
    }
    n_ins = h2_read_instruments(list, &ins, xml_path, err, errlen);
    if (n_ins < 0)
        goto done;
    if (n_ins == 0) {
        snprintf(err, errlen, "malformed drumkit.xml '%s': no <instrument> in it", xml_path);
        goto done;
    }
    h2_map_voices(ins, n_ins);
    if (h2_load_mapped(kit, dir, ins, n_ins, rate, err, errlen) != 0)
        goto done;
    if (kit_voice_count(kit) == 0) {
        snprintf(err, errlen, "cannot use kit '%s': no instrument with a sample maps to a drum voice", kit->name);
        goto done;
    }
    rc = 0;
done:
    free(ins);
    free(xml);
    if (rc != 0)
        kit_deinit(kit);
    return rc;
}
