/* dataset_midi.c - a training dataset from a folder of MIDI files (dataset_midi.h). */
#include "dataset_midi.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "midi_song.h"

static int is_midi_name(const char *name)
{
    size_t n = strlen(name);
    const char *ext[] = {".mid", ".midi"};
    for (int k = 0; k < 2; k++) {
        size_t e = strlen(ext[k]);
        if (n > e) {
            int same = 1;
            for (size_t i = 0; i < e; i++)
                same &= tolower((unsigned char)name[n - e + i]) == ext[k][i];
            if (same)
                return 1;
        }
    }
    return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Appends the windows of one read file (split and file index given); sets why and returns 0
 * when it gives none, -1 when out of memory, else the number added. */
static int add_file(Dataset *d, int *cap, const Smf *smf, uint32_t file, char *why, size_t whylen)
{
    unsigned char *role = calloc((size_t)smf->n_notes + 1, 1);
    if (!role)
        return -1;
    int drums10 = 0, all_percussion = 1, notes = 0;
    for (int i = 0; i < smf->n_notes; i++) {
        if (!smf->notes[i].on)
            continue;
        notes++;
        drums10 += smf->notes[i].channel == SMF_DRUM_CHANNEL;
        /* a drum file on another channel: every note a GM drum, and no instrument chosen */
        all_percussion &= voice_from_general_midi(smf->notes[i].note) >= 0 &&
                          smf_program_at(smf, smf->notes[i].channel, smf->notes[i].tick) < 0;
    }
    for (int i = 0; i < smf->n_notes; i++)
        if (smf->notes[i].on && (drums10 ? smf->notes[i].channel == SMF_DRUM_CHANNEL : all_percussion))
            role[i] = MIDI_SONG_DRUMS;
    int added = 0;
    Midi_bar *bars = NULL;
    if (notes == 0 || (!drums10 && !all_percussion)) {
        snprintf(why, whylen, "%s", notes == 0 ? "no notes" : "no drum part (no channel-10 notes; not a drum file: an instrument or notes no drum map names)");
        goto done;
    }
    int n_bars = midi_song_bars(smf, &bars);
    if (n_bars < 0) {
        snprintf(why, whylen, "more than %d bars", MIDI_SONG_MAX_BARS);
        goto done;
    }
    int whole = 0;
    for (int b = 0; b < n_bars; b++)
        whole += bars[b].is_4_4;
    for (int b = 0; b + 1 < n_bars; b++) {
        if (!bars[b].is_4_4 || !bars[b + 1].is_4_4)
            continue;
        Hvo drums;
        midi_song_window(smf, bars[b].start, role, &drums, NULL);
        if (hvo_count_hits(&drums) == 0)
            continue;
        if (d->count == *cap) {
            int ncap = *cap ? 2 * *cap : 256;
            Dataset_window *nw = realloc(d->windows, sizeof *nw * (size_t)ncap);
            if (!nw) {
                added = -1;
                goto done;
            }
            d->windows = nw;
            *cap = ncap;
        }
        Dataset_window *w = &d->windows[d->count++];
        memset(w, 0, sizeof *w);
        w->pattern = drums;
        hvo_flatten(&drums, &w->groove);
        w->file = file;
        w->bar = (uint16_t)(b < 65535 ? b : 65535);
        w->genre = -1;
        w->bpm = (float)(60e6 / smf_tempo_at(smf, (uint32_t)bars[b].start));
        added++;
    }
    if (added == 0)
        snprintf(why, whylen, "no 2-bar window of 4/4 with a drum hit (%d of %d bars 4/4)", whole, n_bars);
done:
    free(bars);
    free(role);
    return added;
}

/* 90/10 by file: every tenth file in name order, or the last when there are fewer than 10.
 * Marks each window's split and counts the files of each side into rep. */
static void split_by_file(Dataset *d, Dataset_midi_report *rep)
{
    for (int i = 0; i < d->count; i++) {
        int f = (int)d->windows[i].file;
        int val = d->n_files < 10 ? f == d->n_files - 1 : f % 10 == 9;
        d->windows[i].split = (uint8_t)(val ? DATASET_SPLIT_VALIDATION : DATASET_SPLIT_TRAIN);
    }
    for (int f = 0; f < d->n_files; f++) {
        int val = d->n_files < 10 ? f == d->n_files - 1 : f % 10 == 9;
        rep->validation_files += val;
        rep->train_files += !val;
    }
}

int dataset_from_midi_dir(Dataset *d, const char *dir, FILE *warn, Dataset_midi_report *report, char *err,
                          size_t errlen)
{
    memset(d, 0, sizeof *d);
    Dataset_midi_report rep;
    memset(&rep, 0, sizeof rep);
    DIR *dh = opendir(dir);
    if (!dh) {
        return error_set(err, errlen, "cannot read the folder '%s': %s", dir, strerror(errno));
    }
    char **names = NULL;
    int n = 0, cap_names = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.' || !is_midi_name(e->d_name))
            continue;
        if (n == cap_names) {
            cap_names = cap_names ? 2 * cap_names : 32;
            char **nn = realloc(names, sizeof *nn * (size_t)cap_names);
            if (!nn)
                goto oom;
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name)))
            goto oom;
        n++;
    }
    closedir(dh);
    dh = NULL;
    rep.files = n;
    if (n == 0) {
        error_set(err, errlen, "no MIDI file (.mid, .midi) in '%s'", dir);
        goto fail;
    }
    qsort(names, (size_t)n, sizeof *names, by_name);
    d->files = calloc((size_t)n, sizeof *d->files);
    if (!d->files)
        goto oom;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        if (!path)
            goto oom;
        snprintf(path, len, "%s/%s", dir, names[i]);
        Smf smf;
        char why[320], rerr[256];
        int added = 0;
        if (smf_read_file(&smf, path, rerr, sizeof rerr) != 0) {
            snprintf(why, sizeof why, "unreadable: %s", rerr);
        } else {
            added = add_file(d, &cap, &smf, (uint32_t)d->n_files, why, sizeof why);
        }
        smf_deinit(&smf);
        free(path);
        if (added < 0)
            goto oom;
        if (added == 0) {
            rep.skipped++;
            if (warn)
                fprintf(warn, "groove: %s: skipped: %s\n", names[i], why);
            continue;
        }
        d->files[d->n_files++] = names[i];
        names[i] = NULL;
    }
    rep.used = d->n_files;
    if (d->n_files < 2) {
        error_set(err, errlen, "'%s' has %d usable MIDI file%s; fine-tuning needs at least 2 (90/10 by file)", dir,
                  d->n_files, d->n_files == 1 ? "" : "s");
        goto fail;
    }
    split_by_file(d, &rep);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (report)
        *report = rep;
    return 0;
oom:
    error_set(err, errlen, "out of memory");
fail:
    if (dh)
        closedir(dh);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    dataset_deinit(d);
    if (report)
        *report = rep;
    return -1;
}
