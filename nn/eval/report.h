/* report.h - the HTML evaluation report of `groove eval --report DIR`.
 *
 * report_write() turns an Eval_result (eval.h, gathered with want_details) into
 * DIR/index.html: one self-contained page (inline SVG and CSS, no script, no network) that
 * reads well at 1280 px. Sections, each an element with a stable id the tests look for:
 *   #summary       the hit metrics (overall, per voice, per style) and the JSON of groove eval
 *   #features      each musical feature's distribution, real vs generated, over all windows,
 *                  with KL divergence and overlapping area beside each plot (distcmp.h)
 *   #styles        the same per style: an overlap matrix, then every plot per style
 *   #heatmaps      velocity heat-maps (voice x step), real and generated side by side, per style
 *   #latent        the latent means on a plane (PCA, and t-SNE of up to REPORT_TSNE_MAX
 *                  windows), coloured by style
 *   #model         the model's hyper-parameters, the thresholds and the command line
 *   #continuity    (when Report_info.closed_loop is given) the closed-loop walk: its hit
 *                  metrics, and the continuity of consecutive loops, real vs generated
 *                  (histogram with KL and overlap, means)
 *   #keys          (when Report_info.keys is given) keys to drums: the model, the rock beat,
 *                  silence and the real drums on the keys set, with the rates
 * Numbers that cannot be computed (an empty sample) are written "n/a", never NaN.
 *
 * The folder is created with its parents if needed; the page is written atomically (temp
 * file, fsync, rename). Runs on the calling thread.
 */
#ifndef GROOVE_REPORT_H
#define GROOVE_REPORT_H

#include <stddef.h>

#include "closed_loop.h"
#include "eval.h"
#include "keys_eval.h"
#include "model_params.h"

#define REPORT_TSNE_MAX 2500

typedef struct {
    const char *command;          /* the command line that produced the report */
    const char *model_path;       /* shown as given */
    const char *data_path;
    const Model_config *config;   /* may be NULL */
    long n_params;                /* weights in the model, 0 if unknown */
    int tsne;                     /* 1: add a t-SNE map beside the PCA map */
    const Closed_loop_result *closed_loop; /* NULL: no #continuity section */
    const Keys_set *keys_set;     /* with keys: the #keys section (both or neither) */
    const Keys_result *keys;
    const char *keys_dir;
} Report_info;

/* Writes DIR/index.html (creating DIR and its parents if needed). Returns 0, or -1 with a one-line reason
 * in err. */
int report_write(const char *dir, const Eval_result *result, const Report_info *info, char *err, size_t errlen);

#endif
