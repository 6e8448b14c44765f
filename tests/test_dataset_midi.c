/* test_dataset_midi.c - the fine-tuning data from a folder of MIDI files (dataset_midi.h) and
 * a training run that starts from a model file on it (train_run.h: dataset, init_model): the
 * drum part of each kind of file (channel 10 of a multi-track song, a drum file on another
 * channel, a piano file refused), 1-bar-hop windows on the bar lines, the groove as the drums
 * flattened, the tempo, the 90/10 split by file, the skipped-file lines, the errors; and that
 * a run with learning rate 0 writes back exactly the weights it started from. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "dataset_midi.h"
#include "midi_bytes.h"
#include "model.h"
#include "model_file.h"
#include "train_run.h"

enum { PPQ = 96, STEP = PPQ / 4 };

/* A format-0 file of `bars` bars of 4/4 at 100 bpm: per bar a kick (GM 35) on 1 and 3 and a
 * snare on 2 and 4 on drum_channel, and, when piano, a chord on 1 on channel 1 (program 0). A
 * piano-only file has no drums. */
static void song(MidiBytes *m, int bars, int drum_channel, int piano, int drums)
{
    m->n = 0;
    mb_header(m, 0, 1, PPQ);
    size_t at = mb_track_begin(m);
    mb_tempo(m, 0, 600000);
    mb_timesig(m, 0, 4, 2);
    mb_program(m, 0, 0, 0);
    uint32_t delta = 0;
    for (int q = 0; q < 4 * bars; q++) {
        int key = q % 2 == 0 ? 35 : 38, chord = piano && q % 4 == 0;
        if (!drums && !chord) {
            delta += 4 * STEP;
            continue;
        }
        if (drums) {
            mb_on(m, delta, drum_channel, key, 100);
            delta = 0;
        }
        if (chord) {
            mb_on(m, delta, 0, 60, 80);
            delta = 0;
        }
        delta = STEP / 2;
        if (drums) {
            mb_off(m, delta, drum_channel, key);
            delta = 0;
        }
        if (chord) {
            mb_off(m, delta, 0, 60);
            delta = 0;
        }
        delta = 4 * STEP - STEP / 2;
    }
    mb_track_end(m, at, delta);
}

static void save(const MidiBytes *m, const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    mb_save(m, path);
}

static void clean(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    static MidiBytes m;
    char dir[] = "/tmp/groove-test-dsmidi.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp folder");
    song(&m, 4, 9, 1, 1);
    save(&m, dir, "a_song.mid");          /* keys + drums on channel 10: 4 bars, 3 windows */
    song(&m, 3, 3, 0, 1);
    save(&m, dir, "b_drums_ch4.MID");     /* a drum file on channel 4: 3 bars, 2 windows */
    song(&m, 4, 9, 1, 0);
    save(&m, dir, "c_piano.mid");         /* no drums: skipped */
    char path[256];
    snprintf(path, sizeof path, "%s/d_junk.midi", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("MThd but not really", f);
        fclose(f);
    }

    Dataset d;
    Dataset_midi_report rep;
    char err[512];
    char *warn = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&warn, &len);
    int rc = dataset_from_midi_dir(&d, dir, mem, &rep, err, sizeof err);
    fclose(mem);
    CHECK(rc == 0, "the folder gives a dataset (%s)", rc ? err : "ok");
    CHECK(rep.files == 4 && rep.used == 2 && rep.skipped == 2 && d.n_files == 2, "4 files, 2 used, 2 skipped");
    CHECK(warn && strstr(warn, "groove: c_piano.mid: skipped: no drum part") &&
              strstr(warn, "groove: d_junk.midi: skipped: unreadable: ") && !strstr(warn, "a_song"),
          "one 'groove:' line per skipped file with its reason");
    free(warn);
    CHECK(d.count == 5 && d.windows[0].file == 0 && d.windows[3].file == 1 && d.windows[1].bar == 1 &&
              d.windows[2].bar == 2,
          "windows: 1-bar hop, 3 from the 4-bar song, 2 from the 3-bar drum file (%d)", d.count);
    const Dataset_window *w = &d.windows[0];
    CHECK(hvo_hit(&w->pattern, 0, VOICE_KICK) > 0.5f && hvo_hit(&w->pattern, 4, VOICE_SNARE) > 0.5f &&
              hvo_count_hits(&w->pattern) == 8,
          "the song's drums only: GM 35 is the kick, the piano is not a drum (8 hits)");
    Groove flat;
    hvo_flatten(&w->pattern, &flat);
    CHECK(!memcmp(&flat, &w->groove, sizeof flat) && groove_count_hits(&w->groove) == 8,
          "the groove is the drums flattened, not the piano");
    CHECK(hvo_count_hits(&d.windows[3].pattern) == 8, "the drum file on channel 4 counts as drums");
    CHECK_NEAR(w->bpm, 100.0, 1e-3, "bpm from the file's tempo");
    CHECK(w->genre == -1 && !w->is_fill, "no genre, beats");
    CHECK(d.windows[0].split == DATASET_SPLIT_TRAIN && d.windows[4].split == DATASET_SPLIT_VALIDATION &&
              rep.train_files == 1 && rep.validation_files == 1,
          "fewer than 10 files: the last is validation");
    CHECK(!strcmp(d.files[0], "a_song.mid") && !strcmp(d.files[1], "b_drums_ch4.MID"), "file names kept, sorted");

    /* Fine-tuning from a model file: with learning rate 0 the weights written are the model's. */
    Model model;
    Model_config c;
    model_config_default(&c);
    c.enc_d = c.dec_d = 16;
    c.enc_heads = c.dec_heads = 2;
    c.enc_ff = c.dec_ff = 32;
    c.enc_layers = c.dec_layers = 1;
    c.latent = 8;
    CHECK(model_init_random(&model, &c, 9, err, sizeof err) == 0, "a tiny model");
    char init_path[300], out_path[300], ckpt[300], log[300];
    snprintf(init_path, sizeof init_path, "%s/init.gtm", dir);
    snprintf(out_path, sizeof out_path, "%s/out.gtm", dir);
    snprintf(ckpt, sizeof ckpt, "%s/out.gtm.ckpt", dir);
    snprintf(log, sizeof log, "%s/out.gtm.csv", dir);
    CHECK(model_save(&model, init_path, err, sizeof err) == 0, "saved");
    Train_run_config rcfg;
    train_run_config_default(&rcfg);
    rcfg.dataset = &d;
    rcfg.data_path = dir;
    rcfg.init_model = init_path;
    rcfg.out_path = out_path;
    rcfg.checkpoint_path = ckpt;
    rcfg.log_path = log;
    rcfg.opt.epochs = 1;
    rcfg.opt.batch = 4;
    rcfg.opt.threads = 1;
    rcfg.opt.lr = 0.0f;
    rcfg.opt.lr_min = 0.0f;
    rcfg.opt.ema = 0.0f;   /* as groove train --from: the weights themselves, not their average */
    Train_run_result res;
    rc = train_run(&rcfg, NULL, &res, err, sizeof err);
    CHECK(rc == 0 && res.best_epoch == 1, "a run on the borrowed dataset from the model file (%s)", rc ? err : "ok");
    Model_config oc;
    float *out = NULL;
    Model_file_extras ex;
    char why[300];
    int read = model_file_read(out_path, &oc, &out, &ex, why, sizeof why) == 0;
    CHECK(read && oc.enc_d == 16 && oc.latent == 8 && ex.has_thresholds, "the model written has the start's shape and thresholds");
    CHECK(read && !memcmp(out, model.params, model.n_params * sizeof(float)),
          "learning rate 0: exactly the starting weights (they were loaded, not drawn afresh)");
    free(out);
    rcfg.opt.lr = 1e-3f;
    rcfg.opt.lr_min = 1e-4f;
    rc = train_run(&rcfg, NULL, &res, err, sizeof err);
    read = rc == 0 && model_file_read(out_path, &oc, &out, &ex, why, sizeof why) == 0;
    CHECK(read && memcmp(out, model.params, model.n_params * sizeof(float)), "a learning rate moves them");
    free(out);
    rcfg.init_model = dir; /* a folder, not a model */
    CHECK(train_run(&rcfg, NULL, &res, err, sizeof err) != 0 && strstr(err, "cannot load model"),
          "a bad model file is an error (%s)", err);
    model_deinit(&model);
    dataset_deinit(&d);

    /* Errors: one usable file is not enough to split; no MIDI file; no folder. */
    unlink(path);
    snprintf(path, sizeof path, "%s/b_drums_ch4.MID", dir);
    unlink(path);
    CHECK(dataset_from_midi_dir(&d, dir, NULL, &rep, err, sizeof err) != 0 && strstr(err, "at least 2"),
          "one usable file: refused (%s)", err);
    clean(dir);
    mkdir(dir, 0700);
    CHECK(dataset_from_midi_dir(&d, dir, NULL, &rep, err, sizeof err) != 0 && strstr(err, "no MIDI file"),
          "no MIDI file: refused");
    clean(dir);
    CHECK(dataset_from_midi_dir(&d, dir, NULL, &rep, err, sizeof err) != 0 && strstr(err, "cannot read"),
          "no folder: refused");

    /* 10 or more files: every tenth file is validation. */
    char dir2[] = "/tmp/groove-test-dsmidi2.XXXXXX";
    CHECK(mkdtemp(dir2) != NULL, "temp folder 2");
    song(&m, 2, 9, 0, 1);
    for (int i = 0; i < 12; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d.mid", i);
        save(&m, dir2, name);
    }
    rc = dataset_from_midi_dir(&d, dir2, NULL, &rep, err, sizeof err);
    int val_file = -1, n_val = 0;
    for (int i = 0; rc == 0 && i < d.count; i++)
        if (d.windows[i].split == DATASET_SPLIT_VALIDATION) {
            n_val++;
            val_file = (int)d.windows[i].file;
        }
    CHECK(rc == 0 && d.count == 12 && n_val == 1 && val_file == 9 && rep.validation_files == 1 && rep.train_files == 11,
          "12 files: f09 is validation, 11 train");
    dataset_deinit(&d);
    clean(dir2);
    return check_summary();
}
