/* train_run.h - a whole training run: the dataset file in, the best model out.
 *
 * train_run() loads the dataset, takes the train split for training and the validation split
 * for selection, and every epoch: steps through the shuffled train windows, validates at 0.5
 * and at per-voice thresholds calibrated on validation, appends a CSV row to the log, writes
 * the best model so far (with its thresholds) and a checkpoint (atomic) that a run with
 * resume set continues from exactly. train_calibrate_model() only fits thresholds for an
 * existing model on validation and writes it with them.
 *
 * Nothing here prints: what a person sees is the caller's (app/cli/cmd_train.c), told through
 * a Train_observer; errors come back as one line in err. Call from one thread (the Trainer
 * starts its own workers); the observer is called on that thread.
 */
#ifndef GROOVE_TRAIN_RUN_H
#define GROOVE_TRAIN_RUN_H

#include <stddef.h>

#include "metrics.h"
#include "train.h"

/* What a run is asked to do (plain data; paths are borrowed). */
typedef struct {
    const char *data_path;        /* the `groove dataset` file */
    const char *out_path;         /* the best model so far, with its thresholds */
    const char *checkpoint_path;  /* written every epoch */
    const char *log_path;         /* CSV, one row per epoch */
    int resume;                   /* continue from checkpoint_path (its options and shape win) */
    int limit, val_limit;         /* use only the first N train / validation windows (0: all) */
    int stop_after;               /* stop after N epochs of this invocation (0: at the end) */
    double cal_acc_weight;        /* thresholds maximise F1 + this x accuracy */
    int cal_closed_loop;          /* train_calibrate_model on a model with memory: the memory of
                                   * each window is the model's own part for the window before it
                                   * (as it plays), not the real drums */
    Train_options opt;
    Model_config cfg;             /* the shape to train */
    const Dataset *dataset;       /* borrowed; when not NULL it is the data instead of data_path's
                                   * file (data_path then only names it in messages) */
    const char *init_model;       /* a model file: start from its shape and weights (fine-tuning);
                                   * NULL: cfg with fresh weights */
    int grow_memory_groove;       /* with init_model of has_memory 1: grow it to has_memory 2
                                   * (model_params_grow_memory_groove) before training */
} Train_run_config;

/* Fills the defaults: data/gmd.gds, runs/model.gtm (+ .ckpt, .csv), the shipped recipe
 * (train_options_default) and the shipped shape (model_config_shipped: input kinds and memory),
 * accuracy weight 2. */
void train_run_config_default(Train_run_config *c);

/* Told once, when the run is ready to step. */
typedef struct {
    int n_train, n_val;        /* windows used */
    size_t n_params;
    int kinds;                 /* DATASET_BEATS / _FILLS / _BEATS_AND_FILLS */
    int batch, threads;
    const char *kernels;       /* the training kernels' name */
    int epoch, epochs;         /* epochs done (after a resume) and planned */
    float ema;                 /* the weight average's decay per step (0: none kept) */
} Train_run_start;

/* Told after every epoch: the means over the epoch and the validation numbers. */
typedef struct {
    int epoch, epochs;         /* epochs done now (1-based), planned */
    long step;                 /* optimizer steps taken */
    float lr_end;              /* learning rate of the epoch's last step */
    double loss, hit, vel, offset, kl;  /* per window (kl before beta) */
    double beta;               /* KL weight at the epoch's end */
    double grad_norm;          /* per step */
    Metrics at_half, at_cal;   /* validation at 0.5 and at the calibrated thresholds, with the
                                * genre fed as opt.val_genre says (the selection's setting) */
    Metrics at_other;          /* at thresholds calibrated for it, with the other genre setting */
    int other_labels;          /* at_other fed the genre labels (1) or none (0) */
    float thresholds[HVO_VOICES];
    double samples_per_s;      /* training only */
    double epoch_s;            /* training and validation */
    double eta_s;              /* to the planned end, at this invocation's pace */
    int improved;              /* the model file was rewritten with this epoch */
} Train_epoch_report;

/* How a run tells its caller what happens; any callback may be NULL. */
typedef struct {
    void (*start)(void *ctx, const Train_run_start *s);
    /* Within an epoch, about once a second: fraction of the epoch done, mean loss so far. */
    void (*progress)(void *ctx, int epoch, int epochs, double fraction, double loss, double samples_per_s);
    void (*epoch)(void *ctx, const Train_epoch_report *e);
    void *ctx;
} Train_observer;

/* How a run ended. */
typedef struct {
    int best_epoch;                    /* 1-based; 0 when no epoch improved */
    double best_score;                 /* validation F1 at calibrated thresholds */
    float best_thresholds[HVO_VOICES];
    int stopped_after;                 /* stop_after took effect after this many epochs, else 0 */
} Train_run_result;

/* Runs the training (see above). 0, or -1 with one line in err ("cannot write log 'x': ..."). */
int train_run(const Train_run_config *c, const Train_observer *obs, Train_run_result *res, char *err,
              size_t errlen);

/* What train_calibrate_model found on validation. */
typedef struct {
    int n_val;
    Metrics at_half, at_cal;
    int has_stored;            /* the model file carried thresholds: at_stored is filled */
    Metrics at_stored;
    float thresholds[HVO_VOICES];
} Train_calibration;

/* Fits per-voice thresholds for the model at model_path on the validation windows of c's
 * dataset (c->opt.kinds, c->val_limit, c->cal_acc_weight, c->opt.threads) and writes the model
 * with them to out_path. 0, or -1 with err. */
int train_calibrate_model(const Train_run_config *c, const char *model_path, const char *out_path,
                          Train_calibration *cal, char *err, size_t errlen);

#endif
