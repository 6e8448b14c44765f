/* cmd_eval.c - `groove eval`: a model on a dataset split, as numbers, JSON and an HTML report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dataset.h"
#include "closed_loop.h"
#include "eval.h"
#include "keys_eval.h"
#include "model.h"
#include "options.h"
#include "report.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove eval [--model FILE] [--data FILE] [--split validation|test]\n"
            "                   [--beats|--fills|--all] [--json] [--report DIR] [--limit N] [--no-tsne]\n"
            "                   [--threshold T] [--random-weights SEED] [--style none|labels]\n"
            "       groove eval --closed-loop [--model FILE] [--data FILE] [--split S] [--style S] [--json]\n"
            "       groove eval --midi DIR [--model FILE] [--json] [--threshold T] [--report DIR]\n"
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
            "                      (0.5 compares with the published re-run at threshold 0.5)\n"
            "  --memory-gate G     feed the memory only while the groove is within G-1 steps of\n"
            "                      the one it was made from, instead of the model's gate (0: always)\n"
            "  --midi DIR          keys to drums instead: every multi-track MIDI file in DIR, its\n"
            "                      keyboard part (GM programs 0-23, else all non-drum notes) as the\n"
            "                      groove and its channel 10 as the answer, 2-bar 4/4 windows on the\n"
            "                      file's bar lines; hit accuracy, F1, hits per loop and the rates of\n"
            "                      kick on 1, snare on 2 and 4 and an eighth pulse, beside a fixed rock\n"
            "                      beat and silence on the same windows (docs/eval.md); with --report\n"
            "                      the dataset report gains a keys section\n"
            "  --closed-loop       walk every performance of the split with a 2-bar hop, feeding the\n"
            "                      model its own previous output as memory (ignored by models\n"
            "                      without memory): hit metrics and the continuity of consecutive\n"
            "                      loops, generated vs real (continuity_overlap, continuity_kl,\n"
            "                      continuity_mean_real, continuity_mean_gen); --limit N = N\n"
            "                      performances. The report always has this continuity section\n",
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

/* groove eval --midi DIR: loads the keys set and scores the model on it. 0, or 1 (said). */
static int eval_keys(Model *model, const char *dir, float threshold, Keys_set *set, Keys_result *r)
{
    char err[512];
    if (keys_set_load(set, dir, stderr, err, sizeof err) != 0) {
        fprintf(stderr, "groove: eval --midi: %s\n", err);
        return CMD_FAILED;
    }
    if (keys_eval_run(model, set, threshold, r, err, sizeof err) != 0) {
        fprintf(stderr, "groove: eval --midi: %s\n", err);
        keys_set_deinit(set);
        return CMD_FAILED;
    }
    return 0;
}

/* What the command line asks. */
typedef struct {
    const char *model_path, *data_path, *report_dir, *midi_dir;
    Eval_options opt;
    int json, tsne, closed_loop;
    int random;                     /* --random-weights given */
    unsigned long long random_seed;
    int memory_gate;                /* --memory-gate G, or -1: the model file's */
} Eval_args;

/* Says a choice option (--split, --style) got something else unless ok. OPTIONS_OK or
 * OPTIONS_USAGE (said). */
static int parse_choice(const char *name, const char *text, int ok, const char *choices)
{
    if (ok)
        return OPTIONS_OK;
    fprintf(stderr, "groove: %s wants %s, not '%s'\n", name, choices, text);
    return OPTIONS_USAGE;
}

/* Parses the options. OPTIONS_OK, OPTIONS_HELP (usage printed), or OPTIONS_USAGE (said). */
static int parse_options(int argc, char **argv, Eval_args *a)
{
    enum { O_MODEL = 256, O_RANDOM, O_DATA, O_SPLIT, O_STYLE, O_BEATS, O_FILLS, O_ALL, O_JSON, O_REPORT, O_NO_TSNE,
           O_THRESHOLD, O_LIMIT, O_MIDI, O_CLOSED_LOOP, O_MEMORY_GATE };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"model", required_argument, NULL, O_MODEL},
        {"random-weights", required_argument, NULL, O_RANDOM},
        {"data", required_argument, NULL, O_DATA},
        {"split", required_argument, NULL, O_SPLIT},
        {"style", required_argument, NULL, O_STYLE},
        {"beats", no_argument, NULL, O_BEATS},
        {"fills", no_argument, NULL, O_FILLS},
        {"all", no_argument, NULL, O_ALL},
        {"json", no_argument, NULL, O_JSON},
        {"report", required_argument, NULL, O_REPORT},
        {"no-tsne", no_argument, NULL, O_NO_TSNE},
        {"threshold", required_argument, NULL, O_THRESHOLD},
        {"memory-gate", required_argument, NULL, O_MEMORY_GATE},
        {"limit", required_argument, NULL, O_LIMIT},
        {"midi", required_argument, NULL, O_MIDI},
        {"closed-loop", no_argument, NULL, O_CLOSED_LOOP},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->data_path = "data/gmd.gds";
    a->opt = (Eval_options){.split = DATASET_SPLIT_VALIDATION, .kinds = DATASET_BEATS, .limit = 0,
                            .want_details = 0, .threshold = 0.0f, .style = EVAL_STYLE_NONE};
    a->tsne = 1;
    a->memory_gate = -1;
    Eval_options *opt = &a->opt;
    options_begin();
    int c, r = OPTIONS_OK;
    while (r == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT, longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return OPTIONS_HELP;
        case O_MODEL: a->model_path = optarg; break;
        case O_DATA: a->data_path = optarg; break;
        case O_REPORT: a->report_dir = optarg; break;
        case O_MIDI: a->midi_dir = optarg; break;
        case O_CLOSED_LOOP: a->closed_loop = 1; break;
        case O_BEATS: opt->kinds = DATASET_BEATS; break;
        case O_FILLS: opt->kinds = DATASET_FILLS; break;
        case O_ALL: opt->kinds = DATASET_BEATS_AND_FILLS; break;
        case O_JSON: a->json = 1; break;
        case O_NO_TSNE: a->tsne = 0; break;
        case O_RANDOM:
            a->random = 1;
            r = options_u64("--random-weights", optarg, ~0ull, &a->random_seed);
            break;
        case O_SPLIT:
            opt->split = dataset_split_from_name(optarg);
            r = parse_choice("--split", optarg,
                             opt->split == DATASET_SPLIT_VALIDATION || opt->split == DATASET_SPLIT_TEST,
                             "validation or test");
            break;
        case O_STYLE:
            opt->style = eval_style_from_name(optarg);
            r = parse_choice("--style", optarg, opt->style >= 0, "none or labels");
            break;
        case O_THRESHOLD:
            /* open interval: 0 and 1 are no thresholds */
            r = options_float("--threshold", optarg, 0.001, 0.999, &opt->threshold);
            break;
        case O_LIMIT: r = options_int("--limit", optarg, 1, 100000000, &opt->limit); break;
        case O_MEMORY_GATE: r = options_int("--memory-gate", optarg, 0, 32, &a->memory_gate); break;
        default: return options_error("eval", c, argv);
        }
    }
    if (r != OPTIONS_OK)
        return r;
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove eval --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    if (a->model_path && a->random) {
        fprintf(stderr, "groove: eval: --model and --random-weights exclude each other\n");
        return OPTIONS_USAGE;
    }
    if (a->midi_dir && a->closed_loop) {
        fprintf(stderr, "groove: eval: --midi and --closed-loop exclude each other\n");
        return OPTIONS_USAGE;
    }
    if (a->midi_dir && a->opt.style == EVAL_STYLE_LABELS) {
        fprintf(stderr, "groove: eval: --midi songs carry no genre label; --style labels is for the dataset\n");
        return OPTIONS_USAGE;
    }
    if (a->midi_dir && !a->report_dir &&
        (a->opt.limit > 0 || a->opt.split != DATASET_SPLIT_VALIDATION || a->opt.kinds != DATASET_BEATS)) {
        fprintf(stderr, "groove: eval: --limit, --split, --fills and --all choose dataset windows; --midi scores every "
                        "window of its songs (with --report they shape the dataset report)\n");
        return OPTIONS_USAGE;
    }
    return OPTIONS_OK;
}

/* The model to evaluate: random weights of the default shape (--random-weights), else --model,
 * else the shipped one. Returns its name for the output (random_name holds a random one's), or
 * NULL said in one line. */
static const char *eval_open_model(const Eval_args *args, Model *model, char *random_name, size_t len)
{
    char err[512];
    memset(model, 0, sizeof *model);
    if (args->random) {
        Model_config c;
        model_config_default(&c);
        if (model_init_random(model, &c, (uint64_t)args->random_seed, err, sizeof err) != 0) {
            fprintf(stderr, "groove: cannot build a random model: %s\n", err);
            return NULL;
        }
        snprintf(random_name, len, "random weights (seed %llu)", args->random_seed);
        return random_name;
    }
    const char *name = args->model_path ? args->model_path : model_default_path();
    if (model_load(model, name, err, sizeof err) != 0) {
        fprintf(stderr, "groove: cannot load model '%s': %s\n", name, err);
        return NULL;
    }
    if (args->memory_gate >= 0) {   /* --memory-gate: instead of the file's */
        model->extras.has_memory_gate = 1;
        model->extras.memory_gate = (float)args->memory_gate;
    }
    return name;
}

int cmd_eval(int argc, char **argv)
{
    Eval_args args;
    int pr = parse_options(argc, argv, &args);
    if (pr != OPTIONS_OK)
        return pr == OPTIONS_HELP ? 0 : pr;
    const char *data_path = args.data_path, *report_dir = args.report_dir;
    const char *midi_dir = args.midi_dir;
    Eval_options opt = args.opt;
    int json = args.json, tsne = args.tsne;
    opt.want_details = report_dir != NULL;

    char err[512];
    Model model;
    char random_name[64];
    const char *model_name = eval_open_model(&args, &model, random_name, sizeof random_name);
    if (!model_name)
        return CMD_FAILED;

    /* What each mode prints: --midi the keys JSON/table, --closed-loop the walk's, else the
     * split's. --report writes the dataset report with the continuity section (the closed
     * loop is walked for it) and, with --midi, the keys section. */
    int rc = 1;
    Keys_set keys_set;
    Keys_result keys;
    Closed_loop_result loop;
    Eval_result result;
    Dataset data;
    memset(&keys_set, 0, sizeof keys_set);
    memset(&loop, 0, sizeof loop);
    memset(&result, 0, sizeof result);
    memset(&data, 0, sizeof data);
    int have_keys = 0, have_loop = 0, have_result = 0;
    if (midi_dir) {
        if (eval_keys(&model, midi_dir, opt.threshold, &keys_set, &keys) != 0)
            goto done;
        have_keys = 1;
        if (json)
            keys_write_json(stdout, &keys_set, &keys);
        else
            keys_write_text(stdout, &keys_set, &keys, model_name);
        if (!report_dir) {
            rc = fflush(stdout) == 0 ? CMD_OK : CMD_FAILED;
            goto done;
        }
    }
    if (dataset_load(&data, data_path, err, sizeof err) != 0) {
        fprintf(stderr, "groove: cannot load dataset '%s': %s\n", data_path, err);
        goto done;
    }
    if (args.closed_loop || report_dir) {
        if (closed_loop_run(&model, &data, &opt, &loop, err, sizeof err) != 0) {
            fprintf(stderr, "groove: eval --closed-loop: %s\n", err);
            goto done;
        }
        have_loop = 1;
        if (args.closed_loop) {
            if (json)
                closed_loop_write_json(stdout, &loop);
            else
                closed_loop_write_text(stdout, &loop, model_name);
        }
    }
    if (!args.closed_loop || report_dir) {
        if (eval_run(&model, &data, &opt, &result, err, sizeof err) != 0) {
            fprintf(stderr, "groove: eval: %s\n", err);
            goto done;
        }
        have_result = 1;
        if (!args.closed_loop && !midi_dir) {
            if (json)
                eval_write_json(stdout, &result);
            else
                print_summary(&result, model_name);
        }
    }
    if (report_dir) {
        char cmd[4096];
        command_line(argc, argv, cmd, sizeof cmd);
        Report_info info = {cmd,        model_name,  data_path, &model.config, (long)model.n_params, tsne,
                            &loop,      have_keys ? &keys_set : NULL, have_keys ? &keys : NULL, midi_dir};
        if (report_write(report_dir, &result, &info, err, sizeof err) != 0) {
            fprintf(stderr, "groove: cannot write the report: %s\n", err);
            goto done;
        }
        fprintf(json ? stderr : stdout, "report: %s/index.html\n", report_dir);
    }
    rc = fflush(stdout) == 0 ? CMD_OK : CMD_FAILED;
done:
    if (have_result)
        eval_result_deinit(&result);
    if (have_loop)
        closed_loop_result_deinit(&loop);
    if (have_keys)
        keys_set_deinit(&keys_set);
    dataset_deinit(&data);
    model_deinit(&model);
    return rc;
}
