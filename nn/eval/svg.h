/* svg.h - a small SVG plot writer for the evaluation report.
 *
 * Each function writes one complete, self-contained <svg> element to a FILE (to be inlined
 * in an HTML page): overlaid histograms, a heat-map, a scatter plot. Every plot has a title,
 * axes with "nice" ticks, axis titles (with units: the caller writes them into the labels)
 * and a legend or colour bar. No scripts, no external fonts or links: text uses the page's
 * sans-serif font. Labels are XML-escaped here.
 *
 * Output goes straight to the FILE; errors are the FILE's (check ferror at the end).
 * No state, no allocation; safe from any thread on distinct FILEs.
 */
#ifndef GROOVE_SVG_H
#define GROOVE_SVG_H

#include <stdio.h>

/* The frame of one plot. */
typedef struct {
    int width, height;      /* pixels */
    const char *title;      /* above the plot, may be NULL */
    const char *x_label;    /* axis titles, with units, may be NULL */
    const char *y_label;
} Svg_frame;

/* One series of a histogram plot: values[bins] (already normalised as the caller wants). */
typedef struct {
    const char *label;      /* legend text */
    const double *values;
    const char *color;      /* CSS colour: "#1f77b4" */
} Svg_series;

/* The colour of category i of a qualitative palette (20 colours, then it repeats). */
const char *svg_palette(int i);

/* Writes s XML-escaped (& < > " '). */
void svg_escape(FILE *f, const char *s);

/* Chooses tick positions for [lo, hi]: a "nice" step (1, 2 or 5 x 10^k) giving about
 * `target` ticks; writes the first tick and the step, returns the number of ticks. */
int svg_nice_ticks(double lo, double hi, int target, double *first, double *step);

/* Overlaid histograms of n_series series on common bins over [lo, hi] (translucent filled
 * steps, outlines on top), x axis in feature units, y axis from 0 to the largest value. */
void svg_histograms(FILE *f, const Svg_frame *fr, double lo, double hi, int bins,
                    const Svg_series *series, int n_series);

/* A heat-map of values[rows][cols] on a sequential colour scale from vmin to vmax, row
 * labels on the left, column numbers 1.. every col_tick_every columns, a vertical line
 * every col_rule_every columns (0: none) and a colour bar titled scale_label. */
void svg_heatmap(FILE *f, const Svg_frame *fr, const float *values, int rows, int cols,
                 const char *const *row_labels, int col_tick_every, int col_rule_every,
                 double vmin, double vmax, const char *scale_label);

/* A scatter plot of n points xy[n][2], each coloured by group[i] (0..n_groups-1, others
 * skipped), with a legend of the group names (groups with no point are left out). */
void svg_scatter(FILE *f, const Svg_frame *fr, const float *xy, const int *group, int n,
                 const char *const *group_names, int n_groups);

/* The sequential colour of t in [0, 1] (a viridis-like ramp), as "#rrggbb" in buf[8]. */
void svg_ramp_color(double t, char buf[8]);

#endif
