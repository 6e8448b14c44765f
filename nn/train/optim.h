/* optim.h - AdamW, gradient clipping and the learning-rate schedule.
 *
 * Parameters, gradients and both Adam moments are each one flat float buffer of the same
 * layout (model_params.h), so the optimizer is one loop. Weight decay is decoupled (AdamW)
 * and applied only where decay_mask[i] is non-zero (matrices, not biases, norms or
 * embeddings: optim_decay_mask builds it). Pure functions over caller buffers.
 */
#ifndef GROOVE_OPTIM_H
#define GROOVE_OPTIM_H

#include <stddef.h>

#include "model_params.h"

typedef struct {
    float lr;            /* this step's learning rate */
    float beta1, beta2;  /* moment decay, e.g. 0.9, 0.999 */
    float eps;           /* e.g. 1e-8 */
    float weight_decay;  /* decoupled, e.g. 0.01 */
} Adamw;

/* One AdamW update of n parameters at step t (1-based, for bias correction). */
void adamw_step(const Adamw *o, float *params, const float *grads, float *m, float *v,
                const unsigned char *decay_mask, size_t n, long t);
/* Scales grads so their global L2 norm is at most max_norm (max_norm <= 0: no clipping);
 * returns the norm before clipping. */
double optim_clip_grad_norm(float *grads, size_t n, float max_norm);
/* Its parts, for a caller that splits the weights across threads: the sum of squares of x
 * (in double, in order), and the factor for a norm (1 when no clipping is due). */
double optim_sum_squares(const float *x, size_t n);
float optim_clip_scale(double norm, float max_norm);
/* Learning rate at step (0-based) of total: linear warm-up over warmup steps from 0 to
 * lr_max, then cosine decay to lr_min at the last step. */
float optim_lr_at(long step, long total, long warmup, float lr_max, float lr_min);
/* Fills decay_mask (model_params_count bytes): 1 for every weight matrix (both sizes > 1,
 * not an embedding), 0 for biases, layer-norm gains and embeddings. */
void optim_decay_mask(unsigned char *decay_mask, const Model_config *c);

#endif
