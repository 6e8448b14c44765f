/* cmd_bench_train.c - `groove bench --train`: training samples per second of the C trainer
 * against PyTorch on the same model, batch and thread count, measured in the same run.
 *
 * Both sides time full steps (forward, SPEC loss, backward, clipping, AdamW) on random
 * patterns after two warm-up steps. The model is the shipped one's configuration
 * (nn/models/default.gtm, or --model FILE); PyTorch runs tests/torch_train_ref.py --bench
 * with /usr/bin/python3 (Debian python3-torch).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "error.h"
#include "model_file.h"
#include "genre.h"
#include "model.h"
#include "options.h"
#include "train.h"
#include "train_kernels.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: groove bench --train [--json] [--model FILE] [--threads N] [--batch N] [--steps N]\n"
                 "Training samples/s of the C trainer and of PyTorch (same model, batch, threads), and\n"
                 "their ratio train_speedup_vs_torch. Defaults: the shipped model's config, 2 threads,\n"
                 "batch 64, 10 timed steps.\n");
}

/* Fills n random training samples (about 12 % of cells hit). */
static void random_samples(Train_sample *s, int n)
{
    unsigned st = 99u;
    for (int i = 0; i < n; i++) {
        hvo_clear(&s[i].target);
        for (int t = 0; t < HVO_STEPS; t++)
            for (int v = 0; v < HVO_VOICES; v++) {
                st = st * 1664525u + 1013904223u;
                if ((st >> 8) % 100 < 12)
                    hvo_set(&s[i].target, t, v, 1, 0.2f + (float)((st >> 4) % 70) / 100.0f,
                            (float)((st >> 12) % 80) / 100.0f - 0.4f);
            }
        Groove g;
        hvo_flatten(&s[i].target, &g);
        hvo_groove_to_input(&g, &s[i].input);
        s[i].genre = i % GENRE_COUNT;
        s[i].fill = 0;
        s[i].mutes = 0;
        s[i].seed = 1000u + (unsigned)i;
    }
}

/* Runs the PyTorch side; returns its samples/s or a negative value (reason in err). */
static double torch_samples_per_s(const Model_config *c, int batch, int threads, int steps, float dropout,
                                  char *version, size_t vlen, char *err, size_t errlen)
{
    const char *script = "tests/torch_train_ref.py";
    if (access(script, R_OK) != 0) {
        error_set(err, errlen, "%s not found (run from the repository root)", script);
        return -1.0;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s --bench enc_d=%d enc_heads=%d enc_ff=%d enc_layers=%d dec_d=%d dec_heads=%d "
             "dec_ff=%d dec_layers=%d latent=%d batch=%d threads=%d steps=%d dropout=%g input_dim=%d n_kinds=%d 2>&1",
             script, c->enc_d, c->enc_heads, c->enc_ff, c->enc_layers, c->dec_d, c->dec_heads, c->dec_ff,
             c->dec_layers, c->latent, batch, threads, steps, dropout, c->input_dim, c->n_kinds);
    FILE *p = popen(cmd, "r");
    if (!p) {
        error_set(err, errlen, "cannot run /usr/bin/python3");
        return -1.0;
    }
    char line[512], last[512] = "";
    double sps = -1.0;
    while (fgets(line, sizeof line, p)) {
        double v;
        char ver[64];
        int th;
        if (sscanf(line, "samples_per_s %lf", &v) == 1)
            sps = v;
        else if (sscanf(line, "torch %63s threads %d", ver, &th) == 2)
            snprintf(version, vlen, "%s", ver);
        snprintf(last, sizeof last, "%s", line);
    }
    int status = pclose(p);
    if (sps <= 0.0 || status != 0) {
        last[strcspn(last, "\n")] = 0;
        error_set(err, errlen, "PyTorch reference failed (python3-torch installed?): %s", last);
        return -1.0;
    }
    return sps;
}

int cmd_bench_train(int argc, char **argv)
{
    enum { O_JSON = 256, O_TRAIN, O_MODEL, O_THREADS, O_BATCH, O_STEPS };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"train", no_argument, NULL, O_TRAIN}, /* the flag that chose this benchmark */
        {"json", no_argument, NULL, O_JSON},
        {"model", required_argument, NULL, O_MODEL},
        {"threads", required_argument, NULL, O_THREADS},
        {"batch", required_argument, NULL, O_BATCH},
        {"steps", required_argument, NULL, O_STEPS},
        {NULL, 0, NULL, 0},
    };
    int json = 0, threads = 2, batch = 64, steps = 10;
    const char *model_path = NULL;
    options_begin();
    int c, r = OPTIONS_OK;
    while (r == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT, longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case O_TRAIN: break;
        case O_JSON: json = 1; break;
        case O_MODEL: model_path = optarg; break;
        case O_THREADS: r = options_int("--threads", optarg, 1, 64, &threads); break;
        case O_BATCH: r = options_int("--batch", optarg, 1, 4096, &batch); break;
        case O_STEPS: r = options_int("--steps", optarg, 1, 4096, &steps); break;
        default: return options_error("bench --train", c, argv);
        }
    }
    if (r != OPTIONS_OK)
        return r;
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove bench --train --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    char err[512];
    Model_config cfg;
    model_config_shipped(&cfg);
    const char *path = model_path ? model_path : "nn/models/default.gtm";
    float *params = NULL;
    if (model_file_read(path, &cfg, &params, NULL, err, sizeof err) != 0) {
        if (model_path) {
            fprintf(stderr, "groove: bench --train: cannot load model '%s': %s\n", path, err);
            return CMD_FAILED;
        }
        path = "(default training config)";
    }
    free(params);
    Train_options opt;
    train_options_default(&opt);
    opt.threads = threads;
    opt.batch = batch;
    Trainer t;
    if (trainer_init(&t, &cfg, &opt, 1000, err, sizeof err) != 0) {
        fprintf(stderr, "groove: bench --train: %s\n", err);
        return CMD_FAILED;
    }
    Train_sample *s = malloc(sizeof *s * (size_t)batch);
    if (!s) {
        trainer_deinit(&t);
        fprintf(stderr, "groove: bench --train: out of memory\n");
        return CMD_FAILED;
    }
    random_samples(s, batch);
    for (int i = 0; i < 2; i++)
        trainer_step(&t, s, batch, NULL);
    double t0 = clock_seconds();
    for (int i = 0; i < steps; i++)
        trainer_step(&t, s, batch, NULL);
    double c_sps = (double)steps * batch / (clock_seconds() - t0);
    size_t n_params = t.n_params;
    trainer_deinit(&t);
    free(s);

    char version[64] = "?";
    double torch_sps = torch_samples_per_s(&cfg, batch, threads, steps, opt.dropout, version, sizeof version, err,
                                           sizeof err);
    if (torch_sps <= 0.0) {
        fprintf(stderr, "groove: bench --train: %s (C trainer: %.1f samples/s)\n", err, c_sps);
        return CMD_FAILED;
    }
    double ratio = c_sps / torch_sps;
    if (json) {
        printf("{\"model\": \"%s\", \"params\": %zu, \"batch\": %d, \"threads\": %d, \"steps\": %d, "
               "\"kernels\": \"%s\", \"torch_version\": \"%s\", \"train_samples_per_s\": %.2f, "
               "\"torch_train_samples_per_s\": %.2f, \"train_speedup_vs_torch\": %.3f}\n",
               path, n_params, batch, threads, steps, tk_kernel_name(), version, c_sps, torch_sps, ratio);
    } else {
        printf("training, %s: %zu parameters, batch %d, %d threads, %d timed steps\n", path, n_params, batch,
               threads, steps);
        printf("  C trainer (%s kernels)  %10.1f samples/s\n", tk_kernel_name(), c_sps);
        printf("  PyTorch %-14s %10.1f samples/s\n", version, torch_sps);
        printf("  train_speedup_vs_torch  %10.2fx\n", ratio);
    }
    return 0;
}
