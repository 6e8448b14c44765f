/* test_kit.c - kits: the default kit (synthesis is deterministic, matches the committed
 * samples, sounds like drums by simple measures), folder kits (names, resampling, FLAC),
 * Hydrogen kits (both layouts, velocity layers, name and note mapping), every kit of Debian's
 * hydrogen-drumkits, and clear errors for a corrupt WAV, an empty folder, malformed XML. */
#include <dirent.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "drumsynth.h"
#include "kit.h"
#include "wav.h"

#define RATE 48000

static char tmpdir[256];

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Writes a decaying sine of `seconds` at `rate` to path (format by extension via libsndfile). */
static int write_tone(const char *path, int rate, double freq, double seconds, int format)
{
    int n = (int)(seconds * rate);
    float *x = malloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; i++)
        x[i] = (float)(0.5 * sin(6.283185307 * freq * i / rate) * exp(-(double)i / rate / 0.1));
    SF_INFO info = {0};
    info.samplerate = rate;
    info.channels = 1;
    info.format = format;
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    int ok = sf != NULL;
    if (sf) {
        ok = sf_writef_float(sf, x, n) == n;
        sf_close(sf);
    }
    free(x);
    return ok ? 0 : -1;
}

/* Zero crossings per second over the first `seconds` of a sample. */
static double crossings(const float *x, int n, int rate, double seconds)
{
    int m = (int)(seconds * rate);
    if (m > n)
        m = n;
    int c = 0;
    for (int i = 1; i < m; i++)
        c += (x[i - 1] < 0.0f) != (x[i] < 0.0f);
    return c / seconds;
}

static void test_drumsynth(void)
{
    int all_ok = 1, deterministic = 1, match = 1;
    double zc[HVO_VOICES];
    for (int v = 0; v < HVO_VOICES; v++) {
        float *a, *b;
        int na, nb;
        if (drumsynth_render(v, RATE, &a, &na) != 0 || drumsynth_render(v, RATE, &b, &nb) != 0) {
            all_ok = 0;
            continue;
        }
        deterministic &= na == nb && memcmp(a, b, sizeof(float) * (size_t)na) == 0;
        float peak = 0.0f;
        for (int i = 0; i < na; i++)
            peak = fmaxf(peak, fabsf(a[i]));
        all_ok &= peak > 0.3f && peak < 0.95f && na > RATE / 10;
        zc[v] = crossings(a, na, RATE, 0.08);
        /* The committed file is this sound in 16 bits (as wav_write rounds it). */
        char path[512];
        snprintf(path, sizeof path, "samples/%s", drumsynth_file_name(v));
        SF_INFO info = {0};
        SNDFILE *sf = sf_open(path, SFM_READ, &info);
        if (!sf || info.frames != na || info.channels != 1 || info.samplerate != RATE) {
            match = 0;
            printf("     %s missing or differs in shape\n", path);
        } else {
            short *c = malloc(sizeof(short) * (size_t)na);
            sf_readf_short(sf, c, na);
            for (int i = 0; i < na; i++)
                if (abs(c[i] - (int)lrintf(a[i] * 32767.0f)) > 1) {
                    match = 0;
                    printf("     %s differs at frame %d\n", path, i);
                    break;
                }
            free(c);
        }
        if (sf)
            sf_close(sf);
        free(a);
        free(b);
    }
    CHECK(all_ok, "all nine sounds render, peaks between 0.3 and 0.95");
    CHECK(deterministic, "drum synthesis is deterministic");
    CHECK(match, "samples/*.wav are what `make samples` writes (within 16-bit rounding)");
    printf("     zero crossings per second in the first 80 ms:");
    for (int v = 0; v < HVO_VOICES; v++)
        printf(" %s %.0f", voice_label(v), zc[v]);
    printf("\n");
    CHECK(zc[VOICE_KICK] < 500, "kick is low (%.0f crossings/s)", zc[VOICE_KICK]);
    CHECK(zc[VOICE_LOW_TOM] < zc[VOICE_MID_TOM] && zc[VOICE_MID_TOM] < zc[VOICE_HIGH_TOM],
          "toms are tuned low < mid < high");
    CHECK(zc[VOICE_CLOSED_HAT] > 8000 && zc[VOICE_OPEN_HAT] > 8000 && zc[VOICE_CRASH] > 5000 && zc[VOICE_RIDE] > 5000,
          "hats and cymbals are bright (metallic, > 5 kHz of crossings)");
    CHECK(zc[VOICE_SNARE] > zc[VOICE_KICK] * 4, "snare noise is brighter than the kick");
    float *d;
    int n;
    CHECK(drumsynth_render(9, RATE, &d, &n) == -1, "voice 9 is refused");
}

static void test_default_kit(void)
{
    Kit k;
    char err[512];
    CHECK(kit_load(&k, "default", RATE, err, sizeof err) == 0 && kit_voice_count(&k) == 9, "default kit: 9 voices");
    CHECK(!strcmp(k.name, "default"), "named default");
    const Kit_layer *l = kit_pick_layer(&k, VOICE_KICK, 0.7f);
    CHECK(l && l->frames > (int)(0.5 * RATE) && l->frames <= (int)(0.70 * RATE), "kick sample 0.5..0.7 s");
    int l_frames = l ? l->frames : 0;
    kit_deinit(&k);
    CHECK(kit_load(&k, "default", 44100, err, sizeof err) == 0 &&
              abs(k.voices[VOICE_KICK].layers[0].frames * 48000 / 44100 - l_frames) <= 4,
          "default kit resampled to 44.1 kHz keeps its duration (%d frames)", k.voices[VOICE_KICK].layers[0].frames);
    kit_deinit(&k);
}

static void test_folder_kits(void)
{
    char dir[512], path[768], err[1024];
    Kit k;
    snprintf(dir, sizeof dir, "%s/folder", tmpdir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/Kick.wav", dir);
    write_tone(path, 44100, 60, 0.5, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    snprintf(path, sizeof path, "%s/snare.flac", dir);
    int flac = write_tone(path, 48000, 200, 0.3, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    snprintf(path, sizeof path, "%s/closed-hat.aiff", dir);
    write_tone(path, 96000, 8000, 0.1, SF_FORMAT_AIFF | SF_FORMAT_PCM_24);
    snprintf(path, sizeof path, "%s/cowbell.wav", dir);
    write_tone(path, 48000, 800, 0.2, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    snprintf(path, sizeof path, "%s/readme.txt", dir);
    write_text(path, "not audio\n");
    int rc = kit_load(&k, dir, RATE, err, sizeof err);
    CHECK(rc == 0, "folder kit loads (%s)", rc ? err : "ok");
    if (rc == 0) {
        CHECK(kit_voice_count(&k) == (flac == 0 ? 3 : 2), "kick (wav), snare (flac), closed hat (aiff) found");
        CHECK(abs(k.voices[VOICE_KICK].layers[0].frames - 24000) <= 2, "44.1 kHz kick resampled to 48 kHz (%d frames)",
              k.voices[VOICE_KICK].layers[0].frames);
        CHECK(abs(k.voices[VOICE_CLOSED_HAT].layers[0].frames - 4800) <= 2, "96 kHz hat resampled (%d frames)",
              k.voices[VOICE_CLOSED_HAT].layers[0].frames);
        CHECK(k.n_unmapped == 1 && !strcmp(k.unmapped[0], "cowbell.wav"), "cowbell.wav reported unmapped");
        kit_deinit(&k);
    }

    /* A corrupt WAV: a clear error naming the file, and the default kit as fallback. */
    snprintf(path, sizeof path, "%s/snare.wav", dir);
    write_text(path, "RIFF\x10\x00\x00\x00WAVEjunkjunkjunk");
    snprintf(path, sizeof path, "%s/snare.flac", dir);
    unlink(path);
    rc = kit_load(&k, dir, RATE, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "snare.wav") && strstr(err, "cannot"), "corrupt WAV: %s", err);
    int fell;
    rc = kit_load_or_default(&k, dir, RATE, &fell, err, sizeof err);
    CHECK(rc == 0 && fell && kit_voice_count(&k) == 9 && strstr(err, "default kit"),
          "falls back to the default kit: %s", err);
    kit_deinit(&k);

    /* An empty folder, a folder with no voice names, a missing one. */
    snprintf(dir, sizeof dir, "%s/empty", tmpdir);
    mkdir(dir, 0777);
    rc = kit_load(&k, dir, RATE, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "empty"), "empty folder: %s", err);
    snprintf(path, sizeof path, "%s/bongo.wav", dir);
    write_tone(path, 48000, 300, 0.1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    rc = kit_load(&k, dir, RATE, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "named by voice"), "no file named by voice: %s", err);
    rc = kit_load(&k, "/no/such/kit", RATE, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "no such"), "missing kit: %s", err);
    rc = kit_load(&k, "no-such-kit-name", RATE, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "groove kits"), "unknown kit name: %s", err);
}

static void test_hydrogen_kits(void)
{
    char dir[512], path[768], err[1024];
    Kit k;
    snprintf(dir, sizeof dir, "%s/h2", tmpdir);
    mkdir(dir, 0777);
    const char *files[] = {"soft.wav", "hard.wav", "sn.wav", "thing.wav", "bell.wav"};
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        write_tone(path, 48000, 100 + 100 * i, 0.1 + 0.05 * i, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    }
    snprintf(path, sizeof path, "%s/drumkit.xml", dir);
    write_text(path,
               "<?xml version=\"1.0\"?>\n<drumkit_info>\n <name>Test &amp; Kit</name>\n <instrumentList>\n"
               "  <instrument><id>0</id><name>Big Kick</name><volume>1</volume><gain>0.5</gain>\n"
               "   <layer><filename>soft.wav</filename><min>0</min><max>0.5</max><gain>1</gain></layer>\n"
               "   <layer><filename>hard.wav</filename><min>0.5</min><max>1</max><gain>2</gain></layer>\n"
               "  </instrument>\n"
               "  <instrument><id>1</id><filename>sn.wav</filename><name>Snare Rock</name><volume>0.8</volume></instrument>\n"
               "  <instrument><id>2</id><name>Thing</name><midiOutNote>42</midiOutNote>\n"
               "   <instrumentComponent><layer><filename>thing.wav</filename><min>0</min><max>1</max><gain>1</gain></layer>"
               "</instrumentComponent></instrument>\n"
               "  <instrument><id>3</id><name>Cowbell</name><midiOutNote>56</midiOutNote>"
               "<layer><filename>bell.wav</filename></layer></instrument>\n"
               " </instrumentList>\n</drumkit_info>\n");
    int rc = kit_load(&k, dir, RATE, err, sizeof err);
    CHECK(rc == 0, "Hydrogen kit (both layouts) loads (%s)", rc ? err : "ok");
    if (rc == 0) {
        CHECK(!strcmp(k.name, "Test & Kit"), "kit name read, entity decoded ('%s')", k.name);
        CHECK(k.voices[VOICE_KICK].n_layers == 2, "kick: 2 velocity layers");
        const Kit_layer *soft = kit_pick_layer(&k, VOICE_KICK, 0.3f), *hard = kit_pick_layer(&k, VOICE_KICK, 0.9f);
        CHECK(soft && hard && soft->frames == 4800 && hard->frames == 7200, "velocity picks the layer (soft 0.3, hard 0.9)");
        CHECK(soft && hard && fabsf(soft->gain - 0.5f) < 1e-6f && fabsf(hard->gain - 1.0f) < 1e-6f,
              "layer gain x instrument gain");
        CHECK(k.voices[VOICE_SNARE].n_layers == 1 && fabsf(k.voices[VOICE_SNARE].layers[0].gain - 0.8f) < 1e-6f,
              "old layout: a filename per instrument, volume as gain");
        CHECK(k.voices[VOICE_CLOSED_HAT].n_layers == 1, "mapped by GM note 42 when the name says nothing");
        CHECK(k.n_unmapped == 1 && !strcmp(k.unmapped[0], "Cowbell"), "Cowbell reported unmapped");
        kit_deinit(&k);
    }

    /* Every truncation and 3000 random byte changes of the good file: an error or a kit, never
     * a crash (ASan/UBSan build), and an error is always one line. */
    {
        FILE *f = fopen(path, "rb");
        char good[4096];
        size_t len = f ? fread(good, 1, sizeof good, f) : 0;
        if (f)
            fclose(f);
        int sane = len > 100;
        unsigned seed = 12345;
        for (int t = 0; t < (int)len + 3000 && sane; t++) {
            char mutated[4096];
            size_t n = len;
            memcpy(mutated, good, len);
            if (t < (int)len) {
                n = (size_t)t; /* truncated */
            } else {
                for (int flips = 0; flips < 4; flips++) {
                    seed = seed * 1103515245u + 12345u;
                    size_t at = (seed >> 8) % len;
                    seed = seed * 1103515245u + 12345u;
                    static const char pool[] = "<>/&;\"= \n\0x";
                    mutated[at] = (seed >> 20) & 1 ? pool[(seed >> 8) % (sizeof pool - 1)] : (char)(seed >> 12);
                }
            }
            FILE *w = fopen(path, "wb");
            if (!w)
                break;
            fwrite(mutated, 1, n, w);
            fclose(w);
            Kit m;
            if (kit_load(&m, path, RATE, err, sizeof err) == 0)
                kit_deinit(&m);
            else if (!err[0] || strchr(err, '\n'))
                sane = 0;
        }
        CHECK(sane, "every truncation and 3000 mutations of drumkit.xml: a kit or a one-line error");
    }

    /* Malformed drumkit.xml files: each a clear error, never a crash. */
    const char *bad[] = {
        "<drumkit_info><name>x</name><instrumentList><instrument><name>Kick</name>",
        "this is not xml at all",
        "<drumkit_info><name>x</name><instrumentList></instrumentList></drumkit_info>",
        "<drumkit_info><name>x</name><instrumentList><instrument><name>Kick</name><layer><filename>nope.wav</filename>"
        "</layer></instrument></instrumentList></drumkit_info>",
        "<drumkit_info><name>x</name></drumkit_info>",
    };
    const char *want[] = {"malformed", "malformed", "no <instrument>", "nope.wav", "malformed"};
    for (int i = 0; i < 5; i++) {
        write_text(path, bad[i]);
        rc = kit_load(&k, path, RATE, err, sizeof err);
        CHECK(rc == -1 && strstr(err, want[i]) && !strchr(err, '\n'), "malformed drumkit.xml %d: %s", i, err);
    }
    int fell;
    rc = kit_load_or_default(&k, path, RATE, &fell, err, sizeof err);
    CHECK(rc == 0 && fell && kit_voice_count(&k) == 9, "malformed kit falls back to the default kit");
    kit_deinit(&k);

    CHECK(kit_voice_from_name("Open HH") == VOICE_OPEN_HAT && kit_voice_from_name("Closed HH") == VOICE_CLOSED_HAT &&
              kit_voice_from_name("Hat 1 Op") == VOICE_OPEN_HAT && kit_voice_from_name("Pedal HH") == -1 &&
              kit_voice_from_name("Tom Low") == VOICE_LOW_TOM && kit_voice_from_name("Tom Hi") == VOICE_HIGH_TOM &&
              kit_voice_from_name("Ride Jazz") == VOICE_RIDE && kit_voice_from_name("Crash") == VOICE_CRASH &&
              kit_voice_from_name("BassDrum") == VOICE_KICK && kit_voice_from_name("Cowbell") == -1,
          "instrument names map to voices");
}

/* Every kit of Debian's hydrogen-drumkits loads, and its voices come from the instruments this
 * table names (checked by name and by ear; "-" is a voice the kit has nothing for). Names
 * first: a "Snare Roll" is never a tom (BJA_Pacific), a plain snare wins over a roll
 * (Millo_MultiLayered3), a clap or a whistle does not become a crash by its place in the list. */
static void test_debian_kits(void)
{
    static const struct {
        const char *folder;
        const char *voice[HVO_VOICES]; /* kick snare CH OH LT MT HT crash ride */
    } table[] = {
        {"Audiophob", {"Kick", "Snare Jazz", "Closed HH", "Open HH", "Tom Low", "Tom Mid", "Tom Hi", "Crash", "Ride Jazz"}},
        {"BJA_Pacific", {"BassDrum", "Snare", "Hi Hat Closed", "Hi Hat Opened", "Floor Tom", "-", "Tom", "Crash Left", "Ride"}},
        {"ColomboAcousticDrumkit", {"BassDrum", "Snare1", "Closed HH", "Open HH", "Tom Low", "Tom Mid", "Tom Hi",
                                    "crash16inch", "ride-crash20inch"}},
        {"ElectricEmpireKit", {"Kick Lite 1", "Snare 1", "Hat Closed Bs", "Hat Op Dirty", "-", "Conga 1", "-", "-", "-"}},
        {"ForzeeStereo", {"Kick (Tama Superstar 22\")", "Snare (Pearl Free Floating Maple 14x3.5)",
                          "Hi-Hat Closed (Paiste Alpha Metal edge 14\")", "Hi-Hat Open (Paiste Alpha Metal edge 14\")",
                          "Tom Low (Tama Superstar 16\")", "Tom Mid (Tama Superstar 13\")", "Tom High (Tama Superstar 12\")",
                          "Crash (Paiste Rude Thin 18\")", "Ride (Custom, Zagrebin 22\")"}},
        {"Gimme A Hand 1.0", {"Cajon Thump", "Cajon Slap", "Maraca", "-", "Bongo Lo", "WaterglassHi", "Bongo Hi",
                              "WaterglassLo", "-"}},
        {"HardElectro1", {"Kick 1", "Snare", "Closed HH 1", "Open HH", "-", "-", "Zap 2", "Zap 1", "FX"}},
        {"Millo-Drums_v.1", {"Kick", "Snare Jazz", "Closed HH", "Open HH", "Tom Low", "Tom Mid", "Tom Hi", "Crash", "Ride Jazz"}},
        {"Millo_MultiLayered2", {"Kick", "Snare Jazz", "Closed HH", "Open HH", "Tom Low", "Tom Mid", "Tom Hi", "Crash",
                                 "Ride Jazz"}},
        {"Millo_MultiLayered3", {"Kick", "Snare Rock", "Closed HH", "Open HH", "Tom Low", "Tom Mid", "Tom Hi", "Crash",
                                 "Ride Jazz"}},
        {"The Black Pearl 1.0", {"Pearl Kick", "Pearl Snare", "Sabian Hat Closed", "Sabian Hat Open", "Pearl Tom Floor",
                                 "Pearl Tom 2", "Pearl Tom 1", "Sabian Crash", "Paiste Ride"}},
        {"VariBreaks", {"VariBreaks Kick 1", "VariBreaks Snare 1", "VariBreaks Hat 1 Cl", "VariBreaks Hat 1 Op",
                        "VariBreaks Tom Low", "VariBreaks Tom Mid", "VariBreaks Tom Hi", "-", "VariBreaks Drum 2"}},
        {"circAfrique v4", {"Dununba1 Head Hit", "-", "-", "-", "Djembe1 Bass", "Djembe1 Tone", "Djembe1 Slap", "-",
                            "Sangban1 Bell Hit"}},
        {"rumpf_kit_z01_h2", {"c3 - bass drum 1", "d3 - snare 1", "f#3 - hi-hat closed", "a#3 - hi-hat open", "b3 - low tom",
                              "c4 - middle tom", "d4 - high tom", "c#4 - crash", "f4 - ride bell"}},
    };
    const char *root = "/usr/share/hydrogen/data/drumkits";
    DIR *d = opendir(root);
    CHECK(d != NULL, "Debian's hydrogen-drumkits are installed (%s)", root);
    if (!d)
        return;
    int n = 0, known = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        n++;
        for (size_t t = 0; t < sizeof table / sizeof table[0]; t++)
            known += !strcmp(table[t].folder, de->d_name);
    }
    closedir(d);
    CHECK(n >= 10 && known == n, "every kit of hydrogen-drumkits is in the table (%d of %d)", known, n);
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        char path[1024], err[1024];
        snprintf(path, sizeof path, "%s/%s", root, table[t].folder);
        Kit k;
        int rc = kit_load(&k, path, RATE, err, sizeof err);
        int same = rc == 0;
        char got[1200] = "";
        for (int v = 0; v < HVO_VOICES && rc == 0; v++) {
            const char *src = k.voices[v].n_layers ? k.voices[v].source : "-";
            size_t used = strlen(got);
            snprintf(got + used, sizeof got - used, "%s%s=%s", v ? ", " : "", voice_label(v), src);
            same &= !strcmp(src, table[t].voice[v]);
        }
        CHECK(same, "%s: voices as the table says (%s)", table[t].folder, rc ? err : got);
        if (rc == 0)
            kit_deinit(&k);
    }
}

/* A kit with a missing and an unreadable sample: the rest loads, those instruments are left
 * out, one line says which (as Hydrogen does). A "Snare Roll" before the snare is no tom. */
static void test_missing_samples(void)
{
    char dir[512], path[768], err[1024];
    snprintf(dir, sizeof dir, "%s/h2missing", tmpdir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/kick.wav", dir);
    write_tone(path, 48000, 60, 0.2, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    snprintf(path, sizeof path, "%s/roll.wav", dir);
    write_tone(path, 48000, 200, 0.2, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    snprintf(path, sizeof path, "%s/hat.wav", dir);
    write_text(path, "RIFF this is no audio at all");
    snprintf(path, sizeof path, "%s/drumkit.xml", dir);
    write_text(path,
               "<drumkit_info><name>Holes</name><instrumentList>\n"
               " <instrument><name>Kick</name><layer><filename>kick.wav</filename></layer></instrument>\n"
               " <instrument><name>Snare Roll</name><layer><filename>roll.wav</filename></layer></instrument>\n"
               " <instrument><name>Snare</name><layer><filename>snare.wav</filename></layer></instrument>\n"
               " <instrument><name>Closed HH</name><layer><filename>hat.wav</filename></layer></instrument>\n"
               " <instrument><name>17</name><layer><filename>kick.wav</filename></layer></instrument>\n"
               "</instrumentList></drumkit_info>\n");
    Kit k;
    int rc = kit_load(&k, dir, RATE, err, sizeof err);
    CHECK(rc == 0, "a kit with a missing and an unreadable sample still loads (%s)", rc ? err : "ok");
    if (rc != 0)
        return;
    char line[400];
    kit_missing_line(&k, line, sizeof line);
    CHECK(k.voices[VOICE_KICK].n_layers == 1 && k.voices[VOICE_CLOSED_HAT].n_layers == 0, "the kick plays, the hat is left out");
    CHECK(k.n_missing == 2 && strstr(line, "'Snare'") && strstr(line, "'Closed HH'") && strstr(line, "snare.wav") &&
              !strchr(line, '\n'),
          "one line names what was left out and why: %s", line);
    CHECK(k.voices[VOICE_SNARE].n_layers == 0 && k.voices[VOICE_MID_TOM].n_layers == 0 &&
              k.voices[VOICE_HIGH_TOM].n_layers == 0 && k.voices[VOICE_LOW_TOM].n_layers == 0,
          "the plain snare holds the snare voice (missing), the roll is not moved onto a tom");
    kit_deinit(&k);
    CHECK(kit_voice_from_name("Snare Roll") == VOICE_SNARE && kit_voice_from_percussion_name("Hand Clap") == VOICE_SNARE &&
              kit_voice_from_percussion_name("Tambourine") == VOICE_CLOSED_HAT &&
              kit_voice_from_percussion_name("Bongo Lo") == VOICE_LOW_TOM &&
              kit_voice_from_percussion_name("Splash") == VOICE_CRASH && kit_voice_from_percussion_name("17") == -1,
          "names: a snare roll is a snare, claps snare-class, tambourine hat, bongo lo a low tom, splash a crash");
}

static void test_kit_list(void)
{
    char dir[512], path[768];
    snprintf(dir, sizeof dir, "%s/xdg", tmpdir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/groove", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/groove/kits", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/groove/kits/MyKit", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/groove/kits/MyKit/kick.wav", dir);
    write_tone(path, 48000, 60, 0.2, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    setenv("XDG_DATA_HOME", dir, 1);
    Kit_info infos[64];
    int n = kit_list(infos, 64);
    int found = 0;
    for (int i = 0; i < n && i < 64; i++)
        found |= !strcmp(infos[i].name, "MyKit") && !strcmp(infos[i].origin, "user");
    CHECK(n >= 2 && !strcmp(infos[0].name, "default") && found, "kit list: default first, then the XDG user kit");
    char where[1024];
    CHECK(kit_find("mykit", where, sizeof where) == 0 && strstr(where, "groove/kits/MyKit"), "kit_find is case-insensitive");
    Kit k;
    char err[512];
    CHECK(kit_load(&k, "MyKit", RATE, err, sizeof err) == 0 && kit_voice_count(&k) == 1, "a kit loads by its name");
    kit_deinit(&k);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/groove-test-kit.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("FAIL cannot make a temporary folder\n");
        return 1;
    }
    test_drumsynth();
    test_default_kit();
    test_folder_kits();
    test_hydrogen_kits();
    test_debian_kits();
    test_missing_samples();
    test_kit_list();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("     could not remove %s\n", tmpdir);
    return check_summary();
}
