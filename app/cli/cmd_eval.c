/* cmd_eval.c - `groove eval`: a model on a dataset split, as numbers, JSON and an HTML report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dataset.h"
#include "eval.h"
#include "model.h"
#include "report.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove eval [--model FILE] [--data FILE] [--split validation|test]\n"
            "                   [--beats|--fills|--all] [--json] [--report DIR] [--limit N] [--no-tsne]\n"
            "                   [--threshold T] [--random-weights SEED] [--style none|labels]\n"
            "\n"
            "Runs the model over a split of the dataset: every window's groove in, a drum part out\n"
            "(z = mu, the window's fill label, no genre unless --style labels, the model's default\n"
            "thresholds), compared with the real drums. Prints hit accuracy (32 x 9 cells), hit precision / recall / F1\n"
            "overall and per voice, velocity and offset MSE at true hits, predicted vs true hits per\n"
            "loop and offset standard deviation.\n"
            "\n"
            "  --model FILE        model file (default: the shipped model, %s)\n"
            "  --random-weights N  instead, a model of the default shape with random weights from\n"
            "                      seed N: the chance baseline (and the tests' model)\n"
            "  --data FILE         dataset from `groove dataset` (default data/gmd.gds)\n"
            "  --split NAME        validation (default) or test\n"
            "  --beats|--fills|--all   which windows (default --beats, as published)\n"
            "  --style none|labels no genre fed (default: what `groove` plays unless told a style)\n"
            "                      or each window's own genre label fed to the decoder\n"
            "  --json              print one JSON object (hit_accuracy, hit_f1, hits_per_loop_pred,\n"
            "                      hits_per_loop_true, offset_std_pred, offset_std_true, vel_mse,\n"
            "                      offset_mse, windows, ...)\n"
            "  --report DIR        also write DIR/index.html: metrics, feature distributions real vs\n"
            "                      generated per style with KL and overlap, velocity heat-maps, a\n"
            "                      latent map (PCA and t-SNE), hyper-parameters (docs/eval.md)\n"
            "  --no-tsne           leave the t-SNE map out of the report (PCA only; faster)\n"
            "  --limit N           at most N windows, evenly spaced over the split\n"
            "  --threshold T       one hit threshold (0..1) for every voice instead of the model's\n"
            "                      (0.5 compares with the published re-run at threshold 0.5)\n",
            model_default_path());
}

/* Joins the command line into "groove eval ..." with shell quoting where needed. */
static void command_line(int argc, char **argv, char *buf, size_t len)
{
    size_t at = (size_t)snprintf(buf, len, "groove");
    for (int i = 0; i < argc && at < len; i++) {
        const char *a = argv[i];
        int plain = *a != '\0' && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(a);
        if (plain) {
            at += (size_t)snprintf(buf + at, len - at, " %s", a);
            continue;
        }
        at += (size_t)snprintf(buf + at, len - at, " '");
        for (; *a && at + 5 < len; a++)
            at += *a == '\'' ? (size_t)snprintf(buf + at, len - at, "'\\''") : (size_t)snprintf(buf + at, len - at, "%c", *a);
        if (at < len)
            at += (size_t)snprintf(buf + at, len - at, "'");
    }
}

/* Parses a non-negative integer; -1 when it is not one. */
static long parse_count(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v >= 0 ? v : -1;
}

static void print_summary(const Eval_result *r, const char *model_path)
{
    const Metrics *m = &r->metrics;
    printf("groove eval: %d %s windows of the %s split, style %s, model %s\n", r->windows,
           r->options.kinds == DATASET_BEATS ? "beat" : r->options.kinds == DATASET_FILLS ? "fill" : "beat and fill",
           dataset_split_name(r->options.split), eval_style_name(r->options.style), model_path);
    printf("  hit accuracy       %.4f   (32 x 9 cells)\n", metrics_hit_accuracy(m));
    printf("  hit precision      %.4f\n", metrics_precision(m, -1));
    printf("  hit recall         %.4f\n", metrics_recall(m, -1));
    printf("  hit F1             %.4f\n", metrics_f1(m, -1));
    printf("  hits per loop      %.2f predicted, %.2f true\n", metrics_hits_per_loop_pred(m),
           metrics_hits_per_loop_true(m));
    printf("  offset std         %.4f predicted, %.4f true (steps)\n", metrics_offset_std_pred(m),
           metrics_offset_std_true(m));
    printf("  velocity MSE       %.4f   (at true hits)\n", metrics_vel_mse(m));
    printf("  offset MSE         %.4f   (at true hits, steps^2)\n", metrics_offset_mse(m));
    printf("\n  voice        thresh  true/loop  pred/loop  precision  recall     F1\n");
    for (int v = 0; v < HVO_VOICES; v++) {
        double w = m->windows ? (double)m->windows : 1.0;
        printf("  %-12s %6.2f %10.2f %10.2f %10.3f %7.3f %6.3f\n", voice_name(v), r->thresholds[v],
               (m->tp[v] + m->fn[v]) / w, (m->tp[v] + m->fp[v]) / w, metrics_precision(m, v), metrics_recall(m, v),
               metrics_f1(m, v));
    }
}

int cmd_eval(int argc, char **argv)
{
    const char *model_path = NULL, *data_path = "data/gmd.gds", *report_dir = NULL;
    Eval_options opt = {.split = DATASET_SPLIT_VALIDATION, .kinds = DATASET_BEATS, .limit = 0, .want_details = 0,
                        .threshold = 0.0f, .style = EVAL_STYLE_NONE};
    int json = 0, tsne = 1;
    long random_seed = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--model") && has_value) {
            model_path = argv[++i];
        } else if (!strcmp(a, "--random-weights") && has_value) {
            if ((random_seed = parse_count(argv[++i])) < 0) {
                fprintf(stderr, "groove: --random-weights wants a seed (a whole number), not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--data") && has_value) {
            data_path = argv[++i];
        } else if (!strcmp(a, "--split") && has_value) {
            opt.split = dataset_split_from_name(argv[++i]);
            if (opt.split != DATASET_SPLIT_VALIDATION && opt.split != DATASET_SPLIT_TEST) {
                fprintf(stderr, "groove: --split wants validation or test, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--style") && has_value) {
            opt.style = eval_style_from_name(argv[++i]);
            if (opt.style < 0) {
                fprintf(stderr, "groove: --style wants none or labels, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--beats")) {
            opt.kinds = DATASET_BEATS;
        } else if (!strcmp(a, "--fills")) {
            opt.kinds = DATASET_FILLS;
        } else if (!strcmp(a, "--all")) {
            opt.kinds = DATASET_BEATS_AND_FILLS;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--report") && has_value) {
            report_dir = argv[++i];
        } else if (!strcmp(a, "--no-tsne")) {
            tsne = 0;
        } else if (!strcmp(a, "--threshold") && has_value) {
            char *end;
            double t = strtod(argv[++i], &end);
            if (*end || !(t > 0.0 && t < 1.0)) {
                fprintf(stderr, "groove: --threshold wants a number between 0 and 1, not '%s'\n", argv[i]);
                return 2;
            }
            opt.threshold = (float)t;
        } else if (!strcmp(a, "--limit") && has_value) {
            long v = parse_count(argv[++i]);
            if (v < 1 || v > 100000000) {
                fprintf(stderr, "groove: --limit wants a positive number of windows, not '%s'\n", argv[i]);
                return 2;
            }
            opt.limit = (int)v;
        } else {
            fprintf(stderr, "groove: eval: unknown or incomplete option '%s' (groove eval --help)\n", a);
            return 2;
        }
    }
    if (model_path && random_seed >= 0) {
        fprintf(stderr, "groove: eval: --model and --random-weights exclude each other\n");
        return 2;
    }
    opt.want_details = report_dir != NULL;

    char err[512];
    Model model;
    memset(&model, 0, sizeof model);
    const char *model_name;
    char random_name[64];
    if (random_seed >= 0) {
        Model_config c;
        model_config_default(&c);
        if (model_init_random(&model, &c, (uint64_t)random_seed, err, sizeof err) != 0) {
            fprintf(stderr, "groove: cannot build a random model: %s\n", err);
            return 1;
        }
        snprintf(random_name, sizeof random_name, "random weights (seed %ld)", random_seed);
        model_name = random_name;
    } else {
        model_name = model_path ? model_path : model_default_path();
        if (model_load(&model, model_name, err, sizeof err) != 0) {
            fprintf(stderr, "groove: cannot load model '%s': %s\n", model_name, err);
            return 1;
        }
    }

    Dataset data;
    memset(&data, 0, sizeof data);
    if (dataset_load(&data, data_path, err, sizeof err) != 0) {
        fprintf(stderr, "groove: cannot load dataset '%s': %s\n", data_path, err);
        model_deinit(&model);
        return 1;
    }

    int rc = 1;
    Eval_result result;
    if (eval_run(&model, &data, &opt, &result, err, sizeof err) != 0) {
        fprintf(stderr, "groove: eval: %s\n", err);
        goto done_data;
    }
    if (json)
        eval_write_json(stdout, &result);
    else
        print_summary(&result, model_name);
    if (report_dir) {
        char cmd[4096];
        command_line(argc, argv, cmd, sizeof cmd);
        Report_info info = {cmd, model_name, data_path, &model.config, (long)model.n_params, tsne};
        if (report_write(report_dir, &result, &info, err, sizeof err) != 0) {
            fprintf(stderr, "groove: cannot write the report: %s\n", err);
            goto done_result;
        }
        fprintf(json ? stderr : stdout, "report: %s/index.html\n", report_dir);
    }
    rc = fflush(stdout) == 0 ? 0 : 1;
done_result:
    eval_result_deinit(&result);
done_data:
    dataset_deinit(&data);
    model_deinit(&model);
    return rc;
}
