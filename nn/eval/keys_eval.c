/* keys_eval.c - keys-to-drums evaluation from multi-track MIDI files (keys_eval.h). */
#include "keys_eval.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clamp.h"
#include "error.h"
#include "eval.h"
#include "midi_song.h"
#include "sample.h"
#include "train.h"

static int is_keyboard_program(int program)
{
    return program < 0 || program <= KEYS_PROGRAM_LAST; /* none yet = GM's default, 0 */
}

int keys_add_smf(Keys_set *set, int file, const Smf *smf)
{
    Keys_file *kf = &set->files[file];
    /* Each note's role: channel 10 the drums; the keyboard's notes, else every non-drum
     * note, the groove. */
    unsigned char *role = calloc((size_t)smf->n_notes + 1, 1);
    unsigned char *other = calloc((size_t)smf->n_notes + 1, 1);
    if (!role || !other) {
        free(role);
        free(other);
        return -1;
    }
    int keyboard = 0, rest = 0;
    for (int i = 0; i < smf->n_notes; i++) {
        const Smf_note *n = &smf->notes[i];
        if (!n->on)
            continue;
        if (n->channel == SMF_DRUM_CHANNEL) {
            role[i] = other[i] = MIDI_SONG_DRUMS;
            kf->drum_notes++;
            if (voice_from_general_midi(n->note) < 0)
                kf->drum_unmapped++;
        } else if (is_keyboard_program(smf_program_at(smf, n->channel, n->tick))) {
            role[i] = other[i] = MIDI_SONG_GROOVE;
            keyboard++;
        } else {
            other[i] = MIDI_SONG_GROOVE;
            rest++;
        }
    }
    kf->source = keyboard > 0 ? KEYS_FROM_KEYBOARD : KEYS_FROM_ALL_NON_DRUM;
    kf->groove_notes = keyboard > 0 ? keyboard : rest;
    const unsigned char *use = keyboard > 0 ? role : other;
    int added = 0;
    Midi_bar *bars = NULL;
    int n_bars = 0;
    if (kf->drum_notes == 0 || kf->groove_notes == 0) {
        kf->skipped = 1;
        snprintf(kf->why, sizeof kf->why, "%s",
                 kf->drum_notes == 0 ? "no drum notes on channel 10" : "no notes besides the drums");
        goto done;
    }
    n_bars = midi_song_bars(smf, &bars);
    if (n_bars < 0) {
        kf->skipped = 1;
        snprintf(kf->why, sizeof kf->why, "more than %d bars", MIDI_SONG_MAX_BARS);
        goto done;
    }
    kf->bars = n_bars;
    for (int i = 0; i < n_bars; i++)
        kf->bars_4_4 += bars[i].is_4_4;
    for (int b = 0; b + 1 < n_bars;) {
        if (!bars[b].is_4_4 || !bars[b + 1].is_4_4) {
            b++;
            continue;
        }
        Keys_window w;
        memset(&w, 0, sizeof w);
        w.file = file;
        w.bar = b;
        midi_song_window(smf, bars[b].start, use, &w.drums, &w.groove);
        b += 2;
        if (hvo_count_hits(&w.drums) == 0 || groove_count_hits(&w.groove) == 0)
            continue;
        if (set->count % 256 == 0) {
            Keys_window *nw = realloc(set->windows, sizeof *nw * ((size_t)set->count + 256));
            if (!nw) {
                added = -1;
                goto done;
            }
            set->windows = nw;
        }
        set->windows[set->count++] = w;
        added++;
    }
    kf->windows = added;
    if (added == 0) {
        kf->skipped = 1;
        snprintf(kf->why, sizeof kf->why, "no 2-bar window of 4/4 with both drums and %s (%d of %d bars 4/4)",
                 kf->source == KEYS_FROM_KEYBOARD ? "keyboard" : "other notes", kf->bars_4_4, kf->bars);
    }
done:
    free(bars);
    free(role);
    free(other);
    return added;
}

/* ---------------------------------------------------------------- the folder */

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

static int by_name(const void *a, const void *b)
{
    return strcmp(((const Keys_file *)a)->name, ((const Keys_file *)b)->name);
}

int keys_set_load(Keys_set *set, const char *dir, FILE *warn, char *err, size_t errlen)
{
    memset(set, 0, sizeof *set);
    DIR *d = opendir(dir);
    if (!d) {
        return error_set(err, errlen, "cannot read the folder '%s': %s", dir, strerror(errno));
    }
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !is_midi_name(e->d_name))
            continue;
        if (set->n_files == cap) {
            cap = cap ? 2 * cap : 32;
            Keys_file *nf = realloc(set->files, sizeof *nf * (size_t)cap);
            if (!nf)
                goto oom;
            set->files = nf;
        }
        Keys_file *kf = &set->files[set->n_files];
        memset(kf, 0, sizeof *kf);
        kf->name = strdup(e->d_name);
        if (!kf->name)
            goto oom;
        set->n_files++;
    }
    closedir(d);
    d = NULL;
    if (set->n_files == 0) {
        error_set(err, errlen, "no MIDI file (.mid, .midi) in '%s'", dir);
        keys_set_deinit(set);
        return -1;
    }
    qsort(set->files, (size_t)set->n_files, sizeof *set->files, by_name);
    for (int i = 0; i < set->n_files; i++) {
        Keys_file *kf = &set->files[i];
        size_t len = strlen(dir) + strlen(kf->name) + 2;
        char *path = malloc(len);
        if (!path)
            goto oom;
        snprintf(path, len, "%s/%s", dir, kf->name);
        Smf smf;
        char why[200];
        if (smf_read_file(&smf, path, why, sizeof why) != 0) {
            kf->skipped = 1;
            snprintf(kf->why, sizeof kf->why, "unreadable: %s", why);
        } else if (keys_add_smf(set, i, &smf) < 0) {
            smf_deinit(&smf);
            free(path);
            goto oom;
        }
        smf_deinit(&smf);
        free(path);
        if (kf->skipped) {
            set->files_skipped++;
            if (warn)
                fprintf(warn, "groove: %s: skipped: %s\n", kf->name, kf->why);
        }
    }
    return 0;
oom:
    if (d)
        closedir(d);
    keys_set_deinit(set);
    return error_set(err, errlen, "out of memory");
}

void keys_set_deinit(Keys_set *set)
{
    for (int i = 0; i < set->n_files; i++)
        free(set->files[i].name);
    free(set->files);
    free(set->windows);
    memset(set, 0, sizeof *set);
}

/* ---------------------------------------------------------------- rates */

static int hit(const Hvo *p, int t, int v) { return hvo_hit(p, t, v) > 0.5f; }

int keys_kick_on_one(const Hvo *p)
{
    return hit(p, 0, VOICE_KICK) && hit(p, 16, VOICE_KICK);
}

int keys_snare_two_four(const Hvo *p)
{
    return hit(p, 4, VOICE_SNARE) && hit(p, 12, VOICE_SNARE) && hit(p, 20, VOICE_SNARE) && hit(p, 28, VOICE_SNARE);
}

int keys_eighth_pulse(const Hvo *p)
{
    int n = 0;
    for (int t = 0; t < HVO_STEPS; t += 2)
        n += hit(p, t, VOICE_CLOSED_HAT) || hit(p, t, VOICE_RIDE);
    return n >= KEYS_PULSE_MIN;
}

void keys_rates_add(Keys_rates *r, const Hvo *p, const Groove *g)
{
    r->windows++;
    r->kick_on_one += keys_kick_on_one(p);
    r->snare_two_four += keys_snare_two_four(p);
    r->eighth_pulse += keys_eighth_pulse(p);
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++)
            if (hit(p, t, v)) {
                r->hits++;
                r->hits_on_groove += g->g[t][0] > 0.5f;
            }
}

double keys_rate(const Keys_rates *r, long count) { return r->windows ? (double)count / (double)r->windows : 0.0; }
double keys_on_groove(const Keys_rates *r) { return r->hits ? (double)r->hits_on_groove / (double)r->hits : 0.0; }

void keys_rock_beat(Hvo *out)
{
    hvo_clear(out);
    for (int t = 0; t < HVO_STEPS; t += 2)
        hvo_set(out, t, VOICE_CLOSED_HAT, 1, 0.6f, 0.0f);
    for (int t = 0; t < HVO_STEPS; t += 8) {
        hvo_set(out, t, VOICE_KICK, 1, 0.8f, 0.0f);
        hvo_set(out, t + 4, VOICE_SNARE, 1, 0.8f, 0.0f);
    }
}

/* ---------------------------------------------------------------- the run */

/* One step of the walk: window i's keys in (input kind keys, z = mu, no genre), its memory
 * what the model played in the window before when that is the same song's previous 2 bars;
 * the raw output to logits, and what the model plays (at g's thresholds) kept as the next
 * memory. */
static void walk_step(Model *model, const Keys_set *set, int i, const Gen_params *g, Model_memory *played,
                      float *mu, Hvo *logits)
{
    const Keys_window *w = &set->windows[i];
    int follows = i > 0 && set->windows[i - 1].file == w->file && set->windows[i - 1].bar + 2 == w->bar;
    Hvo input;
    hvo_groove_to_input(&w->groove, &input);
    model_encode(model, &input, follows ? played : NULL, mu, NULL);
    Model_condition cond = {-1, 0, 0, INPUT_KIND_KEYS};
    model_decode(model, mu, &cond, logits);
    sample_pattern(logits, g, &played->part);
    played->groove = w->groove;
}

int keys_eval_run(Model *model, const Keys_set *set, float threshold, Keys_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->style = EVAL_STYLE_NONE;
    if (set->count == 0) {
        error_set(err, errlen, "no 2-bar 4/4 window with both drums and keys in any of the %d files", set->n_files);
        return -1;
    }
    float *mu = malloc(sizeof(float) * (size_t)model->config.latent);
    if (!mu) {
        return error_set(err, errlen, "out of memory");
    }
    Gen_params g;
    model_gen_params_for(model, INPUT_KIND_KEYS, &g);
    if (threshold > 0.0f)
        for (int v = 0; v < HVO_VOICES; v++)
            g.thresholds[v] = threshold;
    memcpy(r->thresholds, g.thresholds, sizeof r->thresholds);
    metrics_init(&r->model);
    metrics_init(&r->rock);
    metrics_init(&r->silence);
    Hvo rock, silence;
    keys_rock_beat(&rock);
    hvo_clear(&silence);
    Model_memory played; /* what the model played in the window before, and its keys: its memory when contiguous */
    g.kind = INPUT_KIND_KEYS;
    for (int i = 0; i < set->count; i++) {
        const Keys_window *w = &set->windows[i];
        Hvo logits, pred;
        walk_step(model, set, i, &g, &played, mu, &logits);
        metrics_hvo_from_output(&logits.v[0][0], g.thresholds, &pred);
        metrics_add(&r->model, &pred, &w->drums);
        metrics_add(&r->rock, &rock, &w->drums);
        metrics_add(&r->silence, &silence, &w->drums);
        keys_rates_add(&r->real_rates, &w->drums, &w->groove);
        keys_rates_add(&r->model_rates, &pred, &w->groove);
        keys_rates_add(&r->rock_rates, &rock, &w->groove);
    }
    r->windows = set->count;
    free(mu);
    return 0;
}

int keys_calibrate(Model *model, const Keys_set *set, float thresholds[HVO_VOICES], char *err, size_t errlen)
{
    if (set->count == 0)
        return error_set(err, errlen, "no 2-bar 4/4 window with both drums and keys in any of the %d files", set->n_files);
    float *mu = malloc(sizeof(float) * (size_t)model->config.latent);
    if (!mu)
        return error_set(err, errlen, "out of memory");
    /* one shift of the drums' thresholds, every voice alike: the keys say little about which
     * voice plays, so per-voice fitting on a few songs chases noise (it dropped the backbeat).
     * Each shift walks the whole set, as keys_eval_run plays it: the part the model plays at
     * those thresholds is the next window's memory, so no shift depends on the file's own. */
    Gen_params drums;
    model_gen_params(model, &drums);
    double best = -1.0;
    for (int k = -30; k <= 30; k++) {
        Gen_params g;
        model_gen_params_for(model, INPUT_KIND_KEYS, &g);
        for (int v = 0; v < HVO_VOICES; v++)
            g.thresholds[v] = clampf(drums.thresholds[v] + 0.01f * (float)k, 0.05f, 0.95f);
        Metrics m;
        metrics_init(&m);
        Model_memory played;
        for (int i = 0; i < set->count; i++) {
            Hvo logits, pred;
            walk_step(model, set, i, &g, &played, mu, &logits);
            metrics_hvo_from_output(&logits.v[0][0], g.thresholds, &pred);
            metrics_add(&m, &pred, &set->windows[i].drums);
        }
        double score = metrics_f1(&m, -1);   /* the keys target's measure (accuracy there is
                                              * under silence's whatever the model plays) */
        if (score > best + 1e-12) {
            best = score;
            memcpy(thresholds, g.thresholds, sizeof g.thresholds);
        }
    }
    free(mu);
    return 0;
}

/* ---------------------------------------------------------------- output */

static void json_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.6f", x);
    else
        fputs("null", f);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* One scored answer as a JSON object on one line (m NULL: the real drums, rates only). */
static void json_answer(FILE *f, const char *key, const Metrics *m, const Keys_rates *rt, const Metrics *truth_of)
{
    fprintf(f, "  \"%s\": {", key);
    if (m) {
        fputs("\"hit_accuracy\": ", f);
        json_num(f, metrics_hit_accuracy(m));
        fputs(", \"hit_precision\": ", f);
        json_num(f, metrics_precision(m, -1));
        fputs(", \"hit_recall\": ", f);
        json_num(f, metrics_recall(m, -1));
        fputs(", \"hit_f1\": ", f);
        json_num(f, metrics_f1(m, -1));
        fputs(", \"hits_per_loop\": ", f);
        json_num(f, metrics_hits_per_loop_pred(m));
        fputs(", \"offset_std\": ", f);
        json_num(f, m->hits_pred > 0 ? metrics_offset_std_pred(m) : NAN);   /* no hit, no spread */
    } else {
        fputs("\"hits_per_loop\": ", f);
        json_num(f, metrics_hits_per_loop_true(truth_of));
        fputs(", \"offset_std\": ", f);
        json_num(f, metrics_offset_std_true(truth_of));
    }
    if (rt) {
        fputs(", \"kick_on_1\": ", f);
        json_num(f, keys_rate(rt, rt->kick_on_one));
        fputs(", \"snare_2_4\": ", f);
        json_num(f, keys_rate(rt, rt->snare_two_four));
        fputs(", \"eighth_pulse\": ", f);
        json_num(f, keys_rate(rt, rt->eighth_pulse));
        fputs(", \"on_groove\": ", f);
        json_num(f, keys_on_groove(rt));
    }
    fputs("},\n", f);
}

void keys_write_json(FILE *f, const Keys_set *set, const Keys_result *r)
{
    int from_keys = 0, from_all = 0;
    for (int i = 0; i < set->n_files; i++)
        if (!set->files[i].skipped) {
            from_keys += set->files[i].source == KEYS_FROM_KEYBOARD;
            from_all += set->files[i].source == KEYS_FROM_ALL_NON_DRUM;
        }
    fprintf(f, "{\n  \"files\": %d,\n  \"files_used\": %d,\n  \"files_skipped\": %d,\n", set->n_files,
            set->n_files - set->files_skipped, set->files_skipped);
    fprintf(f, "  \"files_keyboard\": %d,\n  \"files_all_non_drum\": %d,\n  \"windows\": %d,\n  \"style\": \"%s\",\n",
            from_keys, from_all, r->windows, eval_style_name(r->style));
    json_answer(f, "model", &r->model, &r->model_rates, NULL);
    json_answer(f, "rock", &r->rock, &r->rock_rates, NULL);
    json_answer(f, "silence", &r->silence, NULL, NULL);
    json_answer(f, "real", NULL, &r->real_rates, &r->model);
    fputs("  \"per_file\": [", f);
    for (int i = 0; i < set->n_files; i++) {
        const Keys_file *kf = &set->files[i];
        fputs(i ? ",\n    {\"file\": " : "\n    {\"file\": ", f);
        json_str(f, kf->name);
        fprintf(f, ", \"groove\": \"%s\", \"windows\": %d, \"bars\": %d, \"bars_4_4\": %d, \"drum_notes\": %d, "
                   "\"drum_unmapped\": %d, \"skipped\": ",
                kf->source == KEYS_FROM_KEYBOARD ? "keyboard" : "all_non_drum", kf->windows, kf->bars, kf->bars_4_4,
                kf->drum_notes, kf->drum_unmapped);
        if (kf->skipped)
            json_str(f, kf->why);
        else
            fputs("null", f);
        fputs("}", f);
    }
    fputs("\n  ]\n}\n", f);
}

void keys_write_text(FILE *f, const Keys_set *set, const Keys_result *r, const char *model_name)
{
    int from_all = 0;
    for (int i = 0; i < set->n_files; i++)
        from_all += !set->files[i].skipped && set->files[i].source == KEYS_FROM_ALL_NON_DRUM;
    fprintf(f, "groove eval --midi: %d windows from %d of %d files (%d with no keyboard part: all their non-drum "
               "notes are the groove), style none, model %s\n",
            r->windows, set->n_files - set->files_skipped, set->n_files, from_all, model_name);
    fprintf(f, "\n  %-8s %8s %8s %8s %8s %10s %10s %10s %10s\n", "answer", "hit acc", "F1", "hits", "off std",
            "kick on 1", "snare 2+4", "8th pulse", "on groove");
    struct {
        const char *name;
        const Metrics *m;
        const Keys_rates *rt;
    } rows[] = {{"model", &r->model, &r->model_rates}, {"rock", &r->rock, &r->rock_rates}, {"silence", &r->silence, NULL}};
    for (int k = 0; k < 3; k++) {
        fprintf(f, "  %-8s %8.4f %8.4f %8.2f %8.4f", rows[k].name, metrics_hit_accuracy(rows[k].m),
                metrics_f1(rows[k].m, -1), metrics_hits_per_loop_pred(rows[k].m), metrics_offset_std_pred(rows[k].m));
        if (rows[k].rt)
            fprintf(f, " %10.3f %10.3f %10.3f %10.3f\n", keys_rate(rows[k].rt, rows[k].rt->kick_on_one),
                    keys_rate(rows[k].rt, rows[k].rt->snare_two_four), keys_rate(rows[k].rt, rows[k].rt->eighth_pulse),
                    keys_on_groove(rows[k].rt));
        else
            fputc('\n', f);
    }
    const Keys_rates *rr = &r->real_rates;
    fprintf(f, "  %-8s %8s %8s %8.2f %8.4f %10.3f %10.3f %10.3f %10.3f\n", "real", "", "",
            metrics_hits_per_loop_true(&r->model), metrics_offset_std_true(&r->model), keys_rate(rr, rr->kick_on_one),
            keys_rate(rr, rr->snare_two_four), keys_rate(rr, rr->eighth_pulse), keys_on_groove(rr));
}
