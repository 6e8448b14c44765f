/* test_closed_loop.c - the closed-loop walk (closed_loop.h) on a hand-made dataset with tiny
 * random models: which windows it visits (2-bar hop, a silent gap starts a new walk, one walk
 * per performance), that the memory is the model's own previous output (the walk redone by hand
 * gives the same counts, and differs from feeding no memory), that a model without memory runs
 * the same walk, continuity of hand-made pairs, the means and the overlap, --limit, JSON. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "closed_loop.h"
#include "sample.h"

/* Window k of a performance: kick on 0 and 16, snare on 4 + (k % 3), hats every 2 steps. */
static void make_window(Dataset_window *w, uint32_t file, int bar, int k)
{
    memset(w, 0, sizeof *w);
    for (int t = 0; t < HVO_STEPS; t += 2)
        hvo_set(&w->pattern, t, VOICE_CLOSED_HAT, 1, 0.5f, 0.0f);
    hvo_set(&w->pattern, 0, VOICE_KICK, 1, 0.9f, 0.0f);
    hvo_set(&w->pattern, 16, VOICE_KICK, 1, 0.9f, 0.0f);
    hvo_set(&w->pattern, 4 + k % 3, VOICE_SNARE, 1, 0.8f, 0.05f);
    hvo_flatten(&w->pattern, &w->groove);
    w->file = file;
    w->bar = (uint16_t)bar;
    w->split = DATASET_SPLIT_VALIDATION;
    w->genre = 3;
    w->bpm = 100.0f;
}

/* Performance 0: bars 0-3 and 5-7 (bar 4 silent, no window); performance 1: bars 0-3;
 * performance 2: a train file. */
static void make_dataset(Dataset *d)
{
    static const struct {
        int file, bar;
    } wins[] = {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 5}, {0, 6}, {0, 7}, {1, 0}, {1, 1}, {1, 2}, {1, 3}, {2, 0}, {2, 1}};
    int n = (int)(sizeof wins / sizeof wins[0]);
    memset(d, 0, sizeof *d);
    d->windows = calloc((size_t)n, sizeof *d->windows);
    d->count = n;
    for (int i = 0; i < n; i++) {
        make_window(&d->windows[i], (uint32_t)wins[i].file, wins[i].bar, i);
        if (wins[i].file == 2)
            d->windows[i].split = DATASET_SPLIT_TRAIN;
    }
}

static Model_config tiny(int memory)
{
    Model_config c;
    model_config_default(&c);
    c.enc_d = c.dec_d = 32;
    c.enc_heads = c.dec_heads = 2;
    c.enc_ff = c.dec_ff = 64;
    c.enc_layers = c.dec_layers = 1;
    c.latent = 8;
    if (!memory) {
        c.has_memory = 0;
        c.n_kinds = 0;
        c.input_dim = HVO_CHANNELS;
    }
    return c;
}

/* The walk by hand: the windows at dataset indices idx[n] in order, walk starts marked. */
static void walk_by_hand(Model *m, const Dataset *d, const int *idx, const int *starts_walk, int n, int feed_memory,
                         Metrics *out)
{
    Gen_params g;
    model_gen_params(m, &g);
    metrics_init(out);
    float mu[8];
    Model_memory prev;
    for (int i = 0; i < n; i++) {
        const Dataset_window *w = &d->windows[idx[i]];
        Hvo in, logits, pred, gen;
        hvo_groove_to_input(&w->groove, &in);
        model_encode(m, &in, feed_memory && !starts_walk[i] ? &prev : NULL, mu, NULL);
        Model_condition cond = {-1, 0, 0, 0};
        model_decode(m, mu, &cond, &logits);
        metrics_hvo_from_output(&logits.v[0][0], g.thresholds, &pred);
        metrics_add(out, &pred, &w->pattern);
        sample_pattern(&logits, &g, &gen);
        prev.part = gen;
        prev.groove = w->groove;
    }
}

int main(void)
{
    /* Continuity of hand-made pairs. */
    Hvo a, b;
    hvo_clear(&a);
    hvo_clear(&b);
    CHECK_NEAR(continuity_of(&a, &b), 1.0, 0, "two silent loops are alike in every cell");
    hvo_set(&a, 3, VOICE_SNARE, 1, 0.7f, 0.0f);
    CHECK_NEAR(continuity_of(&a, &b), 287.0 / 288.0, 1e-12, "one hit apart: 287 of 288 cells alike");
    hvo_set(&b, 3, VOICE_SNARE, 1, 0.2f, 0.3f);
    CHECK_NEAR(continuity_of(&a, &b), 1.0, 0, "velocity and offset do not count, only hits");

    Dataset data;
    make_dataset(&data);
    char err[256];
    Model mem_model, plain_model;
    Model_config c = tiny(1);
    CHECK(model_init_random(&mem_model, &c, 11, err, sizeof err) == 0 && mem_model.config.has_memory,
          "a tiny model with memory");
    c = tiny(0);
    CHECK(model_init_random(&plain_model, &c, 11, err, sizeof err) == 0 && !plain_model.config.has_memory,
          "a tiny model without memory");

    Eval_options opt = {.split = DATASET_SPLIT_VALIDATION, .kinds = DATASET_BEATS, .style = EVAL_STYLE_NONE};
    Closed_loop_result r;
    CHECK(closed_loop_run(&mem_model, &data, &opt, &r, err, sizeof err) == 0, "closed_loop_run succeeds");
    /* Performance 0: bars 0, 2, then bar 4 is silent: a new walk at 5, then 7; performance 1:
     * bars 0, 2. Train windows are not walked. */
    CHECK(r.performances == 2 && r.windows == 6 && r.walks == 3 && r.pairs == 3 && r.memory == 1,
          "2 performances, 6 windows, 3 walks, 3 pairs (got %d, %d, %d, %d)", r.performances, r.windows, r.walks,
          r.pairs);
    /* Real continuity: consecutive walked windows differ in the snare only (4 + k % 3). */
    int idx[6] = {0, 2, 4, 6, 7, 9}, starts[6] = {1, 0, 1, 0, 1, 0};
    double real_sum = 0.0;
    for (int i = 1; i < 6; i++)
        if (!starts[i])
            real_sum += continuity_of(&data.windows[idx[i - 1]].pattern, &data.windows[idx[i]].pattern);
    CHECK_NEAR(r.continuity_mean_real, real_sum / 3.0, 1e-12, "mean real continuity over the 3 pairs (%.4f)",
               r.continuity_mean_real);
    CHECK(r.continuity_mean_gen >= 0.0 && r.continuity_mean_gen <= 1.0 && r.continuity.overlap >= 0.0 &&
              r.continuity.overlap <= 1.0 && isfinite(r.continuity.kl),
          "generated continuity, overlap and KL are defined");

    /* The memory is the model's own previous output: the walk by hand agrees, count for count. */
    Metrics hand, no_mem;
    walk_by_hand(&mem_model, &data, idx, starts, 6, 1, &hand);
    walk_by_hand(&mem_model, &data, idx, starts, 6, 0, &no_mem);
    CHECK(!memcmp(hand.tp, r.metrics.tp, sizeof hand.tp) && !memcmp(hand.fp, r.metrics.fp, sizeof hand.fp) &&
              hand.off_sum_pred == r.metrics.off_sum_pred,
          "the walk = encoding each window with the previous generated part as memory");
    CHECK(memcmp(no_mem.tp, hand.tp, sizeof hand.tp) || memcmp(no_mem.fp, hand.fp, sizeof hand.fp) ||
              no_mem.off_sum_pred != hand.off_sum_pred,
          "and the memory matters for this model (no memory gives other predictions)");

    /* A model without memory walks the same windows. */
    Closed_loop_result plain;
    CHECK(closed_loop_run(&plain_model, &data, &opt, &plain, err, sizeof err) == 0 && plain.windows == 6 &&
              plain.memory == 0,
          "a model without memory runs the same walk and says it has none");
    walk_by_hand(&plain_model, &data, idx, starts, 6, 0, &no_mem);
    CHECK(!memcmp(no_mem.tp, plain.metrics.tp, sizeof no_mem.tp) && !memcmp(no_mem.fp, plain.metrics.fp, sizeof no_mem.fp),
          "its walk = each window alone");

    /* JSON. */
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    closed_loop_write_json(mem, &r);
    fclose(mem);
    const char *keys[] = {"\"hit_accuracy\": ", "\"hit_f1\": ", "\"hits_per_loop_pred\": ", "\"offset_std_pred\": ",
                          "\"continuity_overlap\": ", "\"continuity_kl\": ", "\"continuity_mean_real\": ",
                          "\"continuity_mean_gen\": ", "\"windows\": 6,", "\"memory\": true,", "\"style\": \"none\""};
    int all = 1;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        all &= strstr(json, keys[i]) != NULL;
    CHECK(all && !strstr(json, "nan"), "JSON has every key, no nan");
    double mean = -1.0;
    const char *p = strstr(json, "\"continuity_mean_real\": ");
    if (p)
        sscanf(p, "\"continuity_mean_real\": %lf", &mean);
    CHECK_NEAR(mean, r.continuity_mean_real, 1e-6, "JSON continuity_mean_real is the result's");
    free(json);

    /* --limit N walks N performances; an empty selection is an error with a reason. */
    Closed_loop_result r2;
    opt.limit = 1;
    CHECK(closed_loop_run(&mem_model, &data, &opt, &r2, err, sizeof err) == 0 && r2.performances == 1 && r2.windows == 4,
          "--limit 1: the first performance only (%d windows)", r2.windows);
    closed_loop_result_deinit(&r2);
    opt.limit = 0;
    opt.split = DATASET_SPLIT_TEST;
    CHECK(closed_loop_run(&mem_model, &data, &opt, &r2, err, sizeof err) != 0 && strstr(err, "test"),
          "an empty split fails with a reason (%s)", err);

    closed_loop_result_deinit(&r);
    closed_loop_result_deinit(&plain);
    model_deinit(&mem_model);
    model_deinit(&plain_model);
    dataset_deinit(&data);
    return check_summary();
}
