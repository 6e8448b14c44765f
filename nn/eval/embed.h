/* embed.h - 2-D maps of high-dimensional points (the model's latent means), in plain C.
 *
 * The evaluation report draws the latent means of the evaluated windows on a plane,
 * coloured by style, so clusters can be seen. Two methods:
 *
 *   PCA    centre the points, form the d x d covariance (double precision), diagonalise it
 *          with the cyclic Jacobi method, project on the k leading eigenvectors. Each
 *          eigenvector's sign is fixed so that its largest-magnitude entry is positive, so the
 *          result is deterministic. Cost O(n d^2 + d^3).
 *   t-SNE  exact t-SNE (van der Maaten & Hinton 2008): Gaussian affinities with a per-point
 *          bandwidth found by bisection to match the perplexity, symmetrised; Student-t
 *          similarities in 2-D; gradient descent with momentum (0.5, then 0.8 after 250
 *          iterations), per-coordinate gains and early exaggeration 12 for the first 250
 *          iterations; initialised from the PCA map scaled to standard deviation 1e-4, so no
 *          random numbers are involved. Cost O(n^2 (d + iterations)) time, O(n^2) memory:
 *          keep n to a few thousand.
 *
 * The caller owns every array; the functions allocate scratch memory and free it before
 * returning. Safe from any thread.
 */
#ifndef GROOVE_EMBED_H
#define GROOVE_EMBED_H

/* Projects n points x[n][d] on their first k principal components (k <= d): out[n][k].
 * explained[k] (may be NULL) receives each component's fraction of the total variance.
 * Returns 0, or -1 when memory runs out or the sizes are invalid. */
int embed_pca(const float *x, int n, int d, int k, float *out, double *explained);

/* Symmetric eigen-decomposition of a[d][d] (overwritten) by cyclic Jacobi rotations:
 * eigenvalues in values[d], sorted descending; eigenvectors as the rows of vectors[d][d].
 * Returns the number of sweeps used. */
int embed_symmetric_eigen(double *a, int d, double *values, double *vectors);

/* Exact 2-D t-SNE of x[n][d] into out[n][2] with the given perplexity (clamped below
 * (n - 1) / 3) and number of iterations (>= 1; 750 is typical). Returns 0, or -1 when
 * memory runs out or n < 4. */
int embed_tsne(const float *x, int n, int d, double perplexity, int iterations, float *out);

#endif
