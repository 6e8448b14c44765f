/* distcmp.c - shared histograms, KL divergence and overlapping area (see distcmp.h). */
#include "distcmp.h"

#include <math.h>
#include <string.h>

static int is_defined(double x) { return x == x && !isinf(x); }

int distcmp_bins(Hist_bins *bins, const double *a, int na, const double *b, int nb, int integer)
{
    double lo = INFINITY, hi = -INFINITY;
    int n_a = 0, n_b = 0;
    for (int i = 0; i < na; i++)
        if (is_defined(a[i])) {
            lo = fmin(lo, a[i]);
            hi = fmax(hi, a[i]);
            n_a++;
        }
    for (int i = 0; i < nb; i++)
        if (is_defined(b[i])) {
            lo = fmin(lo, b[i]);
            hi = fmax(hi, b[i]);
            n_b++;
        }
    if (n_a + n_b == 0) {
        *bins = (Hist_bins){.lo = 0.0, .hi = 1.0, .width = 1.0, .bins = 1};
        return 0;
    }
    if (integer) {
        double first = floor(lo + 0.5), last = floor(hi + 0.5);
        int values = (int)(last - first) + 1;
        int per_bin = (values + DISTCMP_MAX_BINS - 1) / DISTCMP_MAX_BINS;
        int k = (values + per_bin - 1) / per_bin;
        bins->lo = first - 0.5;
        bins->width = per_bin;
        bins->bins = k;
        bins->hi = bins->lo + k * bins->width;
    } else {
        int n = n_a > n_b ? n_a : n_b;
        int k = (int)lround(2.0 * cbrt((double)n));
        k = k < 6 ? 6 : k > 24 ? 24 : k;
        if (hi - lo < 1e-12) {
            lo -= 0.5;
            hi += 0.5;
        }
        bins->lo = lo;
        bins->hi = hi;
        bins->bins = k;
        bins->width = (hi - lo) / k;
    }
    return n_a + n_b;
}

int distcmp_histogram(const Hist_bins *bins, const double *x, int n, double *counts)
{
    memset(counts, 0, sizeof(double) * (size_t)bins->bins);
    int defined = 0;
    for (int i = 0; i < n; i++) {
        if (!is_defined(x[i]))
            continue;
        int j = (int)floor((x[i] - bins->lo) / bins->width);
        j = j < 0 ? 0 : j >= bins->bins ? bins->bins - 1 : j;
        counts[j] += 1.0;
        defined++;
    }
    return defined;
}

static double sum(const double *x, int k)
{
    double s = 0.0;
    for (int i = 0; i < k; i++)
        s += x[i];
    return s;
}

double distcmp_kl(const double *p_counts, const double *q_counts, int k)
{
    double np = sum(p_counts, k), nq = sum(q_counts, k);
    if (np <= 0.0 || nq <= 0.0)
        return NAN;
    double kl = 0.0;
    for (int i = 0; i < k; i++) {
        double p = (p_counts[i] + DISTCMP_ALPHA) / (np + DISTCMP_ALPHA * k);
        double q = (q_counts[i] + DISTCMP_ALPHA) / (nq + DISTCMP_ALPHA * k);
        kl += p * log(p / q);
    }
    return kl < 0.0 ? 0.0 : kl;   /* rounding can leave -1e-17 */
}

double distcmp_overlap(const double *p_counts, const double *q_counts, int k)
{
    double np = sum(p_counts, k), nq = sum(q_counts, k);
    if (np <= 0.0 || nq <= 0.0)
        return NAN;
    double area = 0.0;
    for (int i = 0; i < k; i++)
        area += fmin(p_counts[i] / np, q_counts[i] / nq);
    return area > 1.0 ? 1.0 : area;
}

int distcmp_mean_std(const double *x, int n, double *mean, double *std)
{
    double s = 0.0;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (is_defined(x[i])) {
            s += x[i];
            m++;
        }
    if (!m) {
        *mean = NAN;
        *std = NAN;
        return 0;
    }
    double mu = s / m, v = 0.0;
    for (int i = 0; i < n; i++)
        if (is_defined(x[i]))
            v += (x[i] - mu) * (x[i] - mu);
    *mean = mu;
    *std = sqrt(v / m);
    return m;
}

void distcmp_compare(Dist_compare *out, const double *p, int np, const double *q, int nq, int integer)
{
    distcmp_bins(&out->bins, p, np, q, nq, integer);
    out->n_p = distcmp_histogram(&out->bins, p, np, out->p_counts);
    out->n_q = distcmp_histogram(&out->bins, q, nq, out->q_counts);
    out->kl = distcmp_kl(out->p_counts, out->q_counts, out->bins.bins);
    out->overlap = distcmp_overlap(out->p_counts, out->q_counts, out->bins.bins);
}
