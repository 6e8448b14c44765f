/* metrics.c - hit accuracy, F1, MSEs and timing spread of predicted drum patterns. */
#include "metrics.h"

#include <math.h>
#include <string.h>

void metrics_init(Metrics *m) { memset(m, 0, sizeof *m); }

void metrics_add(Metrics *m, const Hvo *pred, const Hvo *truth)
{
    m->windows++;
    for (int t = 0; t < HVO_STEPS; t++) {
        for (int v = 0; v < HVO_VOICES; v++) {
            int p = hvo_hit(pred, t, v) > 0.5f;
            int y = hvo_hit(truth, t, v) > 0.5f;
            if (p && y)
                m->tp[v]++;
            else if (p)
                m->fp[v]++;
            else if (y)
                m->fn[v]++;
            else
                m->tn[v]++;
            if (p) {
                double o = hvo_off(pred, t, v);
                m->hits_pred++;
                m->off_sum_pred += o;
                m->off_sumsq_pred += o * o;
            }
            if (y) {
                double o = hvo_off(truth, t, v);
                double dv = (double)hvo_vel(pred, t, v) - hvo_vel(truth, t, v);
                double doff = (double)hvo_off(pred, t, v) - o;
                m->hits_true++;
                m->off_sum_true += o;
                m->off_sumsq_true += o * o;
                m->vel_sq_err += dv * dv;
                m->off_sq_err += doff * doff;
            }
        }
    }
}

void metrics_merge(Metrics *dst, const Metrics *src)
{
    for (int v = 0; v < HVO_VOICES; v++) {
        dst->tp[v] += src->tp[v];
        dst->fp[v] += src->fp[v];
        dst->fn[v] += src->fn[v];
        dst->tn[v] += src->tn[v];
    }
    dst->windows += src->windows;
    dst->hits_pred += src->hits_pred;
    dst->hits_true += src->hits_true;
    dst->vel_sq_err += src->vel_sq_err;
    dst->off_sq_err += src->off_sq_err;
    dst->off_sum_pred += src->off_sum_pred;
    dst->off_sumsq_pred += src->off_sumsq_pred;
    dst->off_sum_true += src->off_sum_true;
    dst->off_sumsq_true += src->off_sumsq_true;
}

void metrics_hvo_from_output(const float *out, const float *thresholds, Hvo *pred)
{
    for (int t = 0; t < HVO_STEPS; t++) {
        const float *row = out + t * HVO_CHANNELS;
        for (int v = 0; v < HVO_VOICES; v++) {
            float thr = thresholds ? thresholds[v] : 0.5f;
            float prob = 1.0f / (1.0f + expf(-row[v]));
            pred->v[t][v] = prob > thr ? 1.0f : 0.0f;
            pred->v[t][HVO_VOICES + v] = 1.0f / (1.0f + expf(-row[HVO_VOICES + v]));
            pred->v[t][2 * HVO_VOICES + v] = 0.5f * tanhf(row[2 * HVO_VOICES + v]);
        }
    }
}

/* Sums one count array over the voices, or returns one voice's entry. */
static long count_of(const long *a, int voice)
{
    if (voice >= 0 && voice < HVO_VOICES)
        return a[voice];
    long s = 0;
    for (int v = 0; v < HVO_VOICES; v++)
        s += a[v];
    return s;
}

double metrics_hit_accuracy(const Metrics *m)
{
    long right = count_of(m->tp, -1) + count_of(m->tn, -1);
    long all = right + count_of(m->fp, -1) + count_of(m->fn, -1);
    return all ? (double)right / (double)all : 0.0;
}

double metrics_precision(const Metrics *m, int voice)
{
    long tp = count_of(m->tp, voice), fp = count_of(m->fp, voice);
    return tp + fp ? (double)tp / (double)(tp + fp) : 0.0;
}

double metrics_recall(const Metrics *m, int voice)
{
    long tp = count_of(m->tp, voice), fn = count_of(m->fn, voice);
    return tp + fn ? (double)tp / (double)(tp + fn) : 0.0;
}

double metrics_f1(const Metrics *m, int voice)
{
    long tp = count_of(m->tp, voice), fp = count_of(m->fp, voice), fn = count_of(m->fn, voice);
    return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

double metrics_vel_mse(const Metrics *m) { return m->hits_true ? m->vel_sq_err / (double)m->hits_true : 0.0; }
double metrics_offset_mse(const Metrics *m) { return m->hits_true ? m->off_sq_err / (double)m->hits_true : 0.0; }

double metrics_hits_per_loop_pred(const Metrics *m)
{
    return m->windows ? (double)m->hits_pred / (double)m->windows : 0.0;
}

double metrics_hits_per_loop_true(const Metrics *m)
{
    return m->windows ? (double)m->hits_true / (double)m->windows : 0.0;
}

/* Population standard deviation from a count, sum and sum of squares. */
static double std_of(long n, double sum, double sumsq)
{
    if (n < 1)
        return 0.0;
    double mean = sum / (double)n;
    double var = sumsq / (double)n - mean * mean;
    return var > 0.0 ? sqrt(var) : 0.0;
}

double metrics_offset_std_pred(const Metrics *m) { return std_of(m->hits_pred, m->off_sum_pred, m->off_sumsq_pred); }
double metrics_offset_std_true(const Metrics *m) { return std_of(m->hits_true, m->off_sum_true, m->off_sumsq_true); }
