/* cmd_train.c - `groove train`: the command line of a training run (nn/train/train_run.h).
 *
 * Reads argv into a Train_run_config and prints what the run tells: a live progress line on a
 * terminal, one line per epoch, the best epoch at the end; --calibrate prints the validation
 * metrics of an existing model at 0.5, at its stored and at calibrated thresholds; --from
 * MODEL --midi DIR fine-tunes a model on a folder of MIDI files (nn/train/dataset_midi.h).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dataset_midi.h"
#include "keys_eval.h"
#include "model.h"
#include "options.h"
#include "train_run.h"

/* The short schedule of --from (fine-tuning) unless --epochs / --lr say otherwise. */
#define FINETUNE_EPOCHS 4
#define FINETUNE_LR 2e-4f

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove train [--data FILE] [-o MODEL] [options]\n"
            "       groove train --from MODEL --midi DIR -o OUT.gtm [--epochs N] [options]\n"
            "Trains the Groove Transformer VAE on the train split of a `groove dataset` file and\n"
            "keeps the epoch with the best validation score (F1 at calibrated thresholds).\n"
            "\n"
            "  --from MODEL        start from MODEL's shape and weights (fine-tuning): a short schedule\n"
            "                      (%d epochs, peak learning rate %g, no KL ramp, no weight average)\n"
            "                      unless told otherwise\n"
            "  --midi DIR          train on a folder of your drum or multi-track MIDI files instead of\n"
            "                      the dataset: their drum parts (channel 10, or drum-only files), 2-bar\n"
            "                      4/4 windows, split by file 90/10; the thresholds are calibrated on\n"
            "                      the 10 %%; one 'groove:' line per file that cannot be used\n"
            "  --data FILE         dataset file (default data/gmd.gds)\n"
            "  -o, --out FILE      best model so far, with its thresholds (default runs/model.gtm)\n"
            "  --checkpoint FILE   checkpoint written every epoch (default OUT.ckpt)\n"
            "  --log FILE          CSV log, one row per epoch (default OUT.csv)\n"
            "  --resume            continue from the checkpoint exactly where it stopped, with its\n"
            "                      options (others given are not used)\n"
            "  --kinds K           beats | fills | both (default beats)\n"
            "  --epochs N --batch N --threads N --seed N\n"
            "  --lr X --lr-min X --warmup FRAC --wd X --clip X\n"
            "  --dropout X --p X (weight of cells without a hit) --vel-weight X --offset-weight X\n"
            "  --reg-p X (weight of cells without a hit in the velocity/offset MSE; SPEC: = p)\n"
            "  --beta X --beta-ramp FRAC --mute-prob X --logvar-init X\n"
            "  --bar-swap X --groove-drop X   augmentation: swap the 2 bars / drop groove hits\n"
            "  --genre-drop X      share of training windows without their genre (default 0.5)\n"
            "  --keys X --taps X   share of windows whose input is re-derived as a keyboard part /\n"
            "                      taps, with that input kind (defaults 0.1, 0.05)\n"
            "  --memory 0|1|2      the model sees the previous 2 bars: 1 the part that played, 2 also\n"
            "                      the groove it was made from (default 2); with --from, 2 grows a\n"
            "                      model of memory 1 (its new input weights start at 0)\n"
            "  --memory-drop X     share of windows trained without memory (default 0.2)\n"
            "  --memory-noise X    memory hits left out, each with this probability (default 0.1)\n"
            "  --memory-errors X   memory hits moved, each with this probability, and half as many\n"
            "                      added: the memory looks like the model's own output (default 0)\n"
            "  --input-kinds 0|1   input-kind condition (drums/keys/taps; default 1)\n"
            "  --val-style S       validation and selection feed the genre: none | labels (default none)\n"
            "  --self-memory X     share of windows whose memory is the model's own part for the window\n"
            "                      before (made every epoch, as it plays), not the drummer's (default 0)\n"
            "  --val-closed-loop   validate, select and fit thresholds as the model plays: each window's\n"
            "                      memory is the model's own part for the window before\n"
            "  --memory-gate G     give the memory only while the groove is within G-1 steps of the one\n"
            "                      it was made from (0 off), in training and validation, and store G in\n"
            "                      the model file (also with --calibrate); default: --from's or\n"
            "                      --calibrate's model file's own, from scratch 1\n"
            "  --ema D             validate, select and write the moving average of the weights\n"
            "                      (decay D per step, bias-corrected; 0 off; default 0.999, with\n"
            "                      --from 0)\n",
            FINETUNE_EPOCHS, (double)FINETUNE_LR);
    fputs("  --d N (encoder and decoder width) --enc-d N --dec-d N --heads N --ff N\n"
            "  --layers N --enc-layers N --dec-layers N --latent N\n"
            "  --limit N --val-limit N   use only the first N train / validation windows (tests)\n"
            "  --calibrate MODEL   no training: calibrate MODEL's per-voice thresholds on validation,\n"
            "                      print its validation metrics, write it with them to -o OUT, or\n"
            "                      over MODEL itself (atomically) when no -o is given\n"
            "  --cal-acc-weight W  thresholds maximise F1 + W x accuracy (default 2; not in the checkpoint)\n"
            "  --keys-set DIR      with --calibrate: instead, fit MODEL's thresholds for a keyboard part\n"
            "                      on the multi-track songs in DIR (as eval --midi reads them): one\n"
            "                      shift of its drums' thresholds, the best keys F1; the rest of MODEL\n"
            "                      is kept (--memory-gate G sets its gate too)\n"
            "  --cal-closed-loop   --calibrate a model with memory as it plays: each window's memory is\n"
            "                      the model's own part for the window before (else the real drums)\n"
            "  --stop-after N      stop after N epochs of this invocation (--resume goes on)\n"
            "  --quiet             no per-epoch lines (errors only)\n",
          out);
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

/* ---- what the run tells, printed ---- */

static void on_start(void *ctx, const Train_run_start *s)
{
    (void)ctx;
    char avg[48] = "";
    if (s->ema > 0.0f)
        snprintf(avg, sizeof avg, ", weight average %g", s->ema);
    printf("train: %d windows (%s), validation %d, %zu parameters, batch %d, %d threads, kernels %s%s, "
           "epoch %d of %d\n",
           s->n_train, s->kinds == DATASET_BEATS ? "beats" : s->kinds == DATASET_FILLS ? "fills" : "beats+fills",
           s->n_val, s->n_params, s->batch, s->threads, s->kernels, avg, s->epoch, s->epochs);
    fflush(stdout);
}

static void on_progress(void *ctx, int epoch, int epochs, double fraction, double loss, double samples_per_s)
{
    (void)ctx;
    char bar[21];
    int full = (int)(fraction * 20.0 + 0.5);
    for (int i = 0; i < 20; i++)
        bar[i] = i < full ? '#' : '-';
    bar[20] = '\0';
    fprintf(stderr, "\r  epoch %d/%d [%s] %5.1f%%  loss %.4f  %.0f samples/s   ", epoch, epochs, bar, 100.0 * fraction,
            loss, samples_per_s);
}

static void on_epoch(void *ctx, const Train_epoch_report *e)
{
    int tty = *(const int *)ctx;
    const Metrics *h = &e->at_half, *m = &e->at_cal;
    if (tty)
        fprintf(stderr, "\r%92s\r", "");
    printf("epoch %3d/%d  loss %.4f (hit %.4f vel %.4f off %.4f kl %.2f b %.3f)  val acc %.2f%% F1 %.3f | "
           "cal acc %.2f%% F1 %.3f hits %.1f/%.1f ostd %.3f/%.3f | %s cal acc %.2f%% F1 %.3f  %.0f samples/s  "
           "ETA %dm%02ds%s\n",
           e->epoch, e->epochs, e->loss, e->hit, e->vel, e->offset, e->kl, e->beta, 100.0 * metrics_hit_accuracy(h),
           metrics_f1(h, -1), 100.0 * metrics_hit_accuracy(m), metrics_f1(m, -1), metrics_hits_per_loop_pred(m),
           metrics_hits_per_loop_true(m), metrics_offset_std_pred(m), metrics_offset_std_true(m),
           e->other_labels ? "labels" : "none", 100.0 * metrics_hit_accuracy(&e->at_other), metrics_f1(&e->at_other, -1),
           e->samples_per_s,
           (int)(e->eta_s / 60), (int)fmod(e->eta_s, 60.0), e->improved ? "  *best" : "");
    fflush(stdout);
}

/* ---- argv to options ---- */

/* What the command line asks beyond the run's config. */
typedef struct {
    const char *calibrate;   /* --calibrate MODEL, or NULL */
    const char *midi_dir;    /* --midi DIR, or NULL */
    const char *keys_set;    /* --keys-set DIR (with --calibrate), or NULL */
    int epochs_given, lr_given, ema_given;
    int out_given;           /* -o was given (--calibrate writes in place otherwise) */
    int quiet;
    char checkpoint[4096], log[4096];
} Train_args;

/* Reads one numeric option into the config. OPTIONS_OK or OPTIONS_USAGE (said). */
static int parse_number(int c, const char *v, Train_run_config *rc)
{
    Train_options *o = &rc->opt;
    Model_config *m = &rc->cfg;
    double seed;
    int rcode;
    switch (c) {
    case 'E': return options_int("--epochs", v, 1, 100000, &o->epochs);
    case 'B': return options_int("--batch", v, 1, 4096, &o->batch);
    case 'T': return options_int("--threads", v, 1, 64, &o->threads);
    case 'S':
        rcode = options_double("--seed", v, 0, 4e18, &seed);
        o->seed = (uint64_t)seed;
        return rcode;
    case 'l': return options_float("--lr", v, 0, 1, &o->lr);
    case 'L': return options_float("--lr-min", v, 0, 1, &o->lr_min);
    case 'W': return options_float("--warmup", v, 0, 1, &o->warmup);
    case 'w': return options_float("--wd", v, 0, 10, &o->weight_decay);
    case 'c': return options_float("--clip", v, 0, 1e6, &o->clip);
    case 'D': return options_float("--dropout", v, 0, 0.9, &o->dropout);
    case 'p': return options_float("--p", v, 0, 1, &o->hit_weight);
    case 'V': return options_float("--vel-weight", v, 0, 100, &o->vel_weight);
    case 'F': return options_float("--offset-weight", v, 0, 100, &o->offset_weight);
    case 'b': return options_float("--beta", v, 0, 100, &o->beta);
    case 'r': return options_float("--beta-ramp", v, 0, 1, &o->beta_ramp);
    case 'm': return options_float("--mute-prob", v, 0, 1, &o->mute_prob);
    case 'g': return options_float("--logvar-init", v, -20, 5, &o->logvar_init);
    case 'R': return options_float("--reg-p", v, 0, 1, &o->reg_weight);
    case 's': return options_float("--bar-swap", v, 0, 1, &o->bar_swap);
    case 'G': return options_float("--groove-drop", v, 0, 1, &o->groove_drop);
    case 'd':
        rcode = options_int("--d", v, 2, 4096, &m->enc_d);
        m->dec_d = m->enc_d;
        return rcode;
    case 'e': return options_int("--enc-d", v, 2, 4096, &m->enc_d);
    case 'x': return options_int("--dec-d", v, 2, 4096, &m->dec_d);
    case 'H':
        rcode = options_int("--heads", v, 1, 64, &m->enc_heads);
        m->dec_heads = m->enc_heads;
        return rcode;
    case 'f':
        rcode = options_int("--ff", v, 1, 16384, &m->enc_ff);
        m->dec_ff = m->enc_ff;
        return rcode;
    case 'y':
        rcode = options_int("--layers", v, 0, MODEL_MAX_LAYERS, &m->enc_layers);
        m->dec_layers = m->enc_layers;
        return rcode;
    case 'Y': return options_int("--enc-layers", v, 0, MODEL_MAX_LAYERS, &m->enc_layers);
    case 'Z': return options_int("--dec-layers", v, 0, MODEL_MAX_LAYERS, &m->dec_layers);
    case 'z': return options_int("--latent", v, 1, 4096, &m->latent);
    case 'i': return options_int("--limit", v, 0, 1000000000, &rc->limit);
    case 'I': return options_int("--val-limit", v, 0, 1000000000, &rc->val_limit);
    case 'A': return options_int("--stop-after", v, 0, 1000000000, &rc->stop_after);
    case 'a': return options_double("--cal-acc-weight", v, 0, 100, &rc->cal_acc_weight);
    case 'j': return options_float("--genre-drop", v, 0, 1, &o->genre_drop);
    case 'k': return options_float("--keys", v, 0, 1, &o->keys_prob);
    case 't': return options_float("--taps", v, 0, 1, &o->taps_prob);
    case 'u': return options_float("--memory-drop", v, 0, 1, &o->memory_drop);
    case 'v': return options_float("--memory-noise", v, 0, 1, &o->memory_noise);
    case 'n': return options_float("--memory-errors", v, 0, 1, &o->memory_errors);
    case 'q': return options_float("--self-memory", v, 0, 1, &o->self_memory);
    case 'N': return options_float("--ema", v, 0, 0.99999, &o->ema);
    case 'O': return options_int("--memory-gate", v, 0, 32, &o->memory_gate);
    case 'M':
        rcode = options_int("--memory", v, 0, 2, &m->has_memory);
        m->input_dim = model_input_dim_for_memory(m->has_memory);
        rc->grow_memory_groove = m->has_memory == 2;
        return rcode;
    case 'K':
        rcode = options_int("--input-kinds", v, 0, 1, &m->n_kinds);
        m->n_kinds = m->n_kinds ? MODEL_INPUT_KINDS : 0;
        return rcode;
    }
    return OPTIONS_USAGE;
}

/* Reads --kinds. OPTIONS_OK or OPTIONS_USAGE (said). */
static int parse_kinds(const char *v, int *kinds)
{
    if (!strcmp(v, "beats"))
        *kinds = DATASET_BEATS;
    else if (!strcmp(v, "fills"))
        *kinds = DATASET_FILLS;
    else if (!strcmp(v, "both"))
        *kinds = DATASET_BEATS_AND_FILLS;
    else {
        fprintf(stderr, "groove: --kinds wants beats, fills or both, not '%s'\n", v);
        return OPTIONS_USAGE;
    }
    return OPTIONS_OK;
}

/* The long-only options' codes (past any character). */
enum { O_DATA = 256, O_CHECKPOINT, O_LOG, O_CALIBRATE, O_KINDS, O_RESUME, O_QUIET, O_FROM, O_MIDI, O_KEYS_SET, O_VAL_STYLE,
       O_CAL_CLOSED, O_VAL_CLOSED };
/* groove train's options. Numeric options use the letters parse_number knows (internal codes,
 * not short options). */
static const struct option train_longopts[] = {
    {"help", no_argument, NULL, 'h'},          {"out", required_argument, NULL, 'o'},
    {"data", required_argument, NULL, O_DATA}, {"checkpoint", required_argument, NULL, O_CHECKPOINT},
    {"log", required_argument, NULL, O_LOG},   {"calibrate", required_argument, NULL, O_CALIBRATE},
    {"kinds", required_argument, NULL, O_KINDS}, {"resume", no_argument, NULL, O_RESUME},
    {"quiet", no_argument, NULL, O_QUIET},
    {"from", required_argument, NULL, O_FROM}, {"midi", required_argument, NULL, O_MIDI},
    {"keys-set", required_argument, NULL, O_KEYS_SET},
    {"epochs", required_argument, NULL, 'E'},  {"batch", required_argument, NULL, 'B'},
    {"threads", required_argument, NULL, 'T'}, {"seed", required_argument, NULL, 'S'},
    {"lr", required_argument, NULL, 'l'},      {"lr-min", required_argument, NULL, 'L'},
    {"warmup", required_argument, NULL, 'W'},  {"wd", required_argument, NULL, 'w'},
    {"clip", required_argument, NULL, 'c'},    {"dropout", required_argument, NULL, 'D'},
    {"p", required_argument, NULL, 'p'},       {"vel-weight", required_argument, NULL, 'V'},
    {"offset-weight", required_argument, NULL, 'F'}, {"beta", required_argument, NULL, 'b'},
    {"beta-ramp", required_argument, NULL, 'r'}, {"mute-prob", required_argument, NULL, 'm'},
    {"logvar-init", required_argument, NULL, 'g'}, {"reg-p", required_argument, NULL, 'R'},
    {"bar-swap", required_argument, NULL, 's'}, {"groove-drop", required_argument, NULL, 'G'},
    {"d", required_argument, NULL, 'd'},       {"enc-d", required_argument, NULL, 'e'},
    {"dec-d", required_argument, NULL, 'x'},   {"heads", required_argument, NULL, 'H'},
    {"ff", required_argument, NULL, 'f'},      {"layers", required_argument, NULL, 'y'},
    {"enc-layers", required_argument, NULL, 'Y'}, {"dec-layers", required_argument, NULL, 'Z'},
    {"latent", required_argument, NULL, 'z'},  {"limit", required_argument, NULL, 'i'},
    {"val-limit", required_argument, NULL, 'I'}, {"stop-after", required_argument, NULL, 'A'},
    {"cal-acc-weight", required_argument, NULL, 'a'},
    {"genre-drop", required_argument, NULL, 'j'}, {"keys", required_argument, NULL, 'k'},
    {"taps", required_argument, NULL, 't'},    {"memory-drop", required_argument, NULL, 'u'},
    {"memory-noise", required_argument, NULL, 'v'}, {"memory", required_argument, NULL, 'M'},
    {"memory-errors", required_argument, NULL, 'n'},
    {"cal-closed-loop", no_argument, NULL, O_CAL_CLOSED},
    {"self-memory", required_argument, NULL, 'q'}, {"memory-gate", required_argument, NULL, 'O'}, {"val-closed-loop", no_argument, NULL, O_VAL_CLOSED},
    {"ema", required_argument, NULL, 'N'},
    {"input-kinds", required_argument, NULL, 'K'}, {"val-style", required_argument, NULL, O_VAL_STYLE},
    {NULL, 0, NULL, 0},
};

/* Parses the options. OPTIONS_OK, OPTIONS_HELP (usage printed), or OPTIONS_USAGE (said). */
static int parse_options(int argc, char **argv, Train_run_config *rc, Train_args *a)
{
    const char *checkpoint = NULL, *log = NULL;
    options_begin();
    int c, r = OPTIONS_OK;
    while (r == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT "o:", train_longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return OPTIONS_HELP;
        case 'o':
            rc->out_path = optarg;
            a->out_given = 1;
            break;
        case O_DATA: rc->data_path = optarg; break;
        case O_CHECKPOINT: checkpoint = optarg; break;
        case O_LOG: log = optarg; break;
        case O_CALIBRATE: a->calibrate = optarg; break;
        case O_KINDS: r = parse_kinds(optarg, &rc->opt.kinds); break;
        case O_RESUME: rc->resume = 1; break;
        case O_QUIET: a->quiet = 1; break;
        case O_FROM: rc->init_model = optarg; break;
        case O_MIDI: a->midi_dir = optarg; break;
        case O_KEYS_SET: a->keys_set = optarg; break;
        case O_CAL_CLOSED: rc->cal_closed_loop = 1; break;
        case O_VAL_CLOSED: rc->opt.val_closed_loop = 1; break;
        case O_VAL_STYLE:
            if (!strcmp(optarg, "none") || !strcmp(optarg, "labels"))
                rc->opt.val_genre = !strcmp(optarg, "labels");
            else {
                fprintf(stderr, "groove: --val-style wants none or labels, not '%s'\n", optarg);
                r = OPTIONS_USAGE;
            }
            break;
        case '?':
        case ':': return options_error("train", c, argv);
        default:
            a->epochs_given |= c == 'E';
            a->lr_given |= c == 'l';
            a->ema_given |= c == 'N';
            r = parse_number(c, optarg, rc);
            break;
        }
    }
    if (r != OPTIONS_OK)
        return r;
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove train --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    if (a->midi_dir && !rc->init_model) {
        fprintf(stderr, "groove: train: --midi fine-tunes a model: give it with --from MODEL\n");
        return OPTIONS_USAGE;
    }
    if (rc->init_model && !a->out_given) {
        fprintf(stderr, "groove: train: --from needs -o OUT.gtm for the fine-tuned model\n");
        return OPTIONS_USAGE;
    }
    if (a->keys_set && !a->calibrate) {
        fprintf(stderr, "groove: train: --keys-set fits a model's keys thresholds: give it with --calibrate MODEL\n");
        return OPTIONS_USAGE;
    }
    if (a->keys_set && rc->cal_closed_loop) {
        fprintf(stderr, "groove: train: --cal-closed-loop calibrates on GMD validation, --keys-set on songs: give one\n");
        return OPTIONS_USAGE;
    }
    if (rc->init_model && a->calibrate) {
        fprintf(stderr, "groove: train: --from and --calibrate exclude each other\n");
        return OPTIONS_USAGE;
    }
    if (rc->init_model) {
        /* a short schedule from the given weights; the KL weight at once (the latent is trained) */
        if (!a->epochs_given)
            rc->opt.epochs = FINETUNE_EPOCHS;
        if (!a->lr_given)
            rc->opt.lr = FINETUNE_LR;
        if (!a->ema_given)
            rc->opt.ema = 0.0f;   /* a few hundred steps: the last weights, not their average */
        rc->opt.beta_ramp = 0.0f;
    }
    snprintf(a->checkpoint, sizeof a->checkpoint, "%s%s", checkpoint ? checkpoint : rc->out_path,
             checkpoint ? "" : ".ckpt");
    snprintf(a->log, sizeof a->log, "%s%s", log ? log : rc->out_path, log ? "" : ".csv");
    rc->checkpoint_path = a->checkpoint;
    rc->log_path = a->log;
    return OPTIONS_OK;
}

/* --calibrate --keys-set DIR: fits the model's thresholds for a keyboard part on a keys set,
 * keeps everything else, and prints keys F1 before and after beside the rock beat's. */
static int calibrate_keys(const Train_run_config *rc, const Train_args *a, const char *out)
{
    char err[512];
    Model m;
    if (model_load(&m, a->calibrate, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: cannot load model '%s': %s\n", a->calibrate, err);
        return CMD_FAILED;
    }
    if (rc->opt.memory_gate >= 0) {   /* --memory-gate: stored, and played by the fit */
        m.extras.has_memory_gate = rc->opt.memory_gate > 0;
        m.extras.memory_gate = (float)rc->opt.memory_gate;
    }
    Keys_set set;
    Keys_result before, after;
    float th[HVO_VOICES];
    int rc_ = CMD_FAILED;
    if (keys_set_load(&set, a->keys_set, stderr, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: %s\n", err);
        model_deinit(&m);
        return CMD_FAILED;
    }
    if (keys_eval_run(&m, &set, 0.0f, &before, err, sizeof err) != 0 ||
        keys_calibrate(&m, &set, th, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: %s\n", err);
        goto done;
    }
    m.extras.has_thresholds_keys = 1;
    memcpy(m.extras.thresholds_keys, th, sizeof th);
    if (keys_eval_run(&m, &set, 0.0f, &after, err, sizeof err) != 0 || model_save(&m, out, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: %s\n", err);
        goto done;
    }
    rc_ = CMD_OK;
    if (a->quiet)
        goto done;
    printf("%s on %d keys windows of %s: hit F1 %.4f before, %.4f after (rock beat %.4f), hits per loop %.2f "
           "before, %.2f after (real %.2f)\n",
           a->calibrate, set.count, a->keys_set, metrics_f1(&before.model, -1), metrics_f1(&after.model, -1),
           metrics_f1(&after.rock, -1), metrics_hits_per_loop_pred(&before.model), metrics_hits_per_loop_pred(&after.model),
           metrics_hits_per_loop_true(&after.model));
    printf("  keys thresholds:");
    for (int v = 0; v < HVO_VOICES; v++)
        printf(" %s %.2f", voice_label(v), th[v]);
    printf("\nwrote %s with them (its other thresholds as they were)\n", out);
done:
    keys_set_deinit(&set);
    model_deinit(&m);
    return rc_;
}

/* --calibrate: fits and stores an existing model's thresholds; prints its metrics. */
static int calibrate(const Train_run_config *rc, const Train_args *a)
{
    const char *out = a->out_given ? rc->out_path : a->calibrate;
    if (a->keys_set)
        return calibrate_keys(rc, a, out);
    Train_calibration cal;
    char err[512];
    if (train_calibrate_model(rc, a->calibrate, out, &cal, err, sizeof err) != 0) {
        fprintf(stderr, "groove: train: %s\n", err);
        return CMD_FAILED;
    }
    if (a->quiet)
        return 0;
    printf("%s on %d validation windows:\n", a->calibrate, cal.n_val);
    print_metrics("thresholds 0.5", &cal.at_half);
    if (cal.has_stored)
        print_metrics("stored thresholds", &cal.at_stored);
    print_metrics("calibrated thresholds", &cal.at_cal);
    printf("  calibrated:");
    for (int v = 0; v < HVO_VOICES; v++)
        printf(" %s %.2f", voice_label(v), cal.thresholds[v]);
    printf("\n");
    printf("wrote %s with the calibrated thresholds\n", out);
    return 0;
}

int cmd_train(int argc, char **argv)
{
    Train_run_config rc;
    train_run_config_default(&rc);
    Train_args a;
    memset(&a, 0, sizeof a);
    int r = parse_options(argc, argv, &rc, &a);
    if (r != OPTIONS_OK)
        return r == OPTIONS_HELP ? 0 : r;
    if (a.calibrate)
        return calibrate(&rc, &a);
    int tty = isatty(STDERR_FILENO);
    Train_observer obs = {NULL, NULL, NULL, &tty};
    if (!a.quiet) {
        obs.start = on_start;
        obs.progress = tty ? on_progress : NULL;
        obs.epoch = on_epoch;
    }
    Train_run_result res;
    char err[512];
    Dataset midi;
    memset(&midi, 0, sizeof midi);
    if (a.midi_dir) {
        Dataset_midi_report mr;
        if (dataset_from_midi_dir(&midi, a.midi_dir, stderr, &mr, err, sizeof err) != 0) {
            fprintf(stderr, "groove: train: %s\n", err);
            return CMD_FAILED;
        }
        if (!a.quiet)
            printf("fine-tune: %d of %d MIDI files in %s (%d train, %d validation), %d windows of 2 bars\n", mr.used,
                   mr.files, a.midi_dir, mr.train_files, mr.validation_files, midi.count);
        rc.dataset = &midi;
        rc.data_path = a.midi_dir;
    }
    int failed = train_run(&rc, &obs, &res, err, sizeof err) != 0;
    dataset_deinit(&midi);
    if (failed) {
        fprintf(stderr, "groove: train: %s\n", err);
        return CMD_FAILED;
    }
    if (a.quiet)
        return 0;
    if (res.stopped_after) {
        printf("stopped after %d epoch%s; --resume continues from %s\n", res.stopped_after,
               res.stopped_after == 1 ? "" : "s", rc.checkpoint_path);
        return 0;
    }
    printf("best epoch %d: validation F1 %.4f at thresholds", res.best_epoch, res.best_score);
    for (int v = 0; v < HVO_VOICES; v++)
        printf(" %.2f", res.best_thresholds[v]);
    printf(" -> %s\n", rc.out_path);
    return 0;
}
