/* layers.h - the forward pass of each layer of the Groove Transformer, shared by inference
 * (model.c, batch 1) and training (train*.c, a mini-batch). llm.c style: free functions,
 * row-major tensors, shapes in the comments, the caller owns every buffer, nothing here
 * allocates. The matrix work dispatches to the kernels chosen at run time (kernels.h).
 * Backward passes live beside the trainer (layers_backward.h) with the same shapes.
 *
 * Thread safety: every function is pure over its arguments; call from any thread.
 */
#ifndef GROOVE_LAYERS_H
#define GROOVE_LAYERS_H

/* out[N][OC] = in[N][C] * w^T + b;  w [OC][C] (torch layout), b [OC] or NULL. */
void linear_forward(float *out, const float *in, const float *w, const float *b, int N, int C, int OC);

/* out[n] = max(in[n], 0); out may equal in. */
void relu_forward(float *out, const float *in, int n);

/* out[N][C] = layer norm of each row of in with gain g, bias b, eps 1e-5; stores each row's
 * mean and 1/sqrt(var + eps) in mean[N], rstd[N] when those are not NULL (for backward). */
void layernorm_forward(float *out, float *mean, float *rstd, const float *in, const float *g,
                       const float *b, int N, int C);

/* Multi-head self-attention without the projections' matrices:
 * qkv [B][T][3C] (q | k | v per row), out [B][T][C] = concat over heads of softmax(q k^T /
 * sqrt(C/H)) v. att [B][H][T][T] receives the softmax probabilities (kept for backward);
 * it may not be NULL. */
void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int H);

/* out[n] = a[n] + b[n]; out may equal a or b. */
void add_forward(float *out, const float *a, const float *b, int n);

#endif
