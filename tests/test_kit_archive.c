/* test_kit_archive.c - .h2drumkit files: a kit packed as Hydrogen packs it (NAME/drumkit.xml and
 * its samples in a gzipped tar) loads by path and by name from the user kit folder, and the
 * private folder it was unpacked into is gone afterwards; archives with an absolute path, a '..'
 * component, a symbolic link or a hard link out of the kit are refused in one line naming the
 * entry, and nothing is written outside; a corrupt archive is one line too. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "kit.h"

#define RATE 48000

static char tmpdir[256];

/* A small decaying tone as WAV bytes in memory (malloc'd), for packing. */
static void *tone_wav(size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tone.wav", tmpdir);
    SF_INFO info = {0};
    info.samplerate = RATE;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    float x[4800];
    for (int i = 0; i < 4800; i++)
        x[i] = (float)(0.5 * sin(0.02 * i) * exp(-i / 1000.0));
    sf_writef_float(sf, x, 4800);
    sf_close(sf);
    FILE *f = fopen(path, "rb");
    void *buf = malloc(65536);
    *len = fread(buf, 1, 65536, f);
    fclose(f);
    unlink(path);
    return buf;
}

typedef struct {
    const char *name;     /* entry path as stored */
    int type;             /* AE_IFREG, AE_IFDIR, AE_IFLNK, or 0 = hard link */
    const void *data;     /* file contents */
    size_t len;
    const char *link;     /* symlink target or hard link target */
} Entry;

/* Writes a gzipped tar with the given entries. */
static int pack(const char *path, const Entry *e, int n)
{
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    if (archive_write_open_filename(a, path) != ARCHIVE_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        struct archive_entry *en = archive_entry_new();
        archive_entry_set_pathname(en, e[i].name);
        if (e[i].type == 0) {
            archive_entry_set_filetype(en, AE_IFREG);
            archive_entry_set_hardlink(en, e[i].link);
            archive_entry_set_size(en, 0);
        } else {
            archive_entry_set_filetype(en, (unsigned)e[i].type);
            archive_entry_set_size(en, e[i].type == AE_IFREG ? (la_int64_t)e[i].len : 0);
            if (e[i].type == AE_IFLNK)
                archive_entry_set_symlink(en, e[i].link);
        }
        archive_entry_set_perm(en, e[i].type == AE_IFDIR ? 0755 : 0644);
        archive_write_header(a, en);
        if (e[i].type == AE_IFREG)
            archive_write_data(a, e[i].data, e[i].len);
        archive_entry_free(en);
    }
    archive_write_close(a);
    archive_write_free(a);
    return 0;
}

/* Number of entries in /tmp-like dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += !strncmp(de->d_name, prefix, strlen(prefix));
    if (d)
        closedir(d);
    return n;
}

static const char *xml =
    "<?xml version=\"1.0\"?>\n<drumkit_info><name>Packed Kit</name><instrumentList>\n"
    " <instrument><name>Kick</name><layer><filename>kick.wav</filename></layer></instrument>\n"
    " <instrument><name>Snare</name><layer><filename>snare.wav</filename></layer></instrument>\n"
    "</instrumentList></drumkit_info>\n";

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/groove-test-archive.XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    char unpack_dir[300];
    snprintf(unpack_dir, sizeof unpack_dir, "%s/unpack", tmpdir);
    mkdir(unpack_dir, 0700);
    setenv("TMPDIR", unpack_dir, 1); /* where the kit loader makes its private folders */
    size_t wav_len;
    void *wav = tone_wav(&wav_len);
    char path[600], err[1024], outside[600];
    Kit k;

    Entry good[] = {
        {"Packed/", AE_IFDIR, NULL, 0, NULL},
        {"Packed/drumkit.xml", AE_IFREG, xml, strlen(xml), NULL},
        {"Packed/kick.wav", AE_IFREG, wav, wav_len, NULL},
        {"Packed/snare.wav", AE_IFREG, wav, wav_len, NULL},
        {"Packed/same.wav", 0, NULL, 0, "Packed/kick.wav"},   /* a hard link inside: fine */
        {"Packed/alias.wav", AE_IFLNK, NULL, 0, "kick.wav"}, /* a symlink inside: fine */
    };
    snprintf(path, sizeof path, "%s/Packed.h2drumkit", tmpdir);
    pack(path, good, 6);
    int rc = kit_load(&k, path, RATE, err, sizeof err);
    CHECK(rc == 0, ".h2drumkit loads by path (%s)", rc ? err : "ok");
    if (rc == 0) {
        CHECK(!strcmp(k.name, "Packed Kit") && kit_voice_count(&k) == 2 && k.voices[VOICE_KICK].layers[0].frames > 1000,
              "its name and both instruments' samples are there");
        CHECK(strstr(k.path, "Packed.h2drumkit") != NULL, "the kit's path is the archive (%s)", k.path);
        kit_deinit(&k);
    }
    CHECK(count_prefixed(unpack_dir, "groove-kit.") == 0, "the private folder it was unpacked into is removed");

    /* By name, from the user kit folder: groove kits lists it. */
    char kits[700], dst[800];
    snprintf(kits, sizeof kits, "%s/xdg/groove/kits", tmpdir);
    snprintf(dst, sizeof dst, "%s/xdg", tmpdir);
    mkdir(dst, 0777);
    snprintf(dst, sizeof dst, "%s/xdg/groove", tmpdir);
    mkdir(dst, 0777);
    mkdir(kits, 0777);
    snprintf(dst, sizeof dst, "%s/Packed.h2drumkit", kits);
    rename(path, dst);
    snprintf(dst, sizeof dst, "%s/xdg", tmpdir);
    setenv("XDG_DATA_HOME", dst, 1);
    Kit_info infos[64];
    int n = kit_list(infos, 64), listed = 0;
    for (int i = 0; i < n && i < 64; i++)
        listed |= !strcmp(infos[i].name, "Packed.h2drumkit") && !strcmp(infos[i].origin, "user");
    CHECK(listed, "groove kits lists a .h2drumkit in the user kit folder");
    rc = kit_load(&k, "Packed.h2drumkit", RATE, err, sizeof err);
    CHECK(rc == 0, "and it loads by that name (%s)", rc ? err : "ok");
    if (rc == 0)
        kit_deinit(&k);

    /* Hostile archives: each refused in one line naming the entry; nothing written outside. */
    snprintf(outside, sizeof outside, "%s/escaped.txt", tmpdir);
    char abs_name[700];
    snprintf(abs_name, sizeof abs_name, "%s", outside);
    struct {
        Entry e[3];
        const char *want;
    } bad[] = {
        {{{"K/drumkit.xml", AE_IFREG, xml, strlen(xml), NULL}, {abs_name, AE_IFREG, "x", 1, NULL}}, "absolute path"},
        {{{"K/drumkit.xml", AE_IFREG, xml, strlen(xml), NULL}, {"K/../../escaped.txt", AE_IFREG, "x", 1, NULL}},
         "'..' component"},
        {{{"K/drumkit.xml", AE_IFREG, xml, strlen(xml), NULL}, {"K/etc", AE_IFLNK, NULL, 0, "/etc"}}, "link out of the kit"},
        {{{"K/drumkit.xml", AE_IFREG, xml, strlen(xml), NULL}, {"K/up", AE_IFLNK, NULL, 0, "../../.."}},
         "link out of the kit"},
        {{{"K/drumkit.xml", AE_IFREG, xml, strlen(xml), NULL}, {"K/hard", 0, NULL, 0, "../escaped.txt"}},
         "hard link out of the kit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/bad%zu.h2drumkit", tmpdir, i);
        pack(path, bad[i].e, 2);
        rc = kit_load(&k, path, RATE, err, sizeof err);
        struct stat st;
        CHECK(rc == -1 && strstr(err, bad[i].want) && strstr(err, "refused") && !strchr(err, '\n') &&
                  stat(outside, &st) != 0,
              "hostile archive %zu refused, nothing outside: %s", i, err);
    }
    CHECK(count_prefixed(unpack_dir, "groove-kit.") == 0, "no private folder is left behind by a refusal");

    snprintf(path, sizeof path, "%s/junk.h2drumkit", tmpdir);
    FILE *f = fopen(path, "wb");
    fputs("this is not an archive", f);
    fclose(f);
    rc = kit_load(&k, path, RATE, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "junk.h2drumkit") && !strchr(err, '\n'), "a corrupt archive: one line (%s)", err);
    Entry noxml[] = {{"K/readme.txt", AE_IFREG, "hi", 2, NULL}};
    snprintf(path, sizeof path, "%s/noxml.h2drumkit", tmpdir);
    pack(path, noxml, 1);
    rc = kit_load(&k, path, RATE, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "no drumkit.xml"), "an archive without drumkit.xml: %s", err);

    free(wav);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("     could not remove %s\n", tmpdir);
    return check_summary();
}
