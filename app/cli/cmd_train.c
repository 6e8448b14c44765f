/* cmd_train.c - `groove train`: train the Groove Transformer VAE in C on the dataset file.
 *
 * Train split for training, validation for selection. Every epoch: a live progress line,
 * validation at 0.5 and at per-voice thresholds calibrated on validation, a CSV row, the
 * best model so far written (with its thresholds) to --out, and a checkpoint (atomic) that
 * --resume continues from exactly.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dataset.h"
#include "metrics.h"
#include "model_file.h"
#include "optim.h"
#include "genre.h"
#include "train.h"
#include "train_kernels.h"

/* What a checkpoint carries beyond the trainer: selection state and paths. */
typedef struct {
    double best_score;
    int best_epoch;
    int limit, val_limit;
    float best_thresholds[HVO_VOICES];
} Run_state;

/* The validation numbers of one epoch. */
typedef struct {
    Metrics at_half, at_cal;
    float thresholds[HVO_VOICES];
} Val_result;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove train [--data FILE] [-o MODEL] [options]\n"
            "Trains the Groove Transformer VAE on the train split of a `groove dataset` file and\n"
            "keeps the epoch with the best validation score (F1 at calibrated thresholds).\n"
            "\n"
            "  --data FILE         dataset file (default data/gmd.gds)\n"
            "  -o, --out FILE      best model so far, with its thresholds (default runs/model.gtm)\n"
            "  --checkpoint FILE   checkpoint written every epoch (default OUT.ckpt)\n"
            "  --log FILE          CSV log, one row per epoch (default OUT.csv)\n"
            "  --resume            continue from the checkpoint exactly where it stopped\n"
            "  --kinds K           beats | fills | both (default beats)\n"
            "  --epochs N --batch N --threads N --seed N\n"
            "  --lr X --lr-min X --warmup FRAC --wd X --clip X\n"
            "  --dropout X --p X (weight of cells without a hit) --vel-weight X --offset-weight X\n"
            "  --reg-p X (weight of cells without a hit in the velocity/offset MSE; SPEC: = p)\n"
            "  --beta X --beta-ramp FRAC --mute-prob X --logvar-init X\n"
            "  --bar-swap X --groove-drop X   augmentation: swap the 2 bars / drop groove hits\n"
            "  --d N (encoder and decoder width) --enc-d N --dec-d N --heads N --ff N\n"
            "  --layers N --enc-layers N --dec-layers N --latent N\n"
            "  --limit N --val-limit N   use only the first N train / validation windows (tests)\n"
            "  --calibrate MODEL   no training: calibrate MODEL's per-voice thresholds on validation,\n"
            "                      print its validation metrics, write it with them to --out\n"
            "  --cal-acc-weight W  thresholds maximise F1 + W x accuracy (default 2; not in the checkpoint)\n"
            "  --stop-after N      stop after N epochs of this invocation (--resume goes on)\n"
            "  --quiet             no per-epoch lines (errors only)\n");
}

/* Parses a number option's value; returns 0 or -1. */
static int parse_num(const char *name, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "groove: train: %s wants a number in [%g, %g], got '%s'\n", name, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Weight of accuracy against F1 when fitting thresholds (--cal-acc-weight). */
static double cal_acc_weight = 2.0;

/* Runs the model on validation and fills the metrics at 0.5 and at calibrated thresholds. */
static void validate(Trainer *t, const Train_sample *val, const Hvo *truth, int n, float *out, Val_result *r)
{
    trainer_predict(t, val, n, out);
    metrics_init(&r->at_half);
    metrics_init(&r->at_cal);
    train_metrics(&r->at_half, out, truth, n, NULL);
    train_calibrate_thresholds(out, truth, n, cal_acc_weight, r->thresholds);
    train_metrics(&r->at_cal, out, truth, n, r->thresholds);
}

/* Keeps only the CSV rows of epochs <= last_epoch (after a resume). */
static void csv_trim(const char *path, int last_epoch)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *kept = NULL;
    size_t len = 0, cap = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        int ep;
        if (sscanf(line, "%d,", &ep) == 1 && ep > last_epoch)
            continue;
        size_t l = strlen(line);
        if (len + l + 1 > cap) {
            cap = (len + l + 1) * 2;
            char *nk = realloc(kept, cap);
            if (!nk) {
                free(kept);
                fclose(f);
                return;
            }
            kept = nk;
        }
        memcpy(kept + len, line, l);
        len += l;
    }
    fclose(f);
    f = fopen(path, "w");
    if (f) {
        if (len)
            fwrite(kept, 1, len, f);
        fclose(f);
    }
    free(kept);
}

/* Prints one line of validation metrics. */
static void print_metrics(const char *what, const Metrics *m)
{
    printf("  %-22s acc %.2f%%  P %.3f R %.3f F1 %.4f  hits/loop %.2f (true %.2f)  offset std %.4f (true %.4f)  "
           "vel MSE %.4f  offset MSE %.4f\n",
           what, 100.0 * metrics_hit_accuracy(m), metrics_precision(m, -1), metrics_recall(m, -1), metrics_f1(m, -1),
           metrics_hits_per_loop_pred(m), metrics_hits_per_loop_true(m), metrics_offset_std_pred(m),
           metrics_offset_std_true(m), metrics_vel_mse(m), metrics_offset_mse(m));
}

/* --calibrate: thresholds for an existing model from validation; frees the dataset and
 * the index arrays; returns the exit status. */
static int calibrate(Dataset *ds, int *val_idx, int n_val, const char *model_path, const char *out_path,
                     int threads, int *train_idx, const Train_options *base, int quiet)
{
    char err[512];
    Model_config cfg;
    float *params = NULL;
    Model_file_extras extras;
    int status = 1;
    Trainer t;
    int have = 0;
    Train_sample *val = malloc(sizeof *val * (size_t)n_val);
    Hvo *truth = malloc(sizeof *truth * (size_t)n_val);
    float *out = malloc(sizeof(float) * HVO_STEPS * HVO_CHANNELS * (size_t)n_val);
    if (!val || !truth || !out) {
        fprintf(stderr, "groove: train: out of memory\n");
        goto done;
    }
    if (model_file_read(model_path, &cfg, &params, &extras, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: cannot load model '%s': %s\n", model_path, err);
        goto done;
    }
    Train_options opt = *base;
    opt.threads = threads;
    opt.batch = 64;
    if (trainer_init(&t, &cfg, &opt, 1, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: %s\n", err);
        goto done;
    }
    have = 1;
    memcpy(t.params, params, t.n_params * sizeof(float));
    trainer_sync_params(&t);
    for (int i = 0; i < n_val; i++) {
        train_sample_from_window(&val[i], &ds->windows[val_idx[i]], &opt, 0, i, 0);
        truth[i] = ds->windows[val_idx[i]].pattern;
    }
    Val_result vr;
    validate(&t, val, truth, n_val, out, &vr);
    if (!quiet) {
        printf("%s on %d validation windows:\n", model_path, n_val);
        print_metrics("thresholds 0.5", &vr.at_half);
        if (extras.has_thresholds) {
            Metrics ms;
            metrics_init(&ms);
            train_metrics(&ms, out, truth, n_val, extras.thresholds);
            print_metrics("stored thresholds", &ms);
        }
        print_metrics("calibrated thresholds", &vr.at_cal);
        printf("  calibrated:");
        for (int v = 0; v < HVO_VOICES; v++)
            printf(" %s %.2f", voice_label(v), vr.thresholds[v]);
        printf("\n");
    }
    Model_file_tensor extra = {"thresholds", 1, HVO_VOICES, vr.thresholds};
    if (model_file_write(out_path, &cfg, t.params, &extra, 1, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: %s\n", err);
        goto done;
    }
    if (!quiet)
        printf("wrote %s with the calibrated thresholds\n", out_path);
    status = 0;
done:
    if (have)
        trainer_deinit(&t);
    free(params);
    free(val);
    free(truth);
    free(out);
    free(val_idx);
    free(train_idx);
    dataset_deinit(ds);
    return status;
}

int cmd_train(int argc, char **argv)
{
    const char *data_path = "data/gmd.gds", *out_path = "runs/model.gtm", *ckpt_arg = NULL, *log_arg = NULL;
    const char *calibrate_path = NULL, *out_arg = NULL;
    int resume = 0, quiet = 0, limit = 0, val_limit = 0, stop_after = 0;
    Train_options opt;
    train_options_default(&opt);
    /* the shipped model's shape (docs/training.md) */
    Model_config cfg = {HVO_CHANNELS, HVO_STEPS, HVO_CHANNELS, 128, 4, 128, 3, 128, 4, 128, 3, 128,
                        GENRE_COUNT, 1, MODEL_MUTE_GROUPS};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        double x;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--resume")) {
            resume = 1;
            continue;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!val) {
            fprintf(stderr, "groove: train: unknown option or missing value: '%s'\n", a);
            usage(stderr);
            return 2;
        }
        i++;
#define NUM(flag, lo, hi, dst)                                                                     \
    else if (!strcmp(a, flag)) {                                                                   \
        if (parse_num(flag, val, lo, hi, &x))                                                      \
            return 2;                                                                              \
        dst;                                                                                       \
    }
        if (!strcmp(a, "--data"))
            data_path = val;
        else if (!strcmp(a, "-o") || !strcmp(a, "--out"))
            out_path = out_arg = val;
        else if (!strcmp(a, "--checkpoint"))
            ckpt_arg = val;
        else if (!strcmp(a, "--log"))
            log_arg = val;
        else if (!strcmp(a, "--calibrate"))
            calibrate_path = val;
        else if (!strcmp(a, "--kinds")) {
            if (!strcmp(val, "beats"))
                opt.kinds = DATASET_BEATS;
            else if (!strcmp(val, "fills"))
                opt.kinds = DATASET_FILLS;
            else if (!strcmp(val, "both"))
                opt.kinds = DATASET_BEATS_AND_FILLS;
            else {
                fprintf(stderr, "groove: train: --kinds wants beats, fills or both, got '%s'\n", val);
                return 2;
            }
        }
        NUM("--epochs", 1, 100000, opt.epochs = (int)x)
        NUM("--batch", 1, 4096, opt.batch = (int)x)
        NUM("--threads", 1, 64, opt.threads = (int)x)
        NUM("--seed", 0, 4e18, opt.seed = (uint64_t)x)
        NUM("--lr", 0, 1, opt.lr = (float)x)
        NUM("--lr-min", 0, 1, opt.lr_min = (float)x)
        NUM("--warmup", 0, 1, opt.warmup = (float)x)
        NUM("--wd", 0, 10, opt.weight_decay = (float)x)
        NUM("--clip", 0, 1e6, opt.clip = (float)x)
        NUM("--dropout", 0, 0.9, opt.dropout = (float)x)
        NUM("--p", 0, 1, opt.hit_weight = (float)x)
        NUM("--vel-weight", 0, 100, opt.vel_weight = (float)x)
        NUM("--offset-weight", 0, 100, opt.offset_weight = (float)x)
        NUM("--beta", 0, 100, opt.beta = (float)x)
        NUM("--beta-ramp", 0, 1, opt.beta_ramp = (float)x)
        NUM("--mute-prob", 0, 1, opt.mute_prob = (float)x)
        NUM("--logvar-init", -20, 5, opt.logvar_init = (float)x)
        NUM("--reg-p", 0, 1, opt.reg_weight = (float)x)
        NUM("--bar-swap", 0, 1, opt.bar_swap = (float)x)
        NUM("--groove-drop", 0, 1, opt.groove_drop = (float)x)
        NUM("--d", 2, 4096, cfg.enc_d = cfg.dec_d = (int)x)
        NUM("--enc-d", 2, 4096, cfg.enc_d = (int)x)
        NUM("--dec-d", 2, 4096, cfg.dec_d = (int)x)
        NUM("--heads", 1, 64, cfg.enc_heads = cfg.dec_heads = (int)x)
        NUM("--ff", 1, 16384, cfg.enc_ff = cfg.dec_ff = (int)x)
        NUM("--layers", 0, MODEL_MAX_LAYERS, cfg.enc_layers = cfg.dec_layers = (int)x)
        NUM("--enc-layers", 0, MODEL_MAX_LAYERS, cfg.enc_layers = (int)x)
        NUM("--dec-layers", 0, MODEL_MAX_LAYERS, cfg.dec_layers = (int)x)
        NUM("--latent", 1, 4096, cfg.latent = (int)x)
        NUM("--limit", 0, 1e9, limit = (int)x)
        NUM("--val-limit", 0, 1e9, val_limit = (int)x)
        NUM("--stop-after", 0, 1e9, stop_after = (int)x)
        NUM("--cal-acc-weight", 0, 100, cal_acc_weight = x)
        else {
            fprintf(stderr, "groove: train: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
#undef NUM
    }
    char ckpt_path[4096], log_path[4096], err[512];
    snprintf(ckpt_path, sizeof ckpt_path, "%s", ckpt_arg ? ckpt_arg : "");
    if (!ckpt_arg)
        snprintf(ckpt_path, sizeof ckpt_path, "%s.ckpt", out_path);
    snprintf(log_path, sizeof log_path, "%s", log_arg ? log_arg : "");
    if (!log_arg)
        snprintf(log_path, sizeof log_path, "%s.csv", out_path);

    Dataset ds;
    if (dataset_load(&ds, data_path, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: %s\n", err);
        return 1;
    }
    int status = 1;
    Trainer t;
    int have_trainer = 0;
    Run_state rs = {-1.0, 0, limit, val_limit, {0}};
    int *train_idx = malloc(sizeof(int) * (size_t)(ds.count ? ds.count : 1));
    int *val_idx = malloc(sizeof(int) * (size_t)(ds.count ? ds.count : 1));
    Train_sample *batch = NULL, *val = NULL;
    Hvo *val_truth = NULL;
    float *val_out = NULL;
    FILE *csv = NULL;
    if (!train_idx || !val_idx)
        goto oom;

    if (resume) {
        if (trainer_load_checkpoint(&t, ckpt_path, &rs, sizeof rs, err, sizeof err) != 0) {
            fprintf(stderr, "groove: train: %s\n", err);
            goto done;
        }
        have_trainer = 1;
        opt = t.opt;
        cfg = t.cfg;
        limit = rs.limit;
        val_limit = rs.val_limit;
    }
    int n_train = dataset_select(&ds, DATASET_SPLIT_TRAIN, opt.kinds, train_idx);
    /* selection on the validation beats when training sees beats (the published metric) */
    int val_kinds = opt.kinds & DATASET_BEATS ? DATASET_BEATS : DATASET_FILLS;
    int n_val = dataset_select(&ds, DATASET_SPLIT_VALIDATION, val_kinds, val_idx);
    if (limit > 0 && limit < n_train)
        n_train = limit;
    if (val_limit > 0 && val_limit < n_val)
        n_val = val_limit;
    if (n_train < 1 || n_val < 1) {
        fprintf(stderr, "groove: train: '%s' has %d train and %d validation windows of that kind\n", data_path,
                n_train, n_val);
        goto done;
    }
    if (calibrate_path)
        return calibrate(&ds, val_idx, n_val, calibrate_path, out_arg ? out_path : calibrate_path, opt.threads,
                         train_idx, &opt, quiet);
    long steps_per_epoch = (n_train + opt.batch - 1) / opt.batch;
    if (!resume) {
        if (trainer_init(&t, &cfg, &opt, steps_per_epoch * opt.epochs, err, sizeof err) != 0) {
            fprintf(stderr, "groove: train: %s\n", err);
            goto done;
        }
        have_trainer = 1;
    }
    batch = malloc(sizeof *batch * (size_t)opt.batch);
    val = malloc(sizeof *val * (size_t)n_val);
    val_truth = malloc(sizeof *val_truth * (size_t)n_val);
    val_out = malloc(sizeof(float) * HVO_STEPS * HVO_CHANNELS * (size_t)n_val);
    if (!batch || !val || !val_truth || !val_out)
        goto oom;
    for (int i = 0; i < n_val; i++) {
        const Dataset_window *w = &ds.windows[val_idx[i]];
        train_sample_from_window(&val[i], w, &opt, 0, i, 0);
        val_truth[i] = w->pattern;
    }
    if (resume)
        csv_trim(log_path, t.epoch);
    int new_csv = access(log_path, F_OK) != 0;
    csv = fopen(log_path, "a");
    if (!csv) {
        fprintf(stderr, "groove: train: cannot write log '%s': %s\n", log_path, strerror(errno));
        goto done;
    }
    if (new_csv)
        fprintf(csv, "epoch,step,lr_end,loss,hit,vel,offset,kl,beta,grad_norm,val_acc,val_f1,val_acc_cal,"
                     "val_f1_cal,hits_pred_cal,hits_true,offset_std_pred,offset_std_true,vel_mse,offset_mse,"
                     "samples_per_s,epoch_s\n");
    fflush(csv);
    if (!quiet) {
        printf("train: %d windows (%s), validation %d, %zu parameters, batch %d, %d threads, kernels %s, "
               "epoch %d of %d\n",
               n_train, opt.kinds == DATASET_BEATS ? "beats" : opt.kinds == DATASET_FILLS ? "fills" : "beats+fills",
               n_val, t.n_params, opt.batch, opt.threads, tk_kernel_name(), t.epoch, opt.epochs);
        fflush(stdout);
    }
    int tty = isatty(STDERR_FILENO);
    double run_start = now_s();
    int epochs_this_run = 0;
    while (t.epoch < opt.epochs) {
        int epoch = t.epoch;
        double t0 = now_s(), last_print = t0;
        /* the epoch's order depends only on (seed, epoch): a resumed run sees the same */
        int *order = malloc(sizeof(int) * (size_t)n_train);
        if (!order)
            goto oom;
        memcpy(order, train_idx, sizeof(int) * (size_t)n_train);
        train_shuffle(order, n_train, opt.seed, epoch);
        Train_losses sum;
        memset(&sum, 0, sizeof sum);
        long seen = 0;
        for (long b = 0; b < steps_per_epoch; b++) {
            long lo = b * opt.batch;
            int n = (int)(n_train - lo < opt.batch ? n_train - lo : opt.batch);
            for (int i = 0; i < n; i++)
                train_sample_from_window(&batch[i], &ds.windows[order[lo + i]], &opt, epoch, lo + i, 1);
            Train_losses l;
            trainer_step(&t, batch, n, &l);
            sum.total += l.total * n;
            sum.hit += l.hit * n;
            sum.vel += l.vel * n;
            sum.offset += l.offset * n;
            sum.kl += l.kl * n;
            sum.grad_norm += l.grad_norm;
            sum.beta = l.beta;
            seen += n;
            double tn = now_s();
            if (!quiet && tty && tn - last_print > 1.0) {
                fprintf(stderr, "\r  epoch %d/%d  %5.1f%%  loss %.4f  %.0f samples/s   ", epoch + 1, opt.epochs,
                        100.0 * (double)(b + 1) / (double)steps_per_epoch, sum.total / (double)seen,
                        (double)seen / (tn - t0));
                last_print = tn;
            }
        }
        free(order);
        double train_s = now_s() - t0;
        Val_result vr;
        validate(&t, val, val_truth, n_val, val_out, &vr);
        t.epoch++;
        epochs_this_run++;
        double score = metrics_f1(&vr.at_cal, -1);
        int improved = score > rs.best_score;
        if (improved) {
            rs.best_score = score;
            rs.best_epoch = t.epoch;
            memcpy(rs.best_thresholds, vr.thresholds, sizeof vr.thresholds);
            Model_file_tensor extra = {"thresholds", 1, HVO_VOICES, vr.thresholds};
            if (model_file_write(out_path, &t.cfg, t.params, &extra, 1, err, sizeof err) != 0) {
                fprintf(stderr, "groove: train: %s\n", err);
                goto done;
            }
        }
        double sps = (double)seen / train_s, epoch_s = now_s() - t0;
        float lr_end = 0.0f;
        lr_end = optim_lr_at(t.step - 1, t.total_steps, (long)(opt.warmup * (double)t.total_steps), opt.lr,
                             opt.lr_min);
        double inv = 1.0 / (double)seen;
        fprintf(csv, "%d,%ld,%.6g,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f,%.4f,%.5f,%.5f,%.5f,%.5f,%.3f,%.3f,%.5f,%.5f,%.6f,%.6f,"
                     "%.1f,%.1f\n",
                t.epoch, t.step, lr_end, sum.total * inv, sum.hit * inv, sum.vel * inv, sum.offset * inv,
                sum.kl * inv, sum.beta, sum.grad_norm / (double)steps_per_epoch, metrics_hit_accuracy(&vr.at_half),
                metrics_f1(&vr.at_half, -1), metrics_hit_accuracy(&vr.at_cal), metrics_f1(&vr.at_cal, -1),
                metrics_hits_per_loop_pred(&vr.at_cal), metrics_hits_per_loop_true(&vr.at_cal),
                metrics_offset_std_pred(&vr.at_cal), metrics_offset_std_true(&vr.at_cal), metrics_vel_mse(&vr.at_cal),
                metrics_offset_mse(&vr.at_cal), sps, epoch_s);
        fflush(csv);
        if (trainer_save_checkpoint(&t, ckpt_path, &rs, sizeof rs, err, sizeof err) != 0) {
            fprintf(stderr, "groove: train: %s\n", err);
            goto done;
        }
        if (!quiet) {
            double per_epoch = (now_s() - run_start) / epochs_this_run;
            double eta = per_epoch * (opt.epochs - t.epoch);
            if (tty)
                fprintf(stderr, "\r%70s\r", "");
            printf("epoch %3d/%d  loss %.4f (hit %.4f vel %.4f off %.4f kl %.2f b %.3f)  val acc %.2f%% F1 %.3f | "
                   "cal acc %.2f%% F1 %.3f hits %.1f/%.1f ostd %.3f/%.3f  %.0f samples/s  ETA %dm%02ds%s\n",
                   t.epoch, opt.epochs, sum.total * inv, sum.hit * inv, sum.vel * inv, sum.offset * inv,
                   sum.kl * inv, sum.beta, 100.0 * metrics_hit_accuracy(&vr.at_half), metrics_f1(&vr.at_half, -1),
                   100.0 * metrics_hit_accuracy(&vr.at_cal), metrics_f1(&vr.at_cal, -1),
                   metrics_hits_per_loop_pred(&vr.at_cal), metrics_hits_per_loop_true(&vr.at_cal),
                   metrics_offset_std_pred(&vr.at_cal), metrics_offset_std_true(&vr.at_cal), sps, (int)(eta / 60),
                   (int)fmod(eta, 60.0), improved ? "  *best" : "");
            fflush(stdout);
        }
        if (stop_after > 0 && epochs_this_run >= stop_after && t.epoch < opt.epochs) {
            if (!quiet)
                printf("stopped after %d epochs; --resume continues from %s\n", epochs_this_run, ckpt_path);
            status = 0;
            goto done;
        }
    }
    if (!quiet)
        printf("best epoch %d: validation F1 %.4f at thresholds %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f -> %s\n",
               rs.best_epoch, rs.best_score, rs.best_thresholds[0], rs.best_thresholds[1], rs.best_thresholds[2],
               rs.best_thresholds[3], rs.best_thresholds[4], rs.best_thresholds[5], rs.best_thresholds[6],
               rs.best_thresholds[7], rs.best_thresholds[8], out_path);
    status = 0;
    goto done;
oom:
    fprintf(stderr, "groove: train: out of memory\n");
done:
    if (csv)
        fclose(csv);
    if (have_trainer)
        trainer_deinit(&t);
    free(train_idx);
    free(val_idx);
    free(batch);
    free(val);
    free(val_truth);
    free(val_out);
    dataset_deinit(&ds);
    return status;
}
