/* eval.c - a model over a dataset split: metrics, features, heat-maps, latents (eval.h). */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "sample.h"

const char *eval_style_name(int style)
{
    return style == EVAL_STYLE_LABELS ? "labels" : "none";
}

int eval_style_from_name(const char *name)
{
    return !strcmp(name, "none") ? EVAL_STYLE_NONE : !strcmp(name, "labels") ? EVAL_STYLE_LABELS : -1;
}

void eval_result_deinit(Eval_result *r)
{
    free(r->genre);
    free(r->real_features);
    free(r->gen_features);
    free(r->latent);
    free(r->real_velocity);
    free(r->gen_velocity);
    memset(r, 0, sizeof *r);
}

/* Adds a pattern's velocity x hit to one heat-map slot. */
static void add_velocity(double map[HVO_VOICES][HVO_STEPS], const Hvo *p)
{
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++)
            if (hvo_hit(p, t, v) > 0.5f)
                map[v][t] += hvo_vel(p, t, v);
}

/* Adds every hit's offset and velocity of a pattern to the per-hit histograms. */
static void add_hits(Eval_result *r, int which, const Hvo *p)
{
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++) {
            if (hvo_hit(p, t, v) <= 0.5f)
                continue;
            int bo = (int)floorf((hvo_off(p, t, v) + 0.5f) * EVAL_HIT_BINS);
            int bv = (int)floorf(hvo_vel(p, t, v) * EVAL_HIT_BINS);
            bo = bo < 0 ? 0 : bo >= EVAL_HIT_BINS ? EVAL_HIT_BINS - 1 : bo;
            bv = bv < 0 ? 0 : bv >= EVAL_HIT_BINS ? EVAL_HIT_BINS - 1 : bv;
            r->offset_hist[which][bo] += 1.0;
            r->velocity_hist[which][bv] += 1.0;
        }
}

/* The report's details of window i: a pattern sampled from the logits, both patterns'
 * features, hits and velocities (overall and per genre), and the latent mean. */
static void add_details(Eval_result *r, int i, const Dataset_window *w, int genre, const Hvo *logits,
                        const Gen_params *g, const float *mu)
{
    Hvo gen;
    sample_pattern(logits, g, &gen);
    r->genre[i] = genre;
    features_compute(&w->pattern, r->real_features + (size_t)i * FEATURE_COUNT);
    features_compute(&gen, r->gen_features + (size_t)i * FEATURE_COUNT);
    memcpy(r->latent + (size_t)i * r->latent_dim, mu, sizeof(float) * (size_t)r->latent_dim);
    add_hits(r, 0, &w->pattern);
    add_hits(r, 1, &gen);
    add_velocity(r->real_velocity[EVAL_ALL], &w->pattern);
    add_velocity(r->gen_velocity[EVAL_ALL], &gen);
    if (genre >= 0) {
        add_velocity(r->real_velocity[genre], &w->pattern);
        add_velocity(r->gen_velocity[genre], &gen);
    }
}

int eval_run(Model *model, const Dataset *data, const Eval_options *options, Eval_result *r, char *err,
             size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->options = *options;
    int *all = malloc(sizeof(int) * (size_t)(data->count + 1));
    if (!all) {
        return error_set(err, errlen, "out of memory");
    }
    int n_all = dataset_select(data, options->split, options->kinds, all);
    if (n_all == 0) {
        free(all);
        error_set(err, errlen, "no %s windows in the %s split of this dataset",
                  options->kinds == DATASET_BEATS ? "beat" : options->kinds == DATASET_FILLS ? "fill" : "beat or fill",
                  dataset_split_name(options->split));
        return -1;
    }
    /* At most `limit` windows, evenly spaced over the split (so every part of it shows). */
    int n = options->limit > 0 && options->limit < n_all ? options->limit : n_all;
    for (int i = 0; i < n; i++)
        all[i] = all[(int)((long)i * n_all / n)];

    int L = model->config.latent;
    if (options->want_details) {
        r->genre = malloc(sizeof(int) * (size_t)n);
        r->real_features = malloc(sizeof(double) * (size_t)n * FEATURE_COUNT);
        r->gen_features = malloc(sizeof(double) * (size_t)n * FEATURE_COUNT);
        r->latent = malloc(sizeof(float) * (size_t)n * (size_t)L);
        r->real_velocity = calloc(GENRE_COUNT + 1, sizeof *r->real_velocity);
        r->gen_velocity = calloc(GENRE_COUNT + 1, sizeof *r->gen_velocity);
        r->latent_dim = L;
        if (!r->genre || !r->real_features || !r->gen_features || !r->latent || !r->real_velocity ||
            !r->gen_velocity) {
            free(all);
            eval_result_deinit(r);
            return error_set(err, errlen, "out of memory for %d windows", n);
        }
    }
    float *mu = malloc(sizeof(float) * (size_t)L);
    if (!mu) {
        free(all);
        eval_result_deinit(r);
        return error_set(err, errlen, "out of memory");
    }

    Gen_params g;
    model_gen_params(model, &g);
    if (options->threshold > 0.0f)
        for (int v = 0; v < HVO_VOICES; v++)
            g.thresholds[v] = options->threshold;
    memcpy(r->thresholds, g.thresholds, sizeof r->thresholds);
    metrics_init(&r->metrics);
    for (int s = 0; s < GENRE_COUNT; s++)
        metrics_init(&r->genre_metrics[s]);

    for (int i = 0; i < n; i++) {
        const Dataset_window *w = &data->windows[all[i]];
        int genre = w->genre >= 0 && w->genre < GENRE_COUNT ? w->genre : -1;
        Hvo input, logits, pred;
        hvo_groove_to_input(&w->groove, &input);
        /* memory: the real drums of the 2 bars before (teacher forced), none at a start */
        int prev = dataset_previous(data, all[i]);
        Model_memory memory;   /* a silent pair of bars: no part, no groove */
        memset(&memory, 0, sizeof memory);
        if (prev >= 0) {
            memory.part = data->windows[prev].pattern;
            memory.groove = data->windows[prev].groove;
        }
        model_encode(model, &input, prev >= 0 || prev == DATASET_PREVIOUS_SILENT ? &memory : NULL, mu, NULL);
        int fed = options->style == EVAL_STYLE_LABELS && genre < model->config.n_genres ? genre : -1;
        Model_condition cond = {fed, w->is_fill ? 1 : 0, 0, INPUT_KIND_DRUMS};
        model_decode(model, mu, &cond, &logits);

        metrics_hvo_from_output(&logits.v[0][0], g.thresholds, &pred);
        metrics_add(&r->metrics, &pred, &w->pattern);
        if (genre >= 0) {
            metrics_add(&r->genre_metrics[genre], &pred, &w->pattern);
            r->genre_windows[genre]++;
        }
        r->genre_windows[EVAL_ALL]++;

        if (options->want_details) {
            g.genre = cond.genre;
            g.fill = cond.fill;
            add_details(r, i, w, genre, &logits, &g, mu);
        }
    }
    r->windows = n;
    free(mu);
    free(all);
    return 0;
}

void eval_velocity_map(const Eval_result *r, int s, int which, float out[HVO_VOICES * HVO_STEPS])
{
    double (*map)[HVO_VOICES][HVO_STEPS] = which ? r->gen_velocity : r->real_velocity;
    int n = s >= 0 && s <= EVAL_ALL ? r->genre_windows[s] : 0;
    for (int v = 0; v < HVO_VOICES; v++)
        for (int t = 0; t < HVO_STEPS; t++)
            out[v * HVO_STEPS + t] = map && n > 0 ? (float)(map[s][v][t] / n) : 0.0f;
}

/* Writes a JSON number (finite values only; JSON has no NaN: null instead). */
static void json_number(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.6f", x);
    else
        fputs("null", f);
}

void eval_write_json(FILE *f, const Eval_result *r)
{
    const Metrics *m = &r->metrics;
    struct {
        const char *key;
        double value;
    } rows[] = {
        {"hit_accuracy", metrics_hit_accuracy(m)},
        {"hit_precision", metrics_precision(m, -1)},
        {"hit_recall", metrics_recall(m, -1)},
        {"hit_f1", metrics_f1(m, -1)},
        {"hits_per_loop_pred", metrics_hits_per_loop_pred(m)},
        {"hits_per_loop_true", metrics_hits_per_loop_true(m)},
        {"offset_std_pred", metrics_offset_std_pred(m)},
        {"offset_std_true", metrics_offset_std_true(m)},
        {"vel_mse", metrics_vel_mse(m)},
        {"offset_mse", metrics_offset_mse(m)},
    };
    fputs("{\n", f);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fprintf(f, "  \"%s\": ", rows[i].key);
        json_number(f, rows[i].value);
        fputs(",\n", f);
    }
    fprintf(f, "  \"windows\": %d,\n  \"split\": \"%s\",\n  \"kinds\": \"%s\",\n  \"style\": \"%s\",\n", r->windows,
            dataset_split_name(r->options.split),
            r->options.kinds == DATASET_BEATS ? "beats" : r->options.kinds == DATASET_FILLS ? "fills" : "all",
            eval_style_name(r->options.style));
    fputs("  \"per_voice\": {", f);
    for (int v = 0; v < HVO_VOICES; v++) {
        fprintf(f, "%s\n    \"%s\": {\"precision\": ", v ? "," : "", voice_name(v));
        json_number(f, metrics_precision(m, v));
        fputs(", \"recall\": ", f);
        json_number(f, metrics_recall(m, v));
        fputs(", \"f1\": ", f);
        json_number(f, metrics_f1(m, v));
        fputs("}", f);
    }
    fputs("\n  }\n}\n", f);
}
