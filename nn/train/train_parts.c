/* train_parts.c - a parallel for over disjoint parts (see train_parts.h). */
#include "train_parts.h"

#include <pthread.h>

/* One part's call, for its thread. */
typedef struct {
    Part_fn fn;
    void *ctx;
    int part, parts;
} Part_job;

static void *part_main(void *arg)
{
    Part_job *j = arg;
    j->fn(j->ctx, j->part, j->parts);
    return NULL;
}

void parts_run(int parts, Part_fn fn, void *ctx)
{
    if (parts > 64)
        parts = 64;
    pthread_t th[64];
    Part_job jobs[64];
    int started[64] = {0};
    for (int i = 1; i < parts; i++) {
        jobs[i] = (Part_job){fn, ctx, i, parts};
        started[i] = pthread_create(&th[i], NULL, part_main, &jobs[i]) == 0;
    }
    fn(ctx, 0, parts);
    for (int i = 1; i < parts; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            fn(ctx, i, parts);
    }
}

void part_range(size_t n, int part, int parts, size_t *lo, size_t *hi)
{
    size_t lines = (n + 15) / 16;
    *lo = lines * (size_t)part / (size_t)parts * 16;
    *hi = lines * (size_t)(part + 1) / (size_t)parts * 16;
    if (*lo > n)
        *lo = n;
    if (*hi > n)
        *hi = n;
}
