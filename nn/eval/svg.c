/* svg.c - histogram, heat-map and scatter plots as inline SVG (see svg.h). */
#include "svg.h"

#include <math.h>
#include <string.h>

/* Plot-area margins inside an svg, pixels. */
enum { MARGIN_LEFT = 52, MARGIN_RIGHT = 12, MARGIN_TOP = 24, MARGIN_BOTTOM = 40 };

static const char *const palette[20] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#e7ba52", "#637939", "#ad494a", "#7b4173", "#3182bd",
    "#e6550d", "#31a354", "#756bb1", "#636363"};

const char *svg_palette(int i) { return palette[(i < 0 ? -i : i) % 20]; }

void svg_escape(FILE *f, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
}

int svg_nice_ticks(double lo, double hi, int target, double *first, double *step)
{
    if (!(hi > lo))
        hi = lo + 1.0;
    if (target < 2)
        target = 2;
    double raw = (hi - lo) / target;
    double mag = pow(10.0, floor(log10(raw)));
    double norm = raw / mag;
    double s = norm < 1.5 ? 1.0 : norm < 3.5 ? 2.0 : norm < 7.5 ? 5.0 : 10.0;
    s *= mag;
    double t0 = ceil(lo / s - 1e-9) * s;
    int n = (int)floor((hi - t0) / s + 1e-9) + 1;
    *first = t0;
    *step = s;
    return n < 0 ? 0 : n;
}

/* Writes a tick label: integers without decimals, others with as few digits as needed. */
static void tick_label(FILE *f, double v, double step)
{
    if (fabs(v) < step * 1e-6)
        v = 0.0;
    int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    fprintf(f, "%.*f", decimals > 6 ? 6 : decimals, v);
}

static void begin(FILE *f, const Svg_frame *fr)
{
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n",
            fr->width, fr->height, fr->width, fr->height);
    if (fr->title) {
        fputs("<title>", f);
        svg_escape(f, fr->title);
        fputs("</title>\n", f);
        fprintf(f, "<text x=\"%d\" y=\"15\" font-size=\"12\" font-weight=\"bold\">", MARGIN_LEFT);
        svg_escape(f, fr->title);
        fputs("</text>\n", f);
    }
}

/* Axis titles: x centred below the plot area, y rotated at the left. */
static void axis_titles(FILE *f, const Svg_frame *fr, int x0, int x1, int y0, int y1)
{
    if (fr->x_label) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">", (x0 + x1) / 2, fr->height - 6);
        svg_escape(f, fr->x_label);
        fputs("</text>\n", f);
    }
    if (fr->y_label) {
        fprintf(f, "<text transform=\"translate(12 %d) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">",
                (y0 + y1) / 2);
        svg_escape(f, fr->y_label);
        fputs("</text>\n", f);
    }
}

/* Draws x ticks for values in [lo, hi] mapped onto pixels [x0, x1] at the baseline y. */
static void x_ticks(FILE *f, double lo, double hi, int x0, int x1, int y, int target)
{
    double first, step;
    int n = svg_nice_ticks(lo, hi, target, &first, &step);
    for (int i = 0; i < n; i++) {
        double v = first + i * step;
        double px = x0 + (v - lo) / (hi - lo) * (x1 - x0);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>", px, y, px, y + 4);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", px, y + 15);
        tick_label(f, v, step);
        fputs("</text>\n", f);
    }
}

/* Draws y ticks and light grid lines for [lo, hi] mapped onto pixels [y0 bottom, y1 top]. */
static void y_ticks(FILE *f, double lo, double hi, int y0, int y1, int x0, int x1, int target)
{
    double first, step;
    int n = svg_nice_ticks(lo, hi, target, &first, &step);
    for (int i = 0; i < n; i++) {
        double v = first + i * step;
        double py = y0 - (v - lo) / (hi - lo) * (y0 - y1);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", x0, py, x1, py);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", x0 - 4, py + 4);
        tick_label(f, v, step);
        fputs("</text>\n", f);
    }
}

/* ---- Histograms ------------------------------------------------------------------ */

void svg_histograms(FILE *f, const Svg_frame *fr, double lo, double hi, int bins,
                    const Svg_series *series, int n_series)
{
    int x0 = MARGIN_LEFT, x1 = fr->width - MARGIN_RIGHT;
    int y0 = fr->height - MARGIN_BOTTOM, y1 = MARGIN_TOP + 20;   /* a legend row above */
    if (!(hi > lo))
        hi = lo + 1.0;
    double top = 0.0;
    for (int s = 0; s < n_series; s++)
        for (int b = 0; b < bins; b++)
            if (series[s].values[b] > top)
                top = series[s].values[b];
    if (!(top > 0.0))
        top = 1.0;
    /* Round the top up to the next tick so the tallest bar meets a grid line. */
    double first, step;
    int nt = svg_nice_ticks(0.0, top, 4, &first, &step);
    if (first + (nt - 1) * step < top - 1e-12)
        top = first + nt * step;

    begin(f, fr);
    y_ticks(f, 0.0, top, y0, y1, x0, x1, 4);
    for (int s = 0; s < n_series; s++) {
        /* A closed step outline from the baseline, filled translucent. */
        fprintf(f, "<path d=\"M%d %d", x0, y0);
        for (int b = 0; b < bins; b++) {
            double xa = x0 + (double)b / bins * (x1 - x0), xb = x0 + (double)(b + 1) / bins * (x1 - x0);
            double py = y0 - series[s].values[b] / top * (y0 - y1);
            fprintf(f, " L%.1f %.1f L%.1f %.1f", xa, py, xb, py);
        }
        fprintf(f, " L%d %d Z\" fill=\"%s\" fill-opacity=\"0.28\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", x1, y0,
                series[s].color, series[s].color);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", x0, y0, x1, y0);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", x0, y0, x0, y1);
    x_ticks(f, lo, hi, x0, x1, y0, 5);
    /* Legend: one row between the title and the plot area. */
    int lx = x0;
    for (int s = 0; s < n_series; s++) {
        int ly = MARGIN_TOP + 2;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"9\" fill=\"%s\" fill-opacity=\"0.5\" stroke=\"%s\"/>",
                lx, ly, series[s].color, series[s].color);
        fprintf(f, "<text x=\"%d\" y=\"%d\">", lx + 16, ly + 9);
        svg_escape(f, series[s].label);
        fputs("</text>\n", f);
        lx += 24 + 7 * (int)strlen(series[s].label ? series[s].label : "");
    }
    axis_titles(f, fr, x0, x1, y0, y1);
    fputs("</svg>\n", f);
}

/* ---- Heat-map -------------------------------------------------------------------- */

void svg_ramp_color(double t, char buf[8])
{
    /* Viridis anchors at t = 0, .25, .5, .75, 1. */
    static const double anchors[5][3] = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    if (!(t >= 0.0))
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    double pos = t * 4.0;
    int i = (int)pos;
    if (i >= 4)
        i = 3;
    double u = pos - i;
    int rgb[3];
    for (int c = 0; c < 3; c++)
        rgb[c] = (int)lround(anchors[i][c] + u * (anchors[i + 1][c] - anchors[i][c]));
    snprintf(buf, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

void svg_heatmap(FILE *f, const Svg_frame *fr, const float *values, int rows, int cols,
                 const char *const *row_labels, int col_tick_every, int col_rule_every,
                 double vmin, double vmax, const char *scale_label)
{
    const int bar_w = 12, bar_gap = 56;   /* colour bar and room for its labels */
    int x0 = MARGIN_LEFT;
    for (int r = 0; row_labels && r < rows; r++) {
        int need = 12 + 7 * (int)strlen(row_labels[r]);   /* about 7 px per character */
        if (need > x0)
            x0 = need;
    }
    int x1 = fr->width - MARGIN_RIGHT - bar_w - bar_gap;
    int y1 = MARGIN_TOP + 4, y0 = fr->height - MARGIN_BOTTOM;
    double cw = (double)(x1 - x0) / cols, ch = (double)(y0 - y1) / rows;
    if (!(vmax > vmin))
        vmax = vmin + 1.0;
    char color[8];

    begin(f, fr);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            svg_ramp_color((values[r * cols + c] - vmin) / (vmax - vmin), color);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>", x0 + c * cw,
                    y1 + r * ch, cw + 0.3, ch + 0.3, color);
        }
        fputc('\n', f);
        if (row_labels) {
            fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", x0 - 4, y1 + (r + 0.5) * ch + 4);
            svg_escape(f, row_labels[r]);
            fputs("</text>\n", f);
        }
    }
    if (col_rule_every > 0)
        for (int c = col_rule_every; c < cols; c += col_rule_every)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#fff\" stroke-width=\"1.5\"/>\n",
                    x0 + c * cw, y1, x0 + c * cw, y0);
    if (col_tick_every > 0)
        for (int c = 0; c < cols; c += col_tick_every) {
            double px = x0 + (c + 0.5) * cw;
            fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>", px, y0, px, y0 + 4);
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", px, y0 + 15, c + 1);
        }
    /* Colour bar: 20 slices from vmin (bottom) to vmax (top), ticks on its right. */
    int bx = x1 + 14;
    for (int i = 0; i < 20; i++) {
        svg_ramp_color((i + 0.5) / 20.0, color);
        double yy = y0 - (i + 1) * (double)(y0 - y1) / 20;
        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.2f\" fill=\"%s\"/>", bx, yy, bar_w,
                (double)(y0 - y1) / 20 + 0.3, color);
    }
    fputc('\n', f);
    double first, step;
    int n = svg_nice_ticks(vmin, vmax, 4, &first, &step);
    for (int i = 0; i < n; i++) {
        double v = first + i * step;
        double py = y0 - (v - vmin) / (vmax - vmin) * (y0 - y1);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>", bx + bar_w, py,
                bx + bar_w + 3, py);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\">", bx + bar_w + 5, py + 4);
        tick_label(f, v, step);
        fputs("</text>\n", f);
    }
    if (scale_label) {
        fprintf(f, "<text transform=\"translate(%d %d) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">",
                fr->width - 6, (y0 + y1) / 2);
        svg_escape(f, scale_label);
        fputs("</text>\n", f);
    }
    axis_titles(f, fr, x0, x1, y0, y1);
    fputs("</svg>\n", f);
}

/* ---- Scatter --------------------------------------------------------------------- */

void svg_scatter(FILE *f, const Svg_frame *fr, const float *xy, const int *group, int n,
                 const char *const *group_names, int n_groups)
{
    const int legend_w = 130;
    int x0 = MARGIN_LEFT, x1 = fr->width - MARGIN_RIGHT - legend_w;
    int y1 = MARGIN_TOP + 4, y0 = fr->height - MARGIN_BOTTOM;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    int present[64] = {0};
    for (int i = 0; i < n; i++) {
        if (group[i] < 0 || group[i] >= n_groups || !isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1]))
            continue;
        xlo = fmin(xlo, xy[2 * i]);
        xhi = fmax(xhi, xy[2 * i]);
        ylo = fmin(ylo, xy[2 * i + 1]);
        yhi = fmax(yhi, xy[2 * i + 1]);
        if (group[i] < 64)
            present[group[i]]++;
    }
    if (!(xhi >= xlo)) {
        xlo = 0.0, xhi = 1.0, ylo = 0.0, yhi = 1.0;
    }
    /* 5 % padding, never a zero range. */
    double px = (xhi - xlo) * 0.05 + 1e-6, py = (yhi - ylo) * 0.05 + 1e-6;
    xlo -= px, xhi += px, ylo -= py, yhi += py;

    begin(f, fr);
    y_ticks(f, ylo, yhi, y0, y1, x0, x1, 5);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", x0, y0, x1, y0);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", x0, y0, x0, y1);
    x_ticks(f, xlo, xhi, x0, x1, y0, 6);
    for (int g = 0; g < n_groups; g++) {
        if (g < 64 && !present[g])
            continue;
        fprintf(f, "<g fill=\"%s\" fill-opacity=\"0.75\">", svg_palette(g));
        for (int i = 0; i < n; i++) {
            if (group[i] != g || !isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1]))
                continue;
            double cx = x0 + (xy[2 * i] - xlo) / (xhi - xlo) * (x1 - x0);
            double cy = y0 - (xy[2 * i + 1] - ylo) / (yhi - ylo) * (y0 - y1);
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\"/>", cx, cy);
        }
        fputs("</g>\n", f);
    }
    int row = 0;
    for (int g = 0; g < n_groups; g++) {
        if (g < 64 && !present[g])
            continue;
        int ly = y1 + 2 + 15 * row++, lx = x1 + 14;
        fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>", lx + 5, ly + 5, svg_palette(g));
        fprintf(f, "<text x=\"%d\" y=\"%d\">", lx + 14, ly + 9);
        svg_escape(f, group_names[g]);
        fprintf(f, " (%d)</text>\n", g < 64 ? present[g] : 0);
    }
    axis_titles(f, fr, x0, x1, y0, y1);
    fputs("</svg>\n", f);
}
