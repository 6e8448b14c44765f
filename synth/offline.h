/* offline.h - the one offline render loop: an Engine's output, block by block, faster than
 * real time, handed to a sink (a WAV writer, a buffer, a stem mixer).
 *
 * A render is a body and a tail. The body is body_frames frames (or, with body_frames < 0,
 * as long as the before_block hook says: it returns OFFLINE_END); then the transport stops
 * and the voices ring out for at most tail_frames frames. With trim_tail, the tail ends once
 * a tenth of a second after the last sound (a sample above 1e-4) has passed, and the silence
 * after the last sound is not handed to the sink (the tail's blocks are held until a sound
 * shows they are needed). Before every block, the hook may change the engine (the next
 * pattern, a tempo from a map, a model's answer) and shorten the block so a change lands on
 * its exact frame. Callers set up the engine (kit, tempo, first pattern, play) first.
 *
 * Control thread; the engine must have no audio thread of its own (offline_render calls
 * engine_render itself). Allocates only the held tail (trim_tail).
 */
#ifndef GROOVE_OFFLINE_H
#define GROOVE_OFFLINE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "wav.h"

#define OFFLINE_BLOCK 256   /* frames per block at most */

/* What a hook answers before a block. */
typedef enum {
    OFFLINE_GO = 0,     /* render the block */
    OFFLINE_END = 1,    /* the body ends here (the tail, if any, follows) */
    OFFLINE_FAIL = -1   /* stop with the error the hook wrote */
} Offline_step;

typedef struct {
    int64_t body_frames;   /* frames of music; < 0: until the hook answers OFFLINE_END */
    int64_t tail_frames;   /* ring-out after the body, at most (0: none, the transport keeps going) */
    int trim_tail;         /* end the tail after 0.1 s of silence and cut the silence */
    int rate;              /* the engine's rate (for trim_tail's 0.1 s) */
    /* Before each block: frame is the frames rendered so far, in_body 1 in the body; *n (at
     * most OFFLINE_BLOCK) may be made smaller, not below 1. NULL: no hook. */
    Offline_step (*before_block)(void *ctx, Engine *e, int64_t frame, int in_body, int *n, char *err,
                                 size_t errlen);
    void *hook_ctx;
    /* Takes n frames of interleaved stereo. 0, or -1 with err. */
    int (*sink)(void *ctx, const float *frames, int n, char *err, size_t errlen);
    void *sink_ctx;
} Offline_plan;

typedef struct {
    int64_t frames;        /* frames handed to the sink */
    int64_t body_frames;   /* of which the body */
    float peak;            /* largest absolute sample handed to the sink */
} Offline_result;

/* Renders the plan. 0, or -1 with err (a sink or hook failure, or no memory). */
int offline_render(Engine *e, const Offline_plan *p, Offline_result *r, char *err, size_t errlen);

/* A sink for a Wav_writer (sink_ctx = the Wav_writer, open). */
int offline_wav_sink(void *wav_writer, const float *frames, int n, char *err, size_t errlen);

#endif
