/* test_eval.c - eval_run and report_write on a small hand-made dataset with a tiny
 * random-weights model (built here, no files needed): counts and sums that must hold, the
 * JSON against the metrics, the velocity heat-maps against the patterns, a report with every
 * section and no NaN. Built with ASan/UBSan too, so it also guards the report's memory use. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "eval.h"
#include "model.h"
#include "report.h"

enum { N_WINDOWS = 48 };

/* A dataset of N_WINDOWS windows: 4 styles, mostly validation beats, some fills and train. */
static void make_dataset(Dataset *d)
{
    memset(d, 0, sizeof *d);
    d->windows = calloc(N_WINDOWS, sizeof *d->windows);
    d->count = N_WINDOWS;
    for (int i = 0; i < N_WINDOWS; i++) {
        Dataset_window *w = &d->windows[i];
        hvo_clear(&w->pattern);
        for (int t = 0; t < HVO_STEPS; t += 2)
            hvo_set(&w->pattern, t, VOICE_CLOSED_HAT, 1, 0.4f + 0.02f * (i % 10), 0.03f * ((t + i) % 5) - 0.06f);
        hvo_set(&w->pattern, 0, VOICE_KICK, 1, 0.9f, 0.0f);
        hvo_set(&w->pattern, 10 + i % 3, VOICE_KICK, 1, 0.7f, 0.1f);
        hvo_set(&w->pattern, 4, VOICE_SNARE, 1, 0.8f, -0.05f);
        hvo_set(&w->pattern, 12, VOICE_SNARE, 1, 0.85f, 0.02f);
        if (i % 4 == 1)
            hvo_set(&w->pattern, 31, VOICE_CRASH, 1, 0.6f, 0.0f);
        hvo_flatten(&w->pattern, &w->groove);
        w->genre = (int8_t)(i % 4 == 3 ? -1 : 5 * (i % 4)); /* style ids 0, 5, 10, and unknown */
        w->split = i < 40 ? DATASET_SPLIT_VALIDATION : DATASET_SPLIT_TRAIN;
        w->is_fill = i % 8 == 7;
        w->bpm = 100.0f;
    }
}

static Model_config tiny_config(void)
{
    Model_config c;
    model_config_default(&c);
    c.enc_d = c.dec_d = 32;
    c.enc_heads = c.dec_heads = 2;
    c.enc_ff = c.dec_ff = 64;
    c.enc_layers = c.dec_layers = 1;
    c.latent = 8;
    return c;
}

/* Metrics of the validation beats decoded by hand with the genre fed (labels) or not. */
static void direct_metrics(Model *model, const Dataset *d, int labels, Metrics *m)
{
    Gen_params g;
    model_gen_params(model, &g);
    metrics_init(m);
    float mu[64];
    for (int i = 0; i < d->count; i++) {
        const Dataset_window *w = &d->windows[i];
        if (w->split != DATASET_SPLIT_VALIDATION || w->is_fill)
            continue;
        Hvo input, logits, pred;
        hvo_groove_to_input(&w->groove, &input);
        int prev = dataset_previous(d, i);   /* memory: the real drums before, as eval feeds */
        Model_memory memory;   /* a silent pair of bars: no part, no groove */
        memset(&memory, 0, sizeof memory);
        if (prev >= 0) {
            memory.part = d->windows[prev].pattern;
            memory.groove = d->windows[prev].groove;
        }
        model_encode(model, &input, prev >= 0 || prev == DATASET_PREVIOUS_SILENT ? &memory : NULL, mu, NULL);
        Model_condition cond = {labels ? w->genre : -1, 0, 0, INPUT_KIND_DRUMS};
        model_decode(model, mu, &cond, &logits);
        metrics_hvo_from_output(&logits.v[0][0], g.thresholds, &pred);
        metrics_add(m, &pred, &w->pattern);
    }
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

int main(void)
{
    Dataset data;
    make_dataset(&data);
    Model model;
    Model_config c = tiny_config();
    char err[256];
    CHECK(model_init_random(&model, &c, 3, err, sizeof err) == 0, "tiny random model builds");

    /* Validation beats: windows 0..39 without the fills (i % 8 == 7): 35. */
    Eval_options opt = {.split = DATASET_SPLIT_VALIDATION, .kinds = DATASET_BEATS, .limit = 0, .want_details = 1};
    Eval_result r;
    CHECK(eval_run(&model, &data, &opt, &r, err, sizeof err) == 0, "eval_run succeeds");
    CHECK(r.windows == 35 && r.metrics.windows == 35, "35 validation beat windows evaluated (got %d)", r.windows);
    long true_hits = 0;
    for (int i = 0; i < 40; i++)
        if (!data.windows[i].is_fill)
            true_hits += hvo_count_hits(&data.windows[i].pattern);
    CHECK(r.metrics.hits_true == true_hits, "true hits counted once per window (%ld vs %ld)", r.metrics.hits_true,
          true_hits);
    int genre_sum = 0;
    for (int s = 0; s < GENRE_COUNT; s++)
        genre_sum += r.genre_windows[s];
    CHECK(r.genre_windows[EVAL_ALL] == 35 && genre_sum < 35 && r.genre_windows[5] > 0,
          "per-style counts: all 35, styled ones fewer (the unlabelled style is left out)");
    long genre_hits = 0;
    for (int s = 0; s < GENRE_COUNT; s++)
        genre_hits += r.genre_metrics[s].hits_true;
    CHECK(genre_hits < true_hits && genre_hits > 0, "per-style metrics hold the styled windows' hits");

    /* Features of the real windows are defined and match a direct computation. */
    double f[FEATURE_COUNT];
    features_compute(&data.windows[0].pattern, f);
    int same = 1;
    for (int k = 0; k < FEATURE_COUNT; k++)
        same &= f[k] == r.real_features[k] || (isnan(f[k]) && isnan(r.real_features[k]));
    CHECK(same, "the first window's real features are its own");
    int finite = 1;
    for (int i = 0; i < r.windows * r.latent_dim; i++)
        finite &= isfinite(r.latent[i]);
    CHECK(finite && r.latent_dim == 8, "latent means are finite, latent size 8");

    /* Velocity heat-map of all windows: kick on step 0 is 0.9 in every real window. */
    float map[HVO_VOICES * HVO_STEPS];
    eval_velocity_map(&r, EVAL_ALL, 0, map);
    CHECK_NEAR(map[VOICE_KICK * HVO_STEPS + 0], 0.9, 1e-6, "real heat-map: kick at step 1 is 0.9 on average");
    CHECK_NEAR(map[VOICE_RIDE * HVO_STEPS + 5], 0.0, 0, "real heat-map: no ride");
    eval_velocity_map(&r, EVAL_ALL, 1, map);
    int in_range = 1;
    for (int i = 0; i < HVO_VOICES * HVO_STEPS; i++)
        in_range &= map[i] >= 0.0f && map[i] <= 1.0f;
    CHECK(in_range, "generated heat-map values are mean velocities in [0, 1]");

    /* JSON carries the metrics' own numbers. */
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    eval_write_json(mem, &r);
    fclose(mem);
    double acc = -1, f1 = -1;
    int windows = -1;
    const char *p = strstr(json, "\"hit_accuracy\": ");
    if (p)
        sscanf(p, "\"hit_accuracy\": %lf", &acc);
    p = strstr(json, "\"hit_f1\": ");
    if (p)
        sscanf(p, "\"hit_f1\": %lf", &f1);
    p = strstr(json, "\"windows\": ");
    if (p)
        sscanf(p, "\"windows\": %d", &windows);
    CHECK_NEAR(acc, metrics_hit_accuracy(&r.metrics), 1e-6, "JSON hit_accuracy");
    CHECK_NEAR(f1, metrics_f1(&r.metrics, -1), 1e-6, "JSON hit_f1");
    CHECK(windows == 35, "JSON windows");
    CHECK(!strstr(json, "nan") && !strstr(json, "inf"), "JSON has no nan/inf");
    free(json);

    /* The report. */
    char dir[] = "/tmp/groove-test-eval.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp folder");
    char sub[64], path[96];
    snprintf(sub, sizeof sub, "%s/report", dir);
    Report_info info = {"groove eval --test", "tiny", "hand-made", &model.config, (long)model.n_params, 1,
                        NULL, NULL, NULL, NULL};
    CHECK(report_write(sub, &r, &info, err, sizeof err) == 0, "report_write succeeds (%s)", err);
    snprintf(path, sizeof path, "%s/index.html", sub);
    char *html = read_all(path);
    CHECK(html != NULL, "index.html readable");
    if (html) {
        const char *ids[] = {"summary", "features", "styles", "heatmaps", "latent", "model"};
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            char needle[32];
            snprintf(needle, sizeof needle, "id=\"%s\"", ids[i]);
            CHECK(strstr(html, needle) != NULL, "report section #%s", ids[i]);
        }
        CHECK(strstr(html, "data-map=\"tsne\"") && strstr(html, "data-map=\"pca\""), "PCA and t-SNE maps");
        /* printf writes NaN as "nan"/"-nan" and infinity as "inf": look for them as numbers. */
        const char *bad[] = {">nan", "nan<", " nan ", "-nan", "NaN", ">inf", "inf<", " inf "};
        int clean = 1;
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            clean &= strstr(html, bad[i]) == NULL;
        CHECK(clean, "report has no NaN / inf");
        CHECK(!strstr(html, "<script"), "report has no script");
        free(html);
    }
    unlink(path);
    rmdir(sub);
    rmdir(dir);

    /* Limits: evenly spaced, and an empty selection is an error with a reason. */
    Eval_result r2;
    opt.limit = 7;
    opt.want_details = 0;
    CHECK(eval_run(&model, &data, &opt, &r2, err, sizeof err) == 0 && r2.windows == 7 && !r2.latent,
          "--limit 7 evaluates 7 windows, no details when not asked");
    eval_result_deinit(&r2);
    /* One threshold for every voice: a high one predicts fewer hits than a low one. */
    Eval_result lo, hi;
    opt.threshold = 0.05f;
    int ok = eval_run(&model, &data, &opt, &lo, err, sizeof err) == 0;
    opt.threshold = 0.95f;
    ok &= eval_run(&model, &data, &opt, &hi, err, sizeof err) == 0;
    CHECK(ok && lo.thresholds[0] == 0.05f && hi.thresholds[8] == 0.95f && lo.metrics.hits_pred > hi.metrics.hits_pred,
          "--threshold sets every voice's threshold (%ld hits at 0.05 > %ld at 0.95)", lo.metrics.hits_pred,
          hi.metrics.hits_pred);
    eval_result_deinit(&lo);
    eval_result_deinit(&hi);
    opt.threshold = 0.0f;

    /* --style: none (the default, 0) feeds no genre, labels feeds each window's own; each
     * equals decoding by hand that way, and the two differ (the genre embedding matters). */
    Metrics none_m, labels_m;
    direct_metrics(&model, &data, 0, &none_m);
    direct_metrics(&model, &data, 1, &labels_m);
    opt.limit = 0;
    opt.style = EVAL_STYLE_NONE;
    ok = eval_run(&model, &data, &opt, &lo, err, sizeof err) == 0;
    opt.style = EVAL_STYLE_LABELS;
    ok &= eval_run(&model, &data, &opt, &hi, err, sizeof err) == 0;
    CHECK(ok && !memcmp(lo.metrics.tp, none_m.tp, sizeof none_m.tp) && !memcmp(lo.metrics.fp, none_m.fp, sizeof none_m.fp),
          "--style none = decoding with no genre (%ld predicted hits)", lo.metrics.hits_pred);
    CHECK(ok && !memcmp(hi.metrics.tp, labels_m.tp, sizeof labels_m.tp) &&
              !memcmp(hi.metrics.fp, labels_m.fp, sizeof labels_m.fp),
          "--style labels = decoding with each window's genre (%ld predicted hits)", hi.metrics.hits_pred);
    CHECK(memcmp(none_m.fp, labels_m.fp, sizeof none_m.fp) || memcmp(none_m.tp, labels_m.tp, sizeof none_m.tp),
          "the genre changes the random model's output, so the two checks above tell the styles apart");
    CHECK(eval_style_from_name("none") == EVAL_STYLE_NONE && eval_style_from_name("labels") == EVAL_STYLE_LABELS &&
              eval_style_from_name("rock") == -1 && !strcmp(eval_style_name(EVAL_STYLE_LABELS), "labels"),
          "style names parse both ways; others are refused");
    mem = open_memstream(&json, &len);
    eval_write_json(mem, &hi);
    fclose(mem);
    CHECK(strstr(json, "\"style\": \"labels\"") != NULL, "JSON says which style was fed");
    free(json);
    eval_result_deinit(&lo);
    eval_result_deinit(&hi);
    opt.style = EVAL_STYLE_NONE;
    opt.split = DATASET_SPLIT_TEST;
    CHECK(eval_run(&model, &data, &opt, &r2, err, sizeof err) != 0 && strstr(err, "test"),
          "an empty split fails with a reason (%s)", err);

    eval_result_deinit(&r);
    model_deinit(&model);
    dataset_deinit(&data);
    return check_summary();
}
