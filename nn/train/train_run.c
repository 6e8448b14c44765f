/* train_run.c - a whole training run: epochs, validation, CSV log, checkpoints, selection
 * (train_run.h). */
#include "train_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "model.h"
#include "model_file.h"
#include "optim.h"
#include "train_kernels.h"
#include "train_rng.h"
#include "xdg.h"

/* What a checkpoint carries beyond the trainer: selection state and the window limits. Its
 * bytes are stored as they are: keep the layout. */
typedef struct {
    double best_score;
    int best_epoch;
    int limit, val_limit;
    float best_thresholds[HVO_VOICES];
} Run_state;

/* Everything a run holds; run_close frees whatever was made. */
typedef struct {
    Train_run_config c;     /* a copy; a resume replaces opt, cfg and the limits */
    Dataset ds;
    int have_ds;
    Trainer t;
    int have_trainer;
    Run_state rs;
    int *train_idx, *val_idx;
    int n_train, n_val;
    Train_sample *batch, *val;
    Hvo *val_truth;
    float *val_out;         /* [n_val][32][27] raw model output */
    FILE *csv;
    Dataset_window *self_win;   /* [ds.count] the model's own parts of the train windows
                                 * (self_memory), refreshed every epoch; self_ok marks them */
    unsigned char *self_ok;
} Run;

/* The validation numbers of one pass. */
typedef struct {
    Metrics at_half, at_cal;
    float thresholds[HVO_VOICES];
} Val_result;

/* The window that played just before window i (the memory), a silent one, or NULL. */
static const Dataset_window *previous_window(const Dataset *ds, int i)
{
    static const Dataset_window silent;   /* zero pattern: 2 bars without a hit */
    int j = dataset_previous(ds, i);
    return j >= 0 ? &ds->windows[j] : j == DATASET_PREVIOUS_SILENT ? &silent : NULL;
}

void train_run_config_default(Train_run_config *c)
{
    memset(c, 0, sizeof *c);
    c->data_path = "data/gmd.gds";
    c->out_path = "runs/model.gtm";
    c->checkpoint_path = "runs/model.gtm.ckpt";
    c->log_path = "runs/model.gtm.csv";
    c->cal_acc_weight = 2.0;
    train_options_default(&c->opt);
    model_config_shipped(&c->cfg);
}

/* ---- set-up and clean-up ---- */

static void run_close(Run *r)
{
    if (r->csv)
        fclose(r->csv);
    if (r->have_trainer)
        trainer_deinit(&r->t);
    free(r->train_idx);
    free(r->val_idx);
    free(r->batch);
    free(r->val);
    free(r->val_truth);
    free(r->val_out);
    free(r->self_win);
    free(r->self_ok);
    if (r->have_ds)
        dataset_deinit(&r->ds);
    memset(r, 0, sizeof *r);
}

/* Loads the dataset (and with resume the checkpoint) and selects the train and validation
 * windows. 0, or -1 with err; run_close in both cases. */
static int run_open(Run *r, const Train_run_config *c, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->c = *c;
    r->rs = (Run_state){-1.0, 0, c->limit, c->val_limit, {0}};
    if (c->dataset) {
        r->ds = *c->dataset; /* borrowed: run_close leaves it to its owner */
    } else {
        if (dataset_load(&r->ds, c->data_path, err, errlen) != 0)
            return -1;
        r->have_ds = 1;
    }
    size_t n = (size_t)(r->ds.count ? r->ds.count : 1);
    r->train_idx = malloc(sizeof(int) * n);
    r->val_idx = malloc(sizeof(int) * n);
    if (!r->train_idx || !r->val_idx) {
        return error_set(err, errlen, "out of memory");
    }
    if (c->resume) {
        if (trainer_load_checkpoint(&r->t, c->checkpoint_path, &r->rs, sizeof r->rs, err, errlen) != 0)
            return -1;
        r->have_trainer = 1;
        r->c.opt = r->t.opt;
        r->c.cfg = r->t.cfg;
        r->c.limit = r->rs.limit;
        r->c.val_limit = r->rs.val_limit;
    }
    const Train_options *opt = &r->c.opt;
    r->n_train = dataset_select(&r->ds, DATASET_SPLIT_TRAIN, opt->kinds, r->train_idx);
    /* selection on the validation beats when training sees beats (the published metric) */
    int val_kinds = opt->kinds & DATASET_BEATS ? DATASET_BEATS : DATASET_FILLS;
    r->n_val = dataset_select(&r->ds, DATASET_SPLIT_VALIDATION, val_kinds, r->val_idx);
    if (r->c.limit > 0 && r->c.limit < r->n_train)
        r->n_train = r->c.limit;
    if (r->c.val_limit > 0 && r->c.val_limit < r->n_val)
        r->n_val = r->c.val_limit;
    if (r->n_train < 1 || r->n_val < 1) {
        error_set(err, errlen, "'%s' has %d train and %d validation windows of that kind", c->data_path, r->n_train,
                  r->n_val);
        return -1;
    }
    return 0;
}

/* Builds the validation samples, their truth and room for the model's output. 0 or -1. */
static int run_prepare_validation(Run *r, char *err, size_t errlen)
{
    r->val = malloc(sizeof *r->val * (size_t)r->n_val);
    r->val_truth = malloc(sizeof *r->val_truth * (size_t)r->n_val);
    r->val_out = malloc(sizeof(float) * HVO_STEPS * HVO_CHANNELS * (size_t)r->n_val);
    if (!r->val || !r->val_truth || !r->val_out) {
        return error_set(err, errlen, "out of memory");
    }
    for (int i = 0; i < r->n_val; i++) {
        const Dataset_window *w = &r->ds.windows[r->val_idx[i]];
        train_sample_from_window(&r->val[i], w, previous_window(&r->ds, r->val_idx[i]), &r->c.opt, 0, i, 0);
        r->val_truth[i] = w->pattern;
    }
    return 0;
}

/* Runs the model on validation and fills the metrics at 0.5 and at calibrated thresholds. */
static void run_validate(Run *r, Val_result *v);

/* The same with the other genre setting than opt.val_genre (labels <-> none), for the log. */
static void run_validate_other(Run *r, Val_result *v)
{
    int labels = !r->c.opt.val_genre;
    for (int i = 0; i < r->n_val; i++)
        r->val[i].genre = labels ? r->ds.windows[r->val_idx[i]].genre : -1;
    run_validate(r, v);
    for (int i = 0; i < r->n_val; i++)
        r->val[i].genre = labels ? -1 : r->ds.windows[r->val_idx[i]].genre;
}

/* Metrics of r->val_out at 0.5 and at thresholds calibrated on it. */
static void run_metrics(Run *r, Val_result *v)
{
    metrics_init(&v->at_half);
    metrics_init(&v->at_cal);
    train_metrics(&v->at_half, r->val_out, r->val_truth, r->n_val, NULL);
    train_calibrate_thresholds(r->val_out, r->val_truth, r->n_val, r->c.cal_acc_weight, v->thresholds);
    train_metrics(&v->at_cal, r->val_out, r->val_truth, r->n_val, v->thresholds);
}

/* The memory gate of the run's options on a model made from its weights. */
static void run_set_gate(const Run *r, Model *m)
{
    m->extras.has_memory_gate = r->c.opt.memory_gate > 0;
    m->extras.memory_gate = r->c.opt.memory_gate > 0 ? (float)r->c.opt.memory_gate : 0.0f;
}

/* The tensors written beside the weights: the thresholds, the keys thresholds when given (a
 * calibrated file's own: a new fit of the drums' does not replace them), and the memory gate
 * when on. extra has room for 3. */
static int run_extras(const Run *r, const float *thresholds, const float *keys_thresholds, Model_file_tensor *extra,
                      float *gate)
{
    int n = 0;
    extra[n++] = (Model_file_tensor){"thresholds", 1, HVO_VOICES, thresholds};
    if (keys_thresholds)
        extra[n++] = (Model_file_tensor){"thresholds_keys", 1, HVO_VOICES, keys_thresholds};
    if (r->c.opt.memory_gate > 0) {
        *gate = (float)r->c.opt.memory_gate;
        extra[n++] = (Model_file_tensor){"memory_gate", 1, 1, gate};
    }
    return n;
}

/* The validation outputs as the model plays: windows in performance order, each with the
 * model's own part (at thresholds, or 0.5) for the window 2 bars before as its memory; the
 * first windows of a performance (and any whose previous window is not validated) have none.
 * 0, or -1 with err. */
static int closed_loop_outputs(Run *r, const Model_config *cfg, const float *params, const float *thresholds,
                               char *err, size_t errlen)
{
    Model m;
    if (model_init_params(&m, cfg, params, NULL, err, errlen) != 0)
        return -1;
    run_set_gate(r, &m);
    int *pos = malloc(sizeof(int) * (size_t)(r->ds.count ? r->ds.count : 1));
    Hvo *gen = malloc(sizeof(Hvo) * (size_t)r->n_val);
    float *mu = malloc(sizeof(float) * (size_t)cfg->latent);
    if (!pos || !gen || !mu) {
        free(pos), free(gen), free(mu);
        model_deinit(&m);
        return error_set(err, errlen, "out of memory");
    }
    for (int i = 0; i < r->ds.count; i++)
        pos[i] = -1;
    for (int i = 0; i < r->n_val; i++)   /* validation windows are in dataset order */
        pos[r->val_idx[i]] = i;
    for (int i = 0; i < r->n_val; i++) {
        const Train_sample *s = &r->val[i];
        int prev = dataset_previous(&r->ds, r->val_idx[i]);
        Model_memory mem;
        int has = prev >= 0 && pos[prev] >= 0 && pos[prev] < i;
        if (has) {
            mem.part = gen[pos[prev]];
            mem.groove = r->ds.windows[prev].groove;
        }
        Hvo logits;
        model_encode(&m, &s->input, has ? &mem : NULL, mu, NULL);
        Model_condition cond = {s->genre, s->fill, 0, INPUT_KIND_DRUMS};
        model_decode(&m, mu, &cond, &logits);
        memcpy(r->val_out + (size_t)i * HVO_STEPS * HVO_CHANNELS, &logits.v[0][0], sizeof logits.v);
        metrics_hvo_from_output(&logits.v[0][0], thresholds, &gen[i]);
        for (int t = 0; t < HVO_STEPS; t++)   /* a part: velocity and offset only at hits */
            for (int v = 0; v < HVO_VOICES; v++)
                if (hvo_hit(&gen[i], t, v) < 0.5f)
                    hvo_set(&gen[i], t, v, 0, 0.0f, 0.0f);
    }
    free(pos);
    free(gen);
    free(mu);
    model_deinit(&m);
    return 0;
}

/* The model's own parts of every train window, each made with the part of the window before
 * it as memory (performance order, as it plays), at the best thresholds so far (0.5 before
 * any). 0, or -1 (memory: then self memory is skipped this epoch). */
static int refresh_self_memory(Run *r)
{
    char err[200];
    if (!r->self_win) {
        r->self_win = calloc((size_t)r->ds.count, sizeof *r->self_win);
        r->self_ok = calloc((size_t)r->ds.count, 1);
        if (!r->self_win || !r->self_ok)
            return -1;
    }
    Model m;
    if (model_init_params(&m, &r->t.cfg, r->t.params, NULL, err, sizeof err) != 0)
        return -1;
    run_set_gate(r, &m);
    float *mu = malloc(sizeof(float) * (size_t)r->t.cfg.latent);
    if (!mu) {
        model_deinit(&m);
        return -1;
    }
    const float *th = r->rs.best_epoch > 0 ? r->rs.best_thresholds : NULL;
    memset(r->self_ok, 0, (size_t)r->ds.count);
    for (int i = 0; i < r->n_train; i++) {   /* train_idx is in dataset order */
        int w = r->train_idx[i];
        const Dataset_window *dw = &r->ds.windows[w];
        int prev = dataset_previous(&r->ds, w);
        Model_memory mem;
        int has = prev >= 0 && r->self_ok[prev];
        if (has) {
            mem.part = r->self_win[prev].pattern;
            mem.groove = r->self_win[prev].groove;
        }
        Hvo input, logits;
        hvo_groove_to_input(&dw->groove, &input);
        model_encode(&m, &input, has ? &mem : NULL, mu, NULL);
        Model_condition cond = {-1, dw->is_fill ? 1 : 0, 0, INPUT_KIND_DRUMS};
        model_decode(&m, mu, &cond, &logits);
        Hvo *part = &r->self_win[w].pattern;
        metrics_hvo_from_output(&logits.v[0][0], th, part);
        for (int t = 0; t < HVO_STEPS; t++)
            for (int v = 0; v < HVO_VOICES; v++)
                if (hvo_hit(part, t, v) < 0.5f)
                    hvo_set(part, t, v, 0, 0.0f, 0.0f);
        r->self_ok[w] = 1;
    }
    free(mu);
    model_deinit(&m);
    return 0;
}

static void run_validate(Run *r, Val_result *v)
{
    if (r->c.opt.val_closed_loop && r->t.cfg.has_memory) {
        char err[200];
        const float *th = r->rs.best_epoch > 0 ? r->rs.best_thresholds : NULL;
        if (closed_loop_outputs(r, &r->t.cfg, r->t.params, th, err, sizeof err) == 0) {
            run_metrics(r, v);
            return;
        }
    }
    trainer_predict(&r->t, r->val, r->n_val, r->val_out);
    metrics_init(&v->at_half);
    metrics_init(&v->at_cal);
    train_metrics(&v->at_half, r->val_out, r->val_truth, r->n_val, NULL);
    train_calibrate_thresholds(r->val_out, r->val_truth, r->n_val, r->c.cal_acc_weight, v->thresholds);
    train_metrics(&v->at_cal, r->val_out, r->val_truth, r->n_val, v->thresholds);
}

/* ---- the CSV log ---- */

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

/* Opens the log for appending (after trimming it to the checkpoint's epochs on a resume) and
 * writes the header into a new one. 0 or -1 with err. */
static int csv_open(Run *r, char *err, size_t errlen)
{
    const char *path = r->c.log_path;
    if (r->c.resume)
        csv_trim(path, r->t.epoch);
    int new_csv = access(path, F_OK) != 0;
    r->csv = fopen(path, "a");
    if (!r->csv) {
        return error_set(err, errlen, "cannot write log '%s': %s", path, strerror(errno));
    }
    if (new_csv)
        fprintf(r->csv, "epoch,step,lr_end,loss,hit,vel,offset,kl,beta,grad_norm,val_acc,val_f1,val_acc_cal,"
                        "val_f1_cal,hits_pred_cal,hits_true,offset_std_pred,offset_std_true,vel_mse,offset_mse,"
                        "samples_per_s,epoch_s,other_style,other_acc_cal,other_f1_cal\n");
    fflush(r->csv);
    return 0;
}

/* Appends one epoch's row. */
static void csv_row(FILE *csv, const Train_epoch_report *e)
{
    const Metrics *h = &e->at_half, *m = &e->at_cal;
    fprintf(csv, "%d,%ld,%.6g,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f,%.4f,%.5f,%.5f,%.5f,%.5f,%.3f,%.3f,%.5f,%.5f,%.6f,%.6f,"
                 "%.1f,%.1f,%s,%.5f,%.5f\n",
            e->epoch, e->step, e->lr_end, e->loss, e->hit, e->vel, e->offset, e->kl, e->beta, e->grad_norm,
            metrics_hit_accuracy(h), metrics_f1(h, -1), metrics_hit_accuracy(m), metrics_f1(m, -1),
            metrics_hits_per_loop_pred(m), metrics_hits_per_loop_true(m), metrics_offset_std_pred(m),
            metrics_offset_std_true(m), metrics_vel_mse(m), metrics_offset_mse(m), e->samples_per_s, e->epoch_s,
            e->other_labels ? "labels" : "none", metrics_hit_accuracy(&e->at_other), metrics_f1(&e->at_other, -1));
    fflush(csv);
}

/* ---- the epochs ---- */

/* Steps once through the epoch's shuffled train windows; fills the loss means of e. 0, or -1
 * for memory. */
static int run_train_epoch(Run *r, long steps_per_epoch, const Train_observer *obs, Train_epoch_report *e)
{
    const Train_options *opt = &r->c.opt;
    int epoch = r->t.epoch;
    double t0 = clock_seconds(), last_told = t0;
    /* the epoch's order depends only on (seed, epoch): a resumed run sees the same */
    int *order = malloc(sizeof(int) * (size_t)r->n_train);
    if (!order)
        return -1;
    memcpy(order, r->train_idx, sizeof(int) * (size_t)r->n_train);
    train_shuffle(order, r->n_train, opt->seed, epoch);
    int self = opt->self_memory > 0.0f && r->t.cfg.has_memory && refresh_self_memory(r) == 0;
    Train_losses sum;
    memset(&sum, 0, sizeof sum);
    long seen = 0;
    for (long b = 0; b < steps_per_epoch; b++) {
        long lo = b * opt->batch;
        int n = (int)(r->n_train - lo < opt->batch ? r->n_train - lo : opt->batch);
        for (int i = 0; i < n; i++) {
            const Dataset_window *prev = previous_window(&r->ds, order[lo + i]);
            if (self) {   /* the model's own previous part instead of the drummer's */
                int j = dataset_previous(&r->ds, order[lo + i]);
                uint64_t st = seed_mix(seed_mix(opt->seed, (uint64_t)epoch + 1, (uint64_t)(lo + i) + 1), 12, 12);
                if (j >= 0 && r->self_ok[j] && rand_uniform(&st) < opt->self_memory)
                    prev = &r->self_win[j];
            }
            train_sample_from_window(&r->batch[i], &r->ds.windows[order[lo + i]], prev, opt, epoch, lo + i, 1);
        }
        Train_losses l;
        trainer_step(&r->t, r->batch, n, &l);
        sum.total += l.total * n;
        sum.hit += l.hit * n;
        sum.vel += l.vel * n;
        sum.offset += l.offset * n;
        sum.kl += l.kl * n;
        sum.grad_norm += l.grad_norm;
        sum.beta = l.beta;
        seen += n;
        double tn = clock_seconds();
        if (obs && obs->progress && tn - last_told > 1.0) {
            obs->progress(obs->ctx, epoch + 1, opt->epochs, (double)(b + 1) / (double)steps_per_epoch,
                          sum.total / (double)seen, (double)seen / (tn - t0));
            last_told = tn;
        }
    }
    free(order);
    double inv = 1.0 / (double)seen;
    e->loss = sum.total * inv;
    e->hit = sum.hit * inv;
    e->vel = sum.vel * inv;
    e->offset = sum.offset * inv;
    e->kl = sum.kl * inv;
    e->beta = sum.beta;
    e->grad_norm = sum.grad_norm / (double)steps_per_epoch;
    e->samples_per_s = (double)seen / (clock_seconds() - t0);
    return 0;
}

/* One epoch: train, validate, keep the model when it is the best so far, log, checkpoint.
 * 0, or -1 with err. */
static int run_epoch(Run *r, long steps_per_epoch, const Train_observer *obs, Train_epoch_report *e, char *err,
                     size_t errlen)
{
    const Train_options *opt = &r->c.opt;
    double t0 = clock_seconds();
    memset(e, 0, sizeof *e);
    if (run_train_epoch(r, steps_per_epoch, obs, e) != 0) {
        return error_set(err, errlen, "out of memory");
    }
    Val_result vr, vo;
    trainer_use_ema(&r->t, 1);   /* with --ema the average is what is validated and kept */
    run_validate(r, &vr);
    run_validate_other(r, &vo);
    e->at_other = vo.at_cal;
    e->other_labels = !opt->val_genre;
    r->t.epoch++;
    double score = metrics_f1(&vr.at_cal, -1);
    e->improved = score > r->rs.best_score;
    if (e->improved) {
        r->rs.best_score = score;
        r->rs.best_epoch = r->t.epoch;
        memcpy(r->rs.best_thresholds, vr.thresholds, sizeof vr.thresholds);
        Model_file_tensor extra[3];
        float gate;
        int n_extra = run_extras(r, vr.thresholds, NULL, extra, &gate);
        if (model_file_write(r->c.out_path, &r->t.cfg, r->t.params, extra, n_extra, err, errlen) != 0)
            return -1;
    }
    trainer_use_ema(&r->t, 0);
    e->epoch = r->t.epoch;
    e->epochs = opt->epochs;
    e->step = r->t.step;
    e->lr_end = optim_lr_at(r->t.step - 1, r->t.total_steps, (long)(opt->warmup * (double)r->t.total_steps), opt->lr,
                            opt->lr_min);
    e->at_half = vr.at_half;
    e->at_cal = vr.at_cal;
    memcpy(e->thresholds, vr.thresholds, sizeof vr.thresholds);
    e->epoch_s = clock_seconds() - t0;
    csv_row(r->csv, e);
    return trainer_save_checkpoint(&r->t, r->c.checkpoint_path, &r->rs, sizeof r->rs, err, errlen);
}

int train_run(const Train_run_config *c, const Train_observer *obs, Train_run_result *res, char *err,
              size_t errlen)
{
    memset(res, 0, sizeof *res);
    Run r;
    int rc = -1;
    if (run_open(&r, c, err, errlen) != 0)
        goto done;
    const Train_options *opt = &r.c.opt;
    long steps_per_epoch = (r.n_train + opt->batch - 1) / opt->batch;
    if (!r.have_trainer) {
        float *init = NULL;
        if (c->init_model) {
            Model_file_extras extras;
            char why[400];
            if (model_file_read(c->init_model, &r.c.cfg, &init, &extras, why, sizeof why) != 0) {
                error_set(err, errlen, "cannot load model '%s': %s", c->init_model, why);
                goto done;
            }
            if (r.c.opt.memory_gate < 0)   /* not told: the file's own gate */
                r.c.opt.memory_gate = extras.has_memory_gate ? (int)extras.memory_gate : 0;
            if (c->grow_memory_groove && r.c.cfg.has_memory == 1) {
                Model_config grown;
                Model_config from = r.c.cfg;
                from.has_memory = 2;   /* only for the size below */
                from.input_dim = MODEL_MEMORY_GROOVE_INPUT_DIM;
                float *wide = malloc(sizeof(float) * model_params_count(&from));
                if (!wide || model_params_grow_memory_groove(&r.c.cfg, init, &grown, wide) != 0) {
                    free(wide);
                    free(init);
                    error_set(err, errlen, "cannot grow the memory of model '%s'", c->init_model);
                    goto done;
                }
                free(init);
                init = wide;
                r.c.cfg = grown;
            }
        } else if (r.c.opt.memory_gate < 0) {
            r.c.opt.memory_gate = r.c.cfg.has_memory ? 1 : 0;   /* from scratch: the shipped recipe's */
        }
        if (trainer_init(&r.t, &r.c.cfg, opt, steps_per_epoch * opt->epochs, err, errlen) != 0) {
            free(init);
            goto done;
        }
        r.have_trainer = 1;
        if (init) {
            memcpy(r.t.params, init, r.t.n_params * sizeof(float));
            trainer_sync_params(&r.t);
            free(init);
        }
    }
    r.batch = malloc(sizeof *r.batch * (size_t)opt->batch);
    if (!r.batch) {
        error_set(err, errlen, "out of memory");
        goto done;
    }
    /* a fresh clone has no runs/: the folders of the outputs are made */
    if (xdg_make_parent_dirs(r.c.out_path, err, errlen) != 0 ||
        xdg_make_parent_dirs(r.c.checkpoint_path, err, errlen) != 0 ||
        (r.c.log_path && xdg_make_parent_dirs(r.c.log_path, err, errlen) != 0))
        goto done;
    if (run_prepare_validation(&r, err, errlen) != 0 || csv_open(&r, err, errlen) != 0)
        goto done;
    if (obs && obs->start) {
        Train_run_start s = {r.n_train, r.n_val,      r.t.n_params, opt->kinds, opt->batch,
                             opt->threads, tk_kernel_name(), r.t.epoch, opt->epochs, r.t.opt.ema};
        obs->start(obs->ctx, &s);
    }
    double run_start = clock_seconds();
    int epochs_this_run = 0;
    while (r.t.epoch < opt->epochs) {
        Train_epoch_report e;
        if (run_epoch(&r, steps_per_epoch, obs, &e, err, errlen) != 0)
            goto done;
        epochs_this_run++;
        e.eta_s = (clock_seconds() - run_start) / epochs_this_run * (opt->epochs - r.t.epoch);
        if (obs && obs->epoch)
            obs->epoch(obs->ctx, &e);
        if (r.c.stop_after > 0 && epochs_this_run >= r.c.stop_after && r.t.epoch < opt->epochs) {
            res->stopped_after = epochs_this_run;
            break;
        }
    }
    res->best_epoch = r.rs.best_epoch;
    res->best_score = r.rs.best_score;
    memcpy(res->best_thresholds, r.rs.best_thresholds, sizeof res->best_thresholds);
    rc = 0;
done:
    run_close(&r);
    return rc;
}

/* ---- thresholds only ---- */

int train_calibrate_model(const Train_run_config *c, const char *model_path, const char *out_path,
                          Train_calibration *cal, char *err, size_t errlen)
{
    memset(cal, 0, sizeof *cal);
    Run r;
    float *params = NULL;
    Model_config cfg;
    Model_file_extras extras;
    int rc = -1;
    if (run_open(&r, c, err, errlen) != 0)
        goto done;
    char why[400];
    if (model_file_read(model_path, &cfg, &params, &extras, why, sizeof why) != 0) {
        error_set(err, errlen, "cannot load model '%s': %s", model_path, why);
        goto done;
    }
    if (r.c.opt.memory_gate < 0)   /* not told: the file's own gate */
        r.c.opt.memory_gate = extras.has_memory_gate ? (int)extras.memory_gate : 0;
    if (xdg_make_parent_dirs(out_path, err, errlen) != 0 || run_prepare_validation(&r, err, errlen) != 0)
        goto done;
    if (r.have_trainer) { /* a resumed checkpoint's trainer: only its options were wanted */
        trainer_deinit(&r.t);
        r.have_trainer = 0;
    }
    Train_options opt = r.c.opt;
    opt.batch = 64;
    if (trainer_init(&r.t, &cfg, &opt, 1, err, errlen) != 0)
        goto done;
    r.have_trainer = 1;
    memcpy(r.t.params, params, r.t.n_params * sizeof(float));
    trainer_sync_params(&r.t);
    Val_result vr;
    if (c->cal_closed_loop && cfg.has_memory) {
        if (closed_loop_outputs(&r, &cfg, params, extras.has_thresholds ? extras.thresholds : NULL, err, errlen) != 0)
            goto done;
        run_metrics(&r, &vr);
    } else {
        run_validate(&r, &vr);
    }
    cal->n_val = r.n_val;
    cal->at_half = vr.at_half;
    cal->at_cal = vr.at_cal;
    memcpy(cal->thresholds, vr.thresholds, sizeof vr.thresholds);
    cal->has_stored = extras.has_thresholds;
    metrics_init(&cal->at_stored);
    if (extras.has_thresholds)
        train_metrics(&cal->at_stored, r.val_out, r.val_truth, r.n_val, extras.thresholds);
    Model_file_tensor extra[3];
    float gate;
    int n_extra = run_extras(&r, vr.thresholds, extras.has_thresholds_keys ? extras.thresholds_keys : NULL, extra, &gate);
    if (model_file_write(out_path, &cfg, r.t.params, extra, n_extra, err, errlen) != 0)
        goto done;
    rc = 0;
done:
    free(params);
    run_close(&r);
    return rc;
}
