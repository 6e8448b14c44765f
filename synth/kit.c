/* kit.c - samples and voice names: audio files into layers, the layers of a voice, folder kits
 * whose files are named by voice (kit.h; Hydrogen reading is kit_hydrogen.c, where kits are found
 * kit_find.c). */
#include "kit.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "kit_internal.h"

/* ---- small helpers ---- */

void kit_copy_str(char *dst, size_t n, const char *src)
{
    if (n == 0)
        return;
    size_t i = 0;
    for (; src && src[i] && i + 1 < n; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

const char *kit_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Lower-cases src into dst (ASCII). */
void kit_lower_copy(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = 0;
}

void kit_deinit(Kit *kit)
{
    for (int v = 0; v < HVO_VOICES; v++)
        for (int l = 0; l < kit->voices[v].n_layers; l++)
            free(kit->voices[v].layers[l].data);
    memset(kit, 0, sizeof *kit);
}

void kit_note_unmapped(Kit *kit, const char *what)
{
    if (kit->n_unmapped < KIT_MAX_UNMAPPED)
        kit_copy_str(kit->unmapped[kit->n_unmapped], sizeof kit->unmapped[0], what);
    kit->n_unmapped++;
}

const char *kit_missing_line(const Kit *kit, char *line, size_t len)
{
    if (kit->n_missing == 0)
        snprintf(line, len, "%s", "");
    else
        snprintf(line, len, "kit '%s': left out %d instrument%s whose samples are missing or unreadable: %s", kit->name,
                 kit->n_missing, kit->n_missing == 1 ? "" : "s", kit->missing);
    return line;
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
int kit_read_sample(const char *path, int rate, float **out, int *frames, char *err, size_t errlen)
{
    *out = NULL;
    *frames = 0;
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        return error_set(err, errlen, "cannot read '%s': %s", kit_base_name(path), sf_strerror(NULL));
    }
    if (info.channels <= 0 || info.channels > 64 || info.samplerate < 1000 || info.samplerate > 768000 ||
        info.frames <= 0) {
        error_set(err, errlen, "cannot read '%s': %s", kit_base_name(path),
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
        return error_set(err, errlen, "cannot read '%s': out of memory", kit_base_name(path));
    }
    sf_count_t got = sf_readf_float(sf, inter, want);
    int sferr = sf_error(sf);
    sf_close(sf);
    if (got <= 0 || (sferr != SF_ERR_NO_ERROR && got < want)) {
        free(inter);
        free(mono);
        return error_set(err, errlen, "cannot read '%s': %s", kit_base_name(path),
                         got <= 0 ? "no audio could be decoded" : "file is truncated or corrupt");
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
        return error_set(err, errlen, "cannot read '%s': out of memory", kit_base_name(path));
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
        return error_set(err, errlen, "cannot resample '%s': %s", kit_base_name(path), src_strerror(rc));
    }
    *out = res;
    *frames = (int)d.output_frames_gen;
    return 0;
}

/* Adds a layer to a voice (keeps layers ordered by min_vel). Takes ownership of data. */
void kit_add_layer(Kit *kit, int voice, float *data, int frames, float min_vel, float max_vel, float gain)
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
    kit_lower_copy(ext, sizeof ext, dot + 1);
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

int kit_load_folder_raw(Kit *kit, const char *dir, int rate, char *err, size_t errlen)
{
    memset(kit, 0, sizeof *kit);
    DIR *d = opendir(dir);
    if (!d) {
        return error_set(err, errlen, "cannot open kit '%s': %s", dir, strerror(errno));
    }
    kit->rate = rate;
    kit_copy_str(kit->path, sizeof kit->path, dir);
    char tmp[1024];
    kit_copy_str(tmp, sizeof tmp, dir);
    size_t len = strlen(tmp);
    while (len > 1 && tmp[len - 1] == '/')
        tmp[--len] = 0;
    kit_copy_str(kit->name, sizeof kit->name, kit_base_name(tmp));

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
        error_set(err, errlen, "cannot use kit '%s': the folder is empty", dir);
        rc = -1;
    }
    for (int i = 0; i < n_names && rc == 0; i++) {
        char stem[128];
        kit_lower_copy(stem, sizeof stem, names[i]);
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
        if (kit_read_sample(path, rate, &data, &frames, why, sizeof why) != 0) {
            error_set(err, errlen, "cannot use kit '%s': %s", kit->name, why);
            rc = -1;
            break;
        }
        kit_add_layer(kit, v, data, frames, 0.0f, 1.0f, 1.0f);
        kit_copy_str(kit->voices[v].source, sizeof kit->voices[v].source, names[i]);
    }
    for (int i = 0; i < n_names; i++)
        free(names[i]);
    if (rc == 0 && kit_voice_count(kit) == 0) {
        rc = error_set(err, errlen,
                       "cannot use kit '%s': no audio file named by voice (kick.wav, snare.wav, closed_hat.wav, ...)",
                       kit->name);
    }
    if (rc != 0)
        kit_deinit(kit);
    return rc;
}
