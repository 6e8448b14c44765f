/* closed_loop.c - the closed-loop walk and its continuity (closed_loop.h). */
#include "closed_loop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "sample.h"

double continuity_of(const Hvo *a, const Hvo *b)
{
    int same = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++)
            same += (hvo_hit(a, t, v) > 0.5f) == (hvo_hit(b, t, v) > 0.5f);
    return same / (double)(HVO_STEPS * HVO_VOICES);
}

void closed_loop_result_deinit(Closed_loop_result *r)
{
    free(r->continuity_real);
    free(r->continuity_gen);
    memset(r, 0, sizeof *r);
}

/* One step: the model's raw output for a window's groove with memory (NULL: none). */
static void step_output(Model *model, const Dataset_window *w, const Model_memory *memory, int style, float *mu,
                        Hvo *logits)
{
    Hvo input;
    hvo_groove_to_input(&w->groove, &input);
    model_encode(model, &input, memory, mu, NULL);
    int genre = style == EVAL_STYLE_LABELS && w->genre >= 0 && w->genre < model->config.n_genres ? w->genre : -1;
    Model_condition cond = {genre, w->is_fill ? 1 : 0, 0, 0};
    model_decode(model, mu, &cond, logits);
}

int closed_loop_run(Model *model, const Dataset *data, const Eval_options *options, Closed_loop_result *r,
                    char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->options = *options;
    r->memory = model->config.has_memory ? 1 : 0;
    r->memory_gate = model->extras.has_memory_gate ? (int)model->extras.memory_gate : 0;
    int *sel = malloc(sizeof(int) * ((size_t)data->count + 1));
    int *starts = malloc(sizeof(int) * ((size_t)data->count + 1));
    float *mu = malloc(sizeof(float) * (size_t)model->config.latent);
    r->continuity_real = malloc(sizeof(double) * ((size_t)data->count + 1));
    r->continuity_gen = malloc(sizeof(double) * ((size_t)data->count + 1));
    if (!sel || !starts || !mu || !r->continuity_real || !r->continuity_gen) {
        free(sel);
        free(starts);
        free(mu);
        closed_loop_result_deinit(r);
        return error_set(err, errlen, "out of memory");
    }
    int n = dataset_select(data, options->split, options->kinds, sel);
    /* Performances: runs of selected windows of one file. */
    int n_perf = 0;
    for (int i = 0; i < n; i++)
        if (i == 0 || data->windows[sel[i]].file != data->windows[sel[i - 1]].file)
            starts[n_perf++] = i;
    starts[n_perf] = n;
    if (n_perf == 0) {
        free(sel);
        free(starts);
        free(mu);
        closed_loop_result_deinit(r);
        error_set(err, errlen, "no %s windows in the %s split of this dataset",
                  options->kinds == DATASET_BEATS ? "beat" : options->kinds == DATASET_FILLS ? "fill" : "beat or fill",
                  dataset_split_name(options->split));
        return -1;
    }
    int take = options->limit > 0 && options->limit < n_perf ? options->limit : n_perf;

    Gen_params g;
    model_gen_params(model, &g);
    if (options->threshold > 0.0f)
        for (int v = 0; v < HVO_VOICES; v++)
            g.thresholds[v] = options->threshold;
    memcpy(r->thresholds, g.thresholds, sizeof r->thresholds);
    metrics_init(&r->metrics);

    for (int k = 0; k < take; k++) {
        int p = (int)((long)k * n_perf / take);
        int lo = starts[p], hi = starts[p + 1];
        Model_memory prev_gen;   /* the part just made, and the groove it was made from */
        Hvo gen, logits, pred;
        const Dataset_window *prev_real = NULL;
        int have_prev = 0;
        int next_bar = data->windows[sel[lo]].bar;
        for (int i = lo; i < hi; i++) {
            const Dataset_window *w = &data->windows[sel[i]];
            if (w->bar < next_bar)
                continue; /* the bar in between (1-bar hop in the dataset) */
            if (w->bar > next_bar || !have_prev) {
                /* The walk's start, or a silent bar pair before w: a new walk, no memory. */
                have_prev = 0;
                r->walks++;
            }
            if (have_prev) {
                Hvo input;
                hvo_groove_to_input(&w->groove, &input);
                r->memory_fed += model_memory_admits(model, &input, &prev_gen);
            }
            step_output(model, w, have_prev ? &prev_gen : NULL, options->style, mu, &logits);
            metrics_hvo_from_output(&logits.v[0][0], g.thresholds, &pred);
            metrics_add(&r->metrics, &pred, &w->pattern);
            g.genre = -1;
            g.fill = w->is_fill ? 1 : 0;
            sample_pattern(&logits, &g, &gen);
            if (have_prev) {
                r->continuity_real[r->pairs] = continuity_of(&prev_real->pattern, &w->pattern);
                r->continuity_gen[r->pairs] = continuity_of(&prev_gen.part, &gen);
                r->pairs++;
            }
            prev_gen.part = gen;
            prev_gen.groove = w->groove;
            prev_real = w;
            have_prev = 1;
            r->windows++;
            next_bar = w->bar + 2;
        }
        r->performances++;
    }
    distcmp_compare(&r->continuity, r->continuity_real, r->pairs, r->continuity_gen, r->pairs, 0);
    double sd;
    distcmp_mean_std(r->continuity_real, r->pairs, &r->continuity_mean_real, &sd);
    distcmp_mean_std(r->continuity_gen, r->pairs, &r->continuity_mean_gen, &sd);
    free(sel);
    free(starts);
    free(mu);
    return 0;
}

static void num(FILE *f, const char *key, double x, int last)
{
    fprintf(f, "  \"%s\": ", key);
    if (isfinite(x))
        fprintf(f, "%.6f", x);
    else
        fputs("null", f);
    fputs(last ? "\n" : ",\n", f);
}

void closed_loop_write_json(FILE *f, const Closed_loop_result *r)
{
    const Metrics *m = &r->metrics;
    fputs("{\n", f);
    num(f, "hit_accuracy", metrics_hit_accuracy(m), 0);
    num(f, "hit_precision", metrics_precision(m, -1), 0);
    num(f, "hit_recall", metrics_recall(m, -1), 0);
    num(f, "hit_f1", metrics_f1(m, -1), 0);
    num(f, "hits_per_loop_pred", metrics_hits_per_loop_pred(m), 0);
    num(f, "hits_per_loop_true", metrics_hits_per_loop_true(m), 0);
    num(f, "offset_std_pred", metrics_offset_std_pred(m), 0);
    num(f, "offset_std_true", metrics_offset_std_true(m), 0);
    num(f, "continuity_overlap", r->continuity.overlap, 0);
    num(f, "continuity_kl", r->continuity.kl, 0);
    num(f, "continuity_mean_real", r->continuity_mean_real, 0);
    num(f, "continuity_mean_gen", r->continuity_mean_gen, 0);
    fprintf(f, "  \"windows\": %d,\n  \"pairs\": %d,\n  \"walks\": %d,\n  \"performances\": %d,\n", r->windows, r->pairs,
            r->walks, r->performances);
    fprintf(f, "  \"memory\": %s,\n  \"memory_gate\": %d,\n  \"memory_fed\": %d,\n  \"closed_loop\": true,\n",
            r->memory ? "true" : "false", r->memory_gate, r->memory_fed);
    fprintf(f, "  \"split\": \"%s\",\n  \"kinds\": \"%s\",\n  \"style\": \"%s\"\n}\n", dataset_split_name(r->options.split),
            r->options.kinds == DATASET_BEATS ? "beats" : r->options.kinds == DATASET_FILLS ? "fills" : "all",
            eval_style_name(r->options.style));
}

void closed_loop_write_text(FILE *f, const Closed_loop_result *r, const char *model_name)
{
    const Metrics *m = &r->metrics;
    fprintf(f, "groove eval --closed-loop: %d performances of the %s split walked with a 2-bar hop (%d windows, %d "
               "walks), style %s, model %s (%s)\n",
            r->performances, dataset_split_name(r->options.split), r->windows, r->walks,
            eval_style_name(r->options.style), model_name,
            r->memory ? "fed its own previous output as memory" : "no memory: each window alone");
    fprintf(f, "  hit accuracy       %.4f   (32 x 9 cells)\n", metrics_hit_accuracy(m));
    fprintf(f, "  hit F1             %.4f   (precision %.4f, recall %.4f)\n", metrics_f1(m, -1),
            metrics_precision(m, -1), metrics_recall(m, -1));
    fprintf(f, "  hits per loop      %.2f predicted, %.2f true\n", metrics_hits_per_loop_pred(m),
            metrics_hits_per_loop_true(m));
    fprintf(f, "  offset std         %.4f predicted, %.4f true (steps)\n", metrics_offset_std_pred(m),
            metrics_offset_std_true(m));
    fprintf(f, "  continuity         overlap %.4f, KL %.4f; mean %.4f generated, %.4f real (%d pairs)\n",
            r->continuity.overlap, r->continuity.kl, r->continuity_mean_gen, r->continuity_mean_real, r->pairs);
    if (r->memory)
        fprintf(f, "  memory             fed in %d of %d windows after the first (gate %d steps%s)\n", r->memory_fed, r->pairs,
                r->memory_gate, r->memory_gate ? "" : ": off");
}
