/* test_train_run.c - a whole training run (nn/train/train_run.h) on a small dataset file.
 *
 * A tiny run writes the model, a CSV row per epoch and a checkpoint, and tells its observer
 * once at the start and once per epoch; --calibrate's path (train_calibrate_model) fits and
 * stores thresholds, also when the config says resume (it used to return past the clean-up
 * there: the ASan build's leak check holds that); a missing model is an error line; the
 * default training shape is the shipped model's (nn/models/default.gtm).
 */
#include "check.h"
#include "model.h"
#include "model_file.h"
#include "train_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned rng_state = 4242u;

static float frand01(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 16777216.0f;
}

/* Writes a dataset of n_train train and n_val validation beat windows to path. */
static int write_dataset(const char *path, int n_train, int n_val)
{
    Dataset d;
    memset(&d, 0, sizeof d);
    d.count = n_train + n_val;
    d.windows = calloc((size_t)d.count, sizeof *d.windows);
    char *file = "drummer1/session1/1_rock_100_beat_4-4.mid";
    d.files = &file;
    d.n_files = 1;
    if (!d.windows)
        return -1;
    for (int i = 0; i < d.count; i++) {
        Dataset_window *w = &d.windows[i];
        hvo_clear(&w->pattern);
        for (int s = 0; s < HVO_STEPS; s++) {
            if (s % 4 == 0)
                hvo_set(&w->pattern, s, VOICE_KICK, 1, 0.5f + 0.5f * frand01(), 0.2f * frand01() - 0.1f);
            if (s % 2 == 0)
                hvo_set(&w->pattern, s, VOICE_CLOSED_HAT, 1, 0.3f + 0.5f * frand01(), 0.0f);
            if (s % 8 == 4 && frand01() < 0.8f)
                hvo_set(&w->pattern, s, VOICE_SNARE, 1, 0.8f, 0.0f);
        }
        hvo_flatten(&w->pattern, &w->groove);
        w->bpm = 100.0f;
        w->bar = (uint16_t)i;
        w->drummer = 1;
        w->split = i < n_train ? DATASET_SPLIT_TRAIN : DATASET_SPLIT_VALIDATION;
        w->genre = 0;
    }
    char err[256];
    int rc = dataset_save(&d, path, err, sizeof err);
    if (rc != 0)
        printf("dataset_save: %s\n", err);
    free(d.windows);
    return rc;
}

typedef struct {
    int starts, epochs, last_epoch;
    double last_loss;
} Told;

static void on_start(void *ctx, const Train_run_start *s)
{
    Told *t = ctx;
    t->starts++;
    (void)s;
}

static void on_epoch(void *ctx, const Train_epoch_report *e)
{
    Told *t = ctx;
    t->epochs++;
    t->last_epoch = e->epoch;
    t->last_loss = e->loss;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static void tiny(Train_run_config *c, const char *dir, char paths[4][512])
{
    train_run_config_default(c);
    snprintf(paths[0], 512, "%s/set.gds", dir);
    snprintf(paths[1], 512, "%s/m.gtm", dir);
    snprintf(paths[2], 512, "%s/m.gtm.ckpt", dir);
    snprintf(paths[3], 512, "%s/m.gtm.csv", dir);
    c->data_path = paths[0];
    c->out_path = paths[1];
    c->checkpoint_path = paths[2];
    c->log_path = paths[3];
    c->cfg.enc_d = c->cfg.dec_d = 16;
    c->cfg.enc_heads = c->cfg.dec_heads = 2;
    c->cfg.enc_ff = c->cfg.dec_ff = 32;
    c->cfg.enc_layers = c->cfg.dec_layers = 1;
    c->cfg.latent = 8;
    c->opt.epochs = 2;
    c->opt.batch = 16;
    c->opt.threads = 2;
    c->opt.seed = 3;
}

int main(void)
{
    char dir[] = "/tmp/groove-train-run.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    Train_run_config c;
    char paths[4][512];
    tiny(&c, dir, paths);
    CHECK(write_dataset(paths[0], 48, 16) == 0, "a small dataset file is written");

    Told told = {0, 0, 0, 0.0};
    Train_observer obs = {on_start, NULL, on_epoch, &told};
    Train_run_result res;
    char err[512] = "";
    CHECK(train_run(&c, &obs, &res, err, sizeof err) == 0, "a tiny run finishes (%s)", err);
    CHECK(told.starts == 1 && told.epochs == 2 && told.last_epoch == 2, "the observer hears the start and 2 epochs");
    CHECK(told.last_loss > 0.0 && res.best_epoch >= 1 && res.best_epoch <= 2 && res.stopped_after == 0,
          "the result names a best epoch (%d)", res.best_epoch);
    CHECK(access(paths[1], F_OK) == 0 && access(paths[2], F_OK) == 0, "it writes the model and the checkpoint");
    CHECK(count_lines(paths[3]) == 3, "the CSV log has a header and one row per epoch");

    Model_config got;
    float *params = NULL;
    Model_file_extras extras;
    CHECK(model_file_read(paths[1], &got, &params, &extras, err, sizeof err) == 0 && extras.has_thresholds &&
              got.enc_d == 16 && got.latent == 8,
          "the model file has the run's shape and thresholds");
    free(params);

    /* --calibrate with resume set: the checkpoint's trainer is made and must be freed. */
    char cal_out[600];
    snprintf(cal_out, sizeof cal_out, "%s/cal.gtm", dir);
    Train_calibration cal;
    c.resume = 1;
    CHECK(train_calibrate_model(&c, paths[1], cal_out, &cal, err, sizeof err) == 0, "calibrate with resume works (%s)",
          err);
    CHECK(cal.n_val == 16 && cal.has_stored, "it calibrates on the 16 validation windows, stored thresholds read");
    int in_range = 1;
    for (int v = 0; v < HVO_VOICES; v++)
        in_range &= cal.thresholds[v] >= 0.05f && cal.thresholds[v] <= 0.95f;
    CHECK(in_range && access(cal_out, F_OK) == 0, "it writes the model with thresholds in 0.05..0.95");
    c.resume = 0;
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.gtm", dir);
    CHECK(train_calibrate_model(&c, missing, cal_out, &cal, err, sizeof err) != 0 && strstr(err, "cannot load model"),
          "a missing model is an error line (%s)", err);

    /* stop_after: the run stops and says so; resume finishes it. */
    c.stop_after = 1;
    snprintf(paths[1], 512, "%s/s.gtm", dir);
    snprintf(paths[2], 512, "%s/s.gtm.ckpt", dir);
    snprintf(paths[3], 512, "%s/s.gtm.csv", dir);
    CHECK(train_run(&c, NULL, &res, err, sizeof err) == 0 && res.stopped_after == 1, "stop_after 1 stops after 1 epoch");
    c.resume = 1;
    c.stop_after = 0;
    CHECK(train_run(&c, NULL, &res, err, sizeof err) == 0 && res.stopped_after == 0 && count_lines(paths[3]) == 3,
          "resume finishes the run");

    /* Issue 13: the model's own previous parts as memory (self_memory) and validation as it
     * plays (val_closed_loop) keep a resumed run equal to an unbroken one, byte for byte. */
    {
        Train_run_config a = c, b = c;
        char pa[4][512], pb[4][512];
        for (int k = 0; k < 4; k++) {
            snprintf(pa[k], 512, "%s/sa%d", dir, k);
            snprintf(pb[k], 512, "%s/sb%d", dir, k);
        }
        a.out_path = pa[1], a.checkpoint_path = pa[2], a.log_path = pa[3];
        b.out_path = pb[1], b.checkpoint_path = pb[2], b.log_path = pb[3];
        a.resume = b.resume = 0;
        a.stop_after = b.stop_after = 0;
        a.opt.self_memory = b.opt.self_memory = 0.7f;
        a.opt.val_closed_loop = b.opt.val_closed_loop = 1;
        a.opt.epochs = b.opt.epochs = 3;
        err[0] = 0;
        CHECK(train_run(&a, NULL, &res, err, sizeof err) == 0, "a run with self memory and closed-loop validation (%s)",
              err);
        b.stop_after = 1;
        int first = train_run(&b, NULL, &res, err, sizeof err);
        b.stop_after = 0;
        b.resume = 1;
        int second = train_run(&b, NULL, &res, err, sizeof err);
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", pa[1], pb[1]);
        CHECK(first == 0 && second == 0 && system(cmd) == 0, "stopped after 1 and resumed, it equals the unbroken run");
        Train_calibration tf, cl;
        Train_run_config k = c;
        k.resume = 0;
        char o1[600], o2[600];
        snprintf(o1, sizeof o1, "%s/tf.gtm", dir);
        snprintf(o2, sizeof o2, "%s/cl.gtm", dir);
        int r1 = train_calibrate_model(&k, pa[1], o1, &tf, err, sizeof err);
        k.cal_closed_loop = 1;
        int r2 = train_calibrate_model(&k, pa[1], o2, &cl, err, sizeof err);
        CHECK(r1 == 0 && r2 == 0 && cl.n_val == tf.n_val &&
                  metrics_vel_mse(&cl.at_half) != metrics_vel_mse(&tf.at_half),
              "closed-loop calibration sees other outputs than the real drums as memory give (vel MSE %.4f vs %.4f)",
              metrics_vel_mse(&cl.at_half), metrics_vel_mse(&tf.at_half));
    }

    Model_config shipped, file_cfg;
    model_config_shipped(&shipped);
    params = NULL;
    err[0] = 0;
    CHECK(model_file_read("nn/models/default.gtm", &file_cfg, &params, &extras, err, sizeof err) == 0,
          "the shipped model reads (%s)", err);
    CHECK(!memcmp(&shipped, &file_cfg, sizeof shipped), "model_config_shipped is the shape of nn/models/default.gtm");
    free(params);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return check_summary();
}
