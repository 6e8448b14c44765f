/* layers_backward.h - the backward pass of each layer in layers.h, for training.
 *
 * Same conventions as layers.h (llm.c style, row-major, shapes in comments, caller owns
 * every buffer), plus: every backward ACCUMULATES (+=) into the input gradient and into
 * the weight gradients, so a tensor read by two layers (a residual) just receives both, and
 * the caller zeroes gradient buffers once per step. The matrix work goes through the
 * run-time dispatched kernels of train_kernels.h. Pure functions; call from any thread.
 */
#ifndef GROOVE_LAYERS_BACKWARD_H
#define GROOVE_LAYERS_BACKWARD_H

/* Backward of out[N][OC] = in[N][C] w^T + b:
 * din[N][C] += dout w (skipped when din is NULL), dw[OC][C] += dout^T in,
 * db[OC] += column sums of dout (skipped when db is NULL). */
void linear_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                     int N, int C, int OC);

/* Backward of out = max(in, 0), given out (or in; the sign is the same): din += dout * (out > 0). */
void relu_backward(float *din, const float *out, const float *dout, int n);

/* Backward of layernorm_forward, given its input, gain and the stored mean / rstd:
 * din[N][C] += ..., dg[C] += ..., db[C] += ... */
void layernorm_backward(float *din, float *dg, float *db, const float *dout, const float *in, const float *g,
                        const float *mean, const float *rstd, int N, int C);

/* Backward of attention_forward (T <= 256): dqkv[B][T][3C] += ..., given dout[B][T][C], the
 * forward's qkv and its softmax probabilities att[B][H][T][T]. */
void attention_backward(float *dqkv, const float *dout, const float *qkv, const float *att, int B, int T,
                        int C, int H);

/* Backward of out = a + b: da += dout and db += dout (either may be NULL). */
void add_backward(float *da, float *db, const float *dout, int n);

#endif
