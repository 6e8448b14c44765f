/* distcmp.h - comparing two empirical distributions: shared histograms, KL divergence and
 * overlapping area.
 *
 * The evaluation compares a feature's values over real patterns (P) with its values over
 * generated patterns (Q). Both samples are binned on the same bins, then:
 *
 *   Binning      integer features: one bin per whole number from the smallest to the largest
 *                value of both samples (bins of 2, 3, ... when that would exceed
 *                DISTCMP_MAX_BINS); continuous features: the range [min, max] of both samples
 *                cut into k equal bins, k = clamp(round(2 * cbrt(n)), 6, 24) (Rice's rule, n =
 *                the larger sample). A degenerate range (all values equal) is widened by 0.5
 *                either side. The last bin is closed on the right.
 *   KL(P || Q)   sum_i p_i ln(p_i / q_i), in nats, on histograms smoothed with an additive
 *                (Krichevsky-Trofimov) pseudo-count of DISTCMP_ALPHA per bin:
 *                p_i = (count_i + alpha) / (n + alpha * k), so it is always finite.
 *                0 means identical histograms; larger is worse.
 *   Overlap      overlapping area sum_i min(p_i, q_i) of the raw (unsmoothed) normalised
 *                histograms: 1 = the same histogram, 0 = disjoint supports.
 *
 * Undefined values (NAN) are skipped; with an empty sample both numbers are NAN.
 * Pure functions; the caller owns every array.
 */
#ifndef GROOVE_DISTCMP_H
#define GROOVE_DISTCMP_H

#define DISTCMP_MAX_BINS 48
#define DISTCMP_ALPHA 0.5

typedef struct {
    double lo, hi;   /* left edge of the first bin, right edge of the last */
    double width;    /* bin width: (hi - lo) / bins */
    int bins;        /* 1..DISTCMP_MAX_BINS */
} Hist_bins;

/* Chooses common bins for samples a[na] and b[nb] (NAN entries skipped) as described above;
 * integer = 1 for whole-number features. Returns the number of defined values in a and b
 * together (0: b is set to one bin over [0, 1]). */
int distcmp_bins(Hist_bins *bins, const double *a, int na, const double *b, int nb, int integer);

/* Counts the defined values of x[n] into counts[bins->bins]; values outside the range are
 * clamped into the first or last bin. Returns the number of defined values. */
int distcmp_histogram(const Hist_bins *bins, const double *x, int n, double *counts);

/* KL(P || Q) in nats from two count histograms of k bins, smoothed as above; NAN when either
 * histogram is empty. */
double distcmp_kl(const double *p_counts, const double *q_counts, int k);

/* Overlapping area of two count histograms of k bins (each normalised to sum 1); NAN when
 * either is empty. */
double distcmp_overlap(const double *p_counts, const double *q_counts, int k);

/* Mean and standard deviation (population) of the defined values of x[n]; NAN when none.
 * Returns the number of defined values. */
int distcmp_mean_std(const double *x, int n, double *mean, double *std);

/* Everything at once for two samples: bins, both histograms (count arrays of
 * DISTCMP_MAX_BINS), KL(P || Q) and overlap. */
typedef struct {
    Hist_bins bins;
    double p_counts[DISTCMP_MAX_BINS];
    double q_counts[DISTCMP_MAX_BINS];
    int n_p, n_q;    /* defined values in each sample */
    double kl;       /* KL(P || Q), nats; NAN when a sample is empty */
    double overlap;  /* 0..1; NAN when a sample is empty */
} Dist_compare;

void distcmp_compare(Dist_compare *out, const double *p, int np, const double *q, int nq, int integer);

#endif
