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

static void test_debian_kits(void)
{
    const char *root = "/usr/share/hydrogen/data/drumkits";
    DIR *d = opendir(root);
    CHECK(d != NULL, "Debian's hydrogen-drumkits are installed (%s)", root);
    if (!d)
        return;
    int n = 0, ok = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024], err[1024];
        snprintf(path, sizeof path, "%s/%s", root, de->d_name);
        Kit k;
        n++;
        int rc = kit_load(&k, path, RATE, err, sizeof err);
        int voices = rc == 0 ? kit_voice_count(&k) : 0;
        if (rc == 0 && voices >= 5)
            ok++;
        else
            printf("     %s: %s\n", de->d_name, rc ? err : "fewer than 5 voices");
        if (rc == 0)
            kit_deinit(&k);
    }
    closedir(d);
    CHECK(n >= 10 && ok == n, "every Debian Hydrogen kit loads with at least 5 voices (%d of %d)", ok, n);
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
    test_kit_list();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("     could not remove %s\n", tmpdir);
    return check_summary();
}
