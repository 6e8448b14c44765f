/* kit_hydrogen.c - Hydrogen drumkits: drumkit.xml read with a small tag scanner, its instruments
 * mapped to voices by name, tom order and MIDI note, their layers loaded (kit.h). */
#include "kit.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "kit_internal.h"

#define KIT_MAX_XML_BYTES (4u << 20)

/* ---- Hydrogen drumkits ---- */

/* A span of text [p, end). */
typedef struct {
    const char *p, *end;
} Span;

/* What xml_next found. */
typedef enum { XML_MALFORMED = -1, XML_NONE = 0, XML_FOUND = 1 } Xml_found;

/* Finds the next element <tag ...>...</tag> (or <tag/>) inside s, from *from on. Fills inner
 * with its content and moves *from past it. XML_MALFORMED: no closing tag. */
static Xml_found xml_next(Span s, const char **from, const char *tag, Span *inner)
{
    size_t tl = strlen(tag);
    const char *p = *from;
    while (p < s.end) {
        const char *lt = memchr(p, '<', (size_t)(s.end - p));
        if (!lt)
            return XML_NONE;
        const char *q = lt + 1;
        if ((size_t)(s.end - q) > tl && !strncmp(q, tag, tl) &&
            (q[tl] == '>' || q[tl] == ' ' || q[tl] == '/' || q[tl] == '\t' || q[tl] == '\n' || q[tl] == '\r')) {
            const char *gt = memchr(q, '>', (size_t)(s.end - q));
            if (!gt)
                return XML_MALFORMED;
            if (gt[-1] == '/') { /* <tag/> */
                inner->p = inner->end = gt;
                *from = gt + 1;
                return XML_FOUND;
            }
            /* Find the matching close, counting nested elements of the same name. */
            int depth = 1;
            const char *r = gt + 1;
            while (r < s.end) {
                const char *n = memchr(r, '<', (size_t)(s.end - r));
                if (!n)
                    return XML_MALFORMED;
                if ((size_t)(s.end - n) > tl + 2 && n[1] == '/' && !strncmp(n + 2, tag, tl) && n[2 + tl] == '>') {
                    if (--depth == 0) {
                        inner->p = gt + 1;
                        inner->end = n;
                        *from = n + 3 + tl;
                        return XML_FOUND;
                    }
                } else if ((size_t)(s.end - n) > tl + 1 && !strncmp(n + 1, tag, tl) &&
                           (n[1 + tl] == '>' || n[1 + tl] == ' ')) {
                    const char *g = memchr(n, '>', (size_t)(s.end - n));
                    if (g && g[-1] != '/')
                        depth++;
                }
                r = n + 1;
            }
            return XML_MALFORMED;
        }
        p = lt + 1;
    }
    return XML_NONE;
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
    if (xml_next(s, &from, tag, &inner) != XML_FOUND)
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
        if (*p == '<' && (!strncmp(p, "<layer", 6) || (s.end - p >= 20 && !strncmp(p, "<instrumentComponent", 20)))) {
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
} H2_instrument;

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
    if (strstr(s, "snare"))
        return VOICE_SNARE; /* a snare roll or a dry snare is still a snare, never a tom */
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

int kit_voice_from_percussion_name(const char *name)
{
    char s[128];
    kit_lower_copy(s, sizeof s, name);
    static const char *const snare_words[] = {"clap", "stick", "rim", "click", "snap", "cowbell", NULL};
    static const char *const hat_words[] = {"tambourine", "tamb", "maraca", "shaker", "cabasa", "guiro", NULL};
    static const char *const tom_words[] = {"conga", "bongo", "djembe", "timbale", "tabla", "dunun", "sangban",
                                            "kenkeni", "woodblock", "wood block", "cajon", "surdo", NULL};
    static const char *const crash_words[] = {"splash", "china", "cymbal", NULL};
    static const char *const ride_words[] = {"bell", "cup", NULL};
    if (strstr(s, "dunun") && !strstr(s, "bell"))
        return VOICE_KICK; /* the dununba is the ensemble's bass drum */
    if (strstr(s, "cajon") && (strstr(s, "thump") || strstr(s, "bass")))
        return VOICE_KICK;
    if (strstr(s, "cajon") && strstr(s, "slap"))
        return VOICE_SNARE;
    for (int i = 0; snare_words[i]; i++)
        if (strstr(s, snare_words[i]))
            return VOICE_SNARE;
    for (int i = 0; hat_words[i]; i++)
        if (strstr(s, hat_words[i]))
            return VOICE_CLOSED_HAT;
    for (int i = 0; crash_words[i]; i++)
        if (strstr(s, crash_words[i]))
            return VOICE_CRASH;
    for (int i = 0; ride_words[i]; i++)
        if (strstr(s, ride_words[i]))
            return VOICE_RIDE;
    for (int i = 0; tom_words[i]; i++)
        if (strstr(s, tom_words[i])) {
            if (has_word(s, "lo") || strstr(s, "low") || strstr(s, "bass") || strstr(s, "thump"))
                return VOICE_LOW_TOM;
            if (has_word(s, "hi") || strstr(s, "high") || strstr(s, "slap"))
                return VOICE_HIGH_TOM;
            return VOICE_MID_TOM;
        }
    return -1;
}

/* 1 when the name says what the instrument is (a drum or percussion word, even one that maps
 * to no voice or to a voice already taken, as "Pedal HH" or a second "Tom"): such an
 * instrument is never moved onto another voice by its note or its place in the list. */
static int name_says_what(const char *name)
{
    if (kit_voice_from_name(name) >= 0 || kit_voice_from_percussion_name(name) >= 0)
        return 1;
    char s[128];
    kit_lower_copy(s, sizeof s, name);
    static const char *const words[] = {"hat", "hh", "tom", "kick", "snare", "ride", "crash", "cowbell", "perc",
                                        "whistle", "triangle", "agogo", "clave", NULL};
    for (int i = 0; words[i]; i++)
        if (strstr(s, words[i]))
            return 1;
    return 0;
}

/* Loads one instrument's layers into a voice. A layer whose sample is missing or unreadable is
 * skipped, its reason kept in why (the first one). Returns the layers loaded, or -1 with err
 * for a malformed element. */
static int h2_load_instrument(Kit *kit, const char *dir, const H2_instrument *ins, int rate, char *why,
                              size_t whylen, char *err, size_t errlen)
{
    int voice = ins->voice;
    kit_copy_str(kit->voices[voice].source, sizeof kit->voices[voice].source, ins->name);
    const char *from = ins->body.p;
    Span layer;
    int found = 0;
    Xml_found r;
    why[0] = 0;
    while ((r = xml_next(ins->body, &from, "layer", &layer)) == XML_FOUND) {
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
            return error_set(err, errlen, "malformed drumkit.xml: bad layer numbers in instrument '%s'", ins->name);
        }
        char path[2048], reason[512];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        float *data;
        int frames;
        if (kit_read_sample(path, rate, &data, &frames, reason, sizeof reason) != 0) {
            if (!why[0])
                snprintf(why, whylen, "%s", reason);
            continue;
        }
        kit_add_layer(kit, voice, data, frames, min_v, max_v, gain * ins->gain);
        found++;
    }
    if (r == XML_MALFORMED) {
        return error_set(err, errlen, "malformed drumkit.xml: unclosed <layer> in instrument '%s'", ins->name);
    }
    if (!found && ins->file[0]) {
        char path[2048], reason[512];
        snprintf(path, sizeof path, "%s/%s", dir, ins->file);
        float *data;
        int frames;
        if (kit_read_sample(path, rate, &data, &frames, reason, sizeof reason) != 0) {
            if (!why[0])
                snprintf(why, whylen, "%s", reason);
            return 0;
        }
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
        return error_set(err, errlen, "cannot open kit '%s': %s", xml_path, strerror(errno));
    }
    char *buf = malloc(KIT_MAX_XML_BYTES + 1);
    if (!buf) {
        fclose(f);
        return error_set(err, errlen, "cannot read '%s': out of memory", xml_path);
    }
    size_t n = fread(buf, 1, KIT_MAX_XML_BYTES + 1, f);
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err || n > KIT_MAX_XML_BYTES) {
        free(buf);
        return error_set(err, errlen, "cannot read '%s': %s", xml_path, rd_err ? "read error" : "larger than 4 MB");
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
    if (xml_next(info, &lf, "instrumentList", &il) == XML_FOUND)
        head.end = il.p; /* the kit's own <name> comes before its instruments */
    if (xml_field(head, "name", name, sizeof name) && name[0])
        kit_copy_str(kit->name, sizeof kit->name, name);
    else
        kit_copy_str(kit->name, sizeof kit->name, kit_base_name(dir));
}

/* Fills one instrument from its element: name, old-layout file, gain * volume, MIDI notes. */
static void h2_instrument_parse(H2_instrument *it, Span body, int position)
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
static int h2_read_instruments(Span list, H2_instrument **ins, const char *xml_path, char *err, size_t errlen)
{
    int n_ins = 0, cap = 0;
    Xml_found r;
    Span body;
    const char *from = list.p;
    while ((r = xml_next(list, &from, "instrument", &body)) == XML_FOUND) {
        if (n_ins == cap) {
            cap = cap ? 2 * cap : 32;
            if (cap > 4096) {
                return error_set(err, errlen, "malformed drumkit.xml '%s': too many instruments", xml_path);
            }
            H2_instrument *grown = realloc(*ins, sizeof **ins * (size_t)cap);
            if (!grown) {
                return error_set(err, errlen, "cannot read '%s': out of memory", xml_path);
            }
            *ins = grown;
        }
        n_ins++;
        h2_instrument_parse(&(*ins)[n_ins - 1], body, n_ins);
    }
    if (r == XML_MALFORMED) {
        return error_set(err, errlen, "malformed drumkit.xml '%s': unclosed <instrument> element", xml_path);
    }
    return n_ins;
}

/* Toms named without a size ("Tom 1", "Tom 2"): the first in name order takes the highest free
 * tom voice, and so on down. */
static void h2_map_unsized_toms(H2_instrument *ins, int n_ins, int taken[HVO_VOICES])
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

/* 1 when the name plays a drum another way than its plain stroke (a roll, a rim shot, a
 * half-open hat): such an instrument takes a voice only when no plain one does. */
static int name_has_modifier(const char *name)
{
    char s[128];
    kit_lower_copy(s, sizeof s, name);
    static const char *const words[] = {"roll", "rim", "side", "flam", "ghost", "brush", "swirl", "semi", "half",
                                        "choke", "mute", "flink", "edge", "bell", NULL};
    for (int i = 0; words[i]; i++)
        if (strstr(s, words[i]))
            return 1;
    return 0;
}

/* Decides each instrument's voice, by the words in its name first, then by its notes, then by
 * its place in the list:
 *   1. drum words (kick, bass drum, snare, hat, tom, floor, ride, crash, ...): the first
 *      plain instrument of a voice wins it, one played another way (roll, rim shot, semi-open)
 *      only when no plain one does;
 *   2. toms named without a size take the free tom voices, highest first;
 *   3. other percussion words take a voice that is still free by the class General MIDI gives
 *      them (clap/stick -> snare, tambourine/shaker -> closed hat, conga/bongo -> toms,
 *      splash/china -> crash, bell -> ride);
 *   4. only instruments whose name says nothing ("17", "Drum 1") go by note: their
 *      midiOutNote, else their place as Hydrogen's default input map plays it (36 + position),
 *      both through the General MIDI map.
 * An instrument whose name says what it is never lands on another voice (a "Snare Roll" is
 * not a tom); what gets no voice is listed as unmapped. */
static void h2_map_voices(H2_instrument *ins, int n_ins)
{
    int taken[HVO_VOICES] = {0};
    for (int plain = 1; plain >= 0; plain--) /* a plain "Snare" before a "Snare Roll" */
        for (int i = 0; i < n_ins; i++) {
            int v = kit_voice_from_name(ins[i].name);
            if (v >= 0 && !taken[v] && (!plain || !name_has_modifier(ins[i].name))) {
                ins[i].voice = v;
                taken[v] = 1;
            }
        }
    h2_map_unsized_toms(ins, n_ins, taken);
    for (int i = 0; i < n_ins; i++) {
        if (ins[i].voice >= 0 || kit_voice_from_name(ins[i].name) >= 0)
            continue;
        int v = kit_voice_from_percussion_name(ins[i].name);
        if (v >= 0 && !taken[v]) {
            ins[i].voice = v;
            taken[v] = 1;
        }
    }
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n_ins; i++) {
            if (ins[i].voice >= 0 || name_says_what(ins[i].name))
                continue;
            int note = pass == 0 ? ins[i].note : ins[i].position_note;
            int v = note >= 0 && note < 128 ? voice_from_general_midi(note) : -1;
            if (v >= 0 && !taken[v]) {
                ins[i].voice = v;
                taken[v] = 1;
            }
        }
}

/* Notes an instrument left out because its samples are missing or unreadable (kit.h). */
static void note_missing(Kit *kit, const char *name, const char *why)
{
    size_t used = strlen(kit->missing);
    if (kit->n_missing == 0)
        snprintf(kit->missing, sizeof kit->missing, "'%s' (%s)", name, why);
    else if (used + 8 < sizeof kit->missing)
        snprintf(kit->missing + used, sizeof kit->missing - used, ", '%s'", name);
    kit->n_missing++;
}

/* Loads the samples of every mapped instrument; the unmapped ones, and those without a sample,
 * are noted as unmapped; those whose samples are all missing or unreadable are left out and
 * noted in kit->missing (the rest of the kit plays, as in Hydrogen). 0, or -1 with err. */
static int h2_load_mapped(Kit *kit, const char *dir, const H2_instrument *ins, int n_ins, int rate, char *err,
                          size_t errlen)
{
    for (int i = 0; i < n_ins; i++) {
        if (ins[i].voice < 0) {
            kit_note_unmapped(kit, ins[i].name);
            continue;
        }
        char why[512];
        int got = h2_load_instrument(kit, dir, &ins[i], rate, why, sizeof why, err, errlen);
        if (got < 0) {
            char reason[512];
            kit_copy_str(reason, sizeof reason, err);
            return error_set(err, errlen, "cannot use kit '%s': %s", kit->name, reason);
        }
        if (got == 0) { /* no sample: leave the voice to another */
            kit->voices[ins[i].voice].source[0] = 0;
            if (why[0])
                note_missing(kit, ins[i].name, why);
            else
                kit_note_unmapped(kit, ins[i].name);
        }
    }
    return 0;
}

int kit_load_hydrogen_raw(Kit *kit, const char *xml_path, int rate, char *err, size_t errlen)
{
    char dir[1024];
    kit_copy_str(dir, sizeof dir, xml_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        kit_copy_str(dir, sizeof dir, ".");
    char *xml;
    size_t n;
    memset(kit, 0, sizeof *kit);
    if (h2_read_xml(xml_path, &xml, &n, err, errlen) != 0)
        return -1;
    int rc = kit_load_hydrogen_memory(kit, xml, n, dir, xml_path, rate, err, errlen);
    free(xml);
    return rc;
}

int kit_load_hydrogen_memory(Kit *kit, const char *xml, size_t n, const char *dir, const char *label, int rate,
                             char *err, size_t errlen)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = rate;
    kit_copy_str(kit->path, sizeof kit->path, dir);
    const char *xml_path = label;
    Span all = {xml, xml + n};
    H2_instrument *ins = NULL;
    int n_ins = 0, rc = -1;
    Span info, list;
    const char *from = all.p;
    if (xml_next(all, &from, "drumkit_info", &info) != XML_FOUND) {
        error_set(err, errlen, "malformed drumkit.xml '%s': no complete <drumkit_info> element", xml_path);
        goto done;
    }
    h2_kit_name(kit, info, dir);
    from = info.p;
    if (xml_next(info, &from, "instrumentList", &list) != XML_FOUND) {
        error_set(err, errlen, "malformed drumkit.xml '%s': no complete <instrumentList>", xml_path);
        goto done;
    }
    n_ins = h2_read_instruments(list, &ins, xml_path, err, errlen);
    if (n_ins < 0)
        goto done;
    if (n_ins == 0) {
        error_set(err, errlen, "malformed drumkit.xml '%s': no <instrument> in it", xml_path);
        goto done;
    }
    h2_map_voices(ins, n_ins);
    if (h2_load_mapped(kit, dir, ins, n_ins, rate, err, errlen) != 0)
        goto done;
    if (kit_voice_count(kit) == 0) {
        if (kit->n_missing)
            error_set(err, errlen, "cannot use kit '%s': no instrument has a sample that can be read: %s", kit->name,
                      kit->missing);
        else
            error_set(err, errlen, "cannot use kit '%s': no instrument with a sample maps to a drum voice", kit->name);
        goto done;
    }
    rc = 0;
done:
    free(ins);
    if (rc != 0)
        kit_deinit(kit);
    return rc;
}
