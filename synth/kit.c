/* kit.c - drum kits: folders named by voice, Hydrogen drumkits, the default kit (kit.h). */
#include "kit.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drumsynth.h"

#define KIT_MAX_XML_BYTES (4u << 20)

/* ---- small helpers ---- */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void copy_str(char *dst, size_t n, const char *src)
{
    if (n == 0)
        return;
    size_t i = 0;
    for (; src && src[i] && i + 1 < n; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Lower-cases src into dst (ASCII). */
static void lower_copy(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = 0;
}

/* Makes an error message one printable line: control characters (from names in a file)
 * become '?'. Returns rc. */
static int one_line(int rc, char *err)
{
    if (rc != 0)
        for (char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    return rc;
}

void kit_deinit(Kit *kit)
{
    for (int v = 0; v < HVO_VOICES; v++)
        for (int l = 0; l < kit->voices[v].n_layers; l++)
            free(kit->voices[v].layers[l].data);
    memset(kit, 0, sizeof *kit);
}

static void kit_note_unmapped(Kit *kit, const char *what)
{
    if (kit->n_unmapped < KIT_MAX_UNMAPPED)
        copy_str(kit->unmapped[kit->n_unmapped], sizeof kit->unmapped[0], what);
    kit->n_unmapped++;
}

int kit_voice_count(const Kit *kit)
{
    int n = 0;
    for (int v = 0; v < HVO_VOICES; v++)
        n += kit->voices[v].n_layers > 0;
    return n;
}

const Kit_layer *kit_pick_layer(const Kit *kit, int voice, float velocity)
{
    if (!kit || voice < 0 || voice >= HVO_VOICES)
        return NULL;
    const Kit_voice *kv = &kit->voices[voice];
    if (kv->n_layers == 0)
        return NULL;
    const Kit_layer *best = &kv->layers[0];
    float best_dist = 2.0f;
    for (int l = 0; l < kv->n_layers; l++) {
        const Kit_layer *k = &kv->layers[l];
        if (velocity >= k->min_vel && velocity <= k->max_vel)
            return k;
        float d = velocity < k->min_vel ? k->min_vel - velocity : velocity - k->max_vel;
        if (d < best_dist) {
            best_dist = d;
            best = k;
        }
    }
    return best;
}

/* ---- audio files ---- */

/* Reads an audio file as mono float at rate (resampled), trailing silence trimmed and cut at
 * KIT_MAX_SECONDS. 0, or -1 with a reason in err. */
static int read_sample(const char *path, int rate, float **out, int *frames, char *err, size_t errlen)
{
    *out = NULL;
    *frames = 0;
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        snprintf(err, errlen, "cannot read '%s': %s", base_name(path), sf_strerror(NULL));
        return -1;
    }
    if (info.channels <= 0 || info.channels > 64 || info.samplerate < 1000 || info.samplerate > 768000 ||
        info.frames <= 0) {
        snprintf(err, errlen, "cannot read '%s': %s", base_name(path),
                 info.frames <= 0 ? "no audio in it" : "unsupported channel count or sample rate");
        sf_close(sf);
        return -1;
    }
    sf_count_t max_in = (sf_count_t)(KIT_MAX_SECONDS * info.samplerate);
    sf_count_t want = info.frames < max_in ? info.frames : max_in;
    float *inter = malloc(sizeof(float) * (size_t)want * (size_t)info.channels);
    float *mono = malloc(sizeof(float) * (size_t)want);
    if (!inter || !mono) {
        free(inter);
        free(mono);
        sf_close(sf);
        snprintf(err, errlen, "cannot read '%s': out of memory", base_name(path));
        return -1;
    }
    sf_count_t got = sf_readf_float(sf, inter, want);
    int sferr = sf_error(sf);
    sf_close(sf);
    if (got <= 0 || (sferr != SF_ERR_NO_ERROR && got < want)) {
        free(inter);
        free(mono);
        snprintf(err, errlen, "cannot read '%s': %s", base_name(path),
                 got <= 0 ? "no audio could be decoded" : "file is truncated or corrupt");
        return -1;
    }
    for (sf_count_t i = 0; i < got; i++) {
        float s = 0.0f;
        for (int c = 0; c < info.channels; c++)
            s += inter[i * info.channels + c];
        s /= (float)info.channels;
        mono[i] = isfinite(s) ? s : 0.0f;
    }
    free(inter);
    /* Fade the last 10 ms when the file was cut. */
    if (got == max_in && info.frames > max_in) {
        sf_count_t fade = info.samplerate / 100;
        for (sf_count_t i = 0; i < fade && i < got; i++)
            mono[got - 1 - i] *= (float)i / (float)fade;
    }
    /* Trim the tail below -90 dBFS. */
    while (got > 1 && fabsf(mono[got - 1]) < 3.2e-5f)
        got--;

    if (info.samplerate == rate) {
        *out = mono;
        *frames = (int)got;
        return 0;
    }
    double ratio = (double)rate / info.samplerate;
    long out_frames = (long)ceil((double)got * ratio) + 16;
    float *res = malloc(sizeof(float) * (size_t)out_frames);
    if (!res) {
        free(mono);
        snprintf(err, errlen, "cannot read '%s': out of memory", base_name(path));
        return -1;
    }
    SRC_DATA d;
    memset(&d, 0, sizeof d);
    d.data_in = mono;
    d.input_frames = (long)got;
    d.data_out = res;
    d.output_frames = out_frames;
    d.src_ratio = ratio;
    int rc = src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 1);
    free(mono);
    if (rc != 0 || d.output_frames_gen <= 0) {
        free(res);
        snprintf(err, errlen, "cannot resample '%s': %s", base_name(path), src_strerror(rc));
        return -1;
    }
    *out = res;
    *frames = (int)d.output_frames_gen;
    return 0;
}

/* Adds a layer to a voice (keeps layers ordered by min_vel). Takes ownership of data. */
static void kit_add_layer(Kit *kit, int voice, float *data, int frames, float min_vel, float max_vel,
                          float gain)
{
    Kit_voice *kv = &kit->voices[voice];
    if (kv->n_layers >= KIT_MAX_LAYERS) {
        free(data);
        kit->n_layers_dropped++;
        return;
    }
    int at = kv->n_layers;
    while (at > 0 && kv->layers[at - 1].min_vel > min_vel) {
        kv->layers[at] = kv->layers[at - 1];
        at--;
    }
    kv->layers[at] = (Kit_layer){data, frames, min_vel, max_vel, gain};
    kv->n_layers++;
}

/* ---- folder kits ---- */

static const char *const names_kick[] = {"kick", "bd", "bass_drum", "bassdrum", "bass", NULL};
static const char *const names_snare[] = {"snare", "sd", "sn", NULL};
static const char *const names_ch[] = {"closed_hat", "closedhat", "hihat", "hi_hat", "hat", "hh", "ch",
                                       "chh", "closed_hihat", NULL};
static const char *const names_oh[] = {"open_hat", "openhat", "oh", "ohh", "open_hihat", NULL};
static const char *const names_lt[] = {"low_tom", "lowtom", "tom_low", "floor_tom", "lt", "tom1", NULL};
static const char *const names_mt[] = {"mid_tom", "midtom", "tom_mid", "mt", "tom2", NULL};
static const char *const names_ht[] = {"high_tom", "hightom", "tom_high", "hi_tom", "ht", "tom3", NULL};
static const char *const names_crash[] = {"crash", "cr", "cymbal", NULL};
static const char *const names_ride[] = {"ride", "rd", NULL};
static const char *const *const voice_names[HVO_VOICES] = {names_kick, names_snare, names_ch, names_oh, names_lt,
                                                           names_mt,   names_ht,    names_crash, names_ride};

const char *const *kit_voice_file_names(int voice)
{
    return voice >= 0 && voice < HVO_VOICES ? voice_names[voice] : NULL;
}

static int audio_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    char ext[8];
    lower_copy(ext, sizeof ext, dot + 1);
    return !strcmp(ext, "wav") || !strcmp(ext, "flac") || !strcmp(ext, "aif") || !strcmp(ext, "aiff") ||
           !strcmp(ext, "ogg");
}

/* The voice a file name (without extension, lower case, '-' and ' ' as '_') stands for. */
static int voice_from_file_stem(const char *stem)
{
    for (int v = 0; v < HVO_VOICES; v++)
        for (const char *const *n = voice_names[v]; *n; n++)
            if (!strcmp(stem, *n))
                return v;
    return -1;
}

static int kit_load_folder_raw(Kit *kit, const char *dir, int rate, char *err, size_t errlen)
{
    memset(kit, 0, sizeof *kit);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "cannot open kit '%s': %s", dir, strerror(errno));
        return -1;
    }
    kit->rate = rate;
    copy_str(kit->path, sizeof kit->path, dir);
    char tmp[1024];
    copy_str(tmp, sizeof tmp, dir);
    size_t len = strlen(tmp);
    while (len > 1 && tmp[len - 1] == '/')
        tmp[--len] = 0;
    copy_str(kit->name, sizeof kit->name, base_name(tmp));

    /* Pick files in name order so the result does not depend on the directory's order. */
    char *names[256];
    int n_names = 0, n_entries = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        n_entries++;
        if (!audio_extension(de->d_name) || n_names >= 256)
            continue;
        names[n_names] = strdup(de->d_name);
        if (names[n_names])
            n_names++;
    }
    closedir(d);
    for (int i = 1; i < n_names; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    int rc = 0;
    if (n_entries == 0) {
        snprintf(err, errlen, "cannot use kit '%s': the folder is empty", dir);
        rc = -1;
    }
    for (int i = 0; i < n_names && rc == 0; i++) {
        char stem[128];
        lower_copy(stem, sizeof stem, names[i]);
        char *dot = strrchr(stem, '.');
        if (dot)
            *dot = 0;
        for (char *p = stem; *p; p++)
            if (*p == '-' || *p == ' ')
                *p = '_';
        int v = voice_from_file_stem(stem);
        if (v < 0 || kit->voices[v].n_layers > 0) {
            kit_note_unmapped(kit, names[i]);
            continue;
        }
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        float *data;
        int frames;
        char why[512];
        if (read_sample(path, rate, &data, &frames, why, sizeof why) != 0) {
            snprintf(err, errlen, "cannot use kit '%s': %s", kit->name, why);
            rc = -1;
            break;
        }
        kit_add_layer(kit, v, data, frames, 0.0f, 1.0f, 1.0f);
        copy_str(kit->voices[v].source, sizeof kit->voices[v].source, names[i]);
    }
    for (int i = 0; i < n_names; i++)
        free(names[i]);
    if (rc == 0 && kit_voice_count(kit) == 0) {
        snprintf(err, errlen,
                 "cannot use kit '%s': no audio file named by voice (kick.wav, snare.wav, closed_hat.wav, ...)",
                 kit->name);
        rc = -1;
    }
    if (rc != 0)
        kit_deinit(kit);
    return rc;
}

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
    lower_copy(s, sizeof s, name);
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
    copy_str(kit->voices[voice].source, sizeof kit->voices[voice].source, ins->name);
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
        if (read_sample(path, rate, &data, &frames, err, errlen) != 0)
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
        if (read_sample(path, rate, &data, &frames, err, errlen) != 0)
            return -1;
        kit_add_layer(kit, voice, data, frames, 0.0f, 1.0f, ins->gain);
        found++;
    }
    return found;
}

static int kit_load_hydrogen_raw(Kit *kit, const char *xml_path, int rate, char *err, size_t errlen)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = rate;
    char dir[1024];
    copy_str(dir, sizeof dir, xml_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        copy_str(dir, sizeof dir, ".");
    copy_str(kit->path, sizeof kit->path, dir);

    FILE *f = fopen(xml_path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open kit '%s': %s", xml_path, strerror(errno));
        return -1;
    }
    char *xml = malloc(KIT_MAX_XML_BYTES + 1);
    if (!xml) {
        fclose(f);
        snprintf(err, errlen, "cannot read '%s': out of memory", xml_path);
        return -1;
    }
    size_t n = fread(xml, 1, KIT_MAX_XML_BYTES + 1, f);
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err || n > KIT_MAX_XML_BYTES) {
        free(xml);
        snprintf(err, errlen, "cannot read '%s': %s", xml_path, rd_err ? "read error" : "larger than 4 MB");
        return -1;
    }
    xml[n] = 0;
    Span all = {xml, xml + n};
    H2Instrument *ins = NULL;
    int n_ins = 0, rc = -1;
    Span info, list;
    const char *from = all.p;
    if (xml_next(all, &from, "drumkit_info", &info) != 1) {
        snprintf(err, errlen, "malformed drumkit.xml '%s': no complete <drumkit_info> element", xml_path);
        goto done;
    }
    {
        char name[128];
        Span head = info;
        from = info.p;
        Span il;
        const char *lf = info.p;
        if (xml_next(info, &lf, "instrumentList", &il) == 1)
            head.end = il.p; /* the kit's own <name> comes before its instruments */
        if (xml_field(head, "name", name, sizeof name) && name[0])
            copy_str(kit->name, sizeof kit->name, name);
        else
            copy_str(kit->name, sizeof kit->name, base_name(dir));
    }
    from = info.p;
    if (xml_next(info, &from, "instrumentList", &list) != 1) {
        snprintf(err, errlen, "malformed drumkit.xml '%s': no complete <instrumentList>", xml_path);
        goto done;
    }
    {
        int cap = 0, r;
        Span body;
        from = list.p;
        while ((r = xml_next(list, &from, "instrument", &body)) == 1) {
            if (n_ins == cap) {
                cap = cap ? 2 * cap : 32;
                if (cap > 4096) {
                    snprintf(err, errlen, "malformed drumkit.xml '%s': too many instruments", xml_path);
                    goto done;
                }
                H2Instrument *grown = realloc(ins, sizeof *ins * (size_t)cap);
                if (!grown) {
                    snprintf(err, errlen, "cannot read '%s': out of memory", xml_path);
                    goto done;
                }
                ins = grown;
            }
            H2Instrument *it = &ins[n_ins++];
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
            it->position_note = 35 + n_ins; /* Hydrogen's default input map: 36 + position */
            if (!it->name[0])
                snprintf(it->name, sizeof it->name, "instrument %d", n_ins);
        }
        if (r < 0) {
            snprintf(err, errlen, "malformed drumkit.xml '%s': unclosed <instrument> element", xml_path);
            goto done;
        }
    }
    if (n_ins == 0) {
        snprintf(err, errlen, "malformed drumkit.xml '%s': no <instrument> in it", xml_path);
        goto done;
    }
    /* Map: by name first (first instrument wins a voice), then by MIDI note for the rest. */
    {
        int taken[HVO_VOICES] = {0};
        for (int i = 0; i < n_ins; i++) {
            int v = kit_voice_from_name(ins[i].name);
            if (v >= 0 && !taken[v]) {
                ins[i].voice = v;
                taken[v] = 1;
            }
        }
        /* Toms named without a size ("Tom 1", "Tom 2"): the first in name order is the highest. */
        static const int tom_order[3] = {VOICE_HIGH_TOM, VOICE_MID_TOM, VOICE_LOW_TOM};
        for (;;) {
            int pick = -1;
            for (int i = 0; i < n_ins; i++) {
                char low[64];
                lower_copy(low, sizeof low, ins[i].name);
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
        /* Then by MIDI note: the instrument's midiOutNote, and failing that its place in the
         * list as Hydrogen's default input map plays it (note 36 + position). */
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
        for (int i = 0; i < n_ins; i++) {
            if (ins[i].voice < 0) {
                kit_note_unmapped(kit, ins[i].name);
                continue;
            }
            int got = h2_load_instrument(kit, dir, &ins[i], rate, err, errlen);
            if (got < 0) {
                char why[512];
                copy_str(why, sizeof why, err);
                snprintf(err, errlen, "cannot use kit '%s': %s", kit->name, why);
                goto done;
            }
            if (got == 0) { /* an instrument without a sample: leave the voice to another */
                kit->voices[ins[i].voice].source[0] = 0;
                kit_note_unmapped(kit, ins[i].name);
            }
        }
    }
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

/* ---- the default kit and the kit search ---- */

const char *kit_default_dir(void)
{
    static char dir[1024];
    char exe[900];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        const char *tries[] = {"samples", "../share/groove/samples"};
        for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
            snprintf(dir, sizeof dir, "%s/%s", exe, tries[i]);
            char probe[1100];
            snprintf(probe, sizeof probe, "%s/kick.wav", dir);
            if (is_file(probe))
                return dir;
        }
    }
    if (is_file("samples/kick.wav")) {
        copy_str(dir, sizeof dir, "samples");
        return dir;
    }
    dir[0] = 0;
    return dir;
}

/* Synthesises the default kit in memory. */
static int kit_synthesize(Kit *kit, int rate, char *err, size_t errlen)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = rate;
    copy_str(kit->name, sizeof kit->name, "default");
    copy_str(kit->path, sizeof kit->path, "(synthesised in memory)");
    for (int v = 0; v < HVO_VOICES; v++) {
        float *data;
        int frames;
        if (drumsynth_render(v, rate, &data, &frames) != 0) {
            kit_deinit(kit);
            snprintf(err, errlen, "cannot synthesise the default kit: out of memory");
            return -1;
        }
        kit_add_layer(kit, v, data, frames, 0.0f, 1.0f, 1.0f);
        copy_str(kit->voices[v].source, sizeof kit->voices[v].source, drumsynth_file_name(v));
    }
    return 0;
}

int kit_load_default(Kit *kit, int rate, char *err, size_t errlen)
{
    const char *dir = kit_default_dir();
    if (dir[0] && kit_load_folder_raw(kit, dir, rate, err, errlen) == 0) {
        copy_str(kit->name, sizeof kit->name, "default");
        return 0;
    }
    return kit_synthesize(kit, rate, err, errlen);
}

/* The places kits live: fills dirs with up to 4 folders and their origins. */
static int kit_places(char dirs[][1024], const char **origins)
{
    int n = 0;
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0]) {
        snprintf(dirs[n], 1024, "%s/groove/kits", xdg);
        origins[n++] = "user";
        snprintf(dirs[n], 1024, "%s/hydrogen/data/drumkits", xdg);
        origins[n++] = "hydrogen (user)";
    } else if (home && home[0]) {
        snprintf(dirs[n], 1024, "%s/.local/share/groove/kits", home);
        origins[n++] = "user";
        snprintf(dirs[n], 1024, "%s/.local/share/hydrogen/data/drumkits", home);
        origins[n++] = "hydrogen (user)";
    }
    const char *sys = getenv("GROOVE_SYSTEM_DRUMKITS"); /* tests point this elsewhere */
    snprintf(dirs[n], 1024, "%s", sys && sys[0] ? sys : "/usr/share/hydrogen/data/drumkits");
    origins[n++] = "hydrogen (system)";
    return n;
}

int kit_list(Kit_info *out, int max)
{
    int count = 0;
    if (count < max) {
        const char *d = kit_default_dir();
        copy_str(out[count].name, sizeof out[count].name, "default");
        copy_str(out[count].path, sizeof out[count].path, d[0] ? d : "(synthesised in memory)");
        out[count].origin = "default";
    }
    count++;
    char dirs[4][1024];
    const char *origins[4];
    int n = kit_places(dirs, origins);
    for (int i = 0; i < n; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        char *names[512];
        int nn = 0;
        struct dirent *de;
        while ((de = readdir(d)) != NULL && nn < 512) {
            if (de->d_name[0] == '.')
                continue;
            char p[2048];
            snprintf(p, sizeof p, "%s/%s", dirs[i], de->d_name);
            if (!is_dir(p))
                continue;
            names[nn] = strdup(de->d_name);
            if (names[nn])
                nn++;
        }
        closedir(d);
        for (int a = 1; a < nn; a++)
            for (int b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
                char *t = names[b];
                names[b] = names[b - 1];
                names[b - 1] = t;
            }
        for (int a = 0; a < nn; a++) {
            if (count < max) {
                copy_str(out[count].name, sizeof out[count].name, names[a]);
                snprintf(out[count].path, sizeof out[count].path, "%s/%s", dirs[i], names[a]);
                out[count].origin = origins[i];
            }
            count++;
            free(names[a]);
        }
    }
    return count;
}

int kit_find(const char *name, char *path, size_t pathlen)
{
    Kit_info infos[256];
    int n = kit_list(infos, 256);
    if (n > 256)
        n = 256;
    for (int i = 0; i < n; i++)
        if (!strcasecmp(infos[i].name, name)) {
            copy_str(path, pathlen, infos[i].path);
            return 0;
        }
    return -1;
}

static int kit_load_spec(Kit *kit, const char *spec, int rate, char *err, size_t errlen)
{
    if (!spec || !spec[0] || !strcasecmp(spec, "default"))
        return kit_load_default(kit, rate, err, errlen);
    char path[1024];
    copy_str(path, sizeof path, spec);
    if (!is_dir(path) && !is_file(path)) {
        if (strchr(spec, '/') || kit_find(spec, path, sizeof path) != 0) {
            memset(kit, 0, sizeof *kit);
            snprintf(err, errlen, "cannot open kit '%s': no such folder or kit name (groove kits lists them)", spec);
            return -1;
        }
        if (!strcmp(path, "(synthesised in memory)"))
            return kit_load_default(kit, rate, err, errlen);
    }
    if (is_dir(path)) {
        char xml[1100];
        snprintf(xml, sizeof xml, "%s/drumkit.xml", path);
        if (is_file(xml))
            return kit_load_hydrogen_raw(kit, xml, rate, err, errlen);
        return kit_load_folder_raw(kit, path, rate, err, errlen);
    }
    const char *b = base_name(path);
    size_t bl = strlen(b);
    if (bl >= 4 && !strcasecmp(b + bl - 4, ".xml"))
        return kit_load_hydrogen_raw(kit, path, rate, err, errlen);
    memset(kit, 0, sizeof *kit);
    snprintf(err, errlen, "cannot open kit '%s': not a folder or a drumkit.xml", spec);
    return -1;
}

/* Makes the names a kit file supplied printable (control characters become '?'). */
static void kit_printable(Kit *kit)
{
    one_line(1, kit->name);
    for (int v = 0; v < HVO_VOICES; v++)
        one_line(1, kit->voices[v].source);
    for (int i = 0; i < kit->n_unmapped && i < KIT_MAX_UNMAPPED; i++)
        one_line(1, kit->unmapped[i]);
}

int kit_load(Kit *kit, const char *spec, int rate, char *err, size_t errlen)
{
    int rc = one_line(kit_load_spec(kit, spec, rate, err, errlen), err);
    if (rc == 0)
        kit_printable(kit);
    return rc;
}

int kit_load_folder(Kit *kit, const char *dir, int rate, char *err, size_t errlen)
{
    int rc = one_line(kit_load_folder_raw(kit, dir, rate, err, errlen), err);
    if (rc == 0)
        kit_printable(kit);
    return rc;
}

int kit_load_hydrogen(Kit *kit, const char *xml_path, int rate, char *err, size_t errlen)
{
    int rc = one_line(kit_load_hydrogen_raw(kit, xml_path, rate, err, errlen), err);
    if (rc == 0)
        kit_printable(kit);
    return rc;
}

int kit_load_or_default(Kit *kit, const char *spec, int rate, int *fell_back, char *err, size_t errlen)
{
    *fell_back = 0;
    if (kit_load(kit, spec, rate, err, errlen) == 0)
        return 0;
    *fell_back = 1;
    char why[600];
    copy_str(why, sizeof why, err);
    if (kit_load_default(kit, rate, err, errlen) != 0)
        return -1;
    snprintf(err, errlen, "%s; playing the default kit", why);
    return 0;
}
