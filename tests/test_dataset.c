/* test_dataset.c - the dataset builder and file: a hand-made GMD folder with known content
 * (beats, a fill, other meters, a missing and a broken file) gives exactly the expected
 * windows and labels; save/load is exact; corrupt files are refused; and on the real GMD the
 * counts agree with info.csv (every usable 4/4 file gives windows, splits match, totals near
 * the published ones). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "dataset.h"
#include "midi_bytes.h"
#include "midi_hvo.h"
#include "genre.h"

static char err[512];
static char root[256];

/* Writes a drum file: a kick on every beat and a hat on every 8th for `bars` bars, with the
 * given time signature (numerator, log2 denominator). */
static void write_drums(const char *rel, int bars, int num, int den_pow2)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_tempo(&m, 0, 500000);
    mb_timesig(&m, 0, num, den_pow2);
    uint32_t pending = 0;
    for (int e = 0; e < bars * 8; e++) {
        if (e % 2 == 0)
            mb_on(&m, pending, 9, 36, 100), pending = 0;
        mb_on(&m, pending, 9, 42, 60 + e % 8);
        mb_off(&m, 120, 9, 42);
        pending = 120;
    }
    mb_track_end(&m, at, pending);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    mb_save(&m, path);
}

static void write_text(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_small_gmd(void)
{
    snprintf(root, sizeof root, "/tmp/groove-test-gmd-%d", (int)getpid());
    char dir[512];
    mkdir(root, 0755);
    snprintf(dir, sizeof dir, "%s/drummer3", root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/drummer3/session1", root);
    mkdir(dir, 0755);
    write_drums("drummer3/session1/1_funk_100_beat_4-4.mid", 5, 4, 2);  /* 5 bars: windows 0..3 */
    write_drums("drummer3/session1/2_rock_120_fill_4-4.mid", 1, 4, 2);  /* 1 bar: one window */
    write_drums("drummer3/session1/3_jazz_90_beat_3-4.mid", 4, 3, 2);   /* 3/4: skipped by info.csv */
    write_drums("drummer3/session1/4_latin_90_beat_4-4.mid", 4, 6, 3);  /* says 4-4, file is 6/8 */
    write_text("drummer3/session1/5_pop_90_beat_4-4.mid", "MThd\x00\x00\x00\x06\x00\x00\x00\x01"); /* broken */
    write_drums("drummer3/session1/7_neworleans-funk_80_beat_4-4.mid", 3, 4, 2); /* 3 bars: windows 0,1 */
    write_text("info.csv",
               "drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split\r\n"
               "drummer3,drummer3/session1,drummer3/session1/1,funk,100,beat,4-4,drummer3/session1/1_funk_100_beat_4-4.mid,x.wav,12.0,train\r\n"
               "drummer3,drummer3/session1,drummer3/session1/2,rock/indie,120,fill,4-4,drummer3/session1/2_rock_120_fill_4-4.mid,x.wav,2.0,validation\r\n"
               "drummer3,drummer3/session1,drummer3/session1/3,jazz,90,beat,3-4,drummer3/session1/3_jazz_90_beat_3-4.mid,x.wav,8.0,train\r\n"
               "drummer3,drummer3/session1,drummer3/session1/4,latin,90,beat,4-4,drummer3/session1/4_latin_90_beat_4-4.mid,x.wav,8.0,train\r\n"
               "drummer3,drummer3/session1,drummer3/session1/5,pop,90,beat,4-4,drummer3/session1/5_pop_90_beat_4-4.mid,x.wav,8.0,train\r\n"
               "drummer3,drummer3/session1,drummer3/session1/6,punk,90,beat,4-4,drummer3/session1/6_punk_90_beat_4-4.mid,x.wav,8.0,test\r\n"
               "drummer3,drummer3/session1,drummer3/session1/7,\"neworleans/funk\",80,beat,4-4,drummer3/session1/7_neworleans-funk_80_beat_4-4.mid,x.wav,9.0,test\r\n");

    Dataset d;
    Dataset_report rep;
    CHECK(dataset_build(&d, root, &rep, err, sizeof err) == 0, "small GMD builds (%s)", err);
    CHECK(rep.files_listed == 7, "7 files listed (got %d)", rep.files_listed);
    CHECK(rep.files_meter == 2, "2 skipped for meter: 3-4 in info.csv and 6/8 in the file (got %d)", rep.files_meter);
    CHECK(rep.files_unreadable == 1 && strstr(rep.first_problem, "5_pop"), "1 unreadable: %s", rep.first_problem);
    CHECK(rep.files_missing[DATASET_SPLIT_TEST] == 1, "1 test file listed but absent");
    CHECK(rep.windows[DATASET_SPLIT_TRAIN][0] == 4, "train beats: 4 windows from 5 bars (got %d)",
          rep.windows[DATASET_SPLIT_TRAIN][0]);
    CHECK(rep.windows[DATASET_SPLIT_VALIDATION][1] == 1, "validation fills: 1 window from a 1-bar fill (got %d)",
          rep.windows[DATASET_SPLIT_VALIDATION][1]);
    CHECK(rep.windows[DATASET_SPLIT_TEST][0] == 2, "test beats: 2 windows from 3 bars (got %d)",
          rep.windows[DATASET_SPLIT_TEST][0]);
    CHECK(d.count == 7 && d.n_files == 3, "7 windows from 3 files (got %d, %d)", d.count, d.n_files);
    if (d.count == 7) {
        const Dataset_window *w = &d.windows[0];
        CHECK(w->split == DATASET_SPLIT_TRAIN && w->genre == genre_from_name("funk") && w->drummer == 3 &&
                  w->bpm == 100.0f && !w->is_fill && w->bar == 0 && !strcmp(d.files[w->file], "drummer3/session1/1_funk_100_beat_4-4.mid"),
              "window 0 labels: train, funk, drummer 3, 100 bpm, beat, bar 0, its file");
        CHECK(d.windows[3].bar == 3, "window 3 starts at bar 3");
        CHECK(hvo_count_voice_hits(&w->pattern, VOICE_KICK) == 8 && hvo_count_voice_hits(&w->pattern, VOICE_CLOSED_HAT) == 16,
              "window 0 holds 8 kicks and 16 hats");
        Groove g;
        hvo_flatten(&w->pattern, &g);
        CHECK(!memcmp(&g, &w->groove, sizeof g), "the stored groove is the flattened pattern");
        CHECK(d.windows[4].is_fill && d.windows[4].genre == genre_from_name("rock") && d.windows[4].split == DATASET_SPLIT_VALIDATION,
              "the fill is labelled fill, rock, validation");
        CHECK(hvo_count_hits(&d.windows[4].pattern) == 12, "the 1-bar fill window holds its 12 hits, the rest silence");
        CHECK(d.windows[5].genre == genre_from_name("neworleans") && d.windows[5].split == DATASET_SPLIT_TEST,
              "a quoted 'neworleans/funk' is style neworleans, split test");
    }
    int idx[16];
    CHECK(dataset_select(&d, DATASET_SPLIT_TRAIN, DATASET_BEATS, idx) == 4 && idx[0] == 0 && idx[3] == 3,
          "select train beats: windows 0..3");
    CHECK(dataset_select(&d, -1, DATASET_FILLS, idx) == 1 && idx[0] == 4, "select fills: window 4");
    CHECK(dataset_select(&d, -1, DATASET_BEATS_AND_FILLS, NULL) == 7, "select all: 7");

    char file[512];
    snprintf(file, sizeof file, "%s/set.gds", root);
    CHECK(dataset_save(&d, file, err, sizeof err) == 0, "dataset saves (%s)", err);
    Dataset e;
    CHECK(dataset_load(&e, file, err, sizeof err) == 0, "and loads (%s)", err);
    int same = e.count == d.count && e.n_files == d.n_files;
    for (int i = 0; same && i < d.count; i++)
        same = !memcmp(&d.windows[i].pattern, &e.windows[i].pattern, sizeof(Hvo)) &&
               !memcmp(&d.windows[i].groove, &e.windows[i].groove, sizeof(Groove)) && d.windows[i].bpm == e.windows[i].bpm &&
               d.windows[i].file == e.windows[i].file && d.windows[i].bar == e.windows[i].bar &&
               d.windows[i].split == e.windows[i].split && d.windows[i].genre == e.windows[i].genre &&
               d.windows[i].is_fill == e.windows[i].is_fill && d.windows[i].drummer == e.windows[i].drummer;
    for (int i = 0; same && i < d.n_files; i++)
        same = !strcmp(d.files[i], e.files[i]);
    CHECK(same, "the loaded dataset equals the built one, bit for bit");
    dataset_deinit(&e);

    /* Corruptions: a flipped payload byte, another version, a truncation, not a dataset. */
    FILE *f = fopen(file, "rb");
    static unsigned char bytes[1 << 20];
    size_t n = f ? fread(bytes, 1, sizeof bytes, f) : 0;
    if (f)
        fclose(f);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.gds", root);
    struct {
        size_t pos;
        unsigned char value;
        size_t len;
        const char *want, *what;
    } cases[] = {
        {100, 0, 0, "checksum", "a flipped payload byte"},
        {8, 99, 0, "version", "another version"},
        {0, 0, 1, "truncated", "a truncated file"},
        {0, 'X', 0, "not a groove dataset", "a wrong magic"},
        {16, 0xff, 0, "absurd", "an absurd window count"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned char copy[sizeof bytes];
        memcpy(copy, bytes, n);
        size_t len = cases[c].len ? n - 50 : n;
        if (!cases[c].len)
            copy[cases[c].pos] = cases[c].value == 0 ? (unsigned char)(copy[cases[c].pos] ^ 0x5a) : cases[c].value;
        if (cases[c].pos == 16)
            copy[17] = copy[18] = 0xff;
        FILE *o = fopen(bad, "wb");
        if (o) {
            fwrite(copy, 1, len, o);
            fclose(o);
        }
        CHECK(dataset_load(&e, bad, err, sizeof err) != 0 && strstr(err, cases[c].want), "%s is refused: %s",
              cases[c].what, err);
    }
    CHECK(dataset_load(&e, "/nonexistent.gds", err, sizeof err) != 0 && strstr(err, "groove dataset"),
          "a missing file is refused with a hint: %s", err);
    dataset_deinit(&d);

    write_text("info.csv", "drummer,style\nx,y\n");
    CHECK(dataset_build(&d, root, NULL, err, sizeof err) != 0 && strstr(err, "lacks a column"),
          "an info.csv without the needed columns is refused: %s", err);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0, "temp folder removed");
}

/* The real GMD: counts agree with info.csv. */
static void test_real_gmd(void)
{
    const char *gmd = "../shared/data/gmd";
    Dataset d;
    Dataset_report rep;
    CHECK(dataset_build(&d, gmd, &rep, err, sizeof err) == 0, "GMD builds (%s)", err);
    /* Read info.csv ourselves. */
    FILE *f = fopen("../shared/data/gmd/info.csv", "rb");
    CHECK(f != NULL, "info.csv opens");
    if (!f)
        return;
    char line[2048];
    int listed = 0, four4 = 0, used_ok = 1, split_ok = 1, label_ok = 1, bound_ok = 1, total_expected = 0;
    int four4_split[DATASET_SPLIT_COUNT] = {0};
    int *windows_of_file = calloc((size_t)d.n_files + 1, sizeof(int));
    for (int i = 0; i < d.count; i++)
        windows_of_file[d.windows[i].file]++;
    if (!fgets(line, sizeof line, f))
        line[0] = 0;
    while (fgets(line, sizeof line, f)) {
        char *field[12];
        int nf = 0;
        char *p = line;
        field[nf++] = p;
        for (; *p; p++) {
            if (*p == ',' && nf < 12) {
                *p = 0;
                field[nf++] = p + 1;
            } else if (*p == '\r' || *p == '\n') {
                *p = 0;
            }
        }
        if (nf < 11)
            continue;
        listed++;
        if (strcmp(field[6], "4-4"))
            continue;
        four4++;
        int split = dataset_split_from_name(field[10]);
        if (split >= 0)
            four4_split[split]++;
        int fi = -1;
        for (int i = 0; i < d.n_files; i++)
            if (!strcmp(d.files[i], field[7]))
                fi = i;
        if (fi < 0) {
            used_ok = 0;
            printf("     4/4 file gave no window: %s\n", field[7]);
            continue;
        }
        /* Windows fit the length info.csv gives (duration at its bpm), a bar of slack. */
        double bars = atof(field[9]) * atof(field[4]) / 240.0;
        int expect = (int)bars - 1 > 1 ? (int)bars - 1 : 1;
        total_expected += expect;
        if (windows_of_file[fi] > expect + 1) {
            bound_ok = 0;
            printf("     %s: %d windows, info.csv length allows %d\n", field[7], windows_of_file[fi], expect);
        }
        for (int i = 0; i < d.count; i++)
            if ((int)d.windows[i].file == fi) {
                const Dataset_window *w = &d.windows[i];
                split_ok &= w->split == split;
                label_ok &= w->is_fill == !strcmp(field[5], "fill") && w->genre == genre_from_name(field[3]) &&
                            w->bpm == (float)atof(field[4]) && w->drummer == atoi(field[0] + 7);
            }
    }
    fclose(f);
    free(windows_of_file);
    CHECK(listed == rep.files_listed, "builder read every info.csv row (%d)", listed);
    CHECK(rep.files_listed - four4 == rep.files_meter, "non-4/4 files skipped: %d", rep.files_meter);
    CHECK(used_ok && d.n_files == four4, "every 4/4 file listed gave windows (%d files)", d.n_files);
    CHECK(rep.files_used[0][0] + rep.files_used[0][1] == four4_split[0] &&
              rep.files_used[1][0] + rep.files_used[1][1] == four4_split[1],
          "files per split match info.csv (train %d, validation %d)", four4_split[0], four4_split[1]);
    CHECK(split_ok, "every window carries its file's split");
    CHECK(label_ok, "every window carries its file's beat/fill, style, bpm, drummer");
    CHECK(bound_ok, "no file gives more windows than its info.csv length allows");
    int total = d.count;
    CHECK(abs(total - total_expected) * 100 <= total_expected * 2,
          "total windows %d within 2%% of what info.csv durations predict (%d)", total, total_expected);
    int counts[DATASET_SPLIT_COUNT][2];
    dataset_count(&d, counts);
    printf("     beats: train %d, validation %d (published 16,195 / 2,021; independent 16,114 / 1,992)\n",
           counts[0][0], counts[1][0]);
    CHECK(abs(counts[0][0] - 16195) <= 300 && abs(counts[1][0] - 2021) <= 60,
          "beat windows near the published counts: train %d, validation %d", counts[0][0], counts[1][0]);
    dataset_deinit(&d);
}

int main(void)
{
    test_small_gmd();
    test_real_gmd();
    return check_summary();
}
