/* cmd_bench.c - `groove bench`: inference speed of one full generation (groove in, sampled
 * pattern out) per kernel set on one thread, its FLOP rate against this machine's FMA peak
 * measured in the same run, and PyTorch (1 thread) on the same weights in the same run.
 * `groove bench --train ...` and `--audio ...` go to their own benchmarks. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "exe_path.h"
#include "kernels.h"
#include "model.h"
#include "rng.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

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
        double t0 = now_us();
        sink += k->fma_loop(iters);
        double us = now_us() - t0;
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

static double thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Times runs generations (at most budget_s seconds, at least 30 runs): wall clock, and the
 * thread's CPU time (which a busy machine's preemptions do not inflate). */
static void time_path(Model *m, const Hvo *input, const Gen_params *g, int runs, double budget_s, double *samples,
                      double *cpu, Path_result *r)
{
    Hvo out;
    for (int i = 0; i < 20; i++)
        model_generate(m, input, g, &out);
    double start = now_us();
    int n = 0;
    while (n < runs && (n < 30 || now_us() - start < budget_s * 1e6)) {
        double c0 = thread_cpu_us();
        double t0 = now_us();
        model_generate(m, input, g, &out);
        samples[n] = now_us() - t0;
        cpu[n++] = thread_cpu_us() - c0;
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

int cmd_bench(int argc, char **argv)
{
    /* The other parts get the whole argument list (they skip their own flag). */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--train"))
            return cmd_bench_train(argc, argv);
        else if (!strcmp(argv[i], "--audio"))
            return cmd_bench_audio(argc, argv);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    }
    int json = 0, runs = 2000, use_torch = 1;
    const char *model_path = NULL;
    Model_config config;
    model_config_default(&config);
    int sized = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--no-torch")) {
            use_torch = 0;
        } else if (!strcmp(a, "--model") && i + 1 < argc) {
            model_path = argv[++i];
        } else if (!strcmp(a, "--runs") && i + 1 < argc) {
            runs = atoi(argv[++i]);
            if (runs < 1 || runs > 1000000) {
                fprintf(stderr, "groove: --runs must be 1..1000000\n");
                return 2;
            }
        } else if (!strcmp(a, "--size") && i + 1 < argc) {
            int d, l, h, f, z;
            if (sscanf(argv[++i], "%d,%d,%d,%d,%d", &d, &l, &h, &f, &z) != 5) {
                fprintf(stderr, "groove: --size wants D,LAYERS,HEADS,FF,LATENT (e.g. 128,3,4,512,128)\n");
                return 2;
            }
            config.enc_d = config.dec_d = d;
            config.enc_layers = config.dec_layers = l;
            config.enc_heads = config.dec_heads = h;
            config.enc_ff = config.dec_ff = f;
            config.latent = z;
            sized = 1;
        } else {
            fprintf(stderr, "groove: bench: unknown argument '%s' (groove bench --help)\n", a);
            return 2;
        }
    }

    char err[512];
    Model m;
    const char *source;
    char tmp_model[] = "/tmp/groove-bench-XXXXXX";
    int tmp_made = 0;
    if (!model_path && !sized && access(model_default_path(), R_OK) == 0)
        model_path = model_default_path();
    if (model_path) {
        if (model_load(&m, model_path, err, sizeof err)) {
            fprintf(stderr, "groove: cannot load model '%s': %s\n", model_path, err);
            return 1;
        }
        source = model_path;
    } else {
        if (model_init_random(&m, &config, 1, err, sizeof err)) {
            fprintf(stderr, "groove: %s\n", err);
            return 1;
        }
        source = "random weights";
        int fd = mkstemp(tmp_model);
        if (fd < 0) {
            fprintf(stderr, "groove: cannot create a temporary file: %s\n", strerror(errno));
            model_deinit(&m);
            return 1;
        }
        close(fd);
        tmp_made = 1;
        if (model_save(&m, tmp_model, err, sizeof err)) {
            fprintf(stderr, "groove: cannot save the benchmark model: %s\n", err);
            unlink(tmp_model);
            model_deinit(&m);
            return 1;
        }
        model_path = tmp_model;
    }
    const Model_config config_used = m.config, *c = &config_used;

    /* A fixed groove: 60 % of steps, varied velocities and offsets. */
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
    Hvo input;
    hvo_groove_to_input(&groove, &input);
    Gen_params g;
    model_gen_params(&m, &g);

    double flops = model_flops(c, 0);
    double peak = 0;
    const char *peak_kernel = "none";
    for (int k = KERNEL_AVX2; k < KERNEL_COUNT; k++) {
        const Kernels *kt = kernels_for((Kernel_kind)k);
        if (!kt)
            continue;
        double pk = fma_peak(kt);
        if (pk > peak) {
            peak = pk;
            peak_kernel = kt->name;
        }
    }
    if (peak == 0) {
        peak = fma_peak(kernels_for(KERNEL_SCALAR));
        peak_kernel = "scalar";
    }

    double *samples = malloc((size_t)runs * sizeof *samples), *cpu = malloc((size_t)runs * sizeof *cpu);
    if (!samples || !cpu) {
        free(samples);
        free(cpu);
        fprintf(stderr, "groove: out of memory\n");
        model_deinit(&m);
        return 1;
    }
    Path_result res[KERNEL_COUNT];
    int n_res = 0;
    for (int k = KERNEL_COUNT - 1; k >= 0; k--) {
        const Kernels *kt = kernels_for((Kernel_kind)k);
        if (!kt)
            continue;
        model_set_kernels(&m, kt);
        Path_result *pr = &res[n_res++];
        pr->kernel = kt->name;
        time_path(&m, &input, &g, runs, k == KERNEL_SCALAR ? 2.0 : 4.0, samples, cpu, pr);
        pr->gflops = flops / (pr->median_us * 1e3);
        pr->pct_of_peak = 100.0 * flops / (pr->median_us * 1e-6) / peak;
    }
    free(samples);
    free(cpu);

    double torch_median = 0, torch_p99 = 0;
    char torch_why[300] = "";
    int have_torch = use_torch && torch_time(model_path, runs < 500 ? runs : 500, &torch_median, &torch_p99,
                                             torch_why, sizeof torch_why) == 0;
    if (tmp_made)
        unlink(tmp_model);
    size_t n_params = m.n_params;
    model_deinit(&m);

    const Path_result *best = &res[0]; /* the fastest set this CPU has comes first */
    double speedup = have_torch ? torch_median / best->median_us : 0;
    if (json) {
        printf("{\"model\": \"%s\", \"params\": %zu, \"flops\": %.0f, \"peak_gflops\": %.2f, \"peak_kernel\": \"%s\", "
               "\"kernel\": \"%s\", \"gen_us_median\": %.2f, \"gen_us_p99\": %.2f, \"gen_cpu_us_median\": %.2f, "
               "\"gflops\": %.2f, \"pct_of_peak\": %.1f, \"pct_of_peak_cpu_time\": %.1f, ",
               source, n_params, flops, peak / 1e9, peak_kernel, best->kernel, best->median_us, best->p99_us,
               best->cpu_us_median, best->gflops, best->pct_of_peak,
               100.0 * flops / (best->cpu_us_median * 1e-6) / peak);
        if (have_torch)
            printf("\"torch_us_median\": %.2f, \"torch_us_p99\": %.2f, \"speedup_vs_torch\": %.2f, ", torch_median,
                   torch_p99, speedup);
        else
            printf("\"torch_us_median\": null, \"speedup_vs_torch\": null, \"torch_error\": \"%s\", ", torch_why);
        printf("\"paths\": [");
        for (int i = 0; i < n_res; i++)
            printf("%s{\"kernel\": \"%s\", \"gen_us_median\": %.2f, \"gen_us_p99\": %.2f, "
                   "\"gen_cpu_us_median\": %.2f, \"gflops\": %.2f, \"pct_of_peak\": %.1f, \"runs\": %d}",
                   i ? ", " : "", res[i].kernel, res[i].median_us, res[i].p99_us, res[i].cpu_us_median, res[i].gflops,
                   res[i].pct_of_peak, res[i].runs);
        printf("]}\n");
    } else {
        printf("model: %s, %zu parameters (enc d %d x %d layers, dec d %d x %d layers, latent %d)\n", source,
               n_params, c->enc_d, c->enc_layers, c->dec_d, c->dec_layers, c->latent);
        printf("one generation: %.2f MFLOP; FMA peak on this core: %.1f GFLOP/s (%s loop)\n", flops / 1e6,
               peak / 1e9, peak_kernel);
        printf("%-8s %12s %12s %12s %10s %8s %7s\n", "kernel", "median us", "p99 us", "cpu us med", "GFLOP/s",
               "% peak", "runs");
        for (int i = 0; i < n_res; i++)
            printf("%-8s %12.1f %12.1f %12.1f %10.2f %8.1f %7d\n", res[i].kernel, res[i].median_us, res[i].p99_us,
                   res[i].cpu_us_median, res[i].gflops, res[i].pct_of_peak, res[i].runs);
        if (have_torch)
            printf("torch    %12.1f %12.1f   (1 thread) -> %s is %.2fx faster than PyTorch\n", torch_median,
                   torch_p99, best->kernel, speedup);
        else if (use_torch)
            printf("torch: not measured (%s)\n", torch_why);
    }
    return 0;
}
