/* embed.c - PCA (Jacobi eigen-decomposition) and exact t-SNE (see embed.h). */
#include "embed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Symmetric eigen-decomposition ----------------------------------------------- */

int embed_symmetric_eigen(double *a, int d, double *values, double *vectors)
{
    /* vectors starts as the identity; each rotation is applied to its columns. */
    double *v = malloc(sizeof(double) * (size_t)d * (size_t)d);
    int sweeps = 0;
    if (!v) {
        /* Out of memory: report the diagonal, which is the best we can do without scratch. */
        for (int i = 0; i < d; i++)
            values[i] = a[i * d + i];
        return -1;
    }
    memset(v, 0, sizeof(double) * (size_t)d * (size_t)d);
    for (int i = 0; i < d; i++)
        v[i * d + i] = 1.0;

    for (sweeps = 0; sweeps < 100; sweeps++) {
        double off = 0.0, diag = 0.0;
        for (int p = 0; p < d; p++) {
            diag += a[p * d + p] * a[p * d + p];
            for (int q = p + 1; q < d; q++)
                off += a[p * d + q] * a[p * d + q];
        }
        if (off <= 1e-30 * (diag > 0.0 ? diag : 1.0) || off == 0.0)
            break;
        for (int p = 0; p < d; p++)
            for (int q = p + 1; q < d; q++) {
                double apq = a[p * d + q];
                if (fabs(apq) < 1e-300)
                    continue;
                double app = a[p * d + p], aqq = a[q * d + q];
                double theta = (aqq - app) / (2.0 * apq);
                double t = (theta >= 0.0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                /* A' = J^T A J with J the rotation in the (p, q) plane. */
                for (int k = 0; k < d; k++) {
                    double akp = a[k * d + p], akq = a[k * d + q];
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for (int k = 0; k < d; k++) {
                    double apk = a[p * d + k], aqk = a[q * d + k];
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < d; k++) {
                    double vkp = v[k * d + p], vkq = v[k * d + q];
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
    }
    /* Sort by eigenvalue, descending (selection sort: d is small). */
    int *order = malloc(sizeof(int) * (size_t)d);
    if (!order) {
        free(v);
        return -1;
    }
    for (int i = 0; i < d; i++)
        order[i] = i;
    for (int i = 0; i < d; i++) {
        int best = i;
        for (int j = i + 1; j < d; j++)
            if (a[order[j] * d + order[j]] > a[order[best] * d + order[best]])
                best = j;
        int tmp = order[i];
        order[i] = order[best];
        order[best] = tmp;
    }
    for (int i = 0; i < d; i++) {
        int col = order[i];
        values[i] = a[col * d + col];
        /* Sign: the largest-magnitude entry positive. */
        int arg = 0;
        for (int k = 1; k < d; k++)
            if (fabs(v[k * d + col]) > fabs(v[arg * d + col]))
                arg = k;
        double sign = v[arg * d + col] < 0.0 ? -1.0 : 1.0;
        for (int k = 0; k < d; k++)
            vectors[i * d + k] = sign * v[k * d + col];
    }
    free(order);
    free(v);
    return sweeps;
}

/* ---- PCA ------------------------------------------------------------------------- */

int embed_pca(const float *x, int n, int d, int k, float *out, double *explained)
{
    if (n < 1 || d < 1 || k < 1 || k > d)
        return -1;
    double *mean = calloc((size_t)d, sizeof(double));
    double *cov = calloc((size_t)d * (size_t)d, sizeof(double));
    double *values = malloc(sizeof(double) * (size_t)d);
    double *vectors = malloc(sizeof(double) * (size_t)d * (size_t)d);
    double *row = malloc(sizeof(double) * (size_t)d);
    int rc = -1;
    if (!mean || !cov || !values || !vectors || !row)
        goto done;

    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
            mean[j] += x[(size_t)i * d + j];
    for (int j = 0; j < d; j++)
        mean[j] /= n;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++)
            row[j] = x[(size_t)i * d + j] - mean[j];
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++)
                cov[a * d + b] += row[a] * row[b];
    }
    for (int a = 0; a < d; a++)
        for (int b = a; b < d; b++) {
            cov[a * d + b] /= n;
            cov[b * d + a] = cov[a * d + b];
        }
    if (embed_symmetric_eigen(cov, d, values, vectors) < 0)
        goto done;
    if (explained) {
        double total = 0.0;
        for (int j = 0; j < d; j++)
            total += values[j] > 0.0 ? values[j] : 0.0;
        for (int c = 0; c < k; c++)
            explained[c] = total > 0.0 && values[c] > 0.0 ? values[c] / total : 0.0;
    }
    for (int i = 0; i < n; i++)
        for (int c = 0; c < k; c++) {
            double s = 0.0;
            for (int j = 0; j < d; j++)
                s += (x[(size_t)i * d + j] - mean[j]) * vectors[c * d + j];
            out[(size_t)i * k + c] = (float)s;
        }
    rc = 0;
done:
    free(mean);
    free(cov);
    free(values);
    free(vectors);
    free(row);
    return rc;
}

/* ---- t-SNE ----------------------------------------------------------------------- */

/* Finds row i of the conditional affinities p[j|i] for squared distances d2[n] so that the
 * row's perplexity matches exp(entropy), by bisection on the precision beta. */
static void tsne_row(const double *d2, int n, int i, double log_perplexity, double *p)
{
    double beta = 1.0, lo = 0.0, hi = INFINITY;
    for (int it = 0; it < 64; it++) {
        double sum = 0.0, dot = 0.0;
        /* Subtract the smallest distance for numerical safety (it cancels in p). */
        double dmin = INFINITY;
        for (int j = 0; j < n; j++)
            if (j != i && d2[j] < dmin)
                dmin = d2[j];
        for (int j = 0; j < n; j++) {
            p[j] = j == i ? 0.0 : exp(-beta * (d2[j] - dmin));
            sum += p[j];
            dot += p[j] * (d2[j] - dmin);
        }
        /* Entropy H = ln(sum) + beta * E[d2 - dmin]. */
        double entropy = log(sum) + beta * dot / sum;
        for (int j = 0; j < n; j++)
            p[j] /= sum;
        double diff = entropy - log_perplexity;
        if (fabs(diff) < 1e-5)
            break;
        if (diff > 0.0) { /* too flat: sharpen */
            lo = beta;
            beta = isinf(hi) ? beta * 2.0 : 0.5 * (beta + hi);
        } else {
            hi = beta;
            beta = 0.5 * (beta + lo);
        }
    }
}

/* Fills P [n][n] with the symmetrised t-SNE affinities of the rows of x [n][d] at a perplexity
 * (row: n doubles of scratch). */
static void tsne_affinities(const float *x, int n, int d, double perplexity, double *P, double *row)
{
    /* Squared distances (in P as scratch), rows, symmetrise. */
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < d; k++) {
                double diff = (double)x[(size_t)i * d + k] - x[(size_t)j * d + k];
                s += diff * diff;
            }
            row[j] = s;
        }
        tsne_row(row, n, i, log(perplexity), P + (size_t)i * n);
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double s = (P[(size_t)i * n + j] + P[(size_t)j * n + i]) / (2.0 * n);
            s = s < 1e-12 ? 1e-12 : s;
            P[(size_t)i * n + j] = s;
            P[(size_t)j * n + i] = s;
        }
    for (int i = 0; i < n; i++)
        P[(size_t)i * n + i] = 0.0;
}

/* The starting map Y [n][2]: PCA of x (a second coordinate from a fixed sequence when d = 1),
 * scaled to standard deviation 1e-4 per coordinate (init: 2n floats of scratch). 0 or -1. */
static int tsne_start(const float *x, int n, int d, double *Y, float *init)
{
    int k = d >= 2 ? 2 : 1;
    if (embed_pca(x, n, d, k, init, NULL) < 0)
        return -1;
    for (int c = 0; c < 2; c++) {
        double ss = 0.0;
        for (int i = 0; i < n; i++) {
            double v = c < k ? init[(size_t)i * k + c] : (double)((i * 7919) % 1000 - 500);
            Y[2 * i + c] = v;
            ss += v * v;
        }
        double sd = sqrt(ss / n);
        for (int i = 0; i < n; i++)
            Y[2 * i + c] = sd > 0.0 ? Y[2 * i + c] / sd * 1e-4 : 1e-4 * ((i * 7919 + c * 104729) % 1000 - 500) / 500.0;
    }
    return 0;
}

/* The gradient dY [n][2] of the t-SNE cost at Y (rep: 2n doubles of scratch). One pass over the
 * pairs i < j: with q = 1 / (1 + |yi - yj|^2) and Z = sum of q over all ordered pairs,
 * dC/dyi = 4 sum_j (exaggeration p_ij - q / Z) q (yi - yj) = 4 (exaggeration A_i - R_i / Z),
 * A_i = sum_j p_ij q (yi - yj) (attraction), R_i = sum_j q^2 (yi - yj) (repulsion), so Z is
 * only needed at the end and each pair is visited once. */
static void tsne_gradient(const double *P, const double *Y, int n, double exaggeration, double *dY, double *rep)
{
    double z_sum = 0.0;
    memset(dY, 0, sizeof(double) * 2 * (size_t)n);
    memset(rep, 0, sizeof(double) * 2 * (size_t)n);
    for (int i = 0; i < n; i++) {
        const double *pi = P + (size_t)i * n;
        double yix = Y[2 * i], yiy = Y[2 * i + 1];
        double ax = 0.0, ay = 0.0, rx = 0.0, ry = 0.0, zi = 0.0;
        for (int j = i + 1; j < n; j++) {
            double dx = yix - Y[2 * j], dy = yiy - Y[2 * j + 1];
            double q = 1.0 / (1.0 + dx * dx + dy * dy);
            double pq = pi[j] * q, qq = q * q;
            zi += q;
            ax += pq * dx;
            ay += pq * dy;
            rx += qq * dx;
            ry += qq * dy;
            dY[2 * j] -= pq * dx;
            dY[2 * j + 1] -= pq * dy;
            rep[2 * j] -= qq * dx;
            rep[2 * j + 1] -= qq * dy;
        }
        dY[2 * i] += ax;
        dY[2 * i + 1] += ay;
        rep[2 * i] += rx;
        rep[2 * i + 1] += ry;
        z_sum += 2.0 * zi;
    }
    for (int i = 0; i < 2 * n; i++)
        dY[i] = 4.0 * (exaggeration * dY[i] - rep[i] / z_sum);
}

/* One step of gradient descent with momentum and per-coordinate gains, then re-centring. */
static void tsne_step(double *Y, const double *dY, double *iY, double *gains, int n, double momentum, double eta)
{
    double mean[2] = {0.0, 0.0};
    for (int i = 0; i < 2 * n; i++) {
        int same = (dY[i] > 0.0) == (iY[i] > 0.0);
        gains[i] = same ? gains[i] * 0.8 : gains[i] + 0.2;
        if (gains[i] < 0.01)
            gains[i] = 0.01;
        iY[i] = momentum * iY[i] - eta * gains[i] * dY[i];
        Y[i] += iY[i];
        mean[i % 2] += Y[i];
    }
    for (int i = 0; i < 2 * n; i++)
        Y[i] -= mean[i % 2] / n;
}

int embed_tsne(const float *x, int n, int d, double perplexity, int iterations, float *out)
{
    if (n < 4 || d < 1 || iterations < 1)
        return -1;
    if (perplexity > (n - 1) / 3.0)
        perplexity = (n - 1) / 3.0;
    if (perplexity < 1.0)
        perplexity = 1.0;
    size_t nn = (size_t)n * (size_t)n;
    double *P = malloc(sizeof(double) * nn);
    double *row = malloc(sizeof(double) * (size_t)n);
    double *Y = malloc(sizeof(double) * 2 * (size_t)n);
    double *dY = malloc(sizeof(double) * 2 * (size_t)n);
    double *iY = calloc(2 * (size_t)n, sizeof(double));
    double *gains = malloc(sizeof(double) * 2 * (size_t)n);
    double *rep = malloc(sizeof(double) * 2 * (size_t)n);
    float *init = malloc(sizeof(float) * 2 * (size_t)n);
    int rc = -1;
    if (!P || !row || !Y || !dY || !iY || !gains || !rep || !init)
        goto done;
    tsne_affinities(x, n, d, perplexity, P, row);
    if (tsne_start(x, n, d, Y, init) != 0)
        goto done;
    for (size_t i = 0; i < 2 * (size_t)n; i++)
        gains[i] = 1.0;
    double eta = n / 12.0 / 4.0;   /* learning rate n / (exaggeration * 4), at least 50 */
    if (eta < 50.0)
        eta = 50.0;
    for (int it = 0; it < iterations; it++) {
        tsne_gradient(P, Y, n, it < 250 ? 12.0 : 1.0, dY, rep);
        tsne_step(Y, dY, iY, gains, n, it < 250 ? 0.5 : 0.8, eta);
    }
    for (int i = 0; i < 2 * n; i++)
        out[i] = (float)Y[i];
    rc = 0;
done:
    free(P);
    free(row);
    free(Y);
    free(dY);
    free(iY);
    free(gains);
    free(rep);
    free(init);
    return rc;
}
