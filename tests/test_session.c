/* test_session.c - the session file: round trip, atomic save, corrupt files caught and set
 * aside, the XDG path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "session.h"

/* A session with something in every field. */
static void sample_session(Session *s)
{
    session_defaults(s);
    s->settings.bpm = 123.5f;
    s->settings.swing = 0.21f;
    s->settings.density = 0.66f;
    s->settings.temperature = 1.3f;
    s->settings.thresholds[4] = 0.11f;
    s->settings.thresholds_set = 0x10;
    s->settings.genre = 3;
    s->settings.fill_every = 4;
    s->settings.seed = 4000000000u;
    s->settings.variation = 7;
    s->settings.kept = 0x5;
    s->settings.muted = 0x100;
    s->settings.soloed = 0x2;
    s->settings.record_mode = 1;
    s->groove.g[0][0] = 1;
    s->groove.g[0][1] = 0.8f;
    s->groove.g[9][0] = 1;
    s->groove.g[9][1] = 0.333333f;
    s->groove.g[9][2] = -0.123456789f;
    hvo_set(&s->part, 0, 0, 1, 0.9f, 0.0f);
    hvo_set(&s->part, 31, 8, 1, 0.1f, 0.49f);
    hvo_set(&s->part, 13, 1, 1, 0.7f, -0.3f);
}

static int write_bytes(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    fclose(f);
    return w == n ? 0 : -1;
}

int main(void)
{
    char err[256] = "";
    Session a, b;
    sample_session(&a);

    /* Text round trip is exact. */
    size_t len;
    char *text = session_to_text(&a, &len);
    CHECK(text != NULL && len > 0, "session serialises (%zu bytes)", len);
    memset(&b, 0xab, sizeof b);
    CHECK(session_from_text(text, len, &b, err, sizeof err) == SESSION_OK, "it parses back (%s)", err);
    CHECK(memcmp(&a, &b, sizeof a) == 0, "round trip is bit-exact");

    /* Every kind of damage is caught. */
    Session untouched;
    memset(&untouched, 0x5a, sizeof untouched);
    b = untouched;
    CHECK(session_from_text(text, len / 2, &b, err, sizeof err) == SESSION_CORRUPT, "truncated: corrupt (%s)", err);
    CHECK(memcmp(&b, &untouched, sizeof b) == 0, "a failed parse leaves the output alone");
    char *flipped = malloc(len);
    memcpy(flipped, text, len);
    char *bpm = strstr(flipped, "bpm 123.5");
    bpm[5] = '9';
    CHECK(session_from_text(flipped, len, &b, err, sizeof err) == SESSION_CORRUPT &&
              strstr(err, "checksum"), "one changed byte: checksum mismatch (%s)", err);
    free(flipped);
    const char newer[] = "groove-session 3\nend 00000000\n";
    CHECK(session_from_text(newer, sizeof newer - 1, &b, err, sizeof err) == SESSION_CORRUPT &&
              strstr(err, "newer"), "newer version refused with a reason (%s)", err);
    const char junk[] = "\x7f" "ELF garbage";
    CHECK(session_from_text(junk, sizeof junk - 1, &b, err, sizeof err) == SESSION_CORRUPT, "garbage refused (%s)", err);
    CHECK(session_from_text("", 0, &b, err, sizeof err) == SESSION_CORRUPT, "empty file refused");
    /* A header alone, in a buffer with no NUL after it (as read from a file). */
    char *bare = malloc(16);
    memcpy(bare, "groove-session 1", 16);
    CHECK(session_from_text(bare, 16, &b, err, sizeof err) == SESSION_CORRUPT, "a bare header is truncated (%s)", err);
    memcpy(bare, "groove-session 9", 16);
    CHECK(session_from_text(bare, 16, &b, err, sizeof err) == SESSION_CORRUPT && strstr(err, "version 9"),
          "an unterminated newer version is read within bounds (%s)", err);
    free(bare);

    /* A well-checksummed file with an out-of-range value is still refused. */
    Session c;
    session_defaults(&c);
    char *t2 = session_to_text(&c, &len);
    char body[4096];
    char *bp = strstr(t2, "bpm 100");
    size_t head = (size_t)(bp - t2);
    char *end_line = strstr(t2, "end ");
    snprintf(body, sizeof body, "%.*sbpm 9000%.*s", (int)head, t2, (int)(end_line - (bp + 7)), bp + 7);
    /* Re-close it with a correct checksum by serialising through a parse-free path: recompute. */
    {
        uint32_t crc = 0xffffffffu;
        for (size_t i = 0; body[i]; i++) {
            crc ^= (unsigned char)body[i];
            for (int k = 0; k < 8; k++)
                crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
        size_t bl = strlen(body);
        snprintf(body + bl, sizeof body - bl, "end %08x\n", (unsigned)~crc);
    }
    CHECK(session_from_text(body, strlen(body), &b, err, sizeof err) == SESSION_CORRUPT &&
              strstr(err, "line"), "bpm 9000 with a valid checksum: refused naming the line (%s)", err);
    free(t2);

    /* Files: save, load, missing, corrupt set aside. */
    char dir[] = "/tmp/test_session.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    char path[512];
    snprintf(path, sizeof path, "%s/session", dir);
    CHECK(session_load(path, &b, err, sizeof err) == SESSION_MISSING, "no file: missing");
    CHECK(session_save(&a, path, err, sizeof err) == 0, "save (%s)", err);
    memset(&b, 0, sizeof b);
    CHECK(session_load(path, &b, err, sizeof err) == SESSION_OK && !memcmp(&a, &b, sizeof a), "load gives it back");
    CHECK(write_bytes(path, text, len - 20) == 0, "damage the file");
    CHECK(session_load(path, &b, err, sizeof err) == SESSION_CORRUPT, "damaged file is corrupt (%s)", err);
    char moved[600];
    CHECK(session_set_aside(path, moved, sizeof moved, err, sizeof err) == 0, "set aside to %s", moved);
    struct stat st;
    CHECK(stat(path, &st) != 0 && stat(moved, &st) == 0 && (size_t)st.st_size == len - 20,
          "the damaged bytes are kept under the new name, the old name is free");
    unlink(moved);
    unlink(path);

    /* The autosave path follows XDG_STATE_HOME, and its directory is made. */
    setenv("XDG_STATE_HOME", dir, 1);
    char auto_path[1024];
    CHECK(session_default_path(auto_path, sizeof auto_path, err, sizeof err) == 0, "default path (%s)", err);
    char want[600];
    snprintf(want, sizeof want, "%s/groove/session", dir);
    CHECK(!strcmp(auto_path, want), "it is $XDG_STATE_HOME/groove/session (%s)", auto_path);
    snprintf(want, sizeof want, "%s/groove", dir);
    CHECK(stat(want, &st) == 0 && S_ISDIR(st.st_mode), "its directory exists");
    setenv("XDG_STATE_HOME", "relative/ignored", 1);
    setenv("HOME", dir, 1);
    CHECK(session_default_path(auto_path, sizeof auto_path, err, sizeof err) == 0 &&
              strstr(auto_path, "/.local/state/groove/session"), "relative XDG_STATE_HOME falls back to ~/.local/state");
    snprintf(want, sizeof want, "rm -rf '%s'", dir);
    CHECK(system(want) == 0, "clean up");

    /* Clamping repairs out-of-range values. */
    Session d;
    session_defaults(&d);
    d.settings.bpm = 1e9f;
    d.settings.swing = -1;
    d.settings.kept = 0xffffffffu;
    session_clamp(&d);
    CHECK(d.settings.bpm == SESSION_BPM_MAX && d.settings.swing == 0 && d.settings.kept == 0x1ff, "clamp");
    free(text);
    return check_summary();
}
