/* regen.h - the regeneration worker: the model runs on its own thread, never the audio's.
 *
 * The instrument posts a request (the groove, the controls, the part now playing and the rows
 * the player keeps) whenever a new loop starts and right after new taps or edits; the worker
 * runs the model and leaves the new part in a result slot the instrument polls. Requests are
 * coalesced: when the worker is busy, a newer request replaces a waiting one, so the worker is
 * never more than one generation behind the player. The instrument hands the result to the
 * audio engine, which takes it over at the next loop boundary (engine.h). Nothing here waits
 * on the audio thread and the audio thread never waits on this.
 *
 * An empty groove gives a silent part (the model is not asked: nothing to drum along to).
 * Kept (frozen) rows are copied from the request's current part into the result, so a voice
 * the player keeps - or edited by hand - plays on unchanged while the others regenerate.
 *
 * Threads: regen_start / regen_request / regen_poll / regen_stop from the instrument (control)
 * thread only; the worker thread is private. regen_generate is pure over its arguments and
 * the model's scratch: the offline renderer calls it directly, without the thread.
 */
#ifndef GROOVE_REGEN_H
#define GROOVE_REGEN_H

#include <pthread.h>
#include <stdint.h>

#include "hvo.h"
#include "model.h"

#define REGEN_MAX_LATENT 512   /* the longest eps a request carries */

/* What to generate. */
typedef struct {
    Groove groove;          /* the player's groove: the model's input */
    Hvo current;            /* the part playing now: kept rows come from here */
    Model_memory memory;    /* the model's memory: the part that just played and its groove (has_memory) */
    int has_memory;         /* 0: no memory (nothing has played yet) */
    int kind;               /* Input_kind of the groove (params.kind is set from it) */
    uint32_t kept;          /* bit per voice: rows copied from current */
    Gen_params params;      /* thresholds, temperature, density, seed, style, fill, variation;
                               params.eps is ignored: the noise travels in eps below */
    int has_eps;            /* 1: z = mu + params.variation * sigma * eps (evolve.h) */
    float eps[REGEN_MAX_LATENT];
    int hold;               /* 1: each voice plays at most one hit more and at most one hit
                               fewer than it has with eps = base (z = mu without has_base), and
                               a voice silent there stays silent: an evolving part keeps its
                               density */
    int has_base;
    float base[REGEN_MAX_LATENT];
    int64_t for_loop;       /* the loop it is meant for (informational) */
    uint64_t serial;        /* set by regen_request: 1, 2, 3, ... */
} Regen_request;

/* What came back. */
typedef struct {
    Hvo part;               /* the new part, kept rows already merged */
    int64_t for_loop;
    uint64_t serial;        /* the request it answers */
    double gen_us;          /* wall time of the model call, microseconds */
} Regen_result;

typedef struct {
    Model *model;           /* not owned; used by the worker only once started */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    Regen_request request;  /* waiting request (under lock) */
    int has_request;
    Regen_result result;    /* newest result not yet polled (under lock) */
    int has_result;
    int quit;
    int started;
    uint64_t next_serial;   /* control thread only */
    uint64_t generations;   /* under lock: model calls done */
    double last_us, max_us; /* under lock */
} Regen;

/* Copies the kept rows (bit per voice) of `from` into `to`. */
void regen_keep_rows(Hvo *to, const Hvo *from, uint32_t kept);
/* Runs one generation synchronously (encode, choose z, decode, sample, merge kept rows). */
void regen_generate(Model *model, const Regen_request *req, Regen_result *out);

/* Starts the worker thread over a model. Returns 0, or -1 when the thread cannot start. */
int regen_start(Regen *r, Model *model);
/* Posts a request (copied; replaces one still waiting). Returns its serial. */
uint64_t regen_request(Regen *r, const Regen_request *req);
/* Takes the newest result if one arrived since the last poll: returns 1 and fills out. */
int regen_poll(Regen *r, Regen_result *out);
/* Generations done, last and worst model time in microseconds. */
void regen_stats(Regen *r, uint64_t *generations, double *last_us, double *max_us);
/* Stops and joins the worker (it finishes a generation in progress). Safe if not started. */
void regen_stop(Regen *r);

#endif
