/* regen.c - the regeneration worker thread (see regen.h). */
#include "regen.h"

#include <string.h>
#include <time.h>

#include "clock.h"

void regen_keep_rows(Hvo *to, const Hvo *from, uint32_t kept)
{
    for (int v = 0; v < HVO_VOICES; v++) {
        if (!(kept >> v & 1u))
            continue;
        for (int t = 0; t < HVO_STEPS; t++) {
            to->v[t][v] = from->v[t][v];
            to->v[t][HVO_VOICES + v] = from->v[t][HVO_VOICES + v];
            to->v[t][2 * HVO_VOICES + v] = from->v[t][2 * HVO_VOICES + v];
        }
    }
}

void regen_generate(Model *model, const Regen_request *req, Regen_result *out)
{
    Hvo input;
    hvo_groove_to_input(&req->groove, &input);
    double t0 = (1e6 * clock_seconds());
    Gen_params g = req->params;   /* the noise lives in the request: the worker owns its copy */
    g.kind = req->kind;
    const Model_memory *memory = req->has_memory ? &req->memory : NULL;
    g.eps = req->has_eps && model->config.latent <= REGEN_MAX_LATENT ? req->eps : NULL;   /* see below */
    if (g.eps == NULL && req->has_eps)
        g.variation = 0.0f;
    int fits = model->config.latent <= REGEN_MAX_LATENT;
    if (groove_count_hits(&req->groove) > 0 && req->hold && fits) {
        /* the part the base latent gives sets each voice's most and fewest hits (its count
         * + 1 and - 1) */
        Gen_params g0 = g;
        g0.eps = req->has_base ? req->base : NULL;
        g0.variation = req->has_base ? g.variation : 0.0f;
        model_generate(model, &input, memory, &g0, &out->part);
        for (int v = 0; v < HVO_VOICES; v++) {
            int n = 0;
            for (int t = 0; t < HVO_STEPS; t++)
                n += hvo_hit(&out->part, t, v) > 0.5f;
            int cap = n > 0 ? n + 1 : 0;   /* one hit of room: the part may breathe */
            if (cap < g.max_hits[v])
                g.max_hits[v] = cap;
            g.min_hits[v] = n > 0 ? n - 1 : 0;   /* and it may not thin out */
        }
    }
    if (groove_count_hits(&req->groove) > 0)
        model_generate(model, &input, memory, &g, &out->part);
    else
        hvo_clear(&out->part);   /* nothing played, nothing to drum along to */
    out->gen_us = (1e6 * clock_seconds()) - t0;
    regen_keep_rows(&out->part, &req->current, req->kept);
    out->for_loop = req->for_loop;
    out->serial = req->serial;
}

/* The worker: waits for a request, generates, publishes, repeats until told to quit. */
static void *regen_main(void *arg)
{
    Regen *r = arg;
    Regen_request req;
    Regen_result res;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->has_request && !r->quit)
            pthread_cond_wait(&r->wake, &r->lock);
        if (r->quit)
            break;
        req = r->request;
        r->has_request = 0;
        pthread_mutex_unlock(&r->lock);
        regen_generate(r->model, &req, &res);
        pthread_mutex_lock(&r->lock);
        r->result = res;
        r->has_result = 1;
        r->generations++;
        r->last_us = res.gen_us;
        if (res.gen_us > r->max_us)
            r->max_us = res.gen_us;
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int regen_start(Regen *r, Model *model)
{
    memset(r, 0, sizeof *r);
    r->model = model;
    if (pthread_mutex_init(&r->lock, NULL) != 0)
        return -1;
    if (pthread_cond_init(&r->wake, NULL) != 0) {
        pthread_mutex_destroy(&r->lock);
        return -1;
    }
    if (pthread_create(&r->thread, NULL, regen_main, r) != 0) {
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        return -1;
    }
    r->started = 1;
    return 0;
}

uint64_t regen_request(Regen *r, const Regen_request *req)
{
    uint64_t serial = ++r->next_serial;
    if (!r->started)
        return serial;
    pthread_mutex_lock(&r->lock);
    r->request = *req;
    r->request.serial = serial;
    r->has_request = 1;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    return serial;
}

int regen_poll(Regen *r, Regen_result *out)
{
    if (!r->started)
        return 0;
    int got = 0;
    pthread_mutex_lock(&r->lock);
    if (r->has_result) {
        *out = r->result;
        r->has_result = 0;
        got = 1;
    }
    pthread_mutex_unlock(&r->lock);
    return got;
}

void regen_stats(Regen *r, uint64_t *generations, double *last_us, double *max_us)
{
    if (!r->started) {
        *generations = 0;
        *last_us = *max_us = 0;
        return;
    }
    pthread_mutex_lock(&r->lock);
    *generations = r->generations;
    *last_us = r->last_us;
    *max_us = r->max_us;
    pthread_mutex_unlock(&r->lock);
}

void regen_stop(Regen *r)
{
    if (!r->started)
        return;
    pthread_mutex_lock(&r->lock);
    r->quit = 1;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    r->started = 0;
}
