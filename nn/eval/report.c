/* report.c - the self-contained HTML evaluation report (see report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "distcmp.h"
#include "embed.h"
#include "error.h"
#include "svg.h"

#define COLOR_REAL "#1f77b4"
#define COLOR_GEN "#ff7f0e"

/* ---- Small writers --------------------------------------------------------------- */

/* Writes x with the given decimals, or "n/a" when it is not a finite number. */
static void num(FILE *f, double x, int decimals)
{
    if (isfinite(x))
        fprintf(f, "%.*f", decimals, x);
    else
        fputs("n/a", f);
}

static void text(FILE *f, const char *s) { svg_escape(f, s); }

/* A table cell with a number, tagged with its JSON key when key is not NULL. */
static void cell(FILE *f, const char *key, double x, int decimals)
{
    if (key)
        fprintf(f, "<td data-key=\"%s\">", key);
    else
        fputs("<td>", f);
    num(f, x, decimals);
    fputs("</td>", f);
}

static const char *kinds_name(int kinds)
{
    return kinds == DATASET_BEATS ? "beats" : kinds == DATASET_FILLS ? "fills" : "beats and fills";
}

/* Background colour for an overlapping area in [0, 1]: red (0) to green (1). */
static void overlap_genre(FILE *f, double oa)
{
    if (!isfinite(oa)) {
        fputs(" style=\"background:#f4f4f4\"", f);
        return;
    }
    fprintf(f, " style=\"background:hsl(%d,65%%,82%%)\"", (int)lround(120.0 * (oa < 0 ? 0 : oa > 1 ? 1 : oa)));
}

/* ---- Feature distributions ------------------------------------------------------- */

/* Scratch for gathering one feature's values over the windows of one style. */
typedef struct {
    double *real, *gen;
    int n;
} Sample;

static void gather(const Eval_result *r, int feature, int genre, Sample *s)
{
    s->n = 0;
    for (int i = 0; i < r->windows; i++)
        if (genre == EVAL_ALL || r->genre[i] == genre) {
            s->real[s->n] = r->real_features[(size_t)i * FEATURE_COUNT + feature];
            s->gen[s->n] = r->gen_features[(size_t)i * FEATURE_COUNT + feature];
            s->n++;
        }
}

static void compare(const Eval_result *r, int feature, int genre, Sample *s, Dist_compare *c)
{
    gather(r, feature, genre, s);
    distcmp_compare(c, s->real, s->n, s->gen, s->n, feature_info(feature)->integer);
}

/* One figure: the overlaid histograms of a feature with KL and overlap beside it. */
static void feature_figure(FILE *f, const Eval_result *r, int feature, int genre, Sample *s, int w, int h)
{
    const Feature_info *info = feature_info(feature);
    Dist_compare c;
    compare(r, feature, genre, s, &c);
    double p[DISTCMP_MAX_BINS], q[DISTCMP_MAX_BINS];
    for (int b = 0; b < c.bins.bins; b++) {
        p[b] = c.n_p ? 100.0 * c.p_counts[b] / c.n_p : 0.0;
        q[b] = c.n_q ? 100.0 * c.q_counts[b] / c.n_q : 0.0;
    }
    Svg_series series[2] = {{"real", p, COLOR_REAL}, {"generated", q, COLOR_GEN}};
    Svg_frame frame = {w, h, info->title, info->unit, "% of patterns"};
    fprintf(f, "<figure data-feature=\"%s\">", info->key);
    svg_histograms(f, &frame, c.bins.lo, c.bins.hi, c.bins.bins, series, 2);
    fputs("<figcaption><b>KL</b> ", f);
    num(f, c.kl, 3);
    fputs(" &nbsp; <b>overlap</b> ", f);
    num(f, c.overlap, 3);
    fprintf(f, " &nbsp; <span class=\"dim\">n = %d / %d</span></figcaption></figure>\n", c.n_p, c.n_q);
}

/* A per-hit histogram pair (counts [2][EVAL_HIT_BINS] over [lo, hi]) with KL and overlap. */
static void hit_figure(FILE *f, const double counts[2][EVAL_HIT_BINS], double lo, double hi, const char *title,
                       const char *unit, const char *key)
{
    double total[2] = {0.0, 0.0}, pct[2][EVAL_HIT_BINS];
    for (int w = 0; w < 2; w++)
        for (int b = 0; b < EVAL_HIT_BINS; b++)
            total[w] += counts[w][b];
    for (int w = 0; w < 2; w++)
        for (int b = 0; b < EVAL_HIT_BINS; b++)
            pct[w][b] = total[w] > 0.0 ? 100.0 * counts[w][b] / total[w] : 0.0;
    Svg_series series[2] = {{"real", pct[0], COLOR_REAL}, {"generated", pct[1], COLOR_GEN}};
    Svg_frame frame = {420, 220, title, unit, "% of hits"};
    fprintf(f, "<figure data-hits=\"%s\">", key);
    svg_histograms(f, &frame, lo, hi, EVAL_HIT_BINS, series, 2);
    fputs("<figcaption><b>KL</b> ", f);
    num(f, distcmp_kl(counts[0], counts[1], EVAL_HIT_BINS), 3);
    fputs(" &nbsp; <b>overlap</b> ", f);
    num(f, distcmp_overlap(counts[0], counts[1], EVAL_HIT_BINS), 3);
    fprintf(f, " &nbsp; <span class=\"dim\">hits = %.0f / %.0f</span></figcaption></figure>\n", total[0], total[1]);
}

/* The table of every feature: means and spreads, KL and overlap, for one style slot. */
static void feature_table(FILE *f, const Eval_result *r, int genre, Sample *s)
{
    fputs("<table class=\"num\"><tr><th class=\"l\">feature</th><th class=\"l\">unit</th>"
          "<th>real mean</th><th>real std</th><th>generated mean</th><th>generated std</th>"
          "<th>KL(real&#8214;gen)</th><th>overlap</th></tr>\n",
          f);
    for (int ft = 0; ft < FEATURE_COUNT; ft++) {
        Dist_compare c;
        compare(r, ft, genre, s, &c);
        double rm, rs, gm, gs;
        distcmp_mean_std(s->real, s->n, &rm, &rs);
        distcmp_mean_std(s->gen, s->n, &gm, &gs);
        fputs("<tr><td class=\"l\">", f);
        text(f, feature_info(ft)->title);
        fputs("</td><td class=\"l dim\">", f);
        text(f, feature_info(ft)->unit);
        fputs("</td>", f);
        cell(f, NULL, rm, 3);
        cell(f, NULL, rs, 3);
        cell(f, NULL, gm, 3);
        cell(f, NULL, gs, 3);
        cell(f, NULL, c.kl, 3);
        fputs("<td", f);
        overlap_genre(f, c.overlap);
        fputs(">", f);
        num(f, c.overlap, 3);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* ---- Sections -------------------------------------------------------------------- */

static void write_head(FILE *f, const Eval_result *r, const Report_info *info)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>groove eval report</title>\n<style>\n"
          "body{font-family:sans-serif;color:#222;margin:0 auto;padding:12px 20px 40px;max-width:1240px;"
          "line-height:1.35;background:#fff}\n"
          "h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;padding-top:8px;"
          "border-top:2px solid #ddd}h3{font-size:15px;margin:16px 0 6px}\n"
          "p{margin:6px 0;max-width:1100px}.dim{color:#777}\n"
          "table{border-collapse:collapse;font-size:13px;margin:6px 0 10px}\n"
          "th,td{padding:3px 8px;border-bottom:1px solid #e2e2e2}th{background:#f3f3f3;font-weight:600}\n"
          "table.num td,table.num th{text-align:right}table.num td.l,table.num th.l{text-align:left}\n"
          "table.matrix td,table.matrix th{padding:2px 4px;font-size:12px;text-align:center}\n"
          ".grid{display:flex;flex-wrap:wrap;gap:8px}\n"
          "figure{margin:0;border:1px solid #e2e2e2;border-radius:4px;padding:4px 4px 2px}\n"
          "figcaption{font-size:12px;padding:0 4px 2px}\n"
          ".cols{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}\n"
          "pre{background:#f6f6f6;padding:8px;font-size:12px;overflow-x:auto;white-space:pre-wrap}\n"
          "details{margin:6px 0}summary{cursor:pointer;font-weight:600;font-size:14px}\n"
          ".key{display:inline-block;width:12px;height:10px;margin:0 4px 0 10px;vertical-align:baseline}\n"
          "nav a{margin-right:14px}\n"
          "</style></head><body>\n",
          f);
    fputs("<h1>groove eval report</h1>\n<p>Model <code>", f);
    text(f, info->model_path ? info->model_path : "(unknown)");
    fputs("</code> on <code>", f);
    text(f, info->data_path ? info->data_path : "(unknown)");
    fprintf(f, "</code>: %d windows of the <b>%s</b> split (%s). Every generated pattern is the model's "
               "answer to the real window's groove (z = mu, the window's own style and fill labels, default "
               "thresholds); it is compared with the real pattern of that window.<br>Colours: "
               "<span class=\"key\" style=\"background:%s\"></span>real "
               "<span class=\"key\" style=\"background:%s\"></span>generated</p>\n",
            r->windows, dataset_split_name(r->options.split), kinds_name(r->options.kinds), COLOR_REAL, COLOR_GEN);
    fputs("<nav><a href=\"#summary\">Hit metrics</a><a href=\"#features\">Features</a>"
          "<a href=\"#styles\">Per style</a><a href=\"#heatmaps\">Velocity heat-maps</a>"
          "<a href=\"#latent\">Latent map</a><a href=\"#model\">Model</a></nav>\n",
          f);
}

static void write_summary(FILE *f, const Eval_result *r)
{
    const Metrics *m = &r->metrics;
    fputs("<section id=\"summary\"><h2>1. Hit metrics</h2>\n<div class=\"cols\"><div>\n", f);
    fputs("<h3>Overall</h3><table class=\"num\"><tr><th class=\"l\">metric</th><th>value</th>"
          "<th class=\"l\">target (issue 4, validation beats)</th></tr>\n",
          f);
    struct {
        const char *key, *title, *target;
        double value;
        int decimals;
    } rows[] = {
        {"hit_accuracy", "hit accuracy (32 x 9 cells)", "&ge; 0.915 (published best 0.912)", metrics_hit_accuracy(m), 4},
        {"hit_precision", "hit precision", "", metrics_precision(m, -1), 4},
        {"hit_recall", "hit recall", "", metrics_recall(m, -1), 4},
        {"hit_f1", "hit F1", "&ge; 0.65 (published about 0.6)", metrics_f1(m, -1), 4},
        {"hits_per_loop_true", "true hits per loop", "", metrics_hits_per_loop_true(m), 4},
        {"hits_per_loop_pred", "predicted hits per loop", "within 10 % of the truth", metrics_hits_per_loop_pred(m), 4},
        {"offset_std_true", "true offset std (steps)", "", metrics_offset_std_true(m), 4},
        {"offset_std_pred", "predicted offset std (steps)", "&ge; 0.12 (published about 0.08)", metrics_offset_std_pred(m), 4},
        {"vel_mse", "velocity MSE at true hits", "", metrics_vel_mse(m), 4},
        {"offset_mse", "offset MSE at true hits (steps&sup2;)", "", metrics_offset_mse(m), 4},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fprintf(f, "<tr><td class=\"l\">%s</td>", rows[i].title);
        cell(f, rows[i].key, rows[i].value, rows[i].decimals);
        fprintf(f, "<td class=\"l dim\">%s</td></tr>\n", rows[i].target);
    }
    fprintf(f, "<tr><td class=\"l\">windows</td><td data-key=\"windows\">%d</td><td></td></tr>\n</table>\n",
            r->windows);

    fputs("<h3>Per voice</h3><table class=\"num\"><tr><th class=\"l\">voice</th><th>true hits/loop</th>"
          "<th>pred hits/loop</th><th>precision</th><th>recall</th><th>F1</th></tr>\n",
          f);
    double w = m->windows > 0 ? (double)m->windows : NAN;
    for (int v = 0; v < HVO_VOICES; v++) {
        fprintf(f, "<tr><td class=\"l\">%s (%s)</td>", voice_name(v), voice_label(v));
        cell(f, NULL, (m->tp[v] + m->fn[v]) / w, 2);
        cell(f, NULL, (m->tp[v] + m->fp[v]) / w, 2);
        cell(f, NULL, metrics_precision(m, v), 3);
        cell(f, NULL, metrics_recall(m, v), 3);
        cell(f, NULL, metrics_f1(m, v), 3);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n</div><div>\n", f);

    fputs("<h3>Per style</h3><table class=\"num\"><tr><th class=\"l\">style</th><th>windows</th>"
          "<th>hit acc.</th><th>F1</th><th>hits/loop true</th><th>pred</th><th>offset std true</th>"
          "<th>pred</th></tr>\n",
          f);
    for (int s = 0; s < GENRE_COUNT; s++) {
        const Metrics *sm = &r->genre_metrics[s];
        if (!r->genre_windows[s])
            continue;
        fprintf(f, "<tr><td class=\"l\">%s</td><td>%d</td>", genre_name(s), r->genre_windows[s]);
        cell(f, NULL, metrics_hit_accuracy(sm), 3);
        cell(f, NULL, metrics_f1(sm, -1), 3);
        cell(f, NULL, metrics_hits_per_loop_true(sm), 1);
        cell(f, NULL, metrics_hits_per_loop_pred(sm), 1);
        cell(f, NULL, metrics_offset_std_true(sm), 3);
        cell(f, NULL, metrics_offset_std_pred(sm), 3);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);

    /* The JSON of groove eval --json, verbatim. */
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    if (mem) {
        eval_write_json(mem, r);
        fclose(mem);
        fputs("<h3>groove eval --json</h3><pre id=\"json\">", f);
        text(f, json);
        fputs("</pre>\n", f);
    }
    free(json);
    fputs("</div></div>\n</section>\n", f);
}

static void write_features(FILE *f, const Eval_result *r, Sample *s)
{
    fputs("<section id=\"features\"><h2>2. Musical features: real vs generated, all windows</h2>\n"
          "<p>Each feature is computed per 2-bar pattern. Histograms share bins (whole numbers for counts; "
          "Rice's rule, 2&middot;n<sup>1/3</sup> bins clamped to 6..24, for continuous features) and show the "
          "percentage of patterns per bin. <b>KL</b> is KL(real &#8214; generated) in nats on histograms smoothed "
          "with 0.5 pseudo-counts per bin (0 = identical); <b>overlap</b> is the overlapping area of the two "
          "normalised histograms (1 = identical, 0 = disjoint). Velocity and timing features are undefined for "
          "an empty pattern, the swing ratio for one without hits on both odd and even steps: those patterns "
          "are left out of that feature (n = real / generated patterns counted).</p>\n",
          f);
    feature_table(f, r, EVAL_ALL, s);
    fputs("<div class=\"grid\">\n", f);
    for (int ft = 0; ft < FEATURE_COUNT; ft++)
        feature_figure(f, r, ft, EVAL_ALL, s, 280, 200);
    fputs("</div>\n<h3>Every hit</h3><p>The micro-timing offset and the velocity of every single hit (not "
          "per pattern), over all windows. A model that pulls the timing onto the grid (as the published "
          "ones do) shows a generated spike at 0; one that keeps the feel spreads like the real hits.</p><div class=\"grid\">\n",
          f);
    hit_figure(f, r->offset_hist, -0.5, 0.5, "Offset of every hit", "offset (16th steps, + = late)", "offset");
    hit_figure(f, r->velocity_hist, 0.0, 1.0, "Velocity of every hit", "velocity 0..1", "velocity");
    fputs("</div></section>\n", f);
}

static void write_genres(FILE *f, const Eval_result *r, Sample *s)
{
    fputs("<section id=\"styles\"><h2>3. Musical features per style</h2>\n"
          "<p>Overlapping area of real and generated feature distributions, per style (rows, most windows "
          "first) and feature (columns; hover a cell for its KL). Green = the generated distribution matches, "
          "red = it does not. Styles with few windows give noisy numbers. Every plot follows, per style.</p>\n",
          f);
    /* Styles ordered by window count, most first. */
    int order[GENRE_COUNT], n_genres = 0;
    for (int st = 0; st < GENRE_COUNT; st++)
        if (r->genre_windows[st])
            order[n_genres++] = st;
    for (int i = 0; i < n_genres; i++)
        for (int j = i + 1; j < n_genres; j++)
            if (r->genre_windows[order[j]] > r->genre_windows[order[i]]) {
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    fputs("<table class=\"matrix\"><tr><th>style</th><th>n</th>", f);
    for (int ft = 0; ft < FEATURE_COUNT; ft++) {
        fprintf(f, "<th title=\"");
        text(f, feature_info(ft)->title);
        fputs("\">", f);
        text(f, feature_info(ft)->label);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (int i = 0; i < n_genres; i++) {
        int st = order[i];
        fprintf(f, "<tr><th>%s</th><td>%d</td>", genre_name(st), r->genre_windows[st]);
        for (int ft = 0; ft < FEATURE_COUNT; ft++) {
            Dist_compare c;
            compare(r, ft, st, s, &c);
            fputs("<td", f);
            overlap_genre(f, c.overlap);
            fputs(" title=\"KL ", f);
            num(f, c.kl, 3);
            fputs("\">", f);
            num(f, c.overlap, 2);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    for (int i = 0; i < n_genres; i++) {
        int st = order[i];
        fprintf(f, "<details class=\"style\" data-style=\"%s\"%s><summary>%s: %d windows</summary>\n",
                genre_name(st), i == 0 ? " open" : "", genre_name(st), r->genre_windows[st]);
        feature_table(f, r, st, s);
        fputs("<div class=\"grid\">\n", f);
        for (int ft = 0; ft < FEATURE_COUNT; ft++)
            feature_figure(f, r, ft, st, s, 280, 190);
        fputs("</div></details>\n", f);
    }
    fputs("</section>\n", f);
}

static void write_heatmaps(FILE *f, const Eval_result *r)
{
    static const char *const rows[HVO_VOICES] = {"kick", "snare", "closed hat", "open hat", "low tom",
                                                 "mid tom", "high tom", "crash", "ride"};
    fputs("<section id=\"heatmaps\"><h2>4. Velocity heat-maps: voice &times; step</h2>\n"
          "<p>Mean over windows of velocity &times; hit per voice and 16th-note step (0 where no hit), so "
          "both how often and how hard a cell is played show. Real (left) and generated (right) share one "
          "colour scale per row; the white line is the bar line.</p>\n",
          f);
    float real[HVO_VOICES * HVO_STEPS], gen[HVO_VOICES * HVO_STEPS];
    /* All styles first, then each style with windows, by name. */
    for (int k = -1; k < GENRE_COUNT; k++) {
        int s = k < 0 ? EVAL_ALL : k;
        if (!r->genre_windows[s])
            continue;
        eval_velocity_map(r, s, 0, real);
        eval_velocity_map(r, s, 1, gen);
        double top = 0.0;
        for (int i = 0; i < HVO_VOICES * HVO_STEPS; i++)
            top = fmax(top, fmax(real[i], gen[i]));
        top = top > 0.0 ? ceil(top * 10.0 - 1e-9) / 10.0 : 1.0;
        const char *name = s == EVAL_ALL ? "all styles" : genre_name(s);
        fprintf(f, "<h3 data-style=\"%s\">%s: %d windows</h3><div class=\"cols\">\n", name, name, r->genre_windows[s]);
        char title[96];
        snprintf(title, sizeof title, "%s: real", name);
        Svg_frame frame = {600, 230, title, "step (16th notes, 2 bars)", "voice"};
        svg_heatmap(f, &frame, real, HVO_VOICES, HVO_STEPS, rows, 4, 16, 0.0, top, "mean velocity x hit");
        snprintf(title, sizeof title, "%s: generated", name);
        svg_heatmap(f, &frame, gen, HVO_VOICES, HVO_STEPS, rows, 4, 16, 0.0, top, "mean velocity x hit");
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
}

static void write_latent(FILE *f, const Eval_result *r, const Report_info *info)
{
    fputs("<section id=\"latent\"><h2>5. Latent map</h2>\n", f);
    int n = r->windows, d = r->latent_dim;
    if (!r->latent || d < 2 || n < 2) {
        fputs("<p>No latent means to map (fewer than 2 windows or a latent size below 2).</p></section>\n", f);
        return;
    }
    /* Colours by rank among the styles present, so the few styles of a split get the most
     * distinct colours of the palette. */
    const char *names[GENRE_COUNT];
    int rank[GENRE_COUNT], n_present = 0;
    for (int s = 0; s < GENRE_COUNT; s++) {
        rank[s] = r->genre_windows[s] ? n_present : -1;
        if (r->genre_windows[s])
            names[n_present++] = genre_name(s);
    }
    int *groups = malloc(sizeof(int) * (size_t)n);
    float *xy = malloc(sizeof(float) * 2 * (size_t)n);
    if (!groups || !xy) {
        free(groups);
        free(xy);
        fputs("<p>Out of memory for the latent map.</p></section>\n", f);
        return;
    }
    for (int i = 0; i < n; i++)
        groups[i] = r->genre[i] >= 0 && r->genre[i] < GENRE_COUNT ? rank[r->genre[i]] : -1;
    double explained[2] = {0, 0};
    fputs("<p>The encoder's latent mean mu of every evaluated window's groove, projected to 2-D in C, "
          "coloured by the window's style (legend: style and number of windows).</p><div class=\"cols\">\n",
          f);
    if (embed_pca(r->latent, n, d, 2, xy, explained) == 0) {
        char xl[64], yl[64];
        snprintf(xl, sizeof xl, "PC1 (%.1f %% of variance)", 100.0 * explained[0]);
        snprintf(yl, sizeof yl, "PC2 (%.1f %% of variance)", 100.0 * explained[1]);
        Svg_frame frame = {590, 460, "PCA of the latent means", xl, yl};
        fputs("<figure data-map=\"pca\">", f);
        svg_scatter(f, &frame, xy, groups, n, names, n_present);
        fprintf(f, "<figcaption>PCA: %d windows, latent size %d.</figcaption></figure>\n", n, d);
    } else {
        fputs("<p>PCA failed (out of memory).</p>\n", f);
    }
    if (info->tsne && n >= 8) {
        /* t-SNE costs O(n^2): an evenly spaced subsample of at most REPORT_TSNE_MAX windows. */
        int m = n < REPORT_TSNE_MAX ? n : REPORT_TSNE_MAX;
        float *sub = malloc(sizeof(float) * (size_t)m * (size_t)d);
        int *group = malloc(sizeof(int) * (size_t)m);
        float *map = malloc(sizeof(float) * 2 * (size_t)m);
        if (sub && group && map) {
            for (int i = 0; i < m; i++) {
                int src = (int)((long)i * n / m);
                memcpy(sub + (size_t)i * d, r->latent + (size_t)src * d, sizeof(float) * (size_t)d);
                group[i] = groups[src];
            }
            if (embed_tsne(sub, m, d, 30.0, 750, map) == 0) {
                Svg_frame frame = {590, 460, "t-SNE of the latent means", "t-SNE 1 (no unit)", "t-SNE 2 (no unit)"};
                fputs("<figure data-map=\"tsne\">", f);
                svg_scatter(f, &frame, map, group, m, names, n_present);
                fprintf(f, "<figcaption>Exact t-SNE, perplexity 30, 750 iterations, %d of %d windows "
                           "(evenly spaced).</figcaption></figure>\n",
                        m, n);
            }
        }
        free(sub);
        free(group);
        free(map);
    }
    free(xy);
    free(groups);
    fputs("</div></section>\n", f);
}

static void write_model(FILE *f, const Eval_result *r, const Report_info *info)
{
    fputs("<section id=\"model\"><h2>6. Model and command</h2>\n<div class=\"cols\"><div>\n"
          "<table class=\"num\"><tr><th class=\"l\">hyper-parameter</th><th>value</th></tr>\n",
          f);
    const Model_config *c = info->config;
    if (c) {
        struct {
            const char *name;
            int value;
        } rows[] = {
            {"encoder d_model", c->enc_d}, {"encoder heads", c->enc_heads}, {"encoder feed-forward", c->enc_ff},
            {"encoder layers", c->enc_layers}, {"decoder d_model", c->dec_d}, {"decoder heads", c->dec_heads},
            {"decoder feed-forward", c->dec_ff}, {"decoder layers", c->dec_layers}, {"latent size", c->latent},
            {"input channels", c->input_dim}, {"steps", c->steps}, {"output channels", c->output_dim},
            {"style embeddings", c->n_genres}, {"fill embedding", c->has_fill},
            {"mute groups", c->n_mute_groups},
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            fprintf(f, "<tr><td class=\"l\">%s</td><td>%d</td></tr>\n", rows[i].name, rows[i].value);
    }
    if (info->n_params > 0)
        fprintf(f, "<tr><td class=\"l\">parameters</td><td>%ld</td></tr>\n", info->n_params);
    fputs("</table></div><div>\n<table class=\"num\"><tr><th class=\"l\">voice</th><th>hit threshold</th></tr>\n", f);
    for (int v = 0; v < HVO_VOICES; v++) {
        fprintf(f, "<tr><td class=\"l\">%s</td>", voice_name(v));
        cell(f, NULL, r->thresholds[v], 2);
        fputs("</tr>\n", f);
    }
    fputs("</table></div></div>\n<h3>Command</h3><pre id=\"command\">", f);
    text(f, info->command ? info->command : "");
    fputs("</pre>\n<p class=\"dim\">Data: Groove MIDI Dataset, Gillick et al. 2019, Magenta (CC BY 4.0).</p>\n"
          "</section>\n",
          f);
}

/* ---- Entry ----------------------------------------------------------------------- */

/* ---- Continuity and keys ---------------------------------------------------------- */

static void write_continuity(FILE *f, const Closed_loop_result *c)
{
    const Metrics *m = &c->metrics;
    fprintf(f, "<section id=\"continuity\"><h2>7. Closed loop and continuity</h2>\n"
               "<p class=\"dim\">Every performance of the %s split walked with a 2-bar hop, the model fed "
               "its own previous output as memory (%s), style %s: %d performances, %d windows, %d consecutive "
               "pairs. Continuity of a pair = the share of the 32 &times; 9 hit cells that are the same in "
               "both loops.</p>\n<div class=\"cols\"><div><table class=\"num\">",
            dataset_split_name(c->options.split), c->memory ? "this model reads it" : "this model has no memory",
            eval_style_name(c->options.style), c->performances, c->windows, c->pairs);
    fputs("<tr><th class=\"l\">closed loop</th><th>value</th></tr>\n<tr><td class=\"l\">hit accuracy</td>", f);
    cell(f, "closed_loop.hit_accuracy", metrics_hit_accuracy(m), 4);
    fputs("</tr>\n<tr><td class=\"l\">hit F1</td>", f);
    cell(f, "closed_loop.hit_f1", metrics_f1(m, -1), 4);
    fputs("</tr>\n<tr><td class=\"l\">hits per loop, predicted</td>", f);
    cell(f, "closed_loop.hits_per_loop_pred", metrics_hits_per_loop_pred(m), 2);
    fputs("</tr>\n<tr><td class=\"l\">hits per loop, true</td>", f);
    cell(f, "closed_loop.hits_per_loop_true", metrics_hits_per_loop_true(m), 2);
    fputs("</tr>\n<tr><td class=\"l\">offset std, predicted</td>", f);
    cell(f, "closed_loop.offset_std_pred", metrics_offset_std_pred(m), 4);
    fputs("</tr>\n<tr><td class=\"l\">continuity overlap</td>", f);
    cell(f, "continuity_overlap", c->continuity.overlap, 4);
    fputs("</tr>\n<tr><td class=\"l\">continuity KL</td>", f);
    cell(f, "continuity_kl", c->continuity.kl, 4);
    fputs("</tr>\n<tr><td class=\"l\">continuity mean, real</td>", f);
    cell(f, "continuity_mean_real", c->continuity_mean_real, 4);
    fputs("</tr>\n<tr><td class=\"l\">continuity mean, generated</td>", f);
    cell(f, "continuity_mean_gen", c->continuity_mean_gen, 4);
    fputs("</tr></table></div><div>\n", f);
    const Dist_compare *d = &c->continuity;
    double p[DISTCMP_MAX_BINS], q[DISTCMP_MAX_BINS];
    for (int b = 0; b < d->bins.bins; b++) {
        p[b] = d->n_p ? 100.0 * d->p_counts[b] / d->n_p : 0.0;
        q[b] = d->n_q ? 100.0 * d->q_counts[b] / d->n_q : 0.0;
    }
    Svg_series series[2] = {{"real", p, COLOR_REAL}, {"generated", q, COLOR_GEN}};
    Svg_frame frame = {520, 260, "Continuity of consecutive loops", "share of the 288 hit cells alike",
                       "% of pairs"};
    fputs("<figure data-continuity=\"hist\">", f);
    svg_histograms(f, &frame, d->bins.lo, d->bins.hi, d->bins.bins, series, 2);
    fputs("<figcaption><b>KL</b> ", f);
    num(f, d->kl, 3);
    fputs(" &nbsp; <b>overlap</b> ", f);
    num(f, d->overlap, 3);
    fprintf(f, " &nbsp; <span class=\"dim\">pairs = %d / %d</span></figcaption></figure>\n", d->n_p, d->n_q);
    fputs("</div></div></section>\n", f);
}

static void keys_row(FILE *f, const char *name, const char *key, const Metrics *m, const Keys_rates *rt,
                     const Metrics *truth_of)
{
    char k[64];
    fprintf(f, "<tr><td class=\"l\">%s</td>", name);
    if (m) {
        snprintf(k, sizeof k, "keys.%s.hit_accuracy", key);
        cell(f, k, metrics_hit_accuracy(m), 4);
        snprintf(k, sizeof k, "keys.%s.hit_f1", key);
        cell(f, k, metrics_f1(m, -1), 4);
        snprintf(k, sizeof k, "keys.%s.hits_per_loop", key);
        cell(f, k, metrics_hits_per_loop_pred(m), 2);
    } else {
        fputs("<td></td><td></td>", f);
        snprintf(k, sizeof k, "keys.%s.hits_per_loop", key);
        cell(f, k, metrics_hits_per_loop_true(truth_of), 2);
    }
    if (rt) {
        snprintf(k, sizeof k, "keys.%s.kick_on_1", key);
        cell(f, k, keys_rate(rt, rt->kick_on_one), 3);
        snprintf(k, sizeof k, "keys.%s.snare_2_4", key);
        cell(f, k, keys_rate(rt, rt->snare_two_four), 3);
        snprintf(k, sizeof k, "keys.%s.eighth_pulse", key);
        cell(f, k, keys_rate(rt, rt->eighth_pulse), 3);
        snprintf(k, sizeof k, "keys.%s.on_groove", key);
        cell(f, k, keys_on_groove(rt), 3);
    } else {
        fputs("<td></td><td></td><td></td><td></td>", f);
    }
    fputs("</tr>\n", f);
}

static void write_keys(FILE *f, const Keys_set *set, const Keys_result *k, const char *dir)
{
    int used = set->n_files - set->files_skipped, all = 0;
    for (int i = 0; i < set->n_files; i++)
        all += !set->files[i].skipped && set->files[i].source == KEYS_FROM_ALL_NON_DRUM;
    fputs("<section id=\"keys\"><h2>8. Keys to drums</h2>\n<p class=\"dim\">", f);
    fprintf(f, "%d windows (2 bars of 4/4) from %d of %d MIDI files in ", k->windows, used, set->n_files);
    text(f, dir ? dir : "?");
    fprintf(f, " (%d with no keyboard part: all their non-drum notes). The keyboard part is the groove, "
               "channel 10 the answer; a fixed rock beat and silence are scored on the same windows. Kick on 1: "
               "both bars; snare on 2 and 4: all four backbeats; eighth pulse: closed hat or ride on at least "
               "%d of 16 eighths; on groove: the share of hits on steps where the keys play.</p>\n",
            all, KEYS_PULSE_MIN);
    fputs("<table class=\"num\"><tr><th class=\"l\">answer</th><th>hit acc.</th><th>F1</th><th>hits/loop</th>"
          "<th>kick on 1</th><th>snare 2+4</th><th>8th pulse</th><th>on groove</th></tr>\n", f);
    keys_row(f, "model", "model", &k->model, &k->model_rates, NULL);
    keys_row(f, "rock beat", "rock", &k->rock, &k->rock_rates, NULL);
    keys_row(f, "silence", "silence", &k->silence, NULL, NULL);
    keys_row(f, "real drums", "real", NULL, &k->real_rates, &k->model);
    fputs("</table>\n<h3>Files</h3><table class=\"num\"><tr><th class=\"l\">file</th><th class=\"l\">groove</th>"
          "<th>windows</th><th class=\"l\">skipped</th></tr>\n", f);
    for (int i = 0; i < set->n_files; i++) {
        const Keys_file *kf = &set->files[i];
        fputs("<tr><td class=\"l\">", f);
        text(f, kf->name);
        fprintf(f, "</td><td class=\"l\">%s</td><td>%d</td><td class=\"l\">",
                kf->skipped ? "" : kf->source == KEYS_FROM_KEYBOARD ? "keyboard" : "all non-drum", kf->windows);
        if (kf->skipped)
            text(f, kf->why);
        fputs("</td></tr>\n", f);
    }
    fputs("</table></section>\n", f);
}

int report_write(const char *dir, const Eval_result *r, const Report_info *info, char *err, size_t errlen)
{
    if (!r->real_features || !r->gen_features || !r->genre) {
        return error_set(err, errlen, "the evaluation holds no per-window details to report");
    }
    /* mkdir -p: each parent in turn, then the folder itself. */
    char partial[4096];
    size_t dlen = strlen(dir);
    if (dlen == 0 || dlen >= sizeof partial) {
        return error_set(err, errlen, "bad report folder name");
    }
    memcpy(partial, dir, dlen + 1);
    for (size_t i = 1; i <= dlen; i++) {
        if (partial[i] != '/' && partial[i] != '\0')
            continue;
        char keep = partial[i];
        partial[i] = '\0';
        if (mkdir(partial, 0755) != 0 && errno != EEXIST) {
            return error_set(err, errlen, "cannot create report folder '%s': %s", partial, strerror(errno));
        }
        partial[i] = keep;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return error_set(err, errlen, "'%s' is not a folder", dir);
    }
    Sample sample = {malloc(sizeof(double) * (size_t)(r->windows + 1)),
                     malloc(sizeof(double) * (size_t)(r->windows + 1)), 0};
    char *html = NULL;
    size_t len = 0;
    FILE *f = sample.real && sample.gen ? open_memstream(&html, &len) : NULL;
    if (!f) {
        free(sample.real);
        free(sample.gen);
        return error_set(err, errlen, "out of memory writing the report");
    }
    write_head(f, r, info);
    write_summary(f, r);
    write_features(f, r, &sample);
    write_genres(f, r, &sample);
    write_heatmaps(f, r);
    write_latent(f, r, info);
    write_model(f, r, info);
    if (info->closed_loop)
        write_continuity(f, info->closed_loop);
    if (info->keys && info->keys_set)
        write_keys(f, info->keys_set, info->keys, info->keys_dir);
    fputs("</body></html>\n", f);
    int bad = ferror(f);
    fclose(f);
    free(sample.real);
    free(sample.gen);
    if (bad || !html) {
        free(html);
        return error_set(err, errlen, "out of memory writing the report");
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/index.html", dir);
    int rc = atomic_file_write(path, html, len, err, errlen);
    free(html);
    return rc;
}
