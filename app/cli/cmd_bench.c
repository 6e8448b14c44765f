/* cmd_bench.c - `groove bench`: inference speed of one full generation (groove in, sampled
 * pattern out) per kernel set on one thread, its FLOP rate against this machine's FMA peak
 * measured in the same run, and PyTorch (1 thread) on the same weights in the same run.
 * `groove bench --train ...` and `--audio ...` go to their own benchmarks. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "exe_path.h"
#include "kernels.h"
#include "model.h"
#include "options.h"
#include "rng.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Measures the FLOP/s of k's FMA loop (best of 5 runs of about 50 ms). */
static double fma_peak(const Kernels *k)
{
    long iters = 1000000;
    double best = 0;
    volatile float sink = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = (1e6 * clock_seconds());
        sink += k->fma_loop(iters);
        double us = (1e6 * clock_seconds()) - t0;
        double flops = (double)iters * 12 * k->lanes * 2;
        if (flops / (us * 1e-6) > best)
            best = flops / (us * 1e-6);
    }
    (void)sink;
    return best;
}

typedef struct {
    const char *kernel;
    double median_us, p99_us, cpu_us_median, gflops, pct_of_peak;
    int runs;
} Path_result;

/* Times runs generations (at most budget_s seconds, at least 30 runs): wall clock, and the
 * thread's CPU time (which a busy machine's preemptions do not inflate). */
static void time_path(Model *m, const Hvo *input, const Gen_params *g, int runs, double budget_s, double *samples,
                      double *cpu, Path_result *r)
{
    /* as the instrument plays: the memory is a part the model made (ignored without memory) */
    Hvo out;
    Model_memory memory;
    model_generate(m, input, NULL, g, &memory.part);
    hvo_flatten(input, &memory.groove);
    for (int i = 0; i < 20; i++)
        model_generate(m, input, &memory, g, &out);
    double start = (1e6 * clock_seconds());
    int n = 0;
    while (n < runs && (n < 30 || (1e6 * clock_seconds()) - start < budget_s * 1e6)) {
        double c0 = (1e6 * clock_thread_cpu_seconds());
        double t0 = (1e6 * clock_seconds());
        model_generate(m, input, &memory, g, &out);
        samples[n] = (1e6 * clock_seconds()) - t0;
        cpu[n++] = (1e6 * clock_thread_cpu_seconds()) - c0;
    }
    qsort(cpu, (size_t)n, sizeof *cpu, cmp_double);
    r->cpu_us_median = cpu[n / 2];
    qsort(samples, (size_t)n, sizeof *samples, cmp_double);
    r->runs = n;
    r->median_us = samples[n / 2];
    int i99 = (int)(n * 0.99);
    r->p99_us = samples[i99 < n ? i99 : n - 1];
}

/* Finds tests/torch_model_ref.py beside the executable, else in the working directory. */
static void torch_script(char *path, size_t len)
{
    if (!exe_path_find(path, len, "tests/torch_model_ref.py"))
        snprintf(path, len, "tests/torch_model_ref.py");
}

/* Runs the PyTorch timing on model_path; returns 0 and the median/p99, or -1 with why. */
static int torch_time(const char *model_path, int runs, double *median, double *p99, char *why, size_t whylen)
{
    char script[PATH_MAX + 64], cmd[3 * PATH_MAX];
    torch_script(script, sizeof script);
    if (access("/usr/bin/python3", X_OK) != 0) {
        snprintf(why, whylen, "/usr/bin/python3 not found");
        return -1;
    }
    snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=1 /usr/bin/python3 '%s' bench '%s' %d 2>&1", script, model_path, runs);
    FILE *p = popen(cmd, "r");
    if (!p) {
        snprintf(why, whylen, "cannot start python3: %s", strerror(errno));
        return -1;
    }
    char line[1024];
    int found = 0;
    why[0] = 0;
    while (fgets(line, sizeof line, p)) {
        char *a = strstr(line, "\"torch_us_median\": "), *b = strstr(line, "\"torch_us_p99\": ");
        if (a && b) {
            *median = strtod(a + 19, NULL);
            *p99 = strtod(b + 16, NULL);
            found = 1;
        } else if (!why[0]) {
            line[strcspn(line, "\n")] = 0;
            snprintf(why, whylen, "torch: %.200s", line);
        }
    }
    int rc = pclose(p);
    if (!found || rc != 0) {
        if (!why[0])
            snprintf(why, whylen, "torch benchmark failed (status %d)", rc);
        return -1;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove bench [--json] [--model FILE] [--size D,LAYERS,HEADS,FF,LATENT] [--runs N]\n"
            "                    [--no-torch]\n"
            "       groove bench --train ...   (training benchmark)\n"
            "       groove bench --audio ...   (audio engine benchmark)\n"
            "\n"
            "Times one full generation (encode, z = mu, decode, sample) per kernel set, one thread:\n"
            "median and 99th percentile, GFLOP/s and %% of this machine's FMA peak (measured now),\n"
            "and PyTorch (1 thread) on the same weights, with the ratio. The model: --model, else the\n"
            "default model when present, else random weights of --size (default 128,3,4,512,128).\n");
}

/* What the command line asks. */
typedef struct {
    int json, runs, use_torch;
    const char *model_path;
    Model_config config;   /* random weights of this shape when no model file */
    int sized;             /* --size given: random weights even if the default model exists */
} Bench_args;

/* Reads --size D,LAYERS,HEADS,FF,LATENT into the config. OPTIONS_OK or OPTIONS_USAGE (said). */
static int parse_size(const char *text, Model_config *c)
{
    int d, l, h, f, z, end = 0;
    if (sscanf(text, "%d,%d,%d,%d,%d%n", &d, &l, &h, &f, &z, &end) != 5 || text[end] || d < 2 || l < 0 ||
        l > MODEL_MAX_LAYERS || h < 1 || f < 1 || z < 1) {
        fprintf(stderr, "groove: --size wants D,LAYERS,HEADS,FF,LATENT (e.g. 128,3,4,512,128), not '%s'\n", text);
        return OPTIONS_USAGE;
    }
    c->enc_d = c->dec_d = d;
    c->enc_layers = c->dec_layers = l;
    c->enc_heads = c->dec_heads = h;
    c->enc_ff = c->dec_ff = f;
    c->latent = z;
    return OPTIONS_OK;
}

/* Parses the options. OPTIONS_OK, OPTIONS_HELP (usage printed), or OPTIONS_USAGE (said). */
static int parse_options(int argc, char **argv, Bench_args *a)
{
    enum { O_JSON = 256, O_NO_TORCH, O_MODEL, O_RUNS, O_SIZE };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},         {"json", no_argument, NULL, O_JSON},
        {"no-torch", no_argument, NULL, O_NO_TORCH}, {"model", required_argument, NULL, O_MODEL},
        {"runs", required_argument, NULL, O_RUNS}, {"size", required_argument, NULL, O_SIZE},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->runs = 2000;
    a->use_torch = 1;
    model_config_default(&a->config);
    options_begin();
    int c, r = OPTIONS_OK;
    while (r == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT, longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return OPTIONS_HELP;
        case O_JSON: a->json = 1; break;
        case O_NO_TORCH: a->use_torch = 0; break;
        case O_MODEL: a->model_path = optarg; break;
        case O_RUNS: r = options_int("--runs", optarg, 1, 1000000, &a->runs); break;
        case O_SIZE:
            r = parse_size(optarg, &a->config);
            a->sized = 1;
            break;
        default: return options_error("bench", c, argv);
        }
    }
    if (r != OPTIONS_OK)
        return r;
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove bench --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    return OPTIONS_OK;
}

/* The model to time: --model, else the default model when present, else random weights of
 * the asked shape, saved to tmp_model (which *tmp_made then says) for PyTorch to read.
 * Fills *path (the file PyTorch reads) and *source (what to call it). 0, or 1 said. */
static int bench_open_model(const Bench_args *a, Model *m, const char **path, const char **source,
                            char tmp_model[], int *tmp_made)
{
    char err[512];
    *path = a->model_path;
    *tmp_made = 0;
    if (!*path && !a->sized && access(model_default_path(), R_OK) == 0)
        *path = model_default_path();
    if (*path) {
        if (model_load(m, *path, err, sizeof err)) {
            fprintf(stderr, "groove: cannot load model '%s': %s\n", *path, err);
            return CMD_FAILED;
        }
        *source = *path;
        return 0;
    }
    if (model_init_random(m, &a->config, 1, err, sizeof err)) {
        fprintf(stderr, "groove: %s\n", err);
        return CMD_FAILED;
    }
    *source = "random weights";
    int fd = mkstemp(tmp_model);
    if (fd < 0) {
        fprintf(stderr, "groove: cannot create a temporary file: %s\n", strerror(errno));
        model_deinit(m);
        return CMD_FAILED;
    }
    close(fd);
    *tmp_made = 1;
    if (model_save(m, tmp_model, err, sizeof err)) {
        fprintf(stderr, "groove: cannot save the benchmark model: %s\n", err);
        unlink(tmp_model);
        model_deinit(m);
        return CMD_FAILED;
    }
    *path = tmp_model;
    return 0;
}

/* A fixed groove as the model's input: 60 % of steps, varied velocities and offsets. */
static void bench_input(Hvo *input)
{
    Groove groove;
    groove_clear(&groove);
    Rng r;
    rng_seed(&r, 99);
    for (int t = 0; t < HVO_STEPS; t++)
        if (rng_uniform(&r) < 0.6f) {
            groove.g[t][0] = 1.0f;
            groove.g[t][1] = 0.3f + 0.7f * rng_uniform(&r);
            groove.g[t][2] = 0.3f * (rng_uniform(&r) - 0.5f);
        }
    hvo_groove_to_input(&groove, input);
}

/* This core's FMA peak in FLOP/s over the widest kernel sets it has; *kernel names the loop. */
static double machine_peak(const char **kernel)
{
    double peak = 0;
    *kernel = "none";
    for (int k = KERNEL_AVX2; k < KERNEL_COUNT; k++) {
        const Kernels *kt = kernels_for((Kernel_kind)k);
        if (!kt)
            continue;
        double pk = fma_peak(kt);
        if (pk > peak) {
            peak = pk;
            *kernel = kt->name;
        }
    }
    if (peak == 0) {
        peak = fma_peak(kernels_for(KERNEL_SCALAR));
        *kernel = "scalar";
    }
    return peak;
}

/* Times every kernel set this CPU has, fastest set first in res. Returns how many, or -1
 * for memory. */
static int bench_paths(Model *m, const Hvo *input, int runs, double flops, double peak, Path_result res[])
{
    Gen_params g;
    model_gen_params(m, &g);
    double *samples = malloc((size_t)runs * sizeof *samples), *cpu = malloc((size_t)runs * sizeof *cpu);
    if (!samples || !cpu) {
        free(samples);
        free(cpu);
        return -1;
    }
    int n_res = 0;
    for (int k = KERNEL_COUNT - 1; k >= 0; k--) {
        const Kernels *kt = kernels_for((Kernel_kind)k);
        if (!kt)
            continue;
        model_set_kernels(m, kt);
        Path_result *pr = &res[n_res++];
        pr->kernel = kt->name;
        time_path(m, input, &g, runs, k == KERNEL_SCALAR ? 2.0 : 4.0, samples, cpu, pr);
        pr->gflops = flops / (pr->median_us * 1e3);
        pr->pct_of_peak = 100.0 * flops / (pr->median_us * 1e-6) / peak;
    }
    free(samples);
    free(cpu);
    return n_res;
}

/* Everything one bench run measured, for printing. */
typedef struct {
    const char *source;
    size_t n_params;
    Model_config config;
    double flops, peak;
    const char *peak_kernel;
    Path_result res[KERNEL_COUNT];
    int n_res;
    int have_torch, use_torch;
    double torch_median, torch_p99;
    char torch_why[300];
} Bench_report;

static void print_json(const Bench_report *b)
{
    const Path_result *best = &b->res[0];
    printf("{\"model\": \"%s\", \"params\": %zu, \"flops\": %.0f, \"peak_gflops\": %.2f, \"peak_kernel\": \"%s\", "
           "\"kernel\": \"%s\", \"gen_us_median\": %.2f, \"gen_us_p99\": %.2f, \"gen_cpu_us_median\": %.2f, "
           "\"gflops\": %.2f, \"pct_of_peak\": %.1f, \"pct_of_peak_cpu_time\": %.1f, ",
           b->source, b->n_params, b->flops, b->peak / 1e9, b->peak_kernel, best->kernel, best->median_us,
           best->p99_us, best->cpu_us_median, best->gflops, best->pct_of_peak,
           100.0 * b->flops / (best->cpu_us_median * 1e-6) / b->peak);
    if (b->have_torch)
        printf("\"torch_us_median\": %.2f, \"torch_us_p99\": %.2f, \"speedup_vs_torch\": %.2f, ", b->torch_median,
               b->torch_p99, b->torch_median / best->median_us);
    else
        printf("\"torch_us_median\": null, \"speedup_vs_torch\": null, \"torch_error\": \"%s\", ", b->torch_why);
    printf("\"paths\": [");
    for (int i = 0; i < b->n_res; i++)
        printf("%s{\"kernel\": \"%s\", \"gen_us_median\": %.2f, \"gen_us_p99\": %.2f, "
               "\"gen_cpu_us_median\": %.2f, \"gflops\": %.2f, \"pct_of_peak\": %.1f, \"runs\": %d}",
               i ? ", " : "", b->res[i].kernel, b->res[i].median_us, b->res[i].p99_us, b->res[i].cpu_us_median,
               b->res[i].gflops, b->res[i].pct_of_peak, b->res[i].runs);
    printf("]}\n");
}

static void print_text(const Bench_report *b)
{
    const Model_config *c = &b->config;
    const Path_result *best = &b->res[0];
    printf("model: %s, %zu parameters (enc d %d x %d layers, dec d %d x %d layers, latent %d)\n", b->source,
           b->n_params, c->enc_d, c->enc_layers, c->dec_d, c->dec_layers, c->latent);
    printf("one generation: %.2f MFLOP; FMA peak on this core: %.1f GFLOP/s (%s loop)\n", b->flops / 1e6,
           b->peak / 1e9, b->peak_kernel);
    printf("%-8s %12s %12s %12s %10s %8s %7s\n", "kernel", "median us", "p99 us", "cpu us med", "GFLOP/s", "% peak",
           "runs");
    for (int i = 0; i < b->n_res; i++)
        printf("%-8s %12.1f %12.1f %12.1f %10.2f %8.1f %7d\n", b->res[i].kernel, b->res[i].median_us,
               b->res[i].p99_us, b->res[i].cpu_us_median, b->res[i].gflops, b->res[i].pct_of_peak, b->res[i].runs);
    if (b->have_torch)
        printf("torch    %12.1f %12.1f   (1 thread) -> %s is %.2fx faster than PyTorch\n", b->torch_median,
               b->torch_p99, best->kernel, b->torch_median / best->median_us);
    else if (b->use_torch)
        printf("torch: not measured (%s)\n", b->torch_why);
}

int cmd_bench(int argc, char **argv)
{
    /* The other parts get the whole argument list (they skip their own flag). */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--train"))
            return cmd_bench_train(argc, argv);
        else if (!strcmp(argv[i], "--audio"))
            return cmd_bench_audio(argc, argv);
    Bench_args a;
    int pr = parse_options(argc, argv, &a);
    if (pr != OPTIONS_OK)
        return pr == OPTIONS_HELP ? 0 : pr;

    Model m;
    Bench_report b;
    memset(&b, 0, sizeof b);
    const char *model_path;
    char tmp_model[] = "/tmp/groove-bench-XXXXXX";
    int tmp_made;
    if (bench_open_model(&a, &m, &model_path, &b.source, tmp_model, &tmp_made) != 0)
        return CMD_FAILED;
    b.config = m.config;
    b.n_params = m.n_params;
    Hvo input;
    bench_input(&input);
    b.flops = model_flops(&b.config, 0);
    b.peak = machine_peak(&b.peak_kernel);
    b.n_res = bench_paths(&m, &input, a.runs, b.flops, b.peak, b.res);
    if (b.n_res < 0) {
        fprintf(stderr, "groove: out of memory\n");
        if (tmp_made)
            unlink(tmp_model);
        model_deinit(&m);
        return CMD_FAILED;
    }
    b.use_torch = a.use_torch;
    b.have_torch = a.use_torch && torch_time(model_path, a.runs < 500 ? a.runs : 500, &b.torch_median,
                                             &b.torch_p99, b.torch_why, sizeof b.torch_why) == 0;
    if (tmp_made)
        unlink(tmp_model);
    model_deinit(&m);
    if (a.json)
        print_json(&b);
    else
        print_text(&b);
    return 0;
}
