/* audio_async.c - the audio device opened on a helper thread (see audio_async.h). */
#include "audio_async.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct Audio_async {
    Engine *engine;
    Audio_config cfg;
    pthread_t thread;
    Audio_out *out;        /* written by the helper before `done` */
    atomic_int done;       /* 1 once out is set (release / acquire) */
    int joined;
};

static void *audio_async_main(void *arg)
{
    Audio_async *a = arg;
    a->out = audio_open(a->engine, &a->cfg);
    atomic_store_explicit(&a->done, 1, memory_order_release);
    return NULL;
}

Audio_async *audio_async_start(Engine *engine, const Audio_config *cfg)
{
    Audio_async *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->engine = engine;
    a->cfg = *cfg;
    atomic_init(&a->done, 0);
    if (pthread_create(&a->thread, NULL, audio_async_main, a) != 0) {
        free(a);
        return NULL;
    }
    return a;
}

Audio_out *audio_async_poll(Audio_async *a)
{
    if (!a || !atomic_load_explicit(&a->done, memory_order_acquire))
        return NULL;
    if (!a->joined) {
        pthread_join(a->thread, NULL);
        a->joined = 1;
    }
    return a->out;
}

Audio_out *audio_async_wait(Audio_async *a)
{
    if (!a)
        return NULL;
    if (!a->joined) {
        pthread_join(a->thread, NULL);
        a->joined = 1;
    }
    return a->out;
}

Audio_out *audio_async_finish(Audio_async *a)
{
    if (!a)
        return NULL;
    if (!a->joined)
        pthread_join(a->thread, NULL);
    Audio_out *out = a->out;
    free(a);
    return out;
}
