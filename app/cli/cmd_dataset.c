/* cmd_dataset.c - `groove dataset`: build the binary window dataset from the Groove MIDI
 * Dataset, or describe an existing dataset file. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "dataset.h"
#include "genre.h"
#include "options.h"
#include "xdg.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove dataset --gmd DIR -o FILE   build the dataset from a Groove MIDI Dataset folder\n"
            "       groove dataset --info FILE         describe a dataset file\n"
            "\n"
            "Builds every 2-bar window (1-bar hop) of every 4/4 file listed in DIR/info.csv, beats and\n"
            "fills, with its groove and labels (split, style, bpm, drummer, beat/fill, file, bar), into\n"
            "one versioned binary file, and prints windows per split and beat/fill. Files listed but\n"
            "absent (GMD's held-out test split) are counted and reported, not an error.\n"
            "\n"
            "  --gmd DIR    the GMD folder (info.csv, drummerN/...), e.g. ../shared/data/gmd\n"
            "  -o FILE      the dataset file to write, e.g. data/gmd.gds (written atomically)\n"
            "  --info FILE  print the window counts of a dataset file\n");
}

/* Prints windows per split and beat/fill (and files, when the builder's report is given). */
static void print_table(int windows[DATASET_SPLIT_COUNT][2], const Dataset_report *rep)
{
    printf("%-12s %7s %8s %8s %8s\n", "split", "files", "beats", "fills", "windows");
    int tot[3] = {0, 0, 0};
    for (int s = 0; s < DATASET_SPLIT_COUNT; s++) {
        int files = rep ? rep->files_used[s][0] + rep->files_used[s][1] : -1;
        char fbuf[16] = "-";
        if (files >= 0)
            snprintf(fbuf, sizeof fbuf, "%d", files);
        printf("%-12s %7s %8d %8d %8d", dataset_split_name(s), fbuf, windows[s][0], windows[s][1],
               windows[s][0] + windows[s][1]);
        if (rep && rep->files_missing[s])
            printf("   (%d listed files absent%s)", rep->files_missing[s],
                   s == DATASET_SPLIT_TEST ? ": held out" : "");
        printf("\n");
        tot[0] += files > 0 ? files : 0;
        tot[1] += windows[s][0];
        tot[2] += windows[s][1];
    }
    char fbuf[16] = "-";
    if (rep)
        snprintf(fbuf, sizeof fbuf, "%d", tot[0]);
    printf("%-12s %7s %8d %8d %8d\n", "all", fbuf, tot[1], tot[2], tot[1] + tot[2]);
}

static int info(const char *path)
{
    Dataset d;
    char err[512];
    if (dataset_load(&d, path, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return CMD_FAILED;
    }
    int counts[DATASET_SPLIT_COUNT][2];
    dataset_count(&d, counts);
    printf("%s: dataset version %d, %d windows from %d files\n", path, DATASET_VERSION, d.count, d.n_files);
    print_table(counts, NULL);
    int per_genre[GENRE_COUNT + 1] = {0};
    for (int i = 0; i < d.count; i++)
        per_genre[d.windows[i].genre + 1]++;
    printf("windows per style:");
    for (int s = -1; s < GENRE_COUNT; s++)
        if (per_genre[s + 1])
            printf(" %s %d", genre_name(s), per_genre[s + 1]);
    printf("\n");
    dataset_deinit(&d);
    return 0;
}

int cmd_dataset(int argc, char **argv)
{
    enum { O_GMD = 256, O_INFO };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"gmd", required_argument, NULL, O_GMD},
        {"info", required_argument, NULL, O_INFO},
        {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *gmd = NULL, *out = NULL, *info_path = NULL;
    options_begin();
    int c;
    while ((c = getopt_long(argc, argv, OPTIONS_SHORT "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case O_GMD: gmd = optarg; break;
        case O_INFO: info_path = optarg; break;
        case 'o': out = optarg; break;
        default: return options_error("dataset", c, argv);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove dataset --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    if (info_path)
        return info(info_path);
    if (!gmd || !out) {
        fprintf(stderr, "groove: dataset needs --gmd DIR and -o FILE (groove dataset --help)\n");
        return OPTIONS_USAGE;
    }
    Dataset d;
    Dataset_report rep;
    char err[512];
    if (dataset_build(&d, gmd, &rep, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return CMD_FAILED;
    }
    if (d.count == 0) {
        fprintf(stderr, "groove: %s: no usable MIDI file found (%d listed, %d absent)\n", gmd, rep.files_listed,
                rep.files_missing[0] + rep.files_missing[1] + rep.files_missing[2]);
        dataset_deinit(&d);
        return CMD_FAILED;
    }
    if (xdg_make_parent_dirs(out, err, sizeof err) != 0 || dataset_save(&d, out, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        dataset_deinit(&d);
        return CMD_FAILED;
    }
    printf("%s: %d files listed; %d windows from %d files written to %s\n", gmd, rep.files_listed, d.count, d.n_files,
           out);
    print_table(rep.windows, &rep);
    printf("skipped: %d not 4/4, %d unreadable, %d without a hit, %d absent\n", rep.files_meter, rep.files_unreadable,
           rep.files_empty, rep.files_missing[0] + rep.files_missing[1] + rep.files_missing[2]);
    if (rep.first_problem[0])
        printf("first unreadable file: %s\n", rep.first_problem);
    printf("notes in windows: %d (each note counts once per window holding it); collisions (quieter note of a "
           "voice on a taken step dropped): %d; unmapped: %d",
           rep.notes, rep.collisions, rep.unmapped);
    int shown = 0;
    for (int k = 0; k < 128; k++)
        if (rep.unmapped_by_note[k])
            printf("%s note %d x%d", shown++ ? "," : " (", k, rep.unmapped_by_note[k]);
    printf("%s\n", shown ? ")" : "");
    dataset_deinit(&d);
    return 0;
}
